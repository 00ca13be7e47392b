//! Beams between harmonic and real space: [`bl2beam`] and [`beam2bl`] (healpy's).

/// The beam profile `b(θ) = Σ_l (2l + 1)/(4π) b_l P_l(cos θ)` of a window `bl` at the angles
/// `theta` (radians), healpy's `bl2beam(bl, theta)`.
///
/// # Example
/// ```
/// use tessera_sky::sht::{beam2bl, bl2beam, gauss_beam};
/// let bl = gauss_beam(1f64.to_radians(), 400, false).remove(0);
/// let theta: Vec<f64> = (0..=2000).map(|i| i as f64 * 5f64.to_radians() / 2000.0).collect();
/// let back = beam2bl(&bl2beam(&bl, &theta), &theta, 100);
/// assert!((back[100] - bl[100]).abs() < 1e-3);
/// ```
pub fn bl2beam(bl: &[f64], theta: &[f64]) -> Vec<f64> {
    // The recurrence's coefficients once, not per angle: P_l = a_l x P_{l-1} − c_l P_{l-2}, and
    // the weights (2l + 1) b_l.
    let coefficients: Vec<(f64, f64, f64)> = bl
        .iter()
        .enumerate()
        .skip(2)
        .map(|(l, &b)| {
            let lf = l as f64;
            ((2.0 * lf - 1.0) / lf, (lf - 1.0) / lf, b * (2.0 * lf + 1.0))
        })
        .collect();
    // Eight angles at a time: their recurrences are independent, so they run side by side.
    const LANES: usize = 8;
    let (b0, b1) = (
        bl.first().copied().unwrap_or(0.0),
        bl.get(1).copied().unwrap_or(0.0),
    );
    let mut out = Vec::with_capacity(theta.len());
    for chunk in theta.chunks(LANES) {
        let mut x = [0.0; LANES];
        for (xi, &t) in x.iter_mut().zip(chunk) {
            *xi = t.cos();
        }
        let mut p0 = [1.0; LANES];
        let mut p1 = x;
        let mut beam: [f64; LANES] = std::array::from_fn(|i| b0 + b1 * x[i] * 3.0);
        for &(a, c, w) in &coefficients {
            for i in 0..LANES {
                let p2 = a * x[i] * p1[i] - c * p0[i];
                p0[i] = p1[i];
                p1[i] = p2;
                beam[i] += w * p2;
            }
        }
        out.extend(
            beam[..chunk.len()]
                .iter()
                .map(|b| b / (4.0 * std::f64::consts::PI)),
        );
    }
    out
}

/// The window `b_l = 2π ∫ b(θ) P_l(cos θ) sin θ dθ`, `l = 0 ..= lmax`, of a beam profile `beam`
/// tabulated at the increasing angles `theta` (radians), by the trapezoidal rule as healpy's
/// `beam2bl(beam, theta, lmax)`. Tabulate the beam finely and out to where it vanishes.
///
/// # Panics
/// When `beam` and `theta` differ in length.
pub fn beam2bl(beam: &[f64], theta: &[f64], lmax: usize) -> Vec<f64> {
    assert_eq!(
        beam.len(),
        theta.len(),
        "beam and theta must have the same length"
    );
    let x: Vec<f64> = theta.iter().map(|t| t.cos()).collect();
    let weight: Vec<f64> = beam.iter().zip(theta).map(|(b, t)| b * t.sin()).collect();
    let trapezoid = |p: &[f64]| -> f64 {
        (1..theta.len())
            .map(|i| {
                let (a, b) = (weight[i - 1] * p[i - 1], weight[i] * p[i]);
                0.5 * (a + b) * (theta[i] - theta[i - 1])
            })
            .sum()
    };
    let mut window = vec![0.0; lmax + 1];
    let mut p0 = vec![1.0; x.len()];
    let mut p1 = x.clone();
    window[0] = trapezoid(&p0);
    if lmax >= 1 {
        window[1] = trapezoid(&p1);
    }
    for (l, slot) in window.iter_mut().enumerate().skip(2) {
        let lf = l as f64;
        let p2: Vec<f64> = x
            .iter()
            .zip(p0.iter().zip(&p1))
            .map(|(&xi, (&a, &b))| xi * b * (2.0 * lf - 1.0) / lf - a * (lf - 1.0) / lf)
            .collect();
        *slot = trapezoid(&p2);
        p0 = p1;
        p1 = p2;
    }
    window
        .iter()
        .map(|w| w * 2.0 * std::f64::consts::PI)
        .collect()
}
