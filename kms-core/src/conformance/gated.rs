//! Operations that a key's state (or its absence) gates, tried one by one on a key.

use super::support::{Expected, Key, Session, expect_err, ok, random_key_id};
use crate::{
    CancelKeyDeletionRequest, CreateAliasRequest, DataKeySpec, DecryptRequest, DescribeKeyRequest,
    DisableKeyRequest, DisableKeyRotationRequest, EnableKeyRequest, EnableKeyRotationRequest,
    EncryptRequest, GenerateDataKeyRequest, GenerateDataKeyWithoutPlaintextRequest,
    GetKeyRotationStatusRequest, KeyId, Kms, ListKeyRotationsRequest, ListResourceTagsRequest,
    ReEncryptRequest, Result, RotateKeyOnDemandRequest, ScheduleKeyDeletionRequest, Tag,
    TagResourceRequest, UntagResourceRequest, UpdateKeyDescriptionRequest,
};

/// An operation tried on the key under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Encrypt,
    /// Decrypt of a ciphertext the key made.
    Decrypt,
    /// ReEncrypt of a ciphertext the key made, to a usable key.
    ReEncryptFrom,
    /// ReEncrypt of a ciphertext of a usable key, to the key.
    ReEncryptTo,
    GenerateDataKey,
    GenerateDataKeyWithoutPlaintext,
    EnableKey,
    DisableKey,
    UpdateKeyDescription,
    /// CreateAlias of a fresh alias targeting the key.
    CreateAlias,
    TagResource,
    UntagResource,
    ScheduleKeyDeletion,
    EnableKeyRotation,
    DisableKeyRotation,
    RotateKeyOnDemand,
    DescribeKey,
    GetKeyRotationStatus,
    ListResourceTags,
    ListKeyRotations,
    CancelKeyDeletion,
}

/// The cryptographic operations: refused on Disabled keys and keys pending deletion.
pub(crate) const CRYPTO_OPS: &[Op] = &[
    Op::Encrypt,
    Op::Decrypt,
    Op::ReEncryptFrom,
    Op::ReEncryptTo,
    Op::GenerateDataKey,
    Op::GenerateDataKeyWithoutPlaintext,
];

/// The management operations refused on keys pending deletion.
pub(crate) const MANAGEMENT_OPS: &[Op] = &[
    Op::EnableKey,
    Op::DisableKey,
    Op::UpdateKeyDescription,
    Op::CreateAlias,
    Op::TagResource,
    Op::UntagResource,
    Op::ScheduleKeyDeletion,
];

/// The rotation operations: refused on Disabled keys and keys pending deletion.
pub(crate) const ROTATION_OPS: &[Op] = &[
    Op::EnableKeyRotation,
    Op::DisableKeyRotation,
    Op::RotateKeyOnDemand,
];

/// The operations that work on a key in every state.
pub(crate) const ALWAYS_ALLOWED_OPS: &[Op] = &[
    Op::DescribeKey,
    Op::GetKeyRotationStatus,
    Op::ListResourceTags,
];

/// A key under test, with a ciphertext it made while it was usable, and a usable helper
/// key (the other end of ReEncrypt) with a ciphertext of its own.
#[derive(Debug)]
pub(crate) struct Subject {
    /// The key under test.
    pub(crate) key: Key,
    blob: Vec<u8>,
    helper: Key,
    helper_blob: Vec<u8>,
}

impl Subject {
    /// A new key under test and a helper key, each with a ciphertext.
    pub(crate) async fn create(kms: &dyn Kms, session: &mut Session<'_>) -> Self {
        let key = session.key().await;
        let blob = encrypt_blob(kms, &key).await;
        let helper = session.key().await;
        let helper_blob = encrypt_blob(kms, &helper).await;
        Self {
            key,
            blob,
            helper,
            helper_blob,
        }
    }

    /// A key ID that names no key (a fresh UUID) under test, and a helper key. Only the
    /// operations that need no ciphertext of the key under test make sense on it.
    pub(crate) async fn unknown(kms: &dyn Kms, session: &mut Session<'_>) -> Self {
        let helper = session.key().await;
        let helper_blob = encrypt_blob(kms, &helper).await;
        Self {
            key: helper.sibling(&random_key_id()),
            blob: Vec::new(),
            helper,
            helper_blob,
        }
    }

    /// Panics unless every operation of `ops` fails as `expected`.
    pub(crate) async fn expect_refused(
        &self,
        kms: &dyn Kms,
        session: &mut Session<'_>,
        ops: &[Op],
        expected: impl Into<Expected>,
        state: &str,
    ) {
        let expected = expected.into();
        for op in ops {
            let result = self.attempt(kms, session, *op).await;
            expect_err(result, &format!("{op:?} on {state}"), expected.clone());
        }
    }

    /// Panics unless every operation of `ops` succeeds.
    pub(crate) async fn expect_allowed(
        &self,
        kms: &dyn Kms,
        session: &mut Session<'_>,
        ops: &[Op],
        state: &str,
    ) {
        for op in ops {
            let result = self.attempt(kms, session, *op).await;
            ok(result, &format!("{op:?} on {state}"));
        }
    }

    /// Tries `op` on the key under test, named by its key ID.
    pub(crate) async fn attempt(
        &self,
        kms: &dyn Kms,
        session: &mut Session<'_>,
        op: Op,
    ) -> Result<()> {
        self.attempt_as(kms, session, op, &self.key.by_id()).await
    }

    /// Tries `op` on the key under test, named by `key` (one of its identifiers).
    pub(crate) async fn attempt_as(
        &self,
        kms: &dyn Kms,
        session: &mut Session<'_>,
        op: Op,
        key: &KeyId,
    ) -> Result<()> {
        match op {
            Op::Encrypt => kms.encrypt(EncryptRequest::new(key, b"x")).await.map(drop),
            Op::Decrypt => kms
                .decrypt(DecryptRequest::new(self.blob.clone()))
                .await
                .map(drop),
            Op::ReEncryptFrom => {
                let request = ReEncryptRequest::new(self.blob.clone(), self.helper.by_id());
                kms.re_encrypt(request).await.map(drop)
            }
            Op::ReEncryptTo => {
                let request = ReEncryptRequest::new(self.helper_blob.clone(), key);
                kms.re_encrypt(request).await.map(drop)
            }
            Op::GenerateDataKey => {
                let request = GenerateDataKeyRequest::new(key).with_key_spec(DataKeySpec::Aes256);
                kms.generate_data_key(request).await.map(drop)
            }
            Op::GenerateDataKeyWithoutPlaintext => {
                let request = GenerateDataKeyWithoutPlaintextRequest::new(key)
                    .with_key_spec(DataKeySpec::Aes256);
                kms.generate_data_key_without_plaintext(request)
                    .await
                    .map(drop)
            }
            Op::EnableKey => kms.enable_key(EnableKeyRequest::new(key)).await.map(drop),
            Op::DisableKey => kms.disable_key(DisableKeyRequest::new(key)).await.map(drop),
            Op::UpdateKeyDescription => {
                let request = UpdateKeyDescriptionRequest::new(key, "changed");
                kms.update_key_description(request).await.map(drop)
            }
            Op::CreateAlias => {
                let request = CreateAliasRequest::new(session.alias_name("gated"), key);
                kms.create_alias(request).await.map(drop)
            }
            Op::TagResource => {
                let request = TagResourceRequest::new(key, vec![Tag::new("gated", "yes")]);
                kms.tag_resource(request).await.map(drop)
            }
            Op::UntagResource => {
                let request = UntagResourceRequest::new(key, vec!["gated".to_owned()]);
                kms.untag_resource(request).await.map(drop)
            }
            Op::ScheduleKeyDeletion => {
                let request =
                    ScheduleKeyDeletionRequest::new(key).with_pending_window_in_days(7u32);
                kms.schedule_key_deletion(request).await.map(drop)
            }
            Op::EnableKeyRotation => {
                let request = EnableKeyRotationRequest::new(key);
                kms.enable_key_rotation(request).await.map(drop)
            }
            Op::DisableKeyRotation => {
                let request = DisableKeyRotationRequest::new(key);
                kms.disable_key_rotation(request).await.map(drop)
            }
            Op::RotateKeyOnDemand => {
                let request = RotateKeyOnDemandRequest::new(key);
                kms.rotate_key_on_demand(request).await.map(drop)
            }
            Op::DescribeKey => kms
                .describe_key(DescribeKeyRequest::new(key))
                .await
                .map(drop),
            Op::GetKeyRotationStatus => {
                let request = GetKeyRotationStatusRequest::new(key);
                kms.get_key_rotation_status(request).await.map(drop)
            }
            Op::ListResourceTags => {
                let request = ListResourceTagsRequest::new(key);
                kms.list_resource_tags(request).await.map(drop)
            }
            Op::ListKeyRotations => {
                let request = ListKeyRotationsRequest::new(key);
                kms.list_key_rotations(request).await.map(drop)
            }
            Op::CancelKeyDeletion => {
                let request = CancelKeyDeletionRequest::new(key);
                kms.cancel_key_deletion(request).await.map(drop)
            }
        }
    }
}

/// A ciphertext of a short plaintext under `key`.
async fn encrypt_blob(kms: &dyn Kms, key: &Key) -> Vec<u8> {
    let request = EncryptRequest::new(key.by_id(), b"gated");
    let response = ok(kms.encrypt(request).await, "Encrypt");
    response.ciphertext_blob
}
