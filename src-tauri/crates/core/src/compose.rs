//! The message about an issue: an Adaptive Card 1.5 (severity colour, title, tool and rule,
//! location, first seen, the comment, and buttons back to the issue and to the rule's help),
//! with a plain-text summary. Nothing a person or a scanner wrote becomes markup in Teams, and
//! the card is trimmed, visibly, to fit Teams' message size.

use serde::Serialize;
use serde_json::{Value, json};
use ts_rs::TS;

use crate::issues::{Change, Issue, IssueState, Severity};
use crate::links::issue_link;
use crate::mentions::{Placed, graph_mentions};

/// Graph accepts about 28 KB per chat or channel message; leave room for the envelope.
pub const GRAPH_CARD_BUDGET: usize = 26 * 1024;
/// The Bot Framework accepts about 100 KB; Microsoft advises staying under 80 KB.
pub const BOT_CARD_BUDGET: usize = 80 * 1024;

const TITLE_LIMIT: usize = 300;
const DESCRIPTION_LIMIT: usize = 1200;

/// A composed message, ready for the pre-send check and the preview.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Composition {
    /// The Adaptive Card exactly as it will be sent.
    #[ts(type = "Record<string, unknown>")]
    pub card: Value,
    /// Plain text for notifications and clients without cards.
    pub summary: String,
    /// What had to be shortened to fit, in words.
    pub trimmed: Vec<String>,
    #[ts(type = "number")]
    pub size_bytes: u64,
    #[ts(type = "number")]
    pub limit_bytes: u64,
    pub card_version: String,
}

/// Who and what a message is about, beyond the issue.
#[derive(Debug, Clone, Default)]
pub struct Context<'a> {
    pub comment: &'a str,
    /// Who adds the comment ("Megan Bowen"), when a person does.
    pub author: Option<&'a str>,
    /// `ox-teams://workflows/<id>` when a workflow sends it.
    pub workflow_link: Option<(&'a str, &'a str)>,
}

pub fn compose(issue: &Issue, context: &Context<'_>, budget: usize) -> Composition {
    let mut title = issue.title.clone();
    let mut description = issue.description.clone();
    let mut comment = context.comment.trim().to_string();
    let mut trimmed = Vec::new();
    if title.chars().count() > TITLE_LIMIT {
        title = shorten(&title, TITLE_LIMIT);
        trimmed.push(format!(
            "The title was shortened to {TITLE_LIMIT} characters."
        ));
    }
    if description.chars().count() > DESCRIPTION_LIMIT {
        description = shorten(&description, DESCRIPTION_LIMIT);
        trimmed.push(format!("The description was shortened to {DESCRIPTION_LIMIT} characters; the full text is in the app."));
    }
    let mut card = card(issue, &title, &description, &comment, context);
    // Still too big: give up the description, then shorten the comment until it fits.
    if size(&card) > budget && !description.is_empty() {
        description.clear();
        trimmed.push(
            "The description was left out to fit Teams' message size; the full text is in the app."
                .into(),
        );
        card = self::card(issue, &title, &description, &comment, context);
    }
    while size(&card) > budget && !comment.is_empty() {
        let keep = comment.chars().count() * 3 / 4;
        comment = shorten(&comment, keep.max(1));
        card = self::card(issue, &title, &description, &comment, context);
        if !trimmed.iter().any(|t| t.starts_with("The comment")) {
            trimmed.push("The comment was shortened to fit Teams' message size.".into());
        }
        if keep <= 1 {
            comment.clear();
        }
    }
    let summary = summary(issue, &title, &comment);
    let size_bytes = size(&card) as u64;
    Composition {
        card,
        summary,
        trimmed,
        size_bytes,
        limit_bytes: budget as u64,
        card_version: "1.5".into(),
    }
}

fn size(card: &Value) -> usize {
    card.to_string().len()
}

fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    format!(
        "{}…",
        text.chars()
            .take(limit.saturating_sub(1))
            .collect::<String>()
    )
}

/// Adaptive Card colour and container style per severity.
fn tone(severity: Severity) -> (&'static str, &'static str) {
    match severity {
        Severity::Critical | Severity::High => ("attention", "attention"),
        Severity::Medium => ("warning", "warning"),
        Severity::Low => ("accent", "emphasis"),
        Severity::Info => ("default", "emphasis"),
    }
}

fn card(
    issue: &Issue,
    title: &str,
    description: &str,
    comment: &str,
    context: &Context<'_>,
) -> Value {
    let (color, style) = tone(issue.severity);
    let severity = match issue.score {
        Some(score) => format!("{} ({score:.1})", issue.severity.label().to_uppercase()),
        None => issue.severity.label().to_uppercase(),
    };
    let rule = match &issue.rule_name {
        Some(name) if name != &issue.rule_id => format!("{} — {}", issue.rule_id, name),
        _ => issue.rule_id.clone(),
    };
    let mut facts = vec![
        json!({ "title": "Tool", "value": plain(&issue.tool) }),
        json!({ "title": "Rule", "value": plain(&rule) }),
        json!({ "title": "Location", "value": plain(&issue.location()) }),
        json!({ "title": "First seen", "value": issue.first_seen.format("%Y-%m-%d %H:%M UTC").to_string() }),
        json!({ "title": "Issue", "value": plain(&issue.id) }),
    ];
    if issue.revision > 1 {
        facts.push(json!({ "title": "Updated", "value": format!("revision {}", issue.revision) }));
    }
    let mut header = Vec::new();
    // Where the finding stands, at the top, when it is not simply open.
    if let Some((text, tone)) = state_line(issue) {
        header.push(json!({ "type": "TextBlock", "text": text, "weight": "Bolder", "color": tone, "size": "Small", "spacing": "None", "wrap": true }));
    }
    header.push(json!({ "type": "TextBlock", "text": severity, "weight": "Bolder", "color": color, "size": "Small", "spacing": "None" }));
    header.push(json!({ "type": "TextBlock", "text": plain(title), "weight": "Bolder", "size": "Medium", "wrap": true }));
    let mut body = vec![json!({
        "type": "Container",
        "style": if issue.state == IssueState::Fixed { "good" } else { style },
        "bleed": true,
        "items": header
    })];
    body.push(json!({ "type": "FactSet", "facts": facts }));
    if !comment.is_empty() {
        let who = match context.author {
            Some(author) => format!("Comment from {}", plain(author)),
            None => "Comment".to_string(),
        };
        body.push(json!({ "type": "TextBlock", "text": who, "weight": "Bolder", "spacing": "Medium", "wrap": true }));
        body.push(json!({ "type": "TextBlock", "text": plain(comment), "wrap": true, "spacing": "Small" }));
    }
    if !description.is_empty() {
        body.push(json!({ "type": "TextBlock", "text": plain(description), "wrap": true, "isSubtle": true, "spacing": "Medium", "maxLines": 8 }));
    }
    let open = issue_link(&issue.id);
    let mut actions = vec![
        json!({ "type": "Action.OpenUrl", "title": "Open in OX Teams Connector", "url": open }),
    ];
    if let Some((name, link)) = context.workflow_link {
        actions.push(json!({ "type": "Action.OpenUrl", "title": format!("Workflow: {}", shorten(name, 40)), "url": link }));
    }
    if let Some(link) = issue
        .link
        .as_deref()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    {
        actions.push(json!({ "type": "Action.OpenUrl", "title": "Open the alert", "url": link }));
    }
    if let Some(help) = issue
        .help_uri
        .as_deref()
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    {
        actions.push(json!({ "type": "Action.OpenUrl", "title": "Rule help", "url": help }));
    }
    json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "fallbackText": summary(issue, title, comment),
        "body": body,
        "actions": actions,
    })
}

/// "FIXED on 2026-11-02 10:00 UTC — no longer reported by Semgrep · ci/main", with its colour.
fn state_line(issue: &Issue) -> Option<(String, &'static str)> {
    let when = issue
        .state_changed_at
        .map(|t| format!(" on {}", t.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    match (issue.state, issue.change) {
        (IssueState::Fixed, _) => Some((
            format!(
                "FIXED{when} — no longer reported by {}",
                plain(&issue.scope)
            ),
            "good",
        )),
        (IssueState::Suppressed, _) => Some((
            format!("SUPPRESSED{when} — the scanner reports it as suppressed"),
            "default",
        )),
        (IssueState::Open, Change::Reopened) => Some((
            format!("REOPENED{when} — reported again after it was fixed"),
            "attention",
        )),
        _ => None,
    }
}

fn summary(issue: &Issue, title: &str, comment: &str) -> String {
    let state = match (issue.state, issue.change) {
        (IssueState::Fixed, _) => "Fixed: ",
        (IssueState::Suppressed, _) => "Suppressed: ",
        (IssueState::Open, Change::Reopened) => "Reopened: ",
        _ => "",
    };
    let mut text = format!(
        "{state}{} security issue: {} ({}, {})",
        issue.severity.label(),
        title,
        issue.tool,
        issue.location()
    );
    if !comment.is_empty() {
        text.push_str(&format!(" — {}", shorten(comment, 200)));
    }
    text
}

/// The short reply that follows a finding's first message in a channel thread: what changed
/// ("Severity high → critical"), or that it was fixed, reopened or suppressed. `changes` are the
/// sentences of the finding's latest history step.
pub fn follow_up(
    issue: &Issue,
    changes: &[String],
    context: &Context<'_>,
    budget: usize,
) -> Composition {
    let (headline, tone) = match state_line(issue) {
        Some(line) => line,
        None => (format!("UPDATED — revision {}", issue.revision), "warning"),
    };
    let title = shorten(&issue.title, 150);
    let mut body = vec![
        json!({ "type": "TextBlock", "text": headline, "weight": "Bolder", "color": tone, "size": "Small", "spacing": "None", "wrap": true }),
        json!({ "type": "TextBlock", "text": format!("{} · {}", issue.severity.label().to_uppercase(), plain(&title)), "weight": "Bolder", "wrap": true, "spacing": "Small" }),
    ];
    let changes: Vec<String> = changes.iter().take(10).map(|c| shorten(c, 300)).collect();
    for change in &changes {
        body.push(json!({ "type": "TextBlock", "text": format!("• {}", plain(change)), "wrap": true, "spacing": "Small" }));
    }
    let comment = shorten(context.comment.trim(), 1000);
    if !comment.is_empty() {
        let who = context.author.map_or_else(
            || "Comment".to_string(),
            |a| format!("Comment from {}", plain(a)),
        );
        body.push(json!({ "type": "TextBlock", "text": who, "weight": "Bolder", "spacing": "Medium", "wrap": true }));
        body.push(json!({ "type": "TextBlock", "text": plain(&comment), "wrap": true, "spacing": "Small" }));
    }
    let word = match (issue.state, issue.change) {
        (IssueState::Fixed, _) => "Fixed",
        (IssueState::Suppressed, _) => "Suppressed",
        (IssueState::Open, Change::Reopened) => "Reopened",
        _ => "Updated",
    };
    let mut summary = format!("{word}: {title}");
    if !changes.is_empty() {
        summary.push_str(&format!(" — {}", changes.join("; ")));
    }
    let summary = shorten(&summary, 400);
    let card = json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "fallbackText": summary,
        "body": body,
        "actions": [ { "type": "Action.OpenUrl", "title": "Open in OX Teams Connector", "url": issue_link(&issue.id) } ],
    });
    Composition {
        size_bytes: size(&card) as u64,
        limit_bytes: budget as u64,
        card,
        summary,
        trimmed: Vec::new(),
        card_version: "1.5".into(),
    }
}

/// Issues listed one by one in a digest; the rest are counted.
pub const DIGEST_ITEMS: usize = 25;

/// A periodic workflow's digest: how many issues match, the most severe first with a link to
/// each, and the link to the workflow.
pub fn digest(
    workflow_name: &str,
    workflow_link: &str,
    comment: &str,
    issues: &[Issue],
    total: usize,
    budget: usize,
) -> Composition {
    let noun = if total == 1 { "issue" } else { "issues" };
    let headline = format!("{total} {noun} match “{}”", shorten(workflow_name, 80));
    let mut body = vec![
        json!({ "type": "TextBlock", "text": "WORKFLOW DIGEST", "weight": "Bolder", "color": "accent", "size": "Small", "spacing": "None" }),
        json!({ "type": "TextBlock", "text": plain(&headline), "weight": "Bolder", "size": "Medium", "wrap": true }),
    ];
    if !comment.trim().is_empty() {
        body.push(json!({ "type": "TextBlock", "text": plain(&shorten(comment.trim(), 1000)), "wrap": true, "spacing": "Small" }));
    }
    let lines: Vec<Value> = issues
        .iter()
        .take(DIGEST_ITEMS)
        .map(|issue| {
            let line = format!(
                "**{}** [{}]({}) — {}, {}",
                issue.severity.label().to_uppercase(),
                plain(&shorten(&issue.title, 120)),
                issue_link(&issue.id),
                plain(&shorten(&issue.tool, 60)),
                plain(&shorten(&issue.location(), 200)),
            );
            json!({ "type": "TextBlock", "text": line, "wrap": true, "spacing": "Small" })
        })
        .collect();
    let summary = format!("{headline} (workflow digest)");
    let card_listing = |listed: usize| {
        let mut body = body.clone();
        body.extend(lines[..listed].iter().cloned());
        if total > listed {
            let rest = total - listed;
            body.push(json!({ "type": "TextBlock", "text": format!("…and {rest} more in OX Teams Connector."), "isSubtle": true, "wrap": true }));
        }
        json!({
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5",
            "fallbackText": summary,
            "body": body,
            "actions": [ { "type": "Action.OpenUrl", "title": format!("Workflow: {}", shorten(workflow_name, 40)), "url": workflow_link } ],
        })
    };
    // As many issues as the transport's limit allows, most severe first; the rest are counted.
    let mut listed = lines.len();
    let mut card = card_listing(listed);
    while listed > 0 && size(&card) > budget {
        listed -= 1;
        card = card_listing(listed);
    }
    let mut trimmed = Vec::new();
    if total > listed {
        trimmed.push(format!(
            "The digest lists the first {listed} issues and counts the rest."
        ));
    }
    Composition {
        size_bytes: size(&card) as u64,
        limit_bytes: budget as u64,
        card,
        summary,
        trimmed,
        card_version: "1.5".into(),
    }
}

/// The card with its "Open in OX Teams Connector" link naming one delivery, so the app can
/// recognise its own message in a chat later (after a crash in the middle of a send).
pub fn with_marker(card: &Value, marker: &str) -> Value {
    let mut card = card.clone();
    if let Some(url) = card
        .get_mut("actions")
        .and_then(|a| a.get_mut(0))
        .and_then(|a| a.get_mut("url"))
        && let Some(text) = url.as_str()
    {
        let base = text.split('?').next().unwrap_or(text).to_string();
        *url = Value::String(format!("{base}?delivery={marker}"));
    }
    card
}

/// Text shown as typed: Adaptive Card TextBlocks interpret a Markdown subset and `{{…}}`
/// functions, so every character that could start either is escaped.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut at_line_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '*' | '_' | '[' | ']' | '(' | ')' | '`' | '~' | '|' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' if at_line_start => {
                out.push('\\');
                out.push(c);
            }
            '{' if chars.peek() == Some(&'{') => {
                out.push('{');
                out.push('\u{200B}');
            }
            '.' if at_line_start => out.push('.'),
            _ => out.push(c),
        }
        if c == '\n' {
            at_line_start = true;
        } else if !c.is_whitespace() && !c.is_ascii_digit() {
            at_line_start = false;
        } else if c.is_ascii_digit() && at_line_start {
            // "1. item" is a list: escape the dot that follows leading digits.
            if chars.peek() == Some(&'.') {
                chars.next();
                out.push_str("\\.");
                at_line_start = false;
            }
        }
    }
    out
}

/// The Graph chatMessage carrying a card: an HTML body that references the attachment, and
/// the card as a JSON string (Graph's form), with the place's @mentions in a line above it.
pub fn graph_message(card: &Value, attachment_id: &str, mentions: &[Placed]) -> Value {
    let attachment = format!("<attachment id=\"{attachment_id}\"></attachment>");
    let (content, mentions) = match graph_mentions(mentions) {
        Some((line, entries)) => (format!("{line}{attachment}"), entries),
        None => (attachment, Vec::new()),
    };
    let mut message = json!({
        "body": { "contentType": "html", "content": content },
        "attachments": [{
            "id": attachment_id,
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card.to_string(),
            "name": null,
            "thumbnailUrl": null,
        }]
    });
    if !mentions.is_empty() {
        message["mentions"] = Value::Array(mentions);
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    pub(crate) fn issue(title: &str) -> Issue {
        Issue {
            id: "a1b2c3d4e5f60718".into(),
            title: title.into(),
            severity: Severity::High,
            score: Some(8.1),
            tool: "Semgrep".into(),
            rule_id: "python.lang.security.audit.eval".into(),
            rule_name: Some("Use of eval".into()),
            path: Some("app/views.py".into()),
            line: Some(42),
            column: Some(5),
            help_uri: Some("https://semgrep.dev/r/python.eval".into()),
            link: None,
            description: "eval() on user input runs arbitrary code.".into(),
            tags: vec![],
            revision: 1,
            change: Change::New,
            first_seen: Utc::now(),
            last_seen: Utc::now(),
            source: "scan.sarif".into(),
            scope: "Semgrep · scan.sarif".into(),
            state: crate::issues::IssueState::Open,
            state_changed_at: None,
            fixed_by: None,
            acknowledged_at: None,
            acknowledged_by: None,
        }
    }

    #[test]
    fn a_card_carries_the_issue_and_links_back() {
        let composition = compose(
            &issue("Use of eval on request data"),
            &Context {
                comment: "Please fix before Friday.",
                author: Some("Megan"),
                ..Context::default()
            },
            GRAPH_CARD_BUDGET,
        );
        let card = composition.card.to_string();
        assert_eq!(composition.card["version"], "1.5");
        assert!(
            card.contains("HIGH (8.1)") && card.contains("app/views.py:42"),
            "{card}"
        );
        assert!(card.contains("ox-teams://issues/a1b2c3d4e5f60718"));
        assert!(card.contains("https://semgrep.dev/r/python.eval"));
        assert!(card.contains("Comment from Megan"));
        assert!(
            composition
                .summary
                .starts_with("High security issue: Use of eval on request data")
        );
        assert!(composition.trimmed.is_empty());
    }

    #[test]
    fn a_fixed_or_reopened_finding_says_so_at_the_top_of_its_card() {
        let when = "2026-11-02T10:00:00Z".parse().unwrap();
        let mut fixed = issue("Use of eval on request data");
        fixed.state = IssueState::Fixed;
        fixed.state_changed_at = Some(when);
        let composition = compose(&fixed, &Context::default(), GRAPH_CARD_BUDGET);
        let header = &composition.card["body"][0];
        assert_eq!(header["style"], "good");
        assert_eq!(
            header["items"][0]["text"],
            "FIXED on 2026-11-02 10:00 UTC — no longer reported by Semgrep · scan.sarif"
        );
        assert!(
            composition
                .summary
                .starts_with("Fixed: High security issue")
        );

        let mut reopened = issue("Use of eval on request data");
        reopened.change = Change::Reopened;
        reopened.revision = 2;
        let card = compose(&reopened, &Context::default(), GRAPH_CARD_BUDGET).card;
        assert!(
            card["body"][0]["items"][0]["text"]
                .as_str()
                .unwrap()
                .starts_with("REOPENED")
        );
        // An open finding's card is as before: severity first.
        let open = compose(&issue("x"), &Context::default(), GRAPH_CARD_BUDGET).card;
        assert_eq!(open["body"][0]["items"][0]["text"], "HIGH (8.1)");
    }

    #[test]
    fn what_people_type_stays_text() {
        let escaped = plain(
            "**bold** _it_ [link](https://evil.test) <at>Someone</at> {{DATE(2020-01-01T00:00:00Z)}}\n- item\n1. first",
        );
        assert!(
            !escaped.contains("**") && escaped.contains("\\*\\*bold\\*\\*"),
            "{escaped}"
        );
        assert!(escaped.contains("\\[link\\]\\(https://evil.test\\)"));
        assert!(escaped.contains("\\<at\\>"));
        assert!(escaped.contains("{\u{200B}{DATE"));
        assert!(escaped.contains("\n\\- item"));
        assert!(escaped.contains("\n1\\. first"));
        assert_eq!(plain("plain words, 3 numbers."), "plain words, 3 numbers.");
    }

    #[test]
    fn big_comments_and_long_titles_are_trimmed_to_fit_and_say_so() {
        let mut big = issue(&"A very long title ".repeat(400));
        big.description = "detail ".repeat(5000);
        let comment = "c".repeat(5 * 1024);
        let composition = compose(
            &big,
            &Context {
                comment: &comment,
                ..Context::default()
            },
            GRAPH_CARD_BUDGET,
        );
        assert!(composition.size_bytes as usize <= GRAPH_CARD_BUDGET);
        assert!(composition.trimmed.iter().any(|t| t.contains("title")));
        assert!(
            composition
                .trimmed
                .iter()
                .any(|t| t.contains("description"))
        );
        assert!(
            composition.card.to_string().contains(&"c".repeat(5 * 1024)),
            "a 5 KB comment fits whole"
        );

        let huge = "x".repeat(60 * 1024);
        let composition = compose(
            &big,
            &Context {
                comment: &huge,
                ..Context::default()
            },
            GRAPH_CARD_BUDGET,
        );
        assert!(composition.size_bytes as usize <= GRAPH_CARD_BUDGET);
        assert!(
            composition
                .trimmed
                .iter()
                .any(|t| t.starts_with("The comment"))
        );
    }

    #[test]
    fn the_graph_message_references_its_card() {
        let composition = compose(&issue("x"), &Context::default(), GRAPH_CARD_BUDGET);
        let message = graph_message(&composition.card, "card-1", &[]);
        assert_eq!(
            message["body"]["content"],
            "<attachment id=\"card-1\"></attachment>"
        );
        let content: Value =
            serde_json::from_str(message["attachments"][0]["content"].as_str().unwrap()).unwrap();
        assert_eq!(content, composition.card);
    }

    #[test]
    fn a_digest_of_issues_with_huge_fields_still_fits_and_counts_the_rest() {
        // Control characters are written as \u00XX: six bytes each in the card.
        let noisy = "\u{1}".repeat(3000);
        let issues: Vec<Issue> = (0..DIGEST_ITEMS)
            .map(|n| Issue {
                id: format!("i{n}"),
                tool: noisy.clone(),
                path: Some(noisy.clone()),
                ..issue(&noisy)
            })
            .collect();
        let composition = digest(
            "w",
            "ox-teams://workflows/w",
            "",
            &issues,
            40,
            GRAPH_CARD_BUDGET,
        );
        assert!(
            composition.size_bytes as usize <= GRAPH_CARD_BUDGET,
            "{} bytes",
            composition.size_bytes
        );
        let listed = composition.card["body"].as_array().unwrap().len() - 3;
        assert!(listed > 0 && listed < DIGEST_ITEMS, "{listed}");
        assert_eq!(
            composition.trimmed,
            [format!(
                "The digest lists the first {listed} issues and counts the rest."
            )]
        );
        let rest = composition.card["body"].as_array().unwrap().last().unwrap()["text"].clone();
        assert_eq!(
            rest,
            format!("…and {} more in OX Teams Connector.", 40 - listed)
        );
    }
}
