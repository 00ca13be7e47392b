//! One place that decides between rayon and a plain loop (the `parallel` feature).

use std::ops::Range;

/// Pixels per parallel work item: large enough to amortise scheduling, small enough to balance.
pub(crate) const CHUNK: usize = 1 << 14;

/// Inputs are validated and converted block by block, so the second pass reads from cache.
const BLOCK: usize = 2048;

/// How a bulk call uses the machine's cores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Parallelism {
    /// One thread: the caller's.
    Serial,
    /// All of rayon's threads (falls back to one thread without the `parallel` feature).
    #[default]
    Rayon,
}

/// Calls `fill(first_row, chunk)` on consecutive chunks of `out`, each `CHUNK * width` long,
/// in parallel when the `parallel` feature is on. `first_row` counts rows of `width` values.
pub(crate) fn fill_rows<T: Send>(
    out: &mut [T],
    width: usize,
    fill: impl Fn(usize, &mut [T]) + Sync,
) {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        out.par_chunks_mut(CHUNK * width)
            .enumerate()
            .for_each(|(i, chunk)| fill(i * CHUNK, chunk));
    }
    #[cfg(not(feature = "parallel"))]
    for (i, chunk) in out.chunks_mut(CHUNK * width).enumerate() {
        fill(i * CHUNK, chunk);
    }
}

/// Sets `out[i] = f(i)` for every `i`, after `check(block)` accepted each block of indices.
/// Stops at an error: in serial mode the first one, in parallel mode one of them.
pub(crate) fn map_blocks<O: Send, E: Send>(
    out: &mut [O],
    mode: Parallelism,
    check: impl Fn(Range<usize>) -> Result<(), E> + Sync,
    f: impl Fn(usize) -> O + Sync,
) -> Result<(), E> {
    let run = |first: usize, chunk: &mut [O]| -> Result<(), E> {
        for (b, block) in chunk.chunks_mut(BLOCK).enumerate() {
            let start = first + b * BLOCK;
            check(start..start + block.len())?;
            for (k, slot) in block.iter_mut().enumerate() {
                *slot = f(start + k);
            }
        }
        Ok(())
    };
    match mode {
        #[cfg(feature = "parallel")]
        Parallelism::Rayon => {
            use rayon::prelude::*;
            out.par_chunks_mut(CHUNK)
                .enumerate()
                .try_for_each(|(i, c)| run(i * CHUNK, c))
        }
        _ => run(0, out),
    }
}

/// Sets `out[i] = f(i)` for every `i`.
pub(crate) fn fill_indexed<O: Send>(
    out: &mut [O],
    mode: Parallelism,
    f: impl Fn(usize) -> O + Sync,
) {
    let no_check = |_| Ok::<(), std::convert::Infallible>(());
    let Ok(()) = map_blocks(out, mode, no_check, f);
}

/// [`map_blocks`] with two outputs: `(a[i], b[i]) = f(i)`.
pub(crate) fn map_blocks_pair<A: Send, B: Send, E: Send>(
    a: &mut [A],
    b: &mut [B],
    mode: Parallelism,
    check: impl Fn(Range<usize>) -> Result<(), E> + Sync,
    f: impl Fn(usize) -> (A, B) + Sync,
) -> Result<(), E> {
    let run = |first: usize, ca: &mut [A], cb: &mut [B]| -> Result<(), E> {
        for (blk, (oa, ob)) in ca.chunks_mut(BLOCK).zip(cb.chunks_mut(BLOCK)).enumerate() {
            let start = first + blk * BLOCK;
            check(start..start + oa.len())?;
            for (k, (sa, sb)) in oa.iter_mut().zip(ob.iter_mut()).enumerate() {
                (*sa, *sb) = f(start + k);
            }
        }
        Ok(())
    };
    match mode {
        #[cfg(feature = "parallel")]
        Parallelism::Rayon => {
            use rayon::prelude::*;
            a.par_chunks_mut(CHUNK)
                .zip(b.par_chunks_mut(CHUNK))
                .enumerate()
                .try_for_each(|(i, (ca, cb))| run(i * CHUNK, ca, cb))
        }
        _ => run(0, a, b),
    }
}
