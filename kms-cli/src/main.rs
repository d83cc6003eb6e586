//! `kms`: the operations of AWS KMS with the subcommands, flags and output of `aws kms`, on
//! the backend that `--url` or `KMS_URL` names. Without one, keys live in a persistent local
//! store in the user's data directory.
//!
//! ```text
//! kms create-key --description "this is a test"
//! kms create-alias --alias-name alias/key1 --target-key-id <key-id>
//! kms list-aliases --query "Aliases[?TargetKeyId=='<key-id>'].AliasName" --output text
//! kms encrypt --key-id alias/key1 --plaintext fileb://secret.txt \
//!     --output text --query CiphertextBlob | base64 -d > secret.enc
//! kms decrypt --ciphertext-blob fileb://secret.enc --output text --query Plaintext | base64 -d
//! ```
//!
//! `kms encrypt-file` and `kms decrypt-file` encrypt files of any size in the AWS Encryption SDK
//! message format, with KMS keys or a raw AES key:
//!
//! ```text
//! kms encrypt-file --key-id alias/key1 --context purpose=backup data.tar data.tar.enc
//! kms decrypt-file --key-id alias/key1 --context purpose=backup data.tar.enc data.tar
//! ```
//!
//! Exit codes are those of the AWS CLI: 0 on success, 252 for a wrong argument, 254 when the
//! service refused the request (the error names its exception), 255 when the backend could not
//! be reached or configured. The file commands add 1 for a message that cannot be decrypted
//! (altered, truncated, not encrypted under the given keys, or without the required context),
//! and use 255 too when a file cannot be read or written, and 130 when interrupted (Ctrl-C or
//! SIGTERM); they print a one-line reason.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool prints its results and errors"
)]

mod args;
mod asymmetric_keyring;
mod backend;
mod cli;
mod commands;
mod files;
mod keyring;
mod local;
mod mrk_keyring;
mod output;
mod progress;
mod serve;
mod temp;
mod threaded_io;

use std::process::ExitCode;

use clap::Parser;

use cli::Cli;

/// Why a command failed, which decides its exit code.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A wrong argument (exit code 252).
    Usage(String),
    /// The backend answered with an AWS exception (254).
    Service(kms::Error),
    /// The backend could not be configured or reached (255).
    Backend(kms::Error),
    /// A message could not be decrypted: altered, truncated, not encrypted under the given
    /// keys, or without the required context (exit code 1).
    Message(String),
    /// A file could not be read or written (255).
    Io(String),
    /// A file command was stopped by this signal (130); its output file was removed.
    Interrupted(&'static str),
}

impl From<kms::Error> for Failure {
    fn from(error: kms::Error) -> Self {
        match error {
            kms::Error::Config { .. } | kms::Error::Backend { .. } => Self::Backend(error),
            _ => Self::Service(error),
        }
    }
}

impl From<args::ArgError> for Failure {
    fn from(message: args::ArgError) -> Self {
        Self::Usage(message)
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 252 } else { 0 };
            // Printing help or a usage error can only fail if the terminal is gone.
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let operation = match &cli.command {
        cli::Command::Kms(operation) => operation.operation(),
        cli::Command::Local(cli::LocalCommand::Seed(_)) => "Seed",
        cli::Command::Local(cli::LocalCommand::ExportKey(_)) => "ExportKey",
        cli::Command::File(command) => command.name(),
        cli::Command::Serve(_) => "serve",
    };
    let file_command = matches!(cli.command, cli::Command::File(_));
    // The server answers requests on every core; the other commands need one thread.
    let runtime = if matches!(cli.command, cli::Command::Serve(_)) {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    }
    .enable_all()
    .build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("kms: cannot start the async runtime: {err}");
            return ExitCode::from(255);
        }
    };
    let result = runtime.block_on(run(cli));
    // Everything was written and flushed (or abandoned after a failure); a read of standard
    // input may still block a thread of the runtime, which must not hold up the exit.
    runtime.shutdown_background();
    if file_command && let Err(failure) = result {
        return file_failure(operation, failure);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("kms: {message}");
            ExitCode::from(252)
        }
        Err(Failure::Service(error)) => {
            eprintln!(
                "\nAn error occurred ({}) when calling the {operation} operation: {}",
                error.code(),
                error.message()
            );
            ExitCode::from(254)
        }
        Err(Failure::Backend(error)) => {
            eprintln!("kms: {error}");
            ExitCode::from(255)
        }
        Err(Failure::Message(message)) => {
            eprintln!("kms: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Io(message)) => {
            eprintln!("kms: {message}");
            ExitCode::from(255)
        }
        Err(Failure::Interrupted(signal)) => {
            eprintln!("kms: interrupted by {signal}");
            ExitCode::from(130)
        }
    }
}

/// Reports the failure of a file command on one line, `kms: COMMAND: REASON`.
fn file_failure(command: &str, failure: Failure) -> ExitCode {
    let (reason, code) = match failure {
        Failure::Usage(message) => (message, 252),
        Failure::Service(error) => (format!("{} ({})", error.message(), error.code()), 254),
        Failure::Backend(error) => (error.to_string(), 255),
        Failure::Message(message) => (message, 1),
        Failure::Io(message) => (message, 255),
        Failure::Interrupted(signal) => (
            format!("interrupted by {signal}; no output file was left behind"),
            130,
        ),
    };
    let reason = reason.replace(['\n', '\r'], " ");
    eprintln!("kms: {command}: {reason}");
    ExitCode::from(code)
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let url = if cli.url.trim().is_empty() {
        cli::default_url()
    } else {
        cli.url
    };
    let backend = backend::Backend::new(url, cli.region);
    let command = match cli.command {
        cli::Command::Local(cli::LocalCommand::Seed(seed)) => return local::seed(&backend, &seed),
        cli::Command::Local(cli::LocalCommand::ExportKey(export)) => {
            return local::export(&backend, &export);
        }
        cli::Command::File(command) => return files::run(&backend, command).await,
        cli::Command::Serve(serve) => return serve::run(&backend, serve).await,
        cli::Command::Kms(operation) => operation,
    };
    // As the AWS CLI does, a query that does not compile is refused before any request.
    let query = cli
        .query
        .as_deref()
        .map(output::Query::compile)
        .transpose()
        .map_err(Failure::Usage)?;
    let kms = backend.connect().await?;
    let Some(mut response) = commands::run(kms.as_ref(), command).await? else {
        return Ok(());
    };
    let rendered = output::render(&response, cli.output, query.as_ref());
    output::wipe(&mut response);
    let mut rendered = rendered.map_err(Failure::Usage)?;
    println!("{rendered}");
    zeroize::Zeroize::zeroize(&mut rendered);
    Ok(())
}
