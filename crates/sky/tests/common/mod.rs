//! Helpers shared by the tessera-sky integration tests.

#![allow(dead_code)]

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
