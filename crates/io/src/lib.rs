//! How Tessera writes every output file ([`write_output`]) and reads every CSV table
//! ([`Table`]).
//!
//! - A regular file (or a new name) is written under a hidden temporary name in the same folder
//!   and renamed into place when complete: a failure or a kill never leaves a half-written
//!   output, and an existing file is untouched unless the new one is complete.
//! - A symbolic link is followed: the file it points to is replaced, the link stays.
//! - `-` means standard output, and a path that is not a regular file (`/dev/stdout`, a named
//!   pipe, a terminal) is written directly: renaming onto it would replace the device itself.
//! - Temporary files carry the writing process's id (`.tessera-PID-…`). Those of a process that
//!   no longer runs (a killed write) are removed by the next write to the same folder.

mod table;

pub use table::{Table, TableError, for_each_row};

use std::ffi::OsStr;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The prefix of every temporary output file.
pub const TEMP_PREFIX: &str = ".tessera-";

/// Where an output goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Standard output (`-`).
    Stdout,
    /// An existing file that is not regular (a device, a pipe): written in place.
    Special(PathBuf),
    /// A regular file, existing or not (symbolic links resolved): replaced atomically.
    Regular(PathBuf),
}

impl Destination {
    /// Where `path` leads.
    ///
    /// # Errors
    /// A folder, or a symbolic link whose target does not exist.
    pub fn of(path: &Path) -> io::Result<Self> {
        if path.as_os_str() == OsStr::new("-") {
            return Ok(Destination::Stdout);
        }
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "a folder, not a file name",
            )),
            // Opened through the given path: `/dev/stdout` leads to a pipe with no name.
            Ok(m) if !m.is_file() => Ok(Destination::Special(path.to_path_buf())),
            Ok(_) if is_link => Ok(Destination::Regular(std::fs::canonicalize(path)?)),
            Ok(_) => Ok(Destination::Regular(path.to_path_buf())),
            Err(_) if is_link => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "a symbolic link to a missing file",
            )),
            Err(_) => Ok(Destination::Regular(path.to_path_buf())),
        }
    }
}

/// Writes an output as the crate documentation describes: `write` fills the temporary file it is
/// given (named with `suffix` at the end, for writers that go by the extension), which then
/// becomes `path`, or is copied to standard output or into a special file. `io_error` turns an
/// I/O failure of this function into the caller's error type.
///
/// # Errors
/// Whatever `write` returns, and `io_error` of a failure to make, copy or rename the temporary
/// file (or of a folder given as `path`).
pub fn write_output<E>(
    path: &Path,
    suffix: &str,
    write: impl FnOnce(&Path) -> Result<(), E>,
    io_error: impl Fn(io::Error) -> E,
) -> Result<(), E> {
    let destination = Destination::of(path).map_err(&io_error)?;
    let folder = match &destination {
        Destination::Regular(p) => p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf(),
        _ => std::env::temp_dir(),
    };
    remove_stale_temporaries(&folder);
    let tmp = temporary_in(&folder, suffix).map_err(&io_error)?;
    write(&tmp)?;
    match destination {
        Destination::Regular(target) => tmp.persist(&target).map_err(|e| io_error(e.error)),
        Destination::Stdout => {
            let mut out = io::stdout().lock();
            io::copy(&mut std::fs::File::open(&tmp).map_err(&io_error)?, &mut out)
                .and_then(|_| out.flush())
                .map_err(io_error)
        }
        Destination::Special(target) => {
            let mut out = std::fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .map_err(&io_error)?;
            io::copy(&mut std::fs::File::open(&tmp).map_err(&io_error)?, &mut out)
                .and_then(|_| out.flush())
                .map_err(io_error)
        }
    }
}

/// A new empty temporary file in `folder`, removed when dropped unless persisted.
fn temporary_in(folder: &Path, suffix: &str) -> io::Result<tempfile::TempPath> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    Ok(builder
        .prefix(&prefix)
        .suffix(suffix)
        .tempfile_in(folder)?
        .into_temp_path())
}

/// Removes the temporary files in `folder` left by processes that no longer run (best effort:
/// what cannot be read or removed is left alone).
pub fn remove_stale_temporaries(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let owner = rest
            .split_once('-')
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        let stale = match owner {
            Some(pid) => pid != std::process::id() && !process_runs(pid),
            // Names from before the process id was part of them: stale after a day.
            None => entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 86_400),
        };
        if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` runs on this machine (Linux: `/proc/PID`; elsewhere assumed to, so
/// nothing is removed that might be in use).
fn process_runs(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_text(path: &Path, text: &str) -> io::Result<()> {
        write_output(path, ".txt", |tmp| std::fs::write(tmp, text), |e| e)
    }

    fn temporaries(folder: &Path) -> Vec<String> {
        std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TEMP_PREFIX))
            .collect()
    }

    #[test]
    fn regular_files_are_replaced_and_links_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_text(&path, "one").unwrap();
        write_text(&path, "two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.txt");
            std::os::unix::fs::symlink(&path, &link).unwrap();
            write_text(&link, "three").unwrap();
            assert!(
                std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "three");
        }
        assert!(temporaries(dir.path()).is_empty());
        let e = write_text(dir.path(), "x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::IsADirectory);
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_text(&path, "kept").unwrap();
        let failed: io::Result<()> =
            write_output(&path, "", |_| Err(io::Error::other("boom")), |e| e);
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "kept");
        assert!(temporaries(dir.path()).is_empty());
    }

    /// A special file is written in place, not replaced by a regular file.
    #[cfg(target_os = "linux")]
    #[test]
    fn special_files_are_written_in_place() {
        assert_eq!(
            Destination::of(Path::new("/dev/null")).unwrap(),
            Destination::Special(PathBuf::from("/dev/null"))
        );
        write_text(Path::new("/dev/null"), "discarded").unwrap();
        assert!(
            !std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_file()
        );
        assert_eq!(
            Destination::of(Path::new("-")).unwrap(),
            Destination::Stdout
        );
    }

    /// The temporary file of a killed writer (a process id that does not run) is removed by the
    /// next write to the folder; a live one's is kept.
    #[cfg(target_os = "linux")]
    #[test]
    fn temporaries_of_dead_writers_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir
            .path()
            .join(format!("{TEMP_PREFIX}999999999-abc.fits.partial"));
        let live = dir.path().join(format!("{TEMP_PREFIX}1-abc.fits.partial"));
        std::fs::write(&dead, "left by a kill").unwrap();
        std::fs::write(&live, "init's").unwrap();
        write_text(&dir.path().join("out.txt"), "x").unwrap();
        assert!(!dead.exists());
        assert!(live.exists(), "process 1 runs");
    }
}
