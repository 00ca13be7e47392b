//! scratch
use std::time::Instant;
use tessera_healpix::{Healpix, Parallelism, Scheme};
fn main() {
    let pix: Vec<u64> = std::fs::read("bench/out/pix.i64").unwrap().chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap()) as u64).collect();
    let n = pix.len();
    let mut v = vec![[0f64; 3]; n];
    let mut out = vec![0u64; n];
    for scheme in [Scheme::Ring, Scheme::Nested] {
        let hp = Healpix::new(1024, scheme).unwrap();
        hp.pix2vec_into(&pix, &mut v, Parallelism::Serial).unwrap();
        let mut ts = vec![];
        for _ in 0..15 {
            let t = Instant::now();
            hp.vec2pix_into(&v, &mut out, Parallelism::Serial).unwrap();
            ts.push(t.elapsed().as_secs_f64());
        }
        ts.sort_by(f64::total_cmp);
        println!("{scheme} vec2pix {:.1} ms", ts[7] * 1e3);
    }
}
