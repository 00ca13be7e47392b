//! a_lm as the least-squares fit to a map (healpy's `map2alm_lsq`): LSQR (Paige & Saunders
//! 1982, scipy's `lsqr` with its stopping rules) on the operator `alm2map`, whose adjoint is
//! `map2alm` without iterations times `npix / 4π`, started from `map2alm`'s estimate.

use super::alm::Alm;
use super::maps::ring_values;
use super::plan::ShtPlan;
use crate::error::{Result, SkyError};
use crate::map::SkyMap;
use realfft::num_complex::Complex64;

/// Options of [`map2alm_lsq`] (healpy's arguments and defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LsqOptions {
    /// Largest multipole.
    pub lmax: usize,
    /// Largest order; `None` = `lmax`.
    pub mmax: Option<usize>,
    /// T, E, B from the first three fields (Q and U as spin 2); otherwise each field alone.
    pub pol: bool,
    /// The accuracy to reach (scipy's `atol` and `btol`).
    pub tol: f64,
    /// The most iterations.
    pub maxiter: usize,
}

impl LsqOptions {
    /// healpy's defaults (`pol=True, tol=1e-10, maxiter=20`) at `lmax`.
    pub fn new(lmax: usize) -> Self {
        LsqOptions {
            lmax,
            mmax: None,
            pol: true,
            tol: 1e-10,
            maxiter: 20,
        }
    }
}

/// The result of [`map2alm_lsq`].
#[derive(Clone, Debug, PartialEq)]
pub struct LsqAlm {
    /// One set per field, or T, E, B.
    pub alms: Vec<Alm>,
    /// `|map − alm2map(alms)| / |map|`: the part of the map the a_lm cannot model.
    pub rel_res: f64,
    /// Iterations taken.
    pub iterations: usize,
}

/// The a_lm whose map is closest to `map` in the least-squares sense (healpy's `map2alm_lsq`),
/// with the residual it leaves and the iterations it took. Unlike [`super::map2alm`], the
/// result does not depend on quadrature weights: it is the best fit the band limit allows, and
/// it is exact for a band-limited map when `npix` exceeds the number of coefficients. UNSEEN
/// pixels count as 0, as in [`super::map2alm`].
///
/// # Errors
/// NaN pixels, `lmax > 4 nside`, [`SkyError::OutOfRange`] for a `tol` that is not positive.
pub fn map2alm_lsq(map: &SkyMap, opts: &LsqOptions) -> Result<LsqAlm> {
    if opts.tol.is_nan() || opts.tol <= 0.0 {
        return Err(SkyError::OutOfRange {
            what: "map2alm_lsq tol",
            value: opts.tol,
            allowed: "positive numbers".into(),
        });
    }
    let plan = ShtPlan::new(map.nside(), opts.lmax, opts.mmax.unwrap_or(opts.lmax))?;
    let maps = ring_values(map)?;
    for m in &maps {
        plan.check_map(m)?;
    }
    let op = Operator {
        plan: &plan,
        fields: maps.len(),
        pol: opts.pol && maps.len() >= 3,
    };
    let b: Vec<f64> = maps.concat();
    let scale = plan.npix() as f64 / (4.0 * std::f64::consts::PI);
    let x0: Vec<f64> = op.adjoint(&b)?.iter().map(|v| v / scale).collect();
    let solution = lsqr(&op, &b, x0, opts.tol, opts.maxiter)?;
    let norm_b = norm(&b);
    Ok(LsqAlm {
        alms: op.to_alms(&solution.x),
        rel_res: if norm_b > 0.0 {
            solution.residual / norm_b
        } else {
            0.0
        },
        iterations: solution.iterations,
    })
}

/// `alm2map` on real vectors: the a_lm as `[re a_l0 …, √2 re a_lm, √2 im a_lm …]` per set
/// (an isometry, so that `map2alm · npix / 4π` is the adjoint).
struct Operator<'a> {
    plan: &'a ShtPlan,
    fields: usize,
    pol: bool,
}

impl Operator<'_> {
    fn alm_len(&self) -> usize {
        2 * Alm::size(self.plan.lmax(), self.plan.mmax()) - (self.plan.lmax() + 1)
    }

    fn to_alms(&self, x: &[f64]) -> Vec<Alm> {
        let (lmax, mmax) = (self.plan.lmax(), self.plan.mmax());
        x.chunks(self.alm_len())
            .map(|part| {
                let (zero, rest) = part.split_at(lmax + 1);
                let values = zero
                    .iter()
                    .map(|&v| Complex64::new(v, 0.0))
                    .chain(
                        rest.chunks(2)
                            .map(|c| Complex64::new(c[0], c[1]) * std::f64::consts::FRAC_1_SQRT_2),
                    )
                    .collect();
                Alm::from_vec(lmax, mmax, values).expect("sized from the plan")
            })
            .collect()
    }

    fn to_real(&self, alms: &[Alm]) -> Vec<f64> {
        let lmax = self.plan.lmax();
        let mut out = Vec::with_capacity(alms.len() * self.alm_len());
        for alm in alms {
            let (zero, rest) = alm.values().split_at(lmax + 1);
            out.extend(zero.iter().map(|v| v.re));
            for v in rest {
                out.extend([
                    v.re * std::f64::consts::SQRT_2,
                    v.im * std::f64::consts::SQRT_2,
                ]);
            }
        }
        out
    }

    /// The maps of `x`, concatenated.
    fn apply(&self, x: &[f64]) -> Result<Vec<f64>> {
        let alms = self.to_alms(x);
        let mut out = Vec::with_capacity(self.fields * self.plan.npix());
        if self.pol {
            out.extend(self.plan.alm2map(&alms[0])?);
            let [q, u] = self.plan.alm2map_spin2(&alms[1], &alms[2])?;
            out.extend(q);
            out.extend(u);
            for a in &alms[3..] {
                out.extend(self.plan.alm2map(a)?);
            }
        } else {
            for a in &alms {
                out.extend(self.plan.alm2map(a)?);
            }
        }
        Ok(out)
    }

    /// The transpose of [`Self::apply`].
    fn adjoint(&self, maps: &[f64]) -> Result<Vec<f64>> {
        let npix = self.plan.npix();
        let field = |i: usize| &maps[i * npix..(i + 1) * npix];
        let mut alms = Vec::with_capacity(self.fields);
        if self.pol {
            alms.push(self.plan.map2alm(field(0), 0)?);
            let [e, b] = self.plan.map2alm_spin2(field(1), field(2), 0)?;
            alms.extend([e, b]);
            for i in 3..self.fields {
                alms.push(self.plan.map2alm(field(i), 0)?);
            }
        } else {
            for i in 0..self.fields {
                alms.push(self.plan.map2alm(field(i), 0)?);
            }
        }
        let scale = npix as f64 / (4.0 * std::f64::consts::PI);
        Ok(self.to_real(&alms).into_iter().map(|v| v * scale).collect())
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn scale_in_place(v: &mut [f64], f: f64) {
    v.iter_mut().for_each(|x| *x *= f);
}

struct Solution {
    x: Vec<f64>,
    residual: f64,
    iterations: usize,
}

/// LSQR without damping from `x`, stopping as scipy's `lsqr(atol=tol, btol=tol,
/// conlim=1e8, iter_lim=maxiter)` does.
fn lsqr(op: &Operator, b: &[f64], mut x: Vec<f64>, tol: f64, maxiter: usize) -> Result<Solution> {
    let ctol = 1e-8;
    let norm_b = norm(b);
    let mut u: Vec<f64> = b.iter().zip(op.apply(&x)?).map(|(b, ax)| b - ax).collect();
    let mut beta = norm(&u);
    let mut v = vec![0.0; x.len()];
    let mut alpha = 0.0;
    if beta > 0.0 {
        scale_in_place(&mut u, 1.0 / beta);
        v = op.adjoint(&u)?;
        alpha = norm(&v);
    }
    if alpha > 0.0 {
        scale_in_place(&mut v, 1.0 / alpha);
    }
    let mut w = v.clone();
    let (mut rho_bar, mut phi_bar) = (alpha, beta);
    let mut residual = beta;
    if alpha * beta == 0.0 {
        return Ok(Solution {
            x,
            residual,
            iterations: 0,
        });
    }
    let (mut norm_a, mut dd_norm, mut xx_norm, mut z) = (0.0f64, 0.0, 0.0, 0.0);
    let (mut cs2, mut sn2) = (-1.0f64, 0.0f64);
    let mut iterations = 0;
    while iterations < maxiter {
        iterations += 1;
        // Bidiagonalisation: β u = A v − α u, α v = Aᵀ u − β v.
        let av = op.apply(&v)?;
        u.iter_mut().zip(&av).for_each(|(u, a)| *u = a - alpha * *u);
        beta = norm(&u);
        if beta > 0.0 {
            scale_in_place(&mut u, 1.0 / beta);
            norm_a = (norm_a * norm_a + alpha * alpha + beta * beta).sqrt();
            let atu = op.adjoint(&u)?;
            v.iter_mut().zip(&atu).for_each(|(v, a)| *v = a - beta * *v);
            alpha = norm(&v);
            if alpha > 0.0 {
                scale_in_place(&mut v, 1.0 / alpha);
            }
        }
        // The plane rotation that eliminates β.
        let rho = rho_bar.hypot(beta);
        let (cs, sn) = (rho_bar / rho, beta / rho);
        let theta = sn * alpha;
        rho_bar = -cs * alpha;
        let phi = cs * phi_bar;
        phi_bar *= sn;
        let tau = sn * phi;
        let (t1, t2) = (phi / rho, -theta / rho);
        dd_norm += w.iter().map(|w| (w / rho).powi(2)).sum::<f64>();
        for ((x, w), v) in x.iter_mut().zip(w.iter_mut()).zip(&v) {
            *x += t1 * *w;
            *w = v + t2 * *w;
        }
        // Estimates of |x|, cond(A), |r| and |Aᵀr| for the stopping rules.
        let delta = sn2 * rho;
        let gamma_bar = -cs2 * rho;
        let rhs = phi - delta * z;
        let z_bar = rhs / gamma_bar;
        let norm_x = (xx_norm + z_bar * z_bar).sqrt();
        let gamma = gamma_bar.hypot(theta);
        cs2 = gamma_bar / gamma;
        sn2 = theta / gamma;
        z = rhs / gamma;
        xx_norm += z * z;
        let cond_a = norm_a * dd_norm.sqrt();
        residual = phi_bar.abs();
        let norm_ar = alpha * tau.abs();
        let test1 = residual / norm_b;
        let test2 = norm_ar / (norm_a * residual + f64::EPSILON);
        let test3 = 1.0 / (cond_a + f64::EPSILON);
        let rtol = tol + tol * norm_a * norm_x / norm_b;
        let t1 = test1 / (1.0 + norm_a * norm_x / norm_b);
        let stop = 1.0 + test3 <= 1.0
            || 1.0 + test2 <= 1.0
            || 1.0 + t1 <= 1.0
            || test3 <= ctol
            || test2 <= tol
            || test1 <= rtol;
        if stop {
            break;
        }
    }
    Ok(Solution {
        x,
        residual,
        iterations,
    })
}
