//! Spherical harmonic transforms against healpy 1.20.1 (`scripts/golden/sht_golden.py`).
//!
//! Agreement is normwise: `max |ours − healpy| ≤ 1e-10 · max |healpy|` over each output.

mod common;

use std::io::Read;

use realfft::num_complex::Complex64;
use serde_json::Value;
use tessera_sky::sht::{Alm, ShtPlan};

use common::floats;

const TOL: f64 = 1e-10;

fn golden() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/golden/sht.json.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("golden file"))
        .read_to_string(&mut text)
        .expect("gzip");
    serde_json::from_str(&text).expect("json")
}

/// The input coefficients of the golden script.
pub fn input_alm(lmax: usize, phase: f64, pol: bool) -> Alm {
    let mut alm = Alm::zeros(lmax, lmax);
    for m in 0..=lmax {
        for l in m..=lmax {
            let (lf, mf) = (l as f64, m as f64);
            let re = (0.37 * lf + 0.11 * mf + 0.5).sin() / (1.0 + lf);
            let im = if m == 0 {
                0.0
            } else {
                (0.29 * lf - 0.53 * mf + phase).cos() / (1.0 + lf)
            };
            let v = if pol && l < 2 {
                Complex64::new(0.0, 0.0)
            } else {
                Complex64::new(re, im)
            };
            alm.set(l, m, v);
        }
    }
    alm
}

/// The input maps of the golden script (`c` = 0, 1, 2 for T, Q, U).
pub fn input_map(nside: usize, c: usize) -> Vec<f64> {
    let c = c as f64;
    (0..12 * nside * nside)
        .map(|p| {
            let p = p as f64;
            let f = (0.7311 * p + c).sin() + 0.5 * (0.01 * p + 2.0 * c).cos();
            if c == 0.0 { f + 3.0 } else { f }
        })
        .collect()
}

/// Compares real values with a golden record (`all`, or `sample`/`every` plus `sum_sq`).
fn check_real(what: &str, ours: &[f64], want: &Value) {
    let (ours_s, theirs): (Vec<f64>, Vec<f64>) = match want.get("all") {
        Some(all) => (ours.to_vec(), floats(all)),
        None => {
            let every = want["every"].as_u64().unwrap() as usize;
            let sum_sq: f64 = ours.iter().map(|v| v * v).sum();
            let want_sq = want["sum_sq"].as_f64().unwrap();
            assert!(
                (sum_sq - want_sq).abs() <= TOL * want_sq,
                "{what}: sum of squares {sum_sq} vs {want_sq}"
            );
            (
                ours.iter().step_by(every).copied().collect(),
                floats(&want["sample"]),
            )
        }
    };
    assert_eq!(ours_s.len(), theirs.len(), "{what}: length");
    let scale = theirs.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let worst = ours_s
        .iter()
        .zip(&theirs)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(
        worst <= TOL * scale,
        "{what}: max deviation {worst:e} (scale {scale:e})"
    );
}

fn check_alm(what: &str, ours: &Alm, want: &Value) {
    let re: Vec<f64> = ours.values().iter().map(|a| a.re).collect();
    let im: Vec<f64> = ours.values().iter().map(|a| a.im).collect();
    let (wr, wi) = (&want["re"], &want["im"]);
    let every = want.get("every").and_then(Value::as_u64).unwrap_or(1) as usize;
    let pick = |v: &[f64]| v.iter().step_by(every).copied().collect::<Vec<_>>();
    let (re, im) = (pick(&re), pick(&im));
    let (wr, wi) = (floats(wr), floats(wi));
    let scale = wr.iter().chain(&wi).fold(0.0f64, |a, v| a.max(v.abs()));
    let worst = re
        .iter()
        .chain(&im)
        .zip(wr.iter().chain(&wi))
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(
        worst <= TOL * scale,
        "{what}: max deviation {worst:e} (scale {scale:e})"
    );
    if let Some(sq) = want.get("sum_sq").and_then(Value::as_f64) {
        let ours_sq: f64 = ours.values().iter().map(|a| a.norm_sqr()).sum();
        assert!(
            (ours_sq - sq).abs() <= TOL * sq,
            "{what}: sum of squares {ours_sq} vs {sq}"
        );
    }
}

#[test]
fn spin0_transforms_match_healpy() {
    let g = golden();
    for case in g["cases"].as_array().unwrap() {
        let nside = case["nside"].as_u64().unwrap() as usize;
        let lmax = case["lmax"].as_u64().unwrap() as usize;
        let plan = ShtPlan::new(nside as u64, lmax, lmax).unwrap();
        let map = plan.alm2map(&input_alm(lmax, 0.0, false)).unwrap();
        check_real(
            &format!("alm2map T nside {nside}"),
            &map,
            &case["alm2map_T"],
        );
        let input = input_map(nside, 0);
        for iter in [0, 3] {
            let alm = plan.map2alm(&input, iter).unwrap();
            check_alm(
                &format!("map2alm T iter {iter} nside {nside}"),
                &alm,
                &case[format!("map2alm_T_iter{iter}")],
            );
        }
    }
}

#[test]
fn spin2_transforms_match_healpy() {
    let g = golden();
    for case in g["cases"].as_array().unwrap() {
        let nside = case["nside"].as_u64().unwrap() as usize;
        let lmax = case["lmax"].as_u64().unwrap() as usize;
        let plan = ShtPlan::new(nside as u64, lmax, lmax).unwrap();
        let (e, b) = (input_alm(lmax, 1.0, true), input_alm(lmax, 2.0, true));
        let [q, u] = plan.alm2map_spin2(&e, &b).unwrap();
        check_real(
            &format!("alm2map Q nside {nside}"),
            &q,
            &case["alm2map_TQU"][1],
        );
        check_real(
            &format!("alm2map U nside {nside}"),
            &u,
            &case["alm2map_TQU"][2],
        );
        let (qi, ui) = (input_map(nside, 1), input_map(nside, 2));
        for iter in [0, 3] {
            let [e, b] = plan.map2alm_spin2(&qi, &ui, iter).unwrap();
            let want = &case[format!("map2alm_TQU_iter{iter}")];
            check_alm(
                &format!("map2alm E iter {iter} nside {nside}"),
                &e,
                &want[1],
            );
            check_alm(
                &format!("map2alm B iter {iter} nside {nside}"),
                &b,
                &want[2],
            );
        }
    }
}

#[test]
fn anafast_matches_healpy() {
    use tessera_healpix::Healpix;
    use tessera_sky::SkyMap;
    use tessera_sky::sht::{Map2AlmOptions, Spectrum, anafast};
    let g = golden();
    for case in g["cases"].as_array().unwrap().iter().take(2) {
        let nside = case["nside"].as_u64().unwrap() as usize;
        let fields = (0..3)
            .map(|c| (["T", "Q", "U"][c], input_map(nside, c)))
            .collect();
        let map = SkyMap::new(Healpix::ring(nside as u64).unwrap(), fields).unwrap();
        let cls = anafast(&map, &Map2AlmOptions::default()).unwrap();
        for (i, s) in Spectrum::HEALPY_ORDER.iter().enumerate() {
            let want = floats(&case["anafast_TQU_iter3"][i]);
            let ours = cls.get(*s).unwrap();
            let scale = want.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            for (l, (a, b)) in ours.iter().zip(&want).enumerate() {
                assert!(
                    (a - b).abs() <= TOL * scale,
                    "{s:?} l {l} nside {nside}: {a} vs {b}"
                );
            }
        }
    }
}
