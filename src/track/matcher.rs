//! The matcher: the passages of one document that say what one statement says.
//!
//! Takes a statement and a document, both cut into [`Word`]s, and gives every [`Occurrence`] of the
//! statement in the document that clears the presence thresholds, best first. The method:
//!
//! 1. **Word relations** ([`Relation`]). A statement word and a document word are *equal* (same
//!    normalised form or Snowball stem: "protect" / "protecting"), *derived* (WordNet's derivation
//!    pointers, "maintain" / "maintenance", or equal once one derivational suffix is stripped from the
//!    stem: "constructive" / "construct"), *synonyms* (a shared WordNet synset, looked up by lemma:
//!    "construct" / "build"), an *affix* variant (a common prefix added, "interconnectivity" /
//!    "connectivity", or one word part of a compound written as one, "cyber" / "cyberspace"), or
//!    *fuzzy* (letters nearly the same, normalised Levenshtein: the OCR case). Two words written as one
//!    or one as two are a *compound* match ("cyber security" / "cybersecurity", "data base" /
//!    "database", "developthe ment" / "development"). Weights: equal and compound 1, derived 0.9, fuzzy
//!    0.9 × similarity, synonym 0.75, affix 0.7, compound part 0.6.
//! 2. **Weights** ([`Idf`]). Content words (not function words) weigh their IDF over the sentences of
//!    the documents being tracked, `ln((N + 1) / (df + 0.5))`, so words found in many sentences
//!    ("cooperation", "development", "cyberspace") weigh little. A statement word's df counts the
//!    sentences holding any word related to it; a deverbal head noun followed by "of" ("*maintenance*
//!    of peace") weighs half.
//! 3. **Windows.** Candidate passages run from one document word related to a statement content word
//!    to another, inside one sentence (sentences end at `.`, `!`, `?`, `;` or a line break; a statement
//!    of k sentences may be found across k), at most `2 × statement words + 10` words. In each window
//!    the statement's content words are matched one to one to related document words (greedy by
//!    weight, in any order, so "security of data" meets "data security"). *Recall* is the IDF-weighted
//!    share of the statement's content found (times each match's weight), *precision* the same share of
//!    the window's content words. Each sentence keeps the window with the best F-measure at
//!    [`SELECT_BETA`] (leaning on recall, so an expanded passage keeps what it adds), a word out of the
//!    statement's order counting [`SELECT_MOVED_FACTOR`] of its weight.
//! 4. **Diff.** The statement and the chosen passage are aligned word by word by a monotone dynamic
//!    programme over the relations above (function words match when equal); matched content words it
//!    had to leave out of order are marked as moved. Recall, precision and score are computed again on
//!    this alignment (the score is their F1), a moved word counting [`MOVED_FACTOR`] of its weight
//!    unless it moved with a neighbour (a clause moved as a block).
//! 5. **Presence.** A passage is an occurrence when at least two of the statement's content words (all
//!    of them if it has fewer) are matched, recall ≥ `min_recall` and score ≥
//!    `min_score + SHORT_STATEMENT / max(n, 4)` for a statement of n content words: a few words of a
//!    short statement often meet by chance in one sentence, the many words of a long one do not. A
//!    sentence sharing one word with a statement, however rare, is never an occurrence.
//! 6. **Status.** The definitions of docs/definitions.md with the statement as A and the passage as B: a word counts as
//!    aligned to an *equal* word for equal, compound and fuzzy matches (the same word after
//!    normalisation, inflection or OCR damage), not for derived words or synonyms, which make a passage
//!    *reworded*; the words an *expanded* passage adds (a *condensed* one drops) must include a content
//!    word.
//!
//! Guarantees: deterministic (ties broken by position); every span is a run of whole words of the
//! document; occurrences of one statement in one document never overlap.

use std::ops::Range;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::align::{OpTag, Thresholds};
use crate::relate::synonyms::Lexicon;
pub use crate::relate::{Idf, Relation, Word, compound_weight, relate, stem_of, words};

/// The status of a statement in a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Repeated,
    Reworded,
    Expanded,
    Condensed,
    Absent,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 5] = [
        Status::Repeated,
        Status::Reworded,
        Status::Expanded,
        Status::Condensed,
        Status::Absent,
    ];

    /// The lower-case name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Status::Repeated => "repeated",
            Status::Reworded => "reworded",
            Status::Expanded => "expanded",
            Status::Condensed => "condensed",
            Status::Absent => "absent",
        }
    }
}

/// Tuning of the matcher. The defaults are the documented ones; the JSON echoes the values used.
#[derive(Clone, Debug, Serialize)]
pub struct MatchParams {
    /// Smallest IDF-weighted share of the statement's content found in a passage.
    pub min_recall: f64,
    /// Smallest passage score (F2 of recall and precision).
    pub min_score: f64,
    /// The label definitions (shared with `compare`).
    pub thresholds: Thresholds,
}

impl Default for MatchParams {
    fn default() -> Self {
        Self {
            min_recall: 0.5,
            min_score: 0.5,
            thresholds: Thresholds::default(),
        }
    }
}

impl MatchParams {
    /// Check every parameter's range; the error names the option (`min-recall`, ...).
    pub fn validate(&self) -> Result<(), crate::OptionError> {
        crate::OptionError::share("min-recall", self.min_recall)?;
        crate::OptionError::share("min-score", self.min_score)?;
        self.thresholds.validate()
    }
}

/// A word matched out of the statement's order counts this share of its weight in the final score.
pub const MOVED_FACTOR: f64 = 0.5;

/// The β of the F-measure that picks the best window of a sentence.
pub const SELECT_BETA: f64 = 1.5;

/// When picking the window, a word out of the statement's order counts this share of its weight.
pub const SELECT_MOVED_FACTOR: f64 = 0.8;

/// Short statements need a closer match: the score needed is `min_score + SHORT_STATEMENT / n` for
/// `n` content words (at least 4), since a few shared words often meet by chance in one sentence.
pub const SHORT_STATEMENT: f64 = 1.0;

/// One relation between statement words `s` and document words `d`.
#[derive(Clone, Debug, PartialEq)]
struct Match {
    s: Range<usize>,
    d: Range<usize>,
    rel: Relation,
    w: f64,
}

/// One aligned step of the word diff, as word index ranges into the statement and the document.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub tag: OpTag,
    pub s: Range<usize>,
    pub d: Range<usize>,
    /// For replacements of related words: how they are related.
    pub rel: Option<Relation>,
    /// For deletions and insertions: the word is matched elsewhere, out of order.
    pub moved: bool,
    /// The weight of the match (0 for unmatched words).
    pub w: f64,
}

/// One place a statement is found in a document.
#[derive(Clone, Debug)]
pub struct Occurrence {
    /// Word range in the document.
    pub words: Range<usize>,
    /// Byte span in the document's text.
    pub span: Range<usize>,
    pub status: Status,
    pub score: f64,
    pub recall: f64,
    /// The word diff from the statement to the passage.
    pub steps: Vec<Step>,
}

/// Largest passage, in words, for a statement of `n` words.
fn max_window(n: usize) -> usize {
    2 * n + 10
}

/// Every occurrence of statement `s` in document `d`, best first.
///
/// `s_idf` gives the weight of each statement word ([`Idf::statement_weights`]).
pub fn find(
    s: &[Word],
    s_idf: &[f64],
    d: &[Word],
    idf: &Idf,
    lex: &Lexicon,
    p: &MatchParams,
) -> Vec<Occurrence> {
    if s.is_empty() || d.is_empty() {
        return Vec::new();
    }
    let content: Vec<usize> = {
        let c: Vec<usize> = (0..s.len()).filter(|&i| !s[i].stop).collect();
        if c.is_empty() {
            (0..s.len()).collect()
        } else {
            c
        }
    };
    let is_content = |i: usize| content.contains(&i);
    let matches = content_matches(s, d, &content, lex);
    let s_total: f64 = content.iter().map(|&i| s_idf[i]).sum();
    let need = content.len().min(2);
    let required = p.min_score + SHORT_STATEMENT / content.len().max(4) as f64;
    let max_len = max_window(s.len());

    let mut found = Vec::new();
    // A statement of k sentences may be found across k sentences of the document.
    let k = (s[s.len() - 1].sentence - s[0].sentence + 1) as usize;
    let mut candidates: Vec<(f64, f64, Range<usize>)> = Vec::new();
    // Matches are sorted by document position; windows start in one sentence and end at most k - 1
    // sentences later.
    let mut i = 0;
    while i < matches.len() {
        let sent = d[matches[i].d.start].sentence;
        let mut first_end = i;
        while first_end < matches.len() && d[matches[first_end].d.start].sentence == sent {
            first_end += 1;
        }
        let mut j = first_end;
        while j < matches.len() && (d[matches[j].d.start].sentence as usize) < sent as usize + k {
            j += 1;
        }
        let group: Vec<&Match> = matches[i..j]
            .iter()
            .filter(|m| (d[m.d.end - 1].sentence as usize) < sent as usize + k)
            .collect();
        let starts: Vec<usize> = dedup(matches[i..first_end].iter().map(|m| m.d.start));
        i = first_end;
        let mut best: Option<(f64, f64, Range<usize>)> = None;
        let ends: Vec<usize> = dedup(group.iter().map(|m| m.d.end));
        // Many matches in one stretch (a long statement, text without sentence breaks, a repeated
        // word): every window would cost starts x ends x matches. Those groups take the bounded
        // scan of `best_window_bounded` instead.
        let exhaustive = starts.len() * ends.len() <= EXHAUSTIVE_WINDOWS;
        if !exhaustive {
            best = best_window_bounded(
                &group,
                &starts,
                (s, &content, need),
                s_idf,
                s_total,
                d,
                idf,
                max_len,
            );
        }
        for &a in starts.iter().filter(|_| exhaustive) {
            for &b in ends.iter().filter(|&&b| b > a && b - a <= max_len) {
                let inside: Vec<&Match> = group
                    .iter()
                    .copied()
                    .filter(|m| m.d.start >= a && m.d.end <= b)
                    .collect();
                let chosen = one_to_one(&inside);
                let covered: Vec<usize> = dedup(chosen.iter().flat_map(|m| m.s.clone()));
                if covered.iter().filter(|&&k| is_content(k)).count() < need {
                    continue;
                }
                let in_order = in_order(&chosen);
                let order_factor = |i: usize| {
                    if in_order[i] {
                        1.0
                    } else {
                        SELECT_MOVED_FACTOR
                    }
                };
                let recall = chosen
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        m.s.clone().map(|k| s_idf[k]).sum::<f64>() * m.w * order_factor(i)
                    })
                    .sum::<f64>()
                    / s_total;
                let d_idf = |k: usize| idf.weight(&d[k].stem);
                let window_total: f64 = (a..b).filter(|&k| !d[k].stop).map(d_idf).sum();
                let got: f64 = chosen
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        let idf_sum: f64 = m.d.clone().filter(|&k| !d[k].stop).map(d_idf).sum();
                        idf_sum * m.w * order_factor(i)
                    })
                    .sum();
                let precision = if window_total > 0.0 {
                    (got / window_total).min(1.0)
                } else {
                    0.0
                };
                // Selection leans on recall (β = 1.5) so that a passage keeps the words an expansion
                // adds between the statement's words; presence is judged on the F1 of the final
                // alignment below.
                let score = f_beta(precision, recall.min(1.0), SELECT_BETA);
                let better = match &best {
                    None => true,
                    Some((bs, _, br)) => {
                        score > *bs + 1e-12 || ((score - *bs).abs() <= 1e-12 && (b - a) < br.len())
                    }
                };
                if better {
                    best = Some((score, recall, a..b));
                }
            }
        }
        if let Some(b) = best
            && b.1 >= p.min_recall
        {
            candidates.push(b);
        }
    }
    // Windows of neighbouring start sentences may overlap when k > 1: keep the best of those.
    candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.2.start.cmp(&y.2.start)));
    let mut taken: Vec<Range<usize>> = Vec::new();
    for (_, _, words) in candidates {
        if taken
            .iter()
            .any(|t| t.start < words.end && words.start < t.end)
        {
            continue;
        }
        taken.push(words.clone());
        let (steps, recall, score) = measure(s, s_idf, s_total, &is_content, d, &words, idf, lex);
        if recall < p.min_recall || score < required {
            continue;
        }
        {
            let status = classify(s, d, &words, &steps, &p.thresholds);
            found.push(Occurrence {
                span: d[words.start].start..d[words.end - 1].end,
                words,
                status,
                score: crate::align::classify::round4(score),
                recall: crate::align::classify::round4(recall.min(1.0)),
                steps,
            });
        }
    }
    found.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.words.start.cmp(&y.words.start))
    });
    found
}

/// The word diff of the statement against the passage `words`, and its recall and score (F1 of
/// recall and precision, a word moved alone counting [`MOVED_FACTOR`]).
#[allow(clippy::too_many_arguments)]
fn measure(
    s: &[Word],
    s_idf: &[f64],
    s_total: f64,
    is_content: &dyn Fn(usize) -> bool,
    d: &[Word],
    words: &Range<usize>,
    idf: &Idf,
    lex: &Lexicon,
) -> (Vec<Step>, f64, f64) {
    let steps = diff(s, d, words, lex);
    // The final score counts a word matched out of order at MOVED_FACTOR of its weight, unless it
    // moved with its neighbours (a clause moved as a block: "X to promote Y" / "to promote Y,
    // X").
    let lone_s = lone_moves(&steps, |x| x.tag == OpTag::Delete, |x| x.s.clone(), s);
    let lone_d = lone_moves(&steps, |x| x.tag == OpTag::Insert, |x| x.d.clone(), d);
    let factor = |x: &Step| {
        let lone = match x.tag {
            OpTag::Delete => lone_s.contains(&x.s.start),
            OpTag::Insert => lone_d.contains(&x.d.start),
            _ => false,
        };
        if x.moved && lone { MOVED_FACTOR } else { 1.0 }
    };
    let recall: f64 = steps
        .iter()
        .filter(|x| x.tag != OpTag::Insert)
        .map(|x| {
            x.s.clone()
                .filter(|k| is_content(*k))
                .map(|k| s_idf[k])
                .sum::<f64>()
                * x.w
                * factor(x)
        })
        .sum::<f64>()
        / s_total;
    let d_idf = |k: usize| idf.weight(&d[k].stem);
    let window_total: f64 = words.clone().filter(|&k| !d[k].stop).map(d_idf).sum();
    let got: f64 = steps
        .iter()
        .filter(|x| x.tag != OpTag::Delete)
        .map(|x| x.d.clone().filter(|&k| !d[k].stop).map(d_idf).sum::<f64>() * x.w * factor(x))
        .sum();
    let precision = if window_total > 0.0 {
        (got / window_total).min(1.0)
    } else {
        1.0
    };
    let recall = recall.min(1.0);
    let score = f_beta(precision, recall, 1.0);
    (steps, recall, score)
}

/// Judge the passage `words` of `d` against statement `s` without the presence thresholds (for a
/// passage located by other evidence, see [`crate::track`]'s list rule).
pub fn occurrence_at(
    s: &[Word],
    s_idf: &[f64],
    d: &[Word],
    words: Range<usize>,
    idf: &Idf,
    lex: &Lexicon,
    p: &MatchParams,
) -> Occurrence {
    let content: Vec<usize> = {
        let c: Vec<usize> = (0..s.len()).filter(|&i| !s[i].stop).collect();
        if c.is_empty() {
            (0..s.len()).collect()
        } else {
            c
        }
    };
    let is_content = |i: usize| content.contains(&i);
    let s_total: f64 = content.iter().map(|&i| s_idf[i]).sum();
    let (steps, recall, score) = measure(s, s_idf, s_total, &is_content, d, &words, idf, lex);
    let status = classify(s, d, &words, &steps, &p.thresholds);
    Occurrence {
        span: d[words.start].start..d[words.end - 1].end,
        words,
        status,
        score: crate::align::classify::round4(score),
        recall: crate::align::classify::round4(recall.min(1.0)),
        steps,
    }
}

/// Largest number of (start, end) windows of one sentence group tried one by one.
const EXHAUSTIVE_WINDOWS: usize = 4096;

/// The best window of a large group (matches sorted by document position) in time near-linear in the
/// group: starts at least `max_len / 32` words apart, and for each start the matches up to `max_len`
/// words on, added one by one while each statement word keeps its heaviest match (a document word
/// may serve two statement words, and order is not weighed: the final diff judges both).
#[allow(clippy::too_many_arguments)]
fn best_window_bounded(
    group: &[&Match],
    starts: &[usize],
    (s, content, need): (&[Word], &[usize], usize),
    s_idf: &[f64],
    s_total: f64,
    d: &[Word],
    idf: &Idf,
    max_len: usize,
) -> Option<(f64, f64, Range<usize>)> {
    let stride = (max_len / 32).max(1);
    // Prefix sums of the document's content weights over the group's stretch.
    let lo = group.iter().map(|m| m.d.start).min()?;
    let hi = group.iter().map(|m| m.d.end).max()?;
    let mut prefix = vec![0.0f64; hi - lo + 1];
    for k in lo..hi {
        let w = if d[k].stop {
            0.0
        } else {
            idf.weight(&d[k].stem)
        };
        prefix[k - lo + 1] = prefix[k - lo] + w;
    }
    let d_w = |r: &Range<usize>| prefix[r.end - lo] - prefix[r.start - lo];
    let mut best: Option<(f64, f64, Range<usize>)> = None;
    let (mut best_s, mut best_d) = (vec![0.0f64; s.len()], vec![0.0f64; s.len()]);
    let mut last_start = None;
    for &a in starts {
        if last_start.is_some_and(|l: usize| a < l + stride) {
            continue;
        }
        last_start = Some(a);
        best_s.iter_mut().for_each(|x| *x = 0.0);
        best_d.iter_mut().for_each(|x| *x = 0.0);
        let (mut got_s, mut got_d, mut covered) = (0.0, 0.0, 0);
        let first = group.partition_point(|m| m.d.start < a);
        for m in &group[first..] {
            if m.d.end - a > max_len {
                break;
            }
            let k = m.s.start;
            let vs = m.s.clone().map(|x| s_idf[x]).sum::<f64>() * m.w;
            if vs <= best_s[k] {
                continue;
            }
            let vd =
                m.d.clone()
                    .filter(|&x| !d[x].stop)
                    .map(|x| idf.weight(&d[x].stem))
                    .sum::<f64>()
                    * m.w;
            if best_s[k] == 0.0 && content.contains(&k) {
                covered += 1;
            }
            got_s += vs - best_s[k];
            got_d += vd - best_d[k];
            best_s[k] = vs;
            best_d[k] = vd;
            if covered < need {
                continue;
            }
            let b = m.d.end;
            let total = d_w(&(a..b));
            let precision = if total > 0.0 {
                (got_d / total).min(1.0)
            } else {
                0.0
            };
            let recall = got_s / s_total;
            let score = f_beta(precision, recall.min(1.0), SELECT_BETA);
            if best.as_ref().is_none_or(|(bs, _, _)| score > *bs + 1e-12) {
                best = Some((score, recall, a..b));
            }
        }
    }
    best
}

/// The first word of each moved step (on one side) that moved alone: no other moved word of that
/// side is next to it with only function words between.
fn lone_moves(
    steps: &[Step],
    on_side: impl Fn(&Step) -> bool,
    range: impl Fn(&Step) -> Range<usize>,
    words: &[Word],
) -> Vec<usize> {
    let mut moved: Vec<Range<usize>> = steps
        .iter()
        .filter(|x| x.moved && on_side(x))
        .map(&range)
        .collect();
    moved.sort_by_key(|r| r.start);
    let near = |a: &Range<usize>, b: &Range<usize>| {
        a.end <= b.start && (a.end..b.start).all(|k| words[k].stop)
    };
    (0..moved.len())
        .filter(|&i| {
            let prev = i > 0 && near(&moved[i - 1], &moved[i]);
            let next = i + 1 < moved.len() && near(&moved[i], &moved[i + 1]);
            !prev && !next
        })
        .map(|i| moved[i].start)
        .collect()
}

/// For matches in document order, whether each is on a longest chain that is also in statement
/// order (the others are out of order).
fn in_order(chosen: &[&Match]) -> Vec<bool> {
    let mut by_doc: Vec<usize> = (0..chosen.len()).collect();
    by_doc.sort_by_key(|&i| (chosen[i].d.start, chosen[i].s.start));
    // Longest increasing subsequence of statement positions, O(n^2): n is a statement's word count.
    let n = by_doc.len();
    let (mut len, mut prev) = (vec![1usize; n], vec![usize::MAX; n]);
    for i in 0..n {
        for j in 0..i {
            if chosen[by_doc[j]].s.end <= chosen[by_doc[i]].s.start && len[j] + 1 > len[i] {
                len[i] = len[j] + 1;
                prev[i] = j;
            }
        }
    }
    let mut out = vec![false; chosen.len()];
    let Some(mut at) = (0..n).max_by_key(|&i| (len[i], std::cmp::Reverse(i))) else {
        return out;
    };
    loop {
        out[by_doc[at]] = true;
        if prev[at] == usize::MAX {
            break;
        }
        at = prev[at];
    }
    out
}

fn dedup(it: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = it.collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn f_beta(p: f64, r: f64, beta: f64) -> f64 {
    let b2 = beta * beta;
    if p + r == 0.0 {
        0.0
    } else {
        (1.0 + b2) * p * r / (b2 * p + r)
    }
}

/// A one-to-one choice of matches (no statement or document word used twice), greedy by weight,
/// then by position (deterministic).
fn one_to_one<'m>(inside: &[&'m Match]) -> Vec<&'m Match> {
    let mut order: Vec<&Match> = inside.to_vec();
    order.sort_by(|x, y| {
        y.w.total_cmp(&x.w)
            .then((y.s.len() + y.d.len()).cmp(&(x.s.len() + x.d.len())))
            .then(x.d.start.cmp(&y.d.start))
            .then(x.s.start.cmp(&y.s.start))
    });
    let (mut used_s, mut used_d): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    let mut out = Vec::new();
    for m in order {
        if m.s.clone().any(|k| used_s.contains(&k)) || m.d.clone().any(|k| used_d.contains(&k)) {
            continue;
        }
        used_s.extend(m.s.clone());
        used_d.extend(m.d.clone());
        out.push(m);
    }
    out
}

/// Every relation between a content word (or two adjacent words) of the statement and a word (or two
/// adjacent words of one sentence) of the document, sorted by document position.
fn content_matches(s: &[Word], d: &[Word], content: &[usize], lex: &Lexicon) -> Vec<Match> {
    // Relations depend only on the two words' forms: cache them per distinct document form.
    let mut cache: FxHashMap<&str, Vec<(usize, Relation, f64)>> = FxHashMap::default();
    let mut out = Vec::new();
    for (j, dw) in d.iter().enumerate() {
        let rels = cache.entry(dw.norm.as_str()).or_insert_with(|| {
            content
                .iter()
                .filter_map(|&i| relate(&s[i], dw, lex).map(|(r, w)| (i, r, w)))
                .collect()
        });
        for &(i, rel, w) in rels.iter() {
            out.push(Match {
                s: i..i + 1,
                d: j..j + 1,
                rel,
                w,
            });
        }
    }
    // Compounds: two statement words written as one document word, or the reverse.
    let joined = |ws: &[Word]| -> String { ws.iter().map(|w| w.norm.as_str()).collect() };
    for i in 0..s.len().saturating_sub(1) {
        // A function word glued to a content word is not a compound ("Building an" / "Building").
        if s[i].stop || s[i + 1].stop {
            continue;
        }
        let two = joined(&s[i..i + 2]);
        for (j, dw) in d.iter().enumerate() {
            if dw.norm.len() + 2 < two.len().saturating_sub(3) || dw.norm.len() > two.len() + 3 {
                continue;
            }
            if let Some(w) = compound_weight(&two, &dw.norm) {
                out.push(Match {
                    s: i..i + 2,
                    d: j..j + 1,
                    rel: Relation::Compound,
                    w,
                });
            }
        }
    }
    for &i in content {
        let one = &s[i].norm;
        for j in 0..d.len().saturating_sub(1) {
            if d[j].sentence != d[j + 1].sentence
                || d[j].stop
                || d[j + 1].stop
                || d[j].norm.len() + d[j + 1].norm.len() > one.len() + 3
                || d[j].norm.len() + d[j + 1].norm.len() + 3 < one.len()
            {
                continue;
            }
            if let Some(w) = compound_weight(&joined(&d[j..j + 2]), one) {
                out.push(Match {
                    s: i..i + 1,
                    d: j..j + 2,
                    rel: Relation::Compound,
                    w,
                });
            }
        }
    }
    out.sort_by(|x, y| {
        (x.d.start, x.d.end, x.s.start, x.s.end).cmp(&(y.d.start, y.d.end, y.s.start, y.s.end))
    });
    out
}

/// Align the statement to the passage `window` word by word: a monotone alignment maximising the
/// total weight of matched words (function words match when equal), then matched content words the
/// monotone alignment had to leave out are marked as moved.
fn diff(s: &[Word], d: &[Word], window: &Range<usize>, lex: &Lexicon) -> Vec<Step> {
    let dw = &d[window.clone()];
    let all: Vec<usize> = (0..s.len()).collect();
    // Matches between the statement and the window, in window coordinates; stop words too.
    let mut ms: Vec<Match> = content_matches(s, dw, &all, lex);
    ms.retain(|m| !(m.s.len() == 1 && s[m.s.start].stop) || m.rel == Relation::Equal);
    let (m, n) = (s.len(), dw.len());
    let mut at: FxHashMap<(usize, usize), Vec<usize>> = FxHashMap::default();
    for (k, mt) in ms.iter().enumerate() {
        at.entry((mt.s.start, mt.d.start)).or_default().push(k);
    }
    // best[i][j]: best total weight aligning s[i..] with dw[j..].
    let mut best = vec![vec![0.0f64; n + 1]; m + 1];
    let mut choice = vec![vec![Choice::SkipS; n + 1]; m + 1];
    for i in (0..=m).rev() {
        for j in (0..=n).rev() {
            if i == m && j == n {
                continue;
            }
            let mut b = f64::NEG_INFINITY;
            let mut c = Choice::SkipS;
            if i < m && best[i + 1][j] > b {
                b = best[i + 1][j];
                c = Choice::SkipS;
            }
            if j < n && best[i][j + 1] > b {
                b = best[i][j + 1];
                c = Choice::SkipD;
            }
            for &k in at.get(&(i, j)).map(Vec::as_slice).unwrap_or(&[]) {
                let mt = &ms[k];
                // A function word matched counts little, so it never outweighs a content word.
                let w = if s[i].stop { 0.1 } else { mt.w } * mt.s.len() as f64;
                let v = w + best[mt.s.end][mt.d.end];
                if v > b + 1e-12 {
                    b = v;
                    c = Choice::Take(k);
                }
            }
            best[i][j] = b;
            choice[i][j] = c;
        }
    }
    // Walk the choices into raw steps.
    let mut raw: Vec<Step> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < m || j < n {
        match choice[i][j] {
            Choice::SkipS => {
                raw.push(step(OpTag::Delete, i..i + 1, j..j, None));
                i += 1;
            }
            Choice::SkipD => {
                raw.push(step(OpTag::Insert, i..i, j..j + 1, None));
                j += 1;
            }
            Choice::Take(k) => {
                let mt = &ms[k];
                let tag = if mt.rel == Relation::Equal {
                    OpTag::Equal
                } else {
                    OpTag::Replace
                };
                let rel = (mt.rel != Relation::Equal).then_some(mt.rel);
                raw.push(Step {
                    w: mt.w,
                    ..step(tag, mt.s.clone(), mt.d.clone(), rel)
                });
                i = mt.s.end;
                j = mt.d.end;
            }
        }
    }
    // Content words matched out of order.
    let left_s: Vec<usize> = raw
        .iter()
        .filter(|x| x.tag == OpTag::Delete)
        .map(|x| x.s.start)
        .collect();
    let left_d: Vec<usize> = raw
        .iter()
        .filter(|x| x.tag == OpTag::Insert)
        .map(|x| x.d.start)
        .collect();
    let cands: Vec<&Match> = ms
        .iter()
        .filter(|mt| {
            !s[mt.s.start].stop
                && mt.s.clone().all(|k| left_s.contains(&k))
                && mt.d.clone().all(|k| left_d.contains(&k))
        })
        .collect();
    for mt in one_to_one(&cands) {
        for x in raw.iter_mut() {
            if (x.tag == OpTag::Delete && mt.s.contains(&x.s.start))
                || (x.tag == OpTag::Insert && mt.d.contains(&x.d.start))
            {
                x.moved = true;
                x.rel = Some(mt.rel);
                x.w = mt.w;
            }
        }
    }
    // Merge runs: equal with equal, unmatched deletions and insertions into replacements.
    let mut out: Vec<Step> = Vec::new();
    for x in raw {
        if let Some(last) = out.last_mut() {
            let plain = |y: &Step| !y.moved && matches!(y.tag, OpTag::Delete | OpTag::Insert);
            let contiguous = last.s.end == x.s.start && last.d.end == x.d.start;
            if contiguous && last.tag == OpTag::Equal && x.tag == OpTag::Equal {
                last.s.end = x.s.end;
                last.d.end = x.d.end;
                continue;
            }
            if contiguous
                && (plain(last) || (last.tag == OpTag::Replace && last.rel.is_none()))
                && plain(&x)
            {
                last.s.end = x.s.end;
                last.d.end = x.d.end;
                last.tag = if last.s.is_empty() {
                    OpTag::Insert
                } else if last.d.is_empty() {
                    OpTag::Delete
                } else {
                    OpTag::Replace
                };
                continue;
            }
        }
        out.push(x);
    }
    // Back to document coordinates.
    for x in &mut out {
        x.d = x.d.start + window.start..x.d.end + window.start;
    }
    out
}

#[derive(Clone, Copy, Debug)]
enum Choice {
    SkipS,
    SkipD,
    Take(usize),
}

fn step(tag: OpTag, s: Range<usize>, d: Range<usize>, rel: Option<Relation>) -> Step {
    Step {
        tag,
        s,
        d,
        rel,
        moved: false,
        w: 0.0,
    }
}

/// The status of an occurrence by the definitions of docs/definitions.md, statement as A and passage as B. Words
/// "inserted inside or around" for expanded (removed, for condensed) must include a content word:
/// a passage that only drops the statement's "for" is not condensed.
fn classify(
    s: &[Word],
    d: &[Word],
    window: &Range<usize>,
    steps: &[Step],
    t: &Thresholds,
) -> Status {
    // Function words added or dropped do not count (unless neither side has a content word); a word
    // moved out of order is not aligned (reordering rewords).
    let any = s.iter().any(|w| !w.stop) || window.clone().any(|k| !d[k].stop);
    let (cs, cd) = (|k: usize| !any || !s[k].stop, |k: usize| !any || !d[k].stop);
    let equal =
        |x: &Step| !x.moved && (x.tag == OpTag::Equal || x.rel.is_some_and(Relation::is_equal));
    let aligned_s: Vec<usize> = steps
        .iter()
        .filter(|x| equal(x))
        .flat_map(|x| x.s.clone())
        .collect();
    let aligned_d: Vec<usize> = steps
        .iter()
        .filter(|x| equal(x))
        .flat_map(|x| x.d.clone())
        .collect();
    // Two words written as one count as one word on the side that splits them, so that
    // "developthe ment" is as long as "development".
    let (mut extra_s, mut extra_d) = (0, 0);
    for x in steps.iter().filter(|x| x.rel == Some(Relation::Compound)) {
        let (ns, nd) = (
            x.s.clone().filter(|&k| cs(k)).count(),
            x.d.clone().filter(|&k| cd(k)).count(),
        );
        let common = ns.min(nd);
        extra_s += ns - common;
        extra_d += nd - common;
    }
    let n_s = (0..s.len()).filter(|&k| cs(k)).count();
    let n_d = window.clone().filter(|&k| cd(k)).count();
    let (la, lb) = ((n_s - extra_s).max(1) as f64, (n_d - extra_d).max(1) as f64);
    let al_s = aligned_s.iter().filter(|&&k| cs(k)).count();
    let al_d = aligned_d.iter().filter(|&&k| cd(k)).count();
    let (cov_a, cov_b) = (
        al_s.saturating_sub(extra_s) as f64 / la,
        al_d.saturating_sub(extra_d) as f64 / lb,
    );
    let (ratio, inverse) = (lb / la, la / lb);
    let found = |idx: &[usize], words: &[usize], stop: &dyn Fn(usize) -> bool| -> f64 {
        let content: Vec<usize> = words.iter().copied().filter(|&k| !stop(k)).collect();
        let base = if content.is_empty() {
            words.to_vec()
        } else {
            content
        };
        base.iter().filter(|k| idx.contains(k)).count() as f64 / base.len().max(1) as f64
    };
    let s_all: Vec<usize> = (0..s.len()).collect();
    let d_all: Vec<usize> = window.clone().collect();
    if cov_a >= t.repeated_min_aligned
        && cov_b >= t.repeated_min_aligned
        && ratio <= t.repeated_max_length_ratio
        && inverse <= t.repeated_max_length_ratio
    {
        Status::Repeated
    } else if ratio >= t.expanded_min_length_ratio
        && found(&aligned_s, &s_all, &|k| s[k].stop) >= t.expanded_min_found
        && d_all.iter().any(|k| !d[*k].stop && !aligned_d.contains(k))
    {
        Status::Expanded
    } else if inverse >= t.expanded_min_length_ratio
        && found(&aligned_d, &d_all, &|k| d[k].stop) >= t.expanded_min_found
        && s_all.iter().any(|k| !s[*k].stop && !aligned_s.contains(k))
    {
        Status::Condensed
    } else {
        Status::Reworded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relate::derivational_key;
    use crate::text::Vocabulary;
    use crate::track::synonyms::lexicon;

    /// Track `statement` in `doc`, with IDF taken from `doc` and `extra` sentences.
    fn run(statement: &str, doc: &str) -> Vec<Occurrence> {
        let mut v = Vocabulary::new();
        let lex = lexicon();
        let s = words(statement, &mut v, lex);
        let d = words(doc, &mut v, lex);
        let idf = Idf::new([d.as_slice()]);
        let s_idf = idf.statement_weights(&s, [d.as_slice()], lex);
        find(&s, &s_idf, &d, &idf, lex, &MatchParams::default())
    }

    fn text<'a>(doc: &'a str, o: &Occurrence) -> &'a str {
        &doc[o.span.clone()]
    }

    const FILLER: &str = "The weather was mild. Markets opened higher on Monday. \
        The committee met again in the spring. Several delegates spoke about the budget. ";

    #[test]
    fn a_verbatim_heading_is_repeated() {
        let doc = format!(
            "{FILLER}\nBuilding a sound order\n\nPromoting openness and cooperation. Text follows."
        );
        let o = run("Promotion of openness and cooperation", &doc);
        assert_eq!(o.len(), 1, "{o:?}");
        assert_eq!(text(&doc, &o[0]), "Promoting openness and cooperation");
        // A function word dropped and a derivation of the same root ("promotion" / "promoting") do
        // not reword: repeated by DESIGN.md's definition.
        assert_eq!(o[0].status, Status::Repeated);
        let o = run("Promoting openness and cooperation", &doc);
        assert_eq!(o[0].status, Status::Repeated);
    }

    #[test]
    fn a_short_span_inside_a_long_sentence_is_found() {
        let doc = format!(
            "{FILLER} In doing so, basic principles including respecting cyber sovereignty, safeguarding peace and security, and maintaining good order should be adhered to."
        );
        let o = run("Respect for cyber sovereignty", &doc);
        assert_eq!(text(&doc, &o[0]), "respecting cyber sovereignty");
        let o = run("Cultivation of good order", &doc);
        assert_eq!(text(&doc, &o[0]), "good order");
    }

    #[test]
    fn synonyms_derivation_reordering_and_compounds_reword() {
        let doc = format!("{FILLER} We will help build the database and keep data security high.");
        let o = run("assistance in the construction of a data base", &doc);
        assert_eq!(o.len(), 1, "{o:?}");
        assert_eq!(text(&doc, &o[0]), "help build the database");
        assert_eq!(o[0].status, Status::Reworded);
        let rels: Vec<Relation> = o[0].steps.iter().filter_map(|x| x.rel).collect();
        assert!(
            rels.contains(&Relation::Synonym) && rels.contains(&Relation::Compound),
            "{rels:?}"
        );
        let o = run("the security of data", &doc);
        assert_eq!(text(&doc, &o[0]), "data security");
        assert!(o[0].steps.iter().any(|x| x.moved), "{:?}", o[0].steps);
    }

    #[test]
    fn ocr_joins_and_splits_still_match() {
        let doc = format!(
            "{FILLER} so that we can jointly advance developthe ment and safeguard security."
        );
        let o = run("jointly advance development", &doc);
        assert_eq!(o[0].status, Status::Repeated, "{:?}", o[0].steps);
    }

    #[test]
    fn one_shared_word_is_absent() {
        let doc = format!(
            "{FILLER} Cooperation among the delegates improved. Development and security were discussed."
        );
        assert!(run("Promotion of openness and cooperation", &doc).is_empty());
        assert!(
            run(
                "Maintaining cyber security and promoting orderly development",
                &doc
            )
            .is_empty()
        );
        // A rare word alone is not enough either.
        assert!(
            run(
                "sovereignty of the budget committee",
                "Sovereignty matters."
            )
            .is_empty()
        );
    }

    #[test]
    fn an_inserted_clause_makes_it_expanded_and_every_occurrence_is_listed() {
        let doc = format!(
            "{FILLER} We will speed up the building of global internet, telecom and satellite network infrastructure \
            and promote connectivity among developing countries. Later we again speed up building \
            of global infrastructure and promote connectivity among developing countries."
        );
        let o = run(
            "speed up the building of global infrastructure and promote connectivity among developing countries",
            &doc,
        );
        assert_eq!(o.len(), 2, "{o:?}");
        assert_eq!(
            text(&doc, &o[0]),
            "speed up building of global infrastructure and promote connectivity among developing countries"
        );
        assert_eq!(o[0].status, Status::Repeated);
        assert_eq!(o[1].status, Status::Expanded);
        assert!(
            text(&doc, &o[1]).contains("internet, telecom and satellite network infrastructure")
        );
    }

    #[test]
    fn derivational_key_strips_one_suffix() {
        assert_eq!(
            derivational_key(&stem_of("cultivation")),
            derivational_key(&stem_of("cultivate"))
        );
        assert_eq!(derivational_key(&stem_of("development")), "develop");
        assert_eq!(derivational_key("cooper"), "cooper");
    }

    #[test]
    fn cjk_statements_match_on_characters() {
        let o = run("尊重网络主权", "我们应当尊重网络主权。天气很好。");
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].status, Status::Repeated);
    }
}
