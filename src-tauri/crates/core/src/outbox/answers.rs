//! Answers come back without a server: the anchors of open findings are read back by polling
//! (reactions and replies), at most one request per chat or thread per poll and only for
//! anchors younger than [`ANSWER_WINDOW_DAYS`]. The first answer acknowledges the finding.
//! Sources: <https://learn.microsoft.com/graph/api/chat-list-messages>,
//! <https://learn.microsoft.com/graph/api/chatmessage-get>,
//! <https://learn.microsoft.com/graph/api/resources/chatmessagereaction>.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::{Anchor, Outbox, Recipient};
use crate::Result;

/// Anchors older than this are not read back.
pub const ANSWER_WINDOW_DAYS: i64 = 30;
/// Reading a channel thread needs this optional permission.
pub const CHANNEL_READ_SCOPE: &str = "ChannelMessage.Read.All";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AnswerKind {
    Reaction,
    Reply,
}

/// A reaction to a finding's message, or a reply to it, by a person in Teams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Answer {
    pub issue_id: String,
    pub recipient_key: String,
    pub answer_id: String,
    pub kind: AnswerKind,
    pub person: String,
    /// The reaction ("👍") or the reply's text.
    pub content: String,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
}

/// What one poll read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AnswersReport {
    /// Chats and channel threads read.
    pub read: u32,
    /// Answers not seen before.
    pub new: u32,
    /// Channel threads that hold findings but cannot be read without
    /// `ChannelMessage.Read.All`.
    pub unreadable_threads: u32,
}

/// Graph's reaction types as people see them; newer clients send the emoji itself.
fn reaction_text(kind: &str) -> String {
    match kind {
        "like" => "👍".into(),
        "heart" => "❤️".into(),
        "laugh" => "😆".into(),
        "surprised" => "😮".into(),
        "sad" => "😢".into(),
        "angry" => "😡".into(),
        other => other.into(),
    }
}

/// The text of a reply, without its HTML.
fn text_of(message: &Value) -> String {
    let content = message["body"]["content"].as_str().unwrap_or_default();
    let mut text = String::new();
    let mut in_tag = false;
    for c in content.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 300 {
        format!("{}…", text.chars().take(299).collect::<String>())
    } else {
        text
    }
}

fn time(value: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.as_str()?)
        .ok()
        .map(|t| t.to_utc())
}

fn person(identity: &Value, names: &BTreeMap<String, String>) -> (String, String) {
    let id = identity["id"].as_str().unwrap_or_default().to_string();
    let name = identity["displayName"]
        .as_str()
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .or_else(|| names.get(&id).cloned())
        .unwrap_or_else(|| "Someone".into());
    (id, name)
}

/// The reactions on `message` by anyone but `me`.
fn reactions(
    anchor: &Anchor,
    message: &Value,
    me: &str,
    names: &BTreeMap<String, String>,
) -> Vec<Answer> {
    message["reactions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|reaction| {
            let (id, name) = person(&reaction["user"]["user"], names);
            let kind = reaction["reactionType"].as_str()?;
            (id != me).then(|| Answer {
                issue_id: anchor.issue_id.clone(),
                recipient_key: anchor.recipient_key.clone(),
                answer_id: format!("{}/{kind}/{id}", message["id"].as_str().unwrap_or_default()),
                kind: AnswerKind::Reaction,
                person: name,
                content: reaction_text(kind),
                at: time(&reaction["createdDateTime"]).unwrap_or(anchor.created_at),
            })
        })
        .collect()
}

fn reply(anchor: &Anchor, message: &Value, names: &BTreeMap<String, String>) -> Option<Answer> {
    let (_, name) = person(&message["from"]["user"], names);
    Some(Answer {
        issue_id: anchor.issue_id.clone(),
        recipient_key: anchor.recipient_key.clone(),
        answer_id: message["id"].as_str()?.to_string(),
        kind: AnswerKind::Reply,
        person: name,
        content: text_of(message),
        at: time(&message["createdDateTime"])?,
    })
}

/// The answers in one chat: reactions on each anchor, and each message from someone else
/// attributed to the latest anchor before it (a chat has no threads).
pub fn chat_answers(
    anchors: &[&Anchor],
    messages: &[Value],
    me: &str,
    names: &BTreeMap<String, String>,
) -> Vec<Answer> {
    let mut answers = Vec::new();
    let mut by_message: BTreeMap<&str, &Anchor> = BTreeMap::new();
    for anchor in anchors {
        by_message.insert(anchor.message_id.as_str(), anchor);
    }
    // Oldest first, so "the latest anchor before it" is the last one met.
    let mut ordered: Vec<&Value> = messages
        .iter()
        .filter(|m| m["messageType"].as_str().unwrap_or("message") == "message")
        .filter(|m| m["deletedDateTime"].is_null())
        .collect();
    ordered.sort_by_key(|m| time(&m["createdDateTime"]));
    let mut current: Option<&Anchor> = None;
    for message in ordered {
        let id = message["id"].as_str().unwrap_or_default();
        if let Some(anchor) = by_message.get(id) {
            answers.extend(reactions(anchor, message, me, names));
            current = Some(anchor);
            continue;
        }
        let from = message["from"]["user"]["id"].as_str().unwrap_or_default();
        if let Some(anchor) = current
            && !from.is_empty()
            && from != me
            && let Some(reply) = reply(anchor, message, names)
        {
            answers.push(reply);
        }
    }
    answers
}

/// The answers in one channel thread: reactions on the root and on replies, and replies by
/// anyone but `me`.
pub fn thread_answers(
    anchor: &Anchor,
    root: &Value,
    me: &str,
    names: &BTreeMap<String, String>,
) -> Vec<Answer> {
    let mut answers = reactions(anchor, root, me, names);
    for message in root["replies"].as_array().into_iter().flatten() {
        let from = message["from"]["user"]["id"].as_str().unwrap_or_default();
        if !from.is_empty() && from != me {
            answers.extend(reply(anchor, message, names));
        }
    }
    answers
}

impl Outbox<'_> {
    /// Reads the answers to the anchors of open findings and keeps the new ones.
    pub async fn read_answers(self) -> Result<AnswersReport> {
        let mut report = AnswersReport::default();
        let Some(connection) = self.core.store.load_connection()? else {
            return Ok(report);
        };
        if connection.problem.is_some() {
            return Ok(report);
        }
        let me = connection.user_id.as_str();
        let can_read_threads = connection
            .granted_scopes
            .iter()
            .any(|s| s.eq_ignore_ascii_case(CHANNEL_READ_SCOPE));
        let since = self.core.clock.now() - chrono::Duration::days(ANSWER_WINDOW_DAYS);
        let anchors = self.core.store.anchors_to_read(since)?;
        // Graph often leaves a reaction's displayName empty: the people the findings went to
        // are known by id.
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        let mut chats: BTreeMap<&str, Vec<&Anchor>> = BTreeMap::new();
        let mut threads = Vec::new();
        for anchor in &anchors {
            let recipient = self
                .core
                .store
                .delivery(&anchor.delivery_id)?
                .map(|d| d.recipient);
            match &recipient {
                Some(Recipient::Person { user_id, name, .. }) => {
                    names.insert(user_id.clone(), name.clone());
                }
                Some(Recipient::GroupChat { people, .. }) => {
                    names.extend(people.iter().map(|p| (p.user_id.clone(), p.name.clone())));
                }
                _ => {}
            }
            match (recipient, anchor.conversation.as_deref()) {
                (
                    Some(Recipient::Channel {
                        team_id,
                        channel_id,
                        ..
                    }),
                    _,
                ) => {
                    threads.push((anchor, team_id, channel_id));
                }
                (Some(_), Some(chat)) => chats.entry(chat).or_default().push(anchor),
                _ => {}
            }
        }
        let mut answers = Vec::new();
        for (chat_id, anchors) in &chats {
            let messages = self
                .core
                .auth()
                .as_user(|graph| async move { graph.recent_chat_messages(chat_id).await })
                .await;
            match messages {
                Ok(messages) => {
                    report.read += 1;
                    answers.extend(chat_answers(anchors, &messages, me, &names));
                }
                Err(error) => log::warn!("answers in chat {chat_id} could not be read: {error}"),
            }
        }
        for (anchor, team_id, channel_id) in &threads {
            if !can_read_threads {
                report.unreadable_threads += 1;
                continue;
            }
            let root = anchor.message_id.as_str();
            let thread = self
                .core
                .auth()
                .as_user(
                    |graph| async move { graph.channel_thread(team_id, channel_id, root).await },
                )
                .await;
            match thread {
                Ok(thread) => {
                    report.read += 1;
                    answers.extend(thread_answers(anchor, &thread, me, &names));
                }
                Err(error) => log::warn!("answers in a channel thread could not be read: {error}"),
            }
        }
        report.new = self.core.store.record_answers(&answers)? as u32;
        if report.new > 0 {
            log::info!("{} new answer(s) to findings' messages", report.new);
        }
        Ok(report)
    }
}
