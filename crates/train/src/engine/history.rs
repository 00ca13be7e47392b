//! The per-epoch record of a run, and the files a person reads it from: `history.csv` and the
//! loss and metric curves. Every task's run keeps this one record.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::plots::{plot_curves_against, plot_metric_curve};

/// The per-epoch record of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "StoredHistory")]
pub struct History {
    /// Mean training loss of each epoch.
    pub train_loss: Vec<f64>,
    /// Loss on the validation split after each epoch (empty without one).
    pub validation_loss: Vec<f64>,
    /// Accuracy on the validation split after each epoch, for class outputs (empty without a
    /// validation split or for value outputs).
    pub validation_accuracy: Vec<f64>,
    /// The task's monitor after each epoch ([`super::Task::monitor`]).
    pub monitor: Vec<Vec<f64>>,
    /// The names of the monitor's figures ([`super::Task::monitor_names`]).
    pub monitor_names: Vec<String>,
    /// Seconds of training steps in each epoch.
    pub seconds: Vec<f64>,
    /// The epoch (from 0) whose weights were kept, when early stopping was on.
    pub best_epoch: Option<usize>,
}

impl History {
    /// Epochs recorded.
    pub fn epochs(&self) -> usize {
        self.train_loss.len()
    }

    /// The monitor figure `name` after each epoch (empty when the task records no such
    /// figure).
    pub fn monitored(&self, name: &str) -> Vec<f64> {
        match self.monitor_names.iter().position(|n| n == name) {
            Some(k) => self.monitor_column(k),
            None => Vec::new(),
        }
    }

    /// The monitor's figure `k` after each epoch (NaN where an epoch lacks it).
    fn monitor_column(&self, k: usize) -> Vec<f64> {
        self.monitor
            .iter()
            .map(|m| m.get(k).copied().unwrap_or(f64::NAN))
            .collect()
    }

    /// Mean seconds of training steps per epoch (0 with no epoch).
    pub fn mean_seconds(&self) -> f64 {
        self.seconds.iter().sum::<f64>() / self.seconds.len().max(1) as f64
    }

    /// Calls the monitor figure `from` `to` (nothing when there is no `from`, or already a
    /// `to`): for records written before a figure was renamed.
    pub fn rename_monitor(&mut self, from: &str, to: &str) {
        if self.monitor_names.iter().any(|n| n == to) {
            return;
        }
        if let Some(name) = self.monitor_names.iter_mut().find(|n| *n == from) {
            *name = to.to_string();
        }
    }

    /// The last epoch's monitor figure `name` (NaN when there is none).
    pub fn last_monitored(&self, name: &str) -> f64 {
        self.monitored(name).last().copied().unwrap_or(f64::NAN)
    }

    /// `history.csv`: one row per epoch with the training loss, the validation loss and
    /// accuracy where recorded, the monitor's figures under their names, and the seconds;
    /// written through a temporary file renamed into place.
    ///
    /// # Errors
    /// [`crate::TrainError::Io`] when the file cannot be written.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        let columns = self.columns();
        let mut csv = String::from("epoch");
        for (name, _) in &columns {
            csv.push(',');
            csv.push_str(name);
        }
        csv.push_str(",seconds\n");
        for e in 0..self.epochs() {
            csv.push_str(&(e + 1).to_string());
            for (_, values) in &columns {
                csv.push(',');
                if let Some(v) = values.get(e) {
                    csv.push_str(&v.to_string());
                }
            }
            let seconds = self.seconds.get(e).copied().unwrap_or(f64::NAN);
            csv.push_str(&format!(",{seconds:.3}\n"));
        }
        crate::run_folder::write_text(path, &csv)
    }

    /// The named per-epoch columns of `history.csv` (without the epoch and the seconds).
    fn columns(&self) -> Vec<(String, Vec<f64>)> {
        let mut columns = vec![("train_loss".to_string(), self.train_loss.clone())];
        if !self.validation_loss.is_empty() {
            columns.push(("validation_loss".into(), self.validation_loss.clone()));
        }
        if !self.validation_accuracy.is_empty() {
            columns.push((
                "validation_accuracy".into(),
                self.validation_accuracy.clone(),
            ));
        }
        for (k, name) in self.monitor_names.iter().enumerate() {
            columns.push((name.clone(), self.monitor_column(k)));
        }
        columns
    }

    /// `loss.png`: the training loss of each epoch, the validation loss where recorded, and
    /// `also` (a test loss the task monitored, say), under `title` with the loss named
    /// `loss_name` on the y axis.
    ///
    /// # Errors
    /// A file that cannot be written.
    pub fn plot_loss(
        &self,
        also: &[(&str, Vec<f64>)],
        path: &Path,
        title: &str,
        loss_name: &str,
    ) -> Result<()> {
        let mut curves = vec![("training".to_string(), self.train_loss.clone())];
        if !self.validation_loss.is_empty() {
            curves.push(("validation".into(), self.validation_loss.clone()));
        }
        curves.extend(also.iter().map(|(n, v)| (n.to_string(), v.clone())));
        plot_curves_against(&curves, None, path, title, loss_name)
    }

    /// The monitor figure `name` after each epoch, on log axes, beside a `reference` line
    /// (the likelihood's RMSE, say). A figure that is never positive (0 % accuracy
    /// throughout) gets no picture, as log axes cannot show it; nor does a task that records
    /// no such figure.
    ///
    /// # Errors
    /// A file that cannot be written.
    pub fn plot_monitored(
        &self,
        name: &str,
        reference: Option<(&str, f64)>,
        path: &Path,
        title: &str,
        y_desc: &str,
    ) -> Result<()> {
        plot_metric_curve(&self.monitored(name), reference, path, title, y_desc)
    }
}

/// A history as run folders and checkpoints store it, including those written before the one
/// record: sphere runs kept `test_loss` and `test_metric`, mesh runs `test_accuracy`.
#[derive(Deserialize)]
struct StoredHistory {
    train_loss: Vec<f64>,
    #[serde(default)]
    validation_loss: Vec<f64>,
    #[serde(default)]
    validation_accuracy: Vec<f64>,
    #[serde(default)]
    monitor: Vec<Vec<f64>>,
    #[serde(default)]
    monitor_names: Vec<String>,
    #[serde(default)]
    seconds: Vec<f64>,
    #[serde(default)]
    best_epoch: Option<usize>,
    #[serde(default)]
    test_loss: Option<Vec<f64>>,
    #[serde(default)]
    test_metric: Option<Vec<f64>>,
    #[serde(default)]
    test_accuracy: Option<Vec<f64>>,
}

impl From<StoredHistory> for History {
    fn from(s: StoredHistory) -> Self {
        let legacy: Vec<(&str, Vec<f64>)> = [
            ("test_loss", s.test_loss),
            ("test_metric", s.test_metric),
            ("test_accuracy", s.test_accuracy),
        ]
        .into_iter()
        .filter_map(|(name, values)| values.map(|v| (name, v)))
        .collect();
        let (monitor, monitor_names) = if s.monitor.is_empty() && !legacy.is_empty() {
            let epochs = legacy.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
            let rows = (0..epochs)
                .map(|e| {
                    legacy
                        .iter()
                        .map(|(_, v)| v.get(e).copied().unwrap_or(f64::NAN))
                        .collect()
                })
                .collect();
            let names = legacy.iter().map(|(n, _)| n.to_string()).collect();
            (rows, names)
        } else {
            (s.monitor, s.monitor_names)
        };
        History {
            train_loss: s.train_loss,
            validation_loss: s.validation_loss,
            validation_accuracy: s.validation_accuracy,
            monitor,
            monitor_names,
            seconds: s.seconds,
            best_epoch: s.best_epoch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histories_written_before_the_one_record_still_read() {
        let sphere: History = serde_json::from_str(
            r#"{"train_loss": [1.0, 0.5], "test_loss": [1.1, 0.6], "test_metric": [0.3, 0.2],
                "seconds": [2.0, 2.0], "validation_loss": [], "best_epoch": null}"#,
        )
        .unwrap();
        assert_eq!(sphere.monitored("test_metric"), [0.3, 0.2]);
        assert_eq!(sphere.monitored("test_loss"), [1.1, 0.6]);
        let mesh: History = serde_json::from_str(
            r#"{"train_loss": [1.0], "test_accuracy": [0.75], "seconds": [3.0]}"#,
        )
        .unwrap();
        assert_eq!(mesh.last_monitored("test_accuracy"), 0.75);
        assert!(mesh.monitored("test_rmse").is_empty());
        // A history round-trips as it is written now.
        let text = serde_json::to_string(&sphere).unwrap();
        assert_eq!(serde_json::from_str::<History>(&text).unwrap(), sphere);
    }

    #[test]
    fn history_csv_names_its_columns() {
        let h = History {
            train_loss: vec![1.0, 0.5],
            validation_loss: vec![1.2, 0.7],
            monitor: vec![vec![0.5], vec![0.75]],
            monitor_names: vec!["test_accuracy".into()],
            seconds: vec![2.0, 2.5],
            ..History::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.csv");
        h.write_csv(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "epoch,train_loss,validation_loss,test_accuracy,seconds\n\
             1,1,1.2,0.5,2.000\n2,0.5,0.7,0.75,2.500\n"
        );
    }
}
