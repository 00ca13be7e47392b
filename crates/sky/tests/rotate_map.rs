//! Maps turned through their pixels against healpy 1.20.1's `Rotator.rotate_map_pixel`
//! (`data/golden/rotator.json.gz`, `scripts/golden/rotator_golden.py`).

mod common;

use std::io::Read;

use common::floats;
use serde_json::Value;
use tessera_healpix::{CoordSys, EulerType, Healpix, Rotator};
use tessera_sky::{SkyMap, UNSEEN, is_unseen};

fn golden() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/golden/rotator.json.gz"
    );
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("golden file"))
        .read_to_string(&mut text)
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The golden script's T, Q, U formulas at nside 16, RING.
fn formula_map(nside: u64) -> SkyMap {
    let hp = Healpix::ring(nside).unwrap();
    let (mut t, mut q, mut u) = (Vec::new(), Vec::new(), Vec::new());
    for p in 0..hp.npix() {
        let (th, ph) = hp.pix2ang(p).unwrap();
        t.push((3.0 * th).sin() * (2.0 * ph).cos() + 0.5 * th.cos());
        q.push((2.0 * th).cos() * ph.sin());
        u.push(th.sin().powi(2) * (3.0 * ph).cos());
    }
    SkyMap::new(hp, vec![("T", t), ("Q", q), ("U", u)]).unwrap()
}

#[test]
fn rotate_pixels_matches_healpy() {
    let g = golden();
    let section = &g["rotate_map_pixel"];
    let map = formula_map(section["nside"].as_u64().unwrap());
    let rotators = [
        (
            "coord C->G",
            Rotator::coord(CoordSys::Equatorial, CoordSys::Galactic),
        ),
        (
            "euler ZYX deg",
            Rotator::euler([10f64, 20.0, 30.0].map(f64::to_radians), EulerType::Zyx),
        ),
    ];
    for (name, r) in rotators {
        let want = &section["maps"][name];
        let turned = map.rotate_pixels(&r).unwrap();
        for (k, field) in turned.fields.iter().enumerate() {
            let expected = floats(&want["iqu"][k]);
            for (p, (a, b)) in field.values.iter().zip(&expected).enumerate() {
                assert!(
                    (a - b).abs() < 1e-10,
                    "{name} field {k} pixel {p}: {a} vs {b}"
                );
            }
        }
        let t_only = SkyMap::new(map.geometry, vec![("T", map.fields[0].values.clone())]).unwrap();
        let expected = floats(&want["t"]);
        for (a, b) in t_only.rotate_pixels(&r).unwrap().fields[0]
            .values
            .iter()
            .zip(&expected)
        {
            assert!((a - b).abs() < 1e-10, "{name} T alone: {a} vs {b}");
        }
    }
}

/// A NESTED map turns like its RING copy; UNSEEN pixels spread to the pixels that read them,
/// instead of mixing -1.6e30 into values; the identity changes nothing.
#[test]
fn rotate_pixels_keeps_the_scheme_and_the_mask() {
    use tessera_healpix::Scheme;
    let ring = formula_map(16);
    let r = Rotator::coord(CoordSys::Equatorial, CoordSys::Galactic);
    let nested = ring
        .reorder(Scheme::Nested)
        .unwrap()
        .rotate_pixels(&r)
        .unwrap();
    assert_eq!(nested.scheme(), Scheme::Nested);
    let back = nested.reorder(Scheme::Ring).unwrap();
    let direct = ring.rotate_pixels(&r).unwrap();
    for (a, b) in back.fields[0].values.iter().zip(&direct.fields[0].values) {
        assert!((a - b).abs() < 1e-12);
    }
    let mut masked = ring.clone();
    masked.fields[0].values[1000] = UNSEEN;
    let turned = masked.rotate_pixels(&r).unwrap();
    let unseen = turned.fields[0]
        .values
        .iter()
        .filter(|v| is_unseen(**v))
        .count();
    assert!(
        (1..=8).contains(&unseen),
        "{unseen} pixels read the masked one"
    );
    assert!(
        turned.fields[0]
            .values
            .iter()
            .all(|v| is_unseen(*v) || v.abs() < 2.0)
    );
    let same = ring.rotate_pixels(&Rotator::identity()).unwrap();
    for (a, b) in same.fields[0].values.iter().zip(&ring.fields[0].values) {
        assert!((a - b).abs() < 1e-12, "identity: {a} vs {b}");
    }
}
