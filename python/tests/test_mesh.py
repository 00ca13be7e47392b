"""tessera.mesh: the readers against the files' own text, cleaning, the primal graph's
definition and the features' shapes."""
import os
from pathlib import Path

import numpy as np
import pytest

import tessera.mesh as tm

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("TESSERA_SHARED_DATA", ROOT.parent / "shared" / "data"))
SIMPLE = SHARED / "meshes" / "fixtures" / "pd_meshnet" / "simple_mesh.ply"


def ascii_ply(path):
    """Vertices and faces of an ASCII PLY, parsed here independently of Tessera."""
    lines = path.read_text().splitlines()
    counts, end = {}, 0
    for k, line in enumerate(lines):
        words = line.split()
        if words[:1] == ["element"]:
            counts[words[1]] = int(words[2])
        if line.strip() == "end_header":
            end = k + 1
            break
    body = lines[end:]
    nv, nf = counts["vertex"], counts["face"]
    vertices = np.array([[float(x) for x in l.split()[:3]] for l in body[:nv]])
    faces = np.array([[int(x) for x in l.split()[1:4]] for l in body[nv:nv + nf]])
    return vertices, faces


def test_ply_and_obj_read_as_written(tmp_path):
    v, f = tm.read_mesh(SIMPLE)
    want_v, want_f = ascii_ply(SIMPLE)
    np.testing.assert_allclose(v, want_v, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(f, want_f)
    obj = tmp_path / "quad.obj"
    obj.write_text("v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 3 4\n")
    v, f = tm.read_mesh(obj)
    assert v.shape == (4, 3) and f.tolist() == [[0, 1, 2], [0, 2, 3]]
    with pytest.raises(ValueError, match="triangulate|polygon|quad|4"):
        tm.read_mesh(obj, triangulate=False)
    with pytest.raises(FileNotFoundError):
        tm.read_mesh(tmp_path / "missing.obj")


def test_cleaning_reports_what_it_changed():
    v, f = tm.read_mesh(SIMPLE)
    doubled = np.vstack([f, f[:1]])  # one face twice
    v2, f2, report = tm.clean(v, doubled)
    assert report["duplicate_faces"] == 1
    assert len(f2) == len(f)
    assert report["output"]["faces"] == len(f2)
    with pytest.raises(ValueError, match="not a vertex"):
        tm.clean(v, f + len(v))


def test_primal_graph_joins_faces_that_share_an_edge():
    v, f = tm.read_mesh(SIMPLE)
    index, primal, dual = tm.primal_dual(v, f)
    pairs = {tuple(p) for p in index.T}
    expected = {(i, j) for i in range(len(f)) for j in range(len(f))
                if i != j and len(set(f[i]) & set(f[j])) == 2}
    assert pairs == expected
    assert primal.shape == (len(f), 1) and abs(primal.sum() - 1.0) < 1e-12
    assert dual.shape == (index.shape[1] // 2, 7)
