"""Tessera from Python: HEALPix geometry and sky maps with healpy's names, computed in Rust.

    import tessera.healpix as hp      # ang2pix, pix2ang, query_disc, get_all_neighbours, ...
    import tessera.sky as sky         # read_map, write_map, map2alm, alm2map, anafast, ...

Maps are numpy arrays in memory; nothing goes through files or subprocesses.
"""
from . import healpix, sky

__all__ = ["healpix", "sky"]
__version__ = "0.1.0"
