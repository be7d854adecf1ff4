//! Dedup: which documents and paragraphs of a corpus are duplicates, and a copy of the corpus without
//! them.
//!
//! Takes a scan's duplicates and tokenised corpus ([`crate::scan::Scan`]) and gives a [`DedupPlan`]: documents in date order, each one that is an `exact` or
//! `near` duplicate of an earlier document that is kept is removed (so the earliest copy stays;
//! `contained` documents are listed by the scan but kept); then, in the kept documents, a paragraph
//! (text between blank lines) of at least `min_words` words whose normalised words equal those of an
//! earlier kept paragraph is a repeat, and is removed unless paragraphs are kept. Writing the copy never
//! touches the inputs: the target folder must be new or empty and outside every input folder, and every
//! file is written atomically.

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;

use crate::corpus::CorpusDoc;
use crate::index::Tokenized;
use crate::scan::{DupKind, Duplicate};

/// A document removed as a duplicate of an earlier one.
#[derive(Clone, Debug)]
pub struct RemovedDoc {
    pub doc: usize,
    pub kind: DupKind,
    pub of: usize,
    pub share: f64,
}

/// A paragraph removed as a repeat of an earlier one.
#[derive(Clone, Debug)]
pub struct RepeatedParagraph {
    pub doc: usize,
    pub span: Range<usize>,
    pub first_doc: usize,
    pub first_span: Range<usize>,
    pub words: usize,
}

/// What deduplication removes.
#[derive(Clone, Debug, Default)]
pub struct DedupPlan {
    pub removed: Vec<RemovedDoc>,
    pub paragraphs: Vec<RepeatedParagraph>,
}

impl DedupPlan {
    /// Whether document `d` is removed.
    pub fn is_removed(&self, d: usize) -> bool {
        self.removed.iter().any(|r| r.doc == d)
    }
}

/// Paragraphs of `text`: byte ranges between blank lines, trimmed of surrounding white space.
pub fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut last_end = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        if blank {
            if let Some(s) = start.take() {
                out.push(s..last_end);
            }
        } else {
            let lead = line.len() - line.trim_start().len();
            if start.is_none() {
                start = Some(pos + lead);
            }
            last_end = pos + line.trim_end().len();
        }
        pos += line.len();
    }
    if let Some(s) = start {
        out.push(s..last_end);
    }
    out
}

/// Decide what to remove from a scanned corpus: `duplicates` are the scan's, `tokenized` the corpus
/// as the scan tokenised it.
pub fn plan(
    docs: &[CorpusDoc],
    duplicates: &[Duplicate],
    tokenized: &Tokenized,
    min_words: usize,
    keep_paragraphs: bool,
) -> DedupPlan {
    let mut plan = DedupPlan::default();
    let mut removed = vec![false; docs.len()];
    let mut dups: Vec<_> = duplicates
        .iter()
        .filter(|d| matches!(d.kind, DupKind::Exact | DupKind::Near))
        .collect();
    dups.sort_by_key(|d| (d.b, d.kind, d.a));
    for d in dups {
        if !removed[d.a] && !removed[d.b] {
            removed[d.b] = true;
            plan.removed.push(RemovedDoc {
                doc: d.b,
                kind: d.kind,
                of: d.a,
                share: d.b_share,
            });
        }
    }
    if keep_paragraphs {
        return plan;
    }
    let mut first: HashMap<u64, (usize, Range<usize>)> = HashMap::new();
    for (d, doc) in docs.iter().enumerate() {
        if removed[d] {
            continue;
        }
        let text = &doc.doc.text;
        let tokens = tokenized.tokens(d, text);
        for para in paragraphs(text) {
            let lo = tokens.partition_point(|t| (t.start as usize) < para.start);
            let hi = tokens.partition_point(|t| (t.end as usize) <= para.end);
            if hi <= lo || hi - lo < min_words {
                continue;
            }
            let bytes: Vec<u8> = tokens[lo..hi]
                .iter()
                .flat_map(|t| t.id.0.to_le_bytes())
                .collect();
            let key = xxhash_rust::xxh3::xxh3_64(&bytes);
            match first.get(&key) {
                Some((fd, fs)) => plan.paragraphs.push(RepeatedParagraph {
                    doc: d,
                    span: para,
                    first_doc: *fd,
                    first_span: fs.clone(),
                    words: hi - lo,
                }),
                None => {
                    first.insert(key, (d, para));
                }
            }
        }
    }
    plan
}

/// `text` without the byte ranges `cut` (sorted, disjoint), each with the line break after it.
pub fn cut_paragraphs(text: &str, cut: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in cut {
        out.push_str(&text[at..r.start]);
        let mut end = r.end;
        // Drop the rest of the paragraph's last line and the blank lines after it.
        let rest = &text[end..];
        let skip = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
        end += skip;
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// A document removed, as reported.
#[derive(Debug, Serialize)]
pub struct RemovedDocInfo {
    pub id: String,
    pub path: String,
    /// The path with each byte that is not UTF-8 as `\xNN` (and `\` as `\\`), present only when
    /// the path is not valid UTF-8 (`path` then holds U+FFFD in its place): [`crate::report::path_bytes`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub kind: DupKind,
    pub duplicate_of: String,
    /// Share of the removed document's words in passages shared with the kept one.
    pub share: f64,
}

/// A paragraph removed, as reported.
#[derive(Debug, Serialize)]
pub struct ParagraphInfo {
    pub document: String,
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub words: usize,
    pub first_document: String,
    pub first_line: usize,
    pub text: String,
}

/// The report of `cyberdiff dedup` (also written as `removed.json` into `--out`).
#[derive(Debug, Serialize)]
pub struct DedupReport {
    pub schema_version: u32,
    pub command: &'static str,
    pub manifest: crate::report::scan::ScanManifest,
    pub skipped: Vec<crate::corpus::Skipped>,
    pub documents: usize,
    pub kept: usize,
    pub removed_documents: Vec<RemovedDocInfo>,
    pub repeated_paragraphs: Vec<ParagraphInfo>,
    /// Files written into `--out`, relative to it.
    pub written: Vec<String>,
}

impl DedupReport {
    /// The report of a plan over `docs`.
    pub fn new(
        docs: &[CorpusDoc],
        plan: &DedupPlan,
        manifest: crate::report::scan::ScanManifest,
        skipped: Vec<crate::corpus::Skipped>,
    ) -> Self {
        let line = |d: usize, at: usize| {
            let t = &docs[d].doc.text;
            t[..at].matches('\n').count() + 1
        };
        Self {
            schema_version: crate::report::SCHEMA_VERSION,
            command: "dedup",
            manifest,
            skipped,
            documents: docs.len(),
            kept: docs.len() - plan.removed.len(),
            removed_documents: plan
                .removed
                .iter()
                .map(|r| RemovedDocInfo {
                    id: docs[r.doc].doc.id.clone(),
                    path: docs[r.doc].doc.path.display().to_string(),
                    path_bytes: crate::report::path_bytes(&docs[r.doc].doc.path),
                    line: docs[r.doc].line,
                    kind: r.kind,
                    duplicate_of: docs[r.of].doc.id.clone(),
                    share: r.share,
                })
                .collect(),
            repeated_paragraphs: plan
                .paragraphs
                .iter()
                .map(|p| ParagraphInfo {
                    document: docs[p.doc].doc.id.clone(),
                    start: p.span.start,
                    end: p.span.end,
                    line: line(p.doc, p.span.start),
                    words: p.words,
                    first_document: docs[p.first_doc].doc.id.clone(),
                    first_line: line(p.first_doc, p.first_span.start),
                    text: docs[p.doc].doc.text[p.span.clone()].to_owned(),
                })
                .collect(),
            written: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_cut_at_blank_lines() {
        let t = "  one two\nthree\n\n \r\nfour five\r\n\nsix";
        let ps = paragraphs(t);
        let texts: Vec<&str> = ps.iter().map(|r| &t[r.clone()]).collect();
        assert_eq!(texts, ["one two\nthree", "four five", "six"]);
        assert_eq!(cut_paragraphs(t, &ps[1..2]), "  one two\nthree\n\n \r\nsix");
    }
}
