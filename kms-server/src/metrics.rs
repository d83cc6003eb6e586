//! Prometheus metrics of the KMS API: requests, errors and latency per operation, and the
//! open connections, kept on atomics and rendered in the text exposition format.
//!
//! ```text
//! kms_requests_total{operation="Encrypt"} 3
//! kms_request_errors_total{operation="Encrypt",code="NotFoundException"} 1
//! kms_request_duration_seconds_bucket{operation="Encrypt",le="0.001"} 2
//! kms_request_duration_seconds_sum{operation="Encrypt"} 0.001234
//! kms_request_duration_seconds_count{operation="Encrypt"} 3
//! kms_open_connections 2
//! ```
//!
//! Operations are the ones the server serves, fixed when it starts, plus `unknown` for every
//! other target, so no request can add a series.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// The operation label of requests whose target is not an operation the server serves.
pub(crate) const UNKNOWN_OPERATION: &str = "unknown";

/// The upper bounds of the latency histogram's buckets, in microseconds.
const BUCKETS_MICROS: [u64; 14] = [
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
    1_000_000, 2_500_000,
];

/// The counters of one operation.
#[derive(Debug, Default)]
struct OperationMetrics {
    requests: AtomicU64,
    /// Requests per bucket (not cumulative); the last one is past every bound.
    buckets: [AtomicU64; BUCKETS_MICROS.len() + 1],
    sum_micros: AtomicU64,
}

/// The metrics of a server.
#[derive(Debug)]
pub struct Metrics {
    operations: HashMap<&'static str, OperationMetrics>,
    unknown: OperationMetrics,
    /// Errors by operation and code: only failed requests take this lock.
    errors: Mutex<BTreeMap<(&'static str, String), u64>>,
    connections: AtomicI64,
}

impl Metrics {
    /// Metrics for the operations named.
    pub(crate) fn new(operations: &[&'static str]) -> Self {
        Self {
            operations: operations
                .iter()
                .map(|name| (*name, OperationMetrics::default()))
                .collect(),
            unknown: OperationMetrics::default(),
            errors: Mutex::new(BTreeMap::new()),
            connections: AtomicI64::new(0),
        }
    }

    /// The label of an operation: its name when served, [`UNKNOWN_OPERATION`] otherwise.
    pub(crate) fn label(&self, operation: &str) -> &'static str {
        self.operations
            .get_key_value(operation)
            .map_or(UNKNOWN_OPERATION, |(name, _)| name)
    }

    /// Counts a request to `operation` that took `latency`, and its error code if it failed.
    pub(crate) fn record(&self, operation: &str, latency: Duration, error_code: Option<&str>) {
        let label = self.label(operation);
        let metrics = self.operations.get(label).unwrap_or(&self.unknown);
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        metrics.requests.fetch_add(1, Ordering::Relaxed);
        metrics.sum_micros.fetch_add(micros, Ordering::Relaxed);
        let bucket = BUCKETS_MICROS
            .iter()
            .position(|bound| micros <= *bound)
            .unwrap_or(BUCKETS_MICROS.len());
        metrics.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        if let Some(code) = error_code {
            let mut errors = self
                .errors
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *errors.entry((label, code.to_owned())).or_default() += 1;
        }
    }

    /// Counts a connection opened (`+1`) or closed (`-1`).
    pub(crate) fn connections(&self, delta: i64) {
        self.connections.fetch_add(delta, Ordering::Relaxed);
    }

    /// The metrics in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let mut operations: Vec<(&str, &OperationMetrics)> = self
            .operations
            .iter()
            .map(|(name, metrics)| (*name, metrics))
            .chain([(UNKNOWN_OPERATION, &self.unknown)])
            .filter(|(_, metrics)| metrics.requests.load(Ordering::Relaxed) > 0)
            .collect();
        operations.sort_by_key(|(name, _)| *name);

        out.push_str(
            "# HELP kms_requests_total Requests to the KMS API, by operation.\n\
             # TYPE kms_requests_total counter\n",
        );
        for (name, metrics) in &operations {
            let requests = metrics.requests.load(Ordering::Relaxed);
            let _ = writeln!(out, "kms_requests_total{{operation=\"{name}\"}} {requests}");
        }

        out.push_str(
            "# HELP kms_request_errors_total Requests answered with an error, by operation \
             and error code.\n# TYPE kms_request_errors_total counter\n",
        );
        {
            let errors = self
                .errors
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for ((name, code), count) in errors.iter() {
                let _ = writeln!(
                    out,
                    "kms_request_errors_total{{operation=\"{name}\",code=\"{}\"}} {count}",
                    escape_label(code)
                );
            }
        }

        out.push_str(
            "# HELP kms_request_duration_seconds Time from a request's headers to its \
             response, by operation.\n# TYPE kms_request_duration_seconds histogram\n",
        );
        for (name, metrics) in &operations {
            let mut cumulative = 0;
            for (index, bound) in BUCKETS_MICROS.iter().enumerate() {
                cumulative += metrics.buckets[index].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "kms_request_duration_seconds_bucket{{operation=\"{name}\",le=\"{}\"}} {cumulative}",
                    seconds(*bound)
                );
            }
            cumulative += metrics.buckets[BUCKETS_MICROS.len()].load(Ordering::Relaxed);
            let sum = seconds(metrics.sum_micros.load(Ordering::Relaxed));
            let _ = writeln!(
                out,
                "kms_request_duration_seconds_bucket{{operation=\"{name}\",le=\"+Inf\"}} {cumulative}\n\
                 kms_request_duration_seconds_sum{{operation=\"{name}\"}} {sum}\n\
                 kms_request_duration_seconds_count{{operation=\"{name}\"}} {cumulative}"
            );
        }

        let _ = writeln!(
            out,
            "# HELP kms_open_connections Connections open now.\n\
             # TYPE kms_open_connections gauge\nkms_open_connections {}",
            self.connections.load(Ordering::Relaxed)
        );
        out
    }
}

/// Microseconds as seconds, without trailing zeros.
fn seconds(micros: u64) -> String {
    let text = format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A label value with `\`, `"` and newlines escaped.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_requests_errors_and_latency_per_operation() {
        let metrics = Metrics::new(&["Encrypt", "Decrypt"]);
        metrics.record("Encrypt", Duration::from_micros(80), None);
        metrics.record("Encrypt", Duration::from_micros(900), None);
        metrics.record("Encrypt", Duration::from_secs(3), Some("NotFoundException"));
        metrics.record(
            "Nope",
            Duration::from_micros(10),
            Some("UnknownOperationException"),
        );
        metrics.connections(2);
        metrics.connections(-1);
        let text = metrics.render();
        for line in [
            "kms_requests_total{operation=\"Encrypt\"} 3",
            "kms_requests_total{operation=\"unknown\"} 1",
            "kms_request_errors_total{operation=\"Encrypt\",code=\"NotFoundException\"} 1",
            "kms_request_errors_total{operation=\"unknown\",code=\"UnknownOperationException\"} 1",
            "kms_request_duration_seconds_bucket{operation=\"Encrypt\",le=\"0.0001\"} 1",
            "kms_request_duration_seconds_bucket{operation=\"Encrypt\",le=\"0.001\"} 2",
            "kms_request_duration_seconds_bucket{operation=\"Encrypt\",le=\"2.5\"} 2",
            "kms_request_duration_seconds_bucket{operation=\"Encrypt\",le=\"+Inf\"} 3",
            "kms_request_duration_seconds_sum{operation=\"Encrypt\"} 3.00098",
            "kms_request_duration_seconds_count{operation=\"Encrypt\"} 3",
            "kms_open_connections 1",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line:?} missing from\n{text}"
            );
        }
        // An operation without requests has no series.
        assert!(!text.contains("\"Decrypt\""), "{text}");
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn labels_are_the_served_operations_or_unknown() {
        let metrics = Metrics::new(&["Encrypt"]);
        assert_eq!(metrics.label("Encrypt"), "Encrypt");
        assert_eq!(metrics.label("encrypt"), UNKNOWN_OPERATION);
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(seconds(2_500_000), "2.5");
        assert_eq!(seconds(100), "0.0001");
        assert_eq!(seconds(0), "0");
    }
}
