//! The `tessera._tessera` extension module: array-in, array-out bindings of tessera-healpix,
//! tessera-sky, tessera-mesh and trained networks (tessera-train). The Python package (`tessera.healpix`, `tessera.sky`) wraps them with healpy's
//! names, signatures, scalar handling and defaults.

mod healpix;
mod mesh;
mod models;
mod sky;

use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyValueError};
use pyo3::prelude::*;

/// A Tessera error as the Python exception a healpy user expects: `FileNotFoundError` for a
/// missing file, `OSError` for other files that cannot be read or written, `ValueError` for
/// everything else; the message is the library's.
fn to_py(e: tessera_sky::SkyError) -> PyErr {
    match &e {
        tessera_sky::SkyError::Io { source, .. }
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            PyFileNotFoundError::new_err(e.to_string())
        }
        tessera_sky::SkyError::Io { .. } => PyOSError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

#[pymodule]
fn _tessera(m: &Bound<'_, PyModule>) -> PyResult<()> {
    healpix::register(m)?;
    sky::register(m)?;
    mesh::register(m)?;
    models::register(m)?;
    Ok(())
}
