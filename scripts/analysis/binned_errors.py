#!/usr/bin/env python3
"""RMS error of a sphere-CNN run and of the likelihood, binned by the true parameter.

Usage:
    tessera estimate RUN/sims/test              # writes RUN/sims/test/estimates_likelihood.csv
    python scripts/analysis/binned_errors.py RUN [--edges 5,10,15,20,25,30,33]

Reads RUN/predictions.csv (columns id, <name>_true, <name>_nn, written by `tessera train sphere`)
and the likelihood's estimates of the same maps (file, truth, estimate, sigma, ml; default
RUN/sims/test/estimates_likelihood.csv, or --likelihood CSV), matches them by file name, and
prints per bin of the true value: maps, network RMSE and bias, likelihood RMSE, their ratio.
Standard library only.
"""
import argparse
import csv
import math
import os
import sys


def read_network(run):
    with open(os.path.join(run, "predictions.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    true_col = next(c for c in rows[0] if c.endswith("_true"))
    nn_col = true_col[: -len("_true")] + "_nn"
    return {
        os.path.basename(r["id"]): (float(r[true_col]), float(r[nn_col])) for r in rows
    }, true_col[: -len("_true")]


def read_likelihood(path):
    with open(path, newline="") as f:
        return {
            os.path.basename(r["file"]): float(r["estimate"]) for r in csv.DictReader(f)
        }


def rms(values):
    return math.sqrt(sum(v * v for v in values) / len(values)) if values else float("nan")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("run", help="a run folder of `tessera train sphere`")
    p.add_argument("--likelihood", help="estimates CSV of `tessera estimate` on the same maps")
    p.add_argument("--edges", default="5,10,15,20,25,30,33", help="bin edges of the true value")
    a = p.parse_args()
    network, name = read_network(a.run)
    lik_path = a.likelihood or os.path.join(a.run, "sims", "test", "estimates_likelihood.csv")
    if not os.path.exists(lik_path):
        sys.exit(f"{lik_path}: no likelihood estimates (run `tessera estimate` on the test maps)")
    likelihood = read_likelihood(lik_path)
    missing = sorted(set(network) - set(likelihood))
    if missing:
        sys.exit(f"{lik_path}: no estimate for {len(missing)} test maps, e.g. {missing[0]}")
    edges = [float(e) for e in a.edges.split(",")]
    print(f"{name} bin      maps  network RMSE  bias     likelihood RMSE  ratio")
    bins = list(zip(edges, edges[1:])) + [(edges[0], edges[-1])]
    for lo, hi in bins:
        keys = [k for k, (t, _) in network.items() if lo <= t < hi]
        nn = [network[k][1] - network[k][0] for k in keys]
        lk = [likelihood[k] - network[k][0] for k in keys]
        if not keys:
            continue
        label = "all" if (lo, hi) == bins[-1] else f"{lo:g}-{hi:g}"
        bias = sum(nn) / len(nn)
        print(
            f"{label:<12}{len(keys):>5}  {rms(nn):>12.3f}  {bias:+.3f}   "
            f"{rms(lk):>15.3f}  {rms(nn) / rms(lk):>5.2f}"
        )


if __name__ == "__main__":
    main()
