#!/usr/bin/env python3
"""Summarise `tessera train graph` run folders: the 10-fold accuracy of each run, the mean and
spread over runs (seeds), and the statistic recipes are chosen by — the mean over folds of the
best validation loss (each fold's validation split is carved from its training graphs, so
choosing by it never looks at a held-out fold).

    python3 scripts/analysis/graph_runs.py runs/ptc_s0 runs/ptc_s1 runs/ptc_s2

Standard library only.
"""
import argparse
import json
import statistics
import sys
from pathlib import Path


def fold_histories(run: Path):
    """The engine's history of each finished fold of `run`, in fold order."""
    folds = sorted((run / "checkpoint").glob("fold-*"), key=lambda p: int(p.name.split("-")[1]))
    results = [fold / "result.json" for fold in folds]
    return [json.loads(r.read_text())["history"] for r in results if r.exists()]


def summary(run: Path):
    report = json.loads((run / "report.json").read_text())
    best = [min(h["validation_loss"]) for h in fold_histories(run) if h["validation_loss"]]
    validation = statistics.mean(best) if best else float("nan")
    return 100 * report["mean"], 100 * report["std"], validation


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", type=Path, help="run folders (report.json inside)")
    a = p.parse_args()
    rows = []
    for run in a.runs:
        if not (run / "report.json").exists():
            sys.exit(f"{run}: no report.json (not a finished graph run)")
        mean, sd, validation = summary(run)
        rows.append(mean)
        print(f"{run}: {mean:.1f} ± {sd:.1f} % over folds; mean best validation loss {validation:.4f}")
    if len(rows) > 1:
        print(f"over {len(rows)} runs: {statistics.mean(rows):.1f} ± {statistics.pstdev(rows):.1f} %")


if __name__ == "__main__":
    main()
