//! `compare`, `scan` and `track`: the library's commands on Python values, each giving the report
//! the command line writes with `--json`, as Python objects (dicts, lists, strings, numbers).
//!
//! Each call reads its arguments while holding the GIL (Python objects cannot be read without it),
//! then releases it for the Rust work: aligning, scanning, tracking and writing the report as JSON.
//! The JSON is then read back by Python's `json` module, so the objects have exactly the fields and
//! values of the command line's JSON.

use std::path::Path;

use pyo3::prelude::*;
use pyo3::types::PyDict;

use cyberdiff::corpus::jsonl::{Record, doc_of_record};
use cyberdiff::corpus::{CorpusDoc, Document, walk};
use cyberdiff::report::CompareReport;
use cyberdiff::report::InputInfo;
use cyberdiff::report::html::DocMeta;
use cyberdiff::report::scan::ScanReport;
use cyberdiff::report::track::TrackReport;
use cyberdiff::scan::Progress;

use crate::errors::{Failure, option_error, without_gil};
use crate::options::{self, Options};
use crate::records::{self, Statements};

/// A report's JSON as Python objects.
fn to_python<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (json,))
}

fn to_json<T: serde::Serialize>(report: &T) -> String {
    serde_json::to_string(report).expect("report types serialise without error")
}

/// One side of a comparison, by the rules of a JSON Lines record (an id, a text with words and no
/// NUL, a date of the form YYYY, YYYY-MM or YYYY-MM-DD).
fn side(
    arg: &str,
    id: String,
    text: String,
    date: Option<String>,
    max_bytes: u64,
) -> Result<Document, Failure> {
    if text.len() as u64 > max_bytes {
        return Err(Failure::Value(format!(
            "{arg} is {} bytes, over the limit of {max_bytes} bytes; raise it with max_bytes if you mean it",
            text.len()
        )));
    }
    let rec = Record {
        id: serde_json::Value::String(id),
        text,
        date,
        title: None,
        series: None,
        source: None,
    };
    doc_of_record(Path::new(&format!("<{arg}>")), 1, rec)
        .map(|d| d.doc)
        .map_err(|e| Failure::Value(format!("{arg}: {}", e.reason)))
}

/// Align two texts: every passage they share, labelled repeated, reworded, expanded or condensed,
/// with its word diff.
///
/// Returns the report of `cyberdiff compare --json` as a dict: `a` and `b` (id, path, date, bytes,
/// words), `summary`, `passages` (kind, score, byte spans with line and column, text, `ops`), and the
/// `manifest` with the parameters used. `a_text` plays the earlier document. Options are the
/// command's flags in snake_case: min_words, min_score, ngram, cjk_ngram, max_gap, max_seed_freq,
/// repeated_min_aligned, repeated_max_ratio, expanded_min_found, expanded_min_ratio, reworded (on by
/// default), max_bytes. `a_id`, `b_id` name the texts in the report; `a_date`, `b_date` date them.
///
/// Raises ValueError for an option out of range or a text with no words; the GIL is released while
/// the texts are aligned.
// Each of the Python signature's keywords is an argument.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (a_text, b_text, *, a_id = "a".to_owned(), b_id = "b".to_owned(), a_date = None, b_date = None, **options))]
pub fn compare<'py>(
    py: Python<'py>,
    a_text: String,
    b_text: String,
    a_id: String,
    b_id: String,
    a_date: Option<String>,
    b_date: Option<String>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut o = Options::new("compare", options)?;
    let params = options::align_params(&mut o, true)?;
    let max_bytes = options::max_bytes(&mut o)?;
    o.finish(&[options::ALIGN, &["max_bytes"]])?;
    params.validate().map_err(option_error)?;
    let json = without_gil(py, move || {
        let a = side("a_text", a_id, a_text, a_date, max_bytes)?;
        let b = side("b_text", b_id, b_text, b_date, max_bytes)?;
        let cmp = cyberdiff::compare_texts(&a.text, &b.text, &params);
        Ok(to_json(&CompareReport::new(&a, &b, &cmp, &params)))
    })?;
    to_python(py, &json)
}

/// The documents of a corpus given in Python, in report order, or why there are none to use.
fn corpus(mut docs: Vec<CorpusDoc>) -> Result<Vec<CorpusDoc>, Failure> {
    if docs.is_empty() {
        return Err(Failure::Value(
            "no usable document: give {\"id\", \"text\", \"date\"} records".to_owned(),
        ));
    }
    if docs.len() > cyberdiff::index::MAX_DOCS {
        return Err(Failure::Value(format!(
            "{} documents: a scan holds at most {}; scan the corpus in parts",
            docs.len(),
            cyberdiff::index::MAX_DOCS
        )));
    }
    walk::arrange(&mut docs);
    Ok(docs)
}

/// Scan a corpus: every pair of documents that shares passages, the passages that recur across
/// documents (clusters, with their earliest source), near-duplicate documents and boilerplate.
///
/// `documents` is an iterable of records, dicts with `id` (str or int), `text`, and optional `date`
/// (YYYY, YYYY-MM or YYYY-MM-DD, or a datetime.date), `title`, `series` or `source`; other keys are
/// ignored. They go through the rules of a `.jsonl` line of `cyberdiff scan`, so the result is the
/// report `cyberdiff scan --json` writes for the same records, with `<documents>` for their path
/// and their 1-based place for their line. Options are the command's flags in snake_case: the
/// aligner's (as `compare`, the reworded tier on by default), min_shared, max_df,
/// boilerplate_min_docs, duplicate_threshold, min_cluster_docs, json_summary, max_bytes.
///
/// A bad record raises ValueError naming it (`documents[3]: record "x": date ...`), unless
/// `skip_bad_records` is true: it is then listed in the report's `skipped`, as the command line
/// lists bad lines. The GIL is released while the corpus is scanned.
#[pyfunction]
#[pyo3(signature = (documents, *, skip_bad_records = false, **options))]
pub fn scan<'py>(
    py: Python<'py>,
    documents: &Bound<'py, PyAny>,
    skip_bad_records: bool,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut o = Options::new("scan", options)?;
    let params = options::align_params(&mut o, true)?;
    let scan_options = options::scan_options(&mut o)?;
    let summary = o.flag("json_summary")?.unwrap_or(false);
    let max_bytes = options::max_bytes(&mut o)?;
    o.finish(&[options::ALIGN, options::SCAN, &["max_bytes"]])?;
    params.validate().map_err(option_error)?;
    // Options are checked before the records are read: the corpus size only sets a default.
    scan_options.resolve(0).map_err(option_error)?;
    let (docs, mut skipped) = records::documents(documents, max_bytes, skip_bad_records)?;
    let json = without_gil(py, move || {
        let docs = corpus(docs)?;
        let mut sp = scan_options.resolve(docs.len())?;
        sp.word_diffs = !summary;
        let result = cyberdiff::scan::scan(&docs, &params, &sp, &Progress::new(false));
        skipped.sort();
        let report = ScanReport::new(&docs, &result, &params, &sp, Vec::new(), skipped, !summary);
        Ok(report.into_json(summary))
    })?;
    to_python(py, &json)
}

/// Follow reference statements through dated documents: for each statement and each document, in
/// date order, its status (repeated, reworded, expanded, condensed or absent), score, passage and
/// word diff against the statement.
///
/// `statements` is the path of a statements file (TOML, as `cyberdiff track --statements`), or an
/// iterable of dicts with `id`, `text`, and optional `group` and `aliases` (a list of strings).
/// `documents` are records as for `scan`. Returns the report of `cyberdiff track --json`. Options
/// are the command's flags in snake_case: min_recall, min_score, repeated_min_aligned,
/// repeated_max_ratio, expanded_min_found, expanded_min_ratio, max_bytes.
///
/// A bad statement raises ValueError naming it (`statements[2]: ...`, or the file and line), a
/// missing file FileNotFoundError, a bad record ValueError naming it (`documents[3]: ...`; the
/// report has no list of skipped records). The GIL is released while the statements are tracked.
#[pyfunction]
#[pyo3(signature = (statements, documents, **options))]
pub fn track<'py>(
    py: Python<'py>,
    statements: &Bound<'py, PyAny>,
    documents: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut o = Options::new("track", options)?;
    let params = options::match_params(&mut o)?;
    let max_bytes = options::max_bytes(&mut o)?;
    o.finish(&[options::TRACK, &["max_bytes"]])?;
    params.validate().map_err(option_error)?;
    let statements = records::statements(statements)?;
    let (docs, _) = records::documents(documents, max_bytes, false)?;
    let json = without_gil(py, move || {
        let (statements, input) = match statements {
            Statements::File(path) => (
                cyberdiff::track::read_statements(&path)?,
                Some(InputInfo::of_file(&path)?),
            ),
            Statements::Given(list) => (list, None),
        };
        let docs = corpus(docs)?;
        let meta: std::collections::HashMap<String, DocMeta> = docs
            .iter()
            .map(|d| {
                let m = DocMeta {
                    title: d.title.clone(),
                    source: d.source.clone(),
                    note: d.note.clone(),
                };
                (d.doc.id.clone(), m)
            })
            .collect();
        let docs: Vec<Document> = docs.into_iter().map(|d| d.doc).collect();
        let tracking = cyberdiff::track::track(&statements, &docs, &params);
        Ok(to_json(
            &TrackReport::new(&tracking, &params, input).with_meta(&meta),
        ))
    })?;
    to_python(py, &json)
}
