#!/usr/bin/env python3
"""Golden values for tessera-sky's spin-s transforms at nside 128, from a pinned healpy: the
regime where the Wigner functions' starting values lie far below f64's range on the polar rings
(sin θ ≈ 0.0064 on the first ring, to the power m up to 383), which the kernels carry scaled.

Run by a human, never by CI:

    /tmp/hpenv/bin/python scripts/golden/spin_nside128_golden.py data/golden/spin_nside128.json.gz

Inputs are formulas both sides evaluate (no random numbers cross the language boundary), those of
`sht_golden.py` (gradient phase 1, curl phase 2, zero below l = spin, real at m = 0; maps with
c = 1, 2). Spins 1 and 3, lmax = 3 nside - 1: healpy's `alm2map_spin` of the coefficients and
`map2alm_spin` of the maps, every 97th pixel / coefficient and the sum of squares of each output.
"""
import sys

import healpy as hp
import numpy as np
from golden_io import floats, write_gzip_json
from sht_golden import input_alm as sht_formula_alm
from sht_golden import input_map

REQUIRED_HEALPY = "1.20.1"
NSIDE = 128
SPINS = (1, 3)
SAMPLE = 97


def input_alm(lmax, phase, spin):
    """`sht_golden.py`'s coefficients, zero below l = spin."""
    a = sht_formula_alm(lmax, phase, pol=False)
    l, _ = hp.Alm.getlm(lmax, np.arange(a.size))
    a[l < spin] = 0.0
    return a


def sampled_real(x):
    return {"every": SAMPLE, "sample": floats(x[::SAMPLE]), "sum_sq": float(np.sum(x * x))}


def sampled_alm(a):
    s = a[::SAMPLE]
    return {"every": SAMPLE, "re": floats(s.real), "im": floats(s.imag),
            "sum_sq": float(np.sum(np.abs(a) ** 2))}


def main(out_path):
    if hp.__version__ != REQUIRED_HEALPY:
        sys.exit(f"need healpy {REQUIRED_HEALPY}, found {hp.__version__}")
    lmax = 3 * NSIDE - 1
    maps = [input_map(NSIDE, 1), input_map(NSIDE, 2)]
    cases = []
    for spin in SPINS:
        gc = [input_alm(lmax, 1, spin), input_alm(lmax, 2, spin)]
        q, u = hp.alm2map_spin(gc, NSIDE, spin, lmax)
        g, c = hp.map2alm_spin(maps, spin, lmax)
        cases.append({"spin": spin, "maps_out": [sampled_real(q), sampled_real(u)],
                      "analysis": [sampled_alm(g), sampled_alm(c)]})
    golden = {"healpy": hp.__version__, "nside": NSIDE, "lmax": lmax, "cases": cases}
    write_gzip_json(golden, out_path)


if __name__ == "__main__":
    main(sys.argv[1])
