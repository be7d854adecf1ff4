//! Tokeniser and normaliser: any text. Invariants: every span lies inside the text, on char
//! boundaries, in increasing order, and holds a letter or digit; `normalize` is idempotent on every
//! word and on the whole input; a second vocabulary gives the same token spans.
#![no_main]

use cyberdiff::text::{Vocabulary, count_words, normalize, stem};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut vocab = Vocabulary::new();
    let tokens = vocab.tokenize(text);
    assert_eq!(tokens.len(), count_words(text));
    let mut prev_end = 0;
    for t in &tokens {
        let (s, e) = (t.start as usize, t.end as usize);
        assert!(prev_end <= s && s < e && e <= text.len(), "span {s}..{e}");
        assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        let word = &text[s..e];
        assert!(word.chars().any(char::is_alphanumeric), "{word:?}");
        let n = normalize(word);
        assert_eq!(normalize(&n), n, "normalize not idempotent on {word:?}");
        let _ = stem(&n);
        assert!((t.id.0 as usize) < vocab.len());
        prev_end = e;
    }
    let n = normalize(text);
    assert_eq!(
        normalize(&n),
        n,
        "normalize not idempotent on the whole input"
    );
    let again: Vec<_> = Vocabulary::new()
        .tokenize(text)
        .iter()
        .map(|t| t.span())
        .collect();
    assert_eq!(again, tokens.iter().map(|t| t.span()).collect::<Vec<_>>());
});
