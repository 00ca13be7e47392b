//! A smooth random bend of a whole shape, for mesh augmentation: a few long plane waves of
//! displacement, each about one wavelength across the mesh. Unlike scaling it changes a shape's
//! outline non-uniformly (a limb bends, an engraved silhouette widens at one end and narrows at
//! the other), while the faces keep their neighbours and the surface stays smooth.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, StandardNormal, Uniform};

/// Plane waves summed by one warp.
const WAVES: usize = 3;

/// One displacement wave: `displacement · sin(wavenumber · (direction · (v − centre)) + phase)`.
#[derive(Clone, Copy, Debug)]
struct Wave {
    direction: [f64; 3],
    displacement: [f64; 3],
    wavenumber: f64,
    phase: f64,
}

/// A random smooth displacement field drawn for one mesh.
#[derive(Clone, Debug)]
pub struct SmoothWarp {
    centre: [f64; 3],
    waves: [Wave; WAVES],
}

impl SmoothWarp {
    /// Draws a warp for a shape with these vertices whose waves displace by `amplitude` times
    /// the shape's RMS radius (about the centroid) over √3 each, with between ½ and 1½ times
    /// `cycles` wavelengths across the shape's diameter (twice the RMS radius). With `cycles`
    /// 1 the whole shape bends; with more, each of its parts changes outline on its own.
    pub fn random(vertices: &[[f64; 3]], amplitude: f64, cycles: f64, rng: &mut impl Rng) -> Self {
        let n = vertices.len().max(1) as f64;
        let centre: [f64; 3] =
            std::array::from_fn(|i| vertices.iter().map(|v| v[i]).sum::<f64>() / n);
        let radius = (vertices
            .iter()
            .map(|v| (0..3).map(|i| (v[i] - centre[i]).powi(2)).sum::<f64>())
            .sum::<f64>()
            / n)
            .sqrt();
        let per_wave = amplitude * radius / (WAVES as f64).sqrt();
        let cycles = Uniform::new(0.5 * cycles, 1.5 * cycles).expect("a valid range");
        let waves = std::array::from_fn(|_| Wave {
            direction: random_unit(rng),
            displacement: random_unit(rng).map(|x| x * per_wave),
            wavenumber: std::f64::consts::TAU * cycles.sample(rng) / (2.0 * radius).max(1e-300),
            phase: rng.random_range(0.0..std::f64::consts::TAU),
        });
        SmoothWarp { centre, waves }
    }

    /// The displaced position of `v`.
    pub fn displace(&self, v: [f64; 3]) -> [f64; 3] {
        let mut out = v;
        for w in &self.waves {
            let along: f64 = (0..3)
                .map(|i| w.direction[i] * (v[i] - self.centre[i]))
                .sum();
            let s = (w.wavenumber * along + w.phase).sin();
            (0..3).for_each(|i| out[i] += w.displacement[i] * s);
        }
        out
    }
}

fn random_unit(rng: &mut impl Rng) -> [f64; 3] {
    loop {
        let v: [f64; 3] = std::array::from_fn(|_| StandardNormal.sample(rng));
        let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if n > 1e-9 {
            return v.map(|x| x / n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    fn sphere_points() -> Vec<[f64; 3]> {
        (0..400)
            .map(|k| {
                let z = -1.0 + (2 * k + 1) as f64 / 400.0;
                let phi = k as f64 * 2.399_963;
                let r = (1.0 - z * z).sqrt();
                [3.0 * r * phi.cos() + 5.0, 3.0 * r * phi.sin(), 3.0 * z]
            })
            .collect()
    }

    /// How much the displacement changes between `p` and `p` moved by 0.01 along x.
    fn change_over_step(warp: &SmoothWarp, p: [f64; 3]) -> f64 {
        let (q, p2) = (warp.displace(p), [p[0] + 0.01, p[1], p[2]]);
        let q2 = warp.displace(p2);
        (0..3)
            .map(|i| ((q2[i] - p2[i]) - (q[i] - p[i])).powi(2))
            .sum::<f64>()
            .sqrt()
    }

    #[test]
    fn displacements_are_bounded_by_the_amplitude_and_vary_smoothly() {
        let points = sphere_points();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let warp = SmoothWarp::random(&points, 0.1, 1.0, &mut rng);
        // RMS radius 3: each of the three waves moves a point by at most 0.3 / √3.
        let bound = 0.3 * 3f64.sqrt() + 1e-12;
        let mut largest: f64 = 0.0;
        for &p in &points {
            let q = warp.displace(p);
            let d = (0..3).map(|i| (q[i] - p[i]).powi(2)).sum::<f64>().sqrt();
            assert!(d <= bound, "{d} > {bound}");
            largest = largest.max(d);
            // Smooth: each wave's slope is at most its displacement (0.3 / √3) times its
            // wavenumber (2π · 1.5 cycles over the diameter 6), so a step of 0.01 changes the
            // displacement by at most 0.01 · 3 · 0.173 · 1.571 < 0.0082.
            let change = change_over_step(&warp, p);
            assert!(change < 0.0082, "{change}");
        }
        assert!(largest > 0.02, "the warp moved nothing: {largest}");
    }

    #[test]
    fn more_cycles_give_shorter_waves() {
        let points = sphere_points();
        // The largest change of displacement over a step of 0.01, over all points: the slope
        // grows with the wavenumber, so ten times the cycles give several times the slope.
        let steepest = |cycles: f64| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
            let warp = SmoothWarp::random(&points, 0.02, cycles, &mut rng);
            points
                .iter()
                .map(|&p| change_over_step(&warp, p))
                .fold(0.0, f64::max)
        };
        let (long, short) = (steepest(1.0), steepest(10.0));
        assert!(short > 4.0 * long, "{short} vs {long}");
        // Bound for 10 cycles: 3 waves · (0.06 / √3) · 2π · 15 / 6 · 0.01 < 0.0164.
        assert!(short < 0.0164, "{short}");
    }

    #[test]
    fn zero_amplitude_leaves_points_in_place() {
        let points = sphere_points();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let warp = SmoothWarp::random(&points, 0.0, 1.0, &mut rng);
        for &p in &points {
            assert_eq!(warp.displace(p), p);
        }
    }
}
