//! The library's one error type: every variant names the file it is about and says what to do.

use std::path::PathBuf;

/// What went wrong, and with which file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // The I/O cause is part of the message and deliberately not a `source()`: callers print error
    // chains with `{:#}`, which would repeat it.
    #[error("cannot read {}: {cause}", path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(
        "cannot write {}: {cause}; check that its folder exists and can be written to",
        path.display()
    )]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{} is a folder; give a file (to search a whole folder, use `cyberdiff scan`)", .0.display())]
    IsDirectory(PathBuf),
    #[error("{} is empty or holds only white space: there is no text to align", .0.display())]
    Empty(PathBuf),
    #[error(
        "{} looks binary (NUL byte at byte offset {offset}); give a text file (.txt, .md) or HTML (.html, .htm)",
        path.display()
    )]
    Binary { path: PathBuf, offset: usize },
    #[error(
        "{} is not valid UTF-8 (first invalid byte at byte offset {offset}); convert it to UTF-8 \
         (e.g. `iconv -f WINDOWS-1252 -t UTF-8`), or pass --lossy to replace invalid bytes",
        path.display()
    )]
    InvalidUtf8 { path: PathBuf, offset: usize },
    #[error(
        "{} is not valid UTF-16 (an unpaired surrogate or odd last byte at byte offset {offset}); \
         convert it to UTF-8, or pass --lossy to replace invalid units",
        path.display()
    )]
    InvalidUtf16 { path: PathBuf, offset: usize },
    #[error(
        "{} looks like UTF-16 ({}) without a byte-order mark; convert it to UTF-8 \
         (`iconv -f {} -t UTF-8`), or add the mark",
        path.display(),
        if *big_endian { "big-endian" } else { "little-endian" },
        if *big_endian { "UTF-16BE" } else { "UTF-16LE" }
    )]
    Utf16NoBom { path: PathBuf, big_endian: bool },
    #[error(
        "{} is {bytes} bytes, over the limit of {limit} bytes; raise it with --max-bytes if you mean it",
        path.display()
    )]
    TooLarge {
        path: PathBuf,
        bytes: u64,
        limit: u64,
    },
    #[error(
        "{} is {bytes} bytes, over the limit of {limit} bytes for {what}; is it the right file?",
        path.display()
    )]
    FileTooLarge {
        path: PathBuf,
        bytes: u64,
        limit: u64,
        what: &'static str,
    },
    #[error(
        "{} is {bytes} bytes and there is not enough memory to read it; free memory or lower \
         --max-bytes to skip such files",
        path.display()
    )]
    OutOfMemory { path: PathBuf, bytes: u64 },
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// A setting of `check` that cannot be used: the message names the flag, or the key in the
    /// configuration file, that gave it.
    #[error("{0}")]
    Setting(String),
    /// A corpus `check` cannot gate (no document, or more than it holds): the message names the paths.
    #[error("{0}")]
    Corpus(String),
    /// A file of the corpus or of the index cache changed, or went, while `check` read it: running
    /// again reads it afresh.
    #[error("{0}")]
    Changed(String),
}

/// An option out of its range. `option` is the option's name as the command line spells it without
/// its dashes (`min-words`); the Python package spells it with underscores (`min_words`), so one
/// check serves both.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("--{option} {problem}")]
pub struct OptionError {
    pub option: &'static str,
    /// What is wrong with the value given: "must be between 0 and 1, got 2".
    pub problem: String,
}

impl OptionError {
    pub(crate) fn new(option: &'static str, problem: String) -> Self {
        Self { option, problem }
    }

    /// A share: a value from 0 to 1.
    pub(crate) fn share(option: &'static str, x: f64) -> Result<f64, Self> {
        if !(0.0..=1.0).contains(&x) {
            return Err(Self::new(
                option,
                format!("must be between 0 and 1, got {x}"),
            ));
        }
        Ok(x)
    }

    /// A ratio of at least 1.
    pub(crate) fn ratio(option: &'static str, x: f64) -> Result<f64, Self> {
        if !(x >= 1.0 && x.is_finite()) {
            return Err(Self::new(
                option,
                format!("must be a ratio of at least 1, got {x}"),
            ));
        }
        Ok(x)
    }

    /// A whole number of at least `min`; `show` says whether the message repeats the value.
    pub(crate) fn at_least(
        option: &'static str,
        n: usize,
        min: usize,
        show: bool,
    ) -> Result<usize, Self> {
        if n < min {
            let problem = if show {
                format!("must be at least {min}, got {n}")
            } else {
                format!("must be at least {min}")
            };
            return Err(Self::new(option, problem));
        }
        Ok(n)
    }
}
