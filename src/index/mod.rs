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
//!   at least `min_shared` of the others is a candidate. A skipped n-gram still links each later
//!   document holding it to the earliest one; a pair whose links make `link_share` of the smaller
//!   document's distinct n-grams is a candidate too (copies of a text too common to pair documents
//!   by). Nothing compares every pair of documents: the work is the postings plus, per n-gram, the
//!   pairs of its at most `max_df` documents.
//! - Boilerplate runs: in each document, the stretches of at least `min_words` words covered by n-grams
//!   that occur in at least `boilerplate_min_docs` documents (navigation, mastheads, credit lines).

use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::align::Params;
use crate::align::reword::Analyses;
use crate::text::{Spellings, Token, TokenId, Vocabulary, for_each_word};

/// The largest number of documents an index holds (24 bits of a posting).
pub const MAX_DOCS: usize = 1 << 24;

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
    /// Per vocabulary id: xxh3-64 of its normalised form, the stable part of an n-gram key.
    pub form_hash: Vec<u64>,
    /// Per vocabulary id: all its spellings have one normal form (counted when tokenising).
    pub one_norm: Vec<bool>,
    /// The reworded tier's analyses of the vocabulary's words ([`Tokenized::analyses`]).
    analyses: OnceLock<Arc<Analyses>>,
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
            // Each document's ids at their exact length: the corpus holds them to the end, and a
            // vector grown by doubling would hold up to twice that.
            let ids = texts[r.clone()]
                .iter()
                .map(|t| {
                    let mut ids = sp.numbers(t);
                    ids.shrink_to_fit();
                    ids
                })
                .collect();
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
    let one_norm = one_normal_form(spellings.list(), &forms, vocab.len());
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
    let form_hash = (0..vocab.len())
        .into_par_iter()
        .with_min_len(4096)
        .map(|i| xxhash_rust::xxh3::xxh3_64(vocab.entry(TokenId(i as u32)).form.as_bytes()))
        .collect();
    Tokenized {
        one_norm,
        analyses: OnceLock::new(),
        vocab,
        ids,
        stop,
        cjk,
        form_hash,
    }
}

/// Per vocabulary id (of `types`): every one of `spellings` with that id (`ids`, one a spelling)
/// has the same normal form ([`crate::text::normalize`]; a stem may have several: "promotion",
/// "promote").
fn one_normal_form(spellings: &[&str], ids: &[TokenId], types: usize) -> Vec<bool> {
    use crate::text::lowercase_is_normal as plain;
    let mut first = vec![u32::MAX; types];
    let mut one = vec![true; types];
    for (k, (id, w)) in ids.iter().zip(spellings).enumerate() {
        let f = &mut first[id.0 as usize];
        if *f == u32::MAX {
            *f = k as u32;
            continue;
        }
        let v = spellings[*f as usize];
        let same = if plain(v) && plain(w) {
            v.eq_ignore_ascii_case(w)
        } else {
            crate::text::normalize(v) == crate::text::normalize(w)
        };
        if !same {
            one[id.0 as usize] = false;
        }
    }
    one
}

impl Tokenized {
    /// The reworded tier's analyses of the vocabulary's words, filled as views need them: made on
    /// first use, so a corpus whose documents never meet the tier (`--no-reworded`, `dedup`) holds
    /// no slots.
    pub fn analyses(&self) -> &Arc<Analyses> {
        self.analyses
            .get_or_init(|| Arc::new(Analyses::new(self.vocab.len(), self.one_norm.clone())))
    }

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

    /// Call `f(position, length, key)` for every n-gram of document `doc` the aligner would seed on
    /// ([`crate::align::seed::gram_len`]). The key is [`gram_key`] of the n-gram's normalised forms: it
    /// depends on the words only, so a document has the same keys tokenised alone or in any corpus.
    pub fn for_each_gram(&self, doc: usize, params: &Params, mut f: impl FnMut(usize, usize, u64)) {
        let ids = &self.ids[doc];
        let n = ids.len();
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
                gram_key(ids[i..i + k].iter().map(|&id| self.form_hash[id as usize])),
            );
        }
    }
}

/// The key of an n-gram: xxh3-64 of the xxh3-64s of its normalised forms (each as 8 little-endian
/// bytes). Specified so that other programs (the Spark job, a cache written by an older run) can
/// compute the same keys.
pub fn gram_key(form_hashes: impl Iterator<Item = u64>) -> u64 {
    // The usual word trigram (an iterator that says it has three) from a buffer of its size: the
    // same bytes hashed, without filling the larger buffer below.
    if form_hashes.size_hint() == (3, Some(3)) {
        let mut buf = [0u8; 24];
        for (c, h) in buf.chunks_exact_mut(8).zip(form_hashes) {
            c.copy_from_slice(&h.to_le_bytes());
        }
        return xxhash_rust::xxh3::xxh3_64(&buf);
    }
    let mut buf = [0u8; 8 * 16];
    let mut len = 0;
    let mut long: Vec<u8> = Vec::new();
    for h in form_hashes {
        if len + 8 <= buf.len() {
            buf[len..len + 8].copy_from_slice(&h.to_le_bytes());
        } else {
            if long.is_empty() {
                long.extend_from_slice(&buf);
            }
            long.extend_from_slice(&h.to_le_bytes());
        }
        len += 8;
    }
    if long.is_empty() {
        xxhash_rust::xxh3::xxh3_64(&buf[..len])
    } else {
        xxhash_rust::xxh3::xxh3_64(&long)
    }
}

/// How the index chooses candidate pairs and boilerplate.
#[derive(Clone, Debug, serde::Serialize)]
pub struct IndexParams {
    /// A pair of documents is considered when it shares at least this many distinct n-grams.
    pub min_shared: usize,
    /// N-grams in more documents than this are not used to find candidate pairs.
    pub max_df: usize,
    /// N-grams in at least this many documents make boilerplate runs.
    pub boilerplate_min_docs: usize,
    /// A document and the earliest document holding one of its n-grams of more than `max_df`
    /// documents are a candidate pair when such n-grams, each held first by that earlier document,
    /// make at least this share of the smaller one's distinct n-grams (a near-duplicate whose
    /// shared text is too common to pair documents by). `scan` sets it to its duplicate threshold,
    /// which its JSON reports already.
    #[serde(skip)]
    pub link_share: f64,
}

/// A verified pair of documents (`a` < `b`, in document order) and the n-grams they share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub a: u32,
    pub b: u32,
    /// Distinct n-grams of at most `max_df` documents the two share.
    pub shared: u32,
}

/// The result of indexing a corpus.
#[derive(Debug, Default)]
pub struct Index {
    /// Postings (n-gram occurrences the aligner would seed on, summed over documents).
    pub postings: usize,
    /// Distinct n-grams of the corpus.
    pub ngrams: usize,
    /// Distinct n-grams in more than `max_df` documents, skipped.
    pub common_ngrams: usize,
    /// Pairs of documents sharing at least `min_shared` distinct n-grams, or linked through common
    /// n-grams (before verification).
    pub shared_pairs: usize,
    /// Occurrences of shared n-grams met pairwise (the work of finding and verifying pairs).
    pub hits: usize,
    /// The pairs whose shared n-grams chain into a region that can hold a passage: the pairs to align.
    pub candidates: Vec<Candidate>,
    /// Per document, the token ranges of its boilerplate runs.
    pub boilerplate: Vec<Vec<Range<usize>>>,
}

/// How a posting packs an n-gram key's top bits, a document and a token position in one `u64`:
/// `key prefix | document << pos_bits | position`. Only as many bits as the corpus needs go to the
/// document and the position, the rest to the key; two n-grams whose prefixes collide are taken for
/// one, which can only add candidate pairs (verification and alignment look at the words).
#[derive(Clone, Copy, Debug)]
struct Packing {
    pos_bits: u32,
    low_bits: u32,
}

impl Packing {
    fn new(docs: usize, longest: usize) -> Self {
        let bits = |n: usize| (usize::BITS - n.max(1).leading_zeros()).max(1);
        let pos_bits = bits(longest);
        Packing {
            pos_bits,
            low_bits: pos_bits + bits(docs),
        }
    }
    fn pack(self, key: u64, doc: usize, pos: usize) -> u64 {
        (key >> self.low_bits << self.low_bits) | (doc as u64) << self.pos_bits | pos as u64
    }
    fn key(self, p: u64) -> u64 {
        p >> self.low_bits
    }
    fn doc(self, p: u64) -> u32 {
        ((p & ((1 << self.low_bits) - 1)) >> self.pos_bits) as u32
    }
    fn pos(self, p: u64) -> u32 {
        (p & ((1 << self.pos_bits) - 1)) as u32
    }
}

/// Buckets of postings, by the top bits of their key.
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

/// Build the inverted index of a tokenised corpus and read the verified candidate pairs and the
/// boilerplate off it.
///
/// 1. **Postings**: every n-gram occurrence, packed (`Packing`), scattered into buckets by the key's
///    top bits and sorted bucket by bucket in parallel: an n-gram's postings are contiguous, by
///    document and position.
/// 2. **Groups**: an n-gram in one document only is dropped; in more than `max_df` documents it is
///    counted as common, links each later holder to the earliest one (`linked_pairs`) and is
///    skipped (in at least `boilerplate_min_docs`, it makes boilerplate runs);
///    a document holding it more than `max_seed_freq` times is left out of its group (the aligner
///    does not seed on it there either). The other groups are kept, compacted in place.
/// 3. **Hits**: for each document B (in parallel), each of its kept postings meets the postings of
///    the same n-gram in earlier documents A: a hit `(A, position in A, position in B)`. The work is
///    the sum over kept n-grams of their occurrences' pairs, at most `max_df × max_seed_freq` per
///    posting, and the memory one document's hits at a time.
/// 4. **Verification**: a pair sharing at least `min_shared` distinct n-grams is a candidate only when
///    its hits chain ([`crate::align::chain::regions`], the aligner's own chaining: runs on one
///    diagonal, linked when close on both sides) into a region that the aligner would extend
///    ([`crate::align::extend::promising`]'s rule): what is shared by chance, scattered n-grams on
///    unrelated diagonals, is never tokenised again nor aligned.
pub fn build(t: &Tokenized, params: &Params, ip: &IndexParams) -> Index {
    let n_docs = t.ids.len();
    assert!(
        n_docs <= MAX_DOCS,
        "at most {MAX_DOCS} documents (checked by the caller)"
    );
    let tokens: usize = t.ids.iter().map(Vec::len).sum();
    build_in(t, params, ip, index_passes(tokens))
}

/// [`build`] in `passes` passes: the same index whatever their number.
fn build_in(t: &Tokenized, params: &Params, ip: &IndexParams, passes: usize) -> Index {
    let n_docs = t.ids.len();
    let longest = t.ids.iter().map(Vec::len).max().unwrap_or(0);
    let pk = Packing::new(n_docs, longest);
    // The postings are built in passes, each over a range of buckets (the key's top bits), so that a
    // large corpus holds a part of its postings at a time ([`index_passes`]); the kept groups of each
    // pass are appended in bucket order, so the result does not depend on the number of passes.
    let chunks = doc_chunks(t, rayon::current_num_threads() * 8);
    // Distinct n-grams (key prefixes) per document: what a linked pair's common n-grams must cover.
    let grams: Vec<AtomicU32> = (0..n_docs).map(|_| AtomicU32::new(0)).collect();
    let mut idx = Index::default();
    // The kept postings of the passes so far, in bucket order.
    let mut kept: Vec<u64> = Vec::new();
    let mut group_starts: Vec<u32> = Vec::new();
    let mut boiler: Vec<u64> = Vec::new();
    let mut links: Vec<u64> = Vec::new();
    let mut w = 0usize;
    for pass in 0..passes {
        let in_pass = pass * BUCKETS / passes..(pass + 1) * BUCKETS / passes;
        let (mut postings, parts, bucket_len) =
            index_pass(t, params, ip, pk, &chunks, in_pass, &grams);
        idx.postings += postings.len();
        // The kept groups of every bucket, moved to the front of the pass's array one bucket after
        // another.
        assert!(
            w + postings.len() < u32::MAX as usize,
            "fewer than 2^32 postings (about 30 GB of text)"
        );
        let (mut at, mut here) = (0usize, 0usize);
        for (part, &len) in parts.iter().zip(&bucket_len) {
            idx.ngrams += part.ngrams;
            idx.common_ngrams += part.common;
            boiler.extend_from_slice(&part.boiler);
            links.extend_from_slice(&part.links);
            postings.copy_within(at..at + part.kept, here);
            group_starts.extend(part.starts.iter().map(|&s| (w + here + s as usize) as u32));
            here += part.kept;
            at += len;
        }
        drop(parts);
        postings.truncate(here);
        w += here;
        if kept.is_empty() {
            kept = postings;
        } else {
            kept.extend_from_slice(&postings);
        }
    }
    kept.shrink_to_fit();
    let postings = kept;
    let grams: Vec<u32> = grams.into_iter().map(AtomicU32::into_inner).collect();
    let linked = linked_pairs(links, &grams, ip.min_shared, ip.link_share);
    group_starts.push(w as u32);

    // Per document, the kept groups holding it, in a table by document (CSR): one entry per
    // document and group, 4 bytes, where the document's positions are read from the group itself.
    let groups = || {
        (0..group_starts.len() - 1).flat_map(|g| {
            let group = &postings[group_starts[g] as usize..group_starts[g + 1] as usize];
            group
                .chunk_by(|x, y| pk.doc(*x) == pk.doc(*y))
                .map(move |run| (pk.doc(run[0]) as usize, g as u32))
        })
    };
    let mut doc_start = vec![0u32; n_docs + 1];
    for (d, _) in groups() {
        doc_start[d + 1] += 1;
    }
    for d in 0..n_docs {
        doc_start[d + 1] += doc_start[d];
    }
    let mut refs: Vec<u32> = vec![0; doc_start[n_docs] as usize];
    {
        let mut fill = doc_start.clone();
        for (d, g) in groups() {
            refs[fill[d] as usize] = g;
            fill[d] += 1;
        }
    }

    let verified: Vec<(usize, usize, Vec<Candidate>)> = (0..n_docs)
        .into_par_iter()
        .map_init(Vec::new, |hits: &mut Vec<u128>, b| {
            let mine = &refs[doc_start[b] as usize..doc_start[b + 1] as usize];
            hits.clear();
            for &g in mine {
                let group = &postings
                    [group_starts[g as usize] as usize..group_starts[g as usize + 1] as usize];
                // A group is sorted by document: the earlier documents, then B's positions.
                let k = group.partition_point(|&p| (pk.doc(p) as usize) < b);
                let at_b = group[k..].iter().take_while(|&&p| pk.doc(p) as usize == b);
                for &q in at_b {
                    let pb = pk.pos(q);
                    hits.extend(group[..k].iter().map(|&p| {
                        u128::from(pk.doc(p)) << 96
                            | u128::from(pk.pos(p)) << 64
                            | u128::from(pb) << 32
                            | u128::from(g)
                    }));
                }
            }
            hits.sort_unstable();
            let mine = &linked[linked.partition_point(|&(d, _)| (d as usize) < b)..];
            let mine = &mine[..mine.partition_point(|&(d, _)| d as usize == b)];
            let (shared, cands) = verify_hits(t, b, hits, mine, params, ip);
            (hits.len(), shared, cands)
        })
        .collect();
    drop(refs);
    drop(postings);
    for (hits, shared, cands) in verified {
        idx.hits += hits;
        idx.shared_pairs += shared;
        idx.candidates.extend(cands);
    }
    idx.candidates.sort_unstable_by_key(|c| (c.a, c.b));
    boiler.sort_unstable();
    idx.boilerplate = if boiler.is_empty() {
        vec![Vec::new(); n_docs]
    } else {
        (0..n_docs)
            .into_par_iter()
            .map(|d| boilerplate_runs(t, d, params, &boiler, pk))
            .collect()
    };
    idx
}

/// Postings (8 bytes each) a pass of [`build`] aims to hold: a corpus of more tokens is indexed in
/// up to 4 passes over ranges of buckets, so that a pass holds a part of the postings (8 bytes a
/// token, about 1.5 bytes a byte of English text) at the cost of computing the n-gram keys once per
/// pass. The kept postings of the passes (n-grams of at least two documents) are held to the end.
const PASS_POSTINGS: usize = 1 << 23;

/// Passes of [`build`] for a corpus of `tokens` tokens: 1 up to [`PASS_POSTINGS`], at most 4.
fn index_passes(tokens: usize) -> usize {
    tokens.div_ceil(PASS_POSTINGS).clamp(1, 4)
}

/// What [`index_pass`] found in one bucket.
struct Part {
    ngrams: usize,
    common: usize,
    kept: usize,
    /// Group boundaries (starts, relative to the bucket, then the end) of the kept groups.
    starts: Vec<u32>,
    boiler: Vec<u64>,
    /// Per common n-gram and later document holding it: `document << 32 | earliest document`.
    links: Vec<u64>,
}

/// One pass of [`build`] over the buckets `in_pass`: the postings of those buckets,
/// sorted and with each bucket's kept groups compacted to its front, each bucket's [`Part`] and
/// length. Distinct n-grams per document are added to `grams`.
fn index_pass(
    t: &Tokenized,
    params: &Params,
    ip: &IndexParams,
    pk: Packing,
    chunks: &[Range<usize>],
    in_pass: Range<usize>,
    grams: &[AtomicU32],
) -> (Vec<u64>, Vec<Part>, Vec<usize>) {
    // Each chunk of documents writes its postings into one arena (in parallel), then the arenas are
    // scattered into one array in buckets of the key's top bits: every chunk writes its own disjoint
    // part of every bucket, in parallel, and frees its arena once written (so the postings are held
    // about once). Each bucket is then sorted on its own, in parallel and in cache; a group of one
    // n-gram never spans two buckets.
    let per_chunk: Vec<Vec<u64>> = chunks
        .par_iter()
        .map(|r| {
            let words: usize = r.clone().map(|d| t.ids[d].len()).sum();
            // The pass's share of the words' n-grams (keys are spread evenly over the buckets).
            let share = words * in_pass.len() / BUCKETS;
            let mut arena: Vec<u64> = Vec::with_capacity(share + share / 8 + 16);
            for d in r.clone() {
                t.for_each_gram(d, params, |i, _, h| {
                    let p = pk.pack(h, d, i);
                    if in_pass.contains(&bucket(p)) {
                        arena.push(p);
                    }
                });
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
    let bucket_len: Vec<usize> = in_pass
        .clone()
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
        for (b, &len) in in_pass.clone().zip(&bucket_len) {
            let (mut bucket_slice, tail) = std::mem::take(&mut rest).split_at_mut(len);
            rest = tail;
            for (c, chunk_counts) in counts.iter().enumerate() {
                let (piece, after) =
                    std::mem::take(&mut bucket_slice).split_at_mut(chunk_counts[b]);
                bucket_slice = after;
                pieces[c].push(piece);
            }
        }
        let first = in_pass.start;
        per_chunk
            .into_par_iter()
            .zip(pieces)
            .for_each(|(arena, mut pieces)| {
                let mut at = vec![0usize; BUCKETS];
                for p in arena {
                    let b = bucket(p);
                    pieces[b - first][at[b]] = p;
                    at[b] += 1;
                }
            });
    }

    // Each bucket is sorted, its groups classified, and the kept groups compacted to its front.
    let mut buckets: Vec<&mut [u64]> = Vec::with_capacity(bucket_len.len());
    {
        let mut rest: &mut [u64] = &mut postings;
        for &len in &bucket_len {
            let (bucket_slice, tail) = std::mem::take(&mut rest).split_at_mut(len);
            rest = tail;
            buckets.push(bucket_slice);
        }
    }
    let parts: Vec<Part> = buckets
        .into_par_iter()
        .with_max_len(1)
        .map(|s| {
            s.sort_unstable();
            let mut part = Part {
                ngrams: 0,
                common: 0,
                kept: 0,
                starts: Vec::new(),
                boiler: Vec::new(),
                links: Vec::new(),
            };
            let (mut i, mut w) = (0, 0);
            while i < s.len() {
                let key = pk.key(s[i]);
                let j = i + s[i..].iter().take_while(|&&x| pk.key(x) == key).count();
                // Documents of the group, and those holding the n-gram more than max_seed_freq times.
                let (mut df, mut kept_docs) = (0, 0);
                let mut x = i;
                while x < j {
                    let d = pk.doc(s[x]);
                    let y = x + s[x..j].iter().take_while(|&&p| pk.doc(p) == d).count();
                    df += 1;
                    if y - x <= params.max_seed_freq {
                        kept_docs += 1;
                    }
                    grams[d as usize].fetch_add(1, Relaxed);
                    x = y;
                }
                part.ngrams += 1;
                if df >= ip.boilerplate_min_docs {
                    part.boiler.push(key);
                }
                if df > ip.max_df {
                    part.common += 1;
                    // Each later holder is linked to the earliest one only: linear in the postings,
                    // where pairing every holder with every other would be quadratic.
                    let first = pk.doc(s[i]);
                    let mut last = first;
                    for &p in &s[i..j] {
                        let d = pk.doc(p);
                        if d != last {
                            part.links.push(u64::from(d) << 32 | u64::from(first));
                            last = d;
                        }
                    }
                } else if kept_docs >= 2 {
                    part.starts.push(w as u32);
                    let mut x = i;
                    while x < j {
                        let d = pk.doc(s[x]);
                        let y = x + s[x..j].iter().take_while(|&&p| pk.doc(p) == d).count();
                        if y - x <= params.max_seed_freq {
                            s.copy_within(x..y, w);
                            w += y - x;
                        }
                        x = y;
                    }
                }
                i = j;
            }
            part.kept = w;
            part
        })
        .collect();
    (postings, parts, bucket_len)
}

/// The linked pairs, as the two halves of their links (`x << 32 | y`), sorted: a document and the
/// earliest holder of some of its common n-grams (`links`, one per n-gram and later holder; the
/// index writes the later document first, `check` the earlier), when those
/// n-grams are at least `min_shared` and at least `link_share` of the smaller document's distinct
/// n-grams (`grams`). The work is sorting the links, one per common n-gram of each document. `check`
/// reads its linked pairs with the same function.
pub(crate) fn linked_pairs(
    mut links: Vec<u64>,
    grams: &[u32],
    min_shared: usize,
    link_share: f64,
) -> Vec<(u32, u32)> {
    links.par_sort_unstable();
    let mut out = Vec::new();
    let mut i = 0;
    while i < links.len() {
        let j = i + links[i..].iter().take_while(|&&x| x == links[i]).count();
        let (d, e) = ((links[i] >> 32) as u32, links[i] as u32);
        let smaller = grams[d as usize].min(grams[e as usize]);
        if j - i >= min_shared && (j - i) as f64 >= link_share * f64::from(smaller) {
            out.push((d, e));
        }
        i = j;
    }
    out
}

/// The pairs `(a, b)` of document `b`'s hits (sorted, packed `a | pos in a | pos in b | group`) that
/// share at least `min_shared` n-grams and whose hits chain into a region the aligner would extend,
/// and the pairs `(a, b)` of `linked` (sorted earlier documents `a`: a linked pair is a candidate
/// whatever its hits, which hold none of the common n-grams that linked it); with the number of
/// pairs that shared enough n-grams.
fn verify_hits(
    t: &Tokenized,
    b: usize,
    hits: &[u128],
    linked: &[(u32, u32)],
    params: &Params,
    ip: &IndexParams,
) -> (usize, Vec<Candidate>) {
    let mut out = Vec::new();
    let is_linked = |a: u32| linked.binary_search_by_key(&a, |&(_, e)| e).is_ok();
    let mut shared_pairs = 0;
    let mut groups: Vec<u32> = Vec::new();
    let mut i = 0;
    while i < hits.len() {
        let a = (hits[i] >> 96) as u32;
        let j = i + hits[i..]
            .iter()
            .take_while(|&&h| (h >> 96) as u32 == a)
            .count();
        groups.clear();
        groups.extend(hits[i..j].iter().map(|&h| h as u32));
        groups.sort_unstable();
        groups.dedup();
        let linked = is_linked(a);
        if groups.len() >= ip.min_shared || linked {
            shared_pairs += 1;
        }
        let pairs = hits[i..j]
            .iter()
            .map(|&h| ((h >> 64) as u32, (h >> 32) as u32));
        if (groups.len() >= ip.min_shared && chains(t, a as usize, b, pairs, params)) || linked {
            out.push(Candidate {
                a,
                b: b as u32,
                shared: groups.len() as u32,
            });
        }
        i = j;
    }
    // Linked pairs sharing no n-gram of at most `max_df` documents.
    let found = out.len();
    for &(_, e) in linked {
        if out[..found].binary_search_by_key(&e, |c| c.a).is_err() {
            shared_pairs += 1;
            out.push(Candidate {
                a: e,
                b: b as u32,
                shared: 0,
            });
        }
    }
    out.sort_unstable_by_key(|c| c.a);
    (shared_pairs, out)
}

/// Whether documents `a` and `b` of `t` make a verified pair, and the distinct n-grams they share,
/// where `rare(key)` says which n-grams are in 2 to `max_df` documents of the corpus: the hits of
/// [`build`] (n-grams held at most `max_seed_freq` times by each document) found from the two
/// documents alone, then the same count and chaining. `check` uses it: it keeps its postings without
/// positions, and must align the pairs `scan` aligns.
pub fn verify_pair(
    t: &Tokenized,
    a: usize,
    b: usize,
    params: &Params,
    min_shared: usize,
    rare: impl Fn(u64) -> bool,
) -> Option<u32> {
    verify_pair_by(t, a, b, params, min_shared, |h| rare(h).then_some(h))
}

/// [`verify_pair`] with the keys the index groups n-grams by: `key(h)` gives the group of the
/// n-gram of key `h` when it is in 2 to `max_df` documents, else None. [`crate::scan::stages`]
/// passes the key prefixes the index groups by ([`key_mask`]), so that a run in stages finds the
/// pairs of [`build`] exactly.
pub fn verify_pair_by(
    t: &Tokenized,
    a: usize,
    b: usize,
    params: &Params,
    min_shared: usize,
    key: impl Fn(u64) -> Option<u64>,
) -> Option<u32> {
    let (shared, verified) = shared_and_verified(t, a, b, params, min_shared, key);
    verified.then_some(shared)
}

/// The distinct n-grams (groups, see [`verify_pair_by`]) documents `a` and `b` share that neither
/// holds more than `max_seed_freq` times, and whether they make a verified pair.
pub fn shared_and_verified(
    t: &Tokenized,
    a: usize,
    b: usize,
    params: &Params,
    min_shared: usize,
    key: impl Fn(u64) -> Option<u64>,
) -> (u32, bool) {
    let (ga, gb) = (
        pair_grams(t, a, params, &key),
        pair_grams(t, b, params, &key),
    );
    shared_and_verified_grams(t, (a, &ga), (b, &gb), params, min_shared)
}

/// The n-grams of document `d` that [`shared_and_verified`] pairs: `(group, position)` of each
/// n-gram whose `key` is `Some(group)`, sorted. A caller verifying one document against many
/// computes them once ([`shared_and_verified_grams`]).
pub fn pair_grams(
    t: &Tokenized,
    d: usize,
    params: &Params,
    key: impl Fn(u64) -> Option<u64>,
) -> Vec<(u64, u32)> {
    let mut v: Vec<(u64, u32)> = Vec::new();
    t.for_each_gram(d, params, |i, _, h| {
        if let Some(k) = key(h) {
            v.push((k, i as u32));
        }
    });
    v.sort_unstable();
    v
}

/// [`shared_and_verified`] of documents `a` and `b` given their [`pair_grams`].
pub fn shared_and_verified_grams(
    t: &Tokenized,
    (a, ga): (usize, &[(u64, u32)]),
    (b, gb): (usize, &[(u64, u32)]),
    params: &Params,
    min_shared: usize,
) -> (u32, bool) {
    // Keys held more than max_seed_freq times by either document are left out, as the index leaves
    // them out.
    let mut shared = 0u32;
    let mut hits: Vec<(u32, u32)> = Vec::new();
    crate::align::seed::for_each_shared(ga, gb, params.max_seed_freq, |xa, xb| {
        shared += 1;
        for x in xa {
            hits.extend(xb.iter().map(|y| (x.1, y.1)));
        }
    });
    let verified = shared as usize >= min_shared && chains(t, a, b, hits.into_iter(), params);
    (shared, verified)
}

/// Mismatches an ungapped extension crosses at most before the matches after them pay for them.
const X_DROP: f64 = 3.0;

/// A stretch of one diagonal around hits, extended without gaps over the two documents' words.
struct Segment {
    a: Range<u32>,
    diag: i64,
    /// Equal words in the stretch (a Han or Kana character counts half), and equal content words.
    matched: f64,
    content: f64,
    /// Equal words less mismatched ones.
    score: f64,
}

/// Whether the hits of one pair (sorted by position in A, then in B) can hold a reportable passage.
/// Each diagonal's hits are extended without gaps over the words of both documents (BLAST's
/// ungapped extension with an X-drop: substitutions are crossed, chance hits die within a word or
/// two), so that words matching between and around the kept n-grams count too (common n-grams are
/// not in the hits). Stretches close on both sides and on diagonals at most `max_gap` apart are
/// joined, as the chainer joins runs; the pair is kept when some group holds `min_words` equal words,
/// half of them content words: what a passage needs at least (the aligner's `reportable`), so a pair
/// that cannot pass is never aligned.
fn chains(
    t: &Tokenized,
    a: usize,
    b: usize,
    hits: impl Iterator<Item = (u32, u32)>,
    params: &Params,
) -> bool {
    let (ids_a, ids_b) = (&t.ids[a], &t.ids[b]);
    let mut by_diag: Vec<(i64, u32)> = hits
        .map(|(pa, pb)| (i64::from(pb) - i64::from(pa), pa))
        .collect();
    by_diag.sort_unstable();
    let weight = |id: u32| if t.cjk[id as usize] { 0.5 } else { 1.0 };
    let mut segs: Vec<Segment> = Vec::new();
    for &(diag, pa) in &by_diag {
        if segs
            .last()
            .is_some_and(|s| s.diag == diag && s.a.contains(&pa))
        {
            continue;
        }
        let at = |i: i64| -> Option<(u32, u32)> {
            let j = i + diag;
            (i >= 0 && j >= 0 && (i as usize) < ids_a.len() && (j as usize) < ids_b.len())
                .then(|| (ids_a[i as usize], ids_b[j as usize]))
        };
        // Extend right from the hit, then left, each to the best score before an X-drop.
        let reach = |step: i64| -> i64 {
            let (mut score, mut best, mut best_at, mut i) = (0.0f64, 0.0f64, 0i64, 0i64);
            while let Some((x, y)) = at(i64::from(pa) + i) {
                score += if x == y { weight(x) } else { -1.0 };
                if score > best {
                    (best, best_at) = (score, i);
                }
                if score < best - X_DROP {
                    break;
                }
                i += step;
            }
            best_at
        };
        let (lo, hi) = (i64::from(pa) + reach(-1), i64::from(pa) + reach(1) + 1);
        // Overlapping stretches of one diagonal are one.
        let (lo, merged) = match segs.last() {
            Some(s) if s.diag == diag && lo as u32 <= s.a.end => (i64::from(s.a.end), true),
            _ => (lo, false),
        };
        let (mut matched, mut content, mut score) = (0.0, 0.0, 0.0);
        for i in lo..hi {
            match at(i) {
                Some((x, y)) if x == y => {
                    matched += weight(x);
                    score += weight(x);
                    if !t.stop[x as usize] {
                        content += weight(x);
                    }
                }
                _ => score -= 1.0,
            }
        }
        if merged {
            let s = segs.last_mut().expect("merged into the last stretch");
            s.a.end = s.a.end.max(hi as u32);
            s.matched += matched;
            s.content += content;
            s.score += score;
        } else {
            segs.push(Segment {
                a: lo as u32..hi as u32,
                diag,
                matched,
                content,
                score,
            });
        }
    }
    // The best co-linear chain of stretches, scored as the aligner scores a diff (equal words +1, a
    // substitution of n words -(0.5 + 0.5n), an insertion or deletion of n words -(1 + 0.25n), a gap
    // over twice max_gap a break): a passage needs min_words equal words in such a chain, half of
    // them content words.
    let need = params.min_words;
    segs.sort_unstable_by_key(|s| (s.a.start, s.diag));
    let limit = 2 * params.max_gap as i64;
    // Per stretch: the best chain ending with it (score, equal words, equal content words).
    let mut best: Vec<(f64, f64, f64)> = Vec::with_capacity(segs.len());
    for j in 0..segs.len() {
        let y = &segs[j];
        let mut top = (y.score, y.matched, y.content);
        for i in (0..j).rev().take(64) {
            let x = &segs[i];
            let ga = i64::from(y.a.start) - i64::from(x.a.end);
            let gb = (i64::from(y.a.start) + y.diag) - (i64::from(x.a.end) + x.diag);
            if ga < 0 || gb < 0 || ga > limit || gb > limit {
                continue;
            }
            let (sub, indel) = (ga.min(gb) as f64, (ga - gb).abs() as f64);
            let cost = if sub > 0.0 { 0.5 + 0.5 * sub } else { 0.0 }
                + if indel > 0.0 { 1.0 + 0.25 * indel } else { 0.0 };
            let s = best[i].0 - cost + y.score;
            if s > top.0 {
                top = (s, best[i].1 + y.matched, best[i].2 + y.content);
            }
        }
        if top.1 >= need && top.2 >= need / 2.0 {
            return true;
        }
        best.push(top);
    }
    false
}

/// Token ranges of document `d` covered by n-grams whose key prefixes are in `boiler` (sorted),
/// joined when they touch, of at least `min_words` tokens.
fn boilerplate_runs(
    t: &Tokenized,
    d: usize,
    params: &Params,
    boiler: &[u64],
    pk: Packing,
) -> Vec<Range<usize>> {
    runs_of(t, d, params, |h| {
        boiler.binary_search(&(h >> pk.low_bits)).is_ok()
    })
}

/// Token ranges of document `d` covered by n-grams whose key `is_boiler`, joined when they touch, of
/// at least `min_words` tokens: the boilerplate runs.
pub fn runs_of(
    t: &Tokenized,
    d: usize,
    params: &Params,
    is_boiler: impl Fn(u64) -> bool,
) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    t.for_each_gram(d, params, |i, k, h| {
        if is_boiler(h) {
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

/// The mask [`build`] applies to n-gram keys for `docs` documents of at most `longest` words: it
/// packs a key prefix, a document and a position in 64 bits (`Packing`) and groups n-grams by
/// that prefix. A run in stages ([`crate::scan::stages`]) groups by `key & key_mask(..)` to find the
/// same groups.
pub fn key_mask(docs: usize, longest: usize) -> u64 {
    let pk = Packing::new(docs, longest);
    !0u64 >> pk.low_bits << pk.low_bits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::Seq;
    use crate::align::seed::gram_len;

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
            t.for_each_gram(d, &params, |i, k, _| mine.push((i, k)));
            let theirs: Vec<(usize, usize)> = (0..seq.ids.len())
                .filter_map(|i| gram_len(&seq, &params, i).map(|k| (i, k)))
                .collect();
            assert_eq!(mine, theirs);
        }
    }

    #[test]
    fn keys_are_the_same_alone_and_in_any_corpus() {
        let doc =
            "Respect for cyber sovereignty, 尊重网络主权, and peace and security in cyberspace.";
        let others = [
            "Unrelated words first: sovereignty respect cyber, then 网络 and more.",
            "Peace and security come before respect for cyber sovereignty here.",
        ];
        let keys = |t: &Tokenized, d: usize| {
            let mut v = Vec::new();
            t.for_each_gram(d, &Params::default(), |i, k, h| v.push((i, k, h)));
            v
        };
        let alone = tokenize_corpus(&[doc]);
        let in_corpus = tokenize_corpus(&[others[0], others[1], doc]);
        let first = tokenize_corpus(&[doc, others[1]]);
        // Vocabulary ids differ between the three runs; the keys do not.
        assert_ne!(alone.ids[0], in_corpus.ids[2]);
        assert_eq!(keys(&alone, 0), keys(&in_corpus, 2));
        assert_eq!(keys(&alone, 0), keys(&first, 0));
        // The key is the specified hash of the forms.
        let forms: Vec<u64> = alone.ids[0][..3]
            .iter()
            .map(|&id| xxhash_rust::xxh3::xxh3_64(alone.vocab.entry(TokenId(id)).form.as_bytes()))
            .collect();
        let bytes: Vec<u8> = forms.iter().flat_map(|h| h.to_le_bytes()).collect();
        let specified = xxhash_rust::xxh3::xxh3_64(&bytes);
        assert_eq!(keys(&alone, 0)[0].2, specified);
        // The same from an iterator that does not tell its length (not the trigram's buffer).
        assert_eq!(gram_key(forms.iter().copied().filter(|_| true)), specified);
        // A form two spellings share ("does", a function word, and "doe") is a function word or
        // not whichever came first, so an n-gram of function words and "doe" is kept or skipped
        // alike (Job 39:1 after a chapter that says "does").
        let job = "Do you watch when the doe bears fawns? Can you number the months?";
        let after = tokenize_corpus(&["What does it profit him?", job]);
        assert_eq!(keys(&tokenize_corpus(&[job]), 0), keys(&after, 1));
    }

    #[test]
    fn pairs_are_verified_from_the_positions_of_their_shared_ngrams() {
        // Document 1 shares three trigrams with document 0, scattered on unrelated diagonals: a
        // candidate by count, but no passage can hold them. Document 2 shares a reworded passage
        // (one word substituted) with document 0: verified.
        let texts = [
            "alpha bravo charlie one two three four five six seven eight nine ten delta echo \
             foxtrot eleven twelve thirteen fourteen golf hotel india lima mike november oscar \
             papa quebec romeo sierra",
            "golf hotel india xray yankee zulu a1 b1 c1 d1 e1 delta echo foxtrot f1 g1 h1 i1 j1 k1 \
             l1 m1 n1 o1 alpha bravo charlie",
            "p2 q2 r2 s2 lima mike november oscar papa quebec ROMEO sierra t2 u2",
        ];
        let t = tokenize_corpus(&texts);
        let ip = IndexParams {
            min_shared: 3,
            max_df: 10,
            boilerplate_min_docs: 10,
            link_share: 0.8,
        };
        let params = Params::default();
        let idx = build(&t, &params, &ip);
        assert_eq!(idx.shared_pairs, 2, "both pairs share enough n-grams");
        assert_eq!(
            idx.candidates
                .iter()
                .map(|c| (c.a, c.b))
                .collect::<Vec<_>>(),
            vec![(0, 2)]
        );
        // With one more word changed the passage is too short for min_words: not verified either.
        let texts = [
            texts[0],
            texts[1],
            "p2 q2 lima mike november zz papa quebec romeo yy t2",
        ];
        let t = tokenize_corpus(&texts);
        assert!(build(&t, &params, &ip).candidates.is_empty());
    }

    /// Forty documents of words drawn with skewed frequencies (common words and phrases recur by
    /// chance), each copying a stretch of an earlier one with a word or two changed.
    fn skewed_corpus() -> Vec<String> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut docs: Vec<Vec<String>> = Vec::new();
        for d in 0..40 {
            let mut w: Vec<String> = (0..150)
                .map(|_| {
                    let r = next() % 1000;
                    format!("w{}", (r * r) / 4000)
                })
                .collect();
            if d > 0 {
                let src = (next() % d as u64) as usize;
                let start = (next() % 100) as usize;
                let mut piece: Vec<String> = docs[src][start..start + 20].to_vec();
                piece[7] = "changed".to_owned();
                let at = (next() % 120) as usize;
                w.splice(at..at, piece);
            }
            docs.push(w);
        }
        docs.iter().map(|w| w.join(" ")).collect()
    }

    #[test]
    fn the_index_is_the_same_built_in_one_pass_or_several() {
        let texts = skewed_corpus();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let t = tokenize_corpus(&refs);
        let params = Params::default();
        // Low document-frequency bounds, so that common n-grams, links and boilerplate runs occur.
        let ip = IndexParams {
            min_shared: 3,
            max_df: 4,
            boilerplate_min_docs: 5,
            link_share: 0.1,
        };
        let one = build_in(&t, &params, &ip, 1);
        assert!(!one.candidates.is_empty() && one.common_ngrams > 0);
        assert!(one.boilerplate.iter().any(|runs| !runs.is_empty()));
        for passes in [2, 3, 4] {
            let several = build_in(&t, &params, &ip, passes);
            let figures = |i: &Index| {
                (
                    i.postings,
                    i.ngrams,
                    i.common_ngrams,
                    i.shared_pairs,
                    i.hits,
                )
            };
            assert_eq!(figures(&several), figures(&one), "{passes} passes");
            assert_eq!(several.candidates, one.candidates, "{passes} passes");
            assert_eq!(several.boilerplate, one.boilerplate, "{passes} passes");
        }
    }

    #[test]
    fn verify_pair_finds_the_pairs_the_index_verifies() {
        let texts = skewed_corpus();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let t = tokenize_corpus(&refs);
        let params = Params::default();
        let ip = IndexParams {
            min_shared: 3,
            max_df: 12,
            boilerplate_min_docs: 13,
            link_share: 0.8,
        };
        let idx = build(&t, &params, &ip);
        let mut df: std::collections::HashMap<u64, std::collections::BTreeSet<usize>> =
            std::collections::HashMap::new();
        for d in 0..refs.len() {
            t.for_each_gram(d, &params, |_, _, h| {
                df.entry(h).or_default().insert(d);
            });
        }
        let rare = |h: u64| (2..=ip.max_df).contains(&df[&h].len());
        let mut by_pair = Vec::new();
        for b in 0..refs.len() {
            for a in 0..b {
                if let Some(shared) = verify_pair(&t, a, b, &params, ip.min_shared, rare) {
                    by_pair.push(Candidate {
                        a: a as u32,
                        b: b as u32,
                        shared,
                    });
                }
            }
        }
        assert!(idx.candidates.len() >= 30, "{} pairs", idx.candidates.len());
        assert!(
            idx.shared_pairs > idx.candidates.len(),
            "chance pairs are dropped"
        );
        by_pair.sort_unstable_by_key(|c| (c.a, c.b));
        assert_eq!(by_pair, idx.candidates);

        // Each document's n-grams found once, then paired (what `check` does): the same pairs.
        let grams: Vec<Vec<(u64, u32)>> = (0..refs.len())
            .map(|d| pair_grams(&t, d, &params, |h| rare(h).then_some(h)))
            .collect();
        let mut by_doc = Vec::new();
        for b in 0..refs.len() {
            for a in 0..b {
                let pair = ((a, &grams[a][..]), (b, &grams[b][..]));
                let (shared, ok) =
                    shared_and_verified_grams(&t, pair.0, pair.1, &params, ip.min_shared);
                if ok {
                    by_doc.push(Candidate {
                        a: a as u32,
                        b: b as u32,
                        shared,
                    });
                }
            }
        }
        by_doc.sort_unstable_by_key(|c| (c.a, c.b));
        assert_eq!(by_doc, idx.candidates);
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
            link_share: 0.8,
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
    #[test]
    fn common_text_links_each_document_to_its_earliest_holder() {
        // Issue 16: thirty copies of one text, each with a line of its own, and a document holding
        // only the text's first sentence. With max_df 5 every n-gram of the text is common, so no
        // pair shares one of at most max_df documents: each copy is paired with the earliest one
        // (linked), never with every other copy, and the partial document with none (its common
        // n-grams are a fifth of the copies' and the copies' ones are not its own).
        let text = "The delegates agreed on a framework for data security and cross border \
                    cooperation. Each member will publish its rules within a year and report \
                    progress to the secretariat. Disputes go first to consultations between the \
                    parties concerned, then to a panel of independent experts.";
        let mut texts: Vec<String> = (0..30)
            .map(|i| format!("{text}\nFiled by correspondent number{i} from desk{i} today."))
            .collect();
        texts.push(
            "The delegates agreed on a framework for data security and cross border \
             cooperation. Unrelated words follow here about weather and sport results."
                .to_owned(),
        );
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let t = tokenize_corpus(&refs);
        let ip = IndexParams {
            min_shared: 3,
            max_df: 5,
            boilerplate_min_docs: 6,
            link_share: 0.8,
        };
        let idx = build(&t, &Params::default(), &ip);
        assert!(idx.common_ngrams > 30, "the text's n-grams are common");
        let pairs: Vec<(u32, u32)> = idx.candidates.iter().map(|c| (c.a, c.b)).collect();
        assert_eq!(pairs, (1..30).map(|b| (0, b)).collect::<Vec<_>>());
        assert!(idx.candidates.iter().all(|c| c.shared == 0));
        assert_eq!(idx.shared_pairs, 29);
        // Without links (a share no pair reaches), nothing: the behaviour issue 16 reported.
        let idx = build(
            &t,
            &Params::default(),
            &IndexParams {
                link_share: 1.5,
                ..ip
            },
        );
        assert!(idx.candidates.is_empty());
    }
}
