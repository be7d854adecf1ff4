//! Corpus: reading documents from disk into decoded text with an id and a date.
//!
//! Takes a path and gives a [`Document`] whose `text` is what every span in every report points into:
//! UTF-8 with a leading BOM dropped (CRLF kept as written, so offsets stay those of the file), UTF-16
//! decoded when it opens with its byte-order mark, or, for `.html`/`.htm`, the text content extracted
//! by an HTML tokenizer. Refuses, with an [`Error`] that names the file and says what to do: a missing
//! or unreadable file, a folder, an empty or whitespace-only file, a binary file (NUL bytes; UTF-16
//! without a byte-order mark is named as such), invalid UTF-8 (with the byte offset, unless lossy
//! decoding was asked for), files over the size limit, and a named pipe nothing writes to (opened
//! without waiting for a writer).

mod html;
pub mod jsonl;
pub mod manifest;
pub mod walk;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::Error;

pub use html::html_to_text;
pub use manifest::CorpusManifest;
pub use walk::{Corpus, CorpusDoc, Skipped, WalkOptions, read_corpus};

/// The largest document accepted by default: offsets are stored as `u32`.
pub const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// The largest `--max-bytes`: byte offsets into a document are stored as `u32`.
pub const MAX_MAX_BYTES: u64 = u32::MAX as u64;

/// The largest statements file, manifest, configuration, baseline or gold file read.
pub const SIDE_FILE_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// One document, decoded.
#[derive(Clone, Debug)]
pub struct Document {
    /// The file name without its extension.
    pub id: String,
    /// The path as given.
    pub path: PathBuf,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY` from the start of the file name, if there is one.
    pub date: Option<String>,
    /// The text every span points into.
    pub text: String,
    /// Size of the file on disk, in bytes.
    pub bytes: u64,
    /// xxh3-64 of the file's bytes as read, in hex.
    pub hash: String,
}

impl Document {
    /// A document that was never a file (tests, fuzzing, text from elsewhere): path `ID.txt`, no date.
    pub fn from_text(id: &str, text: &str) -> Document {
        Document {
            id: id.to_owned(),
            path: format!("{id}.txt").into(),
            date: None,
            text: text.to_owned(),
            bytes: text.len() as u64,
            hash: format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes())),
        }
    }
}

/// How to read documents.
#[derive(Clone, Copy, Debug)]
pub struct ReadOptions {
    /// Replace invalid UTF-8 with U+FFFD instead of refusing the file.
    pub lossy: bool,
    /// Refuse files larger than this.
    pub max_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            lossy: false,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// Read and decode one document.
pub fn read_document(path: &Path, opts: &ReadOptions) -> Result<Document, Error> {
    let bytes = read_document_bytes(path, opts.max_bytes)?;
    let hash = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes));
    let size = bytes.len() as u64;
    let text = decode(path, bytes, opts.lossy)?;
    let text = if is_html(path) {
        html_to_text(&text)
    } else {
        text
    };
    if text.trim().is_empty() {
        return Err(Error::Empty(path.to_path_buf()));
    }
    let id = doc_id(path);
    Ok(Document {
        date: date_from_name(&id),
        id,
        path: path.to_path_buf(),
        text,
        bytes: size,
        hash,
    })
}

/// [`read_bounded`] with the document's size error, which points at `--max-bytes`.
fn read_document_bytes(path: &Path, max_bytes: u64) -> Result<Vec<u8>, Error> {
    read_bounded(path, max_bytes).map_err(|e| match e {
        Error::FileTooLarge {
            path, bytes, limit, ..
        } => Error::TooLarge { path, bytes, limit },
        e => e,
    })
}

/// Read a whole file of at most `limit` bytes. A larger file is refused from its size before anything
/// is read, and the read itself stops after `limit + 1` bytes, so a file that grows meanwhile, a pipe
/// or a device (`/dev/zero`) cannot exhaust memory either.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    read_bounded_as(path, limit, "a document")
}

/// [`read_bounded`] for files that are not documents (`what`: "a statements file", ...).
pub fn read_bounded_as(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, Error> {
    let io = |cause| Error::Io {
        path: path.to_path_buf(),
        cause,
    };
    let too_large = |bytes| Error::FileTooLarge {
        path: path.to_path_buf(),
        bytes,
        limit,
        what,
    };
    let meta = fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(Error::IsDirectory(path.to_path_buf()));
    }
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let out_of_memory = |bytes| Error::OutOfMemory {
        path: path.to_path_buf(),
        bytes,
    };
    let fifo = is_fifo(&meta);
    let mut reader = open_for_reading(path, fifo)
        .map_err(io)?
        .take(limit.saturating_add(1));
    // Memory is asked for, not assumed: a failed allocation is an error naming the file, not an
    // abort. Chunks are checked for NUL bytes as they come, so a binary file (a sparse one of
    // gigabytes, all zeros) is refused after its first megabyte, whatever --max-bytes says.
    // One byte more than the size, so that the read that finds the end needs no more memory.
    let mut bytes: Vec<u8> = Vec::new();
    bytes
        .try_reserve_exact(meta.len() as usize + 1)
        .map_err(|_| out_of_memory(meta.len()))?;
    const CHUNK: usize = 1 << 20;
    loop {
        let start = bytes.len();
        if bytes.capacity() == start {
            bytes
                .try_reserve(CHUNK)
                .map_err(|_| out_of_memory(start as u64))?;
        }
        // One `read` a chunk into zeroed memory (`read_to_end` would fill the spare capacity
        // without zeroing it, but in reads of 8 KiB and up and with one more read a file).
        let end = bytes.capacity().min(start + CHUNK);
        bytes.resize(end, 0);
        let n = loop {
            match reader.read(&mut bytes[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io(e)),
            }
        };
        bytes.truncate(start + n);
        // UTF-16 holds NUL bytes in every ASCII character: its text is checked once decoded.
        if let Some(i) = memchr_nul(&bytes[start..]).filter(|_| utf16_bom(&bytes).is_none()) {
            return Err(nul_error(path, &bytes, start + i));
        }
        if bytes.len() as u64 > limit {
            return Err(too_large(bytes.len() as u64));
        }
        if n == 0 {
            if fifo && bytes.is_empty() {
                // A pipe with no writer reads as empty at once (it was opened without waiting).
                return Err(io(std::io::Error::other(
                    "it is a named pipe with nothing writing to it",
                )));
            }
            return Ok(bytes);
        }
    }
}

#[cfg(unix)]
fn is_fifo(meta: &fs::Metadata) -> bool {
    std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type())
}

#[cfg(not(unix))]
fn is_fifo(_meta: &fs::Metadata) -> bool {
    false
}

/// Open a file to read it. A named pipe is opened without waiting for a writer (a plain `open`
/// would block until one comes, for ever if none does), then read as usual: from a writer that is
/// there, or as empty at once when there is none.
fn open_for_reading(path: &Path, fifo: bool) -> std::io::Result<fs::File> {
    #[cfg(target_os = "linux")]
    if fifo {
        use rustix::fs::{OFlags, fcntl_getfl, fcntl_setfl};
        use std::os::unix::fs::OpenOptionsExt;
        let f = fs::OpenOptions::new()
            .read(true)
            .custom_flags(OFlags::NONBLOCK.bits() as i32)
            .open(path)?;
        let flags = fcntl_getfl(&f)?;
        fcntl_setfl(&f, flags.difference(OFlags::NONBLOCK))?;
        return Ok(f);
    }
    let _ = fifo;
    fs::File::open(path)
}

/// [`read_bounded_as`] of a UTF-8 file (a BOM dropped), within [`SIDE_FILE_MAX_BYTES`].
pub fn read_side_file(path: &Path, what: &'static str) -> Result<String, Error> {
    let bytes = read_bounded_as(path, SIDE_FILE_MAX_BYTES, what)?;
    decode(path, bytes, false)
}

/// The byte order of a file that opens with a UTF-16 byte-order mark: `Some(true)` big-endian.
fn utf16_bom(bytes: &[u8]) -> Option<bool> {
    match bytes {
        [0xFF, 0xFE, ..] => Some(false),
        [0xFE, 0xFF, ..] => Some(true),
        _ => None,
    }
}

/// The error for a NUL byte at `offset`: UTF-16 without a byte-order mark (NUL bytes in one of
/// every two positions, ASCII in the others, over the first kilobytes) is named as such, anything
/// else is binary.
fn nul_error(path: &Path, bytes: &[u8], offset: usize) -> Error {
    let head = &bytes[..bytes.len().min(4096) & !1];
    let pairs = head.len() / 2;
    if pairs >= 2 {
        let zeros = |parity: usize| {
            head.iter()
                .skip(parity)
                .step_by(2)
                .filter(|&&b| b == 0)
                .count()
        };
        let (even, odd) = (zeros(0), zeros(1));
        // Mostly-ASCII text: most high bytes are zero, no low byte is.
        if odd * 10 >= pairs * 6 && even == 0 {
            return Error::Utf16NoBom {
                path: path.to_path_buf(),
                big_endian: false,
            };
        }
        if even * 10 >= pairs * 6 && odd == 0 {
            return Error::Utf16NoBom {
                path: path.to_path_buf(),
                big_endian: true,
            };
        }
    }
    Error::Binary {
        path: path.to_path_buf(),
        offset,
    }
}

/// Decode UTF-16 after its byte-order mark; an unpaired surrogate or an odd last byte is an error
/// naming its byte offset (or U+FFFD when `lossy`).
fn decode_utf16(path: &Path, bytes: &[u8], big_endian: bool, lossy: bool) -> Result<String, Error> {
    let body = &bytes[2..];
    let units = body.chunks(2).map(|c| match (c, big_endian) {
        ([hi, lo], true) | ([lo, hi], false) => u16::from_be_bytes([*hi, *lo]),
        // An odd last byte: not a code unit (a lone surrogate is invalid the same way).
        _ => 0xDC00,
    });
    let mut text = String::with_capacity(body.len());
    let mut at = 2;
    for c in char::decode_utf16(units) {
        match c {
            Ok('\0') => {
                return Err(Error::Binary {
                    path: path.to_path_buf(),
                    offset: at,
                });
            }
            Ok(c) => {
                at += 2 * c.len_utf16();
                text.push(c);
            }
            Err(_) if lossy => {
                at += 2;
                text.push('\u{FFFD}');
            }
            Err(_) => {
                return Err(Error::InvalidUtf16 {
                    path: path.to_path_buf(),
                    offset: at,
                });
            }
        }
    }
    Ok(text)
}

/// Decode bytes as UTF-8, dropping a BOM, refusing binary content; or as UTF-16 when they open
/// with its byte-order mark. Valid UTF-8 becomes the text without a copy.
pub fn decode(path: &Path, mut bytes: Vec<u8>, lossy: bool) -> Result<String, Error> {
    if let Some(big_endian) = utf16_bom(&bytes) {
        return decode_utf16(path, &bytes, big_endian, lossy);
    }
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    if let Some(offset) = memchr_nul(&bytes[bom..]) {
        return Err(nul_error(path, &bytes, offset + bom));
    }
    bytes.drain(..bom);
    String::from_utf8(bytes).or_else(|e| {
        if lossy {
            Ok(String::from_utf8_lossy(e.as_bytes()).into_owned())
        } else {
            Err(Error::InvalidUtf8 {
                path: path.to_path_buf(),
                offset: e.utf8_error().valid_up_to() + bom,
            })
        }
    })
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(0, bytes)
}

fn is_html(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

/// The document id: the file name without its extension (see [`clean_id`]).
pub fn doc_id(path: &Path) -> String {
    clean_id(
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
    )
}

/// An id with its control and bidirectional-override characters as U+FFFD. Ids are names shown in
/// every report and summary, inside a line: a file named "a\nPASS: b.txt" must not print a line of
/// its own wherever its id goes (the path keeps the name as it is).
pub fn clean_id(id: String) -> String {
    match crate::report::printable_line(&id) {
        std::borrow::Cow::Borrowed(_) => id,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

/// A leading `YYYY-MM-DD`, `YYYY-MM` or `YYYY` in a file name, not followed by another digit.
pub fn date_from_name(name: &str) -> Option<String> {
    let b = name.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let ends_at = |i: usize| b.get(i).is_none_or(|c| !c.is_ascii_digit());
    if !digits(0..4) {
        return None;
    }
    let month_ok = |i: usize| {
        matches!(
            &name[i..i + 2],
            "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12"
        )
    };
    let mut end = 4;
    if b.get(4) == Some(&b'-') && digits(5..7) && month_ok(5) {
        end = 7;
        if b.get(7) == Some(&b'-') && digits(8..10) && ("01"..="31").contains(&&name[8..10]) {
            end = 10;
        }
    }
    ends_at(end).then(|| name[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_names() {
        assert_eq!(
            date_from_name("2015-12-16_xinhua").as_deref(),
            Some("2015-12-16")
        );
        assert_eq!(
            date_from_name("2019-10_chinadaily").as_deref(),
            Some("2019-10")
        );
        assert_eq!(date_from_name("2022 report").as_deref(), Some("2022"));
        assert_eq!(date_from_name("2019-13_x").as_deref(), Some("2019"));
        assert_eq!(date_from_name("20221_x"), None);
        assert_eq!(date_from_name("report"), None);
        assert_eq!(date_from_name("中华人民共和国宪法__1982-12-04"), None);
    }

    #[test]
    fn bounded_reads_are_exact_across_chunks_and_stop_at_a_nul_or_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.txt");
        let body: Vec<u8> = (0..(3 << 20) + 5).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(&p, &body).unwrap();
        let n = body.len() as u64;
        assert_eq!(read_bounded(&p, n).unwrap(), body);
        assert!(matches!(
            read_bounded(&p, n - 1),
            Err(Error::FileTooLarge { bytes, .. }) if bytes == n
        ));
        let mut nul = body.clone();
        nul[(2 << 20) + 3] = 0;
        std::fs::write(&p, &nul).unwrap();
        assert!(matches!(
            read_bounded(&p, n),
            Err(Error::Binary { offset, .. }) if offset == (2 << 20) + 3
        ));
        assert!(matches!(
            read_bounded(dir.path(), n),
            Err(Error::IsDirectory(_))
        ));
    }

    #[test]
    fn bom_is_dropped_and_offsets_reported() {
        let p = Path::new("x.txt");
        assert_eq!(
            decode(p, b"\xEF\xBB\xBFabc".to_vec(), false).unwrap(),
            "abc"
        );
        match decode(p, b"\xEF\xBB\xBFab\xFFc".to_vec(), false) {
            Err(Error::InvalidUtf8 { offset, .. }) => assert_eq!(offset, 5),
            other => panic!("expected invalid UTF-8, got {other:?}"),
        }
        assert_eq!(decode(p, b"ab\xFFc".to_vec(), true).unwrap(), "ab\u{FFFD}c");
        assert!(matches!(
            decode(p, b"ab\0c".to_vec(), false),
            Err(Error::Binary { offset: 2, .. })
        ));
    }
}
