//! Peak memory and time of one spherical harmonic transform, plan included, in a fresh process:
//! what `bench/sht_memory.py` sets beside ducc0's. Prints one JSON object.
//!
//! The inputs are made first (the benchmarks' golden coefficients, or maps from a cheap
//! formula: the values do not change the memory or the time); then the kernel's peak-RSS mark
//! is reset (`/proc/self/clear_refs`, Linux), the plan is built and one transform runs; `extra_bytes` is the peak
//! resident size during plan and transform minus the resident size before them, so it counts
//! the plan's tables and buffers and the output.
//!
//! Usage: `sht_memory CASE NSIDE LMAX THREADS`, CASE one of `alm2map_T`, `map2alm_T`,
//! `alm2map_spin2`, `map2alm_spin2`.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::json;
use tessera_bench::{golden_alm, proc_status_kib};
use tessera_sky::sht::{Alm, ShtPlan};

fn map(npix: usize, phase: f64) -> Vec<f64> {
    (0..npix).map(|p| (1e-3 * p as f64 + phase).sin()).collect()
}

/// A field of `/proc/self/status` in bytes.
fn status_bytes(field: &str) -> Result<u64> {
    proc_status_kib(field)
        .map(|kib| kib * 1024)
        .with_context(|| format!("no {field} in /proc/self/status"))
}

fn main() -> Result<()> {
    let usage = "usage: sht_memory CASE NSIDE LMAX THREADS";
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [case, nside, lmax, threads] = args.as_slice() else {
        bail!(usage);
    };
    let (nside, lmax, threads): (u64, usize, usize) =
        (nside.parse()?, lmax.parse()?, threads.parse()?);
    let npix = 12 * (nside as usize).pow(2);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    // Inputs first, outside the measured span.
    let (alms, maps) = match case.as_str() {
        "alm2map_T" => (vec![golden_alm(lmax, 0.0, false)], vec![]),
        "alm2map_spin2" => (
            vec![golden_alm(lmax, 1.0, true), golden_alm(lmax, 2.0, true)],
            vec![],
        ),
        "map2alm_T" => (vec![], vec![map(npix, 0.0)]),
        "map2alm_spin2" => (vec![], vec![map(npix, 1.0), map(npix, 2.0)]),
        other => bail!("unknown case {other:?}; {usage}"),
    };
    std::fs::write("/proc/self/clear_refs", "5").context("resetting the peak RSS mark")?;
    let before = status_bytes("VmRSS:")?;
    let start = Instant::now();
    let checksum = pool.install(|| -> Result<f64> {
        let plan = ShtPlan::new(nside, lmax, lmax)?;
        let sum_maps = |ms: &[Vec<f64>]| ms.iter().flatten().map(|v| v * v).sum::<f64>();
        let sum_alms = |as_: &[Alm]| {
            as_.iter()
                .flat_map(|a| a.values())
                .map(|a| a.norm_sqr())
                .sum::<f64>()
        };
        Ok(match case.as_str() {
            "alm2map_T" => sum_maps(&[plan.alm2map(&alms[0])?]),
            "alm2map_spin2" => sum_maps(&plan.alm2map_spin2(&alms[0], &alms[1])?),
            "map2alm_T" => sum_alms(&[plan.map2alm(&maps[0], 0)?]),
            _ => sum_alms(&plan.map2alm_spin2(&maps[0], &maps[1], 0)?),
        })
    })?;
    let seconds = start.elapsed().as_secs_f64();
    let peak = status_bytes("VmHWM:")?;
    println!(
        "{}",
        json!({
            "case": case, "nside": nside, "lmax": lmax, "threads": threads,
            "seconds": seconds, "rss_before_bytes": before, "peak_bytes": peak,
            "extra_bytes": peak.saturating_sub(before), "checksum": checksum,
            "kernels": tessera_sky::sht::kernel_flavour(),
        })
    );
    Ok(())
}
