//! The corpus manifest: title, date and source per file, from `corpus.toml` beside the files or a file
//! given with `--manifest`.
//!
//! ```toml
//! [[document]]
//! file = "2015-12-16_xinhua_speech.txt"   # relative to the manifest's folder
//! title = "Speech at the opening of the second World Internet Conference"
//! date = "2015-12-16"                      # YYYY, YYYY-MM or YYYY-MM-DD; overrides the file name
//! source = "Xinhua"
//! note = "Page 2 of a news report of the speech"   # optional, shown with the title
//! ```
//!
//! Unknown keys, a malformed date and a repeated file are errors naming the manifest and line; an entry
//! whose file does not exist is reported by the caller as a warning.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Error;

/// The file name looked for beside the documents.
pub const MANIFEST_NAME: &str = "corpus.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    #[serde(default)]
    document: Vec<Entry>,
}

/// What a manifest says about one file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub file: String,
    pub title: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    /// What a reader must know about the text (a partial copy, a republication), shown beside its
    /// title in the reports.
    pub note: Option<String>,
}

/// Every manifest entry of a run, by canonical path.
#[derive(Debug, Default)]
pub struct CorpusManifest {
    by_path: HashMap<PathBuf, Entry>,
    /// Entries naming files that do not exist, as (manifest, file).
    pub missing: Vec<(PathBuf, String)>,
}

impl CorpusManifest {
    /// The entry of a document file, if a manifest names it.
    pub fn get(&self, path: &Path) -> Option<&Entry> {
        let key = path.canonicalize().ok()?;
        self.by_path.get(&key)
    }

    /// Number of files the manifests describe.
    pub fn len(&self) -> usize {
        self.by_path.len()
    }

    /// True when no manifest entry was read.
    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }

    /// Read `--manifest FILE` (if given) and every `corpus.toml` in the folders of `files`.
    pub fn load(explicit: Option<&Path>, files: &[PathBuf]) -> Result<Self, Error> {
        let mut m = Self::default();
        let mut manifests: Vec<PathBuf> = Vec::new();
        if let Some(p) = explicit {
            manifests.push(p.to_path_buf());
        }
        let mut dirs: Vec<PathBuf> = files
            .iter()
            .map(|f| f.parent().unwrap_or(Path::new("")).to_path_buf())
            .collect();
        dirs.sort();
        dirs.dedup();
        for d in dirs {
            let p = if d.as_os_str().is_empty() {
                PathBuf::from(MANIFEST_NAME)
            } else {
                d.join(MANIFEST_NAME)
            };
            if p.is_file() && !manifests.iter().any(|q| same_file(q, &p)) {
                manifests.push(p);
            }
        }
        for p in manifests {
            m.read(&p)?;
        }
        Ok(m)
    }

    fn read(&mut self, path: &Path) -> Result<(), Error> {
        let text = super::read_side_file(path, "a corpus manifest")?;
        let parsed: ManifestFile = toml::from_str(&text).map_err(|e| Error::Parse {
            path: path.to_path_buf(),
            line: e.span().map_or(1, |s| line_of(&text, s.start)),
            message: e.message().to_owned(),
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        for entry in parsed.document {
            let line = text.find(&entry.file).map_or(1, |at| line_of(&text, at));
            if let Some(date) = &entry.date
                && super::date_from_name(date).as_deref() != Some(date.as_str())
            {
                return Err(Error::Parse {
                    path: path.to_path_buf(),
                    line,
                    message: format!(
                        "date {date:?} of {:?} is not YYYY, YYYY-MM or YYYY-MM-DD",
                        entry.file
                    ),
                });
            }
            let file = base.join(&entry.file);
            let Ok(key) = file.canonicalize() else {
                self.missing.push((path.to_path_buf(), entry.file.clone()));
                continue;
            };
            if self.by_path.insert(key, entry.clone()).is_some() {
                return Err(Error::Parse {
                    path: path.to_path_buf(),
                    line,
                    message: format!("{:?} is described twice", entry.file),
                });
            }
        }
        Ok(())
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}
