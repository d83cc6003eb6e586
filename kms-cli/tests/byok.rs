//! Bring your own key, following AWS's import guide word for word with the `openssl`
//! command (OpenSSL 3) for the cryptography and `kms` for the KMS steps: `openssl rand`
//! makes the material, `openssl pkeyutl -encrypt` with OAEP SHA-256 wraps it for
//! RSAES_OAEP_SHA_256, and for RSA_AES_KEY_WRAP_SHA_256 `openssl enc -id-aes256-wrap-pad`
//! wraps it under a fresh AES key that OAEP then wraps. The key then encrypts and decrypts,
//! signs for OpenSSL to verify, and the same material in a second store decrypts the first
//! store's ciphertexts only under the same key ID.
//!
//! These tests need the `openssl` binary on the PATH and fail, saying so, without it: they
//! never pass by skipping. They run on Unix, where the binary is part of every machine here.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

mod common;

use common::Workdir;

/// `openssl ARGS` in `dir`, which must succeed; fails the test if the binary is missing.
fn openssl(dir: &Workdir, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir.root())
        .output()
        .unwrap_or_else(|err| {
            panic!(
                "cannot run `openssl` ({err}): these tests need the OpenSSL command-line tool \
                 (Debian's `openssl` package) on the PATH"
            )
        });
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Step 1: `kms create-key --origin EXTERNAL`; its key ID.
fn create_external_key(store: &Workdir, spec: &str, usage: &str) -> String {
    store.ok(&[
        "create-key",
        "--origin",
        "EXTERNAL",
        "--key-spec",
        spec,
        "--key-usage",
        usage,
        "--query",
        "KeyMetadata.KeyId",
        "--output",
        "text",
    ])
}

/// Step 2: `kms get-parameters-for-import`, its public key saved as `PublicKey.bin` and its
/// token as `ImportToken.bin` (the guide decodes the base64 of each with `base64 --decode`).
fn get_parameters(store: &Workdir, key_id: &str, algorithm: &str) {
    let answer = store.json(&[
        "get-parameters-for-import",
        "--key-id",
        key_id,
        "--wrapping-algorithm",
        algorithm,
        "--wrapping-key-spec",
        "RSA_2048",
    ]);
    assert!(
        answer["KeyId"].as_str().unwrap().ends_with(key_id),
        "{answer}"
    );
    assert!(answer["ParametersValidTo"].is_string(), "{answer}");
    for (member, file) in [
        ("PublicKey", "PublicKey.bin"),
        ("ImportToken", "ImportToken.bin"),
    ] {
        let bytes = STANDARD.decode(answer[member].as_str().unwrap()).unwrap();
        std::fs::write(store.path(file), bytes).unwrap();
    }
}

/// Step 3, RSAES_OAEP_SHA_256: `openssl pkeyutl -encrypt` of `in_file` under
/// `PublicKey.bin` into `out_file`.
fn oaep_sha256(store: &Workdir, in_file: &str, out_file: &str) {
    openssl(
        store,
        &[
            "pkeyutl",
            "-encrypt",
            "-in",
            in_file,
            "-out",
            out_file,
            "-inkey",
            "PublicKey.bin",
            "-keyform",
            "DER",
            "-pubin",
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            "rsa_oaep_md:sha256",
            "-pkeyopt",
            "rsa_mgf1_md:sha256",
        ],
    );
}

/// Step 3, RSA_AES_KEY_WRAP_SHA_256: a fresh AES-256 key wraps `in_file` with AES key wrap
/// with padding, OAEP SHA-256 wraps the AES key, and `EncryptedKeyMaterial.bin` is the
/// wrapped AES key followed by the wrapped material.
fn rsa_aes_key_wrap_sha256(store: &Workdir, in_file: &str) {
    openssl(store, &["rand", "-out", "aes-key.bin", "32"]);
    let aes_key = std::fs::read(store.path("aes-key.bin")).unwrap();
    let hex: String = aes_key.iter().map(|b| format!("{b:02x}")).collect();
    openssl(
        store,
        &[
            "enc",
            "-id-aes256-wrap-pad",
            "-K",
            &hex,
            "-iv",
            "A65959A6",
            "-in",
            in_file,
            "-out",
            "key-material-wrapped.bin",
        ],
    );
    oaep_sha256(store, "aes-key.bin", "aes-key-wrapped.bin");
    let wrapped = [
        std::fs::read(store.path("aes-key-wrapped.bin")).unwrap(),
        std::fs::read(store.path("key-material-wrapped.bin")).unwrap(),
    ]
    .concat();
    std::fs::write(store.path("EncryptedKeyMaterial.bin"), wrapped).unwrap();
}

/// Step 4: `kms import-key-material` of `EncryptedKeyMaterial.bin` with `ImportToken.bin`.
fn import(store: &Workdir, key_id: &str, expiry: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "import-key-material",
        "--key-id",
        key_id,
        "--encrypted-key-material",
        "fileb://EncryptedKeyMaterial.bin",
        "--import-token",
        "fileb://ImportToken.bin",
    ];
    args.extend_from_slice(expiry);
    store.json(&args)
}

fn key_state(store: &Workdir, key_id: &str) -> String {
    store.ok(&[
        "describe-key",
        "--key-id",
        key_id,
        "--query",
        "KeyMetadata.KeyState",
        "--output",
        "text",
    ])
}

/// `kms encrypt` of `plaintext` under `key_id`, into `out_file`.
fn encrypt(store: &Workdir, key_id: &str, plaintext: &[u8], out_file: &str) {
    let input = store.fileb("plaintext.txt", plaintext);
    let blob = store.ok(&[
        "encrypt",
        "--key-id",
        key_id,
        "--plaintext",
        &input,
        "--query",
        "CiphertextBlob",
        "--output",
        "text",
    ]);
    std::fs::write(store.path(out_file), STANDARD.decode(blob).unwrap()).unwrap();
}

/// `kms decrypt` of the file `blob`; the plaintext.
fn decrypt(store: &Workdir, blob: &str) -> Vec<u8> {
    let text = store.ok(&[
        "decrypt",
        "--ciphertext-blob",
        &format!("fileb://{}", store.path(blob).display()),
        "--query",
        "Plaintext",
        "--output",
        "text",
    ]);
    STANDARD.decode(text).unwrap()
}

#[test]
fn aws_import_guide_with_openssl_rsaes_oaep_sha_256() {
    let store = Workdir::new("byok-oaep");
    let key_id = create_external_key(&store, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    assert_eq!(key_state(&store, &key_id), "PendingImport");
    get_parameters(&store, &key_id, "RSAES_OAEP_SHA_256");
    openssl(&store, &["rand", "-out", "PlaintextKeyMaterial.bin", "32"]);
    oaep_sha256(
        &store,
        "PlaintextKeyMaterial.bin",
        "EncryptedKeyMaterial.bin",
    );
    let answer = import(
        &store,
        &key_id,
        &["--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE"],
    );
    assert!(
        answer["KeyId"].as_str().unwrap().ends_with(&key_id),
        "{answer}"
    );
    assert_eq!(
        answer["KeyMaterialId"].as_str().unwrap().len(),
        64,
        "{answer}"
    );
    assert_eq!(key_state(&store, &key_id), "Enabled");

    encrypt(&store, &key_id, b"bring your own key", "ciphertext.bin");
    assert_eq!(decrypt(&store, "ciphertext.bin"), b"bring your own key");

    // Deleted, the key waits for the same material; an import of other material is
    // refused as AWS refuses it.
    store.json(&["delete-imported-key-material", "--key-id", &key_id]);
    assert_eq!(key_state(&store, &key_id), "PendingImport");
    get_parameters(&store, &key_id, "RSAES_OAEP_SHA_256");
    openssl(&store, &["rand", "-out", "Other.bin", "32"]);
    oaep_sha256(&store, "Other.bin", "EncryptedKeyMaterial.bin");
    store.refused(
        &[
            "import-key-material",
            "--key-id",
            &key_id,
            "--encrypted-key-material",
            "fileb://EncryptedKeyMaterial.bin",
            "--import-token",
            "fileb://ImportToken.bin",
            "--expiration-model",
            "KEY_MATERIAL_DOES_NOT_EXPIRE",
        ],
        "ImportKeyMaterial",
        "IncorrectKeyMaterialException",
    );
    oaep_sha256(
        &store,
        "PlaintextKeyMaterial.bin",
        "EncryptedKeyMaterial.bin",
    );
    let valid_to = std::time::SystemTime::now() + std::time::Duration::from_secs(30 * 86_400);
    let seconds = valid_to
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    import(&store, &key_id, &["--valid-to", &seconds]);
    let metadata = store.json(&["describe-key", "--key-id", &key_id]);
    assert_eq!(
        metadata["KeyMetadata"]["ExpirationModel"], "KEY_MATERIAL_EXPIRES",
        "{metadata}"
    );
    assert!(metadata["KeyMetadata"]["ValidTo"].is_string(), "{metadata}");
    assert_eq!(decrypt(&store, "ciphertext.bin"), b"bring your own key");
}

#[test]
fn aws_import_guide_with_openssl_rsa_aes_key_wrap_sha_256() {
    let store = Workdir::new("byok-kwp");
    let key_id = create_external_key(&store, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    get_parameters(&store, &key_id, "RSA_AES_KEY_WRAP_SHA_256");
    openssl(&store, &["rand", "-out", "PlaintextKeyMaterial.bin", "32"]);
    rsa_aes_key_wrap_sha256(&store, "PlaintextKeyMaterial.bin");
    import(
        &store,
        &key_id,
        &["--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE"],
    );
    encrypt(&store, &key_id, b"wrapped twice", "ciphertext.bin");
    assert_eq!(decrypt(&store, "ciphertext.bin"), b"wrapped twice");

    // The same material in a second store, in a key of another ID: the ciphertext names
    // the first key, which the second store lacks.
    let second = Workdir::new("byok-second");
    let other_id = create_external_key(&second, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    std::fs::copy(
        store.path("PlaintextKeyMaterial.bin"),
        second.path("PlaintextKeyMaterial.bin"),
    )
    .unwrap();
    get_parameters(&second, &other_id, "RSA_AES_KEY_WRAP_SHA_256");
    rsa_aes_key_wrap_sha256(&second, "PlaintextKeyMaterial.bin");
    import(
        &second,
        &other_id,
        &["--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE"],
    );
    std::fs::copy(store.path("ciphertext.bin"), second.path("ciphertext.bin")).unwrap();
    let output = second.run(&[
        "decrypt",
        "--ciphertext-blob",
        &format!("fileb://{}", second.path("ciphertext.bin").display()),
    ]);
    assert!(!output.status.success(), "decrypted under another key ID");

    // The same key ID with the same material, seeded: the ciphertext decrypts.
    let material = std::fs::read(store.path("PlaintextKeyMaterial.bin")).unwrap();
    let seed = format!(
        "[[keys]]\nkey_id = \"{key_id}\"\norigin = \"EXTERNAL\"\nmaterial = \"{}\"\n",
        STANDARD.encode(material)
    );
    std::fs::write(second.path("seed.toml"), seed).unwrap();
    second.ok(&["seed", second.path("seed.toml").to_str().unwrap()]);
    assert_eq!(decrypt(&second, "ciphertext.bin"), b"wrapped twice");
}

#[test]
fn an_openssl_ec_key_imported_signs_for_openssl() {
    let store = Workdir::new("byok-ecc");
    let key_id = create_external_key(&store, "ECC_NIST_P256", "SIGN_VERIFY");
    // As AWS's guide makes asymmetric material: a key, then its PKCS#8 DER.
    let genpkey = "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out PrivateKey.pem";
    openssl(&store, &genpkey.split(' ').collect::<Vec<_>>());
    let pkcs8 = "pkcs8 -topk8 -inform PEM -outform DER -in PrivateKey.pem -out PrivateKey.der \
                 -nocrypt";
    openssl(&store, &pkcs8.split_whitespace().collect::<Vec<_>>());
    get_parameters(&store, &key_id, "RSA_AES_KEY_WRAP_SHA_256");
    rsa_aes_key_wrap_sha256(&store, "PrivateKey.der");
    import(
        &store,
        &key_id,
        &["--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE"],
    );
    let message = store.fileb("message.txt", b"signed by imported material");
    let signature = store.ok(&[
        "sign",
        "--key-id",
        &key_id,
        "--message",
        &message,
        "--signing-algorithm",
        "ECDSA_SHA_256",
        "--query",
        "Signature",
        "--output",
        "text",
    ]);
    std::fs::write(
        store.path("signature.der"),
        STANDARD.decode(signature).unwrap(),
    )
    .unwrap();
    openssl(
        &store,
        &[
            "dgst",
            "-sha256",
            "-prverify",
            "PrivateKey.pem",
            "-signature",
            "signature.der",
            "message.txt",
        ],
    );
}
