//! Checks of CreateKey, DescribeKey, ListKeys, UpdateKeyDescription and key identifiers.

use std::time::SystemTime;

use super::capabilities::{Capabilities, Flag};
use super::gated::{Op, Subject};
use super::messages::AwsMessage;
use super::support::{
    Expected, INVALID_MARKER, Key, Session, VALIDATION, above_max, assert_about, assert_distinct,
    assert_material_id, below_min, collect_pages, describe, expect_err, key_id, key_not_found, ok,
};
use crate::{
    Arn, CreateAliasRequest, CreateKeyRequest, DescribeKeyRequest, EncryptRequest,
    EncryptionAlgorithmSpec, KeyId, KeyManagerType, KeyMetadata, KeySpec, KeyState, KeyUsage, Kms,
    ListKeysRequest, OriginType, UpdateKeyDescriptionRequest, is_key_id,
};

/// CreateKey with no parameters makes an Enabled symmetric encryption key with AWS's
/// metadata, and DescribeKey returns the same metadata; a description is kept as given.
pub async fn create_key_defaults(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let created = ok(
        session.try_create(CreateKeyRequest::new()).await,
        "CreateKey",
    );
    let key = Key::from_metadata(&created);
    assert_new_key(&created, &key, "", caps, "CreateKey with no parameters").await;
    let described = describe(kms, &key.by_id()).await;
    assert_eq!(
        described, created,
        "DescribeKey of a new key: expected the metadata CreateKey returned"
    );

    let request = CreateKeyRequest::new().with_description("conformance: a description");
    let key = session.create(request).await;
    let described = describe(kms, &key.by_id()).await;
    assert_new_key(
        &described,
        &key,
        "conformance: a description",
        caps,
        "DescribeKey",
    )
    .await;
    session.finish().await;
}

/// Panics unless `metadata` is that of a new default key with `description`.
async fn assert_new_key(
    metadata: &KeyMetadata,
    key: &Key,
    description: &str,
    caps: &Capabilities,
    what: &str,
) {
    let id = &metadata.key_id;
    assert!(
        is_key_id(id) && !id.starts_with("mrk-") && *id == id.to_lowercase(),
        "{what}: expected KeyId to be a lowercase UUID, got {id:?}"
    );
    let arn = key.parsed_arn();
    assert_eq!(
        (arn.resource_type(), arn.resource_id()),
        ("key", id.as_str()),
        "{what}: expected Arn to end in key/<KeyId>, got {:?}",
        key.arn
    );
    assert_eq!(
        metadata.aws_account_id.as_deref(),
        Some(arn.account()),
        "{what}: expected AWSAccountId to be the account of the ARN"
    );
    assert_about(
        metadata.creation_date,
        SystemTime::now(),
        &format!("{what}: CreationDate"),
    );
    let expected = (
        true,
        Some(KeyState::Enabled),
        Some(KeySpec::SymmetricDefault),
        Some(KeySpec::SymmetricDefault),
        Some(vec![EncryptionAlgorithmSpec::SymmetricDefault]),
        Some(KeyManagerType::Customer),
        Some(OriginType::AwsKms),
        Some(description),
    );
    let actual = (
        metadata.enabled,
        metadata.key_state.clone(),
        metadata.key_spec.clone(),
        metadata.customer_master_key_spec.clone(),
        metadata.encryption_algorithms.clone(),
        metadata.key_manager.clone(),
        metadata.origin.clone(),
        metadata.description.as_deref(),
    );
    assert_eq!(
        actual, expected,
        "{what}: expected (Enabled, KeyState, KeySpec, CustomerMasterKeySpec, \
         EncryptionAlgorithms, KeyManager, Origin, Description) of a new symmetric key"
    );
    let complete = async {
        assert_eq!(
            (
                metadata.key_usage.clone(),
                metadata.multi_region,
                &metadata.signing_algorithms
            ),
            (Some(KeyUsage::EncryptDecrypt), Some(false), &None),
            "{what}: expected (KeyUsage, MultiRegion, no SigningAlgorithms) of a new \
             symmetric key"
        );
    };
    caps.gate(Flag::CompleteKeyMetadata, what, complete).await;
    let absent = (
        metadata.deletion_date,
        metadata.pending_deletion_window_in_days,
        &metadata.mac_algorithms,
        &metadata.key_agreement_algorithms,
    );
    assert_eq!(
        absent,
        (None, None, &None, &None),
        "{what}: expected no DeletionDate, PendingDeletionWindowInDays, MacAlgorithms or \
         KeyAgreementAlgorithms"
    );
    let material = async {
        let current = metadata.current_key_material_id.as_deref();
        assert_material_id(current, &format!("{what}: CurrentKeyMaterialId"));
    };
    caps.gate(Flag::ReportsKeyMaterialIds, what, material).await;
}

/// CreateKey refuses an HMAC key spec without a key usage, and a description longer than
/// 8192 characters; 8192 characters are fine.
pub async fn create_key_validation(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let refused = async {
        let request = CreateKeyRequest::new().with_key_spec(KeySpec::Hmac256);
        expect_err(
            session.try_create(request).await,
            "CreateKey with KeySpec HMAC_256 and no KeyUsage",
            Expected::aws(AwsMessage::KeyUsageRequired, &[]),
        );

        let request = CreateKeyRequest::new().with_description("d".repeat(8193));
        expect_err(
            session.try_create(request).await,
            "CreateKey with a description of 8193 characters",
            Expected::code(VALIDATION),
        );
    };
    let what = "CreateKey validation";
    caps.gate(Flag::ValidatesInputs, what, refused).await;
    let key = session
        .create(CreateKeyRequest::new().with_description("d".repeat(8192)))
        .await;
    let description = describe(kms, &key.by_id()).await.description;
    assert_eq!(
        description.map(|d| d.len()),
        Some(8192),
        "DescribeKey of a key with a description of 8192 characters: expected it whole"
    );
    session.finish().await;
}

/// DescribeKey names the same key by key ID, key ARN, alias name and alias ARN.
pub async fn describe_key_forms(kms: &dyn Kms, _caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let alias = session.alias_name("describe");
    let request = CreateAliasRequest::new(alias.clone(), key.by_id());
    ok(kms.create_alias(request).await, "CreateAlias");

    let by_id = describe(kms, &key.by_id()).await;
    for form in [key.arn.clone(), alias.clone(), key.alias_arn(&alias)] {
        let described = describe(kms, &key_id(&form)).await;
        assert_eq!(
            described, by_id,
            "DescribeKey by {form}: expected the metadata DescribeKey gives by key ID"
        );
    }
    session.finish().await;
}

/// UpdateKeyDescription replaces the description, by key ID and by key ARN.
pub async fn update_key_description(kms: &dyn Kms, _caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session
        .create(CreateKeyRequest::new().with_description("before"))
        .await;
    for (target, description) in [(key.by_id(), "after"), (key.by_arn(), "")] {
        let request = UpdateKeyDescriptionRequest::new(&target, description);
        ok(
            kms.update_key_description(request).await,
            &format!("UpdateKeyDescription of {target} to {description:?}"),
        );
        let described = describe(kms, &key.by_id()).await.description;
        assert_eq!(
            described.as_deref(),
            Some(description),
            "DescribeKey after UpdateKeyDescription: expected the new description"
        );
    }
    session.finish().await;
}

/// ListKeys with Limit 1 and Marker visits every key exactly once, each with its ARN.
pub async fn list_keys_paging(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let mut keys = Vec::new();
    for _ in 0..3 {
        keys.push(session.key().await);
    }
    let list = |limit: u32| {
        let keys = &keys;
        async move {
            let all_seen = |entries: &[crate::KeyListEntry]| {
                keys.iter()
                    .all(|key| entries.iter().any(|entry| entry.key_id == key.id))
            };
            let request = ListKeysRequest::new().with_limit(limit);
            let entries = collect_pages(kms, &request, all_seen).await;
            let ids: Vec<&str> = entries.iter().map(|entry| entry.key_id.as_str()).collect();
            assert_distinct(&ids, &format!("ListKeys with Limit {limit}"));
            for key in keys {
                let entry = entries.iter().find(|entry| entry.key_id == key.id);
                assert_eq!(
                    entry.map(|entry| entry.key_arn.as_str()),
                    Some(key.arn.as_str()),
                    "ListKeys with Limit {limit}: expected key {} with its ARN",
                    key.id
                );
            }
        }
    };
    list(1000).await;
    caps.gate(Flag::PagesListKeys, "ListKeys with Limit 1", list(1))
        .await;
    session.finish().await;
}

/// ListKeys refuses a Limit outside 1..1000 and a marker it never handed out.
pub async fn list_keys_validation(kms: &dyn Kms, caps: &Capabilities) {
    let refused = async {
        list_keys_refusals(kms).await;
    };
    caps.gate(Flag::ValidatesListLimits, "ListKeys limits", refused)
        .await;
}

/// ListKeys refuses a Limit outside 1..1000 and a marker it never handed out.
async fn list_keys_refusals(kms: &dyn Kms) {
    for (limit, expected) in [
        (0u32, below_min(0, "limit", 1)),
        (1001, above_max(1001, "limit", 1000)),
    ] {
        let request = ListKeysRequest::new().with_limit(limit);
        expect_err(
            kms.list_keys(request).await,
            &format!("ListKeys with Limit {limit}"),
            expected,
        );
    }
    let request = ListKeysRequest::new().with_marker("not-a-marker");
    expect_err(
        kms.list_keys(request).await,
        "ListKeys with a made-up Marker",
        Expected::code(INVALID_MARKER),
    );
}

/// A key ID that names no key gives `Key '<arn>' does not exist` (the ARN even when the ID
/// was sent) in every operation, and an ARN of another region gives `Invalid arn <region>`.
pub async fn unknown_keys(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let subject = Subject::unknown(kms, &mut session).await;
    let ops = [
        Op::DescribeKey,
        Op::Encrypt,
        Op::ReEncryptTo,
        Op::GenerateDataKey,
        Op::GenerateDataKeyWithoutPlaintext,
        Op::EnableKey,
        Op::DisableKey,
        Op::UpdateKeyDescription,
        Op::ScheduleKeyDeletion,
        Op::CancelKeyDeletion,
        Op::CreateAlias,
        Op::TagResource,
        Op::UntagResource,
        Op::ListResourceTags,
        Op::EnableKeyRotation,
        Op::DisableKeyRotation,
        Op::GetKeyRotationStatus,
        Op::RotateKeyOnDemand,
        Op::ListKeyRotations,
    ];
    let expected = key_not_found(&subject.key.arn);
    subject
        .expect_refused(
            kms,
            &mut session,
            &ops,
            expected.clone(),
            "a key that does not exist",
        )
        .await;
    let request = DescribeKeyRequest::new(subject.key.by_arn());
    expect_err(
        kms.describe_key(request).await,
        "DescribeKey by the ARN of a key that does not exist",
        expected,
    );

    let key = session.key().await;
    let elsewhere = async {
        other_region(kms, &key).await;
    };
    let what = "a key ARN of another region";
    caps.gate(Flag::ChecksArnRegion, what, elsewhere).await;
    session.finish().await;
}

/// Panics unless DescribeKey and Encrypt refuse `key` by a key ARN of another region with
/// `Invalid arn <region>`.
async fn other_region(kms: &dyn Kms, key: &Key) {
    let arn = key.parsed_arn();
    let region = if arn.region() == "eu-north-1" {
        "eu-west-3"
    } else {
        "eu-north-1"
    };
    let elsewhere =
        key_id(&Arn::for_key(arn.partition(), region, arn.account(), &key.id).to_string());
    let expected = Expected::aws(AwsMessage::InvalidArnRegion, &[region]);
    expect_err(
        kms.describe_key(DescribeKeyRequest::new(&elsewhere)).await,
        "DescribeKey by a key ARN of another region",
        expected.clone(),
    );
    expect_err(
        kms.encrypt(EncryptRequest::new(&elsewhere, b"x")).await,
        "Encrypt under a key ARN of another region",
        expected,
    );
}

/// `KeyId::parse` refuses what is none of the four forms as AWS does:
/// `NotFoundException: Invalid keyId '<text>'`.
pub async fn invalid_key_ids(_kms: &dyn Kms, _caps: &Capabilities) {
    for text in [
        "x",
        "fake-key-id",
        "1234abcd12ab34cd56ef1234567890ab",
        "mrk-fake-key-id",
        "alias/",
        "alias/has space",
        "arn:aws:kms:us-east-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ] {
        let expected = Expected::aws(AwsMessage::InvalidKeyId, &[text]);
        expect_err(
            KeyId::parse(text),
            &format!("KeyId::parse({text:?})"),
            expected,
        );
    }
}
