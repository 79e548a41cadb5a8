//! The dispatcher: sends due deliveries one by one, paced, and settles the ones a crash left
//! in the middle of a send.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::followup::{self, Followed};
use super::send::explain;
use super::{Anchor, DIGEST_PREFIX, DeliveryAction, DeliveryStatus, Outbox, Recipient, action_for};
use crate::auth::{AuthError, ConnectionState};
use crate::bot::{BotError, BotState, Identity};
use crate::error::{AppError, ErrorCode};
use crate::graph::GraphError;
use crate::http::HttpError;
use crate::secrets::SecretError;
use crate::store::DeliveryRow;
use crate::{Error, Result};

/// Attempts in all before a delivery that keeps meeting transient failures is given up.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a `sending` mark holds; the file lock already keeps other processes out.
const SENDING_LEASE: chrono::Duration = chrono::Duration::minutes(5);
// Pacing from Microsoft's documented limits (<https://learn.microsoft.com/graph/throttling-limits>
// and <https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit>), so the outbox goes
// as fast as allowed without being throttled; `Retry-After` still wins when Microsoft says so.
/// One message post per second per person in a chat or channel.
const PER_THREAD_GAP: chrono::Duration = chrono::Duration::milliseconds(1000);
/// 20 chat message posts per second per app and tenant.
const CHAT_POSTS_GAP: chrono::Duration = chrono::Duration::milliseconds(50);
/// 50 channel message posts per second per app and tenant.
const CHANNEL_POSTS_GAP: chrono::Duration = chrono::Duration::milliseconds(20);
/// At most 4 requests a second on any one team.
const PER_TEAM_GAP: chrono::Duration = chrono::Duration::milliseconds(250);
/// The Bot Connector allows a bot 7 sends a second into one conversation but only 60 per 30 s
/// and 1,800 an hour: one every 2 s keeps within all three, however long a run lasts.
const BOT_THREAD_GAP: chrono::Duration = chrono::Duration::milliseconds(2000);
/// 50 requests a second per bot and tenant.
const BOT_TENANT_GAP: chrono::Duration = chrono::Duration::milliseconds(20);
/// Due deliveries looked at together, at most a few per place, so a busy place does not hold up
/// the others.
const LOOKAHEAD: i64 = 500;
const PER_PLACE: i64 = 2;
/// After waiting this long for a place, the due deliveries are read again.
const REFETCH_AFTER: Duration = Duration::from_millis(900);

/// What one dispatcher pass did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DispatchReport {
    pub sent: u32,
    pub retrying: u32,
    pub failed: u32,
    pub unconfirmed: u32,
    /// Sending stopped until Microsoft Teams is reconnected; the reason.
    pub paused: Option<AppError>,
    /// Another window or `ox-teams-cli` is sending from this data folder just now.
    pub busy: bool,
    /// When the next waiting delivery is due.
    #[ts(type = "string | null")]
    pub next_due: Option<DateTime<Utc>>,
    /// New answers (reactions, replies) read back from Teams in this pass.
    pub answers: u32,
}

impl DispatchReport {
    pub fn changed(&self) -> bool {
        self.sent + self.retrying + self.failed + self.unconfirmed + self.answers > 0
            || self.paused.is_some()
    }
}

enum Disposition {
    Retry(Option<Duration>),
    Fail,
    /// The identity's connection is gone: hold its deliveries until it is reconnected.
    Pause,
    /// The keychain cannot be read just now: hold the identity's deliveries, say why, and try
    /// again on the next pass (no attempt is spent, nothing goes to the fallback recipients).
    Hold,
    Unconfirmed,
}

impl Outbox<'_> {
    /// Sends what is due, up to `limit` deliveries, and returns what happened. Only one
    /// dispatcher runs per data folder (a lock file shared with `ox-teams-cli`); the others
    /// return at once with `busy`.
    pub async fn dispatch(self, limit: usize) -> Result<DispatchReport> {
        let mut report = DispatchReport::default();
        let Some(_lease) = self.core.lease(&self.core.outbox_state.gate, "outbox.lock") else {
            report.busy = true;
            return Ok(report);
        };
        self.settle_interrupted(&mut report)?;
        let user_problem = self.identity_problem(Identity::User)?;
        let bot_problem = self.identity_problem(Identity::Bot)?;
        for (identity, problem) in [
            (Identity::User, &user_problem),
            (Identity::Bot, &bot_problem),
        ] {
            match problem {
                None => {
                    self.core
                        .store
                        .resume_paused(identity, self.core.clock.now())?;
                }
                Some(error) => {
                    if self.pause(identity, error)? > 0 {
                        report.paused.get_or_insert_with(|| error.clone());
                    }
                }
            }
        }
        if let (Some(error), Some(_)) = (&user_problem, &bot_problem) {
            report.paused.get_or_insert_with(|| error.clone());
            report.next_due = self.core.store.next_due()?;
            return Ok(report);
        }
        let mut last_post: HashMap<String, DateTime<Utc>> = HashMap::new();
        let mut handled = 0;
        'passes: while handled < limit {
            let mut due =
                self.core
                    .store
                    .due_deliveries(self.core.clock.now(), PER_PLACE, LOOKAHEAD)?;
            if due.is_empty() {
                break;
            }
            loop {
                if handled >= limit {
                    break 'passes;
                }
                let Some(row) = self.take_ready(&mut last_post, &mut due) else {
                    if due.is_empty() {
                        continue 'passes;
                    }
                    // Every place left is waiting: wait for the soonest. After a longer wait,
                    // look again (a person's send may have been queued meanwhile).
                    if self.wait_for_soonest(&last_post, &due).await >= REFETCH_AFTER {
                        continue 'passes;
                    }
                    continue;
                };
                handled += 1;
                match self.deliver(&row).await? {
                    DeliveryStatus::Sent => report.sent += 1,
                    DeliveryStatus::Retrying => report.retrying += 1,
                    DeliveryStatus::Unconfirmed => report.unconfirmed += 1,
                    DeliveryStatus::Paused => {
                        report.paused = self.core.store.delivery(&row.id)?.and_then(|d| d.problem);
                        break 'passes;
                    }
                    _ => report.failed += 1,
                }
            }
        }
        report.next_due = self.core.store.next_due()?;
        Ok(report)
    }

    /// Why an identity cannot send just now (`None` when it can).
    fn identity_problem(&self, identity: Identity) -> Result<Option<AppError>> {
        Ok(match identity {
            Identity::User => match self.core.auth().state()? {
                ConnectionState::Connected { .. } => None,
                ConnectionState::ReconnectNeeded { code, reason, .. } => Some(AppError {
                    code,
                    message: format!("Reconnect needed: {reason}"),
                }),
                ConnectionState::NotConnected => Some(Error::from(AuthError::NotConnected).into()),
            },
            Identity::Bot => match self.core.bot().state()? {
                BotState::Connected { .. } => None,
                BotState::ReconnectNeeded { code, reason, .. } => Some(AppError {
                    code,
                    message: format!("Reconnect needed: {reason}"),
                }),
                BotState::NotConnected => Some(Error::from(BotError::NotConnected).into()),
            },
        })
    }

    /// Holds one identity's waiting deliveries until it is connected again.
    fn pause(&self, identity: Identity, error: &AppError) -> Result<usize> {
        let paused = self
            .core
            .store
            .pause_pending(identity, error, self.core.clock.now())?;
        if paused > 0 {
            log::warn!(
                "{paused} deliveries wait for the {} connection to be renewed",
                identity.as_str()
            );
        }
        Ok(paused)
    }

    /// The limits a delivery's post counts against: its place, and its team, lane or tenant.
    fn limits(row: &DeliveryRow) -> Vec<(String, chrono::Duration)> {
        let identity = row.sender.identity;
        let mut limits = vec![(
            format!("{}:{}", identity.as_str(), row.recipient_key),
            PER_THREAD_GAP,
        )];
        match (identity, &row.recipient) {
            (Identity::Bot, _) => {
                limits[0].1 = BOT_THREAD_GAP;
                limits.push(("bot".into(), BOT_TENANT_GAP));
            }
            (Identity::User, Recipient::Channel { team_id, .. }) => {
                limits.push(("channel-posts".into(), CHANNEL_POSTS_GAP));
                limits.push((format!("team:{team_id}"), PER_TEAM_GAP));
            }
            (Identity::User, _) => limits.push(("chat-posts".into(), CHAT_POSTS_GAP)),
        }
        limits
    }

    /// When a delivery may go without any chat, channel, team or tenant getting posts faster
    /// than Microsoft allows the sender.
    fn ready_at(
        last_post: &HashMap<String, DateTime<Utc>>,
        row: &DeliveryRow,
        now: DateTime<Utc>,
    ) -> DateTime<Utc> {
        Self::limits(row)
            .iter()
            .filter_map(|(key, gap)| last_post.get(key).map(|at| *at + *gap))
            .fold(now, DateTime::max)
    }

    /// Takes the first delivery (in priority order) that may go now, so one busy place does
    /// not hold up the others (deliveries to the same place keep their order). `None` when
    /// none may go yet.
    fn take_ready(
        &self,
        last_post: &mut HashMap<String, DateTime<Utc>>,
        batch: &mut Vec<DeliveryRow>,
    ) -> Option<DeliveryRow> {
        let now = self.core.clock.now();
        let pick = batch
            .iter()
            .position(|row| Self::ready_at(last_post, row, now) <= now)?;
        let row = batch.remove(pick);
        for (key, _) in Self::limits(&row) {
            last_post.insert(key, now);
        }
        Some(row)
    }

    /// Waits until the soonest of these deliveries may go; returns how long that was.
    async fn wait_for_soonest(
        &self,
        last_post: &HashMap<String, DateTime<Utc>>,
        batch: &[DeliveryRow],
    ) -> Duration {
        let now = self.core.clock.now();
        let wait = batch
            .iter()
            .map(|row| Self::ready_at(last_post, row, now))
            .min()
            .and_then(|soonest| (soonest - now).to_std().ok())
            .unwrap_or_default();
        if !wait.is_zero() {
            self.core.clock.sleep(wait).await;
        }
        wait
    }

    /// Deliveries marked `sending` by a process that is gone (we hold the lock, so nobody else
    /// is sending). A chat can be asked whether the message arrived: the delivery goes back to
    /// the queue, and its next attempt looks for it before posting. A channel cannot be read
    /// with the app's permissions, so the person decides.
    fn settle_interrupted(&self, report: &mut DispatchReport) -> Result<()> {
        let now = self.core.clock.now();
        for row in self.core.store.interrupted_deliveries()? {
            let by_bot = row.sender.identity == Identity::Bot;
            let repeatable = row.action.is_some_and(DeliveryAction::is_repeatable);
            // The bot cannot read conversations back, nor can the person's channel permissions;
            // an edit in place can simply be made again.
            if !repeatable && (by_bot || matches!(row.recipient, Recipient::Channel { .. })) {
                let place = if by_bot {
                    "Look in Teams"
                } else {
                    "Look in the channel"
                };
                let message = format!(
                    "The app stopped while posting this to {}, so it cannot tell whether Microsoft \
                     Teams received it. {place}, and resend it only if it is missing.",
                    row.label
                );
                let problem = AppError {
                    code: ErrorCode::SendInterrupted,
                    message,
                };
                self.core.store.update_delivery(
                    &row.id,
                    DeliveryStatus::Unconfirmed,
                    row.attempts,
                    now,
                    Some(&problem),
                    now,
                )?;
                report.unconfirmed += 1;
                log::warn!("delivery {} was interrupted and is unconfirmed", row.id);
            } else {
                self.core.store.update_delivery(
                    &row.id,
                    DeliveryStatus::Retrying,
                    row.attempts,
                    now,
                    None,
                    now,
                )?;
                log::info!(
                    "delivery {} was interrupted; checking the chat before resending",
                    row.id
                );
            }
        }
        Ok(())
    }

    /// One attempt at one delivery; returns the status it ends in.
    async fn deliver(&self, row: &DeliveryRow) -> Result<DeliveryStatus> {
        let now = self.core.clock.now();
        let attempts = row.attempts + 1;
        // Committed before the request leaves: a crash from here on is found by the next start.
        self.core.store.update_delivery(
            &row.id,
            DeliveryStatus::Sending,
            attempts,
            now + SENDING_LEASE,
            None,
            now,
        )?;
        let recipient = &row.recipient;
        let (outcome, action) = self.attempt(row).await?;
        let now = self.core.clock.now();
        match outcome {
            Ok(posted) => {
                // A new message about a finding is its anchor there, unless one lives already.
                let anchor = (action == DeliveryAction::Posted
                    && !row.issue_id.starts_with(DIGEST_PREFIX))
                .then(|| -> Result<Anchor> {
                    Ok(Anchor {
                        issue_id: row.issue_id.clone(),
                        recipient_key: row.recipient_key.clone(),
                        identity: row.sender.identity,
                        delivery_id: row.id.clone(),
                        conversation: self.core.store.delivery(&row.id)?.and_then(|d| d.target),
                        message_id: posted.id.clone(),
                        web_url: posted.web_url.clone(),
                        created_at: now,
                        gone_at: None,
                    })
                })
                .transpose()?;
                self.core.store.mark_delivered(
                    &row.id,
                    &posted.id,
                    posted.web_url.as_deref(),
                    attempts,
                    now,
                    anchor.as_ref(),
                )?;
                log::info!(
                    "delivery {} sent to {} ({})",
                    row.id,
                    row.recipient_key,
                    action.label()
                );
                Ok(DeliveryStatus::Sent)
            }
            Err(Error::Store(e)) => Err(e.into()),
            Err(error) => {
                let problem = explain(recipient, &error);
                let code = problem.code;
                let by_bot = row.sender.identity == Identity::Bot;
                // A lost answer is retried when the next attempt can check (a chat is read
                // back first) or repeat (an edit in place) without posting twice.
                let checkable = action.is_repeatable()
                    || (!by_bot && !matches!(recipient, Recipient::Channel { .. }));
                match disposition(&error, checkable) {
                    Disposition::Retry(wait) if attempts < MAX_ATTEMPTS => {
                        let wait = wait.unwrap_or_else(|| self.outbox_backoff(attempts));
                        let next = now + chrono::Duration::from_std(wait).unwrap_or_default();
                        self.core.store.update_delivery(
                            &row.id,
                            DeliveryStatus::Retrying,
                            attempts,
                            next,
                            Some(&problem),
                            now,
                        )?;
                        log::info!("delivery {} will be retried: {}", row.id, problem.message);
                        Ok(DeliveryStatus::Retrying)
                    }
                    Disposition::Retry(_) => {
                        let message = format!(
                            "Gave up after {attempts} attempts. The last answer: {}",
                            problem.message
                        );
                        let message = self.with_fallback(row, &problem.message, message)?;
                        self.finish(row, DeliveryStatus::Failed, attempts, code, message)?;
                        Ok(DeliveryStatus::Failed)
                    }
                    hold @ (Disposition::Pause | Disposition::Hold) => {
                        let problem = AppError {
                            code: problem.code,
                            message: match hold {
                                Disposition::Pause => {
                                    format!("Reconnect needed: {}", problem.message)
                                }
                                _ => problem.message,
                            },
                        };
                        self.finish(
                            row,
                            DeliveryStatus::Paused,
                            attempts - 1,
                            code,
                            problem.message.clone(),
                        )?;
                        self.pause(row.sender.identity, &problem)?;
                        Ok(DeliveryStatus::Paused)
                    }
                    Disposition::Unconfirmed => {
                        let place = if by_bot {
                            "Look in Teams"
                        } else {
                            "Look in the channel"
                        };
                        let message = format!(
                            "Microsoft Teams' answer was lost or could not be read, so the app \
                             cannot tell whether the post to {} arrived. {place}, and resend it \
                             only if it is missing.",
                            row.label
                        );
                        self.finish(row, DeliveryStatus::Unconfirmed, attempts, code, message)?;
                        Ok(DeliveryStatus::Unconfirmed)
                    }
                    Disposition::Fail => {
                        let message =
                            self.with_fallback(row, &problem.message, problem.message.clone())?;
                        self.finish(row, DeliveryStatus::Failed, attempts, code, message)?;
                        log::warn!("delivery {} failed: {}", row.id, problem.message);
                        Ok(DeliveryStatus::Failed)
                    }
                }
            }
        }
    }

    /// One attempt: follow the finding's anchor in this place when the message should and one
    /// lives, else post anew. The choice is committed before the request leaves. Returns the
    /// outcome and what was done.
    async fn attempt(
        &self,
        row: &DeliveryRow,
    ) -> Result<(Result<crate::graph::PostedMessage>, DeliveryAction)> {
        let identity = row.sender.identity;
        let anchor = self
            .core
            .store
            .anchor(&row.issue_id, &row.recipient_key, identity)?;
        let cloud = self.core.settings()?.cloud;
        let action = action_for(row.follow, identity, &row.recipient, anchor.as_ref(), cloud);
        let card = match followup::cards(row) {
            Ok((card, _)) => card,
            Err(e) => return Ok((Err(e), action)),
        };
        if let (false, Some(anchor)) = (action == DeliveryAction::Posted, &anchor) {
            self.core
                .store
                .set_delivery_action(&row.id, action, Some(&anchor.message_id))?;
            match self
                .follow_anchor(row, &row.recipient, action, anchor)
                .await
            {
                Ok(Followed::Done(posted)) => return Ok((Ok(posted), action)),
                Err(e) => return Ok((Err(e), action)),
                Ok(Followed::Gone) => {
                    log::info!(
                        "the anchor of {} in {} is gone; posting a new message",
                        row.issue_id,
                        row.recipient_key
                    );
                    self.core
                        .store
                        .mark_anchor_gone(anchor, self.core.clock.now())?;
                }
            }
        }
        self.core
            .store
            .set_delivery_action(&row.id, DeliveryAction::Posted, None)?;
        let outcome = self.post(row, &row.recipient, &card).await;
        Ok((outcome, DeliveryAction::Posted))
    }

    /// A workflow's message that failed for good goes to its fallback recipients; the reason
    /// says so.
    fn with_fallback(&self, row: &DeliveryRow, reason: &str, message: String) -> Result<String> {
        let fallback = self.core.workflows().fall_back(row, reason)?;
        Ok(if fallback.is_empty() {
            message
        } else {
            format!(
                "{message} Sent to the fallback recipients instead: {}.",
                fallback.join(", ")
            )
        })
    }

    fn finish(
        &self,
        row: &DeliveryRow,
        status: DeliveryStatus,
        attempts: i64,
        code: ErrorCode,
        message: String,
    ) -> Result<()> {
        let now = self.core.clock.now();
        Ok(self.core.store.update_delivery(
            &row.id,
            status,
            attempts,
            now,
            Some(&AppError { code, message }),
            now,
        )?)
    }

    /// 30 s, 1 min, 2 min … up to 30 min, with jitter so many deliveries spread out.
    fn outbox_backoff(&self, attempts: i64) -> Duration {
        let base = Duration::from_secs(30).saturating_mul(1 << (attempts - 1).clamp(0, 6));
        base.min(Duration::from_secs(1800))
            .mul_f64(0.75 + 0.5 * self.core.entropy.unit())
    }
}

fn disposition(error: &Error, checkable: bool) -> Disposition {
    let transient = |e: &HttpError| match e {
        HttpError::Throttled { retry_after, .. } => Some(Disposition::Retry(Some(*retry_after))),
        // An untrusted certificate is retried too: the trust store may be fixed meanwhile.
        HttpError::Network { .. } | HttpError::Unavailable { .. } | HttpError::Untrusted { .. } => {
            Some(Disposition::Retry(None))
        }
        // The post may have arrived: a chat is read back before the next attempt posts again;
        // a channel or a bot conversation cannot be, so the person looks.
        HttpError::Unanswered { .. } if checkable => Some(Disposition::Retry(None)),
        HttpError::Unanswered { .. } => Some(Disposition::Unconfirmed),
        HttpError::Client(_) => None,
    };
    match error {
        Error::Auth(e) if e.needs_reconnect() || matches!(e, AuthError::NotConnected) => {
            Disposition::Pause
        }
        Error::Bot(e) if e.needs_reconnect() => Disposition::Pause,
        Error::Bot(BotError::Http(e)) => transient(e).unwrap_or(Disposition::Fail),
        Error::Bot(BotError::Connector { status, code, .. })
            if *status >= 500 || matches!(*status, 412 | 429) || code == "ConversationNotFound" =>
        {
            Disposition::Retry(None)
        }
        // The bot cannot read a conversation back to see whether a post arrived.
        Error::Bot(BotError::Decode(_)) if checkable => Disposition::Retry(None),
        Error::Bot(BotError::Decode(_)) => Disposition::Unconfirmed,
        Error::Secret(SecretError::Locked { .. } | SecretError::Unavailable { .. }) => {
            Disposition::Hold
        }
        Error::Auth(_) | Error::Secret(_) => Disposition::Retry(None),
        Error::Http(e) | Error::Graph(GraphError::Http(e)) => {
            transient(e).unwrap_or(Disposition::Fail)
        }
        // Refused even with a renewed token: most likely a moment of Entra replication.
        Error::Graph(GraphError::Unauthorized { .. }) => Disposition::Retry(None),
        Error::Graph(GraphError::Failed { status, .. }) if *status >= 500 || *status == 429 => {
            Disposition::Retry(None)
        }
        // A success whose answer could not be read: a chat can be checked on the next attempt.
        Error::Graph(GraphError::Decode(_)) if checkable => Disposition::Retry(None),
        Error::Graph(GraphError::Decode(_)) => Disposition::Unconfirmed,
        _ => Disposition::Fail,
    }
}
