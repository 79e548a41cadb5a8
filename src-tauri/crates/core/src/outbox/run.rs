//! Working the outbox through: [`Outbox::run`] while the app is open, [`Outbox::drain`] and
//! [`Outbox::send_until_settled`] for the CLI.

use std::future::Future;
use std::time::Duration;

use super::{Delivery, DeliveryStatus, DispatchReport, Outbox};
use crate::Result;

/// How long the app's dispatcher rests when nothing is due: `ox-teams-cli` may queue from
/// another process, and a look at an empty outbox is one SQLite query.
const IDLE: Duration = Duration::from_secs(5);
/// How soon to look again while another process holds the outbox.
const BUSY: Duration = Duration::from_secs(1);
/// Never spin: at least this long between passes.
const SHORTEST: Duration = Duration::from_millis(200);
/// Deliveries per pass, so a long backlog still reports progress.
const PASS: usize = 100;
/// How often the answers to findings' messages are read back while the app is open: one
/// request per chat or thread each time, far inside Graph's limits.
const READ_ANSWERS_EVERY: chrono::Duration = chrono::Duration::minutes(2);

/// What [`Outbox::send_until_settled`] ended with.
#[derive(Debug, Clone, PartialEq)]
pub struct Settled {
    pub deliveries: Vec<Delivery>,
    /// Stopped by the caller before every delivery had an outcome.
    pub stopped: bool,
}

impl Outbox<'_> {
    /// Wakes [`Outbox::run`]: something was queued, or a connection came back.
    pub fn wake(&self) {
        self.core.outbox_state.wake.notify_one();
    }

    /// The app's dispatcher: queues the digests that are due, sends what is due, and waits until
    /// the next retry is due or something is queued. `on_pass` hears every pass that changed
    /// something. It never returns; the app ends it by exiting.
    pub async fn run(self, mut on_pass: impl FnMut(&DispatchReport)) {
        let mut answers_read: Option<chrono::DateTime<chrono::Utc>> = None;
        loop {
            if let Err(error) = self.core.workflows().run_due() {
                log::error!("periodic workflows could not run: {error}");
            }
            let now = self.core.clock.now();
            let mut answers = 0;
            if answers_read.is_none_or(|at| now - at >= READ_ANSWERS_EVERY) {
                answers_read = Some(now);
                match self.read_answers().await {
                    Ok(report) => answers = report.new,
                    Err(error) => log::warn!("answers could not be read back: {error}"),
                }
            }
            let wait = match self.dispatch(PASS).await {
                Ok(mut report) => {
                    report.answers = answers;
                    if report.changed() {
                        on_pass(&report);
                    }
                    self.rest(&report).min(IDLE)
                }
                Err(error) => {
                    log::error!("the outbox could not be worked through: {error}");
                    IDLE
                }
            };
            tokio::select! {
                _ = self.core.clock.sleep(wait) => {}
                _ = self.core.outbox_state.wake.notified() => {}
            }
        }
    }

    /// Sends everything due now and returns the sum of what happened; what waits for a retry
    /// stays queued (`next_due` says when). Another process sending from this data folder
    /// (`busy`) is left to it.
    pub async fn drain(self) -> Result<DispatchReport> {
        let mut total = DispatchReport::default();
        loop {
            let report = self.dispatch(PASS * 5).await?;
            total.sent += report.sent;
            total.retrying += report.retrying;
            total.failed += report.failed;
            total.unconfirmed += report.unconfirmed;
            total.busy |= report.busy;
            total.next_due = report.next_due;
            if report.paused.is_some() {
                total.paused = report.paused;
            }
            if report.busy || report.sent + report.failed + report.unconfirmed == 0 {
                return Ok(total);
            }
        }
    }

    /// Sends until each of these deliveries is sent, failed, unconfirmed or paused, or until
    /// `stop` completes. When another process holds the outbox (the open app), this waits for
    /// its results. `on_wait` hears the deliveries each time the wait is long (two seconds or
    /// more), so a caller can say why.
    pub async fn send_until_settled(
        self,
        ids: &[String],
        stop: impl Future<Output = ()>,
        mut on_wait: impl FnMut(&[Delivery], Duration),
    ) -> Result<Settled> {
        tokio::pin!(stop);
        loop {
            let report = self.dispatch(PASS * 2).await?;
            let deliveries = ids
                .iter()
                .map(|id| self.delivery(id))
                .collect::<Result<Vec<_>>>()?;
            let settled = deliveries.iter().all(|d| {
                d.status.is_final()
                    || matches!(d.status, DeliveryStatus::Paused | DeliveryStatus::Held)
            });
            if settled {
                return Ok(Settled {
                    deliveries,
                    stopped: false,
                });
            }
            let wait = self.rest(&report);
            if wait >= Duration::from_secs(2) {
                on_wait(&deliveries, wait);
            }
            tokio::select! {
                _ = self.core.clock.sleep(wait) => {}
                _ = &mut stop => {
                    let deliveries = ids
                        .iter()
                        .map(|id| self.delivery(id))
                        .collect::<Result<Vec<_>>>()?;
                    return Ok(Settled { deliveries, stopped: true });
                }
            }
        }
    }

    /// How long to wait after a pass before the next one is worth making.
    fn rest(&self, report: &DispatchReport) -> Duration {
        match (report.busy, report.next_due) {
            (true, _) => BUSY,
            (false, Some(due)) => (due - self.core.clock.now())
                .to_std()
                .unwrap_or(SHORTEST)
                .max(SHORTEST),
            (false, None) => IDLE,
        }
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn draining_without_a_connection_sends_nothing_and_says_why() {
        let core = crate::tests::core();
        let report = core.outbox().drain().await.unwrap();
        assert_eq!((report.sent, report.failed, report.next_due), (0, 0, None));
        assert_eq!(
            report.paused.map(|p| p.code),
            Some(crate::ErrorCode::NotConnected)
        );
    }
}
