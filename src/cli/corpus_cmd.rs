//! `cyberdiff scan` and `cyberdiff dedup`: discovery, warnings for skipped inputs, the scan, reports.
//!
//! Exit codes: 0 success; 2 usage or input error (bad options, unreadable manifest, no usable document,
//! an output that cannot be written); 3 the run completed but some inputs were skipped, each named in a
//! warning on standard error.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::{CorpusArgs, DedupArgs, ScanArgs, emit_json, emit_rows, print_stdout, resolve};
use crate::Params;
use crate::corpus::{Corpus, CorpusDoc, ReadOptions, Skipped, WalkOptions};
use crate::report::InputInfo;
use crate::report::scan::ScanReport;
use crate::scan::{Progress, ScanOptions, ScanParams};

/// Exit code of a run that completed but skipped some inputs.
pub const EXIT_SKIPPED: i32 = 3;

fn warn_skipped(skipped: &[Skipped]) {
    for s in skipped {
        eprintln!(
            "cyberdiff: warning: {}: {}; skipped",
            crate::report::printable_line(&s.path),
            crate::report::printable_line(&s.reason)
        );
    }
}

/// The guard of a corpus command: its corpus and manifest as inputs (its outputs are added).
fn corpus_guard(args: &CorpusArgs) -> super::guard::Guard {
    let mut g = super::guard::Guard::new();
    g.corpus(&args.paths);
    if let Some(m) = &args.manifest {
        g.input("the manifest", m);
    }
    g
}

/// The corpus under `paths`, read once for a whole run ([`crate::corpus::read_corpus`]): a warning
/// for each manifest entry naming a missing file and each input skipped; refused when no document
/// is usable.
pub(super) fn read_corpus(
    paths: &[PathBuf],
    walk: &WalkOptions,
    manifest: Option<&Path>,
    read: &ReadOptions,
) -> Result<Corpus> {
    let corpus = crate::corpus::read_corpus(paths, walk, manifest, read)?;
    for (m, f) in &corpus.missing {
        eprintln!(
            "cyberdiff: warning: {} describes {f:?}, which does not exist",
            crate::report::printable_path(m)
        );
    }
    warn_skipped(&corpus.skipped);
    if corpus.docs.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        bail!(
            "no usable document in {}: give .txt, .md, .html, .htm or .jsonl files, or folders holding them",
            names.join(", ")
        );
    }
    Ok(corpus)
}

/// A corpus as big as a scan takes.
pub(super) fn check_scan_size(corpus: &Corpus) -> Result<()> {
    if corpus.docs.len() > crate::index::MAX_DOCS {
        bail!(
            "{} documents: a scan holds at most {}; scan the corpus in parts",
            corpus.docs.len(),
            crate::index::MAX_DOCS
        );
    }
    Ok(())
}

/// The corpus of `scan` or `dedup` and its inputs, with the files of `exclude` and `--exclude` left out.
fn load(
    args: &CorpusArgs,
    read: &ReadOptions,
    mut exclude: Vec<PathBuf>,
) -> Result<(Corpus, Vec<InputInfo>)> {
    exclude.extend(args.exclude.iter().cloned());
    let walk = WalkOptions {
        globs: args.glob.clone(),
        exclude,
        follow: args.follow,
    };
    let corpus = read_corpus(&args.paths, &walk, args.manifest.as_deref(), read)?;
    check_scan_size(&corpus)?;
    let inputs = corpus.inputs()?;
    Ok((corpus, inputs))
}

/// What a run of the scan's stages elsewhere (the Spark job, `python -m cyberdiff.spark`) takes from
/// `cyberdiff scan`'s arguments, resolved and checked as `scan` does.
#[derive(Clone, Debug)]
pub struct StageSettings {
    pub params: Params,
    pub scan: ScanParams,
    pub read: ReadOptions,
    /// `--json-summary`: the JSON without passage texts and word diffs.
    pub summary: bool,
    /// The paths given.
    pub paths: Vec<PathBuf>,
}

/// The settings of a scan of `n_docs` documents from `cyberdiff scan`'s arguments (`args` is what
/// follows `scan` on the command line). Options about finding files and writing reports (`--json`,
/// `--html`, `--manifest`, `--glob`, `--exclude`, `--follow`, `--site`) are refused: the caller
/// finds the documents and writes the JSON.
pub fn stage_settings(args: &[String], n_docs: usize) -> Result<StageSettings> {
    use clap::Parser;
    let argv = ["cyberdiff", "scan"]
        .into_iter()
        .map(str::to_owned)
        .chain(args.iter().cloned());
    let cli = super::Cli::try_parse_from(argv).map_err(|e| anyhow::anyhow!("{e}"))?;
    let super::Command::Scan(args) = cli.command else {
        unreachable!("the first argument is scan");
    };
    let c = &args.corpus;
    for (given, name) in [
        (args.json.is_some(), "--json"),
        (args.html.is_some(), "--html"),
        (args.site.is_some(), "--site"),
        (c.manifest.is_some(), "--manifest"),
        (!c.glob.is_empty(), "--glob"),
        (!c.exclude.is_empty(), "--exclude"),
        (c.follow, "--follow"),
    ] {
        if given {
            bail!("{name} is not supported here: give JSON Lines files or folders of them");
        }
    }
    let params = resolve::params(&args.align)?;
    let scan = scan_params(c, n_docs, args.min_cluster_docs)?;
    Ok(StageSettings {
        params,
        scan,
        read: resolve::read_options(&args.read),
        summary: args.json_summary,
        paths: c.paths.clone(),
    })
}

/// The scan's parameters from the command line, checked and resolved by [`ScanOptions::resolve`].
fn scan_params(args: &CorpusArgs, n_docs: usize, min_cluster_docs: usize) -> Result<ScanParams> {
    Ok(ScanOptions {
        min_shared: args.min_shared,
        max_df: args.max_df,
        boilerplate_min_docs: args.boilerplate_min_docs,
        duplicate_threshold: args.duplicate_threshold,
        min_cluster_docs,
    }
    .resolve(n_docs)?)
}

fn is_stdout(p: &Option<PathBuf>) -> bool {
    p.as_deref().is_some_and(|p| p.as_os_str() == "-")
}

pub(super) fn exit_code(skipped: &[Skipped]) -> i32 {
    if skipped.is_empty() {
        0
    } else {
        eprintln!(
            "cyberdiff: warning: {} input(s) skipped (exit code {EXIT_SKIPPED})",
            skipped.len()
        );
        EXIT_SKIPPED
    }
}

/// The folder of the pair pages of an HTML report `FILE`: `FILE`'s stem + "-pairs", beside it.
fn pairs_dir(html: &Path) -> (PathBuf, String) {
    let stem = html
        .file_stem()
        .map_or_else(|| "scan".to_owned(), |s| s.to_string_lossy().into_owned());
    let name = format!("{stem}-pairs");
    let dir = match html.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join(&name),
        _ => PathBuf::from(&name),
    };
    (dir, name)
}

pub fn scan(args: ScanArgs) -> Result<i32> {
    let started = Instant::now();
    let params = resolve::params(&args.align)?;
    let read = resolve::read_options(&args.read);
    if is_stdout(&args.html) {
        bail!(
            "--html - is not supported by scan: the report is a page plus one page per pair; give a file name"
        );
    }
    corpus_guard(&args.corpus)
        .output("--json", args.json.as_deref().unwrap_or(Path::new("-")))
        .output("--html", args.html.as_deref().unwrap_or(Path::new("-")))
        .check()?;
    if let Some(html) = &args.html {
        // The pair pages' folder is left out of the walk: it must not hold an input.
        let dir = super::guard::absolute(&pairs_dir(html).0);
        if let Some(p) = args
            .corpus
            .paths
            .iter()
            .find(|p| super::guard::absolute(p).starts_with(&dir))
        {
            bail!(
                "--html {} puts its pair pages in {}, which holds the input {}; write the page elsewhere",
                crate::report::printable_path(html),
                crate::report::printable_path(&pairs_dir(html).0),
                crate::report::printable_path(p)
            );
        }
    }
    // The run's outputs, and the folder of its pair pages, are never read as documents.
    let mut exclude: Vec<PathBuf> = [args.json.clone(), args.html.clone()]
        .into_iter()
        .flatten()
        .collect();
    exclude.extend(args.html.as_deref().map(|h| pairs_dir(h).0));
    let (corpus, inputs) = load(&args.corpus, &read, exclude)?;
    let mut sp = scan_params(&args.corpus, corpus.docs.len(), args.min_cluster_docs)?;
    // A summary JSON without pages needs no passage texts nor word diffs: they are never built.
    let passage_texts = !(args.json_summary && args.html.is_none());
    sp.word_diffs = passage_texts;
    let progress = Progress::new(!args.corpus.quiet && std::io::stderr().is_terminal());
    let report = crate::run::scan(&corpus, &params, &sp, inputs, passage_texts, &progress);
    let mut timings = crate::scan::Timings::new();
    if let Some(path) = &args.html {
        write_html(
            path,
            &report,
            &corpus.docs,
            args.html_pairs,
            args.site.as_deref(),
        )?;
    }
    let summary = (!args.corpus.quiet && !is_stdout(&args.json)).then(|| {
        crate::report::scan::render_terminal(&report, args.top, started.elapsed().as_secs_f64())
    });
    if let Some(path) = &args.json {
        if args.json_summary {
            emit_rows(path, &report.into_summary())?;
        } else {
            emit_json(path, &report)?;
        }
        timings.lap("json");
    }
    if let Some(summary) = summary {
        print_stdout(&summary)?;
    }
    Ok(exit_code(&corpus.skipped))
}

/// Write the HTML page of a scan report to `path` and the pages of its `html_pairs` pairs with the
/// most reused words beside it; `site` names the pages of a report folder it sits among.
pub(super) fn write_html(
    path: &Path,
    report: &ScanReport,
    docs: &[CorpusDoc],
    html_pairs: usize,
    site: Option<&str>,
) -> Result<()> {
    use crate::report::html::{CompareContext, DocMeta};
    use rayon::prelude::*;
    let (dir, rel) = pairs_dir(path);
    let linked = crate::report::scan::paged_pairs(report, html_pairs);
    let mut site = super::site_pages(site);
    if site.scan.is_none() {
        site.scan = path.file_name().map(|n| n.to_string_lossy().into_owned());
    }
    if linked.iter().any(|&l| l) {
        std::fs::create_dir_all(&dir).map_err(|cause| crate::Error::Write {
            path: dir.clone(),
            cause,
        })?;
    }
    let by_id: std::collections::HashMap<&str, &CorpusDoc> =
        docs.iter().map(|d| (d.doc.id.as_str(), d)).collect();
    let meta = |d: &CorpusDoc| DocMeta {
        title: d.title.clone(),
        source: d.source.clone(),
        note: d.note.clone(),
    };
    (0..report.pairs.len())
        .into_par_iter()
        .filter(|&i| linked[report.pairs[i].id])
        .try_for_each(|i| -> Result<()> {
            let p = &report.pairs[i];
            let cmp = report.compare_report(i);
            let (a, b) = (by_id[p.a.id.as_str()], by_id[p.b.id.as_str()]);
            let cx = CompareContext {
                site: site.clone(),
                in_scan: true,
                label: Some(format!("Pair {}", p.id)),
                meta: [meta(a), meta(b)],
            };
            let page = crate::report::html::render_compare_in(&cmp, &a.doc.text, &b.doc.text, &cx);
            crate::report::json::write_atomic(
                &dir.join(crate::report::scan::pair_page_name(p.id)),
                page.as_bytes(),
            )?;
            Ok(())
        })?;
    let page = crate::report::scan::render_html_in(report, &rel, &|id| linked[id], &site);
    crate::report::json::write_atomic(path, page.as_bytes())?;
    Ok(())
}

pub fn dedup(args: DedupArgs) -> Result<i32> {
    let params = resolve::dedup_params(&args.align)?;
    let read = resolve::read_options(&args.read);
    if let Some(out) = &args.out {
        check_out_dir(out, &args.corpus.paths)?;
    }
    let mut g = corpus_guard(&args.corpus);
    g.output("--json", args.json.as_deref().unwrap_or(Path::new("-")));
    if let Some(out) = &args.out {
        g.output("--out's removed.json", &out.join("removed.json"));
    }
    g.check()?;
    let exclude: Vec<PathBuf> = args.json.clone().into_iter().collect();
    let (corpus, inputs) = load(&args.corpus, &read, exclude)?;
    let sp = scan_params(&args.corpus, corpus.docs.len(), 2)?;
    let progress = Progress::new(!args.corpus.quiet && std::io::stderr().is_terminal());
    let scan = crate::scan::scan(&corpus.docs, &params, &sp, &progress);
    let (plan, mut report) =
        crate::run::dedup(&corpus, &scan, &params, sp, inputs, args.keep_paragraphs);
    drop(scan);
    if let Some(out) = &args.out {
        // Written whole or not at all: a failed run (a full disk) leaves no half folder to block
        // the next one.
        let staging = super::staging::Staging::new(out)?;
        report.written = write_out(&staging.dir, &args.corpus.paths, &corpus.docs, &plan)?;
        crate::report::json::write_json_atomic(&staging.dir.join("removed.json"), &report)?;
        staging.commit()?;
    }
    if let Some(path) = &args.json {
        emit_json(path, &report)?;
    }
    if !args.corpus.quiet && !is_stdout(&args.json) {
        print_stdout(&render_dedup(&report, args.out.as_deref()))?;
    }
    Ok(exit_code(&corpus.skipped))
}

fn render_dedup(r: &crate::dedup::DedupReport, out: Option<&Path>) -> String {
    use crate::report::printable_line as line;
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} documents: {} kept, {} removed as duplicates; {} repeated paragraphs",
        r.documents,
        r.kept,
        r.removed_documents.len(),
        r.repeated_paragraphs.len()
    );
    for d in &r.removed_documents {
        let _ = writeln!(
            s,
            "  remove {:<40} {:?} duplicate of {} ({:.1}% shared)",
            line(&d.id),
            d.kind,
            line(&d.duplicate_of),
            d.share * 100.0
        );
    }
    for p in r.repeated_paragraphs.iter().take(20) {
        let flat: String = p.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let short: String = line(&flat).chars().take(60).collect();
        let _ = writeln!(
            s,
            "  paragraph {} line {} repeats {} line {}: \"{}{}\"",
            line(&p.document),
            p.line,
            line(&p.first_document),
            p.first_line,
            short,
            if flat.chars().count() > 60 { "…" } else { "" }
        );
    }
    if r.repeated_paragraphs.len() > 20 {
        let _ = writeln!(
            s,
            "  … {} more paragraphs",
            r.repeated_paragraphs.len() - 20
        );
    }
    if let Some(out) = out {
        let _ = writeln!(
            s,
            "wrote {} files into {} (what was removed and why: removed.json)",
            r.written.len(),
            crate::report::printable_path(out)
        );
    }
    s
}

/// The output folder must be new or empty, and neither inside an input folder nor holding one.
fn check_out_dir(out: &Path, inputs: &[PathBuf]) -> Result<()> {
    if out.exists() {
        if !out.is_dir() {
            bail!(
                "--out {} is a file; give a new or empty folder",
                out.display()
            );
        }
        let mut entries =
            std::fs::read_dir(out).with_context(|| format!("reading {}", out.display()))?;
        if entries.next().is_some() {
            bail!(
                "--out {} is not empty; give a new or empty folder (dedup never overwrites files)",
                out.display()
            );
        }
    }
    // The folder may not exist yet: resolved from its nearest existing ancestor.
    let abs = super::guard::absolute;
    let o = abs(out);
    for i in inputs {
        let i = abs(i);
        if o.starts_with(&i) || i.starts_with(&o) {
            bail!(
                "--out {} overlaps the input {}; write the deduplicated corpus outside the inputs",
                out.display(),
                i.display()
            );
        }
    }
    Ok(())
}

/// Where a document file goes under `out`: relative to its input folder (under the folder's name when
/// there are several inputs), or by file name for a file given directly.
fn relative_target(path: &Path, roots: &[PathBuf]) -> PathBuf {
    let single_dir = roots.len() == 1 && roots[0].is_dir();
    for r in roots {
        if r.is_dir()
            && let Ok(rel) = path.strip_prefix(r)
        {
            if single_dir {
                return rel.to_path_buf();
            }
            let name = r
                .canonicalize()
                .ok()
                .and_then(|c| c.file_name().map(|n| n.to_owned()))
                .unwrap_or_else(|| "input".into());
            return Path::new(&name).join(rel);
        }
    }
    PathBuf::from(path.file_name().unwrap_or(path.as_os_str()))
}

fn write_out(
    out: &Path,
    roots: &[PathBuf],
    docs: &[CorpusDoc],
    plan: &crate::dedup::DedupPlan,
) -> Result<Vec<String>> {
    use std::collections::BTreeMap;
    let mut cuts: BTreeMap<usize, Vec<std::ops::Range<usize>>> = BTreeMap::new();
    for p in &plan.paragraphs {
        cuts.entry(p.doc).or_default().push(p.span.clone());
    }
    for v in cuts.values_mut() {
        v.sort_by_key(|r| r.start);
    }
    // Documents grouped by file (a JSON Lines file holds many).
    let mut by_file: BTreeMap<&Path, Vec<usize>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        by_file.entry(d.doc.path.as_path()).or_default().push(i);
    }
    let mut written = Vec::new();
    for (path, idxs) in by_file {
        let mut rel = relative_target(path, roots);
        let contents: Option<Vec<u8>> = if docs[idxs[0]].line.is_some() {
            Some(jsonl_without(path, docs, &idxs, plan, &cuts)?)
        } else {
            let i = idxs[0];
            if plan.is_removed(i) {
                None
            } else if let Some(c) = cuts.get(&i) {
                let html = rel.extension().is_some_and(|e| {
                    e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm")
                });
                if html {
                    // The paragraphs are those of the extracted text, which is written as text.
                    rel.set_extension("txt");
                }
                Some(crate::dedup::cut_paragraphs(&docs[i].doc.text, c).into_bytes())
            } else {
                Some(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?)
            }
        };
        let Some(bytes) = contents else { continue };
        let target = out.join(&rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|cause| crate::Error::Write {
                path: parent.to_path_buf(),
                cause,
            })?;
        }
        if target.exists() {
            bail!(
                "two inputs would both be written to {}; dedup them in separate runs",
                target.display()
            );
        }
        crate::report::json::write_atomic(&target, &bytes)?;
        written.push(rel.display().to_string());
    }
    written.sort();
    Ok(written)
}

/// A JSON Lines file without its removed records, and with repeated paragraphs cut from the `text` of
/// the others; lines that were not records are kept as they were.
fn jsonl_without(
    path: &Path,
    docs: &[CorpusDoc],
    idxs: &[usize],
    plan: &crate::dedup::DedupPlan,
    cuts: &std::collections::BTreeMap<usize, Vec<std::ops::Range<usize>>>,
) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let by_line: std::collections::HashMap<usize, usize> = idxs
        .iter()
        .filter_map(|&i| docs[i].line.map(|l| (l, i)))
        .collect();
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.lines().enumerate() {
        match by_line.get(&(n + 1)) {
            Some(&i) if plan.is_removed(i) => continue,
            Some(&i) if cuts.contains_key(&i) => {
                let mut v: serde_json::Value = serde_json::from_str(line)
                    .with_context(|| format!("re-reading {}:{}", path.display(), n + 1))?;
                v["text"] = serde_json::Value::String(crate::dedup::cut_paragraphs(
                    &docs[i].doc.text,
                    &cuts[&i],
                ));
                out.push_str(&serde_json::to_string(&v).expect("JSON values serialise"));
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    Ok(out.into_bytes())
}
