//! CMB simulations for the training tasks, reproducible from a seed: the NNhealpix peak-spectrum
//! mock (T, pure E, pure B), CAMB spectra on a τ grid, white noise, beams, sky cuts, and pixel
//! windows from drawing the sky finer and averaging it down.
//!
//! # Example
//! ```
//! use tessera_sky::sim::{PeakField, PeakSpectrum, SimConfig, SimTask, Simulator};
//! let task = SimTask::EllPeak {
//!     field: PeakField::Temperature,
//!     shape: PeakSpectrum::default(),
//!     range: (5.0, 32.0),
//! };
//! // Drawn at nside 64 with its pixel window, averaged down to 16, as real maps are made.
//! let sim = Simulator::new(SimConfig { seed: 1, ..SimConfig::new(task, 16) })?;
//! let first = sim.simulate(0)?;
//! assert_eq!(first, sim.simulate(0)?); // map 0 of seed 1, every time
//! assert!((5.0..32.0).contains(&first.parameter.unwrap()));
//! # Ok::<(), tessera_sky::SkyError>(())
//! ```

mod estimator;
mod noise;
mod recipe;
mod spectra;

pub use estimator::ParameterEstimator;

pub use noise::{add_white_noise, galactic_cut, noise_cl, pixel_sigma};
pub use recipe::{PeakField, SimConfig, SimTask, Simulation, Simulator};
pub use spectra::{PeakSpectrum, TAU_GRID_LMAX, TAU_MAX, TAU_MIN, TauGrid, TauVariant};
