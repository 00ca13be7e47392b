#!/usr/bin/env python3
"""Golden values for tessera-sky's bl2beam / beam2bl, computed with a pinned healpy.

Run by a human, never by CI:

    /tmp/hpenv/bin/python scripts/golden/beam_golden.py data/golden/beam.json

healpy's gauss_beam(1 deg, lmax=400), its profile bl2beam at 601 angles to 3 deg, and beam2bl of
that profile back to lmax 300.
"""
import json
import sys
from pathlib import Path

import healpy as hp
import numpy as np


def main(out_path):
    if hp.__version__ != "1.20.1":
        sys.exit(f"need healpy 1.20.1, found {hp.__version__}")
    bl = hp.gauss_beam(np.radians(1.0), lmax=400)
    theta = np.linspace(0, np.radians(3.0), 601)
    beam = hp.bl2beam(bl, theta)
    back = hp.beam2bl(beam, theta, 300)
    golden = {"provenance": {"generator": "scripts/golden/beam_golden.py", "healpy": hp.__version__,
                             "numpy": np.__version__, "scipy": __import__("scipy").__version__},
              "bl": [float(v) for v in bl], "theta": [float(v) for v in theta],
              "beam": [float(v) for v in beam], "beam2bl": [float(v) for v in back]}
    Path(out_path).write_text(json.dumps(golden) + "\n")
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/golden/beam.json")
