//! Workflows against the sandbox: messages that go out by themselves after an import (new,
//! updated, existing issues), at most once per issue revision and recipient even across a
//! restart, fallback recipients when a channel is gone, periodic digests on a controlled clock,
//! and a dry run that sends nothing.

use std::path::Path;
use std::time::Duration;

use ox_teams_core::ErrorCode;
use ox_teams_core::directory::Freshness;
use ox_teams_core::issues::Severity;
use ox_teams_core::outbox::{DeliveryStatus, Recipient};
use ox_teams_core::workflows::{
    ApplyTo, Conditions, Every, QuietHours, Schedule, Weekday, WorkflowDefinition,
};
use ox_teams_sandbox::Sandbox;
use ox_teams_tests::{Contoso, TestCore, contoso, import_ok};
use serde_json::{Value, json};

type Setup = Contoso;

async fn setup() -> Setup {
    contoso(true).await
}

/// An `ox-teams-issues/1` report: (id, title, severity, description).
fn write_report(dir: &Path, name: &str, issues: &[(&str, &str, &str, &str)]) -> std::path::PathBuf {
    let issues: Vec<Value> = issues
        .iter()
        .map(|(id, title, severity, description)| {
            json!({ "id": id, "title": title, "severity": severity, "tool": "Semgrep",
                    "rule": format!("rules.{id}"), "path": format!("src/{id}.py"), "line": 3,
                    "description": description })
        })
        .collect();
    let path = dir.join(name);
    std::fs::write(
        &path,
        json!({ "format": "ox-teams-issues/1", "issues": issues }).to_string(),
    )
    .unwrap();
    path
}

fn definition(s: &Setup, apply_to: ApplyTo) -> WorkflowDefinition {
    WorkflowDefinition {
        name: "High and worse to SecOps".into(),
        enabled: true,
        conditions: Conditions {
            min_severity: Some(Severity::High),
            ..Conditions::default()
        },
        recipients: vec![s.channel.clone()],
        fallback: vec![s.adele.clone()],
        comment: "Triage within a day".into(),
        apply_to,
        schedule: None,
        identity: Default::default(),
        on_change: Default::default(),
        announce_fixes: true,
        skip_acknowledged: false,
        quiet_hours: None,
        owners: Default::default(),
        mentions: Vec::new(),
    }
}

/// Sends everything queued. The sandbox holds each channel to Microsoft's one post a second in
/// real time, while the test's clock only moves when told, so both move here.
async fn send_all(t: &TestCore) {
    for _ in 0..10 {
        let report = t.core.outbox().dispatch(100).await.unwrap();
        if report.next_due.is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1100)).await;
        t.clock.advance(Duration::from_secs(60));
    }
    panic!("the outbox did not empty");
}

/// Cards the sandbox holds: (place, card).
async fn cards(sandbox: &Sandbox) -> Vec<(String, Value)> {
    let all: Value = reqwest::get(format!("{}/_sandbox/messages", sandbox.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut found = Vec::new();
    for (kind, name) in [("channels", "channelName"), ("chats", "id")] {
        for place in all[kind].as_array().into_iter().flatten() {
            for message in place["messages"].as_array().into_iter().flatten() {
                let card = message["message"]["attachments"][0]["content"]
                    .as_str()
                    .map(|c| serde_json::from_str(c).unwrap())
                    .unwrap_or(Value::Null);
                found.push((place[name].as_str().unwrap_or_default().to_string(), card));
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn new_or_updated_issues_go_out_once_and_only_the_updated_ones_after_a_change() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    let (workflow, run) = core
        .workflows()
        .save(None, definition(&s, ApplyTo::NewOrUpdatedIssues))
        .unwrap();
    assert!(run.is_none(), "nothing runs until an import");

    let first = write_report(
        dir.path(),
        "scan.json",
        &[
            (
                "a",
                "Command injection in deploy",
                "critical",
                "os.system with input",
            ),
            ("b", "Hard-coded password", "high", "a literal password"),
            ("c", "Debug mode on", "low", "DEBUG = True"),
        ],
    );
    import_ok(core, &first);
    let queued = core.outbox().deliveries(100).unwrap();
    assert_eq!(queued.len(), 2, "the two high-or-worse issues: {queued:?}");
    assert!(
        queued
            .iter()
            .all(|d| matches!(d.origin, ox_teams_core::outbox::Origin::Workflow { .. }))
    );
    send_all(&s.t).await;
    let sent = cards(&s.sandbox).await;
    assert_eq!(sent.len(), 2);
    for (place, card) in &sent {
        assert_eq!(place, "General");
        let text = card.to_string();
        assert!(text.contains(&ox_teams_core::links::workflow_link(&workflow.id)));
        assert!(text.contains("Triage within a day"));
    }

    // The same report again: nothing new or updated, nothing sent.
    import_ok(core, &first);
    assert_eq!(core.outbox().deliveries(100).unwrap().len(), 2);

    // One issue changes: only it goes out again (a new revision).
    let changed = write_report(
        dir.path(),
        "scan.json",
        &[
            (
                "a",
                "Command injection in deploy",
                "critical",
                "os.system with input",
            ),
            (
                "b",
                "Hard-coded password",
                "high",
                "a literal password, now in two files",
            ),
            ("c", "Debug mode on", "low", "DEBUG = True"),
        ],
    );
    import_ok(core, &changed);
    send_all(&s.t).await;
    let sent = cards(&s.sandbox).await;
    assert_eq!(sent.len(), 3);
    assert!(sent[2].1.to_string().contains("revision 2"));

    let history = core.workflows().history(&workflow.id, 10).unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0].trigger, "import");
    assert_eq!(history[0].queued, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_channel_falls_back_to_the_fallback_recipients_and_the_log_says_so() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    let (workflow, _) = core
        .workflows()
        .save(None, definition(&s, ApplyTo::NewOrUpdatedIssues))
        .unwrap();
    let Recipient::Channel {
        team_id,
        channel_id,
        ..
    } = &s.channel
    else {
        unreachable!()
    };
    let deleted = reqwest::Client::new()
        .delete(format!(
            "{}/_sandbox/teams/{team_id}/channels/{channel_id}",
            s.sandbox.url()
        ))
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());

    import_ok(
        core,
        &write_report(
            dir.path(),
            "scan.json",
            &[("a", "SQL injection", "high", "")],
        ),
    );
    send_all(&s.t).await;
    let deliveries = core.outbox().deliveries(100).unwrap();
    let failed = deliveries
        .iter()
        .find(|d| d.status == DeliveryStatus::Failed)
        .expect("the channel delivery failed");
    let reason = &failed.problem.as_ref().unwrap().message;
    assert!(reason.contains("no longer exists"), "{reason}");
    assert!(
        reason.ends_with("Sent to the fallback recipients instead: Adele Vance."),
        "{reason}"
    );
    send_all(&s.t).await;
    let to_adele = core
        .outbox()
        .deliveries(100)
        .unwrap()
        .into_iter()
        .find(|d| d.label == "Adele Vance")
        .expect("a fallback delivery");
    assert_eq!(to_adele.status, DeliveryStatus::Sent);
    assert_eq!(cards(&s.sandbox).await.len(), 1, "only Adele's chat got it");
    let history = core.workflows().history(&workflow.id, 10).unwrap();
    assert_eq!(history[0].trigger, "fallback");
    assert!(history[0].summary.contains("sent to Adele Vance instead"));
}

#[tokio::test(flavor = "multi_thread")]
async fn existing_issues_go_out_once_across_saves_and_restarts() {
    let s = setup().await;
    let dir = tempfile::tempdir().unwrap();
    import_ok(
        &s.t.core,
        &write_report(
            dir.path(),
            "scan.json",
            &[("a", "One", "high", ""), ("b", "Two", "critical", "")],
        ),
    );
    let (workflow, run) =
        s.t.core
            .workflows()
            .save(None, definition(&s, ApplyTo::NewUpdatedOrExistingIssues))
            .unwrap();
    assert_eq!(run.as_ref().unwrap().queued, 2, "{run:?}");
    // Saving it again (an edit) finds both sent already.
    let (_, again) =
        s.t.core
            .workflows()
            .save(
                Some(&workflow.id),
                definition(&s, ApplyTo::NewUpdatedOrExistingIssues),
            )
            .unwrap();
    assert_eq!(
        (again.as_ref().unwrap().queued, again.unwrap().skipped),
        (0, 2)
    );

    // Another process on the same data folder (a restart) remembers too.
    let reopened = ox_teams_tests::open_core_with(s.t.dir.path(), s.t.secrets.clone());
    import_ok(
        &reopened,
        &write_report(
            dir.path(),
            "scan.json",
            &[("a", "One", "high", ""), ("b", "Two", "critical", "")],
        ),
    );
    assert_eq!(reopened.outbox().deliveries(100).unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workflow_that_would_send_more_than_200_messages_at_once_is_confirmed_first() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<String> = (0..101).map(|n| format!("f{n}")).collect();
    let issues: Vec<(&str, &str, &str, &str)> = ids
        .iter()
        .map(|id| (id.as_str(), "Finding", "high", ""))
        .collect();
    import_ok(core, &write_report(dir.path(), "wide.json", &issues));
    let wide = WorkflowDefinition {
        recipients: vec![s.channel.clone(), s.adele.clone()],
        ..definition(&s, ApplyTo::NewUpdatedOrExistingIssues)
    };

    let refused = core
        .workflows()
        .save_as_asked(None, wide.clone(), false)
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::ConfirmationNeeded);
    assert!(
        refused
            .to_string()
            .contains("202 messages right away (101 matching issues to 2 recipients)"),
        "{refused}"
    );
    assert!(core.workflows().list().unwrap().is_empty(), "nothing saved");
    assert!(
        core.outbox().deliveries(10).unwrap().is_empty(),
        "nothing queued"
    );

    // Saved off, then turned on: the same question; confirmed, it sends.
    let (off, _) = core
        .workflows()
        .save_as_asked(
            None,
            WorkflowDefinition {
                enabled: false,
                ..wide
            },
            false,
        )
        .unwrap();
    let refused = core
        .workflows()
        .set_enabled(&off.id, true, false)
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::ConfirmationNeeded);
    let (_, run) = core.workflows().set_enabled(&off.id, true, true).unwrap();
    assert_eq!(run.unwrap().queued, 202);
    // Saving it again queues nothing new, so nothing is asked.
    let again = core.workflows().get(&off.id).unwrap().definition;
    core.workflows()
        .save_as_asked(Some(&off.id), again, false)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workflow_over_many_findings_queues_each_once_and_counts_every_batch() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    // More than two batches of messages (QUEUE_BATCH is 200).
    let ids: Vec<String> = (0..450).map(|n| format!("f{n:03}")).collect();
    let issues: Vec<(&str, &str, &str, &str)> = ids
        .iter()
        .map(|id| (id.as_str(), "Finding", "high", ""))
        .collect();
    import_ok(core, &write_report(dir.path(), "many.json", &issues));
    let (workflow, run) = core
        .workflows()
        .save_as_asked(
            None,
            definition(&s, ApplyTo::NewUpdatedOrExistingIssues),
            true,
        )
        .unwrap();
    let run = run.unwrap();
    assert_eq!((run.queued, run.skipped), (450, 0), "{run:?}");

    // Adding a recipient: the channel already has every finding, Adele gets each one.
    let wider = WorkflowDefinition {
        recipients: vec![s.channel.clone(), s.adele.clone()],
        ..definition(&s, ApplyTo::NewUpdatedOrExistingIssues)
    };
    let (_, run) = core
        .workflows()
        .save_as_asked(Some(&workflow.id), wider, true)
        .unwrap();
    let run = run.unwrap();
    assert_eq!((run.queued, run.skipped), (450, 450), "{run:?}");
    assert!(
        run.summary
            .starts_with("450 matching issues: 450 messages queued, 450 already sent."),
        "{}",
        run.summary
    );
    let deliveries = core.outbox().deliveries(2_000).unwrap();
    assert_eq!(deliveries.len(), 900);
    let places: std::collections::HashSet<(String, String)> = deliveries
        .iter()
        .map(|d| (d.issue_id.clone(), d.label.clone()))
        .collect();
    assert_eq!(places.len(), 900, "each finding once in each place");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_periodic_digest_goes_out_at_its_local_time_once_per_slot() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    import_ok(
        core,
        &write_report(
            dir.path(),
            "scan.json",
            &[
                ("a", "One", "high", ""),
                ("b", "Two", "critical", ""),
                ("c", "Three", "low", ""),
            ],
        ),
    );
    // Monday 30 Nov 2026, 07:30 UTC = 08:30 in Paris; the digest is at 09:00 Paris time.
    let monday = chrono::DateTime::parse_from_rfc3339("2026-11-30T07:30:00Z")
        .unwrap()
        .to_utc();
    s.t.clock.set(monday);
    let mut periodic = definition(&s, ApplyTo::Periodic);
    periodic.recipients = vec![s.channel.clone(), s.adele.clone()];
    periodic.schedule = Some(Schedule {
        every: Every::Day { at: "09:00".into() },
        time_zone: "Europe/Paris".into(),
    });
    let (workflow, _) = core.workflows().save(None, periodic.clone()).unwrap();
    assert_eq!(
        workflow.next_run_at.unwrap().to_rfc3339(),
        "2026-11-30T08:00:00+00:00"
    );
    let dry = core
        .workflows()
        .dry_run(&periodic, Some(&workflow.id))
        .unwrap();
    assert!(dry.digest.unwrap().contains("one digest of 2 issues"));
    assert!(core.workflows().run_due().unwrap().is_empty(), "not yet");

    s.t.clock.advance(Duration::from_secs(30 * 60));
    let runs = core.workflows().run_due().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].queued, 2, "one digest per recipient");
    assert!(
        core.workflows().run_due().unwrap().is_empty(),
        "once per slot"
    );
    send_all(&s.t).await;
    let sent = cards(&s.sandbox).await;
    assert_eq!(sent.len(), 2);
    let digest = sent[0].1.to_string();
    assert!(digest.contains("2 issues match"), "{digest}");
    assert!(digest.contains("ox-teams://issues/"));

    s.t.clock.advance(Duration::from_secs(24 * 3600));
    assert_eq!(core.workflows().run_due().unwrap()[0].queued, 2);
    assert_eq!(
        core.workflows()
            .get(&workflow.id)
            .unwrap()
            .next_run_at
            .unwrap()
            .to_rfc3339(),
        "2026-12-02T08:00:00+00:00"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_sends_nothing_and_a_workflow_needs_its_recipients() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    import_ok(
        core,
        &write_report(
            dir.path(),
            "scan.json",
            &[("a", "One", "high", ""), ("c", "Three", "low", "")],
        ),
    );
    let all = definition(&s, ApplyTo::NewOrUpdatedIssues);
    let dry = core.workflows().dry_run(&all, None).unwrap();
    assert_eq!(dry.matched, 1);
    assert_eq!(dry.items[0].recipients, ["Security Operations › General"]);
    assert!(core.outbox().deliveries(100).unwrap().is_empty());

    let mut incomplete = all.clone();
    incomplete.fallback.clear();
    let refused = core.workflows().save(None, incomplete).unwrap_err();
    assert!(
        refused.to_string().contains("fallback recipient"),
        "{refused}"
    );

    let file = json!({
        "name": "From a file", "apply_to": "updated_issues",
        "recipients": ["channel:Security Operations/General"],
        "fallback": ["user:adele.vance@contoso.onmicrosoft.com"],
        "conditions": { "min_severity": "critical", "paths": ["src/**"] }
    });
    let read = core.workflows().from_json(&file.to_string()).await.unwrap();
    assert_eq!(read.recipients, vec![s.channel.clone()]);
    assert_eq!(read.fallback, vec![s.adele.clone()]);
    let people = core
        .directory()
        .people("adele", Freshness::Recent)
        .await
        .unwrap();
    assert!(!people.items.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fixed_finding_is_announced_in_its_thread_not_matched_again_and_a_reopened_one_goes_out_again()
 {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    core.workflows()
        .save(None, definition(&s, ApplyTo::NewOrUpdatedIssues))
        .unwrap();
    let both = [
        (
            "a",
            "Command injection in deploy",
            "critical",
            "os.system with input",
        ),
        ("b", "Hard-coded password", "high", "a literal password"),
    ];
    import_ok(core, &write_report(dir.path(), "scan.json", &both));
    send_all(&s.t).await;
    assert_eq!(cards(&s.sandbox).await.len(), 2);

    // The next scan no longer reports b: it is fixed, announced once in its thread, and no
    // longer matched.
    import_ok(core, &write_report(dir.path(), "scan.json", &both[..1]));
    assert_eq!(core.outbox().deliveries(100).unwrap().len(), 3);
    send_all(&s.t).await;
    let sent = cards(&s.sandbox).await;
    assert!(sent[2].1.to_string().contains("FIXED"), "{sent:?}");
    let existing = WorkflowDefinition {
        apply_to: ApplyTo::NewUpdatedOrExistingIssues,
        ..definition(&s, ApplyTo::NewUpdatedOrExistingIssues)
    };
    let dry = core.workflows().dry_run(&existing, None).unwrap();
    assert_eq!(dry.matched, 1, "only the open one: {dry:?}");
    assert_eq!(dry.items[0].issue_id, "a");

    // b comes back: reopened, a new revision, so it goes out again (in its thread).
    import_ok(core, &write_report(dir.path(), "scan.json", &both));
    // The sandbox paces each chat and channel in real time; the critical card went there
    // moments ago.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    send_all(&s.t).await;
    let sent = cards(&s.sandbox).await;
    assert_eq!(sent.len(), 4, "{sent:?}");
    assert!(sent[3].1.to_string().contains("Hard-coded password"));
    assert!(sent[3].1.to_string().contains("REOPENED"));
}

#[tokio::test(flavor = "multi_thread")]
async fn quiet_hours_hold_findings_below_the_bar_and_send_one_digest_when_they_end() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    // Tuesday 1 Dec 2026, 21:30 UTC = 22:30 in Paris: inside weeknight quiet hours.
    s.t.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-01T21:30:00Z")
            .unwrap()
            .to_utc(),
    );
    let mut quiet = definition(&s, ApplyTo::NewUpdatedOrExistingIssues);
    quiet.conditions = Conditions::default();
    quiet.recipients = vec![s.channel.clone(), s.adele.clone()];
    quiet.quiet_hours = Some(QuietHours {
        days: vec![
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ],
        start: "22:00".into(),
        end: "08:00".into(),
        time_zone: "Europe/Paris".into(),
        hold_below: Severity::High,
    });
    let (workflow, _) = core.workflows().save(None, quiet.clone()).unwrap();
    let scan = |with_low: bool| {
        let mut issues = vec![
            ("a", "Verbose errors", "medium", ""),
            ("b", "Weak cipher", "medium", ""),
            ("c", "Remote code execution", "critical", ""),
        ];
        if with_low {
            issues.push(("d", "Debug mode on", "low", ""));
        }
        write_report(dir.path(), "scan.json", &issues)
    };
    import_ok(core, &scan(true));

    // The critical one goes out at once; the rest wait, and everyone can see until when.
    let queued = core.outbox().deliveries(100).unwrap();
    assert_eq!(queued.len(), 2, "the critical finding to both: {queued:?}");
    assert!(queued.iter().all(|d| d.issue_id == "c"));
    let run = &core.workflows().history(&workflow.id, 1).unwrap()[0];
    assert!(
        run.summary
            .ends_with("3 held for quiet hours, until Wed 08:00 Europe/Paris."),
        "{}",
        run.summary
    );
    let holds = core.workflows().quiet_holds().unwrap();
    assert_eq!(holds.len(), 1);
    assert_eq!(holds[0].findings, 3);
    assert_eq!(holds[0].until, "held until Wed 08:00 Europe/Paris");
    let dry = core
        .workflows()
        .dry_run(&quiet, Some(&workflow.id))
        .unwrap();
    let held: Vec<(&str, Option<&str>)> = dry
        .items
        .iter()
        .map(|i| (i.issue_id.as_str(), i.held_until.as_deref()))
        .collect();
    assert!(held.contains(&("c", None)), "{held:?}");
    assert!(
        held.contains(&("a", Some("Wed 08:00 Europe/Paris"))),
        "{held:?}"
    );

    send_all(&s.t).await;

    // Fixed while held: left out of the digest.
    s.t.clock.advance(Duration::from_secs(3600));
    import_ok(core, &scan(false));
    s.t.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-02T06:59:00Z")
            .unwrap()
            .to_utc(),
    );
    assert!(
        core.workflows().run_due().unwrap().is_empty(),
        "still quiet"
    );

    s.t.clock.advance(Duration::from_secs(60));
    let runs = core.workflows().run_due().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].trigger, "quiet_hours");
    assert_eq!(runs[0].queued, 2, "one digest per recipient");
    assert!(
        runs[0]
            .summary
            .contains("a digest of 2 held issues to 2 recipients")
            && runs[0]
                .summary
                .contains("1 fixed, suppressed or sent on its own meanwhile"),
        "{}",
        runs[0].summary
    );
    assert!(core.workflows().run_due().unwrap().is_empty(), "one digest");
    assert!(core.workflows().quiet_holds().unwrap().is_empty());

    // Once digested, the same revisions are not messaged again one by one.
    import_ok(core, &scan(false));
    assert_eq!(core.outbox().deliveries(100).unwrap().len(), 4);

    // The sandbox paces each chat and channel in real time; the critical card went there
    // moments ago.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    send_all(&s.t).await;
    let sent = cards(&s.sandbox).await;
    assert_eq!(sent.len(), 4, "{sent:?}");
    let digests: Vec<String> = sent
        .iter()
        .map(|(_, card)| card.to_string())
        .filter(|card| card.contains("WORKFLOW DIGEST"))
        .collect();
    assert_eq!(digests.len(), 2);
    assert!(
        digests[0].contains("2 issues match") && digests[0].contains("Held during quiet hours")
    );
    assert!(digests[0].contains("Verbose errors") && !digests[0].contains("Debug mode on"));
}

/// Turning quiet hours off on a workflow that also covers existing findings: saving it runs over
/// the existing ones, and the held one must go out once, in the digest, not also on its own.
#[tokio::test(flavor = "multi_thread")]
async fn turning_quiet_hours_off_sends_what_was_held_once() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    let mut quiet = definition(&s, ApplyTo::NewUpdatedOrExistingIssues);
    quiet.conditions = Conditions::default();
    quiet.quiet_hours = Some(QuietHours {
        days: vec![
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ],
        start: "00:00".into(),
        end: "00:00".into(),
        time_zone: "UTC".into(),
        hold_below: Severity::Critical,
    });
    let (workflow, _) = core.workflows().save(None, quiet.clone()).unwrap();
    import_ok(
        core,
        &write_report(
            dir.path(),
            "scan.json",
            &[("m", "Weak cipher", "medium", "")],
        ),
    );
    assert!(core.outbox().deliveries(100).unwrap().is_empty(), "held");

    quiet.quiet_hours = None;
    let (_, run) = core.workflows().save(Some(&workflow.id), quiet).unwrap();
    let run = run.expect("saving a workflow over existing issues runs it");
    assert_eq!(run.queued, 0, "{}", run.summary);
    assert!(
        run.summary
            .ends_with("1 held for quiet hours go out in their digest."),
        "{}",
        run.summary
    );
    let holds = core.workflows().quiet_holds().unwrap();
    assert!(
        holds[0].until.contains("the quiet hours are over"),
        "{holds:?}"
    );

    let runs = core.workflows().run_due().unwrap();
    assert_eq!(runs[0].trigger, "quiet_hours");
    assert_eq!(runs[0].queued, 1, "one digest to the one recipient");
    let deliveries = core.outbox().deliveries(100).unwrap();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert!(deliveries[0].issue_id.starts_with("digest:quiet:"));
    // Nothing more on the next import either.
    import_ok(
        core,
        &write_report(
            dir.path(),
            "scan.json",
            &[("m", "Weak cipher", "medium", "")],
        ),
    );
    assert_eq!(core.outbox().deliveries(100).unwrap().len(), 1);
}
