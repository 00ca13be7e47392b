"""Triangle meshes for mesh networks: OBJ/PLY reading, cleaning with a report, the primal graph
as an edge index, and PD-MeshNet's input features — as numpy arrays.

    import tessera.mesh as tm
    vertices, faces = tm.read_mesh("chair.obj")          # (n, 3) float64, (m, 3) int64
    vertices, faces, report = tm.clean(vertices, faces)  # report: what was merged or dropped
    edge_index, primal, dual = tm.primal_dual(vertices, faces)
"""
import json

import numpy as np

from . import _tessera

__all__ = ["read_mesh", "clean", "primal_dual"]


def read_mesh(filename, triangulate=True):
    """Vertices ``(n, 3)`` and faces ``(m, 3)`` of an OBJ or PLY file (ASCII or binary);
    polygons are fanned into triangles unless ``triangulate=False`` (then they are refused)."""
    return _tessera.read_mesh(str(filename), bool(triangulate))


def _arrays(vertices, faces):
    v = np.ascontiguousarray(np.asarray(vertices, dtype=np.float64).reshape(-1, 3))
    f = np.ascontiguousarray(np.asarray(faces, dtype=np.int64).reshape(-1, 3))
    return v, f


def clean(vertices, faces):
    """The cleaned mesh and a report (a dict: the topology before and after, and how many
    vertices were merged and faces dropped or re-wound, by reason)."""
    v, f, report = _tessera.clean(*_arrays(vertices, faces))
    return v, f, json.loads(report)


def primal_dual(vertices, faces):
    """The primal graph as an edge index ``(2, 2 P)`` (both directions of the P pairs of faces
    that share an edge, as PyG expects) and PD-MeshNet's input features: per face ``(F, 1)``
    (area over the mesh's area) and per pair ``(P, 7)`` (dihedral angle, edge-to-height ratios
    and the face angles beside the shared edge)."""
    return _tessera.primal_dual(*_arrays(vertices, faces))
