//! The errors of a KMS JSON 1.1 call, with AWS's codes, messages and HTTP statuses.

use std::fmt;

use crate::write::Writer;

/// Why a call failed: an operation `dispatch` does not serve, a body that does not
/// deserialize, or the backend's own error.
///
/// Never carries a secret: decoding errors name the JSON token and the expected type, never the
/// value, and backend errors are [`kms_core::Error`]s, which keep secrets out of their messages.
#[derive(Debug)]
#[non_exhaustive]
pub enum WireError {
    /// `UnknownOperationException`: `X-Amz-Target` names no operation of the service.
    UnknownOperation {
        /// The operation as the request named it.
        operation: String,
    },
    /// `SerializationException`: the body is not JSON, not an object, or a member has the
    /// wrong JSON type or an undecodable value (bad base64, a number out of range).
    Serialization {
        /// What is wrong, in the wording of AWS's JSON services (see the crate documentation).
        message: String,
    },
    /// The error of the backend, or a `ValidationException` for a missing required member.
    Kms(kms_core::Error),
}

impl WireError {
    /// A `SerializationException` with `message`.
    pub(crate) fn serialization(message: impl Into<String>) -> Self {
        Self::Serialization {
            message: message.into(),
        }
    }

    /// The exception name sent in `__type`: `UnknownOperationException`,
    /// `SerializationException`, or the backend error's AWS code.
    pub fn code(&self) -> &str {
        match self {
            Self::UnknownOperation { .. } => "UnknownOperationException",
            Self::Serialization { .. } => "SerializationException",
            Self::Kms(error) => error.code(),
        }
    }

    /// The message sent in `message`; `None` for the errors AWS sends without one
    /// (`InvalidCiphertextException`, `KMSInvalidSignatureException`, `KMSInvalidMacException`)
    /// and for `UnknownOperationException`, which AWS's JSON services send bare.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::UnknownOperation { .. } => None,
            Self::Serialization { message } => Some(message),
            Self::Kms(
                kms_core::Error::InvalidCiphertext
                | kms_core::Error::InvalidSignature
                | kms_core::Error::InvalidMac,
            ) => None,
            Self::Kms(error) => Some(error.message()),
        }
    }

    /// The HTTP status AWS answers with: 400 for every client error (validation, access
    /// denied and throttling included), 500 for `KMSInternalException`,
    /// `KeyUnavailableException` and failures of the backend itself, 503 for
    /// `DependencyTimeoutException` (its status in the service model).
    ///
    /// `NotImplemented` (an operation or option the backend lacks, not an AWS exception) is
    /// 501 Not Implemented, the status HTTP defines for it; clients see it as an unmodeled
    /// error and do not retry it. A configuration error of the backend is 500.
    pub fn http_status(&self) -> u16 {
        use kms_core::Error;
        match self {
            Self::UnknownOperation { .. } | Self::Serialization { .. } => 400,
            Self::Kms(error) => match error {
                Error::Internal { .. }
                | Error::KeyUnavailable { .. }
                | Error::Config { .. }
                | Error::Backend { .. } => 500,
                Error::NotImplemented { .. } => 501,
                Error::DependencyTimeout { .. } => 503,
                _ => 400,
            },
        }
    }

    /// The error body: `{"__type":"<code>","message":"<message>"}`, without `message` where
    /// [`WireError::message`] is `None`.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Writer::new(crate::Timestamps::EpochSeconds);
        out.begin_object();
        out.key("__type");
        out.string(self.code());
        if let Some(message) = self.message() {
            out.key("message");
            out.string(message);
        }
        out.end_object();
        out.into_bytes()
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownOperation { operation } => {
                write!(f, "UnknownOperationException: no operation '{operation}'")
            }
            Self::Serialization { message } => write!(f, "SerializationException: {message}"),
            Self::Kms(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl std::error::Error for WireError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Kms(error) => Some(error),
            _ => None,
        }
    }
}

impl From<kms_core::Error> for WireError {
    fn from(error: kms_core::Error) -> Self {
        Self::Kms(error)
    }
}
