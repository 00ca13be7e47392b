//! The error type of tessera-mesh.

use std::path::PathBuf;

/// Everything that can go wrong loading or processing a mesh. File errors name the file (and the
/// line, where the format has lines).
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum MeshError {
    /// The operating system refused a file operation.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file could not be parsed.
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The mesh is unusable (no faces, bad indices, non-finite coordinates…).
    #[error("{what}: {detail}")]
    Invalid {
        /// The mesh (a file name, or a description).
        what: String,
        /// What is wrong.
        detail: String,
    },
    /// A setting that cannot work (a negative strength, a fraction of 1 or more…).
    #[error("{name} {value} must be {must_be}")]
    Setting {
        /// What the setting is.
        name: String,
        /// The value given.
        value: f64,
        /// What it must be.
        must_be: &'static str,
    },
}

/// `Result` with [`MeshError`] as the default error.
pub type Result<T, E = MeshError> = std::result::Result<T, E>;
