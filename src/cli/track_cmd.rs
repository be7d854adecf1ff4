//! `cyberdiff track`: statements file + documents -> the grid, as terminal output, JSON and HTML.
//!
//! Exit codes: 0 success; 2 usage or input error (a bad statements file names the file and line, no
//! usable document, an output that cannot be written); 3 the run completed but some inputs were
//! skipped, each named in a warning on standard error (as `scan` and `dedup`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;

use super::{ReadArgs, emit, emit_json, print_stdout, resolve};
use crate::align::Thresholds;
use crate::corpus::{CorpusDoc, WalkOptions};
use crate::report::InputInfo;
use crate::report::json;
use crate::report::page::Site;
use crate::report::track::{PairPages, TrackReport, render_html_in, render_terminal};
use crate::track::{MatchParams, Tracking, read_statements};

#[derive(Debug, Args)]
pub struct TrackArgs {
    /// The statements file (TOML): [[statement]] tables with id, group (optional), text and aliases
    /// (optional extra wordings).
    #[arg(long, short, value_name = "FILE")]
    pub statements: PathBuf,
    /// Documents: files and folders (.txt, .md, .html, .htm, .jsonl; folders are walked). Their dates
    /// come from a leading YYYY-MM-DD, YYYY-MM or YYYY in the file name, or a corpus.toml manifest.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write the JSON report to FILE ("-" for standard output).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the HTML report to FILE ("-" for standard output): the grid in date order, each cell
    /// opening its passage in context with the word diff, and a timeline per statement.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// A corpus manifest (TOML: [[document]] file, title, date, source). A corpus.toml beside the
    /// documents is read without this.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Smallest IDF-weighted share of a statement's content words found in a passage (0 to 1).
    #[arg(long, value_name = "X", default_value_t = MatchParams::default().min_recall)]
    pub min_recall: f64,
    /// Smallest passage score, the F1 measure of that recall and the passage's precision (0 to 1);
    /// short statements need more (1 / max(content words, 4) more).
    #[arg(long, value_name = "X", default_value_t = MatchParams::default().min_score)]
    pub min_score: f64,
    /// "repeated": share of words on each side aligned to an equal word.
    #[arg(long, value_name = "X", default_value_t = Thresholds::default().repeated_min_aligned)]
    pub repeated_min_aligned: f64,
    /// "repeated": largest length ratio between statement and passage.
    #[arg(long, value_name = "X", default_value_t = Thresholds::default().repeated_max_length_ratio)]
    pub repeated_max_ratio: f64,
    /// "expanded"/"condensed": share of the shorter side's content words found in the longer side.
    #[arg(long, value_name = "X", default_value_t = Thresholds::default().expanded_min_found)]
    pub expanded_min_found: f64,
    /// "expanded"/"condensed": smallest length ratio of the longer side to the shorter.
    #[arg(long, value_name = "X", default_value_t = Thresholds::default().expanded_min_length_ratio)]
    pub expanded_min_ratio: f64,
    /// Print nothing on the terminal (the JSON and HTML are still written).
    #[arg(long, short)]
    pub quiet: bool,
    /// Colour: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: resolve::ColorChoice,
    /// Enter links to folders while walking (links to document files are always read).
    #[arg(long)]
    pub follow: bool,
    /// Files and folders never read (as `report` never reads its own output folder).
    #[arg(long, value_name = "PATH", hide = true)]
    pub exclude: Vec<PathBuf>,
    /// The pages of a `cyberdiff report` folder the HTML page sits among (as `report` writes
    /// them); with scan.html among them, cells link to the scan's pair pages (from scan.json beside
    /// the page).
    #[arg(long, hide = true, value_name = "PAGES")]
    pub site: Option<String>,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// The matcher's parameters from the command line, checked by [`MatchParams::validate`].
pub fn match_params(a: &TrackArgs) -> Result<MatchParams> {
    let params = MatchParams {
        min_recall: a.min_recall,
        min_score: a.min_score,
        thresholds: Thresholds {
            repeated_min_aligned: a.repeated_min_aligned,
            repeated_max_length_ratio: a.repeated_max_ratio,
            expanded_min_found: a.expanded_min_found,
            expanded_min_length_ratio: a.expanded_min_ratio,
        },
    };
    params.validate()?;
    Ok(params)
}

/// The manifest entry of the statements file.
pub fn statements_input(path: &Path) -> Result<InputInfo> {
    Ok(InputInfo::of_file(path)?)
}

pub fn track(args: TrackArgs) -> Result<i32> {
    let is_stdout = |p: &Option<PathBuf>| p.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if is_stdout(&args.json) && is_stdout(&args.html) {
        bail!("--json - and --html - both ask for standard output; write one of them to a file");
    }
    let params = match_params(&args)?;
    let mut g = super::guard::Guard::new();
    g.corpus(&args.paths)
        .input("the statements file", &args.statements);
    if let Some(m) = &args.manifest {
        g.input("the manifest", m);
    }
    g.output("--json", args.json.as_deref().unwrap_or(Path::new("-")))
        .output("--html", args.html.as_deref().unwrap_or(Path::new("-")))
        .check()?;
    let statements = read_statements(&args.statements)?;
    let opts = resolve::read_options(&args.read);
    let exclude: Vec<PathBuf> = [&args.json, &args.html]
        .into_iter()
        .flatten()
        .cloned()
        .chain([args.statements.clone()])
        .chain(args.exclude.iter().cloned())
        .collect();
    let corpus = super::corpus_cmd::read_corpus(
        &args.paths,
        &WalkOptions {
            globs: Vec::new(),
            exclude,
            follow: args.follow,
        },
        args.manifest.as_deref(),
        &opts,
    )?;
    let docs: Vec<&CorpusDoc> = corpus.docs.iter().collect();
    let (tracking, report) = crate::run::track(
        &statements,
        &docs,
        &params,
        statements_input(&args.statements)?,
    );
    if let Some(path) = &args.json {
        emit_json(path, &report)?;
    }
    if let Some(path) = &args.html {
        let site = super::site_pages(args.site.as_deref());
        // In a report folder, the scan's JSON lies beside this page and its pair pages below it.
        let pairs = match (&site.scan, path.parent()) {
            (Some(scan), Some(dir)) => {
                let stem = scan.trim_end_matches(".html");
                std::fs::read_to_string(dir.join(format!("{stem}.json")))
                    .map(|json| {
                        PairPages::from_scan_json(
                            &json,
                            &format!("{stem}-pairs"),
                            super::DEFAULT_HTML_PAIRS,
                        )
                    })
                    .unwrap_or_default()
            }
            _ => PairPages::default(),
        };
        emit(
            path,
            track_html(&tracking, &report, &site, &pairs).as_bytes(),
        )?;
    }
    if !args.quiet && !is_stdout(&args.json) && !is_stdout(&args.html) {
        let color = args.color.enabled(std::io::stdout().is_terminal());
        print_stdout(&render_terminal(&report, color))?;
    }
    Ok(super::corpus_cmd::exit_code(&corpus.skipped))
}

/// The HTML page of a tracking report, with the texts of its documents.
fn track_html(tracking: &Tracking, report: &TrackReport, site: &Site, pairs: &PairPages) -> String {
    let texts: Vec<&str> = tracking.documents.iter().map(|d| d.text.as_str()).collect();
    render_html_in(report, &texts, site, pairs)
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Documents: files and folders [default: inputs]. Folders are walked as `scan` walks them.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The statements file for the tracking page [default: statements.toml in the first folder
    /// given, i.e. inputs/statements.toml without arguments]; without one, tracking is left out.
    #[arg(long, short, value_name = "FILE")]
    pub statements: Option<PathBuf>,
    /// The folder the reports are written to (created if needed).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// A corpus manifest (TOML: [[document]] file, title, date, source). A corpus.toml beside the
    /// documents is read without this.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Write the scan's JSON (scan.json, and the scan part of report.json) at the summary level:
    /// pairs, passages (kinds, scores, spans with lines), clusters, duplicates and boilerplate
    /// without passage texts and word diffs, for large corpora. The pages keep their texts.
    #[arg(long)]
    pub json_summary: bool,
    /// Print nothing but warnings and errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `cyberdiff report`: scan, dedup and track into one folder, with `index.html` linking every page
/// and `report.json` holding the three JSON reports. The corpus is read once and scanned once (with
/// the reworded tier, as `scan`'s default); dedup's plan comes from that scan without the tier's
/// passages, and tracking from the same documents. The parts run with the defaults of their
/// commands and are exactly what `scan`, `dedup` and `track` write.
///
/// The folder is replaced as a whole: the run writes a new folder beside it (`.NAME.tmp-PID`) and
/// swaps it in at the end, so the folder is always one run's complete report (never a mix of two
/// runs, never pair pages of an earlier run); the folders of killed runs are removed by the next.
/// The folder is never read as input (it may lie inside the corpus), and is refused when it holds
/// an input or files cyberdiff did not write.
pub fn report(args: ReportArgs) -> Result<i32> {
    use crate::report::index::{ReportSummary, ScanPart, write_report_json};
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("inputs")]
    } else {
        args.paths.clone()
    };
    let statements = match &args.statements {
        Some(s) => Some(s.clone()),
        None => paths
            .iter()
            .map(|p| p.join("statements.toml"))
            .find(|p| p.is_file()),
    };
    let out = &args.out;
    check_report_out(out, &paths, statements.as_deref(), args.manifest.as_deref())?;
    let staging = super::staging::Staging::new(out)?;
    let folder = staging.dir.clone();
    let file = |name: &str| folder.join(name);
    // The pages link each other: the scan and tracking pages are told which pages the folder holds.
    let site = if statements.is_some() {
        "index.html,scan.html,track.html"
    } else {
        "index.html,scan.html"
    };
    let read = crate::corpus::ReadOptions::default();
    let walk = WalkOptions {
        globs: Vec::new(),
        // The report folder, old and new, is never read as input.
        exclude: vec![out.clone(), folder.clone()],
        follow: false,
    };

    // `scan`'s defaults, the reworded tier included.
    let scan_params = crate::align::Params::default();
    let (corpus, inputs, sp) = (|| -> Result<_> {
        let corpus =
            super::corpus_cmd::read_corpus(&paths, &walk, args.manifest.as_deref(), &read)?;
        super::corpus_cmd::check_scan_size(&corpus)?;
        let inputs = corpus.inputs()?;
        let sp = crate::scan::ScanOptions::default().resolve(corpus.docs.len())?;
        Ok((corpus, inputs, sp))
    })()
    .context("scan")?;
    let code = super::corpus_cmd::exit_code(&corpus.skipped);
    let progress = crate::scan::Progress::new(false);
    // The scan is kept beside its report: dedup's plan comes from it.
    let scanned = crate::scan::scan(&corpus.docs, &scan_params, &sp, &progress);
    let scan = crate::report::scan::ScanReport::new(
        &corpus.docs,
        &scanned,
        &scan_params,
        &sp,
        inputs.clone(),
        corpus.skipped.clone(),
        true,
    );
    super::corpus_cmd::write_html(
        &file("scan.html"),
        &scan,
        &corpus.docs,
        super::DEFAULT_HTML_PAIRS,
        Some(site),
    )
    .context("scan")?;

    // `dedup`'s defaults: the reworded tier off, its passages left out of the scan's.
    let dedup_params = crate::align::Params {
        reworded: false,
        ..scan_params
    };
    let (_, dedup) = crate::run::dedup(&corpus, &scanned, &dedup_params, sp, inputs, false);
    json::write_json_atomic(&file("dedup.json"), &dedup).context("dedup")?;

    let track = match &statements {
        Some(s) => Some(
            report_track(
                s,
                &paths,
                &corpus,
                &scan,
                &file("track.json"),
                &file("track.html"),
                site,
            )
            .context("track")?,
        ),
        None => {
            eprintln!(
                "cyberdiff: warning: no statements file (give --statements FILE, or put statements.toml in the folder); the tracking page is left out"
            );
            None
        }
    };
    let summary = ReportSummary::new(Some(&scan), Some(&dedup), track.as_ref());
    // scan.json and report.json hold the scan alike: in full, or at the summary level.
    let write_report = |scan: ScanPart| {
        json::write_atomic_with(&file("report.json"), json::Durability::Report, |f| {
            let mut w = std::io::BufWriter::with_capacity(1 << 18, f);
            write_report_json(&mut w, &summary, Some(scan), Some(&dedup), track.as_ref())?;
            std::io::Write::flush(&mut w)
        })
    };
    if args.json_summary {
        let scan = scan.into_summary();
        json::write_rows_atomic(&file("scan.json"), &scan).context("scan")?;
        write_report(ScanPart::Summary(&scan))?;
    } else {
        json::write_json_atomic(&file("scan.json"), &scan).context("scan")?;
        write_report(ScanPart::Full(&scan))?;
    }
    json::write_atomic(
        &file("index.html"),
        crate::report::index::render_index(&summary).as_bytes(),
    )?;
    staging.commit()?;
    if !args.quiet {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let index = out.join("index.html").display().to_string();
        print_stdout(&format!(
            "{}\nreports written to {}: {}\n",
            crate::report::index::render_terminal(&summary, &index, color),
            crate::report::printable_path(out),
            summary.pages().join(", ")
        ))?;
    }
    Ok(code)
}

/// The tracking part of a report: `statements` through the corpus's documents (all but the
/// statements file itself, which `track` never reads as a document), written as `json` and `html`,
/// the page linking the scan's pair pages.
fn report_track(
    statements: &Path,
    paths: &[PathBuf],
    corpus: &crate::corpus::Corpus,
    scan: &crate::report::scan::ScanReport,
    json_path: &Path,
    html_path: &Path,
    site: &str,
) -> Result<TrackReport> {
    let statements_list = read_statements(statements)?;
    let params = MatchParams::default();
    params.validate()?;
    let own = crate::corpus::walk::has_doc_extension(statements)
        .then(|| std::fs::canonicalize(statements).ok())
        .flatten();
    let docs: Vec<&CorpusDoc> = corpus
        .docs
        .iter()
        .filter(|d| own.is_none() || std::fs::canonicalize(&d.doc.path).ok() != own)
        .collect();
    if docs.is_empty() {
        bail!(
            "no usable document in {}: give .txt, .md, .html, .htm or .jsonl files, or folders holding them",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let (tracking, report) = crate::run::track(
        &statements_list,
        &docs,
        &params,
        statements_input(statements)?,
    );
    json::write_json_atomic(json_path, &report)?;
    let site = super::site_pages(Some(site));
    let pairs = PairPages::from_scan(scan, "scan-pairs", super::DEFAULT_HTML_PAIRS);
    json::write_atomic(
        html_path,
        track_html(&tracking, &report, &site, &pairs).as_bytes(),
    )?;
    Ok(report)
}

/// What a report folder holds: the names `report` writes.
const REPORT_FILES: [&str; 8] = [
    "index.html",
    "report.json",
    "scan.json",
    "scan.html",
    "scan-pairs",
    "dedup.json",
    "track.json",
    "track.html",
];

/// The report folder may be replaced only if it holds no input and nothing but a report.
fn check_report_out(
    out: &Path,
    paths: &[PathBuf],
    statements: Option<&Path>,
    manifest: Option<&Path>,
) -> Result<()> {
    let abs_out = super::guard::absolute(out);
    let inputs = paths
        .iter()
        .map(|p| ("the input", p.as_path()))
        .chain(statements.map(|s| ("the statements file", s)))
        .chain(manifest.map(|m| ("the manifest", m)));
    for (role, p) in inputs {
        if super::guard::absolute(p).starts_with(&abs_out) {
            bail!(
                "--out {} holds {role} {}: the report folder is replaced as a whole; write it elsewhere",
                crate::report::printable_path(out),
                crate::report::printable_path(p)
            );
        }
    }
    let meta = match std::fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(_) => return Ok(()),
    };
    if !meta.is_dir() {
        bail!(
            "--out {} is not a folder; give a new folder, or the folder of an earlier report",
            crate::report::printable_path(out)
        );
    }
    let entries = std::fs::read_dir(out).with_context(|| format!("reading {}", out.display()))?;
    for e in entries {
        let e = e.with_context(|| format!("reading {}", out.display()))?;
        let name = e.file_name();
        let name = name.to_string_lossy();
        let leftover = name.starts_with('.') && name.contains(".tmp-");
        if !REPORT_FILES.contains(&name.as_ref()) && !leftover {
            bail!(
                "--out {} holds {}, which `cyberdiff report` did not write: the report folder is replaced as a whole; give a new folder, or the folder of an earlier report",
                crate::report::printable_path(out),
                crate::report::printable_line(&name)
            );
        }
    }
    Ok(())
}
