//! The corpus commands as library calls: a corpus read once ([`crate::corpus::read_corpus`]) and
//! resolved settings in, the result and its report model out. `cyberdiff scan`, `dedup` and `track`
//! call these after parsing their arguments, and `cyberdiff report` calls all three on one reading
//! of the corpus and one scan, so a report's parts are what the commands write.

use std::collections::HashMap;

use crate::align::Params;
use crate::corpus::{Corpus, CorpusDoc};
use crate::dedup::{DedupPlan, DedupReport};
use crate::report::html::DocMeta;
use crate::report::scan::{ScanManifest, ScanReport};
use crate::report::track::TrackReport;
use crate::report::{InputInfo, Manifest};
use crate::scan::{Progress, Scan, ScanParams, Timings};
use crate::track::{MatchParams, Statement, Tracking};

/// Scan `corpus` and build the report; `inputs` are [`Corpus::inputs`]. Without `passage_texts`,
/// the report holds no passage texts (a summary-level JSON that needs no pages: they are never
/// built; leave out the word diffs too with [`ScanParams::word_diffs`]). Without `keep_tokens` the
/// scan's [`Scan::tokenized`] is dropped before the report is built (only [`dedup`] needs it), so
/// the report reuses its memory.
pub fn scan(
    corpus: &Corpus,
    params: &Params,
    sp: &ScanParams,
    inputs: Vec<InputInfo>,
    passage_texts: bool,
    keep_tokens: bool,
    progress: &Progress,
) -> (Scan, ScanReport) {
    let mut result = crate::scan::scan(&corpus.docs, params, sp, progress);
    if !keep_tokens {
        result.tokenized = None;
    }
    let mut timings = Timings::new();
    let report = ScanReport::new(
        &corpus.docs,
        &result,
        params,
        sp,
        inputs,
        corpus.skipped.clone(),
        passage_texts,
    );
    timings.lap("report");
    (result, report)
}

/// What to remove from `corpus` as duplicates, and the report, from `scan`: a scan of it by
/// [`crate::scan::scan`] with the settings `params` and `sp`, except perhaps the reworded tier. When
/// `params` leaves the tier out and the scan ran it (`cyberdiff report` scans with it), the tier's
/// passages are left out ([`Scan::duplicates_without_reworded_tier`]): the plan is the one a scan
/// without the tier gives, and no second scan is needed.
pub fn dedup(
    corpus: &Corpus,
    scan: &Scan,
    params: &Params,
    sp: ScanParams,
    inputs: Vec<InputInfo>,
    keep_paragraphs: bool,
) -> (DedupPlan, DedupReport) {
    let without_tier;
    let duplicates = if params.reworded {
        &scan.duplicates
    } else {
        without_tier = scan.duplicates_without_reworded_tier(&corpus.docs, sp.duplicate_threshold);
        &without_tier
    };
    let tokenized = scan
        .tokenized
        .as_ref()
        .expect("crate::scan::scan keeps the corpus tokenised");
    let plan = crate::dedup::plan(
        &corpus.docs,
        duplicates,
        tokenized,
        params.min_words.ceil() as usize,
        keep_paragraphs,
    );
    let m = Manifest::new(params, &[]);
    let manifest = ScanManifest {
        tool: m.tool,
        version: m.version,
        parameters: m.parameters,
        scan: sp,
        inputs,
    };
    let report = DedupReport::new(&corpus.docs, &plan, manifest, corpus.skipped.clone());
    (plan, report)
}

/// Titles, sources and notes from a corpus manifest, by document id.
pub type DocMetas = HashMap<String, DocMeta>;

/// What a corpus manifest says of each of `docs`.
pub fn doc_metas<'a>(docs: impl IntoIterator<Item = &'a CorpusDoc>) -> DocMetas {
    docs.into_iter()
        .map(|d| {
            (
                d.doc.id.clone(),
                DocMeta {
                    title: d.title.clone(),
                    source: d.source.clone(),
                    note: d.note.clone(),
                },
            )
        })
        .collect()
}

/// Track `statements` (read from the file `statements_input` describes) through `docs`, and build
/// the report, with the documents' titles, sources and notes.
pub fn track<'a>(
    statements: &'a [Statement],
    docs: &[&'a CorpusDoc],
    params: &MatchParams,
    statements_input: InputInfo,
) -> (Tracking<'a>, TrackReport) {
    let tracking = crate::track::track_docs(statements, docs.iter().map(|d| &d.doc), params);
    let report = TrackReport::new(&tracking, params, Some(statements_input))
        .with_meta(&doc_metas(docs.iter().copied()));
    (tracking, report)
}
