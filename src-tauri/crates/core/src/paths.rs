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

pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DATABASE_FILE)
}
