//! Discovery and loading of a corpus: paths on the command line -> the documents of a scan.
//!
//! Takes files and folders; walks folders honouring `.gitignore`-style ignore files (also outside a Git
//! repository), `.ignore` and `.cyberdiffignore`, hidden files skipped, with optional `--glob` filters;
//! keeps `.txt`, `.md`, `.html`, `.htm` and `.jsonl` files. Gives the documents, sorted by date (undated
//! last), then id, then path, with titles, dates and sources from a manifest where one is given, and
//! every file or record that could not be used as a [`Skipped`] entry naming it and saying why. Nothing is
//! dropped silently: what is not read is either not a document type, one of the run's own outputs, or
//! listed as skipped (pages cyberdiff wrote, links that are not to a document file, files that are not
//! regular files). A link to a document file is a document.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::jsonl;
use super::manifest::CorpusManifest;
use super::{Document, ReadOptions, read_document};
use crate::Error;

/// Extensions of the files a folder walk keeps (compared without case).
pub const DOC_EXTENSIONS: [&str; 5] = ["txt", "md", "html", "htm", "jsonl"];

/// A file or record that was not used, and why. Sorted by file, then by line as a number (a
/// record of line 9 before one of line 10), then by reason.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The file, with `:LINE` for a record of a JSON Lines file.
    pub path: String,
    /// The same with the path's bytes escaped (`\xNN`) when it is not valid UTF-8 (`path` then holds
    /// U+FFFD in their place): [`crate::report::path_bytes`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
    pub reason: String,
}

impl Skipped {
    /// The file `path` (and the record of line `line` in it) skipped for `reason`.
    pub fn new(path: &Path, line: Option<usize>, reason: String) -> Skipped {
        let suffix = line.map(|l| format!(":{l}")).unwrap_or_default();
        Skipped {
            path: format!("{}{suffix}", path.display()),
            path_bytes: crate::report::path_bytes(path).map(|b| b + &suffix),
            reason,
        }
    }

    /// The file and the record's line (0 for a whole file).
    fn sort_key(&self) -> (&str, u64) {
        match self.path.rsplit_once(':') {
            Some((file, line)) if !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => {
                (file, line.parse().unwrap_or(u64::MAX))
            }
            _ => (&self.path, 0),
        }
    }
}

impl Ord for Skipped {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.sort_key(), &self.path, &self.reason, &self.path_bytes).cmp(&(
            other.sort_key(),
            &other.path,
            &other.reason,
            &other.path_bytes,
        ))
    }
}

impl PartialOrd for Skipped {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
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
    /// Files never taken as documents and folders never entered (the run's own outputs).
    pub exclude: Vec<PathBuf>,
    /// Enter links to folders (a loop is reported, not followed round).
    pub follow: bool,
}

/// Whether `p` has the extension of a document (`.txt`, `.md`, `.html`, `.htm`, `.jsonl`).
pub fn has_doc_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DOC_EXTENSIONS.iter().any(|d| e.eq_ignore_ascii_case(d)))
}

/// How much of a page [`is_own_output`] reads: the signature is in its first lines.
const SIGNATURE_BYTES: usize = 1024;

/// Whether `p` is a page cyberdiff wrote (a `compare`, `scan`, `track` or `report` page): an HTML
/// file that opens with the doctype and head cyberdiff writes, naming cyberdiff as its generator or
/// title. Such pages are reports, not documents: read back as input, each run would grow the next
/// one's corpus. JSON reports never are (`.json` is not a document type).
pub fn is_own_output(p: &Path) -> bool {
    use std::io::Read;
    let html = p
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    // Only regular files are opened: opening a named pipe would wait for a writer.
    if !html || !std::fs::metadata(p).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = Vec::with_capacity(SIGNATURE_BYTES);
    let Ok(f) = std::fs::File::open(p) else {
        return false;
    };
    if f.take(SIGNATURE_BYTES as u64)
        .read_to_end(&mut head)
        .is_err()
    {
        return false;
    }
    has_own_signature(&head)
}

fn has_own_signature(head: &[u8]) -> bool {
    let find = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
    head.starts_with(b"<!DOCTYPE html>\n<html lang=\"en\">")
        && (find(b"<meta name=\"generator\" content=\"cyberdiff ")
            || find(b"<title>cyberdiff scan: "))
}

/// One file found: its path, the key that identifies it (its canonical path) when one is needed,
/// and whether it was reached through a symbolic link.
struct Found {
    path: PathBuf,
    key: Option<OsString>,
    link: bool,
    /// A page cyberdiff wrote: skipped with a warning unless it is excluded (then silently).
    own: bool,
}

/// Every document file under `paths`, sorted and without repeats, and what could not be walked.
///
/// A symbolic link to a regular document file inside a walked folder is a document (a link to a
/// file read already is reported as such and read once); a link to a folder is not entered unless
/// [`WalkOptions::follow`] says so; broken links, links to anything else, and files that are not
/// regular (named pipes, sockets, devices) are listed as skipped. So are pages cyberdiff wrote
/// ([`is_own_output`]). Excluded files and folders (the run's own outputs) are left out silently.
pub fn discover(
    paths: &[PathBuf],
    opts: &WalkOptions,
) -> Result<(Vec<PathBuf>, Vec<Skipped>), Error> {
    // Each file with the key that identifies it: its canonical path. Only the roots are canonicalised
    // (a few system calls each); a walked file's key is its root's canonical path joined with its path
    // below the root, which is its canonical path because the walk follows no symbolic link (a linked
    // file is keyed by its target, a linked folder is not entered, unless `follow`: then every key is
    // canonicalised). The keys serve to leave out excluded files and files named twice; with one root
    // and nothing excluded (the common case: a walk names each file once) they are not built at all,
    // which saves an allocation and a hash per file.
    let mut files: Vec<Found> = Vec::new();
    let mut skipped = Vec::new();
    let excluded: FxHashSet<OsString> = opts
        .exclude
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .map(PathBuf::into_os_string)
        .collect();
    let excluded_dirs: std::sync::Arc<Vec<PathBuf>> = std::sync::Arc::new(
        opts.exclude
            .iter()
            .filter(|p| p.is_dir())
            .filter_map(|p| p.canonicalize().ok())
            .collect(),
    );
    let several = paths.len() > 1;
    let keyed = several || !excluded.is_empty() || opts.follow;
    let skip = |skipped: &mut Vec<Skipped>, p: &Path, reason: &str| {
        skipped.push(Skipped::new(p, None, reason.to_owned()))
    };
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                skip(&mut skipped, root, &format!("cannot read it: {e}"));
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
                files.push(Found {
                    path: root.clone(),
                    key,
                    link: false,
                    own: false,
                });
            } else {
                skip(
                    &mut skipped,
                    root,
                    "not a document type (.txt, .md, .html, .htm, .jsonl)",
                );
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
        let canon_root = if keyed || !excluded_dirs.is_empty() {
            root.canonicalize().ok()
        } else {
            None
        };
        let mut builder = ignore::WalkBuilder::new(root);
        builder
            .standard_filters(true)
            .require_git(false)
            .follow_links(opts.follow)
            .add_custom_ignore_filename(".cyberdiffignore")
            .overrides(overrides);
        // An excluded folder inside this root (the run's output folder) is not entered. Its entries
        // are recognised by their path below the root, without a system call per entry.
        let inside: Vec<PathBuf> = match &canon_root {
            Some(c) => excluded_dirs
                .iter()
                .filter_map(|d| d.strip_prefix(c).ok())
                .filter(|rel| !rel.as_os_str().is_empty())
                .map(|rel| root.join(rel))
                .collect(),
            None => Vec::new(),
        };
        if !inside.is_empty() {
            let inside = std::sync::Arc::new(inside);
            builder.filter_entry(move |e| !inside.iter().any(|d| d == e.path()));
        }
        for entry in builder.build() {
            let e = match entry {
                Ok(e) => e,
                Err(err) => {
                    skip(&mut skipped, root, &format!("while walking: {err}"));
                    continue;
                }
            };
            let Some(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                continue;
            }
            let path = e.into_path();
            if ft.is_symlink() {
                // Not followed by the walk (without `follow`): what it links to decides.
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_dir() => skip(
                        &mut skipped,
                        &path,
                        "a link to a folder, not entered (--follow enters links to folders)",
                    ),
                    _ if !has_doc_extension(&path) => {}
                    Ok(m) if m.is_file() => {
                        let key = path
                            .canonicalize()
                            .unwrap_or_else(|_| path.clone())
                            .into_os_string();
                        files.push(Found {
                            own: is_own_output(&path),
                            path,
                            key: Some(key),
                            link: true,
                        });
                    }
                    Ok(_) => skip(
                        &mut skipped,
                        &path,
                        "a link to something that is not a regular file (a pipe, socket or device)",
                    ),
                    Err(err) => skip(&mut skipped, &path, &format!("a broken link: {err}")),
                }
                continue;
            }
            if !has_doc_extension(&path) {
                continue;
            }
            if !ft.is_file() {
                skip(
                    &mut skipped,
                    &path,
                    "not a regular file (a named pipe, socket or device)",
                );
                continue;
            }
            let own = is_own_output(&path);
            let key = keyed.then(|| {
                match (&canon_root, path.strip_prefix(root)) {
                    (Some(c), Ok(rel)) if !opts.follow => c.join(rel),
                    _ => path.canonicalize().unwrap_or_else(|_| path.clone()),
                }
                .into_os_string()
            });
            files.push(Found {
                path,
                key,
                link: false,
                own,
            });
        }
    }
    // The same file named twice (a folder and a file in it, or a link to a file read already) is
    // read once. Keys are hashed as bytes (a `PathBuf`'s hash parses its components). Files reached
    // through a link come after the others, so the file under its own name is the one read.
    let links = files.iter().any(|f| f.link);
    if links {
        for f in files.iter_mut().filter(|f| f.key.is_none()) {
            f.key = Some(
                f.path
                    .canonicalize()
                    .unwrap_or_else(|_| f.path.clone())
                    .into_os_string(),
            );
        }
        files.sort_by_key(|f| f.link);
    }
    let mut seen: FxHashMap<OsString, usize> = FxHashMap::default();
    let mut out: Vec<PathBuf> = Vec::with_capacity(files.len());
    for f in files {
        if let Some(key) = f.key {
            if excluded.contains(&key) {
                continue;
            }
            if f.own {
                skip(&mut skipped, &f.path, OWN_OUTPUT);
                continue;
            }
            if several || links || opts.follow {
                match seen.entry(key) {
                    std::collections::hash_map::Entry::Occupied(first) => {
                        if f.link {
                            skip(
                                &mut skipped,
                                &f.path,
                                &format!(
                                    "a link to {}, which is read already",
                                    out[*first.get()].display()
                                ),
                            );
                        }
                        continue;
                    }
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(out.len());
                    }
                }
            }
        }
        if f.own {
            skip(&mut skipped, &f.path, OWN_OUTPUT);
            continue;
        }
        out.push(f.path);
    }
    sort_paths(&mut out);
    skipped.sort();
    Ok((out, skipped))
}

/// Why a page cyberdiff wrote is not read as a document.
const OWN_OUTPUT: &str = "a report page written by cyberdiff, not a document";

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

/// Whether `p` is read as JSON Lines, one document a line: by its extension, `.jsonl` in any case.
pub fn is_jsonl(p: &Path) -> bool {
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
                Err(e) => (Vec::new(), vec![Skipped::new(path, None, skip_reason(&e))]),
            }
        })
        .collect();
    let mut docs = Vec::new();
    let mut skipped = Vec::new();
    for (d, s) in results {
        docs.extend(d);
        skipped.extend(s);
    }
    arrange(&mut docs);
    skipped.sort();
    (docs, skipped)
}

/// A corpus as read from files: its documents in report order, the files and records skipped
/// (sorted), and the manifest entries naming files that do not exist, as (manifest, file).
#[derive(Debug)]
pub struct Corpus {
    pub docs: Vec<CorpusDoc>,
    pub skipped: Vec<Skipped>,
    pub missing: Vec<(PathBuf, String)>,
}

/// Find the documents under `paths` ([`discover`]), with the manifest `manifest` and those beside
/// them, and read them ([`load`]). Every command that reads a corpus reads it here, once (with
/// `CYBERDIFF_TIMINGS` set, each reading prints its time as the stage `read`).
pub fn read_corpus(
    paths: &[PathBuf],
    walk: &WalkOptions,
    manifest: Option<&Path>,
    read: &ReadOptions,
) -> Result<Corpus, Error> {
    let mut timings = crate::scan::Timings::new();
    let (files, mut skipped) = discover(paths, walk)?;
    let manifest = CorpusManifest::load(manifest, &files)?;
    let (docs, read_skipped) = load(&files, &manifest, read);
    skipped.extend(read_skipped);
    skipped.sort();
    timings.lap("read");
    Ok(Corpus {
        docs,
        skipped,
        missing: manifest.missing,
    })
}

impl Corpus {
    /// The manifest's entry of every file read, sorted by path: a document file by the hash of its
    /// text as read, a JSON Lines file (read again) by the hash of its bytes, once.
    pub fn inputs(&self) -> Result<Vec<crate::report::InputInfo>, Error> {
        use crate::report::InputInfo;
        let mut inputs: Vec<InputInfo> = Vec::new();
        let mut seen: FxHashSet<String> = FxHashSet::default();
        for d in &self.docs {
            let path = d.doc.path.display().to_string();
            if !seen.insert(path.clone()) {
                continue;
            }
            if d.line.is_some() {
                inputs.push(InputInfo::of_file(&d.doc.path)?);
            } else {
                inputs.push(InputInfo {
                    path,
                    path_bytes: crate::report::path_bytes(&d.doc.path),
                    bytes: d.doc.bytes,
                    xxh3: d.doc.hash.clone(),
                });
            }
        }
        inputs.sort_by(|a, b| a.path.cmp(&b.path));
        inputs.dedup_by(|a, b| a.path == b.path);
        Ok(inputs)
    }
}

/// Put the documents of a corpus in report order: ids made unique (see `unique_ids`), then sorted
/// by [`doc_order`]. Every corpus is arranged so, whatever read it (a folder walk, JSON Lines records
/// given to the Python package or to the Spark job), so the same documents give the same report.
pub fn arrange(docs: &mut [CorpusDoc]) {
    unique_ids(docs);
    docs.sort_by(|x, y| doc_order(x).cmp(&doc_order(y)));
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
        | Error::InvalidUtf16 { path, .. }
        | Error::Utf16NoBom { path, .. }
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
/// (and, for a JSON Lines record, `id@file:line`); ids still shared (`a.txt` and `a.md` in one folder)
/// become the whole path, and any still shared after that (names that differ only in characters an
/// id cannot show) get `~2`, `~3`… in path order, so every id of a report names one document. A path
/// that is not UTF-8 is written as [`crate::report::path_shown`] shows it.
fn unique_ids(docs: &mut [CorpusDoc]) {
    use crate::report::path_shown;
    use std::collections::HashMap;
    fn shared(docs: &[CorpusDoc]) -> HashMap<String, usize> {
        let mut count: HashMap<String, usize> = HashMap::new();
        for d in docs {
            *count.entry(d.doc.id.clone()).or_default() += 1;
        }
        count.retain(|_, n| *n > 1);
        count
    }
    let count = shared(docs);
    for d in docs.iter_mut().filter(|d| count.contains_key(&d.doc.id)) {
        d.doc.id = super::clean_id(match d.line {
            Some(line) => format!("{}@{}:{line}", d.doc.id, path_shown(&d.doc.path)),
            None => path_shown(&d.doc.path.with_extension("")),
        });
    }
    let count = shared(docs);
    for d in docs.iter_mut().filter(|d| count.contains_key(&d.doc.id)) {
        if d.line.is_none() {
            d.doc.id = super::clean_id(path_shown(&d.doc.path));
        }
    }
    let count = shared(docs);
    if count.is_empty() {
        return;
    }
    let mut clash: Vec<usize> = (0..docs.len())
        .filter(|&i| count.contains_key(&docs[i].doc.id))
        .collect();
    clash.sort_by(|&x, &y| {
        let key = |i: usize| (&docs[i].doc.id, &docs[i].doc.path, docs[i].line);
        key(x).cmp(&key(y))
    });
    let taken: std::collections::HashSet<String> = docs.iter().map(|d| d.doc.id.clone()).collect();
    let mut made: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut renamed: Vec<(usize, String)> = Vec::new();
    for group in clash.chunk_by(|&x, &y| docs[x].doc.id == docs[y].doc.id) {
        let base = &docs[group[0]].doc.id;
        let mut n = 1;
        for &i in &group[1..] {
            let id = loop {
                n += 1;
                let id = format!("{base}~{n}");
                if !taken.contains(&id) && made.insert(id.clone()) {
                    break id;
                }
            };
            renamed.push((i, id));
        }
    }
    for (i, id) in renamed {
        docs[i].doc.id = id;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_when_names_differ_only_in_extension_or_in_bytes_that_are_not_utf8() {
        let doc = |path: PathBuf| CorpusDoc {
            doc: crate::corpus::Document {
                id: crate::corpus::clean_id(
                    path.file_stem().unwrap().to_string_lossy().into_owned(),
                ),
                path,
                ..crate::corpus::Document::from_text("x", "some text")
            },
            title: None,
            source: None,
            note: None,
            line: None,
        };
        let mut paths = vec![
            PathBuf::from("c/a.txt"),
            PathBuf::from("c/a.md"),
            PathBuf::from("c/sub/a.txt"),
            PathBuf::from("c/b\nx.txt"),
            PathBuf::from("c/b\rx.txt"),
        ];
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            for name in [&b"c/d\xff.txt"[..], b"c/d\xfe.txt"] {
                paths.push(PathBuf::from(std::ffi::OsStr::from_bytes(name)));
            }
        }
        let mut docs: Vec<CorpusDoc> = paths.into_iter().map(doc).collect();
        arrange(&mut docs);
        let ids: Vec<&str> = docs.iter().map(|d| d.doc.id.as_str()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        assert!(ids.contains(&"c/a.md") && ids.contains(&"c/a.txt") && ids.contains(&"c/sub/a"));
        #[cfg(unix)]
        assert!(
            ids.contains(&"c/d\\xFF") && ids.contains(&"c/d\\xFE"),
            "{ids:?}"
        );
    }

    #[test]
    fn skipped_records_sort_by_line_as_a_number() {
        let s = |p: &str| Skipped {
            path: p.into(),
            path_bytes: None,
            reason: "r".into(),
        };
        let mut v = [
            s("b.jsonl:10"),
            s("b.jsonl:9"),
            s("a.txt"),
            s("b.jsonl"),
            s("b.jsonl:100"),
        ];
        v.sort();
        let got: Vec<&str> = v.iter().map(|x| x.path.as_str()).collect();
        assert_eq!(
            got,
            ["a.txt", "b.jsonl", "b.jsonl:9", "b.jsonl:10", "b.jsonl:100"]
        );
    }

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
