//! The store's writes to disk, and what a failed one becomes.
//!
//! A write is durable once [`write_durably`] returns: the bytes are written and `fsync`ed.
//! When it fails (a full disk, `EIO`, a file-size limit), the caller cuts the file back with
//! [`cut`], so that neither this process nor the next one to open the store reads a change
//! that was never acknowledged, and reports [`storage_error`]: AWS's `KMSInternalException`,
//! retryable, whose message says what failed but not where (the path goes to the log).
//!
//! Why `KMSInternalException`: it is the one retryable exception that every operation that
//! changes keys or aliases lists (`DependencyTimeoutException` is missing from
//! `TagResource`'s, `KeyUnavailableException` from `CreateKey`'s and `CreateAlias`'s), it is
//! what AWS answers when its own machinery fails, and the SDKs retry it (status 500).

use std::fs::File;
use std::io;
use std::path::Path;

use kms_core::Error;

use crate::platform;

/// Writes `bytes` at `offset` of `file` (at `path`) and waits until they are on disk.
#[cfg_attr(
    not(test),
    expect(
        unused_variables,
        reason = "the path chooses the failures tests inject"
    )
)]
pub(super) fn write_durably(file: &File, path: &Path, bytes: &[u8], offset: u64) -> io::Result<()> {
    #[cfg(test)]
    if let Some(injected) = injected::write(file, path, bytes, offset) {
        return injected;
    }
    platform::write_all_at(file, bytes, offset)?;
    file.sync_data()
}

/// Cuts `file` to `len` bytes and waits until that is on disk.
pub(super) fn cut(file: &File, len: u64) -> io::Result<()> {
    file.set_len(len)?;
    file.sync_data()
}

/// The error a change gets when `what` failed with `err` on the store file `path`: logged
/// with the path, answered as a retryable `KMSInternalException` without it.
pub(super) fn storage_error(path: &Path, what: &str, err: &io::Error) -> Error {
    tracing::error!(
        file = %path.display(),
        error = %err,
        "{what}; the change was not made",
    );
    Error::Internal {
        message: format!(
            "local backend: the change could not be saved ({what}: {err}); nothing was \
             changed, and the request can be retried"
        ),
    }
}

/// Failures injected into the store's writes, for the tests of what follows them. Each
/// thread has its own, so tests running in parallel do not see each other's.
#[cfg(test)]
pub(crate) mod injected {
    use std::cell::Cell;
    use std::fs::File;
    use std::io;
    use std::path::Path;

    use crate::platform;

    /// A failure of the next durable write to a file of a given name.
    #[derive(Debug, Clone, Copy)]
    pub(crate) enum Fault {
        /// The write stores the first `written` bytes, then fails with OS error `errno`.
        Write {
            file: &'static str,
            written: usize,
            errno: i32,
        },
        /// The write stores every byte, then the `fsync` fails with OS error `errno`.
        Sync { file: &'static str, errno: i32 },
    }

    impl Fault {
        fn file(self) -> &'static str {
            match self {
                Self::Write { file, .. } | Self::Sync { file, .. } => file,
            }
        }
    }

    thread_local! {
        static NEXT: Cell<Option<Fault>> = const { Cell::new(None) };
    }

    /// Makes the next durable write of this thread to a file named as `fault` says fail.
    pub(crate) fn fail_next(fault: Fault) {
        NEXT.set(Some(fault));
    }

    /// Whether an injected failure is still waiting for its write.
    pub(crate) fn pending() -> bool {
        NEXT.get().is_some()
    }

    /// The outcome of the write, if a failure was injected into it.
    pub(super) fn write(
        file: &File,
        path: &Path,
        bytes: &[u8],
        offset: u64,
    ) -> Option<io::Result<()>> {
        let fault = NEXT.get()?;
        if path.file_name()? != fault.file() {
            return None;
        }
        NEXT.set(None);
        Some(match fault {
            Fault::Write { written, errno, .. } => {
                platform::write_all_at(file, &bytes[..written.min(bytes.len())], offset)
                    .and_then(|()| Err(io::Error::from_raw_os_error(errno)))
            }
            Fault::Sync { errno, .. } => platform::write_all_at(file, bytes, offset)
                .and_then(|()| Err(io::Error::from_raw_os_error(errno))),
        })
    }
}
