//! Where the app and the CLI keep their data. Both resolve the same folder, so they share one
//! database.

use std::path::{Path, PathBuf};

/// The bundle identifier. The OS app-data folder is named after it, as Tauri does.
pub const APP_IDENTIFIER: &str = "com.oxteams.connector";

/// Overrides the data folder for the app and the CLI (tests and portable installs).
pub const DATA_DIR_ENV: &str = "OX_TEAMS_DATA_DIR";

/// The SQLite file inside the data folder.
pub const DATABASE_FILE: &str = "ox-teams.sqlite3";

/// `$OX_TEAMS_DATA_DIR` when set, else the OS app-data folder
/// (`$XDG_DATA_HOME/com.oxteams.connector` on Linux).
pub fn default_data_dir() -> Option<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::data_dir().map(|dir| dir.join(APP_IDENTIFIER)),
    }
}

/// Where files the person asks the app to save go (the Teams app package): the desktop's
/// Downloads folder, else `~/Downloads`.
pub fn downloads_dir() -> PathBuf {
    dirs::download_dir()
        .or_else(|| dirs::home_dir().map(|home| home.join("Downloads")))
        .unwrap_or_else(std::env::temp_dir)
}

pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DATABASE_FILE)
}

/// The keychain service a data folder's secrets are filed under: the app's identifier for its
/// own folder, and with a fingerprint of the folder for any other, so a demo or test folder
/// never reads or replaces the real connection's refresh token.
/// The folder is named by its canonical path (links followed, `.` and `..` gone), so the app
/// and the CLI reaching one folder by two spellings share one set of secrets.
pub fn keychain_service(data_dir: &Path) -> String {
    use sha2::{Digest, Sha256};
    let own = dirs::data_dir().map(|dir| canonical(&dir.join(APP_IDENTIFIER)));
    let folder = canonical(data_dir);
    if own.as_deref() == Some(folder.as_path()) {
        return APP_IDENTIFIER.to_string();
    }
    let digest = Sha256::digest(folder.to_string_lossy().as_bytes());
    let fingerprint: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("{APP_IDENTIFIER}.{fingerprint}")
}

/// The canonical form of a path that may not exist yet: its deepest existing ancestor
/// resolved, the rest appended with `.` and `..` taken out.
fn canonical(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut missing = Vec::new();
    let mut existing = path.as_path();
    loop {
        if let Ok(found) = existing.canonicalize() {
            let mut canonical = found;
            for part in missing.into_iter().rev() {
                match part {
                    std::path::Component::ParentDir => {
                        canonical.pop();
                    }
                    std::path::Component::CurDir => {}
                    other => canonical.push(other),
                }
            }
            return canonical;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                missing.push(last);
                existing = parent;
            }
            _ => return path.clone(),
        }
    }
}

/// Paths the window may name: chosen in the app's own file dialog, dropped on the window, or
/// written by the app itself. The shell reads or shows no other path a page sends, so a page
/// that was made to misbehave cannot have the app import or reveal any file it likes.
#[derive(Default)]
pub struct ChosenPaths {
    paths: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
}

impl ChosenPaths {
    pub fn allow(&self, paths: impl IntoIterator<Item = PathBuf>) {
        self.paths
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(paths);
    }

    /// The paths, when every one was chosen; else the first that was not, in a sentence.
    pub fn check(&self, requested: Vec<PathBuf>) -> Result<Vec<PathBuf>, String> {
        let chosen = self.paths.lock().unwrap_or_else(|p| p.into_inner());
        match requested.iter().find(|path| !chosen.contains(*path)) {
            Some(path) => Err(format!(
                "{} was not dropped on the window or chosen in the app's file dialog, so the \
                 app does not open it. Drop it on the window again, or use Import.",
                path.display()
            )),
            None => Ok(requested),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_data_folders_keep_their_secrets_apart() {
        let own = dirs::data_dir().unwrap().join(APP_IDENTIFIER);
        assert_eq!(keychain_service(&own), APP_IDENTIFIER);
        let demo = keychain_service(Path::new("/tmp/ox-teams-demo"));
        let other = keychain_service(Path::new("/tmp/ox-teams-other"));
        assert!(demo.starts_with("com.oxteams.connector."), "{demo}");
        assert_ne!(demo, other);
        assert_eq!(demo, keychain_service(Path::new("/tmp/ox-teams-demo")));
    }

    #[test]
    fn one_folder_reached_by_two_spellings_has_one_keychain_name() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("data");
        std::fs::create_dir(&real).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let name = keychain_service(&real);
        assert_eq!(keychain_service(&link), name, "through a symbolic link");
        assert_eq!(
            keychain_service(&real.join("../data/.")),
            name,
            "with .. and ."
        );
        // A folder that does not exist yet is named as it will be once created.
        let later = keychain_service(&link.join("x/../y"));
        std::fs::create_dir(real.join("y")).unwrap();
        assert_eq!(later, keychain_service(&real.join("y")));
    }

    #[test]
    fn the_window_names_only_paths_the_person_chose_or_dropped() {
        let chosen = ChosenPaths::default();
        let report = PathBuf::from("/home/ana/scan.sarif");
        assert!(chosen.check(vec![report.clone()]).is_err());
        chosen.allow([report.clone()]);
        assert_eq!(
            chosen.check(vec![report.clone()]).unwrap(),
            std::slice::from_ref(&report)
        );
        let error = chosen
            .check(vec![report, PathBuf::from("/home/ana/.ssh/id_ed25519")])
            .unwrap_err();
        assert!(
            error.contains("/home/ana/.ssh/id_ed25519 was not dropped"),
            "{error}"
        );
    }
}
