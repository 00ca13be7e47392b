#!/usr/bin/env python3
"""Peak memory and time of one spherical harmonic transform: tessera-sky against ducc0.

Each transform runs in a fresh process. The inputs are made first; then the kernel's peak-RSS
mark is reset (write "5" to /proc/self/clear_refs, Linux) and one call runs — for tessera the
plan's construction and the transform, for ducc0 its `sht.synthesis` / `sht.adjoint_synthesis`
on the HEALPix geometry (which builds its own tables inside the call). "extra" is the peak
resident size during the call minus the resident size before it: tables, buffers and the output.
The analysis inputs are pre-weighted for ducc0 outside the measured span (no copy counted).

    python bench/sht_memory.py --nside 2048 --threads 1
    python bench/sht_memory.py --nside 4096 --lmax-factor 2 3 --threads 2 --only tessera

Needs ducc0 in the running Python (unless --only tessera) and the release `sht_memory` binary
(`cargo build --release -p tessera-bench --bin sht_memory`).
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ["alm2map_T", "map2alm_T", "alm2map_spin2", "map2alm_spin2"]


def status_bytes(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def ducc0_child(case, nside, lmax, threads):
    """Runs one ducc0 call the way sht_memory runs ours; prints the same JSON."""
    import numpy as np
    import ducc0
    from bench_common import input_alm
    npix = 12 * nside * nside
    geom = ducc0.healpix.Healpix_Base(nside, "RING").sht_info()
    kw = dict(lmax=lmax, mmax=lmax, nthreads=threads, **geom)

    def field(phase):
        return np.sin(1e-3 * np.arange(npix) + phase) * (4 * np.pi / npix)

    if case == "alm2map_T":
        args = dict(alm=input_alm(lmax, 0.0, False)[None, :], spin=0)
        call = ducc0.sht.synthesis
    elif case == "alm2map_spin2":
        args = dict(alm=np.stack([input_alm(lmax, 1.0, True), input_alm(lmax, 2.0, True)]), spin=2)
        call = ducc0.sht.synthesis
    elif case == "map2alm_T":
        args = dict(map=field(0.0)[None, :], spin=0)
        call = ducc0.sht.adjoint_synthesis
    else:
        args = dict(map=np.stack([field(1.0), field(2.0)]), spin=2)
        call = ducc0.sht.adjoint_synthesis
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status_bytes("VmRSS:")
    start = time.perf_counter()
    out = call(**args, **kw)
    seconds = time.perf_counter() - start
    peak = status_bytes("VmHWM:")
    print(json.dumps({"case": case, "nside": nside, "lmax": lmax, "threads": threads,
                      "seconds": seconds, "rss_before_bytes": before, "peak_bytes": peak,
                      "extra_bytes": max(peak - before, 0),
                      "checksum": float(np.sum(np.abs(out) ** 2)),
                      "ducc0": ducc0.__version__}))


def run(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nside", type=int, nargs="+", default=[2048])
    ap.add_argument("--lmax-factor", type=int, nargs="+", default=[3],
                    help="lmax = F·nside − 1 for F = 3, F·nside for F = 2 (default 3)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cases", nargs="+", default=CASES, choices=CASES)
    ap.add_argument("--only", choices=["tessera", "ducc0"], help="run one side only")
    ap.add_argument("--ducc0-child", nargs=4, metavar=("CASE", "NSIDE", "LMAX", "THREADS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.ducc0_child:
        case, nside, lmax, threads = args.ducc0_child
        ducc0_child(case, int(nside), int(lmax), int(threads))
        return
    binary = ROOT / "target" / "release" / "sht_memory"
    if os.environ.get("CARGO_TARGET_DIR"):
        binary = Path(os.environ["CARGO_TARGET_DIR"]) / "release" / "sht_memory"
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"commit {commit}; threads {args.threads}; one fresh process per transform")
    print("| case | nside | lmax | tessera s | tessera extra MiB | ducc0 s | ducc0 extra MiB | memory ratio |")
    print("|---|---|---|---|---|---|---|---|")
    mib = 1 / (1 << 20)
    for nside in args.nside:
        for factor in args.lmax_factor:
            lmax = 3 * nside - 1 if factor == 3 else factor * nside
            for case in args.cases:
                ours = theirs = None
                if args.only != "ducc0":
                    ours = run([str(binary), case, str(nside), str(lmax), str(args.threads)])
                if args.only != "tessera":
                    theirs = run([sys.executable, __file__, "--ducc0-child", case, str(nside),
                                  str(lmax), str(args.threads)])
                cells = [case, str(nside), str(lmax)]
                for r in (ours, theirs):
                    cells += ([f"{r['seconds']:.2f}", f"{r['extra_bytes'] * mib:.0f}"] if r
                              else ["–", "–"])
                cells.append(f"{ours['extra_bytes'] / theirs['extra_bytes']:.2f}"
                             if ours and theirs else "–")
                print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
