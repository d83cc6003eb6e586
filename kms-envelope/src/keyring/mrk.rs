//! Multi-Region keys in keyring configurations: which identifiers name one, when a stored key
//! ARN matches a configured one, and the rule that one configuration names at most one key
//! of a set of related multi-Region keys (the AWS Encryption SDK specification's
//! `aws-kms-key-arn`, `aws-kms-mrk-match-for-decrypt` and `aws-kms-mrk-are-unique`).

use std::collections::BTreeMap;

use kms_core::{Arn, KeyId, KeyIdForm};

use crate::error::{Error, Result};

/// The prefix of the key ID of every multi-Region key.
const MRK_PREFIX: &str = "mrk-";

/// Whether `key` names a multi-Region key: a key ARN or key ID whose key ID starts with
/// `mrk-`. Aliases never do, even one whose name starts with `mrk-`.
///
/// ```
/// use kms_core::KeyId;
/// use kms_envelope::is_multi_region_key;
///
/// let arn = "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
/// assert!(is_multi_region_key(&arn.parse()?));
/// assert!(is_multi_region_key(&"mrk-1234abcd12ab34cd56ef1234567890ab".parse()?));
/// assert!(!is_multi_region_key(&"alias/mrk-1234abcd12ab34cd56ef1234567890ab".parse()?));
/// assert!(!is_multi_region_key(&"1234abcd-12ab-34cd-56ef-1234567890ab".parse()?));
/// # Ok::<(), kms_core::Error>(())
/// ```
pub fn is_multi_region_key(key: &KeyId) -> bool {
    match key.form() {
        KeyIdForm::KeyArn => key.arn().is_some_and(is_multi_region_arn),
        KeyIdForm::KeyId => key.as_str().starts_with(MRK_PREFIX),
        _ => false,
    }
}

/// Whether `arn` is the ARN of a multi-Region key (resource type `key`, key ID `mrk-…`).
pub(crate) fn is_multi_region_arn(arn: &Arn) -> bool {
    arn.resource_type() == "key" && arn.resource_id().starts_with(MRK_PREFIX)
}

/// Whether a keyring configured with the key `configured` may decrypt an encrypted data key
/// wrapped under the key `stored` (`aws-kms-mrk-match-for-decrypt`): identical identifiers
/// match; two ARNs of multi-Region keys match when everything but their Region is equal (the
/// related keys of a set share their key ID); nothing else does.
///
/// ```
/// use kms_core::KeyId;
/// use kms_envelope::multi_region_key_matches;
///
/// let east: KeyId =
///     "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab".parse()?;
/// let west: KeyId =
///     "arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab".parse()?;
/// assert!(multi_region_key_matches(&west, &east));
///
/// let single: KeyId =
///     "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab".parse()?;
/// assert!(multi_region_key_matches(&single, &single));
/// assert!(!multi_region_key_matches(&west, &single));
/// # Ok::<(), kms_core::Error>(())
/// ```
pub fn multi_region_key_matches(configured: &KeyId, stored: &KeyId) -> bool {
    if configured.as_str() == stored.as_str() {
        return true;
    }
    if !is_multi_region_key(configured) || !is_multi_region_key(stored) {
        return false;
    }
    match (configured.arn(), stored.arn()) {
        (Some(configured), Some(stored)) => same_key_but_region(configured, stored),
        _ => false,
    }
}

/// Whether two ARNs agree on everything but the Region (the service is always `kms`).
fn same_key_but_region(a: &Arn, b: &Arn) -> bool {
    a.partition() == b.partition()
        && a.account() == b.account()
        && a.resource_type() == b.resource_type()
        && a.resource_id() == b.resource_id()
}

/// Checks that `keys` name at most one key of each set of related multi-Region keys
/// (`aws-kms-mrk-are-unique`): two of them would leave the keyring to guess which Region to
/// call, which the AWS Encryption SDKs refuse to do.
///
/// ```
/// use kms_core::KeyId;
/// use kms_envelope::check_multi_region_keys_are_unique;
///
/// let east: KeyId =
///     "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab".parse()?;
/// let west: KeyId =
///     "arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab".parse()?;
/// assert!(check_multi_region_keys_are_unique(&[east.clone()]).is_ok());
///
/// let err = check_multi_region_keys_are_unique(&[east, west]).unwrap_err();
/// assert!(err.to_string().contains("us-east-1"), "{err}");
/// assert!(err.to_string().contains("us-west-2"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidArgument`] naming every identifier whose key ID another multi-Region
/// identifier shares, not only the first pair.
pub fn check_multi_region_keys_are_unique(keys: &[KeyId]) -> Result<()> {
    let mut by_key_id: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for key in keys.iter().filter(|key| is_multi_region_key(key)) {
        if let Some(key_id) = key.key_id() {
            by_key_id.entry(key_id).or_default().push(key.as_str());
        }
    }
    let related: Vec<&str> = by_key_id
        .into_values()
        .filter(|identifiers| identifiers.len() > 1)
        .flatten()
        .collect();
    if related.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "related multi-Region keys {} are not allowed in one keyring configuration: name \
         one key of each set of related multi-Region keys, the one of the Region to call",
        related
            .iter()
            .map(|identifier| format!("`{identifier}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const MRK: &str = "mrk-1234abcd12ab34cd56ef1234567890ab";
    const OTHER_MRK: &str = "mrk-00000000000000000000000000000000";
    const SINGLE: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

    fn id(text: &str) -> KeyId {
        KeyId::parse(text).unwrap()
    }

    fn arn(partition: &str, region: &str, account: &str, key: &str) -> KeyId {
        id(Arn::for_key(partition, region, account, key).as_str())
    }

    /// aws-kms-key-arn, "Identifying an AWS KMS multi-Region ARN" and "… identifier": an
    /// alias ARN is never one; a key ARN is one exactly when its key ID starts with `mrk-`;
    /// an alias name is never one; a bare key ID is one when it starts with `mrk-`.
    #[test]
    fn aws_kms_key_arn_identifies_multi_region_keys() {
        assert!(is_multi_region_key(&arn(
            "aws",
            "us-east-1",
            "111122223333",
            MRK
        )));
        assert!(!is_multi_region_key(&arn(
            "aws",
            "us-east-1",
            "111122223333",
            SINGLE
        )));
        assert!(!is_multi_region_key(&id(&format!(
            "arn:aws:kms:us-east-1:111122223333:alias/{MRK}"
        ))));
        assert!(!is_multi_region_key(&id(&format!("alias/{MRK}"))));
        assert!(is_multi_region_key(&id(MRK)));
        assert!(!is_multi_region_key(&id(SINGLE)));
    }

    /// aws-kms-mrk-match-for-decrypt: "If both identifiers are identical, this function MUST
    /// return true".
    #[test]
    fn mrk_match_for_decrypt_identical_identifiers_match() {
        for key in [
            arn("aws", "us-east-1", "111122223333", SINGLE),
            arn("aws", "us-east-1", "111122223333", MRK),
            id(SINGLE),
            id(MRK),
        ] {
            assert!(multi_region_key_matches(&key, &key), "{key}");
        }
    }

    /// aws-kms-mrk-match-for-decrypt: "if either input is not identified as a multi-Region
    /// key, then this function MUST return false".
    #[test]
    fn mrk_match_for_decrypt_is_false_unless_both_are_multi_region_keys() {
        let east_single = arn("aws", "us-east-1", "111122223333", SINGLE);
        let west_single = arn("aws", "us-west-2", "111122223333", SINGLE);
        let west_mrk = arn("aws", "us-west-2", "111122223333", MRK);
        assert!(!multi_region_key_matches(&east_single, &west_single));
        assert!(!multi_region_key_matches(&west_mrk, &east_single));
        assert!(!multi_region_key_matches(&east_single, &west_mrk));
        let alias = id(&format!("arn:aws:kms:us-west-2:111122223333:alias/{MRK}"));
        assert!(!multi_region_key_matches(&alias, &west_mrk));
    }

    /// aws-kms-mrk-match-for-decrypt: both multi-Region keys: compare partition, service,
    /// account, resource type and resource, "The region part is intentionally omitted".
    #[test]
    fn mrk_match_for_decrypt_compares_everything_but_the_region() {
        let west = arn("aws", "us-west-2", "111122223333", MRK);
        assert!(multi_region_key_matches(
            &west,
            &arn("aws", "us-east-1", "111122223333", MRK)
        ));
        assert!(multi_region_key_matches(
            &west,
            &arn("aws", "eu-west-1", "111122223333", MRK)
        ));
        // Another partition, account or key ID is another key.
        assert!(!multi_region_key_matches(
            &west,
            &arn("aws-cn", "cn-north-1", "111122223333", MRK)
        ));
        assert!(!multi_region_key_matches(
            &west,
            &arn("aws", "us-east-1", "444455556666", MRK)
        ));
        assert!(!multi_region_key_matches(
            &west,
            &arn("aws", "us-east-1", "111122223333", OTHER_MRK)
        ));
        // A bare key ID has no parts to compare with an ARN of another Region.
        assert!(!multi_region_key_matches(&id(MRK), &west));
    }

    /// aws-kms-mrk-are-unique: "If the list does not contain any multi-Region keys this
    /// function MUST exit successfully", even with repeated single-Region keys.
    #[test]
    fn mrk_are_unique_without_multi_region_keys_succeeds() {
        let single = arn("aws", "us-east-1", "111122223333", SINGLE);
        let keys = [single.clone(), single, id(SINGLE), id("alias/a")];
        assert!(check_multi_region_keys_are_unique(&keys).is_ok());
        assert!(check_multi_region_keys_are_unique(&[]).is_ok());
    }

    /// aws-kms-mrk-are-unique: "If there are zero duplicate resource ids between the
    /// multi-region keys, this function MUST exit successfully".
    #[test]
    fn mrk_are_unique_with_distinct_multi_region_keys_succeeds() {
        let keys = [
            arn("aws", "us-east-1", "111122223333", MRK),
            arn("aws", "us-west-2", "111122223333", OTHER_MRK),
            arn("aws", "us-west-2", "111122223333", SINGLE),
            id(&format!("alias/{MRK}")),
        ];
        assert!(check_multi_region_keys_are_unique(&keys).is_ok());
    }

    /// aws-kms-mrk-are-unique: "If any duplicate multi-region resource ids exist, this
    /// function MUST yield an error that includes all identifiers with duplicate resource
    /// ids not only the first duplicate found".
    #[test]
    fn mrk_are_unique_names_every_related_identifier() {
        let east = arn("aws", "us-east-1", "111122223333", MRK);
        let west = arn("aws", "us-west-2", "111122223333", MRK);
        let bare = id(MRK);
        let other_east = arn("aws", "us-east-1", "111122223333", OTHER_MRK);
        let other_west = arn("aws", "us-west-2", "111122223333", OTHER_MRK);
        let lone = arn("aws", "eu-west-1", "111122223333", SINGLE);
        let keys = [
            east.clone(),
            lone.clone(),
            other_east.clone(),
            west.clone(),
            bare.clone(),
            other_west.clone(),
        ];
        let message = check_multi_region_keys_are_unique(&keys)
            .unwrap_err()
            .to_string();
        for related in [&east, &west, &bare, &other_east, &other_west] {
            assert!(message.contains(&format!("`{related}`")), "{message}");
        }
        assert!(!message.contains(lone.as_str()), "{message}");
        assert!(message.starts_with("invalid argument: related multi-Region keys"));
    }
}
