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

mod ascii;
mod normalize;
mod stopwords;

pub use normalize::{is_cjk_char, lowercase_is_normal, normalize, normalize_into, stem};
pub use stopwords::is_stop_form;

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

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
    pub form: Arc<str>,
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
    by_form: FxHashMap<Arc<str>, TokenId>,
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
        let mut form = String::new();
        let stop = analyse_into(raw, &mut form);
        let id = self.id_of_form(&form, stop);
        self.by_raw.insert(raw.to_owned(), id);
        id
    }

    /// The id of a normalised, stemmed form, a new one (with its flags) on first sight.
    fn id_of_form(&mut self, form: &str, stop: bool) -> TokenId {
        if let Some(&id) = self.by_form.get(form) {
            return id;
        }
        let id = TokenId(u32::try_from(self.entries.len()).expect("fewer than 4 billion forms"));
        let cjk = form.chars().count() == 1 && form.chars().all(is_cjk_char);
        // The entry and the map share the form's one allocation.
        let form: Arc<str> = Arc::from(form);
        self.entries.push(Entry {
            form: Arc::clone(&form),
            stop,
            cjk,
        });
        self.by_form.insert(form, id);
        id
    }

    /// The ids of `spellings` (words as written), normalising and stemming each one not seen before
    /// (in parallel when there are many) and giving new forms ids in the order of the spellings, so
    /// the ids are those of interning the spellings one by one with [`Self::intern`].
    pub fn intern_spellings(&mut self, spellings: &[&str]) -> Vec<TokenId> {
        self.intern_spellings_as(spellings, true)
    }

    /// [`Self::intern_spellings`] for a caller that will not intern these spellings again (it has all
    /// the words it will see): they are not remembered, which saves a string and a hash map entry a
    /// spelling.
    pub fn intern_spellings_once(&mut self, spellings: &[&str]) -> Vec<TokenId> {
        self.intern_spellings_as(spellings, false)
    }

    fn intern_spellings_as(&mut self, spellings: &[&str], remember: bool) -> Vec<TokenId> {
        // The new spellings are analysed in runs (in parallel when there are many: stemming is most
        // of the cost of a new spelling, and below a few thousand the threads would cost more than
        // they save), each run writing its forms end to end in one string: an allocation a run, not
        // two or three a spelling (in one malloc arena, the threads' allocations serialise).
        const RUN: usize = 1024;
        let analyse_run = |run: &[&str]| {
            let mut forms = Analysed::default();
            for raw in run {
                let start = forms.text.len();
                let known = self.by_raw.get(*raw).copied();
                let stop = known.is_none() && analyse_into(raw, &mut forms.text);
                forms.each.push((known, start, forms.text.len(), stop));
            }
            forms
        };
        let runs: Vec<Analysed> = if spellings.len() >= 4 * RUN {
            use rayon::prelude::*;
            spellings.par_chunks(RUN).map(analyse_run).collect()
        } else {
            spellings.chunks(RUN).map(analyse_run).collect()
        };
        let mut ids = Vec::with_capacity(spellings.len());
        for (run, forms) in spellings.chunks(RUN).zip(&runs) {
            for (raw, &(known, start, end, stop)) in run.iter().zip(&forms.each) {
                let id = match known {
                    Some(id) => id,
                    None => self.id_of_form(&forms.text[start..end], stop),
                };
                if remember && known.is_none() {
                    self.by_raw.insert((*raw).to_owned(), id);
                }
                ids.push(id);
            }
        }
        ids
    }

    /// Tokenise `text` into words with byte spans and ids.
    ///
    /// Texts longer than `u32::MAX` bytes are refused earlier, when documents are read.
    pub fn tokenize(&mut self, text: &str) -> Vec<Token> {
        let mut sp = Spellings::new();
        let mut tokens = sp.tokenize(text);
        let ids = self.intern_spellings(sp.list());
        for t in &mut tokens {
            t.id = ids[t.id.0 as usize];
        }
        tokens
    }
}

/// The forms of a run of spellings, end to end, and per spelling: its id if it was known, the span
/// of its form in `text`, and whether it is a function word.
#[derive(Default)]
struct Analysed {
    text: String,
    each: Vec<(Option<TokenId>, usize, usize, bool)>,
}

/// Append the normalised, stemmed form of a raw word to `out`; true when it is a function word. A
/// word the stemmer leaves as it is (most ASCII words) costs no allocation.
fn analyse_into(raw: &str, out: &mut String) -> bool {
    let start = out.len();
    normalize_into(raw, out);
    let norm = &out[start..];
    match stem(norm) {
        Cow::Borrowed(form) if form.len() == norm.len() => {}
        changed => {
            let form = changed.into_owned();
            out.truncate(start);
            out.push_str(&form);
        }
    }
    stopwords::is_stop_form(&out[start..])
}

/// The words of one or more texts as written, before normalisation: each distinct spelling once, in
/// order of first appearance, numbered from 0. Borrowing the spellings from the texts keeps the pass
/// over the words to one hash look-up each, with no allocation; normalising and stemming, the costly
/// part, then runs once per distinct spelling ([`Vocabulary::intern_spellings`]), in parallel.
///
/// A spelling of at most 16 bytes (nearly every word) is looked up by its bytes packed in integers:
/// hashing and comparing it are a few instructions, where a string key costs a byte hash and a
/// `memcmp` a look-up (measured: a seventh of the whole comparison of two 1 MB texts). Spellings of
/// at most 8 bytes (70% of the distinct ones in English, 85% of the words) have a table of 16-byte
/// entries of their own: the look-ups miss the cache less than in one table of 32-byte entries.
#[derive(Debug, Default)]
pub struct Spellings<'t> {
    list: Vec<&'t str>,
    short: FxHashMap<u64, u32>,
    medium: FxHashMap<(u64, u64), u32>,
    long: FxHashMap<&'t str, u32>,
}

/// The bytes of a word of at most 16 bytes and no NUL byte, packed little-endian (zero padding is
/// then unambiguous). A word can hold NUL: UAX #29 joins a mark to a NUL before it, and marks such
/// as U+0652 are alphabetic (found by fuzzing); such words are looked up by their string.
fn packed(word: &[u8]) -> Option<u128> {
    if word.len() > 16 {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..word.len()].copy_from_slice(word);
    keyed(u128::from_le_bytes(buf), word.len())
}

/// [`packed`] of `text[start..end]`, reading 16 bytes at once when the text has them.
fn packed_at(text: &[u8], start: usize, end: usize) -> Option<u128> {
    let len = end - start;
    match text.get(start..start + 16) {
        Some(window) if len <= 16 => {
            let all = u128::from_le_bytes(window.try_into().expect("16 bytes"));
            keyed(all & bytes_mask(len), len)
        }
        _ => packed(&text[start..end]),
    }
}

/// The key of a word packed in `key` (`len` bytes), or `None` when one of its bytes is NUL.
fn keyed(key: u128, len: usize) -> Option<u128> {
    const LOW: u128 = u128::from_le_bytes([0x01; 16]);
    const HIGH: u128 = u128::from_le_bytes([0x80; 16]);
    // Bytes past the word set to 0xFF, then the classic test for a zero byte.
    let x = key | !bytes_mask(len);
    let has_nul = x.wrapping_sub(LOW) & !x & HIGH != 0;
    (!has_nul).then(|| fold_ascii_case(key, len))
}

/// The low `len` bytes of a `u128` set.
fn bytes_mask(len: usize) -> u128 {
    if len >= 16 {
        u128::MAX
    } else {
        (1u128 << (8 * len)) - 1
    }
}

/// A packed ASCII word of `len` bytes with its letters in lower case: setting bit 5 of each byte
/// lowers a capital and leaves every other byte a word can hold unchanged but `_` (which becomes
/// DEL, a byte no word holds), so distinct words stay distinct. "The" and "the" normalise alike, so
/// they can be one spelling: 15% fewer spellings to stem in English. Words with other bytes are kept
/// as written.
fn fold_ascii_case(key: u128, len: usize) -> u128 {
    const HIGH: u128 = u128::from_le_bytes([0x80; 16]);
    const CASE: u128 = u128::from_le_bytes([0x20; 16]);
    if key & HIGH == 0 {
        key | (CASE & bytes_mask(len))
    } else {
        key
    }
}

impl<'t> Spellings<'t> {
    /// No spelling yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The distinct spellings, in order of first appearance (ASCII words of up to 16 bytes that differ
    /// only in case are one spelling, listed as first seen).
    pub fn list(&self) -> &[&'t str] {
        &self.list
    }

    /// The number of `word`, numbering it on first sight.
    pub fn number(&mut self, word: &'t str) -> u32 {
        self.number_keyed(word, packed(word.as_bytes()))
    }

    fn number_keyed(&mut self, word: &'t str, key: Option<u128>) -> u32 {
        let next = self.list.len() as u32;
        let n = match key {
            Some(key) if word.len() <= 8 => *self.short.entry(key as u64).or_insert(next),
            Some(key) => *self
                .medium
                .entry((key as u64, (key >> 64) as u64))
                .or_insert(next),
            None => *self.long.entry(word).or_insert(next),
        };
        if n == next {
            self.list.push(word);
        }
        n
    }

    /// The words of `text` with byte spans; each token's `id` is the number of its spelling here.
    pub fn tokenize(&mut self, text: &'t str) -> Vec<Token> {
        self.reserve_for(text);
        let mut tokens = Vec::with_capacity(text.len() / 6);
        for_each_word(text, |start, word| {
            let end = start + word.len();
            let n = self.number_keyed(word, packed_at(text.as_bytes(), start, end));
            tokens.push(Token {
                start: start as u32,
                end: end as u32,
                id: TokenId(n),
            });
        });
        tokens
    }

    /// The numbers of the spellings of `text`'s words, in order (the ids of [`Self::tokenize`]).
    pub fn numbers(&mut self, text: &'t str) -> Vec<u32> {
        self.reserve_for(text);
        let mut out = Vec::with_capacity(text.len() / 6);
        for_each_word(text, |start, word| {
            let key = packed_at(text.as_bytes(), start, start + word.len());
            out.push(self.number_keyed(word, key));
        });
        out
    }

    /// Room for the spellings of a text about to be read, guessed from its length (about one new
    /// spelling every 64 bytes of a 1 MB English text), so the tables are not grown again and again.
    fn reserve_for(&mut self, text: &str) {
        let guess = (text.len() / 64).min(1 << 16);
        if self.list.len() < guess {
            self.list.reserve(guess - self.list.len());
            self.short.reserve(guess * 7 / 10);
            self.medium.reserve(guess * 3 / 10);
        }
    }

    /// Add the spellings of `other` and return, for each number of `other`, its number here.
    pub fn merge(&mut self, other: &Spellings<'t>) -> Vec<u32> {
        other.list.iter().map(|w| self.number(w)).collect()
    }
}

/// Call `f(offset, word)` for every UAX #29 word of `text` that holds a letter or digit.
///
/// White space always separates words, so the text is cut into pieces at (ASCII) white space. A
/// piece that holds a non-ASCII byte goes through `unicode-segmentation` as a whole; the pieces
/// between two such, all ASCII, are cut by `ascii::for_each_word`, a hand-written equivalent of
/// UAX #29 for ASCII (letters, digits and `_` join, WB5, WB8–10, WB13a/b; `:` `.` `'` join two
/// letters, WB6/7; `,` `;` `.` `'` join two digits, WB11/12) working on 64 bytes at a time
/// (measured on 1 MB of English: 0.8–1.0 ms, against 3.4 ms for the byte-at-a-time cutter it
/// replaced, itself about 4x faster than the general segmenter).
pub fn for_each_word<'t>(text: &'t str, mut f: impl FnMut(usize, &'t str)) {
    let b = text.as_bytes();
    let mut done = 0;
    while let Some(k) = first_non_ascii(&b[done..]) {
        let at = done + k;
        // The piece around the non-ASCII byte, from white space to white space.
        let piece = b[done..at]
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(done, |p| done + p + 1);
        let end = b[at..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(b.len(), |p| at + p);
        ascii::for_each_word(&text[done..piece], |s, w| f(done + s, w));
        for (s, w) in text[piece..end].split_word_bound_indices() {
            if w.chars().any(char::is_alphanumeric) {
                f(piece + s, w);
            }
        }
        done = end;
    }
    ascii::for_each_word(&text[done..], |s, w| f(done + s, w));
}

/// The offset of the first byte of `b` that is not ASCII, eight bytes at a time.
fn first_non_ascii(b: &[u8]) -> Option<usize> {
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let mut chunks = b.chunks_exact(8);
    for (k, chunk) in chunks.by_ref().enumerate() {
        let high = u64::from_le_bytes(chunk.try_into().expect("8 bytes")) & HIGH;
        if high != 0 {
            return Some(k * 8 + high.trailing_zeros() as usize / 8);
        }
    }
    let rest = chunks.remainder();
    rest.iter()
        .position(|&c| c >= 0x80)
        .map(|p| b.len() - rest.len() + p)
}

/// Only a word of underscores alone holds no letter or digit.
fn holds_alnum(word: &[u8]) -> bool {
    word.iter().any(|&c| c != b'_')
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
        toks.iter()
            .map(|t| v.entry(t.id).form.to_string())
            .collect()
    }

    /// A form is a function word or not whichever of its spellings comes first: "does" (a function
    /// word) and "doe" (not one) share the form "doe". When the first spelling decided, which n-grams
    /// a document has depended on the corpus around it (a deer in Job, in the Bible corpus).
    #[test]
    fn a_forms_function_word_flag_does_not_depend_on_which_spelling_came_first() {
        for (function, other) in [("does", "doe"), ("Does", "DOE")] {
            let mut flags = Vec::new();
            for text in [format!("{function} {other}"), format!("{other} {function}")] {
                let mut v = Vocabulary::new();
                let toks = v.tokenize(&text);
                assert_eq!(toks[0].id, toks[1].id, "{text}: one form");
                flags.push(v.entry(toks[0].id).stop);
            }
            assert_eq!(flags, [true, true], "{function}/{other}");
        }
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
    pub(super) fn reference(text: &str) -> Vec<(usize, &str)> {
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

        /// Long texts with non-ASCII words here and there: ASCII stretches of several 64-byte
        /// blocks between the pieces the general segmenter cuts.
        #[test]
        fn mixed_texts_equal_uax29(
            parts in proptest::collection::vec(("[a-c0-2_ .,;:'\\-\n\tA]{0,150}", "[é中’\u{301}a. ]{0,4}"), 0..6),
        ) {
            let text: String = parts.iter().map(|(x, y)| format!("{x}{y}")).collect();
            proptest::prop_assert_eq!(fast(&text), reference(&text));
        }

        #[test]
        fn all_ascii_path_equals_uax29(text in "[a-c0-2_ .,;:'\"!?()\\-\n\r\tA]{0,60}") {
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

        /// The shortcut the tier's table and the vocabulary take: a word in ASCII without an
        /// apostrophe normalises to itself in lower case.
        #[test]
        fn a_plain_word_normalises_to_its_lower_case(word in "[ -~]{1,12}") {
            if lowercase_is_normal(&word) {
                proptest::prop_assert_eq!(normalize(&word), word.to_ascii_lowercase());
            } else {
                proptest::prop_assert!(word.contains('\''));
            }
        }
    }

    #[test]
    fn merged_spellings_give_the_ids_of_a_shared_vocabulary() {
        let (x, y) = (
            "the principles of cyber sovereignty",
            "sovereignty and the Principle of peace",
        );
        let mut shared = Vocabulary::new();
        let (sx, sy) = (shared.tokenize(x), shared.tokenize(y));
        let (mut px, mut py) = (Spellings::new(), Spellings::new());
        let (mut tx, mut ty) = (px.tokenize(x), py.tokenize(y));
        let map = px.merge(&py);
        let mut v = Vocabulary::new();
        let ids = v.intern_spellings(px.list());
        for t in &mut tx {
            t.id = ids[t.id.0 as usize];
        }
        for t in &mut ty {
            t.id = ids[map[t.id.0 as usize] as usize];
        }
        assert_eq!((tx, ty), (sx, sy));
    }

    /// Regression (fuzz/tokenize, fuzz/align): a word holding NUL ("\0" and a mark joined to it by
    /// UAX #29) is keyed by its string; packed, it would have tripped an assertion (and, with a
    /// trailing NUL, could have met a shorter word's key).
    #[test]
    fn words_holding_nul_are_spellings_of_their_own() {
        let text = "x \0\u{652} \u{652} y \0\u{332}\u{332} \0\u{652}";
        let words: Vec<&str> = fast(text).into_iter().map(|(_, w)| w).collect();
        assert!(words.contains(&"\0\u{652}"), "{words:?}");
        let mut sp = Spellings::new();
        let toks = sp.tokenize(text);
        let spelled: Vec<&str> = toks.iter().map(|t| sp.list()[t.id.0 as usize]).collect();
        assert_eq!(spelled, words);
        assert_eq!(keyed(0x00_61, 2), None, "\"a\\0\" is not packed");
        assert_eq!(keyed(0x61, 1), Some(0x61));
    }

    #[test]
    fn ascii_case_variants_are_one_spelling() {
        let text = "The the THE tHe x_y X_Y xay Straße STRASSE straße the_longest_word_here THE_LONGEST_WORD_HERE";
        let mut sp = Spellings::new();
        let toks = sp.tokenize(text);
        let n: Vec<u32> = toks.iter().map(|t| t.id.0).collect();
        assert_eq!(&n[..4], [0, 0, 0, 0]);
        assert_eq!((n[4], n[5]), (1, 1));
        assert_ne!(n[6], n[4], "x_y and xay stay apart");
        // Non-ASCII words, and words longer than 16 bytes, are kept as written.
        assert_eq!(
            toks.iter()
                .map(|t| t.id.0)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            8
        );
        assert_eq!(sp.list()[0], "The");
        // Case variants still get the same id, whichever is the spelling's first sight.
        let mut v = Vocabulary::new();
        let ids: Vec<TokenId> = v.tokenize(text).iter().map(|t| t.id).collect();
        assert_eq!(ids[0], ids[2]);
        assert_eq!(ids[10], ids[11]);
    }

    #[test]
    fn count_matches_tokenize() {
        let text = "One, two — three 四五 six.";
        let mut v = Vocabulary::new();
        assert_eq!(count_words(text), v.tokenize(text).len());
    }
}
