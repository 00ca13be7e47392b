//! The TU graph benchmark format (`DS_A.txt`, `DS_graph_indicator.txt`, `DS_graph_labels.txt`,
//! optional `DS_node_labels.txt`, `DS_node_attributes.txt`).

use std::path::{Path, PathBuf};

use tessera_gnn::graph::Graph;

use super::NodeScaler;
use crate::error::{Result, TrainError};

/// What to use as node features.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TuOptions {
    /// One-hot node labels (when the file exists).
    pub node_labels: bool,
    /// Continuous node attributes appended (when the file exists).
    pub node_attributes: bool,
    /// One-hot edge labels as edge features (when `NAME_edge_labels.txt` exists; for GINE).
    pub edge_labels: bool,
}

impl Default for TuOptions {
    fn default() -> Self {
        TuOptions {
            node_labels: true,
            node_attributes: false,
            edge_labels: false,
        }
    }
}

/// The label values behind a dataset's one-hot columns and class indices, sorted: found in the
/// training data, then imposed on data scored later, so that a column means the same label.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TuVocabulary {
    /// Node label values, one one-hot column each (empty: node labels not used).
    pub node_labels: Vec<i64>,
    /// Edge label values, one one-hot edge feature each (empty: edge labels not used).
    pub edge_labels: Vec<i64>,
    /// Graph label values, one class each.
    pub classes: Vec<i64>,
    /// For graphs without node labels or attributes: one-hot degree columns (degrees
    /// `0..degree_columns - 1`, the last column for that degree and above); 0 otherwise.
    #[serde(default)]
    pub degree_columns: usize,
}

/// The most one-hot degree columns of graphs without node features (higher degrees share the
/// last column).
const MAX_DEGREE_COLUMNS: usize = 64;

/// A TU dataset: graphs with node features and one class per graph.
#[derive(Clone, Debug)]
pub struct TuDataset {
    /// The dataset's name (the file prefix).
    pub name: String,
    /// The graphs (undirected edges stored both ways, as in the files).
    pub graphs: Vec<Graph>,
    /// The class of each graph, `0 .. num_classes` (all 0 when not [`labelled`](Self::labelled)).
    pub labels: Vec<usize>,
    /// The label values the features and classes are indexed by.
    pub vocabulary: TuVocabulary,
    /// Whether the folder had graph labels (only data read against a known vocabulary may
    /// lack them).
    pub labelled: bool,
    /// Continuous node attributes at the end of each node's features (0 when not read).
    pub attributes: usize,
}

/// The values of `found` in sorted order, or, against a `known` vocabulary (`Some`), the
/// vocabulary itself after checking that every value is in it (`what`: "node label").
fn vocabulary_of(
    found: &[i64],
    known: Option<&[i64]>,
    path: &Path,
    what: &str,
) -> Result<Vec<i64>> {
    let Some(known) = known else {
        let mut values = found.to_vec();
        values.sort_unstable();
        values.dedup();
        return Ok(values);
    };
    match found.iter().position(|v| known.binary_search(v).is_err()) {
        None => Ok(known.to_vec()),
        Some(i) => Err(TrainError::Data {
            path: path.to_path_buf(),
            line: Some(i + 1),
            message: format!(
                "{what} {} does not occur in the training data (its values: {known:?})",
                found[i]
            ),
        }),
    }
}

/// One-hot rows of `values` over the sorted `vocabulary` (every value is in it).
fn one_hot<'a>(values: &'a [i64], vocabulary: &'a [i64]) -> impl Iterator<Item = Vec<f32>> + 'a {
    values.iter().map(|v| {
        let k = vocabulary
            .binary_search(v)
            .expect("checked against the vocabulary");
        (0..vocabulary.len())
            .map(|j| if j == k { 1.0 } else { 0.0 })
            .collect()
    })
}

/// The most one-hot values (rows × distinct labels) a label file may expand to: 2^28 f32
/// values, 1 GiB.
const MAX_ONE_HOT_VALUES: usize = 1 << 28;

/// Refuses one-hot features out of proportion to the file: `rows` labels with `distinct` values.
fn check_one_hot_size(path: &Path, what: &str, rows: usize, distinct: usize) -> Result<()> {
    if rows.saturating_mul(distinct) <= MAX_ONE_HOT_VALUES {
        return Ok(());
    }
    Err(TrainError::Data {
        path: path.to_path_buf(),
        line: None,
        message: format!(
            "{distinct} distinct {what} labels over {rows} {what}s would need {:.1} GB of one-hot \
             features; labels with this many values are identifiers rather than categories \
             ({})",
            (rows as f64) * (distinct as f64) * 4.0 / 1e9,
            match what {
                "node" => "leave them out: TuOptions::node_labels, --no-node-labels",
                _ => "leave them out: TuOptions::edge_labels, train without --edge-labels",
            }
        ),
    })
}

fn read_lines(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| TrainError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    Ok(text
        .lines()
        .map(str::to_string)
        .filter(|l| !l.trim().is_empty())
        .collect())
}

fn parse<T: std::str::FromStr>(path: &Path, line: usize, s: &str) -> Result<T> {
    s.trim().parse().map_err(|_| TrainError::Data {
        path: path.to_path_buf(),
        line: Some(line + 1),
        message: format!("{:?} is not a number", s.trim()),
    })
}

impl TuDataset {
    /// Loads `dir/NAME_*.txt`, `NAME` being the folder's name.
    ///
    /// # Errors
    /// A missing folder or required file, a malformed line, an edge to a node that does not exist
    /// or across graphs, a graph without nodes, files of inconsistent lengths — each naming the
    /// file and line.
    pub fn load(dir: impl AsRef<Path>, opts: TuOptions) -> Result<Self> {
        Self::load_with(dir.as_ref(), opts, None)
    }

    /// Loads `dir/NAME_*.txt` as [`load`](Self::load) does, but against a trained model's
    /// `vocabulary` when one is given: the same one-hot columns and class indices, and graph
    /// labels optional (without them the data can be classified, not scored).
    ///
    /// # Errors
    /// As [`load`](Self::load), and a node, edge or graph label the vocabulary does not hold,
    /// naming the file and line.
    pub fn load_with(
        dir: &Path,
        opts: TuOptions,
        vocabulary: Option<&TuVocabulary>,
    ) -> Result<Self> {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| TrainError::Data {
                path: dir.to_path_buf(),
                line: None,
                message: "not a dataset folder".into(),
            })?;
        let file = |suffix: &str| -> PathBuf { dir.join(format!("{name}_{suffix}.txt")) };
        let err = |path: &Path, line: Option<usize>, message: String| TrainError::Data {
            path: path.to_path_buf(),
            line,
            message,
        };
        let ind_path = file("graph_indicator");
        let indicator: Vec<usize> = read_lines(&ind_path)?
            .iter()
            .enumerate()
            .map(|(i, l)| parse(&ind_path, i, l))
            .collect::<Result<_>>()?;
        if indicator.is_empty() {
            return Err(err(&ind_path, None, "no nodes, so no graphs".into()));
        }
        // Ids run 1..=G with every graph holding a node, so none can exceed the node count:
        // checked before anything is sized by them.
        if let Some((node, &g)) = indicator
            .iter()
            .enumerate()
            .find(|&(_, &g)| g == 0 || g > indicator.len())
        {
            return Err(err(
                &ind_path,
                Some(node + 1),
                format!(
                    "graph id {g} is not in 1..={} (ids run from 1, every graph with a node)",
                    indicator.len()
                ),
            ));
        }
        let lab_path = file("graph_labels");
        let labelled = vocabulary.is_none() || lab_path.exists();
        let raw_labels: Vec<i64> = if labelled {
            read_lines(&lab_path)?
                .iter()
                .enumerate()
                .map(|(i, l)| parse(&lab_path, i, l))
                .collect::<Result<_>>()?
        } else {
            vec![0; indicator.iter().copied().max().unwrap_or(0)]
        };
        let num_graphs = raw_labels.len();
        let n = indicator.len();
        // Graph ids are 1-based and contiguous.
        let mut first = vec![usize::MAX; num_graphs];
        let mut count = vec![0usize; num_graphs];
        for (node, &g) in indicator.iter().enumerate() {
            if g == 0 || g > num_graphs {
                return Err(err(
                    &ind_path,
                    Some(node + 1),
                    format!("graph id {g} is not in 1..={num_graphs}"),
                ));
            }
            first[g - 1] = first[g - 1].min(node);
            count[g - 1] += 1;
        }
        if let Some(g) = count.iter().position(|&c| c == 0) {
            return Err(err(
                &ind_path,
                None,
                format!("graph {} has no nodes", g + 1),
            ));
        }
        // Node features.
        let mut features: Vec<Vec<f32>> = vec![Vec::new(); n];
        let mut node_vocabulary = Vec::new();
        let nl_path = file("node_labels");
        if opts.node_labels && nl_path.exists() {
            let labels: Vec<i64> = read_lines(&nl_path)?
                .iter()
                .enumerate()
                .map(|(i, l)| parse(&nl_path, i, l.split(',').next().unwrap_or("")))
                .collect::<Result<_>>()?;
            if labels.len() != n {
                return Err(err(
                    &nl_path,
                    None,
                    format!("{} lines for {n} nodes", labels.len()),
                ));
            }
            let known = vocabulary.map(|v| v.node_labels.as_slice());
            node_vocabulary = vocabulary_of(&labels, known, &nl_path, "node label")?;
            check_one_hot_size(&nl_path, "node", n, node_vocabulary.len())?;
            for (f, row) in features.iter_mut().zip(one_hot(&labels, &node_vocabulary)) {
                f.extend(row);
            }
        }
        let na_path = file("node_attributes");
        let mut attributes = 0;
        if opts.node_attributes && na_path.exists() {
            let lines = read_lines(&na_path)?;
            if lines.len() != n {
                return Err(err(
                    &na_path,
                    None,
                    format!("{} lines for {n} nodes", lines.len()),
                ));
            }
            for (node, l) in lines.iter().enumerate() {
                for v in l.split(',') {
                    features[node].push(parse::<f32>(&na_path, node, v)?);
                }
            }
            attributes = features.first().map_or(0, Vec::len) - node_vocabulary.len();
        }
        let unfeatured = features.first().is_none_or(Vec::is_empty);
        // Edges.
        let a_path = file("A");
        let mut edges: Vec<Vec<[u32; 2]>> = vec![Vec::new(); num_graphs];
        let mut edge_values: Vec<Vec<i64>> = vec![Vec::new(); num_graphs];
        let el_path = file("edge_labels");
        let edge_labels: Option<Vec<i64>> = if opts.edge_labels && el_path.exists() {
            Some(
                read_lines(&el_path)?
                    .iter()
                    .enumerate()
                    .map(|(i, l)| parse(&el_path, i, l.split(',').next().unwrap_or("")))
                    .collect::<Result<_>>()?,
            )
        } else {
            None
        };
        let a_lines = read_lines(&a_path)?;
        if let Some(el) = &edge_labels
            && el.len() != a_lines.len()
        {
            return Err(err(
                &el_path,
                None,
                format!("{} lines for {} edges", el.len(), a_lines.len()),
            ));
        }
        for (i, l) in a_lines.iter().enumerate() {
            let (s, t) = l
                .split_once(',')
                .ok_or_else(|| err(&a_path, Some(i + 1), format!("{l:?} is not `row, col`")))?;
            let (s, t): (usize, usize) = (parse(&a_path, i, s)?, parse(&a_path, i, t)?);
            if s == 0 || t == 0 || s > n || t > n {
                return Err(err(
                    &a_path,
                    Some(i + 1),
                    format!("edge {s} → {t} names a node outside 1..={n}"),
                ));
            }
            let (gs, gt) = (indicator[s - 1], indicator[t - 1]);
            if gs != gt {
                return Err(err(
                    &a_path,
                    Some(i + 1),
                    format!("edge {s} → {t} joins graphs {gs} and {gt}"),
                ));
            }
            let base = first[gs - 1];
            edges[gs - 1].push([(s - 1 - base) as u32, (t - 1 - base) as u32]);
            if let Some(el) = &edge_labels {
                edge_values[gs - 1].push(el[i]);
            }
        }
        let class_values = if labelled {
            let known = vocabulary.map(|v| v.classes.as_slice());
            vocabulary_of(&raw_labels, known, &lab_path, "graph label")?
        } else {
            vocabulary.map(|v| v.classes.clone()).unwrap_or_default()
        };
        let labels = raw_labels
            .iter()
            .map(|l| class_values.binary_search(l).unwrap_or(0))
            .collect();
        let known = vocabulary.map(|v| v.edge_labels.as_slice());
        let edge_classes = match &edge_labels {
            Some(values) => {
                let classes = vocabulary_of(values, known, &el_path, "edge label")?;
                check_one_hot_size(&el_path, "edge", values.len(), classes.len())?;
                classes
            }
            None => Vec::new(),
        };
        // No node features: each node's degree, one-hot (the GIN paper's and Errica et al.'s
        // choice for unlabelled graphs), with the training data's columns.
        let mut degree_columns = 0;
        if unfeatured {
            let mut degree = vec![0usize; n];
            for g in 0..num_graphs {
                for &[s, _] in &edges[g] {
                    degree[first[g] + s as usize] += 1;
                }
            }
            degree_columns = match vocabulary {
                Some(v) => v.degree_columns.max(1),
                None => (degree.iter().copied().max().unwrap_or(0) + 1).min(MAX_DEGREE_COLUMNS),
            };
            for (f, &d) in features.iter_mut().zip(&degree) {
                f.resize(degree_columns, 0.0);
                f[d.min(degree_columns - 1)] = 1.0;
            }
        }
        let width = features.first().map_or(0, Vec::len);
        let graphs = (0..num_graphs)
            .map(|g| {
                let x: Vec<f32> = (first[g]..first[g] + count[g])
                    .flat_map(|v| features[v].iter().copied())
                    .collect();
                let what = format!("{name} graph {}", g + 1);
                let graph = Graph::new(count[g], width, x, std::mem::take(&mut edges[g]), &what)?;
                if edge_labels.is_none() {
                    return Ok(graph);
                }
                let attr = one_hot(&edge_values[g], &edge_classes).flatten().collect();
                graph.with_edge_features(edge_classes.len(), attr, &what)
            })
            .collect::<std::result::Result<_, _>>()?;
        Ok(TuDataset {
            name,
            graphs,
            labels,
            vocabulary: TuVocabulary {
                node_labels: node_vocabulary,
                edge_labels: edge_classes,
                classes: class_values,
                degree_columns,
            },
            labelled,
            attributes,
        })
    }

    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.vocabulary.classes.len()
    }

    /// The original label value of each class.
    pub fn class_values(&self) -> &[i64] {
        &self.vocabulary.classes
    }

    /// Node features per node.
    pub fn features(&self) -> usize {
        self.graphs.first().map_or(0, |g| g.features)
    }

    /// The z-scores of the continuous node attributes over the graphs `idx` (the training
    /// graphs).
    pub fn scaler(&self, idx: &[usize]) -> NodeScaler {
        NodeScaler::fit(&self.graphs, idx, self.features() - self.attributes)
    }
}
