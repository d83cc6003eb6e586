//! A fixed-duration load over N keep-alive connections, as fast as the server answers or at a
//! fixed total rate.

use std::time::Duration;

use hyper::StatusCode;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::connection::{Answer, Call, Connection};
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::stats::Summary;

/// How a load runs.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Concurrent keep-alive connections, each with one request in flight at a time.
    pub(crate) connections: usize,
    /// The measured window.
    pub(crate) duration: Duration,
    /// Time under load before the window opens (connections warm, caches filled).
    pub(crate) warmup: Duration,
    /// A total rate in requests per second, spread evenly over the connections; `None` sends
    /// each request as soon as the previous answer arrived.
    pub(crate) rate: Option<f64>,
}

/// The outcome of a load: the figures, how many TCP connections were opened (more than the
/// plan's when the server closes connections), and the first error seen.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// The figures of the measured window.
    pub(crate) summary: Summary,
    /// TCP connections opened over the whole run.
    pub(crate) connections_opened: u64,
    /// The first failure, if any request failed.
    pub(crate) first_error: Option<String>,
}

/// What one connection measured.
#[derive(Debug, Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
    opened: u64,
}

/// Runs `call` under `plan` against `endpoint`. Every connection is opened before the clock
/// starts; a connection that cannot be opened fails the run.
pub(crate) async fn run(endpoint: &Endpoint, call: Call, plan: &Plan) -> Result<Outcome, Error> {
    let mut connections = Vec::with_capacity(plan.connections);
    for _ in 0..plan.connections {
        let mut connection = Connection::new(endpoint.clone());
        connection.open().await?;
        connections.push(connection);
    }
    // Each connection's interval between sends, and its offset so sends interleave.
    let interval = plan
        .rate
        .map(|rate| Duration::from_secs_f64(plan.connections as f64 / rate));
    let start = Instant::now();
    let window_start = start + plan.warmup;
    let end = window_start + plan.duration;
    let mut tasks = JoinSet::new();
    for (index, connection) in connections.into_iter().enumerate() {
        let call = call.clone();
        let first_send = interval
            .map(|interval| start + interval.mul_f64(index as f64 / plan.connections as f64));
        tasks.spawn(drive(
            connection,
            call,
            first_send,
            interval,
            window_start,
            end,
        ));
    }
    let mut latencies_us = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    let mut connections_opened = 0;
    while let Some(joined) = tasks.join_next().await {
        let tally = joined.map_err(|error| Error::Response {
            operation: call.operation,
            reason: format!("a connection's task ended abnormally: {error}"),
        })?;
        latencies_us.extend(tally.latencies_us);
        errors += tally.errors;
        first_error = first_error.or(tally.first_error);
        connections_opened += tally.opened;
    }
    Ok(Outcome {
        summary: Summary::new(latencies_us, errors, plan.duration),
        connections_opened,
        first_error,
    })
}

/// Sends `call` on `connection` until `end`, recording the requests sent from `window_start`.
/// With an interval, the sends follow the schedule `first_send + k * interval` (catching up
/// at once when behind); the latency is measured from the actual send.
async fn drive(
    mut connection: Connection,
    call: Call,
    first_send: Option<Instant>,
    interval: Option<Duration>,
    window_start: Instant,
    end: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let mut next_send = first_send;
    loop {
        if let (Some(due), Some(interval)) = (next_send, interval) {
            tokio::time::sleep_until(due).await;
            next_send = Some(due + interval);
        }
        let sent = Instant::now();
        if sent >= end {
            break;
        }
        let result = connection.call(&call).await;
        let latency = sent.elapsed();
        if sent < window_start {
            continue;
        }
        match result
            .map_err(|error| error.to_string())
            .and_then(succeeded)
        {
            Ok(()) => tally
                .latencies_us
                .push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX)),
            Err(error) => {
                tally.errors += 1;
                tally.first_error.get_or_insert(error);
            }
        }
    }
    tally.opened = connection.opened;
    tally
}

/// Whether an answer is a success: status 200 and a `CiphertextBlob`, which every operation
/// of a load returns. The body of a success is never shown: it may hold a data key.
fn succeeded(answer: Answer) -> Result<(), String> {
    const MEMBER: &[u8] = b"\"CiphertextBlob\"";
    if answer.status == StatusCode::OK && answer.body.windows(MEMBER.len()).any(|w| w == MEMBER) {
        return Ok(());
    }
    if answer.status == StatusCode::OK {
        return Err("HTTP 200 without a CiphertextBlob".to_owned());
    }
    Err(format!(
        "HTTP {}: {}",
        answer.status.as_u16(),
        String::from_utf8_lossy(&answer.body[..answer.body.len().min(300)])
    ))
}
