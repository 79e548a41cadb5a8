//! `/_sandbox/github/...`: the sandbox's GitHub as JSON, and what tests and people do to it —
//! add an alert, dismiss, fix, reopen or resolve one, add a token, spend the rate limit, arm
//! the secondary limit, generate a large organisation.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Act, Kind, NewAlert, SecondaryLimit, json as js, urls};
use crate::Shared;

fn problem(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// Tokens are shown by their first characters only.
fn masked(token: &str) -> String {
    let shown: String = token.chars().take(8).collect();
    format!("{shown}…")
}

/// `GET /_sandbox/github/state`: every organisation, repository and alert (in the API's
/// shapes), the tokens (masked) with their rate limit windows, and the secondary limit.
pub async fn state(State(shared): State<Shared>) -> Json<Value> {
    let world = shared.lock().await;
    let now = world.now();
    let urls = urls(&world);
    let github = &world.github;
    let repos: Vec<Value> = github
        .repos
        .iter()
        .map(|repo| {
            let mut entry =
                json!({ "full_name": repo.full_name(), "id": repo.id, "private": repo.private });
            for kind in Kind::ALL {
                entry[kind.snake()] = Value::Array(js::alerts(&urls, github, repo, kind));
            }
            entry
        })
        .collect();
    let mut tokens: Vec<Value> = github
        .tokens
        .iter()
        .map(|(token, t)| {
            let mut permissions: Vec<&String> = t.permissions.iter().collect();
            permissions.sort();
            let window = github.windows.get(token).filter(|w| w.reset > now);
            json!({
                "token": masked(token),
                "permissions": permissions,
                "expired": t.expired,
                "rate_limit": window.map(|w| json!({
                    "limit": w.limit, "used": w.used, "remaining": w.remaining(), "reset": w.reset.timestamp(),
                })),
            })
        })
        .collect();
    tokens.sort_by(|a, b| a["token"].as_str().cmp(&b["token"].as_str()));
    Json(json!({
        "api": urls.api,
        "orgs": github.orgs.iter().map(|o| json!({ "login": o.login, "id": o.id })).collect::<Vec<_>>(),
        "repos": repos,
        "tokens": tokens,
        "limit": github.limit,
        "secondary_limit": github.secondary.as_ref().map(|s| json!({ "requests": s.requests, "retry_after": s.retry_after })),
    }))
}

#[derive(Deserialize)]
pub struct AddAlert {
    /// `owner/name`; created when missing.
    repo: String,
    /// `code_scanning`, `dependabot` or `secret_scanning` (or the URL forms).
    kind: String,
    /// A rule id, a package (or GHSA or CVE id), or a secret type.
    #[serde(default)]
    rule: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    line: Option<u32>,
    #[serde(default)]
    state: Option<String>,
}

/// `POST /_sandbox/github/alerts`: a new alert, 201 with its JSON.
pub async fn add_alert(State(shared): State<Shared>, Json(body): Json<AddAlert>) -> Response {
    let mut world = shared.lock().await;
    let Some((owner, name)) = body
        .repo
        .split_once('/')
        .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
    else {
        return problem(StatusCode::BAD_REQUEST, "repo must be owner/name");
    };
    let Some(kind) = Kind::parse(&body.kind) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "kind must be code_scanning, dependabot or secret_scanning",
        );
    };
    let now = world.now();
    let new = NewAlert {
        rule: body.rule,
        severity: body.severity,
        path: body.path,
        line: body.line,
        state: body.state,
    };
    let index = world.github.ensure_repo(owner, name, now);
    let number = match world.github.add_alert(index, kind, &new, now) {
        Ok(number) => number,
        Err(message) => return problem(StatusCode::BAD_REQUEST, &message),
    };
    let urls = urls(&world);
    let github = &world.github;
    let alert = js::alert(&urls, github, &github.repos[index], kind, number);
    (StatusCode::CREATED, Json(alert.unwrap_or_default())).into_response()
}

/// `POST /_sandbox/github/repos/{owner}/{repo}/{kind}/{number}/{action}` with an optional
/// body `{"reason": ..., "comment": ...}`: 200 with the alert's JSON.
pub async fn alert_action(
    State(shared): State<Shared>,
    Path((owner, name, kind, number, action)): Path<(String, String, String, u64, String)>,
    body: Bytes,
) -> Response {
    let mut act: Act = if body.iter().all(u8::is_ascii_whitespace) {
        Act::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(act) => act,
            Err(e) => return problem(StatusCode::BAD_REQUEST, &e.to_string()),
        }
    };
    act.action = action;
    let mut world = shared.lock().await;
    let Some(kind) = Kind::parse(&kind) else {
        return problem(StatusCode::NOT_FOUND, &format!("no alert kind {kind}"));
    };
    let Some(index) = world.github.repo_index(&owner, &name) else {
        return problem(
            StatusCode::NOT_FOUND,
            &format!("no repository {owner}/{name}"),
        );
    };
    let now = world.now();
    match world.github.act(index, kind, number, act, now) {
        None => problem(
            StatusCode::NOT_FOUND,
            &format!("no {} alert {number} in {owner}/{name}", kind.snake()),
        ),
        Some(Err(message)) => problem(StatusCode::BAD_REQUEST, &message),
        Some(Ok(())) => {
            let urls = urls(&world);
            let github = &world.github;
            let alert = js::alert(&urls, github, &github.repos[index], kind, number);
            Json(alert.unwrap_or_default()).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct AddToken {
    token: String,
    /// Among `security_events`, `vulnerability_alerts`, `secret_scanning_alerts`.
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(default)]
    expired: bool,
}

#[derive(Deserialize)]
pub struct PutFile {
    /// `owner/name`; created (private, empty) when missing.
    repo: String,
    path: String,
    text: String,
}

/// `POST /_sandbox/github/files`: puts a file on a repository's default branch.
pub async fn put_file(State(shared): State<Shared>, Json(body): Json<PutFile>) -> Response {
    let Some((owner, name)) = body.repo.split_once('/') else {
        return problem(StatusCode::BAD_REQUEST, "repo must be owner/name");
    };
    let mut world = shared.lock().await;
    let now = world.now();
    let index = world.github.ensure_repo(owner, name, now);
    world.github.repos[index]
        .files
        .insert(body.path.trim_start_matches('/').to_string(), body.text);
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /_sandbox/github/tokens`: adds (or replaces) a token.
pub async fn add_token(State(shared): State<Shared>, Json(body): Json<AddToken>) -> Response {
    if body.token.trim().is_empty() {
        return problem(StatusCode::BAD_REQUEST, "token must not be empty");
    }
    let mut world = shared.lock().await;
    let permissions = body.permissions.iter().map(String::as_str);
    world
        .github
        .add_token(&body.token, permissions, body.expired);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
pub struct RateLimit {
    /// What every token has left in its current window.
    remaining: u32,
    /// A new hourly limit for every token (5,000 unless set).
    #[serde(default)]
    limit: Option<u32>,
}

/// `POST /_sandbox/github/rate-limit`: sets every token's remaining budget for the window it
/// is in (starting one if it has none).
pub async fn rate_limit(State(shared): State<Shared>, Json(body): Json<RateLimit>) -> Response {
    let mut world = shared.lock().await;
    let now = world.now();
    let github = &mut world.github;
    if let Some(limit) = body.limit {
        github.limit = limit;
    }
    let tokens: Vec<String> = github.tokens.keys().cloned().collect();
    for token in tokens {
        let limit = github.limit;
        let window = github.window(&token, now);
        window.limit = limit;
        window.used = limit.saturating_sub(body.remaining);
    }
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
pub struct Secondary {
    requests: u32,
    #[serde(default = "sixty")]
    retry_after: u64,
}

fn sixty() -> u64 {
    60
}

/// `POST /_sandbox/github/secondary-limit`: the next `requests` API calls are refused with 403
/// and `retry-after` (0 disarms it).
pub async fn secondary_limit(
    State(shared): State<Shared>,
    Json(body): Json<Secondary>,
) -> Response {
    let mut world = shared.lock().await;
    world.github.secondary = (body.requests > 0).then_some(SecondaryLimit {
        requests: body.requests,
        retry_after: body.retry_after,
    });
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
pub struct Generate {
    org: String,
    repos: usize,
    alerts_per_repo: usize,
}

/// `POST /_sandbox/github/generate`: a large organisation for benchmarks (deterministic).
pub async fn generate(State(shared): State<Shared>, Json(body): Json<Generate>) -> Response {
    if body.org.is_empty() || body.org.contains('/') {
        return problem(StatusCode::BAD_REQUEST, "org must be a login");
    }
    let mut world = shared.lock().await;
    world
        .github
        .generate(&body.org, body.repos, body.alerts_per_repo);
    let github = &world.github;
    let repos = github
        .repos
        .iter()
        .filter(|r| r.owner.eq_ignore_ascii_case(&body.org));
    let mut counts = json!({ "org": body.org, "repos": 0 });
    let mut total = 0;
    for repo in repos {
        total += 1;
        for kind in Kind::ALL {
            let n = counts[kind.snake()].as_u64().unwrap_or(0);
            counts[kind.snake()] = json!(n + repo.count(kind) as u64);
        }
    }
    counts["repos"] = json!(total);
    (StatusCode::CREATED, Json(counts)).into_response()
}

#[derive(Deserialize)]
pub struct ApiBase {
    /// The proxy's URL standing for `{base}/github` (`null`: back to `{base}/github`).
    url: Option<String>,
}

/// `POST /_sandbox/github/api-base`: API URLs in bodies and `Link` headers name a proxy in
/// front of the stand-in (Prism keeps no record of its own address in what it forwards).
pub async fn api_base(State(shared): State<Shared>, Json(body): Json<ApiBase>) -> Response {
    let mut world = shared.lock().await;
    world.github.api_base = body
        .url
        .map(|u| u.trim_end_matches('/').to_string())
        .filter(|u| !u.is_empty());
    StatusCode::NO_CONTENT.into_response()
}
