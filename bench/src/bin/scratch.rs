//! scratch
use std::time::Instant;
use tessera_healpix::{Healpix, Parallelism};
fn main() {
    let hp = Healpix::nested(1024).unwrap();
    let all: Vec<u64> = (0..hp.npix()).collect();
    let mut out = vec![0u64; all.len()];
    let mut th = vec![0f64; all.len()];
    let mut ph = vec![0f64; all.len()];
    for _ in 0..2 {
        let mut ts = vec![];
        for _ in 0..9 {
            let t = Instant::now();
            hp.ring2nest_into(&all, &mut out, Parallelism::Serial)
                .unwrap();
            ts.push(t.elapsed().as_secs_f64());
        }
        ts.sort_by(f64::total_cmp);
        let mut ts2 = vec![];
        for _ in 0..9 {
            let t = Instant::now();
            hp.pix2ang_into(
                &all[..1_000_000],
                &mut th[..1_000_000],
                &mut ph[..1_000_000],
                Parallelism::Serial,
            )
            .unwrap();
            ts2.push(t.elapsed().as_secs_f64());
        }
        ts2.sort_by(f64::total_cmp);
        println!(
            "ring2nest median {:.1} ms; pix2ang nest 1e6 {:.1} ms",
            ts[4] * 1e3,
            ts2[4] * 1e3
        );
    }
}
