//! Checks of CreateAlias, UpdateAlias, DeleteAlias and ListAliases.

use std::time::SystemTime;

use super::capabilities::{Capabilities, Flag};
use super::messages::AwsMessage;
use super::support::{
    Expected, INVALID_MARKER, Key, Session, VALIDATION, above_max, alias_not_found, assert_about,
    assert_distinct, below_min, collect_pages, describe, encrypt, expect_err, key_id,
    key_not_found, ok, random_key_id,
};
use crate::{
    AliasListEntry, CreateAliasRequest, DeleteAliasRequest, DescribeKeyRequest, EncryptRequest,
    EncryptionContext, KeyId, Kms, ListAliasesRequest, Result, UpdateAliasRequest,
};

/// Tries to create the alias `name` for `key`.
async fn try_create_alias(kms: &dyn Kms, key: &Key, name: &str) -> Result<()> {
    let request = CreateAliasRequest::new(name, key.by_id());
    kms.create_alias(request).await.map(drop)
}

/// Creates the alias `name` for `target`; the call must succeed.
async fn create_alias(kms: &dyn Kms, name: &str, target: &KeyId) {
    let request = CreateAliasRequest::new(name, target);
    ok(
        kms.create_alias(request).await,
        &format!("CreateAlias {name} for {target}"),
    );
}

/// Panics unless encrypting under `alias` (a name or an ARN) reports `key`'s ARN.
async fn assert_alias_encrypts_under(kms: &dyn Kms, alias: &str, key: &Key) {
    let response = encrypt(kms, &key_id(alias), b"x", &EncryptionContext::new()).await;
    assert_eq!(
        response.key_id, key.arn,
        "Encrypt under {alias}: expected KeyId to be the ARN of the key it names"
    );
}

/// The aliases of `key` (by key ID or ARN), page by page with `limit`.
async fn aliases_of(kms: &dyn Kms, key: &KeyId, limit: u32) -> Vec<AliasListEntry> {
    let request = ListAliasesRequest::new().with_key_id(key).with_limit(limit);
    collect_pages(kms, &request, |_| false).await
}

/// The names of `aliases`, sorted.
fn names(aliases: &[AliasListEntry]) -> Vec<&str> {
    let mut names: Vec<&str> = aliases.iter().map(|a| a.alias_name.as_str()).collect();
    names.sort_unstable();
    names
}

/// An alias names its key in Encrypt and DescribeKey, by name and by ARN; UpdateAlias points
/// it at another key; DeleteAlias removes it.
pub async fn alias_lifecycle(kms: &dyn Kms, _caps: &Capabilities) {
    let mut session = Session::new(kms);
    let (key, other) = (session.key().await, session.key().await);
    let name = session.alias_name("lifecycle");
    let alias_arn = key.alias_arn(&name);
    create_alias(kms, &name, &key.by_id()).await;
    for alias in [&name, &alias_arn] {
        assert_alias_encrypts_under(kms, alias, &key).await;
        let described = describe(kms, &key_id(alias)).await;
        assert_eq!(
            described.key_id, key.id,
            "DescribeKey by {alias}: expected the key the alias names"
        );
    }

    let request = UpdateAliasRequest::new(name.as_str(), other.by_arn());
    ok(
        kms.update_alias(request).await,
        "UpdateAlias to another key",
    );
    assert_alias_encrypts_under(kms, &name, &other).await;
    let (old_target, new_target) = (
        aliases_of(kms, &key.by_id(), 50).await,
        aliases_of(kms, &other.by_id(), 50).await,
    );
    assert_eq!(
        (names(&old_target), names(&new_target)),
        (vec![], vec![name.as_str()]),
        "ListAliases of the old and the new key after UpdateAlias: expected the alias under \
         the new key only"
    );

    ok(
        kms.delete_alias(DeleteAliasRequest::new(name.as_str()))
            .await,
        "DeleteAlias",
    );
    let request = EncryptRequest::new(key_id(&name), b"x");
    expect_err(
        kms.encrypt(request).await,
        "Encrypt under a deleted alias",
        alias_not_found(&alias_arn),
    );
    let left = aliases_of(kms, &other.by_id(), 50).await;
    assert!(
        left.is_empty(),
        "ListAliases after DeleteAlias: expected none, got {left:?}"
    );
    session.finish().await;
}

/// ListAliases lists each alias with its name, ARN, target key ID and dates; by key ID or
/// key ARN only that key's aliases; page by page with Limit and Marker; and refuses a Limit
/// outside 1..100 and a marker it never handed out.
pub async fn list_aliases(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let first = session.alias_name("list-a");
    let second = session.alias_name("list-b");
    create_alias(kms, &first, &key.by_id()).await;
    create_alias(kms, &second, &key.by_arn()).await;
    let mut expected = vec![first.as_str(), second.as_str()];
    expected.sort_unstable();

    let listed = aliases_of(kms, &key.by_id(), 50).await;
    assert_eq!(
        names(&listed),
        expected,
        "ListAliases with the key ID: expected its aliases"
    );
    for alias in &listed {
        let what = format!("ListAliases: {}", alias.alias_name);
        assert_eq!(
            (alias.alias_arn.clone(), alias.target_key_id.as_deref()),
            (key.alias_arn(&alias.alias_name), Some(key.id.as_str())),
            "{what}: expected (AliasArn, TargetKeyId = the key ID, not its ARN)"
        );
    }
    let dates = async {
        for alias in &listed {
            let what = format!("ListAliases: {}", alias.alias_name);
            let now = SystemTime::now();
            assert_about(alias.creation_date, now, &format!("{what}: CreationDate"));
            assert_about(
                alias.last_updated_date,
                now,
                &format!("{what}: LastUpdatedDate"),
            );
        }
    };
    caps.gate(Flag::ReportsAliasDates, "ListAliases dates", dates)
        .await;
    let paged = aliases_of(kms, &key.by_arn(), 100).await;
    assert_eq!(
        names(&paged),
        expected,
        "ListAliases with the key ARN and Limit 100"
    );
    let paging = async {
        let paged = aliases_of(kms, &key.by_arn(), 1).await;
        assert_eq!(names(&paged), expected, "ListAliases with Limit 1");
        assert_distinct(&names(&paged), "ListAliases with Limit 1");
    };
    caps.gate(Flag::PagesListAliases, "ListAliases with Limit 1", paging)
        .await;

    let found = |entries: &[AliasListEntry]| {
        [&first, &second]
            .iter()
            .all(|name| entries.iter().any(|entry| entry.alias_name == **name))
    };
    let request = ListAliasesRequest::new().with_limit(100u32);
    let all = collect_pages(kms, &request, found).await;
    assert!(
        found(&all),
        "ListAliases without KeyId: expected {first} and {second}"
    );

    let limits = async {
        for (limit, expected) in [
            (0u32, below_min(0, "limit", 1)),
            (101, above_max(101, "limit", 100)),
        ] {
            let request = ListAliasesRequest::new().with_limit(limit);
            expect_err(
                kms.list_aliases(request).await,
                &format!("ListAliases with Limit {limit}"),
                expected,
            );
        }
        let request = ListAliasesRequest::new().with_marker("not-a-marker");
        expect_err(
            kms.list_aliases(request).await,
            "ListAliases with a made-up Marker",
            Expected::code(INVALID_MARKER),
        );
    };
    caps.gate(Flag::ValidatesListLimits, "ListAliases limits", limits)
        .await;
    session.finish().await;
}

/// CreateAlias refuses names without `alias/`, under `alias/aws/`, with characters outside
/// `[a-zA-Z0-9:/_-]`, longer than 256 characters, or already taken.
pub async fn alias_name_validation(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;

    let reserved = format!("alias/aws/conformance-{}", uuid::Uuid::new_v4().simple());
    session.track_alias(&reserved);
    // No reference confirms AWS's message for these: the exception only.
    for name in ["key1", "alias/has space"] {
        expect_err(
            try_create_alias(kms, &key, name).await,
            &format!("CreateAlias {name:?}"),
            Expected::code(VALIDATION),
        );
    }
    let no_prefix = async {
        expect_err(
            try_create_alias(kms, &key, "key1").await,
            "CreateAlias \"key1\"",
            Expected::aws(AwsMessage::AliasPrefix, &[]),
        );
    };
    caps.gate(
        Flag::ValidatesInputs,
        "CreateAlias without alias/",
        no_prefix,
    )
    .await;
    let reserved_name = async {
        expect_err(
            try_create_alias(kms, &key, &reserved).await,
            &format!("CreateAlias {reserved:?}"),
            Expected::code("InvalidAliasNameException"),
        );
    };
    let what = "CreateAlias under alias/aws/";
    caps.gate(Flag::ValidatesTagsAndAliasNames, what, reserved_name)
        .await;

    let name = session.alias_name("long");
    let longest = format!("{name}{}", "x".repeat(256 - name.len()));
    session.track_alias(&longest);
    ok(
        try_create_alias(kms, &key, &longest).await,
        "CreateAlias with a name of 256 characters",
    );
    let too_long = format!("{longest}x");
    session.track_alias(&too_long);
    let refused = async {
        expect_err(
            try_create_alias(kms, &key, &too_long).await,
            "CreateAlias with a name of 257 characters",
            Expected::code(VALIDATION),
        );
    };
    let what = "CreateAlias with 257 characters";
    caps.gate(Flag::ValidatesInputs, what, refused).await;

    // The emulators' wording, which no reference confirms as AWS's: the exception only.
    expect_err(
        try_create_alias(kms, &key, &longest).await,
        "CreateAlias with a taken name",
        Expected::code("AlreadyExistsException"),
    );
    session.finish().await;
}

/// An alias that does not exist gives `Alias <alias-arn> is not found.` in Encrypt,
/// DescribeKey, UpdateAlias and DeleteAlias; CreateAlias for a key that does not exist gives
/// `Key '<key-arn>' does not exist`.
pub async fn unknown_aliases(kms: &dyn Kms, _caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let name = session.alias_name("unknown");
    let expected = alias_not_found(&key.alias_arn(&name));
    for alias in [name.clone(), key.alias_arn(&name)] {
        let request = EncryptRequest::new(key_id(&alias), b"x");
        expect_err(
            kms.encrypt(request).await,
            &format!("Encrypt under {alias}"),
            expected.clone(),
        );
        let request = DescribeKeyRequest::new(key_id(&alias));
        expect_err(
            kms.describe_key(request).await,
            &format!("DescribeKey of {alias}"),
            expected.clone(),
        );
    }
    let request = UpdateAliasRequest::new(name.as_str(), key.by_id());
    expect_err(
        kms.update_alias(request).await,
        "UpdateAlias of an unknown alias",
        expected.clone(),
    );
    let request = DeleteAliasRequest::new(name.as_str());
    expect_err(
        kms.delete_alias(request).await,
        "DeleteAlias of an unknown alias",
        expected,
    );

    let missing = key.sibling(&random_key_id());
    let request = CreateAliasRequest::new(name.as_str(), missing.by_id());
    expect_err(
        kms.create_alias(request).await,
        "CreateAlias for a key that does not exist",
        key_not_found(&missing.arn),
    );
    session.finish().await;
}
