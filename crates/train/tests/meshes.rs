//! PD-MeshNet end to end on a small folder made of MSB meshes (2 classes, 4 training and 1 test
//! mesh each, copied into a temporary folder): the features are z-scored on the training split,
//! a short training lowers the loss, the class does not change when the mesh's faces are listed
//! in another order, and bad folders are refused with their name.

use std::path::{Path, PathBuf};

use tessera_train::data::MeshDataset;
use tessera_train::meshfit::{argmax, classify, fit_mesh};
use tessera_train::models::PdMeshNetConfig;
use tessera_train::sphere::FitSchedule;

/// burn's CPU device has one random stream per process.
static DEVICE_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn msb(class: &str, split: &str) -> Vec<PathBuf> {
    let dir = std::env::var_os("TESSERA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join("meshes/msb")
        .join(class)
        .join(split);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "obj"))
        .collect();
    files.sort();
    files
}

fn small_folder(root: &Path) {
    for class in ["ants", "pliers"] {
        for (split, n) in [("train", 4), ("test", 1)] {
            let dir = root.join(class).join(split);
            std::fs::create_dir_all(&dir).unwrap();
            for f in msb(class, split).iter().take(n) {
                std::fs::copy(f, dir.join(f.file_name().unwrap())).unwrap();
            }
        }
    }
}

#[test]
fn a_short_training_lowers_the_loss() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    small_folder(tmp.path());
    let data = MeshDataset::load(tmp.path(), || {}).unwrap();
    assert_eq!(data.classes, ["ants", "pliers"]);
    assert_eq!((data.train.len(), data.test.len()), (8, 2));
    // Training features are z-scored: mean 0, sd 1 over the training split.
    let dual: Vec<f32> = data
        .train
        .iter()
        .flat_map(|s| s.graph.dual.x.clone())
        .collect();
    let mean = dual.iter().step_by(7).map(|&v| f64::from(v)).sum::<f64>() / (dual.len() / 7) as f64;
    assert!(mean.abs() < 1e-4, "{mean}");
    let model = PdMeshNetConfig::new(1, 7, 2)
        .with_channels(vec![8, 8])
        .with_heads(2);
    let cfg = FitSchedule {
        epochs: 4,
        batch_size: 4,
        lr: 5e-3,
        final_lr_fraction: 0.5,
        seed: 1,
    };
    let (net, history) = fit_mesh(&model, &data, &cfg, |_, _| {}).unwrap();
    assert!(
        history.train_loss[3] < history.train_loss[0],
        "{:?}",
        history.train_loss
    );
    // The same mesh with its faces listed in reverse order gets the same probabilities.
    let mut reversed = data.test[0].clone();
    let n = reversed.graph.primal.num_nodes as u32;
    let flip = |f: u32| n - 1 - f;
    let g = &mut reversed.graph.primal;
    g.x.reverse();
    for e in g.edges.iter_mut() {
        *e = [flip(e[0]), flip(e[1])];
    }
    // Keep configuration A's layout (i < j first in each pair): swap the two directions.
    for pair in g.edges.chunks_exact_mut(2) {
        if pair[0][0] > pair[0][1] {
            pair.swap(0, 1);
        }
    }
    let a = classify(&net, &data.test[..1], 1).unwrap();
    let b = classify(&net, std::slice::from_ref(&reversed), 1).unwrap();
    for (x, y) in a[0].iter().zip(&b[0]) {
        assert!((x - y).abs() < 1e-4, "{a:?} vs {b:?}");
    }
    assert_eq!(argmax(&a), argmax(&b));
}

#[test]
fn bad_folders_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let err = MeshDataset::load(&tmp.path().join("none"), || {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("none"), "{err}");
    small_folder(tmp.path());
    std::fs::create_dir_all(tmp.path().join("empty/train")).unwrap();
    let err = MeshDataset::load(tmp.path(), || {})
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("empty") && err.contains("no training meshes"),
        "{err}"
    );
    std::fs::remove_dir_all(tmp.path().join("empty")).unwrap();
    std::fs::write(
        tmp.path().join("ants/train/broken.obj"),
        "v 0 0 0\nf 1 2 3\n",
    )
    .unwrap();
    let err = MeshDataset::load(tmp.path(), || {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("broken.obj"), "{err}");
}
