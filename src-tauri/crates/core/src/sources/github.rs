//! Reading GitHub's alert lists. Each list is asked newest-changed first (`sort=updated`) with
//! the last answer's `ETag` in `If-None-Match`, so an unchanged list costs one 304 (which
//! GitHub does not count against the rate limit), and a changed one is read only down to what
//! the last poll saw. Once a day a list is read whole, which also notices alerts that
//! disappeared. Pages follow the `Link` header, on the API's own origin only.
//!
//! https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
//! https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
//! https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api

use chrono::{DateTime, Utc};
use reqwest::header::{ACCEPT, AUTHORIZATION, ETAG, HeaderMap, HeaderValue, IF_NONE_MATCH, LINK};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use url::Url;

use super::alerts::{self, AlertKind};
use super::{SourceError, Sources};
use crate::Result;
use crate::error::AppError;
use crate::http::{HttpClient, RetryPolicy};
use crate::issues::{ImportReport, Scan, ScanScope};
use crate::secrets::Secret;
use crate::store::ListState;

/// How often a list is read whole.
const FULL_READ_EVERY: chrono::Duration = chrono::Duration::hours(24);
/// GitHub's largest page.
const PER_PAGE: u32 = 100;
/// A list longer than this many pages is a server gone wrong.
const MAX_PAGES: u32 = 2_000;
/// How far before the last read's newest change a changed list is read again.
const WATERMARK_MARGIN: chrono::Duration = chrono::Duration::minutes(10);

/// A repository or an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    Repo(String),
    Org(String),
}

impl Target {
    fn path(&self) -> String {
        match self {
            Target::Repo(repo) => format!("repos/{repo}"),
            Target::Org(org) => format!("orgs/{org}"),
        }
    }

    fn name(&self) -> &str {
        match self {
            Target::Repo(name) | Target::Org(name) => name,
        }
    }
}

/// What a GitHub poll did.
#[derive(Default)]
pub(super) struct GitHubPoll {
    pub report: ImportReport,
    pub requests: u64,
    pub not_modified: u64,
    /// The last list's problem (others were still read).
    pub problem: Option<AppError>,
    /// The rate limit ran out: nothing more is asked before this.
    pub waiting_until: Option<DateTime<Utc>>,
}

/// One GitHub answer, or why there is none to read.
enum Answer {
    Page {
        items: Vec<Value>,
        headers: HeaderMap,
    },
    NotModified,
}

/// Retries for GitHub: transient gateway errors only. A 429 is GitHub's secondary limit, which
/// asks for a minute or more; retrying it in place within seconds risks the token being
/// blocked, so it comes back to [`Sources::ask`], which waits it out across polls.
fn github_policy() -> RetryPolicy {
    RetryPolicy {
        retry_statuses: &[502, 503, 504],
        not_processed_statuses: &[],
        ..RetryPolicy::default()
    }
}

impl Sources<'_> {
    pub(super) async fn poll_github(
        &self,
        source_id: &str,
        api: &Url,
        targets: &[Target],
        kinds: &[AlertKind],
        token: &Secret,
    ) -> Result<GitHubPoll> {
        let http = self.core.http.with_policy(github_policy());
        let mut poll = GitHubPoll::default();
        for target in targets {
            for kind in kinds {
                let read = self
                    .read_list(&http, source_id, api, target, *kind, token, &mut poll)
                    .await;
                match read {
                    Ok(()) => {}
                    // The token, the rate limit or the network stop every list; anything else,
                    // this one. What was read before stays read and is acted on.
                    Err(ListError::Stop(error)) => {
                        poll.problem = Some(error.into());
                        return Ok(poll);
                    }
                    Err(ListError::Skip(error)) => poll.problem = Some(error.into()),
                    Err(ListError::Core(error @ crate::Error::Http(_))) => {
                        poll.problem = Some(error.into());
                        return Ok(poll);
                    }
                    Err(ListError::Core(error)) => return Err(error),
                }
            }
        }
        Ok(poll)
    }

    #[allow(clippy::too_many_arguments)]
    async fn read_list(
        &self,
        http: &HttpClient,
        source_id: &str,
        api: &Url,
        target: &Target,
        kind: AlertKind,
        token: &Secret,
        poll: &mut GitHubPoll,
    ) -> std::result::Result<(), ListError> {
        let now = self.core.clock.now();
        let list = format!("{}/{}/alerts", target.path(), kind.segment());
        let key = join(api, &list)?.to_string();
        let state = self.core.store.list_state(source_id, &key)?;
        let whole = state
            .full_read_at
            .is_none_or(|at| now - at >= FULL_READ_EVERY);
        let mut url = join(api, &list)?;
        url.query_pairs_mut()
            .append_pair("per_page", &PER_PAGE.to_string())
            .append_pair("sort", "updated")
            .append_pair("direction", "desc");
        if kind == AlertKind::SecretScanning {
            // The secret itself need not even cross the wire.
            url.query_pairs_mut().append_pair("hide_secret", "true");
        }
        let host = api.host_str().unwrap_or_default().to_ascii_lowercase();
        let scope = scope_of(kind, &host, target);
        let failed = |message: String| {
            ListError::Skip(SourceError::GitHub {
                status: 200,
                target: target.name().to_string(),
                message,
            })
        };
        // A little before the last read's newest change: an alert stamped just before that
        // read but listed just after it is not skipped.
        let mark = state.watermark.map(|mark| mark - WATERMARK_MARGIN);
        let mut found = Vec::new();
        let mut newest = state.watermark;
        let mut etag = None;
        let mut next = Some(url);
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                // Not read to the end: nothing is concluded from it.
                return Err(failed(format!(
                    "the list has more than {MAX_PAGES} pages; it was not read"
                )));
            }
            // A whole read asks without a validator: it is how alerts that disappeared below
            // the first page are noticed.
            let validator = (pages == 1 && !whole)
                .then_some(state.etag.as_deref())
                .flatten();
            let answer = self
                .ask(http, url, token, validator, target, kind, poll)
                .await?;
            let (items, headers) = match answer {
                Answer::NotModified => {
                    poll.not_modified += 1;
                    return Ok(());
                }
                Answer::Page { items, headers } => (items, headers),
            };
            if pages == 1 {
                etag = headers
                    .get(ETAG)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
            }
            let mut reached_known = false;
            for alert in items {
                let updated = alerts::updated_at(&alert);
                if !whole
                    && let (Some(updated), Some(mark)) = (updated, mark)
                    && updated < mark
                {
                    reached_known = true;
                    break;
                }
                newest = newest.max(updated);
                let repo = match target {
                    Target::Repo(repo) => Some(repo.as_str()),
                    Target::Org(_) => None,
                };
                match alerts::finding(kind, &host, repo, &scope, &alert) {
                    Some(finding) => found.push(finding),
                    None => log::warn!("an alert in {scope} has a shape the app does not know"),
                }
            }
            if reached_known {
                break;
            }
            next = match next_page(&headers, api) {
                NextPage::None => None,
                NextPage::Url(url) => Some(url),
                NextPage::Elsewhere(host) => {
                    return Err(failed(format!(
                        "its next page is on another server ({host}), where the token is not sent; \
                         check the GitHub address"
                    )));
                }
            };
        }
        let scan = Scan {
            format: "GitHub REST".into(),
            findings: found,
            // Read whole, the list speaks for its scope: what it no longer holds is fixed.
            scopes: if whole {
                vec![ScanScope {
                    name: scope.clone(),
                    seen_at: now,
                }]
            } else {
                Vec::new()
            },
        };
        if !self
            .core
            .issues()
            .record(&scope, Ok(scan), &mut poll.report)?
        {
            // Not saved (the database was busy): the list is read again next time.
            return Err(ListError::Skip(SourceError::NotSaved {
                what: scope.clone(),
            }));
        }
        // Saved after the findings: a crash in between reads the list again, which is harmless.
        self.core.store.save_list_state(
            source_id,
            &key,
            &ListState {
                etag,
                watermark: newest,
                full_read_at: if whole { Some(now) } else { state.full_read_at },
            },
        )?;
        Ok(())
    }

    /// One GET, with what GitHub's answer means for the poll.
    #[allow(clippy::too_many_arguments)]
    async fn ask(
        &self,
        http: &HttpClient,
        url: Url,
        token: &Secret,
        validator: Option<&str>,
        target: &Target,
        kind: AlertKind,
        poll: &mut GitHubPoll,
    ) -> std::result::Result<Answer, ListError> {
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| {
                ListError::Stop(SourceError::InvalidDraft(
                    "The GitHub token holds characters a token cannot have.".into(),
                ))
            })?;
        authorization.set_sensitive(true);
        let mut request = http
            .request(Method::GET, url)
            .header(ACCEPT, "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .header(AUTHORIZATION, authorization);
        if let Some(validator) = validator {
            request = request.header(IF_NONE_MATCH, validator);
        }
        let request = request
            .build()
            .map_err(|e| ListError::Core(crate::http::HttpError::Client(e.to_string()).into()))?;
        poll.requests += 1;
        let response = http
            .send(request)
            .await
            .map_err(|e| ListError::Core(e.into()))?;
        let status = response.status();
        let headers = response.headers().clone();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Answer::NotModified);
        }
        let text = response.text().await.unwrap_or_default();
        let body: Option<Value> = serde_json::from_str(&text).ok();
        let now = self.core.clock.now();
        if status.is_success() {
            // Used up by this answer: wait for the window to reset rather than be refused.
            if header_number(&headers, "x-ratelimit-remaining") == Some(0) {
                poll.waiting_until = reset_time(&headers, now);
            }
            return match body {
                Some(Value::Array(items)) => Ok(Answer::Page { items, headers }),
                Some(item @ Value::Object(_)) => Ok(Answer::Page {
                    items: vec![item],
                    headers,
                }),
                // A cut-off answer, or a proxy's page: not a list, so nothing is concluded.
                _ => Err(ListError::Skip(SourceError::GitHub {
                    status: status.as_u16(),
                    target: target.name().to_string(),
                    message: "its answer was not GitHub's JSON (cut off, or a proxy's page)".into(),
                })),
            };
        }
        let message = body
            .as_ref()
            .and_then(|b| b.get("message"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let lowered = message.to_ascii_lowercase();
        let rate_limited = status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::FORBIDDEN
                && (header_number(&headers, "x-ratelimit-remaining") == Some(0)
                    || headers.contains_key(reqwest::header::RETRY_AFTER)
                    || lowered.contains("rate limit")));
        Err(match status {
            StatusCode::UNAUTHORIZED => ListError::Stop(SourceError::TokenRejected),
            _ if rate_limited => {
                // The primary limit until `x-ratelimit-reset`; a secondary one as long as
                // `retry-after` says, and never less than a minute (GitHub's page).
                let primary = header_number(&headers, "x-ratelimit-remaining") == Some(0);
                let asked = crate::http::retry_after(&headers, now)
                    .and_then(|wait| chrono::Duration::from_std(wait).ok())
                    .map(|wait| now + wait)
                    .or_else(|| primary.then(|| reset_time(&headers, now)).flatten());
                let until = asked.unwrap_or(now).max(now + chrono::Duration::minutes(1));
                poll.waiting_until = Some(until);
                ListError::Stop(SourceError::RateLimited {
                    until: until.format("%H:%M").to_string(),
                })
            }
            _ if lowered.contains("disabled")
                || lowered.contains("not enabled")
                || lowered.contains("no analysis found")
                || lowered.contains("advanced security") =>
            {
                ListError::Skip(SourceError::FeatureOff {
                    what: kind.label(),
                    target: target.name().to_string(),
                    github_says: message,
                })
            }
            StatusCode::FORBIDDEN => {
                let (fine_grained, setting, classic) = kind.permission();
                let accepted = headers
                    .get("x-accepted-github-permissions")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{fine_grained}=read"));
                ListError::Skip(SourceError::MissingPermission {
                    what: kind.label(),
                    target: target.name().to_string(),
                    permission: setting,
                    fine_grained: accepted,
                    classic,
                    github_says: message,
                })
            }
            StatusCode::NOT_FOUND => ListError::Skip(SourceError::TargetNotFound {
                target: target.name().to_string(),
            }),
            _ => ListError::Skip(SourceError::GitHub {
                status: status.as_u16(),
                target: target.name().to_string(),
                message: if message.is_empty() {
                    "no explanation".into()
                } else {
                    message
                },
            }),
        })
    }

    /// Checks that the token works and each repository or organisation exists, with one
    /// request each, before a source is added. (Whether it may read each alert list is said
    /// by the first check, which runs at once.)
    pub(super) async fn verify_github(
        &self,
        api: &Url,
        targets: &[Target],
        token: &Secret,
    ) -> Result<()> {
        let http = self.core.http.with_policy(github_policy());
        for target in targets {
            let list = match target {
                Target::Repo(repo) => format!("repos/{repo}"),
                Target::Org(org) => format!("orgs/{org}/repos"),
            };
            let mut url = join(api, &list).map_err(ListError::into_error)?;
            if matches!(target, Target::Org(_)) {
                url.query_pairs_mut().append_pair("per_page", "1");
            }
            let mut poll = GitHubPoll::default();
            self.ask(
                &http,
                url,
                token,
                None,
                target,
                AlertKind::CodeScanning,
                &mut poll,
            )
            .await
            .map_err(ListError::into_error)?;
        }
        Ok(())
    }
}

impl Sources<'_> {
    /// A file on a repository's default branch, read with a GitHub source's token (`None`: the
    /// repository has no such file).
    /// <https://docs.github.com/rest/repos/contents#get-repository-content>
    pub(crate) async fn github_file(
        &self,
        source_id: &str,
        repo: &str,
        path: &str,
    ) -> Result<Option<String>> {
        use base64::Engine as _;
        let source = self
            .core
            .store
            .sources()?
            .into_iter()
            .find(|s| s.id == source_id)
            .ok_or_else(|| SourceError::UnknownSource(source_id.to_string()))?;
        let super::SourceConfig::GitHub { api_url, .. } = &source.config else {
            return Err(SourceError::NotGitHub {
                source_name: source.name,
            }
            .into());
        };
        let api = Url::parse(api_url).map_err(|e| SourceError::InvalidDraft(e.to_string()))?;
        let key = super::token_name(source_id);
        let token = self
            .core
            .secret(move |store| store.get(&key))
            .await?
            .ok_or_else(|| SourceError::TokenMissing {
                source_name: source.name.clone(),
            })?;
        let url =
            join(&api, &format!("repos/{repo}/contents/{path}")).map_err(ListError::into_error)?;
        let http = self.core.http.with_policy(github_policy());
        let target = Target::Repo(repo.to_string());
        let mut poll = GitHubPoll::default();
        let answer = self
            .ask(
                &http,
                url,
                &token,
                None,
                &target,
                AlertKind::CodeScanning,
                &mut poll,
            )
            .await;
        let items = match answer {
            Ok(Answer::Page { items, .. }) => items,
            Ok(Answer::NotModified) => return Ok(None),
            Err(ListError::Skip(SourceError::TargetNotFound { .. })) => return Ok(None),
            Err(ListError::Skip(SourceError::MissingPermission { .. })) => {
                return Err(SourceError::ContentsForbidden {
                    repo: repo.to_string(),
                }
                .into());
            }
            Err(error) => return Err(error.into_error()),
        };
        let encoded: String = items
            .first()
            .and_then(|item| item["content"].as_str())
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| SourceError::GitHub {
                status: 200,
                target: format!("{repo}/{path}"),
                message: format!("its content is not base64 ({e})"),
            })?;
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }
}

/// A list's scope: "GitHub code scanning · contoso/api" on github.com, with the server's name
/// on any other, so two servers' repositories of the same name never fix each other's findings.
fn scope_of(kind: AlertKind, host: &str, target: &Target) -> String {
    match host {
        "api.github.com" => format!("{} · {}", kind.scope_label(), target.name()),
        host => format!("{} · {host}/{}", kind.scope_label(), target.name()),
    }
}

/// Why a list was not read.
pub(super) enum ListError {
    /// Nothing more can be asked now (the token, the rate limit).
    Stop(SourceError),
    /// This list could not be read; the others may.
    Skip(SourceError),
    Core(crate::Error),
}

impl ListError {
    fn into_error(self) -> crate::Error {
        match self {
            ListError::Stop(e) | ListError::Skip(e) => e.into(),
            ListError::Core(e) => e,
        }
    }
}

impl From<crate::store::StoreError> for ListError {
    fn from(error: crate::store::StoreError) -> Self {
        ListError::Core(error.into())
    }
}

impl From<crate::Error> for ListError {
    fn from(error: crate::Error) -> Self {
        ListError::Core(error)
    }
}

/// `api` joined with a relative path, keeping the API's own path (`/api/v3` on GHES).
fn join(api: &Url, path: &str) -> std::result::Result<Url, ListError> {
    let base = format!("{}/", api.as_str().trim_end_matches('/'));
    Url::parse(&base)
        .and_then(|base| base.join(path))
        .map_err(|e| {
            ListError::Core(
                SourceError::InvalidDraft(format!("The GitHub URL cannot be used: {e}.")).into(),
            )
        })
}

/// Where the `rel="next"` link leads.
#[derive(Debug, PartialEq)]
pub(super) enum NextPage {
    None,
    Url(Url),
    /// On another origin than the API's: not followed (the token would go there).
    Elsewhere(String),
}

pub(super) fn next_page(headers: &HeaderMap, api: &Url) -> NextPage {
    let Some(link) = headers.get(LINK).and_then(|l| l.to_str().ok()) else {
        return NextPage::None;
    };
    let next = link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| target.trim().trim_start_matches('<').trim_end_matches('>'))
            .and_then(|t| Url::parse(t).ok())
    });
    match next {
        None => NextPage::None,
        Some(url) if url.origin() == api.origin() => NextPage::Url(url),
        Some(url) => NextPage::Elsewhere(url.host_str().unwrap_or_default().to_string()),
    }
}

fn header_number(headers: &HeaderMap, name: &str) -> Option<i64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// When the rate limit's window resets, at most a day away (a broken header parks no source
/// for longer).
fn reset_time(headers: &HeaderMap, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let reset = DateTime::from_timestamp(header_number(headers, "x-ratelimit-reset")?, 0)?;
    Some(reset.min(now + chrono::Duration::hours(24)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_is_followed_only_on_the_apis_origin() {
        let api = Url::parse("https://ghe.example.com/api/v3").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            "<https://ghe.example.com/api/v3/repos/o/r/code-scanning/alerts?page=2>; rel=\"next\", \
             <https://ghe.example.com/api/v3/repos/o/r/code-scanning/alerts?page=9>; rel=\"last\""
                .parse()
                .unwrap(),
        );
        let NextPage::Url(next) = next_page(&headers, &api) else {
            panic!("a next page")
        };
        assert_eq!(next.query(), Some("page=2"));
        headers.insert(
            LINK,
            "<https://evil.example.net/steal?page=2>; rel=\"next\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_page(&headers, &api),
            NextPage::Elsewhere("evil.example.net".into())
        );
    }

    #[test]
    fn paths_keep_an_enterprise_servers_api_prefix() {
        let api = Url::parse("https://ghe.example.com/api/v3").unwrap();
        let Ok(url) = join(&api, "repos/o/r/dependabot/alerts") else {
            panic!("joins");
        };
        assert_eq!(
            url.as_str(),
            "https://ghe.example.com/api/v3/repos/o/r/dependabot/alerts"
        );
    }
}
