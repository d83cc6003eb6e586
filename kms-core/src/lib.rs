//! The core of the KMS SDK: the [`Kms`] trait that every backend implements, its request and
//! response types (named and shaped after the AWS KMS API), key identifiers, the encryption
//! context, secret types and the one [`Error`] enum.
//!
//! Application code is written against `Arc<dyn Kms>` and runs unchanged on AWS KMS and on
//! the in-process local backend. With the `conformance` feature, the `conformance` module holds
//! the test suite every backend passes.

#![forbid(unsafe_code)]
#![deny(rustdoc::broken_intra_doc_links)]

mod context;
mod enums;
mod error;
mod ext;
mod key_id;
mod kms;
mod model;
mod operation_name;
pub mod ops;
mod secret;
mod shape;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use context::EncryptionContext;
pub use enums::*;
pub use error::{BoxError, Error, Result};
pub use ext::KmsExt;
pub use key_id::{
    ALIAS_PREFIX, Arn, KeyId, KeyIdForm, MAX_ALIAS_NAME_LEN, is_alias_name, is_key_id,
};
pub use kms::{DynKms, Kms};
pub use model::{
    AliasListEntry, KeyListEntry, KeyMetadata, MultiRegionConfiguration, MultiRegionKey,
    RotationsListEntry, Tag,
};
pub use operation_name::OperationName;
pub use ops::*;
pub use secret::SecretBytes;

/// The secret-memory crate of the public API, re-exported so versions always match.
pub use secrecy;
