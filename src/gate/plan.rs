//! Bringing `check`'s index up to date: find the corpus files, compare them with the cached
//! documents (`plan`) and build, update or rebuild the [`State`] (`index`).
//!
//! Takes the resolved [`CheckSettings`] and the files' metadata; gives the state, how it was brought
//! up to date ([`CacheInfo`]) and the cache files still to write. Unchanged files are recognised by
//! size and modification time, moved ones by content hash; new files are added to the state,
//! removed ones taken out of it, and a changed one is both. A changed JSON Lines file, an update the
//! state cannot take (`state::add`, `remove` or `replace` says why), or a cache that fails its checks
//! rebuilds the state (reusing its alignments), never trusts it. A cache that cannot be written is a
//! warning: the verdict does not depend on it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::cache;
use super::config::CheckSettings;
use super::state::{self, FileMeta, State};
use crate::Error;
use crate::corpus::{CorpusDoc, CorpusManifest, ReadOptions, WalkOptions, walk};
use crate::report::path_shown;

/// Where warnings go: each is one line, without the `cyberdiff: warning: ` the binary puts before it.
pub type Warn = dyn Fn(&str) + Sync;

/// Whether a corpus path is a glob ("corpus/**/*.md") rather than a file or folder.
pub fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// A glob path split at its first glob component: the folder to walk ("corpus/**/*.md" walks
/// "corpus"; "." when the glob starts the path), the rest as a glob, and whether the glob started
/// the path. `None` for a plain file or folder.
fn split_glob(p: &str) -> Option<(PathBuf, String, bool)> {
    if !has_glob(p) {
        return None;
    }
    let comps: Vec<&str> = p.split('/').collect();
    let cut = comps.iter().position(|c| has_glob(c)).unwrap_or(0);
    let root = if cut == 0 {
        PathBuf::from(".")
    } else {
        PathBuf::from(comps[..cut].join("/"))
    };
    Some((root, comps[cut..].join("/"), cut == 0))
}

/// The folder a glob path walks ("corpus/**/*.md" walks "corpus"), or the path itself.
pub fn walk_root(p: &str) -> PathBuf {
    split_glob(p).map_or_else(|| PathBuf::from(p), |(root, _, _)| root)
}

/// Every document file of the corpus (sorted), with what could not be walked.
pub fn discover(
    r: &CheckSettings,
    exclude: &[PathBuf],
    warn: &Warn,
) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut plain: Vec<PathBuf> = Vec::new();
    let mut walks = 0;
    for p in &r.paths {
        // "corpus/**/*.md": walk the part before the first glob component with the rest as a glob.
        let Some((root, rest, from_here)) = split_glob(p) else {
            plain.push(PathBuf::from(p));
            continue;
        };
        let mut globs = vec![rest];
        globs.extend(r.globs.iter().filter(|g| g.starts_with('!')).cloned());
        let (f, s) = walk::discover(
            &[root],
            &WalkOptions {
                globs,
                exclude: exclude.to_vec(),
                follow: r.follow,
            },
        )?;
        walks += 1;
        files.extend(f.into_iter().map(|f| {
            if from_here {
                f.strip_prefix(".").map(Path::to_path_buf).unwrap_or(f)
            } else {
                f
            }
        }));
        skipped.extend(s);
    }
    if !plain.is_empty() {
        let (f, s) = walk::discover(
            &plain,
            &WalkOptions {
                globs: r.globs.clone(),
                exclude: exclude.to_vec(),
                follow: r.follow,
            },
        )?;
        walks += 1;
        files.extend(f);
        skipped.extend(s);
    }
    for s in &skipped {
        warn(&format!(
            "{}: {}; skipped",
            crate::report::printable_line(&s.path),
            crate::report::printable_line(&s.reason)
        ));
    }
    // Each walk gives its files sorted and without repeats: sort only what several walks gave.
    if walks > 1 {
        if !files.is_sorted() {
            files.sort();
        }
        files.dedup();
    }
    Ok(files)
}

/// A hash of the manifests that describe the corpus (explicit, and `corpus.toml` beside the files).
fn manifests_hash(explicit: Option<&Path>, files: &[PathBuf]) -> u64 {
    let mut dirs: Vec<&Path> = files
        .iter()
        .map(|f| f.parent().unwrap_or(Path::new("")))
        .collect();
    dirs.dedup();
    dirs.sort();
    dirs.dedup();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut add = |p: &Path| {
        if let Ok(bytes) = std::fs::read(p) {
            h.update(p.to_string_lossy().as_bytes());
            h.update(&xxhash_rust::xxh3::xxh3_64(&bytes).to_le_bytes());
        }
    };
    if let Some(p) = explicit {
        add(p);
    }
    for d in dirs {
        add(&d.join(crate::corpus::manifest::MANIFEST_NAME));
    }
    h.digest()
}

/// How the index was brought up to date.
#[derive(Debug, Serialize)]
pub struct CacheInfo {
    /// "off", "built", "unchanged", "incremental" or "rebuilt".
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub documents: usize,
    /// Documents read and tokenised in this run.
    pub documents_read: usize,
    /// With a statements file: "tracked" (the statements were tracked through the corpus) or
    /// "unchanged" (nothing changed since the last run: its findings were reused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statements: Option<&'static str>,
}

fn load_docs(
    files: &[PathBuf],
    manifest: Option<&Path>,
    read: &ReadOptions,
    warn: &Warn,
) -> Result<(Vec<CorpusDoc>, Vec<FileMeta>), Error> {
    let m = CorpusManifest::load(manifest, files)?;
    // Stat before reading: a file changed between the two then has newer times than those recorded
    // with its (older) content, and is read again on the next run. Stat after reading would record
    // the new times with the old content, and miss the change.
    let before: HashMap<&Path, FileMeta> = files
        .par_iter()
        .filter_map(|f| Some((f.as_path(), FileMeta::of(f)?)))
        .collect();
    let (docs, skipped) = walk::load(files, &m, read);
    for s in &skipped {
        warn(&format!(
            "{}: {}; skipped",
            crate::report::printable_line(&s.path),
            crate::report::printable_line(&s.reason)
        ));
    }
    let metas = docs
        .iter()
        .map(|d| {
            before
                .get(d.doc.path.as_path())
                .copied()
                .unwrap_or_default()
        })
        .collect();
    Ok((docs, metas))
}

fn new_base_id() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    xxhash_rust::xxh3::xxh3_64(format!("{t}:{}", std::process::id()).as_bytes())
}

/// What a rerun has to do, found by comparing the files with the cached documents.
enum Plan {
    /// Files to add and slots to remove (a changed file is both); `touched` ones had a new
    /// modification time but the same content.
    Update {
        new: Vec<CorpusDoc>,
        new_metas: Vec<FileMeta>,
        gone: Vec<u32>,
        touched: bool,
    },
    Rebuild(String),
}

fn plan(
    state: &mut State,
    written: u64,
    files: &[PathBuf],
    metas: &[Option<FileMeta>],
    r: &CheckSettings,
    warn: &Warn,
) -> Result<Plan, Error> {
    // Fx hashing and borrowed keys: this map is built and probed once per file on every run. It
    // maps a path to its first slot; `next` chains the further slots of a path (the records of a
    // JSON Lines file), so that a plain file costs no allocation of its own.
    const END: usize = usize::MAX;
    let mut by_path: rustc_hash::FxHashMap<&Path, usize> = rustc_hash::FxHashMap::default();
    by_path.reserve(state.docs.len());
    let mut next = vec![END; state.docs.len()];
    for (i, d) in state.docs.iter().enumerate().rev() {
        if let Some(later) = by_path.insert(d.path.as_path(), i) {
            next[i] = later;
        }
    }
    let slots_of =
        |first: usize| std::iter::successors(Some(first), |&s| Some(next[s]).filter(|&n| n != END));
    let mut seen = vec![false; state.docs.len()];
    let mut changed: Vec<PathBuf> = Vec::new();
    // The changed files that are in the state, with their (first) slot.
    let mut known: HashMap<PathBuf, usize> = HashMap::new();
    for (f, &meta) in files.iter().zip(metas) {
        match by_path.get(f.as_path()) {
            Some(&first) => {
                for s in slots_of(first) {
                    seen[s] = true;
                }
                if meta.is_none_or(|m| {
                    m.is_racy(written) || slots_of(first).any(|s| state.docs[s].meta != m)
                }) {
                    changed.push(f.clone());
                    known.insert(f.clone(), first);
                }
            }
            None => changed.push(f.clone()),
        }
    }
    drop(by_path);
    if changed.is_empty() {
        return Ok(Plan::Update {
            new: Vec::new(),
            new_metas: Vec::new(),
            gone: unseen(&seen),
            touched: false,
        });
    }
    if let Some(f) = changed.iter().find(|f| crate::corpus::walk::is_jsonl(f)) {
        return Ok(Plan::Rebuild(format!("{} changed", path_shown(f))));
    }
    let (docs, metas) = load_docs(&changed, r.manifest.as_deref(), &r.read, warn)?;
    let mut vanished: HashMap<u64, Vec<usize>> = HashMap::new();
    for (s, d) in state.docs.iter().enumerate() {
        if !seen[s] && d.line.is_none() {
            vanished.entry(d.file_hash).or_default().push(s);
        }
    }
    let mut new = Vec::new();
    let mut new_metas = Vec::new();
    let mut touched = false;
    let mut moved = false;
    // Slots of changed files: removed, and the new content added.
    let mut edited: Vec<u32> = Vec::new();
    for (d, m) in docs.into_iter().zip(metas) {
        let hash = u64::from_str_radix(&d.doc.hash, 16).unwrap_or(0);
        if let Some(&s) = known.get(&d.doc.path) {
            if state.docs[s].file_hash != hash {
                edited.push(s as u32);
                new.push(d);
                new_metas.push(m);
                continue;
            }
            // The same content under a new modification time.
            state.docs[s].meta = m;
            touched = true;
        } else if let Some(s) = vanished.get_mut(&hash).and_then(Vec::pop) {
            // Moved or renamed: same content, new path (and maybe a new id and date).
            let e = &mut state.docs[s];
            e.path = d.doc.path.clone();
            e.id = d.doc.id.clone();
            e.date = d.doc.date.clone();
            e.meta = m;
            seen[s] = true;
            touched = true;
            moved = true;
        } else {
            new.push(d);
            new_metas.push(m);
        }
    }
    let mut gone = unseen(&seen);
    gone.extend(edited);
    gone.sort_unstable();
    // Ids must stay unique, as a full load makes them.
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for id in state
        .docs
        .iter()
        .enumerate()
        .filter(|(s, _)| gone.binary_search(&(*s as u32)).is_err())
        .map(|(_, d)| d.id.as_str())
        .chain(new.iter().map(|d| d.doc.id.as_str()))
    {
        *ids.entry(id).or_default() += 1;
    }
    if let Some((id, _)) = ids.iter().find(|(_, n)| **n > 1) {
        return Ok(Plan::Rebuild(format!("two documents are now named {id}")));
    }
    if moved {
        state.orient();
    }
    Ok(Plan::Update {
        new,
        new_metas,
        gone,
        touched,
    })
}

/// The slots of the cached documents whose files were not found.
fn unseen(seen: &[bool]) -> Vec<u32> {
    (0..seen.len() as u32)
        .filter(|&s| !seen[s as usize])
        .collect()
}

/// A reader of a cached document's text, verified against its text hash (an error says which file
/// is gone or changed).
pub(crate) fn read_old(
    read: ReadOptions,
) -> impl Fn(&state::DocEntry) -> Result<String, String> + Sync {
    move |d: &state::DocEntry| {
        let path = d.path.as_path();
        let text = match d.line {
            Some(line) => crate::corpus::jsonl::read_jsonl(path, &read)
                .0
                .into_iter()
                .find(|x| x.line == Some(line as usize))
                .map(|x| x.doc.text)
                .ok_or_else(|| format!("{}:{line} is gone", path_shown(path)))?,
            None => {
                crate::corpus::read_document(path, &read)
                    .map_err(|e| e.to_string())?
                    .text
            }
        };
        if xxhash_rust::xxh3::xxh3_64(text.as_bytes()) != d.text_hash {
            return Err(format!("{} changed while it was read", path_shown(path)));
        }
        Ok(text)
    }
}

/// A state brought up to date, how, and (with `keep_texts`, after a full build) every document's
/// text by slot.
pub(crate) struct Indexed {
    pub(crate) state: State,
    pub(crate) info: CacheInfo,
    pub(crate) texts: Option<Vec<String>>,
    /// `state.bin` still to be written for this state (after an incremental update), which the
    /// caller does beside computing the findings.
    pub(crate) pending: Option<PendingState>,
}

/// A `state.bin` to write: the state's folder, its delta postings, settings hash and base id.
pub(crate) struct PendingState {
    dir: PathBuf,
    delta: Vec<u64>,
    settings_hash: u64,
    base_id: u64,
    /// The buffer the old `state.bin` was read into.
    buf: Vec<u8>,
}

impl PendingState {
    pub(crate) fn write(self, state: &State) -> Result<(), Error> {
        cache::write_state(
            self.buf,
            &self.dir,
            state,
            &self.delta,
            self.settings_hash,
            self.base_id,
        )
    }
}

/// A cache that could not be written (a read-only or full disk, a folder in a file's place) costs
/// the next run a rebuild, not this run its verdict: a warning, and the run goes on.
pub(crate) fn warn_unsaved(saved: Result<(), Error>, warn: &Warn) {
    if let Err(e) = saved {
        warn(&format!(
            "the index cache was not saved ({}); the verdict is not affected, the next run indexes again",
            crate::report::printable_line(&e.to_string())
        ));
    }
}

/// Bring the state up to date; gives it and how.
/// `metas` are the files' metadata (taken before anything is read) and `cached` the cache as read
/// beside the walk, when there is a cache folder.
pub(crate) fn index(
    r: &CheckSettings,
    files: &[PathBuf],
    metas: &[Option<FileMeta>],
    cached: Option<Result<Option<cache::Unchecked>, cache::Invalid>>,
    keep_texts: bool,
    timings: &mut crate::scan::Timings,
    warn: &Warn,
) -> Result<Indexed, Error> {
    let settings_hash = {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&r.settings.hash().to_le_bytes());
        h.update(&manifests_hash(r.manifest.as_deref(), files).to_le_bytes());
        h.digest()
    };
    let full = |memo: &state::Memo,
                status: &'static str,
                reason: Option<String>|
     -> Result<Indexed, Error> {
        let (docs, metas) = load_docs(files, r.manifest.as_deref(), &r.read, warn)?;
        check_docs(&docs, &r.paths)?;
        let (st, postings) = state::build(&docs, &metas, &r.settings, memo);
        if let Some(dir) = &r.cache {
            let saved = std::fs::create_dir_all(dir)
                .map_err(|cause| crate::Error::Write {
                    path: dir.clone(),
                    cause,
                })
                .and_then(|()| {
                    let id = new_base_id();
                    cache::write_postings(dir, &postings, id)?;
                    cache::write_state(Vec::new(), dir, &st, &[], settings_hash, id)
                });
            warn_unsaved(saved, warn);
        }
        let n = st.docs.len();
        Ok(Indexed {
            state: st,
            info: CacheInfo {
                status,
                reason,
                documents: n,
                documents_read: n,
                statements: None,
            },
            texts: keep_texts.then(|| docs.into_iter().map(|d| d.doc.text).collect()),
            pending: None,
        })
    };
    let (Some(dir), Some(cached)) = (&r.cache, cached) else {
        return full(&state::Memo::new(), "off", None);
    };
    timings.lap("settings and manifests");
    let loaded = match cached.and_then(|c| c.map(|u| u.check(settings_hash)).transpose()) {
        Ok(Some(l)) => Some(l),
        Ok(None) => None,
        Err(cache::Invalid(why)) => {
            warn(&format!(
                "index cache not used and rebuilt: {}",
                crate::report::printable_line(&why)
            ));
            None
        }
    };
    let Some(mut l) = loaded else {
        return full(&state::Memo::new(), "built", None);
    };
    let rebuild = |why: String, old: &State| -> Result<Indexed, Error> {
        full(&old.memo(), "rebuilt", Some(why))
    };
    timings.lap("load cache");
    let planned = plan(&mut l.state, l.written, files, metas, r, warn)?;
    timings.lap("plan (stat)");
    match planned {
        Plan::Rebuild(why) => rebuild(why, &l.state),
        Plan::Update {
            new,
            new_metas,
            gone,
            touched,
        } => {
            if !gone.is_empty() {
                return removed(
                    l,
                    &new,
                    &new_metas,
                    &gone,
                    (r, dir, settings_hash),
                    rebuild,
                    timings,
                    warn,
                );
            }
            if new.is_empty() {
                let pending = touched.then(|| PendingState {
                    dir: dir.clone(),
                    delta: l.delta,
                    settings_hash,
                    base_id: l.base.id,
                    buf: l.buf,
                });
                let n = l.state.docs.len();
                return Ok(Indexed {
                    state: l.state,
                    info: CacheInfo {
                        status: "unchanged",
                        reason: None,
                        documents: n,
                        documents_read: 0,
                        statements: None,
                    },
                    texts: None,
                    pending,
                });
            }
            // Updated in place, not cloned: when `add` fails it has only dropped pairs, so the
            // alignments left are still right for their two texts and the rebuild reuses them.
            let mut st = l.state;
            let reader = read_old(r.read);
            let mut lookup = cache::Postings {
                base: &l.base,
                delta: &l.delta,
            };
            let added = state::add(&mut st, &mut lookup, &new, &new_metas, &r.settings, &reader);
            timings.lap("add");
            match added {
                Err(why) => rebuild(why, &st),
                Ok(added) => {
                    let mut delta = l.delta;
                    delta.extend_from_slice(&added.postings);
                    delta.sort_unstable();
                    let pending = if delta.len() as u64 > l.base.count / 16 + 4096 {
                        // Fold the delta into a new base file.
                        let mut all = l.base.all().map_err(Error::Changed)?;
                        state::merge_into(&mut all, &delta);
                        let id = new_base_id();
                        warn_unsaved(
                            cache::write_postings(dir, &all, id).and_then(|()| {
                                cache::write_state(l.buf, dir, &st, &[], settings_hash, id)
                            }),
                            warn,
                        );
                        timings.lap("write cache");
                        None
                    } else {
                        Some(PendingState {
                            dir: dir.clone(),
                            delta,
                            settings_hash,
                            base_id: l.base.id,
                            buf: l.buf,
                        })
                    };
                    Ok(incremental(st, new.len() + added.reread, pending))
                }
            }
        }
    }
}

/// Bring the state up to date when files were removed or changed (and others maybe added): the
/// postings are read whole, the removed documents taken out of them and of the state and the new
/// ones added ([`state::remove`], [`state::replace`]), and both cache files written again.
#[allow(clippy::too_many_arguments)]
fn removed(
    l: cache::Loaded,
    new: &[CorpusDoc],
    new_metas: &[FileMeta],
    gone: &[u32],
    (r, dir, settings_hash): (&CheckSettings, &Path, u64),
    rebuild: impl Fn(String, &State) -> Result<Indexed, Error>,
    timings: &mut crate::scan::Timings,
    warn: &Warn,
) -> Result<Indexed, Error> {
    let mut postings = l.base.all().map_err(Error::Changed)?;
    state::merge_into(&mut postings, &l.delta);
    timings.lap("read postings");
    let mut st = l.state;
    let reader = read_old(r.read);
    let updated = if new.is_empty() {
        state::remove(&mut st, &mut postings, gone, &r.settings, &reader).map(|x| x.reread)
    } else {
        state::replace(
            &mut st,
            &mut postings,
            gone,
            new,
            new_metas,
            &r.settings,
            &reader,
        )
        .map(|(x, y)| x.reread + y.reread)
    };
    let reread = match updated {
        Ok(n) => n,
        Err(why) => return rebuild(why, &st),
    };
    timings.lap("remove and add");
    let id = new_base_id();
    warn_unsaved(
        cache::write_postings(dir, &postings, id)
            .and_then(|()| cache::write_state(l.buf, dir, &st, &[], settings_hash, id)),
        warn,
    );
    timings.lap("write cache");
    Ok(incremental(st, new.len() + reread, None))
}

/// A state brought up to date incrementally, having read `read` documents.
fn incremental(state: State, read: usize, pending: Option<PendingState>) -> Indexed {
    let n = state.docs.len();
    Indexed {
        state,
        info: CacheInfo {
            status: "incremental",
            reason: None,
            documents: n,
            documents_read: read,
            statements: None,
        },
        texts: None,
        pending,
    }
}

fn check_docs(docs: &[CorpusDoc], paths: &[String]) -> Result<(), Error> {
    if docs.is_empty() {
        return Err(Error::Corpus(format!(
            "no usable document in {}: give .txt, .md, .html, .htm or .jsonl files, or folders holding them",
            paths.join(", ")
        )));
    }
    if docs.len() > state::MAX_DOCS {
        return Err(Error::Corpus(format!(
            "{} documents: check holds at most {}",
            docs.len(),
            state::MAX_DOCS
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_into_is_sorting_the_concatenation() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut draw = |n: usize| {
            let mut v: Vec<u64> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x % 50
                })
                .collect();
            v.sort_unstable();
            v
        };
        for (n, m) in [(0, 0), (0, 5), (5, 0), (40, 3), (3, 40), (100, 100)] {
            let (mut all, more) = (draw(n), draw(m));
            let mut want = [all.clone(), more.clone()].concat();
            want.sort_unstable();
            state::merge_into(&mut all, &more);
            assert_eq!(all, want, "{n} + {m}");
        }
    }

    #[test]
    fn a_glob_path_walks_the_folder_before_its_first_glob_component() {
        assert_eq!(split_glob("corpus/a.txt"), None);
        assert_eq!(walk_root("corpus/a.txt"), PathBuf::from("corpus/a.txt"));
        assert_eq!(
            split_glob("corpus/**/*.md"),
            Some((PathBuf::from("corpus"), "**/*.md".to_owned(), false))
        );
        assert_eq!(walk_root("corpus/sub/*.txt"), PathBuf::from("corpus/sub"));
        // A glob at the start walks "." and its files are named without "./"; "./*.txt" keeps it.
        assert_eq!(
            split_glob("*.txt"),
            Some((PathBuf::from("."), "*.txt".to_owned(), true))
        );
        assert_eq!(
            split_glob("./*.txt"),
            Some((PathBuf::from("."), "*.txt".to_owned(), false))
        );
    }
}
