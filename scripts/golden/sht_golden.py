"""Golden values for tessera-sky's spherical harmonic transforms, from a pinned healpy.

Usage: python scripts/golden/sht_golden.py data/golden/sht.json.gz   (healpy 1.20.1, numpy 2)

Inputs are formulas both sides evaluate (no random numbers cross the language boundary):
  alm:  a_lm = (sin(0.37 l + 0.11 m + 0.5) + i cos(0.29 l - 0.53 m + phase)) / (1 + l), a_l0 real,
        a_00 = a_1m = 0 for E and B; phase = 0, 1, 2 for T, E, B.
  maps: f_p = sin(0.7311 p + c) + 0.5 cos(0.01 p + 2c) (+ 3 for T), c = 0, 1, 2 for T, Q, U.
Outputs per nside (8, 32, 256), lmax = 3 nside - 1: alm2map of the alm (T alone and TEB->TQU),
map2alm of the maps with iter 0 and 3 (T alone and TQU), anafast of the TQU map (iter 3, 6 spectra).
nside 8 and 32 store every value; nside 256 stores every 97th pixel / coefficient and the sum of
squares.
"""
import gzip
import json
import sys

import healpy as hp
import numpy as np

SAMPLE = 97


def input_alm(lmax, phase, pol):
    size = hp.Alm.getsize(lmax)
    l, m = hp.Alm.getlm(lmax, np.arange(size))
    re = np.sin(0.37 * l + 0.11 * m + 0.5) / (1.0 + l)
    im = np.cos(0.29 * l - 0.53 * m + phase) / (1.0 + l)
    im[m == 0] = 0.0
    a = re + 1j * im
    if pol:
        a[l < 2] = 0.0
    return a


def input_map(nside, c):
    p = np.arange(hp.nside2npix(nside), dtype=np.float64)
    f = np.sin(0.7311 * p + c) + 0.5 * np.cos(0.01 * p + 2 * c)
    return f + 3.0 if c == 0 else f


def pack_real(x, full):
    x = np.asarray(x, dtype=np.float64)
    if full:
        return {"all": x.tolist()}
    return {"every": SAMPLE, "sample": x[::SAMPLE].tolist(), "sum_sq": float(np.sum(x * x))}


def pack_alm(a, full):
    a = np.asarray(a)
    if full:
        return {"re": a.real.tolist(), "im": a.imag.tolist()}
    s = a[::SAMPLE]
    return {"every": SAMPLE, "re": s.real.tolist(), "im": s.imag.tolist(),
            "sum_sq": float(np.sum(np.abs(a) ** 2))}


def main(out):
    result = {"healpy": hp.__version__, "numpy": np.__version__, "cases": []}
    for nside in (8, 32, 256):
        lmax = 3 * nside - 1
        full = nside <= 32
        alm_t = input_alm(lmax, 0.0, False)
        alm_e = input_alm(lmax, 1.0, True)
        alm_b = input_alm(lmax, 2.0, True)
        case = {"nside": nside, "lmax": lmax}
        case["alm2map_T"] = pack_real(hp.alm2map(alm_t, nside, lmax=lmax), full)
        tqu = hp.alm2map([alm_t, alm_e, alm_b], nside, lmax=lmax, pol=True)
        case["alm2map_TQU"] = [pack_real(x, full) for x in tqu]
        maps = [input_map(nside, c) for c in range(3)]
        for it in (0, 3):
            a = hp.map2alm(maps[0], lmax=lmax, iter=it, pol=False)
            case[f"map2alm_T_iter{it}"] = pack_alm(a, full)
            a = hp.map2alm(maps, lmax=lmax, iter=it, pol=True)
            case[f"map2alm_TQU_iter{it}"] = [pack_alm(x, full) for x in a]
        cl = hp.anafast(maps, lmax=lmax, iter=3, pol=True)
        case["anafast_TQU_iter3"] = [np.asarray(c).tolist() for c in cl]
        result["cases"].append(case)
        print(f"nside {nside} done", file=sys.stderr)
    with open(out, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as f:
        f.write(json.dumps(result).encode())


if __name__ == "__main__":
    main(sys.argv[1])
