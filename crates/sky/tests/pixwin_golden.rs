//! The pixel windows against HEALPix's tables as healpy 1.20.1 reads them, at the multipoles
//! `scripts/golden/pixwin_golden.py` samples (every ℓ to 16, then 64 evenly spaced to 4 nside):
//! computed from the pixel shapes, they must reproduce the tables up to `ℓ = 4 nside`: the
//! temperature window to a relative 1e-6 (in fact ≤ 6e-7 at nside 2, ≤ 3e-8 from
//! nside 16 to 128), and 2e-5 at nside 256, where the table itself is less accurate.

mod common;

use std::io::Read;

use serde_json::Value;
use tessera_sky::sht::{pixwin, pixwin_pol};

use common::floats;

fn golden() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/golden/pixwin.json.gz"
    );
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("golden file"))
        .read_to_string(&mut text)
        .expect("gzip");
    serde_json::from_str(&text).expect("json")
}

/// The golden window `column` ("t" or "p") of `nside`: its multipoles and values.
fn table(g: &Value, nside: u64, column: &str) -> (Vec<usize>, Vec<f64>) {
    let entry = &g[nside.to_string()];
    let ls = floats(&entry["l"]).iter().map(|&l| l as usize).collect();
    (ls, floats(&entry[column]))
}

/// The worst relative difference between `ours` (every ℓ) and the golden values at
/// multipoles `ls` from `first` on.
fn worst(ours: &[f64], ls: &[usize], want: &[f64], first: usize) -> f64 {
    assert_eq!(ls.len(), want.len());
    ls.iter()
        .zip(want)
        .filter(|(l, _)| **l >= first)
        .map(|(&l, b)| (ours[l] / b - 1.0).abs())
        .fold(0.0, f64::max)
}

#[test]
fn temperature_window_matches_healpix_tables() {
    let g = golden();
    for nside in [2u64, 4, 8, 16, 32, 64, 128, 256] {
        let (ls, want) = table(&g, nside, "t");
        let lmax = 4 * nside as usize;
        assert_eq!(ls.last(), Some(&lmax));
        let ours = pixwin(nside, Some(lmax)).unwrap();
        assert_eq!(ours.len(), lmax + 1);
        let worst = worst(&ours, &ls, &want, 0);
        eprintln!("nside {nside}: worst relative difference {worst:.2e}");
        // HEALPix's nside-256 table departs from the converged integral by up to 1e-5 (with 12
        // Gauss points per axis ours moves by ≤ 1e-7 there, and agrees with the nside ≤ 128
        // tables to 2e-9): the table's own accuracy, not ours.
        let tol = if nside == 256 { 2e-5 } else { 1e-6 };
        assert!(worst < tol, "nside {nside}: {worst:e}");
    }
}

#[test]
fn polarisation_window_matches_healpix_tables() {
    let g = golden();
    for nside in [2u64, 4, 16, 64, 128] {
        let lmax = 4 * nside as usize;
        let [t, p] = pixwin_pol(nside, Some(lmax)).unwrap();
        assert_eq!(t, pixwin(nside, Some(lmax)).unwrap());
        let (ls, want) = table(&g, nside, "p");
        assert_eq!((ls[0], ls[1]), (0, 1));
        assert_eq!((p[0], p[1], want[0], want[1]), (0.0, 0.0, 0.0, 0.0));
        let w = worst(&p, &ls, &want, 2);
        eprintln!("nside {nside}: worst relative difference {w:.2e}");
        // HEALPix's polarisation tables are ours times a constant 1 + c / nside⁴ (2.5e-4 at
        // nside 2, 1.5e-5 at 4, 6e-8 at 16, the same at every ℓ): a normalisation of theirs
        // that only matters for the largest pixels.
        let tol = match nside {
            2 => 3e-4,
            4 => 2e-5,
            _ => 1e-6,
        };
        assert!(w < tol, "nside {nside}: {w:e}");
    }
}
