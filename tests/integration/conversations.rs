//! Living messages against the sandbox: a finding's first message in a place is its anchor; a
//! change replies in the channel thread and updates the chat's card in place (same message id,
//! `lastEditedDateTime` set), a fix is announced where an anchor is, a deleted anchor falls back
//! to a new message, a lost answer to an edit is simply retried, and reactions and replies come
//! back and acknowledge the finding.

use std::path::Path;
use std::time::Duration;

use ox_teams_core::issues::{IssueFilter, IssueState, Severity};
use ox_teams_core::outbox::{DeliveryAction, SendRequest};
use ox_teams_core::workflows::{
    ApplyTo, Conditions, Every, OnChange, Schedule, WorkflowDefinition,
};
use ox_teams_sandbox::Sandbox;
use ox_teams_tests::browser::Decision;
use ox_teams_tests::{Contoso, TestCore, contoso, import_ok, sign_in_as};
use serde_json::{Value, json};

/// A finding below every workflow's severity, so a scan without the others still names the
/// scanner (a scan's scope is its tool and file).
const FILLER: (&str, &str, &str, u32) = ("z", "Verbose logging", "info", 1);

type Setup = Contoso;

/// Microsoft's limits hold in real time, the test's clock moves when told: the outbox's own
/// pacing is tested in `outbox.rs` and `lost_replies.rs`; here, what is sent where.
async fn setup() -> Setup {
    contoso(false).await
}

/// An `ox-teams-issues/1` report of (id, title, severity, line).
fn write_report(dir: &Path, issues: &[(&str, &str, &str, u32)]) -> std::path::PathBuf {
    let issues: Vec<Value> = issues
        .iter()
        .map(|(id, title, severity, line)| {
            json!({ "id": id, "title": title, "severity": severity, "tool": "Semgrep",
                    "rule": format!("rules.{id}"), "path": format!("src/{id}.py"), "line": line,
                    "description": "found by the scanner" })
        })
        .collect();
    let path = dir.join("scan.json");
    std::fs::write(
        &path,
        json!({ "format": "ox-teams-issues/1", "issues": issues }).to_string(),
    )
    .unwrap();
    path
}

fn workflow(s: &Setup, on_change: OnChange, announce_fixes: bool) -> WorkflowDefinition {
    WorkflowDefinition {
        name: "High and worse".into(),
        enabled: true,
        conditions: Conditions {
            min_severity: Some(Severity::High),
            ..Conditions::default()
        },
        recipients: vec![s.channel.clone(), s.adele.clone()],
        fallback: vec![s.adele.clone()],
        comment: String::new(),
        apply_to: ApplyTo::NewOrUpdatedIssues,
        schedule: None,
        identity: Default::default(),
        on_change,
        announce_fixes,
        skip_acknowledged: false,
        quiet_hours: None,
        owners: Default::default(),
        mentions: Vec::new(),
    }
}

/// Sends everything queued; retries are due a minute later on the test's clock.
async fn send_all(t: &TestCore) {
    for _ in 0..10 {
        let report = t.core.outbox().dispatch(100).await.unwrap();
        if report.next_due.is_none() {
            return;
        }
        t.clock.advance(Duration::from_secs(60));
    }
    panic!("the outbox did not empty");
}

/// What the sandbox holds: the General channel's messages and Adele's chat's, as stored.
async fn held(sandbox: &Sandbox) -> (Vec<Value>, Vec<Value>) {
    let all: Value = reqwest::get(format!("{}/_sandbox/messages", sandbox.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let channel = all["channels"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["channelName"] == "General")
        .map(|c| c["messages"].as_array().unwrap().clone())
        .unwrap_or_default();
    let chat = all["chats"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| {
            c["members"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m == "adele.vance@contoso.onmicrosoft.com")
        })
        .map(|c| c["messages"].as_array().unwrap().clone())
        .unwrap_or_default();
    (channel, chat)
}

fn card_text(stored: &Value) -> String {
    stored["message"]["attachments"][0]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn control(sandbox: &Sandbox, method: reqwest::Method, path: &str, body: Value) {
    let response = reqwest::Client::new()
        .request(method, format!("{}{path}", sandbox.url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}: {response:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_replies_in_the_thread_and_updates_the_chat_card_then_the_fix_is_announced() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    core.workflows()
        .save(None, workflow(&s, OnChange::Follow, true))
        .unwrap();
    import_ok(
        core,
        &write_report(dir.path(), &[("a", "SQL injection in search", "high", 3)]),
    );
    send_all(&s.t).await;
    let (channel, chat) = held(&s.sandbox).await;
    assert_eq!((channel.len(), chat.len()), (1, 1));
    let root = channel[0]["id"].as_str().unwrap().to_string();
    let card = chat[0]["id"].as_str().unwrap().to_string();

    // The next scan: worse and moved. One reply in the thread, the chat's card edited.
    import_ok(
        core,
        &write_report(
            dir.path(),
            &[("a", "SQL injection in search", "critical", 9)],
        ),
    );
    send_all(&s.t).await;
    let (channel, chat) = held(&s.sandbox).await;
    assert_eq!(channel.len(), 2, "exactly one reply, no new thread");
    assert_eq!(channel[1]["replyToId"], root.as_str());
    let reply = card_text(&channel[1]);
    assert!(reply.contains("Severity high → critical"), "{reply}");
    assert!(reply.contains("src/a.py:3 → src/a.py:9"), "{reply}");
    assert_eq!(
        chat.len(),
        1,
        "the chat's card is updated, not posted again"
    );
    assert_eq!(chat[0]["id"], card.as_str());
    assert!(!chat[0]["message"]["lastEditedDateTime"].is_null());
    assert!(card_text(&chat[0]).contains("CRITICAL"));

    // The scan after that no longer reports it: "Fixed" in both places.
    import_ok(core, &write_report(dir.path(), &[FILLER]));
    send_all(&s.t).await;
    let (channel, chat) = held(&s.sandbox).await;
    assert_eq!(channel.len(), 3);
    assert_eq!(channel[2]["replyToId"], root.as_str());
    assert!(card_text(&channel[2]).contains("FIXED"));
    assert_eq!(chat.len(), 1);
    assert!(card_text(&chat[0]).contains("FIXED"));

    // The app shows both conversations, step by step.
    let conversations = core.outbox().conversations("a").unwrap();
    assert_eq!(conversations.len(), 2);
    let actions = |place: &str| -> Vec<Option<DeliveryAction>> {
        conversations
            .iter()
            .find(|c| c.place.contains(place))
            .unwrap()
            .steps
            .iter()
            .map(|s| s.action)
            .collect()
    };
    use DeliveryAction::*;
    assert_eq!(
        actions("General"),
        [Some(Posted), Some(Replied), Some(Replied)]
    );
    assert_eq!(
        actions("Adele"),
        [Some(Posted), Some(Updated), Some(Updated)]
    );

    // A fix is announced once: importing the same scan again sends nothing more.
    import_ok(core, &write_report(dir.path(), &[FILLER]));
    send_all(&s.t).await;
    assert_eq!(held(&s.sandbox).await.0.len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn new_messages_when_asked_and_fixes_only_where_a_message_is() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    let mut definition = workflow(&s, OnChange::New, true);
    definition.recipients = vec![s.channel.clone()];
    core.workflows().save(None, definition).unwrap();
    import_ok(
        core,
        &write_report(
            dir.path(),
            &[
                ("a", "XSS in profile", "high", 1),
                ("b", "Weak hash", "low", 1),
            ],
        ),
    );
    send_all(&s.t).await;
    import_ok(
        core,
        &write_report(
            dir.path(),
            &[
                ("a", "XSS in profile", "critical", 1),
                ("b", "Weak hash", "low", 1),
            ],
        ),
    );
    send_all(&s.t).await;
    let (channel, _) = held(&s.sandbox).await;
    assert_eq!(channel.len(), 2);
    assert!(
        channel.iter().all(|m| m["replyToId"].is_null()),
        "\"new\" starts a new thread each time"
    );
    // Both fixed: only a, which has a message in the channel, is announced there.
    import_ok(core, &write_report(dir.path(), &[FILLER]));
    send_all(&s.t).await;
    let (channel, _) = held(&s.sandbox).await;
    assert_eq!(channel.len(), 3);
    assert!(card_text(&channel[2]).contains("XSS in profile"));
    assert!(card_text(&channel[2]).contains("FIXED"));
}

#[tokio::test(flavor = "multi_thread")]
async fn without_announcing_fixes_a_fix_stays_quiet() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    core.workflows()
        .save(None, workflow(&s, OnChange::Follow, false))
        .unwrap();
    import_ok(
        core,
        &write_report(dir.path(), &[("a", "Open redirect", "high", 1)]),
    );
    send_all(&s.t).await;
    import_ok(core, &write_report(dir.path(), &[FILLER]));
    assert_eq!(core.issues().get("a").unwrap().state, IssueState::Fixed);
    assert_eq!(core.outbox().deliveries(100).unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_first_message_falls_back_to_a_new_one_and_an_edit_whose_answer_was_lost_is_repeated()
 {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    core.workflows()
        .save(None, workflow(&s, OnChange::Follow, true))
        .unwrap();
    import_ok(
        core,
        &write_report(dir.path(), &[("a", "Path traversal", "high", 1)]),
    );
    send_all(&s.t).await;
    let (_, chat) = held(&s.sandbox).await;
    let first = chat[0]["id"].as_str().unwrap().to_string();

    // The edit arrives, but its answer is lost: the retry edits again, nothing is posted twice.
    control(
        &s.sandbox,
        reqwest::Method::POST,
        "/_sandbox/faults",
        json!({ "method": "PATCH", "path": "/v1.0/chats/*/messages/*", "lose_reply": "status", "status": 504 }),
    )
    .await;
    import_ok(
        core,
        &write_report(dir.path(), &[("a", "Path traversal", "critical", 1)]),
    );
    send_all(&s.t).await;
    let (channel, chat) = held(&s.sandbox).await;
    assert_eq!(chat.len(), 1);
    assert!(card_text(&chat[0]).contains("CRITICAL"));
    assert_eq!(channel.len(), 2);
    let deliveries = core.outbox().issue_deliveries("a").unwrap();
    assert!(
        deliveries
            .iter()
            .all(|d| d.status == ox_teams_core::outbox::DeliveryStatus::Sent),
        "{deliveries:?}"
    );

    // Adele deletes the card in Teams: the next change posts a new one, which becomes the
    // place's first message from then on.
    control(
        &s.sandbox,
        reqwest::Method::DELETE,
        &format!("/_sandbox/messages/{first}"),
        json!({}),
    )
    .await;
    import_ok(
        core,
        &write_report(dir.path(), &[("a", "Path traversal", "critical", 7)]),
    );
    send_all(&s.t).await;
    let (_, chat) = held(&s.sandbox).await;
    assert_eq!(chat.len(), 2, "a new message after the deleted one");
    let conversation = core
        .outbox()
        .conversations("a")
        .unwrap()
        .into_iter()
        .find(|c| c.place.contains("Adele"))
        .unwrap();
    assert!(!conversation.gone);
    assert_eq!(
        conversation.steps.last().unwrap().action,
        Some(DeliveryAction::Posted)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_persons_send_replies_in_the_thread_of_a_finding_already_in_the_channel() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    import_ok(core, &write_report(dir.path(), &[("a", "SSRF", "high", 1)]));
    let send = |comment: &str| SendRequest {
        issue_id: "a".into(),
        recipients: vec![s.channel.clone(), s.adele.clone()],
        comment: comment.into(),
        identity: Default::default(),
        as_group: false,
        owners: Default::default(),
        mentions: Vec::new(),
    };
    core.outbox().send(&send("first look")).unwrap();
    send_all(&s.t).await;
    // The pre-send check says where the message follows an earlier one.
    let preview = core
        .outbox()
        .preview(&send("confirmed, fixing"))
        .await
        .unwrap();
    let follows: Vec<Option<&str>> = preview
        .recipients
        .iter()
        .map(|r| r.follows.as_deref())
        .collect();
    assert!(
        follows[0].is_some_and(|f| f.contains("replied in the thread")),
        "{follows:?}"
    );
    assert_eq!(follows[1], None, "a chat gets a new message");
    core.outbox().send(&send("confirmed, fixing")).unwrap();
    send_all(&s.t).await;
    let (channel, chat) = held(&s.sandbox).await;
    assert_eq!(channel.len(), 2);
    assert_eq!(channel[1]["replyToId"], channel[0]["id"]);
    assert!(card_text(&channel[1]).contains("confirmed, fixing"));
    // In a chat a person's send is a new message: an edit would not notify.
    assert_eq!(chat.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn reactions_and_replies_come_back_and_acknowledge_the_finding() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    core.workflows()
        .save(None, workflow(&s, OnChange::Follow, true))
        .unwrap();
    import_ok(
        core,
        &write_report(
            dir.path(),
            &[
                ("a", "RCE in upload", "critical", 1),
                ("b", "CSRF", "high", 1),
            ],
        ),
    );
    send_all(&s.t).await;
    let unanswered = IssueFilter {
        unacknowledged: true,
        ..IssueFilter::default()
    };
    assert_eq!(core.issues().list(&unanswered, 0, 10).unwrap().total, 2);
    let (_, chat) = held(&s.sandbox).await;
    let about_a = chat
        .iter()
        .find(|m| card_text(m).contains("RCE in upload"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let adele = "adele.vance@contoso.onmicrosoft.com";
    control(
        &s.sandbox,
        reqwest::Method::POST,
        &format!("/_sandbox/messages/{about_a}/reactions"),
        json!({ "user": adele, "reaction": "like" }),
    )
    .await;
    let report = core.outbox().read_answers().await.unwrap();
    assert_eq!(report.new, 1, "{report:?}");
    assert_eq!(
        report.unreadable_threads, 2,
        "channel threads need ChannelMessage.Read.All"
    );
    let issue = core.issues().get("a").unwrap();
    assert_eq!(issue.acknowledged_by.as_deref(), Some("Adele Vance"));
    assert_eq!(core.issues().list(&unanswered, 0, 10).unwrap().total, 1);

    // A digest that leaves out what someone already answered lists only b.
    let mut digest = workflow(&s, OnChange::Follow, true);
    digest.name = "Unanswered".into();
    digest.recipients = vec![s.channel.clone()];
    digest.apply_to = ApplyTo::Periodic;
    digest.schedule = Some(Schedule {
        every: Every::Hours { hours: 1 },
        time_zone: "UTC".into(),
    });
    digest.skip_acknowledged = true;
    core.workflows().save(None, digest).unwrap();
    core.workflows().run_due().unwrap();
    s.t.clock.advance(Duration::from_secs(2 * 3600));
    let runs = core.workflows().run_due().unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].matched, 1, "{runs:?}");

    // A reply in the chat belongs to the latest finding's message before it.
    let last = chat.last().unwrap()["id"].as_str().unwrap().to_string();
    control(
        &s.sandbox,
        reqwest::Method::POST,
        &format!("/_sandbox/messages/{last}/replies"),
        json!({ "user": adele, "text": "on it" }),
    )
    .await;
    let report = core.outbox().read_answers().await.unwrap();
    assert_eq!(report.new, 1);
    // Reading again finds nothing new.
    assert_eq!(core.outbox().read_answers().await.unwrap().new, 0);
    let last_issue = if card_text(chat.last().unwrap()).contains("CSRF") {
        "b"
    } else {
        "a"
    };
    let conversation = core
        .outbox()
        .conversations(last_issue)
        .unwrap()
        .into_iter()
        .find(|c| c.place.contains("Adele"))
        .unwrap();
    let said: Vec<(String, String)> = conversation
        .answers
        .iter()
        .map(|a| (a.person.clone(), a.content.clone()))
        .filter(|(_, c)| c == "on it")
        .collect();
    assert_eq!(said, [("Adele Vance".to_string(), "on it".to_string())]);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_optional_permission_answers_in_channel_threads_come_back_too() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    let mut definition = workflow(&s, OnChange::Follow, true);
    definition.recipients = vec![s.channel.clone()];
    core.workflows().save(None, definition).unwrap();
    import_ok(
        core,
        &write_report(dir.path(), &[("a", "Secrets in logs", "high", 1)]),
    );
    send_all(&s.t).await;
    let (channel, _) = held(&s.sandbox).await;
    let root = channel[0]["id"].as_str().unwrap().to_string();
    let adele = "adele.vance@contoso.onmicrosoft.com";
    control(
        &s.sandbox,
        reqwest::Method::POST,
        &format!("/_sandbox/messages/{root}/replies"),
        json!({ "user": adele, "text": "mine, fixing today" }),
    )
    .await;
    control(
        &s.sandbox,
        reqwest::Method::POST,
        &format!("/_sandbox/messages/{root}/reactions"),
        json!({ "user": adele, "reaction": "heart" }),
    )
    .await;
    assert_eq!(
        core.outbox().read_answers().await.unwrap(),
        ox_teams_core::outbox::AnswersReport {
            read: 0,
            new: 0,
            unreadable_threads: 1
        }
    );

    // Megan adds the optional permission (incremental consent); now the thread is read.
    sign_in_as(
        core,
        "megan.bowen@contoso.onmicrosoft.com",
        Decision::Accept,
        Some(vec!["ChannelMessage.Read.All".into()]),
    )
    .await
    .unwrap();
    let report = core.outbox().read_answers().await.unwrap();
    assert_eq!((report.read, report.new), (1, 2), "{report:?}");
    let answers = &core.outbox().conversations("a").unwrap()[0].answers;
    let said: Vec<(&str, &str)> = answers
        .iter()
        .map(|a| (a.person.as_str(), a.content.as_str()))
        .collect();
    assert!(
        said.contains(&("Adele Vance", "mine, fixing today")),
        "{said:?}"
    );
    // Graph leaves a reacting person's name empty: it is "Someone" unless the app knows them.
    assert!(said.iter().any(|(_, c)| *c == "❤️"), "{said:?}");
    assert_eq!(
        core.issues().get("a").unwrap().acknowledged_by.as_deref(),
        Some("Adele Vance")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chosen_existing_chat_gets_its_card_edited_too() {
    let s = setup().await;
    let core = &s.t.core;
    let dir = tempfile::tempdir().unwrap();
    let chat = core
        .directory()
        .chats(ox_teams_core::directory::Freshness::Recent)
        .await
        .unwrap()
        .items
        .remove(0);
    let mut definition = workflow(&s, OnChange::Follow, true);
    definition.recipients = vec![chat.recipient.clone()];
    core.workflows().save(None, definition).unwrap();
    import_ok(
        core,
        &write_report(dir.path(), &[("a", "Weak TLS settings", "high", 1)]),
    );
    send_all(&s.t).await;
    import_ok(
        core,
        &write_report(dir.path(), &[("a", "Weak TLS settings", "critical", 1)]),
    );
    send_all(&s.t).await;
    let all = ox_teams_tests::sandbox_messages(s.sandbox.url()).await;
    let messages = all["chats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == chat.id.as_str())
        .unwrap()["messages"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(messages.len(), 1, "edited in place, not posted again");
    assert!(!messages[0]["message"]["lastEditedDateTime"].is_null());
    assert!(card_text(&messages[0]).contains("CRITICAL"));
}
