//! Times tessera-healpix on the inputs `bench/healpix_vs_healpy.py` wrote, and prints one JSON
//! object: for each case the median seconds and a checksum of the result, which the script
//! compares with healpy's so that both sides provably computed the same thing.
//!
//! Only the computation is timed; checksums are taken afterwards. Per-pixel primitives run on
//! one thread ([`Parallelism::Serial`]); the whole-map tables use all cores.
//!
//! Usage: `healpix_timing DIR REPEATS`

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde_json::{Map, Value, json};
use tessera_bench::{median_time, read_f64, read_u64};
use tessera_healpix::{CoordSys, Healpix, InterpWeights, Parallelism, QueryMode, Rotator, Scheme};

const NSIDE: u64 = 1024;
/// Discs per query_disc case, and their radius (1 degree) in radians.
const DISCS: usize = 1000;
const DISC_RADIUS: f64 = 0.017453292519943295;

fn sum_u64(v: &[u64]) -> f64 {
    v.iter().map(|&p| p as f64).sum()
}

fn sum_i64(v: &[i64], sentinel: i64) -> f64 {
    v.iter()
        .map(|&q| if q == sentinel { -1.0 } else { q as f64 })
        .sum()
}

struct Inputs {
    theta: Vec<f64>,
    phi: Vec<f64>,
    pix: Vec<u64>,
}

fn time_scheme(hp: &Healpix, inp: &Inputs, repeats: usize, out: &mut Map<String, Value>) {
    let tag = if hp.scheme() == Scheme::Ring {
        "ring"
    } else {
        "nest"
    };
    let n = inp.theta.len();
    let mut record = |name: &str, seconds: f64, checksum: f64| {
        out.insert(
            format!("{name}_{tag}"),
            json!({ "seconds": seconds, "checksum": checksum }),
        );
    };
    let serial = Parallelism::Serial;

    let mut pix = vec![0u64; n];
    let (t, _) = median_time(repeats, || {
        hp.ang2pix_into(&inp.theta, &inp.phi, &mut pix, serial)
    });
    record("ang2pix", t, sum_u64(&pix));

    let (mut th, mut ph) = (vec![0.0; n], vec![0.0; n]);
    let (t, _) = median_time(repeats, || {
        hp.pix2ang_into(&inp.pix, &mut th, &mut ph, serial)
    });
    record(
        "pix2ang",
        t,
        th.iter().sum::<f64>() + ph.iter().sum::<f64>(),
    );

    let mut vecs = vec![[0.0; 3]; n];
    let (t, _) = median_time(repeats, || hp.pix2vec_into(&inp.pix, &mut vecs, serial));
    record("pix2vec", t, vecs.iter().map(|v| v[0] + v[1] + v[2]).sum());

    let (t, _) = median_time(repeats, || hp.vec2pix_into(&vecs, &mut pix, serial));
    record("vec2pix", t, sum_u64(&pix));

    let mut nb = vec![[0i64; 8]; n];
    let (t, _) = median_time(repeats, || hp.neighbours_into(&inp.pix, &mut nb, serial));
    record(
        "neighbours",
        t,
        nb.iter().flatten().map(|&q| q as f64).sum(),
    );

    let mut w = vec![InterpWeights::default(); n];
    let (t, _) = median_time(repeats, || {
        hp.interp_weights_into(&inp.theta, &inp.phi, &mut w, serial)
    });
    record(
        "interp_weights",
        t,
        w.iter().flat_map(|w| w.pixels).map(|p| p as f64).sum(),
    );

    let corners_n = n / 10;
    let mut corners = vec![[[0.0; 3]; 4]; corners_n];
    let (t, _) = median_time(repeats, || {
        for (c, &p) in corners.iter_mut().zip(&inp.pix[..corners_n]) {
            *c = hp.corners(p).expect("valid pixel");
        }
    });
    record("boundaries", t, corners.iter().flatten().flatten().sum());

    for (mode, name) in [
        (QueryMode::Exclusive, "query_disc"),
        (QueryMode::inclusive(), "query_disc_inclusive"),
    ] {
        let mut total = 0usize;
        let (t, _) = median_time(repeats, || {
            total = 0;
            for (&t, &p) in inp.theta.iter().zip(&inp.phi).take(DISCS) {
                let v = tessera_healpix::ang2vec(t, p).expect("valid");
                total += hp.query_disc(v, DISC_RADIUS, mode).expect("valid").len();
            }
        });
        record(name, t, total as f64);
    }

    // The same quadrilaterals as the script's polygon_corners.
    let d = 0.5f64.to_radians();
    let corners: Vec<[[f64; 3]; 4]> = inp
        .theta
        .iter()
        .zip(&inp.phi)
        .take(DISCS)
        .map(|(&t, &p)| {
            let a = t.clamp(2.0 * d, std::f64::consts::PI - 2.0 * d);
            let v = |t: f64, p: f64| tessera_healpix::ang2vec(t, p).expect("valid");
            [
                v(a - d, p - d),
                v(a - d, p + d),
                v(a + d, p + d),
                v(a + d, p - d),
            ]
        })
        .collect();
    for (mode, name) in [
        (QueryMode::Exclusive, "query_polygon"),
        (QueryMode::inclusive(), "query_polygon_inclusive"),
    ] {
        let mut total = 0usize;
        let (t, _) = median_time(repeats, || {
            total = corners
                .iter()
                .map(|c| hp.query_polygon(c, mode).expect("valid").len())
                .sum();
        });
        record(name, t, total as f64);
    }
    let values: Vec<f64> = (0..hp.npix()).map(|p| (p as f64).sin()).collect();
    let mut interpolated = vec![0.0; n];
    let (t, _) = median_time(repeats, || {
        hp.interpolate_into(&values, &inp.theta, &inp.phi, &mut interpolated, serial)
    });
    record("get_interp_val", t, interpolated.iter().sum());

    // Whole-map tables on all cores: fresh i64 (healpy's format), fresh i32, and refilled buffer.
    let tables = repeats.min(3);
    let (t, table) = median_time(tables, || hp.neighbour_table());
    record("neighbour_table", t, sum_i64(table.as_slice(), -1));
    let mut buffer = table.into_vec();
    let (t, _) = median_time(tables, || hp.neighbour_table_into(&mut buffer));
    record("neighbour_table_reused", t, sum_i64(&buffer, -1));
    drop(buffer);
    let (t, table) = median_time(tables, || hp.neighbour_table_of::<i32>().expect("fits"));
    let wide: Vec<i64> = table.as_slice().iter().map(|&q| q as i64).collect();
    record("neighbour_table_i32", t, sum_i64(&wide, -1));
    drop((table, wide));
    let (t, table) = median_time(tables, || hp.stencil_table());
    record(
        "stencil_table",
        t,
        sum_i64(table.as_slice(), table.sentinel()),
    );
    drop(table);
    let (t, table) = median_time(tables, || hp.stencil_table_of::<i32>().expect("fits"));
    let wide: Vec<i64> = table.as_slice().iter().map(|&q| q as i64).collect();
    record(
        "stencil_table_i32",
        t,
        sum_i64(&wide, table.sentinel() as i64),
    );
}

fn main() -> Result<()> {
    tessera_bench::keep_freed_memory_warm();
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().context("usage: healpix_timing DIR REPEATS")?);
    let repeats: usize = args.next().map_or(Ok(5), |s| s.parse())?;
    let inputs = Inputs {
        theta: read_f64(&dir.join("theta.f64"))?,
        phi: read_f64(&dir.join("phi.f64"))?,
        pix: read_u64(&dir.join("pix.i64"))?,
    };
    let mut out = Map::new();
    for scheme in [Scheme::Ring, Scheme::Nested] {
        time_scheme(&Healpix::new(NSIDE, scheme)?, &inputs, repeats, &mut out);
    }
    let rotator = Rotator::coord(CoordSys::Equatorial, CoordSys::Galactic);
    let mut turned = vec![(0.0, 0.0); inputs.theta.len()];
    let (t, _) = median_time(repeats, || {
        for ((o, &t), &p) in turned.iter_mut().zip(&inputs.theta).zip(&inputs.phi) {
            *o = rotator.rotate_ang(t, p);
        }
    });
    out.insert(
        "rotator_c2g_all".into(),
        json!({ "seconds": t, "checksum": turned.iter().map(|(a, b)| a + b).sum::<f64>() }),
    );
    let hp = Healpix::nested(NSIDE)?;
    let all: Vec<u64> = (0..hp.npix()).collect();
    let mut conv = vec![0u64; all.len()];
    let (t, _) = median_time(repeats, || {
        hp.ring2nest_into(&all, &mut conv, Parallelism::Serial)
    });
    out.insert(
        "ring2nest_all".into(),
        json!({ "seconds": t, "checksum": sum_u64(&conv) }),
    );
    let (t, _) = median_time(repeats, || {
        hp.nest2ring_into(&all, &mut conv, Parallelism::Serial)
    });
    out.insert(
        "nest2ring_all".into(),
        json!({ "seconds": t, "checksum": sum_u64(&conv) }),
    );
    println!("{}", Value::Object(out));
    Ok(())
}
