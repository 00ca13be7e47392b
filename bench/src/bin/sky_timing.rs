//! Times tessera-sky on the FITS files `bench/sky_vs_healpy.py` wrote and prints one JSON object:
//! per case the median seconds and a checksum (sum of the seen values of the first field), which
//! the script compares with healpy's.
//!
//! Usage: `sky_timing DIR REPEATS`

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde_json::{Map, Value, json};
use tessera_bench::median_time;
use tessera_healpix::{CoordSys, Rotator, Scheme};
use tessera_sky::sht::{
    Alm, Complex64, LsqOptions, Map2AlmOptions, alm2map_der1, alm2map_spin, bl2beam, gauss_beam,
    map2alm, map2alm_lsq, map2alm_spin, rotate_alm, rotate_map_alms,
};
use tessera_sky::{Dtype, ReadOptions, SkyMap, UdGradeOptions, WriteOptions, read_map, write_map};

fn checksum(map: &SkyMap) -> f64 {
    map.stats(0).sum
}

fn main() -> Result<()> {
    tessera_bench::keep_freed_memory_warm();
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().context("usage: sky_timing DIR REPEATS")?);
    let repeats: usize = args.next().map_or(Ok(3), |s| s.parse())?;
    let mut out = Map::new();
    let mut record = |name: String, seconds: f64, sum: f64| {
        out.insert(name, json!({ "seconds": seconds, "checksum": sum }));
    };
    for (stem, dtype) in [
        ("n1024_f32_T", Dtype::F32),
        ("n1024_f64_T", Dtype::F64),
        ("n1024_f32_TQU", Dtype::F32),
        ("n1024_f64_TQU", Dtype::F64),
        ("n2048_f32_T", Dtype::F32),
        ("n2048_f64_T", Dtype::F64),
        ("n2048_f32_TQU", Dtype::F32),
        ("n2048_f64_TQU", Dtype::F64),
    ] {
        let path = dir.join(format!("{stem}.fits"));
        let (t, map) = median_time(repeats, || {
            read_map(&path, &ReadOptions::default()).expect("readable")
        });
        record(format!("read_{stem}"), t, checksum(&map));
        let target = dir.join(format!("tessera_{stem}.fits"));
        let opts = WriteOptions {
            dtype,
            overwrite: true,
            ..Default::default()
        };
        let (t, _) = median_time(repeats, || {
            write_map(&target, &map, &opts).expect("writable")
        });
        record(
            format!("write_{stem}"),
            t,
            checksum(&read_map(&target, &ReadOptions::default())?),
        );
    }
    let map = read_map(dir.join("n1024_f64_T.fits"), &ReadOptions::default())?;
    for (scheme, tag) in [(Scheme::Ring, "ring"), (Scheme::Nested, "nest")] {
        let m = map.reorder(scheme)?;
        for nside in [512u64, 2048] {
            let (t, low) = median_time(repeats, || {
                m.ud_grade(nside, UdGradeOptions::default()).expect("valid")
            });
            record(format!("ud_grade_1024_to_{nside}_{tag}"), t, checksum(&low));
        }
    }
    let (t, nest) = median_time(repeats, || map.reorder(Scheme::Nested).expect("valid"));
    record("reorder_r2n_1024".into(), t, checksum(&nest));
    // Functions added for issue 32.
    let (t, fit) = median_time(repeats, || map.fit_dipole(0, 20.0).expect("valid"));
    record(
        "fit_dipole_gal_cut20_1024".into(),
        t,
        fit.monopole + fit.dipole.iter().sum::<f64>(),
    );
    let low = map.ud_grade(256, UdGradeOptions::default())?;
    let rotator = Rotator::coord(CoordSys::Galactic, CoordSys::Equatorial);
    let (t, turned) = median_time(repeats, || low.rotate_pixels(&rotator).expect("valid"));
    record("rotate_map_pixel_g2c_256".into(), t, checksum(&turned));
    let bl = gauss_beam(0.5f64.to_radians(), 3000, false).remove(0);
    let theta: Vec<f64> = (0..2000)
        .map(|i| i as f64 * 5f64.to_radians() / 1999.0)
        .collect();
    let (t, beam) = median_time(repeats, || bl2beam(&bl, &theta));
    record("bl2beam_lmax3000_2000_angles".into(), t, beam.iter().sum());
    let lmax = 512;
    let mut alm = Alm::zeros(lmax, lmax);
    for l in 0..=lmax {
        for m in 0..=l {
            let (lf, mf) = (l as f64, m as f64);
            let im = if m > 0 {
                (0.29 * lf - 0.53 * mf).cos()
            } else {
                0.0
            };
            alm.set(l, m, Complex64::new((0.37 * lf + 0.11 * mf).sin(), im));
        }
    }
    let (t, turned) = median_time(repeats, || {
        let mut a = alm.clone();
        rotate_alm(&mut a, &rotator).expect("lmax = mmax");
        a
    });
    record(
        format!("rotate_alm_g2c_lmax{lmax}"),
        t,
        turned.values().iter().map(|v| v.re).sum(),
    );
    let (t, der) = median_time(repeats, || alm2map_der1(&alm, 256).expect("valid"));
    record(
        format!("alm2map_der1_lmax{lmax}_256"),
        t,
        der.fields[1].values.iter().sum(),
    );
    let low = map.ud_grade(128, UdGradeOptions::default())?;
    let lsq = LsqOptions {
        pol: false,
        ..LsqOptions::new(256)
    };
    let (t, fit) = median_time(repeats, || map2alm_lsq(&low, &lsq).expect("valid"));
    record(
        "map2alm_lsq_128_lmax256".into(),
        t,
        fit.alms[0].values().iter().map(|v| v.re).sum(),
    );
    let (t, turned) = median_time(repeats, || {
        rotate_map_alms(&low, &rotator, &Map2AlmOptions::default()).expect("valid")
    });
    record("rotate_map_alms_g2c_128".into(), t, checksum(&turned));
    // Spin-s transforms (spin 3) and ring weights.
    let (t, qu) = median_time(repeats, || {
        alm2map_spin(&[alm.clone(), alm.clone()], 256, 3).expect("valid")
    });
    record(
        format!("alm2map_spin3_lmax{lmax}_256"),
        t,
        qu[0].iter().sum(),
    );
    let mid = map.ud_grade(256, UdGradeOptions::default())?;
    let values = &mid.fields[0].values;
    let (t, gc) = median_time(repeats, || {
        map2alm_spin([values, values], 3, 767, 767).expect("valid")
    });
    record(
        "map2alm_spin3_256".into(),
        t,
        gc[0].values().iter().map(|v| v.re).sum(),
    );
    let weighted = Map2AlmOptions {
        use_weights: true,
        pol: false,
        ..Map2AlmOptions::default()
    };
    let (t, a) = median_time(repeats, || map2alm(&mid, &weighted).expect("valid"));
    record(
        "map2alm_use_weights_256".into(),
        t,
        a[0].values().iter().map(|v| v.re).sum(),
    );
    println!("{}", Value::Object(out));
    Ok(())
}
