//! Shared helpers of the integration tests: fixture paths and the golden file.

#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;

use serde_json::Value;
use tessera_healpix::{Healpix, Scheme};

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file under the project's own `data/`.
pub fn data_path(rel: &str) -> PathBuf {
    workspace_root().join("data").join(rel)
}

/// A file under the third-party `../shared/data/` (override with `TESSERA_SHARED_DATA`).
pub fn shared_data_path(rel: &str) -> PathBuf {
    let base = std::env::var_os("TESSERA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/data"));
    let path = base.join(rel);
    assert!(
        path.exists(),
        "shared fixture {} not found: check out ../shared next to the repository or set \
         TESSERA_SHARED_DATA",
        path.display()
    );
    path
}

/// The healpy golden values (`data/golden/healpix.json.gz`), parsed once per test binary.
pub fn golden() -> &'static Value {
    static GOLDEN: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    GOLDEN.get_or_init(|| {
        let path = data_path("golden/healpix.json.gz");
        let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut text = String::new();
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut text)
            .expect("gzip JSON");
        serde_json::from_str(&text).expect("golden JSON")
    })
}

/// The geometry a golden case describes.
pub fn geometry(case: &Value) -> Healpix {
    let scheme = match case["scheme"].as_str().expect("scheme") {
        "ring" => Scheme::Ring,
        "nested" => Scheme::Nested,
        other => panic!("unknown scheme {other}"),
    };
    Healpix::new(case["nside"].as_u64().expect("nside"), scheme).expect("valid geometry")
}

/// An array of integers.
pub fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_i64().expect("int"))
        .collect()
}

/// An array of unsigned integers.
pub fn uints(v: &Value) -> Vec<u64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_u64().expect("uint"))
        .collect()
}

/// An array of floats.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("float"))
        .collect()
}

/// Expands `[[start, stop), ...]` ranges into the pixel list.
pub fn expand_ranges(v: &Value) -> Vec<u64> {
    v.as_array()
        .expect("ranges")
        .iter()
        .flat_map(|r| r[0].as_u64().unwrap()..r[1].as_u64().unwrap())
        .collect()
}

/// Absolute angular difference, taking longitudes modulo 2π.
pub fn phi_diff(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(std::f64::consts::TAU);
    d.min(std::f64::consts::TAU - d)
}
