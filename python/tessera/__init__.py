"""Tessera from Python: HEALPix geometry and sky maps with healpy's names, computed in Rust.

    import tessera.healpix as hp      # ang2pix, pix2ang, query_disc, get_all_neighbours, ...
    import tessera.sky as sky         # read_map, write_map, map2alm, alm2map, anafast, ...
    import tessera.mesh as tm         # read_mesh, clean, primal_dual
    import tessera.models as models   # SphereModel(run_dir).predict(maps), import_nnhealpix

Maps are numpy arrays in memory; nothing goes through files or subprocesses.
"""
from . import healpix, mesh, models, sky

__all__ = ["healpix", "mesh", "models", "sky"]
__version__ = "0.1.0"
