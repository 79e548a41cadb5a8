//! A full sign-in, a renewal and a check, with every log line captured and the SQLite file read
//! back byte by byte: no access token, refresh token, authorization code or ID token may appear.

use std::sync::Mutex;
use std::time::Duration;

use ox_teams_core::auth::ConnectionState;
use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use ox_teams_tests::browser::Decision;
use ox_teams_tests::{core_against, sign_in_as};

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
    t.core.access_token().await.unwrap();
    assert!(matches!(
        t.core.check_connection().await.unwrap(),
        ConnectionState::Connected { .. }
    ));
    t.core.permission_report().await.unwrap();

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
    assert!(
        secrets.len() >= 5,
        "codes, access and refresh tokens were issued: {}",
        secrets.len()
    );

    let logs = LOGS.0.lock().unwrap().join("\n");
    assert!(
        logs.contains("connected to Microsoft Teams"),
        "the capture works: {logs}"
    );
    assert!(logs.contains("renewed the Microsoft Graph access token"));

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
