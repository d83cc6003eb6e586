//! What `kms` makes, read by the `openssl` command (OpenSSL 3, Debian's `openssl` package):
//! signatures of `kms sign` verified by `openssl dgst` and `openssl pkeyutl` under the public
//! key of `kms get-public-key`, RSA ciphertexts made offline by `openssl pkeyutl` decrypted by
//! `kms decrypt`, and the private keys of `kms generate-data-key-pair` read by `openssl pkey`.
//!
//! These tests need the `openssl` binary on the PATH and fail, saying so, without it: they
//! never pass by skipping. They run on Unix, where the binary is part of every machine here
//! (the Windows tests run under Wine, which has none).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

mod common;

use common::{Workdir, blob};

/// `openssl ARGS` in `dir`; fails the test if the binary is missing.
fn openssl(dir: &Workdir, args: &[&str]) -> Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir.root())
        .output()
        .unwrap_or_else(|err| {
            panic!(
                "cannot run `openssl` ({err}): these tests need the OpenSSL command-line tool \
                 (Debian's `openssl` package) on the PATH"
            )
        })
}

/// `openssl ARGS`, which must succeed; its standard output.
fn openssl_ok(dir: &Workdir, args: &[&str]) -> Vec<u8> {
    let output = openssl(dir, args);
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

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

/// `kms get-public-key` of `key_id`, as DER, converted by `openssl pkey` into `NAME.pem`;
/// the PEM file's name.
fn public_key_pem(store: &Workdir, key_id: &str, name: &str) -> String {
    let der = store.ok(&[
        "get-public-key",
        "--key-id",
        key_id,
        "--query",
        "PublicKey",
        "--output",
        "text",
    ]);
    let der_name = format!("{name}.der");
    std::fs::write(store.path(&der_name), STANDARD.decode(der).unwrap()).unwrap();
    let pem = format!("{name}.pem");
    openssl_ok(
        store,
        &[
            "pkey", "-pubin", "-inform", "DER", "-in", &der_name, "-out", &pem,
        ],
    );
    pem
}

/// `kms sign` of the file `message` (or of its digest, with `message_type` DIGEST) into the
/// file `signature`.
fn sign(
    store: &Workdir,
    key_id: &str,
    message: &str,
    message_type: &str,
    algorithm: &str,
    signature: &str,
) {
    let text = store.ok(&[
        "sign",
        "--key-id",
        key_id,
        "--message",
        &format!("fileb://{}", store.path(message).display()),
        "--message-type",
        message_type,
        "--signing-algorithm",
        algorithm,
        "--query",
        "Signature",
        "--output",
        "text",
    ]);
    std::fs::write(store.path(signature), STANDARD.decode(text).unwrap()).unwrap();
}

/// `openssl dgst -DIGEST -verify PEM -signature SIG FILE` with `options` (`-sigopt`s);
/// whether OpenSSL says "Verified OK".
fn dgst_verifies(
    store: &Workdir,
    digest: &str,
    pem: &str,
    signature: &str,
    file: &str,
    options: &[&str],
) -> bool {
    let args = [
        &[digest, "-verify", pem, "-signature", signature][..],
        options,
        &[file],
    ]
    .concat();
    let args = [&["dgst"][..], &args].concat();
    let output = openssl(store, &args);
    let verified = String::from_utf8_lossy(&output.stdout).contains("Verified OK");
    assert_eq!(
        verified,
        output.status.success(),
        "openssl {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    verified
}

#[test]
fn openssl_verifies_ecdsa_signatures() {
    let store = Workdir::new("openssl-ecdsa");
    std::fs::write(
        store.path("message.txt"),
        b"signed by kms, verified by openssl\n",
    )
    .unwrap();
    std::fs::write(store.path("other.txt"), b"another message\n").unwrap();
    for (spec, algorithm, digest) in [
        ("ECC_NIST_P256", "ECDSA_SHA_256", "-sha256"),
        ("ECC_NIST_P384", "ECDSA_SHA_384", "-sha384"),
        ("ECC_NIST_P521", "ECDSA_SHA_512", "-sha512"),
        ("ECC_SECG_P256K1", "ECDSA_SHA_256", "-sha256"),
    ] {
        let key_id = create_key(&store, spec, "SIGN_VERIFY");
        let pem = public_key_pem(&store, &key_id, spec);
        sign(
            &store,
            &key_id,
            "message.txt",
            "RAW",
            algorithm,
            "message.sig",
        );
        assert!(
            dgst_verifies(&store, digest, &pem, "message.sig", "message.txt", &[]),
            "{spec}"
        );
        // The check can fail: the signature of one file is not that of another.
        assert!(!dgst_verifies(
            &store,
            digest,
            &pem,
            "message.sig",
            "other.txt",
            &[]
        ));

        // A digest computed by openssl, signed by kms as DIGEST: the signature of the file.
        let hashed = openssl_ok(&store, &["dgst", digest, "-binary", "message.txt"]);
        std::fs::write(store.path("message.digest"), hashed).unwrap();
        sign(
            &store,
            &key_id,
            "message.digest",
            "DIGEST",
            algorithm,
            "digest.sig",
        );
        assert!(
            dgst_verifies(&store, digest, &pem, "digest.sig", "message.txt", &[]),
            "{spec} DIGEST"
        );

        // A message and its digest are the same message: kms verifies the RAW signature
        // against the digest openssl computed.
        let verified = store.ok(&[
            "verify",
            "--key-id",
            &key_id,
            "--message",
            &format!("fileb://{}", store.path("message.digest").display()),
            "--message-type",
            "DIGEST",
            "--signature",
            &format!("fileb://{}", store.path("message.sig").display()),
            "--signing-algorithm",
            algorithm,
            "--query",
            "SignatureValid",
            "--output",
            "text",
        ]);
        assert_eq!(verified, "True", "{spec}");
    }
}

#[test]
fn openssl_verifies_rsa_signatures() {
    let store = Workdir::new("openssl-rsa");
    std::fs::write(store.path("message.txt"), b"signed by kms with RSA\n").unwrap();
    let key_id = create_key(&store, "RSA_2048", "SIGN_VERIFY");
    let pem = public_key_pem(&store, &key_id, "rsa");
    for (hash, digest, salt) in [
        ("SHA_256", "-sha256", "32"),
        ("SHA_384", "-sha384", "48"),
        ("SHA_512", "-sha512", "64"),
    ] {
        // PKCS#1 v1.5: a DigestInfo-wrapped signature, RAW and DIGEST alike.
        let algorithm = format!("RSASSA_PKCS1_V1_5_{hash}");
        sign(
            &store,
            &key_id,
            "message.txt",
            "RAW",
            &algorithm,
            "pkcs1.sig",
        );
        assert!(
            dgst_verifies(&store, digest, &pem, "pkcs1.sig", "message.txt", &[]),
            "{algorithm}"
        );
        let hashed = openssl_ok(&store, &["dgst", digest, "-binary", "message.txt"]);
        std::fs::write(store.path("message.digest"), hashed).unwrap();
        sign(
            &store,
            &key_id,
            "message.digest",
            "DIGEST",
            &algorithm,
            "pkcs1-digest.sig",
        );
        assert!(
            dgst_verifies(&store, digest, &pem, "pkcs1-digest.sig", "message.txt", &[]),
            "{algorithm} DIGEST"
        );

        // PSS: MGF1 with the same hash, and a salt as long as the hash, as AWS signs.
        let algorithm = format!("RSASSA_PSS_{hash}");
        sign(&store, &key_id, "message.txt", "RAW", &algorithm, "pss.sig");
        let pss = |saltlen: &str| {
            let saltlen = format!("rsa_pss_saltlen:{saltlen}");
            dgst_verifies(
                &store,
                digest,
                &pem,
                "pss.sig",
                "message.txt",
                &["-sigopt", "rsa_padding_mode:pss", "-sigopt", &saltlen],
            )
        };
        assert!(pss("-1"), "{algorithm}: salt of the digest's length");
        assert!(pss(salt), "{algorithm}: salt of {salt} bytes");
        // The check can fail: another salt length is another signature.
        assert!(!pss("20"), "{algorithm}");
    }
}

#[test]
fn openssl_verifies_ed25519_signatures() {
    let store = Workdir::new("openssl-ed25519");
    std::fs::write(store.path("message.txt"), b"signed by kms with Ed25519\n").unwrap();
    let key_id = create_key(&store, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY");
    let pem = public_key_pem(&store, &key_id, "ed25519");
    sign(
        &store,
        &key_id,
        "message.txt",
        "RAW",
        "ED25519_SHA_512",
        "message.sig",
    );
    let verify = |file: &str| {
        openssl(
            &store,
            &[
                "pkeyutl",
                "-verify",
                "-pubin",
                "-inkey",
                &pem,
                "-rawin",
                "-in",
                file,
                "-sigfile",
                "message.sig",
            ],
        )
        .status
        .success()
    };
    assert!(verify("message.txt"));
    std::fs::write(store.path("other.txt"), b"another message\n").unwrap();
    assert!(!verify("other.txt"));
}

#[test]
fn kms_decrypts_what_openssl_encrypted_offline() {
    let store = Workdir::new("openssl-oaep");
    let key_id = create_key(&store, "RSA_2048", "ENCRYPT_DECRYPT");
    let pem = public_key_pem(&store, &key_id, "rsa");
    std::fs::write(store.path("plaintext"), b"encrypted offline by openssl").unwrap();
    for (algorithm, md) in [
        ("RSAES_OAEP_SHA_256", "sha256"),
        ("RSAES_OAEP_SHA_1", "sha1"),
    ] {
        let oaep_md = format!("rsa_oaep_md:{md}");
        let mgf1_md = format!("rsa_mgf1_md:{md}");
        openssl_ok(
            &store,
            &[
                "pkeyutl",
                "-encrypt",
                "-pubin",
                "-inkey",
                &pem,
                "-pkeyopt",
                "rsa_padding_mode:oaep",
                "-pkeyopt",
                &oaep_md,
                "-pkeyopt",
                &mgf1_md,
                "-in",
                "plaintext",
                "-out",
                "ciphertext",
            ],
        );
        let ciphertext = format!("fileb://{}", store.path("ciphertext").display());
        let plaintext = store.ok(&[
            "decrypt",
            "--ciphertext-blob",
            &ciphertext,
            "--key-id",
            &key_id,
            "--encryption-algorithm",
            algorithm,
            "--query",
            "Plaintext",
            "--output",
            "text",
        ]);
        assert_eq!(
            STANDARD.decode(plaintext).unwrap(),
            b"encrypted offline by openssl",
            "{algorithm}"
        );
    }
    // The check can fail: OAEP with SHA-256 is not OAEP with SHA-1.
    let ciphertext = format!("fileb://{}", store.path("ciphertext").display());
    store.refused(
        &[
            "decrypt",
            "--ciphertext-blob",
            &ciphertext,
            "--key-id",
            &key_id,
            "--encryption-algorithm",
            "RSAES_OAEP_SHA_256",
        ],
        "Decrypt",
        "InvalidCiphertextException",
    );
}

#[test]
fn openssl_reads_data_key_pairs() {
    let store = Workdir::new("openssl-pairs");
    let key_id = store.ok(&[
        "create-key",
        "--output",
        "text",
        "--query",
        "KeyMetadata.KeyId",
    ]);
    for spec in [
        "RSA_2048",
        "ECC_NIST_P256",
        "ECC_NIST_P384",
        "ECC_NIST_P521",
        "ECC_SECG_P256K1",
        "ECC_NIST_EDWARDS25519",
    ] {
        let pair = store.json(&[
            "generate-data-key-pair",
            "--key-id",
            &key_id,
            "--key-pair-spec",
            spec,
        ]);
        std::fs::write(
            store.path("private.der"),
            blob(&pair, "PrivateKeyPlaintext"),
        )
        .unwrap();
        // openssl reads the PKCS#8 private key, and derives from it the public key of the pair.
        openssl_ok(
            &store,
            &["pkey", "-inform", "DER", "-in", "private.der", "-noout"],
        );
        let public = openssl_ok(
            &store,
            &[
                "pkey",
                "-inform",
                "DER",
                "-in",
                "private.der",
                "-pubout",
                "-outform",
                "DER",
            ],
        );
        assert_eq!(public, blob(&pair, "PublicKey"), "{spec}");
        // The public key alone reads as a SubjectPublicKeyInfo.
        std::fs::write(store.path("public.der"), &public).unwrap();
        openssl_ok(
            &store,
            &[
                "pkey",
                "-pubin",
                "-inform",
                "DER",
                "-in",
                "public.der",
                "-noout",
            ],
        );
    }
}
