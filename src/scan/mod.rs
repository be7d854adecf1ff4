//! Scan: every reused passage of a corpus, its clusters, duplicate documents and boilerplate.
//!
//! Takes the documents of a corpus in report order (date, then id) and gives a [`Scan`]:
//! - **pairs**: the candidate pairs of the [`index`], aligned in parallel with
//!   [`crate::align::align`] on the already tokenised sequences, earlier document as A; only pairs with
//!   a passage are kept. A passage is **boilerplate** when at least half of the words of one of its
//!   sides lie in that document's boilerplate runs; boilerplate passages are listed with their pair,
//!   labelled, and kept out of the reused shares. A worker keeps the documents of the pairs it
//!   aligns (`ViewCache`: tokens, sequence arrays and the reworded tier's [`DocWords`]) and the
//!   pairs are aligned in an order planned on a model of that cache (a document's view is built,
//!   then its pairs with the documents held are aligned), so a document is prepared once for many
//!   of its pairs, not once a pair.
//! - **clusters**: one reused passage and every place it appears (`clusters.rs`): each document's
//!   reused text is cut at the passage boundaries in it, and the pieces with the same words are
//!   joined through the passages; occurrences are ordered by date, the earliest is the source, and
//!   `from` never names a later document.
//! - **duplicates**: documents with identical text (`exact`); pairs whose reused share, boilerplate
//!   included, reaches the threshold on both sides (`near`), or only on the smaller document
//!   (`contained`: the smaller one lies within the larger).
//! - **boilerplate**: the texts of the boilerplate runs (stretches made of n-grams found in at least
//!   `boilerplate_min_docs` documents), grouped by their normalised words, with every occurrence.
//!
//! Deterministic: documents, pairs, passages, clusters and lists are in a fixed order whatever the
//! thread count.

mod clusters;
pub mod progress;
pub mod stages;

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use crate::align::classify::round4;
use crate::align::reword::DocWords;
use crate::align::seed::Grams;
use crate::align::{Kind, OpTag, Params, Seq, align, coverage};
use crate::corpus::CorpusDoc;
use crate::index::{self, Candidate, Index, IndexParams, Tokenized};

pub use progress::{Progress, Timings};

/// Tuning of a scan beyond the aligner's parameters.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ScanParams {
    #[serde(flatten)]
    pub index: IndexParams,
    /// Reused share (boilerplate included) from which two documents are near-duplicates.
    pub duplicate_threshold: f64,
    /// Clusters with fewer documents are not listed (their passages are in `pairs`).
    pub min_cluster_docs: usize,
    /// Keep each passage's word diff (`PassageRec::ops`): the full report and the HTML pages show
    /// them; a summary report does not, and they are most of what aligned pairs hold (the Bible
    /// corpus: about 100 MB). Not a setting of the results: left out of the manifest.
    #[serde(skip)]
    pub word_diffs: bool,
}

/// The options of a scan as a user gives them (the command line's flags, the Python package's
/// keywords), before they are checked and resolved, for a corpus of a given size, into
/// [`ScanParams`]. The defaults are the documented ones.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanOptions {
    /// A pair of documents is aligned when it shares at least this many distinct n-grams.
    pub min_shared: usize,
    /// N-grams in more documents than this are not used to find pairs.
    pub max_df: usize,
    /// N-grams in at least this many documents make boilerplate; `None`: 10% of the documents, at
    /// least 5, at most `max_df + 1`.
    pub boilerplate_min_docs: Option<usize>,
    /// Reused share (boilerplate included) from which two documents are near-duplicates.
    pub duplicate_threshold: f64,
    /// Clusters in fewer documents are not listed.
    pub min_cluster_docs: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            min_shared: 3,
            max_df: 100,
            boilerplate_min_docs: None,
            duplicate_threshold: 0.8,
            min_cluster_docs: 2,
        }
    }
}

impl ScanOptions {
    /// Check every option's range (the error names the option: `max-df`, ...) and resolve them for a
    /// corpus of `n_docs` documents. `scan`, the Python package and the Spark job all resolve here.
    pub fn resolve(&self, n_docs: usize) -> Result<ScanParams, crate::OptionError> {
        use crate::OptionError as E;
        E::share("duplicate-threshold", self.duplicate_threshold)?;
        E::at_least("min-shared", self.min_shared, 1, false)?;
        E::at_least("max-df", self.max_df, 2, true)?;
        E::at_least("min-cluster-docs", self.min_cluster_docs, 2, true)?;
        let boilerplate_min_docs = match self.boilerplate_min_docs {
            Some(n) => E::at_least("boilerplate-min-docs", n, 2, true)?,
            None => n_docs.div_ceil(10).max(5).min(self.max_df + 1),
        };
        Ok(ScanParams {
            index: IndexParams {
                min_shared: self.min_shared,
                max_df: self.max_df,
                boilerplate_min_docs,
                link_share: self.duplicate_threshold,
            },
            duplicate_threshold: self.duplicate_threshold,
            min_cluster_docs: self.min_cluster_docs,
            word_diffs: true,
        })
    }
}

/// One diff step as byte ranges into the two texts (32-bit, as the tokens' offsets: a corpus's pairs
/// hold millions of these).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct OpRec {
    pub tag: OpTag,
    pub a: Range<u32>,
    pub b: Range<u32>,
    pub fuzzy: bool,
    pub relation: Option<crate::relate::Relation>,
}

/// A byte span of a document in 32 bits (its tokens' offsets are: documents are below 4 GiB).
fn span32(r: Range<usize>) -> Range<u32> {
    let at = |x: usize| u32::try_from(x).expect("token offsets are 32-bit");
    at(r.start)..at(r.end)
}

/// A passage of a pair, with byte and token spans.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PassageRec {
    pub kind: Kind,
    pub score: f64,
    pub aligned_a: usize,
    pub aligned_b: usize,
    pub a: Range<usize>,
    pub b: Range<usize>,
    pub a_tokens: Range<usize>,
    pub b_tokens: Range<usize>,
    pub ops: Vec<OpRec>,
    pub boilerplate: bool,
    /// Found by the reworded tier ([`crate::align::Passage::evidence`]): what a scan without the
    /// tier would not have found ([`Scan::duplicates_without_reworded_tier`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reworded_tier: bool,
}

/// An aligned pair of documents (indices into the scan's documents, `a` earlier).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PairResult {
    pub a: usize,
    pub b: usize,
    /// Distinct n-grams the two share (what made them a candidate).
    pub shared_ngrams: u32,
    pub passages: Vec<PassageRec>,
    /// Shares of each side's words in non-boilerplate passages.
    pub a_share: f64,
    pub b_share: f64,
    /// Shares of each side's words in any passage, boilerplate included.
    pub a_share_all: f64,
    pub b_share_all: f64,
}

/// Where a cluster's passage appears in one document.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub doc: usize,
    pub span: Range<usize>,
    /// How this occurrence reuses the one in `from` (None for the source).
    pub kind: Option<Kind>,
    pub from: Option<usize>,
}

/// One reused passage and every place it appears; the first occurrence is the source.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub occurrences: Vec<Occurrence>,
    /// Distinct documents.
    pub documents: usize,
}

/// How two documents duplicate each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DupKind {
    Exact,
    Near,
    Contained,
}

/// Two duplicate documents (`a` earlier, the one a deduplication keeps).
#[derive(Clone, Debug)]
pub struct Duplicate {
    pub kind: DupKind,
    pub a: usize,
    pub b: usize,
    pub a_share: f64,
    pub b_share: f64,
}

/// A boilerplate text and where it occurs.
#[derive(Clone, Debug)]
pub struct Boilerplate {
    pub occurrences: Vec<(usize, Range<usize>)>,
    pub documents: usize,
    pub words: usize,
}

/// The result of a scan.
#[derive(Debug)]
pub struct Scan {
    /// The corpus tokenised (None when assembled from stages, [`stages::assemble`]).
    pub tokenized: Option<Tokenized>,
    pub index: Index,
    /// Words per document.
    pub words: Vec<usize>,
    /// Per document: share of its words in non-boilerplate passages, and in boilerplate runs.
    pub reused_share: Vec<f64>,
    pub boilerplate_share: Vec<f64>,
    pub pairs: Vec<PairResult>,
    pub clusters: Vec<Cluster>,
    pub duplicates: Vec<Duplicate>,
    pub boilerplate: Vec<Boilerplate>,
}

impl Scan {
    /// The duplicates a scan of the same documents with the same settings but without the reworded
    /// tier finds. The tier only adds passages to those of the exact aligner ([`align`]) and the
    /// candidate pairs do not depend on it, so that scan's pairs are these pairs without the tier's
    /// passages (a pair left with none is not listed), and its duplicates follow from their shares.
    /// `threshold` is the scan's duplicate threshold; without tier passages, the scan's duplicates.
    pub fn duplicates_without_reworded_tier(
        &self,
        docs: &[CorpusDoc],
        threshold: f64,
    ) -> Vec<Duplicate> {
        let pairs: Vec<PairResult> = self
            .pairs
            .iter()
            .filter_map(|p| {
                // `duplicates` reads the documents and the shares with boilerplate, nothing else.
                let mut shares = (p.a_share_all, p.b_share_all);
                if p.passages.iter().any(|x| x.reworded_tier) {
                    let exact = p.passages.iter().filter(|x| !x.reworded_tier);
                    exact.clone().next()?;
                    // As `align_sides` computes them.
                    shares = (
                        round4(coverage(
                            self.words[p.a],
                            exact.clone().map(|x| x.a_tokens.clone()),
                        )),
                        round4(coverage(self.words[p.b], exact.map(|x| x.b_tokens.clone()))),
                    );
                }
                Some(PairResult {
                    a: p.a,
                    b: p.b,
                    shared_ngrams: p.shared_ngrams,
                    passages: Vec::new(),
                    a_share: 0.0,
                    b_share: 0.0,
                    a_share_all: shares.0,
                    b_share_all: shares.1,
                })
            })
            .collect();
        duplicates(docs, &pairs, threshold)
    }
}

/// Scan a corpus whose documents are in report order.
pub fn scan(docs: &[CorpusDoc], params: &Params, sp: &ScanParams, progress: &Progress) -> Scan {
    let mut timings = Timings::new();
    let texts: Vec<&str> = docs.iter().map(|d| d.doc.text.as_str()).collect();
    progress.stage("tokenise", docs.len());
    let tokenized = index::tokenize_corpus(&texts);
    progress.inc(docs.len());
    timings.lap("tokenise");
    progress.stage("index", docs.len());
    let idx = index::build(&tokenized, params, &sp.index);
    progress.inc(docs.len());
    timings.lap("index");
    let words: Vec<usize> = tokenized.ids.iter().map(Vec::len).collect();

    progress.stage("align", idx.candidates.len());
    let pairs: Vec<PairResult> = align_planned(&idx.candidates, &words, |c, cache| {
        let r = align_pair(docs, &tokenized, &idx, c, params, sp.word_diffs, cache);
        progress.inc(1);
        Some(r).filter(|p| !p.passages.is_empty())
    });
    crate::release_freed_heap();
    timings.lap("align");

    progress.stage("cluster", pairs.len());
    let found: Vec<Vec<BoilerFound>> = (0..docs.len())
        .into_par_iter()
        .map(|d| boiler_found(&tokenized, d, &docs[d].doc.text, &idx.boilerplate[d]))
        .collect();
    let out = finish(docs, Some(tokenized), idx, words, pairs, found, params, sp);
    progress.finish();
    timings.lap("cluster");
    out
}

/// `f` of each pair of `candidates` (documents of `words` tokens), given a worker's view cache, in
/// parallel and in the order planned on the workers' caches ([`ViewCache::order`]): the pairs for
/// which it gives a result, in that order. `scan` and `check` align their pairs through this.
pub(crate) fn align_planned<R: Send>(
    candidates: &[Candidate],
    words: &[usize],
    f: impl Fn(&Candidate, &mut ViewCache) -> Option<R> + Sync,
) -> Vec<R> {
    let (order, block) = ViewCache::order(candidates, words);
    // One cache a worker thread, kept from one piece of the order to the next: a thread goes
    // through its pieces in the planned order, so a cache stays warm however finely the order is
    // split to share the work.
    let caches: Vec<std::sync::Mutex<ViewCache>> = (0..rayon::current_num_threads())
        .map(|_| std::sync::Mutex::new(ViewCache::new(block)))
        .collect();
    order
        .par_iter()
        .filter_map(|c| {
            // The cache is taken out while the pair is aligned, not locked: a pair's work may
            // run parallel jobs, and this thread may run another pair meanwhile (it finds an
            // empty cache). Only this thread takes the lock; a poisoned one means a worker
            // panicked already.
            let slot = rayon::current_thread_index().unwrap_or(0) % caches.len();
            let lock = || {
                caches[slot]
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            };
            let mut cache = std::mem::replace(&mut *lock(), ViewCache::new(block));
            let r = f(c, &mut cache);
            *lock() = cache;
            r
        })
        .collect()
}

/// A boilerplate run of a document: the hash of its normalised words, its byte span, its words.
pub type BoilerFound = (u64, Range<usize>, usize);

/// The boilerplate runs `runs` of document `d` (text `text`) as [`BoilerFound`]s. The hash is of the
/// words' normalised forms, so it does not depend on the corpus a document was tokenised in.
pub(crate) fn boiler_found(
    t: &Tokenized,
    d: usize,
    text: &str,
    runs: &[Range<usize>],
) -> Vec<BoilerFound> {
    if runs.is_empty() {
        return Vec::new();
    }
    let toks = t.tokens(d, text);
    runs.iter()
        .map(|r| {
            let bytes: Vec<u8> = t.ids[d][r.clone()]
                .iter()
                .flat_map(|&i| t.form_hash[i as usize].to_le_bytes())
                .collect();
            (
                xxhash_rust::xxh3::xxh3_64(&bytes),
                crate::byte_span(&toks, r),
                r.len(),
            )
        })
        .collect()
}

/// The scan from its parts: the index (its figures, verified pairs and boilerplate runs), each
/// document's words, the aligned pairs with passages (any order) and each document's boilerplate
/// runs as [`BoilerFound`]. What [`scan`] and a run in stages ([`stages`]) share.
// The scan's parts, each from another stage (and from another machine in a run in stages).
#[allow(clippy::too_many_arguments)]
pub(crate) fn finish(
    docs: &[CorpusDoc],
    tokenized: Option<Tokenized>,
    idx: Index,
    words: Vec<usize>,
    mut pairs: Vec<PairResult>,
    found: Vec<Vec<BoilerFound>>,
    params: &Params,
    sp: &ScanParams,
) -> Scan {
    pairs.sort_by_key(|p| (p.a, p.b));
    // Each document's non-boilerplate passage spans, gathered in one pass over the pairs.
    let mut spans: Vec<Vec<Range<usize>>> = vec![Vec::new(); docs.len()];
    for p in &pairs {
        for x in p.passages.iter().filter(|x| !x.boilerplate) {
            spans[p.a].push(x.a_tokens.clone());
            if p.b != p.a {
                spans[p.b].push(x.b_tokens.clone());
            }
        }
    }
    let reused_share = spans
        .into_iter()
        .enumerate()
        .map(|(d, ranges)| round4(coverage(words[d], ranges.into_iter())))
        .collect::<Vec<_>>();
    let boilerplate_share = (0..docs.len())
        .map(|d| round4(coverage(words[d], idx.boilerplate[d].iter().cloned())))
        .collect();
    let texts: Vec<&str> = docs.iter().map(|d| d.doc.text.as_str()).collect();
    let clusters = clusters::clusters(&texts, &pairs, params.min_words, sp.min_cluster_docs);
    let duplicates = duplicates(docs, &pairs, sp.duplicate_threshold);
    let boilerplate = group_boilerplate(found);
    Scan {
        tokenized,
        index: idx,
        words,
        reused_share,
        boilerplate_share,
        pairs,
        clusters,
        duplicates,
        boilerplate,
    }
}

fn overlap(x: &Range<usize>, y: &Range<usize>) -> usize {
    x.end.min(y.end).saturating_sub(x.start.max(y.start))
}

fn in_runs(r: &Range<usize>, runs: &[Range<usize>]) -> usize {
    runs.iter().map(|x| overlap(x, r)).sum()
}

fn align_pair(
    docs: &[CorpusDoc],
    t: &Tokenized,
    idx: &Index,
    c: &Candidate,
    params: &Params,
    word_diffs: bool,
    cache: &mut ViewCache,
) -> PairResult {
    let (a, b) = (c.a as usize, c.b as usize);
    let (va, vb) = (
        cache.view(t, a, &docs[a].doc.text, params),
        cache.view(t, b, &docs[b].doc.text, params),
    );
    let sides = [
        Side {
            doc: a,
            text: &docs[a].doc.text,
            seq: va.seq(&t.vocab),
            boilerplate: &idx.boilerplate[a],
        },
        Side {
            doc: b,
            text: &docs[b].doc.text,
            seq: vb.seq(&t.vocab),
            boilerplate: &idx.boilerplate[b],
        },
    ];
    align_sides(&sides, c.shared, params, word_diffs)
}

/// A document as the aligner takes it: its tokens, the arrays of its [`Seq`], its n-grams sorted
/// ([`Grams`]) and, with the reworded tier on, the tier's view ([`DocWords`]). A worker keeps the
/// views of the documents it met last ([`ViewCache`]), since a document is in many pairs.
pub(crate) struct DocView {
    tokens: Vec<crate::text::Token>,
    ids: Vec<u32>,
    stop: Vec<bool>,
    cjk: Vec<bool>,
    grams: Grams,
    words: Option<Arc<DocWords>>,
}

impl DocView {
    pub(crate) fn new(t: &Tokenized, d: usize, text: &str, params: &Params) -> Self {
        let tokens = t.tokens(d, text);
        let seq = Seq::new(&tokens, &t.vocab);
        let grams = Grams::new(&seq, params);
        let words = params
            .reworded
            .then(|| Arc::new(DocWords::new(&seq, text, t.analyses())));
        let (ids, stop, cjk) = seq.into_parts();
        DocView {
            tokens,
            ids,
            stop,
            cjk,
            grams,
            words,
        }
    }

    pub(crate) fn seq<'v>(&'v self, vocab: &'v crate::text::Vocabulary) -> Seq<'v> {
        Seq::from_parts(
            &self.tokens,
            vocab,
            &self.ids,
            (&self.stop, &self.cjk),
            self.words.clone(),
            Some(&self.grams),
        )
    }

    /// Tokens: what a cache of views bounds.
    fn len(&self) -> usize {
        self.tokens.len()
    }
}

/// Documents a worker met last, most recent first, bounded in entries and in tokens: the
/// [`ViewCache`] of a worker, and the model of it with which [`ViewCache::order`] plans the order
/// of the pairs (the same policy, so the plan knows which views a worker holds).
pub(crate) struct Lru<V> {
    /// `(document, tokens, value)`, most recent first.
    entries: Vec<(usize, usize, V)>,
    tokens: usize,
    max_entries: usize,
    max_tokens: usize,
}

/// The [`DocView`]s of the documents a worker met last ([`Lru`]). The pairs are aligned in the
/// order [`order`] plans, so that a document's view is built about once for the pairs it meets
/// while in the cache rather than once a pair. Only documents of one tokenisation (one
/// vocabulary) may share a cache.
///
/// [`order`]: ViewCache::order
pub(crate) type ViewCache = Lru<Arc<DocView>>;

impl Default for ViewCache {
    /// A cache of the largest blocks.
    fn default() -> Self {
        Self::new(Self::MAX_BLOCK)
    }
}

impl<V: Clone> Lru<V> {
    /// Tokens a cache holds at most (about 20 MB of views).
    const MAX_TOKENS: usize = 1 << 18;
    /// Documents a block, at most: a cache holds two blocks.
    const MAX_BLOCK: usize = 128;

    /// A cache of two blocks of `block` documents.
    fn new(block: usize) -> Self {
        Lru {
            entries: Vec::new(),
            tokens: 0,
            max_entries: 2 * block,
            max_tokens: Self::MAX_TOKENS,
        }
    }

    /// Document `doc`'s value, moved to the front.
    fn get(&mut self, doc: usize) -> Option<V> {
        let k = self.entries.iter().position(|e| e.0 == doc)?;
        self.entries[..=k].rotate_right(1);
        Some(self.entries[0].2.clone())
    }

    /// Keep `doc`'s value (of `len` tokens) at the front, dropping the least recent ones past the
    /// bounds (never the newest), each told to `dropped`.
    fn put(&mut self, doc: usize, len: usize, v: V, mut dropped: impl FnMut(usize)) {
        self.tokens += len;
        self.entries.insert(0, (doc, len, v));
        while self.entries.len() > 1
            && (self.entries.len() > self.max_entries || self.tokens > self.max_tokens)
        {
            let (old, len, _) = self.entries.pop().expect("more than one entry");
            self.tokens -= len;
            dropped(old);
        }
    }
}

impl ViewCache {
    /// `candidates` in the order to align them, with the block size (two blocks of documents of
    /// the mean length fit in a cache). The order is planned greedily on a model of one worker's
    /// cache: the next document to build is the one with the most pending pairs whose other
    /// document the cache holds (ties: the lower number), or, when none has any, the document with
    /// the most pending pairs; once built, its pairs with the documents held are aligned, in the
    /// order of `candidates`. On a corpus whose documents pair at random (planted passages), this
    /// builds about half the views that walking the pairs tile by tile did; on five translations
    /// of each Bible chapter, about 40% (BENCHMARKS.md). The results are sorted afterwards, so the
    /// order changes only how often a cache finds a document.
    fn order<'c>(candidates: &'c [Candidate], words: &[usize]) -> (Vec<&'c Candidate>, usize) {
        let docs = words.len();
        let mean = words.iter().sum::<usize>() / docs.max(1);
        let block = (Self::MAX_TOKENS / (2 * mean.max(1))).clamp(4, Self::MAX_BLOCK);
        // Each document's pairs (indices into `candidates`), in the order of `candidates`.
        let mut start = vec![0u32; docs + 1];
        for c in candidates {
            start[c.a as usize + 1] += 1;
            start[c.b as usize + 1] += 1;
        }
        for d in 0..docs {
            start[d + 1] += start[d];
        }
        let mut fill = start.clone();
        let mut pairs_of = vec![0u32; start[docs] as usize];
        for (i, c) in candidates.iter().enumerate() {
            for x in [c.a, c.b] {
                pairs_of[fill[x as usize] as usize] = i as u32;
                fill[x as usize] += 1;
            }
        }
        drop(fill);
        let pairs = |d: usize| &pairs_of[start[d] as usize..start[d + 1] as usize];
        let other = |i: u32, d: usize| {
            let c = &candidates[i as usize];
            if c.a as usize == d { c.b } else { c.a }
        };
        let mut plan = Plan {
            held: vec![false; docs],
            done: vec![false; candidates.len()],
            pending: (0..docs).map(|d| pairs(d).len() as u32).collect(),
            score: vec![0; docs],
            buckets: Vec::new(),
            live: Vec::new(),
            top: 0,
            ready: std::collections::VecDeque::new(),
        };
        // Documents by pending pairs, most first: where a new component of the pairs starts.
        let mut roots: Vec<u32> = (0..docs as u32)
            .filter(|&d| plan.pending[d as usize] > 0)
            .collect();
        roots.sort_by_key(|&d| (std::cmp::Reverse(plan.pending[d as usize]), d));
        let mut root_at = 0;
        let mut model: Lru<()> = Lru::new(block);
        let mut out: Vec<&Candidate> = Vec::with_capacity(candidates.len());
        // Hold `d` in the model (a view built or found), keeping the scores; its pending pairs
        // with documents held are ready.
        let need = |plan: &mut Plan, model: &mut Lru<()>, d: usize| {
            if model.get(d).is_some() {
                return;
            }
            let mut dropped = Vec::new();
            model.put(d, words[d], (), |x| dropped.push(x));
            for x in dropped {
                plan.held[x] = false;
                let mut s = 0;
                for &i in pairs(x) {
                    let y = other(i, x) as usize;
                    if plan.done[i as usize] {
                        continue;
                    }
                    if plan.held[y] {
                        s += 1;
                    } else {
                        plan.set(y, plan.score[y] - 1);
                    }
                }
                plan.set(x, s);
            }
            plan.held[d] = true;
            plan.set(d, 0);
            for &i in pairs(d) {
                let y = other(i, d) as usize;
                if plan.done[i as usize] {
                    continue;
                }
                if plan.held[y] {
                    plan.ready.push_back(i);
                } else {
                    plan.set(y, plan.score[y] + 1);
                }
            }
        };
        // Plan pair `i`: its views held (built again if dropped), then done.
        let emit = |plan: &mut Plan, model: &mut Lru<()>, out: &mut Vec<&'c Candidate>, i: u32| {
            let c = &candidates[i as usize];
            let (a, b) = (c.a as usize, c.b as usize);
            need(plan, model, a);
            need(plan, model, b);
            plan.done[i as usize] = true;
            plan.pending[a] -= 1;
            plan.pending[b] -= 1;
            // Long documents: building one view may have dropped the other.
            for (x, y) in [(a, b), (b, a)] {
                if !plan.held[x] && plan.held[y] {
                    plan.set(x, plan.score[x] - 1);
                }
            }
            out.push(c);
        };
        while out.len() < candidates.len() {
            if let Some(i) = plan.ready.pop_front() {
                if !plan.done[i as usize] {
                    emit(&mut plan, &mut model, &mut out, i);
                }
                continue;
            }
            let chosen = plan.best();
            let d = match chosen {
                Some(d) => d,
                None => {
                    // A pending pair whose documents are both dropped: a new root, looked for from
                    // where the last one was found, then from the start of the list (a document
                    // passed while held may have pairs left), so that the list is walked about
                    // once, not once a root.
                    let from = |at: usize| {
                        roots[at..]
                            .iter()
                            .position(|&r| plan.pending[r as usize] > 0 && !plan.held[r as usize])
                            .map(|k| at + k)
                    };
                    let Some(at) = from(root_at).or_else(|| from(0)) else {
                        debug_assert!(false, "a pending pair has a document to build");
                        break;
                    };
                    root_at = at;
                    roots[at] as usize
                }
            };
            let before: Vec<u32> = pairs(d)
                .iter()
                .copied()
                .filter(|&i| !plan.done[i as usize] && plan.held[other(i, d) as usize])
                .collect();
            // Built first, so that the view it drops is not one of the pairs aligned next; when it
            // dropped all of them (documents too long for the cache to hold two), they are
            // aligned all the same, so that every round plans a pair or builds a root.
            need(&mut plan, &mut model, d);
            if plan.ready.is_empty() {
                for i in before {
                    emit(&mut plan, &mut model, &mut out, i);
                }
            }
        }
        // None is left unless the plan is wrong; they would still be aligned.
        out.extend(
            candidates
                .iter()
                .enumerate()
                .filter(|(i, _)| !plan.done[*i])
                .map(|(_, c)| c),
        );
        (out, block)
    }

    /// Document `d`'s view (of `t`, text `text`): kept, or built and kept.
    pub(crate) fn view(
        &mut self,
        t: &Tokenized,
        d: usize,
        text: &str,
        params: &Params,
    ) -> Arc<DocView> {
        self.get(d).unwrap_or_else(|| {
            let v = Arc::new(DocView::new(t, d, text, params));
            self.put(d, v.len(), v.clone(), |_| {});
            v
        })
    }
}

/// The state of [`ViewCache::order`]'s plan.
struct Plan {
    /// Documents the model of the cache holds.
    held: Vec<bool>,
    /// Pairs planned.
    done: Vec<bool>,
    /// Pairs of each document not yet planned.
    pending: Vec<u32>,
    /// Per document not held, its pending pairs with documents held (at most the documents a
    /// cache holds).
    score: Vec<u32>,
    /// The documents of each positive score, lowest first: an entry `d` of bucket `s` stands
    /// while `score[d] == s`, the others are dropped when met (or when a bucket is mostly stale).
    buckets: Vec<std::collections::BinaryHeap<std::cmp::Reverse<u32>>>,
    /// Documents of each score.
    live: Vec<u32>,
    /// No bucket above this one holds a document.
    top: usize,
    /// Pending pairs whose documents were both held when the second was built.
    ready: std::collections::VecDeque<u32>,
}

impl Plan {
    /// Set `d`'s score to `s`.
    fn set(&mut self, d: usize, s: u32) {
        let (old, s) = (self.score[d] as usize, s as usize);
        if old == s {
            return;
        }
        if old > 0 {
            self.live[old] -= 1;
            if self.live[old] == 0 {
                self.buckets[old].clear();
            }
        }
        self.score[d] = s as u32;
        if s > 0 {
            if self.buckets.len() <= s {
                self.buckets.resize_with(s + 1, Default::default);
                self.live.resize(s + 1, 0);
            }
            self.live[s] += 1;
            let bucket = &mut self.buckets[s];
            bucket.push(std::cmp::Reverse(d as u32));
            if bucket.len() > 2 * self.live[s] as usize + 64 {
                let score = &self.score;
                let mut standing: Vec<_> = std::mem::take(bucket)
                    .into_iter()
                    .filter(|x| score[x.0 as usize] as usize == s)
                    .collect();
                standing.sort_unstable();
                standing.dedup();
                *bucket = standing.into();
            }
            self.top = self.top.max(s);
        }
    }

    /// The document not held with the highest score (of those, the lowest), if any has one.
    fn best(&mut self) -> Option<usize> {
        loop {
            while self.top > 0 && self.live[self.top] == 0 {
                self.top -= 1;
            }
            if self.top == 0 {
                return None;
            }
            let std::cmp::Reverse(d) = *self.buckets[self.top].peek()?;
            let d = d as usize;
            if self.score[d] as usize == self.top {
                debug_assert!(!self.held[d]);
                return Some(d);
            }
            self.buckets[self.top].pop();
        }
    }
}

/// One side of a pair to align: its document, text, sequence and boilerplate runs.
pub(crate) struct Side<'a> {
    pub doc: usize,
    pub text: &'a str,
    pub seq: Seq<'a>,
    pub boilerplate: &'a [Range<usize>],
}

/// Align the two sides of a pair (tokens of one vocabulary), earlier document first, and mark the
/// passages lying half in a side's boilerplate runs. Without `word_diffs` the passages' `ops` are
/// left empty.
pub(crate) fn align_sides(
    sides: &[Side; 2],
    shared: u32,
    params: &Params,
    word_diffs: bool,
) -> PairResult {
    let [x, y] = sides;
    let (toks_a, toks_b) = (x.seq.tokens, y.seq.tokens);
    let found = align(&x.seq, x.text, &y.seq, y.text, params);
    let passages: Vec<PassageRec> = found
        .into_iter()
        .map(|p| {
            let boilerplate = in_runs(&p.a, x.boilerplate) * 2 >= p.a.len()
                || in_runs(&p.b, y.boilerplate) * 2 >= p.b.len();
            PassageRec {
                reworded_tier: p.evidence.is_some(),
                kind: p.kind,
                score: p.score,
                aligned_a: p.aligned_a,
                aligned_b: p.aligned_b,
                a: crate::byte_span(toks_a, &p.a),
                b: crate::byte_span(toks_b, &p.b),
                ops: p
                    .ops
                    .iter()
                    .filter(|_| word_diffs)
                    .map(|o| OpRec {
                        tag: o.tag,
                        a: span32(crate::byte_span(toks_a, &o.a)),
                        b: span32(crate::byte_span(toks_b, &o.b)),
                        fuzzy: o.fuzzy,
                        relation: o.relation,
                    })
                    .collect(),
                a_tokens: p.a,
                b_tokens: p.b,
                boilerplate,
            }
        })
        .collect();
    let share = |len: usize, side: fn(&PassageRec) -> Range<usize>, all: bool| {
        round4(coverage(
            len,
            passages.iter().filter(|p| all || !p.boilerplate).map(side),
        ))
    };
    let (la, lb) = (toks_a.len(), toks_b.len());
    PairResult {
        a: x.doc,
        b: y.doc,
        shared_ngrams: shared,
        a_share: share(la, |p| p.a_tokens.clone(), false),
        b_share: share(lb, |p| p.b_tokens.clone(), false),
        a_share_all: share(la, |p| p.a_tokens.clone(), true),
        b_share_all: share(lb, |p| p.b_tokens.clone(), true),
        passages,
    }
}

fn duplicates(docs: &[CorpusDoc], pairs: &[PairResult], threshold: f64) -> Vec<Duplicate> {
    let mut out = Vec::new();
    let mut by_text: BTreeMap<(u64, usize), Vec<usize>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        let h = xxhash_rust::xxh3::xxh3_64(d.doc.text.as_bytes());
        by_text.entry((h, d.doc.text.len())).or_default().push(i);
    }
    let mut exact = std::collections::BTreeSet::new();
    for group in by_text.values() {
        // Equal hashes and lengths; the texts are compared too, against the earliest of each text.
        let mut firsts: Vec<usize> = Vec::new();
        for &i in group {
            match firsts
                .iter()
                .find(|&&f| docs[f].doc.text == docs[i].doc.text)
            {
                Some(&f) => {
                    exact.insert((f, i));
                    out.push(Duplicate {
                        kind: DupKind::Exact,
                        a: f,
                        b: i,
                        a_share: 1.0,
                        b_share: 1.0,
                    });
                }
                None => firsts.push(i),
            }
        }
    }
    for p in pairs {
        if exact.contains(&(p.a, p.b)) {
            continue;
        }
        let (sa, sb) = (p.a_share_all, p.b_share_all);
        let kind = if sa >= threshold && sb >= threshold {
            DupKind::Near
        } else {
            let smaller_is_a = docs[p.a].doc.text.len() <= docs[p.b].doc.text.len();
            let s = if smaller_is_a { sa } else { sb };
            if s >= threshold {
                DupKind::Contained
            } else {
                continue;
            }
        };
        out.push(Duplicate {
            kind,
            a: p.a,
            b: p.b,
            a_share: sa,
            b_share: sb,
        });
    }
    out.sort_by_key(|d| (d.a, d.b));
    out
}

/// The boilerplate texts: runs grouped by their normalised words, in document order within a group.
fn group_boilerplate(found: Vec<Vec<BoilerFound>>) -> Vec<Boilerplate> {
    let found = found.into_iter().enumerate().flat_map(|(d, v)| {
        v.into_iter()
            .map(move |(h, span, words)| (h, d, span, words))
    });
    let mut groups: BTreeMap<u64, Boilerplate> = BTreeMap::new();
    for (h, d, span, words) in found {
        let g = groups.entry(h).or_insert_with(|| Boilerplate {
            occurrences: Vec::new(),
            documents: 0,
            words,
        });
        if g.occurrences.last().is_none_or(|(x, _)| *x != d) {
            g.documents += 1;
        }
        g.occurrences.push((d, span));
    }
    let mut out: Vec<Boilerplate> = groups.into_values().collect();
    out.sort_by(|x, y| {
        (
            std::cmp::Reverse(x.documents),
            &x.occurrences[0].0,
            x.occurrences[0].1.start,
        )
            .cmp(&(
                std::cmp::Reverse(y.documents),
                &y.occurrences[0].0,
                y.occurrences[0].1.start,
            ))
    });
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn options_resolve_for_the_corpus_size() {
        let o = ScanOptions::default();
        // 10% of the documents, at least 5, at most max_df + 1.
        for (n, want) in [(3, 5), (120, 12), (5000, 101)] {
            assert_eq!(
                o.resolve(n).expect("defaults").index.boilerplate_min_docs,
                want
            );
        }
        let given = ScanOptions {
            boilerplate_min_docs: Some(3),
            ..ScanOptions::default()
        };
        assert_eq!(
            given.resolve(5000).expect("ok").index.boilerplate_min_docs,
            3
        );
    }

    #[test]
    fn a_bad_option_is_named() {
        let err = |o: ScanOptions| o.resolve(10).expect_err("out of range").to_string();
        let d = ScanOptions::default;
        assert_eq!(
            err(ScanOptions { max_df: 1, ..d() }),
            "--max-df must be at least 2, got 1"
        );
        assert_eq!(
            err(ScanOptions {
                duplicate_threshold: 1.5,
                ..d()
            }),
            "--duplicate-threshold must be between 0 and 1, got 1.5"
        );
        assert_eq!(
            err(ScanOptions {
                boilerplate_min_docs: Some(1),
                ..d()
            }),
            "--boilerplate-min-docs must be at least 2, got 1"
        );
        let e = ScanOptions {
            min_shared: 0,
            ..d()
        }
        .resolve(10)
        .expect_err("out of range");
        assert_eq!(
            (e.option, e.problem.as_str()),
            ("min-shared", "must be at least 1")
        );
    }

    /// The bundled corpus's texts (`inputs/*.txt`), by name.
    pub(crate) fn input_files() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("inputs");
        let mut files: Vec<_> = std::fs::read_dir(root)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        files
    }

    fn inputs() -> Vec<String> {
        input_files()
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    /// A pair aligned with the views from the cache gives what it gives with a sequence and a tier's
    /// view built for it alone, whatever the cache held before (pairs met forward, then backward,
    /// with a cache of two documents and one of the default size).
    #[test]
    fn cached_views_give_the_passages_of_views_built_for_the_pair() {
        let texts = inputs();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let t = index::tokenize_corpus(&refs);
        let toks: Vec<_> = (0..texts.len()).map(|d| t.tokens(d, &texts[d])).collect();
        let params = Params::default();
        assert!(params.reworded);
        let pairs: Vec<(usize, usize)> = (0..texts.len())
            .flat_map(|a| (a + 1..texts.len()).map(move |b| (a, b)))
            .collect();
        let mut reworded = 0;
        for mut cache in [
            ViewCache {
                max_entries: 2,
                ..ViewCache::new(4)
            },
            ViewCache::new(ViewCache::MAX_BLOCK),
        ] {
            for &(a, b) in pairs.iter().chain(pairs.iter().rev()) {
                let (va, vb) = (
                    cache.view(&t, a, &texts[a], &params),
                    cache.view(&t, b, &texts[b], &params),
                );
                let cached = [(a, &va), (b, &vb)].map(|(d, v)| Side {
                    doc: d,
                    text: &texts[d],
                    seq: v.seq(&t.vocab),
                    boilerplate: &[],
                });
                let alone = [a, b].map(|d| Side {
                    doc: d,
                    text: &texts[d],
                    seq: Seq::new(&toks[d], &t.vocab),
                    boilerplate: &[],
                });
                let cached = align_sides(&cached, 0, &params, true);
                let alone = align_sides(&alone, 0, &params, true);
                assert_eq!(
                    format!("{:?}", cached.passages),
                    format!("{:?}", alone.passages),
                    "pair {a} {b}"
                );
                reworded += cached.passages.iter().filter(|p| p.reworded_tier).count();
            }
            assert!(cache.entries.len() <= cache.max_entries);
        }
        assert!(reworded >= 10, "{reworded} passages of the tier");
    }

    #[test]
    fn the_view_cache_keeps_the_most_recent_documents_within_its_bounds() {
        let texts = inputs();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let t = index::tokenize_corpus(&refs);
        let views: Vec<Arc<DocView>> = (0..texts.len())
            .map(|d| Arc::new(DocView::new(&t, d, &texts[d], &Params::default())))
            .collect();
        let n = views.len();
        assert!(n >= 4);
        let mut cache = ViewCache {
            max_entries: 3,
            ..ViewCache::new(4)
        };
        for (d, w) in views.iter().enumerate() {
            cache.put(d, w.len(), w.clone(), |_| {});
        }
        let held: Vec<usize> = cache.entries.iter().map(|e| e.0).collect();
        assert_eq!(held, [n - 1, n - 2, n - 3]);
        assert!(cache.get(0).is_none());
        assert!(Arc::ptr_eq(&cache.get(n - 3).unwrap(), &views[n - 3]));
        assert_eq!(cache.entries[0].0, n - 3);
        cache.put(0, views[0].len(), views[0].clone(), |_| {});
        let held: Vec<usize> = cache.entries.iter().map(|e| e.0).collect();
        assert_eq!(held, [0, n - 3, n - 1]);
        assert_eq!(
            cache.tokens,
            held.iter().map(|&d| views[d].len()).sum::<usize>()
        );
        // The token bound drops the least recent, but always keeps the newest.
        let mut small = ViewCache {
            max_tokens: views[0].len() + views[1].len(),
            ..ViewCache::new(4)
        };
        for (d, w) in views.iter().enumerate().take(3) {
            small.put(d, w.len(), w.clone(), |_| {});
        }
        assert!(small.tokens <= small.max_tokens || small.entries.len() == 1);
        assert_eq!(small.entries[0].0, 2);
        small.put(n - 1, views[n - 1].len(), views[n - 1].clone(), |_| {});
        assert_eq!(small.entries[0].0, n - 1);
    }

    /// Candidate pairs sharing 3 n-grams.
    fn candidates(pairs: &[(u32, u32)]) -> Vec<Candidate> {
        pairs
            .iter()
            .map(|&(a, b)| Candidate { a, b, shared: 3 })
            .collect()
    }

    /// Views a worker builds aligning `order` with a cache of `block` documents a block.
    fn builds(order: &[&Candidate], words: &[usize], block: usize) -> usize {
        let mut cache: Lru<()> = Lru::new(block);
        let mut built = 0;
        for c in order {
            for d in [c.a as usize, c.b as usize] {
                if cache.get(d).is_none() {
                    built += 1;
                    cache.put(d, words[d], (), |_| {});
                }
            }
        }
        built
    }

    /// The plan aligns a document's pairs while its view is held: a chain 0 - 7 - 3 - 5 comes
    /// before the pair 1 - 2, whatever the documents' numbers, and with a cache of three documents
    /// each view is built once.
    #[test]
    fn pairs_of_documents_held_are_aligned_together() {
        let cands = candidates(&[(0, 7), (1, 2), (3, 5), (3, 7)]);
        let words = [80_000; 8];
        let (order, block) = ViewCache::order(&cands, &words);
        assert_eq!(block, 4);
        let got: Vec<(u32, u32)> = order.iter().map(|c| (c.a, c.b)).collect();
        assert_eq!(got, [(3, 5), (3, 7), (0, 7), (1, 2)]);
        assert_eq!(builds(&order, &words, block), 6);
        // In document order, 7 is built twice.
        assert_eq!(builds(&cands.iter().collect::<Vec<_>>(), &words, block), 7);
        // Short documents: the largest block; still each pair once.
        let (order, block) = ViewCache::order(&cands, &[100; 8]);
        assert_eq!(block, ViewCache::MAX_BLOCK);
        let mut got: Vec<(u32, u32)> = order.iter().map(|c| (c.a, c.b)).collect();
        got.sort_unstable();
        assert_eq!(got, [(0, 7), (1, 2), (3, 5), (3, 7)]);
        assert!(ViewCache::order(&[], &[]).0.is_empty());
    }

    /// Many components (20,000 pairs of documents paired with nothing else, as near-duplicate
    /// pairs are): each pair once, each view built once, the roots met in one walk of the list.
    #[test]
    fn disjoint_pairs_are_each_planned_once() {
        let n = 20_000u32;
        let pairs: Vec<(u32, u32)> = (0..n).map(|i| (2 * i, 2 * i + 1)).collect();
        let cands = candidates(&pairs);
        let words = vec![1000; 2 * n as usize];
        let (order, block) = ViewCache::order(&cands, &words);
        let mut got: Vec<(u32, u32)> = order.iter().map(|c| (c.a, c.b)).collect();
        got.sort_unstable();
        assert_eq!(got, pairs);
        assert_eq!(builds(&order, &words, block), 2 * n as usize);
    }

    /// Documents too long for a cache to hold two of them: every pair still comes once (the plan
    /// once went round forever, each document's view dropping its partner's).
    #[test]
    fn documents_longer_than_half_the_cache_are_still_planned() {
        let cands = candidates(&[(0, 1), (0, 2), (1, 2), (2, 3)]);
        for len in [150_000, 300_000] {
            let words = [len, len, 1000, len];
            let (order, _) = ViewCache::order(&cands, &words);
            let mut got: Vec<(u32, u32)> = order.iter().map(|c| (c.a, c.b)).collect();
            got.sort_unstable();
            assert_eq!(got, [(0, 1), (0, 2), (1, 2), (2, 3)], "{len} words");
        }
        // Random pairs of 40 documents of 1,000 to 400,000 words.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20 {
            let words: Vec<usize> = (0..40)
                .map(|_| 1000 + (next() % 400_000) as usize)
                .collect();
            let mut pairs: Vec<(u32, u32)> = (0..120)
                .map(|_| ((next() % 40) as u32, (next() % 40) as u32))
                .filter(|(a, b)| a < b)
                .collect();
            pairs.sort_unstable();
            pairs.dedup();
            let cands: Vec<Candidate> = pairs
                .iter()
                .map(|&(a, b)| Candidate { a, b, shared: 3 })
                .collect();
            let mut got: Vec<(u32, u32)> = ViewCache::order(&cands, &words)
                .0
                .iter()
                .map(|c| (c.a, c.b))
                .collect();
            got.sort_unstable();
            assert_eq!(got, pairs);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8))]
        /// On documents paired at random (each with about six partners, as planted passages pair
        /// them), the plan gives every pair once and builds at most three quarters of the views
        /// that aligning the pairs in document order builds (about 0.7): 2,000 documents, a cache
        /// of about 32 of them.
        #[test]
        fn the_plan_aligns_each_pair_once_and_builds_fewer_views(seed in 0u64..u64::MAX) {
            let docs = 2000;
            let mut x = seed | 1;
            let mut next = || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            let mut pairs: Vec<(u32, u32)> = (0..docs * 3)
                .map(|_| {
                    let (a, b) = ((next() % docs) as u32, (next() % docs) as u32);
                    (a.min(b), a.max(b))
                })
                .filter(|(a, b)| a != b)
                .collect();
            pairs.sort_unstable();
            pairs.dedup();
            let cands = candidates(&pairs);
            let words: Vec<usize> = (0..docs).map(|d| 4000 + (d as usize * 37) % 8000).collect();
            let (order, block) = ViewCache::order(&cands, &words);
            proptest::prop_assert_eq!(block, 16);
            let mut got: Vec<(u32, u32)> = order.iter().map(|c| (c.a, c.b)).collect();
            got.sort_unstable();
            proptest::prop_assert_eq!(&got, &pairs);
            let planned = builds(&order, &words, block);
            let by_document = builds(&cands.iter().collect::<Vec<_>>(), &words, block);
            proptest::prop_assert!(
                planned * 4 < by_document * 3,
                "{planned} views built against {by_document} in document order"
            );
        }
    }
}
