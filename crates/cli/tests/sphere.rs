//! The sphere CNN from the command line on tiny simulations (nside 4): simulate, estimate with
//! the likelihood, train, report with both estimators, predict on RING and NESTED copies of a
//! map, and refuse bad maps. Smoke runs; the real numbers are in docs/results.md.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn tessera() -> Command {
    Command::cargo_bin("tessera").unwrap()
}

fn simulate(dir: &Path, count: &str, seed: &str, field: &str) {
    tessera()
        .args([
            "sim", "ellp", "--nside", "4", "--count", count, "--seed", seed, "--field", field, "-o",
        ])
        .arg(dir)
        .assert()
        .success();
}

#[test]
fn ellp_train_report_predict() {
    let tmp = tempfile::tempdir().unwrap();
    let (train, test, run) = (
        tmp.path().join("train"),
        tmp.path().join("test"),
        tmp.path().join("run"),
    );
    simulate(&train, "64", "1", "t");
    simulate(&test, "16", "2", "t");
    tessera().arg("estimate").arg(&test).assert().success();
    tessera()
        .args([
            "train", "sphere", "--task", "ellp", "--nside", "4", "--widths", "4,4", "--dense", "8",
            "--epochs", "3",
        ])
        .arg("--train")
        .arg(&train)
        .arg("--test")
        .arg(&test)
        .arg("-o")
        .arg(&run)
        .assert()
        .success()
        .stdout(contains("ell_p: network RMSE").and(contains("likelihood RMSE")));
    // tessera eval on the test folder gives the RMSE the report gave.
    let metrics = tmp.path().join("metrics.json");
    tessera()
        .arg("eval")
        .arg(&run)
        .arg("--data")
        .arg(&test)
        .arg("-o")
        .arg(&metrics)
        .assert()
        .success()
        .stdout(contains("ell_p").and(contains("RMSE")));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&metrics).unwrap()).unwrap();
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).unwrap()).unwrap();
    let (a, b) = (
        m["metrics"]["ell_p"]["rmse"].as_f64().unwrap(),
        r["nn"]["rmse"].as_f64().unwrap(),
    );
    assert!((a - b).abs() < 1e-4 * b, "eval {a} vs report {b}");
    assert_eq!(m["maps"], 16);
    for f in [
        "run.json",
        "model.bpk",
        "history.csv",
        "predictions.csv",
        "report.json",
        "loss.png",
        "metric.png",
        "predicted.png",
        "residuals.png",
    ] {
        assert!(run.join(f).exists(), "{f} missing");
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["test_maps"], 16);
    assert!(report["rmse_ratio_nn_over_likelihood"].as_f64().unwrap() > 0.0);
    assert!(report["rmse_ratio_bootstrap_sd"].as_f64().unwrap() > 0.0);
    // A second training into the same folder is refused; the report can be redrawn.
    tessera()
        .args([
            "train", "sphere", "--task", "ellp", "--nside", "4", "--train",
        ])
        .arg(&train)
        .arg("--test")
        .arg(&test)
        .arg("-o")
        .arg(&run)
        .assert()
        .failure()
        .stderr(contains("finished run"));
    // The run carries its own copy of the likelihood estimates: the report is redrawn with
    // the test folder gone (nothing in a run folder leads outside it).
    assert!(run.join("likelihood.csv").exists());
    let moved = tmp.path().join("moved");
    std::fs::rename(&test, &moved).unwrap();
    tessera()
        .arg("report")
        .arg(&run)
        .assert()
        .success()
        .stdout(contains("likelihood RMSE"));
    std::fs::rename(&moved, &test).unwrap();

    // The same map in RING and in NESTED order gets the same estimate.
    let ring = test.join("map_00003.fits");
    let nested = tmp.path().join("nested.fits");
    tessera()
        .args(["map", "convert"])
        .arg(&ring)
        .arg(&nested)
        .args(["--scheme", "nested"])
        .assert()
        .success();
    let out = tmp.path().join("est.csv");
    tessera()
        .arg("predict")
        .arg(&run)
        .arg(&ring)
        .arg(&nested)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let values: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(values.len(), 2);
    assert_eq!(values[0], values[1]);

    // Guarded predictions: a map scaled by 1e-6 (another unit, unlabelled) is warned about;
    // masked pixels for this full-sky network too, and refused with --strict (nothing
    // written).
    let mut map = tessera_sky::read_map(&ring, &Default::default()).unwrap();
    for v in &mut map.fields[0].values {
        *v *= 1e-6;
    }
    let scaled = tmp.path().join("scaled.fits");
    tessera_sky::write_map(&scaled, &map, &Default::default()).unwrap();
    tessera()
        .arg("predict")
        .arg(&run)
        .arg(&scaled)
        .arg("-o")
        .arg(tmp.path().join("scaled.csv"))
        .assert()
        .success()
        .stderr(contains("scaled.fits: field").and(contains("a unit or scale mismatch")));
    let mut masked = tessera_sky::read_map(&ring, &Default::default()).unwrap();
    for v in masked.fields[0].values.iter_mut().take(20) {
        *v = tessera_sky::UNSEEN;
    }
    let masked_path = tmp.path().join("masked.fits");
    tessera_sky::write_map(&masked_path, &masked, &Default::default()).unwrap();
    tessera()
        .arg("predict")
        .arg(&run)
        .arg(&masked_path)
        .arg("-o")
        .arg(tmp.path().join("masked.csv"))
        .assert()
        .success()
        .stderr(contains(
            "20 UNSEEN pixels, but the network was trained on full-sky maps",
        ));
    let strict = tmp.path().join("strict.csv");
    tessera()
        .arg("predict")
        .arg(&run)
        .arg(&masked_path)
        .arg("--strict")
        .arg("-o")
        .arg(&strict)
        .assert()
        .failure()
        .stderr(contains("--strict").and(contains("UNSEEN")));
    assert!(!strict.exists());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert!(
        json["inputs"]["unit"].is_null(),
        "the ell_p mock has no unit"
    );
    let range = &json["inputs"]["target_range"][0];
    assert!(range[0].as_f64().unwrap() >= 5.0 && range[1].as_f64().unwrap() <= 32.0);

    // A map at another nside, and a T/Q/U network given T maps, are refused with the file named.
    let fine = tmp.path().join("fine");
    tessera()
        .args(["sim", "ellp", "--nside", "8", "--count", "1", "-o"])
        .arg(&fine)
        .assert()
        .success();
    let bad = tmp.path().join("bad.csv");
    tessera()
        .arg("predict")
        .arg(&run)
        .arg(fine.join("map_00000.fits"))
        .arg("-o")
        .arg(&bad)
        .assert()
        .failure()
        .stderr(contains("map_00000.fits").and(contains("nside 8")));
    assert!(!bad.exists());
    tessera()
        .arg("predict")
        .arg(&run)
        .arg(fine.join("map_00000.fits"))
        .arg("--degrade")
        .arg("-o")
        .arg(&bad)
        .assert()
        .success();
}

/// Cut skies with a mask channel: simulated in the run folder, trained, applied.
#[test]
fn cut_sky_with_a_mask_channel() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    tessera()
        .args([
            "train",
            "sphere",
            "--task",
            "ellp",
            "--nside",
            "4",
            "--simulate",
            "24,8",
            "--gal-cut",
            "30",
        ])
        .args(["--mask-channel", "--widths", "4", "--epochs", "1", "-o"])
        .arg(&run)
        .assert()
        .success()
        .stdout(contains("likelihood RMSE"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(json["mask_channel"], true);
    assert_eq!(json["model"]["channels"], 2);
    let out = tmp.path().join("p.csv");
    tessera()
        .arg("predict")
        .arg(&run)
        .arg(run.join("sims/test/map_00000.fits"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
}

/// `tessera train sphere --task eb` on the E/B folders in `dir` (nside 4, 4 filters), with
/// `extra` arguments, into `dir/run`.
fn train_eb(dir: &Path, run: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    let p = |s: &str| dir.join(s);
    tessera()
        .args([
            "train", "sphere", "--task", "eb", "--nside", "4", "--widths", "4",
        ])
        .args(extra)
        .arg("--train")
        .arg(p("e_train"))
        .arg(p("b_train"))
        .arg("--test")
        .arg(p("e_test"))
        .arg(p("b_test"))
        .arg("-o")
        .arg(p(run))
        .assert()
}

#[test]
fn eb_classification_by_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |s: &str| tmp.path().join(s);
    simulate(&p("e_train"), "24", "1", "e");
    simulate(&p("b_train"), "24", "2", "b");
    simulate(&p("e_test"), "8", "3", "e");
    simulate(&p("b_test"), "8", "4", "b");
    train_eb(tmp.path(), "run", &["--epochs", "2"])
        .success()
        .stdout(contains("test accuracy").and(contains("16 maps")));
    assert!(p("run/confusion.png").exists());
    // Scored again on the test folders: the same 16 maps, recall per class.
    tessera()
        .args(["eval"])
        .arg(p("run"))
        .arg("--data")
        .arg(p("e_test"))
        .arg(p("b_test"))
        .assert()
        .success()
        .stdout(contains("on 16").and(contains("recall")));
    // A harmonic first layer reading E and B as scalar maps, trained and reloaded to predict.
    let harmonic = [
        "--epochs",
        "1",
        "--first-harmonic",
        "--harmonic-eb",
        "--band-pass-init",
    ];
    train_eb(tmp.path(), "run_eb", &harmonic)
        .success()
        .stdout(contains("test accuracy"));
    tessera()
        .arg("predict")
        .arg(p("run_eb"))
        .arg(p("e_test/map_00000.fits"))
        .arg("-o")
        .arg(p("eb.csv"))
        .assert()
        .success();
    assert!(p("eb.csv").exists());
    // --harmonic-eb on T maps: refused, naming what it needs.
    tessera()
        .args([
            "train",
            "sphere",
            "--task",
            "ellp",
            "--nside",
            "4",
            "--first-harmonic",
            "--harmonic-eb",
            "--train",
        ])
        .arg(p("e_train"))
        .arg("-o")
        .arg(p("run_t"))
        .assert()
        .failure()
        .stderr(contains("--fields qu"));
    assert!(!p("run_t").exists());
    // T-only maps for a Q/U network: a clear error.
    simulate(&p("t_test"), "2", "5", "t");
    tessera()
        .arg("predict")
        .arg(p("run"))
        .arg(p("t_test/map_00000.fits"))
        .arg("-o")
        .arg(p("x.csv"))
        .assert()
        .failure()
        .stderr(contains("1 field"));
    // A test folder of a class the training set lacks.
    tessera()
        .args([
            "train", "sphere", "--task", "eb", "--nside", "4", "--epochs", "1", "--train",
        ])
        .arg(p("e_train"))
        .arg(p("b_train"))
        .arg("--test")
        .arg(p("t_test"))
        .arg("-o")
        .arg(p("run2"))
        .assert()
        .failure();
}

/// `--fresh`: new training simulations every epoch (the folder then holds the last epoch's);
/// refused together with --train folders.
#[test]
fn fresh_simulations_each_epoch() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    tessera()
        .args([
            "train",
            "sphere",
            "--task",
            "ellp",
            "--nside",
            "4",
            "--widths",
            "4",
            "--dense",
            "8",
            "--simulate",
            "12,6",
            "--epochs",
            "2",
            "--fresh",
            "-o",
        ])
        .arg(&run)
        .assert()
        .success()
        .stdout(contains("ell_p: network RMSE"));
    let params = std::fs::read_to_string(run.join("sims/train/params.csv")).unwrap();
    let first = std::fs::read_to_string(run.join("sims/test/params.csv")).unwrap();
    assert_eq!(params.lines().count(), 13, "{params}");
    assert_ne!(params, first);
    // Epoch 2's maps are not epoch 1's: simulating epoch 1's seed again gives other values.
    let again = tmp.path().join("again");
    tessera()
        .args([
            "sim", "ellp", "--nside", "4", "--count", "12", "--seed", "1", "-o",
        ])
        .arg(&again)
        .assert()
        .success();
    let epoch1 = std::fs::read_to_string(again.join("params.csv")).unwrap();
    assert_ne!(params, epoch1);
    tessera()
        .args(["train", "sphere", "--task", "ellp", "--fresh", "--train"])
        .arg(&again)
        .arg("--test")
        .arg(&again)
        .arg("-o")
        .arg(tmp.path().join("no"))
        .assert()
        .failure()
        .stderr(contains("--fresh"));
    // Band-pass starts need filters that can be band-passes.
    tessera()
        .args([
            "train",
            "sphere",
            "--task",
            "ellp",
            "--band-pass-init",
            "--simulate",
            "8,4",
        ])
        .arg("-o")
        .arg(tmp.path().join("no_bands"))
        .assert()
        .failure()
        .stderr(contains("--first-harmonic"));
    assert!(!tmp.path().join("no_bands").exists());
}

/// A spherical-MNIST run is scored by `tessera eval` on its own test digits (rebuilt from the
/// run's record: the accuracy of the run's report), and `--average-rotations` averages the
/// network over the 8 rotations of the grid, in training and in eval alike.
#[test]
fn mnist_eval_rebuilds_the_test_digits_and_averages_rotations() {
    let tmp = tempfile::tempdir().unwrap();
    let (plain, averaged) = (tmp.path().join("plain"), tmp.path().join("averaged"));
    let args = [
        "train",
        "sphere",
        "--task",
        "mnist",
        "--nside",
        "4",
        "--widths",
        "4",
        "--dense",
        "8",
        "--epochs",
        "1",
        "--test-count",
        "300",
        "--mnist",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/mnist"),
    ];
    tessera()
        .args(args)
        .arg("-o")
        .arg(&plain)
        .assert()
        .success();
    tessera()
        .args(args)
        .arg("--average-rotations")
        .arg("-o")
        .arg(&averaged)
        .assert()
        .success()
        .stdout(contains("averaged over 8 grid rotations"));
    let report = |run: &Path| -> f64 {
        let r: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).unwrap())
                .unwrap();
        r["test_accuracy"].as_f64().unwrap()
    };
    let mnist = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/mnist");
    let eval = |run: &Path, extra: &[&str]| -> f64 {
        let json = run.join("eval.json");
        tessera()
            .arg("eval")
            .arg(run)
            .args(["--data", mnist])
            .args(extra)
            .arg("-o")
            .arg(&json)
            .arg("--overwrite")
            .assert()
            .success();
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        m["metrics"]["accuracy"].as_f64().unwrap()
    };
    assert_eq!(eval(&plain, &[]), report(&plain));
    assert_eq!(eval(&averaged, &["--average-rotations"]), report(&averaged));
    // The same seed trains the same network: averaging is the only difference.
    assert_eq!(eval(&averaged, &[]), report(&plain));
    // The MNIST folder recorded in run.json is not followed: the data is named.
    tessera()
        .arg("eval")
        .arg(&plain)
        .assert()
        .failure()
        .stderr(contains("--data DIR").and(contains("shared/data/mnist")));
    tessera()
        .args(["eval", "/nonexistent/run"])
        .assert()
        .failure();
}

/// `--gaussian`: the network gives a σ per map beside each value, in predictions.csv, in
/// `predict`'s CSV (positive, in the parameter's units) and as pulls in the report; a
/// classification task refuses it.
#[test]
fn a_gaussian_head_gives_sigma_beside_each_value() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    tessera()
        .args([
            "train", "sphere", "--task", "ellp", "--nside", "4", "--widths", "4",
        ])
        .args([
            "--dense",
            "8",
            "--simulate",
            "16,6",
            "--epochs",
            "2",
            "--gaussian",
            "-o",
        ])
        .arg(&run)
        .assert()
        .success()
        .stdout(contains("mean σ").and(contains("pulls")));
    let predictions = std::fs::read_to_string(run.join("predictions.csv")).unwrap();
    assert!(
        predictions.starts_with("id,ell_p_true,ell_p_nn,ell_p_sigma\n"),
        "{predictions}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).unwrap()).unwrap();
    assert!(report["nn"]["pull_sd"].as_f64().unwrap().is_finite());
    let out = tmp.path().join("predicted.csv");
    tessera()
        .arg("predict")
        .arg(&run)
        .arg(run.join("sims/test/map_00000.fits"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("file,ell_p,sigma_ell_p"));
    let sigma: f64 = lines
        .next()
        .unwrap()
        .split(',')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    assert!(sigma > 0.0 && sigma.is_finite(), "{text}");
    // The likelihood's and the network's estimates of the same maps, side by side.
    let both = tmp.path().join("both.csv");
    tessera()
        .arg("estimate")
        .arg(run.join("sims/test"))
        .arg("--run")
        .arg(&run)
        .arg("-o")
        .arg(&both)
        .assert()
        .success();
    let text = std::fs::read_to_string(&both).unwrap();
    assert!(
        text.starts_with("file,truth,estimate,sigma,max_likelihood,nn,nn_sigma\n"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 7);
    tessera()
        .args([
            "train", "sphere", "--task", "eb", "--nside", "4", "--widths", "4",
        ])
        .args(["--simulate", "4,2", "--epochs", "1", "--gaussian", "-o"])
        .arg(tmp.path().join("eb"))
        .assert()
        .failure()
        .stderr(contains("--gaussian"));
}
