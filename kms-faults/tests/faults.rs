//! The fault layer over a backend that counts the calls reaching it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail by panicking"
)]

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kms_core::{
    DynKms, Error, GenerateRandomRequest, GenerateRandomResponse, Kms, Result, SecretBytes,
};
use kms_faults::{FaultKind, FaultPlan, FaultyKms, InjectedFault};

/// Answers GenerateRandom and counts the calls that reach it.
#[derive(Debug, Default)]
struct Counting {
    calls: AtomicUsize,
}

impl fmt::Display for Counting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Counting")
    }
}

#[async_trait::async_trait]
impl Kms for Counting {
    async fn generate_random(
        &self,
        _request: GenerateRandomRequest,
    ) -> Result<GenerateRandomResponse> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(GenerateRandomResponse::new(SecretBytes::from(vec![7u8; 4])))
    }
}

fn faulty(plan: &str) -> (Arc<Counting>, FaultyKms) {
    let backend = Arc::new(Counting::default());
    let inner: Arc<DynKms> = backend.clone();
    (backend, FaultyKms::new(inner, plan.parse().unwrap()))
}

/// The outcome of `calls` GenerateRandom calls: the error code of each failed call, `None`
/// for each that went through.
async fn outcomes(kms: &FaultyKms, calls: usize) -> Vec<Option<&'static str>> {
    let mut outcomes = Vec::with_capacity(calls);
    for _ in 0..calls {
        let request = GenerateRandomRequest::new().with_number_of_bytes(4u32);
        outcomes.push(kms.generate_random(request).await.err().map(|e| e.code()));
    }
    outcomes
}

#[tokio::test]
async fn a_seed_makes_the_same_calls_meet_the_same_faults() {
    let plan = "throttling:0.2,internal:0.1,dependency-timeout:0.05,key-unavailable:0.05,seed:99";
    let (_, first) = faulty(plan);
    let (_, second) = faulty(plan);
    let (_, other_seed) = faulty(&plan.replace("seed:99", "seed:100"));
    let first = outcomes(&first, 2000).await;
    assert_eq!(first, outcomes(&second, 2000).await);
    assert_ne!(first, outcomes(&other_seed, 2000).await);
}

#[tokio::test]
async fn each_kind_fails_its_share_of_calls_and_failed_calls_never_reach_the_backend() {
    let (backend, kms) =
        faulty("throttling:0.3,internal:0.1,dependency-timeout:0.1,key-unavailable:0.1,seed:5");
    let calls = 20_000;
    let outcomes = outcomes(&kms, calls).await;
    let share = |code: Option<&str>| {
        let count = outcomes.iter().filter(|outcome| **outcome == code).count();
        count as f64 / calls as f64
    };
    // With 20,000 draws, each share is within 0.02 of its rate (more than 4 standard
    // deviations); the seed makes the run deterministic.
    for (code, rate) in [
        (Some("ThrottlingException"), 0.3),
        (Some("KMSInternalException"), 0.1),
        (Some("DependencyTimeoutException"), 0.1),
        (Some("KeyUnavailableException"), 0.1),
        (None, 0.4),
    ] {
        assert!(
            (share(code) - rate).abs() < 0.02,
            "{code:?}: {}",
            share(code)
        );
    }
    let succeeded = outcomes.iter().filter(|outcome| outcome.is_none()).count();
    assert_eq!(backend.calls.load(Ordering::SeqCst), succeeded);
}

#[tokio::test]
async fn injected_errors_are_aws_exceptions_and_retryable() {
    for kind in FaultKind::ALL {
        let (backend, kms) = faulty(&format!("GenerateRandom.{kind}:1"));
        let err = kms
            .generate_random(GenerateRandomRequest::new().with_number_of_bytes(4u32))
            .await
            .unwrap_err();
        assert_eq!(err.code(), kind.error().code());
        assert!(err.is_retryable(), "{kind}");
        assert_eq!(backend.calls.load(Ordering::SeqCst), 0);
    }
    let throttled = FaultKind::Throttling.error();
    assert!(matches!(throttled, Error::Throttling { .. }));
    assert_eq!(
        throttled.message(),
        "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls."
    );
}

#[tokio::test]
async fn an_operation_without_faults_goes_through_untouched() {
    let (backend, kms) = faulty("Encrypt.throttling:1,Encrypt.latency:1s");
    let started = tokio::time::Instant::now();
    assert_eq!(outcomes(&kms, 10).await, vec![None; 10]);
    assert_eq!(backend.calls.load(Ordering::SeqCst), 10);
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[tokio::test(start_paused = true)]
async fn latency_is_added_before_the_call() {
    let (backend, kms) = faulty("latency:20ms..40ms,seed:1");
    let started = tokio::time::Instant::now();
    let outcomes = outcomes(&kms, 50).await;
    let elapsed = started.elapsed();
    assert_eq!(outcomes, vec![None; 50]);
    assert_eq!(backend.calls.load(Ordering::SeqCst), 50);
    // 50 delays of 20 to 40 ms, on the paused clock: between 1 and 2 seconds, and not all
    // at one end.
    assert!(elapsed >= Duration::from_secs(1) && elapsed <= Duration::from_secs(2));
    assert!(elapsed > Duration::from_millis(1100) && elapsed < Duration::from_millis(1900));

    let (_, fixed) = faulty("latency:250ms");
    let started = tokio::time::Instant::now();
    outcomes_of_one(&fixed).await;
    assert_eq!(started.elapsed(), Duration::from_millis(250));
}

async fn outcomes_of_one(kms: &FaultyKms) {
    let request = GenerateRandomRequest::new().with_number_of_bytes(4u32);
    kms.generate_random(request).await.unwrap();
}

#[tokio::test]
async fn the_observer_sees_every_injected_fault() {
    let seen: Arc<Mutex<Vec<InjectedFault>>> = Arc::default();
    let sink = seen.clone();
    let backend: Arc<DynKms> = Arc::new(Counting::default());
    let plan: FaultPlan = "throttling:0.5,seed:11".parse().unwrap();
    let kms = FaultyKms::new(backend, plan).with_observer(move |fault| {
        sink.lock().unwrap().push(fault.clone());
    });
    let outcomes = outcomes(&kms, 200).await;
    let seen = seen.lock().unwrap();
    let failed = outcomes.iter().filter(|outcome| outcome.is_some()).count();
    assert_eq!(seen.len(), failed);
    assert!(seen.iter().all(|fault| fault.operation == "GenerateRandom"
        && fault.kind == Some(FaultKind::Throttling)
        && fault.latency.is_zero()));
}

#[test]
fn display_names_the_backend_and_the_plan() {
    let (_, kms) = faulty("throttling:0.1,seed:2");
    assert_eq!(
        kms.to_string(),
        "Counting with faults [throttling:0.1,seed:2]"
    );
    assert!(format!("{kms:?}").contains("throttling:0.1,seed:2"));
}
