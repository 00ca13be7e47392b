"""Sky maps and spherical harmonics with healpy's names: FITS I/O, transforms, spectra,
smoothing and windows.

Maps are float64 numpy arrays (one row per field: T, or T, Q, U); a_lm are complex128 arrays in
healpy's order. Results agree with healpy 1.20.1 to 1e-10 (see ``python/tests``).
"""
import numpy as np

from . import _tessera
from .healpix import UNSEEN, _as_maps, npix2nside

__all__ = ["UNSEEN", "read_map", "write_map", "map2alm", "alm2map", "anafast", "smoothing",
           "gauss_beam", "pixwin", "Alm", "read_cl", "write_cl", "read_alm", "write_alm",
           "rotate_alm", "map2alm_lsq", "alm2map_der1", "synfast", "simulate", "estimate"]


class Alm:
    """healpy's a_lm indexing helpers."""

    @staticmethod
    def getsize(lmax, mmax=None):
        mmax = lmax if mmax is None else mmax
        return mmax * (2 * lmax + 1 - mmax) // 2 + lmax + 1

    @staticmethod
    def getlmax(size, mmax=None):
        if mmax is None:
            lmax = int((np.sqrt(1 + 8 * size) - 3) / 2)
            return lmax if Alm.getsize(lmax) == size else -1
        lmax = (size - 1 - mmax + mmax * (mmax + 1) // 2) // (mmax + 1)
        return lmax if Alm.getsize(lmax, mmax) == size else -1

    @staticmethod
    def getidx(lmax, l, m):
        return m * (2 * lmax + 1 - m) // 2 + l


def read_map(filename, field=0, nest=False, h=False, hdu=1, dtype=np.float64):
    """The map(s) of a HEALPix FITS file, in RING order unless ``nest`` (converted as healpy
    does); ``field`` an index, a tuple of indices or None for all; with ``h`` also the header
    as a list of (key, value) pairs. Partial maps come back full-sky with UNSEEN."""
    if field is None:
        fields = None
    elif np.ndim(field) == 0:
        fields = [int(field)]
    else:
        fields = [int(f) for f in field]
    maps, header, _names = _tessera.read_map(str(filename), fields, bool(nest), int(hdu))
    maps = [m.astype(dtype, copy=False) for m in maps]
    out = maps[0] if len(maps) == 1 and (field is not None and np.ndim(field) == 0) else np.array(maps)
    return (out, header) if h else out


def write_map(filename, m, nest=False, dtype=None, fits_IDL=True, coord=None, partial=False,
              column_names=None, overwrite=False):
    """Writes map(s) as healpy does (float32 unless ``dtype`` is float64); an existing file is
    an error unless ``overwrite``. Written through a temporary file renamed into place."""
    maps, _single = _as_maps(m)
    float64 = dtype is not None and np.dtype(dtype) == np.float64
    names = None if column_names is None else [str(c) for c in np.atleast_1d(column_names)]
    _tessera.write_map(str(filename), maps, bool(nest), coord, bool(overwrite), names, float64,
                       bool(partial))


def map2alm(maps, lmax=None, mmax=None, iter=3, pol=True, use_weights=False):
    """a_lm of a map (T) or of T, Q, U (T, E, B with ``pol``); UNSEEN pixels count as 0.
    ``use_weights``: HEALPix's ring weights, computed (not read from healpy-data files), for
    nside up to 2048."""
    alms = _tessera.map2alm(_as_maps(maps)[0], lmax, mmax, int(iter), bool(pol),
                            bool(use_weights))
    return alms[0] if len(alms) == 1 else np.array(alms)


def alm2map(alms, nside, lmax=None, mmax=None, pol=True):
    """The map of a_lm (T) or of T, E, B (a T, Q, U map with ``pol``)."""
    alms = np.asarray(alms, dtype=np.complex128)
    single = alms.ndim == 1
    rows = [alms] if single else list(alms)
    size = rows[0].shape[0]
    if lmax is None:
        lmax = Alm.getlmax(size, mmax)
    if mmax is None:
        mmax = lmax if Alm.getsize(lmax) == size else _mmax_of(size, lmax)
    if not pol and not single:
        return np.array([alm2map(a, nside, lmax, mmax, pol=True) for a in rows])
    out = _tessera.alm2map([np.ascontiguousarray(r) for r in rows], int(nside), int(lmax),
                           int(mmax))
    return out[0] if single else np.array(out)


def _mmax_of(size, lmax):
    for mmax in range(lmax + 1):
        if Alm.getsize(lmax, mmax) == size:
            return mmax
    raise ValueError(f"{size} coefficients do not fit lmax {lmax}")


def anafast(map1, map2=None, lmax=None, iter=3, pol=True, use_weights=False):
    """The power spectra of a map (TT, or TT, EE, BB, TE, EB, TB for T, Q, U with ``pol``), or
    the cross spectra of two; one spectrum comes back as a 1-d array, as in healpy.
    ``use_weights``: HEALPix's ring weights, as in :func:`map2alm`."""
    second = None if map2 is None else _as_maps(map2)[0]
    out = _tessera.anafast(_as_maps(map1)[0], second, lmax, int(iter), bool(pol),
                           bool(use_weights))
    return out[0] if out.shape[0] == 1 else out


def smoothing(map_in, fwhm=0.0, sigma=None, pol=True, iter=3, lmax=None, nest=False,
              use_weights=False):
    """The map smoothed by a Gaussian beam of ``fwhm`` (or ``sigma``) radians; UNSEEN pixels
    stay UNSEEN and the ordering is kept."""
    if sigma is not None:
        fwhm = sigma * (2.0 * np.sqrt(2.0 * np.log(2.0)))
    maps, single = _as_maps(map_in)
    out = _tessera.smoothing(maps, float(fwhm), lmax, int(iter), bool(pol), bool(nest),
                             bool(use_weights))
    return out[0] if single else np.array(out)


def gauss_beam(fwhm, lmax=512, pol=False):
    """The Gaussian beam window b_l (T; with ``pol`` the columns T, E, B, TE)."""
    out = _tessera.gauss_beam(float(fwhm), int(lmax), bool(pol))
    return np.array(out).T if pol else out[0]


def pixwin(nside, pol=False, lmax=None):
    """The pixel window function (T; with ``pol`` also P), from tables to nside 2048."""
    out = _tessera.pixwin(int(nside), bool(pol), lmax)
    return tuple(out) if pol else out[0]


def read_cl(filename):
    """The spectra (or beam windows) of a C_l FITS table: one array, or rows."""
    columns = _tessera.read_cl(str(filename))
    rows = [values for _name, values in columns]
    return rows[0] if len(rows) == 1 else np.array(rows)


def write_cl(filename, cl, dtype=None, overwrite=False):
    """Writes spectra as healpy does (rows TT, EE, BB, TE, EB, TB, as many as given)."""
    cl = np.asarray(cl, dtype=np.float64)
    rows = [cl] if cl.ndim == 1 else list(cl)
    _tessera.write_cl(str(filename), [np.ascontiguousarray(r) for r in rows], bool(overwrite))


def read_alm(filename, hdu=1, return_mmax=False):
    """The a_lm of one HDU (healpy's order), with mmax when asked."""
    alm, _lmax, mmax = _tessera.read_alm(str(filename), int(hdu))
    return (alm, mmax) if return_mmax else alm


def write_alm(filename, alms, lmax=-1, mmax=-1, overwrite=False):
    """Writes a_lm (T, or T, E, B) as healpy does, one HDU per set."""
    alms = np.asarray(alms, dtype=np.complex128)
    rows = [alms] if alms.ndim == 1 else list(alms)
    size = rows[0].shape[0]
    lmax_in = Alm.getlmax(size)
    if lmax_in < 0:
        raise ValueError("give a_lm with mmax = lmax (healpy's default layout)")
    lmax = lmax_in if lmax < 0 else lmax
    mmax = lmax if mmax < 0 else mmax
    if (lmax, mmax) != (lmax_in, lmax_in):
        raise ValueError("writing a subset of the a_lm is not supported: resize them first")
    _tessera.write_alm(str(filename), [np.ascontiguousarray(r) for r in rows], lmax, mmax,
                       bool(overwrite))


def rotate_alm(alm, psi=0.0, theta=0.0, phi=0.0, lmax=None, mmax=None, matrix=None):
    """Rotates a_lm in place, as healpy does: by the Euler angles (psi, theta, phi) in radians,
    active ZYZ, or by a 3x3 rotation ``matrix`` (a Rotator's ``mat``). mmax must equal lmax."""
    if not (isinstance(alm, np.ndarray) and alm.dtype == np.complex128):
        raise TypeError("rotate_alm works in place on a complex128 numpy array")
    rows = [alm] if alm.ndim == 1 else list(alm)
    size = rows[0].shape[0]
    lmax = Alm.getlmax(size) if lmax is None else lmax
    if lmax < 0 or Alm.getsize(lmax) != size or (mmax is not None and mmax != lmax):
        raise ValueError("rotate_alm needs a_lm with mmax = lmax")
    m = None if matrix is None else [[float(v) for v in r] for r in np.asarray(matrix)]
    for row in rows:
        row[:] = _tessera.rotate_alm(np.ascontiguousarray(row), int(lmax),
                                     [float(psi), float(theta), float(phi)], m)


def map2alm_lsq(maps, lmax, mmax, pol=True, tol=1e-10, maxiter=20):
    """The least-squares a_lm of a map: (alm, rel_res, n_iter), as healpy's."""
    alms, rel_res, n_iter = _tessera.map2alm_lsq(_as_maps(maps)[0], int(lmax), int(mmax), bool(pol),
                                                 float(tol), int(maxiter))
    return (alms[0] if len(alms) == 1 else np.array(alms)), rel_res, n_iter


def alm2map_spin(alms, nside, spin, lmax, mmax=None):
    """The two maps of a spin-``spin`` field (any spin >= 1) from its gradient and curl a_lm, as
    healpy's (RING order)."""
    alms = [np.ascontiguousarray(np.asarray(a, dtype=np.complex128)) for a in alms]
    if mmax is None:
        mmax = lmax
    return _tessera.alm2map_spin(alms, int(nside), int(spin), int(lmax), int(mmax))


def map2alm_spin(maps, spin, lmax=None, mmax=None):
    """The gradient and curl a_lm of a spin-``spin`` field (any spin >= 1) from its two RING
    maps, as healpy's (quadrature weight 4 pi / npix, no iteration)."""
    maps = [np.ascontiguousarray(np.asarray(m, dtype=np.float64)) for m in maps]
    nside = npix2nside(maps[0].shape[0])
    if lmax is None:
        lmax = 3 * nside - 1
    if mmax is None:
        mmax = lmax
    return _tessera.map2alm_spin(maps, int(spin), int(lmax), int(mmax))


def alm2map_der1(alm, nside, lmax=None, mmax=None):
    """The map of a_lm and its derivatives: rows map, dmap/dtheta, dmap/dphi / sin(theta)."""
    alm = np.ascontiguousarray(np.asarray(alm, dtype=np.complex128))
    size = alm.shape[0]
    if lmax is None:
        lmax = Alm.getlmax(size, mmax)
    if mmax is None:
        mmax = lmax if Alm.getsize(lmax) == size else _mmax_of(size, lmax)
    return np.array(_tessera.alm2map_der1(alm, int(nside), int(lmax), int(mmax)))


def synfast(cls, nside, lmax=None, fwhm=0.0, pixwin=False, pol=True, seed=0):
    """A Gaussian map of the spectra: ``cls`` one array (TT) or four (TT, EE, BB, TE, healpy's
    ``new=True`` order), each from l = 0; T alone, or T, Q, U with ``pol`` and four spectra.
    Reproducible from ``seed`` (Tessera's own generator: the realisation is not healpy's, its
    statistics are)."""
    rows = np.atleast_2d(np.asarray(cls, dtype=np.float64))
    rows = [np.ascontiguousarray(r) for r in rows]
    out = _tessera.synfast(rows, int(nside), lmax, float(fwhm), bool(pixwin), bool(pol),
                           int(seed))
    return out[0] if len(out) == 1 else np.array(out)


def simulate(task, nside, count, seed=0, range=None, noise=0.0, fwhm=0.0, mask=None,
             supersample=4, pixwin=True):
    """``count`` maps of a simulation recipe, as ``tessera sim`` makes them (map ``i`` of
    ``seed`` is the command line's map ``i``), and the parameter drawn for each.

    ``task``: ``"tau"`` (T, Q, U in μK, CAMB spectra on the embedded τ grid) or ``"ellp-t"``,
    ``"ellp-e"``, ``"ellp-b"`` (NNhealpix's peak-spectrum mock). ``noise`` in μK·arcmin per
    Stokes parameter, ``fwhm`` in radians, ``mask`` a RING array at ``nside`` (0 = cut, becomes
    UNSEEN). By default the sky is drawn at 4 × nside with its pixel window and averaged down,
    as real low-resolution maps are made (``supersample=1, pixwin=False``: band-limited maps).
    Returns ``(maps, parameters)``: maps of shape (count, fields, npix), RING.
    """
    if mask is not None:
        mask = np.ascontiguousarray(mask, dtype=np.float64)
    lo_hi = None if range is None else (float(range[0]), float(range[1]))
    maps, parameters = _tessera.simulate(str(task), int(nside), int(count), int(seed), lo_hi,
                                         float(noise), float(fwhm), mask, int(supersample),
                                         bool(pixwin))
    return np.array(maps), parameters


def estimate(maps, task, range=None, noise=0.0, fwhm=0.0, supersample=1, pixwin=True, lmin=2,
             lmax=None, nest=False):
    """The spectrum-likelihood estimate of each map's parameter (``tessera estimate``), the
    baseline networks are compared with: an array of rows (value, sigma, maximum likelihood).

    ``maps``: shape (count, fields, npix) or a list of maps (T, or T, Q, U for the polarised
    tasks; UNSEEN pixels are cut and the model coupled by the mask). ``task`` as in
    :func:`simulate`. How the maps were made: ``noise`` (μK·arcmin per Stokes parameter),
    ``fwhm`` (radians), and their pixels: by default a real map's own pixel window
    (``supersample=1, pixwin=True``); maps from :func:`simulate`'s defaults were drawn at
    ``supersample=4`` and the model then also holds the power folded down. Multipoles
    ``lmin..lmax`` (default 2 nside).
    """
    rows = []
    for m in maps:
        fields, _single = _as_maps(m)
        rows.append(fields)
    lo_hi = None if range is None else (float(range[0]), float(range[1]))
    return _tessera.estimate(rows, str(task), lo_hi, float(noise), float(fwhm), int(supersample),
                             bool(pixwin), int(lmin), lmax, bool(nest))
