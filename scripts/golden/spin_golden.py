#!/usr/bin/env python3
"""Golden values for tessera-sky's spin-s transforms (any spin), from a pinned healpy.

Run by a human, never by CI:

    python3 -m venv /tmp/hpenv && /tmp/hpenv/bin/pip install healpy==1.20.1 numpy==2.4.6 scipy==1.17.1
    /tmp/hpenv/bin/python scripts/golden/spin_golden.py data/golden/spin.json.gz

For spins 1, 2, 3 and 5 at nside 8, lmax = 3 nside - 1: healpy's `alm2map_spin` of random
gradient/curl coefficients (zero below l = spin, real at m = 0), and `map2alm_spin` of two maps
that are not band-limited (a smooth part plus white noise). Also lmax = mmax = 12 for spin 3.
Floats are written with repr() so they round-trip exactly.
"""
import sys

import healpy as hp
import numpy as np
from golden_io import floats, write_gzip_json

SEED = 20261207
REQUIRED_HEALPY = "1.20.1"
NSIDE = 8


def random_alm(rng, lmax, mmax, spin):
    n = hp.Alm.getsize(lmax, mmax)
    a = rng.normal(size=n) + 1j * rng.normal(size=n)
    l, m = hp.Alm.getlm(lmax, np.arange(n))
    a[m == 0] = a[m == 0].real
    a[l < spin] = 0
    return a


def main(out_path):
    if hp.__version__ != REQUIRED_HEALPY:
        sys.exit(f"need healpy {REQUIRED_HEALPY}, found {hp.__version__}")
    rng = np.random.default_rng(SEED)
    npix = hp.nside2npix(NSIDE)
    theta, phi = hp.pix2ang(NSIDE, np.arange(npix))
    maps = [np.sin(2 * theta) * np.cos(phi) + 0.3 * rng.normal(size=npix),
            np.cos(3 * theta) * np.sin(2 * phi) + 0.3 * rng.normal(size=npix)]
    cases = []
    for spin, lmax, mmax in [(1, 23, 23), (2, 23, 23), (3, 23, 23), (5, 23, 23), (3, 12, 12)]:
        gc = [random_alm(rng, lmax, mmax, spin), random_alm(rng, lmax, mmax, spin)]
        q, u = hp.alm2map_spin(gc, NSIDE, spin, lmax, mmax)
        g, c = hp.map2alm_spin(maps, spin, lmax, mmax)
        cases.append({"spin": spin, "lmax": lmax, "mmax": mmax,
                      "alm_re": [floats(a.real) for a in gc], "alm_im": [floats(a.imag) for a in gc],
                      "maps_out": [floats(q), floats(u)],
                      "analysis_re": [floats(g.real), floats(c.real)],
                      "analysis_im": [floats(g.imag), floats(c.imag)]})
    golden = {"healpy": hp.__version__, "nside": NSIDE, "maps_in": [floats(m) for m in maps],
              "cases": cases}
    write_gzip_json(golden, out_path)


if __name__ == "__main__":
    main(sys.argv[1])
