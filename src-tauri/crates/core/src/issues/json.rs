//! The app's own findings format, for scanners that do not write SARIF (documented in the
//! README):
//! `{"format": "ox-teams-issues/1", "issues": [{"title", "severity", "tool", "rule", ...}]}`.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Finding, IssueError, Reported, ScanScope, Severity, identity, scope_of};

pub const FORMAT: &str = "ox-teams-issues/1";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[allow(dead_code)]
    format: String,
    issues: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(default)]
    id: Option<String>,
    title: String,
    severity: String,
    #[serde(default)]
    score: Option<f64>,
    tool: String,
    rule: String,
    #[serde(default)]
    rule_name: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    line: Option<i64>,
    #[serde(default)]
    column: Option<i64>,
    #[serde(default)]
    help_url: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    seen_at: Option<DateTime<Utc>>,
}

/// The findings, and the scopes the file speaks for (one per tool it names).
pub(super) fn findings(
    file: &str,
    file_scope: &str,
    document: serde_json::Value,
    modified: DateTime<Utc>,
) -> Result<(Vec<Finding>, Vec<ScanScope>), IssueError> {
    let invalid = |detail: String| IssueError::InvalidJson {
        file: file.to_string(),
        format: FORMAT,
        detail,
    };
    let document: Document = serde_path_to_error::deserialize(document).map_err(|e| {
        let path = e.path().to_string();
        invalid(format!("at {path}: {}", e.into_inner()))
    })?;
    let findings = document
        .issues
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let severity = Severity::parse(&entry.severity).ok_or_else(|| {
                invalid(format!("at issues[{index}].severity: \"{}\" is not one of critical, high, medium, low, info", entry.severity))
            })?;
            if entry.title.trim().is_empty() {
                return Err(invalid(format!("at issues[{index}].title: the title is empty")));
            }
            let id = entry.id.clone().unwrap_or_else(|| {
                identity(&[&entry.tool, &entry.rule, entry.path.as_deref().unwrap_or(""), &entry.line.unwrap_or(0).to_string()])
            });
            Ok(Finding {
                id,
                title: entry.title,
                severity,
                score: entry.score,
                rule_id: entry.rule,
                rule_name: entry.rule_name,
                path: entry.path,
                line: entry.line,
                column: entry.column,
                help_uri: entry.help_url,
                link: None,
                description: entry.description.unwrap_or_default(),
                tags: entry.tags,
                seen_at: entry.seen_at.unwrap_or(modified),
                scope: scope_of(&entry.tool, None, file_scope),
                tool: entry.tool,
                reported: Reported::Active,
            })
        })
        .collect::<Result<Vec<Finding>, IssueError>>()?;
    let mut scopes: Vec<ScanScope> = Vec::new();
    for finding in &findings {
        match scopes.iter_mut().find(|s| s.name == finding.scope) {
            Some(scope) => scope.seen_at = scope.seen_at.max(finding.seen_at),
            None => scopes.push(ScanScope {
                name: finding.scope.clone(),
                seen_at: finding.seen_at,
            }),
        }
    }
    Ok((findings, scopes))
}
