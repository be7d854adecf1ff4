//! The corpus commands as library calls: a corpus read once ([`crate::corpus::read_corpus`]) and
//! resolved settings in, the result and its report model out. `cyberdiff scan`, `dedup` and `track`
//! call these after parsing their arguments, and `cyberdiff report` calls all three on one reading
//! of the corpus and one scan, so a report's parts are what the commands write. `cyberdiff check`
//! calls [`check`] with its settings layered from flags and `cyberdiff.toml`
//! ([`crate::gate::config::resolve`]): the gate finds and reads its corpus itself, through its cache.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::Error;
use crate::align::Params;
use crate::corpus::{Corpus, CorpusDoc};
use crate::dedup::{DedupPlan, DedupReport};
use crate::gate::config::CheckSettings;
use crate::gate::json::CheckReport;
use crate::gate::plan::{self, CacheInfo, Warn};
use crate::gate::state::{FileMeta, State};
use crate::gate::{Baseline, Verdict, cache};
use crate::report::html::DocMeta;
use crate::report::scan::{ScanManifest, ScanReport};
use crate::report::track::TrackReport;
use crate::report::{InputInfo, Manifest};
use crate::scan::{Progress, Scan, ScanParams, Timings};
use crate::track::{MatchParams, Statement, Tracking};

/// Scan `corpus` and build the report; `inputs` are [`Corpus::inputs`]. Without `passage_texts`,
/// the report holds no passage texts (a summary-level JSON that needs no pages: they are never
/// built; leave out the word diffs too with [`ScanParams::word_diffs`]). The scan's
/// [`Scan::tokenized`] is dropped before the report is built and its [`Scan::pairs`] are moved into
/// the report ([`ScanReport::from_pairs_of`]); [`ScanReport::new`] builds it beside a scan that is
/// kept ([`dedup`] needs it).
pub fn scan<'d>(
    corpus: &'d Corpus,
    params: &Params,
    sp: &ScanParams,
    inputs: Vec<InputInfo>,
    passage_texts: bool,
    progress: &Progress,
) -> ScanReport<'d> {
    let mut result = crate::scan::scan(&corpus.docs, params, sp, progress);
    let mut timings = Timings::new();
    result.tokenized = None;
    let report = ScanReport::from_pairs_of(
        &corpus.docs,
        &mut result,
        params,
        sp,
        inputs,
        corpus.skipped.clone(),
        passage_texts,
    );
    timings.lap("report");
    report
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

/// A run of `check`: the state the corpus was brought to, the verdict and how the cache served.
#[derive(Debug)]
pub struct Checked {
    pub state: State,
    pub verdict: Verdict,
    pub cache: CacheInfo,
    /// The baseline judged against: the one written with [`CheckSettings::update_baseline`], the one
    /// read otherwise (`None` when it does not exist).
    pub baseline: Option<Baseline>,
    /// The xxh3 of the statements file, when there is one.
    pub statements_hash: Option<u64>,
    /// The corpus files found.
    pub files: Vec<PathBuf>,
}

impl Checked {
    /// The JSON report model of this run (`r` the settings it ran with).
    pub fn report<'a>(&'a self, r: &'a CheckSettings) -> CheckReport<'a> {
        crate::gate::json::report(
            r,
            self.statements_hash.unwrap_or(0),
            &self.state,
            &self.verdict,
            &self.cache,
        )
    }
}

/// Run the gate with the settings `r`: find the corpus, bring the index cache (when there is one)
/// up to date, compute the findings (with the statements' when a statements file is set), write the
/// baseline with [`CheckSettings::update_baseline`] or read it, and judge the findings against it.
/// Warnings (skipped files, a cache not used or not saved, a named baseline that does not exist) go
/// to `warn` as they arise; `timings` times the stages.
pub fn check(r: &CheckSettings, timings: &mut Timings, warn: &Warn) -> Result<Checked, Error> {
    let statements = r
        .statements
        .as_deref()
        .map(crate::gate::statements::load_statements)
        .transpose()?;
    let mut exclude: Vec<PathBuf> = vec![r.baseline.clone()];
    exclude.extend(r.outputs.iter().filter_map(|(_, p)| p.clone()));
    exclude.extend(r.statements.clone());
    // The walk and the stat of every file run beside the read of the cache (neither needs the
    // other; the cache's settings are checked once the walk has found the manifests).
    let (found, cached) = rayon::join(
        || -> Result<(Vec<PathBuf>, Vec<Option<FileMeta>>), Error> {
            let files = plan::discover(r, &exclude, warn)?;
            // One `statx` a file, the bulk of an unchanged rerun: spread over the threads. Only a
            // cache needs them (to tell unchanged files).
            let metas = if r.cache.is_some() {
                FileMeta::of_all(&files)
            } else {
                Vec::new()
            };
            Ok((files, metas))
        },
        || r.cache.as_deref().map(cache::load_any),
    );
    let (files, metas) = found?;
    timings.lap("discover, stat and read the cache");
    if files.is_empty() {
        return Err(Error::Corpus(format!(
            "no document found in {}: give .txt, .md, .html, .htm or .jsonl files, folders or globs",
            r.paths.join(", ")
        )));
    }
    let plan::Indexed {
        state,
        info: mut cache_info,
        texts,
        pending,
    } = plan::index(
        r,
        &files,
        &metas,
        cached,
        statements.is_some(),
        timings,
        warn,
    )?;
    // The state is written while the findings are computed (both only read it); a failed write is
    // a warning.
    let (written, mut findings) = rayon::join(
        || pending.map_or(Ok(()), |p| p.write(&state)),
        || crate::gate::findings(&state, &r.thresholds),
    );
    plan::warn_unsaved(written, warn);
    timings.lap("write cache and findings");
    if let Some(st) = &statements {
        // The rule sorts last: appending keeps the findings in order.
        findings.extend(crate::gate::statements::statement_findings(
            r,
            st,
            &state,
            texts,
            &mut cache_info,
            warn,
        )?);
    }
    let baseline = if r.update_baseline {
        let b = Baseline::of(&findings);
        b.write(&r.baseline)?;
        Some(b)
    } else {
        let b = Baseline::load(&r.baseline)?;
        if b.is_none() && r.baseline_named {
            warn(&format!(
                "the baseline {} does not exist: every finding counts as new (`cyberdiff check --update-baseline` writes it)",
                crate::report::printable_path(&r.baseline)
            ));
        }
        b
    };
    // With `update_baseline` the verdict is against the new baseline, so it passes.
    let verdict = crate::gate::judge(findings, baseline.as_ref());
    Ok(Checked {
        state,
        verdict,
        cache: cache_info,
        baseline,
        statements_hash: statements.map(|s| s.1),
        files,
    })
}
