#!/usr/bin/env python3
"""tessera-sky against healpy: read_map, write_map, ud_grade and reorder on the same files.

    /tmp/hpenv/bin/python bench/sky_vs_healpy.py [--repeats 3]

Writes test maps with healpy to bench/out/sky/ (nside 1024 and 2048, T and TQU,
float64), times healpy (single-threaded) and `sky_timing` (built in release mode, both cores for
ud_grade and reorder) on them, checks that both computed the same (checksum = sum of the first
field), and prints a Markdown table of medians and ratios (tessera / healpy). fit_dipole,
bl2beam and rotate_alm run on one thread on both sides; tessera's rotate_pixels and the
transforms of its rotate_map_alms, alm2map_der1, map2alm_lsq, spin-s transforms and ring-weighted
map2alm use both cores (healpy's one;
the checksum of alm2map_der1 is the sum of dm/dtheta).
"""
import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import healpy as hp  # noqa: E402
import numpy as np  # noqa: E402
from bench_common import median_time  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CASES = [("n1024_f32_T", 1024, np.float32, 1), ("n1024_f64_T", 1024, np.float64, 1),
         ("n1024_f32_TQU", 1024, np.float32, 3), ("n1024_f64_TQU", 1024, np.float64, 3),
         ("n2048_f32_T", 2048, np.float32, 1), ("n2048_f64_T", 2048, np.float64, 1),
         ("n2048_f32_TQU", 2048, np.float32, 3), ("n2048_f64_TQU", 2048, np.float64, 3)]


ROTATE_LMAX = 512


def formula_alm(lmax):
    """The a_lm that sky_timing builds: re sin(0.37 l + 0.11 m), im cos(0.29 l - 0.53 m), m > 0."""
    l, m = hp.Alm.getlm(lmax)
    alm = np.sin(0.37 * l + 0.11 * m) + 1j * np.where(m > 0, np.cos(0.29 * l - 0.53 * m), 0.0)
    return alm.astype(np.complex128)


def first_sum(m):
    m = np.atleast_2d(m)[0]
    return float(np.sum(m[m != hp.UNSEEN], dtype=np.float64))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    d = ROOT / "bench" / "out" / "sky"
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    for stem, nside, dtype, nfields in CASES:
        path = d / f"{stem}.fits"
        if not path.exists():
            maps = [rng.normal(size=hp.nside2npix(nside)).astype(dtype) for _ in range(nfields)]
            hp.write_map(str(path), maps if nfields > 1 else maps[0], dtype=dtype, overwrite=True)

    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tessera-bench", "--bin", "sky_timing"],
                   cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    ours = json.loads(subprocess.run([str(target / "release" / "sky_timing"), str(d), str(args.repeats)],
                                     check=True, capture_output=True, text=True).stdout)
    theirs = {}
    for stem, nside, dtype, nfields in CASES:
        path = d / f"{stem}.fits"
        field = tuple(range(nfields)) if nfields > 1 else 0
        t, m = median_time(args.repeats, lambda: hp.read_map(str(path), field=field, dtype=np.float64))
        theirs[f"read_{stem}"] = (t, first_sum(m))
        out = d / f"healpy_{stem}.fits"
        t, _ = median_time(args.repeats, lambda: hp.write_map(str(out), m, dtype=dtype, overwrite=True))
        theirs[f"write_{stem}"] = (t, first_sum(hp.read_map(str(out), dtype=np.float64)))
    m = hp.read_map(str(d / "n1024_f64_T.fits"), dtype=np.float64)
    for nest, tag in [(False, "ring"), (True, "nest")]:
        mm = hp.reorder(m, r2n=True) if nest else m
        for nside in [512, 2048]:
            t, low = median_time(args.repeats, lambda: hp.ud_grade(mm, nside, order_in="NEST" if nest else "RING"))
            theirs[f"ud_grade_1024_to_{nside}_{tag}"] = (t, first_sum(low))
    t, nest = median_time(args.repeats, lambda: hp.reorder(m, r2n=True))
    theirs["reorder_r2n_1024"] = (t, first_sum(nest))
    # Functions added for issue 32: the fit alone, a rotation through pixels, beam profiles.
    t, (mono, dip) = median_time(args.repeats, lambda: hp.fit_dipole(m, gal_cut=20))
    theirs["fit_dipole_gal_cut20_1024"] = (t, float(mono + np.sum(dip)))
    low = hp.ud_grade(m, 256)
    rot = hp.Rotator(coord=["G", "C"])
    t, turned = median_time(args.repeats, lambda: rot.rotate_map_pixel(low))
    theirs["rotate_map_pixel_g2c_256"] = (t, first_sum(turned))
    bl = hp.gauss_beam(np.radians(0.5), lmax=3000)
    theta = np.linspace(0, np.radians(5.0), 2000)
    t, beam = median_time(args.repeats, lambda: hp.bl2beam(bl, theta))
    theirs["bl2beam_lmax3000_2000_angles"] = (t, float(np.sum(beam)))
    alm = formula_alm(ROTATE_LMAX)
    t, turned = median_time(args.repeats, lambda: rot.rotate_alm(alm))
    theirs[f"rotate_alm_g2c_lmax{ROTATE_LMAX}"] = (t, float(np.sum(turned.real)))
    t, der = median_time(args.repeats, lambda: hp.alm2map_der1(alm, 256, lmax=ROTATE_LMAX))
    theirs[f"alm2map_der1_lmax{ROTATE_LMAX}_256"] = (t, float(np.sum(der[1])))
    low = hp.ud_grade(m, 128)
    lsq_lmax = 2 * 128
    t, fit = median_time(args.repeats, lambda: hp.map2alm_lsq(low, lsq_lmax, lsq_lmax, pol=False))
    theirs[f"map2alm_lsq_128_lmax{lsq_lmax}"] = (t, float(np.sum(fit[0].real)))
    t, turned = median_time(args.repeats, lambda: rot.rotate_map_alms(low, use_pixel_weights=False))
    theirs["rotate_map_alms_g2c_128"] = (t, first_sum(turned))
    # Spin-s transforms (spin 3) and ring weights.
    t, qu = median_time(args.repeats, lambda: hp.alm2map_spin([alm, alm], 256, 3, ROTATE_LMAX))
    theirs[f"alm2map_spin3_lmax{ROTATE_LMAX}_256"] = (t, float(np.sum(qu[0])))
    mid = hp.ud_grade(m, 256)
    t, gc = median_time(args.repeats, lambda: hp.map2alm_spin([mid, mid], 3, 767, 767))
    theirs["map2alm_spin3_256"] = (t, float(np.sum(gc[0].real)))
    t, a = median_time(args.repeats, lambda: hp.map2alm(mid, use_weights=True))
    theirs["map2alm_use_weights_256"] = (t, float(np.sum(a.real)))

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"# tessera-sky vs healpy {hp.__version__}: {time.strftime('%Y-%m-%d')}, commit {commit}, "
          f"{platform.machine()}, {os.cpu_count()} cores, median of {args.repeats}")
    print()
    print("| case | healpy (ms) | tessera (ms) | ratio | same result |")
    print("|---|---:|---:|---:|:---:|")
    for name, (t_hp, c_hp) in theirs.items():
        t_ts, c_ts = ours[name]["seconds"], ours[name]["checksum"]
        same = abs(c_hp - c_ts) <= 1e-9 * max(1.0, abs(c_hp))
        print(f"| {name} | {1e3 * t_hp:.1f} | {1e3 * t_ts:.1f} | {t_ts / t_hp:.2f} | {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
