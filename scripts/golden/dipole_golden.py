#!/usr/bin/env python3
"""Golden values for tessera-sky's fit_monopole / fit_dipole, computed with a pinned healpy.

Run by a human, never by CI (inputs are shared fixtures):

    /tmp/hpenv/bin/python scripts/golden/dipole_golden.py ../shared/data/fits data/golden/dipole.json

healpy's fit_monopole and fit_dipole (gal_cut 0, 20 and 45 degrees) of the WMAP W-band I map
(nside 32, masked and unmasked fixtures) and of the T field of map.fits (nside 128).
"""
import json
import sys
from pathlib import Path

import healpy as hp
import numpy as np

REQUIRED_HEALPY = "1.20.1"


def main(fits_dir, out_path):
    if hp.__version__ != REQUIRED_HEALPY:
        sys.exit(f"need healpy {REQUIRED_HEALPY}, found {hp.__version__}")
    cases = []
    for name in ["wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits",
                 "wmap_band_iqumap_r9_7yr_W_v4_udgraded32_masked.fits", "map.fits"]:
        m = hp.read_map(str(Path(fits_dir) / name), field=0, dtype=np.float64)
        for cut in [0.0, 20.0, 45.0]:
            mono, dip = hp.fit_dipole(m, gal_cut=cut)
            cases.append({"file": name, "gal_cut": cut, "fit_monopole": float(hp.fit_monopole(m, gal_cut=cut)),
                          "monopole": float(mono), "dipole": [float(d) for d in dip]})
    golden = {"provenance": {"generator": "scripts/golden/dipole_golden.py",
                             "healpy": hp.__version__, "numpy": np.__version__},
              "cases": cases}
    Path(out_path).write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {out_path}: {len(cases)} cases")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
