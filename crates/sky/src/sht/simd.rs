//! Instruction-set dispatch for the Legendre kernels.
//!
//! The kernels in [`super::spin0`] and [`super::spin2`] are generic over the number of lanes
//! and the multiply-add flavour; this module instantiates them twice: a portable version
//! (SSE2 on x86-64: 4 lanes, separate multiply and add) and, on x86-64 CPUs that have them,
//! AVX2 + FMA (8 lanes for spin 0, 4 for spin 2, fused multiply-add), chosen once per plan at
//! run time. Results agree to rounding (~1e-15 relative).
//!
//! This is the only module of the workspace with `unsafe`: calling a function compiled for
//! CPU features the build does not assume is `unsafe`, and is sound only after checking the CPU
//! has them, which [`Isa::detect`] does.
#![allow(unsafe_code)]

use realfft::num_complex::Complex64;

use super::legendre::{LegendreTables, Recurrence};
use super::rings::RingPair;
use super::spin0::{self, Acc, Fused, Plain};
use super::spin2::{self, Spin2Factors};

/// The multiply-add of the portable kernels: fused where the target always has FMA.
#[cfg(any(target_arch = "aarch64", target_feature = "fma"))]
type PortableArith = Fused;
/// The multiply-add of the portable kernels: fused where the target always has FMA.
#[cfg(not(any(target_arch = "aarch64", target_feature = "fma")))]
type PortableArith = Plain;

/// Lanes of the portable kernels.
const PORTABLE_LANES: usize = 4;

/// The kernel flavour a plan runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Isa {
    /// Baseline instructions of the build target.
    Portable,
    /// x86-64 with AVX2 and FMA, detected at run time.
    Avx2Fma,
}

impl Isa {
    /// The best flavour this CPU runs (`TESSERA_SHT_PORTABLE=1` forces the portable one, for
    /// comparisons).
    pub fn detect() -> Isa {
        if std::env::var_os("TESSERA_SHT_PORTABLE").is_some_and(|v| v == "1") {
            return Isa::Portable;
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return Isa::Avx2Fma;
        }
        Isa::Portable
    }

    /// Ring pairs per kernel call: the widths that measured fastest (AVX2: 8 lanes except for
    /// spin-2 analysis, whose 16 accumulators fit the registers only at 4).
    pub fn lanes(self, spin2: bool, synthesis: bool) -> usize {
        match self {
            Isa::Portable => PORTABLE_LANES,
            Isa::Avx2Fma if spin2 && !synthesis => 4,
            Isa::Avx2Fma => 8,
        }
    }
}

// Avoid an unused warning for `Plain` on targets where the portable path is fused.
const _: Option<Plain> = None;

/// Spin-0 synthesis of one `m` for `chunk` (see [`spin0::synthesize`]).
pub(crate) fn synthesize0(
    isa: Isa,
    t: &LegendreTables,
    rec: &Recurrence,
    m: usize,
    chunk: &[RingPair],
    alm: &[Complex64],
    dst: &mut [[Complex64; 2]],
) {
    #[cfg(target_arch = "x86_64")]
    if isa == Isa::Avx2Fma {
        // SAFETY: `Isa::Avx2Fma` is only chosen after detecting AVX2 and FMA on this CPU.
        return unsafe { x86::synthesize0(t, rec, m, chunk, alm, dst) };
    }
    let _ = isa;
    spin0::synthesize::<PORTABLE_LANES, PortableArith>(t, rec, m, chunk, alm, dst);
}

/// Spin-0 analysis of one `m` for `chunk` (see [`spin0::analyze`]).
pub(crate) fn analyze0(
    isa: Isa,
    t: &LegendreTables,
    rec: &Recurrence,
    m: usize,
    chunk: &[RingPair],
    phases: &[[Complex64; 2]],
    acc: &mut [[Acc; 2]],
) {
    #[cfg(target_arch = "x86_64")]
    if isa == Isa::Avx2Fma {
        // SAFETY: as in `synthesize0`.
        return unsafe { x86::analyze0(t, rec, m, chunk, phases, acc) };
    }
    let _ = isa;
    spin0::analyze::<PORTABLE_LANES, PortableArith>(t, rec, m, chunk, phases, acc);
}

/// Spin-2 synthesis of one `m` for `chunk` (see [`spin2::synthesize`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn synthesize2(
    isa: Isa,
    t: &LegendreTables,
    rec: &Recurrence,
    fac: &Spin2Factors,
    m: usize,
    chunk: &[RingPair],
    eb: (&[Complex64], &[Complex64]),
    dst: &mut [[Complex64; 4]],
) {
    #[cfg(target_arch = "x86_64")]
    if isa == Isa::Avx2Fma {
        // SAFETY: as in `synthesize0`.
        return unsafe { x86::synthesize2(t, rec, fac, m, chunk, eb, dst) };
    }
    let _ = isa;
    spin2::synthesize::<4, PortableArith>(t, rec, fac, m, chunk, eb.0, eb.1, dst);
}

/// Spin-2 analysis of one `m` for `chunk` (see [`spin2::analyze`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn analyze2(
    isa: Isa,
    t: &LegendreTables,
    rec: &Recurrence,
    fac: &Spin2Factors,
    m: usize,
    chunk: &[RingPair],
    phases: &[[Complex64; 4]],
    acc: &mut [[Acc; 4]],
) {
    #[cfg(target_arch = "x86_64")]
    if isa == Isa::Avx2Fma {
        // SAFETY: as in `synthesize0`.
        return unsafe { x86::analyze2(t, rec, fac, m, chunk, phases, acc) };
    }
    let _ = isa;
    spin2::analyze::<4, PortableArith>(t, rec, fac, m, chunk, phases, acc);
}

/// The kernels compiled for AVX2 + FMA.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::*;

    #[target_feature(enable = "avx2,fma")]
    pub(super) fn synthesize0(
        t: &LegendreTables,
        rec: &Recurrence,
        m: usize,
        chunk: &[RingPair],
        alm: &[Complex64],
        dst: &mut [[Complex64; 2]],
    ) {
        spin0::synthesize::<8, Fused>(t, rec, m, chunk, alm, dst);
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) fn analyze0(
        t: &LegendreTables,
        rec: &Recurrence,
        m: usize,
        chunk: &[RingPair],
        phases: &[[Complex64; 2]],
        acc: &mut [[Acc; 2]],
    ) {
        spin0::analyze::<8, Fused>(t, rec, m, chunk, phases, acc);
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) fn synthesize2(
        t: &LegendreTables,
        rec: &Recurrence,
        fac: &Spin2Factors,
        m: usize,
        chunk: &[RingPair],
        eb: (&[Complex64], &[Complex64]),
        dst: &mut [[Complex64; 4]],
    ) {
        spin2::synthesize::<8, Fused>(t, rec, fac, m, chunk, eb.0, eb.1, dst);
    }

    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn analyze2(
        t: &LegendreTables,
        rec: &Recurrence,
        fac: &Spin2Factors,
        m: usize,
        chunk: &[RingPair],
        phases: &[[Complex64; 4]],
        acc: &mut [[Acc; 4]],
    ) {
        spin2::analyze::<4, Fused>(t, rec, fac, m, chunk, phases, acc);
    }
}
