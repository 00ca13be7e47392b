//! [`Alm`]: spherical harmonic coefficients in healpy's layout.

use realfft::num_complex::Complex64;

use crate::error::{Result, SkyError};

/// Spherical harmonic coefficients `a_lm` for `0 ≤ m ≤ mmax`, `m ≤ l ≤ lmax`, stored as healpy
/// stores them: m-major, `index = m (2 lmax + 1 − m) / 2 + l`. Coefficients with `m < 0` follow
/// from `a_l,−m = (−1)^m conj(a_lm)` for real maps and are not stored.
///
/// # Example
/// ```
/// use tessera_sky::sht::{Alm, Complex64};
/// let mut alm = Alm::zeros(4, 4);
/// assert_eq!(alm.len(), 15);
/// assert_eq!(Alm::index_of(4, 2, 1), 6); // healpy.Alm.getidx(4, 2, 1)
/// alm.set(2, 1, Complex64::new(1.0, -2.0));
/// assert_eq!(alm.get(2, 1).im, -2.0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Alm {
    lmax: usize,
    mmax: usize,
    values: Vec<Complex64>,
}

impl Alm {
    /// The number of coefficients for `lmax`, `mmax` (healpy's `Alm.getsize`).
    pub fn size(lmax: usize, mmax: usize) -> usize {
        let mmax = mmax.min(lmax);
        (mmax + 1) * (lmax + 1) - mmax * (mmax + 1) / 2
    }

    /// The position of `(l, m)` in the storage (healpy's `Alm.getidx`); needs `m ≤ l ≤ lmax`.
    #[inline]
    pub fn index_of(lmax: usize, l: usize, m: usize) -> usize {
        m * (2 * lmax + 1 - m) / 2 + l
    }

    /// All-zero coefficients (`mmax` is clipped to `lmax`).
    pub fn zeros(lmax: usize, mmax: usize) -> Self {
        let mmax = mmax.min(lmax);
        Alm {
            lmax,
            mmax,
            values: vec![Complex64::new(0.0, 0.0); Self::size(lmax, mmax)],
        }
    }

    /// Coefficients from a vector in healpy's order.
    ///
    /// # Errors
    /// [`SkyError::MmaxAboveLmax`]; [`SkyError::AlmCount`] when the length is not
    /// `Alm::size(lmax, mmax)`; [`SkyError::NotFiniteCoefficient`]; [`SkyError::ImaginaryM0`]
    /// when an `m = 0` coefficient has an imaginary part (a real map's `a_l0` are real).
    pub fn from_vec(lmax: usize, mmax: usize, values: Vec<Complex64>) -> Result<Self> {
        if mmax > lmax {
            return Err(SkyError::MmaxAboveLmax { lmax, mmax });
        }
        let needed = Self::size(lmax, mmax);
        if values.len() != needed {
            return Err(SkyError::AlmCount {
                found: values.len(),
                lmax,
                mmax,
                needed,
            });
        }
        if let Some(index) = values
            .iter()
            .position(|v| !v.re.is_finite() || !v.im.is_finite())
        {
            return Err(SkyError::NotFiniteCoefficient { index });
        }
        if let Some(l) = values[..=lmax].iter().position(|v| v.im != 0.0) {
            return Err(SkyError::ImaginaryM0 { l });
        }
        Ok(Alm { lmax, mmax, values })
    }

    /// Coefficients from a size alone, as healpy's `Alm.getlmax` (assumes `mmax = lmax`).
    ///
    /// # Errors
    /// [`SkyError::NotTriangular`] when the length is not a triangle number `(l+1)(l+2)/2`.
    pub fn from_vec_square(values: Vec<Complex64>) -> Result<Self> {
        let n = values.len();
        let lmax = ((((8 * n + 1) as f64).sqrt() - 3.0) / 2.0).round() as usize;
        if Self::size(lmax, lmax) != n {
            return Err(SkyError::NotTriangular { coefficients: n });
        }
        Self::from_vec(lmax, lmax, values)
    }

    /// The largest multipole.
    pub fn lmax(&self) -> usize {
        self.lmax
    }

    /// The largest order.
    pub fn mmax(&self) -> usize {
        self.mmax
    }

    /// The number of stored coefficients.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no coefficient is stored (never true: `lmax = 0` stores `a_00`).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `a_lm`; needs `m ≤ min(l, mmax)`, `l ≤ lmax`.
    ///
    /// # Panics
    /// When `(l, m)` is outside the stored triangle.
    #[inline]
    pub fn get(&self, l: usize, m: usize) -> Complex64 {
        assert!(
            m <= self.mmax && m <= l && l <= self.lmax,
            "a_{l},{m} is not stored"
        );
        self.values[Self::index_of(self.lmax, l, m)]
    }

    /// Sets `a_lm`.
    ///
    /// # Panics
    /// When `(l, m)` is outside the stored triangle.
    #[inline]
    pub fn set(&mut self, l: usize, m: usize, value: Complex64) {
        assert!(
            m <= self.mmax && m <= l && l <= self.lmax,
            "a_{l},{m} is not stored"
        );
        self.values[Self::index_of(self.lmax, l, m)] = value;
    }

    /// All coefficients in healpy's order.
    pub fn values(&self) -> &[Complex64] {
        &self.values
    }

    /// All coefficients in healpy's order, writable.
    pub fn values_mut(&mut self) -> &mut [Complex64] {
        &mut self.values
    }

    /// The coefficients of order `m`: `a_mm, a_m+1,m, …, a_lmax,m`.
    pub fn column(&self, m: usize) -> &[Complex64] {
        let start = Self::index_of(self.lmax, m, m);
        &self.values[start..start + self.lmax + 1 - m]
    }

    /// Every column, writable and disjoint (for work split over `m`).
    pub(crate) fn columns_mut(&mut self) -> Vec<&mut [Complex64]> {
        let mut rest: &mut [Complex64] = &mut self.values;
        let mut out = Vec::with_capacity(self.mmax + 1);
        for m in 0..=self.mmax {
            let (col, tail) = rest.split_at_mut(self.lmax + 1 - m);
            out.push(col);
            rest = tail;
        }
        out
    }

    /// Consumes the coefficients, returning them in healpy's order.
    pub fn into_vec(self) -> Vec<Complex64> {
        self.values
    }

    /// Multiplies every `a_lm` by `fl[l]` (healpy's `almxfl`; `l` beyond `fl` gets 0).
    pub fn almxfl(&mut self, fl: &[f64]) {
        for m in 0..=self.mmax {
            let start = Self::index_of(self.lmax, m, m);
            for (l, a) in (m..=self.lmax).zip(&mut self.values[start..]) {
                *a *= fl.get(l).copied().unwrap_or(0.0);
            }
        }
    }

    /// `self += other`, coefficient by coefficient.
    ///
    /// # Errors
    /// [`SkyError::AlmShape`] when the two have different `lmax` or `mmax`.
    pub fn add_assign(&mut self, other: &Alm) -> Result<()> {
        self.check_same_shape(other)?;
        for (a, b) in self.values.iter_mut().zip(&other.values) {
            *a += b;
        }
        Ok(())
    }

    /// Checks that `other` has the same `lmax` and `mmax`.
    ///
    /// # Errors
    /// [`SkyError::AlmShape`] otherwise.
    pub fn check_same_shape(&self, other: &Alm) -> Result<()> {
        if (self.lmax, self.mmax) != (other.lmax, other.mmax) {
            return Err(SkyError::AlmShape {
                what: "alm of the same shape",
                found: (other.lmax, other.mmax),
                needed: (self.lmax, self.mmax),
            });
        }
        Ok(())
    }

    /// The coefficients truncated (or zero-padded) to new `lmax`, `mmax`.
    pub fn resized(&self, lmax: usize, mmax: usize) -> Alm {
        let mut out = Alm::zeros(lmax, mmax);
        for m in 0..=out.mmax.min(self.mmax) {
            for l in m..=lmax.min(self.lmax) {
                out.set(l, m, self.get(l, m));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_healpy() {
        // healpy.Alm.getidx(10, l, m) for a few (l, m), and getsize(10, 5).
        assert_eq!(Alm::index_of(10, 0, 0), 0);
        assert_eq!(Alm::index_of(10, 10, 0), 10);
        assert_eq!(Alm::index_of(10, 1, 1), 11);
        assert_eq!(Alm::index_of(10, 10, 10), 65);
        assert_eq!(Alm::size(10, 10), 66);
        assert_eq!(Alm::size(10, 5), 51);
        let alm = Alm::zeros(10, 5);
        assert_eq!(alm.column(5).len(), 6);
        assert_eq!(alm.len(), 51);
    }

    #[test]
    fn from_vec_checks_length_and_m0() {
        assert!(Alm::from_vec(3, 3, vec![Complex64::new(0.0, 0.0); 9]).is_err());
        let mut v = vec![Complex64::new(0.0, 0.0); 10];
        v[2].im = 1.0;
        let e = Alm::from_vec(3, 3, v.clone()).unwrap_err().to_string();
        assert!(e.contains("a_2,0"), "{e}");
        v[2].im = 0.0;
        v[7].re = f64::NAN;
        assert!(Alm::from_vec(3, 3, v).is_err());
        assert_eq!(
            Alm::from_vec_square(vec![Complex64::new(0.0, 0.0); 10])
                .unwrap()
                .lmax(),
            3
        );
        assert!(Alm::from_vec_square(vec![Complex64::new(0.0, 0.0); 11]).is_err());
    }

    #[test]
    fn almxfl_and_resize() {
        let mut alm = Alm::zeros(3, 3);
        alm.values_mut()
            .iter_mut()
            .for_each(|a| *a = Complex64::new(1.0, 0.0));
        alm.almxfl(&[1.0, 2.0, 3.0]);
        assert_eq!(alm.get(2, 1).re, 3.0);
        assert_eq!(alm.get(3, 3).re, 0.0);
        let small = alm.resized(2, 1);
        assert_eq!(small.len(), Alm::size(2, 1));
        assert_eq!(small.get(1, 1).re, 2.0);
    }
}
