//! Deterministic scatter and segment reductions: sums with `select_assign` (gradient: gather),
//! maxima and softmax through a padded `[segments, longest]` gather (gradients exact).

use burn::prelude::*;
use burn::tensor::IndexingUpdateOp;

/// Rows grouped into segments (edges by target node, nodes by graph), with everything the
/// reductions need precomputed on the CPU.
#[derive(Clone, Debug)]
pub struct Segments {
    /// Segment of each row `[R]`.
    pub index: Tensor<1, Int>,
    /// Rows per segment, at least 1 (to divide by) `[S, 1]`.
    pub counts: Tensor<2>,
    /// `[S, longest]` row indices, padded with `R` (a row the reductions add).
    pub padded: Tensor<2, Int>,
    /// `[S, longest]` 1 where `padded` is a real row.
    pub present: Tensor<2>,
    /// Number of segments.
    pub num_segments: usize,
    /// Number of rows.
    pub num_rows: usize,
    /// Whether each segment has at least one row `[S, 1]` (1 or 0).
    pub nonempty: Tensor<2>,
}

impl Segments {
    /// Segments from the segment id of each row (ids `< num_segments`).
    pub fn new(segment_of: &[u32], num_segments: usize, device: &Device) -> Self {
        let rows = segment_of.len();
        let mut members: Vec<Vec<i64>> = vec![Vec::new(); num_segments];
        for (r, &s) in segment_of.iter().enumerate() {
            members[s as usize].push(r as i64);
        }
        let longest = members.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut padded = Vec::with_capacity(num_segments * longest);
        let mut present = Vec::with_capacity(num_segments * longest);
        for m in &members {
            for k in 0..longest {
                padded.push(m.get(k).copied().unwrap_or(rows as i64));
                present.push(if k < m.len() { 1.0f32 } else { 0.0 });
            }
        }
        let counts: Vec<f32> = members.iter().map(|m| m.len().max(1) as f32).collect();
        let nonempty: Vec<f32> = members
            .iter()
            .map(|m| if m.is_empty() { 0.0 } else { 1.0 })
            .collect();
        let index: Vec<i64> = segment_of.iter().map(|&s| s as i64).collect();
        Segments {
            index: Tensor::from_data(TensorData::new(index, [rows]), device),
            counts: Tensor::from_data(TensorData::new(counts, [num_segments, 1]), device),
            padded: Tensor::from_data(TensorData::new(padded, [num_segments, longest]), device),
            present: Tensor::from_data(TensorData::new(present, [num_segments, longest]), device),
            num_segments,
            num_rows: rows,
            nonempty: Tensor::from_data(TensorData::new(nonempty, [num_segments, 1]), device),
        }
    }

    /// `[S, longest, F]` rows gathered per segment, padding rows filled with `fill`.
    fn gather_padded(&self, values: Tensor<2>, fill: f32) -> Tensor<3> {
        let [_, f] = values.dims();
        let [s, longest] = self.padded.dims();
        let pad = Tensor::<2>::full([1, f], fill, &values.device());
        Tensor::cat(vec![values, pad], 0)
            .select(0, self.padded.clone().reshape([s * longest]))
            .reshape([s, longest, f])
    }
}

/// Rows `index` of a per-head tensor, gathered through its `[N, H·C]` view: the gradient of a
/// 2-D select is added back row by row, where burn-flex adds that of a 3-D select element by
/// element (a third of PD-MeshNet's training time went there).
///
/// # Shapes
/// `values: [N, H, C]`, `index: [E]` → `[E, H, C]`.
pub(crate) fn select_heads(values: Tensor<3>, index: Tensor<1, Int>) -> Tensor<3> {
    let [n, h, c] = values.dims();
    let e = index.dims()[0];
    values
        .reshape([n, h * c])
        .select(0, index)
        .reshape([e, h, c])
}

/// Sum of the rows of each segment: `out[s] = Σ_{r: index[r] = s} values[r]`.
///
/// # Shapes
/// `values: [R, F]` → `[S, F]`.
pub fn scatter_sum(values: Tensor<2>, seg: &Segments) -> Tensor<2> {
    let [_, f] = values.dims();
    Tensor::zeros([seg.num_segments, f], &values.device()).select_assign(
        0,
        seg.index.clone(),
        values,
        IndexingUpdateOp::Add,
    )
}

/// Mean of the rows of each segment (0 for an empty segment).
///
/// # Shapes
/// `values: [R, F]` → `[S, F]`.
pub fn scatter_mean(values: Tensor<2>, seg: &Segments) -> Tensor<2> {
    scatter_sum(values, seg) / seg.counts.clone()
}

/// Maximum of the rows of each segment (0 for an empty segment); the gradient goes to the
/// maximal row.
///
/// # Shapes
/// `values: [R, F]` → `[S, F]`.
pub fn scatter_max(values: Tensor<2>, seg: &Segments) -> Tensor<2> {
    let [_, f] = values.dims();
    let max = seg
        .gather_padded(values, f32::NEG_INFINITY)
        .max_dim(1)
        .reshape([seg.num_segments, f]);
    // Empty segments hold −inf: replace by 0 without touching the gradient of the others.
    let empty = seg
        .nonempty
        .clone()
        .equal_elem(0.0)
        .expand([seg.num_segments, f]);
    max.mask_fill(empty, 0.0)
}

/// Softmax of per-row logits within each segment (each head separately): the attention
/// weights of neighbourhoods. Stable: the segment maximum is subtracted first.
///
/// # Shapes
/// `logits: [R, H]` → `[R, H]`.
pub fn segment_softmax(logits: Tensor<2>, seg: &Segments) -> Tensor<2> {
    let max = scatter_max(logits.clone(), seg).detach();
    let shifted = (logits - max.select(0, seg.index.clone())).exp();
    let denom = scatter_sum(shifted.clone(), seg).select(0, seg.index.clone());
    shifted / denom
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_heads_equals_the_three_dimensional_select_in_value_and_gradient() {
        let device = Device::flex().autodiff();
        let data: Vec<f32> = (0..24).map(|v| v as f32 * 0.5 - 3.0).collect();
        let values = || {
            Tensor::<3>::from_data(TensorData::new(data.clone(), [4, 2, 3]), &device).require_grad()
        };
        let index = Tensor::<1, Int>::from_data(TensorData::new(vec![3i64, 0, 3, 1], [4]), &device);
        let weights = Tensor::<3>::from_data(
            TensorData::new((0..24).map(|v| v as f32).collect::<Vec<_>>(), [4, 2, 3]),
            &device,
        );
        let (a, b) = (values(), values());
        let ours = select_heads(a.clone(), index.clone());
        let theirs = b.clone().select(0, index);
        assert_eq!(
            ours.clone().into_data().try_to_vec::<f32>().unwrap(),
            theirs.clone().into_data().try_to_vec::<f32>().unwrap()
        );
        let ga = (ours * weights.clone()).sum().backward();
        let gb = (theirs * weights).sum().backward();
        let grad = |t: &Tensor<3>, g| t.grad(g).unwrap().into_data().try_to_vec::<f32>().unwrap();
        let (ga, gb) = (grad(&a, &ga), grad(&b, &gb));
        assert_eq!(ga, gb);
        // Row 3 was selected twice: its gradient is the sum of two weight rows.
        assert_eq!(ga[18], 0.0 + 12.0);
    }
}
