//! Checks of automatic and on-demand rotation.

use std::time::SystemTime;

use super::capabilities::{Capabilities, Flag};
use super::gated::{ROTATION_OPS, Subject};
use super::messages::AwsMessage;
use super::states::{disable, schedule_deletion};
use super::support::{
    Expected, INVALID_MARKER, INVALID_STATE, Key, Session, above_max, assert_about,
    assert_distinct, assert_material_id, below_min, collect_pages, days, decrypt, describe,
    disabled, encrypt, expect_err, ok,
};
use crate::{
    CancelKeyDeletionRequest, DataKeySpec, DisableKeyRotationRequest, EnableKeyRequest,
    EnableKeyRotationRequest, EncryptionContext, GenerateDataKeyRequest,
    GetKeyRotationStatusRequest, GetKeyRotationStatusResponse, IncludeKeyMaterial,
    KeyMaterialState, Kms, ListKeyRotationsRequest, RotateKeyOnDemandRequest, RotationType,
    RotationsListEntry,
};

/// The rotation status of `key`; GetKeyRotationStatus must succeed.
async fn rotation_status(kms: &dyn Kms, key: &Key) -> GetKeyRotationStatusResponse {
    let request = GetKeyRotationStatusRequest::new(key.by_id());
    ok(
        kms.get_key_rotation_status(request).await,
        "GetKeyRotationStatus",
    )
}

/// Turns on automatic rotation of `key`, with `period` days or the default.
async fn enable_rotation(kms: &dyn Kms, key: &Key, period: Option<u32>) {
    let mut request = EnableKeyRotationRequest::new(key.by_id());
    request.rotation_period_in_days = period;
    ok(
        kms.enable_key_rotation(request).await,
        &format!("EnableKeyRotation with RotationPeriodInDays {period:?}"),
    );
}

/// Rotates `key` on demand; the call must succeed and return the key ARN.
async fn rotate(kms: &dyn Kms, caps: &Capabilities, key: &Key, what: &str) {
    let request = RotateKeyOnDemandRequest::new(key.by_id());
    let response = ok(kms.rotate_key_on_demand(request).await, what);
    let arn = async {
        assert_eq!(
            response.key_id, key.arn,
            "{what}: expected KeyId to be the key ARN"
        );
    };
    caps.gate(Flag::ReturnsKeyArns, what, arn).await;
}

/// Every key material of `key` that ListKeyRotations lists with `include`, page by page.
async fn rotations(
    kms: &dyn Kms,
    key: &Key,
    include: Option<IncludeKeyMaterial>,
    limit: u32,
) -> Vec<RotationsListEntry> {
    let mut request = ListKeyRotationsRequest::new(key.by_id()).with_limit(limit);
    request.include_key_material = include;
    collect_pages(kms, &request, |_| false).await
}

/// EnableKeyRotation turns rotation on with a period of 365 days by default or the one
/// given (90..2560), GetKeyRotationStatus reports it, DisableKeyRotation turns it off.
pub async fn key_rotation_status(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let status = rotation_status(kms, &key).await;
    let what = "GetKeyRotationStatus of a new key";
    assert!(
        !status.key_rotation_enabled,
        "{what}: expected KeyRotationEnabled false"
    );
    let arn = async {
        assert_eq!(
            status.key_id.as_deref(),
            Some(key.arn.as_str()),
            "{what}: expected KeyId to be the key ARN"
        );
    };
    caps.gate(Flag::ReturnsKeyArns, what, arn).await;

    let mut statuses = Vec::new();
    for (period, expected) in [(None, 365), (Some(90), 90), (Some(2560), 2560)] {
        enable_rotation(kms, &key, period).await;
        let status = rotation_status(kms, &key).await;
        let what = format!("GetKeyRotationStatus after EnableKeyRotation with {period:?}");
        assert!(
            status.key_rotation_enabled,
            "{what}: expected KeyRotationEnabled true"
        );
        statuses.push((what, status, expected));
    }
    let periods = async {
        for (what, status, expected) in &statuses {
            assert_eq!(
                status.rotation_period_in_days,
                Some(*expected),
                "{what}: expected RotationPeriodInDays"
            );
            let next = SystemTime::now() + days(*expected);
            assert_about(
                status.next_rotation_date,
                next,
                &format!("{what}: NextRotationDate"),
            );
        }
        for (period, expected) in [
            (89u32, below_min(89, "rotationPeriodInDays", 90)),
            (2561, above_max(2561, "rotationPeriodInDays", 2560)),
        ] {
            let request =
                EnableKeyRotationRequest::new(key.by_id()).with_rotation_period_in_days(period);
            expect_err(
                kms.enable_key_rotation(request).await,
                &format!("EnableKeyRotation with RotationPeriodInDays {period}"),
                expected,
            );
        }
    };
    let what = "RotationPeriodInDays";
    caps.gate(Flag::RotationPeriods, what, periods).await;

    let request = DisableKeyRotationRequest::new(key.by_id());
    ok(
        kms.disable_key_rotation(request).await,
        "DisableKeyRotation",
    );
    let status = rotation_status(kms, &key).await;
    assert!(
        !status.key_rotation_enabled,
        "GetKeyRotationStatus after DisableKeyRotation: expected KeyRotationEnabled false"
    );
    session.finish().await;
}

/// Rotation operations fail on a Disabled key (`<arn> is disabled.`) and on a key pending
/// deletion (`KMSInvalidStateException`), whose rotation status reads false until
/// CancelKeyDeletion brings the previous status back.
pub async fn rotation_key_states(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let subject = Subject::create(kms, &mut session).await;
    let key = &subject.key;
    enable_rotation(kms, key, None).await;

    disable(kms, key).await;
    let refused = async {
        let expected = disabled(&key.arn);
        subject
            .expect_refused(kms, &mut session, ROTATION_OPS, expected, "a disabled key")
            .await;
    };
    let what = "rotation operations on a disabled key";
    caps.gate(Flag::EnforcesKeyState, what, refused).await;
    assert!(
        rotation_status(kms, key).await.key_rotation_enabled,
        "GetKeyRotationStatus of a disabled key with rotation on: expected true"
    );

    ok(
        kms.enable_key(EnableKeyRequest::new(key.by_id())).await,
        "EnableKey",
    );
    schedule_deletion(kms, key).await;
    let refused = async {
        let expected = Expected::code(INVALID_STATE);
        subject
            .expect_refused(
                kms,
                &mut session,
                ROTATION_OPS,
                expected,
                "a key pending deletion",
            )
            .await;
        assert!(
            !rotation_status(kms, key).await.key_rotation_enabled,
            "GetKeyRotationStatus of a key pending deletion: expected false"
        );
    };
    let what = "rotation operations on a key pending deletion";
    caps.gate(Flag::EnforcesKeyState, what, refused).await;

    let request = CancelKeyDeletionRequest::new(key.by_id());
    ok(kms.cancel_key_deletion(request).await, "CancelKeyDeletion");
    assert!(
        rotation_status(kms, key).await.key_rotation_enabled,
        "GetKeyRotationStatus after CancelKeyDeletion: expected the earlier status, true"
    );
    session.finish().await;
}

/// RotateKeyOnDemand gives the key new key material: ListKeyRotations lists the rotation,
/// the current material changes, older ciphertexts still decrypt with their material and
/// new ones use the new material.
pub async fn rotate_key_on_demand(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let context = EncryptionContext::from([("purpose", "rotation")]);
    let original = describe(kms, &key.by_id()).await.current_key_material_id;
    let response = encrypt(kms, &key.by_id(), b"before", &context).await;
    rotate(kms, caps, &key, "RotateKeyOnDemand").await;
    let what = "Decrypt of a ciphertext made before rotation";
    let decrypted = decrypt(kms, &response.ciphertext_blob, &context, b"before", what).await;
    let listed = assert_one_rotation_listed(kms, &key);
    let rotation = "ListKeyRotations after RotateKeyOnDemand";
    caps.gate(Flag::RotatesKeyMaterial, rotation, listed).await;
    let materials = async {
        assert_eq!(
            decrypted.key_material_id, original,
            "{what}: expected the original KeyMaterialId"
        );
        assert_new_material_used(kms, &key, original, &context).await;
    };
    // Both flags cover this: the materials must change, and their IDs be reported.
    let flag = if caps.is_on(Flag::RotatesKeyMaterial) {
        Flag::ReportsKeyMaterialIds
    } else {
        Flag::RotatesKeyMaterial
    };
    caps.gate(flag, "key materials after rotation", materials)
        .await;
    session.finish().await;
}

/// Panics unless ListKeyRotations lists one on-demand rotation of `key`, and with
/// ALL_KEY_MATERIAL two materials of which exactly one is CURRENT.
async fn assert_one_rotation_listed(kms: &dyn Kms, key: &Key) {
    let listed = rotations(kms, key, None, 100).await;
    let what = "ListKeyRotations after one RotateKeyOnDemand";
    let [rotation] = &listed[..] else {
        panic!("{what}: expected one rotation, got {listed:?}");
    };
    assert_eq!(
        (rotation.key_id.as_str(), rotation.rotation_type.clone()),
        (key.arn.as_str(), Some(RotationType::OnDemand)),
        "{what}: expected (KeyId = key ARN, RotationType)"
    );
    let date = format!("{what}: RotationDate");
    assert_about(rotation.rotation_date, SystemTime::now(), &date);

    let all = rotations(kms, key, Some(IncludeKeyMaterial::AllKeyMaterial), 100).await;
    let what = "ListKeyRotations with ALL_KEY_MATERIAL after one rotation";
    let states: Vec<_> = all
        .iter()
        .map(|entry| entry.key_material_state.clone())
        .collect();
    let current = states
        .iter()
        .filter(|state| **state == Some(KeyMaterialState::Current))
        .count();
    assert_eq!(
        (all.len(), current),
        (2, 1),
        "{what}: expected the original and the new material, one of them CURRENT; got {all:?}"
    );
}

/// Panics unless, after one rotation of `key` away from the `original` material, the new
/// material is current everywhere: in DescribeKey, ListKeyRotations, Decrypt of a new
/// ciphertext and GenerateDataKey.
async fn assert_new_material_used(
    kms: &dyn Kms,
    key: &Key,
    original: Option<String>,
    context: &EncryptionContext,
) {
    let new = describe(kms, &key.by_id()).await.current_key_material_id;
    let what = "DescribeKey after rotation: CurrentKeyMaterialId";
    assert_material_id(new.as_deref(), what);
    assert_ne!(new, original, "{what}: expected a new material");

    let listed = rotations(kms, key, None, 100).await;
    let ids: Vec<_> = listed.iter().map(|e| e.key_material_id.as_ref()).collect();
    assert_eq!(
        ids,
        [new.as_ref()],
        "ListKeyRotations: expected the new material"
    );
    let all = rotations(kms, key, Some(IncludeKeyMaterial::AllKeyMaterial), 100).await;
    let mut listed: Vec<_> = all
        .iter()
        .map(|e| (e.key_material_id.clone(), e.key_material_state.clone()))
        .collect();
    listed.sort();
    let mut expected = vec![
        (original, Some(KeyMaterialState::NonCurrent)),
        (new.clone(), Some(KeyMaterialState::Current)),
    ];
    expected.sort();
    assert_eq!(
        listed, expected,
        "ListKeyRotations with ALL_KEY_MATERIAL: expected (KeyMaterialId, KeyMaterialState) \
         of the original and the new material"
    );

    let blob = encrypt(kms, &key.by_id(), b"after", context)
        .await
        .ciphertext_blob;
    let what = "Decrypt of a ciphertext made after rotation";
    let decrypted = decrypt(kms, &blob, context, b"after", what).await;
    assert_eq!(
        decrypted.key_material_id, new,
        "{what}: expected the new KeyMaterialId"
    );
    let request = GenerateDataKeyRequest::new(key.by_id()).with_key_spec(DataKeySpec::Aes256);
    let what = "GenerateDataKey after rotation";
    let data_key = ok(kms.generate_data_key(request).await, what);
    assert_eq!(
        data_key.key_material_id, new,
        "{what}: expected the new KeyMaterialId"
    );
}

/// ListKeyRotations with Limit 1 and Marker visits every rotation exactly once, and refuses
/// a Limit outside 1..1000 and a marker it never handed out.
pub async fn list_key_rotations_paging(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    for n in 1..=3 {
        rotate(kms, caps, &key, &format!("RotateKeyOnDemand #{n}")).await;
    }
    let paging = async {
        let listed = rotations(kms, &key, None, 1).await;
        assert_eq!(
            listed.len(),
            3,
            "ListKeyRotations with Limit 1: expected 3 rotations, got {listed:?}"
        );
        let ids: Vec<_> = listed
            .iter()
            .map(|entry| entry.key_material_id.clone())
            .collect();
        assert_distinct(&ids, "ListKeyRotations with Limit 1");
    };
    let what = "ListKeyRotations with Limit 1";
    caps.gate(Flag::RotatesKeyMaterial, what, paging).await;

    let refused = async {
        for (limit, expected) in [
            (0u32, below_min(0, "limit", 1)),
            (1001, above_max(1001, "limit", 1000)),
        ] {
            let request = ListKeyRotationsRequest::new(key.by_id()).with_limit(limit);
            expect_err(
                kms.list_key_rotations(request).await,
                &format!("ListKeyRotations with Limit {limit}"),
                expected,
            );
        }
        let request = ListKeyRotationsRequest::new(key.by_id()).with_marker("not-a-marker");
        expect_err(
            kms.list_key_rotations(request).await,
            "ListKeyRotations with a made-up Marker",
            Expected::code(INVALID_MARKER),
        );
    };
    let what = "ListKeyRotations limits";
    caps.gate(Flag::ValidatesListLimits, what, refused).await;
    session.finish().await;
}

/// A key can be rotated on demand 25 times; the 26th RotateKeyOnDemand fails with
/// `LimitExceededException`.
pub async fn on_demand_rotation_limit(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    for n in 1..=25 {
        rotate(kms, caps, &key, &format!("RotateKeyOnDemand #{n}")).await;
    }
    let refused = async {
        let expected = Expected::aws(AwsMessage::OnDemandRotationLimit, &[&key.arn]);
        let request = RotateKeyOnDemandRequest::new(key.by_id());
        expect_err(
            kms.rotate_key_on_demand(request).await,
            "RotateKeyOnDemand #26",
            expected,
        );
    };
    let what = "RotateKeyOnDemand #26";
    caps.gate(Flag::EnforcesOnDemandRotationLimit, what, refused)
        .await;
    session.finish().await;
}
