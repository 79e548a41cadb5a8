//! GitHub's alerts as findings. Each alert keeps one identity (host, repository, kind, number),
//! its page becomes the finding's link, and its state maps onto the finding's: open → open,
//! dismissed → suppressed, fixed → fixed; an alert that is opened again reopens the finding.
//!
//! Shapes: https://docs.github.com/en/rest/code-scanning/code-scanning#list-code-scanning-alerts-for-a-repository,
//! https://docs.github.com/en/rest/dependabot/alerts#list-dependabot-alerts-for-a-repository,
//! https://docs.github.com/en/rest/secret-scanning/secret-scanning#list-secret-scanning-alerts-for-a-repository

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::issues::{Finding, Reported, Severity, identity};

/// The three alert lists GitHub keeps per repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AlertKind {
    CodeScanning,
    Dependabot,
    SecretScanning,
}

impl AlertKind {
    pub const ALL: [AlertKind; 3] = [
        AlertKind::CodeScanning,
        AlertKind::Dependabot,
        AlertKind::SecretScanning,
    ];

    /// The path segment: `/repos/{owner}/{repo}/{segment}/alerts`.
    pub fn segment(self) -> &'static str {
        match self {
            AlertKind::CodeScanning => "code-scanning",
            AlertKind::Dependabot => "dependabot",
            AlertKind::SecretScanning => "secret-scanning",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AlertKind::CodeScanning => "code scanning alerts",
            AlertKind::Dependabot => "Dependabot alerts",
            AlertKind::SecretScanning => "secret scanning alerts",
        }
    }

    /// What the scope of its findings is called: "GitHub code scanning · contoso/api".
    pub fn scope_label(self) -> &'static str {
        match self {
            AlertKind::CodeScanning => "GitHub code scanning",
            AlertKind::Dependabot => "GitHub Dependabot",
            AlertKind::SecretScanning => "GitHub secret scanning",
        }
    }

    /// The permission a token needs: fine-grained (`x-accepted-github-permissions`' name),
    /// the name GitHub's settings page shows, and a classic token's scope.
    /// https://docs.github.com/en/rest/authentication/permissions-required-for-fine-grained-personal-access-tokens
    pub fn permission(self) -> (&'static str, &'static str, &'static str) {
        match self {
            AlertKind::CodeScanning => (
                "security_events",
                "Code scanning alerts: Read",
                "security_events",
            ),
            AlertKind::Dependabot => (
                "vulnerability_alerts",
                "Dependabot alerts: Read",
                "security_events",
            ),
            AlertKind::SecretScanning => (
                "secret_scanning_alerts",
                "Secret scanning alerts: Read",
                "security_events",
            ),
        }
    }

    pub fn parse(text: &str) -> Option<AlertKind> {
        let text = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        AlertKind::ALL.into_iter().find(|k| {
            serde_json::to_value(k)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                == Some(text.clone())
        })
    }
}

/// One alert as a finding. `repo` is used when the alert does not name its repository (the
/// repository lists); organisation lists carry `repository.full_name`. `None` for a shape the
/// app does not understand (it is skipped, with a log line).
pub fn finding(
    kind: AlertKind,
    host: &str,
    repo: Option<&str>,
    scope: &str,
    alert: &Value,
) -> Option<Finding> {
    let number = alert.get("number")?.as_i64()?;
    let repo = alert
        .pointer("/repository/full_name")
        .and_then(Value::as_str)
        .or(repo)?;
    let state = text(alert, "/state").unwrap_or("open");
    let seen_at = time(alert, "/updated_at")
        .or_else(|| time(alert, "/created_at"))
        .unwrap_or_else(Utc::now);
    // GitHub's names are case-insensitive: "Contoso/API" and "contoso/api" are one repository.
    let (host_key, repo_key) = (host.to_ascii_lowercase(), repo.to_ascii_lowercase());
    let mut finding = Finding {
        id: identity(&[
            "github",
            &host_key,
            &repo_key,
            kind.segment(),
            &number.to_string(),
        ]),
        title: String::new(),
        severity: Severity::Medium,
        score: None,
        tool: String::new(),
        rule_id: String::new(),
        rule_name: None,
        path: None,
        line: None,
        column: None,
        help_uri: None,
        link: text(alert, "/html_url").map(str::to_string),
        description: String::new(),
        tags: vec![format!("repo:{repo}")],
        seen_at,
        scope: scope.to_string(),
        reported: Reported::Active,
    };
    match kind {
        AlertKind::CodeScanning => {
            let rule_severity = text(alert, "/rule/security_severity_level")
                .and_then(Severity::parse)
                .or_else(|| match text(alert, "/rule/severity") {
                    Some("error") => Some(Severity::High),
                    Some("warning") => Some(Severity::Medium),
                    Some("note") => Some(Severity::Low),
                    _ => None,
                });
            finding.severity = rule_severity.unwrap_or(Severity::Medium);
            finding.tool = text(alert, "/tool/name")
                .unwrap_or("Code scanning")
                .to_string();
            finding.rule_id = text(alert, "/rule/id")
                .unwrap_or("unknown-rule")
                .to_string();
            finding.rule_name = text(alert, "/rule/name").map(str::to_string);
            let message = text(alert, "/most_recent_instance/message/text").unwrap_or_default();
            finding.title = text(alert, "/rule/description")
                .filter(|d| !d.is_empty())
                .unwrap_or(message)
                .to_string();
            finding.description = message.to_string();
            finding.path = text(alert, "/most_recent_instance/location/path").map(str::to_string);
            finding.line = alert
                .pointer("/most_recent_instance/location/start_line")
                .and_then(Value::as_i64);
            finding.column = alert
                .pointer("/most_recent_instance/location/start_column")
                .and_then(Value::as_i64);
            finding.tags.extend(
                alert
                    .pointer("/rule/tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string),
            );
            finding.reported = match state {
                "dismissed" => Reported::Suppressed,
                "fixed" => Reported::Absent,
                _ => Reported::Active,
            };
        }
        AlertKind::Dependabot => {
            let package = text(alert, "/dependency/package/name").unwrap_or("a dependency");
            let ecosystem = text(alert, "/dependency/package/ecosystem").unwrap_or_default();
            finding.severity = text(alert, "/security_advisory/severity")
                .or_else(|| text(alert, "/security_vulnerability/severity"))
                .and_then(Severity::parse)
                .unwrap_or(Severity::Medium);
            finding.score = alert
                .pointer("/security_advisory/cvss/score")
                .and_then(Value::as_f64)
                .filter(|s| *s > 0.0);
            finding.tool = "Dependabot".into();
            finding.rule_id = text(alert, "/security_advisory/ghsa_id")
                .unwrap_or("advisory")
                .to_string();
            finding.rule_name = text(alert, "/security_advisory/cve_id").map(str::to_string);
            let summary = text(alert, "/security_advisory/summary").unwrap_or_default();
            finding.title = format!("{package}: {summary}");
            finding.path = text(alert, "/dependency/manifest_path").map(str::to_string);
            let range = text(alert, "/security_vulnerability/vulnerable_version_range");
            let patched = text(
                alert,
                "/security_vulnerability/first_patched_version/identifier",
            );
            finding.description = match (range, patched) {
                (Some(range), Some(patched)) => {
                    format!("{package} ({ecosystem}) {range} is affected; {patched} fixes it.")
                }
                (Some(range), None) => {
                    format!("{package} ({ecosystem}) {range} is affected; no fixed version yet.")
                }
                _ => format!("{package} ({ecosystem}) is affected."),
            };
            finding.help_uri = finding.rule_name.as_ref().map_or_else(
                || Some(format!("https://github.com/advisories/{}", finding.rule_id)),
                |cve| Some(format!("https://github.com/advisories?query={cve}")),
            );
            finding.tags.push(format!("ecosystem:{ecosystem}"));
            finding.reported = match state {
                "dismissed" | "auto_dismissed" => Reported::Suppressed,
                "fixed" => Reported::Absent,
                _ => Reported::Active,
            };
        }
        AlertKind::SecretScanning => {
            // The alert carries the secret itself (`secret`): it is never read here, so it
            // never reaches the database, a card or a log.
            let display = text(alert, "/secret_type_display_name")
                .or_else(|| text(alert, "/secret_type"))
                .unwrap_or("secret");
            finding.severity = match text(alert, "/validity") {
                Some("active") => Severity::Critical,
                _ => Severity::High,
            };
            finding.tool = "GitHub secret scanning".into();
            finding.rule_id = text(alert, "/secret_type").unwrap_or("secret").to_string();
            finding.rule_name = Some(display.to_string());
            finding.title = format!("Exposed {display}");
            finding.description = format!(
                "A {display} was committed to {repo}. Revoke it with its issuer first, then close the alert."
            );
            finding.reported = match (state, text(alert, "/resolution")) {
                ("resolved", Some("false_positive" | "wont_fix" | "used_in_tests")) => {
                    Reported::Suppressed
                }
                ("resolved", _) => Reported::Absent,
                _ => Reported::Active,
            };
        }
    }
    Some(finding)
}

/// When an alert last changed (lists are read newest first by this).
pub fn updated_at(alert: &Value) -> Option<DateTime<Utc>> {
    time(alert, "/updated_at").or_else(|| time(alert, "/created_at"))
}

fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

fn time(value: &Value, pointer: &str) -> Option<DateTime<Utc>> {
    text(value, pointer)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.to_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code_alert(state: &str) -> Value {
        json!({
            "number": 42, "state": state, "created_at": "2026-11-01T10:00:00Z",
            "updated_at": "2026-11-02T10:00:00Z",
            "html_url": "https://github.com/contoso/api/security/code-scanning/42",
            "rule": { "id": "js/sql-injection", "severity": "error", "security_severity_level": "critical",
                      "description": "Database query built from user-controlled sources",
                      "name": "js/sql-injection", "tags": ["security", "external/cwe/cwe-089"] },
            "tool": { "name": "CodeQL", "version": "2.23.0" },
            "most_recent_instance": { "message": { "text": "This query depends on a user-provided value." },
                                      "location": { "path": "src/db.js", "start_line": 27, "start_column": 5 } }
        })
    }

    #[test]
    fn a_code_scanning_alert_keeps_its_rule_place_link_and_identity() {
        let f = finding(
            AlertKind::CodeScanning,
            "api.github.com",
            Some("contoso/api"),
            "GitHub code scanning · contoso/api",
            &code_alert("open"),
        )
        .unwrap();
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!(
            (f.tool.as_str(), f.rule_id.as_str()),
            ("CodeQL", "js/sql-injection")
        );
        assert_eq!((f.path.as_deref(), f.line), (Some("src/db.js"), Some(27)));
        assert_eq!(
            f.link.as_deref(),
            Some("https://github.com/contoso/api/security/code-scanning/42")
        );
        assert_eq!(f.reported, Reported::Active);
        // The same alert on another host or in another repository is another finding.
        let other = finding(
            AlertKind::CodeScanning,
            "ghe.example.com",
            Some("contoso/api"),
            "x",
            &code_alert("open"),
        )
        .unwrap();
        assert_ne!(f.id, other.id);
    }

    #[test]
    fn alert_states_map_onto_the_finding_lifecycle() {
        let reported = |kind, alert: Value| {
            finding(kind, "h", Some("o/r"), "s", &alert)
                .unwrap()
                .reported
        };
        assert_eq!(
            reported(AlertKind::CodeScanning, code_alert("dismissed")),
            Reported::Suppressed
        );
        assert_eq!(
            reported(AlertKind::CodeScanning, code_alert("fixed")),
            Reported::Absent
        );
        let dependabot = |state: &str| {
            json!({ "number": 1, "state": state,
            "dependency": { "package": { "ecosystem": "npm", "name": "lodash" }, "manifest_path": "package-lock.json" },
            "security_advisory": { "ghsa_id": "GHSA-p6mc-m468-83gw", "cve_id": "CVE-2020-8203", "summary": "Prototype pollution", "severity": "high" },
            "security_vulnerability": { "vulnerable_version_range": "< 4.17.19", "first_patched_version": { "identifier": "4.17.19" } } })
        };
        assert_eq!(
            reported(AlertKind::Dependabot, dependabot("auto_dismissed")),
            Reported::Suppressed
        );
        assert_eq!(
            reported(AlertKind::Dependabot, dependabot("fixed")),
            Reported::Absent
        );
        let d = finding(
            AlertKind::Dependabot,
            "h",
            Some("o/r"),
            "s",
            &dependabot("open"),
        )
        .unwrap();
        assert_eq!(d.title, "lodash: Prototype pollution");
        assert_eq!(
            d.description,
            "lodash (npm) < 4.17.19 is affected; 4.17.19 fixes it."
        );
        let secret = |state: &str, resolution: Option<&str>| {
            json!({ "number": 3, "state": state, "resolution": resolution,
            "secret_type": "aws_access_key_id", "secret_type_display_name": "AWS Access Key ID",
            "secret": "AKIAFAKEFAKEFAKEFAKE", "validity": "active" })
        };
        assert_eq!(
            reported(
                AlertKind::SecretScanning,
                secret("resolved", Some("revoked"))
            ),
            Reported::Absent
        );
        assert_eq!(
            reported(
                AlertKind::SecretScanning,
                secret("resolved", Some("false_positive"))
            ),
            Reported::Suppressed
        );
    }

    #[test]
    fn a_secret_scanning_alert_never_carries_the_secret() {
        let alert = json!({ "number": 3, "state": "open", "secret_type": "aws_access_key_id",
            "secret_type_display_name": "AWS Access Key ID", "secret": "AKIAFAKEFAKEFAKEFAKE", "validity": "active",
            "html_url": "https://github.com/o/r/security/secret-scanning/3" });
        let f = finding(AlertKind::SecretScanning, "h", Some("o/r"), "s", &alert).unwrap();
        assert_eq!(f.severity, Severity::Critical);
        assert_eq!(f.title, "Exposed AWS Access Key ID");
        assert!(!format!("{f:?}").contains("AKIAFAKE"), "{f:?}");
    }
}
