//! JSON output: pretty-printed, newline-terminated, written atomically.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::Error;

/// Serialise a report as pretty JSON with a final newline.
pub fn to_json<T: Serialize>(report: &T) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("report types serialise without error");
    s.push('\n');
    s
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
    write_atomic_with(path, durability, |f| {
        // A large buffer: the default 8 KB one made a 1.6 MB report 200 system calls.
        let mut w = std::io::BufWriter::with_capacity(1 << 18, f);
        serde_json::to_writer_pretty(&mut w, report).map_err(std::io::Error::other)?;
        w.write_all(b"\n")?;
        w.flush()
    })
}

/// Write `contents` to `path` so that a reader sees either the old file or the complete new one: a
/// temporary file beside it is written and renamed over the target.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    write_atomic_with(path, Durability::Report, |f| f.write_all(contents))
}

/// Write a file atomically with `fill` writing the contents: a temporary file beside the target is
/// filled, flushed to disk if `durability` asks for it, and renamed over it.
pub(crate) fn write_atomic_with(
    path: &Path,
    durability: Durability,
    fill: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> Result<(), Error> {
    let err = |source| Error::Write {
        path: path.to_path_buf(),
        cause: source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        fill(&mut f)?;
        if durability == Durability::Durable {
            f.sync_all()?;
        }
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(err)
}
