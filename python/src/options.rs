//! Keyword options: the command line's flags in snake_case (`--min-words` is `min_words`), turned
//! into the library's parameters and checked by the library's own checks (`Params::validate`,
//! `ScanOptions::resolve`, `MatchParams::validate`), so the package and the binary accept the same
//! values. An option given as `None` keeps its default; an unknown name is a `TypeError` that lists
//! the known ones, as Python does for a keyword a function does not take.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use cyberdiff::align::Params;
use cyberdiff::corpus::{DEFAULT_MAX_BYTES, MAX_MAX_BYTES};
use cyberdiff::scan::ScanOptions;
use cyberdiff::track::MatchParams;

/// The keyword options of one call, taken one by one; what is left at the end is unknown.
pub struct Options<'py> {
    func: &'static str,
    given: Vec<(String, Bound<'py, PyAny>)>,
}

impl<'py> Options<'py> {
    pub fn new(func: &'static str, kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Self> {
        let mut given = Vec::new();
        if let Some(kw) = kwargs {
            for (k, v) in kw.iter() {
                given.push((k.extract::<String>()?, v));
            }
        }
        Ok(Self { func, given })
    }

    /// The value given for `name`, unless absent or `None`.
    fn raw(&mut self, name: &str) -> Option<Bound<'py, PyAny>> {
        let at = self.given.iter().position(|(k, _)| k == name)?;
        let (_, v) = self.given.swap_remove(at);
        (!v.is_none()).then_some(v)
    }

    fn type_error(&self, name: &str, what: &str, v: &Bound<'py, PyAny>) -> PyErr {
        let got = v
            .get_type()
            .name()
            .map_or_else(|_| "?".to_owned(), |n| n.to_string());
        PyTypeError::new_err(format!("{}(): {name} must be {what}, got {got}", self.func))
    }

    pub fn float(&mut self, name: &str) -> PyResult<Option<f64>> {
        match self.raw(name) {
            None => Ok(None),
            // bool is an int in Python; as a number it is a slip.
            Some(v) if v.is_instance_of::<pyo3::types::PyBool>() => {
                Err(self.type_error(name, "a number", &v))
            }
            Some(v) => v
                .extract::<f64>()
                .map(Some)
                .map_err(|_| self.type_error(name, "a number", &v)),
        }
    }

    pub fn count(&mut self, name: &str) -> PyResult<Option<usize>> {
        match self.raw(name) {
            None => Ok(None),
            Some(v)
                if v.is_instance_of::<pyo3::types::PyBool>()
                    || !v.is_instance_of::<pyo3::types::PyInt>() =>
            {
                Err(self.type_error(name, "an int", &v))
            }
            Some(v) => match v.extract::<i128>() {
                Ok(n) if n < 0 => Err(PyValueError::new_err(format!(
                    "{name} must not be negative, got {n}"
                ))),
                Ok(n) => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
                Err(_) => Ok(Some(usize::MAX)),
            },
        }
    }

    pub fn flag(&mut self, name: &str) -> PyResult<Option<bool>> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) => v
                .extract::<bool>()
                .map(Some)
                .map_err(|_| self.type_error(name, "True or False", &v)),
        }
    }

    /// Fail on any option left: a name this function does not take (it takes the groups `known`).
    pub fn finish(self, known: &[&[&str]]) -> PyResult<()> {
        let Some((name, _)) = self.given.first() else {
            return Ok(());
        };
        let hint = match name.as_str() {
            "no_reworded" => " (the reworded tier is reworded=True or reworded=False)".to_owned(),
            n if n.contains('-') => format!(
                " (options are spelled with underscores: {})",
                n.replace('-', "_")
            ),
            _ => String::new(),
        };
        Err(PyTypeError::new_err(format!(
            "{}() got an unexpected keyword argument '{name}'{hint}; its options are {}",
            self.func,
            known.concat().join(", ")
        )))
    }
}

/// The aligner's options (compare and scan).
pub const ALIGN: &[&str] = &[
    "min_words",
    "min_score",
    "ngram",
    "cjk_ngram",
    "max_gap",
    "max_seed_freq",
    "repeated_min_aligned",
    "repeated_max_ratio",
    "expanded_min_found",
    "expanded_min_ratio",
    "reworded",
];

/// The aligner's parameters: the library's defaults with the options given; `reworded` is the
/// command's default for the reworded tier (on in compare and scan). The caller checks them
/// with `Params::validate`.
pub fn align_params(o: &mut Options<'_>, reworded: bool) -> PyResult<Params> {
    let mut p = Params {
        reworded,
        ..Params::default()
    };
    set(&mut p.min_words, o.float("min_words")?);
    set(&mut p.min_score, o.float("min_score")?);
    set(&mut p.word_ngram, o.count("ngram")?);
    set(&mut p.cjk_ngram, o.count("cjk_ngram")?);
    set(&mut p.max_gap, o.count("max_gap")?);
    set(&mut p.max_seed_freq, o.count("max_seed_freq")?);
    threshold_options(o, &mut p.thresholds)?;
    set(&mut p.reworded, o.flag("reworded")?);
    Ok(p)
}

fn threshold_options(o: &mut Options<'_>, t: &mut cyberdiff::align::Thresholds) -> PyResult<()> {
    set(
        &mut t.repeated_min_aligned,
        o.float("repeated_min_aligned")?,
    );
    set(
        &mut t.repeated_max_length_ratio,
        o.float("repeated_max_ratio")?,
    );
    set(&mut t.expanded_min_found, o.float("expanded_min_found")?);
    set(
        &mut t.expanded_min_length_ratio,
        o.float("expanded_min_ratio")?,
    );
    Ok(())
}

/// The scan's own options.
pub const SCAN: &[&str] = &[
    "min_shared",
    "max_df",
    "boilerplate_min_docs",
    "duplicate_threshold",
    "min_cluster_docs",
    "json_summary",
];

pub fn scan_options(o: &mut Options<'_>) -> PyResult<ScanOptions> {
    let mut s = ScanOptions::default();
    set(&mut s.min_shared, o.count("min_shared")?);
    set(&mut s.max_df, o.count("max_df")?);
    s.boilerplate_min_docs = o.count("boilerplate_min_docs")?;
    set(&mut s.duplicate_threshold, o.float("duplicate_threshold")?);
    set(&mut s.min_cluster_docs, o.count("min_cluster_docs")?);
    Ok(s)
}

/// The matcher's options (track).
pub const TRACK: &[&str] = &[
    "min_recall",
    "min_score",
    "repeated_min_aligned",
    "repeated_max_ratio",
    "expanded_min_found",
    "expanded_min_ratio",
];

pub fn match_params(o: &mut Options<'_>) -> PyResult<MatchParams> {
    let mut p = MatchParams::default();
    set(&mut p.min_recall, o.float("min_recall")?);
    set(&mut p.min_score, o.float("min_score")?);
    threshold_options(o, &mut p.thresholds)?;
    Ok(p)
}

/// `max_bytes`: the largest text taken, as the command line's `--max-bytes` (offsets are 32-bit).
pub fn max_bytes(o: &mut Options<'_>) -> PyResult<u64> {
    let n = o
        .count("max_bytes")?
        .map_or(DEFAULT_MAX_BYTES, |n| n as u64);
    if !(1..=MAX_MAX_BYTES).contains(&n) {
        return Err(PyValueError::new_err(format!(
            "max_bytes must be between 1 and {MAX_MAX_BYTES}, got {n}"
        )));
    }
    Ok(n)
}

fn set<T>(slot: &mut T, given: Option<T>) {
    if let Some(v) = given {
        *slot = v;
    }
}
