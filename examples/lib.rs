//! Runnable examples of Tessera used as a library; see the `[[example]]` entries of this crate:
//!
//! - `sky_pipeline`: read a map, degrade it, mask it, remove its monopole, write it, render it:
//!   `cargo run -p tessera-examples --example sky_pipeline -- MAP.fits OUT_DIR`.
//! - `estimate_parameters`: load a trained sphere CNN and estimate its parameter (τ, ℓ_p) for
//!   every FITS map of a directory:
//!   `cargo run --release -p tessera-examples --example estimate_parameters -- RUN_DIR MAPS_DIR`.
