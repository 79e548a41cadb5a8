//! Issue rows.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params, params_from_iter};

use super::{Store, StoreError};
use crate::issues::{Change, Facet, Finding, Issue, IssueFacets, IssueFilter, IssuePage, Severity};

/// What one file's findings did to the store.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    pub new: Vec<String>,
    pub updated: Vec<String>,
    pub existing: Vec<String>,
}

const COLUMNS: &str =
    "id, title, severity, score, tool, rule_id, rule_name, path, line, column_number, help_uri,
    description, tags, revision, change, first_seen, last_seen, source";

fn time(text: String) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.to_utc())
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
}

fn issue(row: &Row) -> rusqlite::Result<Issue> {
    let severity: String = row.get(2)?;
    let change: String = row.get(14)?;
    let tags: String = row.get(12)?;
    Ok(Issue {
        id: row.get(0)?,
        title: row.get(1)?,
        severity: Severity::parse(&severity).unwrap_or(Severity::Medium),
        score: row.get(3)?,
        tool: row.get(4)?,
        rule_id: row.get(5)?,
        rule_name: row.get(6)?,
        path: row.get(7)?,
        line: row.get(8)?,
        column: row.get(9)?,
        help_uri: row.get(10)?,
        description: row.get(11)?,
        tags: tags
            .split('\u{1f}')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        revision: row.get(13)?,
        change: Change::parse(&change).unwrap_or(Change::Existing),
        first_seen: time(row.get(15)?)?,
        last_seen: time(row.get(16)?)?,
        source: row.get(17)?,
    })
}

impl Store {
    /// Applies one file's findings in one transaction: a file imports entirely or not at all.
    pub fn apply_findings(
        &self,
        source: &str,
        findings: &[Finding],
        now: DateTime<Utc>,
    ) -> Result<Applied, StoreError> {
        let mut connection = self.connection();
        let transaction = connection.transaction().map_err(|e| self.map_error(e))?;
        let mut applied = Applied::default();
        {
            let mut current = transaction
                .prepare_cached("SELECT content_hash, last_seen FROM issues WHERE id = ?1")
                .map_err(|e| self.map_error(e))?;
            let mut insert = transaction
                .prepare_cached(
                    "INSERT INTO issues (id, title, severity, severity_rank, score, tool, rule_id, rule_name, path, line,
                        column_number, help_uri, description, tags, content_hash, revision, change, first_seen,
                        last_seen, updated_at, source)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 1, 'new', ?16, ?16, ?17, ?18)",
                )
                .map_err(|e| self.map_error(e))?;
            let mut update = transaction
                .prepare_cached(
                    "UPDATE issues SET title = ?2, severity = ?3, severity_rank = ?4, score = ?5, tool = ?6, rule_id = ?7,
                        rule_name = ?8, path = ?9, line = ?10, column_number = ?11, help_uri = ?12, description = ?13,
                        tags = ?14, content_hash = ?15, revision = revision + 1, change = 'updated',
                        last_seen = max(last_seen, ?16), updated_at = ?17, source = ?18
                     WHERE id = ?1",
                )
                .map_err(|e| self.map_error(e))?;
            let mut seen_again = transaction
                .prepare_cached("UPDATE issues SET change = 'existing', last_seen = ?2, updated_at = ?3, source = ?4 WHERE id = ?1")
                .map_err(|e| self.map_error(e))?;
            for finding in findings {
                let hash = finding.content_hash();
                let seen = finding.seen_at.to_rfc3339();
                let values = params![
                    finding.id,
                    finding.title,
                    finding.severity.as_str(),
                    finding.severity.rank(),
                    finding.score,
                    finding.tool,
                    finding.rule_id,
                    finding.rule_name,
                    finding.path,
                    finding.line,
                    finding.column,
                    finding.help_uri,
                    finding.description,
                    finding.tags.join("\u{1f}"),
                    hash,
                    seen,
                    now.to_rfc3339(),
                    source,
                ];
                let known: Option<(String, String)> = current
                    .query_row([&finding.id], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()
                    .map_err(|e| self.map_error(e))?;
                match known {
                    None => {
                        insert.execute(values).map_err(|e| self.map_error(e))?;
                        applied.new.push(finding.id.clone());
                    }
                    Some((known_hash, _)) if known_hash != hash => {
                        update.execute(values).map_err(|e| self.map_error(e))?;
                        applied.updated.push(finding.id.clone());
                    }
                    Some((_, last_seen)) => {
                        // The same scan imported again changes nothing; a later scan that still
                        // reports it moves "last seen".
                        if time(last_seen).is_ok_and(|last| finding.seen_at > last) {
                            seen_again
                                .execute(params![finding.id, seen, now.to_rfc3339(), source])
                                .map_err(|e| self.map_error(e))?;
                        }
                        applied.existing.push(finding.id.clone());
                    }
                }
            }
        }
        transaction.commit().map_err(|e| self.map_error(e))?;
        Ok(applied)
    }

    fn filter_sql(filter: &IssueFilter) -> (String, Vec<String>) {
        let mut clauses = Vec::new();
        let mut values: Vec<String> = Vec::new();
        let mut any_of = |column: &str, items: Vec<String>, values: &mut Vec<String>| {
            if !items.is_empty() {
                let marks = vec!["?"; items.len()].join(", ");
                clauses.push(format!("{column} IN ({marks})"));
                values.extend(items);
            }
        };
        any_of(
            "severity",
            filter
                .severities
                .iter()
                .map(|s| s.as_str().to_string())
                .collect(),
            &mut values,
        );
        any_of("tool", filter.tools.clone(), &mut values);
        any_of(
            "change",
            filter
                .changes
                .iter()
                .map(|c| c.as_str().to_string())
                .collect(),
            &mut values,
        );
        let text = filter.text.trim().to_lowercase();
        if !text.is_empty() {
            clauses.push(
                "(instr(lower(title), ?) > 0 OR instr(lower(rule_id), ?) > 0 OR instr(lower(coalesce(path, '')), ?) > 0
                  OR instr(lower(description), ?) > 0 OR id = ?)"
                    .to_string(),
            );
            values.extend([
                text.clone(),
                text.clone(),
                text.clone(),
                text.clone(),
                filter.text.trim().to_string(),
            ]);
        }
        let sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        (sql, values)
    }

    /// A window of the filtered issues, most severe first, then most recently seen.
    pub fn issues_page(
        &self,
        filter: &IssueFilter,
        offset: u64,
        limit: u64,
    ) -> Result<IssuePage, StoreError> {
        let (condition, values) = Self::filter_sql(filter);
        let connection = self.connection();
        let total: i64 = connection
            .query_row(
                &format!("SELECT count(*) FROM issues {condition}"),
                params_from_iter(values.iter()),
                |row| row.get(0),
            )
            .map_err(|e| self.map_error(e))?;
        let total = total as u64;
        let sql = format!(
            "SELECT {COLUMNS} FROM issues {condition} ORDER BY severity_rank DESC, last_seen DESC, id LIMIT {} OFFSET {}",
            limit.min(2000),
            offset
        );
        let mut statement = connection.prepare(&sql).map_err(|e| self.map_error(e))?;
        let issues = statement
            .query_map(params_from_iter(values.iter()), issue)
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))?;
        Ok(IssuePage {
            total,
            offset,
            issues,
        })
    }

    /// Every issue the filter lets through, most severe first, in one pass (workflows read
    /// them all; the table pages).
    pub fn all_issues(&self, filter: &IssueFilter) -> Result<Vec<Issue>, StoreError> {
        let (condition, values) = Self::filter_sql(filter);
        let connection = self.connection();
        let mut statement = connection
            .prepare(&format!(
                "SELECT {COLUMNS} FROM issues {condition} ORDER BY severity_rank DESC, last_seen DESC, id"
            ))
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map(params_from_iter(values.iter()), issue)
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }

    pub fn issue(&self, id: &str) -> Result<Option<Issue>, StoreError> {
        self.connection()
            .query_row(
                &format!("SELECT {COLUMNS} FROM issues WHERE id = ?1"),
                [id],
                issue,
            )
            .optional()
            .map_err(|e| self.map_error(e))
    }

    pub fn issue_facets(&self) -> Result<IssueFacets, StoreError> {
        let connection = self.connection();
        let count = |sql: &str| -> Result<Vec<Facet>, StoreError> {
            let mut statement = connection.prepare(sql).map_err(|e| self.map_error(e))?;
            let rows = statement
                .query_map([], |row| {
                    Ok(Facet {
                        value: row.get(0)?,
                        count: row.get::<_, i64>(1)? as u64,
                    })
                })
                .map_err(|e| self.map_error(e))?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(|e| self.map_error(e))?;
            Ok(rows)
        };
        let total: i64 = connection
            .query_row("SELECT count(*) FROM issues", [], |r| r.get(0))
            .map_err(|e| self.map_error(e))?;
        let total = total as u64;
        Ok(IssueFacets {
            total,
            severities: count(
                "SELECT severity, count(*) FROM issues GROUP BY severity ORDER BY max(severity_rank) DESC",
            )?,
            tools: count(
                "SELECT tool, count(*) FROM issues GROUP BY tool ORDER BY count(*) DESC, tool",
            )?,
            changes: count("SELECT change, count(*) FROM issues GROUP BY change ORDER BY change")?,
        })
    }
}
