//! Raw arguments to the library's configuration, with all validation.

use anyhow::Result;

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

/// The aligner's parameters from the command line, checked by [`Params::validate`].
pub fn params(a: &AlignArgs) -> Result<Params> {
    let params = Params {
        word_ngram: a.ngram,
        cjk_ngram: a.cjk_ngram,
        max_seed_freq: a.max_seed_freq,
        max_gap: a.max_gap,
        min_words: a.min_words,
        min_score: a.min_score,
        thresholds: Thresholds {
            repeated_min_aligned: a.repeated_min_aligned,
            repeated_max_length_ratio: a.repeated_max_ratio,
            expanded_min_found: a.expanded_min_found,
            expanded_min_length_ratio: a.expanded_min_ratio,
        },
        reworded: !a.no_reworded,
    };
    params.validate()?;
    Ok(params)
}

/// The aligner's parameters for `dedup`: as [`params`], with the reworded tier off unless
/// `--reworded` asks for it (dedup removes near-copies; a reworded passage is not one).
pub fn dedup_params(a: &AlignArgs) -> Result<Params> {
    let mut p = params(a)?;
    p.reworded = a.reworded;
    Ok(p)
}

/// How to read documents, from the command line.
pub fn read_options(r: &ReadArgs) -> ReadOptions {
    ReadOptions {
        lossy: r.lossy,
        max_bytes: r.max_bytes,
    }
}
