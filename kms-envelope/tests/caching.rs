//! The caching materials manager against its limits, with a fake clock and a keyring that
//! counts its calls: exactly the expected number of underlying calls for each limit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use kms_core::{EncryptionContext, SecretBytes};
use kms_envelope::{
    AlgorithmSuite, CachingMaterialsManager, CachingMaterialsManagerBuilder, Clock,
    DecryptionMaterials, Decryptor, EncryptedDataKey, EncryptionMaterials, Encryptor, Error,
    Keyring, MaterialsCache, RawAesKeyring, Result,
};
use tokio::io::AsyncWriteExt;

/// A clock that moves only when told to.
#[derive(Debug)]
struct FakeClock {
    start: Instant,
    elapsed: Mutex<Duration>,
}

impl FakeClock {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            start: Instant::now(),
            elapsed: Mutex::new(Duration::ZERO),
        })
    }

    fn advance(&self, by: Duration) {
        *self.elapsed.lock().unwrap() += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        self.start + *self.elapsed.lock().unwrap()
    }
}

/// A raw AES keyring that counts how often it is asked for a data key, optionally slowly.
#[derive(Debug)]
struct CountingKeyring {
    inner: RawAesKeyring,
    encrypts: AtomicUsize,
    decrypts: AtomicUsize,
    delay: Duration,
}

impl CountingKeyring {
    fn new() -> Arc<Self> {
        Self::with_delay(Duration::ZERO)
    }

    fn with_delay(delay: Duration) -> Arc<Self> {
        Arc::new(Self {
            inner: RawAesKeyring::new("ns", "key", SecretBytes::from(vec![7; 32])).unwrap(),
            encrypts: AtomicUsize::new(0),
            decrypts: AtomicUsize::new(0),
            delay,
        })
    }

    fn encrypts(&self) -> usize {
        self.encrypts.load(Ordering::SeqCst)
    }

    fn decrypts(&self) -> usize {
        self.decrypts.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Keyring for CountingKeyring {
    async fn on_encrypt(&self, materials: EncryptionMaterials) -> Result<EncryptionMaterials> {
        self.encrypts.fetch_add(1, Ordering::SeqCst);
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        self.inner.on_encrypt(materials).await
    }

    async fn on_decrypt(
        &self,
        materials: DecryptionMaterials,
        encrypted_data_keys: &[EncryptedDataKey],
    ) -> Result<DecryptionMaterials> {
        self.decrypts.fetch_add(1, Ordering::SeqCst);
        self.inner.on_decrypt(materials, encrypted_data_keys).await
    }
}

const MAX_AGE: Duration = Duration::from_secs(60);

fn builder(
    keyring: &Arc<CountingKeyring>,
    clock: &Arc<FakeClock>,
) -> CachingMaterialsManagerBuilder {
    CachingMaterialsManager::from_keyring(keyring.clone(), MAX_AGE).clock(clock.clone())
}

fn encryptor(cmm: CachingMaterialsManager) -> Encryptor {
    Encryptor::from_materials_manager(Arc::new(cmm))
}

fn context(value: &str) -> EncryptionContext {
    EncryptionContext::from([("tenant", value)])
}

/// The encrypted data key of a message, as the plain keyring reads it.
async fn edk_of(keyring: &Arc<CountingKeyring>, message: &[u8]) -> Vec<EncryptedDataKey> {
    let decrypted = Decryptor::new(keyring.clone())
        .decrypt(message)
        .await
        .unwrap();
    decrypted.header().encrypted_data_keys().to_vec()
}

#[tokio::test]
async fn a_data_key_serves_until_its_maximum_age() {
    let (keyring, clock) = (CountingKeyring::new(), FakeClock::new());
    let encryptor = encryptor(builder(&keyring, &clock).build().unwrap());
    let first = encryptor.encrypt(b"one").await.unwrap();
    let second = encryptor.encrypt(b"two").await.unwrap();
    assert_eq!(keyring.encrypts(), 1);
    assert_eq!(
        edk_of(&keyring, &first).await,
        edk_of(&keyring, &second).await
    );

    clock.advance(MAX_AGE - Duration::from_millis(1));
    encryptor.encrypt(b"three").await.unwrap();
    assert_eq!(keyring.encrypts(), 1);

    clock.advance(Duration::from_millis(1));
    let fresh = encryptor.encrypt(b"four").await.unwrap();
    assert_eq!(
        keyring.encrypts(),
        2,
        "an entry of the maximum age has expired"
    );
    assert_ne!(
        edk_of(&keyring, &first).await,
        edk_of(&keyring, &fresh).await
    );
    encryptor.encrypt(b"five").await.unwrap();
    assert_eq!(keyring.encrypts(), 2);
}

#[tokio::test]
async fn a_data_key_encrypts_at_most_max_messages() {
    let (keyring, clock) = (CountingKeyring::new(), FakeClock::new());
    let encryptor = encryptor(builder(&keyring, &clock).max_messages(3).build().unwrap());
    for (n, expected) in [1, 1, 1, 2, 2, 2, 3].into_iter().enumerate() {
        encryptor.encrypt(&[0; 10]).await.unwrap();
        assert_eq!(keyring.encrypts(), expected, "after message {}", n + 1);
    }
}

#[tokio::test]
async fn a_data_key_encrypts_at_most_max_bytes() {
    let (keyring, clock) = (CountingKeyring::new(), FakeClock::new());
    let encryptor = encryptor(builder(&keyring, &clock).max_bytes(100).build().unwrap());
    // 40 + 40 fit, a third 40 would make 120.
    for (n, expected) in [1, 1, 2, 2, 3].into_iter().enumerate() {
        encryptor.encrypt(&[0; 40]).await.unwrap();
        assert_eq!(keyring.encrypts(), expected, "after message {}", n + 1);
    }
    // The entry now holds 40 bytes: 60 more reach the limit exactly and still fit.
    encryptor.encrypt(&[0; 60]).await.unwrap();
    assert_eq!(keyring.encrypts(), 3);
}

#[tokio::test]
async fn a_message_of_max_bytes_or_more_is_never_cached() {
    let (keyring, clock) = (CountingKeyring::new(), FakeClock::new());
    let encryptor = encryptor(builder(&keyring, &clock).max_bytes(100).build().unwrap());
    encryptor.encrypt(&[0; 10]).await.unwrap();
    assert_eq!(keyring.encrypts(), 1);
    for expected in [2, 3] {
        encryptor.encrypt(&[0; 100]).await.unwrap();
        assert_eq!(keyring.encrypts(), expected);
    }
    // The cached entry was left alone.
    encryptor.encrypt(&[0; 10]).await.unwrap();
    assert_eq!(keyring.encrypts(), 3);
}

#[tokio::test]
async fn a_plaintext_of_unknown_length_is_never_cached() {
    let (keyring, clock) = (CountingKeyring::new(), FakeClock::new());
    let encryptor = encryptor(builder(&keyring, &clock).build().unwrap());
    for expected in [1, 2] {
        let mut writer = encryptor.encrypting_writer(Vec::new()).await.unwrap();
        writer.write_all(b"streamed").await.unwrap();
        let message = writer.finish().await.unwrap();
        assert_eq!(keyring.encrypts(), expected);
        let decrypted = Decryptor::new(keyring.clone())
            .decrypt(&message)
            .await
            .unwrap();
        assert_eq!(decrypted.plaintext(), b"streamed");
    }
}

#[tokio::test]
async fn entries_are_per_suite_and_per_context() {
    let (keyring, clock) = (CountingKeyring::new(), FakeClock::new());
    let encryptor = encryptor(builder(&keyring, &clock).build().unwrap());
    encryptor.encrypt(b"x").await.unwrap();
    let other_context = encryptor.clone().with_encryption_context(context("a"));
    other_context.encrypt(b"x").await.unwrap();
    let signed = encryptor
        .clone()
        .with_suite(AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384);
    signed.encrypt(b"x").await.unwrap();
    assert_eq!(keyring.encrypts(), 3);
    encryptor.encrypt(b"x").await.unwrap();
    other_context.encrypt(b"x").await.unwrap();
    signed.encrypt(b"x").await.unwrap();
    assert_eq!(keyring.encrypts(), 3);
}

#[tokio::test]
async fn signed_messages_from_a_cached_key_all_verify() {
    let (keyring, clock) = (CountingKeyring::new(), FakeClock::new());
    let encryptor = encryptor(builder(&keyring, &clock).build().unwrap())
        .with_suite(AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384)
        .with_encryption_context(context("t1"));
    let decryptor = Decryptor::new(keyring.clone());
    let mut public_keys = Vec::new();
    for plaintext in [&b"first"[..], b"second", b"third"] {
        let message = encryptor.encrypt(plaintext).await.unwrap();
        let decrypted = decryptor.decrypt(&message).await.unwrap();
        assert_eq!(decrypted.plaintext(), plaintext);
        public_keys.push(
            decrypted
                .encryption_context()
                .get("aws-crypto-public-key")
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(keyring.encrypts(), 1);
    // The signing key is part of the cached materials, as in the AWS Encryption SDKs.
    assert!(public_keys.windows(2).all(|pair| pair[0] == pair[1]));
}

#[tokio::test]
async fn the_capacity_evicts_the_least_recently_used_entry() {
    let (keyring, clock) = (CountingKeyring::new(), FakeClock::new());
    let cache = Arc::new(MaterialsCache::new(2).unwrap());
    let base = encryptor(
        builder(&keyring, &clock)
            .cache(cache.clone())
            .build()
            .unwrap(),
    );
    let with = |value: &str| base.clone().with_encryption_context(context(value));
    let steps: [(&str, usize); 7] = [
        ("a", 1),
        ("b", 2),
        ("a", 2), // a is now the most recently used
        ("c", 3), // evicts b
        ("a", 3),
        ("b", 4), // evicts c
        ("c", 5), // evicts a
    ];
    for (n, (value, expected)) in steps.into_iter().enumerate() {
        with(value).encrypt(b"x").await.unwrap();
        assert_eq!(keyring.encrypts(), expected, "step {} ({value})", n + 1);
        assert!(cache.len() <= 2);
    }
}

#[tokio::test]
async fn managers_share_entries_only_within_a_partition() {
    let (keyring, clock) = (CountingKeyring::new(), FakeClock::new());
    let cache = Arc::new(MaterialsCache::new(10).unwrap());
    let make = |partition: &str| {
        encryptor(
            builder(&keyring, &clock)
                .cache(cache.clone())
                .partition_id(partition)
                .build()
                .unwrap(),
        )
    };
    let (first, same, other) = (make("p"), make("p"), make("q"));
    first.encrypt(b"x").await.unwrap();
    same.encrypt(b"x").await.unwrap();
    assert_eq!(keyring.encrypts(), 1);
    other.encrypt(b"x").await.unwrap();
    assert_eq!(keyring.encrypts(), 2);
    // Without a partition id, each manager has its own.
    encryptor(
        builder(&keyring, &clock)
            .cache(cache.clone())
            .build()
            .unwrap(),
    )
    .encrypt(b"x")
    .await
    .unwrap();
    assert_eq!(keyring.encrypts(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_encrypts_on_an_empty_cache_make_one_call() {
    let (keyring, clock) = (
        CountingKeyring::with_delay(Duration::from_millis(50)),
        FakeClock::new(),
    );
    let encryptor = encryptor(builder(&keyring, &clock).build().unwrap());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let encryptor = encryptor.clone();
            tokio::spawn(async move { encryptor.encrypt(b"concurrent").await })
        })
        .collect();
    let mut messages = Vec::new();
    for task in tasks {
        messages.push(task.await.unwrap().unwrap());
    }
    assert_eq!(keyring.encrypts(), 1);
    let decryptor = Decryptor::new(keyring.clone());
    for message in &messages {
        assert_eq!(
            decryptor.decrypt(message).await.unwrap().plaintext(),
            b"concurrent"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_encrypts_respect_max_messages() {
    let (keyring, clock) = (
        CountingKeyring::with_delay(Duration::from_millis(20)),
        FakeClock::new(),
    );
    let encryptor = encryptor(builder(&keyring, &clock).max_messages(4).build().unwrap());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let encryptor = encryptor.clone();
            tokio::spawn(async move { encryptor.encrypt(b"x").await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(keyring.encrypts(), 4);
}

#[tokio::test]
async fn decryption_materials_are_cached_by_age_only() {
    let (keyring, clock) = (CountingKeyring::new(), FakeClock::new());
    let message = Encryptor::new(keyring.clone())
        .with_encryption_context(context("t1"))
        .encrypt(b"secret")
        .await
        .unwrap();
    let cmm = Arc::new(builder(&keyring, &clock).max_messages(1).build().unwrap());
    let decryptor = Decryptor::from_materials_manager(cmm);
    for _ in 0..5 {
        assert_eq!(
            decryptor.decrypt(&message).await.unwrap().plaintext(),
            b"secret"
        );
    }
    assert_eq!(
        keyring.decrypts(),
        1,
        "message limits do not apply to decryption"
    );
    clock.advance(MAX_AGE);
    decryptor.decrypt(&message).await.unwrap();
    assert_eq!(keyring.decrypts(), 2);

    // Another message has other encrypted data keys: another entry.
    let other = Encryptor::new(keyring.clone())
        .encrypt(b"other")
        .await
        .unwrap();
    decryptor.decrypt(&other).await.unwrap();
    decryptor.decrypt(&other).await.unwrap();
    assert_eq!(keyring.decrypts(), 3);
}

#[tokio::test]
async fn a_cached_decryption_still_checks_the_required_pairs() {
    let (keyring, clock) = (CountingKeyring::new(), FakeClock::new());
    let message = Encryptor::new(keyring.clone())
        .with_encryption_context(context("t1"))
        .encrypt(b"secret")
        .await
        .unwrap();
    let cmm = Arc::new(builder(&keyring, &clock).build().unwrap());
    let decryptor = Decryptor::from_materials_manager(cmm);
    decryptor.decrypt(&message).await.unwrap();
    let wrong = decryptor.with_required_encryption_context(context("t2"));
    assert!(matches!(
        wrong.decrypt(&message).await,
        Err(Error::ContextMismatch { .. })
    ));
}

#[test]
fn out_of_range_limits_are_refused() {
    let keyring = CountingKeyring::new();
    let clock = FakeClock::new();
    let cases: [(CachingMaterialsManagerBuilder, &str); 4] = [
        (
            CachingMaterialsManager::from_keyring(keyring.clone(), Duration::ZERO),
            "maximum age",
        ),
        (
            builder(&keyring, &clock).max_messages(0),
            "maximum messages",
        ),
        (
            builder(&keyring, &clock).max_messages((1 << 32) + 1),
            "maximum messages",
        ),
        (
            builder(&keyring, &clock).max_bytes(u64::MAX),
            "maximum bytes",
        ),
    ];
    for (builder, what) in cases {
        let err = builder.build().unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
        assert!(err.to_string().contains(what), "{err}");
    }
    assert!(
        builder(&keyring, &clock)
            .max_messages(1 << 32)
            .build()
            .is_ok()
    );
    assert!(
        builder(&keyring, &clock)
            .max_bytes(i64::MAX as u64)
            .build()
            .is_ok()
    );
    let err = MaterialsCache::new(0).unwrap_err();
    assert!(err.to_string().contains("capacity"), "{err}");
}

#[test]
fn debug_output_shows_no_key() {
    let keyring = CountingKeyring::new();
    let cmm = builder(&keyring, &FakeClock::new())
        .partition_id("visible")
        .build()
        .unwrap();
    let debug = format!("{cmm:?}");
    assert!(debug.contains("visible"), "{debug}");
    assert!(!debug.contains("[7, 7"), "{debug}");
}

#[tokio::test]
async fn ten_thousand_messages_under_a_kms_keyring_make_one_generate_data_key_call() {
    use kms_core::{Kms, KmsExt};
    use kms_envelope::KmsKeyring;
    use kms_local::{LocalKms, audit::MemoryAuditLog};

    let log = MemoryAuditLog::new();
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::builder().audit(log.clone()).build().unwrap());
    let key = kms.create_symmetric_key("cached").await.unwrap();
    let keyring = Arc::new(KmsKeyring::new(
        kms,
        key.arn.unwrap_or_default().parse().unwrap(),
    ));
    let cmm = CachingMaterialsManager::from_keyring(keyring.clone(), Duration::from_secs(300))
        .build()
        .unwrap();
    let encryptor = Encryptor::from_materials_manager(Arc::new(cmm));
    let plaintext = [0x5a; 1024];
    let mut message = Vec::new();
    for _ in 0..10_000 {
        encryptor
            .encrypt_into(&plaintext, &mut message)
            .await
            .unwrap();
    }
    let calls = |name: &str| {
        log.events()
            .iter()
            .filter(|event| event.event_name == name)
            .count()
    };
    assert_eq!(calls("GenerateDataKey"), 1);
    let decrypted = Decryptor::new(keyring).decrypt(&message).await.unwrap();
    assert_eq!(decrypted.plaintext(), plaintext);
    assert_eq!(calls("Decrypt"), 1);
}
