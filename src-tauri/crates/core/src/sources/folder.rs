//! A watched folder: each `.sarif` / `.json` report is imported once it has stopped changing
//! (the same size and modification time on two looks at least [`SETTLE`] apart), and each new
//! version of it once more. Each file is its own scope (named by its whole path, so two
//! watched folders never fix each other's findings), so a finding missing from the next
//! version of that file is fixed. A file that disappears fixes nothing:
//! a deleted report is not evidence of a fix.

use std::path::Path;

use super::{SourceError, Sources};
use crate::issues::{CancelFlag, ImportReport, reports_in};
use crate::{Error, Result};

/// How long a file must stay the same before it is read: scanners and `cp` write in pieces.
pub const SETTLE: chrono::Duration = chrono::Duration::seconds(2);

/// What a look at a folder did.
pub(super) struct FolderPoll {
    pub report: ImportReport,
    /// Files seen changing: the folder is looked at again soon.
    pub pending: u64,
}

impl Sources<'_> {
    pub(super) fn poll_folder(&self, source_id: &str, folder: &Path) -> Result<FolderPoll> {
        let now = self.core.clock.now();
        if !folder.is_dir() {
            return Err(Error::from(SourceError::BadFolder {
                path: folder.display().to_string(),
                detail: "it is not there now (moved, deleted, or on a drive that is not \
                         connected). The app keeps looking and imports what appears when it is \
                         back"
                    .into(),
            }));
        }
        let mut ready = Vec::new();
        let mut versions = Vec::new();
        let mut pending = 0;
        let (files, skipped) = reports_in(folder);
        for problem in skipped {
            log::warn!("{problem}");
        }
        for file in files {
            let Some(version) = version_of(&file) else {
                continue;
            };
            let key = file.display().to_string();
            let state = self.core.store.file_state(source_id, &key)?;
            // Settled: the same on two looks at least SETTLE apart. (The file's own time is not
            // trusted for this: `cp -p` gives a file being copied its old time.)
            let settled = match state {
                Some(state) if state.seen == version => {
                    if state.imported == Some(version) {
                        continue;
                    }
                    now - state.changed_at >= SETTLE
                }
                _ => {
                    self.core.store.file_seen(source_id, &key, version, now)?;
                    false
                }
            };
            if settled {
                // The whole path: two watched folders that both hold `results.sarif` are two
                // scopes, so neither fixes the other's findings.
                ready.push((file.clone(), file.display().to_string()));
                versions.push((key, version));
            } else {
                pending += 1;
            }
        }
        let mut report = ImportReport::default();
        let settled = self.core.issues().import_files(
            &ready,
            &mut report,
            &mut |_| {},
            &CancelFlag::default(),
        )?;
        // A refused version is not read again either: it is read when it changes. One the
        // database was too busy to take is read again at the next look.
        for ((key, version), settled) in versions.into_iter().zip(settled) {
            if settled {
                self.core.store.file_imported(source_id, &key, version)?;
            } else {
                pending += 1;
            }
        }
        Ok(FolderPoll { report, pending })
    }
}

/// A file's size and modification time in nanoseconds; `None` when it cannot be read.
fn version_of(file: &Path) -> Option<(u64, i64)> {
    let meta = std::fs::metadata(file).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0);
    Some((meta.len(), modified))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_found_without_following_links_or_searching_git_and_node_modules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "a.sarif",
            "sub/b.json",
            ".git/c.sarif",
            "node_modules/x/d.sarif",
            "e.txt",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "{}").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
        let found: Vec<String> = reports_in(root)
            .0
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(found, ["a.sarif", "sub/b.json"]);
    }
}
