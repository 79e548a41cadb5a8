//! Sending issues to Teams through the durable outbox, against the sandbox: one message per
//! recipient with the card, throttling waited out, a deleted channel reported, a lost grant
//! paused and resumed, and a crash in the middle of a send that neither loses nor repeats.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ox_teams_core::ErrorCode;
use ox_teams_core::bot::Identity;
use ox_teams_core::clock::Clock;
use ox_teams_core::issues::{CancelFlag, IssueFilter};
use ox_teams_core::outbox::{DeliveryStatus, Recipient, SendRequest};
use ox_teams_core::secrets::{MemoryStore, SecretError};
use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use ox_teams_tests::browser::Decision;
use ox_teams_tests::{
    TestCore, channel, core_against, open_core_with, person, sandbox_control, sandbox_messages,
    sarif_samples, sign_in_as,
};
use serde_json::{Value, json};

const CLIENT_ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const MEGAN: &str = "megan.bowen@contoso.onmicrosoft.com";

struct Setup {
    sandbox: Sandbox,
    t: TestCore,
    issue_id: String,
    issue_title: String,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap();
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
    sign_in_as(&t.core, MEGAN, Decision::Accept, None)
        .await
        .unwrap();
    let file: PathBuf = sarif_samples().join("semgrep-generated.sarif");
    t.core
        .issues()
        .import(&[file], &mut |_| {}, &CancelFlag::default())
        .unwrap();
    let issue = t
        .core
        .issues()
        .list(&IssueFilter::default(), 0, 1)
        .unwrap()
        .issues
        .remove(0);
    Setup {
        sandbox,
        t,
        issue_id: issue.id,
        issue_title: issue.title,
    }
}

async fn messages(sandbox: &Sandbox) -> Value {
    sandbox_messages(sandbox.url()).await
}

/// Every message the sandbox holds, as (place, card JSON).
async fn cards(sandbox: &Sandbox) -> Vec<(String, Value)> {
    let all = messages(sandbox).await;
    let mut found = Vec::new();
    for (kind, name) in [("channels", "channelName"), ("chats", "id")] {
        for place in all[kind].as_array().into_iter().flatten() {
            for message in place["messages"].as_array().into_iter().flatten() {
                let message = if message["message"].is_object() {
                    &message["message"]
                } else {
                    message
                };
                let card = message["attachments"][0]["content"]
                    .as_str()
                    .map(|c| serde_json::from_str(c).unwrap())
                    .unwrap_or(Value::Null);
                found.push((place[name].as_str().unwrap_or_default().to_string(), card));
            }
        }
    }
    found
}

async fn control(sandbox: &Sandbox, path: &str, body: Value) {
    sandbox_control(sandbox.url(), path, body).await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_issue_reaches_a_channel_and_a_person_once_each_with_its_card_and_comment() {
    let s = setup().await;
    let core = &s.t.core;
    let alerts = channel(core, "Security Operations", "General").await;
    let adele = person(core, "adele").await;
    let request = SendRequest {
        issue_id: s.issue_id.clone(),
        recipients: vec![alerts.clone(), adele.clone(), adele.clone()],
        comment: "Can you take this one *today*?".into(),
        identity: Default::default(),
        as_group: false,
        owners: Default::default(),
        mentions: Vec::new(),
    };

    let preview = core.outbox().preview(&request).await.unwrap();
    assert!(preview.blocking.is_empty(), "{:?}", preview.blocking);
    assert_eq!(preview.recipients.len(), 2, "the same person counts once");
    assert!(preview.recipients.iter().all(|r| r.problem.is_none()));
    assert!(preview.composition.size_bytes < preview.composition.limit_bytes);

    let queued = core.outbox().send(&request).unwrap();
    assert_eq!(queued.deliveries.len(), 2);
    assert!(
        queued
            .deliveries
            .iter()
            .all(|d| d.status == DeliveryStatus::Queued)
    );
    let report = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(
        (report.sent, report.failed, report.retrying),
        (2, 0, 0),
        "{report:?}"
    );

    let cards = cards(&s.sandbox).await;
    assert_eq!(cards.len(), 2, "exactly two messages: {cards:?}");
    for (_, card) in &cards {
        assert_eq!(card["version"], "1.5");
        let text = card.to_string();
        assert!(
            text.contains("Can you take this one \\\\*today\\\\*?"),
            "escaped comment: {text}"
        );
        assert!(text.contains("Comment from Megan Bowen"), "{text}");
        let open = card["actions"][0]["url"].as_str().unwrap();
        assert!(
            open.starts_with(&format!("ox-teams://issues/{}", s.issue_id)),
            "{open}"
        );
    }
    assert!(cards.iter().any(|(place, _)| place == "General"));

    let activity = core.outbox().deliveries(50).unwrap();
    assert_eq!(activity.len(), 2);
    for delivery in &activity {
        assert_eq!(delivery.status, DeliveryStatus::Sent, "{delivery:?}");
        assert_eq!(delivery.issue_title, s.issue_title);
        assert!(
            delivery
                .web_url
                .as_deref()
                .unwrap_or_default()
                .starts_with("http")
        );
        assert_eq!(delivery.attempts, 1);
    }
    let about_issue = core.outbox().issue_deliveries(&s.issue_id).unwrap();
    assert_eq!(about_issue.len(), 2, "the issue's detail pane lists both");
    assert!(
        core.outbox()
            .issue_deliveries("another-issue")
            .unwrap()
            .is_empty()
    );
    // Nothing is left to send, and a second pass sends nothing again.
    let again = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(again.sent, 0);
    assert_eq!(self::cards(&s.sandbox).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_storm_is_waited_out_as_microsoft_asks_and_the_message_arrives_once() {
    let s = setup().await;
    let core = &s.t.core;
    let alerts = channel(core, "Security Operations", "General").await;
    control(
        &s.sandbox,
        "faults",
        json!({ "method": "POST", "path": "/v1.0/teams/*/channels/*/messages", "status": 429,
                "retry_after": 7, "count": 6 }),
    )
    .await;
    let queued = core
        .outbox()
        .send(&SendRequest {
            issue_id: s.issue_id.clone(),
            recipients: vec![alerts],
            comment: String::new(),
            identity: Default::default(),
            as_group: false,
            owners: Default::default(),
            mentions: Vec::new(),
        })
        .unwrap();
    let id = &queued.deliveries[0].id;

    let first = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(first.retrying, 1, "{first:?}");
    let waiting = core.outbox().delivery(id).unwrap();
    assert_eq!(waiting.status, DeliveryStatus::Retrying);
    assert_eq!(waiting.problem.as_ref().unwrap().code, ErrorCode::Throttled);
    let due_in = waiting.next_attempt_at - s.t.clock.now();
    assert_eq!(due_in.num_seconds(), 7, "Retry-After decides when");
    // Not due yet: nothing is sent early.
    assert_eq!(core.outbox().dispatch(100).await.unwrap().sent, 0);

    s.t.clock.advance(Duration::from_secs(7));
    let second = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(second.sent, 1, "{second:?}");
    assert_eq!(cards(&s.sandbox).await.len(), 1);
    let sent = core.outbox().delivery(id).unwrap();
    assert_eq!(sent.status, DeliveryStatus::Sent);
    assert_eq!(sent.attempts, 2);
    // Every wait honoured Retry-After exactly.
    assert!(
        s.t.clock
            .sleeps()
            .iter()
            .all(|d| *d == Duration::from_secs(7)),
        "{:?}",
        s.t.clock.sleeps()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_channel_fails_with_the_reason_and_the_other_recipients_still_get_it() {
    let s = setup().await;
    let core = &s.t.core;
    let alerts = channel(core, "Security Operations", "General").await;
    let Recipient::Channel {
        team_id,
        channel_id,
        ..
    } = &alerts
    else {
        unreachable!()
    };
    let response = reqwest::Client::new()
        .delete(format!(
            "{}/_sandbox/teams/{team_id}/channels/{channel_id}",
            s.sandbox.url()
        ))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let adele = person(core, "adele").await;
    let request = SendRequest {
        issue_id: s.issue_id.clone(),
        recipients: vec![alerts, adele],
        comment: String::new(),
        identity: Default::default(),
        as_group: false,
        owners: Default::default(),
        mentions: Vec::new(),
    };

    let preview = core.outbox().preview(&request).await.unwrap();
    let gone = preview
        .recipients
        .iter()
        .find(|r| r.key.starts_with("channel:"))
        .unwrap();
    assert_eq!(gone.problem.as_ref().unwrap().code, ErrorCode::NotFound);

    core.outbox().send(&request).unwrap();
    let report = core.outbox().dispatch(100).await.unwrap();
    assert_eq!((report.sent, report.failed), (1, 1), "{report:?}");
    let activity = core.outbox().deliveries(10).unwrap();
    let failed = activity
        .iter()
        .find(|d| d.status == DeliveryStatus::Failed)
        .unwrap();
    assert_eq!(
        failed.problem.as_ref().unwrap().message,
        "The channel “General” in Security Operations no longer exists, or you are no longer a member of it."
    );
    assert_eq!(failed.attempts, 1, "a permanent failure is not retried");
    assert_eq!(cards(&s.sandbox).await.len(), 1);

    // Resending is allowed for a failed delivery and fails the same way, honestly.
    core.outbox().resend(&failed.id).unwrap();
    // The sandbox, like Teams, allows one post a second per channel and person.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let report = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(
        report.failed,
        1,
        "{report:?} {:?}",
        core.outbox().delivery(&failed.id)
    );
    let sent = activity
        .iter()
        .find(|d| d.status == DeliveryStatus::Sent)
        .unwrap();
    assert_eq!(
        core.outbox().resend(&sent.id).unwrap_err().code(),
        ErrorCode::InvalidRequest
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_grant_pauses_sending_and_reconnecting_sends_everything_waiting() {
    let s = setup().await;
    let core = &s.t.core;
    let adele = person(core, "adele").await;
    let alex = person(core, "alex").await;
    core.outbox()
        .send(&SendRequest {
            issue_id: s.issue_id.clone(),
            recipients: vec![adele, alex],
            comment: String::new(),
            identity: Default::default(),
            as_group: false,
            owners: Default::default(),
            mentions: Vec::new(),
        })
        .unwrap();
    control(&s.sandbox, &format!("users/{MEGAN}/revoke"), json!({})).await;
    // The access token in hand still works until it expires; move past it (both clocks, so
    // the next ID token is current for the app).
    s.t.clock.advance(Duration::from_secs(2 * 3600));
    control(&s.sandbox, "clock", json!({ "seconds": 2 * 3600 })).await;

    let report = core.outbox().dispatch(100).await.unwrap();
    let paused = report.paused.expect("paused");
    assert_eq!(paused.code, ErrorCode::GrantExpired, "{paused:?}");
    assert_eq!(report.sent, 0);
    let activity = core.outbox().deliveries(10).unwrap();
    assert!(
        activity.iter().all(|d| d.status == DeliveryStatus::Paused),
        "{activity:?}"
    );
    assert!(
        activity[0]
            .problem
            .as_ref()
            .unwrap()
            .message
            .starts_with("Reconnect needed"),
        "{activity:?}"
    );
    assert!(cards(&s.sandbox).await.is_empty());

    sign_in_as(core, MEGAN, Decision::Accept, None)
        .await
        .unwrap();
    let report = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    assert_eq!(cards(&s.sandbox).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn another_person_connecting_holds_what_the_first_queued_until_someone_decides() {
    const ADELE: &str = "adele.vance@contoso.onmicrosoft.com";
    let s = setup().await;
    let core = &s.t.core;
    // Megan consents for the organisation, so Adele can connect with every permission.
    sign_in_as(core, MEGAN, Decision::AcceptForOrganization, None)
        .await
        .unwrap();
    let queue = |recipients: Vec<Recipient>| SendRequest {
        issue_id: s.issue_id.clone(),
        recipients,
        comment: String::new(),
        identity: Default::default(),
        as_group: false,
        owners: Default::default(),
        mentions: Vec::new(),
    };
    let alex = person(core, "alex").await;
    let diego = person(core, "diego").await;
    core.outbox()
        .send(&queue(vec![alex.clone(), diego]))
        .unwrap();

    sign_in_as(core, ADELE, Decision::Accept, None)
        .await
        .unwrap();
    let report = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(report.sent, 0, "nothing goes out as Adele unasked");
    assert!(cards(&s.sandbox).await.is_empty());
    let activity = core.outbox().deliveries(10).unwrap();
    assert!(
        activity.iter().all(|d| d.status == DeliveryStatus::Held),
        "{activity:?}"
    );
    let problem = activity[0].problem.clone().unwrap();
    assert_eq!(problem.code, ErrorCode::AccountChanged);
    let held = core.outbox().held().unwrap().unwrap();
    assert_eq!(held.count, 2);
    assert!(
        held.reason.contains(MEGAN) && held.reason.contains(ADELE),
        "{}",
        held.reason
    );

    // Adele sends them as herself.
    assert_eq!(core.outbox().release_held(true).unwrap(), 2);
    assert!(core.outbox().held().unwrap().is_none());
    let report = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(report.sent, 2, "{report:?}");

    // Queued by Adele, then Megan connects again and discards it.
    core.outbox().send(&queue(vec![alex])).unwrap();
    sign_in_as(core, MEGAN, Decision::Accept, None)
        .await
        .unwrap();
    assert_eq!(core.outbox().held().unwrap().unwrap().count, 1);
    assert_eq!(core.outbox().release_held(false).unwrap(), 1);
    let newest = &core.outbox().deliveries(1).unwrap()[0];
    assert_eq!(newest.status, DeliveryStatus::Failed);
    assert!(
        newest
            .problem
            .as_ref()
            .unwrap()
            .message
            .contains("discarded")
    );
    assert_eq!(core.outbox().dispatch(100).await.unwrap().sent, 0);
    assert_eq!(cards(&s.sandbox).await.len(), 2);
}

/// The app dies after Teams took the message but before it heard back. On the next start a
/// chat is asked first: the message is found and marked sent, not posted again. A channel
/// cannot be read back with the app's permissions: the person is told, and nothing is repeated.
#[tokio::test(flavor = "multi_thread")]
async fn a_crash_in_the_middle_of_a_send_neither_loses_nor_repeats_the_message() {
    let s = setup().await;
    let adele = person(&s.t.core, "adele").await;
    let alerts = channel(&s.t.core, "Security Operations", "General").await;
    let restarted = open_core_with(s.t.dir.path(), s.t.secrets.clone());
    let in_chats =
        |posted: &[(String, Value)]| posted.iter().filter(|(p, _)| p.starts_with("19:")).count();

    // To a person: POST /chats answers after 3 s, then the message POST is handled at once
    // and its answer would come 3 s later; the "crash" comes in between.
    let queued =
        s.t.core
            .outbox()
            .send(&SendRequest {
                issue_id: s.issue_id.clone(),
                recipients: vec![adele],
                comment: "Before the crash".into(),
                identity: Default::default(),
                as_group: false,
                owners: Default::default(),
                mentions: Vec::new(),
            })
            .unwrap();
    control(&s.sandbox, "latency", json!({ "ms": 3000, "after": true })).await;
    let crashed =
        tokio::time::timeout(Duration::from_millis(4500), s.t.core.outbox().dispatch(100)).await;
    assert!(
        crashed.is_err(),
        "the dispatcher should still have been waiting"
    );
    control(&s.sandbox, "latency", json!({ "ms": 0 })).await;
    assert_eq!(
        in_chats(&cards(&s.sandbox).await),
        1,
        "Teams took the message before the crash"
    );
    assert_eq!(
        restarted
            .outbox()
            .delivery(&queued.deliveries[0].id)
            .unwrap()
            .status,
        DeliveryStatus::Sending
    );

    let report = restarted.outbox().dispatch(100).await.unwrap();
    let delivery = restarted
        .outbox()
        .delivery(&queued.deliveries[0].id)
        .unwrap();
    assert_eq!(
        delivery.status,
        DeliveryStatus::Sent,
        "{report:?} {delivery:?}"
    );
    assert!(delivery.web_url.is_some());
    assert_eq!(
        in_chats(&cards(&s.sandbox).await),
        1,
        "the person got it exactly once"
    );

    // To a channel.
    let queued =
        s.t.core
            .outbox()
            .send(&SendRequest {
                issue_id: s.issue_id.clone(),
                recipients: vec![alerts],
                comment: "Before the second crash".into(),
                identity: Default::default(),
                as_group: false,
                owners: Default::default(),
                mentions: Vec::new(),
            })
            .unwrap();
    control(&s.sandbox, "latency", json!({ "ms": 3000, "after": true })).await;
    let crashed =
        tokio::time::timeout(Duration::from_millis(1500), s.t.core.outbox().dispatch(100)).await;
    assert!(crashed.is_err());
    control(&s.sandbox, "latency", json!({ "ms": 0 })).await;
    let report = restarted.outbox().dispatch(100).await.unwrap();
    assert_eq!(report.unconfirmed, 1, "{report:?}");
    let delivery = restarted
        .outbox()
        .delivery(&queued.deliveries[0].id)
        .unwrap();
    assert_eq!(delivery.status, DeliveryStatus::Unconfirmed);
    let problem = delivery.problem.unwrap();
    assert_eq!(problem.code, ErrorCode::SendInterrupted);
    assert!(
        problem.message.contains("Look in the channel"),
        "{}",
        problem.message
    );
    let posted = cards(&s.sandbox).await;
    assert_eq!(
        posted.len() - in_chats(&posted),
        1,
        "the channel got it exactly once"
    );
    assert_eq!(
        restarted.outbox().dispatch(100).await.unwrap(),
        Default::default(),
        "nothing more happens by itself"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_dispatcher_per_data_folder_the_other_is_told_it_is_busy() {
    let s = setup().await;
    let adele = person(&s.t.core, "adele").await;
    s.t.core
        .outbox()
        .send(&SendRequest {
            issue_id: s.issue_id.clone(),
            recipients: vec![adele],
            comment: String::new(),
            identity: Default::default(),
            as_group: false,
            owners: Default::default(),
            mentions: Vec::new(),
        })
        .unwrap();
    control(&s.sandbox, "latency", json!({ "ms": 1500 })).await;
    let second = open_core_with(s.t.dir.path(), s.t.secrets.clone());
    let (first, other) = tokio::join!(s.t.core.outbox().dispatch(100), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        second.outbox().dispatch(100).await
    });
    assert_eq!(first.unwrap().sent, 1);
    assert!(other.unwrap().busy);
    assert_eq!(cards(&s.sandbox).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_is_queued_without_recipients_and_a_long_comment_is_trimmed_visibly() {
    let s = setup().await;
    let core = &s.t.core;
    let error = core
        .outbox()
        .send(&SendRequest {
            issue_id: s.issue_id.clone(),
            recipients: vec![],
            comment: String::new(),
            identity: Default::default(),
            as_group: false,
            owners: Default::default(),
            mentions: Vec::new(),
        })
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidRequest);
    assert!(core.outbox().deliveries(10).unwrap().is_empty());

    let adele = person(core, "adele").await;
    let preview = core
        .outbox()
        .preview(&SendRequest {
            issue_id: s.issue_id.clone(),
            recipients: vec![adele],
            comment: "A very long note. ".repeat(2000),
            identity: Default::default(),
            as_group: false,
            owners: Default::default(),
            mentions: Vec::new(),
        })
        .await
        .unwrap();
    assert!(preview.composition.size_bytes <= preview.composition.limit_bytes);
    assert!(
        preview
            .composition
            .trimmed
            .iter()
            .any(|t| t.starts_with("The comment")),
        "{:?}",
        preview.composition.trimmed
    );
}

/// The card's budget follows the sender: a comment that Graph's ~28 KB cannot carry fits in a
/// message from the bot (~100 KB), so nothing is trimmed when the bot sends it.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_comment_sent_as_the_bot_gets_the_bot_connectors_budget() {
    let s = setup().await;
    let core = &s.t.core;
    let adele = person(core, "adele").await;
    let request = |identity| SendRequest {
        issue_id: s.issue_id.clone(),
        recipients: vec![adele.clone()],
        comment: "A long note from the review. ".repeat(1200),
        identity,
        as_group: false,
        owners: Default::default(),
        mentions: Vec::new(),
    };
    let as_user = core
        .outbox()
        .preview(&request(Identity::User))
        .await
        .unwrap();
    let as_bot = core
        .outbox()
        .preview(&request(Identity::Bot))
        .await
        .unwrap();
    assert!(as_user.composition.size_bytes <= 28 * 1024);
    assert!(!as_user.composition.trimmed.is_empty());
    assert!(as_bot.composition.size_bytes > 28 * 1024);
    assert!(as_bot.composition.size_bytes <= as_bot.composition.limit_bytes);
    assert!(
        as_bot.composition.trimmed.is_empty(),
        "{:?}",
        as_bot.composition.trimmed
    );
}

/// A locked keychain holds the person's deliveries with a sentence: no attempt is spent,
/// nothing is repeated eight times or sent elsewhere, and once the keychain opens they go out.
#[tokio::test(flavor = "multi_thread")]
async fn a_locked_keychain_holds_the_deliveries_until_it_opens() {
    let s = setup().await;
    let adele = person(&s.t.core, "adele").await;
    let locked = open_core_with(
        s.t.dir.path(),
        Arc::new(MemoryStore::failing(SecretError::Locked {
            detail: "the unlock prompt was dismissed".into(),
        })),
    );
    let queued = locked
        .outbox()
        .send(&SendRequest {
            issue_id: s.issue_id.clone(),
            recipients: vec![adele],
            comment: String::new(),
            identity: Default::default(),
            as_group: false,
            owners: Default::default(),
            mentions: Vec::new(),
        })
        .unwrap();
    let id = &queued.deliveries[0].id;
    for _ in 0..3 {
        let report = locked.outbox().dispatch(100).await.unwrap();
        let problem = report.paused.expect("held");
        assert_eq!(problem.code, ErrorCode::KeychainLocked);
        assert!(problem.message.contains("Unlock it"), "{}", problem.message);
        let delivery = locked.outbox().delivery(id).unwrap();
        assert_eq!(delivery.status, DeliveryStatus::Paused);
        assert_eq!(
            delivery.attempts, 0,
            "waiting for the keychain spends no attempt"
        );
    }
    assert!(cards(&s.sandbox).await.is_empty());

    let unlocked = open_core_with(s.t.dir.path(), s.t.secrets.clone());
    let report = unlocked.outbox().dispatch(100).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(cards(&s.sandbox).await.len(), 1);
}
