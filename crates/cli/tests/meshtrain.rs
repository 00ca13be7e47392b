//! `tessera train mesh` and `tessera predict` on a small MeshCNN-layout folder of MSB meshes
//! (2 classes, copied into a temporary folder); a smoke run, the real numbers are in
//! docs/results.md.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

mod coseg;

fn msb() -> PathBuf {
    std::env::var_os("TESSERA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join("meshes/msb")
}

fn copy_some(root: &Path) -> PathBuf {
    let mut one = PathBuf::new();
    for class in ["ants", "pliers"] {
        for (split, n) in [("train", 3), ("test", 1)] {
            let dir = root.join(class).join(split);
            std::fs::create_dir_all(&dir).unwrap();
            let mut files: Vec<PathBuf> = std::fs::read_dir(msb().join(class).join(split))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            files.sort();
            for f in files.iter().take(n) {
                let to = dir.join(f.file_name().unwrap());
                std::fs::copy(f, &to).unwrap();
                one = to;
            }
        }
    }
    one
}

#[test]
fn train_mesh_then_predict() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mesh = copy_some(&data);
    let run = tmp.path().join("run");
    Command::cargo_bin("tessera")
        .unwrap()
        .args([
            "train",
            "mesh",
            "--channels",
            "4,4",
            "--heads",
            "1",
            "--readout",
            "max",
            "--augment-scale",
            "0.1",
            "--augment-rotate",
            "--augment-warp",
            "0.05",
            "--augment-warp-cycles",
            "3",
            "--augment-cutout",
            "0.3",
            "--features",
            "log-placement-thickness",
            "--epochs",
            "1",
            "--data",
        ])
        .arg(&data)
        .arg("-o")
        .arg(&run)
        .assert()
        .success()
        .stdout(
            contains("test accuracy")
                .and(contains("2 meshes (2 classes)"))
                .and(contains("cleaning changed")),
        );
    let cleaning = std::fs::read_to_string(run.join("cleaning.csv")).unwrap();
    assert_eq!(cleaning.lines().count(), 1 + 8, "{cleaning}");
    for f in [
        "run.json",
        "model.bpk",
        "history.csv",
        "predictions.csv",
        "loss.png",
        "accuracy.png",
        "confusion.png",
        "report.json",
    ] {
        assert!(run.join(f).exists(), "{f}");
    }
    // The figures, as in every run folder's report.json.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).unwrap()).unwrap();
    let accuracy = report["test_accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&accuracy), "{report}");
    let confusion: Vec<Vec<u64>> = serde_json::from_value(report["confusion"].clone()).unwrap();
    assert_eq!(confusion.iter().flatten().sum::<u64>(), 2, "{report}");
    let out = tmp.path().join("classes.csv");
    Command::cargo_bin("tessera")
        .unwrap()
        .arg("predict")
        .arg(&run)
        .arg(&mesh)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("file,class,p_ants,p_pliers\n"), "{text}");
    assert_eq!(text.lines().count(), 2);
    // An ensemble of the run with itself says the same.
    let twice = tmp.path().join("twice.csv");
    Command::cargo_bin("tessera")
        .unwrap()
        .arg("predict")
        .arg(&run)
        .arg(&mesh)
        .arg("--ensemble")
        .arg(&run)
        .arg("-o")
        .arg(&twice)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&twice).unwrap(), text);
    // A folder is read for every mesh under it; a bad file is reported, the others written.
    let bad = data.join("ants/test/broken.obj");
    std::fs::write(&bad, "v 0 0 0\nf 1 2 3\n").unwrap();
    let folder_csv = tmp.path().join("folder.csv");
    Command::cargo_bin("tessera")
        .unwrap()
        .arg("predict")
        .arg(&run)
        .arg(&data)
        .arg("-o")
        .arg(&folder_csv)
        .assert()
        .failure()
        .stderr(contains("1 of 9 meshes could not be read").and(contains("broken.obj")));
    assert_eq!(
        std::fs::read_to_string(&folder_csv)
            .unwrap()
            .lines()
            .count(),
        1 + 8
    );
    std::fs::remove_file(&bad).unwrap();
    // Test-time copies with part of the training augmentation; the part alone is refused.
    let jittered = tmp.path().join("jittered.csv");
    let predict_with = |extra: &[&str], out: &Path| {
        Command::cargo_bin("tessera")
            .unwrap()
            .arg("predict")
            .arg(&run)
            .arg(&mesh)
            .args(extra)
            .arg("-o")
            .arg(out)
            .assert()
    };
    predict_with(
        &[
            "--augmented-copies",
            "2",
            "--augmented-with",
            "jitter,smooth",
        ],
        &jittered,
    )
    .success();
    assert_eq!(
        std::fs::read_to_string(&jittered).unwrap().lines().count(),
        2
    );
    let refused = tmp.path().join("refused.csv");
    predict_with(&["--augmented-with", "jitter"], &refused)
        .failure()
        .stderr(contains("--augmented-copies"));
    assert!(!refused.exists());
    Command::cargo_bin("tessera")
        .unwrap()
        .arg("report")
        .arg(&run)
        .assert()
        .success()
        .stdout(contains("on 2 meshes"));
    // Scored on the folder's test split, then on a folder with a class the run does not know.
    Command::cargo_bin("tessera")
        .unwrap()
        .arg("eval")
        .arg(&run)
        .arg("--data")
        .arg(&data)
        .assert()
        .success()
        .stdout(
            contains("accuracy")
                .and(contains("on 2"))
                .and(contains("pliers")),
        );
    std::fs::create_dir_all(data.join("zebras/train")).unwrap();
    std::fs::copy(&mesh, data.join("zebras/train/z.obj")).unwrap();
    Command::cargo_bin("tessera")
        .unwrap()
        .args(["eval", "--split", "all"])
        .arg(&run)
        .arg("--data")
        .arg(&data)
        .assert()
        .failure()
        .stderr(contains("zebras").and(contains("not one of the run's")));
    std::fs::remove_dir_all(data.join("zebras")).unwrap();
    // The trained network's clusters, as a picture; a run that does not pool is refused.
    let png = tmp.path().join("clusters.png");
    Command::cargo_bin("tessera")
        .unwrap()
        .args(["mesh", "pool"])
        .arg(&mesh)
        .arg("--run")
        .arg(&run)
        .arg("-o")
        .arg(&png)
        .assert()
        .success()
        .stdout(contains("level 1:").and(contains("(learned)")));
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    Command::cargo_bin("tessera")
        .unwrap()
        .args(["mesh", "pool", "--levels", "3"])
        .arg(&mesh)
        .arg("--run")
        .arg(&run)
        .arg("-o")
        .arg(tmp.path().join("two.png"))
        .assert()
        .failure()
        .stderr(contains("pools 2 time(s)"));
    assert!(!tmp.path().join("two.png").exists());
    // The network from a configuration file (the class count comes from the data); flags that
    // would contradict it are refused.
    let config = tmp.path().join("small.json");
    let shipped = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../configs/pdmesh_shrec.json"),
    )
    .unwrap();
    std::fs::write(
        &config,
        shipped
            .replace("[64, 128]", "[4, 4]")
            .replace("\"heads\": 3", "\"heads\": 1"),
    )
    .unwrap();
    let run3 = tmp.path().join("run3");
    Command::cargo_bin("tessera")
        .unwrap()
        .args([
            "train",
            "mesh",
            "--epochs",
            "3",
            "--patience",
            "1",
            "--model",
        ])
        .arg(&config)
        .arg("--data")
        .arg(&data)
        .arg("-o")
        .arg(&run3)
        .assert()
        .success();
    let saved = std::fs::read_to_string(run3.join("run.json")).unwrap();
    assert!(
        saved.contains("\"classes\": 2") && saved.contains("\"residual\": true"),
        "{saved}"
    );
    Command::cargo_bin("tessera")
        .unwrap()
        .args(["train", "mesh", "--channels", "8", "--model"])
        .arg(&config)
        .arg("--data")
        .arg(&data)
        .arg("-o")
        .arg(tmp.path().join("run4"))
        .assert()
        .failure()
        .stderr(contains("--channels"));
    // An augmentation that cannot work is refused before anything is written.
    for (flag, shown) in [
        ("--augment-warp=-0.1", "--augment-warp -0.1"),
        ("--augment-warp-cycles=0", "--augment-warp-cycles 0"),
        ("--augment-cutout=1", "--augment-cutout 1"),
    ] {
        Command::cargo_bin("tessera")
            .unwrap()
            .args(["train", "mesh", flag, "--data"])
            .arg(&data)
            .arg("-o")
            .arg(tmp.path().join("run5"))
            .assert()
            .failure()
            .stderr(contains(shown));
        assert!(!tmp.path().join("run5").exists(), "{flag}");
    }
    // Only mesh runs make ensembles; nothing is written.
    Command::cargo_bin("tessera")
        .unwrap()
        .args([
            "predict",
            "/nonexistent/run",
            "map.fits",
            "--ensemble",
            "/other/run",
        ])
        .arg("-o")
        .arg(tmp.path().join("p.csv"))
        .assert()
        .failure()
        .stderr(contains("/nonexistent/run").and(contains(
            "--ensemble, --augmented-copies and --augmented-with apply to mesh runs",
        )));
    assert!(!tmp.path().join("p.csv").exists());
    // A missing data folder is named.
    Command::cargo_bin("tessera")
        .unwrap()
        .args(["train", "mesh", "--data", "/nonexistent/meshes", "-o"])
        .arg(tmp.path().join("run2"))
        .assert()
        .failure()
        .stderr(contains("/nonexistent/meshes"));
}

/// `--task segment` trains a U-Net on a COSEG folder and writes the scores, the curves and
/// pictures of true and predicted parts; flags for classification only are refused.
#[test]
fn train_mesh_segment() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("aliens");
    coseg::some_aliens(&data);
    let run = tmp.path().join("run");
    Command::cargo_bin("tessera")
        .unwrap()
        .args(["train", "mesh", "--task", "segment", "--channels", "4,8"])
        .args([
            "--norm-groups",
            "2",
            "--epochs",
            "2",
            "--batch-size",
            "2",
            "--data",
        ])
        .arg(&data)
        .arg("-o")
        .arg(&run)
        .assert()
        .success()
        .stdout(contains("4 parts").and(contains("area-weighted face accuracy")));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).unwrap()).unwrap();
    for key in [
        "area_face_accuracy",
        "edge_accuracy_hard",
        "edge_accuracy_soft",
        "mean_iou",
    ] {
        let v = report[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&v), "{key}: {v}");
    }
    for file in [
        "run.json",
        "model.bpk",
        "history.csv",
        "loss.png",
        "parts/10.png",
        "cleaning.csv",
    ] {
        assert!(run.join(file).exists(), "{file}");
    }
    // `tessera report` rewrites the figures and curves from run.json alone.
    for file in ["report.json", "history.csv", "loss.png"] {
        std::fs::remove_file(run.join(file)).unwrap();
    }
    Command::cargo_bin("tessera")
        .unwrap()
        .arg("report")
        .arg(&run)
        .assert()
        .success()
        .stdout(contains("area-weighted face accuracy"));
    let again: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).unwrap()).unwrap();
    assert_eq!(again, report);
    assert!(run.join("history.csv").exists() && run.join("loss.png").exists());
    // Scored again by `eval`, on the folder named; the folder recorded in run.json is not
    // followed (a run folder may come from someone else).
    let mut scores = Command::cargo_bin("tessera").unwrap();
    scores.arg("eval").arg(&run).arg("--data").arg(&data);
    scores
        .assert()
        .success()
        .stdout(contains("mean IoU").and(contains("edge accuracy, hard labels")));
    Command::cargo_bin("tessera")
        .unwrap()
        .arg("eval")
        .arg(&run)
        .assert()
        .failure()
        .stderr(
            contains("--data DIR")
                .and(contains("aliens"))
                .and(contains("does not follow paths out of a run folder")),
        );
    Command::cargo_bin("tessera")
        .unwrap()
        .args([
            "train",
            "mesh",
            "--task",
            "segment",
            "--augment-rotate",
            "--data",
        ])
        .arg(&data)
        .arg("-o")
        .arg(tmp.path().join("refused"))
        .assert()
        .failure()
        .stderr(contains("--augment"));
}
