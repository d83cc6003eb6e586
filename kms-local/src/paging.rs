//! Pagination with `Limit` and an opaque `Marker`, over sorted collections.

use std::collections::BTreeMap;
use std::ops::Bound;

use kms_core::{Error, Result};

use crate::material::{hex, unhex};

/// One page of a listing.
#[derive(Debug)]
pub(crate) struct Page<T> {
    /// The items of the page.
    pub(crate) items: Vec<T>,
    /// The marker of the next page, when there is one.
    pub(crate) next_marker: Option<String>,
}

impl<T> Page<T> {
    /// Whether more pages follow.
    pub(crate) fn truncated(&self) -> bool {
        self.next_marker.is_some()
    }
}

/// Pages through `items` (a sorted, filtered view of a map) from `marker`, taking `limit`.
/// The marker is the hex form of the sort key of the first item of the next page.
pub(crate) fn page<'a, V: 'a, T>(
    map: &'a BTreeMap<String, V>,
    marker: Option<&str>,
    limit: usize,
    mut select: impl FnMut(&'a str, &'a V) -> Option<T>,
) -> Result<Page<T>> {
    let start = match marker {
        None => Bound::Unbounded,
        Some(marker) => Bound::Included(decode_marker(marker)?),
    };
    let mut items = Vec::new();
    let mut next_marker = None;
    for (key, value) in map.range::<String, _>((start, Bound::Unbounded)) {
        let Some(item) = select(key, value) else {
            continue;
        };
        if items.len() == limit {
            next_marker = Some(hex(key.as_bytes()));
            break;
        }
        items.push(item);
    }
    Ok(Page { items, next_marker })
}

/// Pages through a list by position, for items without a natural key.
pub(crate) fn page_by_index<T>(
    items: impl Iterator<Item = T>,
    marker: Option<&str>,
    limit: usize,
) -> Result<Page<T>> {
    let start = match marker {
        None => 0,
        Some(marker) => decode_marker(marker)?
            .parse::<usize>()
            .map_err(|_| invalid_marker())?,
    };
    let mut items = items.skip(start);
    let page: Vec<T> = items.by_ref().take(limit).collect();
    let next_marker = items
        .next()
        .map(|_| hex((start + page.len()).to_string().as_bytes()));
    Ok(Page {
        items: page,
        next_marker,
    })
}

fn decode_marker(marker: &str) -> Result<String> {
    unhex(marker)
        .filter(|bytes| !bytes.is_empty())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(invalid_marker)
}

fn invalid_marker() -> Error {
    Error::InvalidMarker {
        message: "The marker is not valid for this listing.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_visit_every_item_once() -> Result<()> {
        let map: BTreeMap<String, u32> = (0..5).map(|i| (format!("k{i}"), i)).collect();
        let mut seen = Vec::new();
        let mut marker = None;
        loop {
            let page = page(&map, marker.as_deref(), 2, |_, v| Some(*v))?;
            seen.extend(page.items.iter().copied());
            match page.next_marker {
                Some(next) => marker = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, [0, 1, 2, 3, 4]);
        Ok(())
    }

    #[test]
    fn garbage_markers_are_rejected() {
        let map: BTreeMap<String, u32> = BTreeMap::new();
        let err = page(&map, Some("garbage"), 2, |_, v| Some(*v)).err();
        assert_eq!(err.map(|e| e.code()), Some("InvalidMarkerException"));
        let err = page_by_index(0..3, Some("zz"), 1).err();
        assert_eq!(err.map(|e| e.code()), Some("InvalidMarkerException"));
    }

    #[test]
    fn index_pages_end_without_a_marker() -> Result<()> {
        let first = page_by_index(0..3, None, 2)?;
        assert_eq!(first.items, [0, 1]);
        let second = page_by_index(0..3, first.next_marker.as_deref(), 2)?;
        assert!(!second.truncated());
        assert_eq!(second.items, [2]);
        Ok(())
    }
}
