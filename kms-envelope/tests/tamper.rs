//! Tampering: every altered, truncated, reordered or extended message fails, through the
//! one-shot API and through the streaming reader, and the reader never releases plaintext of
//! a frame that did not verify (nor the last frame of a message that did not complete).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use kms_core::SecretBytes;
use kms_envelope::{AlgorithmSuite, Decryptor, Encryptor, Error, RawAesKeyring};
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

/// What the streaming reader releases before it stops, and how it stops.
async fn stream(message: &[u8], read_size: usize) -> (Vec<u8>, Result<(), Error>) {
    let mut released = Vec::new();
    let mut reader = match decryptor().decrypting_reader(message).await {
        Ok(reader) => reader,
        Err(err) => return (released, Err(err)),
    };
    let mut buf = vec![0u8; read_size];
    loop {
        match reader.read(&mut buf).await {
            Ok(0) => return (released, Ok(())),
            Ok(n) => released.extend_from_slice(&buf[..n]),
            Err(err) => return (released, Err(Error::from_io(err))),
        }
    }
}

/// Checks that `message` fails everywhere, and that the reader released at most the
/// plaintext of the first `max_frames` frames, as a prefix.
async fn assert_rejected(message: &[u8], max_frames: usize, what: &str) {
    let one_shot = decryptor().decrypt(message).await;
    assert!(one_shot.is_err(), "{what}: decrypted");
    for read_size in [5, 4096] {
        let (released, result) = stream(message, read_size).await;
        assert!(result.is_err(), "{what}: streamed to a clean end");
        assert!(
            released.len() <= max_frames.min(3) * FRAME,
            "{what}: released {} bytes",
            released.len()
        );
        assert_eq!(
            released,
            PLAINTEXT[..released.len()],
            "{what}: released wrong bytes"
        );
        assert_eq!(
            released.len() % FRAME,
            0,
            "{what}: released part of a frame"
        );
    }
}

/// The number of whole frames before `offset`.
fn frames_before(layout: &Layout, offset: usize) -> usize {
    layout.frames[..3]
        .iter()
        .filter(|&&start| start + 4 + 12 + FRAME + 16 <= offset)
        .count()
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
            assert_eq!(released, PLAINTEXT);
        }
    }
}

#[tokio::test]
async fn truncation_at_every_byte_fails() {
    for suite in SUITES {
        let message = message(suite).await;
        let layout = layout(&message);
        for len in 0..message.len() {
            let what = format!("{suite} truncated to {len} of {}", message.len());
            assert_rejected(&message[..len], frames_before(&layout, len), &what).await;
        }
    }
}

#[tokio::test]
async fn a_flipped_bit_at_every_byte_fails() {
    for suite in SUITES {
        let message = message(suite).await;
        let layout = layout(&message);
        for offset in 0..message.len() {
            let mut altered = message.clone();
            altered[offset] ^= 1 << (offset % 8);
            let what = format!("{suite} bit flipped at {offset} of {}", message.len());
            assert_rejected(&altered, frames_before(&layout, offset), &what).await;
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
async fn frames_swapped_dropped_or_duplicated_fail() {
    for suite in SUITES {
        let message = message(suite).await;
        let layout = layout(&message);
        let f: Vec<Vec<u8>> = (0..4).map(|i| frame(&message, &layout, i)).collect();
        let cases = [
            (
                "frames 1 and 2 swapped",
                vec![f[1].clone(), f[0].clone(), f[2].clone(), f[3].clone()],
                0,
            ),
            (
                "frames 2 and 3 swapped",
                vec![f[0].clone(), f[2].clone(), f[1].clone(), f[3].clone()],
                1,
            ),
            (
                "frame 2 dropped",
                vec![f[0].clone(), f[2].clone(), f[3].clone()],
                1,
            ),
            (
                "final frame dropped",
                vec![f[0].clone(), f[1].clone(), f[2].clone()],
                3,
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
                1,
            ),
            (
                "final frame duplicated",
                vec![
                    f[0].clone(),
                    f[1].clone(),
                    f[2].clone(),
                    f[3].clone(),
                    f[3].clone(),
                ],
                3,
            ),
        ];
        for (what, frames, max_frames) in cases {
            let altered = rebuild(&message, &layout, &frames);
            assert_rejected(&altered, max_frames, &format!("{suite} {what}")).await;
        }
    }
}

#[tokio::test]
async fn moving_the_final_frame_marker_fails() {
    for suite in SUITES {
        let message = message(suite).await;
        let layout = layout(&message);
        // Frame 2 rewritten as the final frame, the rest dropped.
        let second = frame(&message, &layout, 1);
        let mut as_final = vec![0xff, 0xff, 0xff, 0xff];
        as_final.extend_from_slice(&second[..16]);
        as_final.extend_from_slice(&(FRAME as u32).to_be_bytes());
        as_final.extend_from_slice(&second[16..]);
        let altered = rebuild(&message, &layout, &[frame(&message, &layout, 0), as_final]);
        assert_rejected(
            &altered,
            1,
            &format!("{suite} final marker moved to frame 2"),
        )
        .await;

        // The final frame's marker removed: it reads as a regular frame.
        let mut unmarked = message.clone();
        unmarked[layout.frames[3]..layout.frames[3] + 4].copy_from_slice(&[0, 0, 0, 4]);
        assert_rejected(&unmarked, 3, &format!("{suite} final marker removed")).await;
    }
}

#[tokio::test]
async fn an_altered_commit_key_fails_authentication() {
    for suite in SUITES {
        let message = message(suite).await;
        let layout = layout(&message);
        // The commit key sits right before the 16-byte header tag.
        let commit_key = layout.header_len - 16 - 32;
        for offset in [commit_key, commit_key + 31] {
            let mut altered = message.clone();
            altered[offset] ^= 0x80;
            let err = decryptor().decrypt(&altered).await.err();
            assert!(matches!(err, Some(Error::Authentication)), "{err:?}");
            assert_rejected(&altered, 0, "commit key altered").await;
        }
    }
}

#[tokio::test]
async fn appended_bytes_fail() {
    for suite in SUITES {
        let message = message(suite).await;
        let layout = layout(&message);
        let extra_frame = frame(&message, &layout, 0);
        for tail in [vec![0u8], vec![0xff; 3], extra_frame, message.clone()] {
            let mut altered = message.clone();
            altered.extend_from_slice(&tail);
            let err = decryptor().decrypt(&altered).await.err();
            assert!(matches!(err, Some(Error::TrailingData)), "{err:?}");
            // The reader releases the regular frames, then fails instead of ending; the
            // final frame is never released.
            assert_rejected(
                &altered,
                3,
                &format!("{suite} {} bytes appended", tail.len()),
            )
            .await;
        }
    }
}
