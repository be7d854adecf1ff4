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

/// A run of seeds on one diagonal, in 24 bytes: there can be one per chance match between two long
/// texts, so its size sets the aligner's peak memory.
#[derive(Clone, Debug)]
struct Run {
    a_start: u32,
    a_end: u32,
    b_start: u32,
    b_end: u32,
    seeds: u32,
    covered: u32,
}

impl Run {
    /// The diagonal (`b - a`) of the run's seeds (before runs are gathered into regions).
    fn diag(&self) -> i64 {
        i64::from(self.b_start) - i64::from(self.a_start)
    }
}

/// How many earlier runs one run is compared with at most; bounds the work on pathological input.
const MAX_NEIGHBOURS: usize = 256;

/// Group seeds (sorted by (a, b), as [`super::seed::seeds`] gives them) into regions for which
/// `keep` holds, sorted by (a.start, b.start).
pub fn regions(seeds: Vec<Seed>, params: &Params, keep: impl Fn(&Region) -> bool) -> Vec<Region> {
    regions_split(seeds, params, keep, PARALLEL_LINKS)
}

/// [`regions`], linking runs in two halves from `split_links` runs.
fn regions_split(
    seeds: Vec<Seed>,
    params: &Params,
    keep: impl Fn(&Region) -> bool,
    split_links: usize,
) -> Vec<Region> {
    let runs = runs(&seeds, params.max_gap as u32);
    drop(seeds);
    let gap = params.max_gap as u32;
    let bands = Bands::new(&runs, gap);
    let mut parent: Vec<usize> = (0..runs.len()).collect();
    // Many runs (two long texts) are linked in two halves on two threads, each half's runs with the
    // earlier runs of their half; then the first runs of the second half, those that can reach back
    // (within `gap` on A, and among the MAX_NEIGHBOURS before them), with the first half's. Each
    // half's union-find touches only its own runs, and components do not depend on the order of
    // unions: the regions are those of one pass.
    let n = runs.len();
    if n < split_links.max(1) {
        // Few runs (short texts, as `scan` aligns many pairs): one pass, no second thread.
        link(
            &runs,
            0..n,
            &bands,
            gap,
            &mut UnionFind::new(&mut parent, 0),
        );
    } else {
        let mid = n / 2;
        let (lo, hi) = parent.split_at_mut(mid);
        let (first, _) = rayon::join(
            || link(&runs, 0..mid, &bands, gap, &mut UnionFind::new(lo, 0)),
            || link(&runs, mid..n, &bands, gap, &mut UnionFind::new(hi, mid)),
        );
        let mut uf = UnionFind::new(&mut parent, 0);
        let reach = first.entries.iter().map(|e| e.0).max().unwrap_or(0);
        for j in
            (mid..n).take_while(|&j| runs[j].a_start <= reach + gap && j < mid + MAX_NEIGHBOURS)
        {
            walk(&runs, &first, j, &bands, gap, &mut uf);
        }
    }
    let mut uf = UnionFind::new(&mut parent, 0);
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
        && x.diag().abs_diff(y.diag()) <= u64::from(gap)
}

/// Maximal groups of seeds on one diagonal with gaps of at most `gap`, sorted by (a_start, b_start),
/// from seeds sorted by (a, b): each diagonal's open run is found through an array indexed by
/// diagonal, and runs are made in the order of their first seeds, which is the order wanted.
fn runs(seeds: &[Seed], gap: u32) -> Vec<Run> {
    debug_assert!(
        seeds
            .windows(2)
            .all(|w| (w[0].a, w[0].b) < (w[1].a, w[1].b))
    );
    let max_a = seeds.iter().map(|s| s.a).max().unwrap_or(0) as usize;
    let max_b = seeds.iter().map(|s| s.b).max().unwrap_or(0) as usize;
    const NONE: u32 = u32::MAX;
    let mut open = vec![NONE; max_a + max_b + 1];
    let mut out: Vec<Run> = Vec::new();
    for s in seeds {
        let slot = &mut open[s.b as usize + max_a - s.a as usize];
        let (a_end, b_end) = (s.a + s.len, s.b + s.len);
        if *slot != NONE {
            let last = &mut out[*slot as usize];
            if s.a <= last.a_end + gap {
                last.covered += a_end.saturating_sub(last.a_end.max(s.a));
                last.a_end = last.a_end.max(a_end);
                last.b_end = last.b_end.max(b_end);
                last.seeds += 1;
                continue;
            }
        }
        *slot = out.len() as u32;
        out.push(Run {
            a_start: s.a,
            a_end,
            b_start: s.b,
            b_end,
            seeds: 1,
            covered: s.len,
        });
    }
    out
}

/// Runs from which [`regions`] links runs on two threads.
const PARALLEL_LINKS: usize = 1 << 14;

/// Runs can join only if their diagonals differ by at most `gap`, so they are filed in bands of
/// `gap + 1` diagonals and each run is compared with the earlier runs of its band and the two next
/// to it.
struct Bands {
    min_diag: i64,
    width: i64,
    count: usize,
}

impl Bands {
    fn new(runs: &[Run], gap: u32) -> Self {
        let width = i64::from(gap) + 1;
        let min_diag = runs.iter().map(Run::diag).min().unwrap_or(0);
        let max_diag = runs.iter().map(Run::diag).max().unwrap_or(0);
        let count = if runs.is_empty() {
            0
        } else {
            ((max_diag - min_diag) / width) as usize + 1
        };
        Bands {
            min_diag,
            width,
            count,
        }
    }

    fn of(&self, r: &Run) -> usize {
        ((r.diag() - self.min_diag) / self.width) as usize
    }
}

/// The runs of a range filed by band: runs come in a_start order; each entry keeps the furthest
/// a_end among the band's runs so far, so a backward scan stops as soon as no earlier run of the
/// band comes within `gap` of a run on A (between unrelated texts nearly every band is nearly
/// empty). A band is a list linked backwards through one array of entries: no allocation per band.
struct BandLists {
    /// Per band, its last run (an index into all runs).
    last: Vec<u32>,
    /// Per run of the range (entry k is run `base + k`): the furthest a_end of its band so far, and
    /// the band's run before.
    entries: Vec<(u32, u32)>,
    base: usize,
}

const END: u32 = u32::MAX;

/// Union every run of `runs[range]` with the earlier runs of the range it is close to; the range's
/// band lists are returned.
fn link(
    runs: &[Run],
    range: Range<usize>,
    bands: &Bands,
    gap: u32,
    uf: &mut UnionFind<'_>,
) -> BandLists {
    let mut lists = BandLists {
        last: vec![END; bands.count],
        entries: Vec::with_capacity(range.len()),
        base: range.start,
    };
    for j in range {
        walk(runs, &lists, j, bands, gap, uf);
        let rj = &runs[j];
        let band = bands.of(rj);
        let before = lists.last[band];
        let reach = if before == END {
            rj.a_end
        } else {
            lists.entries[before as usize - lists.base].0.max(rj.a_end)
        };
        lists.entries.push((reach, before));
        lists.last[band] = j as u32;
    }
    lists
}

/// Union run `j` with the runs of `lists` (all before it) that it is close to.
fn walk(
    runs: &[Run],
    lists: &BandLists,
    j: usize,
    bands: &Bands,
    gap: u32,
    uf: &mut UnionFind<'_>,
) {
    let rj = &runs[j];
    let band = bands.of(rj);
    for &head in &lists.last[band.saturating_sub(1)..=(band + 1).min(bands.count - 1)] {
        let mut i = head;
        while i != END {
            let (reach, before) = lists.entries[i as usize - lists.base];
            // Only the MAX_NEIGHBOURS runs before this one (in a_start order) are compared with
            // it, which bounds the work on pathological input.
            if reach + gap < rj.a_start || i as usize + MAX_NEIGHBOURS < j {
                break;
            }
            if close(&runs[i as usize], rj, gap) {
                uf.union(i as usize, j);
            }
            i = before;
        }
    }
}

/// Union-find over the runs `base..base + parent.len()` (indices are those of all runs).
struct UnionFind<'p> {
    parent: &'p mut [usize],
    base: usize,
}

impl<'p> UnionFind<'p> {
    fn new(parent: &'p mut [usize], base: usize) -> Self {
        UnionFind { parent, base }
    }

    fn find(&mut self, mut x: usize) -> usize {
        let b = self.base;
        while self.parent[x - b] != x {
            self.parent[x - b] = self.parent[self.parent[x - b] - b];
            x = self.parent[x - b];
        }
        x
    }

    fn union(&mut self, x: usize, y: usize) {
        let (rx, ry) = (self.find(x), self.find(y));
        // The smaller index wins, so the root of a component does not depend on visiting order.
        if rx != ry {
            let (lo, hi) = (rx.min(ry), rx.max(ry));
            self.parent[hi - self.base] = lo;
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

    /// The reference: runs by a comparison sort, every pair of runs compared, components by a plain
    /// union-find (no bands, no counting sorts). Fewer runs than MAX_NEIGHBOURS, so the bound on
    /// neighbours does not apply.
    fn reference(seeds: &[Seed], gap: u32) -> Vec<Region> {
        let mut s = seeds.to_vec();
        s.sort_by_key(|x| (i64::from(x.b) - i64::from(x.a), x.a, x.b));
        s.dedup();
        let mut runs: Vec<Run> = Vec::new();
        for x in s {
            let d = i64::from(x.b) - i64::from(x.a);
            match runs.last_mut() {
                Some(r) if r.diag() == d && x.a <= r.a_end + gap => {
                    r.covered += (x.a + x.len).saturating_sub(r.a_end.max(x.a));
                    r.a_end = r.a_end.max(x.a + x.len);
                    r.b_end = r.b_end.max(x.b + x.len);
                    r.seeds += 1;
                }
                _ => runs.push(Run {
                    a_start: x.a,
                    a_end: x.a + x.len,
                    b_start: x.b,
                    b_end: x.b + x.len,
                    seeds: 1,
                    covered: x.len,
                }),
            }
        }
        runs.sort_by_key(|r| (r.a_start, r.b_start));
        let mut parent: Vec<usize> = (0..runs.len()).collect();
        let mut uf = UnionFind::new(&mut parent, 0);
        for j in 0..runs.len() {
            for i in 0..j {
                if close(&runs[i], &runs[j], gap) {
                    uf.union(i, j);
                }
            }
        }
        let mut out: Vec<Region> = Vec::new();
        for root in 0..runs.len() {
            let members: Vec<&Run> = (0..runs.len())
                .filter(|&i| uf.find(i) == root)
                .map(|i| &runs[i])
                .collect();
            if members.is_empty() {
                continue;
            }
            out.push(Region {
                a: members.iter().map(|r| r.a_start).min().unwrap() as usize
                    ..members.iter().map(|r| r.a_end).max().unwrap() as usize,
                b: members.iter().map(|r| r.b_start).min().unwrap() as usize
                    ..members.iter().map(|r| r.b_end).max().unwrap() as usize,
                seeds: members.iter().map(|r| r.seeds as usize).sum(),
                covered: members.iter().map(|r| r.covered as usize).sum(),
            });
        }
        out.sort_by_key(|r| (r.a.start, r.b.start, r.a.end, r.b.end));
        out
    }

    proptest::proptest! {
        /// Guards the bands and counting sorts of `regions`: the same regions as comparing every
        /// pair of runs (a band too narrow, or a missing neighbour band, fails here).
        #[test]
        fn regions_equal_the_all_pairs_reference(
            raw in proptest::collection::vec((0u32..300, 0u32..300), 0..120),
            gap in 0usize..30,
        ) {
            let mut seeds: Vec<Seed> = raw.iter().map(|&(a, b)| seed(a, b)).collect();
            seeds.sort();
            seeds.dedup();
            let params = Params { max_gap: gap, ..Params::default() };
            let got = regions(seeds.clone(), &params, |_| true);
            proptest::prop_assert_eq!(got, reference(&seeds, gap as u32));
        }

        /// Guards the split of linking: the same regions wherever the halves meet, with more runs than
        /// MAX_NEIGHBOURS (whose bound then applies across the split too).
        #[test]
        fn split_links_give_the_regions_of_one_pass(
            raw in proptest::collection::vec((0u32..400, 0u32..150), 0..700),
            gap in 0usize..30,
            split in 1usize..700,
        ) {
            let mut seeds: Vec<Seed> = raw.iter().map(|&(a, b)| seed(a, b)).collect();
            seeds.sort();
            seeds.dedup();
            let params = Params { max_gap: gap, ..Params::default() };
            let one = regions_split(seeds.clone(), &params, |_| true, usize::MAX);
            let two = regions_split(seeds, &params, |_| true, split);
            proptest::prop_assert_eq!(two, one);
        }
    }
}
