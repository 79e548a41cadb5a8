//! How long 50 workflows take to decide what to send over 100,000 issues: a dry run of each
//! (every current issue against its conditions), and an import that changes 1,000 of them (each
//! workflow matching the changed issues and queueing its messages). Run with
//! `cargo bench -p ox-teams-core --bench workflows`; it prints figures and asserts nothing.

use std::sync::Arc;
use std::time::Instant;

use ox_teams_core::clock::SystemClock;
use ox_teams_core::entropy::OsEntropy;
use ox_teams_core::issues::{CancelFlag, Severity};
use ox_teams_core::outbox::Recipient;
use ox_teams_core::secrets::MemoryStore;
use ox_teams_core::workflows::{ApplyTo, Conditions, WorkflowDefinition};
use ox_teams_core::{Core, CoreOptions};
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

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let core = Core::open(CoreOptions {
        data_dir: dir.path().join("data"),
        secrets: Arc::new(MemoryStore::new()),
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
        search_path: None,
        http: Default::default(),
    })
    .unwrap();
    let person = Recipient::Person {
        user_id: "00000000-0000-4000-8000-000000000001".into(),
        name: "Adele Vance".into(),
        mail: "adele.vance@contoso.com".into(),
    };
    let file = dir.path().join("scan.json");
    report(&file, 1);
    let started = Instant::now();
    core.issues()
        .import(
            std::slice::from_ref(&file),
            &mut |_| {},
            &CancelFlag::default(),
        )
        .unwrap();
    println!(
        "{ISSUES} issues imported in {:.2} s",
        started.elapsed().as_secs_f64()
    );

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

    report(&file, 2);
    let started = Instant::now();
    let imported = core
        .issues()
        .import(
            std::slice::from_ref(&file),
            &mut |_| {},
            &CancelFlag::default(),
        )
        .unwrap();
    let with_workflows = started.elapsed().as_secs_f64();
    let queued = core.outbox().deliveries(100_000).unwrap().len();
    println!(
        "re-import with {} updated issues and {WORKFLOWS} workflows acting on them: {with_workflows:.2} s, {queued} messages queued",
        imported.updated
    );
}
