//! `copy_to_sink`: messages sealed straight from a buffered reader and opened into whole
//! buffers handed to a sink, whatever the sizes of the reader's buffers; decryption sends
//! only authenticated frames, the last one only once the message is complete.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use kms_core::SecretBytes;
use kms_envelope::{AlgorithmSuite, BufferSink, Decryptor, Encryptor, Error, RawAesKeyring};
use tokio::io::{AsyncBufRead, AsyncRead, AsyncWriteExt, BufReader, ReadBuf};

/// The overhead of a regular frame: sequence number, IV and tag.
const REGULAR_OVERHEAD: usize = 4 + 12 + 16;
/// The overhead of the final frame: marker, sequence number, IV, length and tag.
const FINAL_OVERHEAD: usize = 4 + 4 + 12 + 4 + 16;

fn keyring() -> Arc<RawAesKeyring> {
    Arc::new(RawAesKeyring::new("ns", "sink", SecretBytes::from(vec![0x17; 32])).unwrap())
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 13 % 251) as u8).collect()
}

/// An `AsyncBufRead` over `data` whose buffers are the pieces `sizes` cut in turn, failing
/// with "disk on fire" after `fail_after` bytes when set.
struct Pieces {
    data: Vec<u8>,
    pos: usize,
    piece_end: usize,
    sizes: Vec<usize>,
    next: usize,
    fail_after: Option<usize>,
}

impl Pieces {
    fn new(data: &[u8], sizes: &[usize]) -> Self {
        Self {
            data: data.to_vec(),
            pos: 0,
            piece_end: 0,
            sizes: sizes.to_vec(),
            next: 0,
            fail_after: None,
        }
    }
}

impl AsyncRead for Pieces {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        panic!("the copies read through the buffer");
    }
}

impl AsyncBufRead for Pieces {
    fn poll_fill_buf(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.pos >= this.piece_end {
            if this.fail_after.is_some_and(|after| this.pos >= after) {
                return Poll::Ready(Err(io::Error::other("disk on fire")));
            }
            let size = this.sizes[this.next % this.sizes.len()];
            this.next += 1;
            let end = this.fail_after.unwrap_or(usize::MAX).min(this.data.len());
            this.piece_end = (this.pos + size).min(end);
        }
        Poll::Ready(Ok(&this.data[this.pos..this.piece_end]))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        assert!(this.pos + amt <= this.piece_end, "consumed past the buffer");
        this.pos += amt;
    }
}

/// Collects what it is sent (shared, to be watched while a copy runs), handing back
/// buffers of odd lengths full of garbage that the copy must overwrite; fails every send
/// after `fail_after` sends when set.
#[derive(Clone, Default)]
struct Collect {
    sent: Arc<Mutex<Vec<u8>>>,
    sends: usize,
    fail_after: Option<usize>,
}

impl Collect {
    fn bytes(&self) -> Vec<u8> {
        self.sent.lock().unwrap().clone()
    }
}

impl BufferSink for Collect {
    fn poll_send(&mut self, _: &mut Context<'_>, buffer: &mut Vec<u8>) -> Poll<io::Result<()>> {
        if self.fail_after.is_some_and(|after| self.sends >= after) {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "no space left",
            )));
        }
        self.sent.lock().unwrap().extend_from_slice(buffer);
        self.sends += 1;
        *buffer = vec![0xAA; self.sends * 7919 % 200_000];
        Poll::Ready(Ok(()))
    }

    fn poll_flush(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

async fn encrypt_to_sink(encryptor: &Encryptor, plaintext: &[u8], sizes: &[usize]) -> Vec<u8> {
    let mut sink = Collect::default();
    let total = encryptor
        .copy_to_sink(&mut Pieces::new(plaintext, sizes), &mut sink)
        .await
        .unwrap();
    assert_eq!(total, plaintext.len() as u64);
    sink.bytes()
}

/// Decrypts through `copy_to_sink`; returns what was sent and how it ended.
async fn decrypt_to_sink(
    message: &[u8],
    threads: usize,
    sizes: &[usize],
) -> (Vec<u8>, Result<u64, Error>) {
    let mut sink = Collect::default();
    let result = Decryptor::new(keyring())
        .with_threads(threads)
        .copy_to_sink(&mut Pieces::new(message, sizes), &mut sink)
        .await
        .map(|(total, _)| total);
    (sink.bytes(), result)
}

const PIECES: [&[usize]; 7] = [
    &[1],
    &[7, 4096],
    &[4095],
    &[4096],
    &[4097],
    &[100_003],
    &[5000, 3, 70_000, 1 << 20],
];

#[tokio::test]
async fn messages_round_trip_whatever_the_buffers() {
    for len in [0, 1, 4095, 4096, 4097, 3 * 4096 + 5, 300_000] {
        let plaintext = data(len);
        for threads in [1, 3] {
            let encryptor = Encryptor::new(keyring())
                .with_frame_length(4096)
                .with_threads(threads);
            let one_shot = encryptor.encrypt(&plaintext).await.unwrap();
            for sizes in PIECES {
                let message = encrypt_to_sink(&encryptor, &plaintext, sizes).await;
                // The same frames as a one-shot encryption (with another data key).
                assert_eq!(
                    message.len(),
                    one_shot.len(),
                    "{len} bytes, pieces {sizes:?}"
                );
                let decrypted = Decryptor::new(keyring()).decrypt(&message).await.unwrap();
                assert!(
                    decrypted.plaintext() == plaintext,
                    "{len} bytes, pieces {sizes:?}"
                );
                let (opened, result) = decrypt_to_sink(&one_shot, threads, sizes).await;
                assert_eq!(result.unwrap(), len as u64, "{len} bytes, pieces {sizes:?}");
                assert!(opened == plaintext, "{len} bytes, pieces {sizes:?}");
            }
        }
    }
}

#[tokio::test]
async fn signed_messages_round_trip() {
    let plaintext = data(200_000);
    let encryptor = Encryptor::new(keyring())
        .with_frame_length(4096)
        .with_suite(AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384);
    for sizes in PIECES {
        let message = encrypt_to_sink(&encryptor, &plaintext, sizes).await;
        let (opened, result) = decrypt_to_sink(&message, 2, sizes).await;
        assert_eq!(result.unwrap(), plaintext.len() as u64, "pieces {sizes:?}");
        assert!(opened == plaintext, "pieces {sizes:?}");
    }
}

#[tokio::test]
async fn a_bad_frame_stops_the_copy_with_only_authenticated_frames_sent() {
    const FRAME: usize = 8 * 1024;
    const REGULAR: usize = 64;
    let plaintext = data(REGULAR * FRAME + 1000);
    let message = Encryptor::new(keyring())
        .with_frame_length(FRAME as u32)
        .encrypt(&plaintext)
        .await
        .unwrap();
    let body_len = REGULAR * (FRAME + REGULAR_OVERHEAD) + FINAL_OVERHEAD + 1000;
    let header_len = message.len() - body_len;
    for bad in [0, 1, 30, REGULAR - 1, REGULAR] {
        let mut tampered = message.clone();
        tampered[header_len + bad * (FRAME + REGULAR_OVERHEAD) + 40] ^= 1;
        for threads in [1, 4] {
            for sizes in [&[50_000][..], &[1 << 20], &[FRAME + 3]] {
                let (sent, result) = decrypt_to_sink(&tampered, threads, sizes).await;
                assert!(
                    matches!(result, Err(Error::Authentication)),
                    "frame {bad}, {threads} threads, pieces {sizes:?}: {result:?}"
                );
                assert!(
                    sent.len() <= bad * FRAME && sent == plaintext[..sent.len()],
                    "frame {bad}, {threads} threads, pieces {sizes:?}: sent {} bytes",
                    sent.len()
                );
            }
        }
    }
}

#[tokio::test]
async fn the_last_frame_is_sent_only_once_the_message_is_complete() {
    let plaintext = data(10 * 4096 + 123);
    let regular = 10 * 4096;
    let message = Encryptor::new(keyring())
        .with_frame_length(4096)
        .encrypt(&plaintext)
        .await
        .unwrap();
    let signed = Encryptor::new(keyring())
        .with_frame_length(4096)
        .with_suite(AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384)
        .encrypt(&plaintext)
        .await
        .unwrap();
    let mut bad_signature = signed.clone();
    let last = bad_signature.len() - 1;
    bad_signature[last] ^= 1;
    let cases: [(&str, Vec<u8>); 4] = [
        ("truncated", message[..message.len() - 1].to_vec()),
        ("trailing byte", [&message[..], &[0]].concat()),
        ("signature cut off", signed[..signed.len() - 10].to_vec()),
        ("bad signature", bad_signature),
    ];
    for (what, broken) in cases {
        for sizes in PIECES {
            let (sent, result) = decrypt_to_sink(&broken, 2, sizes).await;
            assert!(result.is_err(), "{what}, pieces {sizes:?}: {result:?}");
            assert!(
                sent.len() <= regular && sent == plaintext[..sent.len()],
                "{what}, pieces {sizes:?}: sent {} bytes",
                sent.len()
            );
        }
    }
    let (_, truncated) = decrypt_to_sink(&message[..message.len() - 1], 1, &[4096]).await;
    assert!(matches!(truncated, Err(Error::Truncated)), "{truncated:?}");
    let trailing = [&message[..], &[0]].concat();
    let (_, trailing) = decrypt_to_sink(&trailing, 1, &[1 << 20]).await;
    assert!(matches!(trailing, Err(Error::TrailingData)), "{trailing:?}");
}

#[tokio::test]
async fn a_read_error_fails_the_encryption() {
    let plaintext = data(100_000);
    let encryptor = Encryptor::new(keyring()).with_frame_length(4096);
    let mut reader = Pieces::new(&plaintext, &[10_000]);
    reader.fail_after = Some(50_000);
    let err = encryptor
        .copy_to_sink(&mut reader, &mut Collect::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Io(io) if io.to_string() == "disk on fire"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_sink_error_fails_the_copy() {
    let plaintext = data(3 << 20);
    let encryptor = Encryptor::new(keyring()).with_frame_length(4096);
    let mut sink = Collect {
        fail_after: Some(1),
        ..Collect::default()
    };
    let err = encryptor
        .copy_to_sink(&mut Pieces::new(&plaintext, &[1 << 20]), &mut sink)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Io(io) if io.kind() == io::ErrorKind::StorageFull),
        "{err:?}"
    );

    let message = encryptor.encrypt(&plaintext).await.unwrap();
    let mut sink = Collect {
        fail_after: Some(1),
        ..Collect::default()
    };
    let err = Decryptor::new(keyring())
        .copy_to_sink(&mut Pieces::new(&message, &[1 << 20]), &mut sink)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Io(io) if io.kind() == io::ErrorKind::StorageFull),
        "{err:?}"
    );
}

#[tokio::test]
async fn what_a_slow_source_has_produced_is_sent_without_waiting_for_more() {
    let plaintext = data(20 * 4096 + 7);
    let message = Encryptor::new(keyring())
        .with_frame_length(4096)
        .encrypt(&plaintext)
        .await
        .unwrap();
    let header_len = message.len() - (20 * (4096 + REGULAR_OVERHEAD) + FINAL_OVERHEAD + 7);
    let (mut source, pipe) = tokio::io::duplex(1 << 20);
    let sink = Collect::default();
    let watched = sink.clone();
    let copy = tokio::spawn(async move {
        let mut reader = BufReader::new(pipe);
        let mut sink = sink;
        Decryptor::new(keyring())
            .copy_to_sink(&mut reader, &mut sink)
            .await
    });
    // The header and three frames, then nothing for a while.
    let three = header_len + 3 * (4096 + REGULAR_OVERHEAD);
    source.write_all(&message[..three]).await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        while watched.bytes().len() < 3 * 4096 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the frames that arrived are sent while the source waits");
    assert!(watched.bytes() == plaintext[..3 * 4096]);
    source.write_all(&message[three..]).await.unwrap();
    drop(source);
    let (total, _) = copy.await.unwrap().unwrap();
    assert_eq!(total, plaintext.len() as u64);
    assert!(watched.bytes() == plaintext);
}
