//! The report of `cyberdiff scan`: its serde model (JSON schema version 1, `"command": "scan"`), the
//! terminal summary, and the HTML pages (an index with the overlap heat map, clusters with a timeline,
//! duplicates and boilerplate, linking to one compare page per pair).
//!
//! Field order is struct order and every list comes sorted from [`crate::scan`], so the same inputs give
//! byte-identical JSON whatever the thread count. Every piece of document text in the HTML is escaped;
//! the pages load nothing from anywhere (CSP `default-src 'none'`).

use std::fmt::Write as _;
use std::ops::Range;

use rayon::prelude::*;
use serde::Serialize;

use super::{
    CompareReport, DocInfo, InputInfo, KindCounts, LineIndex, Manifest, OpInfo, PassageInfo,
    SCHEMA_VERSION, SpanInfo, Summary, excerpt,
};
use crate::align::{Kind, Params};
use crate::corpus::{CorpusDoc, Skipped};
use crate::scan::{DupKind, Scan, ScanParams};

/// What produced a scan report, from what.
#[derive(Debug, Serialize)]
pub struct ScanManifest {
    pub tool: &'static str,
    pub version: &'static str,
    pub parameters: Params,
    pub scan: ScanParams,
    pub inputs: Vec<InputInfo>,
}

/// Figures of the index.
#[derive(Debug, Serialize)]
pub struct IndexInfo {
    pub documents: usize,
    pub words: usize,
    pub bytes: u64,
    /// Distinct n-grams per document, summed.
    pub postings: usize,
    /// Distinct n-grams of the corpus.
    pub ngrams: usize,
    /// N-grams in more than `max_df` documents, not used to find pairs.
    pub common_ngrams_skipped: usize,
    pub candidate_pairs: usize,
    /// Candidate pairs with at least one passage.
    pub pairs_with_passages: usize,
}

/// A document of the corpus.
#[derive(Debug, Serialize)]
pub struct ScanDocInfo {
    pub id: String,
    pub path: String,
    /// For a record of a JSON Lines file, its line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub date: Option<String>,
    pub title: Option<String>,
    pub source: Option<String>,
    pub bytes: u64,
    pub words: usize,
    /// Share of its words in non-boilerplate passages shared with any other document.
    pub reused_share: f64,
    /// Share of its words in boilerplate runs.
    pub boilerplate_share: f64,
}

/// A passage of a pair.
#[derive(Debug, Serialize)]
pub struct ScanPassage {
    pub id: usize,
    pub kind: Kind,
    pub boilerplate: bool,
    pub score: f64,
    pub aligned_words: usize,
    pub a: SpanInfo,
    pub b: SpanInfo,
    pub ops: Vec<OpInfo>,
}

/// Summary of a pair.
#[derive(Debug, Serialize)]
pub struct PairSummary {
    /// Share of A's words in non-boilerplate passages.
    pub a_reused_share: f64,
    pub b_reused_share: f64,
    /// The same, boilerplate passages included (what duplicate detection uses).
    pub a_share_with_boilerplate: f64,
    pub b_share_with_boilerplate: f64,
    pub passages: usize,
    pub boilerplate_passages: usize,
    /// Non-boilerplate passages by kind.
    pub kinds: KindCounts,
}

/// One aligned pair: the content of a compare report.
#[derive(Debug, Serialize)]
pub struct PairInfo {
    pub id: usize,
    pub a: DocInfo,
    pub b: DocInfo,
    pub shared_ngrams: u32,
    pub summary: PairSummary,
    pub passages: Vec<ScanPassage>,
}

/// Where a cluster's passage appears.
#[derive(Debug, Serialize)]
pub struct OccurrenceInfo {
    pub document: String,
    pub date: Option<String>,
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    /// How it reuses the occurrence in `from` (null for the source).
    pub kind: Option<Kind>,
    pub from: Option<String>,
    pub text: String,
}

/// One reused passage and every place it appears, in date order; the first is the source.
#[derive(Debug, Serialize)]
pub struct ClusterInfo {
    pub id: usize,
    pub documents: usize,
    pub source: String,
    pub occurrences: Vec<OccurrenceInfo>,
}

/// Two duplicate documents; `a` is the earlier, which deduplication keeps.
#[derive(Debug, Serialize)]
pub struct DuplicateInfo {
    pub kind: DupKind,
    pub a: String,
    pub b: String,
    pub a_share: f64,
    pub b_share: f64,
}

/// Where a boilerplate text appears.
#[derive(Debug, Serialize)]
pub struct PlaceInfo {
    pub document: String,
    pub start: usize,
    pub end: usize,
    pub line: usize,
}

/// A boilerplate text.
#[derive(Debug, Serialize)]
pub struct BoilerplateInfo {
    pub id: usize,
    pub documents: usize,
    pub words: usize,
    pub text: String,
    pub occurrences: Vec<PlaceInfo>,
}

/// The report of `cyberdiff scan`.
#[derive(Debug, Serialize)]
pub struct ScanReport {
    pub schema_version: u32,
    pub command: &'static str,
    pub manifest: ScanManifest,
    pub skipped: Vec<Skipped>,
    pub index: IndexInfo,
    pub documents: Vec<ScanDocInfo>,
    pub pairs: Vec<PairInfo>,
    pub clusters: Vec<ClusterInfo>,
    pub duplicates: Vec<DuplicateInfo>,
    pub boilerplate: Vec<BoilerplateInfo>,
}

fn span_info(text: &str, lines: &LineIndex, r: &Range<usize>, words: usize) -> SpanInfo {
    let (line, column) = lines.line_col(text, r.start);
    let (end_line, _) = lines.line_col(text, r.end);
    SpanInfo {
        start: r.start,
        end: r.end,
        line,
        column,
        end_line,
        words,
        text: text[r.clone()].to_owned(),
    }
}

fn doc_info(d: &CorpusDoc, words: usize) -> DocInfo {
    DocInfo {
        id: d.doc.id.clone(),
        path: d.doc.path.display().to_string(),
        date: d.doc.date.clone(),
        bytes: d.doc.bytes,
        words,
    }
}

impl ScanReport {
    /// Build the report of a scan of `docs`. `inputs` are the files read (a JSON Lines file once).
    pub fn new(
        docs: &[CorpusDoc],
        scan: &Scan,
        params: &Params,
        sp: &ScanParams,
        inputs: Vec<InputInfo>,
        skipped: Vec<Skipped>,
    ) -> Self {
        let lines: Vec<LineIndex> = docs
            .par_iter()
            .map(|d| LineIndex::new(&d.doc.text))
            .collect();
        let text = |d: usize| docs[d].doc.text.as_str();
        let id = |d: usize| docs[d].doc.id.clone();
        let pairs: Vec<PairInfo> = scan
            .pairs
            .par_iter()
            .enumerate()
            .map(|(i, p)| {
                let mut kinds = KindCounts::default();
                let passages: Vec<ScanPassage> = p
                    .passages
                    .iter()
                    .enumerate()
                    .map(|(j, x)| {
                        if !x.boilerplate {
                            add_kind(&mut kinds, x.kind);
                        }
                        ScanPassage {
                            id: j + 1,
                            kind: x.kind,
                            boilerplate: x.boilerplate,
                            score: x.score,
                            aligned_words: x.aligned_a.min(x.aligned_b),
                            a: span_info(text(p.a), &lines[p.a], &x.a, x.a_tokens.len()),
                            b: span_info(text(p.b), &lines[p.b], &x.b, x.b_tokens.len()),
                            ops: x
                                .ops
                                .iter()
                                .map(|o| OpInfo {
                                    op: o.tag,
                                    a: text(p.a)[o.a.clone()].to_owned(),
                                    b: text(p.b)[o.b.clone()].to_owned(),
                                    fuzzy: o.fuzzy,
                                    relation: o.relation,
                                })
                                .collect(),
                        }
                    })
                    .collect();
                PairInfo {
                    id: i + 1,
                    a: doc_info(&docs[p.a], scan.words[p.a]),
                    b: doc_info(&docs[p.b], scan.words[p.b]),
                    shared_ngrams: p.shared_ngrams,
                    summary: PairSummary {
                        a_reused_share: p.a_share,
                        b_reused_share: p.b_share,
                        a_share_with_boilerplate: p.a_share_all,
                        b_share_with_boilerplate: p.b_share_all,
                        passages: passages.len(),
                        boilerplate_passages: passages.iter().filter(|x| x.boilerplate).count(),
                        kinds,
                    },
                    passages,
                }
            })
            .collect();
        let clusters = scan
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| ClusterInfo {
                id: i + 1,
                documents: c.documents,
                source: id(c.occurrences[0].doc),
                occurrences: c
                    .occurrences
                    .iter()
                    .map(|o| {
                        let s = span_info(text(o.doc), &lines[o.doc], &o.span, 0);
                        OccurrenceInfo {
                            document: id(o.doc),
                            date: docs[o.doc].doc.date.clone(),
                            start: s.start,
                            end: s.end,
                            line: s.line,
                            column: s.column,
                            end_line: s.end_line,
                            kind: o.kind,
                            from: o.from.map(id),
                            text: s.text,
                        }
                    })
                    .collect(),
            })
            .collect();
        let duplicates = scan
            .duplicates
            .iter()
            .map(|d| DuplicateInfo {
                kind: d.kind,
                a: id(d.a),
                b: id(d.b),
                a_share: d.a_share,
                b_share: d.b_share,
            })
            .collect();
        let boilerplate = scan
            .boilerplate
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let (d0, r0) = &b.occurrences[0];
                BoilerplateInfo {
                    id: i + 1,
                    documents: b.documents,
                    words: b.words,
                    text: text(*d0)[r0.clone()].to_owned(),
                    occurrences: b
                        .occurrences
                        .iter()
                        .map(|(d, r)| PlaceInfo {
                            document: id(*d),
                            start: r.start,
                            end: r.end,
                            line: lines[*d].line_col(text(*d), r.start).0,
                        })
                        .collect(),
                }
            })
            .collect();
        let documents = docs
            .iter()
            .enumerate()
            .map(|(i, d)| ScanDocInfo {
                id: d.doc.id.clone(),
                path: d.doc.path.display().to_string(),
                line: d.line,
                date: d.doc.date.clone(),
                title: d.title.clone(),
                source: d.source.clone(),
                bytes: d.doc.bytes,
                words: scan.words[i],
                reused_share: scan.reused_share[i],
                boilerplate_share: scan.boilerplate_share[i],
            })
            .collect();
        let m = Manifest::new(params, &[]);
        Self {
            schema_version: SCHEMA_VERSION,
            command: "scan",
            manifest: ScanManifest {
                tool: m.tool,
                version: m.version,
                parameters: m.parameters,
                scan: sp.clone(),
                inputs,
            },
            skipped,
            index: IndexInfo {
                documents: docs.len(),
                words: scan.words.iter().sum(),
                bytes: docs.iter().map(|d| d.doc.bytes).sum(),
                postings: scan.index.postings,
                ngrams: scan.index.ngrams,
                common_ngrams_skipped: scan.index.common_ngrams,
                candidate_pairs: scan.index.candidates.len(),
                pairs_with_passages: scan.pairs.len(),
            },
            documents,
            pairs,
            clusters,
            duplicates,
            boilerplate,
        }
    }

    /// The compare report of pair `i` (0-based), for its side-by-side page.
    pub fn compare_report(&self, i: usize) -> CompareReport {
        let p = &self.pairs[i];
        let copy_span = |s: &SpanInfo| SpanInfo {
            start: s.start,
            end: s.end,
            line: s.line,
            column: s.column,
            end_line: s.end_line,
            words: s.words,
            text: s.text.clone(),
        };
        let copy_doc = |d: &DocInfo| DocInfo {
            id: d.id.clone(),
            path: d.path.clone(),
            date: d.date.clone(),
            bytes: d.bytes,
            words: d.words,
        };
        let mut kinds = KindCounts::default();
        for x in &p.passages {
            add_kind(&mut kinds, x.kind);
        }
        let find_input = |path: &str| {
            self.manifest
                .inputs
                .iter()
                .find(|x| x.path == path)
                .map(|x| InputInfo {
                    path: x.path.clone(),
                    bytes: x.bytes,
                    xxh3: x.xxh3.clone(),
                })
        };
        CompareReport {
            schema_version: SCHEMA_VERSION,
            command: "compare",
            manifest: Manifest {
                tool: self.manifest.tool,
                version: self.manifest.version,
                parameters: self.manifest.parameters.clone(),
                inputs: [find_input(&p.a.path), find_input(&p.b.path)]
                    .into_iter()
                    .flatten()
                    .collect(),
            },
            a: copy_doc(&p.a),
            b: copy_doc(&p.b),
            summary: Summary {
                a_reused_share: p.summary.a_share_with_boilerplate,
                b_reused_share: p.summary.b_share_with_boilerplate,
                passages: p.passages.len(),
                kinds,
            },
            passages: p
                .passages
                .iter()
                .map(|x| PassageInfo {
                    id: x.id,
                    kind: x.kind,
                    score: x.score,
                    aligned_words: x.aligned_words,
                    a: copy_span(&x.a),
                    b: copy_span(&x.b),
                    ops: x
                        .ops
                        .iter()
                        .map(|o| OpInfo {
                            op: o.op,
                            a: o.a.clone(),
                            b: o.b.clone(),
                            fuzzy: o.fuzzy,
                            relation: o.relation,
                        })
                        .collect(),
                    evidence: None,
                })
                .collect(),
        }
    }
}

fn add_kind(k: &mut KindCounts, kind: Kind) {
    match kind {
        Kind::Repeated => k.repeated += 1,
        Kind::Reworded => k.reworded += 1,
        Kind::Expanded => k.expanded += 1,
        Kind::Condensed => k.condensed += 1,
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// The terminal summary of a scan.
pub fn render_terminal(r: &ScanReport, top: usize, seconds: f64) -> String {
    let mut s = String::new();
    let i = &r.index;
    let _ = writeln!(
        s,
        "scanned {} documents ({} words, {} bytes) in {:.2} s",
        i.documents, i.words, i.bytes, seconds
    );
    let _ = writeln!(
        s,
        "index: {} distinct n-grams, {} in more than {} documents skipped; {} candidate pairs, {} with shared passages",
        i.ngrams,
        i.common_ngrams_skipped,
        r.manifest.scan.index.max_df,
        i.candidate_pairs,
        i.pairs_with_passages
    );
    if !r.skipped.is_empty() {
        let _ = writeln!(
            s,
            "skipped: {} inputs (see the warnings above)",
            r.skipped.len()
        );
    }
    let mut order: Vec<&PairInfo> = r.pairs.iter().collect();
    let reused = |p: &PairInfo| {
        p.passages
            .iter()
            .filter(|x| !x.boilerplate)
            .map(|x| x.aligned_words)
            .sum::<usize>()
    };
    order.sort_by_key(|p| (std::cmp::Reverse(reused(p)), p.id));
    let _ = writeln!(
        s,
        "\npairs: {} (top {} by reused words)",
        r.pairs.len(),
        top.min(order.len())
    );
    if !order.is_empty() {
        let _ = writeln!(
            s,
            "  {:>5}  {:>8}  {:>8}  {:>8}  a -> b",
            "#", "passages", "a share", "b share"
        );
    }
    for p in order.iter().take(top) {
        let _ = writeln!(
            s,
            "  {:>5}  {:>8}  {:>8}  {:>8}  {} -> {}",
            p.id,
            p.summary.passages - p.summary.boilerplate_passages,
            pct(p.summary.a_reused_share),
            pct(p.summary.b_reused_share),
            p.a.id,
            p.b.id
        );
    }
    let big = r.clusters.iter().filter(|c| c.documents >= 3).count();
    let _ = writeln!(
        s,
        "\nclusters: {} ({} in 3 or more documents)",
        r.clusters.len(),
        big
    );
    let mut cl: Vec<&ClusterInfo> = r.clusters.iter().collect();
    cl.sort_by_key(|c| (std::cmp::Reverse(c.documents), c.id));
    for c in cl.iter().take(top) {
        let src = &c.occurrences[0];
        let _ = writeln!(
            s,
            "  #{} in {} documents, first in {} line {}: \"{}\"",
            c.id,
            c.documents,
            src.document,
            src.line,
            excerpt(&src.text, 60)
        );
        for o in c.occurrences.iter().skip(1).take(6) {
            let _ = writeln!(
                s,
                "      {:<10} {} line {}",
                o.kind.map_or("(same doc)", |k| k.name()),
                o.document,
                o.line
            );
        }
        if c.occurrences.len() > 7 {
            let _ = writeln!(s, "      … {} more", c.occurrences.len() - 7);
        }
    }
    let count = |k: DupKind| r.duplicates.iter().filter(|d| d.kind == k).count();
    let _ = writeln!(
        s,
        "\nduplicates: {} exact, {} near, {} contained",
        count(DupKind::Exact),
        count(DupKind::Near),
        count(DupKind::Contained)
    );
    for d in r.duplicates.iter().take(top) {
        let kind = match d.kind {
            DupKind::Exact => "exact",
            DupKind::Near => "near",
            DupKind::Contained => "contained",
        };
        let _ = writeln!(
            s,
            "  {:<9} {} ~ {}  ({} / {})",
            kind,
            d.a,
            d.b,
            pct(d.a_share),
            pct(d.b_share)
        );
    }
    let _ = writeln!(
        s,
        "\nboilerplate: {} texts in {} or more documents (kept out of reuse shares)",
        r.boilerplate.len(),
        r.manifest.scan.index.boilerplate_min_docs
    );
    for b in r.boilerplate.iter().take(top) {
        let _ = writeln!(
            s,
            "  {} documents: \"{}\"",
            b.documents,
            excerpt(&b.text, 70)
        );
    }
    // Document ids are file names, which can hold escape sequences.
    super::printable(&s).into_owned()
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The file name of pair `id`'s compare page, relative to the folder of pair pages.
pub fn pair_page_name(id: usize) -> String {
    format!("pair-{id:05}.html")
}

const STYLE: &str = include_str!("../../templates/scan.css");

/// The largest number of documents shown in the heat map (those with the most reuse).
pub const HEATMAP_MAX_DOCS: usize = 120;

/// The index page of a scan. `pairs_dir` is the folder of the pair pages relative to the page, and
/// `linked` how many pairs have one (pairs are linked in order of id).
pub fn render_html(r: &ScanReport, pairs_dir: &str, linked: &dyn Fn(usize) -> bool) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>cyberdiff scan: {} documents</title><style>{STYLE}</style></head><body>\n",
        r.index.documents
    );
    let i = &r.index;
    let _ = writeln!(
        h,
        "<header><h1>cyberdiff scan</h1><p>{} documents, {} words; {} pairs with shared passages \
(of {} candidates), {} clusters, {} duplicates, {} boilerplate texts; {} common n-grams skipped \
(in more than {} documents).</p><nav><a href=\"#heatmap\">overlap</a> · <a href=\"#clusters\">clusters</a> · \
<a href=\"#pairs\">pairs</a> · <a href=\"#duplicates\">duplicates</a> · <a href=\"#boilerplate\">boilerplate</a> · \
<a href=\"#documents\">documents</a></nav></header>",
        i.documents,
        i.words,
        i.pairs_with_passages,
        i.candidate_pairs,
        r.clusters.len(),
        r.duplicates.len(),
        r.boilerplate.len(),
        i.common_ngrams_skipped,
        r.manifest.scan.index.max_df
    );
    if !r.skipped.is_empty() {
        let _ = write!(h, "<section class=\"warn\"><h2>Skipped inputs</h2><ul>");
        for s in &r.skipped {
            let _ = write!(
                h,
                "<li><code>{}</code>: {}</li>",
                esc(&s.path),
                esc(&s.reason)
            );
        }
        h.push_str("</ul></section>\n");
    }
    let link = |p: &PairInfo, inner: &str| {
        if linked(p.id) {
            format!(
                "<a href=\"{}/{}\">{inner}</a>",
                esc(&super::uri(pairs_dir)),
                pair_page_name(p.id)
            )
        } else {
            inner.to_owned()
        }
    };

    // Heat map: the documents with the most reuse, in date order.
    let n = r.documents.len();
    let mut shown: Vec<usize> = (0..n).collect();
    if n > HEATMAP_MAX_DOCS {
        shown.sort_by(|&x, &y| {
            r.documents[y]
                .reused_share
                .total_cmp(&r.documents[x].reused_share)
                .then(x.cmp(&y))
        });
        shown.truncate(HEATMAP_MAX_DOCS);
        shown.sort_unstable();
    }
    let pos: std::collections::HashMap<&str, usize> = r
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let mut cell: std::collections::HashMap<(usize, usize), &PairInfo> = Default::default();
    for p in &r.pairs {
        let (a, b) = (pos[p.a.id.as_str()], pos[p.b.id.as_str()]);
        cell.insert((a, b), p);
        cell.insert((b, a), p);
    }
    let _ = write!(
        h,
        "<section id=\"heatmap\"><h2>Overlap</h2><p>Cell (row, column): share of the row document's words \
in passages shared with the column document (boilerplate excluded); darker is more. {}</p>\
<div class=\"scroll\"><table class=\"heat\"><tr><th></th>",
        if n > HEATMAP_MAX_DOCS {
            format!("The {HEATMAP_MAX_DOCS} documents with the most reuse of {n}.")
        } else {
            String::new()
        }
    );
    for (k, _) in shown.iter().enumerate() {
        let d = &r.documents[shown[k]];
        let _ = write!(h, "<th title=\"{}\">{}</th>", esc(&d.id), k + 1);
    }
    h.push_str("</tr>\n");
    for (k, &row) in shown.iter().enumerate() {
        let d = &r.documents[row];
        let _ = write!(
            h,
            "<tr><th class=\"rowh\" title=\"{}\">{} {}</th>",
            esc(&d.id),
            k + 1,
            esc(&excerpt(&d.id, 40))
        );
        for &col in &shown {
            match cell.get(&(row, col)) {
                Some(p) => {
                    let share = if pos[p.a.id.as_str()] == row {
                        p.summary.a_reused_share
                    } else {
                        p.summary.b_reused_share
                    };
                    let level = ((share * 10.0).ceil() as usize).min(10);
                    let inner = format!(
                        "<span title=\"{} ~ {}: {}\">{}</span>",
                        esc(&r.documents[row].id),
                        esc(&r.documents[col].id),
                        pct(share),
                        (share * 100.0).round()
                    );
                    let _ = write!(h, "<td class=\"h{level}\">{}</td>", link(p, &inner));
                }
                None if row == col => h.push_str("<td class=\"self\"></td>"),
                None => h.push_str("<td></td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div></section>\n");

    // Clusters with a timeline: dated occurrences placed on the corpus's date range.
    let year = |d: &Option<String>| {
        d.as_deref().and_then(|s| {
            let y: f64 = s.get(..4)?.parse().ok()?;
            let m: f64 = s.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1.0);
            let day: f64 = s.get(8..10).and_then(|m| m.parse().ok()).unwrap_or(1.0);
            Some(y + (m - 1.0) / 12.0 + (day - 1.0) / 365.0)
        })
    };
    let years: Vec<f64> = r.documents.iter().filter_map(|d| year(&d.date)).collect();
    let (lo, hi) = years
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, u), &y| (l.min(y), u.max(y)));
    let _ = writeln!(
        h,
        "<section id=\"clusters\"><h2>Clusters</h2><p>One reused passage and every place it appears, in date \
order; the first is the source, and each later place says how it reuses it.{}</p>",
        if years.is_empty() {
            String::new()
        } else {
            format!(" Timeline from {} to {}.", lo.floor(), hi.floor())
        }
    );
    for c in &r.clusters {
        let src = &c.occurrences[0];
        let _ = write!(
            h,
            "<details class=\"cluster\" id=\"c{}\"><summary>#{} · {} documents · first in <b>{}</b>: {}</summary>",
            c.id,
            c.id,
            c.documents,
            esc(&src.document),
            esc(&excerpt(&src.text, 120))
        );
        if !years.is_empty() {
            h.push_str("<div class=\"timeline\">");
            for o in &c.occurrences {
                if let Some(y) = year(&o.date) {
                    let x = if hi > lo {
                        (y - lo) / (hi - lo) * 100.0
                    } else {
                        50.0
                    };
                    let _ = write!(
                        h,
                        "<span class=\"dot k-{}\" style=\"left:{x:.1}%\" title=\"{} ({}): {}\"></span>",
                        o.kind.map_or("source", |k| k.name()),
                        esc(&o.document),
                        esc(o.date.as_deref().unwrap_or("")),
                        o.kind.map_or("source", |k| k.name())
                    );
                }
            }
            h.push_str("</div>");
        }
        h.push_str("<table><tr><th>date</th><th>document</th><th>line</th><th>kind</th><th>from</th><th>text</th></tr>");
        for o in &c.occurrences {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"k-{}\">{}</td><td>{}</td><td class=\"text\">{}</td></tr>",
                esc(o.date.as_deref().unwrap_or("")),
                esc(&o.document),
                o.line,
                o.kind.map_or("source", |k| k.name()),
                o.kind.map_or("source", |k| k.name()),
                esc(o.from.as_deref().unwrap_or("")),
                esc(&o.text)
            );
        }
        h.push_str("</table></details>\n");
    }
    h.push_str("</section>\n");

    let _ = write!(
        h,
        "<section id=\"pairs\"><h2>Pairs</h2><table><tr><th>#</th><th>A (earlier)</th><th>B</th><th>passages</th>\
<th>A share</th><th>B share</th><th>boilerplate passages</th></tr>"
    );
    for p in &r.pairs {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            link(p, &p.id.to_string()),
            esc(&p.a.id),
            esc(&p.b.id),
            p.summary.passages,
            pct(p.summary.a_reused_share),
            pct(p.summary.b_reused_share),
            p.summary.boilerplate_passages
        );
    }
    h.push_str("</table></section>\n");

    let _ = write!(
        h,
        "<section id=\"duplicates\"><h2>Duplicates</h2><p><i>exact</i>: identical text; <i>near</i>: at least {} \
of each document's words in shared passages; <i>contained</i>: the smaller document only.</p><table>\
<tr><th>kind</th><th>keep (earlier)</th><th>duplicate</th><th>share of first</th><th>share of second</th></tr>",
        pct(r.manifest.scan.duplicate_threshold)
    );
    for d in &r.duplicates {
        let _ = write!(
            h,
            "<tr><td>{:?}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            d.kind,
            esc(&d.a),
            esc(&d.b),
            pct(d.a_share),
            pct(d.b_share)
        );
    }
    h.push_str("</table></section>\n");

    let _ = write!(
        h,
        "<section id=\"boilerplate\"><h2>Boilerplate</h2><p>Text made of n-grams found in at least {} documents: \
labelled, listed here, and kept out of the reused shares.</p><table><tr><th>#</th><th>documents</th><th>words</th><th>text</th></tr>",
        r.manifest.scan.index.boilerplate_min_docs
    );
    for b in &r.boilerplate {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"text\">{}</td></tr>",
            b.id,
            b.documents,
            b.words,
            esc(&b.text)
        );
    }
    h.push_str("</table></section>\n");

    h.push_str("<section id=\"documents\"><h2>Documents</h2><table><tr><th>#</th><th>date</th><th>id</th><th>title</th><th>source</th><th>words</th><th>reused</th><th>boilerplate</th></tr>");
    for (k, d) in r.documents.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            k + 1,
            esc(d.date.as_deref().unwrap_or("")),
            esc(&d.path),
            esc(&d.id),
            esc(d.title.as_deref().unwrap_or("")),
            esc(d.source.as_deref().unwrap_or("")),
            d.words,
            pct(d.reused_share),
            pct(d.boilerplate_share)
        );
    }
    h.push_str("</table></section>\n</body></html>\n");
    h
}
