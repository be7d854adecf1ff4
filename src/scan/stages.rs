//! A scan in stages, each computed from what a distributed run holds at that point: one document,
//! one pair of documents, or the collected results. The Spark job (`python -m cyberdiff.spark`) runs
//! these stages on executors and does the grouping between them (the shuffle by n-gram key); [`run`]
//! does the same grouping in memory and is the reference the job is tested against, and
//! `scan_in_stages_equals_scan` checks that the stages give exactly [`super::scan`]'s result.
//!
//! 1. [`doc_grams`] (per document): its words and its n-grams as `(key, position)`, keys from
//!    [`index::gram_key`] (stable: a document has the same keys alone or in any corpus).
//! 2. Grouping (the shuffle): keys are masked with [`index::key_mask`] for the corpus (the number of
//!    documents and the longest document's words), as the index groups them. Per key: the documents
//!    holding it (`df`) and how often each does. A key in at least `boilerplate_min_docs` documents
//!    is a boilerplate key; in more than `max_df`, it is common: it links each later holder to the
//!    earliest one (a pair linked by at least `min_shared` such keys making `link_share` of the
//!    smaller document's distinct keys is a candidate, [`is_linked`]); otherwise each pair of its
//!    documents holding it at most `max_seed_freq` times shares it. A pair sharing at least
//!    `min_shared` keys, or linked, is a candidate pair.
//! 3. [`doc_boilerplate`] (per document, with the boilerplate keys it holds): its boilerplate runs.
//! 4. [`pair`] (per candidate pair, with both texts, the keys they share and both documents' runs):
//!    the pair's verification ([`index::shared_and_verified`]) and, when verified, its alignment.
//! 5. [`assemble`] (one node, with the documents, the per-document results and the aligned pairs):
//!    shares, clusters, duplicates and boilerplate texts, as [`super::scan`] computes them.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{BoilerFound, PairResult, Scan, ScanParams, Side};
use crate::align::{Params, Seq};
use crate::corpus::CorpusDoc;
use crate::index::{self, Candidate, Index};

/// Stage 1: a document's word count and n-grams.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocGrams {
    pub words: usize,
    /// `(key, position)` of every n-gram the aligner seeds on, in position order.
    pub grams: Vec<(u64, u32)>,
}

/// Stage 1: the words and n-grams of one document.
pub fn doc_grams(text: &str, params: &Params) -> DocGrams {
    let t = index::tokenize_corpus(&[text]);
    let mut grams = Vec::with_capacity(t.ids[0].len());
    t.for_each_gram(0, params, |i, _, k| grams.push((k, i as u32)));
    DocGrams {
        words: t.ids[0].len(),
        grams,
    }
}

/// Stage 2's rule for a pair linked through common n-grams: `links` common keys of which the later
/// document's earliest holder is the earlier one, the two holding `grams_a` and `grams_b` distinct
/// (masked) keys in all.
pub fn is_linked(
    links: usize,
    grams_a: usize,
    grams_b: usize,
    min_shared: usize,
    link_share: f64,
) -> bool {
    let smaller = grams_a.min(grams_b);
    links >= min_shared && links as f64 >= link_share * smaller as f64
}

/// Stage 3: a document's boilerplate runs (token ranges) and what the boilerplate texts need of them.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DocBoilerplate {
    pub runs: Vec<Range<usize>>,
    pub found: Vec<BoilerFound>,
}

/// Stage 3: the boilerplate runs of one document, given the boilerplate keys (masked with `mask`,
/// sorted) it holds, or all of the corpus.
pub fn doc_boilerplate(text: &str, params: &Params, mask: u64, boiler: &[u64]) -> DocBoilerplate {
    if boiler.is_empty() {
        return DocBoilerplate::default();
    }
    let t = index::tokenize_corpus(&[text]);
    let runs = index::runs_of(&t, 0, params, |h| boiler.binary_search(&(h & mask)).is_ok());
    let found = super::boiler_found(&t, 0, text, &runs);
    DocBoilerplate { runs, found }
}

/// One document of a pair for stage 4.
pub struct PairSide<'a> {
    /// Its number in report order.
    pub doc: usize,
    pub text: &'a str,
    /// Its boilerplate runs ([`doc_boilerplate`]).
    pub runs: &'a [Range<usize>],
}

/// Stage 4's result for a candidate pair.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PairOutcome {
    /// Distinct n-grams the two share (each held at most `max_seed_freq` times by each).
    pub shared: u32,
    /// Whether the pair was verified (and so aligned).
    pub verified: bool,
    /// The aligned pair, when verified and holding a passage.
    pub result: Option<PairResult>,
}

/// Stage 4: verify and align a candidate pair, `a` the earlier document. `shared_keys` are the
/// masked keys of 2 to `max_df` documents the two share (sorted; a superset does no harm: only keys
/// both hold count); `linked` says whether stage 2 linked them through common keys.
pub fn pair(
    a: &PairSide,
    b: &PairSide,
    params: &Params,
    min_shared: usize,
    mask: u64,
    shared_keys: &[u64],
    linked: bool,
) -> PairOutcome {
    let t = index::tokenize_corpus(&[a.text, b.text]);
    let (shared, verified) = index::shared_and_verified(&t, 0, 1, params, min_shared, |h| {
        let k = h & mask;
        shared_keys.binary_search(&k).is_ok().then_some(k)
    });
    let verified = verified || linked;
    let result = verified
        .then(|| {
            let (toks_a, toks_b) = (t.tokens(0, a.text), t.tokens(1, b.text));
            let sides = [
                Side {
                    doc: a.doc,
                    text: a.text,
                    seq: Seq::new(&toks_a, &t.vocab),
                    boilerplate: a.runs,
                },
                Side {
                    doc: b.doc,
                    text: b.text,
                    seq: Seq::new(&toks_b, &t.vocab),
                    boilerplate: b.runs,
                },
            ];
            super::align_sides(&sides, shared, params, true)
        })
        .filter(|p| !p.passages.is_empty());
    PairOutcome {
        shared,
        verified,
        result,
    }
}

/// The index's figures, gathered by stage 2 and 4.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Figures {
    /// N-gram occurrences.
    pub postings: usize,
    /// Distinct (masked) keys.
    pub ngrams: usize,
    /// Keys in more than `max_df` documents.
    pub common_ngrams: usize,
    /// Candidate pairs (sharing `min_shared` keys, or linked).
    pub candidate_pairs: usize,
    /// The verified pairs, `(a, b, shared)`.
    pub verified: Vec<(u32, u32, u32)>,
}

/// Stage 5: the scan of `docs` (report order) from the other stages' results: each document's words
/// and boilerplate, the figures, and the aligned pairs with a passage (any order).
pub fn assemble(
    docs: &[CorpusDoc],
    words: Vec<usize>,
    boilerplate: Vec<DocBoilerplate>,
    figures: Figures,
    pairs: Vec<PairResult>,
    params: &Params,
    sp: &ScanParams,
) -> Scan {
    let mut candidates: Vec<Candidate> = figures
        .verified
        .iter()
        .map(|&(a, b, shared)| Candidate { a, b, shared })
        .collect();
    candidates.sort_unstable();
    let (runs, found): (Vec<_>, Vec<_>) =
        boilerplate.into_iter().map(|b| (b.runs, b.found)).unzip();
    let idx = Index {
        postings: figures.postings,
        ngrams: figures.ngrams,
        common_ngrams: figures.common_ngrams,
        shared_pairs: figures.candidate_pairs,
        hits: 0,
        candidates,
        boilerplate: runs,
    };
    super::finish(docs, None, idx, words, pairs, found, params, sp)
}

/// The whole scan in stages, the grouping done in memory: the reference for a distributed run.
pub fn run(docs: &[CorpusDoc], params: &Params, sp: &ScanParams) -> Scan {
    let ip = &sp.index;
    let texts: Vec<&str> = docs.iter().map(|d| d.doc.text.as_str()).collect();
    // Stage 1.
    let grams: Vec<DocGrams> = texts.iter().map(|t| doc_grams(t, params)).collect();
    let words: Vec<usize> = grams.iter().map(|g| g.words).collect();
    let mask = index::key_mask(docs.len(), words.iter().copied().max().unwrap_or(0));
    // Stage 2: key -> document -> occurrences.
    let mut by_key: BTreeMap<u64, BTreeMap<usize, usize>> = BTreeMap::new();
    let mut postings = 0;
    for (d, g) in grams.iter().enumerate() {
        postings += g.grams.len();
        for &(k, _) in &g.grams {
            *by_key.entry(k & mask).or_default().entry(d).or_default() += 1;
        }
    }
    let mut figures = Figures {
        postings,
        ngrams: by_key.len(),
        ..Figures::default()
    };
    let mut doc_keys = vec![0usize; docs.len()];
    let mut boiler_keys: Vec<Vec<u64>> = vec![Vec::new(); docs.len()];
    let mut links: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut shared: BTreeMap<(usize, usize), Vec<u64>> = BTreeMap::new();
    for (&k, holders) in &by_key {
        for &d in holders.keys() {
            doc_keys[d] += 1;
        }
        let df = holders.len();
        if df >= ip.boilerplate_min_docs {
            for &d in holders.keys() {
                boiler_keys[d].push(k);
            }
        }
        if df > ip.max_df {
            figures.common_ngrams += 1;
            let first = *holders.keys().next().expect("a key has a holder");
            for &d in holders.keys().skip(1) {
                *links.entry((first, d)).or_default() += 1;
            }
        } else if df >= 2 {
            let kept: Vec<usize> = holders
                .iter()
                .filter(|&(_, &n)| n <= params.max_seed_freq)
                .map(|(&d, _)| d)
                .collect();
            for (i, &a) in kept.iter().enumerate() {
                for &b in &kept[i + 1..] {
                    shared.entry((a, b)).or_default().push(k);
                }
            }
        }
    }
    let linked: Vec<(usize, usize)> = links
        .into_iter()
        .filter(|&((a, b), n)| is_linked(n, doc_keys[a], doc_keys[b], ip.min_shared, ip.link_share))
        .map(|(p, _)| p)
        .collect();
    let mut candidates: BTreeMap<(usize, usize), (Vec<u64>, bool)> = BTreeMap::new();
    for (p, keys) in shared {
        if keys.len() >= ip.min_shared {
            candidates.insert(p, (keys, false));
        }
    }
    for p in linked {
        candidates.entry(p).or_default().1 = true;
    }
    figures.candidate_pairs = candidates.len();
    // Stage 3.
    let boilerplate: Vec<DocBoilerplate> = texts
        .iter()
        .zip(&boiler_keys)
        .map(|(t, keys)| doc_boilerplate(t, params, mask, keys))
        .collect();
    // Stage 4.
    let mut pairs = Vec::new();
    for ((a, b), (keys, linked)) in candidates {
        let side = |d: usize| PairSide {
            doc: d,
            text: texts[d],
            runs: &boilerplate[d].runs,
        };
        let out = pair(
            &side(a),
            &side(b),
            params,
            ip.min_shared,
            mask,
            &keys,
            linked,
        );
        if out.verified {
            figures.verified.push((a as u32, b as u32, out.shared));
        }
        pairs.extend(out.result);
    }
    // Stage 5.
    assemble(docs, words, boilerplate, figures, pairs, params, sp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Document;
    use crate::index::IndexParams;
    use crate::report::scan::ScanReport;

    fn doc(id: &str, date: &str, text: String) -> CorpusDoc {
        let mut d = Document::from_text(id, &text);
        d.date = Some(date.to_owned());
        CorpusDoc {
            doc: d,
            title: None,
            source: None,
            note: None,
            line: None,
        }
    }

    /// Real texts (the bundled corpus, parallel Bible translations, PAN sources and suspicious
    /// documents), plus the cases of the grouping stage real text may not show on its own: a
    /// masthead in many documents (boilerplate and common keys), an exact copy, and copies of a text
    /// too common to pair documents by (linked pairs).
    fn corpus() -> Vec<CorpusDoc> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();
        let mut docs = Vec::new();
        let files = super::super::tests::input_files();
        for (i, p) in files.iter().enumerate() {
            docs.push(doc(&format!("in{i}"), "2015", read(p)));
        }
        let bible = root.join("eval-data/bible");
        for f in [
            "KJV_gen1-6.txt",
            "WEB_gen1-6.txt",
            "parallels/ps14_ps53_A.txt",
        ] {
            docs.push(doc(f, "1611", read(&bible.join(f))));
        }
        let pan = root.join("eval-data/pan13");
        let mut seen = std::collections::BTreeSet::new();
        for line in read(&pan.join("pairs.txt")).lines().take(8) {
            let mut it = line.split_whitespace();
            let (x, s) = (it.next().unwrap(), it.next().unwrap());
            for (name, dir, date) in [(s, "src", "2001"), (x, "susp", "2002")] {
                if seen.insert(name) {
                    docs.push(doc(name, date, read(&pan.join(dir).join(name))));
                }
            }
        }
        let masthead = "Published by the Office of Public Records and Archives, all rights \
                        reserved, reproduction prohibited without written permission.";
        let story = read(&files[0]);
        let story: String = story
            .split_whitespace()
            .take(400)
            .collect::<Vec<_>>()
            .join(" ");
        for i in 0..8 {
            let body = read(&files[i % files.len()]);
            let body: String = body
                .split_whitespace()
                .skip(50 * i)
                .take(120)
                .collect::<Vec<_>>()
                .join(" ");
            docs.push(doc(
                &format!("m{i}"),
                "2021",
                format!("{masthead}\n\n{body}\n\n{masthead}"),
            ));
        }
        for i in 0..6 {
            docs.push(doc(
                &format!("copy{i}"),
                "2023",
                format!("{story}\n\nNote {i}."),
            ));
        }
        docs.push(doc("exact", "2024", format!("{story}\n\nNote 0.")));
        docs
    }

    fn json(docs: &[CorpusDoc], scan: &Scan, params: &Params, sp: &ScanParams) -> String {
        let r = ScanReport::new(docs, scan, params, sp, Vec::new(), Vec::new(), true);
        serde_json::to_string(&r).unwrap()
    }

    #[test]
    fn scan_in_stages_equals_scan() {
        let docs = corpus();
        let params = Params::default();
        // A small max_df and boilerplate threshold, so that common keys, links and boilerplate
        // runs all occur.
        for (max_df, bmd) in [(4, 4), (1000, 5)] {
            let sp = ScanParams {
                index: IndexParams {
                    min_shared: 3,
                    max_df,
                    boilerplate_min_docs: bmd,
                    link_share: 0.8,
                },
                duplicate_threshold: 0.8,
                word_diffs: true,
                min_cluster_docs: 2,
            };
            let whole = super::super::scan(&docs, &params, &sp, &crate::scan::Progress::new(false));
            let staged = run(&docs, &params, &sp);
            assert!(whole.pairs.len() > 20, "{} pairs", whole.pairs.len());
            assert!(whole.boilerplate.iter().any(|b| b.documents >= 5));
            assert!(!whole.duplicates.is_empty());
            if max_df == 4 {
                assert!(whole.index.common_ngrams > 0);
            }
            assert_eq!(
                json(&docs, &whole, &params, &sp),
                json(&docs, &staged, &params, &sp)
            );
        }
    }

    /// Without word diffs (a summary report) a scan finds the same passages, shares, clusters and
    /// duplicates, and holds no `ops`: they were most of its memory (the Bible corpus: 347 -> 183 MB).
    #[test]
    fn a_scan_without_word_diffs_finds_the_same_and_holds_no_ops() {
        let docs = corpus();
        let params = Params::default();
        let mut sp = crate::scan::ScanOptions::default()
            .resolve(docs.len())
            .unwrap();
        let progress = crate::scan::Progress::new(false);
        let full = super::super::scan(&docs, &params, &sp, &progress);
        sp.word_diffs = false;
        let lean = super::super::scan(&docs, &params, &sp, &progress);
        assert!(
            full.pairs
                .iter()
                .any(|p| p.passages.iter().any(|x| !x.ops.is_empty()))
        );
        assert!(
            lean.pairs
                .iter()
                .all(|p| p.passages.iter().all(|x| x.ops.is_empty()))
        );
        let summary = |s: &Scan| {
            let r = ScanReport::new(&docs, s, &params, &sp, Vec::new(), Vec::new(), false);
            crate::report::json::to_rows(&r.into_summary())
        };
        assert_eq!(summary(&full), summary(&lean));
        assert!(full.pairs.len() > 20 && !full.clusters.is_empty() && !full.duplicates.is_empty());
    }

    /// A report that takes the scan's pairs (`cyberdiff scan`, to hold the two not at once) is the
    /// report built beside them, full and summary; without passage texts only a cluster's source
    /// keeps its text (the terminal quotes it), and the summary has none of them anyway.
    #[test]
    fn a_report_taking_the_pairs_is_the_report_built_beside_them() {
        let docs = corpus();
        let params = Params::default();
        let sp = crate::scan::ScanOptions::default()
            .resolve(docs.len())
            .unwrap();
        let progress = crate::scan::Progress::new(false);
        for texts in [true, false] {
            let mut s = super::super::scan(&docs, &params, &sp, &progress);
            let kept = super::super::scan(&docs, &params, &sp, &progress);
            let beside = ScanReport::new(&docs, &kept, &params, &sp, Vec::new(), Vec::new(), texts);
            let pairs = s.pairs.len();
            let taking = ScanReport::from_pairs_of(
                &docs,
                &mut s,
                &params,
                &sp,
                Vec::new(),
                Vec::new(),
                texts,
            );
            assert!(s.pairs.is_empty() && pairs > 20);
            assert_eq!(taking.index.pairs_with_passages, pairs);
            assert_eq!(
                serde_json::to_string(&beside).unwrap(),
                serde_json::to_string(&taking).unwrap()
            );
            let texts_held = |r: &ScanReport| {
                let all = r.clusters.iter().flat_map(|c| c.occurrences.iter());
                (
                    all.clone().filter(|o| !o.text.is_empty()).count(),
                    all.count(),
                )
            };
            let (held, all) = texts_held(&taking);
            assert!(all > taking.clusters.len() && !taking.clusters.is_empty());
            assert_eq!(held, if texts { all } else { taking.clusters.len() });
            if !texts {
                assert!(
                    taking
                        .clusters
                        .iter()
                        .all(|c| !c.occurrences[0].text.is_empty())
                );
                assert_eq!(
                    crate::report::json::to_rows(&beside.into_summary()),
                    crate::report::json::to_rows(&taking.into_summary())
                );
            }
        }
    }

    /// The default settings for `docs`, and their scan.
    fn scanned(docs: &[CorpusDoc]) -> (Params, ScanParams, Scan) {
        let params = Params::default();
        let sp = crate::scan::ScanOptions::default()
            .resolve(docs.len())
            .unwrap();
        let s = super::super::scan(docs, &params, &sp, &crate::scan::Progress::new(false));
        (params, sp, s)
    }

    /// A report holds its pairs' spans only; the texts and word diffs its JSON writes are the
    /// documents' own, made as it is written (in batches, so more pairs than one batch).
    #[test]
    fn a_report_writes_texts_it_does_not_hold() {
        let docs = corpus();
        let (params, sp, s) = scanned(&docs);
        let r = ScanReport::new(&docs, &s, &params, &sp, Vec::new(), Vec::new(), true);
        let held = r.pairs.iter().flat_map(|p| &p.passages);
        assert!(
            held.clone()
                .all(|x| x.a.text.is_empty() && x.ops.is_empty())
        );
        let v: serde_json::Value = serde_json::from_str(&crate::report::json::to_json(&r)).unwrap();
        let pairs = v["pairs"].as_array().unwrap();
        assert_eq!(pairs.len(), r.pairs.len());
        assert!(pairs.len() > 2 * crate::report::scan::PAIRS_A_BATCH);
        let text = |id: &serde_json::Value| {
            let d = docs.iter().find(|d| d.doc.id == id.as_str().unwrap());
            d.unwrap().doc.text.as_str()
        };
        let mut ops = 0;
        for (i, p) in pairs.iter().enumerate() {
            assert_eq!(p["id"], i + 1);
            for x in p["passages"].as_array().unwrap() {
                for (side, doc) in [("a", &p["a"]["id"]), ("b", &p["b"]["id"])] {
                    let span = &x[side];
                    let (start, end) = (
                        span["start"].as_u64().unwrap(),
                        span["end"].as_u64().unwrap(),
                    );
                    assert_eq!(span["text"], text(doc)[start as usize..end as usize]);
                }
                ops += x["ops"].as_array().unwrap().len();
            }
            let full = r.full_pair(i).unwrap();
            assert_eq!(serde_json::to_value(&full).unwrap(), *p);
        }
        assert!(ops > 0 && held.count() > 0);
    }

    /// The scan page lists at most `HTML_MAX_ROWS` rows a list (5 in the unit tests): the most
    /// widespread recurring passages and boilerplate, the pairs with the most reused words; it
    /// counts them all and says the rest are in the JSON.
    #[test]
    fn the_scan_page_lists_the_most_telling_rows_and_counts_them_all() {
        use crate::report::scan::HTML_MAX_ROWS;
        let docs = corpus();
        let (params, sp, s) = scanned(&docs);
        let r = ScanReport::new(&docs, &s, &params, &sp, Vec::new(), Vec::new(), false);
        assert!(r.pairs.len() > HTML_MAX_ROWS && r.clusters.len() > HTML_MAX_ROWS);
        let html = crate::report::scan::render_html(&r, "p", &|_| true);
        let section = |id: &str| {
            let start = html.find(&format!("<section id=\"{id}\">")).unwrap();
            let end = start + html[start..].find("</section>").unwrap();
            &html[start..end]
        };
        // Cluster ids shown, in order: the most documents first, then the earlier.
        let shown: Vec<usize> = section("clusters")
            .split("<details class=\"cluster\" id=\"c")
            .skip(1)
            .map(|x| x[..x.find('"').unwrap()].parse().unwrap())
            .collect();
        let mut want: Vec<usize> = (0..r.clusters.len()).collect();
        want.sort_by_key(|&k| (std::cmp::Reverse(r.clusters[k].documents), k));
        want.truncate(HTML_MAX_ROWS);
        want.sort_unstable();
        let want: Vec<usize> = want.iter().map(|&k| r.clusters[k].id).collect();
        assert_eq!(shown, want);
        let widest = r.clusters.iter().map(|c| c.documents).max().unwrap();
        assert!(
            shown
                .iter()
                .any(|&id| r.clusters[id - 1].documents == widest)
        );
        let note = format!(
            "The {HTML_MAX_ROWS} most widespread of {} are listed here",
            r.clusters.len()
        );
        assert!(section("clusters").contains(&note));
        assert!(section("clusters").contains(&format!(
            "<span class=\"count\">{}</span>",
            r.clusters.len()
        )));
        // Pair rows: the most reused words first.
        let rows: Vec<usize> = section("pairs")
            .split("<tr><td class=\"num\">")
            .skip(1)
            .map(|x| x[..x.find('<').unwrap()].parse().unwrap())
            .collect();
        let reused = |id: usize| -> usize {
            r.pairs[id - 1]
                .passages
                .iter()
                .map(|x| x.aligned_words)
                .sum()
        };
        assert_eq!(rows.len(), HTML_MAX_ROWS);
        let least_shown = rows.iter().map(|&id| reused(id)).min().unwrap();
        let most_left = (1..=r.pairs.len())
            .filter(|id| !rows.contains(id))
            .map(reused)
            .max()
            .unwrap();
        assert!(least_shown >= most_left);
        assert!(section("pairs").contains(&format!("of {} are listed here", r.pairs.len())));
    }

    #[test]
    fn a_document_has_the_same_grams_alone_as_in_a_corpus() {
        let texts = [
            "互联网是人类的共同家园 and the shared future of cyberspace.",
            "Other words here.",
        ];
        let t = index::tokenize_corpus(&texts);
        let params = Params::default();
        let mut in_corpus = Vec::new();
        t.for_each_gram(0, &params, |i, _, k| in_corpus.push((k, i as u32)));
        let alone = doc_grams(texts[0], &params);
        assert_eq!(alone.grams, in_corpus);
        assert_eq!(alone.words, t.ids[0].len());
        assert!(!alone.grams.is_empty());
    }
}
