//! Output files of the commands: `--overwrite`, `-` for standard output, and where the status
//! lines go.

use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};
use clap::Args;

/// `--overwrite`, shared by the commands that write files.
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct OverwriteArg {
    /// Replace output files that exist (without it, an existing file is refused and kept).
    #[arg(long)]
    pub overwrite: bool,
}

impl OverwriteArg {
    /// Refuses `path` when it is an existing regular file and `--overwrite` was not given.
    /// Standard output (`-`) and special files such as `/dev/stdout` are always written.
    ///
    /// # Errors
    /// The refusal, naming the file and the flag.
    pub fn check(self, path: &Path) -> Result<()> {
        if self.overwrite || path.as_os_str() == "-" {
            return Ok(());
        }
        if std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            bail!(
                "{}: already exists (pass --overwrite to replace it)",
                path.display()
            );
        }
        Ok(())
    }

    /// [`check`](Self::check) for each of `paths`.
    ///
    /// # Errors
    /// The first refusal.
    pub fn check_all<'a>(self, paths: impl IntoIterator<Item = &'a Path>) -> Result<()> {
        paths.into_iter().try_for_each(|p| self.check(p))
    }
}

/// Writes a status line to `out`, or to standard error when the data itself went to standard
/// output (`-o -`), so that the two never mix.
///
/// # Errors
/// A failed write.
pub fn status(out: &mut (impl Write + ?Sized), data: &Path, line: &str) -> Result<()> {
    if data.as_os_str() == "-" {
        eprintln!("{line}");
    } else {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
