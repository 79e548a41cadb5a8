//! Findings have a lifecycle: an import knows its scope (the tool and the SARIF run's
//! `automationDetails.id`, else the file's name or its path inside an imported folder). What
//! the next scan of a scope no longer reports is fixed, what comes back is reopened, SARIF
//! suppressions are kept as suppressed, and every step is in the finding's history.

use std::path::{Path, PathBuf};

use ox_teams_core::Core;
use ox_teams_core::issues::{
    CancelFlag, Change, ImportReport, Issue, IssueEventKind, IssueFilter, IssueState,
};
use ox_teams_tests::open_core;
use serde_json::{Value, json};

/// A SARIF 2.1.0 file with one run of `tool` at `time`, one result per `(rule, path, line)`.
fn scan(tool: &str, run_id: Option<&str>, time: &str, results: Vec<Value>) -> Value {
    let mut run = json!({
        "tool": { "driver": { "name": tool, "rules": [] } },
        "invocations": [{ "executionSuccessful": true, "endTimeUtc": time }],
        "results": results,
    });
    if let Some(id) = run_id {
        run["automationDetails"] = json!({ "id": id });
    }
    json!({ "version": "2.1.0", "runs": [run] })
}

/// A result whose identity survives a move (scanners give a fingerprint; without one a finding
/// is known by its rule and place).
fn result(rule: &str, path: &str, line: i64, level: &str) -> Value {
    json!({
        "ruleId": rule,
        "partialFingerprints": { "primaryLocationLineHash": format!("{rule}:{path}") },
        "level": level,
        "message": { "text": format!("{rule} in {path}") },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": path },
            "region": { "startLine": line }
        }}],
    })
}

fn write(dir: &Path, name: &str, document: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(document).unwrap()).unwrap();
    path
}

fn import(core: &Core, path: &Path) -> ImportReport {
    core.issues()
        .import(&[path.to_path_buf()], &mut |_| {}, &CancelFlag::default())
        .unwrap()
}

fn listed(core: &Core, states: Vec<IssueState>) -> Vec<Issue> {
    let filter = IssueFilter {
        states,
        ..IssueFilter::default()
    };
    core.issues().list(&filter, 0, 1000).unwrap().issues
}

fn by_rule(core: &Core, rule: &str) -> Issue {
    listed(core, Vec::new())
        .into_iter()
        .find(|i| i.rule_id == rule)
        .unwrap_or_else(|| panic!("no issue for {rule}"))
}

fn three(time: &str) -> Value {
    scan(
        "Semgrep",
        None,
        time,
        vec![
            result("eval", "app/views.py", 42, "error"),
            result("sqli", "app/db.py", 7, "error"),
            result("xss", "app/templates.py", 3, "warning"),
        ],
    )
}

#[test]
fn what_the_next_scan_no_longer_reports_is_fixed_and_what_comes_back_is_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(&dir.path().join("data"));
    // CI writes the same file name each time, in a new folder.
    let first = write(
        &dir.path().join("build-1"),
        "semgrep.sarif",
        &three("2026-11-01T10:00:00Z"),
    );
    assert_eq!(import(&core, &first).new, 3);

    let mut second = three("2026-11-02T10:00:00Z");
    second["runs"][0]["results"]
        .as_array_mut()
        .unwrap()
        .remove(2);
    let second = write(&dir.path().join("build-2"), "semgrep.sarif", &second);
    let report = import(&core, &second);
    assert_eq!((report.existing, report.fixed), (2, 1), "{report:?}");
    let fixed = by_rule(&core, "xss");
    assert_eq!(fixed.state, IssueState::Fixed);
    assert_eq!(fixed.status(), "fixed");
    assert!(
        fixed
            .fixed_by
            .as_deref()
            .unwrap()
            .ends_with("build-2/semgrep.sarif")
    );
    assert_eq!(fixed.scope, "Semgrep · semgrep.sarif");
    assert_eq!(
        listed(&core, vec![IssueState::Open]).len(),
        2,
        "the open list leaves the fixed one out"
    );
    assert_eq!(listed(&core, vec![IssueState::Fixed]).len(), 1);
    // The filters count what the list shows; the State filter counts every state.
    let facets = core.issues().facets(&[IssueState::Open]).unwrap();
    let severities: u64 = facets.severities.iter().map(|f| f.count).sum();
    assert_eq!((facets.total, severities), (3, 2));
    let fixed_count = facets
        .states
        .iter()
        .find(|f| f.value == "fixed")
        .map(|f| f.count);
    assert_eq!(fixed_count, Some(1));

    let third = write(
        &dir.path().join("build-3"),
        "semgrep.sarif",
        &three("2026-11-03T10:00:00Z"),
    );
    let report = import(&core, &third);
    assert_eq!((report.reopened, report.existing, report.fixed), (1, 2, 0));
    let reopened = by_rule(&core, "xss");
    assert_eq!(reopened.state, IssueState::Open);
    assert_eq!(reopened.change, Change::Reopened);
    assert_eq!(reopened.revision, 2, "a reopened finding is a new revision");
    assert_eq!(reopened.fixed_by, None);
    let history: Vec<IssueEventKind> = core
        .issues()
        .history(&reopened.id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        history,
        [
            IssueEventKind::New,
            IssueEventKind::Fixed,
            IssueEventKind::Reopened
        ]
    );
}

#[test]
fn a_scan_of_another_scope_fixes_nothing_but_the_same_automation_id_does() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(&dir.path().join("data"));
    import(
        &core,
        &write(dir.path(), "backend.sarif", &three("2026-11-01T10:00:00Z")),
    );
    let only_eval = scan(
        "Semgrep",
        None,
        "2026-11-02T10:00:00Z",
        vec![result("eval", "app/views.py", 42, "error")],
    );
    let report = import(&core, &write(dir.path(), "frontend.sarif", &only_eval));
    assert_eq!(report.fixed, 0, "another file is another scope: {report:?}");
    assert_eq!(listed(&core, vec![IssueState::Open]).len(), 3);

    // With automationDetails.id the run names its scope, whatever the file is called.
    let core = open_core(&dir.path().join("data-2"));
    let mut nightly = three("2026-11-01T10:00:00Z");
    nightly["runs"][0]["automationDetails"] = json!({ "id": "nightly/main" });
    import(&core, &write(dir.path(), "nightly-1101.sarif", &nightly));
    let mut next = only_eval.clone();
    next["runs"][0]["automationDetails"] = json!({ "id": "nightly/main" });
    let report = import(&core, &write(dir.path(), "nightly-1102.sarif", &next));
    assert_eq!(report.fixed, 2, "{report:?}");
    assert_eq!(by_rule(&core, "eval").scope, "Semgrep · nightly/main");
}

#[test]
fn a_clean_scan_fixes_everything_in_its_scope_and_an_older_scan_imported_late_fixes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(&dir.path().join("data"));
    import(
        &core,
        &write(
            &dir.path().join("b"),
            "scan.sarif",
            &three("2026-11-05T10:00:00Z"),
        ),
    );
    let old_clean = scan("Semgrep", None, "2026-11-01T10:00:00Z", vec![]);
    let report = import(
        &core,
        &write(&dir.path().join("a"), "scan.sarif", &old_clean),
    );
    assert_eq!(report.fixed, 0, "an older scan does not undo a newer one");
    let clean = scan("Semgrep", None, "2026-11-06T10:00:00Z", vec![]);
    let report = import(&core, &write(&dir.path().join("c"), "scan.sarif", &clean));
    assert_eq!(report.fixed, 3);
    assert!(listed(&core, vec![IssueState::Open]).is_empty());
}

#[test]
fn suppressions_and_baseline_state_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(&dir.path().join("data"));
    let mut accepted = result("eval", "app/views.py", 42, "error");
    accepted["suppressions"] = json!([{ "kind": "inSource" }]);
    let mut review = result("sqli", "app/db.py", 7, "error");
    review["suppressions"] = json!([{ "kind": "external", "status": "underReview" }]);
    let mut rejected = result("xss", "app/templates.py", 3, "warning");
    rejected["suppressions"] = json!([{ "kind": "external", "status": "rejected" }]);
    let first = scan(
        "Semgrep",
        None,
        "2026-11-01T10:00:00Z",
        vec![accepted, review, rejected],
    );
    let report = import(&core, &write(dir.path(), "scan.sarif", &first));
    assert_eq!((report.new, report.suppressed), (1, 2), "{report:?}");
    assert_eq!(by_rule(&core, "eval").state, IssueState::Suppressed);
    assert_eq!(by_rule(&core, "sqli").state, IssueState::Suppressed);
    assert_eq!(
        by_rule(&core, "xss").state,
        IssueState::Open,
        "a rejected suppression"
    );

    // Next scan: the suppression of eval is lifted, xss is reported absent from the baseline.
    let mut gone = result("xss", "app/templates.py", 3, "warning");
    gone["baselineState"] = "absent".into();
    let mut still = result("sqli", "app/db.py", 7, "error");
    still["suppressions"] = json!([{ "kind": "external", "status": "underReview" }]);
    let second = scan(
        "Semgrep",
        None,
        "2026-11-02T10:00:00Z",
        vec![result("eval", "app/views.py", 42, "error"), still, gone],
    );
    let report = import(&core, &write(dir.path(), "scan.sarif", &second));
    assert_eq!((report.reopened, report.fixed), (1, 1), "{report:?}");
    assert_eq!(by_rule(&core, "eval").state, IssueState::Open);
    assert_eq!(by_rule(&core, "sqli").state, IssueState::Suppressed);
    assert_eq!(by_rule(&core, "xss").state, IssueState::Fixed);
    let kinds: Vec<IssueEventKind> = core
        .issues()
        .history(&by_rule(&core, "eval").id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [IssueEventKind::Suppressed, IssueEventKind::Unsuppressed]
    );
}

#[test]
fn the_history_says_what_changed_in_each_revision() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(&dir.path().join("data"));
    import(
        &core,
        &write(dir.path(), "scan.sarif", &three("2026-11-01T10:00:00Z")),
    );
    let mut moved = three("2026-11-02T10:00:00Z");
    moved["runs"][0]["results"][2]["level"] = "error".into();
    moved["runs"][0]["results"][2]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        9.into();
    let report = import(&core, &write(dir.path(), "scan.sarif", &moved));
    assert_eq!(report.updated, 1);
    let xss = by_rule(&core, "xss");
    let history = core.issues().history(&xss.id).unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.kind, IssueEventKind::Updated);
    assert_eq!(last.revision, 2);
    assert_eq!(
        last.changes,
        [
            "Severity medium → high",
            "Location app/templates.py:3 → app/templates.py:9"
        ]
    );
}

#[test]
fn in_a_folder_import_each_file_is_its_own_scope_by_its_path_inside_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(&dir.path().join("data"));
    let reports = dir.path().join("reports");
    let one = |path: &str| {
        scan(
            "Semgrep",
            None,
            "2026-11-01T10:00:00Z",
            vec![result("eval", path, 42, "error")],
        )
    };
    write(&reports, "api/semgrep.sarif", &one("api/views.py"));
    write(&reports, "web/semgrep.sarif", &one("web/views.py"));
    import(&core, &reports);
    let api = |core: &Core| {
        listed(core, Vec::new())
            .into_iter()
            .find(|i| i.path.as_deref() == Some("api/views.py"))
            .unwrap()
    };
    assert_eq!(api(&core).scope, "Semgrep · api/semgrep.sarif");
    let clean = scan("Semgrep", None, "2026-11-02T10:00:00Z", vec![]);
    write(&reports, "api/semgrep.sarif", &clean);
    let report = import(&core, &reports);
    assert_eq!(report.fixed, 1, "only api/'s finding: {report:?}");
    assert_eq!(api(&core).state, IssueState::Fixed);
    assert_eq!(listed(&core, vec![IssueState::Open]).len(), 1);
}
