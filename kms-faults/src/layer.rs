//! [`FaultyKms`]: the layer that injects a [`FaultPlan`] into a backend.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use kms_core::{DynKms, Kms, Result};

use crate::plan::{FaultKind, FaultPlan, aws_name};

/// A fault the layer injected: reported to the observer (see [`FaultyKms::with_observer`])
/// and logged as a `tracing` event of target `kms_faults`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InjectedFault {
    /// The operation, as AWS names it (`GenerateDataKey`).
    pub operation: &'static str,
    /// The error the call was answered with; `None` when only latency was added.
    pub kind: Option<FaultKind>,
    /// The latency added before the call ran or failed.
    pub latency: Duration,
}

/// Receives every injected fault.
type Observer = dyn Fn(&InjectedFault) + Send + Sync;

/// A backend whose calls meet the faults of a [`FaultPlan`]: each call first waits the
/// plan's latency for its operation, then either fails with one of the plan's errors
/// (without reaching the backend) or goes through. One random number decides per call, from a
/// generator seeded by the plan's seed when it has one.
///
/// Generated from the one operation list of `kms_core::for_each_operation!`, so every
/// operation of the trait, present and future, passes through it.
pub struct FaultyKms {
    inner: Arc<DynKms>,
    plan: FaultPlan,
    rng: Mutex<fastrand::Rng>,
    observer: Option<Box<Observer>>,
}

impl FaultyKms {
    /// `inner` with the faults of `plan`.
    pub fn new(inner: Arc<DynKms>, plan: FaultPlan) -> Self {
        let rng = match plan.seed() {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        Self {
            inner,
            plan,
            rng: Mutex::new(rng),
            observer: None,
        }
    }

    /// `inner` with the faults of `plan`, as a backend: `Arc<dyn Kms>` in, `Arc<dyn Kms>`
    /// out.
    pub fn wrap(inner: Arc<DynKms>, plan: FaultPlan) -> Arc<DynKms> {
        Arc::new(Self::new(inner, plan))
    }

    /// Calls `observer` with every injected fault (an error or added latency), before the
    /// call returns: to count them, or to write them to an audit log as injected.
    #[must_use]
    pub fn with_observer(
        mut self,
        observer: impl Fn(&InjectedFault) + Send + Sync + 'static,
    ) -> Self {
        self.observer = Some(Box::new(observer));
        self
    }

    /// The plan.
    pub fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    /// Draws this call's latency and fault.
    fn draw(&self, operation: &'static str) -> InjectedFault {
        let faults = self.plan.faults_for(operation);
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        let latency = faults
            .latency()
            .map_or(Duration::ZERO, |latency| latency.sample(&mut rng));
        let kind = faults.fault_at(rng.f64());
        InjectedFault {
            operation: aws_name(operation),
            kind,
            latency,
        }
    }

    /// Runs the faults of one call: `Err` when the call must fail.
    async fn before(&self, operation: &'static str) -> Result<()> {
        let fault = self.draw(operation);
        if fault.kind.is_none() && fault.latency.is_zero() {
            return Ok(());
        }
        tracing::info!(
            target: "kms_faults",
            operation = fault.operation,
            fault = fault.kind.map_or("none", FaultKind::name),
            latency_ms = fault.latency.as_secs_f64() * 1000.0,
            "injected fault"
        );
        if let Some(observer) = &self.observer {
            observer(&fault);
        }
        if !fault.latency.is_zero() {
            tokio::time::sleep(fault.latency).await;
        }
        match fault.kind {
            Some(kind) => Err(kind.error()),
            None => Ok(()),
        }
    }
}

impl fmt::Debug for FaultyKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultyKms")
            .field("inner", &self.inner)
            .field("plan", &self.plan.to_string())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for FaultyKms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} with faults [{}]", self.inner, self.plan)
    }
}

/// Implements every operation as: the plan's faults, then the inner backend.
macro_rules! faulty_operations {
    ($( $op:ident($request:ty) -> $response:ty; )+) => {
        #[async_trait]
        #[deny(clippy::missing_trait_methods)]
        impl Kms for FaultyKms {
            $(
                async fn $op(&self, request: $request) -> Result<$response> {
                    self.before(stringify!($op)).await?;
                    self.inner.$op(request).await
                }
            )+
        }
    };
}

kms_core::for_each_operation!(faulty_operations {});
