//! JSON Lines corpora: one document per line, `{"id": ..., "text": ..., "date": ...}`, the field names
//! passim uses (`series` or `source` names the source; `title` is kept; other fields are ignored).
//!
//! Spans of such a document are byte offsets into its record's `text` as decoded from JSON. A line that
//! is not a JSON object with a string or number `id` and a non-blank string `text` is skipped and
//! reported with its line number; blank lines are ignored. A file that cannot be read as text is skipped
//! whole.

use std::path::Path;

use serde::Deserialize;

use super::walk::{CorpusDoc, Skipped};
use super::{Document, ReadOptions, date_from_name};

/// The fields of a record that cyberdiff reads; any others are ignored.
#[derive(Clone, Debug, Deserialize)]
pub struct Record {
    /// A non-empty string or a number.
    pub id: serde_json::Value,
    pub text: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, optionally followed by a time (kept to the day).
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// The source (passim's name), used when `source` is absent.
    #[serde(default)]
    pub series: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

/// Why a record is not a document: the reason its [`Skipped`] entry gives (the entry names the
/// file and line).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct RecordError {
    pub reason: String,
}

impl RecordError {
    fn new(reason: String) -> Self {
        Self { reason }
    }
}

/// The document of line `line` (1-based) of the JSON Lines file `path`, whose text is `text_of_line`
/// (not blank: the caller skips blank lines), or why it is not one.
pub fn record_doc(path: &Path, line: usize, text_of_line: &str) -> Result<CorpusDoc, RecordError> {
    let rec: Record = serde_json::from_str(text_of_line)
        .map_err(|e| RecordError::new(format!("not a record with \"id\" and \"text\": {e}")))?;
    doc_of_record(path, line, rec)
}

/// The document of a record already parsed (the Python package builds records from its own objects):
/// the rules of [`record_doc`] after parsing. `path` and `line` say where the record came from.
pub fn doc_of_record(path: &Path, line: usize, rec: Record) -> Result<CorpusDoc, RecordError> {
    let id = match &rec.id {
        serde_json::Value::String(s) if !s.is_empty() => super::clean_id(s.clone()),
        serde_json::Value::Number(x) => x.to_string(),
        _ => {
            return Err(RecordError::new(
                "\"id\" must be a non-empty string or a number".to_owned(),
            ));
        }
    };
    if rec.text.trim().is_empty() {
        return Err(RecordError::new(format!("record {id:?} has no text")));
    }
    // As in a text file, where a NUL byte makes it binary.
    if let Some(at) = rec.text.find('\0') {
        return Err(RecordError::new(format!(
            "record {id:?} looks binary (a NUL character at byte offset {at} of its text)"
        )));
    }
    let date = match rec.date {
        Some(d) => {
            // passim dates may carry a time ("2019-10-01T00:00:00Z"); the day is kept.
            let day = d.get(..10.min(d.len())).unwrap_or(&d).to_owned();
            match date_from_name(&day) {
                Some(x) => Some(x),
                None => {
                    return Err(RecordError::new(format!(
                        "record {id:?}: date {d:?} is not YYYY, YYYY-MM or YYYY-MM-DD"
                    )));
                }
            }
        }
        None => None,
    };
    let hash = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(rec.text.as_bytes()));
    Ok(CorpusDoc {
        doc: Document {
            id,
            path: path.to_path_buf(),
            date,
            bytes: rec.text.len() as u64,
            text: rec.text,
            hash,
        },
        title: rec.title,
        note: None,
        source: rec.source.or(rec.series),
        line: Some(line),
    })
}

/// The documents of one JSON Lines file, and the lines that could not be used.
pub fn read_jsonl(path: &Path, opts: &ReadOptions) -> (Vec<CorpusDoc>, Vec<Skipped>) {
    let skip_file = |reason: String| (Vec::new(), vec![Skipped::new(path, None, reason)]);
    let text = match super::read_document_bytes(path, opts.max_bytes)
        .and_then(|bytes| super::decode(path, bytes, opts.lossy))
    {
        Ok(t) => t,
        Err(e) => return skip_file(super::walk::skip_reason(&e)),
    };
    let mut docs = Vec::new();
    let mut skipped = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match record_doc(path, i + 1, line) {
            Ok(d) => docs.push(d),
            Err(e) => skipped.push(Skipped::new(path, Some(i + 1), e.reason)),
        }
    }
    (docs, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(line: &str) -> Result<CorpusDoc, RecordError> {
        record_doc(Path::new("c.jsonl"), 7, line)
    }

    #[test]
    fn a_record_is_a_document_of_its_line() {
        let d = doc(r#"{"id": 12, "text": "Respect for cyber sovereignty", "date": "2015-12-16T00:00:00Z", "series": "xinhua", "extra": [1]}"#)
            .expect("a good record");
        assert_eq!(d.doc.id, "12");
        assert_eq!(d.doc.date.as_deref(), Some("2015-12-16"));
        assert_eq!(d.doc.path, Path::new("c.jsonl"));
        assert_eq!(d.doc.bytes, 29);
        assert_eq!(d.source.as_deref(), Some("xinhua"));
        assert_eq!(d.line, Some(7));
        // `source` wins over passim's `series`.
        let d = doc(r#"{"id": "a", "text": "文本", "series": "s", "source": "t"}"#).expect("good");
        assert_eq!(d.source.as_deref(), Some("t"));
        assert_eq!(d.doc.date, None);
    }

    #[test]
    fn a_bad_record_says_why() {
        let reason = |line: &str| doc(line).map(|_| ()).unwrap_err().reason;
        assert!(reason("not json").starts_with("not a record with \"id\" and \"text\": "));
        assert!(reason(r#"{"id": "a"}"#).contains("missing field `text`"));
        assert_eq!(
            reason(r#"{"id": "", "text": "x"}"#),
            "\"id\" must be a non-empty string or a number"
        );
        assert_eq!(
            reason(r#"{"id": true, "text": "x"}"#),
            "\"id\" must be a non-empty string or a number"
        );
        assert_eq!(
            reason(r#"{"id": "a", "text": " \n"}"#),
            "record \"a\" has no text"
        );
        assert_eq!(
            reason(r#"{"id": "a", "text": "x\u0000y"}"#),
            "record \"a\" looks binary (a NUL character at byte offset 1 of its text)"
        );
        assert_eq!(
            reason(r#"{"id": "a", "text": "x", "date": "Oct 2019"}"#),
            "record \"a\": date \"Oct 2019\" is not YYYY, YYYY-MM or YYYY-MM-DD"
        );
    }
}
