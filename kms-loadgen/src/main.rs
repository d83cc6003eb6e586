//! `kms-loadgen`: drives an AWS KMS JSON 1.1 endpoint (`kms serve`, moto's server) with
//! unsigned requests over keep-alive HTTP/1.1 connections.
//!
//! ```text
//! kms-loadgen load --endpoint http://127.0.0.1:PORT --operation encrypt --connections 16 --seconds 10
//! kms-loadgen load --endpoint http://127.0.0.1:PORT --operation encrypt --rate 7500 --seconds 10
//! kms-loadgen idle --endpoint http://127.0.0.1:PORT --connections 1000 --server-pid PID
//! ```
//!
//! `load` creates a key (or uses `--key-id`), sends `Encrypt` of 32 bytes or
//! `GenerateDataKey` on every connection for a warm-up and then for the measured window, and
//! reports successful requests per second and the p50, p99 and maximum latency. `idle` opens
//! many connections, sends one request on each, holds them idle, and reads the server's
//! resident memory from `/proc/PID/status`. `--json` prints one JSON object instead of a line
//! of text. Requests are not signed (see `connection`). A failed request makes the run exit with status 1, after the report.
#![allow(
    clippy::print_stderr,
    reason = "a command-line tool reports its errors"
)]

mod connection;
mod endpoint;
mod error;
mod idle;
mod load;
mod operation;
mod report;
mod stats;
#[cfg(test)]
mod test_endpoint;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::connection::Connection;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::operation::Operation;

/// Drives an AWS KMS JSON endpoint with unsigned keep-alive requests.
#[derive(Debug, Parser)]
#[command(name = "kms-loadgen", version)]
struct Cli {
    /// What to run.
    #[command(subcommand)]
    command: Command,
    /// Print one JSON object instead of a line of text.
    #[arg(long, global = true)]
    json: bool,
    /// Worker threads of the load generator (the server under test needs cores too).
    #[arg(long, global = true, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    threads: u16,
    /// The region named in each request's credential scope.
    #[arg(long, global = true, default_value = "us-east-1", value_parser = region)]
    region: String,
}

/// The two modes.
#[derive(Debug, Subcommand)]
enum Command {
    /// Sends one operation on N connections for a fixed time and reports the figures.
    Load {
        /// The endpoint, `http://HOST:PORT`.
        #[arg(long)]
        endpoint: String,
        /// The operation sent.
        #[arg(long, value_enum)]
        operation: Operation,
        /// Concurrent keep-alive connections.
        #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
        connections: u16,
        /// The measured window, in seconds.
        #[arg(long, default_value_t = 10.0, value_parser = positive_seconds)]
        seconds: f64,
        /// Load before the measured window, in seconds.
        #[arg(long, default_value_t = 1.0, value_parser = seconds_or_zero)]
        warmup_seconds: f64,
        /// A fixed total rate in requests per second (default: as fast as answers come).
        #[arg(long, value_parser = positive_rate)]
        rate: Option<f64>,
        /// The key to use (default: a key created with CreateKey first).
        #[arg(long)]
        key_id: Option<String>,
    },
    /// Holds N idle connections open and reads the server's memory.
    Idle {
        /// The endpoint, `http://HOST:PORT`.
        #[arg(long)]
        endpoint: String,
        /// Connections to open.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u16).range(1..))]
        connections: u16,
        /// How long to hold them idle before reading the memory, in seconds.
        #[arg(long, default_value_t = 2.0, value_parser = seconds_or_zero)]
        hold_seconds: f64,
        /// The server's process id, whose /proc/PID/status gives its memory.
        #[arg(long)]
        server_pid: Option<u32>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(usize::from(cli.threads))
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("kms-loadgen: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("kms-loadgen: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the command; the exit code is a failure when any request failed.
async fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Load {
            endpoint,
            operation,
            connections,
            seconds,
            warmup_seconds,
            rate,
            key_id,
        } => {
            let endpoint = Endpoint::resolve(&endpoint, &cli.region).await?;
            let key_id = match key_id {
                Some(key_id) => key_id,
                None => operation::create_key(&mut Connection::new(endpoint.clone())).await?,
            };
            let plan = load::Plan {
                connections: usize::from(connections),
                duration: Duration::from_secs_f64(seconds),
                warmup: Duration::from_secs_f64(warmup_seconds),
                rate,
            };
            let outcome = load::run(&endpoint, operation.call(&key_id), &plan).await?;
            report::load(operation, &plan, &outcome, cli.json)?;
            if let Some(error) = &outcome.first_error {
                eprintln!(
                    "kms-loadgen: {} of the requests failed; the first: {error}",
                    outcome.summary.errors
                );
                return Ok(ExitCode::FAILURE);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Idle {
            endpoint,
            connections,
            hold_seconds,
            server_pid,
        } => {
            let endpoint = Endpoint::resolve(&endpoint, &cli.region).await?;
            let outcome = idle::run(
                &endpoint,
                usize::from(connections),
                Duration::from_secs_f64(hold_seconds),
                server_pid,
            )
            .await?;
            report::idle(&outcome, cli.json)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A region name: lowercase letters, digits and dashes (it goes into a header).
fn region(text: &str) -> Result<String, String> {
    let valid = !text.is_empty()
        && text.len() <= 32
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid {
        Ok(text.to_owned())
    } else {
        Err(format!("expected a region such as us-east-1, got {text:?}"))
    }
}

/// A number of seconds greater than zero (and less than a day).
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds < 86_400.0 => Ok(seconds),
        _ => Err(format!(
            "expected seconds greater than 0 and less than 86400, got {text:?}"
        )),
    }
}

/// A number of seconds from zero to a day.
fn seconds_or_zero(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if (0.0..86_400.0).contains(&seconds) => Ok(seconds),
        _ => Err(format!("expected seconds from 0 to 86400, got {text:?}")),
    }
}

/// A rate in requests per second greater than zero.
fn positive_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate > 0.0 && rate.is_finite() => Ok(rate),
        _ => Err(format!(
            "expected requests per second greater than 0, got {text:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_and_rates_are_checked() {
        assert_eq!(positive_seconds("2.5"), Ok(2.5));
        assert!(positive_seconds("0").is_err());
        assert!(positive_seconds("NaN").is_err());
        assert!(positive_seconds("-1").is_err());
        assert_eq!(seconds_or_zero("0"), Ok(0.0));
        assert!(seconds_or_zero("inf").is_err());
        assert!(positive_rate("0").is_err());
        assert!(positive_rate("inf").is_err());
        assert_eq!(positive_rate("7500"), Ok(7500.0));
        assert_eq!(region("eu-west-1").as_deref(), Ok("eu-west-1"));
        assert!(region("EU WEST").is_err());
        assert!(region("").is_err());
    }
}
