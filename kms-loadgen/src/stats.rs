//! Latency percentiles and the figures of a run.

use std::time::Duration;

/// The figures of one load run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Summary {
    /// Successful requests sent within the measured window.
    pub(crate) requests: u64,
    /// Requests that failed (an error status, a bad answer, or a broken connection).
    pub(crate) errors: u64,
    /// The measured window.
    pub(crate) window: Duration,
    /// Successful requests per second over the window.
    pub(crate) requests_per_second: f64,
    /// Median latency.
    pub(crate) p50: Duration,
    /// 99th percentile latency.
    pub(crate) p99: Duration,
    /// The slowest request.
    pub(crate) max: Duration,
}

impl Summary {
    /// Summarises the latencies (in microseconds, any order) of the successful requests of a
    /// window of `window` with `errors` failed requests.
    pub(crate) fn new(mut latencies_us: Vec<u32>, errors: u64, window: Duration) -> Self {
        latencies_us.sort_unstable();
        let micros = |us: u32| Duration::from_micros(u64::from(us));
        let requests = latencies_us.len() as u64;
        let seconds = window.as_secs_f64();
        Self {
            requests,
            errors,
            window,
            requests_per_second: if seconds > 0.0 {
                requests as f64 / seconds
            } else {
                0.0
            },
            p50: micros(percentile(&latencies_us, 50.0)),
            p99: micros(percentile(&latencies_us, 99.0)),
            max: micros(latencies_us.last().copied().unwrap_or(0)),
        }
    }
}

/// The nearest-rank percentile `p` (0 < p <= 100) of `sorted`; 0 for no values.
pub(crate) fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&values, 50.0), 50);
        assert_eq!(percentile(&values, 99.0), 99);
        assert_eq!(percentile(&values, 100.0), 100);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
        assert_eq!(percentile(&[1, 2, 3], 1.0), 1);
    }

    #[test]
    fn a_summary_sorts_and_divides_by_the_window() {
        let summary = Summary::new(vec![3000, 1000, 2000, 4000], 1, Duration::from_secs(2));
        assert_eq!(summary.requests, 4);
        assert_eq!(summary.errors, 1);
        assert_eq!(summary.requests_per_second, 2.0);
        assert_eq!(summary.p50, Duration::from_millis(2));
        assert_eq!(summary.p99, Duration::from_millis(4));
        assert_eq!(summary.max, Duration::from_millis(4));
    }
}
