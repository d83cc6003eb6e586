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

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::operation::Operation;
    use crate::test_endpoint::TestEndpoint;

    fn plan(rate: Option<f64>) -> Plan {
        Plan {
            connections: 2,
            duration: Duration::from_millis(300),
            warmup: Duration::from_millis(50),
            rate,
        }
    }

    const ENCRYPTED: &str = r#"{"CiphertextBlob":"AQID","KeyId":"k"}"#;

    #[tokio::test]
    async fn counts_successes_on_keep_alive_connections() {
        let server = TestEndpoint::start(StatusCode::OK, ENCRYPTED, false).await;
        let outcome = run(
            &server.endpoint().await,
            Operation::Encrypt.call("k"),
            &plan(None),
        )
        .await
        .unwrap();
        assert!(outcome.summary.requests > 10, "{outcome:?}");
        assert_eq!(outcome.summary.errors, 0);
        assert!(outcome.first_error.is_none());
        assert_eq!(outcome.connections_opened, 2);
        assert_eq!(server.accepted.load(Ordering::SeqCst), 2);
        assert!(outcome.summary.p50 <= outcome.summary.p99);
    }

    #[tokio::test]
    async fn reopens_connections_the_server_closes() {
        let server = TestEndpoint::start(StatusCode::OK, ENCRYPTED, true).await;
        let outcome = run(
            &server.endpoint().await,
            Operation::Encrypt.call("k"),
            &plan(None),
        )
        .await
        .unwrap();
        assert_eq!(outcome.summary.errors, 0, "{:?}", outcome.first_error);
        assert!(outcome.connections_opened > 10, "{outcome:?}");
        assert_eq!(
            server.accepted.load(Ordering::SeqCst),
            outcome.connections_opened
        );
    }

    #[tokio::test]
    async fn counts_error_answers_and_keeps_the_first() {
        let body = r#"{"__type":"NotFoundException","message":"Key 'k' does not exist"}"#;
        let server = TestEndpoint::start(StatusCode::BAD_REQUEST, body, false).await;
        let outcome = run(
            &server.endpoint().await,
            Operation::Encrypt.call("k"),
            &plan(None),
        )
        .await
        .unwrap();
        assert_eq!(outcome.summary.requests, 0);
        assert!(outcome.summary.errors > 10);
        let first = outcome.first_error.unwrap();
        assert!(
            first.starts_with("HTTP 400: ") && first.contains("NotFoundException"),
            "{first}"
        );
    }

    #[tokio::test]
    async fn an_answer_without_a_ciphertext_is_an_error() {
        let server = TestEndpoint::start(StatusCode::OK, "{}", false).await;
        let outcome = run(
            &server.endpoint().await,
            Operation::GenerateDataKey.call("k"),
            &plan(None),
        )
        .await
        .unwrap();
        assert_eq!(outcome.summary.requests, 0);
        assert_eq!(
            outcome.first_error.as_deref(),
            Some("HTTP 200 without a CiphertextBlob")
        );
    }

    #[tokio::test]
    async fn a_rate_limits_the_requests() {
        let server = TestEndpoint::start(StatusCode::OK, ENCRYPTED, false).await;
        let outcome = run(
            &server.endpoint().await,
            Operation::Encrypt.call("k"),
            &plan(Some(100.0)),
        )
        .await
        .unwrap();
        // 100 requests per second over 0.3 s: about 30 (timer granularity allows a few more).
        let requests = outcome.summary.requests;
        assert!((20..=40).contains(&requests), "{requests} requests");
        assert_eq!(outcome.summary.errors, 0);
    }

    #[tokio::test]
    async fn an_endpoint_that_does_not_listen_fails_the_run() {
        let server = TestEndpoint::start(StatusCode::OK, ENCRYPTED, false).await;
        let mut endpoint = server.endpoint().await;
        // A port nothing listens on: bind one, then let it go.
        let unused = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        endpoint.address = unused;
        let error = run(&endpoint, Operation::Encrypt.call("k"), &plan(None))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Connect { .. }), "{error}");
    }
}
