//! Sign-ins and bot consents waiting for the browser. Each attempt has its own id and ends or
//! is cancelled on its own: starting the person's sign-in while the bot's consent waits leaves
//! the consent waiting. An `ox-teams://auth/…` answer goes only to a sign-in that asked for the
//! custom scheme; any other time nobody takes it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;
use tokio::sync::oneshot;
use ts_rs::TS;

/// Which browser round trip: the person's sign-in or the administrator's consent for the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SignInKind {
    Identity,
    Bot,
}

/// One attempt as its command sees it.
pub struct Attempt {
    pub id: u64,
    /// Resolves when the attempt is cancelled (or replaced by a newer one of its kind).
    pub cancelled: oneshot::Receiver<()>,
    /// The `ox-teams://auth/callback` link, for a sign-in that asked for the custom scheme.
    pub answer: Option<oneshot::Receiver<String>>,
}

struct Waiting {
    id: u64,
    kind: SignInKind,
    cancel: oneshot::Sender<()>,
    answer: Option<oneshot::Sender<String>>,
}

/// The attempts in progress in this process.
#[derive(Default)]
pub struct SignIns {
    next_id: AtomicU64,
    waiting: Mutex<Vec<Waiting>>,
}

impl SignIns {
    /// Starts an attempt. An older attempt of the same kind is cancelled (the person asked
    /// again, say after closing the browser tab); one of the other kind goes on waiting.
    pub fn begin(&self, kind: SignInKind, custom_scheme: bool) -> Attempt {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let (cancel, cancelled) = oneshot::channel();
        let (answer, answered) = if custom_scheme && kind == SignInKind::Identity {
            let (sender, receiver) = oneshot::channel();
            (Some(sender), Some(receiver))
        } else {
            (None, None)
        };
        let mut waiting = self.lock();
        if let Some(index) = waiting.iter().position(|w| w.kind == kind) {
            let _ = waiting.remove(index).cancel.send(());
        }
        waiting.push(Waiting {
            id,
            kind,
            cancel,
            answer,
        });
        Attempt {
            id,
            cancelled,
            answer: answered,
        }
    }

    /// Forgets a finished attempt; a newer attempt is left alone.
    pub fn end(&self, id: u64) {
        self.lock().retain(|w| w.id != id);
    }

    /// Cancels the attempt of that kind, if one waits.
    pub fn cancel(&self, kind: SignInKind) -> bool {
        let mut waiting = self.lock();
        match waiting.iter().position(|w| w.kind == kind) {
            Some(index) => waiting.remove(index).cancel.send(()).is_ok(),
            None => false,
        }
    }

    /// Hands an `ox-teams://auth/callback` link to the sign-in waiting for one; false when
    /// none does (the link is then refused, never used).
    pub fn deliver(&self, link: &str) -> bool {
        self.lock()
            .iter_mut()
            .find_map(|w| w.answer.take())
            .is_some_and(|answer| answer.send(link.to_string()).is_ok())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Waiting>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::oneshot::error::TryRecvError;

    #[test]
    fn starting_the_sign_in_leaves_the_bot_consent_waiting() {
        let sign_ins = SignIns::default();
        let mut bot = sign_ins.begin(SignInKind::Bot, false);
        let mut person = sign_ins.begin(SignInKind::Identity, false);
        assert_ne!(bot.id, person.id);
        assert_eq!(bot.cancelled.try_recv(), Err(TryRecvError::Empty));
        // The bot's attempt ending does not end the person's.
        sign_ins.end(bot.id);
        assert_eq!(person.cancelled.try_recv(), Err(TryRecvError::Empty));
        assert!(sign_ins.cancel(SignInKind::Identity));
        assert_eq!(person.cancelled.try_recv(), Ok(()));
        assert!(
            !sign_ins.cancel(SignInKind::Bot),
            "the bot's attempt had ended"
        );
    }

    #[test]
    fn asking_again_replaces_only_the_older_attempt_of_that_kind() {
        let sign_ins = SignIns::default();
        let mut first = sign_ins.begin(SignInKind::Identity, false);
        let mut second = sign_ins.begin(SignInKind::Identity, false);
        assert_eq!(first.cancelled.try_recv(), Ok(()));
        // The first attempt's command ends after the second began: the second goes on.
        sign_ins.end(first.id);
        assert_eq!(second.cancelled.try_recv(), Err(TryRecvError::Empty));
        assert!(sign_ins.cancel(SignInKind::Identity));
    }

    #[test]
    fn a_sign_in_answer_is_taken_only_by_a_custom_scheme_sign_in_and_only_once() {
        let link = "ox-teams://auth/callback?code=c&state=s";
        let sign_ins = SignIns::default();
        assert!(!sign_ins.deliver(link), "nobody waits");
        let mut loopback = sign_ins.begin(SignInKind::Identity, false);
        let mut bot = sign_ins.begin(SignInKind::Bot, true);
        assert!(loopback.answer.is_none() && bot.answer.is_none());
        assert!(!sign_ins.deliver(link), "a loopback sign-in takes no link");
        // A stray link neither answers nor cancels the waiting attempts.
        assert_eq!(loopback.cancelled.try_recv(), Err(TryRecvError::Empty));
        assert_eq!(bot.cancelled.try_recv(), Err(TryRecvError::Empty));

        let mut custom = sign_ins.begin(SignInKind::Identity, true);
        assert!(sign_ins.deliver(link));
        assert_eq!(custom.answer.as_mut().unwrap().try_recv().unwrap(), link);
        assert!(!sign_ins.deliver(link), "a second answer is refused");
        assert_eq!(custom.cancelled.try_recv(), Err(TryRecvError::Empty));
    }
}
