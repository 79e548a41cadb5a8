//! Reading the findings a workflow's conditions may match, narrowed in SQL first. The narrowing
//! only ever lets through more than the conditions match (tools and rules as substrings, a
//! literal run of each path pattern, the text's trigrams), so the caller confirms each
//! candidate with the conditions themselves ([`crate::workflows::CompiledConditions::matches`]);
//! only the columns they look at are read, and whole rows only for what is used.

use rusqlite::params_from_iter;

use super::issues::{COLUMNS, TABLE_ORDER, issue, trigram_query};
use super::{Store, StoreError};

/// How many columns [`COLUMNS`] names.
const COLUMN_COUNT: usize = 25;
use crate::issues::{Change, Issue, IssueFilter, Severity};

/// What SQL may narrow by, beyond an [`IssueFilter`]. Empty lists narrow nothing.
#[derive(Debug, Default)]
pub struct Narrowing {
    /// Any of these, as ASCII-lowercased substrings of the tool.
    pub tools: Vec<String>,
    pub rules: Vec<String>,
    /// Any of these must appear in the path (`None` in the list: a pattern with no literal
    /// part, so paths cannot narrow).
    pub path_runs: Vec<Option<String>>,
    /// The text's trigrams (ASCII text of three characters or more).
    pub text: Option<String>,
    /// Read title and description (the text condition looks at them).
    pub with_text: bool,
}

/// The columns a workflow's conditions look at, and the row to read whole.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub rowid: i64,
    pub severity: Severity,
    pub tool: String,
    pub rule_id: String,
    pub path: Option<String>,
    /// Empty unless [`Narrowing::with_text`].
    pub title: String,
    pub description: String,
}

/// An open finding as [`Store::scan_open_findings`] lends it.
#[derive(Debug, Clone, Copy)]
pub struct ScannedFinding<'a> {
    pub severity: Severity,
    pub change: Change,
    pub tool: &'a str,
    pub rule_id: &'a str,
    pub path: Option<&'a str>,
    pub title: &'a str,
    pub description: &'a str,
}

/// A text column, lent; NULL as empty.
fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    Ok(row.get_ref(i)?.as_str_or_null()?.unwrap_or_default())
}

impl Store {
    /// The findings `filter` lets through that `narrowing` does not rule out, in the table's
    /// order (most severe first, then most recently seen).
    pub fn condition_candidates(
        &self,
        filter: &IssueFilter,
        narrowing: &Narrowing,
    ) -> Result<Vec<Candidate>, StoreError> {
        let (condition, mut values) = Self::filter_sql(filter);
        let mut clauses: Vec<String> = Vec::new();
        let mut any_substring = |column: &str, items: &[String], values: &mut Vec<String>| {
            if items.is_empty() {
                return;
            }
            let each = vec![format!("instr(lower({column}), ?) > 0"); items.len()];
            clauses.push(format!("({})", each.join(" OR ")));
            values.extend(items.iter().cloned());
        };
        any_substring("tool", &narrowing.tools, &mut values);
        any_substring("rule_id", &narrowing.rules, &mut values);
        if !narrowing.path_runs.is_empty() && narrowing.path_runs.iter().all(Option::is_some) {
            let runs: Vec<String> = narrowing.path_runs.iter().flatten().cloned().collect();
            let each = vec!["instr(coalesce(path, ''), ?) > 0"; runs.len()];
            clauses.push(format!("({})", each.join(" OR ")));
            values.extend(runs);
        }
        if let Some(text) = &narrowing.text {
            clauses.push(
                "rowid IN (SELECT rowid FROM issues_text WHERE issues_text MATCH ?)".to_string(),
            );
            values.push(trigram_query(text));
        }
        let mut condition = condition;
        if !clauses.is_empty() {
            let joined = clauses.join(" AND ");
            condition = if condition.is_empty() {
                format!("WHERE {joined}")
            } else {
                format!("{condition} AND {joined}")
            };
        }
        let text_columns = if narrowing.with_text {
            "title, description"
        } else {
            "'', ''"
        };
        let connection = self.connection();
        let mut statement = connection
            .prepare(&format!(
                "SELECT rowid, severity, tool, rule_id, path, {text_columns} FROM issues {condition}
                 ORDER BY {TABLE_ORDER}"
            ))
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map(params_from_iter(values.iter()), |row| {
                let severity: String = row.get(1)?;
                Ok(Candidate {
                    rowid: row.get(0)?,
                    severity: Severity::parse(&severity).unwrap_or(Severity::Medium),
                    tool: row.get(2)?,
                    rule_id: row.get(3)?,
                    path: row.get(4)?,
                    title: row.get(5)?,
                    description: row.get(6)?,
                })
            })
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }

    /// Every open finding's columns that conditions look at, in one scan in no particular
    /// order, lent to `each` without copying (title and description empty unless `with_text`).
    pub fn scan_open_findings(
        &self,
        with_text: bool,
        mut each: impl FnMut(ScannedFinding<'_>),
    ) -> Result<(), StoreError> {
        let text_columns = if with_text {
            "title, description"
        } else {
            "'', ''"
        };
        let connection = self.connection();
        let mut statement = connection
            .prepare(&format!(
                "SELECT severity, change, tool, rule_id, path, {text_columns} FROM issues
                 WHERE state = 'open'"
            ))
            .map_err(|e| self.map_error(e))?;
        let mut rows = statement.query([]).map_err(|e| self.map_error(e))?;
        while let Some(row) = rows.next().map_err(|e| self.map_error(e))? {
            let read = || -> rusqlite::Result<ScannedFinding<'_>> {
                Ok(ScannedFinding {
                    severity: Severity::parse(text(row, 0)?).unwrap_or(Severity::Medium),
                    change: Change::parse(text(row, 1)?).unwrap_or(Change::Existing),
                    tool: text(row, 2)?,
                    rule_id: text(row, 3)?,
                    path: row.get_ref(4)?.as_str_or_null()?,
                    title: text(row, 5)?,
                    description: text(row, 6)?,
                })
            };
            each(read().map_err(|e| self.map_error(e))?);
        }
        Ok(())
    }

    /// These findings whole, in the order given.
    pub fn issues_by_rowid(&self, rowids: &[i64]) -> Result<Vec<Issue>, StoreError> {
        let connection = self.connection();
        let mut found: Vec<(i64, Issue)> = Vec::with_capacity(rowids.len());
        // SQLite allows 32,766 parameters; batches keep each statement small.
        for batch in rowids.chunks(500) {
            let marks = vec!["?"; batch.len()].join(", ");
            let mut statement = connection
                .prepare_cached(&format!(
                    "SELECT {COLUMNS}, rowid FROM issues WHERE rowid IN ({marks})"
                ))
                .map_err(|e| self.map_error(e))?;
            let rows = statement
                .query_map(params_from_iter(batch.iter()), |row| {
                    // The rowid comes after the issue's own columns.
                    Ok((row.get::<_, i64>(COLUMN_COUNT)?, issue(row)?))
                })
                .map_err(|e| self.map_error(e))?;
            for row in rows {
                found.push(row.map_err(|e| self.map_error(e))?);
            }
        }
        let position: std::collections::HashMap<i64, usize> =
            rowids.iter().enumerate().map(|(i, r)| (*r, i)).collect();
        found.sort_by_key(|(rowid, _)| position.get(rowid).copied().unwrap_or(usize::MAX));
        Ok(found.into_iter().map(|(_, issue)| issue).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rowid_is_read_after_the_issues_own_columns() {
        assert_eq!(COLUMNS.split(',').count(), COLUMN_COUNT);
    }
}
