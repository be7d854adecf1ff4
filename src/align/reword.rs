//! The reworded tier: passages whose words were changed too much for exact seeds.
//!
//! Takes the two sequences and the passages the exact aligner found, and gives passages made of *soft*
//! word matches ([`crate::relate`]: equal stem, derivation, WordNet synonym, compound, near-equal
//! letters) where the exact aligner found none, each with its [`Evidence`]. The method (the shape of
//! the PAN text-alignment winners, TRACER and soft cosine):
//!
//! 1. **Units.** Each text is cut into sentences (`.`, `!`, `?`, `;` or a line break), a sentence
//!    longer than [`MAX_UNIT`] words into pieces of that length. Content words (not function words,
//!    not characters of unspaced scripts, not inside a passage already found) weigh their IDF over the
//!    units of both texts ([`crate::relate::idf`]).
//! 2. **Candidates through an index.** Every content word type gets its *concepts*: its derivational
//!    key, its WordNet lemmas and their derivation partners, and the synonym groups of those. B's
//!    types are indexed by concept, so each A type finds the B types it may relate to without comparing
//!    all pairs. Rare words are *anchors*: a type found in more than [`ANCHOR_MAX_SHARE`] of the units
//!    (or more than [`MAX_POSTINGS`] times in B) is not. A unit pair is a candidate when at least two
//!    distinct anchor types of the A unit meet the B unit (BLAST's two-hit rule).
//! 3. **Verify.** In a candidate pair every content word of one side is related to every content word
//!    of the other ([`crate::relate::relate`], compounds across two words), matches are taken one to one
//!    (greedy by weight × IDF) and grouped when they lie within [`LINK_GAP`] words of each other on
//!    both sides, in any order (but more than half of a group's matches must keep their order on both
//!    sides: a clause moved as a block leaves the rest in order).
//! 4. **Two-sided test.** A group is a passage when it has at least [`MIN_PAIRS`] one-to-one content
//!    matches and its IDF-weighted matched share of the content words between its first and last match
//!    is at least [`MIN_COVERAGE`] on *each* side (so two rare words shared by a long and a short
//!    sentence are not a passage). A group of fewer than [`LONG_PAIRS`] matches needs support: another
//!    passage (exact, or of this tier with [`LONG_PAIRS`] matches) within [`SUPPORT_DISTANCE`] words on
//!    both sides. Overlapping groups keep the heaviest.
//!
//! Set-up per document: steps 1 and 2 need each text's word types, units, capitals and concepts,
//! which do not depend on the other text ([`DocWords`]). A pair joins two of them: B's types are
//! matched to A's by a merge of their lists sorted by vocabulary id (a type both hold is A's word, as
//! it was when both texts were analysed together), and B's types related to each A type by a merge
//! of the two concept lists. `scan` and `check` keep the documents of the pairs they are aligning
//! ([`Seq::tier`]), so a document is analysed once for many pairs.
//!
//! The constants were chosen on the KJV ~ WEB Bible pair, the KJV against Young's Literal and Darby
//! translations, the PAN 2013 pairs and negative controls (`docs/reworded.md` gives the ablation);
//! nothing here knows any particular corpus.
//!
//! Guarantees: deterministic (parallel steps collect in input order, ties broken by position); the
//! cost grows with the words and the candidate pairs the index gives, never with all pairs of units;
//! the passages returned overlap neither each other nor the passages given.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::{Kind, Op, OpTag, Passage, Seq};
use crate::relate::synonyms::{LemmaId, Lexicon, lexicon};
use crate::relate::{self, Relation, Word};
use crate::text::lowercase_is_normal;

/// Longest unit, in words: longer sentences (or unpunctuated text) are cut into pieces.
pub const MAX_UNIT: usize = 60;
/// A word type found in more than this share of the units (or more than [`MAX_POSTINGS`] units) is
/// not an anchor (it still matches).
pub const ANCHOR_MAX_SHARE: f64 = 0.1;
/// A type found in at most this many units is an anchor whatever the share (small documents).
pub const ANCHOR_MIN_UNITS: usize = 4;
/// A unit pair is a candidate when this many distinct anchor types of the A unit meet the B unit.
pub const MIN_ANCHORS: usize = 3;
/// A unit with at most this many content words (a heading, a clause of a list, a short verse) is a
/// candidate with one anchor fewer: in a text on one subject its words are the subject's own, most
/// of them too common there to be anchors. Chosen on the Bible and PAN (docs/reworded.md).
pub const SHORT_UNIT: usize = 5;
/// A B type with more occurrences than this is not an anchor.
pub const MAX_POSTINGS: usize = 32;
/// Matches within this many words of each other on both sides belong to one group.
pub const LINK_GAP: usize = 8;
/// Smallest number of one-to-one content matches of a passage.
pub const MIN_PAIRS: usize = 3;
/// A passage with fewer matches than this needs another passage nearby.
pub const LONG_PAIRS: usize = 4;
/// Smallest IDF-weighted share of each side's content words (first to last match) that is matched.
pub const MIN_COVERAGE: f64 = 0.5;
/// Largest log10 of the number of unit pairs expected to hold a group's matches by chance.
pub const MAX_LOG_EXPECTED: f64 = 0.0;
/// How near, in words on both sides, a supporting passage must be.
pub const SUPPORT_DISTANCE: usize = 80;

/// Which rule accepted a passage of the tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// [`LONG_PAIRS`] or more matches, both coverages met.
    TwoSided,
    /// Fewer matches, both coverages met, and another passage nearby on both sides.
    Supported,
}

impl Rule {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Rule::TwoSided => "two_sided",
            Rule::Supported => "supported",
        }
    }
}

/// Two matched words (or a word and a compound written as two).
#[derive(Clone, Debug, PartialEq)]
pub struct WordPair {
    pub a: Range<usize>,
    pub b: Range<usize>,
    pub relation: Relation,
    /// The relation's weight times the mean IDF of the two words.
    pub weight: f64,
}

/// Why the tier reported a passage.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    pub rule: Rule,
    /// The one-to-one content matches, in A order.
    pub pairs: Vec<WordPair>,
    /// IDF-weighted share of A's content words in the passage that are matched.
    pub coverage_a: f64,
    /// The same for B.
    pub coverage_b: f64,
    /// Sum of the pairs' weights.
    pub weight: f64,
    /// Pairs on the longest chain in the same order on both sides.
    pub in_order: usize,
    /// log10 of the number of unit pairs expected to hold such matches by chance.
    pub log_expected: f64,
}

impl Evidence {
    /// Exchange the roles of A and B.
    pub fn swap_sides(&mut self) {
        std::mem::swap(&mut self.coverage_a, &mut self.coverage_b);
        for p in &mut self.pairs {
            std::mem::swap(&mut p.a, &mut p.b);
        }
        self.pairs.sort_by_key(|p| (p.a.start, p.b.start));
    }
}

const NONE: u32 = u32::MAX;

/// The content word types of a pair: A's types, then B's that A lacks, joined by vocabulary id. The
/// types' words and letters, which only the verification reads, are gathered when the pair has
/// candidates ([`Types::fill`]): most pairs of a scan have none.
struct Types<'d> {
    /// Types of the pair: A's, then B's that A lacks.
    len: usize,
    /// Per type, once filled: its word (A's for a type both hold) and [`letter_key`] of its normal
    /// form.
    words: Vec<&'d Word>,
    letters: Vec<u32>,
    /// Per token of A / B: its type, or NONE for function words and CJK characters.
    la: &'d [u32],
    /// B's, once filled.
    lb: Vec<u32>,
    /// B's types as the pair's.
    b_types: Vec<u32>,
    /// Per type of the pair: B's type, or NONE.
    b_local: Vec<u32>,
    /// Per type of A: B holds it too.
    shared: Vec<bool>,
}

impl<'d> Types<'d> {
    fn join(da: &'d DocWords, db: &'d DocWords) -> Self {
        // B's type -> the pair's: A's type of the same id, else a new one.
        let mut map_b = vec![NONE; db.words.len()];
        let mut shared = vec![false; da.words.len()];
        let (mut i, mut j) = (0, 0);
        while i < da.by_id.len() && j < db.by_id.len() {
            match da.by_id[i].0.cmp(&db.by_id[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    map_b[db.by_id[j].1 as usize] = da.by_id[i].1;
                    shared[da.by_id[i].1 as usize] = true;
                    i += 1;
                    j += 1;
                }
            }
        }
        // A type both hold is A's word, with A's letters (and A's concepts in the join).
        let mut len = da.words.len();
        for m in map_b.iter_mut() {
            if *m == NONE {
                *m = len as u32;
                len += 1;
            }
        }
        let mut b_local = vec![NONE; len];
        for (tb, &t) in map_b.iter().enumerate() {
            b_local[t as usize] = tb as u32;
        }
        Types {
            len,
            words: Vec::new(),
            letters: Vec::new(),
            la: &da.of,
            lb: Vec::new(),
            b_types: map_b,
            b_local,
            shared,
        }
    }

    /// Gather what the verification reads: each type's word and letters, and B's per-token types.
    fn fill(&mut self, da: &'d DocWords, db: &'d DocWords) {
        // A's types, then B's that A lacks (in B's view at `b_local`).
        let na = da.words.len();
        let (mut words, mut letters) = (Vec::with_capacity(self.len), Vec::with_capacity(self.len));
        for t in 0..self.len {
            let (d, k) = if t < na {
                (da, t)
            } else {
                (db, self.b_local[t] as usize)
            };
            words.push(&d.word(k).word);
            letters.push(d.letters[k]);
        }
        (self.words, self.letters) = (words, letters);
        let map_b = &self.b_types;
        self.lb = db
            .of
            .iter()
            .map(|&t| if t == NONE { NONE } else { map_b[t as usize] })
            .collect();
    }
}

/// A content word type: its [`Word`] (span left empty: the tier compares forms) and [`concepts`].
#[derive(Debug)]
struct Analysis {
    word: Word,
    concepts: Vec<u64>,
}

/// Word types analysed so far, keyed by the word as written (its normal form and stem follow from
/// it): `scan` meets the same words in every pair, and the lemma look-ups and concepts are most of
/// the tier's set-up.
const MAX_ANALYSES: usize = 1 << 18;

type Memo = FxHashMap<Box<str>, Arc<Analysis>>;

thread_local! {
    static ANALYSES: RefCell<Memo> = RefCell::default();
}

/// The analyses of one vocabulary's content word types, each made the first time a view needs it
/// and shared by every view of that vocabulary ([`DocWords`]): a view finds its types' analyses by
/// vocabulary id, with no hashing of the words, and reads what it copies (letters, concepts) from one
/// array (the look-up by spelling, `word_of`, and the reads scattered over the analyses were about a
/// sixth of the Zipf corpus's scan). An id has two slots, one a normal form of its stem
/// ("promote", "promotion") in the order views meet them; a view whose token has yet another keeps
/// its own analysis. The analysis is a function of the normal form, so which view fills a slot first
/// changes nothing. Some [`MAX_SHARED`] slots at most are filled (a corpus of millions of distinct words
/// keeps the rest in each view, from the bounded memo).
#[derive(Debug)]
pub struct Analyses {
    slots: Vec<OnceLock<TypeInfo>>,
    /// Slots filled so far, and at most.
    filled: AtomicUsize,
    cap: usize,
    /// Per id: every spelling of the vocabulary's with this id has one normal form, so a filled
    /// slot is the analysis of any token of it (else each token's form is checked).
    one_norm: Vec<bool>,
}

/// A filled slot of [`Analyses`]: the analysis, and what every view copies of it, in the slot: the
/// concepts of most words fit in it, read with the slot rather than from elsewhere.
#[derive(Debug)]
struct TypeInfo {
    letters: u32,
    /// Concepts of the word (held in `inline` when they fit).
    n_concepts: u8,
    /// The normal form's length, and its bytes when it has at most [`INLINE_NORM`]: a token's form
    /// is checked against the slot without reading the analysis.
    norm_len: u8,
    norm: [u8; INLINE_NORM],
    inline: [u64; INLINE_CONCEPTS],
    analysis: Arc<Analysis>,
}

/// Normal forms of one vocabulary id with a slot each in [`Analyses`] (a stem's first two met:
/// "promote", "promotion"); a view's word of another keeps its own analysis.
const VARIANTS: usize = 2;

/// Bytes of a normal form a [`TypeInfo`] holds in itself.
const INLINE_NORM: usize = 16;

/// Concepts a [`TypeInfo`] holds in itself; a word with more has them read from its analysis.
const INLINE_CONCEPTS: usize = 3;

/// Slots of [`Analyses`] filled at most (about 100 MB of analyses), as the memo of each thread.
pub const MAX_SHARED: usize = MAX_ANALYSES;

impl TypeInfo {
    fn new(analysis: Arc<Analysis>) -> Self {
        let cs = &analysis.concepts;
        let mut inline = [0; INLINE_CONCEPTS];
        if cs.len() <= INLINE_CONCEPTS {
            inline[..cs.len()].copy_from_slice(cs);
        }
        let n = analysis.word.norm.as_bytes();
        let mut norm = [0; INLINE_NORM];
        if n.len() <= INLINE_NORM {
            norm[..n.len()].copy_from_slice(n);
        }
        TypeInfo {
            letters: letter_key(&analysis.word.norm),
            n_concepts: cs.len().min(u8::MAX as usize) as u8,
            inline,
            norm,
            norm_len: n.len().min(u8::MAX as usize) as u8,
            analysis,
        }
    }

    /// Whether `raw` normalises to this slot's normal form ([`same_norm`]), read from the slot when
    /// the word is in ASCII without an apostrophe and the form short.
    fn has_norm_of(&self, raw: &str) -> bool {
        let len = self.norm_len as usize;
        if len <= INLINE_NORM && lowercase_is_normal(raw) {
            return raw.len() == len && self.norm[..len].eq_ignore_ascii_case(raw.as_bytes());
        }
        same_norm(&self.analysis.word.norm, raw)
    }

    fn concepts(&self) -> &[u64] {
        match self.inline.get(..self.n_concepts as usize) {
            Some(cs) => cs,
            None => &self.analysis.concepts,
        }
    }
}

impl Analyses {
    /// Slots for the ids of a vocabulary; `one_norm[id]` when every spelling of `id` has one normal
    /// form (an id past its end is not known to).
    pub fn new(types: usize, one_norm: Vec<bool>) -> Self {
        Analyses {
            slots: (0..types * VARIANTS).map(|_| OnceLock::new()).collect(),
            filled: AtomicUsize::new(0),
            cap: MAX_SHARED,
            one_norm,
        }
    }

    /// The analysis of content token `i` of `s`: the vocabulary's ([`TypeWord::Shared`], its slot)
    /// when one of the id's slots has the token's normal form or is free, else the token's own.
    fn of_token(&self, s: &Seq, text: &str, i: usize, lex: &Lexicon) -> TypeWord {
        let id = s.ids[i] as usize;
        let types = self.slots.len() / VARIANTS;
        if id >= types || self.slots.len() > OWN as usize {
            return TypeWord::Own(word_of(s, text, i, lex));
        }
        let raw = &text[s.tokens[i].span()];
        let one = self.one_norm.get(id) == Some(&true);
        // An id's slots are `types` apart: the first slots of all ids, which most types use, are
        // together.
        for k in (0..VARIANTS).map(|v| v * types + id) {
            let slot = &self.slots[k];
            if let Some(kept) = slot.get() {
                if (one && k == id) || kept.has_norm_of(raw) {
                    return TypeWord::Shared(k as u32);
                }
                continue;
            }
            // The id's first free slot: this form's (unless another view filled it meanwhile).
            let a = word_of(s, text, i, lex);
            if self.filled.load(Relaxed) >= self.cap {
                return TypeWord::Own(a);
            }
            let kept = &slot
                .get_or_init(|| {
                    self.filled.fetch_add(1, Relaxed);
                    TypeInfo::new(a.clone())
                })
                .analysis;
            return if Arc::ptr_eq(kept, &a) || kept.word.norm == a.word.norm {
                TypeWord::Shared(k as u32)
            } else {
                TypeWord::Own(a)
            };
        }
        TypeWord::Own(word_of(s, text, i, lex))
    }

    /// Slot `k`, filled.
    fn get(&self, k: u32) -> &TypeInfo {
        self.slots[k as usize]
            .get()
            .expect("a view's shared types are filled")
    }
}

/// Where a view finds a type's analysis.
enum TypeWord {
    /// In the vocabulary's [`Analyses`], at this slot.
    Shared(u32),
    /// Its own.
    Own(Arc<Analysis>),
}

/// Marks a view's own analysis in [`DocWords::words`] (below it, a slot of [`Analyses`]).
const OWN: u32 = 1 << 31;

/// Whether `raw` normalises to `norm` ([`crate::text::normalize`]). A word in ASCII without an
/// apostrophe (nearly every one) normalises to itself in lower case: compared in place.
fn same_norm(norm: &str, raw: &str) -> bool {
    if lowercase_is_normal(raw) {
        norm.len() == raw.len() && norm.eq_ignore_ascii_case(raw)
    } else {
        crate::text::normalize(raw) == norm
    }
}

/// The [`Analysis`] of content token `i` of `s`.
fn word_of(s: &Seq, text: &str, i: usize, lex: &Lexicon) -> Arc<Analysis> {
    let t = &s.tokens[i];
    let raw = &text[t.span()];
    let stem = &s.vocab.entry(t.id).form;
    ANALYSES.with_borrow_mut(|memo| {
        if let Some(a) = memo.get(raw) {
            return a.clone();
        }
        let norm = crate::text::normalize(raw);
        let deriv = relate::derivational_key(stem);
        let lemmas = lex.lemmas(&norm);
        let concepts = concepts(&deriv, &lemmas, lex);
        let a = Arc::new(Analysis {
            word: Word {
                start: 0,
                end: 0,
                deriv,
                lemmas,
                stop: false,
                norm,
                stem: stem.to_string(),
                sentence: 0,
            },
            concepts,
        });
        if memo.len() >= MAX_ANALYSES {
            memo.clear();
        }
        memo.insert(raw.into(), a.clone());
        a
    })
}

/// The concepts of a word: keys two related words are likely to share (derivational key, lemmas and
/// their derivation partners, synonym groups), tagged by kind in the top bits.
fn concepts(deriv: &str, word_lemmas: &[LemmaId], lex: &Lexicon) -> Vec<u64> {
    let h = |tag: u64, s: &str| (tag << 60) | (xxhash_rust::xxh3::xxh3_64(s.as_bytes()) >> 4);
    let mut out = vec![h(1, deriv)];
    let mut lemmas: Vec<LemmaId> = word_lemmas.to_vec();
    for &l in word_lemmas {
        lemmas.extend_from_slice(lex.partners(l));
    }
    for l in lemmas {
        out.push((2 << 60) | l as u64);
        out.extend(lex.groups(l).iter().map(|&g| (3 << 60) | g as u64));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Units (sentences, long ones cut) of a sequence: each token's unit and each unit's token range.
fn units(s: &Seq, text: &str) -> (Vec<u32>, Vec<Range<usize>>) {
    let mut of = Vec::with_capacity(s.len());
    let mut ranges: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    for i in 0..s.len() {
        if i > start {
            let gap = &text[s.tokens[i - 1].end as usize..s.tokens[i].start as usize];
            if i - start >= MAX_UNIT
                || gap.contains(['\n', '.', '!', '?', ';', '。', '！', '？', '；'])
            {
                ranges.push(start..i);
                start = i;
            }
        }
        of.push(ranges.len() as u32);
    }
    if start < s.len() {
        ranges.push(start..s.len());
    }
    (of, ranges)
}

/// The reworded tier's view of one document, whatever it is compared with: its content word types,
/// units, capitals and concept index. `scan` meets a document in many pairs (a Bible chapter in ~28
/// aligned pairs, a document of the overlap corpus in ~700) and keeps this for the documents it is
/// aligning ([`Seq::tier`]); a pair then only joins two of them. Two views join only when their
/// sequences share one vocabulary (the types are matched by vocabulary id).
#[derive(Debug)]
pub struct DocWords {
    /// Content word types in order of first occurrence: a slot of `table`, or `OWN` and an index in
    /// `own` ([`Analyses`]).
    words: Vec<u32>,
    table: Arc<Analyses>,
    own: Vec<Arc<Analysis>>,
    /// Per token: its type, or NONE for function words and CJK characters.
    of: Vec<u32>,
    /// `(vocabulary id, type)`, sorted: joins two documents' types without hashing.
    by_id: Vec<(u32, u32)>,
    /// Per token: its unit; and each unit's token range ([`units`]).
    unit_of: Vec<u32>,
    units: Vec<Range<usize>>,
    /// Per unit: at most [`SHORT_UNIT`] content words.
    short: Vec<bool>,
    /// Per type: the units holding it.
    df: Vec<u32>,
    /// Per token: written with a capital or a digit first.
    caps: Vec<bool>,
    /// Per type: [`letter_key`] of its normalised form.
    letters: Vec<u32>,
    /// `(concept, type)` of every type, sorted by concept.
    concepts: Vec<(u64, u32)>,
    /// Per type: its tokens, `post[post_start[t]..post_start[t + 1]]`, in order.
    post_start: Vec<u32>,
    post: Vec<u32>,
}

impl DocWords {
    /// The view of `s` (text `text`), its types' analyses kept in `table` (of `s`'s vocabulary).
    pub fn new(s: &Seq, text: &str, table: &Arc<Analyses>) -> Self {
        let lex = lexicon();
        let mut local: FxHashMap<u32, u32> = FxHashMap::default();
        let mut first: Vec<usize> = Vec::new();
        let of: Vec<u32> = (0..s.len())
            .map(|i| {
                if s.stop[i] || s.cjk[i] {
                    return NONE;
                }
                *local.entry(s.ids[i]).or_insert_with(|| {
                    first.push(i);
                    (first.len() - 1) as u32
                })
            })
            .collect();
        // In parallel for a long text (`compare`); `scan` runs its pairs in parallel already.
        let resolved: Vec<TypeWord> = if first.len() >= 1 << 12 {
            first
                .par_iter()
                .map(|&i| table.of_token(s, text, i, lex))
                .collect()
        } else {
            first
                .iter()
                .map(|&i| table.of_token(s, text, i, lex))
                .collect()
        };
        let mut own = Vec::new();
        let words: Vec<u32> = resolved
            .into_iter()
            .map(|w| match w {
                TypeWord::Shared(id) => id,
                TypeWord::Own(a) => {
                    own.push(a);
                    OWN | (own.len() - 1) as u32
                }
            })
            .collect();
        let table = table.clone();
        let mut by_id: Vec<(u32, u32)> = first
            .iter()
            .enumerate()
            .map(|(t, &i)| (s.ids[i], t as u32))
            .collect();
        by_id.sort_unstable_by_key(|x| x.0);
        let (unit_of, units) = units(s, text);
        let short = units
            .iter()
            .map(|r| of[r.clone()].iter().filter(|&&t| t != NONE).count() <= SHORT_UNIT)
            .collect();
        let mut df = vec![0u32; words.len()];
        let mut last = vec![u32::MAX; words.len()];
        for (i, &t) in of.iter().enumerate() {
            if t != NONE && last[t as usize] != unit_of[i] {
                last[t as usize] = unit_of[i];
                df[t as usize] += 1;
            }
        }
        let caps = s
            .tokens
            .iter()
            .map(|t| {
                text[t.start as usize..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
            })
            .collect();
        let mut letters = Vec::with_capacity(words.len());
        let mut concepts: Vec<(u64, u32)> = Vec::with_capacity(4 * words.len());
        for (t, &w) in words.iter().enumerate() {
            let (key, cs) = if w & OWN == 0 {
                let info = table.get(w);
                (info.letters, info.concepts())
            } else {
                let a = &own[(w & !OWN) as usize];
                (letter_key(&a.word.norm), &a.concepts[..])
            };
            letters.push(key);
            concepts.extend(cs.iter().map(|&c| (c, t as u32)));
        }
        // By concept only: the join takes a concept's types in any order.
        concepts.sort_unstable_by_key(|x| x.0);
        let mut post_start = vec![0u32; words.len() + 1];
        for &t in of.iter().filter(|&&t| t != NONE) {
            post_start[t as usize + 1] += 1;
        }
        for t in 0..words.len() {
            post_start[t + 1] += post_start[t];
        }
        let mut post = vec![0u32; post_start[words.len()] as usize];
        let mut fill = post_start.clone();
        for (i, &t) in of.iter().enumerate().filter(|x| *x.1 != NONE) {
            post[fill[t as usize] as usize] = i as u32;
            fill[t as usize] += 1;
        }
        DocWords {
            post_start,
            post,
            words,
            table,
            own,
            of,
            by_id,
            unit_of,
            units,
            short,
            df,
            caps,
            letters,
            concepts,
        }
    }

    /// The analysis of type `t`.
    fn word(&self, t: usize) -> &Analysis {
        let w = self.words[t];
        if w & OWN == 0 {
            &self.table.get(w).analysis
        } else {
            &self.own[(w & !OWN) as usize]
        }
    }

    /// The tokens of type `t`, in order.
    fn tokens_of(&self, t: u32) -> &[u32] {
        &self.post[self.post_start[t as usize] as usize..self.post_start[t as usize + 1] as usize]
    }

    /// Tokens of the document: what a cache of these bounds.
    pub fn len(&self) -> usize {
        self.of.len()
    }

    /// No tokens.
    pub fn is_empty(&self) -> bool {
        self.of.is_empty()
    }
}

/// One group of matches that passed the two-sided test.
#[derive(Clone, Debug)]
struct Found {
    a: Range<usize>,
    b: Range<usize>,
    pairs: Vec<WordPair>,
    coverage_a: f64,
    coverage_b: f64,
    weight: f64,
    in_order: usize,
    log_expected: f64,
}

/// The passages of the tier between `a` and `b`, given the passages already found (`known`).
pub fn passages(a: &Seq, text_a: &str, b: &Seq, text_b: &str, known: &[Passage]) -> Vec<Passage> {
    // In parallel for long texts (`compare`); `scan` aligns its pairs in parallel already, and
    // splitting a short pair's work costs more than it gives.
    let parallel = a.len() + b.len() >= PARALLEL_TOKENS;
    passages_in(a, text_a, b, text_b, known, parallel)
}

/// Tokens of a pair from which the tier's candidates and verification run in parallel.
const PARALLEL_TOKENS: usize = 1 << 14;

/// [`passages`], its steps run in parallel or not: the same passages.
fn passages_in(
    a: &Seq,
    text_a: &str,
    b: &Seq,
    text_b: &str,
    known: &[Passage],
    parallel: bool,
) -> Vec<Passage> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let lex = lexicon();
    let types = if a.tier.is_some() && b.tier.is_some() {
        0
    } else {
        a.vocab.len()
    };
    let table = Arc::new(Analyses::new(types, Vec::new()));
    let build = |s: &Seq, text: &str| s.tier.is_none().then(|| DocWords::new(s, text, &table));
    let (own_a, own_b) = rayon::join(|| build(a, text_a), || build(b, text_b));
    let da = own_a
        .as_ref()
        .or(a.tier.as_deref())
        .expect("given or built");
    let db = own_b
        .as_ref()
        .or(b.tier.as_deref())
        .expect("given or built");
    let mut types = Types::join(da, db);
    let nt = types.len;
    if nt == 0 {
        return Vec::new();
    }
    let units_a = &da.units;
    let (unit_b, units_b) = (&db.unit_of, &db.units);
    let mut mask_a = vec![false; a.len()];
    let mut mask_b = vec![false; b.len()];
    for p in known {
        mask_a[p.a.clone()].iter_mut().for_each(|m| *m = true);
        mask_b[p.b.clone()].iter_mut().for_each(|m| *m = true);
    }

    // IDF over the units of both texts; the same per side, for the chance expectation of a group.
    let n_units = units_a.len() + units_b.len();
    let mut df_side = [vec![0u32; nt], vec![0u32; nt]];
    df_side[0][..da.df.len()].copy_from_slice(&da.df);
    for (&t, &d) in types.b_types.iter().zip(&db.df) {
        df_side[1][t as usize] = d;
    }
    let df: Vec<u32> = df_side[0]
        .iter()
        .zip(&df_side[1])
        .map(|(x, y)| x + y)
        .collect();
    let max_df = ((ANCHOR_MAX_SHARE * n_units as f64) as u32)
        .clamp(ANCHOR_MIN_UNITS as u32, MAX_POSTINGS as u32);

    // A type's unmasked tokens in B (its postings), and whether A has one: from each document's
    // postings, filtered by the pair's masks, rather than from passes over the tokens.
    let of_b = |t: u32| match types.b_local[t as usize] {
        NONE => &[][..],
        l => db.tokens_of(l),
    };
    let postings = |t: u32| of_b(t).iter().copied().filter(|&j| !mask_b[j as usize]);
    let anchor_b = |t: u32| {
        df[t as usize] <= max_df
            && (of_b(t).len() <= MAX_POSTINGS || postings(t).nth(MAX_POSTINGS).is_none())
    };
    let in_a = |t: u32| da.tokens_of(t).iter().any(|&i| !mask_a[i as usize]);
    // Per type of A, the sorted types of B that share a concept with it (CSR): the two documents'
    // concept lists joined. A type both documents hold is A's word (as in [`Types::words`]), so its
    // concepts are A's. The index relates all types (the verification uses it); only anchors make
    // candidates.
    let (b_types, shared) = (&types.b_types, &types.shared);
    let na = da.words.len();
    let mut links: Vec<(u32, u32)> = Vec::new();
    let mut with: Vec<u32> = Vec::new();
    let (ca, cb) = (&da.concepts, &db.concepts);
    let (mut i, mut j) = (0, 0);
    while i < ca.len() {
        let c = ca[i].0;
        let ie = i + ca[i..].iter().take_while(|x| x.0 == c).count();
        j += cb[j..].iter().take_while(|x| x.0 < c).count();
        let je = j + cb[j..].iter().take_while(|x| x.0 == c).count();
        with.clear();
        with.extend(
            cb[j..je]
                .iter()
                .map(|x| b_types[x.1 as usize])
                .filter(|&tb| tb as usize >= na)
                .chain(
                    ca[i..ie]
                        .iter()
                        .map(|x| x.1)
                        .filter(|&t| shared[t as usize]),
                )
                .filter(|&tb| postings(tb).next().is_some()),
        );
        // A concept shared by very many types (a large synonym group) links nothing useful.
        if !with.is_empty() && with.len() <= 64 {
            for &(_, ta) in ca[i..ie].iter().filter(|x| in_a(x.1)) {
                links.extend(with.iter().map(|&tb| (ta, tb)));
            }
        }
        (i, j) = (ie, je);
    }
    links.sort_unstable();
    links.dedup();
    let mut related = Related {
        start: vec![0; nt + 1],
        to: links.iter().map(|x| x.1).collect(),
    };
    for &(ta, _) in &links {
        related.start[ta as usize + 1] += 1;
    }
    for t in 0..nt {
        related.start[t + 1] += related.start[t];
    }
    let anchor_a = |t: u32| df[t as usize] <= max_df;

    // Candidate unit pairs: two distinct anchor types of the A unit meet the B unit.
    // The candidates of A unit `ua` into `out`; `hits` is scratch space.
    let candidates_of = |ua: usize, hits: &mut Vec<(u32, u32)>, out: &mut Vec<(usize, usize)>| {
        hits.clear();
        for i in units_a[ua].clone() {
            let t = types.la[i];
            if t == NONE || mask_a[i] || !anchor_a(t) {
                continue;
            }
            for &tb in related.of(t).iter().filter(|&&tb| anchor_b(tb)) {
                hits.extend(postings(tb).map(|j| (unit_b[j as usize], t)));
            }
        }
        hits.sort_unstable();
        hits.dedup();
        let short_a = da.short[ua];
        for g in hits.chunk_by(|x, y| x.0 == y.0) {
            let need = if short_a || db.short[g[0].0 as usize] {
                MIN_ANCHORS - 1
            } else {
                MIN_ANCHORS
            };
            if g.len() >= need {
                out.push((ua, g[0].0 as usize));
            }
        }
    };
    let candidates: Vec<(usize, usize)> = if parallel {
        (0..units_a.len())
            .into_par_iter()
            .map_init(Vec::new, |hits, ua| {
                let mut out = Vec::new();
                candidates_of(ua, hits, &mut out);
                out
            })
            .flatten_iter()
            .collect()
    } else {
        let (mut hits, mut out) = (Vec::new(), Vec::new());
        for ua in 0..units_a.len() {
            candidates_of(ua, &mut hits, &mut out);
        }
        out
    };

    // Verify each candidate pair.
    if candidates.is_empty() {
        return Vec::new();
    }
    types.fill(da, db);
    let ctx = Ctx {
        caps_a: &da.caps,
        caps_b: &db.caps,
        df_side: &df_side,
        units: (units_a.len(), units_b.len()),
        types: &types,
        df: &df,
        n_units: n_units as f64,
        mask_a: &mask_a,
        mask_b: &mask_b,
        related: &related,
        lex,
    };
    let verify = |cache: &mut RelCache, &(ua, ub): &(usize, usize)| {
        ctx.verify(units_a[ua].clone(), units_b[ub].clone(), cache)
    };
    let mut found: Vec<Found> = if parallel {
        candidates
            .par_iter()
            .map_init(FxHashMap::default, verify)
            .flatten_iter()
            .collect()
    } else {
        let mut cache = RelCache::default();
        candidates
            .iter()
            .flat_map(|c| verify(&mut cache, c))
            .collect()
    };
    found.sort_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then(x.a.start.cmp(&y.a.start))
            .then(x.b.start.cmp(&y.b.start))
    });

    // Long groups first, then short ones with support.
    let mut taken: Vec<(Range<usize>, Range<usize>, Rule)> = Vec::new();
    let clash = |taken: &[(Range<usize>, Range<usize>, Rule)], f: &Found| {
        taken
            .iter()
            .any(|(x, y, _)| overlaps(x, &f.a) || overlaps(y, &f.b))
    };
    for f in found.iter().filter(|f| f.pairs.len() >= LONG_PAIRS) {
        if !clash(&taken, f) {
            taken.push((f.a.clone(), f.b.clone(), Rule::TwoSided));
        }
    }
    let strong: Vec<(Range<usize>, Range<usize>)> = known
        .iter()
        .map(|p| (p.a.clone(), p.b.clone()))
        .chain(taken.iter().map(|(x, y, _)| (x.clone(), y.clone())))
        .collect();
    for f in found.iter().filter(|f| f.pairs.len() < LONG_PAIRS) {
        let supported = strong.iter().any(|(x, y)| {
            distance(x, &f.a) <= SUPPORT_DISTANCE && distance(y, &f.b) <= SUPPORT_DISTANCE
        });
        if supported && !clash(&taken, f) {
            taken.push((f.a.clone(), f.b.clone(), Rule::Supported));
        }
    }
    let mut out: Vec<Passage> = Vec::new();
    for f in found {
        let Some(rule) = taken
            .iter()
            .find(|(x, y, _)| *x == f.a && *y == f.b)
            .map(|t| t.2)
        else {
            continue;
        };
        let ops = ops_for(a, b, &f.a, &f.b, &f.pairs);
        out.push(Passage {
            a: f.a,
            b: f.b,
            ops,
            kind: Kind::Reworded,
            score: 0.0,
            aligned_a: 0,
            aligned_b: 0,
            evidence: Some(Box::new(Evidence {
                rule,
                pairs: f.pairs,
                coverage_a: super::classify::round4(f.coverage_a),
                coverage_b: super::classify::round4(f.coverage_b),
                weight: super::classify::round4(f.weight),
                in_order: f.in_order,
                log_expected: (f.log_expected * 100.0).round() / 100.0,
            })),
        });
    }
    out.sort_by_key(|p| (p.a.start, p.b.start));
    out
}

fn overlaps(x: &Range<usize>, y: &Range<usize>) -> bool {
    x.start < y.end && y.start < x.end
}

/// Words between two ranges (0 when they overlap or touch).
fn distance(x: &Range<usize>, y: &Range<usize>) -> usize {
    if x.end <= y.start {
        y.start - x.end
    } else {
        x.start.saturating_sub(y.end)
    }
}

/// Relations of type pairs already judged, per thread.
type RelCache = FxHashMap<(u32, u32), Option<(Relation, f64)>>;

struct Ctx<'c> {
    types: &'c Types<'c>,
    /// Per type: the units of both texts holding it, of `n_units` ([`Ctx::idf`]).
    df: &'c [u32],
    n_units: f64,
    mask_a: &'c [bool],
    mask_b: &'c [bool],
    /// Per token: written with a capital or a digit first.
    caps_a: &'c [bool],
    caps_b: &'c [bool],
    df_side: &'c [Vec<u32>; 2],
    units: (usize, usize),
    related: &'c Related,
    lex: &'c Lexicon,
}

/// Per type of A, the types of B that share a concept with it: `to[start[t]..start[t + 1]]`, sorted.
struct Related {
    start: Vec<u32>,
    to: Vec<u32>,
}

impl Related {
    fn of(&self, t: u32) -> &[u32] {
        &self.to[self.start[t as usize] as usize..self.start[t as usize + 1] as usize]
    }
}

/// The first two and last two bytes of a word of at least 5 bytes (0 for shorter words): two words
/// can be related by their letters only ([`Ctx::relation`]: one starts or ends the other, or OCR
/// damage keeping the first two letters) when their keys share the first or the last half.
fn letter_key(norm: &str) -> u32 {
    let b = norm.as_bytes();
    if b.len() < 5 {
        return 0;
    }
    u32::from_le_bytes([b[0], b[1], b[b.len() - 2], b[b.len() - 1]])
}

/// Whether two [`letter_key`]s allow a relation by letters.
fn may_share_letters(x: u32, y: u32) -> bool {
    x != 0 && y != 0 && ((x ^ y) & 0xFFFF == 0 || (x ^ y) >> 16 == 0)
}

/// One candidate match inside a unit pair.
#[derive(Clone, Debug)]
struct M {
    a: Range<usize>,
    b: Range<usize>,
    rel: Relation,
    w: f64,
}

impl Ctx<'_> {
    /// IDF of a type over the units of both texts, computed where needed: most types are in no
    /// candidate pair.
    fn idf(&self, t: u32) -> f64 {
        relate::idf(self.n_units, self.df[t as usize] as f64)
    }

    fn content(&self, side_b: bool, r: Range<usize>) -> Vec<usize> {
        let (l, mask) = if side_b {
            (&self.types.lb[..], self.mask_b)
        } else {
            (self.types.la, self.mask_a)
        };
        r.filter(|&i| l[i] != NONE && !mask[i]).collect()
    }

    /// The words are a name or a number: every one starts with a capital letter or a digit.
    fn name_like(&self, side_b: bool, r: &Range<usize>) -> bool {
        let caps = if side_b { self.caps_b } else { self.caps_a };
        r.clone().all(|i| caps[i])
    }

    /// The relation of two content types, if any.
    fn relation(&self, ta: u32, tb: u32) -> Option<(Relation, f64)> {
        if ta == tb {
            return Some((Relation::Equal, 1.0));
        }
        let (x, y) = (self.types.words[ta as usize], self.types.words[tb as usize]);
        let keyed = self.related.of(ta).binary_search(&tb).is_ok();
        // Relations no concept key finds need shared letters: a prefix or compound part (one word
        // starts or ends the other), or OCR damage (the same first two letters, lengths within 15%).
        let lettered = {
            let (s, l) = if x.norm.len() <= y.norm.len() {
                (&x.norm, &y.norm)
            } else {
                (&y.norm, &x.norm)
            };
            s.len() >= 5
                && (l.ends_with(s.as_str())
                    || l.starts_with(s.as_str())
                    || (s.as_bytes()[..2] == l.as_bytes()[..2]
                        && (l.len() - s.len()) * 7 <= l.len()))
        };
        if !keyed && !lettered {
            return None;
        }
        relate::relate(x, y, self.lex)
    }

    /// The groups of matches between unit `ra` of A and unit `rb` of B that pass the two-sided test.
    fn verify(&self, ra: Range<usize>, rb: Range<usize>, cache: &mut RelCache) -> Vec<Found> {
        let (ca, cb) = (
            self.content(false, ra.clone()),
            self.content(true, rb.clone()),
        );
        let (la, lb) = (self.types.la, &self.types.lb[..]);
        let idf = |t: u32| self.idf(t);
        let mut ms: Vec<M> = Vec::new();
        for &i in &ca {
            let ta = la[i];
            let (rel_a, letters_a) = (self.related.of(ta), self.types.letters[ta as usize]);
            for &j in &cb {
                let tb = lb[j];
                // Most pairs of words are unrelated: only those sharing a concept or letters are
                // judged (and their judgement cached).
                let rel = if ta == tb {
                    Some((Relation::Equal, 1.0))
                } else if rel_a.binary_search(&tb).is_ok()
                    || may_share_letters(letters_a, self.types.letters[tb as usize])
                {
                    *cache
                        .entry((ta, tb))
                        .or_insert_with(|| self.relation(ta, tb))
                } else {
                    None
                };
                if let Some((rel, w)) = rel {
                    ms.push(M {
                        a: i..i + 1,
                        b: j..j + 1,
                        rel,
                        w: w * (idf(la[i]) + idf(lb[j])) / 2.0,
                    });
                }
            }
        }
        // Compounds: two adjacent content words of one side written as one word on the other.
        let types = &self.types;
        for (two, one, one_side_b) in [(&ca, &cb, true), (&cb, &ca, false)] {
            let (l2, l1) = if one_side_b { (la, lb) } else { (lb, la) };
            for k in two.windows(2).filter(|k| k[1] == k[0] + 1) {
                let (w0, w1) = (
                    types.words[l2[k[0]] as usize],
                    types.words[l2[k[1]] as usize],
                );
                for &j in one.iter() {
                    let w = types.words[l1[j] as usize];
                    if w.norm.len() + 3 < w0.norm.len() + w1.norm.len()
                        || w.norm.len() > w0.norm.len() + w1.norm.len() + 3
                    {
                        continue;
                    }
                    // An OCR join keeps the first letter of each part.
                    // (A first character, not a first byte: "ҡ" is two.)
                    if w0
                        .norm
                        .chars()
                        .next()
                        .is_none_or(|c| !w.norm.starts_with(c))
                    {
                        continue;
                    }
                    let joined = format!("{}{}", w0.norm, w1.norm);
                    if let Some(cw) = relate::compound_weight(&joined, &w.norm) {
                        let weight = cw * (idf(l2[k[0]]) + idf(l2[k[1]]) + 2.0 * idf(l1[j])) / 4.0;
                        let (pa, pb) = if one_side_b {
                            (k[0]..k[1] + 1, j..j + 1)
                        } else {
                            (j..j + 1, k[0]..k[1] + 1)
                        };
                        ms.push(M {
                            a: pa,
                            b: pb,
                            rel: Relation::Compound,
                            w: weight,
                        });
                    }
                }
            }
        }
        if ms.len() < MIN_PAIRS {
            return Vec::new();
        }
        // One to one, heaviest first.
        ms.sort_by(|x, y| {
            y.w.total_cmp(&x.w)
                .then((y.a.len() + y.b.len()).cmp(&(x.a.len() + x.b.len())))
                .then(x.a.start.cmp(&y.a.start))
                .then(x.b.start.cmp(&y.b.start))
        });
        let mut used_a = vec![false; ra.len()];
        let mut used_b = vec![false; rb.len()];
        let mut chosen: Vec<M> = Vec::new();
        for m in ms {
            if m.a.clone().any(|i| used_a[i - ra.start])
                || m.b.clone().any(|j| used_b[j - rb.start])
            {
                continue;
            }
            m.a.clone().for_each(|i| used_a[i - ra.start] = true);
            m.b.clone().for_each(|j| used_b[j - rb.start] = true);
            chosen.push(m);
        }
        if chosen.len() < MIN_PAIRS {
            return Vec::new();
        }
        chosen.sort_by_key(|m| (m.a.start, m.b.start));
        // Group: single linkage of matches within LINK_GAP words on both sides.
        let n = chosen.len();
        let mut group: Vec<usize> = (0..n).collect();
        fn root(g: &mut [usize], mut x: usize) -> usize {
            while g[x] != x {
                g[x] = g[g[x]];
                x = g[x];
            }
            x
        }
        for x in 0..n {
            for y in x + 1..n {
                if distance(&chosen[x].a, &chosen[y].a) <= LINK_GAP
                    && distance(&chosen[x].b, &chosen[y].b) <= LINK_GAP
                {
                    let (rx, ry) = (root(&mut group, x), root(&mut group, y));
                    if rx != ry {
                        group[rx.max(ry)] = rx.min(ry);
                    }
                }
            }
        }
        let mut by_root: Vec<(usize, usize)> = (0..n).map(|x| (root(&mut group, x), x)).collect();
        by_root.sort_unstable();
        let mut out = Vec::new();
        for g in by_root.chunk_by(|x, y| x.0 == y.0) {
            if g.len() < MIN_PAIRS {
                continue;
            }
            let ms: Vec<&M> = g.iter().map(|&(_, x)| &chosen[x]).collect();
            // Names and numbers recur without reuse ("President Xi Jinping", "December 16, 2015"):
            // a group needs MIN_PAIRS - 1 matches of common words (not capitalised on both sides,
            // not numbers).
            let common = ms
                .iter()
                .filter(|m| !self.name_like(false, &m.a) || !self.name_like(true, &m.b))
                .count();
            if common + 1 < MIN_PAIRS {
                continue;
            }
            // How many unit pairs would hold matches of these words by chance: the number of unit
            // pairs times, for each matched pair of types, the chance that a unit of A holds the one
            // and a unit of B the other (BLAST's E-value, with units for positions). Words found all
            // over both texts (a topic's own words) make groups that chance explains.
            let (ua, ub) = (self.units.0 as f64, self.units.1 as f64);
            let mut seen: Vec<(u32, u32)> = Vec::new();
            let mut log_e = ua.log10() + ub.log10();
            for m in &ms {
                let key = (la[m.a.start], lb[m.b.start]);
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                let pa = (self.df_side[0][key.0 as usize] as f64 + 0.5) / ua;
                let pb = (self.df_side[1][key.1 as usize] as f64 + 0.5) / ub;
                log_e += (pa * pb).min(1.0).log10();
            }
            if log_e > MAX_LOG_EXPECTED {
                continue;
            }
            let a = ms
                .iter()
                .map(|m| m.a.start)
                .min()
                .expect("a group has matches")
                ..ms.iter()
                    .map(|m| m.a.end)
                    .max()
                    .expect("a group has matches");
            let b = ms
                .iter()
                .map(|m| m.b.start)
                .min()
                .expect("a group has matches")
                ..ms.iter()
                    .map(|m| m.b.end)
                    .max()
                    .expect("a group has matches");
            // The same content words in the same order on both sides is a short verbatim fragment:
            // the exact aligner's `min_words` already judged it too short to report.
            let content_ids = |side_b: bool, r: &Range<usize>| -> Vec<u32> {
                let l = if side_b { lb } else { la };
                self.content(side_b, r.clone())
                    .iter()
                    .map(|&i| l[i])
                    .collect()
            };
            if content_ids(false, &a) == content_ids(true, &b) {
                continue;
            }
            let total = |side_b: bool, r: &Range<usize>| -> f64 {
                let l = if side_b { lb } else { la };
                self.content(side_b, r.clone())
                    .iter()
                    .map(|&i| idf(l[i]))
                    .sum()
            };
            let rel_w = |m: &M| m.rel.weight();
            let got_a: f64 = ms
                .iter()
                .map(|m| rel_w(m) * m.a.clone().map(|i| idf(la[i])).sum::<f64>())
                .sum();
            let got_b: f64 = ms
                .iter()
                .map(|m| rel_w(m) * m.b.clone().map(|j| idf(lb[j])).sum::<f64>())
                .sum();
            let (cov_a, cov_b) = (got_a / total(false, &a), got_b / total(true, &b));
            if cov_a < MIN_COVERAGE || cov_b < MIN_COVERAGE {
                continue;
            }
            let pairs: Vec<WordPair> = ms
                .iter()
                .map(|m| WordPair {
                    a: m.a.clone(),
                    b: m.b.clone(),
                    relation: m.rel,
                    weight: super::classify::round4(m.w),
                })
                .collect();
            // Words may move, but most keep their order: a group whose matches are mostly out of order
            // is words meeting by chance (a clause moved as a block keeps the rest in order).
            let in_order = chain(&pairs).len();
            if in_order * 2 <= pairs.len() {
                continue;
            }
            out.push(Found {
                log_expected: log_e,
                in_order,
                a,
                b,
                weight: ms.iter().map(|m| m.w).sum(),
                pairs,
                coverage_a: cov_a.min(1.0),
                coverage_b: cov_b.min(1.0),
            });
        }
        out
    }
}

/// The word diff of a passage of the tier: the longest chain of its matched pairs in order on both
/// sides, with the words between them diffed on equal ids (function words), matched words out of
/// the chain left as deleted and inserted (moved).
fn ops_for(a: &Seq, b: &Seq, ra: &Range<usize>, rb: &Range<usize>, pairs: &[WordPair]) -> Vec<Op> {
    let chain = chain(pairs);
    let mut ops: Vec<Op> = Vec::new();
    let (mut i, mut j) = (ra.start, rb.start);
    for &k in &chain {
        let p = &pairs[k];
        gap_ops(a, b, i..p.a.start, j..p.b.start, &mut ops);
        let equal = p.a.len() == 1 && p.b.len() == 1 && a.ids[p.a.start] == b.ids[p.b.start];
        push_op(
            &mut ops,
            Op {
                tag: if equal { OpTag::Equal } else { OpTag::Replace },
                a: p.a.clone(),
                b: p.b.clone(),
                fuzzy: p.relation == Relation::Fuzzy,
                relation: (!equal).then_some(p.relation),
            },
        );
        i = p.a.end;
        j = p.b.end;
    }
    gap_ops(a, b, i..ra.end, j..rb.end, &mut ops);
    ops
}

/// The longest chain of pairs (given in A order) increasing on both sides, as indices; n is small.
fn chain(pairs: &[WordPair]) -> Vec<usize> {
    let n = pairs.len();
    let (mut len, mut prev) = (vec![1usize; n], vec![usize::MAX; n]);
    for i in 0..n {
        for j in 0..i {
            if pairs[j].a.end <= pairs[i].a.start
                && pairs[j].b.end <= pairs[i].b.start
                && len[j] + 1 > len[i]
            {
                len[i] = len[j] + 1;
                prev[i] = j;
            }
        }
    }
    let mut chain: Vec<usize> = Vec::new();
    if let Some(mut at) = (0..n).max_by_key(|&i| (len[i], std::cmp::Reverse(i))) {
        loop {
            chain.push(at);
            if prev[at] == usize::MAX {
                break;
            }
            at = prev[at];
        }
    }
    chain.reverse();
    chain
}

/// Append `op`, merging it into the previous one when both are equal runs or both plain edits.
fn push_op(ops: &mut Vec<Op>, op: Op) {
    if let Some(last) = ops.last_mut()
        && last.a.end == op.a.start
        && last.b.end == op.b.start
    {
        let plain = |o: &Op| o.tag != OpTag::Equal && o.relation.is_none();
        if last.tag == OpTag::Equal && op.tag == OpTag::Equal {
            last.a.end = op.a.end;
            last.b.end = op.b.end;
            return;
        }
        if plain(last) && plain(&op) {
            last.a.end = op.a.end;
            last.b.end = op.b.end;
            last.tag = match (last.a.is_empty(), last.b.is_empty()) {
                (true, _) => OpTag::Insert,
                (_, true) => OpTag::Delete,
                _ => OpTag::Replace,
            };
            return;
        }
    }
    ops.push(op);
}

/// Diff two short stretches on token ids (LCS), appending the steps.
fn gap_ops(a: &Seq, b: &Seq, ra: Range<usize>, rb: Range<usize>, ops: &mut Vec<Op>) {
    let (x, y) = (&a.ids[ra.clone()], &b.ids[rb.clone()]);
    let (n, m) = (x.len(), y.len());
    if n == 0 && m == 0 {
        return;
    }
    // lcs[i][j]: LCS of x[i..] and y[j..].
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if x[i] == y[j] {
                lcs[at(i + 1, j + 1)] + 1
            } else {
                lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let op = |tag, ai: Range<usize>, bj: Range<usize>| Op {
        tag,
        a: ra.start + ai.start..ra.start + ai.end,
        b: rb.start + bj.start..rb.start + bj.end,
        fuzzy: false,
        relation: None,
    };
    while i < n || j < m {
        if i < n && j < m && x[i] == y[j] {
            push_op(ops, op(OpTag::Equal, i..i + 1, j..j + 1));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[at(i, j + 1)] >= lcs[at(i + 1, j)]) {
            push_op(ops, op(OpTag::Insert, i..i, j..j + 1));
            j += 1;
        } else {
            push_op(ops, op(OpTag::Delete, i..i + 1, j..j));
            i += 1;
        }
    }
}

/// Mark the replacements of already aligned passages whose two sides are related words (one content
/// word a side, or a compound written as one and two): the labels count an inflection, derivation,
/// compound or OCR-damaged word as the same word, and the report names the relation.
pub fn annotate(passages: &mut [Passage], a: &Seq, text_a: &str, b: &Seq, text_b: &str) {
    let lex = lexicon();
    let mut cache: FxHashMap<(bool, u32), Arc<Analysis>> = FxHashMap::default();
    let mut word = |s: &Seq, text: &str, side: bool, i: usize| -> Arc<Analysis> {
        cache
            .entry((side, s.ids[i]))
            .or_insert_with(|| word_of(s, text, i, lex))
            .clone()
    };
    for p in passages.iter_mut() {
        for op in p.ops.iter_mut() {
            if op.tag != OpTag::Replace || op.relation.is_some() || op.a.len() > 4 || op.b.len() > 4
            {
                continue;
            }
            let content = |s: &Seq, r: &Range<usize>| -> Vec<usize> {
                r.clone().filter(|&i| !s.stop[i] && !s.cjk[i]).collect()
            };
            let (ca, cb) = (content(a, &op.a), content(b, &op.b));
            op.relation = match (ca.len(), cb.len()) {
                (1, 1) => {
                    let (x, y) = (word(a, text_a, false, ca[0]), word(b, text_b, true, cb[0]));
                    relate::relate(&x.word, &y.word, lex).map(|r| r.0)
                }
                (2, 1) | (1, 2) if ca.windows(2).chain(cb.windows(2)).all(|k| k[1] == k[0] + 1) => {
                    let join = |s: &Seq, text: &str, side: bool, c: &[usize], f: &mut dyn FnMut(&Seq, &str, bool, usize) -> Arc<Analysis>| {
                        c.iter().map(|&i| f(s, text, side, i).word.norm.clone()).collect::<String>()
                    };
                    let (ja, jb) = (
                        join(a, text_a, false, &ca, &mut word),
                        join(b, text_b, true, &cb, &mut word),
                    );
                    relate::compound_weight(&ja, &jb).map(|_| Relation::Compound)
                }
                _ => None,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::align::{Kind, Params};
    use crate::compare_texts;

    fn tier(a: &str, b: &str) -> Vec<(String, String, Kind)> {
        let cmp = compare_texts(a, b, &Params::default());
        cmp.passages
            .iter()
            .filter(|p| p.evidence.is_some())
            .map(|p| {
                (
                    a[cmp.byte_span_a(p)].to_owned(),
                    b[cmp.byte_span_b(p)].to_owned(),
                    p.kind,
                )
            })
            .collect()
    }

    /// Views sharing a vocabulary's analyses have the analyses a view makes alone, whichever view
    /// filled a slot first; a stem with two normal forms ("promote", "promotion") keeps each view's.
    #[test]
    fn views_share_the_analyses_of_one_normal_form_and_keep_their_own() {
        use super::{Analyses, DocWords};
        use crate::align::Seq;
        use std::sync::Arc;
        let texts = [
            "We promote Trade, and trade grows.",
            "The promotion of trade: TRADE again.",
            "Promoting trade.",
        ];
        let t = crate::index::tokenize_corpus(&texts);
        let id = |w: &str| {
            (0..t.vocab.len())
                .find(|&i| &*t.vocab.entry(crate::text::TokenId(i as u32)).form == w)
                .expect("in the vocabulary")
        };
        let (promot, trade) = (id("promot"), id("trade"));
        assert!(!t.one_norm[promot], "promote / promotion");
        assert!(t.one_norm[trade], "Trade / trade / TRADE");
        let toks: Vec<_> = (0..3).map(|d| t.tokens(d, texts[d])).collect();
        let norms = |w: &DocWords| -> Vec<String> {
            (0..w.words.len())
                .map(|k| w.word(k).word.norm.clone())
                .collect()
        };
        let alone: Vec<Vec<String>> = (0..3)
            .map(|d| {
                let table = Arc::new(Analyses::new(t.vocab.len(), Vec::new()));
                norms(&DocWords::new(
                    &Seq::new(&toks[d], &t.vocab),
                    texts[d],
                    &table,
                ))
            })
            .collect();
        assert!(alone[0].contains(&"promote".to_owned()));
        assert!(alone[1].contains(&"promotion".to_owned()));
        assert!(alone[2].contains(&"promoting".to_owned()));
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
            let table = Arc::new(Analyses::new(t.vocab.len(), t.one_norm.clone()));
            for d in order {
                let w = DocWords::new(&Seq::new(&toks[d], &t.vocab), texts[d], &table);
                assert_eq!(norms(&w), alone[d], "document {d}, order {order:?}");
                // "promot" has two slots: the third view's form is its own; every other type is
                // shared.
                let own = w.words.iter().filter(|&&x| x & super::OWN != 0).count();
                assert_eq!(own, usize::from(d == order[2]), "order {order:?}");
            }
            // A table full after one slot: the other types are each view's own, the same words.
            let full = Arc::new(Analyses {
                cap: 1,
                ..Analyses::new(t.vocab.len(), t.one_norm.clone())
            });
            for d in order {
                let w = DocWords::new(&Seq::new(&toks[d], &t.vocab), texts[d], &full);
                assert_eq!(
                    norms(&w),
                    alone[d],
                    "document {d}, order {order:?}, one slot"
                );
            }
            assert_eq!(full.slots.iter().filter(|s| s.get().is_some()).count(), 1);
        }
    }

    /// A slot's check of a token's normal form agrees with normalising the token: case, a
    /// possessive, apostrophes, other forms of the stem, a form too long to keep in the slot.
    #[test]
    fn a_slot_knows_the_spellings_of_its_normal_form() {
        use super::{Analyses, DocWords, same_norm};
        use crate::align::Seq;
        use std::sync::Arc;
        let text = "trade internationalization caf\u{e9}";
        let t = crate::index::tokenize_corpus(&[text]);
        let toks = t.tokens(0, text);
        let table = Arc::new(Analyses::new(t.vocab.len(), Vec::new()));
        let w = DocWords::new(&Seq::new(&toks, &t.vocab), text, &table);
        assert_eq!(w.words.len(), 3);
        for (k, raws) in [
            (
                0,
                &[
                    "trade",
                    "Trade",
                    "TRADE",
                    "trade's",
                    "tra'de",
                    "trades",
                    "trad",
                    "tr\u{e1}de",
                ][..],
            ),
            (
                1,
                &[
                    "internationalization",
                    "Internationalization",
                    "internationalisation",
                    "internationalizations",
                ][..],
            ),
            (2, &["Caf\u{e9}", "CAF\u{c9}", "cafe", "caf\u{e9}s"][..]),
        ] {
            let info = table.get(w.words[k]);
            for raw in raws {
                assert_eq!(
                    info.has_norm_of(raw),
                    same_norm(&info.analysis.word.norm, raw),
                    "{raw}"
                );
            }
            assert!(
                info.has_norm_of(raws[0]) && info.has_norm_of(raws[1]),
                "{k} {:?}",
                info.analysis.word.norm
            );
        }
    }

    const FILLER_A: &str =
        "The weather was mild. Markets opened higher on Monday. The committee met in spring. ";
    const FILLER_B: &str = "Several delegates spoke about the budget. A new bridge opened downtown. Rain is expected. ";

    #[test]
    fn a_reworded_clause_is_found_with_its_relations() {
        let a = format!(
            "{FILLER_A}Such problems as unbalanced development, inadequate rules and inequitable order persist."
        );
        let b = format!(
            "{FILLER_B}Besides problems such as unbalanced development and unsound regulation, the paper warned."
        );
        let t = tier(&a, &b);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(
            t[0].0,
            "problems as unbalanced development, inadequate rules"
        );
        assert_eq!(
            t[0].1,
            "problems such as unbalanced development and unsound regulation"
        );
        assert_eq!(t[0].2, Kind::Reworded);
        let cmp = compare_texts(&a, &b, &Params::default());
        let e = cmp.passages[0].evidence.as_ref().unwrap();
        assert!(
            e.pairs
                .iter()
                .any(|p| p.relation == crate::relate::Relation::Synonym)
        );
        assert!(e.coverage_a >= 0.5 && e.coverage_b >= 0.5);
    }

    #[test]
    fn the_tier_gives_the_same_passages_in_parallel_and_in_sequence() {
        let files = crate::scan::tests::input_files();
        let read = |prefix: &str| {
            let name = files
                .iter()
                .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
                .unwrap();
            std::fs::read_to_string(name).unwrap()
        };
        let (ta, tb) = (read("2019"), read("2022"));
        let mut v = crate::text::Vocabulary::new();
        let (ka, kb) = (v.tokenize(&ta), v.tokenize(&tb));
        let (a, b) = (
            crate::align::Seq::new(&ka, &v),
            crate::align::Seq::new(&kb, &v),
        );
        let known = crate::align::align(&a, &ta, &b, &tb, &Params::default());
        let known: Vec<_> = known.into_iter().filter(|p| p.evidence.is_none()).collect();
        let seq = super::passages_in(&a, &ta, &b, &tb, &known, false);
        let par = super::passages_in(&a, &ta, &b, &tb, &known, true);
        assert!(seq.len() >= 3, "{} passages of the tier", seq.len());
        assert_eq!(format!("{seq:?}"), format!("{par:?}"));
    }

    /// Two texts on one subject: "development", "security" and "promote" are in most of their
    /// sentences, so they are not anchors, and a restated heading meets its source sentence in two
    /// anchors only ("maintain", "orderly").
    fn on_one_subject(b_heading: &str) -> (String, String) {
        let mut a = String::new();
        let mut b = String::new();
        for (k, place) in ["Lyon", "Porto", "Oslo", "Bern", "Riga", "Kyiv"]
            .iter()
            .enumerate()
        {
            a.push_str(&format!(
                "The plan number {k} will promote development and security around {place}.\n"
            ));
            b.push_str(&format!(
                "Officials in {place} want security, jobs and development, and promote trade.\n"
            ));
        }
        a.push_str(
            "In addition, Xi called for measures to maintain cyber security and promote its orderly \
             development, comparing security and development to the two wings of a bird.\n",
        );
        b.push_str(b_heading);
        (a, b)
    }

    #[test]
    fn a_short_unit_needs_one_anchor_fewer() {
        let (a, b) = on_one_subject(
            "Maintaining cybersecurity to promote orderly development. We should advocate a \
             cybersecurity concept that features openness and cooperation.\n",
        );
        let t = tier(&a, &b);
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!(
            t[0].0,
            "maintain cyber security and promote its orderly development"
        );
        assert_eq!(
            t[0].1,
            "Maintaining cybersecurity to promote orderly development"
        );
        // The same words in a longer sentence (8 content words): three anchors needed, two met.
        let (a, b) = on_one_subject(
            "Officials said maintaining cybersecurity would promote orderly development nationwide. \
             We should advocate a cybersecurity concept that features openness.\n",
        );
        assert!(tier(&a, &b).is_empty(), "{:?}", tier(&a, &b));
    }

    #[test]
    fn two_rare_words_in_a_long_sentence_are_not_a_passage() {
        // The short side is covered; the long side is not: the two-sided test refuses it.
        let a = format!("{FILLER_A}Hemophilia and thalassemia clinics.");
        let b = format!(
            "{FILLER_B}The ministry said hospitals in the north had more beds, fewer staff, longer queues and new hemophilia wards, while thalassemia research moved south last year."
        );
        assert!(tier(&a, &b).is_empty());
    }

    #[test]
    fn the_tier_can_be_turned_off() {
        let a = format!(
            "{FILLER_A}Such problems as unbalanced development, inadequate rules and inequitable order persist."
        );
        let b = format!(
            "{FILLER_B}Besides problems such as unbalanced development and unsound regulation, the paper warned."
        );
        let p = Params {
            reworded: false,
            ..Params::default()
        };
        assert!(compare_texts(&a, &b, &p).passages.is_empty());
    }

    #[test]
    fn chinese_documents_keep_their_exact_passages_and_get_no_tier_passages() {
        let a =
            "中华人民共和国公民有劳动的权利和义务。国家通过各种途径，创造劳动就业条件。天气很好。";
        let b = "我们认为，中华人民共和国公民有劳动的权利和义务。国家通过各种途径，创造劳动就业条件。市场开盘。";
        let cmp = compare_texts(a, b, &Params::default());
        assert!(!cmp.passages.is_empty());
        assert!(cmp.passages.iter().all(|p| p.evidence.is_none()));
    }
}
