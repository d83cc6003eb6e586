//! Checks of GetPublicKey, Sign and Verify: every signing algorithm of every signing key spec
//! (RSA at 2048 bits only: larger keys are slow to generate), checked against aws-lc-rs, and
//! the rules of messages, digests and message types.

use super::algorithms::{assert_verifies, digest_for};
use super::capabilities::{Capabilities, Flag};
use super::messages::AwsMessage;
use super::public_keys::{assert_spki, element};
use super::support::{
    Expected, INVALID_KEY_USAGE, Key, Session, VALIDATION, expect_err, expect_refused, ok,
    wrong_key_usage,
};
use crate::{
    GetPublicKeyRequest, KeySpec, KeyUsage, Kms, MessageType, Result, SignRequest, SignResponse,
    SigningAlgorithmSpec, VerifyRequest, VerifyResponse,
};

/// The signing key specs the suite creates, each with the flag a peer may lack it under.
const SIGNING_SPECS: [(KeySpec, Option<Flag>); 9] = [
    (KeySpec::EccNistP256, None),
    (KeySpec::EccNistP384, None),
    (KeySpec::EccNistP521, None),
    (KeySpec::EccSecgP256k1, None),
    (KeySpec::Rsa2048, None),
    (KeySpec::EccNistEdwards25519, Some(Flag::Ed25519Keys)),
    (KeySpec::MlDsa44, Some(Flag::MlDsaKeys)),
    (KeySpec::MlDsa65, Some(Flag::MlDsaKeys)),
    (KeySpec::MlDsa87, Some(Flag::MlDsaKeys)),
];

/// The message the checks sign.
const MESSAGE: &[u8] = b"a message signed by the conformance suite";

/// Sends Sign.
pub(crate) async fn sign(
    kms: &dyn Kms,
    key: &Key,
    message: &[u8],
    message_type: MessageType,
    algorithm: &SigningAlgorithmSpec,
) -> Result<SignResponse> {
    let request =
        SignRequest::new(key.by_id(), message, algorithm.clone()).with_message_type(message_type);
    kms.sign(request).await
}

/// Sends Verify.
pub(crate) async fn verify(
    kms: &dyn Kms,
    key: &Key,
    message: &[u8],
    message_type: MessageType,
    algorithm: &SigningAlgorithmSpec,
    signature: &[u8],
) -> Result<VerifyResponse> {
    let request = VerifyRequest::new(key.by_id(), message, signature.to_vec(), algorithm.clone())
        .with_message_type(message_type);
    kms.verify(request).await
}

/// Signs `message` of `message_type`: Sign must succeed with the key ARN and the algorithm.
async fn signed(
    kms: &dyn Kms,
    key: &Key,
    message: &[u8],
    message_type: MessageType,
    algorithm: &SigningAlgorithmSpec,
) -> Vec<u8> {
    let what = format!("Sign of a {message_type} message with {algorithm}");
    let response = ok(
        sign(kms, key, message, message_type, algorithm).await,
        &what,
    );
    assert_eq!(
        (
            response.key_id.as_str(),
            response.signing_algorithm.as_ref()
        ),
        (key.arn.as_str(), Some(algorithm)),
        "{what}: expected the key ARN and the algorithm"
    );
    response.signature
}

/// Panics unless Verify of `signature` over `message` succeeds with `SignatureValid` true.
async fn assert_valid(
    kms: &dyn Kms,
    key: &Key,
    message: &[u8],
    message_type: MessageType,
    algorithm: &SigningAlgorithmSpec,
    signature: &[u8],
    what: &str,
) {
    let response = ok(
        verify(kms, key, message, message_type, algorithm, signature).await,
        what,
    );
    assert_eq!(
        (
            response.signature_valid,
            response.key_id.as_str(),
            response.signing_algorithm.as_ref()
        ),
        (true, key.arn.as_str(), Some(algorithm)),
        "{what}: expected SignatureValid true, the key ARN and the algorithm"
    );
}

/// Panics unless `signature` has the format AWS documents for `algorithm`: a DER
/// `ECDSA-Sig-Value` for ECDSA, the modulus length for RSA, 64 bytes for Ed25519, the
/// ML-DSA signature length.
fn assert_signature_format(spec: &KeySpec, algorithm: &SigningAlgorithmSpec, signature: &[u8]) {
    let what = format!("Sign with {algorithm} under a {spec} key");
    let expected_len = match spec {
        KeySpec::Rsa2048 => Some(256),
        KeySpec::Rsa3072 => Some(384),
        KeySpec::Rsa4096 => Some(512),
        KeySpec::EccNistEdwards25519 => Some(64),
        KeySpec::MlDsa44 => Some(2420),
        KeySpec::MlDsa65 => Some(3309),
        KeySpec::MlDsa87 => Some(4627),
        _ => None,
    };
    match expected_len {
        Some(len) => assert_eq!(
            signature.len(),
            len,
            "{what}: expected a signature of {len} bytes"
        ),
        None => {
            let der = element(signature, 0x30).is_some_and(|(_, rest)| rest.is_empty());
            assert!(
                der,
                "{what}: expected a DER ECDSA-Sig-Value (a SEQUENCE of r and s), got {} bytes \
                 that are not one",
                signature.len()
            );
        }
    }
}

/// A copy of `signature` with one bit flipped.
fn tampered(signature: &[u8]) -> Vec<u8> {
    let mut tampered = signature.to_vec();
    if let Some(last) = tampered.last_mut() {
        *last ^= 0x01;
    }
    tampered
}

/// The public key of `key`, a DER SubjectPublicKeyInfo of `spec` (GetPublicKey).
pub(crate) async fn public_key(kms: &dyn Kms, key: &Key, spec: &KeySpec) -> Vec<u8> {
    let what = format!("GetPublicKey of a {spec} key");
    let response = ok(
        kms.get_public_key(GetPublicKeyRequest::new(key.by_id()))
            .await,
        &what,
    );
    assert_spki(&response.public_key, spec, &what);
    response.public_key
}

/// For each signing key spec and each of its algorithms: Sign of a RAW message gives a
/// signature in AWS's format that aws-lc-rs verifies with the key of GetPublicKey, and that
/// Verify accepts for the message and for its digest; Sign of the digest verifies as the
/// message; a flipped bit or another message is `KMSInvalidSignatureException`.
/// `ED25519_PH_SHA_512` signs digests only.
pub async fn sign_verify(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    for (spec, flag) in SIGNING_SPECS {
        let checks = sign_verify_spec(kms, caps, &mut session, spec.clone());
        match flag {
            None => checks.await,
            Some(flag) => {
                let what = format!("Sign and Verify with a {spec} key");
                caps.gate(flag, &what, checks).await;
            }
        }
    }
    session.finish().await;
}

/// The checks of [`sign_verify`] for one key spec.
async fn sign_verify_spec(
    kms: &dyn Kms,
    caps: &Capabilities,
    session: &mut Session<'_>,
    spec: KeySpec,
) {
    let key = session.create_for(spec.clone(), KeyUsage::SignVerify).await;
    let spki = public_key(kms, &key, &spec).await;
    for algorithm in spec.signing_algorithms() {
        if *algorithm == SigningAlgorithmSpec::Ed25519PhSha512 {
            prehashed_ed25519(kms, &key, algorithm).await;
            continue;
        }
        let signature = signed(kms, &key, MESSAGE, MessageType::Raw, algorithm).await;
        assert_signature_format(&spec, algorithm, &signature);
        let what = format!("Sign with {algorithm} under a {spec} key");
        let independent = async {
            assert_verifies(&spki, &spec, algorithm, MESSAGE, &signature, &what);
        };
        if is_pss(algorithm) {
            caps.gate(Flag::PssSaltIsHashLength, &what, independent)
                .await;
        } else {
            independent.await;
        }
        let what = format!("Verify of a RAW message with {algorithm}");
        assert_valid(
            kms,
            &key,
            MESSAGE,
            MessageType::Raw,
            algorithm,
            &signature,
            &what,
        )
        .await;

        if let Some(digest) = digest_for(algorithm, MESSAGE) {
            let what = format!("{algorithm}: a message and its digest are the same message");
            let same_message = async {
                let what = format!("Verify with {algorithm} of the digest of a signed message");
                assert_valid(
                    kms,
                    &key,
                    &digest,
                    MessageType::Digest,
                    algorithm,
                    &signature,
                    &what,
                )
                .await;
                let by_digest = signed(kms, &key, &digest, MessageType::Digest, algorithm).await;
                let what = format!("Verify with {algorithm} of a message whose digest was signed");
                assert_valid(
                    kms,
                    &key,
                    MESSAGE,
                    MessageType::Raw,
                    algorithm,
                    &by_digest,
                    &what,
                )
                .await;
                let what = format!("Sign with {algorithm} of a digest");
                assert_verifies(&spki, &spec, algorithm, MESSAGE, &by_digest, &what);
            };
            caps.gate(Flag::SignsDigests, &what, same_message).await;
        }

        let what = format!("Verify of a bad {algorithm} signature");
        let other = b"another message";
        let cases = [(MESSAGE, tampered(&signature)), (other, signature.clone())];
        for (message, signature) in cases {
            let result = verify(kms, &key, message, MessageType::Raw, algorithm, &signature);
            let invalid = Expected::aws(AwsMessage::InvalidSignature, &[]);
            expect_err(result.await, &what, invalid);
        }
    }
}

/// `ED25519_PH_SHA_512` signs the SHA-512 digest of a message; Verify accepts the digest and
/// refuses a flipped bit.
async fn prehashed_ed25519(kms: &dyn Kms, key: &Key, algorithm: &SigningAlgorithmSpec) {
    let Some(digest) = digest_for(algorithm, MESSAGE) else {
        panic!("{algorithm}: expected a digest length");
    };
    let signature = signed(kms, key, &digest, MessageType::Digest, algorithm).await;
    assert_signature_format(&KeySpec::EccNistEdwards25519, algorithm, &signature);
    let what = format!("Verify of a DIGEST message with {algorithm}");
    assert_valid(
        kms,
        key,
        &digest,
        MessageType::Digest,
        algorithm,
        &signature,
        &what,
    )
    .await;
    let what = format!("Verify of a bad {algorithm} signature");
    let tampered = tampered(&signature);
    let result = verify(kms, key, &digest, MessageType::Digest, algorithm, &tampered);
    let invalid = Expected::aws(AwsMessage::InvalidSignature, &[]);
    expect_err(result.await, &what, invalid);
}

/// Whether `algorithm` is RSASSA-PSS.
fn is_pss(algorithm: &SigningAlgorithmSpec) -> bool {
    matches!(
        algorithm,
        SigningAlgorithmSpec::RsassaPssSha256
            | SigningAlgorithmSpec::RsassaPssSha384
            | SigningAlgorithmSpec::RsassaPssSha512
    )
}

/// Sign and Verify take 1 to 4096 bytes, a digest of the hash's length, the message types each
/// algorithm allows (`ED25519_SHA_512` and ML-DSA no DIGEST, `ED25519_PH_SHA_512` DIGEST only,
/// `EXTERNAL_MU` 64 bytes and ML-DSA only), only the key's algorithms, and only
/// `SIGN_VERIFY` keys.
pub async fn signing_validation(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session
        .create_for(KeySpec::EccNistP256, KeyUsage::SignVerify)
        .await;
    let ecdsa = SigningAlgorithmSpec::EcdsaSha256;
    let signature = signed(kms, &key, &[0x5a; 4096], MessageType::Raw, &ecdsa).await;
    let what = "Verify of a 4096-byte message";
    assert_valid(
        kms,
        &key,
        &[0x5a; 4096],
        MessageType::Raw,
        &ecdsa,
        &signature,
        what,
    )
    .await;

    let refused = async {
        for size in [0, 4097] {
            let message = vec![0x5a; size];
            let what = format!("Sign of a {size}-byte message");
            let result = sign(kms, &key, &message, MessageType::Raw, &ecdsa).await;
            expect_err(result, &what, Expected::code(VALIDATION));
            let what = format!("Verify of a {size}-byte message");
            let result = verify(kms, &key, &message, MessageType::Raw, &ecdsa, &signature).await;
            expect_err(result, &what, Expected::code(VALIDATION));
        }
        let other = SigningAlgorithmSpec::EcdsaSha384;
        let what = "Sign with ECDSA_SHA_384 under an ECC_NIST_P256 key";
        let result = sign(kms, &key, MESSAGE, MessageType::Raw, &other).await;
        expect_err(result, what, Expected::code(INVALID_KEY_USAGE));

        let hmac = session
            .create_for(KeySpec::Hmac256, KeyUsage::GenerateVerifyMac)
            .await;
        let result = sign(kms, &hmac, MESSAGE, MessageType::Raw, &ecdsa).await;
        let expected = wrong_key_usage(&hmac.arn, &KeyUsage::GenerateVerifyMac, "Sign");
        expect_err(result, "Sign with an HMAC key", expected);
        let symmetric = session.key().await;
        let result = sign(kms, &symmetric, MESSAGE, MessageType::Raw, &ecdsa).await;
        expect_err(
            result,
            "Sign with a symmetric key",
            Expected::code(INVALID_KEY_USAGE),
        );
    };
    caps.gate(
        Flag::ValidatesSigningRequests,
        "Sign and Verify validation",
        refused,
    )
    .await;

    let digests = async {
        for len in [31, 33] {
            let what = format!("Sign of a {len}-byte DIGEST with ECDSA_SHA_256");
            let result = sign(kms, &key, &vec![7; len], MessageType::Digest, &ecdsa).await;
            let expected = Expected::aws(AwsMessage::DigestLength, &[ecdsa.as_str()]);
            expect_err(result, &what, expected);
        }
    };
    caps.gate(Flag::SignsDigests, "DIGEST length", digests)
        .await;

    let what = "message types of Ed25519";
    let ed25519 = ed25519_message_types(kms, &mut session);
    caps.gate(Flag::Ed25519Keys, what, ed25519).await;
    let what = "message types of ML-DSA";
    let ml_dsa = ml_dsa_message_types(kms, &mut session);
    caps.gate(Flag::MlDsaKeys, what, ml_dsa).await;
    session.finish().await;
}

/// The references do not say whether AWS refuses a message type an algorithm does not take
/// with `ValidationException` or `InvalidKeyUsageException`: either passes.
const MESSAGE_TYPE_REFUSALS: [&str; 2] = [VALIDATION, INVALID_KEY_USAGE];

/// `ED25519_SHA_512` takes RAW only, `ED25519_PH_SHA_512` DIGEST (64 bytes) only.
async fn ed25519_message_types(kms: &dyn Kms, session: &mut Session<'_>) {
    let key = session
        .create_for(KeySpec::EccNistEdwards25519, KeyUsage::SignVerify)
        .await;
    let pure = SigningAlgorithmSpec::Ed25519Sha512;
    let prehashed = SigningAlgorithmSpec::Ed25519PhSha512;
    let digest = [7; 64];
    let cases = [
        (&pure, MessageType::Digest, &digest[..]),
        (&prehashed, MessageType::Raw, MESSAGE),
    ];
    for (algorithm, message_type, message) in cases {
        let what = format!("Sign with {algorithm} of a {message_type} message");
        let result = sign(kms, &key, message, message_type, algorithm).await;
        expect_refused(result, &what, &MESSAGE_TYPE_REFUSALS);
    }
    let what = "Sign with ED25519_PH_SHA_512 of a 32-byte DIGEST";
    let result = sign(kms, &key, &[7; 32], MessageType::Digest, &prehashed).await;
    let expected = Expected::aws(AwsMessage::DigestLength, &[prehashed.as_str()]);
    expect_err(result, what, expected);
}

/// ML-DSA takes RAW messages and 64-byte EXTERNAL_MU, no DIGEST; an ECDSA key takes no
/// EXTERNAL_MU.
async fn ml_dsa_message_types(kms: &dyn Kms, session: &mut Session<'_>) {
    let key = session
        .create_for(KeySpec::MlDsa44, KeyUsage::SignVerify)
        .await;
    let algorithm = SigningAlgorithmSpec::MlDsaShake256;
    let signature = signed(kms, &key, &[9; 64], MessageType::ExternalMu, &algorithm).await;
    assert_signature_format(&KeySpec::MlDsa44, &algorithm, &signature);
    let what = "Verify of an EXTERNAL_MU signature";
    assert_valid(
        kms,
        &key,
        &[9; 64],
        MessageType::ExternalMu,
        &algorithm,
        &signature,
        what,
    )
    .await;
    let cases = [
        (MessageType::Digest, 64),
        (MessageType::ExternalMu, 63),
        (MessageType::ExternalMu, 65),
    ];
    for (message_type, len) in cases {
        let what = format!("Sign with ML_DSA_SHAKE_256 of a {len}-byte {message_type} message");
        let result = sign(kms, &key, &vec![9; len], message_type, &algorithm).await;
        expect_refused(result, &what, &MESSAGE_TYPE_REFUSALS);
    }
    let ecdsa_key = session
        .create_for(KeySpec::EccNistP256, KeyUsage::SignVerify)
        .await;
    let ecdsa = SigningAlgorithmSpec::EcdsaSha256;
    let what = "Sign with ECDSA_SHA_256 of an EXTERNAL_MU message";
    let result = sign(kms, &ecdsa_key, &[9; 64], MessageType::ExternalMu, &ecdsa).await;
    expect_refused(result, what, &MESSAGE_TYPE_REFUSALS);
}
