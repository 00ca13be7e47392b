//! Rotating a_lm (healpy's `rotate_alm` and `Rotator.rotate_alm`): each degree `l` is mixed by
//! the Wigner matrix `D^l(ψ, θ, φ) = e^{-imφ} d^l(θ) e^{-im'ψ}`, with `d^l` built degree by
//! degree by Risbo's half-step recurrence (Risbo 1996, J. Geodesy 70, 383), which is stable
//! for every θ and every l. The work grows as lmax³, as in HEALPix.

use tessera_healpix::Rotator;

use super::alm::Alm;
use crate::error::{Result, SkyError};
use realfft::num_complex::Complex64;

/// The Wigner d-matrices `d^l(θ)` for l = 0, 1, 2, …, one degree per call of [`Self::advance`].
///
/// Only the rows m' = −l … 0 are kept (`row r` ↔ m' = r − l, `column c` ↔ m = c − l); the
/// others follow from `d_{m'm} = (−1)^{m'−m} d_{−m',−m}`.
struct WignerD {
    /// sin(θ/2) and cos(θ/2).
    p: f64,
    q: f64,
    /// √k for k = 0 … 2 lmax.
    sqrt: Vec<f64>,
    /// The current degree (None before the first call).
    degree: Option<usize>,
    /// Row stride 2 lmax + 2 (one spare column for the half steps).
    stride: usize,
    now: Vec<f64>,
    next: Vec<f64>,
}

impl WignerD {
    fn new(lmax: usize, theta: f64) -> Self {
        let stride = 2 * lmax + 2;
        let rows = lmax + 2;
        WignerD {
            p: (theta / 2.0).sin(),
            q: (theta / 2.0).cos(),
            sqrt: (0..=2 * lmax + 1).map(|k| (k as f64).sqrt()).collect(),
            degree: None,
            stride,
            now: vec![0.0; rows * stride],
            next: vec![0.0; rows * stride],
        }
    }

    /// `d[r][c]` of the current degree.
    fn at(&self, row: usize, column: usize) -> f64 {
        self.now[row * self.stride + column]
    }

    /// Row `row` of the current degree, `len` entries.
    fn row(&self, row: usize, len: usize) -> &[f64] {
        &self.now[row * self.stride..row * self.stride + len]
    }

    /// Moves to the next degree.
    fn advance(&mut self) {
        let n = self.degree.map_or(0, |d| d + 1);
        self.degree = Some(n);
        if n == 0 {
            self.now[0] = 1.0;
            return;
        }
        // Row n of the previous degree n − 1 (m' = +1) by symmetry from row n − 2 (m' = −1),
        // so that the half steps below can reach it.
        if n >= 2 {
            let prev = n - 1;
            for c in 0..=2 * prev {
                let sign = if (n + c).is_multiple_of(2) { 1.0 } else { -1.0 };
                self.now[n * self.stride + c] =
                    sign * self.now[(n - 2) * self.stride + 2 * prev - c];
            }
        }
        // Two half steps: size 2n − 1 → 2n, then 2n → 2n + 1 (j is twice the new degree).
        for j in [2 * n - 1, 2 * n] {
            self.half_step(j, n);
            std::mem::swap(&mut self.now, &mut self.next);
        }
    }

    /// One half step of Risbo's recurrence to the matrix of size j + 1, rows 0 … `rows`: entry
    /// (r, c) mixes entries (r, c), (r, c − 1), (r − 1, c) and (r − 1, c − 1) of the previous
    /// size, each zero where it falls outside it.
    fn half_step(&mut self, j: usize, rows: usize) {
        let (p, q, s, stride) = (self.p, self.q, &self.sqrt, self.stride);
        let inv_j = 1.0 / j as f64;
        let zeros = vec![0.0; j];
        // √(j − c) for c = 0 … j.
        let reversed: Vec<f64> = s[..=j].iter().rev().copied().collect();
        for r in 0..=rows {
            let (a, b) = (s[j - r] * inv_j, s[r] * inv_j);
            let (aq, ap, bq, bp) = (a * q, a * p, b * q, b * p);
            let this = &self.now[r * stride..r * stride + j];
            let above = if r > 0 {
                &self.now[(r - 1) * stride..(r - 1) * stride + j]
            } else {
                &zeros[..]
            };
            let new = &mut self.next[r * stride..r * stride + j + 1];
            new[0] = s[j] * (aq * this[0] + bp * above[0]);
            let inner = new[1..j]
                .iter_mut()
                .zip(reversed[1..j].iter().zip(&s[1..j]))
                .zip(this.windows(2).zip(above.windows(2)));
            for ((out, (&s_rev, &s_c)), (t, a)) in inner {
                *out = s_rev * (aq * t[1] + bp * a[1]) + s_c * (bq * a[0] - ap * t[0]);
            }
            new[j] = s[j] * (bq * above[j - 1] - ap * this[j - 1]);
        }
    }
}

/// Rotates `alm` in place by the Euler angles `psi`, `theta`, `phi` (radians, active ZYZ:
/// first ψ about z, then θ about y, then φ about z), healpy's `rotate_alm(alm, psi, theta,
/// phi)`. E and B a_lm rotate the same way as T's.
///
/// # Errors
/// [`SkyError::AlmShape`] for `mmax < lmax` (the rotation mixes every m of a degree, as in
/// healpy).
pub fn rotate_alm_euler(alm: &mut Alm, psi: f64, theta: f64, phi: f64) -> Result<()> {
    let lmax = alm.lmax();
    if alm.mmax() != lmax {
        return Err(SkyError::AlmShape {
            what: "rotate_alm (the rotation mixes every m of a degree: mmax = lmax)",
            found: (lmax, alm.mmax()),
            needed: (lmax, lmax),
        });
    }
    let phase = |angle: f64| -> Vec<Complex64> {
        (0..=lmax)
            .map(|m| Complex64::from_polar(1.0, -angle * m as f64))
            .collect()
    };
    let (e_psi, e_phi) = (phase(psi), phase(phi));
    let mut d = WignerD::new(lmax, theta);
    let (mut re, mut im, mut mirrored) = (
        vec![0.0; lmax + 1],
        vec![0.0; lmax + 1],
        vec![0.0; lmax + 1],
    );
    for l in 0..=lmax {
        d.advance();
        // a'_lm = e^{-imφ} Σ_{m'} d^l_{m'm}(θ) e^{-im'ψ} a_lm', with a_{l,−m'} = (−1)^{m'} a*_lm'
        // folding the negative m' onto the positive ones.
        let a0 = alm.get(l, 0).re;
        for m in 0..=l {
            re[m] = a0 * d.at(l, l + m);
            im[m] = 0.0;
        }
        for (mp, e) in e_psi.iter().enumerate().take(l + 1).skip(1) {
            let t = alm.get(l, mp) * e;
            let sign = if mp.is_multiple_of(2) { 1.0 } else { -1.0 };
            let (t_re, t_im) = (sign * t.re, sign * t.im);
            let row = d.row(l - mp, 2 * l + 1);
            // (−1)^m d_{−m',−m} next to d_{−m',m}, so that the sums below run forwards.
            let (backward, forward) = (&row[..=l], &row[l..=2 * l]);
            for (m, (out, &b)) in mirrored[..=l]
                .iter_mut()
                .zip(backward.iter().rev())
                .enumerate()
            {
                *out = if m.is_multiple_of(2) { b } else { -b };
            }
            for (((r, i), &b), &f) in re[..=l]
                .iter_mut()
                .zip(im[..=l].iter_mut())
                .zip(&mirrored[..=l])
                .zip(forward)
            {
                *r += t_re * (b + f);
                *i += t_im * (b - f);
            }
        }
        for m in 0..=l {
            alm.set(l, m, Complex64::new(re[m], im[m]) * e_phi[m]);
        }
    }
    Ok(())
}

/// Rotates `alm` in place by `rotator` (healpy's `Rotator.rotate_alm`): the a_lm of a map seen
/// in the frame the rotator leads to.
///
/// # Errors
/// As [`rotate_alm_euler`].
pub fn rotate_alm(alm: &mut Alm, rotator: &Rotator) -> Result<()> {
    let [psi, theta, phi] = zyz_angles(&rotator.matrix());
    rotate_alm_euler(alm, psi, theta, phi)
}

/// The active ZYZ Euler angles (ψ, θ, φ) of a rotation matrix `R = Rz(φ) Ry(θ) Rz(ψ)`.
fn zyz_angles(r: &[[f64; 3]; 3]) -> [f64; 3] {
    let cos_theta = r[2][2];
    let sin_theta = (r[0][2] * r[0][2] + r[1][2] * r[1][2]).sqrt();
    let theta = sin_theta.atan2(cos_theta);
    if sin_theta <= 1e-6 {
        // θ ≈ 0 or π: only ψ ± φ is defined; put it all in ψ.
        let psi = if cos_theta > 0.0 {
            r[1][0].atan2(r[0][0])
        } else {
            r[0][1].atan2(-r[0][0])
        };
        [psi, theta, 0.0]
    } else {
        [r[2][1].atan2(-r[2][0]), theta, r[1][2].atan2(r[0][2])]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// d^1(θ) in closed form (the kept half).
    #[test]
    fn degree_one_matches_the_closed_form() {
        let theta = 0.7_f64;
        let mut d = WignerD::new(3, theta);
        d.advance();
        d.advance();
        let (c, s) = (theta.cos(), theta.sin());
        let h = std::f64::consts::FRAC_1_SQRT_2;
        // Rows −1, 0 and columns −1, 0, 1 in HEALPix's convention (the transpose of Edmonds').
        let expected = [
            [(1.0 + c) / 2.0, -h * s, (1.0 - c) / 2.0],
            [h * s, c, -h * s],
        ];
        for (r, row) in expected.iter().enumerate() {
            for (col, want) in row.iter().enumerate() {
                assert!(
                    (d.at(r, col) - want).abs() < 1e-15,
                    "d[{r}][{col}] = {}",
                    d.at(r, col)
                );
            }
        }
    }

    #[test]
    fn rotation_keeps_the_power_of_each_degree() {
        let lmax = 20;
        let mut alm = Alm::zeros(lmax, lmax);
        for l in 0..=lmax {
            for m in 0..=l {
                let v = ((l * 7 + m * 3) % 11) as f64 - 5.0;
                alm.set(l, m, Complex64::new(v, if m == 0 { 0.0 } else { v / 2.0 }));
            }
        }
        let power = |a: &Alm, l: usize| -> f64 {
            (0..=l)
                .map(|m| a.get(l, m).norm_sqr() * if m == 0 { 1.0 } else { 2.0 })
                .sum()
        };
        let before: Vec<f64> = (0..=lmax).map(|l| power(&alm, l)).collect();
        rotate_alm_euler(&mut alm, 0.4, 1.3, -0.9).unwrap();
        for (l, b) in before.iter().enumerate() {
            assert!((power(&alm, l) - b).abs() < 1e-11 * b.max(1.0), "l = {l}");
        }
    }

    #[test]
    fn matrix_angles_round_trip() {
        let r = Rotator::euler([0.3, 0.8, -1.2], tessera_healpix::EulerType::Zyx);
        let [psi, theta, phi] = zyz_angles(&r.matrix());
        let rz = |a: f64| {
            [
                [a.cos(), -a.sin(), 0.0],
                [a.sin(), a.cos(), 0.0],
                [0.0, 0.0, 1.0],
            ]
        };
        let ry = |a: f64| {
            [
                [a.cos(), 0.0, a.sin()],
                [0.0, 1.0, 0.0],
                [-a.sin(), 0.0, a.cos()],
            ]
        };
        let mul = |a: [[f64; 3]; 3], b: [[f64; 3]; 3]| {
            let mut o = [[0.0; 3]; 3];
            for i in 0..3 {
                for j in 0..3 {
                    o[i][j] = (0..3).map(|k| a[i][k] * b[k][j]).sum();
                }
            }
            o
        };
        let back = mul(mul(rz(phi), ry(theta)), rz(psi));
        let m = r.matrix();
        for i in 0..3 {
            for j in 0..3 {
                assert!((back[i][j] - m[i][j]).abs() < 1e-14);
            }
        }
    }
}
