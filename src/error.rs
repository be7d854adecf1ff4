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
}
