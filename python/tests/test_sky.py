"""tessera.sky against healpy 1.20.1: FITS round trips exact, transforms and spectra to 1e-10."""
import gzip
import json
import os
from pathlib import Path

import healpy as hp
import numpy as np
import pytest

import tessera.healpix as th
import tessera.sky as ts

ROOT = Path(__file__).resolve().parents[2]
RNG = np.random.default_rng(7)
NSIDE = 32


def close(a, b, tol=1e-10):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert np.max(np.abs(a - b)) <= tol * max(np.max(np.abs(b)), 1e-300)


def tqu():
    cl = np.zeros((4, 3 * NSIDE))
    ell = np.arange(3 * NSIDE)
    cl[0, 2:] = 1.0 / ell[2:] ** 2
    cl[1, 2:] = 0.1 / ell[2:] ** 2
    cl[3, 2:] = 0.05 / ell[2:] ** 2
    np.random.seed(3)
    return hp.synfast(cl, NSIDE, new=True)


def test_fits_round_trip_with_healpy(tmp_path):
    m = tqu()
    ours = tmp_path / "ours.fits"
    ts.write_map(ours, m, dtype=np.float64, coord="G")
    np.testing.assert_array_equal(hp.read_map(ours, field=None), m)
    theirs = tmp_path / "theirs.fits"
    hp.write_map(theirs, m, nest=False, dtype=np.float64)
    np.testing.assert_array_equal(ts.read_map(theirs, field=None), m)
    np.testing.assert_array_equal(ts.read_map(theirs, nest=True),
                                  hp.read_map(theirs, nest=True))
    _, header = ts.read_map(ours, h=True)
    assert ("COORDSYS", "G") in [(k, v.strip("' ")) for k, v in header]
    with pytest.raises(ValueError, match="exists|overwrite"):
        ts.write_map(ours, m)
    with pytest.raises(FileNotFoundError, match="missing.fits"):
        ts.read_map(tmp_path / "missing.fits")


def test_transforms_and_spectra_match_healpy():
    m = tqu()
    alm = ts.map2alm(m)
    close(alm, hp.map2alm(m))
    close(ts.alm2map(alm, NSIDE), hp.alm2map(hp.map2alm(m), NSIDE))
    close(ts.anafast(m), hp.anafast(m))
    close(ts.anafast(m[0]), hp.anafast(m[0]))
    close(ts.anafast(m, m[::-1] * 0.5 + m), hp.anafast(m, m[::-1] * 0.5 + m))
    close(ts.map2alm(m[0], lmax=40), hp.map2alm(m[0], lmax=40))
    # Ring weights: Tessera computes them, healpy reads the files it ships.
    close(ts.map2alm(m, use_weights=True), hp.map2alm(m, use_weights=True))
    close(ts.anafast(m, use_weights=True, iter=0), hp.anafast(m, use_weights=True, iter=0))
    fwhm = np.radians(3.0)
    close(ts.smoothing(m, fwhm=fwhm, use_weights=True),
          hp.smoothing(m, fwhm=fwhm, use_weights=True), tol=1e-9)


def test_spin_transforms_match_healpy():
    rng = np.random.default_rng(3)
    lmax = 3 * NSIDE - 1
    for spin in (1, 3):
        alms = []
        for _ in range(2):
            a = rng.normal(size=hp.Alm.getsize(lmax)) + 1j * rng.normal(size=hp.Alm.getsize(lmax))
            l, m = hp.Alm.getlm(lmax)
            a[m == 0] = a[m == 0].real
            a[l < spin] = 0
            alms.append(a)
        close(ts.alm2map_spin(alms, NSIDE, spin, lmax), hp.alm2map_spin(alms, NSIDE, spin, lmax))
        maps = tqu()[1:]
        close(ts.map2alm_spin(maps, spin), hp.map2alm_spin(maps, spin))


def test_smoothing_windows_and_beams():
    m = tqu()
    fwhm = np.radians(2.0)
    close(ts.smoothing(m, fwhm=fwhm), hp.smoothing(m, fwhm=fwhm), tol=1e-9)
    close(ts.smoothing(m[0], sigma=fwhm / 2.3548), hp.smoothing(m[0], sigma=fwhm / 2.3548),
          tol=1e-9)
    close(ts.gauss_beam(fwhm, lmax=100), hp.gauss_beam(fwhm, lmax=100), tol=1e-14)
    close(ts.gauss_beam(fwhm, lmax=100, pol=True), hp.gauss_beam(fwhm, lmax=100, pol=True),
          tol=1e-14)
    # healpy downloads its window tables; the golden file holds HEALPix's tables for nside 64.
    golden = json.load(gzip.open(ROOT / "data" / "golden" / "pixwin.json.gz"))["64"]
    ell = np.array(golden["l"])
    t, p = ts.pixwin(64, pol=True, lmax=256)
    close(t[ell], golden["t"], tol=1e-6)
    close(p[ell], golden["p"], tol=1e-6)
    close(ts.pixwin(64, lmax=256)[ell], golden["t"], tol=1e-6)
    assert len(ts.pixwin(64)) == 3 * 64


SHARED = Path(os.environ.get("TESSERA_SHARED_DATA", ROOT.parent / "shared" / "data"))


def test_wmap_pipeline_gets_healpys_numbers():
    """Read a WMAP map and its mask, mask, degrade, take spectra and smooth: healpy's numbers."""
    fits = SHARED / "fits"
    path = fits / "wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits"
    mask_path = fits / "wmap_temperature_analysis_mask_r9_7yr_v4_udgraded32.fits"
    m, hm = ts.read_map(path, field=None), hp.read_map(path, field=None)
    np.testing.assert_array_equal(m, hm)
    mask, hmask = ts.read_map(mask_path), hp.read_map(mask_path)
    np.testing.assert_array_equal(mask, hmask)
    masked = m.copy()
    masked[:, mask == 0] = ts.UNSEEN
    low, hlow = th.ud_grade(masked, 16), hp.ud_grade(masked, 16)
    np.testing.assert_allclose(low, hlow, rtol=0, atol=1e-14 * np.max(np.abs(hlow[hlow != hp.UNSEEN])))
    close(ts.anafast(masked), hp.anafast(masked))
    close(ts.smoothing(m, fwhm=np.radians(3.0)), hp.smoothing(m, fwhm=np.radians(3.0)), tol=1e-9)


def test_cl_and_alm_files_round_trip_with_healpy(tmp_path):
    m = tqu()
    cl = hp.anafast(m)
    hp.write_cl(tmp_path / "h_cl.fits", cl[:4])
    close(ts.read_cl(tmp_path / "h_cl.fits"), hp.read_cl(tmp_path / "h_cl.fits"), tol=0)
    ts.write_cl(tmp_path / "t_cl.fits", cl[:4])
    close(hp.read_cl(tmp_path / "t_cl.fits"), cl[:4], tol=0)
    alm = hp.map2alm(m)
    hp.write_alm(tmp_path / "h_alm.fits", alm)
    for hdu in (1, 2, 3):
        close(ts.read_alm(tmp_path / "h_alm.fits", hdu=hdu),
              hp.read_alm(tmp_path / "h_alm.fits", hdu=hdu), tol=0)
    ts.write_alm(tmp_path / "t_alm.fits", alm)
    close(hp.read_alm(tmp_path / "t_alm.fits", hdu=2), alm[1], tol=0)


def test_rotations_least_squares_and_derivatives_match_healpy():
    alm = hp.map2alm(tqu())
    ours, theirs = alm.copy(), alm.copy()
    ts.rotate_alm(ours, 0.3, 1.1, -2.0)
    hp.rotate_alm(theirs, 0.3, 1.1, -2.0)
    close(ours, theirs)
    r = hp.Rotator(coord=["G", "C"])
    ours = alm.copy()
    ts.rotate_alm(ours, matrix=r.mat)
    close(ours, r.rotate_alm(alm))
    m = tqu()
    fit, rel, n = ts.map2alm_lsq(m, 40, 40)
    hfit, hrel, hn = hp.map2alm_lsq(m, 40, 40)
    assert n == hn and abs(rel - hrel) < 1e-10
    close(fit, hfit, tol=1e-8)
    close(ts.alm2map_der1(alm[0], NSIDE), hp.alm2map_der1(alm[0], NSIDE))


def test_synfast_has_the_spectra_it_was_given():
    """Averaged over 40 seeds, anafast of synfast recovers the input TT and EE (each l within
    4 standard errors of cosmic variance), as healpy's synfast does; a seed gives the same map
    twice and another seed another map."""
    lmax = 23
    ell = np.arange(lmax + 1)
    tt = np.where(ell >= 2, 1.0 / (ell + 1.0) ** 2, 0.0)
    cls = [tt, 0.1 * tt, 0.0 * tt, 0.05 * tt]
    one = ts.synfast(cls, 8, lmax=lmax, seed=3)
    assert one.shape == (3, hp.nside2npix(8))
    assert np.array_equal(one, ts.synfast(cls, 8, lmax=lmax, seed=3))
    assert not np.array_equal(one, ts.synfast(cls, 8, lmax=lmax, seed=4))
    runs = 40
    mean = sum(hp.anafast(ts.synfast(cls, 8, lmax=lmax, seed=s), lmax=lmax) for s in range(runs))
    mean /= runs
    for got, want in [(mean[0], tt), (mean[1], 0.1 * tt)]:
        error = want * np.sqrt(2.0 / (2 * ell + 1) / runs)
        assert np.all(np.abs(got[2:] - want[2:]) < 4 * error[2:] + 1e-12)
    t_only = ts.synfast(tt, 8, lmax=lmax, seed=1)
    assert t_only.shape == (hp.nside2npix(8),)


def test_simulate_makes_the_recipes_maps():
    """τ maps: T, Q, U in μK with τ drawn in its range, reproducible from the seed, map i the
    same whether drawn alone or with others; a mask's cut pixels are UNSEEN; unknown tasks are
    a ValueError."""
    maps, tau = ts.simulate("tau", 8, 3, seed=2, noise=60.0)
    assert maps.shape == (3, 3, hp.nside2npix(8))
    assert np.all((tau >= 0.03) & (tau <= 0.09))
    again, tau2 = ts.simulate("tau", 8, 2, seed=2, noise=60.0)
    assert np.array_equal(again, maps[:2]) and np.array_equal(tau2, tau[:2])
    mask = np.ones(hp.nside2npix(8))
    mask[:100] = 0.0
    cut, _ = ts.simulate("ellp-t", 8, 1, seed=1, mask=mask, supersample=1, pixwin=False)
    assert np.all(cut[0, 0, :100] == hp.UNSEEN) and np.all(cut[0, 0, 100:] != hp.UNSEEN)
    with pytest.raises(ValueError, match="tau, ellp-t"):
        ts.simulate("planck", 8, 1)


def test_estimate_recovers_the_simulated_parameter():
    """τ from 40 simulated maps (nside 8, 60 μK·arcmin, band-limited with their pixel window)
    by the spectrum likelihood: the estimates scatter about the truth as their sigma says
    (mean pull within 3/√40 of 0, pull sd 0.6–1.5), and a cut map is estimated too."""
    maps, tau = ts.simulate("tau", 8, 40, seed=3, noise=60.0, supersample=1, pixwin=True)
    rows = ts.estimate(maps, "tau", noise=60.0)
    assert rows.shape == (40, 3)
    pulls = (rows[:, 0] - tau) / rows[:, 1]
    assert abs(pulls.mean()) < 3 / np.sqrt(40), pulls
    assert 0.6 < pulls.std() < 1.5, pulls
    cut = maps[:2].copy()
    cut[:, :, :60] = hp.UNSEEN
    assert np.all(np.isfinite(ts.estimate(cut, "tau", noise=60.0)))
    with pytest.raises(ValueError, match="ellp-t"):
        ts.estimate(maps[:1], "planck")
