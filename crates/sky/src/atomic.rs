//! Output files: written under a temporary name and renamed into place when complete, through
//! [`tessera_io::write_output`].

use std::path::Path;

use crate::error::{Result, SkyError};

/// Writes `path` by calling `write` on a hidden temporary file (`.tessera-PID-*<suffix>`) and
/// then, as [`tessera_io::write_output`] describes, renaming it over a regular `path` only if
/// `write` succeeded (a failure or a crash never leaves a half-written output), copying it to
/// standard output for `-`, or into a special file such as `/dev/stdout` in place. `suffix` keeps
/// the extension that format-sniffing writers need (`.png`).
///
/// # Errors
/// [`SkyError::Io`] naming `path` when the temporary file cannot be made, copied or renamed, or
/// `path` is a folder; otherwise whatever `write` returns.
pub fn write_atomically(
    path: &Path,
    suffix: &str,
    write: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    tessera_io::write_output(path, suffix, write, |source| SkyError::Io {
        path: path.to_path_buf(),
        source,
    })
}
