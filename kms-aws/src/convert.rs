//! Conversions between the types of `kms-core` and those of `aws-sdk-kms`.
//!
//! Requests: our `u32` counts become the SDK's `i32` (a clear `ValidationException` when a
//! value does not fit), enums travel by their AWS spelling, an empty encryption context or
//! grant-token list is left out as AWS treats them alike. Answers: a field AWS always sends
//! but the SDK models as optional, a negative count, an unknown enum value or an
//! out-of-range date is an [`Error::Backend`] naming the operation and the field, never a
//! panic and never a silently dropped value. Plaintexts move from the SDK's `Blob` into
//! [`SecretBytes`] without a copy.

use std::collections::HashMap;
use std::fmt::Display;
use std::time::SystemTime;

use aws_sdk_kms::primitives::{Blob, DateTime};
use aws_sdk_kms::types as sdk;
use kms_core::{
    AliasListEntry, EncryptionContext, Error, KeyListEntry, KeyMetadata, MultiRegionConfiguration,
    MultiRegionKey, Result, RotationsListEntry, SecretBytes, Tag,
};

use crate::error::{BACKEND, Target};

/// A `u32` of a request as the SDK's `i32`; `path` is the member's lowerCamel name, as
/// AWS's validation messages spell it.
pub(crate) fn to_i32(value: u32, path: &str) -> Result<i32> {
    i32::try_from(value).map_err(|_| {
        Error::constraint(
            Some(&value),
            path,
            &format!("have value less than or equal to {}", i32::MAX),
        )
    })
}

/// [`to_i32`] for an optional member.
pub(crate) fn opt_i32(value: Option<u32>, path: &str) -> Result<Option<i32>> {
    value.map(|value| to_i32(value, path)).transpose()
}

/// The encryption context for the SDK; `None` when empty, which AWS treats alike.
pub(crate) fn context(context: EncryptionContext) -> Option<HashMap<String, String>> {
    if context.is_empty() {
        return None;
    }
    Some(context.into_iter().collect())
}

/// Grant tokens for the SDK; `None` when there are none.
pub(crate) fn grant_tokens(tokens: Vec<String>) -> Option<Vec<String>> {
    (!tokens.is_empty()).then_some(tokens)
}

/// A secret of a request as a `Blob`.
///
/// The SDK needs its own buffer, which it drops (without wiping) once the request is
/// serialized; nothing in the SDK's API lets a caller wipe it.
pub(crate) fn secret_blob(secret: &SecretBytes) -> Blob {
    Blob::new(secret.expose_secret().to_vec())
}

/// A secret of an answer: the `Blob`'s buffer moves into the secret, without a copy.
pub(crate) fn secret(blob: Blob) -> SecretBytes {
    SecretBytes::from(blob.into_inner())
}

/// Our value of an enum as the SDK's, by its AWS spelling.
pub(crate) fn sdk_enum<V: Display, T: for<'a> From<&'a str>>(value: V) -> T {
    T::from(value.to_string().as_str())
}

/// Our tags as the SDK's.
/// The related keys of a multi-Region key.
fn multi_region_configuration(c: sdk::MultiRegionConfiguration) -> MultiRegionConfiguration {
    let related = |key: sdk::MultiRegionKey| {
        let mut related = MultiRegionKey::new();
        related.arn = key.arn;
        related.region = key.region;
        related
    };
    let mut configuration = MultiRegionConfiguration::new();
    configuration.multi_region_key_type = enumeration(c.multi_region_key_type);
    configuration.primary_key = c.primary_key.map(related);
    configuration.replica_keys = c
        .replica_keys
        .unwrap_or_default()
        .into_iter()
        .map(related)
        .collect();
    configuration
}

pub(crate) fn sdk_tags(tags: Vec<Tag>) -> Result<Option<Vec<sdk::Tag>>> {
    if tags.is_empty() {
        return Ok(None);
    }
    tags.into_iter()
        .map(|tag| {
            sdk::Tag::builder()
                .tag_key(tag.tag_key)
                .tag_value(tag.tag_value)
                .build()
                .map_err(|error| Error::Validation {
                    message: format!("a tag could not be sent: {error}"),
                })
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// Reads the answer of one operation: each failure names the operation, where it was sent
/// and the field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer<'a> {
    /// The operation, such as `Encrypt`.
    pub(crate) operation: &'static str,
    /// Where it was sent.
    pub(crate) target: &'a Target,
}

/// An optional enum value of the SDK as ours. A value that this version does not know is kept
/// as it came ([`kms_core::KeySpec::Unknown`] and the like), so a value AWS adds never fails a
/// call.
pub(crate) fn enumeration<T, S>(value: Option<S>) -> Option<T>
where
    T: for<'a> From<&'a str>,
    S: AsRef<str>,
{
    value.map(|value| T::from(value.as_ref()))
}

/// An optional list of enum values of the SDK as ours, unknown values kept.
pub(crate) fn enumerations<T, S>(values: Option<Vec<S>>) -> Option<Vec<T>>
where
    T: for<'a> From<&'a str>,
    S: AsRef<str>,
{
    values.map(|values| values.iter().map(|value| T::from(value.as_ref())).collect())
}

impl Answer<'_> {
    /// An answer that is not what AWS sends.
    fn invalid(&self, detail: impl Display) -> Error {
        Error::Backend {
            backend: BACKEND,
            message: format!(
                "{} at {} gave an answer that is not AWS KMS's: {detail}",
                self.operation, self.target
            ),
            retryable: false,
            source: None,
        }
    }

    /// A field AWS always sends.
    pub(crate) fn required<T>(&self, value: Option<T>, field: &str) -> Result<T> {
        value.ok_or_else(|| self.invalid(format_args!("it has no {field}")))
    }

    /// A blob AWS always sends (a ciphertext, a signature, a public key), as bytes.
    pub(crate) fn bytes(&self, value: Option<Blob>, field: &str) -> Result<Vec<u8>> {
        self.required(value, field).map(Blob::into_inner)
    }

    /// A count, which AWS never sends negative.
    pub(crate) fn count(&self, value: i32, field: &str) -> Result<u32> {
        u32::try_from(value).map_err(|_| self.invalid(format_args!("{field} is {value}")))
    }

    /// An optional count.
    pub(crate) fn opt_count(&self, value: Option<i32>, field: &str) -> Result<Option<u32>> {
        value.map(|value| self.count(value, field)).transpose()
    }

    /// An optional date.
    pub(crate) fn time(&self, value: Option<DateTime>, field: &str) -> Result<Option<SystemTime>> {
        value
            .map(|date| {
                SystemTime::try_from(date)
                    .map_err(|_| self.invalid(format_args!("{field} {date} is out of range")))
            })
            .transpose()
    }

    /// Key metadata.
    pub(crate) fn key_metadata(&self, m: sdk::KeyMetadata) -> Result<KeyMetadata> {
        let mut metadata = KeyMetadata::new(m.key_id, m.enabled);
        metadata.aws_account_id = m.aws_account_id;
        metadata.arn = m.arn;
        metadata.creation_date = self.time(m.creation_date, "KeyMetadata.CreationDate")?;
        metadata.description = m.description;
        metadata.key_usage = enumeration(m.key_usage);
        metadata.key_state = enumeration(m.key_state);
        metadata.deletion_date = self.time(m.deletion_date, "KeyMetadata.DeletionDate")?;
        metadata.valid_to = self.time(m.valid_to, "KeyMetadata.ValidTo")?;
        metadata.origin = enumeration(m.origin);
        metadata.custom_key_store_id = m.custom_key_store_id;
        metadata.cloud_hsm_cluster_id = m.cloud_hsm_cluster_id;
        metadata.expiration_model = enumeration(m.expiration_model);
        metadata.key_manager = enumeration(m.key_manager);
        // Deprecated in favour of KeySpec, but AWS still returns it and so do we.
        #[allow(deprecated)]
        let customer_master_key_spec = m.customer_master_key_spec;
        metadata.customer_master_key_spec = enumeration(customer_master_key_spec);
        metadata.key_spec = enumeration(m.key_spec);
        metadata.encryption_algorithms = enumerations(m.encryption_algorithms);
        metadata.signing_algorithms = enumerations(m.signing_algorithms);
        metadata.key_agreement_algorithms = enumerations(m.key_agreement_algorithms);
        metadata.encapsulation_algorithms = enumerations(m.encapsulation_algorithms);
        metadata.mac_algorithms = enumerations(m.mac_algorithms);
        metadata.multi_region = m.multi_region;
        metadata.multi_region_configuration =
            m.multi_region_configuration.map(multi_region_configuration);
        metadata.pending_deletion_window_in_days = self.opt_count(
            m.pending_deletion_window_in_days,
            "KeyMetadata.PendingDeletionWindowInDays",
        )?;
        metadata.current_key_material_id = m.current_key_material_id;
        Ok(metadata)
    }

    /// The entries of a `ListKeys` page.
    pub(crate) fn key_list(
        &self,
        keys: Option<Vec<sdk::KeyListEntry>>,
    ) -> Result<Vec<KeyListEntry>> {
        keys.unwrap_or_default()
            .into_iter()
            .map(|entry| {
                Ok(KeyListEntry::new(
                    self.required(entry.key_id, "Keys[].KeyId")?,
                    self.required(entry.key_arn, "Keys[].KeyArn")?,
                ))
            })
            .collect()
    }

    /// The entries of a `ListAliases` page.
    pub(crate) fn alias_list(
        &self,
        aliases: Option<Vec<sdk::AliasListEntry>>,
    ) -> Result<Vec<AliasListEntry>> {
        aliases
            .unwrap_or_default()
            .into_iter()
            .map(|entry| {
                let mut alias = AliasListEntry::new(
                    self.required(entry.alias_name, "Aliases[].AliasName")?,
                    self.required(entry.alias_arn, "Aliases[].AliasArn")?,
                );
                alias.target_key_id = entry.target_key_id;
                alias.creation_date = self.time(entry.creation_date, "Aliases[].CreationDate")?;
                alias.last_updated_date =
                    self.time(entry.last_updated_date, "Aliases[].LastUpdatedDate")?;
                Ok(alias)
            })
            .collect()
    }

    /// The entries of a `ListKeyRotations` page.
    pub(crate) fn rotation_list(
        &self,
        rotations: Option<Vec<sdk::RotationsListEntry>>,
    ) -> Result<Vec<RotationsListEntry>> {
        rotations
            .unwrap_or_default()
            .into_iter()
            .map(|entry| {
                let mut rotation =
                    RotationsListEntry::new(self.required(entry.key_id, "Rotations[].KeyId")?);
                rotation.key_material_id = entry.key_material_id;
                rotation.key_material_state = enumeration(entry.key_material_state);
                rotation.rotation_date =
                    self.time(entry.rotation_date, "Rotations[].RotationDate")?;
                rotation.rotation_type = enumeration(entry.rotation_type);
                rotation.import_state = enumeration(entry.import_state);
                rotation.expiration_model = enumeration(entry.expiration_model);
                rotation.valid_to = self.time(entry.valid_to, "Rotations[].ValidTo")?;
                rotation.key_material_description = entry.key_material_description;
                Ok(rotation)
            })
            .collect()
    }

    /// The tags of a `ListResourceTags` page.
    pub(crate) fn tag_list(&self, tags: Option<Vec<sdk::Tag>>) -> Vec<Tag> {
        tags.unwrap_or_default()
            .into_iter()
            .map(|tag| Tag::new(tag.tag_key, tag.tag_value))
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, reason = "tests fail by panicking")]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use kms_core::{EncryptionAlgorithmSpec, KeySpec, KeyState};

    use super::*;

    fn target() -> Target {
        Target {
            region: "us-east-1".to_owned(),
            endpoint: Some("http://127.0.0.1:4566".to_owned()),
        }
    }

    #[test]
    fn counts_that_do_not_fit_an_i32_are_validation_errors() {
        assert_eq!(to_i32(1024, "numberOfBytes").unwrap(), 1024);
        assert_eq!(to_i32(i32::MAX as u32, "limit").unwrap(), i32::MAX);
        let err = to_i32(u32::MAX, "limit").unwrap_err();
        assert_eq!(err.code(), "ValidationException");
        assert_eq!(
            err.message(),
            "1 validation error detected: Value '4294967295' at 'limit' failed to satisfy \
             constraint: Member must have value less than or equal to 2147483647"
        );
        assert_eq!(opt_i32(None, "limit").unwrap(), None);
    }

    #[test]
    fn negative_counts_and_missing_fields_name_the_operation_and_field() {
        let target = target();
        let answer = Answer {
            operation: "ListKeys",
            target: &target,
        };
        assert_eq!(answer.count(7, "PendingWindowInDays").unwrap(), 7);
        let err = answer.count(-1, "PendingWindowInDays").unwrap_err();
        assert!(matches!(
            err,
            Error::Backend {
                retryable: false,
                ..
            }
        ));
        assert_eq!(
            err.message(),
            "ListKeys at endpoint http://127.0.0.1:4566 (region us-east-1) gave an answer that \
             is not AWS KMS's: PendingWindowInDays is -1"
        );
        let err = answer.required::<String>(None, "KeyId").unwrap_err();
        assert!(err.message().ends_with("it has no KeyId"), "{err}");
    }

    #[test]
    fn enums_travel_by_their_spelling() {
        let spec: sdk::KeySpec = sdk_enum(KeySpec::EccNistP256);
        assert_eq!(spec, sdk::KeySpec::EccNistP256);
        let state: Option<KeyState> = enumeration(Some(sdk::KeyState::PendingDeletion));
        assert_eq!(state, Some(KeyState::PendingDeletion));
        let algorithms: Option<Vec<EncryptionAlgorithmSpec>> =
            enumerations(Some(vec![sdk::EncryptionAlgorithmSpec::SymmetricDefault]));
        assert_eq!(
            algorithms,
            Some(vec![EncryptionAlgorithmSpec::SymmetricDefault])
        );
    }

    /// A value AWS adds after this release passes through both ways unchanged.
    #[test]
    fn values_this_version_does_not_know_round_trip() {
        let spec: Option<KeySpec> = enumeration(Some(sdk::KeySpec::from("QUANTUM_9000")));
        let spec = spec.unwrap();
        assert!(!spec.is_known());
        assert_eq!(spec.as_str(), "QUANTUM_9000");
        let back: sdk::KeySpec = sdk_enum(spec);
        assert_eq!(back.as_str(), "QUANTUM_9000");
        let states: Option<Vec<KeyState>> = enumerations(Some(vec![
            sdk::KeyState::Enabled,
            sdk::KeyState::from("Hibernating"),
        ]));
        assert_eq!(
            states
                .unwrap()
                .iter()
                .map(KeyState::as_str)
                .collect::<Vec<_>>(),
            ["Enabled", "Hibernating"]
        );
    }

    /// Every value the SDK knows converts: a newer SDK with values kms-core lacks fails here.
    #[test]
    fn every_value_the_sdk_knows_is_known_here() {
        fn check<T: kms_core::AwsEnum>(name: &str, values: &[&str]) {
            for value in values {
                assert!(T::try_parse(value).is_ok(), "{name} {value}");
            }
        }
        use kms_core::*;
        check::<KeySpec>("KeySpec", sdk::KeySpec::values());
        check::<KeyUsage>("KeyUsage", sdk::KeyUsageType::values());
        check::<KeyState>("KeyState", sdk::KeyState::values());
        check::<EncryptionAlgorithmSpec>(
            "EncryptionAlgorithmSpec",
            sdk::EncryptionAlgorithmSpec::values(),
        );
        check::<SigningAlgorithmSpec>("SigningAlgorithmSpec", sdk::SigningAlgorithmSpec::values());
        check::<MacAlgorithmSpec>("MacAlgorithmSpec", sdk::MacAlgorithmSpec::values());
        check::<EncapsulationAlgorithmSpec>(
            "EncapsulationAlgorithmSpec",
            sdk::EncapsulationAlgorithmSpec::values(),
        );
        check::<MessageType>("MessageType", sdk::MessageType::values());
        check::<KeyAgreementAlgorithmSpec>(
            "KeyAgreementAlgorithmSpec",
            sdk::KeyAgreementAlgorithmSpec::values(),
        );
        check::<OriginType>("OriginType", sdk::OriginType::values());
        check::<KeyManagerType>("KeyManagerType", sdk::KeyManagerType::values());
        check::<ExpirationModelType>("ExpirationModelType", sdk::ExpirationModelType::values());
        check::<DataKeySpec>("DataKeySpec", sdk::DataKeySpec::values());
        check::<DataKeyPairSpec>("DataKeyPairSpec", sdk::DataKeyPairSpec::values());
        check::<RotationType>("RotationType", sdk::RotationType::values());
        check::<KeyMaterialState>("KeyMaterialState", sdk::KeyMaterialState::values());
        check::<ImportState>("ImportState", sdk::ImportState::values());
        check::<IncludeKeyMaterial>("IncludeKeyMaterial", sdk::IncludeKeyMaterial::values());
        check::<AlgorithmSpec>("AlgorithmSpec", sdk::AlgorithmSpec::values());
        check::<WrappingKeySpec>("WrappingKeySpec", sdk::WrappingKeySpec::values());
        check::<ImportType>("ImportType", sdk::ImportType::values());
    }

    #[test]
    fn dates_become_system_times() {
        let target = target();
        let answer = Answer {
            operation: "DescribeKey",
            target: &target,
        };
        let date = DateTime::from_secs(1_700_000_000);
        assert_eq!(
            answer.time(Some(date), "CreationDate").unwrap(),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        assert_eq!(answer.time(None, "CreationDate").unwrap(), None);
    }

    #[test]
    fn empty_contexts_and_token_lists_are_left_out() {
        assert_eq!(context(EncryptionContext::new()), None);
        let sent = context(EncryptionContext::new().with("a", "1")).unwrap();
        assert_eq!(sent.get("a").map(String::as_str), Some("1"));
        assert_eq!(grant_tokens(Vec::new()), None);
        assert_eq!(
            grant_tokens(vec!["t".to_owned()]),
            Some(vec!["t".to_owned()])
        );
    }

    #[test]
    fn secrets_move_in_and_out_of_blobs() {
        let secret = secret(Blob::new(b"data key".to_vec()));
        assert_eq!(secret.expose_secret(), b"data key");
        assert_eq!(secret_blob(&secret).as_ref(), b"data key");
    }

    #[test]
    fn tags_are_converted_both_ways() {
        let tags = sdk_tags(vec![Tag::new("k", "v")]).unwrap().unwrap();
        assert_eq!((tags[0].tag_key(), tags[0].tag_value()), ("k", "v"));
        assert_eq!(sdk_tags(Vec::new()).unwrap(), None);
        let target = target();
        let answer = Answer {
            operation: "ListResourceTags",
            target: &target,
        };
        assert_eq!(answer.tag_list(Some(tags)), vec![Tag::new("k", "v")]);
    }
}
