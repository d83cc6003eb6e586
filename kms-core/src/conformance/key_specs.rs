//! Checks of the key specs beyond SYMMETRIC_DEFAULT: which key usages each allows, the
//! algorithms its metadata and GetPublicKey list, and that such keys cannot be rotated.

use super::capabilities::{Capabilities, Flag};
use super::messages::AwsMessage;
use super::public_keys::assert_spki;
use super::support::{Expected, Key, Session, UNSUPPORTED, VALIDATION, describe, expect_err, ok};
use crate::{
    CreateKeyRequest, EnableKeyRotationRequest, GetPublicKeyRequest, KeyMetadata, KeySpec,
    KeyUsage, Kms, RotateKeyOnDemandRequest,
};

/// The flag under which a peer may lack the keys of `spec` altogether.
fn spec_flag(spec: &KeySpec) -> Option<Flag> {
    match spec {
        KeySpec::EccNistEdwards25519 => Some(Flag::Ed25519Keys),
        KeySpec::MlDsa44 | KeySpec::MlDsa65 | KeySpec::MlDsa87 => Some(Flag::MlDsaKeys),
        KeySpec::MlKem512 | KeySpec::MlKem768 | KeySpec::MlKem1024 => Some(Flag::MlKemKeys),
        _ => None,
    }
}

/// The specs whose keys the checks of this module create: every spec but SYMMETRIC_DEFAULT
/// (the checks of keys.rs), SM2 (China Regions only) and RSA_3072 and RSA_4096, slow to
/// generate (the RSA encryption check creates one key of each).
fn specs_to_create() -> impl Iterator<Item = &'static KeySpec> {
    KeySpec::ALL.iter().filter(|spec| {
        !matches!(
            spec,
            KeySpec::SymmetricDefault | KeySpec::Sm2 | KeySpec::Rsa3072 | KeySpec::Rsa4096
        )
    })
}

/// The algorithm lists of key metadata or GetPublicKey, in one comparable shape:
/// (encryption, signing, key agreement, encapsulation, MAC), each by AWS's spelling.
type AlgorithmLists = [Option<Vec<String>>; 5];

/// The lists a key of `spec` for `usage` has: its usage's algorithms, and no other list.
fn expected_lists(spec: &KeySpec, usage: &KeyUsage) -> AlgorithmLists {
    fn list<T: ToString>(values: &[T], on: bool) -> Option<Vec<String>> {
        on.then(|| values.iter().map(ToString::to_string).collect())
    }
    [
        list(
            spec.encryption_algorithms(),
            *usage == KeyUsage::EncryptDecrypt,
        ),
        list(spec.signing_algorithms(), *usage == KeyUsage::SignVerify),
        list(
            spec.key_agreement_algorithms(),
            *usage == KeyUsage::KeyAgreement,
        ),
        list(
            spec.encapsulation_algorithms(),
            *usage == KeyUsage::EncapsulateDecapsulate,
        ),
        list(spec.mac_algorithms(), *usage == KeyUsage::GenerateVerifyMac),
    ]
}

/// Spells each list of algorithms.
fn spelled<T: ToString>(list: Option<&Vec<T>>) -> Option<Vec<String>> {
    list.map(|list| list.iter().map(ToString::to_string).collect())
}

/// The lists of `metadata`.
fn metadata_lists(metadata: &KeyMetadata) -> AlgorithmLists {
    [
        spelled(metadata.encryption_algorithms.as_ref()),
        spelled(metadata.signing_algorithms.as_ref()),
        spelled(metadata.key_agreement_algorithms.as_ref()),
        spelled(metadata.encapsulation_algorithms.as_ref()),
        spelled(metadata.mac_algorithms.as_ref()),
    ]
}

/// For every key spec and each key usage it allows: CreateKey succeeds, and DescribeKey
/// states the spec (also as CustomerMasterKeySpec), the usage and exactly the algorithm
/// list of that usage; GetPublicKey of an asymmetric key answers a DER SubjectPublicKeyInfo
/// of the spec's algorithm, and the key ARN, the spec, the usage and the same lists.
pub async fn key_spec_usages(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let mut deviations = Vec::new();
    for spec in specs_to_create() {
        let checks = async {
            for usage in spec.allowed_key_usages() {
                let key = session.create_for(spec.clone(), usage.clone()).await;
                check_key(kms, &key, spec, usage, &mut deviations).await;
            }
        };
        match spec_flag(spec) {
            None => checks.await,
            Some(flag) => caps.gate(flag, &format!("{spec} keys"), checks).await,
        }
    }
    let lists = async {
        assert!(
            deviations.is_empty(),
            "expected each key's metadata and GetPublicKey to state the key ARN, the spec, \
             the usage and exactly the algorithm list of its usage (Encryption, Signing, \
             KeyAgreement, Encapsulation, Mac), got: {deviations:#?}"
        );
    };
    let what = "the algorithm lists of asymmetric and HMAC keys";
    caps.gate(Flag::ListsKeyAlgorithms, what, lists).await;
    session.finish().await;
}

/// The checks of [`key_spec_usages`] for one key; a deviation of the lists (which the flag
/// `lists_key_algorithms` covers) is added to `deviations`.
async fn check_key(
    kms: &dyn Kms,
    key: &Key,
    spec: &KeySpec,
    usage: &KeyUsage,
    deviations: &mut Vec<String>,
) {
    let what = format!("DescribeKey of a {spec} key for {usage}");
    let metadata = describe(kms, &key.by_id()).await;
    assert_eq!(
        (
            metadata.key_spec.as_ref(),
            metadata.customer_master_key_spec.as_ref(),
            metadata.key_usage.as_ref()
        ),
        (Some(spec), Some(spec), Some(usage)),
        "{what}: expected (KeySpec, CustomerMasterKeySpec, KeyUsage)"
    );
    let expected = expected_lists(spec, usage);
    let listed = metadata_lists(&metadata);
    if listed != expected {
        deviations.push(format!("{what}: {listed:?}, expected {expected:?}"));
    }
    if usage == &KeyUsage::GenerateVerifyMac {
        return;
    }
    let what = format!("GetPublicKey of a {spec} key for {usage}");
    let response = ok(
        kms.get_public_key(GetPublicKeyRequest::new(key.by_id()))
            .await,
        &what,
    );
    assert_spki(&response.public_key, spec, &what);
    let listed = (
        response.key_id.as_str(),
        response.key_spec.as_ref(),
        response.key_usage.as_ref(),
        [
            spelled(response.encryption_algorithms.as_ref()),
            spelled(response.signing_algorithms.as_ref()),
            spelled(response.key_agreement_algorithms.as_ref()),
            spelled(response.encapsulation_algorithms.as_ref()),
            None,
        ],
    );
    let expected = (key.arn.as_str(), Some(spec), Some(usage), expected);
    if listed != expected {
        deviations.push(format!("{what}: {listed:?}, expected {expected:?}"));
    }
}

/// CreateKey refuses every key usage a key spec does not allow with `ValidationException`
/// (`KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048` for the one pair whose
/// message a reference confirms).
pub async fn key_spec_usage_refusals(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let refused = async {
        let specs = KeySpec::ALL.iter().filter(|spec| **spec != KeySpec::Sm2);
        for spec in specs {
            let allowed = spec.allowed_key_usages();
            for usage in KeyUsage::ALL
                .iter()
                .filter(|usage| !allowed.contains(usage))
            {
                let request = CreateKeyRequest::new()
                    .with_key_spec(spec.clone())
                    .with_key_usage(usage.clone());
                let expected = if (spec, usage) == (&KeySpec::Rsa2048, &KeyUsage::KeyAgreement) {
                    Expected::aws(
                        AwsMessage::KeyUsageIncompatible,
                        &[usage.as_str(), spec.as_str()],
                    )
                } else {
                    Expected::code(VALIDATION)
                };
                let what = format!("CreateKey of a {spec} key for {usage}");
                expect_err(session.try_create(request).await, &what, expected);
            }
        }
    };
    let what = "CreateKey of a key usage the key spec does not allow";
    caps.gate(Flag::ValidatesKeySpecUsage, what, refused).await;
    session.finish().await;
}

/// EnableKeyRotation and RotateKeyOnDemand of an asymmetric key and of an HMAC key fail
/// with `UnsupportedOperationException`.
pub async fn asymmetric_rotation(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let keys = [
        session
            .create_for(KeySpec::EccNistP256, KeyUsage::SignVerify)
            .await,
        session
            .create_for(KeySpec::Hmac256, KeyUsage::GenerateVerifyMac)
            .await,
    ];
    let refused = async {
        for key in &keys {
            let what = format!("EnableKeyRotation of {}", key.arn);
            let result = kms.enable_key_rotation(EnableKeyRotationRequest::new(key.by_id()));
            expect_err(result.await, &what, Expected::code(UNSUPPORTED));
            let what = format!("RotateKeyOnDemand of {}", key.arn);
            let result = kms.rotate_key_on_demand(RotateKeyOnDemandRequest::new(key.by_id()));
            expect_err(result.await, &what, Expected::code(UNSUPPORTED));
        }
    };
    let what = "rotation of asymmetric and HMAC keys";
    caps.gate(Flag::RefusesAsymmetricRotation, what, refused)
        .await;
    session.finish().await;
}
