#!/usr/bin/env python3
"""tessera-sky's spherical harmonic transforms against healpy and ducc0, on the same alm.

    python bench/sht_vs_healpy.py [--nside 256 1024] [--repeats 3] [--rounds 3] [--threads 1]
    python bench/sht_vs_healpy.py --scaling --threads 2 --nside 512 1024 --repeats 5

Needs healpy (and optionally ducc0) in the running Python. The coefficients are the golden
script's formula, lmax = 3 nside - 1, iter 0; T is one spin-0 transform, TQU one spin-0 plus one
spin-2 transform in each direction. healpy and ducc0 run with --threads threads (OMP_NUM_THREADS /
nthreads), tessera with a rayon pool of that size (`sht_timing`, built in release mode). Checksums
(sum of squares of the outputs) must agree to 1e-9; the script prints the machine, its CPU's
vector flags, the kernels tessera ran and a Markdown table of times and ratios tessera / peer.

On a shared virtual machine one run's time varies by up to 2x from minute to minute, more than
the differences measured. So the three libraries run in --rounds interleaved rounds (tessera,
healpy, ducc0, then again), each round timing --repeats calls per case, and each library's time
is its best median over the rounds: the side-by-side ratio of what each achieves on the same
machine in the same minutes. With --scaling each library's calls alternate, call by call,
between one and --threads threads (`sht_timing 1,N`, ducc0's `nthreads` per call), so that a
speed-up compares two thread counts timed in the same seconds.
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
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--scaling", action="store_true",
                help="time tessera and ducc0 with 1 and with --threads threads, call by call "
                     "interleaved, and print each one's speed-up (healpy is not run)")
args = ap.parse_args()
os.environ["OMP_NUM_THREADS"] = str(args.threads)

import healpy as hp  # noqa: E402
import numpy as np  # noqa: E402
from bench_common import input_alm, interleaved_medians, median_time  # noqa: E402

try:
    import ducc0  # noqa: E402
except ImportError:
    ducc0 = None

ROOT = Path(__file__).resolve().parent.parent


def sum_sq(xs):
    return float(sum(np.sum(np.abs(x) ** 2) for x in xs))


def peers(nside, repeats):
    lmax = 3 * nside - 1
    t, e, b = golden_inputs(nside)
    res = {"healpy": {}, "ducc0": {}}
    h = res["healpy"]
    h["alm2map_T"], mt = median_time(repeats, lambda: hp.alm2map(t, nside, lmax=lmax))
    h["map2alm_T"], at = median_time(repeats, lambda: hp.map2alm(mt, lmax=lmax, iter=0))
    h["alm2map_TQU"], mp = median_time(repeats, lambda: hp.alm2map([t, e, b], nside, lmax=lmax))
    h["map2alm_TQU"], ap_ = median_time(repeats, lambda: hp.map2alm(mp, lmax=lmax, iter=0))
    sums = {"alm2map_T": sum_sq([mt]), "map2alm_T": sum_sq([at]),
            "alm2map_TQU": sum_sq(mp), "map2alm_TQU": sum_sq(ap_)}
    if ducc0 is not None:
        res["ducc0"] = ducc0_times(nside, repeats, [args.threads], (t, e, b))[args.threads]
    return res, sums


def golden_inputs(nside):
    """The T, E and B coefficients of every case at this nside (lmax = 3 nside - 1)."""
    lmax = 3 * nside - 1
    return input_alm(lmax, 0.0, False), input_alm(lmax, 1.0, True), input_alm(lmax, 2.0, True)


def ducc0_times(nside, repeats, threads, alms):
    """ducc0's median seconds per case, {n: {case: seconds}} for each thread count n in
    `threads` (the counts' calls interleaved), from `alms` = (T, E, B) (its own maps feed its
    analyses)."""
    lmax = 3 * nside - 1
    t, e, b = alms
    geom = ducc0.healpix.Healpix_Base(nside, "RING").sht_info()
    w = 4 * np.pi / (12 * nside * nside)
    kws = [dict(lmax=lmax, mmax=lmax, nthreads=n, **geom) for n in threads]
    d = {n: {} for n in threads}

    def case(name, make):
        seconds, outs = interleaved_medians(repeats, [make(kw) for kw in kws])
        for n, s in zip(threads, seconds):
            d[n][name] = s
        return outs[0]

    mt = case("alm2map_T", lambda kw: lambda: ducc0.sht.synthesis(alm=t[None, :], spin=0, **kw))
    case("map2alm_T", lambda kw: lambda: ducc0.sht.adjoint_synthesis(map=mt * w, spin=0, **kw))
    mtqu = case("alm2map_TQU", lambda kw: lambda: (
        ducc0.sht.synthesis(alm=t[None, :], spin=0, **kw),
        ducc0.sht.synthesis(alm=np.stack([e, b]), spin=2, **kw)))
    case("map2alm_TQU", lambda kw: lambda: (
        ducc0.sht.adjoint_synthesis(map=mtqu[0] * w, spin=0, **kw),
        ducc0.sht.adjoint_synthesis(map=mtqu[1] * w, spin=2, **kw)))
    return d


def vector_flags():
    """The CPU's vector instruction flags (Linux), as the kernels choose by them."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next(line for line in f if line.startswith("flags")).split(":")[1].split()
    except (OSError, StopIteration):
        return "unknown"
    wanted = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512vl")
    return " ".join(f for f in wanted if f in flags)


def run_ours(threads):
    """`sht_timing`'s JSON; `threads` a count or a comma-separated list of counts (interleaved,
    one set of cases per count)."""
    return json.loads(subprocess.run(
        [str(ROOT / "target" / "release" / "sht_timing"), str(threads), str(args.repeats)]
        + [str(n) for n in args.nside], check=True, capture_output=True, text=True).stdout)


def build_ours():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tessera-bench", "--bin", "sht_timing"],
                   cwd=ROOT, check=True)


def commit_and_machine():
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    return (f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; flags: "
            f"{vector_flags()}; commit {commit}")


CASES = ("alm2map_T", "map2alm_T", "alm2map_TQU", "map2alm_TQU")


def scaling():
    """Speed-up of --threads threads over one, tessera and ducc0 timed in the same rounds."""
    build_ours()
    if ducc0 is None:
        sys.exit("--scaling needs ducc0 in the running Python")
    best = {}  # (library, threads, case, nside) -> best median over the rounds
    kernels = "?"
    inputs = {nside: golden_inputs(nside) for nside in args.nside}
    n = args.threads
    for _ in range(args.rounds):
        ours = run_ours(f"1,{n}")
        kernels = ours.pop("kernels")
        for threads, cases in ours.items():
            for name, v in cases.items():
                case, nside = name.rsplit("_", 1)
                key = ("tessera", int(threads), case, int(nside))
                best[key] = min(best.get(key, float("inf")), v["seconds"])
        for nside in args.nside:
            for threads, cases in ducc0_times(nside, args.repeats, [1, n], inputs[nside]).items():
                for case, t in cases.items():
                    key = ("ducc0", threads, case, nside)
                    best[key] = min(best.get(key, float("inf")), t)
    print(f"{commit_and_machine()}; tessera kernels: {kernels}; ducc0 {ducc0.__version__}; "
          f"best of {args.rounds} rounds of {args.repeats}\n")
    print(f"| case | nside | tessera 1 thread s | tessera {n} threads s | tessera speed-up | "
          f"ducc0 1 thread s | ducc0 {n} threads s | ducc0 speed-up |")
    print("|---|---|---|---|---|---|---|---|")
    for nside in args.nside:
        for case in CASES:
            cells = [case, str(nside)]
            for lib in ("tessera", "ducc0"):
                one, many = best[(lib, 1, case, nside)], best[(lib, n, case, nside)]
                cells += [f"{one:.4f}", f"{many:.4f}", f"{one / many:.2f}"]
            print("| " + " | ".join(cells) + " |")


def main():
    if args.scaling:
        scaling()
        return
    build_ours()
    best = {}  # (library, case, nside) -> best median over the rounds
    sums = {}
    kernels = "?"

    def keep(key, seconds):
        best[key] = min(best.get(key, float("inf")), seconds)

    for _ in range(args.rounds):
        ours = run_ours(args.threads)
        kernels = ours.pop("kernels")
        for name, v in ours.items():
            case, nside = name.rsplit("_", 1)
            keep(("tessera", case, int(nside)), v["seconds"])
            sums[("tessera", case, int(nside))] = v["checksum"]
        for nside in args.nside:
            res, peer_sums = peers(nside, args.repeats)
            for lib, times in res.items():
                for case, t in times.items():
                    keep((lib, case, nside), t)
            for case, v in peer_sums.items():
                sums[("healpy", case, nside)] = v
    print(f"{commit_and_machine()}; tessera kernels: {kernels}; threads {args.threads}; healpy "
          f"{hp.__version__}; ducc0 {ducc0.__version__ if ducc0 else 'absent'}; "
          f"best of {args.rounds} rounds of {args.repeats}\n")
    print("| case | nside | healpy s | ducc0 s | tessera s | tessera/healpy | tessera/ducc0 |")
    print("|---|---|---|---|---|---|---|")
    ok = True
    for nside in args.nside:
        for case in CASES:
            mine, want = sums[("tessera", case, nside)], sums[("healpy", case, nside)]
            if abs(mine - want) > 1e-9 * abs(want):
                print(f"checksum mismatch {case} {nside}: {mine} vs {want}", file=sys.stderr)
                ok = False
            t = best[("tessera", case, nside)]
            h, d = best[("healpy", case, nside)], best.get(("ducc0", case, nside))
            dtxt = f"{d:.4f}" if d else "-"
            rd = f"{t / d:.2f}" if d else "-"
            print(f"| {case} | {nside} | {h:.4f} | {dtxt} | {t:.4f} | {t / h:.2f} | {rd} |")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
