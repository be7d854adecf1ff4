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

/// A run of seeds on one diagonal, in 32 bytes: there can be one per chance match between two long
/// texts, so its size sets the aligner's peak memory.
#[derive(Clone, Debug)]
struct Run {
    a_start: u32,
    a_end: u32,
    b_start: u32,
    b_end: u32,
    diag: i64,
    seeds: u32,
    covered: u32,
}

/// How many earlier runs one run is compared with at most; bounds the work on pathological input.
const MAX_NEIGHBOURS: usize = 256;

/// Group seeds (in any order) into regions for which `keep` holds, sorted by (a.start, b.start).
pub fn regions(seeds: Vec<Seed>, params: &Params, keep: impl Fn(&Region) -> bool) -> Vec<Region> {
    let runs = runs(seeds, params.max_gap as u32);
    let mut uf = UnionFind::new(runs.len());
    let gap = params.max_gap as u32;
    // Runs are sorted by a_start; reach[i] is the furthest a_end among runs 0..=i, so the backward scan
    // stops as soon as no earlier run can come within `gap` of run j on A.
    let reach: Vec<u32> = runs
        .iter()
        .scan(0, |m, r| {
            *m = r.a_end.max(*m);
            Some(*m)
        })
        .collect();
    for j in 0..runs.len() {
        for i in (0..j).rev().take(MAX_NEIGHBOURS) {
            if reach[i] + gap < runs[j].a_start {
                break;
            }
            if close(&runs[i], &runs[j], gap) {
                uf.union(i, j);
            }
        }
    }
    drop(reach);
    // Components are gathered into the run slot of their root (roots are their smallest member, so
    // the root's slot is never needed again once reached), then kept ones become regions.
    let mut runs = runs;
    for i in 0..runs.len() {
        let r = uf.find(i);
        if r != i {
            let (x, root) = (runs[i].clone(), &mut runs[r]);
            root.a_start = root.a_start.min(x.a_start);
            root.a_end = root.a_end.max(x.a_end);
            root.b_start = root.b_start.min(x.b_start);
            root.b_end = root.b_end.max(x.b_end);
            root.seeds += x.seeds;
            root.covered += x.covered;
        }
    }
    let mut out: Vec<Region> = (0..runs.len())
        .filter(|&i| uf.find(i) == i)
        .map(|i| {
            let r = &runs[i];
            Region {
                a: r.a_start as usize..r.a_end as usize,
                b: r.b_start as usize..r.b_end as usize,
                seeds: r.seeds as usize,
                covered: r.covered as usize,
            }
        })
        .filter(|r| keep(r))
        .collect();
    out.sort_by_key(|r| (r.a.start, r.b.start, r.a.end, r.b.end));
    out
}

/// Distance between two ranges, zero when they overlap.
fn distance(x0: u32, x1: u32, y0: u32, y1: u32) -> u32 {
    y0.saturating_sub(x1).max(x0.saturating_sub(y1))
}

fn close(x: &Run, y: &Run, gap: u32) -> bool {
    distance(x.a_start, x.a_end, y.a_start, y.a_end) <= gap
        && distance(x.b_start, x.b_end, y.b_start, y.b_end) <= gap
        && x.diag.abs_diff(y.diag) <= u64::from(gap)
}

/// Maximal groups of seeds on one diagonal with gaps of at most `gap`, sorted by (a_start, b_start).
fn runs(mut seeds: Vec<Seed>, gap: u32) -> Vec<Run> {
    // Sorted in place by one packed u64 key, (diagonal, a): the diagonal b - a + 2^32 fits in 33 bits,
    // a in 31 (documents hold fewer than 2^31 words).
    seeds.sort_unstable_by_key(|s| {
        ((u64::from(s.b) + (1 << 32) - u64::from(s.a)) << 31) | u64::from(s.a)
    });
    let mut out: Vec<Run> = Vec::new();
    for s in seeds {
        let d = i64::from(s.b) - i64::from(s.a);
        let (a_end, b_end) = (s.a + s.len, s.b + s.len);
        if let Some(last) = out.last_mut()
            && last.diag == d
            && s.a <= last.a_end + gap
        {
            last.covered += a_end.saturating_sub(last.a_end.max(s.a));
            last.a_end = last.a_end.max(a_end);
            last.b_end = last.b_end.max(b_end);
            last.seeds += 1;
            continue;
        }
        out.push(Run {
            a_start: s.a,
            a_end,
            b_start: s.b,
            b_end,
            diag: d,
            seeds: 1,
            covered: s.len,
        });
    }
    // Two runs never share a start: they would be one run.
    out.sort_unstable_by_key(|r| (u64::from(r.a_start) << 32) | u64::from(r.b_start));
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
        let regs = regions(seeds, &Params::default(), |_| true);
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
        let regs = regions(seeds, &Params::default(), |_| true);
        assert_eq!(regs.len(), 2);
        assert_eq!(regs[0].a, 0..15);
        assert_eq!(regs[0].b, 0..27);
        assert_eq!(regs[1].b, 400..403);
    }
}
