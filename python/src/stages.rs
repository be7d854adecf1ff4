//! The scan's stages for the Spark job (`python -m cyberdiff.spark`), one function per stage of
//! `cyberdiff::scan::stages`, each releasing the GIL while Rust works.
//!
//! N-gram keys cross into Python as signed 64-bit integers holding the key's bits (Spark's
//! `LongType`): a bitwise AND with the mask gives the same bits as in Rust. Per-document boilerplate
//! runs and aligned pairs cross as JSON bytes, read back only by these functions.

use std::path::PathBuf;

use cyberdiff::cli::{StageSettings, stage_settings};
use cyberdiff::corpus::{CorpusDoc, Document, Skipped, WalkOptions, jsonl, walk};
use cyberdiff::index;
use cyberdiff::report::InputInfo;
use cyberdiff::report::scan::ScanReport;
use cyberdiff::scan::PairResult;
use cyberdiff::scan::stages::{self, DocBoilerplate, Figures, PairSide};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

/// A JSON Lines record as `(line, id, date, title, source, text, bytes, hash)`.
type Record = (
    usize,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    u64,
    String,
);

/// A document for [`assemble`]: `(path, line, id, date, title, source, text, bytes, hash)`.
type DocRow = (
    String,
    Option<usize>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    u64,
    String,
);

/// An input file's entry: `(path, path_bytes, bytes, xxh3)`.
type InputRow = (String, Option<String>, u64, String);

/// The index's figures: `(postings, ngrams, common_ngrams, candidate_pairs, verified pairs (a, b,
/// shared))`.
type FigureRow = (usize, usize, usize, usize, Vec<(u32, u32, u32)>);

/// A skipped input: `(path, reason, path_bytes)`, `path_bytes` the path with its bytes escaped when
/// it is not valid UTF-8 (see [`Skipped`]).
type SkipRow = (String, String, Option<String>);

fn skip_row(s: Skipped) -> SkipRow {
    (s.path, s.reason, s.path_bytes)
}

/// Files and skipped inputs.
type Found = (Vec<PathBuf>, Vec<SkipRow>);

/// `cyberdiff scan`'s settings for a corpus of `n_docs` documents, from its command-line arguments
/// (what follows `scan`). Pickled as its arguments, so executors rebuild it.
#[pyclass(module = "cyberdiff._native", frozen)]
pub struct ScanSettings {
    args: Vec<String>,
    n_docs: usize,
    inner: StageSettings,
}

#[pymethods]
impl ScanSettings {
    #[new]
    fn new(args: Vec<String>, n_docs: usize) -> PyResult<Self> {
        let inner =
            stage_settings(&args, n_docs).map_err(|e| PyValueError::new_err(format!("{e:#}")))?;
        Ok(Self {
            args,
            n_docs,
            inner,
        })
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let me = slf.get();
        let args = (me.args.clone(), me.n_docs).into_pyobject(slf.py())?;
        Ok((slf.get_type().into_any(), args))
    }

    /// The paths given on the command line.
    #[getter]
    fn paths(&self) -> Vec<String> {
        self.inner
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    }

    /// `--json-summary`.
    #[getter]
    fn summary(&self) -> bool {
        self.inner.summary
    }

    #[getter]
    fn max_df(&self) -> usize {
        self.inner.scan.index.max_df
    }

    #[getter]
    fn min_shared(&self) -> usize {
        self.inner.scan.index.min_shared
    }

    #[getter]
    fn boilerplate_min_docs(&self) -> usize {
        self.inner.scan.index.boilerplate_min_docs
    }

    #[getter]
    fn max_seed_freq(&self) -> usize {
        self.inner.params.max_seed_freq
    }
}

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Stage 0: the records of a JSON Lines file and the lines skipped, `(path:line, reason, path_bytes)`, read as
/// `cyberdiff scan` reads it (a file that cannot be read is one skipped entry).
#[pyfunction]
fn read_jsonl(
    py: Python<'_>,
    path: PathBuf,
    settings: &ScanSettings,
) -> (Vec<Record>, Vec<SkipRow>) {
    let read = settings.inner.read;
    let (docs, skipped) = py.detach(|| jsonl::read_jsonl(&path, &read));
    let records = docs
        .into_iter()
        .map(|d| {
            (
                d.line.expect("a record has a line"),
                d.doc.id,
                d.doc.date,
                d.title,
                d.source,
                d.doc.text,
                d.doc.bytes,
                d.doc.hash,
            )
        })
        .collect();
    let skipped = skipped.into_iter().map(skip_row).collect();
    (records, skipped)
}

/// The report's entry for a JSON Lines file (its size and hash as a whole).
#[pyfunction]
fn input_info(py: Python<'_>, path: PathBuf) -> PyResult<InputRow> {
    let i = py
        .detach(|| InputInfo::of_file(&path))
        .map_err(|e| PyOSError::new_err(format!("{e:#}")))?;
    Ok((i.path, i.path_bytes, i.bytes, i.xxh3))
}

/// Report order: for documents `(path, line, id, date)`, `(index, final id)` in the order of the
/// report, ids made unique as `cyberdiff scan` does.
#[pyfunction]
fn arrange(metas: Vec<(String, usize, String, Option<String>)>) -> Vec<(usize, String)> {
    let mut docs: Vec<CorpusDoc> = metas
        .into_iter()
        .enumerate()
        .map(|(i, (path, line, id, date))| CorpusDoc {
            doc: Document {
                id,
                path: path.into(),
                date,
                text: String::new(),
                // Carries the input's index through the sort (not read by it).
                bytes: i as u64,
                hash: String::new(),
            },
            title: None,
            source: None,
            note: None,
            line: Some(line),
        })
        .collect();
    walk::arrange(&mut docs);
    docs.into_iter()
        .map(|d| (d.doc.bytes as usize, d.doc.id))
        .collect()
}

/// Stage 1: a document's word count and its distinct n-gram keys (unmasked) with their counts,
/// sorted by key.
#[pyfunction]
fn doc_grams(py: Python<'_>, text: &str, settings: &ScanSettings) -> (usize, Vec<(i64, u32)>) {
    py.detach(|| {
        let g = stages::doc_grams(text, &settings.inner.params);
        let mut keys: Vec<u64> = g.grams.iter().map(|&(k, _)| k).collect();
        keys.sort_unstable();
        let mut out: Vec<(i64, u32)> = Vec::new();
        for k in keys {
            match out.last_mut() {
                Some((last, n)) if *last == k as i64 => *n += 1,
                _ => out.push((k as i64, 1)),
            }
        }
        (g.words, out)
    })
}

/// The mask grouping keys in a corpus of `n_docs` documents whose longest has `longest` words.
#[pyfunction]
fn key_mask(n_docs: usize, longest: usize) -> i64 {
    index::key_mask(n_docs, longest) as i64
}

/// Stage 2's rule for a pair linked through common keys.
#[pyfunction]
fn is_linked(links: usize, keys_a: usize, keys_b: usize, settings: &ScanSettings) -> bool {
    let ip = &settings.inner.scan.index;
    stages::is_linked(links, keys_a, keys_b, ip.min_shared, ip.link_share)
}

fn sorted_keys(keys: Vec<i64>) -> Vec<u64> {
    let mut k: Vec<u64> = keys.into_iter().map(|k| k as u64).collect();
    k.sort_unstable();
    k.dedup();
    k
}

/// Stage 3: a document's boilerplate runs, given the (masked) boilerplate keys it holds; `None`
/// when it has none.
#[pyfunction]
fn doc_boilerplate<'py>(
    py: Python<'py>,
    text: &str,
    settings: &ScanSettings,
    mask: i64,
    keys: Vec<i64>,
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let json = py.detach(|| {
        let b = stages::doc_boilerplate(
            text,
            &settings.inner.params,
            mask as u64,
            &sorted_keys(keys),
        );
        (!b.runs.is_empty()).then(|| serde_json::to_vec(&b).expect("serialisable"))
    });
    Ok(json.map(|j| PyBytes::new(py, &j)))
}

fn boilerplate_of(json: Option<&[u8]>) -> PyResult<DocBoilerplate> {
    json.map_or(Ok(DocBoilerplate::default()), |j| {
        serde_json::from_slice(j).map_err(value_error)
    })
}

/// Stage 4: verify a candidate pair (`a` the earlier document, by report number) and align it when
/// verified: `(shared, verified, aligned pair or None)`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn pair<'py>(
    py: Python<'py>,
    a: usize,
    a_text: &str,
    a_boilerplate: Option<&[u8]>,
    b: usize,
    b_text: &str,
    b_boilerplate: Option<&[u8]>,
    settings: &ScanSettings,
    mask: i64,
    keys: Vec<i64>,
    linked: bool,
) -> PyResult<(u32, bool, Option<Bound<'py, PyBytes>>)> {
    let (ba, bb) = (
        boilerplate_of(a_boilerplate)?,
        boilerplate_of(b_boilerplate)?,
    );
    let out = py.detach(|| {
        let s = &settings.inner;
        let keys = sorted_keys(keys);
        let sa = PairSide {
            doc: a,
            text: a_text,
            runs: &ba.runs,
        };
        let sb = PairSide {
            doc: b,
            text: b_text,
            runs: &bb.runs,
        };
        let out = stages::pair(
            &sa,
            &sb,
            &s.params,
            s.scan.index.min_shared,
            mask as u64,
            &keys,
            linked,
        );
        let json = out
            .result
            .map(|r| serde_json::to_vec(&r).expect("serialisable"));
        (out.shared, out.verified, json)
    });
    Ok((out.0, out.1, out.2.map(|j| PyBytes::new(py, &j))))
}

/// Stage 5: the scan's JSON (as `cyberdiff scan --json` writes it) from the documents in report
/// order, their word counts and boilerplate, the index's figures `(postings, ngrams, common_ngrams,
/// candidate_pairs, verified pairs (a, b, shared))`, the aligned pairs, the input files and the
/// skipped ones.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn assemble(
    py: Python<'_>,
    docs: Vec<DocRow>,
    words: Vec<usize>,
    boilerplate: Vec<Option<Bound<'_, PyBytes>>>,
    figures: FigureRow,
    pairs: Vec<Bound<'_, PyBytes>>,
    inputs: Vec<InputRow>,
    skipped: Vec<SkipRow>,
    settings: &ScanSettings,
) -> PyResult<String> {
    let n = docs.len();
    if words.len() != n || boilerplate.len() != n {
        return Err(PyValueError::new_err(format!(
            "{n} documents but {} word counts and {} boilerplate entries",
            words.len(),
            boilerplate.len()
        )));
    }
    let boilerplate: Vec<Option<Vec<u8>>> = boilerplate
        .iter()
        .map(|b| b.as_ref().map(|b| b.as_bytes().to_vec()))
        .collect();
    let pairs: Vec<Vec<u8>> = pairs.iter().map(|p| p.as_bytes().to_vec()).collect();
    py.detach(|| {
        let docs: Vec<CorpusDoc> = docs
            .into_iter()
            .map(
                |(path, line, id, date, title, source, text, bytes, hash)| CorpusDoc {
                    doc: Document {
                        id,
                        path: path.into(),
                        date,
                        text,
                        bytes,
                        hash,
                    },
                    title,
                    source,
                    note: None,
                    line,
                },
            )
            .collect();
        let boilerplate = boilerplate
            .iter()
            .map(|b| boilerplate_of(b.as_deref()))
            .collect::<PyResult<Vec<_>>>()?;
        let pairs = pairs
            .iter()
            .map(|p| serde_json::from_slice::<PairResult>(p).map_err(value_error))
            .collect::<PyResult<Vec<_>>>()?;
        let (postings, ngrams, common_ngrams, candidate_pairs, verified) = figures;
        let figures = Figures {
            postings,
            ngrams,
            common_ngrams,
            candidate_pairs,
            verified,
        };
        let s = &settings.inner;
        let scan = stages::assemble(
            &docs,
            words,
            boilerplate,
            figures,
            pairs,
            &s.params,
            &s.scan,
        );
        let mut inputs: Vec<InputInfo> = inputs
            .into_iter()
            .map(|(path, path_bytes, bytes, xxh3)| InputInfo {
                path,
                path_bytes,
                bytes,
                xxh3,
            })
            .collect();
        inputs.sort_by(|a, b| a.path.cmp(&b.path));
        inputs.dedup_by(|a, b| a.path == b.path);
        let mut skipped: Vec<Skipped> = skipped
            .into_iter()
            .map(|(path, reason, path_bytes)| Skipped {
                path,
                path_bytes,
                reason,
            })
            .collect();
        skipped.sort();
        let report = ScanReport::new(
            &docs, &scan, &s.params, &s.scan, inputs, skipped, !s.summary,
        );
        Ok(report.into_json(s.summary))
    })
}

/// The JSON Lines files under `paths` as `cyberdiff scan` finds them (sorted, without repeats, its
/// own pages left out), and what was skipped: what could not be walked, and files of other kinds
/// (the Spark job reads JSON Lines only).
#[pyfunction]
fn discover(py: Python<'_>, paths: Vec<PathBuf>) -> PyResult<Found> {
    py.detach(|| {
        let (files, skipped) = walk::discover(&paths, &WalkOptions::default())
            .map_err(|e| PyOSError::new_err(e.to_string()))?;
        let mut rows: Vec<SkipRow> = skipped.into_iter().map(skip_row).collect();
        let mut keep = Vec::new();
        for f in files {
            if walk::is_jsonl(&f) {
                keep.push(f);
            } else {
                let reason = "not JSON Lines: the Spark job reads .jsonl files only".to_owned();
                rows.push(skip_row(Skipped::new(&f, None, reason)));
            }
        }
        Ok((keep, rows))
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ScanSettings>()?;
    for f in [
        wrap_pyfunction!(read_jsonl, m)?,
        wrap_pyfunction!(input_info, m)?,
        wrap_pyfunction!(arrange, m)?,
        wrap_pyfunction!(doc_grams, m)?,
        wrap_pyfunction!(key_mask, m)?,
        wrap_pyfunction!(is_linked, m)?,
        wrap_pyfunction!(doc_boilerplate, m)?,
        wrap_pyfunction!(pair, m)?,
        wrap_pyfunction!(assemble, m)?,
        wrap_pyfunction!(discover, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
