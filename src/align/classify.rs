//! Labels: repeated, reworded, expanded or condensed, by the definitions in docs/definitions.md.
//!
//! From a passage's word alignment, on *content words* (function words added or dropped do not count;
//! an inflection, derivation, compound or OCR-damaged spelling is the same word): **repeated** when at
//! least `repeated_min_aligned` of the content words on each side are aligned to the same word and the
//! content-word length ratio is within `1/repeated_max_length_ratio` to `repeated_max_length_ratio`;
//! **expanded** when at least `expanded_min_found` of A's content words are found in B's passage and B
//! has at least `expanded_min_length_ratio` times as many content words; **condensed** the mirror
//! image; **reworded** the rest (synonyms, other content words, reordering).

use serde::Serialize;

use super::{OpTag, Passage, Seq};

/// How a passage was reused.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
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

impl Thresholds {
    /// Check each threshold's range; the error names the option (`repeated-min-aligned`, ...).
    pub fn validate(&self) -> Result<(), crate::OptionError> {
        use crate::OptionError as E;
        E::share("repeated-min-aligned", self.repeated_min_aligned)?;
        E::ratio("repeated-max-ratio", self.repeated_max_length_ratio)?;
        E::share("expanded-min-found", self.expanded_min_found)?;
        E::ratio("expanded-min-ratio", self.expanded_min_length_ratio)?;
        Ok(())
    }
}

/// Fill in `aligned_a`, `aligned_b`, `score` and `kind` of a passage from its ops.
///
/// The labels count *content words* (function words added or dropped do not count), and a word
/// replaced by an inflection, derivation, compound or OCR-damaged spelling of itself counts as the
/// same word ([`super::Op::same_word`]): "Respect for cyber sovereignty" / "respecting cyber
/// sovereignty" is repeated. A passage with no content word on either side is judged on all its words.
pub fn classify(p: &mut Passage, a: &Seq, b: &Seq, t: &Thresholds) {
    let aligned = |side_a: bool| -> usize {
        p.ops
            .iter()
            .filter(|o| o.same_word())
            .map(|o| if side_a { o.a.len() } else { o.b.len() })
            .sum()
    };
    p.aligned_a = aligned(true);
    p.aligned_b = aligned(false);
    let (len_a, len_b) = (p.a.len().max(1) as f64, p.b.len().max(1) as f64);
    p.score = match &p.evidence {
        // A passage of the reworded tier: the F1 of its two coverages.
        Some(e) if e.coverage_a + e.coverage_b > 0.0 => {
            round4(2.0 * e.coverage_a * e.coverage_b / (e.coverage_a + e.coverage_b))
        }
        _ => round4((p.aligned_a + p.aligned_b) as f64 / (len_a + len_b)),
    };
    let any_content = p.a.clone().any(|i| !a.stop[i]) || p.b.clone().any(|i| !b.stop[i]);
    let counts = |s: &Seq, r: &std::ops::Range<usize>| -> f64 {
        r.clone()
            .filter(|&i| !any_content || !s.stop[i])
            .map(|i| s.weight(i))
            .sum()
    };
    // Content words of each side, and those aligned to the same word.
    let (mut ca, mut cb, mut sa, mut sb) = (0.0, 0.0, 0.0, 0.0);
    for o in &p.ops {
        let (na, nb) = (counts(a, &o.a), counts(b, &o.b));
        if o.tag == OpTag::Equal {
            (ca, cb, sa, sb) = (ca + na, cb + nb, sa + na, sb + nb);
        } else if o.same_word() {
            // A compound or an OCR join counts as one word on the side that splits it.
            let k = na.min(nb);
            (ca, cb, sa, sb) = (ca + k, cb + k, sa + k, sb + k);
        } else {
            (ca, cb) = (ca + na, cb + nb);
        }
    }
    let (ca, cb) = (f64::max(ca, 0.5), f64::max(cb, 0.5));
    // Both ratios are computed directly: 1.0 / (10.0 / 13.0) is not 1.3, and the labels of (a, b)
    // and (b, a) must mirror each other exactly.
    let (ratio, inverse) = (cb / ca, ca / cb);
    let (cov_a, cov_b) = (sa / ca, sb / cb);
    p.kind = if cov_a >= t.repeated_min_aligned
        && cov_b >= t.repeated_min_aligned
        && ratio <= t.repeated_max_length_ratio
        && inverse <= t.repeated_max_length_ratio
    {
        Kind::Repeated
    } else if ratio >= t.expanded_min_length_ratio
        && found_share(p, a, b, true, any_content) >= t.expanded_min_found
    {
        Kind::Expanded
    } else if inverse >= t.expanded_min_length_ratio
        && found_share(p, a, b, false, any_content) >= t.expanded_min_found
    {
        Kind::Condensed
    } else {
        Kind::Reworded
    };
}

/// Share of the shorter side's content words (all words if the passage has none) that are found
/// anywhere in the other side's passage: the same id there, or matched to the same word (a
/// same-word replacement, or a pair of the reworded tier's evidence). `from_a` says the shorter side
/// is A.
fn found_share(p: &Passage, a: &Seq, b: &Seq, from_a: bool, content_only: bool) -> f64 {
    let (src, src_range, dst, dst_range) = if from_a {
        (a, &p.a, b, &p.b)
    } else {
        (b, &p.b, a, &p.a)
    };
    let mut present: Vec<u32> = dst.ids[dst_range.clone()].to_vec();
    present.sort_unstable();
    present.dedup();
    let mut matched: Vec<usize> = p
        .ops
        .iter()
        .filter(|o| o.tag != OpTag::Equal && o.same_word())
        .flat_map(|o| if from_a { o.a.clone() } else { o.b.clone() })
        .collect();
    if let Some(e) = &p.evidence {
        matched.extend(
            e.pairs
                .iter()
                .filter(|x| x.relation.is_equal())
                .flat_map(|x| if from_a { x.a.clone() } else { x.b.clone() }),
        );
    }
    let words: Vec<usize> = src_range
        .clone()
        .filter(|&i| !content_only || !src.stop[i])
        .collect();
    let found = words
        .iter()
        .filter(|&&i| present.binary_search(&src.ids[i]).is_ok() || matched.contains(&i))
        .count();
    found as f64 / words.len().max(1) as f64
}

/// Round to 4 decimals, so reports do not carry float noise.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
