//! Failing closed when the audit sink cannot record: the event of an operation that ran is
//! never lost and never turns the operation's result into an error; it is held, and calls
//! are refused until the sink records the held events.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use kms_core::{Error, Result};

use super::{AuditEvent, AuditSink};

/// An audit sink, and the events it has not recorded yet.
#[derive(Debug)]
pub(crate) struct AuditGate {
    sink: Arc<dyn AuditSink>,
    /// Whether the sink has failed and not recorded since (a fast check for every call).
    failing: AtomicBool,
    backlog: Mutex<Backlog>,
}

/// What the sink failed to record, and why.
#[derive(Debug, Default)]
struct Backlog {
    /// Events not recorded yet, oldest first.
    events: Vec<AuditEvent>,
    /// The last failure.
    cause: Option<Error>,
}

impl AuditGate {
    /// A gate on `sink`, which has not failed.
    pub(crate) fn new(sink: Arc<dyn AuditSink>) -> Self {
        Self {
            sink,
            failing: AtomicBool::new(false),
            backlog: Mutex::new(Backlog::default()),
        }
    }

    /// Whether the sink's writes may block the thread.
    pub(crate) fn blocks(&self) -> bool {
        self.sink.blocks()
    }

    /// Lets a call run if the sink works: after a failure, it first records the held
    /// events.
    ///
    /// # Errors
    ///
    /// A retryable backend error naming the sink and the cause while it still fails.
    pub(crate) fn admit(&self) -> Result<()> {
        if !self.failing.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut backlog = self.backlog.lock().unwrap_or_else(PoisonError::into_inner);
        let mut recorded = 0;
        for event in &backlog.events {
            if let Err(err) = self.sink.record(event) {
                backlog.cause = Some(err);
                break;
            }
            recorded += 1;
        }
        backlog.events.drain(..recorded);
        if backlog.events.is_empty() {
            backlog.cause = None;
            self.failing.store(false, Ordering::Release);
            tracing::info!(sink = ?self.sink, "the audit sink records again");
            return Ok(());
        }
        let cause = backlog
            .cause
            .as_ref()
            .map_or_else(String::new, ToString::to_string);
        Err(Error::Backend {
            backend: "local",
            message: format!(
                "calls are refused until the audit sink {:?} records again ({} events held): \
                 {cause}",
                self.sink,
                backlog.events.len()
            ),
            retryable: true,
            source: None,
        })
    }

    /// Records the event of a call that ran; if the sink fails (or the event could not be
    /// made), holds it and fails the next calls until the sink records again.
    pub(crate) fn record(&self, event: Result<AuditEvent>) {
        let (held, err) = match event {
            Err(err) => (None, err),
            Ok(event) => {
                if self.failing.load(Ordering::Acquire) {
                    let mut backlog = self.backlog.lock().unwrap_or_else(PoisonError::into_inner);
                    // Checked again under the lock, which `admit` holds to recover.
                    if self.failing.load(Ordering::Acquire) {
                        backlog.events.push(event);
                        return;
                    }
                }
                match self.sink.record(&event) {
                    Ok(()) => return,
                    Err(err) => (Some(event), err),
                }
            }
        };
        tracing::error!(
            sink = ?self.sink,
            error = %err,
            "the audit sink cannot record: calls are refused until it can",
        );
        let mut backlog = self.backlog.lock().unwrap_or_else(PoisonError::into_inner);
        backlog.events.extend(held);
        backlog.cause = Some(err);
        self.failing.store(true, Ordering::Release);
    }
}
