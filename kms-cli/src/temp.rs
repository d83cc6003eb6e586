//! Output files that appear only when complete: the data goes to a temporary file next to
//! the target, which is synced and renamed over it on success and removed otherwise.

use std::io;
use std::path::{Path, PathBuf};

use tempfile::TempPath;

/// A temporary file in the directory of `target`, readable only by its owner, that becomes
/// `target` when [`TempOutput::commit`] succeeds. Dropped without a commit, it is removed.
#[derive(Debug)]
pub(crate) struct TempOutput {
    /// The temporary file, removed when dropped.
    path: TempPath,
    /// The file it becomes.
    target: PathBuf,
    /// The open file, until taken to be written.
    file: Option<std::fs::File>,
}

impl TempOutput {
    /// Creates a new, empty temporary file (mode 0600 on Unix) in the directory of `target`
    /// (so that the rename stays in one file system), with a unique name that starts with `.`
    /// and the target's file name.
    pub(crate) fn create(target: &Path) -> io::Result<Self> {
        let file_name = target.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "the output path names no file")
        })?;
        let dir = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(file_name);
        prefix.push(".");
        // `tempfile` creates the file with `O_EXCL` and mode 0600, retrying on a name clash.
        let (file, path) = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .tempfile_in(dir)?
            .into_parts();
        Ok(Self {
            path,
            target: target.to_path_buf(),
            file: Some(file),
        })
    }

    /// Takes the open temporary file, to write the output into and hand back to
    /// [`TempOutput::commit`].
    pub(crate) fn take_file(&mut self) -> io::Result<std::fs::File> {
        self.file
            .take()
            .ok_or_else(|| io::Error::other("the temporary output file was already taken"))
    }

    /// Syncs `file` (the temporary file, all written), renames it over the target, and syncs
    /// the directory so the rename survives a crash. If the rename fails, the temporary file
    /// is removed.
    pub(crate) async fn commit(self, file: std::fs::File) -> io::Result<()> {
        let Self { path, target, .. } = self;
        tokio::fs::File::from_std(file).sync_all().await?;
        tokio::task::spawn_blocking(move || {
            path.persist(&target).map_err(|error| error.error)?;
            #[cfg(unix)]
            if let Some(dir) = target.parent() {
                let dir = if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                };
                // The data is already in place; a directory that cannot be synced is not an
                // error.
                if let Ok(dir) = std::fs::File::open(dir) {
                    let _ = dir.sync_all();
                }
            }
            Ok(())
        })
        .await
        .map_err(io::Error::other)?
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::io::Write;

    use super::*;

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
        let temp_dir = tempfile::tempdir().unwrap();
        let dir = temp_dir.path();
        let target = dir.join("out");
        std::fs::write(&target, b"old").unwrap();
        let mut temp = TempOutput::create(&target).unwrap();
        let mut file = temp.take_file().unwrap();
        file.write_all(b"new").unwrap();
        let names = entries(dir);
        assert_eq!(names.len(), 2);
        assert!(
            names[0].starts_with(".out.") && names[0].ends_with(".tmp"),
            "{names:?}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&temp.path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        temp.commit(file).await.unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(entries(dir), ["out"]);
    }

    #[tokio::test]
    async fn dropped_output_leaves_nothing() {
        let temp_dir = tempfile::tempdir().unwrap();
        let dir = temp_dir.path();
        let target = dir.join("out");
        let mut temp = TempOutput::create(&target).unwrap();
        temp.take_file().unwrap().write_all(b"partial").unwrap();
        drop(temp);
        assert!(entries(dir).is_empty());
    }

    #[tokio::test]
    async fn a_failed_rename_leaves_nothing() {
        let temp_dir = tempfile::tempdir().unwrap();
        let dir = temp_dir.path();
        // A non-empty directory cannot be replaced by a file.
        let target = dir.join("out");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("kept"), b"x").unwrap();
        let mut temp = TempOutput::create(&target).unwrap();
        let file = temp.take_file().unwrap();
        assert!(temp.commit(file).await.is_err());
        assert_eq!(entries(dir), ["out"]);
    }
}
