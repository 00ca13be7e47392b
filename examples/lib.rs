//! Runnable examples of Tessera used as a library; see the `[[example]]` entries of this crate:
//!
//! - `sky_pipeline`: read a map, degrade it, mask it, remove its monopole, write it, render it:
//!   `cargo run -p tessera-examples --example sky_pipeline -- MAP.fits OUT_DIR`.
