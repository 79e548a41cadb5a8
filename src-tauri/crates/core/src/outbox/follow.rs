//! Living messages: the first message about a finding in a place is its anchor, and later
//! messages there follow it. This file decides how a delivery treats the anchor; `post.rs`
//! carries the decision out.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Recipient;
use crate::bot::Identity;
use crate::settings::Cloud;

/// How a message treats an anchor the finding already has in a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Follow {
    /// Always a new message (a workflow's "new message" choice, digests).
    #[default]
    New,
    /// Follow the anchor: a reply in the channel thread, the chat's card updated in place.
    Anchor,
    /// A reply in the channel thread; a chat gets a new message (a person's send: the recipient
    /// should be notified, and an edit does not notify).
    Thread,
}

/// What a workflow's message is for: a new or changed finding, or its fix. Each is sent once
/// per revision and place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    #[default]
    Revision,
    Fixed,
}

/// What a delivery did, or does, in Teams. Chosen before the request leaves, so a crash in the
/// middle is settled by what was attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeliveryAction {
    /// A new message (it becomes the anchor when there is none).
    Posted,
    /// A reply in the anchor's channel thread.
    Replied,
    /// The anchor's card updated in place.
    Updated,
    /// The bot's card updated in place, and a reply in the channel thread so members are
    /// notified.
    UpdatedReplied,
    /// A new message that links to the anchor (clouds where chat messages cannot be edited).
    Linked,
}

impl DeliveryAction {
    /// How the Activity page and the conversation say it.
    pub fn label(self) -> &'static str {
        match self {
            DeliveryAction::Posted => "Posted",
            DeliveryAction::Replied => "Replied in the thread",
            DeliveryAction::Updated => "Updated the card",
            DeliveryAction::UpdatedReplied => "Updated the card and replied",
            DeliveryAction::Linked => "Posted, linked to the first message",
        }
    }

    /// Sending it again changes nothing when the first try arrived (an edit in place); a
    /// lost answer to it is simply retried.
    pub fn is_repeatable(self) -> bool {
        self == DeliveryAction::Updated
    }
}

/// A finding's first message in one place, as the outbox recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub issue_id: String,
    pub recipient_key: String,
    pub identity: Identity,
    pub delivery_id: String,
    /// The chat or the bot's conversation; `None` for a channel post as the user.
    pub conversation: Option<String>,
    pub message_id: String,
    pub web_url: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub gone_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Whether Graph lets a chat message be edited in this cloud: the global service only
/// (<https://learn.microsoft.com/graph/api/chatmessage-update>, "National cloud deployments").
/// A custom configuration (the sandbox) behaves as the global service.
pub fn edits_chat_messages(cloud: Cloud) -> bool {
    matches!(cloud, Cloud::Global | Cloud::Custom)
}

/// How a delivery treats the finding's anchor in its place: the one place this is decided.
pub fn action_for(
    follow: Follow,
    identity: Identity,
    recipient: &Recipient,
    anchor: Option<&Anchor>,
    cloud: Cloud,
) -> DeliveryAction {
    let Some(_) = anchor.filter(|a| a.gone_at.is_none()) else {
        return DeliveryAction::Posted;
    };
    let channel = matches!(recipient, Recipient::Channel { .. });
    match (follow, identity, channel) {
        (Follow::New, _, _) => DeliveryAction::Posted,
        (_, Identity::User, true) => DeliveryAction::Replied,
        (Follow::Thread, Identity::User, false) => DeliveryAction::Posted,
        (Follow::Anchor, Identity::User, false) if edits_chat_messages(cloud) => {
            DeliveryAction::Updated
        }
        (Follow::Anchor, Identity::User, false) => DeliveryAction::Linked,
        (_, Identity::Bot, true) => DeliveryAction::UpdatedReplied,
        (Follow::Anchor, Identity::Bot, false) => DeliveryAction::Updated,
        (Follow::Thread, Identity::Bot, false) => DeliveryAction::Posted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor(gone: bool) -> Anchor {
        Anchor {
            issue_id: "i".into(),
            recipient_key: "k".into(),
            identity: Identity::User,
            delivery_id: "d".into(),
            conversation: None,
            message_id: "1".into(),
            web_url: None,
            created_at: chrono::Utc::now(),
            gone_at: gone.then(chrono::Utc::now),
        }
    }

    fn channel() -> Recipient {
        Recipient::Channel {
            team_id: "t".into(),
            channel_id: "c".into(),
            team_name: "T".into(),
            channel_name: "C".into(),
        }
    }

    fn person() -> Recipient {
        Recipient::Person {
            user_id: "u".into(),
            name: "U".into(),
            mail: String::new(),
        }
    }

    #[test]
    fn without_a_live_anchor_a_message_is_posted() {
        for a in [None, Some(anchor(true))] {
            assert_eq!(
                action_for(
                    Follow::Anchor,
                    Identity::User,
                    &channel(),
                    a.as_ref(),
                    Cloud::Global
                ),
                DeliveryAction::Posted
            );
        }
    }

    #[test]
    fn following_replies_in_channels_and_updates_chats() {
        let a = Some(anchor(false));
        let act = |follow, identity, recipient: &Recipient, cloud| {
            action_for(follow, identity, recipient, a.as_ref(), cloud)
        };
        use DeliveryAction::*;
        assert_eq!(
            act(Follow::Anchor, Identity::User, &channel(), Cloud::Global),
            Replied
        );
        assert_eq!(
            act(Follow::Anchor, Identity::User, &person(), Cloud::Global),
            Updated
        );
        // Chat messages cannot be edited outside the global service.
        assert_eq!(
            act(Follow::Anchor, Identity::User, &person(), Cloud::GccHigh),
            Linked
        );
        assert_eq!(
            act(Follow::Anchor, Identity::Bot, &channel(), Cloud::Global),
            UpdatedReplied
        );
        assert_eq!(
            act(Follow::Anchor, Identity::Bot, &person(), Cloud::Global),
            Updated
        );
        // A person's send notifies: a thread reply in a channel, a new message in a chat.
        assert_eq!(
            act(Follow::Thread, Identity::User, &channel(), Cloud::Global),
            Replied
        );
        assert_eq!(
            act(Follow::Thread, Identity::User, &person(), Cloud::Global),
            Posted
        );
        assert_eq!(
            act(Follow::New, Identity::User, &channel(), Cloud::Global),
            Posted
        );
    }
}
