//! Alignment: seeds -> chains -> aligned, labelled passages.
//!
//! Takes two tokenised documents that share one [`Vocabulary`] and gives every passage they share, as
//! [`Passage`]s sorted by position in A then B. The stages: [`seed`] finds shared n-grams, [`chain`]
//! groups them into candidate regions, [`extend`] aligns each region word by word (a diff on token ids
//! with a margin around the region) and keeps the best-scoring stretches of the alignment, merging
//! fragments, and [`classify`] labels each passage repeated, reworded, expanded or condensed.
//!
//! Guarantees: output depends only on the two token sequences (not on thread count or argument order:
//! `align(b, a)` is `align(a, b)` with the sides swapped); no step is quadratic in document length.

pub mod chain;
pub mod classify;
pub mod extend;
pub mod reword;
pub mod seed;
pub mod split;

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use crate::relate::Relation;
use crate::text::{Token, Vocabulary};

pub use classify::{Kind, Thresholds};

/// Tuning of the aligner. The defaults are the documented ones; the JSON echoes the values used.
#[derive(Clone, Debug, Serialize)]
pub struct Params {
    /// Words per seed n-gram.
    pub word_ngram: usize,
    /// Characters per seed n-gram in unspaced scripts (Han, Kana).
    pub cjk_ngram: usize,
    /// N-grams occurring more often than this in either document are not used as seeds.
    pub max_seed_freq: usize,
    /// Largest gap, in tokens, bridged between seeds of one passage (inserted clauses, substitutions).
    pub max_gap: usize,
    /// Smallest passage reported, in aligned words (a character of an unspaced script counts half).
    pub min_words: f64,
    /// Smallest alignment score reported (share of the two sides' words that are aligned).
    pub min_score: f64,
    /// The label definitions.
    pub thresholds: Thresholds,
    /// Run the reworded tier ([`reword`]): passages of soft word matches (stems, derivations,
    /// synonyms, compounds, OCR) where the exact seeds found none.
    pub reworded: bool,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            word_ngram: 3,
            cjk_ngram: 4,
            max_seed_freq: 64,
            max_gap: 24,
            min_words: 8.0,
            min_score: 0.3,
            thresholds: Thresholds::default(),
            reworded: true,
        }
    }
}

impl Params {
    /// Check every parameter's range, in the order of the command line's options; the error names
    /// the option (`min-words`, `ngram`, ...). `compare`, `scan` and the Python package all check
    /// their parameters here.
    pub fn validate(&self) -> Result<(), crate::OptionError> {
        use crate::OptionError as E;
        if !(self.min_words >= 1.0 && self.min_words.is_finite()) {
            return Err(E::new(
                "min-words",
                format!("must be at least 1, got {}", self.min_words),
            ));
        }
        for (name, n, lo, hi) in [
            ("ngram", self.word_ngram, 1, 16),
            ("cjk-ngram", self.cjk_ngram, 1, 32),
            ("max-gap", self.max_gap, 1, 10_000),
        ] {
            if !(lo..=hi).contains(&n) {
                return Err(E::new(
                    name,
                    format!("must be between {lo} and {hi}, got {n}"),
                ));
            }
        }
        E::at_least("max-seed-freq", self.max_seed_freq, 1, false)?;
        E::share("min-score", self.min_score)?;
        self.thresholds.validate()
    }
}

/// A token sequence with what the aligner needs per token, in flat arrays.
#[derive(Clone, Debug)]
pub struct Seq<'t> {
    pub tokens: &'t [Token],
    /// The vocabulary the ids come from (the reworded tier reads each form's stem).
    pub vocab: &'t Vocabulary,
    pub ids: Cow<'t, [u32]>,
    pub stop: Cow<'t, [bool]>,
    pub cjk: Cow<'t, [bool]>,
    /// The reworded tier's view of the document, if built beforehand: `scan` sets it from its cache
    /// of the documents it aligns, since a document is in many pairs. Without it the tier builds one
    /// for the pair.
    pub tier: Option<Arc<reword::DocWords>>,
    /// The document's n-grams, sorted, if kept beforehand (`scan`, as [`Seq::tier`]): the seeds of
    /// two sequences that both have them are one merge ([`seed::seeds`]).
    pub grams: Option<&'t seed::Grams>,
}

impl<'t> Seq<'t> {
    /// Flatten `tokens` with the flags from `vocab`.
    pub fn new(tokens: &'t [Token], vocab: &'t Vocabulary) -> Self {
        let n = tokens.len();
        let (mut ids, mut stop, mut cjk) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for t in tokens {
            let e = vocab.entry(t.id);
            ids.push(t.id.0);
            stop.push(e.stop);
            cjk.push(e.cjk);
        }
        Self {
            tokens,
            vocab,
            ids: Cow::Owned(ids),
            stop: Cow::Owned(stop),
            cjk: Cow::Owned(cjk),
            tier: None,
            grams: None,
        }
    }

    /// A sequence borrowing the arrays of an earlier [`Seq::new`] of the same tokens (`scan` keeps
    /// them for the documents it is aligning), with the tier's view and the n-grams if built.
    pub fn from_parts(
        tokens: &'t [Token],
        vocab: &'t Vocabulary,
        ids: &'t [u32],
        flags: (&'t [bool], &'t [bool]),
        tier: Option<Arc<reword::DocWords>>,
        grams: Option<&'t seed::Grams>,
    ) -> Self {
        let (stop, cjk) = flags;
        debug_assert!(
            ids.len() == tokens.len() && stop.len() == ids.len() && cjk.len() == ids.len()
        );
        Self {
            tokens,
            vocab,
            ids: Cow::Borrowed(ids),
            stop: Cow::Borrowed(stop),
            cjk: Cow::Borrowed(cjk),
            tier,
            grams,
        }
    }

    /// The owned arrays of a sequence made by [`Seq::new`]: ids, stop-word and CJK flags.
    pub fn into_parts(self) -> (Vec<u32>, Vec<bool>, Vec<bool>) {
        (
            self.ids.into_owned(),
            self.stop.into_owned(),
            self.cjk.into_owned(),
        )
    }

    /// Weight of token `i` when counting words: a character of an unspaced script is half a word.
    pub fn weight(&self, i: usize) -> f64 {
        if self.cjk[i] { 0.5 } else { 1.0 }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// No tokens.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// One step of a word diff, over token indices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    pub tag: OpTag,
    pub a: Range<usize>,
    pub b: Range<usize>,
    /// A replacement whose two sides spell nearly the same letters: an OCR join or split
    /// ("developthe ment" / "development"), a compound split ("data base" / "database") or a typo.
    pub fuzzy: bool,
    /// For a replacement whose two sides are related words: how (fuzzy, derived, synonym, ...).
    /// Words related as *the same word* ([`Relation::is_equal`]) count as aligned for the labels.
    pub relation: Option<Relation>,
}

impl Op {
    /// The two sides are the same word (equal, or a replacement by an inflection, derivation,
    /// compound or OCR-damaged spelling of it).
    pub fn same_word(&self) -> bool {
        self.tag == OpTag::Equal || self.fuzzy || self.relation.is_some_and(Relation::is_equal)
    }
}

/// The kind of a diff step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpTag {
    Equal,
    Delete,
    Insert,
    Replace,
}

/// One passage shared by A and B.
#[derive(Clone, Debug)]
pub struct Passage {
    /// Token range in A.
    pub a: Range<usize>,
    /// Token range in B.
    pub b: Range<usize>,
    /// The word diff from A's side to B's.
    pub ops: Vec<Op>,
    pub kind: Kind,
    /// Share of the two sides' words that are aligned, in [0, 1].
    pub score: f64,
    /// Tokens of A aligned to an equal (or fuzzily equal) token of B.
    pub aligned_a: usize,
    /// Tokens of B aligned to an equal (or fuzzily equal) token of A.
    pub aligned_b: usize,
    /// For a passage of the reworded tier: the word pairs, coverages and rule that accepted it.
    pub evidence: Option<Box<reword::Evidence>>,
}

/// Align two token sequences whose texts are `text_a` and `text_b`.
pub fn align(a: &Seq, text_a: &str, b: &Seq, text_b: &str, params: &Params) -> Vec<Passage> {
    // The work is done in one canonical orientation so that align(b, a) mirrors align(a, b) exactly,
    // whatever tie-breaking the diff algorithm does.
    if orientation_key(b, text_b) < orientation_key(a, text_a) {
        let mut out = align_oriented(b, text_b, a, text_a, params);
        for p in &mut out {
            p.swap_sides();
        }
        for p in &mut out {
            classify::classify(p, a, b, &params.thresholds);
        }
        out.sort_by_key(|p| (p.a.start, p.b.start, p.a.end, p.b.end));
        return out;
    }
    align_oriented(a, text_a, b, text_b, params)
}

/// The canonical orientation: the shorter sequence first, then the text with the smaller xxh3.
/// Nothing here may depend on token ids, which are numbered in order of first appearance and so
/// differ between compare(a, b) and compare(b, a) (found by fuzzing: two pieces of equal length
/// were aligned in different orientations and gave different passages).
fn orientation_key(s: &Seq, text: &str) -> (usize, u64) {
    (s.len(), xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

fn align_oriented(a: &Seq, text_a: &str, b: &Seq, text_b: &str, params: &Params) -> Vec<Passage> {
    let seeds = seed::seeds(a, b, params);
    let regions = chain::regions(seeds, params, |r| extend::promising(r, a, params));
    let mut passages = extend::passages(a, text_a, b, text_b, &regions, params);
    reword::annotate(&mut passages, a, text_a, b, text_b);
    for p in &mut passages {
        classify::classify(p, a, b, &params.thresholds);
    }
    passages.retain(|p| reportable(p, a, params));
    let passages = best_counterparts(passages, a.len(), b.len());
    // Split after choosing counterparts: the parts of a passage do not compete with other passages.
    let mut passages = split::split(passages, a, text_a, b, text_b, params);
    if params.reworded {
        let mut more = reword::passages(a, text_a, b, text_b, &passages);
        for p in &mut more {
            classify::classify(p, a, b, &params.thresholds);
        }
        passages.extend(more);
    }
    passages.sort_by_key(|p| (p.a.start, p.b.start, p.a.end, p.b.end));
    passages
}

/// A phrase that recurs in both documents ("a community with a shared future in cyberspace", four
/// times in each) aligns every occurrence with every other. Of the passages that cover the same words
/// of one side, only the best is kept: most aligned words, then the counterpart at the most similar
/// relative position in its document, then the earliest. A passage survives when it is the best for
/// its A words or for its B words, so each occurrence keeps its own best counterpart.
fn best_counterparts(ps: Vec<Passage>, len_a: usize, len_b: usize) -> Vec<Passage> {
    let rank = |p: &Passage| {
        let rel = |r: &Range<usize>, len: usize| r.start as f64 / len.max(1) as f64;
        let drift = ((rel(&p.a, len_a) - rel(&p.b, len_b)).abs() * 1e6) as u64;
        (
            std::cmp::Reverse(p.aligned_a.min(p.aligned_b)),
            drift,
            p.a.start,
            p.b.start,
        )
    };
    let best_on = |side: fn(&Passage) -> &Range<usize>| -> Vec<bool> {
        let mut order: Vec<usize> = (0..ps.len()).collect();
        order.sort_by_key(|&i| rank(&ps[i]));
        let mut taken: Vec<Range<usize>> = Vec::new();
        let mut best = vec![false; ps.len()];
        for i in order {
            let r = side(&ps[i]);
            let clash = taken.iter().any(|t| {
                let ov = t.end.min(r.end).saturating_sub(t.start.max(r.start));
                ov * 2 > t.len().min(r.len())
            });
            if !clash {
                best[i] = true;
                taken.push(r.clone());
            }
        }
        best
    };
    let (best_a, best_b) = (best_on(|p| &p.a), best_on(|p| &p.b));
    ps.into_iter()
        .enumerate()
        .filter(|(i, _)| best_a[*i] || best_b[*i])
        .map(|(_, p)| p)
        .collect()
}

/// Long enough and similar enough to report: `min_words` aligned words, half of them content words,
/// and a score of at least `min_score`.
fn reportable(p: &Passage, a: &Seq, params: &Params) -> bool {
    let (mut words, mut content) = (0.0, 0.0);
    for op in p.ops.iter().filter(|o| o.same_word()) {
        for i in op.a.clone() {
            words += a.weight(i);
            if !a.stop[i] {
                content += a.weight(i);
            }
        }
    }
    words >= params.min_words && content >= params.min_words / 2.0 && p.score >= params.min_score
}

impl Passage {
    /// Exchange the roles of A and B.
    pub fn swap_sides(&mut self) {
        std::mem::swap(&mut self.a, &mut self.b);
        std::mem::swap(&mut self.aligned_a, &mut self.aligned_b);
        if let Some(e) = &mut self.evidence {
            e.swap_sides();
        }
        for op in &mut self.ops {
            std::mem::swap(&mut op.a, &mut op.b);
            op.tag = match op.tag {
                OpTag::Delete => OpTag::Insert,
                OpTag::Insert => OpTag::Delete,
                t => t,
            };
        }
    }
}

/// Share of tokens covered by at least one of `ranges`.
pub fn coverage(len: usize, ranges: impl Iterator<Item = Range<usize>>) -> f64 {
    if len == 0 {
        return 0.0;
    }
    let mut rs: Vec<Range<usize>> = ranges.collect();
    rs.sort_by_key(|r| (r.start, r.end));
    let (mut covered, mut reach) = (0usize, 0usize);
    for r in rs {
        let start = r.start.max(reach);
        if r.end > start {
            covered += r.end - start;
            reach = r.end;
        }
    }
    covered as f64 / len as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare_texts;
    use proptest::prelude::*;

    /// Texts of made-up words (distinct enough that chance matches are rare) with shared stretches.
    fn words(n: usize) -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec("[b-df-hj-np-tv-z]{2,3}[aeiou][b-df-hj-np-tv-z]{1,2}", n)
    }

    #[test]
    fn params_are_checked_in_the_order_of_the_options() {
        assert_eq!(Params::default().validate(), Ok(()));
        let err = |p: Params| p.validate().expect_err("out of range").to_string();
        let d = Params::default;
        assert_eq!(
            err(Params {
                min_words: f64::NAN,
                word_ngram: 0,
                ..d()
            }),
            "--min-words must be at least 1, got NaN"
        );
        assert_eq!(
            err(Params {
                word_ngram: 17,
                ..d()
            }),
            "--ngram must be between 1 and 16, got 17"
        );
        assert_eq!(
            err(Params {
                max_seed_freq: 0,
                ..d()
            }),
            "--max-seed-freq must be at least 1"
        );
        let mut p = d();
        p.thresholds.repeated_max_length_ratio = 0.5;
        assert_eq!(
            err(p),
            "--repeated-max-ratio must be a ratio of at least 1, got 0.5"
        );
    }

    fn spans(cmp: &crate::Comparison, swap: bool) -> Vec<(Range<usize>, Range<usize>, Kind)> {
        let mut v: Vec<_> = cmp
            .passages
            .iter()
            .map(|p| {
                let (x, y) = (cmp.byte_span_a(p), cmp.byte_span_b(p));
                let kind = match (swap, p.kind) {
                    (true, Kind::Expanded) => Kind::Condensed,
                    (true, Kind::Condensed) => Kind::Expanded,
                    (_, k) => k,
                };
                if swap { (y, x, kind) } else { (x, y, kind) }
            })
            .collect();
        v.sort_by_key(|(x, y, _)| (x.start, y.start));
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn an_exact_shared_run_is_always_found(
            before_a in words(30), before_b in words(20), run in words(12), after_a in words(25), after_b in words(40),
        ) {
            let a = [before_a, run.clone(), after_a].concat().join(" ");
            let b = [before_b, run.clone(), after_b].concat().join(" ");
            let run_text = run.join(" ");
            let cmp = compare_texts(&a, &b, &Params::default());
            let (ra, rb) = (a.find(&run_text).unwrap(), b.find(&run_text).unwrap());
            let covered = cmp.passages.iter().any(|p| {
                let (x, y) = (cmp.byte_span_a(p), cmp.byte_span_b(p));
                x.start <= ra && x.end >= ra + run_text.len() && y.start <= rb && y.end >= rb + run_text.len()
            });
            prop_assert!(covered, "run {:?} not covered: {:?}", run_text, spans(&cmp, false));
        }

        #[test]
        fn align_b_a_mirrors_align_a_b(
            common in words(20), edits in proptest::collection::vec((0usize..20, words(2)), 0..4), pre in words(15), post in words(15),
        ) {
            let mut changed = common.clone();
            for (at, ws) in &edits {
                changed.splice(*at..*at, ws.iter().cloned());
            }
            let a = [pre.clone(), common].concat().join(" ");
            let b = [changed, post].concat().join(" ");
            let params = Params::default();
            let fwd = compare_texts(&a, &b, &params);
            let rev = compare_texts(&b, &a, &params);
            prop_assert_eq!(spans(&fwd, false), spans(&rev, true));
        }
    }

    #[test]
    fn an_inserted_clause_makes_an_expanded_passage() {
        let a = "all countries should respect each other's choice of development path and model of internet governance";
        let b = "all countries should respect each other's choice of development path, network management model, public policies on the internet and model of internet governance";
        let cmp = compare_texts(a, b, &Params::default());
        assert_eq!(cmp.passages.len(), 1);
        assert_eq!(cmp.passages[0].kind, Kind::Expanded);
        let cmp = compare_texts(b, a, &Params::default());
        assert_eq!(cmp.passages[0].kind, Kind::Condensed);
    }

    #[test]
    fn substituted_words_make_a_reworded_passage() {
        let a = "we must speed up the construction of global internet infrastructure and promote interconnectivity among nations";
        let b = "we must speed up the building of global cyber infrastructure and promote interconnectivity among the nations";
        let cmp = compare_texts(a, b, &Params::default());
        assert_eq!(cmp.passages.len(), 1, "{:?}", cmp.passages);
        assert_eq!(cmp.passages[0].kind, Kind::Reworded);
    }

    #[test]
    fn a_gap_across_a_paragraph_break_ends_the_passage() {
        // Regression: the 2019 headline and the first words of its next paragraph were reported as one
        // "expanded" passage against a 2020 sentence that has both, eleven words apart.
        let a = "Jointly Build a Community with a Shared Future in Cyberspace\n\n-\n\nChinese President Xi Jinping unveiled the vision";
        let b = "to build a community with a shared future in cyberspace, and join hands to create a brighter future for humanity, said Chinese President Xi Jinping";
        let cmp = compare_texts(a, b, &Params::default());
        assert_eq!(cmp.passages.len(), 1);
        assert_eq!(
            &a[cmp.byte_span_a(&cmp.passages[0])],
            "Build a Community with a Shared Future in Cyberspace"
        );
        assert_eq!(cmp.passages[0].kind, Kind::Repeated);
    }

    #[test]
    fn unrelated_texts_share_nothing() {
        let a =
            "the quick brown fox jumps over the lazy dog near the river bank in the early morning";
        let b = "parliament adopted the budget for the coming year after a long debate about taxes";
        assert!(compare_texts(a, b, &Params::default()).passages.is_empty());
    }

    #[test]
    fn pathological_repetition_stays_bounded() {
        // Every n-gram is too frequent to seed: nothing is aligned, and the run ends at once instead of
        // aligning 20,000 x 20,000 positions.
        let a = "word ".repeat(20_000);
        assert!(
            compare_texts(&a, &a, &Params::default())
                .passages
                .is_empty()
        );
        let b = "alpha beta gamma delta epsilon zeta eta theta iota kappa ".repeat(500);
        assert!(
            compare_texts(&b, &b, &Params::default())
                .passages
                .is_empty()
        );
        // A paragraph repeated a few times is still found, each copy with its counterpart.
        let c = "the community with a shared future in cyberspace rests on four principles and five proposals. ".repeat(3);
        let cmp = compare_texts(&c, &c, &Params::default());
        assert!(!cmp.passages.is_empty());
        assert!(cmp.passages.iter().all(|p| p.kind == Kind::Repeated));
    }
}
