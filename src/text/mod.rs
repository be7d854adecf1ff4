//! Text: words with byte spans, normalised and stemmed, mapped to ids.
//!
//! Takes a document's decoded text and gives its [`Token`]s: every UAX #29 word that holds a letter or a
//! digit, with its byte span into the text exactly as written, and a [`TokenId`] shared by every word that
//! normalises to the same form (NFKC, case folded, quote and dash variants unified, possessive dropped,
//! Snowball-stemmed). Unspaced scripts (Han, Hiragana, Katakana) come out one character per token, which is
//! how UAX #29 segments them; the seeding stage gives them longer n-grams.
//!
//! Guarantees: every span lies inside the text and on `char` boundaries; [`normalize`] is idempotent;
//! ids come from a [`Vocabulary`] so two documents tokenised with one vocabulary share ids.

mod normalize;
mod stopwords;

pub use normalize::{is_cjk_char, normalize, stem};

use std::collections::HashMap;
use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// Id of one normalised word form in a [`Vocabulary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenId(pub u32);

/// One word of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte of the word in the text.
    pub start: u32,
    /// Byte offset one past the last byte of the word.
    pub end: u32,
    /// The normalised form.
    pub id: TokenId,
}

impl Token {
    /// The byte span of the word as a range.
    pub fn span(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// What the vocabulary knows of one word form.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The normalised, stemmed form.
    pub form: String,
    /// A function word ("the", "of", "的"): it carries little meaning on its own.
    pub stop: bool,
    /// A single character of an unspaced script (Han, Kana).
    pub cjk: bool,
}

/// Maps normalised word forms to ids, and raw spellings to ids through a cache so that each distinct
/// spelling is normalised and stemmed once.
#[derive(Debug, Default)]
pub struct Vocabulary {
    entries: Vec<Entry>,
    by_form: HashMap<String, TokenId>,
    by_raw: HashMap<String, TokenId>,
}

impl Vocabulary {
    /// An empty vocabulary.
    pub fn new() -> Self {
        Self::default()
    }

    /// What is known of `id`.
    pub fn entry(&self, id: TokenId) -> &Entry {
        &self.entries[id.0 as usize]
    }

    /// Number of distinct normalised forms.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no word was added yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The id of a raw word as written, normalising it on first sight.
    pub fn intern(&mut self, raw: &str) -> TokenId {
        if let Some(&id) = self.by_raw.get(raw) {
            return id;
        }
        let norm = normalize(raw);
        let form = stem(&norm).into_owned();
        let id = match self.by_form.get(&form) {
            Some(&id) => id,
            None => {
                let id =
                    TokenId(u32::try_from(self.entries.len()).expect("fewer than 4 billion forms"));
                let cjk = form.chars().count() == 1 && form.chars().all(is_cjk_char);
                let stop = stopwords::is_stop(&norm) || stopwords::is_stop(&form);
                self.entries.push(Entry {
                    form: form.clone(),
                    stop,
                    cjk,
                });
                self.by_form.insert(form, id);
                id
            }
        };
        self.by_raw.insert(raw.to_owned(), id);
        id
    }

    /// Tokenise `text` into words with byte spans and ids.
    ///
    /// Texts longer than `u32::MAX` bytes are refused earlier, when documents are read.
    pub fn tokenize(&mut self, text: &str) -> Vec<Token> {
        let mut tokens = Vec::with_capacity(text.len() / 6);
        for (start, word) in text.split_word_bound_indices() {
            if !word.chars().any(char::is_alphanumeric) {
                continue;
            }
            let id = self.intern(word);
            tokens.push(Token {
                start: start as u32,
                end: (start + word.len()) as u32,
                id,
            });
        }
        tokens
    }
}

/// Count the words of `text` the way [`Vocabulary::tokenize`] does, without building ids.
pub fn count_words(text: &str) -> usize {
    text.split_word_bounds()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(text: &str) -> Vec<String> {
        let mut v = Vocabulary::new();
        let toks = v.tokenize(text);
        toks.iter().map(|t| v.entry(t.id).form.clone()).collect()
    }

    #[test]
    fn spans_cover_words_exactly() {
        let text = "Cyber sovereignty, respected — “openly”.";
        let mut v = Vocabulary::new();
        let toks = v.tokenize(text);
        let words: Vec<&str> = toks.iter().map(|t| &text[t.span()]).collect();
        assert_eq!(words, ["Cyber", "sovereignty", "respected", "openly"]);
    }

    #[test]
    fn inflections_share_an_id() {
        assert_eq!(forms("achieve achieving"), ["achiev", "achiev"]);
        assert_eq!(forms("Realizing realize"), ["realiz", "realiz"]);
        assert_eq!(forms("China’s China's china"), ["china", "china", "china"]);
    }

    #[test]
    fn cjk_is_split_into_characters() {
        let text = "中华人民共和国 is 国家";
        let mut v = Vocabulary::new();
        let toks = v.tokenize(text);
        assert_eq!(toks.len(), 10);
        assert!(v.entry(toks[0].id).cjk);
        assert!(!v.entry(toks[7].id).cjk);
        assert_eq!(&text[toks[9].span()], "家");
    }

    #[test]
    fn fullwidth_and_case_are_folded() {
        assert_eq!(forms("ＡＢＣ abc ABC"), ["abc", "abc", "abc"]);
    }

    #[test]
    fn stop_words_are_marked() {
        let mut v = Vocabulary::new();
        let toks = v.tokenize("the principle of 的");
        let stops: Vec<bool> = toks.iter().map(|t| v.entry(t.id).stop).collect();
        assert_eq!(stops, [true, false, true, true]);
    }

    #[test]
    fn count_matches_tokenize() {
        let text = "One, two — three 四五 six.";
        let mut v = Vocabulary::new();
        assert_eq!(count_words(text), v.tokenize(text).len());
    }
}
