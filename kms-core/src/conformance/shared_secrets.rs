//! Checks of DeriveSharedSecret (ECDH) and Encapsulate / Decapsulate (ML-KEM), each against
//! aws-lc-rs on the other side.

use aws_lc_rs::agreement::{self, ECDH_P256, ECDH_P384, ECDH_P521, PrivateKey, UnparsedPublicKey};
use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::kem::{EncapsulationKey, ML_KEM_512, ML_KEM_768, ML_KEM_1024};

use super::capabilities::{Capabilities, Flag};
use super::signing::public_key;
use super::support::{
    Expected, INVALID_KEY_USAGE, Key, Session, expect_err, invalid_ciphertext, ok,
};
use crate::{
    DecapsulateRequest, DeriveSharedSecretRequest, EncapsulateRequest, EncapsulationAlgorithmSpec,
    KeyAgreementAlgorithmSpec, KeySpec, KeyUsage, Kms,
};

/// The key agreement specs with aws-lc-rs's ECDH on their curve.
const ECDH_SPECS: [(KeySpec, &agreement::Algorithm); 3] = [
    (KeySpec::EccNistP256, &ECDH_P256),
    (KeySpec::EccNistP384, &ECDH_P384),
    (KeySpec::EccNistP521, &ECDH_P521),
];

/// For P-256, P-384 and P-521 KEY_AGREEMENT keys: DeriveSharedSecret with the SPKI public key
/// of a key pair made by aws-lc-rs answers the key ARN, `ECDH`, the key's origin and the raw
/// shared secret Z that aws-lc-rs computes from its private key and the key of GetPublicKey.
/// A SIGN_VERIFY key refuses DeriveSharedSecret.
pub async fn derive_shared_secret(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let checks = async {
        for (spec, curve) in ECDH_SPECS {
            let key = session
                .create_for(spec.clone(), KeyUsage::KeyAgreement)
                .await;
            let kms_public = public_key(kms, &key, &spec).await;
            let (peer, peer_public) = peer_key_pair(curve, &spec);
            let what = format!("DeriveSharedSecret with a {spec} key");
            let response = ok(derive(kms, &key, peer_public).await, &what);
            assert_eq!(
                (
                    response.key_id.as_str(),
                    response.key_agreement_algorithm.as_ref()
                ),
                (key.arn.as_str(), Some(&KeyAgreementAlgorithmSpec::Ecdh)),
                "{what}: expected the key ARN and ECDH"
            );
            let expected = agreement::agree(
                &peer,
                UnparsedPublicKey::new(curve, &kms_public),
                "aws-lc-rs refuses the public key of GetPublicKey for ECDH",
                |z| Ok(z.to_vec()),
            );
            let expected = match expected {
                Ok(z) => z,
                Err(err) => panic!("{what}: {err}"),
            };
            assert!(
                response.shared_secret.expose_secret() == expected.as_slice(),
                "{what}: expected the shared secret aws-lc-rs derives from its private key and \
                 the public key of GetPublicKey ({} bytes), got {} other bytes",
                expected.len(),
                response.shared_secret.len()
            );
        }
        let signing = session
            .create_for(KeySpec::EccNistP256, KeyUsage::SignVerify)
            .await;
        let (_, peer_public) = peer_key_pair(&ECDH_P256, &KeySpec::EccNistP256);
        let what = "DeriveSharedSecret with a SIGN_VERIFY key";
        let result = derive(kms, &signing, peer_public).await;
        expect_err(result, what, Expected::code(INVALID_KEY_USAGE));
    };
    caps.gate(Flag::KeyAgreement, "DeriveSharedSecret", checks)
        .await;
    session.finish().await;
}

/// Sends DeriveSharedSecret with ECDH and `peer_public`.
async fn derive(
    kms: &dyn Kms,
    key: &Key,
    peer_public: Vec<u8>,
) -> crate::Result<crate::DeriveSharedSecretResponse> {
    let request =
        DeriveSharedSecretRequest::new(key.by_id(), KeyAgreementAlgorithmSpec::Ecdh, peer_public);
    kms.derive_shared_secret(request).await
}

/// A fresh ECDH private key on `curve` and its public key as DER SPKI.
fn peer_key_pair(curve: &'static agreement::Algorithm, spec: &KeySpec) -> (PrivateKey, Vec<u8>) {
    let private = PrivateKey::generate(curve)
        .unwrap_or_else(|_| panic!("aws-lc-rs could not generate a {spec} ECDH key"));
    let public = private
        .compute_public_key()
        .and_then(|public| AsDer::<PublicKeyX509Der>::as_der(&public))
        .unwrap_or_else(|_| panic!("aws-lc-rs could not encode its {spec} ECDH public key"));
    (private, public.as_ref().to_vec())
}

/// For ML_KEM_512, 768 and 1024: Encapsulate answers the key ARN, `ML_KEM`, a 32-byte shared
/// secret and a ciphertext of 768, 1088 or 1568 bytes, which Decapsulate turns back into the
/// secret; a ciphertext that aws-lc-rs encapsulates with the key of GetPublicKey decapsulates
/// to aws-lc-rs's secret. A ciphertext of another length is `InvalidCiphertextException`; a
/// changed one of the right length decapsulates to another secret (implicit rejection).
pub async fn encapsulate_decapsulate(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let checks = async {
        let specs = [
            (KeySpec::MlKem512, &ML_KEM_512, 768),
            (KeySpec::MlKem768, &ML_KEM_768, 1088),
            (KeySpec::MlKem1024, &ML_KEM_1024, 1568),
        ];
        for (spec, algorithm, ciphertext_len) in specs {
            let key = session
                .create_for(spec.clone(), KeyUsage::EncapsulateDecapsulate)
                .await;
            let what = format!("Encapsulate with a {spec} key");
            let request = EncapsulateRequest::new(key.by_id(), EncapsulationAlgorithmSpec::MlKem);
            let response = ok(kms.encapsulate(request).await, &what);
            assert_eq!(
                (
                    response.key_id.as_str(),
                    response.encapsulation_algorithm.as_ref(),
                    response.shared_secret.len(),
                    response.shared_secret_ciphertext_blob.len()
                ),
                (
                    key.arn.as_str(),
                    Some(&EncapsulationAlgorithmSpec::MlKem),
                    32,
                    ciphertext_len
                ),
                "{what}: expected the key ARN, ML_KEM, a 32-byte secret and a {ciphertext_len}-byte \
                 ciphertext"
            );
            let ciphertext = &response.shared_secret_ciphertext_blob;
            let secret =
                decapsulated(kms, &key, ciphertext, &format!("Decapsulate ({spec})")).await;
            assert!(
                secret == response.shared_secret.expose_secret(),
                "Decapsulate ({spec}): expected the secret of Encapsulate"
            );

            let spki = public_key(kms, &key, &spec).await;
            let raw = super::public_keys::parse_spki(&spki).map(|spki| spki.key);
            let offline = raw
                .and_then(|raw| EncapsulationKey::new(algorithm, &raw).ok())
                .and_then(|key| key.encapsulate().ok());
            let Some((offline_ciphertext, offline_secret)) = offline else {
                panic!("GetPublicKey of a {spec} key: aws-lc-rs cannot encapsulate with it");
            };
            let what = format!("Decapsulate of an aws-lc-rs ciphertext ({spec})");
            let secret = decapsulated(kms, &key, offline_ciphertext.as_ref(), &what).await;
            assert!(
                secret == offline_secret.as_ref(),
                "{what}: expected aws-lc-rs's shared secret"
            );

            let mut changed = ciphertext.clone();
            changed[0] ^= 0x01;
            let what = format!("Decapsulate of a changed ciphertext ({spec})");
            let secret = decapsulated(kms, &key, &changed, &what).await;
            assert!(
                secret != response.shared_secret.expose_secret(),
                "{what}: expected another secret (implicit rejection)"
            );
            let what = format!("Decapsulate of a ciphertext one byte short ({spec})");
            let request = DecapsulateRequest::new(
                key.by_id(),
                ciphertext[1..].to_vec(),
                EncapsulationAlgorithmSpec::MlKem,
            );
            expect_err(kms.decapsulate(request).await, &what, invalid_ciphertext());
        }
    };
    caps.gate(Flag::MlKemKeys, "Encapsulate and Decapsulate", checks)
        .await;
    session.finish().await;
}

/// The shared secret of Decapsulate of `ciphertext`, which must succeed with the key ARN.
async fn decapsulated(kms: &dyn Kms, key: &Key, ciphertext: &[u8], what: &str) -> Vec<u8> {
    let request = DecapsulateRequest::new(
        key.by_id(),
        ciphertext.to_vec(),
        EncapsulationAlgorithmSpec::MlKem,
    );
    let response = ok(kms.decapsulate(request).await, what);
    assert_eq!(
        response.key_id, key.arn,
        "{what}: expected KeyId to be the key ARN"
    );
    response.shared_secret.expose_secret().to_vec()
}
