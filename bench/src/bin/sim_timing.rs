//! The cost of one simulated map end to end (synfast + noise + mask + FITS write) at several
//! nside, single-threaded: what `tessera sim` spends per map. Prints one JSON object.
//!
//! The recipe: NNhealpix's peak spectrum as pure E modes (a T, Q, U map), `l_p ~ U(5, 2 nside)`,
//! 10 μK·arcmin white noise, a 20° galactic cut, float32 columns.
//!
//! Usage: `sim_timing REPEATS NSIDE...`

use anyhow::{Context, Result};
use serde_json::{Map, Value, json};
use tessera_bench::median_time;
use tessera_healpix::Healpix;
use tessera_sky::sim::{PeakField, PeakSpectrum, SimConfig, SimTask, Simulator, galactic_cut};
use tessera_sky::{WriteOptions, write_map};

fn main() -> Result<()> {
    tessera_bench::keep_freed_memory_warm();
    let usage = "usage: sim_timing REPEATS NSIDE...";
    let mut args = std::env::args().skip(1);
    let repeats: usize = args.next().context(usage)?.parse()?;
    let nsides: Vec<u64> = args.map(|s| s.parse()).collect::<Result<_, _>>()?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let dir = tempfile::tempdir()?;
    let mut out = Map::new();
    pool.install(|| -> Result<()> {
        for nside in nsides {
            let sim = Simulator::new(SimConfig {
                task: SimTask::EllPeak {
                    field: PeakField::EModes,
                    shape: PeakSpectrum::default(),
                    range: (5.0, 2.0 * nside as f64),
                },
                nside,
                supersample: 1,
                pixwin: false,
                lmax: None,
                seed: 1,
                noise_uk_arcmin: 10.0,
                fwhm: 0.0,
                mask: Some(galactic_cut(Healpix::ring(nside)?, 20.0)),
            })?;
            let path = dir.path().join(format!("map_{nside}.fits"));
            let opts = WriteOptions {
                overwrite: true,
                ..Default::default()
            };
            let mut i = 0;
            let (t, _) = median_time(repeats, || {
                i += 1;
                let s = sim.simulate(i).expect("valid");
                write_map(&path, &s.map, &opts).expect("writable");
            });
            out.insert(format!("sim_TQU_{nside}"), json!({ "seconds": t }));
        }
        Ok(())
    })?;
    println!("{}", Value::Object(out));
    Ok(())
}
