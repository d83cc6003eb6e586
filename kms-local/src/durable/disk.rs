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
    not(all(test, unix)),
    expect(
        unused_variables,
        reason = "the path chooses the failures tests inject"
    )
)]
pub(super) fn write_durably(file: &File, path: &Path, bytes: &[u8], offset: u64) -> io::Result<()> {
    #[cfg(all(test, unix))]
    if let Some(injected) = injected::write(file, path, bytes, offset) {
        return injected;
    }
    platform::write_all_at(file, bytes, offset)?;
    file.sync_data()
}

/// Cuts `file` to `len` bytes and waits until that is on disk.
pub(super) fn cut(file: &File, len: u64) -> io::Result<()> {
    #[cfg(all(test, unix))]
    if let Some(injected) = injected::cut() {
        return Err(injected);
    }
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

/// Failures injected into the store's writes, for the tests of what follows them
/// (`durable::fault_tests`, which use Unix permissions and errno values). Each thread has its
/// own, so tests running in parallel do not see each other's.
#[cfg(all(test, unix))]
pub(crate) mod injected {
    use std::cell::RefCell;
    use std::fs::File;
    use std::io;
    use std::path::Path;

    use crate::platform;

    /// A failure of the next durable write to a file of a given name, or of the next cut.
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
        /// The next cut of a file fails with OS error `errno`, cutting nothing.
        Cut { errno: i32 },
    }

    impl Fault {
        /// The name of the file whose next write fails, for a failed write.
        fn file(self) -> Option<&'static str> {
            match self {
                Self::Write { file, .. } | Self::Sync { file, .. } => Some(file),
                Self::Cut { .. } => None,
            }
        }
    }

    thread_local! {
        static NEXT: RefCell<Vec<Fault>> = const { RefCell::new(Vec::new()) };
    }

    /// Makes the next durable write of this thread to the file `fault` names fail, or its
    /// next cut; each failure is injected once, in the order given.
    pub(crate) fn fail_next(fault: Fault) {
        NEXT.with_borrow_mut(|next| next.push(fault));
    }

    /// Whether an injected failure is still waiting for its write or cut.
    pub(crate) fn pending() -> bool {
        NEXT.with_borrow(|next| !next.is_empty())
    }

    /// Takes the first failure waiting that `matches`.
    fn take(matches: impl Fn(Fault) -> bool) -> Option<Fault> {
        NEXT.with_borrow_mut(|next| {
            let at = next.iter().position(|fault| matches(*fault))?;
            Some(next.remove(at))
        })
    }

    /// The failure injected into the next cut, if any.
    pub(super) fn cut() -> Option<io::Error> {
        match take(|fault| matches!(fault, Fault::Cut { .. }))? {
            Fault::Cut { errno } => Some(io::Error::from_raw_os_error(errno)),
            Fault::Write { .. } | Fault::Sync { .. } => None,
        }
    }

    /// The outcome of the write, if a failure was injected into it.
    pub(super) fn write(
        file: &File,
        path: &Path,
        bytes: &[u8],
        offset: u64,
    ) -> Option<io::Result<()>> {
        let name = path.file_name()?;
        let fault = take(|fault| fault.file().is_some_and(|file| name == file))?;
        Some(match fault {
            Fault::Write { written, errno, .. } => {
                platform::write_all_at(file, &bytes[..written.min(bytes.len())], offset)
                    .and_then(|()| Err(io::Error::from_raw_os_error(errno)))
            }
            Fault::Sync { errno, .. } => platform::write_all_at(file, bytes, offset)
                .and_then(|()| Err(io::Error::from_raw_os_error(errno))),
            Fault::Cut { .. } => return None,
        })
    }
}
