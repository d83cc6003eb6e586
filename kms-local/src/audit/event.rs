//! The audit event of a call, and what each request and response contributes to it.

use std::time::{SystemTime, UNIX_EPOCH};

use kms_core::ops::*;
use kms_core::{EncryptionContext, KeyId, MessageType, SigningAlgorithmSpec};
use serde::Serialize;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

/// One call, in CloudTrail's shape: what was called, on which key, with which (non-secret)
/// parameters, and the error if it failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AuditEvent {
    /// The CloudTrail record version this follows.
    pub event_version: &'static str,
    /// When the call was made (RFC 3339, UTC).
    pub event_time: String,
    /// `kms.amazonaws.com`.
    pub event_source: &'static str,
    /// The operation, such as `Encrypt`.
    pub event_name: &'static str,
    /// The region of the backend.
    pub aws_region: String,
    /// A unique ID of the request.
    #[serde(rename = "requestID")]
    pub request_id: String,
    /// A unique ID of the event.
    #[serde(rename = "eventID")]
    pub event_id: String,
    /// Whether the operation only reads.
    pub read_only: bool,
    /// The key the call used, when there is one.
    pub resources: Vec<AuditResource>,
    /// `AwsApiCall`.
    pub event_type: &'static str,
    /// The account of the backend.
    pub recipient_account_id: String,
    /// The request's parameters, without plaintexts or ciphertexts.
    pub request_parameters: Map<String, Value>,
    /// The exception name, when the call failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The exception's message, when the call failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// What CloudTrail adds for some operations; here `{"injectedFault": true}` marks the
    /// event of a call that a fault-injecting layer failed before it reached the backend
    /// (see [`LocalKms::audit_injected_fault`](crate::LocalKms::audit_injected_fault)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_event_data: Option<Map<String, Value>>,
}

/// A key named by an audit event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AuditResource {
    /// The key ARN.
    #[serde(rename = "ARN")]
    pub arn: String,
    /// The account of the key.
    #[serde(rename = "accountId")]
    pub account_id: String,
    /// `AWS::KMS::Key`.
    #[serde(rename = "type")]
    pub resource_type: &'static str,
}

/// How CloudTrail writes an event's time: UTC, to the second.
const CLOUDTRAIL_TIME: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// `2024-05-01T12:34:56Z`, as CloudTrail writes times. A clock set before 1970 or after 9999
/// gives its offset from the Unix epoch in seconds instead.
fn cloudtrail_time(time: SystemTime) -> String {
    let after_epoch = time
        .duration_since(UNIX_EPOCH)
        .map_err(|before| before.duration());
    after_epoch
        .ok()
        .and_then(|offset| time::Duration::try_from(offset).ok())
        .and_then(|offset| OffsetDateTime::UNIX_EPOCH.checked_add(offset))
        .and_then(|utc| utc.format(CLOUDTRAIL_TIME).ok())
        .unwrap_or_else(|| match after_epoch {
            Ok(after) => after.as_secs().to_string(),
            Err(before) => format!("-{}", before.as_secs()),
        })
}

impl AuditEvent {
    /// The event of a call described by `draft`, made at `time`, that used the key `arn`
    /// and ended with `error`.
    pub(crate) fn new(
        draft: Draft,
        time: SystemTime,
        (region, account): (&str, &str),
        arn: Option<String>,
        error: Option<&kms_core::Error>,
        (request_id, event_id): (String, String),
    ) -> Self {
        Self {
            event_version: "1.08",
            event_time: cloudtrail_time(time),
            event_source: "kms.amazonaws.com",
            event_name: draft.name,
            aws_region: region.to_owned(),
            request_id,
            event_id,
            read_only: is_read_only(draft.name),
            resources: arn
                .map(|arn| AuditResource {
                    arn,
                    account_id: account.to_owned(),
                    resource_type: "AWS::KMS::Key",
                })
                .into_iter()
                .collect(),
            event_type: "AwsApiCall",
            recipient_account_id: account.to_owned(),
            request_parameters: draft.parameters,
            error_code: error.map(|err| err.code().to_owned()),
            error_message: error.map(|err| err.message().to_owned()),
            additional_event_data: None,
        }
    }

    /// The event of a call to `operation` that a fault-injecting layer answered with
    /// `error` before it reached the backend: no parameters (the layer does not pass them
    /// on), marked `{"injectedFault": true}`.
    pub(crate) fn injected_fault(
        operation: &'static str,
        time: SystemTime,
        identity: (&str, &str),
        error: &kms_core::Error,
        ids: (String, String),
    ) -> Self {
        let mut marker = Map::new();
        marker.insert("injectedFault".to_owned(), Value::Bool(true));
        Self {
            additional_event_data: Some(marker),
            ..Self::new(
                Draft::new(operation, None),
                time,
                identity,
                None,
                Some(error),
                ids,
            )
        }
    }
}

/// The operations that change a key or an alias: CloudTrail's `readOnly: false`. Every
/// other operation only reads (`Encrypt` and `Decrypt` included).
const CHANGING_OPERATIONS: &[&str] = &[
    "CreateKey",
    "UpdateKeyDescription",
    "EnableKey",
    "DisableKey",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "EnableKeyRotation",
    "DisableKeyRotation",
    "RotateKeyOnDemand",
    "CreateAlias",
    "UpdateAlias",
    "DeleteAlias",
    "TagResource",
    "UntagResource",
    "ReplicateKey",
    "UpdatePrimaryRegion",
    "ImportKeyMaterial",
    "DeleteImportedKeyMaterial",
];

/// CloudTrail's `readOnly` of `operation`.
fn is_read_only(operation: &str) -> bool {
    !CHANGING_OPERATIONS.contains(&operation)
}

/// What a request says about itself before it runs.
#[derive(Debug)]
pub(crate) struct Draft {
    pub(crate) name: &'static str,
    /// The key the request names, to find its ARN when the response does not give it.
    pub(crate) key_id: Option<KeyId>,
    pub(crate) parameters: Map<String, Value>,
}

impl Draft {
    fn new(name: &'static str, key_id: Option<&KeyId>) -> Self {
        let mut parameters = Map::new();
        if let Some(key_id) = key_id {
            parameters.insert("keyId".to_owned(), json!(key_id.as_str()));
        }
        Self {
            name,
            key_id: key_id.cloned(),
            parameters,
        }
    }

    fn with(mut self, name: &str, value: Option<Value>) -> Self {
        if let Some(value) = value {
            self.parameters.insert(name.to_owned(), value);
        }
        self
    }

    fn with_context(self, name: &str, context: &EncryptionContext) -> Self {
        let value = (!context.is_empty()).then(|| json!(context.as_map()));
        self.with(name, value)
    }
}

/// A request, as the audit log describes it.
pub(crate) trait Audited {
    /// Its name, key and parameters.
    fn draft(&self) -> Draft;
}

/// A response that names the key the call used.
pub(crate) trait AuditedResponse {
    /// The key ARN, when the response gives it.
    fn key_arn(&self) -> Option<&str> {
        None
    }
}

/// Requests whose only parameter is the key.
macro_rules! key_only {
    ($( $request:ident => $name:literal; )+) => {
        $(
            impl Audited for $request {
                fn draft(&self) -> Draft {
                    Draft::new($name, Some(&self.key_id))
                }
            }
        )+
    };
}

key_only! {
    DescribeKeyRequest => "DescribeKey";
    EnableKeyRequest => "EnableKey";
    DisableKeyRequest => "DisableKey";
    CancelKeyDeletionRequest => "CancelKeyDeletion";
    DisableKeyRotationRequest => "DisableKeyRotation";
    GetKeyRotationStatusRequest => "GetKeyRotationStatus";
    RotateKeyOnDemandRequest => "RotateKeyOnDemand";
    ListKeyRotationsRequest => "ListKeyRotations";
    ListResourceTagsRequest => "ListResourceTags";
}

/// Responses that carry no key ARN.
macro_rules! no_key_arn {
    ($( $response:ident ),+ $(,)?) => {
        $( impl AuditedResponse for $response {} )+
    };
}

no_key_arn!(
    ListKeysResponse,
    UpdateKeyDescriptionResponse,
    EnableKeyResponse,
    DisableKeyResponse,
    EnableKeyRotationResponse,
    DisableKeyRotationResponse,
    ListKeyRotationsResponse,
    CreateAliasResponse,
    UpdateAliasResponse,
    DeleteAliasResponse,
    ListAliasesResponse,
    TagResourceResponse,
    UntagResourceResponse,
    ListResourceTagsResponse,
    GenerateRandomResponse,
    UpdatePrimaryRegionResponse,
);

/// Responses whose `key_id` is the key ARN.
macro_rules! key_arn_in_key_id {
    ($( $response:ident ),+ $(,)?) => {
        $(
            impl AuditedResponse for $response {
                fn key_arn(&self) -> Option<&str> {
                    Some(&self.key_id)
                }
            }
        )+
    };
}

key_arn_in_key_id!(
    ScheduleKeyDeletionResponse,
    CancelKeyDeletionResponse,
    RotateKeyOnDemandResponse,
    EncryptResponse,
    DecryptResponse,
    ReEncryptResponse,
    GenerateDataKeyResponse,
    GenerateDataKeyWithoutPlaintextResponse,
    GenerateDataKeyPairResponse,
    GenerateDataKeyPairWithoutPlaintextResponse,
    GetPublicKeyResponse,
    SignResponse,
    VerifyResponse,
    GenerateMacResponse,
    VerifyMacResponse,
    DeriveSharedSecretResponse,
    EncapsulateResponse,
    DecapsulateResponse,
);

impl AuditedResponse for CreateKeyResponse {
    fn key_arn(&self) -> Option<&str> {
        self.key_metadata.arn.as_deref()
    }
}

impl AuditedResponse for ReplicateKeyResponse {
    /// The replica's ARN: the key the call created.
    fn key_arn(&self) -> Option<&str> {
        self.replica_key_metadata.as_ref()?.arn.as_deref()
    }
}

impl AuditedResponse for DescribeKeyResponse {
    fn key_arn(&self) -> Option<&str> {
        self.key_metadata.arn.as_deref()
    }
}

impl AuditedResponse for GetParametersForImportResponse {
    fn key_arn(&self) -> Option<&str> {
        self.key_id.as_deref()
    }
}

impl AuditedResponse for ImportKeyMaterialResponse {
    fn key_arn(&self) -> Option<&str> {
        self.key_id.as_deref()
    }
}

impl AuditedResponse for DeleteImportedKeyMaterialResponse {
    fn key_arn(&self) -> Option<&str> {
        self.key_id.as_deref()
    }
}

impl Audited for GetParametersForImportRequest {
    fn draft(&self) -> Draft {
        Draft::new("GetParametersForImport", Some(&self.key_id))
            .with(
                "wrappingAlgorithm",
                Some(json!(self.wrapping_algorithm.as_str())),
            )
            .with(
                "wrappingKeySpec",
                Some(json!(self.wrapping_key_spec.as_str())),
            )
    }
}

/// The import token and the wrapped material are never recorded, as CloudTrail records
/// neither.
impl Audited for ImportKeyMaterialRequest {
    fn draft(&self) -> Draft {
        Draft::new("ImportKeyMaterial", Some(&self.key_id))
            .with(
                "expirationModel",
                self.expiration_model.as_ref().map(|m| json!(m.as_str())),
            )
            .with("validTo", self.valid_to.map(|t| json!(cloudtrail_time(t))))
            .with(
                "importType",
                self.import_type.as_ref().map(|t| json!(t.as_str())),
            )
            .with(
                "keyMaterialId",
                self.key_material_id.as_ref().map(|i| json!(i)),
            )
    }
}

impl Audited for DeleteImportedKeyMaterialRequest {
    fn draft(&self) -> Draft {
        Draft::new("DeleteImportedKeyMaterial", Some(&self.key_id)).with(
            "keyMaterialId",
            self.key_material_id.as_ref().map(|i| json!(i)),
        )
    }
}

impl AuditedResponse for GetKeyRotationStatusResponse {
    fn key_arn(&self) -> Option<&str> {
        self.key_id.as_deref()
    }
}

impl Audited for CreateKeyRequest {
    fn draft(&self) -> Draft {
        Draft::new("CreateKey", None)
            .with("description", self.description.as_ref().map(|d| json!(d)))
            .with(
                "keyUsage",
                self.key_usage.as_ref().map(|u| json!(u.as_str())),
            )
            .with("keySpec", self.key_spec.as_ref().map(|s| json!(s.as_str())))
            .with("origin", self.origin.as_ref().map(|o| json!(o.as_str())))
            .with("multiRegion", self.multi_region.map(|m| json!(m)))
    }
}

impl Audited for ListKeysRequest {
    fn draft(&self) -> Draft {
        Draft::new("ListKeys", None).with("limit", self.limit.map(|l| json!(l)))
    }
}

impl Audited for UpdateKeyDescriptionRequest {
    fn draft(&self) -> Draft {
        Draft::new("UpdateKeyDescription", Some(&self.key_id))
            .with("description", Some(json!(self.description)))
    }
}

impl Audited for ScheduleKeyDeletionRequest {
    fn draft(&self) -> Draft {
        Draft::new("ScheduleKeyDeletion", Some(&self.key_id)).with(
            "pendingWindowInDays",
            self.pending_window_in_days.map(|d| json!(d)),
        )
    }
}

impl Audited for EnableKeyRotationRequest {
    fn draft(&self) -> Draft {
        Draft::new("EnableKeyRotation", Some(&self.key_id)).with(
            "rotationPeriodInDays",
            self.rotation_period_in_days.map(|d| json!(d)),
        )
    }
}

impl Audited for CreateAliasRequest {
    fn draft(&self) -> Draft {
        alias_draft("CreateAlias", &self.alias_name, &self.target_key_id)
    }
}

impl Audited for UpdateAliasRequest {
    fn draft(&self) -> Draft {
        alias_draft("UpdateAlias", &self.alias_name, &self.target_key_id)
    }
}

/// The draft of an operation that points an alias at a key.
fn alias_draft(name: &'static str, alias_name: &str, target: &KeyId) -> Draft {
    let draft = Draft::new(name, None)
        .with("aliasName", Some(json!(alias_name)))
        .with("targetKeyId", Some(json!(target.as_str())));
    Draft {
        key_id: Some(target.clone()),
        ..draft
    }
}

impl Audited for DeleteAliasRequest {
    fn draft(&self) -> Draft {
        Draft::new("DeleteAlias", None).with("aliasName", Some(json!(self.alias_name)))
    }
}

impl Audited for ListAliasesRequest {
    fn draft(&self) -> Draft {
        Draft::new("ListAliases", self.key_id.as_ref())
    }
}

impl Audited for TagResourceRequest {
    fn draft(&self) -> Draft {
        let tags: Vec<Value> = self
            .tags
            .iter()
            .map(|tag| json!({ "tagKey": tag.tag_key, "tagValue": tag.tag_value }))
            .collect();
        Draft::new("TagResource", Some(&self.key_id)).with("tags", Some(json!(tags)))
    }
}

impl Audited for UntagResourceRequest {
    fn draft(&self) -> Draft {
        Draft::new("UntagResource", Some(&self.key_id)).with("tagKeys", Some(json!(self.tag_keys)))
    }
}

impl Audited for EncryptRequest {
    fn draft(&self) -> Draft {
        Draft::new("Encrypt", Some(&self.key_id))
            .with_context("encryptionContext", &self.encryption_context)
            .with(
                "encryptionAlgorithm",
                self.encryption_algorithm
                    .as_ref()
                    .map(|a| json!(a.as_str())),
            )
    }
}

impl Audited for DecryptRequest {
    fn draft(&self) -> Draft {
        Draft::new("Decrypt", self.key_id.as_ref())
            .with_context("encryptionContext", &self.encryption_context)
            .with(
                "encryptionAlgorithm",
                self.encryption_algorithm
                    .as_ref()
                    .map(|a| json!(a.as_str())),
            )
    }
}

impl Audited for ReEncryptRequest {
    fn draft(&self) -> Draft {
        let draft = Draft::new("ReEncrypt", None)
            .with(
                "destinationKeyId",
                Some(json!(self.destination_key_id.as_str())),
            )
            .with(
                "sourceKeyId",
                self.source_key_id.as_ref().map(|k| json!(k.as_str())),
            )
            .with_context("sourceEncryptionContext", &self.source_encryption_context)
            .with_context(
                "destinationEncryptionContext",
                &self.destination_encryption_context,
            );
        Draft {
            key_id: Some(self.destination_key_id.clone()),
            ..draft
        }
    }
}

impl Audited for GenerateDataKeyRequest {
    fn draft(&self) -> Draft {
        Draft::new("GenerateDataKey", Some(&self.key_id))
            .with_context("encryptionContext", &self.encryption_context)
            .with("keySpec", self.key_spec.as_ref().map(|s| json!(s.as_str())))
            .with("numberOfBytes", self.number_of_bytes.map(|n| json!(n)))
    }
}

impl Audited for GenerateDataKeyWithoutPlaintextRequest {
    fn draft(&self) -> Draft {
        Draft::new("GenerateDataKeyWithoutPlaintext", Some(&self.key_id))
            .with_context("encryptionContext", &self.encryption_context)
            .with("keySpec", self.key_spec.as_ref().map(|s| json!(s.as_str())))
            .with("numberOfBytes", self.number_of_bytes.map(|n| json!(n)))
    }
}

impl Audited for GenerateDataKeyPairRequest {
    fn draft(&self) -> Draft {
        Draft::new("GenerateDataKeyPair", Some(&self.key_id))
            .with_context("encryptionContext", &self.encryption_context)
            .with("keyPairSpec", Some(json!(self.key_pair_spec.as_str())))
    }
}

impl Audited for GenerateDataKeyPairWithoutPlaintextRequest {
    fn draft(&self) -> Draft {
        Draft::new("GenerateDataKeyPairWithoutPlaintext", Some(&self.key_id))
            .with_context("encryptionContext", &self.encryption_context)
            .with("keyPairSpec", Some(json!(self.key_pair_spec.as_str())))
    }
}

impl Audited for GetPublicKeyRequest {
    fn draft(&self) -> Draft {
        Draft::new("GetPublicKey", Some(&self.key_id))
    }
}

/// The draft of `Sign` or `Verify`: the algorithm and the message type, never the message or
/// the signature.
fn signing_draft(
    name: &'static str,
    key_id: &KeyId,
    algorithm: &SigningAlgorithmSpec,
    message_type: Option<&MessageType>,
) -> Draft {
    Draft::new(name, Some(key_id))
        .with("signingAlgorithm", Some(json!(algorithm.as_str())))
        .with("messageType", message_type.map(|t| json!(t.as_str())))
}

impl Audited for SignRequest {
    fn draft(&self) -> Draft {
        signing_draft(
            "Sign",
            &self.key_id,
            &self.signing_algorithm,
            self.message_type.as_ref(),
        )
    }
}

impl Audited for VerifyRequest {
    fn draft(&self) -> Draft {
        signing_draft(
            "Verify",
            &self.key_id,
            &self.signing_algorithm,
            self.message_type.as_ref(),
        )
    }
}

impl Audited for GenerateMacRequest {
    fn draft(&self) -> Draft {
        Draft::new("GenerateMac", Some(&self.key_id))
            .with("macAlgorithm", Some(json!(self.mac_algorithm.as_str())))
    }
}

impl Audited for VerifyMacRequest {
    fn draft(&self) -> Draft {
        Draft::new("VerifyMac", Some(&self.key_id))
            .with("macAlgorithm", Some(json!(self.mac_algorithm.as_str())))
    }
}

impl Audited for DeriveSharedSecretRequest {
    fn draft(&self) -> Draft {
        Draft::new("DeriveSharedSecret", Some(&self.key_id)).with(
            "keyAgreementAlgorithm",
            Some(json!(self.key_agreement_algorithm.as_str())),
        )
    }
}

impl Audited for EncapsulateRequest {
    fn draft(&self) -> Draft {
        Draft::new("Encapsulate", Some(&self.key_id)).with(
            "encapsulationAlgorithm",
            Some(json!(self.encapsulation_algorithm.as_str())),
        )
    }
}

impl Audited for DecapsulateRequest {
    fn draft(&self) -> Draft {
        Draft::new("Decapsulate", Some(&self.key_id)).with(
            "encapsulationAlgorithm",
            Some(json!(self.encapsulation_algorithm.as_str())),
        )
    }
}

impl Audited for ReplicateKeyRequest {
    /// The key, the replica's Region and description; the policy is left out, as for
    /// `CreateKey`.
    fn draft(&self) -> Draft {
        Draft::new("ReplicateKey", Some(&self.key_id))
            .with("replicaRegion", Some(json!(self.replica_region)))
            .with("description", self.description.as_ref().map(|d| json!(d)))
    }
}

impl Audited for UpdatePrimaryRegionRequest {
    fn draft(&self) -> Draft {
        Draft::new("UpdatePrimaryRegion", Some(&self.key_id))
            .with("primaryRegion", Some(json!(self.primary_region)))
    }
}

impl Audited for GenerateRandomRequest {
    fn draft(&self) -> Draft {
        Draft::new("GenerateRandom", None)
            .with("numberOfBytes", self.number_of_bytes.map(|n| json!(n)))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn times_are_written_as_cloudtrail_writes_them() {
        let leap_day = UNIX_EPOCH + Duration::new(951_786_123, 5_000);
        assert_eq!(cloudtrail_time(leap_day), "2000-02-29T01:02:03Z");
    }

    #[test]
    fn a_clock_out_of_range_gives_seconds() {
        let far = UNIX_EPOCH + Duration::from_secs(400_000_000_000);
        assert_eq!(cloudtrail_time(far), "400000000000");
        assert_eq!(cloudtrail_time(UNIX_EPOCH - Duration::from_secs(5)), "-5");
    }
}
