//! `cyberdiff check` (the CI gate) and `cyberdiff init` (a commented `cyberdiff.toml`).
//!
//! `check` resolves its settings (flags over `cyberdiff.toml` over defaults), finds the corpus, brings
//! the index cache up to date (reading only new or changed files: unchanged ones are recognised by
//! size and modification time, moved ones by content hash), computes the findings, compares them with
//! the baseline and writes the outputs. Exit codes: 0 the gate passed, 1 new findings, 2 error.
//!
//! With a statements file, the statements are tracked through the whole corpus (as `cyberdiff
//! track`) whenever the corpus or the statements changed: tracking weighs words by their frequency
//! over every document, so a new document can change any cell and only a full tracking gives the
//! findings of a full run. An unchanged rerun reuses the cached findings (`track.bin`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{ReadArgs, emit, print_stdout, resolve};
use crate::align::Params;
use crate::corpus::{CorpusDoc, CorpusManifest, Document, ReadOptions, WalkOptions, walk};
use crate::gate::state::{self, FileMeta, Settings, State};
use crate::gate::{self, Baseline, Status, Thresholds, Verdict, cache};
use crate::report::InputInfo;
use crate::track::{self, Statement};

/// The configuration file `check` reads by default.
pub const CONFIG_NAME: &str = "cyberdiff.toml";

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Terminal,
    Json,
    Sarif,
    Junit,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 the gate passed (no finding outside the baseline), 1 new findings (each named with its file and line), 2 usage, configuration or input error.\n\nSettings come from the flags, then cyberdiff.toml (--config; `cyberdiff init` writes a commented one), then the defaults."
)]
pub struct CheckArgs {
    /// Files, folders or globs ("corpus/**/*.md") of the corpus [default: `paths` in cyberdiff.toml].
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// The configuration file [default: ./cyberdiff.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The baseline of accepted findings [default: cyberdiff-baseline.json].
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings as the baseline (written atomically) and pass.
    #[arg(long)]
    pub update_baseline: bool,
    /// A document reusing at least this share of its words from earlier documents is a finding
    /// [default: 0.3].
    #[arg(long, value_name = "X")]
    pub reused_share: Option<f64>,
    /// Two documents sharing at least this share of their words are duplicates [default: 0.8].
    #[arg(long, value_name = "X")]
    pub duplicate_threshold: Option<f64>,
    /// Whether boilerplate texts are findings [default: true].
    #[arg(long, value_name = "BOOL")]
    pub boilerplate: Option<bool>,
    /// Smallest passage, in aligned words [default: 8].
    #[arg(long, value_name = "N")]
    pub min_words: Option<f64>,
    /// Smallest alignment score of a passage [default: 0.3].
    #[arg(long, value_name = "X")]
    pub min_score: Option<f64>,
    /// A pair of documents is aligned when it shares at least N distinct n-grams [default: 3].
    #[arg(long, value_name = "N")]
    pub min_shared: Option<usize>,
    /// N-grams in more than N documents are not used to find pairs [default: 100].
    #[arg(long, value_name = "N")]
    pub max_df: Option<usize>,
    /// Text made of n-grams in at least N documents is boilerplate [default: 10% of the documents,
    /// at least 5, at most --max-df + 1].
    #[arg(long, value_name = "N")]
    pub boilerplate_min_docs: Option<usize>,
    /// Only walk files matching GLOB ("!GLOB" excludes). Repeatable.
    #[arg(long, short = 'g', value_name = "GLOB")]
    pub glob: Vec<String>,
    /// A corpus manifest (TOML: [[document]] file, title, date, source).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Reference statements (TOML, as for `cyberdiff track`): a statement that appears, changes
    /// status or wording, or is dropped, against the previous document in date order, is a finding.
    #[arg(long, short, value_name = "FILE")]
    pub statements: Option<PathBuf>,
    /// Whether a tracked statement absent from a document, after the previous document had it, is a
    /// finding [default: true].
    #[arg(long, value_name = "BOOL")]
    pub statement_dropped: Option<bool>,
    /// The index cache folder [default: .cyberdiff].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the index cache: index the whole corpus.
    #[arg(long)]
    pub no_cache: bool,
    /// Output format [default: terminal].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Write the --format output to FILE instead of standard output (the terminal summary is still
    /// printed unless --quiet).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print only warnings, errors and new findings' count.
    #[arg(long, short)]
    pub quiet: bool,
    /// Enter links to folders while walking (links to document files are always read).
    #[arg(long)]
    pub follow: bool,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the configuration.
    #[arg(default_value = CONFIG_NAME, value_name = "FILE")]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// `cyberdiff.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    paths: Option<Vec<String>>,
    glob: Option<Vec<String>>,
    manifest: Option<String>,
    statements: Option<String>,
    baseline: Option<String>,
    cache: Option<String>,
    #[serde(default)]
    thresholds: ConfigThresholds,
    #[serde(default)]
    outputs: ConfigOutputs,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigThresholds {
    reused_share: Option<f64>,
    duplicate: Option<f64>,
    boilerplate: Option<bool>,
    statement_dropped: Option<bool>,
    min_words: Option<f64>,
    min_score: Option<f64>,
    min_shared: Option<usize>,
    max_df: Option<usize>,
    boilerplate_min_docs: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigOutputs {
    json: Option<String>,
    sarif: Option<String>,
    junit: Option<String>,
}

/// Everything `check` needs, resolved and validated.
struct Resolved {
    /// The configuration file read, if any.
    config: Option<PathBuf>,
    /// Whether the baseline was named (flag or configuration) rather than the default.
    baseline_named: bool,
    follow: bool,
    paths: Vec<String>,
    globs: Vec<String>,
    manifest: Option<PathBuf>,
    statements: Option<PathBuf>,
    baseline: PathBuf,
    cache: Option<PathBuf>,
    thresholds: Thresholds,
    settings: Settings,
    read: ReadOptions,
    outputs: Vec<(Format, Option<PathBuf>)>,
}

fn share(name: &str, x: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&x) {
        bail!("{name} must be between 0 and 1, got {x}");
    }
    Ok(x)
}

/// Parse the text of a `cyberdiff.toml`; `path` names it in errors, with the line at fault.
fn parse_config(path: &Path, text: &str) -> Result<Config, crate::Error> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| {
            text.get(..s.start).unwrap_or(text).matches('\n').count() + 1
        });
        crate::Error::Parse {
            path: path.to_path_buf(),
            line,
            message: e.message().to_owned(),
        }
    })
}

/// Whether `text` parses as a `cyberdiff.toml` (the fuzz target's entry point: the parse step of
/// `check`, before values are validated).
#[doc(hidden)]
pub fn check_config_text(path: &Path, text: &str) -> Result<(), crate::Error> {
    parse_config(path, text).map(drop)
}

fn resolve_args(args: &CheckArgs) -> Result<Resolved> {
    let mut config_path: Option<PathBuf> = None;
    let (config, base): (Config, PathBuf) = {
        let path = match &args.config {
            Some(p) => Some(p.clone()),
            None => Some(PathBuf::from(CONFIG_NAME)).filter(|p| p.is_file()),
        };
        match path {
            Some(p) => {
                let text =
                    crate::corpus::read_side_file(&p, "a configuration").with_context(|| {
                        format!("reading {} (write one with `cyberdiff init`)", p.display())
                    })?;
                let c = parse_config(&p, &text)?;
                let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
                config_path = Some(p);
                (c, dir)
            }
            None => (Config::default(), PathBuf::new()),
        }
    };
    let rel = |s: &str| -> PathBuf {
        let p = Path::new(s);
        if p.is_absolute() || base.as_os_str().is_empty() {
            p.to_path_buf()
        } else {
            base.join(p)
        }
    };
    let paths: Vec<String> = if !args.paths.is_empty() {
        args.paths.clone()
    } else {
        config
            .paths
            .iter()
            .flatten()
            .map(|s| rel(s).display().to_string())
            .collect()
    };
    if paths.is_empty() {
        bail!(
            "no corpus to check: give PATHs, or set `paths` in {CONFIG_NAME} (`cyberdiff init` writes one)"
        );
    }
    let t = &config.thresholds;
    // Where a threshold came from, for its error: the flag, or the key in the configuration file.
    let origin = |flag: bool, key: &str| match (&config_path, flag) {
        (Some(p), false) => format!("thresholds.{key} in {}", p.display()),
        _ => format!("--{}", key.replace('_', "-")),
    };
    // As `scan` (whose findings the gate must match): the reworded tier is off in corpus mode.
    let mut align = Params {
        reworded: false,
        ..Params::default()
    };
    if let Some(x) = args.min_words.or(t.min_words) {
        if !(x >= 1.0 && x.is_finite()) {
            bail!(
                "{} must be at least 1, got {x}",
                origin(args.min_words.is_some(), "min_words")
            );
        }
        align.min_words = x;
    }
    if let Some(x) = args.min_score.or(t.min_score) {
        align.min_score = share(&origin(args.min_score.is_some(), "min_score"), x)?;
    }
    let min_shared = args.min_shared.or(t.min_shared).unwrap_or(3);
    if min_shared == 0 {
        bail!(
            "{} must be at least 1",
            origin(args.min_shared.is_some(), "min_shared")
        );
    }
    let max_df = args.max_df.or(t.max_df).unwrap_or(100);
    if max_df < 2 {
        bail!(
            "{} must be at least 2, got {max_df}",
            origin(args.max_df.is_some(), "max_df")
        );
    }
    let bmd = args.boilerplate_min_docs.or(t.boilerplate_min_docs);
    if bmd.is_some_and(|n| n < 2) {
        bail!(
            "{} must be at least 2",
            origin(args.boilerplate_min_docs.is_some(), "boilerplate_min_docs")
        );
    }
    let read = resolve::read_options(&args.read);
    let thresholds = Thresholds {
        reused_share: share(
            &origin(args.reused_share.is_some(), "reused_share"),
            args.reused_share.or(t.reused_share).unwrap_or(0.3),
        )?,
        duplicate: share(
            &match (&config_path, args.duplicate_threshold.is_some()) {
                (Some(p), false) => format!("thresholds.duplicate in {}", p.display()),
                _ => "--duplicate-threshold".to_owned(),
            },
            args.duplicate_threshold.or(t.duplicate).unwrap_or(0.8),
        )?,
        boilerplate: args.boilerplate.or(t.boilerplate).unwrap_or(true),
        statement_dropped: args
            .statement_dropped
            .or(t.statement_dropped)
            .unwrap_or(true),
    };
    let mut outputs: Vec<(Format, Option<PathBuf>)> = Vec::new();
    for (fmt, file) in [
        (Format::Json, &config.outputs.json),
        (Format::Sarif, &config.outputs.sarif),
        (Format::Junit, &config.outputs.junit),
    ] {
        if let Some(f) = file {
            outputs.push((fmt, Some(rel(f))));
        }
    }
    let format = args.format.unwrap_or(Format::Terminal);
    if format != Format::Terminal || args.output.is_some() {
        outputs.retain(|(f, _)| *f != format);
        outputs.push((format, args.output.clone()));
    }
    let cache = if args.no_cache {
        None
    } else {
        Some(
            args.cache_dir
                .clone()
                .unwrap_or_else(|| rel(config.cache.as_deref().unwrap_or(".cyberdiff"))),
        )
    };
    let link_share = thresholds.duplicate;
    Ok(Resolved {
        config: config_path.clone(),
        baseline_named: args.baseline.is_some() || config.baseline.is_some(),
        follow: args.follow,
        paths,
        globs: if args.glob.is_empty() {
            config.glob.clone().unwrap_or_default()
        } else {
            args.glob.clone()
        },
        manifest: args
            .manifest
            .clone()
            .or_else(|| config.manifest.as_deref().map(rel)),
        statements: args
            .statements
            .clone()
            .or_else(|| config.statements.as_deref().map(rel)),
        baseline: args.baseline.clone().unwrap_or_else(|| {
            rel(config
                .baseline
                .as_deref()
                .unwrap_or("cyberdiff-baseline.json"))
        }),
        cache,
        thresholds,
        settings: Settings {
            params: align,
            min_shared,
            max_df,
            boilerplate_min_docs: bmd,
            link_share,
            lossy: read.lossy,
            max_bytes: read.max_bytes,
        },
        read,
        outputs,
    })
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// The folder a glob path walks ("corpus/**/*.md" walks "corpus"), or the path itself.
fn walk_root(p: &str) -> PathBuf {
    if !has_glob(p) {
        return PathBuf::from(p);
    }
    let comps: Vec<&str> = p.split('/').collect();
    let cut = comps.iter().position(|c| has_glob(c)).unwrap_or(0);
    if cut == 0 {
        PathBuf::from(".")
    } else {
        PathBuf::from(comps[..cut].join("/"))
    }
}

/// Refuse an output of `check` that is one of its inputs or another of its outputs.
fn guard(r: &Resolved, args: &CheckArgs) -> Result<()> {
    let mut g = super::guard::Guard::new();
    let roots: Vec<PathBuf> = r.paths.iter().map(|p| walk_root(p)).collect();
    g.corpus(&roots);
    if let Some(c) = &r.config {
        g.input("the configuration", c);
    }
    if let Some(s) = &r.statements {
        g.input("the statements file", s);
    }
    if let Some(m) = &r.manifest {
        g.input("the manifest", m);
    }
    if args.update_baseline {
        g.output("the baseline (--update-baseline)", &r.baseline);
    } else {
        g.input("the baseline", &r.baseline);
    }
    for (fmt, path) in &r.outputs {
        let Some(p) = path else { continue };
        let role = if args.output.as_ref() == Some(p) {
            "--output".to_owned()
        } else {
            let key = match fmt {
                Format::Json => "json",
                Format::Sarif => "sarif",
                Format::Junit => "junit",
                Format::Terminal => "terminal",
            };
            match &r.config {
                Some(c) => format!("outputs.{key} in {}", crate::report::printable_path(c)),
                None => format!("outputs.{key}"),
            }
        };
        g.output(role, p);
    }
    if let Some(dir) = &r.cache {
        for f in [
            cache::state_path(dir),
            cache::postings_path(dir),
            cache::track_path(dir),
        ] {
            g.output("the index cache", &f);
        }
    }
    g.check()
}

/// Every document file of the corpus (sorted), with what could not be walked.
fn discover(r: &Resolved, exclude: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut plain: Vec<PathBuf> = Vec::new();
    let mut walks = 0;
    for p in &r.paths {
        if !has_glob(p) {
            plain.push(PathBuf::from(p));
            continue;
        }
        // "corpus/**/*.md": walk the part before the first glob component with the rest as a glob.
        let comps: Vec<&str> = p.split('/').collect();
        let cut = comps.iter().position(|c| has_glob(c)).unwrap_or(0);
        let root = if cut == 0 {
            ".".to_owned()
        } else {
            comps[..cut].join("/")
        };
        let mut globs = vec![comps[cut..].join("/")];
        globs.extend(r.globs.iter().filter(|g| g.starts_with('!')).cloned());
        let (f, s) = walk::discover(
            &[PathBuf::from(&root)],
            &WalkOptions {
                globs,
                exclude: exclude.to_vec(),
                follow: r.follow,
            },
        )?;
        walks += 1;
        files.extend(f.into_iter().map(|f| {
            if cut == 0 {
                f.strip_prefix(".").map(Path::to_path_buf).unwrap_or(f)
            } else {
                f
            }
        }));
        skipped.extend(s);
    }
    if !plain.is_empty() {
        let (f, s) = walk::discover(
            &plain,
            &WalkOptions {
                globs: r.globs.clone(),
                exclude: exclude.to_vec(),
                follow: r.follow,
            },
        )?;
        walks += 1;
        files.extend(f);
        skipped.extend(s);
    }
    for s in &skipped {
        eprintln!(
            "cyberdiff: warning: {}: {}; skipped",
            crate::report::printable_line(&s.path),
            crate::report::printable_line(&s.reason)
        );
    }
    // Each walk gives its files sorted and without repeats: sort only what several walks gave.
    if walks > 1 {
        if !files.is_sorted() {
            files.sort();
        }
        files.dedup();
    }
    Ok(files)
}

/// A hash of the manifests that describe the corpus (explicit, and `corpus.toml` beside the files).
fn manifests_hash(explicit: Option<&Path>, files: &[PathBuf]) -> u64 {
    let mut dirs: Vec<&Path> = files
        .iter()
        .map(|f| f.parent().unwrap_or(Path::new("")))
        .collect();
    dirs.dedup();
    dirs.sort();
    dirs.dedup();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut add = |p: &Path| {
        if let Ok(bytes) = std::fs::read(p) {
            h.update(p.to_string_lossy().as_bytes());
            h.update(&xxhash_rust::xxh3::xxh3_64(&bytes).to_le_bytes());
        }
    };
    if let Some(p) = explicit {
        add(p);
    }
    for d in dirs {
        add(&d.join(crate::corpus::manifest::MANIFEST_NAME));
    }
    h.digest()
}

/// How the index was brought up to date.
#[derive(Debug, Serialize)]
struct CacheInfo {
    /// "off", "built", "unchanged", "incremental" or "rebuilt".
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    documents: usize,
    /// Documents read and tokenised in this run.
    documents_read: usize,
    /// With a statements file: "tracked" (the statements were tracked through the corpus) or
    /// "unchanged" (nothing changed since the last run: its findings were reused).
    #[serde(skip_serializing_if = "Option::is_none")]
    statements: Option<&'static str>,
}

fn load_docs(
    files: &[PathBuf],
    manifest: Option<&Path>,
    read: &ReadOptions,
) -> Result<(Vec<CorpusDoc>, Vec<FileMeta>)> {
    let m = CorpusManifest::load(manifest, files)?;
    // Stat before reading: a file changed between the two then has newer times than those recorded
    // with its (older) content, and is read again on the next run. Stat after reading would record
    // the new times with the old content, and miss the change.
    let before: HashMap<&Path, FileMeta> = files
        .par_iter()
        .filter_map(|f| Some((f.as_path(), FileMeta::of(f)?)))
        .collect();
    let (docs, skipped) = walk::load(files, &m, read);
    for s in &skipped {
        eprintln!(
            "cyberdiff: warning: {}: {}; skipped",
            crate::report::printable_line(&s.path),
            crate::report::printable_line(&s.reason)
        );
    }
    let metas = docs
        .iter()
        .map(|d| {
            before
                .get(d.doc.path.as_path())
                .copied()
                .unwrap_or_default()
        })
        .collect();
    Ok((docs, metas))
}

fn new_base_id() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    xxhash_rust::xxh3::xxh3_64(format!("{t}:{}", std::process::id()).as_bytes())
}

/// What a rerun has to do, found by comparing the files with the cached documents.
enum Plan {
    /// Unchanged files; `touched` ones had a new modification time but the same content.
    Update {
        new: Vec<CorpusDoc>,
        new_metas: Vec<FileMeta>,
        touched: bool,
    },
    Rebuild(String),
}

fn plan(
    state: &mut State,
    written: u64,
    files: &[PathBuf],
    metas: &[Option<FileMeta>],
    r: &Resolved,
) -> Result<Plan> {
    // Fx hashing and borrowed keys: this map is built and probed once per file on every run. It
    // maps a path to its first slot; `next` chains the further slots of a path (the records of a
    // JSON Lines file), so that a plain file costs no allocation of its own.
    const END: usize = usize::MAX;
    let mut by_path: rustc_hash::FxHashMap<&Path, usize> = rustc_hash::FxHashMap::default();
    by_path.reserve(state.docs.len());
    let mut next = vec![END; state.docs.len()];
    for (i, d) in state.docs.iter().enumerate().rev() {
        if let Some(later) = by_path.insert(d.path.as_path(), i) {
            next[i] = later;
        }
    }
    let slots_of =
        |first: usize| std::iter::successors(Some(first), |&s| Some(next[s]).filter(|&n| n != END));
    let mut seen = vec![false; state.docs.len()];
    let mut changed: Vec<PathBuf> = Vec::new();
    // The changed files that are in the state, with their (first) slot.
    let mut known: HashMap<PathBuf, usize> = HashMap::new();
    for (f, &meta) in files.iter().zip(metas) {
        match by_path.get(f.as_path()) {
            Some(&first) => {
                for s in slots_of(first) {
                    seen[s] = true;
                }
                if meta.is_none_or(|m| {
                    m.is_racy(written) || slots_of(first).any(|s| state.docs[s].meta != m)
                }) {
                    changed.push(f.clone());
                    known.insert(f.clone(), first);
                }
            }
            None => changed.push(f.clone()),
        }
    }
    drop(by_path);
    if changed.is_empty() {
        if let Some(s) = seen.iter().position(|x| !x) {
            return Ok(Plan::Rebuild(format!(
                "{} was removed",
                shown(&state.docs[s].path)
            )));
        }
        return Ok(Plan::Update {
            new: Vec::new(),
            new_metas: Vec::new(),
            touched: false,
        });
    }
    if let Some(f) = changed.iter().find(|f| crate::corpus::walk::is_jsonl(f)) {
        return Ok(Plan::Rebuild(format!("{} changed", shown(f))));
    }
    let (docs, metas) = load_docs(&changed, r.manifest.as_deref(), &r.read)?;
    let mut vanished: HashMap<u64, Vec<usize>> = HashMap::new();
    for (s, d) in state.docs.iter().enumerate() {
        if !seen[s] && d.line.is_none() {
            vanished.entry(d.file_hash).or_default().push(s);
        }
    }
    let mut new = Vec::new();
    let mut new_metas = Vec::new();
    let mut touched = false;
    let mut moved = false;
    for (d, m) in docs.into_iter().zip(metas) {
        let hash = u64::from_str_radix(&d.doc.hash, 16).unwrap_or(0);
        if let Some(&s) = known.get(&d.doc.path) {
            if state.docs[s].file_hash != hash {
                return Ok(Plan::Rebuild(format!("{} changed", shown(&d.doc.path))));
            }
            // The same content under a new modification time.
            state.docs[s].meta = m;
            touched = true;
        } else if let Some(s) = vanished.get_mut(&hash).and_then(Vec::pop) {
            // Moved or renamed: same content, new path (and maybe a new id and date).
            let e = &mut state.docs[s];
            e.path = d.doc.path.clone();
            e.id = d.doc.id.clone();
            e.date = d.doc.date.clone();
            e.meta = m;
            seen[s] = true;
            touched = true;
            moved = true;
        } else {
            new.push(d);
            new_metas.push(m);
        }
    }
    if let Some(s) = seen.iter().position(|x| !x) {
        return Ok(Plan::Rebuild(format!(
            "{} was removed",
            shown(&state.docs[s].path)
        )));
    }
    // Ids must stay unique, as a full load makes them.
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for id in state
        .docs
        .iter()
        .map(|d| d.id.as_str())
        .chain(new.iter().map(|d| d.doc.id.as_str()))
    {
        *ids.entry(id).or_default() += 1;
    }
    if let Some((id, _)) = ids.iter().find(|(_, n)| **n > 1) {
        return Ok(Plan::Rebuild(format!("two documents are now named {id}")));
    }
    if moved {
        state.orient();
    }
    Ok(Plan::Update {
        new,
        new_metas,
        touched,
    })
}

/// A path in a message: [`crate::report::path_shown`].
fn shown(p: &Path) -> String {
    crate::report::path_shown(p)
}

fn read_old(read: ReadOptions) -> impl Fn(&state::DocEntry) -> Result<String, String> + Sync {
    move |d: &state::DocEntry| {
        let path = d.path.as_path();
        let text = match d.line {
            Some(line) => crate::corpus::jsonl::read_jsonl(path, &read)
                .0
                .into_iter()
                .find(|x| x.line == Some(line as usize))
                .map(|x| x.doc.text)
                .ok_or_else(|| format!("{}:{line} is gone", shown(path)))?,
            None => {
                crate::corpus::read_document(path, &read)
                    .map_err(|e| e.to_string())?
                    .text
            }
        };
        if xxhash_rust::xxh3::xxh3_64(text.as_bytes()) != d.text_hash {
            return Err(format!("{} changed while it was read", shown(path)));
        }
        Ok(text)
    }
}

/// A state brought up to date, how, and (with `keep_texts`, after a full build) every document's
/// text by slot.
struct Indexed {
    state: State,
    info: CacheInfo,
    texts: Option<Vec<String>>,
    /// `state.bin` still to be written for this state (after an incremental update), which the
    /// caller does beside computing the findings.
    pending: Option<PendingState>,
}

/// A `state.bin` to write: the state's folder, its delta postings, settings hash and base id.
struct PendingState {
    dir: PathBuf,
    delta: Vec<u64>,
    settings_hash: u64,
    base_id: u64,
    /// The buffer the old `state.bin` was read into.
    buf: Vec<u8>,
}

impl PendingState {
    fn write(self, state: &State) -> Result<(), crate::Error> {
        cache::write_state(
            self.buf,
            &self.dir,
            state,
            &self.delta,
            self.settings_hash,
            self.base_id,
        )
    }
}

/// A cache that could not be written (a read-only or full disk, a folder in a file's place) costs
/// the next run a rebuild, not this run its verdict: a warning, and the run goes on.
fn warn_unsaved(saved: Result<(), crate::Error>) {
    if let Err(e) = saved {
        eprintln!(
            "cyberdiff: warning: the index cache was not saved ({}); the verdict is not affected, the next run indexes again",
            crate::report::printable_line(&e.to_string())
        );
    }
}

/// Bring the state up to date; gives it and how.
/// `metas` are the files' metadata (taken before anything is read) and `cached` the cache as read
/// beside the walk, when there is a cache folder.
fn index(
    r: &Resolved,
    files: &[PathBuf],
    metas: &[Option<FileMeta>],
    cached: Option<Result<Option<cache::Unchecked>, cache::Invalid>>,
    keep_texts: bool,
    timings: &mut crate::scan::Timings,
) -> Result<Indexed> {
    let settings_hash = {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&r.settings.hash().to_le_bytes());
        h.update(&manifests_hash(r.manifest.as_deref(), files).to_le_bytes());
        h.digest()
    };
    let full =
        |memo: &state::Memo, status: &'static str, reason: Option<String>| -> Result<Indexed> {
            let (docs, metas) = load_docs(files, r.manifest.as_deref(), &r.read)?;
            check_docs(&docs, &r.paths)?;
            let (st, postings) = state::build(&docs, &metas, &r.settings, memo);
            if let Some(dir) = &r.cache {
                let saved = std::fs::create_dir_all(dir)
                    .map_err(|cause| crate::Error::Write {
                        path: dir.clone(),
                        cause,
                    })
                    .and_then(|()| {
                        let id = new_base_id();
                        cache::write_postings(dir, &postings, id)?;
                        cache::write_state(Vec::new(), dir, &st, &[], settings_hash, id)
                    });
                warn_unsaved(saved);
            }
            let n = st.docs.len();
            Ok(Indexed {
                state: st,
                info: CacheInfo {
                    status,
                    reason,
                    documents: n,
                    documents_read: n,
                    statements: None,
                },
                texts: keep_texts.then(|| docs.into_iter().map(|d| d.doc.text).collect()),
                pending: None,
            })
        };
    let (Some(dir), Some(cached)) = (&r.cache, cached) else {
        return full(&state::Memo::new(), "off", None);
    };
    timings.lap("settings and manifests");
    let loaded = match cached.and_then(|c| c.map(|u| u.check(settings_hash)).transpose()) {
        Ok(Some(l)) => Some(l),
        Ok(None) => None,
        Err(cache::Invalid(why)) => {
            eprintln!(
                "cyberdiff: warning: index cache not used and rebuilt: {}",
                crate::report::printable_line(&why)
            );
            None
        }
    };
    let Some(mut l) = loaded else {
        return full(&state::Memo::new(), "built", None);
    };
    let rebuild =
        |why: String, old: &State| -> Result<Indexed> { full(&old.memo(), "rebuilt", Some(why)) };
    timings.lap("load cache");
    let planned = plan(&mut l.state, l.written, files, metas, r)?;
    timings.lap("plan (stat)");
    match planned {
        Plan::Rebuild(why) => rebuild(why, &l.state),
        Plan::Update {
            new,
            new_metas,
            touched,
        } => {
            if new.is_empty() {
                let pending = touched.then(|| PendingState {
                    dir: dir.clone(),
                    delta: l.delta,
                    settings_hash,
                    base_id: l.base.id,
                    buf: l.buf,
                });
                let n = l.state.docs.len();
                return Ok(Indexed {
                    state: l.state,
                    info: CacheInfo {
                        status: "unchanged",
                        reason: None,
                        documents: n,
                        documents_read: 0,
                        statements: None,
                    },
                    texts: None,
                    pending,
                });
            }
            // Updated in place, not cloned: when `add` fails it has only dropped pairs, so the
            // alignments left are still right for their two texts and the rebuild reuses them.
            let mut st = l.state;
            let reader = read_old(r.read);
            let mut lookup = cache::Postings {
                base: &l.base,
                delta: &l.delta,
            };
            let added = state::add(&mut st, &mut lookup, &new, &new_metas, &r.settings, &reader);
            timings.lap("add");
            match added {
                Err(why) => rebuild(why, &st),
                Ok(added) => {
                    let mut delta = l.delta;
                    delta.extend_from_slice(&added.postings);
                    delta.sort_unstable();
                    let pending = if delta.len() as u64 > l.base.count / 16 + 4096 {
                        // Fold the delta into a new base file.
                        let mut all = l.base.all().map_err(anyhow::Error::msg)?;
                        all.extend_from_slice(&delta);
                        all.sort_unstable();
                        let id = new_base_id();
                        warn_unsaved(cache::write_postings(dir, &all, id).and_then(|()| {
                            cache::write_state(l.buf, dir, &st, &[], settings_hash, id)
                        }));
                        timings.lap("write cache");
                        None
                    } else {
                        Some(PendingState {
                            dir: dir.clone(),
                            delta,
                            settings_hash,
                            base_id: l.base.id,
                            buf: l.buf,
                        })
                    };
                    let n = st.docs.len();
                    Ok(Indexed {
                        state: st,
                        info: CacheInfo {
                            status: "incremental",
                            reason: None,
                            documents: n,
                            documents_read: new.len() + added.reread,
                            statements: None,
                        },
                        texts: None,
                        pending,
                    })
                }
            }
        }
    }
}

/// A statements file, parsed, and the xxh3 of its bytes.
fn load_statements(path: &Path) -> Result<(Vec<Statement>, u64)> {
    // Bounded like every side file (as `track` reads statements); the bytes are kept for the hash.
    let bytes = crate::corpus::read_bounded_as(
        path,
        crate::corpus::SIDE_FILE_MAX_BYTES,
        "a statements file",
    )?;
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    let text = crate::corpus::decode(path, bytes, false)?;
    Ok((track::parse_statements(path, &text)?, hash))
}

/// What the statement findings are computed from: the statements, the matcher's settings and every
/// document as tracked (path, record line, id, date, text).
fn track_key(statements_hash: u64, dropped: bool, state: &State) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&statements_hash.to_le_bytes());
    h.update(format!("{:?} {dropped}", track::MatchParams::default()).as_bytes());
    for s in state.order() {
        let d = &state.docs[s as usize];
        h.update(d.path.as_os_str().as_encoded_bytes());
        h.update(&[0]);
        for part in [d.id.as_str(), d.date.as_deref().unwrap_or("-")] {
            h.update(part.as_bytes());
            h.update(&[0]);
        }
        h.update(&d.line.unwrap_or(0).to_le_bytes());
        h.update(&d.text_hash.to_le_bytes());
    }
    h.digest()
}

/// Every document's text by slot, each verified against the state's text hash (a JSON Lines file is
/// read once for all its records).
fn read_all(state: &State, read: ReadOptions) -> Result<Vec<String>> {
    let mut jsonl: Vec<&Path> = state
        .docs
        .iter()
        .filter(|d| d.line.is_some())
        .map(|d| d.path.as_path())
        .collect();
    jsonl.sort_unstable();
    jsonl.dedup();
    let records: HashMap<(&Path, u32), String> = jsonl
        .par_iter()
        .flat_map_iter(|&p| {
            crate::corpus::jsonl::read_jsonl(p, &read)
                .0
                .into_iter()
                .filter_map(move |x| Some(((p, x.line? as u32), x.doc.text)))
        })
        .collect();
    let reader = read_old(read);
    state
        .docs
        .par_iter()
        .map(|d| {
            let text = match d.line {
                None => reader(d).map_err(anyhow::Error::msg)?,
                Some(line) => records
                    .get(&(d.path.as_path(), line))
                    .filter(|t| xxhash_rust::xxh3::xxh3_64(t.as_bytes()) == d.text_hash)
                    .cloned()
                    .with_context(|| {
                        format!("{}:{line} changed while it was read", shown(&d.path))
                    })?,
            };
            Ok(text)
        })
        .collect::<Result<Vec<String>>>()
        .context("reading the corpus to track the statements (run check again)")
}

/// The statement-status findings: reused from the cache when nothing changed, else tracked through
/// every document (`texts` by slot when a full build has them).
fn statement_findings(
    r: &Resolved,
    (statements, statements_hash): &(Vec<Statement>, u64),
    state: &State,
    texts: Option<Vec<String>>,
    info: &mut CacheInfo,
) -> Result<Vec<gate::Finding>> {
    let dropped = r.thresholds.statement_dropped;
    let key = track_key(*statements_hash, dropped, state);
    if let Some(dir) = &r.cache {
        match cache::load_tracked(dir, key) {
            Ok(Some(found)) => {
                info.statements = Some("unchanged");
                return Ok(found);
            }
            Ok(None) => {}
            Err(cache::Invalid(why)) => {
                eprintln!(
                    "cyberdiff: warning: statement cache not used and rebuilt: {}",
                    crate::report::printable_line(&why)
                );
            }
        }
    }
    let texts = match texts {
        Some(t) => t,
        None => {
            info.documents_read = state.docs.len();
            read_all(state, r.read)?
        }
    };
    let docs: Vec<Document> = state
        .docs
        .iter()
        .zip(texts)
        .map(|(d, text)| Document {
            id: d.id.clone(),
            path: PathBuf::from(&d.path),
            date: d.date.clone(),
            text,
            bytes: d.meta.size,
            hash: format!("{:016x}", d.file_hash),
        })
        .collect();
    let found = gate::statements::check(statements, &docs, dropped);
    if let Some(dir) = &r.cache {
        warn_unsaved(cache::write_tracked(dir, key, &found));
    }
    info.statements = Some("tracked");
    Ok(found)
}

fn check_docs(docs: &[CorpusDoc], paths: &[String]) -> Result<()> {
    if docs.is_empty() {
        bail!(
            "no usable document in {}: give .txt, .md, .html, .htm or .jsonl files, or folders holding them",
            paths.join(", ")
        );
    }
    if docs.len() > state::MAX_DOCS {
        bail!(
            "{} documents: check holds at most {}",
            docs.len(),
            state::MAX_DOCS
        );
    }
    Ok(())
}

/// The JSON report of `check` (schema version 1).
#[derive(Serialize)]
struct CheckReport<'a> {
    schema_version: u32,
    command: &'static str,
    manifest: CheckManifest<'a>,
    result: &'static str,
    summary: Summary,
    cache: &'a CacheInfo,
    findings: &'a [gate::Finding],
    gone: &'a [gate::BaselineEntry],
}

#[derive(Serialize)]
struct CheckManifest<'a> {
    tool: &'static str,
    version: &'static str,
    parameters: &'a Params,
    check: CheckParams<'a>,
    inputs: Vec<InputInfo>,
}

/// An input as [`InputInfo`] serialises it, borrowing its path from the state (10,000 paths are not
/// copied for one report).
#[derive(Serialize)]
struct CheckParams<'a> {
    thresholds: &'a Thresholds,
    min_shared: usize,
    max_df: usize,
    boilerplate_min_docs: usize,
    baseline: String,
    /// The statements file tracked, with its size and xxh3.
    #[serde(skip_serializing_if = "Option::is_none")]
    statements: Option<InputInfo>,
}

#[derive(Serialize)]
struct Summary {
    documents: usize,
    findings: usize,
    new: usize,
    baselined: usize,
    gone: usize,
}

fn render_terminal(v: &Verdict, docs: usize, cache: &CacheInfo, baseline: &Path) -> String {
    use std::fmt::Write as _;
    // File names, ids and statements reach these lines: each is shown on one line, so that a name
    // holding "\nPASS: " cannot print a line of its own.
    use crate::report::printable_line as line;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "cyberdiff check: {docs} documents ({} read), {} findings: {} new, {} baselined; {} gone from the baseline",
        cache.documents_read,
        v.findings.len(),
        v.new,
        v.findings.len() - v.new,
        v.gone.len()
    );
    for f in v.findings.iter().filter(|f| f.status == Status::New) {
        let _ = writeln!(
            s,
            "\nNEW {} {}: {}",
            f.rule.id(),
            f.fingerprint,
            line(&f.message)
        );
        for l in f.locations.iter().take(10) {
            let _ = write!(s, "  {}:{}:{}", line(l.shown_path()), l.line, l.column);
            if !l.text.is_empty() {
                let _ = write!(s, "  \"{}\"", line(&l.text));
            }
            if let Some(src) = &l.source {
                let _ = write!(s, "  <- {}:{}", line(src.shown_path()), src.line);
            }
            s.push('\n');
        }
        if f.locations.len() > 10 {
            let _ = writeln!(s, "  … and {} more places", f.locations.len() - 10);
        }
    }
    if !v.gone.is_empty() {
        let _ = writeln!(
            s,
            "\nin the baseline but no longer found (prune with --update-baseline):"
        );
        for g in &v.gone {
            let _ = writeln!(
                s,
                "  {} {}: {}",
                g.rule.id(),
                g.fingerprint,
                line(&g.message)
            );
        }
    }
    if v.new > 0 {
        let _ = writeln!(
            s,
            "\nFAIL: {} new finding{} not in {}. Fix them, or accept them with `cyberdiff check --update-baseline`.",
            v.new,
            if v.new == 1 { "" } else { "s" },
            crate::report::printable_path(baseline)
        );
    } else {
        let _ = writeln!(s, "\nPASS: no finding outside the baseline.");
    }
    s
}

pub fn check(args: CheckArgs) -> Result<i32> {
    let mut timings = crate::scan::Timings::new();
    let r = resolve_args(&args)?;
    guard(&r, &args)?;
    let statements = r.statements.as_deref().map(load_statements).transpose()?;
    let mut exclude: Vec<PathBuf> = vec![r.baseline.clone()];
    exclude.extend(r.outputs.iter().filter_map(|(_, p)| p.clone()));
    exclude.extend(r.statements.clone());
    // The walk and the stat of every file run beside the read of the cache (neither needs the
    // other; the cache's settings are checked once the walk has found the manifests).
    let (found, cached) = rayon::join(
        || -> Result<(Vec<PathBuf>, Vec<Option<FileMeta>>)> {
            let files = discover(&r, &exclude)?;
            // One `statx` a file, the bulk of an unchanged rerun: spread over the threads. Only a
            // cache needs them (to tell unchanged files).
            let metas = if r.cache.is_some() {
                FileMeta::of_all(&files)
            } else {
                Vec::new()
            };
            Ok((files, metas))
        },
        || r.cache.as_deref().map(cache::load_any),
    );
    let (files, metas) = found?;
    timings.lap("discover, stat and read the cache");
    if files.is_empty() {
        bail!(
            "no document found in {}: give .txt, .md, .html, .htm or .jsonl files, folders or globs",
            r.paths.join(", ")
        );
    }
    let Indexed {
        state,
        info: mut cache_info,
        texts,
        pending,
    } = index(
        &r,
        &files,
        &metas,
        cached,
        statements.is_some(),
        &mut timings,
    )?;
    // The state is written while the findings are computed (both only read it); a failed write is
    // a warning.
    let (written, mut findings) = rayon::join(
        || pending.map_or(Ok(()), |p| p.write(&state)),
        || gate::findings(&state, &r.thresholds),
    );
    warn_unsaved(written);
    timings.lap("write cache and findings");
    if let Some(st) = &statements {
        // The rule sorts last: appending keeps the findings in order.
        findings.extend(statement_findings(&r, st, &state, texts, &mut cache_info)?);
    }
    let baseline = if args.update_baseline {
        let b = Baseline::of(&findings);
        b.write(&r.baseline)?;
        Some(b)
    } else {
        let b = Baseline::load(&r.baseline)?;
        if b.is_none() && r.baseline_named {
            eprintln!(
                "cyberdiff: warning: the baseline {} does not exist: every finding counts as new (`cyberdiff check --update-baseline` writes it)",
                crate::report::printable_path(&r.baseline)
            );
        }
        b
    };
    // With --update-baseline the outputs are written as for any run (against the new baseline,
    // so they pass), and the terminal says what was written instead of the summary.
    let verdict = gate::judge(findings, baseline.as_ref());
    let mut to_stdout = false;
    for (fmt, path) in &r.outputs {
        let text = match fmt {
            Format::Terminal => {
                render_terminal(&verdict, state.docs.len(), &cache_info, &r.baseline)
            }
            Format::Json => crate::report::json::to_json(&report(
                &r,
                statements.as_ref().map_or(0, |s| s.1),
                &state,
                &verdict,
                &cache_info,
            )),
            Format::Sarif => gate::sarif::render(&verdict),
            Format::Junit => gate::junit::render(&verdict),
        };
        match path {
            Some(p) => emit(p, text.as_bytes())?,
            None => {
                to_stdout = true;
                print_stdout(&text)?;
            }
        }
    }
    if args.update_baseline {
        if !args.quiet && !to_stdout {
            print_stdout(&format!(
                "cyberdiff check: baseline {} written with {} findings ({} documents)\n",
                crate::report::printable_path(&r.baseline),
                baseline.as_ref().map_or(0, |b| b.findings.len()),
                state.docs.len()
            ))?;
        }
        return Ok(0);
    }
    if !args.quiet && !to_stdout {
        print_stdout(&render_terminal(
            &verdict,
            state.docs.len(),
            &cache_info,
            &r.baseline,
        ))?;
    }
    timings.lap("outputs");
    let code = if verdict.new > 0 { 1 } else { 0 };
    // The process ends here: freeing the state's ~10 allocations per document one by one is about 5%
    // of an incremental run on a 10,000-document corpus, and the system frees it all at once.
    std::mem::forget((state, verdict, files));
    Ok(code)
}

fn report<'a>(
    r: &'a Resolved,
    statements_hash: u64,
    state: &'a State,
    v: &'a Verdict,
    cache: &'a CacheInfo,
) -> CheckReport<'a> {
    let mut files: Vec<&state::DocEntry> = state.docs.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    let inputs = files
        .into_iter()
        .map(|d| InputInfo {
            path: d.path.to_string_lossy().into_owned(),
            path_bytes: crate::report::path_bytes(&d.path),
            bytes: d.meta.size,
            xxh3: format!("{:016x}", d.file_hash),
        })
        .collect();
    CheckReport {
        schema_version: 1,
        command: "check",
        manifest: CheckManifest {
            tool: "cyberdiff",
            version: env!("CARGO_PKG_VERSION"),
            parameters: &r.settings.params,
            check: CheckParams {
                thresholds: &r.thresholds,
                min_shared: r.settings.min_shared,
                max_df: r.settings.max_df,
                boilerplate_min_docs: state.bmd,
                baseline: r.baseline.display().to_string(),
                statements: r.statements.as_ref().map(|p| InputInfo {
                    path: p.display().to_string(),
                    path_bytes: crate::report::path_bytes(p),
                    bytes: std::fs::metadata(p).map_or(0, |m| m.len()),
                    xxh3: format!("{statements_hash:016x}"),
                }),
            },
            inputs,
        },
        result: if v.new > 0 { "fail" } else { "pass" },
        summary: Summary {
            documents: state.docs.len(),
            findings: v.findings.len(),
            new: v.new,
            baselined: v.findings.len() - v.new,
            gone: v.gone.len(),
        },
        cache,
        findings: &v.findings,
        gone: &v.gone,
    }
}

/// The commented example configuration `cyberdiff init` writes.
pub const EXAMPLE_CONFIG: &str = r#"# cyberdiff.toml: the settings of `cyberdiff check`, the CI gate for a growing corpus.
# Every setting also works as a flag (`cyberdiff check --help`); flags win over this file.
# Relative paths are relative to this file's folder.

# The corpus: files, folders (walked, honouring .gitignore, .ignore and .cyberdiffignore) or globs.
paths = ["corpus/"]
# glob = ["!drafts/**"]            # only walk (or, with "!", skip) matching files
# manifest = "corpus/corpus.toml"  # titles and dates; a corpus.toml beside the files is read anyway

# The accepted findings: `cyberdiff check --update-baseline` writes it; commit it.
baseline = "cyberdiff-baseline.json"

# The index cache: a rerun reads only new or changed files. Keep it out of Git and cache it in CI.
cache = ".cyberdiff"

# Reference statements (TOML, as for `cyberdiff track`). Each statement is tracked through the corpus
# in date order; it is a finding when it first appears or reappears, changes status (repeated,
# reworded, expanded, condensed) or wording, or is dropped, against the previous document. The whole
# corpus is tracked again whenever it changes (an unchanged rerun reuses the result).
# statements = "statements.toml"

[thresholds]
reused_share = 0.3   # a document reusing at least 30% of its words from earlier documents
duplicate = 0.8      # two documents sharing at least 80% of their words (or the smaller one's)
boilerplate = true   # text recurring in many documents (navigation, mastheads) is a finding
statement_dropped = true   # with statements: one absent after the previous document had it is a finding
# min_words = 8      # smallest passage, in aligned words
# min_score = 0.3    # smallest alignment score of a passage
# min_shared = 3     # distinct shared n-grams that make a pair worth aligning
# max_df = 100       # n-grams in more documents than this do not make pairs
# boilerplate_min_docs = 10   # default: 10% of the documents, at least 5, at most max_df + 1

# Machine-readable outputs, written on every run (besides the terminal summary).
[outputs]
# json = "cyberdiff-check.json"
# sarif = "cyberdiff-check.sarif"   # upload with github/codeql-action/upload-sarif
# junit = "cyberdiff-check.xml"
"#;

pub fn init(args: InitArgs) -> Result<i32> {
    if args.path.exists() && !args.force {
        bail!(
            "{} exists; pass --force to overwrite it",
            args.path.display()
        );
    }
    crate::report::json::write_atomic(&args.path, EXAMPLE_CONFIG.as_bytes())?;
    print_stdout(&format!(
        "wrote {}: set `paths` to your corpus, then run `cyberdiff check --update-baseline`\n",
        crate::report::printable_path(&args.path)
    ))?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses() {
        let c: Config = toml::from_str(EXAMPLE_CONFIG).unwrap();
        assert_eq!(c.paths.unwrap(), vec!["corpus/"]);
        assert_eq!(c.thresholds.reused_share, Some(0.3));
        assert_eq!(c.thresholds.statement_dropped, Some(true));
    }
}
