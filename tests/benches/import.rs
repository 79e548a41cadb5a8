//! How fast findings import, beside a bare `serde_json` parse of the same file (the floor any
//! importer has to pay) and beside that parse followed by the bare inserts of its results (into
//! a table without indexes, into the app's table with its indexes, and with the history and
//! text index the app keeps beside it), and how fast the Active Issues table gets a page of 200 rows out of
//! 100,000 issues: at the top, scrolled down to the bottom a page at a time, jumped to the
//! bottom, and filtered by text. Run with `cargo bench -p ox-teams-tests --bench import`; it
//! prints figures (`make bench` gathers them) and asserts nothing.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ox_teams_core::issues::{CancelFlag, IssueFilter, IssueState};
use ox_teams_tests::bench::{Figure, Target, median, ms, p95};
use ox_teams_tests::open_core;

fn main() {
    sarif_import();
    table_pages();
}

fn sarif_import() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/sarif/eslint-large.sarif");
    let bytes = std::fs::read(&file).unwrap();
    let runs = 9;
    let parse = median(
        (0..runs)
            .map(|_| {
                let started = Instant::now();
                let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                std::hint::black_box(value);
                started.elapsed()
            })
            .collect(),
    );
    let stored = median(
        (0..runs)
            .map(|_| parse_and_store(&bytes, Floor::Bare))
            .collect(),
    );
    let indexed = median(
        (0..runs)
            .map(|_| parse_and_store(&bytes, Floor::Indexed))
            .collect(),
    );
    let kept = median(
        (0..runs)
            .map(|_| parse_and_store(&bytes, Floor::Kept))
            .collect(),
    );
    let mut findings = 0;
    let mut again = Vec::new();
    let import = median(
        (0..runs)
            .map(|_| {
                let dir = tempfile::tempdir().unwrap();
                let core = open_core(dir.path());
                let started = Instant::now();
                let report = core
                    .issues()
                    .import(
                        std::slice::from_ref(&file),
                        &mut |_| {},
                        &CancelFlag::default(),
                    )
                    .unwrap();
                let elapsed = started.elapsed();
                findings = report.new;
                // The same file again: read and compared, nothing new to write or index.
                let started = Instant::now();
                core.issues()
                    .import(
                        std::slice::from_ref(&file),
                        &mut |_| {},
                        &CancelFlag::default(),
                    )
                    .unwrap();
                again.push(started.elapsed());
                elapsed
            })
            .collect(),
    );
    println!(
        "eslint-large.sarif: {:.2} MB, {findings} findings (median of {runs}): parse {:.1} ms, import {:.1} ms ({:.0} findings/s)",
        bytes.len() as f64 / 1_048_576.0,
        ms(parse),
        ms(import),
        findings as f64 / import.as_secs_f64()
    );
    println!(
        "  the same file imported again (read and compared, nothing new written): {:.1} ms",
        ms(median(again))
    );
    println!(
        "  storage floor: the same parse, then each result's columns inserted into a bare table (no index, no text index, no history) in a new database: {:.1} ms ({:.1}× the parse)",
        ms(stored),
        stored.as_secs_f64() / parse.as_secs_f64()
    );
    println!(
        "  the same, into the app's own table with its indexes (the table's order, states, tools, keys for workflows; no text index, no history): {:.1} ms ({:.1}× the parse)",
        ms(indexed),
        indexed.as_secs_f64() / parse.as_secs_f64()
    );
    println!(
        "  the same, with what the app keeps beside each row (a history entry, and its text in the text index, written in one statement as the app does): {:.1} ms ({:.1}× the parse; the import is {:.2}× this)",
        ms(kept),
        kept.as_secs_f64() / parse.as_secs_f64(),
        import.as_secs_f64() / kept.as_secs_f64()
    );
    Figure {
        measure: "SARIF import (eslint-large, 1.04 MB, 1,589 results) into a new database",
        value: ms(import),
        unit: "ms",
        floor: Some((ms(parse), "bare serde_json parse of the file")),
        target: Target::RatioAtMost(2.0),
    }
    .print();
}

/// How much of what the app stores a floor stores.
#[derive(Clone, Copy, PartialEq)]
enum Floor {
    /// A table with no index in a new database (WAL, as the app's).
    Bare,
    /// The app's `issues` table in a database the app made, with every index it keeps on it.
    Indexed,
    /// Also what the app keeps beside each row: a history entry, and the row's searchable
    /// text in the text index (which the issue's text filter needs).
    Kept,
}

/// What storing a report costs at the least: `serde_json`'s parse, then one row per result
/// with the columns a finding needs, through one prepared statement in one transaction. Any
/// importer that keeps the findings pays [`Floor::Bare`]; ours also keeps ids unique, looks
/// each finding up to tell new from updated, and keeps what [`Floor::Kept`] writes.
fn parse_and_store(bytes: &[u8], floor: Floor) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let mut database = if floor != Floor::Bare {
        drop(open_core(dir.path()));
        let database =
            rusqlite::Connection::open(ox_teams_core::paths::database_path(dir.path())).unwrap();
        ox_teams_core::store::register_functions(&database).unwrap();
        database
    } else {
        let database = rusqlite::Connection::open(dir.path().join("floor.sqlite3")).unwrap();
        database
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                 CREATE TABLE issues (id TEXT, title TEXT, severity TEXT, tool TEXT, rule_id TEXT,
                    path TEXT, line INTEGER, column_number INTEGER, first_seen TEXT);",
            )
            .unwrap();
        database
    };
    let started = Instant::now();
    let document: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let transaction = database.transaction().unwrap();
    {
        let columns = if floor != Floor::Bare {
            "INSERT INTO issues (id, title, severity, tool, rule_id, path, line, column_number,
                first_seen, severity_rank, description, tags, content_hash, revision, change,
                last_seen, updated_at, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 3, ?2, '', ?1, 1, 'new', ?9, ?9, 'f')"
        } else {
            "INSERT INTO issues VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        };
        let mut insert = transaction.prepare(columns).unwrap();
        let mut history = (floor == Floor::Kept).then(|| {
            transaction
                .prepare(
                    "INSERT INTO issue_events (issue_id, revision, at, kind, changes, source)
                     VALUES (?1, 1, '2026-01-01T00:00:00Z', 'new', '[]', 'f')",
                )
                .unwrap()
        });
        let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_string();
        for run in document["runs"].as_array().into_iter().flatten() {
            let tool = text(&run["tool"]["driver"]["name"]);
            for (n, result) in run["results"].as_array().into_iter().flatten().enumerate() {
                let location = &result["locations"][0]["physicalLocation"];
                insert
                    .execute(rusqlite::params![
                        n.to_string(),
                        text(&result["message"]["text"]),
                        text(&result["level"]),
                        tool,
                        text(&result["ruleId"]),
                        text(&location["artifactLocation"]["uri"]),
                        location["region"]["startLine"].as_i64(),
                        location["region"]["startColumn"].as_i64(),
                        "2026-01-01T00:00:00Z",
                    ])
                    .unwrap();
                if let Some(history) = &mut history {
                    history.execute([n.to_string()]).unwrap();
                }
            }
        }
        if floor == Floor::Kept {
            transaction
                .execute(
                    "INSERT INTO issues_search_text (issue_rowid, text)
                     SELECT issue_rowid, text FROM issues_search_source",
                    [],
                )
                .unwrap();
        }
    }
    transaction.commit().unwrap();
    started.elapsed()
}

/// The table asks for 200 rows at a time wherever the person scrolls to.
fn table_pages() {
    const COUNT: usize = 100_000;
    const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];
    const TOOLS: [&str; 4] = ["Semgrep", "CodeQL", "Trivy", "ESLint"];
    let dir = tempfile::tempdir().unwrap();
    let issues: Vec<serde_json::Value> = (0..COUNT)
        .map(|n| {
            serde_json::json!({
                "title": format!("Finding {n} in module {}", n % 977),
                "severity": SEVERITIES[n % 5],
                "tool": TOOLS[n % 4],
                "rule": format!("rule-{}", n % 300),
                "path": format!("src/module_{}/file_{n}.rs", n % 977),
                "line": n % 400 + 1,
            })
        })
        .collect();
    let file = dir.path().join("many.json");
    std::fs::write(
        &file,
        serde_json::json!({ "format": "ox-teams-issues/1", "issues": issues }).to_string(),
    )
    .unwrap();
    let core = open_core(dir.path());
    let started = Instant::now();
    core.issues()
        .import(&[file], &mut |_| {}, &CancelFlag::default())
        .unwrap();
    println!(
        "{COUNT} issues (ox-teams-issues/1) imported in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let timed = |mut page: Box<dyn FnMut() -> usize + '_>| -> Duration {
        median(
            (0..9)
                .map(|_| {
                    let started = Instant::now();
                    assert_eq!(page(), 200);
                    started.elapsed()
                })
                .collect(),
        )
    };
    // What Active Issues shows when it opens.
    let open = IssueFilter {
        states: vec![IssueState::Open],
        ..IssueFilter::default()
    };
    let issues = core.issues();
    // Opening the table counts its issues (the count is kept until the filter or the data
    // changes; asking for another filter in between makes each sample count again).
    let top = median(
        (0..9)
            .map(|_| {
                issues.list(&IssueFilter::default(), 0, 1).unwrap();
                let started = Instant::now();
                assert_eq!(issues.list(&open, 0, 200).unwrap().issues.len(), 200);
                started.elapsed()
            })
            .collect(),
    );
    // Scrolled or jumped to afterwards: the count is known.
    issues.list(&open, 0, 200).unwrap();
    // Scrolling asks for the page after the last row it holds.
    let above = issues.list(&open, COUNT as u64 - 400, 200).unwrap().issues;
    let last_above = above.last().unwrap().id.clone();
    let scrolled = timed(Box::new(|| {
        issues.list_after(&open, &last_above, 200).unwrap().len()
    }));
    // Dragging the scroll bar to the end asks for the last page by its position.
    let jumped = timed(Box::new(|| {
        issues
            .list(&open, COUNT as u64 - 200, 200)
            .unwrap()
            .issues
            .len()
    }));
    let middle = timed(Box::new(|| {
        issues
            .list(&open, COUNT as u64 / 2, 200)
            .unwrap()
            .issues
            .len()
    }));
    println!(
        "table pages of 200 open issues: first {:.2} ms, after the page above row 100,000 {:.2} ms, \
         jumped to row 100,000 {:.2} ms, jumped to row 50,000 {:.2} ms",
        ms(top),
        ms(scrolled),
        ms(jumped),
        ms(middle)
    );
    for (measure, value) in [
        (
            "Table page at row 100,000, scrolled to (200 rows)",
            scrolled,
        ),
        (
            "Table page at row 100,000, jumped to (200 rows, count known)",
            jumped,
        ),
    ] {
        Figure {
            measure,
            value: ms(value),
            unit: "ms",
            floor: Some((ms(top), "the first page, counted")),
            target: Target::AtMost(1.0),
        }
        .print();
    }

    // The text filter, as typed: words of a title, a rule, a path, found or not, and texts of
    // one or two characters (the first keys typed).
    let texts = [
        "module 42",
        "rule-17",
        "file_9",
        "Finding 5",
        "module_3/",
        "nothing like this",
        "semgrep",
        "finding 12345 in",
        "rs",
        "e 9",
        "e",
        "_",
        "7/",
    ];
    // Each text in turn, five rounds: every search counts its issues anew, as typing does.
    let mut by_text: Vec<(u64, Vec<Duration>)> = vec![(0, Vec::new()); texts.len()];
    for _ in 0..5 {
        for (text, (total, times)) in texts.iter().zip(by_text.iter_mut()) {
            let filter = IssueFilter {
                text: (*text).into(),
                ..open.clone()
            };
            let started = Instant::now();
            *total = issues.list(&filter, 0, 200).unwrap().total;
            times.push(started.elapsed());
        }
    }
    let mut samples: Vec<Duration> = Vec::new();
    for (text, (total, times)) in texts.iter().zip(by_text) {
        println!(
            "  text filter {text:?}: {total} issues, {:.1} ms",
            ms(median(times.clone()))
        );
        samples.extend(times);
    }
    let (median_text, p95_text) = (median(samples.clone()), p95(samples));
    println!(
        "text filter, first page over {COUNT} issues ({} texts × 5): median {:.1} ms, p95 {:.1} ms",
        texts.len(),
        ms(median_text),
        ms(p95_text)
    );
    Figure {
        measure: "Active Issues text filter at 100,000 issues (p95 of 65)",
        value: ms(p95_text),
        unit: "ms",
        floor: None,
        target: Target::AtMost(10.0),
    }
    .print();
}
