//! The command line: clap arguments (their doc comments are the help text) and the commands.

mod check_cmd;
mod corpus_cmd;
mod guard;
mod resolve;
mod staging;
mod track_cmd;

#[doc(hidden)]
pub use crate::gate::config::check_config_text;
pub use corpus_cmd::{StageSettings, stage_settings};

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::align::{Params, Thresholds};
use crate::corpus::read_document;
use crate::report::{CompareReport, html, json, terminal};
use crate::scan::ScanOptions;

/// Find text reuse: align the passages documents share and say how each was reused
/// (repeated, reworded, expanded or condensed).
#[derive(Debug, Parser)]
#[command(name = "cyberdiff", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success (check: the gate passed), 1 (check) new findings, 2 usage or input error, 3 (scan, dedup) completed but some inputs were skipped (each named in a warning)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Align two documents: every shared passage, labelled, with its word diff.
    Compare(CompareArgs),
    /// Every pair of a corpus (folders are walked): shared passages, reuse clusters with their earliest
    /// source, near-duplicate documents and boilerplate.
    Scan(ScanArgs),
    /// Exact and near-duplicate documents and repeated paragraphs of a corpus; --out writes a copy
    /// without them, keeping the earliest.
    Dedup(DedupArgs),
    /// Score cyberdiff's detections against PAN-style gold: recall, precision, granularity, plagdet.
    Eval(EvalArgs),
    /// Follow reference statements through dated documents: each statement × document, its status
    /// (repeated, reworded, expanded, condensed, absent), the passage and its word diff.
    Track(track_cmd::TrackArgs),
    /// The main job in one go: scan + dedup + track into one folder (reports/ by default), with
    /// index.html linking every page and report.json; without arguments, inputs/ and
    /// inputs/statements.toml.
    Report(track_cmd::ReportArgs),
    /// CI gate over a growing corpus: fails (exit 1) only on findings not in the baseline (reused
    /// share, duplicates, boilerplate); an index cache makes reruns read only new files.
    Check(check_cmd::CheckArgs),
    /// Write a commented example cyberdiff.toml (the settings of `check`).
    Init(check_cmd::InitArgs),
}

/// Options of the aligner and of the label definitions.
#[derive(Debug, Args, Clone)]
pub struct AlignArgs {
    /// Smallest passage reported, in aligned words (a Han or Kana character counts half a word).
    #[arg(long, value_name = "N", default_value_t = Params::default().min_words)]
    pub min_words: f64,
    /// Smallest alignment score reported (share of both sides' words that are aligned, 0 to 1).
    #[arg(long, value_name = "X", default_value_t = Params::default().min_score)]
    pub min_score: f64,
    /// Words per seed n-gram.
    #[arg(long, value_name = "N", default_value_t = Params::default().word_ngram)]
    pub ngram: usize,
    /// Characters per seed n-gram in unspaced scripts (Chinese, Japanese).
    #[arg(long, value_name = "N", default_value_t = Params::default().cjk_ngram)]
    pub cjk_ngram: usize,
    /// Largest gap in words bridged inside one passage (inserted clauses, substitutions).
    #[arg(long, value_name = "N", default_value_t = Params::default().max_gap)]
    pub max_gap: usize,
    /// Seed n-grams more frequent than this in either document are skipped.
    #[arg(long, value_name = "N", default_value_t = Params::default().max_seed_freq)]
    pub max_seed_freq: usize,
    /// "repeated": share of words on each side aligned to an equal word.
    #[arg(long, value_name = "X", default_value_t = Thresholds::default().repeated_min_aligned)]
    pub repeated_min_aligned: f64,
    /// "repeated": largest length ratio between the two sides.
    #[arg(long, value_name = "X", default_value_t = Thresholds::default().repeated_max_length_ratio)]
    pub repeated_max_ratio: f64,
    /// "expanded"/"condensed": share of the shorter side's content words found in the longer side.
    #[arg(long, value_name = "X", default_value_t = Thresholds::default().expanded_min_found)]
    pub expanded_min_found: f64,
    /// "expanded"/"condensed": smallest length ratio of the longer side to the shorter.
    #[arg(long, value_name = "X", default_value_t = Thresholds::default().expanded_min_length_ratio)]
    pub expanded_min_ratio: f64,
    /// Turn off the reworded tier (passages of synonyms, derivations and reordered words that share
    /// no exact 3-gram), on by default in `compare`, `scan`, `report` and `eval`; the JSON
    /// parameters say whether it was on.
    #[arg(long, conflicts_with = "reworded")]
    pub no_reworded: bool,
    /// Turn on the reworded tier in `dedup`, where it is off by default (dedup removes near-copies,
    /// and a reworded passage is not one); elsewhere it is on already.
    #[arg(long)]
    pub reworded: bool,
}

/// Options for reading documents.
#[derive(Debug, Args, Clone)]
pub struct ReadArgs {
    /// Replace invalid UTF-8 with U+FFFD instead of refusing the file.
    #[arg(long)]
    pub lossy: bool,
    /// Refuse documents larger than this many bytes (at most 4294967295: offsets are 32-bit).
    #[arg(
        long,
        value_name = "BYTES",
        default_value_t = crate::corpus::DEFAULT_MAX_BYTES,
        value_parser = clap::value_parser!(u64).range(1..=crate::corpus::MAX_MAX_BYTES)
    )]
    pub max_bytes: u64,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The earlier document (.txt, .md, .html).
    pub a: PathBuf,
    /// The later document.
    pub b: PathBuf,
    /// Write the JSON report to FILE ("-" for standard output).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the HTML report to FILE ("-" for standard output): one self-contained page with both
    /// texts side by side, passages highlighted and linked, and their word diffs.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// How many passages the terminal summary lists.
    #[arg(long, value_name = "N", default_value_t = terminal::DEFAULT_TOP)]
    pub top: usize,
    /// Print nothing on the terminal (the JSON and HTML are still written).
    #[arg(long, short)]
    pub quiet: bool,
    /// Colour: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: resolve::ColorChoice,
    #[command(flatten)]
    pub align: AlignArgs,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Options for finding the documents of a corpus and the pairs worth aligning.
#[derive(Debug, Args, Clone)]
pub struct CorpusArgs {
    /// Files and folders (.txt, .md, .html, .htm, and .jsonl with one {"id", "text", "date"} record a
    /// line). Folders are walked, honouring .gitignore, .ignore and .cyberdiffignore files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Only walk files matching GLOB (relative to each folder; "!GLOB" excludes). Repeatable.
    #[arg(long, short = 'g', value_name = "GLOB")]
    pub glob: Vec<String>,
    /// A corpus manifest (TOML: `[[document]]` file, title, date, source). A corpus.toml beside the
    /// documents is read without this.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// A pair of documents is aligned when it shares at least N distinct seed n-grams.
    #[arg(long, value_name = "N", default_value_t = ScanOptions::default().min_shared)]
    pub min_shared: usize,
    /// N-grams found in more than N documents are not used to find pairs (counted and reported).
    #[arg(long, value_name = "N", default_value_t = ScanOptions::default().max_df)]
    pub max_df: usize,
    /// Text made of n-grams found in at least N documents is boilerplate [default: 10% of the
    /// documents, at least 5, at most --max-df + 1].
    #[arg(long, value_name = "N")]
    pub boilerplate_min_docs: Option<usize>,
    /// Two documents are near-duplicates when at least this share of each one's words is in shared
    /// passages (boilerplate included); "contained" when only the smaller one reaches it.
    #[arg(long, value_name = "X", default_value_t = ScanOptions::default().duplicate_threshold)]
    pub duplicate_threshold: f64,
    /// Print nothing but warnings and errors on the terminal, and no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Enter links to folders while walking (links to document files are always read).
    #[arg(long)]
    pub follow: bool,
    /// Files and folders never read (as `report` never reads its own output folder).
    #[arg(long, value_name = "PATH", hide = true)]
    pub exclude: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// Write the JSON report to FILE ("-" for standard output).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a summary-level JSON: pairs, passages (kinds, scores, spans with lines), clusters,
    /// duplicates and boilerplate without passage texts and word diffs, for large corpora.
    #[arg(long)]
    pub json_summary: bool,
    /// Write the HTML report to FILE: an overlap heat map, clusters with a timeline, duplicates and
    /// boilerplate, linking to one side-by-side page per pair in the folder FILE's stem + "-pairs".
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Side-by-side pages written with --html, for the pairs with the most reused words.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_HTML_PAIRS)]
    pub html_pairs: usize,
    /// List only clusters that appear in at least N documents.
    #[arg(long, value_name = "N", default_value_t = ScanOptions::default().min_cluster_docs)]
    pub min_cluster_docs: usize,
    /// How many pairs, clusters, duplicates and boilerplate texts the terminal summary lists.
    #[arg(long, value_name = "N", default_value_t = terminal::DEFAULT_TOP)]
    pub top: usize,
    /// The pages of a `cyberdiff report` folder the HTML page sits among, for its header's links
    /// (as `report` writes them).
    #[arg(long, hide = true, value_name = "PAGES")]
    pub site: Option<String>,
    #[command(flatten)]
    pub align: AlignArgs,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Pair pages `scan --html` writes by default.
pub const DEFAULT_HTML_PAIRS: usize = 1000;

/// The pages named by a hidden `--site index.html,scan.html,track.html` (what `report` writes).
pub fn site_pages(list: Option<&str>) -> crate::report::page::Site {
    let mut site = crate::report::page::Site::default();
    for name in list.unwrap_or("").split(',').filter(|n| !n.is_empty()) {
        let slot = match name.split('.').next() {
            Some("index") => &mut site.index,
            Some("scan") => &mut site.scan,
            Some("track") => &mut site.track,
            _ => continue,
        };
        *slot = Some(name.to_owned());
    }
    site
}

#[derive(Debug, Args)]
pub struct DedupArgs {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// Write the corpus again into DIR (new or empty, outside the inputs) without the duplicate
    /// documents and repeated paragraphs, keeping the earliest, with removed.json saying what was
    /// removed and why.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write the report as JSON to FILE ("-" for standard output).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Only remove duplicate documents, not repeated paragraphs.
    #[arg(long)]
    pub keep_paragraphs: bool,
    #[command(flatten)]
    pub align: AlignArgs,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Gold files (JSON Lines): PAN cases (susp, src, this_offset, this_length, source_offset,
    /// source_length) or pairs of spans (a_doc, a_begin, a_end, b_doc, b_begin, b_end, or old_*/new_*).
    #[arg(required = true)]
    pub gold: Vec<PathBuf>,
    /// Write the scores as JSON to FILE ("-" for standard output).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    #[command(flatten)]
    pub align: AlignArgs,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Run the command line; the result is the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Compare(args) => compare(args),
        Command::Scan(args) => {
            return_freed_memory();
            corpus_cmd::scan(args)
        }
        Command::Dedup(args) => {
            return_freed_memory();
            corpus_cmd::dedup(args)
        }
        Command::Eval(args) => eval(args),
        Command::Track(args) => track_cmd::track(args),
        Command::Report(args) => {
            return_freed_memory();
            track_cmd::report(args)
        }
        Command::Check(args) => check_cmd::check(args),
        Command::Init(args) => check_cmd::init(args),
    }
}

fn compare(args: CompareArgs) -> Result<i32> {
    keep_freed_memory();
    let is_stdout = |p: &Option<PathBuf>| p.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if is_stdout(&args.json) && is_stdout(&args.html) {
        bail!("--json - and --html - both ask for standard output; write one of them to a file");
    }
    let params = resolve::params(&args.align)?;
    let opts = resolve::read_options(&args.read);
    guard::Guard::new()
        .input("the input document", &args.a)
        .input("the input document", &args.b)
        .output("--json", args.json.as_deref().unwrap_or(Path::new("-")))
        .output("--html", args.html.as_deref().unwrap_or(Path::new("-")))
        .check()?;
    let mut timings = crate::scan::Timings::new();
    let (a, b) = rayon::join(
        || read_document(&args.a, &opts),
        || read_document(&args.b, &opts),
    );
    let (a, b) = (a?, b?);
    huge_pages_for(a.text.len() + b.text.len());
    timings.lap("read");
    let cmp = crate::compare_texts(&a.text, &b.text, &params);
    timings.lap("align");
    let mut report = CompareReport::new(&a, &b, &cmp, &params);
    timings.lap("report");
    let to_stdout = is_stdout(&args.json) || is_stdout(&args.html);
    if let Some(path) = &args.json {
        if path.as_os_str() == "-" {
            print_stdout_bytes(&json::compare_json_pieces(&mut report).concat())?;
        } else {
            json::write_compare_json_atomic(path, &mut report)?;
        }
        timings.lap("json");
    }
    if let Some(path) = &args.html {
        emit(
            path,
            html::render_compare(&report, &a.text, &b.text).as_bytes(),
        )?;
    }
    if !args.quiet && !to_stdout {
        let color = args.color.enabled(std::io::stdout().is_terminal());
        print_stdout(&terminal::render_compare(&report, args.top, color))?;
    }
    // The process ends here: freeing the tens of thousands of small allocations of the comparison and
    // the report one by one would only delay the exit (about a millisecond on 1 MB documents).
    std::mem::forget((cmp, report, a, b));
    Ok(0)
}

/// Let glibc's malloc keep the memory `compare` frees for its next allocations. Each stage of a
/// comparison allocates a few arrays of megabytes and frees them; by default glibc hands blocks that
/// large back to the kernel (`mmap` from 128 KiB up to 32 MiB adaptively, trimming above 128 KiB) and
/// gets them back as zeroed pages, one page fault every 4 KiB, in each thread's own arena. Here: one
/// arena, no `mmap` below 32 MiB, no trimming. Not for `scan`, whose many threads and allocations
/// would then keep about a quarter more memory.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets malloc's tuning parameters (it takes no pointers; values it does
    // not accept are ignored).
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}

/// Let glibc's malloc give blocks of 1 MiB and more back to the kernel when freed, always. By
/// default the threshold rises to the largest block freed so far (up to 32 MiB): after the index
/// frees its first arenas of postings, the next ones come from the heap and stay resident once
/// freed, so that a corpus's postings are held about twice at the peak. For the commands that scan
/// a whole corpus (`scan`, `dedup`, `report`); `check` keeps glibc's default.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets malloc's tuning parameters (it takes no pointers; values it does
    // not accept are ignored).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Ask for transparent huge pages for the heap the alignment of texts of `input` bytes will use
/// (about 12 bytes a byte of text): the heap is grown by that much at once and the kernel is told
/// (`madvise(MADV_HUGEPAGE)`) that the range may be backed by 2 MiB pages, so that it is faulted in
/// 2 MiB at a time instead of 4 KiB. Freed, the block stays in the heap ([`keep_freed_memory`])
/// and the next allocations are carved from it: far fewer page faults. Nothing happens where the kernel has no transparent
/// huge pages, for inputs under 256 KiB, or beyond 30 MiB (allocations of 32 MiB and more are
/// `mmap`ed apart from the heap).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn huge_pages_for(input: usize) {
    const HUGE: usize = 2 << 20;
    if input < 256 << 10 {
        return;
    }
    let size = input.saturating_mul(12).min(30 << 20);
    let block: Vec<u8> = Vec::with_capacity(size);
    let at = block.as_ptr() as usize;
    let (start, end) = (at.next_multiple_of(HUGE), (at + size) / HUGE * HUGE);
    if end > start {
        // SAFETY: the range lies inside `block`, a live allocation of ours; MADV_HUGEPAGE changes
        // how the kernel backs the pages, not their contents or mapping, and fails harmlessly
        // (ignored) where transparent huge pages are not available.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
    drop(block);
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn huge_pages_for(_input: usize) {}

fn eval(args: EvalArgs) -> Result<i32> {
    let params = resolve::params(&args.align)?;
    let opts = resolve::read_options(&args.read);
    let mut g = guard::Guard::new();
    for gold in &args.gold {
        g.input("the gold file", gold);
    }
    g.output("--json", args.json.as_deref().unwrap_or(Path::new("-")))
        .check()?;
    let mut reports = Vec::new();
    for gold in &args.gold {
        let r = crate::eval::evaluate(gold, &params, &opts)
            .with_context(|| format!("evaluating {}", gold.display()))?;
        reports.push(r);
    }
    let report = crate::eval::EvalReport::new(reports, &params);
    let to_stdout = args.json.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if let Some(path) = &args.json {
        emit_json(path, &report)?;
    }
    if !to_stdout {
        print_stdout(&crate::eval::render(&report))?;
    }
    Ok(0)
}

/// Write a report as JSON to a file atomically, or to standard output for "-".
fn emit_json<T: serde::Serialize>(path: &std::path::Path, report: &T) -> Result<()> {
    if path.as_os_str() == "-" {
        return print_stdout(&json::to_json(report));
    }
    json::write_json_atomic(path, report)?;
    Ok(())
}

/// Write a report with one record per line ([`json::Rows`]) to a file atomically, or to standard
/// output for "-".
fn emit_rows<T: serde::Serialize>(path: &std::path::Path, report: &T) -> Result<()> {
    if path.as_os_str() == "-" {
        return print_stdout(&json::to_rows(report));
    }
    json::write_rows_atomic(path, report)?;
    Ok(())
}

/// Write a report to a file atomically, or to standard output for "-".
fn emit(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    if path.as_os_str() == "-" {
        return print_stdout_bytes(bytes);
    }
    json::write_atomic(path, bytes)?;
    Ok(())
}

fn print_stdout(s: &str) -> Result<()> {
    print_stdout_bytes(s.as_bytes())
}

fn print_stdout_bytes(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}
