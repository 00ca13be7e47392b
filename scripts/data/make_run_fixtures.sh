#!/usr/bin/env bash
# Small trained run folders for the Python package's tests of tessera.models (MeshModel,
# SegmentModel, GraphModel), and what `tessera predict` gave on them. Run by hand from the
# repository root, with ../shared/data present:
#
#     bash scripts/data/make_run_fixtures.sh [path/to/tessera]
#
# Each run is tiny and barely trained: the tests check that Python's predictions are the
# command line's, not that the networks are good. Only run.json, model.bpk and the expected
# outputs are kept; the recorded data folders are rewritten relative to the repository.
set -euo pipefail
tessera="$(realpath "${1:-target/release/tessera}")"
shared=../shared/data
out=data/fixtures/runs
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$tessera" train graph --data "$shared/graphs/MUTAG" --final --hidden 8 --layers 2 --epochs 3 \
  --seed 0 -o "$work/graph"
"$tessera" train mesh --data "$shared/meshes/cubes_partial" --channels 4 --heads 1 \
  --norm-groups 1 --epochs 1 --batch-size 8 --seed 0 -o "$work/mesh"
"$tessera" train mesh --task segment --data "$shared/meshes/coseg/aliens" --channels 4,8 \
  --norm-groups 1 --epochs 1 --batch-size 8 --seed 0 -o "$work/seg"

for pair in graph:graph_mutag mesh:mesh_cubes seg:segment_aliens; do
  mkdir -p "$out/${pair#*:}"
  cp "$work/${pair%%:*}"/{run.json,model.bpk} "$out/${pair#*:}/"
  sed -i "s|$(cd "$shared" && pwd)|../shared/data|" "$out/${pair#*:}/run.json"
done
"$tessera" predict "$out/graph_mutag" "$shared/graphs/MUTAG" \
  -o "$out/graph_mutag/expected_predictions.csv" --overwrite
(cd "$shared/meshes/cubes_partial" && "$tessera" predict "$OLDPWD/$out/mesh_cubes" \
  tree/test/tree_0.obj lmfish/test/lmfish_170.obj \
  -o "$OLDPWD/$out/mesh_cubes/expected_predictions.csv" --overwrite)
"$tessera" predict "$out/segment_aliens" "$shared/meshes/coseg/aliens/test/10.obj" \
  -o "$out/segment_aliens/expected_parts_10.txt" --overwrite
