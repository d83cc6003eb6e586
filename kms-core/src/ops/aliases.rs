//! Aliases: friendly names (`alias/…`) that point at keys.

use crate::key_id::KeyId;
use crate::model::AliasListEntry;
use crate::shape::shape;

shape! {
    /// `CreateAlias`: a new alias for a key.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CreateAliasRequest {
        required {
            /// The name: `alias/` then letters, digits, `/`, `_` and `-`; at most 256
            /// characters; `alias/aws/` is reserved.
            alias_name: String,
            /// The key (by key ID or key ARN).
            target_key_id: KeyId,
        }
    }
}

shape! {
    /// The answer to `CreateAlias` (empty).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct CreateAliasResponse {}
}

shape! {
    /// `UpdateAlias`: points an existing alias at another key of the same type and usage.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct UpdateAliasRequest {
        required {
            /// The alias name.
            alias_name: String,
            /// The new key (by key ID or key ARN).
            target_key_id: KeyId,
        }
    }
}

shape! {
    /// The answer to `UpdateAlias` (empty).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct UpdateAliasResponse {}
}

shape! {
    /// `DeleteAlias`: removes an alias; the key stays.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DeleteAliasRequest {
        required {
            /// The alias name.
            alias_name: String,
        }
    }
}

shape! {
    /// The answer to `DeleteAlias` (empty).
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct DeleteAliasResponse {}
}

shape! {
    /// `ListAliases`: one page of the aliases of the account and region, or of one key.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ListAliasesRequest {
        optional {
            /// Only the aliases of this key (by key ID or key ARN).
            key_id: KeyId => with_key_id,
            /// The largest page, 1 to 100; 50 by default.
            limit: u32 => with_limit,
            /// Where to continue: the `next_marker` of the previous page.
            marker: String => with_marker,
        }
    }
}

shape! {
    /// One page of `ListAliases`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct ListAliasesResponse {
        optional {
            /// Where the next page starts, when `truncated`.
            next_marker: String => with_next_marker,
        }
        default {
            /// The aliases of this page, sorted by name.
            aliases: Vec<AliasListEntry> => with_aliases,
            /// Whether more pages follow.
            truncated: bool => with_truncated,
        }
    }
}
