//! The new subcommands on the AWS backend: `kms --url aws+http://…` (the official SDK, through
//! `AwsKms`) against a KMS endpoint served in process over the local backend, with what it
//! signs checked by the `openssl` command. So the flags, the SDK calls of `AwsKms`, the wire
//! and the exceptions on the way back (KMSInvalidSignatureException, exit code 254) are one
//! path.
//!
//! Like tests/openssl.rs, these need the `openssl` binary on the PATH and fail without it.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kms_server::TestServer;

/// An in-process KMS endpoint over a fresh in-memory local backend, and a directory for files.
struct Endpoint {
    // Declared first: dropped (stopped) before the runtime that serves it.
    server: TestServer,
    _runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

impl Endpoint {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let local = kms::LocalKms::builder().build().unwrap();
        let server = runtime.block_on(TestServer::start(local)).unwrap();
        let dir = tempfile::Builder::new()
            .prefix("kms-cli-aws-backend-")
            .tempdir()
            .unwrap();
        Self {
            server,
            _runtime: runtime,
            dir,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `kms ARGS` through the AWS backend, with dummy credentials and nothing read from the
    /// machine's AWS configuration.
    fn kms(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kms"))
            .args(args)
            .env(
                "KMS_URL",
                format!("aws+{}?region=eu-west-1", self.server.endpoint_url()),
            )
            .env("AWS_ACCESS_KEY_ID", "AKIDANY")
            .env("AWS_SECRET_ACCESS_KEY", "any secret")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .env_remove("AWS_PROFILE")
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    /// `kms ARGS`, which must succeed; its standard output, trimmed.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.kms(args);
        assert!(
            output.status.success(),
            "kms {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    /// A base64 member printed with `--output text`, written to the file `name`.
    fn save(&self, args: &[&str], query: &str, name: &str) -> PathBuf {
        let text = self.ok(&[args, &["--query", query, "--output", "text"]].concat());
        let path = self.path(name);
        std::fs::write(&path, STANDARD.decode(text).unwrap()).unwrap();
        path
    }

    /// `openssl ARGS` in the directory, which must succeed.
    fn openssl(&self, args: &[&str]) -> Output {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|err| {
                panic!(
                    "cannot run `openssl` ({err}): these tests need the OpenSSL command-line \
                     tool (Debian's `openssl` package) on the PATH"
                )
            });
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }
}

fn fileb(path: &Path) -> String {
    format!("fileb://{}", path.display())
}

#[test]
fn sign_on_the_aws_backend_and_verify_with_openssl() {
    let endpoint = Endpoint::start();
    let key_id = endpoint.ok(&[
        "create-key",
        "--key-spec",
        "ECC_NIST_P256",
        "--key-usage",
        "SIGN_VERIFY",
        "--query",
        "KeyMetadata.Arn",
        "--output",
        "text",
    ]);
    let message = endpoint.path("message.txt");
    std::fs::write(&message, b"signed through the AWS SDK\n").unwrap();
    let sign = [
        "sign",
        "--key-id",
        &key_id,
        "--message",
        &fileb(&message),
        "--message-type",
        "RAW",
        "--signing-algorithm",
        "ECDSA_SHA_256",
    ];
    let signature = endpoint.save(&sign, "Signature", "message.sig");
    endpoint.save(
        &["get-public-key", "--key-id", &key_id],
        "PublicKey",
        "public.der",
    );
    endpoint.openssl(&[
        "pkey",
        "-pubin",
        "-inform",
        "DER",
        "-in",
        "public.der",
        "-out",
        "public.pem",
    ]);
    let verified = endpoint.openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        "public.pem",
        "-signature",
        "message.sig",
        "message.txt",
    ]);
    assert!(String::from_utf8_lossy(&verified.stdout).contains("Verified OK"));

    let verify = |signature: &Path| {
        endpoint.kms(&[
            "verify",
            "--key-id",
            &key_id,
            "--message",
            &fileb(&message),
            "--signature",
            &fileb(signature),
            "--signing-algorithm",
            "ECDSA_SHA_256",
        ])
    };
    assert!(verify(&signature).status.success());
    let mut bad = std::fs::read(&signature).unwrap();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let bad_path = endpoint.path("bad.sig");
    std::fs::write(&bad_path, bad).unwrap();
    let output = verify(&bad_path);
    assert_eq!(output.status.code(), Some(254));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(
            "An error occurred (KMSInvalidSignatureException) when calling the Verify operation: "
        ),
        "{stderr}"
    );
}

#[test]
fn macs_data_key_pairs_and_rsa_on_the_aws_backend() {
    let endpoint = Endpoint::start();
    let create = |spec: &str, usage: &str| {
        endpoint.ok(&[
            "create-key",
            "--key-spec",
            spec,
            "--key-usage",
            usage,
            "--query",
            "KeyMetadata.KeyId",
            "--output",
            "text",
        ])
    };

    // GenerateMac and VerifyMac.
    let hmac = create("HMAC_512", "GENERATE_VERIFY_MAC");
    let message = endpoint.path("m");
    std::fs::write(&message, b"authenticated").unwrap();
    let mac = endpoint.save(
        &[
            "generate-mac",
            "--key-id",
            &hmac,
            "--message",
            &fileb(&message),
            "--mac-algorithm",
            "HMAC_SHA_512",
        ],
        "Mac",
        "m.mac",
    );
    assert_eq!(std::fs::read(&mac).unwrap().len(), 64);
    let valid = endpoint.ok(&[
        "verify-mac",
        "--key-id",
        &hmac,
        "--message",
        &fileb(&message),
        "--mac-algorithm",
        "HMAC_SHA_512",
        "--mac",
        &fileb(&mac),
        "--query",
        "MacValid",
        "--output",
        "text",
    ]);
    assert_eq!(valid, "True");

    // A data key pair whose private key openssl reads, its public key the pair's.
    let symmetric = create("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let pair = endpoint.ok(&[
        "generate-data-key-pair",
        "--key-id",
        &symmetric,
        "--key-pair-spec",
        "ECC_NIST_P384",
    ]);
    let pair: serde_json::Value = serde_json::from_str(&pair).unwrap();
    let member = |name: &str| STANDARD.decode(pair[name].as_str().unwrap()).unwrap();
    std::fs::write(endpoint.path("private.der"), member("PrivateKeyPlaintext")).unwrap();
    let public = endpoint.openssl(&[
        "pkey",
        "-inform",
        "DER",
        "-in",
        "private.der",
        "-pubout",
        "-outform",
        "DER",
    ]);
    assert_eq!(public.stdout, member("PublicKey"));

    // RSA OAEP: encrypted offline by openssl, decrypted through the AWS backend.
    let rsa = create("RSA_3072", "ENCRYPT_DECRYPT");
    endpoint.save(
        &["get-public-key", "--key-id", &rsa],
        "PublicKey",
        "rsa.der",
    );
    endpoint.openssl(&[
        "pkey", "-pubin", "-inform", "DER", "-in", "rsa.der", "-out", "rsa.pem",
    ]);
    std::fs::write(endpoint.path("plaintext"), b"offline").unwrap();
    endpoint.openssl(&[
        "pkeyutl",
        "-encrypt",
        "-pubin",
        "-inkey",
        "rsa.pem",
        "-pkeyopt",
        "rsa_padding_mode:oaep",
        "-pkeyopt",
        "rsa_oaep_md:sha256",
        "-pkeyopt",
        "rsa_mgf1_md:sha256",
        "-in",
        "plaintext",
        "-out",
        "ciphertext",
    ]);
    let plaintext = endpoint.ok(&[
        "decrypt",
        "--ciphertext-blob",
        &fileb(&endpoint.path("ciphertext")),
        "--key-id",
        &rsa,
        "--encryption-algorithm",
        "RSAES_OAEP_SHA_256",
        "--query",
        "Plaintext",
        "--output",
        "text",
    ]);
    assert_eq!(STANDARD.decode(plaintext).unwrap(), b"offline");
}
