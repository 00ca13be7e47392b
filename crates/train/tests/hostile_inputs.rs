//! Randomly corrupted inputs of the training readers end in a value or an error, never a panic,
//! an abort or a long hang: TU folders (every file) and params.csv.

use std::path::Path;

use proptest::prelude::*;
use tessera_train::data::{TuDataset, TuOptions};

const FILES: [&str; 5] = [
    "graph_indicator",
    "graph_labels",
    "A",
    "node_labels",
    "edge_labels",
];

/// A small valid TU folder: four triangles and squares with node and edge labels.
fn write_tu(dir: &Path) -> std::path::PathBuf {
    let ds = dir.join("TOY");
    std::fs::create_dir_all(&ds).unwrap();
    let (mut ind, mut lab, mut a, mut nl, mut el) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    let mut base = 0;
    for g in 0..4 {
        let n = 3 + g % 2;
        for v in 0..n {
            ind.push_str(&format!("{}\n", g + 1));
            nl.push_str(&format!("{}\n", v % 2));
            let w = (v + 1) % n;
            a.push_str(&format!(
                "{}, {}\n{}, {}\n",
                base + v + 1,
                base + w + 1,
                base + w + 1,
                base + v + 1
            ));
            el.push_str("0\n1\n");
        }
        lab.push_str(&format!("{}\n", g % 2));
        base += n;
    }
    for (name, text) in FILES.iter().zip([ind, lab, a, nl, el]) {
        std::fs::write(ds.join(format!("TOY_{name}.txt")), text).unwrap();
    }
    ds
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn corrupted_tu_folders_never_panic(
        file in 0usize..FILES.len(),
        pos in 0usize..200,
        byte in any::<u8>(),
        cut in 0usize..200,
        big in prop::sample::select(vec!["0", "-1", "1000000000000", "99999999999999999999", "1e9", "nan", ""]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let ds = write_tu(dir.path());
        let path = ds.join(format!("TOY_{}.txt", FILES[file]));
        let mut bytes = std::fs::read(&path).unwrap();
        if !bytes.is_empty() {
            let p = pos % bytes.len();
            bytes[p] = byte;
            // Also splice in a hostile number at a line start.
            let at = bytes.iter().take(p).rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            bytes.splice(at..at, format!("{big}\n").into_bytes());
            bytes.truncate(bytes.len().saturating_sub(cut % 8));
        }
        std::fs::write(&path, bytes).unwrap();
        let started = std::time::Instant::now();
        let options = TuOptions { edge_labels: true, ..TuOptions::default() };
        let _ = TuDataset::load(&ds, options);
        prop_assert!(started.elapsed().as_secs_f64() < 5.0);
    }
}
