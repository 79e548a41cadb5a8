//! `ox-teams-cli` as a script or a person uses it: real processes, real data folders.

use std::path::Path;
use std::process::{Command, Output};

fn cli(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ox-teams-cli"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        // No keychain in these tests: status must still answer, saying so.
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/ox-teams-test-bus",
        )
        .env_remove("OX_TEAMS_DATA_DIR")
        .output()
        .expect("ox-teams-cli runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn config_set_is_kept_and_shown_as_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let set = cli(
        dir.path(),
        &["config", "set", "tenant", "contoso.onmicrosoft.com"],
    );
    assert!(set.status.success(), "{}", stderr(&set));
    assert_eq!(stdout(&set).trim(), "tenant = contoso.onmicrosoft.com");

    let set = cli(dir.path(), &["config", "set", "cloud", "dod"]);
    assert!(set.status.success(), "{}", stderr(&set));

    let show = cli(dir.path(), &["config", "show"]);
    assert!(show.status.success());
    let text = stdout(&show);
    assert!(
        text.contains("tenant           contoso.onmicrosoft.com"),
        "{text}"
    );
    assert!(text.contains("https://dod-graph.microsoft.us"), "{text}");

    let json = cli(dir.path(), &["--json", "config", "show"]);
    let view: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(view["settings"]["tenant"], "contoso.onmicrosoft.com");
    assert_eq!(view["settings"]["cloud"], "dod");
    assert_eq!(
        view["endpoints"]["authority"],
        "https://login.microsoftonline.us"
    );
    assert!(dir.path().join("ox-teams.sqlite3").is_file());
}

#[test]
fn a_refused_value_exits_1_with_one_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = cli(dir.path(), &["config", "set", "client-id", "my-app"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.starts_with("ox-teams-cli: Application (client) ID: "),
        "{message}"
    );
    assert!(stdout(&output).is_empty());

    let json = cli(dir.path(), &["--json", "config", "show"]);
    let view: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(view["settings"]["client_id"], "");
}

#[test]
fn with_json_a_failure_is_a_code_and_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let output = cli(
        dir.path(),
        &["--json", "config", "set", "tenant", "consumers"],
    );
    assert_eq!(output.status.code(), Some(1));
    let error: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(error["code"], "invalid_setting");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("Personal Microsoft accounts")
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let unknown_key = cli(dir.path(), &["config", "set", "colour", "blue"]);
    assert_eq!(unknown_key.status.code(), Some(2));
    assert!(stderr(&unknown_key).contains("“colour” is not a setting"));
    assert_eq!(cli(dir.path(), &["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        cli(dir.path(), &["config", "set", "tenant"]).status.code(),
        Some(2)
    );
}

#[test]
fn custom_cloud_needs_its_urls_first() {
    let dir = tempfile::tempdir().unwrap();
    let refused = cli(dir.path(), &["config", "set", "cloud", "custom"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("Required for a custom cloud"));
    for (key, url) in [
        ("authority-url", "http://127.0.0.1:4000"),
        ("graph-url", "http://127.0.0.1:4000"),
    ] {
        assert!(
            cli(dir.path(), &["config", "set", key, url])
                .status
                .success()
        );
    }
    let accepted = cli(dir.path(), &["config", "set", "cloud", "custom"]);
    assert!(accepted.status.success(), "{}", stderr(&accepted));
    let plain_http = cli(
        dir.path(),
        &["config", "set", "graph-url", "http://graph.example.com"],
    );
    assert_eq!(plain_http.status.code(), Some(1));
    assert!(stderr(&plain_http).contains("Use https://"));
}

#[test]
fn status_answers_without_a_keychain_and_says_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let output = cli(dir.path(), &["--json", "status"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let status: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(status["data_dir"], dir.path().display().to_string());
    assert_eq!(
        status["schema_version"],
        ox_teams_core::store::SCHEMA_VERSION
    );
    assert_eq!(status["connection"]["state"], "not_connected");
    assert_eq!(status["keychain"]["state"], "unavailable");
    #[cfg(target_os = "linux")]
    assert!(
        status["keychain"]["message"]
            .as_str()
            .unwrap()
            .contains("gnome-keyring")
    );

    let text = stdout(&cli(dir.path(), &["status"]));
    assert!(text.contains("teams        not connected"), "{text}");
}

#[test]
fn a_damaged_database_is_reported_with_its_path_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("ox-teams.sqlite3");
    std::fs::write(&database, b"this is not sqlite").unwrap();
    let output = cli(dir.path(), &["status"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains(&database.display().to_string()),
        "{message}"
    );
    assert!(
        message.contains("not an OX Teams Connector database"),
        "{message}"
    );
    assert_eq!(std::fs::read(&database).unwrap(), b"this is not sqlite");
}

#[test]
fn the_default_data_folder_is_the_apps_own() {
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ox-teams-cli"))
        .args(["--json", "config", "show"])
        .env("XDG_DATA_HOME", home.path())
        .env("HOME", home.path())
        .env_remove("OX_TEAMS_DATA_DIR")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let view: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let expected = home.path().join("com.oxteams.connector");
    assert_eq!(view["data_dir"], expected.display().to_string());
    assert!(expected.join("ox-teams.sqlite3").is_file());
}

#[test]
fn import_then_list_issues() {
    let dir = tempfile::tempdir().unwrap();
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/sarif");
    let bandit = format!("{samples}/bandit-generated.sarif");
    let output = cli(dir.path(), &["import", &bandit]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("6 new, 0 updated, 0 unchanged"),
        "{}",
        stdout(&output)
    );
    let again = cli(dir.path(), &["import", &bandit]);
    assert!(
        stdout(&again).contains("0 new, 0 updated, 6 unchanged"),
        "{}",
        stdout(&again)
    );

    let listed = cli(
        dir.path(),
        &[
            "--json",
            "issues",
            "--severity",
            "high",
            "--severity",
            "medium",
        ],
    );
    let page: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert!(page["total"].as_u64().unwrap() > 0);
    assert!(
        page["issues"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["severity"] == "high" || i["severity"] == "medium")
    );
    let text = stdout(&cli(dir.path(), &["issues", "--limit", "2"]));
    assert!(text.contains("… 4 more"), "{text}");
}

#[test]
fn a_refused_file_is_named_and_exits_1_while_the_rest_imports() {
    let dir = tempfile::tempdir().unwrap();
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/sarif");
    let output = cli(dir.path(), &["import", &format!("{samples}/edge")]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains("codeql-action.invalid-sarif.sarif is not valid SARIF 2.1.0"),
        "{out}"
    );
    assert!(out.contains("1 new"), "{out}");
    assert_eq!(
        stderr(&output).trim(),
        "ox-teams-cli: 1 file(s) were refused; the others were imported"
    );
    assert_eq!(
        cli(dir.path(), &["issues", "--tool", "nope"]).status.code(),
        Some(0)
    );
    assert_eq!(
        cli(dir.path(), &["issues", "--severity", "severe"])
            .status
            .code(),
        Some(2)
    );
}

/// Runs the CLI with `input` on its standard input.
fn cli_with_input(data_dir: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ox-teams-cli"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/ox-teams-test-bus",
        )
        .env_remove("OX_TEAMS_DATA_DIR")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ox-teams-cli runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_pipeline_pipes_its_report_in_and_each_pipeline_is_its_own_scope() {
    let dir = tempfile::tempdir().unwrap();
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/sarif");
    let bandit = std::fs::read(format!("{samples}/bandit-generated.sarif")).unwrap();
    let output = cli_with_input(dir.path(), &["import", "-", "--name", "ci/main"], &bandit);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("6 new"), "{}", stdout(&output));
    // Another pipeline's empty report fixes nothing of ci/main's.
    let empty =
        br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Bandit"}},"results":[]}]}"#;
    let other = cli_with_input(dir.path(), &["import", "-", "--name", "ci/nightly"], empty);
    assert!(other.status.success(), "{}", stderr(&other));
    assert!(stdout(&other).contains("0 fixed"), "{}", stdout(&other));
    // The same pipeline's empty report fixes them.
    let fixed = cli_with_input(dir.path(), &["import", "-", "--name", "ci/main"], empty);
    assert!(stdout(&fixed).contains("6 fixed"), "{}", stdout(&fixed));
    // A cut-off report is refused, saying so.
    let cut = cli_with_input(dir.path(), &["import", "-"], &bandit[..bandit.len() / 2]);
    assert_eq!(cut.status.code(), Some(1));
    assert!(stdout(&cut).contains("cut off"), "{}", stdout(&cut));
}

#[test]
fn a_watched_folder_is_added_polled_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let reports = tempfile::tempdir().unwrap();
    let added = cli(
        dir.path(),
        &[
            "sources",
            "add",
            "folder",
            &reports.path().display().to_string(),
        ],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../tests/fixtures/sarif");
    std::fs::copy(
        format!("{samples}/semgrep-generated.sarif"),
        reports.path().join("semgrep.sarif"),
    )
    .unwrap();
    // One run waits for the new report to settle and imports it.
    let first = cli(dir.path(), &["sources", "poll"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("3 new"), "{}", stdout(&first));
    let second = cli(dir.path(), &["sources", "poll"]);
    assert!(
        stdout(&second).contains("nothing new"),
        "{}",
        stdout(&second)
    );
    let listed = stdout(&cli(dir.path(), &["sources", "list"]));
    assert!(listed.contains("found 3 new at"), "{listed}");
    // Adding it twice says so.
    let again = cli(
        dir.path(),
        &[
            "sources",
            "add",
            "folder",
            &reports.path().display().to_string(),
        ],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("it is watched already"),
        "{}",
        stderr(&again)
    );
}
