//! The argument forms of `aws kms`: blobs as `fileb://PATH` or base64, and maps and tags in
//! shorthand (`k1=v1,k2=v2`, `TagKey=k,TagValue=v`) or JSON.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::DecodeError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kms::{EncryptionContext, KeyId, Tag};

/// A wrong argument: the message names it.
pub(crate) type ArgError = String;

/// The bytes of a blob argument: the contents of `fileb://PATH`, or base64 text.
///
/// A blob may be a plaintext, so an error names where the base64 goes wrong, never the
/// value or any character of it.
pub(crate) fn blob(name: &str, value: &str) -> Result<Vec<u8>, ArgError> {
    if let Some(path) = value.strip_prefix("fileb://") {
        return std::fs::read(path).map_err(|err| format!("--{name}: cannot read '{path}': {err}"));
    }
    STANDARD.decode(value.trim()).map_err(|error| {
        let why = match error {
            DecodeError::InvalidByte(offset, _) => {
                format!("the character at offset {offset} is not base64")
            }
            DecodeError::InvalidLastSymbol(offset, _) => {
                format!("the last character, at offset {offset}, is not a valid end")
            }
            DecodeError::InvalidLength(_) => "its length is not that of base64 text".to_owned(),
            DecodeError::InvalidPadding => "its padding is wrong".to_owned(),
        };
        format!("--{name}: expected fileb://PATH or base64, but the value is not base64: {why}")
    })
}

/// A key identifier argument.
pub(crate) fn key_id(name: &str, value: &str) -> Result<KeyId, ArgError> {
    KeyId::parse(value).map_err(|err| format!("--{name}: {}", err.message()))
}

/// A timestamp argument, as the AWS CLI takes one: seconds since the epoch, or an ISO 8601
/// UTC date and time (`2026-12-31T23:59:59Z`, fractions of a second, `+00:00` or no zone,
/// or a date alone).
pub(crate) fn timestamp(name: &str, value: &str) -> Result<SystemTime, ArgError> {
    let invalid = || {
        format!(
            "--{name}: expected seconds since the epoch or an ISO 8601 UTC timestamp such as \
             2026-12-31T23:59:59Z, got '{value}'"
        )
    };
    let text = value.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(UNIX_EPOCH + Duration::from_secs(seconds));
    }
    let text = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix("+00:00"))
        .unwrap_or(text);
    let (date, time) = text.split_once(['T', ' ']).unwrap_or((text, "00:00:00"));
    let number = |part: &str, range: std::ops::RangeInclusive<u64>| {
        part.parse::<u64>()
            .ok()
            .filter(|n| range.contains(n) && part.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut date_parts = date.splitn(3, '-');
    let (Some(year), Some(month), Some(day)) = (
        date_parts.next().and_then(|y| number(y, 1970..=9999)),
        date_parts.next().and_then(|m| number(m, 1..=12)),
        date_parts.next().and_then(|d| number(d, 1..=31)),
    ) else {
        return Err(invalid());
    };
    let (whole, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut time_parts = whole.splitn(3, ':');
    let (Some(hour), Some(minute), Some(second)) = (
        time_parts.next().and_then(|h| number(h, 0..=23)),
        time_parts.next().and_then(|m| number(m, 0..=59)),
        time_parts.next().and_then(|s| number(s, 0..=59)),
    ) else {
        return Err(invalid());
    };
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 9 {
        return Err(invalid());
    }
    let nanos = format!("{fraction:0<9}")
        .parse::<u32>()
        .map_err(|_| invalid())?;
    let days = days_since_epoch(year, month, day).ok_or_else(invalid)?;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
    Ok(UNIX_EPOCH + Duration::new(seconds, nanos))
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar; `None` for a day
/// its month does not have.
fn days_since_epoch(year: u64, month: u64, day: u64) -> Option<u64> {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let lengths = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let month_index = usize::try_from(month - 1).ok()?;
    if day > lengths[month_index] {
        return None;
    }
    let leap_years = |y: u64| y / 4 - y / 100 + y / 400;
    let years = year - 1970;
    let days_in_years = years * 365 + leap_years(year - 1) - leap_years(1969);
    let days_in_months: u64 = lengths[..month_index].iter().sum();
    Some(days_in_years + days_in_months + day - 1)
}

/// An encryption context: `k1=v1,k2=v2` or a JSON object of strings.
pub(crate) fn context(name: &str, value: Option<&str>) -> Result<EncryptionContext, ArgError> {
    let Some(value) = value else {
        return Ok(EncryptionContext::new());
    };
    if value.trim_start().starts_with('{') {
        let map: BTreeMap<String, String> = serde_json::from_str(value)
            .map_err(|err| format!("--{name}: not a JSON object of strings: {err}"))?;
        return Ok(map.into());
    }
    let mut context = EncryptionContext::new();
    for pair in value.split(',').filter(|pair| !pair.is_empty()) {
        let Some((key, val)) = pair.split_once('=') else {
            return Err(format!("--{name}: expected KEY=VALUE, got '{pair}'"));
        };
        context.insert(key, val);
    }
    Ok(context)
}

/// Tags: each value `TagKey=k,TagValue=v`, or one JSON list of `{"TagKey","TagValue"}`.
pub(crate) fn tags(values: &[String]) -> Result<Vec<Tag>, ArgError> {
    if let [only] = values
        && only.trim_start().starts_with('[')
    {
        let list: Vec<BTreeMap<String, String>> = serde_json::from_str(only)
            .map_err(|err| format!("--tags: not a JSON list of tags: {err}"))?;
        return list.iter().map(|fields| tag_of(fields, only)).collect();
    }
    values
        .iter()
        .map(|value| {
            let fields = value
                .split(',')
                .map(|field| {
                    field
                        .split_once('=')
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                })
                .collect::<Option<BTreeMap<String, String>>>()
                .ok_or_else(|| {
                    format!("--tags: expected TagKey=KEY,TagValue=VALUE, got '{value}'")
                })?;
            tag_of(&fields, value)
        })
        .collect()
}

fn tag_of(fields: &BTreeMap<String, String>, text: &str) -> Result<Tag, ArgError> {
    match (fields.get("TagKey"), fields.get("TagValue"), fields.len()) {
        (Some(key), Some(value), 2) => Ok(Tag::new(key.clone(), value.clone())),
        (Some(key), None, 1) => Ok(Tag::new(key.clone(), String::new())),
        _ => Err(format!(
            "--tags: expected TagKey and TagValue, got '{text}'"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_epoch_seconds_or_iso_8601_utc() {
        let at =
            |text: &str| timestamp("valid-to", text).map(|t| t.duration_since(UNIX_EPOCH).ok());
        assert_eq!(
            at("1700000000"),
            Ok(Some(Duration::from_secs(1_700_000_000)))
        );
        assert_eq!(
            at("2023-11-14T22:13:20Z"),
            Ok(Some(Duration::from_secs(1_700_000_000)))
        );
        assert_eq!(
            at("2023-11-14T22:13:20+00:00"),
            Ok(Some(Duration::from_secs(1_700_000_000)))
        );
        assert_eq!(
            at("2023-11-14T22:13:20.5Z"),
            Ok(Some(Duration::new(1_700_000_000, 500_000_000)))
        );
        assert_eq!(at("2000-03-01"), Ok(Some(Duration::from_secs(951_868_800))));
        assert_eq!(
            at("2024-02-29T00:00:00Z"),
            Ok(Some(Duration::from_secs(1_709_164_800)))
        );
        for bad in [
            "2023-02-29T00:00:00Z",
            "2023-13-01",
            "tomorrow",
            "2023-11-14T25:00:00Z",
        ] {
            let err = timestamp("valid-to", bad).unwrap_err();
            assert!(err.starts_with("--valid-to: expected"), "{err}");
        }
    }

    #[test]
    fn blobs_come_from_files_or_base64() {
        assert_eq!(blob("plaintext", "aGk="), Ok(b"hi".to_vec()));
        let err = blob("plaintext", "not base64!").unwrap_err();
        assert_eq!(
            err,
            "--plaintext: expected fileb://PATH or base64, but the value is not base64: the \
             character at offset 3 is not base64"
        );
        for (value, why) in [
            ("aGk", "its padding is wrong"),
            ("aGkab", "its length is not that of base64 text"),
            (
                "aGl=",
                "the last character, at offset 2, is not a valid end",
            ),
            ("aG==k", "the character at offset 2 is not base64"),
        ] {
            let err = blob("plaintext", value).unwrap_err();
            assert!(err.ends_with(why), "{value}: {err}");
        }
        let err = blob("plaintext", "fileb:///no/such/file").unwrap_err();
        assert!(
            err.starts_with("--plaintext: cannot read '/no/such/file'"),
            "{err}"
        );
    }

    #[test]
    fn a_blob_file_is_named_as_the_platform_writes_paths() {
        // `C:\Users\...\blob.bin` on Windows, `/tmp/.../blob.bin` elsewhere.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("blob.bin");
        std::fs::write(&path, [0u8, 1, 0xff]).unwrap();
        let value = format!("fileb://{}", path.display());
        assert_eq!(blob("plaintext", &value), Ok(vec![0u8, 1, 0xff]));
    }

    #[test]
    fn contexts_in_shorthand_and_json() {
        let shorthand = context("encryption-context", Some("a=1,b=2")).unwrap();
        let json = context("encryption-context", Some(r#"{"b":"2","a":"1"}"#)).unwrap();
        assert_eq!(shorthand, json);
        assert!(context("encryption-context", Some("a")).is_err());
    }

    #[test]
    fn tags_in_shorthand_and_json() {
        let shorthand = tags(&["TagKey=k,TagValue=v".to_owned()]).unwrap();
        let json = tags(&[r#"[{"TagKey":"k","TagValue":"v"}]"#.to_owned()]).unwrap();
        assert_eq!(shorthand, json);
        assert_eq!(shorthand, [Tag::new("k", "v")]);
        assert!(tags(&["Key=k".to_owned()]).is_err());
    }
}
