//! Evaluation: cyberdiff's detections scored against PAN-style gold.
//!
//! Takes a gold file (JSON Lines) whose records name two documents and a span in each, runs the aligner
//! on every document pair the gold names, and gives the PAN text-alignment measures (Potthast et al.,
//! "An Evaluation Framework for Plagiarism Detection", COLING 2010) at byte level: recall and precision
//! macro-averaged over cases and detections, granularity (detections per detected case) and plagdet,
//! F1 / log2(1 + granularity). It also counts the cases *covered by a corresponding passage*: some
//! aligned word pair of a passage has its A word inside the case's A span and its B word inside the
//! case's B span, and at least half of the passage's aligned pairs that start in the case's A span land
//! in its B span.
//!
//! A detection is an aligned stretch: the parts a passage was split into at shared line breaks
//! (verse by verse, article by article), which abut on both sides, count as one detection, so that
//! gold at passage level does not count each verse of a passage as a fragment of it.
//!
//! Record forms accepted: PAN (`susp`, `src`, `this_offset`, `this_length`, `source_offset`,
//! `source_length`; the source plays A), pairs of spans (`a_doc`, `a_begin`, `a_end`, `b_doc`,
//! `b_begin`, `b_end`) and amendments (`old_doc`, `old_begin`, … `new_end`; the old text plays A).
//! Records labelled `dropped_or_unmatched` name a pair to compare but are not cases. Document names are
//! looked up below the gold file's folder.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::Error;
use crate::align::{OpTag, Params};
use crate::corpus::{ReadOptions, read_document};
use crate::report::SCHEMA_VERSION;

/// A pair of documents by name: (A, B).
pub type DocPair = (String, String);

/// The detections of one document pair.
pub type PairDetections = (DocPair, Vec<Detection>);

/// One gold case: a span of A reused in a span of B.
#[derive(Clone, Debug)]
pub struct Case {
    pub a_doc: String,
    pub a: Range<usize>,
    pub b_doc: String,
    pub b: Range<usize>,
    pub label: String,
}

/// One detection: a passage's byte spans, and its aligned word pairs as byte spans.
#[derive(Clone, Debug)]
pub struct Detection {
    pub a: Range<usize>,
    pub b: Range<usize>,
    pub pairs: Vec<(Range<usize>, Range<usize>)>,
}

/// The PAN measures over a set of cases and detections.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Scores {
    pub cases: usize,
    pub detections: usize,
    pub recall: f64,
    pub precision: f64,
    pub granularity: f64,
    pub plagdet: f64,
    /// Cases with a passage whose aligned words correspond on both sides.
    pub covered: usize,
    pub covered_share: f64,
}

/// The scores of one gold file.
#[derive(Debug, Serialize)]
pub struct DatasetReport {
    pub gold: String,
    pub pairs: usize,
    #[serde(flatten)]
    pub scores: Scores,
    /// Recall and coverage per gold label.
    pub by_label: BTreeMap<String, Scores>,
}

/// The report of `cyberdiff eval`.
#[derive(Debug, Serialize)]
pub struct EvalReport {
    pub schema_version: u32,
    pub command: &'static str,
    pub version: &'static str,
    pub parameters: Params,
    pub datasets: Vec<DatasetReport>,
}

impl EvalReport {
    /// Gather dataset reports.
    pub fn new(datasets: Vec<DatasetReport>, params: &Params) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            command: "eval",
            version: env!("CARGO_PKG_VERSION"),
            parameters: params.clone(),
            datasets,
        }
    }
}

/// Read a gold file: the cases, and every pair of documents it names (including pairs whose records
/// are not cases).
pub fn read_gold(path: &Path) -> Result<(Vec<Case>, Vec<DocPair>), Error> {
    let text = crate::corpus::read_side_file(path, "a gold file")?;
    let mut cases = Vec::new();
    let mut pairs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parse_err = |message: String| Error::Parse {
            path: path.to_path_buf(),
            line: i + 1,
            message,
        };
        let v: Value =
            serde_json::from_str(line).map_err(|e| parse_err(format!("not JSON: {e}")))?;
        let dropped = v.get("label").and_then(Value::as_str) == Some("dropped_or_unmatched");
        let Some(case) = case_from(&v) else {
            if dropped {
                // A dropped passage names only its old document: nothing to pair it with.
                continue;
            }
            return Err(parse_err(
                "expected PAN fields (susp, src, this_offset, …) or a_doc/a_begin/a_end/b_doc/b_begin/b_end or old_*/new_*".into(),
            ));
        };
        if case.a.start > case.a.end || case.b.start > case.b.end {
            return Err(parse_err("a span ends before it starts".into()));
        }
        let pair = (case.a_doc.clone(), case.b_doc.clone());
        if !pairs.contains(&pair) {
            pairs.push(pair);
        }
        if !dropped {
            cases.push(case);
        }
    }
    Ok((cases, pairs))
}

fn case_from(v: &Value) -> Option<Case> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let n = |k: &str| v.get(k).and_then(Value::as_u64).map(|x| x as usize);
    let label = s("label").unwrap_or_else(|| "case".into());
    if let (Some(susp), Some(src)) = (s("susp"), s("src")) {
        let (to, tl, so, sl) = (
            n("this_offset")?,
            n("this_length")?,
            n("source_offset")?,
            n("source_length")?,
        );
        return Some(Case {
            a_doc: src,
            a: so..so + sl,
            b_doc: susp,
            b: to..to + tl,
            label,
        });
    }
    for (pa, pb) in [("a", "b"), ("old", "new")] {
        if let (Some(ad), Some(bd)) = (s(&format!("{pa}_doc")), s(&format!("{pb}_doc"))) {
            return Some(Case {
                a_doc: ad,
                a: n(&format!("{pa}_begin"))?..n(&format!("{pa}_end"))?,
                b_doc: bd,
                b: n(&format!("{pb}_begin"))?..n(&format!("{pb}_end"))?,
                label,
            });
        }
    }
    None
}

/// Find a document named in a gold file: beside it, or in a folder below it.
fn locate(root: &Path, name: &str) -> Option<PathBuf> {
    let direct = root.join(name);
    if direct.is_file() {
        return Some(direct);
    }
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.iter().find_map(|d| locate(d, name))
}

/// Run the aligner on one pair of documents and return its detections.
pub fn detect(
    a: &Path,
    b: &Path,
    params: &Params,
    opts: &ReadOptions,
) -> Result<Vec<Detection>, Error> {
    let da = read_document(a, opts)?;
    let db = read_document(b, opts)?;
    let cmp = crate::compare_texts(&da.text, &db.text, params);
    // The parts of one aligned stretch, split at the lines both sides share (`align::split`), abut
    // on both sides: they are scored as one detection, the stretch, whose parts carry their labels.
    let mut out: Vec<Detection> = Vec::with_capacity(cmp.passages.len());
    // (token end in A, token end in B) of each detection so far -> its index.
    let mut ends: rustc_hash::FxHashMap<(usize, usize), usize> = Default::default();
    for p in &cmp.passages {
        let mut pairs = Vec::new();
        for op in &p.ops {
            if op.tag == OpTag::Equal {
                for (i, j) in op.a.clone().zip(op.b.clone()) {
                    pairs.push((cmp.a_tokens[i].span(), cmp.b_tokens[j].span()));
                }
            } else if op.fuzzy {
                pairs.push((
                    crate::byte_span(&cmp.a_tokens, &op.a),
                    crate::byte_span(&cmp.b_tokens, &op.b),
                ));
            }
        }
        let (a, b) = (cmp.byte_span_a(p), cmp.byte_span_b(p));
        match ends.remove(&(p.a.start, p.b.start)) {
            Some(k) => {
                let d = &mut out[k];
                d.a.end = a.end;
                d.b.end = b.end;
                d.pairs.extend(pairs);
                ends.insert((p.a.end, p.b.end), k);
            }
            None => {
                ends.insert((p.a.end, p.b.end), out.len());
                out.push(Detection { a, b, pairs });
            }
        }
    }
    Ok(out)
}

/// Evaluate the aligner on one gold file.
pub fn evaluate(gold: &Path, params: &Params, opts: &ReadOptions) -> Result<DatasetReport, Error> {
    let (cases, pairs) = read_gold(gold)?;
    let root = gold.parent().unwrap_or(Path::new("."));
    let found: Vec<Result<PairDetections, Error>> = pairs
        .par_iter()
        .map(|(an, bn)| {
            let missing = |name: &str| Error::Io {
                path: root.join(name),
                cause: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "named in the gold file but not found below its folder",
                ),
            };
            let a = locate(root, an).ok_or_else(|| missing(an))?;
            let b = locate(root, bn).ok_or_else(|| missing(bn))?;
            Ok(((an.clone(), bn.clone()), detect(&a, &b, params, opts)?))
        })
        .collect();
    let mut detections: Vec<PairDetections> = Vec::with_capacity(found.len());
    for f in found {
        detections.push(f?);
    }
    let scores = score(&cases, &detections);
    let mut labels: Vec<&str> = cases.iter().map(|c| c.label.as_str()).collect();
    labels.sort_unstable();
    labels.dedup();
    let by_label = labels
        .into_iter()
        .map(|l| {
            let subset: Vec<Case> = cases.iter().filter(|c| c.label == l).cloned().collect();
            (l.to_owned(), score(&subset, &detections))
        })
        .collect();
    Ok(DatasetReport {
        gold: gold.display().to_string(),
        pairs: pairs.len(),
        scores,
        by_label,
    })
}

fn overlap(x: &Range<usize>, y: &Range<usize>) -> bool {
    x.start < y.end && y.start < x.end
}

fn intersect(x: &Range<usize>, y: &Range<usize>) -> Range<usize> {
    x.start.max(y.start)..x.end.min(y.end).max(x.start.max(y.start))
}

/// Total length of the union of ranges.
fn union_len(mut rs: Vec<Range<usize>>) -> usize {
    rs.sort_by_key(|r| (r.start, r.end));
    let (mut total, mut reach) = (0, 0);
    for r in rs {
        let start = r.start.max(reach);
        if r.end > start {
            total += r.end - start;
            reach = r.end;
        }
    }
    total
}

/// The PAN measures of `detections` (grouped by document pair) against `cases`.
pub fn score(cases: &[Case], detections: &[PairDetections]) -> Scores {
    let dets_of = |c: &Case| -> &[Detection] {
        detections
            .iter()
            .find(|(p, _)| p.0 == c.a_doc && p.1 == c.b_doc)
            .map_or(&[], |(_, d)| d.as_slice())
    };
    let detects = |c: &Case, d: &Detection| overlap(&c.a, &d.a) && overlap(&c.b, &d.b);
    let (mut rec_sum, mut gran_sum, mut detected, mut covered) = (0.0, 0usize, 0usize, 0usize);
    for c in cases {
        let ds: Vec<&Detection> = dets_of(c).iter().filter(|d| detects(c, d)).collect();
        let got = union_len(ds.iter().map(|d| intersect(&c.a, &d.a)).collect())
            + union_len(ds.iter().map(|d| intersect(&c.b, &d.b)).collect());
        let size = c.a.len() + c.b.len();
        rec_sum += if size == 0 {
            0.0
        } else {
            got as f64 / size as f64
        };
        if !ds.is_empty() {
            detected += 1;
            gran_sum += ds.len();
        }
        if ds.iter().any(|d| corresponds(c, d)) {
            covered += 1;
        }
    }
    let all_dets: Vec<(&DocPair, &Detection)> = detections
        .iter()
        .flat_map(|(p, ds)| ds.iter().map(move |d| (p, d)))
        .collect();
    let mut prec_sum = 0.0;
    for (pair, d) in &all_dets {
        let cs: Vec<&Case> = cases
            .iter()
            .filter(|c| c.a_doc == pair.0 && c.b_doc == pair.1 && detects(c, d))
            .collect();
        let got = union_len(cs.iter().map(|c| intersect(&c.a, &d.a)).collect())
            + union_len(cs.iter().map(|c| intersect(&c.b, &d.b)).collect());
        let size = d.a.len() + d.b.len();
        prec_sum += if size == 0 {
            0.0
        } else {
            got as f64 / size as f64
        };
    }
    let recall = if cases.is_empty() {
        0.0
    } else {
        rec_sum / cases.len() as f64
    };
    let precision = if all_dets.is_empty() {
        0.0
    } else {
        prec_sum / all_dets.len() as f64
    };
    let granularity = if detected == 0 {
        1.0
    } else {
        gran_sum as f64 / detected as f64
    };
    let f1 = if recall + precision == 0.0 {
        0.0
    } else {
        2.0 * recall * precision / (recall + precision)
    };
    let r4 = crate::align::classify::round4;
    Scores {
        cases: cases.len(),
        detections: all_dets.len(),
        recall: r4(recall),
        precision: r4(precision),
        granularity: r4(granularity),
        plagdet: r4(f1 / (1.0 + granularity).log2()),
        covered,
        covered_share: r4(if cases.is_empty() {
            0.0
        } else {
            covered as f64 / cases.len() as f64
        }),
    }
}

/// True when the detection's aligned words that start inside the case's A span land, for the most
/// part, inside its B span.
fn corresponds(c: &Case, d: &Detection) -> bool {
    let from_case: Vec<&(Range<usize>, Range<usize>)> =
        d.pairs.iter().filter(|(a, _)| overlap(a, &c.a)).collect();
    let landing = from_case.iter().filter(|(_, b)| overlap(b, &c.b)).count();
    landing > 0 && landing * 2 >= from_case.len()
}

/// The scores as a table for the terminal.
pub fn render(r: &EvalReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<48} {:>5} {:>5} {:>6} {:>7} {:>9} {:>5} {:>7} {:>7}",
        "gold", "pairs", "cases", "recall", "precis.", "granular.", "plagdet", "covered", ""
    );
    for d in &r.datasets {
        let s = &d.scores;
        // The gold file's name and its labels are shown on one line whatever they hold.
        let name: String = crate::report::printable_line(&d.gold)
            .chars()
            .rev()
            .take(48)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let _ = writeln!(
            out,
            "{:<48} {:>5} {:>5} {:>6.3} {:>7.3} {:>9.3} {:>7.3} {:>4}/{:<4}",
            name,
            d.pairs,
            s.cases,
            s.recall,
            s.precision,
            s.granularity,
            s.plagdet,
            s.covered,
            s.cases
        );
        if d.by_label.len() > 1 {
            for (label, ls) in &d.by_label {
                let _ = writeln!(
                    out,
                    "    {:<44} {:>5} {:>5} {:>6.3} {:>36}/{:<4}",
                    crate::report::printable_line(label),
                    "",
                    ls.cases,
                    ls.recall,
                    ls.covered,
                    ls.cases
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(a: Range<usize>, b: Range<usize>) -> Case {
        Case {
            a_doc: "a".into(),
            a,
            b_doc: "b".into(),
            b,
            label: "x".into(),
        }
    }

    fn det(a: Range<usize>, b: Range<usize>) -> Detection {
        Detection {
            pairs: vec![(a.clone(), b.clone())],
            a,
            b,
        }
    }

    fn pair(ds: Vec<Detection>) -> Vec<PairDetections> {
        vec![(("a".into(), "b".into()), ds)]
    }

    #[test]
    fn perfect_detection_scores_one() {
        let s = score(&[case(0..100, 50..150)], &pair(vec![det(0..100, 50..150)]));
        assert_eq!(
            (s.recall, s.precision, s.granularity, s.plagdet),
            (1.0, 1.0, 1.0, 1.0)
        );
        assert_eq!(s.covered, 1);
    }

    #[test]
    fn split_detection_is_penalised_by_granularity() {
        let s = score(
            &[case(0..100, 0..100)],
            &pair(vec![det(0..50, 0..50), det(50..100, 50..100)]),
        );
        assert_eq!((s.recall, s.precision, s.granularity), (1.0, 1.0, 2.0));
        assert_eq!(s.plagdet, crate::align::classify::round4(1.0 / 3f64.log2()));
    }

    #[test]
    fn half_detection_and_a_false_positive() {
        // Detects half the case on both sides, plus one detection touching nothing.
        let s = score(
            &[case(0..100, 0..100)],
            &pair(vec![det(0..50, 0..50), det(500..600, 500..600)]),
        );
        assert_eq!(s.recall, 0.5);
        assert_eq!(s.precision, 0.5);
        assert_eq!(s.granularity, 1.0);
    }

    #[test]
    fn a_detection_must_overlap_both_sides() {
        let s = score(&[case(0..100, 0..100)], &pair(vec![det(0..100, 200..300)]));
        assert_eq!((s.recall, s.precision, s.covered), (0.0, 0.0, 0));
    }

    #[test]
    fn gold_forms_are_read() {
        let pan = serde_json::json!({"susp": "s.txt", "src": "r.txt", "this_offset": 5, "this_length": 10, "source_offset": 1, "source_length": 4});
        let c = case_from(&pan).unwrap();
        assert_eq!(
            (c.a_doc.as_str(), c.a, c.b_doc.as_str(), c.b),
            ("r.txt", 1..5, "s.txt", 5..15)
        );
        let old = serde_json::json!({"old_doc": "o", "old_begin": 1, "old_end": 2, "new_doc": "n", "new_begin": 3, "new_end": 4, "label": "verbatim"});
        let c = case_from(&old).unwrap();
        assert_eq!((c.a, c.b, c.label.as_str()), (1..2, 3..4, "verbatim"));
        assert!(case_from(&serde_json::json!({"x": 1})).is_none());
    }
}
