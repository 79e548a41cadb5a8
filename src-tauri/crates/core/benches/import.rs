//! How fast findings import, beside a bare `serde_json` parse of the same file (the floor any
//! importer has to pay), and how fast the Active Issues table gets a page of 200 rows out of
//! 100,000 issues, at the top, at the bottom and filtered. Run with `cargo bench -p ox-teams-core --bench import`; it prints
//! figures and asserts nothing.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ox_teams_core::clock::SystemClock;
use ox_teams_core::entropy::OsEntropy;
use ox_teams_core::issues::{CancelFlag, IssueFilter, IssueState};
use ox_teams_core::secrets::MemoryStore;
use ox_teams_core::{Core, CoreOptions};

/// A core over a new database in `dir`, as the app opens one.
fn open_core(dir: &std::path::Path) -> Core {
    Core::open(CoreOptions {
        data_dir: dir.to_path_buf(),
        secrets: Arc::new(MemoryStore::new()),
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
        search_path: None,
        http: Default::default(),
    })
    .unwrap()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../tests/fixtures/sarif/eslint-large.sarif");
    let bytes = std::fs::read(&file).unwrap();
    let runs = 7;

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

    let mut findings = 0;
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
                assert_eq!(
                    core.issues()
                        .list(&IssueFilter::default(), 0, 1)
                        .unwrap()
                        .total,
                    findings
                );
                elapsed
            })
            .collect(),
    );

    let megabytes = bytes.len() as f64 / 1_048_576.0;
    println!(
        "eslint-large.sarif: {:.2} MB, {findings} findings (median of {runs})",
        megabytes
    );
    println!(
        "  bare serde_json parse:          {:>8.1} ms ({:.0} MB/s)",
        parse.as_secs_f64() * 1e3,
        megabytes / parse.as_secs_f64()
    );
    println!(
        "  import into a new database:     {:>8.1} ms ({:.0} findings/s)",
        import.as_secs_f64() * 1e3,
        findings as f64 / import.as_secs_f64()
    );
    println!(
        "  ratio import / parse:           {:>8.1}x",
        import.as_secs_f64() / parse.as_secs_f64()
    );

    table_pages();
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
    let page = |filter: &IssueFilter, offset: u64| {
        median(
            (0..7)
                .map(|_| {
                    let started = Instant::now();
                    let page = core.issues().list(filter, offset, 200).unwrap();
                    assert_eq!(page.offset, offset);
                    started.elapsed()
                })
                .collect(),
        )
    };
    let all = IssueFilter::default();
    // What Active Issues shows when it opens.
    let open = IssueFilter {
        states: vec![IssueState::Open],
        ..IssueFilter::default()
    };
    let text = IssueFilter {
        text: "module 42".into(),
        ..IssueFilter::default()
    };
    for (label, filter, offset) in [
        ("first 200 rows", &all, 0),
        ("rows 50,000-50,199", &all, 50_000),
        ("last 200 rows", &all, COUNT as u64 - 200),
        ("open issues, first 200 rows", &open, 0),
        ("open issues, last 200 rows", &open, COUNT as u64 - 200),
        ("text filter \"module 42\", first page", &text, 0),
    ] {
        println!(
            "  table page, {label:<36} {:>8.1} ms",
            page(filter, offset).as_secs_f64() * 1e3
        );
    }
}
