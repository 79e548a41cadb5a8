//! Findings held by workflows' quiet hours (migration 0012).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::columns::time;
use super::{Store, StoreError};

/// A finding a workflow holds until its quiet hours end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuietHeldRow {
    pub workflow_id: String,
    pub issue_id: String,
    pub revision: i64,
    pub until: DateTime<Utc>,
}

fn held(r: &Row) -> rusqlite::Result<QuietHeldRow> {
    Ok(QuietHeldRow {
        workflow_id: r.get(0)?,
        issue_id: r.get(1)?,
        revision: r.get(2)?,
        until: time(r.get(3)?)?,
    })
}

/// What quiet hours did with a finding's revision ([`Store::quiet_held`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuietHeld {
    /// It went out in a quiet-hours digest.
    Released,
    /// It waits for the digest at the end of quiet hours.
    Waiting,
}

impl Store {
    /// Holds this revision (a later revision replaces an earlier one, released or not).
    pub fn hold_quietly(
        &self,
        workflow_id: &str,
        issue_id: &str,
        revision: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "INSERT INTO quiet_held (workflow_id, issue_id, revision, held_at, until)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (workflow_id, issue_id) DO UPDATE SET revision = excluded.revision,
                    held_at = excluded.held_at, until = excluded.until, released_at = NULL",
                params![
                    workflow_id,
                    issue_id,
                    revision,
                    now.to_rfc3339(),
                    until.to_rfc3339()
                ],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }

    /// Whether quiet hours held this revision for the workflow, and if so whether it already
    /// went out in their digest (`None`: never held).
    pub fn quiet_held(
        &self,
        workflow_id: &str,
        issue_id: &str,
        revision: i64,
    ) -> Result<Option<QuietHeld>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(
                "SELECT released_at IS NOT NULL AS released FROM quiet_held
                 WHERE workflow_id = ?1 AND issue_id = ?2 AND revision = ?3
                 ORDER BY released DESC LIMIT 1",
            )
            .map_err(|e| self.map_error(e))?;
        statement
            .query_row(params![workflow_id, issue_id, revision], |r| {
                r.get::<_, bool>(0)
            })
            .optional()
            .map(|held| {
                held.map(|released| {
                    if released {
                        QuietHeld::Released
                    } else {
                        QuietHeld::Waiting
                    }
                })
            })
            .map_err(|e| self.map_error(e))
    }

    /// Everything still held, by workflow, soonest first.
    pub fn quiet_waiting(&self) -> Result<Vec<QuietHeldRow>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(
                "SELECT workflow_id, issue_id, revision, until FROM quiet_held
                 WHERE released_at IS NULL ORDER BY workflow_id, until, issue_id",
            )
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map([], held)
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }

    /// The digest is queued: these rows are not held any more, and their revisions count as
    /// messaged.
    pub fn release_quiet(
        &self,
        workflow_id: &str,
        issue_ids: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut connection = self.connection();
        let transaction = connection.transaction().map_err(|e| self.map_error(e))?;
        {
            let mut release = transaction
                .prepare_cached(
                    "UPDATE quiet_held SET released_at = ?3 WHERE workflow_id = ?1 AND issue_id = ?2",
                )
                .map_err(|e| self.map_error(e))?;
            for issue_id in issue_ids {
                release
                    .execute(params![workflow_id, issue_id, now.to_rfc3339()])
                    .map_err(|e| self.map_error(e))?;
            }
        }
        transaction.commit().map_err(|e| self.map_error(e))
    }
}
