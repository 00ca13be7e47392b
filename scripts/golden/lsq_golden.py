#!/usr/bin/env python3
"""Golden values for tessera-sky's map2alm_lsq, computed with a pinned healpy.

Run by a human, never by CI:

    python3 -m venv /tmp/hpenv && /tmp/hpenv/bin/pip install healpy==1.20.1 numpy==2.4.6 scipy==1.17.1
    /tmp/hpenv/bin/python scripts/golden/lsq_golden.py data/golden/map2alm_lsq.json.gz

healpy's `map2alm_lsq` (scipy's LSQR around alm2map and its adjoint) on a T,Q,U map at nside 16
that is not band-limited (white noise plus a smooth part), with lmax = mmax = 32: polarised and
temperature alone, tol 1e-10, maxiter 20 and 5. Writes the maps, the a_lm, rel_res and n_iter.
Floats are written with repr() so they round-trip exactly.
"""
import sys

import healpy as hp
import numpy as np
import scipy
from golden_io import floats, write_gzip_json

SEED = 20261208
REQUIRED_HEALPY = "1.20.1"
NSIDE = 16
LMAX = 32


def main(out_path):
    if hp.__version__ != REQUIRED_HEALPY:
        sys.exit(f"need healpy {REQUIRED_HEALPY}, found {hp.__version__}")
    rng = np.random.default_rng(SEED)
    npix = hp.nside2npix(NSIDE)
    theta, phi = hp.pix2ang(NSIDE, np.arange(npix))
    smooth = [np.sin(3 * theta) * np.cos(2 * phi), np.cos(2 * theta) * np.sin(phi),
              np.sin(theta) ** 2 * np.cos(3 * phi)]
    tqu = np.array([s + 0.3 * rng.normal(size=npix) for s in smooth])
    cases = []
    for name, maps, pol, maxiter in [("tqu pol", tqu, True, 20), ("t", tqu[0], False, 20),
                                     ("tqu pol maxiter 5", tqu, True, 5)]:
        alm, rel_res, n_iter = hp.map2alm_lsq(maps, LMAX, LMAX, pol=pol, tol=1e-10, maxiter=maxiter)
        alm = np.atleast_2d(alm)
        cases.append({"name": name, "pol": pol, "maxiter": maxiter,
                      "re": [floats(a.real) for a in alm], "im": [floats(a.imag) for a in alm],
                      "rel_res": float(rel_res), "n_iter": int(n_iter)})
    golden = {"healpy": hp.__version__, "scipy": scipy.__version__, "nside": NSIDE, "lmax": LMAX,
              "tqu": [floats(m) for m in tqu], "cases": cases}
    write_gzip_json(golden, out_path)


if __name__ == "__main__":
    main(sys.argv[1])
