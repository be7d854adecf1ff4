//! Extension and word alignment of candidate regions.
//!
//! Each region is widened by a margin (words just outside the outermost seeds may still match), then
//! aligned word by word on token ids: trigrams unique to both sides, in the same order on both,
//! anchor maximal equal blocks, and the stretches between blocks are diffed with an LCS table when
//! small (its rows as bit vectors when B's side has at most 64 words) or `similar`'s patience diff
//! otherwise (with a deadline for huge regions), which keeps common words from being paired across
//! the passage. The diff's steps
//! are scored like a local alignment with affine gaps: an aligned word earns its weight, a substitution
//! or an inserted or deleted run costs a little plus a little per word, so an inserted clause inside a
//! passage does not break it but a long unrelated stretch does. The best-scoring stretches (maximum
//! subarrays, found recursively) become passages. A replacement whose two sides spell nearly the same
//! letters (an OCR join such as "developthe ment", a compound split) counts as aligned.
//! Passages from neighbouring regions that cover the same words are merged into one.

use std::ops::Range;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use similar::{Algorithm, DiffOp, DiffTag};

use super::chain::Region;
use super::{Kind, Op, OpTag, Params, Passage, Seq};
use crate::relate::Relation;
use crate::text::normalize_into;

/// Words looked at beyond the outermost seeds of a region.
const MARGIN: usize = 8;
/// Time allowed to one region's diff before `similar` falls back to a cheaper, coarser answer.
const DIFF_DEADLINE: Duration = Duration::from_secs(2);
/// Smallest score of a stretch worth keeping before the reporting thresholds apply.
const MIN_STRETCH: f64 = 3.0;

/// Align every region and return the passages found, in region order, overlapping ones merged.
pub fn passages(
    a: &Seq,
    text_a: &str,
    b: &Seq,
    text_b: &str,
    regions: &[Region],
    params: &Params,
) -> Vec<Passage> {
    // Each thread keeps its buffers from region to region (`fold`), and the passages come out in
    // region order.
    let found: Vec<Vec<Passage>> = regions
        .par_iter()
        .fold(
            || (Scratch::default(), Vec::new()),
            |(mut scratch, mut out), r| {
                align_region(a, text_a, b, text_b, r, params, &mut scratch, &mut out);
                (scratch, out)
            },
        )
        .map(|(_, out)| out)
        .collect();
    merge_overlapping(found.into_iter().flatten().collect())
}

/// Buffers a thread reuses from one region to the next: without them aligning a region takes a
/// dozen allocations, and the threads' allocations serialise in `compare`'s one malloc arena, so two
/// threads would each spend far longer on their regions than one thread does (BENCHMARKS.md).
#[derive(Default)]
struct Scratch {
    /// The region's diff, then its scores and best stretches.
    ops: Vec<Op>,
    scores: Vec<f64>,
    stretches: Vec<Range<usize>>,
    todo: Vec<Range<usize>>,
    diff: DiffScratch,
    /// The letters of the two sides of a replacement.
    letters: (String, String),
}

/// Buffers of [`diff_ids`].
#[derive(Default)]
struct DiffScratch {
    raw: Vec<RawOp>,
    /// trigram -> (count in x, position in x, count in y, position in y)
    seen: FxHashMap<[u32; 3], [u32; 4]>,
    pairs: Vec<(usize, usize)>,
    tails: Vec<usize>,
    prev: Vec<usize>,
    anchors: Vec<(usize, usize)>,
    /// The LCS table of a small stretch.
    table: Lcs,
}

/// A region whose seeds cover fewer than three quarters of a passage's words rarely grows into a
/// reportable passage: words matching beyond the seeds would have made seeds too. Skipping these
/// (between unrelated texts nearly every region is a chance trigram or two) saves a diff per chance
/// match. Measured on the evaluation data: no change in recall.
pub fn promising(r: &Region, a: &Seq, params: &Params) -> bool {
    r.covered as f64 * a.weight(r.a.start) >= params.min_words * 0.75
        && r.covered * 5 >= r.a.len().min(r.b.len())
}

/// Append the passages of one region to `out`.
#[allow(clippy::too_many_arguments)]
fn align_region(
    a: &Seq,
    text_a: &str,
    b: &Seq,
    text_b: &str,
    r: &Region,
    params: &Params,
    scratch: &mut Scratch,
    out: &mut Vec<Passage>,
) {
    let ra = r.a.start.saturating_sub(MARGIN)..(r.a.end + MARGIN).min(a.ids.len());
    let rb = r.b.start.saturating_sub(MARGIN)..(r.b.end + MARGIN).min(b.ids.len());
    let Scratch {
        ops,
        scores,
        stretches,
        todo,
        diff: diff_scratch,
        letters,
    } = scratch;
    diff_into(a, text_a, b, text_b, ra, rb, diff_scratch, letters, ops);
    scores.clear();
    scores.extend(ops.iter().map(|o| {
        let breaks = o.tag != OpTag::Equal
            && !o.fuzzy
            && (crosses_paragraph(a, text_a, &o.a) || crosses_paragraph(b, text_b, &o.b));
        score_op(o, a, params) - if breaks { PARAGRAPH_BREAK } else { 0.0 }
    }));
    stretches.clear();
    best_stretches(scores, 0..scores.len(), todo, stretches);
    stretches.sort_by_key(|s| s.start);
    out.extend(stretches.iter().map(|s| {
        let ops = ops[s.clone()].to_vec();
        let first = ops.first().expect("a stretch has a positive op");
        let last = ops.last().expect("a stretch has a positive op");
        Passage {
            a: first.a.start..last.a.end,
            b: first.b.start..last.b.end,
            ops,
            kind: Kind::Reworded,
            score: 0.0,
            aligned_a: 0,
            aligned_b: 0,
            evidence: None,
        }
    }));
}

/// The word diff of two token ranges, with absolute token indices, into `ops`.
#[allow(clippy::too_many_arguments)]
fn diff_into(
    a: &Seq,
    text_a: &str,
    b: &Seq,
    text_b: &str,
    ra: Range<usize>,
    rb: Range<usize>,
    scratch: &mut DiffScratch,
    letters: &mut (String, String),
    ops: &mut Vec<Op>,
) {
    diff_ids(&a.ids[ra.clone()], &b.ids[rb.clone()], scratch);
    ops.clear();
    ops.extend(scratch.raw.iter().map(|(tag, oa, ob)| {
        let (oa, ob) = (
            oa.start + ra.start..oa.end + ra.start,
            ob.start + rb.start..ob.end + rb.start,
        );
        let fuzzy =
            *tag == OpTag::Replace && spelled_alike(a, text_a, &oa, b, text_b, &ob, letters);
        Op {
            tag: *tag,
            a: oa,
            b: ob,
            fuzzy,
            relation: fuzzy.then_some(Relation::Fuzzy),
        }
    }));
}

/// One diff step over two slices: its tag and the ranges it covers on each side.
type RawOp = (OpTag, Range<usize>, Range<usize>);

/// Stretches smaller than this many cells (|x| * |y|) are diffed with an LCS table.
const SMALL_DIFF: usize = 1 << 12;

/// Diff two id slices. Trigrams that occur exactly once on each side and in the same order (the
/// longest increasing chain of them) anchor the alignment, as words unique to both sides anchor a
/// patience diff; each anchor is extended to a maximal equal block and only the stretches between
/// blocks are diffed. Unique trigrams are far more frequent than unique words in long passages, so
/// the stretches left are a few words long and the diff does little work.
///
/// The steps go to `scratch.raw`.
fn diff_ids(x: &[u32], y: &[u32], scratch: &mut DiffScratch) {
    scratch.raw.clear();
    // A passage copied word for word (every shared paragraph of a corpus that reuses paragraphs) is
    // one equal step, as the general diff finds it, without sorting its trigrams.
    if x == y {
        if !x.is_empty() {
            scratch.raw.push((OpTag::Equal, 0..x.len(), 0..y.len()));
        }
        return;
    }
    diff_general(x, y, scratch);
}

/// [`diff_ids`] of any two slices.
fn diff_general(x: &[u32], y: &[u32], scratch: &mut DiffScratch) {
    if x.len() * y.len() <= SMALL_DIFF {
        gap_ops(x, y, 0, 0, &mut scratch.table, &mut scratch.raw);
        return;
    }
    unique_anchors(x, y, scratch);
    let DiffScratch {
        raw: out,
        anchors,
        table,
        ..
    } = scratch;
    let (mut pi, mut pj) = (0, 0);
    for &(i, j) in anchors.iter() {
        if i < pi || j < pj {
            continue;
        }
        let len = x[i..]
            .iter()
            .zip(&y[j..])
            .take_while(|(p, q)| p == q)
            .count();
        gap_ops(&x[pi..i], &y[pj..j], pi, pj, table, out);
        out.push((OpTag::Equal, i..i + len, j..j + len));
        (pi, pj) = (i + len, j + len);
    }
    gap_ops(&x[pi..], &y[pj..], pi, pj, table, out);
    // Stitching can put two equal steps side by side (a gap ending in matching words, then a block).
    out.dedup_by(|op, last| {
        let merge = last.0 == OpTag::Equal && op.0 == OpTag::Equal;
        if merge {
            last.1.end = op.1.end;
            last.2.end = op.2.end;
        }
        merge
    });
}

/// The diff of a stretch between anchors (or of a small region), offset by (`oi`, `oj`), appended
/// to `out`: an LCS table (in `table`) when small, `similar`'s patience diff otherwise.
fn gap_ops(x: &[u32], y: &[u32], oi: usize, oj: usize, table: &mut Lcs, out: &mut Vec<RawOp>) {
    match (x.is_empty(), y.is_empty()) {
        (true, true) => return,
        (false, true) => return out.push((OpTag::Delete, oi..oi + x.len(), oj..oj)),
        (true, false) => return out.push((OpTag::Insert, oi..oi, oj..oj + y.len())),
        _ => {}
    }
    if x.len() * y.len() <= SMALL_DIFF {
        return lcs_ops(x, y, oi, oj, table, out);
    }
    // Reading the clock inside the diff loop costs more than diffing a small stretch outright.
    let deadline = (x.len() * y.len() > 1 << 20).then(|| Instant::now() + DIFF_DEADLINE);
    let ops = similar::capture_diff_slices_deadline(Algorithm::Patience, x, y, deadline);
    out.extend(ops.into_iter().map(|op: DiffOp| {
        let (tag, ra, rb) = op.as_tag_tuple();
        let tag = match tag {
            DiffTag::Equal => OpTag::Equal,
            DiffTag::Delete => OpTag::Delete,
            DiffTag::Insert => OpTag::Insert,
            DiffTag::Replace => OpTag::Replace,
        };
        (tag, ra.start + oi..ra.end + oi, rb.start + oj..rb.end + oj)
    }));
}

/// Buffers of [`lcs_ops`]: the table of LCS lengths, or its rows as bit vectors.
#[derive(Debug, Default)]
struct Lcs {
    cells: Vec<u16>,
    rows: Vec<u64>,
}

/// A minimal diff by the textbook LCS table, for small stretches: most stretches are the margins of a
/// region or the words between two anchors, a few words each, and here a table of at most
/// [`SMALL_DIFF`] cells costs a few thousand instructions where a general diff's set-up costs tens of
/// thousands. Runs of unmatched words become one replacement (or deletion, or insertion), as
/// `similar` reports them. The steps are appended to `out`; `table` holds the LCS lengths.
///
/// When `y` has at most 64 words, each row of the table is one bit vector (the bit-parallel LCS of
/// Allison and Dix, in Hyyrö's form): a row costs a pass building the match mask and four word
/// operations instead of a chain of dependent cell updates, and a length is a population count. The
/// lengths, and so the steps, are the table's.
fn lcs_ops(x: &[u32], y: &[u32], oi: usize, oj: usize, table: &mut Lcs, out: &mut Vec<RawOp>) {
    let (n, m) = (x.len(), y.len());
    if m <= 64 {
        // Row k: the bit vector after the last k words of x, against y reversed (bit b is y[m - 1 - b]);
        // a zero bit marks a step of the LCS length. The length for x[i..] and y[j..] is then the
        // zeros among the low m - j bits of row n - i.
        let full = if m == 64 { u64::MAX } else { (1u64 << m) - 1 };
        let rows = &mut table.rows;
        rows.clear();
        let mut v = full;
        rows.push(v);
        for &c in x.iter().rev() {
            let mut pm = 0u64;
            for (b, &yc) in y.iter().rev().enumerate() {
                pm |= u64::from(yc == c) << b;
            }
            let u = v & pm;
            v = (v.wrapping_add(u) | (v & !pm)) & full;
            rows.push(v);
        }
        let rows = &table.rows[..];
        let len = |i: usize, j: usize| -> u32 {
            let k = m - j;
            let low = if k == 64 { u64::MAX } else { (1u64 << k) - 1 };
            k as u32 - (rows[n - i] & low).count_ones()
        };
        return lcs_trace(x, y, oi, oj, len, out);
    }
    lcs_table(x, y, oi, oj, table, out)
}

/// [`lcs_ops`] with the whole table of lengths (any `y`).
fn lcs_table(x: &[u32], y: &[u32], oi: usize, oj: usize, table: &mut Lcs, out: &mut Vec<RawOp>) {
    let (n, m) = (x.len(), y.len());
    let w = m + 1;
    // len[i * w + j]: LCS length of x[i..] and y[j..]; fits u16 as n * m <= SMALL_DIFF.
    let cells = &mut table.cells;
    cells.clear();
    cells.resize((n + 1) * w, 0);
    let len = &mut cells[..];
    for i in (0..n).rev() {
        // Row i from row i + 1, as slices of equal length: no bounds checks in the inner loop.
        let (row, below) = len[i * w..(i + 2) * w].split_at_mut(w);
        let xi = x[i];
        for j in (0..m).rev() {
            row[j] = if xi == y[j] {
                below[j + 1] + 1
            } else {
                below[j].max(row[j + 1])
            };
        }
    }
    let cells = &table.cells[..];
    lcs_trace(x, y, oi, oj, |i, j| u32::from(cells[i * w + j]), out)
}

/// The steps of an LCS diff, given `len(i, j)`, the LCS length of `x[i..]` and `y[j..]`.
fn lcs_trace(
    x: &[u32],
    y: &[u32],
    oi: usize,
    oj: usize,
    len: impl Fn(usize, usize) -> u32,
    out: &mut Vec<RawOp>,
) {
    let (n, m) = (x.len(), y.len());
    // Steps are merged only with the ones this table gave, not with what `out` held before.
    let first = out.len();
    let push = |out: &mut Vec<RawOp>, equal: bool, i: usize, j: usize, di: usize, dj: usize| {
        if let Some(last) = out[first..].last_mut() {
            let last_equal = last.0 == OpTag::Equal;
            if last_equal == equal {
                last.1.end += di;
                last.2.end += dj;
                last.0 = if equal {
                    OpTag::Equal
                } else {
                    match (last.1.is_empty(), last.2.is_empty()) {
                        (false, false) => OpTag::Replace,
                        (false, true) => OpTag::Delete,
                        _ => OpTag::Insert,
                    }
                };
                return;
            }
        }
        let tag = match (equal, di > 0) {
            (true, _) => OpTag::Equal,
            (false, true) => OpTag::Delete,
            (false, false) => OpTag::Insert,
        };
        out.push((tag, oi + i..oi + i + di, oj + j..oj + j + dj));
    };
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && x[i] == y[j] && len(i, j) == len(i + 1, j + 1) + 1 {
            push(out, true, i, j, 1, 1);
            (i, j) = (i + 1, j + 1);
        } else if j == m || (i < n && len(i + 1, j) >= len(i, j + 1)) {
            push(out, false, i, j, 1, 0);
            i += 1;
        } else {
            push(out, false, i, j, 0, 1);
            j += 1;
        }
    }
}

/// Positions (i, j) of trigrams occurring once in `x` and once in `y`, the longest chain increasing
/// on both sides (patience sorting), in order, into `scratch.anchors`.
fn unique_anchors(x: &[u32], y: &[u32], scratch: &mut DiffScratch) {
    let DiffScratch {
        seen,
        pairs,
        tails,
        prev,
        anchors: chain,
        ..
    } = scratch;
    seen.clear();
    // Positions fit u32 (offsets are 32-bit): a 28-byte entry where usize positions took 48.
    for (i, w) in x.windows(3).enumerate() {
        let e = seen
            .entry([w[0], w[1], w[2]])
            .or_insert([0, i as u32, 0, 0]);
        e[0] += 1;
    }
    for (j, w) in y.windows(3).enumerate() {
        if let Some(e) = seen.get_mut(&[w[0], w[1], w[2]]) {
            e[2] += 1;
            e[3] = j as u32;
        }
    }
    pairs.clear();
    pairs.extend(
        seen.values()
            .filter(|e| e[0] == 1 && e[2] == 1)
            .map(|e| (e[1] as usize, e[3] as usize)),
    );
    pairs.sort_unstable();
    // Longest increasing subsequence of j (pairs are sorted by i, all i distinct).
    tails.clear(); // index into pairs of the smallest tail of each length
    prev.clear();
    prev.resize(pairs.len(), usize::MAX);
    for (k, &(_, j)) in pairs.iter().enumerate() {
        let pos = tails.partition_point(|&t| pairs[t].1 < j);
        if pos > 0 {
            prev[k] = tails[pos - 1];
        }
        if pos == tails.len() {
            tails.push(k);
        } else {
            tails[pos] = k;
        }
    }
    chain.clear();
    let mut k = tails.last().copied().unwrap_or(usize::MAX);
    while k != usize::MAX {
        chain.push(pairs[k]);
        k = prev[k];
    }
    chain.reverse();
}

/// True when the words of a short replacement spell nearly the same letters on both sides
/// (`letters` holds them).
fn spelled_alike(
    a: &Seq,
    text_a: &str,
    ra: &Range<usize>,
    b: &Seq,
    text_b: &str,
    rb: &Range<usize>,
    letters: &mut (String, String),
) -> bool {
    if ra.len() > 3 || rb.len() > 3 {
        return false;
    }
    let spell = |s: &Seq, text: &str, r: &Range<usize>, out: &mut String| {
        out.clear();
        for t in &s.tokens[r.clone()] {
            normalize_into(&text[t.span()], out);
        }
    };
    spell(a, text_a, ra, &mut letters.0);
    spell(b, text_b, rb, &mut letters.1);
    let (x, y) = (&letters.0, &letters.1);
    let shorter = x.chars().count().min(y.chars().count());
    if shorter < 4 {
        return false;
    }
    let sim = strsim::normalized_levenshtein(x, y);
    // A join or split (different word counts) is the OCR case and may also drop or add a few letters;
    // a one-for-one substitution must be a near-identical spelling, or "policy" would equal "police".
    if ra.len() == rb.len() {
        sim >= 0.85 && shorter >= 6
    } else {
        sim >= 0.75
    }
}

/// Extra cost of a gap that spans a paragraph break on either side: a passage may run on across
/// paragraphs where the words keep matching, but an unmatched stretch there more likely joins two
/// unrelated reuses (a headline and the next paragraph's first words).
const PARAGRAPH_BREAK: f64 = 3.0;

/// True when the text from the word before `r` to the word after it holds a blank line.
fn crosses_paragraph(s: &Seq, text: &str, r: &Range<usize>) -> bool {
    let from = r
        .start
        .checked_sub(1)
        .map_or(0, |i| s.tokens[i].end as usize);
    let to = s.tokens.get(r.end).map_or(text.len(), |t| t.start as usize);
    let between = &text.as_bytes()[from..to];
    // One pass over the line breaks (most gaps hold none), looking at the bytes after each.
    memchr::memchr_iter(b'\n', between).any(|i| {
        let rest = &between[i + 1..];
        rest.starts_with(b"\n") || rest.starts_with(b"\r\n")
    })
}

/// The local-alignment score of one diff step.
fn score_op(op: &Op, a: &Seq, params: &Params) -> f64 {
    let gap = op.a.len().max(op.b.len());
    match op.tag {
        OpTag::Equal => {
            op.a.clone()
                .map(|i| a.weight(i) * if a.stop[i] { 0.5 } else { 1.0 })
                .sum()
        }
        OpTag::Replace if op.fuzzy => op.a.clone().map(|i| a.weight(i)).sum::<f64>() * 0.8,
        _ if gap > 2 * params.max_gap => f64::NEG_INFINITY,
        OpTag::Replace => -(0.5 + 0.5 * gap as f64),
        OpTag::Delete | OpTag::Insert => -(1.0 + 0.25 * gap as f64),
    }
}

/// The maximum-sum stretches of `scores[range]`: the best one, then recursively the best ones left
/// and right of it, while they score at least [`MIN_STRETCH`]. `todo` is a buffer.
fn best_stretches(
    scores: &[f64],
    range: Range<usize>,
    todo: &mut Vec<Range<usize>>,
    out: &mut Vec<Range<usize>>,
) {
    todo.clear();
    todo.push(range);
    while let Some(r) = todo.pop() {
        let Some(best) = max_subarray(&scores[r.clone()]) else {
            continue;
        };
        let best = best.start + r.start..best.end + r.start;
        todo.push(r.start..best.start);
        todo.push(best.end..r.end);
        out.push(best);
    }
}

/// Kadane's algorithm: the earliest maximum-sum non-empty subarray, if its sum reaches [`MIN_STRETCH`].
fn max_subarray(xs: &[f64]) -> Option<Range<usize>> {
    let (mut best, mut best_range) = (f64::NEG_INFINITY, 0..0);
    let (mut cur, mut cur_start) = (0.0, 0);
    for (i, &x) in xs.iter().enumerate() {
        if cur <= 0.0 {
            cur = 0.0;
            cur_start = i;
        }
        cur += x;
        if cur > best {
            best = cur;
            best_range = cur_start..i + 1;
        }
        if cur == f64::NEG_INFINITY {
            cur = 0.0;
            cur_start = i + 1;
        }
    }
    (best >= MIN_STRETCH).then_some(best_range)
}

/// Passages found from neighbouring regions can cover the same words (their margins overlap): of two
/// passages overlapping by more than half of the smaller on both sides, the one with more aligned words
/// is kept.
fn merge_overlapping(mut ps: Vec<Passage>) -> Vec<Passage> {
    ps.sort_by_key(|p| (p.a.start, p.b.start, p.a.end, p.b.end));
    let mut kept: Vec<Passage> = Vec::with_capacity(ps.len());
    for p in ps {
        let weight = |q: &Passage| {
            q.ops
                .iter()
                .filter(|o| o.tag == OpTag::Equal)
                .map(|o| o.a.len())
                .sum::<usize>()
        };
        // Sorted by start, a clashing passage is among the last few kept.
        let lo = kept.len().saturating_sub(16);
        let clash = kept[lo..]
            .iter()
            .rposition(|k| {
                let oa = overlap(&k.a, &p.a) * 2 > k.a.len().min(p.a.len());
                let ob = overlap(&k.b, &p.b) * 2 > k.b.len().min(p.b.len());
                oa && ob
            })
            .map(|i| i + lo);
        match clash {
            Some(i) if weight(&kept[i]) >= weight(&p) => {}
            Some(i) => kept[i] = p,
            None => kept.push(p),
        }
    }
    kept
}

fn overlap(x: &Range<usize>, y: &Range<usize>) -> usize {
    x.end.min(y.end).saturating_sub(x.start.max(y.start))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The bit-parallel rows give the table's lengths, and so its steps, tie-breaks included:
        /// few distinct words (many ties), up to 64 words in `y` (the bit path) and past it.
        #[test]
        fn lcs_by_bit_rows_equals_lcs_by_table(
            x in proptest::collection::vec(0u32..4, 0..90),
            y in proptest::collection::vec(0u32..4, 0..70),
            oi in 0usize..5,
        ) {
            let mut table = Lcs::default();
            let (mut bits, mut cells) = (vec![(OpTag::Equal, 0..1, 0..1)], vec![(OpTag::Equal, 0..1, 0..1)]);
            lcs_ops(&x, &y, oi, 3, &mut table, &mut bits);
            lcs_table(&x, &y, oi, 3, &mut table, &mut cells);
            proptest::prop_assert_eq!(&bits, &cells);
            let equal: usize = bits.iter().filter(|o| o.0 == OpTag::Equal).map(|o| o.1.len()).sum();
            // The step given before is kept apart: the LCS is what the new steps hold.
            let (n, m) = (x.len(), y.len());
            let mut l = vec![vec![0usize; m + 1]; n + 1];
            for i in (0..n).rev() {
                for j in (0..m).rev() {
                    l[i][j] = if x[i] == y[j] { l[i + 1][j + 1] + 1 } else { l[i + 1][j].max(l[i][j + 1]) };
                }
            }
            proptest::prop_assert_eq!(equal - 1, l[0][0]);
        }
    }

    /// The shortcut for a copied passage gives the general diff's steps: short and long slices,
    /// distinct words, a repeated phrase, one word repeated (no unique trigram to anchor on).
    #[test]
    fn a_copied_passage_is_the_one_equal_step_the_general_diff_gives() {
        let cases: Vec<Vec<u32>> = vec![
            vec![7],
            (0..40).collect(),
            (0..3000).collect(),
            (0..3000)
                .map(|i| [1, 2, 3, 4, 5][i % 5] + (i / 700) as u32)
                .collect(),
            vec![9; 500],
        ];
        for x in cases {
            let (mut fast, mut general) = (DiffScratch::default(), DiffScratch::default());
            diff_ids(&x, &x, &mut fast);
            diff_general(&x, &x, &mut general);
            assert_eq!(fast.raw, general.raw, "{} words", x.len());
            assert_eq!(fast.raw, [(OpTag::Equal, 0..x.len(), 0..x.len())]);
        }
        let mut empty = DiffScratch::default();
        diff_ids(&[], &[], &mut empty);
        assert!(empty.raw.is_empty());
    }

    #[test]
    fn anchored_diff_equals_a_plain_diff_in_what_it_aligns() {
        // 300 distinct words, with a substitution, an insertion and a deletion.
        let x: Vec<u32> = (0..300).collect();
        let mut y: Vec<u32> = x.clone();
        y[50] = 1000;
        y.splice(120..120, [1001, 1002, 1003]);
        y.remove(250);
        let mut scratch = DiffScratch::default();
        diff_ids(&x, &y, &mut scratch);
        let ops = scratch.raw;
        let equal: usize = ops
            .iter()
            .filter(|o| o.0 == OpTag::Equal)
            .map(|o| o.1.len())
            .sum();
        assert_eq!(equal, 298);
        // The ops tile both slices in order.
        let (mut i, mut j) = (0, 0);
        for (_, ra, rb) in &ops {
            assert_eq!((ra.start, rb.start), (i, j));
            (i, j) = (ra.end, rb.end);
        }
        assert_eq!((i, j), (x.len(), y.len()));
    }

    #[test]
    fn lcs_ops_groups_unmatched_runs_like_similar() {
        let x = [1, 2, 3, 4, 5, 6];
        let y = [1, 9, 9, 4, 5, 7, 8];
        let lcs = |x: &[u32], y: &[u32], oi, oj| {
            // What was in the buffer before is left alone and not merged with.
            let mut out = vec![(OpTag::Equal, 0..10, 0..20)];
            lcs_ops(x, y, oi, oj, &mut Lcs::default(), &mut out);
            assert_eq!(out.remove(0), (OpTag::Equal, 0..10, 0..20));
            out
        };
        let ops = lcs(&x, &y, 10, 20);
        assert_eq!(
            ops,
            [
                (OpTag::Equal, 10..11, 20..21),
                (OpTag::Replace, 11..13, 21..23),
                (OpTag::Equal, 13..15, 23..25),
                (OpTag::Replace, 15..16, 25..27),
            ]
        );
        assert_eq!(
            lcs(&[1, 2], &[2], 0, 0),
            [(OpTag::Delete, 0..1, 0..0), (OpTag::Equal, 1..2, 0..1)]
        );
    }

    #[test]
    fn kadane_finds_the_best_stretch() {
        assert_eq!(
            max_subarray(&[-1.0, 2.0, 3.0, -1.0, 2.0, -9.0, 4.0]),
            Some(1..5)
        );
        // Ties keep the earlier, shorter stretch.
        assert_eq!(
            max_subarray(&[-1.0, 2.0, 3.0, -1.0, 1.0, -9.0, 4.0]),
            Some(1..3)
        );
        assert_eq!(max_subarray(&[-1.0, 1.0]), None);
    }

    #[test]
    fn stretches_are_split_at_hard_breaks() {
        let mut out = Vec::new();
        best_stretches(
            &[5.0, f64::NEG_INFINITY, 4.0, -1.0, 4.0],
            0..5,
            &mut Vec::new(),
            &mut out,
        );
        out.sort_by_key(|r| r.start);
        assert_eq!(out, [0..1, 2..5]);
    }
}
