//! Reports: one serde model of a comparison, and its renderers (JSON, HTML, terminal).
//!
//! Takes a [`Comparison`] and the two documents and gives a [`CompareReport`]: schema version, manifest
//! (tool version, parameters, content hash of every input), both documents, a summary and every passage
//! with byte spans, 1-based line and column, the text as written and the word diff. Field order is the
//! struct order; nothing depends on time, thread count or hash-map order, so the same inputs give
//! byte-identical JSON.

pub mod html;
pub mod index;
pub mod json;
pub mod page;
pub mod scan;
pub mod terminal;
pub mod track;

use std::ops::Range;

use serde::Serialize;

use crate::Comparison;
use crate::align::{Kind, OpTag, Params, Passage, coverage};
use crate::corpus::Document;
use crate::relate::Relation;
use crate::text::Token;

/// The version of the JSON schema documented in the README.
pub const SCHEMA_VERSION: u32 = 1;

/// What produced a report, from what.
#[derive(Debug, Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub version: &'static str,
    pub parameters: Params,
    pub inputs: Vec<InputInfo>,
}

/// One input file and the hash of its bytes.
#[derive(Clone, Debug, Serialize)]
pub struct InputInfo {
    pub path: String,
    /// The path with each byte that is not UTF-8 as `\xNN` (and `\` as `\\`), present only when
    /// the path is not valid UTF-8 (`path` then holds U+FFFD in its place): [`path_bytes`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
    pub bytes: u64,
    pub xxh3: String,
}

impl InputInfo {
    /// The entry of a file read whole (a JSON Lines corpus, a statements file): the hash of its bytes.
    pub fn of_file(path: &std::path::Path) -> Result<Self, crate::Error> {
        let bytes = std::fs::read(path).map_err(|cause| crate::Error::Io {
            path: path.to_path_buf(),
            cause,
        })?;
        Ok(Self {
            path: path.display().to_string(),
            path_bytes: path_bytes(path),
            bytes: bytes.len() as u64,
            xxh3: format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes)),
        })
    }
}

impl Manifest {
    /// The manifest of a run over `docs` with `params`.
    pub fn new(params: &Params, docs: &[&Document]) -> Self {
        Self {
            tool: "cyberdiff",
            version: env!("CARGO_PKG_VERSION"),
            parameters: params.clone(),
            inputs: docs
                .iter()
                .map(|d| InputInfo {
                    path: d.path.display().to_string(),
                    path_bytes: path_bytes(&d.path),
                    bytes: d.bytes,
                    xxh3: d.hash.clone(),
                })
                .collect(),
        }
    }
}

/// A path that is not valid UTF-8 (Linux allows any bytes but `/` and NUL in a name) written so that
/// it can be found again: its UTF-8 parts as they are, `\` doubled, each other byte as `\xNN`
/// (two upper-case hex digits). `None` for a UTF-8 path, which `path` gives exactly.
pub fn path_bytes(p: &std::path::Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::fmt::Write as _;
        use std::os::unix::ffi::OsStrExt;
        let bytes = p.as_os_str().as_bytes();
        if std::str::from_utf8(bytes).is_ok() {
            return None;
        }
        let mut out = String::with_capacity(bytes.len() + 8);
        for chunk in bytes.utf8_chunks() {
            out.push_str(&chunk.valid().replace('\\', "\\\\"));
            for b in chunk.invalid() {
                let _ = write!(out, "\\x{b:02X}");
            }
        }
        Some(out)
    }
    #[cfg(not(unix))]
    {
        // Elsewhere a path that is not Unicode is unpaired UTF-16, which has no byte form.
        let _ = p;
        None
    }
}

/// The bytes of a path from its [`path_bytes`] form.
pub fn path_bytes_unescaped(escaped: &str) -> Vec<u8> {
    let b = escaped.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if b.get(i + 1) == Some(&b'\\') {
                out.push(b'\\');
                i += 2;
                continue;
            }
            let hex = escaped.get(i + 2..i + 4);
            if b.get(i + 1) == Some(&b'x')
                && let Some(x) = hex.and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(x);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// A path for a person to read: [`path_bytes`] for a path that is not UTF-8 (two such paths
/// differing only in their invalid bytes would print the same), else the path itself.
pub fn path_shown(p: &std::path::Path) -> String {
    path_bytes(p).unwrap_or_else(|| p.display().to_string())
}

/// A document as reports describe it.
#[derive(Debug, Serialize)]
pub struct DocInfo {
    pub id: String,
    pub path: String,
    /// The path with each byte that is not UTF-8 as `\xNN` (and `\` as `\\`), present only when
    /// the path is not valid UTF-8 (`path` then holds U+FFFD in its place): [`path_bytes`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
    pub date: Option<String>,
    pub bytes: u64,
    pub words: usize,
}

impl DocInfo {
    fn new(d: &Document, words: usize) -> Self {
        Self {
            id: d.id.clone(),
            path: d.path.display().to_string(),
            path_bytes: path_bytes(&d.path),
            date: d.date.clone(),
            bytes: d.bytes,
            words,
        }
    }
}

/// Passage counts by kind.
#[derive(Debug, Default, Serialize)]
pub struct KindCounts {
    pub repeated: usize,
    pub reworded: usize,
    pub expanded: usize,
    pub condensed: usize,
}

impl KindCounts {
    fn add(&mut self, k: Kind) {
        match k {
            Kind::Repeated => self.repeated += 1,
            Kind::Reworded => self.reworded += 1,
            Kind::Expanded => self.expanded += 1,
            Kind::Condensed => self.condensed += 1,
        }
    }

    /// The count for one kind.
    pub fn get(&self, k: Kind) -> usize {
        match k {
            Kind::Repeated => self.repeated,
            Kind::Reworded => self.reworded,
            Kind::Expanded => self.expanded,
            Kind::Condensed => self.condensed,
        }
    }
}

/// Summary figures of a comparison.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Share of A's words inside some passage.
    pub a_reused_share: f64,
    /// Share of B's words inside some passage.
    pub b_reused_share: f64,
    pub passages: usize,
    pub kinds: KindCounts,
}

/// A span of one side of a passage.
#[derive(Debug, Serialize)]
pub struct SpanInfo {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub words: usize,
    /// Left out of a scan's `--json-summary`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// One step of a word diff, with the words as written on each side.
#[derive(Debug, Serialize)]
pub struct OpInfo {
    pub op: OpTag,
    pub a: String,
    pub b: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fuzzy: bool,
    /// For a replacement of related words: how they are related (fuzzy, compound, derived, synonym,
    /// affix).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
}

/// Why the reworded tier reported a passage (absent for passages of the exact aligner).
#[derive(Debug, Serialize)]
pub struct EvidenceInfo {
    /// The rule that accepted it: `two_sided` (enough matches, both coverages) or `supported` (a
    /// short match with another passage nearby on both sides).
    pub rule: &'static str,
    /// IDF-weighted share of A's content words in the passage that are matched.
    pub coverage_a: f64,
    pub coverage_b: f64,
    /// Sum of the pairs' weights.
    pub weight: f64,
    /// Pairs on the longest chain in the same order on both sides (the rest are reordered).
    pub in_order: usize,
    /// log10 of the number of sentence pairs of the two texts expected to hold such matches by
    /// chance (BLAST's E-value, with sentences for positions).
    pub log_expected: f64,
    /// The one-to-one content word matches.
    pub pairs: Vec<PairEvidence>,
}

/// One matched word pair of the reworded tier.
#[derive(Debug, Serialize)]
pub struct PairEvidence {
    pub a: String,
    pub b: String,
    pub relation: Relation,
    /// The relation's weight times the mean IDF of the two words.
    pub weight: f64,
}

/// One passage as reported.
#[derive(Debug, Serialize)]
pub struct PassageInfo {
    pub id: usize,
    pub kind: Kind,
    pub score: f64,
    pub aligned_words: usize,
    pub a: SpanInfo,
    pub b: SpanInfo,
    pub ops: Vec<OpInfo>,
    /// For a passage of the reworded tier: its evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceInfo>,
}

/// The report of `cyberdiff compare`.
#[derive(Debug, Serialize)]
pub struct CompareReport {
    pub schema_version: u32,
    pub command: &'static str,
    pub manifest: Manifest,
    pub a: DocInfo,
    pub b: DocInfo,
    pub summary: Summary,
    pub passages: Vec<PassageInfo>,
}

impl CompareReport {
    /// Build the report of a comparison of documents `a` and `b`.
    pub fn new(a: &Document, b: &Document, cmp: &Comparison, params: &Params) -> Self {
        let (la, lb) = (LineIndex::new(&a.text), LineIndex::new(&b.text));
        let mut kinds = KindCounts::default();
        let passages = cmp
            .passages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                kinds.add(p.kind);
                passage_info(i + 1, p, a, b, cmp, &la, &lb)
            })
            .collect();
        let summary = Summary {
            a_reused_share: crate::align::classify::round4(coverage(
                cmp.a_tokens.len(),
                cmp.passages.iter().map(|p| p.a.clone()),
            )),
            b_reused_share: crate::align::classify::round4(coverage(
                cmp.b_tokens.len(),
                cmp.passages.iter().map(|p| p.b.clone()),
            )),
            passages: cmp.passages.len(),
            kinds,
        };
        Self {
            schema_version: SCHEMA_VERSION,
            command: "compare",
            manifest: Manifest::new(params, &[a, b]),
            a: DocInfo::new(a, cmp.a_tokens.len()),
            b: DocInfo::new(b, cmp.b_tokens.len()),
            summary,
            passages,
        }
    }
}

fn passage_info(
    id: usize,
    p: &Passage,
    a: &Document,
    b: &Document,
    cmp: &Comparison,
    la: &LineIndex,
    lb: &LineIndex,
) -> PassageInfo {
    let ops = p
        .ops
        .iter()
        .map(|o| OpInfo {
            op: o.tag,
            a: a.text[crate::byte_span(&cmp.a_tokens, &o.a)].to_owned(),
            b: b.text[crate::byte_span(&cmp.b_tokens, &o.b)].to_owned(),
            fuzzy: o.fuzzy,
            relation: o.relation,
        })
        .collect();
    let evidence = p.evidence.as_ref().map(|e| EvidenceInfo {
        rule: e.rule.name(),
        coverage_a: e.coverage_a,
        coverage_b: e.coverage_b,
        weight: e.weight,
        in_order: e.in_order,
        log_expected: e.log_expected,
        pairs: e
            .pairs
            .iter()
            .map(|x| PairEvidence {
                a: a.text[crate::byte_span(&cmp.a_tokens, &x.a)].to_owned(),
                b: b.text[crate::byte_span(&cmp.b_tokens, &x.b)].to_owned(),
                relation: x.relation,
                weight: x.weight,
            })
            .collect(),
    });
    PassageInfo {
        id,
        kind: p.kind,
        score: p.score,
        aligned_words: p.aligned_a.min(p.aligned_b),
        a: span_info(&a.text, &cmp.a_tokens, &p.a, la),
        b: span_info(&b.text, &cmp.b_tokens, &p.b, lb),
        ops,
        evidence,
    }
}

fn span_info(text: &str, tokens: &[Token], r: &Range<usize>, lines: &LineIndex) -> SpanInfo {
    let span = crate::byte_span(tokens, r);
    let (line, column) = lines.line_col(text, span.start);
    let (end_line, _) = lines.line_col(text, span.end);
    SpanInfo {
        start: span.start,
        end: span.end,
        line,
        column,
        end_line,
        words: r.len(),
        text: text[span].to_owned(),
    }
}

/// A path as a relative URI reference, for links between report pages and for SARIF: `/`
/// separators, `./` dropped, every byte but unreserved ones and `/` percent-encoded (so a file named
/// `my #1.html` stays one path, not a path and a fragment).
pub fn uri(path: &str) -> String {
    uri_of_bytes(path.as_bytes())
}

/// [`uri`] of a path given as bytes (a path that is not UTF-8: [`path_bytes_unescaped`]).
pub fn uri_of_bytes(path: &[u8]) -> String {
    let p: Vec<u8> = path
        .iter()
        .map(|&b| if b == b'\\' { b'/' } else { b })
        .collect();
    let mut p = p.as_slice();
    while let Some(rest) = p.strip_prefix(b"./") {
        p = rest;
    }
    let mut out = String::with_capacity(p.len());
    for &b in p {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The passages of a compare report as findings: a stock phrase matched several times between the
/// two documents is one finding with its occurrences (the passages whose A side, or B side, reads the
/// same once case and spacing are folded). Findings are ranked by the aligned words of their best
/// passage, so distinct content comes before the fourth copy of a slogan; each finding lists its
/// passages best first. The terminal summary and the HTML page's table show them in this order.
pub fn findings(passages: &[PassageInfo]) -> Vec<Vec<&PassageInfo>> {
    let fold = |t: &str| {
        t.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    // A passage joins the first group holding its folded A text or its folded B text: each folded
    // text maps to the first group holding it, so a passage costs two look-ups, not a pass over every
    // passage grouped so far.
    let mut groups: Vec<Vec<&PassageInfo>> = Vec::new();
    let (mut group_of_a, mut group_of_b) = (
        rustc_hash::FxHashMap::<String, usize>::default(),
        rustc_hash::FxHashMap::<String, usize>::default(),
    );
    for p in passages {
        let (fa, fb) = (fold(&p.a.text), fold(&p.b.text));
        let found = match (group_of_a.get(&fa), group_of_b.get(&fb)) {
            (Some(&x), Some(&y)) => Some(x.min(y)),
            (x, y) => x.or(y).copied(),
        };
        let g = found.unwrap_or_else(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(p);
        // `g` is at most the group either text mapped to: the map keeps each text's first group.
        group_of_a.insert(fa, g);
        group_of_b.insert(fb, g);
    }
    for g in &mut groups {
        g.sort_by_key(|p| (std::cmp::Reverse(p.aligned_words), p.id));
    }
    groups.sort_by_key(|g| (std::cmp::Reverse(g[0].aligned_words), g[0].id));
    groups
}

/// At most `max_chars` characters of `text` on one line, for a summary: white space folded, an
/// ellipsis where it was cut, and control and bidirectional-override characters shown as U+FFFD, so a
/// document cannot send escape sequences to the terminal or reorder what is printed around it.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let flat = printable(&text.split_whitespace().collect::<Vec<_>>().join(" ")).into_owned();
    if flat.chars().count() <= max_chars {
        return flat;
    }
    let cut: String = flat.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// `s` for a terminal: control characters but line feed and tab, and the explicit bidirectional
/// embeddings, overrides and isolates, shown as U+FFFD (a file name or a document can hold them).
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    replace_unprintable(s, |c| c == '\n' || c == '\t')
}

/// `s` for one line of a terminal: [`printable`], and line feeds and tabs shown as U+FFFD too. For
/// file names, ids and other names printed inside a line: a name holding "\nPASS: " must not print
/// a line of its own.
pub fn printable_line(s: &str) -> std::borrow::Cow<'_, str> {
    replace_unprintable(s, |_| false)
}

/// [`printable_line`] of a path (lossy where it is not UTF-8).
pub fn printable_path(p: &std::path::Path) -> String {
    printable_line(&p.to_string_lossy()).into_owned()
}

fn replace_unprintable(s: &str, keep: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    let unsafe_to_print = |c: char| {
        (c.is_control() && !keep(c))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if s.chars().any(unsafe_to_print) {
        s.chars()
            .map(|c| if unsafe_to_print(c) { '\u{FFFD}' } else { c })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// Byte offset to 1-based line and column (the column counts characters).
///
/// A column is counted from the line's start, or on lines longer than `STEP` (64 KiB) from the last
/// checkpoint before the offset, so one lookup reads at most `STEP` bytes however long the line (a
/// 100 MB single-line file with many passages stays linear).
#[derive(Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// (byte offset, characters from its line's start to it), every `STEP` bytes of long lines.
    marks: Vec<(usize, usize)>,
}

impl LineIndex {
    const STEP: usize = 1 << 16;

    /// Index the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut marks = Vec::new();
        for (k, &start) in starts.iter().enumerate() {
            let end = starts.get(k + 1).map_or(text.len(), |&s| s - 1);
            let (mut at, mut col) = (start, 0);
            while end - at > Self::STEP {
                let mut next = at + Self::STEP;
                while !text.is_char_boundary(next) {
                    next -= 1;
                }
                col += text[at..next].chars().count();
                marks.push((next, col));
                at = next;
            }
        }
        Self { starts, marks }
    }

    /// The 1-based line and column of byte `offset` of `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let (from, col) = match self.marks.partition_point(|&(b, _)| b <= offset) {
            0 => (start, 0),
            i if self.marks[i - 1].0 < start => (start, 0),
            i => self.marks[i - 1],
        };
        (line, col + text[from..offset].chars().count() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_fold_space_cut_and_neutralise_escapes() {
        assert_eq!(excerpt("a  b\n\tc", 10), "a b c");
        assert_eq!(excerpt("abcdef", 4), "abc…");
        assert_eq!(excerpt("abcd", 4), "abcd");
        assert_eq!(
            excerpt("x\u{1b}[2Jy\u{202E}z\u{7}\u{9b}", 20),
            "x\u{FFFD}[2Jy\u{FFFD}z\u{FFFD}\u{FFFD}"
        );
    }

    #[test]
    fn columns_on_a_long_line_count_characters_from_its_start() {
        let line = "é".repeat(100_000) + "x" + &"a".repeat(200_000);
        let text = format!("first\n{line}\nlast");
        let idx = LineIndex::new(&text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.line_col(&text, x), (2, 100_001));
        let last = text.rfind("last").unwrap();
        assert_eq!(idx.line_col(&text, last), (3, 1));
        assert_eq!(idx.line_col(&text, 3), (1, 4));
        for off in (0..text.len())
            .step_by(9_973)
            .filter(|&o| text.is_char_boundary(o))
        {
            let start = text[..off].rfind('\n').map_or(0, |i| i + 1);
            let want = (
                text[..off].matches('\n').count() + 1,
                text[start..off].chars().count() + 1,
            );
            assert_eq!(idx.line_col(&text, off), want, "offset {off}");
        }
    }

    #[test]
    fn lines_and_columns_count_characters() {
        let text = "ab\n中文x\r\ny";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 3), (2, 1));
        assert_eq!(idx.line_col(text, 9), (2, 3));
        assert_eq!(idx.line_col(text, text.len() - 1), (3, 1));
    }
}
