//! The sandbox's GitHub in GitHub's JSON: `simple-user`, `simple-repository`,
//! `minimal-repository`, `full-repository`, `code-scanning-alert-items` (with `repository` for
//! the organisation's list), `dependabot-alert(-with-repository)` and
//! `(organization-)secret-scanning-alert`, as GitHub's OpenAPI description defines them.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::{
    Actor, CodeScanningAlert, DependabotAlert, GitHubWorld, Kind, Repo, SecretScanningAlert,
};

/// GitHub's timestamps: seconds, UTC, `Z`.
pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn opt_time(at: Option<DateTime<Utc>>) -> Value {
    at.map(time).map_or(Value::Null, Value::String)
}

/// Where URLs point: the sandbox (`web`, for pages) and the REST API's root (`api`,
/// `{web}/github` unless a proxy in front of it was named).
#[derive(Debug, Clone)]
pub struct Urls {
    pub web: String,
    pub api: String,
}

/// The web page of an alert.
pub fn html_url(u: &Urls, repo: &Repo, kind: Kind, number: u64) -> String {
    format!(
        "{}/_sandbox/github/{}/{}/{}/{number}",
        u.web,
        repo.owner,
        repo.name,
        kind.url_form()
    )
}

fn legacy_node_id(kind: &str, id: u64) -> String {
    use base64::Engine;
    let tag = match kind {
        "User" => "04:User",
        "Organization" => "012:Organization",
        _ => "010:Repository",
    };
    base64::engine::general_purpose::STANDARD.encode(format!("{tag}{id}"))
}

/// A `simple-user` (or an organisation as an owner).
pub fn user(u: &Urls, login: &str, id: u64, organization: bool) -> Value {
    let api = &u.api;
    let base = &u.web;
    let kind = if organization { "Organization" } else { "User" };
    json!({
        "login": login,
        "id": id,
        "node_id": legacy_node_id(kind, id),
        "avatar_url": format!("{base}/_sandbox/github/avatars/{login}.png"),
        "gravatar_id": "",
        "url": format!("{api}/users/{login}"),
        "html_url": format!("{base}/_sandbox/github/{login}"),
        "followers_url": format!("{api}/users/{login}/followers"),
        "following_url": format!("{api}/users/{login}/following{{/other_user}}"),
        "gists_url": format!("{api}/users/{login}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/users/{login}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/users/{login}/subscriptions"),
        "organizations_url": format!("{api}/users/{login}/orgs"),
        "repos_url": format!("{api}/users/{login}/repos"),
        "events_url": format!("{api}/users/{login}/events{{/privacy}}"),
        "received_events_url": format!("{api}/users/{login}/received_events"),
        "type": kind,
        "user_view_type": "public",
        "site_admin": false,
    })
}

fn actor(u: &Urls, who: &Option<Actor>) -> Value {
    who.as_ref()
        .map_or(Value::Null, |a| user(u, &a.login, a.id, false))
}

fn owner(u: &Urls, github: &GitHubWorld, repo: &Repo) -> Value {
    match github.org(&repo.owner) {
        Some(org) => user(u, &org.login, org.id, true),
        None => user(u, &repo.owner, 0, false),
    }
}

/// `simple-repository`: the repository's names, owner and URL templates.
pub fn simple_repo(u: &Urls, github: &GitHubWorld, repo: &Repo) -> Map<String, Value> {
    let full = repo.full_name();
    let base = &u.web;
    let url = format!("{}/repos/{full}", u.api);
    let mut map = Map::new();
    let mut put = |key: &str, value: Value| {
        map.insert(key.to_string(), value);
    };
    put("id", json!(repo.id));
    put("node_id", json!(legacy_node_id("Repository", repo.id)));
    put("name", json!(repo.name));
    put("full_name", json!(full));
    put("owner", owner(u, github, repo));
    put("private", json!(repo.private));
    put("html_url", json!(format!("{base}/_sandbox/github/{full}")));
    put("description", json!(repo.description));
    put("fork", json!(false));
    put("url", json!(url));
    for (key, tail) in [
        ("archive_url", "/{archive_format}{/ref}"),
        ("assignees_url", "/assignees{/user}"),
        ("blobs_url", "/git/blobs{/sha}"),
        ("branches_url", "/branches{/branch}"),
        ("collaborators_url", "/collaborators{/collaborator}"),
        ("comments_url", "/comments{/number}"),
        ("commits_url", "/commits{/sha}"),
        ("compare_url", "/compare/{base}...{head}"),
        ("contents_url", "/contents/{+path}"),
        ("contributors_url", "/contributors"),
        ("deployments_url", "/deployments"),
        ("downloads_url", "/downloads"),
        ("events_url", "/events"),
        ("forks_url", "/forks"),
        ("git_commits_url", "/git/commits{/sha}"),
        ("git_refs_url", "/git/refs{/sha}"),
        ("git_tags_url", "/git/tags{/sha}"),
        ("issue_comment_url", "/issues/comments{/number}"),
        ("issue_events_url", "/issues/events{/number}"),
        ("issues_url", "/issues{/number}"),
        ("keys_url", "/keys{/key_id}"),
        ("labels_url", "/labels{/name}"),
        ("languages_url", "/languages"),
        ("merges_url", "/merges"),
        ("milestones_url", "/milestones{/number}"),
        (
            "notifications_url",
            "/notifications{?since,all,participating}",
        ),
        ("pulls_url", "/pulls{/number}"),
        ("releases_url", "/releases{/id}"),
        ("stargazers_url", "/stargazers"),
        ("statuses_url", "/statuses/{sha}"),
        ("subscribers_url", "/subscribers"),
        ("subscription_url", "/subscription"),
        ("tags_url", "/tags"),
        ("teams_url", "/teams"),
        ("trees_url", "/git/trees{/sha}"),
        ("hooks_url", "/hooks"),
    ] {
        put(key, json!(format!("{url}{tail}")));
    }
    map
}

/// `minimal-repository`, as `GET /orgs/{org}/repos` lists it.
pub fn minimal_repo(u: &Urls, github: &GitHubWorld, repo: &Repo) -> Map<String, Value> {
    let mut map = simple_repo(u, github, repo);
    let full = repo.full_name();
    let base = u.web.as_str();
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or(base)
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let open = open_alerts(repo);
    let extra = json!({
        "git_url": format!("git://{host}/{full}.git"),
        "ssh_url": format!("git@{host}:{full}.git"),
        "clone_url": format!("{base}/{full}.git"),
        "mirror_url": null,
        "svn_url": format!("{base}/_sandbox/github/{full}"),
        "homepage": null,
        "language": repo.language,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "size": 1024 + repo.id % 9000,
        "default_branch": "main",
        "open_issues_count": open,
        "is_template": false,
        "topics": [],
        "has_issues": true,
        "has_projects": true,
        "has_wiki": false,
        "has_pages": false,
        "has_downloads": true,
        "has_discussions": false,
        "archived": false,
        "disabled": false,
        "visibility": if repo.private { "private" } else { "public" },
        "pushed_at": time(repo.pushed_at),
        "created_at": time(repo.created_at),
        "updated_at": time(repo.updated_at),
        "permissions": { "admin": false, "maintain": false, "push": false, "triage": false, "pull": true },
        "license": null,
        "forks": 0,
        "open_issues": open,
        "watchers": 0,
        "allow_forking": false,
        "web_commit_signoff_required": false,
    });
    if let Value::Object(extra) = extra {
        map.extend(extra);
    }
    map
}

/// `full-repository`, as `GET /repos/{owner}/{repo}` answers.
pub fn full_repo(u: &Urls, github: &GitHubWorld, repo: &Repo) -> Value {
    let mut map = minimal_repo(u, github, repo);
    let organization = github
        .org(&repo.owner)
        .map_or(Value::Null, |o| user(u, &o.login, o.id, true));
    let enabled = json!({ "status": "enabled" });
    let disabled = json!({ "status": "disabled" });
    let extra = json!({
        "allow_rebase_merge": true,
        "allow_squash_merge": true,
        "allow_auto_merge": false,
        "delete_branch_on_merge": false,
        "allow_merge_commit": true,
        "allow_update_branch": false,
        "use_squash_pr_title_as_default": false,
        "squash_merge_commit_title": "COMMIT_OR_PR_TITLE",
        "squash_merge_commit_message": "COMMIT_MESSAGES",
        "merge_commit_title": "MERGE_MESSAGE",
        "merge_commit_message": "PR_TITLE",
        "subscribers_count": 3,
        "network_count": 0,
        "organization": organization,
        "security_and_analysis": {
            "advanced_security": enabled,
            "code_security": enabled,
            "dependabot_security_updates": disabled,
            "secret_scanning": enabled,
            "secret_scanning_push_protection": enabled,
            "secret_scanning_non_provider_patterns": disabled,
        },
        "custom_properties": {},
    });
    if let Value::Object(extra) = extra {
        map.extend(extra);
    }
    Value::Object(map)
}

fn open_alerts(repo: &Repo) -> usize {
    repo.code_scanning
        .iter()
        .filter(|a| a.state == "open")
        .count()
        + repo.dependabot.iter().filter(|a| a.state == "open").count()
        + repo
            .secret_scanning
            .iter()
            .filter(|a| a.state == "open")
            .count()
}

fn alert_url(u: &Urls, repo: &Repo, kind: Kind, number: u64) -> String {
    format!(
        "{}/repos/{}/{}/alerts/{number}",
        u.api,
        repo.full_name(),
        kind.url_form()
    )
}

fn with_repository(
    mut alert: Value,
    u: &Urls,
    github: &GitHubWorld,
    repo: &Repo,
    with_repo: bool,
) -> Value {
    if with_repo {
        alert["repository"] = Value::Object(simple_repo(u, github, repo));
    }
    alert
}

/// `code-scanning-alert-items`; with the repository, `code-scanning-organization-alert-items`.
pub fn code_scanning(
    u: &Urls,
    github: &GitHubWorld,
    repo: &Repo,
    alert: &CodeScanningAlert,
    with_repo: bool,
) -> Value {
    let url = alert_url(u, repo, Kind::CodeScanning, alert.number);
    let rule = &alert.rule;
    let category = format!(
        ".github/workflows/codeql.yml:analyze/language:{}",
        rule.language
    );
    let value = json!({
        "number": alert.number,
        "created_at": time(alert.created_at),
        "updated_at": time(alert.updated_at),
        "url": url,
        "html_url": html_url(u, repo, Kind::CodeScanning, alert.number),
        "state": alert.state,
        "fixed_at": opt_time(alert.fixed_at),
        "dismissed_by": actor(u, &alert.dismissed_by),
        "dismissed_at": opt_time(alert.dismissed_at),
        "dismissed_reason": alert.dismissed_reason,
        "dismissed_comment": alert.dismissed_comment,
        "rule": {
            "id": rule.id,
            "severity": rule.severity,
            "security_severity_level": rule.security_severity_level,
            "description": rule.description,
            "name": rule.id,
            "tags": rule.tags,
        },
        "tool": { "name": "CodeQL", "guid": null, "version": alert.tool_version },
        "most_recent_instance": {
            "ref": alert.git_ref,
            "analysis_key": ".github/workflows/codeql.yml:analyze",
            "environment": format!("{{\"language\":\"{}\"}}", rule.language),
            "category": category,
            "state": alert.state,
            "commit_sha": alert.commit_sha,
            "message": { "text": alert.message },
            "location": {
                "path": alert.path,
                "start_line": alert.start_line,
                "end_line": alert.end_line,
                "start_column": alert.start_column,
                "end_column": alert.end_column,
            },
            "classifications": alert.classifications,
        },
        "instances_url": format!("{url}/instances"),
        "assignees": [],
    });
    with_repository(value, u, github, repo, with_repo)
}

/// `dependabot-alert`; with the repository, `dependabot-alert-with-repository`.
pub fn dependabot(
    u: &Urls,
    github: &GitHubWorld,
    repo: &Repo,
    alert: &DependabotAlert,
    with_repo: bool,
) -> Value {
    let a = &alert.advisory;
    let package = json!({ "ecosystem": a.ecosystem, "name": a.package });
    let vulnerability = json!({
        "package": package,
        "severity": a.severity,
        "vulnerable_version_range": a.vulnerable_version_range,
        "first_patched_version": a.first_patched_version.as_ref().map(|v| json!({ "identifier": v })),
    });
    let mut identifiers = vec![json!({ "type": "GHSA", "value": a.ghsa_id })];
    let mut references = Vec::new();
    if let Some(cve) = &a.cve_id {
        identifiers.push(json!({ "type": "CVE", "value": cve }));
        references.push(json!({ "url": format!("https://nvd.nist.gov/vuln/detail/{cve}") }));
    }
    references.push(json!({ "url": format!("https://github.com/advisories/{}", a.ghsa_id) }));
    let cvss_v3 = a
        .cvss_vector
        .as_ref()
        .map(|v| json!({ "vector_string": v, "score": a.cvss_score }));
    let value = json!({
        "number": alert.number,
        "state": alert.state,
        "dependency": {
            "package": package,
            "manifest_path": alert.manifest_path,
            "scope": alert.scope,
            "relationship": alert.relationship,
        },
        "security_advisory": {
            "ghsa_id": a.ghsa_id,
            "cve_id": a.cve_id,
            "summary": a.summary,
            "description": a.description,
            "vulnerabilities": [vulnerability],
            "severity": a.severity,
            "cvss": { "vector_string": a.cvss_vector, "score": a.cvss_score },
            "cvss_severities": { "cvss_v3": cvss_v3, "cvss_v4": null },
            "cwes": a.cwes.iter().map(|(id, name)| json!({ "cwe_id": id, "name": name })).collect::<Vec<_>>(),
            "identifiers": identifiers,
            "references": references,
            "published_at": time(a.published_at),
            "updated_at": time(a.updated_at),
            "withdrawn_at": null,
        },
        "security_vulnerability": vulnerability,
        "url": alert_url(u, repo, Kind::Dependabot, alert.number),
        "html_url": html_url(u, repo, Kind::Dependabot, alert.number),
        "created_at": time(alert.created_at),
        "updated_at": time(alert.updated_at),
        "dismissed_at": opt_time(alert.dismissed_at),
        "dismissed_by": actor(u, &alert.dismissed_by),
        "dismissed_reason": alert.dismissed_reason,
        "dismissed_comment": alert.dismissed_comment,
        "fixed_at": opt_time(alert.fixed_at),
        "auto_dismissed_at": opt_time(alert.auto_dismissed_at),
        "assignees": [],
    });
    with_repository(value, u, github, repo, with_repo)
}

/// `secret-scanning-alert`; with the repository, `organization-secret-scanning-alert`. The
/// secret itself is left out when the caller asked with `hide_secret=true`.
pub fn secret_scanning(
    u: &Urls,
    github: &GitHubWorld,
    repo: &Repo,
    alert: &SecretScanningAlert,
    with_repo: bool,
    hide_secret: bool,
) -> Value {
    let url = alert_url(u, repo, Kind::SecretScanning, alert.number);
    let repo_api = format!("{}/repos/{}", u.api, repo.full_name());
    let k = &alert.kind;
    let mut value = json!({
        "number": alert.number,
        "created_at": time(alert.created_at),
        "updated_at": time(alert.updated_at),
        "url": url,
        "html_url": html_url(u, repo, Kind::SecretScanning, alert.number),
        "locations_url": format!("{url}/locations"),
        "state": alert.state,
        "resolution": alert.resolution,
        "resolved_at": opt_time(alert.resolved_at),
        "resolved_by": actor(u, &alert.resolved_by),
        "resolution_comment": alert.resolution_comment,
        "secret_type": k.secret_type,
        "secret_type_display_name": k.display_name,
        "provider": k.provider,
        "provider_slug": k.provider_slug,
        "secret": alert.secret,
        "push_protection_bypassed": false,
        "push_protection_bypassed_by": null,
        "push_protection_bypassed_at": null,
        "push_protection_bypass_request_reviewer": null,
        "push_protection_bypass_request_reviewer_comment": null,
        "push_protection_bypass_request_comment": null,
        "push_protection_bypass_request_html_url": null,
        "validity": alert.validity,
        "publicly_leaked": alert.publicly_leaked,
        "multi_repo": alert.multi_repo,
        "is_base64_encoded": false,
        "first_location_detected": {
            "path": alert.path,
            "start_line": alert.line,
            "end_line": alert.line,
            "start_column": 1,
            "end_column": 1 + alert.secret.len(),
            "blob_sha": alert.blob_sha,
            "blob_url": format!("{repo_api}/git/blobs/{}", alert.blob_sha),
            "commit_sha": alert.commit_sha,
            "commit_url": format!("{repo_api}/git/commits/{}", alert.commit_sha),
        },
        "has_more_locations": false,
        "assigned_to": null,
    });
    if hide_secret && let Some(map) = value.as_object_mut() {
        map.remove("secret");
    }
    with_repository(value, u, github, repo, with_repo)
}

/// One alert in the repository-level shape, if it exists.
pub fn alert(
    u: &Urls,
    github: &GitHubWorld,
    repo: &Repo,
    kind: Kind,
    number: u64,
) -> Option<Value> {
    match kind {
        Kind::CodeScanning => repo
            .code_scanning
            .iter()
            .find(|a| a.number == number)
            .map(|a| code_scanning(u, github, repo, a, false)),
        Kind::Dependabot => repo
            .dependabot
            .iter()
            .find(|a| a.number == number)
            .map(|a| dependabot(u, github, repo, a, false)),
        Kind::SecretScanning => repo
            .secret_scanning
            .iter()
            .find(|a| a.number == number)
            .map(|a| secret_scanning(u, github, repo, a, false, false)),
    }
}

/// Every alert of a kind in a repository, newest first.
pub fn alerts(u: &Urls, github: &GitHubWorld, repo: &Repo, kind: Kind) -> Vec<Value> {
    let mut numbers: Vec<u64> = match kind {
        Kind::CodeScanning => repo.code_scanning.iter().map(|a| a.number).collect(),
        Kind::Dependabot => repo.dependabot.iter().map(|a| a.number).collect(),
        Kind::SecretScanning => repo.secret_scanning.iter().map(|a| a.number).collect(),
    };
    numbers.sort_unstable_by(|a, b| b.cmp(a));
    numbers
        .into_iter()
        .filter_map(|n| alert(u, github, repo, kind, n))
        .collect()
}
