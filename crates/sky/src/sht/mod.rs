//! Spherical harmonic transforms on HEALPix maps, healpy-compatible.
//!
//! Ring-based like libsharp and ducc0: each transform is one real FFT per ring plus, for every
//! order `m`, a Legendre sum over `l` whose `λ_lm` are computed on the fly by recurrence, with
//! north/south ring pairs done together and the work split over `m` on rayon's pool.

mod alm;
mod climb;
mod fft;
mod legendre;
mod plan;
mod rings;
mod simd;
mod spin0;
mod spin2;

pub use alm::Alm;

/// The Legendre kernels the transforms run on this CPU: `"avx512"`, `"avx2+fma"` or
/// `"portable"`, chosen at run time (`TESSERA_SHT_NO_AVX512=1` stops at AVX2,
/// `TESSERA_SHT_PORTABLE=1` at the portable kernels).
pub fn kernel_flavour() -> &'static str {
    simd::Isa::detect().name()
}
pub use plan::ShtPlan;
pub use realfft::num_complex::Complex64;
pub(crate) mod pixwin;
mod spectra;
mod synth;

pub use beam::{beam2bl, bl2beam};
pub use pixwin::{PIXWIN_TABLE_NSIDE_MAX, pixwin, pixwin_pol, pixwin_pol_computed};
pub use spectra::{PowerSpectra, Spectrum, alm2cl};
pub use synth::{InputCls, SimRng, fwhm_of_sigma, gauss_beam, sim_rng, synalm};
mod beam;
mod derivatives;
mod lsq;
mod maps;

pub use derivatives::alm2map_der1;
mod ring_weights;
mod spin;

pub use spin::{alm2map_spin, map2alm_spin};
mod rotate_alm;

pub use ring_weights::{RING_WEIGHTS_NSIDE_MAX, ring_weights, ring_weights_lmax};

pub use lsq::{LsqAlm, LsqOptions, map2alm_lsq};
pub use rotate_alm::{rotate_alm, rotate_alm_euler};

pub use maps::{
    Map2AlmOptions, SynfastOptions, alm2map, alm2map_with, anafast, anafast_cross, map2alm,
    map2alm_with, rotate_map_alms, smoothing, smoothing_beam, synfast, synfast_with,
};
