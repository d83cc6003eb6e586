//! Checks of TagResource, UntagResource, ListResourceTags and tags given to CreateKey.

use super::capabilities::{Capabilities, Flag};
use super::messages::AwsMessage;
use super::support::{
    Expected, INVALID_MARKER, Key, Session, VALIDATION, below_min, collect_pages, expect_err, ok,
};
use crate::{
    CreateKeyRequest, KeyId, Kms, ListResourceTagsRequest, Tag, TagResourceRequest,
    UntagResourceRequest,
};

/// Tags from `(key, value)` pairs.
fn tags(pairs: &[(&str, &str)]) -> Vec<Tag> {
    pairs
        .iter()
        .map(|(key, value)| Tag::new(*key, *value))
        .collect()
}

/// `count` tags `k00`, `k01`, … with value `v`.
fn numbered_tags(count: usize) -> Vec<Tag> {
    (0..count)
        .map(|i| Tag::new(format!("k{i:02}"), "v"))
        .collect()
}

/// The tags that, given to TagResource or CreateKey, fail with the `TagException` message.
fn invalid_tag_sets() -> [(Vec<Tag>, &'static str, AwsMessage); 4] {
    [
        (numbered_tags(51), "51 tags", AwsMessage::TooManyTags),
        (
            tags(&[("k", "1"), ("k", "2")]),
            "a key twice",
            AwsMessage::DuplicateTagKeys,
        ),
        (
            tags(&[("aws:x", "v")]),
            "the key aws:x",
            AwsMessage::ReservedTagKey,
        ),
        (
            tags(&[("AWS:x", "v")]),
            "the key AWS:x",
            AwsMessage::ReservedTagKey,
        ),
    ]
}

/// Every tag of `key`, in the order ListResourceTags gives them, page by page.
async fn list_tags(kms: &dyn Kms, key: &KeyId, limit: u32) -> Vec<Tag> {
    let request = ListResourceTagsRequest::new(key).with_limit(limit);
    collect_pages(kms, &request, |_| false).await
}

/// Tags `key`; the call must succeed.
async fn tag(kms: &dyn Kms, key: &Key, tags: Vec<Tag>, what: &str) {
    ok(
        kms.tag_resource(TagResourceRequest::new(key.by_id(), tags))
            .await,
        what,
    );
}

/// Panics unless ListResourceTags gives exactly `expected` (sorted by key), in any order.
async fn assert_tags(kms: &dyn Kms, key: &Key, expected: &[(&str, &str)], when: &str) {
    let mut listed = list_tags(kms, &key.by_id(), 50).await;
    listed.sort_by(|a, b| a.tag_key.cmp(&b.tag_key));
    assert_eq!(
        listed,
        tags(expected),
        "ListResourceTags {when}: expected these tags"
    );
}

/// TagResource adds tags and replaces values, ListResourceTags lists them sorted by key,
/// UntagResource removes them and ignores keys the key does not have.
pub async fn tag_lifecycle(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    assert_tags(kms, &key, &[], "of a new key").await;
    tag(kms, &key, tags(&[("b", "2"), ("a", "1")]), "TagResource").await;
    let in_order = async {
        let listed = list_tags(kms, &key.by_id(), 50).await;
        assert_eq!(
            listed,
            tags(&[("a", "1"), ("b", "2")]),
            "ListResourceTags after TagResource of b then a: expected the tags sorted by key"
        );
    };
    let what = "ListResourceTags in key order";
    caps.gate(Flag::PagesListResourceTags, what, in_order).await;
    assert_tags(kms, &key, &[("a", "1"), ("b", "2")], "after TagResource").await;
    let request = TagResourceRequest::new(key.by_arn(), tags(&[("a", "one"), ("c", "")]));
    ok(kms.tag_resource(request).await, "TagResource by key ARN");
    let expected = [("a", "one"), ("b", "2"), ("c", "")];
    assert_tags(kms, &key, &expected, "after replacing a value").await;

    let request = UntagResourceRequest::new(key.by_id(), vec!["missing".to_owned()]);
    ok(
        kms.untag_resource(request).await,
        "UntagResource of a tag key the key does not have",
    );
    assert_tags(kms, &key, &expected, "after untagging a missing key").await;
    let request = UntagResourceRequest::new(key.by_arn(), vec!["b".to_owned()]);
    ok(kms.untag_resource(request).await, "UntagResource");
    assert_tags(kms, &key, &[("a", "one"), ("c", "")], "after UntagResource").await;
    session.finish().await;
}

/// TagResource refuses more than 50 tags on a key, duplicate keys and keys beginning with
/// `aws:` (in any case) with AWS's `TagException` messages.
pub async fn tag_validation(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let refused = async {
        for (tags, what, message) in invalid_tag_sets() {
            let request = TagResourceRequest::new(key.by_id(), tags);
            let result = kms.tag_resource(request).await;
            expect_err(
                result,
                &format!("TagResource with {what}"),
                Expected::aws(message, &[]),
            );
        }
        assert_tags(kms, &key, &[], "after refused TagResource calls").await;

        tag(kms, &key, numbered_tags(50), "TagResource with 50 tags").await;
        let request = TagResourceRequest::new(key.by_id(), tags(&[("one-more", "v")]));
        let result = kms.tag_resource(request).await;
        let expected = Expected::aws(AwsMessage::TooManyTags, &[]);
        expect_err(result, "TagResource of a 51st tag", expected);
    };
    let what = "TagResource refusals";
    caps.gate(Flag::ValidatesTagsAndAliasNames, what, refused)
        .await;
    // A key with at most 50 tags (as many when the peer deviated above).
    tag(kms, &key, numbered_tags(50), "TagResource with 50 tags").await;
    let replacement = tags(&[("k00", "replaced")]);
    tag(
        kms,
        &key,
        replacement,
        "TagResource replacing a value on a key with 50 tags",
    )
    .await;
    session.finish().await;
}

/// CreateKey with tags attaches them, and refuses the tags TagResource refuses.
pub async fn create_key_with_tags(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let request = CreateKeyRequest::new().with_tags(tags(&[("b", "2"), ("a", "1")]));
    let key = session.create(request).await;
    assert_tags(
        kms,
        &key,
        &[("a", "1"), ("b", "2")],
        "of a key created with tags",
    )
    .await;
    let refused = async {
        for (tags, what, message) in invalid_tag_sets() {
            let request = CreateKeyRequest::new().with_tags(tags);
            let result = session.try_create(request).await;
            expect_err(
                result,
                &format!("CreateKey with {what}"),
                Expected::aws(message, &[]),
            );
        }
    };
    let what = "CreateKey tag refusals";
    caps.gate(Flag::ValidatesTagsAndAliasNames, what, refused)
        .await;
    session.finish().await;
}

/// ListResourceTags with Limit and Marker visits every tag once, in key order, and refuses a
/// Limit outside 1..50 and a marker it never handed out.
pub async fn list_resource_tags_paging(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    tag(kms, &key, numbered_tags(5), "TagResource with 5 tags").await;
    let paging = async {
        let listed = list_tags(kms, &key.by_id(), 2).await;
        assert_eq!(
            listed,
            numbered_tags(5),
            "ListResourceTags with Limit 2: expected every tag once, sorted by key"
        );
    };
    let what = "ListResourceTags with Limit 2";
    caps.gate(Flag::PagesListResourceTags, what, paging).await;

    let refused = async {
        let cases: [(u32, Expected); 2] = [
            (0, below_min(0, "limit", 1)),
            (51, Expected::code(VALIDATION)),
        ];
        for (limit, expected) in cases {
            let request = ListResourceTagsRequest::new(key.by_id()).with_limit(limit);
            expect_err(
                kms.list_resource_tags(request).await,
                &format!("ListResourceTags with Limit {limit}"),
                expected,
            );
        }
        let request = ListResourceTagsRequest::new(key.by_id()).with_marker("not-a-marker");
        expect_err(
            kms.list_resource_tags(request).await,
            "ListResourceTags with a made-up Marker",
            Expected::code(INVALID_MARKER),
        );
    };
    let what = "ListResourceTags limits";
    caps.gate(Flag::ValidatesListLimits, what, refused).await;
    session.finish().await;
}
