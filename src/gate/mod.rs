//! The CI gate: thresholds, findings, content fingerprints and the baseline.
//!
//! Takes a [`State`] (what a scan of the corpus finds, cached and updated incrementally by
//! [`state`] and [`cache`]) and gives [`Finding`]s:
//! - **reused-share**: a document whose share of words in (non-boilerplate) passages shared with
//!   *earlier* documents reaches `reused_share`. The later document is the one that reuses, so adding a
//!   document that copies from an old one flags the new document, not the old one.
//! - **duplicate**: two documents with identical text, or whose shared passages (boilerplate included)
//!   cover at least `duplicate` of each (near) or of the smaller one (contained).
//! - **boilerplate**: a text made of n-grams found in many documents (navigation, mastheads).
//! - **statement-status**: when a statements file is configured, a tracked statement whose status or
//!   wording in a document differs from the previous document in date order ([`statements`]).
//!
//! Every finding has a content **fingerprint** (xxh3-64): of the normalised, stemmed words of the
//! document's reused passages, of the pair's passages, of the duplicated text, or of the boilerplate
//! text; never of a file name or an offset. Renaming or moving a file, or editing a part of a document
//! that no finding covers, leaves the fingerprints as they were. Findings with equal content are
//! counted, not merged: the second gets a fingerprint of its own ([`distinct`]), so a third copy of a
//! duplicated file is new even though the second was baselined. [`judge`] splits findings into new and
//! baselined, and lists the baselined fingerprints that are gone.
//!
//! Around these: [`config`] layers the flags over `cyberdiff.toml` over the defaults, [`plan`] brings
//! the cached state up to date with the corpus, and [`json`], [`sarif`], [`junit`] and [`terminal`]
//! render a verdict. [`crate::run::check`] runs them in order.

pub mod cache;
pub mod config;
pub mod json;
pub mod junit;
pub mod plan;
pub mod sarif;
pub mod state;
pub mod statements;
pub mod terminal;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use crate::Error;
pub use state::State;

/// What makes a finding.
#[derive(Clone, Debug, Serialize)]
pub struct Thresholds {
    /// A document with at least this share of its words reused from earlier documents.
    pub reused_share: f64,
    /// Two documents sharing at least this share of their words (of each: near; of the smaller one:
    /// contained).
    pub duplicate: f64,
    /// Boilerplate texts are findings.
    pub boilerplate: bool,
    /// A tracked statement absent from a document after being present in the previous one is a
    /// finding (when statements are tracked).
    pub statement_dropped: bool,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            reused_share: 0.3,
            duplicate: 0.8,
            boilerplate: true,
            statement_dropped: true,
        }
    }
}

/// The kind of a finding (SARIF `ruleId`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    ReusedShare,
    Duplicate,
    Boilerplate,
    StatementStatus,
}

impl Rule {
    pub const ALL: [Rule; 4] = [
        Rule::ReusedShare,
        Rule::Duplicate,
        Rule::Boilerplate,
        Rule::StatementStatus,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Rule::ReusedShare => "reused-share",
            Rule::Duplicate => "duplicate",
            Rule::Boilerplate => "boilerplate",
            Rule::StatementStatus => "statement-status",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Rule::ReusedShare => {
                "A document reuses at least the threshold share of its words from earlier documents."
            }
            Rule::Duplicate => {
                "Two documents are exact or near duplicates, or one contains the other."
            }
            Rule::Boilerplate => {
                "Text recurring in many documents (navigation, mastheads, credits)."
            }
            Rule::StatementStatus => {
                "A tracked statement appears, changes status or wording, or is dropped, against the previous document in date order."
            }
        }
    }
}

/// Whether a finding is in the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    New,
    Baselined,
}

/// A place in a document, with the earlier place it was taken from when there is one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    /// The path's bytes, escaped, when it is not valid UTF-8 (`path` then holds U+FFFD in their
    /// place): [`crate::report::path_bytes`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    /// Column of the character after the last one.
    pub end_column: u32,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
}

/// Where a reused passage comes from (for a statement: its passage in the previous document).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceRef {
    pub path: String,
    /// As [`Location::path_bytes`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
    pub line: u32,
}

/// One finding of the gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: Rule,
    pub status: Status,
    pub fingerprint: String,
    pub message: String,
    /// Paths of the documents concerned, the one to act on first.
    pub documents: Vec<String>,
    /// Only when a path of `documents` is not valid UTF-8: for each of them, its
    /// [`Location::path_bytes`] (null for a UTF-8 path, which `documents` gives exactly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documents_bytes: Option<Vec<Option<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// Where: the reused passages, the duplicate's shared passages, the boilerplate's occurrences (at
    /// most [`MAX_LOCATIONS`]).
    pub locations: Vec<Location>,
}

/// Locations listed per finding.
pub const MAX_LOCATIONS: usize = 50;

fn hex(h: u64) -> String {
    format!("{h:016x}")
}

fn fingerprint(tag: &str, parts: impl IntoIterator<Item = u64>) -> String {
    let mut set: Vec<u64> = parts.into_iter().collect();
    set.sort_unstable();
    set.dedup();
    let mut h = Xxh3::new();
    h.update(tag.as_bytes());
    h.update(&[0]);
    for p in set {
        h.update(&p.to_le_bytes());
    }
    hex(h.digest())
}

/// Give the second and later findings of one rule with one fingerprint fingerprints of their own
/// (the fingerprint and the ordinal), so that equal findings are counted: a baseline holding one of
/// them does not cover a second.
pub fn distinct(findings: &mut [Finding]) {
    let mut count: BTreeMap<(Rule, String), u32> = BTreeMap::new();
    for f in findings {
        let k = count.entry((f.rule, f.fingerprint.clone())).or_default();
        if *k > 0 {
            f.fingerprint = hex(xxh3_64(format!("{}#{k}", f.fingerprint).as_bytes()));
        }
        *k += 1;
    }
}

/// A document's path as findings write it: as text (U+FFFD for bytes that are not UTF-8) and, only
/// for such a path, its bytes escaped ([`crate::report::path_bytes`]).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PathName {
    pub path: String,
    pub bytes: Option<String>,
}

impl PathName {
    pub(crate) fn of(p: &std::path::Path) -> Self {
        PathName {
            path: p.to_string_lossy().into_owned(),
            bytes: crate::report::path_bytes(p),
        }
    }

    /// The path for a person: the escaped bytes of a path that is not UTF-8 (two such paths differing
    /// in their invalid bytes look the same as text), else the path.
    pub(crate) fn shown(&self) -> &str {
        self.bytes.as_deref().unwrap_or(&self.path)
    }

    fn source(&self, line: u32) -> SourceRef {
        SourceRef {
            path: self.path.clone(),
            path_bytes: self.bytes.clone(),
            line,
        }
    }
}

/// `documents` and `documents_bytes` of a finding.
pub(crate) fn documents<'a>(
    names: impl IntoIterator<Item = &'a PathName>,
) -> (Vec<String>, Option<Vec<Option<String>>>) {
    let (paths, bytes): (Vec<String>, Vec<Option<String>>) = names
        .into_iter()
        .map(|n| (n.path.clone(), n.bytes.clone()))
        .unzip();
    let any = bytes.iter().any(Option::is_some);
    (paths, any.then_some(bytes))
}

impl Finding {
    /// The first document's path for a person: `PathName::shown`.
    pub fn first_document_shown(&self) -> Option<&str> {
        let bytes = self
            .documents_bytes
            .as_ref()
            .and_then(|b| b.first()?.as_deref());
        bytes.or(self.documents.first().map(String::as_str))
    }

    /// The first document's path for a URI: its bytes.
    pub fn first_document_bytes(&self) -> Option<Vec<u8>> {
        match self
            .documents_bytes
            .as_ref()
            .and_then(|b| b.first()?.as_deref())
        {
            Some(escaped) => Some(crate::report::path_bytes_unescaped(escaped)),
            None => self.documents.first().map(|d| d.as_bytes().to_vec()),
        }
    }
}

/// The bytes of a path written as `path` and `path_bytes`.
fn raw_path(path: &str, path_bytes: Option<&str>) -> Vec<u8> {
    path_bytes.map_or_else(
        || path.as_bytes().to_vec(),
        crate::report::path_bytes_unescaped,
    )
}

impl Location {
    /// The path's bytes (for a URI).
    pub fn raw_path(&self) -> Vec<u8> {
        raw_path(&self.path, self.path_bytes.as_deref())
    }

    /// The path for a person: `PathName::shown`.
    pub fn shown_path(&self) -> &str {
        self.path_bytes.as_deref().unwrap_or(&self.path)
    }
}

impl SourceRef {
    /// The path's bytes (for a URI).
    pub fn raw_path(&self) -> Vec<u8> {
        raw_path(&self.path, self.path_bytes.as_deref())
    }

    /// The path for a person: `PathName::shown`.
    pub fn shown_path(&self) -> &str {
        self.path_bytes.as_deref().unwrap_or(&self.path)
    }
}

/// A whole document (its first line), for findings about a document rather than a passage.
pub(crate) fn whole(name: &PathName) -> Location {
    Location {
        path: name.path.clone(),
        path_bytes: name.bytes.clone(),
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        text: String::new(),
        source: None,
    }
}

fn loc(name: &PathName, s: &state::Span, source: Option<SourceRef>) -> Location {
    Location {
        path: name.path.clone(),
        path_bytes: name.bytes.clone(),
        line: s.line,
        column: s.column,
        end_line: s.end_line,
        end_column: s.end_column,
        text: s.snippet.clone(),
        source,
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Every finding of a state, in a fixed order (rule, then document order, then fingerprint). All are
/// `New` until [`judge`] compares them with a baseline.
pub fn findings(state: &State, t: &Thresholds) -> Vec<Finding> {
    let order = state.order();
    let mut rank = vec![0usize; state.docs.len()];
    for (r, &s) in order.iter().enumerate() {
        rank[s as usize] = r;
    }
    let later = state.later_shares();
    let mut out: Vec<(Rule, usize, Finding)> = Vec::new();
    let names: Vec<PathName> = state.docs.iter().map(|d| PathName::of(&d.path)).collect();
    let name = |s: u32| &names[s as usize];
    // In messages, for a person.
    let path = |s: u32| names[s as usize].shown();

    // Reused share.
    let mut by_later: BTreeMap<u32, Vec<(&state::Pair, &state::Passage)>> = BTreeMap::new();
    for p in &state.pairs {
        for x in p.passages.iter().filter(|x| !x.boilerplate) {
            by_later.entry(p.b).or_default().push((p, x));
        }
    }
    for (&d, list) in &by_later {
        let share = later[d as usize];
        if share <= 0.0 || share < t.reused_share {
            continue;
        }
        let mut locations: Vec<Location> = list
            .iter()
            .map(|(p, x)| loc(name(d), &x.b, Some(name(p.a).source(x.a.line))))
            .collect();
        locations.sort_by(|a, b| {
            (a.line, a.column, &a.source.as_ref().map(|s| s.shown_path())).cmp(&(
                b.line,
                b.column,
                &b.source.as_ref().map(|s| s.shown_path()),
            ))
        });
        let n = locations.len();
        locations.truncate(MAX_LOCATIONS);
        let mut sources: Vec<&PathName> = list.iter().map(|(p, _)| name(p.a)).collect();
        sources.sort_unstable_by(|x, y| x.shown().cmp(y.shown()));
        sources.dedup();
        let (documents, documents_bytes) =
            self::documents(std::iter::once(name(d)).chain(sources.iter().copied()));
        out.push((
            Rule::ReusedShare,
            rank[d as usize],
            Finding {
                rule: Rule::ReusedShare,
                status: Status::New,
                fingerprint: fingerprint("reused-share", list.iter().map(|(_, x)| x.b.fp)),
                message: format!(
                    "{} reuses {} of its words from {} earlier document{} in {n} passage{} (threshold {})",
                    path(d),
                    pct(share),
                    sources.len(),
                    if sources.len() == 1 { "" } else { "s" },
                    if n == 1 { "" } else { "s" },
                    pct(t.reused_share)
                ),
                documents,
                documents_bytes,
                share: Some(share),
                locations,
            },
        ));
    }

    // Duplicates: identical texts, then near and contained pairs.
    let mut exact: BTreeSet<(u32, u32)> = BTreeSet::new();
    // Documents grouped by text (hash and length), each group in document order: a stable sort of
    // the documents in order, not a map holding a list per document.
    let mut by_text: Vec<(u64, u64, u32)> = order
        .iter()
        .map(|&s| {
            let d = &state.docs[s as usize];
            (d.text_hash, d.text_len, s)
        })
        .collect();
    by_text.sort_by_key(|&(h, len, _)| (h, len));
    for group in by_text.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
        let (h, a) = (&group[0].0, group[0].2);
        for &(_, _, b) in &group[1..] {
            exact.insert((a.min(b), a.max(b)));
            let (documents, documents_bytes) = documents([name(b), name(a)]);
            out.push((
                Rule::Duplicate,
                rank[b as usize],
                Finding {
                    rule: Rule::Duplicate,
                    status: Status::New,
                    fingerprint: fingerprint("duplicate-exact", [*h]),
                    message: format!("{} has the same text as {}", path(b), path(a)),
                    documents,
                    documents_bytes,
                    share: Some(1.0),
                    locations: vec![whole(name(b))],
                },
            ));
        }
    }
    for p in &state.pairs {
        if exact.contains(&(p.a.min(p.b), p.a.max(p.b))) {
            continue;
        }
        let (sa, sb) = state.pair_shares(p);
        let (da, db) = (&state.docs[p.a as usize], &state.docs[p.b as usize]);
        let kind = if sa >= t.duplicate && sb >= t.duplicate {
            "a near duplicate of"
        } else {
            let s = if da.text_len <= db.text_len { sa } else { sb };
            if s < t.duplicate {
                continue;
            }
            if da.text_len <= db.text_len {
                "contains"
            } else {
                "is contained in"
            }
        };
        let mut locations: Vec<Location> = p
            .passages
            .iter()
            .map(|x| loc(name(p.b), &x.b, Some(name(p.a).source(x.a.line))))
            .collect();
        locations.sort_by_key(|l| (l.line, l.column));
        locations.truncate(MAX_LOCATIONS);
        let verb = if kind == "contains" {
            format!("{} is contained in {}", path(p.a), path(p.b))
        } else {
            format!("{} is {kind} {}", path(p.b), path(p.a))
        }
        .replace("is is ", "is ");
        let (documents, documents_bytes) = documents([name(p.b), name(p.a)]);
        out.push((
            Rule::Duplicate,
            rank[p.b as usize],
            Finding {
                rule: Rule::Duplicate,
                status: Status::New,
                fingerprint: fingerprint(
                    "duplicate",
                    p.passages.iter().flat_map(|x| [x.a.fp, x.b.fp]),
                ),
                message: format!(
                    "{verb} ({} and {} of their words shared; threshold {})",
                    pct(sa),
                    pct(sb),
                    pct(t.duplicate)
                ),
                documents,
                documents_bytes,
                share: Some(sa.max(sb)),
                locations,
            },
        ));
    }

    // Boilerplate texts, grouped by their normalised words.
    if t.boilerplate {
        let mut groups: BTreeMap<u64, Vec<(usize, u32, &state::Span)>> = BTreeMap::new();
        for &s in &order {
            for r in &state.docs[s as usize].boilerplate {
                groups
                    .entry(r.fp)
                    .or_default()
                    .push((rank[s as usize], s, r));
            }
        }
        for (fp, occ) in groups {
            let mut docs: Vec<u32> = occ.iter().map(|o| o.1).collect();
            docs.dedup();
            let first = occ[0].0;
            let text = occ[0].2.snippet.clone();
            let (documents, documents_bytes) = documents(docs.iter().map(|&s| name(s)));
            out.push((
                Rule::Boilerplate,
                first,
                Finding {
                    rule: Rule::Boilerplate,
                    status: Status::New,
                    fingerprint: fingerprint("boilerplate", [fp]),
                    message: format!(
                        "boilerplate in {} document{}: \"{text}\"",
                        docs.len(),
                        if docs.len() == 1 { "" } else { "s" }
                    ),
                    documents,
                    documents_bytes,
                    share: None,
                    locations: occ
                        .iter()
                        .take(MAX_LOCATIONS)
                        .map(|(_, s, r)| loc(name(*s), r, None))
                        .collect(),
                },
            ));
        }
    }
    out.sort_by(|x, y| (x.0, x.1, &x.2.fingerprint).cmp(&(y.0, y.1, &y.2.fingerprint)));
    let mut v: Vec<Finding> = out.into_iter().map(|(_, _, f)| f).collect();
    distinct(&mut v);
    v
}

/// A recorded finding of the baseline.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule: Rule,
    /// For people reading the file: the documents and message when it was recorded.
    #[serde(default)]
    pub documents: Vec<String>,
    #[serde(default)]
    pub message: String,
}

/// The accepted findings: `cyberdiff check --update-baseline` writes it, `check` compares with it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub schema_version: u32,
    pub tool: String,
    pub version: String,
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    /// A baseline of every current finding, sorted by fingerprint.
    pub fn of(findings: &[Finding]) -> Self {
        let mut v: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule,
                documents: f.documents.clone(),
                message: f.message.clone(),
            })
            .collect();
        v.sort_by(|a, b| (&a.fingerprint, a.rule).cmp(&(&b.fingerprint, b.rule)));
        v.dedup_by(|a, b| a.fingerprint == b.fingerprint && a.rule == b.rule);
        Baseline {
            schema_version: 1,
            tool: "cyberdiff".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            findings: v,
        }
    }

    /// Read a baseline; `Ok(None)` when the file does not exist.
    pub fn load(path: &Path) -> Result<Option<Self>, Error> {
        let text = match crate::corpus::read_side_file(path, "a baseline") {
            Ok(t) => t,
            Err(Error::Io { cause, .. }) if cause.kind() == std::io::ErrorKind::NotFound => {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let b: Baseline = serde_json::from_str(&text).map_err(|e| Error::Parse {
            path: path.to_path_buf(),
            line: e.line(),
            message: format!(
                "not a cyberdiff baseline ({e}); regenerate it with `cyberdiff check --update-baseline`"
            ),
        })?;
        if b.schema_version != 1 {
            return Err(Error::Parse {
                path: path.to_path_buf(),
                line: 1,
                message: format!(
                    "baseline schema version {}, this cyberdiff reads 1",
                    b.schema_version
                ),
            });
        }
        Ok(Some(b))
    }

    /// Write atomically (temporary file, fsync, rename).
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        use crate::report::json::{Durability, write_json_with};
        write_json_with(path, self, Durability::Durable)
    }
}

/// Findings marked new or baselined, and the baselined findings that are gone.
#[derive(Debug)]
pub struct Verdict {
    pub findings: Vec<Finding>,
    pub gone: Vec<BaselineEntry>,
    pub new: usize,
}

/// Compare findings with a baseline.
pub fn judge(mut findings: Vec<Finding>, baseline: Option<&Baseline>) -> Verdict {
    let known: BTreeSet<(&str, Rule)> = baseline
        .map(|b| {
            b.findings
                .iter()
                .map(|e| (e.fingerprint.as_str(), e.rule))
                .collect()
        })
        .unwrap_or_default();
    let mut seen: BTreeSet<(String, Rule)> = BTreeSet::new();
    let mut new = 0;
    for f in &mut findings {
        if known.contains(&(f.fingerprint.as_str(), f.rule)) {
            f.status = Status::Baselined;
        } else {
            new += 1;
        }
        seen.insert((f.fingerprint.clone(), f.rule));
    }
    let gone = baseline
        .map(|b| {
            b.findings
                .iter()
                .filter(|e| !seen.contains(&(e.fingerprint.clone(), e.rule)))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    Verdict {
        findings,
        gone,
        new,
    }
}

/// A stable hash of a byte string, hex (for manifests).
pub fn hash_hex(bytes: &[u8]) -> String {
    hex(xxh3_64(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(fp: &str, rule: Rule) -> Finding {
        Finding {
            rule,
            status: Status::New,
            fingerprint: fp.into(),
            message: String::new(),
            documents: vec![],
            documents_bytes: None,
            share: None,
            locations: vec![],
        }
    }

    #[test]
    fn judge_splits_new_baselined_and_gone() {
        let base = Baseline::of(&[f("aa", Rule::ReusedShare), f("bb", Rule::Duplicate)]);
        let v = judge(
            vec![f("aa", Rule::ReusedShare), f("cc", Rule::ReusedShare)],
            Some(&base),
        );
        assert_eq!(v.new, 1);
        assert_eq!(v.findings[0].status, Status::Baselined);
        assert_eq!(v.findings[1].status, Status::New);
        assert_eq!(v.gone.len(), 1);
        assert_eq!(v.gone[0].fingerprint, "bb");
        // Same fingerprint, other rule: not the same finding.
        let v = judge(vec![f("aa", Rule::Duplicate)], Some(&base));
        assert_eq!(v.new, 1);
    }

    #[test]
    fn equal_findings_are_counted_not_merged() {
        let mut v = vec![
            f("aa", Rule::Duplicate),
            f("aa", Rule::Duplicate),
            f("aa", Rule::ReusedShare),
            f("aa", Rule::Duplicate),
        ];
        distinct(&mut v);
        assert_eq!(v[0].fingerprint, "aa");
        assert_eq!(v[2].fingerprint, "aa", "another rule counts apart");
        assert!(v[1].fingerprint != "aa" && v[3].fingerprint != "aa");
        assert_ne!(v[1].fingerprint, v[3].fingerprint);
        let base = Baseline::of(&v[..2]);
        assert_eq!(judge(v, Some(&base)).new, 2);
    }

    #[test]
    fn fingerprints_ignore_order_and_repeats() {
        assert_eq!(fingerprint("x", [3, 1, 2]), fingerprint("x", [1, 2, 3, 3]));
        assert_ne!(fingerprint("x", [1]), fingerprint("y", [1]));
    }
}
