#!/usr/bin/env python3
"""Mean and spread over seeds of segmentation runs (`tessera train mesh --task segment`).

    python3 scripts/analysis/segment_runs.py runs/aliens_s0 runs/aliens_s1 runs/aliens_s2

Reads each run's report.json (the test meshes' metrics) and history.csv (seconds per epoch) and
prints one Markdown row per run and one for the mean ± standard deviation over the runs
(population standard deviation, as the rest of docs/results.md). Standard library only.
"""

import csv
import json
import statistics
import sys
from pathlib import Path

METRICS = [
    ("area_face_accuracy", "area-weighted face acc."),
    ("face_accuracy", "face acc."),
    ("edge_accuracy_hard", "edge acc. (hard)"),
    ("edge_accuracy_soft", "edge acc. (soft)"),
    ("mean_iou", "mean part IoU"),
]


def read(run: Path):
    report = json.loads((run / "report.json").read_text())
    with open(run / "history.csv", newline="") as f:
        seconds = [float(row["seconds"]) for row in csv.DictReader(f)]
    return report, statistics.median(seconds), len(seconds)


def main(runs):
    if not runs:
        sys.exit(__doc__)
    rows = [(Path(r), *read(Path(r))) for r in runs]
    header = ["run", "epochs"] + [name for _, name in METRICS] + ["s / epoch (median)"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for run, report, seconds, epochs in rows:
        cells = [run.name, str(epochs)]
        cells += [f"{100 * report[key]:.2f}" if key != "mean_iou" else f"{report[key]:.3f}"
                  for key, _ in METRICS]
        cells.append(f"{seconds:.1f}")
        print("| " + " | ".join(cells) + " |")
    cells = [f"mean ± sd over {len(rows)}", ""]
    for key, _ in METRICS:
        values = [report[key] for _, report, _, _ in rows]
        scale = 1 if key == "mean_iou" else 100
        mean, sd = statistics.fmean(values) * scale, statistics.pstdev(values) * scale
        cells.append(f"**{mean:.2f} ± {sd:.2f}**" if scale == 100 else f"{mean:.3f} ± {sd:.3f}")
    cells.append("")
    print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
