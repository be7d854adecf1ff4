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

use xxhash_rust::xxh3::Xxh3;

use super::state::{Lines, snippet};
use super::{Finding, Location, PathName, Rule, SourceRef, Status, distinct, hex, whole};
use crate::corpus::Document;
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
