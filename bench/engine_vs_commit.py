#!/usr/bin/env python3
"""Seconds per epoch of two `tessera` binaries on the same trainings, side by side: the training
engine of this commit against the three loops it replaced (or any two builds).

    git worktree add ../old <commit> && (cd ../old && cargo build --release -p tessera-cli)
    python3 bench/engine_vs_commit.py --old ../old/target/release/tessera \\
        --new target/release/tessera [--rounds 2] [--threads 1]

Each round runs every workload with the old binary, then with the new one, so both see the same
machine load; each workload is the same recipe for both (the new binary is told to keep the old
defaults: no validation split, no BatchNorm). The figure is the seconds of training steps per
epoch each run records itself (`seconds` in the run's history), the median over epochs and
rounds, and the CPU seconds (user + system) of the whole process. Standard library only.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TESSERA_SHARED_DATA", ROOT.parent / "shared" / "data"))


def workloads(tmp: Path):
    """(name, arguments for both, extra arguments for the new binary, epochs file reader)."""
    mutag = str(SHARED / "graphs" / "MUTAG")
    msb = str(SHARED / "meshes" / "msb")
    return [
        ("graph: MUTAG, 10 folds x 20 epochs",
         ["train", "graph", "--data", mutag, "--epochs", "20", "--lr", "0.01"],
         ["--patience", "0", "--no-batch-norm"], graph_seconds),
        ("mesh: MSB, 3 epochs, augmentation",
         ["train", "mesh", "--data", msb, "--epochs", "3", "--augment-rotate",
          "--augment-scale", "0.1"], [], run_seconds),
        ("sphere: l_p, nside 16, 2000 maps, 3 epochs",
         ["train", "sphere", "--task", "ellp", "--train", str(tmp / "train"), "--test",
          str(tmp / "test"), "--epochs", "3"], [], run_seconds),
    ]


def run_seconds(out: Path):
    history = json.loads((out / "run.json").read_text())["history"]
    return history["seconds"]


def graph_seconds(out: Path):
    # The graph runs record the whole run's wall time; per epoch is that over the epochs.
    report = json.loads((out / "report.json").read_text())
    epochs = sum(1 for line in (out / "loss.csv").read_text().splitlines()[1:] if line)
    return [report["seconds"] / epochs]


def timed(cmd, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--old", required=True, type=Path, help="the earlier tessera binary")
    p.add_argument("--new", required=True, type=Path, help="this commit's tessera binary")
    p.add_argument("--rounds", type=int, default=2, help="old/new pairs per workload")
    p.add_argument("--threads", type=int, default=1, help="RAYON_NUM_THREADS of both")
    p.add_argument("--only", choices=["graph", "mesh", "sphere"], help="one workload")
    a = p.parse_args()
    for b in (a.old, a.new):
        if not b.is_file():
            sys.exit(f"{b}: no such binary (build it with cargo build --release -p tessera-cli)")
    env = dict(os.environ, RAYON_NUM_THREADS=str(a.threads))
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        for split, count, seed in (("train", 2000, 1), ("test", 200, 2)):
            subprocess.run([str(a.new), "sim", "ellp", "--nside", "16", "--count", str(count),
                            "--seed", str(seed), "-o", str(tmp / split)], check=True,
                           stdout=subprocess.DEVNULL)
        print(f"{'workload':44} {'old s/epoch':>12} {'new s/epoch':>12} {'new/old':>8} "
              f"{'old CPU s':>10} {'new CPU s':>10}")
        for name, args, extra, seconds in workloads(tmp):
            if a.only and not name.startswith(a.only):
                continue
            per = {"old": [], "new": []}
            cpu = {"old": [], "new": []}
            for r in range(a.rounds):
                for side, binary, more in (("old", a.old, []), ("new", a.new, extra)):
                    out = tmp / f"{side}_{r}_{len(per[side])}_{abs(hash(name))}"
                    cpu[side].append(timed([str(binary), *args, *more, "-o", str(out)], env))
                    per[side].extend(seconds(out))
            old, new = statistics.median(per["old"]), statistics.median(per["new"])
            print(f"{name:44} {old:12.3f} {new:12.3f} {new / old:8.3f} "
                  f"{statistics.median(cpu['old']):10.1f} {statistics.median(cpu['new']):10.1f}")


if __name__ == "__main__":
    main()
