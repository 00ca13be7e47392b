#!/usr/bin/env python3
"""Golden values for tessera-healpix's Rotator, computed with a pinned healpy.

Run by a human, never by CI:

    python3 -m venv /tmp/hpenv && /tmp/hpenv/bin/pip install healpy==1.20.1 numpy==2.4.6
    /tmp/hpenv/bin/python scripts/golden/rotator_golden.py data/golden/rotator.json.gz

Writes the 3x3 matrices of healpy's coordinate conversions and of a set of Rotators (Euler
angles in each convention, conversions with a rotation, compositions, inverses), and 10^4 random
directions (theta, phi in radians) with their images under every Rotator: 10^5 rotated
directions in all. Floats are written with repr() so they round-trip exactly.
"""
import sys

import healpy as hp
import numpy as np
from golden_io import floats, write_gzip_json

SEED = 20261206
REQUIRED_HEALPY = "1.20.1"
N_DIRECTIONS = 10_000


def main(out_path):
    if hp.__version__ != REQUIRED_HEALPY:
        sys.exit(f"need healpy {REQUIRED_HEALPY}, found {hp.__version__}")
    rng = np.random.default_rng(SEED)
    theta = np.arccos(rng.uniform(-1, 1, N_DIRECTIONS))
    phi = rng.uniform(0, 2 * np.pi, N_DIRECTIONS)
    coords = {f"{a}{b}": floats(hp.Rotator(coord=[a, b]).mat)
              for a in "GEC" for b in "GEC" if a != b}
    # Each case: how tessera builds it, and healpy's Rotator.
    cases = [
        ("coord C->G", {"coord": ["C", "G"]}, hp.Rotator(coord=["C", "G"])),
        ("coord G->E", {"coord": ["G", "E"]}, hp.Rotator(coord=["G", "E"])),
        ("coord E->C", {"coord": ["E", "C"]}, hp.Rotator(coord=["E", "C"])),
        ("euler ZYX deg", {"rot": [10.0, 20.0, 30.0], "eulertype": "ZYX"},
         hp.Rotator(rot=[10.0, 20.0, 30.0])),
        ("euler X deg", {"rot": [-45.0, 60.0, 120.0], "eulertype": "X"},
         hp.Rotator(rot=[-45.0, 60.0, 120.0], eulertype="X")),
        ("euler Y deg", {"rot": [200.0, -35.0, 5.0], "eulertype": "Y"},
         hp.Rotator(rot=[200.0, -35.0, 5.0], eulertype="Y")),
        ("rot and coord", {"rot": [83.6, 22.0, 0.0], "coord": ["C", "G"], "eulertype": "ZYX"},
         hp.Rotator(rot=[83.6, 22.0, 0.0], coord=["C", "G"])),
        ("inverse", {"rot": [10.0, 20.0, 30.0], "eulertype": "ZYX", "inverse": True},
         hp.Rotator(rot=[10.0, 20.0, 30.0], inv=True)),
        ("compose coord C->G * euler ZYX",
         {"compose": [{"coord": ["C", "G"]}, {"rot": [10.0, 20.0, 30.0], "eulertype": "ZYX"}]},
         hp.Rotator(coord=["C", "G"]) * hp.Rotator(rot=[10.0, 20.0, 30.0])),
        ("get_inverse of rot and coord",
         {"rot": [83.6, 22.0, 0.0], "coord": ["C", "G"], "eulertype": "ZYX", "get_inverse": True},
         hp.Rotator(rot=[83.6, 22.0, 0.0], coord=["C", "G"]).get_inverse()),
    ]
    out_cases = []
    for name, spec, r in cases:
        t, p = r(theta, phi)
        out_cases.append({"name": name, "spec": spec, "matrix": floats(r.mat),
                          "theta": floats(t), "phi": floats(p)})
    # rotate_map_pixel of a T/Q/U map given by formulas (tessera evaluates the same ones).
    nside = 16
    t, p = hp.pix2ang(nside, np.arange(hp.nside2npix(nside)))
    iqu = [np.sin(3 * t) * np.cos(2 * p) + 0.5 * np.cos(t),
           np.cos(2 * t) * np.sin(p),
           np.sin(t) ** 2 * np.cos(3 * p)]
    rotated = {}
    for name, r in [("coord C->G", hp.Rotator(coord=["C", "G"])),
                    ("euler ZYX deg", hp.Rotator(rot=[10.0, 20.0, 30.0]))]:
        rotated[name] = {"iqu": [floats(m) for m in r.rotate_map_pixel(iqu)],
                         "t": floats(r.rotate_map_pixel(iqu[0]))}
    # The README's Crab example: an equatorial source in a galactic map.
    crab_lonlat = hp.Rotator(coord=["C", "G"])(83.63308, 22.0145, lonlat=True)
    golden = {
        "provenance": {"generator": "scripts/golden/rotator_golden.py", "healpy": hp.__version__,
                       "numpy": np.__version__, "seed": SEED,
                       "angles": "rot in degrees as healpy's Rotator(deg=True) takes them"},
        "coordconv": coords,
        "directions": {"theta": floats(theta), "phi": floats(phi)},
        "cases": out_cases,
        "rotate_map_pixel": {"nside": nside, "formulas": "T = sin 3θ cos 2φ + cos θ / 2, "
                             "Q = cos 2θ sin φ, U = sin²θ cos 3φ (RING)", "maps": rotated},
        "crab": {"ra_dec": [83.63308, 22.0145], "galactic_lonlat": floats(crab_lonlat),
                 "pixel_nside64_ring": int(hp.ang2pix(64, *crab_lonlat, lonlat=True))},
    }
    write_gzip_json(golden, out_path)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/golden/rotator.json.gz")
