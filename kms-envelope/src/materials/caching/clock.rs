//! The clock the cache ages its entries by.

use std::fmt;
use std::time::Instant;

/// A monotonic clock. [`SystemClock`] in production; tests plug in one they can move.
pub trait Clock: fmt::Debug + Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Instant;
}

/// The system's monotonic clock, [`Instant::now`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}
