//! Owner routing and @mentions against the sandbox: a CODEOWNERS file decides who owns each
//! finding's file; an owner by e-mail is found in the directory, gets a chat message and is
//! @mentioned in the channel card (the sandbox checks each `<at id>` against its `mentions`
//! entry); a mapped GitHub user reaches its person; an unmapped GitHub team and an address
//! nobody has send the message to the fallback recipient with the sentence; the pre-send check
//! says when a mentioned person is not in the channel's team.

use std::path::Path;

use ox_teams_core::mentions::Mention;
use ox_teams_core::outbox::{Recipient, SendRequest};
use ox_teams_core::owners::{OwnerRouting, OwnersLocation};
use ox_teams_core::secrets::Secret;
use ox_teams_core::sources::GitHubDraft;
use ox_teams_core::workflows::{ApplyTo, WorkflowDefinition};
use ox_teams_tests::{contoso, import_ok};
use serde_json::{Value, json};

const CODEOWNERS: &str = "\
# Everything else belongs to security.
*               @acme/security
/src/pay/       adele.vance@contoso.onmicrosoft.com @acme/payments
/src/web/       @octocat
/docs/          nobody@contoso.onmicrosoft.com
";

fn report(dir: &Path, findings: &[(&str, &str, &str)]) -> std::path::PathBuf {
    let issues: Vec<Value> = findings
        .iter()
        .map(|(id, title, path)| {
            json!({ "id": id, "title": title, "severity": "high", "tool": "Semgrep",
                    "rule": format!("rules.{id}"), "path": path, "line": 7 })
        })
        .collect();
    let file = dir.join("scan.json");
    std::fs::write(
        &file,
        json!({ "format": "ox-teams-issues/1", "issues": issues }).to_string(),
    )
    .unwrap();
    file
}

async fn channel_posts(sandbox_url: &str) -> Vec<Value> {
    let all = ox_teams_tests::sandbox_messages(sandbox_url).await;
    all["channels"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["messages"].as_array().cloned().unwrap_or_default())
        .map(|m| m["message"].clone())
        .collect()
}

fn card_title(message: &Value) -> String {
    message["attachments"][0]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn owners_are_messaged_and_mentioned_and_unreachable_ones_go_to_the_fallback_with_the_reason()
{
    let s = contoso(false).await;
    let core = &s.t.core;
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join(".github")).unwrap();
    std::fs::write(repo.path().join(".github/CODEOWNERS"), CODEOWNERS).unwrap();

    // Before the file is set up, the owners cannot be named: that is the reason given.
    let none = core.owners().of_path(Some("src/pay/refund.py")).unwrap();
    assert!(
        none.unresolved[0]
            .reason
            .contains("No CODEOWNERS file is set up")
    );

    core.owners()
        .set_location(Some(OwnersLocation::Folder {
            path: repo.path().display().to_string(),
        }))
        .await
        .unwrap();
    let looked_up = core.owners().look_up_addresses(false).await.unwrap();
    assert_eq!(looked_up, 2, "adele and nobody, once each");
    assert_eq!(core.owners().look_up_addresses(false).await.unwrap(), 0);
    let alex = core
        .directory()
        .resolve_recipient("user:alex.wilber@contoso.onmicrosoft.com")
        .await
        .unwrap();
    let diego = core
        .directory()
        .resolve_recipient("user:diego.siciliani@contoso.onmicrosoft.com")
        .await
        .unwrap();
    core.owners().map("@OctoCat", Some(&alex)).unwrap();
    let refused = core.owners().map(
        "@acme/payments",
        Some(&Recipient::Chat {
            chat_id: "19:x".into(),
            title: "Ops".into(),
        }),
    );
    assert!(refused.is_err(), "an owner maps to a person or channel");

    let view = core.owners().view().unwrap();
    let status = |owner: &str| {
        view.owners
            .iter()
            .find(|o| o.owner == owner)
            .map(|o| o.status.clone())
            .unwrap()
    };
    assert_eq!(
        status("adele.vance@contoso.onmicrosoft.com"),
        "Adele Vance, found in the directory"
    );
    assert_eq!(status("@octocat"), "Mapped to Alex Wilber");
    assert_eq!(status("@acme/payments"), "No Teams mapping");
    assert_eq!(
        status("nobody@contoso.onmicrosoft.com"),
        "Not in the directory"
    );

    let definition = WorkflowDefinition {
        name: "Owners first".into(),
        enabled: true,
        conditions: Default::default(),
        recipients: vec![s.channel.clone()],
        fallback: vec![diego.clone()],
        comment: String::new(),
        apply_to: ApplyTo::NewOrUpdatedIssues,
        schedule: None,
        identity: Default::default(),
        on_change: Default::default(),
        announce_fixes: true,
        skip_acknowledged: false,
        quiet_hours: None,
        owners: OwnerRouting {
            message: true,
            mention: true,
        },
        mentions: Vec::new(),
    };
    core.workflows().save(None, definition.clone()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    import_ok(
        core,
        &report(
            dir.path(),
            &[
                ("pay", "Refund amount not checked", "src/pay/refund.py"),
                ("web", "Reflected XSS in search", "./src/web/search.ts"),
                ("doc", "Secret in an example", "docs/setup.md"),
            ],
        ),
    );
    let report = core.outbox().dispatch(100).await.unwrap();
    assert_eq!(report.failed, 0, "{report:?}");

    let deliveries = core.outbox().deliveries(100).unwrap();
    let to = |title: &str| -> Vec<(String, Option<String>)> {
        let mut found: Vec<(String, Option<String>)> = deliveries
            .iter()
            .filter(|d| d.issue_title == title)
            .map(|d| (d.label.clone(), d.note.clone()))
            .collect();
        found.sort();
        found
    };
    assert_eq!(
        to("Refund amount not checked"),
        vec![
            (
                "Adele Vance".to_string(),
                Some(
                    "Owner of src/pay/refund.py (adele.vance@contoso.onmicrosoft.com).".to_string()
                )
            ),
            (
                "Diego Siciliani".to_string(),
                Some("Fallback: @acme/payments has no Teams mapping.".to_string())
            ),
            ("Security Operations › General".to_string(), None),
        ]
    );
    assert_eq!(
        to("Reflected XSS in search")
            .into_iter()
            .map(|d| d.0)
            .collect::<Vec<_>>(),
        ["Alex Wilber", "Security Operations › General"]
    );
    assert_eq!(
        to("Secret in an example"),
        vec![
            (
                "Diego Siciliani".to_string(),
                Some(
                    "Fallback: nobody@contoso.onmicrosoft.com is not in your \
                     organisation's directory."
                        .to_string()
                )
            ),
            ("Security Operations › General".to_string(), None),
        ]
    );
    assert!(
        deliveries
            .iter()
            .all(|d| d.status == ox_teams_core::outbox::DeliveryStatus::Sent),
        "{deliveries:#?}"
    );

    // The channel's cards @mention the owners who are people; the sandbox accepted each
    // `<at id>` only because it matched its `mentions` entry.
    let posts = channel_posts(s.sandbox.url()).await;
    let pay = posts
        .iter()
        .find(|m| card_title(m).contains("Refund amount not checked"))
        .unwrap();
    assert_eq!(
        pay["body"]["content"]
            .as_str()
            .unwrap()
            .split("<attachment")
            .next()
            .unwrap(),
        "<p><at id=\"0\">Adele Vance</at></p>"
    );
    let adele_id = match &s.adele {
        Recipient::Person { user_id, .. } => user_id.clone(),
        _ => unreachable!(),
    };
    assert_eq!(pay["mentions"][0]["mentioned"]["user"]["id"], adele_id);
    let web = posts
        .iter()
        .find(|m| card_title(m).contains("Reflected XSS"))
        .unwrap();
    assert_eq!(web["mentions"][0]["mentionText"], "Alex Wilber");
    let doc = posts
        .iter()
        .find(|m| card_title(m).contains("Secret in an example"))
        .unwrap();
    assert!(doc["mentions"].as_array().is_none_or(Vec::is_empty));

    let runs = core
        .workflows()
        .history(&core.workflows().list().unwrap()[0].id, 10)
        .unwrap();
    assert!(
        runs[0]
            .summary
            .contains("2 had an owner Teams cannot reach: the fallback recipients got them."),
        "{}",
        runs[0].summary
    );

    // The dry run shows each finding's owners.
    let dry = core.workflows().dry_run(&definition, None).unwrap();
    let item = dry
        .items
        .iter()
        .find(|i| i.title == "Refund amount not checked")
        .unwrap();
    let owners = item.owners.as_ref().unwrap();
    assert_eq!(
        owners.rule.as_deref(),
        Some("Line 3: /src/pay/ adele.vance@contoso.onmicrosoft.com @acme/payments")
    );
    assert_eq!(item.mentions, ["Adele Vance"]);
    assert_eq!(
        item.notes,
        ["Fallback: @acme/payments has no Teams mapping."]
    );

    // A person's send @mentioning someone outside the channel's team is warned about.
    let issue = core
        .issues()
        .list(&Default::default(), 0, 10)
        .unwrap()
        .issues
        .into_iter()
        .find(|i| i.title == "Refund amount not checked")
        .unwrap();
    let preview = core
        .outbox()
        .preview(&SendRequest {
            issue_id: issue.id.clone(),
            recipients: vec![s.channel.clone()],
            comment: String::new(),
            identity: Default::default(),
            as_group: false,
            owners: OwnerRouting {
                message: false,
                mention: true,
            },
            mentions: vec![
                Mention::Person {
                    user_id: match &alex {
                        Recipient::Person { user_id, .. } => user_id.clone(),
                        _ => unreachable!(),
                    },
                    name: "Alex Wilber".into(),
                },
                Mention::Channel,
            ],
        })
        .await
        .unwrap();
    let check = &preview.recipients[0];
    assert_eq!(check.mentions, ["Alex Wilber", "General", "Adele Vance"]);
    assert_eq!(
        check.mention_warnings,
        ["Alex Wilber is not a member of Security Operations: the @mention will not notify them."]
    );
}

async fn put_file(sandbox_url: &str, repo: &str, path: &str, text: &str) {
    let status = reqwest::Client::new()
        .post(format!("{sandbox_url}/_sandbox/github/files"))
        .json(&json!({ "repo": repo, "path": path, "text": text }))
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn codeowners_is_fetched_through_a_github_source_and_its_last_copy_outlives_a_failed_fetch() {
    let s = contoso(false).await;
    let core = &s.t.core;
    let url = s.sandbox.url().to_string();
    put_file(&url, "contoso/shop", "docs/CODEOWNERS", "/api/ @acme/api\n").await;
    put_file(
        &url,
        "contoso/shop",
        "CODEOWNERS",
        "* @acme/everyone\n/api/ @acme/payments\n",
    )
    .await;
    let source = core
        .sources()
        .add_github(
            &GitHubDraft {
                url: format!("{url}/github"),
                repos: vec!["contoso/shop".into()],
                ..GitHubDraft::default()
            },
            Secret::new(ox_teams_sandbox::github::DEMO_TOKEN),
        )
        .await
        .unwrap();

    // A repository without the file is refused, and nothing changes.
    put_file(&url, "contoso/empty", "README.md", "hello").await;
    let nowhere = core
        .owners()
        .set_location(Some(OwnersLocation::Github {
            source_id: source.id.clone(),
            repo: "contoso/empty".into(),
        }))
        .await
        .unwrap_err();
    assert_eq!(
        nowhere.to_string(),
        "contoso/empty has no CODEOWNERS file on its default branch: GitHub reads \
         .github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS."
    );
    assert!(core.owners().view().unwrap().location.is_none());

    // The root file comes before docs/, as on GitHub.
    core.owners()
        .set_location(Some(OwnersLocation::Github {
            source_id: source.id.clone(),
            repo: "contoso/shop".into(),
        }))
        .await
        .unwrap();
    let owners = core.owners().of_path(Some("api/refund.go")).unwrap();
    assert_eq!(owners.rule.as_deref(), Some("Line 2: /api/ @acme/payments"));
    let view = core.owners().view().unwrap();
    assert_eq!(
        view.file.as_deref(),
        Some("contoso/shop › CODEOWNERS on GitHub")
    );
    assert!(view.fetched_at.is_some());
    assert!(view.problem.is_none());

    // The token is revoked: the fetch fails, says why, and the last copy is still used.
    let revoked = reqwest::Client::new()
        .post(format!("{url}/_sandbox/github/tokens"))
        .json(&json!({ "token": ox_teams_sandbox::github::DEMO_TOKEN, "expired": true }))
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success());
    assert!(core.owners().refresh().await.is_err());
    let view = core.owners().view().unwrap();
    let problem = view.problem.unwrap().message;
    assert!(problem.contains("GitHub refused the token"), "{problem}");
    assert!(
        problem.contains("is used until a fetch succeeds"),
        "{problem}"
    );
    assert_eq!(
        core.owners()
            .of_path(Some("api/refund.go"))
            .unwrap()
            .rule
            .as_deref(),
        Some("Line 2: /api/ @acme/payments")
    );
}
