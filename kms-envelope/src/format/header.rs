//! The message header: parsed from bytes and written to bytes, without any I/O.

use std::collections::BTreeMap;

use kms_core::EncryptionContext;

use crate::error::{Error, Result};
use crate::format::wire::{Cursor, Parsed, Stop, put_u16_prefixed};
use crate::keyring::EncryptedDataKey;
use crate::limits::DecryptLimits;
use crate::suite::AlgorithmSuite;

/// The length of a GCM IV in every suite.
pub(crate) const IV_LEN: usize = 12;
/// The length of a GCM tag in every suite.
pub(crate) const TAG_LEN: usize = 16;
/// The length of the commit key of format 2.
pub(crate) const COMMIT_KEY_LEN: usize = 32;
/// The encryption context key that carries the signature's public key.
pub(crate) const PUBLIC_KEY_CONTEXT_KEY: &str = "aws-crypto-public-key";
/// The prefix of encryption context keys reserved for the format.
pub(crate) const RESERVED_CONTEXT_PREFIX: &str = "aws-crypto-";

/// How a message body is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentType {
    /// One block with a single tag (legacy; read only, buffered whole).
    NonFramed,
    /// A sequence of frames, each with its own tag, ending with a final frame.
    Framed,
}

/// The parsed header of a message: what a decryptor learns about it.
///
/// Returned after the header has been authenticated, by [`Decrypted::header`] and
/// [`DecryptingReader::header`].
///
/// [`Decrypted::header`]: crate::Decrypted::header
/// [`DecryptingReader::header`]: crate::DecryptingReader::header
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageHeader {
    version: u8,
    suite: AlgorithmSuite,
    message_id: Vec<u8>,
    encryption_context: EncryptionContext,
    encrypted_data_keys: Vec<EncryptedDataKey>,
    content_type: ContentType,
    frame_length: u32,
}

impl MessageHeader {
    /// The message format version: 1 or 2.
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The algorithm suite.
    pub fn suite(&self) -> AlgorithmSuite {
        self.suite
    }

    /// The random message id: 16 bytes in format 1, 32 in format 2.
    pub fn message_id(&self) -> &[u8] {
        &self.message_id
    }

    /// The encryption context stored in the message, including `aws-crypto-public-key` for
    /// signed suites.
    pub fn encryption_context(&self) -> &EncryptionContext {
        &self.encryption_context
    }

    /// The encrypted data keys, one per wrapping key.
    pub fn encrypted_data_keys(&self) -> &[EncryptedDataKey] {
        &self.encrypted_data_keys
    }

    /// How the body is laid out.
    pub fn content_type(&self) -> ContentType {
        self.content_type
    }

    /// The frame length; 0 for a non-framed body.
    pub fn frame_length(&self) -> u32 {
        self.frame_length
    }
}

/// A header read from bytes, with what authenticating it needs.
#[derive(Debug, Clone)]
pub(crate) struct ParsedHeader {
    pub(crate) header: MessageHeader,
    /// The commit key (format 2).
    pub(crate) commit_key: Option<[u8; COMMIT_KEY_LEN]>,
    /// The length of the header body, the part the header tag authenticates.
    pub(crate) body_len: usize,
    /// The IV of the header tag: serialized in format 1, zero in format 2.
    pub(crate) auth_iv: [u8; IV_LEN],
    /// The header tag.
    pub(crate) auth_tag: [u8; TAG_LEN],
    /// The length of the header body and its authentication together.
    pub(crate) total_len: usize,
}

/// Parses a header from the start of `buf`, which may hold only part of it.
///
/// Returns `Stop::Need(n)` when at least `n` bytes are needed, and checks the limits as soon
/// as each limited field is read.
pub(crate) fn parse_header(buf: &[u8], limits: &DecryptLimits) -> Parsed<ParsedHeader> {
    match parse_header_inner(buf, limits) {
        Err(Stop::Need(need)) => {
            limits.check_header_size(need)?;
            Err(Stop::Need(need))
        }
        other => other,
    }
}

fn parse_header_inner(buf: &[u8], limits: &DecryptLimits) -> Parsed<ParsedHeader> {
    let mut cursor = Cursor::new(buf);
    let version = cursor.u8()?;
    match version {
        1 => {
            let kind = cursor.u8()?;
            if kind != 0x80 {
                return Err(Error::malformed(format!("unknown message type {kind:#04x}")).into());
            }
        }
        2 => {}
        other => return Err(unknown_version(other).into()),
    }
    let suite_id = cursor.u16()?;
    let suite = AlgorithmSuite::from_id(suite_id).ok_or_else(|| Error::Unsupported {
        reason: format!("unknown algorithm suite {suite_id:#06x}"),
    })?;
    if suite.message_version() != version {
        return Err(Error::malformed(format!(
            "algorithm suite {suite} does not belong to message format {version}"
        ))
        .into());
    }
    let message_id = cursor.take(if version == 1 { 16 } else { 32 })?.to_vec();
    let context_bytes = cursor.u16_prefixed()?;
    let encryption_context = parse_context(context_bytes)?;
    check_reserved_keys(&encryption_context, suite)?;

    let edk_count = cursor.u16()?;
    if edk_count == 0 {
        return Err(Error::malformed("the message has no encrypted data key").into());
    }
    limits.check_edk_count(edk_count)?;
    let mut encrypted_data_keys = Vec::with_capacity(usize::from(edk_count));
    for _ in 0..edk_count {
        let provider_id = std::str::from_utf8(cursor.u16_prefixed()?)
            .map_err(|_| Error::malformed("a key provider id is not UTF-8"))?
            .to_owned();
        let provider_info = cursor.u16_prefixed()?.to_vec();
        let ciphertext = cursor.u16_prefixed()?.to_vec();
        encrypted_data_keys.push(EncryptedDataKey::new(
            provider_id,
            provider_info,
            ciphertext,
        ));
    }

    let content_type = match cursor.u8()? {
        1 => ContentType::NonFramed,
        2 => ContentType::Framed,
        other => {
            return Err(Error::malformed(format!("unknown content type {other:#04x}")).into());
        }
    };
    if version == 1 {
        if cursor.array::<4>()? != [0; 4] {
            return Err(Error::malformed("the reserved header field is not zero").into());
        }
        let iv_len = cursor.u8()?;
        if usize::from(iv_len) != IV_LEN {
            return Err(Error::malformed(format!("IV length {iv_len}, expected 12")).into());
        }
    }
    let frame_length = cursor.u32()?;
    match content_type {
        ContentType::Framed if frame_length == 0 => {
            return Err(Error::malformed("a framed message with frame length 0").into());
        }
        ContentType::Framed => limits.check_frame_length(u64::from(frame_length))?,
        ContentType::NonFramed if frame_length != 0 => {
            return Err(Error::malformed("a non-framed message with a frame length").into());
        }
        ContentType::NonFramed => {}
    }
    let commit_key = if version == 2 {
        Some(cursor.array::<COMMIT_KEY_LEN>()?)
    } else {
        None
    };
    let body_len = cursor.position();
    let auth_iv = if version == 1 {
        cursor.array::<IV_LEN>()?
    } else {
        [0; IV_LEN]
    };
    let auth_tag = cursor.array::<TAG_LEN>()?;
    let total_len = cursor.position();
    limits.check_header_size(total_len)?;
    Ok(ParsedHeader {
        header: MessageHeader {
            version,
            suite,
            message_id,
            encryption_context,
            encrypted_data_keys,
            content_type,
            frame_length,
        },
        commit_key,
        body_len,
        auth_iv,
        auth_tag,
        total_len,
    })
}

fn unknown_version(version: u8) -> Error {
    let hint = if version == b'A' {
        " (the message may be base64-encoded: decode it first)"
    } else {
        ""
    };
    Error::Unsupported {
        reason: format!("unknown message format version {version:#04x}{hint}"),
    }
}

/// Parses the serialized encryption context of a header (its bytes after the length).
pub(crate) fn parse_context(bytes: &[u8]) -> Result<EncryptionContext> {
    if bytes.is_empty() {
        return Ok(EncryptionContext::new());
    }
    let overrun = |_| Error::malformed("the encryption context overruns its length");
    let mut cursor = Cursor::new(bytes);
    let count = cursor.u16().map_err(overrun)?;
    if count == 0 {
        return Err(Error::malformed(
            "an encryption context of zero pairs has a length",
        ));
    }
    let mut map = BTreeMap::new();
    for _ in 0..count {
        let key = utf8(cursor.u16_prefixed().map_err(overrun)?)?;
        let value = utf8(cursor.u16_prefixed().map_err(overrun)?)?;
        if map.insert(key, value).is_some() {
            return Err(Error::malformed("the encryption context repeats a key"));
        }
    }
    if cursor.position() != bytes.len() {
        return Err(Error::malformed(
            "the encryption context is shorter than its length",
        ));
    }
    Ok(EncryptionContext::from(map))
}

fn utf8(bytes: &[u8]) -> Result<String> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| Error::malformed("an encryption context entry is not UTF-8"))
}

/// A signed suite must carry its public key in the context, and an unsigned one must not.
fn check_reserved_keys(context: &EncryptionContext, suite: AlgorithmSuite) -> Result<()> {
    let has_key = context.get(PUBLIC_KEY_CONTEXT_KEY).is_some();
    if suite.is_signed() && !has_key {
        return Err(Error::malformed(format!(
            "a signed message without `{PUBLIC_KEY_CONTEXT_KEY}` in its encryption context"
        )));
    }
    if !suite.is_signed() && has_key {
        return Err(Error::malformed(format!(
            "an unsigned message with `{PUBLIC_KEY_CONTEXT_KEY}` in its encryption context"
        )));
    }
    Ok(())
}

/// What a format 2 header is written from.
#[derive(Debug)]
pub(crate) struct HeaderFields<'a> {
    pub(crate) suite: AlgorithmSuite,
    pub(crate) message_id: &'a [u8; 32],
    pub(crate) encryption_context: &'a EncryptionContext,
    pub(crate) encrypted_data_keys: &'a [EncryptedDataKey],
    pub(crate) frame_length: u32,
    pub(crate) commit_key: &'a [u8; COMMIT_KEY_LEN],
}

/// Writes the body of a format 2 header (without its tag).
pub(crate) fn write_header_body(fields: &HeaderFields<'_>) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256);
    out.push(2);
    out.extend_from_slice(&fields.suite.id().to_be_bytes());
    out.extend_from_slice(fields.message_id);
    let context = fields
        .encryption_context
        .canonical_bytes()
        .map_err(|err| Error::invalid(err.message().to_owned()))?;
    put_u16_prefixed(&mut out, &context, "the serialized encryption context")?;
    let count = u16::try_from(fields.encrypted_data_keys.len())
        .map_err(|_| Error::invalid("more than 65535 encrypted data keys"))?;
    if count == 0 {
        return Err(Error::invalid("the keyring produced no encrypted data key"));
    }
    out.extend_from_slice(&count.to_be_bytes());
    for edk in fields.encrypted_data_keys {
        put_u16_prefixed(&mut out, edk.provider_id().as_bytes(), "a key provider id")?;
        put_u16_prefixed(&mut out, edk.provider_info(), "a key provider info")?;
        put_u16_prefixed(&mut out, edk.ciphertext(), "an encrypted data key")?;
    }
    out.push(2);
    out.extend_from_slice(&fields.frame_length.to_be_bytes());
    out.extend_from_slice(fields.commit_key);
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let context = EncryptionContext::from([("a", "1")]);
        let edks = [EncryptedDataKey::new("p".into(), vec![1], vec![2, 3])];
        let mut bytes = write_header_body(&HeaderFields {
            suite: AlgorithmSuite::Aes256GcmHkdfSha512CommitKey,
            message_id: &[7; 32],
            encryption_context: &context,
            encrypted_data_keys: &edks,
            frame_length: 4096,
            commit_key: &[9; 32],
        })
        .unwrap_or_default();
        bytes.extend_from_slice(&[0xAA; TAG_LEN]);
        bytes
    }

    #[test]
    fn writes_and_parses_a_header() {
        let bytes = sample();
        let parsed = parse_header(&bytes, &DecryptLimits::default());
        let Ok(parsed) = parsed else {
            panic!("parse failed: {parsed:?}");
        };
        assert_eq!(parsed.total_len, bytes.len());
        assert_eq!(parsed.header.frame_length(), 4096);
        assert_eq!(parsed.header.encryption_context().get("a"), Some("1"));
        assert_eq!(parsed.commit_key, Some([9; 32]));
        assert_eq!(parsed.auth_tag, [0xAA; TAG_LEN]);
    }

    #[test]
    fn every_prefix_asks_for_more() {
        let bytes = sample();
        for len in 0..bytes.len() {
            match parse_header(&bytes[..len], &DecryptLimits::default()) {
                Err(Stop::Need(need)) => assert!(need > len && need <= bytes.len()),
                other => panic!("prefix {len}: {other:?}"),
            }
        }
    }

    #[test]
    fn limits_stop_the_parse() {
        let bytes = sample();
        let few_keys = DecryptLimits::default().with_max_encrypted_data_keys(0);
        assert!(matches!(
            parse_header(&bytes, &few_keys),
            Err(Stop::Fail(Error::LimitExceeded { .. }))
        ));
        let small = DecryptLimits::default().with_max_header_size(20);
        assert!(matches!(
            parse_header(&bytes, &small),
            Err(Stop::Fail(Error::LimitExceeded { .. }))
        ));
        let short_frames = DecryptLimits::default().with_max_frame_length(100);
        assert!(matches!(
            parse_header(&bytes, &short_frames),
            Err(Stop::Fail(Error::LimitExceeded { .. }))
        ));
    }

    #[test]
    fn base64_input_gets_a_hint() {
        let err = parse_header(b"AgR4", &DecryptLimits::default());
        assert!(
            matches!(err, Err(Stop::Fail(Error::Unsupported { reason })) if reason.contains("base64"))
        );
    }
}
