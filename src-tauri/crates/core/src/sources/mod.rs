//! Sources: findings that arrive by themselves. A watched folder imports each report a scanner
//! (or CI) writes into it once the file has stopped changing; a GitHub source reads code
//! scanning, Dependabot and secret scanning alerts on an interval. Either way the findings go
//! through the same store and workflows as an import by hand.
//!
//! One poller per data folder (a lock file shared by the app and `ox-teams-cli`), as for the
//! outbox.

mod alerts;
mod folder;
mod github;
mod poll;
mod run;

pub use alerts::AlertKind;
pub use run::{FOLDER_SETTLE, SourcesState};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{AppError, ErrorCode};

/// Sources: adding, listing, removing and polling them. A view of the core
/// ([`crate::Core::sources`]).
#[derive(Clone, Copy)]
pub struct Sources<'a> {
    pub(crate) core: &'a crate::Core,
}

/// Where findings come from, as stored (never a token: that is in the OS keychain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum SourceConfig {
    /// A folder a scanner or CI writes `.sarif` / `.json` reports into.
    Folder { path: String },
    /// GitHub's alerts for repositories or a whole organisation.
    #[serde(rename = "github")]
    GitHub {
        /// The REST API's base: `https://api.github.com`, or `https://HOST/api/v3` for GitHub
        /// Enterprise Server.
        api_url: String,
        /// `owner/name`.
        repos: Vec<String>,
        /// Every repository of this organisation (its organisation-wide alert lists).
        org: Option<String>,
        kinds: Vec<AlertKind>,
    },
}

/// What the last check that found anything found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Found {
    #[ts(type = "number")]
    pub new: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub fixed: u64,
    #[ts(type = "number")]
    pub reopened: u64,
    #[ts(type = "number")]
    pub suppressed: u64,
}

impl Found {
    pub fn any(&self) -> bool {
        self.new + self.updated + self.fixed + self.reopened + self.suppressed > 0
    }

    pub fn add(&mut self, report: &crate::issues::ImportReport) {
        self.new += report.new;
        self.updated += report.updated;
        self.fixed += report.fixed;
        self.reopened += report.reopened;
        self.suppressed += report.suppressed;
    }

    /// "3 new, 1 fixed", or "nothing new".
    pub fn sentence(&self) -> String {
        let parts: Vec<String> = [
            (self.new, "new"),
            (self.updated, "updated"),
            (self.reopened, "reopened"),
            (self.fixed, "fixed"),
            (self.suppressed, "suppressed"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if parts.is_empty() {
            "nothing new".into()
        } else {
            parts.join(", ")
        }
    }
}

/// A source as the Sources page and `ox-teams-cli sources list` show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Source {
    pub id: String,
    /// "reports/ci", "GitHub · contoso/payments-api".
    pub name: String,
    pub config: SourceConfig,
    #[ts(type = "number")]
    pub interval_secs: u64,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    #[ts(type = "string | null")]
    pub last_check: Option<DateTime<Utc>>,
    /// When a check last found something, and what.
    #[ts(type = "string | null")]
    pub found_at: Option<DateTime<Utc>>,
    pub found: Found,
    /// What it found, in words: "3 new, 1 fixed".
    pub found_summary: String,
    #[ts(type = "string")]
    pub next_check: DateTime<Utc>,
    /// What went wrong at the last check, in a sentence.
    pub error: Option<AppError>,
    /// A rate limit: nothing is asked before this time.
    #[ts(type = "string | null")]
    pub waiting_until: Option<DateTime<Utc>>,
}

/// What one check of one source did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SourcePoll {
    pub source_id: String,
    pub name: String,
    pub found: Found,
    /// Reports imported from a folder, and lists read from GitHub, one entry each.
    pub imported: Vec<crate::issues::FileImport>,
    /// Files still being written: imported once they stop changing.
    #[ts(type = "number")]
    pub pending: u64,
    /// HTTP requests made, and how many of them were answered "not modified".
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub not_modified: u64,
    pub error: Option<AppError>,
    #[ts(type = "string | null")]
    pub waiting_until: Option<DateTime<Utc>>,
}

/// What a pass over the sources did.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct PollReport {
    pub polls: Vec<SourcePoll>,
    /// Another process (the open app, or `ox-teams-cli`) is polling this data folder's sources.
    pub busy: bool,
    #[ts(type = "string | null")]
    pub next_check: Option<DateTime<Utc>>,
}

impl PollReport {
    pub fn found(&self) -> Found {
        let mut total = Found::default();
        for poll in &self.polls {
            total.new += poll.found.new;
            total.updated += poll.found.updated;
            total.fixed += poll.found.fixed;
            total.reopened += poll.found.reopened;
            total.suppressed += poll.found.suppressed;
        }
        total
    }
}

/// A GitHub source as typed in (the Sources page, `ox-teams-cli sources add github`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
pub struct GitHubDraft {
    /// Empty: github.com.
    #[serde(default)]
    pub url: String,
    /// `owner/name`, one per entry.
    #[serde(default)]
    pub repos: Vec<String>,
    #[serde(default)]
    pub org: Option<String>,
    /// Empty: all three.
    #[serde(default)]
    pub kinds: Vec<AlertKind>,
    /// Minutes between checks; empty: 5.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub interval_minutes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("{path} is not a folder the app can watch: {detail}.")]
    BadFolder { path: String, detail: String },
    #[error("{0}")]
    InvalidDraft(String),
    #[error("There is no source “{0}”. It may have been removed.")]
    UnknownSource(String),
    #[error(
        "No GitHub token is stored for {source_name} (the keychain has none). Remove the source and add it again with a token."
    )]
    TokenMissing { source_name: String },
    #[error(
        "GitHub refused the token: it has expired or was revoked. Remove the source and add it again with a new token."
    )]
    TokenRejected,
    #[error(
        "The token may not read {what} of {target}. Give it the “{permission}” permission (fine-grained token: {fine_grained}; classic token: the “{classic}” scope). GitHub said: “{github_says}”"
    )]
    MissingPermission {
        what: &'static str,
        target: String,
        permission: &'static str,
        fine_grained: String,
        classic: &'static str,
        github_says: String,
    },
    #[error(
        "GitHub has no {what} for {target}: “{github_says}”. Turn the feature on for it on GitHub, or leave {what} out of this source."
    )]
    FeatureOff {
        what: &'static str,
        target: String,
        github_says: String,
    },
    #[error(
        "{what} was read but could not be saved: the database was busy. It is read again at the next check."
    )]
    NotSaved { what: String },
    #[error(
        "GitHub does not know {target}, or the token cannot see it. Check the name and the token's repository access."
    )]
    TargetNotFound { target: String },
    #[error(
        "GitHub's rate limit for this token is used up until {until} UTC; the app waits and checks again then."
    )]
    RateLimited { until: String },
    #[error(
        "The token may not read the files of {repo}. Give it the “Contents: Read” permission (fine-grained token) or the “repo” scope (classic token) to read its CODEOWNERS."
    )]
    ContentsForbidden { repo: String },
    #[error(
        "{source_name} is not a GitHub source: CODEOWNERS is read through a GitHub source's token."
    )]
    NotGitHub { source_name: String },
    #[error("GitHub answered {status} for {target}: {message}")]
    GitHub {
        status: u16,
        target: String,
        message: String,
    },
}

impl SourceError {
    pub fn code(&self) -> ErrorCode {
        match self {
            SourceError::BadFolder { .. } => ErrorCode::FileUnreadable,
            SourceError::InvalidDraft(_) => ErrorCode::InvalidRequest,
            SourceError::UnknownSource(_) | SourceError::TargetNotFound { .. } => {
                ErrorCode::NotFound
            }
            SourceError::TokenMissing { .. } | SourceError::TokenRejected => {
                ErrorCode::TokenRejected
            }
            SourceError::MissingPermission { .. } | SourceError::ContentsForbidden { .. } => {
                ErrorCode::Forbidden
            }
            SourceError::NotGitHub { .. } => ErrorCode::InvalidRequest,
            SourceError::FeatureOff { .. } => ErrorCode::NotFound,
            SourceError::NotSaved { .. } => ErrorCode::DatabaseBusy,
            SourceError::RateLimited { .. } => ErrorCode::Throttled,
            SourceError::GitHub { .. } => ErrorCode::ServiceError,
        }
    }
}

/// The keychain entry holding a GitHub source's token.
pub(crate) fn token_name(source_id: &str) -> String {
    format!("github-token:{source_id}")
}
