#!/usr/bin/env python3
"""Make a validation folder that holds out whole outlines, to choose a recipe without the test set.

The Cube Engraving meshes come in groups: files `<class>_<n>.obj` with the same `n // 10` are
one engraved outline in ten placements, and the test split holds out whole outlines. A random
validation split of the training files would put placements of one outline on both sides and
measure memory, not recognition of new outlines. This script picks `--groups` whole outlines per
class from the training split (seeded), and writes a MeshCNN-layout folder of symbolic links
whose `test/` folders hold those outlines and whose `train/` folders hold the other training
files; the real test files are left out. Train on it as on the original:

    python3 scripts/analysis/outline_validation_split.py ../shared/data/meshes/cubes_partial \
        --groups 3 --seed 0 -o /tmp/cubes_val0
    tessera train mesh --data /tmp/cubes_val0 ... -o runs/val0   # "test accuracy" = validation

Python 3 standard library only. The output folder must not exist; it is built beside itself
under a temporary name and renamed when complete.
"""

import argparse
import os
import random
import re
import shutil
import sys
from pathlib import Path

NAME = re.compile(r"^(?P<stem>.*?)(?P<n>\d+)\.(obj|ply)$", re.IGNORECASE)


def outline_groups(folder: Path, group_size: int) -> dict[int, list[Path]]:
    """The training files of one class folder, grouped by outline (`n // group_size`)."""
    groups: dict[int, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        match = NAME.match(path.name)
        if match is None:
            if path.suffix.lower() in (".obj", ".ply"):
                raise SystemExit(f"{path}: no placement number at the end of the name")
            continue
        groups.setdefault(int(match["n"]) // group_size, []).append(path)
    return groups


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="MeshCNN-layout folder (<class>/train/*.obj)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder to create")
    parser.add_argument("--groups", type=int, default=3, help="outlines held out per class")
    parser.add_argument("--group-size", type=int, default=10, help="files per outline")
    parser.add_argument("--seed", type=int, default=0, help="which outlines are held out")
    args = parser.parse_args()

    if args.output.exists():
        raise SystemExit(f"{args.output}: already exists (choose another folder)")
    classes = sorted(d for d in args.data.iterdir() if (d / "train").is_dir()) if args.data.is_dir() else []
    if not classes:
        raise SystemExit(f"{args.data}: no <class>/train folders")
    rng = random.Random(args.seed)
    plan = []
    for class_dir in classes:
        groups = outline_groups(class_dir / "train", args.group_size)
        if len(groups) <= args.groups:
            raise SystemExit(
                f"{class_dir / 'train'}: {len(groups)} outlines, cannot hold out {args.groups}"
            )
        held = set(rng.sample(sorted(groups), args.groups))
        for g, files in groups.items():
            plan.extend((class_dir.name, "test" if g in held else "train", f) for f in files)
        print(f"{class_dir.name}: held out outlines {sorted(held)} "
              f"({sum(len(groups[g]) for g in held)} files), kept {len(groups) - len(held)}")

    partial = args.output.with_name(args.output.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    for name, split, path in plan:
        target = partial / name / split
        target.mkdir(parents=True, exist_ok=True)
        os.symlink(path.resolve(), target / path.name)
    partial.rename(args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
