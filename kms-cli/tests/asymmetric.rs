//! The asymmetric, HMAC and shared-secret subcommands end to end, each call a new process on
//! one persistent local store: their flags (`aws kms`'s), their JSON (blobs in base64), their
//! `--query`/`--output text` and the AWS CLI's exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

mod common;

use common::{Workdir, blob};

/// Creates a key of `spec` for `usage`; its key ID.
fn create_key(store: &Workdir, spec: &str, usage: &str) -> String {
    store.ok(&[
        "create-key",
        "--key-spec",
        spec,
        "--key-usage",
        usage,
        "--output",
        "text",
        "--query",
        "KeyMetadata.KeyId",
    ])
}

/// Owned arguments as `kms` takes them.
fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// `first` then `extra`, owned.
fn with(first: &[&str], extra: &[&str]) -> Vec<String> {
    first
        .iter()
        .chain(extra)
        .map(|arg| (*arg).to_owned())
        .collect()
}

/// `bytes` with the last one changed.
fn altered(bytes: &[u8]) -> Vec<u8> {
    let mut altered = bytes.to_vec();
    if let Some(last) = altered.last_mut() {
        *last ^= 1;
    }
    altered
}

#[test]
fn create_key_makes_asymmetric_and_hmac_keys() {
    let store = Workdir::new("create-asymmetric");
    let created = store.json(&[
        "create-key",
        "--key-spec",
        "RSA_2048",
        "--key-usage",
        "SIGN_VERIFY",
    ]);
    let metadata = &created["KeyMetadata"];
    assert_eq!(metadata["KeySpec"], "RSA_2048");
    assert_eq!(metadata["KeyUsage"], "SIGN_VERIFY");
    assert_eq!(metadata["SigningAlgorithms"][0], "RSASSA_PSS_SHA_256");
    assert!(metadata.get("EncryptionAlgorithms").is_none(), "{metadata}");

    let created = store.json(&[
        "create-key",
        "--key-spec",
        "HMAC_384",
        "--key-usage",
        "GENERATE_VERIFY_MAC",
    ]);
    assert_eq!(created["KeyMetadata"]["MacAlgorithms"][0], "HMAC_SHA_384");

    // AWS's rule: an HMAC key needs its KeyUsage.
    let message = store.refused(
        &["create-key", "--key-spec", "HMAC_256"],
        "CreateKey",
        "ValidationException",
    );
    assert!(message.contains("KeyUsage"), "{message}");
}

#[test]
fn sign_and_verify_a_file() {
    let store = Workdir::new("sign");
    let key_id = create_key(&store, "ECC_NIST_P256", "SIGN_VERIFY");
    let message = store.fileb("message.txt", b"a message to sign");

    let public = store.json(&["get-public-key", "--key-id", &key_id]);
    assert!(public["KeyId"].as_str().unwrap().ends_with(&key_id));
    assert_eq!(public["KeySpec"], "ECC_NIST_P256");
    assert_eq!(public["KeyUsage"], "SIGN_VERIFY");
    assert_eq!(public["SigningAlgorithms"][0], "ECDSA_SHA_256");
    // A P-256 SubjectPublicKeyInfo: SEQUENCE of 89 bytes.
    assert_eq!(blob(&public, "PublicKey")[..2], [0x30, 0x59]);

    let signed = store.json(&[
        "sign",
        "--key-id",
        &key_id,
        "--message",
        &message,
        "--message-type",
        "RAW",
        "--signing-algorithm",
        "ECDSA_SHA_256",
    ]);
    assert_eq!(signed["SigningAlgorithm"], "ECDSA_SHA_256");
    assert_eq!(signed["KeyId"], public["KeyId"]);
    let signature = blob(&signed, "Signature");
    // A DER ECDSA-Sig-Value.
    assert_eq!(signature[0], 0x30);
    let signature_arg = store.fileb("message.sig", &signature);

    let verify = |signature: &str| {
        vec![
            "verify".to_owned(),
            "--key-id".to_owned(),
            key_id.clone(),
            "--message".to_owned(),
            message.clone(),
            "--signature".to_owned(),
            signature.to_owned(),
            "--signing-algorithm".to_owned(),
            "ECDSA_SHA_256".to_owned(),
        ]
    };
    let args = verify(&signature_arg);
    let verified = store.json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(verified["SignatureValid"], true);
    assert_eq!(verified["SigningAlgorithm"], "ECDSA_SHA_256");

    // The signature as base64 text works as well as fileb://.
    let args = verify(&STANDARD.encode(&signature));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let valid = store.ok(&[
        &args[..],
        &["--query", "SignatureValid", "--output", "text"],
    ]
    .concat());
    assert_eq!(valid, "True");

    // A bad signature is AWS's exception, with its empty message, and exit code 254.
    let bad = store.fileb("bad.sig", &altered(&signature));
    let args = verify(&bad);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let message = store.refused(&args, "Verify", "KMSInvalidSignatureException");
    assert_eq!(message, "");
}

#[test]
fn signatures_print_as_text_for_a_file() {
    let store = Workdir::new("sign-text");
    let key_id = create_key(&store, "RSA_2048", "SIGN_VERIFY");
    let message = store.fileb("m", b"m");
    let text = store.ok(&[
        "sign",
        "--key-id",
        &key_id,
        "--message",
        &message,
        "--signing-algorithm",
        "RSASSA_PKCS1_V1_5_SHA_256",
        "--query",
        "Signature",
        "--output",
        "text",
    ]);
    assert_eq!(STANDARD.decode(text).unwrap().len(), 256);
}

#[test]
fn signing_refuses_what_aws_refuses() {
    let store = Workdir::new("sign-refused");
    let key_id = create_key(&store, "ECC_NIST_P256", "SIGN_VERIFY");
    let sign = |message: &str, extra: &[&str]| {
        with(
            &[
                "sign",
                "--key-id",
                &key_id,
                "--message",
                message,
                "--signing-algorithm",
                "ECDSA_SHA_256",
            ],
            extra,
        )
    };
    // A digest of the wrong length.
    let short = store.fileb("short", &[1; 31]);
    let message = store.refused(
        &strs(&sign(&short, &["--message-type", "DIGEST"])),
        "Sign",
        "ValidationException",
    );
    assert_eq!(
        message,
        "Digest is invalid length for algorithm ECDSA_SHA_256."
    );
    // A message over 4096 bytes.
    let long = store.fileb("long", &[1; 4097]);
    store.refused(&strs(&sign(&long, &[])), "Sign", "ValidationException");
    // An algorithm of another key spec.
    let m = store.fileb("m", b"m");
    let args = [
        "sign",
        "--key-id",
        &key_id,
        "--message",
        &m,
        "--signing-algorithm",
        "ECDSA_SHA_384",
    ];
    store.refused(&args, "Sign", "InvalidKeyUsageException");
    // A key of another usage.
    let symmetric = store.ok(&[
        "create-key",
        "--output",
        "text",
        "--query",
        "KeyMetadata.KeyId",
    ]);
    let args = [
        "sign",
        "--key-id",
        &symmetric,
        "--message",
        &m,
        "--signing-algorithm",
        "ECDSA_SHA_256",
    ];
    store.refused(&args, "Sign", "InvalidKeyUsageException");
    // A message that is not base64 is the command's own error, before any request.
    let output = store.run(&strs(&sign("not base64!", &[])));
    assert_eq!(output.status.code(), Some(252));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("--message: expected fileb://PATH or base64"),
        "{stderr}"
    );
    // A required flag missing is a usage error.
    let output = store.run(&["sign", "--key-id", &key_id, "--message", &m]);
    assert_eq!(output.status.code(), Some(252));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--signing-algorithm"));
}

#[test]
fn dry_runs_and_grant_tokens() {
    let store = Workdir::new("dry-run");
    let key_id = create_key(&store, "ECC_NIST_P384", "SIGN_VERIFY");
    let m = store.fileb("m", b"m");
    let sign = |extra: &[&str]| {
        with(
            &[
                "sign",
                "--key-id",
                &key_id,
                "--message",
                &m,
                "--signing-algorithm",
                "ECDSA_SHA_384",
            ],
            extra,
        )
    };
    let message = store.refused(
        &strs(&sign(&["--dry-run"])),
        "Sign",
        "DryRunOperationException",
    );
    assert_eq!(
        message,
        "The request would have succeeded, but the DryRun option is set."
    );
    // The last of --dry-run and --no-dry-run wins, as in the AWS CLI.
    store.json(&strs(&sign(&["--dry-run", "--no-dry-run"])));
    store.refused(
        &strs(&sign(&["--no-dry-run", "--dry-run"])),
        "Sign",
        "DryRunOperationException",
    );
    let public = store.json(&[
        "get-public-key",
        "--key-id",
        &key_id,
        "--grant-tokens",
        "token-1",
        "token-2",
    ]);
    assert_eq!(public["KeySpec"], "ECC_NIST_P384");
}

#[test]
fn generate_and_verify_a_mac() {
    let store = Workdir::new("mac");
    let key_id = create_key(&store, "HMAC_256", "GENERATE_VERIFY_MAC");
    let message = store.fileb("m", b"a message to authenticate");
    let generated = store.json(&[
        "generate-mac",
        "--key-id",
        &key_id,
        "--message",
        &message,
        "--mac-algorithm",
        "HMAC_SHA_256",
    ]);
    assert_eq!(generated["MacAlgorithm"], "HMAC_SHA_256");
    let mac = blob(&generated, "Mac");
    assert_eq!(mac.len(), 32);

    let verify = |mac: &str| {
        vec![
            "verify-mac".to_owned(),
            "--key-id".to_owned(),
            key_id.clone(),
            "--message".to_owned(),
            message.clone(),
            "--mac-algorithm".to_owned(),
            "HMAC_SHA_256".to_owned(),
            "--mac".to_owned(),
            mac.to_owned(),
        ]
    };
    let args = verify(&STANDARD.encode(&mac));
    let verified = store.json(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(verified["MacValid"], true);
    assert_eq!(verified["MacAlgorithm"], "HMAC_SHA_256");

    let args = verify(&store.fileb("bad.mac", &altered(&mac)));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let refusal = store.refused(&args, "VerifyMac", "KMSInvalidMacException");
    assert_eq!(refusal, "");

    // The algorithm of another HMAC spec.
    let args = [
        "generate-mac",
        "--key-id",
        &key_id,
        "--message",
        &message,
        "--mac-algorithm",
        "HMAC_SHA_512",
    ];
    store.refused(&args, "GenerateMac", "InvalidKeyUsageException");
}

#[test]
fn generate_data_key_pairs() {
    let store = Workdir::new("data-key-pair");
    let key_id = store.ok(&[
        "create-key",
        "--output",
        "text",
        "--query",
        "KeyMetadata.KeyId",
    ]);
    let pair = store.json(&[
        "generate-data-key-pair",
        "--key-id",
        &key_id,
        "--key-pair-spec",
        "ECC_NIST_P256",
        "--encryption-context",
        "purpose=test",
    ]);
    assert_eq!(pair["KeyPairSpec"], "ECC_NIST_P256");
    let private_key = blob(&pair, "PrivateKeyPlaintext");
    // DER PKCS#8 and SubjectPublicKeyInfo.
    assert_eq!(private_key[0], 0x30);
    assert_eq!(blob(&pair, "PublicKey")[..2], [0x30, 0x59]);

    // The encrypted private key decrypts, with its encryption context, to the same key.
    let wrapped = store.fileb("private.enc", &blob(&pair, "PrivateKeyCiphertextBlob"));
    let decrypted = store.ok(&[
        "decrypt",
        "--ciphertext-blob",
        &wrapped,
        "--encryption-context",
        "purpose=test",
        "--query",
        "Plaintext",
        "--output",
        "text",
    ]);
    assert_eq!(STANDARD.decode(decrypted).unwrap(), private_key);
    store.refused(
        &["decrypt", "--ciphertext-blob", &wrapped],
        "Decrypt",
        "InvalidCiphertextException",
    );

    let pair = store.json(&[
        "generate-data-key-pair-without-plaintext",
        "--key-id",
        &key_id,
        "--key-pair-spec",
        "RSA_2048",
    ]);
    assert_eq!(pair["KeyPairSpec"], "RSA_2048");
    assert!(pair.get("PrivateKeyPlaintext").is_none(), "{pair}");
    assert!(!blob(&pair, "PrivateKeyCiphertextBlob").is_empty());
    assert!(!blob(&pair, "PublicKey").is_empty());

    // Only under a symmetric encryption key.
    let signing = create_key(&store, "ECC_NIST_P256", "SIGN_VERIFY");
    store.refused(
        &[
            "generate-data-key-pair",
            "--key-id",
            &signing,
            "--key-pair-spec",
            "ECC_NIST_P256",
        ],
        "GenerateDataKeyPair",
        "InvalidKeyUsageException",
    );
}

#[test]
fn derive_a_shared_secret_both_ways() {
    let store = Workdir::new("ecdh");
    let ours = create_key(&store, "ECC_NIST_P256", "KEY_AGREEMENT");
    let theirs = create_key(&store, "ECC_NIST_P256", "KEY_AGREEMENT");
    let public_key = |key_id: &str, name: &str| {
        let public = store.json(&["get-public-key", "--key-id", key_id]);
        assert_eq!(public["KeyAgreementAlgorithms"][0], "ECDH");
        store.fileb(name, &blob(&public, "PublicKey"))
    };
    let (our_public, their_public) = (
        public_key(&ours, "ours.der"),
        public_key(&theirs, "theirs.der"),
    );
    let derive = |key_id: &str, peer: &str| {
        let derived = store.json(&[
            "derive-shared-secret",
            "--key-id",
            key_id,
            "--key-agreement-algorithm",
            "ECDH",
            "--public-key",
            peer,
        ]);
        assert_eq!(derived["KeyAgreementAlgorithm"], "ECDH");
        assert_eq!(derived["KeyOrigin"], "AWS_KMS");
        blob(&derived, "SharedSecret")
    };
    let secret = derive(&ours, &their_public);
    assert_eq!(secret.len(), 32);
    assert_eq!(secret, derive(&theirs, &our_public));

    // A public key that is not DER SubjectPublicKeyInfo.
    let garbage = store.fileb("garbage.der", b"not a key");
    let args = [
        "derive-shared-secret",
        "--key-id",
        &ours,
        "--key-agreement-algorithm",
        "ECDH",
        "--public-key",
        &garbage,
    ];
    let output = store.run(&args);
    assert_eq!(output.status.code(), Some(254));
}

#[test]
fn encapsulate_and_decapsulate_with_ml_kem() {
    let store = Workdir::new("ml-kem");
    let key_id = create_key(&store, "ML_KEM_768", "ENCAPSULATE_DECAPSULATE");
    let sealed = store.json(&[
        "encapsulate",
        "--key-id",
        &key_id,
        "--encapsulation-algorithm",
        "ML_KEM",
    ]);
    assert_eq!(sealed["EncapsulationAlgorithm"], "ML_KEM");
    let secret = blob(&sealed, "SharedSecret");
    assert_eq!(secret.len(), 32);
    let ciphertext = blob(&sealed, "SharedSecretCiphertextBlob");
    assert_eq!(ciphertext.len(), 1088);
    let opened = store.ok(&[
        "decapsulate",
        "--key-id",
        &key_id,
        "--encapsulation-algorithm",
        "ML_KEM",
        "--shared-secret-ciphertext-blob",
        &store.fileb("sealed.bin", &ciphertext),
        "--query",
        "SharedSecret",
        "--output",
        "text",
    ]);
    assert_eq!(STANDARD.decode(opened).unwrap(), secret);
    // A ciphertext of the wrong length.
    store.refused(
        &[
            "decapsulate",
            "--key-id",
            &key_id,
            "--encapsulation-algorithm",
            "ML_KEM",
            "--shared-secret-ciphertext-blob",
            &STANDARD.encode([0u8; 100]),
        ],
        "Decapsulate",
        "InvalidCiphertextException",
    );
}

#[test]
fn encrypt_and_decrypt_with_an_rsa_key() {
    let store = Workdir::new("rsa-encrypt");
    let key_id = create_key(&store, "RSA_2048", "ENCRYPT_DECRYPT");
    let plaintext = store.fileb("plaintext", b"encrypted with RSA");
    let encrypted = store.json(&[
        "encrypt",
        "--key-id",
        &key_id,
        "--plaintext",
        &plaintext,
        "--encryption-algorithm",
        "RSAES_OAEP_SHA_1",
    ]);
    assert_eq!(encrypted["EncryptionAlgorithm"], "RSAES_OAEP_SHA_1");
    let ciphertext = blob(&encrypted, "CiphertextBlob");
    assert_eq!(ciphertext.len(), 256);
    let ciphertext = store.fileb("ciphertext", &ciphertext);
    let decrypted = store.json(&[
        "decrypt",
        "--ciphertext-blob",
        &ciphertext,
        "--key-id",
        &key_id,
        "--encryption-algorithm",
        "RSAES_OAEP_SHA_1",
    ]);
    assert_eq!(blob(&decrypted, "Plaintext"), b"encrypted with RSA");
    assert_eq!(decrypted["EncryptionAlgorithm"], "RSAES_OAEP_SHA_1");

    // RSA needs the algorithm to encrypt, and the key and the algorithm to decrypt.
    store.refused(
        &["encrypt", "--key-id", &key_id, "--plaintext", &plaintext],
        "Encrypt",
        "InvalidKeyUsageException",
    );
    let output = store.run(&["decrypt", "--ciphertext-blob", &ciphertext]);
    assert_eq!(output.status.code(), Some(254));
    let output = store.run(&[
        "decrypt",
        "--ciphertext-blob",
        &ciphertext,
        "--key-id",
        &key_id,
    ]);
    assert_eq!(output.status.code(), Some(254));

    // ReEncrypt from the RSA key to a symmetric one, naming the source's algorithm.
    let symmetric = store.ok(&[
        "create-key",
        "--output",
        "text",
        "--query",
        "KeyMetadata.KeyId",
    ]);
    let re_encrypted = store.json(&[
        "re-encrypt",
        "--ciphertext-blob",
        &ciphertext,
        "--source-key-id",
        &key_id,
        "--source-encryption-algorithm",
        "RSAES_OAEP_SHA_1",
        "--destination-key-id",
        &symmetric,
        "--destination-encryption-algorithm",
        "SYMMETRIC_DEFAULT",
    ]);
    assert_eq!(
        re_encrypted["SourceEncryptionAlgorithm"],
        "RSAES_OAEP_SHA_1"
    );
    let moved = store.fileb("moved", &blob(&re_encrypted, "CiphertextBlob"));
    let decrypted = store.json(&["decrypt", "--ciphertext-blob", &moved]);
    assert_eq!(blob(&decrypted, "Plaintext"), b"encrypted with RSA");

    // Encrypt and Decrypt take --dry-run and --grant-tokens too.
    store.refused(
        &[
            "encrypt",
            "--key-id",
            &key_id,
            "--plaintext",
            &plaintext,
            "--encryption-algorithm",
            "RSAES_OAEP_SHA_256",
            "--grant-tokens",
            "token",
            "--dry-run",
        ],
        "Encrypt",
        "DryRunOperationException",
    );
    store.refused(
        &["decrypt", "--ciphertext-blob", &moved, "--dry-run"],
        "Decrypt",
        "DryRunOperationException",
    );
}

#[test]
fn sign_and_verify_with_ml_dsa() {
    let store = Workdir::new("ml-dsa");
    let key_id = create_key(&store, "ML_DSA_65", "SIGN_VERIFY");
    let message = store.fileb("m", b"a post-quantum signature");
    let signed = store.json(&[
        "sign",
        "--key-id",
        &key_id,
        "--message",
        &message,
        "--signing-algorithm",
        "ML_DSA_SHAKE_256",
    ]);
    let signature = blob(&signed, "Signature");
    assert_eq!(signature.len(), 3309);
    let verify = |signature: &[u8]| {
        with(
            &[
                "verify",
                "--key-id",
                &key_id,
                "--message",
                &message,
                "--signing-algorithm",
                "ML_DSA_SHAKE_256",
            ],
            &["--signature", &STANDARD.encode(signature)],
        )
    };
    let verified = store.json(&strs(&verify(&signature)));
    assert_eq!(verified["SignatureValid"], true);
    store.refused(
        &strs(&verify(&altered(&signature))),
        "Verify",
        "KMSInvalidSignatureException",
    );
}
