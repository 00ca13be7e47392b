"""tessera.healpix against healpy 1.20.1: integer results equal, angles to 1e-12."""
import healpy as hp
import numpy as np
import pytest

import tessera.healpix as th

RNG = np.random.default_rng(20261206)


@pytest.mark.parametrize("nside", [1, 3, 64, 1000, 2**20])
@pytest.mark.parametrize("nest", [False, True])
def test_ang2pix_pix2ang_vec(nside, nest):
    if nest and nside & (nside - 1):
        with pytest.raises(ValueError):
            th.ang2pix(nside, 0.5, 0.5, nest=True)
        return
    theta = np.arccos(RNG.uniform(-1, 1, 10_000))
    phi = RNG.uniform(0, 2 * np.pi, 10_000)
    pix = th.ang2pix(nside, theta, phi, nest=nest)
    np.testing.assert_array_equal(pix, hp.ang2pix(nside, theta, phi, nest=nest))
    t, p = th.pix2ang(nside, pix, nest=nest)
    tt, pp = hp.pix2ang(nside, pix, nest=nest)
    np.testing.assert_allclose(t, tt, rtol=0, atol=1e-12)
    np.testing.assert_allclose(p, pp, rtol=0, atol=1e-12)
    x, y, z = th.pix2vec(nside, pix, nest=nest)
    np.testing.assert_allclose(np.array([x, y, z]), np.array(hp.pix2vec(nside, pix, nest=nest)),
                               atol=1e-12)
    np.testing.assert_array_equal(th.vec2pix(nside, x, y, z, nest=nest),
                                  hp.vec2pix(nside, x, y, z, nest=nest))


def test_scalars_lonlat_and_shapes_follow_healpy():
    assert th.ang2pix(64, 83.63308, 22.0145, lonlat=True) == hp.ang2pix(64, 83.63308, 22.0145,
                                                                        lonlat=True)
    assert isinstance(th.ang2pix(16, 0.3, 0.2), int)
    lon, lat = th.pix2ang(16, 100, lonlat=True)
    assert np.allclose((lon, lat), hp.pix2ang(16, 100, lonlat=True), atol=1e-12)
    grid = np.arange(12).reshape(3, 4)
    assert th.pix2ang(4, grid)[0].shape == (3, 4)
    assert th.nside2npix(64) == hp.nside2npix(64)
    assert th.npix2nside(49152) == 64
    assert th.nside2order(1024) == 10
    assert np.isclose(th.nside2resol(64, arcmin=True), hp.nside2resol(64, arcmin=True))
    assert np.isclose(th.nside2pixarea(64, degrees=True), hp.nside2pixarea(64, degrees=True))


def test_ring_nest_conversions():
    nside = 256
    pix = RNG.integers(0, hp.nside2npix(nside), 10_000)
    np.testing.assert_array_equal(th.nest2ring(nside, pix), hp.nest2ring(nside, pix))
    np.testing.assert_array_equal(th.ring2nest(nside, pix), hp.ring2nest(nside, pix))
    with pytest.raises(ValueError):
        th.nest2ring(nside, -1)


@pytest.mark.parametrize("nest", [False, True])
def test_neighbours(nest):
    nside = 16
    pix = np.arange(hp.nside2npix(nside))
    np.testing.assert_array_equal(th.get_all_neighbours(nside, pix, nest=nest),
                                  hp.get_all_neighbours(nside, pix, nest=nest))
    np.testing.assert_array_equal(th.get_all_neighbours(nside, 0.4, 1.2, nest=nest),
                                  hp.get_all_neighbours(nside, 0.4, 1.2, nest=nest))


@pytest.mark.parametrize("nest", [False, True])
@pytest.mark.parametrize("inclusive", [False, True])
def test_queries(nest, inclusive):
    nside = 32
    for _ in range(20):
        vec = hp.ang2vec(np.arccos(RNG.uniform(-1, 1)), RNG.uniform(0, 2 * np.pi))
        radius = RNG.uniform(0.01, 1.0)
        np.testing.assert_array_equal(
            np.sort(th.query_disc(nside, vec, radius, inclusive=inclusive, nest=nest)),
            np.sort(hp.query_disc(nside, vec, radius, inclusive=inclusive, nest=nest)))
    np.testing.assert_array_equal(
        np.sort(th.query_strip(nside, 0.3, 1.2, inclusive=inclusive, nest=nest)),
        np.sort(hp.query_strip(nside, 0.3, 1.2, inclusive=inclusive, nest=nest)))
    square = hp.ang2vec([0.9, 0.9, 1.3, 1.3], [0.2, 0.6, 0.6, 0.2])
    np.testing.assert_array_equal(
        np.sort(th.query_polygon(nside, square, inclusive=inclusive, nest=nest)),
        np.sort(hp.query_polygon(nside, square, inclusive=inclusive, nest=nest)))


@pytest.mark.parametrize("nest", [False, True])
def test_interpolation_and_boundaries(nest):
    nside = 32
    theta = np.arccos(RNG.uniform(-1, 1, 1000))
    phi = RNG.uniform(0, 2 * np.pi, 1000)
    pix, w = th.get_interp_weights(nside, theta, phi, nest=nest)
    hpix, hw = hp.get_interp_weights(nside, theta, phi, nest=nest)
    np.testing.assert_array_equal(pix, hpix)
    np.testing.assert_allclose(w, hw, atol=1e-12)
    m = RNG.normal(size=hp.nside2npix(nside))
    np.testing.assert_allclose(th.get_interp_val(m, theta, phi, nest=nest),
                               hp.get_interp_val(m, theta, phi, nest=nest), atol=1e-12)
    np.testing.assert_allclose(th.boundaries(nside, 77, step=3, nest=nest),
                               hp.boundaries(nside, 77, step=3, nest=nest), atol=1e-12)


def test_ud_grade_and_reorder():
    """reorder and upgrading are exact; degrading averages in another order than numpy's
    pairwise sum, so float64 means may differ in the last bits (1e-14 absolute here, on values of
    order 1)."""
    m = RNG.normal(size=hp.nside2npix(64))
    m[:100] = hp.UNSEEN
    np.testing.assert_array_equal(th.ud_grade(m, 128), hp.ud_grade(m, 128))
    np.testing.assert_allclose(th.ud_grade(m, 16), hp.ud_grade(m, 16), rtol=0, atol=1e-14)
    nest = hp.reorder(m, r2n=True)
    np.testing.assert_array_equal(th.reorder(m, r2n=True), nest)
    np.testing.assert_array_equal(th.reorder(nest, inp="NEST", out="RING"), m)
    np.testing.assert_allclose(th.ud_grade(nest, 16, order_in="NESTED"),
                               hp.ud_grade(nest, 16, order_in="NESTED"), rtol=0, atol=1e-14)


def test_rotator_matches_healpy():
    from tessera.healpix import Rotator
    rng = np.random.default_rng(7)
    theta = np.arccos(rng.uniform(-1, 1, 1000))
    phi = rng.uniform(0, 2 * np.pi, 1000)
    vec = hp.ang2vec(theta, phi).T
    cases = [dict(coord=["G", "C"]), dict(coord="EG"), dict(rot=[10, 20, 30]),
             dict(rot=[10, 20, 30], eulertype="X"), dict(rot=[10, 20, 30], eulertype="Y"),
             dict(rot=[0.1, 0.2, 0.3], deg=False), dict(rot=[5, -40], coord=["C", "E"]),
             dict(rot=[5, -40], coord=["C", "E"], inv=True),
             dict(rot=[[10, 0, 0], [0, 20, 5]], coord=[["G", "C"], ["C", "E"]], inv=[False, True])]
    for kw in cases:
        ours, theirs = Rotator(**kw), hp.Rotator(**kw)
        np.testing.assert_allclose(ours.mat, theirs.mat, atol=1e-14, err_msg=str(kw))
        np.testing.assert_allclose(ours(theta, phi), theirs(theta, phi), atol=1e-12)
        np.testing.assert_allclose(ours(vec), theirs(vec), atol=1e-14)
        np.testing.assert_allclose(ours(10.0, 20.0, lonlat=True), theirs(10.0, 20.0, lonlat=True),
                                   atol=1e-10)
        np.testing.assert_allclose(ours(theta, phi, inv=True), theirs(theta, phi, inv=True),
                                   atol=1e-12)
        # healpy 1.20.1's get_inverse drops eulertype (its X and Y "inverses" are not): ours is
        # the transpose, which is healpy's for ZYX.
        np.testing.assert_allclose(ours.get_inverse().mat, ours.mat.T, atol=0)
        if kw.get("eulertype", "ZYX") == "ZYX":
            np.testing.assert_allclose(ours.get_inverse().mat, theirs.get_inverse().mat,
                                       atol=1e-14)
        assert (ours.coordin, ours.coordout) == (theirs.coordin, theirs.coordout), kw
    a, b = Rotator(coord=["G", "C"]), Rotator(rot=[30, 10, 0])
    composed = hp.Rotator(coord=["G", "C"]) * hp.Rotator(rot=[30, 10, 0])
    np.testing.assert_allclose((a * b).mat, composed.mat, atol=1e-14)
    # Maps and a_lm in the new frame, as healpy's.
    nside = 16
    t, p = hp.pix2ang(nside, np.arange(hp.nside2npix(nside)))
    m = np.array([np.sin(t) ** 2 * np.cos(2 * p), np.cos(t), np.sin(t) * np.sin(p)])
    r, h = Rotator(coord=["G", "C"]), hp.Rotator(coord=["G", "C"])
    np.testing.assert_allclose(r.rotate_map_pixel(m), h.rotate_map_pixel(m), atol=1e-10)
    np.testing.assert_allclose(r.rotate_map_alms(m), h.rotate_map_alms(m, use_pixel_weights=False),
                               atol=1e-10)
    alm = hp.map2alm(m[0], lmax=20)
    np.testing.assert_allclose(r.rotate_alm(alm), h.rotate_alm(alm), atol=1e-12)
    with pytest.raises(ValueError, match="pixel weights"):
        r.rotate_map_alms(m, use_pixel_weights=True)
