//! The JSON form of the shapes: AWS's member names and order, base64 blobs, both timestamp
//! forms, and the round trip through encoding and decoding.

#![allow(clippy::expect_used, clippy::panic, reason = "tests fail by panicking")]

use std::time::{Duration, UNIX_EPOCH};

use kms_core::{
    AliasListEntry, DecryptResponse, EncryptRequest, EncryptionAlgorithmSpec, EncryptionContext,
    KeyId, KeyMetadata, KeySpec, KeyState, KeyUsage, ListAliasesResponse, SecretBytes, Tag,
    TagResourceRequest,
};
use kms_wire::{Shape, Timestamps};

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn text(json: Vec<u8>) -> String {
    String::from_utf8(json).expect("UTF-8")
}

fn metadata() -> KeyMetadata {
    KeyMetadata::new(KEY_ID, true)
        .with_aws_account_id("111122223333")
        .with_arn(KEY_ARN)
        .with_creation_date(UNIX_EPOCH + Duration::from_millis(1_524_160_520_097))
        .with_description("a \"quoted\" line\n")
        .with_key_usage(KeyUsage::EncryptDecrypt)
        .with_key_state(KeyState::from("Hibernating"))
        .with_key_spec(KeySpec::SymmetricDefault)
        .with_encryption_algorithms(vec![EncryptionAlgorithmSpec::SymmetricDefault])
        .with_multi_region(false)
}

#[test]
fn responses_are_written_with_aws_names_in_aws_order() {
    let response = kms_core::DescribeKeyResponse::new(metadata());
    assert_eq!(
        text(response.to_json(Timestamps::EpochSeconds)),
        concat!(
            r#"{"KeyMetadata":{"AWSAccountId":"111122223333","#,
            r#""KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","#,
            r#""Arn":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab","#,
            r#""CreationDate":1524160520.097,"Enabled":true,"#,
            r#""Description":"a \"quoted\" line\n","KeyUsage":"ENCRYPT_DECRYPT","#,
            r#""KeyState":"Hibernating","KeySpec":"SYMMETRIC_DEFAULT","#,
            r#""EncryptionAlgorithms":["SYMMETRIC_DEFAULT"],"MultiRegion":false}}"#,
        )
    );
    assert_eq!(response.key_hint(), Some(KEY_ARN));
}

#[test]
fn the_cli_form_prints_timestamps_in_iso_8601() {
    let entry = AliasListEntry::new("alias/app", "arn:aws:kms:us-east-1:111122223333:alias/app")
        .with_target_key_id(KEY_ID)
        .with_creation_date(UNIX_EPOCH + Duration::new(951_786_123, 5_000));
    let response = ListAliasesResponse::new().with_aliases(vec![entry]);
    assert_eq!(
        text(response.to_json(Timestamps::Iso8601)),
        concat!(
            r#"{"Aliases":[{"AliasName":"alias/app","#,
            r#""AliasArn":"arn:aws:kms:us-east-1:111122223333:alias/app","#,
            r#""TargetKeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","#,
            r#""CreationDate":"2000-02-29T01:02:03.000005+00:00"}],"Truncated":false}"#,
        )
    );
}

#[test]
fn empty_responses_are_an_empty_object() {
    assert_eq!(
        kms_core::EnableKeyResponse::default().to_json(Timestamps::EpochSeconds),
        b"{}"
    );
}

#[test]
fn every_member_survives_the_round_trip() {
    let response = kms_core::CreateKeyResponse::new(metadata());
    let json = response.to_json(Timestamps::EpochSeconds);
    assert_eq!(
        kms_core::CreateKeyResponse::from_json(&json).expect("decodes"),
        response
    );

    let context = EncryptionContext::from([("tenant", "t1"), ("ünïcode", "\u{1}")]);
    let request = EncryptRequest::new(
        KeyId::parse(KEY_ID).expect("key ID"),
        SecretBytes::from(b"secret bytes"),
    )
    .with_encryption_context(context.clone())
    .with_grant_tokens(vec!["token".to_owned()])
    .with_encryption_algorithm(EncryptionAlgorithmSpec::SymmetricDefault)
    .with_dry_run(true);
    let json = request.to_json(Timestamps::EpochSeconds);
    assert_eq!(
        text(json.clone()),
        concat!(
            r#"{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","Plaintext":"c2VjcmV0IGJ5dGVz","#,
            r#""EncryptionContext":{"tenant":"t1","ünïcode":"\u0001"},"GrantTokens":["token"],"#,
            r#""EncryptionAlgorithm":"SYMMETRIC_DEFAULT","DryRun":true}"#,
        )
    );
    let decoded = EncryptRequest::from_json(&json).expect("decodes");
    assert_eq!(decoded.plaintext.expose_secret(), b"secret bytes");
    assert_eq!(decoded.encryption_context, context);
    assert_eq!(decoded.grant_tokens, ["token"]);
    assert_eq!(decoded.dry_run, Some(true));
    assert_eq!(decoded.key_hint(), Some(KEY_ID));

    let tags = TagResourceRequest::new(
        KeyId::parse(KEY_ARN).expect("key ARN"),
        vec![Tag::new("a", ""), Tag::new("b", "c")],
    );
    let json = tags.to_json(Timestamps::EpochSeconds);
    assert_eq!(TagResourceRequest::from_json(&json).expect("decodes"), tags);
}

#[test]
fn secrets_stay_out_of_debug_strings() {
    let response = DecryptResponse::from_json(
        format!(r#"{{"KeyId":"{KEY_ARN}","Plaintext":"c2VjcmV0IGJ5dGVz"}}"#).as_bytes(),
    )
    .expect("decodes");
    assert_eq!(response.plaintext.expose_secret(), b"secret bytes");
    let debug = format!("{response:?}");
    assert!(
        !debug.contains("secret") && !debug.contains("c2VjcmV0"),
        "{debug}"
    );
}

#[test]
fn timestamps_read_in_every_form_aws_writes() {
    for (written, millis) in [
        ("1524160520.097", 1_524_160_520_097),
        ("1.5565824E9", 1_556_582_400_000),
        ("1524160520", 1_524_160_520_000),
    ] {
        let body =
            format!(r#"{{"AliasName":"alias/a","AliasArn":"arn","CreationDate":{written}}}"#);
        let entry = AliasListEntry::from_json(body.as_bytes()).expect("decodes");
        assert_eq!(
            entry.creation_date,
            Some(UNIX_EPOCH + Duration::from_millis(millis))
        );
    }
}

#[test]
fn operation_names_are_every_operation_in_pascal_case() {
    let names = kms_wire::operation_names();
    assert_eq!(names.len(), kms_core::for_each_operation!(count {}));
    for name in [
        "CreateKey",
        "GenerateDataKeyWithoutPlaintext",
        "ListResourceTags",
        "ReEncrypt",
    ] {
        assert!(names.contains(&name), "{name}");
    }
}

macro_rules! count {
    ($( $op:ident($request:ty) -> $response:ty; )+) => { [$(stringify!($op)),+].len() };
}
use count;

/// `dispatch`'s future can be spawned on a multi-threaded runtime.
#[test]
fn dispatch_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let kms = kms_local::LocalKms::new();
    let future = kms_wire::dispatch(&kms, "ListKeys", b"{}");
    assert_send(&future);
}

/// Each name of `operation_names` is routed to its operation: none is unknown to `dispatch`.
#[tokio::test]
async fn dispatch_serves_every_operation_name() {
    let kms = kms_local::LocalKms::new();
    for name in kms_wire::operation_names() {
        if let Err(err) = kms_wire::dispatch(&kms, name, b"{}").await {
            assert_ne!(err.code(), "UnknownOperationException", "{name}");
        }
    }
}
