//! Which files a path stands for: a report, or the reports under a folder (the same walk for
//! an import by hand and a watched folder), and the scope a file's name gives.

use std::path::{Path, PathBuf};

use super::IssueError;

/// The largest report the app reads: bigger ones are refused by name rather than read into
/// memory.
pub const MAX_REPORT_BYTES: u64 = 256 * 1024 * 1024;

/// Folders never searched for reports: they hold none, and can be huge.
pub const SKIPPED_FOLDERS: [&str; 2] = [".git", "node_modules"];

/// The reports a path stands for: the file itself, or the `.sarif` and `.json` files under a
/// folder, sorted; with the sub-folders that could not be read (skipped, each a problem to
/// report, instead of failing the folder). Symbolic links are not followed (no loops), and
/// `.git` and `node_modules` are not searched.
pub fn files_of(path: &Path) -> Result<(Vec<PathBuf>, Vec<IssueError>), IssueError> {
    let meta = std::fs::metadata(path).map_err(|e| IssueError::Unreadable {
        file: path.display().to_string(),
        detail: e.to_string(),
    })?;
    if meta.is_file() {
        return Ok((vec![path.to_path_buf()], Vec::new()));
    }
    let (found, skipped) = reports_in(path);
    if found.is_empty() && skipped.is_empty() {
        return Err(IssueError::NothingToImport(path.display().to_string()));
    }
    Ok((found, skipped))
}

/// The `.sarif` and `.json` files under `folder` (see [`files_of`]), and why sub-folders were
/// skipped.
pub fn reports_in(folder: &Path) -> (Vec<PathBuf>, Vec<IssueError>) {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) => {
                skipped.push(IssueError::Unreadable {
                    file: dir.display().to_string(),
                    detail: format!("{error}; the folder was skipped"),
                });
                continue;
            }
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                if !SKIPPED_FOLDERS.iter().any(|s| entry.file_name() == *s) {
                    stack.push(path);
                }
            } else if kind.is_file()
                && matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("sarif" | "json")
                )
            {
                found.push(path);
            }
        }
    }
    found.sort();
    (found, skipped)
}

/// How a file names its scope when its runs do not: its name, or its path inside the folder
/// that was imported.
pub fn file_scope(imported: &Path, file: &Path) -> String {
    match file.strip_prefix(imported) {
        Ok(inside) if !inside.as_os_str().is_empty() => inside
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        _ => file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.display().to_string()),
    }
}
