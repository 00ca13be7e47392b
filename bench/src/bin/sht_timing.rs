//! Times tessera-sky's spherical harmonic transforms and prints one JSON object: per case the
//! median seconds and a checksum that `bench/sht_vs_healpy.py` compares with healpy's.
//!
//! The coefficients are the golden script's formula (`a_lm = (sin(0.37 l + 0.11 m + 0.5) +
//! i cos(0.29 l − 0.53 m + phase)) / (1 + l)`), `lmax = 3 nside − 1`, iter 0.
//!
//! Usage: `sht_timing THREADS REPEATS NSIDE...`; with `SHT_TIMING_ONLY=map2alm_TQU` (any part of
//! a case's name) only the matching cases are timed (for profiling one of them).
//!
//! THREADS may list several pool sizes (`1,2`): each case's calls then alternate between the
//! pools, call by call, so that every size is timed in the same seconds of a machine whose speed
//! drifts (a shared virtual machine's does, by up to 2× from minute to minute), and the object
//! holds one set of cases per size under its thread count (`{"1": {…}, "2": {…}}`).

use anyhow::{Context, Result};
use rayon::ThreadPool;
use serde_json::{Map, Value, json};
use tessera_bench::{golden_alm, median};
use tessera_sky::sht::{Alm, ShtPlan};

fn sum_sq(map: &[f64]) -> f64 {
    map.iter().map(|v| v * v).sum()
}

fn alm_sum_sq(alm: &Alm) -> f64 {
    alm.values().iter().map(|a| a.norm_sqr()).sum()
}

/// Median seconds of `repeats` calls of `f` in each pool, after one warm-up call in each; the
/// calls alternate between the pools. Returns the medians (in the pools' order) and the last
/// output.
fn interleaved_medians<T: Send>(
    pools: &[ThreadPool],
    repeats: usize,
    f: impl Fn() -> T + Sync,
) -> (Vec<f64>, T) {
    let mut last = None;
    for pool in pools {
        last = Some(pool.install(&f));
    }
    let mut times = vec![Vec::with_capacity(repeats); pools.len()];
    for _ in 0..repeats {
        for (pool, times) in pools.iter().zip(&mut times) {
            let start = std::time::Instant::now();
            last = Some(std::hint::black_box(pool.install(&f)));
            times.push(start.elapsed().as_secs_f64());
        }
    }
    let medians = times.into_iter().map(median).collect();
    (medians, last.expect("at least one pool"))
}

fn main() -> Result<()> {
    tessera_bench::keep_freed_memory_warm();
    let usage = "usage: sht_timing THREADS[,THREADS…] REPEATS NSIDE...";
    let mut args = std::env::args().skip(1);
    let threads: Vec<usize> = args
        .next()
        .context(usage)?
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let repeats: usize = args.next().context(usage)?.parse()?;
    anyhow::ensure!(repeats > 0 && !threads.is_empty(), "{usage}");
    let nsides: Vec<u64> = args.map(|s| s.parse()).collect::<Result<_, _>>()?;
    let pools = threads
        .iter()
        .map(|&n| rayon::ThreadPoolBuilder::new().num_threads(n).build())
        .collect::<Result<Vec<_>, _>>()?;
    let only = std::env::var("SHT_TIMING_ONLY").unwrap_or_default();
    // Cases left out still run once: later cases take their outputs as inputs.
    let repeats_of = |case: &str| if case.contains(&only) { repeats } else { 1 };
    let mut out: Vec<Map<String, Value>> = vec![Map::new(); pools.len()];
    let mut record = |name: String, seconds: Vec<f64>, checksum: f64| {
        for (o, t) in out.iter_mut().zip(seconds) {
            o.insert(name.clone(), json!({"seconds": t, "checksum": checksum}));
        }
    };
    for nside in nsides {
        let lmax = 3 * nside as usize - 1;
        let plan = ShtPlan::new(nside, lmax, lmax)?;
        let alm = golden_alm(lmax, 0.0, false);
        let (t, map) = interleaved_medians(&pools, repeats_of("alm2map_T"), || {
            plan.alm2map(&alm).expect("valid")
        });
        record(format!("alm2map_T_{nside}"), t, sum_sq(&map));
        let (t, back) = interleaved_medians(&pools, repeats_of("map2alm_T"), || {
            plan.map2alm(&map, 0).expect("valid")
        });
        record(format!("map2alm_T_{nside}"), t, alm_sum_sq(&back));
        // T, Q, U as healpy does them: one spin-0 and one spin-2 transform.
        let (e, b) = (golden_alm(lmax, 1.0, true), golden_alm(lmax, 2.0, true));
        let (t, maps) = interleaved_medians(&pools, repeats_of("alm2map_TQU"), || {
            let t = plan.alm2map(&alm).expect("valid");
            let [q, u] = plan.alm2map_spin2(&e, &b).expect("valid");
            [t, q, u]
        });
        let sum: f64 = maps.iter().map(|m| sum_sq(m)).sum();
        record(format!("alm2map_TQU_{nside}"), t, sum);
        let (t, alms) = interleaved_medians(&pools, repeats_of("map2alm_TQU"), || {
            let t = plan.map2alm(&maps[0], 0).expect("valid");
            let [e, b] = plan.map2alm_spin2(&maps[1], &maps[2], 0).expect("valid");
            [t, e, b]
        });
        let sum: f64 = alms.iter().map(alm_sum_sq).sum();
        record(format!("map2alm_TQU_{nside}"), t, sum);
    }
    let kernels = json!(tessera_sky::sht::kernel_flavour());
    let result = if let [one] = &mut out[..] {
        one.insert("kernels".into(), kernels);
        Value::Object(std::mem::take(one))
    } else {
        let mut by_threads: Map<String, Value> = threads
            .iter()
            .zip(out)
            .map(|(n, o)| (n.to_string(), Value::Object(o)))
            .collect();
        by_threads.insert("kernels".into(), kernels);
        Value::Object(by_threads)
    };
    println!("{result}");
    Ok(())
}
