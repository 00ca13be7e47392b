//! Times tessera-sky on the FITS files `bench/sky_vs_healpy.py` wrote and prints one JSON object:
//! per case the median seconds and a checksum (sum of the seen values of the first field), which
//! the script compares with healpy's.
//!
//! Usage: `sky_timing DIR REPEATS`

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde_json::{Map, Value, json};
use tessera_bench::median_time;
use tessera_healpix::Scheme;
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
    println!("{}", Value::Object(out));
    Ok(())
}
