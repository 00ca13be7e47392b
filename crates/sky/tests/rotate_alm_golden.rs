//! a_lm and maps rotated through their a_lm against healpy 1.20.1's `rotate_alm`,
//! `Rotator.rotate_alm` and `Rotator.rotate_map_alms(use_pixel_weights=False)`
//! (`data/golden/rotate_alm.json.gz`, `scripts/golden/rotate_alm_golden.py`).
//!
//! Agreement is normwise: `max |ours − healpy| ≤ 1e-10 · max |healpy|`.

mod common;

use common::{assert_normwise, floats, golden_gz};
use realfft::num_complex::Complex64;
use serde_json::Value;
use tessera_healpix::{CoordSys, Healpix, Rotator};
use tessera_sky::SkyMap;
use tessera_sky::sht::{
    Alm, Map2AlmOptions, alm2map, rotate_alm, rotate_alm_euler, rotate_map_alms,
};

const TOL: f64 = 1e-10;

fn alm_of(lmax: usize, re: &Value, im: &Value) -> Alm {
    let values = floats(re)
        .into_iter()
        .zip(floats(im))
        .map(|(r, i)| Complex64::new(r, i))
        .collect();
    Alm::from_vec(lmax, lmax, values).unwrap()
}

fn assert_close(ours: &Alm, want: &Alm, case: &str) {
    let scale = want.values().iter().map(|v| v.norm()).fold(0.0, f64::max);
    let worst = ours
        .values()
        .iter()
        .zip(want.values())
        .map(|(a, b)| (a - b).norm())
        .fold(0.0, f64::max);
    assert!(
        worst <= TOL * scale,
        "{case}: max difference {worst:e} of {scale}"
    );
}

#[test]
fn rotate_alm_by_euler_angles_matches_healpy() {
    let g = golden_gz("rotate_alm.json.gz");
    let lmax = g["lmax"].as_u64().unwrap() as usize;
    let input = alm_of(lmax, &g["alm_re"], &g["alm_im"]);
    for case in g["euler"].as_array().unwrap() {
        let [psi, theta, phi] = ["psi", "theta", "phi"].map(|k| case[k].as_f64().unwrap());
        let mut ours = input.clone();
        rotate_alm_euler(&mut ours, psi, theta, phi).unwrap();
        let want = alm_of(lmax, &case["re"], &case["im"]);
        assert_close(&ours, &want, &format!("euler ({psi}, {theta}, {phi})"));
    }
}

#[test]
fn rotate_alm_by_rotator_matches_healpy() {
    let g = golden_gz("rotate_alm.json.gz");
    let lmax = g["lmax"].as_u64().unwrap() as usize;
    let input = alm_of(lmax, &g["alm_re"], &g["alm_im"]);
    for case in g["matrix"].as_array().unwrap() {
        let m = floats(&case["matrix"]);
        let matrix = [[m[0], m[1], m[2]], [m[3], m[4], m[5]], [m[6], m[7], m[8]]];
        let mut ours = input.clone();
        rotate_alm(&mut ours, &Rotator::from_matrix(matrix)).unwrap();
        let want = alm_of(lmax, &case["re"], &case["im"]);
        assert_close(&ours, &want, case["name"].as_str().unwrap());
    }
}

#[test]
fn rotate_alm_refuses_mmax_below_lmax() {
    let mut alm = Alm::zeros(8, 4);
    let err = rotate_alm_euler(&mut alm, 0.1, 0.2, 0.3).unwrap_err();
    assert!(err.to_string().contains("mmax"), "{err}");
}

#[test]
fn rotate_map_alms_matches_healpy() {
    let g = golden_gz("rotate_alm.json.gz");
    let section = &g["map"];
    let nside = section["nside"].as_u64().unwrap();
    let fields = section["tqu"]
        .as_array()
        .unwrap()
        .iter()
        .zip(["T", "Q", "U"])
        .map(|(v, name)| (name, floats(v)))
        .collect();
    let map = SkyMap::new(Healpix::ring(nside).unwrap(), fields).unwrap();
    let rotator = Rotator::coord(CoordSys::Galactic, CoordSys::Equatorial);
    let turned = rotate_map_alms(&map, &rotator, &Map2AlmOptions::default()).unwrap();
    for (k, field) in turned.fields.iter().enumerate() {
        let want = floats(&section["rotated"][k]);
        assert_normwise(&format!("field {k}"), &field.values, &want, TOL);
    }
}

#[test]
fn rotating_there_and_back_returns_a_well_sampled_map() {
    // T, E, B up to l = 16 at nside 16, where map2alm's quadrature (iter 3) is nearly exact.
    let lmax = 16;
    let alms: Vec<Alm> = (0..3)
        .map(|k| {
            let mut a = Alm::zeros(lmax, lmax);
            for l in (if k == 0 { 0 } else { 2 })..=lmax {
                for m in 0..=l {
                    let x = (l * 13 + m * 7 + k * 5) as f64;
                    a.set(
                        l,
                        m,
                        Complex64::new(x.sin(), if m == 0 { 0.0 } else { x.cos() }),
                    );
                }
            }
            a
        })
        .collect();
    let map = alm2map(&alms, 16).unwrap();
    let opts = Map2AlmOptions {
        lmax: Some(lmax),
        ..Map2AlmOptions::default()
    };
    let rotator = Rotator::coord(CoordSys::Ecliptic, CoordSys::Galactic);
    let turned = rotate_map_alms(&map, &rotator, &opts).unwrap();
    let back = rotate_map_alms(&turned, &rotator.inverse(), &opts).unwrap();
    for (a, b) in back.fields.iter().zip(&map.fields) {
        let scale = b.values.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let worst = a
            .values
            .iter()
            .zip(&b.values)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(
            worst < 1e-6 * scale,
            "{}: round trip {worst:e} of {scale}",
            b.name
        );
    }
}
