//! The GitHub stand-in as a poller meets it, through the sandbox's router.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tower::ServiceExt;

use super::DEMO_TOKEN;
use crate::world::World;

const BASE: &str = "http://sandbox.test";

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&self.body));
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `rel="next"` URL of the `Link` header, as a path and query.
    fn next(&self) -> Option<String> {
        self.header("link")?.split(", ").find_map(|part| {
            let (url, rel) = part.split_once("; ")?;
            (rel == "rel=\"next\"").then(|| {
                url.trim_matches(|c| c == '<' || c == '>')
                    .strip_prefix(BASE)
                    .expect("an absolute link")
                    .to_string()
            })
        })
    }

    fn remaining(&self) -> u32 {
        self.header("x-ratelimit-remaining")
            .expect("rate limit headers")
            .parse()
            .expect("a number")
    }
}

fn app() -> (Router, crate::Shared) {
    let mut world = World::new(crate::tenant::small(1), 1, false);
    world.base_url = BASE.into();
    let shared = Arc::new(Mutex::new(world));
    (crate::router(shared.clone()), shared)
}

async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = match body {
        Some(json) => {
            request = request.header("content-type", "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(request.body(body).expect("a request"))
        .await
        .expect("an answer");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body")
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

async fn get(app: &Router, uri: &str, token: &str) -> Answer {
    let auth = format!("Bearer {token}");
    send(app, "GET", uri, &[("authorization", &auth)], None).await
}

/// Follows `rel="next"` from `first`; returns every item and how many pages it took.
async fn walk(app: &Router, first: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut next = Some(first.to_string());
    while let Some(uri) = next {
        let answer = get(app, &uri, DEMO_TOKEN).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}: {:?}", answer.json());
        items.extend(answer.json().as_array().expect("a list").iter().cloned());
        pages += 1;
        next = answer.next();
        assert!(pages < 1000, "the links never end");
    }
    (items, pages)
}

fn identity(alert: &Value) -> (String, u64) {
    let repo = alert["repository"]["full_name"]
        .as_str()
        .unwrap_or_default();
    (
        repo.to_string(),
        alert["number"].as_u64().expect("a number"),
    )
}

#[tokio::test]
async fn paging_with_link_headers_walks_every_alert() {
    let (app, shared) = app();
    shared.lock().await.github.generate("bench", 3, 100);
    let count = |kind: super::Kind| {
        let shared = shared.clone();
        async move {
            let world = shared.lock().await;
            world
                .github
                .repos
                .iter()
                .filter(|r| r.owner == "bench")
                .map(|r| r.count(kind))
                .sum::<usize>()
        }
    };

    // By page: first, prev, next, last.
    let first = get(
        &app,
        "/github/orgs/bench/code-scanning/alerts?per_page=25",
        DEMO_TOKEN,
    )
    .await;
    let link = first.header("link").expect("a Link header").to_string();
    let expected = count(super::Kind::CodeScanning).await;
    let last = expected.div_ceil(25);
    assert!(
        link.contains(&format!(
            "<{BASE}/github/orgs/bench/code-scanning/alerts?per_page=25&page=2>; rel=\"next\""
        )),
        "{link}"
    );
    assert!(
        link.contains(&format!("page={last}>; rel=\"last\"")),
        "{link}"
    );
    let (items, pages) = walk(&app, "/github/orgs/bench/code-scanning/alerts?per_page=25").await;
    assert_eq!(pages, last);
    assert_eq!(items.len(), expected);
    let unique: HashSet<_> = items.iter().map(identity).collect();
    assert_eq!(unique.len(), expected, "no alert twice");
    let second = get(
        &app,
        "/github/orgs/bench/code-scanning/alerts?per_page=25&page=2",
        DEMO_TOKEN,
    )
    .await;
    let link = second.header("link").expect("a Link header");
    assert!(
        link.contains("page=1>; rel=\"prev\"") && link.contains("page=1>; rel=\"first\""),
        "{link}"
    );

    // Dependabot pages by cursor only, and refuses `page`.
    let (items, _) = walk(&app, "/github/orgs/bench/dependabot/alerts?per_page=20&state=open,fixed,dismissed,auto_dismissed").await;
    let expected = count(super::Kind::Dependabot).await;
    assert_eq!(items.len(), expected);
    assert_eq!(
        items.iter().map(identity).collect::<HashSet<_>>().len(),
        expected
    );
    let refused = get(
        &app,
        "/github/orgs/bench/dependabot/alerts?page=2",
        DEMO_TOKEN,
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);

    // Secret scanning in one repository, and a state filter.
    let (items, _) = walk(
        &app,
        "/github/repos/bench/repo-0002/secret-scanning/alerts?per_page=3",
    )
    .await;
    let expected = shared
        .lock()
        .await
        .github
        .repo("bench", "repo-0002")
        .unwrap()
        .secret_scanning
        .len();
    assert_eq!(items.len(), expected);
    let (open, _) = walk(
        &app,
        "/github/repos/bench/repo-0002/secret-scanning/alerts?per_page=3&state=open",
    )
    .await;
    let expected_open = items.iter().filter(|a| a["state"] == "open").count();
    assert!(open.iter().all(|a| a["state"] == "open"));
    assert_eq!(open.len(), expected_open);
}

#[tokio::test]
async fn an_unchanged_list_answers_304_and_costs_nothing() {
    let (app, _) = app();
    let uri = "/github/repos/contoso/payments-api/code-scanning/alerts";
    let first = get(&app, uri, DEMO_TOKEN).await;
    assert_eq!(first.status, StatusCode::OK);
    let etag = first.header("etag").expect("an ETag").to_string();
    assert!(etag.starts_with("W/\"") && etag.len() == 64 + 4, "{etag}");
    let remaining = first.remaining();
    assert_eq!(remaining, 4_999);
    assert_eq!(first.header("x-ratelimit-limit"), Some("5000"));
    assert_eq!(first.header("x-ratelimit-resource"), Some("core"));

    let auth = format!("token {DEMO_TOKEN}");
    let again = send(
        &app,
        "GET",
        uri,
        &[("authorization", &auth), ("if-none-match", &etag)],
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(again.remaining(), remaining, "a 304 costs nothing");

    let third = get(&app, uri, DEMO_TOKEN).await;
    assert_eq!(third.remaining(), remaining - 1);
    assert_eq!(third.header("etag"), Some(etag.as_str()));
}

#[tokio::test]
async fn a_missing_permission_answers_403_with_the_accepted_permission() {
    let (app, _) = app();
    let added = send(
        &app,
        "POST",
        "/_sandbox/github/tokens",
        &[],
        Some(json!({ "token": "github_pat_only_dependabot", "permissions": ["vulnerability_alerts"] })),
    )
    .await;
    assert_eq!(added.status, StatusCode::NO_CONTENT);
    let refused = get(
        &app,
        "/github/repos/contoso/web-portal/code-scanning/alerts",
        "github_pat_only_dependabot",
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.header("x-accepted-github-permissions"),
        Some("security_events=read")
    );
    assert_eq!(
        refused.json()["message"],
        "Resource not accessible by personal access token"
    );
    let secrets = get(
        &app,
        "/github/orgs/contoso/secret-scanning/alerts",
        "github_pat_only_dependabot",
    )
    .await;
    assert_eq!(
        secrets.header("x-accepted-github-permissions"),
        Some("secret_scanning_alerts=read")
    );
    let allowed = get(
        &app,
        "/github/repos/contoso/web-portal/dependabot/alerts",
        "github_pat_only_dependabot",
    )
    .await;
    assert_eq!(allowed.status, StatusCode::OK);

    let unknown = get(
        &app,
        "/github/repos/contoso/web-portal/dependabot/alerts",
        "ghp_nobody",
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.json()["message"], "Bad credentials");
    let missing = get(&app, "/github/repos/contoso/nothing-here", DEMO_TOKEN).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["message"], "Not Found");
    assert_eq!(missing.json()["status"], "404");
}

#[tokio::test]
async fn dismissing_an_alert_changes_its_state_and_the_etag() {
    let (app, _) = app();
    let uri = "/github/repos/contoso/web-portal/code-scanning/alerts?state=open";
    let before = get(&app, uri, DEMO_TOKEN).await;
    let etag = before.header("etag").expect("an ETag").to_string();
    let open = before.json();
    let target = open[0]["number"].as_u64().expect("an open alert");

    let path = format!("/_sandbox/github/repos/contoso/web-portal/code-scanning/{target}/dismiss");
    let body = json!({ "reason": "false positive", "comment": "Sanitised upstream." });
    let dismissed = send(&app, "POST", &path, &[], Some(body)).await;
    assert_eq!(dismissed.status, StatusCode::OK);
    let alert = dismissed.json();
    assert_eq!(alert["state"], "dismissed");
    assert_eq!(alert["dismissed_reason"], "false positive");
    assert_eq!(alert["dismissed_by"]["login"], "octocat");
    assert_ne!(alert["updated_at"], open[0]["updated_at"]);

    let auth = format!("Bearer {DEMO_TOKEN}");
    let after = send(
        &app,
        "GET",
        uri,
        &[("authorization", &auth), ("if-none-match", &etag)],
        None,
    )
    .await;
    assert_eq!(after.status, StatusCode::OK, "the list changed");
    assert_ne!(after.header("etag"), Some(etag.as_str()));
    let numbers: Vec<u64> = after
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["number"].as_u64())
        .collect();
    assert!(!numbers.contains(&target));
    let all = get(
        &app,
        "/github/repos/contoso/web-portal/code-scanning/alerts",
        DEMO_TOKEN,
    )
    .await;
    let found = all
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["number"] == target)
        .cloned()
        .unwrap();
    assert_eq!(found["state"], "dismissed");

    let missing = send(
        &app,
        "POST",
        "/_sandbox/github/repos/contoso/web-portal/code-scanning/999/dismiss",
        &[],
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn spent_budgets_and_the_secondary_limit_answer_403() {
    let (app, _) = app();
    let uri = "/github/orgs/contoso/dependabot/alerts";
    let set = send(
        &app,
        "POST",
        "/_sandbox/github/rate-limit",
        &[],
        Some(json!({ "remaining": 1 })),
    )
    .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT);
    let last = get(&app, uri, DEMO_TOKEN).await;
    assert_eq!(last.status, StatusCode::OK);
    assert_eq!(last.remaining(), 0);
    let refused = get(&app, uri, DEMO_TOKEN).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.remaining(), 0);
    let message = refused.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.starts_with("API rate limit exceeded for user ID 1."),
        "{message}"
    );
    let reset: i64 = refused
        .header("x-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset > chrono::Utc::now().timestamp());

    send(
        &app,
        "POST",
        "/_sandbox/github/rate-limit",
        &[],
        Some(json!({ "remaining": 5000 })),
    )
    .await;
    let armed = send(
        &app,
        "POST",
        "/_sandbox/github/secondary-limit",
        &[],
        Some(json!({ "requests": 2, "retry_after": 30 })),
    )
    .await;
    assert_eq!(armed.status, StatusCode::NO_CONTENT);
    for _ in 0..2 {
        let limited = get(&app, uri, DEMO_TOKEN).await;
        assert_eq!(limited.status, StatusCode::FORBIDDEN);
        assert_eq!(limited.header("retry-after"), Some("30"));
        let message = limited.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            message.starts_with("You have exceeded a secondary rate limit."),
            "{message}"
        );
    }
    assert_eq!(get(&app, uri, DEMO_TOKEN).await.status, StatusCode::OK);
}

#[tokio::test]
async fn added_alerts_appear_with_their_repository_and_sandbox_page() {
    let (app, _) = app();
    let body = json!({ "repo": "fabrikam/api", "kind": "secret_scanning", "rule": "aws_access_key_id", "path": "config/.env", "line": 4 });
    let created = send(&app, "POST", "/_sandbox/github/alerts", &[], Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let alert = created.json();
    assert_eq!(alert["number"], 1);
    assert!(alert["secret"].as_str().unwrap().starts_with("AKIAFAKE"));
    let html_url = alert["html_url"].as_str().unwrap();
    assert_eq!(
        html_url,
        format!("{BASE}/_sandbox/github/fabrikam/api/secret-scanning/1")
    );
    let page = send(&app, "GET", html_url.strip_prefix(BASE).unwrap(), &[], None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&page.body).contains("Amazon AWS Access Key ID"));

    let listed = get(
        &app,
        "/github/orgs/fabrikam/secret-scanning/alerts?hide_secret=true",
        DEMO_TOKEN,
    )
    .await;
    let listed = listed.json();
    assert_eq!(listed[0]["repository"]["full_name"], "fabrikam/api");
    assert!(listed[0].get("secret").is_none());
    let repo = get(&app, "/github/repos/fabrikam/api", DEMO_TOKEN).await;
    assert_eq!(repo.json()["full_name"], "fabrikam/api");
    let index = send(&app, "GET", "/_sandbox/github", &[], None).await;
    assert!(String::from_utf8_lossy(&index.body).contains("contoso/payments-api"));
}

/// GitHub's schemas are OpenAPI 3.0: `nullable: true` becomes a `null` type (and a `null` in
/// an enum) for JSON Schema.
fn to_json_schema(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.remove("nullable") == Some(Value::Bool(true)) {
                if let Some(Value::String(kind)) = map.get("type").cloned() {
                    map.insert("type".into(), json!([kind, "null"]));
                }
                if let Some(Value::Array(values)) = map.get_mut("enum")
                    && !values.contains(&Value::Null)
                {
                    values.push(Value::Null);
                }
                if ["$ref", "allOf", "anyOf", "oneOf"]
                    .iter()
                    .any(|k| map.contains_key(*k))
                {
                    let inner = Value::Object(std::mem::take(map));
                    map.insert("anyOf".into(), json!([inner, { "type": "null" }]));
                }
            }
            for child in map.values_mut() {
                to_json_schema(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_json_schema),
        _ => {}
    }
}

fn github_validator(schema: Value) -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../tests/fixtures/github/github-rest-alerts-subset.openapi.json"
    );
    let document: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the fixture")).expect("JSON");
    let mut components = document["components"].clone();
    to_json_schema(&mut components);
    let mut schema = schema;
    schema["components"] = components;
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("a schema")
}

#[tokio::test]
async fn every_endpoint_answers_in_githubs_schemas() {
    let (app, shared) = app();
    {
        let mut world = shared.lock().await;
        world.github.generate("bench", 2, 40);
        let now = world.now();
        let index = world.github.repo_index("contoso", "web-portal").unwrap();
        for (kind, number, action) in [
            (super::Kind::CodeScanning, 1, "dismiss"),
            (super::Kind::Dependabot, 1, "dismiss"),
            (super::Kind::SecretScanning, 1, "resolve"),
        ] {
            let act = super::Act {
                action: action.into(),
                ..Default::default()
            };
            world
                .github
                .act(index, kind, number, act, now)
                .unwrap()
                .unwrap();
        }
    }
    let cases = [
        (
            "/github/repos/contoso/payments-api",
            "full-repository",
            false,
        ),
        ("/github/orgs/contoso/repos", "minimal-repository", true),
        ("/github/orgs/bench/repos", "minimal-repository", true),
        (
            "/github/repos/contoso/web-portal/code-scanning/alerts",
            "code-scanning-alert-items",
            true,
        ),
        (
            "/github/repos/contoso/web-portal/dependabot/alerts",
            "dependabot-alert",
            true,
        ),
        (
            "/github/repos/contoso/web-portal/secret-scanning/alerts",
            "secret-scanning-alert",
            true,
        ),
        (
            "/github/orgs/bench/code-scanning/alerts?per_page=100",
            "code-scanning-organization-alert-items",
            true,
        ),
        (
            "/github/orgs/contoso/code-scanning/alerts",
            "code-scanning-organization-alert-items",
            true,
        ),
        (
            "/github/orgs/bench/dependabot/alerts?per_page=100",
            "dependabot-alert-with-repository",
            true,
        ),
        (
            "/github/orgs/contoso/dependabot/alerts",
            "dependabot-alert-with-repository",
            true,
        ),
        (
            "/github/orgs/bench/secret-scanning/alerts?per_page=100",
            "organization-secret-scanning-alert",
            true,
        ),
        (
            "/github/orgs/contoso/secret-scanning/alerts?hide_secret=true",
            "organization-secret-scanning-alert",
            true,
        ),
    ];
    let mut answers = Vec::new();
    for (uri, name, list) in cases {
        let answer = get(&app, uri, DEMO_TOKEN).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        answers.push((uri, name, list, answer.json()));
    }
    let error = get(&app, "/github/repos/contoso/none", DEMO_TOKEN)
        .await
        .json();
    answers.push(("/github/repos/contoso/none", "basic-error", false, error));
    // GitHub's schemas are large and recursive: compile them on a thread with room to spare.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            // The oracle bites: a made-up state and an unknown field are refused.
            let mut wrong = answers[4].3[0].clone();
            wrong["state"] = json!("bogus");
            let validator =
                github_validator(json!({ "$ref": "#/components/schemas/dependabot-alert" }));
            assert!(validator.is_valid(&answers[4].3[0]) && !validator.is_valid(&wrong));
            wrong["state"] = json!("open");
            wrong["extra"] = json!(true);
            assert!(!validator.is_valid(&wrong));
            for (uri, name, list, body) in answers {
                let reference = json!({ "$ref": format!("#/components/schemas/{name}") });
                let schema = if list {
                    json!({ "type": "array", "minItems": 1, "items": reference })
                } else {
                    reference
                };
                let validator = github_validator(schema);
                let errors: Vec<String> = validator
                    .iter_errors(&body)
                    .take(5)
                    .map(|e| format!("{} at {}", e, e.instance_path))
                    .collect();
                assert!(errors.is_empty(), "{uri} is not a {name}: {errors:#?}");
            }
        })
        .expect("a thread")
        .join()
        .expect("every answer is in GitHub's schemas");
}

#[tokio::test]
async fn a_proxy_in_front_is_named_in_links_and_urls() {
    let (app, _) = app();
    let proxy = "http://127.0.0.1:4010";
    let set = send(
        &app,
        "POST",
        "/_sandbox/github/api-base",
        &[],
        Some(json!({ "url": proxy })),
    )
    .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT);
    let answer = get(
        &app,
        "/github/orgs/contoso/code-scanning/alerts?per_page=2",
        DEMO_TOKEN,
    )
    .await;
    let link = answer.header("link").expect("a Link header");
    assert!(
        link.starts_with(&format!(
            "<{proxy}/orgs/contoso/code-scanning/alerts?per_page=2&page=2>"
        )),
        "{link}"
    );
    let first = &answer.json()[0];
    assert!(
        first["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{proxy}/repos/contoso/"))
    );
    assert!(
        first["html_url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{BASE}/_sandbox/github/"))
    );
}
