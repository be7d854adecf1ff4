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

use std::ops::Range;

use rustc_hash::FxHashMap;

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
    by_form: FxHashMap<String, TokenId>,
    by_raw: FxHashMap<String, TokenId>,
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

    /// Add every form of `other` to this vocabulary and return, for each id of `other`, its id here.
    /// New forms get ids in `other`'s order, so merging is deterministic.
    pub fn merge(&mut self, other: &Vocabulary) -> Vec<TokenId> {
        other
            .entries
            .iter()
            .map(|e| match self.by_form.get(&e.form) {
                Some(&id) => id,
                None => {
                    let id = TokenId(
                        u32::try_from(self.entries.len()).expect("fewer than 4 billion forms"),
                    );
                    self.entries.push(e.clone());
                    self.by_form.insert(e.form.clone(), id);
                    id
                }
            })
            .collect()
    }

    /// Tokenise `text` into words with byte spans and ids.
    ///
    /// Texts longer than `u32::MAX` bytes are refused earlier, when documents are read.
    pub fn tokenize(&mut self, text: &str) -> Vec<Token> {
        let mut tokens = Vec::with_capacity(text.len() / 6);
        for_each_word(text, |start, word| {
            let id = self.intern(word);
            tokens.push(Token {
                start: start as u32,
                end: (start + word.len()) as u32,
                id,
            });
        });
        tokens
    }
}

/// Call `f(offset, word)` for every UAX #29 word of `text` that holds a letter or digit.
///
/// White space always separates words, so the text is cut at white space and each piece that is pure
/// ASCII goes through [`ascii_words`], a hand-written equivalent of UAX #29 for ASCII (measured: about
/// 4x faster than the general segmenter); other pieces go through `unicode-segmentation`.
pub fn for_each_word(text: &str, mut f: impl FnMut(usize, &str)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut ascii = true;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            ascii &= bytes[i].is_ascii();
            i += 1;
        }
        let piece = &text[start..i];
        if ascii {
            ascii_words(piece, |s, w| f(start + s, w));
        } else {
            for (s, w) in piece.split_word_bound_indices() {
                if w.chars().any(char::is_alphanumeric) {
                    f(start + s, w);
                }
            }
        }
    }
}

/// UAX #29 word boundaries restricted to ASCII: letters, digits and `_` join (WB5, WB8–10, WB13a/b);
/// `:` `.` `'` join two letters (WB6/7); `,` `;` `.` `'` join two digits (WB11/12). Only words holding
/// a letter or digit are given.
fn ascii_words(piece: &str, mut f: impl FnMut(usize, &str)) {
    let b = piece.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < b.len() {
        if !word(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut alnum = false;
        loop {
            while i < b.len() && word(b[i]) {
                alnum |= b[i] != b'_';
                i += 1;
            }
            let (Some(&mid), Some(&next)) = (b.get(i), b.get(i + 1)) else {
                break;
            };
            let prev = b[i - 1];
            let letters = prev.is_ascii_alphabetic()
                && next.is_ascii_alphabetic()
                && matches!(mid, b':' | b'.' | b'\'');
            let digits = prev.is_ascii_digit()
                && next.is_ascii_digit()
                && matches!(mid, b',' | b';' | b'.' | b'\'');
            if letters || digits {
                i += 1;
            } else {
                break;
            }
        }
        if alnum {
            f(start, &piece[start..i]);
        }
    }
}

/// Count the words of `text` the way [`Vocabulary::tokenize`] does, without building ids.
pub fn count_words(text: &str) -> usize {
    let mut n = 0;
    for_each_word(text, |_, _| n += 1);
    n
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

    /// The reference: every UAX #29 word holding a letter or digit.
    fn reference(text: &str) -> Vec<(usize, &str)> {
        text.split_word_bound_indices()
            .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
            .collect()
    }

    fn fast(text: &str) -> Vec<(usize, &str)> {
        let mut v = Vec::new();
        for_each_word(text, |s, w| v.push((s, &text[s..s + w.len()])));
        v
    }

    #[test]
    fn ascii_fast_path_handles_the_joining_rules() {
        for text in [
            "can't U.S.A e.g. 3.14 1,000,000 a:b x_y _z __ a. .b 3,a a'1 end.",
            "a.b.c 1;2 x'' ''y",
        ] {
            assert_eq!(fast(text), reference(text), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_path_equals_uax29(text in "[a-c0-2_ .,;:'\\-\n\té中’A]{0,40}") {
            proptest::prop_assert_eq!(fast(&text), reference(&text));
        }

        #[test]
        fn spans_are_on_char_boundaries_inside_the_text(text in "\\PC{0,60}") {
            let mut v = Vocabulary::new();
            for t in v.tokenize(&text) {
                proptest::prop_assert!(t.start < t.end && (t.end as usize) <= text.len());
                proptest::prop_assert!(text.is_char_boundary(t.start as usize) && text.is_char_boundary(t.end as usize));
            }
        }

        #[test]
        fn normalize_is_idempotent(word in "\\PC{1,12}") {
            let once = normalize(&word);
            proptest::prop_assert_eq!(normalize(&once), once);
        }
    }

    #[test]
    fn merged_vocabularies_give_the_ids_of_a_shared_one() {
        let (x, y) = (
            "the principles of cyber sovereignty",
            "sovereignty and the principle of peace",
        );
        let mut shared = Vocabulary::new();
        let (sx, sy) = (shared.tokenize(x), shared.tokenize(y));
        let (mut vx, mut vy) = (Vocabulary::new(), Vocabulary::new());
        let tx = vx.tokenize(x);
        let ty = vy.tokenize(y);
        let map = vx.merge(&vy);
        let ty: Vec<Token> = ty
            .into_iter()
            .map(|t| Token {
                id: map[t.id.0 as usize],
                ..t
            })
            .collect();
        assert_eq!((tx, ty), (sx, sy));
    }

    #[test]
    fn count_matches_tokenize() {
        let text = "One, two — three 四五 six.";
        let mut v = Vocabulary::new();
        assert_eq!(count_words(text), v.tokenize(text).len());
    }
}
