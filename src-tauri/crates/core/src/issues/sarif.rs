//! SARIF 2.1.0 (OASIS), as CodeQL, Semgrep, Trivy, ESLint, Bandit and others write it, read with
//! the `serde-sarif` types.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_sarif::sarif::{PropertyBag, ReportingDescriptor, Result as SarifResult, ResultLevel};

use super::report::{SARIF_VERSION, TopLevel};
use super::{Finding, IssueError, Reported, ScanScope, Severity, identity, scope_of};

/// The findings of every run, and the scope each run speaks for.
pub(super) fn findings(
    file: &str,
    file_scope: &str,
    document: TopLevel,
    modified: DateTime<Utc>,
) -> Result<(Vec<Finding>, Vec<ScanScope>), IssueError> {
    let invalid = |detail: String| IssueError::InvalidSarif {
        file: file.to_string(),
        detail,
    };
    match document.other.get("version").and_then(|v| v.as_str()) {
        Some(SARIF_VERSION) => {}
        Some(other) => {
            return Err(invalid(format!(
                "its version is \"{other}\"; only {SARIF_VERSION} is supported"
            )));
        }
        None => return Err(invalid("it has no \"version\"".into())),
    }
    let Some(runs) = document.runs else {
        return Err(invalid("it has no \"runs\"".into()));
    };
    let mut found = Vec::new();
    let mut scopes = Vec::new();
    let mut seen_ids: HashMap<String, u32> = HashMap::new();
    for run in runs {
        let tool = run.tool.driver.name.clone();
        let scope = scope_of(
            &tool,
            run.automation_details
                .as_ref()
                .and_then(|a| a.id.as_deref()),
            file_scope,
        );
        let mut rules: Vec<&ReportingDescriptor> = run.tool.driver.rules.iter().flatten().collect();
        for extension in run.tool.extensions.iter().flatten() {
            rules.extend(extension.rules.iter().flatten());
        }
        let by_id: HashMap<&str, &ReportingDescriptor> =
            rules.iter().map(|r| (r.id.as_str(), *r)).collect();
        let driver_rules: Vec<&ReportingDescriptor> =
            run.tool.driver.rules.iter().flatten().collect();
        let seen_at = run
            .invocations
            .iter()
            .flatten()
            .find_map(|i| i.end_time_utc.as_deref().or(i.start_time_utc.as_deref()))
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.to_utc())
            .unwrap_or(modified);
        if !scopes.iter().any(|s: &ScanScope| s.name == scope) {
            scopes.push(ScanScope {
                name: scope.clone(),
                seen_at,
            });
        }
        for result in run.results.iter().flatten() {
            let Some(reported) = reported(result) else {
                continue;
            };
            let rule_id = result
                .rule_id
                .clone()
                .or_else(|| result.rule.as_ref().and_then(|r| r.id.clone()))
                .or_else(|| {
                    result
                        .rule_index
                        .and_then(|i| driver_rules.get(i as usize))
                        .map(|r| r.id.clone())
                })
                .unwrap_or_else(|| "(no rule)".to_string());
            let rule = by_id.get(rule_id.as_str()).copied().or_else(|| {
                result
                    .rule_index
                    .and_then(|i| driver_rules.get(i as usize).copied())
            });
            let message = result
                .message
                .text
                .clone()
                .or_else(|| result.message.markdown.clone())
                .unwrap_or_default();
            let rule_title = rule.and_then(|r| {
                r.short_description
                    .as_ref()
                    .map(|d| d.text.clone())
                    .or_else(|| r.name.clone())
            });
            let title = first_sentence(if message.trim().is_empty() {
                rule_title.as_deref().unwrap_or(&rule_id)
            } else {
                &message
            });
            let score = security_severity(result.properties.as_ref())
                .or_else(|| rule.and_then(|r| security_severity(r.properties.as_ref())));
            let severity = match score {
                Some(score) => Severity::from_score(score),
                None => level_severity(result.level, rule),
            };
            let location = result
                .locations
                .iter()
                .flatten()
                .find_map(|l| l.physical_location.as_ref());
            let path = location
                .and_then(|p| p.artifact_location.as_ref())
                .and_then(|a| a.uri.as_deref())
                .map(clean_uri);
            let region = location.and_then(|p| p.region.as_ref());
            let line = region.and_then(|r| r.start_line);
            let column = region.and_then(|r| r.start_column);
            let mut description = message.trim().to_string();
            if let Some(full) = rule
                .and_then(|r| r.full_description.as_ref())
                .map(|d| d.text.trim().to_string())
                && !full.is_empty()
                && !description.contains(&full)
            {
                description = if description.is_empty() {
                    full
                } else {
                    format!("{description}\n\n{full}")
                };
            }
            let base = match (&result.fingerprints, &result.partial_fingerprints) {
                (Some(f), _) if !f.is_empty() => {
                    identity(&[&tool, &rule_id, "fingerprints", &pairs(f)])
                }
                (_, Some(f)) if !f.is_empty() => identity(&[
                    &tool,
                    &rule_id,
                    "partial",
                    &pairs(f),
                    path.as_deref().unwrap_or(""),
                ]),
                _ => identity(&[
                    &tool,
                    &rule_id,
                    path.as_deref().unwrap_or(""),
                    &line.unwrap_or(0).to_string(),
                    &column.unwrap_or(0).to_string(),
                ]),
            };
            // Two results that look the same in one file are still two issues.
            let occurrence = seen_ids.entry(base.clone()).or_insert(0);
            *occurrence += 1;
            let id = if *occurrence == 1 {
                base
            } else {
                identity(&[&base, &occurrence.to_string()])
            };
            found.push(Finding {
                id,
                title,
                severity,
                score,
                tool: tool.clone(),
                rule_id: rule_id.clone(),
                rule_name: rule_title,
                path,
                line,
                column,
                help_uri: rule.and_then(|r| r.help_uri.clone()),
                link: None,
                description,
                tags: rule
                    .and_then(|r| r.properties.as_ref())
                    .and_then(|p| p.tags.clone())
                    .unwrap_or_default(),
                seen_at,
                scope: scope.clone(),
                reported,
            });
        }
    }
    Ok((found, scopes))
}

/// How a result is reported; `None` for results that are not issues (passed, not applicable).
/// A suppression counts unless its status is `rejected` (SARIF 2.1.0 §3.35.3); a missing
/// status means accepted. `baselineState: "absent"` means the issue is gone (§3.27.24).
fn reported(result: &SarifResult) -> Option<Reported> {
    let kind = result.kind.as_ref().map(|k| k.to_string());
    if !matches!(kind.as_deref(), None | Some("fail" | "open" | "review")) {
        return None;
    }
    let suppressed = result.suppressions.iter().flatten().any(|s| {
        s.status
            .as_ref()
            .and_then(|status| status.as_str())
            .is_none_or(|status| matches!(status, "accepted" | "underReview"))
    });
    let absent = result.baseline_state.as_ref().and_then(|b| b.as_str()) == Some("absent");
    Some(if absent {
        Reported::Absent
    } else if suppressed {
        Reported::Suppressed
    } else {
        Reported::Active
    })
}

fn security_severity(properties: Option<&PropertyBag>) -> Option<f64> {
    let value = properties?.additional_properties.get("security-severity")?;
    value
        .as_f64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
}

/// SARIF's default level is `warning`.
fn level_severity(level: Option<ResultLevel>, rule: Option<&ReportingDescriptor>) -> Severity {
    let level = level.map(|l| l.to_string()).or_else(|| {
        rule.and_then(|r| r.default_configuration.as_ref())
            .and_then(|c| c.level.as_ref())
            .and_then(|l| l.as_str().map(str::to_string))
    });
    match level.as_deref() {
        Some("error") => Severity::High,
        Some("note") => Severity::Low,
        Some("none") => Severity::Info,
        _ => Severity::Medium,
    }
}

fn pairs(map: &BTreeMap<String, String>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn clean_uri(uri: &str) -> String {
    let without_scheme = uri.strip_prefix("file://").unwrap_or(uri);
    percent_encoding::percent_decode_str(without_scheme)
        .decode_utf8_lossy()
        .into_owned()
}

/// The first sentence (or line) of a message, at most 200 characters: messages' first sentence
/// is their summary, as the SARIF specification asks of tools.
fn first_sentence(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or_default().trim();
    let end = line
        .char_indices()
        .find(|(i, c)| *c == '.' && line[i + 1..].starts_with(' '))
        .map(|(i, _)| i + 1)
        .unwrap_or(line.len());
    let sentence = &line[..end];
    if sentence.chars().count() > 200 {
        format!("{}…", sentence.chars().take(199).collect::<String>())
    } else {
        sentence.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_first_sentences() {
        assert_eq!(
            first_sentence("Use of eval. It is dangerous."),
            "Use of eval."
        );
        assert_eq!(first_sentence("Line one\nLine two"), "Line one");
        assert_eq!(
            first_sentence("v1.2.3 is vulnerable"),
            "v1.2.3 is vulnerable"
        );
        assert_eq!(first_sentence(&"x".repeat(500)).chars().count(), 200);
    }

    #[test]
    fn security_severity_bands() {
        assert_eq!(Severity::from_score(9.8), Severity::Critical);
        assert_eq!(Severity::from_score(7.5), Severity::High);
        assert_eq!(Severity::from_score(5.0), Severity::Medium);
        assert_eq!(Severity::from_score(1.0), Severity::Low);
        assert_eq!(Severity::from_score(0.0), Severity::Info);
    }
}
