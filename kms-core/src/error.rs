//! The one error type of every backend, one variant per AWS KMS exception.

use std::fmt;

/// `Result` with [`Error`] as its default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A boxed error that caused a [`Error::Backend`] failure.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Every error a [`Kms`](crate::Kms) operation can return.
///
/// Each variant stands for one AWS KMS exception and keeps the service's message, so code that
/// handles errors from AWS handles errors from the local backend the same way.
/// [`Error::code`] gives the exception name AWS sends on the wire.
///
/// ```
/// use kms_core::Error;
///
/// let err = Error::NotFound { message: "Invalid keyId 'nope'".into() };
/// assert_eq!(err.code(), "NotFoundException");
/// assert_eq!(err.message(), "Invalid keyId 'nope'");
/// assert_eq!(err.to_string(), "NotFoundException: Invalid keyId 'nope'");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `NotFoundException`: the key, alias or other resource does not exist, or the key
    /// identifier is malformed.
    #[error("NotFoundException: {message}")]
    NotFound {
        /// The service's message, such as `Key 'arn:…' does not exist`.
        message: String,
    },
    /// `DisabledException`: the key is disabled (`<key-arn> is disabled.`).
    #[error("DisabledException: {message}")]
    Disabled {
        /// The service's message.
        message: String,
    },
    /// `KMSInvalidStateException`: the key's state does not allow the operation, for example
    /// because it is pending deletion.
    #[error("KMSInvalidStateException: {message}")]
    InvalidState {
        /// The service's message, such as `<key-arn> is pending deletion.`
        message: String,
    },
    /// `InvalidCiphertextException`: the ciphertext, its encryption context or its
    /// authentication tag did not verify.
    ///
    /// Deliberately opaque: it never says which check failed. AWS sends it with an empty
    /// message.
    #[error("InvalidCiphertextException")]
    InvalidCiphertext,
    /// `IncorrectKeyException`: the key named in the request is not the key that encrypted
    /// the ciphertext.
    #[error("IncorrectKeyException: {message}")]
    IncorrectKey {
        /// The service's message.
        message: String,
    },
    /// `InvalidKeyUsageException`: the key's usage or spec does not allow the operation.
    #[error("InvalidKeyUsageException: {message}")]
    InvalidKeyUsage {
        /// The service's message.
        message: String,
    },
    /// `ValidationException`: a parameter broke a constraint of the API.
    #[error("ValidationException: {message}")]
    Validation {
        /// The message, in AWS's `1 validation error detected: …` grammar where AWS uses it.
        message: String,
    },
    /// `AlreadyExistsException`: the resource, such as an alias, already exists.
    #[error("AlreadyExistsException: {message}")]
    AlreadyExists {
        /// The service's message.
        message: String,
    },
    /// `InvalidAliasNameException`: the alias name is not valid.
    #[error("InvalidAliasNameException: {message}")]
    InvalidAliasName {
        /// The service's message.
        message: String,
    },
    /// `LimitExceededException`: a quota was exceeded.
    #[error("LimitExceededException: {message}")]
    LimitExceeded {
        /// The service's message.
        message: String,
    },
    /// `TagException`: the tags of the request are not valid.
    #[error("TagException: {message}")]
    Tag {
        /// The service's message, such as `Too many tags`.
        message: String,
    },
    /// `InvalidMarkerException`: the pagination marker is not valid.
    #[error("InvalidMarkerException: {message}")]
    InvalidMarker {
        /// The service's message.
        message: String,
    },
    /// `InvalidArnException`: an ARN in the request is not valid.
    #[error("InvalidArnException: {message}")]
    InvalidArn {
        /// The service's message.
        message: String,
    },
    /// `InvalidGrantTokenException`: a grant token is not valid.
    #[error("InvalidGrantTokenException: {message}")]
    InvalidGrantToken {
        /// The service's message.
        message: String,
    },
    /// `MalformedPolicyDocumentException`: the key policy is not valid.
    #[error("MalformedPolicyDocumentException: {message}")]
    MalformedPolicyDocument {
        /// The service's message.
        message: String,
    },
    /// `UnsupportedOperationException`: AWS KMS itself refuses the operation, for example
    /// rotation of an asymmetric key.
    ///
    /// A backend that lacks something AWS offers returns [`Error::NotImplemented`] instead.
    #[error("UnsupportedOperationException: {message}")]
    Unsupported {
        /// The service's message.
        message: String,
    },
    /// `ConflictException`: the request conflicts with an operation in progress.
    #[error("ConflictException: {message}")]
    Conflict {
        /// The service's message.
        message: String,
    },
    /// `DryRunOperationException`: the request would have succeeded, but `DryRun` was set.
    #[error("DryRunOperationException: {message}")]
    DryRunOperation {
        /// The service's message.
        message: String,
    },
    /// `IncorrectKeyMaterialException`: imported key material is not the material the key
    /// had, or does not fit the key (its length or its type).
    #[error("IncorrectKeyMaterialException: {message}")]
    IncorrectKeyMaterial {
        /// The service's message.
        message: String,
    },
    /// `ExpiredImportTokenException`: the import token of `ImportKeyMaterial` has expired
    /// (24 hours after `GetParametersForImport`).
    #[error("ExpiredImportTokenException: {message}")]
    ExpiredImportToken {
        /// The service's message.
        message: String,
    },
    /// `InvalidImportTokenException`: the import token was not issued for this key, or is
    /// not an import token at all.
    #[error("InvalidImportTokenException: {message}")]
    InvalidImportToken {
        /// The service's message.
        message: String,
    },
    /// `KMSInvalidSignatureException`: a signature did not verify.
    #[error("KMSInvalidSignatureException")]
    InvalidSignature,
    /// `KMSInvalidMacException`: a MAC did not verify.
    #[error("KMSInvalidMacException")]
    InvalidMac,
    /// `AccessDeniedException`: the caller may not use the key, or the ciphertext names a key
    /// that does not exist in this account and region.
    #[error("AccessDeniedException: {message}")]
    AccessDenied {
        /// The service's message.
        message: String,
    },
    /// `ThrottlingException`: the request rate is too high. Retryable.
    #[error("ThrottlingException: {message}")]
    Throttling {
        /// The service's message.
        message: String,
    },
    /// `DependencyTimeoutException`: the service timed out. Retryable.
    #[error("DependencyTimeoutException: {message}")]
    DependencyTimeout {
        /// The service's message.
        message: String,
    },
    /// `KeyUnavailableException`: the key cannot be used right now. Retryable.
    #[error("KeyUnavailableException: {message}")]
    KeyUnavailable {
        /// The service's message.
        message: String,
    },
    /// `KMSInternalException`: an internal failure of the service. Retryable.
    #[error("KMSInternalException: {message}")]
    Internal {
        /// The service's message.
        message: String,
    },
    /// This backend, or the endpoint it talks to, does not implement the operation or an
    /// option of the request, though AWS KMS may offer it. Not an AWS exception: AWS's own
    /// refusals are [`Error::Unsupported`].
    ///
    /// It is what an operation that a [`Kms`](crate::Kms) implementation leaves to the
    /// trait's default returns, so adding operations to the trait never breaks an
    /// implementation outside this crate.
    #[error("not implemented: {message}")]
    NotImplemented {
        /// What is not implemented, and by which backend.
        message: String,
    },
    /// The backend configuration (a URL, a config file, a builder) is not valid.
    #[error("invalid KMS configuration: {message}")]
    Config {
        /// What is wrong, naming the offending part.
        message: String,
    },
    /// A failure of the backend itself (transport, I/O, an answer it could not read).
    #[error("{backend} backend error: {message}")]
    Backend {
        /// The backend that failed, such as `aws`.
        backend: &'static str,
        /// What failed, and where.
        message: String,
        /// Whether repeating the request may succeed.
        retryable: bool,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
    },
}

impl Error {
    /// The AWS exception name of this error, as sent on the wire in `__type`.
    ///
    /// Errors that are not AWS exceptions (configuration and backend failures) have names of
    /// their own that do not end in `Exception`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "NotFoundException",
            Self::Disabled { .. } => "DisabledException",
            Self::InvalidState { .. } => "KMSInvalidStateException",
            Self::InvalidCiphertext => "InvalidCiphertextException",
            Self::IncorrectKey { .. } => "IncorrectKeyException",
            Self::InvalidKeyUsage { .. } => "InvalidKeyUsageException",
            Self::Validation { .. } => "ValidationException",
            Self::AlreadyExists { .. } => "AlreadyExistsException",
            Self::InvalidAliasName { .. } => "InvalidAliasNameException",
            Self::LimitExceeded { .. } => "LimitExceededException",
            Self::Tag { .. } => "TagException",
            Self::InvalidMarker { .. } => "InvalidMarkerException",
            Self::InvalidArn { .. } => "InvalidArnException",
            Self::InvalidGrantToken { .. } => "InvalidGrantTokenException",
            Self::MalformedPolicyDocument { .. } => "MalformedPolicyDocumentException",
            Self::Unsupported { .. } => "UnsupportedOperationException",
            Self::Conflict { .. } => "ConflictException",
            Self::DryRunOperation { .. } => "DryRunOperationException",
            Self::IncorrectKeyMaterial { .. } => "IncorrectKeyMaterialException",
            Self::ExpiredImportToken { .. } => "ExpiredImportTokenException",
            Self::InvalidImportToken { .. } => "InvalidImportTokenException",
            Self::InvalidSignature => "KMSInvalidSignatureException",
            Self::InvalidMac => "KMSInvalidMacException",
            Self::AccessDenied { .. } => "AccessDeniedException",
            Self::Throttling { .. } => "ThrottlingException",
            Self::DependencyTimeout { .. } => "DependencyTimeoutException",
            Self::KeyUnavailable { .. } => "KeyUnavailableException",
            Self::Internal { .. } => "KMSInternalException",
            Self::NotImplemented { .. } => "NotImplemented",
            Self::Config { .. } => "ConfigurationError",
            Self::Backend { .. } => "BackendError",
        }
    }

    /// The message of the error without its code; empty where AWS sends none.
    pub fn message(&self) -> &str {
        match self {
            Self::NotFound { message }
            | Self::Disabled { message }
            | Self::InvalidState { message }
            | Self::IncorrectKey { message }
            | Self::InvalidKeyUsage { message }
            | Self::Validation { message }
            | Self::AlreadyExists { message }
            | Self::InvalidAliasName { message }
            | Self::LimitExceeded { message }
            | Self::Tag { message }
            | Self::InvalidMarker { message }
            | Self::InvalidArn { message }
            | Self::InvalidGrantToken { message }
            | Self::MalformedPolicyDocument { message }
            | Self::Unsupported { message }
            | Self::Conflict { message }
            | Self::DryRunOperation { message }
            | Self::IncorrectKeyMaterial { message }
            | Self::ExpiredImportToken { message }
            | Self::InvalidImportToken { message }
            | Self::AccessDenied { message }
            | Self::Throttling { message }
            | Self::DependencyTimeout { message }
            | Self::KeyUnavailable { message }
            | Self::Internal { message }
            | Self::NotImplemented { message }
            | Self::Config { message }
            | Self::Backend { message, .. } => message,
            Self::InvalidCiphertext | Self::InvalidSignature | Self::InvalidMac => "",
        }
    }

    /// Whether repeating the same request later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Throttling { .. }
            | Self::DependencyTimeout { .. }
            | Self::KeyUnavailable { .. }
            | Self::Internal { .. } => true,
            Self::Backend { retryable, .. } => *retryable,
            _ => false,
        }
    }

    /// The error an operation `operation` (AWS's name, such as `Sign`) returns on a backend
    /// that does not implement it: [`Error::NotImplemented`], naming both.
    ///
    /// ```
    /// let err = kms_core::Error::not_implemented("Sign", "MyMock");
    /// assert_eq!(err.code(), "NotImplemented");
    /// assert_eq!(err.message(), "MyMock does not implement Sign");
    /// ```
    pub fn not_implemented(operation: &str, backend: impl fmt::Display) -> Self {
        Self::NotImplemented {
            message: format!("{backend} does not implement {operation}"),
        }
    }

    /// A `ValidationException` in AWS's grammar for one broken constraint:
    /// `1 validation error detected: Value '<value>' at '<path>' failed to satisfy constraint:
    /// Member must <rule>`.
    ///
    /// Pass `None` as the value for sensitive members, whose value AWS leaves out.
    ///
    /// ```
    /// let err = kms_core::Error::constraint(Some(&1025), "numberOfBytes",
    ///     "have value less than or equal to 1024");
    /// assert_eq!(err.message(), "1 validation error detected: Value '1025' at 'numberOfBytes' \
    ///     failed to satisfy constraint: Member must have value less than or equal to 1024");
    /// ```
    pub fn constraint(value: Option<&dyn fmt::Display>, path: &str, rule: &str) -> Self {
        let value = match value {
            Some(value) => format!("Value '{value}' "),
            None => "Value ".to_owned(),
        };
        Self::Validation {
            message: format!(
                "1 validation error detected: {value}at '{path}' failed to satisfy constraint: Member must {rule}"
            ),
        }
    }
}

impl Error {
    /// A `ValidationException` in AWS's grammar for a member whose value is not one of
    /// `allowed`: `… failed to satisfy constraint: Member must satisfy enum value set: [A, B]`.
    ///
    /// ```
    /// let err = kms_core::Error::enum_constraint(&"AES_512", "keySpec", &["AES_256", "AES_128"]);
    /// assert!(err.message().ends_with("Member must satisfy enum value set: [AES_256, AES_128]"));
    /// ```
    pub fn enum_constraint(value: &dyn fmt::Display, path: &str, allowed: &[&str]) -> Self {
        let rule = format!("satisfy enum value set: [{}]", allowed.join(", "));
        Self::constraint(Some(value), path, &rule)
    }
}

impl From<Error> for std::io::Error {
    fn from(error: Error) -> Self {
        use std::io::ErrorKind;
        let kind = match &error {
            Error::InvalidCiphertext => ErrorKind::InvalidData,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::AccessDenied { .. } => ErrorKind::PermissionDenied,
            Error::Validation { .. } | Error::Config { .. } => ErrorKind::InvalidInput,
            Error::NotImplemented { .. } => ErrorKind::Unsupported,
            _ => ErrorKind::Other,
        };
        Self::new(kind, error)
    }
}
