//! Seeds: positions where both documents hold the same n-gram of normalised words.
//!
//! Each token position starts one n-gram: `word_ngram` tokens, or `cjk_ngram` when the first token is a
//! character of an unspaced script. N-grams made only of function words are skipped, and so are n-grams
//! that occur more than `max_seed_freq` times in either document (pathological repetition would
//! otherwise give a quadratic number of seeds). Matching is a merge join of two hash-sorted lists: no
//! hash map, cache-friendly, and deterministic.

use xxhash_rust::xxh3::xxh3_64;

use super::{Params, Seq};

/// A shared n-gram: it starts at token `a` in A and token `b` in B and is `len` tokens long.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seed {
    pub a: u32,
    pub b: u32,
    pub len: u32,
}

/// The n-grams of a sequence as (hash, start, length), sorted by hash (the order among equal hashes
/// does not matter: seeds are sorted by position before use).
pub fn grams(seq: &Seq, params: &Params) -> Vec<(u64, u32, u32)> {
    let n = seq.ids.len();
    let mut out = Vec::with_capacity(n);
    let mut buf: Vec<u8> = Vec::with_capacity(4 * params.cjk_ngram.max(params.word_ngram));
    for i in 0..n {
        let k = if seq.cjk[i] {
            params.cjk_ngram
        } else {
            params.word_ngram
        };
        if i + k > n {
            continue;
        }
        if seq.stop[i..i + k].iter().all(|&s| s) {
            continue;
        }
        buf.clear();
        for id in &seq.ids[i..i + k] {
            buf.extend_from_slice(&id.to_le_bytes());
        }
        out.push((xxh3_64(&buf), i as u32, k as u32));
    }
    out.sort_unstable_by_key(|g| g.0);
    out
}

/// All seeds shared by A and B, in no particular order.
pub fn seeds(a: &Seq, b: &Seq, params: &Params) -> Vec<Seed> {
    let (ga, gb) = rayon::join(|| grams(a, params), || grams(b, params));
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < ga.len() && j < gb.len() {
        let (ha, hb) = (ga[i].0, gb[j].0);
        if ha < hb {
            i += 1;
            continue;
        }
        if hb < ha {
            j += 1;
            continue;
        }
        let i_end = i + ga[i..].iter().take_while(|g| g.0 == ha).count();
        let j_end = j + gb[j..].iter().take_while(|g| g.0 == hb).count();
        let common = i_end - i <= params.max_seed_freq && j_end - j <= params.max_seed_freq;
        if common {
            for x in &ga[i..i_end] {
                for y in &gb[j..j_end] {
                    // A 64-bit hash collision between different n-grams is possible in theory;
                    // checking the ids keeps every seed a true match.
                    let (xa, yb, k) = (x.1 as usize, y.1 as usize, x.2 as usize);
                    if x.2 == y.2 && a.ids[xa..xa + k] == b.ids[yb..yb + k] {
                        out.push(Seed {
                            a: x.1,
                            b: y.1,
                            len: x.2,
                        });
                    }
                }
            }
        }
        i = i_end;
        j = j_end;
    }
    out
}
