#!/usr/bin/env python3
"""tessera-sky's spherical harmonic transforms against healpy and ducc0, on the same alm.

    python bench/sht_vs_healpy.py [--nside 256 1024] [--repeats 3] [--threads 1]

Needs healpy (and optionally ducc0) in the running Python. The coefficients are the golden
script's formula, lmax = 3 nside - 1, iter 0; T is one spin-0 transform, TQU one spin-0 plus one
spin-2 transform in each direction. healpy and ducc0 run with --threads threads (OMP_NUM_THREADS /
nthreads), tessera with a rayon pool of that size (`sht_timing`, built in release mode). Checksums
(sum of squares of the outputs) must agree to 1e-9; the script prints a Markdown table of medians
and ratios tessera / peer.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--nside", type=int, nargs="+", default=[256, 1024])
ap.add_argument("--repeats", type=int, default=3)
ap.add_argument("--threads", type=int, default=1)
args = ap.parse_args()
os.environ["OMP_NUM_THREADS"] = str(args.threads)

import healpy as hp  # noqa: E402
import numpy as np  # noqa: E402
from bench_common import median_time  # noqa: E402

try:
    import ducc0  # noqa: E402
except ImportError:
    ducc0 = None

ROOT = Path(__file__).resolve().parent.parent


def input_alm(lmax, phase, pol):
    l, m = hp.Alm.getlm(lmax, np.arange(hp.Alm.getsize(lmax)))
    a = (np.sin(0.37 * l + 0.11 * m + 0.5) + 1j * np.cos(0.29 * l - 0.53 * m + phase)) / (1.0 + l)
    a[m == 0] = a[m == 0].real
    if pol:
        a[l < 2] = 0
    return a


def sum_sq(xs):
    return float(sum(np.sum(np.abs(x) ** 2) for x in xs))


def peers(nside, repeats):
    lmax = 3 * nside - 1
    t, e, b = input_alm(lmax, 0.0, False), input_alm(lmax, 1.0, True), input_alm(lmax, 2.0, True)
    res = {"healpy": {}, "ducc0": {}}
    h = res["healpy"]
    h["alm2map_T"], mt = median_time(repeats, lambda: hp.alm2map(t, nside, lmax=lmax))
    h["map2alm_T"], at = median_time(repeats, lambda: hp.map2alm(mt, lmax=lmax, iter=0))
    h["alm2map_TQU"], mp = median_time(repeats, lambda: hp.alm2map([t, e, b], nside, lmax=lmax))
    h["map2alm_TQU"], ap_ = median_time(repeats, lambda: hp.map2alm(mp, lmax=lmax, iter=0))
    sums = {"alm2map_T": sum_sq([mt]), "map2alm_T": sum_sq([at]),
            "alm2map_TQU": sum_sq(mp), "map2alm_TQU": sum_sq(ap_)}
    if ducc0 is not None:
        base = ducc0.healpix.Healpix_Base(nside, "RING")
        geom = base.sht_info()
        d = res["ducc0"]
        kw = dict(lmax=lmax, mmax=lmax, nthreads=args.threads, **geom)
        d["alm2map_T"], _ = median_time(repeats, lambda: ducc0.sht.synthesis(alm=t[None, :], spin=0, **kw))
        d["map2alm_T"], _ = median_time(
            repeats, lambda: ducc0.sht.adjoint_synthesis(map=mt[None, :] * (4 * np.pi / mt.size), spin=0, **kw))
        def synth_tqu():
            ducc0.sht.synthesis(alm=t[None, :], spin=0, **kw)
            return ducc0.sht.synthesis(alm=np.stack([e, b]), spin=2, **kw)
        def anal_tqu():
            w = 4 * np.pi / mt.size
            ducc0.sht.adjoint_synthesis(map=mp[0][None, :] * w, spin=0, **kw)
            return ducc0.sht.adjoint_synthesis(map=np.stack([mp[1], mp[2]]) * w, spin=2, **kw)
        d["alm2map_TQU"], _ = median_time(repeats, synth_tqu)
        d["map2alm_TQU"], _ = median_time(repeats, anal_tqu)
    return res, sums


def main():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tessera-bench", "--bin", "sht_timing"],
                   cwd=ROOT, check=True)
    ours = json.loads(subprocess.run(
        [str(ROOT / "target" / "release" / "sht_timing"), str(args.threads), str(args.repeats)]
        + [str(n) for n in args.nside], check=True, capture_output=True, text=True).stdout)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"threads {args.threads}; healpy {hp.__version__}; ducc0 "
          f"{ducc0.__version__ if ducc0 else 'absent'}; commit {commit}\n")
    print("| case | nside | healpy s | ducc0 s | tessera s | tessera/healpy | tessera/ducc0 |")
    print("|---|---|---|---|---|---|---|")
    ok = True
    for nside in args.nside:
        res, sums = peers(nside, args.repeats)
        for case in ("alm2map_T", "map2alm_T", "alm2map_TQU", "map2alm_TQU"):
            mine = ours[f"{case}_{nside}"]
            if abs(mine["checksum"] - sums[case]) > 1e-9 * abs(sums[case]):
                print(f"checksum mismatch {case} {nside}: {mine['checksum']} vs {sums[case]}", file=sys.stderr)
                ok = False
            h, d = res["healpy"][case], res["ducc0"].get(case)
            dtxt = f"{d:.4f}" if d else "-"
            rd = f"{mine['seconds'] / d:.2f}" if d else "-"
            print(f"| {case} | {nside} | {h:.4f} | {dtxt} | {mine['seconds']:.4f} | "
                  f"{mine['seconds'] / h:.2f} | {rd} |")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
