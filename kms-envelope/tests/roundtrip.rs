//! Round trips over random inputs (proptest) and the behaviour of the API: options, limits,
//! required context, keyrings over a KMS, the streaming adapters.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt, stream};
use kms_core::{DecryptRequest, EncryptionContext, KeyId, Kms, KmsExt, SecretBytes};
use kms_envelope::{
    AlgorithmSuite, DecryptLimits, Decryptor, DiscoveryFilter, Encryptor, Error, Keyring,
    KmsDiscoveryKeyring, KmsKeyring, MultiKeyring, RawAesKeyring, RawRsaKeyring, RsaPadding,
};
use kms_local::LocalKms;
use proptest::prelude::*;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

fn aes(bytes: usize) -> Arc<dyn Keyring> {
    Arc::new(
        RawAesKeyring::new(
            "test",
            format!("aes-{bytes}"),
            SecretBytes::from(vec![9; bytes]),
        )
        .unwrap(),
    )
}

fn rsa() -> Arc<dyn Keyring> {
    let keys: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/esdk/v4-Net-4.0.1/keys.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let pem = keys["keys"]["rsa-4096-private"]["material"]
        .as_str()
        .unwrap();
    Arc::new(
        RawRsaKeyring::new("test", "rsa", RsaPadding::OaepSha256)
            .unwrap()
            .with_private_key_pem(pem)
            .unwrap(),
    )
}

/// A LocalKms with two keys, and a keyring that generates under one and wraps under both.
async fn kms_keyring() -> (Arc<dyn Kms>, KmsKeyring, [KeyId; 2]) {
    let kms: Arc<dyn Kms> = Arc::new(LocalKms::new());
    let mut keys = Vec::new();
    for name in ["generator", "additional"] {
        let metadata = kms.create_symmetric_key(name).await.unwrap();
        keys.push(KeyId::parse(&metadata.arn.unwrap()).unwrap());
    }
    let keyring =
        KmsKeyring::new(kms.clone(), keys[0].clone()).with_additional_key(keys[1].clone());
    (kms, keyring, [keys[0].clone(), keys[1].clone()])
}

/// Every keyring kind: raw AES of three sizes, raw RSA, KMS over LocalKms, and a multi-keyring.
async fn keyring(index: usize) -> Arc<dyn Keyring> {
    match index % 6 {
        0 => aes(16),
        1 => aes(24),
        2 => aes(32),
        3 => rsa(),
        4 => Arc::new(kms_keyring().await.1),
        _ => Arc::new(MultiKeyring::new(Some(Arc::new(kms_keyring().await.1))).with_child(aes(32))),
    }
}

/// Writes `data` through the encrypting writer in pieces of the given sizes.
async fn write_in_pieces(encryptor: &Encryptor, data: &[u8], splits: &[usize]) -> Vec<u8> {
    let mut writer = encryptor.encrypting_writer(Vec::new()).await.unwrap();
    let mut rest = data;
    let mut sizes = splits.iter().cycle();
    while !rest.is_empty() {
        let size = (*sizes.next().unwrap_or(&1)).clamp(1, rest.len());
        writer.write_all(&rest[..size]).await.unwrap();
        rest = &rest[size..];
    }
    writer.shutdown().await.unwrap();
    writer.get_ref().clone()
}

/// Reads the plaintext through the decrypting reader with reads of the given sizes.
async fn read_in_pieces(decryptor: &Decryptor, message: &[u8], splits: &[usize]) -> Vec<u8> {
    let mut reader = decryptor.decrypting_reader(message).await.unwrap();
    let mut out = Vec::new();
    let mut sizes = splits.iter().cycle();
    loop {
        let mut buf = vec![0u8; (*sizes.next().unwrap_or(&7)).max(1)];
        let read = reader.read(&mut buf).await.unwrap();
        if read == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..read]);
    }
}

fn contexts() -> impl Strategy<Value = EncryptionContext> {
    proptest::collection::btree_map("[a-zA-Z0-9:_-]{1,12}", "\\PC{0,16}", 0..4)
        .prop_map(EncryptionContext::from)
}

fn sizes(frame: usize) -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(0),
        Just(1),
        Just(frame - 1),
        Just(frame),
        Just(frame + 1),
        Just(3 * frame + 7),
        0..2000usize,
    ]
}

fn case() -> impl Strategy<
    Value = (
        u32,
        usize,
        EncryptionContext,
        Vec<usize>,
        Vec<usize>,
        bool,
        usize,
    ),
> {
    (2u32..300).prop_flat_map(|frame| {
        (
            Just(frame),
            sizes(frame as usize),
            contexts(),
            proptest::collection::vec(1usize..700, 1..6),
            proptest::collection::vec(1usize..700, 1..6),
            any::<bool>(),
            0usize..6,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn round_trips((frame, size, context, writes, reads, signed, keyring_index) in case()) {
        block_on(async {
            let plaintext: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
            let suite = if signed {
                AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384
            } else {
                AlgorithmSuite::Aes256GcmHkdfSha512CommitKey
            };
            let keyring = keyring(keyring_index).await;
            let encryptor = Encryptor::new(keyring.clone())
                .with_frame_length(frame)
                .with_suite(suite)
                .with_encryption_context(context.clone());
            let decryptor = Decryptor::new(keyring).with_required_encryption_context(context.clone());

            let one_shot = encryptor.encrypt(&plaintext).await.unwrap();
            let streamed = write_in_pieces(&encryptor, &plaintext, &writes).await;
            // The writer holds a full frame back, so both forms have the same layout (a
            // signature's DER length varies by a byte or two).
            if !signed {
                assert_eq!(one_shot.len(), streamed.len());
            }
            for message in [&one_shot, &streamed] {
                let decrypted = decryptor.decrypt(message).await.unwrap();
                assert_eq!(decrypted.plaintext(), &plaintext[..]);
                assert_eq!(decrypted.header().suite(), suite);
                assert_eq!(decrypted.header().frame_length(), frame);
                for (key, value) in context.iter() {
                    assert_eq!(decrypted.encryption_context().get(key), Some(value));
                }
                assert_eq!(
                    decrypted.encryption_context().len(),
                    context.len() + usize::from(signed)
                );
                assert_eq!(read_in_pieces(&decryptor, message, &reads).await, plaintext);
            }
        });
    }
}

#[tokio::test]
async fn boundary_sizes_round_trip_through_every_form() {
    let frame = 64usize;
    let keyring = aes(32);
    for suite in [
        AlgorithmSuite::Aes256GcmHkdfSha512CommitKey,
        AlgorithmSuite::Aes256GcmHkdfSha512CommitKeyEcdsaP384,
    ] {
        let encryptor = Encryptor::new(keyring.clone())
            .with_frame_length(frame as u32)
            .with_suite(suite);
        let decryptor = Decryptor::new(keyring.clone());
        for size in [0, 1, frame - 1, frame, frame + 1, 3 * frame, 3 * frame + 7] {
            let plaintext = vec![0xA5u8; size];
            // Stream form in, copy helper out.
            let chunks: Vec<io::Result<Bytes>> = plaintext
                .chunks(10)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            let message: Vec<Bytes> = encryptor
                .encrypt_stream(stream::iter(chunks))
                .await
                .unwrap()
                .try_collect()
                .await
                .unwrap();
            let message = message.concat();
            let mut out = Vec::new();
            let (count, header) = decryptor.copy(&mut &message[..], &mut out).await.unwrap();
            assert_eq!(
                (count as usize, out.as_slice()),
                (size, plaintext.as_slice())
            );
            assert_eq!(header.suite(), suite);
            // Copy helper in, stream form out.
            let mut message = Vec::new();
            let count = encryptor
                .copy(&mut &plaintext[..], &mut message)
                .await
                .unwrap();
            assert_eq!(count as usize, size);
            let pieces = stream::iter(
                message
                    .chunks(13)
                    .map(|c| Ok::<_, io::Error>(Bytes::copy_from_slice(c)))
                    .collect::<Vec<_>>(),
            );
            let decrypted: Vec<Bytes> = decryptor
                .decrypt_stream(pieces)
                .await
                .unwrap()
                .try_collect()
                .await
                .unwrap();
            assert_eq!(decrypted.concat(), plaintext);
            // Exact multiples end with a full final frame, not an empty one.
            if !suite.is_signed() && size > 0 {
                let frames = size.div_ceil(frame);
                let last = size - (frames - 1) * frame;
                let body = (frames - 1) * (frame + 32) + last + 40;
                let header = Encryptor::new(keyring.clone())
                    .encrypt(b"")
                    .await
                    .unwrap()
                    .len()
                    - 40;
                assert_eq!(message.len(), header + body, "size {size}");
            }
        }
    }
}

#[tokio::test]
async fn reserved_context_keys_and_bad_frame_lengths_are_refused() {
    let keyring = aes(32);
    let reserved = Encryptor::new(keyring.clone())
        .with_encryption_context(EncryptionContext::from([("aws-crypto-public-key", "x")]));
    assert!(matches!(
        reserved.encrypt(b"x").await,
        Err(Error::InvalidArgument { .. })
    ));
    for frame in [0, 1 << 31, u32::MAX] {
        let bad = Encryptor::new(keyring.clone()).with_frame_length(frame);
        assert!(
            matches!(bad.encrypt(b"x").await, Err(Error::InvalidArgument { .. })),
            "{frame}"
        );
    }
    let largest = Encryptor::new(keyring.clone()).with_frame_length((1 << 31) - 1);
    let message = largest.encrypt(b"x").await.unwrap();
    let limits = DecryptLimits::default().with_max_frame_length(u64::from(u32::MAX));
    let decrypted = Decryptor::new(keyring.clone())
        .with_limits(limits)
        .decrypt(&message)
        .await;
    assert_eq!(decrypted.unwrap().plaintext(), b"x");
    let legacy = Encryptor::new(keyring).with_suite(AlgorithmSuite::Aes256GcmHkdfSha256);
    assert!(matches!(
        legacy.encrypt(b"x").await,
        Err(Error::CommitmentPolicy { .. })
    ));
}

#[tokio::test]
async fn each_decrypt_limit_is_a_clear_error() {
    let a = aes(32);
    let multi = Arc::new(
        MultiKeyring::new(Some(a.clone()))
            .with_child(aes(16))
            .with_child(aes(24)),
    );
    let message = Encryptor::new(multi)
        .with_frame_length(4096)
        .encrypt(&[1; 100])
        .await
        .unwrap();
    let cases = [
        (
            DecryptLimits::default().with_max_encrypted_data_keys(2),
            "the number of encrypted data keys",
        ),
        (
            DecryptLimits::default().with_max_header_size(100),
            "the header size",
        ),
        (
            DecryptLimits::default().with_max_frame_length(1024),
            "the frame length",
        ),
    ];
    for (limits, expected) in cases {
        let decryptor = Decryptor::new(a.clone()).with_limits(limits);
        match decryptor.decrypt(&message).await {
            Err(Error::LimitExceeded { what, .. }) => assert_eq!(what, expected),
            other => panic!("{expected}: {other:?}"),
        }
        match decryptor.decrypting_reader(&message[..]).await {
            Err(Error::LimitExceeded { what, .. }) => assert_eq!(what, expected),
            other => panic!("{expected}: {other:?}"),
        }
    }
    let within = DecryptLimits::default().with_max_encrypted_data_keys(3);
    let decrypted = Decryptor::new(a)
        .with_limits(within)
        .decrypt(&message)
        .await
        .unwrap();
    assert_eq!(decrypted.header().encrypted_data_keys().len(), 3);
}

#[tokio::test]
async fn required_context_pairs_must_be_present_and_equal() {
    let keyring = aes(32);
    let context = EncryptionContext::from([("tenant", "t1"), ("app", "a")]);
    let message = Encryptor::new(keyring.clone())
        .with_encryption_context(context.clone())
        .encrypt(b"data")
        .await
        .unwrap();
    let ok = Decryptor::new(keyring.clone())
        .with_required_encryption_context(EncryptionContext::from([("tenant", "t1")]));
    let decrypted = ok.decrypt(&message).await.unwrap();
    assert_eq!(decrypted.encryption_context(), &context);
    for required in [[("tenant", "t2")], [("missing", "x")]] {
        let decryptor = Decryptor::new(keyring.clone())
            .with_required_encryption_context(EncryptionContext::from(required));
        let err = decryptor.decrypt(&message).await.err();
        assert!(
            matches!(err, Some(Error::ContextMismatch { .. })),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn a_pair_the_message_does_not_store_fails_where_it_is_checked() {
    let context = EncryptionContext::from([("tenant", "t1")]);
    let required = EncryptionContext::from([("missing", "x")]);
    // The raw AES keyring binds the context to the data key: it cannot unwrap it with the
    // supplied pair, and the pair is named.
    let aes_message = Encryptor::new(aes(32))
        .with_encryption_context(context.clone())
        .encrypt(b"data")
        .await
        .unwrap();
    let err = Decryptor::new(aes(32))
        .with_required_encryption_context(required.clone())
        .decrypt(&aes_message)
        .await
        .err();
    assert!(
        matches!(&err, Some(Error::ContextMismatch { reason }) if reason.contains("`missing`")),
        "{err:?}"
    );
    // Raw RSA does not bind it: the data key unwraps, and the header, authenticated with
    // the supplied pair, fails authentication.
    let rsa_message = Encryptor::new(rsa())
        .with_encryption_context(context)
        .encrypt(b"data")
        .await
        .unwrap();
    let err = Decryptor::new(rsa())
        .with_required_encryption_context(required)
        .decrypt(&rsa_message)
        .await
        .err();
    assert!(matches!(err, Some(Error::Authentication)), "{err:?}");
}

#[tokio::test]
async fn the_kms_keyring_binds_the_context_and_tries_only_its_keys() {
    let (kms, keyring, [generator, additional]) = kms_keyring().await;
    let context = EncryptionContext::from([("purpose", "test")]);
    let message = Encryptor::new(Arc::new(keyring))
        .with_encryption_context(context.clone())
        .encrypt(b"secret")
        .await
        .unwrap();
    let header = Decryptor::new(aes(32))
        .decrypting_reader(&message[..])
        .await
        .err();
    assert!(matches!(header, Some(Error::NoDataKey { .. })));

    // One encrypted data key per KMS key, provider `aws-kms`, provider info the key ARN.
    let only_additional = Arc::new(KmsKeyring::new(kms.clone(), additional.clone()));
    let decrypted = Decryptor::new(only_additional)
        .decrypt(&message)
        .await
        .unwrap();
    assert_eq!(decrypted.plaintext(), b"secret");
    let edks = decrypted.header().encrypted_data_keys();
    assert_eq!(edks.len(), 2);
    for (edk, key) in edks.iter().zip([&generator, &additional]) {
        assert_eq!(edk.provider_id(), "aws-kms");
        assert_eq!(edk.provider_info(), key.as_str().as_bytes());
        // KMS bound the message's context to the wrapped key.
        let without = kms
            .decrypt(DecryptRequest::new(edk.ciphertext().to_vec()))
            .await;
        assert!(without.is_err());
        let with = kms
            .decrypt(
                DecryptRequest::new(edk.ciphertext().to_vec())
                    .with_encryption_context(context.clone()),
            )
            .await
            .unwrap();
        assert_eq!(with.plaintext.len(), 32);
    }

    // A key the keyring is not configured with is never tried.
    let stranger = kms.create_symmetric_key("stranger").await.unwrap();
    let other = Arc::new(KmsKeyring::new(
        kms.clone(),
        KeyId::parse(&stranger.arn.unwrap()).unwrap(),
    ));
    let err = Decryptor::new(other).decrypt(&message).await.err();
    assert!(matches!(err, Some(Error::NoDataKey { failures }) if failures.is_empty()));

    // A bare key id names the key too.
    let bare = KeyId::parse(generator.key_id().unwrap()).unwrap();
    let by_id = Arc::new(KmsKeyring::new(kms, bare));
    assert_eq!(
        Decryptor::new(by_id)
            .decrypt(&message)
            .await
            .unwrap()
            .plaintext(),
        b"secret"
    );
}

#[tokio::test]
async fn a_writer_dropped_without_shutdown_leaves_a_message_that_fails() {
    let keyring = aes(32);
    let mut output = Vec::new();
    {
        let mut writer = Encryptor::new(keyring.clone())
            .with_frame_length(16)
            .encrypting_writer(&mut output)
            .await
            .unwrap();
        writer.write_all(&[5; 100]).await.unwrap();
        writer.flush().await.unwrap();
    }
    assert!(!output.is_empty());
    let err = Decryptor::new(keyring.clone()).decrypt(&output).await.err();
    assert!(matches!(err, Some(Error::Truncated)), "{err:?}");
    let mut reader = Decryptor::new(keyring)
        .decrypting_reader(&output[..])
        .await
        .unwrap();
    let mut sink = Vec::new();
    let err = reader.read_to_end(&mut sink).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    assert!(sink.len() < 100);
}

#[tokio::test]
async fn a_finished_writer_refuses_more_data() {
    let mut writer = Encryptor::new(aes(32))
        .encrypting_writer(Vec::new())
        .await
        .unwrap();
    writer.write_all(b"abc").await.unwrap();
    writer.shutdown().await.unwrap();
    let err = writer.write_all(b"more").await.unwrap_err();
    assert!(matches!(Error::from_io(err), Error::WriterClosed(_)));
}

/// A writer that accepts one byte at a time and is not ready every other call.
#[derive(Default)]
struct Trickle {
    data: Vec<u8>,
    ready: bool,
}

impl AsyncWrite for Trickle {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.ready = !self.ready;
        if !self.ready {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        match buf.first() {
            Some(byte) => {
                self.data.push(*byte);
                Poll::Ready(Ok(1))
            }
            None => Poll::Ready(Ok(0)),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A reader that yields one byte at a time and is not ready every other call.
struct Drip<'a> {
    data: &'a [u8],
    ready: bool,
}

impl AsyncRead for Drip<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.ready = !self.ready;
        if !self.ready {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if let Some((first, rest)) = self.data.split_first() {
            buf.put_slice(&[*first]);
            self.data = rest;
        }
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn slow_peers_work_with_tokio_copy() {
    let keyring = aes(32);
    let plaintext: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
    let encryptor = Encryptor::new(keyring.clone()).with_frame_length(100);
    // tokio::io::copy fails with WriteZero if poll_write ever returns Ok(0).
    let mut writer = encryptor
        .encrypting_writer(Trickle::default())
        .await
        .unwrap();
    tokio::io::copy(&mut &plaintext[..], &mut writer)
        .await
        .unwrap();
    writer.shutdown().await.unwrap();
    let message = writer.get_ref().data.clone();

    let reader = Drip {
        data: &message,
        ready: false,
    };
    let mut decrypting = Decryptor::new(keyring)
        .decrypting_reader(reader)
        .await
        .unwrap();
    let mut out = Vec::new();
    tokio::io::copy(&mut decrypting, &mut out).await.unwrap();
    assert_eq!(out, plaintext);
}

#[tokio::test]
async fn hostile_or_foreign_input_gets_a_clear_error() {
    let decryptor = Decryptor::new(aes(32));
    assert!(matches!(
        decryptor.decrypt(b"").await,
        Err(Error::Truncated)
    ));
    let message = Encryptor::new(aes(32)).encrypt(b"x").await.unwrap();
    let base64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &message);
    match decryptor.decrypt(base64.as_bytes()).await {
        Err(Error::Unsupported { reason }) => assert!(reason.contains("base64"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // A stream whose input fails ends with that error.
    let failing = stream::iter([Ok(Bytes::from_static(b"ab")), Err(io::Error::other("disk"))]);
    let mut encrypted = Encryptor::new(aes(32))
        .encrypt_stream(failing)
        .await
        .unwrap();
    let mut items = Vec::new();
    while let Some(item) = encrypted.next().await {
        items.push(item);
    }
    assert!(matches!(items.last(), Some(Err(Error::Io(_)))));
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    let keyring = RawAesKeyring::new("ns", "k", SecretBytes::from(vec![0x41; 32])).unwrap();
    let shown = format!("{keyring:?}");
    assert!(!shown.contains("65") && !shown.contains("AAAA"), "{shown}");
    let keyring: Arc<dyn Keyring> = Arc::new(keyring);
    let message = Encryptor::new(keyring.clone())
        .encrypt(b"TOPSECRET")
        .await
        .unwrap();
    let decrypted = Decryptor::new(keyring).decrypt(&message).await.unwrap();
    let shown = format!("{decrypted:?}");
    assert!(
        shown.contains("REDACTED; 9 bytes") && !shown.contains("TOPSECRET"),
        "{shown}"
    );
}

#[tokio::test]
async fn every_rsa_padding_round_trips_and_a_public_key_alone_cannot_decrypt() {
    let keys: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/esdk/v4-Net-4.0.1/keys.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let private = keys["keys"]["rsa-4096-private"]["material"]
        .as_str()
        .unwrap();
    let public = keys["keys"]["rsa-4096-public"]["material"]
        .as_str()
        .unwrap();
    for padding in [
        RsaPadding::Pkcs1,
        RsaPadding::OaepSha1,
        RsaPadding::OaepSha256,
        RsaPadding::OaepSha384,
        RsaPadding::OaepSha512,
    ] {
        let encrypt_only = RawRsaKeyring::new("ns", "rsa", padding)
            .unwrap()
            .with_public_key_pem(public)
            .unwrap();
        let full = RawRsaKeyring::new("ns", "rsa", padding)
            .unwrap()
            .with_private_key_pem(private)
            .unwrap();
        let message = Encryptor::new(Arc::new(encrypt_only.clone()))
            .encrypt(b"rsa")
            .await
            .unwrap();
        let decrypted = Decryptor::new(Arc::new(full))
            .decrypt(&message)
            .await
            .unwrap();
        assert_eq!(decrypted.plaintext(), b"rsa", "{padding:?}");
        let err = Decryptor::new(Arc::new(encrypt_only))
            .decrypt(&message)
            .await
            .err();
        assert!(matches!(err, Some(Error::NoDataKey { .. })), "{padding:?}");
    }
    // The wrong padding fails to unwrap.
    let oaep = RawRsaKeyring::new("ns", "rsa", RsaPadding::OaepSha256)
        .unwrap()
        .with_private_key_pem(private)
        .unwrap();
    let pkcs1 = RawRsaKeyring::new("ns", "rsa", RsaPadding::Pkcs1)
        .unwrap()
        .with_private_key_pem(private)
        .unwrap();
    let message = Encryptor::new(Arc::new(oaep)).encrypt(b"x").await.unwrap();
    let err = Decryptor::new(Arc::new(pkcs1))
        .decrypt(&message)
        .await
        .err();
    assert!(matches!(err, Some(Error::NoDataKey { failures }) if failures.len() == 1));
}

/// A KMS that forwards to LocalKms but claims another key decrypted.
#[derive(Debug)]
struct LyingKms(LocalKms);

impl std::fmt::Display for LyingKms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LyingKms")
    }
}

/// Only what a KMS keyring calls; every other operation keeps the trait's default
/// ("not implemented").
#[async_trait::async_trait]
impl Kms for LyingKms {
    async fn generate_data_key(
        &self,
        request: kms_core::GenerateDataKeyRequest,
    ) -> kms_core::Result<kms_core::GenerateDataKeyResponse> {
        self.0.generate_data_key(request).await
    }

    async fn encrypt(
        &self,
        request: kms_core::EncryptRequest,
    ) -> kms_core::Result<kms_core::EncryptResponse> {
        self.0.encrypt(request).await
    }

    async fn decrypt(
        &self,
        request: DecryptRequest,
    ) -> kms_core::Result<kms_core::DecryptResponse> {
        let mut response = self.0.decrypt(request).await?;
        response.key_id = response.key_id.replace(":key/", ":key/0");
        Ok(response)
    }
}

#[tokio::test]
async fn the_kms_must_answer_with_the_key_in_the_message() {
    let local = LocalKms::new();
    let key = local.create_symmetric_key("k").await.unwrap();
    let key = KeyId::parse(&key.arn.unwrap()).unwrap();
    let honest = Arc::new(KmsKeyring::new(Arc::new(local.clone()), key.clone()));
    let message = Encryptor::new(honest.clone()).encrypt(b"x").await.unwrap();
    assert_eq!(
        Decryptor::new(honest)
            .decrypt(&message)
            .await
            .unwrap()
            .plaintext(),
        b"x"
    );
    let lying = Arc::new(KmsKeyring::new(Arc::new(LyingKms(local)), key));
    let err = Decryptor::new(lying).decrypt(&message).await.err();
    assert!(
        matches!(&err, Some(Error::NoDataKey { failures })
            if matches!(failures.as_slice(), [kms_core::Error::IncorrectKey { .. }])),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_into_forms_overwrite_a_reused_buffer() {
    let keyring = aes(32);
    let encryptor = Encryptor::new(keyring.clone()).with_frame_length(100);
    let decryptor = Decryptor::new(keyring);
    let mut message = vec![0xEE; 5000];
    let mut plaintext = vec![0xDD; 7000];
    for size in [3000, 10, 0, 250, 4000] {
        let data: Vec<u8> = (0..size).map(|i| (i % 7) as u8).collect();
        encryptor.encrypt_into(&data, &mut message).await.unwrap();
        assert_eq!(
            decryptor.decrypt(&message).await.unwrap().plaintext(),
            &data[..]
        );
        decryptor
            .decrypt_into(&message, &mut plaintext)
            .await
            .unwrap();
        assert_eq!(plaintext, data);
    }
    message.push(0);
    assert!(
        decryptor
            .decrypt_into(&message, &mut plaintext)
            .await
            .is_err()
    );
    assert!(plaintext.is_empty());
}

#[tokio::test]
async fn a_discovery_keyring_decrypts_with_whichever_key_the_message_names() {
    let (kms, keyring, [generator, _]) = kms_keyring().await;
    let context = EncryptionContext::from([("purpose", "discovery")]);
    let message = Encryptor::new(Arc::new(keyring))
        .with_encryption_context(context)
        .encrypt(b"for whoever holds a key")
        .await
        .unwrap();
    let decrypt = |keyring: KmsDiscoveryKeyring| {
        let message = message.clone();
        async move { Decryptor::new(Arc::new(keyring)).decrypt(&message).await }
    };

    let decrypted = decrypt(KmsDiscoveryKeyring::new(kms.clone()))
        .await
        .unwrap();
    assert_eq!(decrypted.plaintext(), b"for whoever holds a key");
    let ours = DiscoveryFilter::new("aws", ["444455556666", "111122223333"]);
    let filtered = KmsDiscoveryKeyring::new(kms.clone()).with_filter(ours);
    assert!(decrypt(filtered).await.is_ok());

    // The first key the message names is disabled: the next one decrypts.
    kms.disable_key(kms_core::DisableKeyRequest::new(generator))
        .await
        .unwrap();
    assert!(decrypt(KmsDiscoveryKeyring::new(kms.clone())).await.is_ok());

    // Keys outside the filter are never tried: no KMS call, no failure to report.
    for filter in [
        DiscoveryFilter::new("aws", ["444455556666"]),
        DiscoveryFilter::new("aws-cn", ["111122223333"]),
    ] {
        let err = decrypt(KmsDiscoveryKeyring::new(kms.clone()).with_filter(filter))
            .await
            .err();
        assert!(
            matches!(&err, Some(Error::NoDataKey { failures }) if failures.is_empty()),
            "{err:?}"
        );
    }

    // Another account's KMS holds none of the keys: each attempt fails, and says why.
    let elsewhere: Arc<dyn Kms> = Arc::new(
        LocalKms::builder()
            .account_id("444455556666")
            .build()
            .unwrap(),
    );
    let err = decrypt(KmsDiscoveryKeyring::new(elsewhere)).await.err();
    assert!(
        matches!(&err, Some(Error::NoDataKey { failures }) if failures.len() == 2),
        "{err:?}"
    );

    let err = Encryptor::new(Arc::new(KmsDiscoveryKeyring::new(kms)))
        .encrypt(b"x")
        .await
        .err();
    assert!(
        matches!(&err, Some(Error::InvalidArgument { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_discovery_keyring_checks_the_key_the_kms_answers_with() {
    let local = LocalKms::new();
    let key = local.create_symmetric_key("k").await.unwrap();
    let key = KeyId::parse(&key.arn.unwrap()).unwrap();
    let producer = Arc::new(KmsKeyring::new(Arc::new(local.clone()), key));
    let message = Encryptor::new(producer).encrypt(b"x").await.unwrap();
    let lying = Arc::new(KmsDiscoveryKeyring::new(Arc::new(LyingKms(local))));
    let err = Decryptor::new(lying).decrypt(&message).await.err();
    assert!(
        matches!(&err, Some(Error::NoDataKey { failures })
            if matches!(failures.as_slice(), [kms_core::Error::IncorrectKey { .. }])),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_kms_keyring_after_a_generator_wraps_under_each_of_its_keys() {
    let (kms, keyring, [generator, additional]) = kms_keyring().await;
    let multi = MultiKeyring::new(Some(aes(32))).with_child(Arc::new(keyring));
    let message = Encryptor::new(Arc::new(multi))
        .encrypt(b"wrapped three times")
        .await
        .unwrap();
    for key in [generator, additional] {
        let alone = Arc::new(KmsKeyring::new(kms.clone(), key));
        let decrypted = Decryptor::new(alone).decrypt(&message).await.unwrap();
        assert_eq!(decrypted.plaintext(), b"wrapped three times");
        let providers: Vec<_> = decrypted
            .header()
            .encrypted_data_keys()
            .iter()
            .map(|edk| edk.provider_id().to_owned())
            .collect();
        assert_eq!(providers, ["test", "aws-kms", "aws-kms"]);
    }
}
