//! `LocalKms`: an in-process KMS that behaves like AWS KMS.
//!
//! It keeps keys in memory, or durably in a directory, and answers every operation of the [`Kms`] trait as AWS KMS does:
//! the same error exceptions and messages, key states gating each operation, the same limits,
//! encryption context bound to every ciphertext, rotation that keeps old key material, and
//! ciphertext blobs that name their key so `Decrypt` needs no key ID. Every kind of key AWS
//! offers outside the China regions is real: symmetric, HMAC, RSA (encryption and signing),
//! ECC (ECDSA and ECDH, secp256k1 included), Ed25519, ML-DSA and ML-KEM.
//!
//! ```
//! use kms_core::{EncryptionContext, Kms, KmsExt};
//! use kms_local::LocalKms;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> kms_core::Result<()> {
//! let kms = LocalKms::new();
//! let key = kms.create_symmetric_key("example").await?;
//! let context = EncryptionContext::new().with("purpose", "doc");
//! let blob = kms.encrypt_bytes(&key.key_id, b"secret", &context).await?;
//! assert_eq!(kms.decrypt_bytes(&blob, &context).await?.expose_secret(), b"secret");
//! # Ok(()) }
//! ```
//!
//! # One world of accounts and Regions
//!
//! A `LocalKms` is a handle on a world of accounts × Regions, bound to one account, one Region
//! and one principal, as an `aws_sdk_kms::Client` is bound to a Region and a credential. Its
//! siblings ([`LocalKms::for_region`], [`LocalKms::for_account`]) share the world: its clock,
//! audit log and, for a durable world, its directory. Each account and Region has its own
//! keys and aliases; a key ARN of another Region is not found, one of another account is
//! refused; multi-Region keys (`CreateKey` with `MultiRegion`, `ReplicateKey`,
//! `UpdatePrimaryRegion`) share their key material across the Regions of one account, so a
//! ciphertext made in one Region decrypts in another.
//!
//! ```
//! use kms_core::{CreateKeyRequest, EncryptionContext, KeyId, Kms, KmsExt, ReplicateKeyRequest};
//! use kms_local::LocalKms;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> kms_core::Result<()> {
//! let east = LocalKms::new();
//! let west = east.for_region("us-west-2")?;
//! let key = east.create_key(CreateKeyRequest::new().with_multi_region(true)).await?;
//! let key_id = key.key_metadata.key_id;
//! east.replicate_key(ReplicateKeyRequest::new(KeyId::parse(&key_id)?, "us-west-2")).await?;
//!
//! let context = EncryptionContext::new();
//! let blob = east.encrypt_bytes(&key_id, b"secret", &context).await?;
//! assert_eq!(west.decrypt_bytes(&blob, &context).await?.expose_secret(), b"secret");
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![deny(rustdoc::broken_intra_doc_links)]

mod asymmetric;
pub mod audit;
mod blob;
mod blocking;
mod builder;
mod durable;
#[doc(hidden)]
pub mod fuzzing;
mod hmac;
mod import;
pub mod insecure;
mod limits;
mod material;
mod multi_region;
mod ops;
mod paging;
mod platform;
mod random;
mod seed;
mod state;
mod store;
mod world;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use kms_core::{Error, Kms, Result, ops::*};

pub use builder::{
    DEFAULT_ACCOUNT_ID, DEFAULT_REGION, LocalKmsBuilder, check_account_id, check_region,
};
pub use durable::ROOT_KEY_ENV;
pub use seed::{SeedFile, SeedKey};

use audit::{AuditEvent, AuditGate, Audited, AuditedResponse};
use store::Store;
use world::World;

/// An in-process KMS that behaves like AWS KMS, holding its keys in memory or in a directory
/// ([`LocalKmsBuilder::path`]).
///
/// Clones share the same keys. It is `Send + Sync` and meant to be shared across tasks:
/// cryptographic operations run in parallel.
///
/// It is a handle on one account and Region of a world that its siblings share (see the
/// [crate documentation](crate#one-world-of-accounts-and-regions)).
///
/// An in-memory backend answers on the calling task, without waiting. A durable store, or an
/// audit sink whose writes block ([`AuditSink::blocks`](audit::AuditSink::blocks)), makes
/// each call run on tokio's blocking thread pool, so that file work never stalls the async
/// runtime.
#[derive(Clone)]
pub struct LocalKms {
    world: Arc<World>,
    /// The store of this handle's account and Region, looked up once.
    store: Arc<Store>,
    principal: Arc<str>,
    audit: Option<Arc<AuditGate>>,
    /// Whether calls do blocking work, and so run on a blocking thread.
    blocking: bool,
}

impl LocalKms {
    /// An empty backend for region `us-east-1` and account `111122223333`.
    pub fn new() -> Self {
        LocalKmsBuilder::default().build_in_memory()
    }

    /// A builder to choose the region, account and clock.
    pub fn builder() -> LocalKmsBuilder {
        LocalKmsBuilder::default()
    }

    /// The region it plays.
    pub fn region(&self) -> &str {
        &self.store.identity.region
    }

    /// The account it plays.
    pub fn account_id(&self) -> &str {
        &self.store.identity.account
    }

    /// The IAM principal it acts as ([`LocalKmsBuilder::principal`]); the account's root
    /// user, `arn:<partition>:iam::<account>:root`, by default.
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// A handle on the same world for `region`, with the same account and principal: as an
    /// SDK client for another Region with the same credentials. (A Region of another
    /// partition, such as `cn-north-1`, gets the account's root user of that partition.) Its keys are that Region's
    /// (made on first use; in a durable world, kept in `DIR/regions/<region>`, see
    /// [`LocalKmsBuilder::path`], and opened here on first use, blocking the thread as
    /// [`LocalKmsBuilder::build`] does).
    ///
    /// ```
    /// let kms = kms_local::LocalKms::new();
    /// let west = kms.for_region("us-west-2")?;
    /// assert_eq!((west.region(), west.account_id()), ("us-west-2", kms.account_id()));
    /// assert!(kms.for_region("Mars").is_err());
    /// # Ok::<(), kms_core::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `Error::Config` naming the region when it is not a region name (see
    /// [`check_region`]); the errors of opening a durable store.
    pub fn for_region(&self, region: &str) -> Result<Self> {
        check_region(region)?;
        let store = self.world.store(self.account_id(), region)?;
        // A principal belongs to one partition: in another, the account's root user.
        let principal = (store.identity.partition == self.store.identity.partition)
            .then(|| self.principal.to_string());
        Ok(Self::on(Arc::clone(&self.world), store, principal))
    }

    /// A handle on the same world for another account, in the same Region, acting as that
    /// account's root user. (In a durable world its keys are kept in
    /// `DIR/accounts/<account>/<region>`.)
    ///
    /// # Errors
    ///
    /// `Error::Config` naming the account when it is not 12 digits (see
    /// [`check_account_id`]); the errors of opening a durable store.
    pub fn for_account(&self, account_id: &str) -> Result<Self> {
        check_account_id(account_id)?;
        let store = self.world.store(account_id, self.region())?;
        Ok(Self::on(Arc::clone(&self.world), store, None))
    }

    /// The number of keys, whatever their state, as this process last saw them.
    pub fn key_count(&self) -> usize {
        self.store.peek().keys.len()
    }

    /// Records in the audit log, if there is one, a call to `operation` (named as AWS names
    /// it, such as `GenerateDataKey`) that a fault-injecting layer in front of this backend
    /// answered with `error` without calling it. The event carries the error and
    /// `"additionalEventData": {"injectedFault": true}`, which AWS never writes; the request's
    /// parameters are not known here. It is written on the calling thread.
    ///
    /// ```
    /// use kms_core::Error;
    /// use kms_local::{LocalKms, audit::MemoryAuditLog};
    ///
    /// let log = MemoryAuditLog::new();
    /// let kms = LocalKms::builder().audit(log.clone()).build()?;
    /// kms.audit_injected_fault("Decrypt", &Error::Throttling { message: "Rate exceeded".into() });
    /// let event = &log.events()[0];
    /// assert_eq!(event.error_code.as_deref(), Some("ThrottlingException"));
    /// assert!(event.additional_event_data.is_some());
    /// # Ok::<(), kms_core::Error>(())
    /// ```
    pub fn audit_injected_fault(&self, operation: &'static str, error: &Error) {
        let Some(audit) = &self.audit else {
            return;
        };
        let identity = &self.store.identity;
        let event = audit_event_ids().map(|ids| {
            AuditEvent::injected_fault(
                operation,
                self.store.now(),
                (&identity.region, &identity.account),
                error,
                ids,
            )
        });
        audit.record(event);
    }
}

impl LocalKms {
    /// A handle on `store` of `world`, acting as `principal` (checked), or as the account's
    /// root user.
    fn on(world: Arc<World>, store: Arc<Store>, principal: Option<String>) -> Self {
        let audit = world.audit().cloned();
        let blocking = world.is_durable() || audit.as_ref().is_some_and(|gate| gate.blocks());
        let principal = principal.unwrap_or_else(|| {
            builder::root_principal(&store.identity.account, &store.identity.region)
        });
        Self {
            world,
            store,
            principal: principal.into(),
            audit,
            blocking,
        }
    }

    /// Runs one operation: inline for an in-memory backend, else on a blocking thread.
    async fn call<Request, Response, Operation>(
        &self,
        request: Request,
        operation: Operation,
    ) -> Result<Response>
    where
        Request: Audited + Send + 'static,
        Response: AuditedResponse + Send + 'static,
        Operation: FnOnce(&Store, Request) -> Result<Response> + Send + 'static,
    {
        if !self.blocking {
            return self.run(request, operation);
        }
        let kms = self.clone();
        // Boxed, so that the future of every call stays small: an in-memory backend's calls
        // never reach this point, and would otherwise move a future as large as this one.
        Box::pin(blocking::run(move || kms.run(request, operation))).await
    }

    /// Runs one operation, and records it in the audit log if there is one. While the log's
    /// sink fails, the operation is refused; once it has run, its result is returned whatever
    /// the sink does.
    fn run<Request: Audited, Response: AuditedResponse>(
        &self,
        request: Request,
        operation: impl FnOnce(&Store, Request) -> Result<Response>,
    ) -> Result<Response> {
        let Some(audit) = &self.audit else {
            return operation(&self.store, request);
        };
        audit.admit()?;
        let draft = request.draft();
        let time = self.store.now();
        let result = operation(&self.store, request);
        audit.record(self.event(draft, time, &result));
        result
    }

    /// The audit event of a call described by `draft`, made at `time`, that ended with
    /// `result`.
    fn event<Response: AuditedResponse>(
        &self,
        draft: audit::Draft,
        time: std::time::SystemTime,
        result: &Result<Response>,
    ) -> Result<AuditEvent> {
        let arn = match result {
            Ok(response) => response.key_arn().map(str::to_owned),
            Err(_) => None,
        }
        .or_else(|| {
            draft
                .key_id
                .as_ref()
                .and_then(|key_id| self.store.key_arn(key_id))
        });
        let ids = audit_event_ids()?;
        let identity = &self.store.identity;
        Ok(AuditEvent::new(
            draft,
            time,
            (&identity.region, &identity.account),
            arn,
            result.as_ref().err(),
            ids,
        ))
    }
}

/// A new request ID and event ID for an audit event.
fn audit_event_ids() -> Result<(String, String)> {
    Ok((
        random::key_uuid()?.to_string(),
        random::key_uuid()?.to_string(),
    ))
}

impl Default for LocalKms {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for LocalKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKms")
            .field("region", &self.region())
            .field("account_id", &self.account_id())
            .field("principal", &self.principal)
            .field("keys", &self.key_count())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for LocalKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.key_count();
        let plural = if count == 1 { "" } else { "s" };
        write!(f, "LocalKms({}, {count} key{plural})", self.region())
    }
}

#[async_trait]
#[deny(clippy::missing_trait_methods)]
impl Kms for LocalKms {
    async fn create_key(&self, request: CreateKeyRequest) -> Result<CreateKeyResponse> {
        self.call(request, Store::create_key).await
    }

    async fn describe_key(&self, request: DescribeKeyRequest) -> Result<DescribeKeyResponse> {
        self.call(request, Store::describe_key).await
    }

    async fn list_keys(&self, request: ListKeysRequest) -> Result<ListKeysResponse> {
        self.call(request, Store::list_keys).await
    }

    async fn update_key_description(
        &self,
        request: UpdateKeyDescriptionRequest,
    ) -> Result<UpdateKeyDescriptionResponse> {
        self.call(request, Store::update_key_description).await
    }

    async fn enable_key(&self, request: EnableKeyRequest) -> Result<EnableKeyResponse> {
        self.call(request, Store::enable_key).await
    }

    async fn disable_key(&self, request: DisableKeyRequest) -> Result<DisableKeyResponse> {
        self.call(request, Store::disable_key).await
    }

    async fn schedule_key_deletion(
        &self,
        request: ScheduleKeyDeletionRequest,
    ) -> Result<ScheduleKeyDeletionResponse> {
        self.call(request, Store::schedule_key_deletion).await
    }

    async fn cancel_key_deletion(
        &self,
        request: CancelKeyDeletionRequest,
    ) -> Result<CancelKeyDeletionResponse> {
        self.call(request, Store::cancel_key_deletion).await
    }

    async fn enable_key_rotation(
        &self,
        request: EnableKeyRotationRequest,
    ) -> Result<EnableKeyRotationResponse> {
        self.call(request, Store::enable_key_rotation).await
    }

    async fn disable_key_rotation(
        &self,
        request: DisableKeyRotationRequest,
    ) -> Result<DisableKeyRotationResponse> {
        self.call(request, Store::disable_key_rotation).await
    }

    async fn get_key_rotation_status(
        &self,
        request: GetKeyRotationStatusRequest,
    ) -> Result<GetKeyRotationStatusResponse> {
        self.call(request, Store::get_key_rotation_status).await
    }

    async fn rotate_key_on_demand(
        &self,
        request: RotateKeyOnDemandRequest,
    ) -> Result<RotateKeyOnDemandResponse> {
        self.call(request, Store::rotate_key_on_demand).await
    }

    async fn list_key_rotations(
        &self,
        request: ListKeyRotationsRequest,
    ) -> Result<ListKeyRotationsResponse> {
        self.call(request, Store::list_key_rotations).await
    }

    async fn get_parameters_for_import(
        &self,
        request: GetParametersForImportRequest,
    ) -> Result<GetParametersForImportResponse> {
        self.call(request, Store::get_parameters_for_import).await
    }

    async fn import_key_material(
        &self,
        request: ImportKeyMaterialRequest,
    ) -> Result<ImportKeyMaterialResponse> {
        self.call(request, Store::import_key_material).await
    }

    async fn delete_imported_key_material(
        &self,
        request: DeleteImportedKeyMaterialRequest,
    ) -> Result<DeleteImportedKeyMaterialResponse> {
        self.call(request, Store::delete_imported_key_material)
            .await
    }

    async fn create_alias(&self, request: CreateAliasRequest) -> Result<CreateAliasResponse> {
        self.call(request, Store::create_alias).await
    }

    async fn update_alias(&self, request: UpdateAliasRequest) -> Result<UpdateAliasResponse> {
        self.call(request, Store::update_alias).await
    }

    async fn delete_alias(&self, request: DeleteAliasRequest) -> Result<DeleteAliasResponse> {
        self.call(request, Store::delete_alias).await
    }

    async fn list_aliases(&self, request: ListAliasesRequest) -> Result<ListAliasesResponse> {
        self.call(request, Store::list_aliases).await
    }

    async fn tag_resource(&self, request: TagResourceRequest) -> Result<TagResourceResponse> {
        self.call(request, Store::tag_resource).await
    }

    async fn untag_resource(&self, request: UntagResourceRequest) -> Result<UntagResourceResponse> {
        self.call(request, Store::untag_resource).await
    }

    async fn list_resource_tags(
        &self,
        request: ListResourceTagsRequest,
    ) -> Result<ListResourceTagsResponse> {
        self.call(request, Store::list_resource_tags).await
    }

    async fn encrypt(&self, request: EncryptRequest) -> Result<EncryptResponse> {
        self.call(request, Store::encrypt).await
    }

    async fn decrypt(&self, request: DecryptRequest) -> Result<DecryptResponse> {
        self.call(request, Store::decrypt).await
    }

    async fn re_encrypt(&self, request: ReEncryptRequest) -> Result<ReEncryptResponse> {
        self.call(request, Store::re_encrypt).await
    }

    async fn generate_data_key(
        &self,
        request: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse> {
        self.call(request, Store::generate_data_key).await
    }

    async fn generate_data_key_without_plaintext(
        &self,
        request: GenerateDataKeyWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse> {
        self.call(request, Store::generate_data_key_without_plaintext)
            .await
    }

    async fn generate_random(
        &self,
        request: GenerateRandomRequest,
    ) -> Result<GenerateRandomResponse> {
        self.call(request, Store::generate_random).await
    }

    async fn generate_data_key_pair(
        &self,
        request: GenerateDataKeyPairRequest,
    ) -> Result<GenerateDataKeyPairResponse> {
        self.call(request, Store::generate_data_key_pair).await
    }

    async fn generate_data_key_pair_without_plaintext(
        &self,
        request: GenerateDataKeyPairWithoutPlaintextRequest,
    ) -> Result<GenerateDataKeyPairWithoutPlaintextResponse> {
        self.call(request, Store::generate_data_key_pair_without_plaintext)
            .await
    }

    async fn get_public_key(&self, request: GetPublicKeyRequest) -> Result<GetPublicKeyResponse> {
        self.call(request, Store::get_public_key).await
    }

    async fn sign(&self, request: SignRequest) -> Result<SignResponse> {
        self.call(request, Store::sign).await
    }

    async fn verify(&self, request: VerifyRequest) -> Result<VerifyResponse> {
        self.call(request, Store::verify).await
    }

    async fn generate_mac(&self, request: GenerateMacRequest) -> Result<GenerateMacResponse> {
        self.call(request, Store::generate_mac).await
    }

    async fn verify_mac(&self, request: VerifyMacRequest) -> Result<VerifyMacResponse> {
        self.call(request, Store::verify_mac).await
    }

    async fn derive_shared_secret(
        &self,
        request: DeriveSharedSecretRequest,
    ) -> Result<DeriveSharedSecretResponse> {
        self.call(request, Store::derive_shared_secret).await
    }

    async fn encapsulate(&self, request: EncapsulateRequest) -> Result<EncapsulateResponse> {
        self.call(request, Store::encapsulate).await
    }

    async fn decapsulate(&self, request: DecapsulateRequest) -> Result<DecapsulateResponse> {
        self.call(request, Store::decapsulate).await
    }

    async fn replicate_key(&self, request: ReplicateKeyRequest) -> Result<ReplicateKeyResponse> {
        self.call(request, Store::replicate_key).await
    }

    async fn update_primary_region(
        &self,
        request: UpdatePrimaryRegionRequest,
    ) -> Result<UpdatePrimaryRegionResponse> {
        self.call(request, Store::update_primary_region).await
    }
}
