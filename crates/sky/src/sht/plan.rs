//! [`ShtPlan`]: everything a transform between one nside and one `lmax`/`mmax` reuses.

use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use realfft::num_complex::Complex64;

use super::alm::Alm;
use super::climb::{MAX_LANES, Start};
use super::fft::{RingFfts, RingScratch};
use super::legendre::{EvenRecurrence, LegendreTables, Recurrence};
use super::rings::{RingPair, ring_pairs};
use super::simd::{self, Isa};
use super::spin0::{StepCoefficients, StepSums};
use super::spin2::SpinRecurrence;
use crate::error::{Result, SkyError};

/// Size of the phase buffer of one block of ring pairs (per coefficient set; spin 2 holds
/// twice that). Each block recomputes the Legendre recurrence coefficients of every `m` (and
/// for spin 2 its two sequences), so larger blocks amortise that over more rings: 64 MB took
/// 23–25 % off the T transforms at nside 1024 against 4 MB, and 128 MB (two blocks of 1024
/// pairs at nside 1024) 5–12 % off TQU against 64 MB (docs/benchmarks.md), at the price of
/// that much memory during a transform, kept by the plan for the next one.
const BLOCK_BYTES: usize = 128 << 20;

/// How a transform cuts the orders `m` into parallel tasks and its phase buffer into tiles
/// (one tile per task). Within a task the starting values `λ_mm` of each order follow from the
/// previous one by one multiplication ([`Start::fill`]) instead of a power of `sin θ` per ring
/// (11 % of a transform's time at nside 256 when computed afresh). A ring's FFT reads
/// (synthesis) or writes (analysis) its orders in runs of one tile's width, each run in another
/// tile, a megabyte or more away: runs of 64 orders (4 KB for spin 2) instead of 16 took the FFT
/// side of a spin-2 synthesis at nside 512 from 14 % to 9 % of its time (cache misses at each
/// jump). Wide tiles mean few tasks, so the width halves (down to 16) until every thread of the
/// pool has at least four tasks to balance its share.
#[derive(Clone, Copy, Debug)]
struct Tiles {
    /// Orders per task and tile.
    orders: usize,
}

impl Tiles {
    /// The widest tiles (64, 32 or 16 orders) that give each of `threads` threads at least four
    /// tasks over the orders `0..=mmax` (16 when even those are too few).
    fn for_transform(mmax: usize, threads: usize) -> Self {
        let mut orders = 64;
        while orders > 16 && (mmax + 1).div_ceil(orders) < 4 * threads {
            orders /= 2;
        }
        Tiles { orders }
    }

    /// Tiles covering the orders `0..=mmax`.
    fn count(self, mmax: usize) -> usize {
        (mmax + 1).div_ceil(self.orders)
    }

    /// Where order `m` of ring pair `j` lies in a block's phase buffer of `width` pairs. The
    /// buffer is cut into tiles, `[tile][pair][order in tile]`, so that the orders of one
    /// parallel task of the Legendre sums lie in one contiguous tile (read or written with a
    /// stride of one tile's width), and each ring pair's FFT reads or writes its orders in runs
    /// of that width. Either plain layout, pair-major or order-major, puts one side's
    /// consecutive entries a whole row apart (a page or more at nside ≥ 256): two threads then
    /// scaled 1.7× instead of 2.0× in spin-2 analysis (docs/decisions/0006). Within one tile
    /// (`m <` its width) it is the entry's place in that tile.
    fn index(self, m: usize, j: usize, width: usize) -> usize {
        let o = self.orders;
        m / o * o * width + j * o + m % o
    }

    /// Each ring pair's slices of a phase buffer laid out as [`Tiles::index`] says: row `j`
    /// holds, tile by tile, pair `j`'s orders (mutable views the FFTs of different pairs write in
    /// parallel).
    fn rows<E>(self, buffer: &mut [E], width: usize) -> Vec<Vec<&mut [E]>> {
        let mut rows: Vec<Vec<&mut [E]>> = (0..width).map(|_| Vec::new()).collect();
        for tile in buffer.chunks_mut(self.orders * width) {
            for (row, slice) in rows.iter_mut().zip(tile.chunks_mut(self.orders)) {
                row.push(slice);
            }
        }
        rows
    }
}

/// Ring geometry, FFT plans and Legendre tables for transforms between RING maps of one nside
/// and coefficients of one `lmax`, `mmax`. Build it once and reuse it for many maps (iterations,
/// simulations): construction costs about as much as a small transform.
///
/// Work is split over `m` (Legendre sums) and over rings (FFTs) on rayon's thread pool; run
/// inside `rayon::ThreadPool::install` to choose the number of threads.
///
/// # Example
/// ```
/// use tessera_sky::sht::{Alm, Complex64, ShtPlan};
/// let plan = ShtPlan::new(16, 32, 32)?; // lmax = 2 nside: the map determines every a_lm
/// let mut alm = Alm::zeros(32, 32);
/// alm.set(10, 3, Complex64::new(1.0, 0.5));
/// let map = plan.alm2map(&alm)?;
/// // healpy's default of 3 Jacobi iterations; more iterations converge further.
/// let back = plan.map2alm(&map, 3)?;
/// assert!((back.get(10, 3) - alm.get(10, 3)).norm() < 1e-4);
/// assert!((plan.map2alm(&map, 20)?.get(10, 3) - alm.get(10, 3)).norm() < 1e-10);
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
    /// The kernel flavour for this CPU.
    isa: Isa,
    /// The phase buffer of the last transform, reused by the next one on this plan (a fresh
    /// buffer of tens of megabytes cost 8 % of a transform in page faults and zeroing).
    scratch: Mutex<Vec<Complex64>>,
    /// Whether orders beyond a ring pair's [`RingPair::order_limit`] are skipped (always, except
    /// in the test that checks the skipping changes nothing).
    order_limits: bool,
    /// Orders per task and tile when fixed (tests compare widths); otherwise
    /// [`Tiles::for_transform`] chooses them for the pool that runs the transform.
    tile_orders: Option<usize>,
    /// Ring weights `D` per ring pair, from the pole to the equator (analysis weighs each ring
    /// by `1 + D`; healpy's `use_weights`); none: every ring weighs 1.
    ring_weights: Option<Arc<Vec<f64>>>,
}

/// Per-thread, per-`m` Legendre state and scratch.
#[derive(Default)]
struct OrderState {
    rec: Recurrence,
    even: EvenRecurrence,
    /// The two Wigner sequences `d^l_{m,∓s}` of a spin-s transform.
    wigner: SpinRecurrence,
    /// A spin-0 column as step coefficients.
    steps0: Vec<StepCoefficients<1>>,
    /// The gradient and curl (E and B) columns as step coefficients of the two sequences.
    wigner_steps: [Vec<StepCoefficients<1>>; 2],
    /// Even and odd sums of one sequence.
    even_odd: (Vec<Complex64>, Vec<Complex64>),
}

impl OrderState {
    /// The recurrence of order `m`: in `cos²θ` for spin 0, those of `d^l_{m,∓s}` for spin
    /// `s ≥ 1`.
    fn prepare(&mut self, plan: &ShtPlan, m: usize, spin: usize) {
        if spin > 0 {
            self.wigner.fill(&plan.tables, m, spin);
        } else {
            plan.tables.recurrence(m, &mut self.rec);
            self.even.fill(&self.rec, m, plan.lmax);
        }
    }

    /// Steps of the recurrence prepared last (the length of an analysis's partial sums).
    fn steps(&self, spin: usize) -> usize {
        if spin > 0 {
            self.wigner.len()
        } else {
            self.even.len()
        }
    }

    /// The step coefficients of a spin-0 column.
    fn spin0_steps(&mut self, column: &[Complex64]) {
        let (even, odd) = &mut self.even_odd;
        self.even.to_even_odd(column, even, odd);
        self.steps0.clear();
        self.steps0
            .extend(even.iter().zip(odd.iter()).map(|(&e, &o)| [[e, o]]));
    }

    /// The step coefficients of both Wigner sequences from the gradient and curl (E and B)
    /// columns of order `m`.
    fn wigner_steps(&mut self, g: &[Complex64], c: &[Complex64]) {
        self.wigner.coefficients(g, c, &mut self.wigner_steps);
    }
}

/// Adds to `column` the sums over rings of `λ_lm x`, from the partial sums over lanes of the
/// even functions of `rec` (`scratch` holds the even and odd sums).
fn add_input_sums<const R: usize>(
    rec: &EvenRecurrence,
    scratch: &mut (Vec<Complex64>, Vec<Complex64>),
    acc: &[StepSums<1, R>],
    column: &mut [Complex64],
) {
    let (even, odd) = scratch;
    let sum = |k: usize, q: usize| {
        let lanes = &acc[k][0];
        Complex64::new(lanes[q].iter().sum(), lanes[q + 1].iter().sum())
    };
    even.clear();
    even.extend((0..rec.len()).map(|k| sum(k, 0)));
    odd.clear();
    odd.extend((0..rec.len()).map(|k| sum(k, 2)));
    rec.add_from_even_odd(even, odd, column);
}

/// The two rings of a pair as writable slices of a map.
pub(crate) type PairSlices<'a> = (&'a mut [f64], Option<&'a mut [f64]>);

impl ShtPlan {
    /// A plan for maps of `nside` and coefficients up to `lmax`, `mmax` (`mmax` is clipped to
    /// `lmax`).
    ///
    /// # Errors
    /// [`SkyError::OutOfRange`] when `nside` is 0 or above 2^20, [`SkyError::LmaxTooLarge`] when
    /// `lmax > 4 nside` (a HEALPix map cannot
    /// constrain such multipoles; healpy's default is `3 nside − 1`).
    pub fn new(nside: u64, lmax: usize, mmax: usize) -> Result<Self> {
        if nside == 0 || nside > 1 << 20 {
            return Err(SkyError::OutOfRange {
                what: "spherical harmonic transform nside",
                value: nside as f64,
                allowed: "1 ..= 2^20".into(),
            });
        }
        let nside = nside as usize;
        if lmax > 4 * nside {
            return Err(SkyError::LmaxTooLarge {
                what: "spherical harmonic transform",
                lmax,
                nside: nside as u64,
            });
        }
        let mmax = mmax.min(lmax);
        let per_pair = (mmax + 1) * 2 * std::mem::size_of::<Complex64>();
        let block = (BLOCK_BYTES / per_pair).clamp(MAX_LANES, 1024) / MAX_LANES * MAX_LANES;
        Ok(ShtPlan {
            nside,
            lmax,
            mmax,
            pairs: ring_pairs(nside),
            tables: LegendreTables::new(lmax),
            ffts: RingFfts::new(nside),
            block,
            isa: Isa::detect(),
            scratch: Mutex::new(Vec::new()),
            order_limits: true,
            tile_orders: None,
            ring_weights: None,
        })
    }

    /// This plan with HEALPix ring weights in every analysis (healpy's `use_weights=True`):
    /// each ring's pixels count `1 + D` times, `D` from [`super::ring_weights`] at
    /// [`super::ring_weights_lmax`], which makes the quadrature exact for the axisymmetric
    /// harmonics up to that `l`. Synthesis is unchanged.
    ///
    /// # Errors
    /// As [`super::ring_weights`] (nside above [`super::RING_WEIGHTS_NSIDE_MAX`]).
    pub fn with_ring_weights(mut self) -> Result<Self> {
        let nside = self.nside as u64;
        self.ring_weights = Some(super::ring_weights(nside, super::ring_weights_lmax(nside))?);
        Ok(self)
    }

    /// Whether analyses use ring weights ([`ShtPlan::with_ring_weights`]).
    pub fn uses_ring_weights(&self) -> bool {
        self.ring_weights.is_some()
    }

    /// This plan with another kernel flavour and order skipping, for tests that compare them.
    #[cfg(test)]
    pub(crate) fn with_kernels(mut self, isa: Isa, order_limits: bool) -> Self {
        self.isa = isa;
        self.order_limits = order_limits;
        self
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
            return Err(SkyError::AlmShape {
                what: "alm for a planned transform",
                found: (alm.lmax(), alm.mmax()),
                needed: (self.lmax, self.mmax),
            });
        }
        Ok(())
    }

    /// Checks that a map has `npix` finite values.
    ///
    /// # Errors
    /// [`SkyError::PixelCount`], or [`SkyError::NotFinitePixel`] naming the first bad pixel.
    pub fn check_map(&self, map: &[f64]) -> Result<()> {
        if map.len() != self.npix() {
            return Err(SkyError::PixelCount {
                what: "map",
                found: map.len(),
                nside: self.nside as u64,
                needed: self.npix(),
            });
        }
        if let Some(p) = map.iter().position(|v| !v.is_finite()) {
            return Err(SkyError::NotFinitePixel {
                pixel: p,
                value: map[p],
            });
        }
        Ok(())
    }

    /// Splits a RING map into the rings of each pair.
    pub(crate) fn pair_slices<'a>(&self, map: &'a mut [f64]) -> Vec<PairSlices<'a>> {
        let npairs = self.pairs.len();
        let mut rings: Vec<&'a mut [f64]> = Vec::with_capacity(2 * npairs);
        let mut rest = map;
        let lengths = self.pairs.iter().map(|p| p.north.nphi).chain(
            self.pairs
                .iter()
                .rev()
                .filter_map(|p| p.south.map(|s| s.nphi)),
        );
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

    /// A buffer of `len` values (of no particular value): the plan's, when no other transform
    /// holds it.
    fn take_scratch(&self, len: usize) -> Vec<Complex64> {
        let mut buffer = self
            .scratch
            .try_lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default();
        buffer.resize(len, Complex64::new(0.0, 0.0));
        buffer
    }

    /// The tiling of this transform's orders and phase buffer.
    fn tiles(&self) -> Tiles {
        match self.tile_orders {
            Some(orders) => Tiles { orders },
            None => Tiles::for_transform(self.mmax, rayon::current_num_threads()),
        }
    }

    /// The first ring pair of `starts` on which order `m` matters: the chunks of the kernels
    /// start there, so that no chunk carries pairs beyond their order limit (which would also
    /// keep the whole chunk in the masked start of the recurrence). Pairs run from the pole to
    /// the equator, so their order limits only grow, and every pair before this one is skipped
    /// rightly; pairs after it are always computed.
    fn first_relevant(&self, starts: &[Start], m: usize) -> usize {
        if !self.order_limits {
            return 0;
        }
        starts
            .iter()
            .position(|s| m <= s.order_limit)
            .unwrap_or(starts.len())
    }

    /// Gives a buffer back for the next transform.
    fn return_scratch(&self, buffer: Vec<Complex64>) {
        if let Ok(mut s) = self.scratch.try_lock() {
            *s = buffer;
        }
    }

    /// The synthesis driver: for each block of ring pairs and each order `m` (work split over
    /// `m`), `columns(m, state)` turns the coefficients of order `m` into step coefficients,
    /// then `kernel(state, chunk, dst)` per chunk gives per lane the `2C` Fourier coefficients
    /// `[north, south]` of `C` maps; then one inverse FFT per ring writes each map (work split
    /// over rings).
    fn synthesis<const C2: usize>(
        &self,
        maps: &mut [Vec<f64>],
        spin: usize,
        columns: impl Fn(usize, &mut OrderState) + Sync,
        kernel: impl Fn(&OrderState, &[Start], &mut [[Complex64; C2]]) + Sync,
    ) {
        debug_assert_eq!(C2 == 4, spin > 0, "two maps for spin ≥ 1, one for spin 0");
        let lanes = self.isa.lanes(true);
        let mmax = self.mmax;
        let mut slices: Vec<Vec<PairSlices<'_>>> =
            maps.iter_mut().map(|m| self.pair_slices(m)).collect();
        // One buffer for every block, laid out as `Tiles::index` says: each task writes every
        // entry of its tile, then each ring pair's FFT reads its orders.
        let tiling = self.tiles();
        let (tiles, per_task) = (tiling.count(mmax), tiling.orders);
        let mut flat = self.take_scratch(tiles * per_task * self.block * C2);
        let buffer = flat.as_chunks_mut::<C2>().0;
        let zero = [Complex64::new(0.0, 0.0); C2];
        for (b, block) in self.pairs.chunks(self.block).enumerate() {
            let width = block.len();
            let phase = &mut buffer[..tiles * per_task * width];
            phase
                .par_chunks_mut(per_task * width)
                .enumerate()
                .for_each_init(
                    || (OrderState::default(), Vec::new()),
                    |(state, starts), (task, tile)| {
                        let orders = per_task.min(mmax + 1 - task * per_task);
                        for i in 0..orders {
                            let m = task * per_task + i;
                            Start::fill(&self.tables, (m, spin), block, starts, i > 0);
                            state.prepare(self, m, spin);
                            columns(m, state);
                            let first = self.first_relevant(starts, m);
                            for j in 0..first {
                                tile[tiling.index(i, j, width)] = zero;
                            }
                            let mut lanes_out = [zero; MAX_LANES];
                            for (c, chunk) in starts[first..].chunks(lanes).enumerate() {
                                let dst = &mut lanes_out[..chunk.len()];
                                kernel(state, chunk, dst);
                                let pair = first + c * lanes;
                                for (k, value) in dst.iter().enumerate() {
                                    tile[tiling.index(i, pair + k, width)] = *value;
                                }
                            }
                        }
                    },
                );
            let phase = &*phase;
            // Every map's rings of a pair in one task: the pair's phases are read from memory
            // once, then from the cache (a pass over all pairs per map read them again).
            let mut rows: Vec<Vec<&mut PairSlices<'_>>> =
                (0..width).map(|_| Vec::with_capacity(C2 / 2)).collect();
            for map_slices in slices.iter_mut() {
                let out = &mut map_slices[b * self.block..b * self.block + width];
                for (row, pair_slices) in rows.iter_mut().zip(out) {
                    row.push(pair_slices);
                }
            }
            rows.par_iter_mut().zip(block).enumerate().for_each_init(
                RingScratch::default,
                |scratch, (j, (row, pair))| {
                    let shifted = pair.phi0 != 0.0;
                    for (c, (north, south)) in row.iter_mut().enumerate() {
                        for (side, ring) in [(0, Some(&mut **north)), (1, south.as_deref_mut())] {
                            if let Some(ring) = ring {
                                let coeff =
                                    |m: usize| phase[tiling.index(m, j, width)][2 * c + side];
                                self.ffts.synthesize(coeff, mmax, shifted, ring, scratch);
                            }
                        }
                    }
                },
            );
        }
        self.return_scratch(flat);
    }

    /// The analysis driver: per block, one weighted forward FFT per ring of each of the `C`
    /// maps, then for each `m` (work split over `m`) `kernel(state, chunk, phases, acc)` per
    /// chunk accumulates partial sums, which `store(m, state, acc, columns)` adds to the
    /// columns `m` of the coefficient sets.
    fn analysis<const C2: usize, T: Copy + Default + Send>(
        &self,
        maps: &[&[f64]],
        alms: &mut [Alm],
        spin: usize,
        kernel: impl Fn(&OrderState, &[Start], &[[Complex64; C2]], &mut [T]) + Sync,
        store: impl Fn(usize, &mut OrderState, &[T], &mut [&mut [Complex64]]) + Sync,
    ) {
        debug_assert_eq!(C2 == 4, spin > 0, "two maps for spin ≥ 1, one for spin 0");
        let lanes = self.isa.lanes(false);
        let mmax = self.mmax;
        let weight = self.pixel_weight();
        let mut columns: Vec<Vec<&mut [Complex64]>> =
            alms.iter_mut().map(Alm::columns_mut).collect();
        // Columns of all coefficient sets for each m, so one task owns one m.
        let mut per_m: Vec<Vec<&mut [Complex64]>> = (0..=mmax).map(|_| Vec::new()).collect();
        for cols in columns.iter_mut() {
            for (m, col) in cols.drain(..).enumerate() {
                per_m[m].push(col);
            }
        }
        // One buffer for every block, laid out as `Tiles::index` says: the FFTs write each
        // entry, then each task of orders reads its tile.
        let tiling = self.tiles();
        let (tiles, per_task) = (tiling.count(mmax), tiling.orders);
        let mut flat = self.take_scratch(tiles * per_task * self.block * C2);
        let buffer = flat.as_chunks_mut::<C2>().0;
        for (b, block) in self.pairs.chunks(self.block).enumerate() {
            let width = block.len();
            let phase = &mut buffer[..tiles * per_task * width];
            tiling
                .rows(phase, width)
                .into_par_iter()
                .zip(block)
                .enumerate()
                .for_each_init(RingScratch::default, |scratch, (j, (mut dst, pair))| {
                    let shifted = pair.phi0 != 0.0;
                    let weight = match &self.ring_weights {
                        Some(d) => weight * (1.0 + d[b * self.block + j]),
                        None => weight,
                    };
                    for (c, map) in maps.iter().enumerate() {
                        for (side, ring) in [(0, Some(pair.north)), (1, pair.south)] {
                            if let Some(r) = ring {
                                let values = &map[r.offset..r.offset + r.nphi];
                                let emit =
                                    |m: usize, f| dst[m / per_task][m % per_task][2 * c + side] = f;
                                self.ffts
                                    .analyze(values, weight, mmax, shifted, emit, scratch);
                            } else {
                                // The equator has no southern twin: its slot reads zero.
                                dst.iter_mut()
                                    .flat_map(|t| t.iter_mut())
                                    .for_each(|d| d[2 * c + side] = Complex64::new(0.0, 0.0));
                            }
                        }
                    }
                });
            let phase = &*phase;
            per_m
                .par_chunks_mut(per_task)
                .zip(phase.par_chunks(per_task * width))
                .enumerate()
                .for_each_init(
                    || (OrderState::default(), Vec::new(), Vec::new()),
                    |(state, starts, acc), (task, (cols_task, tile))| {
                        for (i, cols) in cols_task.iter_mut().enumerate() {
                            let m = task * per_task + i;
                            Start::fill(&self.tables, (m, spin), block, starts, i > 0);
                            state.prepare(self, m, spin);
                            acc.clear();
                            acc.resize(state.steps(spin), T::default());
                            let mut phases = [[Complex64::new(0.0, 0.0); C2]; MAX_LANES];
                            let first = self.first_relevant(starts, m);
                            for (c, chunk) in starts[first..].chunks(lanes).enumerate() {
                                let pair = first + c * lanes;
                                for (k, ph) in phases.iter_mut().enumerate().take(chunk.len()) {
                                    *ph = tile[tiling.index(i, pair + k, width)];
                                }
                                kernel(state, chunk, &phases[..chunk.len()], acc);
                            }
                            store(m, state, acc, cols);
                        }
                    },
                );
        }
        self.return_scratch(flat);
    }

    /// Synthesis of a spin-0 map: `f(p) = Σ_lm a_lm Y_lm(p)`, in RING order.
    ///
    /// # Errors
    /// [`SkyError::AlmShape`] when `alm` does not have the planned `lmax`, `mmax`.
    pub fn alm2map(&self, alm: &Alm) -> Result<Vec<f64>> {
        self.check_alm(alm)?;
        let mut maps = vec![vec![0.0; self.npix()]];
        self.synthesis(
            &mut maps,
            0,
            |m, st| st.spin0_steps(alm.column(m)),
            |st, chunk, dst| simd::synthesize0(self.isa, &st.even, chunk, &st.steps0, dst),
        );
        Ok(maps.pop().expect("one map"))
    }

    /// Synthesis of a spin-2 field: `(Q, U)` in RING order from `(a^E, a^B)`.
    ///
    /// # Errors
    /// [`SkyError::AlmShape`] when an alm set does not have the planned `lmax`, `mmax`.
    pub fn alm2map_spin2(&self, e: &Alm, b: &Alm) -> Result<[Vec<f64>; 2]> {
        self.check_alm(e)?;
        self.check_alm(b)?;
        Ok(self.alm2map_spin_unchecked([e, b], 2))
    }

    /// The two maps (healpy's Q-like and U-like) of a spin-`spin` field (`spin ≥ 1`) with
    /// gradient and curl coefficients `[g, c]` of the planned shape (checked by the caller).
    pub(crate) fn alm2map_spin_unchecked(&self, [g, c]: [&Alm; 2], spin: usize) -> [Vec<f64>; 2] {
        let mut maps = vec![vec![0.0; self.npix()], vec![0.0; self.npix()]];
        self.synthesis(
            &mut maps,
            spin,
            |m, st| st.wigner_steps(g.column(m), c.column(m)),
            |st, chunk, dst| simd::synthesize2(self.isa, &st.wigner, chunk, &st.wigner_steps, dst),
        );
        let u = maps.pop().expect("two maps");
        let q = maps.pop().expect("two maps");
        [q, u]
    }

    /// One spin-0 analysis pass without iteration: `a_lm += (4π/npix) Σ_p f(p) Y*_lm(p)`.
    pub(crate) fn map2alm_once(&self, map: &[f64], alm: &mut Alm) {
        self.analysis(
            &[map],
            std::slice::from_mut(alm),
            0,
            |st, chunk, phases, acc| simd::analyze0(self.isa, &st.even, chunk, phases, acc),
            |_, st, acc, cols| add_input_sums(&st.even, &mut st.even_odd, acc, cols[0]),
        );
    }

    /// One spin-`spin` analysis pass (`spin ≥ 1`, maps checked by the caller): `(a^G, a^C) +=
    /// adjoint synthesis of (Q, U)`, healpy's quadrature weight `4π/npix` (times the ring
    /// weights where the plan has them).
    pub(crate) fn map2alm_spin_once(&self, [q, u]: [&[f64]; 2], gc: &mut [Alm; 2], spin: usize) {
        self.analysis(
            &[q, u],
            gc,
            spin,
            |st, chunk, phases, acc| simd::analyze2(self.isa, &st.wigner, chunk, phases, acc),
            |_, st, acc, cols| {
                if let [g, c] = cols {
                    st.wigner.add_gc(acc, g, c);
                }
            },
        );
    }

    /// Analysis of a spin-2 field `(Q, U)` with `iter` Jacobi iterations, giving `(a^E, a^B)`.
    ///
    /// # Errors
    /// [`SkyError::PixelCount`] or [`SkyError::NotFinitePixel`] for a map with the wrong number of
    /// pixels or a non-finite pixel.
    pub fn map2alm_spin2(&self, q: &[f64], u: &[f64], iter: usize) -> Result<[Alm; 2]> {
        self.check_map(q)?;
        self.check_map(u)?;
        let mut eb = [
            Alm::zeros(self.lmax, self.mmax),
            Alm::zeros(self.lmax, self.mmax),
        ];
        self.map2alm_spin_once([q, u], &mut eb, 2);
        for _ in 0..iter {
            let [mut rq, mut ru] = self.alm2map_spin2(&eb[0], &eb[1])?;
            for (r, &f) in rq.iter_mut().zip(q).chain(ru.iter_mut().zip(u)) {
                *r = f - *r;
            }
            self.map2alm_spin_once([&rq, &ru], &mut eb, 2);
        }
        Ok(eb)
    }

    /// Analysis of a spin-0 RING map with `iter` Jacobi iterations (healpy's `iter`; healpy's
    /// default is 3): `a = A f`, then `iter` times `a += A (f − S a)`, with `S` the synthesis.
    ///
    /// # Errors
    /// [`SkyError::PixelCount`] or [`SkyError::NotFinitePixel`] for a map with the wrong number of
    /// pixels or a non-finite pixel.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn alm(lmax: usize, phase: f64) -> Alm {
        let mut a = Alm::zeros(lmax, lmax);
        for m in 0..=lmax {
            for l in m.max(2)..=lmax {
                let im = if m == 0 {
                    0.0
                } else {
                    (l as f64 * 0.3 + phase).cos()
                };
                a.set(l, m, Complex64::new((l as f64 * 0.7 - m as f64).sin(), im));
            }
        }
        a
    }

    /// Maps and coefficients of `plan`: T synthesis, E/B synthesis, and their analyses (one
    /// iteration), flattened into one vector each for comparison.
    fn transforms(plan: &ShtPlan) -> [Vec<f64>; 2] {
        let (t, e, b) = (alm(40, 0.0), alm(40, 1.0), alm(40, 2.0));
        let map = plan.alm2map(&t).unwrap();
        let [q, u] = plan.alm2map_spin2(&e, &b).unwrap();
        let back = plan.map2alm(&map, 1).unwrap();
        let [e2, b2] = plan.map2alm_spin2(&q, &u, 1).unwrap();
        let maps = [map, q, u].concat();
        let coefficients = [back, e2, b2]
            .iter()
            .flat_map(|a| a.values().iter().flat_map(|c| [c.re, c.im]))
            .collect();
        [maps, coefficients]
    }

    /// The largest difference between two [`transforms`] results.
    fn largest_difference(a: &[Vec<f64>; 2], b: &[Vec<f64>; 2]) -> f64 {
        a.iter()
            .zip(b)
            .flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).abs()))
            .fold(0.0, f64::max)
    }

    /// Every kernel flavour this CPU runs gives the same transforms as the portable one.
    #[test]
    fn instruction_sets_agree() {
        let mut plan = ShtPlan::new(16, 40, 40).unwrap();
        plan.isa = Isa::Portable;
        let portable = transforms(&plan);
        for isa in [Isa::Avx2Fma, Isa::Avx512] {
            if isa.supported() {
                plan.isa = isa;
                let difference = largest_difference(&portable, &transforms(&plan));
                assert!(difference < 1e-12, "{isa:?}: {difference}");
            }
        }
    }

    /// Skipping the orders beyond each ring pair's limit changes the transforms by less than
    /// 1e-13 of their largest value, where the limit is well below lmax at the poles.
    #[test]
    fn skipping_negligible_orders_changes_nothing() {
        let mut plan = ShtPlan::new(128, 383, 383).unwrap();
        assert!(plan.pairs[0].order_limit(383, 0) < 200, "the cut is active");
        let t = alm(383, 0.3);
        let (e, b) = (alm(383, 1.1), alm(383, 2.2));
        let run = |plan: &ShtPlan| {
            let map = plan.alm2map(&t).unwrap();
            let [q, u] = plan.alm2map_spin2(&e, &b).unwrap();
            let back = plan.map2alm(&map, 0).unwrap();
            let [e2, b2] = plan.map2alm_spin2(&q, &u, 0).unwrap();
            let coefficients: Vec<f64> = [back, e2, b2]
                .iter()
                .flat_map(|a| a.values().iter().flat_map(|c| [c.re, c.im]))
                .collect();
            [[map, q, u].concat(), coefficients]
        };
        let skipped = run(&plan);
        plan.order_limits = false;
        let full = run(&plan);
        for (a, b) in skipped.iter().zip(&full) {
            let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let worst = a
                .iter()
                .zip(b)
                .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
            assert!(worst < 1e-13 * scale, "{worst} of {scale}");
        }
    }

    /// The FFTs' per-pair views and the Legendre sums' index agree on where each entry lies,
    /// and together cover the buffer once.
    #[test]
    fn tile_rows_and_tile_index_agree() {
        for orders in [16, 32, 64] {
            let tiling = Tiles { orders };
            let (width, mmax) = (5, 2 * orders + 2);
            let tiles = tiling.count(mmax);
            let mut buffer = vec![usize::MAX; tiles * orders * width];
            for (j, row) in tiling.rows(&mut buffer, width).iter_mut().enumerate() {
                for m in 0..tiles * orders {
                    row[m / orders][m % orders] = m * width + j;
                }
            }
            for m in 0..=mmax {
                for j in 0..width {
                    assert_eq!(buffer[tiling.index(m, j, width)], m * width + j);
                }
            }
            let mut seen = buffer.clone();
            seen.sort_unstable();
            assert_eq!(seen, (0..buffer.len()).collect::<Vec<_>>());
        }
    }

    /// Tiles are as wide as four tasks per thread allow, between 16 and 64 orders.
    #[test]
    fn tiles_leave_every_thread_four_tasks() {
        assert_eq!(Tiles::for_transform(3071, 1).orders, 64);
        assert_eq!(Tiles::for_transform(383, 2).orders, 32);
        assert_eq!(Tiles::for_transform(3071, 16).orders, 32);
        assert_eq!(Tiles::for_transform(191, 16).orders, 16);
        for (mmax, threads) in [(47, 1), (383, 2), (767, 8), (3071, 16), (8191, 64)] {
            let tiling = Tiles::for_transform(mmax, threads);
            assert!(tiling.orders == 16 || tiling.count(mmax) >= 4 * threads);
        }
    }

    /// Tiles (and tasks) of 8 to 64 orders, the last one partial (41 orders), give the same
    /// transforms.
    #[test]
    fn tile_width_does_not_change_the_transforms() {
        let mut plan = ShtPlan::new(16, 40, 40).unwrap();
        plan.tile_orders = Some(16);
        let narrow = transforms(&plan);
        for orders in [8, 32, 64] {
            plan.tile_orders = Some(orders);
            assert!(
                largest_difference(&narrow, &transforms(&plan)) < 1e-12,
                "{orders}"
            );
        }
    }

    /// Splitting the rings into many blocks (which reuse one phase buffer, the last one
    /// partial, the equator without a southern twin) gives the transforms of a single block.
    #[test]
    fn block_size_does_not_change_the_transforms() {
        let mut plan = ShtPlan::new(32, 40, 40).unwrap();
        let one_block = transforms(&plan);
        assert!(plan.pairs.len() > 24, "several blocks");
        for block in [8, 24] {
            plan.block = block;
            assert!(
                largest_difference(&one_block, &transforms(&plan)) < 1e-12,
                "{block}"
            );
        }
    }
}
