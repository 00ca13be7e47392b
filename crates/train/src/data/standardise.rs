//! Z-scores of continuous node attributes, from the training graphs only: a network sees every
//! attribute on the same scale (PROTEINS' and ENZYMES' raw attributes reach the hundreds), and
//! the test graphs are scaled with the training statistics, never their own.

use tessera_gnn::graph::Graph;

/// Per continuous column (the node features from `first_column` on): the training mean and
/// standard deviation.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NodeScaler {
    /// The first continuous column (the one-hot label columns come before it).
    pub first_column: usize,
    /// Mean of each continuous column over the training nodes.
    pub mean: Vec<f64>,
    /// Standard deviation of each continuous column (1 where a column is constant).
    pub scale: Vec<f64>,
}

impl NodeScaler {
    /// The statistics of columns `first_column..` over the nodes of `graphs[idx]`.
    pub fn fit(graphs: &[Graph], idx: &[usize], first_column: usize) -> Self {
        let width = graphs.first().map_or(0, |g| g.features);
        let columns = width.saturating_sub(first_column);
        let (mut sum, mut square, mut n) = (vec![0.0; columns], vec![0.0; columns], 0usize);
        for &i in idx {
            for row in graphs[i].x.chunks_exact(width.max(1)) {
                for (c, &v) in row[first_column..].iter().enumerate() {
                    sum[c] += f64::from(v);
                    square[c] += f64::from(v) * f64::from(v);
                }
                n += 1;
            }
        }
        let n = n.max(1) as f64;
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let scale = square
            .iter()
            .zip(&mean)
            .map(|(q, m)| {
                let sd = (q / n - m * m).max(0.0).sqrt();
                if sd > 1e-12 { sd } else { 1.0 }
            })
            .collect();
        NodeScaler {
            first_column,
            mean,
            scale,
        }
    }

    /// `graph` with its continuous columns standardised.
    pub fn apply(&self, graph: &Graph) -> Graph {
        let mut g = graph.clone();
        if self.mean.is_empty() {
            return g;
        }
        let width = g.features;
        for row in g.x.chunks_exact_mut(width) {
            for (c, v) in row[self.first_column..].iter_mut().enumerate() {
                *v = ((f64::from(*v) - self.mean[c]) / self.scale[c]) as f32;
            }
        }
        g
    }

    /// Every graph of `idx`, standardised, in that order.
    pub fn apply_to(&self, graphs: &[Graph], idx: &[usize]) -> Vec<Graph> {
        idx.iter().map(|&i| self.apply(&graphs[i])).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_statistics_scale_every_graph_and_leave_the_one_hot_columns() {
        // Two columns: a one-hot label, then an attribute of 10, 20 (training) and 40 (test).
        let graph =
            |label: f32, value: f32| Graph::new(1, 2, vec![label, value], Vec::new(), "g").unwrap();
        let graphs = [graph(1.0, 10.0), graph(0.0, 20.0), graph(1.0, 40.0)];
        let scaler = NodeScaler::fit(&graphs, &[0, 1], 1);
        assert_eq!(scaler.mean, [15.0]);
        assert_eq!(scaler.scale, [5.0]);
        let scaled = scaler.apply_to(&graphs, &[0, 1, 2]);
        let values: Vec<[f32; 2]> = scaled.iter().map(|g| [g.x[0], g.x[1]]).collect();
        assert_eq!(values, [[1.0, -1.0], [0.0, 1.0], [1.0, 5.0]]);
        // A constant column is centred, not divided by zero.
        let flat = NodeScaler::fit(&[graph(0.0, 3.0), graph(0.0, 3.0)], &[0, 1], 1);
        assert_eq!(flat.scale, [1.0]);
        assert_eq!(flat.apply(&graph(0.0, 3.0)).x, [0.0, 0.0]);
        // No continuous column: nothing changes.
        let none = NodeScaler::fit(&graphs, &[0], 2);
        assert_eq!(none.apply(&graphs[2]).x, graphs[2].x);
    }
}
