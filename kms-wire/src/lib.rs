//! The AWS KMS JSON 1.1 protocol, defined once: the JSON form of every request, response and
//! structure of the [`Kms`](kms_core::Kms) trait ([`Shape`]), AWS's error bodies
//! ([`WireError`]), and [`dispatch`], which runs one request on any backend.
//!
//! A server hands each request's operation (the `X-Amz-Target` after `TrentService.`) and body
//! to [`dispatch`] and sends back the [`Response`] or the [`WireError`]'s status and JSON. The
//! `kms` command prints responses with the same shapes, with ISO 8601 timestamps.
//!
//! # How requests are read
//!
//! - An empty body reads as `{}`. A `null` member counts as absent.
//! - Unknown members are ignored, as the awsJson 1.1 deserializers that smithy-rs generates
//!   for AWS's own SDKs ignore them (`aws-sdk-kms` 1.129, `protocol_serde/shape_*.rs`: an
//!   unknown key goes to `skip_value`); a newer client's new members thus reach an older
//!   server harmlessly, as they reach AWS.
//! - Members of AWS's model that the request types do not carry (`Recipient`,
//!   `DryRunModifiers`, `XksKeyId`) are refused with `NotImplemented` (HTTP 501) when given,
//!   since ignoring them would answer another question than the one asked. The deprecated
//!   `CustomerMasterKeySpec` of `CreateKey` is read as `KeySpec`.
//! - An enum member takes any string: the backend refuses values it does not know with AWS's
//!   `ValidationException` (`Member must satisfy enum value set: [...]`).
//! - An absent required member is a `ValidationException` in AWS's grammar, every absent
//!   member of the structure listed: `1 validation error detected: Value null at 'keyId'
//!   failed to satisfy constraint: Member must not be null`. A negative integer is the
//!   `ValidationException` of the member's model minimum. A malformed key identifier is the
//!   backend's `NotFoundException` (`Invalid keyId '…'`), as AWS answers it.
//! - Everything that does not deserialize is a `SerializationException`: a body that is not
//!   JSON (`The request body is not valid JSON: <where>`), a member of the wrong JSON type, bad
//!   base64, an integer beyond 32 bits (`Numeric value (<n>) out of range of int`). For the
//!   wrong type the wording is that of the Java JSON framework behind AWS's JSON 1.1 services,
//!   as AWS SDK error reports show it (`Start of structure or map found where not expected.`
//!   from Kinesis) and as the kinesalite and dynalite emulators recorded it against AWS:
//!   `Start of structure or map found where not expected.` for an object,
//!   `Start of list found where not expected.` for an array, and
//!   `<TOKEN> cannot be converted to <Type>` for a scalar (`NUMBER_VALUE cannot be converted
//!   to String`). Whether KMS words every case so is not verified. Integers with a fraction
//!   are truncated toward zero, as that framework reads them. No message quotes a string
//!   member, so no plaintext reaches one.
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
#[doc(hidden)]
pub mod fuzzing;
mod member;
mod shape;
mod shapes;
mod timestamp;
mod write;

pub use dispatch::{Response, dispatch, operation_names};

/// The prefix of KMS's `X-Amz-Target` header; the operation name follows it
/// (`TrentService.Encrypt`).
pub const TARGET_PREFIX: &str = "TrentService.";

/// The `Content-Type` of KMS's requests and responses.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
pub use error::WireError;
pub use shape::Shape;
pub use timestamp::{Timestamps, iso8601};
