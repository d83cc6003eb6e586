//! Frames, the non-framed body and the footer: layouts, IVs and AADs, without any I/O.

use crate::error::Error;
use crate::format::header::{IV_LEN, TAG_LEN};
use crate::format::wire::{Cursor, Parsed};

/// The sequence number field that marks the final frame.
pub(crate) const FINAL_MARKER: u32 = u32::MAX;
/// The bytes before a regular frame's ciphertext: sequence number and IV.
pub(crate) const REGULAR_HEAD_LEN: usize = 4 + IV_LEN;
/// The bytes before a final frame's ciphertext: marker, sequence number, IV and length.
pub(crate) const FINAL_HEAD_LEN: usize = 4 + 4 + IV_LEN + 4;
/// The largest non-framed body the format allows: 2^36 - 32 bytes.
pub(crate) const MAX_NON_FRAMED_LEN: u64 = (1 << 36) - 32;

/// Which kind of body block, which decides its AAD string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    /// A regular frame.
    Regular,
    /// The final frame.
    Final,
    /// A non-framed body.
    Single,
}

impl BlockKind {
    fn label(self) -> &'static [u8] {
        match self {
            Self::Regular => b"AWSKMSEncryptionClient Frame",
            Self::Final => b"AWSKMSEncryptionClient Final Frame",
            Self::Single => b"AWSKMSEncryptionClient Single Block",
        }
    }
}

/// The head of a body block, parsed; its ciphertext and tag follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BlockHead {
    pub(crate) kind: BlockKind,
    pub(crate) seq: u32,
    pub(crate) iv: [u8; IV_LEN],
    pub(crate) content_len: usize,
    pub(crate) head_len: usize,
}

impl BlockHead {
    /// The length of the whole block: head, ciphertext and tag.
    pub(crate) fn total_len(&self) -> usize {
        self.head_len + self.content_len + TAG_LEN
    }
}

/// Parses the head of the next frame of a framed body with this frame length.
pub(crate) fn parse_frame_head(buf: &[u8], frame_length: u32) -> Parsed<BlockHead> {
    let mut cursor = Cursor::new(buf);
    let first = cursor.u32()?;
    if first != FINAL_MARKER {
        let iv = cursor.array()?;
        return Ok(BlockHead {
            kind: BlockKind::Regular,
            seq: first,
            iv,
            content_len: frame_length as usize,
            head_len: REGULAR_HEAD_LEN,
        });
    }
    let seq = cursor.u32()?;
    let iv = cursor.array()?;
    let content_len = cursor.u32()?;
    if content_len > frame_length {
        return Err(Error::malformed(format!(
            "the final frame holds {content_len} bytes, more than the frame length {frame_length}"
        ))
        .into());
    }
    Ok(BlockHead {
        kind: BlockKind::Final,
        seq,
        iv,
        content_len: content_len as usize,
        head_len: FINAL_HEAD_LEN,
    })
}

/// Parses the head of a non-framed body: IV and content length.
pub(crate) fn parse_single_head(buf: &[u8], max_len: u64) -> Parsed<BlockHead> {
    let mut cursor = Cursor::new(buf);
    let iv = cursor.array()?;
    let content_len = cursor.u64()?;
    if content_len > MAX_NON_FRAMED_LEN {
        return Err(Error::malformed("the non-framed body is longer than 2^36 - 32 bytes").into());
    }
    if content_len > max_len {
        return Err(Error::LimitExceeded {
            what: "the non-framed body length",
            value: content_len,
            limit: max_len,
        }
        .into());
    }
    let content_len = usize::try_from(content_len)
        .map_err(|_| Error::malformed("the non-framed body does not fit in memory"))?;
    Ok(BlockHead {
        kind: BlockKind::Single,
        seq: 1,
        iv,
        content_len,
        head_len: IV_LEN + 8,
    })
}

/// Parses a footer: a `u16` length and the signature. Returns the signature and the
/// footer's length.
pub(crate) fn parse_footer(buf: &[u8]) -> Parsed<(&[u8], usize)> {
    let mut cursor = Cursor::new(buf);
    let signature = cursor.u16_prefixed()?;
    Ok((signature, cursor.position()))
}

/// The IV of a frame as writers make it: eight zero bytes and the sequence number.
pub(crate) fn frame_iv(seq: u32) -> [u8; IV_LEN] {
    let mut iv = [0u8; IV_LEN];
    iv[8..].copy_from_slice(&seq.to_be_bytes());
    iv
}

/// The AAD of a body block: message id, label, sequence number, plaintext length.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyAad {
    bytes: [u8; 32 + 35 + 4 + 8],
    len: usize,
}

impl BodyAad {
    pub(crate) fn new(message_id: &[u8], kind: BlockKind, seq: u32, content_len: u64) -> Self {
        let mut bytes = [0u8; 32 + 35 + 4 + 8];
        let mut len = 0;
        for part in [
            message_id,
            kind.label(),
            &seq.to_be_bytes(),
            &content_len.to_be_bytes(),
        ] {
            // The message id is 16 or 32 bytes, so every part fits.
            if let Some(slot) = bytes.get_mut(len..len + part.len()) {
                slot.copy_from_slice(part);
                len += part.len();
            }
        }
        Self { bytes, len }
    }
}

impl AsRef<[u8]> for BodyAad {
    fn as_ref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// Appends the head of a regular frame.
#[cfg(test)]
pub(crate) fn write_regular_head(out: &mut Vec<u8>, seq: u32) {
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&frame_iv(seq));
}

/// Appends the head of a final frame.
pub(crate) fn write_final_head(out: &mut Vec<u8>, seq: u32, content_len: u32) {
    out.extend_from_slice(&FINAL_MARKER.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&frame_iv(seq));
    out.extend_from_slice(&content_len.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::wire::Stop;

    #[test]
    fn aad_layout_matches_the_format() {
        let aad = BodyAad::new(&[1; 32], BlockKind::Final, 2, 14);
        let bytes = aad.as_ref();
        assert_eq!(bytes.len(), 32 + 34 + 12);
        assert_eq!(&bytes[32..66], b"AWSKMSEncryptionClient Final Frame");
        assert_eq!(&bytes[66..70], &[0, 0, 0, 2]);
        assert_eq!(&bytes[70..], &14u64.to_be_bytes());
    }

    #[test]
    fn parses_regular_and_final_heads() {
        let mut bytes = Vec::new();
        write_regular_head(&mut bytes, 1);
        let head = parse_frame_head(&bytes, 10).ok();
        assert_eq!(
            head.map(|h| (h.kind, h.seq, h.total_len())),
            Some((BlockKind::Regular, 1, 42))
        );
        let mut last = Vec::new();
        write_final_head(&mut last, 2, 11);
        assert!(matches!(parse_frame_head(&last, 10), Err(Stop::Fail(_))));
        assert!(matches!(
            parse_frame_head(&last[..5], 10),
            Err(Stop::Need(8))
        ));
        assert_eq!(
            parse_frame_head(&last, 11).ok().map(|h| h.content_len),
            Some(11)
        );
    }
}
