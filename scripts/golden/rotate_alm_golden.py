#!/usr/bin/env python3
"""Golden values for tessera-sky's rotate_alm and rotate_map_alms, computed with a pinned healpy.

Run by a human, never by CI:

    python3 -m venv /tmp/hpenv && /tmp/hpenv/bin/pip install healpy==1.20.1 numpy==2.4.6
    /tmp/hpenv/bin/python scripts/golden/rotate_alm_golden.py data/golden/rotate_alm.json.gz

Writes one random a_lm (lmax = mmax = 40, healpy's order, m = 0 real) and its rotations by
healpy's `rotate_alm`: Euler angles (psi, theta, phi) in radians, including theta = 0 and pi,
and the matrices of Rotators (coordinate changes, Euler angles, a composition). Then a
band-limited T,Q,U map at nside 16 and its rotation to equatorial coordinates by
`Rotator.rotate_map_alms(use_pixel_weights=False)` (map2alm with iter=3, lmax = 3 nside - 1).
Floats are written with repr() so they round-trip exactly.
"""
import sys

import healpy as hp
import numpy as np
from golden_io import floats, write_gzip_json

SEED = 20261207
REQUIRED_HEALPY = "1.20.1"
LMAX = 40
NSIDE = 16


def random_alm(rng, lmax):
    n = hp.Alm.getsize(lmax)
    alm = rng.normal(size=n) + 1j * rng.normal(size=n)
    alm[: lmax + 1] = alm[: lmax + 1].real  # m = 0 is real
    return alm


def main(out_path):
    if hp.__version__ != REQUIRED_HEALPY:
        sys.exit(f"need healpy {REQUIRED_HEALPY}, found {hp.__version__}")
    rng = np.random.default_rng(SEED)
    alm = random_alm(rng, LMAX)
    euler_cases = [
        [0.3, 1.1, -2.0],
        [1.0, 0.5, 0.0],
        [0.0, 0.0, 0.7],
        [0.2, np.pi, 0.5],
        [-2.5, 2.9, 3.0],
    ]
    euler = []
    for psi, theta, phi in euler_cases:
        out = alm.copy()
        hp.rotate_alm(out, psi, theta, phi)
        euler.append({"psi": psi, "theta": theta, "phi": phi,
                      "re": floats(out.real), "im": floats(out.imag)})
    rotators = [
        ("coord G->E", hp.Rotator(coord=["G", "E"])),
        ("coord C->G", hp.Rotator(coord=["C", "G"])),
        ("euler ZYX 10 20 30 deg", hp.Rotator(rot=[10.0, 20.0, 30.0])),
        ("compose C->G * ZYX", hp.Rotator(coord=["C", "G"]) * hp.Rotator(rot=[10.0, 20.0, 30.0])),
    ]
    matrix = []
    for name, r in rotators:
        out = r.rotate_alm(alm)
        matrix.append({"name": name, "matrix": floats(r.mat),
                       "re": floats(out.real), "im": floats(out.imag)})
    lmax_map = 3 * NSIDE - 1
    tqu_alm = [random_alm(rng, lmax_map) for _ in range(3)]
    for a in tqu_alm[1:]:  # E and B start at l = 2
        for m in range(2):
            for l in range(m, 2):
                a[hp.Alm.getidx(lmax_map, l, m)] = 0
    tqu = hp.alm2map(tqu_alm, NSIDE, lmax=lmax_map)
    rotated = hp.Rotator(coord=["G", "C"]).rotate_map_alms(tqu, use_pixel_weights=False)
    golden = {
        "healpy": hp.__version__,
        "lmax": LMAX,
        "alm_re": floats(alm.real),
        "alm_im": floats(alm.imag),
        "euler": euler,
        "matrix": matrix,
        "map": {"nside": NSIDE, "coord": ["G", "C"], "tqu": [floats(f) for f in tqu],
                "rotated": [floats(f) for f in rotated]},
    }
    write_gzip_json(golden, out_path)


if __name__ == "__main__":
    main(sys.argv[1])
