//! Outbox rows: messages and their deliveries, read and written as types.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::columns::time;
use super::{Store, StoreError};
use crate::bot::Identity;
use crate::error::{AppError, ErrorCode};
use crate::mentions::{self, Mention, Placed};
use crate::outbox::{
    Anchor, DeliveryAction, DeliveryStatus, Follow, Origin, Purpose, Recipient, Sender,
};

/// A message as stored: what is sent, by whom, and why.
pub struct MessageRow {
    pub id: String,
    pub issue_id: String,
    pub issue_revision: i64,
    pub issue_title: String,
    pub comment: String,
    pub card: String,
    pub summary: String,
    pub sender: Sender,
    pub origin: Origin,
    pub priority: i64,
    pub follow: Follow,
    pub purpose: Purpose,
    /// The short card a thread reply carries, with its summary; `None`: the card.
    pub reply: Option<(String, String)>,
    pub mentions: Vec<Mention>,
}

/// One recipient's copy of a message, to queue.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub id: String,
    pub recipient: Recipient,
    /// Why it goes there, when that is not obvious ("Instead of @acme/payments, which has no
    /// Teams mapping.").
    pub note: Option<String>,
}

/// A delivery with what the dispatcher and the Activity page need of its message.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryRow {
    pub id: String,
    pub message_id: String,
    pub recipient: Recipient,
    pub recipient_key: String,
    pub label: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    /// The chat or conversation it goes to, once known.
    pub target: Option<String>,
    pub teams_message_id: Option<String>,
    pub web_url: Option<String>,
    pub problem: Option<AppError>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub issue_id: String,
    pub issue_revision: i64,
    pub issue_title: String,
    pub card: String,
    pub summary: String,
    pub sender: Sender,
    pub origin: Origin,
    pub comment: String,
    pub follow: Follow,
    /// The short card a thread reply carries, with its summary; `None`: the card.
    pub reply: Option<(String, String)>,
    /// What the last attempt did (or was doing) in Teams.
    pub action: Option<DeliveryAction>,
    /// The anchor it followed.
    pub anchor_message_id: Option<String>,
    pub purpose: Purpose,
    pub mentions: Vec<Mention>,
    pub note: Option<String>,
}

impl DeliveryRow {
    /// The message's @mentions as this delivery's place shows them.
    pub fn placed_mentions(&self) -> Vec<Placed> {
        mentions::placed(&self.mentions, &self.recipient, self.sender.identity)
    }
}

const SELECT: &str = "SELECT d.id, d.message_id, d.recipient, d.recipient_key, d.label, d.status, d.attempts,
    d.next_attempt_at, d.target, d.teams_message_id, d.web_url, d.error_code, d.error, d.created_at, d.updated_at,
    d.sent_at, m.issue_id, m.issue_title, m.card, m.summary, m.sender, m.origin, m.workflow_id, m.comment, m.identity, m.issue_revision,
    m.follow, m.reply_card, m.reply_summary, d.action, d.anchor_message_id, m.purpose,
    m.mentions, d.note
    FROM deliveries d JOIN messages m ON m.id = d.message_id";

fn row(r: &Row) -> rusqlite::Result<DeliveryRow> {
    let problem = match (
        r.get::<_, Option<ErrorCode>>(11)?,
        r.get::<_, Option<String>>(12)?,
    ) {
        (Some(code), Some(message)) => Some(AppError { code, message }),
        _ => None,
    };
    let origin = match (
        r.get::<_, String>(21)?.as_str(),
        r.get::<_, Option<String>>(22)?,
    ) {
        ("workflow", Some(workflow_id)) => Origin::Workflow { workflow_id },
        _ => Origin::Manual,
    };
    Ok(DeliveryRow {
        id: r.get(0)?,
        message_id: r.get(1)?,
        recipient: r.get(2)?,
        recipient_key: r.get(3)?,
        label: r.get(4)?,
        status: r.get(5)?,
        attempts: r.get(6)?,
        next_attempt_at: time(r.get(7)?)?,
        target: r.get(8)?,
        teams_message_id: r.get(9)?,
        web_url: r.get(10)?,
        problem,
        created_at: time(r.get(13)?)?,
        updated_at: time(r.get(14)?)?,
        sent_at: r.get::<_, Option<String>>(15)?.map(time).transpose()?,
        issue_id: r.get(16)?,
        issue_title: r.get(17)?,
        card: r.get(18)?,
        summary: r.get(19)?,
        sender: Sender {
            name: r.get(20)?,
            identity: r.get::<_, Identity>(24)?,
        },
        origin,
        comment: r.get(23)?,
        issue_revision: r.get(25)?,
        follow: r.get(26)?,
        reply: match (
            r.get::<_, Option<String>>(27)?,
            r.get::<_, Option<String>>(28)?,
        ) {
            (Some(card), Some(summary)) => Some((card, summary)),
            _ => None,
        },
        action: r.get(29)?,
        anchor_message_id: r.get(30)?,
        purpose: r.get(31)?,
        mentions: serde_json::from_str(&r.get::<_, String>(32)?).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(32, rusqlite::types::Type::Text, Box::new(e))
        })?,
        note: r.get(33)?,
    })
}

/// Queues one message inside the caller's transaction: its deliveries but those a workflow
/// already made for this issue revision; nothing when none is left. Returns how many.
fn queue_one(
    transaction: &rusqlite::Transaction,
    message: &MessageRow,
    deliveries: &[NewDelivery],
    now: DateTime<Utc>,
) -> rusqlite::Result<usize> {
    let mut fresh = Vec::new();
    for delivery in deliveries {
        let new = match &message.origin {
            Origin::Manual => true,
            Origin::Workflow { workflow_id } => {
                transaction
                    .prepare_cached(
                        "INSERT OR IGNORE INTO workflow_sends (workflow_id, issue_id, revision, purpose, recipient_key, delivery_id)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![
                        workflow_id,
                        message.issue_id,
                        message.issue_revision,
                        message.purpose,
                        delivery.recipient.key(),
                        delivery.id
                    ])?
                    == 1
            }
        };
        if new {
            fresh.push(delivery);
        }
    }
    if !fresh.is_empty() {
        insert_message(transaction, message, &fresh, now)?;
    }
    Ok(fresh.len())
}

/// Inserts a message with these of its deliveries (inside the caller's transaction).
fn insert_message(
    transaction: &rusqlite::Transaction,
    message: &MessageRow,
    deliveries: &[&NewDelivery],
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let (origin, workflow_id) = match &message.origin {
        Origin::Manual => ("manual", None),
        Origin::Workflow { workflow_id } => ("workflow", Some(workflow_id)),
    };
    let at = now.to_rfc3339();
    transaction.prepare_cached(
        "INSERT INTO messages (id, issue_id, issue_revision, issue_title, comment, card, summary, sender, origin,
            workflow_id, priority, created_at, identity, follow, purpose, reply_card, reply_summary, mentions)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?.execute(
        params![
            message.id,
            message.issue_id,
            message.issue_revision,
            message.issue_title,
            message.comment,
            message.card,
            message.summary,
            message.sender.name,
            origin,
            workflow_id,
            message.priority,
            at,
            message.sender.identity,
            message.follow,
            message.purpose,
            message.reply.as_ref().map(|r| &r.0),
            message.reply.as_ref().map(|r| &r.1),
            serde_json::to_string(&message.mentions).expect("mentions serialise")
        ],
    )?;
    let mut insert = transaction.prepare_cached(
        "INSERT INTO deliveries (id, message_id, recipient, recipient_key, label, status, attempts,
            next_attempt_at, created_at, updated_at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7, ?7, ?8)",
    )?;
    for delivery in deliveries {
        insert.execute(params![
            delivery.id,
            message.id,
            delivery.recipient,
            delivery.recipient.key(),
            delivery.recipient.label(),
            DeliveryStatus::Queued,
            at,
            delivery.note
        ])?;
    }
    Ok(())
}

impl Store {
    /// Queues messages and their deliveries in one transaction. A workflow's message skips
    /// the recipients that already had this issue revision from it (recorded in the same
    /// transaction). Returns, for each message, the deliveries queued; a message with none is
    /// not written. One transaction for many messages: one each made a workflow's 13,000
    /// messages take 3.8 s, each commit writing the same pages again (issue 16).
    pub fn queue_messages(
        &self,
        messages: &[(MessageRow, Vec<NewDelivery>)],
        now: DateTime<Utc>,
    ) -> Result<Vec<usize>, StoreError> {
        let mut connection = self.connection();
        let transaction = connection.transaction().map_err(|e| self.map_error(e))?;
        let queued = messages
            .iter()
            .map(|(message, deliveries)| queue_one(&transaction, message, deliveries, now))
            .collect::<rusqlite::Result<Vec<usize>>>()
            .map_err(|e| self.map_error(e))?;
        transaction.commit().map_err(|e| self.map_error(e))?;
        Ok(queued)
    }

    /// Deliveries due now, at most `per_place` for each place and sender (the next ones in
    /// its order), so one busy place cannot crowd the others out: manual messages first, then
    /// by age.
    pub fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        per_place: i64,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(&format!(
                "{SELECT} WHERE d.id IN (
                    SELECT id FROM (
                        SELECT d2.id AS id, ROW_NUMBER() OVER (
                            PARTITION BY d2.recipient_key, m2.identity
                            ORDER BY m2.priority, d2.next_attempt_at, d2.created_at, d2.rowid) AS n
                        FROM deliveries d2 JOIN messages m2 ON m2.id = d2.message_id
                        WHERE d2.status IN ('queued', 'retrying') AND d2.next_attempt_at <= ?1)
                    WHERE n <= ?3)
                 ORDER BY m.priority, d.next_attempt_at, d.created_at, d.rowid LIMIT ?2"
            ))
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map(params![now.to_rfc3339(), limit, per_place], row)
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }

    /// Deliveries left in the middle of a send by a crash.
    pub fn interrupted_deliveries(&self) -> Result<Vec<DeliveryRow>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(&format!("{SELECT} WHERE d.status = 'sending'"))
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map([], row)
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }

    /// When the next delivery waiting to be retried is due.
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.connection()
            .query_row("SELECT min(next_attempt_at) FROM deliveries WHERE status IN ('queued', 'retrying')", [], |r| {
                r.get::<_, Option<String>>(0)
            })
            .map_err(|e| self.map_error(e))
            .map(|t| t.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.to_utc()))
    }

    pub fn delivery(&self, id: &str) -> Result<Option<DeliveryRow>, StoreError> {
        self.connection()
            .query_row(&format!("{SELECT} WHERE d.id = ?1"), [id], row)
            .optional()
            .map_err(|e| self.map_error(e))
    }

    pub fn deliveries(
        &self,
        message_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let connection = self.connection();
        let (condition, value) = match message_id {
            Some(id) => ("WHERE d.message_id = ?1", id.to_string()),
            None => ("WHERE ?1 = ?1", String::new()),
        };
        let mut statement = connection
            .prepare(&format!(
                "{SELECT} {condition} ORDER BY d.created_at DESC, d.label LIMIT ?2"
            ))
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map(params![value, limit], row)
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }

    /// The deliveries of every message about one issue, newest first.
    pub fn issue_deliveries(
        &self,
        issue_id: &str,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(&format!(
                "{SELECT} WHERE m.issue_id = ?1 ORDER BY d.created_at DESC, d.rowid DESC LIMIT ?2"
            ))
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map(params![issue_id, limit], row)
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }

    /// Moves a delivery to `status` with what is known; committed before anything else happens.
    #[allow(clippy::too_many_arguments)]
    pub fn update_delivery(
        &self,
        id: &str,
        status: DeliveryStatus,
        attempts: i64,
        next_attempt_at: DateTime<Utc>,
        problem: Option<&AppError>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "UPDATE deliveries SET status = ?2, attempts = ?3, next_attempt_at = ?4, error_code = ?5, error = ?6,
                    updated_at = ?7 WHERE id = ?1",
                params![id, status, attempts, next_attempt_at.to_rfc3339(), problem.map(|p| p.code), problem.map(|p| &p.message), now.to_rfc3339()],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }

    pub fn set_delivery_target(&self, id: &str, target: &str) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "UPDATE deliveries SET target = ?2 WHERE id = ?1",
                params![id, target],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }

    pub fn clear_delivery_target(&self, id: &str) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "UPDATE deliveries SET target = NULL WHERE id = ?1",
                params![id],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }

    /// The delivery arrived. A new message about a finding becomes its anchor in that place
    /// when there is none (or the last one is gone), in the same transaction.
    pub fn mark_delivered(
        &self,
        id: &str,
        message_id: &str,
        web_url: Option<&str>,
        attempts: i64,
        now: DateTime<Utc>,
        anchor: Option<&Anchor>,
    ) -> Result<(), StoreError> {
        let mut connection = self.connection();
        let transaction = connection.transaction().map_err(|e| self.map_error(e))?;
        transaction
            .execute(
                "UPDATE deliveries SET status = 'sent', teams_message_id = ?2, web_url = ?3, attempts = ?4, error_code = NULL,
                    error = NULL, sent_at = ?5, updated_at = ?5 WHERE id = ?1",
                params![id, message_id, web_url, attempts, now.to_rfc3339()],
            )
            .map_err(|e| self.map_error(e))?;
        if let Some(anchor) = anchor {
            super::anchors::record_anchor(&transaction, anchor).map_err(|e| self.map_error(e))?;
        }
        transaction.commit().map_err(|e| self.map_error(e))
    }

    /// Holds every waiting delivery until the connection is renewed.
    pub fn pause_pending(
        &self,
        identity: Identity,
        problem: &AppError,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.connection()
            .execute(
                "UPDATE deliveries SET status = 'paused', error_code = ?1, error = ?2, updated_at = ?3
                 WHERE status IN ('queued', 'retrying')
                   AND message_id IN (SELECT id FROM messages WHERE identity = ?4)",
                params![problem.code, problem.message, now.to_rfc3339(), identity],
            )
            .map_err(|e| self.map_error(e))
    }

    /// Releases one identity's paused deliveries once its connection works again.
    pub fn resume_paused(
        &self,
        identity: Identity,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.connection()
            .execute(
                "UPDATE deliveries SET status = 'queued', error_code = NULL, error = NULL, next_attempt_at = ?1,
                    updated_at = ?1 WHERE status = 'paused'
                    AND message_id IN (SELECT id FROM messages WHERE identity = ?2)",
                params![now.to_rfc3339(), identity],
            )
            .map_err(|e| self.map_error(e))
    }

    /// Holds every delivery still to be sent as the signed-in person (queued, retrying or
    /// paused): another person has connected, and they were queued under the one before.
    pub fn hold_for_new_account(
        &self,
        reason: &AppError,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.connection()
            .execute(
                "UPDATE deliveries SET status = 'held', error_code = ?1, error = ?2, updated_at = ?3
                 WHERE status IN ('queued', 'retrying', 'paused')
                   AND message_id IN (SELECT id FROM messages WHERE identity = ?4)",
                params![reason.code, reason.message, now.to_rfc3339(), Identity::User],
            )
            .map_err(|e| self.map_error(e))
    }

    /// How many deliveries are held, and why (the newest reason).
    pub fn held(&self) -> Result<(usize, Option<String>), StoreError> {
        self.connection()
            .query_row(
                "SELECT count(*), (SELECT error FROM deliveries WHERE status = 'held'
                     ORDER BY updated_at DESC LIMIT 1)
                 FROM deliveries WHERE status = 'held'",
                [],
                |r| Ok((r.get::<_, i64>(0)? as usize, r.get(1)?)),
            )
            .map_err(|e| self.map_error(e))
    }

    /// Sends the held deliveries after all (`send`), from their first attempt, or ends them
    /// as failed with `discarded` as the reason.
    pub fn release_held(
        &self,
        send: bool,
        discarded: &AppError,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let connection = self.connection();
        let result = if send {
            connection.execute(
                "UPDATE deliveries SET status = 'queued', attempts = 0, error_code = NULL,
                    error = NULL, next_attempt_at = ?1, updated_at = ?1 WHERE status = 'held'",
                params![now.to_rfc3339()],
            )
        } else {
            connection.execute(
                "UPDATE deliveries SET status = 'failed', error_code = ?1, error = ?2,
                    updated_at = ?3 WHERE status = 'held'",
                params![discarded.code, discarded.message, now.to_rfc3339()],
            )
        };
        result.map_err(|e| self.map_error(e))
    }

    /// Queues a failed or unconfirmed delivery again, from its first attempt.
    pub fn requeue_delivery(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "UPDATE deliveries SET status = 'queued', attempts = 0, error_code = NULL, error = NULL,
                    next_attempt_at = ?2, updated_at = ?2 WHERE id = ?1",
                params![id, now.to_rfc3339()],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }
}
