//! The words of an all-ASCII text, found 64 bytes at a time.
//!
//! The rules are those of [`super::for_each_word`] for ASCII (UAX #29 restricted to ASCII): a word is
//! a maximal run of letters, digits and `_`, where `:` `.` `'` between two letters and `,` `;` `.`
//! `'` between two digits also belong to it; a run of `_` alone is no word. Here each rule is a
//! bit mask over a block of 64 bytes (which bytes are letters, digits, ...), so a word's end costs
//! no branch of its own: the byte-at-a-time loop mispredicted about one branch a word (measured on a
//! 1 MB English text: 3.4 ms for the byte loop, 0.8–1.0 ms for the masks).

/// Which bytes of a block of 64 are letters, digits, `_`, letter joiners, digit joiners.
#[derive(Clone, Copy, Default)]
struct Masks {
    letter: u64,
    digit: u64,
    under: u64,
    join_letters: u64,
    join_digits: u64,
}

/// Call `f(offset, word)` for every word of `text`, which must be all ASCII, in order.
pub fn for_each_word<'t>(text: &'t str, mut f: impl FnMut(usize, &'t str)) {
    debug_assert!(text.is_ascii());
    let b = text.as_bytes();
    let blocks = b.len().div_ceil(64);
    let block = |i: usize| -> Masks {
        match b.get(i * 64..i * 64 + 64) {
            Some(full) => masks(full.try_into().expect("64 bytes")),
            None if i < blocks => {
                // The last block, padded with NUL bytes, which belong to no word.
                let mut padded = [0u8; 64];
                padded[..b.len() - i * 64].copy_from_slice(&b[i * 64..]);
                masks(&padded)
            }
            None => Masks::default(),
        }
    };
    let mut cur = block(0);
    // Bit 63 of the previous block's masks, and whether its last byte is in a word.
    let (mut letter_before, mut digit_before, mut word_before) = (0u64, 0u64, 0u64);
    let mut start = 0usize;
    for i in 0..blocks {
        let next = block(i + 1);
        let letters_around =
            ((cur.letter << 1) | letter_before) & ((cur.letter >> 1) | (next.letter << 63));
        let digits_around =
            ((cur.digit << 1) | digit_before) & ((cur.digit >> 1) | (next.digit << 63));
        let word = cur.letter
            | cur.digit
            | cur.under
            | (cur.join_letters & letters_around)
            | (cur.join_digits & digits_around);
        // Where a word starts or ends (the first byte after it): where a byte and the one before it
        // differ in being in a word.
        let mut edges = word ^ ((word << 1) | word_before);
        while edges != 0 {
            let at = i * 64 + edges.trailing_zeros() as usize;
            edges &= edges - 1;
            if word_at(word, at - i * 64) {
                start = at;
            } else {
                emit(b, text, start, at, &mut f);
            }
        }
        letter_before = cur.letter >> 63;
        digit_before = cur.digit >> 63;
        word_before = word >> 63;
        cur = next;
    }
    // A word running to the end of a text that fills its last block.
    if word_before != 0 {
        emit(b, text, start, b.len(), &mut f);
    }
}

fn word_at(word: u64, bit: usize) -> bool {
    word >> bit & 1 != 0
}

/// Report the word `text[start..end]` unless it is only underscores.
fn emit<'t>(b: &[u8], text: &'t str, start: usize, end: usize, f: &mut impl FnMut(usize, &'t str)) {
    if super::holds_alnum(&b[start..end]) {
        f(start, &text[start..end]);
    }
}

#[cfg(target_arch = "x86_64")]
fn masks(block: &[u8; 64]) -> Masks {
    // SAFETY: SSE2 is part of the x86_64 baseline: every x86_64 processor has it.
    unsafe { masks_sse2(block) }
}

/// [`Masks`] of a block, 16 bytes per instruction.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn masks_sse2(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::*;
    let byte = |c: u8| _mm_set1_epi8(c as i8);
    // Unsigned x <= hi, as min(x, hi) == x.
    let at_most = |x: __m128i, hi: u8| _mm_cmpeq_epi8(_mm_min_epu8(x, byte(hi)), x);
    let mut m = Masks::default();
    for (k, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: `chunk` is 16 readable bytes; the load has no alignment requirement.
        let v = unsafe { _mm_loadu_si128(chunk.as_ptr().cast()) };
        let eq = |c: u8| _mm_cmpeq_epi8(v, byte(c));
        // Setting bit 5 lowers capitals and maps no other byte into a..z.
        let letter = at_most(
            _mm_sub_epi8(_mm_or_si128(v, byte(0x20)), byte(b'a')),
            b'z' - b'a',
        );
        let digit = at_most(_mm_sub_epi8(v, byte(b'0')), 9);
        let both = _mm_or_si128(eq(b'.'), eq(b'\''));
        let join_letters = _mm_or_si128(both, eq(b':'));
        let join_digits = _mm_or_si128(both, _mm_or_si128(eq(b','), eq(b';')));
        let bits = |x: __m128i| u64::from(_mm_movemask_epi8(x) as u16) << (16 * k);
        m.letter |= bits(letter);
        m.digit |= bits(digit);
        m.under |= bits(eq(b'_'));
        m.join_letters |= bits(join_letters);
        m.join_digits |= bits(join_digits);
    }
    m
}

/// [`Masks`] of a block, a byte at a time (other processors).
#[cfg(not(target_arch = "x86_64"))]
fn masks(block: &[u8; 64]) -> Masks {
    let mut m = Masks::default();
    for (k, &c) in block.iter().enumerate() {
        let bit = 1u64 << k;
        let set = |mask: &mut u64, yes: bool| {
            if yes {
                *mask |= bit;
            }
        };
        set(&mut m.letter, c.is_ascii_alphabetic());
        set(&mut m.digit, c.is_ascii_digit());
        set(&mut m.under, c == b'_');
        set(&mut m.join_letters, matches!(c, b':' | b'.' | b'\''));
        set(&mut m.join_digits, matches!(c, b',' | b';' | b'.' | b'\''));
    }
    m
}

#[cfg(test)]
mod tests {
    use crate::text::tests::reference;

    fn words(text: &str) -> Vec<(usize, &str)> {
        let mut v = Vec::new();
        super::for_each_word(text, |s, w| v.push((s, w)));
        v
    }

    #[test]
    fn words_across_block_boundaries() {
        // Every join rule, moved across the boundaries of the first two blocks one byte at a time,
        // and words ending exactly at the end of a full last block.
        for pad in 50..135 {
            for tail in [
                "can't U.S.A 3.14 1,000 x_y __ _a",
                "e.g.",
                "a:b",
                "9;9",
                "word",
            ] {
                let text = format!("{}{tail}", " ".repeat(pad));
                assert_eq!(words(&text), reference(&text), "{text:?}");
                let text = format!("{}{tail}", "ab ".repeat(pad / 3));
                assert_eq!(words(&text), reference(&text), "{text:?}");
            }
        }
        for len in [63, 64, 65, 127, 128, 129] {
            let text = "x".repeat(len);
            assert_eq!(words(&text), [(0, text.as_str())]);
        }
        assert!(words("").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn long_ascii_texts_equal_uax29(text in "[a-c0-2_ .,;:'\"!?()\\-\n\r\tA]{0,400}") {
            proptest::prop_assert_eq!(words(&text), reference(&text));
        }
    }
}
