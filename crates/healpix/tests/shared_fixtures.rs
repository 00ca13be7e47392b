//! The healpy values shipped with the shared FITS fixtures
//! (`../shared/data/fits/expected/neighbours_small.json`).

mod common;

use common::*;
use serde_json::Value;
use tessera_healpix::{Healpix, Scheme};

fn expected() -> Value {
    let path = shared_data_path("fits/expected/neighbours_small.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

#[test]
fn neighbour_tables_match_exactly() {
    let e = expected();
    for nside in [1u64, 2, 4] {
        for (scheme, key) in [(Scheme::Ring, "ring"), (Scheme::Nested, "nest")] {
            let hp = Healpix::new(nside, scheme).unwrap();
            let rows = e[format!("nside{nside}_{key}")].as_array().unwrap();
            assert_eq!(rows.len() as u64, hp.npix());
            for (p, row) in rows.iter().enumerate() {
                assert_eq!(
                    hp.neighbours(p as u64).unwrap().to_healpy().to_vec(),
                    ints(row)
                );
            }
        }
    }
}

#[test]
fn ring2nest_and_ang2pix_match_exactly() {
    let e = expected();
    for nside in [1u64, 2, 4] {
        let hp = Healpix::nested(nside).unwrap();
        let got: Vec<u64> = (0..hp.npix()).map(|p| hp.ring2nest(p).unwrap()).collect();
        assert_eq!(got, uints(&e[format!("ring2nest_nside{nside}")]));
    }
    let points: Vec<(f64, f64)> = e["ang2pix_points_theta_phi"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect();
    for nside in [1u64, 16, 1024, 1_048_576] {
        for (scheme, key) in [(Scheme::Ring, "ring"), (Scheme::Nested, "nest")] {
            let hp = Healpix::new(nside, scheme).unwrap();
            let got: Vec<u64> = points
                .iter()
                .map(|&(t, p)| hp.ang2pix(t, p).unwrap())
                .collect();
            assert_eq!(
                got,
                uints(&e[format!("ang2pix_{key}_nside{nside}")]),
                "{key} {nside}"
            );
        }
    }
}

#[test]
fn pix2ang_of_first_middle_and_last_pixels_matches() {
    let e = expected();
    for nside in [1u64, 16, 1024] {
        let hp = Healpix::ring(nside).unwrap();
        let npix = hp.npix();
        let v = &e[format!("pix2ang_ring_nside{nside}_pix_0_5_half_last")];
        let (theta, phi) = (floats(&v[0]), floats(&v[1]));
        for (i, p) in [0, 5, npix / 2, npix - 1].into_iter().enumerate() {
            let (t, f) = hp.pix2ang(p).unwrap();
            assert!(
                (t - theta[i]).abs() < 1e-12 && phi_diff(f, phi[i]) < 1e-12,
                "pixel {p}"
            );
        }
    }
}
