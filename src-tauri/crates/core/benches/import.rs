//! How fast findings import, beside a bare `serde_json` parse of the same file (the floor any
//! importer has to pay). Run with `cargo bench -p ox-teams-core --bench import`; it prints
//! figures and asserts nothing.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ox_teams_core::clock::SystemClock;
use ox_teams_core::entropy::OsEntropy;
use ox_teams_core::issues::{CancelFlag, IssueFilter};
use ox_teams_core::secrets::MemoryStore;
use ox_teams_core::{Core, CoreOptions};

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
                let core = Core::open(CoreOptions {
                    data_dir: dir.path().to_path_buf(),
                    secrets: Arc::new(MemoryStore::new()),
                    clock: Arc::new(SystemClock),
                    entropy: Arc::new(OsEntropy),
                    search_path: None,
                })
                .unwrap();
                let started = Instant::now();
                let report = core
                    .import_issues(
                        std::slice::from_ref(&file),
                        &mut |_| {},
                        &CancelFlag::default(),
                    )
                    .unwrap();
                let elapsed = started.elapsed();
                findings = report.new;
                assert_eq!(
                    core.issues(&IssueFilter::default(), 0, 1).unwrap().total,
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
}
