//! The Bot identity provider against the sandbox: admin consent and the verified setup, every
//! way connecting can fail, sending as the bot to a person and a channel (and a clear failure
//! where the app is not installed), installation coverage, throttling, a rejected secret that
//! pauses and resumes, and the Teams app package.

use std::time::Duration;

use ox_teams_core::ErrorCode;
use ox_teams_core::bot::{BotSetupDraft, BotState, Identity};
use ox_teams_core::clock::Clock;
use ox_teams_core::directory::Freshness;
use ox_teams_core::issues::{CancelFlag, IssueFilter};
use ox_teams_core::outbox::{DeliveryStatus, Recipient, SendRequest};
use ox_teams_core::secrets::Secret;
use ox_teams_core::settings::SettingKey;
use ox_teams_sandbox::tenant::{DEFAULT_BOT_APP_ID, DEFAULT_BOT_SECRET};
use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use ox_teams_tests::browser::Decision;
use ox_teams_tests::{TestCore, connect_bot_as, core_against, sarif_samples};
use serde_json::{Value, json};

const CLIENT_ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

struct Setup {
    sandbox: Sandbox,
    t: TestCore,
    tenant_id: String,
    admin: String,
    /// People the app is not installed for.
    without_app: Vec<(String, String)>,
    issue_id: String,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap();
    let (tenant_id, admin, without_app) = {
        let world = sandbox.world().lock().await;
        let t = &world.tenant;
        let without: Vec<(String, String)> = (0..t.users.len())
            .filter(|u| !t.bot.installed_for_users.contains(u))
            .map(|u| (t.users[u].upn.clone(), t.users[u].display_name.clone()))
            .collect();
        (t.id.clone(), t.users[t.admin()].upn.clone(), without)
    };
    let t = core_against(sandbox.url(), "contoso.onmicrosoft.com", CLIENT_ID);
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
        tenant_id,
        admin,
        without_app,
        issue_id,
    }
}

async fn configure(s: &Setup, secret: &str) {
    s.t.core
        .bot()
        .save_setup(BotSetupDraft {
            app_id: DEFAULT_BOT_APP_ID.to_uppercase(),
            tenant: s.tenant_id.clone(),
            secret: Some(Secret::new(secret)),
        })
        .await
        .unwrap();
}

async fn connected() -> Setup {
    let s = setup().await;
    configure(&s, DEFAULT_BOT_SECRET).await;
    let state = connect_bot_as(&s.t.core, &s.admin, Decision::Accept)
        .await
        .unwrap();
    assert!(matches!(state, BotState::Connected { .. }), "{state:?}");
    s
}

async fn person(s: &Setup, query: &str) -> Recipient {
    ox_teams_tests::person(&s.t.core, query).await
}

async fn channel(s: &Setup, team: &str, name: &str) -> Recipient {
    ox_teams_tests::channel(&s.t.core, team, name).await
}

async fn sandbox_messages(s: &Setup) -> Value {
    ox_teams_tests::sandbox_messages(s.sandbox.url()).await
}

async fn control(s: &Setup, path: &str, body: Value) {
    ox_teams_tests::sandbox_control(s.sandbox.url(), path, body).await
}

fn request(s: &Setup, recipients: Vec<Recipient>) -> SendRequest {
    SendRequest {
        issue_id: s.issue_id.clone(),
        recipients,
        comment: "Please patch before Friday".into(),
        identity: Identity::Bot,
        as_group: false,
        owners: Default::default(),
        mentions: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn connecting_runs_admin_consent_and_proves_graph_and_the_bot_connector() {
    let s = setup().await;
    let core = &s.t.core;
    let missing = connect_bot_as(core, &s.admin, Decision::Accept)
        .await
        .unwrap_err();
    assert_eq!(missing.code(), ErrorCode::NotConfigured);
    assert!(missing.to_string().contains("application ID"), "{missing}");

    let refused = core
        .bot()
        .save_setup(BotSetupDraft {
            app_id: "not-a-guid".into(),
            tenant: "organizations".into(),
            secret: None,
        })
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("GUID"), "{refused}");
    assert!(refused.to_string().contains("its own tenant"), "{refused}");

    configure(&s, "wrong-secret").await;
    let setup = core.bot().setup().await.unwrap();
    assert!(setup.secret_set);
    assert_eq!(setup.app_id, DEFAULT_BOT_APP_ID, "stored in lower case");
    let wrong = connect_bot_as(core, &s.admin, Decision::Accept)
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::SecretRejected);
    assert!(
        wrong.to_string().contains("Certificates & secrets"),
        "{wrong}"
    );
    assert!(!wrong.to_string().contains("wrong-secret"));
    assert_eq!(core.bot().state().unwrap(), BotState::NotConnected);

    configure(&s, DEFAULT_BOT_SECRET).await;
    let declined = connect_bot_as(core, &s.admin, Decision::Decline)
        .await
        .unwrap_err();
    assert_eq!(declined.code(), ErrorCode::ConsentDeclined, "{declined}");
    let not_admin = connect_bot_as(core, &s.without_app[0].0, Decision::Accept)
        .await
        .unwrap_err();
    assert_eq!(
        not_admin.code(),
        ErrorCode::AdminConsentRequired,
        "{not_admin}"
    );
    assert!(not_admin.to_string().contains("administrator"));

    let state = connect_bot_as(core, &s.admin, Decision::Accept)
        .await
        .unwrap();
    let BotState::Connected { bot } = state else {
        panic!("{state:?}")
    };
    assert_eq!(bot.app_name, "OX Security Alerts");
    assert_eq!(bot.tenant_id, s.tenant_id);
    assert!(bot.catalog_id.is_some(), "published in the sandbox");
    let labels: Vec<&str> = bot.checks.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Microsoft Graph token",
            "Directory",
            "Teams",
            "Teams app catalog",
            "Bot Connector token"
        ]
    );
    assert!(bot.checks.iter().all(|c| c.ok), "{:?}", bot.checks);
    assert!(!bot.settings_changed);

    // Without a signed-in person, the pickers read the directory as the bot.
    let teams = core
        .directory()
        .teams(Freshness::Recent)
        .await
        .unwrap()
        .items;
    assert!(teams.iter().any(|t| t.name == "Security Operations"));
    assert!(
        !core
            .directory()
            .people("adele", Freshness::Recent)
            .await
            .unwrap()
            .items
            .is_empty()
    );

    core.bot().disconnect(true).await.unwrap();
    assert_eq!(core.bot().state().unwrap(), BotState::NotConnected);
    assert!(!core.bot().setup().await.unwrap().secret_set);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_secret_goes_only_to_the_sign_in_host_it_was_entered_for() {
    let s = connected().await;
    let core = &s.t.core;
    // Another host on this machine stands in for wherever edited settings might point.
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let elsewhere_url = format!("http://{}", elsewhere.local_addr().unwrap());
    let heard = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = heard.clone();
    tokio::spawn(async move {
        while let Ok((_stream, _)) = elsewhere.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    core.set_setting(SettingKey::AuthorityUrl, &elsewhere_url)
        .unwrap();

    let refused = core.bot().verify(None).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::NotConfigured);
    let message = refused.to_string();
    assert!(
        message.contains(s.sandbox.url().trim_end_matches('/')),
        "{message}"
    );
    assert!(message.contains(&elsewhere_url), "{message}");
    assert!(message.contains("enter it again"), "{message}");
    assert!(!message.contains(DEFAULT_BOT_SECRET));
    let setup = core.bot().setup().await.unwrap();
    assert!(!setup.secret_set, "the card asks for the secret again");
    assert_eq!(setup.secret_problem.as_deref(), Some(message.as_str()));
    assert_eq!(
        heard.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing went there"
    );

    // Entered again, the secret is bound to the new host; the old one no longer gets it.
    configure(&s, DEFAULT_BOT_SECRET).await;
    assert!(core.bot().setup().await.unwrap().secret_set);
    core.set_setting(SettingKey::AuthorityUrl, s.sandbox.url())
        .unwrap();
    let back = core.bot().verify(None).await.unwrap_err();
    assert_eq!(back.code(), ErrorCode::NotConfigured, "{back}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bot_sends_to_a_person_and_a_channel_and_says_who_lacks_the_app() {
    let s = connected().await;
    let core = &s.t.core;
    let adele = person(&s, "adele").await;
    let (upn, name) = s.without_app[0].clone();
    let missing = person(&s, &upn).await;
    let alerts = channel(&s, "Security Operations", "General").await;

    let coverage = core
        .bot()
        .coverage(&[alerts.clone(), adele.clone(), missing.clone()])
        .await
        .unwrap();
    assert_eq!(coverage.summary, "Installed for 2 of 3 recipients");
    assert_eq!(coverage.items[2].installed, Some(false));

    let request = request(&s, vec![alerts.clone(), adele.clone(), missing.clone()]);
    let preview = core.outbox().preview(&request).await.unwrap();
    assert!(preview.blocking.is_empty(), "{:?}", preview.blocking);
    let problems: Vec<Option<String>> = preview
        .recipients
        .iter()
        .map(|r| r.problem.as_ref().map(|p| p.message.clone()))
        .collect();
    assert_eq!(problems[0], None);
    assert_eq!(problems[1], None);
    assert!(
        problems[2]
            .as_deref()
            .unwrap()
            .starts_with(&format!("OX Security Alerts is not installed for {name}")),
        "{problems:?}"
    );

    let queued = core.outbox().send(&request).unwrap();
    core.outbox().dispatch(100).await.unwrap();
    let deliveries = core
        .outbox()
        .message_deliveries(&queued.message_id)
        .unwrap();
    let status = |label: &str| {
        deliveries
            .iter()
            .find(|d| d.label == label)
            .unwrap_or_else(|| panic!("{label} in {deliveries:?}"))
            .clone()
    };
    assert_eq!(status("Adele Vance").status, DeliveryStatus::Sent);
    assert_eq!(
        status("Security Operations › General").status,
        DeliveryStatus::Sent
    );
    let failed = status(&name);
    assert_eq!(failed.status, DeliveryStatus::Failed);
    assert_eq!(
        failed.problem.as_ref().unwrap().code,
        ErrorCode::AppNotInstalled
    );
    assert!(failed.problem.unwrap().message.contains(&name));
    assert!(deliveries.iter().all(|d| d.sender == "OX Security Alerts"));

    let all = sandbox_messages(&s).await;
    let personal = all["bot"].as_array().unwrap();
    assert_eq!(personal.len(), 1, "{personal:?}");
    assert_eq!(personal[0]["user"], "adele.vance@contoso.onmicrosoft.com");
    let message = &personal[0]["messages"][0];
    assert_eq!(message["via"], "bot");
    let card: Value = serde_json::from_str(
        message["message"]["attachments"][0]["content"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(card["version"], "1.5");
    assert!(card.to_string().contains("Please patch before Friday"));
    assert!(
        card.to_string().contains("ox-teams://issues/"),
        "the card links to its issue"
    );
    let channels = all["channels"].as_array().unwrap();
    assert_eq!(channels.len(), 1);
    assert_eq!(channels[0]["messages"][0]["sender"], "OX Security Alerts");

    // Adele removes the app: the next message fails for her, saying so.
    control(
        &s,
        "users/adele.vance@contoso.onmicrosoft.com/uninstall-app",
        json!({}),
    )
    .await;
    let again = core.outbox().send(&request_for(&s, vec![adele])).unwrap();
    core.outbox().dispatch(100).await.unwrap();
    let delivery = core
        .outbox()
        .message_deliveries(&again.message_id)
        .unwrap()
        .remove(0);
    assert_eq!(delivery.status, DeliveryStatus::Failed);
    let problem = delivery.problem.unwrap();
    assert_eq!(problem.code, ErrorCode::AppNotInstalled);
    assert!(
        problem
            .message
            .starts_with("OX Security Alerts is not installed for Adele Vance"),
        "{}",
        problem.message
    );

    // Chats are not for the bot, and it says so before anything is queued.
    let chat = Recipient::Chat {
        chat_id: "19:x@thread.v2".into(),
        title: "Incident bridge".into(),
    };
    let refused = core
        .outbox()
        .send(&request_for(&s, vec![chat]))
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidRequest);
    assert!(refused.to_string().contains("people and channels only"));
}

fn request_for(s: &Setup, recipients: Vec<Recipient>) -> SendRequest {
    request(s, recipients)
}

#[tokio::test(flavor = "multi_thread")]
async fn bot_throttling_is_waited_out_and_a_rejected_secret_pauses_until_reconnected() {
    let s = connected().await;
    let core = &s.t.core;
    let adele = person(&s, "adele").await;
    control(
        &s,
        "faults",
        json!({ "method": "POST", "path": "/v3/conversations/*/activities", "status": 429,
                "retry_after": 5, "count": 6 }),
    )
    .await;
    let queued = core
        .outbox()
        .send(&request(&s, vec![adele.clone()]))
        .unwrap();
    let id = queued.deliveries[0].id.clone();
    let first = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(first.retrying, 1, "{first:?}");
    let waiting = core.outbox().delivery(&id).unwrap();
    assert_eq!(waiting.problem.unwrap().code, ErrorCode::Throttled);
    assert_eq!(
        (waiting.next_attempt_at - s.t.clock.now()).num_seconds(),
        5,
        "Retry-After decides"
    );
    s.t.clock.advance(Duration::from_secs(5));
    assert_eq!(core.outbox().dispatch(100).await.unwrap().sent, 1);
    assert_eq!(
        sandbox_messages(&s).await["bot"][0]["messages"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Someone pastes a wrong secret: the token renewal is refused and bot sends pause.
    configure(&s, "a-wrong-secret").await;
    let queued = core
        .outbox()
        .send(&request(&s, vec![adele.clone()]))
        .unwrap();
    let paused = core.outbox().dispatch(100).await.unwrap();
    let reason = paused.paused.expect("paused");
    assert!(
        reason.message.starts_with("Reconnect needed: "),
        "{}",
        reason.message
    );
    assert!(matches!(
        core.bot().state().unwrap(),
        BotState::ReconnectNeeded { .. }
    ));
    let delivery = core.outbox().delivery(&queued.deliveries[0].id).unwrap();
    assert_eq!(delivery.status, DeliveryStatus::Paused);

    configure(&s, DEFAULT_BOT_SECRET).await;
    core.bot().verify(None).await.unwrap();
    let resumed = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(resumed.sent, 1, "{resumed:?}");
    assert_eq!(
        sandbox_messages(&s).await["bot"][0]["messages"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bot_updates_its_card_in_place_and_replies_in_the_channel_thread() {
    let s = connected().await;
    let core = &s.t.core;
    let adele = person(&s, "adele").await;
    let alerts = channel(&s, "Security Operations", "General").await;
    let issue = core.issues().get(&s.issue_id).unwrap();
    let workflow = |name: &str| ox_teams_core::workflows::WorkflowDefinition {
        name: name.into(),
        enabled: true,
        conditions: ox_teams_core::workflows::Conditions {
            rules: vec![issue.rule_id.clone()],
            paths: issue.path.clone().into_iter().collect(),
            text: issue.title.clone(),
            ..Default::default()
        },
        recipients: vec![alerts.clone(), adele.clone()],
        fallback: vec![adele.clone()],
        comment: format!("From {name}"),
        apply_to: ox_teams_core::workflows::ApplyTo::NewUpdatedOrExistingIssues,
        schedule: None,
        identity: Identity::Bot,
        on_change: Default::default(),
        announce_fixes: true,
        skip_acknowledged: false,
        quiet_hours: None,
        owners: Default::default(),
        mentions: Vec::new(),
    };
    // The first workflow's messages are the anchors; the second's follow them.
    core.workflows().save(None, workflow("First")).unwrap();
    core.outbox().dispatch(100).await.unwrap();
    core.workflows().save(None, workflow("Second")).unwrap();
    core.outbox().dispatch(100).await.unwrap();
    let deliveries = core.outbox().issue_deliveries(&s.issue_id).unwrap();
    assert!(
        deliveries.iter().all(|d| d.status == DeliveryStatus::Sent),
        "{deliveries:?}"
    );

    let messages = sandbox_messages(&s).await;
    let personal = messages["bot"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["user"] == "adele.vance@contoso.onmicrosoft.com")
        .unwrap()["messages"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(personal.len(), 1, "updated in place, not posted again");
    assert!(!personal[0]["message"]["lastEditedDateTime"].is_null());
    assert!(personal[0]["message"].to_string().contains("From Second"));
    let thread = messages["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channelName"] == "General")
        .unwrap()["messages"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(thread.len(), 2, "the root and one reply: {thread:?}");
    assert_eq!(thread[1]["replyToId"], thread[0]["id"]);
    assert!(!thread[0]["message"]["lastEditedDateTime"].is_null());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bots_channel_card_mentions_people_through_its_entities_and_not_the_team() {
    let s = connected().await;
    let core = &s.t.core;
    let adele = person(&s, "adele").await;
    let alerts = channel(&s, "Security Operations", "General").await;
    let Recipient::Person { user_id, .. } = &adele else {
        unreachable!()
    };
    let request = SendRequest {
        mentions: vec![
            ox_teams_core::mentions::Mention::Person {
                user_id: user_id.clone(),
                name: "Adele Vance".into(),
            },
            ox_teams_core::mentions::Mention::Team,
        ],
        ..request(&s, vec![alerts])
    };
    let preview = core.outbox().preview(&request).await.unwrap();
    assert_eq!(preview.recipients[0].mentions, ["Adele Vance"]);
    assert_eq!(
        preview.recipients[0].mention_warnings,
        [
            "The bot cannot @mention the team in Security Operations › General; Teams lets only \
          people do that. The message goes without it."
        ]
    );
    core.outbox().send(&request).unwrap();
    let report = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");

    // The sandbox refuses an entity whose text is in no TextBlock, or whose person is unknown.
    let all = sandbox_messages(&s).await;
    let message = &all["channels"][0]["messages"][0]["message"];
    let card: Value =
        serde_json::from_str(message["attachments"][0]["content"].as_str().unwrap()).unwrap();
    assert_eq!(card["body"][0]["text"], "<at>Adele Vance</at>");
    let entities = card["msteams"]["entities"].as_array().unwrap();
    assert_eq!(entities.len(), 1, "the team is not mentioned by the bot");
    assert_eq!(entities[0]["text"], "<at>Adele Vance</at>");
    assert_eq!(entities[0]["mentioned"]["id"], user_id.as_str());
}
