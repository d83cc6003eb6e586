//! The error mapping of `AwsKms`, against answers no server can be made to give on demand:
//! every exception, for every operation of the `Kms` trait, answered by `aws-smithy-mocks`
//! through the SDK's own deserializers; and the transport failures (connection refused, a
//! server that never answers) against sockets on 127.0.0.1.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use std::time::Duration;

use aws_sdk_kms::Client;
use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::config::timeout::TimeoutConfig;
use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
use aws_sdk_kms::operation::decrypt::{DecryptError, DecryptOutput};
use aws_sdk_kms::operation::encrypt::EncryptError;
use aws_sdk_kms::operation::generate_data_key::GenerateDataKeyError;
use aws_sdk_kms::operation::re_encrypt::ReEncryptOutput;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::error::{DependencyTimeoutException, KeyUnavailableException};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use kms_aws::AwsKms;
use kms_core::{
    AlgorithmSpec, CancelKeyDeletionRequest, CreateAliasRequest, CreateKeyRequest, DataKeyPairSpec,
    DecapsulateRequest, DecryptRequest, DeleteAliasRequest, DeleteImportedKeyMaterialRequest,
    DeriveSharedSecretRequest, DescribeKeyRequest, DisableKeyRequest, DisableKeyRotationRequest,
    EnableKeyRequest, EnableKeyRotationRequest, EncapsulateRequest, EncapsulationAlgorithmSpec,
    EncryptRequest, Error, GenerateDataKeyPairRequest, GenerateDataKeyPairWithoutPlaintextRequest,
    GenerateDataKeyRequest, GenerateDataKeyWithoutPlaintextRequest, GenerateMacRequest,
    GenerateRandomRequest, GetKeyRotationStatusRequest, GetParametersForImportRequest,
    GetPublicKeyRequest, ImportKeyMaterialRequest, KeyAgreementAlgorithmSpec, KeyId, Kms,
    ListAliasesRequest, ListKeyRotationsRequest, ListKeysRequest, ListResourceTagsRequest,
    MacAlgorithmSpec, MessageType, ReEncryptRequest, ReplicateKeyRequest, RotateKeyOnDemandRequest,
    ScheduleKeyDeletionRequest, SignRequest, SigningAlgorithmSpec, Tag, TagResourceRequest,
    UntagResourceRequest, UpdateAliasRequest, UpdateKeyDescriptionRequest,
    UpdatePrimaryRegionRequest, VerifyMacRequest, VerifyRequest, WrappingKeySpec,
};

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_KEY_ARN: &str =
    "arn:aws:kms:us-east-1:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab";

fn key_id() -> KeyId {
    KeyId::parse(KEY_ID).unwrap()
}

/// An `AwsKms` over a client that answers with `rules`, with retries off.
async fn mocked(rules: &[&Rule]) -> AwsKms {
    let client = mock_client!(aws_sdk_kms, RuleMode::MatchAny, rules, |config| config
        .retry_config(RetryConfig::disabled()));
    AwsKms::builder().with_client(client).build().await.unwrap()
}

/// The body of an awsJson 1.1 error.
fn error_body(code: &str, message: &str) -> String {
    format!(r#"{{"__type":"{code}","message":"{message}"}}"#)
}

/// One error answer and the error it must become.
struct Case {
    /// The HTTP status of the answer.
    status: u16,
    /// The `__type` of the answer.
    wire_code: &'static str,
    /// Its message.
    message: &'static str,
    /// The `code()` of the expected error.
    code: &'static str,
    /// The `message()` of the expected error.
    expected_message: &'static str,
    /// Whether the expected error is retryable.
    retryable: bool,
}

/// A KMS exception that becomes the variant of the same name, keeping its message.
const fn same(wire_code: &'static str, retryable: bool) -> Case {
    Case {
        status: 400,
        wire_code,
        message: "the service's message",
        code: wire_code,
        expected_message: "the service's message",
        retryable,
    }
}

/// Every exception any operation of the trait can return, and the codes every AWS service
/// can send. The expectation does not depend on whether the SDK models the exception for
/// the operation: modeled ones arrive as typed variants, the others by their code.
const CASES: &[Case] = &[
    same("AlreadyExistsException", false),
    same("ConflictException", false),
    same("DependencyTimeoutException", true),
    same("DisabledException", false),
    same("DryRunOperationException", false),
    same("IncorrectKeyException", false),
    same("InvalidAliasNameException", false),
    same("InvalidArnException", false),
    same("InvalidGrantTokenException", false),
    same("InvalidKeyUsageException", false),
    same("InvalidMarkerException", false),
    same("KeyUnavailableException", true),
    same("KMSInternalException", true),
    same("KMSInvalidStateException", false),
    same("LimitExceededException", false),
    same("MalformedPolicyDocumentException", false),
    same("NotFoundException", false),
    same("TagException", false),
    same("UnsupportedOperationException", false),
    same("AccessDeniedException", false),
    same("ThrottlingException", true),
    same("ValidationException", false),
    // Opaque, as AWS sends them.
    Case {
        expected_message: "",
        ..same("InvalidCiphertextException", false)
    },
    Case {
        expected_message: "",
        ..same("KMSInvalidSignatureException", false)
    },
    Case {
        expected_message: "",
        ..same("KMSInvalidMacException", false)
    },
    // Exceptions of custom key stores become the nearest variant and keep their name.
    Case {
        code: "NotFoundException",
        expected_message: "CustomKeyStoreNotFoundException: the service's message",
        ..same("CustomKeyStoreNotFoundException", false)
    },
    Case {
        code: "KMSInvalidStateException",
        expected_message: "CustomKeyStoreInvalidStateException: the service's message",
        ..same("CustomKeyStoreInvalidStateException", false)
    },
    Case {
        code: "KMSInvalidStateException",
        expected_message: "CloudHsmClusterInvalidConfigurationException: the service's message",
        ..same("CloudHsmClusterInvalidConfigurationException", false)
    },
    Case {
        code: "AlreadyExistsException",
        expected_message: "XksKeyAlreadyInUseException: the service's message",
        ..same("XksKeyAlreadyInUseException", false)
    },
    Case {
        code: "ValidationException",
        expected_message: "XksKeyInvalidConfigurationException: the service's message",
        ..same("XksKeyInvalidConfigurationException", false)
    },
    Case {
        code: "NotFoundException",
        expected_message: "XksKeyNotFoundException: the service's message",
        ..same("XksKeyNotFoundException", false)
    },
    // Authentication failures are access denied, naming the code.
    Case {
        message: "The security token included in the request is invalid.",
        code: "AccessDeniedException",
        expected_message: "UnrecognizedClientException: The security token included in the \
                           request is invalid.",
        ..same("UnrecognizedClientException", false)
    },
    Case {
        code: "AccessDeniedException",
        expected_message: "InvalidSignatureException: the service's message",
        ..same("InvalidSignatureException", false)
    },
    Case {
        code: "AccessDeniedException",
        expected_message: "ExpiredTokenException: the service's message",
        ..same("ExpiredTokenException", false)
    },
    Case {
        code: "ThrottlingException",
        expected_message: "TooManyRequestsException: the service's message",
        ..same("TooManyRequestsException", true)
    },
    Case {
        code: "ValidationException",
        expected_message: "SerializationException: the service's message",
        ..same("SerializationException", false)
    },
    // An emulator that lacks the operation: not AWS's refusal, so no AWS exception.
    Case {
        code: "NotImplemented",
        expected_message: "UnknownOperationException: the service's message",
        ..same("UnknownOperationException", false)
    },
    // A backend behind our own server (`kms serve`) that lacks the operation: its message
    // kept, and never retried although the status is 501.
    Case {
        status: 501,
        ..same("NotImplemented", false)
    },
    // An unknown code is a backend error, retryable only for 5xx.
    Case {
        code: "BackendError",
        expected_message: "SomethingNewException: the service's message",
        ..same("SomethingNewException", false)
    },
    Case {
        status: 503,
        code: "BackendError",
        expected_message: "ServiceUnavailable: the service's message",
        ..same("ServiceUnavailable", true)
    },
];

impl Case {
    /// Panics unless `err` is what this case expects from `operation`.
    fn check(&self, operation: &str, err: &Error) {
        let what = format!("{operation} answered {} {}", self.status, self.wire_code);
        assert_eq!(err.code(), self.code, "{what}: {err:?}");
        if self.code == "BackendError" {
            // The message names the operation (as AWS spells it) and the target.
            let (named, rest) = err.message().split_once(' ').unwrap_or_default();
            assert_eq!(
                named.to_lowercase(),
                operation.replace('_', ""),
                "{what}: {err:?}"
            );
            assert!(
                rest.starts_with("failed at AWS KMS in us-east-1 with "),
                "{what}: {err:?}"
            );
            assert!(
                err.message()
                    .ends_with(&format!("with {}", self.expected_message)),
                "{what}: {err:?}"
            );
        } else if self.code == "NotImplemented" {
            assert!(
                err.message().contains(self.expected_message),
                "{what}: {err:?}"
            );
        } else {
            assert_eq!(err.message(), self.expected_message, "{what}: {err:?}");
        }
        assert_eq!(err.is_retryable(), self.retryable, "{what}: {err:?}");
    }
}

/// Generates, for each operation of the trait, a test that answers it with every case.
macro_rules! every_exception_of_every_operation {
    ($( $op:ident($request:expr); )+) => {$(
        #[tokio::test]
        async fn $op() {
            for case in CASES {
                let body = error_body(case.wire_code, case.message);
                let rule = mock!(Client::$op)
                    .sequence()
                    .http_status(case.status, Some(body))
                    .build();
                let kms = mocked(&[&rule]).await;
                let Err(err) = kms.$op($request).await else {
                    panic!("{}: an error answer gave Ok", stringify!($op));
                };
                case.check(stringify!($op), &err);
            }
        }
    )+};
}

mod every_operation {
    use super::*;

    every_exception_of_every_operation! {
        create_key(CreateKeyRequest::new().with_tags(vec![Tag::new("k", "v")]));
        describe_key(DescribeKeyRequest::new(key_id()));
        list_keys(ListKeysRequest::new().with_limit(10u32));
        update_key_description(UpdateKeyDescriptionRequest::new(key_id(), "d"));
        enable_key(EnableKeyRequest::new(key_id()));
        disable_key(DisableKeyRequest::new(key_id()));
        schedule_key_deletion(ScheduleKeyDeletionRequest::new(key_id()));
        cancel_key_deletion(CancelKeyDeletionRequest::new(key_id()));
        enable_key_rotation(EnableKeyRotationRequest::new(key_id()));
        disable_key_rotation(DisableKeyRotationRequest::new(key_id()));
        get_key_rotation_status(GetKeyRotationStatusRequest::new(key_id()));
        rotate_key_on_demand(RotateKeyOnDemandRequest::new(key_id()));
        list_key_rotations(ListKeyRotationsRequest::new(key_id()));
        create_alias(CreateAliasRequest::new("alias/a", key_id()));
        update_alias(UpdateAliasRequest::new("alias/a", key_id()));
        delete_alias(DeleteAliasRequest::new("alias/a"));
        list_aliases(ListAliasesRequest::new());
        tag_resource(TagResourceRequest::new(key_id(), vec![Tag::new("k", "v")]));
        untag_resource(UntagResourceRequest::new(key_id(), vec!["k".to_owned()]));
        list_resource_tags(ListResourceTagsRequest::new(key_id()));
        encrypt(EncryptRequest::new(key_id(), b"data"));
        decrypt(DecryptRequest::new(b"blob".to_vec()));
        re_encrypt(ReEncryptRequest::new(b"blob".to_vec(), key_id()));
        generate_data_key(GenerateDataKeyRequest::new(key_id()));
        generate_data_key_without_plaintext(GenerateDataKeyWithoutPlaintextRequest::new(key_id()));
        generate_random(GenerateRandomRequest::new().with_number_of_bytes(16u32));
        generate_data_key_pair(
            GenerateDataKeyPairRequest::new(key_id(), DataKeyPairSpec::EccNistP256)
        );
        generate_data_key_pair_without_plaintext(
            GenerateDataKeyPairWithoutPlaintextRequest::new(key_id(), DataKeyPairSpec::Rsa2048)
        );
        get_public_key(GetPublicKeyRequest::new(key_id()));
        sign(SignRequest::new(key_id(), b"message", SigningAlgorithmSpec::EcdsaSha256));
        verify(VerifyRequest::new(
            key_id(),
            b"message",
            b"signature".to_vec(),
            SigningAlgorithmSpec::EcdsaSha256,
        ));
        generate_mac(GenerateMacRequest::new(b"message", key_id(), MacAlgorithmSpec::HmacSha256));
        verify_mac(VerifyMacRequest::new(
            b"message",
            key_id(),
            MacAlgorithmSpec::HmacSha256,
            b"mac".to_vec(),
        ));
        derive_shared_secret(DeriveSharedSecretRequest::new(
            key_id(),
            KeyAgreementAlgorithmSpec::Ecdh,
            b"public key".to_vec(),
        ));
        encapsulate(EncapsulateRequest::new(key_id(), EncapsulationAlgorithmSpec::MlKem));
        decapsulate(DecapsulateRequest::new(
            key_id(),
            b"ciphertext".to_vec(),
            EncapsulationAlgorithmSpec::MlKem,
        ));
        get_parameters_for_import(GetParametersForImportRequest::new(
            key_id(),
            AlgorithmSpec::RsaesOaepSha256,
            WrappingKeySpec::Rsa2048,
        ));
        import_key_material(ImportKeyMaterialRequest::new(
            key_id(),
            b"token".to_vec(),
            b"material".to_vec(),
        ));
        delete_imported_key_material(DeleteImportedKeyMaterialRequest::new(key_id()));
        replicate_key(ReplicateKeyRequest::new(key_id(), "us-west-2"));
        update_primary_region(UpdatePrimaryRegionRequest::new(key_id(), "us-west-2"));
    }
}

/// The retryable exceptions no server can be made to produce, as the SDK models them.
#[tokio::test]
async fn modeled_retryable_exceptions_keep_their_message() {
    let key_unavailable = mock!(Client::encrypt).then_error(|| {
        EncryptError::KeyUnavailableException(
            KeyUnavailableException::builder()
                .message("The key is unavailable right now.")
                .build(),
        )
    });
    let kms = mocked(&[&key_unavailable]).await;
    let err = kms
        .encrypt(EncryptRequest::new(key_id(), b"data"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::KeyUnavailable { message } if message == "The key is unavailable right now."),
        "{err:?}"
    );
    assert!(err.is_retryable());

    let timeout = mock!(Client::generate_data_key).then_error(|| {
        GenerateDataKeyError::DependencyTimeoutException(
            DependencyTimeoutException::builder()
                .message("The service timed out.")
                .build(),
        )
    });
    let kms = mocked(&[&timeout]).await;
    let err = kms
        .generate_data_key(GenerateDataKeyRequest::new(key_id()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::DependencyTimeout { message } if message == "The service timed out."),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

/// Throttling is not modeled: it arrives by its code, with AWS's message.
#[tokio::test]
async fn throttling_keeps_the_service_message() {
    let message = "You have exceeded the rate at which you may call KMS. Reduce the frequency \
                   of your calls.";
    let rule = mock!(Client::decrypt)
        .sequence()
        .http_status(400, Some(error_body("ThrottlingException", message)))
        .build();
    let kms = mocked(&[&rule]).await;
    let err = kms
        .decrypt(DecryptRequest::new(b"blob".to_vec()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Throttling { message: m } if m == message),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

/// The SDK retries throttling by itself, by the retry configuration of the builder.
#[tokio::test]
async fn the_retry_configuration_applies() {
    let body = error_body("ThrottlingException", "slow down");
    let rule = mock!(Client::generate_random)
        .sequence()
        .http_status(400, Some(body))
        .times(2)
        .output(|| {
            aws_sdk_kms::operation::generate_random::GenerateRandomOutput::builder()
                .plaintext(Blob::new(vec![7; 16]))
                .build()
        })
        .build();
    let client = mock_client!(aws_sdk_kms, RuleMode::Sequential, &[&rule]);
    let retrying = RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5));
    let kms = AwsKms::builder()
        .with_client(client)
        .with_retry_config(retrying)
        .build()
        .await
        .unwrap();
    let random = kms
        .generate_random(GenerateRandomRequest::new().with_number_of_bytes(16u32))
        .await
        .unwrap();
    assert_eq!(random.plaintext.expose_secret(), &[7; 16]);
    assert_eq!(rule.num_calls(), 3);
}

/// A decrypt answer from `arn`.
fn decrypted_by(arn: &'static str) -> Rule {
    mock!(Client::decrypt).then_output(move || {
        DecryptOutput::builder()
            .key_id(arn)
            .plaintext(Blob::new(b"secret".to_vec()))
            .encryption_algorithm(aws_sdk_kms::types::EncryptionAlgorithmSpec::SymmetricDefault)
            .build()
    })
}

#[tokio::test]
async fn decrypt_checks_the_key_the_caller_named() {
    // The service (a peer that does not check) decrypted with another key than the one named.
    let kms = mocked(&[&decrypted_by(OTHER_KEY_ARN)]).await;
    for named in [KEY_ID, KEY_ARN] {
        let request =
            DecryptRequest::new(b"blob".to_vec()).with_key_id(KeyId::parse(named).unwrap());
        let err = kms.decrypt(request).await.unwrap_err();
        assert!(
            matches!(&err, Error::IncorrectKey { message } if message ==
                "The key ID in the request does not identify a CMK that can perform this operation."),
            "{named}: {err:?}"
        );
    }
    // No key named: nothing to check.
    let response = kms
        .decrypt(DecryptRequest::new(b"blob".to_vec()))
        .await
        .unwrap();
    assert_eq!(response.key_id, OTHER_KEY_ARN);
    assert_eq!(response.plaintext.expose_secret(), b"secret");

    // The right key, by ID or ARN.
    let kms = mocked(&[&decrypted_by(KEY_ARN)]).await;
    for named in [KEY_ID, KEY_ARN] {
        let request =
            DecryptRequest::new(b"blob".to_vec()).with_key_id(KeyId::parse(named).unwrap());
        let response = kms.decrypt(request).await.unwrap();
        assert_eq!(response.key_id, KEY_ARN);
        assert_eq!(
            response.encryption_algorithm,
            Some(kms_core::EncryptionAlgorithmSpec::SymmetricDefault)
        );
    }
}

/// The identifiers of one key in the four forms.
const KEY_FORMS: [&str; 4] = [
    KEY_ID,
    KEY_ARN,
    "alias/orders",
    "arn:aws:kms:us-east-1:111122223333:alias/orders",
];

/// Decrypt sends exactly the one request the caller asked for, whatever form names the key:
/// the client's only rule answers Decrypt, so any other request (a DescribeKey to resolve an
/// alias) would fail the call.
#[tokio::test]
async fn decrypt_sends_exactly_one_request() {
    for named in KEY_FORMS {
        let decrypt = decrypted_by(KEY_ARN);
        let kms = mocked(&[&decrypt]).await;
        let request =
            DecryptRequest::new(b"blob".to_vec()).with_key_id(KeyId::parse(named).unwrap());
        let response = kms.decrypt(request).await.unwrap();
        assert_eq!(response.key_id, KEY_ARN, "{named}");
        assert_eq!(decrypt.num_calls(), 1, "{named}");
    }
}

/// An alias naming another key than the one that encrypted is for the service to refuse
/// (AWS answers IncorrectKeyException); the backend sends nothing to check it.
#[tokio::test]
async fn decrypt_leaves_an_alias_to_the_service() {
    let decrypt = decrypted_by(OTHER_KEY_ARN);
    let kms = mocked(&[&decrypt]).await;
    let alias = KeyId::parse("alias/orders").unwrap();
    let response = kms
        .decrypt(DecryptRequest::new(b"blob".to_vec()).with_key_id(alias))
        .await
        .unwrap();
    assert_eq!(response.key_id, OTHER_KEY_ARN);
    assert_eq!(decrypt.num_calls(), 1);
}

/// ReEncrypt sends exactly the one request the caller asked for, whatever form names its
/// source key.
#[tokio::test]
async fn re_encrypt_sends_exactly_one_request() {
    for named in KEY_FORMS {
        let re_encrypted = mock!(Client::re_encrypt).then_output(|| {
            ReEncryptOutput::builder()
                .ciphertext_blob(Blob::new(b"new blob".to_vec()))
                .key_id(OTHER_KEY_ARN)
                .source_key_id(KEY_ARN)
                .build()
        });
        let kms = mocked(&[&re_encrypted]).await;
        let request = ReEncryptRequest::new(b"blob".to_vec(), KeyId::parse(OTHER_KEY_ARN).unwrap())
            .with_source_key_id(KeyId::parse(named).unwrap());
        let response = kms.re_encrypt(request).await.unwrap();
        assert_eq!(response.source_key_id.as_deref(), Some(KEY_ARN), "{named}");
        assert_eq!(re_encrypted.num_calls(), 1, "{named}");
    }
}

#[tokio::test]
async fn re_encrypt_checks_the_source_key_the_caller_named() {
    let re_encrypted = mock!(Client::re_encrypt).then_output(|| {
        ReEncryptOutput::builder()
            .ciphertext_blob(Blob::new(b"new blob".to_vec()))
            .key_id(KEY_ARN)
            .source_key_id(OTHER_KEY_ARN)
            .build()
    });
    let kms = mocked(&[&re_encrypted]).await;
    let request = ReEncryptRequest::new(b"blob".to_vec(), key_id()).with_source_key_id(key_id());
    let err = kms.re_encrypt(request).await.unwrap_err();
    assert_eq!(err.code(), "IncorrectKeyException", "{err:?}");

    let request = ReEncryptRequest::new(b"blob".to_vec(), key_id());
    let response = kms.re_encrypt(request).await.unwrap();
    assert_eq!(response.ciphertext_blob, b"new blob");
    assert_eq!(response.source_key_id.as_deref(), Some(OTHER_KEY_ARN));
}

/// A configuration for a server on 127.0.0.1 that needs nothing from the machine.
fn local_config() -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::for_tests()))
        .build()
}

#[tokio::test]
async fn a_refused_connection_is_retryable_and_names_the_endpoint() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let kms = AwsKms::builder()
        .with_sdk_config(&local_config())
        .with_endpoint_url(&endpoint)
        .with_retry_config(RetryConfig::disabled())
        .build()
        .await
        .unwrap();
    let err = kms
        .encrypt(EncryptRequest::new(key_id(), b"data"))
        .await
        .unwrap_err();
    let Error::Backend {
        backend,
        message,
        retryable,
        source,
    } = &err
    else {
        panic!("expected a backend error, got {err:?}");
    };
    assert_eq!(*backend, "aws");
    assert!(*retryable);
    assert_eq!(
        message,
        &format!("Encrypt could not connect to endpoint {endpoint} (region us-east-1)")
    );
    assert!(source.is_some());
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_with_a_retryable_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    // Accept connections and hold them open without a word.
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let kms = AwsKms::builder()
        .with_sdk_config(&local_config())
        .with_endpoint_url(&endpoint)
        .with_retry_config(RetryConfig::disabled())
        .with_timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_millis(300))
                .build(),
        )
        .build()
        .await
        .unwrap();
    let err = kms
        .generate_data_key(GenerateDataKeyRequest::new(key_id()))
        .await
        .unwrap_err();
    silent.abort();
    assert!(
        matches!(
            &err,
            Error::Backend {
                retryable: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.message().starts_with("GenerateDataKey timed out")
            && err.message().ends_with(&format!(
                "waiting for endpoint {endpoint} (region us-east-1)"
            )),
        "{err}"
    );
}

#[tokio::test]
async fn modeled_decrypt_errors_arrive_typed() {
    // The SDK builds this variant itself only from a modeled answer; map it all the same.
    let rule = mock!(Client::decrypt).then_error(|| {
        DecryptError::InvalidCiphertextException(
            aws_sdk_kms::types::error::InvalidCiphertextException::builder().build(),
        )
    });
    let kms = mocked(&[&rule]).await;
    let err = kms
        .decrypt(DecryptRequest::new(b"blob".to_vec()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCiphertext), "{err:?}");
}

/// A peer that answers `SignatureValid: false` (AWS never does) gets AWS's error all the same.
#[tokio::test]
async fn a_false_signature_valid_is_an_invalid_signature() {
    let rule = mock!(Client::verify).then_output(|| {
        aws_sdk_kms::operation::verify::VerifyOutput::builder()
            .key_id(KEY_ARN)
            .signature_valid(false)
            .signing_algorithm(aws_sdk_kms::types::SigningAlgorithmSpec::EcdsaSha256)
            .build()
    });
    let kms = mocked(&[&rule]).await;
    let request = VerifyRequest::new(
        key_id(),
        b"message",
        b"signature".to_vec(),
        SigningAlgorithmSpec::EcdsaSha256,
    );
    let err = kms.verify(request).await.unwrap_err();
    assert!(matches!(err, Error::InvalidSignature), "{err:?}");
    assert_eq!(err.code(), "KMSInvalidSignatureException");
    assert_eq!(err.message(), "");
}

/// The same for `MacValid: false`.
#[tokio::test]
async fn a_false_mac_valid_is_an_invalid_mac() {
    let rule = mock!(Client::verify_mac).then_output(|| {
        aws_sdk_kms::operation::verify_mac::VerifyMacOutput::builder()
            .key_id(KEY_ARN)
            .mac_valid(false)
            .build()
    });
    let kms = mocked(&[&rule]).await;
    let request = VerifyMacRequest::new(
        b"message",
        key_id(),
        MacAlgorithmSpec::HmacSha256,
        b"mac".to_vec(),
    );
    let err = kms.verify_mac(request).await.unwrap_err();
    assert!(matches!(err, Error::InvalidMac), "{err:?}");
    assert_eq!(err.code(), "KMSInvalidMacException");
}

/// `KMSInvalidSignatureException` and `KMSInvalidMacException` as the SDK models them
/// (typed variants of `VerifyError` and `VerifyMacError`), and `InvalidCiphertextException`
/// of `Decapsulate` (a ciphertext of the wrong length).
#[tokio::test]
async fn modeled_verification_errors_arrive_typed() {
    use aws_sdk_kms::operation::decapsulate::DecapsulateError;
    use aws_sdk_kms::operation::verify::VerifyError;
    use aws_sdk_kms::operation::verify_mac::VerifyMacError;
    use aws_sdk_kms::types::error::{
        InvalidCiphertextException, KmsInvalidMacException, KmsInvalidSignatureException,
    };

    let rule = mock!(Client::verify).then_error(|| {
        VerifyError::KmsInvalidSignatureException(KmsInvalidSignatureException::builder().build())
    });
    let kms = mocked(&[&rule]).await;
    let request = VerifyRequest::new(
        key_id(),
        b"message",
        b"signature".to_vec(),
        SigningAlgorithmSpec::RsassaPssSha256,
    )
    .with_message_type(MessageType::Raw);
    let err = kms.verify(request).await.unwrap_err();
    assert!(matches!(err, Error::InvalidSignature), "{err:?}");

    let rule = mock!(Client::verify_mac).then_error(|| {
        VerifyMacError::KmsInvalidMacException(KmsInvalidMacException::builder().build())
    });
    let kms = mocked(&[&rule]).await;
    let request = VerifyMacRequest::new(
        b"message",
        key_id(),
        MacAlgorithmSpec::HmacSha512,
        b"mac".to_vec(),
    );
    let err = kms.verify_mac(request).await.unwrap_err();
    assert!(matches!(err, Error::InvalidMac), "{err:?}");

    let rule = mock!(Client::decapsulate).then_error(|| {
        DecapsulateError::InvalidCiphertextException(InvalidCiphertextException::builder().build())
    });
    let kms = mocked(&[&rule]).await;
    let request = DecapsulateRequest::new(
        key_id(),
        b"too short".to_vec(),
        EncapsulationAlgorithmSpec::MlKem,
    );
    let err = kms.decapsulate(request).await.unwrap_err();
    assert!(matches!(err, Error::InvalidCiphertext), "{err:?}");
}
