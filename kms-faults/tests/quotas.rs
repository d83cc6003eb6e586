//! The quota layer: shared quotas, the class of a key's type, refills on tokio's paused
//! clock, and calls over quota never reaching the backend.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail by panicking"
)]

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kms_core::{
    DataKeyPairSpec, DecapsulateRequest, DecryptRequest, DeriveSharedSecretRequest,
    DescribeKeyRequest, DescribeKeyResponse, DynKms, EncapsulateRequest,
    EncapsulationAlgorithmSpec, EncryptRequest, Error, GenerateDataKeyPairRequest,
    GenerateDataKeyPairWithoutPlaintextRequest, GenerateDataKeyRequest,
    GenerateDataKeyWithoutPlaintextRequest, GenerateMacRequest, GenerateRandomRequest,
    KeyAgreementAlgorithmSpec, KeyId, KeyMetadata, KeySpec, Kms, KmsExt, ListKeysRequest,
    MacAlgorithmSpec, ReEncryptRequest, Result, SecretBytes, SignRequest, SigningAlgorithmSpec,
    VerifyMacRequest, VerifyRequest,
};
use kms_faults::{QuotaKms, QuotaPlan};

/// Describes keys whose ID or alias says their type (IDs starting `aaaaaaaa` and aliases
/// with `rsa` are RSA keys, IDs starting `eeeeeeee` ECC keys, anything else symmetric),
/// counting the calls; every other operation is the trait's default (an error that is not
/// throttling).
#[derive(Debug, Default)]
struct Described {
    describes: AtomicUsize,
}

impl fmt::Display for Described {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Described")
    }
}

#[async_trait::async_trait]
impl Kms for Described {
    async fn describe_key(&self, request: DescribeKeyRequest) -> Result<DescribeKeyResponse> {
        self.describes.fetch_add(1, Ordering::SeqCst);
        let id = request.key_id.as_str().to_owned();
        let spec = if id.starts_with("aaaaaaaa") || id.contains("rsa") {
            KeySpec::Rsa2048
        } else if id.starts_with("eeeeeeee") {
            KeySpec::EccNistP256
        } else {
            KeySpec::SymmetricDefault
        };
        Ok(DescribeKeyResponse::new(
            KeyMetadata::new(id, true).with_key_spec(spec),
        ))
    }
}

fn quota_kms(backend: Arc<DynKms>, plan: &str) -> Arc<DynKms> {
    QuotaKms::wrap(backend, plan.parse().unwrap())
}

fn throttled<T: fmt::Debug>(result: Result<T>) -> bool {
    match result {
        Err(Error::Throttling { message }) => {
            assert_eq!(
                message,
                "You have exceeded the rate at which you may call KMS. Reduce the frequency of \
                 your calls."
            );
            true
        }
        _ => false,
    }
}

const RSA_1: &str = "aaaaaaaa-1111-4111-8111-111111111111";
const RSA_2: &str = "aaaaaaaa-2222-4222-8222-222222222222";
const ECC_1: &str = "eeeeeeee-1111-4111-8111-111111111111";
const SYMMETRIC: &str = "11111111-1111-4111-8111-111111111111";

fn key(id: &str) -> KeyId {
    KeyId::parse(id).unwrap()
}

fn sign(id: &str) -> SignRequest {
    SignRequest::new(
        key(id),
        SecretBytes::from(b"message".to_vec()),
        SigningAlgorithmSpec::RsassaPssSha256,
    )
}

#[tokio::test(start_paused = true)]
async fn the_cryptographic_operations_share_one_quota() {
    let local: Arc<DynKms> = Arc::new(kms_local::LocalKms::new());
    let setup = local.create_symmetric_key("k").await.unwrap();
    let kms = quota_kms(local, "cryptographic:3");
    let context = Default::default();
    let blob = kms
        .encrypt_bytes(&setup.key_id, b"x", &context)
        .await
        .unwrap();
    kms.decrypt_bytes(&blob, &context).await.unwrap();
    let random = GenerateRandomRequest::new().with_number_of_bytes(8u32);
    kms.generate_random(random.clone()).await.unwrap();
    assert!(throttled(kms.generate_random(random.clone()).await));
    assert!(throttled(kms.decrypt_bytes(&blob, &context).await));
    // Operations with quotas of their own are not touched (and none is set for them).
    kms.create_symmetric_key("other").await.unwrap();
    tokio::time::advance(Duration::from_millis(334)).await;
    kms.generate_random(random).await.unwrap();
}

/// Every cryptographic operation counts against the shared quota (here with a symmetric key),
/// none against a quota of its own: the layer's charges agree with the operations a plan
/// refuses to name on their own.
#[tokio::test(start_paused = true)]
async fn every_cryptographic_operation_counts_against_the_shared_quota() {
    let backend = Arc::new(Described::default());
    let kms = quota_kms(backend.clone(), "cryptographic:1");
    let secret = || SecretBytes::from(b"m".to_vec());
    let hmac = MacAlgorithmSpec::HmacSha256;
    let kem = EncapsulationAlgorithmSpec::MlKem;
    let id = || key(SYMMETRIC);
    // The first spends the quota of one per second...
    assert!(!throttled(
        kms.generate_random(GenerateRandomRequest::new().with_number_of_bytes(8u32))
            .await
    ));
    // ...so that each of the others is throttled.
    let results = [
        throttled(kms.encrypt(EncryptRequest::new(id(), secret())).await),
        throttled(kms.decrypt(DecryptRequest::new(vec![1; 8])).await),
        throttled(
            kms.re_encrypt(ReEncryptRequest::new(vec![1; 8], id()))
                .await,
        ),
        throttled(
            kms.generate_data_key(GenerateDataKeyRequest::new(id()))
                .await,
        ),
        throttled(
            kms.generate_data_key_without_plaintext(GenerateDataKeyWithoutPlaintextRequest::new(
                id(),
            ))
            .await,
        ),
        throttled(
            kms.generate_mac(GenerateMacRequest::new(secret(), id(), hmac.clone()))
                .await,
        ),
        throttled(
            kms.verify_mac(VerifyMacRequest::new(secret(), id(), hmac, vec![1; 32]))
                .await,
        ),
        throttled(kms.sign(sign(SYMMETRIC)).await),
        throttled(
            kms.verify(VerifyRequest::new(
                id(),
                secret(),
                vec![1; 8],
                SigningAlgorithmSpec::RsassaPssSha256,
            ))
            .await,
        ),
        throttled(
            kms.derive_shared_secret(DeriveSharedSecretRequest::new(
                id(),
                KeyAgreementAlgorithmSpec::Ecdh,
                vec![1; 8],
            ))
            .await,
        ),
        throttled(
            kms.encapsulate(EncapsulateRequest::new(id(), kem.clone()))
                .await,
        ),
        throttled(
            kms.decapsulate(DecapsulateRequest::new(id(), vec![1; 8], kem))
                .await,
        ),
    ];
    assert_eq!(results, [true; 12]);
    // The data key pairs have theirs.
    let kms = quota_kms(backend, "GenerateDataKeyPair:1");
    let spec = DataKeyPairSpec::EccNistP256;
    assert!(!throttled(
        kms.generate_data_key_pair(GenerateDataKeyPairRequest::new(id(), spec.clone()))
            .await
    ));
    assert!(throttled(
        kms.generate_data_key_pair_without_plaintext(
            GenerateDataKeyPairWithoutPlaintextRequest::new(id(), spec)
        )
        .await
    ));
}

#[tokio::test(start_paused = true)]
async fn quotas_refill_continuously_with_one_second_of_burst() {
    let kms = quota_kms(Arc::new(kms_local::LocalKms::new()), "CreateKey:2");
    let create = |kms: Arc<DynKms>| async move { kms.create_symmetric_key("k").await };
    create(kms.clone()).await.unwrap();
    create(kms.clone()).await.unwrap();
    assert!(throttled(create(kms.clone()).await));
    tokio::time::advance(Duration::from_millis(499)).await;
    assert!(throttled(create(kms.clone()).await));
    tokio::time::advance(Duration::from_millis(1)).await;
    create(kms.clone()).await.unwrap();
    tokio::time::advance(Duration::from_secs(30)).await;
    create(kms.clone()).await.unwrap();
    create(kms.clone()).await.unwrap();
    assert!(throttled(create(kms.clone()).await));
    // Throttled calls never reached the backend: five keys, not eight.
    let keys = kms.list_keys(ListKeysRequest::new()).await.unwrap();
    assert_eq!(keys.keys.len(), 5);
}

#[tokio::test(start_paused = true)]
async fn every_caller_of_one_instance_shares_its_quotas() {
    let kms = quota_kms(Arc::new(kms_local::LocalKms::new()), "all:5");
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let kms = Arc::clone(&kms);
            tokio::spawn(async move {
                let request = GenerateRandomRequest::new().with_number_of_bytes(8u32);
                kms.generate_random(request).await
            })
        })
        .collect();
    let mut passed = 0;
    for task in tasks {
        let result = task.await.unwrap();
        if !throttled(result) {
            passed += 1;
        }
    }
    assert_eq!(passed, 5);
    // Another instance has quotas of its own.
    let other = quota_kms(Arc::new(kms_local::LocalKms::new()), "all:5");
    let request = GenerateRandomRequest::new().with_number_of_bytes(8u32);
    other.generate_random(request).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn asymmetric_calls_count_against_their_key_types_quota() {
    let backend = Arc::new(Described::default());
    let kms = quota_kms(
        backend.clone(),
        "cryptographic:100,cryptographic-rsa:2,cryptographic-ecc:1,DescribeKey:1",
    );
    // The backend's own answer (Sign is not implemented by it) until the RSA quota is spent.
    assert!(!throttled(kms.sign(sign(RSA_1)).await));
    assert!(!throttled(kms.sign(sign(RSA_2)).await));
    assert!(throttled(kms.sign(sign(RSA_1)).await));
    assert!(!throttled(kms.sign(sign(ECC_1)).await));
    assert!(throttled(kms.sign(sign(ECC_1)).await));
    // Symmetric keys have their quota.
    let encrypt = || EncryptRequest::new(key(SYMMETRIC), SecretBytes::from(b"x".to_vec()));
    for _ in 0..50 {
        assert!(!throttled(kms.encrypt(encrypt()).await));
    }
    // Each key was described once (the lookups are not DescribeKey calls of the caller),
    // except aliases, which are looked up on every call.
    assert_eq!(backend.describes.load(Ordering::SeqCst), 4);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert!(!throttled(kms.sign(sign("alias/rsa-signer")).await));
    assert!(!throttled(kms.sign(sign("alias/rsa-signer")).await));
    assert!(throttled(kms.sign(sign("alias/rsa-signer")).await));
    assert_eq!(backend.describes.load(Ordering::SeqCst), 7);
    let describe = || kms.describe_key(DescribeKeyRequest::new(key(SYMMETRIC)));
    describe().await.unwrap();
    assert!(throttled(describe().await));
}

#[tokio::test(start_paused = true)]
async fn data_key_pairs_have_a_quota_per_spec_shared_by_both_operations() {
    let backend = Arc::new(Described::default());
    let kms = quota_kms(backend.clone(), "aws");
    let pair = |spec| GenerateDataKeyPairRequest::new(key(SYMMETRIC), spec);
    let without = |spec| GenerateDataKeyPairWithoutPlaintextRequest::new(key(SYMMETRIC), spec);
    // AWS: one RSA_2048 pair per second, 25 ECC_NIST_P256 pairs.
    assert!(!throttled(
        kms.generate_data_key_pair(pair(DataKeyPairSpec::Rsa2048))
            .await
    ));
    assert!(throttled(
        kms.generate_data_key_pair_without_plaintext(without(DataKeyPairSpec::Rsa2048))
            .await
    ));
    for _ in 0..25 {
        assert!(!throttled(
            kms.generate_data_key_pair(pair(DataKeyPairSpec::EccNistP256))
                .await
        ));
    }
    assert!(throttled(
        kms.generate_data_key_pair(pair(DataKeyPairSpec::EccNistP256))
            .await
    ));
    // One in each 10 seconds for RSA_4096.
    assert!(!throttled(
        kms.generate_data_key_pair(pair(DataKeyPairSpec::Rsa4096))
            .await
    ));
    tokio::time::advance(Duration::from_millis(9_999)).await;
    assert!(throttled(
        kms.generate_data_key_pair(pair(DataKeyPairSpec::Rsa4096))
            .await
    ));
    tokio::time::advance(Duration::from_millis(1)).await;
    assert!(!throttled(
        kms.generate_data_key_pair(pair(DataKeyPairSpec::Rsa4096))
            .await
    ));
    assert_eq!(
        backend.describes.load(Ordering::SeqCst),
        0,
        "no lookup for pairs"
    );
}

#[tokio::test(start_paused = true)]
async fn aws_quotas_throttle_the_sixth_create_key_in_a_second() {
    let kms = quota_kms(Arc::new(kms_local::LocalKms::new()), "aws");
    for _ in 0..5 {
        kms.create_symmetric_key("k").await.unwrap();
    }
    assert!(throttled(kms.create_symmetric_key("k").await));
    tokio::time::advance(Duration::from_millis(200)).await;
    kms.create_symmetric_key("k").await.unwrap();
}

#[test]
fn display_names_the_backend_and_the_plan() {
    let plan: QuotaPlan = "aws,CreateKey:1".parse().unwrap();
    let kms = QuotaKms::new(Arc::new(Described::default()), plan);
    assert_eq!(kms.to_string(), "Described with quotas [aws,CreateKey:1]");
    assert!(format!("{kms:?}").contains("plan: \"aws,CreateKey:1\""));
}
