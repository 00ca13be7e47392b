//! Spin-s transforms against healpy 1.20.1: `alm2map_spin` and `map2alm_spin` for spins 1, 2, 3
//! and 5 (and a truncated lmax) at nside 8 to 1e-12 of the largest value
//! (`data/golden/spin.json.gz`, `scripts/golden/spin_golden.py`), spins 1 and 3 at nside 128 to
//! 1e-10 (`spin_nside128.json.gz`); and spin 2 of the any-spin functions against `ShtPlan`'s
//! polarisation transforms to 1e-12.

mod common;

use common::sht_formulas::{check_alm, check_real, input_alm_from, input_map};
use common::{floats, golden_gz};
use tessera_sky::sht::{Alm, Complex64, ShtPlan, alm2map_spin, map2alm_spin};

fn alm(re: &serde_json::Value, im: &serde_json::Value, lmax: usize, mmax: usize) -> Alm {
    let values = floats(re)
        .into_iter()
        .zip(floats(im))
        .map(|(r, i)| Complex64::new(r, i))
        .collect();
    Alm::from_vec(lmax, mmax, values).unwrap()
}

fn worst(ours: &[f64], theirs: &[f64]) -> (f64, f64) {
    let scale = theirs.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let diff = ours
        .iter()
        .zip(theirs)
        .fold(0.0f64, |a, (x, y)| a.max((x - y).abs()));
    (diff, scale)
}

#[test]
fn spin_transforms_match_healpy() {
    let g = golden_gz("spin.json.gz");
    let nside = g["nside"].as_u64().unwrap();
    let maps: Vec<Vec<f64>> = g["maps_in"]
        .as_array()
        .unwrap()
        .iter()
        .map(floats)
        .collect();
    for case in g["cases"].as_array().unwrap() {
        let spin = case["spin"].as_u64().unwrap() as usize;
        let lmax = case["lmax"].as_u64().unwrap() as usize;
        let mmax = case["mmax"].as_u64().unwrap() as usize;
        let gc = [0, 1].map(|k| alm(&case["alm_re"][k], &case["alm_im"][k], lmax, mmax));
        let out = alm2map_spin(&gc, nside, spin).unwrap();
        for (k, map) in out.iter().enumerate() {
            let (diff, scale) = worst(map, &floats(&case["maps_out"][k]));
            assert!(
                diff < 1e-12 * scale,
                "spin {spin} lmax {lmax} map {k}: {diff:e}"
            );
        }
        let back = map2alm_spin([&maps[0], &maps[1]], spin, lmax, mmax).unwrap();
        for (k, a) in back.iter().enumerate() {
            let expected = alm(&case["analysis_re"][k], &case["analysis_im"][k], lmax, mmax);
            let parts =
                |a: &Alm| -> Vec<f64> { a.values().iter().flat_map(|c| [c.re, c.im]).collect() };
            let (diff, scale) = worst(&parts(a), &parts(&expected));
            assert!(
                diff < 1e-12 * scale,
                "spin {spin} lmax {lmax} set {k}: {diff:e}"
            );
        }
    }
}

/// Spins 1 and 3 at nside 128, lmax 383: the polar rings' starting values lie far below f64's
/// range (sin θ ≈ 0.0064 on the first ring, to the power m), which the kernels carry scaled.
#[test]
fn spin_transforms_match_healpy_at_nside_128() {
    let g = golden_gz("spin_nside128.json.gz");
    let nside = g["nside"].as_u64().unwrap();
    let lmax = g["lmax"].as_u64().unwrap() as usize;
    let maps = [input_map(nside as usize, 1), input_map(nside as usize, 2)];
    let cases = g["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for case in cases {
        let spin = case["spin"].as_u64().unwrap() as usize;
        let gc = [
            input_alm_from(lmax, 1.0, spin),
            input_alm_from(lmax, 2.0, spin),
        ];
        let out = alm2map_spin(&gc, nside, spin).unwrap();
        for (k, map) in out.iter().enumerate() {
            check_real(
                &format!("alm2map_spin spin {spin} map {k}"),
                map,
                &case["maps_out"][k],
            );
        }
        let back = map2alm_spin([&maps[0], &maps[1]], spin, lmax, lmax).unwrap();
        for (k, a) in back.iter().enumerate() {
            check_alm(
                &format!("map2alm_spin spin {spin} set {k}"),
                a,
                &case["analysis"][k],
            );
        }
    }
}

/// The generic transform at spin 2 is the vectorised spin-2 one, both ways, at an nside whose
/// polar rings reach orders far beyond their Legendre functions' range.
#[test]
fn spin_two_agrees_with_the_polarisation_kernels() {
    // nside 128 reaches the starting values far below f64's range (sin θ ≈ 0.009 at the
    // polar rings, to the power 383), which both kernels carry scaled.
    for (nside, lmax) in [(32u64, 95usize), (128, 383)] {
        let (q, u) = compare_spin_two(nside, lmax);
        if nside == 32 {
            assert!(
                alm2map_spin(&[Alm::zeros(lmax, lmax), Alm::zeros(lmax, lmax)], nside, 0).is_err()
            );
            assert!(map2alm_spin([&q, &u[1..]], 2, lmax, lmax).is_err());
        }
    }
}

/// The spin-2 kernels of `ShtPlan` and the any-spin transforms agree to 1e-12 both ways at
/// `nside`, `lmax`; returns the synthesised maps.
fn compare_spin_two(nside: u64, lmax: usize) -> (Vec<f64>, Vec<f64>) {
    let mut e = Alm::zeros(lmax, lmax);
    let mut b = Alm::zeros(lmax, lmax);
    for m in 0..=lmax {
        for l in m.max(2)..=lmax {
            let im = if m == 0 {
                0.0
            } else {
                (0.3 * l as f64 + m as f64).cos()
            };
            e.set(l, m, Complex64::new((0.7 * l as f64 - m as f64).sin(), im));
            b.set(
                l,
                m,
                Complex64::new((0.2 * l as f64 + 0.5 * m as f64).cos(), -im),
            );
        }
    }
    let plan = ShtPlan::new(nside, lmax, lmax).unwrap();
    let [q, u] = plan.alm2map_spin2(&e, &b).unwrap();
    let [q2, u2] = alm2map_spin(&[e.clone(), b.clone()], nside, 2).unwrap();
    for (ours, theirs) in [(&q2, &q), (&u2, &u)] {
        let (diff, scale) = worst(ours, theirs);
        assert!(diff < 1e-12 * scale, "synthesis {diff:e}");
    }
    let [e1, b1] = plan.map2alm_spin2(&q, &u, 0).unwrap();
    let [e2, b2] = map2alm_spin([&q, &u], 2, lmax, lmax).unwrap();
    for (ours, theirs) in [(&e2, &e1), (&b2, &b1)] {
        let parts =
            |a: &Alm| -> Vec<f64> { a.values().iter().flat_map(|c| [c.re, c.im]).collect() };
        let (diff, scale) = worst(&parts(ours), &parts(theirs));
        assert!(diff < 1e-12 * scale, "analysis {diff:e}");
    }
    (q, u)
}
