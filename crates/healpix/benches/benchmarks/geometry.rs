//! The remaining primitives: vectors, interpolation weights, corners and disc queries.

use criterion::{BenchmarkId, Criterion, Throughput};
use tessera_healpix::{Healpix, InterpWeights, Parallelism, QueryMode, Scheme};

use super::{N, random_angles, random_pixels};

/// pix2vec, vec2pix, interp_weights and corners at nside 1024, both schemes.
pub fn vectors_and_weights(c: &mut Criterion) {
    let (theta, phi) = random_angles();
    let mut group = c.benchmark_group("geometry");
    group.throughput(Throughput::Elements(N as u64));
    for scheme in [Scheme::Ring, Scheme::Nested] {
        let hp = Healpix::new(1024, scheme).unwrap();
        let pix = random_pixels(hp.npix());
        let mut vecs = vec![[0.0; 3]; N];
        let mut out = vec![0u64; N];
        let mut weights = vec![InterpWeights::default(); N];
        group.bench_function(BenchmarkId::new(format!("pix2vec_{scheme}"), 1024), |b| {
            b.iter(|| {
                hp.pix2vec_into(&pix, &mut vecs, Parallelism::Serial)
                    .unwrap()
            })
        });
        group.bench_function(BenchmarkId::new(format!("vec2pix_{scheme}"), 1024), |b| {
            b.iter(|| {
                hp.vec2pix_into(&vecs, &mut out, Parallelism::Serial)
                    .unwrap()
            })
        });
        group.bench_function(
            BenchmarkId::new(format!("interp_weights_{scheme}"), 1024),
            |b| {
                b.iter(|| {
                    hp.interp_weights_into(&theta, &phi, &mut weights, Parallelism::Serial)
                        .unwrap()
                })
            },
        );
        group.bench_function(BenchmarkId::new(format!("corners_{scheme}"), 1024), |b| {
            b.iter(|| {
                pix.iter()
                    .map(|&p| hp.corners(p).unwrap()[0][2])
                    .sum::<f64>()
            })
        });
    }
    group.finish();
}

/// query_disc of a 5° disc at several resolutions, exclusive and inclusive.
pub fn query_disc(c: &mut Criterion) {
    let mut group = c.benchmark_group("query_disc");
    let centre = [0.3, -0.4, 0.866];
    let radius = 5f64.to_radians();
    for nside in [64u64, 256, 1024] {
        for scheme in [Scheme::Ring, Scheme::Nested] {
            let hp = Healpix::new(nside, scheme).unwrap();
            for (name, mode) in [
                ("exclusive", QueryMode::Exclusive),
                ("inclusive", QueryMode::inclusive()),
            ] {
                let id = BenchmarkId::new(format!("{name}_{scheme}"), nside);
                group.bench_function(id, |b| {
                    b.iter(|| hp.query_disc(centre, radius, mode).unwrap())
                });
            }
        }
    }
    group.finish();
}
