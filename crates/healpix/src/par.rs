//! One place that decides between rayon and a plain loop (the `parallel` feature).

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

/// Runs `run(first, chunk)` over chunks of `out`: the whole of it in serial mode, pieces of
/// [`CHUNK`] on rayon's pool in parallel mode. Stops at an error (the first one when serial).
fn try_chunks<O: Send, E: Send>(
    out: &mut [O],
    mode: Parallelism,
    run: impl Fn(usize, &mut [O]) -> Result<(), E> + Sync,
) -> Result<(), E> {
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

/// Sets `out[i] = f(&input[i])`, after `check(block)` accepted each block of the input. Each
/// block is validated and then converted while it is in cache, so the input is read from memory
/// once.
pub(crate) fn map_blocks<I: Sync, O: Send, E: Send>(
    input: &[I],
    out: &mut [O],
    mode: Parallelism,
    check: impl Fn(&[I]) -> Result<(), E> + Sync,
    f: impl Fn(&I) -> O + Sync,
) -> Result<(), E> {
    debug_assert_eq!(input.len(), out.len());
    try_chunks(out, mode, |first, chunk| {
        let input = &input[first..first + chunk.len()];
        for (inp, o) in input.chunks(BLOCK).zip(chunk.chunks_mut(BLOCK)) {
            check(inp)?;
            for (slot, x) in o.iter_mut().zip(inp) {
                *slot = f(x);
            }
        }
        Ok(())
    })
}

/// [`map_blocks`] over two parallel inputs: `out[i] = f(a[i], b[i])`.
pub(crate) fn map_blocks_zip<O: Send, E: Send>(
    a: &[f64],
    b: &[f64],
    out: &mut [O],
    mode: Parallelism,
    check: impl Fn(&[f64], &[f64]) -> Result<(), E> + Sync,
    f: impl Fn(f64, f64) -> O + Sync,
) -> Result<(), E> {
    debug_assert!(a.len() == out.len() && b.len() == out.len());
    try_chunks(out, mode, |first, chunk| {
        let (a, b) = (
            &a[first..first + chunk.len()],
            &b[first..first + chunk.len()],
        );
        for ((ia, ib), o) in a
            .chunks(BLOCK)
            .zip(b.chunks(BLOCK))
            .zip(chunk.chunks_mut(BLOCK))
        {
            check(ia, ib)?;
            for ((slot, &x), &y) in o.iter_mut().zip(ia).zip(ib) {
                *slot = f(x, y);
            }
        }
        Ok(())
    })
}

/// `(0..n).map(f).collect()`, in parallel with the `parallel` feature: each slot is written once
/// (no zero-fill first), which matters for whole-map outputs of hundreds of megabytes.
pub(crate) fn collect_indexed<O: Send>(n: usize, f: impl Fn(usize) -> O + Sync + Send) -> Vec<O> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        (0..n).into_par_iter().map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        (0..n).map(f).collect()
    }
}

/// Sets `out[i] = f(i)` for every `i`.
pub(crate) fn fill_indexed<O: Send>(
    out: &mut [O],
    mode: Parallelism,
    f: impl Fn(usize) -> O + Sync,
) {
    let run = |first: usize, chunk: &mut [O]| {
        for (k, slot) in chunk.iter_mut().enumerate() {
            *slot = f(first + k);
        }
        Ok::<(), std::convert::Infallible>(())
    };
    let Ok(()) = try_chunks(out, mode, run);
}

/// [`map_blocks`] with two outputs: `(a[i], b[i]) = f(&input[i])`.
pub(crate) fn map_blocks_pair<I: Sync, A: Send, B: Send, E: Send>(
    input: &[I],
    a: &mut [A],
    b: &mut [B],
    mode: Parallelism,
    check: impl Fn(&[I]) -> Result<(), E> + Sync,
    f: impl Fn(&I) -> (A, B) + Sync,
) -> Result<(), E> {
    debug_assert!(input.len() == a.len() && a.len() == b.len());
    let run = |first: usize, ca: &mut [A], cb: &mut [B]| -> Result<(), E> {
        let input = &input[first..first + ca.len()];
        let outputs = ca.chunks_mut(BLOCK).zip(cb.chunks_mut(BLOCK));
        for (inp, (oa, ob)) in input.chunks(BLOCK).zip(outputs) {
            check(inp)?;
            for ((sa, sb), x) in oa.iter_mut().zip(ob.iter_mut()).zip(inp) {
                (*sa, *sb) = f(x);
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
