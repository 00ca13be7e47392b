"""HEALPix pixel geometry with healpy's names, signatures and conventions.

Angles are colatitude ``theta`` and longitude ``phi`` in radians, or longitude and latitude in
degrees with ``lonlat=True``; RING order unless ``nest=True``; scalars give scalars and arrays
broadcast, as in healpy. Every function here is checked against healpy 1.20.1 in
``python/tests``.
"""
import numpy as np

from . import _tessera

__all__ = [
    "UNSEEN", "nside2npix", "npix2nside", "nside2order", "order2nside", "nside2resol",
    "nside2pixarea", "isnsideok", "ang2pix", "pix2ang", "vec2pix", "pix2vec", "ang2vec",
    "vec2ang", "nest2ring", "ring2nest", "get_all_neighbours", "query_disc", "query_strip",
    "query_polygon", "get_interp_weights", "get_interp_val", "boundaries", "ud_grade",
    "reorder", "get_nside", "Rotator",
]

UNSEEN = -1.6375e30


def isnsideok(nside, nest=False):
    """True when ``nside`` is a valid resolution (a power of 2 for NESTED)."""
    nside = int(nside)
    if nside < 1 or nside > 1 << 29:
        return False
    return (nside & (nside - 1)) == 0 if nest else True


def _check_nside(nside, nest=False):
    if not isnsideok(nside, nest):
        raise ValueError(f"{nside} is not a valid nside parameter (must be a power of 2, less than 2**30)"
                         if nest else f"{nside} is not a valid nside parameter")
    return int(nside)


def nside2npix(nside):
    return 12 * int(nside) ** 2


def npix2nside(npix):
    nside = int(round(np.sqrt(int(npix) / 12.0)))
    if 12 * nside * nside != int(npix):
        raise ValueError(f"Wrong pixel number (it is not 12*nside**2): {npix}")
    return nside


def nside2order(nside):
    nside = _check_nside(nside, nest=True)
    return nside.bit_length() - 1


def order2nside(order):
    return 1 << int(order)


def nside2pixarea(nside, degrees=False):
    area = 4.0 * np.pi / nside2npix(nside)
    return area * (180.0 / np.pi) ** 2 if degrees else area


def nside2resol(nside, arcmin=False):
    resol = np.sqrt(nside2pixarea(nside))
    return np.rad2deg(resol) * 60 if arcmin else resol


def get_nside(m):
    """The nside of a map (or of the first of a sequence of maps)."""
    m = np.asarray(m)
    return npix2nside(m.shape[-1])


def _lonlat2thetaphi(lon, lat):
    return np.pi / 2.0 - np.radians(lat), np.radians(lon)


def _thetaphi2lonlat(theta, phi):
    return np.degrees(phi), 90.0 - np.degrees(theta)


def _angles(theta, phi, lonlat):
    """theta and phi (radians, from degrees with ``lonlat``) broadcast together, and both
    flattened into contiguous float64 arrays for the extension."""
    if lonlat:
        theta, phi = _lonlat2thetaphi(theta, phi)
    theta, phi = np.broadcast_arrays(np.asarray(theta, dtype=np.float64),
                                     np.asarray(phi, dtype=np.float64))
    return theta, np.ascontiguousarray(theta.ravel()), np.ascontiguousarray(phi.ravel())


def _scalar_like(template, value):
    return value.reshape(np.shape(template)) if np.ndim(template) else value.item()


def ang2pix(nside, theta, phi, nest=False, lonlat=False):
    nside = _check_nside(nside, nest)
    theta, t, p = _angles(theta, phi, lonlat)
    return _scalar_like(theta, _tessera.ang2pix(nside, t, p, nest))


def pix2ang(nside, ipix, nest=False, lonlat=False):
    nside = _check_nside(nside, nest)
    ipix = np.asarray(ipix, dtype=np.int64)
    theta, phi = _tessera.pix2ang(nside, np.ascontiguousarray(ipix.ravel()), nest)
    theta, phi = _scalar_like(ipix, theta), _scalar_like(ipix, phi)
    return _thetaphi2lonlat(theta, phi) if lonlat else (theta, phi)


def vec2pix(nside, x, y, z, nest=False):
    nside = _check_nside(nside, nest)
    x, y, z = np.broadcast_arrays(*(np.asarray(c, dtype=np.float64) for c in (x, y, z)))
    xyz = np.ascontiguousarray(np.stack([x.ravel(), y.ravel(), z.ravel()], axis=1))
    return _scalar_like(x, _tessera.vec2pix(nside, xyz, nest))


def pix2vec(nside, ipix, nest=False):
    nside = _check_nside(nside, nest)
    ipix = np.asarray(ipix, dtype=np.int64)
    xyz = _tessera.pix2vec(nside, np.ascontiguousarray(ipix.ravel()), nest)
    return tuple(_scalar_like(ipix, c) for c in xyz)


def ang2vec(theta, phi, lonlat=False):
    if lonlat:
        theta, phi = _lonlat2thetaphi(theta, phi)
    st = np.sin(theta)
    return np.stack([st * np.cos(phi), st * np.sin(phi), np.cos(theta) * np.ones_like(phi)],
                    axis=-1)


def vec2ang(vectors, lonlat=False):
    v = np.asarray(vectors, dtype=np.float64).reshape(-1, 3)
    r = np.sqrt(np.sum(v * v, axis=1))
    theta = np.arccos(v[:, 2] / r)
    phi = np.arctan2(v[:, 1], v[:, 0]) % (2 * np.pi)
    return _thetaphi2lonlat(theta, phi) if lonlat else (theta, phi)


def nest2ring(nside, ipix):
    nside = _check_nside(nside, nest=True)
    ipix = np.asarray(ipix, dtype=np.int64)
    return _scalar_like(ipix, _tessera.nest2ring(nside, np.ascontiguousarray(ipix.ravel())))


def ring2nest(nside, ipix):
    nside = _check_nside(nside, nest=True)
    ipix = np.asarray(ipix, dtype=np.int64)
    return _scalar_like(ipix, _tessera.ring2nest(nside, np.ascontiguousarray(ipix.ravel())))


def get_all_neighbours(nside, theta, phi=None, nest=False, lonlat=False):
    """The 8 neighbours (SW, W, NW, N, NE, E, SE, S; -1 where missing) of pixels, or of the
    pixels containing directions when ``phi`` is given: shape (8,) or (8, n)."""
    nside = _check_nside(nside, nest)
    if phi is None:
        pix = np.asarray(theta, dtype=np.int64)
    else:
        pix = np.asarray(ang2pix(nside, theta, phi, nest=nest, lonlat=lonlat), dtype=np.int64)
    out = _tessera.get_all_neighbours(nside, np.ascontiguousarray(pix.ravel()), nest).T
    return out[:, 0] if np.ndim(pix) == 0 else out.reshape((8,) + np.shape(pix))


def query_disc(nside, vec, radius, inclusive=False, fact=4, nest=False, buff=None):
    nside = _check_nside(nside, nest)
    v = np.asarray(vec, dtype=np.float64).ravel()
    return _tessera.query_disc(nside, [float(c) for c in v[:3]], float(radius), bool(inclusive),
                               int(fact), nest)


def query_strip(nside, theta1, theta2, inclusive=False, nest=False, buff=None):
    nside = _check_nside(nside, nest)
    return _tessera.query_strip(nside, float(theta1), float(theta2), bool(inclusive), nest)


def query_polygon(nside, vertices, inclusive=False, fact=4, nest=False, buff=None):
    nside = _check_nside(nside, nest)
    v = np.ascontiguousarray(np.asarray(vertices, dtype=np.float64).reshape(-1, 3))
    return _tessera.query_polygon(nside, v, bool(inclusive), int(fact), nest)


def get_interp_weights(nside, theta, phi=None, nest=False, lonlat=False):
    """The 4 pixels and weights of bilinear interpolation: two arrays of shape (4,) or (4, n)."""
    nside = _check_nside(nside, nest)
    if phi is None:
        theta, phi = pix2ang(nside, theta, nest=nest)
        lonlat = False
    theta, t, p = _angles(theta, phi, lonlat)
    pix, w = _tessera.get_interp_weights(nside, t, p, nest)
    if np.ndim(theta) == 0:
        return pix[:, 0], w[:, 0]
    shape = (4,) + np.shape(theta)
    return pix.reshape(shape), w.reshape(shape)


def get_interp_val(m, theta, phi, nest=False, lonlat=False):
    m = np.ascontiguousarray(np.asarray(m, dtype=np.float64))
    theta, t, p = _angles(theta, phi, lonlat)
    return _scalar_like(theta, _tessera.get_interp_val(m, t, p, nest))


def boundaries(nside, pix, step=1, nest=False):
    """The boundary of pixel(s): shape (3, 4 step), or (n, 3, 4 step) for several."""
    nside = _check_nside(nside, nest)
    if np.ndim(pix) == 0:
        return _tessera.boundaries(nside, int(pix), int(step), nest)
    return np.stack([_tessera.boundaries(nside, int(p), int(step), nest)
                     for p in np.asarray(pix).ravel()])


def _as_maps(map_in):
    m = np.asarray(map_in, dtype=np.float64)
    single = m.ndim == 1
    maps = [np.ascontiguousarray(m)] if single else [np.ascontiguousarray(r) for r in m]
    return maps, single


def _out(maps, single):
    return maps[0] if single else np.array(maps)


def ud_grade(map_in, nside_out, pess=False, order_in="RING", order_out=None, power=None,
             dtype=None):
    """The map at another resolution (healpy's ud_grade: averages when degrading, UNSEEN
    pixels left out unless ``pess``; ``power`` scales by (nside_out/nside_in)**power)."""
    order_in = order_in.upper()
    order_out = (order_out or order_in).upper()
    maps, single = _as_maps(map_in)
    nest = order_in.startswith("NEST")
    out = _tessera.ud_grade(maps, int(nside_out), nest, bool(pess),
                            None if power is None else float(power))
    if order_out.startswith("NEST") != nest:
        out = _tessera.reorder(out, not nest)
    out = _out(out, single)
    return out.astype(dtype) if dtype is not None else out


def reorder(map_in, inp=None, out=None, r2n=None, n2r=None):
    """The map in the other ordering: ``r2n=True`` (or inp="RING", out="NEST") or the
    reverse."""
    if r2n is None and n2r is None:
        if inp is None or out is None:
            raise ValueError("give r2n, n2r, or inp and out")
        inp, out = inp.upper()[:4], out.upper()[:4]
        if inp == out:
            return np.asarray(map_in)
        r2n = inp == "RING"
    elif r2n is None:
        r2n = not n2r
    maps, single = _as_maps(map_in)
    return _out(_tessera.reorder(maps, bool(r2n)), single)


def _normalise_rot(rot, deg):
    """Three Euler angles in radians from healpy's ``rot`` (None, 1 to 3 angles)."""
    if rot is None:
        return [0.0, 0.0, 0.0]
    angles = [float(a) for a in np.atleast_1d(np.asarray(rot, dtype=np.float64))]
    if not 1 <= len(angles) <= 3:
        raise ValueError("rot must hold 1 to 3 Euler angles")
    angles += [0.0] * (3 - len(angles))
    return [np.radians(a) for a in angles] if deg else angles


def _frame(name):
    """healpy's frame letter for a name: G[alactic], E[cliptic], C[elestial] or Equatorial."""
    if name is None:
        return None
    name = str(name)
    if name == "Equatorial" or name[:1].upper() in ("C", "Q"):
        return "C"
    if name[:1].upper() in ("G", "E"):
        return name[:1].upper()
    raise ValueError(f"unknown coordinate system {name!r}: G[alactic], E[cliptic] or C[elestial]")


def _normalise_coord(coord):
    """(from, to) frame letters from healpy's ``coord`` (None, "G", ["G", "C"], "GC")."""
    if coord is None:
        return (None, None)
    frames = [_frame(c) for c in (list(coord) if isinstance(coord, str) and len(coord) == 2
                                  else [coord] if isinstance(coord, str) else coord)]
    if len(frames) == 1:
        frames *= 2
    if len(frames) != 2:
        raise ValueError("coord must name one or two frames, e.g. ['G', 'C']")
    return tuple(frames)


class Rotator:
    """healpy's ``Rotator``: a change of coordinates (G, E, C) and Euler rotations (degrees by
    default, ``eulertype`` ZYX, X or Y), or a list of them composed, each inverted with ``inv``.

    ``r(theta, phi)``, ``r((theta, phi))``, ``r(lon, lat, lonlat=True)`` rotate directions;
    ``r(vec)`` or ``r(x, y, z)`` rotate vectors; ``r.mat`` is the matrix; ``r1 * r2`` composes
    (``r2`` first); ``get_inverse()``; ``rotate_map_pixel``, ``rotate_map_alms`` and
    ``rotate_alm`` turn maps and a_lm into the new frame. Unlike healpy 1.20.1, whose
    ``get_inverse`` and ``*`` rebuild their rotators without ``eulertype``, the inverse and
    the product of X and Y rotators are exact (matrix transpose and product).
    """

    def __init__(self, rot=None, coord=None, inv=None, deg=True, eulertype="ZYX"):
        rot_is_seq = rot is not None and np.ndim(rot) == 2
        coord_is_seq = (coord is not None and not isinstance(coord, str)
                        and len(coord) > 0 and not isinstance(coord[0], str))
        if rot_is_seq and coord_is_seq:
            if len(rot) != len(coord):
                raise ValueError("rot and coord must have the same number of rotations")
            rots, coords = list(rot), list(coord)
        elif rot_is_seq and coord is None:
            rots, coords = list(rot), [None] * len(rot)
        elif coord_is_seq and rot is None:
            rots, coords = [None] * len(coord), list(coord)
        elif rot_is_seq or coord_is_seq:
            raise ValueError("rot and coord must both be single rotations or both sequences")
        else:
            rots, coords = [rot], [coord]
        invs = list(inv) if np.ndim(inv) == 1 else [inv] * len(rots)
        if len(invs) != len(rots):
            raise ValueError("inv must be one flag or one per rotation")
        self._eulertype = eulertype if eulertype in ("ZYX", "X", "Y") else "ZYX"
        self._coords = [_normalise_coord(c) for c in coords]
        matrix = np.identity(3)
        for r, c, i in zip(rots, self._coords, invs):
            frames = None if None in c else c
            m = np.array(_tessera.rotator_matrix(_normalise_rot(r, deg), frames, self._eulertype))
            matrix = matrix @ (m.T if i else m)
        self._matrix = matrix
        self._invs = [bool(i) for i in invs]

    @classmethod
    def _of_matrix(cls, matrix, coords, invs, eulertype):
        r = cls.__new__(cls)
        r._matrix, r._coords, r._invs, r._eulertype = matrix, coords, invs, eulertype
        return r

    @property
    def mat(self):
        """The 3x3 rotation matrix."""
        return self._matrix.copy()

    @property
    def consistent(self):
        """Whether each rotation's output frame is the next one's input frame."""
        for (c, i), (n, j) in zip(zip(self._coords, self._invs),
                                  zip(self._coords[1:], self._invs[1:])):
            if c[i] != n[not j]:
                return False
        return True

    @property
    def coordin(self):
        """The input frame (as healpy reads it, of the last rotation), or None."""
        if not self.consistent:
            return None
        c, i = self._coords[-1], self._invs[-1]
        return c[i]

    @property
    def coordout(self):
        """The output frame (as healpy reads it, of the last rotation), or None."""
        if not self.consistent:
            return None
        c, i = self._coords[-1], self._invs[-1]
        return c[not i]

    def get_inverse(self):
        """The rotation undoing this one."""
        return Rotator._of_matrix(self._matrix.T.copy(), self._coords[::-1],
                                  [not i for i in self._invs[::-1]], self._eulertype)

    def __mul__(self, other):
        return Rotator._of_matrix(self._matrix @ other._matrix, self._coords + other._coords,
                                  self._invs + other._invs, self._eulertype)

    def __call__(self, *args, inv=False, lonlat=False):
        m = self._matrix.T if inv else self._matrix
        if len(args) == 1:
            arg = args[0]
            if not hasattr(arg, "__len__") or not 2 <= len(arg) <= 3:
                raise TypeError("Argument must be a sequence of 2 or 3 elements")
            if len(arg) == 3:
                return np.tensordot(m, np.asarray(arg, dtype=np.float64), axes=(1, 0))
            args = tuple(arg)
        if len(args) == 3:
            return np.tensordot(m, np.asarray(args, dtype=np.float64), axes=(1, 0))
        if len(args) != 2:
            raise TypeError("Either 1, 2 or 3 arguments accepted")
        theta, phi = (np.asarray(a, dtype=np.float64) for a in args)
        if lonlat:
            theta, phi = _lonlat2thetaphi(theta, phi)
        theta, phi = np.broadcast_arrays(theta, phi)
        shape = theta.shape
        t, p = _tessera.rotate_directions(m.tolist(), np.ascontiguousarray(theta.ravel()),
                                          np.ascontiguousarray(phi.ravel()))
        out = np.array([t.reshape(shape), p.reshape(shape)])
        if lonlat:
            out = np.array([np.degrees(out[1]), 90.0 - np.degrees(out[0])])
        return out

    def rotate_map_pixel(self, m):
        """The map (or T, Q, U maps, RING) seen in the new frame, interpolating its pixels; Q
        and U are turned with the frame. A pixel reading an UNSEEN pixel is UNSEEN."""
        maps, single = _as_maps(m)
        return _out(_tessera.rotate_map_pixel(maps, self._matrix.tolist(), False), single)

    def rotate_map_alms(self, m, use_pixel_weights=False, lmax=None, mmax=None, datapath=None,
                        iter=3, use_weights=False):
        """The map (or T, Q, U maps, RING) seen in the new frame, through its a_lm (map2alm
        with ``iter`` iterations, ``rotate_alm``, alm2map). Pixel weights are not provided:
        ``use_pixel_weights=True`` is refused (``use_weights`` gives ring weights)."""
        if use_pixel_weights:
            raise ValueError("pixel weights are not provided; use_weights=True gives ring weights")
        if mmax is not None and mmax != lmax:
            raise ValueError("rotate_map_alms needs mmax = lmax")
        maps, single = _as_maps(m)
        out = _tessera.rotate_map_alms(maps, self._matrix.tolist(), lmax, int(iter),
                                       bool(use_weights))
        return _out(out, single)

    def rotate_alm(self, alm, lmax=None, mmax=None, inplace=False):
        """The a_lm (one array, or T, E, B rows) in the new frame; a copy unless ``inplace``."""
        from .sky import rotate_alm
        out = alm if inplace else np.array(alm, dtype=np.complex128, copy=True)
        rotate_alm(out, lmax=lmax, mmax=mmax, matrix=self._matrix)
        return out

    def __repr__(self):
        return f"Rotator(mat={self._matrix.tolist()}, coord={self._coords})"

