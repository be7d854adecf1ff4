//! The report of `cyberdiff track`: one serde model, rendered as JSON, a terminal grid and HTML.
//!
//! Takes a [`Tracking`] and gives a [`TrackReport`]: schema version, manifest (tool version, matcher
//! parameters, the synonym resource, the statements file and every document with its content hash),
//! the documents in date order, the statements, and one cell per statement × document (statement-major)
//! with the status, score, span (byte offsets, 1-based line and column, the text as written), the word
//! diff against the statement and the other occurrences, best first. Field order is the struct order
//! and nothing depends on time or thread count, so the same inputs give byte-identical JSON.
//!
//! The HTML page is one self-contained file with the guarantees of [`super::page`]: every piece of
//! text escaped by askama, the data for the script embedded by [`super::page::script_json`], a
//! Content-Security-Policy that allows no request and only the page's own script (by its SHA-256
//! hash), and diffs built with DOM text nodes. In a `cyberdiff report` folder a cell's passage links
//! to the scan's compare page of its document and the statement's earliest document, scrolled to
//! both passages.

use std::fmt::Write as _;

use askama::Template;
use serde::Serialize;

use super::page::{self, Here, Nav, Site, csp, script_json};
// `cyberdiff report`'s index page and combined JSON live in `super::index`; their old paths stay.
pub use super::index::{ReportSummary, render_index, write_report_json};

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
    /// The path with each byte that is not UTF-8 as `\xNN` (and `\` as `\\`), present only when
    /// the path is not valid UTF-8 (`path` then holds U+FFFD in its place): [`super::path_bytes`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
    pub date: Option<String>,
    /// Title, source and note from a corpus manifest, when it gives them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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
            path_bytes: super::path_bytes(&d.path),
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
                    path_bytes: super::path_bytes(&d.path),
                    date: d.date.clone(),
                    title: None,
                    source: None,
                    note: None,
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

    /// Give the documents the titles, sources and notes of a corpus manifest, by document id.
    pub fn with_meta(
        mut self,
        meta: &std::collections::HashMap<String, super::html::DocMeta>,
    ) -> Self {
        for d in &mut self.documents {
            if let Some(m) = meta.get(&d.id) {
                d.title.clone_from(&m.title);
                d.source.clone_from(&m.source);
                d.note.clone_from(&m.note);
            }
        }
        self
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
        Status::Repeated => "34",
        Status::Reworded => "33",
        Status::Expanded => "32",
        Status::Condensed => "35",
        Status::Absent => "2",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

/// The column label of a document: its date, or its id when it has none.
fn column_label(d: &TrackDoc) -> String {
    let label = d.date.clone().unwrap_or_else(|| excerpt(&d.id, 12));
    super::printable_line(&label).into_owned()
}

fn grid_width(columns: &[String]) -> usize {
    columns
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0)
        .max(12)
}

/// The statements × documents grid: a header of column labels, then per statement its id and each
/// cell's status (`·` when absent, `×N` when met N times), coloured by status when asked.
pub fn grid(columns: &[String], rows: &[(String, Vec<(Status, usize)>)], color: bool) -> String {
    let width = grid_width(columns);
    let id_width = rows
        .iter()
        .map(|(id, _)| super::printable(id).chars().count())
        .max()
        .unwrap_or(2)
        .max(9);
    let mut g = String::new();
    let _ = write!(g, "{:<id_width$}", "statement");
    for c in columns {
        let _ = write!(g, "  {c:<width$}");
    }
    g.push('\n');
    for (id, cells) in rows {
        let _ = write!(g, "{:<id_width$}", super::printable(id));
        for &(status, n) in cells {
            let label = if status == Status::Absent {
                "·".to_owned()
            } else if n > 1 {
                format!("{} ×{n}", status.name())
            } else {
                status.name().to_owned()
            };
            let padded = format!("{label:<width$}");
            let _ = write!(g, "  {}", paint(&padded, status, color));
        }
        g.push('\n');
    }
    // Rows are padded to the column width; no line ends in spaces.
    g.lines().map(|l| format!("{}\n", l.trim_end())).collect()
}

/// Render the grid (statements × documents in date order, the status of each cell, `×N` when met N
/// times), the documents the columns stand for, and each statement's best passage per document.
pub fn render_terminal(r: &TrackReport, color: bool) -> String {
    let columns: Vec<String> = r.documents.iter().map(column_label).collect();
    let rows: Vec<(String, Vec<(Status, usize)>)> = r
        .statements
        .iter()
        .enumerate()
        .map(|(si, s)| {
            let cells = (0..r.documents.len())
                .map(|di| {
                    let c = r.cell(si, di);
                    (c.status, 1 + c.other_occurrences.len())
                })
                .collect();
            (s.id.clone(), cells)
        })
        .collect();
    let mut out = grid(&columns, &rows, color);
    let width = grid_width(&columns);
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

/// The page's script, inlined.
const SCRIPT: &str = include_str!("../../templates/track.js");

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage<'a> {
    title: String,
    nav: Nav,
    version: &'a str,
    csp: String,
    style: &'static str,
    script: &'static str,
    data_json: String,
    docs: Vec<DocHead<'a>>,
    groups: Vec<GroupView<'a>>,
    lede: String,
    has_notes: bool,
    legend: Vec<(&'static str, &'static str, String)>,
    counts: Vec<(&'static str, usize)>,
    params: Vec<(String, String)>,
    inputs: Vec<(String, String, String)>,
}

struct DocHead<'a> {
    label: String,
    id: &'a str,
    path: &'a str,
    title: Option<&'a str>,
    source: Option<&'a str>,
    note: Option<&'a str>,
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
    /// The compare page of this document and the statement's earliest, scrolled to both passages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pair: Option<PairLink>,
}

#[derive(Serialize)]
struct PairLink {
    href: String,
    /// The earliest document's column label.
    first: String,
}

/// The compare pages of a scan a track page can link to: for two document ids (either order), the
/// page's path relative to the track page and whether the first id is the page's side A.
#[derive(Debug, Default)]
pub struct PairPages {
    pages: std::collections::HashMap<(String, String), String>,
}

impl PairPages {
    /// The pages of the scan report `scan` (what `scan --html` writes with `--html-pairs
    /// max_pages`), in the folder `pairs_dir` relative to the track page.
    pub fn from_scan(scan: &super::scan::ScanReport, pairs_dir: &str, max_pages: usize) -> Self {
        let linked = super::scan::paged_pairs(scan, max_pages);
        Self::of(
            scan.pairs
                .iter()
                .filter(|p| linked[p.id])
                .map(|p| (p.id, p.a.id.clone(), p.b.id.clone())),
            pairs_dir,
        )
    }

    /// [`PairPages::from_scan`] of the scan report `scan_json` as written.
    pub fn from_scan_json(scan_json: &str, pairs_dir: &str, max_pages: usize) -> Self {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(scan_json) else {
            return Self::default();
        };
        let pairs = v["pairs"].as_array().cloned().unwrap_or_default();
        let mut order: Vec<(usize, usize, String, String)> = pairs
            .iter()
            .filter_map(|p| {
                let id = p["id"].as_u64()? as usize;
                let words = p["passages"]
                    .as_array()?
                    .iter()
                    .filter_map(|x| x["aligned_words"].as_u64())
                    .sum::<u64>() as usize;
                Some((
                    words,
                    id,
                    p["a"]["id"].as_str()?.to_owned(),
                    p["b"]["id"].as_str()?.to_owned(),
                ))
            })
            .collect();
        // The order of `super::scan::paged_pairs`: most reused words first, then id.
        order.sort_by_key(|x| (std::cmp::Reverse(x.0), x.1));
        order.truncate(max_pages);
        Self::of(order.into_iter().map(|(_, id, a, b)| (id, a, b)), pairs_dir)
    }

    /// The pages of pairs (id, document A, document B) in the folder `pairs_dir`.
    fn of(pairs: impl Iterator<Item = (usize, String, String)>, pairs_dir: &str) -> Self {
        let pages = pairs
            .map(|(id, a, b)| {
                (
                    (a, b),
                    format!(
                        "{}/{}",
                        super::uri(pairs_dir),
                        super::scan::pair_page_name(id)
                    ),
                )
            })
            .collect();
        Self { pages }
    }

    /// The page of documents `x` and `y`, and whether `x` is its side A.
    fn get(&self, x: &str, y: &str) -> Option<(&str, bool)> {
        if let Some(p) = self.pages.get(&(x.to_owned(), y.to_owned())) {
            return Some((p, true));
        }
        self.pages
            .get(&(y.to_owned(), x.to_owned()))
            .map(|p| (p.as_str(), false))
    }
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
    render_html_in(r, texts, &Site::default(), &PairPages::default())
}

/// [`render_html`] for a page of a report: its header links the report's other pages, and each
/// cell links to the compare page (of `pairs`) of its document and the statement's earliest.
pub fn render_html_in(r: &TrackReport, texts: &[&str], site: &Site, pairs: &PairPages) -> String {
    let docs: Vec<DocHead> = r
        .documents
        .iter()
        .map(|d| DocHead {
            label: column_label(d),
            id: &d.id,
            path: &d.path,
            title: d.title.as_deref(),
            source: d.source.as_deref(),
            note: d.note.as_deref(),
        })
        .collect();
    let mut page_cells = Vec::new();
    let mut groups: Vec<GroupView> = Vec::new();
    let mut counts = [0usize; 5];
    for (si, s) in r.statements.iter().enumerate() {
        let mut cells = Vec::new();
        let mut timeline: Vec<TimelineItem> = Vec::new();
        let mut last_wording: Option<String> = None;
        let first = (0..r.documents.len()).find(|&di| r.cell(si, di).span.is_some());
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
                symbol: page::symbol(c.status.name()),
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
                let pair = first.filter(|&f| f != di).and_then(|f| {
                    let fsp = r.cell(si, f).span.as_ref()?;
                    let (href, here_is_a) = pairs.get(&r.documents[di].id, &r.documents[f].id)?;
                    let (a, b) = if here_is_a { (sp, fsp) } else { (fsp, sp) };
                    Some(PairLink {
                        href: format!("{href}#a={}-{},b={}-{}", a.start, a.end, b.start, b.end),
                        first: column_label(&r.documents[f]),
                    })
                });
                page_cells.push(PageCell {
                    key,
                    occurrences,
                    pair,
                });
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
            (st.name(), page::symbol(st.name()), help)
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
        nav: Nav::new(site, Here::Track, "Statements"),
        has_notes: r.documents.iter().any(|d| d.note.is_some()),
        lede: {
            let present = counts[..4].iter().sum::<usize>();
            let dates: Vec<&str> = r
                .documents
                .iter()
                .filter_map(|d| d.date.as_deref())
                .collect();
            format!(
                "{} statement{} followed through {} document{}{}: {} of the {} cells hold a passage that says what the statement says.",
                r.statements.len(),
                if r.statements.len() == 1 { "" } else { "s" },
                r.documents.len(),
                if r.documents.len() == 1 { "" } else { "s" },
                match (dates.first(), dates.last()) {
                    (Some(f), Some(l)) if f != l => format!(" from {f} to {l}"),
                    _ => String::new(),
                },
                present,
                r.cells.len()
            )
        },
        version: r.manifest.version,
        csp: csp(Some(SCRIPT)),
        style: page::STYLE,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_is_cut_on_char_boundaries() {
        let text = "é".repeat(300) + "X" + &"中".repeat(300);
        let at = text.find('X').unwrap();
        assert_eq!(context_before(&text, at).chars().count(), CONTEXT_CHARS);
        assert_eq!(context_after(&text, at + 1).chars().count(), CONTEXT_CHARS);
    }
}
