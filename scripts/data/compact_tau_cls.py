"""Compact copy of the CAMB tau-grid spectra for tessera-sky's tau simulations.

Usage: python scripts/data/compact_tau_cls.py ../shared/data/cls crates/sky/data/tau_grid_lmax191.f64

Reads cls_tau_grid.npy and cls_tau_grid_Ase2tau.npy (shape (31, 4, 1501): tau = 0.030, 0.032, ...,
0.090; TT, EE, BB, TE lensed scalar C_ell in muK^2) and writes, little-endian float64, the array of
shape (2, 31, 4, 192) = (variant, tau, spectrum, ell <= 191), variant 0 = A_s fixed, 1 = A_s e^{-2 tau}
fixed. 191 = 3 * 64 - 1 covers simulations up to nside 64. The values are copied, not recomputed.
"""
import sys
from pathlib import Path

import numpy as np

LMAX = 191


def main(src, out):
    src = Path(src)
    tau = np.load(src / "tau_grid.npy")
    assert np.allclose(tau, 0.030 + 0.002 * np.arange(31)), tau
    variants = [np.load(src / "cls_tau_grid.npy"), np.load(src / "cls_tau_grid_Ase2tau.npy")]
    table = np.stack([v[:, :, : LMAX + 1] for v in variants]).astype("<f8")
    assert table.shape == (2, 31, 4, LMAX + 1)
    table.tofile(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
