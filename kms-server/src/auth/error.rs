//! The answers AWS gives when a request cannot be authenticated.

use std::fmt;

/// Why a request was refused before it reached the backend: AWS's authentication
/// exceptions, each answered with HTTP 400 and AWS's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization` header on a server that verifies signatures.
    MissingAuthenticationToken,
    /// An `Authorization` header, or a header it needs, that cannot be parsed.
    IncompleteSignature {
        /// What is missing or malformed, in AWS's words.
        message: String,
    },
    /// An access key ID the server does not know.
    UnrecognizedClient,
    /// A signature that does not match, is expired or is not yet current, or a credential
    /// scope that does not fit the request.
    InvalidSignature {
        /// Why, in AWS's words.
        message: String,
    },
}

/// AWS's message for a signature that does not match.
pub(crate) const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not \
    match the signature you provided. Check your AWS Secret Access Key and signing method. \
    Consult the service documentation for details.";

impl AuthError {
    /// A signature that does not match the one the server computed.
    pub(crate) fn mismatch() -> Self {
        Self::InvalidSignature {
            message: SIGNATURE_MISMATCH.to_owned(),
        }
    }

    /// An `IncompleteSignatureException` with `message`.
    pub(crate) fn incomplete(message: impl Into<String>) -> Self {
        Self::IncompleteSignature {
            message: message.into(),
        }
    }

    /// The exception's name, the `__type` of the error body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Self::IncompleteSignature { .. } => "IncompleteSignatureException",
            Self::UnrecognizedClient => "UnrecognizedClientException",
            Self::InvalidSignature { .. } => "InvalidSignatureException",
        }
    }

    /// The message of the error body.
    pub fn message(&self) -> &str {
        match self {
            Self::MissingAuthenticationToken => "Missing Authentication Token",
            Self::IncompleteSignature { message } | Self::InvalidSignature { message } => message,
            Self::UnrecognizedClient => "The security token included in the request is invalid.",
        }
    }

    /// The HTTP status AWS answers with: 400 for each of them.
    pub fn http_status(&self) -> u16 {
        400
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for AuthError {}
