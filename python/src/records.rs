//! Python records to the library's documents and statements, through the same rules as the command
//! line's inputs.
//!
//! A document record is a mapping with the fields of a JSON Lines record (`id`, `text`, optional
//! `date`, `title`, `series` or `source`; other keys are ignored, as passim's many fields are), and
//! becomes a document by `cyberdiff::corpus::jsonl::doc_of_record`, the rules a line of a `.jsonl`
//! file goes through; the corpus is then put in report order by `walk::arrange`. So a list of
//! records gives the report the command line gives for the same records written one a line, except
//! where each came from: a record's path is `<documents>` and its line its 1-based place in the list.
//! A date may be a `datetime.date` or `datetime.datetime` (its ISO form is read, to the day).
//!
//! A statement is a mapping with `id`, `text`, optional `group` and `aliases` (a list of strings), or
//! the path of a statements file (TOML), checked by `cyberdiff::track::check_statement` as the file's
//! statements are.

use std::path::{Path, PathBuf};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};

use cyberdiff::corpus::jsonl::{Record, doc_of_record};
use cyberdiff::corpus::{CorpusDoc, Skipped};
use cyberdiff::track::{RawStatement, Statement, check_statement};

/// The path given to records that come from Python.
pub const RECORDS_PATH: &str = "<documents>";

/// The documents of an iterable of records; a bad record raises `ValueError` naming it
/// (`documents[3]`), or, with `skip_bad`, is listed as skipped (`<documents>:4`, as the command line
/// lists a bad line of a `.jsonl` file).
pub fn documents(
    records: &Bound<'_, PyAny>,
    max_bytes: u64,
    skip_bad: bool,
) -> PyResult<(Vec<CorpusDoc>, Vec<Skipped>)> {
    if records.is_instance_of::<PyString>() || records.is_instance_of::<pyo3::types::PyBytes>() {
        return Err(PyTypeError::new_err(
            "documents must be an iterable of records ({\"id\", \"text\", \"date\"} dicts), not a string",
        ));
    }
    let mut docs = Vec::new();
    let mut skipped = Vec::new();
    for (i, item) in records.try_iter()?.enumerate() {
        let item = item?;
        match document(&item, i, max_bytes)? {
            Ok(d) => docs.push(d),
            Err(reason) if skip_bad => skipped.push(Skipped {
                path: format!("{RECORDS_PATH}:{}", i + 1),
                path_bytes: None,
                reason,
            }),
            Err(reason) => {
                return Err(PyValueError::new_err(format!("documents[{i}]: {reason}")));
            }
        }
    }
    Ok((docs, skipped))
}

/// One record as a document, or the reason it is not one (`Err` of the outer result: a Python
/// error while reading it, raised as it is).
fn document(
    item: &Bound<'_, PyAny>,
    i: usize,
    max_bytes: u64,
) -> PyResult<Result<CorpusDoc, String>> {
    if !item.hasattr("get")? || !item.hasattr("keys")? {
        return Ok(Err(format!(
            "a record is a mapping (a dict with \"id\", \"text\" and \"date\"), got {}",
            type_name(item)
        )));
    }
    let get = |key: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
        let v = item.call_method1("get", (key,))?;
        Ok((!v.is_none()).then_some(v))
    };
    let id = match get("id")? {
        None => serde_json::Value::Null,
        Some(v) if v.is_instance_of::<PyBool>() => serde_json::Value::Bool(v.extract()?),
        Some(v) if v.is_instance_of::<PyString>() => serde_json::Value::String(v.extract()?),
        Some(v) if v.is_instance_of::<PyInt>() => match v.extract::<i64>() {
            Ok(n) => n.into(),
            Err(_) => match v.extract::<u64>() {
                Ok(n) => n.into(),
                // As a JSON parser reads a number too large for 64 bits: a float.
                Err(_) => float_id(v.extract::<f64>().unwrap_or(f64::INFINITY)),
            },
        },
        Some(v) if v.is_instance_of::<PyFloat>() => float_id(v.extract()?),
        Some(_) => serde_json::Value::Null,
    };
    let named = match &id {
        serde_json::Value::String(s) => format!("record {s:?}"),
        serde_json::Value::Number(n) => format!("record {:?}", n.to_string()),
        _ => "the record".to_owned(),
    };
    let text = match get("text")? {
        Some(v) if v.is_instance_of::<PyString>() => v.extract::<String>()?,
        Some(v) => {
            return Ok(Err(format!(
                "{named}: \"text\" must be a string, got {}",
                type_name(&v)
            )));
        }
        None => return Ok(Err(format!("{named} has no \"text\""))),
    };
    if text.len() as u64 > max_bytes {
        return Ok(Err(format!(
            "{named} is {} bytes, over the limit of {max_bytes} bytes; raise it with max_bytes if you mean it",
            text.len()
        )));
    }
    let date = match get("date")? {
        None => None,
        Some(v) if v.is_instance_of::<PyString>() => Some(v.extract::<String>()?),
        // datetime.date and datetime.datetime: the ISO form, whose first ten characters are the day.
        Some(v) if v.hasattr("isoformat")? => {
            Some(v.call_method0("isoformat")?.extract::<String>()?)
        }
        Some(v) => {
            return Ok(Err(format!(
                "{named}: \"date\" must be a string (YYYY, YYYY-MM or YYYY-MM-DD) or a date, got {}",
                type_name(&v)
            )));
        }
    };
    let optional = |key: &str| -> PyResult<Result<Option<String>, String>> {
        Ok(match get(key)? {
            None => Ok(None),
            Some(v) if v.is_instance_of::<PyString>() => Ok(Some(v.extract()?)),
            Some(v) => Err(format!(
                "{named}: {key:?} must be a string, got {}",
                type_name(&v)
            )),
        })
    };
    let rec = Record {
        id,
        text,
        date,
        title: match optional("title")? {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        },
        series: match optional("series")? {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        },
        source: match optional("source")? {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        },
    };
    Ok(doc_of_record(Path::new(RECORDS_PATH), i + 1, rec).map_err(|e| e.reason))
}

fn float_id(x: f64) -> serde_json::Value {
    serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

/// Where statements come from: a statements file, or records given in Python.
pub enum Statements {
    File(PathBuf),
    Given(Vec<Statement>),
}

/// The statements argument of `track`: a path (`str` or `os.PathLike`) of a statements file, read
/// later with the GIL released, or an iterable of statement mappings, checked now.
pub fn statements(arg: &Bound<'_, PyAny>) -> PyResult<Statements> {
    if arg.is_instance_of::<PyString>() || arg.hasattr("__fspath__")? {
        return Ok(Statements::File(arg.extract::<PathBuf>()?));
    }
    let mut out: Vec<Statement> = Vec::new();
    for (i, item) in arg.try_iter()?.enumerate() {
        let item = item?;
        let bad = |m: String| PyValueError::new_err(format!("statements[{i}]: {m}"));
        if !item.hasattr("get")? || !item.hasattr("keys")? {
            return Err(bad(format!(
                "a statement is a mapping (a dict with \"id\" and \"text\"), got {}",
                type_name(&item)
            )));
        }
        let known = ["id", "text", "group", "aliases"];
        for key in item.call_method0("keys")?.try_iter()? {
            let key = key?;
            let name = key.str()?.to_string();
            if !known.contains(&name.as_str()) {
                return Err(bad(format!(
                    "unknown field {name:?} (a statement has id, text, group and aliases)"
                )));
            }
        }
        let get = |key: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
            let v = item.call_method1("get", (key,))?;
            Ok((!v.is_none()).then_some(v))
        };
        let string = |key: &str| -> PyResult<Option<String>> {
            match get(key)? {
                None => Ok(None),
                Some(v) if v.is_instance_of::<PyString>() => Ok(Some(v.extract()?)),
                Some(v) => Err(bad(format!(
                    "{key:?} must be a string, got {}",
                    type_name(&v)
                ))),
            }
        };
        let id = string("id")?.ok_or_else(|| bad("no \"id\"".to_owned()))?;
        let text =
            string("text")?.ok_or_else(|| bad(format!("statement {id:?} has no \"text\"")))?;
        let group = string("group")?;
        let aliases = match get("aliases")? {
            None => Vec::new(),
            Some(v) if v.is_instance_of::<PyString>() => {
                return Err(bad(format!(
                    "statement {id:?}: \"aliases\" must be a list of strings, not a string"
                )));
            }
            Some(v) => {
                let mut list = Vec::new();
                for a in v.try_iter()? {
                    let a = a?;
                    if !a.is_instance_of::<PyString>() {
                        return Err(bad(format!(
                            "statement {id:?}: an alias must be a string, got {}",
                            type_name(&a)
                        )));
                    }
                    list.push(a.extract::<String>()?);
                }
                list
            }
        };
        let raw = RawStatement {
            id,
            group,
            text,
            aliases,
        };
        let at = |s: &Statement| format!("statements[{}]", s.line - 1);
        out.push(check_statement(raw, i + 1, &out, &at).map_err(bad)?);
    }
    if out.is_empty() {
        return Err(PyValueError::new_err(
            "no statements: give {\"id\", \"text\"} dicts, or the path of a statements file",
        ));
    }
    Ok(Statements::Given(out))
}
