//! The audit log: one event per call, successful or not, with CloudTrail's field names, so
//! "which keys were used, for what, and when" has an answer. Events never hold a plaintext,
//! a data key or key material.
//!
//! Sinks: [`MemoryAuditLog`] (for tests), [`JsonLinesAuditLog`] (a file, one JSON object per
//! line, flushed per event) and [`TracingAuditLog`] (`tracing` events).

mod event;
mod sinks;

pub use event::{AuditEvent, AuditResource};
pub use sinks::{AuditSink, JsonLinesAuditLog, MemoryAuditLog, TracingAuditLog};

pub(crate) use event::{Audited, AuditedResponse};
