#!/usr/bin/env python3
"""Reruns one named row of the sphere tables in docs/results.md, over seeds, and scores it.

    python3 scripts/analysis/sphere_row.py --list
    python3 scripts/analysis/sphere_row.py ellp-t --seeds 0 1 2 --out runs/rows
    python3 scripts/analysis/sphere_row.py tau-qu --dry-run      # print the commands only

For a row it runs, with the `tessera` binary given (default: target/release/tessera):

1. the row's test maps, once, shared by every seed: `tessera sim … --count 500 --seed 777`
   (a seed no training run draws from);
2. per seed, the row's training command, `tessera train sphere … --seed S` (its validation
   split, taken from its own training simulations, is what early stopping and weight averaging
   read; the row's epochs and network were fixed beforehand, as the notebook records);
3. per seed, `tessera estimate TEST --run RUN --lmax L`: the network and the spectrum
   likelihood on the same shared test maps, scored once, one CSV per seed; the likelihood is
   the table's one baseline (ℓ ≤ 38 for ℓ_p, the EE likelihood for τ);
4. `nn_vs_likelihood.py` on those CSVs: each seed's ratio with its bootstrap standard deviation
   over the test maps, and the mean ± standard deviation over the seeds.

A step whose output is already there is not run again, so an interrupted rerun continues
where it stopped. The rows were measured on band-limited maps without a pixel window (the
simulation default then), so each row's commands say so (`--supersample 1 --no-pixwin`).
Standard library only.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

# The recorded rows' simulations: drawn at nside 16 without a pixel window (see the module doc).
AS_MEASURED = ["--supersample", "1", "--no-pixwin"]
# The ℓ_p networks that meet the target (notebook, "Sphere CNN", session 19–20).
HARMONIC = [
    "--widths", "32,32,32,32", "--readout", "log-power", "--linear-blocks",
    "--first-harmonic", "--band-pass-init",
]
STENCIL_BANK = ["--widths", "32,32,32,32", "--readout", "log-power", "--linear-blocks"]
TAU_NET = ["--widths", "32,32,32,32", "--readout", "mean"]

# name: (what the row is, sim subcommand and its options, train options, likelihood lmax)
ROWS = {
    "ellp-t": (
        "ℓ_p from T, noiseless; harmonic first layer + linear blocks + log-power, 60 epochs",
        ["ellp"],
        ["--task", "ellp", "--fresh", *HARMONIC, "--epochs", "60"],
        38,
    ),
    "ellp-t-noise": (
        "ℓ_p from T, noise 1000; the same network, 80 epochs",
        ["ellp", "--noise", "1000"],
        ["--task", "ellp", "--fresh", "--noise", "1000", *HARMONIC, "--epochs", "80"],
        38,
    ),
    "ellp-t-cut": (
        "ℓ_p from T, 20° galactic cut; stencils + linear blocks + log-power, 40 epochs",
        ["ellp", "--gal-cut", "20"],
        ["--task", "ellp", "--fresh", "--gal-cut", "20", *STENCIL_BANK, "--epochs", "40"],
        38,
    ),
    "ellp-qu": (
        "ℓ_p from Q/U (pure E), noiseless; harmonic first layer, E and B as scalar maps, 40 epochs",
        ["ellp", "--field", "e"],
        ["--task", "ellp", "--fields", "qu", "--fresh", *HARMONIC, "--harmonic-eb",
         "--epochs", "40"],
        38,
    ),
    "ellp-qu-noise": (
        "ℓ_p from Q/U (pure E), noise 1000; the same network, 80 epochs",
        ["ellp", "--field", "e", "--noise", "1000"],
        ["--task", "ellp", "--fields", "qu", "--fresh", "--noise", "1000", *HARMONIC,
         "--harmonic-eb", "--epochs", "80"],
        38,
    ),
    "ellp-qu-cut": (
        "ℓ_p from Q/U (pure E), 20° cut; harmonic first layer, spin 2, 15 epochs",
        ["ellp", "--field", "e", "--gal-cut", "20"],
        ["--task", "ellp", "--fields", "qu", "--fresh", "--gal-cut", "20", *HARMONIC,
         "--epochs", "15"],
        38,
    ),
    "tau-qu": (
        "τ from Q/U, 60 μK·arcmin; stencils, mean readout, 20 epochs",
        ["tau", "--noise", "60"],
        ["--task", "tau", "--noise", "60", *TAU_NET, "--epochs", "20"],
        None,
    ),
    "tau-tqu": (
        "τ from T, Q, U, 60 μK·arcmin; stencils, mean readout, 20 epochs",
        ["tau", "--noise", "60"],
        ["--task", "tau", "--noise", "60", "--fields", "tqu", *TAU_NET, "--epochs", "20"],
        None,
    ),
    "tau-qu-gaussian": (
        "τ from Q/U, 60 μK·arcmin, with a σ per map (Gaussian head), 20 epochs",
        ["tau", "--noise", "60"],
        ["--task", "tau", "--noise", "60", "--gaussian", *TAU_NET, "--epochs", "20"],
        None,
    ),
}

TRAIN_MAPS, TEST_MAPS, TEST_SEED = 8000, 500, 777
# A smoke run: checks the pipeline in a minute or two, not the figure.
SMOKE_TRAIN_MAPS, SMOKE_TEST_MAPS = 200, 50


def one_epoch(train):
    """The training options with `--epochs 1` in place of the row's epochs."""
    i = train.index("--epochs")
    return [*train[:i], "--epochs", "1", *train[i + 2:]]


def commands(row, seeds, out, tessera, smoke=False):
    """The row's commands, each with the path whose existence means it has run. `smoke`: 200
    training maps, 50 test maps and one epoch, in a folder of its own."""
    _, sim, train, lmax = ROWS[row]
    folder = out / (f"{row}-smoke" if smoke else row)
    train_maps, test_maps = (SMOKE_TRAIN_MAPS, SMOKE_TEST_MAPS) if smoke else (TRAIN_MAPS, TEST_MAPS)
    if smoke:
        train = one_epoch(train)
    test = folder / "test"
    steps = [(
        [tessera, "sim", *sim, "--nside", "16", "--count", str(test_maps),
         "--seed", str(TEST_SEED), *AS_MEASURED, "-o", str(test)],
        test,
    )]
    for seed in seeds:
        run = folder / f"s{seed}"
        steps.append((
            [tessera, "train", "sphere", *train, "--simulate", f"{train_maps},{test_maps}",
             *AS_MEASURED, "--seed", str(seed), "-o", str(run)],
            run / "report.json",
        ))
        both = folder / f"both_s{seed}.csv"
        lmax_option = [] if lmax is None else ["--lmax", str(lmax)]
        steps.append((
            [tessera, "estimate", str(test), "--run", str(run), *lmax_option, "-o", str(both)],
            both,
        ))
    return steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("row", nargs="?", choices=sorted(ROWS), help="the row to rerun")
    parser.add_argument("--list", action="store_true", help="list the rows and stop")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=Path("runs/rows"))
    parser.add_argument("--tessera", default=str(REPO / "target" / "release" / "tessera"))
    parser.add_argument("--dry-run", action="store_true", help="print the commands only")
    parser.add_argument(
        "--smoke", action="store_true",
        help="200 training maps, 50 test maps, one epoch: checks the pipeline, not the figure",
    )
    args = parser.parse_args()
    if args.list or args.row is None:
        for name in sorted(ROWS):
            print(f"{name:16} {ROWS[name][0]}")
        return 0
    steps = commands(args.row, args.seeds, args.out, args.tessera, args.smoke)
    for command, done in steps:
        print("$", " ".join(command), flush=True)
        if args.dry_run:
            continue
        if done.exists():
            print(f"  ({done} exists: skipped)")
            continue
        subprocess.run(command, check=True)
    if args.dry_run:
        return 0
    folder = args.out / (f"{args.row}-smoke" if args.smoke else args.row)
    csvs = [str(folder / f"both_s{seed}.csv") for seed in args.seeds]
    print(f"\n{args.row}: {ROWS[args.row][0]}")
    return subprocess.run(
        [sys.executable, str(HERE / "nn_vs_likelihood.py"), *csvs], env=os.environ
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
