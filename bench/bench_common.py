"""Shared by the side-by-side benchmark scripts."""
import time

import numpy as np


def interleaved_medians(repeats, fs):
    """Median seconds of ``repeats`` calls of each function in ``fs`` after one warm-up call of
    each, the calls alternating between the functions (so that each is timed in the same
    seconds of a machine whose speed drifts), and each one's last result."""
    outs = [f() for f in fs]
    times = [[] for _ in fs]
    for _ in range(repeats):
        for i, f in enumerate(fs):
            start = time.perf_counter()
            outs[i] = f()
            times[i].append(time.perf_counter() - start)
    return [float(np.median(t)) for t in times], outs


def median_time(repeats, f):
    """Median seconds of ``repeats`` calls of ``f`` after one warm-up call, and its last result."""
    (seconds,), (out,) = interleaved_medians(repeats, [f])
    return seconds, out


def input_alm(lmax, phase, pol):
    """The golden script's coefficients in healpy's order (m-major), as every SHT benchmark uses
    them: (sin(0.37 l + 0.11 m + 0.5) + i cos(0.29 l - 0.53 m + phase)) / (1 + l), real at
    m = 0, zero below l = 2 when pol (a spin-2 field)."""
    m = np.repeat(np.arange(lmax + 1), np.arange(lmax + 1, 0, -1))
    l = np.concatenate([np.arange(mm, lmax + 1) for mm in range(lmax + 1)])
    a = (np.sin(0.37 * l + 0.11 * m + 0.5) + 1j * np.cos(0.29 * l - 0.53 * m + phase)) / (1.0 + l)
    a[m == 0] = a[m == 0].real
    if pol:
        a[l < 2] = 0
    return a
