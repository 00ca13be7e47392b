//! End-to-end tests of `tessera map …` on the shared FITS fixtures.

mod common;

use std::path::PathBuf;

use common::tessera;
use predicates::prelude::*;
use predicates::str::contains;

fn fixture(name: &str) -> String {
    let base = std::env::var_os("TESSERA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    base.join("fits").join(name).display().to_string()
}

const WMAP: &str = "wmap_band_iqumap_r9_7yr_W_v4_udgraded32_masked.fits";
const MASK: &str = "wmap_temperature_analysis_mask_r9_7yr_v4_udgraded32.fits";

#[test]
fn info_reports_geometry_and_field_statistics() {
    tessera(&["map", "info", &fixture(WMAP)])
        .assert()
        .success()
        .stdout(contains("nside     32 (12288 pixels").and(contains("RING")))
        .stdout(contains("I_STOKES").and(contains("0.6187")));
    tessera(&["map", "info", &fixture(WMAP), "--field", "Q", "--json"])
        .assert()
        .success()
        .stdout(contains("\"name\":\"Q_STOKES\"").and(contains("\"n_unseen\":4686")));
}

#[test]
fn convert_degrades_and_reorders() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("low.fits").display().to_string();
    tessera(&[
        "map",
        "convert",
        &fixture("map.fits"),
        &out,
        "--nside",
        "32",
        "--scheme",
        "nested",
    ])
    .assert()
    .success()
    .stdout(contains("nside 32, NESTED"));
    tessera(&["map", "info", &out, "--json"])
        .assert()
        .success()
        .stdout(contains("\"scheme\":\"NESTED\"").and(contains("\"nside\":32")));
    // An existing output is kept unless --overwrite.
    tessera(&[
        "map",
        "convert",
        &fixture("map.fits"),
        &out,
        "--nside",
        "16",
    ])
    .assert()
    .code(1)
    .stderr(contains("already exists"));
}

#[test]
fn mask_combines_a_mask_file_and_a_latitude_cut() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("masked.fits").display().to_string();
    tessera(&[
        "map",
        "mask",
        &fixture("map.fits"),
        &out,
        "--mask",
        &fixture(MASK),
        "--gal-cut",
        "5",
    ])
    .assert()
    .success()
    .stdout(contains("f_sky = 0.61"));
    tessera(&["map", "mask", &fixture("map.fits"), &out])
        .assert()
        .code(1)
        .stderr(contains("nothing to do"));
}

#[test]
fn bad_map_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.fits").display().to_string();
    tessera(&["map", "info", &missing])
        .assert()
        .code(1)
        .stderr(contains("missing.fits"));
    tessera(&["map", "info", &fixture("cl.fits")])
        .assert()
        .code(1)
        .stderr(contains("cl.fits").and(contains("not a HEALPix map")));
    tessera(&["map", "info", &fixture(WMAP), "--field", "B"])
        .assert()
        .code(1)
        .stderr(contains("no field B").and(contains("I_STOKES")));
    let out = dir.path().join("x.fits").display().to_string();
    tessera(&["map", "convert", &fixture(WMAP), &out, "--nside", "3"])
        .assert()
        .code(1)
        .stderr(contains("powers of two"));
    assert!(
        !std::path::Path::new(&out).exists(),
        "no output left behind"
    );
}

#[test]
fn view_draws_a_png_and_rejects_unknown_fields() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("q.png");
    let png_s = png.display().to_string();
    tessera(&[
        "map",
        "view",
        &fixture(WMAP),
        "-o",
        &png_s,
        "--field",
        "Q",
        "--hist",
        "--width",
        "320",
    ])
    .assert()
    .success();
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR width and height: 320 x (160 + title + colour bar).
    assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 320);
    assert!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()) > 160);
    let ortho = dir.path().join("o.png").display().to_string();
    tessera(&[
        "map",
        "view",
        &fixture(WMAP),
        "-o",
        &ortho,
        "--ortho",
        "-30,10",
        "--width",
        "320",
    ])
    .assert()
    .success();
    tessera(&["map", "view", &fixture(WMAP), "-o", &ortho, "--ortho", "10"])
        .assert()
        .code(1)
        .stderr(contains("LON,LAT"));
    let other = dir.path().join("b.png").display().to_string();
    tessera(&["map", "view", &fixture(WMAP), "-o", &other, "--field", "B"])
        .assert()
        .code(1)
        .stderr(contains("no field B"));
    assert!(!std::path::Path::new(&other).exists());
}

#[test]
fn convert_options_partial_dtype_and_pess_reach_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.fits").display().to_string();
    tessera(&[
        "map",
        "convert",
        &fixture(WMAP),
        &out,
        "--nside",
        "16",
        "--pess",
        "--partial",
        "--dtype",
        "f64",
    ])
    .assert()
    .success();
    // Pessimistic degrading keeps fewer seen pixels than the optimistic default.
    let json = |path: &str| {
        let o = tessera(&["map", "info", path, "--json", "--field", "T"])
            .output()
            .unwrap();
        assert!(o.status.success());
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let pess = json(&out)["fields"][0]["f_sky"].as_f64().unwrap();
    let opt_out = dir.path().join("o.fits").display().to_string();
    tessera(&["map", "convert", &fixture(WMAP), &opt_out, "--nside", "16"])
        .assert()
        .success();
    let optimistic = json(&opt_out)["fields"][0]["f_sky"].as_f64().unwrap();
    assert!(pess < optimistic, "{pess} < {optimistic}");
    let head = std::fs::read(&out).unwrap();
    let header = String::from_utf8_lossy(&head[..5760]);
    assert!(header.contains("INDXSCHM= 'EXPLICIT'") && header.contains("TFORM2  = '1D"));
}
