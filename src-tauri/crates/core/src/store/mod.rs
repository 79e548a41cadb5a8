//! The SQLite database: one file in the data folder, WAL so the app and the CLI can use it at
//! once, and embedded forward-only migrations. `open_in_memory` gives tests a private one.

mod anchors;
mod bot;
mod cache;
mod columns;
mod connection;
mod issues;
mod matching;
mod outbox;
mod owners;
mod quiet;
mod search;
mod settings;
mod sources;
mod workflows;

pub use bot::BotRow;
pub use connection::ConnectionRecord;
pub use matching::{Narrowing, ScannedFinding};
pub use outbox::{DeliveryRow, MessageRow, NewDelivery};
pub use owners::{DirectoryAnswer, FetchedCodeOwners, OwnerMappingRow, owner_key};
pub use quiet::{QuietHeld, QuietHeldRow};
pub use sources::{CheckRecord, FileState, ListState};
pub use workflows::{RunRow, WorkflowRow};

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode as SqliteCode, OpenFlags};

use crate::error::ErrorCode;

/// Migrations in order. Never edit one that has shipped; add the next.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_settings.sql"),
    include_str!("../../migrations/0002_connection.sql"),
    include_str!("../../migrations/0003_issues.sql"),
    include_str!("../../migrations/0004_directory.sql"),
    include_str!("../../migrations/0005_outbox.sql"),
    include_str!("../../migrations/0006_bot.sql"),
    include_str!("../../migrations/0007_workflows.sql"),
    include_str!("../../migrations/0008_lifecycle.sql"),
    include_str!("../../migrations/0009_conversations.sql"),
    include_str!("../../migrations/0010_sources.sql"),
    include_str!("../../migrations/0011_issue_table.sql"),
    include_str!("../../migrations/0012_quiet_hours.sql"),
    include_str!("../../migrations/0013_owners.sql"),
    include_str!("../../migrations/0014_match_keys.sql"),
    include_str!("../../migrations/0015_search_text.sql"),
    include_str!("../../migrations/0016_open_counts.sql"),
    include_str!("../../migrations/0017_search_text_once.sql"),
];

/// The schema version this build writes: the number of migrations.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "The database at {} cannot be opened: {detail}. Check that the folder exists and that \
         you may write to it.", .path.display()
    )]
    Unavailable { path: PathBuf, detail: String },
    #[error(
        "The file at {} is not an OX Teams Connector database (it may be damaged). Move it \
         aside and start the app again to begin with an empty one.", .path.display()
    )]
    Corrupt { path: PathBuf },
    #[error(
        "The database at {} was written by a newer version of OX Teams Connector (schema \
         {found}, this version knows {known}). Install the newer version.", .path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("Another program kept the database busy. Try again in a moment.")]
    Busy,
    #[error("The database failed: {0}")]
    Sqlite(String),
}

impl StoreError {
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::Unavailable { .. } => ErrorCode::DatabaseUnavailable,
            StoreError::Corrupt { .. } => ErrorCode::DatabaseCorrupt,
            StoreError::TooNew { .. } => ErrorCode::DatabaseTooNew,
            StoreError::Busy => ErrorCode::DatabaseBusy,
            StoreError::Sqlite(_) => ErrorCode::Internal,
        }
    }

    fn from_sqlite(path: &Path, error: rusqlite::Error) -> StoreError {
        match error.sqlite_error_code() {
            Some(SqliteCode::NotADatabase) => StoreError::Corrupt {
                path: path.to_path_buf(),
            },
            Some(SqliteCode::DatabaseBusy | SqliteCode::DatabaseLocked) => StoreError::Busy,
            Some(
                SqliteCode::CannotOpen
                | SqliteCode::ReadOnly
                | SqliteCode::PermissionDenied
                | SqliteCode::SystemIoFailure
                | SqliteCode::DiskFull,
            ) => StoreError::Unavailable {
                path: path.to_path_buf(),
                detail: plain(&error),
            },
            _ => StoreError::Sqlite(plain(&error)),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::from_sqlite(Path::new(":memory:"), error)
    }
}

fn plain(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(e, Some(message)) => format!("{message} ({e})"),
        other => other.to_string(),
    }
}

/// The functions the schema's views call (`search_characters`, store/search.rs). The store
/// registers them on its own connection; another connection to the file (a benchmark's) needs
/// them before it reads `issues_search_source`.
pub fn register_functions(connection: &Connection) -> rusqlite::Result<()> {
    search::register_functions(connection)
}

/// The database. One connection per process, shared behind a mutex: every statement is short.
pub struct Store {
    connection: Mutex<Connection>,
    path: Option<PathBuf>,
    /// The issue table's last count (issues.rs): a page asked for by position needs the total,
    /// which costs more than the page itself at 100,000 issues.
    issue_count: Mutex<Option<issues::IssueCount>>,
}

impl Store {
    /// Opens (or creates) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let unavailable = |detail: String| StoreError::Unavailable {
            path: path.to_path_buf(),
            detail,
        };
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|e| unavailable(e.to_string()))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::from_sqlite(path, e))?;
        let store = Store {
            connection: Mutex::new(connection),
            path: Some(path.to_path_buf()),
            issue_count: Mutex::default(),
        };
        store.prepare().map_err(|e| match e {
            StoreError::Sqlite(detail) => unavailable(detail),
            other => other,
        })?;
        Ok(store)
    }

    /// A private database that disappears with the value: for tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let store = Store {
            connection: Mutex::new(Connection::open_in_memory()?),
            path: None,
            issue_count: Mutex::default(),
        };
        store.prepare()?;
        Ok(store)
    }

    /// Where the file is; `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn prepare(&self) -> Result<(), StoreError> {
        let path = self
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from(":memory:"));
        // Switching a new file to WAL and migrating it need an exclusive lock, and SQLite
        // answers BUSY at once (without its busy handler) when the app and the CLI open a new
        // file together; whoever loses waits a moment and finds the work done.
        retry_while_busy(|| {
            let map = |e| StoreError::from_sqlite(&path, e);
            let connection = self.connection();
            connection
                .busy_timeout(Duration::from_secs(5))
                .map_err(map)?;
            // Reading the journal mode reads the header: a file that is not a database fails
            // here.
            let _mode: String = connection
                .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
                .map_err(map)?;
            // The page cache may grow to 32 MiB (SQLite's default is 2 MiB): the Issues table
            // and its text filter read a finding's text in the table's order, not the file's,
            // and at 100,000 findings a 2 MiB cache sends most of those reads back to the file.
            // Measured against the default, connections to one database taking turns on the same
            // queries: a text filter's first page 4.8 -> 3.4 ms walked, 7.1 -> 5.8 ms through the
            // index (16 MiB did as well; longer descriptions need more). The cache only grows as
            // pages are read.
            // https://www.sqlite.org/pragma.html#pragma_cache_size
            connection
                .execute_batch(
                    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
                     PRAGMA cache_size = -32768;",
                )
                .map_err(map)?;
            search::register_functions(&connection).map_err(map)?;
            drop(connection);
            self.migrate(&path)
        })
    }

    fn migrate(&self, path: &Path) -> Result<(), StoreError> {
        let map = |e| StoreError::from_sqlite(path, e);
        let mut connection = self.connection();
        let known = MIGRATIONS.len() as i64;
        // IMMEDIATE takes the write lock first, so the app and the CLI starting together
        // cannot both apply the same migration.
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(map)?;
        let found: i64 = transaction
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(map)?;
        if found > known {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found,
                known,
            });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            transaction.execute_batch(sql).map_err(map)?;
            transaction
                .pragma_update(None, "user_version", index as i64 + 1)
                .map_err(map)?;
            log::info!("database migrated to schema {}", index + 1);
        }
        transaction.commit().map_err(map)
    }

    pub(crate) fn connection(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll
        // back), so a poisoned lock is still usable.
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn map_error(&self, error: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(self.path.as_deref().unwrap_or(Path::new(":memory:")), error)
    }

    /// The schema version in the file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.connection()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| self.map_error(e))
    }
}

/// Runs `step` again while it fails with [`StoreError::Busy`], for up to about five seconds.
fn retry_while_busy<T>(mut step: impl FnMut() -> Result<T, StoreError>) -> Result<T, StoreError> {
    let mut wait = Duration::from_millis(5);
    let mut waited = Duration::ZERO;
    loop {
        match step() {
            Err(StoreError::Busy) if waited < Duration::from_secs(5) => {
                std::thread::sleep(wait);
                waited += wait;
                wait = (wait * 2).min(Duration::from_millis(250));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_the_file_in_wal_mode_with_the_latest_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/ox-teams.sqlite3");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let mode: String = store
            .connection()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(store);
        // Opening again applies nothing twice.
        assert_eq!(
            Store::open(&path).unwrap().schema_version().unwrap(),
            MIGRATIONS.len() as i64
        );
    }

    #[test]
    fn a_file_that_is_not_a_database_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ox-teams.sqlite3");
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        let error = Store::open(&path).err().expect("garbage must not open");
        assert_eq!(error.code(), ErrorCode::DatabaseCorrupt);
        assert!(
            error.to_string().contains(&path.display().to_string()),
            "{error}"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            vec![b'x'; 4096],
            "the file is left as it was"
        );
    }

    #[test]
    fn a_newer_schema_is_refused_not_downgraded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ox-teams.sqlite3");
        Store::open(&path)
            .unwrap()
            .connection()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let error = Store::open(&path).err().unwrap();
        assert_eq!(error.code(), ErrorCode::DatabaseTooNew);
        assert!(error.to_string().contains("schema 99"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_that_cannot_be_written_is_reported_with_its_path() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
        let path = locked.join("data/ox-teams.sqlite3");
        let result = Store::open(&path);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
        // root ignores permissions; the check is only meaningful for ordinary users.
        if let Err(error) = result {
            assert_eq!(error.code(), ErrorCode::DatabaseUnavailable);
            assert!(
                error.to_string().contains(&path.display().to_string()),
                "{error}"
            );
        }
    }
}
