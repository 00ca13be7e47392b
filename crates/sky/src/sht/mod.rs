//! Spherical harmonic transforms on HEALPix maps, healpy-compatible.
//!
//! Ring-based like libsharp and ducc0: each transform is one real FFT per ring plus, for every
//! order `m`, a Legendre sum over `l` whose `λ_lm` are computed on the fly by recurrence, with
//! north/south ring pairs done together and the work split over `m` on rayon's pool.

mod alm;
mod fft;
mod legendre;
mod plan;
mod rings;
mod spin0;
mod spin2;

pub use alm::Alm;
pub use plan::ShtPlan;
pub use realfft::num_complex::Complex64;
