//! The errors of envelope encryption, and how they map onto `kms_core::Error` and `io::Error`.

use std::io;

/// `Result` with the envelope [`Error`] as its default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while encrypting or decrypting a message.
///
/// Failures of the cryptography itself (a tag, the key commitment or the signature that does
/// not verify) are deliberately one opaque variant, [`Error::Authentication`]: it never says
/// which check failed. Structural problems of a message, limits and options are precise.
///
/// It converts into [`kms_core::Error`] (with `?`) and into [`std::io::Error`], and
/// [`Error::from_io`] recovers it from an `io::Error` returned by the streaming adapters.
///
/// ```
/// use kms_envelope::Error;
///
/// let err = Error::Authentication;
/// assert_eq!(err.to_string(), "the message failed authentication");
/// let io: std::io::Error = err.into();
/// assert_eq!(io.kind(), std::io::ErrorKind::InvalidData);
/// assert!(matches!(Error::from_io(io), Error::Authentication));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A tag, the key commitment or the signature did not verify: the message was altered,
    /// or was not written with this data key.
    #[error("the message failed authentication")]
    Authentication,
    /// The bytes are not a well-formed message.
    #[error("malformed message: {reason}")]
    Malformed {
        /// What is wrong, in terms of the message format.
        reason: String,
    },
    /// The message ended before its final frame (and footer): it was truncated.
    #[error("the message is truncated")]
    Truncated,
    /// Bytes follow the end of the message.
    #[error("bytes follow the end of the message")]
    TrailingData,
    /// The message needs more resources than the decrypt limits allow.
    #[error("{what} is {value}, more than the limit of {limit}")]
    LimitExceeded {
        /// The limited quantity.
        what: &'static str,
        /// The message's value.
        value: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The message's version or algorithm suite is not supported.
    #[error("unsupported message: {reason}")]
    Unsupported {
        /// What is not supported.
        reason: String,
    },
    /// The commitment policy forbids this algorithm suite or body type.
    #[error("the commitment policy {policy} forbids {what}")]
    CommitmentPolicy {
        /// The policy in force.
        policy: &'static str,
        /// What it forbids, such as `algorithm suite 0x0178 (no key commitment)`.
        what: String,
    },
    /// A required encryption context pair is missing from the message or has another value.
    #[error("the message's encryption context does not match: {reason}")]
    ContextMismatch {
        /// Which key, and how it differs.
        reason: String,
    },
    /// No keyring could produce the data key: no encrypted data key matched a configured
    /// wrapping key, or every attempt failed (the failures are listed).
    #[error("no keyring could decrypt a data key{}", failures_suffix(.failures))]
    NoDataKey {
        /// Why each attempt failed, in order.
        failures: Vec<kms_core::Error>,
    },
    /// An option or argument is not valid: a reserved encryption context key, a frame length
    /// out of range, a bad wrapping key.
    #[error("invalid argument: {message}")]
    InvalidArgument {
        /// What is wrong.
        message: String,
    },
    /// The KMS failed an operation a keyring asked of it.
    #[error(transparent)]
    Kms(#[from] kms_core::Error),
    /// Reading the message or writing the output failed.
    #[error("I/O error: {0}")]
    Io(#[source] io::Error),
    /// The writer was used after it was finished or after an earlier error.
    #[error("the encrypting writer is {0}")]
    WriterClosed(&'static str),
}

fn failures_suffix(failures: &[kms_core::Error]) -> String {
    if failures.is_empty() {
        return ": no encrypted data key matched the keyring".to_owned();
    }
    let list: Vec<String> = failures.iter().map(ToString::to_string).collect();
    format!(": {}", list.join("; "))
}

impl Error {
    /// A [`Error::Malformed`] with `reason`.
    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        Self::Malformed {
            reason: reason.into(),
        }
    }

    /// An [`Error::InvalidArgument`] with `message`.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::InvalidArgument {
            message: message.into(),
        }
    }

    /// Recovers the envelope error carried by an `io::Error` from the streaming adapters, or
    /// wraps any other I/O error as [`Error::Io`].
    pub fn from_io(error: io::Error) -> Self {
        if error.get_ref().is_some_and(|inner| inner.is::<Self>()) {
            if let Some(inner) = error.into_inner()
                && let Ok(envelope) = inner.downcast::<Self>()
            {
                return *envelope;
            }
            return Self::Io(io::Error::other("unrecoverable wrapped error"));
        }
        if error
            .get_ref()
            .is_some_and(|inner| inner.is::<kms_core::Error>())
        {
            if let Some(inner) = error.into_inner()
                && let Ok(kms) = inner.downcast::<kms_core::Error>()
            {
                return Self::Kms(*kms);
            }
            return Self::Io(io::Error::other("unrecoverable wrapped error"));
        }
        Self::Io(error)
    }

    /// The `io::ErrorKind` this error maps to.
    fn io_kind(&self) -> io::ErrorKind {
        match self {
            Self::Truncated => io::ErrorKind::UnexpectedEof,
            Self::Io(err) => err.kind(),
            Self::InvalidArgument { .. } => io::ErrorKind::InvalidInput,
            Self::WriterClosed(_) => io::ErrorKind::BrokenPipe,
            Self::Kms(_) => io::ErrorKind::Other,
            _ => io::ErrorKind::InvalidData,
        }
    }
}

impl From<io::Error> for Error {
    fn from(error: io::Error) -> Self {
        Self::from_io(error)
    }
}

impl From<Error> for io::Error {
    fn from(error: Error) -> Self {
        match error {
            Error::Io(inner) => inner,
            other => io::Error::new(other.io_kind(), other),
        }
    }
}

impl From<Error> for kms_core::Error {
    /// Failures of a message map to `InvalidCiphertextException`, as KMS reports a ciphertext
    /// it cannot decrypt; limits to `LimitExceededException`; options to
    /// `ValidationException`; KMS failures stay themselves.
    fn from(error: Error) -> Self {
        match error {
            Error::Kms(inner) => inner,
            Error::Authentication
            | Error::Malformed { .. }
            | Error::Truncated
            | Error::TrailingData
            | Error::ContextMismatch { .. } => kms_core::Error::InvalidCiphertext,
            Error::LimitExceeded { .. } => kms_core::Error::LimitExceeded {
                message: error.to_string(),
            },
            Error::Unsupported { .. } => kms_core::Error::NotImplemented {
                message: error.to_string(),
            },
            Error::CommitmentPolicy { .. } | Error::InvalidArgument { .. } => {
                kms_core::Error::Validation {
                    message: error.to_string(),
                }
            }
            Error::NoDataKey { mut failures } if failures.len() == 1 => match failures.pop() {
                Some(only) => only,
                None => kms_core::Error::InvalidCiphertext,
            },
            Error::NoDataKey { .. } | Error::Io(_) | Error::WriterClosed(_) => {
                let retryable = matches!(&error, Error::NoDataKey { failures }
                    if failures.iter().any(kms_core::Error::is_retryable));
                kms_core::Error::Backend {
                    backend: "envelope",
                    message: error.to_string(),
                    retryable,
                    source: Some(Box::new(error)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_round_trip_keeps_the_variant() {
        let io: io::Error = Error::Truncated.into();
        assert_eq!(io.kind(), io::ErrorKind::UnexpectedEof);
        assert!(matches!(Error::from_io(io), Error::Truncated));
        let plain = io::Error::new(io::ErrorKind::BrokenPipe, "x");
        assert!(matches!(Error::from_io(plain), Error::Io(_)));
    }

    #[test]
    fn maps_onto_kms_errors() {
        let kms: kms_core::Error = Error::Authentication.into();
        assert_eq!(kms.code(), "InvalidCiphertextException");
        let limit: kms_core::Error = Error::LimitExceeded {
            what: "the frame length",
            value: 9,
            limit: 8,
        }
        .into();
        assert_eq!(limit.code(), "LimitExceededException");
        let none: kms_core::Error = Error::NoDataKey {
            failures: vec![kms_core::Error::AccessDenied {
                message: "no".into(),
            }],
        }
        .into();
        assert_eq!(none.code(), "AccessDeniedException");
    }
}
