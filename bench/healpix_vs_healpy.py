#!/usr/bin/env python3
"""tessera-healpix against healpy, side by side on the same inputs and the same machine.

    /tmp/hpenv/bin/python bench/healpix_vs_healpy.py [--points 1000000] [--repeats 5]

Writes 10^6 random directions and pixel indices (nside 1024, seed 7) to bench/out/, times healpy
(single-threaded, as healpy's pixel functions are) and `healpix_timing` (built here in release
mode) on them, checks that both produced the same results (checksums), and prints a Markdown
table of median times and ratios (tessera / healpy: below 1 means tessera is faster).

Per-pixel primitives run on one thread on both sides. The whole-map tables run on all cores in
tessera; healpy has no table builder, so its figure is get_all_neighbours over every pixel (plus
inserting the centre column for the stencil, NNhealpix's way of building it).
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import healpy as hp  # noqa: E402
import numpy as np  # noqa: E402
from bench_common import median_time  # noqa: E402

NSIDE = 1024
DISCS = 1000
DISC_RADIUS = np.radians(1.0)
ROOT = Path(__file__).resolve().parent.parent


def checksum(a, sentinel=None):
    a = np.asarray(a)
    return float(a.astype(np.float64).sum())


def polygon_corners(theta, phi):
    """A quadrilateral of half-width 0.5 deg around each direction (the same formula as
    healpix_timing's), clear of the poles."""
    d = np.radians(0.5)
    t = np.clip(theta, 2 * d, np.pi - 2 * d)
    return [np.array([hp.ang2vec(a - d, b - d), hp.ang2vec(a - d, b + d),
                      hp.ang2vec(a + d, b + d), hp.ang2vec(a + d, b - d)]) for a, b in zip(t, phi)]


def healpy_timings(theta, phi, pix, repeats):
    res = {}
    for nest, tag in [(False, "ring"), (True, "nest")]:
        t, p = median_time(repeats, lambda: hp.ang2pix(NSIDE, theta, phi, nest=nest))
        res[f"ang2pix_{tag}"] = (t, checksum(p))
        t, (th, ph) = median_time(repeats, lambda: hp.pix2ang(NSIDE, pix, nest=nest))
        res[f"pix2ang_{tag}"] = (t, checksum(th) + checksum(ph))
        t, v = median_time(repeats, lambda: hp.pix2vec(NSIDE, pix, nest=nest))
        res[f"pix2vec_{tag}"] = (t, float(np.sum(v[0] + v[1] + v[2])))
        t, p = median_time(repeats, lambda: hp.vec2pix(NSIDE, v[0], v[1], v[2], nest=nest))
        res[f"vec2pix_{tag}"] = (t, checksum(p))
        t, nb = median_time(repeats, lambda: hp.get_all_neighbours(NSIDE, pix, nest=nest))
        res[f"neighbours_{tag}"] = (t, checksum(nb))
        t, (wp, _) = median_time(repeats, lambda: hp.get_interp_weights(NSIDE, theta, phi, nest=nest))
        res[f"interp_weights_{tag}"] = (t, checksum(wp))
        nb_pix = pix[: len(pix) // 10]
        t, b = median_time(repeats, lambda: hp.boundaries(NSIDE, nb_pix, step=1, nest=nest))
        res[f"boundaries_{tag}"] = (t, checksum(b))
        vecs = hp.ang2vec(theta[:DISCS], phi[:DISCS])
        for inclusive, name in [(False, "query_disc"), (True, "query_disc_inclusive")]:
            t, total = median_time(repeats, lambda: sum(
                len(hp.query_disc(NSIDE, v, DISC_RADIUS, inclusive=inclusive, nest=nest)) for v in vecs))
            res[f"{name}_{tag}"] = (t, float(total))
        corners = polygon_corners(theta[:DISCS], phi[:DISCS])
        for inclusive, name in [(False, "query_polygon"), (True, "query_polygon_inclusive")]:
            t, total = median_time(repeats, lambda: sum(
                len(hp.query_polygon(NSIDE, c, inclusive=inclusive, nest=nest)) for c in corners))
            res[f"{name}_{tag}"] = (t, float(total))
        values = np.sin(np.arange(hp.nside2npix(NSIDE), dtype=np.float64))
        t, iv = median_time(repeats, lambda: hp.get_interp_val(values, theta, phi, nest=nest))
        res[f"get_interp_val_{tag}"] = (t, checksum(iv))
        allpix = np.arange(hp.nside2npix(NSIDE))
        tables = min(repeats, 3)
        t, nb = median_time(tables, lambda: hp.get_all_neighbours(NSIDE, allpix, nest=nest))
        res[f"neighbour_table_{tag}"] = (t, checksum(nb))
        del nb

        def stencil():
            nb = hp.get_all_neighbours(NSIDE, allpix, nest=nest)
            return np.insert(nb, 4, allpix, axis=0)

        t, st = median_time(tables, stencil)
        res[f"stencil_table_{tag}"] = (t, checksum(st))
        del st
    rot = hp.Rotator(coord=["C", "G"])
    t, (rt, rp) = median_time(repeats, lambda: rot(theta, phi))
    res["rotator_c2g_all"] = (t, checksum(rt) + checksum(rp))
    allpix = np.arange(hp.nside2npix(NSIDE))
    t, p = median_time(repeats, lambda: hp.ring2nest(NSIDE, allpix))
    res["ring2nest_all"] = (t, checksum(p))
    t, p = median_time(repeats, lambda: hp.nest2ring(NSIDE, allpix))
    res["nest2ring_all"] = (t, checksum(p))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3,
                    help="run both sides this many times, alternating, and report medians")
    args = ap.parse_args()

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    theta = np.arccos(rng.uniform(-1, 1, args.points))
    phi = rng.uniform(0, 2 * np.pi, args.points)
    pix = rng.integers(0, hp.nside2npix(NSIDE), args.points)
    theta.tofile(out / "theta.f64")
    phi.tofile(out / "phi.f64")
    pix.astype(np.int64).tofile(out / "pix.i64")

    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tessera-bench", "--bin", "healpix_timing"],
                   cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    rounds_ours, rounds_theirs = [], []
    for _ in range(args.rounds):
        rounds_ours.append(json.loads(subprocess.run(
            [str(target / "release" / "healpix_timing"), str(out), str(args.repeats)],
            cwd=ROOT, check=True, capture_output=True, text=True).stdout))
        rounds_theirs.append(healpy_timings(theta, phi, pix, args.repeats))
    ours = {k: {"seconds": float(np.median([r[k]["seconds"] for r in rounds_ours])),
                "checksum": rounds_ours[-1][k]["checksum"]} for k in rounds_ours[0]}
    theirs = {k: (float(np.median([r[k][0] for r in rounds_theirs])), rounds_theirs[-1][k][1])
              for k in rounds_theirs[0]}

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    print(f"# tessera-healpix vs healpy {hp.__version__} (numpy {np.__version__})")
    print(f"# {time.strftime('%Y-%m-%d')}, commit {commit}, {platform.machine()}, "
          f"{os.cpu_count()} cores, {platform.processor() or 'cpu'}; "
          f"{args.points} points, nside {NSIDE}; median over {args.rounds} rounds of the median of "
          f"{args.repeats} runs (tables: 3)")
    print()
    print("| case | healpy (ms) | tessera (ms) | ratio | same result |")
    print("|---|---:|---:|---:|:---:|")
    worst = 0.0
    # Tessera's table variants are compared with healpy's one way of building the table.
    variants = {"neighbour_table_reused": "neighbour_table", "neighbour_table_i32": "neighbour_table",
                "stencil_table_i32": "stencil_table"}
    rows = []
    for name in ours:
        base = name
        for suffix, peer in variants.items():
            if name.startswith(suffix):
                base = peer + name[len(suffix):]
        rows.append((name, base))
    for name, base in sorted(rows):
        t_hp, c_hp = theirs[base]
        t_ts, c_ts = ours[name]["seconds"], ours[name]["checksum"]
        same = abs(c_hp - c_ts) <= 1e-9 * max(1.0, abs(c_hp))
        ratio = t_ts / t_hp
        worst = max(worst, ratio)
        print(f"| {name} | {1e3 * t_hp:.1f} | {1e3 * t_ts:.1f} | {ratio:.2f} | {'yes' if same else 'NO'} |")
        if not same:
            print(f"checksum mismatch in {name}: healpy {c_hp!r} vs tessera {c_ts!r}", file=sys.stderr)
    print()
    print(f"worst ratio: {worst:.2f}")


if __name__ == "__main__":
    main()
