//! Malformed requests: each bad body gets its exact code and message, and none reaches the
//! backend (a backend that panics when called); unknown members are ignored and unknown enum
//! values are left to the backend, as AWS does.

#![allow(clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use std::fmt;

use async_trait::async_trait;
use kms_core::Kms;
use kms_local::LocalKms;

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

/// A backend that must never be called.
#[derive(Debug)]
struct Untouchable;

impl fmt::Display for Untouchable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Untouchable")
    }
}

macro_rules! panic_on_every_operation {
    ($( $op:ident($request:ty) -> $response:ty; )+) => {
        #[async_trait]
        impl Kms for Untouchable {
            $(
                async fn $op(&self, _request: $request) -> kms_core::Result<$response> {
                    panic!("a malformed request reached the backend: {}", stringify!($op))
                }
            )+
        }
    };
}

kms_core::for_each_operation!(panic_on_every_operation {});

const SERIALIZATION: &str = "SerializationException";
const VALIDATION: &str = "ValidationException";

/// `(operation, body, code, message)`.
fn cases() -> Vec<(&'static str, String, &'static str, String)> {
    let with_key = |members: &str| format!(r#"{{"KeyId":"{KEY_ID}",{members}}}"#);
    let null = |path: &str| {
        format!("Value null at '{path}' failed to satisfy constraint: Member must not be null")
    };
    vec![
        (
            "Encrypt",
            "KeyId=1".to_owned(),
            SERIALIZATION,
            "The request body is not valid JSON: expected value at line 1 column 1".to_owned(),
        ),
        (
            "Encrypt",
            r#"{"KeyId":"a""#.to_owned(),
            SERIALIZATION,
            "The request body is not valid JSON: EOF while parsing an object at line 1 column 12"
                .to_owned(),
        ),
        (
            "ListKeys",
            "[".repeat(200),
            SERIALIZATION,
            "The request body is not valid JSON: recursion limit exceeded at line 1 column 128"
                .to_owned(),
        ),
        (
            "ListKeys",
            "[]".to_owned(),
            SERIALIZATION,
            "Start of list found where not expected.".to_owned(),
        ),
        (
            "ListKeys",
            r#""{}""#.to_owned(),
            SERIALIZATION,
            "STRING_VALUE cannot be converted to Structure".to_owned(),
        ),
        (
            "ListKeys",
            "null".to_owned(),
            SERIALIZATION,
            "NULL_VALUE cannot be converted to Structure".to_owned(),
        ),
        (
            "Encrypt",
            r#"{"KeyId":1,"Plaintext":"aGk="}"#.to_owned(),
            SERIALIZATION,
            "NUMBER_VALUE cannot be converted to String".to_owned(),
        ),
        (
            "Encrypt",
            r#"{"KeyId":{"Id":"x"},"Plaintext":"aGk="}"#.to_owned(),
            SERIALIZATION,
            "Start of structure or map found where not expected.".to_owned(),
        ),
        (
            "DescribeKey",
            format!(r#"{{"KeyId":["{KEY_ID}"]}}"#),
            SERIALIZATION,
            "Start of list found where not expected.".to_owned(),
        ),
        (
            "Encrypt",
            with_key(r#""Plaintext":true"#),
            SERIALIZATION,
            "TRUE_VALUE cannot be converted to Blob".to_owned(),
        ),
        (
            "Encrypt",
            with_key(r#""Plaintext":"c2VjcmV0""#) + "x",
            SERIALIZATION,
            "The request body is not valid JSON: trailing characters at line 1 column 72"
                .to_owned(),
        ),
        (
            "Encrypt",
            with_key(r#""Plaintext":"c2VjcmV0IQ""#),
            SERIALIZATION,
            "Base64 encoded length is expected a multiple of 4 bytes but found: 10".to_owned(),
        ),
        (
            "Encrypt",
            with_key(r#""Plaintext":"c2VjcmV0IQ!=""#),
            SERIALIZATION,
            "Invalid Base64 character at offset 10".to_owned(),
        ),
        (
            "Decrypt",
            r#"{"CiphertextBlob":"AQ=A"}"#.to_owned(),
            SERIALIZATION,
            "Invalid Base64 character at offset 2".to_owned(),
        ),
        (
            "Encrypt",
            with_key(r#""Plaintext":"aGk=","EncryptionContext":{"a":1}"#),
            SERIALIZATION,
            "NUMBER_VALUE cannot be converted to String".to_owned(),
        ),
        (
            "Encrypt",
            with_key(r#""Plaintext":"aGk=","EncryptionContext":{"a":null}"#),
            SERIALIZATION,
            "NULL_VALUE cannot be converted to String".to_owned(),
        ),
        (
            "Encrypt",
            with_key(r#""Plaintext":"aGk=","EncryptionContext":["a","b"]"#),
            SERIALIZATION,
            "Start of list found where not expected.".to_owned(),
        ),
        (
            "Encrypt",
            with_key(r#""Plaintext":"aGk=","EncryptionContext":"a=b""#),
            SERIALIZATION,
            "STRING_VALUE cannot be converted to Map".to_owned(),
        ),
        (
            "Encrypt",
            with_key(r#""Plaintext":"aGk=","GrantTokens":[null]"#),
            SERIALIZATION,
            "NULL_VALUE cannot be converted to String".to_owned(),
        ),
        (
            "Encrypt",
            with_key(r#""Plaintext":"aGk=","GrantTokens":"token""#),
            SERIALIZATION,
            "STRING_VALUE cannot be converted to List".to_owned(),
        ),
        (
            "Encrypt",
            with_key(r#""Plaintext":"aGk=","DryRun":"true""#),
            SERIALIZATION,
            "STRING_VALUE cannot be converted to Boolean".to_owned(),
        ),
        (
            "GenerateDataKey",
            with_key(r#""NumberOfBytes":"32""#),
            SERIALIZATION,
            "STRING_VALUE cannot be converted to Integer".to_owned(),
        ),
        (
            "GenerateDataKey",
            with_key(r#""NumberOfBytes":false"#),
            SERIALIZATION,
            "FALSE_VALUE cannot be converted to Integer".to_owned(),
        ),
        (
            "GenerateDataKey",
            with_key(r#""NumberOfBytes":2147483648"#),
            SERIALIZATION,
            "Numeric value (2147483648) out of range of int".to_owned(),
        ),
        (
            "GenerateRandom",
            r#"{"NumberOfBytes":-2147483649}"#.to_owned(),
            SERIALIZATION,
            "Numeric value (-2147483649) out of range of int".to_owned(),
        ),
        (
            "GenerateRandom",
            r#"{"NumberOfBytes":1e300}"#.to_owned(),
            SERIALIZATION,
            "Numeric value (1e+300) out of range of int".to_owned(),
        ),
        (
            "GenerateDataKey",
            with_key(r#""NumberOfBytes":-1"#),
            VALIDATION,
            "1 validation error detected: Value '-1' at 'numberOfBytes' failed to satisfy \
             constraint: Member must have value greater than or equal to 1"
                .to_owned(),
        ),
        (
            "EnableKeyRotation",
            with_key(r#""RotationPeriodInDays":-5"#),
            VALIDATION,
            "1 validation error detected: Value '-5' at 'rotationPeriodInDays' failed to \
             satisfy constraint: Member must have value greater than or equal to 90"
                .to_owned(),
        ),
        (
            "Encrypt",
            "{}".to_owned(),
            VALIDATION,
            format!(
                "2 validation errors detected: {}; {}",
                null("keyId"),
                null("plaintext")
            ),
        ),
        (
            "Encrypt",
            String::new(),
            VALIDATION,
            format!(
                "2 validation errors detected: {}; {}",
                null("keyId"),
                null("plaintext")
            ),
        ),
        (
            "Encrypt",
            r#"{"KeyId":null,"Plaintext":"aGk="}"#.to_owned(),
            VALIDATION,
            format!("1 validation error detected: {}", null("keyId")),
        ),
        (
            "TagResource",
            with_key(r#""Tags":[{"TagKey":"a","TagValue":"b"},{"TagKey":"c"}]"#),
            VALIDATION,
            format!(
                "1 validation error detected: {}",
                null("tags.2.member.tagValue")
            ),
        ),
        (
            "Encrypt",
            r#"{"Plaintext":5}"#.to_owned(),
            SERIALIZATION,
            "NUMBER_VALUE cannot be converted to Blob".to_owned(),
        ),
        (
            "DescribeKey",
            r#"{"KeyId":"nope"}"#.to_owned(),
            "NotFoundException",
            "Invalid keyId 'nope'".to_owned(),
        ),
        (
            "CreateKey",
            r#"{"KeySpec":"RSA_2048","CustomerMasterKeySpec":"RSA_3072"}"#.to_owned(),
            VALIDATION,
            "CustomerMasterKeySpec is the deprecated name of a parameter also given under its \
             current name, with another value; give one of them"
                .to_owned(),
        ),
        (
            "CreateKey",
            r#"{"Tags":{"TagKey":"a","TagValue":"b"}}"#.to_owned(),
            SERIALIZATION,
            "Start of structure or map found where not expected.".to_owned(),
        ),
    ]
}

#[tokio::test]
async fn malformed_bodies_get_aws_errors_and_never_reach_the_backend() {
    for (operation, body, code, message) in cases() {
        let err = kms_wire::dispatch(&Untouchable, operation, body.as_bytes())
            .await
            .expect_err(&body);
        assert_eq!(
            (err.code(), err.message()),
            (code, Some(message.as_str())),
            "{body}"
        );
        assert_eq!(err.http_status(), 400, "{body}");
    }
    let not_utf8 = kms_wire::dispatch(&Untouchable, "ListKeys", b"{\"Marker\":\"\xff\"}")
        .await
        .expect_err("not UTF-8");
    assert_eq!(not_utf8.code(), SERIALIZATION);
}

#[tokio::test]
async fn no_message_or_debug_string_shows_a_plaintext() {
    let body = format!(r#"{{"KeyId":"{KEY_ID}","Plaintext":"c2VjcmV0c2VjcmV0!A=="}}"#);
    let err = kms_wire::dispatch(&Untouchable, "Encrypt", body.as_bytes())
        .await
        .expect_err("bad base64");
    for shown in [
        format!("{err:?}"),
        err.to_string(),
        String::from_utf8_lossy(&err.to_json()).into_owned(),
    ] {
        assert!(!shown.contains("c2VjcmV0"), "{shown}");
    }
}

/// A key created through `dispatch`, by its key ID.
async fn create_key(kms: &LocalKms) -> String {
    let created = kms_wire::dispatch(kms, "CreateKey", b"")
        .await
        .expect("CreateKey");
    let created: serde_json::Value = serde_json::from_slice(&created.body).expect("JSON");
    created["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("a key ID")
        .to_owned()
}

#[tokio::test]
async fn unknown_members_are_ignored_and_unknown_enum_values_left_to_the_backend() {
    let kms = LocalKms::new();
    let key_id = create_key(&kms).await;
    let body = format!(
        r#"{{"KeyId":"{key_id}","Plaintext":"aGk=","Unmodeled":{{"Member":"AA=="}},"Future":[1,{{}}],"DryRun":null}}"#
    );
    let encrypted = kms_wire::dispatch(&kms, "Encrypt", body.as_bytes())
        .await
        .expect("unknown members are ignored");
    let encrypted: serde_json::Value = serde_json::from_slice(&encrypted.body).expect("JSON");
    assert!(
        encrypted["KeyId"]
            .as_str()
            .expect("a key ARN")
            .ends_with(&key_id)
    );

    let body =
        format!(r#"{{"KeyId":"{key_id}","Plaintext":"aGk=","EncryptionAlgorithm":"ROT13"}}"#);
    let err = kms_wire::dispatch(&kms, "Encrypt", body.as_bytes())
        .await
        .expect_err("the backend refuses the value");
    assert_eq!(err.code(), VALIDATION);
    assert!(
        err.message().is_some_and(|m| m.contains(
            "Value 'ROT13' at 'encryptionAlgorithm' failed to satisfy constraint: Member must \
             satisfy enum value set"
        )),
        "{err}"
    );
}

#[tokio::test]
async fn integers_with_a_fraction_are_truncated_as_aws_reads_them() {
    let kms = LocalKms::new();
    let random = kms_wire::dispatch(&kms, "GenerateRandom", br#"{"NumberOfBytes":12.9}"#)
        .await
        .expect("GenerateRandom");
    let random: serde_json::Value = serde_json::from_slice(&random.body).expect("JSON");
    let plaintext = random["Plaintext"].as_str().expect("base64");
    assert_eq!(plaintext.len(), 16, "12 bytes in base64");
}

#[tokio::test]
async fn a_response_debug_string_shows_no_plaintext() {
    let kms = LocalKms::new();
    let key_id = create_key(&kms).await;
    let body = format!(r#"{{"KeyId":"{key_id}","KeySpec":"AES_256"}}"#);
    let response = kms_wire::dispatch(&kms, "GenerateDataKey", body.as_bytes())
        .await
        .expect("GenerateDataKey");
    let json: serde_json::Value = serde_json::from_slice(&response.body).expect("JSON");
    let plaintext = json["Plaintext"].as_str().expect("a data key");
    let debug = format!("{response:?}");
    assert!(!debug.contains(plaintext), "{debug}");
    assert!(
        debug.contains(&format!("[{} bytes]", response.body.len())),
        "{debug}"
    );
    assert!(response.key_arn.is_some_and(|arn| arn.ends_with(&key_id)));
}

#[test]
fn the_deprecated_customer_master_key_spec_is_read_as_key_spec() {
    use kms_core::{CreateKeyRequest, KeySpec};
    use kms_wire::Shape;
    for body in [
        r#"{"CustomerMasterKeySpec":"RSA_2048","KeyUsage":"SIGN_VERIFY"}"#,
        r#"{"CustomerMasterKeySpec":"RSA_2048","KeySpec":"RSA_2048"}"#,
        r#"{"KeySpec":"RSA_2048","CustomerMasterKeySpec":null}"#,
    ] {
        let request = CreateKeyRequest::from_json(body.as_bytes()).expect(body);
        assert_eq!(request.key_spec, Some(KeySpec::Rsa2048), "{body}");
    }
    let request = CreateKeyRequest::new().with_key_spec(KeySpec::Rsa2048);
    let json = String::from_utf8(request.to_json(kms_wire::Timestamps::EpochSeconds));
    assert_eq!(
        json.ok().as_deref(),
        Some(r#"{"KeySpec":"RSA_2048","Tags":[]}"#)
    );
}

#[tokio::test]
async fn modeled_members_the_request_types_lack_are_refused_not_ignored() {
    for (operation, body) in [
        (
            "Decrypt",
            r#"{"CiphertextBlob":"AA==","Recipient":{"KeyEncryptionAlgorithm":"RSAES_OAEP_SHA_256"}}"#,
        ),
        ("GenerateRandom", r#"{"NumberOfBytes":8,"Recipient":{}}"#),
        (
            "ReEncrypt",
            r#"{"CiphertextBlob":"AA==","DestinationKeyId":"alias/a","DryRun":true,"DryRunModifiers":["IGNORE_CIPHERTEXT"]}"#,
        ),
        (
            "CreateKey",
            r#"{"Origin":"EXTERNAL_KEY_STORE","XksKeyId":"k"}"#,
        ),
    ] {
        let err = kms_wire::dispatch(&Untouchable, operation, body.as_bytes())
            .await
            .expect_err(body);
        assert_eq!(err.code(), "NotImplemented", "{body}");
        assert_eq!(err.http_status(), 501);
        assert!(
            err.message()
                .is_some_and(|m| m.contains("parameter is not implemented")),
            "{err}"
        );
    }
    let body = br#"{"NumberOfBytes":8,"Recipient":null}"#;
    let random = kms_wire::dispatch(&LocalKms::new(), "GenerateRandom", body).await;
    assert!(random.is_ok(), "a null member is absent");
}
