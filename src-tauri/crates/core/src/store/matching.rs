//! Reading the findings a workflow's conditions may match, narrowed in SQL first. The narrowing
//! only ever lets through what the conditions may match (tools and rules by the key they are
//! compared by, a literal run of each path pattern, the text's trigrams), so the caller
//! confirms each candidate with the conditions themselves
//! ([`crate::workflows::CompiledConditions::matches`]); only the columns they look at are read,
//! and whole rows only for what is used.

use rusqlite::params_from_iter;

use super::issues::{COLUMNS, TABLE_ORDER, issue};
use super::search::{TextRows, trigram_query};
use super::{Store, StoreError};

/// How many columns [`COLUMNS`] names.
const COLUMN_COUNT: usize = 25;
use crate::issues::{Change, Issue, IssueFilter, Severity};

/// What SQL may narrow by, beyond an [`IssueFilter`]. Empty lists narrow nothing.
#[derive(Debug, Default)]
pub struct Narrowing {
    /// Any of these, trimmed and ASCII-lowercased: the tool's [`match_key`].
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

/// What Rust's `str::trim` removes (Unicode's White_Space), as SQLite's `char` arguments.
const WHITE_SPACE: &str = "9, 10, 11, 12, 13, 32, 133, 160, 5760, 8192, 8193, 8194, 8195, \
                           8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288";

/// `column` as conditions compare it: trimmed as `str::trim` trims, ASCII letters lowercased
/// (SQLite's `lower` folds no other). Written exactly as migrations/0014_match_keys.sql
/// indexes it, which is what lets SQL read only the rows of the tools or rules named.
fn match_key(column: &str) -> String {
    format!("lower(trim({column}, char({WHITE_SPACE})))")
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
    /// rowid and the columns conditions look at (title and description empty unless
    /// [`Narrowing::with_text`]); nothing is copied.
    pub fn for_each_candidate(
        &self,
        filter: &IssueFilter,
        narrowing: &Narrowing,
        ordered: bool,
        mut each: impl FnMut(i64, ScannedFinding<'_>),
    ) -> Result<(), StoreError> {
        let (sql, values) = Self::candidate_sql(filter, narrowing, ordered);
        let connection = self.connection();
        let mut statement = connection.prepare(&sql).map_err(|e| self.map_error(e))?;
        let mut rows = statement
            .query(params_from_iter(values.iter()))
            .map_err(|e| self.map_error(e))?;
        while let Some(row) = rows.next().map_err(|e| self.map_error(e))? {
            let rowid: i64 = row.get(0).map_err(|e| self.map_error(e))?;
            each(rowid, finding(row, 1).map_err(|e| self.map_error(e))?);
        }
        Ok(())
    }

    /// The query [`Store::for_each_candidate`] reads, with its values.
    fn candidate_sql(
        filter: &IssueFilter,
        narrowing: &Narrowing,
        ordered: bool,
    ) -> (String, Vec<String>) {
        // In order, rows are read through the order index one by one; otherwise the table is
        // read as it lies, several times faster.
        let order = if ordered {
            format!("ORDER BY {TABLE_ORDER}")
        } else {
            String::new()
        };
        // A workflow's filter has no text: its text condition is the narrowing's.
        debug_assert!(filter.text.trim().is_empty());
        let (condition, mut values) = Self::filter_sql(filter, None, TextRows::Indexed);
        // A named tool (or else rule) is read through its key's index: left to itself, SQLite
        // picks an index on state, which every open finding shares, and reads every row. Out
        // of order, other conditions read the table as it lies: through an index on state,
        // change and severity, rows would be visited out of the table's own order.
        let index = if !narrowing.tools.is_empty() {
            "INDEXED BY issues_tool_key"
        } else if !narrowing.rules.is_empty() {
            "INDEXED BY issues_rule_key"
        } else if !ordered {
            "NOT INDEXED"
        } else {
            ""
        };
        let mut clauses: Vec<String> = Vec::new();
        let mut any_of = |column: &str, items: &[String], values: &mut Vec<String>| {
            if items.is_empty() {
                return;
            }
            let marks = vec!["?"; items.len()].join(", ");
            clauses.push(format!("{} IN ({marks})", match_key(column)));
            values.extend(items.iter().cloned());
        };
        any_of("tool", &narrowing.tools, &mut values);
        any_of("rule_id", &narrowing.rules, &mut values);
        if !narrowing.path_runs.is_empty() && narrowing.path_runs.iter().all(Option::is_some) {
            let runs: Vec<String> = narrowing.path_runs.iter().flatten().cloned().collect();
            let each = vec!["instr(coalesce(path, ''), ?) > 0"; runs.len()];
            clauses.push(format!("({})", each.join(" OR ")));
            values.extend(runs);
        }
        if let Some(text) = &narrowing.text {
            clauses.push(
                "rowid IN (SELECT rowid FROM issues_search WHERE issues_search MATCH ?)"
                    .to_string(),
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
        let columns = format!("rowid, {FINDING_COLUMNS}, {text_columns}");
        (
            format!("SELECT {columns} FROM issues {index} {condition} {order}"),
            values,
        )
    }

    /// Every open finding's columns that conditions look at, in one scan of the table as it
    /// lies, lent to `each` without copying (title and description empty unless `with_text`).
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
                "SELECT {FINDING_COLUMNS}, {text_columns} FROM issues NOT INDEXED \
                 WHERE state = 'open'"
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
    fn sql_compares_tools_and_rules_by_the_key_conditions_use_and_reads_them_through_its_index() {
        let store = Store::open_in_memory().unwrap();
        let connection = store.connection();
        // White space of every kind Rust trims; a zero-width space, which it does not; letters
        // beyond ASCII, which neither folds.
        let samples = [
            "Semgrep",
            " \t CodeQL\r\n",
            "\u{a0}ESLint\u{3000}",
            "\u{85}\u{1680}\u{2000}Trivy\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{b}\u{c}",
            "\u{200b}Bandit",
            "ÉLAN Rule.X ",
        ];
        for sample in samples {
            let key: String = connection
                .query_row(&format!("SELECT {}", match_key("?1")), [sample], |row| {
                    row.get(0)
                })
                .unwrap();
            assert_eq!(key, sample.trim().to_ascii_lowercase(), "{sample:?}");
        }
        drop(connection);
        let open = IssueFilter {
            severities: vec![Severity::Critical, Severity::High],
            states: vec![crate::issues::IssueState::Open],
            ..IssueFilter::default()
        };
        let names = vec!["semgrep".to_string()];
        let by_tool = Narrowing {
            tools: names.clone(),
            rules: names.clone(),
            ..Narrowing::default()
        };
        let by_rule = Narrowing {
            rules: names,
            ..Narrowing::default()
        };
        for (narrowing, index) in [(by_tool, "issues_tool_key"), (by_rule, "issues_rule_key")] {
            for ordered in [false, true] {
                let (sql, values) = Store::candidate_sql(&open, &narrowing, ordered);
                let steps = plan(&store, &sql, &values);
                assert!(steps.iter().any(|step| step.contains(index)), "{steps:?}");
            }
        }
    }

    /// The steps of `sql`'s query plan.
    fn plan(store: &Store, sql: &str, values: &[String]) -> Vec<String> {
        store
            .connection()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map(params_from_iter(values.iter()), |row| row.get(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn open_findings_are_counted_by_severity_and_change_without_reading_a_row() {
        // What a dry run of a workflow on severities alone counts (migration 0016).
        let store = Store::open_in_memory().unwrap();
        let changes = [vec![Change::New, Change::Updated], vec![]];
        for changes in changes {
            let filter = IssueFilter {
                severities: vec![Severity::Critical, Severity::High],
                changes,
                states: vec![crate::issues::IssueState::Open],
                ..IssueFilter::default()
            };
            let (condition, values) = Store::filter_sql(&filter, None, TextRows::Indexed);
            let steps = plan(
                &store,
                &format!("SELECT count(*) FROM issues {condition}"),
                &values,
            );
            assert!(
                steps
                    .iter()
                    .any(|s| s.contains("COVERING INDEX issues_state_change_severity")),
                "{steps:?}"
            );
        }
        // Out of order and with no tool or rule named, the table is read as it lies.
        let filter = IssueFilter {
            severities: vec![Severity::High],
            changes: vec![Change::New],
            states: vec![crate::issues::IssueState::Open],
            ..IssueFilter::default()
        };
        let narrowing = Narrowing {
            path_runs: vec![Some("src/".to_string())],
            ..Narrowing::default()
        };
        let (sql, values) = Store::candidate_sql(&filter, &narrowing, false);
        let steps = plan(&store, &sql, &values);
        assert_eq!(steps, ["SCAN issues"], "{sql}");
    }

    #[test]
    fn the_rowid_is_read_after_the_issues_own_columns() {
        assert_eq!(COLUMNS.split(',').count(), COLUMN_COUNT);
    }
}
