//! Raw arguments to the library's configuration, with all validation.

use anyhow::{Result, bail};

use super::{AlignArgs, ReadArgs};
use crate::align::{Params, Thresholds};
use crate::corpus::ReadOptions;

/// When to colour terminal output.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour, given whether standard output is a terminal; `NO_COLOR` turns auto off.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

fn share(name: &str, x: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&x) {
        bail!("--{name} must be between 0 and 1, got {x}");
    }
    Ok(x)
}

fn ratio(name: &str, x: f64) -> Result<f64> {
    if !(x >= 1.0 && x.is_finite()) {
        bail!("--{name} must be a ratio of at least 1, got {x}");
    }
    Ok(x)
}

/// The aligner's parameters from the command line.
pub fn params(a: &AlignArgs) -> Result<Params> {
    if !(a.min_words >= 1.0 && a.min_words.is_finite()) {
        bail!("--min-words must be at least 1, got {}", a.min_words);
    }
    for (name, n, lo, hi) in [
        ("ngram", a.ngram, 1, 16),
        ("cjk-ngram", a.cjk_ngram, 1, 32),
        ("max-gap", a.max_gap, 1, 10_000),
    ] {
        if !(lo..=hi).contains(&n) {
            bail!("--{name} must be between {lo} and {hi}, got {n}");
        }
    }
    if a.max_seed_freq == 0 {
        bail!("--max-seed-freq must be at least 1");
    }
    Ok(Params {
        word_ngram: a.ngram,
        cjk_ngram: a.cjk_ngram,
        max_seed_freq: a.max_seed_freq,
        max_gap: a.max_gap,
        min_words: a.min_words,
        min_score: share("min-score", a.min_score)?,
        thresholds: Thresholds {
            repeated_min_aligned: share("repeated-min-aligned", a.repeated_min_aligned)?,
            repeated_max_length_ratio: ratio("repeated-max-ratio", a.repeated_max_ratio)?,
            expanded_min_found: share("expanded-min-found", a.expanded_min_found)?,
            expanded_min_length_ratio: ratio("expanded-min-ratio", a.expanded_min_ratio)?,
        },
        reworded: !a.no_reworded,
    })
}

/// How to read documents, from the command line.
pub fn read_options(r: &ReadArgs) -> ReadOptions {
    ReadOptions {
        lossy: r.lossy,
        max_bytes: r.max_bytes,
    }
}
