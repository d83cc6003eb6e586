//! A JSON writer that leaves no unwiped copy of what it wrote behind.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroize;

use crate::Timestamps;
use crate::timestamp::iso8601;

/// Writes compact JSON into one buffer.
///
/// The buffer grows only through [`Writer::reserve`], which copies into a larger buffer and
/// wipes the old one, so a secret written early (a plaintext in base64) never stays behind in
/// freed memory when the buffer grows; dropping an unfinished writer wipes it too. It has no
/// `Debug`, which would show what it holds.
pub(crate) struct Writer {
    out: String,
    /// Whether the innermost object or array has no member or element yet (so the next one
    /// needs no comma).
    first: bool,
    timestamps: Timestamps,
}

impl Writer {
    /// An empty writer that prints timestamps as `timestamps` says.
    pub(crate) fn new(timestamps: Timestamps) -> Self {
        Self {
            out: String::with_capacity(256),
            first: true,
            timestamps,
        }
    }

    /// The JSON written, as bytes.
    pub(crate) fn into_bytes(mut self) -> Vec<u8> {
        std::mem::take(&mut self.out).into_bytes()
    }

    /// Makes room for `additional` more bytes, moving the text to a larger buffer and wiping
    /// the old one when it is full.
    fn reserve(&mut self, additional: usize) {
        let needed = self.out.len().saturating_add(additional);
        if needed <= self.out.capacity() {
            return;
        }
        let mut larger = String::with_capacity(needed.max(self.out.capacity().saturating_mul(2)));
        larger.push_str(&self.out);
        self.out.zeroize();
        self.out = larger;
    }

    fn push(&mut self, text: &str) {
        self.reserve(text.len());
        self.out.push_str(text);
    }

    /// Writes the separator before a value of an array, or before a member's name.
    fn separate(&mut self) {
        if !std::mem::replace(&mut self.first, false) {
            self.push(",");
        }
    }

    /// `{`; members follow with [`Writer::key`].
    pub(crate) fn begin_object(&mut self) {
        self.push("{");
        self.first = true;
    }

    /// `}`.
    pub(crate) fn end_object(&mut self) {
        self.push("}");
        self.first = false;
    }

    /// `[`; elements follow with [`Writer::element`].
    pub(crate) fn begin_array(&mut self) {
        self.push("[");
        self.first = true;
    }

    /// `]`.
    pub(crate) fn end_array(&mut self) {
        self.push("]");
        self.first = false;
    }

    /// The name of the next member of an object, then `:`.
    pub(crate) fn key(&mut self, name: &str) {
        self.separate();
        self.string(name);
        self.push(":");
    }

    /// Starts the next element of an array.
    pub(crate) fn element(&mut self) {
        self.separate();
    }

    /// A JSON string, escaped.
    pub(crate) fn string(&mut self, text: &str) {
        let escaped_len: usize = text.chars().map(escaped_len).sum();
        self.reserve(escaped_len + 2);
        self.out.push('"');
        for c in text.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                '\u{08}' => self.out.push_str("\\b"),
                '\u{0c}' => self.out.push_str("\\f"),
                c if c < ' ' => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    let code = c as usize;
                    self.out.push_str("\\u00");
                    self.out.push(char::from(HEX[code >> 4]));
                    self.out.push(char::from(HEX[code & 0xf]));
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    /// Bytes as a standard base64 string, encoded straight into the buffer.
    pub(crate) fn base64(&mut self, bytes: &[u8]) {
        let encoded_len = bytes.len().div_ceil(3).saturating_mul(4);
        self.reserve(encoded_len + 2);
        self.out.push('"');
        STANDARD.encode_string(bytes, &mut self.out);
        self.out.push('"');
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self, value: bool) {
        self.push(if value { "true" } else { "false" });
    }

    /// An integer.
    pub(crate) fn integer(&mut self, value: u32) {
        self.push(&value.to_string());
    }

    /// A timestamp: epoch seconds with milliseconds (`1524160520.097`) or an ISO 8601 string,
    /// as [`Timestamps`] says.
    pub(crate) fn timestamp(&mut self, time: SystemTime) {
        match self.timestamps {
            Timestamps::EpochSeconds => {
                let text = epoch_seconds(time);
                self.push(&text);
            }
            Timestamps::Iso8601 => {
                let text = iso8601(time);
                self.string(&text);
            }
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.out.zeroize();
    }
}

/// The length of `c` once escaped in a JSON string.
fn escaped_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{08}' | '\u{0c}' => 2,
        c if c < ' ' => 6,
        c => c.len_utf8(),
    }
}

/// Epoch seconds with a three-digit fraction, as AWS sends them: `1524160520.097`, or
/// `-86400.250` before 1970.
fn epoch_seconds(time: SystemTime) -> String {
    let (sign, since) = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => ("", after),
        Err(before) => ("-", before.duration()),
    };
    format!("{sign}{}.{:03}", since.as_secs(), since.subsec_millis())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn written(write: impl FnOnce(&mut Writer)) -> String {
        let mut out = Writer::new(Timestamps::EpochSeconds);
        write(&mut out);
        String::from_utf8(out.into_bytes()).unwrap_or_default()
    }

    #[test]
    fn strings_are_escaped_as_json() {
        let text = "a\"b\\c\nd\u{1}é/";
        let json = written(|out| out.string(text));
        assert_eq!(json, r#""a\"b\\c\nd\u0001é/""#);
        let parsed: String = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(parsed, text);
    }

    #[test]
    fn objects_and_arrays_get_their_commas() {
        let json = written(|out| {
            out.begin_object();
            out.key("A");
            out.begin_array();
            for n in [1, 2] {
                out.element();
                out.integer(n);
            }
            out.end_array();
            out.key("B");
            out.begin_object();
            out.end_object();
            out.key("C");
            out.bool(true);
            out.end_object();
        });
        assert_eq!(json, r#"{"A":[1,2],"B":{},"C":true}"#);
    }

    #[test]
    fn growing_keeps_every_byte() {
        let long = "x".repeat(10_000);
        let json = written(|out| {
            out.begin_array();
            for _ in 0..3 {
                out.element();
                out.base64(long.as_bytes());
            }
            out.end_array();
        });
        let parsed: Vec<String> = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(parsed.len(), 3);
        assert!(
            parsed
                .iter()
                .all(|b| STANDARD.decode(b).ok().as_deref() == Some(long.as_bytes()))
        );
    }

    #[test]
    fn timestamps_are_epoch_seconds_with_milliseconds() {
        let time = UNIX_EPOCH + Duration::new(1_524_160_520, 97_654_321);
        assert_eq!(epoch_seconds(time), "1524160520.097");
        assert_eq!(
            epoch_seconds(UNIX_EPOCH - Duration::from_millis(86_400_250)),
            "-86400.250"
        );
    }
}
