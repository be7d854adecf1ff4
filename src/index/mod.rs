//! Index: a whole corpus tokenised with one vocabulary, and one inverted n-gram index over it.
//!
//! Takes the texts of a corpus (in report order) and gives
//! - [`Tokenized`]: every document's token ids under one [`Vocabulary`]. Chunks of consecutive
//!   documents number their spellings in parallel ([`Spellings`]); the chunks' spellings are merged in
//!   document order, each distinct spelling is normalised and stemmed once, in parallel, and the
//!   numbers are mapped to ids, so that ids (and so everything the aligner does with them) do not
//!   depend on the number of threads. Only ids are kept (4 bytes a word); [`Tokenized::tokens`]
//!   rebuilds a document's tokens with byte spans when it is aligned.
//! - [`Index`]: the candidate pairs of documents, from the same n-grams the aligner seeds on
//!   ([`crate::align::seed::gram_len`]: `word_ngram` words, `cjk_ngram` characters of unspaced scripts,
//!   n-grams of function words skipped, xxh3-64 of the ids). Each document's distinct n-grams become
//!   postings packed in one `u64` (40 bits of hash, 24 bits of document), scattered into 256 buckets
//!   by the hash's top bits, each bucket sorted on its own in parallel, then grouped by n-gram:
//!   an n-gram in more than `max_df` documents is skipped (counted), and each pair of documents sharing
//!   at least `min_shared` of the others is a candidate. Nothing compares every pair of documents: the
//!   work is the postings plus, per n-gram, the pairs of its at most `max_df` documents.
//! - Boilerplate runs: in each document, the stretches of at least `min_words` words covered by n-grams
//!   that occur in at least `boilerplate_min_docs` documents (navigation, mastheads, credit lines).

use std::ops::Range;

use rayon::prelude::*;

use crate::align::Params;
use crate::text::{Spellings, Token, TokenId, Vocabulary, for_each_word};

/// Postings hold the document number in their low bits.
const DOC_BITS: u32 = 24;
/// The largest number of documents an index holds.
pub const MAX_DOCS: usize = 1 << DOC_BITS;
const DOC_MASK: u64 = (1 << DOC_BITS) - 1;

/// A corpus tokenised with one vocabulary.
#[derive(Debug)]
pub struct Tokenized {
    pub vocab: Vocabulary,
    /// Token ids of each document, in document order.
    pub ids: Vec<Vec<u32>>,
    /// Per vocabulary id: a function word.
    pub stop: Vec<bool>,
    /// Per vocabulary id: a character of an unspaced script.
    pub cjk: Vec<bool>,
}

/// Tokenise every text in parallel into one vocabulary; ids are those of a sequential run in document
/// order whatever the thread count.
pub fn tokenize_corpus(texts: &[&str]) -> Tokenized {
    // Chunks of consecutive documents, each numbering its own spellings: merging them in order gives
    // every spelling (and so every form) its first appearance in the corpus, so the chunking does not
    // change any id.
    let total: usize = texts.iter().map(|t| t.len()).sum();
    let target = (total / (rayon::current_num_threads() * 4)).max(1 << 20);
    let chunks = consecutive_chunks(texts.iter().map(|t| t.len()), target);
    // Each chunk numbers the spellings of its words as written; the chunks' spellings are merged in
    // order (first appearance in the corpus), each distinct spelling is normalised and stemmed once,
    // in parallel, and the documents' numbers are mapped to the vocabulary's ids.
    let parts: Vec<(Spellings, Vec<Vec<u32>>)> = chunks
        .par_iter()
        .map(|r| {
            let mut sp = Spellings::new();
            let ids = texts[r.clone()].iter().map(|t| sp.numbers(t)).collect();
            (sp, ids)
        })
        .collect();
    let mut spellings = Spellings::new();
    let mut maps = Vec::with_capacity(parts.len());
    let mut all_ids = Vec::with_capacity(texts.len());
    for (sp, ids) in parts {
        maps.push(spellings.merge(&sp));
        all_ids.push(ids);
    }
    let mut vocab = Vocabulary::new();
    let forms = vocab.intern_spellings(spellings.list());
    drop(spellings);
    all_ids
        .par_iter_mut()
        .zip(maps.par_iter())
        .for_each(|(docs, map)| {
            for d in docs {
                for id in d.iter_mut() {
                    *id = forms[map[*id as usize] as usize].0;
                }
            }
        });
    let ids: Vec<Vec<u32>> = all_ids.into_iter().flatten().collect();
    let stop = (0..vocab.len())
        .map(|i| vocab.entry(TokenId(i as u32)).stop)
        .collect();
    let cjk = (0..vocab.len())
        .map(|i| vocab.entry(TokenId(i as u32)).cjk)
        .collect();
    Tokenized {
        vocab,
        ids,
        stop,
        cjk,
    }
}

impl Tokenized {
    /// The tokens of document `doc` (whose text is `text`) with their byte spans, rebuilt from its ids.
    pub fn tokens(&self, doc: usize, text: &str) -> Vec<Token> {
        let ids = &self.ids[doc];
        let mut out = Vec::with_capacity(ids.len());
        for_each_word(text, |start, word| {
            let id = ids[out.len()];
            out.push(Token {
                start: start as u32,
                end: (start + word.len()) as u32,
                id: TokenId(id),
            });
        });
        debug_assert_eq!(out.len(), ids.len(), "the same words as when tokenised");
        out
    }

    /// Call `f(position, length, hash)` for every n-gram of document `doc` the aligner would seed on.
    pub fn for_each_gram(&self, doc: usize, params: &Params, mut f: impl FnMut(usize, usize, u64)) {
        let ids = &self.ids[doc];
        let n = ids.len();
        let mut buf: Vec<u8> = Vec::with_capacity(4 * params.cjk_ngram.max(params.word_ngram));
        for i in 0..n {
            let k = if self.cjk[ids[i] as usize] {
                params.cjk_ngram
            } else {
                params.word_ngram
            };
            if i + k > n {
                continue;
            }
            if ids[i..i + k].iter().all(|&id| self.stop[id as usize]) {
                continue;
            }
            f(
                i,
                k,
                crate::align::seed::gram_hash(&ids[i..i + k], &mut buf),
            );
        }
    }
}

/// How the index chooses candidate pairs and boilerplate.
#[derive(Clone, Debug, serde::Serialize)]
pub struct IndexParams {
    /// A pair of documents is aligned when it shares at least this many distinct n-grams.
    pub min_shared: usize,
    /// N-grams in more documents than this are not used to find candidate pairs.
    pub max_df: usize,
    /// N-grams in at least this many documents make boilerplate runs.
    pub boilerplate_min_docs: usize,
}

/// A pair of documents (`a` < `b`, in document order) and the n-grams they share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub a: u32,
    pub b: u32,
    pub shared: u32,
}

/// The result of indexing a corpus.
#[derive(Debug, Default)]
pub struct Index {
    /// Postings (distinct n-grams per document, summed over documents).
    pub postings: usize,
    /// Distinct n-grams of the corpus.
    pub ngrams: usize,
    /// Distinct n-grams in more than `max_df` documents, skipped.
    pub common_ngrams: usize,
    pub candidates: Vec<Candidate>,
    /// Per document, the token ranges of its boilerplate runs.
    pub boilerplate: Vec<Vec<Range<usize>>>,
}

fn fold(h: u64) -> u64 {
    h >> DOC_BITS << DOC_BITS
}

/// Buckets of postings, by the top bits of their hash.
const BUCKET_BITS: u32 = 8;
const BUCKETS: usize = 1 << BUCKET_BITS;

fn bucket(posting: u64) -> usize {
    (posting >> (64 - BUCKET_BITS)) as usize
}

/// Ranges of consecutive documents of about equal numbers of words, about `parts` of them.
fn doc_chunks(t: &Tokenized, parts: usize) -> Vec<Range<usize>> {
    let total: usize = t.ids.iter().map(Vec::len).sum();
    consecutive_chunks(t.ids.iter().map(Vec::len), (total / parts.max(1)).max(1))
}

/// Ranges of consecutive items whose sizes add up to at least `target` (the last one may be less).
fn consecutive_chunks(sizes: impl Iterator<Item = usize>, target: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut size, mut n) = (0, 0, 0);
    for (i, len) in sizes.enumerate() {
        n = i + 1;
        size += len;
        if size >= target {
            out.push(start..n);
            start = n;
            size = 0;
        }
    }
    if start < n {
        out.push(start..n);
    }
    out
}

/// Build the inverted index of a tokenised corpus and read the candidate pairs and boilerplate off it.
pub fn build(t: &Tokenized, params: &Params, ip: &IndexParams) -> Index {
    let n_docs = t.ids.len();
    assert!(
        n_docs <= MAX_DOCS,
        "at most {MAX_DOCS} documents (checked by the caller)"
    );
    // Postings: each document's distinct n-grams, packed as (hash, document), sorted and grouped by
    // n-gram. Each chunk of documents writes its postings into one arena (in parallel), then the
    // arenas are scattered into one array in buckets of the hash's top bits: every chunk writes its
    // own disjoint part of every bucket, in parallel, and frees its arena once written (so the
    // postings are held about once, as when they were concatenated). Each bucket is then sorted and
    // deduplicated on its own, in parallel and in cache; a group of one n-gram never spans two
    // buckets. Measured against sorting each document's postings and then all of them in parallel:
    // fewer instructions and lower peak memory, the same index.
    let chunks = doc_chunks(t, rayon::current_num_threads() * 8);
    // One arena a chunk (a large allocation, returned to the system as soon as it is dropped),
    // holding its documents' sorted, deduplicated postings one after another.
    let per_chunk: Vec<Vec<u64>> = chunks
        .par_iter()
        .map(|r| {
            let cap = r.clone().map(|d| t.ids[d].len()).sum();
            let mut arena: Vec<u64> = Vec::with_capacity(cap);
            for d in r.clone() {
                t.for_each_gram(d, params, |_, _, h| arena.push(fold(h) | d as u64));
            }
            arena
        })
        .collect();
    let counts: Vec<Vec<usize>> = per_chunk
        .par_iter()
        .map(|arena| {
            let mut c = vec![0usize; BUCKETS];
            for &p in arena {
                c[bucket(p)] += 1;
            }
            c
        })
        .collect();
    let bucket_len: Vec<usize> = (0..BUCKETS)
        .map(|b| counts.iter().map(|c| c[b]).sum())
        .collect();
    let total: usize = bucket_len.iter().sum();
    let mut postings: Vec<u64> = vec![0; total];
    {
        // pieces[chunk][bucket]: the disjoint slice of the array each chunk fills for each bucket.
        let mut pieces: Vec<Vec<&mut [u64]>> = (0..per_chunk.len())
            .map(|_| Vec::with_capacity(BUCKETS))
            .collect();
        let mut rest: &mut [u64] = &mut postings;
        for b in 0..BUCKETS {
            let (mut bucket_slice, tail) = std::mem::take(&mut rest).split_at_mut(bucket_len[b]);
            rest = tail;
            for (c, chunk_counts) in counts.iter().enumerate() {
                let (piece, after) =
                    std::mem::take(&mut bucket_slice).split_at_mut(chunk_counts[b]);
                bucket_slice = after;
                pieces[c].push(piece);
            }
        }
        per_chunk
            .into_par_iter()
            .zip(pieces)
            .for_each(|(arena, mut pieces)| {
                let mut at = vec![0usize; BUCKETS];
                for p in arena {
                    let b = bucket(p);
                    pieces[b][at[b]] = p;
                    at[b] += 1;
                }
            });
    }
    let mut buckets: Vec<&mut [u64]> = Vec::with_capacity(BUCKETS);
    let mut rest: &mut [u64] = &mut postings;
    for &len in &bucket_len {
        let (bucket_slice, tail) = std::mem::take(&mut rest).split_at_mut(len);
        rest = tail;
        buckets.push(bucket_slice);
    }
    // Sorted, then deduplicated in place: an n-gram twice in one document is one posting.
    let buckets: Vec<&[u64]> = buckets
        .into_par_iter()
        .with_max_len(1)
        .map(|s| {
            s.sort_unstable();
            let mut w = 0;
            for i in 0..s.len() {
                if w == 0 || s[i] != s[w - 1] {
                    s[w] = s[i];
                    w += 1;
                }
            }
            &s[..w]
        })
        .collect();

    struct Part {
        ngrams: usize,
        common: usize,
        pairs: Vec<u64>,
        boiler: Vec<u64>,
    }
    let results: Vec<Part> = buckets
        .par_iter()
        .map(|s| {
            let mut part = Part {
                ngrams: 0,
                common: 0,
                pairs: Vec::new(),
                boiler: Vec::new(),
            };
            let mut i = 0;
            while i < s.len() {
                let h = fold(s[i]);
                let j = i + s[i..].iter().take_while(|&&x| fold(x) == h).count();
                let df = j - i;
                part.ngrams += 1;
                if df >= ip.boilerplate_min_docs {
                    part.boiler.push(h);
                }
                if df > ip.max_df {
                    part.common += 1;
                } else if df >= 2 {
                    for x in i..j {
                        let a = s[x] & DOC_MASK;
                        for y in &s[x + 1..j] {
                            part.pairs.push(a << 32 | (y & DOC_MASK));
                        }
                    }
                }
                i = j;
            }
            part
        })
        .collect();
    let postings_len = buckets.iter().map(|s| s.len()).sum();
    drop(buckets);
    drop(postings);
    let mut idx = Index {
        postings: postings_len,
        ..Index::default()
    };
    let mut pairs: Vec<u64> = Vec::with_capacity(results.iter().map(|p| p.pairs.len()).sum());
    let mut boiler: Vec<u64> = Vec::new();
    for p in results {
        idx.ngrams += p.ngrams;
        idx.common_ngrams += p.common;
        pairs.extend_from_slice(&p.pairs);
        boiler.extend_from_slice(&p.boiler);
    }
    pairs.par_sort_unstable();
    let mut i = 0;
    while i < pairs.len() {
        let j = i + pairs[i..].iter().take_while(|&&x| x == pairs[i]).count();
        if j - i >= ip.min_shared {
            idx.candidates.push(Candidate {
                a: (pairs[i] >> 32) as u32,
                b: pairs[i] as u32,
                shared: (j - i) as u32,
            });
        }
        i = j;
    }
    drop(pairs);
    boiler.sort_unstable();
    idx.boilerplate = if boiler.is_empty() {
        vec![Vec::new(); n_docs]
    } else {
        (0..n_docs)
            .into_par_iter()
            .map(|d| boilerplate_runs(t, d, params, &boiler))
            .collect()
    };
    idx
}

/// Token ranges of document `d` covered by n-grams in `boiler` (sorted folded hashes), joined when they
/// touch, of at least `min_words` tokens.
fn boilerplate_runs(t: &Tokenized, d: usize, params: &Params, boiler: &[u64]) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    t.for_each_gram(d, params, |i, k, h| {
        if boiler.binary_search(&fold(h)).is_ok() {
            match runs.last_mut() {
                Some(r) if r.end >= i => r.end = r.end.max(i + k),
                _ => runs.push(i..i + k),
            }
        }
    });
    let min = params.min_words.ceil() as usize;
    runs.retain(|r| r.len() >= min);
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::Seq;
    use crate::align::seed::{gram_hash, gram_len};

    #[test]
    fn corpus_grams_are_the_aligner_seeds() {
        let texts = [
            "The community with a shared future in cyberspace rests on four principles.",
            "互联网是人类的共同家园，the shared future of the internet",
        ];
        let t = tokenize_corpus(&texts);
        let params = Params::default();
        for (d, text) in texts.iter().enumerate() {
            let tokens = t.tokens(d, text);
            let seq = Seq::new(&tokens, &t.vocab);
            let mut mine = Vec::new();
            t.for_each_gram(d, &params, |i, k, h| mine.push((h, i as u32, k as u32)));
            mine.sort_unstable();
            let mut theirs: Vec<(u64, u32, u32)> = (0..seq.ids.len())
                .filter_map(|i| gram_len(&seq, &params, i).map(|k| (i, k)))
                .map(|(i, k)| {
                    (
                        gram_hash(&seq.ids[i..i + k], &mut Vec::new()),
                        i as u32,
                        k as u32,
                    )
                })
                .collect();
            theirs.sort_unstable();
            assert_eq!(mine, theirs);
        }
    }

    #[test]
    fn ids_do_not_depend_on_chunking() {
        let texts: Vec<String> = (0..50)
            .map(|i| format!("word{i} shared words here and word{} there", i * 7 % 13))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let all = tokenize_corpus(&refs);
        let mut v = Vocabulary::new();
        for (d, text) in refs.iter().enumerate() {
            let seq: Vec<u32> = v.tokenize(text).iter().map(|t| t.id.0).collect();
            assert_eq!(seq, all.ids[d]);
        }
    }

    #[test]
    fn candidates_need_shared_ngrams_and_common_ones_are_skipped() {
        let shared = "alpha bravo charlie delta echo foxtrot golf hotel india juliet";
        let texts = [
            format!("{shared} one two three"),
            format!("four five six {shared}"),
            "kilo lima mike november oscar papa quebec".to_owned(),
        ];
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let t = tokenize_corpus(&refs);
        let ip = IndexParams {
            min_shared: 3,
            max_df: 10,
            boilerplate_min_docs: 10,
        };
        let idx = build(&t, &Params::default(), &ip);
        assert_eq!(idx.candidates.len(), 1);
        assert_eq!((idx.candidates[0].a, idx.candidates[0].b), (0, 1));
        assert_eq!(idx.candidates[0].shared, 8);
        let ip = IndexParams {
            max_df: 1,
            boilerplate_min_docs: 2,
            ..ip
        };
        let idx = build(&t, &Params::default(), &ip);
        assert!(idx.candidates.is_empty());
        assert_eq!(idx.common_ngrams, 8);
        assert_eq!(idx.boilerplate[0], vec![0..10]);
        assert_eq!(idx.boilerplate[1], vec![3..13]);
        assert!(idx.boilerplate[2].is_empty());
    }
}
