//! How changes are framed in the journal: `u32 length ‖ tag ‖ JSON payload` (the records of
//! one change, as an array, so a crash can tear a change but never apply half of it), where
//! the tag
//! is the HMAC-SHA-256 (under the key derived from the root key) of the previous record's
//! tag (the header's for the first record), the length and the payload. Chaining the tags
//! means a record can be neither changed, nor moved, nor replayed, nor dropped from the
//! middle of the journal without the next record failing authentication.

use kms_core::Result;

use super::root_key::{MAC_LEN, RootKey};

/// A record's frame: length and tag.
pub(crate) const FRAME_LEN: usize = 4 + MAC_LEN;
/// What a record's tag covers before the previous tag.
const DOMAIN: &[u8] = b"kms-local journal record\0";

/// Appends `payload` to `bytes`, framed and chained to `chain`, which becomes its tag.
pub(crate) fn append(
    bytes: &mut Vec<u8>,
    chain: &mut [u8; MAC_LEN],
    payload: &[u8],
    root: &RootKey,
) -> Result<()> {
    let len = u32::try_from(payload.len())
        .map_err(|_| crate::random::internal("a record is larger than 4 GiB"))?
        .to_be_bytes();
    let tag = root.mac(&[DOMAIN, chain, &len, payload]);
    bytes.extend_from_slice(&len);
    bytes.extend_from_slice(&tag);
    bytes.extend_from_slice(payload);
    *chain = tag;
    Ok(())
}

/// One record frame at the start of some bytes.
pub(crate) enum Frame<'a> {
    /// A whole record that authenticates, `len` bytes with its frame.
    Valid {
        payload: &'a [u8],
        len: usize,
        tag: [u8; MAC_LEN],
    },
    /// A record cut short or that fails authentication.
    Damaged,
}

impl<'a> Frame<'a> {
    /// The frame at the start of `bytes`, chained to `previous`; `None` if there are no bytes.
    pub(crate) fn parse(bytes: &'a [u8], previous: &[u8; MAC_LEN], root: &RootKey) -> Option<Self> {
        if bytes.is_empty() {
            return None;
        }
        let Some((len, tag, rest)) = split_frame(bytes) else {
            return Some(Self::Damaged);
        };
        let Ok(payload_len) = usize::try_from(u32::from_be_bytes(len)) else {
            return Some(Self::Damaged);
        };
        match rest.get(..payload_len) {
            Some(payload) if root.verify_mac(&[DOMAIN, previous, &len, payload], &tag) => {
                Some(Self::Valid {
                    payload,
                    len: FRAME_LEN + payload_len,
                    tag,
                })
            }
            _ => Some(Self::Damaged),
        }
    }

    /// Whether the damaged frame at the start of `bytes` is followed, anywhere, by a frame
    /// that authenticates chained to the frame before it (a pair found at any offset, so a
    /// damaged length or tag field hides nothing). A crash tears only the last append, one
    /// frame (a change is one frame), so such a pair means a frame in the middle of the
    /// journal was changed or damaged.
    pub(crate) fn valid_record_follows(bytes: &[u8], root: &RootKey) -> bool {
        (0..bytes.len()).any(|start| {
            let Some((len, tag, _)) = split_frame(&bytes[start..]) else {
                return false;
            };
            usize::try_from(u32::from_be_bytes(len))
                .ok()
                .and_then(|len| len.checked_add(start + FRAME_LEN))
                .and_then(|next| bytes.get(next..))
                .and_then(|rest| Frame::parse(rest, &tag, root))
                .is_some_and(|frame| matches!(frame, Frame::Valid { .. }))
        })
    }
}

/// The length field, the tag and what follows, if `bytes` holds a whole frame header.
fn split_frame(bytes: &[u8]) -> Option<([u8; 4], [u8; MAC_LEN], &[u8])> {
    let (len, rest) = bytes.split_first_chunk::<4>()?;
    let (tag, rest) = rest.split_first_chunk::<MAC_LEN>()?;
    Some((*len, *tag, rest))
}
