//! Output files are written under a temporary name and renamed into place when complete.

/// A temporary-file builder for outputs: hidden `.tessera-*` name in the target directory, and
/// the permissions of an ordinary new file (`0666` less the umask) rather than tempfile's `0600`,
/// since the file is renamed into the user's output.
pub(crate) fn temp_builder<'a, 'b>() -> tempfile::Builder<'a, 'b> {
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
}
