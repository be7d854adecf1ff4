//! JSON output: pretty-printed, or one record per line ([`Rows`], the summary level);
//! newline-terminated, written atomically.

use std::fs;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use super::CompareReport;
use crate::Error;

/// Serialise a report as pretty JSON with a final newline.
pub fn to_json<T: Serialize>(report: &T) -> String {
    to_string_with(report, PrettyFormatter::new())
}

/// Serialise a report with one record per line ([`Rows`]) and a final newline.
pub fn to_rows<T: Serialize>(report: &T) -> String {
    to_string_with(report, Rows::default())
}

/// Serialise a report laid out by `formatter`, with a final newline.
fn to_string_with<T: Serialize, F: Formatter>(report: &T, formatter: F) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    report
        .serialize(&mut ser)
        .expect("report types serialise without error");
    out.push(b'\n');
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Whether a file written atomically must also survive a power cut once written.
///
/// Either way the file is written beside its target under a temporary name and renamed over it, so a
/// process killed at any moment leaves the old file or the complete new one. `Durable` also flushes
/// the new file to disk (`fsync`) before the rename, which only matters if the machine itself stops:
/// it is for what CI trusts and nothing regenerates (the baseline); reports, which the same command
/// writes again, skip it (on a 1 MB comparison the `fsync` alone took longer than aligning).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    Report,
    Durable,
}

/// Write a report as pretty JSON to `path` atomically, streaming it rather than building it in memory.
pub fn write_json_atomic<T: Serialize>(path: &Path, report: &T) -> Result<(), Error> {
    write_json_with(path, report, Durability::Report)
}

/// Write pretty JSON to `path` atomically with the given durability.
pub fn write_json_with<T: Serialize>(
    path: &Path,
    report: &T,
    durability: Durability,
) -> Result<(), Error> {
    write_formatted(path, report, durability, PrettyFormatter::new())
}

/// Write a report with one record per line ([`Rows`]) to `path` atomically, streaming it.
pub fn write_rows_atomic<T: Serialize>(path: &Path, report: &T) -> Result<(), Error> {
    write_formatted(path, report, Durability::Report, Rows::default())
}

/// Write a report laid out by `formatter` to `path` atomically, streaming it.
fn write_formatted<T: Serialize, F: Formatter>(
    path: &Path,
    report: &T,
    durability: Durability,
    formatter: F,
) -> Result<(), Error> {
    write_atomic_with(path, durability, |f| {
        // A large buffer: the default 8 KB one made a 1.6 MB report 200 system calls.
        let mut w = std::io::BufWriter::with_capacity(1 << 18, f);
        let mut ser = serde_json::Serializer::with_formatter(&mut w, formatter);
        report.serialize(&mut ser).map_err(std::io::Error::other)?;
        w.write_all(b"\n")?;
        w.flush()
    })
}

/// A JSON layout for large reports: the top-level object and the lists in it are laid out as
/// pretty JSON (two-space indents), and every value below that is written compactly on its line,
/// so each pair, cluster or document is one line (`grep`, `head` and line-based tools work) and
/// no byte goes to indenting its fields.
#[derive(Default)]
pub struct Rows {
    depth: usize,
    has_value: bool,
    /// Containers this deep in the document the report is written into ([`Rows::nested`]).
    base: usize,
}

/// Containers at this depth or above are laid out over lines.
const ROWS_PRETTY_DEPTH: usize = 2;

impl Rows {
    /// The layout of a report written as a value `base` containers deep in pretty JSON (the scan
    /// in `report.json`): indented as its place there, its rows one a line.
    pub fn nested(base: usize) -> Self {
        Rows {
            depth: base,
            has_value: false,
            base,
        }
    }

    fn pretty(&self) -> bool {
        self.depth <= ROWS_PRETTY_DEPTH + self.base
    }

    /// A line break and the indent of the current depth.
    fn newline<W: ?Sized + Write>(&self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b"\n")?;
        (0..self.depth).try_for_each(|_| w.write_all(b"  "))
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if self.pretty() {
            if !first {
                w.write_all(b",")?;
            }
            self.newline(w)
        } else if first {
            Ok(())
        } else {
            w.write_all(b",")
        }
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        let was_pretty = self.pretty();
        self.depth -= 1;
        if was_pretty && self.has_value {
            self.newline(w)?;
        }
        w.write_all(bracket)
    }
}

impl Formatter for Rows {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(if self.pretty() { b": " } else { b":" })
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Write `contents` to `path` so that a reader sees either the old file or the complete new one: a
/// temporary file beside it is written and renamed over the target.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    write_atomic_with(path, Durability::Report, |f| f.write_all(contents))
}

/// Write a file atomically with `fill` writing the contents: a temporary file beside the target is
/// filled, flushed to disk if `durability` asks for it, and renamed over it. A target that is
/// neither a file nor a folder (`/dev/null`, `/dev/stdout`, a named pipe, a terminal) is written in
/// place: a rename would put a file where the device or pipe was.
pub(crate) fn write_atomic_with(
    path: &Path,
    durability: Durability,
    fill: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> Result<(), Error> {
    write_with(path, durability, true, fill)
}

/// [`write_atomic_with`] for a file of cyberdiff's own (the index cache): whatever is in its place,
/// a device or a pipe included, is replaced.
pub(crate) fn write_owned_with(
    path: &Path,
    fill: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> Result<(), Error> {
    write_with(path, Durability::Report, false, fill)
}

fn write_with(
    path: &Path,
    durability: Durability,
    devices_in_place: bool,
    fill: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> Result<(), Error> {
    let err = |source| Error::Write {
        path: path.to_path_buf(),
        cause: source,
    };
    if devices_in_place && fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| fill(&mut f))
            .map_err(err);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    remove_stale_temps(dir);
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        keep_mode(path, &f)?;
        fill(&mut f)?;
        if durability == Durability::Durable {
            f.sync_all()?;
        }
        replace(&tmp, path)?;
        if durability == Durability::Durable {
            sync_dir(dir)?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// Remove the temporary files (`.NAME.tmp-PID`) that killed runs left in `dir`, whose process is
/// gone; once a run for each folder (a folder of 1,000 pair pages is listed once, not per page).
fn remove_stale_temps(dir: &Path) {
    use std::sync::Mutex;
    static DONE: Mutex<Vec<std::path::PathBuf>> = Mutex::new(Vec::new());
    {
        let mut done = DONE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if done.iter().any(|d| d == dir) {
            return;
        }
        done.push(dir.to_path_buf());
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.starts_with('.'))
            .and_then(|n| n.rsplit_once(".tmp-"))
            .and_then(|(_, pid)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id()
            && !process_alive(pid)
            && e.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Whether process `pid` runs; where that cannot be told (no `/proc`), assumed to, so that what
/// it may be writing is kept.
pub(crate) fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// Give the new file `f` the permissions of the file it replaces at `path`, if there is one: a
/// baseline kept private (0600) stays private.
fn keep_mode(path: &Path, f: &fs::File) -> std::io::Result<()> {
    match fs::metadata(path) {
        Ok(m) if m.is_file() => f.set_permissions(m.permissions()),
        _ => Ok(()),
    }
}

/// Flush the folder's entry of a renamed file to disk, so that the rename itself survives a power
/// cut (the file's contents were flushed before it).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Move the file `tmp` to `path` in one step, over the file there if there is one.
///
/// On Linux an existing regular file is swapped with the new one (`renameat2(RENAME_EXCHANGE)`,
/// atomic like a rename) and then unlinked under the temporary name. A plain rename over an existing
/// file makes ext4 allocate the new file's blocks and start writing it out at once (its
/// `auto_da_alloc` guard for programs that do not `fsync`), which makes replacing a report several
/// times slower (BENCHMARKS.md). A reader sees the old file or the new one either way; what a
/// power cut leaves of a report not flushed to disk is not promised in either case (`Durable` files
/// are flushed before).
fn replace(tmp: &Path, path: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        let is_file = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file());
        if is_file && renameat_with(CWD, tmp, CWD, path, RenameFlags::EXCHANGE).is_ok() {
            // `tmp` now names the old contents.
            let _ = fs::remove_file(tmp);
            return Ok(());
        }
    }
    fs::rename(tmp, path)
}

/// The pretty JSON of a compare report with a final newline, as [`to_json`] gives it, in pieces to
/// be written one after the other: the passages (most of the bytes: 1.6 MB for two 1 MB texts) are
/// rendered in parallel, in runs of consecutive passages.
pub fn compare_json_pieces(report: &mut CompareReport) -> Vec<Vec<u8>> {
    let passages = std::mem::take(&mut report.passages);
    let head = serde_json::to_vec_pretty(&*report);
    report.passages = passages;
    let mut head = head.expect("report types serialise without error");
    // The head ends with the empty list of passages, the report's last field.
    const EMPTY_TAIL: &[u8] = b"[]\n}";
    assert!(head.ends_with(EMPTY_TAIL), "passages are the last field");
    if report.passages.is_empty() {
        head.push(b'\n');
        return vec![head];
    }
    head.truncate(head.len() - EMPTY_TAIL.len());
    head.extend_from_slice(b"[\n");
    let per_run = report
        .passages
        .len()
        .div_ceil(4 * rayon::current_num_threads())
        .max(1);
    let runs: Vec<Vec<u8>> = report
        .passages
        .par_chunks(per_run)
        .enumerate()
        .map(|(k, run)| {
            let mut out = Vec::new();
            for (i, p) in run.iter().enumerate() {
                if k > 0 || i > 0 {
                    out.extend_from_slice(b",\n");
                }
                // An element of the list, two levels deep: the printer is told so by opening an
                // object and a list on nothing first.
                out.extend_from_slice(b"    ");
                let mut nested = PrettyFormatter::new();
                let mut nothing = std::io::sink();
                nested
                    .begin_object(&mut nothing)
                    .and_then(|()| nested.begin_array(&mut nothing))
                    .expect("a sink takes anything");
                p.serialize(&mut serde_json::Serializer::with_formatter(
                    &mut out, nested,
                ))
                .expect("report types serialise without error");
            }
            out
        })
        .collect();
    let mut pieces = Vec::with_capacity(runs.len() + 2);
    pieces.push(head);
    pieces.extend(runs);
    pieces.push(b"\n  ]\n}\n".to_vec());
    pieces
}

/// Write a compare report as pretty JSON to `path` atomically, as [`write_json_atomic`] would.
pub fn write_compare_json_atomic(path: &Path, report: &mut CompareReport) -> Result<(), Error> {
    let pieces = compare_json_pieces(report);
    write_atomic_with(path, Durability::Report, |f| {
        pieces.iter().try_for_each(|p| f.write_all(p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::Params;
    use crate::corpus::Document;

    fn report(a: &str, b: &str) -> CompareReport {
        let (da, db) = (Document::from_text("a", a), Document::from_text("b", b));
        let params = Params::default();
        let cmp = crate::compare_texts(&da.text, &db.text, &params);
        CompareReport::new(&da, &db, &cmp, &params)
    }

    #[test]
    fn rows_lay_out_the_top_two_levels_and_write_the_rest_compactly() {
        let v = serde_json::json!({
            "n": 1,
            "empty": [],
            "list": [[1, "a,b", {"k": [2, 3]}], {"x": null, "y": []}],
            "obj": {"inner": {"deep": [1]}}
        });
        let text = to_rows(&v);
        let want = "{\n  \"empty\": [],\n  \"list\": [\n    [1,\"a,b\",{\"k\":[2,3]}],\n    \
                    {\"x\":null,\"y\":[]}\n  ],\n  \"n\": 1,\n  \"obj\": {\n    \
                    \"inner\": {\"deep\":[1]}\n  }\n}\n";
        assert_eq!(text, want);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn atomic_writes_replace_files_and_symlinks_but_not_folders() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second, longer").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second, longer");
        // The old contents are gone with their temporary name.
        assert_eq!(names(dir.path()), ["r.json"]);
        #[cfg(unix)]
        {
            let other = dir.path().join("other.txt");
            fs::write(&other, "kept").unwrap();
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink(&other, &link).unwrap();
            write_atomic(&link, b"new").unwrap();
            // As a rename does: the link is replaced, what it pointed to is left alone.
            assert!(fs::symlink_metadata(&link).unwrap().file_type().is_file());
            assert_eq!(fs::read(&link).unwrap(), b"new");
            assert_eq!(fs::read(&other).unwrap(), b"kept");
        }
        let folder = dir.path().join("folder");
        fs::create_dir(&folder).unwrap();
        fs::write(folder.join("inside"), "x").unwrap();
        assert!(write_atomic(&folder, b"data").is_err());
        assert_eq!(fs::read(folder.join("inside")).unwrap(), b"x");
        assert!(!names(dir.path()).iter().any(|n| n.contains(".tmp-")));
    }

    /// Regression: `check -o /dev/null` renamed its report over `/dev/null`, which became a
    /// regular file for every program on the machine. A named pipe stands for the device here.
    #[cfg(unix)]
    #[test]
    fn regression_a_device_or_pipe_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, b"{\"a\": 1}\n").unwrap();
        // Checked first: were the pipe replaced, the reader would wait on it for ever.
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(reader.join().unwrap(), b"{\"a\": 1}\n");
        assert_eq!(names(dir.path()), ["pipe"], "no temporary file is left");
    }

    #[test]
    fn pieces_are_the_bytes_of_the_plain_serialiser() {
        let input = |prefix: &str| {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/inputs");
            let path = fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
                .unwrap();
            fs::read_to_string(path).unwrap()
        };
        let (y2019, y2020) = (input("2019"), input("2020"));
        assert!(report(&y2019, &y2020).passages.len() >= 10);
        // Many passages (runs of several on each thread), none, and text that needs escaping.
        let cases = [
            (y2019, y2020),
            ("one two three".to_owned(), "four five six".to_owned()),
            (
                "He said \"tab\there\" and\nthen \u{1F600} <b>left</b> for the old harbour town by night.".repeat(3),
                "Then he said \"tab\there\" and\nthen \u{1F600} <b>left</b> for the old harbour town by night!".repeat(3),
            ),
        ];
        for (a, b) in cases {
            let mut r = report(&a, &b);
            let plain = to_json(&r);
            let pieces = compare_json_pieces(&mut r).concat();
            assert_eq!(String::from_utf8(pieces).unwrap(), plain);
        }
    }
}
