//! How the CLI prints what the core returns.

use ox_teams_core::auth::{ConnectionState, PermissionReport, TenantRecords};
use ox_teams_core::bot::{BotAccount, BotState, Coverage};
use ox_teams_core::directory::{Channel, ChannelKind, Chat, ChatKind, Person, Team};
use ox_teams_core::issues::{FileImport, ImportReport, Issue, IssueEvent, IssuePage};
use ox_teams_core::outbox::{Delivery, DeliveryStatus, DispatchReport};
use ox_teams_core::secrets::KeychainStatus;
use ox_teams_core::sources::{PollReport, Source};
use ox_teams_core::workflows::quiet::QuietHold;
use ox_teams_core::workflows::{DryRun, Workflow, WorkflowRun};
use ox_teams_core::{SettingsView, StatusReport};

pub fn json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("reports serialise")
    );
}

pub fn settings(view: &SettingsView) {
    let settings = &view.settings;
    let or = |value: &str, empty: &str| {
        if value.is_empty() {
            empty.to_string()
        } else {
            value.to_string()
        }
    };
    println!(
        "cloud            {} ({})",
        settings.cloud.as_str(),
        settings.cloud.label()
    );
    println!("  sign-in        {}", view.endpoints.authority);
    println!("  graph          {}", view.endpoints.graph);
    println!(
        "  bot connector  {}",
        view.endpoints
            .bot_connector
            .as_deref()
            .unwrap_or("(from each conversation)")
    );
    println!("tenant           {}", settings.tenant);
    println!("client-id        {}", or(&settings.client_id, "(not set)"));
    println!(
        "browser-command  {}",
        or(&settings.browser_command, "(system browser)")
    );
    println!("sign-in-redirect {}", settings.sign_in_redirect.as_str());
    for problem in &view.refused {
        println!(
            "not used         {} (the saved value would be refused: {} The default stands in \
             until it is set again.)",
            problem.field.as_str(),
            problem.message
        );
    }
    println!("data folder      {}", view.data_dir);
}

pub fn status(status: &StatusReport, check_problem: Option<String>) {
    println!("OX Teams Connector {}", status.version);
    println!("data folder  {}", status.data_dir);
    println!(
        "database     {} (schema {})",
        status.database_path, status.schema_version
    );
    println!(
        "cloud        {}, tenant {}",
        status.cloud_label, status.tenant
    );
    match &status.client_id {
        Some(id) => println!("client id    {id}"),
        None => println!(
            "client id    not set: register an app in Entra and run `ox-teams-cli config set client-id GUID`"
        ),
    }
    match &status.keychain {
        KeychainStatus::Available { backend } => println!("keychain     {backend}"),
        KeychainStatus::Unavailable { message, .. } => {
            println!("keychain     unavailable: {message}")
        }
    }
    print!("teams        ");
    connection(&status.connection);
    if let Some(problem) = check_problem {
        println!("             (could not check with Microsoft just now: {problem})");
    }
}

pub fn connection(state: &ConnectionState) {
    match state {
        ConnectionState::NotConnected => println!("not connected"),
        ConnectionState::Connected { account } => {
            println!(
                "connected as {} <{}> in tenant {} ({}) since {}",
                account.name,
                account.mail,
                account.tenant_id,
                account.cloud_label,
                account.connected_at.format("%Y-%m-%d %H:%M UTC")
            );
            if account.settings_changed {
                println!(
                    "             Settings changed since connecting: run `ox-teams-cli connect` to use them."
                );
            }
        }
        ConnectionState::ReconnectNeeded {
            account, reason, ..
        } => {
            println!(
                "reconnect needed ({} <{}>): {reason}",
                account.name, account.mail
            );
        }
    }
}

pub fn bot(state: &BotState) {
    let checks = |bot: &BotAccount| {
        for check in &bot.checks {
            println!(
                "  {} {}: {}",
                if check.ok { "✓" } else { "!" },
                check.label,
                check.detail
            );
        }
    };
    match state {
        BotState::NotConnected => println!("bot not connected"),
        BotState::Connected { bot } => {
            println!(
                "bot connected: {} ({}) in tenant {} ({}), Bot Connector {}",
                bot.app_name, bot.app_id, bot.tenant_id, bot.cloud_label, bot.connector_url
            );
            checks(bot);
        }
        BotState::ReconnectNeeded { bot, reason, .. } => {
            println!("bot reconnect needed ({}): {reason}", bot.app_name);
        }
    }
}

pub fn workflows(list: &[Workflow], holds: &[QuietHold]) {
    if list.is_empty() {
        println!("no workflows (ox-teams-cli workflows add FILE.json adds one)");
    }
    for workflow in list {
        let d = &workflow.definition;
        let next = workflow
            .next_run_at
            .map(|t| format!(", next digest {}", t.format("%Y-%m-%d %H:%M UTC")))
            .unwrap_or_default();
        println!(
            "{}  {:<3}  {}  [{}] → {} (fallback {}){next}",
            workflow.id,
            if d.enabled { "on" } else { "off" },
            d.name,
            d.apply_to.label(),
            d.recipients
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
            d.fallback
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
        );
        if let Some(hold) = holds.iter().find(|h| h.workflow_id == workflow.id) {
            println!(
                "    {} finding{} {}",
                hold.findings,
                if hold.findings == 1 { "" } else { "s" },
                hold.until
            );
        }
    }
}

pub fn dry_run(dry_run: &DryRun) {
    println!("{} matching issues", dry_run.matched);
    if let Some(digest) = &dry_run.digest {
        println!("{digest}");
    }
    for item in &dry_run.items {
        let to = if let Some(until) = &item.held_until {
            format!("held for quiet hours, until {until}")
        } else if item.recipients.is_empty() {
            "nobody (already sent)".to_string()
        } else {
            item.recipients.join(", ")
        };
        println!("{:<8} {}  → {to}", item.severity.label(), item.title);
    }
}

pub fn runs(runs: &[WorkflowRun]) {
    for run in runs {
        println!(
            "{}  {:<9} {}",
            run.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
            run.trigger,
            run.summary
        );
    }
}

pub fn dispatch(report: &DispatchReport) {
    println!(
        "outbox: {} sent, {} retrying, {} failed, {} unconfirmed{}",
        report.sent,
        report.retrying,
        report.failed,
        report.unconfirmed,
        if report.busy {
            " (the open app is sending)"
        } else {
            ""
        }
    );
    if let Some(paused) = &report.paused {
        println!("paused: {}", paused.message);
    }
}

pub fn coverage(coverage: &Coverage) {
    for item in &coverage.items {
        let state = match (item.installed, &item.problem) {
            (Some(true), _) => "installed".to_string(),
            (Some(false), _) => "NOT installed".to_string(),
            (None, Some(problem)) => format!("unknown: {problem}"),
            (None, None) => "unknown".to_string(),
        };
        println!("{:<40} {state}", item.label);
    }
    println!("{}", coverage.summary);
}

pub fn permissions(report: &PermissionReport) {
    for permission in &report.permissions {
        let granted = match permission.granted {
            Some(true) => "granted",
            Some(false) => "NOT granted",
            None => "not connected",
        };
        let admin = if permission.scope.admin_consent {
            "admin consent"
        } else {
            "user consent"
        };
        println!(
            "{:<24} {:<14} {:<14} {}",
            permission.scope.name, granted, admin, permission.scope.reason
        );
        if permission.granted == Some(false) {
            println!("{:<24} without it: {}", "", permission.scope.without_it);
        }
    }
    if !report.missing.is_empty() {
        println!("\nAsk for the missing ones with `ox-teams-cli connect --missing`.");
    }
    println!();
    match &report.tenant_records {
        TenantRecords::Found {
            display_name,
            grants,
            ..
        } => {
            println!("The tenant records {display_name}:");
            for grant in grants {
                let who = match (&grant.consent_type[..], &grant.principal) {
                    ("AllPrincipals", _) => "an administrator, for everyone".to_string(),
                    (_, Some(person)) => person.clone(),
                    _ => "one person".to_string(),
                };
                println!("  {who}: {}", grant.scopes.join(" "));
            }
        }
        TenantRecords::Missing => {
            println!("The tenant has no enterprise application for this client ID.")
        }
        TenantRecords::Unavailable { reason } => println!("Tenant records: {reason}"),
    }
    if let Some(url) = &report.admin_center_url {
        println!("Admin center: {url}");
    }
}

pub fn import(report: &ImportReport) {
    for file in &report.files {
        match file {
            FileImport::Imported {
                file,
                format,
                findings,
                new,
                updated,
                reopened,
                fixed,
                ..
            } => {
                println!(
                    "{file}: {findings} findings ({format}): {} new, {} updated, {} reopened, {} fixed",
                    new.len(),
                    updated.len(),
                    reopened.len(),
                    fixed.len()
                )
            }
            FileImport::Refused { problem, .. } => println!("{problem}"),
        }
    }
    println!(
        "{} new, {} updated, {} unchanged, {} reopened, {} fixed, {} suppressed{}",
        report.new,
        report.updated,
        report.existing,
        report.reopened,
        report.fixed,
        report.suppressed,
        if report.refused > 0 {
            format!(", {} file(s) refused", report.refused)
        } else {
            String::new()
        }
    );
}

pub fn issues(page: &IssuePage) {
    if page.total == 0 {
        println!(
            "No issues match. Import findings with `ox-teams-cli import PATH`; `--state all` \
             also lists fixed and suppressed ones."
        );
        return;
    }
    for issue in &page.issues {
        println!(
            "{:<8} {:<16} {:<9} {:<14} {:<40} {}",
            issue.severity.label(),
            issue.id,
            issue.status(),
            truncate(&issue.tool, 14),
            truncate(&issue.location(), 40),
            issue.title
        );
    }
    if page.total > page.issues.len() as u64 {
        println!(
            "… {} more (use --limit, --severity, --tool or --text)",
            page.total - page.issues.len() as u64
        );
    }
}

pub fn history(issue: &Issue, history: &[IssueEvent]) {
    println!(
        "{} · {} · {}",
        issue.severity.label(),
        issue.status(),
        issue.title
    );
    println!("{} · {}", issue.scope, issue.location());
    for event in history {
        let mut line = format!(
            "{}  rev {}  {:<12} {}",
            event.at.format("%Y-%m-%d %H:%M UTC"),
            event.revision,
            event.kind.label(),
            event.source
        );
        if !event.changes.is_empty() {
            line.push_str(&format!("\n      {}", event.changes.join("; ")));
        }
        println!("{line}");
    }
}

/// A finding's conversations in Teams: per place, each step and the answers.
pub fn conversations(conversations: &[ox_teams_core::outbox::Conversation]) {
    if conversations.is_empty() {
        println!("\nNo message about it has been sent yet.");
        return;
    }
    for conversation in conversations {
        let gone = if conversation.gone {
            " (the first message is gone; the next one starts anew)"
        } else {
            ""
        };
        println!(
            "\n{} (as {}){gone}",
            conversation.place,
            conversation.identity.as_str()
        );
        if let Some(url) = &conversation.web_url {
            println!("  {url}");
        }
        for step in &conversation.steps {
            println!(
                "  {}  rev {}  {:<28} {}",
                step.at.format("%Y-%m-%d %H:%M UTC"),
                step.revision,
                step.what,
                truncate(&step.summary, 80)
            );
            if let Some(problem) = &step.problem {
                println!("      {problem}");
            }
        }
        for answer in &conversation.answers {
            let said = match answer.kind {
                ox_teams_core::outbox::AnswerKind::Reaction => {
                    format!("{} {}", answer.content, answer.person)
                }
                ox_teams_core::outbox::AnswerKind::Reply => {
                    format!("{} replied: {}", answer.person, answer.content)
                }
            };
            println!("  {}  {said}", answer.at.format("%Y-%m-%d %H:%M UTC"));
        }
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(width - 1).collect::<String>())
    }
}

/// Microsoft could not be asked; the list is the cached one.
pub fn stale(reason: &Option<String>) {
    if let Some(reason) = reason {
        eprintln!("(Showing the list from the last time: {reason})");
    }
}

pub fn teams(teams: &[Team]) {
    if teams.is_empty() {
        println!("You are not a member of any team.");
    }
    for team in teams {
        println!("{:<36}  {}", team.id, team.name);
    }
}

pub fn channels(channels: &[Channel]) {
    for channel in channels {
        let kind = match channel.kind {
            ChannelKind::Standard => "",
            ChannelKind::Private => " (private)",
            ChannelKind::Shared => " (shared)",
        };
        println!("{:<48}  {}{kind}", channel.id, channel.name);
    }
}

pub fn people(people: &[Person], query: &str) {
    if people.is_empty() {
        if query.trim().chars().count() < 2 {
            println!("Type at least two letters of a name or address.");
        } else {
            println!("Nobody in the directory matches “{}”.", query.trim());
        }
    }
    for person in people {
        println!(
            "{:<24} {:<44} {}",
            truncate(&person.name, 24),
            person.mail,
            person.job_title
        );
    }
}

pub fn chats(chats: &[Chat]) {
    if chats.is_empty() {
        println!("You have no chats yet.");
    }
    for chat in chats {
        let kind = match chat.kind {
            ChatKind::OneOnOne => "1:1",
            ChatKind::Group => "group",
        };
        println!("{:<5} {:<52} {}", kind, chat.id, chat.title);
    }
}

pub fn deliveries(deliveries: &[Delivery]) {
    if deliveries.is_empty() {
        println!("Nothing has been sent yet.");
    }
    for delivery in deliveries {
        let status = match delivery.status {
            DeliveryStatus::Retrying => format!("retrying ({} attempts)", delivery.attempts),
            other => other.as_str().to_string(),
        };
        let outcome = match (&delivery.web_url, &delivery.problem) {
            (Some(url), _) if delivery.status == DeliveryStatus::Sent => url.clone(),
            (_, Some(problem)) => problem.message.clone(),
            _ => String::new(),
        };
        println!(
            "{:<36}  {:<22} {:<32} {:<32} {}",
            delivery.id,
            status,
            truncate(&delivery.label, 32),
            truncate(&delivery.issue_title, 32),
            outcome
        );
    }
}

pub fn sources(list: &[Source]) {
    if list.is_empty() {
        println!(
            "no sources (ox-teams-cli sources add folder PATH, or sources add github --repo \
             OWNER/NAME --token-stdin)"
        );
    }
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    for source in list {
        println!("{}  {}", source.id, source.name);
        let last = source
            .last_check
            .map(when)
            .unwrap_or_else(|| "not yet".into());
        let found = match source.found_at {
            Some(at) => format!("{} at {}", source.found_summary, when(at)),
            None => "nothing yet".into(),
        };
        println!(
            "    last check {last}; found {found}; next check {}",
            when(source.next_check)
        );
        if let Some(until) = source.waiting_until {
            println!("    waiting for GitHub's rate limit until {}", when(until));
        }
        if let Some(error) = &source.error {
            println!("    problem: {}", error.message);
        }
    }
}

pub fn poll(report: &PollReport) {
    for poll in &report.polls {
        let mut line = format!("{}: {}", poll.name, poll.found.sentence());
        if poll.requests > 0 {
            line.push_str(&format!(
                " ({} requests, {} unchanged lists)",
                poll.requests, poll.not_modified
            ));
        }
        if poll.pending > 0 {
            line.push_str(&format!(
                "; {} file(s) still changing, read at the next check once they stop",
                poll.pending
            ));
        }
        println!("{line}");
        if let Some(error) = &poll.error {
            println!("    problem: {}", error.message);
        }
    }
    if report.polls.is_empty() && !report.busy {
        println!("no sources to check");
    }
}
