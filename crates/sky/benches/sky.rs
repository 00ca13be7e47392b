//! Criterion benchmarks of tessera-sky: `cargo bench -p tessera-sky --bench sky`.
//! The side-by-side comparison with healpy is `bench/sky_vs_healpy.py`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tessera_healpix::{Healpix, Scheme};
use tessera_sky::{Dtype, ReadOptions, SkyMap, UdGradeOptions, WriteOptions, read_map, write_map};

fn sample(nside: u64, scheme: Scheme) -> SkyMap {
    let geometry = Healpix::new(nside, scheme).unwrap();
    let values = (0..geometry.npix())
        .map(|p| (p as f64 * 0.37).sin())
        .collect();
    SkyMap::new(geometry, vec![("TEMPERATURE", values)]).unwrap()
}

fn io(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("fits");
    group.sample_size(20);
    for nside in [64u64, 256] {
        let map = sample(nside, Scheme::Ring);
        let path = dir.path().join(format!("m{nside}.fits"));
        let opts = WriteOptions {
            dtype: Dtype::F32,
            overwrite: true,
            partial: false,
        };
        group.bench_function(BenchmarkId::new("write_map_f32", nside), |b| {
            b.iter(|| write_map(&path, &map, &opts).unwrap())
        });
        group.bench_function(BenchmarkId::new("read_map_f32", nside), |b| {
            b.iter(|| black_box(read_map(&path, &ReadOptions::default()).unwrap()))
        });
    }
    group.finish();
}

fn resolution(c: &mut Criterion) {
    let mut group = c.benchmark_group("map_ops");
    group.sample_size(20);
    for scheme in [Scheme::Ring, Scheme::Nested] {
        let map = sample(256, scheme);
        group.bench_function(
            BenchmarkId::new(format!("ud_grade_256_to_128_{scheme}"), 256),
            |b| b.iter(|| map.ud_grade(128, UdGradeOptions::default()).unwrap()),
        );
        group.bench_function(
            BenchmarkId::new(format!("ud_grade_256_to_512_{scheme}"), 256),
            |b| b.iter(|| map.ud_grade(512, UdGradeOptions::default()).unwrap()),
        );
    }
    let map = sample(256, Scheme::Ring);
    group.bench_function(BenchmarkId::new("reorder_r2n", 256), |b| {
        b.iter(|| map.reorder(Scheme::Nested).unwrap())
    });
    group.finish();
}

/// Pixel windows: an embedded table (nside 2048, healpy reads its own table) and a computed one
/// (nside 1000, not a power of two).
fn pixel_windows(c: &mut Criterion) {
    let mut group = c.benchmark_group("pixwin");
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("pixwin_pol_table", 2048), |b| {
        b.iter(|| tessera_sky::sht::pixwin_pol(2048, None).unwrap())
    });
    group.bench_function(BenchmarkId::new("pixwin_computed", 1000), |b| {
        b.iter(|| tessera_sky::sht::pixwin(1000, None).unwrap())
    });
    group.finish();
}

// Plots off: this crate's plotters is built with embedded fonts only (ab_glyph), which
// criterion's plot backend does not register.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = io, resolution, pixel_windows
}
criterion_main!(benches);
