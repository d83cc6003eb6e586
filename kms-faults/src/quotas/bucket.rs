//! [`TokenBucket`]: a per-second request quota, refilled continuously.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// A quota of `rate` requests per second: a bucket of tokens refilled continuously at
/// `rate` per second, holding at most one second's worth (and at least one token, so that a
/// quota below 1 per second lets one request through every `1/rate` seconds). A request
/// takes one token or is refused. It starts full.
///
/// Kept as the time at which the bucket would be full again (the generic cell rate
/// algorithm, which is this bucket in whole nanoseconds, without rounding drift): a request
/// is let through when that time is at most one second's burst (less one request) ahead of
/// now, and moves it one interval (`1/rate`) on. The clock is tokio's, so tests run it
/// paused.
#[derive(Debug)]
pub(crate) struct TokenBucket {
    /// The time one token takes to come back.
    interval: Duration,
    /// How far ahead of now the full time may be: the burst, less one request.
    tolerance: Duration,
    /// When the bucket is full again (in the past when it is full now).
    full_at: Mutex<Instant>,
}

impl TokenBucket {
    /// A full bucket for `rate` (above 0) requests per second.
    pub(crate) fn new(rate: f64) -> Self {
        let interval = Duration::try_from_secs_f64(rate.recip()).unwrap_or(Duration::MAX);
        let burst = rate.max(1.0).floor();
        let tolerance = interval.mul_f64(burst - 1.0);
        Self {
            interval,
            tolerance,
            full_at: Mutex::new(Instant::now()),
        }
    }

    /// Takes a token if one is there now.
    pub(crate) fn try_take(&self) -> bool {
        let now = Instant::now();
        let mut full_at = self.full_at.lock().unwrap_or_else(PoisonError::into_inner);
        let from = (*full_at).max(now);
        if from.saturating_duration_since(now) > self.tolerance {
            return false;
        }
        *full_at = from.checked_add(self.interval).unwrap_or(from);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taken(bucket: &TokenBucket, tries: usize) -> usize {
        (0..tries).filter(|_| bucket.try_take()).count()
    }

    #[tokio::test(start_paused = true)]
    async fn one_second_of_burst_then_the_rate() {
        let bucket = TokenBucket::new(10.0);
        assert_eq!(taken(&bucket, 25), 10, "a full bucket holds one second");
        tokio::time::advance(Duration::from_millis(100)).await;
        assert_eq!(
            taken(&bucket, 5),
            1,
            "refilled continuously: 10/s is one per 100 ms"
        );
        tokio::time::advance(Duration::from_millis(450)).await;
        assert_eq!(taken(&bucket, 10), 4);
        tokio::time::advance(Duration::from_secs(60)).await;
        assert_eq!(
            taken(&bucket, 25),
            10,
            "never more than one second of burst"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_below_one_lets_one_request_through_per_interval() {
        let bucket = TokenBucket::new(0.25);
        assert_eq!(taken(&bucket, 3), 1);
        tokio::time::advance(Duration::from_millis(3999)).await;
        assert!(!bucket.try_take());
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(bucket.try_take(), "one in each 4-second interval");
        assert!(!bucket.try_take());
    }
}
