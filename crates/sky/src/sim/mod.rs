//! CMB simulations for the training tasks, reproducible from a seed: the NNhealpix peak-spectrum
//! mock (T, pure E, pure B), CAMB spectra on a τ grid, white noise, beams and sky cuts.
//!
//! # Example
//! ```
//! use tessera_sky::sim::{PeakField, PeakSpectrum, SimConfig, SimTask, Simulator};
//! let sim = Simulator::new(SimConfig {
//!     task: SimTask::EllPeak { field: PeakField::Temperature, shape: PeakSpectrum::default(), range: (5.0, 32.0) },
//!     nside: 16, lmax: None, seed: 1, noise_uk_arcmin: 0.0, fwhm: 0.0, mask: None,
//! })?;
//! let first = sim.simulate(0)?;
//! assert_eq!(first, sim.simulate(0)?); // map 0 of seed 1, every time
//! assert!((5.0..32.0).contains(&first.parameter.unwrap()));
//! # Ok::<(), tessera_sky::SkyError>(())
//! ```

mod noise;
mod recipe;
mod spectra;

pub use noise::{add_white_noise, galactic_cut, noise_cl, pixel_sigma};
pub use recipe::{PeakField, SimConfig, SimTask, Simulation, Simulator};
pub use spectra::{PeakSpectrum, TAU_GRID_LMAX, TAU_MAX, TAU_MIN, TauGrid, TauVariant};
