//! Instruction-set dispatch for the Legendre kernels.
//!
//! The kernels in [`super::spin0`] and [`super::spin2`] are generic over the number of lanes
//! and the multiply-add flavour; this module instantiates them three times: a portable version
//! (SSE2 on x86-64: 4 lanes, separate multiply and add) and, on x86-64 CPUs that have them,
//! AVX2 + FMA and AVX-512 (twice the lanes, 32 vector registers), chosen once per plan at run
//! time (`TESSERA_SHT_NO_AVX512=1` stops at AVX2, `TESSERA_SHT_PORTABLE=1` at the portable
//! kernels, for comparisons). Results agree to rounding (~1e-15 relative).
//!
//! This is the only module of the workspace with `unsafe`: calling a function compiled for
//! CPU features the build does not assume is `unsafe`, and is sound only after checking the CPU
//! has them, which [`Isa::detect`] does.
#![allow(unsafe_code)]

use realfft::num_complex::Complex64;

use super::climb::{Acc, Fused, Plain, Start};
use super::legendre::{EvenRecurrence, Recurrence};
use super::spin0;
use super::spin2::{self, Spin2Factors};

/// The multiply-add of the portable kernels: fused where the target always has FMA.
#[cfg(any(target_arch = "aarch64", target_feature = "fma"))]
type PortableArith = Fused;
/// The multiply-add of the portable kernels: fused where the target always has FMA.
#[cfg(not(any(target_arch = "aarch64", target_feature = "fma")))]
type PortableArith = Plain;

/// Ring pairs per kernel call of each kernel.
#[derive(Clone, Copy, Debug)]
struct Lanes {
    synthesis0: usize,
    analysis0: usize,
    /// Doubles per vector register: the width of spin-0 analysis's sums over lanes.
    vector0: usize,
    synthesis2: usize,
    analysis2: usize,
}

/// Lanes of the portable kernels.
const PORTABLE: Lanes = Lanes {
    synthesis0: 4,
    analysis0: 16,
    vector0: 2,
    synthesis2: 4,
    analysis2: 4,
};

/// Lanes of the AVX2 kernels, the widths that measured fastest: 8 except for spin-2 analysis,
/// whose 16 accumulators fit the registers only at 4.
#[cfg(target_arch = "x86_64")]
const AVX2: Lanes = Lanes {
    synthesis0: 8,
    analysis0: 32,
    vector0: 4,
    synthesis2: 8,
    analysis2: 4,
};

/// Lanes of the AVX-512 kernels (32 registers of 8 doubles): twice AVX2's. 32 lanes for spin 0
/// and 16 for spin-2 analysis measured slower (docs/benchmarks.md).
#[cfg(target_arch = "x86_64")]
const AVX512: Lanes = Lanes {
    synthesis0: 16,
    analysis0: 64,
    vector0: 8,
    synthesis2: 16,
    analysis2: 8,
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
    pub fn lanes(self, spin2: bool, synthesis: bool) -> usize {
        let lanes = match self {
            Isa::Portable => PORTABLE,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2Fma => AVX2,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => AVX512,
            #[cfg(not(target_arch = "x86_64"))]
            _ => PORTABLE,
        };
        match (spin2, synthesis) {
            (false, true) => lanes.synthesis0,
            (false, false) => lanes.analysis0,
            (true, true) => lanes.synthesis2,
            (true, false) => lanes.analysis2,
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
    sums: (&[Complex64], &[Complex64]),
    dst: &mut [[Complex64; 2]],
) {
    // SAFETY: each flavour is only chosen after detecting its CPU features (`Isa::detect`).
    #[cfg(target_arch = "x86_64")]
    match isa {
        Isa::Avx512 => return unsafe { avx512::synthesize0(rec, chunk, sums, dst) },
        Isa::Avx2Fma => return unsafe { avx2::synthesize0(rec, chunk, sums, dst) },
        Isa::Portable => {}
    }
    let _ = isa;
    spin0::synthesize::<{ PORTABLE.synthesis0 }, PortableArith>(rec, chunk, sums, dst);
}

/// Spin-0 analysis of one `m` for `chunk` (see [`spin0::analyze`]).
pub(crate) fn analyze0(
    isa: Isa,
    rec: &EvenRecurrence,
    chunk: &[Start],
    phases: &[[Complex64; 2]],
    acc: &mut [[Acc; 4]],
) {
    // SAFETY: as in `synthesize0`.
    #[cfg(target_arch = "x86_64")]
    match isa {
        Isa::Avx512 => return unsafe { avx512::analyze0(rec, chunk, phases, acc) },
        Isa::Avx2Fma => return unsafe { avx2::analyze0(rec, chunk, phases, acc) },
        Isa::Portable => {}
    }
    let _ = isa;
    spin0::analyze::<{ PORTABLE.analysis0 }, { PORTABLE.vector0 }, PortableArith>(
        rec, chunk, phases, acc,
    );
}

/// Spin-2 synthesis of one `m` for `chunk` (see [`spin2::synthesize`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn synthesize2(
    isa: Isa,
    rec: &Recurrence,
    fac: &Spin2Factors,
    m: usize,
    chunk: &[Start],
    eb: (&[Complex64], &[Complex64]),
    dst: &mut [[Complex64; 4]],
) {
    // SAFETY: as in `synthesize0`.
    #[cfg(target_arch = "x86_64")]
    match isa {
        Isa::Avx512 => return unsafe { avx512::synthesize2(rec, fac, m, chunk, eb, dst) },
        Isa::Avx2Fma => return unsafe { avx2::synthesize2(rec, fac, m, chunk, eb, dst) },
        Isa::Portable => {}
    }
    let _ = isa;
    spin2::synthesize::<{ PORTABLE.synthesis2 }, PortableArith>(
        rec, fac, m, chunk, eb.0, eb.1, dst,
    );
}

/// Spin-2 analysis of one `m` for `chunk` (see [`spin2::analyze`]).
pub(crate) fn analyze2(
    isa: Isa,
    rec: &Recurrence,
    fac: &Spin2Factors,
    m: usize,
    chunk: &[Start],
    phases: &[[Complex64; 4]],
    acc: &mut [[Acc; 4]],
) {
    // SAFETY: as in `synthesize0`.
    #[cfg(target_arch = "x86_64")]
    match isa {
        Isa::Avx512 => return unsafe { avx512::analyze2(rec, fac, m, chunk, phases, acc) },
        Isa::Avx2Fma => return unsafe { avx2::analyze2(rec, fac, m, chunk, phases, acc) },
        Isa::Portable => {}
    }
    let _ = isa;
    spin2::analyze::<{ PORTABLE.analysis2 }, PortableArith>(rec, fac, m, chunk, phases, acc);
}

/// Defines a module of the four kernels compiled for one set of x86-64 features, with the lane
/// counts of `$lanes`.
#[cfg(target_arch = "x86_64")]
macro_rules! x86_kernels {
    ($name:ident, $features:literal, $lanes:ident) => {
        mod $name {
            use super::*;

            #[target_feature(enable = $features)]
            pub(super) fn synthesize0(
                rec: &EvenRecurrence,
                chunk: &[Start],
                sums: (&[Complex64], &[Complex64]),
                dst: &mut [[Complex64; 2]],
            ) {
                spin0::synthesize::<{ $lanes.synthesis0 }, Fused>(rec, chunk, sums, dst);
            }

            #[target_feature(enable = $features)]
            pub(super) fn analyze0(
                rec: &EvenRecurrence,
                chunk: &[Start],
                phases: &[[Complex64; 2]],
                acc: &mut [[Acc; 4]],
            ) {
                spin0::analyze::<{ $lanes.analysis0 }, { $lanes.vector0 }, Fused>(
                    rec, chunk, phases, acc,
                );
            }

            #[target_feature(enable = $features)]
            pub(super) fn synthesize2(
                rec: &Recurrence,
                fac: &Spin2Factors,
                m: usize,
                chunk: &[Start],
                eb: (&[Complex64], &[Complex64]),
                dst: &mut [[Complex64; 4]],
            ) {
                spin2::synthesize::<{ $lanes.synthesis2 }, Fused>(
                    rec, fac, m, chunk, eb.0, eb.1, dst,
                );
            }

            #[target_feature(enable = $features)]
            pub(super) fn analyze2(
                rec: &Recurrence,
                fac: &Spin2Factors,
                m: usize,
                chunk: &[Start],
                phases: &[[Complex64; 4]],
                acc: &mut [[Acc; 4]],
            ) {
                spin2::analyze::<{ $lanes.analysis2 }, Fused>(rec, fac, m, chunk, phases, acc);
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
x86_kernels!(avx2, "avx2,fma", AVX2);
#[cfg(target_arch = "x86_64")]
x86_kernels!(avx512, "avx512f,avx512dq,avx512vl,avx2,fma", AVX512);
