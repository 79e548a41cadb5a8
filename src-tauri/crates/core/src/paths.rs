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
pub fn keychain_service(data_dir: &Path) -> String {
    use sha2::{Digest, Sha256};
    let own = dirs::data_dir().map(|dir| dir.join(APP_IDENTIFIER));
    let folder = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    if own.as_deref() == Some(folder.as_path()) {
        return APP_IDENTIFIER.to_string();
    }
    let digest = Sha256::digest(folder.to_string_lossy().as_bytes());
    let fingerprint: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("{APP_IDENTIFIER}.{fingerprint}")
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
}
