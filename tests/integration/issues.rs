//! Importing findings: every real SARIF file imports, bad files are refused with the reason and
//! take nothing with them, importing again changes nothing, and a changed finding is "updated".

use std::path::{Path, PathBuf};

use ox_teams_core::issues::{
    CancelFlag, Change, FileImport, ImportReport, IssueFilter, IssueState, Severity,
};
use ox_teams_core::{Core, ErrorCode};
use ox_teams_tests::{open_core, sarif_samples};

fn import(core: &Core, paths: &[PathBuf]) -> ImportReport {
    core.issues()
        .import(paths, &mut |_| {}, &CancelFlag::default())
        .unwrap()
}

fn all(core: &Core) -> Vec<ox_teams_core::issues::Issue> {
    core.issues()
        .list(&IssueFilter::default(), 0, 2000)
        .unwrap()
        .issues
}

fn imported(report: &ImportReport, file: &str) -> u64 {
    report
        .files
        .iter()
        .find_map(|f| match f {
            FileImport::Imported {
                file: name,
                findings,
                ..
            } if name.ends_with(file) => Some(*findings),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{file} was not imported: {:?}", report.files))
}

fn refused<'a>(report: &'a ImportReport, file: &str) -> (&'a ErrorCode, &'a str) {
    report
        .files
        .iter()
        .find_map(|f| match f {
            FileImport::Refused {
                file: name,
                code,
                problem,
            } if name.ends_with(file) => Some((code, problem.as_str())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{file} was not refused: {:?}", report.files))
}

#[test]
fn every_sample_imports_and_the_invalid_one_is_refused_with_its_name_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(dir.path());
    let report = import(&core, &[sarif_samples()]);
    for (file, count) in [
        ("bandit-generated.sarif", 6),
        ("clang-analyzer-converted.sarif", 4),
        ("codeql-java-demo-2026.sarif", 0),
        ("codeql-lgtm.valid-sarif.sarif", 3),
        ("eslint-generated.sarif", 3),
        ("eslint-large.sarif", 1589),
        ("semgrep-generated.sarif", 3),
        ("trivy-alpine-310.sarif", 4),
        ("edge/codeql-action.empty-sarif.sarif", 0),
        ("edge/codeql-action.with-invalid-uri.sarif", 1),
    ] {
        assert_eq!(imported(&report, file), count, "{file}");
    }
    let (code, problem) = refused(&report, "edge/codeql-action.invalid-sarif.sarif");
    assert_eq!(*code, ErrorCode::InvalidFindings);
    assert!(
        problem.contains("codeql-action.invalid-sarif.sarif"),
        "{problem}"
    );
    assert!(problem.contains("runs[0].results"), "{problem}");
    assert!(
        problem.contains("Nothing from this file was imported"),
        "{problem}"
    );
    assert_eq!(report.refused, 1);
    let stored = core.issues().facets(&[]).unwrap().total;
    assert_eq!(stored, report.new, "everything imported is stored, once");
    assert_eq!(
        stored,
        1589 + 6 + 4 + 3 + 3 + 3 + 4 + 1,
        "duplicate-looking results stay separate issues"
    );
}

#[test]
fn findings_carry_what_a_person_needs() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(dir.path());
    import(
        &core,
        &[
            sarif_samples().join("trivy-alpine-310.sarif"),
            sarif_samples().join("codeql-lgtm.valid-sarif.sarif"),
        ],
    );
    let issues = all(&core);
    let trivy: Vec<_> = issues.iter().filter(|i| i.tool == "Trivy").collect();
    assert_eq!(trivy.len(), 4);
    // Trivy's security-severity 5.3 is in the medium band, whatever its level says.
    assert!(
        trivy
            .iter()
            .all(|i| i.score == Some(5.3) && i.severity == Severity::Medium)
    );
    assert!(trivy.iter().all(|i| {
        i.help_uri
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }));
    let codeql = issues
        .iter()
        .find(|i| i.rule_id == "js/unused-local-variable")
        .expect("a CodeQL finding");
    assert_eq!(codeql.path.as_deref(), Some("main.js"));
    assert!(codeql.line.is_some());
    assert_eq!(codeql.change, Change::New);
    assert_eq!(codeql.revision, 1);
    // Most severe first.
    assert!(issues.windows(2).all(|w| w[0].severity >= w[1].severity));
    assert_eq!(core.issues().get(&codeql.id).unwrap(), *codeql);
    assert_eq!(
        core.issues().get("nope").unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[test]
fn importing_the_same_file_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(dir.path());
    let file = sarif_samples().join("bandit-generated.sarif");
    let first = import(&core, std::slice::from_ref(&file));
    assert_eq!(first.new, 6);
    let before = all(&core);
    let second = import(&core, &[file]);
    assert_eq!((second.new, second.updated, second.existing), (0, 0, 6));
    assert_eq!(all(&core), before, "not a field moved");
}

fn rewrite(from: &Path, to: &Path, edit: impl Fn(&mut serde_json::Value)) {
    let mut document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(from).unwrap()).unwrap();
    edit(&mut document);
    std::fs::write(to, serde_json::to_string(&document).unwrap()).unwrap();
}

#[test]
fn a_changed_finding_is_updated_under_the_same_identity_and_a_later_scan_moves_last_seen() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(dir.path());
    let original = sarif_samples().join("semgrep-generated.sarif");
    import(&core, std::slice::from_ref(&original));
    let before = all(&core);
    let changed = dir.path().join("semgrep-next-scan.sarif");
    rewrite(&original, &changed, |doc| {
        doc["runs"][0]["results"][0]["message"]["text"] =
            "A different explanation of the same problem.".into();
        doc["runs"][0]["invocations"] = serde_json::json!([{ "executionSuccessful": true, "endTimeUtc": "2030-01-01T00:00:00Z" }]);
    });
    let report = import(&core, &[changed]);
    assert_eq!((report.new, report.updated, report.existing), (0, 1, 2));
    let after = all(&core);
    assert_eq!(after.len(), before.len());
    let updated = after.iter().find(|i| i.change == Change::Updated).unwrap();
    assert_eq!(updated.revision, 2);
    assert_eq!(
        updated.title,
        "A different explanation of the same problem."
    );
    assert!(before.iter().any(|b| b.id == updated.id), "same identity");
    let existing: Vec<_> = after
        .iter()
        .filter(|i| i.change == Change::Existing)
        .collect();
    assert_eq!(existing.len(), 2);
    assert!(
        existing
            .iter()
            .all(|i| i.last_seen.to_rfc3339().starts_with("2030-01-01"))
    );
}

#[test]
fn broken_files_are_refused_and_the_rest_of_the_folder_imports() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("reports");
    std::fs::create_dir(&folder).unwrap();
    let good = sarif_samples().join("eslint-generated.sarif");
    std::fs::copy(&good, folder.join("a-good.sarif")).unwrap();
    let text = std::fs::read_to_string(&good).unwrap();
    std::fs::write(folder.join("b-truncated.sarif"), &text[..text.len() / 2]).unwrap();
    rewrite(&good, &folder.join("c-old-version.sarif"), |doc| {
        doc["version"] = "2.0.0".into()
    });
    std::fs::write(folder.join("d-not-findings.json"), r#"{"hello": "world"}"#).unwrap();
    std::fs::write(folder.join("notes.txt"), "ignored").unwrap();
    let core = open_core(dir.path());
    let report = import(&core, &[folder]);
    assert_eq!(imported(&report, "a-good.sarif"), 3);
    assert!(
        refused(&report, "b-truncated.sarif")
            .1
            .contains("ends in the middle")
    );
    assert!(
        refused(&report, "c-old-version.sarif")
            .1
            .contains("\"2.0.0\"; only 2.1.0 is supported")
    );
    assert!(
        refused(&report, "d-not-findings.json")
            .1
            .contains("neither SARIF")
    );
    assert_eq!(
        report.files.len(),
        4,
        "the .txt file is not a findings file"
    );
    assert_eq!(core.issues().facets(&[]).unwrap().total, 3);
}

#[test]
fn the_documented_json_format_imports_and_says_which_entry_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(dir.path());
    let good = dir.path().join("findings.json");
    std::fs::write(&good, r#"{
        "format": "ox-teams-issues/1",
        "issues": [
            { "title": "Hard-coded AWS key", "severity": "critical", "tool": "gitleaks", "rule": "aws-access-key",
              "path": "deploy/env.sh", "line": 3, "help_url": "https://example.test/aws", "tags": ["secret"] },
            { "id": "custom-7", "title": "Outdated TLS", "severity": "medium", "tool": "scanner", "rule": "tls" }
        ]
    }"#).unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{ "format": "ox-teams-issues/1", "issues": [ { "title": "x", "severity": "severe", "tool": "t", "rule": "r" } ] }"#).unwrap();
    let report = import(&core, &[good, bad]);
    assert_eq!(report.new, 2);
    let problem = refused(&report, "bad.json").1;
    assert!(
        problem.contains("issues[0].severity") && problem.contains("\"severe\""),
        "{problem}"
    );
    let issue = core.issues().get("custom-7").unwrap();
    assert_eq!(issue.severity, Severity::Medium);
    let filter = IssueFilter {
        text: "aws".into(),
        ..IssueFilter::default()
    };
    assert_eq!(core.issues().list(&filter, 0, 10).unwrap().total, 1);
}

#[test]
fn filters_combine_and_pages_cover_everything_once() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(dir.path());
    import(&core, &[sarif_samples()]);
    let facets = core.issues().facets(&[]).unwrap();
    let eslint = IssueFilter {
        tools: vec!["ESLint".into()],
        ..IssueFilter::default()
    };
    assert_eq!(core.issues().list(&eslint, 0, 1).unwrap().total, 1589 + 3);
    assert!(
        facets
            .tools
            .iter()
            .any(|f| f.value == "ESLint" && f.count == 1592)
    );
    let severe = IssueFilter {
        severities: vec![Severity::High, Severity::Critical],
        tools: vec!["Trivy".into()],
        ..IssueFilter::default()
    };
    let page = core.issues().list(&severe, 0, 100).unwrap();
    assert!(
        page.issues
            .iter()
            .all(|i| i.tool == "Trivy" && i.severity >= Severity::High)
    );
    let mut seen = std::collections::HashSet::new();
    let mut offset = 0;
    loop {
        let page = core
            .issues()
            .list(&IssueFilter::default(), offset, 500)
            .unwrap();
        if page.issues.is_empty() {
            break;
        }
        offset += page.issues.len() as u64;
        seen.extend(page.issues.into_iter().map(|i| i.id));
    }
    assert_eq!(seen.len() as u64, facets.total);
}

/// The table pages by position (from the end past the middle) and, when scrolled, after its
/// last row: both walk every issue once, in the same order, for any filter.
#[test]
fn pages_after_a_row_and_pages_by_position_agree() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(dir.path());
    import(&core, &[sarif_samples()]);
    let first_total = core
        .issues()
        .list(&IssueFilter::default(), 0, 1)
        .unwrap()
        .total;
    // A later import: the same severities seen at another time.
    let later = dir.path().join("later.json");
    let severities = ["critical", "high", "low"];
    let issues: Vec<_> = (0..150)
        .map(|n| {
            serde_json::json!({ "id": format!("later-{n}"), "title": format!("Later {n}"),
            "severity": severities[n % 3], "tool": "ESLint", "rule": "r" })
        })
        .collect();
    std::fs::write(
        &later,
        serde_json::json!({ "format": "ox-teams-issues/1", "issues": issues }).to_string(),
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    import(&core, &[later]);
    // The count kept from before the import is not used after it.
    assert_eq!(
        core.issues()
            .list(&IssueFilter::default(), 0, 1)
            .unwrap()
            .total,
        first_total + 150
    );
    for filter in [
        IssueFilter::default(),
        IssueFilter {
            tools: vec!["ESLint".into()],
            ..IssueFilter::default()
        },
        IssueFilter {
            states: vec![IssueState::Open],
            severities: vec![Severity::Critical, Severity::High, Severity::Low],
            ..IssueFilter::default()
        },
    ] {
        let total = core.issues().list(&filter, 0, 1).unwrap().total;
        let mut by_position = Vec::new();
        while (by_position.len() as u64) < total {
            let page = core
                .issues()
                .list(&filter, by_position.len() as u64, 97)
                .unwrap();
            assert!(
                !page.issues.is_empty(),
                "a page inside the list is not empty"
            );
            by_position.extend(page.issues);
        }
        let mut after_rows: Vec<_> = core.issues().list(&filter, 0, 97).unwrap().issues;
        loop {
            let last = &after_rows.last().unwrap().id;
            let page = core.issues().list_after(&filter, last, 97).unwrap();
            if page.is_empty() {
                break;
            }
            after_rows.extend(page);
        }
        let ids = |rows: &[ox_teams_core::issues::Issue]| -> Vec<String> {
            rows.iter().map(|i| i.id.clone()).collect()
        };
        assert_eq!(ids(&after_rows), ids(&by_position), "{filter:?}");
        let unique: std::collections::HashSet<_> = ids(&by_position).into_iter().collect();
        assert_eq!(unique.len() as u64, total, "{filter:?}");
        assert!(
            by_position
                .windows(2)
                .all(|w| w[0].severity >= w[1].severity),
            "most severe first"
        );
        assert!(
            by_position
                .windows(2)
                .any(|w| w[0].severity == w[1].severity && w[0].last_seen > w[1].last_seen),
            "the later import comes first within a severity"
        );
    }
    assert_eq!(
        core.issues()
            .list_after(&IssueFilter::default(), "gone", 10)
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

#[test]
fn an_import_reports_progress_and_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(dir.path());
    let file = sarif_samples().join("eslint-large.sarif");
    let mut last = 0;
    let mut calls = 0;
    core.issues()
        .import(
            std::slice::from_ref(&file),
            &mut |p| {
                assert!(p.bytes_read >= last);
                last = p.bytes_read;
                calls += 1;
                assert_eq!(p.bytes_total, 1_094_393);
            },
            &CancelFlag::default(),
        )
        .unwrap();
    assert_eq!(last, 1_094_393);
    assert!(calls > 3, "the progress bar moves: {calls}");

    let other = tempfile::tempdir().unwrap();
    let core = open_core(other.path());
    let cancel = CancelFlag::default();
    let flag = cancel.clone();
    let report = core
        .issues()
        .import(
            &[file],
            &mut |p| {
                if p.bytes_read > 100_000 {
                    flag.cancel()
                }
            },
            &cancel,
        )
        .unwrap();
    assert!(report.cancelled);
    assert_eq!(
        core.issues().facets(&[]).unwrap().total,
        0,
        "a cancelled file imports nothing"
    );
}

/// The text filter reads an index (migration 0015); it must find what a scan would find, stay
/// in step when a re-import changes a finding's text, and take any characters literally.
#[test]
fn the_text_filter_follows_changed_findings_and_takes_any_text_literally() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(dir.path());
    let file = dir.path().join("findings.json");
    let write = |title: &str, path: &str| {
        std::fs::write(
            &file,
            format!(
                r#"{{ "format": "ox-teams-issues/1", "issues": [
                    {{ "id": "a", "title": "{title}", "severity": "high", "tool": "t", "rule": "sql-injection", "path": "{path}" }},
                    {{ "id": "b", "title": "Weak \"MD5\" hash (100% sure)", "severity": "low", "tool": "t", "rule": "weak-hash" }}
                ] }}"#
            ),
        )
        .unwrap();
    };
    let found = |text: &str| -> Vec<String> {
        let filter = IssueFilter {
            text: text.into(),
            ..IssueFilter::default()
        };
        let page = core.issues().list(&filter, 0, 10).unwrap();
        page.issues.into_iter().map(|issue| issue.id).collect()
    };
    write("Unsafe query in Payments", "src/payments/charge.go");
    import(&core, std::slice::from_ref(&file));
    assert_eq!(found("PAYMENTS"), ["a"], "case does not matter");
    assert_eq!(found("charge.go"), ["a"], "paths are searched");
    assert_eq!(found("injection"), ["a"], "rules are searched");
    assert_eq!(found("\"MD5\""), ["b"], "quotes are text");
    assert_eq!(found("100% sure"), ["b"], "% is text");
    assert_eq!(found("ak"), ["b"], "two characters are searched too");
    assert_eq!(found("zz"), Vec::<String>::new());

    // A re-import that renames the finding and moves it: the old words find nothing.
    write("Unsafe query in Billing", "src/billing/invoice.go");
    import(&core, std::slice::from_ref(&file));
    assert_eq!(found("payments"), Vec::<String>::new());
    assert_eq!(found("billing"), ["a"]);
    assert_eq!(found("invoice.go"), ["a"]);

    // One id twice in one new file: the later entry revises the row inserted moments before.
    std::fs::write(
        &file,
        r#"{ "format": "ox-teams-issues/1", "issues": [
            { "id": "twice", "title": "First wording", "severity": "low", "tool": "t", "rule": "r" },
            { "id": "twice", "title": "Second wording", "severity": "low", "tool": "t", "rule": "r" }
        ] }"#,
    )
    .unwrap();
    import(&core, std::slice::from_ref(&file));
    assert_eq!(found("first wording"), Vec::<String>::new());
    assert_eq!(found("second wording"), ["twice"]);
    assert_eq!(found("twice"), ["twice"], "an issue's id finds it");
    // The index holds exactly the rows' text (SQLite compares the two).
    // https://www.sqlite.org/fts5.html#the_integrity_check_command
    let database =
        rusqlite::Connection::open(ox_teams_core::paths::database_path(dir.path())).unwrap();
    database
        .execute(
            "INSERT INTO issues_search (issues_search, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .expect("the text index matches the issues");
}
