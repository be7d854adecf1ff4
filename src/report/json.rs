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

/// Write `contents` to `path` so that a reader sees either the old file or the complete new one: a
/// temporary file beside it is written, flushed to disk and renamed over the target.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
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
        f.write_all(contents)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(err)
}
