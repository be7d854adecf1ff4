//! Outputs never replace inputs: every command names the files it reads and the files it writes, and
//! refuses (exit 2, naming both roles) an output that is one of its inputs, another of its outputs,
//! or a document inside a folder it reads.
//!
//! Files are compared by identity, not by spelling: an existing file by its device and inode (so
//! `./a.txt`, `a.txt`, a symbolic link to it and a hard link are one file), a file still to be made
//! by its canonical folder and its name.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::report::printable_path;

/// What a run reads and writes, each with its role ("the input document", "--json", ...).
#[derive(Default)]
pub struct Guard {
    inputs: Vec<(String, PathBuf)>,
    folders: Vec<(String, PathBuf)>,
    outputs: Vec<(String, PathBuf)>,
}

/// The identity of a file: its device and inode when it exists, else its absolute path.
#[derive(PartialEq, Eq)]
enum Id {
    Node(u64, u64),
    Path(PathBuf),
}

fn id_of(p: &Path) -> Id {
    match std::fs::metadata(p) {
        #[cfg(unix)]
        Ok(m) => {
            use std::os::unix::fs::MetadataExt;
            Id::Node(m.dev(), m.ino())
        }
        _ => Id::Path(absolute(p)),
    }
}

/// `p` made absolute with its nearest existing ancestor canonicalised (the file or folder need not
/// exist yet), so that two spellings of one place compare equal.
pub fn absolute(p: &Path) -> PathBuf {
    let mut base = p.to_path_buf();
    let mut tail = Vec::new();
    while std::fs::symlink_metadata(&base).is_err() {
        match (base.parent(), base.components().next_back()) {
            (Some(parent), Some(last)) => {
                tail.push(last.as_os_str().to_owned());
                base = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => break,
        }
    }
    let mut r = base.canonicalize().unwrap_or(base);
    // The missing part holds no link, so its `.` and `..` resolve by their spelling.
    for t in tail.into_iter().rev() {
        if t == ".." {
            r.pop();
        } else if t != "." {
            r.push(t);
        }
    }
    r
}

fn is_stdout(p: &Path) -> bool {
    p.as_os_str() == "-"
}

impl Guard {
    pub fn new() -> Self {
        Self::default()
    }

    /// A file the run reads.
    pub fn input(&mut self, role: impl Into<String>, path: &Path) -> &mut Self {
        self.inputs.push((role.into(), path.to_path_buf()));
        self
    }

    /// The files and folders of a corpus: a folder's documents and its `corpus.toml` are inputs.
    pub fn corpus<P: AsRef<Path>>(&mut self, paths: &[P]) -> &mut Self {
        for p in paths {
            let p = p.as_ref();
            if p.is_dir() {
                self.folders
                    .push(("the input folder".into(), p.to_path_buf()));
                self.inputs.push((
                    "the corpus manifest".into(),
                    p.join(crate::corpus::manifest::MANIFEST_NAME),
                ));
            } else {
                self.inputs
                    .push(("the input document".into(), p.to_path_buf()));
                if let Some(parent) = p.parent() {
                    let dir = if parent.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        parent
                    };
                    self.inputs.push((
                        "the corpus manifest".into(),
                        dir.join(crate::corpus::manifest::MANIFEST_NAME),
                    ));
                }
            }
        }
        self
    }

    /// A file the run writes ("-", standard output, is no file).
    pub fn output(&mut self, role: impl Into<String>, path: &Path) -> &mut Self {
        if !is_stdout(path) {
            self.outputs.push((role.into(), path.to_path_buf()));
        }
        self
    }

    /// Refuse an output that is an input, another output, or a document in an input folder.
    pub fn check(&self) -> Result<()> {
        let inputs: Vec<(&str, &Path, Id)> = self
            .inputs
            .iter()
            .filter(|(_, p)| !is_stdout(p))
            .map(|(r, p)| (r.as_str(), p.as_path(), id_of(p)))
            .collect();
        let mut seen: Vec<(&str, &Path, Id)> = Vec::new();
        for (role, path) in &self.outputs {
            let id = id_of(path);
            if let Some((r, p, _)) = inputs.iter().find(|(_, _, i)| *i == id) {
                bail!(
                    "{role} {} is {r} {}: an output never replaces an input; write it elsewhere",
                    printable_path(path),
                    printable_path(p)
                );
            }
            if let Some((r, p, _)) = seen.iter().find(|(_, _, i)| *i == id) {
                bail!(
                    "{r} {} and {role} {} are the same file: give each output its own",
                    printable_path(p),
                    printable_path(path)
                );
            }
            if let Some(folder) = self.document_folder(path) {
                bail!(
                    "{role} {} is a document in the input folder {}: an output never replaces an input; write it elsewhere",
                    printable_path(path),
                    printable_path(folder)
                );
            }
            seen.push((role, path, id));
        }
        Ok(())
    }

    /// The input folder holding `path` when `path` is an existing document there that cyberdiff did
    /// not write (an earlier report of its own may be replaced).
    fn document_folder(&self, path: &Path) -> Option<&Path> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() || !crate::corpus::walk::has_doc_extension(path) {
            return None;
        }
        if crate::corpus::walk::is_own_output(path) {
            return None;
        }
        let abs = absolute(path);
        self.folders
            .iter()
            .find(|(_, f)| abs.starts_with(absolute(f)))
            .map(|(_, f)| f.as_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_by_several_names_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        std::fs::write(&a, "text").unwrap();
        let dotted = dir.path().join(".").join("a.txt");
        let err = Guard::new()
            .input("the input document", &a)
            .output("--json", &dotted)
            .check()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--json") && err.contains("the input document"),
            "{err}"
        );
        #[cfg(unix)]
        {
            let link = dir.path().join("link.txt");
            std::os::unix::fs::symlink(&a, &link).unwrap();
            assert!(
                Guard::new()
                    .input("the baseline", &a)
                    .output("--output", &link)
                    .check()
                    .is_err()
            );
        }
        // Two outputs still to be made, spelt differently.
        for other in ["./r.html", "sub/../r.html"] {
            let err = Guard::new()
                .output("--json", &dir.path().join("r.html"))
                .output("--html", &dir.path().join(other))
                .check()
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("--json") && err.contains("--html"),
                "{other}: {err}"
            );
        }
        // Standard output is no file, and distinct files pass.
        assert!(
            Guard::new()
                .input("the input document", &a)
                .output("--json", Path::new("-"))
                .output("--html", Path::new("-"))
                .output("--html", &dir.path().join("b.html"))
                .check()
                .is_ok()
        );
    }

    #[test]
    fn a_document_in_an_input_folder_is_refused_but_not_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "text").unwrap();
        let mut g = Guard::new();
        g.corpus(&[dir.path()]);
        g.output("--json", &dir.path().join("new.json"));
        assert!(g.check().is_ok());
        g.output("--output", &dir.path().join("a.txt"));
        let err = g.check().unwrap_err().to_string();
        assert!(err.contains("input folder"), "{err}");
    }
}
