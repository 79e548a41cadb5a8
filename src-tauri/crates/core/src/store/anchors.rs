//! Anchors (a finding's first message in each place) and the answers read back from them.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::columns::time;
use super::{Store, StoreError};
use crate::bot::Identity;
use crate::outbox::{Anchor, Answer, AnswerKind, DeliveryAction};

const SELECT: &str =
    "SELECT issue_id, recipient_key, identity, delivery_id, conversation, message_id, web_url,
    created_at, gone_at FROM anchors";

fn anchor(r: &Row) -> rusqlite::Result<Anchor> {
    Ok(Anchor {
        issue_id: r.get(0)?,
        recipient_key: r.get(1)?,
        identity: r.get(2)?,
        delivery_id: r.get(3)?,
        conversation: r.get(4)?,
        message_id: r.get(5)?,
        web_url: r.get(6)?,
        created_at: time(r.get(7)?)?,
        gone_at: r.get::<_, Option<String>>(8)?.map(time).transpose()?,
    })
}

/// Keeps `anchor` unless the place already has a live one (inside the caller's transaction).
pub(super) fn record_anchor(
    transaction: &rusqlite::Transaction,
    anchor: &Anchor,
) -> rusqlite::Result<()> {
    transaction.execute(
        "INSERT INTO anchors (issue_id, recipient_key, identity, delivery_id, conversation, message_id, web_url, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (issue_id, recipient_key, identity) DO UPDATE SET
            delivery_id = excluded.delivery_id, conversation = excluded.conversation,
            message_id = excluded.message_id, web_url = excluded.web_url,
            created_at = excluded.created_at, gone_at = NULL
         WHERE anchors.gone_at IS NOT NULL",
        params![
            anchor.issue_id,
            anchor.recipient_key,
            anchor.identity,
            anchor.delivery_id,
            anchor.conversation,
            anchor.message_id,
            anchor.web_url,
            anchor.created_at.to_rfc3339()
        ],
    )?;
    Ok(())
}

impl Store {
    /// The finding's anchor in this place for this identity, live or gone.
    pub fn anchor(
        &self,
        issue_id: &str,
        recipient_key: &str,
        identity: Identity,
    ) -> Result<Option<Anchor>, StoreError> {
        self.connection()
            .query_row(
                &format!("{SELECT} WHERE issue_id = ?1 AND recipient_key = ?2 AND identity = ?3"),
                params![issue_id, recipient_key, identity],
                anchor,
            )
            .optional()
            .map_err(|e| self.map_error(e))
    }

    /// Every anchor of a finding, oldest first.
    pub fn issue_anchors(&self, issue_id: &str) -> Result<Vec<Anchor>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(&format!("{SELECT} WHERE issue_id = ?1 ORDER BY created_at"))
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map([issue_id], anchor)
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }

    /// The places where a finding has a live anchor for this identity.
    pub fn anchored_places(
        &self,
        issue_id: &str,
        identity: Identity,
    ) -> Result<HashSet<String>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(
                "SELECT recipient_key FROM anchors WHERE issue_id = ?1 AND identity = ?2 AND gone_at IS NULL",
            )
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map(params![issue_id, identity], |r| r.get(0))
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<HashSet<_>>>()
            .map_err(|e| self.map_error(e))
    }

    /// Live anchors sent as the person after `since`, of findings still open: the ones whose
    /// answers are read back.
    pub fn anchors_to_read(&self, since: DateTime<Utc>) -> Result<Vec<Anchor>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(&format!(
                "{SELECT} WHERE identity = 'user' AND gone_at IS NULL AND created_at >= ?1
                   AND issue_id IN (SELECT id FROM issues WHERE state = 'open')
                 ORDER BY created_at"
            ))
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map([since.to_rfc3339()], anchor)
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }

    /// Teams no longer has the anchor: the next message in that place starts anew.
    pub fn mark_anchor_gone(&self, anchor: &Anchor, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "UPDATE anchors SET gone_at = ?4 WHERE issue_id = ?1 AND recipient_key = ?2 AND identity = ?3",
                params![
                    anchor.issue_id,
                    anchor.recipient_key,
                    anchor.identity,
                    now.to_rfc3339()
                ],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }

    /// What a delivery is about to do, committed with its `sending` mark's neighbour.
    pub fn set_delivery_action(
        &self,
        id: &str,
        action: DeliveryAction,
        anchor_message_id: Option<&str>,
    ) -> Result<(), StoreError> {
        self.connection()
            .execute(
                "UPDATE deliveries SET action = ?2, anchor_message_id = ?3 WHERE id = ?1",
                params![id, action, anchor_message_id],
            )
            .map(|_| ())
            .map_err(|e| self.map_error(e))
    }

    /// Keeps answers read back (once each) and marks their findings acknowledged by the first.
    /// Returns how many were new.
    pub fn record_answers(&self, answers: &[Answer]) -> Result<usize, StoreError> {
        let mut connection = self.connection();
        let transaction = connection.transaction().map_err(|e| self.map_error(e))?;
        let mut new = 0;
        for answer in answers {
            let inserted = transaction
                .execute(
                    "INSERT OR IGNORE INTO answers (issue_id, recipient_key, answer_id, kind, person, content, at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        answer.issue_id,
                        answer.recipient_key,
                        answer.answer_id,
                        answer.kind,
                        answer.person,
                        answer.content,
                        answer.at.to_rfc3339()
                    ],
                )
                .map_err(|e| self.map_error(e))?;
            if inserted == 1 {
                new += 1;
                transaction
                    .execute(
                        "UPDATE issues SET acknowledged_at = ?2, acknowledged_by = ?3
                         WHERE id = ?1 AND (acknowledged_at IS NULL OR acknowledged_at > ?2)",
                        params![answer.issue_id, answer.at.to_rfc3339(), answer.person],
                    )
                    .map_err(|e| self.map_error(e))?;
            }
        }
        transaction.commit().map_err(|e| self.map_error(e))?;
        Ok(new)
    }

    /// A finding's answers, oldest first.
    pub fn issue_answers(&self, issue_id: &str) -> Result<Vec<Answer>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare_cached(
                "SELECT issue_id, recipient_key, answer_id, kind, person, content, at FROM answers
                 WHERE issue_id = ?1 ORDER BY at, answer_id",
            )
            .map_err(|e| self.map_error(e))?;
        statement
            .query_map([issue_id], |r| {
                Ok(Answer {
                    issue_id: r.get(0)?,
                    recipient_key: r.get(1)?,
                    answer_id: r.get(2)?,
                    kind: r.get::<_, AnswerKind>(3)?,
                    person: r.get(4)?,
                    content: r.get(5)?,
                    at: time(r.get(6)?)?,
                })
            })
            .map_err(|e| self.map_error(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.map_error(e))
    }
}
