//! Checks of key states: DisableKey, EnableKey, ScheduleKeyDeletion and CancelKeyDeletion,
//! and the operations each state allows.

use std::time::SystemTime;

use super::capabilities::{Capabilities, Flag};
use super::gated::{ALWAYS_ALLOWED_OPS, CRYPTO_OPS, MANAGEMENT_OPS, Op, Subject};
use super::support::{
    Expected, Key, Session, VALIDATION, assert_about, days, describe, disabled, expect_err,
    not_pending_deletion, ok, pending_deletion,
};
use crate::{
    CancelKeyDeletionRequest, CreateAliasRequest, DeleteAliasRequest, DisableKeyRequest,
    EnableKeyRequest, KeyState, Kms, ListAliasesRequest, ScheduleKeyDeletionRequest, Tag,
    TagResourceRequest,
};

/// Panics unless DescribeKey shows `key` in `state`, with `Enabled` true exactly when the
/// state is Enabled.
pub(crate) async fn assert_state(kms: &dyn Kms, key: &Key, state: KeyState, when: &str) {
    let metadata = describe(kms, &key.by_id()).await;
    assert_eq!(
        (metadata.key_state, metadata.enabled),
        (Some(state.clone()), state == KeyState::Enabled),
        "DescribeKey {when}: expected (KeyState, Enabled)"
    );
}

/// Schedules the deletion of `key` in 7 days; the call must succeed.
pub(crate) async fn schedule_deletion(kms: &dyn Kms, key: &Key) {
    let request = ScheduleKeyDeletionRequest::new(key.by_id()).with_pending_window_in_days(7u32);
    ok(
        kms.schedule_key_deletion(request).await,
        "ScheduleKeyDeletion",
    );
}

/// Disables `key`; the call must succeed.
pub(crate) async fn disable(kms: &dyn Kms, key: &Key) {
    ok(
        kms.disable_key(DisableKeyRequest::new(key.by_id())).await,
        "DisableKey",
    );
}

/// DisableKey makes a key Disabled: cryptographic operations fail with
/// `<arn> is disabled.` while management operations work; EnableKey restores it.
pub async fn disabled_key(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let subject = Subject::create(kms, &mut session).await;
    let key = &subject.key;
    disable(kms, key).await;
    assert_state(kms, key, KeyState::Disabled, "after DisableKey").await;
    let refused = async {
        let expected = disabled(&key.arn);
        subject
            .expect_refused(kms, &mut session, CRYPTO_OPS, expected, "a disabled key")
            .await;
    };
    let what = "cryptographic operations on a disabled key";
    caps.gate(Flag::EnforcesKeyState, what, refused).await;
    let allowed = [
        Op::DisableKey,
        Op::UpdateKeyDescription,
        Op::CreateAlias,
        Op::TagResource,
        Op::UntagResource,
    ];
    for ops in [ALWAYS_ALLOWED_OPS, &allowed] {
        subject
            .expect_allowed(kms, &mut session, ops, "a disabled key")
            .await;
    }

    ok(
        kms.enable_key(EnableKeyRequest::new(key.by_id())).await,
        "EnableKey",
    );
    assert_state(kms, key, KeyState::Enabled, "after EnableKey").await;
    subject
        .expect_allowed(kms, &mut session, CRYPTO_OPS, "a re-enabled key")
        .await;
    session.finish().await;
}

/// ScheduleKeyDeletion makes a key PendingDeletion with a deletion date 30 days (by
/// default) ahead, and refuses a waiting period outside 7..30 days.
pub async fn schedule_key_deletion(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let request = ScheduleKeyDeletionRequest::new(key.by_id());
    let response = ok(
        kms.schedule_key_deletion(request).await,
        "ScheduleKeyDeletion with the default window",
    );
    let what = "ScheduleKeyDeletion with the default window";
    let arn = async {
        assert_eq!(
            response.key_id, key.arn,
            "{what}: expected KeyId to be the key ARN"
        );
    };
    caps.gate(Flag::ReturnsKeyArns, what, arn).await;
    let complete = async {
        assert_eq!(
            (response.key_state, response.pending_window_in_days),
            (Some(KeyState::PendingDeletion), Some(30)),
            "{what}: expected (KeyState, PendingWindowInDays)"
        );
    };
    caps.gate(Flag::CompleteKeyMetadata, what, complete).await;
    let expected_date = SystemTime::now() + days(30);
    assert_about(
        response.deletion_date,
        expected_date,
        &format!("{what}: DeletionDate"),
    );

    let metadata = describe(kms, &key.by_id()).await;
    let what = "DescribeKey of a key pending deletion";
    assert_eq!(
        (metadata.key_state, metadata.enabled),
        (Some(KeyState::PendingDeletion), false),
        "{what}: expected (KeyState, Enabled)"
    );
    let complete = async {
        assert_eq!(
            metadata.pending_deletion_window_in_days,
            Some(30),
            "{what}: expected PendingDeletionWindowInDays"
        );
    };
    caps.gate(Flag::CompleteKeyMetadata, what, complete).await;
    assert_about(
        metadata.deletion_date,
        expected_date,
        &format!("{what}: DeletionDate"),
    );

    let key = session.key().await;
    let refused = async {
        for window in [6u32, 31] {
            let request =
                ScheduleKeyDeletionRequest::new(key.by_id()).with_pending_window_in_days(window);
            expect_err(
                kms.schedule_key_deletion(request).await,
                &format!("ScheduleKeyDeletion with PendingWindowInDays {window}"),
                Expected::code(VALIDATION),
            );
        }
    };
    let what = "ScheduleKeyDeletion outside 7..30 days";
    caps.gate(Flag::ValidatesDeletionWindow, what, refused)
        .await;
    let request = ScheduleKeyDeletionRequest::new(key.by_id()).with_pending_window_in_days(7u32);
    let response = ok(
        kms.schedule_key_deletion(request).await,
        "ScheduleKeyDeletion in 7 days",
    );
    let complete = async {
        assert_eq!(
            response.pending_window_in_days,
            Some(7),
            "ScheduleKeyDeletion in 7 days: expected PendingWindowInDays"
        );
    };
    let what = "ScheduleKeyDeletion in 7 days";
    caps.gate(Flag::CompleteKeyMetadata, what, complete).await;
    session.finish().await;
}

/// A key pending deletion refuses cryptographic and management operations (a second
/// ScheduleKeyDeletion included) with `<arn> is pending deletion.`, while DescribeKey,
/// ListResourceTags, GetKeyRotationStatus, ListAliases and DeleteAlias work.
pub async fn pending_deletion_key(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let subject = Subject::create(kms, &mut session).await;
    let key = &subject.key;
    let alias = session.alias_name("pending");
    let request = CreateAliasRequest::new(alias.clone(), key.by_id());
    ok(kms.create_alias(request).await, "CreateAlias");
    let request = TagResourceRequest::new(key.by_id(), vec![Tag::new("stays", "listed")]);
    ok(kms.tag_resource(request).await, "TagResource");
    schedule_deletion(kms, key).await;
    assert_state(
        kms,
        key,
        KeyState::PendingDeletion,
        "after ScheduleKeyDeletion",
    )
    .await;

    let refused = async {
        for ops in [CRYPTO_OPS, MANAGEMENT_OPS] {
            let expected = pending_deletion(&key.arn);
            subject
                .expect_refused(kms, &mut session, ops, expected, "a key pending deletion")
                .await;
        }
    };
    let what = "operations on a key pending deletion";
    caps.gate(Flag::EnforcesKeyState, what, refused).await;
    subject
        .expect_allowed(
            kms,
            &mut session,
            ALWAYS_ALLOWED_OPS,
            "a key pending deletion",
        )
        .await;
    let request = ListAliasesRequest::new().with_key_id(key.by_id());
    let aliases = ok(
        kms.list_aliases(request).await,
        "ListAliases of a key pending deletion",
    );
    let names: Vec<&str> = aliases
        .aliases
        .iter()
        .map(|a| a.alias_name.as_str())
        .collect();
    assert_eq!(
        names,
        [alias.as_str()],
        "ListAliases of a key pending deletion: expected its alias"
    );
    ok(
        kms.delete_alias(DeleteAliasRequest::new(alias)).await,
        "DeleteAlias of an alias of a key pending deletion",
    );
    session.finish().await;
}

/// CancelKeyDeletion returns the key ARN and leaves the key Disabled, not Enabled, without
/// a deletion date; on a key not pending deletion it fails with
/// `<arn> is not pending deletion.`
pub async fn cancel_key_deletion(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    schedule_deletion(kms, &key).await;
    let response = ok(
        kms.cancel_key_deletion(CancelKeyDeletionRequest::new(key.by_id()))
            .await,
        "CancelKeyDeletion",
    );
    let arn = async {
        assert_eq!(
            response.key_id, key.arn,
            "CancelKeyDeletion: expected KeyId to be the key ARN"
        );
    };
    caps.gate(Flag::ReturnsKeyArns, "CancelKeyDeletion", arn)
        .await;
    assert_state(kms, &key, KeyState::Disabled, "after CancelKeyDeletion").await;
    let metadata = describe(kms, &key.by_id()).await;
    assert_eq!(
        (
            metadata.deletion_date,
            metadata.pending_deletion_window_in_days
        ),
        (None, None),
        "DescribeKey after CancelKeyDeletion: expected no DeletionDate and no \
         PendingDeletionWindowInDays"
    );

    let enabled = session.key().await;
    let refused = async {
        for (target, state) in [(&key, "a disabled key"), (&enabled, "an enabled key")] {
            expect_err(
                kms.cancel_key_deletion(CancelKeyDeletionRequest::new(target.by_id()))
                    .await,
                &format!("CancelKeyDeletion of {state}"),
                not_pending_deletion(&target.arn),
            );
        }
    };
    let what = "CancelKeyDeletion of a key not pending deletion";
    caps.gate(Flag::EnforcesKeyState, what, refused).await;
    ok(
        kms.enable_key(EnableKeyRequest::new(key.by_id())).await,
        "EnableKey",
    );
    assert_state(
        kms,
        &key,
        KeyState::Enabled,
        "after CancelKeyDeletion and EnableKey",
    )
    .await;
    session.finish().await;
}
