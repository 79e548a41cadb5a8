//! How long 50 workflows take to decide what to send over 100,000 issues: a dry run of each
//! (every current issue against its conditions) beside one SQL scan of the issues, and an
//! import that changes 1,000 of them (each workflow matching the changed issues and queueing
//! its messages) beside the same import with no workflow. Run with
//! `cargo bench -p ox-teams-tests --bench workflows`; it prints figures (`make bench` gathers
//! them) and asserts nothing.

use std::path::Path;
use std::time::Instant;

use ox_teams_core::Core;
use ox_teams_core::issues::{CancelFlag, Severity};
use ox_teams_core::outbox::Recipient;
use ox_teams_core::workflows::{ApplyTo, Conditions, WorkflowDefinition};
use ox_teams_tests::bench::{Figure, Target, median, ms};
use ox_teams_tests::open_core;
use serde_json::json;

const ISSUES: usize = 100_000;
const CHANGED: usize = 1_000;
const WORKFLOWS: usize = 50;
const TOOLS: [&str; 5] = ["Semgrep", "CodeQL", "Trivy", "Bandit", "ESLint"];
const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

fn report(path: &std::path::Path, revision: usize) {
    let issues: Vec<_> = (0..ISSUES)
        .map(|n| {
            let changed = n < CHANGED && revision > 1;
            json!({
                "id": format!("issue-{n}"),
                "title": format!("Finding {n} in module {}", n % 97),
                "severity": SEVERITIES[n % 5],
                "tool": TOOLS[n % 5],
                "rule": format!("rules.r{}", n % 40),
                "path": format!("src/module{}/file{}.py", n % 97, n % 13),
                "line": n % 500,
                "description": if changed { "changed in the second scan" } else { "as first found" },
            })
        })
        .collect();
    std::fs::write(
        path,
        json!({ "format": "ox-teams-issues/1", "issues": issues }).to_string(),
    )
    .unwrap();
}

fn import(core: &Core, file: &Path) -> (f64, u64) {
    let started = Instant::now();
    let report = core
        .issues()
        .import(&[file.to_path_buf()], &mut |_| {}, &CancelFlag::default())
        .unwrap();
    (started.elapsed().as_secs_f64(), report.updated)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let core = open_core(&dir.path().join("data"));
    let person = Recipient::Person {
        user_id: "00000000-0000-4000-8000-000000000001".into(),
        name: "Adele Vance".into(),
        mail: "adele.vance@contoso.com".into(),
    };
    let file = dir.path().join("scan.json");
    report(&file, 1);
    let (first_import, _) = import(&core, &file);
    println!("{ISSUES} issues imported in {first_import:.2} s");

    for n in 0..WORKFLOWS {
        let conditions = Conditions {
            min_severity: [Some(Severity::High), Some(Severity::Medium), None][n % 3],
            tools: if n % 2 == 0 {
                vec![TOOLS[n % 5].into()]
            } else {
                vec![]
            },
            rules: if n % 7 == 0 {
                vec![format!("rules.r{}", n % 40)]
            } else {
                vec![]
            },
            paths: if n % 4 == 0 {
                vec![format!("src/module{}/**", n % 97)]
            } else {
                vec![]
            },
            text: if n % 5 == 0 {
                "module 1".into()
            } else {
                String::new()
            },
        };
        core.workflows()
            .save(
                None,
                WorkflowDefinition {
                    name: format!("Workflow {n}"),
                    enabled: true,
                    conditions,
                    recipients: vec![person.clone()],
                    fallback: vec![person.clone()],
                    comment: String::new(),
                    apply_to: ApplyTo::NewOrUpdatedIssues,
                    schedule: None,
                    identity: Default::default(),
                    on_change: Default::default(),
                    announce_fixes: true,
                    skip_acknowledged: false,
                    quiet_hours: None,
                    owners: Default::default(),
                    mentions: Vec::new(),
                },
            )
            .unwrap();
    }

    let workflows = core.workflows().list().unwrap();
    let started = Instant::now();
    let mut matched = 0;
    for workflow in &workflows {
        matched += core
            .workflows()
            .dry_run(&workflow.definition, Some(&workflow.id))
            .unwrap()
            .matched;
    }
    let dry = started.elapsed().as_secs_f64();
    println!(
        "dry runs of {WORKFLOWS} workflows over {ISSUES} issues: {dry:.2} s ({:.0} ms each), {matched} matches in all",
        dry * 1000.0 / WORKFLOWS as f64
    );

    // The floor: one SQL scan that reads every issue's tool, path and title.
    let database = ox_teams_core::paths::database_path(&dir.path().join("data"));
    let sql = rusqlite::Connection::open(&database).unwrap();
    let scan = median(
        (0..9)
            .map(|_| {
                let started = Instant::now();
                let count: i64 = sql
                    .query_row(
                        "SELECT count(*) FROM issues WHERE instr(lower(tool || path || title), 'zzz') = 0",
                        [],
                        |row| row.get(0),
                    )
                    .unwrap();
                assert_eq!(count as usize, ISSUES);
                started.elapsed()
            })
            .collect(),
    );
    println!("one SQL scan of {ISSUES} issues: {:.1} ms", ms(scan));
    // All 50 at once, in one scan of the issues, as the Workflows page counts them.
    let mut counted = 0;
    let one_pass = median(
        (0..5)
            .map(|_| {
                let started = Instant::now();
                counted = core
                    .workflows()
                    .match_counts()
                    .unwrap()
                    .iter()
                    .map(|c| c.matched)
                    .sum::<u64>();
                started.elapsed()
            })
            .collect(),
    );
    println!(
        "the {WORKFLOWS} workflows evaluated in one pass: {:.0} ms, {counted} matches in all",
        ms(one_pass)
    );
    assert_eq!(counted, matched, "one pass and the dry runs agree");
    for (measure, value) in [
        (
            "Evaluation of 50 workflows over 100,000 issues, one pass",
            one_pass.as_secs_f64(),
        ),
        (
            "Dry runs of 50 workflows over 100,000 issues, one by one",
            dry,
        ),
    ] {
        Figure {
            measure,
            value,
            unit: "s",
            floor: Some((scan.as_secs_f64(), "one SQL scan of 100,000 issues")),
            target: Target::AtMost(1.0),
        }
        .print();
    }

    // The same re-import into a copy with no workflow: what the import alone costs.
    let bare_dir = tempfile::tempdir().unwrap();
    let bare = open_core(&bare_dir.path().join("data"));
    import(&bare, &file);
    report(&file, 2);
    let (without_workflows, _) = import(&bare, &file);
    let (with_workflows, updated) = import(&core, &file);
    let queued = core.outbox().deliveries(100_000).unwrap().len();
    println!(
        "re-import with {updated} updated issues: {without_workflows:.2} s with no workflow, \
         {with_workflows:.2} s with {WORKFLOWS} workflows acting on them ({queued} messages queued)"
    );
    Figure {
        measure: "Re-import with 1,000 updated issues, 50 workflows acting",
        value: with_workflows,
        unit: "s",
        floor: Some((without_workflows, "the same import with no workflow")),
        target: Target::AtMost(0.5),
    }
    .print();
}
