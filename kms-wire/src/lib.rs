//! The AWS KMS JSON 1.1 protocol, defined once: the JSON form of every request, response and
//! structure of the [`Kms`](kms_core::Kms) trait ([`Shape`]), AWS's error bodies
//! ([`WireError`]), and [`dispatch`], which runs one request on any backend.
//!
//! A server hands each request's operation (the `X-Amz-Target` after `TrentService.`) and body
//! to [`dispatch`] and sends back the [`Response`] or the [`WireError`]'s status and JSON. The
//! `kms` command prints responses with the same shapes, with ISO 8601 timestamps.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let kms = kms_local::LocalKms::new();
//! let created = kms_wire::dispatch(&kms, "CreateKey", b"{}").await.unwrap();
//! let created: serde_json::Value = serde_json::from_slice(&created.body).unwrap();
//! let key_id = created["KeyMetadata"]["KeyId"].as_str().unwrap();
//!
//! let body = format!(r#"{{"KeyId":"{key_id}","Plaintext":"aGVsbG8="}}"#);
//! let encrypted = kms_wire::dispatch(&kms, "Encrypt", body.as_bytes()).await.unwrap();
//! assert!(encrypted.key_arn.unwrap().ends_with(key_id));
//!
//! let err = kms_wire::dispatch(&kms, "Encrypt", br#"{"KeyId":1}"#).await.unwrap_err();
//! assert_eq!(err.code(), "SerializationException");
//! assert_eq!(err.to_json(), br#"{"__type":"SerializationException","message":"NUMBER_VALUE cannot be converted to String"}"#);
//! # });
//! ```

#![forbid(unsafe_code)]
#![deny(rustdoc::broken_intra_doc_links)]

mod dispatch;
mod error;
mod member;
mod shape;
mod shapes;
mod timestamp;
mod write;

pub use dispatch::{Response, dispatch, operation_names};
pub use error::WireError;
pub use shape::Shape;
pub use timestamp::{Timestamps, iso8601};
