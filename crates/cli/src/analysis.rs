//! `--lmax`, `--iter`, `--no-pol` and `--use-weights`: how the commands that analyse a map into a_lm do it
//! (`spectrum`, `smooth`, `alm from-map`).

use clap::Args;
use tessera_sky::sht::Map2AlmOptions;

/// The analysis settings shared by the commands that run map2alm.
#[derive(Args, Debug, Clone)]
pub struct AnalysisArgs {
    /// Largest multipole (default 3 nside - 1).
    #[arg(long)]
    lmax: Option<usize>,
    /// Jacobi iterations of map2alm (healpy's default 3).
    #[arg(long, default_value_t = 3)]
    iter: usize,
    /// Treat every field as a scalar, even in a T/Q/U map (no E and B): for `spectrum`, TT of
    /// the first field only.
    #[arg(long)]
    no_pol: bool,
    /// Weigh each ring by HEALPix's ring weights (healpy's use_weights=True): the quadrature is
    /// then exact for the axisymmetric harmonics up to about 3 nside, which HEALPix Fortran's
    /// anafast references use. Computed here (nside up to 2048), not read from files.
    #[arg(long)]
    use_weights: bool,
}

impl AnalysisArgs {
    /// healpy's map2alm options.
    pub fn options(&self) -> Map2AlmOptions {
        Map2AlmOptions {
            lmax: self.lmax,
            mmax: None,
            iter: self.iter,
            pol: !self.no_pol,
            use_weights: self.use_weights,
        }
    }
}
