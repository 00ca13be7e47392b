//! A map and its first derivatives from a_lm (healpy's `alm2map_der1`).
//!
//! The gradient goes through the angular momentum operator rather than a spin-1 transform:
//! `A = r̂ × ∇f = i L f` is a real vector field whose Cartesian components are band-limited
//! scalar maps with a_lm from the ladder operators (`L_z` multiplies by m, `L_±` moves m by
//! one), so three scalar syntheses give it exactly, and
//! `∂f/∂θ = ê_φ · A`, `(1/sin θ) ∂f/∂φ = −ê_θ · A`.

use rayon::prelude::*;
use tessera_healpix::Healpix;

use super::alm::Alm;
use super::plan::ShtPlan;
use crate::error::Result;
use crate::map::SkyMap;
use realfft::num_complex::Complex64;

/// The map of `alm` at `nside` (RING) with its derivatives, healpy's `alm2map_der1`: fields
/// `T`, `DTHETA` (∂T/∂θ) and `DPHI` ((1/sin θ) ∂T/∂φ), per radian.
///
/// # Errors
/// `lmax > 4 nside`, invalid nside.
pub fn alm2map_der1(alm: &Alm, nside: u64) -> Result<SkyMap> {
    let lmax = alm.lmax();
    // L₊ raises m by one: the components reach mmax + 1.
    let mmax = (alm.mmax() + 1).min(lmax);
    let plan = ShtPlan::new(nside, lmax, mmax)?;
    let f = alm.resized(lmax, mmax);
    let [ax, ay, az] = gradient_alms(&f);
    let map = plan.alm2map(&f)?;
    let [ax, ay, az] = [ax, ay, az].map(|a| plan.alm2map(&a));
    let (ax, ay, az) = (ax?, ay?, az?);
    let geometry = Healpix::ring(nside)?;
    let (d_theta, d_phi): (Vec<f64>, Vec<f64>) = (0..geometry.npix())
        .into_par_iter()
        .map(|p| {
            let (theta, phi) = geometry.pix2ang(p).expect("pixel of the map");
            let (st, ct, sp, cp) = (theta.sin(), theta.cos(), phi.sin(), phi.cos());
            let (x, y, z) = (ax[p as usize], ay[p as usize], az[p as usize]);
            (-sp * x + cp * y, -(ct * cp * x + ct * sp * y - st * z))
        })
        .unzip();
    SkyMap::new(
        geometry,
        vec![("T", map), ("DTHETA", d_theta), ("DPHI", d_phi)],
    )
}

/// The a_lm of the x, y and z components of `r̂ × ∇f` for the real field `f` (stored m ≥ 0).
fn gradient_alms(f: &Alm) -> [Alm; 3] {
    let (lmax, mmax) = (f.lmax(), f.mmax());
    let mut out = [0; 3].map(|_| Alm::zeros(lmax, mmax));
    let i = Complex64::new(0.0, 1.0);
    // f_{l,m} for −1 ≤ m ≤ mmax + 1 (zero outside the stored orders).
    let coefficient = |l: usize, m: isize| -> Complex64 {
        if m == -1 {
            if l >= 1 {
                -f.get(l, 1).conj()
            } else {
                Complex64::new(0.0, 0.0)
            }
        } else if m as usize > mmax || m as usize > l {
            Complex64::new(0.0, 0.0)
        } else {
            f.get(l, m as usize)
        }
    };
    for l in 0..=lmax {
        let lf = l as f64;
        for m in 0..=mmax.min(l) {
            let mf = m as f64;
            // (L₊f)_lm = √((l−m+1)(l+m)) f_{l,m−1}, (L₋f)_lm = √((l+m+1)(l−m)) f_{l,m+1}.
            let raised = ((lf - mf + 1.0) * (lf + mf)).sqrt() * coefficient(l, m as isize - 1);
            let lowered = ((lf + mf + 1.0) * (lf - mf)).sqrt() * coefficient(l, m as isize + 1);
            out[0].set(l, m, 0.5 * i * (raised + lowered));
            out[1].set(l, m, 0.5 * (raised - lowered));
            out[2].set(l, m, i * mf * f.get(l, m));
        }
    }
    out
}
