//! The formula inputs of the SHT golden scripts (`scripts/golden/sht_golden.py`,
//! `spin_nside128_golden.py`) and the comparison of outputs with their golden records.
//!
//! Agreement is normwise: `max |ours − healpy| ≤ 1e-10 · max |healpy|` over each output.

use realfft::num_complex::Complex64;
use serde_json::Value;
use tessera_sky::sht::Alm;

use super::floats;

/// Normwise tolerance against healpy.
pub const TOL: f64 = 1e-10;

/// The input coefficients of the golden script.
pub fn input_alm(lmax: usize, phase: f64, pol: bool) -> Alm {
    input_alm_from(lmax, phase, if pol { 2 } else { 0 })
}

/// The input coefficients of the golden scripts, zero below `l = first`.
pub fn input_alm_from(lmax: usize, phase: f64, first: usize) -> Alm {
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
            let v = if l < first {
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
pub fn check_real(what: &str, ours: &[f64], want: &Value) {
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

pub fn check_alm(what: &str, ours: &Alm, want: &Value) {
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
