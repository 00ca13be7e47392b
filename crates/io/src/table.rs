//! How Tessera reads every CSV table (`params.csv`, estimates, predictions, loss curves):
//! [`Table::read`], through the `csv` crate, with columns found by their header name.
//!
//! A UTF-8 byte-order mark is skipped, cells are trimmed, quoted cells may hold commas, blank
//! lines are ignored, and a row with another number of cells than the header is an error naming
//! its line.

use std::fmt;
use std::path::{Path, PathBuf};

/// A CSV file: its header and rows of trimmed cells, each with its line number.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

/// What is wrong with a table: the file, the line when there is one, and the problem.
#[derive(Debug)]
pub struct TableError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line, when the problem has one.
    pub line: Option<usize>,
    /// The problem.
    pub message: String,
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} line {line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for TableError {}

impl Table {
    /// Reads the CSV file at `path`; the first non-blank line is the header.
    ///
    /// # Errors
    /// An unreadable file, an empty one, malformed CSV, or a row whose cell count differs from
    /// the header's.
    pub fn read(path: impl AsRef<Path>) -> Result<Table, TableError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| TableError {
            path: path.to_path_buf(),
            line: None,
            message: e.to_string(),
        })?;
        Table::parse(path, &bytes)
    }

    /// [`Table::read`] on bytes already in memory; `path` names them in errors.
    ///
    /// # Errors
    /// As [`Table::read`].
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Table, TableError> {
        let mut header: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        for_each_row(path, bytes, |line, cells| {
            match &header {
                None => header = Some(cells.iter().map(|c| c.to_string()).collect()),
                Some(h) if cells.len() != h.len() => {
                    return Err(format!("{} cells, the header has {}", cells.len(), h.len()));
                }
                Some(_) => rows.push((line, cells.iter().map(|c| c.to_string()).collect())),
            }
            Ok(())
        })?;
        let header = header.ok_or_else(|| TableError {
            path: path.to_path_buf(),
            line: None,
            message: "empty file: no header".into(),
        })?;
        Ok(Table {
            path: path.to_path_buf(),
            header,
            rows,
        })
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The column names.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The rows (without the header).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows, each with its line number.
    pub fn rows(&self) -> impl Iterator<Item = (usize, &[String])> {
        self.rows
            .iter()
            .map(|(line, cells)| (*line, cells.as_slice()))
    }

    /// The index of column `name`.
    ///
    /// # Errors
    /// No such column, naming the columns there are.
    pub fn column(&self, name: &str) -> Result<usize, TableError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| TableError {
                path: self.path.clone(),
                line: Some(
                    self.rows
                        .first()
                        .map_or(1, |(l, _)| l.saturating_sub(1).max(1)),
                ),
                message: format!("no column `{name}` (columns: {})", self.header.join(", ")),
            })
    }

    /// The cells of column `name`.
    ///
    /// # Errors
    /// As [`Table::column`].
    pub fn strings(&self, name: &str) -> Result<Vec<&str>, TableError> {
        let c = self.column(name)?;
        Ok(self
            .rows
            .iter()
            .map(|(_, cells)| cells[c].as_str())
            .collect())
    }

    /// The numbers of column `name`, each finite and within `±limit` (values a file could not
    /// hold when written back, or whose squares overflow, are refused here rather than later).
    ///
    /// # Errors
    /// As [`Table::column`], and a cell that is not such a number, naming its line.
    pub fn numbers(&self, name: &str, limit: f64) -> Result<Vec<f64>, TableError> {
        let c = self.column(name)?;
        self.rows
            .iter()
            .map(|(line, cells)| {
                let cell = &cells[c];
                match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() && v.abs() <= limit => Ok(v),
                    _ => Err(TableError {
                        path: self.path.clone(),
                        line: Some(*line),
                        message: format!(
                            "`{cell}` in column `{name}` is not a finite number within \
                             ±{limit:e}"
                        ),
                    }),
                }
            })
            .collect()
    }
}

/// Reads CSV `bytes` row by row, header or not, by the rules of [`Table::read`] (a byte-order
/// mark skipped, cells trimmed, quoted cells, blank lines skipped), calling `row(line, cells)`
/// for each row with its 1-based line. For files without a header, or too large to hold as
/// strings; `path` names the bytes in errors.
///
/// # Errors
/// Malformed CSV, or the message `row` returns, with the line.
pub fn for_each_row(
    path: &Path,
    bytes: &[u8],
    mut row: impl FnMut(usize, &[&str]) -> Result<(), String>,
) -> Result<(), TableError> {
    let error = |line: Option<usize>, message: String| TableError {
        path: path.to_path_buf(),
        line,
        message,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    // Line numbers from byte offsets: the csv crate does not count blank lines.
    let (mut counted_to, mut line) = (0usize, 1usize);
    let mut line_at = |byte: usize| {
        // A record's offset can sit on the blank lines before it.
        let mut byte = byte.min(bytes.len());
        while byte < bytes.len() && matches!(bytes[byte], b'\n' | b'\r') {
            byte += 1;
        }
        if byte >= counted_to {
            line += bytes[counted_to..byte]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            counted_to = byte;
        }
        line
    };
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => {
                let line = e.position().map(|p| line_at(p.byte() as usize));
                return Err(error(line, format!("not CSV: {e}")));
            }
        }
        let at = record.position().map_or(0, |p| line_at(p.byte() as usize));
        let cells: Vec<&str> = record.iter().collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        row(at, &cells).map_err(|m| error(Some(at), m))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Table, TableError> {
        Table::parse(Path::new("t.csv"), text.as_bytes())
    }

    #[test]
    fn spreadsheet_tables_read_by_column_name() {
        let t = parse("\u{feff}\"file\",\"tau\",ell_p\n\n\"a, b.fits\",0.05, 12\nc.fits,0.07,3\n")
            .unwrap();
        assert_eq!(t.header(), ["file", "tau", "ell_p"]);
        assert_eq!(t.strings("file").unwrap(), ["a, b.fits", "c.fits"]);
        assert_eq!(t.numbers("ell_p", 1e150).unwrap(), [12.0, 3.0]);
        assert_eq!(t.rows().map(|(l, _)| l).collect::<Vec<_>>(), [3, 4]);
    }

    #[test]
    fn problems_name_the_file_the_line_and_the_column() {
        let e = parse("file,tau\na.fits,0.1\nb.fits\n")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "t.csv line 3: 1 cells, the header has 2");
        let t = parse("file,tau\na.fits,1e308\nb.fits,nan\n").unwrap();
        let e = t.numbers("tau", 1e150).unwrap_err().to_string();
        assert!(
            e.starts_with("t.csv line 2: `1e308` in column `tau`"),
            "{e}"
        );
        let e = t.numbers("ell_p", 1e150).unwrap_err().to_string();
        assert!(e.contains("no column `ell_p` (columns: file, tau)"), "{e}");
        assert!(
            parse("\n\n")
                .unwrap_err()
                .to_string()
                .contains("empty file")
        );
    }
}
