//! Cached directory listings.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

impl Store {
    pub fn cached(
        &self,
        kind: &str,
        scope: &str,
    ) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
        self.connection()
            .query_row(
                "SELECT payload, fetched_at FROM directory_cache WHERE kind = ?1 AND scope = ?2",
                params![kind, scope],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()
            .map_err(|e| self.map_error(e))
            .map(|found| {
                found.and_then(|(payload, at)| {
                    DateTime::parse_from_rfc3339(&at)
                        .ok()
                        .map(|at| (payload, at.to_utc()))
                })
            })
    }

    pub fn cache(
        &self,
        kind: &str,
        scope: &str,
        payload: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "INSERT OR REPLACE INTO directory_cache (kind, scope, payload, fetched_at) VALUES (?1, ?2, ?3, ?4)",
                params![kind, scope, payload, at.to_rfc3339()],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }

    pub fn clear_cache(&self) -> Result<(), StoreError> {
        self.connection()
            .execute("DELETE FROM directory_cache", [])
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }
}
