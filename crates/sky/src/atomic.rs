//! Output files are written under a temporary name and renamed into place when complete.

use std::path::Path;

use crate::error::{Result, SkyError};

/// Writes `path` by calling `write` on a hidden temporary file (`.tessera-*<suffix>`) in the same
/// directory and renaming it over `path` only if `write` succeeded: a failure or a crash never
/// leaves a half-written output, and an existing file is untouched until the new one is complete.
/// The temporary file is created with the permissions of an ordinary new file (`0666` less the
/// umask) rather than tempfile's `0600`, since it becomes the user's output. `suffix` keeps the
/// extension that format-sniffing writers need (`.png`).
///
/// # Errors
/// [`SkyError::Io`] naming `path` when the temporary file cannot be made or renamed; otherwise
/// whatever `write` returns.
pub fn write_atomically(
    path: &Path,
    suffix: &str,
    write: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    let io = |e| SkyError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder
        .prefix(".tessera-")
        .suffix(suffix)
        .tempfile_in(dir)
        .map_err(io)?
        .into_temp_path();
    write(&tmp)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
