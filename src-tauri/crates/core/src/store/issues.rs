//! Issue rows.

use chrono::{DateTime, Utc};
use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, Row, ToSql, params, params_from_iter};

use super::columns::time;
use super::search::{TextRows, TextSearch};
use super::{Store, StoreError};
use crate::issues::{
    Change, Facet, Finding, Issue, IssueEvent, IssueEventKind, IssueFacets, IssueFilter, IssuePage,
    IssueState, Reported, Scan, Severity,
};

/// The table's order, most severe first, then most recently seen (the indexes issues_order and
/// issues_state_order keep it); every list of findings is in this order.
pub(super) const TABLE_ORDER: &str = "severity_rank DESC, last_seen DESC, id";
/// How many issues a filter let through, and the database's state then.
#[derive(Debug)]
pub(super) struct IssueCount {
    /// The filter's SQL and values.
    key: String,
    /// `total_changes()` and `data_version` when counted.
    state: (i64, i64),
    total: u64,
}

/// [`TABLE_ORDER`] backwards (the same indexes, walked from the end).
const TABLE_ORDER_REVERSED: &str = "severity_rank ASC, last_seen ASC, id DESC";

/// What one file's findings did to the store.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    pub new: Vec<String>,
    pub updated: Vec<String>,
    pub existing: Vec<String>,
    pub reopened: Vec<String>,
    pub fixed: Vec<String>,
    pub suppressed: Vec<String>,
}

pub(super) const COLUMNS: &str =
    "id, title, severity, score, tool, rule_id, rule_name, path, line, column_number, help_uri,
    description, tags, revision, change, first_seen, last_seen, source, scope, state,
    state_changed_at, fixed_by, acknowledged_at, acknowledged_by, link";

pub(super) fn issue(row: &Row) -> rusqlite::Result<Issue> {
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
        scope: row.get(18)?,
        state: row.get(19)?,
        state_changed_at: row.get::<_, Option<String>>(20)?.map(time).transpose()?,
        fixed_by: row.get(21)?,
        acknowledged_at: row.get::<_, Option<String>>(22)?.map(time).transpose()?,
        acknowledged_by: row.get(23)?,
        link: row.get(24)?,
    })
}

/// A finding's columns as `apply_scan`'s `insert` (?1 to ?21) and `revise` (and ?22) bind
/// them, borrowed rather than copied.
struct FindingRow<'a> {
    finding: &'a Finding,
    severity: &'static str,
    rank: i64,
    tags: String,
    hash: &'a String,
    seen: &'a String,
    stamp: &'a String,
    source: &'a str,
    state: &'static str,
    change: &'static str,
}

impl FindingRow<'_> {
    fn values(&self) -> [&dyn ToSql; 22] {
        let finding = self.finding;
        [
            &finding.id,
            &finding.title,
            &self.severity,
            &self.rank,
            &finding.score,
            &finding.tool,
            &finding.rule_id,
            &finding.rule_name,
            &finding.path,
            &finding.line,
            &finding.column,
            &finding.help_uri,
            &finding.description,
            &self.tags,
            self.hash,
            self.seen,
            self.stamp,
            &self.source,
            &finding.scope,
            &self.state,
            &finding.link,
            &self.change,
        ]
    }
}

/// What a stored finding was before this import.
struct Known {
    hash: String,
    revision: i64,
    last_seen: DateTime<Utc>,
    state: IssueState,
    title: String,
    severity: String,
    location: String,
    description: String,
}

fn location(path: Option<&str>, line: Option<i64>) -> String {
    match (path, line) {
        (Some(path), Some(line)) => format!("{path}:{line}"),
        (Some(path), None) => path.to_string(),
        _ => "(no location)".to_string(),
    }
}

/// What changed, in sentences a person reads in the history and in a thread reply.
fn changes(known: &Known, finding: &Finding, hash: &str) -> Vec<String> {
    let mut said = Vec::new();
    if known.severity != finding.severity.as_str() {
        said.push(format!(
            "Severity {} → {}",
            known.severity,
            finding.severity.as_str()
        ));
    }
    let now_at = location(finding.path.as_deref(), finding.line);
    if known.location != now_at {
        said.push(format!("Location {} → {now_at}", known.location));
    }
    if known.title != finding.title {
        said.push(format!("Message “{}” → “{}”", known.title, finding.title));
    } else if known.description != finding.description {
        said.push("Description changed".to_string());
    }
    if said.is_empty() && known.hash != hash {
        said.push("Details changed (rule, tags or help link)".to_string());
    }
    said
}

impl Store {
    /// Applies one file's scan in one transaction: a file imports entirely or not at all. Open
    /// findings of the scan's scopes that it no longer reports become fixed; a fixed one
    /// reported again is reopened (a new revision); every step is kept in the history.
    pub fn apply_scan(
        &self,
        source: &str,
        scan: &Scan,
        now: DateTime<Utc>,
    ) -> Result<Applied, StoreError> {
        let mut connection = self.connection();
        // IMMEDIATE: the write lock is taken (or waited for) before anything is read, so an
        // import never fails half-way because the other process started writing meanwhile.
        let transaction = connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| self.map_error(e))?;
        let fail = |e| self.map_error(e);
        let mut applied = Applied::default();
        let stamp = now.to_rfc3339();
        {
            let mut current = transaction
                .prepare_cached(
                    "SELECT content_hash, last_seen, state, revision, title, severity, path, line, description
                     FROM issues WHERE id = ?1",
                )
                .map_err(fail)?;
            let mut insert = transaction
                .prepare_cached(
                    "INSERT INTO issues (id, title, severity, severity_rank, score, tool, rule_id, rule_name, path, line,
                        column_number, help_uri, description, tags, content_hash, revision, change, first_seen,
                        last_seen, updated_at, source, scope, state, state_changed_at, link)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 1, 'new', ?16, ?16, ?17, ?18,
                        ?19, ?20, CASE WHEN ?20 = 'open' THEN NULL ELSE ?17 END, ?21)",
                )
                .map_err(fail)?;
            // A new revision: the content changed, or the finding came back.
            let mut revise = transaction
                .prepare_cached(
                    "UPDATE issues SET title = ?2, severity = ?3, severity_rank = ?4, score = ?5, tool = ?6, rule_id = ?7,
                        rule_name = ?8, path = ?9, line = ?10, column_number = ?11, help_uri = ?12, description = ?13,
                        tags = ?14, content_hash = ?15, revision = revision + 1, change = ?22, link = ?21,
                        last_seen = max(last_seen, ?16), updated_at = ?17, source = ?18, scope = ?19,
                        state = ?20, state_changed_at = CASE WHEN state = ?20 THEN state_changed_at ELSE ?17 END,
                        fixed_by = NULL
                     WHERE id = ?1",
                )
                .map_err(fail)?;
            let mut seen_again = transaction
                .prepare_cached(
                    "UPDATE issues SET change = 'existing', last_seen = max(last_seen, ?2), updated_at = ?3, source = ?4,
                        scope = ?5
                     WHERE id = ?1",
                )
                .map_err(fail)?;
            let mut set_state = transaction
                .prepare_cached(
                    "UPDATE issues SET state = ?2, state_changed_at = ?3, updated_at = ?3,
                        fixed_by = CASE WHEN ?2 = 'fixed' THEN ?4 ELSE NULL END,
                        last_seen = max(last_seen, ?5)
                     WHERE id = ?1",
                )
                .map_err(fail)?;
            let mut event = transaction
                .prepare_cached(
                    "INSERT INTO issue_events (issue_id, revision, at, kind, changes, source)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(fail)?;
            let mut record = |id: &str, revision: i64, kind: IssueEventKind, said: &[String]| {
                let said = if said.is_empty() {
                    "[]".to_string()
                } else {
                    serde_json::to_string(said).unwrap_or_else(|_| "[]".into())
                };
                event
                    .execute(params![id, revision, stamp, kind, said, source])
                    .map(|_| ())
            };
            // New rows get their searchable text after the loop, in one statement. One row per
            // statement took 47 of the 64 ms of importing eslint-large.sarif (the text index
            // writes its pending terms out at each statement's savepoint; 6 ms in one), and a
            // trigger on `issues` took 4 to 5 times longer still (migration 0011). New rows
            // are those past the greatest rowid before the loop (SQLite gives a new row the
            // greatest rowid plus one). A row changed before then (its id twice in one file)
            // gets its latest text.
            let last_before: i64 = transaction
                .query_row("SELECT coalesce(max(rowid), 0) FROM issues", [], |row| {
                    row.get(0)
                })
                .map_err(fail)?;
            let mut reported = HashSet::new();
            for finding in &scan.findings {
                reported.insert(finding.id.as_str());
                let hash = finding.content_hash();
                let seen = finding.seen_at.to_rfc3339();
                let target = match finding.reported {
                    Reported::Active => IssueState::Open,
                    Reported::Suppressed => IssueState::Suppressed,
                    Reported::Absent => IssueState::Fixed,
                };
                let known: Option<Known> = current
                    .query_row([&finding.id], |row| {
                        Ok(Known {
                            hash: row.get(0)?,
                            revision: row.get(3)?,
                            last_seen: time(row.get(1)?)?,
                            state: row.get(2)?,
                            title: row.get(4)?,
                            severity: row.get(5)?,
                            location: location(
                                row.get::<_, Option<String>>(6)?.as_deref(),
                                row.get(7)?,
                            ),
                            description: row.get(8)?,
                        })
                    })
                    .optional()
                    .map_err(fail)?;
                let row = |change: Change, state: IssueState| FindingRow {
                    finding,
                    severity: finding.severity.as_str(),
                    rank: finding.severity.rank(),
                    tags: finding.tags.join("\u{1f}"),
                    hash: &hash,
                    seen: &seen,
                    stamp: &stamp,
                    source,
                    state: state.as_str(),
                    change: change.as_str(),
                };
                let Some(known) = known else {
                    // Never seen and already gone: nothing to keep.
                    if target == IssueState::Fixed {
                        continue;
                    }
                    insert
                        .execute(&row(Change::New, target).values()[..21])
                        .map_err(fail)?;
                    if target == IssueState::Suppressed {
                        record(&finding.id, 1, IssueEventKind::Suppressed, &[]).map_err(fail)?;
                        applied.suppressed.push(finding.id.clone());
                    } else {
                        record(&finding.id, 1, IssueEventKind::New, &[]).map_err(fail)?;
                        applied.new.push(finding.id.clone());
                    }
                    continue;
                };
                // An older scan imported after a newer one does not move the state back.
                let current_scan = finding.seen_at >= known.last_seen;
                let said = changes(&known, finding, &hash);
                match (known.state, target) {
                    (IssueState::Fixed | IssueState::Suppressed, IssueState::Open)
                        if current_scan =>
                    {
                        revise
                            .execute(row(Change::Reopened, target).values())
                            .map_err(fail)?;
                        let kind = if known.state == IssueState::Fixed {
                            IssueEventKind::Reopened
                        } else {
                            IssueEventKind::Unsuppressed
                        };
                        record(&finding.id, known.revision + 1, kind, &said).map_err(fail)?;
                        applied.reopened.push(finding.id.clone());
                    }
                    (from, IssueState::Fixed | IssueState::Suppressed)
                        if from != target && current_scan =>
                    {
                        set_state
                            .execute(params![finding.id, target.as_str(), stamp, source, seen])
                            .map_err(fail)?;
                        let kind = if target == IssueState::Fixed {
                            applied.fixed.push(finding.id.clone());
                            IssueEventKind::Fixed
                        } else {
                            applied.suppressed.push(finding.id.clone());
                            IssueEventKind::Suppressed
                        };
                        record(&finding.id, known.revision, kind, &[]).map_err(fail)?;
                    }
                    _ if known.hash != hash
                        && target != IssueState::Fixed
                        && known.state != IssueState::Fixed =>
                    {
                        revise
                            .execute(row(Change::Updated, known.state).values())
                            .map_err(fail)?;
                        record(
                            &finding.id,
                            known.revision + 1,
                            IssueEventKind::Updated,
                            &said,
                        )
                        .map_err(fail)?;
                        applied.updated.push(finding.id.clone());
                    }
                    _ => {
                        // The same scan imported again changes nothing; a later scan that
                        // still reports it moves "last seen".
                        if finding.seen_at > known.last_seen {
                            seen_again
                                .execute(params![finding.id, seen, stamp, source, finding.scope])
                                .map_err(fail)?;
                        }
                        applied.existing.push(finding.id.clone());
                    }
                }
            }
            transaction
                .execute(
                    "INSERT INTO issues_search_text (issue_rowid, text)
                     SELECT issue_rowid, text FROM issues_search_source WHERE issue_rowid > ?1",
                    [last_before],
                )
                .map_err(fail)?;
            // What the scan's scopes no longer report is fixed (not when an older scan of the
            // scope is imported after a newer one).
            let mut open_in_scope = transaction
                .prepare_cached(
                    "SELECT id, revision FROM issues WHERE scope = ?1 AND state = 'open' AND last_seen <= ?2",
                )
                .map_err(fail)?;
            for scope in &scan.scopes {
                let ids = open_in_scope
                    .query_map(params![scope.name, scope.seen_at.to_rfc3339()], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                    })
                    .map_err(fail)?
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(fail)?;
                for (id, revision) in ids
                    .into_iter()
                    .filter(|(id, _)| !reported.contains(id.as_str()))
                {
                    set_state
                        .execute(params![
                            id,
                            IssueState::Fixed.as_str(),
                            stamp,
                            source,
                            scope.seen_at.to_rfc3339()
                        ])
                        .map_err(fail)?;
                    record(&id, revision, IssueEventKind::Fixed, &[]).map_err(fail)?;
                    applied.fixed.push(id);
                }
            }
        }
        transaction.commit().map_err(|e| self.map_error(e))?;
        Ok(applied)
    }

    /// A finding's history, oldest first.
    pub fn issue_events(&self, id: &str) -> Result<Vec<IssueEvent>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare(
                "SELECT revision, at, kind, changes, source FROM issue_events WHERE issue_id = ?1
                 ORDER BY at, rowid",
            )
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map([id], |row| {
                let changes: String = row.get(3)?;
                Ok(IssueEvent {
                    revision: row.get(0)?,
                    at: time(row.get(1)?)?,
                    kind: row.get(2)?,
                    changes: serde_json::from_str(&changes).unwrap_or_default(),
                    source: row.get(4)?,
                })
            })
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }

    /// The filter's conditions on `issues` columns, all but its text.
    fn column_clauses(filter: &IssueFilter) -> (Vec<String>, Vec<String>) {
        let mut clauses = Vec::new();
        let mut values: Vec<String> = Vec::new();
        let mut any_of = |column: &str, items: Vec<String>| {
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
        );
        any_of("tool", filter.tools.clone());
        any_of(
            "change",
            filter
                .changes
                .iter()
                .map(|c| c.as_str().to_string())
                .collect(),
        );
        if filter.unacknowledged {
            clauses.push("acknowledged_at IS NULL".to_string());
        }
        (clauses, values)
    }

    /// `filter` as a WHERE clause on `issues` (empty when it lets every row through), with its
    /// values. Its text is `text` ([`TextSearch::new`] of it), found as `rows` says; `None` only
    /// for a filter without text.
    pub(super) fn filter_sql(
        filter: &IssueFilter,
        text: Option<&TextSearch>,
        rows: TextRows,
    ) -> (String, Vec<String>) {
        let (mut clauses, mut values) = Self::column_clauses(filter);
        if !filter.states.is_empty() {
            let marks = vec!["?"; filter.states.len()].join(", ");
            clauses.push(format!("state IN ({marks})"));
            values.extend(filter.states.iter().map(|s| s.as_str().to_string()));
        }
        if let Some(text) = text {
            let (condition, text_values) = text.condition(rows, &filter.states);
            clauses.push(condition);
            values.extend(text_values);
        }
        let sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        (sql, values)
    }

    /// How many issues `filter` (its text as `text`) lets through: kept until the filter or
    /// the database changes, so a table scrolled through counts once.
    fn count_issues(
        &self,
        connection: &Connection,
        filter: &IssueFilter,
        text: Option<&TextSearch>,
    ) -> Result<u64, StoreError> {
        let (sql, values) = match text {
            Some(text) => {
                let (clauses, values) = Self::column_clauses(filter);
                text.count(&filter.states, &clauses, &values)
            }
            None => {
                let (condition, values) = Self::filter_sql(filter, None, TextRows::Indexed);
                (format!("SELECT count(*) FROM issues {condition}"), values)
            }
        };
        // Counted again only when the filter or the database changed since the last count:
        // rows this connection changed (total_changes) or another one did (data_version).
        let key = format!("{sql}\u{1f}{}", values.join("\u{1f}"));
        let state: (i64, i64) = connection
            .query_row(
                "SELECT total_changes(), data_version FROM pragma_data_version",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(|e| self.map_error(e))?;
        let mut last_count = self
            .issue_count
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = last_count.as_ref()
            && count.key == key
            && count.state == state
        {
            return Ok(count.total);
        }
        let total: i64 = connection
            .query_row(&sql, params_from_iter(values.iter()), |row| row.get(0))
            .map_err(|e| self.map_error(e))?;
        *last_count = Some(IssueCount {
            key,
            state,
            total: total as u64,
        });
        Ok(total as u64)
    }

    /// About how many issues there are: the greatest rowid, read from the table's b-tree.
    fn issue_rows(&self, connection: &Connection) -> Result<u64, StoreError> {
        let rows: Option<i64> = connection
            .query_row("SELECT max(rowid) FROM issues", [], |row| row.get(0))
            .map_err(|e| self.map_error(e))?;
        Ok(rows.unwrap_or(0).max(0) as u64)
    }

    /// A window of the filtered issues, most severe first, then most recently seen.
    pub fn issues_page(
        &self,
        filter: &IssueFilter,
        offset: u64,
        limit: u64,
    ) -> Result<IssuePage, StoreError> {
        let connection = self.connection();
        let text = TextSearch::new(&connection, &filter.text).map_err(|e| self.map_error(e))?;
        let total = self.count_issues(&connection, filter, text.as_ref())?;
        let limit = limit.min(2000).min(total.saturating_sub(offset));
        // A deferred join: the rows skipped by OFFSET are walked in an index (issues_order, or
        // issues_state_order for one state), and only the page's rows are read whole. A page
        // past the middle is counted from the end, walking the index backwards: the last page
        // of 100,000 skips none.
        let from_end = total.saturating_sub(offset).saturating_sub(limit);
        let (inner_order, skip) = if from_end < offset {
            (TABLE_ORDER_REVERSED, from_end)
        } else {
            (TABLE_ORDER, offset)
        };
        let rows = TextRows::for_page(total, skip, limit, self.issue_rows(&connection)?);
        let (condition, values) = Self::filter_sql(filter, text.as_ref(), rows);
        let sql = format!(
            "SELECT {COLUMNS} FROM issues WHERE rowid IN (
                SELECT rowid FROM issues {} {condition} ORDER BY {inner_order} LIMIT {limit} OFFSET {skip})
             ORDER BY {TABLE_ORDER}",
            text.as_ref().map_or("", |t| t.table_hint(rows))
        );
        let issues = self.read_issues(&connection, &sql, &values)?;
        Ok(IssuePage {
            total,
            offset,
            issues,
        })
    }

    /// The `limit` issues the filter lets through that come after `after_id` in the table's
    /// order (`None`: no issue has that id any more). This is how the table scrolls: each seek
    /// starts where the last page ended, so a page costs the same at row 100,000 as at row 0.
    pub fn issues_after(
        &self,
        filter: &IssueFilter,
        after_id: &str,
        limit: u64,
    ) -> Result<Option<Vec<Issue>>, StoreError> {
        let connection = self.connection();
        let Some((rank, last_seen)): Option<(i64, String)> = connection
            .query_row(
                "SELECT severity_rank, last_seen FROM issues WHERE id = ?1",
                [after_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(|e| self.map_error(e))?
        else {
            return Ok(None);
        };
        let limit = limit.min(2000);
        let text = TextSearch::new(&connection, &filter.text).map_err(|e| self.map_error(e))?;
        // The count is known: the table counted when it opened.
        let total = self.count_issues(&connection, filter, text.as_ref())?;
        let rows = TextRows::for_page(total, 0, limit, self.issue_rows(&connection)?);
        let (condition, filter_values) = Self::filter_sql(filter, text.as_ref(), rows);
        let hint = text.as_ref().map_or("", |t| t.table_hint(rows));
        let within = |extra: &str| {
            if condition.is_empty() {
                format!("WHERE {extra}")
            } else {
                format!("{condition} AND {extra}")
            }
        };
        // The table's order mixes directions, so "after this row" is three seeks in an index
        // (the same rank and time with a later id, the same rank seen earlier, a lower rank),
        // each taking at most a page; their union is put in order and cut to a page.
        let parts = [
            (
                within("severity_rank = ? AND last_seen = ? AND id > ?"),
                vec![rank.to_string(), last_seen.clone(), after_id.to_string()],
            ),
            (
                within("severity_rank = ? AND last_seen < ?"),
                vec![rank.to_string(), last_seen],
            ),
            (within("severity_rank < ?"), vec![rank.to_string()]),
        ];
        let mut values: Vec<String> = Vec::new();
        let mut selects = Vec::new();
        for (condition, key) in parts {
            selects.push(format!(
                "SELECT * FROM (SELECT rowid, severity_rank, last_seen, id FROM issues {hint} {condition}
                 ORDER BY {TABLE_ORDER} LIMIT {limit})"
            ));
            values.extend(filter_values.iter().cloned());
            values.extend(key);
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM issues WHERE rowid IN (
                SELECT rowid FROM ({}) ORDER BY {TABLE_ORDER} LIMIT {limit})
             ORDER BY {TABLE_ORDER}",
            selects.join(" UNION ALL ")
        );
        let issues = self.read_issues(&connection, &sql, &values)?;
        Ok(Some(issues))
    }

    /// Every issue the filter lets through, most severe first, in one pass (workflows read
    /// them all; the table pages).
    pub fn all_issues(&self, filter: &IssueFilter) -> Result<Vec<Issue>, StoreError> {
        let connection = self.connection();
        let text = TextSearch::new(&connection, &filter.text).map_err(|e| self.map_error(e))?;
        let (condition, values) = Self::filter_sql(filter, text.as_ref(), TextRows::Indexed);
        self.read_issues(
            &connection,
            &format!("SELECT {COLUMNS} FROM issues {condition} ORDER BY {TABLE_ORDER}"),
            &values,
        )
    }

    /// The issues a query selecting `COLUMNS` returns, in its order.
    fn read_issues(
        &self,
        connection: &Connection,
        sql: &str,
        values: &[String],
    ) -> Result<Vec<Issue>, StoreError> {
        let mut statement = connection.prepare(sql).map_err(|e| self.map_error(e))?;
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

    /// Counts per severity, tool and change among the findings in `states` (every state when
    /// empty), and per state among all; `total` counts all.
    pub fn issue_facets(&self, states: &[IssueState]) -> Result<IssueFacets, StoreError> {
        let connection = self.connection();
        // The states are the enum's own words, never text from outside.
        let among = if states.is_empty() {
            String::new()
        } else {
            let words: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
            format!("WHERE state IN ({})", words.join(", "))
        };
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
            severities: count(&format!(
                "SELECT severity, count(*) FROM issues {among} GROUP BY severity ORDER BY max(severity_rank) DESC"
            ))?,
            tools: count(&format!(
                "SELECT tool, count(*) FROM issues {among} GROUP BY tool ORDER BY count(*) DESC, tool"
            ))?,
            changes: count(&format!(
                "SELECT change, count(*) FROM issues {among} GROUP BY change ORDER BY change"
            ))?,
            states: count("SELECT state, count(*) FROM issues GROUP BY state ORDER BY state")?,
        })
    }
}
