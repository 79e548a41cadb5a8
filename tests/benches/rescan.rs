//! Living messages at scale: 10,000 findings, each already messaged about in one of 50 channels
//! (50 workflows, one per service folder), then a re-scan that changes 1,000 and no longer
//! reports 1,000. Each of those 2,000 needs exactly one reply in its thread, against the sandbox
//! enforcing Microsoft's limits (1 post a second per channel, 50 channel posts a second per
//! tenant, 4 requests a second per team). Prints the requests sent against that minimum, the
//! time against the limits' best time, the 429s met and the replies lost.
//! Run with `cargo bench -p ox-teams-tests --bench rescan`; asserts nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use ox_teams_core::clock::{ManualClock, SystemClock};
use ox_teams_core::directory::Freshness;
use ox_teams_core::entropy::OsEntropy;
use ox_teams_core::issues::CancelFlag;
use ox_teams_core::outbox::{DeliveryAction, DeliveryStatus, Recipient};
use ox_teams_core::secrets::MemoryStore;
use ox_teams_core::settings::SettingKey;
use ox_teams_core::workflows::{ApplyTo, Conditions, WorkflowDefinition};
use ox_teams_core::{Core, CoreOptions};
use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use ox_teams_tests::browser::Decision;
use ox_teams_tests::sign_in_as;
use serde_json::json;

const FINDINGS: usize = 10_000;
const CHANGED: usize = 1_000;
const FIXED: usize = 1_000;
const CHANNELS: usize = 50;

fn open(
    dir: &std::path::Path,
    secrets: &Arc<MemoryStore>,
    clock: Arc<dyn ox_teams_core::clock::Clock>,
) -> Core {
    Core::open(CoreOptions {
        data_dir: dir.to_path_buf(),
        secrets: secrets.clone(),
        clock,
        entropy: Arc::new(OsEntropy),
        search_path: None,
        http: Default::default(),
    })
    .unwrap()
}

/// The scan: finding n lives in service folder n % 50; `changed` ones moved a line, `fixed`
/// ones are gone.
fn scan(dir: &std::path::Path, changed: usize, fixed: usize) -> std::path::PathBuf {
    let issues: Vec<_> = (fixed..FINDINGS)
        .map(|n| {
            let line = if n < fixed + changed { 99 } else { 1 };
            json!({ "id": format!("f-{n}"), "title": format!("Finding {n}"), "severity": "high",
                    "tool": "Semgrep", "rule": "rules.rescan", "path": format!("svc-{}/file{n}.py", n % CHANNELS),
                    "line": line })
        })
        .collect();
    let file = dir.join("scan.json");
    std::fs::write(
        &file,
        json!({ "format": "ox-teams-issues/1", "issues": issues }).to_string(),
    )
    .unwrap();
    file
}

async fn drain(core: &Core) {
    loop {
        let report = core.outbox().dispatch(100_000).await.unwrap();
        match report.next_due {
            None => break,
            Some(due) => {
                let wait = (due - Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait.max(Duration::from_millis(20))).await;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let sandbox = Sandbox::start(SandboxOptions::new(tenant::large(3, 2_000, 250)), 0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::new());
    // Setting up: a test clock (the outbox's pacing does not wait) and no limits in the sandbox,
    // so the first 10,000 messages go out in seconds.
    sandbox.world().lock().await.throttle.set_enabled(false);
    let setup = open(dir.path(), &secrets, Arc::new(ManualClock::new(Utc::now())));
    for (key, value) in [
        (SettingKey::AuthorityUrl, sandbox.url()),
        (SettingKey::GraphUrl, sandbox.url()),
        (SettingKey::Cloud, "custom"),
        (SettingKey::Tenant, "fabrikam.onmicrosoft.com"),
        (SettingKey::ClientId, "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    ] {
        setup.set_setting(key, value).unwrap();
    }
    let admin = {
        let world = sandbox.world().lock().await;
        world
            .tenant
            .users
            .iter()
            .find(|u| u.admin)
            .unwrap()
            .upn
            .clone()
    };
    sign_in_as(&setup, &admin, Decision::Accept, None)
        .await
        .unwrap();
    let teams = setup
        .directory()
        .teams(Freshness::Recent)
        .await
        .unwrap()
        .items;
    for (k, team) in teams.iter().take(CHANNELS).enumerate() {
        let general = setup
            .directory()
            .channels(&team.id, Freshness::Recent)
            .await
            .unwrap()
            .items
            .remove(0);
        let channel = Recipient::Channel {
            team_id: team.id.clone(),
            channel_id: general.id,
            team_name: team.name.clone(),
            channel_name: general.name,
        };
        setup
            .workflows()
            .save(
                None,
                WorkflowDefinition {
                    name: format!("svc-{k}"),
                    enabled: true,
                    conditions: Conditions {
                        paths: vec![format!("svc-{k}/**")],
                        ..Conditions::default()
                    },
                    recipients: vec![channel.clone()],
                    fallback: vec![channel],
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
    let started = Instant::now();
    setup
        .issues()
        .import(
            &[scan(dir.path(), 0, 0)],
            &mut |_| {},
            &CancelFlag::default(),
        )
        .unwrap();
    let import_first = started.elapsed().as_secs_f64();
    while setup
        .outbox()
        .dispatch(100_000)
        .await
        .unwrap()
        .next_due
        .is_some()
    {}
    println!(
        "setup: {FINDINGS} findings imported in {import_first:.1} s and posted to {CHANNELS} channels in {:.1} s",
        started.elapsed().as_secs_f64() - import_first
    );
    drop(setup);

    // Measured: the real clock and Microsoft's limits.
    let core = open(dir.path(), &secrets, Arc::new(SystemClock));
    {
        let mut world = sandbox.world().lock().await;
        world.throttle.set_enabled(true);
        world.log.clear();
    }
    let started = Instant::now();
    let report = core
        .issues()
        .import(
            &[scan(dir.path(), CHANGED, FIXED)],
            &mut |_| {},
            &CancelFlag::default(),
        )
        .unwrap();
    let import_seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "re-scan imported in {import_seconds:.1} s; {} deliveries waiting",
        core.outbox()
            .deliveries(100_000)
            .unwrap()
            .iter()
            .filter(|d| !d.status.is_final())
            .count()
    );
    let queued_at = Instant::now();
    drain(&core).await;
    let send_seconds = queued_at.elapsed().as_secs_f64();

    let all = core.outbox().deliveries(100_000).unwrap();
    let followed: Vec<_> = all
        .iter()
        .filter(|d| d.created_at > chrono::Utc::now() - chrono::Duration::hours(1))
        .filter(|d| d.action != Some(DeliveryAction::Posted) || d.status != DeliveryStatus::Sent)
        .collect();
    let replies = followed
        .iter()
        .filter(|d| d.status == DeliveryStatus::Sent && d.action == Some(DeliveryAction::Replied))
        .count();
    let (requests, throttled, new_threads) = {
        let world = sandbox.world().lock().await;
        let new_threads = world
            .log
            .iter()
            .filter(|r| r.method == "POST" && r.status < 300 && r.path.ends_with("/messages"))
            .count();
        let throttled = world.log.iter().filter(|r| r.status == 429).count();
        (world.log.len(), throttled, new_threads)
    };
    let needed = CHANGED + FIXED;
    // Each channel takes its replies a second apart; the tenant takes 50 channel posts a second.
    let per_channel = needed.div_ceil(CHANNELS);
    let best = (per_channel.saturating_sub(1) as f64).max(needed as f64 / 50.0);
    println!(
        "re-scan: {} updated, {} fixed; import {import_seconds:.2} s",
        report.updated, report.fixed
    );
    println!(
        "replies in threads: {replies} of {needed} needed; requests sent: {requests} ({throttled} answered 429) — {:.2}× the minimum",
        requests as f64 / needed as f64
    );
    println!(
        "sent in {send_seconds:.1} s; the limits' best time is {best:.0} s: {:.2}× the best",
        send_seconds / best.max(1.0)
    );
    println!(
        "new threads during the re-scan: {new_threads} (0 expected); lost: {}",
        needed.saturating_sub(replies)
    );
}
