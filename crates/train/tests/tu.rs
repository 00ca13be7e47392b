//! The TU loader on the shared MUTAG and PROTEINS sets, bad folders, and a tiny training run.

use std::path::{Path, PathBuf};

use tessera_train::data::{TuDataset, TuOptions};
use tessera_train::fit::{CvReport, FitConfig, cross_validate};
use tessera_train::models::GinClassifierConfig;
use tessera_train::schedule::FitSchedule;

/// burn's CPU device has one random stream per process: training tests that seed it must not
/// interleave, so they take this lock.
static DEVICE_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(rel)
}

#[test]
fn mutag_and_proteins_load() {
    let m = TuDataset::load(shared("graphs/MUTAG"), TuOptions::default()).unwrap();
    assert_eq!((m.graphs.len(), m.num_classes(), m.features()), (188, 2, 7));
    assert_eq!(m.class_values(), [-1, 1]);
    assert_eq!(m.labels.iter().filter(|&&l| l == 1).count(), 125);
    let nodes: usize = m.graphs.iter().map(|g| g.num_nodes).sum();
    let edges: usize = m.graphs.iter().map(|g| g.edges.len()).sum();
    assert_eq!((nodes, edges), (3371, 7442));
    let e = TuDataset::load(
        shared("graphs/MUTAG"),
        TuOptions {
            edge_labels: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(e.graphs[0].edge_features, 4);
    assert_eq!(e.graphs[0].edge_attr.len(), 4 * e.graphs[0].edges.len());
    let p = TuDataset::load(
        shared("graphs/PROTEINS"),
        TuOptions {
            node_labels: true,
            node_attributes: true,
            edge_labels: true,
        },
    )
    .unwrap();
    assert_eq!(p.graphs[0].edge_features, 0, "PROTEINS has no edge labels");
    assert_eq!(
        (p.graphs.len(), p.num_classes(), p.features()),
        (1113, 2, 4)
    );
}

#[test]
fn bad_folders_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("TOY");
    std::fs::create_dir(&ds).unwrap();
    let write =
        |name: &str, text: &str| std::fs::write(ds.join(format!("TOY_{name}.txt")), text).unwrap();
    let err = || {
        TuDataset::load(&ds, TuOptions::default())
            .unwrap_err()
            .to_string()
    };
    assert!(err().contains("TOY_graph_indicator.txt"), "{}", err());
    write("graph_indicator", "1\n1\n2\n");
    write("graph_labels", "0\n1\n");
    write("A", "1, 2\n2, 1\n3, 9\n");
    assert!(
        err().contains("TOY_A.txt:3") && err().contains("outside"),
        "{}",
        err()
    );
    write("A", "1, 3\n");
    assert!(err().contains("joins graphs"), "{}", err());
    write("A", "1, x\n");
    assert!(err().contains("not a number"), "{}", err());
    write("A", "1, 2\n");
    write("graph_indicator", "1\n1\n3\n");
    assert!(err().contains("graph id 3"), "{}", err());
    write("graph_indicator", "1\n1\n1\n");
    assert!(err().contains("graph 2 has no nodes"), "{}", err());
    write("graph_indicator", "1\n1\n2\n");
    write("node_labels", "0\n1\n");
    assert!(err().contains("2 lines for 3 nodes"), "{}", err());
    std::fs::remove_file(ds.join("TOY_node_labels.txt")).unwrap();
    let ok = TuDataset::load(&ds, TuOptions::default()).unwrap();
    // No node labels: one-hot degrees (0 and 1 here: the one edge is stored one way).
    assert_eq!(ok.features(), 2, "no node labels: one-hot degrees");
}

/// A TU folder `dir/RING` of 40 unlabelled-node graphs: cycles (class 1) and paths (class 0)
/// of 6 to 8 nodes.
fn write_rings(dir: &Path) -> PathBuf {
    let ds = dir.join("RING");
    std::fs::create_dir(&ds).unwrap();
    let (mut ind, mut lab, mut a) = (String::new(), String::new(), String::new());
    let mut base = 0;
    for g in 0..40 {
        let n = 6 + (g / 2) % 3;
        let cycle = g % 2 == 0;
        for v in 0..n {
            ind.push_str(&format!("{}\n", g + 1));
            let w = (v + 1) % n;
            if w != 0 || cycle {
                a.push_str(&format!(
                    "{}, {}\n{}, {}\n",
                    base + v + 1,
                    base + w + 1,
                    base + w + 1,
                    base + v + 1
                ));
            }
        }
        lab.push_str(if cycle { "1\n" } else { "0\n" });
        base += n;
    }
    std::fs::write(ds.join("RING_graph_indicator.txt"), ind).unwrap();
    std::fs::write(ds.join("RING_graph_labels.txt"), lab).unwrap();
    std::fs::write(ds.join("RING_A.txt"), a).unwrap();
    ds
}

/// Graphs without node labels or attributes get their nodes' degrees, one-hot; data read
/// against a trained model's vocabulary keep its columns (higher degrees in the last one).
#[test]
fn unlabelled_graphs_get_one_hot_degrees() {
    use tessera_train::data::TuVocabulary;
    let dir = tempfile::tempdir().unwrap();
    let ds = write_rings(dir.path());
    let data = TuDataset::load(&ds, TuOptions::default()).unwrap();
    // Cycles: every node of degree 2; paths: two ends of degree 1.
    assert_eq!((data.features(), data.vocabulary.degree_columns), (3, 3));
    let path = &data.graphs[1];
    assert_eq!(
        &path.x[..3],
        [0.0, 1.0, 0.0],
        "a path's first node has one neighbour"
    );
    assert_eq!(&path.x[3..6], [0.0, 0.0, 1.0]);
    let narrow = TuVocabulary {
        degree_columns: 2,
        ..data.vocabulary.clone()
    };
    let again = TuDataset::load_with(&ds, TuOptions::default(), Some(&narrow)).unwrap();
    assert_eq!(again.features(), 2);
    assert_eq!(
        &again.graphs[0].x[..2],
        [0.0, 1.0],
        "degree 2 in the last column"
    );
}

/// The toy tasks' classifier and schedule.
/// A report with the wall times taken out: two runs that compute the same differ only in them.
fn without_times(mut report: CvReport) -> CvReport {
    for h in &mut report.histories {
        h.seconds.clear();
    }
    report
}

fn ring_recipe(data: &TuDataset) -> (GinClassifierConfig, FitConfig) {
    let model = GinClassifierConfig::new(data.features(), 2)
        .with_hidden(16)
        .with_layers(2)
        .with_dropout(0.0);
    let cfg = FitConfig {
        folds: 2,
        schedule: FitSchedule {
            epochs: 80,
            batch_size: 8,
            lr: 0.01,
            halve_every: 50,
            seed: 3,
            patience: 0,
            ..FitSchedule::default()
        },
    };
    (model, cfg)
}

/// Cycles against paths (same node count, different structure): GIN separates them; the same
/// seed gives the same run.
#[test]
fn gin_learns_a_toy_task_reproducibly() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let ds = write_rings(dir.path());
    let data = TuDataset::load(&ds, TuOptions::default()).unwrap();
    let (model, cfg) = ring_recipe(&data);
    let a = cross_validate(&data, &model, &cfg, |_, _, _| {}).unwrap();
    assert!(a.mean >= 0.9, "accuracy {}", a.mean);
    let b = cross_validate(&data, &model, &cfg, |_, _, _| {}).unwrap();
    assert_eq!(without_times(a), without_times(b));
    let bad = FitConfig { folds: 1, ..cfg };
    assert!(cross_validate(&data, &model, &bad, |_, _, _| {}).is_err());
}

/// A run stopped after 7 of its 2 × 6 epochs and resumed from its checkpoint ends with exactly
/// the metrics of an uninterrupted run with the same seed; a resume with another seed or
/// another number of epochs is refused with the difference named.
#[test]
fn resume_after_a_kill_gives_the_same_result() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    use tessera_train::TrainError;
    use tessera_train::engine::Checkpointing;
    use tessera_train::fit::cross_validate_with;
    let data = TuDataset::load(shared("graphs/MUTAG"), TuOptions::default()).unwrap();
    let model = GinClassifierConfig::new(data.features(), data.num_classes())
        .with_hidden(8)
        .with_layers(2)
        .with_batch_norm(true);
    let cfg = FitConfig {
        folds: 2,
        schedule: FitSchedule {
            epochs: 6,
            batch_size: 32,
            lr: 0.01,
            halve_every: 3,
            seed: 5,
            patience: 3,
            ..FitSchedule::default()
        },
    };
    let full = cross_validate(&data, &model, &cfg, |_, _, _| {}).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let settings = serde_json::json!({"data": "MUTAG"});
    let first = Checkpointing {
        stop_after: Some(4),
        ..Checkpointing::new(dir.path(), false, settings.clone())
    };
    // Fold 1 finishes (at most 6 epochs), fold 2 stops after 4 of its epochs.
    let mut epochs_run = 0;
    let stopped = cross_validate_with(&data, &model, &cfg, &first, |_, _, _| epochs_run += 1);
    let Err(TrainError::Interrupted { .. }) = stopped else {
        panic!("{stopped:?}");
    };
    // A second start without --resume, or with other settings, is refused.
    let again = Checkpointing::new(dir.path(), false, settings.clone());
    let e = cross_validate_with(&data, &model, &cfg, &again, |_, _, _| {}).unwrap_err();
    assert!(e.to_string().contains("--resume"), "{e}");
    let resume = Checkpointing::new(dir.path(), true, settings.clone());
    let mut other = cfg.clone();
    other.schedule.seed = 6;
    other.schedule.epochs = 7;
    let e = cross_validate_with(&data, &model, &other, &resume, |_, _, _| {}).unwrap_err();
    let TrainError::Resume { differences, .. } = &e else {
        panic!("{e}");
    };
    assert_eq!(
        differences,
        &["schedule.epochs: 6 → 7", "schedule.seed: 5 → 6"],
        "{e}"
    );
    let moved = Checkpointing::new(dir.path(), true, serde_json::json!({"data": "PTC_MR"}));
    let e = cross_validate_with(&data, &model, &cfg, &moved, |_, _, _| {}).unwrap_err();
    assert!(
        e.to_string().contains("run.data: \"MUTAG\" → \"PTC_MR\""),
        "{e}"
    );
    // The same settings resume and finish with the uninterrupted run's report.
    let resumed = cross_validate_with(&data, &model, &cfg, &resume, |_, _, _| epochs_run += 1);
    assert_eq!(without_times(resumed.unwrap()), without_times(full.clone()));
    let epochs: usize = full.histories.iter().map(|h| h.epochs()).sum();
    assert_eq!(epochs_run, epochs, "each epoch ran once");
}

/// A learning rate that blows the loss up stops the run with an error naming the epoch, and
/// keeps the checkpoint of the last good epoch.
#[test]
fn a_diverging_run_stops_with_a_clear_error() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    use tessera_train::TrainError;
    use tessera_train::engine::Checkpointing;
    let data = TuDataset::load(shared("graphs/MUTAG"), TuOptions::default()).unwrap();
    let model = GinClassifierConfig::new(data.features(), data.num_classes())
        .with_hidden(8)
        .with_layers(2);
    let cfg = FitConfig {
        folds: 2,
        schedule: FitSchedule {
            epochs: 50,
            lr: 1e30,
            patience: 0,
            ..FitSchedule::default()
        },
    };
    let dir = tempfile::tempdir().unwrap();
    let ckpt = Checkpointing::new(dir.path(), false, serde_json::Value::Null);
    let e = tessera_train::fit::cross_validate_with(&data, &model, &cfg, &ckpt, |_, _, _| {})
        .unwrap_err();
    let TrainError::Diverged { epoch, loss, .. } = &e else {
        panic!("{e}");
    };
    assert!(!loss.is_finite());
    assert!(e.to_string().contains("diverged"), "{e}");
    let fold = dir.path().join("fold-1");
    assert_eq!(fold.join("state.json").exists(), *epoch > 0, "{e}");
}

/// Every readout of the classifier builds and gives one row of class scores per graph.
#[test]
fn every_readout_runs() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    use burn::prelude::*;
    use tessera_gnn::graph::GraphBatch;
    use tessera_train::models::ReadoutKind;
    let data = TuDataset::load(shared("graphs/MUTAG"), TuOptions::default()).unwrap();
    let device = Device::flex();
    let graphs: Vec<&tessera_gnn::graph::Graph> = data.graphs.iter().take(3).collect();
    let batch = GraphBatch::new(&graphs).unwrap().to_device(&device);
    for kind in [
        ReadoutKind::Sum,
        ReadoutKind::Mean,
        ReadoutKind::Max,
        ReadoutKind::Gem,
        ReadoutKind::Ggem,
        ReadoutKind::Attention,
        ReadoutKind::Hopfield,
        ReadoutKind::AttSets,
        ReadoutKind::Latent,
        ReadoutKind::Histograph,
        ReadoutKind::Mltp,
    ] {
        let net = GinClassifierConfig::new(7, 2)
            .with_hidden(8)
            .with_layers(2)
            .with_readout(kind)
            .init(&device);
        let out = net.forward(&batch);
        assert_eq!(out.dims(), [3, 2], "{kind:?}");
        let v = out
            .into_data()
            .convert::<f32>()
            .try_to_vec::<f32>()
            .unwrap();
        assert!(v.iter().all(|x| x.is_finite()), "{kind:?}");
    }
}

/// A classifier trained on every graph, saved and loaded again, classifies exactly as before,
/// and has learned the task.
#[test]
fn a_model_trained_on_all_graphs_is_kept_and_reloaded() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    use tessera_train::fit::train_on_all;
    use tessera_train::graph_run::{GraphRun, classify_graphs};
    let dir = tempfile::tempdir().unwrap();
    let ds = write_rings(dir.path());
    let data = TuDataset::load(&ds, TuOptions::default()).unwrap();
    let (model, cfg) = ring_recipe(&data);
    let mut epochs = 0;
    let (net, scaler, history) =
        train_on_all(&data, &model, &cfg, &Default::default(), |_, _| epochs += 1).unwrap();
    let losses = history.train_loss;
    assert_eq!((epochs, losses.len()), (80, 80));
    assert!(
        losses[79] < losses[0],
        "loss {} → {}",
        losses[0],
        losses[79]
    );
    let before = classify_graphs(&net, &data.graphs, 7).unwrap();
    let correct = before
        .iter()
        .zip(&data.labels)
        .filter(|(p, l)| p[**l] > 0.5)
        .count();
    assert!(correct >= 36, "{correct} of 40 graphs right");
    let run = GraphRun::new(&data, &model, TuOptions::default(), scaler, &cfg, losses);
    let out = dir.path().join("run");
    run.save(&net, &out).unwrap();
    let (loaded, net2) = GraphRun::load(&out).unwrap();
    assert_eq!(loaded, run);
    let again = loaded.read_graphs(&ds).unwrap();
    assert_eq!(classify_graphs(&net2, &again.graphs, 7).unwrap(), before);
}

/// Continuous node attributes (here in the hundreds) reach the network z-scored with the
/// training graphs' statistics; a kept run stores them and applies them to the graphs it reads.
#[test]
fn node_attributes_are_standardised_with_the_training_statistics() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    use tessera_train::fit::train_on_all;
    use tessera_train::graph_run::{GraphRun, classify_graphs};
    let dir = tempfile::tempdir().unwrap();
    let ds = write_rings(dir.path());
    let nodes = std::fs::read_to_string(ds.join("RING_graph_indicator.txt"))
        .unwrap()
        .lines()
        .count();
    let attributes: String = (0..nodes)
        .map(|v| format!("{}\n", 500 + 10 * (v % 5)))
        .collect();
    std::fs::write(ds.join("RING_node_attributes.txt"), attributes).unwrap();
    let options = TuOptions {
        node_attributes: true,
        ..TuOptions::default()
    };
    let data = TuDataset::load(&ds, options).unwrap();
    assert_eq!((data.features(), data.attributes), (1, 1));
    let (model, mut cfg) = ring_recipe(&data);
    cfg.schedule.epochs = 3;
    let (net, scaler, history) =
        train_on_all(&data, &model, &cfg, &Default::default(), |_, _| {}).unwrap();
    assert_eq!(scaler.first_column, 0);
    assert!((scaler.mean[0] - 520.0).abs() < 1.0, "{scaler:?}");
    assert!((scaler.scale[0] - 14.1).abs() < 0.2, "{scaler:?}");
    let run = GraphRun::new(&data, &model, options, scaler, &cfg, history.train_loss);
    let out = dir.path().join("run");
    run.save(&net, &out).unwrap();
    let (loaded, net2) = GraphRun::load(&out).unwrap();
    let again = loaded.read_graphs(&ds).unwrap();
    let values: Vec<f32> = again.graphs.iter().flat_map(|g| g.x.clone()).collect();
    let mean = values.iter().sum::<f32>() / values.len() as f32;
    assert!(
        mean.abs() < 0.05 && values.iter().all(|v| v.abs() < 2.0),
        "{mean}"
    );
    let all: Vec<usize> = (0..data.graphs.len()).collect();
    let scaled = loaded.scaler.apply_to(&data.graphs, &all);
    assert_eq!(
        classify_graphs(&net2, &again.graphs, 7).unwrap(),
        classify_graphs(&net, &scaled, 7).unwrap()
    );
}

/// Data scored by a trained model is read with the training data's one-hot columns and
/// classes; labels it never saw are errors naming the file and line; graph labels may be absent.
#[test]
fn new_graphs_are_read_against_the_training_vocabulary() {
    use tessera_train::data::TuVocabulary;
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("TOY");
    std::fs::create_dir(&ds).unwrap();
    let write =
        |name: &str, text: &str| std::fs::write(ds.join(format!("TOY_{name}.txt")), text).unwrap();
    write("graph_indicator", "1\n1\n2\n2\n");
    write("A", "1, 2\n2, 1\n3, 4\n4, 3\n");
    write("node_labels", "5\n5\n5\n2\n");
    write("graph_labels", "1\n1\n");
    let vocabulary = TuVocabulary {
        node_labels: vec![0, 2, 5],
        edge_labels: vec![],
        classes: vec![-1, 1],
        degree_columns: 0,
    };
    let load = || TuDataset::load_with(&ds, TuOptions::default(), Some(&vocabulary));
    let toy = load().unwrap();
    assert_eq!(toy.features(), 3);
    assert_eq!(toy.graphs[1].x, [0.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
    assert_eq!((toy.labels.clone(), toy.labelled), (vec![1, 1], true));
    let alone = TuDataset::load(&ds, TuOptions::default()).unwrap();
    assert_eq!(alone.features(), 2, "on its own: the labels it has");
    write("node_labels", "5\n5\n7\n2\n");
    let e = load().unwrap_err().to_string();
    assert!(
        e.contains("TOY_node_labels.txt:3") && e.contains("node label 7"),
        "{e}"
    );
    write("node_labels", "5\n5\n5\n2\n");
    write("graph_labels", "1\n3\n");
    let e = load().unwrap_err().to_string();
    assert!(e.contains("TOY_graph_labels.txt:2"), "{e}");
    std::fs::remove_file(ds.join("TOY_graph_labels.txt")).unwrap();
    let unlabelled = load().unwrap();
    assert_eq!((unlabelled.graphs.len(), unlabelled.labelled), (2, false));
    assert!(
        TuDataset::load(&ds, TuOptions::default()).is_err(),
        "training needs labels"
    );
}

/// Hostile TU folders end in errors naming the file, before anything is sized by them: empty
/// files, a graph id of 10^12 in an unlabelled folder read for prediction, node labels that are
/// identifiers (one-hot would need gigabytes); and a network of width 0 or data of one class is
/// refused by the training layer instead of crashing.
#[test]
fn hostile_folders_and_settings_are_refused() {
    use tessera_train::data::TuVocabulary;
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("BAD");
    std::fs::create_dir(&ds).unwrap();
    let write =
        |name: &str, text: &str| std::fs::write(ds.join(format!("BAD_{name}.txt")), text).unwrap();
    for name in ["graph_indicator", "graph_labels", "A"] {
        write(name, "");
    }
    let e = TuDataset::load(&ds, TuOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("BAD_graph_indicator.txt") && e.contains("no nodes"),
        "{e}"
    );

    write("graph_indicator", "1\n1\n1000000000000\n");
    write("A", "1, 2\n2, 1\n");
    std::fs::remove_file(ds.join("BAD_graph_labels.txt")).unwrap();
    let vocabulary = TuVocabulary {
        node_labels: vec![],
        edge_labels: vec![],
        classes: vec![0, 1],
        degree_columns: 3,
    };
    let e = TuDataset::load_with(&ds, TuOptions::default(), Some(&vocabulary))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("BAD_graph_indicator.txt:3") && e.contains("graph id 1000000000000"),
        "{e}"
    );

    // 20,000 nodes each with its own label: 1.6 GB one-hot.
    let n = 20_000;
    write("graph_indicator", &"1\n".repeat(n));
    write("graph_labels", "0\n");
    write("A", "1, 2\n2, 1\n");
    let labels: String = (0..n).map(|i| format!("{i}\n")).collect();
    write("node_labels", &labels);
    let e = TuDataset::load(&ds, TuOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("BAD_node_labels.txt") && e.contains("20000 distinct node labels"),
        "{e}"
    );
    let no_labels = TuOptions {
        node_labels: false,
        ..TuOptions::default()
    };
    assert!(
        TuDataset::load(&ds, no_labels).is_ok(),
        "without the labels it loads"
    );

    let rings = write_rings(dir.path());
    let data = TuDataset::load(&rings, TuOptions::default()).unwrap();
    let (model, cfg) = ring_recipe(&data);
    let e = cross_validate(&data, &model.clone().with_hidden(0), &cfg, |_, _, _| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("width 0"), "{e}");
    std::fs::write(rings.join("RING_graph_labels.txt"), "1\n".repeat(40)).unwrap();
    let one_class = TuDataset::load(&rings, TuOptions::default()).unwrap();
    let model = GinClassifierConfig::new(one_class.features(), 1);
    let e = cross_validate(&one_class, &model, &cfg, |_, _, _| {}).unwrap_err();
    assert!(
        matches!(
            e,
            tessera_train::TrainError::TooFew {
                found: 1,
                needed: 2,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("every graph has the label"), "{e}");
}
