//! Many open, idle keep-alive connections, and the server's memory while they are held.

use std::time::Duration;

use hyper::StatusCode;

use crate::connection::Connection;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::operation::list_keys;

/// A process's memory, from `/proc/PID/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Memory {
    /// Resident set size now (`VmRSS`), in KiB.
    pub(crate) rss_kib: u64,
    /// The peak resident set size (`VmHWM`), in KiB.
    pub(crate) peak_kib: u64,
}

impl Memory {
    /// Reads the memory of process `pid`.
    pub(crate) fn of(pid: u32) -> Result<Self, Error> {
        let path = format!("/proc/{pid}/status");
        let status = std::fs::read_to_string(&path).map_err(|source| Error::Proc {
            path: path.clone(),
            source,
        })?;
        Self::parse(&status).ok_or_else(|| Error::Proc {
            path,
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "no VmRSS or VmHWM line"),
        })
    }

    /// The `VmRSS` and `VmHWM` lines of a status file.
    fn parse(status: &str) -> Option<Self> {
        let kib = |name: &str| {
            status.lines().find_map(|line| {
                let value = line.strip_prefix(name)?.strip_prefix(':')?;
                value.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()
            })
        };
        Some(Self {
            rss_kib: kib("VmRSS")?,
            peak_kib: kib("VmHWM")?,
        })
    }
}

/// What holding idle connections showed.
#[derive(Debug)]
pub(crate) struct IdleOutcome {
    /// Connections opened, each of which answered one request before going idle.
    pub(crate) opened: usize,
    /// Connections that answered a second request after the hold.
    pub(crate) still_answering: usize,
    /// The server's memory before the connections were opened, if its PID was given.
    pub(crate) before: Option<Memory>,
    /// The server's memory while every connection was open and idle.
    pub(crate) during: Option<Memory>,
}

/// Opens `count` connections to `endpoint`, sends one `ListKeys` on each, holds them all idle
/// for `hold`, reads the memory of `server_pid` (if given), then sends one more request on
/// each to see which the server kept open.
pub(crate) async fn run(
    endpoint: &Endpoint,
    count: usize,
    hold: Duration,
    server_pid: Option<u32>,
) -> Result<IdleOutcome, Error> {
    let before = server_pid.map(Memory::of).transpose()?;
    let call = list_keys();
    let mut connections = Vec::with_capacity(count);
    for _ in 0..count {
        let mut connection = Connection::new(endpoint.clone());
        connection.call(&call).await?.into_json(call.operation)?;
        connections.push(connection);
    }
    tokio::time::sleep(hold).await;
    let during = server_pid.map(Memory::of).transpose()?;
    let mut still_answering = 0;
    for connection in &mut connections {
        // A connection the server closed meanwhile is reopened by `call`: count only those
        // that answered on the connection opened first.
        let opened_before = connection.opened;
        let answered = connection
            .call(&call)
            .await
            .is_ok_and(|answer| answer.status == StatusCode::OK);
        if answered && connection.opened == opened_before {
            still_answering += 1;
        }
    }
    Ok(IdleOutcome {
        opened: connections.len(),
        still_answering,
        before,
        during,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_status_file() {
        let status = "Name:\tkms\nVmPeak:\t  900 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\nThreads:\t3\n";
        assert_eq!(
            Memory::parse(status),
            Some(Memory {
                rss_kib: 10240,
                peak_kib: 20480
            })
        );
        assert_eq!(Memory::parse("Name:\tkms\n"), None);
    }

    #[tokio::test]
    async fn holds_connections_and_sees_which_the_server_kept() {
        use crate::test_endpoint::TestEndpoint;
        let keys = r#"{"Keys":[],"Truncated":false}"#;
        let kept = TestEndpoint::start(StatusCode::OK, keys, false).await;
        let pid = std::process::id();
        let outcome = run(
            &kept.endpoint().await,
            20,
            Duration::from_millis(10),
            Some(pid),
        )
        .await
        .unwrap();
        assert_eq!((outcome.opened, outcome.still_answering), (20, 20));
        assert!(outcome.before.is_some() && outcome.during.is_some());

        let closed = TestEndpoint::start(StatusCode::OK, keys, true).await;
        let outcome = run(
            &closed.endpoint().await,
            20,
            Duration::from_millis(10),
            None,
        )
        .await
        .unwrap();
        assert_eq!((outcome.opened, outcome.still_answering), (20, 0));
        assert!(outcome.during.is_none());
    }

    #[tokio::test]
    async fn an_error_answer_fails_the_run() {
        use crate::test_endpoint::TestEndpoint;
        let server = TestEndpoint::start(StatusCode::BAD_REQUEST, "{}", false).await;
        let error = run(&server.endpoint().await, 3, Duration::ZERO, None)
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::Refused { status: 400, .. }),
            "{error}"
        );
    }

    #[test]
    fn reads_this_process() {
        let memory = Memory::of(std::process::id()).unwrap();
        assert!(memory.rss_kib > 0 && memory.peak_kib >= memory.rss_kib);
    }
}
