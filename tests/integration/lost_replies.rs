//! A message POST that Microsoft Teams carried out but whose reply never came back — a
//! gateway's 504, a dropped connection, a reply slower than the app waits — never becomes a
//! second message. A chat is read back before any second attempt, a group chat is looked up
//! before it is created again, and a channel or bot post that cannot be read back is marked
//! unconfirmed with a sentence. Each recipient holds exactly one message, and each delivery
//! says truthfully whether it was sent.

use std::time::Duration;

use ox_teams_core::ErrorCode;
use ox_teams_core::bot::{BotSetupDraft, BotState, Identity};
use ox_teams_core::http::HttpOptions;
use ox_teams_core::issues::{CancelFlag, IssueFilter};
use ox_teams_core::outbox::{DeliveryStatus, GroupMember, Recipient, SendRequest};
use ox_teams_core::secrets::Secret;
use ox_teams_sandbox::tenant::{DEFAULT_BOT_APP_ID, DEFAULT_BOT_SECRET};
use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use ox_teams_tests::browser::Decision;
use ox_teams_tests::{TestCore, connect_bot_as, core_against_with, sarif_samples, sign_in_as};
use serde_json::{Value, json};

const CLIENT_ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const MEGAN: &str = "megan.bowen@contoso.onmicrosoft.com";
/// How long the app waits for an answer in these tests; the "late" reply comes after it.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(2);

/// The three ways a reply is lost after Teams did the work.
fn gateway_timeout() -> Value {
    json!({ "lose_reply": "status", "status": 504 })
}
fn dropped_connection() -> Value {
    json!({ "lose_reply": "drop" })
}
fn late_reply() -> Value {
    json!({ "lose_reply": { "late": { "late_ms": 3500 } } })
}

struct Setup {
    sandbox: Sandbox,
    t: TestCore,
    issue_id: String,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap();
    let http = HttpOptions {
        timeout: CLIENT_TIMEOUT,
        ..HttpOptions::default()
    };
    let t = core_against_with(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID, http);
    t.core
        .issues()
        .import(
            &[sarif_samples().join("semgrep-generated.sarif")],
            &mut |_| {},
            &CancelFlag::default(),
        )
        .unwrap();
    let issue_id = t
        .core
        .issues()
        .list(&IssueFilter::default(), 0, 1)
        .unwrap()
        .issues
        .remove(0)
        .id;
    Setup {
        sandbox,
        t,
        issue_id,
    }
}

async fn signed_in() -> Setup {
    let s = setup().await;
    sign_in_as(&s.t.core, MEGAN, Decision::Accept, None)
        .await
        .unwrap();
    s
}

async fn control(s: &Setup, path: &str, body: Value) {
    ox_teams_tests::sandbox_control(s.sandbox.url(), path, body).await
}

/// The next matching call is handled, then its reply is lost as `loss` says.
async fn lose_next_reply(s: &Setup, method: &str, path: &str, loss: &Value) {
    let mut fault = json!({ "method": method, "path": path });
    for (key, value) in loss.as_object().unwrap() {
        fault[key] = value.clone();
    }
    control(s, "faults", fault).await;
}

async fn sandbox_messages(s: &Setup) -> Value {
    ox_teams_tests::sandbox_messages(s.sandbox.url()).await
}

/// How many messages each place holds, by kind: `chats` by topic (or id), `channels` by name,
/// `bot` by person.
async fn counts(s: &Setup, kind: &str) -> Vec<(String, usize)> {
    let all = sandbox_messages(s).await;
    all[kind]
        .as_array()
        .into_iter()
        .flatten()
        .map(|place| {
            let name = ["topic", "channelName", "user", "id"]
                .iter()
                .find_map(|k| place[*k].as_str())
                .unwrap_or_default()
                .to_string();
            (name, place["messages"].as_array().map_or(0, Vec::len))
        })
        .collect()
}

async fn person(s: &Setup, query: &str) -> Recipient {
    ox_teams_tests::person(&s.t.core, query).await
}

async fn channel(s: &Setup, team: &str, name: &str) -> Recipient {
    ox_teams_tests::channel(&s.t.core, team, name).await
}

fn send(s: &Setup, recipient: Recipient, identity: Identity) -> String {
    let queued =
        s.t.core
            .outbox()
            .send(&SendRequest {
                issue_id: s.issue_id.clone(),
                recipients: vec![recipient],
                comment: "Reply lost on the way back".into(),
                identity,
                as_group: false,
                owners: Default::default(),
                mentions: Vec::new(),
            })
            .unwrap();
    queued.deliveries[0].id.clone()
}

/// Lets the outbox's backoff pass.
fn later(s: &Setup) {
    s.t.clock.advance(Duration::from_secs(3600));
}

/// A person's chat, a group chat and a channel, as the signed-in person, with the reply to
/// each creating or posting call lost as `loss` says.
async fn user_posts_survive_a_lost_reply(loss: Value) {
    let s = signed_in().await;
    let core = &s.t.core;

    // A person: the message arrived; the next attempt reads the chat, finds it, posts nothing.
    let adele = person(&s, "adele").await;
    let id = send(&s, adele, Identity::User);
    lose_next_reply(&s, "POST", "/v1.0/chats/*/messages", &loss).await;
    let report = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(report.retrying, 1, "{report:?}");
    let delivery = core.outbox().delivery(&id).unwrap();
    assert_eq!(delivery.status, DeliveryStatus::Retrying);
    assert_eq!(delivery.problem.unwrap().code, ErrorCode::ReplyLost);
    assert_eq!(
        counts(&s, "chats").await.iter().map(|c| c.1).sum::<usize>(),
        1
    );
    later(&s);
    let report = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let delivery = core.outbox().delivery(&id).unwrap();
    assert_eq!(delivery.status, DeliveryStatus::Sent, "{delivery:?}");
    assert!(
        delivery.web_url.is_some(),
        "the found message's link is kept"
    );
    assert_eq!(
        counts(&s, "chats").await.iter().map(|c| c.1).sum::<usize>(),
        1,
        "Adele got the message exactly once"
    );

    // A group chat: it was created, the reply lost; the next attempt finds it instead of
    // creating a second chat with the same people.
    let people = ["lee", "nestor"];
    let mut members = Vec::new();
    for query in people {
        let Recipient::Person { user_id, name, .. } = person(&s, query).await else {
            unreachable!()
        };
        members.push(GroupMember { user_id, name });
    }
    let group = Recipient::GroupChat {
        people: members,
        topic: Some("Lost replies".into()),
    };
    let id = send(&s, group, Identity::User);
    lose_next_reply(&s, "POST", "/v1.0/chats", &loss).await;
    let report = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(report.retrying, 1, "{report:?}");
    later(&s);
    let report = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(
        core.outbox().delivery(&id).unwrap().status,
        DeliveryStatus::Sent
    );
    let groups: Vec<(String, usize)> = counts(&s, "chats")
        .await
        .into_iter()
        .filter(|(topic, _)| topic == "Lost replies")
        .collect();
    assert_eq!(
        groups,
        vec![("Lost replies".to_string(), 1)],
        "one chat, one message"
    );

    // A channel cannot be read back with the person's permissions: unconfirmed, never repeated.
    let general = channel(&s, "Security Operations", "General").await;
    let id = send(&s, general, Identity::User);
    lose_next_reply(&s, "POST", "/v1.0/teams/*/channels/*/messages", &loss).await;
    let report = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(report.unconfirmed, 1, "{report:?}");
    let delivery = core.outbox().delivery(&id).unwrap();
    assert_eq!(delivery.status, DeliveryStatus::Unconfirmed);
    let problem = delivery.problem.unwrap();
    assert_eq!(problem.code, ErrorCode::ReplyLost);
    assert!(
        problem
            .message
            .contains("cannot tell whether the post to Security Operations › General arrived")
            && problem.message.contains("Look in the channel"),
        "{}",
        problem.message
    );
    later(&s);
    core.outbox().dispatch(100).await.unwrap();
    assert_eq!(
        core.outbox().delivery(&id).unwrap().status,
        DeliveryStatus::Unconfirmed
    );
    assert_eq!(
        counts(&s, "channels").await,
        vec![("General".to_string(), 1)],
        "the channel got it exactly once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_timeout_after_the_post_is_not_a_second_message() {
    user_posts_survive_a_lost_reply(gateway_timeout()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_dropped_after_the_post_is_not_a_second_message() {
    user_posts_survive_a_lost_reply(dropped_connection()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_slower_than_the_app_waits_is_not_a_second_message() {
    user_posts_survive_a_lost_reply(late_reply()).await;
}

/// The bot cannot read its conversations back: a lost reply to a post is unconfirmed, while a
/// lost reply to starting a person's conversation is simply asked again (Teams answers with the
/// same conversation).
#[tokio::test(flavor = "multi_thread")]
async fn the_bot_never_posts_twice_after_a_lost_reply() {
    let s = setup().await;
    let core = &s.t.core;
    let (tenant_id, admin, with_app) = {
        let world = s.sandbox.world().lock().await;
        let t = &world.tenant;
        let with_app: Vec<String> = t
            .bot
            .installed_for_users
            .iter()
            .map(|u| t.users[*u].upn.clone())
            .collect();
        (t.id.clone(), t.users[t.admin()].upn.clone(), with_app)
    };
    core.bot()
        .save_setup(BotSetupDraft {
            app_id: DEFAULT_BOT_APP_ID.into(),
            tenant: tenant_id,
            secret: Some(Secret::new(DEFAULT_BOT_SECRET)),
        })
        .await
        .unwrap();
    let state = connect_bot_as(core, &admin, Decision::Accept)
        .await
        .unwrap();
    assert!(matches!(state, BotState::Connected { .. }), "{state:?}");
    let general = channel(&s, "Security Operations", "General").await;
    let losses = [gateway_timeout(), dropped_connection(), late_reply()];
    assert!(with_app.len() >= losses.len(), "{with_app:?}");

    for (loss, upn) in losses.iter().zip(&with_app) {
        // Starting the bot's first conversation with someone: asked again, the card arrives once.
        let adele = person(&s, upn).await;
        let before: usize = counts(&s, "bot").await.iter().map(|c| c.1).sum();
        let id = send(&s, adele.clone(), Identity::Bot);
        lose_next_reply(&s, "POST", "/v3/conversations", loss).await;
        let report = core.outbox().dispatch(100).await.unwrap();
        assert_eq!(report.retrying, 1, "{loss}: {report:?}");
        later(&s);
        let report = core.outbox().dispatch(100).await.unwrap();
        assert_eq!(report.sent, 1, "{loss}: {report:?}");
        assert_eq!(
            core.outbox().delivery(&id).unwrap().status,
            DeliveryStatus::Sent
        );
        let after: usize = counts(&s, "bot").await.iter().map(|c| c.1).sum();
        assert_eq!(after, before + 1, "{loss}: they got it once");

        // The card to Adele itself: unconfirmed, not repeated.
        let id = send(&s, adele.clone(), Identity::Bot);
        lose_next_reply(&s, "POST", "/v3/conversations/*/activities", loss).await;
        let report = core.outbox().dispatch(100).await.unwrap();
        assert_eq!(report.unconfirmed, 1, "{loss}: {report:?}");
        let problem = core.outbox().delivery(&id).unwrap().problem.unwrap();
        assert!(
            problem.message.contains("Look in Teams"),
            "{}",
            problem.message
        );
        later(&s);
        core.outbox().dispatch(100).await.unwrap();
        let now: usize = counts(&s, "bot").await.iter().map(|c| c.1).sum();
        assert_eq!(
            now,
            after + 1,
            "{loss}: the card arrived once and was not repeated"
        );

        // A channel thread: unconfirmed, not repeated.
        let before: usize = counts(&s, "channels").await.iter().map(|c| c.1).sum();
        let id = send(&s, general.clone(), Identity::Bot);
        lose_next_reply(&s, "POST", "/v3/conversations", loss).await;
        let report = core.outbox().dispatch(100).await.unwrap();
        assert_eq!(report.unconfirmed, 1, "{loss}: {report:?}");
        assert_eq!(
            core.outbox().delivery(&id).unwrap().status,
            DeliveryStatus::Unconfirmed
        );
        later(&s);
        core.outbox().dispatch(100).await.unwrap();
        let after: usize = counts(&s, "channels").await.iter().map(|c| c.1).sum();
        assert_eq!(after, before + 1, "{loss}: the channel got it once");
    }
}
