//! Sources, a watched folder's files and a GitHub list's validators.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::columns::time;
use super::{Store, StoreError};
use crate::error::{AppError, ErrorCode};
use crate::sources::{Found, Source};

const SELECT: &str = "SELECT id, name, config, interval_secs, created_at, last_check, found_at,
    found_new, found_updated, found_fixed, found_reopened, found_suppressed, next_check,
    error_code, error_message, waiting_until FROM sources";

fn source(r: &Row) -> rusqlite::Result<Source> {
    let optional_time = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        r.get::<_, Option<String>>(i)?.map(time).transpose()
    };
    let count = |i: usize| -> rusqlite::Result<u64> { Ok(r.get::<_, i64>(i)?.max(0) as u64) };
    let found = Found {
        new: count(7)?,
        updated: count(8)?,
        fixed: count(9)?,
        reopened: count(10)?,
        suppressed: count(11)?,
    };
    let code: Option<ErrorCode> = r.get(13)?;
    let message: Option<String> = r.get(14)?;
    Ok(Source {
        id: r.get(0)?,
        name: r.get(1)?,
        config: r.get(2)?,
        interval_secs: r.get::<_, i64>(3)?.max(1) as u64,
        created_at: time(r.get(4)?)?,
        last_check: optional_time(5)?,
        found_at: optional_time(6)?,
        found_summary: found.sentence(),
        found,
        next_check: time(r.get(12)?)?,
        error: code
            .zip(message)
            .map(|(code, message)| AppError { code, message }),
        waiting_until: optional_time(15)?,
    })
}

/// What a watched folder knows of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileState {
    /// Size and modification time (nanoseconds) at the last look.
    pub seen: (u64, i64),
    /// When the last look found it different from the one before.
    pub changed_at: DateTime<Utc>,
    /// The version last imported (or refused).
    pub imported: Option<(u64, i64)>,
}

/// A GitHub list's validator and high-water mark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListState {
    pub etag: Option<String>,
    pub watermark: Option<DateTime<Utc>>,
    pub full_read_at: Option<DateTime<Utc>>,
}

/// The outcome of one check, as stored on the source.
pub struct CheckRecord<'a> {
    pub at: DateTime<Utc>,
    pub found: Found,
    pub next_check: DateTime<Utc>,
    pub error: Option<&'a AppError>,
    pub waiting_until: Option<DateTime<Utc>>,
}

impl Store {
    pub fn insert_source(&self, source: &Source) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "INSERT INTO sources (id, name, config, interval_secs, created_at, next_check)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    source.id,
                    source.name,
                    source.config,
                    source.interval_secs as i64,
                    source.created_at.to_rfc3339(),
                    source.next_check.to_rfc3339()
                ],
            )
            .map_err(|e| self.map_error(e))?;
        Ok(())
    }

    pub fn sources(&self) -> Result<Vec<Source>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(&format!("{SELECT} ORDER BY created_at, id"))
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map([], source)
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }

    pub fn source(&self, id: &str) -> Result<Option<Source>, StoreError> {
        self.connection()
            .query_row(&format!("{SELECT} WHERE id = ?1"), [id], source)
            .optional()
            .map_err(|e| self.map_error(e))
    }

    /// Removes the source and what it remembered (its findings stay).
    pub fn delete_source(&self, id: &str) -> Result<bool, StoreError> {
        let mut connection = self.connection();
        let transaction = connection.transaction().map_err(|e| self.map_error(e))?;
        for table in ["source_files", "source_lists"] {
            transaction
                .execute(&format!("DELETE FROM {table} WHERE source_id = ?1"), [id])
                .map_err(|e| self.map_error(e))?;
        }
        let removed = transaction
            .execute("DELETE FROM sources WHERE id = ?1", [id])
            .map_err(|e| self.map_error(e))?;
        transaction.commit().map_err(|e| self.map_error(e))?;
        Ok(removed > 0)
    }

    /// Stores what a check did; what it found replaces the last finding only when it found
    /// something, so "3 new at 10:02" stays visible through later quiet checks.
    pub fn record_check(&self, id: &str, check: &CheckRecord) -> Result<(), StoreError> {
        let found = check.found.any().then_some(check.found);
        self.connection()
            .execute(
                "UPDATE sources SET last_check = ?2, next_check = ?3, error_code = ?4,
                    error_message = ?5, waiting_until = ?6,
                    found_at = CASE WHEN ?7 THEN ?2 ELSE found_at END,
                    found_new = CASE WHEN ?7 THEN ?8 ELSE found_new END,
                    found_updated = CASE WHEN ?7 THEN ?9 ELSE found_updated END,
                    found_fixed = CASE WHEN ?7 THEN ?10 ELSE found_fixed END,
                    found_reopened = CASE WHEN ?7 THEN ?11 ELSE found_reopened END,
                    found_suppressed = CASE WHEN ?7 THEN ?12 ELSE found_suppressed END
                 WHERE id = ?1",
                params![
                    id,
                    check.at.to_rfc3339(),
                    check.next_check.to_rfc3339(),
                    check.error.map(|e| e.code),
                    check.error.map(|e| e.message.clone()),
                    check.waiting_until.map(|t| t.to_rfc3339()),
                    found.is_some(),
                    check.found.new as i64,
                    check.found.updated as i64,
                    check.found.fixed as i64,
                    check.found.reopened as i64,
                    check.found.suppressed as i64,
                ],
            )
            .map_err(|e| self.map_error(e))?;
        Ok(())
    }

    /// Brings a source's next check forward (a file changed in its folder, "Check now").
    pub fn check_source_by(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "UPDATE sources SET next_check = min(next_check, ?2) WHERE id = ?1",
                params![id, at.to_rfc3339()],
            )
            .map_err(|e| self.map_error(e))?;
        Ok(())
    }

    pub fn file_state(&self, source_id: &str, path: &str) -> Result<Option<FileState>, StoreError> {
        self.connection()
            .query_row(
                "SELECT seen_size, seen_modified, changed_at, imported_size, imported_modified
                 FROM source_files WHERE source_id = ?1 AND path = ?2",
                params![source_id, path],
                |r| {
                    let imported: (Option<i64>, Option<i64>) = (r.get(3)?, r.get(4)?);
                    Ok(FileState {
                        seen: (r.get::<_, i64>(0)? as u64, r.get(1)?),
                        changed_at: time(r.get(2)?)?,
                        imported: match imported {
                            (Some(size), Some(modified)) => Some((size as u64, modified)),
                            _ => None,
                        },
                    })
                },
            )
            .optional()
            .map_err(|e| self.map_error(e))
    }

    /// Records what a look at a file saw.
    pub fn file_seen(
        &self,
        source_id: &str,
        path: &str,
        seen: (u64, i64),
        changed_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "INSERT INTO source_files (source_id, path, seen_size, seen_modified, changed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (source_id, path) DO UPDATE SET seen_size = ?3, seen_modified = ?4,
                    changed_at = ?5",
                params![
                    source_id,
                    path,
                    seen.0 as i64,
                    seen.1,
                    changed_at.to_rfc3339()
                ],
            )
            .map_err(|e| self.map_error(e))?;
        Ok(())
    }

    /// Records that this version of the file was imported (or refused): it is not read again.
    pub fn file_imported(
        &self,
        source_id: &str,
        path: &str,
        version: (u64, i64),
    ) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "UPDATE source_files SET imported_size = ?3, imported_modified = ?4
                 WHERE source_id = ?1 AND path = ?2",
                params![source_id, path, version.0 as i64, version.1],
            )
            .map_err(|e| self.map_error(e))?;
        Ok(())
    }

    pub fn list_state(&self, source_id: &str, url: &str) -> Result<ListState, StoreError> {
        Ok(self
            .connection()
            .query_row(
                "SELECT etag, watermark, full_read_at FROM source_lists
                 WHERE source_id = ?1 AND url = ?2",
                params![source_id, url],
                |r| {
                    Ok(ListState {
                        etag: r.get(0)?,
                        watermark: r.get::<_, Option<String>>(1)?.map(time).transpose()?,
                        full_read_at: r.get::<_, Option<String>>(2)?.map(time).transpose()?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.map_error(e))?
            .unwrap_or_default())
    }

    pub fn save_list_state(
        &self,
        source_id: &str,
        url: &str,
        state: &ListState,
    ) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "INSERT INTO source_lists (source_id, url, etag, watermark, full_read_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (source_id, url) DO UPDATE SET etag = ?3, watermark = ?4,
                    full_read_at = ?5",
                params![
                    source_id,
                    url,
                    state.etag,
                    state.watermark.map(|t| t.to_rfc3339()),
                    state.full_read_at.map(|t| t.to_rfc3339())
                ],
            )
            .map_err(|e| self.map_error(e))?;
        Ok(())
    }
}
