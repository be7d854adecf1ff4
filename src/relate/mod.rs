//! Word relations, shared by the reworded tier of `compare` / `scan` ([`crate::align::reword`]) and by
//! `track`'s matcher ([`crate::track::matcher`]): one definition of when two words are the same word,
//! derived, synonyms, a compound or OCR damage of each other, and of how much a match weighs.
//!
//! Takes words cut into [`Word`]s (normalised form, Snowball stem, derivational key, WordNet lemmas,
//! function-word flag) and gives the [`Relation`] of two of them with its weight ([`relate`]), the
//! weight of a compound written as one word or two ([`compound_weight`]) and IDF weights over
//! sentences ([`idf`], [`Idf`]). The synonym resource is WordNet's ([`synonyms`]).
//!
//! Guarantees: every relation is symmetric in its two words except the order of the returned pair;
//! nothing here knows any particular corpus.

pub mod synonyms;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::text::{Vocabulary, for_each_word, normalize, stem};
use synonyms::Lexicon;

/// How two words are related.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// Same normalised form or stem.
    Equal,
    /// Two words written as one, or one as two.
    Compound,
    /// Nearly the same letters (OCR damage, spelling variant).
    Fuzzy,
    /// Derivationally related (WordNet, or suffix stripping).
    Derived,
    /// WordNet synonyms.
    Synonym,
    /// The same word with a common prefix added.
    Affix,
}

impl Relation {
    /// The weight of a match of this kind (fuzzy matches scale it by their similarity).
    pub fn weight(self) -> f64 {
        match self {
            Relation::Equal | Relation::Compound => 1.0,
            Relation::Derived => 0.9,
            Relation::Fuzzy => 0.9,
            Relation::Synonym => 0.75,
            Relation::Affix => 0.7,
        }
    }

    /// The two words are *the same word* by DESIGN.md's definition (normalisation, inflection,
    /// derivation of one root, compounding, OCR damage): such a replacement does not make a passage
    /// reworded. Synonyms, prefixed variants and compound parts are other words.
    pub fn is_equal(self) -> bool {
        matches!(
            self,
            Relation::Equal | Relation::Compound | Relation::Fuzzy | Relation::Derived
        )
    }

    /// The lower-case name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Relation::Equal => "equal",
            Relation::Compound => "compound",
            Relation::Fuzzy => "fuzzy",
            Relation::Derived => "derived",
            Relation::Synonym => "synonym",
            Relation::Affix => "affix",
        }
    }
}

/// One word of a statement or document, with the forms the relations compare.
#[derive(Clone, Debug)]
pub struct Word {
    /// Byte span in the text.
    pub start: usize,
    pub end: usize,
    /// Normalised form (NFKC, case folded...).
    pub norm: String,
    /// Snowball stem of the normalised form.
    pub stem: String,
    /// The stem with derivational suffixes stripped.
    pub deriv: String,
    /// The WordNet lemmas the word may be (see [`Lexicon::lemmas`]).
    pub lemmas: Vec<synonyms::LemmaId>,
    /// A function word.
    pub stop: bool,
    /// Index of the sentence the word is in.
    pub sentence: u32,
}

/// Longest sentence, in words: longer runs without a sentence break are cut into pieces this long.
pub const MAX_SENTENCE: usize = 100;

/// Cut `text` into words, marking stop words with `vocab` and numbering sentences.
pub fn words(text: &str, vocab: &mut Vocabulary, lex: &Lexicon) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let (mut sentence, mut first) = (0u32, 0usize);
    for_each_word(text, |start, raw| {
        if let Some(prev) = out.last() {
            let gap = &text[prev.end..start];
            // Text without sentence breaks is cut every MAX_SENTENCE words, so that the windows
            // `track` tries inside a sentence stay bounded whatever the punctuation.
            if gap.contains(['\n', '.', '!', '?', ';', '。', '！', '？', '；'])
                || out.len() - first >= MAX_SENTENCE
            {
                sentence += 1;
                first = out.len();
            }
        }
        let id = vocab.intern(raw);
        let entry = vocab.entry(id);
        let norm = normalize(raw);
        let stem = entry.form.to_string();
        out.push(Word {
            start,
            end: start + raw.len(),
            deriv: derivational_key(&stem),
            lemmas: if entry.stop {
                Vec::new()
            } else {
                lex.lemmas(&norm)
            },
            stop: entry.stop,
            norm,
            stem,
            sentence,
        });
    });
    out
}

/// Light derivational normalisation: strip one derivational suffix from a stem when at least five
/// letters remain ("develop-ment", "construct-iv", "cultur-al").
pub fn derivational_key(stem: &str) -> String {
    const SUFFIXES: [&str; 12] = [
        "ization", "isation", "ation", "ition", "ment", "ness", "ance", "ence", "tion", "iv", "al",
        "ic",
    ];
    for s in SUFFIXES {
        if let Some(rest) = stem.strip_suffix(s)
            && rest.chars().count() >= 5
        {
            return rest.to_owned();
        }
    }
    stem.to_owned()
}

/// Common English prefixes that make a variant of the same word ("inter-connectivity").
pub const PREFIXES: [&str; 10] = [
    "inter", "intra", "trans", "multi", "cross", "super", "over", "under", "re", "co",
];

/// The weight factor of a deverbal head noun followed by "of" (see [`Idf::statement_weights`]).
pub const HEAD_FACTOR: f64 = 0.5;

/// The weight of a word matched to a compound it is part of: less than an affix variant, since a
/// compound often means more than its part.
pub const PART_WEIGHT: f64 = 0.6;

/// The relation of two single words, if any, and its weight.
pub fn relate(s: &Word, d: &Word, lex: &Lexicon) -> Option<(Relation, f64)> {
    if s.stem == d.stem || s.norm == d.norm {
        return Some((Relation::Equal, 1.0));
    }
    if s.stop || d.stop {
        return None;
    }
    if s.deriv == d.deriv || lex.derived(&s.lemmas, &d.lemmas) {
        return Some((Relation::Derived, Relation::Derived.weight()));
    }
    if lex.synonyms(&s.lemmas, &d.lemmas) {
        return Some((Relation::Synonym, Relation::Synonym.weight()));
    }
    let (x, y) = if s.norm.len() < d.norm.len() {
        (&s.norm, &d.norm)
    } else {
        (&d.norm, &s.norm)
    };
    if x.len() >= 5
        && PREFIXES
            .iter()
            .any(|p| y.strip_prefix(p).is_some_and(|rest| rest == x.as_str()))
    {
        return Some((Relation::Affix, Relation::Affix.weight()));
    }
    // One word is a part of a compound written as one word ("cyber" / "cyberspace").
    if x.len() >= 5
        && y.len() >= x.len() + 4
        && (y.starts_with(x.as_str()) || y.ends_with(x.as_str()))
    {
        return Some((Relation::Affix, PART_WEIGHT));
    }
    let sim = spelled_alike(&s.norm, &d.norm, false);
    (sim > 0.0).then_some((Relation::Fuzzy, sim * Relation::Fuzzy.weight()))
}

/// Similarity of two spellings when they are close enough to be one word damaged, else 0. The rule
/// is the one `compare` uses for fuzzy replacements: a one-for-one substitution must be nearly
/// identical (normalised Levenshtein ≥ 0.85, words of 6 letters or more, same first two letters), a
/// join or split may drop or add a few letters (≥ 0.75).
pub fn spelled_alike(x: &str, y: &str, join: bool) -> f64 {
    let (lx, ly) = (x.chars().count(), y.chars().count());
    let (shorter, longer) = (lx.min(ly), lx.max(ly));
    // Cheap refusals first: the similarity needed bounds the length difference, and a damaged word
    // keeps its first letter (two, for a one-for-one substitution). This keeps the edit distance off
    // nearly every pair of a large document.
    let (min_sim, prefix) = if join { (0.75, 1) } else { (0.85, 2) };
    if shorter < 4
        || (!join && shorter < 6)
        || (longer - shorter) as f64 > (1.0 - min_sim) * longer as f64
        || !x.chars().take(prefix).eq(y.chars().take(prefix))
        || !x.chars().all(char::is_alphanumeric)
        || !y.chars().all(char::is_alphanumeric)
    {
        return 0.0;
    }
    let sim = strsim::normalized_levenshtein(x, y);
    if sim >= min_sim { sim } else { 0.0 }
}

/// The weight of a compound match: 1 for the same letters, less for a damaged join.
pub fn compound_weight(joined: &str, word: &str) -> Option<f64> {
    if joined == word {
        return Some(1.0);
    }
    let sim = spelled_alike(joined, word, true);
    (sim > 0.0).then_some(sim * Relation::Fuzzy.weight())
}

/// The IDF weight of a word found in `df` of `n` sentences: `ln((n + 1) / (df + 0.5))`, at least 0.05.
pub fn idf(n: f64, df: f64) -> f64 {
    ((n + 1.0) / (df + 0.5)).ln().max(0.05)
}

/// IDF weights over the sentences of the tracked documents.
#[derive(Debug, Default)]
pub struct Idf {
    df: FxHashMap<String, u32>,
    n: u32,
}

impl Idf {
    /// Count, for each stem, the sentences of `docs` it appears in.
    pub fn new<'a>(docs: impl IntoIterator<Item = &'a [Word]>) -> Self {
        let mut idf = Idf::default();
        for words in docs {
            let mut seen: Vec<&str> = Vec::new();
            let mut current = u32::MAX;
            for w in words {
                if w.sentence != current {
                    idf.n += 1;
                    current = w.sentence;
                    seen.clear();
                }
                if !seen.contains(&w.stem.as_str()) {
                    seen.push(&w.stem);
                    *idf.df.entry(w.stem.clone()).or_default() += 1;
                }
            }
        }
        idf
    }

    /// The weight of a stem: `ln((N + 1) / (df + 0.5))`, at least 0.05.
    pub fn weight(&self, stem: &str) -> f64 {
        let df = self.df.get(stem).copied().unwrap_or(0) as f64;
        self.weight_of_df(df)
    }

    fn weight_of_df(&self, df: f64) -> f64 {
        idf(self.n as f64, df)
    }

    /// The weights of a statement's words. A statement word's document frequency counts the
    /// sentences holding any word related to it (its inflections, derivations, synonyms...), not only
    /// its own stem: "maintenance" is as common as "maintain", "maintains" and "maintaining" together,
    /// and a word the documents never use in that exact form does not get an outsized weight.
    ///
    /// A deverbal head noun followed by "of" ("*maintenance* of peace", "*promotion* of trade",
    /// "*construction* of infrastructure") weighs half: it says what is done, the complement what it
    /// is done to, and rewordings most often swap the verb ("safeguarding peace", "upholding peace").
    pub fn statement_weights<'a>(
        &self,
        s: &[Word],
        docs: impl IntoIterator<Item = &'a [Word]> + Clone,
        lex: &Lexicon,
    ) -> Vec<f64> {
        s.iter()
            .enumerate()
            .map(|(i, sw)| {
                let head = !sw.stop
                    && ["ion", "ment", "ance", "ence", "ing"]
                        .iter()
                        .any(|x| sw.norm.ends_with(x))
                    && s.get(i + 1).is_some_and(|n| n.norm == "of");
                let factor = if head { HEAD_FACTOR } else { 1.0 };
                factor * self.concept_weight(sw, docs.clone(), lex)
            })
            .collect()
    }

    fn concept_weight<'a>(
        &self,
        sw: &Word,
        docs: impl IntoIterator<Item = &'a [Word]>,
        lex: &Lexicon,
    ) -> f64 {
        {
            {
                if sw.stop {
                    return self.weight(&sw.stem);
                }
                let mut cache: FxHashMap<&str, bool> = FxHashMap::default();
                let mut df = 0u32;
                for words in docs {
                    let mut current = u32::MAX;
                    let mut counted = false;
                    for w in words {
                        if w.sentence != current {
                            current = w.sentence;
                            counted = false;
                        }
                        if counted {
                            continue;
                        }
                        let related = *cache
                            .entry(w.norm.as_str())
                            .or_insert_with(|| relate(sw, w, lex).is_some());
                        if related {
                            df += 1;
                            counted = true;
                        }
                    }
                }
                self.weight_of_df(df as f64)
            }
        }
    }
}

/// Stem a word the way [`words`] does (for tests and callers that hold single words).
pub fn stem_of(word: &str) -> String {
    stem(&normalize(word)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relate::synonyms::lexicon;

    fn rel(x: &str, y: &str) -> Option<Relation> {
        let mut v = Vocabulary::new();
        let lex = lexicon();
        let (a, b) = (words(x, &mut v, lex), words(y, &mut v, lex));
        relate(&a[0], &b[0], lex).map(|r| r.0)
    }

    #[test]
    fn hand_checked_relations() {
        assert_eq!(rel("respect", "respecting"), Some(Relation::Equal));
        assert_eq!(rel("maintenance", "maintain"), Some(Relation::Derived));
        assert_eq!(
            rel("promotion", "promoting"),
            Some(Relation::Equal),
            "one Snowball stem"
        );
        assert_eq!(rel("rules", "regulation"), Some(Relation::Synonym));
        assert_eq!(rel("construction", "building"), Some(Relation::Synonym));
        assert_eq!(
            rel("interconnectivity", "connectivity"),
            Some(Relation::Affix)
        );
        assert_eq!(rel("governmemt", "government"), Some(Relation::Fuzzy));
        assert_eq!(rel("security", "certificate"), None);
        assert_eq!(rel("the", "a"), None);
        // Same word (labels) versus other words.
        assert!(Relation::Derived.is_equal() && Relation::Compound.is_equal());
        assert!(!Relation::Synonym.is_equal() && !Relation::Affix.is_equal());
        assert_eq!(compound_weight("cybersecurity", "cybersecurity"), Some(1.0));
    }

    #[test]
    fn chinese_words_relate_only_when_equal() {
        assert_eq!(rel("主权", "主权"), Some(Relation::Equal));
        assert_eq!(rel("网", "主"), None);
    }

    #[test]
    fn unpunctuated_text_is_cut_into_bounded_sentences() {
        let mut v = Vocabulary::new();
        let ws = words(&"word ".repeat(250), &mut v, lexicon());
        assert_eq!(ws.last().unwrap().sentence, 2);
        assert!(ws.iter().filter(|w| w.sentence == 0).count() == MAX_SENTENCE);
    }
}
