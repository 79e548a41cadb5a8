//! Findings that arrive by themselves: a watched folder imports a report once it stops changing
//! and a workflow's card reaches the channel without anyone importing; GitHub's alerts are read
//! from the sandbox's GitHub stand-in (through Prism, checked against GitHub's own OpenAPI
//! description), unchanged lists cost a 304, dismissed and reopened alerts move the finding,
//! and a refused token, a missing permission and the rate limit each say what to do.

use std::time::Duration;

use ox_teams_core::ErrorCode;
use ox_teams_core::clock::Clock;
use ox_teams_core::issues::{IssueFilter, IssueState};
use ox_teams_core::secrets::Secret;
use ox_teams_core::sources::{GitHubDraft, Source};
use ox_teams_core::workflows::{ApplyTo, Conditions, WorkflowDefinition};
use ox_teams_sandbox::github::DEMO_TOKEN;
use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use ox_teams_tests::oracles::PrismProxy;
use ox_teams_tests::{TestCore, contoso, core_against, fixtures_dir};
use serde_json::{Value, json};

fn report(issues: &[(&str, &str)]) -> String {
    let issues: Vec<Value> = issues
        .iter()
        .map(|(id, description)| {
            json!({ "id": id, "title": format!("Finding {id}"), "severity": "high", "tool": "Semgrep",
                    "rule": format!("rules.{id}"), "path": format!("src/{id}.py"), "line": 3,
                    "description": description })
        })
        .collect();
    json!({ "format": "ox-teams-issues/1", "issues": issues }).to_string()
}

async fn channel_cards(sandbox: &Sandbox) -> usize {
    let all: Value = reqwest::get(format!("{}/_sandbox/messages", sandbox.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    all["channels"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["messages"].as_array().map_or(0, Vec::len))
        .sum()
}

async fn send_all(t: &TestCore) {
    for _ in 0..20 {
        let report = t.core.outbox().dispatch(100).await.unwrap();
        if report.next_due.is_none() {
            return;
        }
        t.clock.advance(Duration::from_secs(2));
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_in_a_watched_folder_is_imported_once_it_stops_changing_and_workflows_send_it() {
    let s = contoso(false).await;
    let t = &s.t;
    t.core
        .workflows()
        .save(
            None,
            WorkflowDefinition {
                name: "Everything to SecOps".into(),
                enabled: true,
                conditions: Conditions::default(),
                recipients: vec![s.channel.clone()],
                fallback: vec![s.adele.clone()],
                comment: String::new(),
                apply_to: ApplyTo::NewOrUpdatedIssues,
                schedule: None,
                identity: Default::default(),
                on_change: Default::default(),
                announce_fixes: true,
                skip_acknowledged: false,
                quiet_hours: None,
                owners: Default::default(),
                mentions: Vec::new(),
            },
        )
        .unwrap();
    let folder = tempfile::tempdir().unwrap();
    let watched = folder.path().join("reports");
    std::fs::create_dir(&watched).unwrap();
    let source = t.core.sources().add_folder(&watched).unwrap();
    // The folder holding the app's own data would wake the poller with every write it makes.
    let error = t
        .core
        .sources()
        .add_folder(t.dir.path().parent().unwrap())
        .unwrap_err();
    assert!(
        error.to_string().contains("the app's own data folder"),
        "{error}"
    );
    let file = watched.join("ci/semgrep.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();

    // Half a report: being written. Nothing is read yet.
    let full = report(&[("a", "first"), ("b", "first")]);
    std::fs::write(&file, &full[..full.len() / 2]).unwrap();
    let poll = &t.core.sources().poll(None).await.unwrap().polls[0];
    assert_eq!((poll.pending, poll.imported.len()), (1, 0), "{poll:?}");
    // The rest arrives; still changing on this look, so still not read.
    std::fs::write(&file, &full).unwrap();
    let poll = &t.core.sources().poll(None).await.unwrap().polls[0];
    assert_eq!((poll.pending, poll.imported.len()), (1, 0), "{poll:?}");
    // Unchanged for two seconds: imported, and the workflow's cards go out.
    t.clock.advance(Duration::from_secs(3));
    let poll = &t.core.sources().poll(None).await.unwrap().polls[0];
    assert_eq!(poll.found.new, 2, "{poll:?}");
    assert!(poll.error.is_none(), "{poll:?}");
    send_all(t).await;
    assert_eq!(channel_cards(&s.sandbox).await, 2);
    let listed = t.core.sources().get(&source.id).unwrap();
    assert_eq!(listed.found_summary, "2 new");
    assert_eq!(
        t.core
            .issues()
            .get(&poll_issue(t, "Finding a"))
            .unwrap()
            .scope,
        format!(
            "Semgrep · {}",
            std::fs::canonicalize(&file).unwrap().display()
        ),
        "each file is its own scope, by its whole path"
    );

    // The same version is not read again.
    t.clock.advance(Duration::from_secs(3));
    let poll = &t.core.sources().poll(None).await.unwrap().polls[0];
    assert!(poll.imported.is_empty() && poll.pending == 0, "{poll:?}");

    // A newer report: only the changed finding is sent again (in its thread); b is gone, fixed.
    std::fs::write(&file, report(&[("a", "second")])).unwrap();
    t.core.sources().poll(None).await.unwrap();
    t.clock.advance(Duration::from_secs(3));
    let poll = &t.core.sources().poll(None).await.unwrap().polls[0];
    assert_eq!((poll.found.updated, poll.found.fixed), (1, 1), "{poll:?}");
    send_all(t).await;
    // a's update is a reply in its thread; b's fix is announced in its thread.
    let all: Value = reqwest::get(format!("{}/_sandbox/messages", s.sandbox.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let messages = all["channels"][0]["messages"].as_array().unwrap();
    let replies = messages
        .iter()
        .filter(|m| m["replyToId"].is_string())
        .count();
    assert_eq!((messages.len(), replies), (4, 2), "{all}");

    // A broken report is refused with the reason and tried again only when it changes.
    std::fs::write(&file, "{ \"format\": \"ox-teams-issues/1\", \"issues\": [").unwrap();
    t.clock.advance(Duration::from_secs(30));
    t.core.sources().poll(None).await.unwrap();
    t.clock.advance(Duration::from_secs(3));
    let poll = &t.core.sources().poll(None).await.unwrap().polls[0];
    let error = poll.error.clone().expect("the refusal is said");
    assert_eq!(error.code, ErrorCode::InvalidFindings);
    assert!(error.message.contains("semgrep.json"), "{error:?}");
    // It is not read again until it changes, and the refusal stays said until then.
    t.clock.advance(Duration::from_secs(30));
    let quiet = &t.core.sources().poll(None).await.unwrap().polls[0];
    assert!(quiet.imported.is_empty(), "{quiet:?}");
    assert_eq!(
        t.core
            .sources()
            .get(&source.id)
            .unwrap()
            .error
            .map(|e| e.code),
        Some(ErrorCode::InvalidFindings)
    );
    assert_eq!(
        t.core
            .issues()
            .get(&poll_issue(t, "Finding a"))
            .unwrap()
            .state,
        IssueState::Open
    );

    // The folder goes away: said in a sentence, and nothing is fixed by it.
    let moved = folder.path().join("elsewhere");
    std::fs::rename(&watched, &moved).unwrap();
    let poll = &t.core.sources().poll(None).await.unwrap().polls[0];
    let error = poll.error.clone().expect("a missing folder is said");
    assert!(error.message.contains("is not there now"), "{error:?}");
    assert_eq!(
        t.core
            .issues()
            .get(&poll_issue(t, "Finding a"))
            .unwrap()
            .state,
        IssueState::Open
    );
    // It comes back with a good report: read again.
    std::fs::rename(&moved, &watched).unwrap();
    std::fs::write(&file, report(&[("a", "third")])).unwrap();
    t.core.sources().poll(None).await.unwrap();
    t.clock.advance(Duration::from_secs(3));
    let poll = &t.core.sources().poll(None).await.unwrap().polls[0];
    assert_eq!(poll.found.updated, 1, "{poll:?}");
    assert!(poll.error.is_none(), "{poll:?}");
}

fn poll_issue(t: &TestCore, title: &str) -> String {
    t.core
        .issues()
        .list(
            &IssueFilter {
                text: title.into(),
                ..IssueFilter::default()
            },
            0,
            10,
        )
        .unwrap()
        .issues
        .into_iter()
        .find(|i| i.title == title)
        .unwrap_or_else(|| panic!("no issue {title}"))
        .id
}

/// The stand-in's alerts of one repository, by kind.
async fn alerts(sandbox: &Sandbox, repo: &str) -> Value {
    let state: Value = reqwest::get(format!("{}/_sandbox/github/state", sandbox.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    state["repos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["full_name"] == repo)
        .cloned()
        .unwrap()
}

async fn control(sandbox: &Sandbox, path: &str, body: Value) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(format!("{}/_sandbox/github/{path}", sandbox.url()))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

async fn github_source(t: &TestCore, url: &str, repo: &str, token: &str) -> Source {
    t.core
        .sources()
        .add_github(
            &GitHubDraft {
                url: url.into(),
                repos: vec![repo.into()],
                ..GitHubDraft::default()
            },
            Secret::new(token),
        )
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn github_alerts_become_findings_through_githubs_own_description() {
    let sandbox = Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap();
    let prism = PrismProxy::start(
        &fixtures_dir().join("github/github-rest-alerts-subset.openapi.json"),
        &format!("{}/github", sandbox.url()),
    );
    // Links in GitHub's answers (the next page) name the proxy, as they would name GitHub.
    assert!(
        control(&sandbox, "api-base", json!({ "url": prism.url }))
            .await
            .is_success()
    );
    let t = core_against(
        sandbox.url(),
        "contoso.onmicrosoft.com",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    );
    let source = github_source(&t, &prism.url, "contoso/payments-api", DEMO_TOKEN).await;
    assert_eq!(source.name, "GitHub 127.0.0.1 · contoso/payments-api");

    let repo = alerts(&sandbox, "contoso/payments-api").await;
    let count = |kind: &str, states: &[&str]| {
        repo[kind]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| states.contains(&a["state"].as_str().unwrap()))
            .count() as u64
    };
    let open = count("code_scanning", &["open"])
        + count("dependabot", &["open"])
        + count("secret_scanning", &["open"]);
    let poll = t.core.sources().poll(None).await.unwrap().polls.remove(0);
    assert!(poll.error.is_none(), "{poll:?}");
    assert_eq!(poll.requests, 3, "one page per list: {poll:?}");
    assert_eq!(poll.found.new, open, "{poll:?}");
    assert!(
        poll.found.suppressed >= count("code_scanning", &["dismissed"]),
        "{poll:?}"
    );

    // A code scanning alert: its rule, place, severity and link to the alert's page.
    let alert = repo["code_scanning"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["state"] == "open")
        .unwrap()
        .clone();
    let link = alert["html_url"].as_str().unwrap();
    let issues = t
        .core
        .issues()
        .list(&IssueFilter::default(), 0, 100)
        .unwrap()
        .issues;
    let issue = issues
        .iter()
        .find(|i| i.link.as_deref() == Some(link))
        .expect("the alert's finding");
    assert_eq!(issue.rule_id, alert["rule"]["id"].as_str().unwrap());
    assert_eq!(
        issue.path.as_deref(),
        alert["most_recent_instance"]["location"]["path"].as_str()
    );
    // Another server than github.com is named in the scope, so two servers' repositories of
    // the same name never fix each other's findings.
    assert_eq!(
        issue.scope,
        "GitHub code scanning · 127.0.0.1/contoso/payments-api"
    );

    // Neither the exposed secrets nor the source's own token reach the database; the token is
    // in the keychain only.
    let database = std::fs::read(t.core.database_path()).unwrap();
    let wal =
        std::fs::read(t.core.database_path().with_extension("sqlite3-wal")).unwrap_or_default();
    let mut secrets: Vec<String> = repo["secret_scanning"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["secret"].as_str().unwrap().to_string())
        .collect();
    secrets.push(DEMO_TOKEN.to_string());
    for value in &secrets {
        for bytes in [&database, &wal] {
            assert!(
                !bytes.windows(value.len()).any(|w| w == value.as_bytes()),
                "a secret was stored"
            );
        }
    }
    assert_eq!(
        t.secrets.names(),
        vec![format!("github-token:{}", source.id)]
    );

    // Nothing changed: three 304s, nothing imported.
    let poll = t.core.sources().poll(None).await.unwrap().polls.remove(0);
    assert_eq!((poll.requests, poll.not_modified), (3, 3), "{poll:?}");
    assert!(poll.imported.is_empty(), "{poll:?}");

    // Dismissed on GitHub: suppressed here; reopened: open again.
    let number = alert["number"].as_i64().unwrap();
    let action = |what: &str| format!("repos/contoso/payments-api/code-scanning/{number}/{what}");
    assert!(
        control(
            &sandbox,
            &action("dismiss"),
            json!({ "reason": "false positive" })
        )
        .await
        .is_success()
    );
    let poll = t.core.sources().poll(None).await.unwrap().polls.remove(0);
    assert_eq!(
        (poll.found.suppressed, poll.not_modified),
        (1, 2),
        "{poll:?}"
    );
    assert_eq!(
        t.core.issues().get(&issue.id).unwrap().state,
        IssueState::Suppressed
    );
    assert!(
        control(&sandbox, &action("reopen"), json!({}))
            .await
            .is_success()
    );
    let poll = t.core.sources().poll(None).await.unwrap().polls.remove(0);
    assert_eq!(poll.found.reopened, 1, "{poll:?}");
    assert_eq!(
        t.core.issues().get(&issue.id).unwrap().state,
        IssueState::Open
    );
    // Fixed on GitHub: fixed here.
    assert!(
        control(&sandbox, &action("fix"), json!({}))
            .await
            .is_success()
    );
    let poll = t.core.sources().poll(None).await.unwrap().polls.remove(0);
    assert_eq!(poll.found.fixed, 1, "{poll:?}");
    assert_eq!(
        t.core.issues().get(&issue.id).unwrap().state,
        IssueState::Fixed
    );

    // GitHub's description knows every request and answer; it only omits the 304 some lists
    // answer to If-None-Match (GitHub sends it; the description does not list it).
    let violations: Vec<String> = prism
        .violations_by_request()
        .into_iter()
        .filter(|(_, v)| !v.contains("Unable to match the returned status code"))
        .map(|(request, violation)| format!("{request}: {violation}"))
        .collect();
    assert!(
        violations.is_empty(),
        "GitHub's description refuses:\n{}",
        violations.join("\n")
    );
    assert!(
        prism
            .requests()
            .iter()
            .any(|r| r.contains("/dependabot/alerts")),
        "{:?}",
        prism.requests()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organisation_is_read_page_by_page_and_a_quiet_poll_costs_one_request_per_list() {
    let sandbox = Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap();
    assert!(
        control(
            &sandbox,
            "generate",
            json!({ "org": "bench", "repos": 3, "alerts_per_repo": 150 })
        )
        .await
        .is_success()
    );
    let t = core_against(
        sandbox.url(),
        "contoso.onmicrosoft.com",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    );
    t.core
        .sources()
        .add_github(
            &GitHubDraft {
                url: format!("{}/github", sandbox.url()),
                org: Some("bench".into()),
                ..GitHubDraft::default()
            },
            Secret::new(DEMO_TOKEN),
        )
        .await
        .unwrap();
    let poll = t.core.sources().poll(None).await.unwrap().polls.remove(0);
    assert!(poll.error.is_none(), "{poll:?}");
    let findings: u64 = poll
        .imported
        .iter()
        .map(|f| match f {
            ox_teams_core::issues::FileImport::Imported { findings, .. } => *findings,
            _ => 0,
        })
        .sum();
    // 450 alerts, split 6:3:1 across the three lists, read 100 a page.
    assert!(findings >= 400, "{findings} {poll:?}");
    assert!(poll.requests >= 6, "paged: {poll:?}");
    let quiet = t.core.sources().poll(None).await.unwrap().polls.remove(0);
    assert_eq!((quiet.requests, quiet.not_modified), (3, 3), "{quiet:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_token_a_missing_permission_and_the_rate_limit_each_say_what_to_do() {
    let sandbox = Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap();
    let url = format!("{}/github", sandbox.url());
    let t = core_against(
        sandbox.url(),
        "contoso.onmicrosoft.com",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    );

    // A token GitHub does not know is refused before anything is stored.
    let error = t
        .core
        .sources()
        .add_github(
            &GitHubDraft {
                url: url.clone(),
                repos: vec!["contoso/payments-api".into()],
                ..GitHubDraft::default()
            },
            Secret::new("ghp_not_a_real_token"),
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::TokenRejected);
    assert!(t.core.sources().list().unwrap().is_empty());
    assert!(t.secrets.names().is_empty(), "{:?}", t.secrets.names());
    // A repository GitHub does not know, likewise.
    let error = t
        .core
        .sources()
        .add_github(
            &GitHubDraft {
                url: url.clone(),
                repos: vec!["contoso/nothing-here".into()],
                ..GitHubDraft::default()
            },
            Secret::new(DEMO_TOKEN),
        )
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("GitHub does not know contoso/nothing-here"),
        "{error}"
    );

    // A token that may read code scanning only: the other lists name the permission needed.
    assert!(
        control(
            &sandbox,
            "tokens",
            json!({ "token": "ghp_code_scanning_only", "permissions": ["security_events"] })
        )
        .await
        .is_success()
    );
    let source = github_source(&t, &url, "contoso/payments-api", "ghp_code_scanning_only").await;
    assert_eq!(
        t.secrets.names(),
        vec![format!("github-token:{}", source.id)]
    );
    let poll = t.core.sources().poll(None).await.unwrap().polls.remove(0);
    assert!(poll.found.new > 0, "code scanning was read: {poll:?}");
    let error = poll.error.expect("the missing permission is said");
    assert_eq!(error.code, ErrorCode::Forbidden);
    assert!(
        error.message.contains("Secret scanning alerts: Read"),
        "{}",
        error.message
    );
    assert_eq!(
        t.core
            .sources()
            .get(&source.id)
            .unwrap()
            .error
            .map(|e| e.code),
        Some(ErrorCode::Forbidden)
    );

    // The rate limit is used up: the source waits until it resets, and is not due before.
    assert!(
        control(&sandbox, "rate-limit", json!({ "remaining": 0 }))
            .await
            .is_success()
    );
    t.clock.advance(Duration::from_secs(600));
    let poll = t.core.sources().poll(None).await.unwrap().polls.remove(0);
    let error = poll.error.expect("the rate limit is said");
    assert_eq!(error.code, ErrorCode::Throttled);
    assert!(error.message.contains("rate limit"), "{}", error.message);
    let until = poll.waiting_until.expect("until when");
    assert!(until > t.clock.now(), "{until}");
    t.clock.advance(Duration::from_secs(360));
    if t.clock.now() < until {
        assert!(t.core.sources().poll_due().await.unwrap().polls.is_empty());
    }

    // The token is revoked: the next poll says so; removing the source deletes it.
    t.clock.advance(Duration::from_secs(7200));
    assert!(control(&sandbox, "tokens", json!({ "token": "ghp_code_scanning_only", "permissions": ["security_events"], "expired": true })).await.is_success());
    assert!(
        control(&sandbox, "rate-limit", json!({ "remaining": 5000 }))
            .await
            .is_success()
    );
    let poll = t.core.sources().poll(None).await.unwrap().polls.remove(0);
    assert_eq!(poll.error.map(|e| e.code), Some(ErrorCode::TokenRejected));
    t.core.sources().remove(&source.id).await.unwrap();
    assert!(t.secrets.names().is_empty());
}
