//! One attempt's request: where a delivery goes (a channel, a person's one-on-one chat, a chat,
//! a group chat, or the bot's conversation) and how, without posting twice what may already
//! have arrived.

use super::{Outbox, Recipient};
use crate::auth::AuthError;
use crate::bot::connector::{BotIdentity, ConnectorError, card_activity};
use crate::bot::{BotError, Identity};
use crate::compose::{graph_message, with_marker};
use crate::graph::PostedMessage;
use crate::http::HttpError;
use crate::mentions::with_bot_mentions;
use crate::store::DeliveryRow;
use crate::{Error, Result};

impl Outbox<'_> {
    /// Posts `card` as a new message (a new thread in a channel).
    pub(super) async fn post(
        &self,
        row: &DeliveryRow,
        recipient: &Recipient,
        card: &serde_json::Value,
    ) -> Result<PostedMessage> {
        if row.sender.identity == Identity::Bot {
            return self.post_as_bot(row, recipient, card).await;
        }
        let message = graph_message(&with_marker(card, &row.id), &row.id, &row.placed_mentions());
        let message = &message;
        if let Recipient::Channel {
            team_id,
            channel_id,
            ..
        } = recipient
        {
            return self
                .core
                .auth()
                .as_user(|graph| async move {
                    graph.post_to_channel(team_id, channel_id, message).await
                })
                .await;
        }
        let chat_id = match (&row.target, recipient) {
            (Some(target), _) => target.clone(),
            (None, Recipient::Chat { chat_id, .. }) => {
                // Kept like the others: a later message about the finding edits this chat's card.
                self.core.store.set_delivery_target(&row.id, chat_id)?;
                chat_id.clone()
            }
            (None, Recipient::Person { user_id, .. }) => {
                let me = self.my_user_id()?;
                let (me, user_id) = (&me, user_id);
                let chat = self
                    .core
                    .auth()
                    .as_user(|graph| async move { graph.one_on_one_chat(me, user_id).await })
                    .await?;
                self.core.store.set_delivery_target(&row.id, &chat.id)?;
                chat.id
            }
            (None, Recipient::GroupChat { people, topic }) => {
                let mut members = vec![self.my_user_id()?];
                members.extend(people.iter().map(|p| p.user_id.clone()));
                let (members, topic) = (&members, topic.as_deref());
                // Creating a group chat twice makes two chats: when an earlier attempt may have
                // created it without hearing back, look for it first.
                let earlier = match row.attempts {
                    0 => None,
                    _ => self.find_group_chat(members, topic).await?,
                };
                let chat_id = match earlier {
                    Some(chat_id) => chat_id,
                    None => {
                        self.core
                            .auth()
                            .as_user(|graph| async move { graph.group_chat(members, topic).await })
                            .await?
                            .id
                    }
                };
                self.core.store.set_delivery_target(&row.id, &chat_id)?;
                chat_id
            }
            (None, Recipient::Channel { .. }) => unreachable!("handled above"),
        };
        let chat_id = &chat_id;
        // A previous attempt may have reached Teams without the app hearing back: look first.
        if row.attempts > 0
            && let Some(found) = self.find_in_chat(chat_id, &row.id).await?
        {
            log::info!(
                "delivery {} had arrived before; not posting it again",
                row.id
            );
            return Ok(found);
        }
        self.core
            .auth()
            .as_user(|graph| async move { graph.post_to_chat(chat_id, message).await })
            .await
    }

    /// Posts as the bot: a person through the bot's one-on-one conversation with them (started
    /// once and reused), a channel as a new thread.
    async fn post_as_bot(
        &self,
        row: &DeliveryRow,
        recipient: &Recipient,
        card: &serde_json::Value,
    ) -> Result<PostedMessage> {
        let card = with_bot_mentions(&with_marker(card, &row.id), &row.placed_mentions());
        let activity = &card_activity(&card, &row.summary);
        let record = self.core.bot().record()?.ok_or(BotError::NotConnected)?;
        let bot = &BotIdentity {
            app_id: &record.app_id,
            name: &record.app_name,
            tenant_id: &record.tenant_id,
        };
        match recipient {
            Recipient::Channel {
                team_id,
                channel_id,
                ..
            } => {
                let (conversation, root) = self
                    .core
                    .bot()
                    .with_connector(|c| async move {
                        c.channel_thread(bot, team_id, channel_id, activity).await
                    })
                    .await?
                    .map_err(|e| bot_failure(recipient, e))?;
                // The thread is the conversation later updates and replies go to.
                self.core
                    .store
                    .set_delivery_target(&row.id, &conversation)?;
                Ok(PostedMessage {
                    id: root.unwrap_or(conversation),
                    web_url: None,
                })
            }
            Recipient::Person { user_id, .. } => {
                let cached = match &row.target {
                    Some(target) => Some(target.clone()),
                    None => self.core.store.bot_conversation(&row.recipient_key)?,
                };
                let conversation = match cached {
                    Some(conversation) => conversation,
                    None => {
                        let created = self
                            .core
                            .bot()
                            .with_connector(|c| async move {
                                c.personal_conversation(bot, user_id).await
                            })
                            .await?
                            .map_err(|e| bot_failure(recipient, repeatable(e)))?;
                        self.core.store.save_bot_conversation(
                            &row.recipient_key,
                            &created,
                            self.core.clock.now(),
                        )?;
                        created
                    }
                };
                self.core
                    .store
                    .set_delivery_target(&row.id, &conversation)?;
                let conversation = &conversation;
                let sent = self
                    .core
                    .bot()
                    .with_connector(|c| async move { c.send(conversation, activity).await })
                    .await?;
                match sent {
                    Ok(id) => Ok(PostedMessage {
                        id: id.unwrap_or_else(|| conversation.clone()),
                        web_url: None,
                    }),
                    Err(ConnectorError::Refused { status: 404, .. }) => {
                        // The person removed the chat: start a new one on the next attempt.
                        self.core
                            .store
                            .forget_bot_conversations(Some(&row.recipient_key))?;
                        self.core.store.clear_delivery_target(&row.id)?;
                        Err(BotError::Connector {
                            status: 404,
                            code: "ConversationNotFound".into(),
                            message: "the conversation with the bot was removed; a new one is \
                                      started on the next attempt."
                                .into(),
                        }
                        .into())
                    }
                    Err(e) => Err(bot_failure(recipient, e)),
                }
            }
            Recipient::Chat { .. } | Recipient::GroupChat { .. } => {
                Err(BotError::UnsupportedRecipient {
                    label: recipient.label(),
                }
                .into())
            }
        }
    }

    pub(super) fn my_user_id(&self) -> Result<String> {
        Ok(self
            .core
            .store
            .load_connection()?
            .ok_or(AuthError::NotConnected)?
            .user_id)
    }

    /// The group chat with exactly these members and this topic, if the person is in one.
    async fn find_group_chat(
        &self,
        members: &[String],
        topic: Option<&str>,
    ) -> Result<Option<String>> {
        let chats = self
            .core
            .auth()
            .as_user(|graph| async move { graph.my_chats(500).await })
            .await?;
        let wanted: std::collections::BTreeSet<&str> = members.iter().map(String::as_str).collect();
        Ok(chats
            .into_iter()
            .find(|chat| {
                chat.chat_type == "group"
                    && chat.topic.as_deref().filter(|t| !t.is_empty()) == topic
                    && chat
                        .members
                        .iter()
                        .filter_map(|m| m.user_id.as_deref())
                        .collect::<std::collections::BTreeSet<_>>()
                        == wanted
            })
            .map(|chat| chat.id))
    }

    /// The message carrying this delivery's marker among the chat's latest, if any.
    async fn find_in_chat(&self, chat_id: &str, marker: &str) -> Result<Option<PostedMessage>> {
        let messages = self
            .core
            .auth()
            .as_user(|graph| async move { graph.recent_chat_messages(chat_id).await })
            .await?;
        Ok(messages
            .into_iter()
            .find(|m| m.to_string().contains(marker))
            .and_then(|m| serde_json::from_value(m).ok()))
    }
}

/// Teams answers a repeated request for a person's conversation with the same conversation,
/// so a lost answer there is only a network failure, retried like one.
pub(super) fn repeatable(error: ConnectorError) -> ConnectorError {
    match error {
        ConnectorError::Http(HttpError::Unanswered { host, detail }) => {
            ConnectorError::Http(HttpError::Network { host, detail })
        }
        other => other,
    }
}

/// What the Bot Connector's refusal means for this recipient.
pub(super) fn bot_failure(recipient: &Recipient, error: ConnectorError) -> Error {
    let (status, code, message) = match error {
        ConnectorError::Http(e) => return BotError::Http(e).into(),
        ConnectorError::Decode(detail) => return BotError::Decode(detail).into(),
        ConnectorError::Unauthorized { message } => {
            return BotError::ConnectorUnauthorized { message }.into();
        }
        ConnectorError::Refused {
            status,
            code,
            message,
        } => (status, code, message),
    };
    let label = recipient.label();
    let failure = match (recipient, status, code.as_str()) {
        (_, 413, _) | (_, _, "MessageSizeTooBig") => BotError::TooLarge { label },
        (Recipient::Person { .. }, 403, "MessageWritesBlocked") => {
            BotError::Blocked { name: label }
        }
        (Recipient::Person { .. }, 403, _) => BotError::NotInstalledForPerson { name: label },
        (Recipient::Person { .. }, 404, "NotFound") => BotError::PersonGone { name: label },
        (Recipient::Channel { team_name, .. }, 403, _) => BotError::NotInstalledInTeam {
            team: team_name.clone(),
        },
        (
            Recipient::Channel {
                team_name,
                channel_name,
                ..
            },
            404,
            _,
        ) => BotError::ChannelGone {
            team: team_name.clone(),
            channel: channel_name.clone(),
        },
        _ => BotError::Connector {
            status,
            code,
            message,
        },
    };
    failure.into()
}
