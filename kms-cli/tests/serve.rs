//! `kms serve` end to end: the binary on a free port, called by the `kms` command itself
//! through the AWS backend (`aws+http://`), stopped by SIGTERM with exit code 0, its keys
//! still in the store afterwards.
#![cfg(unix)] // The server is stopped with kill(1): SIGTERM and SIGINT.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// A `kms serve` process, killed (by PID) if the test fails before it stops.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(store: &std::path::Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kms"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .env("KMS_URL", kms::local_store_url(store).unwrap())
            .env("KMS_LOCAL_ROOT_KEY", STANDARD.encode([5u8; 32]))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line {line:?}"))
            .trim_end()
            .to_owned();
        assert!(url.contains("://127.0.0.1:"), "{url}");
        assert!(!url.ends_with(":0"), "{url}");
        Self { child, url }
    }

    /// `kms ARGS` against this server, through the AWS backend.
    fn kms(&self, args: &[&str]) -> std::process::Output {
        self.kms_in("eu-west-1", args)
    }

    /// `kms ARGS` against this server in `region`, through the AWS backend.
    fn kms_in(&self, region: &str, args: &[&str]) -> std::process::Output {
        self.kms_with(&format!("?region={region}"), &[], args)
    }

    /// `kms ARGS` against this server through the AWS backend, with `query` after the URL
    /// and these environment variables; no Region from the machine's environment.
    fn kms_with(&self, query: &str, env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_kms"))
            .args(args)
            .env("KMS_URL", format!("aws+{}{query}", self.url))
            .env("AWS_ACCESS_KEY_ID", "AKIDANY")
            .env("AWS_SECRET_ACCESS_KEY", "any secret")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    }

    /// Sends SIGTERM and waits for the exit (at most 20 s).
    fn terminate(self) -> (std::process::ExitStatus, String) {
        self.signal("-TERM")
    }

    /// Sends a signal (`-TERM`, `-INT`) by PID and waits for the exit (at most 20 s).
    fn signal(mut self, signal: &str) -> (std::process::ExitStatus, String) {
        common::stop_by_signal(&mut self.child, signal)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn stdout(output: &std::process::Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn serves_the_store_until_sigterm_and_keeps_its_keys() {
    let work = common::Workdir::new("serve");
    let store = work.path("store");
    let served = Served::start(&store, &[]);

    let created = stdout(&served.kms(&["create-key", "--description", "served"]));
    let arn = created["KeyMetadata"]["Arn"].as_str().unwrap().to_owned();
    assert!(
        arn.starts_with("arn:aws:kms:eu-west-1:111122223333:key/"),
        "{arn}"
    );
    let encrypted = stdout(&served.kms(&[
        "encrypt",
        "--key-id",
        &arn,
        "--plaintext",
        &STANDARD.encode("over http"),
    ]));
    let blob = encrypted["CiphertextBlob"].as_str().unwrap();
    let decrypted = stdout(&served.kms(&["decrypt", "--ciphertext-blob", blob]));
    assert_eq!(decrypted["Plaintext"], STANDARD.encode("over http"));
    let missing = served.kms(&["describe-key", "--key-id", "alias/missing"]);
    assert_eq!(missing.status.code(), Some(254));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("(NotFoundException)"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );

    // A raw request: health, with a request ID.
    let addr = served.url.strip_prefix("http://").unwrap().to_owned();
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.to_ascii_lowercase().contains("x-amzn-requestid: "),
        "{response}"
    );

    let (exit, stderr) = served.terminate();
    assert_eq!(exit.code(), Some(0), "{stderr}");
    // One log line per request, naming the operation and never a body.
    assert!(
        stderr.contains("operation=\"CreateKey\"") || stderr.contains("operation=CreateKey"),
        "{stderr}"
    );
    assert!(!stderr.contains(&STANDARD.encode("over http")), "{stderr}");

    // The key is in the store of eu-west-1, beside the default region's.
    let listed = work.run(&[
        "--url",
        &format!(
            "{}?region=eu-west-1",
            kms::local_store_url(store.join("regions/eu-west-1")).unwrap()
        ),
        "list-keys",
    ]);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed["Keys"][0]["KeyArn"], arn.as_str());
}

#[test]
fn refuses_a_public_address_without_credentials() {
    let work = common::Workdir::new("serve-public");
    let output = Command::new(env!("CARGO_BIN_EXE_kms"))
        .args(["serve", "--listen", "0.0.0.0:0"])
        .env("KMS_URL", "local:")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(252));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--allow-unauthenticated"), "{stderr}");
    assert!(output.stdout.is_empty());
    drop(work);
}

#[test]
fn a_bad_credentials_file_is_named() {
    let work = common::Workdir::new("serve-creds");
    let path = work.path("creds.toml");
    std::fs::write(&path, "[[credentials]]\naccess_key_id = \"AK\"\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_kms"))
        .args(["serve", "--listen", "127.0.0.1:0", "--credentials"])
        .arg(&path)
        .env("KMS_URL", "local:")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(252));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("creds.toml"), "{stderr}");
    assert!(
        stderr.contains("missing field `secret_access_key`"),
        "{stderr}"
    );
}

#[test]
fn serves_https_with_a_certificate_and_stops_on_sigint_too() {
    let work = common::Workdir::new("serve-tls");
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert, key) = (work.path("cert.pem"), work.path("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let served = Served::start(
        &work.path("store"),
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(
        served.url.starts_with("https://127.0.0.1:"),
        "{}",
        served.url
    );
    let (exit, stderr) = served.signal("-INT");
    assert_eq!(exit.code(), Some(0), "{stderr}");
}

#[test]
fn a_certificate_needs_its_key_and_readable_files() {
    let work = common::Workdir::new("serve-tls-bad");
    let output = work.run(&["serve", "--listen", "127.0.0.1:0", "--tls-cert", "cert.pem"]);
    assert_eq!(output.status.code(), Some(252));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--tls-key"));
    let output = work.run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--tls-cert",
        "/nonexistent/cert.pem",
        "--tls-key",
        "/nonexistent/key.pem",
    ]);
    assert_eq!(output.status.code(), Some(252));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/cert.pem"), "{stderr}");
}

#[test]
fn faults_reach_every_client_and_its_retries_show_in_the_log() {
    let work = common::Workdir::new("serve-faults");
    let store = work.path("store");
    let served = Served::start(&store, &["--faults", "CreateKey.throttling:1,seed:1"]);
    // The client (the AWS backend: the SDK's standard retry mode, 3 attempts) retries the
    // throttled call, then gives up with AWS's exception.
    let throttled = served.kms(&["create-key"]);
    assert_eq!(throttled.status.code(), Some(254));
    let stderr = String::from_utf8_lossy(&throttled.stderr);
    assert!(stderr.contains("ThrottlingException"), "{stderr}");
    // Other operations are untouched.
    stdout(&served.kms(&["list-keys"]));
    let (exit, log) = served.terminate();
    assert!(exit.success(), "{log}");
    let injected: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("injected fault"))
        .collect();
    assert_eq!(injected.len(), 3, "{log}");
    assert!(
        injected
            .iter()
            .all(|line| line.contains("CreateKey") && line.contains("throttling")),
        "{log}"
    );
}

#[test]
fn quotas_throttle_each_region_on_its_own() {
    let work = common::Workdir::new("serve-quotas");
    let store = work.path("store");
    // One CreateKey in each 100 seconds, per region.
    let served = Served::start(&store, &["--quotas", "aws,CreateKey:0.01"]);
    stdout(&served.kms(&["create-key"]));
    // The client retries (3 attempts), each over quota, then gives up with AWS's exception.
    let throttled = served.kms(&["create-key"]);
    assert_eq!(throttled.status.code(), Some(254));
    let stderr = String::from_utf8_lossy(&throttled.stderr);
    assert!(stderr.contains("ThrottlingException"), "{stderr}");
    assert!(
        stderr.contains("You have exceeded the rate at which you may call KMS"),
        "{stderr}"
    );
    // Another region is another account-and-region, with quotas of its own; other
    // operations have theirs.
    stdout(&served.kms_in("us-west-2", &["create-key"]));
    stdout(&served.kms(&["list-keys"]));
    let (exit, log) = served.terminate();
    assert!(exit.success(), "{log}");
    let over: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("request over quota"))
        .collect();
    assert_eq!(over.len(), 3, "{log}");
    assert!(over.iter().all(|line| line.contains("CreateKey")), "{log}");
}

#[test]
fn a_bad_quota_plan_is_named_before_listening() {
    let output = Command::new(env!("CARGO_BIN_EXE_kms"))
        .args(["serve", "--listen", "127.0.0.1:0", "--quotas", "Encrypt:5"])
        .env("KMS_URL", "local:")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(252));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--quotas 'Encrypt:5': Encrypt counts against the quota of its key's type"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_bad_fault_plan_is_named_before_listening() {
    let output = Command::new(env!("CARGO_BIN_EXE_kms"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--faults",
            "throttling:2",
        ])
        .env("KMS_URL", "local:")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(252));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--faults 'throttling:2': the rate of throttling must be between 0 and 1"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

/// The Region of the ARN of the key `create-key` makes.
fn created_in(output: &std::process::Output) -> String {
    let arn = stdout(output)["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    arn.split(':').nth(3).unwrap().to_owned()
}

/// As the AWS CLI: `--region` first, then the URL's, then `AWS_REGION`, then
/// `AWS_DEFAULT_REGION`. `kms serve` keeps a store per Region of the requests' signatures,
/// so the ARN names the Region the request was signed for.
#[test]
fn the_region_flag_comes_before_the_url_and_the_environment() {
    let work = common::Workdir::new("serve-region");
    let served = Served::start(&work.path("store"), &[]);
    let both = [
        ("AWS_REGION", "ap-south-1"),
        ("AWS_DEFAULT_REGION", "ca-central-1"),
    ];
    let create = ["create-key"];
    let flagged = ["--region", "us-west-2", "create-key"];
    for (query, env, args, expected) in [
        ("?region=eu-west-1", &both[..], &flagged[..], "us-west-2"),
        ("", &both[..], &flagged[..], "us-west-2"),
        ("?region=eu-west-1", &both[..], &create[..], "eu-west-1"),
        ("", &both[..], &create[..], "ap-south-1"),
        ("", &both[1..], &create[..], "ca-central-1"),
    ] {
        let output = served.kms_with(query, env, args);
        assert_eq!(created_in(&output), expected, "{query:?} {env:?} {args:?}");
    }
}

/// `decrypt-file --mrk-key-id` calls KMS in the Region of the key's ARN, and
/// `--mrk-discovery --discovery-region` in the Regions given, whatever the command's Region:
/// a client per Region, with the same endpoint and credentials.
#[test]
fn mrk_keyrings_call_the_region_of_their_key() {
    let work = common::Workdir::new("serve-mrk");
    let served = Served::start(&work.path("store"), &[]);
    let west = stdout(&served.kms_in("us-west-2", &["create-key"]))["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let plain = work.path("plain");
    let message = work.path("plain.enc");
    let out = work.path("out");
    let [plain, message, out] = [&plain, &message, &out].map(|path| path.to_str().unwrap());
    std::fs::write(plain, b"written in us-west-2").unwrap();
    let written = served.kms_in(
        "us-west-2",
        &["encrypt-file", "--key-id", &west, plain, message],
    );
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );

    // The command's Region is eu-west-1.
    let strict = served.kms(&["decrypt-file", "--mrk-key-id", &west, message, out]);
    assert!(
        strict.status.success(),
        "{}",
        String::from_utf8_lossy(&strict.stderr)
    );
    assert_eq!(std::fs::read(out).unwrap(), b"written in us-west-2");
    std::fs::remove_file(out).unwrap();

    let discovery = served.kms(&[
        "decrypt-file",
        "--mrk-discovery",
        "--discovery-region",
        "eu-west-1",
        "--discovery-region",
        "us-west-2",
        message,
        out,
    ]);
    assert!(
        discovery.status.success(),
        "{}",
        String::from_utf8_lossy(&discovery.stderr)
    );
    assert_eq!(std::fs::read(out).unwrap(), b"written in us-west-2");
    std::fs::remove_file(out).unwrap();

    // In eu-west-1 alone, a single-Region key of us-west-2 is not even tried.
    let elsewhere = served.kms(&["decrypt-file", "--mrk-discovery", message, out]);
    assert_eq!(elsewhere.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&elsewhere.stderr);
    assert!(stderr.contains("no encrypted data key matched"), "{stderr}");
    assert!(!std::path::Path::new(out).exists());
}
