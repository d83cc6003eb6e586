//! Frames sealed and opened on several threads: every API path round-trips whatever the
//! number of threads on either side, and a bad frame releases exactly the frames before it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use bytes::Bytes;
use futures_util::{TryStreamExt, stream};
use kms_core::SecretBytes;
use kms_envelope::{AlgorithmSuite, Decryptor, Encryptor, Error, RawAesKeyring};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The overhead of a regular frame: sequence number, IV and tag.
const REGULAR_OVERHEAD: usize = 4 + 12 + 16;
/// The overhead of the final frame: marker, sequence number, IV, length and tag.
const FINAL_OVERHEAD: usize = 4 + 4 + 12 + 4 + 16;

fn keyring() -> Arc<RawAesKeyring> {
    Arc::new(RawAesKeyring::new("ns", "threads", SecretBytes::from(vec![0x42; 32])).unwrap())
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 253) as u8).collect()
}

fn encryptor(frame_length: usize, threads: usize) -> Encryptor {
    Encryptor::new(keyring())
        .with_frame_length(frame_length as u32)
        .with_threads(threads)
}

fn decryptor(threads: usize) -> Decryptor {
    Decryptor::new(keyring()).with_threads(threads)
}

/// Every way of encrypting, on `threads` threads.
async fn messages(
    plaintext: &[u8],
    frame_length: usize,
    threads: usize,
) -> Vec<(&'static str, Vec<u8>)> {
    let encryptor = encryptor(frame_length, threads);
    let one_shot = encryptor.encrypt(plaintext).await.unwrap();

    let mut writer = encryptor.encrypting_writer(Vec::new()).await.unwrap();
    for piece in plaintext.chunks(100_003) {
        writer.write_all(piece).await.unwrap();
    }
    let written = writer.finish().await.unwrap();

    let chunks = plaintext
        .chunks(77_777)
        .map(|chunk| Ok::<_, std::io::Error>(Bytes::copy_from_slice(chunk)))
        .collect::<Vec<_>>();
    let streamed: Vec<Bytes> = encryptor
        .encrypt_stream(stream::iter(chunks))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();

    let mut copied = Vec::new();
    let total = encryptor
        .copy(&mut &plaintext[..], &mut copied)
        .await
        .unwrap();
    assert_eq!(total, plaintext.len() as u64);

    vec![
        ("one-shot", one_shot),
        ("writer", written),
        ("stream", streamed.concat()),
        ("copy", copied),
    ]
}

/// Every way of decrypting, on `threads` threads.
async fn decrypt_all_ways(message: &[u8], threads: usize) -> Vec<(&'static str, Vec<u8>)> {
    let decryptor = decryptor(threads);
    let one_shot = decryptor.decrypt(message).await.unwrap().into_plaintext();

    let mut read = Vec::new();
    decryptor
        .decrypting_reader(message)
        .await
        .unwrap()
        .read_to_end(&mut read)
        .await
        .unwrap();

    let chunks = message
        .chunks(50_001)
        .map(|chunk| Ok::<_, std::io::Error>(Bytes::copy_from_slice(chunk)))
        .collect::<Vec<_>>();
    let streamed: Vec<Bytes> = decryptor
        .decrypt_stream(stream::iter(chunks))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();

    let mut copied = Vec::new();
    decryptor
        .copy(&mut &message[..], &mut copied)
        .await
        .unwrap();

    vec![
        ("one-shot", one_shot),
        ("reader", read),
        ("stream", streamed.concat()),
        ("copy", copied),
    ]
}

#[tokio::test]
async fn every_path_round_trips_whatever_the_threads_on_either_side() {
    // 1.25 MiB and a bit in 16 KiB frames: enough for five threads to take a part each.
    let plaintext = data(5 * 256 * 1024 + 3);
    for (sealing, opening) in [(1, 8), (8, 1), (3, 5)] {
        for (how, message) in messages(&plaintext, 16 * 1024, sealing).await {
            for (way, decrypted) in decrypt_all_ways(&message, opening).await {
                assert!(
                    decrypted == plaintext,
                    "encrypted by {how} on {sealing} threads, decrypted by {way} on {opening}"
                );
            }
        }
    }
}

#[tokio::test]
async fn signed_messages_round_trip_on_several_threads() {
    let plaintext = data(1024 * 1024 + 5);
    let message = encryptor(65536, 4)
        .with_suite(AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384)
        .encrypt(&plaintext)
        .await
        .unwrap();
    for threads in [1, 3] {
        for (way, decrypted) in decrypt_all_ways(&message, threads).await {
            assert!(decrypted == plaintext, "{way} on {threads} threads");
        }
    }
}

#[tokio::test]
async fn small_and_empty_messages_round_trip_on_many_threads() {
    for len in [0, 1, 4095, 4096, 4097, 40_000] {
        let plaintext = data(len);
        for (how, message) in messages(&plaintext, 4096, 8).await {
            for (way, decrypted) in decrypt_all_ways(&message, 8).await {
                assert!(decrypted == plaintext, "{len} bytes, {how} then {way}");
            }
        }
    }
}

/// Reads the message on `threads` threads with reads of `read_size`; returns what was
/// released and how it ended.
async fn release(message: &[u8], threads: usize, read_size: usize) -> (Vec<u8>, Result<(), Error>) {
    let mut reader = decryptor(threads).decrypting_reader(message).await.unwrap();
    let mut released = Vec::new();
    let mut buf = vec![0u8; read_size];
    loop {
        match reader.read(&mut buf).await {
            Ok(0) => return (released, Ok(())),
            Ok(n) => released.extend_from_slice(&buf[..n]),
            Err(err) => return (released, Err(Error::from_io(err))),
        }
    }
}

#[tokio::test]
async fn a_bad_frame_releases_exactly_the_frames_before_it() {
    const FRAME: usize = 8 * 1024;
    const REGULAR: usize = 128;
    let last = 1000;
    let plaintext = data(REGULAR * FRAME + last);
    let message = encryptor(FRAME, 4).encrypt(&plaintext).await.unwrap();
    let body_len = REGULAR * (FRAME + REGULAR_OVERHEAD) + FINAL_OVERHEAD + last;
    let header_len = message.len() - body_len;
    // A byte of ciphertext of frame `k` (the final frame is frame REGULAR).
    let in_frame = |k: usize| header_len + k * (FRAME + REGULAR_OVERHEAD) + 30 + k % 7;

    for bad in [
        vec![0],
        vec![1],
        vec![37],
        vec![64, 100],
        vec![127],
        vec![REGULAR],
    ] {
        let mut tampered = message.clone();
        for &k in &bad {
            tampered[in_frame(k)] ^= 0x04;
        }
        let first = bad[0];
        for threads in [1, 3, 8] {
            let one_shot = decryptor(threads).decrypt(&tampered).await;
            assert!(
                matches!(one_shot, Err(Error::Authentication)),
                "frames {bad:?}, {threads} threads: {one_shot:?}"
            );
            // Small reads go through the reader's buffer; large ones take whole batches.
            for read_size in [50_000, 4 * 1024 * 1024] {
                let (released, result) = release(&tampered, threads, read_size).await;
                assert!(
                    matches!(result, Err(Error::Authentication)),
                    "frames {bad:?}, {threads} threads, reads of {read_size}: {result:?}"
                );
                assert!(
                    released == plaintext[..first * FRAME],
                    "frames {bad:?}, {threads} threads, reads of {read_size}: released {} bytes, \
                     expected exactly the {first} frames before the first bad one",
                    released.len()
                );
            }
        }
    }
}

#[tokio::test]
async fn a_flush_writes_every_frame_but_the_last() {
    let plaintext = data(10_000);
    let encryptor = encryptor(1024, 2);
    let mut writer = encryptor.encrypting_writer(Vec::new()).await.unwrap();
    writer.write_all(&plaintext).await.unwrap();
    writer.flush().await.unwrap();
    let flushed = writer.get_ref().len();
    let message = writer.finish().await.unwrap();
    // 9 regular frames, then a final frame of 784 bytes that only `finish` writes.
    assert_eq!(message.len() - flushed, FINAL_OVERHEAD + 784);
    let decrypted = decryptor(1).decrypt(&message).await.unwrap();
    assert!(decrypted.plaintext() == plaintext);
}

#[tokio::test]
async fn zero_threads_is_a_clear_error() {
    let err = encryptor(4096, 0).encrypt(b"x").await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument { message } if message.contains("threads")),
        "{err:?}"
    );
    let message = encryptor(4096, 1).encrypt(b"x").await.unwrap();
    let err = decryptor(0).decrypt(&message).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument { message } if message.contains("threads")),
        "{err:?}"
    );
    assert!(decryptor(0).decrypting_reader(&message[..]).await.is_err());
}

/// A writer that counts the writes it is given.
#[derive(Default)]
struct CountingWriter {
    bytes: Vec<u8>,
    writes: usize,
}

impl tokio::io::AsyncWrite for CountingWriter {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        this.writes += 1;
        this.bytes.extend_from_slice(buf);
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn copy_moves_the_plaintext_in_frames_not_in_bytes() {
    // Several batches of 64 KiB frames: the copy's buffer must stay at least a frame long
    // once it has grown (a one-byte buffer once made this a write per byte).
    let plaintext = data(8 << 20);
    let frames = plaintext.len() / 65_536;
    for threads in [1, 2] {
        let message = encryptor(65_536, threads)
            .encrypt(&plaintext)
            .await
            .unwrap();
        let mut sink = CountingWriter::default();
        let (size, _) = decryptor(threads)
            .copy(&mut &message[..], &mut sink)
            .await
            .unwrap();
        assert_eq!(size, plaintext.len() as u64);
        assert!(
            sink.bytes == plaintext,
            "{threads} thread(s): the copy differs"
        );
        assert!(
            sink.writes <= frames + 1,
            "{threads} thread(s): {} writes for {frames} frames",
            sink.writes
        );
    }
}
