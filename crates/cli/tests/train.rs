//! `tessera train graph` end to end on MUTAG (2 folds, 2 epochs: a smoke run; the real numbers
//! are in docs/results.md).

use assert_cmd::Command;
use predicates::prelude::*;

/// The MUTAG folder of the shared data.
fn mutag() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/graphs/MUTAG")
}

/// The three pictures of a graph run are PNG files.
fn assert_pictures(run: &std::path::Path) {
    for png in ["loss.png", "accuracy.png", "confusion.png"] {
        let bytes = std::fs::read(run.join(png)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{png}");
    }
}

#[test]
fn train_graph_writes_a_run_folder() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let data = mutag();
    Command::cargo_bin("tessera")
        .unwrap()
        .args([
            "train", "graph", "--folds", "2", "--epochs", "2", "--hidden", "8", "--data",
        ])
        .arg(&data)
        .arg("-o")
        .arg(&run)
        .assert()
        .success()
        .stdout(predicate::str::contains("MUTAG: 2-fold accuracy"));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["fold_accuracy"].as_array().unwrap().len(), 2);
    // The confusion matrix counts every graph once.
    let total: u64 = report["confusion"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, 188);
    assert_eq!(report["per_class_recall"].as_array().unwrap().len(), 2);
    assert_eq!(
        std::fs::read_to_string(run.join("loss.csv"))
            .unwrap()
            .lines()
            .count(),
        1 + 2 * 2
    );
    assert!(run.join("config.json").exists());
    // A cross-validation run keeps no network: eval says so instead of "run.json not found".
    Command::cargo_bin("tessera")
        .unwrap()
        .arg("eval")
        .arg(&run)
        .arg("--data")
        .arg(&data)
        .assert()
        .failure()
        .stderr(predicate::str::contains("graph cross-validation run"));
    assert_eq!(
        report["mean_held_out_accuracy_per_epoch"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // The last epoch's held-out accuracy is the fold accuracy.
    let csv = std::fs::read_to_string(run.join("loss.csv")).unwrap();
    let last: f64 = csv
        .lines()
        .nth(2)
        .unwrap()
        .rsplit(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let fold1 = report["fold_accuracy"][0].as_f64().unwrap();
    assert!((last - fold1).abs() < 1e-12, "{csv}");
    assert_pictures(&run);
    // `tessera report` draws them again from the run's files.
    for png in ["loss.png", "accuracy.png", "confusion.png"] {
        std::fs::remove_file(run.join(png)).unwrap();
    }
    Command::cargo_bin("tessera")
        .unwrap()
        .arg("report")
        .arg(&run)
        .assert()
        .success()
        .stdout(predicate::str::contains("MUTAG: 2-fold accuracy"));
    assert_pictures(&run);
    // Other graph layers and the multi-layer readout, recorded in config.json.
    for model in ["gcn", "sage", "gat"] {
        let other = dir.path().join(model);
        Command::cargo_bin("tessera")
            .unwrap()
            .args([
                "train", "graph", "--folds", "2", "--epochs", "1", "--hidden", "8",
            ])
            .args(["--model", model, "--readout", "mltp", "--data"])
            .arg(&data)
            .arg("-o")
            .arg(&other)
            .assert()
            .success();
        let config = std::fs::read_to_string(other.join("config.json")).unwrap();
        assert!(
            config.contains(&format!("\"model\": \"{model}\"")) && config.contains("Mltp"),
            "{config}"
        );
    }
    Command::cargo_bin("tessera")
        .unwrap()
        .args([
            "train",
            "graph",
            "--model",
            "gcn",
            "--edge-labels",
            "--data",
        ])
        .arg(&data)
        .arg("-o")
        .arg(dir.path().join("gcn_edges"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("--model gin"));
    Command::cargo_bin("tessera")
        .unwrap()
        .args(["train", "graph", "--data", "/nonexistent/TOY", "-o"])
        .arg(dir.path().join("bad"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("TOY_graph_indicator.txt"));
    assert!(!dir.path().join("bad").exists());
}

#[test]
fn finished_and_unfinished_runs_are_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let data = mutag();
    let args = [
        "train", "graph", "--folds", "2", "--epochs", "1", "--hidden", "4", "--data",
    ];
    Command::cargo_bin("tessera")
        .unwrap()
        .args(args)
        .arg(&data)
        .arg("-o")
        .arg(&run)
        .assert()
        .success();
    Command::cargo_bin("tessera")
        .unwrap()
        .args(args)
        .arg(&data)
        .arg("-o")
        .arg(&run)
        .assert()
        .failure()
        .stderr(predicate::str::contains("holds a finished run"));
    // An unfinished run (checkpoint, no report) asks for --resume, and --resume completes it.
    std::fs::remove_file(run.join("report.json")).unwrap();
    Command::cargo_bin("tessera")
        .unwrap()
        .args(args)
        .arg(&data)
        .arg("-o")
        .arg(&run)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--resume"));
    Command::cargo_bin("tessera")
        .unwrap()
        .args(args)
        .arg(&data)
        .arg("-o")
        .arg(&run)
        .arg("--resume")
        .assert()
        .success();
    assert!(run.join("report.json").exists());
}

/// A GPU backend this build lacks is refused before any work, naming the feature to build with,
/// and no run folder is left behind.
#[test]
fn a_gpu_backend_missing_from_the_build_is_a_clear_error() {
    if cfg!(feature = "wgpu") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let data = mutag();
    Command::cargo_bin("tessera")
        .unwrap()
        .args(["train", "graph", "--device", "wgpu", "--data"])
        .arg(&data)
        .arg("-o")
        .arg(&run)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--features wgpu"));
    assert!(!run.exists());
}

/// `--final` keeps a network trained on every graph; `tessera eval` scores it on a labelled TU
/// folder and `tessera predict` classifies the graphs of a folder without graph labels.
#[test]
fn a_final_graph_model_is_scored_and_predicts() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let data = mutag();
    Command::cargo_bin("tessera")
        .unwrap()
        .args([
            "train", "graph", "--folds", "2", "--epochs", "3", "--hidden", "8", "--final", "--data",
        ])
        .arg(&data)
        .arg("-o")
        .arg(&run)
        .assert()
        .success()
        .stdout(predicate::str::contains("trained on all 188 graphs"));
    let metrics = dir.path().join("metrics.json");
    Command::cargo_bin("tessera")
        .unwrap()
        .arg("eval")
        .arg(&run)
        .arg("--data")
        .arg(&data)
        .arg("-o")
        .arg(&metrics)
        .assert()
        .success()
        .stdout(predicate::str::contains("on 188").and(predicate::str::contains("-1")));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&metrics).unwrap()).unwrap();
    let accuracy = m["metrics"]["accuracy"].as_f64().unwrap();
    assert!(accuracy > 0.6, "training-set accuracy {accuracy}");
    // The same graphs without their labels: classified, not scored.
    let bare = dir.path().join("MUTAG");
    std::fs::create_dir(&bare).unwrap();
    for f in ["A", "graph_indicator", "node_labels"] {
        let name = format!("MUTAG_{f}.txt");
        std::fs::copy(data.join(&name), bare.join(&name)).unwrap();
    }
    let csv = dir.path().join("pred.csv");
    Command::cargo_bin("tessera")
        .unwrap()
        .arg("predict")
        .arg(&run)
        .arg(&bare)
        .arg("-o")
        .arg(&csv)
        .assert()
        .success()
        .stdout(predicate::str::contains("188 graphs"));
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("dataset,graph,class,p_-1,p_1"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 188);
    for r in &rows {
        let p: f64 = r[3..].iter().map(|v| v.parse::<f64>().unwrap()).sum();
        assert!((p - 1.0).abs() < 1e-4, "{r:?}");
    }
    Command::cargo_bin("tessera")
        .unwrap()
        .arg("eval")
        .arg(&run)
        .arg("--data")
        .arg(&bare)
        .assert()
        .failure()
        .stderr(predicate::str::contains("MUTAG_graph_labels.txt"));
    // A node label MUTAG never had is named with its file and line.
    std::fs::write(
        bare.join("MUTAG_node_labels.txt"),
        std::fs::read_to_string(data.join("MUTAG_node_labels.txt"))
            .unwrap()
            .replacen('0', "9", 1),
    )
    .unwrap();
    Command::cargo_bin("tessera")
        .unwrap()
        .arg("predict")
        .arg(&run)
        .arg(&bare)
        .arg("-o")
        .arg(dir.path().join("bad.csv"))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("MUTAG_node_labels.txt:1")
                .and(predicate::str::contains("node label 9")),
        );
    assert!(!dir.path().join("bad.csv").exists());
}
