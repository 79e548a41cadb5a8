//! The REST endpoints, and what every one of them does first: the token (`Bearer` or
//! `token`; 401 `Bad credentials`), the primary rate limit (5,000 an hour per token from its
//! first call, `x-ratelimit-*` headers on every answer, 403 when spent), an armed secondary
//! limit (403 with `retry-after`), the fine-grained permission (403 with
//! `x-accepted-github-permissions`); then paging (`per_page`/`page` with `Link` headers, or
//! cursors `before`/`after`, the only paging Dependabot accepts), and conditional requests
//! (`ETag`; a matching `If-None-Match` gets 304 and costs nothing).

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::paging::{Key, ListQuery, paginate};
use super::{GitHubWorld, Kind, RateWindow, json as js};
use crate::Shared;
use crate::world::World;

/// Calls without a valid token share GitHub's unauthenticated limit: 60 an hour.
const ANONYMOUS_LIMIT: u32 = 60;
const API_VERSION: &str = "2022-11-28";
const RATE_DOCS: &str = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";

/// Where GitHub documents each endpoint (its errors point there).
fn docs(endpoint: &str) -> String {
    let path = match endpoint {
        "repo" => "repos/repos#get-a-repository",
        "contents" => "repos/contents#get-repository-content",
        "org-repos" => "repos/repos#list-organization-repositories",
        "repo-code-scanning" => {
            "code-scanning/code-scanning#list-code-scanning-alerts-for-a-repository"
        }
        "org-code-scanning" => {
            "code-scanning/code-scanning#list-code-scanning-alerts-for-an-organization"
        }
        "repo-dependabot" => "dependabot/alerts#list-dependabot-alerts-for-a-repository",
        "org-dependabot" => "dependabot/alerts#list-dependabot-alerts-for-an-organization",
        "repo-secret-scanning" => {
            "secret-scanning/secret-scanning#list-secret-scanning-alerts-for-a-repository"
        }
        _ => "secret-scanning/secret-scanning#list-secret-scanning-alerts-for-an-organization",
    };
    format!("https://docs.github.com/rest/{path}")
}

/// GitHub's error body: `message`, `documentation_url`, `status`.
pub fn error_body(status: StatusCode, message: &str, documentation_url: &str) -> Value {
    json!({
        "message": message,
        "documentation_url": documentation_url,
        "status": status.as_u16().to_string(),
    })
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        serde_json::to_vec(body).expect("JSON serialises"),
    )
        .into_response()
}

fn set(response: &mut Response, name: &'static str, value: impl ToString) {
    if let Ok(value) = HeaderValue::from_str(&value.to_string()) {
        response.headers_mut().insert(name, value);
    }
}

impl GitHubWorld {
    /// The key's current window, a new one if the last has ended.
    pub fn window(&mut self, key: &str, now: DateTime<Utc>) -> &mut RateWindow {
        let limit = if key.is_empty() {
            ANONYMOUS_LIMIT
        } else {
            self.limit
        };
        let window = self
            .windows
            .entry(key.to_string())
            .or_insert_with(|| RateWindow {
                limit,
                used: 0,
                reset: now + Duration::hours(1),
            });
        if now >= window.reset {
            *window = RateWindow {
                limit,
                used: 0,
                reset: now + Duration::hours(1),
            };
        }
        window
    }
}

/// The `x-ratelimit-*` headers and GitHub's usual ones.
fn stamp(response: &mut Response, window: &RateWindow, request_id: &str, accepted: &str) {
    set(response, "x-ratelimit-limit", window.limit);
    set(response, "x-ratelimit-remaining", window.remaining());
    set(response, "x-ratelimit-used", window.used);
    set(response, "x-ratelimit-reset", window.reset.timestamp());
    set(response, "x-ratelimit-resource", "core");
    set(response, "x-github-request-id", request_id);
    set(response, "x-github-api-version-selected", API_VERSION);
    set(response, "x-github-media-type", "github.v3; format=json");
    set(response, "x-accepted-github-permissions", accepted);
}

/// The token from `Authorization: Bearer T` or `Authorization: token T`.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
        .then(|| token.trim().to_string())
}

/// What an endpoint answers before the conditional check: a JSON body and its `Link`, or an
/// error (status, message).
type Outcome = Result<(Value, Option<String>), (StatusCode, String)>;

/// Runs an endpoint as GitHub would: checks, then `build`, then ETag, rate limit and headers.
fn answer(
    world: &mut World,
    headers: &HeaderMap,
    need: Option<Kind>,
    endpoint: &str,
    build: impl FnOnce(&World, &js::Urls) -> Outcome,
) -> Response {
    let now = world.now();
    let documentation = docs(endpoint);
    let accepted = need.map_or("metadata=read".to_string(), |k| {
        format!("{}=read", k.permission())
    });
    let github = &mut world.github;
    let request_id = github.request_id();
    let token = bearer(headers);
    let known = token.as_ref().and_then(|t| github.tokens.get(t)).cloned();
    let Some(known) = known.filter(|t| !t.expired) else {
        let message = if token.is_some() {
            "Bad credentials"
        } else {
            "Requires authentication"
        };
        let window = github.window("", now);
        window.used = (window.used + 1).min(window.limit);
        let window = window.clone();
        let status = StatusCode::UNAUTHORIZED;
        let mut response = json_response(
            status,
            &error_body(status, message, "https://docs.github.com/rest"),
        );
        stamp(&mut response, &window, &request_id, &accepted);
        return response;
    };
    let token = token.unwrap_or_default();
    let window = github.window(&token, now).clone();
    if window.remaining() == 0 {
        let status = StatusCode::FORBIDDEN;
        let message = format!(
            "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID {request_id} and timestamp {}.",
            now.format("%Y-%m-%d %H:%M:%S UTC")
        );
        let mut response = json_response(status, &error_body(status, &message, RATE_DOCS));
        stamp(&mut response, &window, &request_id, &accepted);
        return response;
    }
    if let Some(secondary) = github.secondary.as_mut() {
        let retry_after = secondary.retry_after;
        secondary.requests -= 1;
        if secondary.requests == 0 {
            github.secondary = None;
        }
        let status = StatusCode::FORBIDDEN;
        let message = format!(
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID {request_id}."
        );
        let documentation = format!("{RATE_DOCS}#about-secondary-rate-limits");
        let mut response = json_response(status, &error_body(status, &message, &documentation));
        stamp(&mut response, &window, &request_id, &accepted);
        set(&mut response, "retry-after", retry_after);
        return response;
    }
    let spend = |world: &mut World| {
        let window = world.github.window(&token, now);
        window.used += 1;
        window.clone()
    };
    if let Some(kind) = need
        && !known.permissions.contains(kind.permission())
    {
        let window = spend(world);
        let status = StatusCode::FORBIDDEN;
        let body = error_body(
            status,
            "Resource not accessible by personal access token",
            &documentation,
        );
        let mut response = json_response(status, &body);
        stamp(&mut response, &window, &request_id, &accepted);
        return response;
    }
    let urls = super::urls(world);
    match build(world, &urls) {
        Ok((body, link)) => {
            let bytes = serde_json::to_vec(&body).expect("JSON serialises");
            let etag = format!("W/\"{:x}\"", Sha256::digest(&bytes));
            if matches_etag(headers, &etag) {
                // A 304 does not count against the primary rate limit.
                let window = world.github.window(&token, now).clone();
                let mut response = (StatusCode::NOT_MODIFIED, Body::empty()).into_response();
                set(&mut response, "etag", etag.as_str());
                stamp(&mut response, &window, &request_id, &accepted);
                return response;
            }
            let window = spend(world);
            let mut response = (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                bytes,
            )
                .into_response();
            set(&mut response, "etag", etag.as_str());
            set(
                &mut response,
                "cache-control",
                "private, max-age=60, s-maxage=60",
            );
            set(
                &mut response,
                "vary",
                "Accept, Authorization, Cookie, X-GitHub-OTP",
            );
            if let Some(link) = link {
                set(&mut response, "link", link);
            }
            stamp(&mut response, &window, &request_id, &accepted);
            response
        }
        Err((status, message)) => {
            let window = spend(world);
            let mut response = json_response(status, &error_body(status, &message, &documentation));
            stamp(&mut response, &window, &request_id, &accepted);
            response
        }
    }
}

/// `If-None-Match` names the current ETag (weak comparison, as GitHub's ETags are weak).
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_string();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || strip(t) == strip(etag))
}

fn not_found() -> (StatusCode, String) {
    (StatusCode::NOT_FOUND, "Not Found".to_string())
}

type RepoPath = Path<(String, String)>;

/// This list's URL for `Link` headers, under the API's root.
fn list_url(urls: &js::Urls, uri: &Uri) -> String {
    let path = uri.path();
    format!(
        "{}{}",
        urls.api,
        path.strip_prefix("/github").unwrap_or(path)
    )
}

/// `GET /repos/{owner}/{repo}`.
pub async fn get_repo(
    State(shared): State<Shared>,
    Path((owner, name)): RepoPath,
    headers: HeaderMap,
) -> Response {
    let mut world = shared.lock().await;
    answer(&mut world, &headers, None, "repo", |world, urls| {
        let repo = world.github.repo(&owner, &name).ok_or_else(not_found)?;
        Ok((js::full_repo(urls, &world.github, repo), None))
    })
}

/// `GET /repos/{owner}/{repo}/contents/{path}`: a file on the default branch, as GitHub gives
/// it: `type`, `path`, `size`, `sha`, and the text in base64 broken into lines.
/// <https://docs.github.com/rest/repos/contents#get-repository-content>
pub async fn get_contents(
    State(shared): State<Shared>,
    Path((owner, name, path)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    use base64::Engine as _;
    let mut world = shared.lock().await;
    answer(&mut world, &headers, None, "contents", |world, _| {
        let repo = world.github.repo(&owner, &name).ok_or_else(not_found)?;
        let text = repo.files.get(&path).ok_or_else(not_found)?;
        let encoded = base64::engine::general_purpose::STANDARD.encode(text);
        let lines: Vec<String> = encoded
            .as_bytes()
            .chunks(60)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        let file = path.rsplit('/').next().unwrap_or(&path).to_string();
        let sha = format!("{:040x}", text.len() as u128 * 2_654_435_761);
        Ok((
            json!({ "type": "file", "name": file, "path": path, "size": text.len(),
                    "sha": sha, "encoding": "base64", "content": lines.join("\n") + "\n" }),
            None,
        ))
    })
}

/// `GET /orgs/{org}/repos`: `type`, `sort` (created, updated, pushed, full_name), `direction`,
/// `per_page`, `page`.
pub async fn org_repos(
    State(shared): State<Shared>,
    Path(org): Path<String>,
    uri: Uri,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut world = shared.lock().await;
    answer(&mut world, &headers, None, "org-repos", |world, urls| {
        let github = &world.github;
        github.org(&org).ok_or_else(not_found)?;
        let query = ListQuery::parse(raw.as_deref());
        let wanted = query.get("type").unwrap_or("all");
        let mut repos: Vec<_> = github
            .repos
            .iter()
            .filter(|r| r.owner.eq_ignore_ascii_case(&org))
            .filter(|r| match wanted {
                "public" => !r.private,
                "private" => r.private,
                "forks" => false,
                _ => true,
            })
            .collect();
        let by_name = query.get("sort") == Some("full_name");
        repos.sort_by_key(|r| r.full_name().to_lowercase());
        let items = repos
            .iter()
            .enumerate()
            .map(|(rank, r)| {
                let at = match query.get("sort") {
                    Some("updated") => r.updated_at,
                    Some("pushed") => r.pushed_at,
                    _ => r.created_at,
                };
                let key = if by_name {
                    (rank as i64, 0, 0)
                } else {
                    (at.timestamp_millis(), r.id, 0)
                };
                (key, *r)
            })
            .collect();
        let url = list_url(urls, &uri);
        let (page, link) = paginate(items, &query, query.descending(!by_name), false, &url)?;
        let body = page
            .into_iter()
            .map(|r| Value::Object(js::minimal_repo(urls, github, r)))
            .collect();
        Ok((Value::Array(body), link))
    })
}

/// Which repositories a list covers: one, or an organisation's.
enum Scope {
    Repo(String, String),
    Org(String),
}

/// Every alert list: the filters GitHub documents for the kind (`state`; for Dependabot a
/// comma-separated list, also `severity`, `ecosystem`, `package`, `scope`; for secret
/// scanning `secret_type`, `resolution`, `validity`, `hide_secret`), `sort`, `direction` and
/// paging.
fn list_alerts(
    world: &mut World,
    headers: &HeaderMap,
    kind: Kind,
    scope: Scope,
    uri: &Uri,
    raw: Option<&str>,
) -> Response {
    let endpoint = format!(
        "{}-{}",
        if matches!(scope, Scope::Repo(..)) {
            "repo"
        } else {
            "org"
        },
        kind.url_form()
    );
    answer(world, headers, Some(kind), &endpoint, |world, urls| {
        let github = &world.github;
        let repos: Vec<_> = match &scope {
            Scope::Repo(owner, name) => vec![github.repo(owner, name).ok_or_else(not_found)?],
            Scope::Org(org) => {
                github.org(org).ok_or_else(not_found)?;
                github
                    .repos
                    .iter()
                    .filter(|r| r.owner.eq_ignore_ascii_case(org))
                    .collect()
            }
        };
        let with_repo = matches!(scope, Scope::Org(_));
        let query = ListQuery::parse(raw);
        if kind == Kind::Dependabot
            && ["page", "first", "last"]
                .iter()
                .any(|p| query.get(p).is_some())
        {
            return Err((
                StatusCode::BAD_REQUEST,
                "Pagination using the `page` parameter is not supported.".to_string(),
            ));
        }
        let updated = query.by_updated();
        let key = |at: DateTime<Utc>, created: DateTime<Utc>, repo: u64, number: u64| -> Key {
            let at = if updated { at } else { created };
            (at.timestamp_millis(), repo, number)
        };
        let url = list_url(urls, uri);
        let descending = query.descending(true);
        match kind {
            Kind::CodeScanning => {
                let states = query.list("state");
                let wanted = |s: &str| {
                    states.as_ref().is_none_or(|list| {
                        list.iter()
                            .any(|w| w == s || (w == "closed" && s != "open"))
                    })
                };
                let severities = query.list("severity");
                let mut items = Vec::new();
                for repo in &repos {
                    for alert in repo.code_scanning.iter().filter(|a| wanted(&a.state)) {
                        if let Some(list) = &severities {
                            let level = alert.rule.security_severity_level.clone();
                            let rule = Some(alert.rule.severity.clone());
                            if !list
                                .iter()
                                .any(|s| Some(s) == level.as_ref() || Some(s) == rule.as_ref())
                            {
                                continue;
                            }
                        }
                        let k = key(alert.updated_at, alert.created_at, repo.id, alert.number);
                        items.push((k, (*repo, alert)));
                    }
                }
                let (page, link) = paginate(items, &query, descending, false, &url)?;
                let body = page
                    .into_iter()
                    .map(|(repo, a)| js::code_scanning(urls, github, repo, a, with_repo))
                    .collect();
                Ok((Value::Array(body), link))
            }
            Kind::Dependabot => {
                let filter = |name: &str, value: &str| {
                    query
                        .list(name)
                        .is_none_or(|list| list.iter().any(|w| w.eq_ignore_ascii_case(value)))
                };
                let mut items = Vec::new();
                for repo in &repos {
                    for alert in repo.dependabot.iter() {
                        let a = &alert.advisory;
                        if filter("state", &alert.state)
                            && filter("severity", &a.severity)
                            && filter("ecosystem", &a.ecosystem)
                            && filter("package", &a.package)
                            && query.get("scope").is_none_or(|s| s == alert.scope)
                        {
                            let k = key(alert.updated_at, alert.created_at, repo.id, alert.number);
                            items.push((k, (*repo, alert)));
                        }
                    }
                }
                let (page, link) = paginate(items, &query, descending, true, &url)?;
                let body = page
                    .into_iter()
                    .map(|(repo, a)| js::dependabot(urls, github, repo, a, with_repo))
                    .collect();
                Ok((Value::Array(body), link))
            }
            Kind::SecretScanning => {
                let filter = |name: &str, value: Option<&str>| {
                    query
                        .list(name)
                        .is_none_or(|list| value.is_some_and(|v| list.iter().any(|w| w == v)))
                };
                let hide = query.flag("hide_secret");
                let mut items = Vec::new();
                for repo in &repos {
                    for alert in repo.secret_scanning.iter() {
                        if filter("state", Some(&alert.state))
                            && filter("secret_type", Some(&alert.kind.secret_type))
                            && filter("resolution", alert.resolution.as_deref())
                            && filter("validity", Some(&alert.validity))
                        {
                            let k = key(alert.updated_at, alert.created_at, repo.id, alert.number);
                            items.push((k, (*repo, alert)));
                        }
                    }
                }
                let (page, link) = paginate(items, &query, descending, false, &url)?;
                let body = page
                    .into_iter()
                    .map(|(repo, a)| js::secret_scanning(urls, github, repo, a, with_repo, hide))
                    .collect();
                Ok((Value::Array(body), link))
            }
        }
    })
}

macro_rules! list_endpoint {
    ($repo_fn:ident, $org_fn:ident, $kind:expr) => {
        pub async fn $repo_fn(
            State(shared): State<Shared>,
            Path((owner, name)): RepoPath,
            uri: Uri,
            RawQuery(raw): RawQuery,
            headers: HeaderMap,
        ) -> Response {
            let mut world = shared.lock().await;
            let scope = Scope::Repo(owner, name);
            list_alerts(&mut world, &headers, $kind, scope, &uri, raw.as_deref())
        }

        pub async fn $org_fn(
            State(shared): State<Shared>,
            Path(org): Path<String>,
            uri: Uri,
            RawQuery(raw): RawQuery,
            headers: HeaderMap,
        ) -> Response {
            let mut world = shared.lock().await;
            let scope = Scope::Org(org);
            list_alerts(&mut world, &headers, $kind, scope, &uri, raw.as_deref())
        }
    };
}

list_endpoint!(repo_code_scanning, org_code_scanning, Kind::CodeScanning);
list_endpoint!(repo_dependabot, org_dependabot, Kind::Dependabot);
list_endpoint!(
    repo_secret_scanning,
    org_secret_scanning,
    Kind::SecretScanning
);
