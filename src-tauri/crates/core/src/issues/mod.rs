//! Active issues: security findings imported from scanners (SARIF 2.1.0 or the app's own JSON
//! format), each with a stable identity so that importing again updates instead of duplicating.

mod files;
mod identity;
mod import;
mod json;
mod report;
mod sarif;

pub use files::{MAX_REPORT_BYTES, SKIPPED_FOLDERS, file_scope, files_of, reports_in};

pub use identity::identity;
pub use json::FORMAT as JSON_FORMAT;

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ErrorCode;

/// Issues: importing reports, and the Active Issues list. A view of the core
/// ([`crate::Core::issues`]).
#[derive(Clone, Copy)]
pub struct Issues<'a> {
    pub(crate) core: &'a crate::Core,
}

/// How bad a finding is, from `security-severity` or the SARIF level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn rank(self) -> i64 {
        self as i64
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "Info",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }

    /// CVSS-style bands of GitHub's `security-severity`: 9.0+ critical, 7.0+ high, 4.0+ medium,
    /// above 0 low.
    pub fn from_score(score: f64) -> Severity {
        match score {
            s if s >= 9.0 => Severity::Critical,
            s if s >= 7.0 => Severity::High,
            s if s >= 4.0 => Severity::Medium,
            s if s > 0.0 => Severity::Low,
            _ => Severity::Info,
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// What the last import did to an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Change {
    /// First seen in the last import that reported it.
    New,
    /// Its content changed in the last import that reported it.
    Updated,
    /// Reported again, unchanged.
    Existing,
    /// Reported again after an import of its scope had found it fixed.
    Reopened,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Updated => "updated",
            Change::Existing => "existing",
            Change::Reopened => "reopened",
        }
    }

    pub fn parse(text: &str) -> Option<Change> {
        [
            Change::New,
            Change::Updated,
            Change::Existing,
            Change::Reopened,
        ]
        .into_iter()
        .find(|c| c.as_str() == text)
    }
}

/// Where a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum IssueState {
    /// Reported by the last import of its scope (new, updated, existing or reopened).
    Open,
    /// An import of its scope no longer reports it (or reports it as absent).
    Fixed,
    /// The scanner reports it as suppressed (accepted or under review).
    Suppressed,
}

impl IssueState {
    pub const ALL: [IssueState; 3] = [IssueState::Open, IssueState::Fixed, IssueState::Suppressed];

    pub fn as_str(self) -> &'static str {
        match self {
            IssueState::Open => "open",
            IssueState::Fixed => "fixed",
            IssueState::Suppressed => "suppressed",
        }
    }

    pub fn parse(text: &str) -> Option<IssueState> {
        IssueState::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// How a scan reports a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    Active,
    /// SARIF `suppressions` with status accepted or underReview.
    Suppressed,
    /// SARIF `baselineState: "absent"`: it was in the baseline and is gone now.
    Absent,
}

/// What one file held: its findings and the scopes it speaks for (a SARIF run with no results
/// still speaks for its scope: everything open in it is fixed).
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    pub format: String,
    pub findings: Vec<Finding>,
    pub scopes: Vec<ScanScope>,
}

/// A scope a file speaks for, and when that scan ran.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanScope {
    pub name: String,
    pub seen_at: DateTime<Utc>,
}

/// An import's scope: the tool and the SARIF run's `automationDetails.id`, else the file's name
/// (a folder import: its path inside the folder).
pub fn scope_of(tool: &str, run_id: Option<&str>, file_scope: &str) -> String {
    match run_id.map(str::trim).filter(|id| !id.is_empty()) {
        Some(id) => format!("{tool} · {id}"),
        None => format!("{tool} · {file_scope}"),
    }
}

/// A finding as an importer read it, before it meets the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub score: Option<f64>,
    pub tool: String,
    pub rule_id: String,
    pub rule_name: Option<String>,
    pub path: Option<String>,
    pub line: Option<i64>,
    pub column: Option<i64>,
    pub help_uri: Option<String>,
    /// Where it can be seen at its origin (a GitHub alert's page).
    pub link: Option<String>,
    pub description: String,
    pub tags: Vec<String>,
    /// When the scan saw it (the scan's time, or the file's).
    pub seen_at: DateTime<Utc>,
    /// The import scope that reports it ([`scope_of`]).
    pub scope: String,
    pub reported: Reported,
}

impl Finding {
    /// Cuts every text a report gave to a length a person reads and a card carries: a report
    /// (or an attacker writing one) cannot fill the database or a card with one field.
    pub fn cap(&mut self) {
        cap(&mut self.title, 500);
        cap(&mut self.tool, 200);
        cap(&mut self.rule_id, 500);
        cap(&mut self.description, 20_000);
        cap(&mut self.scope, 1_000);
        for text in [&mut self.rule_name, &mut self.path].into_iter().flatten() {
            cap(text, 2_000);
        }
        // A web address cut short is a wrong address: one that long is dropped.
        for address in [&mut self.help_uri, &mut self.link] {
            if address.as_ref().is_some_and(|a| a.len() > 2_000) {
                *address = None;
            }
        }
        self.tags.truncate(50);
        for tag in &mut self.tags {
            cap(tag, 200);
        }
    }
}

/// Keeps at most `chars` characters, the last one an ellipsis when something was cut.
fn cap(text: &mut String, chars: usize) {
    if let Some((end, _)) = text.char_indices().nth(chars.saturating_sub(1))
        && text[end..].chars().nth(1).is_some()
    {
        text.truncate(end);
        text.push('…');
    }
}

/// One issue as the app shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Issue {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// The scanner's score (`security-severity`), when it gave one.
    pub score: Option<f64>,
    pub tool: String,
    pub rule_id: String,
    pub rule_name: Option<String>,
    pub path: Option<String>,
    #[ts(type = "number | null")]
    pub line: Option<i64>,
    #[ts(type = "number | null")]
    pub column: Option<i64>,
    pub help_uri: Option<String>,
    /// Where it can be seen at its origin: a GitHub alert's page.
    pub link: Option<String>,
    pub description: String,
    pub tags: Vec<String>,
    #[ts(type = "number")]
    pub revision: i64,
    pub change: Change,
    #[ts(type = "string")]
    pub first_seen: DateTime<Utc>,
    #[ts(type = "string")]
    pub last_seen: DateTime<Utc>,
    /// The file it was last imported from.
    pub source: String,
    /// The import scope that reports it: "Semgrep · ci/main", "ESLint · eslint.sarif".
    pub scope: String,
    pub state: IssueState,
    /// When it was last fixed, suppressed or reopened.
    #[ts(type = "string | null")]
    pub state_changed_at: Option<DateTime<Utc>>,
    /// The file whose import found it fixed.
    pub fixed_by: Option<String>,
    /// When someone first answered a message about it in Teams (a reaction or a reply).
    #[ts(type = "string | null")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Who answered first.
    pub acknowledged_by: Option<String>,
}

/// One step in a finding's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum IssueEventKind {
    New,
    Updated,
    Reopened,
    Fixed,
    Suppressed,
    /// A suppression was lifted.
    Unsuppressed,
}

impl IssueEventKind {
    pub fn label(self) -> &'static str {
        match self {
            IssueEventKind::New => "New",
            IssueEventKind::Updated => "Updated",
            IssueEventKind::Reopened => "Reopened",
            IssueEventKind::Fixed => "Fixed",
            IssueEventKind::Suppressed => "Suppressed",
            IssueEventKind::Unsuppressed => "Unsuppressed",
        }
    }
}

/// A revision or state change: when, which import, and what changed.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IssueEvent {
    #[ts(type = "number")]
    pub revision: i64,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub kind: IssueEventKind,
    /// "Severity high → critical", "Location src/a.js:3 → src/a.js:9".
    pub changes: Vec<String>,
    /// The file whose import caused it.
    pub source: String,
}

impl Issue {
    /// One word for where it stands: its state when fixed or suppressed, else what the last
    /// import did (new, updated, existing, reopened).
    pub fn status(&self) -> &'static str {
        match self.state {
            IssueState::Open => self.change.as_str(),
            state => state.as_str(),
        }
    }

    /// `path:line`, or the rule when there is no location.
    pub fn location(&self) -> String {
        match (&self.path, self.line) {
            (Some(path), Some(line)) => format!("{path}:{line}"),
            (Some(path), None) => path.clone(),
            _ => "(no location)".to_string(),
        }
    }
}

/// Which issues to list.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, TS)]
#[ts(export)]
pub struct IssueFilter {
    #[serde(default)]
    pub severities: Vec<Severity>,
    #[serde(default)]
    pub tools: Vec<String>,
    #[serde(default)]
    pub changes: Vec<Change>,
    /// Empty: every state.
    #[serde(default)]
    pub states: Vec<IssueState>,
    /// Matches title, rule, path and description, case-insensitively.
    #[serde(default)]
    pub text: String,
    /// Only findings nobody has answered in Teams yet.
    #[serde(default)]
    pub unacknowledged: bool,
}

/// A window of the (filtered, ordered) list: the table loads what is on screen.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IssuePage {
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub offset: u64,
    pub issues: Vec<Issue>,
}

/// Counts for the filter menus, over all issues.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IssueFacets {
    #[ts(type = "number")]
    pub total: u64,
    pub severities: Vec<Facet>,
    pub tools: Vec<Facet>,
    pub changes: Vec<Facet>,
    pub states: Vec<Facet>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Facet {
    pub value: String,
    #[ts(type = "number")]
    pub count: u64,
}

/// What importing one file did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[ts(export)]
pub enum FileImport {
    Imported {
        file: String,
        format: String,
        #[ts(type = "number")]
        findings: u64,
        new: Vec<String>,
        updated: Vec<String>,
        existing: Vec<String>,
        reopened: Vec<String>,
        /// Open findings of this file's scopes that it no longer reports (or reports absent).
        fixed: Vec<String>,
        /// Findings that became suppressed.
        suppressed: Vec<String>,
    },
    /// Nothing from this file was imported.
    Refused {
        file: String,
        code: ErrorCode,
        problem: String,
    },
}

/// What an import of files and folders did, file by file.
#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct ImportReport {
    pub files: Vec<FileImport>,
    #[ts(type = "number")]
    pub new: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub existing: u64,
    #[ts(type = "number")]
    pub reopened: u64,
    #[ts(type = "number")]
    pub fixed: u64,
    #[ts(type = "number")]
    pub suppressed: u64,
    #[ts(type = "number")]
    pub refused: u64,
    pub cancelled: bool,
}

impl ImportReport {
    /// Adds one file's outcome to the totals.
    pub fn add(&mut self, file: FileImport) {
        match &file {
            FileImport::Imported {
                new,
                updated,
                existing,
                reopened,
                fixed,
                suppressed,
                ..
            } => {
                self.new += new.len() as u64;
                self.updated += updated.len() as u64;
                self.existing += existing.len() as u64;
                self.reopened += reopened.len() as u64;
                self.fixed += fixed.len() as u64;
                self.suppressed += suppressed.len() as u64;
            }
            FileImport::Refused { .. } => self.refused += 1,
        }
        self.files.push(file);
    }
}

/// Progress of an import, for a progress bar.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    pub file: String,
    #[ts(type = "number")]
    pub file_index: u64,
    #[ts(type = "number")]
    pub file_count: u64,
    #[ts(type = "number")]
    pub bytes_read: u64,
    #[ts(type = "number")]
    pub bytes_total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    #[error("{file} cannot be read: {detail}.")]
    Unreadable { file: String, detail: String },
    #[error("{file} is not valid SARIF 2.1.0: {detail}. Nothing from this file was imported.")]
    InvalidSarif { file: String, detail: String },
    #[error(
        "{file} is not a findings file the app knows: {detail}. Nothing from this file was imported."
    )]
    UnknownFormat { file: String, detail: String },
    #[error("{file} is not valid {format}: {detail}. Nothing from this file was imported.")]
    InvalidJson {
        file: String,
        format: &'static str,
        detail: String,
    },
    #[error(
        "{file} is {megabytes} MB, more than the 256 MB the app reads. Nothing from this file was imported; split the report or filter it first."
    )]
    TooLarge { file: String, megabytes: u64 },
    #[error("The import was cancelled.")]
    Cancelled,
    #[error("{0} holds no .sarif or .json files.")]
    NothingToImport(String),
    #[error("Issue “{0}” is not among the active issues on this computer.")]
    NotFound(String),
}

impl IssueError {
    pub fn code(&self) -> ErrorCode {
        match self {
            IssueError::Unreadable { .. } => ErrorCode::FileUnreadable,
            IssueError::InvalidSarif { .. }
            | IssueError::InvalidJson { .. }
            | IssueError::UnknownFormat { .. } => ErrorCode::InvalidFindings,
            IssueError::TooLarge { .. } => ErrorCode::InvalidFindings,
            IssueError::Cancelled => ErrorCode::Cancelled,
            IssueError::NothingToImport(_) => ErrorCode::InvalidFindings,
            IssueError::NotFound(_) => ErrorCode::NotFound,
        }
    }
}

/// Lets an import be stopped from another thread.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Reads a file while counting bytes (for progress) and checking the cancel flag.
pub(crate) struct Watched<'a, R> {
    inner: R,
    read: u64,
    report: &'a mut dyn FnMut(u64),
    cancel: &'a CancelFlag,
}

impl<R: Read> Read for Watched<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.is_cancelled() {
            // Not `Interrupted`: readers retry those forever.
            return Err(std::io::Error::other("the import was cancelled"));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > MAX_REPORT_BYTES {
            return Err(std::io::Error::other(
                "it is more than the 256 MB the app reads; split the report or filter it first",
            ));
        }
        (self.report)(self.read);
        Ok(n)
    }
}

/// Reads one file of findings, SARIF or the app's JSON format, watching progress and cancel.
/// `file_scope` is the file's part of the import scope ([`file_scope`]).
pub fn read_findings(
    path: &Path,
    file_scope: &str,
    default_time: DateTime<Utc>,
    progress: &mut dyn FnMut(u64),
    cancel: &CancelFlag,
) -> Result<Scan, IssueError> {
    let file_name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| IssueError::Unreadable {
        file: file_name.clone(),
        detail: e.to_string(),
    })?;
    let meta = file.metadata().ok();
    if let Some(size) = meta
        .as_ref()
        .map(|m| m.len())
        .filter(|s| *s > MAX_REPORT_BYTES)
    {
        return Err(IssueError::TooLarge {
            file: file_name,
            megabytes: size / (1024 * 1024),
        });
    }
    let modified = meta
        .and_then(|m| m.modified().ok())
        .map(DateTime::<Utc>::from)
        .unwrap_or(default_time);
    parse_findings(file, &file_name, file_scope, modified, progress, cancel)
}

/// Reads findings from any reader (a file, standard input). `seen_at` is the scan's time when
/// the report does not say.
pub fn parse_findings(
    input: impl Read,
    file_name: &str,
    file_scope: &str,
    seen_at: DateTime<Utc>,
    progress: &mut dyn FnMut(u64),
    cancel: &CancelFlag,
) -> Result<Scan, IssueError> {
    let file_name = file_name.to_string();
    let modified = seen_at;
    let reader = std::io::BufReader::with_capacity(
        256 * 1024,
        Watched {
            inner: input,
            read: 0,
            report: progress,
            cancel,
        },
    );
    let json_error = |e: serde_json::Error| {
        if cancel.is_cancelled() {
            IssueError::Cancelled
        } else if e.is_io() {
            IssueError::Unreadable {
                file: file_name.clone(),
                detail: e.to_string(),
            }
        } else {
            IssueError::UnknownFormat {
                file: file_name.clone(),
                detail: describe_json_error(&e),
            }
        }
    };
    let neither = || IssueError::UnknownFormat {
        file: file_name.clone(),
        detail: format!(
            "it is neither SARIF (no \"runs\") nor {} (no \"format\": \"{}\")",
            json::FORMAT,
            json::FORMAT
        ),
    };
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let top: report::TopLevel = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(top) => top,
        Err(error) => {
            let path = error.path().clone();
            let error = error.into_inner();
            return Err(match path.iter().next() {
                // Only SARIF's runs are read into types: anything else wrong is JSON's.
                Some(_) if error.is_data() => IssueError::InvalidSarif {
                    file: file_name.clone(),
                    detail: format!("at {path}: {error}"),
                },
                None if error.is_data() => neither(),
                _ => json_error(error),
            });
        }
    };
    deserializer.end().map_err(json_error)?;
    if top.is_sarif() {
        let (findings, scopes) = sarif::findings(&file_name, file_scope, top, modified)?;
        Ok(Scan {
            format: "SARIF 2.1.0".into(),
            findings,
            scopes,
        })
    } else if top.other.get("format").and_then(|f| f.as_str()) == Some(json::FORMAT) {
        let document = serde_json::Value::Object(top.other);
        let (findings, scopes) = json::findings(&file_name, file_scope, document, modified)?;
        Ok(Scan {
            format: json::FORMAT.into(),
            findings,
            scopes,
        })
    } else {
        Err(neither())
    }
}

/// serde_json's message in a person's words.
pub(crate) fn describe_json_error(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Eof => format!(
            "the file ends in the middle (line {}), as if it was cut off",
            error.line()
        ),
        Category::Syntax => format!("it is not JSON ({error})"),
        Category::Data => error.to_string(),
        Category::Io => error.to_string(),
    }
}
