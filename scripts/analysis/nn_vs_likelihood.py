#!/usr/bin/env python3
"""A sphere network against the spectrum likelihood on the same maps, over seeds.

    tessera estimate fresh --run runs/tau_gauss_s0 -o fresh/both_s0.csv     # one per seed
    python3 scripts/analysis/nn_vs_likelihood.py fresh/both_s0.csv fresh/both_s1.csv fresh/both_s2.csv

Reads the CSVs that `tessera estimate DIR --run RUN` writes (truth, the likelihood's estimate
and sigma, the network's nn and, for a Gaussian head, nn_sigma) and prints one Markdown row per
file and one for the mean ± standard deviation over the files (population standard deviation,
as in docs/results.md): both RMS errors, their ratio with its bootstrap standard deviation over
the maps (1000 resamples from seed 0, so the figure reproduces), and the pulls of each
estimator's σ. Standard library only.
"""

import csv
import math
import random
import statistics
import sys

RESAMPLES = 1000


def rmse(errors):
    return math.sqrt(sum(e * e for e in errors) / len(errors))


def ratio_bootstrap(nn_errors, lk_errors):
    """RMSE(nn) / RMSE(likelihood) on all maps, and its spread over resampled maps."""
    rng = random.Random(0)
    n = len(nn_errors)
    draws = []
    for _ in range(RESAMPLES):
        picks = [rng.randrange(n) for _ in range(n)]
        draws.append(rmse([nn_errors[i] for i in picks]) / rmse([lk_errors[i] for i in picks]))
    return rmse(nn_errors) / rmse(lk_errors), statistics.stdev(draws)


def pulls(errors, sigmas):
    p = [e / s for e, s in zip(errors, sigmas)]
    return statistics.fmean(p), statistics.pstdev(p)


def summarise(path):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["truth"] != ""]
    if not rows or "nn" not in rows[0]:
        sys.exit(f"{path}: needs truth and nn columns (tessera estimate DIR --run RUN)")
    truth = [float(r["truth"]) for r in rows]
    lk = [float(r["estimate"]) - t for r, t in zip(rows, truth)]
    nn = [float(r["nn"]) - t for r, t in zip(rows, truth)]
    ratio, ratio_sd = ratio_bootstrap(nn, lk)
    out = {
        "maps": len(rows),
        "nn_rmse": rmse(nn),
        "nn_bias": statistics.fmean(nn),
        "lk_rmse": rmse(lk),
        "ratio": ratio,
        "ratio_sd": ratio_sd,
        "lk_pull_sd": pulls(lk, [float(r["sigma"]) for r in rows])[1],
    }
    if "nn_sigma" in rows[0]:
        out["nn_pull_mean"], out["nn_pull_sd"] = pulls(nn, [float(r["nn_sigma"]) for r in rows])
    return out


def main(paths):
    results = [summarise(p) for p in paths]
    gaussian = all("nn_pull_sd" in r for r in results)
    head = "| file | maps | NN RMSE (bias) | likelihood RMSE | ratio ± bootstrap | likelihood pull sd |"
    if gaussian:
        head += " NN pull mean | NN pull sd |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for path, r in zip(paths, results):
        line = (
            f"| {path} | {r['maps']} | {r['nn_rmse']:.5f} ({r['nn_bias']:+.5f}) | {r['lk_rmse']:.5f} "
            f"| {r['ratio']:.3f} ± {r['ratio_sd']:.3f} | {r['lk_pull_sd']:.3f} |"
        )
        if gaussian:
            line += f" {r['nn_pull_mean']:+.3f} | {r['nn_pull_sd']:.3f} |"
        print(line)

    def spread(key):
        values = [r[key] for r in results]
        return f"{statistics.fmean(values):.3f} ± {statistics.pstdev(values):.3f}"

    line = f"| mean ± sd over {len(results)} | | | | {spread('ratio')} | {spread('lk_pull_sd')} |"
    if gaussian:
        line += f" {spread('nn_pull_mean')} | {spread('nn_pull_sd')} |"
    print(line)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
