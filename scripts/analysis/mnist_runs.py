#!/usr/bin/env python3
"""Spherical-MNIST runs over seeds: the single pass and the rotation average, side by side.

    python3 scripts/analysis/mnist_runs.py runs/mnist_s0 runs/mnist_s1 runs/mnist_s2 \
        [--mnist ../shared/data/mnist] [--tessera target/release/tessera]

For each run (`tessera train sphere --task mnist ... -o RUN`) it reads the single-pass test
accuracy from RUN/report.json (the last epoch's network, scored once on the run's own test
digits), then scores the same digits with the outputs averaged over the 8 rotations of the
HEALPix grid (`tessera eval RUN --data MNIST --average-rotations -o RUN/eval_rotations.json`,
skipped when that file exists). It prints one Markdown row per run and one for the mean ±
standard deviation over the runs (population standard deviation, as the rest of
docs/results.md), with the published single-pass target beside them. Standard library only.
"""

import argparse
import json
import statistics
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGET = 0.957  # NNhealpix's published spherical-MNIST test accuracy, a single pass


def single_pass(run: Path):
    report = json.loads((run / "report.json").read_text())
    return report["test_accuracy"], report["test_maps"]


def rotation_averaged(run: Path, tessera: str, mnist: Path):
    out = run / "eval_rotations.json"
    if not out.exists():
        subprocess.run(
            [tessera, "eval", str(run), "--data", str(mnist), "--average-rotations", "-o", str(out)],
            check=True,
        )
    report = json.loads(out.read_text())
    if report.get("rotations_averaged", 0) < 2:
        raise SystemExit(f"{out}: not a rotation-averaged evaluation")
    return report["metrics"]["accuracy"], report["maps"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--mnist", type=Path, default=REPO.parent / "shared" / "data" / "mnist")
    parser.add_argument("--tessera", default=str(REPO / "target" / "release" / "tessera"))
    args = parser.parse_args()
    rows = []
    for run in args.runs:
        single, maps = single_pass(run)
        averaged, averaged_maps = rotation_averaged(run, args.tessera, args.mnist)
        if averaged_maps != maps:
            raise SystemExit(f"{run}: {maps} test maps in report.json, {averaged_maps} in eval")
        rows.append((run.name, single, averaged, maps))
    print("| run | test maps | single pass | averaged over the 8 grid rotations |")
    print("|---|---|---|---|")
    for name, single, averaged, maps in rows:
        print(f"| {name} | {maps} | {100 * single:.2f} % ({round(single * maps)}) "
              f"| {100 * averaged:.2f} % ({round(averaged * maps)}) |")
    singles = [r[1] for r in rows]
    averages = [r[2] for r in rows]
    mean = statistics.fmean(singles)
    verdict = "met" if mean >= TARGET else "missed"
    print(f"| mean ± sd over {len(rows)} | | **{100 * mean:.2f} ± {100 * statistics.pstdev(singles):.2f} %** "
          f"| {100 * statistics.fmean(averages):.2f} ± {100 * statistics.pstdev(averages):.2f} % |")
    print(f"\nsingle-pass target {100 * TARGET:.1f} % (NNhealpix, published): {verdict}")


if __name__ == "__main__":
    main()
