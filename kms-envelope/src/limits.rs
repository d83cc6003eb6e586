//! Limits that protect a decryptor against hostile messages.

use crate::error::{Error, Result};

/// The most resources a message may ask of a decryptor.
///
/// Every encrypted data key may cost a KMS call, the header is buffered whole before it is
/// authenticated, and a frame is buffered whole before its tag is checked (a non-framed body
/// counts as one frame). Each exceeded limit is an [`Error::LimitExceeded`] naming it, raised
/// as soon as the offending field is read.
///
/// ```
/// use kms_envelope::DecryptLimits;
///
/// let limits = DecryptLimits::default().with_max_encrypted_data_keys(2);
/// assert_eq!(limits.max_encrypted_data_keys(), 2);
/// assert_eq!(limits.max_frame_length(), 16 * 1024 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecryptLimits {
    max_encrypted_data_keys: u16,
    max_header_size: usize,
    max_frame_length: u64,
}

impl Default for DecryptLimits {
    /// At most 32 encrypted data keys, a header of 1 MiB and frames of 16 MiB.
    fn default() -> Self {
        Self {
            max_encrypted_data_keys: 32,
            max_header_size: 1024 * 1024,
            max_frame_length: 16 * 1024 * 1024,
        }
    }
}

impl DecryptLimits {
    /// The largest number of encrypted data keys a message may carry (1 to 65535).
    #[must_use]
    pub fn with_max_encrypted_data_keys(mut self, max: u16) -> Self {
        self.max_encrypted_data_keys = max;
        self
    }

    /// The largest header, in bytes, including its authentication tag.
    #[must_use]
    pub fn with_max_header_size(mut self, max: usize) -> Self {
        self.max_header_size = max;
        self
    }

    /// The largest frame length in bytes (and the largest non-framed body).
    #[must_use]
    pub fn with_max_frame_length(mut self, max: u64) -> Self {
        self.max_frame_length = max;
        self
    }

    /// The largest number of encrypted data keys.
    pub fn max_encrypted_data_keys(&self) -> u16 {
        self.max_encrypted_data_keys
    }

    /// The largest header size.
    pub fn max_header_size(&self) -> usize {
        self.max_header_size
    }

    /// The largest frame length.
    pub fn max_frame_length(&self) -> u64 {
        self.max_frame_length
    }

    pub(crate) fn check_edk_count(&self, count: u16) -> Result<()> {
        check(
            "the number of encrypted data keys",
            u64::from(count),
            u64::from(self.max_encrypted_data_keys),
        )
    }

    pub(crate) fn check_header_size(&self, size: usize) -> Result<()> {
        check("the header size", size as u64, self.max_header_size as u64)
    }

    pub(crate) fn check_frame_length(&self, length: u64) -> Result<()> {
        check("the frame length", length, self.max_frame_length)
    }
}

fn check(what: &'static str, value: u64, limit: u64) -> Result<()> {
    if value > limit {
        return Err(Error::LimitExceeded { what, value, limit });
    }
    Ok(())
}
