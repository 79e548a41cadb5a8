//! One attempt that follows a finding's anchor (chosen by [`super::action_for`]): a reply in the
//! channel thread, the card updated in place, or a new message linking to the anchor.

use serde_json::{Value, json};

use super::post::{bot_failure, repeatable};
use super::{Anchor, DeliveryAction, Outbox, Recipient};
use crate::bot::Identity;
use crate::bot::connector::{ConnectorError, card_activity};
use crate::compose::{graph_message, with_marker};
use crate::graph::{GraphError, PostedMessage};
use crate::mentions::with_bot_mentions;
use crate::store::DeliveryRow;
use crate::{Error, Result};

/// What following the anchor came to.
pub(super) enum Followed {
    Done(PostedMessage),
    /// Teams no longer has the anchor (deleted, or not ours to edit): post anew.
    Gone,
}

/// The card a message carries, and the one its thread reply carries (the card itself when
/// the message has no reply of its own).
pub(super) fn cards(row: &DeliveryRow) -> Result<(Value, Value)> {
    let parse = |text: &str| {
        serde_json::from_str::<Value>(text).map_err(|e| {
            Error::from(GraphError::Decode(format!(
                "the queued card is damaged: {e}"
            )))
        })
    };
    let card = parse(&row.card)?;
    let reply = match &row.reply {
        Some((reply, _)) => parse(reply)?,
        None => card.clone(),
    };
    Ok((card, reply))
}

/// The reply card with a button to the first message, for chats whose messages cannot be
/// edited.
fn linked(reply: &Value, anchor: &Anchor) -> Value {
    let mut card = reply.clone();
    if let Some(url) = &anchor.web_url
        && let Some(actions) = card
            .as_object_mut()
            .map(|c| c.entry("actions").or_insert_with(|| json!([])))
            .and_then(Value::as_array_mut)
    {
        actions.push(
            json!({ "type": "Action.OpenUrl", "title": "Open the first message", "url": url }),
        );
    }
    card
}

impl Outbox<'_> {
    pub(super) async fn follow_anchor(
        &self,
        row: &DeliveryRow,
        recipient: &Recipient,
        action: DeliveryAction,
        anchor: &Anchor,
    ) -> Result<Followed> {
        let (card, reply) = cards(row)?;
        if row.sender.identity == Identity::Bot {
            return self
                .follow_as_bot(row, recipient, action, anchor, &card, &reply)
                .await;
        }
        let graph_answer = |result: std::result::Result<PostedMessage, Error>| match result {
            Ok(posted) => Ok(Followed::Done(posted)),
            Err(Error::Graph(GraphError::NotFound { .. })) => Ok(Followed::Gone),
            Err(e) => Err(e),
        };
        match (action, recipient, anchor.conversation.as_deref()) {
            (
                DeliveryAction::Replied,
                Recipient::Channel {
                    team_id,
                    channel_id,
                    ..
                },
                _,
            ) => {
                let message = &graph_message(
                    &with_marker(&reply, &row.id),
                    &row.id,
                    &row.placed_mentions(),
                );
                let root = anchor.message_id.as_str();
                graph_answer(
                    self.core
                        .auth()
                        .as_user(|graph| async move {
                            graph
                                .reply_in_channel(team_id, channel_id, root, message)
                                .await
                        })
                        .await,
                )
            }
            (DeliveryAction::Updated, _, Some(chat_id)) => {
                // An edit does not notify anyone again: no mentions.
                let message =
                    &graph_message(&with_marker(&card, &anchor.delivery_id), &row.id, &[]);
                let message_id = anchor.message_id.as_str();
                let updated = self
                    .core
                    .auth()
                    .as_user(|graph| async move {
                        graph
                            .update_chat_message(chat_id, message_id, message)
                            .await
                    })
                    .await;
                match updated {
                    Ok(()) => Ok(Followed::Done(PostedMessage {
                        id: anchor.message_id.clone(),
                        web_url: anchor.web_url.clone(),
                    })),
                    // Only the sender may edit a message: after switching accounts, start anew.
                    Err(Error::Graph(
                        GraphError::NotFound { .. } | GraphError::Forbidden { .. },
                    )) => Ok(Followed::Gone),
                    Err(e) => Err(e),
                }
            }
            (DeliveryAction::Linked, _, Some(_)) => {
                let card = linked(&reply, anchor);
                graph_answer(self.post(row, recipient, &card).await)
            }
            _ => Ok(Followed::Gone),
        }
    }

    /// The bot updates its card in place (`PUT …/activities/{id}`) and, in a channel, replies
    /// in the thread so members are notified.
    async fn follow_as_bot(
        &self,
        row: &DeliveryRow,
        recipient: &Recipient,
        action: DeliveryAction,
        anchor: &Anchor,
        card: &Value,
        reply: &Value,
    ) -> Result<Followed> {
        let Some(conversation) = anchor.conversation.as_deref() else {
            return Ok(Followed::Gone);
        };
        let update = &card_activity(&with_marker(card, &anchor.delivery_id), &row.summary);
        let activity_id = anchor.message_id.as_str();
        let updated = self
            .core
            .bot()
            .with_connector(|c| async move { c.update(conversation, activity_id, update).await })
            .await?;
        match updated {
            Ok(()) => {}
            Err(ConnectorError::Refused {
                status: 403 | 404, ..
            }) => return Ok(Followed::Gone),
            Err(e) => return Err(bot_failure(recipient, repeatable(e))),
        }
        if action != DeliveryAction::UpdatedReplied {
            return Ok(Followed::Done(PostedMessage {
                id: anchor.message_id.clone(),
                web_url: anchor.web_url.clone(),
            }));
        }
        let summary = row.reply.as_ref().map_or(&row.summary, |r| &r.1);
        let reply = with_bot_mentions(&with_marker(reply, &row.id), &row.placed_mentions());
        let activity = &card_activity(&reply, summary);
        let sent = self
            .core
            .bot()
            .with_connector(|c| async move { c.send(conversation, activity).await })
            .await?
            .map_err(|e| bot_failure(recipient, e))?;
        Ok(Followed::Done(PostedMessage {
            id: sent.unwrap_or_else(|| anchor.message_id.clone()),
            web_url: None,
        }))
    }
}
