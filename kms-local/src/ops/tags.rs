//! `TagResource`, `UntagResource` and `ListResourceTags`.

use kms_core::ops::*;
use kms_core::{Result, Tag};

use crate::limits::{self, is_reserved_tag_key, tag_error};
use crate::paging::page;
use crate::state::KeyOnly;
use crate::store::Store;

impl Store {
    pub(crate) fn tag_resource(&self, request: TagResourceRequest) -> Result<TagResourceResponse> {
        self.mutate(|keyring, _| {
            let member = KeyOnly::key_id("TagResource");
            let key = keyring.resolve_mut(&self.identity, &request.key_id, member)?;
            key.check_changeable()?;
            limits::merge_tags(&mut key.tags, &request.tags)?;
            Ok(TagResourceResponse::new())
        })
    }

    pub(crate) fn untag_resource(
        &self,
        request: UntagResourceRequest,
    ) -> Result<UntagResourceResponse> {
        if request.tag_keys.iter().any(|key| is_reserved_tag_key(key)) {
            return Err(tag_error("Tags beginning with aws: are reserved"));
        }
        self.mutate(|keyring, _| {
            let member = KeyOnly::key_id("UntagResource");
            let key = keyring.resolve_mut(&self.identity, &request.key_id, member)?;
            key.check_changeable()?;
            for tag_key in &request.tag_keys {
                key.tags.remove(tag_key);
            }
            Ok(UntagResourceResponse::new())
        })
    }

    pub(crate) fn list_resource_tags(
        &self,
        request: ListResourceTagsRequest,
    ) -> Result<ListResourceTagsResponse> {
        let limit = limits::page_limit(request.limit, 50, 50)?;
        let keyring = self.read()?;
        let member = KeyOnly::key_id("ListResourceTags");
        let key = keyring.resolve_key(&self.identity, &request.key_id, member, || self.now())?;
        let page = page(&key.tags, request.marker.as_deref(), limit, |k, v| {
            Some(Tag::new(k, v.clone()))
        })?;
        let mut response = ListResourceTagsResponse::new().with_truncated(page.truncated());
        response.next_marker = page.next_marker;
        Ok(response.with_tags(page.items))
    }
}
