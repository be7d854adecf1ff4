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

#[derive(Deserialize)]
struct Record {
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    series: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

/// The documents of one JSON Lines file, and the lines that could not be used.
pub fn read_jsonl(path: &Path, opts: &ReadOptions) -> (Vec<CorpusDoc>, Vec<Skipped>) {
    let skip_file = |reason: String| {
        (
            Vec::new(),
            vec![Skipped {
                path: path.display().to_string(),
                reason,
            }],
        )
    };
    let text = match super::read_document_bytes(path, opts.max_bytes)
        .and_then(|bytes| super::decode(path, bytes, opts.lossy))
    {
        Ok(t) => t,
        Err(e) => return skip_file(super::walk::skip_reason(&e)),
    };
    let mut docs = Vec::new();
    let mut skipped = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |reason: String| Skipped {
            path: format!("{}:{n}", path.display()),
            reason,
        };
        let rec: Record = match serde_json::from_str(line) {
            Ok(r) => r,
            Err(e) => {
                skipped.push(bad(format!("not a record with \"id\" and \"text\": {e}")));
                continue;
            }
        };
        let id = match &rec.id {
            serde_json::Value::String(s) if !s.is_empty() => super::clean_id(s.clone()),
            serde_json::Value::Number(x) => x.to_string(),
            _ => {
                skipped.push(bad(
                    "\"id\" must be a non-empty string or a number".to_owned()
                ));
                continue;
            }
        };
        if rec.text.trim().is_empty() {
            skipped.push(bad(format!("record {id:?} has no text")));
            continue;
        }
        // As in a text file, where a NUL byte makes it binary.
        if let Some(at) = rec.text.find('\0') {
            skipped.push(bad(format!(
                "record {id:?} looks binary (a NUL character at byte offset {at} of its text)"
            )));
            continue;
        }
        let date = match rec.date {
            Some(d) => {
                // passim dates may carry a time ("2019-10-01T00:00:00Z"); the day is kept.
                let day = d.get(..10.min(d.len())).unwrap_or(&d).to_owned();
                match date_from_name(&day) {
                    Some(x) => Some(x),
                    None => {
                        skipped.push(bad(format!(
                            "record {id:?}: date {d:?} is not YYYY, YYYY-MM or YYYY-MM-DD"
                        )));
                        continue;
                    }
                }
            }
            None => None,
        };
        let hash = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(rec.text.as_bytes()));
        docs.push(CorpusDoc {
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
            line: Some(n),
        });
    }
    (docs, skipped)
}
