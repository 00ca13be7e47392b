#!/usr/bin/env python3
"""Golden values for tessera-sky's alm2map_der1, computed with a pinned healpy.

Run by a human, never by CI:

    python3 -m venv /tmp/hpenv && /tmp/hpenv/bin/pip install healpy==1.20.1 numpy==2.4.6
    /tmp/hpenv/bin/python scripts/golden/der1_golden.py data/golden/alm2map_der1.json.gz

healpy's `alm2map_der1` (the map, dm/dtheta and dm/dphi / sin(theta)) of one random a_lm at
nside 16: lmax = mmax = 40, and lmax 40 with mmax 20. Floats are written with repr().
"""
import sys

import healpy as hp
import numpy as np
from golden_io import floats, write_gzip_json

SEED = 20261209
REQUIRED_HEALPY = "1.20.1"
NSIDE = 16
LMAX = 40


def main(out_path):
    if hp.__version__ != REQUIRED_HEALPY:
        sys.exit(f"need healpy {REQUIRED_HEALPY}, found {hp.__version__}")
    rng = np.random.default_rng(SEED)
    cases = []
    for mmax in [LMAX, 20]:
        n = hp.Alm.getsize(LMAX, mmax)
        alm = rng.normal(size=n) + 1j * rng.normal(size=n)
        alm[: LMAX + 1] = alm[: LMAX + 1].real
        maps = hp.alm2map_der1(alm, NSIDE, lmax=LMAX, mmax=mmax)
        cases.append({"mmax": mmax, "re": floats(alm.real), "im": floats(alm.imag),
                      "maps": [floats(m) for m in maps]})
    write_gzip_json({"healpy": hp.__version__, "nside": NSIDE, "lmax": LMAX, "cases": cases},
                    out_path)


if __name__ == "__main__":
    main(sys.argv[1])
