//! Neighbours of single pixels and whole-map tables: tessera against cdshealpix.

use criterion::{BenchmarkId, Criterion, Throughput};
use tessera_healpix::{Healpix, MISSING, Parallelism, Scheme};

use super::{N, random_pixels};

/// The 8 neighbours of random pixels, in healpy's layout (-1 for missing).
pub fn neighbours(c: &mut Criterion) {
    let mut group = c.benchmark_group("neighbours");
    group.throughput(Throughput::Elements(N as u64));
    let mut out = vec![[0i64; 8]; N];
    for order in [6u8, 10, 20] {
        let nside = 1u64 << order;
        let pix = random_pixels(12 * nside * nside);
        for scheme in [Scheme::Ring, Scheme::Nested] {
            let hp = Healpix::new(nside, scheme).unwrap();
            let id = BenchmarkId::new(format!("tessera_{scheme}"), nside);
            group.bench_with_input(id, &hp, |b, hp| {
                b.iter(|| {
                    hp.neighbours_into(&pix, &mut out, Parallelism::Serial)
                        .unwrap()
                })
            });
        }
        let layer = cdshealpix::nested::get(order);
        group.bench_with_input(
            BenchmarkId::new("cdshealpix_NESTED", nside),
            &layer,
            |b, l| {
                use cdshealpix::compass_point::MainWind::*;
                let dirs = [SW, W, NW, N, NE, E, SE, S]; // healpy's slot order
                b.iter(|| {
                    for (row, &h) in out.iter_mut().zip(&pix) {
                        let map = l.neighbours(h, false);
                        for (slot, d) in row.iter_mut().zip(dirs) {
                            *slot = map.get(d).map_or(MISSING, |&p| p as i64);
                        }
                    }
                })
            },
        );
    }
    group.finish();
}

/// Whole-map neighbour and stencil tables at nside 256 (all cores).
pub fn tables(c: &mut Criterion) {
    let mut group = c.benchmark_group("tables");
    group.sample_size(20);
    for scheme in [Scheme::Ring, Scheme::Nested] {
        let hp = Healpix::new(256, scheme).unwrap();
        group.throughput(Throughput::Elements(hp.npix()));
        group.bench_function(
            BenchmarkId::new(format!("neighbour_table_{scheme}"), 256),
            |b| b.iter(|| hp.neighbour_table()),
        );
        group.bench_function(
            BenchmarkId::new(format!("stencil_table_i32_{scheme}"), 256),
            |b| b.iter(|| hp.stencil_table_of::<i32>().unwrap()),
        );
        let mut buffer = vec![0i64; hp.npix() as usize * 8];
        group.bench_function(
            BenchmarkId::new(format!("neighbour_table_into_{scheme}"), 256),
            |b| b.iter(|| hp.neighbour_table_into(&mut buffer).unwrap()),
        );
    }
    let layer = cdshealpix::nested::get(8);
    group.bench_function(
        BenchmarkId::new("cdshealpix_append_bulk_neighbours", 256),
        |b| {
            b.iter(|| {
                let mut out = Vec::with_capacity(layer.n_hash() as usize * 8);
                for h in 0..layer.n_hash() {
                    layer.append_bulk_neighbours(h, &mut out);
                }
                out
            })
        },
    );
    group.finish();
}
