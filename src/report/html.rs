//! HTML output: one self-contained page for a person to read, click through and send on.
//!
//! Takes a [`CompareReport`] and the two texts its spans index into; gives one HTML document with a
//! header (both documents, reused shares, passages by kind, a legend and the keys), the two full texts
//! side by side with every passage highlighted and labelled with its kind, an inspector that shows the
//! word diff of the selected passage, and a sortable table of passages (built by the page's script from
//! the embedded passage data when it comes into view).
//!
//! Guarantees:
//! - **Escaped.** Every piece of document text goes through askama's HTML escaping; the passage data the
//!   script reads is JSON in a `<script type="application/json">` element with `<`, `>`, `&`, U+2028 and
//!   U+2029 written as `\u` escapes, so no document can close the element; the script builds the diffs
//!   with DOM text nodes, never `innerHTML`.
//! - **Self-contained.** Styles and script are inlined (compiled in from `templates/`); the page names no
//!   URL but its own `#` fragments and the other pages of its report (see [`super::page`]), and its
//!   Content-Security-Policy (`default-src 'none'`, the script allowed by its SHA-256 hash only)
//!   forbids every request and every other script.
//! - **Linkable.** `#pN` opens passage N; `#a=S-E,b=S-E` (byte offsets into either text, one side or
//!   both) marks those spans and scrolls to them, opening the passage that covers them if one does:
//!   the track page links a cell to its passage on the compare page this way.
//! - **Overlaps.** Each text is cut at every passage boundary into segments; a segment lists every
//!   passage covering it (`data-p`), so passages that overlap on one side stay separately selectable.
//!   Each passage has an anchor on each side, `a-p{id}` and `b-p{id}`, that shows its number and kind.
//! - **Large inputs.** The texts are cut at line ends into chunks of a few kilobytes rendered lazily
//!   (`content-visibility: auto`), and a diff is built only when its passage is opened.
//! - Spans that do not fit the given text (a report rendered with the wrong text) are clamped, never a
//!   panic.

use std::fmt::Write as _;

use askama::Template;
use serde::Serialize;

use super::page::{Here, Nav, STYLE, Site, csp, script_json};
use super::{CompareReport, DocInfo, PassageInfo, SpanInfo};
use crate::align::{Kind, OpTag};

/// The page's script, inlined into every report and allowed by its hash in the page's CSP.
const SCRIPT: &str = include_str!("../../templates/compare.js");

/// Chunks of text rendered lazily are cut at the first line end after this many bytes.
const CHUNK_BYTES: usize = 6 * 1024;
/// For the height a chunk is assumed to take before it is first rendered.
const EST_CHARS_PER_LINE: usize = 80;
const EST_LINE_PX: usize = 26;

/// What a manifest says about a document, for the page's header.
#[derive(Clone, Debug, Default)]
pub struct DocMeta {
    pub title: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}

/// Where a compare page sits: the report it belongs to, and its documents' titles.
#[derive(Clone, Debug, Default)]
pub struct CompareContext {
    pub site: Site,
    /// True for a scan's pair page (one folder below the scan page).
    pub in_scan: bool,
    /// What the page is called in the header's trail ("Pair 3").
    pub label: Option<String>,
    pub meta: [DocMeta; 2],
}

/// Render the HTML page of a comparison. `a_text` and `b_text` are the texts the report's spans index
/// into (the documents as decoded).
pub fn render_compare(report: &CompareReport, a_text: &str, b_text: &str) -> String {
    render_compare_in(report, a_text, b_text, &CompareContext::default())
}

/// [`render_compare`] for a page of a report: its header links the report's other pages and the
/// documents show their titles, sources and notes.
pub fn render_compare_in(
    report: &CompareReport,
    a_text: &str,
    b_text: &str,
    cx: &CompareContext,
) -> String {
    let docs = [
        doc_view("A", &report.a, report.summary.a_reused_share, &cx.meta[0]),
        doc_view("B", &report.b, report.summary.b_reused_share, &cx.meta[1]),
    ];
    let panes = [
        pane_view(Side::A, &report.a, a_text, &report.passages),
        pane_view(Side::B, &report.b, b_text, &report.passages),
    ];
    let t = &report.manifest.parameters.thresholds;
    let kinds = Kind::ALL
        .iter()
        .map(|&k| KindView {
            name: k.name(),
            symbol: symbol(k),
            count: report.summary.kinds.get(k),
            help: match k {
                Kind::Repeated => format!(
                    "near-verbatim: at least {}% of the words on each side aligned to an equal word",
                    pct0(t.repeated_min_aligned)
                ),
                Kind::Reworded => {
                    "same content in other words: substituted, reordered or re-inflected".to_owned()
                }
                Kind::Expanded => format!(
                    "B keeps A's passage ({}% of its content words) and adds to it: at least {}× as long",
                    pct0(t.expanded_min_found),
                    t.expanded_min_length_ratio
                ),
                Kind::Condensed => format!(
                    "B keeps {}% of A's passage's content words in at most 1/{} of its length",
                    pct0(t.expanded_min_found),
                    t.expanded_min_length_ratio
                ),
            },
        })
        .collect();
    let params = serde_json::to_value(&report.manifest.parameters)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|m| {
            let mut out = Vec::new();
            flatten_params("", &serde_json::Value::Object(m), &mut out);
            out
        })
        .unwrap_or_default();
    let label = cx
        .label
        .clone()
        .unwrap_or_else(|| format!("{} ↔ {}", report.a.id, report.b.id));
    let page = ComparePage {
        title: format!("{} ↔ {} · cyberdiff", report.a.id, report.b.id),
        nav: Nav::new(
            &cx.site,
            Here::Pair {
                in_scan: cx.in_scan,
            },
            &label,
        ),
        version: report.manifest.version,
        csp: csp(Some(SCRIPT)),
        style: STYLE,
        script: SCRIPT,
        data_json: script_json(&page_data(report)),
        docs,
        total: report.summary.passages,
        kinds,
        panes,
        params,
        inputs: report
            .manifest
            .inputs
            .iter()
            .map(|i| (i.path.clone(), group_digits(i.bytes), i.xxh3.clone()))
            .collect(),
    };
    let mut html = page.render().expect("rendering into a String cannot fail");
    if !html.ends_with('\n') {
        html.push('\n');
    }
    html
}

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage<'a> {
    title: String,
    nav: Nav,
    version: &'a str,
    csp: String,
    style: &'static str,
    script: &'static str,
    data_json: String,
    docs: [DocView<'a>; 2],
    total: usize,
    kinds: Vec<KindView>,
    panes: [PaneView<'a>; 2],
    params: Vec<(String, String)>,
    inputs: Vec<(String, String, String)>,
}

struct DocView<'a> {
    label: &'static str,
    id: &'a str,
    path: &'a str,
    date: Option<&'a str>,
    title: Option<&'a str>,
    source: Option<&'a str>,
    note: Option<&'a str>,
    bytes: String,
    words: String,
    share: String,
    share_width: String,
}

struct KindView {
    name: &'static str,
    symbol: &'static str,
    count: usize,
    help: String,
}

struct PaneView<'a> {
    side: &'static str,
    label: &'static str,
    id: &'a str,
    date: Option<&'a str>,
    chunks: Vec<Chunk<'a>>,
}

/// A run of text rendered as one lazily laid-out block.
struct Chunk<'a> {
    /// Byte offset of its first byte in the text (for links to a span).
    start: usize,
    /// Estimated height in pixels until it is first rendered.
    height: usize,
    segments: Vec<Segment<'a>>,
}

/// A stretch of text covered by the same passages (none, one or several).
struct Segment<'a> {
    /// Passages starting here: (id, kind name).
    pins: Vec<(usize, &'static str)>,
    text: &'a str,
    /// Classes of the highlight, empty when no passage covers the text.
    class: String,
    /// Ids of the covering passages, the shortest first.
    ids: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    A,
    B,
}

impl Side {
    fn span(self, p: &PassageInfo) -> &SpanInfo {
        match self {
            Side::A => &p.a,
            Side::B => &p.b,
        }
    }
}

fn symbol(k: Kind) -> &'static str {
    match k {
        Kind::Repeated => "=",
        Kind::Reworded => "≈",
        Kind::Expanded => "+",
        Kind::Condensed => "−",
    }
}

fn kind_index(k: Kind) -> usize {
    Kind::ALL
        .iter()
        .position(|&x| x == k)
        .expect("Kind::ALL lists every kind")
}

fn pct0(x: f64) -> String {
    format!("{:.0}", x * 100.0)
}

fn pct1(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// `1234567` as `1,234,567`.
pub(crate) fn group_digits(n: impl Into<u64>) -> String {
    let s = n.into().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn doc_view<'a>(label: &'static str, d: &'a DocInfo, share: f64, m: &'a DocMeta) -> DocView<'a> {
    DocView {
        label,
        id: &d.id,
        path: &d.path,
        date: d.date.as_deref(),
        title: m.title.as_deref(),
        source: m.source.as_deref(),
        note: m.note.as_deref(),
        bytes: group_digits(d.bytes),
        words: group_digits(d.words as u64),
        share: pct1(share),
        share_width: format!("{:.1}", (share * 100.0).clamp(0.0, 100.0)),
    }
}

/// The largest char boundary of `text` at or below `i` (and within the text).
fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where the text is cut into lazily rendered chunks: after the first line end at least `target`
/// bytes into a chunk, else (no line end within another `target` bytes) after a space, else at a char
/// boundary. Starts with 0 and ends with `text.len()`.
fn chunk_bounds(text: &str, target: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut bounds = vec![0];
    let mut at = 0;
    while text.len() - at > target + target / 2 {
        let from = at + target;
        let limit = (at + 2 * target).min(text.len());
        // b'\n' and b' ' never occur inside a multi-byte UTF-8 sequence, so one past either is a
        // char boundary.
        let cut = bytes[from..limit]
            .iter()
            .position(|&c| c == b'\n')
            .or_else(|| bytes[from..limit].iter().position(|&c| c == b' '))
            .map_or_else(|| floor_boundary(text, limit), |i| from + i + 1);
        if cut <= at || cut >= text.len() {
            break;
        }
        bounds.push(cut);
        at = cut;
    }
    if !text.is_empty() {
        bounds.push(text.len());
    }
    bounds
}

/// Height in pixels a chunk of text is assumed to take before it is rendered.
fn estimate_height(text: &str) -> usize {
    let lines: usize = text
        .split('\n')
        .map(|l| l.chars().count().div_ceil(EST_CHARS_PER_LINE).max(1))
        .sum();
    lines * EST_LINE_PX
}

/// Cut one side's text into chunks of segments at every passage boundary.
fn pane_view<'a>(
    side: Side,
    doc: &'a DocInfo,
    text: &'a str,
    passages: &[PassageInfo],
) -> PaneView<'a> {
    // Each passage's span on this side, clamped to char boundaries of the text.
    let spans: Vec<(usize, usize)> = passages
        .iter()
        .map(|p| {
            let s = side.span(p);
            let start = floor_boundary(text, s.start);
            (start, floor_boundary(text, s.end).max(start))
        })
        .collect();
    // Events at each position: passages ending there, then passages starting there.
    let mut starts: Vec<usize> = (0..passages.len()).collect();
    starts.sort_by_key(|&i| (spans[i].0, std::cmp::Reverse(spans[i].1), passages[i].id));
    let mut ends: Vec<usize> = (0..passages.len()).collect();
    ends.sort_by_key(|&i| (spans[i].1, passages[i].id));

    let chunk_cuts = chunk_bounds(text, CHUNK_BYTES);
    let mut cuts: Vec<usize> = chunk_cuts.clone();
    cuts.extend(spans.iter().flat_map(|&(s, e)| [s, e]));
    cuts.push(0);
    cuts.push(text.len());
    cuts.sort_unstable();
    cuts.dedup();

    let mut chunks: Vec<Chunk<'a>> = Vec::new();
    let mut segments: Vec<Segment<'a>> = Vec::new();
    let mut chunk_start = 0;
    let mut next_chunk = 1; // index into chunk_cuts of the next chunk boundary
    let mut active: Vec<usize> = Vec::new();
    let (mut si, mut ei) = (0, 0);
    for (ci, &pos) in cuts.iter().enumerate() {
        if next_chunk < chunk_cuts.len() && pos == chunk_cuts[next_chunk] && pos < text.len() {
            chunks.push(Chunk {
                start: chunk_start,
                height: estimate_height(&text[chunk_start..pos]),
                segments: std::mem::take(&mut segments),
            });
            chunk_start = pos;
            next_chunk += 1;
        }
        while ei < ends.len() && spans[ends[ei]].1 <= pos {
            let i = ends[ei];
            if spans[i].0 < spans[i].1 {
                active.retain(|&x| x != i);
            }
            ei += 1;
        }
        let mut pins = Vec::new();
        while si < starts.len() && spans[starts[si]].0 <= pos {
            let i = starts[si];
            pins.push((passages[i].id, passages[i].kind.name()));
            if spans[i].0 < spans[i].1 {
                active.push(i);
            }
            si += 1;
        }
        let end = cuts.get(ci + 1).copied().unwrap_or(pos);
        if end == pos && pins.is_empty() {
            continue;
        }
        let (class, ids) = if active.is_empty() {
            (String::new(), String::new())
        } else {
            // The shortest covering passage gives the colour and is the first a click selects.
            let mut covering = active.clone();
            covering.sort_by_key(|&i| (spans[i].1 - spans[i].0, passages[i].id));
            let mut class = format!("h k-{}", passages[covering[0]].kind.name());
            if covering.len() > 1 {
                class.push_str(" ov");
            }
            let mut ids = String::new();
            for (n, &i) in covering.iter().enumerate() {
                if n > 0 {
                    ids.push(' ');
                }
                let _ = write!(ids, "{}", passages[i].id);
            }
            (class, ids)
        };
        if class.is_empty() {
            segments.push(Segment {
                pins,
                text: &text[pos..end],
                class,
                ids,
            });
            continue;
        }
        let mut pins = Some(pins);
        for (piece, marked) in split_at_line_breaks(&text[pos..end]) {
            segments.push(Segment {
                pins: pins.take().unwrap_or_default(),
                text: piece,
                class: if marked { class.clone() } else { String::new() },
                ids: if marked { ids.clone() } else { String::new() },
            });
        }
        if let Some(pins) = pins {
            // An empty stretch: the pins stand alone.
            segments.push(Segment {
                pins,
                text: "",
                class: String::new(),
                ids: String::new(),
            });
        }
    }
    chunks.push(Chunk {
        start: chunk_start,
        height: estimate_height(&text[chunk_start..]),
        segments,
    });
    PaneView {
        side: if side == Side::A { "a" } else { "b" },
        label: if side == Side::A { "A" } else { "B" },
        id: &doc.id,
        date: doc.date.as_deref(),
        chunks,
    }
}

/// The pieces of a highlighted stretch, each with whether it is highlighted: white space that holds a
/// line break is left out of the highlight, so blank lines inside a passage do not show as empty
/// coloured boxes. Empty pieces are dropped.
fn split_at_line_breaks(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut push = |r: std::ops::Range<usize>, marked: bool| {
        if !r.is_empty() {
            out.push((&text[r], marked));
        }
    };
    let mut piece = 0;
    let mut run: Option<(usize, bool)> = None; // start of a white-space run, and whether it has a '\n'
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            let (start, nl) = run.unwrap_or((i, false));
            run = Some((start, nl || c == '\n'));
        } else if let Some((start, nl)) = run.take()
            && nl
        {
            push(piece..start, true);
            push(start..i, false);
            piece = i;
        }
    }
    if let Some((start, true)) = run {
        push(piece..start, true);
        push(start..text.len(), false);
        piece = text.len();
    }
    push(piece..text.len(), true);
    out
}

/// `parameters` as flat `name = value` pairs (`thresholds.repeated_min_aligned = 0.9`).
fn flatten_params(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten_params(&name, v, out);
            }
        }
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

/// What the script reads: every passage with its lines, start offsets and word diff.
#[derive(Serialize)]
struct PageData<'a> {
    kinds: [&'static str; 4],
    symbols: [&'static str; 4],
    passages: Vec<PassageData<'a>>,
    /// Passage ids in the table's first order: findings ranked, distinct content first, each
    /// finding's copies after its best passage ([`super::findings`]).
    order: Vec<usize>,
}

#[derive(Serialize)]
struct PassageData<'a> {
    id: usize,
    /// Index into `kinds`.
    k: usize,
    /// Score, aligned words.
    s: f64,
    w: usize,
    /// Per side: start byte, first line, last line, words, end byte.
    a: [usize; 5],
    b: [usize; 5],
    /// Word diff: `["=", a]` equal as written, `["=", a, b]` equal once normalised, `["-", a]`
    /// deleted, `["+", b]` inserted, `["~", a, b]` substituted, `["≈", a, b]` substituted by a near
    /// match (an OCR join, a misspelling).
    ops: Vec<OpData<'a>>,
    /// On a finding's best passage: how many passages the finding has (more than one: the same
    /// phrase matched several times).
    #[serde(skip_serializing_if = "Option::is_none")]
    n: Option<usize>,
    /// On the other passages of such a finding: the id of its best passage.
    #[serde(skip_serializing_if = "Option::is_none")]
    of: Option<usize>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum OpData<'a> {
    One(&'static str, &'a str),
    Two(&'static str, &'a str, &'a str),
    /// A replacement of related words and the relation's name.
    Three(&'static str, &'a str, &'a str, &'static str),
}

fn side_data(s: &SpanInfo) -> [usize; 5] {
    [s.start, s.line, s.end_line, s.words, s.end]
}

fn page_data(report: &CompareReport) -> PageData<'_> {
    let findings = super::findings(&report.passages);
    let mut n = rustc_hash::FxHashMap::default();
    let mut of = rustc_hash::FxHashMap::default();
    for f in findings.iter().filter(|f| f.len() > 1) {
        n.insert(f[0].id, f.len());
        for p in &f[1..] {
            of.insert(p.id, f[0].id);
        }
    }
    let order = findings.iter().flatten().map(|p| p.id).collect();
    let passages = report
        .passages
        .iter()
        .map(|p| PassageData {
            n: n.get(&p.id).copied(),
            of: of.get(&p.id).copied(),
            id: p.id,
            k: kind_index(p.kind),
            s: p.score,
            w: p.aligned_words,
            a: side_data(&p.a),
            b: side_data(&p.b),
            ops: p
                .ops
                .iter()
                .map(|o| match o.op {
                    OpTag::Equal if o.a == o.b => OpData::One("=", &o.a),
                    OpTag::Equal => OpData::Two("=", &o.a, &o.b),
                    OpTag::Delete => OpData::One("-", &o.a),
                    OpTag::Insert => OpData::One("+", &o.b),
                    OpTag::Replace if o.fuzzy => OpData::Two("≈", &o.a, &o.b),
                    OpTag::Replace if o.relation.is_some() => {
                        OpData::Three("~", &o.a, &o.b, o.relation.map_or("", |r| r.name()))
                    }
                    OpTag::Replace => OpData::Two("~", &o.a, &o.b),
                })
                .collect(),
        })
        .collect();
    PageData {
        kinds: Kind::ALL.map(Kind::name),
        symbols: Kind::ALL.map(symbol),
        passages,
        order,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::Params;
    use crate::corpus::Document;

    fn doc(id: &str, text: &str) -> Document {
        Document::from_text(id, text)
    }

    fn render(a: &str, b: &str) -> (CompareReport, String) {
        let (da, db) = (doc("a", a), doc("b", b));
        let params = Params::default();
        let cmp = crate::compare_texts(a, b, &params);
        let report = CompareReport::new(&da, &db, &cmp, &params);
        let html = render_compare(&report, a, b);
        (report, html)
    }

    const SHARED: &str = "We should speed up the building of an online platform for cultural \
                          exchanges and mutual learning among all the countries of the world.";

    #[test]
    fn page_data_ranks_findings_and_folds_a_phrase_matched_several_times() {
        // A slogan three times in each text, two longer distinct passages, unrelated sentences
        // (longer than the largest gap bridged) between them.
        let p = "to build a community with a shared future in cyberspace together";
        let f = [
            "Rivers run north through the old valley where farmers grow barley, oats and apples, \
             and every autumn the villages hold markets that draw traders from distant towns.",
            "Ships left the harbour at dawn carrying timber, salt and wool, while sailors sang \
             about storms, lost friends and the long winters they spent waiting for spring.",
            "Mathematics teachers explained prime numbers, fractions and geometry with chalk \
             diagrams, and the pupils copied every figure into notebooks bound with red thread.",
            "The orchestra rehearsed a symphony for weeks, tuning violins, cellos and horns until \
             the conductor declared that the opening movement sounded as bright as morning.",
        ];
        let a = format!("{p}. {} {SHARED} {} {p}. {} {p}.", f[0], f[1], f[2]);
        let b = format!("{p}. {} {p}. {SHARED} {} {p}.", f[3], f[0]);
        let (report, _) = render(&a, &b);
        let data = page_data(&report);
        let by_id = |id: usize| data.passages.iter().find(|x| x.id == id).unwrap();
        let mut order = data.order.clone();
        order.sort_unstable();
        let mut ids: Vec<usize> = data.passages.iter().map(|x| x.id).collect();
        ids.sort_unstable();
        assert_eq!(order, ids, "every passage once");
        // The two distinct passages first, longest first.
        let (x, y) = (by_id(data.order[0]), by_id(data.order[1]));
        assert!(
            x.w > y.w && y.w > 11 && x.n.is_none() && y.n.is_none(),
            "{:?}",
            data.order
        );
        // The slogan: one finding, its copies right after its best passage.
        let at = data
            .order
            .iter()
            .position(|&id| by_id(id).n.is_some())
            .expect("the slogan is one finding");
        let best = by_id(data.order[at]);
        let n = best.n.unwrap();
        assert!(n >= 2, "{n}");
        for &id in &data.order[at + 1..at + n] {
            assert_eq!(by_id(id).of, Some(best.id));
            assert!(by_id(id).w <= best.w);
        }
        assert!(
            data.order[at + n..]
                .iter()
                .all(|&id| by_id(id).of.is_none())
        );
    }

    #[test]
    fn digits_are_grouped_by_thousands() {
        assert_eq!(group_digits(0u64), "0");
        assert_eq!(group_digits(999u64), "999");
        assert_eq!(group_digits(1000u64), "1,000");
        assert_eq!(group_digits(1234567u64), "1,234,567");
    }

    #[test]
    fn line_breaks_are_left_out_of_highlights() {
        assert_eq!(
            split_at_line_breaks("Title\n\n  Body text\nmore "),
            vec![
                ("Title", true),
                ("\n\n  ", false),
                ("Body text", true),
                ("\n", false),
                ("more ", true)
            ]
        );
        assert_eq!(
            split_at_line_breaks("\n\nx"),
            vec![("\n\n", false), ("x", true)]
        );
        assert_eq!(
            split_at_line_breaks("x \r\n"),
            vec![("x", true), (" \r\n", false)]
        );
        assert_eq!(split_at_line_breaks("a b"), vec![("a b", true)]);
        assert_eq!(split_at_line_breaks(""), vec![]);
    }

    #[test]
    fn chunks_end_at_line_ends_on_char_boundaries() {
        let text = "第一行文字。\n".repeat(2000);
        let b = chunk_bounds(&text, 1000);
        assert_eq!(b.first(), Some(&0));
        assert_eq!(b.last(), Some(&text.len()));
        assert!(b.len() > 10);
        for w in b.windows(2) {
            assert!(w[0] < w[1]);
        }
        for &x in &b[1..b.len() - 1] {
            assert_eq!(text.as_bytes()[x - 1], b'\n');
        }
        // No line end at all: still cut, on char boundaries.
        let flat = "é".repeat(5000);
        let b = chunk_bounds(&flat, 1000);
        assert!(b.len() > 3);
        assert!(b.iter().all(|&x| flat.is_char_boundary(x)));
        assert_eq!(chunk_bounds("", 1000), vec![0]);
        assert_eq!(chunk_bounds("short", 1000), vec![0, 5]);
    }

    #[test]
    fn overlapping_passages_split_the_text_into_segments() {
        // Passage 2 lies inside passage 1 on this side: "abc[def[ghi]jkl]mno".
        let mk = |id, start, end| PassageInfo {
            id,
            kind: if id == 1 {
                Kind::Expanded
            } else {
                Kind::Repeated
            },
            score: 1.0,
            aligned_words: 1,
            a: SpanInfo {
                start,
                end,
                line: 1,
                column: 1,
                end_line: 1,
                words: 1,
                text: String::new(),
            },
            b: SpanInfo {
                start: 0,
                end: 0,
                line: 1,
                column: 1,
                end_line: 1,
                words: 0,
                text: String::new(),
            },
            ops: Vec::new(),
            evidence: None,
        };
        let text = "abcdefghijklmno";
        let d = DocInfo {
            id: "x".into(),
            path: "x".into(),
            path_bytes: None,
            date: None,
            bytes: 15,
            words: 1,
        };
        let pane = pane_view(Side::A, &d, text, &[mk(1, 3, 12), mk(2, 6, 9)]);
        assert_eq!(pane.chunks.len(), 1);
        let segs: Vec<(&str, &str, &str)> = pane.chunks[0]
            .segments
            .iter()
            .map(|s| (s.text, s.class.as_str(), s.ids.as_str()))
            .collect();
        assert_eq!(
            segs,
            vec![
                ("abc", "", ""),
                ("def", "h k-expanded", "1"),
                ("ghi", "h k-repeated ov", "2 1"),
                ("jkl", "h k-expanded", "1"),
                ("mno", "", ""),
            ]
        );
        let pins: Vec<_> = pane.chunks[0]
            .segments
            .iter()
            .map(|s| s.pins.clone())
            .collect();
        assert_eq!(pins[1], vec![(1, "expanded")]);
        assert_eq!(pins[2], vec![(2, "repeated")]);
        // Spans past the end of a wrong text are clamped, not a panic.
        let pane = pane_view(Side::A, &d, "abc", &[mk(1, 3, 12), mk(2, 6, 9)]);
        let joined: String = pane.chunks[0].segments.iter().map(|s| s.text).collect();
        assert_eq!(joined, "abc");
        assert_eq!(
            pane.chunks[0]
                .segments
                .iter()
                .map(|s| s.pins.len())
                .sum::<usize>(),
            2
        );
    }

    /// Every `src=`, `href=` and `url(` target in the page.
    fn link_targets(html: &str) -> Vec<String> {
        let mut out = Vec::new();
        let lower = html.to_ascii_lowercase();
        for pat in [
            "src=", "href=", "url(", "action=", "srcset=", "poster=", "@import",
        ] {
            for (i, _) in lower.match_indices(pat) {
                let rest = &html[i + pat.len()..];
                let rest = rest.trim_start_matches(['"', '\'', ' ']);
                let end = rest.find(['"', '\'', ')', ' ', '>']).unwrap_or(rest.len());
                out.push(rest[..end].to_owned());
            }
        }
        out
    }

    #[test]
    fn page_names_no_external_resource() {
        let (_, html) = render(SHARED, &format!("Intro. {SHARED} Outro."));
        for t in link_targets(&html) {
            assert!(
                t.starts_with('#') || t.starts_with("data:"),
                "external reference {t:?} in the page"
            );
        }
        for needle in [
            "http://",
            "https://",
            "//cdn",
            "@font-face",
            "<link",
            "<iframe",
        ] {
            assert!(!html.contains(needle), "{needle} in the page");
        }
        // Askama escapes the quotes of the attribute; the browser reads them back.
        assert!(html.contains("content=\"default-src &#39;none&#39;; script-src &#39;sha256-"));
        // The script is inlined whole and never closes its element early.
        assert!(!SCRIPT.contains("</script") && !SCRIPT.contains("<!--"));
        assert!(!STYLE.contains("</style"));
        assert!(html.contains(SCRIPT.trim()));
    }

    #[test]
    fn csp_hash_is_the_hash_of_the_inlined_script() {
        let (_, html) = render(SHARED, SHARED);
        let inline = html
            .split("<script>")
            .nth(1)
            .and_then(|s| s.split("</script>").next())
            .expect("an inline script");
        let want = csp(Some(inline)).replace('\'', "&#39;");
        assert!(
            html.contains(&want),
            "the CSP allows the inlined script by its hash"
        );
        // Only one executable script element: the other is data.
        assert_eq!(html.matches("<script").count(), 2);
        assert_eq!(html.matches("<script type=\"application/json\"").count(), 1);
    }

    #[test]
    fn hostile_text_is_escaped_everywhere() {
        let hostile = "<script>alert(1)</script> and </script><script>alert(2)</script> \
                       and <img src=x onerror=alert(3)> and \"quoted\" 'text' & <!-- comment";
        let a = format!("{hostile}\n{SHARED} {hostile}");
        let b = format!("Before. {SHARED} {hostile} after.");
        let (report, html) = render(&a, &b);
        assert!(!report.passages.is_empty());
        // Exactly the page's own two script elements, and no element from the documents.
        assert_eq!(html.matches("<script").count(), 2);
        assert_eq!(html.matches("</script>").count(), 2);
        assert!(!html.contains("<img"));
        assert!(!html.contains("<!--"));
        // The text is there, escaped.
        assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
        assert!(html.contains("&#60;img src=x onerror=alert(3)&#62;"));
        // Hostile document ids are escaped too.
        let da = doc("<b>x</b>\"", &a);
        let params = Params::default();
        let cmp = crate::compare_texts(&a, &b, &params);
        let r = CompareReport::new(&da, &doc("b", &b), &cmp, &params);
        let html = render_compare(&r, &a, &b);
        assert!(!html.contains("<b>x</b>"));
    }

    #[test]
    fn every_passage_has_an_anchor_on_both_sides() {
        // One span of A reused at two places of B: two passages overlapping on A.
        let a = format!("{SHARED}\n\nSomething else entirely, on another topic.\n");
        let b = format!(
            "Lead. {SHARED} Middle part of the letter, which is about something quite different \
             from the rest. {SHARED}"
        );
        let (report, html) = render(&a, &b);
        assert_eq!(report.passages.len(), 2);
        assert_eq!(report.passages[0].a.start, report.passages[1].a.start);
        assert!(html.contains("<mark class=\"h k-repeated ov\" data-p=\"1 2\">"));
        for p in &report.passages {
            for side in ["a", "b"] {
                let anchor = format!("id=\"{side}-p{}\"", p.id);
                assert_eq!(html.matches(&anchor).count(), 1, "{anchor}");
            }
            // Its kind is written, not only coloured.
            assert!(html.contains(&format!("title=\"Passage {} · {}\"", p.id, p.kind.name())));
        }
    }

    #[test]
    fn the_text_is_rendered_whole_and_in_order() {
        let a = format!(
            "{SHARED}\nline two & more <tags>\n{}",
            "filler words here ".repeat(800)
        );
        let (_, html) = render(&a, SHARED);
        let pane = html
            .split("id=\"text-a\"")
            .nth(1)
            .and_then(|s| s.split("id=\"pane-b\"").next())
            .unwrap();
        // Strip tags and unescape the five entities askama writes: the text comes back.
        let mut text = String::new();
        let mut in_tag = false;
        for c in pane.split_once('>').unwrap().1.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        let text = text
            .replace("&#60;", "<")
            .replace("&#62;", ">")
            .replace("&#34;", "\"")
            .replace("&#39;", "'")
            .replace("&#38;", "&");
        assert!(text.starts_with(&a), "{:?}", &text[..200.min(text.len())]);
        assert!(html.matches("class=\"chunk\"").count() >= 3);
    }
}
