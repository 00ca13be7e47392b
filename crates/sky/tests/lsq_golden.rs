//! `map2alm_lsq` against healpy 1.20.1's (scipy 1.17.1's LSQR; `data/golden/map2alm_lsq.json.gz`,
//! `scripts/golden/lsq_golden.py`): a_lm normwise to 1e-8, the relative residual to 1e-10 and
//! the same number of iterations.

mod common;

use common::{floats, golden_gz};
use tessera_healpix::Healpix;
use tessera_sky::SkyMap;
use tessera_sky::sht::{LsqOptions, map2alm_lsq};

#[test]
fn map2alm_lsq_matches_healpy() {
    let g = golden_gz("map2alm_lsq.json.gz");
    let nside = g["nside"].as_u64().unwrap();
    let lmax = g["lmax"].as_u64().unwrap() as usize;
    let tqu: Vec<Vec<f64>> = g["tqu"].as_array().unwrap().iter().map(floats).collect();
    for case in g["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let pol = case["pol"].as_bool().unwrap();
        let fields: Vec<(&str, Vec<f64>)> = if pol {
            vec![
                ("T", tqu[0].clone()),
                ("Q", tqu[1].clone()),
                ("U", tqu[2].clone()),
            ]
        } else {
            vec![("T", tqu[0].clone())]
        };
        let map = SkyMap::new(Healpix::ring(nside).unwrap(), fields).unwrap();
        let opts = LsqOptions {
            pol,
            maxiter: case["maxiter"].as_u64().unwrap() as usize,
            ..LsqOptions::new(lmax)
        };
        let fit = map2alm_lsq(&map, &opts).unwrap();
        assert_eq!(
            fit.iterations as u64,
            case["n_iter"].as_u64().unwrap(),
            "{name}"
        );
        let rel_res = case["rel_res"].as_f64().unwrap();
        assert!(
            (fit.rel_res - rel_res).abs() < 1e-10,
            "{name}: {} vs {rel_res}",
            fit.rel_res
        );
        for (k, alm) in fit.alms.iter().enumerate() {
            let (re, im) = (floats(&case["re"][k]), floats(&case["im"][k]));
            let scale = re
                .iter()
                .zip(&im)
                .map(|(r, i)| r.hypot(*i))
                .fold(0.0, f64::max);
            let worst = alm
                .values()
                .iter()
                .zip(re.iter().zip(&im))
                .map(|(a, (r, i))| (a.re - r).hypot(a.im - i))
                .fold(0.0, f64::max);
            assert!(
                worst <= 1e-8 * scale,
                "{name} set {k}: {worst:e} of {scale}"
            );
        }
    }
}

/// A band-limited map is fitted exactly where map2alm's quadrature is not.
#[test]
fn map2alm_lsq_recovers_band_limited_coefficients() {
    use tessera_sky::sht::{Alm, Complex64, alm2map};
    let lmax = 24;
    let mut alm = Alm::zeros(lmax, lmax);
    for l in 0..=lmax {
        for m in 0..=l {
            let x = (l * 5 + m * 3) as f64;
            alm.set(
                l,
                m,
                Complex64::new(x.sin(), if m == 0 { 0.0 } else { x.cos() }),
            );
        }
    }
    let map = alm2map(std::slice::from_ref(&alm), 8).unwrap();
    let fit = map2alm_lsq(
        &map,
        &LsqOptions {
            maxiter: 100,
            ..LsqOptions::new(lmax)
        },
    )
    .unwrap();
    assert!(fit.rel_res < 1e-9, "rel_res {}", fit.rel_res);
    let worst = fit.alms[0]
        .values()
        .iter()
        .zip(alm.values())
        .map(|(a, b)| (a - b).norm())
        .fold(0.0, f64::max);
    assert!(worst < 1e-7, "{worst:e}");
}
