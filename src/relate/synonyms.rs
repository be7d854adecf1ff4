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

use rustc_hash::FxHashMap;

/// The resource as shipped (about 0.9 MB of text).
const WORDNET: &str = include_str!("../../data/wordnet-synonyms.txt");

/// A lemma of the lexicon, numbered in order of first appearance in the resource.
pub type LemmaId = u32;

/// Synonym groups and derivation pairs, by lemma.
///
/// The resource's words are already in normal form (lower-case ASCII letters: see
/// `tools/wordnet_synonyms.py` and the test below), so the lexicon borrows them from the compiled-in
/// text instead of copying them, and keeps each lemma's groups and partners in two flat lists.
#[derive(Debug, Default)]
pub struct Lexicon {
    /// Every lemma of a synonym group (of two or more lemmas) or of a derivation pair, by spelling.
    ids: FxHashMap<&'static str, LemmaId>,
    /// The spelling of each lemma.
    names: Vec<&'static str>,
    /// For each lemma, the ids of the synonym groups it belongs to, sorted:
    /// `group_ids[group_start[l]..group_start[l + 1]]`.
    group_start: Vec<u32>,
    group_ids: Vec<u32>,
    /// The derivation partners of each lemma, in the resource's order (both ways of every pair).
    partner_start: Vec<u32>,
    partner_ids: Vec<LemmaId>,
}

/// The compiled-in WordNet lexicon, parsed on first use.
pub fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| Lexicon::parse(WORDNET))
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

/// Lay `(key, value)` pairs out as one list per key (`0..n`): the values of key `k` are
/// `values[start[k]..start[k + 1]]`, in the order given.
fn flat_lists(n: usize, pairs: &[(u32, u32)]) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; n + 1];
    for &(k, _) in pairs {
        start[k as usize + 1] += 1;
    }
    for k in 0..n {
        start[k + 1] += start[k];
    }
    let mut fill = start.clone();
    let mut values = vec![0u32; pairs.len()];
    for &(k, v) in pairs {
        values[fill[k as usize] as usize] = v;
        fill[k as usize] += 1;
    }
    (start, values)
}

impl Lexicon {
    /// Parse the resource's text: `s lemma lemma...` and `d lemma lemma` lines, `#` comments. The
    /// words are taken as written: they must be in normal form (lower case, see [`crate::text::normalize`]).
    pub fn parse(text: &'static str) -> Self {
        let mut lex = Lexicon::default();
        let intern = |lex: &mut Lexicon, w: &'static str| -> LemmaId {
            let next = lex.names.len() as LemmaId;
            *lex.ids.entry(w).or_insert_with(|| {
                lex.names.push(w);
                next
            })
        };
        // (lemma, group) in group order, and (lemma, partner) both ways, in the resource's order.
        let mut in_group: Vec<(u32, u32)> = Vec::new();
        let mut partners: Vec<(u32, u32)> = Vec::new();
        let mut next_group = 0u32;
        let mut stems: Vec<&'static str> = Vec::new();
        // The resource is ASCII, its groups written sorted: the byte-wise splitter, and a check
        // instead of a sort, keep parsing its 0.9 MB a small part of a comparison.
        for line in text.lines() {
            let mut words = line.split_ascii_whitespace();
            match words.next() {
                Some("s") => {
                    stems.clear();
                    stems.extend(words);
                    if !stems.is_sorted() {
                        stems.sort_unstable();
                    }
                    stems.dedup();
                    if stems.len() < 2 {
                        continue;
                    }
                    for &s in &stems {
                        let l = intern(&mut lex, s);
                        in_group.push((l, next_group));
                    }
                    next_group += 1;
                }
                Some("d") => {
                    let (Some(a), Some(b)) = (words.next(), words.next()) else {
                        continue;
                    };
                    if a != b {
                        let (a, b) = (intern(&mut lex, a), intern(&mut lex, b));
                        partners.push((a, b));
                        partners.push((b, a));
                    }
                }
                _ => {}
            }
        }
        let n = lex.names.len();
        (lex.group_start, lex.group_ids) = flat_lists(n, &in_group);
        (lex.partner_start, lex.partner_ids) = flat_lists(n, &partners);
        lex
    }

    /// The id of a lemma the lexicon knows (a member of a synonym group or of a derivation pair).
    pub fn id(&self, lemma: &str) -> Option<LemmaId> {
        self.ids.get(lemma).copied()
    }

    /// The spelling of a lemma.
    pub fn name(&self, lemma: LemmaId) -> &'static str {
        self.names[lemma as usize]
    }

    /// The lemmas the lexicon knows for a normalised word: the word itself and its morphy
    /// detachments, in that order, without repeats.
    pub fn lemmas(&self, norm: &str) -> Vec<LemmaId> {
        let mut out: Vec<LemmaId> = Vec::new();
        if let Some(l) = self.id(norm) {
            out.push(l);
        }
        let mut cand = String::new();
        for (suffix, with) in MORPHY {
            if let Some(base) = norm.strip_suffix(suffix) {
                cand.clear();
                cand.push_str(base);
                cand.push_str(with);
                if cand.len() >= 2
                    && let Some(l) = self.id(&cand)
                    && !out.contains(&l)
                {
                    out.push(l);
                }
            }
        }
        out
    }

    /// True when two different words (given by their lemmas) share a synonym group, directly or
    /// through a derivation of one of them ("construction" -> "construct", a synonym of "build").
    pub fn synonyms(&self, a: &[LemmaId], b: &[LemmaId]) -> bool {
        if a.iter().any(|x| b.contains(x)) {
            return false;
        }
        let widen = |ls: &[LemmaId]| -> Vec<LemmaId> {
            let mut out = ls.to_vec();
            for &l in ls {
                out.extend_from_slice(self.partners(l));
            }
            out
        };
        let (wa, wb) = (widen(a), widen(b));
        wa.iter()
            .any(|&x| wb.iter().any(|&y| x != y && self.share_group(x, y)))
    }

    /// The derivation partners of a lemma ("maintain" -> "maintenance").
    pub fn partners(&self, lemma: LemmaId) -> &[LemmaId] {
        let l = lemma as usize;
        &self.partner_ids[self.partner_start[l] as usize..self.partner_start[l + 1] as usize]
    }

    /// The synonym groups a lemma belongs to, sorted.
    pub fn groups(&self, lemma: LemmaId) -> &[u32] {
        let l = lemma as usize;
        &self.group_ids[self.group_start[l] as usize..self.group_start[l + 1] as usize]
    }

    /// True when WordNet marks two words (given by their lemmas) as derivationally related.
    pub fn derived(&self, a: &[LemmaId], b: &[LemmaId]) -> bool {
        a.iter()
            .any(|&x| b.iter().any(|y| self.partners(x).contains(y)))
    }

    fn share_group(&self, a: LemmaId, b: LemmaId) -> bool {
        let (x, y) = (self.groups(a), self.groups(b));
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
        assert!(
            (0..lex.names.len() as LemmaId)
                .filter(|&l| !lex.groups(l).is_empty())
                .count()
                > 10_000
        );
    }

    #[test]
    fn the_shipped_words_are_in_normal_form() {
        // The lexicon borrows the resource's words as they are written: each must be its own
        // normal form, as the words it is looked up with are.
        for line in WORDNET.lines().filter(|l| !l.starts_with('#')) {
            for w in line.split_whitespace().skip(1) {
                assert_eq!(crate::text::normalize(w), w, "{line}");
            }
        }
    }
}
