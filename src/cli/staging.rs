//! Output folders written whole: built beside their target, then put in its place in one step.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A new output folder, built beside its target and put in its place by [`Staging::commit`], so
/// that the target is never a half-written folder: removed if the run fails first (a full disk,
/// an error), and, if the run is killed, by the next run writing the same target.
pub struct Staging {
    /// The folder to write into.
    pub dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// A new empty folder `.NAME.tmp-PID` beside `target`, once the folders of killed runs
    /// (whose process is gone) are removed.
    pub fn new(target: &Path) -> Result<Self> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("creating {}", parent.display()))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "reports".to_owned());
        remove_dead_staging(&parent, &name);
        let dir = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        // A folder of this process id is a killed run's (ids are reused): start afresh.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self {
            dir,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// Put the new folder in the old one's place in one step, then remove the old one.
    pub fn commit(mut self) -> Result<()> {
        let err = |cause| crate::Error::Write {
            path: self.target.clone(),
            cause,
        };
        if std::fs::symlink_metadata(&self.target).is_ok_and(|m| m.is_dir()) {
            #[cfg(target_os = "linux")]
            {
                use rustix::fs::{CWD, RenameFlags, renameat_with};
                if renameat_with(CWD, &self.dir, CWD, &self.target, RenameFlags::EXCHANGE).is_ok() {
                    // The staging name now holds the old folder.
                    self.committed = true;
                    let _ = std::fs::remove_dir_all(&self.dir);
                    return Ok(());
                }
            }
            // Elsewhere: the old folder is moved aside, then the new one into its place.
            let mut old = self.dir.clone().into_os_string();
            old.push(".old");
            let old = PathBuf::from(old);
            std::fs::rename(&self.target, &old).map_err(err)?;
            if let Err(e) = std::fs::rename(&self.dir, &self.target) {
                let _ = std::fs::rename(&old, &self.target);
                return Err(err(e).into());
            }
            self.committed = true;
            let _ = std::fs::remove_dir_all(&old);
            return Ok(());
        }
        std::fs::rename(&self.dir, &self.target).map_err(err)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Remove the staging folders `.NAME.tmp-PID` of runs that were killed (whose process is gone).
fn remove_dead_staging(parent: &Path, name: &str) {
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .map(|p| p.trim_end_matches(".old"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !crate::report::json::process_alive(pid) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}
