//! A finding's conversations, as its detail pane shows them: per place, the first message (the
//! anchor), the replies and updates that followed it, and the answers read back.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::{Answer, Delivery, DeliveryAction, DeliveryStatus, Outbox};
use crate::Result;
use crate::bot::Identity;

/// One step in a place: a message posted, a reply in the thread, the card updated.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ConversationStep {
    pub delivery_id: String,
    /// "Posted", "Replied in the thread", "Updated the card"; "Waiting" before it is sent.
    pub what: String,
    pub action: Option<DeliveryAction>,
    pub status: DeliveryStatus,
    /// The revision of the finding it told about.
    #[ts(type = "number")]
    pub revision: i64,
    /// The finding's title, or what the reply said ("Updated: … — Severity high → critical").
    pub summary: String,
    pub web_url: Option<String>,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub problem: Option<String>,
}

/// Everything about one finding in one place, for one sender.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Conversation {
    pub place: String,
    pub recipient_key: String,
    pub identity: Identity,
    /// Where the first message opens in Teams.
    pub web_url: Option<String>,
    /// The first message no longer exists in Teams; the next one starts anew.
    pub gone: bool,
    pub steps: Vec<ConversationStep>,
    pub answers: Vec<Answer>,
}

impl Outbox<'_> {
    /// A finding's conversations, the most recently active first.
    pub fn conversations(&self, issue_id: &str) -> Result<Vec<Conversation>> {
        let store = &self.core.store;
        let anchors = store.issue_anchors(issue_id)?;
        let answers = store.issue_answers(issue_id)?;
        let mut rows = store.issue_deliveries(issue_id, 500)?;
        rows.reverse();
        let mut conversations: Vec<Conversation> = Vec::new();
        for row in rows {
            let identity = row.sender.identity;
            let position = conversations
                .iter()
                .position(|c| c.recipient_key == row.recipient_key && c.identity == identity);
            let index = match position {
                Some(index) => index,
                None => {
                    let anchor = anchors
                        .iter()
                        .find(|a| a.recipient_key == row.recipient_key && a.identity == identity);
                    conversations.push(Conversation {
                        place: row.label.clone(),
                        recipient_key: row.recipient_key.clone(),
                        identity,
                        web_url: anchor.and_then(|a| a.web_url.clone()),
                        gone: anchor.is_some_and(|a| a.gone_at.is_some()),
                        steps: Vec::new(),
                        answers: answers
                            .iter()
                            .filter(|a| a.recipient_key == row.recipient_key)
                            .cloned()
                            .collect(),
                    });
                    conversations.len() - 1
                }
            };
            let summary = match (row.action, &row.reply) {
                (
                    Some(
                        DeliveryAction::Replied
                        | DeliveryAction::UpdatedReplied
                        | DeliveryAction::Linked,
                    ),
                    Some((_, summary)),
                ) => summary.clone(),
                _ => row.summary.clone(),
            };
            let delivery = Delivery::from(row.clone());
            conversations[index].steps.push(ConversationStep {
                what: match (delivery.status, delivery.action) {
                    (DeliveryStatus::Sent, Some(action)) => action.label().to_string(),
                    (DeliveryStatus::Sent, None) => DeliveryAction::Posted.label().to_string(),
                    (status, _) => capitalised(status.as_str()),
                },
                delivery_id: delivery.id,
                action: delivery.action,
                status: delivery.status,
                revision: row.issue_revision,
                summary,
                web_url: delivery.web_url,
                at: delivery.sent_at.unwrap_or(delivery.created_at),
                problem: delivery.problem.map(|p| p.message),
            });
        }
        conversations.sort_by_key(|c| std::cmp::Reverse(c.steps.last().map(|s| s.at)));
        Ok(conversations)
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
