//! Benchmark topics and their shared inputs.

pub mod geometry;
pub mod neighbours;
pub mod pixel;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Points per batch in the per-pixel benchmarks.
pub const N: usize = 100_000;

/// `N` directions uniform on the sphere, `(theta, phi)` in radians, from a fixed seed.
pub fn random_angles() -> (Vec<f64>, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(7);
    let theta = (0..N)
        .map(|_| (rng.random::<f64>() * 2.0 - 1.0).acos())
        .collect();
    let phi = (0..N)
        .map(|_| rng.random::<f64>() * std::f64::consts::TAU)
        .collect();
    (theta, phi)
}

/// `N` random pixel indices below `npix`, from a fixed seed.
pub fn random_pixels(npix: u64) -> Vec<u64> {
    let mut rng = StdRng::seed_from_u64(11);
    (0..N).map(|_| rng.random_range(0..npix)).collect()
}
