//! `ox-teams-cli connect`, `status`, `permissions` and `disconnect` against the sandbox, with the
//! real OS keychain: `make test` runs it inside a private D-Bus session with GNOME Keyring.

use std::path::Path;
use std::process::{Command, Output};

use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};

fn cli(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ox-teams-cli"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
#[ignore = "needs a Secret Service: make test runs it through tests/scripts/with-keyring.sh"]
fn connect_status_permissions_and_disconnect_through_the_os_keychain() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime
        .block_on(Sandbox::start(SandboxOptions::new(tenant::small(1)), 0))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (key, value) in [
        ("authority-url", sandbox.url()),
        ("graph-url", sandbox.url()),
        ("bot-url", sandbox.url()),
        ("cloud", "custom"),
        ("tenant", "contoso.onmicrosoft.com"),
        ("client-id", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    ] {
        assert!(
            cli(dir.path(), &["config", "set", key, value])
                .status
                .success()
        );
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../tests/e2e/support/sign-in.mjs"
    );
    let browser =
        format!("node {script} --as megan.bowen@contoso.onmicrosoft.com --for-organization");

    let connected = cli(dir.path(), &["connect", "--open-with", &browser]);
    assert!(connected.status.success(), "{}", text(&connected.stderr));
    assert!(
        text(&connected.stdout)
            .starts_with("connected as Megan Bowen <megan.bowen@contoso.onmicrosoft.com>"),
        "{}",
        text(&connected.stdout)
    );
    assert!(
        text(&connected.stderr).contains("/contoso.onmicrosoft.com/oauth2/v2.0/authorize?"),
        "the address is shown in case no browser opens"
    );

    let status = cli(dir.path(), &["--json", "status"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["connection"]["state"], "connected");
    assert_eq!(status["keychain"]["state"], "available");

    let permissions = cli(dir.path(), &["--json", "permissions"]);
    let report: serde_json::Value = serde_json::from_slice(&permissions.stdout).unwrap();
    let granted = report["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["granted"] == true)
        .count();
    assert_eq!(granted, 9);

    // Revoked in the tenant: status finds out and says what to do.
    runtime.block_on(async {
        reqwest::Client::new()
            .post(format!(
                "{}/_sandbox/users/megan.bowen@contoso.onmicrosoft.com/revoke",
                sandbox.url()
            ))
            .send()
            .await
            .unwrap();
    });
    let status = text(&cli(dir.path(), &["status"]).stdout);
    assert!(
        status.contains("teams        reconnect needed (Megan Bowen"),
        "{status}"
    );
    assert!(status.contains("revoked"), "{status}");

    let disconnected = cli(dir.path(), &["disconnect"]);
    assert!(disconnected.status.success());
    let status: serde_json::Value =
        serde_json::from_slice(&cli(dir.path(), &["--json", "status"]).stdout).unwrap();
    assert_eq!(status["connection"]["state"], "not_connected");
}

#[test]
#[ignore = "needs a Secret Service: make test runs it through tests/scripts/with-keyring.sh"]
fn send_an_issue_from_the_command_line_through_the_os_keychain() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime
        .block_on(Sandbox::start(SandboxOptions::new(tenant::small(1)), 0))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (key, value) in [
        ("authority-url", sandbox.url()),
        ("graph-url", sandbox.url()),
        ("cloud", "custom"),
        ("tenant", "contoso.onmicrosoft.com"),
        ("client-id", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    ] {
        assert!(
            cli(dir.path(), &["config", "set", key, value])
                .status
                .success()
        );
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../tests/e2e/support/sign-in.mjs"
    );
    let browser = format!("node {script} --as megan.bowen@contoso.onmicrosoft.com");
    let connected = cli(dir.path(), &["connect", "--open-with", &browser]);
    assert!(connected.status.success(), "{}", text(&connected.stderr));
    let sarif = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../tests/fixtures/sarif/semgrep-generated.sarif"
    );
    assert!(cli(dir.path(), &["import", sarif]).status.success());
    let issues: serde_json::Value =
        serde_json::from_slice(&cli(dir.path(), &["--json", "issues", "--limit", "1"]).stdout)
            .unwrap();
    let issue = issues["issues"][0]["id"].as_str().unwrap().to_string();

    let teams = text(&cli(dir.path(), &["teams"]).stdout);
    assert!(teams.contains("Security Operations"), "{teams}");
    let channels = text(&cli(dir.path(), &["channels", "security operations"]).stdout);
    assert!(channels.contains("General"), "{channels}");
    let people = text(&cli(dir.path(), &["people", "adele"]).stdout);
    assert!(
        people.contains("adele.vance@contoso.onmicrosoft.com"),
        "{people}"
    );
    let nobody = cli(
        dir.path(),
        &[
            "send",
            &issue,
            "--to",
            "user:nobody@contoso.onmicrosoft.com",
        ],
    );
    assert_eq!(nobody.status.code(), Some(1));
    assert!(
        text(&nobody.stderr).contains(
            "Nobody in your organisation's directory is “nobody@contoso.onmicrosoft.com”"
        ),
        "{}",
        text(&nobody.stderr)
    );

    let sent = cli(
        dir.path(),
        &[
            "--json",
            "send",
            &issue,
            "--to",
            "channel:Security Operations/General",
            "--to",
            "user:adele.vance@contoso.onmicrosoft.com",
            "--comment",
            "From the command line",
        ],
    );
    assert!(sent.status.success(), "{}", text(&sent.stderr));
    let deliveries: serde_json::Value = serde_json::from_slice(&sent.stdout).unwrap();
    let deliveries = deliveries.as_array().unwrap();
    assert_eq!(deliveries.len(), 2);
    assert!(
        deliveries.iter().all(|d| d["status"] == "sent"),
        "{deliveries:?}"
    );

    let listed = text(&cli(dir.path(), &["deliveries"]).stdout);
    assert_eq!(
        listed.lines().filter(|l| l.contains(" sent ")).count(),
        2,
        "{listed}"
    );
    let messages: serde_json::Value = runtime.block_on(async {
        reqwest::get(format!("{}/_sandbox/messages", sandbox.url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let posted: Vec<&serde_json::Value> = ["channels", "chats"]
        .iter()
        .flat_map(|kind| messages[kind].as_array().unwrap())
        .flat_map(|place| place["messages"].as_array().unwrap())
        .collect();
    assert_eq!(posted.len(), 2, "one card in the channel, one in the chat");
    assert!(
        posted
            .iter()
            .all(|m| m.to_string().contains("From the command line"))
    );
}

#[test]
#[ignore = "needs a Secret Service: make test runs it through tests/scripts/with-keyring.sh"]
fn connect_the_bot_and_send_as_it_through_the_os_keychain() {
    use std::io::Write;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime
        .block_on(Sandbox::start(SandboxOptions::new(tenant::small(1)), 0))
        .unwrap();
    let (tenant_id, admin, app_id) = runtime.block_on(async {
        let world = sandbox.world().lock().await;
        let t = &world.tenant;
        (
            t.id.clone(),
            t.users[t.admin()].upn.clone(),
            t.bot.app_id.clone(),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    for (key, value) in [
        ("authority-url", sandbox.url()),
        ("graph-url", sandbox.url()),
        ("bot-url", sandbox.url()),
        ("cloud", "custom"),
    ] {
        assert!(
            cli(dir.path(), &["config", "set", key, value])
                .status
                .success()
        );
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../tests/e2e/support/sign-in.mjs"
    );
    let browser = format!("node {script} --as {admin}");
    // The secret comes on standard input, never as an argument.
    let mut connect = Command::new(env!("CARGO_BIN_EXE_ox-teams-cli"))
        .args(["--data-dir"])
        .arg(dir.path())
        .args([
            "connect",
            "--method",
            "bot",
            "--app-id",
            &app_id,
            "--bot-tenant",
            &tenant_id,
            "--secret-stdin",
            "--open-with",
            &browser,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    connect
        .stdin
        .take()
        .unwrap()
        .write_all(b"sandbox-bot-secret\n")
        .unwrap();
    let connected = connect.wait_with_output().unwrap();
    assert!(connected.status.success(), "{}", text(&connected.stderr));
    let shown = text(&connected.stdout);
    assert!(
        shown.contains("bot connected: OX Security Alerts"),
        "{shown}"
    );
    assert!(shown.contains("✓ Bot Connector token"), "{shown}");
    assert!(!shown.contains("sandbox-bot-secret"));

    // A second process finds the secret in the keychain: verifying needs no input.
    let verified = cli(
        dir.path(),
        &["connect", "--method", "bot", "--skip-consent"],
    );
    assert!(verified.status.success(), "{}", text(&verified.stderr));

    let package = dir.path().join("package.zip");
    let saved = cli(
        dir.path(),
        &["app-package", "--out", package.to_str().unwrap()],
    );
    assert!(saved.status.success(), "{}", text(&saved.stderr));
    assert!(std::fs::read(&package).unwrap().starts_with(b"PK\x03\x04"));

    let coverage = cli(
        dir.path(),
        &[
            "app-coverage",
            "--to",
            "user:adele.vance@contoso.onmicrosoft.com",
            "--to",
            "channel:Application Security/General",
        ],
    );
    assert!(coverage.status.success(), "{}", text(&coverage.stderr));
    assert!(
        text(&coverage.stdout).contains("Installed for 2 of 2 recipients"),
        "{}",
        text(&coverage.stdout)
    );

    let sarif = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../tests/fixtures/sarif/semgrep-generated.sarif"
    );
    assert!(cli(dir.path(), &["import", sarif]).status.success());
    let issues: serde_json::Value =
        serde_json::from_slice(&cli(dir.path(), &["--json", "issues", "--limit", "1"]).stdout)
            .unwrap();
    let issue = issues["issues"][0]["id"].as_str().unwrap().to_string();
    let sent = cli(
        dir.path(),
        &[
            "--json",
            "send",
            &issue,
            "--as",
            "bot",
            "--to",
            "user:adele.vance@contoso.onmicrosoft.com",
            "--to",
            "channel:Application Security/General",
        ],
    );
    assert!(sent.status.success(), "{}", text(&sent.stderr));
    let deliveries: serde_json::Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert!(
        deliveries
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] == "sent" && d["sender"] == "OX Security Alerts"),
        "{deliveries}"
    );
    let messages: serde_json::Value = runtime.block_on(async {
        reqwest::get(format!("{}/_sandbox/messages", sandbox.url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(
        messages["bot"][0]["user"],
        "adele.vance@contoso.onmicrosoft.com"
    );
    assert_eq!(
        messages["channels"][0]["messages"][0]["sender"],
        "OX Security Alerts"
    );

    let gone = cli(
        dir.path(),
        &["disconnect", "--method", "bot", "--forget-secret"],
    );
    assert!(gone.status.success(), "{}", text(&gone.stderr));
    let again = cli(
        dir.path(),
        &["connect", "--method", "bot", "--skip-consent"],
    );
    assert!(
        text(&again.stderr).contains("client secret"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn connect_without_a_client_id_says_what_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ox-teams-cli"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--json", "connect"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let error: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(error["code"], "not_configured");
}
