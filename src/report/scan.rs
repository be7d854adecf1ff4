//! The report of `cyberdiff scan`: its serde model (JSON schema version 1, `"command": "scan"`), the
//! terminal summary, and the HTML pages (an index with the overlap heat map, clusters with a timeline,
//! duplicates and boilerplate, linking to one compare page per pair).
//!
//! Field order is struct order and every list comes sorted from [`crate::scan`], so the same inputs give
//! byte-identical JSON whatever the thread count. The HTML page is an askama template
//! (`templates/scan.html`): every piece of document text is escaped, and the page runs no script and
//! loads nothing (CSP `default-src 'none'; script-src 'none'`).

use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

use askama::Template;

use rayon::prelude::*;
use serde::Serialize;

use super::page::{self, Here, Nav, Site};
use super::{
    CompareReport, DocInfo, InputInfo, KindCounts, LineIndex, Manifest, OpInfo, PassageInfo,
    SCHEMA_VERSION, SpanInfo, Summary, excerpt,
};
use crate::align::{Kind, Params};
use crate::corpus::{CorpusDoc, Skipped};
use crate::scan::{DupKind, PairResult, Scan, ScanParams};

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
    /// Pairs of documents sharing at least `min_shared` n-grams, or linked through common ones.
    pub candidate_pairs: usize,
    /// Candidate pairs whose shared n-grams chain into a region that can hold a passage: the pairs
    /// aligned.
    pub verified_pairs: usize,
    /// Verified pairs with at least one passage.
    pub pairs_with_passages: usize,
}

/// A document of the corpus.
#[derive(Debug, Serialize)]
pub struct ScanDocInfo {
    pub id: String,
    pub path: String,
    /// The path with each byte that is not UTF-8 as `\xNN` (and `\` as `\\`), present only when
    /// the path is not valid UTF-8 (`path` then holds U+FFFD in its place): [`super::path_bytes`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
    /// For a record of a JSON Lines file, its line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub date: Option<String>,
    pub title: Option<String>,
    pub source: Option<String>,
    /// The manifest's note on the text (a partial copy, a republication), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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
    /// Empty and left out with `--json-summary`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
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
    /// Shared by every pair of the document (a corpus has far more pairs than documents).
    pub a: std::sync::Arc<DocInfo>,
    pub b: std::sync::Arc<DocInfo>,
    pub shared_ngrams: u32,
    pub summary: PairSummary,
    pub passages: Vec<ScanPassage>,
}

/// Where a cluster's passage appears.
#[derive(Debug, Serialize)]
pub struct OccurrenceInfo {
    /// The document's id and date, shared by its occurrences (a corpus has many more).
    pub document: Arc<str>,
    pub date: Option<Arc<str>>,
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    /// How it reuses the occurrence in `from` (null for the source).
    pub kind: Option<Kind>,
    pub from: Option<Arc<str>>,
    /// Left out with `--json-summary`.
    #[serde(skip_serializing_if = "String::is_empty")]
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
    /// Left out with `--json-summary`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub text: String,
    pub occurrences: Vec<PlaceInfo>,
}

/// The report of `cyberdiff scan`. Its pairs hold their passages' spans only: the texts and word
/// diffs of a corpus's pairs can be many times the corpus (the Bible chapters: 21 MB of text, 950 MB
/// of JSON), so they are made from the scan's pairs as the report is written (its `Serialize` impl,
/// a batch of pairs at a time) or a pair's page is made ([`ScanReport::full_pair`]).
#[derive(Debug)]
pub struct ScanReport<'d> {
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
    /// Where the pairs' passage texts and word diffs are made from (none in a summary report).
    texts: Option<PairTexts<'d>>,
}

/// The scan's pairs a report's pair texts are made from: its own, or the scan's.
#[derive(Debug)]
enum Sources<'d> {
    Borrowed(&'d [PairResult]),
    Owned(Vec<PairResult>),
}

impl Sources<'_> {
    fn get(&self) -> &[PairResult] {
        match self {
            Sources::Borrowed(p) => p,
            Sources::Owned(p) => p,
        }
    }
}

/// What a report's pairs are made from: the documents, their line indexes and the scan's pairs.
#[derive(Debug)]
struct PairMaker<'d> {
    docs: &'d [CorpusDoc],
    /// Shared by every pair of the document (a corpus has far more pairs than documents).
    doc_infos: Vec<Arc<DocInfo>>,
    lines: Vec<LineIndex>,
}

impl PairMaker<'_> {
    /// Pair `i` (0-based) of the report from the scan's pair `p`, with its passages' texts and word
    /// diffs or without.
    fn pair(&self, i: usize, p: &PairResult, texts: bool) -> PairInfo {
        let text = |d: usize| self.docs[d].doc.text.as_str();
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
                    a: span_info(text(p.a), &self.lines[p.a], &x.a, x.a_tokens.len(), texts),
                    b: span_info(text(p.b), &self.lines[p.b], &x.b, x.b_tokens.len(), texts),
                    ops: x
                        .ops
                        .iter()
                        .filter(|_| texts)
                        .map(|o| OpInfo {
                            op: o.tag,
                            a: text(p.a)[o.a.start as usize..o.a.end as usize].to_owned(),
                            b: text(p.b)[o.b.start as usize..o.b.end as usize].to_owned(),
                            fuzzy: o.fuzzy,
                            relation: o.relation,
                        })
                        .collect(),
                }
            })
            .collect();
        PairInfo {
            id: i + 1,
            a: self.doc_infos[p.a].clone(),
            b: self.doc_infos[p.b].clone(),
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
    }
}

/// The pairs' passage texts and word diffs of a report: made when written, never held together.
#[derive(Debug)]
struct PairTexts<'d> {
    maker: PairMaker<'d>,
    sources: Sources<'d>,
}

/// Pairs made at once while a report is written, a bounded number in memory (few in the unit tests,
/// so that their reports span several batches).
pub(crate) const PAIRS_A_BATCH: usize = if cfg!(test) { 8 } else { 512 };

/// A report's pairs with their texts, made batch by batch as they are written.
struct FullPairs<'r, 'd>(&'r ScanReport<'d>);

impl Serialize for FullPairs<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let r = self.0;
        let Some(t) = &r.texts else {
            return r.pairs.serialize(s);
        };
        let sources = t.sources.get();
        let mut seq = s.serialize_seq(Some(sources.len()))?;
        // One thread makes the next batch while this one writes the last (making them on all the
        // workers was slower: the texts' allocations are then freed on another thread).
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<PairInfo>>(1);
            scope.spawn(move || {
                for start in (0..sources.len()).step_by(PAIRS_A_BATCH) {
                    let end = (start + PAIRS_A_BATCH).min(sources.len());
                    let batch = (start..end)
                        .map(|i| t.maker.pair(i, &sources[i], true))
                        .collect();
                    if tx.send(batch).is_err() {
                        return;
                    }
                }
            });
            for batch in rx {
                for p in &batch {
                    seq.serialize_element(p)?;
                }
            }
            Ok(())
        })?;
        seq.end()
    }
}

impl Serialize for ScanReport<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut r = s.serialize_struct("ScanReport", 10)?;
        r.serialize_field("schema_version", &self.schema_version)?;
        r.serialize_field("command", &self.command)?;
        r.serialize_field("manifest", &self.manifest)?;
        r.serialize_field("skipped", &self.skipped)?;
        r.serialize_field("index", &self.index)?;
        r.serialize_field("documents", &self.documents)?;
        r.serialize_field("pairs", &FullPairs(self))?;
        r.serialize_field("clusters", &self.clusters)?;
        r.serialize_field("duplicates", &self.duplicates)?;
        r.serialize_field("boilerplate", &self.boilerplate)?;
        r.end()
    }
}

/// The passage columns of a summary report's pair rows ([`ScanSummary::passage_fields`]).
pub const PASSAGE_FIELDS: [&str; 9] = [
    "kind",
    "score",
    "boilerplate",
    "a_start",
    "a_end",
    "a_line",
    "b_start",
    "b_end",
    "b_line",
];

/// The columns of a summary report's pair rows ([`ScanSummary::pair_fields`]).
pub const PAIR_FIELDS: [&str; 6] = [
    "a",
    "b",
    "shared_ngrams",
    "a_reused_share",
    "b_reused_share",
    "passages",
];

/// The columns of a summary report's occurrence rows ([`ScanSummary::occurrence_fields`]).
pub const OCCURRENCE_FIELDS: [&str; 6] = ["document", "start", "end", "line", "kind", "from"];

/// An occurrence of a cluster as a row of [`OCCURRENCE_FIELDS`] (a JSON array).
#[derive(Debug, Serialize)]
pub struct OccurrenceRow(
    pub Arc<str>,
    pub usize,
    pub usize,
    pub usize,
    pub Option<Kind>,
    pub Option<Arc<str>>,
);

/// A cluster of a summary report: its occurrences as rows.
#[derive(Debug, Serialize)]
pub struct ClusterRow {
    pub id: usize,
    pub documents: usize,
    pub source: String,
    pub occurrences: Vec<OccurrenceRow>,
}

/// The columns of a summary report's boilerplate place rows ([`ScanSummary::place_fields`]).
pub const PLACE_FIELDS: [&str; 4] = ["document", "start", "end", "line"];

/// A boilerplate text of a summary report: its places as rows of [`PLACE_FIELDS`].
#[derive(Debug, Serialize)]
pub struct BoilerplateRow {
    pub id: usize,
    pub documents: usize,
    pub words: usize,
    pub occurrences: Vec<(String, usize, usize, usize)>,
}

/// A passage as a row of [`PASSAGE_FIELDS`] (a JSON array).
#[derive(Debug, Serialize)]
pub struct PassageRow(
    pub Kind,
    pub f64,
    pub bool,
    pub usize,
    pub usize,
    pub usize,
    pub usize,
    pub usize,
    pub usize,
);

/// A pair as a row of [`PAIR_FIELDS`] (a JSON array): the documents' ids, the shared n-grams, the
/// reused shares and the passages.
#[derive(Debug, Serialize)]
pub struct PairRow(
    pub String,
    pub String,
    pub u32,
    pub f64,
    pub f64,
    pub Vec<PassageRow>,
);

/// The summary-level report of a scan (`--json-summary`), for corpora with many passages: the
/// same report as [`ScanReport`] without texts and word diffs, and with each pair, passage,
/// cluster occurrence and boilerplate place as a row (an array) whose columns `pair_fields`,
/// `passage_fields`, `occurrence_fields` and `place_fields` name, so its size grows with the
/// number of passages at a few dozen bytes each. Pairs and passages are numbered by their place
/// (the n-th pair is pair n of the full report). Written by [`super::json::write_rows_atomic`]: one record
/// of each list per line.
#[derive(Debug, Serialize)]
pub struct ScanSummary {
    pub schema_version: u32,
    pub command: &'static str,
    /// `"summary"`.
    pub level: &'static str,
    pub manifest: ScanManifest,
    pub skipped: Vec<Skipped>,
    pub index: IndexInfo,
    pub documents: Vec<ScanDocInfo>,
    pub pair_fields: [&'static str; 6],
    pub passage_fields: [&'static str; 9],
    pub occurrence_fields: [&'static str; 6],
    pub place_fields: [&'static str; 4],
    pub pairs: Vec<PairRow>,
    pub clusters: Vec<ClusterRow>,
    pub duplicates: Vec<DuplicateInfo>,
    pub boilerplate: Vec<BoilerplateRow>,
}

impl ScanReport<'_> {
    /// The report as JSON text: the summary level laid out as rows ([`Self::into_summary`],
    /// [`super::json::to_rows`]) or the full report, pretty.
    pub fn into_json(self, summary: bool) -> String {
        if summary {
            super::json::to_rows(&self.into_summary())
        } else {
            super::json::to_json(&self)
        }
    }

    /// The summary-level report (`--json-summary`): pairs, passages, cluster occurrences and
    /// boilerplate places as rows, without passage, occurrence and boilerplate texts nor word diffs.
    pub fn into_summary(self) -> ScanSummary {
        let pairs = self
            .pairs
            .into_iter()
            .map(|p| {
                let passages = p
                    .passages
                    .into_iter()
                    .map(|x| {
                        PassageRow(
                            x.kind,
                            x.score,
                            x.boilerplate,
                            x.a.start,
                            x.a.end,
                            x.a.line,
                            x.b.start,
                            x.b.end,
                            x.b.line,
                        )
                    })
                    .collect();
                PairRow(
                    p.a.id.clone(),
                    p.b.id.clone(),
                    p.shared_ngrams,
                    p.summary.a_reused_share,
                    p.summary.b_reused_share,
                    passages,
                )
            })
            .collect();
        let clusters = self
            .clusters
            .into_iter()
            .map(|c| ClusterRow {
                id: c.id,
                documents: c.documents,
                source: c.source,
                occurrences: c
                    .occurrences
                    .into_iter()
                    .map(|o| OccurrenceRow(o.document, o.start, o.end, o.line, o.kind, o.from))
                    .collect(),
            })
            .collect();
        let boilerplate = self
            .boilerplate
            .into_iter()
            .map(|b| BoilerplateRow {
                id: b.id,
                documents: b.documents,
                words: b.words,
                occurrences: b
                    .occurrences
                    .into_iter()
                    .map(|o| (o.document, o.start, o.end, o.line))
                    .collect(),
            })
            .collect();
        ScanSummary {
            schema_version: self.schema_version,
            command: self.command,
            level: "summary",
            manifest: self.manifest,
            skipped: self.skipped,
            index: self.index,
            documents: self.documents,
            pair_fields: PAIR_FIELDS,
            passage_fields: PASSAGE_FIELDS,
            occurrence_fields: OCCURRENCE_FIELDS,
            place_fields: PLACE_FIELDS,
            pairs,
            clusters,
            duplicates: self.duplicates,
            boilerplate,
        }
    }
}

/// A span located by line and column, with its text unless `with_text` is false (`--json-summary`).
fn span_info(
    text: &str,
    lines: &LineIndex,
    r: &Range<usize>,
    words: usize,
    with_text: bool,
) -> SpanInfo {
    let (line, column) = lines.line_col(text, r.start);
    let (end_line, _) = lines.line_col(text, r.end);
    SpanInfo {
        start: r.start,
        end: r.end,
        line,
        column,
        end_line,
        words,
        text: if with_text {
            text[r.clone()].to_owned()
        } else {
            String::new()
        },
    }
}

fn doc_info(d: &CorpusDoc, words: usize) -> DocInfo {
    DocInfo {
        id: d.doc.id.clone(),
        path: d.doc.path.display().to_string(),
        path_bytes: super::path_bytes(&d.doc.path),
        date: d.doc.date.clone(),
        bytes: d.doc.bytes,
        words,
    }
}

impl<'d> ScanReport<'d> {
    /// Build the report of a scan of `docs`. `inputs` are the files read (a JSON Lines file once).
    /// Without `passage_texts` the report holds no passage texts nor word diffs, and of a cluster's
    /// occurrences only the source's text (the terminal summary quotes it). With them, the pairs'
    /// texts and diffs are still not held: they are made from `scan`'s pairs as the report is
    /// written.
    pub fn new(
        docs: &'d [CorpusDoc],
        scan: &'d Scan,
        params: &Params,
        sp: &ScanParams,
        inputs: Vec<InputInfo>,
        skipped: Vec<Skipped>,
        passage_texts: bool,
    ) -> Self {
        Self::build(
            docs,
            scan,
            Sources::Borrowed(&scan.pairs),
            params,
            sp,
            inputs,
            skipped,
            passage_texts,
        )
    }

    /// [`Self::new`], moving the scan's pairs into the report (`scan.pairs` is left empty): the
    /// report keeps them for the texts it writes, and without `passage_texts` drops them once its
    /// spans are made.
    pub fn from_pairs_of(
        docs: &'d [CorpusDoc],
        scan: &mut Scan,
        params: &Params,
        sp: &ScanParams,
        inputs: Vec<InputInfo>,
        skipped: Vec<Skipped>,
        passage_texts: bool,
    ) -> Self {
        let pairs = std::mem::take(&mut scan.pairs);
        Self::build(
            docs,
            scan,
            Sources::Owned(pairs),
            params,
            sp,
            inputs,
            skipped,
            passage_texts,
        )
    }

    /// The report of `scan`, whose pairs are `sources`.
    #[allow(clippy::too_many_arguments)]
    fn build(
        docs: &'d [CorpusDoc],
        scan: &Scan,
        sources: Sources<'d>,
        params: &Params,
        sp: &ScanParams,
        inputs: Vec<InputInfo>,
        skipped: Vec<Skipped>,
        passage_texts: bool,
    ) -> Self {
        let lines: Vec<LineIndex> = docs
            .par_iter()
            .map(|d| LineIndex::new(&d.doc.text))
            .collect();
        let text = |d: usize| docs[d].doc.text.as_str();
        let id = |d: usize| docs[d].doc.id.clone();
        let maker = PairMaker {
            docs,
            doc_infos: docs
                .iter()
                .zip(&scan.words)
                .map(|(d, &w)| Arc::new(doc_info(d, w)))
                .collect(),
            lines,
        };
        // Pairs the report will not write texts of are freed as their spans are made.
        let (pairs, sources): (Vec<PairInfo>, _) = match sources {
            Sources::Owned(owned) if !passage_texts => (
                owned
                    .into_par_iter()
                    .enumerate()
                    .map(|(i, p)| maker.pair(i, &p, false))
                    .collect(),
                None,
            ),
            sources => (
                sources
                    .get()
                    .par_iter()
                    .enumerate()
                    .map(|(i, p)| maker.pair(i, p, false))
                    .collect(),
                Some(sources),
            ),
        };
        let n_pairs = pairs.len();
        let shared_ids: Vec<Arc<str>> = docs.iter().map(|d| Arc::from(d.doc.id.as_str())).collect();
        let shared_dates: Vec<Option<Arc<str>>> = docs
            .iter()
            .map(|d| d.doc.date.as_deref().map(Arc::from))
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
                    .enumerate()
                    .map(|(k, o)| {
                        let with_text = passage_texts || k == 0;
                        let s = span_info(text(o.doc), &maker.lines[o.doc], &o.span, 0, with_text);
                        OccurrenceInfo {
                            document: shared_ids[o.doc].clone(),
                            date: shared_dates[o.doc].clone(),
                            start: s.start,
                            end: s.end,
                            line: s.line,
                            column: s.column,
                            end_line: s.end_line,
                            kind: o.kind,
                            from: o.from.map(|d| shared_ids[d].clone()),
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
                            line: maker.lines[*d].line_col(text(*d), r.start).0,
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
                path_bytes: super::path_bytes(&d.doc.path),
                line: d.line,
                date: d.doc.date.clone(),
                title: d.title.clone(),
                source: d.source.clone(),
                note: d.note.clone(),
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
                candidate_pairs: scan.index.shared_pairs,
                verified_pairs: scan.index.candidates.len(),
                pairs_with_passages: n_pairs,
            },
            documents,
            pairs,
            clusters,
            duplicates,
            boilerplate,
            texts: sources
                .filter(|_| passage_texts)
                .map(|sources| PairTexts { maker, sources }),
        }
    }

    /// Pair `i` (0-based) with its passages' texts and word diffs, as the JSON writes it; `None`
    /// when the report has none (`pairs[i]` is then the pair as written).
    pub fn full_pair(&self, i: usize) -> Option<PairInfo> {
        let t = self.texts.as_ref()?;
        Some(t.maker.pair(i, &t.sources.get()[i], true))
    }

    /// The compare report of pair `i` (0-based), for its side-by-side page.
    pub fn compare_report(&self, i: usize) -> CompareReport {
        let full = self.full_pair(i);
        let p = full.as_ref().unwrap_or(&self.pairs[i]);
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
            path_bytes: d.path_bytes.clone(),
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
                    path_bytes: x.path_bytes.clone(),
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
        "index: {} distinct n-grams, {} in more than {} documents skipped; {} candidate pairs, {} verified and aligned, {} with shared passages",
        i.ngrams,
        i.common_ngrams_skipped,
        r.manifest.scan.index.max_df,
        i.candidate_pairs,
        i.verified_pairs,
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
    let _ = write!(s, "\npairs: {}", r.pairs.len());
    if top > 0 && !order.is_empty() {
        let _ = write!(s, " (top {} by reused words)", top.min(order.len()));
    }
    s.push('\n');
    // `--top 0`: the counts, and no table.
    if top > 0 && !order.is_empty() {
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

/// The file name of pair `id`'s compare page, relative to the folder of pair pages.
pub fn pair_page_name(id: usize) -> String {
    format!("pair-{id:05}.html")
}

/// Which pairs get a compare page: the `max` with the most reused words (boilerplate passages
/// included), ties by id. Indexed by pair id (index 0 unused).
pub fn paged_pairs(r: &ScanReport, max: usize) -> Vec<bool> {
    let mut linked = vec![false; r.pairs.len() + 1];
    for i in most_reused(r, max) {
        linked[r.pairs[i].id] = true;
    }
    linked
}

/// The indices of the `max` pairs of `r` with the most reused words (of two alike, the first), in
/// order.
fn most_reused(r: &ScanReport, max: usize) -> Vec<usize> {
    let reused = |k: usize| -> usize { r.pairs[k].passages.iter().map(|x| x.aligned_words).sum() };
    listed(r.pairs.len(), max, |k| (std::cmp::Reverse(reused(k)), k))
}
/// The largest number of documents shown in the heat map (those with the most reuse).
pub const HEATMAP_MAX_DOCS: usize = 120;

/// Rows a list of the scan page (recurring passages, pairs, duplicates, boilerplate) shows at most:
/// a corpus can have hundreds of thousands (the Bible chapters: 50,957 recurring passages, 98,698
/// pairs, a 135 MB page), which no browser shows usefully; the JSON report has them all. (Few in the
/// unit tests, so that their corpora have more.)
pub const HTML_MAX_ROWS: usize = if cfg!(test) { 5 } else { 1000 };

/// The indices of the rows of a list of `n` to show: the `max` smallest by `key` (all when there are
/// no more), in their order.
fn listed<K: Ord>(n: usize, max: usize, key: impl Fn(usize) -> K) -> Vec<usize> {
    let mut shown: Vec<usize> = (0..n).collect();
    if n > max {
        shown.sort_by_key(|&k| key(k));
        shown.truncate(max);
        shown.sort_unstable();
    }
    shown
}

/// What a list of `n` rows says when it shows only [`HTML_MAX_ROWS`] of them, the `which` ones.
fn cut_note(n: usize, which: &str) -> Option<String> {
    (n > HTML_MAX_ROWS).then(|| {
        format!(
            "The {} {which} of {} are listed here; the scan's JSON report lists them all.",
            super::html::group_digits(HTML_MAX_ROWS as u64),
            super::html::group_digits(n as u64)
        )
    })
}

/// The heat map's colour levels: a share below `HEAT_STEPS[k]` is level `k`, one at or above the
/// last is the darkest. Overlaps between whole documents are mostly small, so the steps are
/// closer together at the low end, where most cells fall.
const HEAT_STEPS: [f64; 5] = [0.02, 0.05, 0.10, 0.20, 0.40];

fn heat_level(share: f64) -> usize {
    HEAT_STEPS.iter().take_while(|&&s| share >= s).count()
}

/// A share as a percentage: one decimal below 10%, none above.
fn pct_short(x: f64) -> String {
    let p = x * 100.0;
    if p > 0.0 && p < 0.1 {
        "<0.1%".to_owned()
    } else if p < 10.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

#[derive(Template)]
#[template(path = "scan.html")]
struct ScanPage<'a> {
    title: String,
    nav: Nav,
    version: &'a str,
    csp: String,
    style: &'static str,
    lede: String,
    n_docs: usize,
    words: String,
    date_span: Option<String>,
    candidates: usize,
    min_cluster_docs: usize,
    kinds: Vec<(&'static str, &'static str, &'static str)>,
    skipped: Vec<(&'a str, &'a str)>,
    heat_cut: Option<String>,
    heat_cols: Vec<(String, String, String)>,
    heat_rows: Vec<HeatRow>,
    scale: Vec<(usize, String)>,
    /// Each list: its length, the rows shown, and a note when these are fewer ([`HTML_MAX_ROWS`]).
    n_clusters: usize,
    clusters_cut: Option<String>,
    clusters: Vec<ClusterView<'a>>,
    n_pairs: usize,
    pairs_cut: Option<String>,
    pairs: Vec<PairView<'a>>,
    pages_cut: bool,
    n_duplicates: usize,
    duplicates_cut: Option<String>,
    duplicates: Vec<(&'static str, &'a str, &'a str, String, String)>,
    dup_threshold: String,
    n_boilerplate: usize,
    boilerplate_cut: Option<String>,
    boilerplate: Vec<(usize, usize, usize, &'a str)>,
    boiler_min: usize,
    documents: Vec<DocRow<'a>>,
    index_note: String,
    params: Vec<(String, String)>,
}

struct HeatRow {
    n: usize,
    label: String,
    title: String,
    cells: Vec<HeatCell>,
}

struct HeatCell {
    /// The colour level, none when the pair shares no passage.
    level: Option<usize>,
    is_self: bool,
    text: String,
    title: String,
    href: Option<String>,
}

struct ClusterView<'a> {
    id: usize,
    documents: usize,
    span: Option<String>,
    excerpt: String,
    ticks: Vec<(String, String)>,
    dots: Vec<Dot>,
    rows: Vec<OccRow<'a>>,
}

struct Dot {
    x: String,
    kind: &'static str,
    symbol: &'static str,
    label: String,
    title: String,
}

struct OccRow<'a> {
    date: &'a str,
    doc_id: &'a str,
    doc_title: &'a str,
    line: usize,
    kind: &'static str,
    symbol: &'static str,
    from: Option<&'a str>,
    href: Option<String>,
    text: &'a str,
}

struct PairView<'a> {
    id: usize,
    a: &'a str,
    b: &'a str,
    kinds: Vec<(&'static str, &'static str, usize)>,
    boilerplate: usize,
    a_share: String,
    b_share: String,
    href: Option<String>,
}

struct DocRow<'a> {
    n: usize,
    date: &'a str,
    id: &'a str,
    title: &'a str,
    path: &'a str,
    note: Option<&'a str>,
    source: &'a str,
    words: String,
    reused: String,
    boilerplate: String,
}

/// A date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) as a fractional year, for placing it on a timeline.
fn year(d: Option<&str>) -> Option<f64> {
    let s = d?;
    let y: f64 = s.get(..4)?.parse().ok()?;
    let m: f64 = s.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1.0);
    let day: f64 = s.get(8..10).and_then(|m| m.parse().ok()).unwrap_or(1.0);
    Some(y + (m - 1.0) / 12.0 + (day - 1.0) / 365.0)
}

/// The index page of a scan. `pairs_dir` is the folder of the pair pages relative to the page, and
/// `linked` says which pairs (by id) have one.
pub fn render_html(r: &ScanReport, pairs_dir: &str, linked: &dyn Fn(usize) -> bool) -> String {
    render_html_in(r, pairs_dir, linked, &Site::default())
}

/// [`render_html`] for a page of a report: its header links the report's other pages.
pub fn render_html_in(
    r: &ScanReport,
    pairs_dir: &str,
    linked: &dyn Fn(usize) -> bool,
    site: &Site,
) -> String {
    use std::collections::HashMap;
    let pair_href = |id: usize, fragment: &str| -> Option<String> {
        linked(id).then(|| format!("{}/{}{fragment}", super::uri(pairs_dir), pair_page_name(id)))
    };
    let pos: HashMap<&str, usize> = r
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let mut by_docs: HashMap<(usize, usize), &PairInfo> = HashMap::new();
    for p in &r.pairs {
        let (a, b) = (pos[p.a.id.as_str()], pos[p.b.id.as_str()]);
        by_docs.insert((a, b), p);
        by_docs.insert((b, a), p);
    }

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
    let short = |d: &ScanDocInfo| d.date.clone().unwrap_or_else(|| excerpt(&d.id, 10));
    let heat_cols = shown
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let d = &r.documents[i];
            (format!("{}", k + 1), d.id.clone(), short(d))
        })
        .collect();
    let heat_rows = shown
        .iter()
        .enumerate()
        .map(|(k, &row)| {
            let d = &r.documents[row];
            let cells = shown
                .iter()
                .map(|&col| {
                    let c = &r.documents[col];
                    match by_docs.get(&(row, col)) {
                        Some(p) => {
                            let share = if pos[p.a.id.as_str()] == row {
                                p.summary.a_reused_share
                            } else {
                                p.summary.b_reused_share
                            };
                            let href = pair_href(p.id, "");
                            HeatCell {
                                level: Some(heat_level(share)),
                                is_self: false,
                                text: pct_short(share),
                                title: format!(
                                    "{} of {} lies in passages shared with {}{}",
                                    pct(share),
                                    d.id,
                                    c.id,
                                    if href.is_some() {
                                        ": open them side by side"
                                    } else {
                                        ""
                                    }
                                ),
                                href,
                            }
                        }
                        None => HeatCell {
                            level: None,
                            is_self: row == col,
                            text: String::new(),
                            title: format!("{} and {} share no passage", d.id, c.id),
                            href: None,
                        },
                    }
                })
                .collect();
            HeatRow {
                n: k + 1,
                label: format!(
                    "{}  {}",
                    short(d),
                    excerpt(d.title.as_deref().unwrap_or(&d.id), 48)
                ),
                title: d.id.clone(),
                cells,
            }
        })
        .collect();
    let mut scale = Vec::new();
    let mut lo = 0.0;
    for (k, &hi) in HEAT_STEPS.iter().enumerate() {
        scale.push((k, format!("{:.0}–{:.0}%", lo * 100.0, hi * 100.0)));
        lo = hi;
    }
    scale.push((HEAT_STEPS.len(), format!("≥ {:.0}%", lo * 100.0)));

    // Clusters, each with its places on a timeline of the corpus's years.
    let years: Vec<f64> = r
        .documents
        .iter()
        .filter_map(|d| year(d.date.as_deref()))
        .collect();
    let (y_lo, y_hi) = years
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, u), &y| (l.min(y), u.max(y)));
    let (t_lo, t_hi) = (y_lo.floor(), y_hi.floor() + 1.0);
    let at = |y: f64| -> f64 {
        if t_hi > t_lo {
            (y - t_lo) / (t_hi - t_lo) * 100.0
        } else {
            50.0
        }
    };
    let ticks: Vec<(String, String)> = if years.is_empty() {
        Vec::new()
    } else {
        let span = (t_hi - t_lo) as usize;
        let step = span.div_ceil(8).max(1);
        (0..=span)
            .step_by(step)
            .map(|k| {
                let y = t_lo + k as f64;
                (format!("{:.1}", at(y)), format!("{y:.0}"))
            })
            .collect()
    };
    // Each list shows its HTML_MAX_ROWS most telling rows, in their order: the JSON has them all.
    let shown_clusters = listed(r.clusters.len(), HTML_MAX_ROWS, |k| {
        (std::cmp::Reverse(r.clusters[k].documents), k)
    });
    let shown_pairs = most_reused(r, HTML_MAX_ROWS);
    let shown_boilerplate = listed(r.boilerplate.len(), HTML_MAX_ROWS, |k| {
        (std::cmp::Reverse(r.boilerplate[k].documents), k)
    });
    let clusters = shown_clusters
        .iter()
        .map(|&k| &r.clusters[k])
        .map(|c| {
            let src = &c.occurrences[0];
            let dates: Vec<&str> = c
                .occurrences
                .iter()
                .filter_map(|o| o.date.as_deref())
                .collect();
            let span = match (dates.first(), dates.last()) {
                (Some(f), Some(l)) if f != l => Some(format!("{f} → {l}")),
                (Some(f), _) => Some((*f).to_owned()),
                _ => None,
            };
            // One dot per dated document, with the kind of its first place and how many it has.
            let mut dots: Vec<Dot> = Vec::new();
            let mut dotted: Vec<(&str, usize)> = Vec::new();
            if !years.is_empty() {
                for o in &c.occurrences {
                    let Some(y) = year(o.date.as_deref()) else {
                        continue;
                    };
                    if let Some(k) = dotted.iter().position(|(d, _)| *d == &*o.document) {
                        dotted[k].1 += 1;
                        let n = dotted[k].1;
                        let date = o.date.as_deref().unwrap_or_default();
                        dots[k].label = format!("{date} ×{n}");
                        dots[k].title = format!("{} ({date}): {n} places", o.document);
                        continue;
                    }
                    let kind = o.kind.map_or("source", |k| k.name());
                    dotted.push((&o.document, 1));
                    dots.push(Dot {
                        x: format!("{:.1}", at(y)),
                        kind,
                        symbol: page::symbol(kind),
                        label: o.date.as_deref().unwrap_or_default().to_owned(),
                        title: format!(
                            "{} ({}): {kind}, line {}",
                            o.document,
                            o.date.as_deref().unwrap_or("undated"),
                            o.line
                        ),
                    });
                }
            }
            let rows = c
                .occurrences
                .iter()
                .map(|o| {
                    let kind = o.kind.map_or("source", |k| k.name());
                    // The page of the pair this place was aligned in, scrolled to both places.
                    let other_id = o.from.as_deref().unwrap_or(&src.document);
                    let href = o.kind.and_then(|_| {
                        let other = c.occurrences.iter().find(|x| &*x.document == other_id)?;
                        let p = by_docs.get(&(pos[&*o.document], pos[other_id]))?;
                        let (a, b) = if *p.a.id == *o.document {
                            (o, other)
                        } else {
                            (other, o)
                        };
                        pair_href(
                            p.id,
                            &format!("#a={}-{},b={}-{}", a.start, a.end, b.start, b.end),
                        )
                    });
                    let doc_title = pos
                        .get(&*o.document)
                        .and_then(|&i| r.documents[i].title.as_deref())
                        .unwrap_or(&o.document);
                    OccRow {
                        date: o.date.as_deref().unwrap_or(""),
                        doc_id: &o.document,
                        doc_title,
                        line: o.line,
                        kind,
                        symbol: page::symbol(kind),
                        from: o.kind.and(o.from.as_deref()),
                        href,
                        text: &o.text,
                    }
                })
                .collect();
            ClusterView {
                id: c.id,
                documents: c.documents,
                span,
                excerpt: excerpt(&src.text, 110),
                ticks: ticks.clone(),
                dots,
                rows,
            }
        })
        .collect();

    let pairs: Vec<PairView> = shown_pairs
        .iter()
        .map(|&k| &r.pairs[k])
        .map(|p| PairView {
            id: p.id,
            a: &p.a.id,
            b: &p.b.id,
            kinds: Kind::ALL
                .iter()
                .filter(|&&k| p.summary.kinds.get(k) > 0)
                .map(|&k| (k.name(), page::symbol(k.name()), p.summary.kinds.get(k)))
                .collect(),
            boilerplate: p.summary.boilerplate_passages,
            a_share: pct(p.summary.a_reused_share),
            b_share: pct(p.summary.b_reused_share),
            href: pair_href(p.id, ""),
        })
        .collect();
    let pages_cut = r.pairs.iter().any(|p| !linked(p.id));
    let duplicates = r
        .duplicates
        .iter()
        .take(HTML_MAX_ROWS)
        .map(|d| {
            let kind = match d.kind {
                DupKind::Exact => "exact",
                DupKind::Near => "near",
                DupKind::Contained => "contained",
            };
            (
                kind,
                d.a.as_str(),
                d.b.as_str(),
                pct(d.a_share),
                pct(d.b_share),
            )
        })
        .collect();
    let boilerplate = shown_boilerplate
        .iter()
        .map(|&k| &r.boilerplate[k])
        .map(|b| (b.id, b.documents, b.words, b.text.as_str()))
        .collect();
    let documents = r
        .documents
        .iter()
        .enumerate()
        .map(|(k, d)| DocRow {
            n: k + 1,
            date: d.date.as_deref().unwrap_or(""),
            id: &d.id,
            title: d.title.as_deref().unwrap_or(&d.id),
            path: &d.path,
            note: d.note.as_deref(),
            source: d.source.as_deref().unwrap_or(""),
            words: super::html::group_digits(d.words as u64),
            reused: pct(d.reused_share),
            boilerplate: pct(d.boilerplate_share),
        })
        .collect();
    let dates: Vec<&str> = r
        .documents
        .iter()
        .filter_map(|d| d.date.as_deref())
        .collect();
    let date_span = match (dates.iter().min(), dates.iter().max()) {
        (Some(f), Some(l)) if f != l => Some(format!("{f} to {l}")),
        (Some(f), _) => Some((*f).to_owned()),
        _ => None,
    };
    let i = &r.index;
    let most = r.clusters.iter().map(|c| c.documents).max().unwrap_or(0);
    let lede = format!(
        "Every pair of the {} documents compared: {} pair{} share passages{}. {}",
        i.documents,
        r.pairs.len(),
        if r.pairs.len() == 1 { "" } else { "s" },
        if r.clusters.is_empty() {
            String::new()
        } else {
            format!(
                "; {} passage{} recur across documents, the most widespread in {most}",
                r.clusters.len(),
                if r.clusters.len() == 1 { "" } else { "s" }
            )
        },
        "Darker cells of the overlap map share more; each links to the two documents side by side."
    );
    let mut params = vec![
        (
            "min_shared".to_owned(),
            r.manifest.scan.index.min_shared.to_string(),
        ),
        (
            "max_df".to_owned(),
            r.manifest.scan.index.max_df.to_string(),
        ),
        (
            "boilerplate_min_docs".to_owned(),
            r.manifest.scan.index.boilerplate_min_docs.to_string(),
        ),
        (
            "duplicate_threshold".to_owned(),
            r.manifest.scan.duplicate_threshold.to_string(),
        ),
        (
            "min_cluster_docs".to_owned(),
            r.manifest.scan.min_cluster_docs.to_string(),
        ),
    ];
    for inp in &r.manifest.inputs {
        params.push((
            "input".to_owned(),
            format!("{} · {} bytes · xxh3 {}", inp.path, inp.bytes, inp.xxh3),
        ));
    }
    let page = ScanPage {
        title: format!("Corpus scan: {} documents · cyberdiff", i.documents),
        nav: Nav::new(site, Here::Scan, "Corpus scan"),
        version: r.manifest.version,
        csp: page::csp(None),
        style: page::STYLE,
        lede,
        n_docs: i.documents,
        words: super::html::group_digits(i.words as u64),
        date_span,
        candidates: i.candidate_pairs,
        min_cluster_docs: r.manifest.scan.min_cluster_docs,
        kinds: [
            "repeated",
            "reworded",
            "expanded",
            "condensed",
            "boilerplate",
            "source",
        ]
        .into_iter()
        .map(|k| (k, page::symbol(k), page::help(k)))
        .collect(),
        skipped: r
            .skipped
            .iter()
            .map(|s| (s.path.as_str(), s.reason.as_str()))
            .collect(),
        heat_cut: (n > HEATMAP_MAX_DOCS).then(|| {
            format!("The {HEATMAP_MAX_DOCS} documents with the most reuse of {n} are shown.")
        }),
        heat_cols,
        heat_rows,
        scale,
        n_clusters: r.clusters.len(),
        clusters_cut: cut_note(r.clusters.len(), "most widespread"),
        clusters,
        n_pairs: r.pairs.len(),
        pairs_cut: cut_note(r.pairs.len(), "with the most reused words"),
        pairs,
        pages_cut,
        n_duplicates: r.duplicates.len(),
        duplicates_cut: cut_note(r.duplicates.len(), "first"),
        duplicates,
        dup_threshold: pct(r.manifest.scan.duplicate_threshold),
        n_boilerplate: r.boilerplate.len(),
        boilerplate_cut: cut_note(r.boilerplate.len(), "most widespread"),
        boilerplate,
        boiler_min: r.manifest.scan.index.boilerplate_min_docs,
        documents,
        index_note: format!(
            "{} distinct n-grams; {} found in more than {} documents were not used to find pairs; {} candidate pairs were aligned.",
            i.ngrams, i.common_ngrams_skipped, r.manifest.scan.index.max_df, i.candidate_pairs
        ),
        params,
    };
    let mut html = page.render().expect("rendering into a String cannot fail");
    if !html.ends_with('\n') {
        html.push('\n');
    }
    html
}
