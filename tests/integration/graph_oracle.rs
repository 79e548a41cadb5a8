//! Every Graph request the send flow makes (sign-in's profile, teams, channels, people search,
//! the pre-send check, a new one-on-one chat, a chat message and a channel message, then a
//! reply in the channel thread, the chat card edited in place, and the chat read back) passes
//! Microsoft's own Graph v1.0 OpenAPI description, checked by Stoplight Prism in proxy mode in
//! front of the sandbox.

use std::path::PathBuf;

use ox_teams_core::directory::Freshness;
use ox_teams_core::issues::{CancelFlag, IssueFilter};
use ox_teams_core::outbox::{Recipient, SendRequest};
use ox_teams_core::settings::SettingKey;
use ox_teams_core::workflows::{ApplyTo, Conditions, OnChange, WorkflowDefinition};
use ox_teams_sandbox::{Sandbox, SandboxOptions, tenant};
use ox_teams_tests::browser::Decision;
use ox_teams_tests::oracles::PrismProxy;
use ox_teams_tests::{core_against, fixtures_dir, sarif_samples, sign_in_as};
use serde_json::Value;

/// Microsoft's description puts `/v1.0` in its server address; the app puts it in the path.
/// The same description with the prefix moved into each path lets Prism match what is sent.
fn description_with_version_in_paths(folder: &std::path::Path) -> PathBuf {
    let text = std::fs::read_to_string(
        fixtures_dir().join("graph/graph-v1.0-teams-subset.slim.openapi.json"),
    )
    .unwrap();
    let mut spec: Value = serde_json::from_str(&text).unwrap();
    let paths = spec["paths"].as_object().unwrap().clone();
    spec["paths"] = Value::Object(
        paths
            .into_iter()
            .map(|(path, item)| (format!("/v1.0{path}"), item))
            .collect(),
    );
    spec["servers"] = serde_json::json!([{ "url": "/" }]);
    let file = folder.join("graph-v1.0.openapi.json");
    std::fs::write(&file, spec.to_string()).unwrap();
    file
}

#[tokio::test(flavor = "multi_thread")]
async fn the_send_flow_makes_only_requests_microsofts_graph_description_allows() {
    let sandbox = Sandbox::start(SandboxOptions::new(tenant::small(1)), 0)
        .await
        .unwrap();
    let folder = tempfile::tempdir().unwrap();
    let prism = PrismProxy::start(
        &description_with_version_in_paths(folder.path()),
        sandbox.url(),
    );
    let t = core_against(
        sandbox.url(),
        "contoso.onmicrosoft.com",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    );
    // Sign-in stays with the sandbox's Entra ID; every Graph call goes through Prism.
    t.core
        .set_setting(SettingKey::GraphUrl, &prism.url)
        .unwrap();
    sign_in_as(
        &t.core,
        "megan.bowen@contoso.onmicrosoft.com",
        Decision::Accept,
        None,
    )
    .await
    .unwrap();
    t.core
        .issues()
        .import(
            &[sarif_samples().join("semgrep-generated.sarif")],
            &mut |_| {},
            &CancelFlag::default(),
        )
        .unwrap();
    let issue = t
        .core
        .issues()
        .list(&IssueFilter::default(), 0, 1)
        .unwrap()
        .issues
        .remove(0);

    let team = t
        .core
        .directory()
        .teams(Freshness::Recent)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|t| t.name == "Security Operations")
        .unwrap();
    let channel = t
        .core
        .directory()
        .channels(&team.id, Freshness::Recent)
        .await
        .unwrap()
        .items
        .remove(0);
    let adele = t
        .core
        .directory()
        .people("adele", Freshness::Recent)
        .await
        .unwrap()
        .items
        .remove(0);
    let request = SendRequest {
        issue_id: issue.id.clone(),
        recipients: vec![
            Recipient::Channel {
                team_id: team.id.clone(),
                channel_id: channel.id.clone(),
                team_name: team.name.clone(),
                channel_name: channel.name.clone(),
            },
            adele.recipient.clone(),
        ],
        comment: "Checked against Microsoft's description".into(),
        identity: Default::default(),
        as_group: false,
        owners: Default::default(),
        mentions: Vec::new(),
    };
    let preview = t.core.outbox().preview(&request).await.unwrap();
    assert!(
        preview.recipients.iter().all(|r| r.problem.is_none()),
        "{:?}",
        preview.recipients
    );
    t.core.outbox().send(&request).unwrap();
    let report = t.core.outbox().dispatch(10).await.unwrap();
    assert_eq!(report.sent, 2, "{report:?}");

    // A workflow about the same finding follows the first messages: a reply in the channel
    // thread, the chat's card edited in place. Then the chat is read back for answers.
    t.core
        .workflows()
        .save(
            None,
            WorkflowDefinition {
                name: "Follow-ups".into(),
                enabled: true,
                conditions: Conditions {
                    rules: vec![issue.rule_id.clone()],
                    paths: issue.path.clone().into_iter().collect(),
                    text: issue.title.clone(),
                    ..Conditions::default()
                },
                recipients: request.recipients.clone(),
                fallback: vec![adele.recipient.clone()],
                comment: String::new(),
                apply_to: ApplyTo::NewUpdatedOrExistingIssues,
                schedule: None,
                identity: Default::default(),
                on_change: OnChange::Follow,
                announce_fixes: true,
                skip_acknowledged: false,
                quiet_hours: None,
                owners: Default::default(),
                mentions: Vec::new(),
            },
        )
        .unwrap();
    // Teams allows one post a second in a thread, in real time.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let report = t.core.outbox().dispatch(10).await.unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    t.core.outbox().read_answers().await.unwrap();

    let requests = prism.requests();
    for expected in [
        "get /v1.0/me",
        "get /v1.0/me/joinedTeams",
        "post /v1.0/chats",
        "patch /v1.0/chats/",
    ] {
        assert!(
            requests.iter().any(|r| r.starts_with(expected)),
            "Prism saw no {expected}: {requests:?}"
        );
    }
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("post /v1.0/teams/") && r.ends_with("/messages")),
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("post /v1.0/chats/") && r.ends_with("/messages")),
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("post /v1.0/teams/") && r.ends_with("/replies")),
        "{requests:?}"
    );
    // Microsoft's page says an edit answers "204 No Content"
    // (https://learn.microsoft.com/graph/api/chatmessage-update), as the sandbox does; the
    // generated description gives every PATCH a JSON body. That one difference is expected.
    let violations: Vec<String> = prism
        .violations_by_request()
        .into_iter()
        .filter(|(request, violation)| {
            !(request.starts_with("patch /v1.0/chats/")
                && (violation.contains("Violation: response The received media type \"\"")
                    || violation.contains("Violation: response.body Response body must be object")))
        })
        .map(|(request, violation)| format!("{request}: {violation}"))
        .collect();
    assert!(
        violations.is_empty(),
        "Microsoft's Graph description refuses:\n{}",
        violations.join("\n")
    );

    // The oracle itself can fail: a chat with a made-up type is reported.
    let token = "not-a-token";
    let _ = reqwest::Client::new()
        .post(format!("{}/v1.0/chats", prism.url))
        .bearer_auth(token)
        .json(&serde_json::json!({ "chatType": 42, "members": "everyone" }))
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !prism.violations().is_empty(),
        "Prism noticed nothing wrong with a broken request"
    );
}
