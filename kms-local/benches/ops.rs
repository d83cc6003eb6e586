//! Cost of the local backend's cryptographic operations against the bare aws-lc-rs operations
//! they are built on (AES-256-GCM; ECDSA P-256 and RSA-2048 PSS signatures, HMAC-SHA-256,
//! RSA-2048 OAEP decryption, each on the very key the backend holds), and how Encrypt scales
//! from one task to two.
//!
//! Run with `cargo bench -p kms-local --bench ops`. Compare each `local/*` figure with its
//! `bare/*` baseline of the same run; compare `scaling-encrypt/2 tasks` with
//! `scaling-encrypt/1 task` in elements per second, and that ratio with the one of
//! `scaling-bare-seal`, the ceiling the machine's cores give to bare AES-GCM.
//!
//! The `local/*` routines time what an application pays per call in a steady loop: building
//! the request (its context included), the operation, and dropping the response. The future
//! is polled once with a no-op waker, since the local backend never waits. The
//! `caller/build-and-drop-request` figures show how much of that is the request itself.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kms_core::{
    CreateKeyRequest, DataKeySpec, DecryptRequest, EncryptRequest, EncryptionAlgorithmSpec,
    EncryptionContext, GenerateDataKeyRequest, GenerateMacRequest, GetPublicKeyRequest, KeyId,
    KeySpec, KeyUsage, Kms, KmsExt, MacAlgorithmSpec, SecretBytes, SignRequest,
    SigningAlgorithmSpec, VerifyRequest,
};
use kms_local::LocalKms;
use tokio::runtime::{Builder, Runtime};

const PLAINTEXT: [u8; 32] = [0x5a; 32];

fn context() -> EncryptionContext {
    EncryptionContext::new()
        .with("tenant", "acme")
        .with("purpose", "bench")
}

fn runtime(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .unwrap()
}

fn setup(rt: &Runtime) -> (LocalKms, KeyId) {
    let kms = LocalKms::new();
    let key = rt.block_on(kms.create_symmetric_key("bench")).unwrap();
    let key_id = KeyId::parse(&key.key_id).unwrap();
    (kms, key_id)
}

/// The output of a future that completes on its first poll, as every local operation does.
fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a local operation waited"),
    }
}

fn bare_key() -> LessSafeKey {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).unwrap();
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &bytes).unwrap())
}

fn bare_seal(key: &LessSafeKey, plaintext: &[u8]) -> (Vec<u8>, [u8; NONCE_LEN]) {
    let mut nonce = [0u8; NONCE_LEN];
    aws_lc_rs::rand::fill(&mut nonce).unwrap();
    let mut buffer = Vec::with_capacity(plaintext.len() + 16);
    buffer.extend_from_slice(plaintext);
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::empty(),
        &mut buffer,
    )
    .unwrap();
    (buffer, nonce)
}

fn versus_bare_crypto(c: &mut Criterion) {
    let rt = runtime(1);
    let (kms, key_id) = setup(&rt);
    let bare = bare_key();
    let (sealed, nonce) = bare_seal(&bare, &PLAINTEXT);
    let blob = rt
        .block_on(kms.encrypt(
            EncryptRequest::new(key_id.clone(), &PLAINTEXT).with_encryption_context(context()),
        ))
        .unwrap()
        .ciphertext_blob;

    let mut group = c.benchmark_group("encrypt-32B");
    group.bench_function("bare/seal", |b| {
        b.iter(|| black_box(bare_seal(&bare, black_box(&PLAINTEXT))))
    });
    group.bench_function("caller/build-and-drop-request", |b| {
        b.iter(|| {
            black_box(
                EncryptRequest::new(key_id.clone(), &PLAINTEXT).with_encryption_context(context()),
            )
        })
    });
    group.bench_function("local/encrypt", |b| {
        b.to_async(&rt).iter(|| async {
            let request =
                EncryptRequest::new(key_id.clone(), &PLAINTEXT).with_encryption_context(context());
            black_box(kms.encrypt(request).await.unwrap())
        })
    });
    group.finish();

    let mut group = c.benchmark_group("decrypt-32B");
    group.bench_function("bare/open", |b| {
        b.iter(|| {
            let mut buffer = sealed.clone();
            let nonce = Nonce::assume_unique_for_key(nonce);
            let plaintext = bare
                .open_in_place(nonce, Aad::empty(), &mut buffer)
                .unwrap();
            black_box(plaintext.len())
        })
    });
    group.bench_function("caller/build-and-drop-request", |b| {
        b.iter(|| black_box(DecryptRequest::new(blob.clone()).with_encryption_context(context())))
    });
    group.bench_function("local/decrypt", |b| {
        b.iter(|| {
            let request = DecryptRequest::new(blob.clone()).with_encryption_context(context());
            black_box(ready(kms.decrypt(request)).unwrap())
        })
    });
    group.finish();

    let mut group = c.benchmark_group("generate-data-key-AES_256");
    group.bench_function("bare/random-key-and-seal", |b| {
        b.iter(|| {
            let mut data_key = [0u8; 32];
            aws_lc_rs::rand::fill(&mut data_key).unwrap();
            black_box(bare_seal(&bare, &data_key))
        })
    });
    group.bench_function("local/generate_data_key", |b| {
        b.iter(|| {
            let request = GenerateDataKeyRequest::new(key_id.clone())
                .with_key_spec(DataKeySpec::Aes256)
                .with_encryption_context(context());
            black_box(ready(kms.generate_data_key(request)).unwrap())
        })
    });
    group.finish();
}

/// Time for `tasks` tasks to do `per_task` Encrypts each on the same key, in parallel.
async fn encrypt_in_parallel(
    kms: &LocalKms,
    key_id: &KeyId,
    tasks: u64,
    per_task: u64,
) -> Duration {
    let start = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let kms: Arc<dyn Kms> = Arc::new(kms.clone());
            let key_id = key_id.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    let request = EncryptRequest::new(key_id.clone(), &PLAINTEXT)
                        .with_encryption_context(context());
                    black_box(kms.encrypt(request).await.unwrap());
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap();
    }
    start.elapsed()
}

/// Time for `threads` threads to do `per_thread` bare seals each, in parallel: the ceiling the
/// machine itself puts on scaling.
fn bare_seal_in_parallel(key: &LessSafeKey, threads: u64, per_thread: u64) -> Duration {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..per_thread {
                    black_box(bare_seal(key, &PLAINTEXT));
                }
            });
        }
    });
    start.elapsed()
}

fn scaling(c: &mut Criterion) {
    let bare = bare_key();
    let per_thread = 2_000;
    let mut group = c.benchmark_group("scaling-bare-seal");
    for threads in [1u64, 2] {
        group.throughput(Throughput::Elements(threads * per_thread));
        let name = if threads == 1 {
            "1 thread"
        } else {
            "2 threads"
        };
        group.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                (0..iterations)
                    .map(|_| bare_seal_in_parallel(&bare, threads, per_thread))
                    .sum()
            })
        });
    }
    group.finish();

    let rt = runtime(2);
    let (kms, key_id) = setup(&rt);
    let per_task = 2_000;
    let mut group = c.benchmark_group("scaling-encrypt");
    for tasks in [1u64, 2] {
        group.throughput(Throughput::Elements(tasks * per_task));
        let name = if tasks == 1 { "1 task" } else { "2 tasks" };
        group.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iterations {
                        total += encrypt_in_parallel(&kms, &key_id, tasks, per_task).await;
                    }
                    total
                })
            })
        });
    }
    group.finish();
}

/// A durable store in a fresh temporary directory.
fn durable_store(rt: &Runtime, name: &str) -> (LocalKms, KeyId, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("kms-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let kms = LocalKms::builder()
        .path(&dir)
        .root_key(kms_core::SecretBytes::from(&[9u8; 32]))
        .build()
        .unwrap();
    let key = rt.block_on(kms.create_symmetric_key("bench")).unwrap();
    (kms, KeyId::parse(&key.key_id).unwrap(), dir)
}

fn durable_versus_memory(c: &mut Criterion) {
    let rt = runtime(1);
    let (memory, memory_key) = setup(&rt);
    let (durable, durable_key, dir) = durable_store(&rt, "ops");
    let mut group = c.benchmark_group("store-encrypt-32B");
    for (name, kms, key_id) in [
        ("memory", &memory, &memory_key),
        ("durable", &durable, &durable_key),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let request = EncryptRequest::new(key_id.clone(), &PLAINTEXT)
                    .with_encryption_context(context());
                black_box(ready(kms.encrypt(request)).unwrap())
            })
        });
    }
    group.finish();

    let _ = std::fs::remove_dir_all(&dir);

    // CreateKey, on fresh stores of at most 10,000 keys (a store holds at most 100,000).
    let mut group = c.benchmark_group("store-create-key");
    group.sample_size(20);
    group.bench_function("bare/append-and-fdatasync-512B", |b| {
        use std::io::Write;
        let path = std::env::temp_dir().join(format!("kms-bench-fsync-{}", std::process::id()));
        let mut file = std::fs::File::create(&path).unwrap();
        b.iter(|| {
            file.write_all(&[0u8; 512]).unwrap();
            file.sync_data().unwrap();
        });
        let _ = std::fs::remove_file(&path);
    });
    for name in ["memory", "durable"] {
        group.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                let mut left = iterations;
                while left > 0 {
                    let (kms, _, dir) = match name {
                        "memory" => {
                            let (kms, key) = setup(&rt);
                            (kms, key, std::path::PathBuf::new())
                        }
                        _ => durable_store(&rt, "create"),
                    };
                    let chunk = left.min(10_000);
                    let start = Instant::now();
                    for _ in 0..chunk {
                        black_box(ready(kms.create_symmetric_key("bench")).unwrap());
                    }
                    total += start.elapsed();
                    left -= chunk;
                    if name == "durable" {
                        let _ = std::fs::remove_dir_all(&dir);
                    }
                }
                total
            })
        });
    }
    group.finish();
}

/// A key of `spec` for `usage` in `kms`, and its secret as `insecure::export_seed` gives it
/// (PKCS#8 DER, or the HMAC key's bytes), to build the bare aws-lc-rs objects from.
fn key_of_kind(rt: &Runtime, kms: &LocalKms, spec: KeySpec, usage: KeyUsage) -> (KeyId, Vec<u8>) {
    use base64::Engine;
    let request = CreateKeyRequest::new()
        .with_key_spec(spec)
        .with_key_usage(usage);
    let key_id = rt
        .block_on(kms.create_key(request))
        .unwrap()
        .key_metadata
        .key_id;
    let key_id = KeyId::parse(&key_id).unwrap();
    let seed = kms_local::insecure::export_seed(kms, std::slice::from_ref(&key_id)).unwrap();
    let secret = base64::engine::general_purpose::STANDARD
        .decode(&seed.keys[0].material)
        .unwrap();
    (key_id, secret)
}

fn public_key(rt: &Runtime, kms: &LocalKms, key_id: &KeyId) -> Vec<u8> {
    rt.block_on(kms.get_public_key(GetPublicKeyRequest::new(key_id.clone())))
        .unwrap()
        .public_key
}

/// `Sign` and `Verify` through the backend against bare aws-lc-rs on the same key: `local/*`
/// pays the request, the key lookup and the response on top of the `bare/*` operation.
fn signing_versus_bare(c: &mut Criterion) {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{self, EcdsaKeyPair, ParsedPublicKey, RsaKeyPair};

    let rt = runtime(1);
    let kms = LocalKms::new();
    let rng = SystemRandom::new();

    let (ecdsa_key, pkcs8) = key_of_kind(&rt, &kms, KeySpec::EccNistP256, KeyUsage::SignVerify);
    let bare_ecdsa =
        EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8).unwrap();
    let ecdsa_public = ParsedPublicKey::new(
        &signature::ECDSA_P256_SHA256_ASN1,
        public_key(&rt, &kms, &ecdsa_key),
    )
    .unwrap();
    let (rsa_key, pkcs8) = key_of_kind(&rt, &kms, KeySpec::Rsa2048, KeyUsage::SignVerify);
    let bare_rsa = RsaKeyPair::from_pkcs8(&pkcs8).unwrap();
    let rsa_public = ParsedPublicKey::new(
        &signature::RSA_PSS_2048_8192_SHA256,
        public_key(&rt, &kms, &rsa_key),
    )
    .unwrap();

    let sign = |key_id: &KeyId, algorithm: SigningAlgorithmSpec| {
        let request = SignRequest::new(key_id.clone(), &PLAINTEXT, algorithm);
        ready(kms.sign(request)).unwrap().signature
    };
    let verify = |key_id: &KeyId, algorithm: SigningAlgorithmSpec, signature: &[u8]| {
        let request = VerifyRequest::new(key_id.clone(), &PLAINTEXT, signature.to_vec(), algorithm);
        ready(kms.verify(request)).unwrap()
    };

    let mut group = c.benchmark_group("sign-ecdsa-p256-32B");
    group.bench_function("bare/sign", |b| {
        b.iter(|| black_box(bare_ecdsa.sign(&rng, black_box(&PLAINTEXT)).unwrap()))
    });
    group.bench_function("local/sign", |b| {
        b.iter(|| black_box(sign(&ecdsa_key, SigningAlgorithmSpec::EcdsaSha256)))
    });
    group.finish();

    let ecdsa_signature = sign(&ecdsa_key, SigningAlgorithmSpec::EcdsaSha256);
    let mut group = c.benchmark_group("verify-ecdsa-p256-32B");
    group.bench_function("bare/verify", |b| {
        b.iter(|| {
            ecdsa_public
                .verify_sig(black_box(&PLAINTEXT), &ecdsa_signature)
                .unwrap()
        })
    });
    group.bench_function("local/verify", |b| {
        b.iter(|| {
            black_box(verify(
                &ecdsa_key,
                SigningAlgorithmSpec::EcdsaSha256,
                &ecdsa_signature,
            ))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("sign-rsa2048-pss-sha256-32B");
    group.bench_function("bare/sign", |b| {
        b.iter(|| {
            let mut out = vec![0u8; bare_rsa.public_modulus_len()];
            bare_rsa
                .sign(
                    &signature::RSA_PSS_SHA256,
                    &rng,
                    black_box(&PLAINTEXT),
                    &mut out,
                )
                .unwrap();
            black_box(out)
        })
    });
    group.bench_function("local/sign", |b| {
        b.iter(|| black_box(sign(&rsa_key, SigningAlgorithmSpec::RsassaPssSha256)))
    });
    group.finish();

    let rsa_signature = sign(&rsa_key, SigningAlgorithmSpec::RsassaPssSha256);
    let mut group = c.benchmark_group("verify-rsa2048-pss-sha256-32B");
    group.bench_function("bare/verify", |b| {
        b.iter(|| {
            rsa_public
                .verify_sig(black_box(&PLAINTEXT), &rsa_signature)
                .unwrap()
        })
    });
    group.bench_function("local/verify", |b| {
        b.iter(|| {
            black_box(verify(
                &rsa_key,
                SigningAlgorithmSpec::RsassaPssSha256,
                &rsa_signature,
            ))
        })
    });
    group.finish();
}

/// `GenerateMac` and RSA OAEP `Decrypt` through the backend against bare aws-lc-rs on the
/// same key.
fn mac_and_oaep_versus_bare(c: &mut Criterion) {
    use aws_lc_rs::hmac;
    use aws_lc_rs::rsa::{OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, PrivateDecryptingKey};

    let rt = runtime(1);
    let kms = LocalKms::new();

    let (mac_key, secret) = key_of_kind(&rt, &kms, KeySpec::Hmac256, KeyUsage::GenerateVerifyMac);
    let bare_mac = hmac::Key::new(hmac::HMAC_SHA256, &secret);
    // A short message, where the fixed cost of a call shows (the caller's part of it is the
    // request it builds and drops), and a long one, where hashing dominates.
    let long_message = [0x5au8; 1024];
    for (name, message) in [
        ("generate-mac-hmac-sha256-32B", &PLAINTEXT[..]),
        ("generate-mac-hmac-sha256-1KiB", &long_message[..]),
    ] {
        let request = || {
            GenerateMacRequest::new(
                SecretBytes::from(message),
                mac_key.clone(),
                MacAlgorithmSpec::HmacSha256,
            )
        };
        let mut group = c.benchmark_group(name);
        group.bench_function("bare/sign", |b| {
            b.iter(|| black_box(hmac::sign(&bare_mac, black_box(message))))
        });
        group.bench_function("caller/build-and-drop-request", |b| {
            b.iter(|| black_box(request()))
        });
        group.bench_function("local/generate_mac", |b| {
            b.iter(|| black_box(ready(kms.generate_mac(request())).unwrap()))
        });
        group.finish();
    }

    let (rsa_key, pkcs8) = key_of_kind(&rt, &kms, KeySpec::Rsa2048, KeyUsage::EncryptDecrypt);
    let bare_rsa =
        OaepPrivateDecryptingKey::new(PrivateDecryptingKey::from_pkcs8(&pkcs8).unwrap()).unwrap();
    let algorithm = EncryptionAlgorithmSpec::RsaesOaepSha256;
    let ciphertext = rt
        .block_on(
            kms.encrypt(
                EncryptRequest::new(rsa_key.clone(), &PLAINTEXT)
                    .with_encryption_algorithm(algorithm.clone()),
            ),
        )
        .unwrap()
        .ciphertext_blob;
    let mut group = c.benchmark_group("decrypt-rsa2048-oaep-sha256-32B");
    group.bench_function("bare/decrypt", |b| {
        b.iter(|| {
            let mut out = vec![0u8; bare_rsa.min_output_size()];
            let plaintext = bare_rsa
                .decrypt(&OAEP_SHA256_MGF1SHA256, &ciphertext, &mut out, None)
                .unwrap();
            black_box(plaintext.len())
        })
    });
    group.bench_function("local/decrypt", |b| {
        b.iter(|| {
            let request = DecryptRequest::new(ciphertext.clone())
                .with_key_id(rsa_key.clone())
                .with_encryption_algorithm(algorithm.clone());
            black_box(ready(kms.decrypt(request)).unwrap())
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    versus_bare_crypto,
    signing_versus_bare,
    mac_and_oaep_versus_bare,
    scaling,
    durable_versus_memory
);
criterion_main!(benches);
