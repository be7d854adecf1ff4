//! Word normalisation: the form two spellings must share to count as the same word.

use std::borrow::Cow;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

/// Normalise one word: NFKC, lower case, apostrophe and dash variants unified, an English possessive
/// `'s` dropped and the remaining apostrophes removed (`don’t` and `dont` are one word).
///
/// Idempotent: `normalize(&normalize(w)) == normalize(w)`.
pub fn normalize(word: &str) -> String {
    let folded: String = if word.is_ascii() {
        word.to_ascii_lowercase()
    } else {
        // Lower-casing can leave a string that NFKC changes again (a dotted capital I gives a
        // combining dot), so NFKC runs on both sides of it.
        let lower: String = word.nfkc().flat_map(char::to_lowercase).collect();
        lower.nfkc().map(unify_punctuation).collect()
    };
    if !folded.contains('\'') {
        // Nearly every word: nothing to strip, and no second string to build.
        return folded;
    }
    let stripped = folded
        .strip_suffix("'s")
        .filter(|s| !s.is_empty())
        .unwrap_or(&folded);
    let out: String = stripped.chars().filter(|&c| c != '\'').collect();
    if out.is_empty() {
        folded
    } else if out.len() != stripped.len() && !out.is_ascii() {
        // Removing an apostrophe can join a letter and a combining mark ("n'\u{301}"), which NFKC
        // composes: compose them now, or normalising twice would change the word (found by fuzzing).
        out.nfkc().collect()
    } else {
        out
    }
}

/// Whether `word` is in ASCII without an apostrophe (nearly every word): its normal form
/// ([`normalize`]) is then the word in lower case, of the same length.
pub fn lowercase_is_normal(word: &str) -> bool {
    word.is_ascii() && !word.contains('\'')
}

/// Append [`normalize`]`(word)` to `out`. Nearly every word is ASCII without an apostrophe, whose
/// normal form is the word in lower case: written in place, with no string of its own.
pub fn normalize_into(word: &str, out: &mut String) {
    if lowercase_is_normal(word) {
        let start = out.len();
        out.push_str(word);
        out[start..].make_ascii_lowercase();
    } else {
        out.push_str(&normalize(word));
    }
}

/// Map the typographic variants of apostrophes and dashes to their ASCII form.
fn unify_punctuation(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{02BC}' | '\u{2032}' | '\u{FF07}' => '\'',
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => '-',
        _ => c,
    }
}

/// Stem a normalised word with the English Snowball stemmer; words in other scripts are returned as is.
pub fn stem(word: &str) -> Cow<'_, str> {
    if word.len() > 2 && word.bytes().all(|b| b.is_ascii_lowercase()) {
        // `Stemmer::create` only stores a function pointer: making one per call costs nothing.
        Stemmer::create(Algorithm::English).stem(word)
    } else {
        Cow::Borrowed(word)
    }
}

/// True for characters of scripts written without spaces between words, which UAX #29 gives one
/// character at a time: Han ideographs, Hiragana, Katakana.
pub fn is_cjk_char(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x3134F  // CJK extensions B to G
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_into_appends_what_normalize_gives() {
        let mut out = String::from("x");
        for w in [
            "The",
            "DON'T",
            "China’s",
            "ＡＢＣ",
            "naïve",
            "a-b",
            "İstanbul",
        ] {
            let start = out.len();
            normalize_into(w, &mut out);
            assert_eq!(&out[start..], normalize(w), "{w}");
        }
        assert!(out.starts_with('x'));
    }

    #[test]
    fn quotes_and_possessives() {
        assert_eq!(normalize("China’s"), "china");
        assert_eq!(normalize("don’t"), "dont");
        assert_eq!(normalize("'s"), "s");
    }

    #[test]
    fn nfkc_and_case() {
        assert_eq!(normalize("ﬁnance"), "finance");
        assert_eq!(normalize("ÉCOLE"), "école");
        assert_eq!(normalize("İstanbul"), normalize(&normalize("İstanbul")));
    }

    /// Regression (fuzz/tokenize): an apostrophe between a letter and a combining mark.
    #[test]
    fn idempotent_when_a_removed_apostrophe_joins_a_letter_and_a_mark() {
        let once = normalize("n'\u{301}");
        assert_eq!(once, "\u{144}");
        assert_eq!(normalize(&once), once);
    }

    #[test]
    fn stemming_is_english_only() {
        assert_eq!(stem("governance"), "govern");
        assert_eq!(stem("benefits"), "benefit");
        assert_eq!(stem("国家"), "国家");
    }
}
