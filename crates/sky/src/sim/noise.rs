//! Instrumental white noise and sky cuts.

use rand_distr::{Distribution, StandardNormal};
use tessera_healpix::Healpix;

use crate::sht::SimRng;

/// Arc-minutes per radian.
const ARCMIN_PER_RAD: f64 = 180.0 * 60.0 / std::f64::consts::PI;

/// White noise of `level` μK·arcmin (per Stokes parameter): the standard deviation per pixel is
/// `level / sqrt(Ω_pix)` with the pixel solid angle in arcmin².
pub fn pixel_sigma(level_uk_arcmin: f64, nside: u64) -> f64 {
    let npix = 12.0 * (nside * nside) as f64;
    let pixel_arcmin2 = 4.0 * std::f64::consts::PI / npix * ARCMIN_PER_RAD * ARCMIN_PER_RAD;
    level_uk_arcmin / pixel_arcmin2.sqrt()
}

/// The power spectrum of that noise, `N_l = (level in μK·rad)²`, flat in `l`.
pub fn noise_cl(level_uk_arcmin: f64) -> f64 {
    (level_uk_arcmin / ARCMIN_PER_RAD).powi(2)
}

/// Adds Gaussian white noise of standard deviation `sigma` to every value.
pub fn add_white_noise(values: &mut [f64], sigma: f64, rng: &mut SimRng) {
    if sigma > 0.0 {
        for v in values {
            let g: f64 = StandardNormal.sample(rng);
            *v += sigma * g;
        }
    }
}

/// A galactic-plane cut: 0 where `|b| < b_cut` (latitude measured from the map's equator, which
/// is the galactic plane for maps in galactic coordinates), 1 elsewhere; in `geometry`'s scheme.
pub fn galactic_cut(geometry: Healpix, b_cut_deg: f64) -> Vec<f64> {
    let mut mask = vec![1.0; geometry.npix() as usize];
    for p in crate::galactic::pixels_near_great_circle(geometry, [0.0, 0.0, 1.0], b_cut_deg) {
        mask[p] = 0.0;
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_levels() {
        // nside 16: pixel side sqrt(4π/3072) rad = 219.9 arcmin.
        assert!((pixel_sigma(219.8677, 16) - 1.0).abs() < 1e-4);
        assert!((noise_cl(ARCMIN_PER_RAD) - 1.0).abs() < 1e-12);
        let cut = galactic_cut(Healpix::ring(8).unwrap(), 30.0);
        let f = cut.iter().sum::<f64>() / cut.len() as f64;
        assert!((f - 0.5).abs() < 0.05, "f_sky {f}");
    }
}
