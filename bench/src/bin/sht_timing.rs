//! Times tessera-sky's spherical harmonic transforms and prints one JSON object: per case the
//! median seconds and a checksum that `bench/sht_vs_healpy.py` compares with healpy's.
//!
//! The coefficients are the golden script's formula (`a_lm = (sin(0.37 l + 0.11 m + 0.5) +
//! i cos(0.29 l − 0.53 m + phase)) / (1 + l)`), `lmax = 3 nside − 1`, iter 0.
//!
//! Usage: `sht_timing THREADS REPEATS NSIDE...`; with `SHT_TIMING_ONLY=map2alm_TQU` (any part of
//! a case's name) only the matching cases are timed (for profiling one of them).

use anyhow::{Context, Result};
use serde_json::{Map, Value, json};
use tessera_bench::{golden_alm, median_time};
use tessera_sky::sht::{Alm, ShtPlan};

fn sum_sq(map: &[f64]) -> f64 {
    map.iter().map(|v| v * v).sum()
}

fn alm_sum_sq(alm: &Alm) -> f64 {
    alm.values().iter().map(|a| a.norm_sqr()).sum()
}

fn main() -> Result<()> {
    tessera_bench::keep_freed_memory_warm();
    let usage = "usage: sht_timing THREADS REPEATS NSIDE...";
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().context(usage)?.parse()?;
    let repeats: usize = args.next().context(usage)?.parse()?;
    let nsides: Vec<u64> = args.map(|s| s.parse()).collect::<Result<_, _>>()?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let only = std::env::var("SHT_TIMING_ONLY").unwrap_or_default();
    // Cases left out still run once: later cases take their outputs as inputs.
    let repeats_of = |case: &str| if case.contains(&only) { repeats } else { 1 };
    let mut out = Map::new();
    pool.install(|| -> Result<()> {
        for nside in nsides {
            let lmax = 3 * nside as usize - 1;
            let plan = ShtPlan::new(nside, lmax, lmax)?;
            let alm = golden_alm(lmax, 0.0, false);
            let (t, map) = median_time(repeats_of("alm2map_T"), || {
                plan.alm2map(&alm).expect("valid")
            });
            out.insert(
                format!("alm2map_T_{nside}"),
                json!({"seconds": t, "checksum": sum_sq(&map)}),
            );
            let (t, back) = median_time(repeats_of("map2alm_T"), || {
                plan.map2alm(&map, 0).expect("valid")
            });
            out.insert(
                format!("map2alm_T_{nside}"),
                json!({"seconds": t, "checksum": alm_sum_sq(&back)}),
            );
            // T, Q, U as healpy does them: one spin-0 and one spin-2 transform.
            let (e, b) = (golden_alm(lmax, 1.0, true), golden_alm(lmax, 2.0, true));
            let (t, maps) = median_time(repeats_of("alm2map_TQU"), || {
                let t = plan.alm2map(&alm).expect("valid");
                let [q, u] = plan.alm2map_spin2(&e, &b).expect("valid");
                [t, q, u]
            });
            let sum: f64 = maps.iter().map(|m| sum_sq(m)).sum();
            out.insert(
                format!("alm2map_TQU_{nside}"),
                json!({"seconds": t, "checksum": sum}),
            );
            let (t, alms) = median_time(repeats_of("map2alm_TQU"), || {
                let t = plan.map2alm(&maps[0], 0).expect("valid");
                let [e, b] = plan.map2alm_spin2(&maps[1], &maps[2], 0).expect("valid");
                [t, e, b]
            });
            let sum: f64 = alms.iter().map(alm_sum_sq).sum();
            out.insert(
                format!("map2alm_TQU_{nside}"),
                json!({"seconds": t, "checksum": sum}),
            );
        }
        Ok(())
    })?;
    out.insert("kernels".into(), json!(tessera_sky::sht::kernel_flavour()));
    println!("{}", Value::Object(out));
    Ok(())
}
