//! Every error `dispatch` can answer, as the official SDK reads it: each AWS exception of the
//! backend reaches the SDK as the same code and message (none for the three AWS sends bare),
//! with AWS's HTTP status and a request id; `AwsKms` maps each back to the same
//! `kms_core::Error`; the modeled ones become the SDK's modeled variants.

#![allow(clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

mod common;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_kms::error::ProvideErrorMetadata;
use aws_sdk_kms::operation::RequestId;
use aws_sdk_kms::operation::create_alias::CreateAliasError;
use aws_sdk_kms::operation::decrypt::DecryptError;
use aws_sdk_kms::operation::describe_key::DescribeKeyError;
use aws_sdk_kms::operation::encrypt::EncryptError;
use aws_sdk_kms::primitives::Blob;
use kms_core::{DescribeKeyRequest, Error, KeyId, Kms};
use kms_wire::WireError;

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

/// A backend whose every operation fails with the error `make` builds.
#[derive(Debug)]
struct Failing(fn() -> Error);

impl fmt::Display for Failing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Failing")
    }
}

macro_rules! fail_every_operation {
    ($( $op:ident($request:ty) -> $response:ty; )+) => {
        #[async_trait]
        impl Kms for Failing {
            $(
                async fn $op(&self, _request: $request) -> kms_core::Result<$response> {
                    Err((self.0)())
                }
            )+
        }
    };
}

kms_core::for_each_operation!(fail_every_operation {});

/// Each AWS exception of the backend, and the HTTP status AWS sends it with.
fn aws_exceptions() -> Vec<(fn() -> Error, u16)> {
    vec![
        (
            || Error::NotFound {
                message: format!("Key '{KEY_ID}' does not exist"),
            },
            400,
        ),
        (
            || Error::Disabled {
                message: "key is disabled.".into(),
            },
            400,
        ),
        (
            || Error::InvalidState {
                message: "key is pending deletion.".into(),
            },
            400,
        ),
        (|| Error::InvalidCiphertext, 400),
        (
            || Error::IncorrectKey {
                message: "wrong key".into(),
            },
            400,
        ),
        (
            || Error::InvalidKeyUsage {
                message: "not for encryption".into(),
            },
            400,
        ),
        (
            || Error::Validation {
                message: "1 validation error detected: Value '0' at 'numberOfBytes' failed to \
                          satisfy constraint: Member must have value greater than or equal to 1"
                    .into(),
            },
            400,
        ),
        (
            || Error::AlreadyExists {
                message: "alias exists".into(),
            },
            400,
        ),
        (
            || Error::InvalidAliasName {
                message: "bad alias".into(),
            },
            400,
        ),
        (
            || Error::LimitExceeded {
                message: "too many".into(),
            },
            400,
        ),
        (
            || Error::Tag {
                message: "Too many tags".into(),
            },
            400,
        ),
        (
            || Error::InvalidMarker {
                message: "bad marker".into(),
            },
            400,
        ),
        (
            || Error::InvalidArn {
                message: "bad arn".into(),
            },
            400,
        ),
        (
            || Error::InvalidGrantToken {
                message: "bad token".into(),
            },
            400,
        ),
        (
            || Error::MalformedPolicyDocument {
                message: "bad policy".into(),
            },
            400,
        ),
        (
            || Error::Unsupported {
                message: "not for this key".into(),
            },
            400,
        ),
        (
            || Error::Conflict {
                message: "in progress".into(),
            },
            400,
        ),
        (
            || Error::DryRunOperation {
                message: "would have succeeded".into(),
            },
            400,
        ),
        (|| Error::InvalidSignature, 400),
        (|| Error::InvalidMac, 400),
        (
            || Error::AccessDenied {
                message: "not allowed".into(),
            },
            400,
        ),
        (
            || Error::Throttling {
                message: "slow down".into(),
            },
            400,
        ),
        (
            || Error::DependencyTimeout {
                message: "timed out".into(),
            },
            503,
        ),
        (
            || Error::KeyUnavailable {
                message: "unavailable".into(),
            },
            500,
        ),
        (
            || Error::Internal {
                message: "internal".into(),
            },
            500,
        ),
    ]
}

fn key_id() -> KeyId {
    KeyId::parse(KEY_ID).expect("a key ID")
}

#[tokio::test]
async fn every_aws_exception_reaches_the_sdk_with_its_code_message_status_and_request_id() {
    for (make, status) in aws_exceptions() {
        let expected = make();
        let client = common::sdk_client(Arc::new(Failing(make)));
        let err = client
            .describe_key()
            .key_id(KEY_ID)
            .send()
            .await
            .expect_err("the backend fails");
        let code = expected.code();
        assert_eq!(err.code(), Some(code));
        let silent = matches!(
            expected,
            Error::InvalidCiphertext | Error::InvalidSignature | Error::InvalidMac
        );
        let message = (!silent).then(|| expected.message());
        assert_eq!(err.message(), message, "{code}");
        assert!(err.request_id().is_some_and(|id| !id.is_empty()), "{code}");
        let raw = err.raw_response().expect("an HTTP answer");
        assert_eq!(raw.status().as_u16(), status, "{code}");
        assert_eq!(WireError::Kms(make()).http_status(), status);
    }
}

#[tokio::test]
async fn aws_kms_reads_each_exception_back_as_the_same_error() {
    for (make, _) in aws_exceptions() {
        let expected = make();
        let kms = common::aws_kms(Arc::new(Failing(make))).await;
        let err = kms
            .describe_key(DescribeKeyRequest::new(key_id()))
            .await
            .expect_err("the backend fails");
        assert_eq!(err.code(), expected.code());
        assert_eq!(err.message(), expected.message());
    }
}

#[tokio::test]
async fn modeled_exceptions_become_the_sdks_modeled_variants() {
    let client = common::sdk_client(Arc::new(Failing(|| Error::NotFound {
        message: "Invalid keyId 'x'".into(),
    })));
    let err = client.describe_key().key_id(KEY_ID).send().await;
    let err = err.expect_err("fails").into_service_error();
    assert!(
        matches!(err, DescribeKeyError::NotFoundException(_)),
        "{err:?}"
    );

    let client = common::sdk_client(Arc::new(Failing(|| Error::InvalidCiphertext)));
    let err = client
        .decrypt()
        .ciphertext_blob(Blob::new(vec![1; 32]))
        .send()
        .await;
    let err = err.expect_err("fails").into_service_error();
    assert!(matches!(&err, DecryptError::InvalidCiphertextException(e) if e.message().is_none()));

    let client = common::sdk_client(Arc::new(Failing(|| Error::Disabled {
        message: "disabled".into(),
    })));
    let err = client
        .encrypt()
        .key_id(KEY_ID)
        .plaintext(Blob::new("x"))
        .send()
        .await;
    let err = err.expect_err("fails").into_service_error();
    assert!(matches!(&err, EncryptError::DisabledException(e) if e.message() == Some("disabled")));

    let client = common::sdk_client(Arc::new(Failing(|| Error::AlreadyExists {
        message: "An alias with the name alias/a already exists".into(),
    })));
    let err = client
        .create_alias()
        .alias_name("alias/a")
        .target_key_id(KEY_ID)
        .send()
        .await;
    let err = err.expect_err("fails").into_service_error();
    assert!(
        matches!(err, CreateAliasError::AlreadyExistsException(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn not_implemented_is_501_under_its_own_code() {
    let client = common::sdk_client(Arc::new(Failing(|| {
        Error::not_implemented("GenerateRandom", "Failing")
    })));
    let err = client
        .generate_random()
        .number_of_bytes(8)
        .send()
        .await
        .expect_err("fails");
    assert_eq!(err.code(), Some("NotImplemented"));
    assert_eq!(
        err.message(),
        Some("Failing does not implement GenerateRandom")
    );
    let raw = err.raw_response().expect("an HTTP answer");
    assert_eq!(raw.status().as_u16(), 501);
}

#[tokio::test]
async fn an_unknown_operation_is_answered_bare_and_never_reaches_the_backend() {
    let kms = Failing(|| panic!("the backend was called"));
    for operation in [
        "ConnectCustomKeyStore",
        "encrypt",
        "",
        "TrentService.Encrypt",
        "Encrypt ",
    ] {
        let err = kms_wire::dispatch(&kms, operation, b"{}")
            .await
            .expect_err("unknown");
        assert_eq!(err.code(), "UnknownOperationException");
        assert_eq!(err.message(), None);
        assert_eq!(err.http_status(), 400);
        assert_eq!(err.to_json(), br#"{"__type":"UnknownOperationException"}"#);
    }
}

#[test]
fn error_bodies_carry_type_and_message_escaped() {
    let err = WireError::Kms(Error::NotFound {
        message: "Alias 'alias/\"q\"' is not found.".into(),
    });
    assert_eq!(
        String::from_utf8(err.to_json()).expect("UTF-8"),
        r#"{"__type":"NotFoundException","message":"Alias 'alias/\"q\"' is not found."}"#
    );
    let err = WireError::Kms(Error::InvalidCiphertext);
    assert_eq!(err.to_json(), br#"{"__type":"InvalidCiphertextException"}"#);
}

#[tokio::test]
async fn the_sdk_reads_serialization_and_unknown_operation_errors_by_their_code() {
    let untouchable = || -> Arc<dyn Kms> { Arc::new(Failing(|| panic!("the backend was called"))) };

    let connector = common::InProcess::new(untouchable())
        .replacing("TrentService.DescribeKey", br#"{"KeyId":{}}"#);
    let err = common::sdk_client_over(connector.clone())
        .describe_key()
        .key_id(KEY_ID)
        .send()
        .await
        .expect_err("malformed");
    assert_eq!(err.code(), Some("SerializationException"));
    assert_eq!(
        err.message(),
        Some("Start of structure or map found where not expected.")
    );
    let err = common::aws_kms_over(connector)
        .await
        .describe_key(DescribeKeyRequest::new(key_id()))
        .await
        .expect_err("malformed");
    assert_eq!(err.code(), "ValidationException");
    assert!(
        err.message()
            .contains("Start of structure or map found where not expected."),
        "{err}"
    );

    let connector = common::InProcess::new(untouchable())
        .replacing("TrentService.ConnectCustomKeyStore", b"{}");
    let err = common::sdk_client_over(connector.clone())
        .describe_key()
        .key_id(KEY_ID)
        .send()
        .await
        .expect_err("unknown");
    assert_eq!(err.code(), Some("UnknownOperationException"));
    assert_eq!(err.message(), None);
    let err = common::aws_kms_over(connector)
        .await
        .describe_key(DescribeKeyRequest::new(key_id()))
        .await
        .expect_err("unknown");
    assert_eq!(err.code(), "NotImplemented");
}
