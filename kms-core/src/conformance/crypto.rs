//! Checks of Encrypt, Decrypt and ReEncrypt: results, limits, encryption context, tampering
//! and the wrong key.

use super::capabilities::{Capabilities, Flag};
use super::messages::AwsMessage;
use super::support::{
    Expected, Key, Session, VALIDATION, decrypt, describe, encrypt, expect_err,
    incorrect_key_error, invalid_ciphertext, key_id, ok,
};
use crate::{
    CreateAliasRequest, DecryptRequest, EncryptRequest, EncryptionAlgorithmSpec, EncryptionContext,
    KeyId, Kms, ReEncryptRequest,
};

/// The largest ciphertext blob AWS accepts or returns.
const MAX_CIPHERTEXT: usize = 6144;

/// The algorithm every symmetric operation reports.
const SYMMETRIC: Option<EncryptionAlgorithmSpec> = Some(EncryptionAlgorithmSpec::SymmetricDefault);

/// Panics unless `algorithm` is `SYMMETRIC_DEFAULT`, as the flag
/// `returns_encryption_algorithm` covers.
async fn assert_algorithm(
    caps: &Capabilities,
    algorithm: Option<EncryptionAlgorithmSpec>,
    what: &str,
) {
    let reported = async {
        assert_eq!(algorithm, SYMMETRIC, "{what}: expected SYMMETRIC_DEFAULT");
    };
    caps.gate(Flag::ReturnsEncryptionAlgorithm, what, reported)
        .await;
}

/// Panics unless `material` is the current key material of `key`, as the flag
/// `reports_key_material_ids` covers.
async fn assert_current_material(
    kms: &dyn Kms,
    caps: &Capabilities,
    key: &Key,
    material: Option<&str>,
    what: &str,
) {
    let current = describe(kms, &key.by_id()).await.current_key_material_id;
    let reported = async {
        assert!(
            material.is_some(),
            "{what}: expected the key's CurrentKeyMaterialId, got none"
        );
        assert_eq!(
            material,
            current.as_deref(),
            "{what}: expected the key's CurrentKeyMaterialId"
        );
    };
    caps.gate(Flag::ReportsKeyMaterialIds, what, reported).await;
}

/// Creates an alias for `key`, returning its name.
async fn alias_for(kms: &dyn Kms, session: &mut Session<'_>, key: &Key) -> String {
    let name = session.alias_name("crypto");
    let request = CreateAliasRequest::new(name.as_str(), key.by_id());
    ok(kms.create_alias(request).await, "CreateAlias");
    name
}

/// Encrypt returns a ciphertext of at most 6144 bytes, the key ARN (whatever form named the
/// key) and the algorithm; Decrypt needs no key ID and returns the plaintext, the key ARN, the
/// algorithm and the key material ID.
pub async fn encrypt_decrypt(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let alias = alias_for(kms, &mut session, &key).await;
    let no_context = EncryptionContext::new();
    let plaintext = b"conformance plaintext";
    let mut blobs = Vec::new();
    for form in [
        key.id.clone(),
        key.arn.clone(),
        alias.clone(),
        key.alias_arn(&alias),
    ] {
        let response = encrypt(kms, &key_id(&form), plaintext, &no_context).await;
        let what = format!("Encrypt under {form}");
        assert_eq!(
            response.key_id, key.arn,
            "{what}: expected KeyId to be the key ARN"
        );
        let size = response.ciphertext_blob.len();
        assert!(
            (1..=MAX_CIPHERTEXT).contains(&size),
            "{what}: expected a ciphertext of 1 to {MAX_CIPHERTEXT} bytes, got {size}"
        );
        assert_algorithm(caps, response.encryption_algorithm, &what).await;
        blobs.push(response.ciphertext_blob);
    }
    assert_ne!(
        blobs[0], blobs[1],
        "Encrypt of the same plaintext twice: expected different ciphertexts"
    );

    let response = decrypt(kms, &blobs[0], &no_context, plaintext, "Decrypt").await;
    assert_eq!(
        response.key_id, key.arn,
        "Decrypt: expected KeyId to be the key ARN"
    );
    assert_algorithm(caps, response.encryption_algorithm, "Decrypt").await;
    let material = response.key_material_id.as_deref();
    assert_current_material(kms, caps, &key, material, "Decrypt: KeyMaterialId").await;
    session.finish().await;
}

/// Encrypt takes 1 to 4096 bytes of plaintext and refuses 0 and 4097 with AWS's messages,
/// which leave the sensitive value out.
pub async fn plaintext_size_limits(kms: &dyn Kms, _caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let no_context = EncryptionContext::new();
    for size in [1, 4096] {
        let plaintext = vec![0x5a; size];
        let blob = encrypt(kms, &key.by_id(), &plaintext, &no_context)
            .await
            .ciphertext_blob;
        let what = format!("Decrypt of {size} bytes");
        decrypt(kms, &blob, &no_context, &plaintext, &what).await;
    }
    // AWS's message for 4097 bytes is confirmed; for 0 bytes, the exception only.
    let cases = [
        (0, Expected::code(VALIDATION)),
        (
            4097,
            Expected::aws(AwsMessage::SensitiveTooLong, &["plaintext", "4096"]),
        ),
    ];
    for (size, expected) in cases {
        let request = EncryptRequest::new(key.by_id(), vec![0x5a; size]);
        expect_err(
            kms.encrypt(request).await,
            &format!("Encrypt of {size} bytes"),
            expected,
        );
    }
    session.finish().await;
}

/// Decrypt needs exactly the encryption context of Encrypt, in any order of pairs; a wrong
/// value, a missing or extra pair, or a key in another case gives `InvalidCiphertextException`
/// with an empty message.
pub async fn encryption_context(kms: &dyn Kms, _caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let context = EncryptionContext::from([("purpose", "test"), ("tenant", "t1")]);
    let plaintext = b"bound to a context";
    let blob = encrypt(kms, &key.by_id(), plaintext, &context)
        .await
        .ciphertext_blob;
    let reordered = EncryptionContext::from([("tenant", "t1"), ("purpose", "test")]);
    decrypt(
        kms,
        &blob,
        &reordered,
        plaintext,
        "Decrypt with the pairs in another order",
    )
    .await;

    let wrong = [
        ("a wrong value", vec![("purpose", "test"), ("tenant", "t2")]),
        (
            "a value in another case",
            vec![("purpose", "TEST"), ("tenant", "t1")],
        ),
        (
            "a key in another case",
            vec![("Purpose", "test"), ("tenant", "t1")],
        ),
        ("a missing pair", vec![("purpose", "test")]),
        ("no context", vec![]),
        (
            "an extra pair",
            vec![("purpose", "test"), ("tenant", "t1"), ("extra", "x")],
        ),
    ];
    for (what, pairs) in wrong {
        let request = DecryptRequest::new(blob.as_slice())
            .with_encryption_context(pairs.into_iter().collect::<EncryptionContext>());
        let what = format!("Decrypt with {what} in the encryption context");
        expect_err(kms.decrypt(request).await, &what, invalid_ciphertext());
    }

    let blob = encrypt(kms, &key.by_id(), plaintext, &EncryptionContext::new()).await;
    let request = DecryptRequest::new(blob.ciphertext_blob).with_encryption_context(context);
    let what = "Decrypt with a context of a ciphertext made without one";
    expect_err(kms.decrypt(request).await, what, invalid_ciphertext());
    session.finish().await;
}

/// A ciphertext with a flipped bit or cut short gives `InvalidCiphertextException`.
pub async fn tampered_ciphertext(kms: &dyn Kms, _caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session.key().await;
    let blob = encrypt(kms, &key.by_id(), b"tamper", &EncryptionContext::new())
        .await
        .ciphertext_blob;
    let mut flipped = blob.clone();
    if let Some(last) = flipped.last_mut() {
        *last ^= 0x01;
    }
    let cases = [
        ("a flipped bit in the last byte", flipped),
        ("the last byte cut off", blob[..blob.len() - 1].to_vec()),
        ("the second half cut off", blob[..blob.len() / 2].to_vec()),
    ];
    for (what, tampered) in cases {
        let result = kms.decrypt(DecryptRequest::new(tampered)).await;
        expect_err(
            result,
            &format!("Decrypt of a ciphertext with {what}"),
            invalid_ciphertext(),
        );
    }
    session.finish().await;
}

/// Decrypt refuses an empty ciphertext and one longer than 6144 bytes.
pub async fn ciphertext_size_limits(kms: &dyn Kms, caps: &Capabilities) {
    let refused = async {
        for (what, blob) in [
            ("an empty", Vec::new()),
            ("a 6145-byte", vec![1; MAX_CIPHERTEXT + 1]),
        ] {
            let result = kms.decrypt(DecryptRequest::new(blob)).await;
            expect_err(
                result,
                &format!("Decrypt of {what} ciphertext"),
                Expected::code(VALIDATION),
            );
        }
    };
    let what = "Decrypt of an empty or oversized ciphertext";
    caps.gate(Flag::ValidatesInputs, what, refused).await;
}

/// Decrypt with a KeyId naming the key that encrypted (by ARN or alias) works; with a KeyId,
/// or ReEncrypt with a SourceKeyId, naming another key (by key ID or alias) it gives
/// `IncorrectKeyException`.
pub async fn incorrect_key(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let (key, other) = (session.key().await, session.key().await);
    let (alias, other_alias) = (
        alias_for(kms, &mut session, &key).await,
        alias_for(kms, &mut session, &other).await,
    );
    let no_context = EncryptionContext::new();
    let blob = encrypt(kms, &key.by_id(), b"wrong key", &no_context)
        .await
        .ciphertext_blob;
    for right in [key.by_arn(), key_id(&alias)] {
        let request = DecryptRequest::new(blob.as_slice()).with_key_id(&right);
        let what = format!("Decrypt with KeyId {right} of the right key");
        let response = ok(kms.decrypt(request).await, &what);
        assert_eq!(response.key_id, key.arn, "{what}: expected the key ARN");
    }
    let wrong_key = |wrong: KeyId| {
        let blob = &blob;
        let key = &key;
        async move {
            let request = DecryptRequest::new(blob.as_slice()).with_key_id(&wrong);
            let what = format!("Decrypt with KeyId {wrong} of another key");
            expect_err(kms.decrypt(request).await, &what, incorrect_key_error());
            let request =
                ReEncryptRequest::new(blob.as_slice(), key.by_id()).with_source_key_id(&wrong);
            let what = format!("ReEncrypt with SourceKeyId {wrong} of another key");
            expect_err(kms.re_encrypt(request).await, &what, incorrect_key_error());
        }
    };
    let what = "Decrypt and ReEncrypt naming another key by key ID";
    caps.gate(Flag::EnforcesIncorrectKey, what, wrong_key(other.by_id()))
        .await;
    let what = "Decrypt and ReEncrypt naming another key by alias";
    caps.gate(
        Flag::EnforcesIncorrectKey,
        what,
        wrong_key(key_id(&other_alias)),
    )
    .await;
    session.finish().await;
}

/// ReEncrypt moves a ciphertext to another key and context without revealing it: the result
/// decrypts with the destination key and context only; the response names both keys,
/// algorithms and key materials. A wrong source context gives `InvalidCiphertextException`.
pub async fn re_encrypt(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let (source, destination) = (session.key().await, session.key().await);
    let source_context = EncryptionContext::from([("stage", "source")]);
    let destination_context = EncryptionContext::from([("stage", "destination")]);
    let plaintext = b"moved between keys";
    let blob = encrypt(kms, &source.by_id(), plaintext, &source_context)
        .await
        .ciphertext_blob;

    let request = re_encrypt_request(&blob, &source, &destination.by_id(), &source_context)
        .with_destination_encryption_context(destination_context.clone());
    let response = ok(kms.re_encrypt(request).await, "ReEncrypt");
    assert_eq!(
        (response.key_id.as_str(), response.source_key_id.as_deref()),
        (destination.arn.as_str(), Some(source.arn.as_str())),
        "ReEncrypt: expected (KeyId, SourceKeyId) to be the key ARNs"
    );
    assert_algorithm(
        caps,
        response.source_encryption_algorithm,
        "ReEncrypt: source algorithm",
    )
    .await;
    let algorithm = response.destination_encryption_algorithm;
    assert_algorithm(caps, algorithm, "ReEncrypt: destination algorithm").await;
    let material = response.source_key_material_id.as_deref();
    assert_current_material(
        kms,
        caps,
        &source,
        material,
        "ReEncrypt: SourceKeyMaterialId",
    )
    .await;
    let material = response.destination_key_material_id.as_deref();
    let what = "ReEncrypt: DestinationKeyMaterialId";
    assert_current_material(kms, caps, &destination, material, what).await;

    let moved = response.ciphertext_blob;
    let what = "Decrypt of a ReEncrypt result with the destination context";
    let decrypted = decrypt(kms, &moved, &destination_context, plaintext, what).await;
    assert_eq!(
        decrypted.key_id, destination.arn,
        "{what}: expected the destination key ARN"
    );
    let request =
        DecryptRequest::new(moved.as_slice()).with_encryption_context(source_context.clone());
    let what = "Decrypt of a ReEncrypt result with the source context";
    expect_err(kms.decrypt(request).await, what, invalid_ciphertext());

    let request = re_encrypt_request(&blob, &source, &source.by_id(), &destination_context);
    let what = "ReEncrypt with a wrong source context";
    expect_err(kms.re_encrypt(request).await, what, invalid_ciphertext());
    let request = re_encrypt_request(&blob, &source, &source.by_arn(), &source_context)
        .with_destination_encryption_context(destination_context.clone());
    let response = ok(
        kms.re_encrypt(request).await,
        "ReEncrypt to the same key, new context",
    );
    let what = "Decrypt of a ciphertext ReEncrypted to a new context";
    decrypt(
        kms,
        &response.ciphertext_blob,
        &destination_context,
        plaintext,
        what,
    )
    .await;
    session.finish().await;
}

/// A ReEncrypt of `blob`, made by `source` with `context`, to `destination`.
fn re_encrypt_request(
    blob: &[u8],
    source: &Key,
    destination: &KeyId,
    context: &EncryptionContext,
) -> ReEncryptRequest {
    ReEncryptRequest::new(blob, destination)
        .with_source_key_id(source.by_id())
        .with_source_encryption_context(context.clone())
}
