//! A small COSEG folder for the segmentation tests: some aliens with their label files.

use std::path::{Path, PathBuf};

/// A folder of the shared data (`TESSERA_SHARED_DATA`, else `../shared/data`).
pub fn shared(rel: &str) -> PathBuf {
    std::env::var_os("TESSERA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join(rel)
}

/// Three aliens to train on (1, 100, 101) and one to test (10), with `classes.txt` and their
/// `.eseg`/`.seseg` files, in COSEG's layout under `root`.
pub fn some_aliens(root: &Path) {
    let src = shared("meshes/coseg/aliens");
    std::fs::create_dir_all(root).unwrap();
    std::fs::copy(src.join("classes.txt"), root.join("classes.txt")).unwrap();
    for (split, names) in [("train", &["1", "100", "101"][..]), ("test", &["10"][..])] {
        for dir in [split, "seg", "sseg"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        for name in names {
            let obj = ["train", "test"]
                .iter()
                .map(|s| src.join(s).join(format!("{name}.obj")))
                .find(|p| p.exists())
                .unwrap();
            std::fs::copy(obj, root.join(split).join(format!("{name}.obj"))).unwrap();
            for (dir, ext) in [("seg", "eseg"), ("sseg", "seseg")] {
                let file = format!("{name}.{ext}");
                std::fs::copy(src.join(dir).join(&file), root.join(dir).join(&file)).unwrap();
            }
        }
    }
}
