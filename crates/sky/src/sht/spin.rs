//! Spin-s transforms for any spin `s ≥ 1` (healpy's `alm2map_spin` and `map2alm_spin`): the
//! gradient/curl coefficients `(a^G, a^C)` of a spin-s field and its two real maps.
//!
//! healpy's (libsharp's) conventions, checked against healpy 1.20.1
//! (`crates/sky/tests/spin_golden.rs`, spins 1, 2, 3 and 5 at nside 8, 1 and 3 at nside 128):
//!
//! ```text
//! _sY_lm(θ, φ) = √((2l+1)/4π) (−1)^m d^l_{m,−s}(θ) e^{imφ}
//! Q + iU = −Σ (a^G_lm + i a^C_lm) _sY_lm
//! Q − iU = −(−1)^s Σ (a^G_lm − i a^C_lm) _{−s}Y_lm
//! ```
//!
//! The analysis is the synthesis' adjoint with healpy's quadrature weight `4π/npix` and no
//! iteration. Every spin runs on [`ShtPlan`]'s kernels for polarisation (spin 2): the two
//! Wigner sequences `d^l_{m,∓s}` as spin-0-like sums ([`super::spin2`]), vectorised over ring
//! pairs for the CPU's instruction set.

use super::alm::Alm;
use super::plan::ShtPlan;
use crate::error::{Result, SkyError};

fn check(spin: usize, lmax: usize, nside: u64) -> Result<()> {
    if spin == 0 {
        return Err(SkyError::SpinZero);
    }
    if spin > lmax {
        return Err(SkyError::SpinAboveLmax { spin, lmax });
    }
    if nside == 0 || nside > 1 << 20 || lmax > 4 * nside as usize {
        return Err(SkyError::LmaxTooLarge {
            what: "spin transform",
            lmax,
            nside,
        });
    }
    Ok(())
}

/// The two maps (healpy's Q-like and U-like, RING order) of a spin-`spin` field with gradient
/// and curl coefficients `alms = [a^G, a^C]` (healpy's `alm2map_spin`).
///
/// # Errors
/// [`SkyError::SpinZero`], [`SkyError::SpinAboveLmax`], [`SkyError::AlmShape`] for
/// coefficient sets of different shapes; [`SkyError::LmaxTooLarge`] for `lmax > 4 nside`.
pub fn alm2map_spin(alms: &[Alm; 2], nside: u64, spin: usize) -> Result<[Vec<f64>; 2]> {
    let [g, c] = alms;
    if (g.lmax(), g.mmax()) != (c.lmax(), c.mmax()) {
        return Err(SkyError::AlmShape {
            what: "alm2map_spin (the curl's shape against the gradient's)",
            found: (c.lmax(), c.mmax()),
            needed: (g.lmax(), g.mmax()),
        });
    }
    let (lmax, mmax) = (g.lmax(), g.mmax());
    check(spin, lmax, nside)?;
    Ok(ShtPlan::new(nside, lmax, mmax)?.alm2map_spin_unchecked([g, c], spin))
}

/// The gradient and curl coefficients `[a^G, a^C]` up to `lmax`, `mmax` of a spin-`spin` field
/// given by its two RING maps (healpy's `map2alm_spin`: quadrature weight `4π/npix`, no
/// iteration).
///
/// # Errors
/// [`SkyError::SpinZero`], [`SkyError::SpinAboveLmax`]; [`SkyError::Healpix`] for a
/// non-HEALPix size; [`SkyError::InField`] around [`SkyError::PixelCount`] or
/// [`SkyError::NotFinitePixel`] for maps of different sizes or non-finite pixels;
/// [`SkyError::LmaxTooLarge`] for `lmax > 4 nside`.
pub fn map2alm_spin(maps: [&[f64]; 2], spin: usize, lmax: usize, mmax: usize) -> Result<[Alm; 2]> {
    let [q, u] = maps;
    let nside = tessera_healpix::npix2nside(q.len() as u64)?;
    let mmax = mmax.min(lmax);
    check(spin, lmax, nside)?;
    let plan = ShtPlan::new(nside, lmax, mmax)?;
    for (name, map) in [("Q-like", q), ("U-like", u)] {
        plan.check_map(map).map_err(|e| SkyError::InField {
            field: name.into(),
            source: Box::new(e),
        })?;
    }
    let mut gc = [Alm::zeros(lmax, mmax), Alm::zeros(lmax, mmax)];
    plan.map2alm_spin_once(maps, &mut gc, spin);
    Ok(gc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sht::Complex64;
    use crate::sht::simd::Isa;

    fn coefficients(lmax: usize, phase: f64) -> Alm {
        let mut a = Alm::zeros(lmax, lmax);
        for m in 0..=lmax {
            for l in m..=lmax {
                let im = if m == 0 {
                    0.0
                } else {
                    (0.3 * l as f64 + phase).cos()
                };
                a.set(
                    l,
                    m,
                    Complex64::new((0.7 * l as f64 - m as f64 + phase).sin(), im),
                );
            }
        }
        a
    }

    /// Both transforms of spin 3 on `plan`, flattened, with the scale of each.
    fn both(plan: &ShtPlan) -> [Vec<f64>; 2] {
        let lmax = plan.lmax();
        let alms = [coefficients(lmax, 0.0), coefficients(lmax, 1.0)];
        let [q, u] = plan.alm2map_spin_unchecked([&alms[0], &alms[1]], 3);
        let mut back = [Alm::zeros(lmax, lmax), Alm::zeros(lmax, lmax)];
        plan.map2alm_spin_once([&q, &u], &mut back, 3);
        let coefficients = back
            .iter()
            .flat_map(|a| a.values().iter().flat_map(|c| [c.re, c.im]))
            .collect();
        [[q, u].concat(), coefficients]
    }

    fn worst(a: &[Vec<f64>; 2], b: &[Vec<f64>; 2]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| {
                let scale = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let diff = x
                    .iter()
                    .zip(y)
                    .fold(0.0f64, |m, (p, q)| m.max((p - q).abs()));
                diff / scale
            })
            .fold(0.0, f64::max)
    }

    /// Every kernel flavour this CPU runs gives the portable transforms of spin 3 to 1e-12
    /// (the vector flavours fuse multiply-adds).
    #[test]
    fn instruction_sets_agree() {
        let plan = || ShtPlan::new(16, 40, 40).unwrap();
        let portable = both(&plan().with_kernels(Isa::Portable, true));
        for isa in [Isa::Avx2Fma, Isa::Avx512] {
            if isa.supported() {
                let other = both(&plan().with_kernels(isa, true));
                assert!(worst(&other, &portable) < 1e-12, "{isa:?}");
            }
        }
    }

    /// Skipping the orders beyond each ring pair's limit changes the spin-3 transforms by less
    /// than 1e-13 of their largest values, where the limit is well below lmax at the poles.
    #[test]
    fn skipping_negligible_orders_changes_nothing() {
        let plan = || ShtPlan::new(128, 383, 383).unwrap();
        assert!(
            plan().pairs[0].order_limit(383, 3) < 200,
            "the cut is active"
        );
        let skipped = both(&plan());
        let full = both(&plan().with_kernels(Isa::detect(), false));
        assert!(worst(&skipped, &full) < 1e-13);
    }
}
