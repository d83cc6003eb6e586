//! A buffered log output: log lines are appended to memory and written out in batches by a
//! thread of their own, every [`FLUSH_INTERVAL`] or sooner when [`FLUSH_BYTES`] are waiting,
//! and in full when the [`LogFlusher`] is dropped, so a server does not make one `write`
//! system call per request and loses no line on a graceful stop.
//!
//! ```
//! use std::io::Write as _;
//! let (log, flusher) = kms_server::LogBuffer::start(std::io::stderr());
//! writeln!(log.writer(), "one line").unwrap();
//! drop(flusher); // every line is written out now
//! ```

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a line may wait in memory before it is written out.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(50);

/// Waiting bytes that wake the writing thread before the interval is over.
pub const FLUSH_BYTES: usize = 64 * 1024;

/// Waiting bytes past which the thread logging a line writes them out itself: when the
/// output is slower than the lines arrive, the loggers wait rather than memory grows.
const MAX_WAITING_BYTES: usize = 4 * 1024 * 1024;

/// The shared buffer of a log output; clones share it.
#[derive(Clone)]
pub struct LogBuffer {
    shared: Arc<Shared>,
}

/// Writes the waiting lines out and stops the writing thread when dropped.
#[must_use = "dropping the flusher writes the lines out and stops buffering"]
pub struct LogFlusher {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// A [`Write`] handle that appends to a [`LogBuffer`].
pub struct LogWriter {
    shared: Arc<Shared>,
}

struct Shared {
    /// The lines not yet written out, and whether buffering has stopped.
    waiting: Mutex<Waiting>,
    /// Wakes the writing thread early.
    wake: Condvar,
    /// The output; held while a batch is written, so batches keep their order.
    output: Mutex<Box<dyn Write + Send>>,
}

#[derive(Default)]
struct Waiting {
    bytes: Vec<u8>,
    stopped: bool,
}

impl LogBuffer {
    /// Buffers lines for `output` and starts the thread that writes them out.
    ///
    /// When the thread cannot be started, each line is written out at once.
    pub fn start(output: impl Write + Send + 'static) -> (Self, LogFlusher) {
        let shared = Arc::new(Shared {
            waiting: Mutex::new(Waiting::default()),
            wake: Condvar::new(),
            output: Mutex::new(Box::new(output)),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("kms-log".to_owned())
                .spawn(move || shared.write_periodically())
                .ok()
        };
        if thread.is_none() {
            lock(&shared.waiting).stopped = true;
        }
        let flusher = LogFlusher {
            shared: Arc::clone(&shared),
            thread,
        };
        (Self { shared }, flusher)
    }

    /// A handle that appends to the buffer (what a `tracing` subscriber's writer returns).
    pub fn writer(&self) -> LogWriter {
        LogWriter {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl std::fmt::Debug for LogBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogBuffer").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for LogFlusher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogFlusher").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for LogWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogWriter").finish_non_exhaustive()
    }
}

impl Drop for LogFlusher {
    fn drop(&mut self) {
        lock(&self.shared.waiting).stopped = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // Lines that arrived while the thread was stopping.
        let _ = self.shared.write_out();
    }
}

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut waiting = lock(&self.shared.waiting);
        waiting.bytes.extend_from_slice(bytes);
        let size = waiting.bytes.len();
        let stopped = waiting.stopped;
        drop(waiting);
        if stopped || size >= MAX_WAITING_BYTES {
            self.shared.write_out()?;
        } else if size >= FLUSH_BYTES {
            self.shared.wake.notify_one();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // Lines are written out by the interval; a flush per line would undo the batching.
        Ok(())
    }
}

impl Shared {
    /// The writing thread: writes the waiting lines out every interval (or when woken),
    /// until stopped.
    fn write_periodically(&self) {
        loop {
            let waiting = lock(&self.waiting);
            let (waiting, _) = self
                .wake
                .wait_timeout_while(waiting, FLUSH_INTERVAL, |waiting| {
                    !waiting.stopped && waiting.bytes.len() < FLUSH_BYTES
                })
                .unwrap_or_else(PoisonError::into_inner);
            let stopped = waiting.stopped;
            drop(waiting);
            // A failing output (a closed stderr) must not stop the server; lines are dropped.
            let _ = self.write_out();
            if stopped {
                return;
            }
        }
    }

    /// Writes every waiting line out, in order.
    fn write_out(&self) -> std::io::Result<()> {
        let mut output = lock(&self.output);
        let batch = std::mem::take(&mut lock(&self.waiting).bytes);
        if batch.is_empty() {
            return Ok(());
        }
        output.write_all(&batch)?;
        output.flush()
    }
}

/// Locks `mutex`, also after a thread panicked while holding it (a log buffer stays usable).
fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output that records what reaches it.
    #[derive(Clone, Default)]
    struct Recorded(Arc<Mutex<Vec<u8>>>);

    impl Write for Recorded {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            lock(&self.0).extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Recorded {
        fn text(&self) -> String {
            String::from_utf8(lock(&self.0).clone()).unwrap()
        }
    }

    #[test]
    fn every_line_is_written_in_order_when_the_flusher_is_dropped() {
        let output = Recorded::default();
        let (log, flusher) = LogBuffer::start(output.clone());
        let threads: Vec<_> = (0..4)
            .map(|thread| {
                let log = log.clone();
                std::thread::spawn(move || {
                    for line in 0..1000 {
                        // One write per line, as a `tracing` subscriber writes an event.
                        let text = format!("{thread} {line}\n");
                        log.writer().write_all(text.as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        drop(flusher);
        let text = output.text();
        assert_eq!(text.lines().count(), 4000);
        for thread in 0..4 {
            let lines: Vec<usize> = text
                .lines()
                .filter_map(|line| line.strip_prefix(&format!("{thread} ")))
                .map(|line| line.parse().unwrap())
                .collect();
            assert_eq!(lines, (0..1000).collect::<Vec<_>>());
        }
    }

    #[test]
    fn lines_are_written_within_the_interval_while_running() {
        let output = Recorded::default();
        let (log, _flusher) = LogBuffer::start(output.clone());
        writeln!(log.writer(), "soon").unwrap();
        let started = std::time::Instant::now();
        while output.text().is_empty() && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(FLUSH_INTERVAL / 5);
        }
        assert_eq!(output.text(), "soon\n");
    }

    #[test]
    fn lines_after_the_flusher_is_dropped_are_written_at_once() {
        let output = Recorded::default();
        let (log, flusher) = LogBuffer::start(output.clone());
        drop(flusher);
        writeln!(log.writer(), "late").unwrap();
        assert_eq!(output.text(), "late\n");
    }
}
