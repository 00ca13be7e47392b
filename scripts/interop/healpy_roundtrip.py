#!/usr/bin/env python3
"""healpy's side of the FITS interoperability test (crates/sky/tests/healpy_interop.rs).

    python healpy_roundtrip.py DIR

1. Reads every `tessera_*.fits` in DIR with healpy (`read_map`, all fields, as float64) and the
   header keys, writing `DIR/healpy_read.json`.
2. Writes maps with healpy/astropy in layouts the shared fixtures do not cover, as `healpy_*.fits`,
   with the values it wrote in `DIR/healpy_written.json`: full sky T and TQU, RING and NESTED,
   nside 1 to 1024, float32 and float64, partial (explicit) maps, one pixel per row, byte and int
   columns, and a gzip-compressed file.
"""
import gzip
import json
import shutil
import sys
from pathlib import Path

import healpy as hp
import numpy as np
from astropy.io import fits

KEYS = ["PIXTYPE", "ORDERING", "NSIDE", "FIRSTPIX", "LASTPIX", "INDXSCHM", "OBJECT", "COORDSYS"]


def fingerprint(values):
    """A 64-bit fingerprint of a float64 array: sum of bits(v[i]) * (2i + 1), wrapping.

    Equal arrays give equal fingerprints; the Rust side computes the same. Used instead of
    listing every value of the large maps."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    weights = np.arange(len(bits), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    with np.errstate(over="ignore"):
        return int(np.sum(bits * weights, dtype=np.uint64))


def summary(values):
    """Every value for small maps; a fingerprint and a sample for large ones."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) <= 3072:
        return {"values": [float(v) for v in values]}
    return {"fingerprint": str(fingerprint(values)), "sample": [float(v) for v in values[::997]]}


def read_tessera_files(d: Path):
    out = {}
    for path in sorted(d.glob("tessera_*.fits")):
        header = fits.getheader(path, 1)
        partial = header.get("INDXSCHM", "").strip() == "EXPLICIT"
        m = hp.read_map(str(path), field=None, dtype=np.float64, partial=False, nest=None)
        m = np.atleast_2d(m)
        out[path.name] = {
            "header": {k: header.get(k) for k in KEYS if k in header},
            "tforms": [header[f"TFORM{i + 1}"] for i in range(header["TFIELDS"])],
            "names": [header[f"TTYPE{i + 1}"] for i in range(header["TFIELDS"])],
            "units": [header.get(f"TUNIT{i + 1}") for i in range(header["TFIELDS"])],
            "partial": partial,
            "fields": [summary(row) for row in m],
        }
    (d / "healpy_read.json").write_text(json.dumps(out))


def pattern(npix, k):
    return (np.sin(np.arange(npix) * 0.37 + k) * 100.0)


def write_healpy_files(d: Path):
    written = {}

    def record(name, nside, nest, columns, partial=False):
        written[name] = {"nside": nside, "nest": nest, "partial": partial,
                         "fields": [summary(c) for c in columns]}

    for nside in [1, 2, 16, 1024]:
        for nest in [False, True]:
            for dtype in [np.float32, np.float64]:
                for nfields in [1, 3]:
                    npix = hp.nside2npix(nside)
                    cols = [pattern(npix, k).astype(dtype) for k in range(nfields)]
                    name = f"healpy_n{nside}_{'nest' if nest else 'ring'}_{np.dtype(dtype).name}_{nfields}.fits"
                    hp.write_map(str(d / name), cols if nfields > 1 else cols[0], nest=nest,
                                 dtype=dtype, overwrite=True, column_units="uK")
                    record(name, nside, nest, cols)
    # Partial (explicit) map, laid out as healpy's partial=True / HEALPix Fortran write it (healpy
    # 1.20.1's own partial writer fails under numpy 2 with "could not understand int8").
    nside, npix = 16, hp.nside2npix(16)
    m = pattern(npix, 0).astype(np.float32)
    m[100:] = hp.UNSEEN
    seen = np.flatnonzero(m != hp.UNSEEN)
    hdu = fits.BinTableHDU.from_columns([
        fits.Column(name="PIXEL", format="J", array=seen.astype(np.int32)),
        fits.Column(name="SIGNAL", format="E", array=m[seen]),
    ])
    for key, value in [("PIXTYPE", "HEALPIX"), ("ORDERING", "RING"), ("NSIDE", nside),
                       ("FIRSTPIX", 0), ("LASTPIX", npix - 1), ("INDXSCHM", "EXPLICIT"),
                       ("OBJECT", "PARTIAL")]:
        hdu.header[key] = value
    fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(d / "healpy_partial.fits", overwrite=True)
    check = hp.read_map(str(d / "healpy_partial.fits"), dtype=np.float64)
    assert np.array_equal(check[:100], m[:100].astype(np.float64)), "healpy reads the partial map"
    record("healpy_partial.fits", nside, False, [m], partial=True)
    # One pixel per row (fits_IDL=False) at nside 64.
    m = pattern(hp.nside2npix(64), 1)
    hp.write_map(str(d / "healpy_one_per_row.fits"), m, fits_IDL=False, overwrite=True)
    record("healpy_one_per_row.fits", 64, False, [m])
    # Byte and 32-bit integer columns, written with astropy.
    for fmt, np_type, name in [("B", np.uint8, "healpy_bytes.fits"), ("J", np.int32, "healpy_ints.fits")]:
        values = (np.arange(hp.nside2npix(4)) % 200).astype(np_type)
        col = fits.Column(name="MASK", format=fmt, array=values)
        hdu = fits.BinTableHDU.from_columns([col])
        hdu.header["PIXTYPE"] = "HEALPIX"
        hdu.header["ORDERING"] = "NESTED"
        hdu.header["NSIDE"] = 4
        hdu.header["INDXSCHM"] = "IMPLICIT"
        fits.HDUList([fits.PrimaryHDU(), hdu]).writeto(d / name, overwrite=True)
        record(name, 4, True, [values.astype(np.float64)])
    # gzip-compressed copy of a healpy map.
    src = d / "healpy_n16_ring_float32_3.fits"
    with open(src, "rb") as f_in, gzip.open(d / "healpy_gzip.fits.gz", "wb") as f_out:
        shutil.copyfileobj(f_in, f_out)
    written["healpy_gzip.fits.gz"] = written[src.name]
    (d / "healpy_written.json").write_text(json.dumps(written))


if __name__ == "__main__":
    directory = Path(sys.argv[1])
    read_tessera_files(directory)
    write_healpy_files(directory)
    print(f"healpy {hp.__version__}: done in {directory}")
