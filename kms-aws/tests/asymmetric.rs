//! The asymmetric, HMAC and shared-secret operations of `AwsKms` against answers of
//! `aws-smithy-mocks`: what each request sends (every member of the trait's request, by its
//! AWS spelling) and how each answer is read (every member, the secrets into wiping types,
//! a missing required member an error naming it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use aws_sdk_kms::Client;
use aws_sdk_kms::config::retry::RetryConfig;
use aws_sdk_kms::operation::decapsulate::DecapsulateOutput;
use aws_sdk_kms::operation::derive_shared_secret::DeriveSharedSecretOutput;
use aws_sdk_kms::operation::encapsulate::EncapsulateOutput;
use aws_sdk_kms::operation::generate_data_key_pair::GenerateDataKeyPairOutput;
use aws_sdk_kms::operation::generate_data_key_pair_without_plaintext::GenerateDataKeyPairWithoutPlaintextOutput;
use aws_sdk_kms::operation::generate_mac::GenerateMacOutput;
use aws_sdk_kms::operation::get_public_key::GetPublicKeyOutput;
use aws_sdk_kms::operation::sign::SignOutput;
use aws_sdk_kms::operation::verify::VerifyOutput;
use aws_sdk_kms::operation::verify_mac::VerifyMacOutput;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types as sdk;
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use kms_aws::AwsKms;
use kms_core::{
    DataKeyPairSpec, DecapsulateRequest, DeriveSharedSecretRequest, EncapsulateRequest,
    EncapsulationAlgorithmSpec, EncryptionAlgorithmSpec, EncryptionContext, Error,
    GenerateDataKeyPairRequest, GenerateDataKeyPairWithoutPlaintextRequest, GenerateMacRequest,
    GetPublicKeyRequest, KeyAgreementAlgorithmSpec, KeyId, KeySpec, KeyUsage, Kms,
    MacAlgorithmSpec, MessageType, OriginType, SignRequest, SigningAlgorithmSpec, VerifyMacRequest,
    VerifyRequest,
};

const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn key_id() -> KeyId {
    KeyId::parse("alias/signing").unwrap()
}

/// An `AwsKms` over a client that answers with `rules`, with retries off.
async fn mocked(rules: &[&Rule]) -> AwsKms {
    let client = mock_client!(aws_sdk_kms, RuleMode::MatchAny, rules, |config| config
        .retry_config(RetryConfig::disabled()));
    AwsKms::builder().with_client(client).build().await.unwrap()
}

fn tokens() -> Vec<String> {
    vec!["token-1".to_owned()]
}

#[tokio::test]
async fn get_public_key_reads_every_member() {
    let rule = mock!(Client::get_public_key)
        .match_requests(|input| {
            input.key_id() == Some("alias/signing") && input.grant_tokens() == ["token-1"]
        })
        .then_output(|| {
            #[allow(deprecated)]
            GetPublicKeyOutput::builder()
                .key_id(KEY_ARN)
                .public_key(Blob::new(vec![0x30, 0x59]))
                .customer_master_key_spec(sdk::CustomerMasterKeySpec::Rsa2048)
                .key_spec(sdk::KeySpec::Rsa2048)
                .key_usage(sdk::KeyUsageType::EncryptDecrypt)
                .encryption_algorithms(sdk::EncryptionAlgorithmSpec::RsaesOaepSha1)
                .encryption_algorithms(sdk::EncryptionAlgorithmSpec::RsaesOaepSha256)
                .build()
        });
    let kms = mocked(&[&rule]).await;
    let response = kms
        .get_public_key(GetPublicKeyRequest::new(key_id()).with_grant_tokens(tokens()))
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(response.key_id, KEY_ARN);
    assert_eq!(response.public_key, [0x30, 0x59]);
    assert_eq!(response.key_spec, Some(KeySpec::Rsa2048));
    assert_eq!(
        response
            .customer_master_key_spec
            .as_ref()
            .map(KeySpec::as_str),
        Some("RSA_2048")
    );
    assert_eq!(response.key_usage, Some(KeyUsage::EncryptDecrypt));
    assert_eq!(
        response.encryption_algorithms,
        Some(vec![
            EncryptionAlgorithmSpec::RsaesOaepSha1,
            EncryptionAlgorithmSpec::RsaesOaepSha256
        ])
    );
    assert_eq!(response.signing_algorithms, None);
}

#[tokio::test]
async fn get_public_key_reads_ml_kem_and_key_agreement_algorithms() {
    let rule = mock!(Client::get_public_key).then_output(|| {
        GetPublicKeyOutput::builder()
            .key_id(KEY_ARN)
            .public_key(Blob::new(vec![1]))
            .key_spec(sdk::KeySpec::MlKem768)
            .key_usage(sdk::KeyUsageType::EncapsulateDecapsulate)
            .encapsulation_algorithms(sdk::EncapsulationAlgorithmSpec::MlKem)
            .key_agreement_algorithms(sdk::KeyAgreementAlgorithmSpec::from("FUTURE_KA"))
            .build()
    });
    let kms = mocked(&[&rule]).await;
    let response = kms
        .get_public_key(GetPublicKeyRequest::new(key_id()))
        .await
        .unwrap();
    assert_eq!(response.key_spec, Some(KeySpec::MlKem768));
    assert_eq!(response.key_usage, Some(KeyUsage::EncapsulateDecapsulate));
    assert_eq!(
        response.encapsulation_algorithms,
        Some(vec![EncapsulationAlgorithmSpec::MlKem])
    );
    // A value this version does not know is kept as it came.
    let agreement = response.key_agreement_algorithms.unwrap();
    assert_eq!(agreement[0].as_str(), "FUTURE_KA");
}

#[tokio::test]
async fn an_answer_without_a_public_key_names_the_member() {
    let rule = mock!(Client::get_public_key)
        .then_output(|| GetPublicKeyOutput::builder().key_id(KEY_ARN).build());
    let kms = mocked(&[&rule]).await;
    let err = kms
        .get_public_key(GetPublicKeyRequest::new(key_id()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Backend {
                retryable: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.message(),
        "GetPublicKey at AWS KMS in us-east-1 gave an answer that is not AWS KMS's: it has no \
         PublicKey"
    );
}

#[tokio::test]
async fn sign_sends_every_member() {
    let rule = mock!(Client::sign)
        .match_requests(|input| {
            input.key_id() == Some("alias/signing")
                && input.message().map(Blob::as_ref) == Some(&[7u8; 32][..])
                && input.message_type() == Some(&sdk::MessageType::Digest)
                && input.signing_algorithm() == Some(&sdk::SigningAlgorithmSpec::EcdsaSha256)
                && input.grant_tokens() == ["token-1"]
                && input.dry_run() == Some(false)
        })
        .then_output(|| {
            SignOutput::builder()
                .key_id(KEY_ARN)
                .signature(Blob::new(b"der signature".to_vec()))
                .signing_algorithm(sdk::SigningAlgorithmSpec::EcdsaSha256)
                .build()
        });
    let kms = mocked(&[&rule]).await;
    let request = SignRequest::new(key_id(), &[7u8; 32], SigningAlgorithmSpec::EcdsaSha256)
        .with_message_type(MessageType::Digest)
        .with_grant_tokens(tokens())
        .with_dry_run(false);
    let response = kms.sign(request).await.unwrap();
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(response.key_id, KEY_ARN);
    assert_eq!(response.signature, b"der signature");
    assert_eq!(
        response.signing_algorithm,
        Some(SigningAlgorithmSpec::EcdsaSha256)
    );
}

#[tokio::test]
async fn sign_without_a_message_type_leaves_it_to_the_service() {
    let rule = mock!(Client::sign)
        .match_requests(|input| input.message_type().is_none() && input.dry_run().is_none())
        .then_output(|| {
            SignOutput::builder()
                .key_id(KEY_ARN)
                .signature(Blob::new(vec![1]))
                .build()
        });
    let kms = mocked(&[&rule]).await;
    let request = SignRequest::new(key_id(), b"m", SigningAlgorithmSpec::Ed25519Sha512);
    kms.sign(request).await.unwrap();
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn verify_sends_every_member() {
    let rule = mock!(Client::verify)
        .match_requests(|input| {
            input.message().map(Blob::as_ref) == Some(&b"message"[..])
                && input.message_type() == Some(&sdk::MessageType::Raw)
                && input.signature().map(Blob::as_ref) == Some(&b"sig"[..])
                && input.signing_algorithm()
                    == Some(&sdk::SigningAlgorithmSpec::RsassaPkcs1V15Sha384)
                && input.dry_run() == Some(true)
        })
        .then_output(|| {
            VerifyOutput::builder()
                .key_id(KEY_ARN)
                .signature_valid(true)
                .signing_algorithm(sdk::SigningAlgorithmSpec::RsassaPkcs1V15Sha384)
                .build()
        });
    let kms = mocked(&[&rule]).await;
    let request = VerifyRequest::new(
        key_id(),
        b"message",
        b"sig".to_vec(),
        SigningAlgorithmSpec::RsassaPkcs1V15Sha384,
    )
    .with_message_type(MessageType::Raw)
    .with_dry_run(true);
    let response = kms.verify(request).await.unwrap();
    assert_eq!(rule.num_calls(), 1);
    assert!(response.signature_valid);
    assert_eq!(response.key_id, KEY_ARN);
    assert_eq!(
        response.signing_algorithm,
        Some(SigningAlgorithmSpec::RsassaPkcs1V15Sha384)
    );
}

#[tokio::test]
async fn generate_mac_and_verify_mac_send_every_member() {
    let generate = mock!(Client::generate_mac)
        .match_requests(|input| {
            input.message().map(Blob::as_ref) == Some(&b"message"[..])
                && input.mac_algorithm() == Some(&sdk::MacAlgorithmSpec::HmacSha384)
                && input.grant_tokens() == ["token-1"]
        })
        .then_output(|| {
            GenerateMacOutput::builder()
                .key_id(KEY_ARN)
                .mac(Blob::new(vec![9; 48]))
                .mac_algorithm(sdk::MacAlgorithmSpec::HmacSha384)
                .build()
        });
    let verify = mock!(Client::verify_mac)
        .match_requests(|input| {
            input.mac().map(Blob::as_ref) == Some(&[9u8; 48][..])
                && input.mac_algorithm() == Some(&sdk::MacAlgorithmSpec::HmacSha384)
        })
        .then_output(|| {
            VerifyMacOutput::builder()
                .key_id(KEY_ARN)
                .mac_valid(true)
                .mac_algorithm(sdk::MacAlgorithmSpec::HmacSha384)
                .build()
        });
    let kms = mocked(&[&generate, &verify]).await;
    let request = GenerateMacRequest::new(b"message", key_id(), MacAlgorithmSpec::HmacSha384)
        .with_grant_tokens(tokens());
    let mac = kms.generate_mac(request).await.unwrap();
    assert_eq!(mac.mac, [9; 48]);
    assert_eq!(mac.key_id, KEY_ARN);
    assert_eq!(mac.mac_algorithm, Some(MacAlgorithmSpec::HmacSha384));
    let request =
        VerifyMacRequest::new(b"message", key_id(), MacAlgorithmSpec::HmacSha384, mac.mac);
    let verified = kms.verify_mac(request).await.unwrap();
    assert!(verified.mac_valid);
    assert_eq!(verified.mac_algorithm, Some(MacAlgorithmSpec::HmacSha384));
    assert_eq!((generate.num_calls(), verify.num_calls()), (1, 1));
}

#[tokio::test]
async fn generate_data_key_pair_keeps_the_private_key_secret() {
    let rule = mock!(Client::generate_data_key_pair)
        .match_requests(|input| {
            input.key_pair_spec() == Some(&sdk::DataKeyPairSpec::EccNistP384)
                && input
                    .encryption_context()
                    .and_then(|context| context.get("purpose"))
                    .map(String::as_str)
                    == Some("test")
        })
        .then_output(|| {
            GenerateDataKeyPairOutput::builder()
                .key_id(KEY_ARN)
                .private_key_ciphertext_blob(Blob::new(b"wrapped".to_vec()))
                .private_key_plaintext(Blob::new(b"pkcs8 private key".to_vec()))
                .public_key(Blob::new(b"spki".to_vec()))
                .key_pair_spec(sdk::DataKeyPairSpec::EccNistP384)
                .key_material_id("a".repeat(64))
                .build()
        });
    let kms = mocked(&[&rule]).await;
    let request = GenerateDataKeyPairRequest::new(key_id(), DataKeyPairSpec::EccNistP384)
        .with_encryption_context(EncryptionContext::new().with("purpose", "test"));
    let pair = kms.generate_data_key_pair(request).await.unwrap();
    assert_eq!(rule.num_calls(), 1);
    assert_eq!(
        pair.private_key_plaintext.expose_secret(),
        b"pkcs8 private key"
    );
    assert_eq!(pair.private_key_ciphertext_blob, b"wrapped");
    assert_eq!(pair.public_key, b"spki");
    assert_eq!(pair.key_pair_spec, DataKeyPairSpec::EccNistP384);
    assert_eq!(pair.key_id, KEY_ARN);
    assert_eq!(pair.key_material_id, Some("a".repeat(64)));
    let debug = format!("{pair:?}");
    assert!(!debug.contains("pkcs8 private key"), "{debug}");
}

#[tokio::test]
async fn generate_data_key_pair_without_plaintext_reads_every_member() {
    let rule = mock!(Client::generate_data_key_pair_without_plaintext)
        .match_requests(|input| input.key_pair_spec() == Some(&sdk::DataKeyPairSpec::MlKem512))
        .then_output(|| {
            GenerateDataKeyPairWithoutPlaintextOutput::builder()
                .key_id(KEY_ARN)
                .private_key_ciphertext_blob(Blob::new(b"wrapped".to_vec()))
                .public_key(Blob::new(b"spki".to_vec()))
                .key_pair_spec(sdk::DataKeyPairSpec::MlKem512)
                .build()
        });
    let kms = mocked(&[&rule]).await;
    let request =
        GenerateDataKeyPairWithoutPlaintextRequest::new(key_id(), DataKeyPairSpec::MlKem512);
    let pair = kms
        .generate_data_key_pair_without_plaintext(request)
        .await
        .unwrap();
    assert_eq!(pair.private_key_ciphertext_blob, b"wrapped");
    assert_eq!(pair.public_key, b"spki");
    assert_eq!(pair.key_pair_spec, DataKeyPairSpec::MlKem512);
    assert_eq!(pair.key_material_id, None);
}

#[tokio::test]
async fn an_answer_without_its_key_pair_spec_names_the_member() {
    let rule = mock!(Client::generate_data_key_pair_without_plaintext).then_output(|| {
        GenerateDataKeyPairWithoutPlaintextOutput::builder()
            .key_id(KEY_ARN)
            .private_key_ciphertext_blob(Blob::new(b"wrapped".to_vec()))
            .public_key(Blob::new(b"spki".to_vec()))
            .build()
    });
    let kms = mocked(&[&rule]).await;
    let request =
        GenerateDataKeyPairWithoutPlaintextRequest::new(key_id(), DataKeyPairSpec::Rsa4096);
    let err = kms
        .generate_data_key_pair_without_plaintext(request)
        .await
        .unwrap_err();
    assert!(err.message().ends_with("it has no KeyPairSpec"), "{err}");
}

#[tokio::test]
async fn derive_shared_secret_reads_the_raw_secret() {
    let rule = mock!(Client::derive_shared_secret)
        .match_requests(|input| {
            input.key_agreement_algorithm() == Some(&sdk::KeyAgreementAlgorithmSpec::Ecdh)
                && input.public_key().map(Blob::as_ref) == Some(&b"peer spki"[..])
        })
        .then_output(|| {
            DeriveSharedSecretOutput::builder()
                .key_id(KEY_ARN)
                .shared_secret(Blob::new(vec![5; 32]))
                .key_agreement_algorithm(sdk::KeyAgreementAlgorithmSpec::Ecdh)
                .key_origin(sdk::OriginType::AwsKms)
                .build()
        });
    let kms = mocked(&[&rule]).await;
    let request = DeriveSharedSecretRequest::new(
        key_id(),
        KeyAgreementAlgorithmSpec::Ecdh,
        b"peer spki".to_vec(),
    );
    let response = kms.derive_shared_secret(request).await.unwrap();
    assert_eq!(response.shared_secret.expose_secret(), &[5; 32]);
    assert_eq!(
        response.key_agreement_algorithm,
        Some(KeyAgreementAlgorithmSpec::Ecdh)
    );
    assert_eq!(response.key_origin, Some(OriginType::AwsKms));
    assert!(!format!("{response:?}").contains("[5, 5"));
}

#[tokio::test]
async fn encapsulate_and_decapsulate_read_every_member() {
    let encapsulate = mock!(Client::encapsulate)
        .match_requests(|input| {
            input.encapsulation_algorithm() == Some(&sdk::EncapsulationAlgorithmSpec::MlKem)
        })
        .then_output(|| {
            EncapsulateOutput::builder()
                .key_id(KEY_ARN)
                .shared_secret(Blob::new(vec![3; 32]))
                .shared_secret_ciphertext_blob(Blob::new(vec![4; 1088]))
                .encapsulation_algorithm(sdk::EncapsulationAlgorithmSpec::MlKem)
                .build()
        });
    let decapsulate = mock!(Client::decapsulate)
        .match_requests(|input| {
            input.shared_secret_ciphertext_blob().map(Blob::as_ref) == Some(&[4u8; 1088][..])
        })
        .then_output(|| {
            DecapsulateOutput::builder()
                .key_id(KEY_ARN)
                .shared_secret(Blob::new(vec![3; 32]))
                .encapsulation_algorithm(sdk::EncapsulationAlgorithmSpec::MlKem)
                .build()
        });
    let kms = mocked(&[&encapsulate, &decapsulate]).await;
    let sealed = kms
        .encapsulate(EncapsulateRequest::new(
            key_id(),
            EncapsulationAlgorithmSpec::MlKem,
        ))
        .await
        .unwrap();
    assert_eq!(sealed.shared_secret.expose_secret(), &[3; 32]);
    assert_eq!(sealed.shared_secret_ciphertext_blob.len(), 1088);
    assert_eq!(
        sealed.encapsulation_algorithm,
        Some(EncapsulationAlgorithmSpec::MlKem)
    );
    let opened = kms
        .decapsulate(DecapsulateRequest::new(
            key_id(),
            sealed.shared_secret_ciphertext_blob,
            EncapsulationAlgorithmSpec::MlKem,
        ))
        .await
        .unwrap();
    assert_eq!(opened.shared_secret.expose_secret(), &[3; 32]);
    assert_eq!(opened.key_id, KEY_ARN);
    assert_eq!((encapsulate.num_calls(), decapsulate.num_calls()), (1, 1));
}

#[tokio::test]
async fn an_answer_without_its_shared_secret_names_the_member() {
    let rule = mock!(Client::decapsulate)
        .then_output(|| DecapsulateOutput::builder().key_id(KEY_ARN).build());
    let kms = mocked(&[&rule]).await;
    let request =
        DecapsulateRequest::new(key_id(), vec![0; 768], EncapsulationAlgorithmSpec::MlKem);
    let err = kms.decapsulate(request).await.unwrap_err();
    assert!(err.message().ends_with("it has no SharedSecret"), "{err}");
}
