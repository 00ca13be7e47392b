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

/// Width and height of the non-white part of a PNG written by `tessera mesh view`.
fn drawn_extent(path: &std::path::Path) -> (usize, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let (mut x0, mut x1, mut y0, mut y1) = (w, 0, h, 0);
    for y in 0..h {
        for x in 0..w {
            let i = 3 * (y * w + x);
            if buf[i..i + 3] != [255, 255, 255] {
                (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
            }
        }
    }
    (x1 + 1 - x0, y1 + 1 - y0)
}

/// A tall box along z stands upright with `--up z`: narrower in the picture than drawn y-up.
#[test]
fn view_up_z_stands_z_up_meshes_upright() {
    let dir = tempfile::tempdir().unwrap();
    let obj = dir.path().join("tower.obj");
    let mut text = String::new();
    for z in [0.0, 10.0] {
        for (x, y) in [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)] {
            text.push_str(&format!("v {x} {y} {z}\n"));
        }
    }
    for f in [
        [1, 3, 2],
        [1, 4, 3],
        [5, 6, 7],
        [5, 7, 8],
        [1, 2, 6],
        [1, 6, 5],
        [2, 3, 7],
        [2, 7, 6],
        [3, 4, 8],
        [3, 8, 7],
        [4, 1, 5],
        [4, 5, 8],
    ] {
        text.push_str(&format!("f {} {} {}\n", f[0], f[1], f[2]));
    }
    std::fs::write(&obj, text).unwrap();
    let mut extent = Vec::new();
    for up in ["y", "z"] {
        let png = dir.path().join(format!("{up}.png"));
        tessera()
            .args(["mesh", "view", "--size", "200", "--up", up, "-o"])
            .arg(&png)
            .arg(&obj)
            .assert()
            .success();
        extent.push(drawn_extent(&png));
    }
    let [(wy, hy), (wz, hz)] = extent[..] else {
        unreachable!()
    };
    assert!(hz > 2 * wz, "z up: {wz} × {hz}");
    assert!(wz < wy, "y up {wy} × {hy}, z up {wz} × {hz}");
}
