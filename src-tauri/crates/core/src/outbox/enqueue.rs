//! Queueing: the one place a message and its deliveries are built, whoever asks (a person's
//! send, a workflow, a digest, a fallback), and the one place the card's size budget is chosen
//! by sender.

use std::collections::{BTreeMap, HashSet};

use super::{Follow, Origin, Outbox, Purpose, Recipient, Sender};
use crate::Result;
use crate::bot::Identity;
use crate::compose::{BOT_CARD_BUDGET, Composition, GRAPH_CARD_BUDGET};
use crate::mentions::Mention;
use crate::store::{MessageRow, NewDelivery};

/// How large a card may be for this sender: about 28 KB per Graph chat or channel post
/// (<https://learn.microsoft.com/microsoftteams/limits-specifications-teams>), about 100 KB
/// per Bot Connector message, 80 KB advised
/// (<https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages>).
pub fn card_budget(sender: Identity) -> usize {
    match sender {
        Identity::User => GRAPH_CARD_BUDGET,
        Identity::Bot => BOT_CARD_BUDGET,
    }
}

/// What a message says.
pub enum Card<'a> {
    /// Composed by the outbox within the sender's budget.
    Compose(Box<dyn FnOnce(usize) -> Composition + 'a>),
    /// Already composed for this sender: a fallback copy of a failed delivery's card.
    Composed { card: String, summary: String },
}

impl Card<'_> {
    /// The card as stored, with its summary.
    fn render(self, budget: usize) -> (String, String) {
        match self {
            Card::Compose(compose) => {
                let composition = compose(budget);
                (composition.card.to_string(), composition.summary)
            }
            Card::Composed { card, summary } => (card, summary),
        }
    }
}

/// How many messages [`Outbox::enqueue_all`] is given at a time by a workflow acting on many
/// findings: each batch is one transaction, short enough that the dispatcher records its
/// deliveries between two (issue 16: "do not hold the write lock longer than a batch").
pub const QUEUE_BATCH: usize = 200;

/// A message to queue: what it is about, what it says, who sends it, why, and to whom.
pub struct NewMessage<'a> {
    /// The issue it is about (`digest:<slot>` for a digest, so a slot is sent once).
    pub issue_id: String,
    pub issue_revision: i64,
    /// The issue's title, or the digest's summary.
    pub title: String,
    pub comment: String,
    pub card: Card<'a>,
    pub sender: Identity,
    pub origin: Origin,
    /// Each place gets it once, however often it is named.
    pub recipients: Vec<Recipient>,
    /// How it treats the finding's anchor in each place.
    pub follow: Follow,
    /// What a thread reply carries instead of the card (`None`: the card itself).
    pub reply: Option<Card<'a>>,
    pub purpose: Purpose,
    /// Whom it @mentions where mentions apply (channel posts, chats with several people).
    pub mentions: Vec<Mention>,
    /// Why a recipient gets it, by [`Recipient::key`], when that is not obvious (a fallback
    /// for an owner that could not be resolved).
    pub notes: BTreeMap<String, String>,
}

/// What [`Outbox::enqueue`] queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enqueued {
    pub message_id: String,
    /// Deliveries queued: fewer than the recipients when a workflow already sent this issue
    /// revision to some of them; none means no message was stored.
    pub deliveries: usize,
}

impl Outbox<'_> {
    /// Queues a message with one delivery per place and wakes the dispatcher.
    pub fn enqueue(&self, message: NewMessage<'_>) -> Result<Enqueued> {
        let mut queued = self.enqueue_all(vec![message])?;
        Ok(queued.remove(0))
    }

    /// Queues messages in one transaction (what [`Outbox::enqueue`] does for one), in order,
    /// and wakes the dispatcher once. A workflow acting on many findings queues them a batch
    /// at a time ([`QUEUE_BATCH`]).
    pub fn enqueue_all(&self, messages: Vec<NewMessage<'_>>) -> Result<Vec<Enqueued>> {
        let core = self.core;
        let mut senders: Vec<(Identity, String)> = Vec::new();
        let mut rows = Vec::with_capacity(messages.len());
        for message in messages {
            let budget = card_budget(message.sender);
            let (card, summary) = message.card.render(budget);
            let reply = message.reply.map(|reply| reply.render(budget));
            let mut seen = HashSet::new();
            let deliveries: Vec<NewDelivery> = message
                .recipients
                .into_iter()
                .filter(|r| seen.insert(r.key()))
                .map(|recipient| NewDelivery {
                    id: core.new_id(),
                    note: message.notes.get(&recipient.key()).cloned(),
                    recipient,
                })
                .collect();
            let name = match senders
                .iter()
                .find(|(identity, _)| *identity == message.sender)
            {
                Some((_, name)) => name.clone(),
                None => {
                    let name = self.sender_name(message.sender)?;
                    senders.push((message.sender, name.clone()));
                    name
                }
            };
            let row = MessageRow {
                id: core.new_id(),
                issue_id: message.issue_id,
                issue_revision: message.issue_revision,
                issue_title: message.title,
                comment: message.comment.trim().to_string(),
                card,
                summary,
                sender: Sender {
                    name,
                    identity: message.sender,
                },
                priority: message.origin.priority(),
                origin: message.origin,
                follow: message.follow,
                purpose: message.purpose,
                reply,
                mentions: message.mentions,
            };
            rows.push((row, deliveries));
        }
        let queued = core.store.queue_messages(&rows, core.clock.now())?;
        let enqueued: Vec<Enqueued> = rows
            .into_iter()
            .zip(queued)
            .map(|((row, _), deliveries)| {
                if deliveries > 0 {
                    log::info!(
                        "queued message {} about {} for {deliveries} recipient(s)",
                        row.id,
                        row.issue_id
                    );
                }
                Enqueued {
                    message_id: row.id,
                    deliveries,
                }
            })
            .collect();
        if enqueued.iter().any(|e| e.deliveries > 0) {
            self.wake();
        }
        Ok(enqueued)
    }

    /// The name recipients see a message come from.
    fn sender_name(&self, identity: Identity) -> Result<String> {
        Ok(match identity {
            Identity::User => self
                .core
                .store
                .load_connection()?
                .map(|c| c.user_name)
                .unwrap_or_default(),
            Identity::Bot => self
                .core
                .bot()
                .record()?
                .map_or_else(|| crate::bot::APP_NAME.to_string(), |b| b.app_name),
        })
    }
}
