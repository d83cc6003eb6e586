//! The MRK-aware keyrings of the AWS Encryption SDK specification
//! (`framework/aws-kms/aws-kms-mrk-keyring.md`, `aws-kms-mrk-discovery-keyring.md`,
//! `aws-kms-mrk-multi-keyrings.md`), against a KMS that plays several Regions of one account
//! with AWS's multi-Region semantics: related keys share their `mrk-` key ID, `Decrypt`
//! answers with the called Region's ARN, an ARN of another Region is `NotFoundException
//! "Invalid arn <region>"`, and a ciphertext of a single-Region key presented in another
//! Region is `AccessDeniedException`.
//!
//! Each test names the section of the specification and the requirement it checks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use kms_core::{
    Arn, DecryptRequest, DecryptResponse, EncryptRequest, EncryptResponse, EncryptionContext,
    Error as KmsError, GenerateDataKeyRequest, GenerateDataKeyResponse, KeyId, Kms, SecretBytes,
};
use kms_envelope::{
    AlgorithmSuite, DecryptionMaterials, Decryptor, DiscoveryFilter, EncryptedDataKey,
    EncryptionMaterials, Encryptor, Error, Keyring, KmsClientSupplier, KmsKeyring,
    KmsMrkDiscoveryKeyring, KmsMrkKeyring, MultiKeyring, RawAesKeyring,
};

const ACCOUNT: &str = "111122223333";
const MRK: &str = "mrk-1234abcd12ab34cd56ef1234567890ab";
const OTHER_MRK: &str = "mrk-00000000000000000000000000000000";
const EAST_SINGLE: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const WEST_SINGLE: &str = "abcd1234-12ab-34cd-56ef-1234567890ab";
const SUITE: AlgorithmSuite = AlgorithmSuite::Aes256GcmHkdfSha512CommitKey;

/// The ARN of `key_id` in `region` of the test account.
fn arn(region: &str, key_id: &str) -> String {
    Arn::for_key("aws", region, ACCOUNT, key_id).to_string()
}

fn key(region: &str, key_id: &str) -> KeyId {
    KeyId::parse(&arn(region, key_id)).unwrap()
}

/// One KMS call as the world saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Call {
    operation: &'static str,
    region: String,
    key_id: Option<String>,
    grant_tokens: Vec<String>,
}

/// A way for the world to misbehave on its next answers.
#[derive(Debug, Clone)]
enum Lie {
    /// Answer with this `KeyId`.
    KeyId(String),
    /// Answer with a data key one byte short.
    ShortPlaintext,
    /// Fail the next `Decrypt` calls with `DependencyTimeoutException`.
    FailDecrypts(usize),
}

/// What a ciphertext of the world holds.
struct Blob {
    key_id: String,
    context: EncryptionContext,
    plaintext: Vec<u8>,
}

/// Keys of one account in several Regions of the `aws` partition, with AWS's rules for
/// multi-Region keys: a key ID held in several Regions is a set of related multi-Region keys
/// (one key material, so a ciphertext of one decrypts with any other).
#[derive(Default)]
struct World {
    /// Key ID → the Regions it exists in.
    keys: BTreeMap<&'static str, BTreeSet<&'static str>>,
    blobs: Mutex<Vec<Blob>>,
    calls: Mutex<Vec<Call>>,
    lie: Mutex<Option<Lie>>,
}

impl World {
    /// The world of these tests: an MRK replicated in us-east-1, us-west-2 and eu-west-1,
    /// another MRK in us-east-1 and us-west-2, and one single-Region key in us-east-1 and
    /// one in us-west-2.
    fn new() -> Arc<Self> {
        let keys = BTreeMap::from([
            (MRK, BTreeSet::from(["us-east-1", "us-west-2", "eu-west-1"])),
            (OTHER_MRK, BTreeSet::from(["us-east-1", "us-west-2"])),
            (EAST_SINGLE, BTreeSet::from(["us-east-1"])),
            (WEST_SINGLE, BTreeSet::from(["us-west-2"])),
        ]);
        Arc::new(Self {
            keys,
            ..Self::default()
        })
    }

    /// A client of `region`, as an `aws_sdk_kms::Client` is bound to one Region.
    fn client(self: &Arc<Self>, region: &'static str) -> Arc<dyn Kms> {
        Arc::new(RegionKms {
            world: self.clone(),
            region,
        })
    }

    /// A client supplier with a client for each Region, which records the Regions asked for.
    fn supplier(self: &Arc<Self>) -> Supplier {
        Supplier {
            world: self.clone(),
            asked: Mutex::new(Vec::new()),
        }
    }

    fn lie(&self, lie: Lie) {
        *self.lie.lock().unwrap() = Some(lie);
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    fn clear_calls(&self) {
        self.calls.lock().unwrap().clear();
    }

    /// The `Decrypt` calls so far, as (Region, requested KeyId).
    fn decrypts(&self) -> Vec<(String, Option<String>)> {
        self.calls()
            .into_iter()
            .filter(|call| call.operation == "Decrypt")
            .map(|call| (call.region, call.key_id))
            .collect()
    }
}

/// A client of one Region of a [`World`].
struct RegionKms {
    world: Arc<World>,
    region: &'static str,
}

impl fmt::Debug for RegionKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionKms({})", self.region)
    }
}

impl fmt::Display for RegionKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionKms({})", self.region)
    }
}

impl RegionKms {
    fn record(&self, operation: &'static str, key_id: Option<&KeyId>, grant_tokens: &[String]) {
        self.world.calls.lock().unwrap().push(Call {
            operation,
            region: self.region.to_owned(),
            key_id: key_id.map(|key| key.as_str().to_owned()),
            grant_tokens: grant_tokens.to_vec(),
        });
    }

    /// The key ID a key ID or key ARN names in this Region, with AWS's errors.
    fn resolve(&self, key: &KeyId) -> kms_core::Result<&'static str> {
        let key_id = match key.arn() {
            Some(arn) if arn.region() != self.region => {
                return Err(KmsError::NotFound {
                    message: format!("Invalid arn {}", arn.region()),
                });
            }
            Some(arn) => arn.resource_id(),
            None => key.as_str(),
        };
        self.world
            .keys
            .iter()
            .find(|(id, regions)| **id == key_id && regions.contains(self.region))
            .map(|(id, _)| *id)
            .ok_or_else(|| KmsError::NotFound {
                message: format!("Key '{}' does not exist", arn(self.region, key_id)),
            })
    }

    /// The answer's `KeyId` (this Region's ARN of the key, unless the world lies).
    fn answer_key_id(&self, key_id: &str) -> String {
        match &*self.world.lie.lock().unwrap() {
            Some(Lie::KeyId(lie)) => lie.clone(),
            _ => arn(self.region, key_id),
        }
    }

    /// The data key of an answer (one byte short when the world lies).
    fn answer_plaintext(&self, mut plaintext: Vec<u8>) -> SecretBytes {
        if matches!(*self.world.lie.lock().unwrap(), Some(Lie::ShortPlaintext)) {
            plaintext.pop();
        }
        SecretBytes::from(plaintext)
    }

    fn seal(&self, key_id: &str, context: EncryptionContext, plaintext: Vec<u8>) -> Vec<u8> {
        let mut blobs = self.world.blobs.lock().unwrap();
        blobs.push(Blob {
            key_id: key_id.to_owned(),
            context,
            plaintext,
        });
        (blobs.len() as u64 - 1).to_be_bytes().to_vec()
    }
}

/// Only what the KMS keyrings call; every other operation keeps the trait's default.
#[async_trait]
impl Kms for RegionKms {
    async fn generate_data_key(
        &self,
        request: GenerateDataKeyRequest,
    ) -> kms_core::Result<GenerateDataKeyResponse> {
        self.record(
            "GenerateDataKey",
            Some(&request.key_id),
            &request.grant_tokens,
        );
        let key_id = self.resolve(&request.key_id)?;
        let len = request.number_of_bytes.unwrap_or(32) as usize;
        let count = self.world.blobs.lock().unwrap().len() as u8;
        let plaintext: Vec<u8> = (0..len).map(|i| (i as u8) ^ count ^ 0x5a).collect();
        let blob = self.seal(key_id, request.encryption_context, plaintext.clone());
        Ok(GenerateDataKeyResponse::new(
            blob,
            self.answer_plaintext(plaintext),
            self.answer_key_id(key_id),
        ))
    }

    async fn encrypt(&self, request: EncryptRequest) -> kms_core::Result<EncryptResponse> {
        self.record("Encrypt", Some(&request.key_id), &request.grant_tokens);
        let key_id = self.resolve(&request.key_id)?;
        let plaintext = request.plaintext.expose_secret().to_vec();
        let blob = self.seal(key_id, request.encryption_context, plaintext);
        Ok(EncryptResponse::new(blob, self.answer_key_id(key_id)))
    }

    async fn decrypt(&self, request: DecryptRequest) -> kms_core::Result<DecryptResponse> {
        self.record("Decrypt", request.key_id.as_ref(), &request.grant_tokens);
        {
            let mut lie = self.world.lie.lock().unwrap();
            if let Some(Lie::FailDecrypts(left)) = &mut *lie
                && *left > 0
            {
                *left -= 1;
                return Err(KmsError::DependencyTimeout {
                    message: format!("injected failure in {}", self.region),
                });
            }
        }
        let index = <[u8; 8]>::try_from(request.ciphertext_blob.as_slice())
            .map(|bytes| u64::from_be_bytes(bytes) as usize)
            .map_err(|_| KmsError::InvalidCiphertext)?;
        let (blob_key, plaintext) = {
            let blobs = self.world.blobs.lock().unwrap();
            let blob = blobs.get(index).ok_or(KmsError::InvalidCiphertext)?;
            if blob.context != request.encryption_context {
                return Err(KmsError::InvalidCiphertext);
            }
            (blob.key_id.clone(), blob.plaintext.clone())
        };
        let key_id = match &request.key_id {
            Some(requested) => {
                let key_id = self.resolve(requested)?;
                if key_id != blob_key {
                    return Err(KmsError::IncorrectKey {
                        message: "The key ID in the request does not identify a CMK that can \
                                  perform this operation."
                            .to_owned(),
                    });
                }
                key_id
            }
            None => self
                .resolve(&KeyId::parse(&blob_key).unwrap())
                .map_err(|_| KmsError::AccessDenied {
                    message: "The ciphertext refers to a customer master key that does not \
                              exist, does not exist in this region, or you are not allowed to \
                              access."
                        .to_owned(),
                })?,
        };
        Ok(DecryptResponse::new(
            self.answer_key_id(key_id),
            self.answer_plaintext(plaintext),
        ))
    }
}

/// Clients of every Region of a world; records the Regions asked for.
struct Supplier {
    world: Arc<World>,
    asked: Mutex<Vec<String>>,
}

#[async_trait]
impl KmsClientSupplier for Supplier {
    async fn client_for_region(&self, region: &str) -> kms_core::Result<Arc<dyn Kms>> {
        self.asked.lock().unwrap().push(region.to_owned());
        let known = ["us-east-1", "us-west-2", "eu-west-1"];
        let region = known
            .into_iter()
            .find(|known| *known == region)
            .ok_or_else(|| KmsError::Config {
                message: format!("no client for {region}"),
            })?;
        Ok(self.world.client(region))
    }
}

fn context() -> EncryptionContext {
    EncryptionContext::from([("purpose", "mrk test")])
}

/// A message whose data key `keyring` wraps.
async fn encrypted_by(keyring: Arc<dyn Keyring>) -> Vec<u8> {
    Encryptor::new(keyring)
        .with_encryption_context(context())
        .encrypt(b"across regions")
        .await
        .unwrap()
}

async fn decrypt(keyring: Arc<dyn Keyring>, message: &[u8]) -> Result<Vec<u8>, Error> {
    Decryptor::new(keyring)
        .decrypt(message)
        .await
        .map(|decrypted| decrypted.plaintext().to_vec())
}

/// Decryption materials of the test suite and context, without a data key.
fn decryption_materials() -> DecryptionMaterials {
    DecryptionMaterials::new(SUITE, context())
}

/// An encrypted data key of the world sealed under `key_id` (from `region`).
async fn edk(world: &Arc<World>, region: &'static str, key_id: &str) -> EncryptedDataKey {
    let materials = EncryptionMaterials::new(SUITE, context());
    let keyring = KmsKeyring::new(world.client(region), key(region, key_id));
    let materials = keyring.on_encrypt(materials).await.unwrap();
    materials.encrypted_data_keys()[0].clone()
}

fn failures_of(err: Result<impl fmt::Debug, Error>) -> Vec<KmsError> {
    match err {
        Err(Error::NoDataKey { failures }) => failures,
        other => panic!("expected NoDataKey, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// aws-kms-mrk-keyring.md
// ---------------------------------------------------------------------------------------

/// OnEncrypt: "OnEncrypt MUST attempt to generate a new plaintext data key by calling AWS
/// KMS GenerateDataKeys" with `KeyId` = the keyring's identifier, `NumberOfBytes` = the
/// suite's key derivation input length, the materials' encryption context and the grant
/// tokens; the EDK's provider ID is "aws-kms" and its provider info the response `KeyId`.
#[tokio::test]
async fn mrk_keyring_on_encrypt_generates_the_data_key_with_the_configured_key() {
    let world = World::new();
    let west = key("us-west-2", MRK);
    let keyring = KmsMrkKeyring::new(world.client("us-west-2"), west.clone())
        .with_grant_tokens(vec!["token".to_owned()]);
    let materials = keyring
        .on_encrypt(EncryptionMaterials::new(SUITE, context()))
        .await
        .unwrap();
    assert_eq!(
        materials.data_key().map(SecretBytes::len),
        Some(SUITE.key_len())
    );
    let [edk] = materials.encrypted_data_keys() else {
        panic!("one encrypted data key expected");
    };
    assert_eq!(edk.provider_id(), "aws-kms");
    assert_eq!(edk.provider_info(), west.as_str().as_bytes());
    assert_eq!(
        world.calls(),
        [Call {
            operation: "GenerateDataKey",
            region: "us-west-2".to_owned(),
            key_id: Some(west.to_string()),
            grant_tokens: vec!["token".to_owned()],
        }]
    );
    let index = u64::from_be_bytes(edk.ciphertext().try_into().unwrap()) as usize;
    assert_eq!(world.blobs.lock().unwrap()[index].context, context());
}

/// OnEncrypt: "If the input encryption materials do contain a plaintext data key OnEncrypt
/// MUST attempt to encrypt the plaintext data key using the configured AWS KMS key
/// identifier" with AWS KMS Encrypt.
#[tokio::test]
async fn mrk_keyring_on_encrypt_wraps_an_existing_data_key_with_encrypt() {
    let world = World::new();
    let raw: Arc<dyn Keyring> =
        Arc::new(RawAesKeyring::new("ns", "raw", SecretBytes::from(vec![7; 32])).unwrap());
    let mrk: Arc<dyn Keyring> = Arc::new(KmsMrkKeyring::new(
        world.client("eu-west-1"),
        key("eu-west-1", MRK),
    ));
    let both = Arc::new(MultiKeyring::new(Some(raw)).with_child(mrk.clone()));
    let message = encrypted_by(both).await;
    let operations: Vec<_> = world.calls().iter().map(|call| call.operation).collect();
    assert_eq!(operations, ["Encrypt"]);
    // The wrapped copy decrypts on its own.
    assert_eq!(decrypt(mrk, &message).await.unwrap(), b"across regions");
}

/// OnEncrypt: "OnEncrypt MUST verify that the response Plaintext length matches the
/// specification of the algorithm suite", and "The Generate Data Key response's KeyId MUST
/// be A valid AWS KMS key ARN" (so is the Encrypt response's).
#[tokio::test]
async fn mrk_keyring_on_encrypt_checks_the_answer() {
    let world = World::new();
    let keyring = KmsMrkKeyring::new(world.client("us-east-1"), key("us-east-1", MRK));
    world.lie(Lie::ShortPlaintext);
    let err = keyring
        .on_encrypt(EncryptionMaterials::new(SUITE, context()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("a data key of 31 bytes"), "{err}");

    world.lie(Lie::KeyId("alias/not-a-key-arn".to_owned()));
    let err = keyring
        .on_encrypt(EncryptionMaterials::new(SUITE, context()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("which is not a key ARN"), "{err}");

    let mut materials = EncryptionMaterials::new(SUITE, context());
    materials
        .set_data_key(SecretBytes::from(vec![1; SUITE.key_len()]))
        .unwrap();
    let err = keyring.on_encrypt(materials).await.unwrap_err();
    assert!(err.to_string().contains("which is not a key ARN"), "{err}");
}

/// OnEncrypt: "If the call to AWS KMS GenerateDataKey does not succeed, OnEncrypt MUST NOT
/// modify the encryption materials and MUST fail"; "If the call to AWS KMS Encrypt does not
/// succeed, OnEncrypt MUST fail." Here KMS refuses the ARN of another Region.
#[tokio::test]
async fn mrk_keyring_on_encrypt_fails_when_kms_fails() {
    let world = World::new();
    let keyring = KmsMrkKeyring::new(world.client("us-west-2"), key("us-east-1", MRK));
    let err = keyring
        .on_encrypt(EncryptionMaterials::new(SUITE, context()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Kms(KmsError::NotFound { message }) if message == "Invalid arn us-east-1"),
        "{err:?}"
    );
    let mut materials = EncryptionMaterials::new(SUITE, context());
    materials
        .set_data_key(SecretBytes::from(vec![1; SUITE.key_len()]))
        .unwrap();
    let err = keyring.on_encrypt(materials).await.unwrap_err();
    assert!(
        matches!(&err, Error::Kms(KmsError::NotFound { .. })),
        "{err:?}"
    );
    let operations: Vec<_> = world.calls().iter().map(|call| call.operation).collect();
    assert_eq!(operations, ["GenerateDataKey", "Encrypt"]);
}

/// OnDecrypt filter of the discovery keyring: "Its provider ID MUST exactly match the value
/// "aws-kms"".
#[tokio::test]
async fn mrk_discovery_keyring_tries_only_aws_kms_keys() {
    let world = World::new();
    let wrapped = edk(&world, "us-west-2", MRK).await;
    world.clear_calls();
    let other = EncryptedDataKey::new(
        "aws-kms-other".to_owned(),
        wrapped.provider_info().to_vec(),
        wrapped.ciphertext().to_vec(),
    );
    let keyring = KmsMrkDiscoveryKeyring::new(world.client("us-west-2"), "us-west-2").unwrap();
    assert!(failures_of(keyring.on_decrypt(decryption_materials(), &[other]).await).is_empty());
    assert!(world.calls().is_empty());
}

/// OnDecrypt: "If the decryption materials already contained a valid plaintext data key
/// OnDecrypt MUST immediately return the unmodified decryption materials."
#[tokio::test]
async fn mrk_keyring_on_decrypt_returns_materials_that_have_a_data_key() {
    let world = World::new();
    let edk = edk(&world, "us-east-1", MRK).await;
    world.clear_calls();
    let keyring = KmsMrkKeyring::new(world.client("us-west-2"), key("us-west-2", MRK));
    let mut materials = decryption_materials();
    materials
        .set_data_key(SecretBytes::from(vec![9; SUITE.key_len()]))
        .unwrap();
    let materials = keyring.on_decrypt(materials, &[edk]).await.unwrap();
    assert_eq!(
        materials.data_key().map(|key| key.expose_secret().to_vec()),
        Some(vec![9; SUITE.key_len()])
    );
    assert!(world.calls().is_empty());
}

/// OnDecrypt: a data key wrapped under the us-east-1 key of a set decrypts with the keyring
/// of the us-west-2 replica, which "MUST call AWS KMS Decrypt with the configured AWS KMS
/// client" and `KeyId`: "The configured AWS KMS key identifier", the EDK's ciphertext, the
/// materials' encryption context and the grant tokens.
#[tokio::test]
async fn mrk_keyring_decrypts_a_related_key_with_the_configured_key() {
    let world = World::new();
    let east = key("us-east-1", MRK);
    let west = key("us-west-2", MRK);
    let message = encrypted_by(Arc::new(KmsMrkKeyring::new(
        world.client("us-east-1"),
        east.clone(),
    )))
    .await;
    world.clear_calls();
    let replica = KmsMrkKeyring::new(world.client("us-west-2"), west.clone())
        .with_grant_tokens(vec!["token".to_owned()]);
    assert_eq!(
        decrypt(Arc::new(replica), &message).await.unwrap(),
        b"across regions"
    );
    assert_eq!(
        world.calls(),
        [Call {
            operation: "Decrypt",
            region: "us-west-2".to_owned(),
            key_id: Some(west.to_string()),
            grant_tokens: vec!["token".to_owned()],
        }]
    );

    // And the reverse: written in us-west-2, read in us-east-1.
    let message = encrypted_by(Arc::new(KmsMrkKeyring::new(
        world.client("us-west-2"),
        west,
    )))
    .await;
    let primary = Arc::new(KmsMrkKeyring::new(world.client("us-east-1"), east));
    assert_eq!(decrypt(primary, &message).await.unwrap(), b"across regions");
}

/// Why the MRK keyring exists: the KMS keyring of the us-east-1 ARN over a us-west-2 client
/// is refused by KMS (`NotFoundException "Invalid arn us-east-1"`), and the KMS keyring of
/// the us-west-2 ARN does not match the us-east-1 ARN in the message.
#[tokio::test]
async fn the_plain_kms_keyring_cannot_cross_regions() {
    let world = World::new();
    let east = key("us-east-1", MRK);
    let message = encrypted_by(Arc::new(KmsKeyring::new(
        world.client("us-east-1"),
        east.clone(),
    )))
    .await;
    let wrong_region = Arc::new(KmsKeyring::new(world.client("us-west-2"), east));
    let failures = failures_of(decrypt(wrong_region, &message).await);
    assert!(
        matches!(failures.as_slice(), [KmsError::NotFound { message }]
            if message == "Invalid arn us-east-1"),
        "{failures:?}"
    );
    let replica = Arc::new(KmsKeyring::new(
        world.client("us-west-2"),
        key("us-west-2", MRK),
    ));
    assert!(failures_of(decrypt(replica, &message).await).is_empty());
}

/// OnDecrypt filter: "Its provider ID MUST exactly match the value "aws-kms"", and "The
/// function AWS KMS MRK Match for Decrypt called with the configured AWS KMS key identifier
/// and the provider info MUST return true": another MRK, a single-Region key of another
/// Region and another provider are not tried.
#[tokio::test]
async fn mrk_keyring_tries_only_matching_aws_kms_keys() {
    let world = World::new();
    let mut edks = vec![
        edk(&world, "us-east-1", OTHER_MRK).await,
        edk(&world, "us-east-1", EAST_SINGLE).await,
    ];
    let matching = edk(&world, "us-east-1", MRK).await;
    edks.push(EncryptedDataKey::new(
        "aws-kms-other".to_owned(),
        matching.provider_info().to_vec(),
        matching.ciphertext().to_vec(),
    ));
    world.clear_calls();
    let keyring = KmsMrkKeyring::new(world.client("us-west-2"), key("us-west-2", MRK));
    let result = keyring.on_decrypt(decryption_materials(), &edks).await;
    assert!(failures_of(result).is_empty());
    assert!(world.calls().is_empty());

    edks.push(matching);
    let materials = keyring
        .on_decrypt(decryption_materials(), &edks)
        .await
        .unwrap();
    assert!(materials.data_key().is_some());
    assert_eq!(
        world.decrypts(),
        [("us-west-2".to_owned(), Some(arn("us-west-2", MRK)))]
    );
}

/// OnDecrypt filter: "The provider info MUST be a valid AWS KMS ARN with a resource type of
/// `key` or OnDecrypt MUST fail."
#[tokio::test]
async fn mrk_keyrings_refuse_aws_kms_provider_info_that_is_not_a_key_arn() {
    let world = World::new();
    let good = edk(&world, "us-west-2", MRK).await;
    for info in [
        "not an arn".to_owned(),
        format!("arn:aws:kms:us-west-2:{ACCOUNT}:alias/{MRK}"),
    ] {
        let bad = EncryptedDataKey::new(
            "aws-kms".to_owned(),
            info.clone().into_bytes(),
            good.ciphertext().to_vec(),
        );
        let edks = [bad, good.clone()];
        let strict = KmsMrkKeyring::new(world.client("us-west-2"), key("us-west-2", MRK));
        let discovery =
            KmsMrkDiscoveryKeyring::new(world.client("us-west-2"), "us-west-2").unwrap();
        for keyring in [
            Arc::new(strict) as Arc<dyn Keyring>,
            Arc::new(discovery) as Arc<dyn Keyring>,
        ] {
            let err = keyring
                .on_decrypt(decryption_materials(), &edks)
                .await
                .unwrap_err();
            assert!(
                matches!(&err, Error::Malformed { reason }
                    if reason.contains(&format!("names `{info}`, which is not a KMS key ARN"))),
                "{err:?}"
            );
        }
    }
}

/// OnDecrypt: "The KeyId field in the response MUST equal the configured AWS KMS key
/// identifier"; "The length of the response's Plaintext MUST equal the key derivation input
/// length"; otherwise "an error MUST be collected".
#[tokio::test]
async fn mrk_keyring_checks_the_decrypt_answer() {
    let world = World::new();
    let edks = [edk(&world, "us-east-1", MRK).await];
    let keyring = KmsMrkKeyring::new(world.client("us-west-2"), key("us-west-2", MRK));

    // The us-east-1 ARN is the key of the message, but not the configured one.
    world.lie(Lie::KeyId(arn("us-east-1", MRK)));
    let failures_of_lie = failures_of(keyring.on_decrypt(decryption_materials(), &edks).await);
    assert!(
        matches!(failures_of_lie.as_slice(), [KmsError::IncorrectKey { message }]
            if message.contains(&arn("us-west-2", MRK))),
        "{failures_of_lie:?}"
    );

    world.lie(Lie::ShortPlaintext);
    let short = failures_of(keyring.on_decrypt(decryption_materials(), &edks).await);
    assert!(
        matches!(short.as_slice(), [KmsError::InvalidCiphertext]),
        "{short:?}"
    );
}

/// A keyring configured with a bare `mrk-` key ID matches no stored ARN of another Region,
/// and even its own Region's answer (an ARN) is not "equal to the configured identifier":
/// the specification's strictness, which is why the MRK keyrings want key ARNs.
#[tokio::test]
async fn mrk_keyring_with_a_bare_key_id_decrypts_nothing() {
    let world = World::new();
    let edks = [edk(&world, "us-west-2", MRK).await];
    let keyring = KmsMrkKeyring::new(world.client("us-west-2"), KeyId::parse(MRK).unwrap());
    assert!(failures_of(keyring.on_decrypt(decryption_materials(), &edks).await).is_empty());
}

/// OnDecrypt: "For each encrypted data key in the filtered set, one at a time, the OnDecrypt
/// MUST attempt to decrypt the data key. If this attempt results in an error, then these
/// errors MUST be collected", and "If OnDecrypt fails to successfully decrypt any encrypted
/// data key, then it MUST yield an error that includes all the collected errors."
#[tokio::test]
async fn mrk_keyring_collects_each_failure_and_tries_the_next_key() {
    let world = World::new();
    let edks = [
        edk(&world, "us-east-1", MRK).await,
        edk(&world, "eu-west-1", MRK).await,
    ];
    world.clear_calls();
    let keyring = KmsMrkKeyring::new(world.client("us-west-2"), key("us-west-2", MRK));

    world.lie(Lie::FailDecrypts(1));
    let materials = keyring
        .on_decrypt(decryption_materials(), &edks)
        .await
        .unwrap();
    assert!(materials.data_key().is_some());
    assert_eq!(world.decrypts().len(), 2);

    world.lie(Lie::FailDecrypts(2));
    let all = failures_of(keyring.on_decrypt(decryption_materials(), &edks).await);
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(
        all.iter()
            .all(|err| err.code() == "DependencyTimeoutException")
    );
    let message = Error::NoDataKey { failures: all }.to_string();
    assert_eq!(message.matches("injected failure in us-west-2").count(), 2);
}

// ---------------------------------------------------------------------------------------
// aws-kms-mrk-discovery-keyring.md
// ---------------------------------------------------------------------------------------

/// Initialization: "They keyring MUST fail initialization if any required parameters are
/// missing or null": the Region is required and must be a Region name.
#[test]
fn mrk_discovery_keyring_needs_a_region() {
    let world = World::new();
    for region in ["", "US-WEST-2", "us west 2"] {
        let err = KmsMrkDiscoveryKeyring::new(world.client("us-west-2"), region).unwrap_err();
        assert!(
            err.to_string()
                .contains("is not a Region name such as 'us-west-2'"),
            "{err}"
        );
    }
    let keyring = KmsMrkDiscoveryKeyring::new(world.client("us-west-2"), "us-west-2").unwrap();
    assert_eq!(keyring.region(), "us-west-2");
}

/// OnEncrypt: "This function MUST fail."
#[tokio::test]
async fn mrk_discovery_keyring_cannot_encrypt() {
    let world = World::new();
    let keyring = KmsMrkDiscoveryKeyring::new(world.client("us-west-2"), "us-west-2").unwrap();
    let err = keyring
        .on_encrypt(EncryptionMaterials::new(SUITE, context()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot encrypt"), "{err}");
    assert!(world.calls().is_empty());
}

/// OnDecrypt: "If the decryption materials already contained a valid plaintext data key,
/// they keyring MUST fail and MUST NOT modify the decryption materials."
#[tokio::test]
async fn mrk_discovery_keyring_refuses_materials_that_have_a_data_key() {
    let world = World::new();
    let edks = [edk(&world, "us-west-2", MRK).await];
    world.clear_calls();
    let keyring = KmsMrkDiscoveryKeyring::new(world.client("us-west-2"), "us-west-2").unwrap();
    let mut materials = decryption_materials();
    materials
        .set_data_key(SecretBytes::from(vec![9; SUITE.key_len()]))
        .unwrap();
    let err = keyring.on_decrypt(materials, &edks).await.unwrap_err();
    assert!(err.to_string().contains("already hold a data key"), "{err}");
    assert!(world.calls().is_empty());
}

/// OnDecrypt: "If the provider info's resource type is key and its resource is a
/// multi-Region key then a new ARN MUST be created where the region part MUST equal the AWS
/// KMS client region and every other part MUST equal the provider info"; "The KeyId field in
/// the response MUST equal the requested KeyId".
#[tokio::test]
async fn mrk_discovery_keyring_calls_the_related_key_of_its_region() {
    let world = World::new();
    let message = encrypted_by(Arc::new(KmsMrkKeyring::new(
        world.client("us-east-1"),
        key("us-east-1", MRK),
    )))
    .await;
    world.clear_calls();
    let keyring = KmsMrkDiscoveryKeyring::new(world.client("eu-west-1"), "eu-west-1")
        .unwrap()
        .with_grant_tokens(vec!["t".to_owned()]);
    assert_eq!(
        decrypt(Arc::new(keyring), &message).await.unwrap(),
        b"across regions"
    );
    assert_eq!(
        world.calls(),
        [Call {
            operation: "Decrypt",
            region: "eu-west-1".to_owned(),
            key_id: Some(arn("eu-west-1", MRK)),
            grant_tokens: vec!["t".to_owned()],
        }]
    );
}

/// OnDecrypt filter: "If the provider info is not identified as a multi-Region key, then the
/// provider info's Region MUST match the AWS KMS client region"; otherwise `KeyId` "MUST be
/// the provider info".
#[tokio::test]
async fn mrk_discovery_keyring_calls_single_region_keys_of_its_region_only() {
    let world = World::new();
    let edks = [
        edk(&world, "us-east-1", EAST_SINGLE).await,
        edk(&world, "us-west-2", WEST_SINGLE).await,
    ];
    world.clear_calls();
    let west = KmsMrkDiscoveryKeyring::new(world.client("us-west-2"), "us-west-2").unwrap();
    let materials = west
        .on_decrypt(decryption_materials(), &edks)
        .await
        .unwrap();
    assert!(materials.data_key().is_some());
    assert_eq!(
        world.decrypts(),
        [("us-west-2".to_owned(), Some(arn("us-west-2", WEST_SINGLE)))]
    );

    world.clear_calls();
    let europe = KmsMrkDiscoveryKeyring::new(world.client("eu-west-1"), "eu-west-1").unwrap();
    assert!(failures_of(europe.on_decrypt(decryption_materials(), &edks).await).is_empty());
    assert!(world.calls().is_empty());
}

/// OnDecrypt filter: "If a discovery filter is configured, its partition and the provider
/// info partition MUST match", and "its set of accounts MUST contain the provider info
/// account".
#[tokio::test]
async fn mrk_discovery_keyring_applies_the_discovery_filter() {
    let world = World::new();
    let edks = [edk(&world, "us-east-1", MRK).await];
    world.clear_calls();
    for filter in [
        DiscoveryFilter::new("aws-cn", [ACCOUNT]),
        DiscoveryFilter::new("aws", ["444455556666"]),
    ] {
        let keyring = KmsMrkDiscoveryKeyring::new(world.client("us-west-2"), "us-west-2")
            .unwrap()
            .with_filter(filter);
        assert!(failures_of(keyring.on_decrypt(decryption_materials(), &edks).await).is_empty());
    }
    assert!(world.calls().is_empty());
    let keyring = KmsMrkDiscoveryKeyring::new(world.client("us-west-2"), "us-west-2")
        .unwrap()
        .with_filter(DiscoveryFilter::new("aws", ["444455556666", ACCOUNT]));
    let materials = keyring
        .on_decrypt(decryption_materials(), &edks)
        .await
        .unwrap();
    assert!(materials.data_key().is_some());
}

/// OnDecrypt: the response `KeyId` "MUST equal the requested KeyId" and the plaintext the
/// suite's length, or "an error is collected and the next encrypted data key in the
/// filtered set MUST be attempted"; with none left, "it MUST yield an error that includes
/// all collected errors".
#[tokio::test]
async fn mrk_discovery_keyring_checks_each_answer_and_tries_the_next_key() {
    let world = World::new();
    let edks = [
        edk(&world, "us-east-1", MRK).await,
        edk(&world, "us-east-1", OTHER_MRK).await,
    ];
    world.clear_calls();
    let keyring = KmsMrkDiscoveryKeyring::new(world.client("us-west-2"), "us-west-2").unwrap();

    world.lie(Lie::KeyId(arn("us-east-1", MRK)));
    let lies = failures_of(keyring.on_decrypt(decryption_materials(), &edks).await);
    assert_eq!(lies.len(), 2, "{lies:?}");
    assert!(
        matches!(&lies[0], KmsError::IncorrectKey { message }
            if message.contains(&format!("not `{}`", arn("us-west-2", MRK)))),
        "{lies:?}"
    );
    assert!(
        matches!(&lies[1], KmsError::IncorrectKey { message }
            if message.contains(&format!("not `{}`", arn("us-west-2", OTHER_MRK)))),
        "{lies:?}"
    );

    world.lie(Lie::ShortPlaintext);
    let short = failures_of(keyring.on_decrypt(decryption_materials(), &edks).await);
    assert!(
        matches!(
            short.as_slice(),
            [KmsError::InvalidCiphertext, KmsError::InvalidCiphertext]
        ),
        "{short:?}"
    );

    world.lie(Lie::FailDecrypts(1));
    world.clear_calls();
    let materials = keyring
        .on_decrypt(decryption_materials(), &edks)
        .await
        .unwrap();
    assert!(materials.data_key().is_some());
    assert_eq!(
        world.decrypts(),
        [
            ("us-west-2".to_owned(), Some(arn("us-west-2", MRK))),
            ("us-west-2".to_owned(), Some(arn("us-west-2", OTHER_MRK))),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// aws-kms-mrk-multi-keyrings.md
// ---------------------------------------------------------------------------------------

/// AWS KMS MRK Multi-Keyring: "All AWS KMS identifiers are passed to Assert AWS KMS MRK are
/// unique and the function MUST return success otherwise this MUST fail."
#[tokio::test]
async fn mrk_multi_keyring_refuses_related_keys() {
    let world = World::new();
    let supplier = world.supplier();
    let east = key("us-east-1", MRK);
    let west = key("us-west-2", MRK);
    let err = MultiKeyring::kms_mrk(
        Some(east.clone()),
        vec![key("us-east-1", EAST_SINGLE), west.clone()],
        &supplier,
        Vec::new(),
    )
    .await
    .unwrap_err();
    let message = err.to_string();
    assert!(message.contains(&format!("`{east}`")), "{message}");
    assert!(message.contains(&format!("`{west}`")), "{message}");
    assert!(!message.contains(EAST_SINGLE), "{message}");
    assert!(supplier.asked.lock().unwrap().is_empty());
}

/// AWS KMS MRK Multi-Keyring: "If any of the AWS KMS key identifiers is not a valid AWS KMS
/// key ARN, this function MUST fail".
#[tokio::test]
async fn mrk_multi_keyring_needs_arns() {
    let world = World::new();
    for bare in [MRK, "alias/app"] {
        let err = MultiKeyring::kms_mrk(
            None,
            vec![KeyId::parse(bare).unwrap()],
            &world.supplier(),
            Vec::new(),
        )
        .await
        .unwrap_err();
        assert!(
            err.to_string().contains("is not a key ARN or alias ARN"),
            "{err}"
        );
    }
}

/// AWS KMS MRK Multi-Keyring: the generator and each child are MRK keyrings whose client
/// "MUST be created by the regional client supplier when called with the region part of"
/// their ARN; the result is a multi-keyring of them.
#[tokio::test]
async fn mrk_multi_keyring_gives_each_key_the_client_of_its_region() {
    let world = World::new();
    let supplier = world.supplier();
    let multi = MultiKeyring::kms_mrk(
        Some(key("us-east-1", MRK)),
        vec![key("us-west-2", WEST_SINGLE), key("us-west-2", OTHER_MRK)],
        &supplier,
        vec!["g".to_owned()],
    )
    .await
    .unwrap();
    assert_eq!(
        *supplier.asked.lock().unwrap(),
        ["us-east-1", "us-west-2", "us-west-2"]
    );
    let message = encrypted_by(Arc::new(multi)).await;
    let calls: Vec<_> = world
        .calls()
        .into_iter()
        .map(|call| (call.operation, call.region, call.grant_tokens))
        .collect();
    assert_eq!(
        calls,
        [
            (
                "GenerateDataKey",
                "us-east-1".to_owned(),
                vec!["g".to_owned()]
            ),
            ("Encrypt", "us-west-2".to_owned(), vec!["g".to_owned()]),
            ("Encrypt", "us-west-2".to_owned(), vec!["g".to_owned()]),
        ]
    );
    // Any of the three keys' replicas reads it: here the eu-west-1 key of the generator's set.
    let reader = MultiKeyring::kms_mrk(None, vec![key("eu-west-1", MRK)], &supplier, Vec::new())
        .await
        .unwrap();
    assert_eq!(
        decrypt(Arc::new(reader), &message).await.unwrap(),
        b"across regions"
    );
}

/// AWS KMS MRK Discovery Multi-Keyring: "If an empty set of Region is provided this function
/// MUST fail. If any element of the set of regions is null or an empty string this function
/// MUST fail."
#[tokio::test]
async fn mrk_discovery_multi_keyring_needs_regions() {
    let world = World::new();
    let err = MultiKeyring::kms_mrk_discovery(&[], None, &world.supplier(), Vec::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at least one Region"), "{err}");
    let err =
        MultiKeyring::kms_mrk_discovery(&["us-west-2", ""], None, &world.supplier(), Vec::new())
            .await
            .unwrap_err();
    assert!(err.to_string().contains("is not a Region name"), "{err}");
    let err = MultiKeyring::kms_mrk_discovery(&["ap-south-7"], None, &world.supplier(), Vec::new())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("no client for ap-south-7"),
        "{err}"
    );
}

/// AWS KMS MRK Discovery Multi-Keyring: one MRK discovery keyring per Region, with the
/// client the supplier gives for it and the same discovery filter; a message written in
/// us-east-1 is read by the first Region that can.
#[tokio::test]
async fn mrk_discovery_multi_keyring_reads_in_the_first_region_that_can() {
    let world = World::new();
    let message = encrypted_by(Arc::new(KmsMrkKeyring::new(
        world.client("us-east-1"),
        key("us-east-1", MRK),
    )))
    .await;
    world.clear_calls();
    let supplier = world.supplier();
    let filter = DiscoveryFilter::new("aws", [ACCOUNT]);
    let reader = MultiKeyring::kms_mrk_discovery(
        &["eu-west-1", "us-west-2"],
        Some(filter),
        &supplier,
        Vec::new(),
    )
    .await
    .unwrap();
    assert_eq!(*supplier.asked.lock().unwrap(), ["eu-west-1", "us-west-2"]);
    let reader = Arc::new(reader);
    assert_eq!(
        decrypt(reader.clone(), &message).await.unwrap(),
        b"across regions"
    );
    assert_eq!(
        world.decrypts(),
        [("eu-west-1".to_owned(), Some(arn("eu-west-1", MRK)))]
    );

    // The first Region failing, the second reads it.
    world.clear_calls();
    world.lie(Lie::FailDecrypts(1));
    assert_eq!(decrypt(reader, &message).await.unwrap(), b"across regions");
    assert_eq!(
        world.decrypts(),
        [
            ("eu-west-1".to_owned(), Some(arn("eu-west-1", MRK))),
            ("us-west-2".to_owned(), Some(arn("us-west-2", MRK))),
        ]
    );
}
