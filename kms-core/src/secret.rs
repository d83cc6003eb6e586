//! Secret bytes: wiped on drop, redacted in `Debug`, exposed only by name.

use std::fmt;

use secrecy::{ExposeSecret, ExposeSecretMut, SecretSlice};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Bytes that must not leak: plaintexts, data keys, key material.
///
/// The memory is wiped when the value is dropped, `Debug` prints only the length, and there is
/// no `Display`, `Clone` or `Serialize`. Read the bytes with [`SecretBytes::expose_secret`].
///
/// ```
/// use kms_core::SecretBytes;
///
/// let secret = SecretBytes::from(b"hunter2".to_vec());
/// assert_eq!(format!("{secret:?}"), "SecretBytes([REDACTED; 7 bytes])");
/// assert_eq!(secret.expose_secret(), b"hunter2");
/// ```
pub struct SecretBytes(SecretSlice<u8>);

impl SecretBytes {
    /// Copies `bytes` into a new secret. The caller stays responsible for wiping its copy.
    pub fn copy_from_slice(bytes: &[u8]) -> Self {
        Self(SecretSlice::from(Box::<[u8]>::from(bytes)))
    }

    /// A secret of `len` bytes filled in place by `fill`, so the bytes never exist elsewhere.
    ///
    /// ```
    /// let key = kms_core::SecretBytes::init_with(4, |bytes| bytes.fill(7));
    /// assert_eq!(key.expose_secret(), &[7, 7, 7, 7]);
    /// ```
    pub fn init_with(len: usize, fill: impl FnOnce(&mut [u8])) -> Self {
        let mut secret = Self(SecretSlice::from(vec![0u8; len].into_boxed_slice()));
        fill(secret.0.expose_secret_mut());
        secret
    }

    /// The same as [`SecretBytes::init_with`] for a filler that can fail.
    pub fn try_init_with<E>(
        len: usize,
        fill: impl FnOnce(&mut [u8]) -> Result<(), E>,
    ) -> Result<Self, E> {
        let mut secret = Self(SecretSlice::from(vec![0u8; len].into_boxed_slice()));
        fill(secret.0.expose_secret_mut())?;
        Ok(secret)
    }

    /// The secret bytes.
    pub fn expose_secret(&self) -> &[u8] {
        self.0.expose_secret()
    }

    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.expose_secret().len()
    }

    /// Whether the secret holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Compares two secrets in time that depends only on their lengths.
    ///
    /// ```
    /// use kms_core::SecretBytes;
    /// assert!(SecretBytes::from("k").ct_eq(&SecretBytes::from("k")));
    /// assert!(!SecretBytes::from("k").ct_eq(&SecretBytes::from("K")));
    /// ```
    pub fn ct_eq(&self, other: &Self) -> bool {
        self.expose_secret().ct_eq(other.expose_secret()).into()
    }
}

/// Takes ownership of the vector without leaving an unwiped copy behind: if the vector has
/// spare capacity, its bytes are copied into an exact allocation and the vector is wiped.
impl From<Vec<u8>> for SecretBytes {
    fn from(mut bytes: Vec<u8>) -> Self {
        if bytes.capacity() == bytes.len() {
            return Self(SecretSlice::from(bytes.into_boxed_slice()));
        }
        let secret = Self::copy_from_slice(&bytes);
        // Zeroize's `Vec` implementation writes a byte at a time; the slices' is a bulk fill
        // behind the same barrier.
        bytes.as_mut_slice().zeroize();
        bytes.spare_capacity_mut().zeroize();
        secret
    }
}

impl From<&[u8]> for SecretBytes {
    fn from(bytes: &[u8]) -> Self {
        Self::copy_from_slice(bytes)
    }
}

impl<const N: usize> From<&[u8; N]> for SecretBytes {
    fn from(bytes: &[u8; N]) -> Self {
        Self::copy_from_slice(bytes)
    }
}

impl From<&str> for SecretBytes {
    fn from(text: &str) -> Self {
        Self::copy_from_slice(text.as_bytes())
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes([REDACTED; {} bytes])", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_bytes() {
        let secret = SecretBytes::from(vec![0x41; 3]);
        let shown = format!("{secret:?}");
        assert_eq!(shown, "SecretBytes([REDACTED; 3 bytes])");
        assert!(!shown.contains("AAA") && !shown.contains("65"));
    }

    #[test]
    fn a_vector_with_spare_capacity_is_copied_exactly() {
        let mut bytes = Vec::with_capacity(64);
        bytes.extend_from_slice(b"abc");
        let secret = SecretBytes::from(bytes);
        assert_eq!(secret.expose_secret(), b"abc");
    }

    #[test]
    fn ct_eq_compares_content_and_length() {
        let secret = |bytes: &[u8]| SecretBytes::from(bytes);
        assert!(secret(b"abc").ct_eq(&secret(b"abc")));
        assert!(!secret(b"abc").ct_eq(&secret(b"abd")));
        assert!(!secret(b"abc").ct_eq(&secret(b"ab")));
    }
}
