//! `kms serve`: the backend of `--url` as an AWS KMS endpoint for the AWS CLI and every AWS
//! SDK, until SIGINT or SIGTERM.
//!
//! ```text
//! $ kms serve --listen 127.0.0.1:4599
//! listening on http://127.0.0.1:4599
//! $ aws --endpoint-url http://127.0.0.1:4599 kms create-key
//! ```
//!
//! The first line on standard output is `listening on URL`; one log line per request goes to
//! standard error, written out in batches at most 50 ms after the request and in full on a
//! graceful stop. Each region of the SigV4 credential scope has keys of its own (in
//! `DIR/regions/REGION` of a `local:///DIR` store), and with `--faults` and `--quotas` its own
//! faults and request quotas, to test clients' retries against.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use kms_server::auth::{Authentication, Credentials};
use kms_server::{Backends, LogBuffer, LogFlusher, Server, Tls, UrlBackends};

use crate::Failure;
use crate::backend::Backend;

/// The flags of `kms serve`.
#[derive(Debug, Args)]
pub(crate) struct Serve {
    /// The address and port to listen on; port 0 picks a free port. A non-loopback address
    /// needs --credentials or --allow-unauthenticated.
    #[arg(long, default_value_t = SocketAddr::from(([127, 0, 0, 1], kms_server::DEFAULT_PORT)))]
    pub(crate) listen: SocketAddr,
    /// A TOML file of `[[credentials]]` (access_key_id, secret_access_key, account,
    /// optional principal): every request must then be signed (SigV4) by one of them.
    #[arg(long)]
    pub(crate) credentials: Option<PathBuf>,
    /// Serve https with this PEM certificate chain (needs --tls-key).
    #[arg(long, requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
    /// Listen on a non-loopback address without --credentials: anyone who reaches it can
    /// use the keys.
    #[arg(long)]
    pub(crate) allow_unauthenticated: bool,
    /// Faults to inject into every call, as `throttling:0.1,latency:5ms..50ms,seed:7` (rates
    /// of throttling, internal, dependency-timeout and key-unavailable errors, per operation
    /// with `Decrypt.throttling:0.5`; see the README's "Testing your retries"). Each region's
    /// backend meets them on its own. Replaces any `faults=` of the URL.
    #[arg(long)]
    pub(crate) faults: Option<String>,
    /// Request quotas, as AWS enforces them: `aws` for AWS's default per-second quotas
    /// (us-east-1's figures), or quotas of your choosing for a load test, such as
    /// `cryptographic:100` or `all:500,CreateKey:5`; a call over quota gets AWS's
    /// ThrottlingException. Each region's backend has quotas of its own, shared by every
    /// client, as on AWS an account's in one region. Replaces any `quotas=` of the URL.
    #[arg(long)]
    pub(crate) quotas: Option<String>,
    /// The format of the log lines on standard error.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub(crate) log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    /// `key=value` fields.
    Text,
    /// One JSON object per line.
    Json,
}

/// Serves `backend` until SIGINT or SIGTERM, then lets the requests in flight finish and
/// closes the store.
pub(crate) async fn run(backend: &Backend, args: Serve) -> Result<(), Failure> {
    // Dropped when the command returns: the buffered log lines are written out then.
    let _log_flusher = init_logging(args.log_format);
    let mut config = backend.config()?;
    if let Some(faults) = &args.faults {
        // Checked now, so that a plan with a typo stops the command before it listens.
        faults
            .parse::<kms::faults::FaultPlan>()
            .map_err(|err| Failure::Usage(format!("--faults '{faults}': {}", err.message())))?;
        config = config.with_faults(faults.as_str());
    }
    if let Some(quotas) = &args.quotas {
        quotas
            .parse::<kms::faults::QuotaPlan>()
            .map_err(|err| Failure::Usage(format!("--quotas '{quotas}': {}", err.message())))?;
        config = config.with_quotas(quotas.as_str());
    }
    let auth = match &args.credentials {
        Some(path) => Authentication::Verify(
            Credentials::from_file(path).map_err(|err| Failure::Usage(err.to_string()))?,
        ),
        None => Authentication::AcceptAny,
    };
    let mut builder = Server::builder(Backends::per_region(UrlBackends::new(config)))
        .listen(args.listen)
        .authentication(auth)
        .allow_unauthenticated(args.allow_unauthenticated);
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        let tls = Tls::from_pem_files(cert, key).map_err(|err| Failure::Usage(err.to_string()))?;
        builder = builder.tls(tls);
    }
    let server = builder.bind().await.map_err(|err| match err {
        kms_server::ServerError::Bind { .. } => Failure::Io(err.to_string()),
        _ => Failure::Usage(err.to_string()),
    })?;
    // The default region's store is opened now, so that a store that cannot be opened
    // stops the command before it says it listens.
    server
        .open_default_backend()
        .await
        .map_err(Failure::Backend)?;
    let shutdown = shutdown_signal().map_err(|err| Failure::Io(err.to_string()))?;
    println!("listening on {}", server.endpoint_url());
    std::io::Write::flush(&mut std::io::stdout()).map_err(|err| Failure::Io(err.to_string()))?;
    server.run(shutdown).await;
    Ok(())
}

/// Log lines on standard error, `info` and above, written out in batches (one `write` per
/// batch rather than per request) until the returned flusher is dropped.
fn init_logging(format: LogFormat) -> LogFlusher {
    let (log, flusher) = LogBuffer::start(std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_writer(move || log.writer())
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false);
    // Only fails when a subscriber is set already, which then keeps logging.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    flusher
}

/// Completes on the first SIGINT or SIGTERM.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        let name = tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        };
        tracing::info!(target: "kms_server::shutdown", "{name}: stopping");
    })
}

/// Completes on the first Ctrl-C or Ctrl-Break (Windows has no SIGTERM; a service manager
/// stops a console program with Ctrl-Break).
#[cfg(windows)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::windows::{ctrl_break, ctrl_c};
    let mut interrupt = ctrl_c()?;
    let mut brk = ctrl_break()?;
    Ok(async move {
        let name = tokio::select! {
            _ = interrupt.recv() => "Ctrl-C",
            _ = brk.recv() => "Ctrl-Break",
        };
        tracing::info!(target: "kms_server::shutdown", "{name}: stopping");
    })
}
