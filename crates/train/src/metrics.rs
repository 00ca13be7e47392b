//! Scores of predictions against the truth: accuracy, confusion matrix and per-class recall for
//! classes; MSE, RMSE, bias and spread of the residuals for parameters.

/// How well classes were predicted.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClassMetrics {
    /// Fraction predicted right.
    pub accuracy: f64,
    /// `confusion[true][predicted]` counts.
    pub confusion: Vec<Vec<u64>>,
    /// Per true class, the fraction predicted right (NaN for a class with no sample).
    pub recall: Vec<f64>,
}

impl ClassMetrics {
    /// The metrics of `predicted` against `truth` (class indices below `classes`; others are
    /// ignored by the confusion matrix and count as wrong).
    pub fn new(truth: &[usize], predicted: &[usize], classes: usize) -> Self {
        let mut confusion = vec![vec![0u64; classes]; classes];
        for (&t, &p) in truth.iter().zip(predicted) {
            if t < classes && p < classes {
                confusion[t][p] += 1;
            }
        }
        let right = truth.iter().zip(predicted).filter(|(t, p)| t == p).count();
        ClassMetrics {
            accuracy: right as f64 / truth.len().max(1) as f64,
            recall: recall_per_class(&confusion),
            confusion,
        }
    }
}

/// Per true class of `confusion[true][predicted]`, the fraction predicted right (NaN for a
/// class with no sample).
pub fn recall_per_class(confusion: &[Vec<u64>]) -> Vec<f64> {
    confusion
        .iter()
        .enumerate()
        .map(|(c, row)| row[c] as f64 / row.iter().sum::<u64>() as f64)
        .collect()
}

/// The index of the largest value of each row (the predicted class of each sample's
/// probabilities or scores; 0 for an empty row).
pub fn argmax(rows: &[Vec<f64>]) -> Vec<usize> {
    rows.iter()
        .map(|p| {
            (0..p.len())
                .max_by(|&a, &b| p[a].total_cmp(&p[b]))
                .unwrap_or(0)
        })
        .collect()
}

/// The mean and the (population) standard deviation of `values` (NaN for none).
pub fn mean_and_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    (mean, sd)
}

/// Residuals (estimate − truth) of one parameter, summarised.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RegressionMetrics {
    /// Number of estimates.
    pub count: usize,
    /// Mean squared residual.
    pub mse: f64,
    /// Its square root.
    pub rmse: f64,
    /// Mean residual.
    pub bias: f64,
    /// Standard deviation of the residuals (population).
    pub sd: f64,
}

impl RegressionMetrics {
    /// The metrics of `estimate` against `truth` (pairs with a non-finite value are skipped).
    pub fn new(truth: &[f64], estimate: &[f64]) -> Self {
        let r: Vec<f64> = truth
            .iter()
            .zip(estimate)
            .map(|(t, e)| e - t)
            .filter(|r| r.is_finite())
            .collect();
        let n = r.len().max(1) as f64;
        let bias = r.iter().sum::<f64>() / n;
        let mse = r.iter().map(|x| x * x).sum::<f64>() / n;
        let sd = (r.iter().map(|x| (x - bias).powi(2)).sum::<f64>() / n).sqrt();
        RegressionMetrics {
            count: r.len(),
            mse,
            rmse: mse.sqrt(),
            bias,
            sd,
        }
    }
}

/// The ratio of two estimators' RMS errors on the same maps, `RMSE(a) / RMSE(b)`, and its
/// bootstrap standard deviation: the maps resampled with replacement `resamples` times (from
/// `seed`, so the figure reproduces), each estimator scored on the same resample.
///
/// # Panics
/// When the three slices differ in length.
pub fn rmse_ratio_bootstrap(
    truth: &[f64],
    a: &[f64],
    b: &[f64],
    resamples: usize,
    seed: u64,
) -> (f64, f64) {
    use rand::{RngExt, SeedableRng};
    assert!(
        truth.len() == a.len() && a.len() == b.len(),
        "one estimate per map"
    );
    let sq =
        |e: &[f64]| -> Vec<f64> { truth.iter().zip(e).map(|(t, e)| (e - t).powi(2)).collect() };
    let (sa, sb) = (sq(a), sq(b));
    let ratio = |idx: &mut dyn Iterator<Item = usize>| {
        let (mut x, mut y) = (0.0, 0.0);
        for i in idx {
            x += sa[i];
            y += sb[i];
        }
        (x / y).sqrt()
    };
    let n = truth.len();
    let full = ratio(&mut (0..n));
    if n < 2 || resamples < 2 {
        return (full, f64::NAN);
    }
    let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
    let draws: Vec<f64> = (0..resamples)
        .map(|_| {
            let picks: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            ratio(&mut picks.into_iter())
        })
        .collect();
    let mean = draws.iter().sum::<f64>() / resamples as f64;
    let var = draws.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (resamples - 1) as f64;
    (full, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_metrics_by_hand() {
        let m = ClassMetrics::new(&[0, 0, 1, 1, 2], &[0, 1, 1, 1, 0], 3);
        assert_eq!(m.accuracy, 0.6);
        assert_eq!(m.confusion, [[1, 1, 0], [0, 2, 0], [1, 0, 0]]);
        assert_eq!(m.recall, [0.5, 1.0, 0.0]);
        assert!(ClassMetrics::new(&[0], &[0], 2).recall[1].is_nan());
    }

    /// The ratio is exact on all the maps; its bootstrap spread shrinks as 1/√n (a fixed
    /// error pattern repeated 16 times spreads about 4 times less) and reproduces from its seed.
    #[test]
    fn the_rmse_ratio_and_its_bootstrap_spread() {
        let truth = vec![0.0; 8];
        let a = vec![1.0, -2.0, 0.5, 3.0, -1.0, 0.0, 2.0, -0.5];
        let b = vec![1.0; 8];
        let (r, sd) = rmse_ratio_bootstrap(&truth, &a, &b, 2000, 1);
        let want = (a.iter().map(|x| x * x).sum::<f64>() / 8.0).sqrt();
        assert!((r - want).abs() < 1e-12);
        assert!(sd > 0.05 && sd < 0.6, "{sd}");
        assert_eq!(rmse_ratio_bootstrap(&truth, &a, &b, 2000, 1).1, sd);
        let rep = |v: &[f64]| v.repeat(16);
        let (_, sd16) = rmse_ratio_bootstrap(&rep(&truth), &rep(&a), &rep(&b), 2000, 1);
        assert!((sd / sd16 - 4.0).abs() < 1.0, "{sd} vs {sd16}");
    }

    #[test]
    fn regression_metrics_by_hand() {
        let m = RegressionMetrics::new(&[1.0, 2.0, 3.0, 4.0], &[2.0, 2.0, 2.0, f64::NAN]);
        assert_eq!(m.count, 3);
        assert!((m.bias - 0.0).abs() < 1e-15);
        assert!((m.mse - 2.0 / 3.0).abs() < 1e-15);
        assert!((m.rmse - (2.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert!((m.sd - (2.0f64 / 3.0).sqrt()).abs() < 1e-15);
    }
}
