//! What `AwsKms` adds to a call: Encrypt, Decrypt and GenerateDataKey through `AwsKms`
//! against the same calls made directly with `aws_sdk_kms::Client`, both over one client
//! (one connection pool) to a `moto_server` on 127.0.0.1, in the same run.
//!
//! ```text
//! scripts/with-moto.sh cargo bench -p kms-aws --bench moto
//! ```
//!
//! `scripts/with-moto.sh` starts moto and sets `KMS_TEST_MOTO_URL`; without it the bench
//! stops at once, saying so. Each group holds the two ways of making the call, so their
//! times compare directly: the target is at most 5% more wall time per call for `AwsKms`.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark stops at the first failure, saying what failed"
)]

use std::time::Duration;

use aws_sdk_kms::Client;
use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec as SdkDataKeySpec;
use criterion::{Criterion, criterion_group, criterion_main};
use kms_aws::AwsKms;
use kms_core::{
    CreateKeyRequest, DataKeySpec, DecryptRequest, EncryptRequest, GenerateDataKeyRequest, KeyId,
    Kms,
};
use tokio::runtime::Runtime;

/// The bytes every Encrypt sends.
const PLAINTEXT: &[u8] = &[0x42; 256];

/// What the benchmarks share: the raw client, the backend over the same client, and a key
/// with a ciphertext.
struct Setup {
    client: Client,
    kms: AwsKms,
    key_arn: String,
    ciphertext: Vec<u8>,
}

fn setup(runtime: &Runtime) -> Setup {
    let url = std::env::var("KMS_TEST_MOTO_URL").unwrap_or_else(|_| {
        panic!(
            "KMS_TEST_MOTO_URL is not set: run `scripts/with-moto.sh cargo bench -p kms-aws \
             --bench moto`, which starts a moto_server on 127.0.0.1"
        )
    });
    runtime.block_on(async {
        let config = aws_config::SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "testing", "testing", None, None, "moto",
            )))
            .build();
        let client = Client::from_conf(
            aws_sdk_kms::config::Builder::from(&config)
                .endpoint_url(url)
                .build(),
        );
        let kms = AwsKms::builder()
            .with_client(client.clone())
            .build()
            .await
            .expect("AwsKms over the client");
        let key_arn = kms
            .create_key(CreateKeyRequest::new().with_description("kms-aws bench"))
            .await
            .expect("CreateKey")
            .key_metadata
            .arn
            .expect("the key's ARN");
        let request = EncryptRequest::new(KeyId::parse(&key_arn).expect("key ARN"), PLAINTEXT);
        let ciphertext = kms.encrypt(request).await.expect("Encrypt").ciphertext_blob;
        Setup {
            client,
            kms,
            key_arn,
            ciphertext,
        }
    })
}

fn bench(c: &mut Criterion) {
    let runtime = Runtime::new().expect("a tokio runtime");
    let setup = setup(&runtime);
    let key = KeyId::parse(&setup.key_arn).expect("key ARN");

    let mut group = c.benchmark_group("encrypt");
    group.bench_function("aws_sdk_kms::Client", |b| {
        b.to_async(&runtime).iter(|| async {
            setup
                .client
                .encrypt()
                .key_id(&setup.key_arn)
                .plaintext(Blob::new(PLAINTEXT))
                .send()
                .await
                .expect("Encrypt")
        });
    });
    group.bench_function("AwsKms", |b| {
        b.to_async(&runtime).iter(|| async {
            let request = EncryptRequest::new(&key, PLAINTEXT);
            setup.kms.encrypt(request).await.expect("Encrypt")
        });
    });
    group.finish();

    let mut group = c.benchmark_group("decrypt");
    group.bench_function("aws_sdk_kms::Client", |b| {
        b.to_async(&runtime).iter(|| async {
            setup
                .client
                .decrypt()
                .ciphertext_blob(Blob::new(setup.ciphertext.clone()))
                .send()
                .await
                .expect("Decrypt")
        });
    });
    group.bench_function("AwsKms", |b| {
        b.to_async(&runtime).iter(|| async {
            let request = DecryptRequest::new(setup.ciphertext.clone());
            setup.kms.decrypt(request).await.expect("Decrypt")
        });
    });
    group.finish();

    let mut group = c.benchmark_group("generate_data_key");
    group.bench_function("aws_sdk_kms::Client", |b| {
        b.to_async(&runtime).iter(|| async {
            setup
                .client
                .generate_data_key()
                .key_id(&setup.key_arn)
                .key_spec(SdkDataKeySpec::Aes256)
                .send()
                .await
                .expect("GenerateDataKey")
        });
    });
    group.bench_function("AwsKms", |b| {
        b.to_async(&runtime).iter(|| async {
            let request = GenerateDataKeyRequest::new(&key).with_key_spec(DataKeySpec::Aes256);
            setup
                .kms
                .generate_data_key(request)
                .await
                .expect("GenerateDataKey")
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(200)
        .warm_up_time(Duration::from_secs(3))
        .measurement_time(Duration::from_secs(12));
    targets = bench
}
criterion_main!(benches);
