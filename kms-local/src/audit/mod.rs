//! The audit log: one event per call, successful or not, with CloudTrail's field names, so
//! "which keys were used, for what, and when" has an answer. Events never hold a plaintext,
//! a data key or key material.
//!
//! Sinks: [`MemoryAuditLog`] (for tests), [`JsonLinesAuditLog`] (a file, one JSON object per
//! line, written per event and `fsync`ed on request) and [`TracingAuditLog`] (`tracing`
//! events).
//!
//! A sink that fails never turns a call's result into an error: the event is held and the
//! next calls are refused until the sink records again (see [`AuditSink`]).

mod event;
mod gate;
mod sinks;

pub use event::{AuditEvent, AuditResource};
pub use sinks::{AuditSink, JsonLinesAuditLog, MemoryAuditLog, TracingAuditLog};

pub(crate) use event::{Audited, AuditedResponse, Draft};
pub(crate) use gate::AuditGate;
