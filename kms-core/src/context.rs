//! The encryption context: non-secret key-value pairs bound to a ciphertext.

use std::collections::BTreeMap;

use crate::{Error, Result};

/// Non-secret key-value pairs bound to a ciphertext as additional authenticated data.
///
/// Decrypting needs exactly the same pairs (case-sensitive; only their order may differ).
/// [`EncryptionContext::canonical_bytes`] gives the AWS Encryption SDK serialization, which
/// no two different contexts share.
///
/// ```
/// use kms_core::EncryptionContext;
///
/// let context = EncryptionContext::new().with("tenant", "t1").with("purpose", "test");
/// assert_eq!(context.get("tenant"), Some("t1"));
/// assert_eq!(context.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct EncryptionContext(BTreeMap<String, String>);

impl EncryptionContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// The context with one more pair (replacing the value of an existing key).
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(key, value);
        self
    }

    /// Adds or replaces a pair, returning the value it replaced.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> Option<String> {
        self.0.insert(key.into(), value.into())
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The number of pairs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The pairs, sorted by key.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The pairs as a map.
    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// The canonical serialization of the AWS Encryption SDK: empty for an empty context,
    /// otherwise a big-endian `u16` count, then for each pair in order of the key's UTF-8
    /// bytes a `u16` length and the key, a `u16` length and the value.
    ///
    /// ```
    /// let context = kms_core::EncryptionContext::new().with("b", "2").with("a", "1");
    /// assert_eq!(context.canonical_bytes()?,
    ///     [0, 2, 0, 1, b'a', 0, 1, b'1', 0, 1, b'b', 0, 1, b'2']);
    /// # Ok::<(), kms_core::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `ValidationException` when there are more than 65535 pairs, or a key or value is longer
    /// than 65535 bytes, which the format cannot express.
    pub fn canonical_bytes(&self) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.write_canonical(&mut bytes)?;
        Ok(bytes)
    }

    /// Appends the [canonical bytes](Self::canonical_bytes) to `out`.
    ///
    /// # Errors
    ///
    /// As [`EncryptionContext::canonical_bytes`]; `out` is left unchanged then.
    pub fn write_canonical(&self, out: &mut Vec<u8>) -> Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        let count = u16_len(self.0.len(), "the number of encryption context pairs")?;
        let size = 2 + self
            .0
            .iter()
            .map(|(k, v)| 4 + k.len() + v.len())
            .sum::<usize>();
        out.reserve(size);
        let start = out.len();
        out.extend_from_slice(&count.to_be_bytes());
        for (key, value) in &self.0 {
            for field in [key, value] {
                match u16_len(field.len(), "an encryption context key or value") {
                    Ok(len) => out.extend_from_slice(&len.to_be_bytes()),
                    Err(err) => {
                        out.truncate(start);
                        return Err(err);
                    }
                }
                out.extend_from_slice(field.as_bytes());
            }
        }
        Ok(())
    }
}

fn u16_len(len: usize, what: &str) -> Result<u16> {
    u16::try_from(len).map_err(|_| Error::Validation {
        message: format!("The encryption context is too large: {what} exceeds 65535 (got {len})"),
    })
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for EncryptionContext {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        Self(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl<K: Into<String>, V: Into<String>, const N: usize> From<[(K, V); N]> for EncryptionContext {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl From<BTreeMap<String, String>> for EncryptionContext {
    fn from(map: BTreeMap<String, String>) -> Self {
        Self(map)
    }
}

impl From<std::collections::HashMap<String, String>> for EncryptionContext {
    fn from(map: std::collections::HashMap<String, String>) -> Self {
        map.into_iter().collect()
    }
}

impl IntoIterator for EncryptionContext {
    type Item = (String, String);
    type IntoIter = std::collections::btree_map::IntoIter<String, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_context_serializes_to_nothing() -> Result<()> {
        assert!(EncryptionContext::new().canonical_bytes()?.is_empty());
        Ok(())
    }

    #[test]
    fn contexts_that_concatenate_alike_serialize_differently() -> Result<()> {
        let a = EncryptionContext::from([("ab", "c")]).canonical_bytes()?;
        let b = EncryptionContext::from([("a", "bc")]).canonical_bytes()?;
        assert_ne!(a, b);
        Ok(())
    }

    #[test]
    fn sorts_by_key_bytes_not_insertion_order() -> Result<()> {
        let a = EncryptionContext::from([("b", "1"), ("B", "2"), ("a", "3")]);
        let b = EncryptionContext::from([("a", "3"), ("b", "1"), ("B", "2")]);
        assert_eq!(a.canonical_bytes()?, b.canonical_bytes()?);
        assert_eq!(&a.canonical_bytes()?[2..5], &[0, 1, b'B']);
        Ok(())
    }

    #[test]
    fn an_oversized_value_is_a_validation_error_and_writes_nothing() {
        let context = EncryptionContext::from([("k", "v".repeat(70_000))]);
        let mut out = vec![9];
        let err = context.write_canonical(&mut out).err();
        assert_eq!(err.map(|e| e.code()), Some("ValidationException"));
        assert_eq!(out, [9]);
    }
}
