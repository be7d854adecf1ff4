//! Discovery and loading of a corpus: paths on the command line -> the documents of a scan.
//!
//! Takes files and folders; walks folders honouring `.gitignore`-style ignore files (also outside a Git
//! repository), `.ignore` and `.cyberdiffignore`, hidden files skipped, with optional `--glob` filters;
//! keeps `.txt`, `.md`, `.html`, `.htm` and `.jsonl` files. Gives the documents, sorted by date (undated
//! last), then id, then path, with titles, dates and sources from a manifest where one is given, and
//! every file or record that could not be used as a [`Skipped`] entry naming it and saying why. Nothing is
//! dropped silently: what is not read is either not a document type or listed as skipped.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use super::jsonl;
use super::manifest::CorpusManifest;
use super::{Document, ReadOptions, read_document};
use crate::Error;

/// Extensions of the files a folder walk keeps (compared without case).
pub const DOC_EXTENSIONS: [&str; 5] = ["txt", "md", "html", "htm", "jsonl"];

/// A file or record that was not used, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Skipped {
    /// The file, with `:LINE` for a record of a JSON Lines file.
    pub path: String,
    pub reason: String,
}

/// One document of a corpus with what a manifest or a JSON Lines record says about it.
#[derive(Clone, Debug)]
pub struct CorpusDoc {
    pub doc: Document,
    pub title: Option<String>,
    pub source: Option<String>,
    /// The manifest's note on the text, if any.
    pub note: Option<String>,
    /// For a record of a JSON Lines file, its 1-based line number.
    pub line: Option<usize>,
}

/// How to find documents.
#[derive(Clone, Debug, Default)]
pub struct WalkOptions {
    /// Globs over paths relative to each walked folder (`!` excludes), as ripgrep's `--glob`.
    pub globs: Vec<String>,
    /// Files never taken as documents (the run's own outputs).
    pub exclude: Vec<PathBuf>,
}

fn has_doc_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DOC_EXTENSIONS.iter().any(|d| e.eq_ignore_ascii_case(d)))
}

/// Every document file under `paths`, sorted and without repeats, and what could not be walked.
pub fn discover(
    paths: &[PathBuf],
    opts: &WalkOptions,
) -> Result<(Vec<PathBuf>, Vec<Skipped>), Error> {
    // Each file with the key that identifies it: its canonical path. Only the roots are canonicalised
    // (a few system calls each); a walked file's key is its root's canonical path joined with its path
    // below the root, which is its canonical path because the walk follows no symbolic link (a linked
    // file is not a regular file to the walker, a linked folder is not entered). The keys serve to
    // leave out excluded files and files named twice; with one root and nothing excluded (the common
    // case: a walk names each file once) they are not built at all, which saves an allocation and a
    // hash per file.
    let mut files: Vec<(PathBuf, Option<OsString>)> = Vec::new();
    let mut skipped = Vec::new();
    let excluded: FxHashSet<OsString> = opts
        .exclude
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .map(PathBuf::into_os_string)
        .collect();
    let several = paths.len() > 1;
    let keyed = several || !excluded.is_empty();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                skipped.push(Skipped {
                    path: root.display().to_string(),
                    reason: format!("cannot read it: {e}"),
                });
                continue;
            }
        };
        if !meta.is_dir() {
            if has_doc_extension(root) {
                let key = keyed.then(|| {
                    root.canonicalize()
                        .unwrap_or_else(|_| root.clone())
                        .into_os_string()
                });
                files.push((root.clone(), key));
            } else {
                skipped.push(Skipped {
                    path: root.display().to_string(),
                    reason: "not a document type (.txt, .md, .html, .htm, .jsonl)".to_owned(),
                });
            }
            continue;
        }
        let mut ob = ignore::overrides::OverrideBuilder::new(root);
        for g in &opts.globs {
            ob.add(g).map_err(|e| Error::Parse {
                path: PathBuf::from("--glob"),
                line: 1,
                message: format!("invalid glob {g:?}: {e}"),
            })?;
        }
        let overrides = ob.build().map_err(|e| Error::Parse {
            path: PathBuf::from("--glob"),
            line: 1,
            message: e.to_string(),
        })?;
        let walker = ignore::WalkBuilder::new(root)
            .standard_filters(true)
            .require_git(false)
            .add_custom_ignore_filename(".cyberdiffignore")
            .overrides(overrides)
            .build();
        let canon_root = if keyed {
            root.canonicalize().ok()
        } else {
            None
        };
        for entry in walker {
            match entry {
                Ok(e) => {
                    if e.file_type().is_some_and(|t| t.is_file()) && has_doc_extension(e.path()) {
                        let path = e.into_path();
                        let key = keyed.then(|| {
                            match (&canon_root, path.strip_prefix(root)) {
                                (Some(c), Ok(rel)) => c.join(rel),
                                _ => path.canonicalize().unwrap_or_else(|_| path.clone()),
                            }
                            .into_os_string()
                        });
                        files.push((path, key));
                    }
                }
                Err(err) => skipped.push(Skipped {
                    path: root.display().to_string(),
                    reason: format!("while walking: {err}"),
                }),
            }
        }
    }
    // The same file named twice (a folder and a file in it) is read once. Keys are hashed as bytes
    // (a `PathBuf`'s hash parses its components).
    let mut seen: FxHashSet<OsString> = FxHashSet::default();
    let mut out = Vec::with_capacity(files.len());
    for (f, key) in files {
        if let Some(key) = key
            && (excluded.contains(&key) || (several && !seen.insert(key)))
        {
            continue;
        }
        out.push(f);
    }
    sort_paths(&mut out);
    skipped.sort();
    Ok((out, skipped))
}

/// Sort paths in `Path` order (component by component), comparing plain paths as bytes: for a path
/// whose components are joined by single slashes, with no `.` or `..` component and no trailing slash,
/// comparing the bytes with `/` below every other byte gives the order of its components, without
/// parsing them on every comparison (which is most of the cost of sorting 10,000 paths).
fn sort_paths(paths: &mut [PathBuf]) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        fn plain(b: &[u8]) -> bool {
            let body = b.strip_prefix(b"/").unwrap_or(b);
            !body.is_empty()
                && body
                    .split(|&c| c == b'/')
                    .all(|c| !c.is_empty() && c != b"." && c != b"..")
        }
        fn key(c: u8) -> u16 {
            if c == b'/' { 0 } else { u16::from(c) + 1 }
        }
        let mut keyed: Vec<(bool, PathBuf)> = paths
            .iter_mut()
            .map(|p| (plain(p.as_os_str().as_bytes()), std::mem::take(p)))
            .collect();
        keyed.sort_by(|(px, x), (py, y)| {
            if *px && *py {
                let (a, b) = (x.as_os_str().as_bytes(), y.as_os_str().as_bytes());
                let n = a.iter().zip(b).take_while(|(c, d)| c == d).count();
                match (a.get(n), b.get(n)) {
                    (Some(&c), Some(&d)) => key(c).cmp(&key(d)),
                    _ => a.len().cmp(&b.len()),
                }
            } else {
                x.cmp(y)
            }
        });
        for (slot, (_, p)) in paths.iter_mut().zip(keyed) {
            *slot = p;
        }
    }
    #[cfg(not(unix))]
    paths.sort();
}

fn is_jsonl(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
}

/// Read every file in parallel; apply the manifest; make ids unique; sort by date, id, path.
pub fn load(
    files: &[PathBuf],
    manifest: &CorpusManifest,
    read: &ReadOptions,
) -> (Vec<CorpusDoc>, Vec<Skipped>) {
    let results: Vec<(Vec<CorpusDoc>, Vec<Skipped>)> = files
        .par_iter()
        .map(|path| {
            if is_jsonl(path) {
                return jsonl::read_jsonl(path, read);
            }
            match read_document(path, read) {
                Ok(mut doc) => {
                    let entry = manifest.get(path);
                    let (mut title, mut source, mut note) = (None, None, None);
                    if let Some(e) = entry {
                        if e.date.is_some() {
                            doc.date.clone_from(&e.date);
                        }
                        title.clone_from(&e.title);
                        source.clone_from(&e.source);
                        note.clone_from(&e.note);
                    }
                    let d = CorpusDoc {
                        doc,
                        title,
                        source,
                        note,
                        line: None,
                    };
                    (vec![d], Vec::new())
                }
                Err(e) => (
                    Vec::new(),
                    vec![Skipped {
                        path: path.display().to_string(),
                        reason: skip_reason(&e),
                    }],
                ),
            }
        })
        .collect();
    let mut docs = Vec::new();
    let mut skipped = Vec::new();
    for (d, s) in results {
        docs.extend(d);
        skipped.extend(s);
    }
    unique_ids(&mut docs);
    docs.sort_by(|x, y| doc_order(x).cmp(&doc_order(y)));
    skipped.sort();
    (docs, skipped)
}

/// The message of a read error without the path, which [`Skipped`] carries.
pub(crate) fn skip_reason(e: &Error) -> String {
    let msg = e.to_string();
    match e {
        Error::Io { path, .. }
        | Error::IsDirectory(path)
        | Error::Empty(path)
        | Error::Binary { path, .. }
        | Error::InvalidUtf8 { path, .. }
        | Error::OutOfMemory { path, .. }
        | Error::TooLarge { path, .. } => {
            let p = path.display().to_string();
            msg.strip_prefix(&format!("cannot read {p}: "))
                .or_else(|| msg.strip_prefix(&format!("{p} ")))
                .unwrap_or(&msg)
                .to_owned()
        }
        _ => msg,
    }
}

/// Documents in date order (undated last), then by id and path: the order of every list in a report.
pub fn doc_order(d: &CorpusDoc) -> (bool, &str, &str, &Path, usize) {
    (
        d.doc.date.is_none(),
        d.doc.date.as_deref().unwrap_or(""),
        &d.doc.id,
        &d.doc.path,
        d.line.unwrap_or(0),
    )
}

/// Two files `a.txt` and `sub/a.md` would both be `a`: such ids become the path without its extension
/// (and, for a JSON Lines record, `id@file:line`), so every id of a report names one document.
fn unique_ids(docs: &mut [CorpusDoc]) {
    let mut count: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for d in docs.iter() {
        *count.entry(d.doc.id.clone()).or_default() += 1;
    }
    for d in docs.iter_mut() {
        if count[&d.doc.id] > 1 {
            d.doc.id = match d.line {
                Some(line) => format!("{}@{}:{line}", d.doc.id, d.doc.path.display()),
                None => d.doc.path.with_extension("").display().to_string(),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_paths_is_path_order() {
        let names = [
            "a", "a/b", "a-b", "a.b", "a/b/c", "a/bc", "ab", "a/-", "/a", "/a/b", "./a", "./a/b",
            "-x", "../a", "a/./b", "a//c", "a/", "b/a", "a/b-c", "a/b/", "A", "é/x", "a b/c",
            "a\\b",
        ];
        let mut got: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
        let mut want = got.clone();
        want.sort();
        sort_paths(&mut got);
        assert_eq!(got, want);
    }
}
