//! Adding, removing and checking sources.

use std::path::Path;

use chrono::Duration;
use url::Url;

use super::folder::SETTLE;
use super::github::Target;
use super::{
    AlertKind, Found, GitHubDraft, PollReport, Source, SourceConfig, SourceError, SourcePoll,
    Sources, token_name,
};
use crate::error::AppError;
use crate::issues::{FileImport, ImportReport};
use crate::secrets::Secret;
use crate::store::CheckRecord;
use crate::{Error, Result};

/// A folder is looked at this often even when the file watcher is quiet (network drives
/// report no changes).
pub(super) const FOLDER_EVERY: Duration = Duration::seconds(30);
/// GitHub is asked this often unless the source says otherwise.
const GITHUB_EVERY_MINUTES: u64 = 5;

impl Sources<'_> {
    pub fn list(&self) -> Result<Vec<Source>> {
        Ok(self.core.store.sources()?)
    }

    pub fn get(&self, id: &str) -> Result<Source> {
        Ok(self
            .core
            .store
            .source(id)?
            .ok_or_else(|| SourceError::UnknownSource(id.to_string()))?)
    }

    /// Watches a folder; its reports are imported at the next check.
    pub fn add_folder(&self, path: &Path) -> Result<Source> {
        let bad = |detail: String| SourceError::BadFolder {
            path: path.display().to_string(),
            detail,
        };
        let folder = std::fs::canonicalize(path).map_err(|e| bad(e.to_string()))?;
        if !folder.is_dir() {
            return Err(bad("it is a file, not a folder".into()).into());
        }
        // The app writes its database there: watching it would wake the poller with every
        // write it makes.
        let data = std::fs::canonicalize(&self.core.data_dir).unwrap_or(self.core.data_dir.clone());
        if data.starts_with(&folder) {
            return Err(bad(format!(
                "it holds the app's own data folder ({}); choose the folder the reports are written to",
                data.display()
            ))
            .into());
        }
        let shown = folder.display().to_string();
        if self
            .list()?
            .iter()
            .any(|s| matches!(&s.config, SourceConfig::Folder { path } if *path == shown))
        {
            return Err(bad("it is watched already".into()).into());
        }
        self.insert(
            shown.clone(),
            SourceConfig::Folder { path: shown },
            FOLDER_EVERY,
        )
    }

    /// Adds a GitHub source after checking that the token works and each repository or
    /// organisation exists. The token goes to the OS keychain only.
    pub async fn add_github(&self, draft: &GitHubDraft, token: Secret) -> Result<Source> {
        let (config, name, interval) = github_config(draft)?;
        if token.expose().trim().is_empty() {
            return Err(SourceError::InvalidDraft(
                "Paste a GitHub token: a fine-grained personal access token that may read \
                 the alerts."
                    .into(),
            )
            .into());
        }
        let token = Secret::new(token.expose().trim());
        let (api, targets, _) = github_parts(&config)?;
        self.verify_github(&api, &targets, &token).await?;
        let id = self.core.new_id();
        let key = token_name(&id);
        self.core
            .secret(move |store| store.set(&key, &token))
            .await?;
        let source = Source {
            id,
            ..self.new_source(name, config, interval)
        };
        self.core.store.insert_source(&source)?;
        self.wake();
        Ok(source)
    }

    /// Stops watching a source and forgets its token; its findings stay.
    pub async fn remove(&self, id: &str) -> Result<()> {
        let source = self.get(id)?;
        if matches!(source.config, SourceConfig::GitHub { .. }) {
            let key = token_name(id);
            self.core.secret(move |store| store.delete(&key)).await?;
        }
        self.core.store.delete_source(id)?;
        Ok(())
    }

    /// Checks every source (or one) now, whatever its schedule; one waiting for GitHub's rate
    /// limit still waits (asking sooner would only be refused, and may get the token blocked).
    pub async fn poll(&self, only: Option<&str>) -> Result<PollReport> {
        if let Some(id) = only {
            self.get(id)?;
        }
        let now = self.core.clock.now();
        self.pass(|source| {
            only.is_none_or(|id| source.id == id)
                && source.waiting_until.is_none_or(|until| until <= now)
        })
        .await
    }

    /// Checks the sources that are due.
    pub async fn poll_due(&self) -> Result<PollReport> {
        let now = self.core.clock.now();
        self.pass(|source| {
            source.next_check <= now && source.waiting_until.is_none_or(|until| until <= now)
        })
        .await
    }

    async fn pass(&self, wanted: impl Fn(&Source) -> bool) -> Result<PollReport> {
        let mut report = PollReport::default();
        let Some(_lease) = self
            .core
            .lease(&self.core.sources_state.gate, "sources.lock")
        else {
            report.busy = true;
            return Ok(report);
        };
        for source in self.list()?.into_iter().filter(|s| wanted(s)) {
            // One source's failure is said on it; the others are still checked.
            match self.check(&source).await {
                Ok(poll) => report.polls.push(poll),
                Err(error) => log::error!("source {} could not be checked: {error}", source.name),
            }
        }
        report.next_check = self
            .list()?
            .iter()
            .map(|s| {
                s.waiting_until
                    .map_or(s.next_check, |until| until.max(s.next_check))
            })
            .min();
        Ok(report)
    }

    /// Checks one source and records what happened on it.
    async fn check(&self, source: &Source) -> Result<SourcePoll> {
        let now = self.core.clock.now();
        let every = Duration::seconds(source.interval_secs as i64);
        let mut poll = SourcePoll {
            source_id: source.id.clone(),
            name: source.name.clone(),
            found: Found::default(),
            imported: Vec::new(),
            pending: 0,
            requests: 0,
            not_modified: 0,
            error: None,
            waiting_until: None,
        };
        let mut next = now + every;
        let mut report = ImportReport::default();
        match &source.config {
            SourceConfig::Folder { path } => match self.poll_folder(&source.id, Path::new(path)) {
                Ok(folder) => {
                    report = folder.report;
                    poll.pending = folder.pending;
                    if folder.pending > 0 {
                        next = now + SETTLE + Duration::milliseconds(100);
                    }
                    poll.error = report.files.iter().rev().find_map(|file| match file {
                        FileImport::Refused { code, problem, .. } => Some(AppError {
                            code: *code,
                            message: problem.clone(),
                        }),
                        FileImport::Imported { .. } => None,
                    });
                    // A refused report is not read again until it changes: its refusal stays
                    // on the source until then, not only for the check that read it.
                    if report.files.is_empty() {
                        poll.error = source
                            .error
                            .clone()
                            .filter(|e| e.code == crate::ErrorCode::InvalidFindings);
                    }
                }
                Err(error) => poll.error = Some(AppError::from(&error)),
            },
            SourceConfig::GitHub { .. } => {
                let (api, targets, kinds) = github_parts(&source.config)?;
                let key = token_name(&source.id);
                let token = self.core.secret(move |store| store.get(&key)).await;
                match token {
                    Ok(Some(token)) => {
                        match self
                            .poll_github(&source.id, &api, &targets, &kinds, &token)
                            .await
                        {
                            Ok(github) => {
                                report = github.report;
                                poll.requests = github.requests;
                                poll.not_modified = github.not_modified;
                                poll.error = github.problem;
                                poll.waiting_until = github.waiting_until;
                                if let Some(until) = github.waiting_until {
                                    next = next.max(until);
                                }
                            }
                            Err(error) => poll.error = Some(AppError::from(&error)),
                        }
                    }
                    Ok(None) => {
                        poll.error = Some(AppError::from(Error::from(SourceError::TokenMissing {
                            source_name: source.name.clone(),
                        })))
                    }
                    // A locked keychain: say so, and try again at the next check.
                    Err(error) => poll.error = Some(AppError::from(&error)),
                }
            }
        }
        poll.found.add(&report);
        if let Some(error) = &poll.error {
            log::warn!("source {}: {}", source.name, error.message);
        }
        self.core.store.record_check(
            &source.id,
            &CheckRecord {
                at: now,
                found: poll.found,
                next_check: next,
                error: poll.error.as_ref(),
                waiting_until: poll.waiting_until,
            },
        )?;
        if !report.files.is_empty() {
            self.core.issues().act_on(&report);
            self.core.outbox().wake();
        }
        poll.imported = report.files;
        Ok(poll)
    }

    fn insert(&self, name: String, config: SourceConfig, every: Duration) -> Result<Source> {
        let source = self.new_source(name, config, every);
        self.core.store.insert_source(&source)?;
        self.wake();
        Ok(source)
    }

    fn new_source(&self, name: String, config: SourceConfig, every: Duration) -> Source {
        let now = self.core.clock.now();
        Source {
            id: self.core.new_id(),
            name,
            config,
            interval_secs: every.num_seconds().max(1) as u64,
            created_at: now,
            last_check: None,
            found_at: None,
            found: Found::default(),
            found_summary: Found::default().sentence(),
            next_check: now,
            error: None,
            waiting_until: None,
        }
    }
}

/// A draft checked and turned into what is stored, its name and its interval.
fn github_config(draft: &GitHubDraft) -> Result<(SourceConfig, String, Duration)> {
    let invalid = |message: String| Error::from(SourceError::InvalidDraft(message));
    let url = match draft.url.trim() {
        "" => "https://api.github.com".to_string(),
        url => url.trim_end_matches('/').to_string(),
    };
    let mut api = Url::parse(&url).map_err(|e| {
        invalid(format!(
            "“{url}” is not a web address ({e}). Leave it empty for github.com, or give your \
             GitHub Enterprise Server's address."
        ))
    })?;
    let host = api.host_str().unwrap_or_default().to_string();
    let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]");
    if api.scheme() != "https" && !(api.scheme() == "http" && loopback) {
        return Err(invalid(format!(
            "“{url}” must start with https:// (the token is sent to it)."
        )));
    }
    if host == "github.com" {
        api = Url::parse("https://api.github.com").expect("a valid URL");
    } else if api.path() == "/" && api.scheme() == "https" && host != "api.github.com" {
        // An Enterprise Server's REST API lives under /api/v3. (Plain http is allowed only on
        // this computer, for a GitHub stand-in, whose address is taken as given.)
        api.set_path("/api/v3");
    }
    let mut repos = Vec::new();
    for repo in draft
        .repos
        .iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
    {
        let repo = repo
            .trim_start_matches("https://github.com/")
            .trim_end_matches(".git")
            .trim_end_matches('/');
        let valid = repo.split('/').count() == 2
            && repo.split('/').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            });
        if !valid {
            return Err(invalid(format!(
                "“{repo}” is not a repository name: write it as owner/name."
            )));
        }
        if !repos.iter().any(|r: &String| r.eq_ignore_ascii_case(repo)) {
            repos.push(repo.to_string());
        }
    }
    let org = draft
        .org
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_string);
    if let Some(org) = &org
        && !org.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(invalid(format!("“{org}” is not an organisation name.")));
    }
    if repos.is_empty() && org.is_none() {
        return Err(invalid(
            "Name at least one repository (owner/name) or an organisation.".into(),
        ));
    }
    let mut kinds = Vec::new();
    for kind in &draft.kinds {
        if !kinds.contains(kind) {
            kinds.push(*kind);
        }
    }
    if kinds.is_empty() {
        kinds = AlertKind::ALL.to_vec();
    }
    let minutes = draft
        .interval_minutes
        .unwrap_or(GITHUB_EVERY_MINUTES)
        .clamp(1, 24 * 60);
    let place = if host == "github.com" || host == "api.github.com" {
        "GitHub".to_string()
    } else {
        format!("GitHub {host}")
    };
    let what = match (&org, repos.as_slice()) {
        (Some(org), []) => format!("organisation {org}"),
        (Some(org), [..]) => format!("organisation {org} and {} more", repos.len()),
        (None, [one]) => one.clone(),
        (None, [first, rest @ ..]) => format!("{first} and {} more", rest.len()),
        (None, []) => unreachable!("checked above"),
    };
    Ok((
        SourceConfig::GitHub {
            api_url: api.as_str().trim_end_matches('/').to_string(),
            repos,
            org,
            kinds,
        },
        format!("{place} · {what}"),
        Duration::minutes(minutes as i64),
    ))
}

/// A GitHub source's API address, repositories and organisation, and alert kinds.
fn github_parts(config: &SourceConfig) -> Result<(Url, Vec<Target>, Vec<AlertKind>)> {
    let SourceConfig::GitHub {
        api_url,
        repos,
        org,
        kinds,
    } = config
    else {
        return Err(Error::from(SourceError::InvalidDraft(
            "This source is not a GitHub source.".into(),
        )));
    };
    let api = Url::parse(api_url).map_err(|e| {
        Error::from(SourceError::InvalidDraft(format!(
            "The stored GitHub URL cannot be used: {e}."
        )))
    })?;
    let targets = org
        .iter()
        .map(|o| Target::Org(o.clone()))
        .chain(repos.iter().map(|r| Target::Repo(r.clone())))
        .collect();
    Ok((api, targets, kinds.clone()))
}

impl From<SourceError> for AppError {
    fn from(error: SourceError) -> Self {
        AppError::from(Error::from(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(url: &str, repos: &[&str], org: Option<&str>) -> GitHubDraft {
        GitHubDraft {
            url: url.into(),
            repos: repos.iter().map(|r| r.to_string()).collect(),
            org: org.map(str::to_string),
            ..GitHubDraft::default()
        }
    }

    #[test]
    fn a_github_draft_is_checked_and_named() {
        let (config, name, every) =
            github_config(&draft("", &["https://github.com/contoso/api.git"], None)).unwrap();
        assert_eq!(name, "GitHub · contoso/api");
        assert_eq!(every, Duration::minutes(5));
        let SourceConfig::GitHub { api_url, kinds, .. } = config else {
            panic!()
        };
        assert_eq!(api_url, "https://api.github.com");
        assert_eq!(kinds, AlertKind::ALL);
        let (config, name, _) =
            github_config(&draft("https://ghe.example.com", &[], Some("acme"))).unwrap();
        assert_eq!(name, "GitHub ghe.example.com · organisation acme");
        assert!(
            matches!(config, SourceConfig::GitHub { api_url, .. } if api_url == "https://ghe.example.com/api/v3")
        );
        for (bad, says) in [
            (draft("http://ghe.example.com", &["a/b"], None), "https://"),
            (draft("", &["just-a-name"], None), "owner/name"),
            (draft("", &[], None), "at least one repository"),
        ] {
            let error = github_config(&bad).unwrap_err().to_string();
            assert!(error.contains(says), "{error}");
        }
    }

    #[test]
    fn reported_counts_read_as_a_sentence() {
        let found = Found {
            new: 3,
            fixed: 1,
            ..Found::default()
        };
        assert_eq!(found.sentence(), "3 new, 1 fixed");
        assert_eq!(Found::default().sentence(), "nothing new");
    }
}
