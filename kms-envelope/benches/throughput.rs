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
//! The same on one thread and on two, over 256 MiB (group `256MiB_in_64KiB_frames`):
//! `baseline/seal/N` and `baseline/open/N` cut the frames into N contiguous parts, one per
//! thread, as the ceiling of `one_shot/encrypt_into/N` and `one_shot/decrypt_into/N` with
//! `with_threads(N)`.
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
const LARGE: usize = 256 * 1024 * 1024;

fn nonce(seq: usize) -> Nonce {
    let mut iv = [0u8; 12];
    iv[8..].copy_from_slice(&(seq as u32).to_be_bytes());
    Nonce::assume_unique_for_key(iv)
}

/// Bare AES-256-GCM: seals each frame of `plaintext` into the same place of `sealed`.
/// The first frame is number `first` (its IV).
fn seal_frames(
    key: &LessSafeKey,
    first: usize,
    plaintext: &[u8],
    sealed: &mut [u8],
    tags: &mut [[u8; 16]],
) {
    for (i, ((input, output), tag)) in plaintext
        .chunks_exact(FRAME)
        .zip(sealed.chunks_exact_mut(FRAME))
        .zip(tags.iter_mut())
        .enumerate()
    {
        key.seal_out_of_place_scatter(nonce(first + i), Aad::empty(), input, output, &[], tag)
            .unwrap();
    }
}

/// Bare AES-256-GCM: opens each frame of `sealed` into the same place of `opened`.
/// The first frame is number `first` (its IV).
fn open_frames(
    key: &LessSafeKey,
    first: usize,
    sealed: &[u8],
    tags: &[[u8; 16]],
    opened: &mut [u8],
) {
    for (i, ((input, output), tag)) in sealed
        .chunks_exact(FRAME)
        .zip(opened.chunks_exact_mut(FRAME))
        .zip(tags.iter())
        .enumerate()
    {
        key.open_separate_gather(nonce(first + i), Aad::empty(), input, tag, output)
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
    let encryptor = Encryptor::new(keyring.clone())
        .with_frame_length(FRAME as u32)
        .with_threads(1);
    let decryptor = Decryptor::new(keyring).with_threads(1);
    let message = runtime.block_on(encryptor.encrypt(&plaintext)).unwrap();
    let mut out = Vec::with_capacity(message.len());

    let mut group = c.benchmark_group("64MiB_in_64KiB_frames");
    group.throughput(Throughput::Bytes(SIZE as u64));
    group.sample_size(10);
    group.warm_up_time(std::time::Duration::from_secs(1));
    group.measurement_time(std::time::Duration::from_secs(4));

    group.bench_function("baseline/seal", |b| {
        b.iter(|| {
            seal_frames(&key, 0, &plaintext, &mut sealed, &mut tags);
        });
    });
    group.bench_function("baseline/open", |b| {
        b.iter(|| {
            open_frames(&key, 0, &sealed, &tags, &mut opened);
        });
    });
    group.bench_function("baseline/seal_fresh", |b| {
        b.iter(|| {
            let mut fresh = vec![0u8; SIZE];
            seal_frames(&key, 0, &plaintext, &mut fresh, &mut tags);
            fresh
        });
    });
    group.bench_function("baseline/open_fresh", |b| {
        b.iter(|| {
            let mut fresh = vec![0u8; SIZE];
            open_frames(&key, 0, &sealed, &tags, &mut fresh);
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

/// Bare AES-256-GCM on `threads` threads, each sealing a contiguous part of the frames.
fn seal_frames_on(
    threads: usize,
    key: &LessSafeKey,
    plaintext: &[u8],
    sealed: &mut [u8],
    tags: &mut [[u8; 16]],
) {
    let per_part = (plaintext.len() / FRAME).div_ceil(threads);
    std::thread::scope(|scope| {
        for (part, ((input, output), tags)) in plaintext
            .chunks(per_part * FRAME)
            .zip(sealed.chunks_mut(per_part * FRAME))
            .zip(tags.chunks_mut(per_part))
            .enumerate()
        {
            scope.spawn(move || seal_frames(key, part * per_part, input, output, tags));
        }
    });
}

/// Bare AES-256-GCM on `threads` threads, each opening a contiguous part of the frames.
fn open_frames_on(
    threads: usize,
    key: &LessSafeKey,
    sealed: &[u8],
    tags: &[[u8; 16]],
    opened: &mut [u8],
) {
    let per_part = (sealed.len() / FRAME).div_ceil(threads);
    std::thread::scope(|scope| {
        for (part, ((input, output), tags)) in sealed
            .chunks(per_part * FRAME)
            .zip(opened.chunks_mut(per_part * FRAME))
            .zip(tags.chunks(per_part))
            .enumerate()
        {
            scope.spawn(move || open_frames(key, part * per_part, input, tags, output));
        }
    });
}

/// One-shot encryption and decryption of 256 MiB on one and two threads, next to bare
/// AES-256-GCM on as many threads.
fn bench_threads(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let plaintext: Vec<u8> = (0..LARGE).map(|i| (i % 251) as u8).collect();
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[7; 32]).unwrap());
    let mut sealed = vec![0u8; LARGE];
    let mut tags = vec![[0u8; 16]; LARGE / FRAME];
    let keyring =
        Arc::new(RawAesKeyring::new("bench", "key", SecretBytes::from(vec![7; 32])).unwrap());
    let message = runtime
        .block_on(
            Encryptor::new(keyring.clone())
                .with_frame_length(FRAME as u32)
                .encrypt(&plaintext),
        )
        .unwrap();
    let mut out = Vec::with_capacity(message.len());
    seal_frames(&key, 0, &plaintext, &mut sealed, &mut tags);

    let mut group = c.benchmark_group("256MiB_in_64KiB_frames");
    group.throughput(Throughput::Bytes(LARGE as u64));
    group.sample_size(10);
    group.warm_up_time(std::time::Duration::from_secs(1));
    group.measurement_time(std::time::Duration::from_secs(6));
    for threads in [1, 2] {
        let encryptor = Encryptor::new(keyring.clone())
            .with_frame_length(FRAME as u32)
            .with_threads(threads);
        let decryptor = Decryptor::new(keyring.clone()).with_threads(threads);
        group.bench_function(format!("baseline/seal/{threads}"), |b| {
            b.iter(|| seal_frames_on(threads, &key, &plaintext, out_slice(&mut out), &mut tags));
        });
        group.bench_function(format!("one_shot/encrypt_into/{threads}"), |b| {
            b.iter(|| {
                runtime
                    .block_on(encryptor.encrypt_into(&plaintext, &mut out))
                    .unwrap();
            });
        });
        seal_frames(&key, 0, &plaintext, &mut sealed, &mut tags);
        group.bench_function(format!("baseline/open/{threads}"), |b| {
            b.iter(|| open_frames_on(threads, &key, &sealed, &tags, out_slice(&mut out)));
        });
        group.bench_function(format!("one_shot/decrypt_into/{threads}"), |b| {
            b.iter(|| {
                runtime
                    .block_on(decryptor.decrypt_into(&message, &mut out))
                    .unwrap();
            });
        });
    }
    group.finish();
}

/// The first 256 MiB of the reused output buffer, as the baselines write into it.
fn out_slice(out: &mut Vec<u8>) -> &mut [u8] {
    if out.len() < LARGE {
        out.resize(LARGE, 0);
    }
    &mut out[..LARGE]
}

criterion_group!(benches, bench, bench_threads);
criterion_main!(benches);
