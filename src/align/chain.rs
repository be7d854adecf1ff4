//! Chains: seeds grouped into candidate regions.
//!
//! Seeds on one diagonal (`b - a`) with gaps of at most `max_gap` tokens form runs. Runs whose regions
//! lie within `max_gap` tokens of each other on both sides, and whose diagonals differ by at most
//! `max_gap` (an inserted or deleted clause shifts the diagonal by its length), are joined by
//! union-find. The connected components do not depend on the order runs are visited in, so the result
//! of (A, B) mirrors that of (B, A).

use std::ops::Range;

use super::Params;
use super::seed::Seed;

/// A rectangle of the alignment matrix that holds related seeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub a: Range<usize>,
    pub b: Range<usize>,
    pub seeds: usize,
    /// Tokens of A inside at least one seed of the region.
    pub covered: usize,
}

#[derive(Clone, Debug)]
struct Run {
    a: Range<usize>,
    b: Range<usize>,
    diag: i64,
    seeds: usize,
    covered: usize,
}

/// How many earlier runs one run is compared with at most; bounds the work on pathological input.
const MAX_NEIGHBOURS: usize = 256;

/// Group seeds (in any order) into regions, sorted by (a.start, b.start).
pub fn regions(seeds: &[Seed], params: &Params) -> Vec<Region> {
    let runs = runs(seeds, params.max_gap);
    let mut uf = UnionFind::new(runs.len());
    let gap = params.max_gap;
    // Runs are sorted by a.start; reach[i] is the furthest a.end among runs 0..=i, so the backward scan
    // stops as soon as no earlier run can come within `gap` of run j on A.
    let reach: Vec<usize> = runs
        .iter()
        .scan(0, |m, r| {
            *m = r.a.end.max(*m);
            Some(*m)
        })
        .collect();
    for j in 0..runs.len() {
        for i in (0..j).rev().take(MAX_NEIGHBOURS) {
            if reach[i] + gap < runs[j].a.start {
                break;
            }
            if close(&runs[i], &runs[j], gap) {
                uf.union(i, j);
            }
        }
    }
    // Most runs between unrelated texts are their own component: index regions by root through a
    // compact table rather than one optional region per run.
    let mut slot: Vec<u32> = vec![u32::MAX; runs.len()];
    let mut out: Vec<Region> = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let r = uf.find(i);
        if slot[r] == u32::MAX {
            slot[r] = out.len() as u32;
            out.push(Region {
                a: run.a.clone(),
                b: run.b.clone(),
                seeds: 0,
                covered: 0,
            });
        }
        let reg = &mut out[slot[r] as usize];
        reg.a = reg.a.start.min(run.a.start)..reg.a.end.max(run.a.end);
        reg.b = reg.b.start.min(run.b.start)..reg.b.end.max(run.b.end);
        reg.seeds += run.seeds;
        reg.covered += run.covered;
    }
    out.sort_by_key(|r| (r.a.start, r.b.start, r.a.end, r.b.end));
    out
}

fn distance(x: &Range<usize>, y: &Range<usize>) -> usize {
    // Zero when the ranges overlap.
    y.start
        .saturating_sub(x.end)
        .max(x.start.saturating_sub(y.end))
}

fn close(x: &Run, y: &Run, gap: usize) -> bool {
    distance(&x.a, &y.a) <= gap
        && distance(&x.b, &y.b) <= gap
        && x.diag.abs_diff(y.diag) as usize <= gap
}

/// Maximal groups of seeds on one diagonal with gaps of at most `gap`, sorted by (a.start, b.start).
fn runs(seeds: &[Seed], gap: usize) -> Vec<Run> {
    // One u64 key per seed, (diagonal, a) packed, sorts much faster than tuples: the diagonal
    // b - a + 2^32 fits in 33 bits, a in 31 (documents hold fewer than 2^31 words).
    let mut by_diag: Vec<(u64, Seed)> = seeds
        .iter()
        .map(|s| {
            (
                ((u64::from(s.b) + (1 << 32) - u64::from(s.a)) << 31) | u64::from(s.a),
                *s,
            )
        })
        .collect();
    by_diag.sort_unstable_by_key(|&(k, _)| k);
    let mut out: Vec<Run> = Vec::new();
    for (_, s) in by_diag {
        let d = i64::from(s.b) - i64::from(s.a);
        let (a, b) = (s.a as usize, s.b as usize);
        let (a_end, b_end) = (a + s.len as usize, b + s.len as usize);
        if let Some(last) = out.last_mut()
            && last.diag == d
            && a <= last.a.end + gap
        {
            last.covered += a_end.saturating_sub(last.a.end.max(a));
            last.a.end = last.a.end.max(a_end);
            last.b.end = last.b.end.max(b_end);
            last.seeds += 1;
            continue;
        }
        out.push(Run {
            a: a..a_end,
            b: b..b_end,
            diag: d,
            seeds: 1,
            covered: s.len as usize,
        });
    }
    // Two runs never share a start: they would be one run.
    out.sort_unstable_by_key(|r| (r.a.start as u64) << 32 | r.b.start as u64);
    out
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, x: usize, y: usize) {
        let (rx, ry) = (self.find(x), self.find(y));
        // The smaller index wins, so the root of a component does not depend on visiting order.
        if rx != ry {
            let (lo, hi) = (rx.min(ry), rx.max(ry));
            self.parent[hi] = lo;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(a: u32, b: u32) -> Seed {
        Seed { a, b, len: 3 }
    }

    #[test]
    fn one_diagonal_makes_one_region() {
        let seeds: Vec<Seed> = (0..10).map(|i| seed(10 + i, 50 + i)).collect();
        let regs = regions(&seeds, &Params::default());
        assert_eq!(
            regs,
            [Region {
                a: 10..22,
                b: 50..62,
                seeds: 10,
                covered: 12
            }]
        );
    }

    #[test]
    fn an_inserted_clause_is_bridged_but_distant_seeds_are_not() {
        let mut seeds: Vec<Seed> = (0..5).map(|i| seed(i, i)).collect();
        // 12 words inserted in B after A's word 7.
        seeds.extend((8..13).map(|i| seed(i, i + 12)));
        // Far away on B.
        seeds.push(seed(14, 400));
        seeds.sort();
        let regs = regions(&seeds, &Params::default());
        assert_eq!(regs.len(), 2);
        assert_eq!(regs[0].a, 0..15);
        assert_eq!(regs[0].b, 0..27);
        assert_eq!(regs[1].b, 400..403);
    }
}
