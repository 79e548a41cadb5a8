//! What the sandbox's GitHub holds at the start (the `contoso` demo organisation),
//! deterministic bulk data for benchmarks, new alerts, and what a person does to an alert
//! (dismiss, fix, reopen, resolve).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::catalogue::{Advisory, Catalogue, Mix, Rule, SecretKind, date};
use super::{Actor, CodeScanningAlert, DependabotAlert, GitHubWorld, Kind, SecretScanningAlert};

/// Who closes alerts in the sandbox: the demo token's owner.
pub fn sandbox_user() -> Actor {
    Actor {
        login: "octocat".into(),
        id: 1,
    }
}

/// The demo's repositories: name | language | description.
const DEMO_REPOS: &str = "\
payments-api|Python|Payment processing service
web-portal|JavaScript|Customer web portal";

/// The demo's alerts, oldest first: repository | kind | rule, advisory or secret type | state |
/// path | line (code scanning), relationship (Dependabot) or validity (secret scanning).
const DEMO_ALERTS: &str = "\
payments-api|code|py/sql-injection|open|app/db/orders.py|42
payments-api|code|py/path-injection|open|app/api/receipts.py|88
payments-api|code|py/command-line-injection|open|app/jobs/export.py|17
payments-api|code|py/flask-debug|dismissed|app/main.py|61
payments-api|code|py/stack-trace-exposure|fixed|app/api/errors.py|23
payments-api|code|py/log-injection|open|app/api/refunds.py|130
payments-api|dependabot|GHSA-j8r2-6x86-q33q|open|requirements.txt|direct
payments-api|dependabot|GHSA-9wx4-h78v-vm56|open|requirements.txt|direct
payments-api|dependabot|GHSA-8q59-q68h-6hv4|open|requirements.txt|transitive
payments-api|dependabot|GHSA-rf4j-j272-fj86|dismissed|requirements.txt|direct
payments-api|secret|aws_access_key_id|open|deploy/settings.env|active
payments-api|secret|github_personal_access_token|resolved|scripts/release.sh|inactive
web-portal|code|js/sql-injection|open|server/routes/search.js|57
web-portal|code|js/xss|open|client/src/components/Profile.jsx|112
web-portal|code|js/path-injection|fixed|server/routes/files.js|34
web-portal|code|js/code-injection|open|server/lib/template.js|9
web-portal|code|js/insecure-randomness|dismissed|server/lib/session.js|21
web-portal|code|js/missing-rate-limiting|open|server/routes/login.js|15
web-portal|dependabot|GHSA-p6mc-m468-83gw|open|package-lock.json|transitive
web-portal|dependabot|GHSA-35jh-r3h4-6jhm|open|package.json|direct
web-portal|dependabot|GHSA-xvch-5gv4-984h|fixed|package-lock.json|transitive
web-portal|dependabot|GHSA-wf5p-g6vw-rhxx|open|package.json|direct
web-portal|dependabot|GHSA-c2qf-rxjj-qqgw|auto_dismissed|package-lock.json|transitive
web-portal|dependabot|GHSA-pxg6-pf52-xh8x|open|package-lock.json|transitive
web-portal|secret|github_personal_access_token|open|.github/workflows/deploy.yml|active
web-portal|secret|slack_api_token|open|server/config/notify.js|unknown
web-portal|secret|stripe_api_key|resolved|client/src/checkout.js|inactive";

/// What an added alert is made of; absent parts are chosen for it.
#[derive(Debug, Default, Clone)]
pub struct NewAlert {
    /// A rule id, a package (or GHSA/CVE id), or a secret type.
    pub rule: Option<String>,
    pub severity: Option<String>,
    pub path: Option<String>,
    pub line: Option<u32>,
    pub state: Option<String>,
}

/// What a person does to an alert: `dismiss`, `fix`, `reopen` or `resolve`, with an optional
/// reason (GitHub's values for the kind) and comment.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Act {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

impl GitHubWorld {
    /// The demo: organisation `contoso` with `payments-api` (Python) and `web-portal`
    /// (JavaScript), each with a handful of alerts of every kind, most of them open.
    pub fn demo(base_url: &str) -> GitHubWorld {
        let mut world = GitHubWorld::empty(base_url);
        let start = date("2026-09-01");
        let catalogue = Catalogue::new();
        for (r, line) in DEMO_REPOS.lines().enumerate() {
            let row: Vec<&str> = line.split('|').collect();
            let index = world.ensure_repo("contoso", row[0], start + Duration::days(r as i64));
            let repo = &mut world.repos[index];
            repo.language = Some(row[1].into());
            repo.description = Some(row[2].into());
        }
        let mut mix = Mix::seeded("contoso");
        for (i, line) in DEMO_ALERTS.lines().enumerate() {
            let row: Vec<&str> = line.split('|').collect();
            let (name, kind, what, state, path, extra) =
                (row[0], row[1], row[2], row[3], row[4], row[5]);
            let at = start + Duration::days(2) + Duration::hours(7 * i as i64);
            let index = world
                .repo_index("contoso", name)
                .expect("a demo repository");
            let repo = &mut world.repos[index];
            match kind {
                "code" => {
                    let number = repo.next_number(Kind::CodeScanning);
                    let rule = catalogue.rule(what).expect("a catalogue rule");
                    let line = extra.parse().expect("a line");
                    let mut alert = code_scanning(&mut mix, number, rule, path, line, at);
                    close_code_scanning(&mut alert, state, at + Duration::hours(30));
                    repo.code_scanning.push(alert);
                }
                "dependabot" => {
                    let number = repo.next_number(Kind::Dependabot);
                    let advisory = catalogue.advisory(what).expect("a catalogue advisory");
                    let mut alert = dependabot(number, advisory, path, at);
                    alert.relationship = extra.into();
                    close_dependabot(&mut alert, state, at + Duration::hours(50));
                    repo.dependabot.push(alert);
                }
                _ => {
                    let number = repo.next_number(Kind::SecretScanning);
                    let kind = catalogue.secret(what).expect("a catalogue secret type");
                    let mut alert = secret_scanning(&mut mix, number, kind, path, 3, at);
                    alert.validity = extra.into();
                    close_secret_scanning(&mut alert, state, at + Duration::hours(4));
                    repo.secret_scanning.push(alert);
                }
            }
            repo.updated_at = repo.updated_at.max(at);
            repo.pushed_at = repo.pushed_at.max(at);
        }
        world
    }

    /// Adds `repos` repositories `{org}/repo-0001`... with `alerts_per_repo` alerts each (six
    /// in ten code scanning, three Dependabot, one secret scanning; four in five open). The
    /// same arguments give the same data. Existing repositories of those names are replaced.
    pub fn generate(&mut self, org: &str, repos: usize, alerts_per_repo: usize) {
        let catalogue = Catalogue::new();
        let mut mix = Mix::seeded(&format!("{org}/{repos}/{alerts_per_repo}"));
        let start = date("2026-01-01");
        self.ensure_org(org);
        for r in 0..repos {
            let name = format!("repo-{:04}", r + 1);
            if let Some(old) = self.repo_index(org, &name) {
                self.repos.remove(old);
            }
            let created = start + Duration::hours(r as i64);
            let index = self.ensure_repo(org, &name, created);
            let python = r % 2 == 0;
            let repo = &mut self.repos[index];
            repo.language = Some(if python { "Python" } else { "JavaScript" }.into());
            repo.description = Some(format!("Generated repository {} of {repos}", r + 1));
            let rules: Vec<&Arc<Rule>> = catalogue
                .rules
                .iter()
                .filter(|rule| (rule.language == "python") == python)
                .collect();
            let advisories: Vec<&Arc<Advisory>> = catalogue
                .advisories
                .iter()
                .filter(|a| (a.ecosystem == "pip") == python)
                .collect();
            for j in 0..alerts_per_repo {
                let at = created + Duration::minutes((j * 7) as i64);
                let later = at + Duration::hours(1 + mix.below(72) as i64);
                let closed = mix.below(5) == 0;
                let path = format!(
                    "src/module_{}/file_{}.{}",
                    mix.below(40),
                    mix.below(25),
                    if python { "py" } else { "js" }
                );
                match j % 10 {
                    0..=5 => {
                        let number = repo.next_number(Kind::CodeScanning);
                        let rule = rules[mix.below(rules.len())].clone();
                        let line = 1 + mix.below(400) as u32;
                        let mut alert = code_scanning(&mut mix, number, rule, &path, line, at);
                        if closed {
                            let state = ["dismissed", "fixed"][mix.below(2)];
                            close_code_scanning(&mut alert, state, later);
                        }
                        repo.code_scanning.push(alert);
                    }
                    6..=8 => {
                        let number = repo.next_number(Kind::Dependabot);
                        let advisory = advisories[mix.below(advisories.len())].clone();
                        let manifest = if python {
                            format!("services/svc-{}/requirements.txt", mix.below(20))
                        } else {
                            format!("packages/pkg-{}/package-lock.json", mix.below(20))
                        };
                        let mut alert = dependabot(number, advisory, &manifest, at);
                        if closed {
                            let state = ["dismissed", "fixed", "auto_dismissed"][mix.below(3)];
                            close_dependabot(&mut alert, state, later);
                        }
                        repo.dependabot.push(alert);
                    }
                    _ => {
                        let number = repo.next_number(Kind::SecretScanning);
                        let kind = catalogue.secrets[mix.below(catalogue.secrets.len())].clone();
                        let line = 1 + mix.below(200) as u32;
                        let mut alert = secret_scanning(&mut mix, number, kind, &path, line, at);
                        if closed {
                            close_secret_scanning(&mut alert, "resolved", later);
                        }
                        repo.secret_scanning.push(alert);
                    }
                }
            }
        }
    }

    /// Adds an alert of `kind` to the repository at `index`; returns its number.
    pub fn add_alert(
        &mut self,
        index: usize,
        kind: Kind,
        new: &NewAlert,
        now: DateTime<Utc>,
    ) -> Result<u64, String> {
        let catalogue = Catalogue::new();
        let repo = &mut self.repos[index];
        let number = repo.next_number(kind);
        let mut mix = Mix::new(repo.id.wrapping_mul(31).wrapping_add(number));
        let state = new.state.as_deref().unwrap_or("open");
        if !states(kind).contains(&state) {
            return Err(format!(
                "state must be one of {}, not {state}",
                states(kind).join(", ")
            ));
        }
        let severity = new.severity.clone();
        if let Some(s) = &severity
            && !["low", "medium", "high", "critical"].contains(&s.as_str())
        {
            return Err(format!(
                "severity must be low, medium, high or critical, not {s}"
            ));
        }
        match kind {
            Kind::CodeScanning => {
                let mut rule = match &new.rule {
                    Some(id) => catalogue.rule(id).unwrap_or_else(|| {
                        Arc::new(Rule {
                            id: id.clone(),
                            severity: "warning".into(),
                            security_severity_level: Some("medium".into()),
                            description: format!("Custom rule {id}"),
                            tags: vec!["security".into()],
                            language: "javascript".into(),
                            message: format!("This code matches {id}."),
                        })
                    }),
                    None => catalogue.rules[mix.below(catalogue.rules.len())].clone(),
                };
                if let Some(level) = severity {
                    let mut changed = (*rule).clone();
                    changed.security_severity_level = Some(level);
                    rule = Arc::new(changed);
                }
                let path = new.path.clone().unwrap_or_else(|| {
                    if rule.language == "python" {
                        "app/views.py"
                    } else {
                        "src/index.js"
                    }
                    .into()
                });
                let line = new.line.unwrap_or(1 + mix.below(200) as u32);
                let mut alert = code_scanning(&mut mix, number, rule, &path, line, now);
                close_code_scanning(&mut alert, state, now);
                repo.code_scanning.push(alert);
            }
            Kind::Dependabot => {
                let mut advisory = match &new.rule {
                    Some(key) => catalogue.advisory(key).unwrap_or_else(|| {
                        let mut made = (*catalogue.advisories[0]).clone();
                        made.package = key.clone();
                        made.summary = format!("Vulnerability in {key}");
                        made.description = format!("A made-up vulnerability in `{key}`.");
                        made.ghsa_id = mix.ghsa();
                        made.cve_id = None;
                        Arc::new(made)
                    }),
                    None => catalogue.advisories[mix.below(catalogue.advisories.len())].clone(),
                };
                if let Some(level) = severity {
                    let mut changed = (*advisory).clone();
                    changed.severity = level;
                    advisory = Arc::new(changed);
                }
                let manifest = new.path.clone().unwrap_or_else(|| {
                    if advisory.ecosystem == "pip" {
                        "requirements.txt"
                    } else {
                        "package-lock.json"
                    }
                    .into()
                });
                let mut alert = dependabot(number, advisory, &manifest, now);
                close_dependabot(&mut alert, state, now);
                repo.dependabot.push(alert);
            }
            Kind::SecretScanning => {
                let kind = match &new.rule {
                    Some(t) => catalogue
                        .secret(t)
                        .ok_or_else(|| format!("unknown secret type {t}"))?,
                    None => catalogue.secrets[0].clone(),
                };
                let path = new.path.clone().unwrap_or_else(|| ".env".into());
                let line = new.line.unwrap_or(1);
                let mut alert = secret_scanning(&mut mix, number, kind, &path, line, now);
                close_secret_scanning(&mut alert, state, now);
                repo.secret_scanning.push(alert);
            }
        }
        repo.updated_at = now;
        Ok(number)
    }

    /// A person acts on an alert. `None` when there is no such alert.
    pub fn act(
        &mut self,
        index: usize,
        kind: Kind,
        number: u64,
        act: Act,
        now: DateTime<Utc>,
    ) -> Option<Result<(), String>> {
        let Act {
            action,
            reason,
            comment,
        } = act;
        let action = action.as_str();
        if let Some(reason) = &reason
            && !reasons(kind).contains(&reason.as_str())
        {
            return Some(Err(format!(
                "reason must be one of {}, not {reason}",
                reasons(kind).join(", ")
            )));
        }
        let repo = &mut self.repos[index];
        let result = match kind {
            Kind::CodeScanning => {
                let alert = repo.code_scanning.iter_mut().find(|a| a.number == number)?;
                let state = match action {
                    "dismiss" => "dismissed",
                    "fix" | "resolve" => "fixed",
                    "reopen" => "open",
                    _ => return Some(Err(format!("unknown action {action}"))),
                };
                close_code_scanning(alert, state, now);
                if state == "dismissed" {
                    if let Some(reason) = reason {
                        alert.dismissed_reason = Some(reason);
                    }
                    alert.dismissed_comment = comment;
                }
                alert.updated_at = now;
                Ok(())
            }
            Kind::Dependabot => {
                let alert = repo.dependabot.iter_mut().find(|a| a.number == number)?;
                let state = match action {
                    "dismiss" => "dismissed",
                    "fix" | "resolve" => "fixed",
                    "reopen" => "open",
                    _ => return Some(Err(format!("unknown action {action}"))),
                };
                close_dependabot(alert, state, now);
                if state == "dismissed" {
                    if let Some(reason) = reason {
                        alert.dismissed_reason = Some(reason);
                    }
                    alert.dismissed_comment = comment;
                }
                alert.updated_at = now;
                Ok(())
            }
            Kind::SecretScanning => {
                let alert = repo
                    .secret_scanning
                    .iter_mut()
                    .find(|a| a.number == number)?;
                let (state, resolution) = match action {
                    "resolve" | "fix" => ("resolved", "revoked"),
                    "dismiss" => ("resolved", "false_positive"),
                    "reopen" => ("open", ""),
                    _ => return Some(Err(format!("unknown action {action}"))),
                };
                close_secret_scanning(alert, state, now);
                if state == "resolved" {
                    alert.resolution = Some(reason.unwrap_or_else(|| resolution.into()));
                    alert.resolution_comment = comment;
                }
                alert.updated_at = now;
                Ok(())
            }
        };
        repo.updated_at = now;
        Some(result)
    }
}

/// The states an alert of a kind can be in.
pub fn states(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::CodeScanning => &["open", "dismissed", "fixed"],
        Kind::Dependabot => &["open", "dismissed", "fixed", "auto_dismissed"],
        Kind::SecretScanning => &["open", "resolved"],
    }
}

/// GitHub's reasons for dismissing (or resolving) an alert of a kind.
pub fn reasons(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::CodeScanning => &["false positive", "won't fix", "used in tests"],
        Kind::Dependabot => &[
            "fix_started",
            "inaccurate",
            "no_bandwidth",
            "not_used",
            "tolerable_risk",
        ],
        Kind::SecretScanning => &["false_positive", "wont_fix", "revoked", "used_in_tests"],
    }
}

fn code_scanning(
    mix: &mut Mix,
    number: u64,
    rule: Arc<Rule>,
    path: &str,
    line: u32,
    at: DateTime<Utc>,
) -> CodeScanningAlert {
    let column = 1 + mix.below(30) as u32;
    CodeScanningAlert {
        number,
        created_at: at,
        updated_at: at,
        state: "open".into(),
        fixed_at: None,
        dismissed_at: None,
        dismissed_by: None,
        dismissed_reason: None,
        dismissed_comment: None,
        message: rule.message.clone(),
        rule,
        tool_version: "2.20.4".into(),
        git_ref: "refs/heads/main".into(),
        commit_sha: mix.hex(40),
        path: path.into(),
        start_line: line,
        end_line: line,
        start_column: column,
        end_column: column + 12 + mix.below(40) as u32,
        classifications: if path.contains("test") {
            vec!["test".into()]
        } else {
            Vec::new()
        },
    }
}

fn dependabot(
    number: u64,
    advisory: Arc<Advisory>,
    manifest: &str,
    at: DateTime<Utc>,
) -> DependabotAlert {
    DependabotAlert {
        number,
        created_at: at,
        updated_at: at,
        state: "open".into(),
        manifest_path: manifest.into(),
        scope: "runtime".into(),
        relationship: if manifest.ends_with("lock.json") {
            "transitive"
        } else {
            "direct"
        }
        .into(),
        advisory,
        dismissed_at: None,
        dismissed_by: None,
        dismissed_reason: None,
        dismissed_comment: None,
        fixed_at: None,
        auto_dismissed_at: None,
    }
}

fn secret_scanning(
    mix: &mut Mix,
    number: u64,
    kind: Arc<SecretKind>,
    path: &str,
    line: u32,
    at: DateTime<Utc>,
) -> SecretScanningAlert {
    let secret = format!("{}{}", kind.prefix, mix.alnum(kind.tail));
    SecretScanningAlert {
        number,
        created_at: at,
        updated_at: at,
        state: "open".into(),
        resolution: None,
        resolved_at: None,
        resolved_by: None,
        resolution_comment: None,
        kind,
        secret,
        validity: "unknown".into(),
        publicly_leaked: false,
        multi_repo: false,
        path: path.into(),
        line,
        commit_sha: mix.hex(40),
        blob_sha: mix.hex(40),
    }
}

/// Puts a code scanning alert in `state` as of `at` (dismissed: "won't fix" by the sandbox
/// user, until a reason is given).
fn close_code_scanning(alert: &mut CodeScanningAlert, state: &str, at: DateTime<Utc>) {
    alert.state = state.into();
    alert.fixed_at = None;
    alert.dismissed_at = None;
    alert.dismissed_by = None;
    alert.dismissed_reason = None;
    alert.dismissed_comment = None;
    match state {
        "fixed" => alert.fixed_at = Some(at),
        "dismissed" => {
            alert.dismissed_at = Some(at);
            alert.dismissed_by = Some(sandbox_user());
            alert.dismissed_reason = Some("won't fix".into());
        }
        _ => {}
    }
    alert.updated_at = alert.updated_at.max(at);
}

fn close_dependabot(alert: &mut DependabotAlert, state: &str, at: DateTime<Utc>) {
    alert.state = state.into();
    alert.fixed_at = None;
    alert.dismissed_at = None;
    alert.dismissed_by = None;
    alert.dismissed_reason = None;
    alert.dismissed_comment = None;
    alert.auto_dismissed_at = None;
    match state {
        "fixed" => alert.fixed_at = Some(at),
        "dismissed" => {
            alert.dismissed_at = Some(at);
            alert.dismissed_by = Some(sandbox_user());
            alert.dismissed_reason = Some("tolerable_risk".into());
        }
        "auto_dismissed" => alert.auto_dismissed_at = Some(at),
        _ => {}
    }
    alert.updated_at = alert.updated_at.max(at);
}

fn close_secret_scanning(alert: &mut SecretScanningAlert, state: &str, at: DateTime<Utc>) {
    alert.state = state.into();
    alert.resolution = None;
    alert.resolved_at = None;
    alert.resolved_by = None;
    alert.resolution_comment = None;
    if state == "resolved" {
        alert.resolution = Some("revoked".into());
        alert.resolved_at = Some(at);
        alert.resolved_by = Some(sandbox_user());
    }
    alert.updated_at = alert.updated_at.max(at);
}
