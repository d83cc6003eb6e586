//! Every error of the AWS SDK, mapped onto [`kms_core::Error`] in this one place.
//!
//! - A **modeled exception** of an operation (the variants of its `…Error` enum) becomes the
//!   matching variant with the service's message: `NotFoundException` → [`Error::NotFound`],
//!   `KMSInvalidStateException` → [`Error::InvalidState`], and so on. The few exceptions of
//!   custom key stores that have no variant of their own become the nearest one, with the
//!   exception's name kept in front of the message (`CustomKeyStoreNotFoundException: …` in
//!   an [`Error::NotFound`]).
//! - An **unmodeled code** (the SDK's `Unhandled`) is mapped by its code: the KMS exception
//!   names as above (an emulator may send one that the model does not list for the
//!   operation), then the errors every AWS service can send: `AccessDeniedException`, the
//!   authentication failures (`UnrecognizedClientException`, `InvalidSignatureException`,
//!   `ExpiredTokenException`…, as [`Error::AccessDenied`]), the throttling codes, the
//!   validation codes, `UnknownOperationException` and the `NotImplemented` of `kms serve` (as
//!   [`Error::NotImplemented`]: the endpoint, or the backend behind it, does not implement the
//!   operation). Any other
//!   code is an [`Error::Backend`] naming the code, retryable when the HTTP status is 5xx.
//! - **Transport failures** (time-outs, connection and dispatch failures, answers that cannot
//!   be read) are [`Error::Backend`] with `backend: "aws"`, a message naming the operation,
//!   what failed and where (endpoint or region), `retryable: true` for everything but
//!   requests that could not be built, and the SDK's error as the source.

use std::fmt;

use aws_sdk_kms::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_kms::operation;
use aws_sdk_kms::types::error as exception;
use kms_core::Error;

/// The name of this backend in [`Error::Backend`].
pub(crate) const BACKEND: &str = "aws";

/// Where requests go, as error messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// The region requests are signed for.
    pub(crate) region: String,
    /// The endpoint override, when there is one.
    pub(crate) endpoint: Option<String>,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.endpoint {
            Some(endpoint) => write!(f, "endpoint {endpoint} (region {})", self.region),
            None => write!(f, "AWS KMS in {}", self.region),
        }
    }
}

/// Maps the error of a call of `operation` (such as `"Encrypt"`) sent to `target`.
pub(crate) fn from_sdk<E: OperationError>(
    operation: &'static str,
    target: &Target,
    error: SdkError<E>,
) -> Error {
    match error {
        SdkError::ServiceError(context) => {
            let status = context.raw().status().as_u16();
            match context.into_err().into_modeled() {
                Ok(error) => error,
                Err(unmodeled) => from_code(operation, target, status, unmodeled),
            }
        }
        other => transport(operation, target, other),
    }
}

/// An error of one operation of the SDK: its modeled exceptions, and the code and message
/// of an unmodeled one.
pub(crate) trait OperationError:
    ProvideErrorMetadata + std::error::Error + Sized + Send + Sync + 'static
{
    /// The modeled exception as an [`Error`]; `Err(self)` when the SDK did not model it.
    fn into_modeled(self) -> Result<Error, Self>;
}

/// A modeled exception of the SDK.
trait Exception {
    /// The exception as an [`Error`], with the service's message.
    fn into_error(self) -> Error;
}

/// `<code>: <message>`, for an exception mapped onto a variant of another name.
fn named(code: &str, message: &str) -> String {
    if message.is_empty() {
        code.to_owned()
    } else {
        format!("{code}: {message}")
    }
}

/// Declares every KMS exception the operations of the `Kms` trait can return: its type in
/// the SDK, its name on the wire and the [`Error`] it becomes (built from the message `$m`).
/// Implements [`Exception`] for each type, and `kms_exception` to map the same names when
/// they arrive unmodeled.
macro_rules! exceptions {
    ($( $ty:ident = $code:literal => |$m:pat_param| $make:expr; )+) => {
        $(
            impl Exception for exception::$ty {
                fn into_error(self) -> Error {
                    let $m = self.message.unwrap_or_default();
                    $make
                }
            }
        )+

        /// The KMS exception named `code`, if it is one.
        fn kms_exception(code: &str, message: String) -> Option<Error> {
            match code {
                $( $code => {
                    let $m = message;
                    Some($make)
                } )+
                _ => None,
            }
        }
    };
}

exceptions! {
    AlreadyExistsException = "AlreadyExistsException"
        => |message| Error::AlreadyExists { message };
    CloudHsmClusterInvalidConfigurationException = "CloudHsmClusterInvalidConfigurationException"
        => |m| Error::InvalidState { message: named("CloudHsmClusterInvalidConfigurationException", &m) };
    ConflictException = "ConflictException" => |message| Error::Conflict { message };
    CustomKeyStoreInvalidStateException = "CustomKeyStoreInvalidStateException"
        => |m| Error::InvalidState { message: named("CustomKeyStoreInvalidStateException", &m) };
    CustomKeyStoreNotFoundException = "CustomKeyStoreNotFoundException"
        => |m| Error::NotFound { message: named("CustomKeyStoreNotFoundException", &m) };
    DependencyTimeoutException = "DependencyTimeoutException"
        => |message| Error::DependencyTimeout { message };
    DisabledException = "DisabledException" => |message| Error::Disabled { message };
    DryRunOperationException = "DryRunOperationException"
        => |message| Error::DryRunOperation { message };
    ExpiredImportTokenException = "ExpiredImportTokenException"
        => |message| Error::ExpiredImportToken { message };
    IncorrectKeyException = "IncorrectKeyException" => |message| Error::IncorrectKey { message };
    IncorrectKeyMaterialException = "IncorrectKeyMaterialException"
        => |message| Error::IncorrectKeyMaterial { message };
    InvalidImportTokenException = "InvalidImportTokenException"
        => |message| Error::InvalidImportToken { message };
    InvalidAliasNameException = "InvalidAliasNameException"
        => |message| Error::InvalidAliasName { message };
    InvalidArnException = "InvalidArnException" => |message| Error::InvalidArn { message };
    // Deliberately opaque, as AWS sends it.
    InvalidCiphertextException = "InvalidCiphertextException" => |_| Error::InvalidCiphertext;
    InvalidGrantTokenException = "InvalidGrantTokenException"
        => |message| Error::InvalidGrantToken { message };
    InvalidKeyUsageException = "InvalidKeyUsageException"
        => |message| Error::InvalidKeyUsage { message };
    InvalidMarkerException = "InvalidMarkerException" => |message| Error::InvalidMarker { message };
    KeyUnavailableException = "KeyUnavailableException"
        => |message| Error::KeyUnavailable { message };
    KmsInternalException = "KMSInternalException" => |message| Error::Internal { message };
    KmsInvalidMacException = "KMSInvalidMacException" => |_| Error::InvalidMac;
    KmsInvalidSignatureException = "KMSInvalidSignatureException" => |_| Error::InvalidSignature;
    KmsInvalidStateException = "KMSInvalidStateException"
        => |message| Error::InvalidState { message };
    LimitExceededException = "LimitExceededException" => |message| Error::LimitExceeded { message };
    MalformedPolicyDocumentException = "MalformedPolicyDocumentException"
        => |message| Error::MalformedPolicyDocument { message };
    NotFoundException = "NotFoundException" => |message| Error::NotFound { message };
    TagException = "TagException" => |message| Error::Tag { message };
    UnsupportedOperationException = "UnsupportedOperationException"
        => |message| Error::Unsupported { message };
    XksKeyAlreadyInUseException = "XksKeyAlreadyInUseException"
        => |m| Error::AlreadyExists { message: named("XksKeyAlreadyInUseException", &m) };
    XksKeyInvalidConfigurationException = "XksKeyInvalidConfigurationException"
        => |m| Error::Validation { message: named("XksKeyInvalidConfigurationException", &m) };
    XksKeyNotFoundException = "XksKeyNotFoundException"
        => |m| Error::NotFound { message: named("XksKeyNotFoundException", &m) };
}

/// Implements [`OperationError`] for the error enum of each operation, listing the
/// exceptions the SDK models for it.
macro_rules! operation_errors {
    ($( $module:ident::$error:ident { $( $variant:ident ),+ $(,)? } )+) => {
        $(
            impl OperationError for operation::$module::$error {
                fn into_modeled(self) -> Result<Error, Self> {
                    match self {
                        $( Self::$variant(exception) => Ok(exception.into_error()), )+
                        unmodeled => Err(unmodeled),
                    }
                }
            }
        )+
    };
}

operation_errors! {
    create_key::CreateKeyError {
        CloudHsmClusterInvalidConfigurationException, CustomKeyStoreInvalidStateException,
        CustomKeyStoreNotFoundException, DependencyTimeoutException, InvalidArnException,
        KmsInternalException, LimitExceededException, MalformedPolicyDocumentException,
        TagException, UnsupportedOperationException, XksKeyAlreadyInUseException,
        XksKeyInvalidConfigurationException, XksKeyNotFoundException,
    }
    describe_key::DescribeKeyError {
        DependencyTimeoutException, InvalidArnException, KmsInternalException, NotFoundException,
    }
    list_keys::ListKeysError {
        DependencyTimeoutException, InvalidMarkerException, KmsInternalException,
    }
    update_key_description::UpdateKeyDescriptionError {
        DependencyTimeoutException, InvalidArnException, KmsInternalException,
        KmsInvalidStateException, NotFoundException,
    }
    enable_key::EnableKeyError {
        DependencyTimeoutException, InvalidArnException, KmsInternalException,
        KmsInvalidStateException, LimitExceededException, NotFoundException,
    }
    disable_key::DisableKeyError {
        DependencyTimeoutException, InvalidArnException, KmsInternalException,
        KmsInvalidStateException, NotFoundException,
    }
    schedule_key_deletion::ScheduleKeyDeletionError {
        DependencyTimeoutException, InvalidArnException, KmsInternalException,
        KmsInvalidStateException, NotFoundException,
    }
    cancel_key_deletion::CancelKeyDeletionError {
        DependencyTimeoutException, InvalidArnException, KmsInternalException,
        KmsInvalidStateException, NotFoundException,
    }
    enable_key_rotation::EnableKeyRotationError {
        DependencyTimeoutException, DisabledException, InvalidArnException, KmsInternalException,
        KmsInvalidStateException, NotFoundException, UnsupportedOperationException,
    }
    disable_key_rotation::DisableKeyRotationError {
        DependencyTimeoutException, DisabledException, InvalidArnException, KmsInternalException,
        KmsInvalidStateException, NotFoundException, UnsupportedOperationException,
    }
    get_key_rotation_status::GetKeyRotationStatusError {
        DependencyTimeoutException, InvalidArnException, KmsInternalException,
        KmsInvalidStateException, NotFoundException, UnsupportedOperationException,
    }
    rotate_key_on_demand::RotateKeyOnDemandError {
        ConflictException, DependencyTimeoutException, DisabledException, InvalidArnException,
        KmsInternalException, KmsInvalidStateException, LimitExceededException,
        NotFoundException, UnsupportedOperationException,
    }
    list_key_rotations::ListKeyRotationsError {
        InvalidArnException, InvalidMarkerException, KmsInternalException,
        KmsInvalidStateException, NotFoundException, UnsupportedOperationException,
    }
    get_parameters_for_import::GetParametersForImportError {
        DependencyTimeoutException, InvalidArnException, KmsInternalException,
        KmsInvalidStateException, NotFoundException, UnsupportedOperationException,
    }
    import_key_material::ImportKeyMaterialError {
        DependencyTimeoutException, ExpiredImportTokenException, IncorrectKeyMaterialException,
        InvalidArnException, InvalidCiphertextException, InvalidImportTokenException,
        KmsInternalException, KmsInvalidStateException, NotFoundException,
        UnsupportedOperationException,
    }
    delete_imported_key_material::DeleteImportedKeyMaterialError {
        DependencyTimeoutException, InvalidArnException, KmsInternalException,
        KmsInvalidStateException, NotFoundException, UnsupportedOperationException,
    }
    create_alias::CreateAliasError {
        AlreadyExistsException, DependencyTimeoutException, InvalidAliasNameException,
        KmsInternalException, KmsInvalidStateException, LimitExceededException,
        NotFoundException,
    }
    update_alias::UpdateAliasError {
        DependencyTimeoutException, KmsInternalException, KmsInvalidStateException,
        LimitExceededException, NotFoundException,
    }
    delete_alias::DeleteAliasError {
        DependencyTimeoutException, KmsInternalException, KmsInvalidStateException,
        NotFoundException,
    }
    list_aliases::ListAliasesError {
        DependencyTimeoutException, InvalidArnException, InvalidMarkerException,
        KmsInternalException, NotFoundException,
    }
    tag_resource::TagResourceError {
        InvalidArnException, KmsInternalException, KmsInvalidStateException,
        LimitExceededException, NotFoundException, TagException,
    }
    untag_resource::UntagResourceError {
        InvalidArnException, KmsInternalException, KmsInvalidStateException, NotFoundException,
        TagException,
    }
    list_resource_tags::ListResourceTagsError {
        InvalidArnException, InvalidMarkerException, KmsInternalException, NotFoundException,
    }
    encrypt::EncryptError {
        DependencyTimeoutException, DisabledException, DryRunOperationException,
        InvalidGrantTokenException, InvalidKeyUsageException, KeyUnavailableException,
        KmsInternalException, KmsInvalidStateException, NotFoundException,
    }
    decrypt::DecryptError {
        DependencyTimeoutException, DisabledException, DryRunOperationException,
        IncorrectKeyException, InvalidCiphertextException, InvalidGrantTokenException,
        InvalidKeyUsageException, KeyUnavailableException, KmsInternalException,
        KmsInvalidStateException, NotFoundException,
    }
    re_encrypt::ReEncryptError {
        DependencyTimeoutException, DisabledException, DryRunOperationException,
        IncorrectKeyException, InvalidCiphertextException, InvalidGrantTokenException,
        InvalidKeyUsageException, KeyUnavailableException, KmsInternalException,
        KmsInvalidStateException, NotFoundException,
    }
    generate_data_key::GenerateDataKeyError {
        DependencyTimeoutException, DisabledException, DryRunOperationException,
        InvalidGrantTokenException, InvalidKeyUsageException, KeyUnavailableException,
        KmsInternalException, KmsInvalidStateException, NotFoundException,
    }
    generate_data_key_without_plaintext::GenerateDataKeyWithoutPlaintextError {
        DependencyTimeoutException, DisabledException, DryRunOperationException,
        InvalidGrantTokenException, InvalidKeyUsageException, KeyUnavailableException,
        KmsInternalException, KmsInvalidStateException, NotFoundException,
    }
    generate_random::GenerateRandomError {
        CustomKeyStoreInvalidStateException, CustomKeyStoreNotFoundException,
        DependencyTimeoutException, KmsInternalException, UnsupportedOperationException,
    }
    generate_data_key_pair::GenerateDataKeyPairError {
        DependencyTimeoutException, DisabledException, DryRunOperationException,
        InvalidGrantTokenException, InvalidKeyUsageException, KeyUnavailableException,
        KmsInternalException, KmsInvalidStateException, NotFoundException,
        UnsupportedOperationException,
    }
    generate_data_key_pair_without_plaintext::GenerateDataKeyPairWithoutPlaintextError {
        DependencyTimeoutException, DisabledException, DryRunOperationException,
        InvalidGrantTokenException, InvalidKeyUsageException, KeyUnavailableException,
        KmsInternalException, KmsInvalidStateException, NotFoundException,
        UnsupportedOperationException,
    }
    get_public_key::GetPublicKeyError {
        DependencyTimeoutException, DisabledException, InvalidArnException,
        InvalidGrantTokenException, InvalidKeyUsageException, KeyUnavailableException,
        KmsInternalException, KmsInvalidStateException, NotFoundException,
        UnsupportedOperationException,
    }
    sign::SignError {
        DependencyTimeoutException, DisabledException, DryRunOperationException,
        InvalidGrantTokenException, InvalidKeyUsageException, KeyUnavailableException,
        KmsInternalException, KmsInvalidStateException, NotFoundException,
    }
    verify::VerifyError {
        DependencyTimeoutException, DisabledException, DryRunOperationException,
        InvalidGrantTokenException, InvalidKeyUsageException, KeyUnavailableException,
        KmsInternalException, KmsInvalidSignatureException, KmsInvalidStateException,
        NotFoundException,
    }
    generate_mac::GenerateMacError {
        DisabledException, DryRunOperationException, InvalidGrantTokenException,
        InvalidKeyUsageException, KeyUnavailableException, KmsInternalException,
        KmsInvalidStateException, NotFoundException,
    }
    verify_mac::VerifyMacError {
        DisabledException, DryRunOperationException, InvalidGrantTokenException,
        InvalidKeyUsageException, KeyUnavailableException, KmsInternalException,
        KmsInvalidMacException, KmsInvalidStateException, NotFoundException,
    }
    derive_shared_secret::DeriveSharedSecretError {
        DependencyTimeoutException, DisabledException, DryRunOperationException,
        InvalidGrantTokenException, InvalidKeyUsageException, KeyUnavailableException,
        KmsInternalException, KmsInvalidStateException, NotFoundException,
    }
    encapsulate::EncapsulateError {
        DependencyTimeoutException, DisabledException, DryRunOperationException,
        InvalidGrantTokenException, InvalidKeyUsageException, KeyUnavailableException,
        KmsInternalException, KmsInvalidStateException, NotFoundException,
    }
    decapsulate::DecapsulateError {
        DependencyTimeoutException, DisabledException, DryRunOperationException,
        InvalidCiphertextException, InvalidGrantTokenException, InvalidKeyUsageException,
        KeyUnavailableException, KmsInternalException, KmsInvalidStateException,
        NotFoundException,
    }
    replicate_key::ReplicateKeyError {
        AlreadyExistsException, DisabledException, InvalidArnException, KmsInternalException,
        KmsInvalidStateException, LimitExceededException, MalformedPolicyDocumentException,
        NotFoundException, TagException, UnsupportedOperationException,
    }
    update_primary_region::UpdatePrimaryRegionError {
        DisabledException, InvalidArnException, KmsInternalException, KmsInvalidStateException,
        NotFoundException, UnsupportedOperationException,
    }
}

/// Authentication failures every AWS service can send: the credentials are unknown,
/// expired or do not sign the request.
const AUTHENTICATION_CODES: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "NotAuthorized",
    "OptInRequired",
];

/// Throttling codes of AWS services besides `ThrottlingException`.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "PriorRequestNotComplete",
];

/// Codes of malformed requests besides `ValidationException`.
const VALIDATION_CODES: &[&str] = &[
    "ValidationError",
    "SerializationException",
    "InvalidParameterValue",
    "InvalidParameterCombination",
    "MissingParameter",
    "InvalidQueryParameter",
    "MalformedQueryString",
];

/// Codes of an operation the server does not implement (some emulators).
const UNKNOWN_OPERATION_CODES: &[&str] = &["UnknownOperationException", "InvalidAction"];

/// Maps an exception the SDK did not model for the operation, by its code.
fn from_code<E: OperationError>(
    operation: &'static str,
    target: &Target,
    status: u16,
    error: E,
) -> Error {
    let code = error.code().unwrap_or_default();
    let message = error.message().unwrap_or_default().to_owned();
    if let Some(mapped) = kms_exception(code, message.clone()) {
        return mapped;
    }
    let in_list = |list: &[&str]| list.contains(&code);
    match code {
        "AccessDeniedException" => Error::AccessDenied { message },
        "ThrottlingException" => Error::Throttling { message },
        "ValidationException" => Error::Validation { message },
        // What `kms serve` answers when the backend behind it lacks the operation.
        "NotImplemented" => Error::NotImplemented { message },
        _ if in_list(AUTHENTICATION_CODES) => Error::AccessDenied {
            message: named(code, &message),
        },
        _ if in_list(THROTTLING_CODES) => Error::Throttling {
            message: named(code, &message),
        },
        _ if in_list(VALIDATION_CODES) => Error::Validation {
            message: named(code, &message),
        },
        _ if in_list(UNKNOWN_OPERATION_CODES) => Error::NotImplemented {
            message: format!(
                "{operation} is not implemented by {target}: {}",
                named(code, &message)
            ),
        },
        _ => {
            let what = if code.is_empty() {
                format!("an error without a code (HTTP status {status})")
            } else {
                named(code, &message)
            };
            Error::Backend {
                backend: BACKEND,
                message: format!("{operation} failed at {target} with {what}"),
                retryable: status >= 500,
                source: Some(Box::new(error)),
            }
        }
    }
}

/// Maps a failure to send a request or to read its answer.
fn transport<E: OperationError>(
    operation: &'static str,
    target: &Target,
    error: SdkError<E>,
) -> Error {
    let (retryable, what) = match &error {
        SdkError::ConstructionFailure(_) => (false, "could not build the request for".to_owned()),
        SdkError::TimeoutError(_) => (
            true,
            "timed out (the operation or attempt timeout of the SDK's timeout configuration) \
             waiting for"
                .to_owned(),
        ),
        SdkError::DispatchFailure(failure) => {
            let what = if failure.is_timeout() {
                "timed out connecting to"
            } else if failure.is_io() {
                "could not connect to"
            } else if failure.is_user() {
                "could not send the request (a client or configuration error) to"
            } else {
                "could not send the request to"
            };
            (!failure.is_user(), what.to_owned())
        }
        SdkError::ResponseError(response) => {
            let status = response.raw().status().as_u16();
            (
                true,
                format!("could not read the answer (HTTP status {status}) of"),
            )
        }
        _ => (true, "failed to reach".to_owned()),
    };
    Error::Backend {
        backend: BACKEND,
        message: format!("{operation} {what} {target}"),
        retryable,
        source: Some(Box::new(error)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, reason = "tests fail by panicking")]
mod tests {
    use aws_sdk_kms::operation::decrypt::DecryptError;
    use aws_sdk_kms::operation::generate_random::GenerateRandomError;

    use super::*;

    fn target() -> Target {
        Target {
            region: "eu-west-1".to_owned(),
            endpoint: None,
        }
    }

    #[test]
    fn targets_name_the_endpoint_or_the_region() {
        assert_eq!(target().to_string(), "AWS KMS in eu-west-1");
        let target = Target {
            region: "us-east-1".to_owned(),
            endpoint: Some("http://127.0.0.1:4566".to_owned()),
        };
        assert_eq!(
            target.to_string(),
            "endpoint http://127.0.0.1:4566 (region us-east-1)"
        );
    }

    #[test]
    fn modeled_exceptions_keep_the_message() {
        let error = DecryptError::IncorrectKeyException(
            exception::IncorrectKeyException::builder()
                .message("wrong key")
                .build(),
        );
        let mapped = error.into_modeled().unwrap();
        assert!(
            matches!(&mapped, Error::IncorrectKey { message } if message == "wrong key"),
            "{mapped:?}"
        );
        let error = DecryptError::InvalidCiphertextException(
            exception::InvalidCiphertextException::builder().build(),
        );
        assert!(matches!(
            error.into_modeled().unwrap(),
            Error::InvalidCiphertext
        ));
    }

    #[test]
    fn custom_key_store_exceptions_keep_their_name() {
        let error = GenerateRandomError::CustomKeyStoreNotFoundException(
            exception::CustomKeyStoreNotFoundException::builder()
                .message("no such store")
                .build(),
        );
        let mapped = error.into_modeled().unwrap();
        assert_eq!(mapped.code(), "NotFoundException");
        assert_eq!(
            mapped.message(),
            "CustomKeyStoreNotFoundException: no such store"
        );
    }

    #[test]
    fn kms_exception_names_map_to_their_variant() {
        let mapped = kms_exception("KMSInvalidStateException", "pending".to_owned()).unwrap();
        assert_eq!(
            (mapped.code(), mapped.message()),
            ("KMSInvalidStateException", "pending")
        );
        assert!(kms_exception("SomethingElse", String::new()).is_none());
    }
}
