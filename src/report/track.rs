//! The report of `cyberdiff track`: one serde model, rendered as JSON, a terminal grid and HTML.
//!
//! Takes a [`Tracking`] and gives a [`TrackReport`]: schema version, manifest (tool version, matcher
//! parameters, the synonym resource, the statements file and every document with its content hash),
//! the documents in date order, the statements, and one cell per statement × document (statement-major)
//! with the status, score, span (byte offsets, 1-based line and column, the text as written), the word
//! diff against the statement and the other occurrences, best first. Field order is the struct order
//! and nothing depends on time or thread count, so the same inputs give byte-identical JSON.
//!
//! The HTML page is one self-contained file with the same guarantees as the compare page: every piece
//! of text escaped by askama, the data for the script embedded as JSON with `<`, `>`, `&`, U+2028 and
//! U+2029 escaped, a Content-Security-Policy that allows no request and only the page's own script (by
//! its SHA-256 hash), and diffs built with DOM text nodes.

use std::fmt::Write as _;

use askama::Template;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{InputInfo, LineIndex, SCHEMA_VERSION, excerpt};
use crate::align::OpTag;
use crate::corpus::Document;
use crate::track::{Found, MatchParams, Relation, Status, Tracking, Word};

/// The synonym resource, as the manifest names it.
pub const SYNONYMS: &str = "WordNet 3.1 (data/wordnet-synonyms.txt)";

/// The report of `cyberdiff track`.
#[derive(Debug, Serialize)]
pub struct TrackReport {
    pub schema_version: u32,
    pub command: &'static str,
    pub manifest: TrackManifest,
    pub documents: Vec<TrackDoc>,
    pub statements: Vec<StatementInfo>,
    pub cells: Vec<CellInfo>,
}

/// What produced the report, from what.
#[derive(Debug, Serialize)]
pub struct TrackManifest {
    pub tool: &'static str,
    pub version: &'static str,
    pub parameters: TrackParameters,
    /// The statements file, then every document in date order.
    pub inputs: Vec<InputInfo>,
}

/// The matcher's parameters as used.
#[derive(Debug, Serialize)]
pub struct TrackParameters {
    #[serde(flatten)]
    pub matcher: MatchParams,
    pub synonyms: &'static str,
}

/// A document as the track report describes it.
#[derive(Debug, Serialize)]
pub struct TrackDoc {
    pub id: String,
    pub path: String,
    pub date: Option<String>,
}

/// A statement as given.
#[derive(Debug, Serialize)]
pub struct StatementInfo {
    pub id: String,
    pub group: Option<String>,
    pub text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// A passage of a document.
#[derive(Debug, Serialize)]
pub struct TrackSpan {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub text: String,
}

/// One step of the word diff from the statement (`a`) to the passage (`b`).
#[derive(Debug, Serialize)]
pub struct TrackOp {
    pub op: OpTag,
    pub a: String,
    pub b: String,
    /// How the words of a replacement (or of a moved word) are related: compound, fuzzy, derived,
    /// synonym, affix. Absent for equal words and unrelated replacements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
    /// A deleted or inserted word that is matched elsewhere, out of order.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub moved: bool,
}

/// One occurrence of a statement in a document.
#[derive(Debug, Serialize)]
pub struct OccurrenceInfo {
    pub status: Status,
    pub score: f64,
    /// The IDF-weighted share of the statement's content found.
    pub recall: f64,
    /// 0 when the statement's text matched, k for its k-th alias.
    pub wording: usize,
    pub span: TrackSpan,
    pub ops: Vec<TrackOp>,
}

/// One statement × document cell.
#[derive(Debug, Serialize)]
pub struct CellInfo {
    pub statement: String,
    pub document: String,
    pub status: Status,
    /// The best occurrence's score, 0 when absent.
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recall: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wording: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<TrackSpan>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ops: Vec<TrackOp>,
    /// Further occurrences in the same document, best first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_occurrences: Vec<OccurrenceInfo>,
}

impl TrackReport {
    /// Build the report of a tracking run. `statements_input` describes the statements file.
    pub fn new(t: &Tracking, params: &MatchParams, statements_input: Option<InputInfo>) -> Self {
        let lines: Vec<LineIndex> = t
            .documents
            .iter()
            .map(|d| LineIndex::new(&d.text))
            .collect();
        let cells = t
            .cells
            .iter()
            .map(|c| {
                let doc = t.documents[c.document];
                let occ: Vec<OccurrenceInfo> = c
                    .occurrences
                    .iter()
                    .map(|f| {
                        occurrence_info(t, c.statement, c.document, doc, &lines[c.document], f)
                    })
                    .collect();
                let mut it = occ.into_iter();
                let best = it.next();
                let statement = t.statements[c.statement].id.clone();
                let document = doc.id.clone();
                match best {
                    None => CellInfo {
                        statement,
                        document,
                        status: Status::Absent,
                        score: 0.0,
                        recall: None,
                        wording: None,
                        span: None,
                        ops: Vec::new(),
                        other_occurrences: Vec::new(),
                    },
                    Some(b) => CellInfo {
                        statement,
                        document,
                        status: b.status,
                        score: b.score,
                        recall: Some(b.recall),
                        wording: Some(b.wording),
                        span: Some(b.span),
                        ops: b.ops,
                        other_occurrences: it.collect(),
                    },
                }
            })
            .collect();
        let mut inputs: Vec<InputInfo> = statements_input.into_iter().collect();
        inputs.extend(t.documents.iter().map(|d| InputInfo {
            path: d.path.display().to_string(),
            bytes: d.bytes,
            xxh3: d.hash.clone(),
        }));
        Self {
            schema_version: SCHEMA_VERSION,
            command: "track",
            manifest: TrackManifest {
                tool: "cyberdiff",
                version: env!("CARGO_PKG_VERSION"),
                parameters: TrackParameters {
                    matcher: params.clone(),
                    synonyms: SYNONYMS,
                },
                inputs,
            },
            documents: t
                .documents
                .iter()
                .map(|d| TrackDoc {
                    id: d.id.clone(),
                    path: d.path.display().to_string(),
                    date: d.date.clone(),
                })
                .collect(),
            statements: t
                .statements
                .iter()
                .map(|s| StatementInfo {
                    id: s.id.clone(),
                    group: s.group.clone(),
                    text: s.text.clone(),
                    aliases: s.aliases.clone(),
                })
                .collect(),
            cells,
        }
    }

    /// The cell of statement `s` and document `d` (indices into `statements` and `documents`).
    pub fn cell(&self, s: usize, d: usize) -> &CellInfo {
        &self.cells[s * self.documents.len() + d]
    }
}

fn occurrence_info(
    t: &Tracking,
    s: usize,
    d: usize,
    doc: &Document,
    lines: &LineIndex,
    f: &Found,
) -> OccurrenceInfo {
    let o = &f.occurrence;
    let wording = t.statements[s]
        .wordings()
        .nth(f.wording)
        .expect("an occurrence's wording exists");
    let sw = &t.statement_words[s][f.wording];
    let dw = &t.document_words[d];
    let text_of = |text: &str, words: &[Word], r: &std::ops::Range<usize>| -> String {
        if r.is_empty() {
            String::new()
        } else {
            text[words[r.start].start..words[r.end - 1].end].to_owned()
        }
    };
    let ops = o
        .steps
        .iter()
        .map(|x| TrackOp {
            op: x.tag,
            a: text_of(wording, sw, &x.s),
            b: text_of(&doc.text, dw, &x.d),
            relation: x.rel,
            moved: x.moved,
        })
        .collect();
    let (line, column) = lines.line_col(&doc.text, o.span.start);
    let (end_line, _) = lines.line_col(&doc.text, o.span.end);
    OccurrenceInfo {
        status: o.status,
        score: o.score,
        recall: o.recall,
        wording: f.wording,
        span: TrackSpan {
            start: o.span.start,
            end: o.span.end,
            line,
            column,
            end_line,
            text: doc.text[o.span.clone()].to_owned(),
        },
        ops,
    }
}

// --- terminal -------------------------------------------------------------------------------------

fn paint(s: &str, status: Status, color: bool) -> String {
    if !color {
        return s.to_owned();
    }
    let code = match status {
        Status::Repeated => "31",
        Status::Reworded => "33",
        Status::Expanded => "32",
        Status::Condensed => "36",
        Status::Absent => "2",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

/// The column label of a document: its date, or its id when it has none.
fn column_label(d: &TrackDoc) -> String {
    let label = d.date.clone().unwrap_or_else(|| excerpt(&d.id, 12));
    super::printable_line(&label).into_owned()
}

/// Render the grid (statements × documents in date order, the status of each cell, `×N` when met N
/// times), the documents the columns stand for, and each statement's best passage per document.
pub fn render_terminal(r: &TrackReport, color: bool) -> String {
    let mut grid = String::new();
    let width = r
        .documents
        .iter()
        .map(|d| column_label(d).chars().count())
        .max()
        .unwrap_or(0)
        .max(12);
    let id_width = r
        .statements
        .iter()
        .map(|s| s.id.chars().count())
        .max()
        .unwrap_or(2)
        .max(9);
    let _ = write!(grid, "{:<id_width$}", "statement");
    for d in &r.documents {
        let _ = write!(grid, "  {:<width$}", column_label(d));
    }
    grid.push('\n');
    for (si, s) in r.statements.iter().enumerate() {
        let _ = write!(grid, "{:<id_width$}", super::printable(&s.id));
        for di in 0..r.documents.len() {
            let c = r.cell(si, di);
            let n = 1 + c.other_occurrences.len();
            let label = if c.status == Status::Absent {
                "·".to_owned()
            } else if n > 1 {
                format!("{} ×{n}", c.status.name())
            } else {
                c.status.name().to_owned()
            };
            let padded = format!("{label:<width$}");
            let _ = write!(grid, "  {}", paint(&padded, c.status, color));
        }
        grid.push('\n');
    }
    // Rows are padded to the column width; no line ends in spaces.
    let mut out: String = grid
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    let _ = writeln!(out, "\n(· absent)");
    for d in &r.documents {
        let _ = writeln!(
            out,
            "{:<width$}  {}",
            column_label(d),
            super::printable_line(&d.path)
        );
    }
    for (si, s) in r.statements.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n{}  {}",
            super::printable_line(&s.id),
            excerpt(&s.text, 100)
        );
        for (di, d) in r.documents.iter().enumerate() {
            let c = r.cell(si, di);
            if let Some(span) = &c.span {
                let _ = writeln!(
                    out,
                    "  {:<width$}  {}  {:.2}  line {:>3}  {}",
                    column_label(d),
                    paint(&format!("{:<9}", c.status.name()), c.status, color),
                    c.score,
                    span.line,
                    excerpt(&span.text, 70)
                );
            }
        }
    }
    out
}

// --- HTML -----------------------------------------------------------------------------------------

/// The page's stylesheet and script, inlined.
const STYLE: &str = include_str!("../../templates/track.css");
const SCRIPT: &str = include_str!("../../templates/track.js");

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage<'a> {
    title: String,
    version: &'a str,
    csp: String,
    style: &'static str,
    script: &'static str,
    data_json: String,
    docs: Vec<DocHead<'a>>,
    groups: Vec<GroupView<'a>>,
    legend: Vec<(&'static str, &'static str, String)>,
    counts: Vec<(&'static str, usize)>,
    params: Vec<(String, String)>,
    inputs: Vec<(String, String, String)>,
}

struct DocHead<'a> {
    label: String,
    id: &'a str,
    path: &'a str,
}

struct GroupView<'a> {
    name: Option<&'a str>,
    rows: Vec<RowView<'a>>,
}

struct RowView<'a> {
    index: usize,
    id: &'a str,
    text: &'a str,
    cells: Vec<CellView>,
    timeline: Vec<TimelineItem>,
}

struct CellView {
    key: String,
    status: &'static str,
    symbol: &'static str,
    score: String,
    count: usize,
    title: String,
}

struct TimelineItem {
    label: String,
    status: &'static str,
    note: String,
}

fn symbol(s: Status) -> &'static str {
    match s {
        Status::Repeated => "=",
        Status::Reworded => "≈",
        Status::Expanded => "+",
        Status::Condensed => "−",
        Status::Absent => "·",
    }
}

/// What the script needs: each present cell's passages with their context and diff.
#[derive(Serialize)]
struct PageData<'a> {
    statements: Vec<&'a str>,
    documents: Vec<&'a str>,
    cells: Vec<PageCell<'a>>,
}

#[derive(Serialize)]
struct PageCell<'a> {
    key: String,
    occurrences: Vec<PageOcc<'a>>,
}

#[derive(Serialize)]
struct PageOcc<'a> {
    status: Status,
    score: f64,
    line: usize,
    before: &'a str,
    text: &'a str,
    after: &'a str,
    ops: &'a [TrackOp],
}

/// Characters of context shown on each side of a passage.
const CONTEXT_CHARS: usize = 240;

fn context_before(text: &str, start: usize) -> &str {
    let from = text[..start]
        .char_indices()
        .rev()
        .nth(CONTEXT_CHARS - 1)
        .map_or(0, |(i, _)| i);
    &text[from..start]
}

fn context_after(text: &str, end: usize) -> &str {
    let to = text[end..]
        .char_indices()
        .nth(CONTEXT_CHARS)
        .map_or(text.len(), |(i, _)| end + i);
    &text[end..to]
}

/// Render the HTML page of a tracking report. `texts` are the documents' texts, in the report's
/// document order (the texts its spans index into).
pub fn render_html(r: &TrackReport, texts: &[&str]) -> String {
    let docs: Vec<DocHead> = r
        .documents
        .iter()
        .map(|d| DocHead {
            label: column_label(d),
            id: &d.id,
            path: &d.path,
        })
        .collect();
    let mut page_cells = Vec::new();
    let mut groups: Vec<GroupView> = Vec::new();
    let mut counts = [0usize; 5];
    for (si, s) in r.statements.iter().enumerate() {
        let mut cells = Vec::new();
        let mut timeline: Vec<TimelineItem> = Vec::new();
        let mut last_wording: Option<String> = None;
        for di in 0..r.documents.len() {
            let c = r.cell(si, di);
            let key = format!("{si}-{di}");
            let n = if c.span.is_some() {
                1 + c.other_occurrences.len()
            } else {
                0
            };
            counts[Status::ALL.iter().position(|&x| x == c.status).unwrap_or(4)] += 1;
            let title = match &c.span {
                Some(sp) => format!(
                    "{} in {}: {} (score {:.2}, line {}{})",
                    s.id,
                    r.documents[di].id,
                    c.status.name(),
                    c.score,
                    sp.line,
                    if n > 1 {
                        format!(", {n} occurrences")
                    } else {
                        String::new()
                    }
                ),
                None => format!("{} in {}: absent", s.id, r.documents[di].id),
            };
            cells.push(CellView {
                key: key.clone(),
                status: c.status.name(),
                symbol: symbol(c.status),
                score: if c.span.is_some() {
                    format!("{:.2}", c.score)
                } else {
                    String::new()
                },
                count: n,
                title,
            });
            if let Some(sp) = &c.span {
                let text = texts.get(di).copied().unwrap_or("");
                let mut occurrences = Vec::new();
                let all = std::iter::once((c.status, c.score, sp, c.ops.as_slice())).chain(
                    c.other_occurrences
                        .iter()
                        .map(|o| (o.status, o.score, &o.span, o.ops.as_slice())),
                );
                for (status, score, span, ops) in all {
                    // Spans that do not fit the text (a report rendered with the wrong text) are
                    // shown without context, never a panic.
                    let fits = span.end <= text.len()
                        && span.start <= span.end
                        && text.is_char_boundary(span.start)
                        && text.is_char_boundary(span.end);
                    occurrences.push(PageOcc {
                        status,
                        score,
                        line: span.line,
                        before: if fits {
                            context_before(text, span.start)
                        } else {
                            ""
                        },
                        text: &span.text,
                        after: if fits {
                            context_after(text, span.end)
                        } else {
                            ""
                        },
                        ops,
                    });
                }
                page_cells.push(PageCell { key, occurrences });
                // Timeline: first appearance, then each change of wording.
                let wording = normalized(&sp.text);
                let label = column_label(&r.documents[di]);
                let note = match &last_wording {
                    None => format!("first appearance: “{}”", excerpt(&sp.text, 90)),
                    Some(w) if *w == wording => "same wording".to_owned(),
                    Some(_) => format!("wording changes: “{}”", excerpt(&sp.text, 90)),
                };
                timeline.push(TimelineItem {
                    label,
                    status: c.status.name(),
                    note,
                });
                last_wording = Some(wording);
            } else {
                timeline.push(TimelineItem {
                    label: column_label(&r.documents[di]),
                    status: "absent",
                    note: "absent".to_owned(),
                });
            }
        }
        let row = RowView {
            index: si,
            id: &s.id,
            text: &s.text,
            cells,
            timeline,
        };
        match groups.last_mut() {
            Some(g) if g.name == s.group.as_deref() => g.rows.push(row),
            _ => groups.push(GroupView {
                name: s.group.as_deref(),
                rows: vec![row],
            }),
        }
    }
    let t = &r.manifest.parameters.matcher.thresholds;
    let legend = Status::ALL
        .iter()
        .map(|&st| {
            let help = match st {
                Status::Repeated => format!(
                    "near-verbatim: at least {:.0}% of the words on each side aligned to an equal word",
                    t.repeated_min_aligned * 100.0
                ),
                Status::Reworded => {
                    "the same content in other words: synonyms, derivation, reordering".to_owned()
                }
                Status::Expanded => format!(
                    "the passage keeps {:.0}% of the statement's content words and is at least {}× as long",
                    t.expanded_min_found * 100.0,
                    t.expanded_min_length_ratio
                ),
                Status::Condensed => "the passage says it in fewer words".to_owned(),
                Status::Absent => "no passage above the thresholds".to_owned(),
            };
            (st.name(), symbol(st), help)
        })
        .collect();
    let params = {
        let m = &r.manifest.parameters.matcher;
        vec![
            ("min_recall".to_owned(), m.min_recall.to_string()),
            ("min_score".to_owned(), m.min_score.to_string()),
            (
                "repeated_min_aligned".to_owned(),
                t.repeated_min_aligned.to_string(),
            ),
            (
                "repeated_max_length_ratio".to_owned(),
                t.repeated_max_length_ratio.to_string(),
            ),
            (
                "expanded_min_found".to_owned(),
                t.expanded_min_found.to_string(),
            ),
            (
                "expanded_min_length_ratio".to_owned(),
                t.expanded_min_length_ratio.to_string(),
            ),
            ("synonyms".to_owned(), SYNONYMS.to_owned()),
        ]
    };
    let data = PageData {
        statements: r.statements.iter().map(|s| s.id.as_str()).collect(),
        documents: r.documents.iter().map(|d| d.id.as_str()).collect(),
        cells: page_cells,
    };
    let page = TrackPage {
        title: format!(
            "{} statements × {} documents · cyberdiff track",
            r.statements.len(),
            r.documents.len()
        ),
        version: r.manifest.version,
        csp: csp(SCRIPT),
        style: STYLE,
        script: SCRIPT,
        data_json: script_json(&data),
        docs,
        groups,
        legend,
        counts: Status::ALL
            .iter()
            .zip(counts)
            .map(|(s, n)| (s.name(), n))
            .collect(),
        params,
        inputs: r
            .manifest
            .inputs
            .iter()
            .map(|i| (i.path.clone(), i.bytes.to_string(), i.xxh3.clone()))
            .collect(),
    };
    let mut html = page.render().expect("rendering into a String cannot fail");
    if !html.ends_with('\n') {
        html.push('\n');
    }
    html
}

fn normalized(text: &str) -> String {
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The page's Content-Security-Policy: nothing may be fetched; only the page's own script, by hash,
/// may run; inline styles are allowed (the stylesheet is inlined).
fn csp(script: &str) -> String {
    let hash = Sha256::digest(script.as_bytes());
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{}'; img-src 'none'; \
         base-uri 'none'; form-action 'none'",
        base64(&hash)
    )
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// JSON safe inside a `<script type="application/json">` element: `<`, `>`, `&`, U+2028 and U+2029
/// are written as `\u` escapes, so no document text can close the element.
fn script_json<T: Serialize>(v: &T) -> String {
    let s = serde_json::to_string(v).expect("page data serialises");
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_examples() {
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn embedded_json_cannot_close_its_script_element() {
        let s = script_json(&"</script><b>&\u{2028}");
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert!(s.contains("\\u003c/script\\u003e"));
    }

    #[test]
    fn context_is_cut_on_char_boundaries() {
        let text = "é".repeat(300) + "X" + &"中".repeat(300);
        let at = text.find('X').unwrap();
        assert_eq!(context_before(&text, at).chars().count(), CONTEXT_CHARS);
        assert_eq!(context_after(&text, at + 1).chars().count(), CONTEXT_CHARS);
    }
}

// --- `cyberdiff report`: index page and combined JSON ---------------------------------------------

/// What the index page of `cyberdiff report` says about the reports it links.
#[derive(Debug, Default)]
pub struct ReportSummary {
    /// (id, date, path, reused share) of each document, from the scan.
    pub documents: Vec<(String, String, String, String)>,
    pub pairs: usize,
    pub clusters: usize,
    pub duplicates: usize,
    pub boilerplate: usize,
    pub removed_documents: usize,
    pub repeated_paragraphs: usize,
    /// Statements tracked and cells by status, when there was a statements file.
    pub track: Option<(usize, Vec<(&'static str, usize)>)>,
    pub has_scan: bool,
    pub has_dedup: bool,
}

impl ReportSummary {
    /// Summarise the JSON reports of scan, dedup and track (any may be missing).
    pub fn new(scan: Option<&str>, dedup: Option<&str>, track: Option<&str>) -> Self {
        let parse =
            |s: Option<&str>| s.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
        let len = |v: &serde_json::Value, k: &str| v[k].as_array().map_or(0, Vec::len);
        let mut out = ReportSummary::default();
        if let Some(v) = parse(scan) {
            out.has_scan = true;
            out.pairs = len(&v, "pairs");
            out.clusters = len(&v, "clusters");
            out.duplicates = len(&v, "duplicates");
            out.boilerplate = len(&v, "boilerplate");
            let s = |d: &serde_json::Value, k: &str| d[k].as_str().unwrap_or("").to_owned();
            out.documents = v["documents"]
                .as_array()
                .map(|ds| {
                    ds.iter()
                        .map(|d| {
                            let share = d["reused_share"]
                                .as_f64()
                                .map_or(String::new(), |x| format!("{:.1}%", x * 100.0));
                            (s(d, "id"), s(d, "date"), s(d, "path"), share)
                        })
                        .collect()
                })
                .unwrap_or_default();
        }
        if let Some(v) = parse(dedup) {
            out.has_dedup = true;
            out.removed_documents = len(&v, "removed_documents");
            out.repeated_paragraphs = len(&v, "repeated_paragraphs");
        }
        if let Some(v) = parse(track) {
            let cells = v["cells"].as_array().cloned().unwrap_or_default();
            let counts = Status::ALL
                .iter()
                .map(|st| {
                    let n = cells
                        .iter()
                        .filter(|c| c["status"].as_str() == Some(st.name()))
                        .count();
                    (st.name(), n)
                })
                .collect();
            out.track = Some((len(&v, "statements"), counts));
        }
        out
    }
}

/// The combined JSON of `cyberdiff report`: a header, then the scan, dedup and track reports as
/// they were written (embedded verbatim, so their field order is kept); a missing part is `null`.
pub fn report_json(
    summary: &ReportSummary,
    scan: Option<&str>,
    dedup: Option<&str>,
    track: Option<&str>,
) -> String {
    let mut pages = vec!["index.html"];
    if summary.has_scan {
        pages.extend(["scan.html", "scan.json"]);
    }
    if summary.has_dedup {
        pages.push("dedup.json");
    }
    if summary.track.is_some() {
        pages.extend(["track.html", "track.json"]);
    }
    let embed = |s: Option<&str>| s.map_or("null".to_owned(), |s| s.trim_end().to_owned());
    format!(
        "{{\n  \"schema_version\": {SCHEMA_VERSION},\n  \"command\": \"report\",\n  \"manifest\": {{ \"tool\": \"cyberdiff\", \"version\": {} }},\n  \"pages\": {},\n  \"scan\": {},\n  \"dedup\": {},\n  \"track\": {}\n}}\n",
        serde_json::to_string(env!("CARGO_PKG_VERSION")).expect("a string serialises"),
        serde_json::to_string(&pages).expect("strings serialise"),
        embed(scan),
        embed(dedup),
        embed(track)
    )
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'none'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cyberdiff {{ version }}">
<title>cyberdiff report</title>
<style>
body { margin: 0 auto; max-width: 960px; padding: 0 20px 40px; font: 15px/1.5 system-ui, sans-serif; color: #1d232b; background: #fbfcfd; }
h1 { font-size: 22px; margin: 20px 0 4px; } .sub { color: #5b6673; margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; }
.card { border: 1px solid #d9dee5; border-radius: 8px; padding: 12px 16px; background: #fff; }
.card h2 { font-size: 17px; margin: 0 0 4px; } .card p { margin: 4px 0; }
.card a.main { font-weight: 700; } .figs { color: #5b6673; font-size: 14px; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; font-size: 14px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e6e9ed; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
@media (prefers-color-scheme: dark) { body { color: #e6e9ed; background: #14181d; } .card { background: #1a1f25; border-color: #39414b; } a { color: #8ab4f8; } }
</style>
</head>
<body>
<h1>cyberdiff report</h1>
<p class="sub">{{ docs.len() }} document{% if docs.len() != 1 %}s{% endif %}, in date order. Every page below is one self-contained file.</p>
<div class="cards">
{%- if let Some((statements, counts)) = track %}
  <section class="card">
    <h2><a class="main" href="track.html">Statement tracking</a></h2>
    <p>{{ statements }} statements × {{ docs.len() }} documents: where each is repeated, reworded, expanded, condensed or absent, with the passage and its word diff, and a timeline per statement.</p>
    <p class="figs">{% for (name, n) in counts %}{{ name }} {{ n }}{% if !loop.last %} · {% endif %}{% endfor %}</p>
    <p class="figs"><a href="track.json">track.json</a></p>
  </section>
{%- endif %}
{%- if has_scan %}
  <section class="card">
    <h2><a class="main" href="scan.html">Corpus scan</a></h2>
    <p>Every pair of documents: shared passages, reuse clusters with their earliest source, near-duplicates and boilerplate; a side-by-side page per pair.</p>
    <p class="figs">{{ pairs }} pairs with shared passages · {{ clusters }} clusters · {{ duplicates }} near-duplicates · {{ boilerplate }} boilerplate texts</p>
    <p class="figs"><a href="scan.json">scan.json</a></p>
  </section>
{%- endif %}
{%- if has_dedup %}
  <section class="card">
    <h2><a class="main" href="dedup.json">Duplicates</a></h2>
    <p>Exact and near-duplicate documents and repeated paragraphs (the earliest copy is kept).</p>
    <p class="figs">{{ removed_documents }} duplicate documents · {{ repeated_paragraphs }} repeated paragraphs</p>
  </section>
{%- endif %}
  <section class="card">
    <h2><a class="main" href="report.json">report.json</a></h2>
    <p>All of the above in one JSON file (schema version 1).</p>
  </section>
</div>
{%- if !docs.is_empty() %}
<table>
  <thead><tr><th scope="col">Date</th><th scope="col">Document</th><th scope="col">Path</th><th scope="col" class="num">Reused</th></tr></thead>
  <tbody>
{%- for (id, date, path, share) in docs %}
    <tr><td>{{ date }}</td><td>{{ id }}</td><td><code>{{ path }}</code></td><td class="num">{{ share }}</td></tr>
{%- endfor %}
  </tbody>
</table>
{%- endif %}
</body>
</html>
"#
)]
struct IndexPage<'a> {
    version: &'a str,
    docs: &'a [(String, String, String, String)],
    track: Option<(usize, Vec<(&'static str, usize)>)>,
    has_scan: bool,
    has_dedup: bool,
    pairs: usize,
    clusters: usize,
    duplicates: usize,
    boilerplate: usize,
    removed_documents: usize,
    repeated_paragraphs: usize,
}

/// The index page of `cyberdiff report`, linking every page it wrote.
pub fn render_index(s: &ReportSummary) -> String {
    let page = IndexPage {
        version: env!("CARGO_PKG_VERSION"),
        docs: &s.documents,
        track: s.track.clone(),
        has_scan: s.has_scan,
        has_dedup: s.has_dedup,
        pairs: s.pairs,
        clusters: s.clusters,
        duplicates: s.duplicates,
        boilerplate: s.boilerplate,
        removed_documents: s.removed_documents,
        repeated_paragraphs: s.repeated_paragraphs,
    };
    let mut html = page.render().expect("rendering into a String cannot fail");
    if !html.ends_with('\n') {
        html.push('\n');
    }
    html
}
