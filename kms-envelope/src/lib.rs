//! Envelope encryption of data of any size, in the message format of the AWS Encryption SDK.
//!
//! Each message gets a fresh data key from a [`Keyring`] — one KMS call per message through
//! [`KmsKeyring`] over any [`Kms`](kms_core::Kms) backend (or [`KmsMrkKeyring`] and
//! [`KmsMrkDiscoveryKeyring`], which decrypt with the related multi-Region key of their own
//! Region), a KMS RSA key's public key with
//! [`KmsRsaKeyring`], ECDH with a KMS key agreement key ([`KmsEcdhKeyring`]) or with key pairs
//! in memory ([`RawEcdhKeyring`]), or a key held in memory with [`RawAesKeyring`] /
//! [`RawRsaKeyring`] — and is written as an AWS Encryption SDK message
//! (format 2, framed, suite 0x0478 by default or 0x0578 with an ECDSA P-384 signature), so the
//! official SDKs in every language read what this crate writes, and this crate reads what
//! they write.
//!
//! ```
//! use std::sync::Arc;
//! use kms_core::{EncryptionContext, Kms, KmsExt};
//! use kms_envelope::{Decryptor, Encryptor, KmsKeyring};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let kms: Arc<dyn Kms> = Arc::new(kms_local::LocalKms::new());
//! let key = kms.create_symmetric_key("files").await?;
//! let keyring = Arc::new(KmsKeyring::new(kms, key.arn.unwrap_or_default().parse()?));
//!
//! let encryptor = Encryptor::new(keyring.clone())
//!     .with_encryption_context(EncryptionContext::from([("purpose", "example")]));
//! let message = encryptor.encrypt(b"attack at dawn").await?;
//!
//! let decrypted = Decryptor::new(keyring).decrypt(&message).await?;
//! assert_eq!(decrypted.plaintext(), b"attack at dawn");
//! assert_eq!(decrypted.encryption_context().get("purpose"), Some("example"));
//! # Ok(()) }
//! ```
//!
//! # Streaming
//!
//! [`Encryptor::encrypting_writer`] wraps any tokio `AsyncWrite` and
//! [`Decryptor::decrypting_reader`] any `AsyncRead`, in constant memory (about two frames);
//! [`Encryptor::encrypt_stream`] and [`Decryptor::decrypt_stream`] are the `Stream` forms, and
//! [`Encryptor::copy`] / [`Decryptor::copy`] copy a reader to a writer. The writer **must** be
//! finished (`shutdown` or [`EncryptingWriter::finish`]); the reader releases a frame only
//! after its tag verifies and reports end of file only once the whole message has verified.
//!
//! # Layout
//!
//! The format is parsed and written by pure functions over bytes (`format`), the keys are
//! derived and committed in `keys`, [`Encryptor`] and [`Decryptor`] hold the frame sealing and
//! opening cores, and the `io` adapters only buffer.

#![forbid(unsafe_code)]
#![deny(rustdoc::broken_intra_doc_links)]

mod decrypt;
mod encrypt;
mod error;
mod format;
#[doc(hidden)]
pub mod fuzzing;
mod io;
mod keyring;
mod keys;
mod limits;
mod materials;
mod parallel;
mod suite;
mod wipe;

pub use decrypt::{Decrypted, Decryptor};
pub use encrypt::{DEFAULT_FRAME_LENGTH, Encryptor, MAX_FRAME_LENGTH};
pub use error::{Error, Result};
pub use format::header::{ContentType, MessageHeader};
pub use io::reader::DecryptingReader;
pub use io::sink::BufferSink;
pub use io::stream::{DecryptStream, EncryptStream};
pub use io::writer::EncryptingWriter;
pub use keyring::{
    DecryptionMaterials, DiscoveryFilter, EcdhCurve, EncryptedDataKey, EncryptionMaterials,
    Keyring, KmsClientSupplier, KmsDiscoveryKeyring, KmsEcdhKeyring, KmsKeyring,
    KmsMrkDiscoveryKeyring, KmsMrkKeyring, KmsRsaKeyring, MultiKeyring, RawAesKeyring,
    RawEcdhKeyring, RawRsaKeyring, RsaPadding, check_multi_region_keys_are_unique,
    is_multi_region_key, multi_region_key_matches,
};
pub use limits::DecryptLimits;
pub use materials::{
    CachingMaterialsManager, CachingMaterialsManagerBuilder, Clock, DEFAULT_CACHE_CAPACITY,
    DecryptionMaterialsRequest, DefaultMaterialsManager, EncryptionMaterialsRequest,
    MAX_BYTES_PER_DATA_KEY, MAX_MESSAGES_PER_DATA_KEY, MaterialsCache, MaterialsManager,
    RequiredEncryptionContextMaterialsManager, SystemClock,
};
pub use suite::{AlgorithmSuite, CommitmentPolicy};
