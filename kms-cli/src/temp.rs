//! Output files that appear only when complete: the data goes to a temporary file next to
//! the target, which is synced and renamed over it on success and removed otherwise.

use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// How many names are tried before giving up on creating the temporary file.
const ATTEMPTS: u32 = 16;

/// A temporary file in the directory of `target`, readable only by its owner, that becomes
/// `target` when [`TempOutput::commit`] succeeds. Dropped without a commit, it is removed.
#[derive(Debug)]
pub(crate) struct TempOutput {
    /// The temporary file.
    path: PathBuf,
    /// The file it becomes.
    target: PathBuf,
    /// The open file, until taken to be written.
    file: Option<std::fs::File>,
    /// Whether it was renamed over the target (then there is nothing to remove).
    committed: bool,
}

impl TempOutput {
    /// Creates a new, empty temporary file (mode 0600 on Unix) in the directory of `target`,
    /// with a unique name that starts with `.` and the target's file name.
    pub(crate) fn create(target: &Path) -> io::Result<Self> {
        let file_name = target.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "the output path names no file")
        })?;
        let dir = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut last_error = None;
        for attempt in 0..ATTEMPTS {
            let mut name = std::ffi::OsString::from(".");
            name.push(file_name);
            name.push(format!(".{}.tmp", unique_suffix(attempt)));
            let path = dir.join(name);
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(&path) {
                Ok(file) => {
                    return Ok(Self {
                        path,
                        target: target.to_path_buf(),
                        file: Some(file),
                        committed: false,
                    });
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => last_error = Some(err),
                Err(err) => return Err(err),
            }
        }
        Err(last_error.unwrap_or_else(|| io::Error::other("no unique temporary file name")))
    }

    /// Takes the open temporary file, to write the output into and hand back to
    /// [`TempOutput::commit`].
    pub(crate) fn take_file(&mut self) -> io::Result<std::fs::File> {
        self.file
            .take()
            .ok_or_else(|| io::Error::other("the temporary output file was already taken"))
    }

    /// Syncs `file` (the temporary file, all written), renames it over the target, and syncs
    /// the directory so the rename survives a crash.
    pub(crate) async fn commit(mut self, file: std::fs::File) -> io::Result<()> {
        tokio::fs::File::from_std(file).sync_all().await?;
        tokio::fs::rename(&self.path, &self.target).await?;
        self.committed = true;
        #[cfg(unix)]
        if let Some(dir) = self.target.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            // The data is already in place; a directory that cannot be synced is not an error.
            if let Ok(dir) = std::fs::File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for TempOutput {
    fn drop(&mut self) {
        if !self.committed {
            self.file = None;
            // Nothing more can be done if it cannot be removed; the name starts with `.`.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A suffix no other process or attempt uses at the same time: process ID, clock, attempt.
fn unique_suffix(attempt: u32) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or_default();
    format!("{}-{nanos:08x}-{attempt}", std::process::id())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::io::Write;

    use super::*;

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kms-cli-temp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn committed_output_replaces_the_target() {
        let dir = dir("commit");
        let target = dir.join("out");
        std::fs::write(&target, b"old").unwrap();
        let mut temp = TempOutput::create(&target).unwrap();
        let mut file = temp.take_file().unwrap();
        file.write_all(b"new").unwrap();
        assert_eq!(entries(&dir).len(), 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&temp.path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        temp.commit(file).await.unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(entries(&dir), ["out"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn dropped_output_leaves_nothing() {
        let dir = dir("drop");
        let target = dir.join("out");
        let mut temp = TempOutput::create(&target).unwrap();
        temp.take_file().unwrap().write_all(b"partial").unwrap();
        drop(temp);
        assert!(entries(&dir).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
