//! Randomness and the internal-error helper of the crypto paths.

use kms_core::{Error, Result};

/// Fills `bytes` from the system's secure random generator.
pub(crate) fn fill(bytes: &mut [u8]) -> Result<()> {
    aws_lc_rs::rand::fill(bytes).map_err(|_| internal("the random generator failed"))
}

/// A fresh random (version 4) key ID.
pub(crate) fn key_uuid() -> Result<uuid::Uuid> {
    let mut bytes = [0u8; 16];
    fill(&mut bytes)?;
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// A `KMSInternalException` for a failure of the crypto library, which cannot happen with
/// valid keys but is reported rather than panicking.
pub(crate) fn internal(what: &str) -> Error {
    Error::Internal {
        message: format!("local backend: {what}"),
    }
}
