//! The synonym resource: WordNet 3.1 synonym groups and derivation pairs, compiled in.
//!
//! `data/wordnet-synonyms.txt` is derived from WordNet by `tools/wordnet_synonyms.py` (how and why it
//! is filtered is written there): `s` lines are synsets restricted to single-word lemmas of their
//! commonest senses and to small synsets, `d` lines are pairs of lemmas WordNet marks as derivationally
//! related ("maintain" / "maintenance"). Words are looked up by lemma, not by stem: a word's candidate
//! lemmas are the word itself and what WordNet's own "morphy" suffix rules give ("helps" -> "help",
//! "building" -> "build", "cities" -> "city"), kept when the lexicon knows them. Stems would merge
//! parts of speech ("security" and "secure" share the stem "secur", and "secure" is a synonym of
//! "firm"), which makes chance synonyms. Nothing in the resource is specific to any corpus.

use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::text::normalize;

/// The resource as shipped (about 0.9 MB of text).
const WORDNET: &str = include_str!("../../data/wordnet-synonyms.txt");

/// Synonym groups and derivation pairs, by stem.
#[derive(Debug, Default)]
pub struct Lexicon {
    /// For each lemma, the ids of the synonym groups it belongs to, sorted.
    groups: FxHashMap<String, Vec<u32>>,
    /// Derivationally related lemma pairs, each stored with the smaller lemma first.
    derived: FxHashSet<(String, String)>,
    /// Every lemma of a derivation pair.
    derived_words: FxHashSet<String>,
    /// The derivation partners of each lemma.
    derived_of: FxHashMap<String, Vec<String>>,
}

/// The compiled-in WordNet lexicon, parsed on first use.
pub fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| Lexicon::parse(WORDNET))
}

fn key(word: &str) -> String {
    normalize(word)
}

/// WordNet's "morphy" detachment rules (nouns, verbs, adjectives): suffix -> replacement.
const MORPHY: [(&str, &str); 17] = [
    ("s", ""),
    ("ses", "s"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
    ("es", "e"),
    ("es", ""),
    ("ed", "e"),
    ("ed", ""),
    ("ing", "e"),
    ("ing", ""),
    ("er", ""),
    ("est", ""),
    ("est", "e"),
];

impl Lexicon {
    /// Parse the resource's text: `s lemma lemma...` and `d lemma lemma` lines, `#` comments.
    pub fn parse(text: &str) -> Self {
        let mut lex = Lexicon::default();
        let mut next_group = 0u32;
        for line in text.lines() {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("s") => {
                    let mut stems: Vec<String> = words.map(key).collect();
                    stems.sort();
                    stems.dedup();
                    if stems.len() < 2 {
                        continue;
                    }
                    for s in stems {
                        let g = lex.groups.entry(s).or_default();
                        if g.last() != Some(&next_group) {
                            g.push(next_group);
                        }
                    }
                    next_group += 1;
                }
                Some("d") => {
                    let (Some(a), Some(b)) = (words.next(), words.next()) else {
                        continue;
                    };
                    let (a, b) = (key(a), key(b));
                    if a != b {
                        lex.derived_words.insert(a.clone());
                        lex.derived_words.insert(b.clone());
                        lex.derived_of.entry(a.clone()).or_default().push(b.clone());
                        lex.derived_of.entry(b.clone()).or_default().push(a.clone());
                        lex.derived.insert(if a < b { (a, b) } else { (b, a) });
                    }
                }
                _ => {}
            }
        }
        lex
    }

    /// The lemmas the lexicon knows for a normalised word: the word itself and its morphy
    /// detachments, in that order, without repeats.
    pub fn lemmas(&self, norm: &str) -> Vec<String> {
        let known = |w: &str| self.groups.contains_key(w) || self.derived_words.contains(w);
        let mut out: Vec<String> = Vec::new();
        if known(norm) {
            out.push(norm.to_owned());
        }
        for (suffix, with) in MORPHY {
            if let Some(base) = norm.strip_suffix(suffix) {
                let cand = format!("{base}{with}");
                if cand.len() >= 2 && known(&cand) && !out.contains(&cand) {
                    out.push(cand);
                }
            }
        }
        out
    }

    /// True when two different words (given by their lemmas) share a synonym group, directly or
    /// through a derivation of one of them ("construction" -> "construct", a synonym of "build").
    pub fn synonyms(&self, a: &[String], b: &[String]) -> bool {
        if a.iter().any(|x| b.contains(x)) {
            return false;
        }
        let widen = |ls: &[String]| -> Vec<String> {
            let mut out = ls.to_vec();
            for l in ls {
                if let Some(ds) = self.derived_of.get(l) {
                    out.extend(ds.iter().cloned());
                }
            }
            out
        };
        let (wa, wb) = (widen(a), widen(b));
        wa.iter()
            .any(|x| wb.iter().any(|y| x != y && self.share_group(x, y)))
    }

    /// The derivation partners of a lemma ("maintain" -> "maintenance").
    pub fn partners(&self, lemma: &str) -> &[String] {
        self.derived_of.get(lemma).map_or(&[], Vec::as_slice)
    }

    /// The synonym groups a lemma belongs to, sorted.
    pub fn groups(&self, lemma: &str) -> &[u32] {
        self.groups.get(lemma).map_or(&[], Vec::as_slice)
    }

    /// True when WordNet marks two words (given by their lemmas) as derivationally related.
    pub fn derived(&self, a: &[String], b: &[String]) -> bool {
        a.iter().any(|x| {
            b.iter().any(|y| {
                let pair = if x < y { (x, y) } else { (y, x) };
                self.derived.contains(&(pair.0.clone(), pair.1.clone()))
            })
        })
    }

    fn share_group(&self, a: &str, b: &str) -> bool {
        let (Some(x), Some(y)) = (self.groups.get(a), self.groups.get(b)) else {
            return false;
        };
        // Both lists are sorted: a merge walk finds a shared group.
        let (mut i, mut j) = (0, 0);
        while i < x.len() && j < y.len() {
            match x[i].cmp(&y[j]) {
                std::cmp::Ordering::Equal => return true,
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_groups_and_pairs_by_stem() {
        let lex =
            Lexicon::parse("# c\ns build construct\ns aid assist help\nd maintain maintenance\n");
        let l = |w: &str| lex.lemmas(w);
        assert!(lex.synonyms(&l("construct"), &l("build")));
        assert!(lex.synonyms(&l("assisting"), &l("helps")));
        assert!(!lex.synonyms(&l("build"), &l("help")));
        assert!(
            !lex.synonyms(&l("build"), &l("builds")),
            "one word is not its own synonym"
        );
        assert!(lex.derived(&l("maintenance"), &l("maintained")));
        assert!(!lex.derived(&l("build"), &l("construct")));
    }

    #[test]
    fn the_shipped_resource_is_general_wordnet() {
        let lex = lexicon();
        // Near-synonyms any English thesaurus gives, none of them words of the bundled statements'
        // reworded pairs in particular.
        for (a, b) in [
            ("construct", "build"),
            ("assist", "help"),
            ("rule", "regulation"),
            ("big", "large"),
            ("begin", "start"),
        ] {
            assert!(lex.synonyms(&lex.lemmas(a), &lex.lemmas(b)), "{a} / {b}");
        }
        let l = |w: &str| lex.lemmas(w);
        assert!(lex.derived(&l("maintain"), &l("maintenance")));
        // Rare senses are left out: "security" is not "certificate", "order" is not "club"; and
        // lemmas keep parts of speech apart: "security" is not "firmly" (as "secure" would be).
        assert!(!lex.synonyms(&l("security"), &l("certificate")));
        assert!(!lex.synonyms(&l("order"), &l("club")));
        assert!(!lex.synonyms(&l("security"), &l("firmly")));
        assert!(lex.groups.len() > 10_000);
    }
}
