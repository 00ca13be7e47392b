//! Weight averaging (stochastic weight averaging, Izmailov et al., UAI 2018): the network kept at
//! the end of training is the mean of its weights at the ends of the last epochs, rather than
//! the weights of the last step. On small test sets (52 MSB meshes, 60 cube meshes) the last
//! step's accuracy swings by several meshes from one epoch to the next; the mean of the
//! late weights lies in the middle of the region the late epochs wander over.
//!
//! Works for any burn [`Module`]: every float parameter is averaged, integer and boolean state
//! is left as it is. Batch-normalisation running statistics are averaged like weights (SWA
//! proper re-estimates them with a pass over the training data; the networks trained here
//! normalise with GroupNorm/LayerNorm except the residual PD-MeshNet blocks). Add snapshots of
//! `model.valid()`: running statistics are brought up to date there, not in the training
//! module (a test caught the difference).

use burn::module::{ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::TensorData;

/// Running sums of a network's float parameters over the snapshots added so far.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct WeightAverage {
    /// Per float parameter, in the module's visiting order: the sum of its values.
    sums: Vec<Vec<f64>>,
    /// Snapshots added.
    count: usize,
}

/// Collects every float parameter's values in visiting order.
struct Collect(Vec<Vec<f64>>);

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let data = param.val().into_data().convert::<f64>();
        self.0.push(data.iter::<f64>().collect());
    }
}

/// Replaces every float parameter, in visiting order, by `sums / count`.
struct Replace<'a> {
    average: &'a WeightAverage,
    next: usize,
}

impl ModuleMapper for Replace<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let sums = &self.average.sums[self.next];
        self.next += 1;
        let n = self.average.count as f64;
        param.map(|tensor| {
            let dtype = tensor.dtype();
            let values: Vec<f64> = sums.iter().map(|s| s / n).collect();
            let data = TensorData::new(values, tensor.shape()).convert_dtype(dtype);
            Tensor::from_data(data, &tensor.device())
        })
    }
}

impl WeightAverage {
    /// An empty average.
    pub fn new() -> Self {
        Self::default()
    }

    /// Snapshots added so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Adds the current weights of `model` (the same architecture every time; pass
    /// `net.valid()` of a training network, see the module documentation).
    ///
    /// # Panics
    /// When `model` has other parameters than the snapshots before it (a programming error).
    pub fn add<M: Module>(&mut self, model: &M) {
        let mut collect = Collect(Vec::new());
        model.visit(&mut collect);
        if self.count == 0 {
            self.sums = collect.0;
        } else {
            assert_eq!(self.sums.len(), collect.0.len(), "same architecture");
            for (sum, values) in self.sums.iter_mut().zip(collect.0) {
                assert_eq!(sum.len(), values.len(), "same parameter shapes");
                sum.iter_mut().zip(values).for_each(|(s, v)| *s += v);
            }
        }
        self.count += 1;
    }

    /// `model` with every float parameter replaced by its average (unchanged when nothing was
    /// added).
    pub fn apply<M: Module>(&self, model: M) -> M {
        if self.count == 0 {
            return model;
        }
        model.map(&mut Replace {
            average: self,
            next: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use burn::nn::{Linear, LinearConfig};

    use super::*;

    fn weights(layer: &Linear) -> Vec<f32> {
        layer.weight.val().into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn the_average_of_snapshots_is_their_mean() {
        let device = Default::default();
        let a = LinearConfig::new(3, 2).init(&device);
        let b = LinearConfig::new(3, 2).init(&device);
        let mut average = WeightAverage::new();
        assert_eq!(weights(&average.apply(a.clone())), weights(&a));
        average.add(&a);
        average.add(&b);
        assert_eq!(average.count(), 2);
        let mean = average.apply(a.clone());
        let (wa, wb, wm) = (weights(&a), weights(&b), weights(&mean));
        assert_ne!(wa, wb);
        for ((x, y), m) in wa.iter().zip(&wb).zip(&wm) {
            assert!((0.5 * (x + y) - m).abs() < 1e-6, "{x} {y} {m}");
        }
        let bias = |l: &Linear| {
            l.bias
                .as_ref()
                .unwrap()
                .val()
                .into_data()
                .try_to_vec::<f32>()
        };
        let (ba, bb, bm) = (bias(&a).unwrap(), bias(&b).unwrap(), bias(&mean).unwrap());
        for ((x, y), m) in ba.iter().zip(&bb).zip(&bm) {
            assert!((0.5 * (x + y) - m).abs() < 1e-6);
        }
    }
}
