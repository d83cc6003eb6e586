//! Running blocking work (file I/O, `fsync`, waiting for another process's lock) where it
//! cannot stall the async runtime.

use kms_core::{Error, Result};

/// Runs `work` on tokio's blocking thread pool and waits for it without blocking the
/// runtime; outside a tokio runtime, on the calling thread (which then chose to block).
///
/// A panic in `work` is resumed in the caller, as if `work` had run there.
pub(crate) async fn run<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    if tokio::runtime::Handle::try_current().is_err() {
        return work();
    }
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
        Err(err) => Err(Error::Backend {
            backend: "local",
            message: format!("the runtime shut down during the call: {err}"),
            retryable: true,
            source: Some(Box::new(err)),
        }),
    }
}
