//! PD-MeshNet end to end on a small folder made of MSB meshes (2 classes, 4 training and 1 test
//! mesh each, copied into a temporary folder): the features are z-scored on the training split,
//! a short training lowers the loss, the class does not change when the mesh's faces are listed
//! in another order, and bad folders are refused with their name. Also: pooled graphs are valid
//! coarsenings for every MSB training mesh, augmentation, the ablation's variants.

use std::path::{Path, PathBuf};

use burn::prelude::*;
use tessera_gnn::graph::{PrimalDualBatch, PrimalDualGraph};
use tessera_mesh::FaceGraph;
use tessera_train::data::{
    AugmentPart, MeshAugment, MeshDataset, MeshFeatures, MeshFile, MeshSample,
};
use tessera_train::meshfit::{
    MESH_TASK, MeshEnsemble, MeshRun, TestTimeAugment, argmax, classify, fit_mesh,
};
use tessera_train::models::{MeshPooling, MeshReadout, PdMeshNetConfig};
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

/// The two-class set of [`small_folder`], read with log features.
fn small_dataset() -> MeshDataset {
    let tmp = tempfile::tempdir().unwrap();
    small_folder(tmp.path());
    MeshDataset::load(tmp.path(), MeshFeatures::Log, || {}).unwrap()
}

/// A PD-MeshNet small enough to train in a test.
fn tiny_model() -> PdMeshNetConfig {
    PdMeshNetConfig::new(1, 7, 2)
        .with_channels(vec![8, 8])
        .with_heads(2)
}

#[test]
fn a_short_training_lowers_the_loss() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let data = small_dataset();
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
    let model = tiny_model();
    let cfg = FitSchedule {
        epochs: 4,
        batch_size: 4,
        lr: 5e-3,
        final_lr_fraction: 0.5,
        seed: 1,
        ..FitSchedule::default()
    };
    let (net, history) = fit_mesh(
        &model,
        &data,
        &cfg,
        &MeshAugment::NONE,
        &Default::default(),
        |_, _| {},
    )
    .unwrap();
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

/// `average_last = 1` keeps the last epoch's weights exactly (batch-normalisation statistics
/// included); averaging two epochs keeps different weights; the per-epoch record is the same
/// either way.
#[test]
fn weight_averaging_keeps_the_mean_of_the_last_epochs() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let data = small_dataset();
    let model = tiny_model();
    let run = |average_last| {
        let cfg = FitSchedule {
            epochs: 3,
            batch_size: 4,
            lr: 5e-3,
            seed: 2,
            average_last,
            ..FitSchedule::default()
        };
        let (net, history) = fit_mesh(
            &model,
            &data,
            &cfg,
            &MeshAugment::NONE,
            &Default::default(),
            |_, _| {},
        )
        .unwrap();
        (classify(&net, &data.test, 2).unwrap(), history.train_loss)
    };
    let (last, loss) = run(0);
    let (one, loss_one) = run(1);
    let (two, loss_two) = run(2);
    assert_eq!(loss, loss_one);
    assert_eq!(loss, loss_two);
    let largest = |a: &[Vec<f64>], b: &[Vec<f64>]| {
        a.iter()
            .flatten()
            .zip(b.iter().flatten())
            .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
    };
    assert!(largest(&last, &one) < 1e-6, "{last:?} vs {one:?}");
    assert!(largest(&last, &two) > 1e-6, "{last:?} vs {two:?}");
}

#[test]
fn bad_folders_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let err = MeshDataset::load(&tmp.path().join("none"), MeshFeatures::Log, || {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("none"), "{err}");
    small_folder(tmp.path());
    std::fs::create_dir_all(tmp.path().join("empty/train")).unwrap();
    let err = MeshDataset::load(tmp.path(), MeshFeatures::Log, || {})
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
    let err = MeshDataset::load(tmp.path(), MeshFeatures::Log, || {})
        .unwrap_err()
        .to_string();
    assert!(err.contains("broken.obj"), "{err}");
}

#[test]
fn augmentation_that_cannot_work_is_an_error_not_a_panic() {
    let data = small_dataset();
    let cfg = FitSchedule {
        epochs: 1,
        batch_size: 4,
        ..FitSchedule::default()
    };
    let bad = [
        (
            "cutout 1",
            MeshAugment {
                cutout: 1.0,
                ..MeshAugment::NONE
            },
        ),
        (
            "warp cycles 0",
            MeshAugment {
                warp: 0.1,
                warp_cycles: 0.0,
                ..MeshAugment::NONE
            },
        ),
        (
            "jitter -0.5",
            MeshAugment {
                jitter: -0.5,
                ..MeshAugment::NONE
            },
        ),
        (
            "scale NaN",
            MeshAugment {
                scale: f64::NAN,
                ..MeshAugment::NONE
            },
        ),
    ];
    for (what, augment) in bad {
        let Err(err) = fit_mesh(
            &tiny_model(),
            &data,
            &cfg,
            &augment,
            &Default::default(),
            |_, _| {},
        ) else {
            panic!("{what} was accepted");
        };
        assert!(err.to_string().contains(what), "{what}: {err}");
    }
    assert!(MeshAugment::NONE.check().is_ok());
}

#[test]
fn an_ensemble_averages_its_members_probabilities() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    // The meshes stay on disk: the ensemble reads them as files.
    let tmp = tempfile::tempdir().unwrap();
    small_folder(&tmp.path().join("data"));
    let data = MeshDataset::load(&tmp.path().join("data"), MeshFeatures::Log, || {}).unwrap();
    let model = tiny_model();
    let mut dirs = Vec::new();
    let mut single = Vec::new();
    for seed in [3, 4] {
        let cfg = FitSchedule {
            epochs: 2,
            batch_size: 4,
            lr: 5e-3,
            seed,
            ..FitSchedule::default()
        };
        let (net, history) = fit_mesh(
            &model,
            &data,
            &cfg,
            &MeshAugment::NONE,
            &Default::default(),
            |_, _| {},
        )
        .unwrap();
        let run = MeshRun {
            task: MESH_TASK.into(),
            classes: data.classes.clone(),
            model: serde_json::to_value(&model).unwrap(),
            primal_stats: data.primal_stats.clone(),
            dual_stats: data.dual_stats.clone(),
            features: MeshFeatures::Log,
            fit: cfg,
            augment: MeshAugment::NONE,
            history,
            test_accuracy: 0.0,
            confusion: Vec::new(),
            data: serde_json::Value::Null,
        };
        let dir = tmp.path().join(format!("seed{seed}"));
        run.save(&net, &dir).unwrap();
        single.push(classify(&net, &data.test, 4).unwrap());
        dirs.push(dir);
    }
    let paths: Vec<PathBuf> = data.test.iter().map(|s| s.path.clone()).collect();
    let mean = MeshEnsemble::load(&dirs)
        .unwrap()
        .classify_files(&paths, &TestTimeAugment::NONE)
        .unwrap();
    for (m, (a, b)) in mean.iter().zip(single[0].iter().zip(&single[1])) {
        for (v, (x, y)) in m.iter().zip(a.iter().zip(b)) {
            assert!(
                (v - 0.5 * (x + y)).abs() < 1e-5,
                "{m:?} from {a:?} and {b:?}"
            );
        }
    }
    assert_ne!(single[0], single[1]);
    // Members trained without augmentation have nothing to redraw at test time.
    let ensemble = MeshEnsemble::load(&dirs).unwrap();
    let three = TestTimeAugment {
        copies: 3,
        parts: None,
    };
    assert_eq!(ensemble.classify_files(&paths, &three).unwrap(), mean);
    // Test-time copies: as many as asked, repeatable, each moved differently.
    let augment = MeshAugment {
        rotate: true,
        scale: 0.1,
        smooth: 0.001,
        ..MeshAugment::NONE
    };
    // Part of the training augmentation: the parts kept at their strengths, the rest off.
    let smooth_only = TestTimeAugment {
        copies: 3,
        parts: Some(vec![AugmentPart::Smooth, AugmentPart::Jitter]),
    };
    let kept = MeshAugment {
        smooth: 0.001,
        ..MeshAugment::NONE
    };
    assert_eq!(smooth_only.augmentation(&augment), kept);
    assert_eq!(three.augmentation(&augment), augment);
    let stats = (&data.primal_stats, &data.dual_stats);
    let file = MeshFile::read(&paths[0]).unwrap();
    let copies = file
        .augmented_samples(MeshFeatures::Log, stats, &augment, 3, 9)
        .unwrap();
    let again = file
        .augmented_samples(MeshFeatures::Log, stats, &augment, 3, 9)
        .unwrap();
    assert_eq!(copies.len(), 3);
    assert_eq!(copies[2].graph.dual.x, again[2].graph.dual.x);
    assert_ne!(copies[0].graph.dual.x, copies[1].graph.dual.x);
    assert_eq!(
        copies[0].graph.primal.edges,
        data.test[0].graph.primal.edges
    );
    // Runs on other classes cannot be averaged; nor can no run at all.
    let json = dirs[1].join("run.json");
    let text = std::fs::read_to_string(&json).unwrap();
    std::fs::write(&json, text.replace("\"pliers\"", "\"zebras\"")).unwrap();
    let err = MeshEnsemble::load(&dirs).err().unwrap().to_string();
    assert!(err.contains("seed4") && err.contains("zebras"), "{err}");
    assert!(MeshEnsemble::load(&[]).is_err());
}

/// The face pairs of a sample's primal graph (configuration A: directed edges in pairs).
fn face_graph(s: &MeshSample) -> FaceGraph {
    FaceGraph {
        num_faces: s.graph.primal.num_nodes,
        pairs: s.graph.primal.edges.iter().step_by(2).copied().collect(),
    }
}

/// Three pooling steps of an (untrained) three-block network on every MSB training mesh: each
/// clustering is a valid coarsening (tessera-mesh's validator) of the graph before it, and the
/// composed cluster maps follow the steps.
#[test]
fn pooled_graphs_are_valid_for_every_training_mesh() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let root = msb("ants", "train")[0]
        .ancestors()
        .nth(3)
        .unwrap()
        .to_path_buf();
    let data = MeshDataset::load(&root, MeshFeatures::Log, || {}).unwrap();
    assert_eq!(data.train.len(), 202);
    let device = Device::flex();
    device.seed(3);
    let net = PdMeshNetConfig::new(1, 7, 10)
        .with_channels(vec![4, 4, 4])
        .with_heads(1)
        .init(&device)
        .unwrap();
    let mut validated = 0;
    for chunk in data.train.chunks(32) {
        let refs: Vec<&PrimalDualGraph> = chunk.iter().map(|s| &s.graph).collect();
        let batch = PrimalDualBatch::new(&refs).unwrap();
        let steps = net.pooling_steps(&batch, &device).unwrap();
        assert_eq!(steps.len(), 3);
        let mut before: Vec<FaceGraph> = chunk.iter().map(face_graph).collect();
        for step in &steps {
            assert_eq!(step.clusterings.len(), chunk.len());
            for (c, g) in step.clusterings.iter().zip(&before) {
                c.validate(g).unwrap();
                assert!(c.graph.num_faces < g.num_faces);
                validated += 1;
            }
            before = step.clusterings.iter().map(|c| c.graph.clone()).collect();
        }
        let levels = net.clusters(&batch, &device).unwrap();
        let faces: usize = chunk.iter().map(|s| s.graph.primal.num_nodes).sum();
        assert_eq!(levels[0], steps[0].face_map);
        assert_eq!(levels[1].len(), faces);
        for (f, &c) in levels[1].iter().enumerate() {
            assert_eq!(c, steps[1].face_map[steps[0].face_map[f] as usize]);
        }
    }
    assert_eq!(validated, 3 * 202);
}

/// Cutout alone moves no vertex: each redrawn mesh keeps its features except on one connected
/// patch of faces, whose rows (and those of the pairs touching it) become the training mean,
/// zero after the z-score; the patches differ in size, and are at most the fraction asked.
#[test]
fn cutout_hides_one_connected_patch() {
    let data = small_dataset();
    let cutout = MeshAugment {
        cutout: 0.5,
        ..MeshAugment::NONE
    };
    let redrawn = data.augmented_train(&cutout, 3).unwrap();
    let inputs = |v: &[MeshSample]| -> Vec<f32> {
        v.iter()
            .flat_map(|s| s.graph.primal.x.iter().chain(&s.graph.dual.x).copied())
            .collect()
    };
    let again = data.augmented_train(&cutout, 3).unwrap();
    assert_eq!(inputs(&redrawn), inputs(&again));
    let mut sizes = Vec::new();
    for (cut, original) in redrawn.iter().zip(&data.train) {
        let width = cut.graph.primal.features;
        let rows = |s: &MeshSample| -> Vec<Vec<f32>> {
            s.graph
                .primal
                .x
                .chunks_exact(width)
                .map(<[f32]>::to_vec)
                .collect()
        };
        let (after, before) = (rows(cut), rows(original));
        let hidden: Vec<bool> = after.iter().map(|r| r.iter().all(|&v| v == 0.0)).collect();
        let faces = hidden.len();
        for (f, (a, b)) in after.iter().zip(&before).enumerate() {
            if !hidden[f] {
                assert_eq!(a, b, "{}: face {f} changed", cut.path.display());
            }
        }
        let count = hidden.iter().filter(|h| **h).count();
        assert!(2 * count <= faces, "{count} of {faces} faces hidden");
        // Connected: a search from one hidden face over hidden faces reaches them all.
        let pairs: Vec<[u32; 2]> = cut.graph.primal.edges.clone();
        if let Some(start) = hidden.iter().position(|h| *h) {
            let mut seen = vec![false; faces];
            let mut stack = vec![start];
            seen[start] = true;
            while let Some(f) = stack.pop() {
                for &[i, j] in &pairs {
                    if i as usize == f && hidden[j as usize] && !seen[j as usize] {
                        seen[j as usize] = true;
                        stack.push(j as usize);
                    }
                }
            }
            assert_eq!(seen.iter().filter(|s| **s).count(), count);
        }
        // Pairs touching the patch are hidden too.
        let dual_rows: Vec<&[f32]> = cut
            .graph
            .dual
            .x
            .chunks_exact(cut.graph.dual.features)
            .collect();
        for (d, &[i, j]) in pairs.iter().step_by(2).enumerate() {
            if hidden[i as usize] || hidden[j as usize] {
                assert!(dual_rows[d].iter().all(|&v| v == 0.0), "pair {d}");
            }
        }
        sizes.push(count);
    }
    sizes.sort_unstable();
    assert!(sizes.first() < sizes.last(), "{sizes:?}");
}

/// Augmentation: a rotation alone leaves PD-MeshNet's (rotation-invariant) features unchanged;
/// a bend, anisotropic scaling and jitter change them; the same seed redraws the same meshes.
#[test]
fn augmentation_changes_what_it_should() {
    let data = small_dataset();
    let dual =
        |v: &[MeshSample]| -> Vec<f32> { v.iter().flat_map(|s| s.graph.dual.x.clone()).collect() };
    let rotate = MeshAugment {
        scale: 0.0,
        jitter: 1e-9,
        rotate: true,
        ..MeshAugment::NONE
    };
    let rotated = data.augmented_train(&rotate, 5).unwrap();
    // Equal up to the features' own discontinuities: a dihedral angle at the 0 / 2π seam (faces
    // folded onto each other) and the order of the two faces when their k ties.
    let (std, mean) = (&data.dual_stats.std, &data.dual_stats.mean);
    let raw =
        |v: &[f32]| -> Vec<f64> { (0..7).map(|c| f64::from(v[c]) * std[c] + mean[c]).collect() };
    // k_min, k_max, then the two faces' (r_before, r_after) in either order.
    let faces = |v: &[f64]| {
        let mut t = [[v[3], v[5]], [v[4], v[6]]];
        t.sort_by(|a, b| a.partial_cmp(b).unwrap());
        [[v[1], v[2]], t[0], t[1]]
    };
    let (r, o) = (dual(&rotated), dual(&data.train));
    let mut seam = 0;
    for (node, (a, b)) in r.chunks_exact(7).zip(o.chunks_exact(7)).enumerate() {
        let (a, b) = (raw(a), raw(b));
        let turn = (a[0] - b[0]).abs();
        if turn > 1e-3 {
            assert!(
                (turn - std::f64::consts::TAU).abs() < 1e-2,
                "dual node {node}: {b:?} → {a:?}"
            );
            seam += 1;
        }
        for (x, y) in faces(&a).iter().flatten().zip(faces(&b).iter().flatten()) {
            assert!(
                (x - y).abs() < 1e-4 * (1.0 + y.abs()),
                "dual node {node}: {b:?} → {a:?}"
            );
        }
    }
    assert!(seam * 1000 < r.len() / 7, "{seam} angles at the seam");
    let full = MeshAugment {
        scale: 0.1,
        jitter: 0.01,
        rotate: true,
        warp: 0.05,
        warp_cycles: 3.0,
        smooth: 0.0005,
        cutout: 0.0,
    };
    let a = data.augmented_train(&full, 5).unwrap();
    let changed = dual(&a)
        .iter()
        .zip(dual(&data.train))
        .filter(|(x, y)| (*x - y).abs() > 1e-3)
        .count();
    assert!(changed > dual(&a).len() / 2, "{changed}");
    assert_eq!(dual(&a), dual(&data.augmented_train(&full, 5).unwrap()));
    assert_ne!(dual(&a), dual(&data.augmented_train(&full, 6).unwrap()));
    // A bend alone changes the dihedral angles (smoothly: flat faces stay nearly flat).
    let bend = MeshAugment {
        warp: 0.05,
        ..MeshAugment::NONE
    };
    let bent = data.augmented_train(&bend, 5).unwrap();
    let angles =
        |v: &[MeshSample]| -> Vec<f32> { dual(v).chunks_exact(7).map(|row| row[0]).collect() };
    let (bent, original) = (angles(&bent), angles(&data.train));
    let moved = bent
        .iter()
        .zip(&original)
        .filter(|(x, y)| (*x - *y).abs() > 1e-4)
        .count();
    assert!(moved > bent.len() / 2, "{moved} of {}", bent.len());
    // Curvature smoothing alone makes the surfaces flatter: the dihedral angles spread less.
    let rounded = MeshAugment {
        smooth: 0.002,
        ..MeshAugment::NONE
    };
    let spread = |v: &[f32]| {
        let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len() as f64;
        v.iter()
            .map(|&x| (f64::from(x) - mean).powi(2))
            .sum::<f64>()
            / v.len() as f64
    };
    let smoothed = angles(&data.augmented_train(&rounded, 5).unwrap());
    assert!(
        spread(&smoothed) < 0.9 * spread(&original),
        "{} vs {}",
        spread(&smoothed),
        spread(&original)
    );
    // Off: the training set itself.
    assert_eq!(
        dual(&data.augmented_train(&MeshAugment::NONE, 5).unwrap()),
        dual(&data.train)
    );
    for (s, t) in a.iter().zip(&data.train) {
        assert_eq!((s.class, &s.path), (t.class, &t.path));
        assert_eq!(s.graph.primal.edges, t.graph.primal.edges);
    }
}

/// Every readout and pooling choice of the ablation builds and classifies; random pooling
/// contracts as many pairs as the learned one.
#[test]
fn ablation_variants_run() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let data = small_dataset();
    let device = Device::flex();
    device.seed(9);
    let refs: Vec<&PrimalDualGraph> = data.train.iter().map(|s| &s.graph).collect();
    let batch = PrimalDualBatch::new(&refs).unwrap();
    let config = |pooling, readout| {
        PdMeshNetConfig::new(1, 7, 2)
            .with_channels(vec![6, 6])
            .with_heads(2)
            .with_pooling(pooling)
            .with_readout(readout)
    };
    let contracted = |pooling| {
        let net = config(pooling, MeshReadout::Mean).init(&device).unwrap();
        net.pooling_steps(&batch, &device)
            .unwrap()
            .iter()
            .flat_map(|s| s.clusterings.iter().map(|c| c.contracted.len()))
            .collect::<Vec<_>>()
    };
    // The first step contracts the same number of pairs; the second works on graphs that differ
    // (absorbed fans), so its counts are close, not equal.
    let (learned, random) = (
        contracted(MeshPooling::Learned),
        contracted(MeshPooling::Random),
    );
    assert_eq!(learned.len(), 2 * 8);
    assert_eq!(learned[..8], random[..8]);
    for (l, r) in learned[8..].iter().zip(&random[8..]) {
        assert!(l.abs_diff(*r) * 10 <= *l, "{learned:?} vs {random:?}");
    }
    assert!(contracted(MeshPooling::None).is_empty());
    for readout in [
        MeshReadout::Mean,
        MeshReadout::Max,
        MeshReadout::Gem,
        MeshReadout::Attention,
        MeshReadout::Histograph,
    ] {
        let net = config(MeshPooling::Learned, readout).init(&device).unwrap();
        let p = classify(&net, &data.test, 2).unwrap();
        assert_eq!(p.len(), 2);
        for row in &p {
            assert!(
                (row.iter().sum::<f64>() - 1.0).abs() < 1e-4,
                "{readout:?}: {row:?}"
            );
        }
    }
}

/// Every graph layer of tessera-gnn runs on mesh faces (the primal graph) in place of the
/// primal-dual blocks, with every readout but HISTOGRAPH (which reads the dual stream, and is
/// refused), and nothing pools.
#[test]
fn graph_layers_run_on_mesh_faces() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    use tessera_gnn::conv::GraphLayerKind;
    let data = small_dataset();
    let device = Device::flex();
    let refs: Vec<&PrimalDualGraph> = data.train.iter().map(|s| &s.graph).collect();
    let batch = PrimalDualBatch::new(&refs).unwrap();
    for kind in GraphLayerKind::ALL {
        for readout in [
            MeshReadout::Mean,
            MeshReadout::Max,
            MeshReadout::Gem,
            MeshReadout::Attention,
        ] {
            let net = PdMeshNetConfig::new(1, 7, 2)
                .with_channels(vec![6, 6])
                .with_face_conv(Some(kind))
                .with_readout(readout)
                .init(&device)
                .unwrap();
            assert!(
                net.pooling_steps(&batch, &device).unwrap().is_empty(),
                "{kind:?}"
            );
            let p = classify(&net, &data.test, 2).unwrap();
            assert_eq!(p.len(), 2, "{kind:?} {readout:?}");
            assert!(p.iter().all(|r| (r.iter().sum::<f64>() - 1.0).abs() < 1e-4));
        }
        let histograph = PdMeshNetConfig::new(1, 7, 2)
            .with_face_conv(Some(kind))
            .with_readout(MeshReadout::Histograph)
            .init(&device);
        assert!(histograph.is_err(), "{kind:?}");
    }
}

#[test]
fn configuration_files_may_state_only_what_they_change() {
    let released = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/pdmesh_shrec.json");
    let cfg = PdMeshNetConfig::from_file(&released).unwrap();
    assert_eq!(
        (cfg.channels.clone(), cfg.heads, cfg.classes),
        (vec![64, 128], 3, 30)
    );

    let dir = tempfile::tempdir().unwrap();
    let partial = dir.path().join("small.json");
    std::fs::write(
        &partial,
        r#"{"d_primal": 1, "d_dual": 7, "classes": 4, "channels": [8]}"#,
    )
    .unwrap();
    let cfg = PdMeshNetConfig::from_file(&partial).unwrap();
    let defaults = PdMeshNetConfig::new(1, 7, 4);
    assert_eq!(cfg.channels, vec![8]);
    assert_eq!((cfg.heads, cfg.keep), (defaults.heads, defaults.keep));

    let no_classes = dir.path().join("no_classes.json");
    std::fs::write(&no_classes, r#"{"d_primal": 1, "d_dual": 7}"#).unwrap();
    let e = PdMeshNetConfig::from_file(&no_classes)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no_classes.json") && e.contains("classes"),
        "{e}"
    );
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{ channels: [8").unwrap();
    let e = PdMeshNetConfig::from_file(&broken).unwrap_err().to_string();
    assert!(e.contains("broken.json"), "{e}");
    assert!(PdMeshNetConfig::from_file(&dir.path().join("absent.json")).is_err());
}

/// Dropout in the head draws new masks in training (autodiff) and is off for inference; an
/// impossible probability is refused.
#[test]
fn head_dropout_acts_only_in_training() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let data = small_dataset();
    let device = Device::flex();
    device.seed(3);
    let model = tiny_model().with_dropout(0.5);
    let refs: Vec<&PrimalDualGraph> = data.test.iter().map(|s| &s.graph).collect();
    let batch = PrimalDualBatch::new(&refs).unwrap();
    let logits = |net: &tessera_train::models::PdMeshNet, device: &Device| -> Vec<f32> {
        net.forward(&batch, device)
            .unwrap()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap()
    };
    let training = device.clone().autodiff();
    let net = model.init(&training).unwrap();
    assert_ne!(logits(&net, &training), logits(&net, &training));
    let inference = net.valid();
    assert_eq!(logits(&inference, &device), logits(&inference, &device));
    for p in [-0.1, 1.0, f64::NAN] {
        let e = tiny_model().with_dropout(p).init(&device).unwrap_err();
        assert!(e.to_string().contains("dropout"), "{e}");
    }
}

/// With the placement features every face has three z-scored channels (area, distance from the
/// centroid, angle to it), five with the thickness (the two ray lengths) or the flow (two
/// smoothing scales), six with the context (three radii), that a rigid rotation leaves as they
/// are, and a network with that many primal inputs classifies the meshes.
#[test]
fn placement_and_thickness_features_add_rotation_invariant_face_channels() {
    for (features, channels) in [
        (MeshFeatures::LogPlacement, 3),
        (MeshFeatures::LogPlacementThickness, 5),
        (MeshFeatures::LogPlacementFlow, 5),
        (MeshFeatures::LogPlacementContext, 6),
    ] {
        whole_shape_features_are_rotation_invariant(features, channels);
    }
}

fn whole_shape_features_are_rotation_invariant(features: MeshFeatures, channels: usize) {
    assert_eq!(features.primal_channels(), channels);
    let tmp = tempfile::tempdir().unwrap();
    small_folder(tmp.path());
    let data = MeshDataset::load(tmp.path(), features, || {}).unwrap();
    assert_eq!(data.primal_stats.mean.len(), channels);
    let sample = &data.train[0].graph.primal;
    assert_eq!(sample.x.len(), channels * sample.num_nodes);
    let primal: Vec<f32> = data
        .train
        .iter()
        .flat_map(|s| s.graph.primal.x.clone())
        .collect();
    for c in 0..channels {
        let column: Vec<f64> = primal
            .iter()
            .skip(c)
            .step_by(channels)
            .map(|&v| v.into())
            .collect();
        let mean = column.iter().sum::<f64>() / column.len() as f64;
        let var = column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / column.len() as f64;
        assert!(
            mean.abs() < 1e-4 && (var - 1.0).abs() < 1e-3,
            "{features:?} channel {c}: {mean}, {var}"
        );
    }
    let rotate = MeshAugment {
        scale: 0.0,
        jitter: 1e-9,
        rotate: true,
        ..MeshAugment::NONE
    };
    let rotated = data.augmented_train(&rotate, 3).unwrap();
    for (a, b) in rotated.iter().zip(&data.train) {
        for (x, y) in a.graph.primal.x.iter().zip(&b.graph.primal.x) {
            assert!((x - y).abs() < 1e-3, "{}: {x} vs {y}", a.path.display());
        }
    }
    let net = PdMeshNetConfig::new(channels, 7, 2)
        .with_channels(vec![8, 8])
        .with_heads(2)
        .init(&Device::flex())
        .unwrap();
    let probabilities = classify(&net, &data.test, 2).unwrap();
    assert_eq!(probabilities.len(), 2);
    for p in &probabilities {
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-4, "{p:?}");
    }
}
