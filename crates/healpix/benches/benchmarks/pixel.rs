//! ang2pix, pix2ang and ring↔nest: tessera against cdshealpix.

use std::f64::consts::FRAC_PI_2;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput};
use tessera_healpix::{Healpix, Parallelism, Scheme};

use super::{N, random_angles, random_pixels};

const ORDERS: [u8; 3] = [6, 10, 20];

/// ang2pix in both schemes, and cdshealpix's nested `hash`.
pub fn ang2pix(c: &mut Criterion) {
    let (theta, phi) = random_angles();
    let mut group = c.benchmark_group("ang2pix");
    group.throughput(Throughput::Elements(N as u64));
    let mut out = vec![0u64; N];
    for order in ORDERS {
        let nside = 1u64 << order;
        for scheme in [Scheme::Ring, Scheme::Nested] {
            let hp = Healpix::new(nside, scheme).unwrap();
            let id = BenchmarkId::new(format!("tessera_{scheme}"), nside);
            group.bench_with_input(id, &hp, |b, hp| {
                b.iter(|| {
                    hp.ang2pix_into(&theta, &phi, &mut out, Parallelism::Serial)
                        .unwrap()
                })
            });
        }
        let layer = cdshealpix::nested::get(order);
        group.bench_with_input(
            BenchmarkId::new("cdshealpix_NESTED", nside),
            &layer,
            |b, l| {
                b.iter(|| {
                    for ((o, &t), &p) in out.iter_mut().zip(&theta).zip(&phi) {
                        *o = l.hash(p, FRAC_PI_2 - t);
                    }
                })
            },
        );
    }
    group.finish();
    black_box(out);
}

/// pix2ang in both schemes, and cdshealpix's nested `center`.
pub fn pix2ang(c: &mut Criterion) {
    let mut group = c.benchmark_group("pix2ang");
    group.throughput(Throughput::Elements(N as u64));
    let (mut theta, mut phi) = (vec![0.0; N], vec![0.0; N]);
    for order in ORDERS {
        let nside = 1u64 << order;
        let pix = random_pixels(12 * nside * nside);
        for scheme in [Scheme::Ring, Scheme::Nested] {
            let hp = Healpix::new(nside, scheme).unwrap();
            let id = BenchmarkId::new(format!("tessera_{scheme}"), nside);
            group.bench_with_input(id, &hp, |b, hp| {
                b.iter(|| {
                    hp.pix2ang_into(&pix, &mut theta, &mut phi, Parallelism::Serial)
                        .unwrap()
                })
            });
        }
        let layer = cdshealpix::nested::get(order);
        group.bench_with_input(
            BenchmarkId::new("cdshealpix_NESTED", nside),
            &layer,
            |b, l| {
                b.iter(|| {
                    for ((t, p), &h) in theta.iter_mut().zip(phi.iter_mut()).zip(&pix) {
                        let (lon, lat) = l.center(h);
                        (*t, *p) = (FRAC_PI_2 - lat, lon);
                    }
                })
            },
        );
    }
    group.finish();
}

/// nest2ring and ring2nest, and cdshealpix's `to_ring` / `from_ring`.
pub fn ring_nest(c: &mut Criterion) {
    let mut group = c.benchmark_group("ring_nest");
    group.throughput(Throughput::Elements(N as u64));
    let mut out = vec![0u64; N];
    for order in ORDERS {
        let nside = 1u64 << order;
        let pix = random_pixels(12 * nside * nside);
        let hp = Healpix::nested(nside).unwrap();
        let layer = cdshealpix::nested::get(order);
        group.bench_with_input(
            BenchmarkId::new("tessera_nest2ring", nside),
            &hp,
            |b, hp| {
                b.iter(|| {
                    hp.nest2ring_into(&pix, &mut out, Parallelism::Serial)
                        .unwrap()
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("cdshealpix_to_ring", nside),
            &layer,
            |b, l| {
                b.iter(|| {
                    out.iter_mut()
                        .zip(&pix)
                        .for_each(|(o, &h)| *o = l.to_ring(h))
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("tessera_ring2nest", nside),
            &hp,
            |b, hp| {
                b.iter(|| {
                    hp.ring2nest_into(&pix, &mut out, Parallelism::Serial)
                        .unwrap()
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("cdshealpix_from_ring", nside),
            &layer,
            |b, l| {
                b.iter(|| {
                    out.iter_mut()
                        .zip(&pix)
                        .for_each(|(o, &h)| *o = l.from_ring(h))
                })
            },
        );
    }
    group.finish();
}
