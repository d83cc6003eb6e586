//! Reading the frames of a journal: each whole frame that authenticates, chained from the
//! header's tag, is decoded as the records of one change and applied to a keyring.

use super::frame::Frame;
use super::record::Record;
use super::root_key::{MAC_LEN, RootKey};
use crate::state::{Identity, Keyring};

/// What [`replay`] read.
#[derive(Debug)]
pub(crate) struct Replayed {
    /// How many bytes the frames it applied take; what follows is damaged or torn.
    pub(crate) len: usize,
    /// The tag of the last frame applied (the chain given if none).
    pub(crate) chain: [u8; MAC_LEN],
    /// How many records those frames held.
    pub(crate) records: u64,
}

/// Applies to `keyring` the records of the frames at the start of `bytes` that authenticate,
/// the first one chained to `chain`; it stops at the first that does not.
///
/// # Errors
///
/// For a frame that authenticates but whose records cannot be read or applied: its offset
/// in `bytes`, and what is wrong, to follow `record at byte N` (` cannot be read: …`, or
/// `: ` and why it does not apply).
pub(crate) fn replay(
    bytes: &[u8],
    mut chain: [u8; MAC_LEN],
    root: &RootKey,
    identity: &Identity,
    keyring: &mut Keyring,
) -> Result<Replayed, (usize, String)> {
    let mut offset = 0;
    let mut count = 0;
    while let Some(Frame::Valid { payload, len, tag }) =
        Frame::parse(&bytes[offset..], &chain, root)
    {
        let records: Vec<Record> = serde_json::from_slice(payload)
            .map_err(|err| (offset, format!(" cannot be read: {err}")))?;
        count += records.len() as u64;
        for record in records {
            record
                .apply(keyring, identity, root)
                .map_err(|why| (offset, format!(": {why}")))?;
        }
        offset += len;
        chain = tag;
    }
    Ok(Replayed {
        len: offset,
        chain,
        records: count,
    })
}
