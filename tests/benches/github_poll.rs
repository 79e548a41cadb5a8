//! A GitHub source at scale: an organisation of 50 repositories with 1,000 alerts each (50,000
//! alerts over its code scanning, Dependabot and secret scanning lists), read from the
//! sandbox's GitHub stand-in. Prints, for the first poll (every page) and for a poll with
//! nothing changed, then one with a single alert dismissed: requests made, time, and the share
//! of a token's hourly budget (5,000 requests; GitHub does not count a 304) it used.
//! Run with `cargo bench -p ox-teams-tests --bench github_poll`; asserts nothing.

use std::sync::Arc;
use std::time::Instant;

use ox_teams_core::clock::SystemClock;
use ox_teams_core::entropy::OsEntropy;
use ox_teams_core::secrets::{MemoryStore, Secret};
use ox_teams_core::sources::GitHubDraft;
use ox_teams_core::{Core, CoreOptions};
use ox_teams_sandbox::github::{DEMO_TOKEN, PRIMARY_LIMIT};
use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use serde_json::json;

const REPOS: usize = 50;
const ALERTS_PER_REPO: usize = 1_000;

#[tokio::main]
async fn main() {
    let sandbox = Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let control = |path: &str| format!("{}/_sandbox/github/{path}", sandbox.url());
    client
        .post(control("generate"))
        .json(&json!({ "org": "bench", "repos": REPOS, "alerts_per_repo": ALERTS_PER_REPO }))
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let core = Core::open(CoreOptions {
        data_dir: dir.path().to_path_buf(),
        secrets: Arc::new(MemoryStore::new()),
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
        search_path: None,
        http: Default::default(),
    })
    .unwrap();
    core.sources()
        .add_github(
            &GitHubDraft {
                url: format!("{}/github", sandbox.url()),
                org: Some("bench".into()),
                ..GitHubDraft::default()
            },
            Secret::new(DEMO_TOKEN),
        )
        .await
        .unwrap();
    println!(
        "GitHub source: organisation of {REPOS} repositories × {ALERTS_PER_REPO} alerts ({} in all)",
        REPOS * ALERTS_PER_REPO
    );
    println!(
        "{:<34} {:>9} {:>6} {:>10} {:>9} {:>13}",
        "poll", "requests", "304s", "findings", "time", "hourly budget"
    );
    for (label, dismiss) in [
        ("first (every page)", false),
        ("nothing changed", false),
        ("one alert dismissed", true),
    ] {
        if dismiss {
            let state: serde_json::Value = client
                .get(control("state"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let repo = &state["repos"][7];
            let alert = repo["code_scanning"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["state"] == "open")
                .unwrap();
            let path = format!(
                "repos/{}/code-scanning/{}/dismiss",
                repo["full_name"].as_str().unwrap(),
                alert["number"]
            );
            client
                .post(control(&path))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
        }
        let started = Instant::now();
        let report = core.sources().poll(None).await.unwrap();
        let elapsed = started.elapsed();
        let poll = &report.polls[0];
        let counted = poll.requests - poll.not_modified;
        let findings: u64 = poll
            .imported
            .iter()
            .map(|f| match f {
                ox_teams_core::issues::FileImport::Imported { findings, .. } => *findings,
                _ => 0,
            })
            .sum();
        println!(
            "{label:<34} {:>9} {:>6} {findings:>10} {:>8.2}s {:>12.2}%",
            poll.requests,
            poll.not_modified,
            elapsed.as_secs_f64(),
            100.0 * counted as f64 / f64::from(PRIMARY_LIMIT)
        );
        if let Some(error) = &poll.error {
            println!("  problem: {}", error.message);
        }
    }
}
