//! Stratified k-fold cross-validation splits.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;

/// `k` folds of indices into `labels`, each class spread evenly over the folds (shuffled with
/// `seed`); fold `i` is the test set of split `i`.
pub fn stratified_folds(labels: &[usize], k: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let classes = labels.iter().max().map_or(0, |m| m + 1);
    let k = k.max(1);
    let mut folds = vec![Vec::new(); k];
    let mut next = 0;
    for c in 0..classes {
        let mut members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c).collect();
        members.shuffle(&mut rng);
        for m in members {
            folds[next % k].push(m);
            next += 1;
        }
    }
    for f in folds.iter_mut() {
        f.sort_unstable();
    }
    folds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_partition_and_stratify() {
        let labels: Vec<usize> = (0..103).map(|i| usize::from(i % 3 == 0)).collect();
        let folds = stratified_folds(&labels, 10, 7);
        let mut all: Vec<usize> = folds.concat();
        all.sort_unstable();
        assert_eq!(all, (0..103).collect::<Vec<_>>());
        for f in &folds {
            let ones = f.iter().filter(|&&i| labels[i] == 1).count();
            assert!((3..=4).contains(&ones), "{ones}");
        }
        assert_eq!(folds, stratified_folds(&labels, 10, 7));
    }
}
