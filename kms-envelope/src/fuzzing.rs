//! The entry point the fuzz target `envelope_decrypt` and its corpus replay drive, with the
//! property it must hold. It exists for fuzzing and for the corpus replay test, never for
//! users: it may change or go at any time.

// A failed property is a panic: that is what the fuzzer reports.
#![allow(clippy::panic)]

use std::sync::Arc;

use kms_core::SecretBytes;
use tokio::io::AsyncReadExt as _;

use crate::{CommitmentPolicy, Decryptor, RawAesKeyring};

/// The raw AES key the harness decrypts with: `fuzz/seeds.sh` encrypts the corpus's
/// messages under it, with key namespace `fuzz` and key name `key`.
pub const KEY: [u8; 32] = [7; 32];

/// Decryption of any bytes as a message, with the commitment policy that requires key
/// commitment and with the one that allows legacy suites.
#[derive(Debug)]
pub struct DecryptHarness {
    strict: Decryptor,
    legacy: Decryptor,
}

impl Default for DecryptHarness {
    fn default() -> Self {
        Self::new()
    }
}

impl DecryptHarness {
    /// The harness.
    ///
    /// # Panics
    ///
    /// Never: the key is a constant of a valid length.
    pub fn new() -> Self {
        let keyring = Arc::new(
            RawAesKeyring::new("fuzz", "key", SecretBytes::from(&KEY))
                .unwrap_or_else(|err| panic!("the harness's keyring: {err}")),
        );
        Self {
            strict: Decryptor::new(keyring.clone()),
            legacy: Decryptor::new(keyring)
                .with_commitment_policy(CommitmentPolicy::RequireEncryptAllowDecrypt),
        }
    }

    /// Decrypts `data` after its first byte (the read size of the streaming decryptor, and
    /// the buffer size of the reader `copy_to_sink` reads) with both policies, one-shot,
    /// streaming and through `copy_to_sink`, and checks that the three ways agree: all fail,
    /// or all return the same plaintext. Returns whether a policy decrypted it.
    ///
    /// # Panics
    ///
    /// When a property does not hold: that is the finding the fuzzer reports.
    pub async fn check(&self, data: &[u8]) -> bool {
        let Some((&chunk, message)) = data.split_first() else {
            return false;
        };
        let mut decrypted = false;
        for decryptor in [&self.strict, &self.legacy] {
            let chunk = usize::from(chunk).max(1);
            let one_shot = decryptor.decrypt(message).await;
            let streamed = streamed(decryptor, message, chunk).await;
            let copied = copied(decryptor, message, chunk).await;
            match (one_shot, streamed, copied) {
                (Ok(one_shot), Ok(streamed), Ok(copied)) => {
                    assert!(
                        one_shot.plaintext() == streamed.as_slice(),
                        "one-shot and streaming decryption return different plaintexts"
                    );
                    assert!(
                        one_shot.plaintext() == copied.as_slice(),
                        "one-shot decryption and copy_to_sink return different plaintexts"
                    );
                    decrypted = true;
                }
                (Err(_), Err(_), Err(_)) => {}
                (one_shot, streamed, copied) => panic!(
                    "one-shot {:?} but streaming {:?} and copy_to_sink {:?}",
                    one_shot.map(|_| "ok"),
                    streamed.map(|_| "ok"),
                    copied.map(|_| "ok")
                ),
            }
        }
        decrypted
    }
}

/// Decrypts through the streaming reader, reading `chunk` bytes at a time.
async fn streamed(
    decryptor: &Decryptor,
    message: &[u8],
    chunk: usize,
) -> Result<zeroize::Zeroizing<Vec<u8>>, Box<dyn std::error::Error>> {
    let mut reader = decryptor.decrypting_reader(message).await?;
    let mut buf = zeroize::Zeroizing::new(vec![0u8; chunk]);
    let mut plaintext = zeroize::Zeroizing::new(Vec::new());
    loop {
        let read = reader.read(&mut buf).await?;
        if read == 0 {
            return Ok(plaintext);
        }
        plaintext.extend_from_slice(&buf[..read]);
    }
}

/// Decrypts through [`Decryptor::copy_to_sink`], from a reader whose buffer holds `chunk`
/// bytes (so frames are split across buffers), into a sink that collects the buffers.
async fn copied(
    decryptor: &Decryptor,
    message: &[u8],
    chunk: usize,
) -> Result<zeroize::Zeroizing<Vec<u8>>, Box<dyn std::error::Error>> {
    let mut reader = tokio::io::BufReader::with_capacity(chunk, message);
    let mut sink = Collected::default();
    decryptor.copy_to_sink(&mut reader, &mut sink).await?;
    Ok(sink.0)
}

/// A sink that appends every buffer it is given.
#[derive(Default)]
struct Collected(zeroize::Zeroizing<Vec<u8>>);

impl crate::BufferSink for Collected {
    fn poll_send(
        &mut self,
        _: &mut std::task::Context<'_>,
        buffer: &mut Vec<u8>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.0.extend_from_slice(buffer);
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_flush(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}
