//! `AwsKms` under injected throttling: with the SDK's standard and adaptive retry modes every
//! operation completes; without retries some fail with `Error::Throttling`. Hermetic: a
//! `TestServer` on 127.0.0.1 over the local backend, half of whose calls are throttled.
//!
//! The standard mode runs on the real clock with a backoff of milliseconds. The adaptive
//! mode's client-side rate limiter slows the client down to as little as one request in two
//! seconds after a run of throttling, whatever the backoff; its test gives the client a clock
//! that skips its waits instead of sleeping (time still passes for the limiter, which sees
//! each wait as done), so that the limiter's logic runs in full in well under a second.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::config::timeout::TimeoutConfig;
use aws_sdk_kms::config::{AsyncSleep, BehaviorVersion, Credentials, Region, Sleep};
use aws_smithy_async::time::TimeSource;
use kms_aws::AwsKms;
use kms_core::{EncryptionContext, Error, KmsExt};
use kms_faults::FaultyKms;
use kms_local::LocalKms;
use kms_server::TestServer;

/// Operations each run makes: one CreateKey, then Encrypt and Decrypt in turn.
const OPERATIONS: usize = 50;

/// A server whose backend throttles half of all calls, reproducibly, and the count of the
/// calls it throttled.
async fn throttling_server() -> (TestServer, Arc<AtomicU64>) {
    let plan = "throttling:0.5,seed:11".parse().unwrap();
    let throttled = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&throttled);
    let kms = FaultyKms::new(Arc::new(LocalKms::new()), plan).with_observer(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    (TestServer::start(kms).await.unwrap(), throttled)
}

/// `AwsKms` for `server` with `retry` (backoff in milliseconds, so that the test is fast).
async fn aws_kms(server: &TestServer, retry: RetryConfig) -> AwsKms {
    build(client_config(server), retry).await
}

/// The client's configuration for `server`, any credentials.
fn client_config(server: &TestServer) -> aws_sdk_kms::config::Builder {
    aws_sdk_kms::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDANY",
            "any secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(server.endpoint_url())
}

/// `AwsKms` with this client configuration and `retry`.
async fn build(config: aws_sdk_kms::config::Builder, retry: RetryConfig) -> AwsKms {
    AwsKms::builder()
        .with_client(aws_sdk_kms::Client::from_conf(config.build()))
        .with_retry_config(retry)
        .build()
        .await
        .unwrap()
}

/// The wall clock plus every wait the client asked for, which ends at once: the client's
/// time source and sleep.
#[derive(Debug, Clone, Default)]
struct SkippingClock {
    skipped_ns: Arc<AtomicU64>,
}

impl TimeSource for SkippingClock {
    fn now(&self) -> SystemTime {
        SystemTime::now() + Duration::from_nanos(self.skipped_ns.load(Ordering::SeqCst))
    }
}

impl AsyncSleep for SkippingClock {
    fn sleep(&self, duration: Duration) -> Sleep {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.skipped_ns.fetch_add(nanos, Ordering::SeqCst);
        Sleep::new(std::future::ready(()))
    }
}

/// Fast backoff: 1 ms to start, at most 20 ms.
fn fast(retry: RetryConfig) -> RetryConfig {
    retry
        .with_max_attempts(10)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(20))
}

/// Runs the operations; the error of each that failed.
async fn run(kms: &AwsKms) -> Vec<Error> {
    let mut errors = Vec::new();
    let key = match kms.create_symmetric_key("retried").await {
        Ok(key) => key.key_id,
        Err(err) => return vec![err],
    };
    let context = EncryptionContext::new().with("run", "retries");
    let mut blob: Option<Vec<u8>> = None;
    for index in 1..OPERATIONS {
        let result = match (&blob, index % 2) {
            (Some(ciphertext), 0) => kms
                .decrypt_bytes(ciphertext, &context)
                .await
                .map(|plaintext| assert_eq!(plaintext.expose_secret(), b"payload")),
            _ => kms
                .encrypt_bytes(&key, b"payload", &context)
                .await
                .map(|ciphertext| blob = Some(ciphertext)),
        };
        if let Err(err) = result {
            errors.push(err);
        }
    }
    errors
}

#[tokio::test]
async fn the_standard_retry_mode_completes_every_operation() {
    let (server, throttled) = throttling_server().await;
    let kms = aws_kms(&server, fast(RetryConfig::standard())).await;
    let errors = run(&kms).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        throttled.load(Ordering::SeqCst) >= 25,
        "{throttled:?} calls throttled"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_adaptive_retry_mode_completes_every_operation() {
    let (server, throttled) = throttling_server().await;
    let clock = SkippingClock::default();
    // No timeouts: they would run on the skipping clock too.
    let config = client_config(&server)
        .time_source(clock.clone())
        .sleep_impl(clock.clone())
        .timeout_config(TimeoutConfig::disabled());
    let kms = build(config, fast(RetryConfig::adaptive())).await;
    let errors = run(&kms).await;
    assert!(errors.is_empty(), "{errors:?}");
    // The rate limiter made the client wait (seconds, skipped).
    let waited = Duration::from_nanos(clock.skipped_ns.load(Ordering::SeqCst));
    assert!(waited > Duration::from_secs(1), "{waited:?}");
    assert!(
        throttled.load(Ordering::SeqCst) >= 25,
        "{throttled:?} calls throttled"
    );
    server.stop().await;
}

#[tokio::test]
async fn without_retries_the_throttled_calls_fail_with_throttling() {
    let (server, _) = throttling_server().await;
    let kms = aws_kms(&server, RetryConfig::disabled()).await;
    // CreateKey may be throttled too: try until a run gets past it.
    let mut errors = run(&kms).await;
    while errors.len() == 1
        && errors
            .first()
            .is_some_and(|e| e.code() == "ThrottlingException")
    {
        errors = run(&kms).await;
    }
    assert!(errors.len() > 5, "{errors:?}");
    for err in &errors {
        assert!(matches!(err, Error::Throttling { .. }), "{err:?}");
        assert!(err.is_retryable());
        assert_eq!(
            err.message(),
            "You have exceeded the rate at which you may call KMS. Reduce the frequency of your \
             calls."
        );
    }
    server.stop().await;
}
