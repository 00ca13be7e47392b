//! Every kind of training run survives `kill -9`: a graph (MUTAG), a sphere (ℓ_p), a mesh
//! (MSB) and a segmentation (COSEG aliens) run are killed in the middle of their training, resumed with `--resume`, and end with
//! the files of an uninterrupted run with the same arguments, apart from wall times.

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

mod coseg;

fn shared(rel: &str) -> PathBuf {
    std::env::var_os("TESSERA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join(rel)
}

/// Whether some `state.json` under `dir` records at least one finished epoch.
fn some_epoch_checkpointed(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            return some_epoch_checkpointed(&p);
        }
        p.file_name().is_some_and(|n| n == "state.json")
    })
}

/// `value` without the wall-time fields (`seconds…` keys anywhere).
fn without_times(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| !k.starts_with("seconds"))
                .map(|(k, v)| (k, without_times(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_times).collect()),
        other => other,
    }
}

/// A CSV file without its `seconds` column.
fn csv_without_times(text: &str) -> Vec<Vec<String>> {
    let rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let drop = rows
        .first()
        .and_then(|h| h.iter().position(|c| c == "seconds"));
    rows.into_iter()
        .map(|mut r| {
            if let Some(i) = drop.filter(|&i| i < r.len()) {
                r.remove(i);
            }
            r
        })
        .collect()
}

/// The JSON and CSV files of a run folder, wall times left out.
fn results(run: &Path) -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(run)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "csv"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(p).unwrap();
            let text = if name.ends_with(".json") {
                without_times(serde_json::from_str(&text).unwrap()).to_string()
            } else {
                format!("{:?}", csv_without_times(&text))
            };
            (name, text)
        })
        .collect()
}

/// Runs `tessera args -o A` to the end; starts `tessera args -o B`, kills it with SIGKILL as
/// soon as it has checkpointed an epoch, resumes it with `--resume`, and compares B with A.
fn kill_resume_matches(args: &[&str], tmp: &Path) {
    let (full, killed) = (tmp.join("full"), tmp.join("killed"));
    Command::cargo_bin("tessera")
        .unwrap()
        .args(args)
        .arg("-o")
        .arg(&full)
        .assert()
        .success();
    let mut child = Process::new(cargo_bin("tessera"))
        .args(args)
        .arg("-o")
        .arg(&killed)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !some_epoch_checkpointed(&killed.join("checkpoint")) {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "no checkpoint after 10 minutes"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "ended before a checkpoint"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // Let it get into the next epoch, then SIGKILL (no chance to clean up).
    std::thread::sleep(Duration::from_millis(20));
    child.kill().unwrap();
    child.wait().unwrap();
    for end in ["report.json", "run.json"] {
        assert!(
            !killed.join(end).exists(),
            "the kill came after the run wrote {end}"
        );
    }
    Command::cargo_bin("tessera")
        .unwrap()
        .args(args)
        .arg("-o")
        .arg(&killed)
        .arg("--resume")
        .assert()
        .success();
    let (a, b) = (results(&full), results(&killed));
    assert_eq!(
        a.iter().map(|f| &f.0).collect::<Vec<_>>(),
        b.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert_eq!(x, y, "{name} differs after the resume");
    }
}

#[test]
fn a_killed_graph_run_resumes_to_the_same_report() {
    let tmp = tempfile::tempdir().unwrap();
    let data = shared("graphs/MUTAG");
    let data = data.to_str().unwrap();
    let args = [
        "train",
        "graph",
        "--folds",
        "2",
        "--epochs",
        "12",
        "--hidden",
        "8",
        "--patience",
        "4",
        "--data",
        data,
    ];
    kill_resume_matches(&args, tmp.path());
}

#[test]
fn a_killed_sphere_run_resumes_to_the_same_report() {
    let tmp = tempfile::tempdir().unwrap();
    let (train, test) = (tmp.path().join("train"), tmp.path().join("test"));
    for (dir, count, seed) in [(&train, "64", "1"), (&test, "16", "2")] {
        Command::cargo_bin("tessera")
            .unwrap()
            .args([
                "sim", "ellp", "--nside", "4", "--count", count, "--seed", seed, "-o",
            ])
            .arg(dir)
            .assert()
            .success();
    }
    let (train, test) = (train.to_str().unwrap(), test.to_str().unwrap());
    let args = [
        "train",
        "sphere",
        "--task",
        "ellp",
        "--nside",
        "4",
        "--widths",
        "4,4",
        "--dense",
        "8",
        "--epochs",
        "12",
        "--patience",
        "5",
        "--train",
        train,
        "--test",
        test,
    ];
    kill_resume_matches(&args, tmp.path());
}

#[test]
fn a_killed_mesh_run_resumes_to_the_same_report() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    for class in ["ants", "pliers"] {
        for (split, n) in [("train", 4), ("test", 1)] {
            let dir = data.join(class).join(split);
            std::fs::create_dir_all(&dir).unwrap();
            let mut files: Vec<PathBuf> =
                std::fs::read_dir(shared("meshes/msb").join(class).join(split))
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .collect();
            files.sort();
            for f in files.iter().take(n) {
                std::fs::copy(f, dir.join(f.file_name().unwrap())).unwrap();
            }
        }
    }
    let data = data.to_str().unwrap();
    let args = [
        "train",
        "mesh",
        "--channels",
        "4,4",
        "--heads",
        "1",
        "--augment-scale",
        "0.1",
        "--augment-rotate",
        "--epochs",
        "8",
        "--average-last",
        "3",
        "--data",
        data,
    ];
    kill_resume_matches(&args, tmp.path());
}

#[test]
fn a_killed_segmentation_run_resumes_to_the_same_report() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("aliens");
    coseg::some_aliens(&data);
    let data = data.to_str().unwrap();
    let args = [
        "train",
        "mesh",
        "--task",
        "segment",
        "--channels",
        "4,8",
        "--epochs",
        "6",
        "--batch-size",
        "1",
        "--data",
        data,
    ];
    kill_resume_matches(&args, tmp.path());
}
