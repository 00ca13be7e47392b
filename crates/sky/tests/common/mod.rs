//! Helpers shared by the tessera-sky integration tests.

#![allow(dead_code)]

pub mod sht_formulas;

use std::path::PathBuf;

use serde_json::Value;

/// A file under the third-party `../shared/data/` (override with `TESSERA_SHARED_DATA`).
pub fn shared(rel: &str) -> PathBuf {
    let base = std::env::var_os("TESSERA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = base.join(rel);
    assert!(
        path.exists(),
        "shared fixture {} not found: check out ../shared next to the repository or set \
         TESSERA_SHARED_DATA",
        path.display()
    );
    path
}

/// A JSON array of numbers.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// A gzip-compressed JSON file of golden values under `data/golden/` (written by
/// `scripts/golden/`).
pub fn golden_gz(name: &str) -> Value {
    use std::io::Read;
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/golden")
        .join(name);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("gzip");
    serde_json::from_str(&text).expect("json")
}

/// A python with healpy 1.20.1 (and astropy, pytest, and scipy for healpy's map2alm_lsq):
/// `TESSERA_HEALPY_PYTHON`, or a virtual environment under `~/.cache/tessera/healpy-venv`,
/// created with pip on first use (network to PyPI needed once). Without either, the calling
/// test fails and says so.
pub fn python_with_healpy() -> PathBuf {
    use std::process::Command;
    const HEALPY: &str = "healpy==1.20.1";
    if let Some(p) = std::env::var_os("TESSERA_HEALPY_PYTHON") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let venv = home.join(".cache/tessera/healpy-venv");
    let python = venv.join("bin/python");
    let ready = python.exists()
        && Command::new(&python)
            .args([
                "-c",
                "import healpy, astropy, pytest, scipy; assert healpy.__version__ == '1.20.1'",
            ])
            .status()
            .is_ok_and(|s| s.success());
    if !ready {
        let ok = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(&python)
                .args([
                    "-m", "pip", "install", "-q", HEALPY, "astropy", "pytest", "scipy",
                ])
                .status()
                .is_ok_and(|s| s.success());
        assert!(
            ok,
            "could not install {HEALPY} into {}: set TESSERA_HEALPY_PYTHON",
            venv.display()
        );
    }
    python
}

/// `max |ours − want| ≤ tol · max |want|`, naming `what` when it fails.
pub fn assert_normwise(what: &str, ours: &[f64], want: &[f64], tol: f64) {
    assert_eq!(ours.len(), want.len(), "{what}: lengths");
    let scale = want.iter().map(|v| v.abs()).fold(0.0, f64::max);
    let worst = ours
        .iter()
        .zip(want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst <= tol * scale, "{what}: {worst:e} of {scale}");
}
