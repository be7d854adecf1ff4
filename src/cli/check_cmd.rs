//! `cyberdiff check` (the CI gate) and `cyberdiff init` (a commented `cyberdiff.toml`).
//!
//! `check` turns its flags and `cyberdiff.toml` into the gate's settings
//! ([`crate::gate::config::resolve`]: flags over the file over the defaults), refuses an output that
//! is one of its inputs, runs the gate ([`crate::run::check`]: the corpus found, the index cache
//! brought up to date, the findings judged against the baseline) and writes the outputs. Exit
//! codes: 0 the gate passed, 1 new findings, 2 error.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};

use super::{ReadArgs, emit, print_stdout, resolve};
use crate::gate::config::{self, CONFIG_NAME, CheckSettings, Config, EXAMPLE_CONFIG, Flags};
use crate::gate::{cache, plan};

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Terminal,
    Json,
    Sarif,
    Junit,
}

impl From<Format> for config::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Terminal => config::Format::Terminal,
            Format::Json => config::Format::Json,
            Format::Sarif => config::Format::Sarif,
            Format::Junit => config::Format::Junit,
        }
    }
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
    /// Whether the reworded tier (passages of synonyms, derivations and reordered words) runs, as
    /// in `scan` [default: true].
    #[arg(long, value_name = "BOOL")]
    pub reworded: Option<bool>,
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

/// The gate's settings from the flags and the configuration file (`--config`, else
/// `cyberdiff.toml` when it exists).
fn settings(args: &CheckArgs) -> Result<CheckSettings> {
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from(CONFIG_NAME)).filter(|p| p.is_file()),
    };
    let config = match path {
        Some(p) => {
            let text = crate::corpus::read_side_file(&p, "a configuration").with_context(|| {
                format!("reading {} (write one with `cyberdiff init`)", p.display())
            })?;
            let c = Config::parse(&p, &text)?;
            Some((p, c))
        }
        None => None,
    };
    let flags = Flags {
        paths: args.paths.clone(),
        baseline: args.baseline.clone(),
        update_baseline: args.update_baseline,
        reused_share: args.reused_share,
        duplicate_threshold: args.duplicate_threshold,
        boilerplate: args.boilerplate,
        min_words: args.min_words,
        min_score: args.min_score,
        reworded: args.reworded,
        min_shared: args.min_shared,
        max_df: args.max_df,
        boilerplate_min_docs: args.boilerplate_min_docs,
        glob: args.glob.clone(),
        manifest: args.manifest.clone(),
        statements: args.statements.clone(),
        statement_dropped: args.statement_dropped,
        cache_dir: args.cache_dir.clone(),
        no_cache: args.no_cache,
        format: args.format.map(config::Format::from),
        output: args.output.clone(),
        follow: args.follow,
        read: resolve::read_options(&args.read),
    };
    Ok(config::resolve(&flags, config)?)
}

/// Refuse an output of `check` that is one of its inputs or another of its outputs.
fn guard(r: &CheckSettings, args: &CheckArgs) -> Result<()> {
    let mut g = super::guard::Guard::new();
    let roots: Vec<PathBuf> = r.paths.iter().map(|p| plan::walk_root(p)).collect();
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
    if r.update_baseline {
        g.output("the baseline (--update-baseline)", &r.baseline);
    } else {
        g.input("the baseline", &r.baseline);
    }
    for (fmt, path) in &r.outputs {
        let Some(p) = path else { continue };
        let role = if args.output.as_ref() == Some(p) {
            "--output".to_owned()
        } else {
            let key = fmt.key();
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

pub fn check(args: CheckArgs) -> Result<i32> {
    let mut timings = crate::scan::Timings::new();
    let r = settings(&args)?;
    guard(&r, &args)?;
    let warn = |w: &str| eprintln!("cyberdiff: warning: {w}");
    let checked = crate::run::check(&r, &mut timings, &warn)?;
    let (state, verdict) = (&checked.state, &checked.verdict);
    let render_terminal =
        || crate::gate::terminal::render(verdict, state.docs.len(), &checked.cache, &r.baseline);
    // With --update-baseline the outputs are written as for any run (against the new baseline,
    // so they pass), and the terminal says what was written instead of the summary.
    let mut to_stdout = false;
    for (fmt, path) in &r.outputs {
        let text = match fmt {
            config::Format::Terminal => render_terminal(),
            config::Format::Json => crate::report::json::to_json(&checked.report(&r)),
            config::Format::Sarif => crate::gate::sarif::render(verdict),
            config::Format::Junit => crate::gate::junit::render(verdict),
        };
        match path {
            Some(p) => emit(p, text.as_bytes())?,
            None => {
                to_stdout = true;
                print_stdout(&text)?;
            }
        }
    }
    if r.update_baseline {
        if !args.quiet && !to_stdout {
            print_stdout(&format!(
                "cyberdiff check: baseline {} written with {} findings ({} documents)\n",
                crate::report::printable_path(&r.baseline),
                checked.baseline.as_ref().map_or(0, |b| b.findings.len()),
                state.docs.len()
            ))?;
        }
        return Ok(0);
    }
    if !args.quiet && !to_stdout {
        print_stdout(&render_terminal())?;
    }
    timings.lap("outputs");
    let code = if verdict.new > 0 { 1 } else { 0 };
    // The process ends here: freeing the state's ~10 allocations per document one by one is about 5%
    // of an incremental run on a 10,000-document corpus, and the system frees it all at once.
    std::mem::forget(checked);
    Ok(code)
}

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
