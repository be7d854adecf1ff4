//! cyberdiff finds text reuse: it aligns the passages that documents share and says how each was
//! reused — **repeated** (near-verbatim), **reworded**, **expanded** or **condensed**.
//!
//! The pipeline: [`corpus`] reads and decodes documents (with titles, dates and sources from a
//! manifest); [`text`] cuts them into words with byte spans and normalised, stemmed ids; [`align`]
//! seeds on shared n-grams, chains seeds into regions, aligns each region word by word and labels the
//! passages. For a corpus, [`index`] tokenises every document into one vocabulary and finds the
//! candidate pairs from one inverted n-gram index; [`scan`] aligns them in parallel and gives the
//! clusters, duplicates and boilerplate; [`dedup`] says what to drop; [`track`] follows reference
//! statements through dated documents; [`gate`] is the CI gate over a scan kept in an on-disk cache.
//! [`run`] is what the corpus commands call: a corpus read once, settings in, report models out.
//! [`report`] turns every result into JSON, HTML and terminal output with byte offsets, lines and
//! columns; [`eval`] scores detections against PAN-style gold.
//!
//! ```
//! use cyberdiff::{align::Params, compare_texts, align::Kind};
//!
//! let a = "We should speed up the building of an online platform for cultural exchanges and mutual learning.";
//! let b = "Building an online platform for cultural exchanges and mutual learning is the second proposal.";
//! let cmp = compare_texts(a, b, &Params::default());
//! assert_eq!(cmp.passages.len(), 1);
//! let p = &cmp.passages[0];
//! assert_eq!(p.kind, Kind::Repeated);
//! assert_eq!(&a[cmp.byte_span_a(p)], "an online platform for cultural exchanges and mutual learning");
//! ```

pub mod align;
pub mod corpus;
pub mod dedup;
mod error;
pub mod eval;
pub mod gate;
pub mod index;
pub mod relate;
pub mod report;
pub mod run;
pub mod scan;
pub mod text;
pub mod track;

#[cfg(feature = "cli")]
pub mod cli;

use std::ops::Range;

/// Give the heap that the threads of a stage freed back to the kernel (`malloc_trim`): the
/// alignment of a corpus's candidate pairs frees many small blocks that glibc otherwise keeps
/// resident for the stages after it (about 120 MB on a 123 MB corpus). Nothing elsewhere.
pub(crate) fn release_freed_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free memory of malloc's arenas to the kernel; it takes
    // no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}

pub use error::{Error, OptionError};

use align::{Params, Passage, Seq};
use text::{Token, TokenId, Vocabulary};

/// Two tokenised texts and the passages they share.
#[derive(Debug)]
pub struct Comparison {
    pub vocab: Vocabulary,
    pub a_tokens: Vec<Token>,
    pub b_tokens: Vec<Token>,
    pub passages: Vec<Passage>,
}

impl Comparison {
    /// Byte span in A's text of a passage.
    pub fn byte_span_a(&self, p: &Passage) -> Range<usize> {
        byte_span(&self.a_tokens, &p.a)
    }

    /// Byte span in B's text of a passage.
    pub fn byte_span_b(&self, p: &Passage) -> Range<usize> {
        byte_span(&self.b_tokens, &p.b)
    }
}

/// The byte span of a token range (empty at the next token's start when the range is empty).
pub fn byte_span(tokens: &[Token], r: &Range<usize>) -> Range<usize> {
    if r.is_empty() {
        let at = tokens.get(r.start).map_or_else(
            || tokens.last().map_or(0, |t| t.end as usize),
            |t| t.start as usize,
        );
        return at..at;
    }
    tokens[r.start].start as usize..tokens[r.end - 1].end as usize
}

/// Give `tokens`, numbered by spelling, the ids of their spellings (`ids`), and flatten them for the
/// aligner.
fn relabel<'t>(tokens: &'t mut [Token], ids: &[TokenId], vocab: &'t Vocabulary) -> Seq<'t> {
    for t in tokens.iter_mut() {
        t.id = ids[t.id.0 as usize];
    }
    Seq::new(tokens, vocab)
}

/// Align two texts: tokenise both with one vocabulary and find the passages they share.
pub fn compare_texts(a: &str, b: &str, params: &Params) -> Comparison {
    // The two texts are cut into words in parallel, each numbering its own spellings; B's spellings
    // are then merged into A's and every distinct spelling of the two is normalised and stemmed once
    // (in parallel), which gives exactly the ids of one shared vocabulary.
    let cut = |text| {
        let mut sp = text::Spellings::new();
        let t = sp.tokenize(text);
        (sp, t)
    };
    let ((mut spellings, mut a_tokens), (spellings_b, mut b_tokens)) =
        rayon::join(|| cut(a), || cut(b));
    let map = spellings.merge(&spellings_b);
    drop(spellings_b);
    let mut vocab = Vocabulary::new();
    let ids = vocab.intern_spellings_once(spellings.list());
    drop(spellings);
    let ids_b: Vec<TokenId> = map.iter().map(|&m| ids[m as usize]).collect();
    let passages = {
        let (sa, sb) = rayon::join(
            || relabel(&mut a_tokens, &ids, &vocab),
            || relabel(&mut b_tokens, &ids_b, &vocab),
        );
        align::align(&sa, a, &sb, b, params)
    };
    Comparison {
        vocab,
        a_tokens,
        b_tokens,
        passages,
    }
}
