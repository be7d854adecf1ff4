//! Labels: repeated, reworded, expanded or condensed, by the definitions in docs/definitions.md.
//!
//! From a passage's word alignment: **repeated** when at least `repeated_min_aligned` of the words on
//! each side are aligned to an equal word and the length ratio is within `1/repeated_max_length_ratio`
//! to `repeated_max_length_ratio`; **expanded** when at least `expanded_min_found` of A's content words
//! are found in B's passage and B is at least `expanded_min_length_ratio` times as long; **condensed**
//! the mirror image; **reworded** the rest.

use serde::Serialize;

use super::{OpTag, Passage, Seq};

/// How a passage was reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Repeated,
    Reworded,
    Expanded,
    Condensed,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 4] = [
        Kind::Repeated,
        Kind::Reworded,
        Kind::Expanded,
        Kind::Condensed,
    ];

    /// The lower-case name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Repeated => "repeated",
            Kind::Reworded => "reworded",
            Kind::Expanded => "expanded",
            Kind::Condensed => "condensed",
        }
    }
}

/// The thresholds of the label definitions.
#[derive(Clone, Debug, Serialize)]
pub struct Thresholds {
    pub repeated_min_aligned: f64,
    pub repeated_max_length_ratio: f64,
    pub expanded_min_found: f64,
    pub expanded_min_length_ratio: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            repeated_min_aligned: 0.9,
            repeated_max_length_ratio: 1.25,
            expanded_min_found: 0.8,
            expanded_min_length_ratio: 1.3,
        }
    }
}

/// Fill in `aligned_a`, `aligned_b`, `score` and `kind` of a passage from its ops.
pub fn classify(p: &mut Passage, a: &Seq, b: &Seq, t: &Thresholds) {
    let aligned = |side_a: bool| -> usize {
        p.ops
            .iter()
            .filter(|o| o.tag == OpTag::Equal || o.fuzzy)
            .map(|o| if side_a { o.a.len() } else { o.b.len() })
            .sum()
    };
    p.aligned_a = aligned(true);
    p.aligned_b = aligned(false);
    let (len_a, len_b) = (p.a.len().max(1) as f64, p.b.len().max(1) as f64);
    p.score = round4((p.aligned_a + p.aligned_b) as f64 / (len_a + len_b));
    // Both ratios are computed directly: 1.0 / (10.0 / 13.0) is not 1.3, and the labels of (a, b)
    // and (b, a) must mirror each other exactly.
    let (ratio, inverse) = (len_b / len_a, len_a / len_b);
    let (cov_a, cov_b) = (p.aligned_a as f64 / len_a, p.aligned_b as f64 / len_b);
    p.kind = if cov_a >= t.repeated_min_aligned
        && cov_b >= t.repeated_min_aligned
        && ratio <= t.repeated_max_length_ratio
        && inverse <= t.repeated_max_length_ratio
    {
        Kind::Repeated
    } else if ratio >= t.expanded_min_length_ratio
        && found_share(p, a, b, true) >= t.expanded_min_found
    {
        Kind::Expanded
    } else if inverse >= t.expanded_min_length_ratio
        && found_share(p, a, b, false) >= t.expanded_min_found
    {
        Kind::Condensed
    } else {
        Kind::Reworded
    };
}

/// Share of the shorter side's content words (all words if it has none) that are found anywhere in
/// the other side's passage, or aligned to it fuzzily. `from_a` says the shorter side is A.
fn found_share(p: &Passage, a: &Seq, b: &Seq, from_a: bool) -> f64 {
    let (src, src_range, dst, dst_range) = if from_a {
        (a, &p.a, b, &p.b)
    } else {
        (b, &p.b, a, &p.a)
    };
    let mut present: Vec<u32> = dst.ids[dst_range.clone()].to_vec();
    present.sort_unstable();
    present.dedup();
    let fuzzy: Vec<usize> = p
        .ops
        .iter()
        .filter(|o| o.fuzzy)
        .flat_map(|o| if from_a { o.a.clone() } else { o.b.clone() })
        .collect();
    let content: Vec<usize> = src_range.clone().filter(|&i| !src.stop[i]).collect();
    let words = if content.is_empty() {
        src_range.clone().collect()
    } else {
        content
    };
    let found = words
        .iter()
        .filter(|&&i| present.binary_search(&src.ids[i]).is_ok() || fuzzy.contains(&i))
        .count();
    found as f64 / words.len().max(1) as f64
}

/// Round to 4 decimals, so reports do not carry float noise.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
