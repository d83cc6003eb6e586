//! The input constraints of the AWS KMS API, with AWS's error messages.

use std::collections::BTreeMap;

use kms_core::{Error, Result, Tag};

/// Plaintext length for `Encrypt` (`PlaintextType`).
pub(crate) const PLAINTEXT_LEN: (usize, usize) = (1, 4096);
/// Ciphertext blob length (`CiphertextType`), also of signatures, MACs and encapsulated
/// secrets.
pub(crate) const CIPHERTEXT_LEN: (usize, usize) = (1, 6144);
/// The message of `Sign`, `Verify`, `GenerateMac` and `VerifyMac` (`PlaintextType`).
pub(crate) const MESSAGE_LEN: (usize, usize) = (1, 4096);
/// A public key in a request (`PublicKeyType`).
pub(crate) const PUBLIC_KEY_LEN: (usize, usize) = (1, 8192);
/// `NumberOfBytes` of data keys and random bytes.
pub(crate) const NUMBER_OF_BYTES: (u32, u32) = (1, 1024);
/// `Description` length.
pub(crate) const DESCRIPTION_MAX_LEN: usize = 8192;
/// `PendingWindowInDays` of `ScheduleKeyDeletion`, and its default.
pub(crate) const PENDING_WINDOW_DAYS: (u32, u32, u32) = (7, 30, 30);
/// `RotationPeriodInDays` of `EnableKeyRotation`, and its default.
pub(crate) const ROTATION_PERIOD_DAYS: (u32, u32, u32) = (90, 2560, 365);
/// On-demand rotations allowed per key.
pub(crate) const ON_DEMAND_ROTATIONS: usize = 25;
/// Tags per key.
const MAX_TAGS: usize = 50;
/// Tag key and value lengths.
const TAG_KEY_LEN: (usize, usize) = (1, 128);
const TAG_VALUE_MAX_LEN: usize = 256;
/// Grant tokens per request, and the length of each.
const MAX_GRANT_TOKENS: usize = 10;
const GRANT_TOKEN_LEN: (usize, usize) = (1, 8192);
/// Key policy size quota in bytes.
const POLICY_MAX_BYTES: usize = 32 * 1024;

/// Checks that a number lies in `min..=max`.
pub(crate) fn check_range(path: &str, value: u32, (min, max): (u32, u32)) -> Result<u32> {
    if value < min {
        Err(Error::constraint(
            Some(&value),
            path,
            &format!("have value greater than or equal to {min}"),
        ))
    } else if value > max {
        Err(Error::constraint(
            Some(&value),
            path,
            &format!("have value less than or equal to {max}"),
        ))
    } else {
        Ok(value)
    }
}

/// Checks the length of a member; `value` is `None` for sensitive members, whose value AWS
/// leaves out of the message.
pub(crate) fn check_len(
    path: &str,
    value: Option<&str>,
    len: usize,
    (min, max): (usize, usize),
) -> Result<()> {
    let shown = value.as_ref().map(|v| v as &dyn std::fmt::Display);
    if len < min {
        Err(Error::constraint(
            shown,
            path,
            &format!("have length greater than or equal to {min}"),
        ))
    } else if len > max {
        Err(Error::constraint(
            shown,
            path,
            &format!("have length less than or equal to {max}"),
        ))
    } else {
        Ok(())
    }
}

/// The page size of a list operation: `limit` checked against `1..=max`, or the default.
pub(crate) fn page_limit(limit: Option<u32>, max: u32, default: u32) -> Result<usize> {
    let limit = check_range("limit", limit.unwrap_or(default), (1, max))?;
    usize::try_from(limit).map_err(|_| crate::random::internal("page size overflow"))
}

/// Checks a description.
pub(crate) fn check_description(description: &str) -> Result<()> {
    let len = description.chars().count();
    check_len(
        "description",
        Some(description),
        len,
        (0, DESCRIPTION_MAX_LEN),
    )
}

/// Checks the grant tokens of a request (they are accepted and otherwise ignored: a local
/// backend is strongly consistent).
pub(crate) fn check_grant_tokens(tokens: &[String]) -> Result<()> {
    if tokens.len() > MAX_GRANT_TOKENS {
        return Err(Error::constraint(
            None,
            "grantTokens",
            &format!("have length less than or equal to {MAX_GRANT_TOKENS}"),
        ));
    }
    for (index, token) in tokens.iter().enumerate() {
        let path = format!("grantTokens.{}.member", index + 1);
        check_len(&path, Some(token), token.chars().count(), GRANT_TOKEN_LEN)?;
    }
    Ok(())
}

/// Checks a key policy against the size quota.
pub(crate) fn check_policy(policy: &str) -> Result<()> {
    if policy.is_empty() {
        return Err(Error::constraint(
            None,
            "policy",
            "have length greater than or equal to 1",
        ));
    }
    if policy.len() > POLICY_MAX_BYTES {
        return Err(Error::LimitExceeded {
            // Our wording (unverified): no reference confirms AWS's message.
            message: format!(
                "The key policy is {} bytes; the quota is {POLICY_MAX_BYTES} bytes.",
                policy.len()
            ),
        });
    }
    Ok(())
}

/// Checks tags in a request and merges them into `existing`, as `TagResource` does: new keys
/// are added, existing keys get the new value. Nothing changes on error.
pub(crate) fn merge_tags(existing: &mut BTreeMap<String, String>, tags: &[Tag]) -> Result<()> {
    for (index, tag) in tags.iter().enumerate() {
        let path = format!("tags.{}.member", index + 1);
        check_len(
            &format!("{path}.tagKey"),
            Some(&tag.tag_key),
            tag.tag_key.chars().count(),
            TAG_KEY_LEN,
        )?;
        check_len(
            &format!("{path}.tagValue"),
            Some(&tag.tag_value),
            tag.tag_value.chars().count(),
            (0, TAG_VALUE_MAX_LEN),
        )?;
    }
    let mut seen = std::collections::BTreeSet::new();
    if !tags.iter().all(|tag| seen.insert(tag.tag_key.as_str())) {
        return Err(tag_error("Duplicate tag keys"));
    }
    if tags.iter().any(|tag| is_reserved_tag_key(&tag.tag_key)) {
        return Err(tag_error("Tags beginning with aws: are reserved"));
    }
    let added = seen
        .iter()
        .filter(|key| !existing.contains_key(**key))
        .count();
    if existing.len() + added > MAX_TAGS {
        return Err(tag_error("Too many tags"));
    }
    for tag in tags {
        existing.insert(tag.tag_key.clone(), tag.tag_value.clone());
    }
    Ok(())
}

/// Whether a tag key is in the reserved `aws:` namespace (case-insensitive).
pub(crate) fn is_reserved_tag_key(key: &str) -> bool {
    key.get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("aws:"))
}

/// A `TagException`.
pub(crate) fn tag_error(message: &str) -> Error {
    Error::Tag {
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_messages_follow_aws_grammar() {
        let err = check_range("numberOfBytes", 1025, NUMBER_OF_BYTES).err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some(
                "ValidationException: 1 validation error detected: Value '1025' at \
                 'numberOfBytes' failed to satisfy constraint: Member must have value less \
                 than or equal to 1024"
                    .to_owned()
            )
        );
    }

    #[test]
    fn sensitive_lengths_leave_the_value_out() {
        let err = check_len("plaintext", None, 4097, PLAINTEXT_LEN).err();
        assert_eq!(
            err.map(|e| e.message().to_owned()),
            Some(
                "1 validation error detected: Value at 'plaintext' failed to satisfy \
                 constraint: Member must have length less than or equal to 4096"
                    .to_owned()
            )
        );
    }

    #[test]
    fn tags_are_checked_before_anything_changes() {
        let mut tags = BTreeMap::new();
        let dup = [Tag::new("a", "1"), Tag::new("a", "2")];
        assert_eq!(
            merge_tags(&mut tags, &dup).err().map(|e| e.to_string()),
            Some("TagException: Duplicate tag keys".to_owned())
        );
        let reserved = [Tag::new("ok", "1"), Tag::new("AWS:x", "2")];
        assert!(merge_tags(&mut tags, &reserved).is_err());
        assert!(tags.is_empty());
        let fifty: Vec<Tag> = (0..50).map(|i| Tag::new(format!("k{i}"), "v")).collect();
        assert!(merge_tags(&mut tags, &fifty).is_ok());
        assert!(merge_tags(&mut tags, &[Tag::new("k0", "new")]).is_ok());
        assert_eq!(tags.get("k0").map(String::as_str), Some("new"));
        assert_eq!(
            merge_tags(&mut tags, &[Tag::new("k50", "v")])
                .err()
                .map(|e| e.to_string()),
            Some("TagException: Too many tags".to_owned())
        );
    }
}
