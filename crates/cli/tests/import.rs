//! `tessera import nnhealpix`: a small Keras-layout NNhealpix model (see data/PROVENANCE.md)
//! imported, then applied by `tessera predict` to its RING maps written as FITS files: the
//! probabilities are the Keras model's, to 1e-5.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use tessera_healpix::Healpix;
use tessera_sky::SkyMap;

fn tessera() -> Command {
    Command::cargo_bin("tessera").unwrap()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/nnhealpix")
}

#[test]
fn an_imported_nnhealpix_model_predicts_what_keras_does() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    tessera()
        .args(["import", "nnhealpix"])
        .arg(fixtures().join("tiny_keras2.h5"))
        .arg("-o")
        .arg(&run)
        .args(["--classes", "a,b,c"])
        .assert()
        .success()
        .stdout(contains("2 blocks, nside 8 → 2"));
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap())
            .unwrap();
    let nside = expected["nside"].as_u64().unwrap();
    let maps: Vec<Vec<f64>> = serde_json::from_value(expected["maps_ring"].clone()).unwrap();
    let mut files = Vec::new();
    for (i, values) in maps.into_iter().enumerate() {
        let map = SkyMap::new(Healpix::ring(nside).unwrap(), vec![("T", values)]).unwrap();
        let path = tmp.path().join(format!("map{i}.fits"));
        tessera_sky::write_map(&path, &map, &Default::default()).unwrap();
        files.push(path);
    }
    let out = tmp.path().join("predicted.csv");
    tessera()
        .arg("predict")
        .arg(&run)
        .args(&files)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let want: Vec<Vec<f64>> =
        serde_json::from_value(expected["models"]["tiny_keras2.h5"].clone()).unwrap();
    for (i, line) in text.lines().skip(1).enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        assert!(cells[0].contains(&format!("map{i}.fits")), "{line}");
        for (k, class) in ["a", "b", "c"].iter().enumerate() {
            let col = header
                .iter()
                .position(|h| h.ends_with(class) && h.starts_with('p'))
                .unwrap_or_else(|| panic!("no probability column for {class}: {header:?}"));
            let got: f64 = cells[col].parse().unwrap();
            assert!(
                (got - want[i][k]).abs() < 1e-5,
                "map {i} class {class}: {got} vs {}",
                want[i][k]
            );
        }
    }
    assert_eq!(text.lines().count(), 5);
}

#[test]
fn a_model_that_is_not_nnhealpix_is_refused_with_the_file_named() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    tessera()
        .args(["import", "nnhealpix"])
        .arg(fixtures().join("tiny_bad_stencil.h5"))
        .arg("-o")
        .arg(&run)
        .assert()
        .code(1)
        .stderr(contains("tiny_bad_stencil.h5").and(contains("not NNhealpix's stencil")));
    assert!(!run.exists());
}
