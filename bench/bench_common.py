"""Shared by the side-by-side benchmark scripts."""
import time

import numpy as np


def median_time(repeats, f):
    """Median seconds of ``repeats`` calls of ``f`` after one warm-up call, and its last result."""
    out = f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), out
