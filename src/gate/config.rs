//! The settings of `check`: `cyberdiff.toml` (parsed, with the line at fault in its errors), the
//! values given as flags, and their layering into [`CheckSettings`].
//!
//! Takes the flags ([`Flags`], no command-line parser's types) and the configuration file's text;
//! gives the settings every later step reads, validated. A flag wins over the file, the file over
//! the defaults; a relative path in the file is relative to the file's folder, and an error names
//! where its value came from (`--max-df`, or `thresholds.max_df in cyberdiff.toml`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Thresholds;
use super::state::Settings;
use crate::Error;
use crate::align::Params;
use crate::corpus::ReadOptions;

/// The configuration file `check` reads by default.
pub const CONFIG_NAME: &str = "cyberdiff.toml";

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Terminal,
    Json,
    Sarif,
    Junit,
}

impl Format {
    /// Its key in the `[outputs]` table of the configuration file.
    pub fn key(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Terminal => "terminal",
        }
    }
}

/// `cyberdiff.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub paths: Option<Vec<String>>,
    pub glob: Option<Vec<String>>,
    pub manifest: Option<String>,
    pub statements: Option<String>,
    pub baseline: Option<String>,
    pub cache: Option<String>,
    #[serde(default)]
    pub thresholds: ConfigThresholds,
    #[serde(default)]
    pub outputs: ConfigOutputs,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigThresholds {
    pub reused_share: Option<f64>,
    pub duplicate: Option<f64>,
    pub boilerplate: Option<bool>,
    pub statement_dropped: Option<bool>,
    pub min_words: Option<f64>,
    pub min_score: Option<f64>,
    pub reworded: Option<bool>,
    pub min_shared: Option<usize>,
    pub max_df: Option<usize>,
    pub boilerplate_min_docs: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigOutputs {
    pub json: Option<String>,
    pub sarif: Option<String>,
    pub junit: Option<String>,
}

impl Config {
    /// Parse the text of a `cyberdiff.toml`; `path` names it in errors, with the line at fault.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Error> {
        toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| {
                text.get(..s.start).unwrap_or(text).matches('\n').count() + 1
            });
            Error::Parse {
                path: path.to_path_buf(),
                line,
                message: e.message().to_owned(),
            }
        })
    }
}

/// Whether `text` parses as a `cyberdiff.toml` (the fuzz target's entry point: the parse step of
/// `check`, before values are validated).
#[doc(hidden)]
pub fn check_config_text(path: &Path, text: &str) -> Result<(), Error> {
    Config::parse(path, text).map(drop)
}

/// The settings given as flags: `None` (or empty) where a flag was not given.
#[derive(Debug, Default)]
pub struct Flags {
    pub paths: Vec<String>,
    pub baseline: Option<PathBuf>,
    pub update_baseline: bool,
    pub reused_share: Option<f64>,
    pub duplicate_threshold: Option<f64>,
    pub boilerplate: Option<bool>,
    pub min_words: Option<f64>,
    pub min_score: Option<f64>,
    pub reworded: Option<bool>,
    pub min_shared: Option<usize>,
    pub max_df: Option<usize>,
    pub boilerplate_min_docs: Option<usize>,
    pub glob: Vec<String>,
    pub manifest: Option<PathBuf>,
    pub statements: Option<PathBuf>,
    pub statement_dropped: Option<bool>,
    pub cache_dir: Option<PathBuf>,
    pub no_cache: bool,
    pub format: Option<Format>,
    pub output: Option<PathBuf>,
    pub follow: bool,
    pub read: ReadOptions,
}

/// Everything `check` needs, resolved and validated.
#[derive(Debug)]
pub struct CheckSettings {
    /// The configuration file read, if any.
    pub config: Option<PathBuf>,
    /// Whether the baseline was named (flag or configuration) rather than the default.
    pub baseline_named: bool,
    /// Record the findings as the baseline (and pass).
    pub update_baseline: bool,
    pub follow: bool,
    pub paths: Vec<String>,
    pub globs: Vec<String>,
    pub manifest: Option<PathBuf>,
    pub statements: Option<PathBuf>,
    pub baseline: PathBuf,
    /// The index cache folder; `None`: no cache.
    pub cache: Option<PathBuf>,
    pub thresholds: Thresholds,
    pub settings: Settings,
    pub read: ReadOptions,
    /// Each output with its file (`None`: standard output).
    pub outputs: Vec<(Format, Option<PathBuf>)>,
}

fn share(name: &str, x: f64) -> Result<f64, Error> {
    if !(0.0..=1.0).contains(&x) {
        return Err(Error::Setting(format!(
            "{name} must be between 0 and 1, got {x}"
        )));
    }
    Ok(x)
}

/// Layer `flags` over `config` (the file read and its path, if any) over the defaults.
pub fn resolve(flags: &Flags, config: Option<(PathBuf, Config)>) -> Result<CheckSettings, Error> {
    let (config_path, config, base) = match config {
        Some((p, c)) => {
            let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
            (Some(p), c, dir)
        }
        None => (None, Config::default(), PathBuf::new()),
    };
    let rel = |s: &str| -> PathBuf {
        let p = Path::new(s);
        if p.is_absolute() || base.as_os_str().is_empty() {
            p.to_path_buf()
        } else {
            base.join(p)
        }
    };
    let paths: Vec<String> = if !flags.paths.is_empty() {
        flags.paths.clone()
    } else {
        config
            .paths
            .iter()
            .flatten()
            .map(|s| rel(s).display().to_string())
            .collect()
    };
    if paths.is_empty() {
        return Err(Error::Setting(format!(
            "no corpus to check: give PATHs, or set `paths` in {CONFIG_NAME} (`cyberdiff init` writes one)"
        )));
    }
    let t = &config.thresholds;
    // Where a threshold came from, for its error: the flag, or the key in the configuration file.
    let origin = |flag: bool, key: &str| match (&config_path, flag) {
        (Some(p), false) => format!("thresholds.{key} in {}", p.display()),
        _ => format!("--{}", key.replace('_', "-")),
    };
    // As `scan` (whose findings the gate must match): the reworded tier on unless turned off.
    let mut align = Params {
        reworded: flags.reworded.or(t.reworded).unwrap_or(true),
        ..Params::default()
    };
    if let Some(x) = flags.min_words.or(t.min_words) {
        if !(x >= 1.0 && x.is_finite()) {
            return Err(Error::Setting(format!(
                "{} must be at least 1, got {x}",
                origin(flags.min_words.is_some(), "min_words")
            )));
        }
        align.min_words = x;
    }
    if let Some(x) = flags.min_score.or(t.min_score) {
        align.min_score = share(&origin(flags.min_score.is_some(), "min_score"), x)?;
    }
    let min_shared = flags.min_shared.or(t.min_shared).unwrap_or(3);
    if min_shared == 0 {
        return Err(Error::Setting(format!(
            "{} must be at least 1",
            origin(flags.min_shared.is_some(), "min_shared")
        )));
    }
    let max_df = flags.max_df.or(t.max_df).unwrap_or(100);
    if max_df < 2 {
        return Err(Error::Setting(format!(
            "{} must be at least 2, got {max_df}",
            origin(flags.max_df.is_some(), "max_df")
        )));
    }
    let bmd = flags.boilerplate_min_docs.or(t.boilerplate_min_docs);
    if bmd.is_some_and(|n| n < 2) {
        return Err(Error::Setting(format!(
            "{} must be at least 2",
            origin(flags.boilerplate_min_docs.is_some(), "boilerplate_min_docs")
        )));
    }
    let read = flags.read;
    let thresholds = Thresholds {
        reused_share: share(
            &origin(flags.reused_share.is_some(), "reused_share"),
            flags.reused_share.or(t.reused_share).unwrap_or(0.3),
        )?,
        duplicate: share(
            &match (&config_path, flags.duplicate_threshold.is_some()) {
                (Some(p), false) => format!("thresholds.duplicate in {}", p.display()),
                _ => "--duplicate-threshold".to_owned(),
            },
            flags.duplicate_threshold.or(t.duplicate).unwrap_or(0.8),
        )?,
        boilerplate: flags.boilerplate.or(t.boilerplate).unwrap_or(true),
        statement_dropped: flags
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
    let format = flags.format.unwrap_or(Format::Terminal);
    if format != Format::Terminal || flags.output.is_some() {
        outputs.retain(|(f, _)| *f != format);
        outputs.push((format, flags.output.clone()));
    }
    let cache = if flags.no_cache {
        None
    } else {
        Some(
            flags
                .cache_dir
                .clone()
                .unwrap_or_else(|| rel(config.cache.as_deref().unwrap_or(".cyberdiff"))),
        )
    };
    let link_share = thresholds.duplicate;
    Ok(CheckSettings {
        config: config_path.clone(),
        baseline_named: flags.baseline.is_some() || config.baseline.is_some(),
        update_baseline: flags.update_baseline,
        follow: flags.follow,
        paths,
        globs: if flags.glob.is_empty() {
            config.glob.clone().unwrap_or_default()
        } else {
            flags.glob.clone()
        },
        manifest: flags
            .manifest
            .clone()
            .or_else(|| config.manifest.as_deref().map(rel)),
        statements: flags
            .statements
            .clone()
            .or_else(|| config.statements.as_deref().map(rel)),
        baseline: flags.baseline.clone().unwrap_or_else(|| {
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
# reworded = true    # passages of synonyms, derivations and reordered words (as `scan`)
# min_shared = 3     # distinct shared n-grams that make a pair worth aligning
# max_df = 100       # n-grams in more documents than this do not make pairs
# boilerplate_min_docs = 10   # default: 10% of the documents, at least 5, at most max_df + 1

# Machine-readable outputs, written on every run (besides the terminal summary).
[outputs]
# json = "cyberdiff-check.json"
# sarif = "cyberdiff-check.sarif"   # upload with github/codeql-action/upload-sarif
# junit = "cyberdiff-check.xml"
"#;

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

    fn config(text: &str) -> Option<(PathBuf, Config)> {
        let path = PathBuf::from("ci/cyberdiff.toml");
        let c = Config::parse(&path, text).unwrap();
        Some((path, c))
    }

    #[test]
    fn flags_win_over_the_file_and_the_file_over_the_defaults() {
        let file = "paths = [\"corpus/\"]\nbaseline = \"base.json\"\n\
                    [thresholds]\nreused_share = 0.5\nmax_df = 50\n[outputs]\njson = \"out.json\"\n";
        let flags = Flags {
            reused_share: Some(0.7),
            min_shared: Some(4),
            ..Flags::default()
        };
        let s = resolve(&flags, config(file)).unwrap();
        // Flags first; then the file; then the defaults.
        assert_eq!(s.thresholds.reused_share, 0.7);
        assert_eq!(s.settings.min_shared, 4);
        assert_eq!(s.settings.max_df, 50);
        assert_eq!(s.thresholds.duplicate, 0.8);
        assert!(s.thresholds.boilerplate);
        assert_eq!(s.settings.link_share, 0.8);
        // The reworded tier: on by default, as in `scan`; the file turns it off, a flag back on.
        assert!(s.settings.params.reworded);
        let off = file.replace("max_df = 50\n", "max_df = 50\nreworded = false\n");
        let s2 = resolve(&Flags::default(), config(&off)).unwrap();
        assert!(!s2.settings.params.reworded);
        let on = Flags {
            reworded: Some(true),
            ..Flags::default()
        };
        assert!(resolve(&on, config(&off)).unwrap().settings.params.reworded);
        // The file's relative paths are relative to its folder.
        assert_eq!(s.paths, vec!["ci/corpus/".to_owned()]);
        assert_eq!(s.baseline, PathBuf::from("ci/base.json"));
        assert!(s.baseline_named);
        assert_eq!(s.cache, Some(PathBuf::from("ci/.cyberdiff")));
        assert_eq!(
            s.outputs,
            vec![(Format::Json, Some(PathBuf::from("ci/out.json")))]
        );
        // A flag's paths are taken as given, and --format with --output replaces the file's output.
        let flags = Flags {
            paths: vec!["other/".to_owned()],
            format: Some(Format::Json),
            output: Some(PathBuf::from("flag.json")),
            no_cache: true,
            ..Flags::default()
        };
        let s = resolve(&flags, config(file)).unwrap();
        assert_eq!(s.paths, vec!["other/".to_owned()]);
        assert_eq!(
            s.outputs,
            vec![(Format::Json, Some(PathBuf::from("flag.json")))]
        );
        assert_eq!(s.cache, None);
    }

    #[test]
    fn without_a_file_the_defaults_hold() {
        let flags = Flags {
            paths: vec!["corpus".to_owned()],
            ..Flags::default()
        };
        let s = resolve(&flags, None).unwrap();
        assert_eq!(s.baseline, PathBuf::from("cyberdiff-baseline.json"));
        assert!(!s.baseline_named);
        assert_eq!(s.cache, Some(PathBuf::from(".cyberdiff")));
        assert!(s.outputs.is_empty());
        assert_eq!(s.settings.max_df, 100);
        assert_eq!(s.settings.boilerplate_min_docs, None);
        assert_eq!(s.thresholds.reused_share, 0.3);
    }

    #[test]
    fn an_error_names_where_the_value_came_from() {
        let file = "paths = [\"c\"]\n[thresholds]\nmax_df = 1\nduplicate = 2.0\n";
        let error = |max_df: Option<usize>, file: Option<&str>| {
            let flags = Flags {
                max_df,
                ..Flags::default()
            };
            resolve(&flags, file.and_then(config))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error(None, Some(file)),
            "thresholds.max_df in ci/cyberdiff.toml must be at least 2, got 1"
        );
        assert_eq!(
            error(Some(3), Some(file)),
            "thresholds.duplicate in ci/cyberdiff.toml must be between 0 and 1, got 2"
        );
        assert_eq!(
            error(Some(1), Some(file)),
            "--max-df must be at least 2, got 1"
        );
        assert!(error(None, None).starts_with("no corpus to check"));
    }
}
