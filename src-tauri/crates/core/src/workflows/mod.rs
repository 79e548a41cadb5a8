//! Workflows: Teams messages that go out by themselves. A workflow names which issues it cares
//! about (conditions), whom to tell (recipients, and fallback recipients when one cannot be
//! reached), and when: for updated issues, for new or updated ones, for new, updated or
//! existing ones, or periodically as one digest per recipient. Everything it sends goes through
//! the durable outbox, at most once per (workflow, issue, revision, recipient).

mod conditions;
mod dry_run;
mod engine;
mod matching;
pub mod quiet;
pub mod schedule;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use conditions::{CompiledConditions, GlobPattern, glob_matches};
pub use dry_run::{DryRun, DryRunItem};
pub use matching::MatchCount;
pub use quiet::QuietHours;
pub use schedule::{Every, Schedule, Weekday};

use crate::bot::Identity;
use crate::error::ErrorCode;
use crate::issues::Severity;
use crate::mentions::Mention;
use crate::outbox::Recipient;
use crate::owners::{OwnerRouting, Routing};

/// Workflows: saving them, dry runs, and the messages they queue after an import or on their
/// schedule. A view of the core ([`crate::Core::workflows`]).
#[derive(Clone, Copy)]
pub struct Workflows<'a> {
    pub(crate) core: &'a crate::Core,
}

/// Which issues a workflow acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ApplyTo {
    /// Issues whose content changed in an import.
    UpdatedIssues,
    /// Issues first seen, or changed, in an import.
    NewOrUpdatedIssues,
    /// Every matching issue: the ones there already when the workflow is saved, and new or
    /// updated ones from then on.
    NewUpdatedOrExistingIssues,
    /// A digest of the matching issues on a schedule.
    Periodic,
}

impl ApplyTo {
    pub fn label(self) -> &'static str {
        match self {
            ApplyTo::UpdatedIssues => "Updated Issues",
            ApplyTo::NewOrUpdatedIssues => "New or Updated Issues",
            ApplyTo::NewUpdatedOrExistingIssues => "New, Updated or Existing Issues",
            ApplyTo::Periodic => "Periodic",
        }
    }
}

/// Which issues match. Empty lists and text match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Conditions {
    /// This severity or worse.
    #[serde(default)]
    pub min_severity: Option<Severity>,
    /// Any of these tools (as the issues show them), case-insensitively.
    #[serde(default)]
    pub tools: Vec<String>,
    /// Any of these rule ids.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Any of these path patterns: `*` within a folder, `**` across folders, `?` one character.
    #[serde(default)]
    pub paths: Vec<String>,
    /// In the title, rule, path or description, case-insensitively.
    #[serde(default)]
    pub text: String,
}

/// What the editor and `ox-teams-cli workflows add FILE.json` supply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WorkflowDefinition {
    pub name: String,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    #[serde(default)]
    pub conditions: Conditions,
    pub recipients: Vec<Recipient>,
    /// Who gets the message instead when a recipient cannot be reached for good.
    pub fallback: Vec<Recipient>,
    #[serde(default)]
    pub comment: String,
    pub apply_to: ApplyTo,
    /// Required for `periodic`.
    #[serde(default)]
    pub schedule: Option<Schedule>,
    #[serde(default)]
    pub identity: Identity,
    /// When a finding it already messaged about changes: follow the first message (a reply in
    /// the channel thread, the chat's card updated in place) or send a new one.
    #[serde(default)]
    pub on_change: OnChange,
    /// Tell the places that hold a message about a finding when it is fixed.
    #[serde(default = "enabled_by_default")]
    pub announce_fixes: bool,
    /// Periodic: leave out of the digest the findings someone already answered in Teams.
    #[serde(default)]
    pub skip_acknowledged: bool,
    /// Hours in which findings below a severity wait for one digest at their end.
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
    /// The owners of each finding's file (by CODEOWNERS): messaged, @mentioned, or both.
    /// Owners that cannot be reached send the message to the fallback recipients instead.
    #[serde(default)]
    pub owners: OwnerRouting,
    /// People (or the channel, or its team) @mentioned in channel posts.
    #[serde(default)]
    pub mentions: Vec<Mention>,
}

impl WorkflowDefinition {
    /// Whom its messages go to and mention, before the owners of each finding are added.
    pub fn routing(&self) -> Routing<'_> {
        Routing {
            recipients: &self.recipients,
            fallback: &self.fallback,
            owners: self.owners,
            mentions: &self.mentions,
        }
    }
}

fn enabled_by_default() -> bool {
    true
}

/// What a workflow does when a finding it messaged about changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OnChange {
    /// Reply in the channel thread, update the chat's card in place.
    #[default]
    Follow,
    /// A new message each time.
    New,
}

impl OnChange {
    pub fn follow(self) -> crate::outbox::Follow {
        match self {
            OnChange::Follow => crate::outbox::Follow::Anchor,
            OnChange::New => crate::outbox::Follow::New,
        }
    }
}

/// A saved workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Workflow {
    pub id: String,
    pub definition: WorkflowDefinition,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
    /// When the next digest is due (periodic workflows).
    #[ts(type = "string | null")]
    pub next_run_at: Option<DateTime<Utc>>,
}

/// One run of a workflow, as its history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WorkflowRun {
    pub id: String,
    pub workflow_id: String,
    #[ts(type = "string")]
    pub started_at: DateTime<Utc>,
    /// `import`, `saved` (existing issues), `schedule` or `fallback`.
    pub trigger: String,
    #[ts(type = "number")]
    pub matched: i64,
    /// Deliveries queued.
    #[ts(type = "number")]
    pub queued: i64,
    /// Deliveries not queued because this revision had already gone to that recipient.
    #[ts(type = "number")]
    pub skipped: i64,
    pub summary: String,
}

/// A saved workflow, and what it did at once (for existing issues).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SavedWorkflow {
    pub workflow: Workflow,
    pub run: Option<WorkflowRun>,
}

/// One thing wrong with a workflow definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WorkflowProblem {
    /// `name`, `recipients`, `fallback`, `schedule`, `conditions` …
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("{}", .0.iter().map(|p| p.message.clone()).collect::<Vec<_>>().join(" "))]
    Invalid(Vec<WorkflowProblem>),
    #[error("There is no workflow “{id}”. It may have been deleted.")]
    UnknownWorkflow { id: String },
    #[error("The workflow file could not be read: {0}")]
    BadFile(String),
    #[error(
        "Saving this workflow sends {messages} messages right away ({issues} matching issues to \
         {recipients} recipients). Confirm to send them, or narrow the conditions first."
    )]
    ConfirmationNeeded {
        messages: usize,
        issues: usize,
        recipients: usize,
    },
}

impl WorkflowError {
    pub fn code(&self) -> ErrorCode {
        match self {
            WorkflowError::Invalid(_) | WorkflowError::BadFile(_) => ErrorCode::InvalidRequest,
            WorkflowError::UnknownWorkflow { .. } => ErrorCode::NotFound,
            WorkflowError::ConfirmationNeeded { .. } => ErrorCode::ConfirmationNeeded,
        }
    }
}

impl WorkflowDefinition {
    /// Everything wrong with it; empty when it can be saved.
    pub fn problems(&self) -> Vec<WorkflowProblem> {
        let mut problems = Vec::new();
        let mut add = |field: &str, message: String| {
            problems.push(WorkflowProblem {
                field: field.into(),
                message,
            })
        };
        if self.name.trim().is_empty() {
            add("name", "Give the workflow a name.".into());
        }
        if self.recipients.is_empty()
            && !(self.owners.message && self.apply_to != ApplyTo::Periodic)
        {
            add(
                "recipients",
                "Choose at least one recipient (a channel, a person or a chat), or message the \
                 owners of each finding's file."
                    .into(),
            );
        }
        if self.fallback.is_empty() {
            add(
                "fallback",
                "Choose at least one fallback recipient: they get the message when a recipient \
                 cannot be reached."
                    .into(),
            );
        }
        if self.identity == Identity::Bot {
            for recipient in self.recipients.iter().chain(&self.fallback) {
                if matches!(
                    recipient,
                    Recipient::Chat { .. } | Recipient::GroupChat { .. }
                ) {
                    add(
                        "recipients",
                        format!(
                            "The bot can message people and channels only, not {}.",
                            recipient.label()
                        ),
                    );
                }
            }
        }
        match (&self.apply_to, &self.schedule) {
            (ApplyTo::Periodic, None) => add(
                "schedule",
                "A periodic workflow needs a schedule: every few hours, daily or weekly at a time."
                    .into(),
            ),
            (ApplyTo::Periodic, Some(schedule)) => {
                if let Err(message) = schedule.check() {
                    add("schedule", message);
                }
            }
            _ => {}
        }
        if self.apply_to == ApplyTo::Periodic && self.owners.is_used() {
            add(
                "owners",
                "A periodic digest goes to its recipients as one card: owners are messaged or \
                 mentioned by workflows that message each finding."
                    .into(),
            );
        }
        if self.quiet_hours.is_some() && self.owners.message {
            add(
                "quiet_hours",
                "Quiet hours send what they held as one digest to the workflow's recipients, \
                 not to each finding's owners: turn off quiet hours or messaging the owners."
                    .into(),
            );
        }
        if self.identity == Identity::Bot {
            for mention in &self.mentions {
                if matches!(mention, Mention::Channel | Mention::Team) {
                    add(
                        "mentions",
                        format!(
                            "The bot cannot @mention {}: Teams lets only people do that.",
                            mention.label()
                        ),
                    );
                }
            }
        }
        match (&self.apply_to, &self.quiet_hours) {
            (ApplyTo::Periodic, Some(_)) => add(
                "quiet_hours",
                "A periodic workflow already sends at the times it is given: quiet hours are for \
                 workflows that message each finding."
                    .into(),
            ),
            (_, Some(quiet)) => {
                if let Err(message) = quiet.check() {
                    add("quiet_hours", message);
                }
            }
            _ => {}
        }
        for pattern in &self.conditions.paths {
            if pattern.trim().is_empty() {
                add("conditions", "A path pattern is empty.".into());
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::conditions::literal_run;
    use crate::issues::Issue;
    use crate::issues::IssueFilter;

    #[test]
    fn a_literal_run_is_what_every_matching_path_contains() {
        assert_eq!(
            literal_run("src/payments/**").as_deref(),
            Some("src/payments/")
        );
        assert_eq!(literal_run("**/refund.py").as_deref(), Some("refund.py"));
        assert_eq!(literal_run("./src/*.go").as_deref(), Some("src/"));
        assert_eq!(literal_run("*"), None);
        assert_eq!(literal_run("**/*"), None);
        for (pattern, path) in [("**/refund.py", "refund.py"), ("src/**/x.py", "src/x.py")] {
            assert!(glob_matches(pattern, path));
            assert!(path.contains(&literal_run(pattern).unwrap()));
        }
    }

    /// Narrowing in SQL never changes what matches: for many conditions, the findings a
    /// workflow matches are exactly those the conditions accept one by one.
    #[test]
    fn narrowed_matching_finds_exactly_what_the_conditions_accept() {
        let core = crate::tests::core();
        const SEVERITY_WORDS: [&str; 5] = ["critical", "high", "medium", "low", "info"];
        let tools = ["Semgrep", " codeql ", "Trivy", "ESLint"];
        let issues: Vec<serde_json::Value> = (0..400)
            .map(|n| {
                serde_json::json!({
                    "id": format!("f{n}"),
                    "title": format!("Finding {n} in Module {}", n % 7),
                    "severity": SEVERITY_WORDS[n % 5],
                    "tool": tools[n % 4],
                    "rule": format!("Rules.R{}", n % 9),
                    "path": match n % 5 {
                        0 => format!("./src/mod{}/file{}.py", n % 3, n % 4),
                        1 => format!("src/mod{}/deep/file{}.go", n % 3, n % 4),
                        2 => format!("file{}.py", n % 4),
                        _ => format!("docs/ÉTÉ/{n}.md"),
                    },
                    "description": if n % 6 == 0 { "Uses ÉVAL on input" } else { "plain" },
                })
            })
            .collect();
        let report = serde_json::json!({ "format": "ox-teams-issues/1", "issues": issues });
        core.issues()
            .import_stream("scan.json", report.to_string().as_bytes())
            .unwrap();
        let all = core
            .store
            .all_issues(&IssueFilter {
                states: vec![crate::issues::IssueState::Open],
                ..IssueFilter::default()
            })
            .unwrap();
        let conditions = [
            Conditions::default(),
            Conditions {
                tools: vec!["CODEQL".into()],
                ..Conditions::default()
            },
            Conditions {
                rules: vec!["rules.r3".into(), "Rules.R4 ".into()],
                ..Conditions::default()
            },
            Conditions {
                paths: vec!["**/file1.py".into()],
                ..Conditions::default()
            },
            Conditions {
                paths: vec!["src/mod1/**".into(), "*.go".into()],
                ..Conditions::default()
            },
            Conditions {
                paths: vec!["src/*/file2.py".into()],
                ..Conditions::default()
            },
            Conditions {
                text: "module 3".into(),
                ..Conditions::default()
            },
            Conditions {
                text: "éval".into(),
                ..Conditions::default()
            },
            Conditions {
                text: "in".into(),
                ..Conditions::default()
            },
            Conditions {
                text: "été".into(),
                ..Conditions::default()
            },
            Conditions {
                min_severity: Some(Severity::High),
                tools: vec!["semgrep".into(), "Trivy".into()],
                paths: vec!["src/**".into()],
                text: "finding".into(),
                ..Conditions::default()
            },
        ];
        let person = Recipient::Person {
            user_id: "u1".into(),
            name: "Adele Vance".into(),
            mail: "adele@contoso.com".into(),
        };
        let mut counted = Vec::new();
        for conditions in conditions {
            let definition = WorkflowDefinition {
                name: "Narrowed".into(),
                enabled: true,
                conditions: conditions.clone(),
                recipients: vec![person.clone()],
                fallback: vec![person.clone()],
                comment: String::new(),
                apply_to: ApplyTo::NewUpdatedOrExistingIssues,
                schedule: None,
                identity: Identity::User,
                on_change: Default::default(),
                announce_fixes: true,
                skip_acknowledged: false,
                quiet_hours: None,
                owners: Default::default(),
                mentions: Vec::new(),
            };
            let narrowed: Vec<String> = core
                .workflows()
                .matching_issues(&definition, &[])
                .unwrap()
                .into_iter()
                .map(|i| i.id)
                .collect();
            let expected: Vec<String> = all
                .iter()
                .filter(|i| conditions.matches(i))
                .map(|i| i.id.clone())
                .collect();
            assert!(
                !expected.is_empty() || conditions.text == "été",
                "{conditions:?} matches something"
            );
            assert_eq!(narrowed, expected, "{conditions:?}");
            let dry = core.workflows().dry_run(&definition, None).unwrap();
            assert_eq!(dry.matched as usize, expected.len(), "{conditions:?}");
            let listed: Vec<&str> = dry.items.iter().map(|i| i.issue_id.as_str()).collect();
            let first: Vec<&str> = expected
                .iter()
                .take(listed.len())
                .map(String::as_str)
                .collect();
            assert_eq!(listed, first, "{conditions:?}");
            // Saved (off, so it does not act), it is counted in the one pass over the issues.
            let saved = core
                .workflows()
                .save(
                    None,
                    WorkflowDefinition {
                        enabled: false,
                        ..definition
                    },
                )
                .unwrap()
                .0;
            counted.push((saved.id, expected.len() as u64, conditions.clone()));
        }
        let counts = core.workflows().match_counts().unwrap();
        assert_eq!(counts.len(), counted.len());
        for (id, expected, conditions) in counted {
            let count = counts.iter().find(|c| c.workflow_id == id).unwrap();
            assert_eq!(count.matched, expected, "{conditions:?}");
        }
    }

    use super::*;

    pub(crate) fn sample_issue() -> Issue {
        use crate::issues::Change;
        Issue {
            id: "5e1f0c2a9b7d3e41".into(),
            title: "SQL injection in the login route".into(),
            severity: Severity::Critical,
            score: Some(9.8),
            tool: "CodeQL".into(),
            rule_id: "js/sql-injection".into(),
            rule_name: None,
            path: Some("server/routes/login.js".into()),
            line: Some(27),
            column: None,
            help_uri: None,
            link: None,
            description: "This query depends on a user-provided value.".into(),
            tags: vec![],
            revision: 1,
            change: Change::New,
            first_seen: Utc::now(),
            last_seen: Utc::now(),
            source: "codeql.sarif".into(),
            scope: "Semgrep · scan.sarif".into(),
            state: crate::issues::IssueState::Open,
            state_changed_at: None,
            fixed_by: None,
            acknowledged_at: None,
            acknowledged_by: None,
        }
    }

    #[test]
    fn path_patterns_match_like_gitignore_globs() {
        assert!(glob_matches("src/**/*.js", "src/a/b/c.js"));
        assert!(glob_matches("src/**/*.js", "src/c.js"));
        assert!(!glob_matches("src/*.js", "src/a/c.js"));
        assert!(glob_matches("*.py", "tools/deploy/run.py"));
        assert!(glob_matches(
            "server/routes/login.?s",
            "server/routes/login.js"
        ));
        assert!(!glob_matches("server/*", "client/x"));
    }

    #[test]
    fn conditions_combine_with_and_and_lists_with_or() {
        let issue = sample_issue();
        let mut conditions = Conditions {
            min_severity: Some(Severity::High),
            tools: vec!["codeql".into(), "Semgrep".into()],
            ..Conditions::default()
        };
        assert!(conditions.matches(&issue));
        conditions.text = "no such words".into();
        assert!(!conditions.matches(&issue));
        conditions.text = "LOGIN".into();
        assert!(conditions.matches(&issue));
        conditions.min_severity = Some(Severity::Critical);
        conditions.paths = vec!["server/**".into()];
        assert!(conditions.matches(&issue));
        conditions.paths = vec!["client/**".into()];
        assert!(!conditions.matches(&issue));
    }

    #[test]
    fn a_definition_without_recipients_fallback_or_schedule_says_so() {
        let definition = WorkflowDefinition {
            name: " ".into(),
            enabled: true,
            conditions: Conditions::default(),
            recipients: vec![],
            fallback: vec![],
            comment: String::new(),
            apply_to: ApplyTo::Periodic,
            schedule: None,
            identity: Identity::User,
            on_change: Default::default(),
            announce_fixes: true,
            skip_acknowledged: false,
            quiet_hours: None,
            owners: Default::default(),
            mentions: Vec::new(),
        };
        let fields: Vec<String> = definition.problems().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["name", "recipients", "fallback", "schedule"]);
    }
}
