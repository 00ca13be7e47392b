//! scratch
use std::time::Instant;
use tessera_healpix::{Healpix, Parallelism, Scheme};
fn main() {
    let pix: Vec<u64> = std::fs::read("bench/out/pix.i64")
        .unwrap()
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().unwrap()) as u64)
        .collect();
    let n = pix.len();
    let mut th = vec![0f64; n];
    let mut ph = vec![0f64; n];
    let mut v = vec![[0f64; 3]; n];
    for scheme in [Scheme::Ring, Scheme::Nested] {
        let hp = Healpix::new(1024, scheme).unwrap();
        let mut ts = vec![];
        let mut ts2 = vec![];
        for _ in 0..15 {
            let t = Instant::now();
            hp.pix2ang_into(&pix, &mut th, &mut ph, Parallelism::Serial)
                .unwrap();
            ts.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            hp.pix2vec_into(&pix, &mut v, Parallelism::Serial).unwrap();
            ts2.push(t.elapsed().as_secs_f64());
        }
        let mut ts3 = vec![];
        for _ in 0..15 {
            let t = Instant::now();
            for ((a, b), &p) in th.iter_mut().zip(ph.iter_mut()).zip(&pix) {
                (*a, *b) = hp.pix2ang(p).unwrap();
            }
            ts3.push(t.elapsed().as_secs_f64());
        }
        ts3.sort_by(f64::total_cmp);
        println!("plain loop pix2ang {:.1}", ts3[7] * 1e3);
        ts.sort_by(f64::total_cmp);
        ts2.sort_by(f64::total_cmp);
        println!(
            "{scheme} pix2ang {:.1} ms pix2vec {:.1} ms",
            ts[7] * 1e3,
            ts2[7] * 1e3
        );
    }
}
