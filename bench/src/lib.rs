//! Helpers of the side-by-side timing programs: reading raw input arrays and timing closures.

use std::path::Path;

/// The timing programs allocate as the `tessera` binary does (see its `main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The one FFI call of the project: mimalloc has no safe API for its options.
#[allow(unsafe_code)]
unsafe extern "C" {
    fn mi_option_set(option: i32, value: std::ffi::c_long);
}

/// As the `tessera` binary: freed memory stays mapped for a second (`mi_option_purge_delay`,
/// 15 in mimalloc 2.x) and is then reset rather than decommitted (`mi_option_purge_decommits`,
/// 5), so that each step's large buffers are reused without the kernel clearing their pages
/// again. Call first in `main`.
#[allow(unsafe_code)]
pub fn keep_freed_memory_warm() {
    // SAFETY: sets plain integer options; mimalloc documents them as callable at any time.
    unsafe {
        mi_option_set(15, 1000);
        mi_option_set(5, 0);
    }
}
use std::time::Instant;

use anyhow::{Context, Result, bail};
use tessera_sky::sht::{Alm, Complex64};

/// Reads a raw little-endian `f64` array written by numpy's `tofile`.
///
/// # Errors
/// When the file cannot be read or its length is not a multiple of 8.
pub fn read_f64(path: &Path) -> Result<Vec<f64>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() % 8 != 0 {
        bail!(
            "{}: length {} is not a multiple of 8",
            path.display(),
            bytes.len()
        );
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect())
}

/// Reads a raw little-endian `i64` array written by numpy's `tofile` as `u64`.
///
/// # Errors
/// When the file cannot be read, its length is not a multiple of 8, or a value is negative.
pub fn read_u64(path: &Path) -> Result<Vec<u64>> {
    read_f64(path)?; // length check
    let bytes = std::fs::read(path)?;
    bytes
        .chunks_exact(8)
        .map(|c| {
            let v = i64::from_le_bytes(c.try_into().expect("8 bytes"));
            u64::try_from(v).with_context(|| format!("{}: negative index {v}", path.display()))
        })
        .collect()
}

/// The median wall time in seconds of `repeats` runs of `f` (after one warm-up run), and the
/// value the last run returned (passed through `black_box` so the work cannot be optimised away).
pub fn median_time<T>(repeats: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut last = f();
    let mut times = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let start = Instant::now();
        last = std::hint::black_box(f());
        times.push(start.elapsed().as_secs_f64());
    }
    (median(times), last)
}

/// The median of `times` (the upper one of an even count); `times` must not be empty.
pub fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// A field of `/proc/self/status` (`VmRSS:`, `VmHWM:`, …) in KiB; `None` where `/proc` is absent.
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Peak resident memory of this process so far (`VmHWM`), in MB; NaN where `/proc` is absent.
pub fn peak_rss_mb() -> f64 {
    proc_status_kib("VmHWM:").map_or(f64::NAN, |kib| kib as f64 / 1024.0)
}

/// The golden script's coefficients, as the SHT benchmarks use them on every side:
/// `a_lm = (sin(0.37 l + 0.11 m + 0.5) + i cos(0.29 l − 0.53 m + phase)) / (1 + l)`, real at
/// `m = 0`, and zero below `l = 2` when `pol` (a spin-2 field).
pub fn golden_alm(lmax: usize, phase: f64, pol: bool) -> Alm {
    let mut alm = Alm::zeros(lmax, lmax);
    for m in 0..=lmax {
        for l in m..=lmax {
            let (lf, mf) = (l as f64, m as f64);
            let re = (0.37 * lf + 0.11 * mf + 0.5).sin() / (1.0 + lf);
            let im = if m == 0 {
                0.0
            } else {
                (0.29 * lf - 0.53 * mf + phase).cos() / (1.0 + lf)
            };
            let zero = pol && l < 2;
            alm.set(
                l,
                m,
                if zero {
                    Complex64::new(0.0, 0.0)
                } else {
                    Complex64::new(re, im)
                },
            );
        }
    }
    alm
}
