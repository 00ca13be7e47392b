//! Invariants of the HEALPix geometry, exhaustive at small nside and random at large nside.

use proptest::prelude::*;
use tessera_healpix::{Healpix, MISSING, Parallelism, Scheme};

fn geometries(max_nside: u64) -> Vec<Healpix> {
    let mut out = Vec::new();
    for nside in 1..=max_nside {
        out.push(Healpix::ring(nside).unwrap());
        if nside.is_power_of_two() {
            out.push(Healpix::nested(nside).unwrap());
        }
    }
    out
}

#[test]
fn neighbour_relation_is_symmetric_exhaustively_to_nside_32() {
    for hp in geometries(32) {
        let table = hp.neighbour_table();
        for a in 0..hp.npix() {
            for &b in table.row(a).iter().filter(|&&b| b != MISSING) {
                assert!(
                    table.row(b as u64).contains(&(a as i64)),
                    "nside {} {}: {b} is a neighbour of {a} but not vice versa",
                    hp.nside(),
                    hp.scheme()
                );
            }
        }
    }
}

#[test]
fn ring_nest_round_trip_exhaustive_to_nside_256() {
    let mut nside = 1;
    while nside <= 256 {
        let hp = Healpix::nested(nside).unwrap();
        let all: Vec<u64> = (0..hp.npix()).collect();
        let mut nest = vec![0; all.len()];
        let mut back = vec![0; all.len()];
        hp.ring2nest_into(&all, &mut nest, Parallelism::Rayon)
            .unwrap();
        hp.nest2ring_into(&nest, &mut back, Parallelism::Rayon)
            .unwrap();
        assert_eq!(back, all, "nside {nside}");
        let mut seen = vec![false; all.len()];
        nest.iter().for_each(|&p| seen[p as usize] = true);
        assert!(
            seen.iter().all(|&s| s),
            "ring2nest is a permutation at nside {nside}"
        );
        nside *= 2;
    }
}

#[test]
fn pix2ang_then_ang2pix_is_identity_exhaustively_to_nside_64() {
    for hp in geometries(64) {
        for p in 0..hp.npix() {
            let (theta, phi) = hp.pix2ang(p).unwrap();
            assert_eq!(
                hp.ang2pix(theta, phi).unwrap(),
                p,
                "nside {} {}",
                hp.nside(),
                hp.scheme()
            );
            assert_eq!(hp.vec2pix(hp.pix2vec(p).unwrap()).unwrap(), p);
        }
    }
}

#[test]
fn stencil_rows_hold_each_pixel_once_and_the_centre_in_the_middle() {
    for hp in geometries(32) {
        let st = hp.stencil_table();
        for p in 0..hp.npix() {
            let row = st.row(p);
            assert_eq!(row[4], p as i64);
            let mut real: Vec<i64> = row
                .iter()
                .copied()
                .filter(|&q| q != st.sentinel())
                .collect();
            let n = real.len();
            real.sort_unstable();
            real.dedup();
            assert_eq!(
                real.len(),
                n,
                "nside {} {} pixel {p}: {row:?}",
                hp.nside(),
                hp.scheme()
            );
            assert!(n >= 7 || hp.nside() == 1);
        }
    }
}

fn geometry_strategy() -> impl Strategy<Value = Healpix> {
    (0u32..=29, any::<bool>(), 1u64..2000).prop_map(|(order, nested, odd)| {
        if nested {
            Healpix::nested(1 << order).unwrap()
        } else if order % 2 == 0 {
            Healpix::ring(1 << order).unwrap()
        } else {
            Healpix::ring(odd).unwrap()
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_pixels_round_trip_through_angles(hp in geometry_strategy(), frac in 0.0f64..1.0) {
        let p = ((hp.npix() as f64 * frac) as u64).min(hp.npix() - 1);
        let (theta, phi) = hp.pix2ang(p).unwrap();
        prop_assert_eq!(hp.ang2pix(theta, phi).unwrap(), p);
        let xyf = hp.pix2xyf(p).unwrap();
        prop_assert_eq!(hp.xyf2pix(xyf).unwrap(), p);
    }

    #[test]
    fn random_neighbours_are_symmetric(hp in geometry_strategy(), frac in 0.0f64..1.0) {
        let a = ((hp.npix() as f64 * frac) as u64).min(hp.npix() - 1);
        let nb = hp.neighbours(a).unwrap();
        prop_assert!(nb.count() >= 6);
        for b in nb.iter() {
            prop_assert!(hp.neighbours(b).unwrap().iter().any(|q| q == a));
        }
    }

    #[test]
    fn random_pixels_are_children_of_their_parents(order in 1u32..=29, frac in 0.0f64..1.0,
                                                   up in 1u32..=4, ring in any::<bool>()) {
        let scheme = if ring { Scheme::Ring } else { Scheme::Nested };
        let hp = Healpix::new(1 << order, scheme).unwrap();
        let coarse_nside = 1u64 << order.saturating_sub(up);
        let p = ((hp.npix() as f64 * frac) as u64).min(hp.npix() - 1);
        let parent = hp.parent(p, coarse_nside).unwrap();
        let coarse = Healpix::new(coarse_nside, scheme).unwrap();
        if hp.nside() / coarse_nside <= 16 {
            prop_assert!(coarse.children(parent, hp.nside()).unwrap().any(|c| c == p));
        }
        let (theta, phi) = hp.pix2ang(p).unwrap();
        prop_assert_eq!(coarse.ang2pix(theta, phi).unwrap(), parent);
    }

    #[test]
    fn ang2pix_of_random_directions_lies_in_a_pixel_whose_disc_contains_it(
        hp in geometry_strategy(), z in -1.0f64..=1.0, phi in -10.0f64..10.0) {
        let theta = z.acos();
        let p = hp.ang2pix(theta, phi).unwrap();
        let c = hp.pix2vec(p).unwrap();
        let s = theta.sin();
        let v = [s * phi.cos(), s * phi.sin(), z];
        // atan2(|c x v|, c . v) stays accurate for the tiny pixels of nside 2^29.
        let cross = [c[1] * v[2] - c[2] * v[1], c[2] * v[0] - c[0] * v[2], c[0] * v[1] - c[1] * v[0]];
        let dot = c[0] * v[0] + c[1] * v[1] + c[2] * v[2];
        let angle = (cross[0].powi(2) + cross[1].powi(2) + cross[2].powi(2)).sqrt().atan2(dot);
        prop_assert!(angle <= hp.max_pixrad() * (1.0 + 1e-6) + 1e-15, "angle {angle}");
    }
}
