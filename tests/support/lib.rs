//! Helpers for the whole-system tests.

pub mod bench;
pub mod browser;
pub mod oracles;

use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;

use ox_teams_core::clock::SystemClock;
use ox_teams_core::entropy::OsEntropy;
use ox_teams_core::secrets::{MemoryStore, SecretStore};
use ox_teams_core::{Core, CoreOptions};

/// A core over `data_dir`, as the app or the CLI opens it, with secrets in memory.
pub fn open_core(data_dir: &Path) -> Core {
    open_core_with(data_dir, Arc::new(MemoryStore::new()))
}

pub fn open_core_with(data_dir: &Path, secrets: Arc<dyn SecretStore>) -> Core {
    Core::open(CoreOptions {
        data_dir: data_dir.to_path_buf(),
        secrets,
        clock: Arc::new(SystemClock),
        entropy: Arc::new(OsEntropy),
        search_path: Some(OsString::new()),
        http: Default::default(),
    })
    .expect("the core opens")
}

/// A core whose clock the test moves, with secrets in memory.
pub struct TestCore {
    pub core: Core,
    pub clock: Arc<ox_teams_core::clock::ManualClock>,
    pub secrets: Arc<MemoryStore>,
    pub dir: tempfile::TempDir,
}

/// A core configured against `base` as a custom cloud (the sandbox, or another server).
pub fn core_against(base: &str, tenant: &str, client_id: &str) -> TestCore {
    core_against_with(base, tenant, client_id, Default::default())
}

/// As [`core_against`], with the HTTP client's time limits chosen by the test.
pub fn core_against_with(
    base: &str,
    tenant: &str,
    client_id: &str,
    http: ox_teams_core::http::HttpOptions,
) -> TestCore {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ox_teams_core::clock::ManualClock::new(chrono::Utc::now()));
    let secrets = Arc::new(MemoryStore::new());
    let core = Core::open(CoreOptions {
        data_dir: dir.path().to_path_buf(),
        secrets: secrets.clone(),
        clock: clock.clone(),
        entropy: Arc::new(OsEntropy),
        search_path: Some(OsString::new()),
        http,
    })
    .unwrap();
    use ox_teams_core::settings::SettingKey;
    for (key, value) in [
        (SettingKey::AuthorityUrl, base),
        (SettingKey::GraphUrl, base),
        (SettingKey::BotUrl, base),
        (SettingKey::Cloud, "custom"),
        (SettingKey::Tenant, tenant),
        (SettingKey::ClientId, client_id),
    ] {
        core.set_setting(key, value).unwrap();
    }
    TestCore {
        core,
        clock,
        secrets,
        dir,
    }
}

/// A stand-in for the system browser: it completes the sign-in or consent page at the address
/// it is given as `user`, choosing `decision`, and follows the redirect back to the app.
fn headless_browser(
    user: &str,
    decision: browser::Decision,
) -> impl Fn(&str) -> Result<(), String> + Send + Sync + use<> {
    let user = user.to_string();
    move |url: &str| {
        let (url, user) = (url.to_string(), user.clone());
        tokio::spawn(async move {
            browser::Browser::default()
                .complete(&url, &user, decision)
                .await
        });
        Ok(())
    }
}

/// Signs in through `browser`-like automation: the sign-in page is completed by a headless
/// browser as `user`, choosing `decision`.
pub async fn sign_in_as(
    core: &Core,
    user: &str,
    decision: browser::Decision,
    only: Option<Vec<String>>,
) -> ox_teams_core::Result<ox_teams_core::auth::ConnectionState> {
    let open = headless_browser(user, decision);
    let request = ox_teams_core::auth::SignInRequest {
        only,
        open_browser: &open,
        on_waiting: &|_| {},
        link_callback: None,
        browser_command: None,
        timeout: std::time::Duration::from_secs(30),
    };
    core.auth().sign_in(request, std::future::pending()).await
}

/// Connects the bot: the admin-consent page is completed by a headless browser as `user`.
pub async fn connect_bot_as(
    core: &Core,
    user: &str,
    decision: browser::Decision,
) -> ox_teams_core::Result<ox_teams_core::bot::BotState> {
    let open = headless_browser(user, decision);
    let request = ox_teams_core::bot::ConsentRequest {
        open_browser: &open,
        on_waiting: &|_| {},
        browser_command: None,
        timeout: std::time::Duration::from_secs(30),
    };
    core.bot().connect(request, std::future::pending()).await
}

/// The folder of SARIF files from public sources (`tests/fixtures/sarif`).
pub fn sarif_samples() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/sarif")
}

/// An issue as an importer would produce it, for composing messages in tests.
pub fn sample_issue(title: &str) -> ox_teams_core::issues::Issue {
    use ox_teams_core::issues::{Change, Issue, Severity};
    Issue {
        id: "5e1f0c2a9b7d3e41".into(),
        title: title.into(),
        severity: Severity::Critical,
        score: Some(9.8),
        tool: "CodeQL".into(),
        rule_id: "js/sql-injection".into(),
        rule_name: Some("Database query built from user-controlled sources".into()),
        path: Some("server/routes/login.js".into()),
        line: Some(27),
        column: Some(12),
        help_uri: Some(
            "https://codeql.github.com/codeql-query-help/javascript/js-sql-injection/".into(),
        ),
        link: None,
        description: "This query depends on a user-provided value.".into(),
        tags: vec!["security".into(), "external/cwe/cwe-089".into()],
        revision: 1,
        change: Change::New,
        first_seen: chrono::Utc::now(),
        last_seen: chrono::Utc::now(),
        source: "codeql.sarif".into(),
        scope: "CodeQL · codeql.sarif".into(),
        state: ox_teams_core::issues::IssueState::Open,
        state_changed_at: None,
        fixed_by: None,
        acknowledged_at: None,
        acknowledged_by: None,
    }
}

/// The Node.js oracles' folder (`tests/oracles`).
pub fn oracles_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oracles")
}

/// Data from public sources (`tests/fixtures`).
pub fn fixtures_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A person from the directory search, as a recipient.
pub async fn person(core: &Core, query: &str) -> ox_teams_core::outbox::Recipient {
    let found = core
        .directory()
        .people(query, ox_teams_core::directory::Freshness::Recent)
        .await
        .unwrap()
        .items
        .remove(0);
    ox_teams_core::outbox::Recipient::Person {
        user_id: found.id,
        name: found.name,
        mail: found.mail,
    }
}

/// A team's channel by their names, as a recipient.
pub async fn channel(core: &Core, team: &str, name: &str) -> ox_teams_core::outbox::Recipient {
    use ox_teams_core::directory::Freshness;
    let teams = core
        .directory()
        .teams(Freshness::Recent)
        .await
        .unwrap()
        .items;
    let team = teams.iter().find(|t| t.name == team).expect("team");
    let channels = core
        .directory()
        .channels(&team.id, Freshness::Recent)
        .await
        .unwrap()
        .items;
    let found = channels.iter().find(|c| c.name == name).expect("channel");
    ox_teams_core::outbox::Recipient::Channel {
        team_id: team.id.clone(),
        channel_id: found.id.clone(),
        team_name: team.name.clone(),
        channel_name: found.name.clone(),
    }
}

/// What every chat, channel and bot conversation of the sandbox at `base` received.
pub async fn sandbox_messages(base: &str) -> serde_json::Value {
    reqwest::get(format!("{base}/_sandbox/messages"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// `POST /_sandbox/{path}` with `body` (faults, latency, throttling, …); it must succeed.
pub async fn sandbox_control(base: &str, path: &str, body: serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/_sandbox/{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
}

/// Megan Bowen signed in to the small Contoso sandbox, with the two recipients the workflow and
/// conversation tests use: Security Operations › General, and Adele Vance.
pub struct Contoso {
    pub sandbox: ox_teams_sandbox::Sandbox,
    pub t: TestCore,
    pub channel: ox_teams_core::outbox::Recipient,
    pub adele: ox_teams_core::outbox::Recipient,
}

/// [`Contoso`], with Microsoft's rate limits enforced or not.
pub async fn contoso(throttling: bool) -> Contoso {
    let sandbox = ox_teams_sandbox::Sandbox::start(
        ox_teams_sandbox::SandboxOptions {
            throttling,
            ..ox_teams_sandbox::SandboxOptions::new(ox_teams_sandbox::tenant::small(1))
        },
        0,
    )
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
        browser::Decision::Accept,
        None,
    )
    .await
    .unwrap();
    let directory = t.core.directory();
    let channel = directory
        .resolve_recipient("channel:Security Operations/General")
        .await
        .unwrap();
    let adele = directory
        .resolve_recipient("user:adele.vance@contoso.onmicrosoft.com")
        .await
        .unwrap();
    Contoso {
        sandbox,
        t,
        channel,
        adele,
    }
}

/// Imports `file`, which must be accepted.
pub fn import_ok(core: &Core, file: &Path) {
    let report = core
        .issues()
        .import(
            &[file.to_path_buf()],
            &mut |_| {},
            &ox_teams_core::issues::CancelFlag::default(),
        )
        .unwrap();
    assert_eq!(report.refused, 0, "{report:?}");
}
