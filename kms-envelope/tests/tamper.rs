//! Tampering: every altered, truncated, reordered or extended message fails, through the
//! one-shot API and through the streaming reader, for its own reason: each case names the
//! error it must cause and where (the header, or the body block the change is in), so a
//! flipped bit in a frame fails that frame's authentication, not a parse two frames later.
//! The reader releases exactly the regular frames before the failing block, never plaintext
//! of a frame that did not verify (nor the last frame of a message that did not complete).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use kms_core::SecretBytes;
use kms_envelope::{AlgorithmSuite, DecryptLimits, Decryptor, Encryptor, Error, RawAesKeyring};
use tokio::io::AsyncReadExt;

const FRAME: usize = 16;
/// Three regular frames and a final frame of 2 bytes.
const PLAINTEXT: &[u8; 50] = b"The quick brown fox jumps over the lazy dog, twice";

fn keyring() -> Arc<RawAesKeyring> {
    Arc::new(RawAesKeyring::new("ns", "key", SecretBytes::from(vec![3; 32])).unwrap())
}

fn decryptor() -> Decryptor {
    Decryptor::new(keyring())
}

async fn message(suite: AlgorithmSuite) -> Vec<u8> {
    Encryptor::new(keyring())
        .with_frame_length(FRAME as u32)
        .with_suite(suite)
        .encrypt(PLAINTEXT)
        .await
        .unwrap()
}

/// The layout of a test message: where the header ends and where each frame starts.
struct Layout {
    header_len: usize,
    /// Start offsets of the three regular frames and the final frame.
    frames: [usize; 4],
    /// Offset of the end of the final frame (the footer, if any, follows).
    body_end: usize,
}

fn layout(message: &[u8]) -> Layout {
    // The first frame starts with sequence number 1 and its canonical IV.
    let first: Vec<u8> = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1].to_vec();
    let header_len = message
        .windows(first.len())
        .position(|window| window == first)
        .unwrap();
    let regular = 4 + 12 + FRAME + 16;
    let frames = [0, 1, 2, 3].map(|i| header_len + i * regular);
    Layout {
        header_len,
        frames,
        body_end: frames[3] + 4 + 4 + 12 + 4 + 2 + 16,
    }
}

/// What the streaming reader releases before it stops, and how it stops; `None` when
/// opening the reader (reading and authenticating the header) already failed.
async fn stream(message: &[u8], read_size: usize) -> (Option<Vec<u8>>, Result<(), Error>) {
    let mut released = Vec::new();
    let mut reader = match decryptor().decrypting_reader(message).await {
        Ok(reader) => reader,
        Err(err) => return (None, Err(err)),
    };
    let mut buf = vec![0u8; read_size];
    loop {
        match reader.read(&mut buf).await {
            Ok(0) => return (Some(released), Ok(())),
            Ok(n) => released.extend_from_slice(&buf[..n]),
            Err(err) => return (Some(released), Err(Error::from_io(err))),
        }
    }
}

/// The kind of failure a test expects: the `Error` variant, with `NoDataKey` split by
/// whether a keyring tried an encrypted data key (and failed) or none matched it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Authentication,
    Malformed,
    Truncated,
    TrailingData,
    Unsupported,
    LimitExceeded,
    /// No encrypted data key names the keyring's wrapping key.
    NoKeyMatched,
    /// The keyring's wrapping key failed to unwrap the encrypted data key.
    UnwrapFailed,
}

fn kind_of(error: &Error) -> Kind {
    match error {
        Error::Authentication => Kind::Authentication,
        Error::Malformed { .. } => Kind::Malformed,
        Error::Truncated => Kind::Truncated,
        Error::TrailingData => Kind::TrailingData,
        Error::Unsupported { .. } => Kind::Unsupported,
        Error::LimitExceeded { .. } => Kind::LimitExceeded,
        Error::NoDataKey { failures } if failures.is_empty() => Kind::NoKeyMatched,
        Error::NoDataKey { .. } => Kind::UnwrapFailed,
        other => panic!("an error no tampering should cause: {other:?}"),
    }
}

/// Where a decryption must stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Reading or authenticating the header: the reader is never returned.
    Header,
    /// At block `i` of the body (0..=2 regular frames, 3 the final frame, 4 the footer or
    /// the end): the reader released exactly the plaintext of the regular frames before it.
    Block(usize),
}

/// What a damaged message must fail with: the kind (one of `kinds`) and the stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Expected {
    kinds: &'static [Kind],
    stage: Stage,
}

/// A length field changed: its field no longer fits the message, or every field after it is
/// read out of place, and one of them may exceed its limit. Which error it meets first depends
/// on the bytes.
const MISALIGNED: &[Kind] = &[Kind::Truncated, Kind::Malformed, Kind::LimitExceeded];

const fn at_header(kind: Kind) -> Expected {
    Expected {
        kinds: kind_list(kind),
        stage: Stage::Header,
    }
}

const fn at_block(kind: Kind, block: usize) -> Expected {
    Expected {
        kinds: kind_list(kind),
        stage: Stage::Block(block),
    }
}

/// `kind` as a one-element list.
const fn kind_list(kind: Kind) -> &'static [Kind] {
    match kind {
        Kind::Authentication => &[Kind::Authentication],
        Kind::Malformed => &[Kind::Malformed],
        Kind::Truncated => &[Kind::Truncated],
        Kind::TrailingData => &[Kind::TrailingData],
        Kind::Unsupported => &[Kind::Unsupported],
        Kind::LimitExceeded => &[Kind::LimitExceeded],
        Kind::NoKeyMatched => &[Kind::NoKeyMatched],
        Kind::UnwrapFailed => &[Kind::UnwrapFailed],
    }
}

/// Checks that `message` fails as `expected`, through the one-shot API and through the
/// streaming reader (with small and large reads), and that the reader released exactly the
/// verified regular frames before the failing block, never a byte of the final frame.
async fn assert_fails(message: &[u8], expected: Expected, what: &str) {
    let one_shot = decryptor().decrypt(message).await;
    match &one_shot {
        Ok(_) => panic!("{what}: decrypted"),
        Err(err) => assert!(
            expected.kinds.contains(&kind_of(err)),
            "{what}: one-shot {err:?}, expected {:?}",
            expected.kinds
        ),
    }
    for read_size in [5, 4096] {
        let (released, result) = stream(message, read_size).await;
        let err = match result {
            Ok(()) => panic!("{what}: streamed to a clean end"),
            Err(err) => err,
        };
        assert!(
            expected.kinds.contains(&kind_of(&err)),
            "{what}: streamed {err:?}, expected {:?}",
            expected.kinds
        );
        match (expected.stage, released) {
            (Stage::Header, None) => {}
            (Stage::Block(block), Some(released)) => {
                let frames = block.min(3);
                assert_eq!(
                    released,
                    PLAINTEXT[..frames * FRAME],
                    "{what}: the reader must release exactly {frames} frames"
                );
            }
            (stage, released) => panic!(
                "{what}: expected to fail at {stage:?}, but the reader {}",
                match released {
                    None => "failed on the header".to_owned(),
                    Some(bytes) => format!("opened and released {} bytes", bytes.len()),
                }
            ),
        }
    }
}

/// The number of whole frames before `offset`.
fn frames_before(layout: &Layout, offset: usize) -> usize {
    layout.frames[..3]
        .iter()
        .filter(|&&start| start + 4 + 12 + FRAME + 16 <= offset)
        .count()
}

/// The fields of a message, as this test's messages lay them out (one raw AES encrypted
/// data key; the signed suite's context holds only the public key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Version,
    Suite,
    MessageId,
    ContextLength,
    /// The pair count and the key and value lengths inside the context.
    ContextStructure,
    ContextKey,
    ContextValue,
    EdkCount,
    /// The provider id, provider info and ciphertext lengths of the encrypted data key.
    EdkLength,
    ProviderId,
    /// Provider info: the key name, the tag length and the IV length.
    WrappingKeyInfo,
    WrappingIv,
    EdkCiphertext,
    ContentType,
    FrameLength,
    CommitKey,
    HeaderTag,
    FinalMarker,
    Sequence(usize),
    FrameIv(usize),
    ContentLength,
    Ciphertext(usize),
    Tag(usize),
    SignatureLength,
    Signature,
}

/// Every byte of `message`, labelled with its field.
fn fields(message: &[u8], layout: &Layout) -> Vec<Field> {
    let mut out = Vec::with_capacity(message.len());
    let u16_at = |pos: usize| usize::from(u16::from_be_bytes([message[pos], message[pos + 1]]));
    let mut push = |field: Field, len: usize| out.extend(std::iter::repeat_n(field, len));
    push(Field::Version, 1);
    push(Field::Suite, 2);
    push(Field::MessageId, 32);
    push(Field::ContextLength, 2);
    let context_len = u16_at(35);
    let mut pos = 37;
    if context_len > 0 {
        push(Field::ContextStructure, 2);
        pos += 2;
        for _ in 0..u16_at(37) {
            for field in [Field::ContextKey, Field::ContextValue] {
                let len = u16_at(pos);
                push(Field::ContextStructure, 2);
                push(field, len);
                pos += 2 + len;
            }
        }
    }
    assert_eq!(pos, 37 + context_len, "the context fields add up");
    assert_eq!(u16_at(pos), 1, "one encrypted data key");
    push(Field::EdkCount, 2);
    let provider_len = u16_at(pos + 2);
    push(Field::EdkLength, 2);
    push(Field::ProviderId, provider_len);
    pos += 4 + provider_len;
    let info_len = u16_at(pos);
    push(Field::EdkLength, 2);
    push(Field::WrappingKeyInfo, info_len - 12);
    push(Field::WrappingIv, 12);
    pos += 2 + info_len;
    let ciphertext_len = u16_at(pos);
    push(Field::EdkLength, 2);
    push(Field::EdkCiphertext, ciphertext_len);
    push(Field::ContentType, 1);
    push(Field::FrameLength, 4);
    push(Field::CommitKey, 32);
    push(Field::HeaderTag, 16);
    for frame in 0..3 {
        push(Field::Sequence(frame), 4);
        push(Field::FrameIv(frame), 12);
        push(Field::Ciphertext(frame), FRAME);
        push(Field::Tag(frame), 16);
    }
    push(Field::FinalMarker, 4);
    push(Field::Sequence(3), 4);
    push(Field::FrameIv(3), 12);
    push(Field::ContentLength, 4);
    push(Field::Ciphertext(3), PLAINTEXT.len() - 3 * FRAME);
    push(Field::Tag(3), 16);
    if layout.body_end < message.len() {
        push(Field::SignatureLength, 2);
        push(Field::Signature, message.len() - layout.body_end - 2);
    }
    assert_eq!(out.len(), message.len(), "every byte has a field");
    assert_eq!(out[layout.header_len], Field::Sequence(0));
    out
}

/// How a message with the byte at `offset` (a byte of `field`) changed to `altered[offset]`
/// must fail.
fn expected_for(field: Field, altered: &[u8], offset: usize, layout: &Layout) -> Expected {
    let byte = altered[offset];
    let u32_of = |start: usize| {
        u32::from_be_bytes([
            altered[start],
            altered[start + 1],
            altered[start + 2],
            altered[start + 3],
        ])
    };
    let limits = DecryptLimits::default();
    match field {
        Field::Version => at_header(Kind::Unsupported),
        Field::Suite => {
            let id = u16::from_be_bytes([altered[1], altered[2]]);
            assert!(
                AlgorithmSuite::from_id(id).is_none(),
                "{id:#06x} is a suite"
            );
            at_header(Kind::Unsupported)
        }
        // The commit key and the content key derive from the message id.
        Field::MessageId | Field::CommitKey | Field::HeaderTag => at_header(Kind::Authentication),
        // A length that no longer fits the message, or that misaligns the fields after it.
        Field::ContextLength => {
            let len = usize::from(u16::from_be_bytes([altered[35], altered[36]]));
            if 37 + len > altered.len() {
                at_header(Kind::Truncated)
            } else {
                at_header(Kind::Malformed)
            }
        }
        Field::ContextStructure => at_header(Kind::Malformed),
        // Not UTF-8, or the signed suite's public key no longer named.
        Field::ContextKey => at_header(Kind::Malformed),
        Field::ContextValue if byte >= 0x80 => at_header(Kind::Malformed),
        // The raw AES keyring binds the whole context to the wrapped data key.
        Field::ContextValue => at_header(Kind::UnwrapFailed),
        Field::EdkCount => {
            let start = 37 + usize::from(u16::from_be_bytes([altered[35], altered[36]]));
            let count = u16::from_be_bytes([altered[start], altered[start + 1]]);
            assert!(count > limits.max_encrypted_data_keys(), "count {count}");
            at_header(Kind::LimitExceeded)
        }
        // The fields after it misalign: random bytes may then read as a frame length over
        // the limit (whether they do depends on the random data key and IVs of the message).
        Field::EdkLength => Expected {
            kinds: MISALIGNED,
            stage: Stage::Header,
        },
        Field::ProviderId if byte >= 0x80 => at_header(Kind::Malformed),
        Field::ProviderId | Field::WrappingKeyInfo => at_header(Kind::NoKeyMatched),
        Field::WrappingIv | Field::EdkCiphertext => at_header(Kind::UnwrapFailed),
        Field::ContentType => at_header(Kind::Malformed),
        Field::FrameLength => {
            let start = layout.header_len - 16 - 32 - 4;
            let frame_length = u64::from(u32_of(start));
            if frame_length > limits.max_frame_length() {
                at_header(Kind::LimitExceeded)
            } else {
                // Bound by the header tag.
                at_header(Kind::Authentication)
            }
        }
        // Read as a regular frame whose sequence number is not the next one.
        Field::FinalMarker => at_block(Kind::Malformed, 3),
        Field::Sequence(frame) => at_block(Kind::Malformed, frame),
        Field::FrameIv(frame) | Field::Ciphertext(frame) | Field::Tag(frame) => {
            at_block(Kind::Authentication, frame)
        }
        Field::ContentLength => {
            let len = u32_of(layout.frames[3] + 20) as usize;
            if len > FRAME {
                at_block(Kind::Malformed, 3)
            } else if layout.frames[3] + 24 + len + 16 > altered.len() {
                at_block(Kind::Truncated, 3)
            } else {
                // The content length is in the frame's additional data.
                at_block(Kind::Authentication, 3)
            }
        }
        Field::SignatureLength => {
            let len = usize::from(u16::from_be_bytes([
                altered[layout.body_end],
                altered[layout.body_end + 1],
            ]));
            if layout.body_end + 2 + len > altered.len() {
                at_block(Kind::Truncated, 4)
            } else {
                at_block(Kind::Authentication, 4)
            }
        }
        Field::Signature => at_block(Kind::Authentication, 4),
    }
}

const SUITES: [AlgorithmSuite; 2] = [
    AlgorithmSuite::Aes256GcmHkdfSha512CommitKey,
    AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384,
];

#[tokio::test]
async fn the_untouched_message_decrypts_both_ways() {
    for suite in SUITES {
        let message = message(suite).await;
        assert_eq!(
            decryptor().decrypt(&message).await.unwrap().plaintext(),
            PLAINTEXT
        );
        for read_size in [1, 5, 16, 4096] {
            let (released, result) = stream(&message, read_size).await;
            result.unwrap();
            assert_eq!(released.as_deref(), Some(&PLAINTEXT[..]));
        }
    }
}

#[tokio::test]
async fn truncation_at_every_byte_fails_as_truncated_where_it_is_cut() {
    for suite in SUITES {
        let message = message(suite).await;
        let layout = layout(&message);
        for len in 0..message.len() {
            let what = format!("{suite} truncated to {len} of {}", message.len());
            let expected = if len < layout.header_len {
                at_header(Kind::Truncated)
            } else {
                at_block(Kind::Truncated, frames_before(&layout, len))
            };
            assert_fails(&message[..len], expected, &what).await;
        }
    }
}

#[tokio::test]
async fn a_flipped_bit_at_every_byte_fails_as_its_field_implies() {
    for suite in SUITES {
        let message = message(suite).await;
        let layout = layout(&message);
        let fields = fields(&message, &layout);
        for (offset, &field) in fields.iter().enumerate() {
            let mut altered = message.clone();
            altered[offset] ^= 1 << (offset % 8);
            let what = format!(
                "{suite} bit flipped at {offset} of {} ({field:?})",
                message.len()
            );
            let expected = expected_for(field, &altered, offset, &layout);
            assert_fails(&altered, expected, &what).await;
        }
    }
}

fn frame(message: &[u8], layout: &Layout, index: usize) -> Vec<u8> {
    let end = if index == 3 {
        layout.body_end
    } else {
        layout.frames[index + 1]
    };
    message[layout.frames[index]..end].to_vec()
}

/// The message rebuilt from the header, the given frames and the rest after the body.
fn rebuild(message: &[u8], layout: &Layout, frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = message[..layout.header_len].to_vec();
    for frame in frames {
        out.extend_from_slice(frame);
    }
    out.extend_from_slice(&message[layout.body_end..]);
    out
}

#[tokio::test]
async fn frames_swapped_dropped_or_duplicated_fail_at_the_first_frame_out_of_place() {
    for suite in SUITES {
        let message = message(suite).await;
        let layout = layout(&message);
        let signed = suite.is_signed();
        let f: Vec<Vec<u8>> = (0..4).map(|i| frame(&message, &layout, i)).collect();
        let cases = [
            (
                "frames 1 and 2 swapped",
                vec![f[1].clone(), f[0].clone(), f[2].clone(), f[3].clone()],
                at_block(Kind::Malformed, 0),
            ),
            (
                "frames 2 and 3 swapped",
                vec![f[0].clone(), f[2].clone(), f[1].clone(), f[3].clone()],
                at_block(Kind::Malformed, 1),
            ),
            (
                "frame 2 dropped",
                vec![f[0].clone(), f[2].clone(), f[3].clone()],
                at_block(Kind::Malformed, 1),
            ),
            (
                // Without a footer the input ends where the final frame should start; with
                // one, the footer's first bytes read as a frame out of sequence.
                "final frame dropped",
                vec![f[0].clone(), f[1].clone(), f[2].clone()],
                at_block(
                    if signed {
                        Kind::Malformed
                    } else {
                        Kind::Truncated
                    },
                    3,
                ),
            ),
            (
                "frame 1 duplicated",
                vec![
                    f[0].clone(),
                    f[0].clone(),
                    f[1].clone(),
                    f[2].clone(),
                    f[3].clone(),
                ],
                at_block(Kind::Malformed, 1),
            ),
            (
                // Without a footer the copy follows the end of the message; with one, the
                // copy's marker reads as a signature length longer than what follows.
                "final frame duplicated",
                vec![
                    f[0].clone(),
                    f[1].clone(),
                    f[2].clone(),
                    f[3].clone(),
                    f[3].clone(),
                ],
                at_block(
                    if signed {
                        Kind::Truncated
                    } else {
                        Kind::TrailingData
                    },
                    4,
                ),
            ),
        ];
        for (what, frames, expected) in cases {
            let altered = rebuild(&message, &layout, &frames);
            assert_fails(&altered, expected, &format!("{suite} {what}")).await;
        }
    }
}

#[tokio::test]
async fn moving_the_final_frame_marker_fails() {
    for suite in SUITES {
        let message = message(suite).await;
        let layout = layout(&message);
        // Frame 2 rewritten as the final frame, the rest dropped: its additional data
        // names a final frame, so its tag fails.
        let second = frame(&message, &layout, 1);
        let mut as_final = vec![0xff, 0xff, 0xff, 0xff];
        as_final.extend_from_slice(&second[..16]);
        as_final.extend_from_slice(&(FRAME as u32).to_be_bytes());
        as_final.extend_from_slice(&second[16..]);
        let altered = rebuild(&message, &layout, &[frame(&message, &layout, 0), as_final]);
        assert_fails(
            &altered,
            at_block(Kind::Authentication, 1),
            &format!("{suite} final marker moved to frame 2"),
        )
        .await;

        // The final frame's marker replaced by its sequence number: it reads as a regular
        // frame of 16 bytes, longer than the final frame; without a footer the input ends
        // inside it, with one it takes in footer bytes and its tag fails.
        let mut unmarked = message.clone();
        unmarked[layout.frames[3]..layout.frames[3] + 4].copy_from_slice(&[0, 0, 0, 4]);
        let kind = if suite.is_signed() {
            Kind::Authentication
        } else {
            Kind::Truncated
        };
        assert_fails(
            &unmarked,
            at_block(kind, 3),
            &format!("{suite} final marker removed"),
        )
        .await;
    }
}

#[tokio::test]
async fn an_altered_commit_key_fails_authentication_at_the_header() {
    for suite in SUITES {
        let message = message(suite).await;
        let layout = layout(&message);
        // The commit key sits right before the 16-byte header tag.
        let commit_key = layout.header_len - 16 - 32;
        for offset in [commit_key, commit_key + 31] {
            let mut altered = message.clone();
            altered[offset] ^= 0x80;
            assert_fails(
                &altered,
                at_header(Kind::Authentication),
                &format!("{suite} commit key altered at {offset}"),
            )
            .await;
        }
    }
}

#[tokio::test]
async fn appended_bytes_fail_after_the_message() {
    for suite in SUITES {
        let message = message(suite).await;
        let layout = layout(&message);
        let extra_frame = frame(&message, &layout, 0);
        for tail in [vec![0u8], vec![0xff; 3], extra_frame, message.clone()] {
            let mut altered = message.clone();
            altered.extend_from_slice(&tail);
            // The reader releases the regular frames, then fails instead of ending; the
            // final frame is never released.
            assert_fails(
                &altered,
                at_block(Kind::TrailingData, 4),
                &format!("{suite} {} bytes appended", tail.len()),
            )
            .await;
        }
    }
}
