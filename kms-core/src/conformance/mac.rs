//! Checks of GenerateMac and VerifyMac.

use super::capabilities::{Capabilities, Flag};
use super::messages::AwsMessage;
use super::support::{
    Expected, INVALID_KEY_USAGE, Key, Session, VALIDATION, algorithm_incompatible, expect_err, ok,
    wrong_key_usage,
};
use crate::{
    EncryptRequest, GenerateMacRequest, GenerateMacResponse, KeySpec, KeyUsage, Kms,
    MacAlgorithmSpec, Result, VerifyMacRequest, VerifyMacResponse,
};

/// The HMAC key specs, their algorithm and its MAC length.
const HMAC_SPECS: [(KeySpec, MacAlgorithmSpec, usize); 4] = [
    (KeySpec::Hmac224, MacAlgorithmSpec::HmacSha224, 28),
    (KeySpec::Hmac256, MacAlgorithmSpec::HmacSha256, 32),
    (KeySpec::Hmac384, MacAlgorithmSpec::HmacSha384, 48),
    (KeySpec::Hmac512, MacAlgorithmSpec::HmacSha512, 64),
];

/// The message the checks authenticate.
const MESSAGE: &[u8] = b"a message authenticated by the conformance suite";

/// Sends GenerateMac.
async fn generate_mac(
    kms: &dyn Kms,
    key: &Key,
    message: &[u8],
    algorithm: &MacAlgorithmSpec,
) -> Result<GenerateMacResponse> {
    let request = GenerateMacRequest::new(message, key.by_id(), algorithm.clone());
    kms.generate_mac(request).await
}

/// Sends VerifyMac.
async fn verify_mac(
    kms: &dyn Kms,
    key: &Key,
    message: &[u8],
    algorithm: &MacAlgorithmSpec,
    mac: &[u8],
) -> Result<VerifyMacResponse> {
    let request = VerifyMacRequest::new(message, key.by_id(), algorithm.clone(), mac.to_vec());
    kms.verify_mac(request).await
}

/// For each HMAC key spec: GenerateMac gives a MAC of the hash's full length, the same for the
/// same message and another for another message or key, with the key ARN and the algorithm;
/// VerifyMac accepts it (`MacValid` true) and refuses a flipped bit, a cut MAC or another
/// message with `KMSInvalidMacException`.
pub async fn generate_verify_mac(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let mut macs = Vec::new();
    // The KeyId of each answer that is not the key ARN, which the flag `returns_key_arns`
    // covers.
    let mut not_arns = Vec::new();
    for (spec, algorithm, len) in HMAC_SPECS {
        let key = session
            .create_for(spec.clone(), KeyUsage::GenerateVerifyMac)
            .await;
        let what = format!("GenerateMac with {algorithm} under a {spec} key");
        let response = ok(generate_mac(kms, &key, MESSAGE, &algorithm).await, &what);
        assert_eq!(
            (response.mac.len(), response.mac_algorithm.as_ref()),
            (len, Some(&algorithm)),
            "{what}: expected a MAC of {len} bytes and the algorithm"
        );
        if response.key_id != key.arn {
            not_arns.push(format!("{what}: KeyId {}", response.key_id));
        }
        let again = ok(generate_mac(kms, &key, MESSAGE, &algorithm).await, &what);
        assert_eq!(
            again.mac, response.mac,
            "{what} twice: expected the same MAC"
        );
        let other = ok(generate_mac(kms, &key, b"other", &algorithm).await, &what);
        assert_ne!(
            other.mac, response.mac,
            "{what} of another message: expected another MAC"
        );

        let what = format!("VerifyMac with {algorithm}");
        let verified = ok(
            verify_mac(kms, &key, MESSAGE, &algorithm, &response.mac).await,
            &what,
        );
        assert_eq!(
            (verified.mac_valid, verified.mac_algorithm.as_ref()),
            (true, Some(&algorithm)),
            "{what}: expected MacValid true and the algorithm"
        );
        if verified.key_id != key.arn {
            not_arns.push(format!("{what}: KeyId {}", verified.key_id));
        }
        let mut flipped = response.mac.clone();
        flipped[0] ^= 0x80;
        let cut = &response.mac[..len - 1];
        let cases = [
            ("a flipped bit", MESSAGE, &flipped[..]),
            ("a cut MAC", MESSAGE, cut),
            ("another message", b"other".as_slice(), &response.mac[..]),
        ];
        for (case, message, mac) in cases {
            let what = format!("VerifyMac with {algorithm} of {case}");
            let result = verify_mac(kms, &key, message, &algorithm, mac).await;
            expect_err(result, &what, Expected::aws(AwsMessage::InvalidMac, &[]));
        }
        macs.push(response.mac);
    }
    // A second HMAC_256 key: the same message has another MAC under another key.
    let key = session
        .create_for(KeySpec::Hmac256, KeyUsage::GenerateVerifyMac)
        .await;
    let algorithm = MacAlgorithmSpec::HmacSha256;
    let what = "GenerateMac under a second HMAC_256 key";
    let response = ok(generate_mac(kms, &key, MESSAGE, &algorithm).await, what);
    let arns = async {
        assert!(
            not_arns.is_empty(),
            "GenerateMac and VerifyMac: expected the key ARN as KeyId, got {not_arns:#?}"
        );
    };
    let what = "the KeyId of GenerateMac and VerifyMac";
    caps.gate(Flag::ReturnsKeyArns, what, arns).await;
    assert_ne!(
        response.mac, macs[1],
        "{what}: expected another MAC than the first key's"
    );
    session.finish().await;
}

/// GenerateMac and VerifyMac take 1 to 4096 bytes and only the key's algorithm
/// (`Algorithm <algorithm> is incompatible with key spec <spec>.`); they refuse a key of
/// another usage, and an HMAC key refuses Encrypt.
pub async fn mac_validation(kms: &dyn Kms, caps: &Capabilities) {
    let mut session = Session::new(kms);
    let key = session
        .create_for(KeySpec::Hmac224, KeyUsage::GenerateVerifyMac)
        .await;
    let algorithm = MacAlgorithmSpec::HmacSha224;
    let long = [0x5a; 4096];
    let what = "GenerateMac of 4096 bytes";
    let mac = ok(generate_mac(kms, &key, &long, &algorithm).await, what).mac;
    let what = "VerifyMac of 4096 bytes";
    ok(verify_mac(kms, &key, &long, &algorithm, &mac).await, what);

    let refused = async {
        for size in [0, 4097] {
            let message = vec![0x5a; size];
            let what = format!("GenerateMac of {size} bytes");
            let result = generate_mac(kms, &key, &message, &algorithm).await;
            expect_err(result, &what, Expected::code(VALIDATION));
            let what = format!("VerifyMac of {size} bytes");
            let result = verify_mac(kms, &key, &message, &algorithm, &mac).await;
            expect_err(result, &what, Expected::code(VALIDATION));
        }
        let other = MacAlgorithmSpec::HmacSha256;
        let expected = algorithm_incompatible(other.as_str(), &KeySpec::Hmac224);
        let result = generate_mac(kms, &key, MESSAGE, &other).await;
        expect_err(
            result,
            "GenerateMac with HMAC_SHA_256 under HMAC_224",
            expected,
        );
        let expected = algorithm_incompatible(other.as_str(), &KeySpec::Hmac224);
        let result = verify_mac(kms, &key, MESSAGE, &other, &mac).await;
        expect_err(
            result,
            "VerifyMac with HMAC_SHA_256 under HMAC_224",
            expected,
        );

        let symmetric = session.key().await;
        let result = generate_mac(kms, &symmetric, MESSAGE, &algorithm).await;
        let what = "GenerateMac with a symmetric key";
        expect_err(result, what, Expected::code(INVALID_KEY_USAGE));
        let request = EncryptRequest::new(key.by_id(), MESSAGE);
        let expected = wrong_key_usage(&key.arn, &KeyUsage::GenerateVerifyMac, "Encrypt");
        expect_err(
            kms.encrypt(request).await,
            "Encrypt with an HMAC key",
            expected,
        );
    };
    caps.gate(
        Flag::ValidatesMacRequests,
        "GenerateMac and VerifyMac validation",
        refused,
    )
    .await;
    session.finish().await;
}
