//! How fast the outbox sends a workflow's burst against the sandbox enforcing Microsoft's
//! documented limits (1 post/s per chat or channel, 20 chat posts/s and 50 channel posts/s per
//! tenant, 4 requests/s per team): 7 issues to 100 channels and 200 people, 2,100 messages.
//! Prints the achieved rate over the best rate those limits allow, the 429s met and the
//! messages lost. Run with `cargo bench -p ox-teams-tests --bench dispatch`; asserts nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ox_teams_core::clock::SystemClock;
use ox_teams_core::directory::Freshness;
use ox_teams_core::entropy::OsEntropy;
use ox_teams_core::issues::CancelFlag;
use ox_teams_core::outbox::{DeliveryStatus, Recipient};
use ox_teams_core::secrets::MemoryStore;
use ox_teams_core::settings::SettingKey;
use ox_teams_core::workflows::{ApplyTo, Conditions, WorkflowDefinition};
use ox_teams_core::{Core, CoreOptions};
use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use ox_teams_tests::bench::{Figure, Target};
use ox_teams_tests::browser::Decision;
use ox_teams_tests::sign_in_as;
use serde_json::json;

const ISSUES: usize = 7;
const CHANNELS: usize = 100;
const PEOPLE: usize = 200;

#[tokio::main]
async fn main() {
    let sandbox = Sandbox::start(SandboxOptions::new(tenant::large(3, 2_000, 250)), 0)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The real clock: the pacing waits for real here.
    let core = Core::open(CoreOptions {
        data_dir: dir.path().to_path_buf(),
        secrets: Arc::new(MemoryStore::new()),
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
        search_path: None,
        http: Default::default(),
    })
    .unwrap();
    for (key, value) in [
        (SettingKey::AuthorityUrl, sandbox.url()),
        (SettingKey::GraphUrl, sandbox.url()),
        (SettingKey::Cloud, "custom"),
        (SettingKey::Tenant, "fabrikam.onmicrosoft.com"),
        (SettingKey::ClientId, "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    ] {
        core.set_setting(key, value).unwrap();
    }
    let (admin, people) = {
        let world = sandbox.world().lock().await;
        let admin = world.tenant.users.iter().find(|u| u.admin).unwrap().clone();
        let people: Vec<Recipient> = world
            .tenant
            .users
            .iter()
            .filter(|u| !u.admin)
            .take(PEOPLE)
            .map(|u| Recipient::Person {
                user_id: u.id.clone(),
                name: u.display_name.clone(),
                mail: u.upn.clone(),
            })
            .collect();
        (admin.upn, people)
    };
    sign_in_as(&core, &admin, Decision::Accept, None)
        .await
        .unwrap();
    let teams = core
        .directory()
        .teams(Freshness::Recent)
        .await
        .unwrap()
        .items;
    let mut channels = Vec::new();
    for team in teams.iter().take(CHANNELS) {
        let general = core
            .directory()
            .channels(&team.id, Freshness::Recent)
            .await
            .unwrap()
            .items
            .into_iter()
            .next()
            .unwrap();
        channels.push(Recipient::Channel {
            team_id: team.id.clone(),
            channel_id: general.id,
            team_name: team.name.clone(),
            channel_name: general.name,
        });
    }
    assert_eq!(
        channels.len(),
        CHANNELS,
        "the admin belongs to enough teams"
    );
    let recipients: Vec<Recipient> = channels.into_iter().chain(people).collect();
    core.workflows()
        .save(
            None,
            WorkflowDefinition {
                name: "Burst".into(),
                enabled: true,
                conditions: Conditions::default(),
                recipients: recipients.clone(),
                fallback: vec![recipients[0].clone()],
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
    let report = dir.path().join("burst.json");
    let issues: Vec<_> = (0..ISSUES)
        .map(|n| json!({ "id": format!("burst-{n}"), "title": format!("Burst finding {n}"), "severity": "high",
                         "tool": "Semgrep", "rule": "rules.burst" }))
        .collect();
    std::fs::write(
        &report,
        json!({ "format": "ox-teams-issues/1", "issues": issues }).to_string(),
    )
    .unwrap();
    core.issues()
        .import(&[report], &mut |_| {}, &CancelFlag::default())
        .unwrap();
    let total = ISSUES * recipients.len();
    assert_eq!(core.outbox().deliveries(5000).unwrap().len(), total);
    sandbox.world().lock().await.log.clear();

    let started = Instant::now();
    loop {
        let report = core.outbox().dispatch(10_000).await.unwrap();
        match report.next_due {
            None => break,
            Some(due) => {
                let wait = (due - chrono::Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait.max(Duration::from_millis(20))).await;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();

    let deliveries = core.outbox().deliveries(5000).unwrap();
    let sent = deliveries
        .iter()
        .filter(|d| d.status == DeliveryStatus::Sent)
        .count();
    let (throttled, requests, arrived) = {
        let world = sandbox.world().lock().await;
        let throttled = world.log.iter().filter(|r| r.status == 429).count();
        let arrived: usize = world.messages.values().map(Vec::len).sum();
        (throttled, world.log.len(), arrived)
    };
    let chat_posts = (ISSUES * PEOPLE) as f64;
    let channel_posts = (ISSUES * CHANNELS) as f64;
    // The limits that bind: chat posts at 20/s and channel posts at 50/s run side by side in the
    // best case; each place takes its posts a second apart.
    let best_seconds = (chat_posts / 20.0)
        .max(channel_posts / 50.0)
        .max((ISSUES - 1) as f64);
    let achieved = total as f64 / elapsed;
    let best = total as f64 / best_seconds;
    println!(
        "{total} messages ({ISSUES} issues × {CHANNELS} channels + {PEOPLE} people) in {elapsed:.1} s"
    );
    println!(
        "achieved {achieved:.1} messages/s; the limits allow at best {best:.1}/s ({best_seconds:.0} s): {:.0} %",
        100.0 * achieved / best
    );
    println!("429 answers met: {throttled} (of {requests} requests)");
    let lost = total.saturating_sub(arrived);
    println!("lost: {lost} (sent {sent}, in the sandbox {arrived})");
    Figure {
        measure: "Dispatch of 2,100 messages to 100 channels + 200 people (0.95 of the best rate or better)",
        value: elapsed,
        unit: "s",
        floor: Some((best_seconds, "the best time the documented limits allow")),
        // At least 0.95 of the best rate the limits allow.
        target: Target::RatioAtMost(1.0 / 0.95),
    }
    .print();
    Figure {
        measure: "Dispatch: messages lost",
        value: lost as f64,
        unit: "",
        floor: None,
        target: Target::AtMost(0.0),
    }
    .print();
    Figure {
        measure: "Dispatch: requests answered 429",
        value: 100.0 * throttled as f64 / requests.max(1) as f64,
        unit: "%",
        floor: None,
        target: Target::AtMost(1.0),
    }
    .print();
}
