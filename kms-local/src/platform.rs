//! The file operations of the durable store and the audit log where Unix and Windows differ:
//! creating private files and directories, positional reads and writes, file identity and
//! making a directory entry durable. Everything else uses `std` as it is on both.
//!
//! What each platform guarantees:
//!
//! - **Secrecy.** On Unix, files are created with mode 0600 and directories 0700, and
//!   [`durable`](crate::durable) refuses a store that group or others can read. Windows has no
//!   mode bits: a new file takes the access control list of its directory (under the user's
//!   profile, such as `%APPDATA%`, the user's alone), and the store does not inspect ACLs.
//! - **Durability.** Data is flushed with `File::sync_data`/`sync_all` on both (`fsync`,
//!   `FlushFileBuffers`). On Unix a directory is `fsync`ed after a file is created in it or
//!   renamed into it. Windows cannot open a directory as a file to flush it; NTFS records
//!   creations and renames in its own metadata journal instead, so after a power cut the
//!   entry is either the old one or the new one, as after a crash on Unix, but a rename done
//!   just before the cut may be lost (the store's compaction only ever renames a journal
//!   holding the same keys, so losing it loses nothing).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Sets the options of a file only its owner can read and write (mode 0600 on Unix; see the
/// module's documentation for Windows).
pub(crate) fn private_file(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600)
    }
    #[cfg(not(unix))]
    {
        options
    }
}

/// Creates `dir` and its missing parents, accessible by its owner only (mode 0700 on Unix).
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Reads exactly `buffer.len()` bytes at `offset`, without using the file's cursor on Unix
/// (`pread`). On Windows the read moves the cursor, which the store never relies on.
///
/// # Errors
///
/// `UnexpectedEof` when the file ends before the buffer is full; the read's own errors.
pub(crate) fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(buffer, offset)
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt;
        let mut done = 0;
        while let Some(rest) = buffer.get_mut(done..).filter(|rest| !rest.is_empty()) {
            match file.seek_read(rest, offset + done as u64) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(read) => done += read,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }
}

/// Writes all of `bytes` at `offset` (`pwrite` on Unix; on Windows the write moves the
/// cursor, which the store never relies on).
///
/// # Errors
///
/// The write's errors; `WriteZero` when the system accepts no byte.
pub(crate) fn write_all_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.write_all_at(bytes, offset)
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt;
        let mut done = 0;
        while let Some(rest) = bytes.get(done..).filter(|rest| !rest.is_empty()) {
            match file.seek_write(rest, offset + done as u64) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(written) => done += written,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }
}

/// Makes the entries of `dir` (a file created or renamed in it) durable: `fsync` of the
/// directory on Unix; nothing to do on Windows (see the module's documentation).
///
/// # Errors
///
/// The directory's open or sync errors, except `InvalidInput` from a file system that cannot
/// sync a directory (the entry is then as durable as it allows).
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        match File::open(dir).and_then(|dir| dir.sync_all()) {
            Err(err) if err.kind() == io::ErrorKind::InvalidInput => Ok(()),
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Whether `path` names the same file as the open `file` (false once another process has
/// renamed a new file over the path). Device and inode on Unix; volume serial number and file
/// index on Windows.
///
/// # Errors
///
/// The errors of reading either file's metadata (`NotFound` when nothing is at `path`).
pub(crate) fn is_same_file(file: &File, path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let (open, named) = (file.metadata()?, std::fs::metadata(path)?);
        Ok((open.dev(), open.ino()) == (named.dev(), named.ino()))
    }
    #[cfg(not(unix))]
    {
        let open = same_file::Handle::from_file(file.try_clone()?)?;
        Ok(open == same_file::Handle::from_path(path)?)
    }
}

/// The identity of a file as one `stat` gives it: device and inode on Unix. On Windows the
/// file index needs an open handle, so there is none (see [`is_same_file`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId(u64, u64);

/// The identity of the file `metadata` describes, where one `stat` gives it.
pub(crate) fn file_id(metadata: &std::fs::Metadata) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(FileId(metadata.dev(), metadata.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        None
    }
}
