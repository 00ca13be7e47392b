#!/usr/bin/env python3
"""Read the held-out accuracy of `tessera train graph` runs at the epoch each selection rule
chooses from **validation data only** (each fold's validation split is carved from its
training graphs), beside the last epoch and the GIN paper's test-optimistic reading.

    python3 scripts/analysis/graph_selection.py runs/ptc_s0 runs/ptc_s1 runs/ptc_s2

Rules: the lowest validation loss or the highest validation accuracy of each fold (ties broken
by the lower loss), or of the mean over the folds (one epoch for every fold); "best test" is
the best epoch of the mean held-out curve, the GIN paper's reading, which looks at the test
folds and is printed for comparison only. Needs runs whose fold histories hold
`validation_accuracy` (recorded since 2026-12-07). Standard library only.
"""
import argparse
import statistics
import sys
from pathlib import Path

from graph_runs import fold_histories


def finished_histories(run: Path):
    histories = fold_histories(run)
    if not histories or not all(h.get("validation_accuracy") for h in histories):
        sys.exit(f"{run}: no finished folds with validation accuracy (rerun with this version)")
    return histories


def readings(histories):
    epochs = len(histories[0]["train_loss"])
    test = [[m[0] for m in h["monitor"]] for h in histories]
    loss = [h["validation_loss"] for h in histories]
    acc = [h["validation_accuracy"] for h in histories]
    lowest = lambda values: min(range(epochs), key=lambda e: values[e])
    per_fold_loss = statistics.mean(t[lowest(v)] for t, v in zip(test, loss))
    per_fold_acc = statistics.mean(
        t[max(range(epochs), key=lambda e: (a[e], -v[e]))] for t, a, v in zip(test, acc, loss)
    )
    mean_of = lambda curves: [statistics.mean(c[e] for c in curves) for e in range(epochs)]
    mean_loss, mean_acc, mean_test = mean_of(loss), mean_of(acc), mean_of(test)
    common_loss = lowest(mean_loss)
    common_acc = max(range(epochs), key=lambda e: (mean_acc[e], -mean_loss[e]))
    return {
        "val loss / fold": per_fold_loss,
        "val acc / fold": per_fold_acc,
        "mean val loss": mean_test[common_loss],
        "mean val acc": mean_test[common_acc],
        "last epoch": mean_test[-1],
        "best test (not a result)": max(mean_test),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", type=Path, help="graph run folders")
    a = p.parse_args()
    table = [readings(finished_histories(run)) for run in a.runs]
    names = list(table[0])
    print("rule".ljust(26) + "".join(run.name.rjust(12) for run in a.runs) + "mean".rjust(10))
    for name in names:
        values = [100 * row[name] for row in table]
        cells = "".join(f"{v:12.1f}" for v in values)
        print(name.ljust(26) + cells + f"{statistics.mean(values):10.1f}")


if __name__ == "__main__":
    main()
