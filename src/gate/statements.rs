//! The `statement-status` rule: tracked statements whose status changes along the corpus.
//!
//! Takes a [`Tracking`] (the engine of `cyberdiff track`: each statement × each document in date
//! order, with the best occurrence's status and passage) and gives a [`Finding`] wherever a
//! statement's status in a document differs from its status in the previous document in date order:
//! - it **appears** (absent before, present now; the first appearance or a return),
//! - its **status** changes (repeated → reworded, reworded → expanded, ...),
//! - its **wording** changes (same status, other normalised and stemmed passage words),
//! - it is **dropped** (present before, absent now; optional, `statement_dropped`).
//!
//! A finding's fingerprint is the xxh3 of the statement's id and text, the status and the normalised,
//! stemmed words of the passage now, and the same of the previous document: content only, never a
//! path, a date or an offset. Renaming or moving a file, or editing a part of a document away from
//! the passages, gives the same fingerprints, as long as the date order of the documents is the same
//! (a rename that changes a document's date moves it in the history, and changes its neighbours).
//!
//! For `check`, `statement_findings` tracks the statements through every document of the state
//! whenever the corpus or the statements changed (tracking weighs words by their frequency over
//! every document, so a new document can change any cell), and reuses the cached findings
//! (`track.bin`, keyed by [`track_key`]) when nothing did.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3;

use super::cache;
use super::config::CheckSettings;
use super::plan::{CacheInfo, Warn, read_old, warn_unsaved};
use super::state::{Lines, State, snippet};
use super::{Finding, Location, PathName, Rule, SourceRef, Status, distinct, hex, whole};
use crate::Error;
use crate::corpus::{Document, ReadOptions};
use crate::track::{self, MatchParams, Statement, Status as Seen, Tracking};

/// A statement's best passage in one document.
struct Passage<'a> {
    doc: &'a Document,
    status: Seen,
    /// The normalised, stemmed words, space-separated.
    words: String,
    location: Location,
}

fn passage<'a>(t: &Tracking<'a>, s: usize, d: usize) -> Option<Passage<'a>> {
    let found = t.cell(s, d).occurrences.first()?;
    let o = &found.occurrence;
    let doc = t.documents[d];
    let words = t.document_words[d][o.words.clone()]
        .iter()
        .map(|w| w.stem.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let lines = Lines::new(&doc.text);
    let (line, column) = lines.locate(&doc.text, o.span.start);
    let (end_line, end_column) = lines.locate(&doc.text, o.span.end);
    Some(Passage {
        doc,
        status: o.status,
        words,
        location: Location {
            path: doc.path.to_string_lossy().into_owned(),
            path_bytes: crate::report::path_bytes(&doc.path),
            line,
            column,
            end_line,
            end_column,
            text: snippet(&doc.text[o.span.clone()]),
            source: None,
        },
    })
}

fn fingerprint(st: &Statement, now: Option<&Passage>, before: Option<&Passage>) -> String {
    let mut h = Xxh3::new();
    for part in [
        "statement-status",
        st.id.as_str(),
        st.text.as_str(),
        now.map_or("absent", |p| p.status.name()),
        now.map_or("", |p| p.words.as_str()),
        before.map_or("absent", |p| p.status.name()),
        before.map_or("", |p| p.words.as_str()),
    ] {
        h.update(part.as_bytes());
        h.update(&[0]);
    }
    hex(h.digest())
}

fn quote(s: &str) -> String {
    let short: String = s.chars().take(60).collect();
    if short.len() < s.len() {
        format!("\"{short}…\"")
    } else {
        format!("\"{short}\"")
    }
}

/// The findings of a tracking, in document (date) order, then statement order.
pub fn findings(t: &Tracking, dropped: bool) -> Vec<Finding> {
    let mut out: Vec<(usize, usize, Finding)> = Vec::new();
    for (s, st) in t.statements.iter().enumerate() {
        let name = format!("statement {} {}", st.id, quote(&st.text));
        let mut before: Option<Passage> = None;
        let mut seen = false;
        for d in 0..t.documents.len() {
            let now = passage(t, s, d);
            let this = PathName::of(&t.documents[d].path);
            let path = this.shown();
            let message = match (&now, &before) {
                (None, None) => None,
                (Some(n), None) if !seen => Some(format!(
                    "{name} first appears in {path}, {}: {}",
                    n.status.name(),
                    quote(&n.location.text)
                )),
                (Some(n), None) => Some(format!(
                    "{name} reappears in {path}, {}: {} (absent from {})",
                    n.status.name(),
                    quote(&n.location.text),
                    PathName::of(&t.documents[d - 1].path).shown()
                )),
                (None, Some(b)) if dropped => Some(format!(
                    "{name} is absent from {path} ({} in {}, line {})",
                    b.status.name(),
                    b.location.shown_path(),
                    b.location.line
                )),
                (None, Some(_)) => None,
                (Some(n), Some(b)) if n.status != b.status => Some(format!(
                    "{name} goes from {} ({}, line {}) to {} in {path}: {}",
                    b.status.name(),
                    b.location.shown_path(),
                    b.location.line,
                    n.status.name(),
                    quote(&n.location.text),
                )),
                (Some(n), Some(b)) if n.words != b.words => Some(format!(
                    "{name} is {} in new words in {path}: {} (was {} in {}, line {})",
                    n.status.name(),
                    quote(&n.location.text),
                    quote(&b.location.text),
                    b.location.shown_path(),
                    b.location.line
                )),
                (Some(_), Some(_)) => None,
            };
            if let Some(message) = message {
                let source = before.as_ref().map(|b| SourceRef {
                    path: b.location.path.clone(),
                    path_bytes: b.location.path_bytes.clone(),
                    line: b.location.line,
                });
                let mut location = now
                    .as_ref()
                    .map_or_else(|| whole(&this), |n| n.location.clone());
                location.source = source;
                let earlier = before.as_ref().map(|b| PathName::of(&b.doc.path));
                let (documents, documents_bytes) =
                    super::documents(std::iter::once(&this).chain(earlier.as_ref()));
                out.push((
                    d,
                    s,
                    Finding {
                        rule: Rule::StatementStatus,
                        status: Status::New,
                        fingerprint: fingerprint(st, now.as_ref(), before.as_ref()),
                        message,
                        documents,
                        documents_bytes,
                        share: None,
                        locations: vec![location],
                    },
                ));
            }
            seen |= now.is_some();
            before = now;
        }
    }
    out.sort_by_key(|x| (x.0, x.1));
    let mut v: Vec<Finding> = out.into_iter().map(|x| x.2).collect();
    distinct(&mut v);
    v
}

/// Track `statements` through `docs` (the matcher's default parameters, as `cyberdiff track`) and
/// give the findings.
pub fn check(statements: &[Statement], docs: &[Document], dropped: bool) -> Vec<Finding> {
    let t = track::track(statements, docs, &MatchParams::default());
    findings(&t, dropped)
}

/// A statements file, parsed, and the xxh3 of its bytes.
pub fn load_statements(path: &Path) -> Result<(Vec<Statement>, u64), Error> {
    // Bounded like every side file (as `track` reads statements); the bytes are kept for the hash.
    let bytes = crate::corpus::read_bounded_as(
        path,
        crate::corpus::SIDE_FILE_MAX_BYTES,
        "a statements file",
    )?;
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    let text = crate::corpus::decode(path, bytes, false)?;
    Ok((track::parse_statements(path, &text)?, hash))
}

/// What the statement findings are computed from: the statements, the matcher's settings and every
/// document as tracked (path, record line, id, date, text).
pub fn track_key(statements_hash: u64, dropped: bool, state: &State) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&statements_hash.to_le_bytes());
    h.update(format!("{:?} {dropped}", track::MatchParams::default()).as_bytes());
    for s in state.order() {
        let d = &state.docs[s as usize];
        h.update(d.path.as_os_str().as_encoded_bytes());
        h.update(&[0]);
        for part in [d.id.as_str(), d.date.as_deref().unwrap_or("-")] {
            h.update(part.as_bytes());
            h.update(&[0]);
        }
        h.update(&d.line.unwrap_or(0).to_le_bytes());
        h.update(&d.text_hash.to_le_bytes());
    }
    h.digest()
}

/// Every document's text by slot, each verified against the state's text hash (a JSON Lines file is
/// read once for all its records).
fn read_all(state: &State, read: ReadOptions) -> Result<Vec<String>, Error> {
    let mut jsonl: Vec<&Path> = state
        .docs
        .iter()
        .filter(|d| d.line.is_some())
        .map(|d| d.path.as_path())
        .collect();
    jsonl.sort_unstable();
    jsonl.dedup();
    let records: HashMap<(&Path, u32), String> = jsonl
        .par_iter()
        .flat_map_iter(|&p| {
            crate::corpus::jsonl::read_jsonl(p, &read)
                .0
                .into_iter()
                .filter_map(move |x| Some(((p, x.line? as u32), x.doc.text)))
        })
        .collect();
    let reader = read_old(read);
    state
        .docs
        .par_iter()
        .map(|d| {
            let text = match d.line {
                None => reader(d)?,
                Some(line) => records
                    .get(&(d.path.as_path(), line))
                    .filter(|t| xxhash_rust::xxh3::xxh3_64(t.as_bytes()) == d.text_hash)
                    .cloned()
                    .ok_or_else(|| {
                        format!(
                            "{}:{line} changed while it was read",
                            crate::report::path_shown(&d.path)
                        )
                    })?,
            };
            Ok(text)
        })
        .collect::<Result<Vec<String>, String>>()
        .map_err(|e| {
            Error::Changed(format!(
                "reading the corpus to track the statements (run check again): {e}"
            ))
        })
}

/// The statement-status findings: reused from the cache when nothing changed, else tracked through
/// every document (`texts` by slot when a full build has them).
pub(crate) fn statement_findings(
    r: &CheckSettings,
    (statements, statements_hash): &(Vec<Statement>, u64),
    state: &State,
    texts: Option<Vec<String>>,
    info: &mut CacheInfo,
    warn: &Warn,
) -> Result<Vec<Finding>, Error> {
    let dropped = r.thresholds.statement_dropped;
    let key = track_key(*statements_hash, dropped, state);
    if let Some(dir) = &r.cache {
        match cache::load_tracked(dir, key) {
            Ok(Some(found)) => {
                info.statements = Some("unchanged");
                return Ok(found);
            }
            Ok(None) => {}
            Err(cache::Invalid(why)) => {
                warn(&format!(
                    "statement cache not used and rebuilt: {}",
                    crate::report::printable_line(&why)
                ));
            }
        }
    }
    let texts = match texts {
        Some(t) => t,
        None => {
            info.documents_read = state.docs.len();
            read_all(state, r.read)?
        }
    };
    let docs: Vec<Document> = state
        .docs
        .iter()
        .zip(texts)
        .map(|(d, text)| Document {
            id: d.id.clone(),
            path: PathBuf::from(&d.path),
            date: d.date.clone(),
            text,
            bytes: d.meta.size,
            hash: format!("{:016x}", d.file_hash),
        })
        .collect();
    let found = check(statements, &docs, dropped);
    if let Some(dir) = &r.cache {
        warn_unsaved(cache::write_tracked(dir, key, &found), warn);
    }
    info.statements = Some("tracked");
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn doc(id: &str, text: &str) -> Document {
        Document {
            id: id.into(),
            path: PathBuf::from(format!("c/{id}.txt")),
            date: Some(id[..4].into()),
            text: text.into(),
            bytes: text.len() as u64,
            hash: String::new(),
        }
    }

    fn statement() -> Vec<Statement> {
        vec![Statement {
            id: "s1".into(),
            group: None,
            text: "Building an online platform for cultural exchanges and mutual learning".into(),
            aliases: vec![],
            line: 1,
        }]
    }

    const FILLER: &str =
        "The weather report said rain would fall over the northern hills tomorrow.\n";

    #[test]
    fn appears_changes_and_drops_with_content_fingerprints() {
        let docs = vec![
            doc("2001_a", FILLER),
            doc(
                "2002_b",
                "We propose building an online platform for cultural exchanges and mutual learning.\n",
            ),
            doc(
                "2003_c",
                "Filler line.\nWe propose building an online platform for cultural exchanges and mutual learning.\n",
            ),
            doc("2004_d", FILLER),
        ];
        let f = check(&statement(), &docs, true);
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(f.len(), 2, "{msgs:#?}");
        assert!(
            msgs[0].contains("first appears in c/2002_b.txt"),
            "{}",
            msgs[0]
        );
        assert_eq!(f[0].locations[0].line, 1);
        assert!(
            msgs[1].contains("is absent from c/2004_d.txt"),
            "{}",
            msgs[1]
        );
        assert_eq!(
            f[1].locations[0].source.as_ref().unwrap().path,
            "c/2003_c.txt"
        );
        assert_eq!(f[1].locations[0].source.as_ref().unwrap().line, 2);
        assert!(
            check(&statement(), &docs, false).len() == 1,
            "drops can be left out"
        );
        // Other paths and an edit elsewhere: the same fingerprints.
        let mut moved = docs.clone();
        for d in &mut moved {
            d.path = PathBuf::from("elsewhere").join(d.path.file_name().unwrap());
        }
        moved[1]
            .text
            .push_str("An unrelated closing sentence about the harvest.\n");
        let g = check(&statement(), &moved, true);
        let fps = |v: &[Finding]| v.iter().map(|f| f.fingerprint.clone()).collect::<Vec<_>>();
        assert_eq!(fps(&f), fps(&g));
    }

    #[test]
    fn a_statement_coming_back_in_the_same_words_is_a_new_finding() {
        let present =
            "We propose building an online platform for cultural exchanges and mutual learning.\n";
        let docs = vec![
            doc("2001_a", present),
            doc("2002_b", FILLER),
            doc("2003_c", present),
        ];
        let f = check(&statement(), &docs, true);
        assert_eq!(f.len(), 3);
        assert!(f[2].message.contains("reappears"), "{}", f[2].message);
        assert_ne!(f[0].fingerprint, f[2].fingerprint);
    }
}
