//! The harness of the end-to-end tests: a fresh directory holding a persistent local store,
//! and `kms` run in it, each call a new process.
#![allow(
    dead_code,
    reason = "each test binary compiles this module and uses part of it"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// A fresh directory with a persistent local store (`store/`) and the root key that opens it;
/// removed when dropped, also when a test fails.
pub(crate) struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    /// A new directory whose name starts with `kms-cli-NAME-`.
    pub(crate) fn new(name: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix(&format!("kms-cli-{name}-"))
            .tempdir()
            .unwrap();
        Self { dir }
    }

    /// The directory.
    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }

    /// `kms ARGS` on this directory's store, with `stdin` as standard input.
    pub(crate) fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kms"))
            .args(args)
            .env("KMS_URL", kms::local_store_url(self.path("store")).unwrap())
            .env("KMS_LOCAL_ROOT_KEY", STANDARD.encode([5u8; 32]))
            .current_dir(self.root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        let stdin = stdin.to_vec();
        let writer = std::thread::spawn(move || {
            // The command may fail before reading everything.
            let _ = input.write_all(&stdin);
        });
        let output = child.wait_with_output().unwrap();
        writer.join().unwrap();
        output
    }

    /// `kms ARGS` with nothing on standard input.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, b"")
    }

    /// `kms ARGS`, which must succeed; its standard output, without the final newline.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "kms {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout)
            .unwrap()
            .trim_end()
            .to_owned()
    }

    /// `kms ARGS`, which must fail with `code` and one line on standard error; that line.
    pub(crate) fn fails(&self, args: &[&str], code: i32) -> String {
        let output = self.run(args);
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(code), "kms {args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        stderr.trim_end().to_owned()
    }

    /// The names in the directory, but the store.
    pub(crate) fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.root())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "store")
            .collect();
        names.sort();
        names
    }
}

impl Workdir {
    /// `kms ARGS`, which must succeed printing JSON; that JSON.
    pub(crate) fn json(&self, args: &[&str]) -> serde_json::Value {
        let printed = self.ok(args);
        serde_json::from_str(&printed).unwrap_or_else(|err| panic!("kms {args:?}: {err}"))
    }

    /// `kms ARGS`, which must fail as the AWS CLI does when the service refuses a call of
    /// `operation` with `exception`: exit code 254 and AWS's line on standard error. The
    /// exception's message.
    pub(crate) fn refused(&self, args: &[&str], operation: &str, exception: &str) -> String {
        let output = self.run(args);
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(254), "kms {args:?}: {stderr}");
        let prefix =
            format!("An error occurred ({exception}) when calling the {operation} operation: ");
        let line = stderr.trim_start().lines().next().unwrap_or_default();
        let message = line.strip_prefix(&prefix);
        assert!(message.is_some(), "kms {args:?}: {stderr}");
        message.unwrap_or_default().to_owned()
    }

    /// Writes `bytes` to the file `name` of the directory; its `fileb://` argument.
    pub(crate) fn fileb(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        format!("fileb://{}", path.display())
    }
}

/// The bytes of a base64 member of a JSON answer.
pub(crate) fn blob(value: &serde_json::Value, member: &str) -> Vec<u8> {
    let text = value[member]
        .as_str()
        .unwrap_or_else(|| panic!("no {member} in {value}"));
    STANDARD.decode(text).unwrap()
}

/// Sends `signal` (`-TERM`, `-INT`, `-KILL`) to `child` by its PID and waits for it to exit
/// (at most 20 s); its exit status and what it wrote to standard error (which must be piped).
pub(crate) fn stop_by_signal(
    child: &mut std::process::Child,
    signal: &str,
) -> (std::process::ExitStatus, String) {
    use std::io::Read;
    use std::time::{Duration, Instant};

    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill {signal} failed");
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no exit after {signal}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (exit, stderr)
}
