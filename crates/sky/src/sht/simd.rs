//! Instruction-set dispatch for the Legendre kernels.
//!
//! The kernels in [`super::spin0`] and [`super::spin2`] are generic over the number of lanes
//! and the multiply-add flavour; this module instantiates them three times: a portable version
//! (SSE2 on x86-64, separate multiply and add unless the target has FMA) and, on x86-64 CPUs
//! that have them, AVX2 + FMA and AVX-512 (32 vector registers), chosen once per plan at run
//! time (`TESSERA_SHT_NO_AVX512=1` stops at AVX2, `TESSERA_SHT_PORTABLE=1` at the portable
//! kernels, for comparisons). Results agree to rounding (~1e-15 relative).
//!
//! This is the only module of the workspace with `unsafe`: calling a function compiled for
//! CPU features the build does not assume is `unsafe`, and is sound only after checking the CPU
//! has them, which [`Isa::detect`] does.
#![allow(unsafe_code)]

use realfft::num_complex::Complex64;

use super::climb::{EvenClimb, Fused, Plain, Start};
use super::legendre::EvenRecurrence;
use super::spin0::{self, StepCoefficients, StepSums};
use super::spin2::{self, SPIN_SUM_LANES, SpinRecurrence, SpinSums};

/// The multiply-add of the portable kernels: fused where the target always has FMA.
#[cfg(any(target_arch = "aarch64", target_feature = "fma"))]
type PortableArith = Fused;
/// The multiply-add of the portable kernels: fused where the target always has FMA.
#[cfg(not(any(target_arch = "aarch64", target_feature = "fma")))]
type PortableArith = Plain;

/// Lanes of the partial sums spin-0 analysis keeps per step (the widest vector register; the
/// sums of all steps of an order are small).
pub(crate) const SPIN0_SUM_LANES: usize = 8;

/// Ring pairs per kernel call of each kernel, and the vector width.
#[derive(Clone, Copy, Debug)]
struct Lanes {
    /// Synthesis (one sequence; its four sums per lane stay in registers).
    synthesis: usize,
    /// Analysis (lanes kept in L1 memory, sums over lanes in registers).
    analysis: usize,
    /// Doubles per vector register: the width of analysis's sums over lanes.
    vector: usize,
    /// Whether analysis climbs four steps per pass over its lanes instead of two: 16 sums over
    /// lanes in registers, which only AVX-512's 32 registers hold (each lane's recurrence
    /// values are read and written once per four steps; 10–15 % off spin-0 and spin-2 analysis
    /// on Sapphire Rapids).
    four_steps: bool,
}

/// Lanes of the portable kernels (SSE2: 2 doubles per register).
const PORTABLE: Lanes = Lanes {
    synthesis: 4,
    analysis: 16,
    vector: 2,
    four_steps: false,
};

/// Lanes of the AVX2 kernels (16 registers of 4 doubles).
#[cfg(target_arch = "x86_64")]
const AVX2: Lanes = Lanes {
    synthesis: 8,
    analysis: 32,
    vector: 4,
    four_steps: false,
};

/// Lanes of the AVX-512 kernels (32 registers of 8 doubles).
#[cfg(target_arch = "x86_64")]
const AVX512: Lanes = Lanes {
    synthesis: 16,
    analysis: 64,
    vector: 8,
    four_steps: true,
};

/// The kernel flavour a plan runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Isa {
    /// Baseline instructions of the build target.
    Portable,
    /// x86-64 with AVX2 and FMA, detected at run time.
    Avx2Fma,
    /// x86-64 with AVX-512 (F, DQ, VL) besides AVX2 and FMA, detected at run time.
    Avx512,
}

impl Isa {
    /// The best flavour this CPU runs (`TESSERA_SHT_PORTABLE=1` forces the portable one,
    /// `TESSERA_SHT_NO_AVX512=1` stops at AVX2, for comparisons).
    pub fn detect() -> Isa {
        let env_is_1 = |name: &str| std::env::var_os(name).is_some_and(|v| v == "1");
        if env_is_1("TESSERA_SHT_PORTABLE") {
            return Isa::Portable;
        }
        if !env_is_1("TESSERA_SHT_NO_AVX512") && Isa::Avx512.supported() {
            return Isa::Avx512;
        }
        if Isa::Avx2Fma.supported() {
            return Isa::Avx2Fma;
        }
        Isa::Portable
    }

    /// The flavour's name, as benchmarks report it.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Portable => "portable",
            Isa::Avx2Fma => "avx2+fma",
            Isa::Avx512 => "avx512",
        }
    }

    /// Whether this CPU runs the flavour.
    pub fn supported(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            let avx2 = has!("avx2") && has!("fma");
            match self {
                Isa::Portable => true,
                Isa::Avx2Fma => avx2,
                Isa::Avx512 => avx2 && has!("avx512f") && has!("avx512dq") && has!("avx512vl"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == Isa::Portable
        }
    }

    /// Ring pairs per kernel call.
    pub fn lanes(self, synthesis: bool) -> usize {
        let lanes = match self {
            Isa::Portable => PORTABLE,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2Fma => AVX2,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => AVX512,
            #[cfg(not(target_arch = "x86_64"))]
            _ => PORTABLE,
        };
        if synthesis {
            lanes.synthesis
        } else {
            lanes.analysis
        }
    }
}

// Avoid an unused warning for `Plain` on targets where the portable path is fused.
const _: Option<Plain> = None;

/// Spin-0 synthesis of one `m` for `chunk` (see [`spin0::synthesize`]).
pub(crate) fn synthesize0(
    isa: Isa,
    rec: &EvenRecurrence,
    chunk: &[Start],
    coefficients: &[StepCoefficients<1>],
    dst: &mut [[Complex64; 2]],
) {
    // SAFETY: each flavour is only chosen after detecting its CPU features (`Isa::detect`).
    #[cfg(target_arch = "x86_64")]
    match isa {
        Isa::Avx512 => return unsafe { avx512::synthesize0(rec, chunk, coefficients, dst) },
        Isa::Avx2Fma => return unsafe { avx2::synthesize0(rec, chunk, coefficients, dst) },
        Isa::Portable => {}
    }
    let _ = isa;
    portable::synthesize0(rec, chunk, coefficients, dst);
}

/// Spin-0 analysis of one `m` for `chunk` (see [`spin0::analyze`]).
pub(crate) fn analyze0(
    isa: Isa,
    rec: &EvenRecurrence,
    chunk: &[Start],
    phases: &[[Complex64; 2]],
    acc: &mut [StepSums<1, SPIN0_SUM_LANES>],
) {
    // SAFETY: as in `synthesize0`.
    #[cfg(target_arch = "x86_64")]
    match isa {
        Isa::Avx512 => return unsafe { avx512::analyze0(rec, chunk, phases, acc) },
        Isa::Avx2Fma => return unsafe { avx2::analyze0(rec, chunk, phases, acc) },
        Isa::Portable => {}
    }
    let _ = isa;
    portable::analyze0(rec, chunk, phases, acc);
}

/// Spin-s synthesis (`s ≥ 1`: spin 2 for polarisation, any spin for [`super::spin`]) of one
/// `m` for `chunk` (see [`spin2::synthesize`]).
pub(crate) fn synthesize2(
    isa: Isa,
    rec: &SpinRecurrence,
    chunk: &[Start],
    coefficients: &[Vec<StepCoefficients<1>>; 2],
    dst: &mut [[Complex64; 4]],
) {
    // SAFETY: as in `synthesize0`.
    #[cfg(target_arch = "x86_64")]
    match isa {
        Isa::Avx512 => return unsafe { avx512::synthesize2(rec, chunk, coefficients, dst) },
        Isa::Avx2Fma => return unsafe { avx2::synthesize2(rec, chunk, coefficients, dst) },
        Isa::Portable => {}
    }
    let _ = isa;
    portable::synthesize2(rec, chunk, coefficients, dst);
}

/// Spin-s analysis (`s ≥ 1`) of one `m` for `chunk` (see [`spin2::analyze`]).
pub(crate) fn analyze2(
    isa: Isa,
    rec: &SpinRecurrence,
    chunk: &[Start],
    phases: &[[Complex64; 4]],
    acc: &mut [SpinSums],
) {
    // SAFETY: as in `synthesize0`.
    #[cfg(target_arch = "x86_64")]
    match isa {
        Isa::Avx512 => return unsafe { avx512::analyze2(rec, chunk, phases, acc) },
        Isa::Avx2Fma => return unsafe { avx2::analyze2(rec, chunk, phases, acc) },
        Isa::Portable => {}
    }
    let _ = isa;
    portable::analyze2(rec, chunk, phases, acc);
}

/// Defines a module of one flavour's kernels: the three inner loops ([`spin0::climb_sums`] for
/// synthesis, [`spin0::climb_products`] for spin-0 and spin-2 analysis), each compiled as a
/// function of its own with the flavour's features, and the four per-order kernels around them.
macro_rules! kernels {
    ($name:ident, [$($feature:meta)*], $lanes:ident, $arith:ty) => {
        mod $name {
            use super::*;

            const SYNTHESIS: usize = $lanes.synthesis;
            const ANALYSIS: usize = $lanes.analysis;

            $(#[$feature])*
            #[inline(never)]
            pub(super) fn sequence_sums(
                steps: &[[f64; 2]],
                climb: EvenClimb<SYNTHESIS>,
                coefficients: &[StepCoefficients<1>],
                out: &mut [[[f64; SYNTHESIS]; 4]; 1],
            ) {
                spin0::climb_sums::<SYNTHESIS, 1, $arith>(steps, climb, coefficients, out);
            }

            $(#[$feature])*
            #[inline(never)]
            pub(super) fn products2(
                steps: &[[f64; 2]],
                climb: EvenClimb<ANALYSIS>,
                src: &[[f64; ANALYSIS]; 4],
                acc: &mut [SpinSums],
                slot: usize,
            ) {
                spin0::climb_products::<
                    ANALYSIS,
                    { $lanes.vector },
                    2,
                    SPIN_SUM_LANES,
                    { $lanes.four_steps },
                    $arith,
                >(steps, climb, src, acc, slot);
            }

            $(#[$feature])*
            pub(super) fn synthesize0(
                rec: &EvenRecurrence,
                chunk: &[Start],
                coefficients: &[StepCoefficients<1>],
                dst: &mut [[Complex64; 2]],
            ) {
                spin0::synthesize(rec, chunk, coefficients, dst, &|s, c, k, o| {
                    sequence_sums(s, c, k, o)
                });
            }

            $(#[$feature])*
            pub(super) fn analyze0(
                rec: &EvenRecurrence,
                chunk: &[Start],
                phases: &[[Complex64; 2]],
                acc: &mut [StepSums<1, SPIN0_SUM_LANES>],
            ) {
                spin0::analyze::<
                    ANALYSIS,
                    { $lanes.vector },
                    SPIN0_SUM_LANES,
                    { $lanes.four_steps },
                    $arith,
                >(rec, chunk, phases, acc);
            }

            $(#[$feature])*
            pub(super) fn synthesize2(
                rec: &SpinRecurrence,
                chunk: &[Start],
                coefficients: &[Vec<StepCoefficients<1>>; 2],
                dst: &mut [[Complex64; 4]],
            ) {
                spin2::synthesize(rec, chunk, coefficients, dst, &|s, c, k, o| {
                    sequence_sums(s, c, k, o)
                });
            }

            $(#[$feature])*
            pub(super) fn analyze2(
                rec: &SpinRecurrence,
                chunk: &[Start],
                phases: &[[Complex64; 4]],
                acc: &mut [SpinSums],
            ) {
                spin2::analyze(rec, chunk, phases, acc, &|s, c, x, a, slot| {
                    products2(s, c, x, a, slot)
                });
            }
        }
    };
}

kernels!(portable, [], PORTABLE, PortableArith);
#[cfg(target_arch = "x86_64")]
kernels!(avx2, [target_feature(enable = "avx2,fma")], AVX2, Fused);
#[cfg(target_arch = "x86_64")]
kernels!(
    avx512,
    [target_feature(
        enable = "avx512f,avx512dq,avx512vl,avx2,fma"
    )],
    AVX512,
    Fused
);
