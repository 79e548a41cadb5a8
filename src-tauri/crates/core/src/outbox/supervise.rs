//! Keeps a long-running task (the app's dispatcher) alive: a panic inside it is logged and the
//! task starts again after a pause, so sending never stops silently until the app restarts.

use std::future::Future;
use std::time::Duration;

use crate::clock::Clock;

/// Runs `start()` until it returns. Each time the task it starts panics, the panic is logged
/// and a new task starts after `pause` (measured on `clock`). Returns how often it restarted.
pub async fn restart_on_panic<F, Fut>(
    name: &str,
    clock: &dyn Clock,
    pause: Duration,
    mut start: F,
) -> u32
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut restarts = 0;
    loop {
        match tokio::spawn(start()).await {
            Ok(()) => return restarts,
            Err(error) if error.is_panic() => {
                let payload = error.into_panic();
                let reason = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "no message".into());
                log::error!("{name} stopped with a panic ({reason}); starting it again");
                restarts += 1;
                clock.sleep(pause).await;
            }
            Err(error) => {
                log::warn!("{name} was cancelled: {error}");
                return restarts;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_panicking_task_is_started_again_until_it_finishes() {
        let runs = Arc::new(AtomicU32::new(0));
        let clock = ManualClock::new(chrono::Utc::now());
        let counter = runs.clone();
        let restarts = restart_on_panic("the outbox", &clock, Duration::from_secs(5), || {
            let run = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if run < 2 {
                    panic!("a bug in pass {run}");
                }
            }
        })
        .await;
        assert_eq!(restarts, 2);
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        assert_eq!(clock.sleeps(), vec![Duration::from_secs(5); 2]);
    }
}
