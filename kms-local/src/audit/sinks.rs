//! Where audit events go.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use kms_core::{Error, Result};

use super::AuditEvent;

/// A destination for audit events.
///
/// When `record` fails, the call whose event it is still returns its own result (its change,
/// if any, is made); the backend holds the event and refuses the next calls (a retryable
/// backend error naming the sink and the cause) until the sink records the held events.
/// Its `Debug` output names the sink in that error.
pub trait AuditSink: Send + Sync + fmt::Debug {
    /// Records one event.
    ///
    /// # Errors
    ///
    /// Whatever keeps the sink from recording.
    fn record(&self, event: &AuditEvent) -> Result<()>;

    /// Whether `record` may block the thread (file, pipe or network I/O): such a sink is
    /// called on a blocking thread (tokio's `spawn_blocking`), never on the async runtime.
    /// `true` unless the sink says otherwise.
    fn blocks(&self) -> bool {
        true
    }
}

/// Keeps events in memory, for tests and tools that query them.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> kms_core::Result<()> {
/// use kms_core::KmsExt;
/// use kms_local::{LocalKms, audit::MemoryAuditLog};
///
/// let log = MemoryAuditLog::new();
/// let kms = LocalKms::builder().audit(log.clone()).build()?;
/// kms.create_symmetric_key("audited").await?;
/// assert_eq!(log.events()[0].event_name, "CreateKey");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryAuditLog {
    events: Arc<Mutex<Vec<AuditEvent>>>,
}

impl MemoryAuditLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// The events so far, oldest first.
    pub fn events(&self) -> Vec<AuditEvent> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl AuditSink for MemoryAuditLog {
    fn record(&self, event: &AuditEvent) -> Result<()> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event.clone());
        Ok(())
    }

    fn blocks(&self) -> bool {
        false
    }
}

/// Appends each event to a file as one line of JSON, written with one `write` before the
/// call returns.
///
/// By default a line is in the operating system's hands when the call returns, not on disk:
/// it survives the process crashing, not the machine. With
/// [`JsonLinesAuditLog::with_fsync`], each line is also `fsync`ed (`fdatasync`) before the
/// call returns.
pub struct JsonLinesAuditLog {
    path: PathBuf,
    file: Mutex<File>,
    fsync: bool,
}

impl JsonLinesAuditLog {
    /// Opens (creating, mode 0600) the file `path` to append to.
    ///
    /// # Errors
    ///
    /// A backend error naming the file when it cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_owned();
        let file = crate::platform::private_file(OpenOptions::new().append(true).create(true))
            .open(&path)
            .map_err(|err| write_error(&path, err))?;
        Ok(Self {
            path,
            file: Mutex::new(file),
            fsync: false,
        })
    }

    /// Whether each line is `fsync`ed before the call returns, so it survives a crash of the
    /// machine; off by default.
    #[must_use]
    pub fn with_fsync(mut self, fsync: bool) -> Self {
        self.fsync = fsync;
        self
    }
}

impl fmt::Debug for JsonLinesAuditLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonLinesAuditLog")
            .field("path", &self.path)
            .field("fsync", &self.fsync)
            .finish()
    }
}

impl AuditSink for JsonLinesAuditLog {
    fn record(&self, event: &AuditEvent) -> Result<()> {
        let mut line = serde_json::to_vec(event)
            .map_err(|err| crate::random::internal(&format!("audit event encoding: {err}")))?;
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        file.write_all(&line)
            .and_then(|()| if self.fsync { file.sync_data() } else { Ok(()) })
            .map_err(|err| write_error(&self.path, err))
    }
}

/// Emits each event as a `tracing` event at INFO level, target `kms_local::audit`, with the
/// event as JSON in the field `event`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TracingAuditLog;

impl AuditSink for TracingAuditLog {
    fn record(&self, event: &AuditEvent) -> Result<()> {
        let json = serde_json::to_string(event)
            .map_err(|err| crate::random::internal(&format!("audit event encoding: {err}")))?;
        tracing::info!(
            target: "kms_local::audit",
            event_name = event.event_name,
            error_code = event.error_code.as_deref(),
            event = %json,
        );
        Ok(())
    }

    fn blocks(&self) -> bool {
        false
    }
}

fn write_error(path: &Path, err: std::io::Error) -> Error {
    Error::Backend {
        backend: "local",
        message: format!("audit log {}: {err}", path.display()),
        retryable: false,
        source: Some(Box::new(err)),
    }
}
