//! Angular power spectra: [`alm2cl`] and the [`PowerSpectra`] set healpy's `anafast` returns.

use super::alm::Alm;
use crate::error::{Result, SkyError};

/// The six spectra of a T/E/B set, in healpy's order (`anafast` and `alm2cl` return
/// TT, EE, BB, TE, EB, TB; HEALPix FITS files store TT, EE, BB, TE, TB, EB).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Spectrum {
    /// Temperature auto-spectrum.
    TT,
    /// E-mode auto-spectrum.
    EE,
    /// B-mode auto-spectrum.
    BB,
    /// Temperature × E.
    TE,
    /// E × B.
    EB,
    /// Temperature × B.
    TB,
}

impl Spectrum {
    /// The six spectra in healpy's order.
    pub const HEALPY_ORDER: [Spectrum; 6] = [
        Spectrum::TT,
        Spectrum::EE,
        Spectrum::BB,
        Spectrum::TE,
        Spectrum::EB,
        Spectrum::TB,
    ];

    /// The name as in FITS column names and CSV headers (`TT`, `EE`, …).
    pub fn name(self) -> &'static str {
        match self {
            Spectrum::TT => "TT",
            Spectrum::EE => "EE",
            Spectrum::BB => "BB",
            Spectrum::TE => "TE",
            Spectrum::EB => "EB",
            Spectrum::TB => "TB",
        }
    }

    /// The indices of the two alm sets (0 = T, 1 = E, 2 = B) the spectrum correlates.
    pub fn components(self) -> (usize, usize) {
        match self {
            Spectrum::TT => (0, 0),
            Spectrum::EE => (1, 1),
            Spectrum::BB => (2, 2),
            Spectrum::TE => (0, 1),
            Spectrum::EB => (1, 2),
            Spectrum::TB => (0, 2),
        }
    }
}

/// One or six angular power spectra `C_l`, `l = 0 ..= lmax`.
#[derive(Clone, Debug, PartialEq)]
pub struct PowerSpectra {
    /// The spectra present, each with its `lmax + 1` values.
    pub spectra: Vec<(Spectrum, Vec<f64>)>,
}

impl PowerSpectra {
    /// Undoes the pixel window of maps at `nside`: every spectrum divided by the product of
    /// its two fields' windows ([`super::pixwin_pol`]: `w_T²` for TT, `w_P²` for EE, BB and EB,
    /// `w_T w_P` for TE and TB) — healpy's `anafast(m) / pixwin(nside)**2` for all six. The
    /// polarisation window is 0 below ℓ = 2, where those spectra are left as they are.
    ///
    /// # Errors
    /// When the spectra go beyond `4 nside` (the windows stop there).
    pub fn deconvolve_pixwin(&mut self, nside: u64) -> Result<()> {
        let lmax = self.spectra.iter().map(|(_, v)| v.len()).max().unwrap_or(1) - 1;
        let [t, p] = super::pixwin_pol(nside, Some(lmax))?;
        for (which, values) in &mut self.spectra {
            let (a, b) = match which {
                Spectrum::TT => (&t, &t),
                Spectrum::TE | Spectrum::TB => (&t, &p),
                Spectrum::EE | Spectrum::BB | Spectrum::EB => (&p, &p),
            };
            for (l, v) in values.iter_mut().enumerate() {
                let w = a[l] * b[l];
                if w > 0.0 {
                    *v /= w;
                }
            }
        }
        Ok(())
    }

    /// The spectrum `which`, if present.
    pub fn get(&self, which: Spectrum) -> Option<&[f64]> {
        self.spectra
            .iter()
            .find(|(s, _)| *s == which)
            .map(|(_, v)| v.as_slice())
    }

    /// The largest multipole.
    pub fn lmax(&self) -> usize {
        self.spectra
            .first()
            .map_or(0, |(_, v)| v.len().saturating_sub(1))
    }

    /// Auto and cross spectra of a T alm set, or of T/E/B sets (all six, healpy's order).
    ///
    /// # Errors
    /// [`SkyError::SetCount`] when there are neither 1 nor 3 sets, [`SkyError::AlmShape`] when
    /// their shapes differ.
    pub fn from_alms(alms: &[Alm]) -> Result<Self> {
        Self::cross(alms, alms)
    }

    /// Cross spectra of two alm sets of 1 or 3 components each (healpy's `alm2cl(alms1, alms2)`).
    ///
    /// # Errors
    /// [`SkyError::SetCount`] when the sets do not both have 1 or both 3 components,
    /// [`SkyError::AlmShape`] when shapes differ.
    pub fn cross(a: &[Alm], b: &[Alm]) -> Result<Self> {
        let which: &[Spectrum] = match (a.len(), b.len()) {
            (1, 1) => &[Spectrum::TT],
            (3, 3) => &Spectrum::HEALPY_ORDER,
            (x, y) => {
                return Err(SkyError::SetCount {
                    what: "cross power spectrum (each side)",
                    found: if matches!(x, 1 | 3) { y } else { x },
                });
            }
        };
        let spectra = which
            .iter()
            .map(|&s| {
                let (i, j) = s.components();
                Ok((s, alm2cl(&a[i], &b[j])?))
            })
            .collect::<Result<_>>()?;
        Ok(PowerSpectra { spectra })
    }
}

/// The cross power spectrum `C_l = (Re a_l0 b_l0* + 2 Σ_{m≥1} Re a_lm b_lm*) / (2l + 1)`
/// (healpy's `alm2cl`; pass the same set twice for an auto-spectrum).
///
/// # Errors
/// [`SkyError::AlmShape`] when the two sets have different `lmax` or `mmax`.
pub fn alm2cl(a: &Alm, b: &Alm) -> Result<Vec<f64>> {
    a.check_same_shape(b)?;
    let lmax = a.lmax();
    let mut cl = vec![0.0; lmax + 1];
    for m in 0..=a.mmax() {
        let factor = if m == 0 { 1.0 } else { 2.0 };
        for ((l, x), y) in (m..=lmax).zip(a.column(m)).zip(b.column(m)) {
            cl[l] += factor * (x.re * y.re + x.im * y.im);
        }
    }
    for (l, c) in cl.iter_mut().enumerate() {
        *c /= (2 * l + 1) as f64;
    }
    Ok(cl)
}

#[cfg(test)]
mod tests {
    use super::super::pixwin_pol;

    /// Each spectrum is divided by its two fields' windows; below ℓ = 2 the polarised ones,
    /// whose window is 0, are left alone.
    #[test]
    fn deconvolving_the_pixel_window_divides_by_both_fields_windows() {
        let lmax = 40;
        let mut s = PowerSpectra {
            spectra: Spectrum::HEALPY_ORDER
                .iter()
                .map(|&w| (w, vec![1.0; lmax + 1]))
                .collect(),
        };
        s.deconvolve_pixwin(16).unwrap();
        let [t, p] = pixwin_pol(16, Some(lmax)).unwrap();
        for l in [0, 1, 2, 20, 40] {
            let tt = s.get(Spectrum::TT).unwrap()[l];
            assert!((tt * t[l] * t[l] - 1.0).abs() < 1e-12, "{l}");
            let (ee, te) = (
                s.get(Spectrum::EE).unwrap()[l],
                s.get(Spectrum::TE).unwrap()[l],
            );
            if l < 2 {
                assert_eq!((ee, te), (1.0, 1.0));
            } else {
                assert!((ee * p[l] * p[l] - 1.0).abs() < 1e-12);
                assert!((te * t[l] * p[l] - 1.0).abs() < 1e-12);
            }
        }
        assert!(s.deconvolve_pixwin(8).is_err(), "lmax 40 > 4 × 8");
    }

    use super::*;
    use realfft::num_complex::Complex64;

    #[test]
    fn alm2cl_counts_negative_m() {
        let mut a = Alm::zeros(2, 2);
        a.set(2, 0, Complex64::new(1.0, 0.0));
        a.set(2, 2, Complex64::new(0.0, 2.0));
        let cl = alm2cl(&a, &a).unwrap();
        assert_eq!(cl, vec![0.0, 0.0, (1.0 + 2.0 * 4.0) / 5.0]);
        let set = PowerSpectra::from_alms(&[a.clone(), a.clone(), a]).unwrap();
        assert_eq!(set.spectra.len(), 6);
        assert_eq!(set.get(Spectrum::EB).unwrap()[2], 9.0 / 5.0);
        assert!(PowerSpectra::from_alms(&[]).is_err());
    }
}
