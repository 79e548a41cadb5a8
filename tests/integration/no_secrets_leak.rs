//! A full sign-in, a renewal and a check, with every log line captured and the SQLite file read
//! back byte by byte: no access token, refresh token, authorization code, ID token or the bot's
//! client secret may appear (nor in an error message, nor in what the window is sent).

use std::sync::Mutex;
use std::time::Duration;

use ox_teams_core::auth::ConnectionState;
use ox_teams_core::bot::BotSetupDraft;
use ox_teams_core::directory::Freshness;
use ox_teams_core::outbox::Recipient;
use ox_teams_core::secrets::{Secret, SecretStore};
use ox_teams_sandbox::tenant::{DEFAULT_BOT_APP_ID, DEFAULT_BOT_SECRET};
use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use ox_teams_tests::browser::Decision;
use ox_teams_tests::{connect_bot_as, core_against, sign_in_as};

struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }

    fn log(&self, record: &log::Record) {
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        self.0.lock().unwrap().push(line);
    }

    fn flush(&self) {}
}

static LOGS: Capture = Capture(Mutex::new(Vec::new()));

#[tokio::test(flavor = "multi_thread")]
async fn no_token_or_code_reaches_the_logs_or_the_database() {
    log::set_logger(&LOGS).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let sandbox = Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap();
    let t = core_against(
        sandbox.url(),
        "contoso.onmicrosoft.com",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    );
    sign_in_as(
        &t.core,
        "megan.bowen@contoso.onmicrosoft.com",
        Decision::Accept,
        None,
    )
    .await
    .unwrap();
    t.clock.advance(Duration::from_secs(2 * 3600));
    t.core.auth().access_token().await.unwrap();
    assert!(matches!(
        t.core.auth().check().await.unwrap(),
        ConnectionState::Connected { .. }
    ));
    t.core.auth().permissions().await.unwrap();

    // The bot: its client secret goes in once, tokens come and go, a message is sent as it,
    // and a wrong secret is refused without being repeated back.
    let (tenant_id, admin) = {
        let world = sandbox.world().lock().await;
        (
            world.tenant.id.clone(),
            world.tenant.users[world.tenant.admin()].upn.clone(),
        )
    };
    let bot_setup = |secret: &str| BotSetupDraft {
        app_id: DEFAULT_BOT_APP_ID.into(),
        tenant: tenant_id.clone(),
        secret: Some(Secret::new(secret)),
    };
    let wrong = "Wr0ng~bot~secret~value";
    t.core.bot().save_setup(bot_setup(wrong)).await.unwrap();
    let refused = connect_bot_as(&t.core, &admin, Decision::Accept)
        .await
        .unwrap_err();
    t.core
        .bot()
        .save_setup(bot_setup(DEFAULT_BOT_SECRET))
        .await
        .unwrap();
    connect_bot_as(&t.core, &admin, Decision::Accept)
        .await
        .unwrap();
    let people = t
        .core
        .directory()
        .people("adele", Freshness::Recent)
        .await
        .unwrap()
        .items;
    let coverage = t
        .core
        .bot()
        .coverage(&[Recipient::Person {
            user_id: people[0].id.clone(),
            name: people[0].name.clone(),
            mail: people[0].mail.clone(),
        }])
        .await
        .unwrap();
    assert_eq!(coverage.installed, 1);
    // Settings now point sign-in elsewhere: the secret is not sent, and the refusal, the
    // card's reason and the keychain's origin entry do not repeat it.
    t.core
        .set_setting(
            ox_teams_core::settings::SettingKey::AuthorityUrl,
            "https://login.elsewhere.example",
        )
        .unwrap();
    let elsewhere = t.core.bot().verify(None).await.unwrap_err().to_string();
    let moved = serde_json::to_string(&t.core.bot().setup().await.unwrap()).unwrap();
    let origin = t
        .secrets
        .get("bot.client-secret.origin")
        .unwrap()
        .unwrap()
        .expose()
        .to_string();
    assert_eq!(origin, sandbox.url().trim_end_matches('/'));
    t.core
        .set_setting(
            ox_teams_core::settings::SettingKey::AuthorityUrl,
            sandbox.url(),
        )
        .unwrap();
    let bot_view = serde_json::to_string(&t.core.bot().setup().await.unwrap()).unwrap()
        + &serde_json::to_string(&t.core.bot().state().unwrap()).unwrap()
        + &elsewhere
        + &moved
        + &origin;
    for secret in [wrong, DEFAULT_BOT_SECRET] {
        assert!(
            !refused.to_string().contains(secret),
            "the error repeats a secret"
        );
        assert!(!bot_view.contains(secret), "the window would see a secret");
    }

    let secrets: Vec<String> = {
        let world = sandbox.world().lock().await;
        world
            .codes
            .keys()
            .chain(world.access_tokens.keys())
            .chain(world.refresh_tokens.keys())
            .cloned()
            .collect()
    };
    let secrets: Vec<String> = secrets
        .into_iter()
        .chain([wrong.to_string(), DEFAULT_BOT_SECRET.to_string()])
        .collect();
    assert!(
        secrets.len() >= 9,
        "codes, access and refresh tokens were issued: {}",
        secrets.len()
    );

    let logs = LOGS.0.lock().unwrap().join("\n");
    assert!(
        logs.contains("connected to Microsoft Teams"),
        "the capture works: {logs}"
    );
    assert!(logs.contains("renewed the Microsoft Graph access token"));
    assert!(logs.contains("the bot's client secret was replaced in the keychain"));
    assert!(logs.contains("is connected"));

    let mut database = Vec::new();
    for suffix in ["", "-wal"] {
        if let Ok(bytes) = std::fs::read(t.dir.path().join(format!("ox-teams.sqlite3{suffix}"))) {
            database.extend(bytes);
        }
    }
    assert!(!database.is_empty());
    let database = String::from_utf8_lossy(&database);
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a token or code is in the logs"
        );
        assert!(
            !database.contains(secret.as_str()),
            "a token or code is in the database"
        );
    }
    // ID tokens (and any JWT) start with a base64url JSON header.
    assert!(!logs.contains("eyJ"), "a JWT is in the logs");
    assert!(!database.contains("eyJ"), "a JWT is in the database");
}
