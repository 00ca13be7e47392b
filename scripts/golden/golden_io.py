"""Shared by the golden-value scripts: float lists for JSON and writing their gzip-compressed JSON
reproducibly."""
import gzip
import json

import numpy as np


def floats(a):
    """A flat list of Python floats (repr() round-trips them exactly in JSON)."""
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def write_gzip_json(golden, out_path):
    """Compact JSON, gzip with mtime 0 so that the same values give the same bytes."""
    raw = json.dumps(golden, separators=(",", ":")).encode()
    with open(out_path, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as gz:
            gz.write(raw)
    print(f"wrote {out_path}: {len(raw)} bytes of JSON")
