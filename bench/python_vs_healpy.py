#!/usr/bin/env python3
"""The tessera Python package against healpy on the same numpy arrays, conversions included.

    pip install ./python            # into an environment with healpy==1.20.1
    OMP_NUM_THREADS=1 python bench/python_vs_healpy.py [--repeats 5]

Prints a Markdown table of median times and ratios (tessera / healpy), and whether both gave the
same result (integers equal; floats within 1e-10 relative, 1e-14 for ud_grade). healpy runs on
one thread (OMP_NUM_THREADS=1, its default for these functions); tessera uses the cores the
machine has (rayon), as a pipeline calling it would.
"""
import argparse
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import healpy as hp  # noqa: E402
import numpy as np  # noqa: E402
from bench_common import median_time  # noqa: E402

import tessera.healpix as th  # noqa: E402
import tessera.sky as ts  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def same(a, b, tol):
    if isinstance(a, tuple):
        return all(same(x, y, tol) for x, y in zip(a, b))
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "iu":
        return bool(np.array_equal(a, b))
    scale = max(float(np.max(np.abs(b))), 1e-300)
    return bool(np.max(np.abs(a - b)) <= tol * scale)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(5)
    n = 1_000_000
    theta, phi = np.arccos(rng.uniform(-1, 1, n)), rng.uniform(0, 2 * np.pi, n)
    pix = rng.integers(0, hp.nside2npix(1024), n)
    m1024 = rng.normal(size=hp.nside2npix(1024))
    cl = np.zeros((4, 3 * 256))
    cl[0, 2:], cl[1, 2:], cl[3, 2:] = 1e3 / np.arange(2, 768) ** 2, 10 / np.arange(2, 768) ** 2, 30 / np.arange(2, 768) ** 2
    np.random.seed(1)
    tqu = hp.synfast(cl, 256, new=True)
    alm = hp.map2alm(tqu)
    vec = hp.ang2vec(0.7, 2.0)
    tmp = Path(tempfile.mkdtemp())
    hp.write_map(tmp / "m.fits", tqu, dtype=np.float64)
    ours_rot, their_rot = th.Rotator(coord=["G", "C"]), hp.Rotator(coord=["G", "C"])
    cases = [
        ("ang2pix nside 1024, 1e6 points", lambda: th.ang2pix(1024, theta, phi),
         lambda: hp.ang2pix(1024, theta, phi), 0),
        ("ang2pix NESTED", lambda: th.ang2pix(1024, theta, phi, nest=True),
         lambda: hp.ang2pix(1024, theta, phi, nest=True), 0),
        ("pix2ang nside 1024, 1e6 pixels", lambda: th.pix2ang(1024, pix),
         lambda: hp.pix2ang(1024, pix), 1e-12),
        ("nest2ring 1e6", lambda: th.nest2ring(1024, pix), lambda: hp.nest2ring(1024, pix), 0),
        ("ring2nest 1e6", lambda: th.ring2nest(1024, pix), lambda: hp.ring2nest(1024, pix), 0),
        ("get_all_neighbours 1e6", lambda: th.get_all_neighbours(1024, pix),
         lambda: hp.get_all_neighbours(1024, pix), 0),
        ("query_disc 5 deg, nside 1024", lambda: th.query_disc(1024, vec, np.radians(5)),
         lambda: hp.query_disc(1024, vec, np.radians(5)), 0),
        ("get_interp_val 1e6", lambda: th.get_interp_val(m1024, theta, phi),
         lambda: hp.get_interp_val(m1024, theta, phi), 1e-12),
        ("ud_grade 1024 to 512", lambda: th.ud_grade(m1024, 512), lambda: hp.ud_grade(m1024, 512), 1e-14),
        ("reorder r2n 1024", lambda: th.reorder(m1024, r2n=True), lambda: hp.reorder(m1024, r2n=True), 0),
        ("read_map TQU nside 256", lambda: ts.read_map(tmp / "m.fits", field=None),
         lambda: hp.read_map(tmp / "m.fits", field=None), 0),
        ("write_map TQU nside 256", lambda: ts.write_map(tmp / "t.fits", tqu, overwrite=True),
         lambda: hp.write_map(tmp / "h.fits", tqu, overwrite=True), None),
        ("map2alm TQU nside 256", lambda: ts.map2alm(tqu), lambda: hp.map2alm(tqu), 1e-10),
        ("alm2map TQU nside 256", lambda: ts.alm2map(alm, 256), lambda: hp.alm2map(alm, 256), 1e-10),
        ("anafast TQU nside 256", lambda: ts.anafast(tqu), lambda: hp.anafast(tqu), 1e-10),
        ("smoothing TQU nside 256, 1 deg", lambda: ts.smoothing(tqu, fwhm=np.radians(1)),
         lambda: hp.smoothing(tqu, fwhm=np.radians(1)), 1e-9),
        ("Rotator G to C, 1e6 directions", lambda: ours_rot(theta, phi), lambda: their_rot(theta, phi),
         1e-12),
        ("rotate_map_pixel TQU nside 256", lambda: ours_rot.rotate_map_pixel(tqu),
         lambda: their_rot.rotate_map_pixel(tqu), 1e-9),
        ("anafast TQU nside 256, use_weights", lambda: ts.anafast(tqu, use_weights=True),
         lambda: hp.anafast(tqu, use_weights=True), 1e-10),
        ("map2alm_spin spin 3, nside 256", lambda: ts.map2alm_spin(tqu[1:], 3),
         lambda: hp.map2alm_spin(tqu[1:], 3), 1e-10),
    ]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    flags = ""
    if Path("/proc/cpuinfo").exists():
        words = Path("/proc/cpuinfo").read_text().split()
        flags = " ".join(f for f in ("avx2", "fma", "avx512f") if f in words)
    print(f"# tessera (Python) vs healpy {hp.__version__}: {time.strftime('%Y-%m-%d')}, commit {commit}, "
          f"{platform.machine()}, {os.cpu_count()} cores ({flags}), median of {args.repeats}")
    print()
    print("| case | healpy (ms) | tessera (ms) | ratio | same result |")
    print("|---|---:|---:|---:|:---:|")
    for name, ours, theirs, tol in cases:
        t_ts, r_ts = median_time(args.repeats, ours)
        t_hp, r_hp = median_time(args.repeats, theirs)
        ok = "—" if tol is None else ("yes" if same(r_ts, r_hp, tol) else "NO")
        print(f"| {name} | {1e3 * t_hp:.2f} | {1e3 * t_ts:.2f} | {t_ts / t_hp:.2f} | {ok} |")


if __name__ == "__main__":
    main()
