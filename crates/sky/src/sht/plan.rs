//! [`ShtPlan`]: everything a transform between one nside and one `lmax`/`mmax` reuses.

use rayon::prelude::*;
use realfft::num_complex::Complex64;

use super::alm::Alm;
use super::fft::{RingFfts, RingScratch};
use super::legendre::{LegendreTables, Recurrence};
use super::rings::{RingPair, ring_pairs};
use super::spin0::{self, Climb, LANES, Lanes};
use crate::error::{Result, SkyError};

/// Phase buffers are kept near this size so that a block of rings stays in cache.
const BLOCK_BYTES: usize = 4 << 20;

/// Ring geometry, FFT plans and Legendre tables for transforms between RING maps of one nside
/// and coefficients of one `lmax`, `mmax`. Build it once and reuse it for many maps (iterations,
/// simulations): construction costs about as much as a small transform.
///
/// Work is split over `m` (Legendre sums) and over rings (FFTs) on rayon's thread pool; run
/// inside `rayon::ThreadPool::install` to choose the number of threads.
///
/// # Example
/// ```
/// use tessera_sky::sht::{Alm, ShtPlan};
/// let plan = ShtPlan::new(16, 47, 47)?;
/// let mut alm = Alm::zeros(47, 47);
/// alm.set(10, 3, (1.0, 0.5).into());
/// let map = plan.alm2map(&alm)?;
/// let back = plan.map2alm(&map, 3)?;
/// assert!((back.get(10, 3) - alm.get(10, 3)).norm() < 1e-9);
/// # Ok::<(), tessera_sky::SkyError>(())
/// ```
pub struct ShtPlan {
    nside: usize,
    lmax: usize,
    mmax: usize,
    pub(crate) pairs: Vec<RingPair>,
    pub(crate) tables: LegendreTables,
    pub(crate) ffts: RingFfts,
    /// Ring pairs per block.
    pub(crate) block: usize,
}

/// The two rings of a pair as writable slices of a map.
pub(crate) type PairSlices<'a> = (&'a mut [f64], Option<&'a mut [f64]>);

impl ShtPlan {
    /// A plan for maps of `nside` and coefficients up to `lmax`, `mmax` (`mmax` is clipped to
    /// `lmax`).
    ///
    /// # Errors
    /// [`SkyError::Mismatch`] when `nside` is 0 or `lmax > 4 nside` (a HEALPix map cannot
    /// constrain such multipoles; healpy's default is `3 nside − 1`).
    pub fn new(nside: u64, lmax: usize, mmax: usize) -> Result<Self> {
        if nside == 0 || nside > 1 << 20 {
            return Err(SkyError::Mismatch {
                what: "spherical harmonic transform",
                detail: format!("nside {nside} is not in 1..=2^20"),
            });
        }
        let nside = nside as usize;
        if lmax > 4 * nside {
            return Err(SkyError::Mismatch {
                what: "spherical harmonic transform",
                detail: format!(
                    "lmax {lmax} is above 4 nside = {}; use at most 3 nside - 1 = {}",
                    4 * nside,
                    3 * nside - 1
                ),
            });
        }
        let mmax = mmax.min(lmax);
        let per_pair = (mmax + 1) * 2 * std::mem::size_of::<Complex64>();
        let block = (BLOCK_BYTES / per_pair).clamp(LANES, 256) / LANES * LANES;
        Ok(ShtPlan {
            nside,
            lmax,
            mmax,
            pairs: ring_pairs(nside),
            tables: LegendreTables::new(lmax),
            ffts: RingFfts::new(nside),
            block,
        })
    }

    /// The map resolution.
    pub fn nside(&self) -> u64 {
        self.nside as u64
    }

    /// The largest multipole.
    pub fn lmax(&self) -> usize {
        self.lmax
    }

    /// The largest order.
    pub fn mmax(&self) -> usize {
        self.mmax
    }

    /// Pixels of a map.
    pub fn npix(&self) -> usize {
        12 * self.nside * self.nside
    }

    /// The quadrature weight of every pixel (healpy without ring weights): `4π / npix`.
    pub(crate) fn pixel_weight(&self) -> f64 {
        4.0 * std::f64::consts::PI / self.npix() as f64
    }

    pub(crate) fn check_alm(&self, alm: &Alm) -> Result<()> {
        if (alm.lmax(), alm.mmax()) != (self.lmax, self.mmax) {
            return Err(SkyError::Mismatch {
                what: "alm",
                detail: format!(
                    "lmax/mmax {}/{} given, the transform was planned for {}/{}",
                    alm.lmax(),
                    alm.mmax(),
                    self.lmax,
                    self.mmax
                ),
            });
        }
        Ok(())
    }

    pub(crate) fn check_map(&self, map: &[f64]) -> Result<()> {
        if map.len() != self.npix() {
            return Err(SkyError::Mismatch {
                what: "map",
                detail: format!(
                    "{} pixels given, nside {} needs {}",
                    map.len(),
                    self.nside,
                    self.npix()
                ),
            });
        }
        if let Some(p) = map.iter().position(|v| !v.is_finite()) {
            return Err(SkyError::Mismatch {
                what: "map",
                detail: format!(
                    "pixel {p} is {}; replace it with UNSEEN or mask it before the transform",
                    map[p]
                ),
            });
        }
        Ok(())
    }

    /// Splits a RING map into the rings of each pair.
    pub(crate) fn pair_slices<'a>(&self, map: &'a mut [f64]) -> Vec<PairSlices<'a>> {
        let npairs = self.pairs.len();
        let mut rings: Vec<&'a mut [f64]> = Vec::with_capacity(2 * npairs);
        let mut rest = map;
        let lengths = self
            .pairs
            .iter()
            .map(|p| p.north.nphi)
            .chain(self.pairs.iter().rev().filter_map(|p| p.south.map(|s| s.nphi)));
        for len in lengths {
            let (ring, tail) = rest.split_at_mut(len);
            rings.push(ring);
            rest = tail;
        }
        let mut south: Vec<&'a mut [f64]> = rings.split_off(npairs);
        south.reverse();
        let mut south = south.into_iter();
        rings
            .into_iter()
            .zip(&self.pairs)
            .map(|(north, p)| (north, p.south.and_then(|_| south.next())))
            .collect()
    }

    /// Lanes of `cos θ` and `sin θ` for a chunk of ring pairs (unused lanes: `sin θ = 0`).
    pub(crate) fn lanes(chunk: &[RingPair]) -> (Lanes, Lanes) {
        let mut cos = [0.0; LANES];
        let mut sin = [0.0; LANES];
        for (k, p) in chunk.iter().enumerate() {
            cos[k] = p.cos_theta;
            sin[k] = p.sin_theta;
        }
        (cos, sin)
    }

    /// Synthesis of a spin-0 map: `f(p) = Σ_lm a_lm Y_lm(p)`, in RING order.
    ///
    /// # Errors
    /// [`SkyError::Mismatch`] when `alm` does not have the planned `lmax`, `mmax`.
    pub fn alm2map(&self, alm: &Alm) -> Result<Vec<f64>> {
        self.check_alm(alm)?;
        let mut map = vec![0.0; self.npix()];
        let mut slices = self.pair_slices(&mut map);
        let mmax = self.mmax;
        for (block, out) in self.pairs.chunks(self.block).zip(slices.chunks_mut(self.block)) {
            let width = block.len();
            let mut phase = vec![[Complex64::new(0.0, 0.0); 2]; (mmax + 1) * width];
            phase
                .par_chunks_mut(width)
                .enumerate()
                .for_each_init(Recurrence::new, |rec, (m, phase_m)| {
                    self.tables.recurrence(m, rec);
                    let col = alm.column(m);
                    for (chunk, dst) in block.chunks(LANES).zip(phase_m.chunks_mut(LANES)) {
                        let (cos, sin) = Self::lanes(chunk);
                        let mut climb = Climb::start(&self.tables, m, &cos, &sin);
                        let sums = spin0::synthesize(&mut climb, rec, col);
                        dst.copy_from_slice(&sums[..dst.len()]);
                    }
                });
            out.par_iter_mut().zip(block).enumerate().for_each_init(
                RingScratch::default,
                |scratch, (j, ((north, south), pair))| {
                    let shifted = pair.phi0 != 0.0;
                    for (side, ring) in [(0, Some(&mut **north)), (1, south.as_deref_mut())] {
                        if let Some(ring) = ring {
                            let coeff = |m: usize| phase[m * width + j][side];
                            self.ffts.synthesize(coeff, mmax, shifted, ring, scratch);
                        }
                    }
                },
            );
        }
        drop(slices);
        Ok(map)
    }

    /// One analysis pass without iteration: `a_lm = (4π/npix) Σ_p f(p) Y*_lm(p)`.
    pub(crate) fn map2alm_once(&self, map: &[f64], alm: &mut Alm) {
        let mmax = self.mmax;
        let weight = self.pixel_weight();
        let mut columns = alm.columns_mut();
        for block in self.pairs.chunks(self.block) {
            let mut phase = vec![[Complex64::new(0.0, 0.0); 2]; (mmax + 1) * block.len()];
            phase
                .par_chunks_mut(mmax + 1)
                .zip(block)
                .for_each_init(RingScratch::default, |scratch, (dst, pair)| {
                    let shifted = pair.phi0 != 0.0;
                    for (side, ring) in [(0, Some(pair.north)), (1, pair.south)] {
                        if let Some(r) = ring {
                            let values = &map[r.offset..r.offset + r.nphi];
                            let emit = |m: usize, f| dst[m][side] = f;
                            self.ffts.analyze(values, weight, mmax, shifted, emit, scratch);
                        }
                    }
                });
            columns.par_iter_mut().enumerate().for_each_init(
                || (Recurrence::new(), Vec::new()),
                |(rec, acc), (m, col)| {
                    self.tables.recurrence(m, rec);
                    acc.clear();
                    acc.resize(col.len(), [[0.0; LANES]; 2]);
                    for (c, chunk) in block.chunks(LANES).enumerate() {
                        let (cos, sin) = Self::lanes(chunk);
                        let mut phases = [[Complex64::new(0.0, 0.0); 2]; LANES];
                        for k in 0..chunk.len() {
                            phases[k] = phase[(c * LANES + k) * (mmax + 1) + m];
                        }
                        let mut climb = Climb::start(&self.tables, m, &cos, &sin);
                        spin0::analyze(&mut climb, rec, &phases, acc);
                    }
                    for (a, lanes) in col.iter_mut().zip(acc.iter()) {
                        *a += Complex64::new(lanes[0].iter().sum(), lanes[1].iter().sum());
                    }
                },
            );
        }
    }

    /// Analysis of a spin-0 RING map with `iter` Jacobi iterations (healpy's `iter`; healpy's
    /// default is 3): `a = A f`, then `iter` times `a += A (f − S a)`, with `S` the synthesis.
    ///
    /// # Errors
    /// [`SkyError::Mismatch`] when the map has the wrong number of pixels or a non-finite pixel.
    pub fn map2alm(&self, map: &[f64], iter: usize) -> Result<Alm> {
        self.check_map(map)?;
        let mut alm = Alm::zeros(self.lmax, self.mmax);
        self.map2alm_once(map, &mut alm);
        for _ in 0..iter {
            let mut residual = self.alm2map(&alm)?;
            for (r, &f) in residual.iter_mut().zip(map) {
                *r = f - *r;
            }
            self.map2alm_once(&residual, &mut alm);
        }
        Ok(alm)
    }
}
