#!/usr/bin/env python3
"""Golden values for `tessera smooth` / tessera-sky's smoothing, computed with a pinned healpy.

Run by a human, never by CI (the input is the shared fixture ../shared/data/fits/map.fits):

    /tmp/hpenv/bin/python scripts/golden/smoothing_golden.py ../shared/data/fits/map.fits \
        data/golden/smoothing.json.gz

healpy's smoothing(m, fwhm=1 deg, iter=3) of the T/Q/U fixture (nside 128), polarised and
not, sampled at every 97th pixel.
"""
import sys

import healpy as hp
import numpy as np
from golden_io import floats, write_gzip_json

REQUIRED_HEALPY = "1.20.1"


def main(fixture, out_path):
    if hp.__version__ != REQUIRED_HEALPY:
        sys.exit(f"need healpy {REQUIRED_HEALPY}, found {hp.__version__}")
    m = hp.read_map(fixture, field=(0, 1, 2), dtype=np.float64)
    fwhm = np.radians(1.0)
    pol = hp.smoothing(m, fwhm=fwhm, iter=3, pol=True)
    nopol = hp.smoothing(m, fwhm=fwhm, iter=3, pol=False)
    sample = np.arange(0, m.shape[1], 97)
    golden = {
        "provenance": {"generator": "scripts/golden/smoothing_golden.py", "healpy": hp.__version__,
                       "numpy": np.__version__, "input": "shared/data/fits/map.fits"},
        "fwhm_arcmin": 60.0,
        "pixels": [int(p) for p in sample],
        "pol": [floats(f[sample]) for f in pol],
        "nopol": [floats(f[sample]) for f in nopol],
    }
    write_gzip_json(golden, out_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
