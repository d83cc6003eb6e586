//! Tags on keys.

use crate::key_id::KeyId;
use crate::model::Tag;
use crate::shape::shape;

shape! {
    /// `TagResource`: adds tags to a key, replacing the values of keys it already has.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct TagResourceRequest {
        required {
            /// The key (by key ID or key ARN).
            key_id: KeyId,
            /// The tags; a key may carry at most 50.
            tags: Vec<Tag>,
        }
    }
}

shape! {
    /// The answer to `TagResource` (empty).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct TagResourceResponse {}
}

shape! {
    /// `UntagResource`: removes tags by key; absent keys are ignored.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct UntagResourceRequest {
        required {
            /// The key (by key ID or key ARN).
            key_id: KeyId,
            /// The tag keys to remove.
            tag_keys: Vec<String>,
        }
    }
}

shape! {
    /// The answer to `UntagResource` (empty).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct UntagResourceResponse {}
}

shape! {
    /// `ListResourceTags`: one page of the tags of a key.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ListResourceTagsRequest {
        required {
            /// The key (by key ID or key ARN).
            key_id: KeyId,
        }
        optional {
            /// The largest page, 1 to 50; 50 by default.
            limit: u32 => with_limit,
            /// Where to continue: the `next_marker` of the previous page.
            marker: String => with_marker,
        }
    }
}

shape! {
    /// One page of `ListResourceTags`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ListResourceTagsResponse {
        optional {
            /// Where the next page starts, when `truncated`.
            next_marker: String => with_next_marker,
        }
        default {
            /// The tags of this page, sorted by key.
            tags: Vec<Tag> => with_tags,
            /// Whether more pages follow.
            truncated: bool => with_truncated,
        }
    }
}
