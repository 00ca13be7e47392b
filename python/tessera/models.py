"""Trained Tessera networks from Python, with no burn knowledge needed: a sphere run folder
(``tessera train sphere`` or ``tessera import nnhealpix``) applied to numpy maps, a mesh
classifier or segmenter (``tessera train mesh``) applied to OBJ/PLY files, a graph classifier
(``tessera train graph --final``) applied to a TU folder.

    import tessera.models as tm
    import tessera.sky as ts
    model = tm.SphereModel("runs/tau")
    maps = [ts.read_map(f, field=None) for f in files]        # T, Q, U each
    values, findings = model.predict(maps, unit="uK")

Predictions are guarded as ``tessera predict``'s are: a map in another known unit is converted
to the training unit, and each map's findings (another scale, UNSEEN pixels for a full-sky
network, an output outside the training range) come back as text beside the values.
"""
import numpy as np

from . import _tessera
from .healpix import _as_maps

__all__ = ["SphereModel", "MeshModel", "SegmentModel", "GraphModel", "import_nnhealpix"]


class SphereModel:
    """A sphere network loaded from its run folder."""

    def __init__(self, run_dir):
        self._model = _tessera.SphereModel(str(run_dir))

    @property
    def target_names(self):
        """Class names, or parameter names."""
        return self._model.target_names

    @property
    def classification(self):
        """True for a classifier, False for parameter estimation."""
        return self._model.classification

    @property
    def nside(self):
        """The resolution the network reads."""
        return self._model.nside

    @property
    def fields(self):
        """The fields the network reads: "T", "QU" or "TQU" (of T, Q, U maps)."""
        return self._model.fields

    @property
    def gaussian(self):
        """True when each parameter comes with its σ (columns after the values)."""
        return self._model.gaussian

    def predict(self, maps, nest=False, degrade=False, average_rotations=False, unit=None):
        """The network on ``maps``: one map (an array, or its fields T / T, Q, U) or a list of
        them. Returns ``(outputs, findings)``: rows of class probabilities or parameter values
        (then their σ for a Gaussian head), and per map the list of findings as text.
        ``unit`` is the maps' unit (K, mK, μK, with or without ``_CMB``), checked against the
        training unit; ``degrade`` brings finer maps to the network's nside."""
        arr = np.asarray(maps, dtype=np.float64) if not isinstance(maps, list) else None
        if arr is not None and arr.ndim <= 2:
            maps = [maps]
        rows = [_as_maps(m)[0] for m in maps]
        return self._model.predict(rows, bool(nest), bool(degrade), bool(average_rotations),
                                   unit)


class MeshModel:
    """A mesh classifier loaded from its run folder."""

    def __init__(self, run_dir):
        self._model = _tessera.MeshModel(str(run_dir))

    @property
    def classes(self):
        """Class names, by index."""
        return self._model.classes

    def predict(self, paths):
        """Class probabilities (one row per OBJ/PLY file, in order), each mesh cleaned and
        standardised as the training meshes were."""
        if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
            paths = [paths]
        return self._model.predict([str(p) for p in paths])


class SegmentModel:
    """A mesh segmenter loaded from its run folder."""

    def __init__(self, run_dir):
        self._model = _tessera.SegmentModel(str(run_dir))

    @property
    def parts(self):
        """Part names, by label."""
        return self._model.parts

    def predict(self, path):
        """The part of every face of the mesh file, in the file's order, counted from 1 as
        COSEG's label files count them (0 for a face that cleaning dropped)."""
        return self._model.predict(str(path))


class GraphModel:
    """A graph classifier loaded from its run folder."""

    def __init__(self, run_dir):
        self._model = _tessera.GraphModel(str(run_dir))

    @property
    def classes(self):
        """The training data's graph labels, by class index."""
        return self._model.classes

    def predict(self, folder):
        """Class probabilities of every graph of a TU folder (one row per graph), read as the
        training data was."""
        return self._model.predict(str(folder))


def import_nnhealpix(model, run_dir, classes=None):
    """Imports an NNhealpix network saved by Keras (``model.save("model.h5")``) as a sphere run
    folder (``tessera import nnhealpix``); returns what each layer became. Every OrderMap gather
    is checked against the HEALPix geometry first."""
    names = None if classes is None else [str(c) for c in classes]
    return _tessera.import_nnhealpix(str(model), str(run_dir), names)
