//! Criterion benchmarks of tessera-healpix: `cargo bench -p tessera-healpix`.
//!
//! Each group compares tessera with cdshealpix (CDS's pure-Rust HEALPix) on the same inputs,
//! which is the measurement behind `docs/decisions/0001-healpix-own-implementation.md`. The
//! side-by-side comparison with healpy is `bench/healpix_vs_healpy.py`.

use criterion::{criterion_group, criterion_main};

mod benchmarks;

criterion_group!(
    benches,
    benchmarks::pixel::ang2pix,
    benchmarks::pixel::pix2ang,
    benchmarks::pixel::ring_nest,
    benchmarks::neighbours::neighbours,
    benchmarks::neighbours::tables,
    benchmarks::geometry::vectors_and_weights,
    benchmarks::geometry::query_disc,
);
criterion_main!(benches);
