//! The Issues page's text filter: where a text is found, and how SQL reads the rows that hold
//! it. A finding holds a text when its folded text (migration 0015's `issues_search_source`:
//! title, rule, path and description, ASCII letters lowercased; since migration 0017 without
//! a title its description holds) contains the text folded the same way, or when its id is
//! the text.
//!
//! Two ways to the rows, and the page picks the cheaper ([`TextRows`]):
//! - through the trigram index, whose cost follows how many rows hold the text;
//! - walking the table's order and looking at each row's folded text, whose cost follows how
//!   far the page is and how rare the text is.
//!
//! Counting always goes through the index, so counting 100,000 matches does not visit 100,000
//! rows. The filter's states are read from the index too (each state is a trigram of its
//! own), or, where each match's text is read anyway to confirm it, from that text.

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, params};

use crate::issues::IssueState;

/// A filter's text, ready to search for.
#[derive(Debug)]
pub(super) struct TextSearch {
    /// As typed (trimmed): an issue's id is compared with this.
    typed: String,
    /// ASCII letters lowercased, as the stored text is.
    folded: String,
    found_by: FoundBy,
}

#[derive(Debug)]
enum FoundBy {
    /// Rows holding every one of these trigrams (an FTS5 query), then confirmed with `instr`.
    Trigrams(String),
    /// Two characters: rows holding any trigram that begins with the text, which is exactly
    /// the rows holding the text (every character is followed by two more). `None`: no
    /// trigram begins with it, so no row holds it.
    Beginning(Option<String>),
    /// One printable ASCII character: the trigram standing for it among the finding's
    /// characters (migration 0015), an FTS5 query.
    Character(String),
    /// Any other character: each stored text is read. It begins hundreds of trigrams, and
    /// reading them all from the index took longer (20 to 30 ms at 100,000 findings, against
    /// about 12).
    Scanned,
    /// A text with control characters could match across the separators: each column is read.
    Columns,
}

/// About how many rows walking the table visits in the time the index takes to search, at
/// 100,000 findings (`cargo bench -p ox-teams-tests --bench import`: with 3,000, a text in
/// 3,664 findings walked to its page in 9.2 ms; through the index, 8.1).
const SEARCH_COST: u64 = 1_000;

/// How the rows holding the text are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextRows {
    /// From the index: the matches are collected, then put in order.
    Indexed,
    /// Walking the table's order, looking at each row's folded text.
    Walked,
}

impl TextRows {
    /// The cheaper way to a page `skip` rows into the `total` rows holding the text, among
    /// about `rows` findings: walking visits about (skip + limit) × rows / total rows; the index
    /// hands over all `total` matches, after a search that costs about as much as walking
    /// [`SEARCH_COST`] rows.
    pub(super) fn for_page(total: u64, skip: u64, limit: u64, rows: u64) -> TextRows {
        if (skip + limit).saturating_mul(rows) < (total + SEARCH_COST).saturating_mul(total) {
            TextRows::Walked
        } else {
            TextRows::Indexed
        }
    }
}

/// Whether a finding's characters (migration 0015) list this byte: printable ASCII but
/// space and the capitals (the text is folded).
fn in_characters(byte: u8) -> bool {
    byte.is_ascii_graphic() && !byte.is_ascii_uppercase()
}

/// The end of a finding's searchable text: char(29) before each character
/// [`in_characters`] lists that `folded` holds, in order, and after the last.
fn search_characters(folded: &str) -> String {
    let mut held = [false; 128];
    for byte in folded.bytes().filter(|b| in_characters(*b)) {
        held[usize::from(byte)] = true;
    }
    let mut written = String::new();
    for (byte, _) in held.iter().enumerate().filter(|(_, held)| **held) {
        written.push('\u{1d}');
        written.push(char::from(byte as u8));
    }
    written.push('\u{1d}');
    written
}

/// Functions the schema calls: migration 0015's view calls `search_characters`. Every
/// connection the store opens has them, before its migrations run.
pub(super) fn register_functions(connection: &Connection) -> rusqlite::Result<()> {
    connection.create_scalar_function(
        "search_characters",
        1,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        |context| {
            let folded = context.get_raw(0).as_str().unwrap_or_default();
            Ok(search_characters(folded))
        },
    )
}

/// The state's marker in the stored text (migration 0015's `issues_search_source` writes
/// them): its first three characters, and a trigram of its own.
fn state_marker(state: IssueState) -> String {
    let code = match state {
        IssueState::Open => '\u{1}',
        IssueState::Fixed => '\u{2}',
        IssueState::Suppressed => '\u{3}',
    };
    format!("\u{1e}{code}\u{1e}")
}

/// A string in an FTS5 query: in double quotes, so taken literally.
/// https://www.sqlite.org/fts5.html#fts5_strings
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// An FTS5 query for rows holding the trigrams that cover `text` (at least three characters)
/// without overlapping, and its last one: every row holding the text holds them, and each
/// trigram left out is one list fewer for the index to walk (about half the time, as
/// measured at 100,000 findings). A long text is narrowed by a sample of them. The caller
/// confirms the whole text.
pub(super) fn trigram_query(text: &str) -> String {
    const MOST: usize = 16;
    let chars: Vec<char> = text.chars().collect();
    let Some(last) = chars.len().checked_sub(3) else {
        return String::new();
    };
    let mut starts: Vec<usize> = (0..=last).step_by(3).collect();
    if starts.last() != Some(&last) {
        starts.push(last);
    }
    let step = starts.len().div_ceil(MOST);
    let mut picked: Vec<String> = starts
        .into_iter()
        .step_by(step)
        .map(|start| chars[start..start + 3].iter().collect())
        .collect();
    picked.sort();
    picked.dedup();
    picked
        .iter()
        .map(|trigram| quoted(trigram))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a column holds the text, for a text [`FoundBy::Columns`] reads (`?` is the
/// folded text, four times).
const IN_COLUMNS: &str = "(instr(lower(title), ?) > 0 OR instr(lower(rule_id), ?) > 0
    OR instr(lower(coalesce(path, '')), ?) > 0 OR instr(lower(description), ?) > 0)";

/// The row's folded text (`issues.rowid` from the enclosing query).
const FOLDED_TEXT: &str = "(SELECT text FROM issues_search_text WHERE issue_rowid = issues.rowid)";

impl TextSearch {
    /// `None` for a blank text. Reads the index's terms for a text of one or two characters.
    pub(super) fn new(connection: &Connection, text: &str) -> rusqlite::Result<Option<Self>> {
        let typed = text.trim();
        if typed.is_empty() {
            return Ok(None);
        }
        let folded = typed.to_ascii_lowercase();
        let found_by = if folded.chars().any(char::is_control) {
            FoundBy::Columns
        } else if folded.chars().count() >= 3 {
            FoundBy::Trigrams(trigram_query(&folded))
        } else if folded.len() == 1 && in_characters(folded.as_bytes()[0]) {
            FoundBy::Character(quoted(&format!("\u{1d}{folded}\u{1d}")))
        } else if folded.chars().count() == 1 {
            FoundBy::Scanned
        } else {
            // The terms from the text up to the text followed by the greatest character: every
            // trigram beginning with the text (terms compare as UTF-8 bytes).
            let mut statement = connection.prepare_cached(
                "SELECT term FROM issues_search_terms
                 WHERE term BETWEEN ?1 AND ?1 || char(1114111, 1114111)",
            )?;
            let terms = statement
                .query_map(params![folded], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            FoundBy::Beginning((!terms.is_empty()).then(|| {
                let each: Vec<String> = terms.iter().map(|t| quoted(t)).collect();
                format!("({})", each.join(" OR "))
            }))
        };
        Ok(Some(TextSearch {
            typed: typed.to_string(),
            folded,
            found_by,
        }))
    }

    /// What the query reading a page names after `FROM issues`: found through the index,
    /// the matches are looked up by rowid and then put in order (left to itself, SQLite walks
    /// the order's index and looks each row up among the matches).
    pub(super) fn table_hint(&self, rows: TextRows) -> &'static str {
        if rows == TextRows::Indexed && self.matches(None).is_some() {
            "NOT INDEXED"
        } else {
            ""
        }
    }

    /// A condition on `issues` rows: the row holds the text, or its id is the text. Found
    /// through the index, the matches are only those in `states` (every state when empty).
    pub(super) fn condition(&self, rows: TextRows, states: &[IssueState]) -> (String, Vec<String>) {
        let by_id = "id = ?";
        match (&self.found_by, rows) {
            (FoundBy::Columns, _) => (
                format!("({IN_COLUMNS} OR {by_id})"),
                vec![
                    self.folded.clone(),
                    self.folded.clone(),
                    self.folded.clone(),
                    self.folded.clone(),
                    self.typed.clone(),
                ],
            ),
            (FoundBy::Beginning(None), _) => (by_id.to_string(), vec![self.typed.clone()]),
            (_, TextRows::Walked) => (
                format!("(instr({FOLDED_TEXT}, ?) > 0 OR {by_id})"),
                vec![self.folded.clone(), self.typed.clone()],
            ),
            (_, TextRows::Indexed) => match self.matches(Some(states)) {
                Some((matches, mut values)) => {
                    values.push(self.typed.clone());
                    (
                        format!(
                            "rowid IN ({matches} UNION SELECT rowid FROM issues WHERE {by_id})"
                        ),
                        values,
                    )
                }
                None => (by_id.to_string(), vec![self.typed.clone()]),
            },
        }
    }

    /// The rowids of the findings holding the text (only those in `states` when given, read
    /// from the index), as a query and its values; `None` when no finding holds it, or for a
    /// text the index cannot find.
    fn matches(&self, states: Option<&[IssueState]>) -> Option<(String, Vec<String>)> {
        let states = states.filter(|states| !states.is_empty());
        // Where the rows are read anyway (to confirm the text), their state is read from the
        // text's first three characters; elsewhere it is one more trigram for the index.
        // Searching for the state's trigram walks a list as long as the table (1 to 2 ms at
        // 100,000 findings).
        let read_state = |text: &str, mut values: Vec<String>| {
            let mut sql = format!("instr({text}, ?) > 0");
            if let Some(states) = states {
                let marks = vec!["?"; states.len()].join(", ");
                sql.push_str(&format!(" AND substr({text}, 1, 3) IN ({marks})"));
                values.extend(states.iter().map(|s| state_marker(*s)));
            }
            (sql, values)
        };
        let among = match states {
            Some(states) => {
                let each: Vec<String> = states.iter().map(|s| quoted(&state_marker(*s))).collect();
                format!("({}) AND ", each.join(" OR "))
            }
            None => String::new(),
        };
        match &self.found_by {
            FoundBy::Trigrams(query) => {
                let (confirmed, values) =
                    read_state("t.text", vec![query.clone(), self.folded.clone()]);
                Some((
                    format!(
                        "SELECT s.rowid FROM issues_search s
                         CROSS JOIN issues_search_text t ON t.issue_rowid = s.rowid
                         WHERE issues_search MATCH ? AND {confirmed}"
                    ),
                    values,
                ))
            }
            FoundBy::Beginning(Some(query)) | FoundBy::Character(query) => Some((
                "SELECT rowid FROM issues_search WHERE issues_search MATCH ?".to_string(),
                vec![format!("{among}{query}")],
            )),
            FoundBy::Scanned => {
                let (confirmed, values) = read_state("text", vec![self.folded.clone()]);
                Some((
                    format!(
                        "SELECT issue_rowid AS rowid FROM issues_search_text WHERE {confirmed}"
                    ),
                    values,
                ))
            }
            FoundBy::Beginning(None) | FoundBy::Columns => None,
        }
    }

    /// A query counting the findings that hold the text, or whose id is it, among those the
    /// rest of the filter lets through: `states`, and `clauses` on `issues` columns (with their
    /// `values`), which are read only when there are any.
    pub(super) fn count(
        &self,
        states: &[IssueState],
        clauses: &[String],
        values: &[String],
    ) -> (String, Vec<String>) {
        let mut filtered = clauses.to_vec();
        let mut filtered_values = values.to_vec();
        if !states.is_empty() {
            let marks = vec!["?"; states.len()].join(", ");
            filtered.push(format!("state IN ({marks})"));
            filtered_values.extend(states.iter().map(|s| s.as_str().to_string()));
        }
        let Some((matches, mut all_values)) = self.matches(Some(states)) else {
            let (condition, text_values) = self.condition(TextRows::Walked, states);
            filtered.push(condition);
            filtered_values.extend(text_values);
            return (
                format!(
                    "SELECT count(*) FROM issues WHERE {}",
                    filtered.join(" AND ")
                ),
                filtered_values,
            );
        };
        let counted = if clauses.is_empty() {
            format!("SELECT count(*) FROM ({matches})")
        } else {
            all_values.extend(values.iter().cloned());
            format!(
                "SELECT count(*) FROM ({matches}) m CROSS JOIN issues ON issues.rowid = m.rowid
                 WHERE {}",
                clauses.join(" AND ")
            )
        };
        // An issue whose id is the text, though its text does not hold it.
        filtered.extend(["id = ?".to_string(), format!("instr({FOLDED_TEXT}, ?) = 0")]);
        filtered_values.extend([self.typed.clone(), self.folded.clone()]);
        all_values.extend(filtered_values);
        (
            format!(
                "SELECT ({counted}) + (SELECT count(*) FROM issues WHERE {})",
                filtered.join(" AND ")
            ),
            all_values,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issues::IssueFilter;
    use crate::store::Store;
    use rusqlite::params_from_iter;

    /// id, title, rule, path, description, state.
    type Row = (
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
        &'static str,
        &'static str,
    );

    /// Texts at the ends of columns, in every case, quotes and percent signs, letters beyond
    /// ASCII, a control character.
    const FINDINGS: &[Row] = &[
        (
            "ID-1",
            "SQL injection in Payments",
            "go/sql-injection",
            Some("src/pay/charge.go"),
            "",
            "open",
        ),
        (
            "id-2",
            "Weak hash \"MD5\"",
            "py/weak-hash",
            Some("lib/crypto.py"),
            "100% sure: use SHA-256",
            "fixed",
        ),
        (
            "3",
            "Token leak",
            "js/leak",
            None,
            "Écrit dans les journaux de l'application sans masquer le jeton",
            "suppressed",
        ),
        ("4", "rs", "r", Some("a.rs"), "ends with z", "open"),
        (
            "5",
            "Tab\tand\u{1f}unit separator",
            "x",
            Some("b"),
            "c",
            "open",
        ),
        // The description holds the title (as a SARIF result's does): the title is not
        // written into the text again (migration 0017), and is still found.
        (
            "6",
            "Hard-coded Secret",
            "gen/secret",
            Some("c.env"),
            "Found: Hard-coded Secret. Rotate it.",
            "open",
        ),
    ];

    fn store() -> Store {
        let store = Store::open_in_memory().unwrap();
        let connection = store.connection();
        for (id, title, rule, path, description, state) in FINDINGS {
            connection
                .execute(
                    "INSERT INTO issues (id, title, severity, severity_rank, tool, rule_id, path,
                        description, tags, content_hash, revision, change, first_seen, last_seen,
                        updated_at, source, state)
                     VALUES (?1, ?2, 'high', 4, 'Semgrep', ?3, ?4, ?5, '', '', 1, 'new',
                        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'f', ?6)",
                    rusqlite::params![id, title, rule, path, description, state],
                )
                .unwrap();
            connection
                .execute(
                    "INSERT INTO issues_search_text (issue_rowid, text)
                     SELECT issue_rowid, text FROM issues_search_source WHERE issue_rowid = ?1",
                    [connection.last_insert_rowid()],
                )
                .unwrap();
        }
        drop(connection);
        store
    }

    /// What a scan finds: each column folded and searched, or the id.
    fn scanned(store: &Store, text: &str, states: &[IssueState]) -> Vec<String> {
        let typed = text.trim();
        let folded = typed.to_ascii_lowercase();
        let connection = store.connection();
        let mut statement = connection
            .prepare("SELECT id, title, rule_id, coalesce(path, ''), description, state FROM issues ORDER BY id")
            .unwrap();
        let rows: Vec<[String; 6]> = statement
            .query_map([], |row| {
                Ok([
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ])
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        rows.into_iter()
            .filter(|[_, _, _, _, _, state]| {
                states.is_empty() || states.iter().any(|s| s.as_str() == state)
            })
            .filter(|[id, title, rule, path, description, _]| {
                id == typed
                    || [title, rule, path, description]
                        .iter()
                        .any(|column| column.to_ascii_lowercase().contains(&folded))
            })
            .map(|[id, ..]| id)
            .collect()
    }

    fn found(store: &Store, filter: &IssueFilter, rows: TextRows) -> Vec<String> {
        let connection = store.connection();
        let search = TextSearch::new(&connection, &filter.text).unwrap().unwrap();
        let (condition, values) = Store::filter_sql(filter, Some(&search), rows);
        let sql = format!(
            "SELECT id FROM issues {} {condition} ORDER BY id",
            search.table_hint(rows)
        );
        connection
            .prepare(&sql)
            .unwrap()
            .query_map(params_from_iter(values.iter()), |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn the_index_the_walk_and_the_count_find_exactly_what_a_scan_finds() {
        let store = store();
        let texts = [
            "a",
            "z",
            "R",
            "%",
            ".",
            "-",
            "rs",
            "go",
            "py",
            "ak",
            "t\u{1f}",
            "\"md5\"",
            "100% ",
            "sql injection",
            "PAYMENTS",
            " ID-1 ",
            "id-1",
            "id-2",
            "3",
            "é",
            "É",
            "écrit",
            "tab\tand",
            "unit",
            "\u{1f}",
            "payments\u{1f}go",
            "nothing like it",
            "e\u{1e}",
            "dans les journaux de l'application sans masquer le",
            "dans les journaux de l'application sans masquer la",
            "hard-coded secret",
            "CODED S",
        ];
        let states: [&[IssueState]; 4] = [
            &[],
            &[IssueState::Open],
            &[IssueState::Fixed, IssueState::Suppressed],
            &[IssueState::Suppressed],
        ];
        for text in texts {
            for states in states {
                let filter = IssueFilter {
                    text: text.into(),
                    states: states.to_vec(),
                    ..IssueFilter::default()
                };
                let want = scanned(&store, text, states);
                for rows in [TextRows::Walked, TextRows::Indexed] {
                    assert_eq!(
                        found(&store, &filter, rows),
                        want,
                        "{text:?} {states:?} {rows:?}"
                    );
                }
                let page = store.issues_page(&filter, 0, 100).unwrap();
                assert_eq!(page.total, want.len() as u64, "{text:?} {states:?}");
                let mut ids: Vec<String> = page.issues.into_iter().map(|i| i.id).collect();
                ids.sort();
                assert_eq!(ids, want, "{text:?} {states:?}");
            }
        }
    }

    #[test]
    fn a_title_the_description_holds_is_written_once() {
        let store = store();
        let connection = store.connection();
        let text: String = connection
            .query_row(
                "SELECT text FROM issues_search_text WHERE issue_rowid = (SELECT rowid FROM issues WHERE id = '6')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(text.matches("hard-coded secret").count(), 1, "{text:?}");
        let text: String = connection
            .query_row(
                "SELECT text FROM issues_search_text WHERE issue_rowid = (SELECT rowid FROM issues WHERE id = 'ID-1')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert!(text.contains("sql injection in payments"), "{text:?}");
    }

    #[test]
    fn the_stored_text_and_its_index_follow_changed_and_deleted_findings() {
        let store = store();
        let open = |text: &str| IssueFilter {
            text: text.into(),
            states: vec![IssueState::Open],
            ..IssueFilter::default()
        };
        assert_eq!(store.issues_page(&open("md5"), 0, 10).unwrap().total, 0);
        {
            let connection = store.connection();
            connection
                .execute("UPDATE issues SET state = 'open' WHERE id = 'id-2'", [])
                .unwrap();
            connection
                .execute("UPDATE issues SET title = 'Renamed' WHERE id = 'ID-1'", [])
                .unwrap();
            connection
                .execute("DELETE FROM issues WHERE id = '4'", [])
                .unwrap();
        }
        assert_eq!(store.issues_page(&open("md5"), 0, 10).unwrap().total, 1);
        assert_eq!(
            store.issues_page(&open("payments"), 0, 10).unwrap().total,
            0
        );
        assert_eq!(store.issues_page(&open("renamed"), 0, 10).unwrap().total, 1);
        assert_eq!(store.issues_page(&open("rs"), 0, 10).unwrap().total, 0);
        let connection = store.connection();
        let stale: i64 = connection
            .query_row(
                "SELECT count(*) FROM issues_search_source s
                 FULL JOIN issues_search_text t ON t.issue_rowid = s.issue_rowid
                 WHERE s.text IS NOT t.text",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(stale, 0, "the stored text is each finding's text");
        // https://www.sqlite.org/fts5.html#the_integrity_check_command
        connection
            .execute(
                "INSERT INTO issues_search (issues_search, rank) VALUES ('integrity-check', 1)",
                [],
            )
            .expect("the index holds exactly the stored text");
    }

    #[test]
    fn a_page_found_through_the_index_looks_its_matches_up_by_rowid() {
        let store = store();
        let connection = store.connection();
        let search = TextSearch::new(&connection, "injection").unwrap().unwrap();
        let filter = IssueFilter {
            text: "injection".into(),
            states: vec![IssueState::Open],
            ..IssueFilter::default()
        };
        let (condition, values) = Store::filter_sql(&filter, Some(&search), TextRows::Indexed);
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT rowid FROM issues {} {condition}
             ORDER BY severity_rank DESC, last_seen DESC, id LIMIT 200",
            search.table_hint(TextRows::Indexed)
        );
        let plan: Vec<String> = connection
            .prepare(&sql)
            .unwrap()
            .query_map(params_from_iter(values.iter()), |row| row.get(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter()
                .any(|step| step.contains("SEARCH issues USING INTEGER PRIMARY KEY")),
            "{plan:?}"
        );
    }

    #[test]
    fn the_cheaper_way_to_a_page_walks_for_common_texts_and_reads_the_index_for_rare_ones() {
        assert_eq!(
            TextRows::for_page(100_000, 0, 200, 100_000),
            TextRows::Walked
        );
        assert_eq!(
            TextRows::for_page(11_000, 0, 200, 100_000),
            TextRows::Walked
        );
        assert_eq!(TextRows::for_page(8_987, 0, 200, 100_000), TextRows::Walked);
        assert_eq!(
            TextRows::for_page(3_664, 0, 200, 100_000),
            TextRows::Indexed
        );
        assert_eq!(
            TextRows::for_page(1_123, 0, 200, 100_000),
            TextRows::Indexed
        );
        assert_eq!(TextRows::for_page(103, 0, 200, 100_000), TextRows::Indexed);
        assert_eq!(
            TextRows::for_page(11_000, 50_000, 200, 100_000),
            TextRows::Indexed
        );
    }
}
