//! Any graph layer on batches of maps over fixed tiles — HEALPix pixels at one nside, the faces
//! of one mesh: [`TileConv`]. The neighbourhoods of a batch of `B` maps (`B` copies of the
//! tiles, block-diagonal) are built once per batch size and device, and kept.

use std::sync::{Arc, Mutex};

use burn::prelude::*;

use super::{GraphLayer, GraphLayerConfig};
use crate::error::Result;
use crate::graph::{DeviceBatch, Graph, Tiles};

/// The neighbourhoods of batches of maps over one set of tiles, kept per batch size and device.
#[derive(Clone, Debug)]
pub struct TileNeighbourhoods {
    /// One copy of the tiles, without features.
    one: Arc<Graph>,
    kept: Arc<Mutex<Vec<(usize, Device, DeviceBatch)>>>,
}

/// Batch sizes kept at once (training, its last partial batch, evaluation, …).
const KEPT: usize = 4;

impl TileNeighbourhoods {
    /// The neighbourhoods of `tiles`.
    ///
    /// # Errors
    /// Neighbour edges that name a tile out of range.
    pub fn new(tiles: &impl Tiles) -> Result<Self> {
        Ok(TileNeighbourhoods {
            one: Arc::new(tiles.graph(1, vec![0.0; tiles.tile_count()])?),
            kept: Arc::default(),
        })
    }

    /// Tiles per map.
    pub fn tiles(&self) -> usize {
        self.one.tile_count()
    }

    /// `copies` block-diagonal copies on `device`.
    fn batch(&self, copies: usize, device: &Device) -> DeviceBatch {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, _, b)) = kept.iter().find(|(c, d, _)| *c == copies && d == device) {
            return b.clone();
        }
        let batch = self
            .one
            .batch(copies)
            .expect("copies of one valid graph batch")
            .to_device(device);
        if kept.len() == KEPT {
            kept.remove(0);
        }
        kept.push((copies, device.clone(), batch.clone()));
        batch
    }
}

/// A graph layer applied to every map of a batch over the same tiles.
#[derive(Module, Debug)]
pub struct TileConv {
    layer: GraphLayer,
    #[module(skip)]
    neighbourhoods: TileNeighbourhoods,
}

impl GraphLayerConfig {
    /// The layer on maps over `tiles`.
    ///
    /// # Errors
    /// Neighbour edges that name a tile out of range.
    pub fn init_on_tiles(&self, tiles: &impl Tiles, device: &Device) -> Result<TileConv> {
        Ok(TileConv {
            layer: self.init(device),
            neighbourhoods: TileNeighbourhoods::new(tiles)?,
        })
    }
}

impl TileConv {
    /// # Shapes
    /// `x: [B, tiles, d_input]` → `[B, tiles, d_output]`.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, n, c] = x.dims();
        let g = self.neighbourhoods.batch(b, &x.device());
        let h = self.layer.forward(x.reshape([b * n, c]), &g);
        let out = h.dims()[1];
        h.reshape([b, n, out])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conv::GraphLayerKind;
    use crate::graph::HealpixTiles;

    #[test]
    fn every_graph_layer_runs_on_healpix_maps_map_by_map() {
        let device = Device::flex();
        let tiles = HealpixTiles::new(2).unwrap();
        let n = tiles.tile_count();
        let values: Vec<f32> = (0..2 * n * 3)
            .map(|i| ((i * 7) % 11) as f32 / 11.0)
            .collect();
        let maps = Tensor::<3>::from_data(TensorData::new(values.clone(), [2, n, 3]), &device);
        for kind in GraphLayerKind::ALL {
            let conv = GraphLayerConfig::new(kind, 3, 5)
                .init_on_tiles(&tiles, &device)
                .unwrap();
            let out = conv.forward(maps.clone());
            assert_eq!(out.dims(), [2, n, 5], "{kind:?}");
            // The second map's output is the layer on the second map alone.
            let second = Tensor::<3>::from_data(
                TensorData::new(values[n * 3..].to_vec(), [1, n, 3]),
                &device,
            );
            let alone = conv
                .forward(second)
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
            let batched = out.into_data().try_to_vec::<f32>().unwrap();
            for (a, b) in alone.iter().zip(&batched[n * 5..]) {
                assert!((a - b).abs() < 1e-5, "{kind:?}: {a} vs {b}");
            }
        }
    }
}
