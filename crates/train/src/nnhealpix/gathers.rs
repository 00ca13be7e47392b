//! NNhealpix's gathers checked against the HEALPix geometry: the 9-pixel stencil of every RING
//! pixel, and the 4 children of every coarse RING pixel.

use std::path::Path;

use tessera_healpix::Healpix;

use super::keras::bad;
use crate::error::{Result, TrainError};

/// Tessera's stencil of every RING pixel at `nside`, slots SW, W, NW, N, C, NE, E, SE, S,
/// −1 for a missing neighbour.
fn ring_stencils(nside: u64) -> Result<Vec<[i64; 9]>> {
    let ring = Healpix::ring(nside).map_err(tessera_sky::SkyError::from)?;
    (0..ring.npix())
        .map(|p| {
            let nb = ring
                .neighbours(p)
                .map_err(tessera_sky::SkyError::from)?
                .to_healpy();
            Ok([
                nb[0], nb[1], nb[2], nb[3], p as i64, nb[4], nb[5], nb[6], nb[7],
            ])
        })
        .collect()
}

/// For each slot of a stencil gather, the Tessera slot it holds, checked at every pixel.
pub(super) fn stencil_slots(
    path: &Path,
    name: &str,
    indices: &[i64],
    nside: u64,
) -> Result<[usize; 9]> {
    let stencils = ring_stencils(nside)?;
    let npix = stencils.len() as i64;
    if indices.len() != 9 * stencils.len() {
        return Err(bad(
            path,
            format!(
                "OrderMap layer {name}: {} indices, not the 9 × {npix} of a stencil at nside \
                 {nside}",
                indices.len()
            ),
        ));
    }
    // Keras appends one zero pixel (index npix); numpy-style −1 reads it too.
    let missing = |i: i64| if i == npix { -1 } else { i };
    let mut slots = [usize::MAX; 9];
    for k in 0..9 {
        slots[k] = (0..9)
            .filter(|s| !slots[..k].contains(s))
            .find(|&s| {
                stencils
                    .iter()
                    .enumerate()
                    .all(|(p, st)| missing(indices[9 * p + k]) == st[s])
            })
            .ok_or_else(|| {
                bad(
                    path,
                    format!(
                        "OrderMap layer {name}: slot {k} does not hold one neighbour direction \
                         of every RING pixel at nside {nside} (not NNhealpix's stencil)"
                    ),
                )
            })?;
    }
    Ok(slots)
}

/// Checks that a pooling gather holds the 4 children of every coarse RING pixel.
pub(super) fn check_children(path: &Path, name: &str, indices: &[i64], nside: u64) -> Result<()> {
    let sky = |e| TrainError::from(tessera_sky::SkyError::from(e));
    let (fine, coarse) = (
        Healpix::ring(nside).map_err(sky)?,
        Healpix::ring(nside / 2).map_err(sky)?,
    );
    let n = coarse.npix() as usize;
    if indices.len() != 4 * n {
        return Err(bad(
            path,
            format!(
                "OrderMap layer {name}: {} indices, not the 4 × {n} children of nside {}",
                indices.len(),
                nside / 2
            ),
        ));
    }
    for j in 0..n {
        let parent = coarse.ring2nest(j as u64).map_err(sky)?;
        let mut want = (0..4)
            .map(|k| fine.nest2ring(4 * parent + k).map(|p| p as i64))
            .collect::<std::result::Result<Vec<i64>, _>>()
            .map_err(sky)?;
        let mut got = indices[4 * j..4 * j + 4].to_vec();
        want.sort_unstable();
        got.sort_unstable();
        if got != want {
            return Err(bad(
                path,
                format!(
                    "OrderMap layer {name}: group {j} is {got:?}, not the children {want:?} of \
                     RING pixel {j} at nside {} (not NNhealpix's degrading)",
                    nside / 2
                ),
            ));
        }
    }
    Ok(())
}
