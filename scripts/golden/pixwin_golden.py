"""Golden values of the temperature and polarisation pixel window functions, from HEALPix's tables
read by a pinned healpy.

Usage: python scripts/golden/pixwin_golden.py HEALPY_DATA_DIR data/golden/pixwin.json.gz

healpy 1.20.1 downloads its `pixel_window_nXXXX.fits` tables on first use; offline, point
HEALPY_DATA_DIR at a folder whose `pixel_window_functions/` holds them (e.g. copied from
`healpy/data/` of the healpy 1.14.0 wheel, which still shipped them). Writes, for nside 2 ... 256, healpy's `pixwin(nside, pol=True,
lmax=4 nside, datapath=HEALPY_DATA_DIR)` at sampled multipoles only — every l up to 16, then 64
evenly spaced up to 4 nside, which is included — so that the repository holds reference values,
not a copy of HEALPix's tables. repr() floats (exact round trip), gzip mtime 0 (byte-for-byte
reproducible).
"""
import gzip
import io
import json
import sys

import healpy as hp

REQUIRED_HEALPY = "1.20.1"
NSIDES = [2, 4, 8, 16, 32, 64, 128, 256]


def main(datapath, out):
    if hp.__version__ != REQUIRED_HEALPY:
        sys.exit(f"healpy {hp.__version__}: the golden values are pinned to {REQUIRED_HEALPY}")
    golden = {"healpy": hp.__version__, "source": "HEALPix pixel_window_nXXXX.fits tables"}
    for nside in NSIDES:
        lmax = 4 * nside
        t, p = hp.pixwin(nside, pol=True, lmax=lmax, datapath=datapath)
        ls = sorted(set(range(min(16, lmax) + 1)) | set(range(0, lmax + 1, max(1, lmax // 64))) | {lmax})
        golden[str(nside)] = {
            "l": ls,
            "t": [float(t[l]) for l in ls],
            "p": [float(p[l]) for l in ls],
        }
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
        f.write(json.dumps(golden).encode())
    with open(out, "wb") as f:
        f.write(buf.getvalue())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
