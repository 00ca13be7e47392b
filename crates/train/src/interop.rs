//! Map sets, predictions and confusion matrices as `ndarray` arrays (feature `ndarray`).

use ndarray::{Array2, ArrayView3};

use crate::data::MapSet;
use crate::metrics::ClassMetrics;
use crate::sphere::Predictions;

impl MapSet {
    /// The maps as a `maps × pixels × channels` view (NESTED pixels), without a copy.
    pub fn maps_view(&self) -> ArrayView3<'_, f32> {
        let npix = (12 * self.nside * self.nside) as usize;
        ArrayView3::from_shape((self.len(), npix, self.channels), &self.maps)
            .expect("maps of npix × channels values")
    }
}

impl Predictions {
    /// The outputs as a `maps × outputs` array.
    pub fn outputs_array(&self) -> Array2<f64> {
        let width = self.outputs.first().map_or(0, Vec::len);
        let values: Vec<f64> = self.outputs.iter().flatten().copied().collect();
        Array2::from_shape_vec((self.outputs.len(), width), values)
            .expect("every map has the same number of outputs")
    }
}

impl ClassMetrics {
    /// `confusion[[true, predicted]]` as a `classes × classes` array.
    pub fn confusion_array(&self) -> Array2<u64> {
        let classes = self.confusion.len();
        let values: Vec<u64> = self.confusion.iter().flatten().copied().collect();
        Array2::from_shape_vec((classes, classes), values).expect("a square matrix")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::MapTargets;

    #[test]
    fn sets_predictions_and_confusion_as_arrays() {
        let set = MapSet {
            nside: 1,
            channels: 2,
            maps: (0..48).map(|v| v as f32).collect(),
            targets: MapTargets::Values {
                values: vec![0.0, 1.0],
                names: vec!["tau".into()],
            },
            ids: vec!["a".into(), "b".into()],
        };
        let view = set.maps_view();
        assert_eq!(view.dim(), (2, 12, 2));
        assert_eq!(view[[1, 3, 1]], (24 + 3 * 2 + 1) as f32);
        let p = Predictions {
            outputs: vec![vec![0.1, 0.9], vec![0.8, 0.2]],
            loss: 0.0,
        };
        assert_eq!(p.outputs_array()[[1, 0]], 0.8);
        let m = ClassMetrics::new(&[0, 1, 1], &[0, 1, 0], 2);
        assert_eq!(m.confusion_array(), ndarray::arr2(&[[1, 0], [1, 1]]));
    }
}
