//! A workflow's 500 messages, the sending process killed with SIGKILL in the middle, then
//! started again: every message arrives exactly once. A real process and the real OS keychain,
//! so `make test` runs it inside a private D-Bus session with GNOME Keyring.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use serde_json::{Value, json};

const ISSUES: usize = 20;
const PEOPLE: usize = 25;

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

/// Every message the sandbox's chats hold, as (chat id, the delivery id in its card's link).
fn chat_messages(runtime: &tokio::runtime::Runtime, url: &str) -> Vec<(String, String)> {
    let all: Value = runtime.block_on(async {
        reqwest::get(format!("{url}/_sandbox/messages"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let mut found = Vec::new();
    for chat in all["chats"].as_array().into_iter().flatten() {
        for message in chat["messages"].as_array().into_iter().flatten() {
            let card = message["message"]["attachments"][0]["content"]
                .as_str()
                .unwrap_or_default();
            let delivery = card
                .split("?delivery=")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_default()
                .to_string();
            found.push((
                chat["id"].as_str().unwrap_or_default().to_string(),
                delivery,
            ));
        }
    }
    found
}

#[test]
#[ignore = "needs a Secret Service: make test runs it through tests/scripts/with-keyring.sh"]
fn a_sigkill_in_the_middle_of_500_workflow_messages_loses_none_and_repeats_none_os_keychain() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime
        .block_on(Sandbox::start(SandboxOptions::new(tenant::small(1)), 0))
        .unwrap();
    let url = sandbox.url().to_string();
    let people: Vec<String> = runtime.block_on(async {
        let world = sandbox.world().lock().await;
        world
            .tenant
            .users
            .iter()
            .filter(|u| !u.admin)
            .take(PEOPLE)
            .map(|u| u.upn.clone())
            .collect()
    });
    assert_eq!(people.len(), PEOPLE);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for (key, value) in [
        ("authority-url", url.as_str()),
        ("graph-url", url.as_str()),
        ("cloud", "custom"),
        ("tenant", "contoso.onmicrosoft.com"),
        ("client-id", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    ] {
        assert!(cli(&data, &["config", "set", key, value]).status.success());
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../tests/e2e/support/sign-in.mjs"
    );
    let browser = format!("node {script} --as megan.bowen@contoso.onmicrosoft.com");
    let connected = cli(&data, &["connect", "--open-with", &browser]);
    assert!(connected.status.success(), "{}", text(&connected.stderr));

    let workflow = dir.path().join("workflow.json");
    std::fs::write(
        &workflow,
        json!({
            "name": "Everything critical to the whole team",
            "apply_to": "new_or_updated_issues",
            "recipients": people.iter().map(|p| format!("user:{p}")).collect::<Vec<_>>(),
            "fallback": ["user:megan.bowen@contoso.onmicrosoft.com"],
        })
        .to_string(),
    )
    .unwrap();
    let added = cli(&data, &["workflows", "add", workflow.to_str().unwrap()]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let report = dir.path().join("scan.json");
    let issues: Vec<Value> = (0..ISSUES)
        .map(|n| json!({ "id": format!("crash-{n}"), "title": format!("Finding {n}"), "severity": "critical",
                         "tool": "Semgrep", "rule": "rules.crash", "path": format!("src/{n}.py") }))
        .collect();
    std::fs::write(
        &report,
        json!({ "format": "ox-teams-issues/1", "issues": issues }).to_string(),
    )
    .unwrap();
    assert!(
        cli(&data, &["import", report.to_str().unwrap()])
            .status
            .success()
    );

    // Send, and kill the sender (SIGKILL) once a good part has arrived.
    let mut sender = Command::new(env!("CARGO_BIN_EXE_ox-teams-cli"))
        .arg("--data-dir")
        .arg(&data)
        .args(["workflows", "run-due"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while chat_messages(&runtime, &url).len() < 120 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "sending did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    sender.kill().unwrap();
    sender.wait().unwrap();
    let at_kill = chat_messages(&runtime, &url).len();
    assert!(
        at_kill < ISSUES * PEOPLE,
        "killed before the end: {at_kill}"
    );

    // Start again until every delivery has an outcome.
    let started = Instant::now();
    loop {
        let run = cli(&data, &["workflows", "run-due"]);
        assert!(run.status.success(), "{}", text(&run.stderr));
        let deliveries: Value = serde_json::from_slice(
            &cli(&data, &["--json", "deliveries", "--limit", "1000"]).stdout,
        )
        .unwrap();
        let pending = deliveries
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                !matches!(
                    d["status"].as_str(),
                    Some("sent" | "failed" | "unconfirmed")
                )
            })
            .count();
        if pending == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "{pending} deliveries still waiting"
        );
        std::thread::sleep(Duration::from_millis(500));
    }

    let messages = chat_messages(&runtime, &url);
    assert_eq!(messages.len(), ISSUES * PEOPLE, "every message arrived");
    let mut delivery_ids: Vec<&String> = messages.iter().map(|(_, d)| d).collect();
    delivery_ids.sort();
    delivery_ids.dedup();
    assert_eq!(delivery_ids.len(), ISSUES * PEOPLE, "and none twice");
    let deliveries: Value =
        serde_json::from_slice(&cli(&data, &["--json", "deliveries", "--limit", "1000"]).stdout)
            .unwrap();
    assert!(
        deliveries
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] == "sent"),
        "every delivery says sent"
    );
    eprintln!(
        "{} of {} messages had arrived when the sender was killed",
        at_kill,
        ISSUES * PEOPLE
    );
}
