//! Messages held after another person connected: they were queued as the person connected
//! before, so they are not sent as someone else without being asked. Activity (and
//! `ox-teams-cli send held`) offers to send them as the account now connected, or to discard
//! them.

use serde::Serialize;
use ts_rs::TS;

use super::Outbox;
use crate::Result;
use crate::error::{AppError, ErrorCode};

/// The held messages, as Activity shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct HeldMessages {
    pub count: u32,
    /// Why they are held: who queued them and who is connected now.
    pub reason: String,
}

impl Outbox<'_> {
    /// Holds what was waiting to be sent as `before` now that `now_as` has connected.
    pub(crate) fn hold_for_new_account(&self, before: &str, now_as: &str) -> Result<usize> {
        let reason = AppError {
            code: ErrorCode::AccountChanged,
            message: format!(
                "Queued while {before} was connected; {now_as} is connected now. Send it as \
                 {now_as}, or discard it."
            ),
        };
        let held = self
            .core
            .store
            .hold_for_new_account(&reason, self.core.clock.now())?;
        if held > 0 {
            log::warn!("held {held} deliveries queued by the account connected before");
        }
        Ok(held)
    }

    /// The held messages, if there are any.
    pub fn held(&self) -> Result<Option<HeldMessages>> {
        let (count, reason) = self.core.store.held()?;
        Ok((count > 0).then(|| HeldMessages {
            count: count as u32,
            reason: reason.unwrap_or_default(),
        }))
    }

    /// Sends the held messages as the account now connected (`send`), or discards them.
    /// Returns how many.
    pub fn release_held(&self, send: bool) -> Result<u32> {
        let discarded = AppError {
            code: ErrorCode::Cancelled,
            message: "Not sent: discarded after another account connected.".into(),
        };
        let released = self
            .core
            .store
            .release_held(send, &discarded, self.core.clock.now())?;
        if send && released > 0 {
            self.wake();
        }
        log::info!(
            "{} {released} held deliveries",
            if send { "released" } else { "discarded" }
        );
        Ok(released as u32)
    }
}
