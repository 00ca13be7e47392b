//! The temperature pixel window against HEALPix's tables as healpy 1.20.1 reads them
//! (`scripts/golden/pixwin_golden.py`): computed from the pixel shapes, it must reproduce the
//! tables up to `ℓ = 4 nside`: to a relative 1e-6 (in fact ≤ 6e-7 at nside 2, ≤ 3e-8 from
//! nside 16 to 128), and 2e-5 at nside 256, where the table itself is less accurate.

mod common;

use std::io::Read;

use serde_json::Value;
use tessera_sky::sht::pixwin;

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

#[test]
fn temperature_window_matches_healpix_tables() {
    let g = golden();
    for nside in [2u64, 4, 8, 16, 32, 64, 128, 256] {
        let want = floats(&g[nside.to_string()]["t"]);
        let lmax = 4 * nside as usize;
        let ours = pixwin(nside, Some(lmax)).unwrap();
        assert_eq!(ours.len(), want.len());
        let worst = ours
            .iter()
            .zip(&want)
            .map(|(a, b)| (a / b - 1.0).abs())
            .fold(0.0, f64::max);
        eprintln!("nside {nside}: worst relative difference {worst:.2e}");
        // HEALPix's nside-256 table departs from the converged integral by up to 1e-5 (with 12
        // Gauss points per axis ours moves by ≤ 1e-7 there, and agrees with the nside ≤ 128
        // tables to 2e-9): the table's own accuracy, not ours.
        let tol = if nside == 256 { 2e-5 } else { 1e-6 };
        assert!(worst < tol, "nside {nside}: {worst:e}");
    }
}
