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
        if i + k > n || seq.stop[i..i + k].iter().all(|&s| s) {
            continue;
        }
        out.push((gram_hash(&seq.ids[i..i + k], &mut buf), i as u32, k as u32));
    }
    sort_by_hash(&mut out);
    out
}

/// Sort n-grams by hash. The hashes are uniform, so bucketing them on their top bits (one counting
/// pass, one scatter) leaves buckets of a few dozen to sort: about a third of the instructions of a
/// comparison sort of the whole list.
fn sort_by_hash(v: &mut Vec<(u64, u32, u32)>) {
    let n = v.len();
    if n < 1 << 12 {
        v.sort_unstable_by_key(|g| g.0);
        return;
    }
    let bits = (n / 32).ilog2().min(16);
    let shift = 64 - bits;
    let mut at = vec![0u32; (1 << bits) + 1];
    for g in v.iter() {
        at[(g.0 >> shift) as usize + 1] += 1;
    }
    for k in 1..at.len() {
        at[k] += at[k - 1];
    }
    let bounds = at.clone();
    let mut out = vec![(0, 0, 0); n];
    for g in v.iter() {
        let slot = &mut at[(g.0 >> shift) as usize];
        out[*slot as usize] = *g;
        *slot += 1;
    }
    for w in bounds.windows(2) {
        out[w[0] as usize..w[1] as usize].sort_unstable_by_key(|g| g.0);
    }
    *v = out;
}

/// The stable hash of an n-gram of token ids: xxh3-64 of the ids as little-endian bytes (the index
/// hashes the same way, so its n-grams are the aligner's seeds). `buf` is scratch space.
pub fn gram_hash(ids: &[u32], buf: &mut Vec<u8>) -> u64 {
    let mut fixed = [0u8; 32];
    if ids.len() <= 8 {
        for (chunk, id) in fixed.chunks_exact_mut(4).zip(ids) {
            chunk.copy_from_slice(&id.to_le_bytes());
        }
        return xxh3_64(&fixed[..4 * ids.len()]);
    }
    buf.clear();
    for id in ids {
        buf.extend_from_slice(&id.to_le_bytes());
    }
    xxh3_64(buf)
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
