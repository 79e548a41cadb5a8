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

/// An open finding as [`Store::scan_open_findings`] and [`Store::for_each_candidate`] lend it.
#[derive(Debug, Clone, Copy)]
pub struct ScannedFinding<'a> {
    pub id: &'a str,
    /// As stored (RFC 3339), which orders as time does.
    pub last_seen: &'a str,
    pub severity: Severity,
    pub change: Change,
    pub tool: &'a str,
    pub rule_id: &'a str,
    pub path: Option<&'a str>,
    pub title: &'a str,
    pub description: &'a str,
}

/// The columns [`finding`] reads, in its order (then title and description, or two blanks).
const FINDING_COLUMNS: &str = "id, last_seen, severity, change, tool, rule_id, path";

/// The finding in `row`'s columns from `first` on ([`FINDING_COLUMNS`], title, description).
fn finding<'r>(row: &'r rusqlite::Row<'_>, first: usize) -> rusqlite::Result<ScannedFinding<'r>> {
    Ok(ScannedFinding {
        id: text(row, first)?,
        last_seen: text(row, first + 1)?,
        severity: Severity::parse(text(row, first + 2)?).unwrap_or(Severity::Medium),
        change: Change::parse(text(row, first + 3)?).unwrap_or(Change::Existing),
        tool: text(row, first + 4)?,
        rule_id: text(row, first + 5)?,
        path: row.get_ref(first + 6)?.as_str_or_null()?,
        title: text(row, first + 7)?,
        description: text(row, first + 8)?,
    })
}

/// A text column, lent; NULL as empty.
fn text<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    Ok(row.get_ref(i)?.as_str_or_null()?.unwrap_or_default())
}

impl Store {
    /// Lends `each` the findings `filter` lets through that `narrowing` does not rule out (if
    /// `ordered`, in the table's order: most severe first, then most recently seen), with their
    /// rowid and
    /// the columns conditions look at (title and description empty unless
    /// [`Narrowing::with_text`]); nothing is copied.
    pub fn for_each_candidate(
        &self,
        filter: &IssueFilter,
        narrowing: &Narrowing,
        ordered: bool,
        mut each: impl FnMut(i64, ScannedFinding<'_>),
    ) -> Result<(), StoreError> {
        // In order, rows are read through the order index one by one; otherwise the table is
        // read as it lies, several times faster.
        let order = if ordered {
            format!("ORDER BY {TABLE_ORDER}")
        } else {
            String::new()
        };
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
                "SELECT rowid, {FINDING_COLUMNS}, {text_columns} FROM issues {condition} {order}"
            ))
            .map_err(|e| self.map_error(e))?;
        let mut rows = statement
            .query(params_from_iter(values.iter()))
            .map_err(|e| self.map_error(e))?;
        while let Some(row) = rows.next().map_err(|e| self.map_error(e))? {
            let rowid: i64 = row.get(0).map_err(|e| self.map_error(e))?;
            each(rowid, finding(row, 1).map_err(|e| self.map_error(e))?);
        }
        Ok(())
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
                "SELECT {FINDING_COLUMNS}, {text_columns} FROM issues WHERE state = 'open'"
            ))
            .map_err(|e| self.map_error(e))?;
        let mut rows = statement.query([]).map_err(|e| self.map_error(e))?;
        while let Some(row) = rows.next().map_err(|e| self.map_error(e))? {
            each(finding(row, 0).map_err(|e| self.map_error(e))?);
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
