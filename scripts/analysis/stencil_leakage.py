#!/usr/bin/env python3
"""How far can 9-pixel HEALPix stencils isolate a spectrum's faint tails? (docs/results.md, ℓ_p)

Two checks behind the ℓ_p discussion of docs/results.md (issue "Sphere CNN end to end"):

1. Leakage of a stencil high-pass. A Laplacian-like stencil (centre −8, the 8 neighbours +1,
   missing neighbours read 0, the NNhealpix convention) is applied k times to a map with power
   only at ℓ = 2–15 and to one with power only at ℓ = 30–40. The ratio of their output powers in
   ℓ = 30–40 is what the grid's irregularity moves from large to small scales (an ideal isotropic
   filter would give 0).
2. A Fisher forecast of the ℓ_p likelihood (the mock of METHODS.md: C_ℓ = exp(−(ℓ−ℓ_p)²/50) +
   1e-5, ℓ = 2..32, full sky) with such a leak added as white noise of `kappa` × the map's mean
   power per mode: how much error the leak alone would cost the likelihood.

Usage: python scripts/analysis/stencil_leakage.py (healpy 1.20.1, numpy; ~10 s).
"""

import healpy as hp
import numpy as np

NSIDE = 16
NPIX = 12 * NSIDE**2
LMAX = 3 * NSIDE - 1


def apply_stencil(m, neighbours, weights):
    """`weights[0]` × the pixel + Σ_k `weights[k + 1]` × neighbour k (0 where missing)."""
    out = weights[0] * m
    for k in range(8):
        idx = neighbours[k]
        out = out + weights[k + 1] * np.where(idx >= 0, m[np.maximum(idx, 0)], 0.0)
    return out


def band_map(l0, l1, seed):
    """A Gaussian map with C_ℓ = 1 for l0 ≤ ℓ ≤ l1, 0 elsewhere."""
    cl = np.zeros(4 * NSIDE)
    cl[l0 : l1 + 1] = 1.0
    np.random.seed(seed)
    return hp.synfast(cl, NSIDE, lmax=4 * NSIDE - 1)


def leakage(repeats, seeds=3):
    neighbours = hp.get_all_neighbours(NSIDE, np.arange(NPIX))
    laplacian = np.array([-8.0] + [1.0] * 8)
    low, high = [], []
    for s in range(seeds):
        a, b = band_map(2, 15, s), band_map(30, 40, 100 + s)
        for _ in range(repeats):
            a = apply_stencil(a, neighbours, laplacian)
            b = apply_stencil(b, neighbours, laplacian)
        low.append(hp.anafast(a, lmax=LMAX)[30:41].sum())
        high.append(hp.anafast(b, lmax=LMAX)[30:41].sum())
    return np.mean(low) / np.mean(high)


def fisher_rmse(kappa, lmin=2, lmax=32):
    ell = np.arange(64)
    inv = []
    for lp in np.linspace(5, 32, 200):
        g = np.exp(-((ell - lp) ** 2) / 50.0)
        c = g + 1e-5
        dc = g * (ell - lp) / 25.0
        per_mode = ((2 * ell + 1) * c)[:48].sum() / (2 * ell + 1)[:48].sum()
        n = kappa * per_mode
        f = (((2 * ell + 1) / 2) * (dc / (c + n)) ** 2)[lmin : lmax + 1].sum()
        inv.append(1.0 / f)
    return np.sqrt(np.mean(inv))


def main():
    print(f"healpy {hp.__version__}, nside {NSIDE}")
    print("1. power in l = 30..40 after k Laplacian stencils, from l = 2..15 over from l = 30..40:")
    for k in (1, 2, 4, 8):
        print(f"   k = {k}: {leakage(k):.1e}")
    base = fisher_rmse(0.0)
    print(f"2. Fisher RMS error of l_p over l_p in [5, 32]: {base:.4f} without a leak")
    for kappa in (1e-4, 1e-3, 1e-2):
        r = fisher_rmse(kappa)
        print(f"   leak {kappa:.0e} x mean power per mode: {r:.4f} (x{r / base:.2f})")


if __name__ == "__main__":
    main()
