#!/usr/bin/env python3
"""Golden values for tessera-sky's HEALPix ring weights, from a pinned healpy.

Run by a human, never by CI:

    python3 -m venv /tmp/hpenv && /tmp/hpenv/bin/pip install healpy==1.20.1 numpy==2.4.6 scipy==1.17.1
    /tmp/hpenv/bin/python scripts/golden/ring_weights_golden.py data/golden/ring_weights.json.gz

Writes (1) the ring weights healpy ships (`healpy/data/weight_ring_n*.fits`, HEALPix's
`QUAD_RING` output: one D_weight per northern ring, equator included, each ring multiplied by
1 + D) for nside 2 to 256, with the MAX-LPOL each was made for, and (2) healpy's `map2alm` with
`use_weights=True` on a T,Q,U map at nside 16 that is not band-limited (a smooth part plus white
noise), lmax = 3 nside - 1, with iter 0 and 3, polarised. Floats are written with repr() so they
round-trip exactly.
"""
import os
import sys

import healpy as hp
import numpy as np
from astropy.io import fits
from golden_io import floats, write_gzip_json

SEED = 20261207
REQUIRED_HEALPY = "1.20.1"
NSIDE = 16


def shipped_weights(nside):
    path = os.path.join(os.path.dirname(hp.__file__), "data", f"weight_ring_n{nside:05d}.fits")
    with fits.open(path) as f:
        table = f[1]
        return table.header["MAX-LPOL"], np.asarray(table.data.field(0), dtype=np.float64).ravel()


def main(out_path):
    if hp.__version__ != REQUIRED_HEALPY:
        sys.exit(f"need healpy {REQUIRED_HEALPY}, found {hp.__version__}")
    weights = []
    for nside in [2, 4, 8, 16, 32, 64, 128, 256]:
        lmax, d = shipped_weights(nside)
        weights.append({"nside": nside, "lmax": int(lmax), "d_weight": floats(d)})
    rng = np.random.default_rng(SEED)
    npix = hp.nside2npix(NSIDE)
    theta, phi = hp.pix2ang(NSIDE, np.arange(npix))
    smooth = [np.sin(3 * theta) * np.cos(2 * phi), np.cos(2 * theta) * np.sin(phi),
              np.sin(theta) ** 2 * np.cos(3 * phi)]
    tqu = np.array([s + 0.3 * rng.normal(size=npix) for s in smooth])
    lmax = 3 * NSIDE - 1
    cases = []
    for it in [0, 3]:
        alm = hp.map2alm(tqu, lmax=lmax, iter=it, pol=True, use_weights=True)
        cases.append({"iter": it, "re": [floats(a.real) for a in alm],
                      "im": [floats(a.imag) for a in alm]})
    golden = {"healpy": hp.__version__, "weights": weights, "nside": NSIDE, "lmax": lmax,
              "tqu": [floats(m) for m in tqu], "map2alm_use_weights": cases}
    write_gzip_json(golden, out_path)


if __name__ == "__main__":
    main(sys.argv[1])
