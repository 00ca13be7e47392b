//! The Python package (`python/`, PyO3 + rust-numpy, built by maturin) installs with one
//! `pip install ./python` and passes its own tests, which compare it with healpy 1.20.1
//! (`python/tests`). Runs in the healpy virtual environment of `healpy_interop.rs`.

mod common;

use std::path::PathBuf;
use std::process::Command;

#[test]
fn pip_install_and_pytest_against_healpy() {
    let python = common::python_with_healpy();
    let package = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../python");
    let installed = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--force-reinstall",
        ])
        .arg(&package)
        .status()
        .expect("pip runs");
    assert!(
        installed.success(),
        "pip install {} failed",
        package.display()
    );
    // From another folder, so that the installed package is imported, not the source tree.
    let tests = package.join("tests");
    let passed = Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(&tests)
        .current_dir(std::env::temp_dir())
        .status()
        .expect("pytest runs");
    assert!(passed.success(), "python/tests failed (output above)");
}
