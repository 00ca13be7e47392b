//! Reading numbers from the command line or, when none are given there, from standard input.

use std::io::Read;

use anyhow::{Context, Result, bail};

/// The values given on the command line, or the whitespace-separated values on stdin when the
/// command line gave none. Each token is parsed as `T`; `what` names the values in messages.
pub fn values_or_stdin<T>(given: &[String], what: &str) -> Result<Vec<T>>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text;
    let tokens: Vec<&str> = if given.is_empty() {
        let mut buf = String::new();
        std::io::stdin()
            .read_to_string(&mut buf)
            .context("reading standard input")?;
        text = buf;
        text.split_whitespace().collect()
    } else {
        given.iter().map(String::as_str).collect()
    };
    if tokens.is_empty() {
        bail!("no {what} given: pass them as arguments or on standard input");
    }
    tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            t.parse::<T>()
                .map_err(|e| anyhow::anyhow!("{what} #{}: cannot parse {t:?}: {e}", i + 1))
        })
        .collect()
}

/// Splits a flat list into pairs, failing with a clear message when the count is odd.
pub fn pairs(values: Vec<f64>, what: &str) -> Result<Vec<(f64, f64)>> {
    if !values.len().is_multiple_of(2) {
        bail!(
            "{what} come in pairs, but {} values were given",
            values.len()
        );
    }
    Ok(values.chunks(2).map(|c| (c[0], c[1])).collect())
}
