//! Workflow rows, their runs, and the record of what each workflow already sent.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::columns::time;
use super::{Store, StoreError};

/// A workflow as stored: its definition is JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowRow {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub definition: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub next_run_at: Option<DateTime<Utc>>,
}

/// One run of a workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub id: String,
    pub workflow_id: String,
    pub started_at: DateTime<Utc>,
    pub trigger: String,
    pub matched: i64,
    pub queued: i64,
    pub skipped: i64,
    pub summary: String,
}

fn workflow(r: &Row) -> rusqlite::Result<WorkflowRow> {
    Ok(WorkflowRow {
        id: r.get(0)?,
        name: r.get(1)?,
        enabled: r.get::<_, i64>(2)? != 0,
        definition: r.get(3)?,
        created_at: time(r.get(4)?)?,
        updated_at: time(r.get(5)?)?,
        next_run_at: r.get::<_, Option<String>>(6)?.map(time).transpose()?,
    })
}

const SELECT: &str =
    "SELECT id, name, enabled, definition, created_at, updated_at, next_run_at FROM workflows";

impl Store {
    pub fn workflows(&self) -> Result<Vec<WorkflowRow>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(&format!(
                "{SELECT} ORDER BY name COLLATE NOCASE, created_at"
            ))
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map([], workflow)
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }

    pub fn workflow(&self, id: &str) -> Result<Option<WorkflowRow>, StoreError> {
        self.connection()
            .query_row(&format!("{SELECT} WHERE id = ?1"), params![id], workflow)
            .optional()
            .map_err(|e| self.map_error(e))
    }

    pub fn save_workflow(&self, row: &WorkflowRow) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "INSERT INTO workflows (id, name, enabled, definition, created_at, updated_at, next_run_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, enabled = excluded.enabled,
                     definition = excluded.definition, updated_at = excluded.updated_at,
                     next_run_at = excluded.next_run_at",
                params![
                    row.id,
                    row.name,
                    i64::from(row.enabled),
                    row.definition,
                    row.created_at.to_rfc3339(),
                    row.updated_at.to_rfc3339(),
                    row.next_run_at.map(|t| t.to_rfc3339()),
                ],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }

    pub fn delete_workflow(&self, id: &str) -> Result<bool, StoreError> {
        let connection = self.connection();
        // What it held for quiet hours goes with it: nothing would ever send it.
        connection
            .execute("DELETE FROM quiet_held WHERE workflow_id = ?1", params![id])
            .map_err(|e| self.map_error(e))?;
        connection
            .execute("DELETE FROM workflows WHERE id = ?1", params![id])
            .map(|n| n > 0)
            .map_err(|e| self.map_error(e))
    }

    pub fn set_next_run(&self, id: &str, at: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "UPDATE workflows SET next_run_at = ?2 WHERE id = ?1",
                params![id, at.map(|t| t.to_rfc3339())],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }

    pub fn record_run(&self, run: &RunRow) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "INSERT INTO workflow_runs (id, workflow_id, started_at, trigger, matched, queued, skipped, summary)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    run.id,
                    run.workflow_id,
                    run.started_at.to_rfc3339(),
                    run.trigger,
                    run.matched,
                    run.queued,
                    run.skipped,
                    run.summary
                ],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }

    pub fn workflow_runs(&self, workflow_id: &str, limit: i64) -> Result<Vec<RunRow>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(
                "SELECT id, workflow_id, started_at, trigger, matched, queued, skipped, summary
                 FROM workflow_runs WHERE workflow_id = ?1 ORDER BY started_at DESC, rowid DESC LIMIT ?2",
            )
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map(params![workflow_id, limit], |r| {
                Ok(RunRow {
                    id: r.get(0)?,
                    workflow_id: r.get(1)?,
                    started_at: time(r.get(2)?)?,
                    trigger: r.get(3)?,
                    matched: r.get(4)?,
                    queued: r.get(5)?,
                    skipped: r.get(6)?,
                    summary: r.get(7)?,
                })
            })
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }

    /// Whether the workflow already queued this issue's revision for this recipient.
    pub fn workflow_sent(
        &self,
        workflow_id: &str,
        issue_id: &str,
        revision: i64,
        recipient_key: &str,
    ) -> Result<bool, StoreError> {
        self.connection()
            .query_row(
                "SELECT 1 FROM workflow_sends WHERE purpose = 'revision' AND workflow_id = ?1 AND issue_id = ?2 AND revision = ?3
                 AND recipient_key = ?4",
                params![workflow_id, issue_id, revision, recipient_key],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| self.map_error(e))
    }
}
