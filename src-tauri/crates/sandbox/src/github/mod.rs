//! A GitHub REST stand-in under `/github` (like a GitHub Enterprise Server's `/api/v3` base):
//! the repositories and the code scanning, Dependabot and secret scanning alerts an alert
//! poller reads, in GitHub's shapes, with GitHub's token checks, paging, conditional requests
//! and rate limits; and its controls under `/_sandbox/github`.
//!
//! Sources:
//! - <https://docs.github.com/en/rest/code-scanning/code-scanning>
//! - <https://docs.github.com/en/rest/dependabot/alerts>
//! - <https://docs.github.com/en/rest/secret-scanning/secret-scanning>
//! - <https://docs.github.com/en/rest/repos/repos>
//! - <https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api>
//! - <https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api>
//! - <https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate>
//! - <https://github.blog/changelog/2025-10-14-dependabot-alerts-api-pagination-parameters-deprecated>
//!   (Dependabot lists page by cursor only: `page` is refused with 400)
//! - the shapes: GitHub's OpenAPI description (`@octokit/openapi`), whose slice is in
//!   `tests/fixtures/github/github-rest-alerts-subset.openapi.json`.
//!
//! Alert and repository URLs are stored as paths and made absolute with the sandbox's base URL
//! when written out: the API's under `{base}/github`, the web pages (`html_url`) under
//! `{base}/_sandbox/github`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};

use crate::Shared;

mod api;
mod catalogue;
mod control;
mod data;
mod json;
mod page;
mod paging;
#[cfg(test)]
mod tests;

pub use api::error_body;
pub use catalogue::{Advisory, Rule, SecretKind};
pub use data::{Act, NewAlert};
pub use json::Urls;

/// The token the demo and the tests use: it may read every kind of alert.
pub const DEMO_TOKEN: &str = "ghp_sandbox_demo_token";
/// The primary rate limit of a personal access token: 5,000 requests an hour.
pub const PRIMARY_LIMIT: u32 = 5_000;
/// The fine-grained permissions the alert endpoints ask for.
pub const PERMISSIONS: [&str; 3] = [
    "security_events",
    "vulnerability_alerts",
    "secret_scanning_alerts",
];

/// The three kinds of alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    CodeScanning,
    Dependabot,
    SecretScanning,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::CodeScanning, Kind::Dependabot, Kind::SecretScanning];

    /// As in URLs: `code-scanning`, `dependabot`, `secret-scanning`.
    pub fn url_form(self) -> &'static str {
        match self {
            Kind::CodeScanning => "code-scanning",
            Kind::Dependabot => "dependabot",
            Kind::SecretScanning => "secret-scanning",
        }
    }

    /// As in the controls' bodies: `code_scanning`, `dependabot`, `secret_scanning`.
    pub fn snake(self) -> &'static str {
        match self {
            Kind::CodeScanning => "code_scanning",
            Kind::Dependabot => "dependabot",
            Kind::SecretScanning => "secret_scanning",
        }
    }

    /// Either form.
    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.url_form() == text || k.snake() == text)
    }

    /// The fine-grained permission that reads this kind.
    pub fn permission(self) -> &'static str {
        match self {
            Kind::CodeScanning => "security_events",
            Kind::Dependabot => "vulnerability_alerts",
            Kind::SecretScanning => "secret_scanning_alerts",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::CodeScanning => "Code scanning",
            Kind::Dependabot => "Dependabot",
            Kind::SecretScanning => "Secret scanning",
        }
    }
}

/// A personal access token: its fine-grained permissions (among [`PERMISSIONS`]).
#[derive(Debug, Clone)]
pub struct Token {
    pub permissions: HashSet<String>,
    pub expired: bool,
}

/// One hour of a token's primary rate limit, from its first request.
#[derive(Debug, Clone)]
pub struct RateWindow {
    pub limit: u32,
    pub used: u32,
    pub reset: DateTime<Utc>,
}

impl RateWindow {
    pub fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.used)
    }
}

/// The next `requests` calls are refused by the secondary rate limit.
#[derive(Debug, Clone)]
pub struct SecondaryLimit {
    pub requests: u32,
    pub retry_after: u64,
}

#[derive(Debug, Clone)]
pub struct Org {
    pub login: String,
    pub id: u64,
}

#[derive(Debug, Clone)]
pub struct Repo {
    pub id: u64,
    pub owner: String,
    pub name: String,
    pub description: Option<String>,
    pub language: Option<String>,
    pub private: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub pushed_at: DateTime<Utc>,
    pub code_scanning: Vec<CodeScanningAlert>,
    pub dependabot: Vec<DependabotAlert>,
    pub secret_scanning: Vec<SecretScanningAlert>,
    /// Files on the default branch, by path (`.github/CODEOWNERS`).
    pub files: std::collections::BTreeMap<String, String>,
}

impl Repo {
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// How many alerts of a kind the repository has.
    pub fn count(&self, kind: Kind) -> usize {
        match kind {
            Kind::CodeScanning => self.code_scanning.len(),
            Kind::Dependabot => self.dependabot.len(),
            Kind::SecretScanning => self.secret_scanning.len(),
        }
    }

    /// The number the next alert of this kind gets (each kind counts on its own).
    pub fn next_number(&self, kind: Kind) -> u64 {
        let last = match kind {
            Kind::CodeScanning => self.code_scanning.iter().map(|a| a.number).max(),
            Kind::Dependabot => self.dependabot.iter().map(|a| a.number).max(),
            Kind::SecretScanning => self.secret_scanning.iter().map(|a| a.number).max(),
        };
        last.unwrap_or(0) + 1
    }
}

/// Who closed an alert (a user of the sandbox's GitHub).
#[derive(Debug, Clone)]
pub struct Actor {
    pub login: String,
    pub id: u64,
}

#[derive(Debug, Clone)]
pub struct CodeScanningAlert {
    pub number: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `open`, `dismissed` or `fixed`.
    pub state: String,
    pub fixed_at: Option<DateTime<Utc>>,
    pub dismissed_at: Option<DateTime<Utc>>,
    pub dismissed_by: Option<Actor>,
    /// `false positive`, `won't fix`, `used in tests`, `mitigated`.
    pub dismissed_reason: Option<String>,
    pub dismissed_comment: Option<String>,
    pub rule: Arc<Rule>,
    pub tool_version: String,
    pub git_ref: String,
    pub commit_sha: String,
    pub message: String,
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    pub start_column: u32,
    pub end_column: u32,
    /// `source`, `generated`, `test`, `library`.
    pub classifications: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DependabotAlert {
    pub number: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `auto_dismissed`, `dismissed`, `fixed` or `open`.
    pub state: String,
    pub advisory: Arc<Advisory>,
    pub manifest_path: String,
    /// `development` or `runtime`.
    pub scope: String,
    /// `direct`, `transitive`, `unknown` or `inconclusive`.
    pub relationship: String,
    pub dismissed_at: Option<DateTime<Utc>>,
    pub dismissed_by: Option<Actor>,
    /// `fix_started`, `inaccurate`, `no_bandwidth`, `not_used`, `tolerable_risk`.
    pub dismissed_reason: Option<String>,
    pub dismissed_comment: Option<String>,
    pub fixed_at: Option<DateTime<Utc>>,
    pub auto_dismissed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct SecretScanningAlert {
    pub number: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `open` or `resolved`.
    pub state: String,
    /// `false_positive`, `wont_fix`, `revoked`, `used_in_tests`.
    pub resolution: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<Actor>,
    pub resolution_comment: Option<String>,
    pub kind: Arc<SecretKind>,
    /// A fake secret in the provider's format; GitHub returns it in the alert.
    pub secret: String,
    /// `active`, `inactive` or `unknown`.
    pub validity: String,
    pub publicly_leaked: bool,
    pub multi_repo: bool,
    pub path: String,
    pub line: u32,
    pub commit_sha: String,
    pub blob_sha: String,
}

/// The sandbox's GitHub: organisations, repositories and their alerts, tokens and their rate
/// limit windows.
pub struct GitHubWorld {
    /// The sandbox's base, for URLs when the world has none yet (`World::base_url` wins).
    pub base_url: String,
    /// The API's root in URLs and `Link` headers, when a proxy (Prism) stands in front of
    /// `{base}/github`; `None`: `{base}/github`.
    pub api_base: Option<String>,
    pub orgs: Vec<Org>,
    pub repos: Vec<Repo>,
    pub tokens: HashMap<String, Token>,
    /// Primary rate limit windows by token (`""`: calls without a valid token).
    pub windows: HashMap<String, RateWindow>,
    /// The limit new windows get.
    pub limit: u32,
    pub secondary: Option<SecondaryLimit>,
    next_id: u64,
    requests: u64,
}

impl GitHubWorld {
    /// An empty GitHub with only the demo token.
    pub fn empty(base_url: &str) -> GitHubWorld {
        let mut world = GitHubWorld {
            base_url: base_url.trim_end_matches('/').to_string(),
            api_base: None,
            orgs: Vec::new(),
            repos: Vec::new(),
            tokens: HashMap::new(),
            windows: HashMap::new(),
            limit: PRIMARY_LIMIT,
            secondary: None,
            next_id: 0,
            requests: 0,
        };
        world.add_token(DEMO_TOKEN, PERMISSIONS.iter().copied(), false);
        world
    }

    pub fn add_token<'a>(
        &mut self,
        token: &str,
        permissions: impl IntoIterator<Item = &'a str>,
        expired: bool,
    ) {
        let permissions = permissions.into_iter().map(str::to_string).collect();
        self.tokens.insert(
            token.to_string(),
            Token {
                permissions,
                expired,
            },
        );
    }

    pub fn org(&self, login: &str) -> Option<&Org> {
        self.orgs
            .iter()
            .find(|o| o.login.eq_ignore_ascii_case(login))
    }

    /// The organisation, created when missing.
    pub fn ensure_org(&mut self, login: &str) -> u64 {
        if let Some(org) = self.org(login) {
            return org.id;
        }
        let id = 9_100_000 + self.orgs.len() as u64 + 1;
        self.orgs.push(Org {
            login: login.to_string(),
            id,
        });
        id
    }

    /// Repositories are found case-insensitively, as GitHub does.
    pub fn repo_index(&self, owner: &str, name: &str) -> Option<usize> {
        self.repos
            .iter()
            .position(|r| r.owner.eq_ignore_ascii_case(owner) && r.name.eq_ignore_ascii_case(name))
    }

    pub fn repo(&self, owner: &str, name: &str) -> Option<&Repo> {
        self.repo_index(owner, name).map(|i| &self.repos[i])
    }

    /// The repository, created (private, empty) with its organisation when missing.
    pub fn ensure_repo(&mut self, owner: &str, name: &str, now: DateTime<Utc>) -> usize {
        if let Some(index) = self.repo_index(owner, name) {
            return index;
        }
        self.ensure_org(owner);
        self.next_id += 1;
        self.repos.push(Repo {
            id: 700_000_000 + self.next_id,
            owner: owner.to_string(),
            name: name.to_string(),
            description: None,
            language: None,
            private: true,
            created_at: now,
            updated_at: now,
            pushed_at: now,
            code_scanning: Vec::new(),
            dependabot: Vec::new(),
            secret_scanning: Vec::new(),
            files: Default::default(),
        });
        self.repos.len() - 1
    }

    /// A request id in GitHub's form, unique in this sandbox.
    fn request_id(&mut self) -> String {
        self.requests += 1;
        let n = self.requests;
        format!("5A1D:{:04X}:{:06X}:{:07X}", n % 0xFFFF, n, n * 7)
    }
}

/// The base of absolute URLs: the sandbox's (or, before it listens, the GitHub world's).
pub fn base(world: &crate::world::World) -> String {
    if world.base_url.is_empty() {
        world.github.base_url.clone()
    } else {
        world.base_url.trim_end_matches('/').to_string()
    }
}

/// The sandbox's base and the API's root (`{base}/github`, or the proxy's URL when one was
/// named with `POST /_sandbox/github/api-base`).
pub fn urls(world: &crate::world::World) -> json::Urls {
    let web = base(world);
    let api = world
        .github
        .api_base
        .clone()
        .unwrap_or_else(|| format!("{web}/github"));
    json::Urls { web, api }
}

/// The API (`/github/...`) and the controls (`/_sandbox/github...`).
pub fn routes() -> Router<Shared> {
    api_routes().merge(control_routes())
}

/// GitHub's REST endpoints, under `/github`.
pub fn api_routes() -> Router<Shared> {
    Router::new()
        .route("/github/repos/{owner}/{repo}", get(api::get_repo))
        .route("/github/orgs/{org}/repos", get(api::org_repos))
        .route(
            "/github/repos/{owner}/{repo}/contents/{*path}",
            get(api::get_contents),
        )
        .route(
            "/github/repos/{owner}/{repo}/code-scanning/alerts",
            get(api::repo_code_scanning),
        )
        .route(
            "/github/repos/{owner}/{repo}/dependabot/alerts",
            get(api::repo_dependabot),
        )
        .route(
            "/github/repos/{owner}/{repo}/secret-scanning/alerts",
            get(api::repo_secret_scanning),
        )
        .route(
            "/github/orgs/{org}/code-scanning/alerts",
            get(api::org_code_scanning),
        )
        .route(
            "/github/orgs/{org}/dependabot/alerts",
            get(api::org_dependabot),
        )
        .route(
            "/github/orgs/{org}/secret-scanning/alerts",
            get(api::org_secret_scanning),
        )
}

/// The sandbox's controls and pages for its GitHub, under `/_sandbox/github`.
pub fn control_routes() -> Router<Shared> {
    Router::new()
        .route("/_sandbox/github", get(page::index))
        .route("/_sandbox/github/", get(page::index))
        .route("/_sandbox/github/state", get(control::state))
        .route("/_sandbox/github/alerts", post(control::add_alert))
        .route("/_sandbox/github/tokens", post(control::add_token))
        .route("/_sandbox/github/files", post(control::put_file))
        .route("/_sandbox/github/rate-limit", post(control::rate_limit))
        .route(
            "/_sandbox/github/secondary-limit",
            post(control::secondary_limit),
        )
        .route("/_sandbox/github/generate", post(control::generate))
        .route("/_sandbox/github/api-base", post(control::api_base))
        .route(
            "/_sandbox/github/repos/{owner}/{repo}/{kind}/{number}/{action}",
            post(control::alert_action),
        )
        .route("/_sandbox/github/{owner}/{repo}", get(page::repo))
        .route(
            "/_sandbox/github/{owner}/{repo}/{kind}/{number}",
            get(page::alert),
        )
}
