//! End-to-end tests of `tessera pix …`: one per subcommand, plus the error paths.

mod common;

use common::tessera;
use predicates::prelude::*;
use predicates::str::contains;

#[test]
fn info_reports_npix_order_and_resolution() {
    tessera(&["pix", "info", "--nside", "1024"])
        .assert()
        .success()
        .stdout(contains("npix              12582912"))
        .stdout(contains("order             10"))
        .stdout(contains("3.435486 arcmin"));
    tessera(&["pix", "info", "--nside", "3", "--json"])
        .assert()
        .success()
        .stdout(contains("\"nested_ok\":false").and(contains("\"npix\":108")));
}

#[test]
fn ang2pix_matches_healpy_in_both_schemes_and_lonlat() {
    // healpy 1.20.1: ang2pix(16, [0.1, 1.0], [0.2, 3.0]) and with nest=True.
    tessera(&[
        "pix", "ang2pix", "--nside", "16", "0.1", "0.2", "1.0", "3.0",
    ])
    .assert()
    .success()
    .stdout("4\n703\n");
    tessera(&[
        "pix", "ang2pix", "--nside", "16", "--nest", "0.1", "0.2", "1.0", "3.0",
    ])
    .assert()
    .success()
    .stdout("254\n1787\n");
    tessera(&["pix", "ang2pix", "-n", "4", "--lonlat", "0", "-90"])
        .assert()
        .success()
        .stdout("188\n");
}

#[test]
fn pix2ang_reads_standard_input() {
    tessera(&["pix", "pix2ang", "--nside", "1"])
        .write_stdin("5\n")
        .assert()
        .success()
        .stdout(contains("5 1.5707963267948966 1.5707963267948966"));
    tessera(&["pix", "pix2ang", "--nside", "16", "--lonlat", "0"])
        .assert()
        .success()
        .stdout(contains("0 45 87.07581964294997"));
}

#[test]
fn pix2vec_prints_unit_vectors() {
    tessera(&["pix", "pix2vec", "--nside", "1", "--json", "4"])
        .assert()
        .success()
        .stdout(contains("\"pix\":[4]"));
}

#[test]
fn neighbours_marks_missing_with_minus_one() {
    tessera(&["pix", "neighbours", "--nside", "1", "0"])
        .assert()
        .success()
        .stdout("# pix SW W NW N NE E SE S\n0 4 -1 3 2 1 -1 5 8\n");
}

#[test]
fn ring2nest_and_nest2ring_are_inverse() {
    tessera(&["pix", "ring2nest", "--nside", "2", "0", "13"])
        .assert()
        .success()
        .stdout("3\n0\n");
    tessera(&["pix", "nest2ring", "--nside", "2", "3", "0"])
        .assert()
        .success()
        .stdout("0\n13\n");
}

#[test]
fn query_disc_around_the_pole() {
    tessera(&[
        "pix",
        "query-disc",
        "-n",
        "1",
        "--lon",
        "0",
        "--lat",
        "90",
        "--radius",
        "10",
    ])
    .assert()
    .success()
    .stdout("");
    tessera(&[
        "pix",
        "query-disc",
        "-n",
        "1",
        "--lon",
        "0",
        "--lat",
        "90",
        "--radius",
        "10",
        "--inclusive",
    ])
    .assert()
    .success()
    .stdout("0\n1\n2\n3\n");
}

#[test]
fn bad_input_gives_a_clear_message_and_exit_code_1() {
    let cases: &[(&[&str], &str)] = &[
        (&["pix", "info", "--nside", "0"], "nside must be at least 1"),
        (
            &["pix", "ang2pix", "--nside", "6", "--nest", "1", "1"],
            "not a power of two",
        ),
        (
            &["pix", "pix2ang", "--nside", "4", "192"],
            "pixel 192 is out of range for nside 4",
        ),
        (
            &["pix", "ang2pix", "--nside", "4", "nan", "1"],
            "theta is not a finite number",
        ),
        (
            &["pix", "ang2pix", "--nside", "4", "4", "1"],
            "outside [0, pi]",
        ),
        (&["pix", "ang2pix", "--nside", "4", "1"], "come in pairs"),
        (
            &["pix", "neighbours", "--nside", "4", "abc"],
            "cannot parse \"abc\"",
        ),
        (
            &["pix", "ring2nest", "--nside", "3", "0"],
            "not a power of two",
        ),
        (
            &[
                "pix",
                "query-disc",
                "-n",
                "4",
                "--lon",
                "0",
                "--lat",
                "0",
                "--radius",
                "-1",
            ],
            "radius",
        ),
    ];
    for (args, message) in cases {
        tessera(args)
            .assert()
            .code(1)
            .stdout("")
            .stderr(contains("Error:").and(contains(*message)));
    }
}

#[test]
fn missing_input_on_stdin_is_an_error() {
    tessera(&["pix", "pix2ang", "--nside", "4"])
        .write_stdin("")
        .assert()
        .code(1)
        .stderr(contains("no pixel given"));
}

/// `--coord FROM,TO`: directions in FROM looked up in a map in TO, as healpy's Rotator gives
/// them (the Crab nebula's RA/Dec lands on healpy's galactic pixel 27139 at nside 64, not on
/// the equatorial pixel 15291), and pixel centres printed back in FROM.
#[test]
fn coord_turns_directions_into_the_maps_frame() {
    tessera(&[
        "pix", "ang2pix", "--nside", "64", "--lonlat", "--coord", "C,G", "83.63308", "22.0145",
    ])
    .assert()
    .success()
    .stdout("27139\n");
    tessera(&[
        "pix", "ang2pix", "--nside", "64", "--lonlat", "83.63308", "22.0145",
    ])
    .assert()
    .success()
    .stdout("15291\n");
    let out = tessera(&[
        "pix", "pix2ang", "--nside", "64", "--lonlat", "--coord", "C,G", "27139",
    ])
    .assert()
    .success()
    .get_output()
    .stdout
    .clone();
    let text = String::from_utf8(out).unwrap();
    let cols: Vec<f64> = text
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    // The pixel's centre, back in RA/Dec, lies within a pixel (0.9 deg) of the Crab.
    assert!(
        (cols[0] - 83.633).abs() < 1.0 && (cols[1] - 22.01).abs() < 1.0,
        "{cols:?}"
    );
    tessera(&["pix", "ang2pix", "--nside", "4", "--coord", "C,X", "1", "1"])
        .assert()
        .failure()
        .stderr(contains("unknown coordinate system \"X\""));
}
