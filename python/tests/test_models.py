"""tessera.models: a small NNhealpix model in Keras's HDF5 layout (data/nnhealpix, made by
scripts/golden/nnhealpix_keras_fixture.py) imported as a run folder, loaded and applied to its
RING maps: the probabilities are the Keras model's to 1e-5, in both orderings; guard findings
come back as text; a wrong stencil is refused."""
import json
from pathlib import Path

import healpy as hp
import numpy as np
import pytest

import tessera.models as tm

FIXTURES = Path(__file__).resolve().parents[2] / "data" / "nnhealpix"


def test_imported_model_predicts_what_keras_does(tmp_path):
    expected = json.loads((FIXTURES / "expected.json").read_text())
    layers = tm.import_nnhealpix(FIXTURES / "tiny_keras2.h5", tmp_path / "run", ["a", "b", "c"])
    assert any("stencil convolution" in line for line in layers)
    model = tm.SphereModel(tmp_path / "run")
    assert model.target_names == ["a", "b", "c"]
    assert model.classification and model.fields == "T" and model.nside == 8
    maps = np.array(expected["maps_ring"])
    want = np.array(expected["models"]["tiny_keras2.h5"])
    probs, findings = model.predict(list(maps))
    assert probs.shape == want.shape
    assert np.max(np.abs(probs - want)) < 1e-5
    assert findings == [[], [], [], []]
    nested = [hp.reorder(m, r2n=True) for m in maps]
    probs_nest, _ = model.predict(nested, nest=True)
    assert np.max(np.abs(probs_nest - want)) < 1e-5
    one, _ = model.predict(maps[0])
    assert one.shape == (1, 3)
    masked = maps[0].copy()
    masked[:10] = hp.UNSEEN
    _, found = model.predict(masked)
    assert any("UNSEEN" in f for f in found[0])


def test_bad_models_are_refused(tmp_path):
    with pytest.raises(ValueError, match="stencil"):
        tm.import_nnhealpix(FIXTURES / "tiny_bad_stencil.h5", tmp_path / "bad")
    with pytest.raises(FileNotFoundError):
        tm.SphereModel(tmp_path / "absent")


RUNS = Path(__file__).resolve().parents[2] / "data" / "fixtures" / "runs"
SHARED = Path(__import__("os").environ.get(
    "TESSERA_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))


def _csv(path):
    lines = path.read_text().splitlines()
    return lines[0].split(","), [line.split(",") for line in lines[1:]]


def test_mesh_graph_and_segment_models_predict_what_the_command_line_does():
    """Small run folders made by scripts/data/make_run_fixtures.sh, with `tessera predict`'s
    outputs on them: Python gives the same probabilities (to the CSV's 6 decimals) and parts."""
    mesh = tm.MeshModel(RUNS / "mesh_cubes")
    assert mesh.classes == ["lmfish", "tree"]
    header, rows = _csv(RUNS / "mesh_cubes" / "expected_predictions.csv")
    folder = SHARED / "meshes" / "cubes_partial"
    got = mesh.predict([folder / r[0] for r in rows])
    want = np.array([[float(v) for v in r[2:]] for r in rows])
    np.testing.assert_allclose(got, want, atol=1e-6)

    graph = tm.GraphModel(RUNS / "graph_mutag")
    assert graph.classes == [-1, 1]
    header, rows = _csv(RUNS / "graph_mutag" / "expected_predictions.csv")
    got = graph.predict(SHARED / "graphs" / "MUTAG")
    want = np.array([[float(v) for v in r[3:]] for r in rows])
    assert got.shape == (188, 2)
    np.testing.assert_allclose(got, want, atol=1e-6)

    seg = tm.SegmentModel(RUNS / "segment_aliens")
    assert seg.parts == ["1", "2", "3", "4"]
    parts = seg.predict(SHARED / "meshes" / "coseg" / "aliens" / "test" / "10.obj")
    want = np.loadtxt(RUNS / "segment_aliens" / "expected_parts_10.txt", dtype=np.uint16)
    np.testing.assert_array_equal(parts, want)

    with pytest.raises(ValueError):
        tm.GraphModel(RUNS / "mesh_cubes")
    with pytest.raises(FileNotFoundError):
        tm.MeshModel(RUNS / "missing")
