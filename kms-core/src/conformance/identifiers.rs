//! Checks of the key identifier forms each operation takes (`reference/kms-api.md` §2.1):
//! key ID, key ARN, alias name and alias ARN.

use super::Capabilities;
use super::capabilities::Flag;
use super::gated::{Op, Subject};
use super::support::{Expected, Key, NOT_FOUND, Session, encrypt, expect_err, key_id, ok};
use crate::{
    CreateAliasRequest, DataKeySpec, DecryptRequest, EnableKeyRequest, EncryptionContext,
    GenerateDataKeyRequest, GenerateDataKeyWithoutPlaintextRequest, KeyId, Kms, ListAliasesRequest,
    ReEncryptRequest, Result, UpdateAliasRequest,
};

/// The operations that take a key ID or key ARN only, in an order that leaves the key as it
/// was (DisableKey before EnableKey, ScheduleKeyDeletion before CancelKeyDeletion, which
/// leaves it Disabled for the next EnableKey).
const KEY_ONLY_OPS: &[Op] = &[
    Op::DisableKey,
    Op::EnableKey,
    Op::UpdateKeyDescription,
    Op::TagResource,
    Op::UntagResource,
    Op::ListResourceTags,
    Op::EnableKeyRotation,
    Op::GetKeyRotationStatus,
    Op::DisableKeyRotation,
    Op::RotateKeyOnDemand,
    Op::ListKeyRotations,
    Op::CreateAlias,
];

/// The two operations that, in this order, schedule and cancel the deletion of a key.
const DELETION_OPS: &[Op] = &[Op::ScheduleKeyDeletion, Op::CancelKeyDeletion];

/// A member that takes a key ID or key ARN only, tried with one identifier.
#[derive(Debug, Clone, Copy)]
enum KeyOnlyMember {
    /// The `KeyId` of an operation on the key under test.
    Op(Op),
    /// The `TargetKeyId` of UpdateAlias (of an alias of the helper key).
    UpdateAliasTarget,
    /// The `KeyId` of ListAliases.
    ListAliasesKeyId,
}

/// Tries `member` with `key` naming the key under test; `alias` is an alias of the helper
/// key, for UpdateAlias.
async fn attempt(
    kms: &dyn Kms,
    session: &mut Session<'_>,
    subject: &Subject,
    alias: &str,
    member: KeyOnlyMember,
    key: &KeyId,
) -> Result<()> {
    match member {
        KeyOnlyMember::Op(op) => subject.attempt_as(kms, session, op, key).await,
        KeyOnlyMember::UpdateAliasTarget => {
            let request = UpdateAliasRequest::new(alias, key);
            kms.update_alias(request).await.map(drop)
        }
        KeyOnlyMember::ListAliasesKeyId => {
            let request = ListAliasesRequest::new().with_key_id(key);
            kms.list_aliases(request).await.map(drop)
        }
    }
}

/// Every member that takes a key ID or key ARN only, but the deletion pair.
fn key_only_members() -> Vec<KeyOnlyMember> {
    let mut members: Vec<_> = KEY_ONLY_OPS
        .iter()
        .map(|op| KeyOnlyMember::Op(*op))
        .collect();
    members.extend([
        KeyOnlyMember::UpdateAliasTarget,
        KeyOnlyMember::ListAliasesKeyId,
    ]);
    members
}

/// Panics unless every member of `members` refuses each of `aliases` (identifiers of the
/// key under test) with `NotFoundException`.
async fn refuse_aliases(
    kms: &dyn Kms,
    session: &mut Session<'_>,
    subject: &Subject,
    helper_alias: &str,
    aliases: &[(&str, KeyId)],
    members: Vec<KeyOnlyMember>,
) {
    for member in members {
        for (form, key) in aliases {
            let result = attempt(kms, session, subject, helper_alias, member, key).await;
            let what = format!("{member:?} by {form}");
            expect_err(result, &what, Expected::code(NOT_FOUND));
        }
    }
}

/// Whether `member` belongs to a key management operation: UpdateKeyDescription, EnableKey,
/// DisableKey, ScheduleKeyDeletion, CancelKeyDeletion, Enable/DisableKeyRotation,
/// GetKeyRotationStatus, TagResource, UntagResource or ListResourceTags.
fn is_key_management(member: &KeyOnlyMember) -> bool {
    !matches!(
        member,
        KeyOnlyMember::Op(Op::RotateKeyOnDemand | Op::ListKeyRotations | Op::CreateAlias)
            | KeyOnlyMember::UpdateAliasTarget
            | KeyOnlyMember::ListAliasesKeyId
    )
}

/// The operations AWS documents as taking a key ID or key ARN only (UpdateKeyDescription,
/// EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion, the rotation operations,
/// TagResource, UntagResource, ListResourceTags, the `TargetKeyId` of CreateAlias and
/// UpdateAlias, the `KeyId` of ListAliases) take both, and refuse an alias name or alias ARN
/// naming the same key with `NotFoundException` (AWS's message is not known, so only the
/// exception is asserted).
pub async fn key_only_identifiers(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let subject = Subject::create(kms, &mut session).await;
    let alias = session.alias_name("key-only");
    let request = CreateAliasRequest::new(alias.as_str(), subject.key.by_id());
    ok(kms.create_alias(request).await, "CreateAlias");
    let helper_alias = session.alias_name("key-only-helper");
    let helper = session.key().await;
    let request = CreateAliasRequest::new(helper_alias.as_str(), helper.by_id());
    ok(kms.create_alias(request).await, "CreateAlias");

    let members = || {
        let deletion = DELETION_OPS.iter().map(|op| KeyOnlyMember::Op(*op));
        key_only_members().into_iter().chain(deletion)
    };
    for member in members() {
        let key = subject.key.by_id();
        let result = attempt(kms, &mut session, &subject, &helper_alias, member, &key).await;
        ok(result, &format!("{member:?} by key ID"));
    }
    let by_arn = async {
        for member in members() {
            let key = subject.key.by_arn();
            let result = attempt(kms, &mut session, &subject, &helper_alias, member, &key).await;
            ok(result, &format!("{member:?} by key ARN"));
        }
    };
    let what = "operations taking a key by key ARN";
    caps.gate(Flag::AcceptsKeyArns, what, by_arn).await;
    // CancelKeyDeletion left the key Disabled.
    let request = EnableKeyRequest::new(subject.key.by_id());
    ok(kms.enable_key(request).await, "EnableKey");

    let aliases = [
        ("alias name", key_id(&alias)),
        ("alias ARN", key_id(&subject.key.alias_arn(&alias))),
    ];
    let (management, others): (Vec<_>, Vec<_>) = members().partition(is_key_management);
    let what = "an alias given to a key management operation";
    let flag = Flag::RefusesAliasesInKeyManagement;
    let refused = refuse_aliases(
        kms,
        &mut session,
        &subject,
        &helper_alias,
        &aliases,
        management,
    );
    caps.gate(flag, what, refused).await;
    let what = "an alias given to RotateKeyOnDemand, ListKeyRotations or an alias operation";
    let flag = Flag::RefusesAliasesInRotationsAndAliases;
    let refused = refuse_aliases(kms, &mut session, &subject, &helper_alias, &aliases, others);
    caps.gate(flag, what, refused).await;
    session.finish().await;
}

/// DescribeKey, Encrypt, the `KeyId` of Decrypt, the `SourceKeyId` and `DestinationKeyId` of
/// ReEncrypt, GenerateDataKey and GenerateDataKeyWithoutPlaintext take a key by key ID, key
/// ARN, alias name and alias ARN alike.
pub async fn any_form_identifiers(kms: &dyn Kms, _caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let alias = session.alias_name("any-form");
    let request = CreateAliasRequest::new(alias.as_str(), key.by_id());
    ok(kms.create_alias(request).await, "CreateAlias");
    let no_context = EncryptionContext::new();
    let blob = encrypt(kms, &key.by_id(), b"any form", &no_context)
        .await
        .ciphertext_blob;
    for form in forms(&key, &alias) {
        let named = key_id(&form);
        let request = DecryptRequest::new(blob.as_slice()).with_key_id(&named);
        let what = format!("Decrypt with KeyId {form}");
        let response = ok(kms.decrypt(request).await, &what);
        assert_eq!(response.key_id, key.arn, "{what}: expected the key ARN");

        let request = ReEncryptRequest::new(blob.as_slice(), &named).with_source_key_id(&named);
        let what = format!("ReEncrypt with SourceKeyId and DestinationKeyId {form}");
        let response = ok(kms.re_encrypt(request).await, &what);
        assert_eq!(response.key_id, key.arn, "{what}: expected the key ARN");

        let request = GenerateDataKeyRequest::new(&named).with_key_spec(DataKeySpec::Aes256);
        let what = format!("GenerateDataKey under {form}");
        let response = ok(kms.generate_data_key(request).await, &what);
        assert_eq!(response.key_id, key.arn, "{what}: expected the key ARN");

        let request =
            GenerateDataKeyWithoutPlaintextRequest::new(&named).with_key_spec(DataKeySpec::Aes128);
        let what = format!("GenerateDataKeyWithoutPlaintext under {form}");
        let response = ok(
            kms.generate_data_key_without_plaintext(request).await,
            &what,
        );
        assert_eq!(response.key_id, key.arn, "{what}: expected the key ARN");
    }
    session.finish().await;
}

/// The four identifiers of `key`, whose alias is `alias`.
fn forms(key: &Key, alias: &str) -> [String; 4] {
    [
        key.id.clone(),
        key.arn.clone(),
        alias.to_owned(),
        key.alias_arn(alias),
    ]
}
