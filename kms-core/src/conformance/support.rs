//! Helpers of the checks: the keys and aliases a check creates, assertions that name the
//! operation, AWS's messages, paging and dates.

use std::fmt::{Debug, Display};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use super::messages::AwsMessage;
use crate::{
    Arn, CreateKeyRequest, DecryptRequest, DecryptResponse, DeleteAliasRequest, DescribeKeyRequest,
    EncryptRequest, EncryptResponse, EncryptionContext, Error, KeyId, KeyMetadata, KeySpec,
    KeyUsage, Kms, Result, ScheduleKeyDeletionRequest,
};

/// `ValidationException`.
pub(crate) const VALIDATION: &str = "ValidationException";
/// `NotFoundException`.
pub(crate) const NOT_FOUND: &str = "NotFoundException";
/// `KMSInvalidStateException`.
pub(crate) const INVALID_STATE: &str = "KMSInvalidStateException";
/// `InvalidMarkerException`.
pub(crate) const INVALID_MARKER: &str = "InvalidMarkerException";
/// `InvalidKeyUsageException`.
pub(crate) const INVALID_KEY_USAGE: &str = "InvalidKeyUsageException";
/// `InvalidCiphertextException`.
pub(crate) const INVALID_CIPHERTEXT: &str = "InvalidCiphertextException";
/// `UnsupportedOperationException`.
pub(crate) const UNSUPPORTED: &str = "UnsupportedOperationException";

/// A key a check created. Its ARN gives the partition, region and account of the messages
/// the check expects.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    /// The key ID (a UUID).
    pub(crate) id: String,
    /// The key ARN.
    pub(crate) arn: String,
    parsed: Arn,
}

impl Key {
    /// The key of `metadata`, whose ARN must be a KMS key ARN.
    pub(crate) fn from_metadata(metadata: &KeyMetadata) -> Self {
        let Some(arn) = metadata.arn.clone() else {
            panic!("CreateKey: expected KeyMetadata.arn, got none ({metadata:?})");
        };
        let Some(parsed) = Arn::parse(&arn) else {
            panic!("CreateKey: KeyMetadata.arn {arn:?} is not a KMS ARN");
        };
        Self {
            id: metadata.key_id.clone(),
            arn,
            parsed,
        }
    }

    /// The key by its ID.
    pub(crate) fn by_id(&self) -> KeyId {
        key_id(&self.id)
    }

    /// The key by its ARN.
    pub(crate) fn by_arn(&self) -> KeyId {
        key_id(&self.arn)
    }

    /// The parsed key ARN.
    pub(crate) fn parsed_arn(&self) -> &Arn {
        &self.parsed
    }

    /// The key with ID `id` (which may not exist) in this key's partition, region and
    /// account.
    pub(crate) fn sibling(&self, id: &str) -> Self {
        let arn = &self.parsed;
        let parsed = Arn::for_key(arn.partition(), arn.region(), arn.account(), id);
        Self {
            id: id.to_owned(),
            arn: parsed.to_string(),
            parsed,
        }
    }

    /// The ARN of the alias `alias_name` (`alias/…`) in this key's region and account.
    pub(crate) fn alias_arn(&self, alias_name: &str) -> String {
        let arn = &self.parsed;
        Arn::for_alias(arn.partition(), arn.region(), arn.account(), alias_name).to_string()
    }
}

/// Parses a key identifier the check built itself.
#[track_caller]
pub(crate) fn key_id(text: &str) -> KeyId {
    KeyId::parse(text).unwrap_or_else(|err| panic!("KeyId::parse({text:?}) failed: {err}"))
}

/// A random key ID that names no key.
pub(crate) fn random_key_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// What one check created, so that [`Session::finish`] can clean it up.
#[derive(Debug)]
pub(crate) struct Session<'a> {
    kms: &'a dyn Kms,
    keys: Vec<KeyId>,
    aliases: Vec<String>,
}

impl<'a> Session<'a> {
    /// A session that has created nothing yet.
    pub(crate) fn new(kms: &'a dyn Kms) -> Self {
        Self {
            kms,
            keys: Vec::new(),
            aliases: Vec::new(),
        }
    }

    /// Creates a default symmetric encryption key.
    pub(crate) async fn key(&mut self) -> Key {
        self.create(CreateKeyRequest::new()).await
    }

    /// Creates a key that must be created.
    pub(crate) async fn create(&mut self, request: CreateKeyRequest) -> Key {
        Key::from_metadata(&ok(self.try_create(request).await, "CreateKey"))
    }

    /// Creates a key of `spec` for `usage`.
    pub(crate) async fn create_for(&mut self, spec: KeySpec, usage: KeyUsage) -> Key {
        let what = format!("CreateKey of a {spec} key for {usage}");
        let request = CreateKeyRequest::new()
            .with_key_spec(spec)
            .with_key_usage(usage);
        Key::from_metadata(&ok(self.try_create(request).await, &what))
    }

    /// Tries to create a key, remembering it if it was created.
    pub(crate) async fn try_create(&mut self, request: CreateKeyRequest) -> Result<KeyMetadata> {
        let metadata = self.kms.create_key(request).await?.key_metadata;
        self.keys.push(key_id(&metadata.key_id));
        Ok(metadata)
    }

    /// A fresh alias name, `alias/conformance-<label>-<random>`, deleted at the end.
    pub(crate) fn alias_name(&mut self, label: &str) -> String {
        let name = format!(
            "alias/conformance-{label}-{}",
            uuid::Uuid::new_v4().simple()
        );
        self.aliases.push(name.clone());
        name
    }

    /// Remembers an alias name built by the check, to delete it at the end.
    pub(crate) fn track_alias(&mut self, alias_name: &str) {
        self.aliases.push(alias_name.to_owned());
    }

    /// Deletes the aliases and schedules the deletion (7 days) of the keys of the session.
    ///
    /// An alias the check deleted already, or a key already pending deletion, is fine.
    pub(crate) async fn finish(self) {
        for alias in self.aliases {
            // Most aliases were deleted by the check, or never created.
            let _ = self.kms.delete_alias(DeleteAliasRequest::new(alias)).await;
        }
        for key in self.keys {
            let request = ScheduleKeyDeletionRequest::new(&key).with_pending_window_in_days(7u32);
            match self.kms.schedule_key_deletion(request).await {
                Ok(_) | Err(Error::InvalidState { .. }) => {}
                Err(err) => panic!("clean-up: ScheduleKeyDeletion of {key} failed: {err}"),
            }
        }
    }
}

/// The metadata of `key`; DescribeKey must succeed.
pub(crate) async fn describe(kms: &dyn Kms, key: &KeyId) -> KeyMetadata {
    let response = kms.describe_key(DescribeKeyRequest::new(key)).await;
    ok(response, &format!("DescribeKey of {key}")).key_metadata
}

/// Encrypts `plaintext` under `key` with `context`; Encrypt must succeed.
pub(crate) async fn encrypt(
    kms: &dyn Kms,
    key: &KeyId,
    plaintext: &[u8],
    context: &EncryptionContext,
) -> EncryptResponse {
    let request = EncryptRequest::new(key, plaintext).with_encryption_context(context.clone());
    ok(kms.encrypt(request).await, &format!("Encrypt under {key}"))
}

/// Decrypts `blob` with `context` and checks that it gives `plaintext`.
pub(crate) async fn decrypt(
    kms: &dyn Kms,
    blob: &[u8],
    context: &EncryptionContext,
    plaintext: &[u8],
    what: &str,
) -> DecryptResponse {
    let request = DecryptRequest::new(blob).with_encryption_context(context.clone());
    let response = ok(kms.decrypt(request).await, what);
    assert!(
        response.plaintext.expose_secret() == plaintext,
        "{what}: expected the {} bytes that were encrypted, got {} other bytes",
        plaintext.len(),
        response.plaintext.len()
    );
    response
}

/// The value of a call that must succeed.
#[track_caller]
pub(crate) fn ok<T>(result: Result<T>, what: &str) -> T {
    match result {
        Ok(value) => value,
        Err(err) => panic!("{what}: expected success, got {err}"),
    }
}

/// The error a failing call must return: its AWS exception and, where a reference confirms
/// AWS's message (only through [`AwsMessage`]), the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expected {
    code: &'static str,
    message: Option<String>,
}

impl Expected {
    /// Only the exception, for errors whose AWS message no reference confirms.
    pub(crate) fn code(code: &'static str) -> Self {
        Self {
            code,
            message: None,
        }
    }

    /// The exception and the exact message of `message`, its placeholders replaced by
    /// `values`.
    pub(crate) fn aws(message: AwsMessage, values: &[&str]) -> Self {
        Self {
            code: message.exception(),
            message: Some(message.render(values)),
        }
    }
}

impl Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.message {
            Some(message) => write!(f, "{}: {message:?}", self.code),
            None => write!(f, "{} (any message)", self.code),
        }
    }
}

/// The error of a call that must fail as `expected`.
#[track_caller]
pub(crate) fn expect_err<T: Debug>(result: Result<T>, what: &str, expected: Expected) -> Error {
    let err = match result {
        Ok(value) => panic!("{what}: expected {expected}, got Ok({value:?})"),
        Err(err) => err,
    };
    let message_matches = expected
        .message
        .as_deref()
        .is_none_or(|m| m == err.message());
    if err.code() != expected.code || !message_matches {
        panic!(
            "{what}: expected {expected}, got {}: {:?}",
            err.code(),
            err.message()
        );
    }
    err
}

/// The error of a call that must fail with one of `codes`, where the references do not say
/// which of them AWS sends.
#[track_caller]
pub(crate) fn expect_refused<T: Debug>(result: Result<T>, what: &str, codes: &[&str]) -> Error {
    let err = match result {
        Ok(value) => panic!("{what}: expected one of {codes:?}, got Ok({value:?})"),
        Err(err) => err,
    };
    assert!(
        codes.contains(&err.code()),
        "{what}: expected one of {codes:?}, got {}: {:?}",
        err.code(),
        err.message()
    );
    err
}

/// `InvalidKeyUsageException`: `<key-arn> key usage is <usage> which is not valid for <op>.`
pub(crate) fn wrong_key_usage(arn: &str, usage: &KeyUsage, operation: &str) -> Expected {
    Expected::aws(AwsMessage::WrongKeyUsage, &[arn, usage.as_str(), operation])
}

/// `InvalidKeyUsageException`: `Algorithm <algorithm> is incompatible with key spec <spec>.`
pub(crate) fn algorithm_incompatible(algorithm: &str, spec: &KeySpec) -> Expected {
    Expected::aws(
        AwsMessage::AlgorithmIncompatible,
        &[algorithm, spec.as_str()],
    )
}

/// `DisabledException`: `<key-arn> is disabled.`
pub(crate) fn disabled(arn: &str) -> Expected {
    Expected::aws(AwsMessage::Disabled, &[arn])
}

/// `KMSInvalidStateException`: `<key-arn> is pending deletion.`
pub(crate) fn pending_deletion(arn: &str) -> Expected {
    Expected::aws(AwsMessage::PendingDeletion, &[arn])
}

/// `KMSInvalidStateException`: `<key-arn> is not pending deletion.`
pub(crate) fn not_pending_deletion(arn: &str) -> Expected {
    Expected::aws(AwsMessage::NotPendingDeletion, &[arn])
}

/// `NotFoundException`: `Key '<key-arn>' does not exist`.
pub(crate) fn key_not_found(arn: &str) -> Expected {
    Expected::aws(AwsMessage::KeyNotFound, &[arn])
}

/// `NotFoundException`: `Alias <alias-arn> is not found.`
pub(crate) fn alias_not_found(alias_arn: &str) -> Expected {
    Expected::aws(AwsMessage::AliasNotFound, &[alias_arn])
}

/// `IncorrectKeyException` with AWS's message.
pub(crate) fn incorrect_key_error() -> Expected {
    Expected::aws(AwsMessage::IncorrectKey, &[])
}

/// `InvalidCiphertextException`, with no message.
pub(crate) fn invalid_ciphertext() -> Expected {
    Expected::aws(AwsMessage::InvalidCiphertext, &[])
}

/// AWS's `ValidationException` for `value` at `member` below the minimum `min`.
pub(crate) fn below_min(value: impl Display, member: &str, min: u32) -> Expected {
    let (value, min) = (value.to_string(), min.to_string());
    Expected::aws(AwsMessage::ValueBelowMin, &[&value, member, &min])
}

/// AWS's `ValidationException` for `value` at `member` above the maximum `max`.
pub(crate) fn above_max(value: impl Display, member: &str, max: u32) -> Expected {
    let (value, max) = (value.to_string(), max.to_string());
    Expected::aws(AwsMessage::ValueAboveMax, &[&value, member, &max])
}

/// One page of a listing.
#[derive(Debug)]
pub(crate) struct Page<T> {
    items: Vec<T>,
    truncated: bool,
    next_marker: Option<String>,
}

/// A request of a listing operation, which can be sent for any page.
#[async_trait]
pub(crate) trait Listing: Debug + Send + Sync {
    /// One entry of the listing.
    type Item: Send;
    /// The `Limit` of the request.
    fn limit(&self) -> Option<u32>;
    /// Sends the request for the page at `marker`.
    async fn fetch(&self, kms: &dyn Kms, marker: Option<String>) -> Result<Page<Self::Item>>;
}

/// Implements `Listing` for each listing request.
macro_rules! listings {
    ($($request:ident => $op:ident, $items:ident: $item:ident;)+) => {$(
        #[async_trait]
        impl Listing for crate::$request {
            type Item = crate::$item;

            fn limit(&self) -> Option<u32> {
                self.limit
            }

            async fn fetch(&self, kms: &dyn Kms, marker: Option<String>) -> Result<Page<Self::Item>> {
                let mut request = self.clone();
                request.marker = marker;
                let response = kms.$op(request).await?;
                Ok(Page {
                    items: response.$items,
                    truncated: response.truncated,
                    next_marker: response.next_marker,
                })
            }
        }
    )+};
}

listings! {
    ListKeysRequest => list_keys, keys: KeyListEntry;
    ListAliasesRequest => list_aliases, aliases: AliasListEntry;
    ListResourceTagsRequest => list_resource_tags, tags: Tag;
    ListKeyRotationsRequest => list_key_rotations, rotations: RotationsListEntry;
}

/// The most pages a listing may take before the check gives up.
const MAX_PAGES: usize = 10_000;

/// Pages through the listing of `request` until it ends or `done` says the entries seen so
/// far are enough, checking on every page that it holds at most `Limit` entries and that it
/// is truncated exactly when it has a next marker.
pub(crate) async fn collect_pages<L: Listing>(
    kms: &dyn Kms,
    request: &L,
    mut done: impl FnMut(&[L::Item]) -> bool,
) -> Vec<L::Item> {
    let mut entries = Vec::new();
    let mut marker = None;
    for page_number in 1..=MAX_PAGES {
        let what = format!("{request:?}, page {page_number}");
        let page = ok(request.fetch(kms, marker.take()).await, &what);
        if let Some(limit) = request.limit() {
            assert!(
                page.items.len() <= limit as usize,
                "{what}: expected at most {limit} entries, got {}",
                page.items.len()
            );
        }
        assert_eq!(
            page.truncated,
            page.next_marker.is_some(),
            "{what}: expected Truncated exactly when NextMarker is set, got Truncated {} and \
             NextMarker {:?}",
            page.truncated,
            page.next_marker
        );
        entries.extend(page.items);
        if !page.truncated || done(&entries) {
            return entries;
        }
        marker = page.next_marker;
    }
    panic!("{request:?}: expected the listing to end within {MAX_PAGES} pages");
}

/// Panics unless every item of `items` is distinct, naming the listing.
pub(crate) fn assert_distinct<T: PartialEq + Debug>(items: &[T], what: &str) {
    for (i, item) in items.iter().enumerate() {
        assert!(
            !items[..i].contains(item),
            "{what}: expected every entry once, got {item:?} twice"
        );
    }
}

/// One day.
pub(crate) const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// `days` days.
pub(crate) fn days(days: u32) -> Duration {
    DAY * days
}

/// Panics unless `time` is set and within a day of `expected` (clocks and services round).
#[track_caller]
pub(crate) fn assert_about(time: Option<SystemTime>, expected: SystemTime, what: &str) {
    let Some(time) = time else {
        panic!("{what}: expected a date near {expected:?}, got none");
    };
    let distance = time
        .duration_since(expected)
        .or_else(|_| expected.duration_since(time))
        .unwrap_or_default();
    assert!(
        distance <= DAY,
        "{what}: expected a date within a day of {expected:?}, got {time:?}"
    );
}

/// Panics unless `id` is a key material ID: 64 lowercase hex digits.
#[track_caller]
pub(crate) fn assert_material_id(id: Option<&str>, what: &str) {
    let valid = id.is_some_and(|id| {
        id.len() == 64
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    assert!(
        valid,
        "{what}: expected a key material ID of 64 lowercase hex digits, got {id:?}"
    );
}
