//! HEALPix sky maps with healpy's conventions: FITS I/O, reorder, ud_grade, masks.
//!
//! `tessera-sky` reads every HEALPix FITS map that healpy reads (RING and NESTED, full-sky and
//! partial, any column type, gzip) into a [`SkyMap`], writes maps that healpy reads back with the
//! same header keys, and provides the whole-map operations analysis starts with. Pixel geometry
//! comes from `tessera-healpix`.
//!
//! # Quick start
//! ```
//! use tessera_healpix::{Healpix, Scheme};
//! use tessera_sky::{SkyMap, UdGradeOptions, WriteOptions, read_map, write_map};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("map.fits");
//! let map = SkyMap::new(Healpix::ring(16)?, vec![("TEMPERATURE", vec![2.725; 3072])])?;
//! write_map(&path, &map, &WriteOptions::default())?;
//! let low = read_map(&path, &Default::default())?.ud_grade(8, UdGradeOptions::default())?;
//! assert_eq!((low.nside(), low.scheme()), (8, Scheme::Ring));
//! # Ok::<(), tessera_sky::SkyError>(())
//! ```

mod atomic;
pub mod coupling;
mod error;
mod fits;
mod galactic;
#[cfg(feature = "ndarray")]
mod interop;
pub mod likelihood;
mod map;
mod ops;
pub mod project;
#[cfg(feature = "render")]
mod render;
mod rotate;
pub mod sht;
pub mod sim;

pub use atomic::write_atomically;
pub use error::{Result, SkyError};
pub use fits::{
    Dtype, FieldSelection, FitsHeader, HeaderCard, ReadOptions, WriteOptions, read_alm, read_cl,
    read_header, read_map, write_alm, write_cl, write_map,
};
pub use galactic::galactic_north_pole;
pub use map::{Field, FieldStats, SkyMap, UNSEEN, is_unseen};
pub use ops::{DipoleFit, UdGradeOptions};
#[cfg(feature = "render")]
pub use render::{
    Colormap, MollweideOptions, Projection, Scale, log_tick, plot_spectra, register_fonts,
    render_mollweide,
};
