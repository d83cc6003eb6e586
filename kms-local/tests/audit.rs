//! The audit log: one well-formed event per call, failed ones included, and no secret; a
//! sink that fails never fails a call that ran, and refuses the next ones until it records.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU32, Ordering};

use kms_core::{
    DecryptRequest, DescribeKeyRequest, EncryptRequest, EncryptionContext, KeyId, Kms, KmsExt,
};
use kms_local::LocalKms;
use kms_local::audit::{AuditEvent, AuditSink, JsonLinesAuditLog, MemoryAuditLog};

#[tokio::test]
async fn every_call_is_one_event_with_cloudtrail_names_and_no_secret() {
    let log = MemoryAuditLog::new();
    let kms = LocalKms::builder().audit(log.clone()).build().unwrap();
    let key = kms.create_symmetric_key("audited").await.unwrap();
    let arn = key.arn.clone().unwrap();
    let context = EncryptionContext::new().with("purpose", "audit");
    let request = EncryptRequest::new(KeyId::parse(&key.key_id).unwrap(), b"plaintext-marker")
        .with_encryption_context(context.clone());
    let blob = kms.encrypt(request).await.unwrap().ciphertext_blob;
    let decrypted = kms
        .decrypt(DecryptRequest::new(blob.clone()).with_encryption_context(context.clone()))
        .await
        .unwrap();
    kms.generate_aes256_data_key("alias/none", &context)
        .await
        .unwrap_err();
    let failed = kms.decrypt(DecryptRequest::new(blob)).await.unwrap_err();

    let events = log.events();
    let names: Vec<&str> = events.iter().map(|e| e.event_name).collect();
    assert_eq!(
        names,
        [
            "CreateKey",
            "Encrypt",
            "Decrypt",
            "GenerateDataKey",
            "Decrypt"
        ]
    );

    let encrypt = &events[1];
    assert_eq!(encrypt.resources[0].arn, arn);
    assert_eq!(encrypt.resources[0].resource_type, "AWS::KMS::Key");
    assert_eq!(
        encrypt.request_parameters["encryptionContext"]["purpose"],
        "audit"
    );
    assert_eq!(encrypt.event_source, "kms.amazonaws.com");
    assert_eq!(encrypt.aws_region, "us-east-1");
    assert!(encrypt.event_time.ends_with('Z'));
    assert_ne!(encrypt.request_id, events[2].request_id);

    let decrypt = &events[2];
    assert_eq!(
        decrypt.resources[0].arn, arn,
        "Decrypt names the key its blob named"
    );
    assert_eq!(decrypt.error_code, None);

    let missing_alias = &events[3];
    assert_eq!(
        missing_alias.error_code.as_deref(),
        Some("NotFoundException")
    );
    assert!(missing_alias.resources.is_empty());

    let failed_decrypt = &events[4];
    assert_eq!(failed_decrypt.error_code.as_deref(), Some(failed.code()));
    assert_eq!(failed_decrypt.error_message.as_deref(), Some(""));

    let everything = serde_json::to_string(&events).unwrap();
    assert!(!everything.contains("plaintext-marker"));
    let plaintext_b64 = format!("{:?}", decrypted.plaintext.expose_secret());
    assert!(!everything.contains(&plaintext_b64[1..plaintext_b64.len() - 1]));
}

#[tokio::test]
async fn the_json_lines_file_answers_which_keys_were_used_for_what_and_when() {
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("audit.jsonl");
    let kms = LocalKms::builder()
        .audit(JsonLinesAuditLog::open(&path).unwrap().with_fsync(true))
        .build()
        .unwrap();
    let key = kms.create_symmetric_key("logged").await.unwrap();
    let context = EncryptionContext::new();
    kms.encrypt_bytes(&key.key_id, b"x", &context)
        .await
        .unwrap();
    kms.encrypt_bytes("alias/nope", b"x", &context)
        .await
        .unwrap_err();

    let text = std::fs::read_to_string(&path).unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(events.len(), 3);
    let used: Vec<(&str, &str, bool)> = events
        .iter()
        .map(|e| {
            (
                e["eventName"].as_str().unwrap(),
                e["eventTime"].as_str().unwrap(),
                e.get("errorCode").is_some(),
            )
        })
        .collect();
    assert_eq!(used[1].0, "Encrypt");
    assert!(!used[1].2);
    assert_eq!(events[1]["resources"][0]["ARN"], key.arn.unwrap().as_str());
    assert_eq!(events[2]["errorCode"], "NotFoundException");
    assert_eq!(events[2]["requestParameters"]["keyId"], "alias/nope");
    assert_eq!(events[0]["requestParameters"]["description"], "logged");
}

/// A sink that fails its first `failures` writes, with a cause of its own.
#[derive(Debug)]
struct FlakySink {
    failures: AtomicU32,
    log: MemoryAuditLog,
}

impl AuditSink for FlakySink {
    fn record(&self, event: &AuditEvent) -> kms_core::Result<()> {
        let failing = self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            })
            .is_ok();
        if failing {
            return Err(kms_core::Error::Backend {
                backend: "test",
                message: "the log disk is on fire".to_owned(),
                retryable: true,
                source: None,
            });
        }
        self.log.record(event)
    }
}

#[tokio::test]
async fn a_failed_audit_write_keeps_the_result_and_refuses_the_next_calls_until_it_records() {
    let log = MemoryAuditLog::new();
    let kms = LocalKms::builder()
        .audit(FlakySink {
            failures: AtomicU32::new(2),
            log: log.clone(),
        })
        .build()
        .unwrap();

    // The key is made, and the caller learns its ID: a retry would make a second key.
    let key = kms.create_symmetric_key("committed").await.unwrap();
    assert_eq!(kms.key_count(), 1);

    // The sink still fails: the next call is refused, and does nothing.
    let err = kms.create_symmetric_key("refused").await.unwrap_err();
    assert!(
        matches!(
            err,
            kms_core::Error::Backend {
                backend: "local",
                retryable: true,
                ..
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("FlakySink"), "names the sink: {message}");
    assert!(
        message.contains("the log disk is on fire"),
        "names the cause: {message}"
    );
    assert_eq!(kms.key_count(), 1);
    assert!(log.events().is_empty());

    // The sink works again: the held event is recorded first, then the call runs.
    kms.describe_key(DescribeKeyRequest::new(KeyId::parse(&key.key_id).unwrap()))
        .await
        .unwrap();
    let names: Vec<&str> = log.events().iter().map(|e| e.event_name).collect();
    assert_eq!(names, ["CreateKey", "DescribeKey"]);
    assert_eq!(log.events()[0].resources[0].arn, key.arn.unwrap());
}

/// `/dev/full`, where every write fails as on a full disk, is a device of Linux.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_file_sink_that_cannot_write_fails_closed_naming_the_file() {
    // Every write to /dev/full fails as on a full disk.
    let kms = LocalKms::builder()
        .audit(JsonLinesAuditLog::open("/dev/full").unwrap())
        .build()
        .unwrap();
    kms.create_symmetric_key("committed").await.unwrap();
    assert_eq!(kms.key_count(), 1);
    for _ in 0..2 {
        let err = kms
            .encrypt_bytes("alias/any", b"x", &EncryptionContext::new())
            .await
            .unwrap_err();
        let message = err.to_string();
        assert!(message.contains("/dev/full"), "{message}");
        assert!(message.contains("No space left on device"), "{message}");
        assert!(err.is_retryable(), "{err:?}");
    }
}

#[tokio::test]
async fn signing_mac_and_key_pair_calls_are_events_with_their_key_and_never_their_inputs() {
    use kms_core::{
        CreateKeyRequest, DataKeyPairSpec, GenerateDataKeyPairRequest, GenerateMacRequest,
        GetPublicKeyRequest, KeySpec, KeyUsage, MacAlgorithmSpec, SecretBytes, SignRequest,
        SigningAlgorithmSpec, VerifyMacRequest, VerifyRequest,
    };
    let log = MemoryAuditLog::new();
    let kms = LocalKms::builder().audit(log.clone()).build().unwrap();
    let create = |spec: KeySpec, usage: KeyUsage| {
        let kms = kms.clone();
        async move {
            kms.create_key(
                CreateKeyRequest::new()
                    .with_key_spec(spec)
                    .with_key_usage(usage),
            )
            .await
            .unwrap()
            .key_metadata
        }
    };
    let signer = create(KeySpec::EccNistP256, KeyUsage::SignVerify).await;
    let mac_key = create(KeySpec::Hmac256, KeyUsage::GenerateVerifyMac).await;
    let symmetric = kms.create_symmetric_key("pairs").await.unwrap();
    let key = |metadata: &kms_core::KeyMetadata| KeyId::parse(&metadata.key_id).unwrap();
    let marker = || SecretBytes::from(&b"message-marker"[..]);

    kms.get_public_key(GetPublicKeyRequest::new(key(&signer)))
        .await
        .unwrap();
    let signature = kms
        .sign(SignRequest::new(
            key(&signer),
            marker(),
            SigningAlgorithmSpec::EcdsaSha256,
        ))
        .await
        .unwrap()
        .signature;
    kms.verify(VerifyRequest::new(
        key(&signer),
        marker(),
        signature.clone(),
        SigningAlgorithmSpec::EcdsaSha256,
    ))
    .await
    .unwrap();
    let mac = kms
        .generate_mac(GenerateMacRequest::new(
            marker(),
            key(&mac_key),
            MacAlgorithmSpec::HmacSha256,
        ))
        .await
        .unwrap()
        .mac;
    kms.verify_mac(VerifyMacRequest::new(
        marker(),
        key(&mac_key),
        MacAlgorithmSpec::HmacSha256,
        vec![0; 32],
    ))
    .await
    .unwrap_err();
    let pair = kms
        .generate_data_key_pair(GenerateDataKeyPairRequest::new(
            KeyId::parse(&symmetric.key_id).unwrap(),
            DataKeyPairSpec::EccNistP256,
        ))
        .await
        .unwrap();

    let events = log.events();
    let named: Vec<(&str, &str)> = events[3..]
        .iter()
        .map(|e| (e.event_name, e.resources[0].arn.as_str()))
        .collect();
    let arn = |metadata: &kms_core::KeyMetadata| metadata.arn.clone().unwrap();
    assert_eq!(
        named,
        [
            ("GetPublicKey", arn(&signer).as_str()),
            ("Sign", arn(&signer).as_str()),
            ("Verify", arn(&signer).as_str()),
            ("GenerateMac", arn(&mac_key).as_str()),
            ("VerifyMac", arn(&mac_key).as_str()),
            ("GenerateDataKeyPair", symmetric.arn.as_deref().unwrap()),
        ]
    );
    assert_eq!(
        events[4].request_parameters["signingAlgorithm"],
        "ECDSA_SHA_256"
    );
    assert_eq!(events[6].request_parameters["macAlgorithm"], "HMAC_SHA_256");
    assert_eq!(
        events[7].error_code.as_deref(),
        Some("KMSInvalidMacException")
    );
    assert_eq!(events[8].request_parameters["keyPairSpec"], "ECC_NIST_P256");

    let everything = serde_json::to_string(&events).unwrap();
    assert!(!everything.contains("message-marker"), "{everything}");
    for secret in [
        &signature[..],
        &mac[..],
        pair.private_key_plaintext.expose_secret(),
    ] {
        let shown = format!("{secret:?}");
        assert!(!everything.contains(&shown[1..shown.len() - 1]));
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(secret);
        assert!(!everything.contains(&encoded));
    }
}
