//! Refusing store files that other users could read or change: their Unix mode bits. Windows
//! has access control lists instead, which are not inspected: see `crate::platform`.

use std::path::Path;

use kms_core::Result;

use super::io_error;

/// The permission bits of group and others.
#[cfg(unix)]
const GROUP_AND_OTHERS: u32 = 0o077;

/// Checks that the directory `dir` is accessible by its owner only.
///
/// # Errors
///
/// `Error::Config` naming the directory, its mode and the `chmod` that fixes it.
pub(crate) fn check_private_dir(dir: &Path) -> Result<()> {
    check_private(dir, "store directory", 0o700)
}

/// Checks that the root key file `path` is readable and writable by its owner only.
///
/// # Errors
///
/// `Error::Config` naming the file, its mode and the `chmod` that fixes it.
pub(crate) fn check_private_key_file(path: &Path) -> Result<()> {
    check_private(path, "root key file", 0o600)
}

#[cfg(unix)]
fn check_private(path: &Path, what: &str, fix: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;

    let mode = std::fs::metadata(path)
        .map_err(|err| io_error(path, "cannot read the permissions", err))?
        .permissions()
        .mode();
    if mode & GROUP_AND_OTHERS == 0 {
        return Ok(());
    }
    Err(kms_core::Error::Config {
        message: format!(
            "{}: the {what} is accessible by group or others (mode {:o}); run `chmod {fix:o} {}`",
            path.display(),
            mode & 0o777,
            path.display()
        ),
    })
}

/// Windows: nothing to check by mode bits (see the module's documentation); the file must
/// still be readable.
#[cfg(not(unix))]
fn check_private(path: &Path, _what: &str, _fix: u32) -> Result<()> {
    std::fs::metadata(path)
        .map(drop)
        .map_err(|err| io_error(path, "cannot read the permissions", err))
}
