//! `tessera mesh info` and `tessera mesh pool` end to end.

use assert_cmd::Command;
use predicates::prelude::*;

fn tessera() -> Command {
    Command::cargo_bin("tessera").unwrap()
}

fn shared(rel: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(rel)
}

#[test]
fn info_reports_topology_and_features() {
    let file = shared("meshes/fixtures/pd_meshnet/simple_mesh.ply");
    tessera()
        .args(["mesh", "info"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("faces 8"))
        .stdout(predicate::str::contains(
            "primal graph: 8 nodes, 9 adjacencies; dual (config A): 9 nodes, 24 edges",
        ));
    let out = tessera()
        .args(["mesh", "info", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["report"]["input"]["faces"], 8);
    assert_eq!(v["dual_features"].as_array().unwrap().len(), 7);
}

#[test]
fn pool_writes_coloured_clusters() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clusters.obj");
    tessera()
        .args(["mesh", "pool"])
        .arg(shared("meshes/msb/ants/train/11.obj"))
        .args(["--keep", "0.5", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("level 1: "));
    let text = std::fs::read_to_string(&out).unwrap();
    let coloured = text
        .lines()
        .filter(|l| l.starts_with("v ") && l.split_whitespace().count() == 7)
        .count();
    assert_eq!(coloured, 3 * 468);
}

#[test]
fn bad_mesh_input_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.obj");
    std::fs::write(&bad, "v 0 0 0\nv 1 0 0\nf 1 2 9\n").unwrap();
    tessera()
        .args(["mesh", "info"])
        .arg(&bad)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "bad.obj:3: face vertex index 9 is out of range",
        ));
    let out = dir.path().join("x.obj");
    tessera()
        .args(["mesh", "pool"])
        .arg(&bad)
        .arg("-o")
        .arg(&out)
        .assert()
        .failure();
    assert!(!out.exists());
}

#[test]
fn view_renders_png() {
    let dir = tempfile::tempdir().unwrap();
    for by in ["normal", "area", "clusters"] {
        let out = dir.path().join(format!("{by}.png"));
        tessera()
            .args(["mesh", "view"])
            .arg(shared("meshes/fixtures/pd_meshnet/simple_mesh_large.ply"))
            .args(["--by", by, "--size", "64", "-o"])
            .arg(&out)
            .assert()
            .success();
        assert!(std::fs::read(&out).unwrap().starts_with(b"\x89PNG"), "{by}");
    }
}
