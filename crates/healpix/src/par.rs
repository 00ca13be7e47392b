//! One place that decides between rayon and a plain loop (the `parallel` feature).

/// Pixels per parallel work item: large enough to amortise scheduling, small enough to balance.
pub(crate) const CHUNK: usize = 1 << 14;

/// Calls `fill(first_index, chunk)` on consecutive chunks of `out`, each `CHUNK * width` long,
/// in parallel when the `parallel` feature is on. `first_index` counts rows of `width` values.
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

/// How a bulk call uses the machine's cores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Parallelism {
    /// One thread: the caller's.
    Serial,
    /// All of rayon's threads (falls back to one thread without the `parallel` feature).
    #[default]
    Rayon,
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
    };
    match mode {
        #[cfg(feature = "parallel")]
        Parallelism::Rayon => {
            use rayon::prelude::*;
            out.par_chunks_mut(CHUNK)
                .enumerate()
                .for_each(|(i, c)| run(i * CHUNK, c))
        }
        _ => run(0, out),
    }
}

/// Sets `(a[i], b[i]) = f(i)` for every `i`.
pub(crate) fn fill_indexed_pair<A: Send, B: Send>(
    a: &mut [A],
    b: &mut [B],
    mode: Parallelism,
    f: impl Fn(usize) -> (A, B) + Sync,
) {
    let run = |first: usize, ca: &mut [A], cb: &mut [B]| {
        for (k, (sa, sb)) in ca.iter_mut().zip(cb.iter_mut()).enumerate() {
            (*sa, *sb) = f(first + k);
        }
    };
    match mode {
        #[cfg(feature = "parallel")]
        Parallelism::Rayon => {
            use rayon::prelude::*;
            a.par_chunks_mut(CHUNK)
                .zip(b.par_chunks_mut(CHUNK))
                .enumerate()
                .for_each(|(i, (ca, cb))| run(i * CHUNK, ca, cb))
        }
        _ => run(0, a, b),
    }
}
