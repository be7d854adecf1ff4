//! Clusters: one reused passage and every place it appears.
//!
//! Takes a scan's aligned pairs (earlier document as A) and gives its clusters. A passage joins two
//! stretches of text, but the passages of different pairs begin and end in different places: when
//! documents are made of paragraphs from a shared pool, one pair shares two neighbouring paragraphs
//! as one passage and another pair one of them. Joining whole passages that overlap either chains
//! different paragraphs together (overlap of the shorter) or keeps every combination apart (overlap
//! of each), so clusters are made of smaller pieces, as passim and TextPAIR do:
//!
//! 1. **Cut** each document's reused text at the passage boundaries falling in it, from every pair.
//!    Each token position where passages start or end is a candidate cut, supported by as many
//!    passage ends; the best-supported win, and a cut closer than `min_words` words to a kept one is
//!    dropped (a chance word at a passage's edge makes no sliver; a piece shorter than the shortest
//!    reportable passage would be one).
//! 2. **Carry the cuts across**: a cut inside a passage labelled repeated (near-verbatim, so that a
//!    linear map of its sides is good to a few words) is mapped to the other side and cuts that
//!    document too, unless it already has a cut within `min_words` words; rounds until no document
//!    gains a cut (at most [`MAX_ROUNDS`]). Two documents sharing two paragraphs are then cut
//!    between them as the documents sharing one of them are.
//! 3. **Join**: the segments between a document's cuts are mapped through each passage covering
//!    them (linearly, from the passage's cuts on one side to its cuts on the other, so the result is
//!    the same with and without word diffs) and a segment is joined (union-find) with the segment
//!    of the other side that has the same words: their overlap is two thirds of each. Through a
//!    passage that is not near-verbatim the map is not good to a few words: pieces are joined in
//!    order, the k-th with the k-th. Either way the two must share two thirds of the smaller one's
//!    content words (half for a passage left whole on both sides; through a near-verbatim passage
//!    only short pieces are checked): on the Bible, short pieces of neighbouring formulas, shifted by
//!    a word, chained 2,390 chapters into one cluster. A segment
//!    never joins a longer one that merely contains it, so unrelated passages touching one
//!    document do not chain.
//! 4. **Merge neighbours**: two groups of segments are one passage when each segment of the first is
//!    followed, in its document, by a segment of the second and they have as many segments (the
//!    same documents, always adjacent): a passage cut by a chance boundary is whole again.
//!
//! A cluster's occurrences are its adjacent segments merged per document, in document (date)
//! order; the first is the source. Each later occurrence has the kind of a passage that joined it
//! to the source, or else to the earliest document it was joined with (`from`): never a later one.
//! The work is linear in the passages and the cuts (per document, a sweep over its passages); the
//! result does not depend on the thread count.

use std::collections::BTreeSet;
use std::ops::Range;

use rayon::prelude::*;

use super::{Cluster, Occurrence, PairResult};
use crate::align::Kind;

/// Rounds of carrying cuts across passages. A cut travels one passage a round; two or three rounds
/// settle the corpora measured (BENCHMARKS.md), the bound keeps a long chain of documents linear.
pub const MAX_ROUNDS: usize = 8;

/// One side of a passage in a document.
#[derive(Clone, Copy, Debug)]
struct Side {
    start: u32,
    end: u32,
    node: u32,
    is_a: bool,
}

/// The passages as nodes: (pair, passage) of each passage.
struct Nodes<'p> {
    pairs: &'p [PairResult],
    list: Vec<(u32, u32)>,
}

impl Nodes<'_> {
    fn passage(&self, n: u32) -> (&PairResult, &super::PassageRec) {
        let (pi, xi) = self.list[n as usize];
        let p = &self.pairs[pi as usize];
        (p, &p.passages[xi as usize])
    }

    /// The other side of `s`: its document and token range.
    fn partner(&self, s: &Side) -> (usize, Range<usize>) {
        let (p, x) = self.passage(s.node);
        if s.is_a {
            (p.b, x.b_tokens.clone())
        } else {
            (p.a, x.a_tokens.clone())
        }
    }
}

fn u32_of(x: usize) -> u32 {
    u32::try_from(x).expect("token positions and counts fit in 32 bits (as in the index)")
}

/// Add the candidate cuts `cands` (position, support) to `cuts`, best supported first (then
/// leftmost), each only if no cut lies closer than `min_len`; returns the ones added, sorted.
fn pick(cuts: &mut BTreeSet<u32>, mut cands: Vec<(u32, u32)>, min_len: u32) -> Vec<u32> {
    cands.sort_unstable_by_key(|&(pos, support)| (std::cmp::Reverse(support), pos));
    let mut added = Vec::new();
    let near = min_len - 1;
    for (pos, _) in cands {
        if cuts
            .range(pos.saturating_sub(near)..=pos.saturating_add(near))
            .next()
            .is_none()
        {
            cuts.insert(pos);
            added.push(pos);
        }
    }
    added.sort_unstable();
    added
}

/// Sorted positions as (position, how many times).
fn counted(mut v: Vec<u32>) -> Vec<(u32, u32)> {
    v.sort_unstable();
    v.chunk_by(|x, y| x == y)
        .map(|run| (run[0], u32_of(run.len())))
        .collect()
}

/// `x` of the range `from` mapped linearly into the range `to` (rounded to the nearest).
fn map_linear(x: u32, from: (u32, u32), to: (u32, u32)) -> u32 {
    let (f0, f1) = (u64::from(from.0), u64::from(from.1));
    let (t0, t1) = (u64::from(to.0), u64::from(to.1));
    let len = (f1 - f0).max(1);
    let off = (u64::from(x) - f0) * (t1 - t0);
    u32_of((t0 + (2 * off + len) / (2 * len)) as usize)
}

/// Index of the cut nearest to `p` (the left one on a tie); `cuts` is not empty.
fn nearest(cuts: &[u32], p: u32) -> usize {
    let i = cuts.partition_point(|&c| c < p);
    if i == cuts.len() || (i > 0 && p - cuts[i - 1] <= cuts[i] - p) {
        i - 1
    } else {
        i
    }
}

/// Union-find over segments, 4 bytes a segment.
struct UnionFind(Vec<u32>);

impl UnionFind {
    fn find(&mut self, x: usize) -> usize {
        let mut x = u32_of(x);
        while self.0[x as usize] != x {
            self.0[x as usize] = self.0[self.0[x as usize] as usize];
            x = self.0[x as usize];
        }
        x as usize
    }
    fn union(&mut self, x: usize, y: usize) {
        let (rx, ry) = (self.find(x), self.find(y));
        // The smaller root wins, so a component's root is its smallest member whatever the order of
        // unions.
        if rx != ry {
            let (lo, hi) = (rx.min(ry), rx.max(ry));
            self.0[hi] = u32_of(lo);
        }
    }
}

fn mirror(k: Kind) -> Kind {
    match k {
        Kind::Expanded => Kind::Condensed,
        Kind::Condensed => Kind::Expanded,
        k => k,
    }
}

/// The cuts of every document: passage ends, then carried across repeated passages.
fn cut_documents(sides: &[Vec<Side>], nodes: &Nodes, min_len: u32) -> Vec<Vec<u32>> {
    let mut cuts: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); sides.len()];
    let mut fresh: Vec<Vec<u32>> = sides
        .par_iter()
        .zip(cuts.par_iter_mut())
        .map(|(list, set)| {
            let ends = list.iter().flat_map(|s| [s.start, s.end]).collect();
            pick(set, counted(ends), min_len)
        })
        .collect();
    for _ in 0..MAX_ROUNDS {
        // Each new cut strictly inside a repeated passage, mapped to the passage's other side.
        let mut proposals: Vec<(u32, u32)> = sides
            .par_iter()
            .zip(fresh.par_iter())
            .flat_map_iter(|(list, new)| {
                let mut out = Vec::new();
                let (mut k, mut active) = (0, Vec::<Side>::new());
                for &p in new {
                    while k < list.len() && list[k].start < p {
                        active.push(list[k]);
                        k += 1;
                    }
                    active.retain(|s| s.end > p);
                    for s in &active {
                        if nodes.passage(s.node).1.kind != Kind::Repeated {
                            continue;
                        }
                        let (doc, r) = nodes.partner(s);
                        let q = map_linear(p, (s.start, s.end), (u32_of(r.start), u32_of(r.end)));
                        if q > u32_of(r.start) && q < u32_of(r.end) {
                            out.push((u32_of(doc), q));
                        }
                    }
                }
                out
            })
            .collect();
        if proposals.is_empty() {
            break;
        }
        proposals.par_sort_unstable();
        let mut by_doc: Vec<Vec<u32>> = vec![Vec::new(); sides.len()];
        for (d, q) in proposals {
            by_doc[d as usize].push(q);
        }
        fresh = cuts
            .par_iter_mut()
            .zip(by_doc.into_par_iter())
            .map(|(set, qs)| {
                if qs.is_empty() {
                    Vec::new()
                } else {
                    pick(set, counted(qs), min_len)
                }
            })
            .collect();
        if fresh.iter().all(Vec::is_empty) {
            break;
        }
    }
    cuts.into_iter().map(|s| s.into_iter().collect()).collect()
}

/// A key for each word of `text` (as [`crate::text::for_each_word`] counts them): a hash of the first
/// five characters of its normalised form (truncation, the cheapest stemmer: "building" and
/// "build", "development" and "develop" share a key), 0 for a function word. Cheap enough to run on
/// the words of every passage that is not near-verbatim.
fn word_keys(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut form = String::new();
    crate::text::for_each_word(text, |_, word| {
        form.clear();
        crate::text::normalize_into(word, &mut form);
        out.push(if crate::text::is_stop_form(&form) {
            0
        } else {
            let cut = form.char_indices().nth(5).map_or(form.len(), |(i, _)| i);
            (xxhash_rust::xxh3::xxh3_64(&form.as_bytes()[..cut]) as u32).max(1)
        });
    });
    out
}

/// Whether two pieces are the same words: at least `num`/`den` of the smaller one's distinct content
/// words (all its words when it has none) are in the other. Pieces of a reworded or expanded passage
/// that lie at the same place in their sides are not always the same words, and neither are two
/// short pieces of a repeated passage that a one-word shift makes overlap.
fn share_words(x: &[u32], y: &[u32], num: usize, den: usize) -> bool {
    let set = |v: &[u32]| {
        let mut s: Vec<u32> = v.iter().copied().filter(|&k| k != 0).collect();
        if s.is_empty() {
            s = v.to_vec();
        }
        s.sort_unstable();
        s.dedup();
        s
    };
    let (x, y) = (set(x), set(y));
    let shared = x.iter().filter(|k| y.binary_search(k).is_ok()).count();
    shared * den >= x.len().min(y.len()).max(1) * num
}

/// For each cut of a document, the byte where the word at the cut starts and the byte where the
/// word before it ends (the text's length and 0 where there is no such word).
fn cut_bytes(text: &str, cuts: &[u32]) -> Vec<(usize, usize)> {
    let mut out = vec![(text.len(), 0); cuts.len()];
    if cuts.is_empty() {
        return out;
    }
    let (mut i, mut w) = (0usize, 0u32);
    crate::text::for_each_word(text, |start, word| {
        // Word `w` starts a cut at `w` and ends a cut at `w + 1`.
        while i < cuts.len() && cuts[i] < w {
            i += 1;
        }
        if i < cuts.len() && cuts[i] == w {
            out[i].0 = start;
        }
        let j = i + usize::from(i < cuts.len() && cuts[i] == w);
        if j < cuts.len() && cuts[j] == w + 1 {
            out[j].1 = start + word.len();
        }
        w += 1;
    });
    out
}

/// The clusters of `pairs` (sorted by (a, b)) over documents with texts `texts`: groups of the same
/// words in at least `min_docs` documents, pieces shorter than `min_words` words never on their own.
pub(crate) fn clusters(
    texts: &[&str],
    pairs: &[PairResult],
    min_words: f64,
    min_docs: usize,
) -> Vec<Cluster> {
    let n_docs = texts.len();
    // Cuts at least half the shortest passage apart: a passage then never shrinks to no piece (its
    // ends move by less than a quarter of it), and a chance word at an edge makes no piece.
    let min_len = u32_of((min_words / 2.0).ceil().max(1.0) as usize);
    let mut nodes = Nodes {
        pairs,
        list: Vec::new(),
    };
    let mut sides: Vec<Vec<Side>> = vec![Vec::new(); n_docs];
    for (pi, p) in pairs.iter().enumerate() {
        for (xi, x) in p.passages.iter().enumerate() {
            if x.a_tokens.is_empty() || x.b_tokens.is_empty() {
                continue;
            }
            let node = u32_of(nodes.list.len());
            nodes.list.push((u32_of(pi), u32_of(xi)));
            for (doc, r, is_a) in [(p.a, &x.a_tokens, true), (p.b, &x.b_tokens, false)] {
                sides[doc].push(Side {
                    start: u32_of(r.start),
                    end: u32_of(r.end),
                    node,
                    is_a,
                });
            }
        }
    }
    sides
        .par_iter_mut()
        .for_each(|l| l.sort_unstable_by_key(|s| (s.start, s.end, s.node, s.is_a)));
    let cuts = cut_documents(&sides, &nodes, min_len);
    drop(sides);

    // Segment i of document d, [cuts[d][i], cuts[d][i + 1]), is number first[d] + i.
    let mut first = Vec::with_capacity(n_docs + 1);
    let mut total = 0usize;
    for c in &cuts {
        first.push(total);
        total += c.len().saturating_sub(1);
    }
    first.push(total);
    let doc_of = |s: usize| first.partition_point(|&f| f <= s) - 1;

    // Join: per passage, the segments of one side with those of the other that are the same words.
    // (segment of A's side, segment of B's side, passage), 12 bytes an edge.
    let edges: Vec<(u32, u32, u32)> = (0..nodes.list.len())
        .into_par_iter()
        .flat_map_iter(|n| {
            let n = u32_of(n);
            let (p, x) = nodes.passage(n);
            let (ca, cb) = (&cuts[p.a], &cuts[p.b]);
            let snap = |c: &[u32], r: &Range<usize>| {
                (nearest(c, u32_of(r.start)), nearest(c, u32_of(r.end)))
            };
            let ((i0, i1), (j0, j1)) = (snap(ca, &x.a_tokens), snap(cb, &x.b_tokens));
            let mut out = Vec::new();
            // A linear map is good to a few words only through a near-verbatim passage; through
            // another (words inserted, dropped, replaced), pieces are joined only when both sides
            // are cut into as many, the k-th with the k-th.
            let in_order = x.kind != Kind::Repeated;
            if i0 >= i1 || j0 >= j1 || (in_order && i1 - i0 != j1 - j0) {
                return out.into_iter();
            }
            let (from, to) = ((ca[i0], ca[i1]), (cb[j0], cb[j1]));
            // The word keys of the passage's two sides, read once per passage and only when a join
            // needs them (below); a piece's words are those of its part inside the passage. None
            // when a side's words do not count as its tokens: the pieces are then joined unchecked.
            let keys = std::cell::OnceCell::new();
            let keys_of = || {
                let ka = word_keys(&texts[p.a][x.a.clone()]);
                let kb = word_keys(&texts[p.b][x.b.clone()]);
                (ka.len() == x.a_tokens.len() && kb.len() == x.b_tokens.len()).then_some((ka, kb))
            };
            // Piece `i` between cuts `c`, as offsets into the passage side `r` (whose keys there are
            // exactly `r.len()`).
            let piece = |c: &[u32], i: usize, r: &Range<usize>| -> Range<usize> {
                let at = |x: u32| (x as usize).clamp(r.start, r.end) - r.start;
                at(c[i])..at(c[i + 1])
            };
            let mut j = j0;
            for i in i0..i1 {
                let (u, v) = (map_linear(ca[i], from, to), map_linear(ca[i + 1], from, to));
                while j < j1 && cb[j + 1] <= u {
                    j += 1;
                }
                let mut k = j;
                while k < j1 && cb[k] < v {
                    let (t0, t1) = (cb[k], cb[k + 1]);
                    let ov = v.min(t1).saturating_sub(u.max(t0));
                    let same = |num, den| match keys.get_or_init(keys_of) {
                        Some((ka, kb)) => share_words(
                            &ka[piece(ca, i, &x.a_tokens)],
                            &kb[piece(cb, k, &x.b_tokens)],
                            num,
                            den,
                        ),
                        None => true,
                    };
                    let joined = if in_order {
                        // A passage left whole on both sides is its own evidence: half its
                        // content words will do; pieces of a longer one need two thirds.
                        k - j0 == i - i0 && if i1 - i0 == 1 { same(1, 2) } else { same(2, 3) }
                    } else {
                        // Through a near-verbatim passage, mapped pieces that overlap by two
                        // thirds are the same words unless they are short: a shift of a word or
                        // two then leaves other words (neighbouring formulas).
                        ov * 3 >= (v - u).max(t1 - t0) * 2
                            && ((v - u).min(t1 - t0) >= 4 * min_len || same(2, 3))
                    };
                    if joined {
                        out.push((u32_of(first[p.a] + i), u32_of(first[p.b] + k), n));
                    }
                    k += 1;
                }
            }
            out.into_iter()
        })
        .collect();
    let mut uf = UnionFind((0..u32_of(total)).collect());
    for &(s, t, _) in &edges {
        uf.union(s as usize, t as usize);
    }

    // Merge neighbours: a group whose every segment is followed by a segment of one other group of
    // the same size. Segment numbers, roots and counts are u32, 4 bytes a segment each (NONE and
    // UNSET are never segments).
    let roots: Vec<u32> = (0..total).map(|s| uf.find(s) as u32).collect();
    let mut size = vec![0u32; total];
    for &r in &roots {
        size[r as usize] += 1;
    }
    const UNSET: u32 = u32::MAX;
    const NONE: u32 = u32::MAX - 1;
    assert!(total < NONE as usize, "fewer than 2^32 - 2 segments");
    let mut next = vec![UNSET; total];
    for d in 0..n_docs {
        for s in first[d]..first[d + 1] {
            let r = roots[s] as usize;
            let after = if s + 1 < first[d + 1] {
                roots[s + 1]
            } else {
                NONE
            };
            next[r] = match next[r] {
                UNSET => after,
                x if x == after => x,
                _ => NONE,
            };
        }
    }
    for r in 0..total {
        let n = next[r];
        if roots[r] as usize == r
            && size[r] >= 2
            && n < NONE
            && n as usize != r
            && size[n as usize] == size[r]
        {
            uf.union(r, n as usize);
        }
    }
    drop((size, next));

    // Segments by group, in segment (document, position) order.
    let mut members: Vec<(u32, u32)> = (0..total).map(|s| (uf.find(s) as u32, s as u32)).collect();
    members.sort_unstable();
    // Edges by segment, for `from` and `kind`.
    let mut at = vec![0u32; total + 1];
    for &(s, t, _) in &edges {
        at[s as usize + 1] += 1;
        at[t as usize + 1] += 1;
    }
    for i in 0..total {
        at[i + 1] += at[i];
    }
    let mut incident = vec![0u32; at[total] as usize];
    let mut fill = at.clone();
    for (e, &(s, t, _)) in edges.iter().enumerate() {
        for x in [s as usize, t as usize] {
            incident[fill[x] as usize] = u32_of(e);
            fill[x] += 1;
        }
    }
    drop(fill);

    let bytes: Vec<Vec<(usize, usize)>> = texts
        .par_iter()
        .zip(cuts.par_iter())
        .map(|(t, c)| cut_bytes(t, c))
        .collect();

    // Boilerplate: a group joined mostly by boilerplate passages is listed with the boilerplate, not
    // as a cluster. Deciding per group rather than per passage keeps a text together whichever of
    // its pairs were labelled (boilerplate runs are cut per document, so its labels vary by pair).
    let mut joins = vec![(0u32, 0u32); total];
    for &(s, _, n) in &edges {
        let r = uf.find(s as usize);
        joins[r].0 += 1;
        joins[r].1 += u32::from(nodes.passage(n).1.boilerplate);
    }
    let mut out = Vec::new();
    for group in members.chunk_by(|x, y| x.0 == y.0) {
        let (all, boiler) = joins[group[0].0 as usize];
        if group.len() < 2 || boiler * 2 >= all {
            continue;
        }
        // Runs of adjacent segments in one document, pieces of one passage (of neighbouring
        // groups merged above); two adjacent copies of the same words are two occurrences.
        let mut runs: Vec<(usize, usize, usize)> = Vec::new();
        for &(_, s) in group {
            let s = s as usize;
            let d = doc_of(s);
            match runs.last_mut() {
                Some((rd, _, end)) if *rd == d && *end + 1 == s && roots[*end] != roots[s] => {
                    *end = s
                }
                _ => runs.push((d, s, s)),
            }
        }
        let documents = 1 + runs.windows(2).filter(|w| w[0].0 != w[1].0).count();
        if documents < min_docs {
            continue;
        }
        let source = runs[0].0;
        let occurrences = runs
            .iter()
            .map(|&(doc, s0, s1)| {
                let (i, j) = (s0 - first[doc], s1 + 1 - first[doc]);
                let (mut kind, mut from) = (None, None);
                if doc != source {
                    // The passage joining this occurrence to the source, else to the earliest
                    // document it was joined with; most aligned words first.
                    let mut best: Option<((bool, usize, usize), Kind)> = None;
                    for &e in (s0..=s1).flat_map(|s| &incident[at[s] as usize..at[s + 1] as usize])
                    {
                        let (sa, _, node) = edges[e as usize];
                        let (p, x) = nodes.passage(node);
                        let mine_is_a = (s0..=s1).contains(&(sa as usize)) && p.a == doc;
                        let (other, k) = if mine_is_a {
                            (p.b, mirror(x.kind))
                        } else {
                            (p.a, x.kind)
                        };
                        // Reused from an earlier document (or one of the same date listed
                        // before), never from a later one.
                        if other > doc {
                            continue;
                        }
                        let key = (
                            other != source,
                            other,
                            usize::MAX - x.aligned_a.min(x.aligned_b),
                        );
                        if best.is_none_or(|b| key < b.0) {
                            best = Some((key, k));
                        }
                    }
                    if let Some(((_, other, _), k)) = best {
                        kind = Some(k);
                        from = Some(other);
                    }
                }
                Occurrence {
                    doc,
                    span: bytes[doc][i].0..bytes[doc][j].1,
                    kind,
                    from,
                }
            })
            .collect::<Vec<_>>();
        out.push(Cluster {
            occurrences,
            documents,
        });
    }
    out.sort_by_key(|c| {
        let o = &c.occurrences[0];
        (o.doc, o.span.start, o.span.end)
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::PassageRec;

    /// A document of `n` words of four letters: word i is bytes [5i, 5i + 4).
    fn text(n: usize) -> String {
        "abcd ".repeat(n)
    }

    fn bytes(r: &Range<usize>) -> Range<usize> {
        r.start * 5..r.end * 5 - 1
    }

    /// A pair of documents `a` < `b` with repeated passages given as token ranges.
    fn pair(a: usize, b: usize, passages: &[(Range<usize>, Range<usize>)]) -> PairResult {
        PairResult {
            a,
            b,
            shared_ngrams: 10,
            passages: passages
                .iter()
                .map(|(x, y)| PassageRec {
                    kind: Kind::Repeated,
                    score: 1.0,
                    aligned_a: x.len(),
                    aligned_b: y.len(),
                    a: bytes(x),
                    b: bytes(y),
                    a_tokens: x.clone(),
                    b_tokens: y.clone(),
                    ops: Vec::new(),
                    boilerplate: false,
                    reworded_tier: false,
                })
                .collect(),
            a_share: 0.0,
            b_share: 0.0,
            a_share_all: 0.0,
            b_share_all: 0.0,
        }
    }

    /// Each cluster as its occurrences (document, token range).
    fn run(n_docs: usize, pairs: &[PairResult]) -> Vec<Vec<(usize, Range<usize>)>> {
        let texts: Vec<String> = (0..n_docs).map(|_| text(100)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        clusters(&refs, pairs, 8.0, 2)
            .iter()
            .map(|c| {
                c.occurrences
                    .iter()
                    .map(|o| (o.doc, o.span.start / 5..(o.span.end + 1) / 5))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn pieces_of_a_reworded_passage_join_only_when_they_share_their_words() {
        // Words of five letters: word i of a document is bytes [6i, 6i + 5).
        let words = |p: &str| (0..10).map(|i| format!("{p}{i:04}")).collect::<Vec<_>>();
        let doc = |x: &str, y: &str| [words(x), words(y)].concat().join(" ");
        // 0 and 1 share their first halves (p words); their second halves differ (q, r), but one
        // expanded passage covers both wholes. 2 holds 0's q words, 3 holds 1's r words: both
        // documents are cut after word 10, and the second pieces lie at the same place.
        let texts = [doc("p", "q"), doc("p", "r"), doc("q", "s"), doc("r", "t")];
        let at = |r: &Range<usize>| r.start * 6..r.end * 6 - 1;
        let rec = |kind, x: Range<usize>, y: Range<usize>| PassageRec {
            kind,
            score: 1.0,
            aligned_a: x.len(),
            aligned_b: y.len(),
            a: at(&x),
            b: at(&y),
            a_tokens: x,
            b_tokens: y,
            ops: Vec::new(),
            boilerplate: false,
            reworded_tier: false,
        };
        let mk = |a, b, passages| PairResult {
            a,
            b,
            shared_ngrams: 10,
            passages,
            a_share: 0.0,
            b_share: 0.0,
            a_share_all: 0.0,
            b_share_all: 0.0,
        };
        let pairs = [
            mk(0, 1, vec![rec(Kind::Expanded, 0..20, 0..20)]),
            mk(0, 2, vec![rec(Kind::Repeated, 10..20, 0..10)]),
            mk(1, 3, vec![rec(Kind::Repeated, 10..20, 0..10)]),
        ];
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let got: Vec<Vec<(usize, Range<usize>)>> = clusters(&refs, &pairs, 8.0, 2)
            .iter()
            .map(|c| {
                let o = c.occurrences.iter();
                o.map(|o| (o.doc, o.span.start / 6..(o.span.end + 1) / 6))
                    .collect()
            })
            .collect();
        // p in 0 and 1; q in 0 and 2; r in 1 and 3; never q with r.
        assert_eq!(
            got,
            vec![
                vec![(0, 0..10), (1, 0..10)],
                vec![(0, 10..20), (2, 0..10)],
                vec![(1, 10..20), (3, 0..10)],
            ]
        );
    }

    #[test]
    fn paragraphs_shared_alone_and_together_are_one_cluster_each() {
        // Paragraphs P and Q of 20 words. Documents 0 and 1 are P Q (one passage of both);
        // document 2 holds Q alone, document 3 P alone (at word 20).
        let pairs = [
            pair(0, 1, &[(0..40, 0..40)]),
            pair(0, 2, &[(20..40, 0..20)]),
            pair(0, 3, &[(0..20, 20..40)]),
            pair(1, 2, &[(20..40, 0..20)]),
            pair(1, 3, &[(0..20, 20..40)]),
        ];
        assert_eq!(
            run(4, &pairs),
            [
                vec![(0, 0..20), (1, 0..20), (3, 20..40)],
                vec![(0, 20..40), (1, 20..40), (2, 0..20)],
            ]
        );
    }

    #[test]
    fn a_cut_in_one_document_is_carried_to_the_documents_sharing_both() {
        // Documents 1 and 2 share P Q only together (no cut between them of their own); document 0
        // shares P Q with 1 and P alone with 3: the cut between P and Q reaches 1, then 2.
        let pairs = [
            pair(0, 1, &[(0..40, 0..40)]),
            pair(0, 3, &[(0..20, 0..20)]),
            pair(1, 2, &[(0..40, 50..90)]),
        ];
        assert_eq!(
            run(4, &pairs),
            [
                vec![(0, 0..20), (1, 0..20), (2, 50..70), (3, 0..20)],
                vec![(0, 20..40), (1, 20..40), (2, 70..90)],
            ]
        );
    }

    #[test]
    fn unrelated_passages_touching_one_document_do_not_chain() {
        // Document 0 shares words 0-30 with 1, words 40-70 with 2, and 20-50 (straddling both) with
        // 3. No cluster holds words of 0 that are not the same words in its other documents.
        let pairs = [
            pair(0, 1, &[(0..30, 0..30)]),
            pair(0, 2, &[(40..70, 10..40)]),
            pair(0, 3, &[(20..50, 60..90)]),
        ];
        let got = run(4, &pairs);
        assert_eq!(
            got,
            [
                vec![(0, 0..20), (1, 0..20)],
                vec![(0, 20..30), (1, 20..30), (3, 60..70)],
                vec![(0, 30..40), (3, 70..80)],
                vec![(0, 40..50), (2, 10..20), (3, 80..90)],
                vec![(0, 50..70), (2, 20..40)],
            ]
        );
    }

    #[test]
    fn a_passage_cut_by_chance_is_whole_again_and_slivers_are_not_pieces() {
        // Documents 0-3 share words 0-40; the pair (0, 1) ends its passage three words early and
        // (1, 2) starts two words late: no piece of two or three words, one cluster of 0-40 (the
        // boundaries most passages agree on).
        let pairs = [
            pair(0, 1, &[(0..37, 0..37)]),
            pair(0, 2, &[(0..40, 0..40)]),
            pair(0, 3, &[(0..40, 0..40)]),
            pair(1, 2, &[(2..40, 2..40)]),
            pair(1, 3, &[(0..40, 0..40)]),
            pair(2, 3, &[(0..40, 0..40)]),
        ];
        assert_eq!(
            run(4, &pairs),
            [vec![(0, 0..40), (1, 0..40), (2, 0..40), (3, 0..40)]]
        );
    }

    #[test]
    fn from_never_names_a_later_document() {
        // Document 2 is joined to the source 0 only through the later document 3; document 1
        // directly.
        let pairs = [
            pair(0, 1, &[(0..20, 0..20)]),
            pair(0, 3, &[(0..20, 0..20)]),
            pair(2, 3, &[(0..20, 0..20)]),
        ];
        let texts: Vec<String> = (0..4).map(|_| text(30)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let got = clusters(&refs, &pairs, 8.0, 2);
        assert_eq!(got.len(), 1);
        let occ: Vec<(usize, Option<usize>)> =
            got[0].occurrences.iter().map(|o| (o.doc, o.from)).collect();
        assert_eq!(occ, [(0, None), (1, Some(0)), (2, None), (3, Some(0))]);
        for c in &got {
            for o in &c.occurrences {
                assert!(o.from.is_none_or(|f| f <= o.doc));
            }
        }
    }

    #[test]
    fn occurrences_are_byte_spans_of_whole_words() {
        let texts = ["Alpha beta, gamma delta! eps", "x Alpha beta gamma delta"];
        let p = PairResult {
            passages: vec![PassageRec {
                a: 0..23,
                b: 2..24,
                ..pair(0, 1, &[(0..4, 1..5)]).passages[0].clone()
            }],
            ..pair(0, 1, &[])
        };
        let got = clusters(&texts, &[p], 2.0, 2);
        let spans: Vec<(usize, &str)> = got[0]
            .occurrences
            .iter()
            .map(|o| (o.doc, &texts[o.doc][o.span.clone()]))
            .collect();
        assert_eq!(
            spans,
            [
                (0, "Alpha beta, gamma delta"),
                (1, "Alpha beta gamma delta")
            ]
        );
    }
}
