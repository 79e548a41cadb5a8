//! Sending messages about issues. Nothing is sent except through the durable outbox in SQLite:
//! a send first queues one message with a delivery per recipient, then a dispatcher works
//! through the deliveries. Each delivery is marked `sending` (committed) before its request
//! leaves and `sent` after Microsoft answers, so a crash in between is found on the next start
//! and settled without losing the message or sending it twice.

mod answers;
mod conversation;
mod dispatch;
mod enqueue;
mod follow;
mod followup;
mod held;
mod post;
mod run;
mod send;
mod supervise;

pub use answers::{Answer, AnswerKind, AnswersReport, CHANNEL_READ_SCOPE};
pub use conversation::{Conversation, ConversationStep};
pub use dispatch::{DispatchReport, MAX_ATTEMPTS};
pub use enqueue::{Card, NewMessage, QUEUE_BATCH, card_budget};
pub use follow::{Anchor, DeliveryAction, Follow, Purpose, action_for, edits_chat_messages};
pub use held::HeldMessages;
pub use run::Settled;
pub use supervise::restart_on_panic;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Core;
use crate::bot::Identity;
use crate::error::{AppError, ErrorCode};
use crate::store::DeliveryRow;

/// The outbox: the only way a message is queued ([`Outbox::enqueue`]) and sent
/// ([`Outbox::run`] in the app, [`Outbox::drain`] and [`Outbox::send_until_settled`] in the
/// CLI). It is a view of the core; its state lives in [`OutboxState`].
#[derive(Clone, Copy)]
pub struct Outbox<'a> {
    pub(crate) core: &'a Core,
}

/// What the outbox keeps between calls.
#[derive(Default)]
pub(crate) struct OutboxState {
    /// One dispatcher at a time in this process (a lock file keeps other processes out).
    gate: tokio::sync::Mutex<()>,
    /// Wakes [`Outbox::run`] when something was queued or a connection came back.
    wake: tokio::sync::Notify,
}

/// Who a message comes from: the identity that sends it and the name recipients see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub identity: Identity,
    pub name: String,
}

/// Why a message was queued: a person's send, or a workflow (which sends each revision of an
/// issue to a recipient once, and goes after manual sends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Origin {
    Manual,
    Workflow { workflow_id: String },
}

impl Origin {
    /// Manual sends go ahead of workflow traffic.
    pub(crate) fn priority(&self) -> i64 {
        match self {
            Origin::Manual => 0,
            Origin::Workflow { .. } => 10,
        }
    }
}

/// Where a message goes. It reaches the window (and JSON files) with its [`Recipient::key`]
/// and [`Recipient::label`] beside its fields, so nothing outside the core derives them;
/// they are ignored when a recipient is read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", into = "shown::Shown")]
pub enum Recipient {
    /// A new post in a team's channel.
    Channel {
        team_id: String,
        channel_id: String,
        team_name: String,
        channel_name: String,
    },
    /// A person, through the one-on-one chat with them (started if there is none).
    Person {
        user_id: String,
        name: String,
        mail: String,
    },
    /// An existing chat.
    Chat { chat_id: String, title: String },
    /// A new group chat with these people and the sender.
    GroupChat {
        people: Vec<GroupMember>,
        topic: Option<String>,
    },
}

mod shown;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GroupMember {
    pub user_id: String,
    pub name: String,
}

impl Recipient {
    /// Two recipients with the same key are the same place; a message goes there once.
    pub fn key(&self) -> String {
        match self {
            Recipient::Channel {
                team_id,
                channel_id,
                ..
            } => format!("channel:{team_id}/{channel_id}"),
            Recipient::Person { user_id, .. } => format!("person:{user_id}"),
            Recipient::Chat { chat_id, .. } => format!("chat:{chat_id}"),
            Recipient::GroupChat { people, .. } => {
                let mut ids: Vec<&str> = people.iter().map(|p| p.user_id.as_str()).collect();
                ids.sort_unstable();
                format!("group:{}", ids.join(","))
            }
        }
    }

    /// How people read it: "Security › Alerts", "Megan Bowen", "Group chat: A, B".
    pub fn label(&self) -> String {
        match self {
            Recipient::Channel {
                team_name,
                channel_name,
                ..
            } => format!("{team_name} › {channel_name}"),
            Recipient::Person { name, mail, .. } if name.is_empty() => mail.clone(),
            Recipient::Person { name, .. } => name.clone(),
            Recipient::Chat { title, .. } => format!("Chat: {title}"),
            Recipient::GroupChat { people, topic } => match topic.as_deref() {
                Some(topic) if !topic.trim().is_empty() => format!("Group chat “{topic}”"),
                _ => format!(
                    "Group chat: {}",
                    people
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
        }
    }

    /// Several people become one group chat (the Send dialog's "one group chat" choice).
    pub fn group_of(people: Vec<Recipient>, topic: Option<String>) -> Recipient {
        Recipient::GroupChat {
            people: people
                .into_iter()
                .filter_map(|p| match p {
                    Recipient::Person {
                        user_id,
                        name,
                        mail,
                    } => Some(GroupMember {
                        name: if name.is_empty() { mail } else { name },
                        user_id,
                    }),
                    _ => None,
                })
                .collect(),
            topic,
        }
    }
}

/// A delivery's state. `queued` → `sending` → `sent`, with `retrying` in between when
/// Microsoft asks to wait, and `failed` when it refuses for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeliveryStatus {
    Queued,
    Sending,
    Retrying,
    Sent,
    Failed,
    /// The connection needs to be renewed; sending resumes after reconnecting.
    Paused,
    /// The app stopped in the middle of sending to a channel and cannot tell whether Teams
    /// received it; a person decides whether to resend.
    Unconfirmed,
    /// Queued by the account connected before; since another person connected, it waits for
    /// a person to send it as the new account or discard it.
    Held,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Retrying => "retrying",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Paused => "paused",
            DeliveryStatus::Unconfirmed => "unconfirmed",
            DeliveryStatus::Held => "held",
        }
    }

    /// Nothing more happens to it unless a person resends it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            DeliveryStatus::Sent | DeliveryStatus::Failed | DeliveryStatus::Unconfirmed
        )
    }
}

/// One recipient's copy of a message, as the Send dialog and the Activity page show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Delivery {
    pub id: String,
    pub message_id: String,
    pub issue_id: String,
    pub issue_title: String,
    pub recipient: Recipient,
    pub label: String,
    pub status: DeliveryStatus,
    #[ts(type = "number")]
    pub attempts: i64,
    /// When the next attempt is due (for `queued` and `retrying`).
    #[ts(type = "string")]
    pub next_attempt_at: DateTime<Utc>,
    /// Where people open the message in Teams, once sent.
    pub web_url: Option<String>,
    /// Why it failed, is waiting or paused.
    pub problem: Option<AppError>,
    pub comment: String,
    pub origin: Origin,
    /// Who sent it: the signed-in person or the bot.
    pub identity: crate::bot::Identity,
    /// The sender's name as recipients see it.
    pub sender: String,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    #[ts(type = "string")]
    pub updated_at: DateTime<Utc>,
    #[ts(type = "string | null")]
    pub sent_at: Option<DateTime<Utc>>,
    /// What it did in Teams: a new message, a reply in the finding's thread, the card updated.
    pub action: Option<DeliveryAction>,
    /// The same in words ("Replied in the thread").
    pub action_label: Option<String>,
    /// Why it went there, when that is not obvious ("Owner of src/pay.go (@acme/payments).").
    pub note: Option<String>,
    /// Who it @mentions there, as Teams shows them.
    pub mentions: Vec<String>,
}

impl From<DeliveryRow> for Delivery {
    fn from(row: DeliveryRow) -> Delivery {
        let mentions = row.placed_mentions().into_iter().map(|p| p.text).collect();
        Delivery {
            note: row.note,
            mentions,
            id: row.id,
            message_id: row.message_id,
            issue_id: row.issue_id,
            issue_title: row.issue_title,
            recipient: row.recipient,
            label: row.label,
            status: row.status,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at,
            web_url: row.web_url,
            problem: row.problem,
            comment: row.comment,
            origin: row.origin,
            identity: row.sender.identity,
            sender: row.sender.name,
            created_at: row.created_at,
            updated_at: row.updated_at,
            sent_at: row.sent_at,
            action: row.action,
            action_label: row.action.map(|a| a.label().to_string()),
        }
    }
}

/// What the Send dialog (or `ox-teams-cli send`) asks for.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[ts(export)]
pub struct SendRequest {
    pub issue_id: String,
    pub recipients: Vec<Recipient>,
    #[serde(default)]
    pub comment: String,
    /// Who sends: the signed-in person, or the organisation's bot.
    #[serde(default)]
    pub identity: crate::bot::Identity,
    /// The chosen people (two or more) get one group chat instead of a chat each.
    #[serde(default)]
    pub as_group: bool,
    /// The owners of the finding's file: messaged, @mentioned, or both.
    #[serde(default)]
    pub owners: crate::owners::OwnerRouting,
    /// People (or the channel, or its team) to @mention in channel posts and group chats.
    #[serde(default)]
    pub mentions: Vec<crate::mentions::Mention>,
}

impl SendRequest {
    /// The request as it is sent: with [`SendRequest::as_group`], the people (two or more)
    /// become one group chat with the sender.
    pub fn as_sent(&self) -> SendRequest {
        let people = self
            .recipients
            .iter()
            .filter(|r| matches!(r, Recipient::Person { .. }))
            .count();
        if !self.as_group || people < 2 {
            return SendRequest {
                as_group: false,
                ..self.clone()
            };
        }
        let (people, mut recipients): (Vec<Recipient>, Vec<Recipient>) = self
            .recipients
            .iter()
            .cloned()
            .partition(|r| matches!(r, Recipient::Person { .. }));
        recipients.push(Recipient::group_of(people, None));
        SendRequest {
            recipients,
            as_group: false,
            ..self.clone()
        }
    }
}

/// One recipient in the pre-send check.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RecipientCheck {
    pub label: String,
    pub key: String,
    /// `None` when the recipient can be reached.
    pub problem: Option<AppError>,
    /// How the message follows the finding's earlier one there ("It replies in the thread of
    /// the message of 1 Dec 10:02."); `None` for a new message.
    pub follows: Option<String>,
    /// Why it goes there ("Owner of src/pay.go (@acme/payments).").
    pub note: Option<String>,
    /// Who the message @mentions there, as Teams shows them.
    pub mentions: Vec<String>,
    /// Mentions that will not notify (not a member) or do not apply there.
    pub mention_warnings: Vec<String>,
}

/// The pre-send check: the exact card, what was trimmed, and whether each recipient can be
/// reached.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SendPreview {
    pub composition: crate::compose::Composition,
    pub recipients: Vec<RecipientCheck>,
    /// Sentences that stop the send (nothing chosen, duplicates, too many).
    pub blocking: Vec<String>,
    /// The owners of the finding's file, when the send uses them.
    pub owners: Option<crate::owners::FindingOwners>,
}

/// What a send queued.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Queued {
    pub message_id: String,
    pub deliveries: Vec<Delivery>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboxError {
    #[error("Choose at least one channel, person or chat to send the message to.")]
    NoRecipients,
    #[error("A message can go to at most {limit} recipients at once; {count} were chosen.")]
    TooManyRecipients { count: usize, limit: usize },
    #[error("A group chat needs at least two people besides you.")]
    GroupTooSmall,
    #[error("There is no delivery {id} in the outbox.")]
    UnknownDelivery { id: String },
    #[error("Only a failed or unconfirmed delivery can be sent again; this one is {status}.")]
    NotResendable { status: String },
    #[error("{0}")]
    UnknownRecipient(String),
    #[error("This message has not been sent yet, so it has no address in Teams.")]
    NoAddressYet,
    #[error(
        "Teams gave this message an address the app does not open ({host}): only Microsoft Teams' own addresses are opened."
    )]
    NotATeamsAddress { host: String },
    #[error(
        "The bot can message people and channels only; it cannot post in {label}. Send this one \
         as yourself, or choose the people or the channel instead."
    )]
    NotForTheBot { label: String },
}

impl OutboxError {
    pub fn code(&self) -> ErrorCode {
        match self {
            OutboxError::NoRecipients
            | OutboxError::TooManyRecipients { .. }
            | OutboxError::GroupTooSmall
            | OutboxError::NotResendable { .. }
            | OutboxError::NotForTheBot { .. } => ErrorCode::InvalidRequest,
            OutboxError::UnknownDelivery { .. }
            | OutboxError::UnknownRecipient(_)
            | OutboxError::NoAddressYet => ErrorCode::NotFound,
            OutboxError::NotATeamsAddress { .. } => ErrorCode::InvalidLink,
        }
    }
}

/// A digest's messages are about `digest:<slot>`, not one finding: they never anchor.
pub const DIGEST_PREFIX: &str = "digest:";

/// At most this many recipients per message from the Send dialog.
pub const MAX_RECIPIENTS: usize = 50;
