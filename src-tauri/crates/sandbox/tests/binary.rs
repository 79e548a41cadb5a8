//! `ox-teams-sandbox` as scripts start it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Running, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ox-teams-sandbox"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let rest: Vec<String> = lines.take(3).map(Result::unwrap).collect();
    (Running(child), first, rest)
}

#[test]
fn prints_where_it_listens_first_and_answers_health() {
    let (_sandbox, first, rest) = start(&["--port", "0"]);
    let url = first
        .strip_prefix("listening on http://127.0.0.1:")
        .map(|port| format!("http://127.0.0.1:{port}"))
        .unwrap_or_else(|| panic!("first line: {first}"));
    assert!(
        rest[0].starts_with("tenant Contoso (contoso.onmicrosoft.com"),
        "{rest:?}"
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        reqwest::get(format!("{url}/_sandbox/health"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
}

#[test]
fn serves_a_tenant_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tenant.json");
    std::fs::write(&file, r#"{
        "name": "Tailspin", "domain": "tailspin.example",
        "users": [ { "name": "Ada Admin", "admin": true }, { "name": "Bo Builder", "job_title": "Engineer" } ],
        "teams": [ { "name": "Builders", "members": ["ada.admin@tailspin.example", "bo.builder@tailspin.example"],
                     "channels": [ { "name": "Secret", "membership": "private", "members": ["ada.admin@tailspin.example"] } ] } ],
        "chats": [ { "members": ["ada.admin@tailspin.example", "bo.builder@tailspin.example"] } ]
    }"#).unwrap();
    let (_sandbox, first, rest) = start(&["--port", "0", "--tenant", file.to_str().unwrap()]);
    let url = first.strip_prefix("listening on ").unwrap().to_string();
    assert!(rest[0].contains("2 people, 1 teams"), "{rest:?}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let tenant: serde_json::Value = runtime.block_on(async {
        reqwest::get(format!("{url}/_sandbox/tenant"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(
        tenant["teams"][0]["channels"][1]["membershipType"],
        "private"
    );
    assert_eq!(tenant["chats"][0]["chatType"], "oneOnOne");
}

#[test]
fn a_bad_tenant_file_is_refused_with_the_reason() {
    let output = Command::new(env!("CARGO_BIN_EXE_ox-teams-sandbox"))
        .args(["--tenant", "/nonexistent/tenant.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("cannot read the tenant in /nonexistent/tenant.json")
    );
}
