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
