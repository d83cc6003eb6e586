//! Throughput of envelope encryption against bare AES-256-GCM, measured in the same run.
//!
//! 64 MiB of plaintext in 64 KiB frames, suite 0x0478, one thread:
//! - `baseline/seal` and `baseline/open`: aws-lc-rs AES-256-GCM alone over the same 1024
//!   frames, from an input buffer into a reused output buffer;
//! - `baseline/seal_fresh` and `baseline/open_fresh`: the same into a new output vector each
//!   time, as a function that returns its output must (the first write to each page of a
//!   new 64 MiB allocation is a page fault, which on a VM can cost more than the AES);
//! - `one_shot/encrypt_into` and `one_shot/decrypt_into`: the one-shot API overwriting a
//!   reused output vector (compare with `baseline/seal` and `baseline/open`);
//!   `one_shot/encrypt` and `one_shot/decrypt` return a new one each time (compare with the
//!   `_fresh` baselines; `decrypt` also wipes the 64 MiB of plaintext when it is dropped,
//!   which `one_shot/decrypt_unwiped` leaves to the caller through `into_plaintext`);
//! - `streaming/writer` and `streaming/reader`: the async writer into a reused in-memory
//!   buffer (256 KiB writes), and the async reader from memory (256 KiB reads).
//!
//! Run with `cargo bench -p kms-envelope`; compare each figure with its baseline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kms_core::SecretBytes;
use kms_envelope::{Decryptor, Encryptor, RawAesKeyring};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SIZE: usize = 64 * 1024 * 1024;
const FRAME: usize = 64 * 1024;
const CHUNK: usize = 256 * 1024;

fn nonce(seq: usize) -> Nonce {
    let mut iv = [0u8; 12];
    iv[8..].copy_from_slice(&(seq as u32).to_be_bytes());
    Nonce::assume_unique_for_key(iv)
}

/// Bare AES-256-GCM: seals each frame of `plaintext` into the same place of `sealed`.
fn seal_frames(key: &LessSafeKey, plaintext: &[u8], sealed: &mut [u8], tags: &mut [[u8; 16]]) {
    for (i, ((input, output), tag)) in plaintext
        .chunks_exact(FRAME)
        .zip(sealed.chunks_exact_mut(FRAME))
        .zip(tags.iter_mut())
        .enumerate()
    {
        key.seal_out_of_place_scatter(nonce(i), Aad::empty(), input, output, &[], tag)
            .unwrap();
    }
}

/// Bare AES-256-GCM: opens each frame of `sealed` into the same place of `opened`.
fn open_frames(key: &LessSafeKey, sealed: &[u8], tags: &[[u8; 16]], opened: &mut [u8]) {
    for (i, ((input, output), tag)) in sealed
        .chunks_exact(FRAME)
        .zip(opened.chunks_exact_mut(FRAME))
        .zip(tags.iter())
        .enumerate()
    {
        key.open_separate_gather(nonce(i), Aad::empty(), input, tag, output)
            .unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let plaintext: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
    let frames = SIZE / FRAME;

    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[7; 32]).unwrap());
    let mut sealed = vec![0u8; SIZE];
    let mut tags = vec![[0u8; 16]; frames];
    let mut opened = vec![0u8; SIZE];

    let keyring =
        Arc::new(RawAesKeyring::new("bench", "key", SecretBytes::from(vec![7; 32])).unwrap());
    let encryptor = Encryptor::new(keyring.clone()).with_frame_length(FRAME as u32);
    let decryptor = Decryptor::new(keyring);
    let message = runtime.block_on(encryptor.encrypt(&plaintext)).unwrap();
    let mut out = Vec::with_capacity(message.len());

    let mut group = c.benchmark_group("64MiB_in_64KiB_frames");
    group.throughput(Throughput::Bytes(SIZE as u64));
    group.sample_size(10);
    group.warm_up_time(std::time::Duration::from_secs(1));
    group.measurement_time(std::time::Duration::from_secs(4));

    group.bench_function("baseline/seal", |b| {
        b.iter(|| {
            seal_frames(&key, &plaintext, &mut sealed, &mut tags);
        });
    });
    group.bench_function("baseline/open", |b| {
        b.iter(|| {
            open_frames(&key, &sealed, &tags, &mut opened);
        });
    });
    group.bench_function("baseline/seal_fresh", |b| {
        b.iter(|| {
            let mut fresh = vec![0u8; SIZE];
            seal_frames(&key, &plaintext, &mut fresh, &mut tags);
            fresh
        });
    });
    group.bench_function("baseline/open_fresh", |b| {
        b.iter(|| {
            let mut fresh = vec![0u8; SIZE];
            open_frames(&key, &sealed, &tags, &mut fresh);
            fresh
        });
    });
    group.bench_function("one_shot/encrypt_into", |b| {
        b.iter(|| {
            runtime
                .block_on(encryptor.encrypt_into(&plaintext, &mut out))
                .unwrap();
        });
    });
    group.bench_function("one_shot/decrypt_into", |b| {
        b.iter(|| {
            runtime
                .block_on(decryptor.decrypt_into(&message, &mut out))
                .unwrap();
        });
    });
    group.bench_function("one_shot/encrypt", |b| {
        b.iter(|| runtime.block_on(encryptor.encrypt(&plaintext)).unwrap());
    });
    group.bench_function("one_shot/decrypt", |b| {
        b.iter(|| runtime.block_on(decryptor.decrypt(&message)).unwrap());
    });
    group.bench_function("one_shot/decrypt_unwiped", |b| {
        b.iter(|| {
            runtime
                .block_on(decryptor.decrypt(&message))
                .unwrap()
                .into_plaintext()
        });
    });
    group.bench_function("streaming/writer", |b| {
        b.iter(|| {
            out.clear();
            runtime.block_on(async {
                let mut writer = encryptor.encrypting_writer(&mut out).await.unwrap();
                for chunk in plaintext.chunks(CHUNK) {
                    writer.write_all(chunk).await.unwrap();
                }
                writer.shutdown().await.unwrap();
            });
        });
    });
    let mut buf = vec![0u8; CHUNK];
    group.bench_function("streaming/reader", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let mut reader = decryptor.decrypting_reader(&message[..]).await.unwrap();
                let mut total = 0;
                loop {
                    let read = reader.read(&mut buf).await.unwrap();
                    if read == 0 {
                        break;
                    }
                    total += read;
                }
                assert_eq!(total, SIZE);
            });
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
