//! Checks of imported key material (origin `EXTERNAL`): AWS's import procedure, done as a
//! client does it, with aws-lc-rs wrapping the material under the public key KMS gives.

use std::time::{Duration, SystemTime};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::key_wrap::{AES_256, AesKek, KeyWrapPadded};
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey, PublicEncryptingKey,
};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair,
};
use aws_lc_rs::{hmac, rand, signature};

use super::capabilities::{Capabilities, Flag};
use super::messages::AwsMessage;
use super::support::{
    Expected, Key, Session, assert_about, decrypt, describe, encrypt, expect_err, ok,
};
use crate::{
    AlgorithmSpec, CreateKeyRequest, DeleteImportedKeyMaterialRequest, EnableKeyRotationRequest,
    EncryptRequest, EncryptionContext, ExpirationModelType, GenerateMacRequest,
    GetParametersForImportRequest, GetPublicKeyRequest, ImportKeyMaterialRequest, KeySpec,
    KeyState, KeyUsage, Kms, MacAlgorithmSpec, MessageType, OriginType, SignRequest,
    SigningAlgorithmSpec, WrappingKeySpec,
};

/// The wrapping algorithms AWS accepts outside the China Regions.
const ALGORITHMS: [AlgorithmSpec; 4] = [
    AlgorithmSpec::RsaesOaepSha1,
    AlgorithmSpec::RsaesOaepSha256,
    AlgorithmSpec::RsaAesKeyWrapSha1,
    AlgorithmSpec::RsaAesKeyWrapSha256,
];

/// Creates a key of origin `EXTERNAL` of `spec`.
async fn external_key(session: &mut Session<'_>, spec: KeySpec, usage: KeyUsage) -> Key {
    let request = CreateKeyRequest::new()
        .with_key_spec(spec)
        .with_key_usage(usage)
        .with_origin(OriginType::External);
    session.create(request).await
}

/// The wrapping key and token of one GetParametersForImport.
struct Parameters {
    public_key: Vec<u8>,
    token: Vec<u8>,
    algorithm: AlgorithmSpec,
}

/// GetParametersForImport of `key` for `algorithm` with an RSA_2048 wrapping key; the
/// answer must name the key by ARN, give a DER SubjectPublicKeyInfo of an RSA-2048 key and
/// a token valid for 24 hours.
async fn parameters(kms: &dyn Kms, key: &Key, algorithm: AlgorithmSpec) -> Parameters {
    let what = format!("GetParametersForImport with {algorithm}");
    let request = GetParametersForImportRequest::new(
        key.by_id(),
        algorithm.clone(),
        WrappingKeySpec::Rsa2048,
    );
    let answer = ok(kms.get_parameters_for_import(request).await, &what);
    assert_eq!(
        answer.key_id.as_deref(),
        Some(key.arn.as_str()),
        "{what}: KeyId"
    );
    let public_key = answer
        .public_key
        .unwrap_or_else(|| panic!("{what}: no PublicKey"));
    let parsed = PublicEncryptingKey::from_der(&public_key)
        .unwrap_or_else(|_| panic!("{what}: PublicKey is not a DER SubjectPublicKeyInfo"));
    assert_eq!(
        parsed.key_size_bits(),
        2048,
        "{what}: the wrapping key size"
    );
    let spki = parsed.as_der().expect("SPKI");
    assert_eq!(
        spki.as_ref(),
        public_key.as_slice(),
        "{what}: PublicKey is SPKI"
    );
    let day = SystemTime::now() + Duration::from_secs(24 * 60 * 60);
    assert_about(
        answer.parameters_valid_to,
        day,
        &format!("{what}: ParametersValidTo"),
    );
    Parameters {
        public_key,
        token: answer
            .import_token
            .unwrap_or_else(|| panic!("{what}: no ImportToken")),
        algorithm,
    }
}

/// `material` wrapped as AWS's import guide does it with OpenSSL: RSA-OAEP of the material,
/// or for the RSA_AES algorithms AES key wrap with padding under a fresh AES-256 key, after
/// the RSA-OAEP of that key.
fn wrap(parameters: &Parameters, material: &[u8]) -> Vec<u8> {
    let public = PublicEncryptingKey::from_der(&parameters.public_key).expect("SPKI");
    let public = OaepPublicEncryptingKey::new(public).expect("OAEP key");
    let (oaep, aes_first) = match parameters.algorithm {
        AlgorithmSpec::RsaesOaepSha1 => (&OAEP_SHA1_MGF1SHA1, false),
        AlgorithmSpec::RsaesOaepSha256 => (&OAEP_SHA256_MGF1SHA256, false),
        AlgorithmSpec::RsaAesKeyWrapSha1 => (&OAEP_SHA1_MGF1SHA1, true),
        _ => (&OAEP_SHA256_MGF1SHA256, true),
    };
    let encrypt = |plaintext: &[u8]| {
        let mut out = vec![0; public.ciphertext_size()];
        public
            .encrypt(oaep, plaintext, &mut out, None)
            .expect("OAEP encryption")
            .to_vec()
    };
    if !aes_first {
        return encrypt(material);
    }
    let aes_key: [u8; 32] = rand::generate(&rand::SystemRandom::new())
        .expect("random")
        .expose();
    let kek = AesKek::new(&AES_256, &aes_key).expect("AES key");
    let mut wrapped = vec![0; material.len() + 16];
    let wrapped = kek
        .wrap_with_padding(material, &mut wrapped)
        .expect("AES key wrap with padding");
    [encrypt(&aes_key), wrapped.to_vec()].concat()
}

/// Imports `material` into `key` with `parameters`, never expiring.
async fn import(kms: &dyn Kms, key: &Key, parameters: &Parameters, material: &[u8], what: &str) {
    let request = import_request(key, parameters, &wrap(parameters, material))
        .with_expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire);
    let answer = ok(kms.import_key_material(request).await, what);
    assert_eq!(
        answer.key_id.as_deref(),
        Some(key.arn.as_str()),
        "{what}: KeyId"
    );
}

/// An ImportKeyMaterial request of `encrypted` material into `key`.
fn import_request(
    key: &Key,
    parameters: &Parameters,
    encrypted: &[u8],
) -> ImportKeyMaterialRequest {
    ImportKeyMaterialRequest::new(key.by_id(), parameters.token.clone(), encrypted.to_vec())
}

/// `KMSInvalidStateException`: `<key-arn> is pending import.`
fn pending_import(arn: &str) -> Expected {
    Expected::aws(AwsMessage::PendingImport, &[arn])
}

/// 32 random bytes.
fn random_material() -> [u8; 32] {
    rand::generate(&rand::SystemRandom::new())
        .expect("random")
        .expose()
}

/// A symmetric key of origin EXTERNAL is `PendingImport` until its material is imported,
/// `Enabled` after; DeleteImportedKeyMaterial sends it back to `PendingImport` (its
/// ciphertexts do not decrypt then), different material is `IncorrectKeyMaterialException`,
/// and the same material makes the old ciphertexts decrypt again.
pub async fn import_symmetric_key_material(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = external_key(
        &mut session,
        KeySpec::SymmetricDefault,
        KeyUsage::EncryptDecrypt,
    )
    .await;
    let check = async {
        let metadata = describe(kms, &key.by_id()).await;
        assert_eq!(
            metadata.origin,
            Some(OriginType::External),
            "DescribeKey: Origin"
        );
        assert_eq!(
            metadata.key_state,
            Some(KeyState::PendingImport),
            "DescribeKey: KeyState"
        );
        assert!(
            !metadata.enabled,
            "DescribeKey of a key pending import: Enabled"
        );
        let context = EncryptionContext::new();
        let result = kms
            .encrypt(EncryptRequest::new(key.by_id(), b"secret".as_slice()))
            .await;
        expect_err(
            result,
            "Encrypt with a key pending import",
            pending_import(&key.arn),
        );

        let material = random_material();
        let first = parameters(kms, &key, AlgorithmSpec::RsaesOaepSha256).await;
        import(kms, &key, &first, &material, "ImportKeyMaterial").await;
        let metadata = describe(kms, &key.by_id()).await;
        assert_eq!(
            metadata.key_state,
            Some(KeyState::Enabled),
            "KeyState after the import"
        );
        assert_eq!(
            metadata.expiration_model,
            Some(ExpirationModelType::KeyMaterialDoesNotExpire),
            "ExpirationModel after the import"
        );
        let blob = encrypt(kms, &key.by_id(), b"imported", &context)
            .await
            .ciphertext_blob;
        decrypt(
            kms,
            &blob,
            &context,
            b"imported",
            "Decrypt with imported material",
        )
        .await;

        let what = "DeleteImportedKeyMaterial";
        let request = DeleteImportedKeyMaterialRequest::new(key.by_id());
        ok(kms.delete_imported_key_material(request).await, what);
        let metadata = describe(kms, &key.by_id()).await;
        assert_eq!(
            metadata.key_state,
            Some(KeyState::PendingImport),
            "{what}: KeyState"
        );
        let result = kms
            .decrypt(crate::DecryptRequest::new(blob.as_slice()))
            .await;
        expect_err(
            result,
            "Decrypt after DeleteImportedKeyMaterial",
            pending_import(&key.arn),
        );

        let second = parameters(kms, &key, AlgorithmSpec::RsaAesKeyWrapSha256).await;
        let other = random_material();
        let request = import_request(&key, &second, &wrap(&second, &other))
            .with_expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire);
        let what = "ImportKeyMaterial of other material than the key's";
        let result = kms.import_key_material(request).await;
        expect_err(
            result,
            what,
            Expected::code("IncorrectKeyMaterialException"),
        );

        import(
            kms,
            &key,
            &second,
            &material,
            "ImportKeyMaterial of the same material",
        )
        .await;
        let what = "Decrypt after importing the same material again";
        decrypt(kms, &blob, &context, b"imported", what).await;
    };
    caps.gate(
        Flag::ImportsKeyMaterial,
        "import_symmetric_key_material",
        check,
    )
    .await;
    session.finish().await;
}

/// Each wrapping algorithm imports symmetric, HMAC and ECC material, and the key then uses
/// exactly that material: its MACs are the HMAC of the material, its signatures verify
/// under the public key of the imported private key.
pub async fn import_with_every_wrapping_algorithm(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let mut keys = Vec::new();
    for _ in ALGORITHMS {
        keys.push((
            external_key(
                &mut session,
                KeySpec::SymmetricDefault,
                KeyUsage::EncryptDecrypt,
            )
            .await,
            external_key(&mut session, KeySpec::Hmac256, KeyUsage::GenerateVerifyMac).await,
            external_key(&mut session, KeySpec::EccNistP256, KeyUsage::SignVerify).await,
        ));
    }
    let check = async {
        let context = EncryptionContext::new().with("purpose", "conformance");
        for (algorithm, (symmetric, mac, ecc)) in ALGORITHMS.into_iter().zip(&keys) {
            let what = format!("ImportKeyMaterial wrapped with {algorithm}");
            let params = parameters(kms, symmetric, algorithm.clone()).await;
            import(kms, symmetric, &params, &random_material(), &what).await;
            let blob = encrypt(kms, &symmetric.by_id(), b"wrapped", &context)
                .await
                .ciphertext_blob;
            decrypt(kms, &blob, &context, b"wrapped", &what).await;

            let secret = [0x5a; 40];
            let params = parameters(kms, mac, algorithm.clone()).await;
            import(kms, mac, &params, &secret, &format!("{what} (HMAC_256)")).await;
            let request = GenerateMacRequest::new(
                b"message".as_slice(),
                mac.by_id(),
                MacAlgorithmSpec::HmacSha256,
            );
            let answer = ok(
                kms.generate_mac(request).await,
                &format!("{what}: GenerateMac"),
            );
            let expected = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &secret), b"message");
            assert_eq!(
                answer.mac,
                expected.as_ref(),
                "{what}: the MAC of the imported key"
            );

            let rng = rand::SystemRandom::new();
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
                .expect("P-256 key");
            let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref())
                .expect("P-256 key");
            let params = parameters(kms, ecc, algorithm.clone()).await;
            import(
                kms,
                ecc,
                &params,
                pkcs8.as_ref(),
                &format!("{what} (ECC_NIST_P256)"),
            )
            .await;
            let public = ok(
                kms.get_public_key(GetPublicKeyRequest::new(ecc.by_id()))
                    .await,
                &format!("{what}: GetPublicKey"),
            );
            let request = SignRequest::new(
                ecc.by_id(),
                b"message".as_slice(),
                SigningAlgorithmSpec::EcdsaSha256,
            )
            .with_message_type(MessageType::Raw);
            let signed = ok(kms.sign(request).await, &format!("{what}: Sign"));
            signature::UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, pair.public_key().as_ref())
                .verify(b"message", &signed.signature)
                .unwrap_or_else(|_| panic!("{what}: the signature of the imported key"));
            signature::UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &public.public_key)
                .verify(b"message", &signed.signature)
                .unwrap_or_else(|_| panic!("{what}: GetPublicKey of the imported key"));
        }
    };
    caps.gate(
        Flag::ImportsKeyMaterial,
        "import_with_every_wrapping_algorithm",
        check,
    )
    .await;
    session.finish().await;
}

/// The refusals of the import operations: GetParametersForImport of a key KMS made
/// material for, a token of another key, wrapped material that does not unwrap, material of
/// the wrong length, `KEY_MATERIAL_EXPIRES` without `ValidTo` or with a past one, and
/// automatic rotation of a key of imported material.
pub async fn import_validation(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let made = session.key().await;
    let key = external_key(
        &mut session,
        KeySpec::SymmetricDefault,
        KeyUsage::EncryptDecrypt,
    )
    .await;
    let other = external_key(
        &mut session,
        KeySpec::SymmetricDefault,
        KeyUsage::EncryptDecrypt,
    )
    .await;
    let check = async {
        let request = GetParametersForImportRequest::new(
            made.by_id(),
            AlgorithmSpec::RsaesOaepSha256,
            WrappingKeySpec::Rsa2048,
        );
        let result = kms.get_parameters_for_import(request).await;
        let expected = Expected::aws(AwsMessage::OriginNotExternal, &[&made.arn]);
        expect_err(result, "GetParametersForImport of an AWS_KMS key", expected);

        let params = parameters(kms, &key, AlgorithmSpec::RsaesOaepSha1).await;
        let material = random_material();
        let wrapped = wrap(&params, &material);
        let does_not_expire = |request: ImportKeyMaterialRequest| {
            request.with_expiration_model(ExpirationModelType::KeyMaterialDoesNotExpire)
        };

        let request = does_not_expire(import_request(&other, &params, &wrapped));
        let result = kms.import_key_material(request).await;
        let what = "ImportKeyMaterial with the token of another key";
        expect_err(result, what, Expected::code("InvalidImportTokenException"));

        let mut damaged = wrapped.clone();
        damaged[10] ^= 1;
        let request = does_not_expire(import_request(&key, &params, &damaged));
        let result = kms.import_key_material(request).await;
        let what = "ImportKeyMaterial of material that does not unwrap";
        expect_err(result, what, Expected::code("InvalidCiphertextException"));

        let request = does_not_expire(import_request(&key, &params, &wrap(&params, &[1; 31])));
        let result = kms.import_key_material(request).await;
        let what = "ImportKeyMaterial of 31 bytes into a symmetric key";
        expect_err(
            result,
            what,
            Expected::code("IncorrectKeyMaterialException"),
        );

        let request = import_request(&key, &params, &wrapped);
        let result = kms.import_key_material(request).await;
        let what = "ImportKeyMaterial with KEY_MATERIAL_EXPIRES (the default) and no ValidTo";
        expect_err(result, what, Expected::code("ValidationException"));

        let past = SystemTime::now() - Duration::from_secs(60);
        let request = import_request(&key, &params, &wrapped).with_valid_to(past);
        let result = kms.import_key_material(request).await;
        let what = "ImportKeyMaterial with a ValidTo in the past";
        expect_err(result, what, Expected::code("ValidationException"));

        let valid_to = SystemTime::now() + Duration::from_secs(30 * 24 * 60 * 60);
        let request = import_request(&key, &params, &wrapped).with_valid_to(valid_to);
        ok(
            kms.import_key_material(request).await,
            "ImportKeyMaterial with a ValidTo",
        );
        let metadata = describe(kms, &key.by_id()).await;
        let what = "DescribeKey of expiring material";
        assert_eq!(
            metadata.expiration_model,
            Some(ExpirationModelType::KeyMaterialExpires),
            "{what}: ExpirationModel"
        );
        assert_about(metadata.valid_to, valid_to, &format!("{what}: ValidTo"));

        let result = kms
            .enable_key_rotation(EnableKeyRotationRequest::new(key.by_id()))
            .await;
        let what = "EnableKeyRotation of a key of imported material";
        expect_err(
            result,
            what,
            Expected::code("UnsupportedOperationException"),
        );
    };
    caps.gate(Flag::ImportsKeyMaterial, "import_validation", check)
        .await;
    session.finish().await;
}
