#!/usr/bin/env python3
"""Golden values for tessera-healpix, computed with a pinned healpy.

Run by a human, never by CI:

    python3 -m venv /tmp/hpenv && /tmp/hpenv/bin/pip install healpy==1.20.1 numpy==2.4.6
    /tmp/hpenv/bin/python scripts/golden/healpix_golden.py data/golden/healpix.json.gz

Writes one gzip-compressed JSON file. Floats are written with repr() so they round-trip
exactly; integers are healpy's int64 results. The inputs are drawn from a fixed seed, so
re-running with the same versions on the same CPU reproduces the file byte for byte (gzip
mtime is 0); on another CPU numpy's vectorised libm may round a random angle differently in
the last bit, so a new section is merged into the committed file rather than regenerating it.
"""
import sys

import healpy as hp
import numpy as np
from golden_io import write_gzip_json

SEED = 20261126
REQUIRED_HEALPY = "1.20.1"


def ints(a):
    return [int(v) for v in np.asarray(a).ravel()]


def ranges(a):
    """A sorted pixel list as half-open ranges [start, stop): compact for discs and strips."""
    a = np.asarray(a, dtype=np.int64)
    if len(a) == 0:
        return []
    breaks = np.flatnonzero(np.diff(a) != 1) + 1
    starts = np.concatenate([[0], breaks])
    stops = np.concatenate([breaks, [len(a)]])
    return [[int(a[i]), int(a[j - 1]) + 1] for i, j in zip(starts, stops)]


def floats(a):
    return [float(v) for v in np.asarray(a).ravel()]


def random_angles(rng, n):
    """Uniform points plus points close to the poles, the equator and the 2/3 boundary."""
    theta = np.arccos(rng.uniform(-1, 1, n))
    phi = rng.uniform(0, 2 * np.pi, n)
    special_t = [0.0, np.pi, np.pi / 2, 1e-9, np.pi - 1e-9, 0.005, np.pi - 0.005,
                 np.arccos(2 / 3), np.arccos(-2 / 3), np.arccos(0.99), 0.01, np.pi - 0.01]
    special_p = [0.0, 1.0, 0.0, 2.0, 3.0, 4.0, 5.0, np.pi / 4, 3 * np.pi / 4, 6.0, 0.3, 6.2]
    return np.concatenate([special_t, theta]), np.concatenate([special_p, phi])


def schemes(nside):
    return [False, True] if nside & (nside - 1) == 0 else [False]


def name(nest):
    return "nested" if nest else "ring"


def ang2pix_cases(rng):
    cases = []
    for nside in [1, 2, 3, 4, 7, 16, 1024, 2**20, 2**29]:
        theta, phi = random_angles(rng, 300)
        npix = hp.nside2npix(nside)
        pix = np.unique(np.concatenate([[0, 1, npix // 2, npix - 2, npix - 1],
                                        rng.integers(0, npix, 300)]))
        for nest in schemes(nside):
            t, p = hp.pix2ang(nside, pix, nest=nest)
            v = np.array(hp.pix2vec(nside, pix, nest=nest))
            vecs = np.array(hp.ang2vec(theta, phi)).T * rng.uniform(0.5, 2.0, len(theta))
            lon, lat = hp.pix2ang(nside, pix, nest=nest, lonlat=True)
            cases.append({
                "nside": nside, "scheme": name(nest),
                "theta": floats(theta), "phi": floats(phi),
                "ang2pix": ints(hp.ang2pix(nside, theta, phi, nest=nest)),
                "pix": ints(pix), "pix2ang_theta": floats(t), "pix2ang_phi": floats(p),
                "pix2vec": floats(v.T), "pix2ang_lon": floats(lon), "pix2ang_lat": floats(lat),
                "vec": floats(vecs.T), "vec2pix": ints(hp.vec2pix(nside, *vecs, nest=nest)),
            })
    return cases


def neighbour_cases(rng):
    full = []
    for nside in range(1, 33):
        for nest in schemes(nside):
            pix = np.arange(hp.nside2npix(nside))
            full.append({"nside": nside, "scheme": name(nest),
                         "table": ints(hp.get_all_neighbours(nside, pix, nest=nest).T)})
    sampled = []
    for nside in [1000, 1024, 2**20, 2**29]:
        npix = hp.nside2npix(nside)
        for nest in schemes(nside):
            # The 24 pixels with 7 neighbours sit at face corners: include the face corners.
            corners = []
            for face in range(12):
                for x, y in [(0, 0), (0, nside - 1), (nside - 1, 0), (nside - 1, nside - 1)]:
                    corners.append(int(hp.xyf2pix(nside, x, y, face, nest=nest)))
            pix = np.unique(np.concatenate([corners, rng.integers(0, npix, 400)]))
            sampled.append({"nside": nside, "scheme": name(nest), "pix": ints(pix),
                            "table": ints(hp.get_all_neighbours(nside, pix, nest=nest).T)})
    return full, sampled


def ring2nest_cases(rng):
    tables = []
    for nside in [1, 2, 4, 8, 16, 32, 64]:
        pix = np.arange(hp.nside2npix(nside))
        tables.append({"nside": nside, "ring2nest": ints(hp.ring2nest(nside, pix)),
                       "nest2ring": ints(hp.nest2ring(nside, pix))})
    sampled = []
    for nside in [1024, 2**20, 2**29]:
        pix = rng.integers(0, hp.nside2npix(nside), 500)
        sampled.append({"nside": nside, "pix": ints(pix),
                        "ring2nest": ints(hp.ring2nest(nside, pix)),
                        "nest2ring": ints(hp.nest2ring(nside, pix))})
    return tables, sampled


def boundary_cases(rng):
    cases = []
    for nside in [1, 4, 7, 64, 2**20]:
        npix = hp.nside2npix(nside)
        pix = np.unique(np.concatenate([[0, npix - 1], rng.integers(0, npix, 40)]))
        for nest in schemes(nside):
            for step in [1, 3]:
                b = hp.boundaries(nside, pix, step=step, nest=nest)  # (n, 3, 4 step)
                cases.append({"nside": nside, "scheme": name(nest), "step": step,
                              "pix": ints(pix), "xyz": floats(np.transpose(b, (0, 2, 1)))})
    return cases


def interp_cases(rng):
    cases = []
    for nside in [1, 2, 4, 7, 64, 1024]:
        theta, phi = random_angles(rng, 200)
        for nest in schemes(nside):
            p, w = hp.get_interp_weights(nside, theta, phi, nest=nest)
            cases.append({"nside": nside, "scheme": name(nest), "theta": floats(theta),
                          "phi": floats(phi), "pix": ints(p.T), "weights": floats(w.T)})
    return cases


def disc_cases(rng):
    cases = []
    for nside in [1, 4, 7, 16, 64, 256]:
        for _ in range(12):
            vec = rng.normal(size=3)
            radius = float(rng.choice([0.01, 0.05, 0.2, 0.7, 1.5, 3.0]))
            for nest in schemes(nside):
                entry = {"nside": nside, "scheme": name(nest), "vec": floats(vec),
                         "radius": radius,
                         "exclusive": ranges(hp.query_disc(nside, vec, radius, nest=nest))}
                for fact in [1, 2, 4, 8]:
                    entry[f"inclusive_fact{fact}"] = ranges(
                        hp.query_disc(nside, vec, radius, inclusive=True, fact=fact, nest=nest))
                cases.append(entry)
    return cases


def disc_centre_cases():
    """Discs centred exactly on a pole, or at phi = 0, pi/2, pi, 3pi/2: the ring algorithm's
    whole-ring case (a ring entirely inside the disc) must keep the pixel at phi + pi."""
    centres = [(0.0, 0.0), (np.pi, 0.0)]
    for theta in [0.4, np.pi / 2, 2.2]:
        for phi in [0.0, np.pi / 2, np.pi, 3 * np.pi / 2]:
            centres.append((theta, phi))
    cases = []
    for nside in [1, 2, 3, 4, 8, 16, 64]:
        for theta, phi in centres:
            vec = hp.ang2vec(theta, phi)
            for radius in [0.05, 0.3, np.radians(52.1), 1.6, 2.5]:
                for nest in schemes(nside):
                    entry = {"nside": nside, "scheme": name(nest), "vec": floats(vec),
                             "radius": float(radius),
                             "exclusive": ranges(hp.query_disc(nside, vec, radius, nest=nest))}
                    for fact in [1, 2, 4, 8]:
                        entry[f"inclusive_fact{fact}"] = ranges(
                            hp.query_disc(nside, vec, radius, inclusive=True, fact=fact,
                                          nest=nest))
                    cases.append(entry)
    return cases


def ringinfo_cases():
    """healpy's ringinfo for every ring at a few nsides (no random numbers)."""
    cases = []
    for nside in [1, 2, 4, 8, 64]:
        rings = np.arange(1, 4 * nside)
        start, length, cos_t, sin_t, shifted = hp.ringinfo(nside, rings)
        cases.append({"nside": nside, "start": ints(start), "len": ints(length),
                      "cos_theta": floats(cos_t), "sin_theta": floats(sin_t),
                      "shifted": [bool(v) for v in shifted]})
    return cases


def polygon_cases():
    """Convex polygons (triangles to hexagons) around fixed centres, poles included, with
    corners at sorted azimuths on a small circle; both windings. No random numbers: the
    corners come from a fixed formula."""
    cases = []
    centres = [(0.0, 0.0), (np.pi, 0.0), (0.3, 1.0), (np.pi / 2, 0.0), (np.pi / 2, np.pi / 2),
               (2.0, 4.0), (1.2, 3.14159)]
    shapes = [(3, 0.15), (4, 0.4), (5, 0.05), (6, 0.9), (4, 1.3)]
    for nside in [1, 4, 7, 16, 64, 256]:
        for k, (theta, phi) in enumerate(centres):
            nv, radius = shapes[(k + nside) % len(shapes)]
            c = hp.ang2vec(theta, phi)
            # An orthonormal frame at the centre, corners at uneven azimuths.
            a = np.cross(c, [0.0, 0.0, 1.0]) if abs(c[2]) < 0.9 else np.cross(c, [1.0, 0.0, 0.0])
            a /= np.linalg.norm(a)
            b = np.cross(c, a)
            az = np.sort(np.linspace(0, 2 * np.pi, nv, endpoint=False) + 0.3 * np.sin(np.arange(nv)))
            corners = [np.cos(radius) * c + np.sin(radius) * (np.cos(t) * a + np.sin(t) * b)
                       for t in az]
            if k % 2:
                corners = corners[::-1]
            corners = np.array(corners)
            for nest in schemes(nside):
                entry = {"nside": nside, "scheme": name(nest), "vertices": floats(corners),
                         "exclusive": ranges(hp.query_polygon(nside, corners, nest=nest))}
                for fact in [1, 2, 4, 8]:
                    entry[f"inclusive_fact{fact}"] = ranges(
                        hp.query_polygon(nside, corners, inclusive=True, fact=fact, nest=nest))
                cases.append(entry)
    return cases


def strip_cases(rng):
    cases = []
    for nside in [1, 4, 7, 32]:
        for t1, t2 in [(0.3, 1.2), (1.2, 1.9), (np.radians(70), np.radians(110)), (2.5, 0.4),
                       (0.0, 0.1), (3.0, np.pi)]:
            for nest in schemes(nside):
                cases.append({
                    "nside": nside, "scheme": name(nest), "theta1": float(t1), "theta2": float(t2),
                    "exclusive": ranges(hp.query_strip(nside, t1, t2, nest=nest)),
                    "inclusive": ranges(hp.query_strip(nside, t1, t2, inclusive=True, nest=nest)),
                })
    return cases


def main(out_path):
    if hp.__version__ != REQUIRED_HEALPY:
        sys.exit(f"need healpy {REQUIRED_HEALPY}, found {hp.__version__}")
    rng = np.random.default_rng(SEED)
    full, sampled = neighbour_cases(rng)
    r2n, r2n_sampled = ring2nest_cases(rng)
    golden = {
        "provenance": {
            "generator": "scripts/golden/healpix_golden.py",
            "healpy": hp.__version__, "numpy": np.__version__, "seed": SEED,
            "neighbour_order": "SW, W, NW, N, NE, E, SE, S; -1 = missing",
        },
        "resolution": [{"nside": n, "npix": int(hp.nside2npix(n)),
                        "resol": hp.nside2resol(n), "resol_arcmin": hp.nside2resol(n, arcmin=True),
                        "pixarea": hp.nside2pixarea(n),
                        "pixarea_deg2": hp.nside2pixarea(n, degrees=True),
                        "max_pixrad": hp.max_pixrad(n)} for n in [1, 2, 3, 16, 1000, 2**29]],
        "ang2pix": ang2pix_cases(rng),
        "neighbours_full": full,
        "neighbours_sampled": sampled,
        "ring2nest_tables": r2n,
        "ring2nest_sampled": r2n_sampled,
        "boundaries": boundary_cases(rng),
        "interp": interp_cases(rng),
        "query_disc": disc_cases(rng),
        "query_strip": strip_cases(rng),
        "query_disc_centres": disc_centre_cases(),
        "ringinfo": ringinfo_cases(),
        "query_polygon": polygon_cases(),
    }
    write_gzip_json(golden, out_path)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/golden/healpix.json.gz")
