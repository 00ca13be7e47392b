//! scratch
use std::time::Instant;
use tessera_healpix::{Healpix, Scheme};
fn main() {
    for scheme in [Scheme::Ring, Scheme::Nested] {
        let hp = Healpix::new(1024, scheme).unwrap();
        let mut buf = vec![0i64; hp.npix() as usize * 8];
        let mut ts = vec![];
        for _ in 0..7 {
            let t = Instant::now();
            hp.neighbour_table_into(&mut buf).unwrap();
            ts.push(t.elapsed().as_secs_f64());
        }
        ts.sort_by(f64::total_cmp);
        println!("{scheme} table into {:.1} ms", ts[3] * 1e3);
    }
}
