//! Microsoft's documented rate limits, as sliding windows: a request is refused with 429 and
//! `Retry-After` when any window of its keys is full.
//! Sources: learn.microsoft.com/graph/throttling-limits (Teams service limits, identity and
//! directory resource units) and learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// `count` units per `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub window: Duration,
    pub units: u32,
}

pub const fn per_second(units: u32) -> Limit {
    Limit {
        window: Duration::from_secs(1),
        units,
    }
}

pub const fn per(seconds: u64, units: u32) -> Limit {
    Limit {
        window: Duration::from_secs(seconds),
        units,
    }
}

/// POST a channel message: 50 per second per app per tenant.
pub const CHANNEL_POST_TENANT: &[Limit] = &[per_second(50)];
/// POST a chat message: 20 per second per app per tenant.
pub const CHAT_POST_TENANT: &[Limit] = &[per_second(20)];
/// One message POST per second per user in a given chat or channel.
pub const POST_PER_THREAD: &[Limit] = &[per_second(1)];
/// GET joinedTeams and other Teams GETs: 30 per second per app per tenant.
pub const TEAMS_GET: &[Limit] = &[per_second(30)];
/// GET channels: 60 per second per app per tenant.
pub const CHANNELS_GET: &[Limit] = &[per_second(60)];
/// Any single team: 4 requests per second per app.
pub const PER_TEAM: &[Limit] = &[per_second(4)];
/// Other Teams calls (POST /chats, ...): 30 per second per app per tenant.
pub const TEAMS_OTHER: &[Limit] = &[per_second(30)];
/// Bot Framework: 50 requests per second per app per tenant.
pub const BOT_TENANT: &[Limit] = &[per_second(50)];
/// Bot Framework, per bot per thread: send or create conversation.
pub const BOT_PER_THREAD: &[Limit] = &[per_second(7), per(2, 8), per(30, 60), per(3600, 1800)];

/// Identity and directory calls spend resource units from a bucket per app and tenant that
/// refills over 10 seconds; its size depends on the tenant's size.
pub fn directory_units(tenant_users: usize) -> [Limit; 1] {
    let units = match tenant_users {
        0..50 => 3_500,
        50..=500 => 5_000,
        _ => 8_000,
    };
    [per(10, units)]
}

#[derive(Default)]
pub struct Throttle {
    spent: HashMap<String, VecDeque<(Instant, u32)>>,
    enabled: bool,
}

impl Throttle {
    pub fn new(enabled: bool) -> Self {
        Throttle {
            spent: HashMap::new(),
            enabled,
        }
    }

    pub fn set_enabled(&mut self, enabled: bool) {
        self.enabled = enabled;
        self.spent.clear();
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Spends `cost` units under every `(key, limits)` pair, or spends nothing and says how
    /// long to wait.
    pub fn spend(
        &mut self,
        now: Instant,
        cost: u32,
        keys: &[(String, &[Limit])],
    ) -> Result<(), Duration> {
        if !self.enabled {
            return Ok(());
        }
        let mut wait = Duration::ZERO;
        for (key, limits) in keys {
            let longest = limits.iter().map(|l| l.window).max().unwrap_or_default();
            let log = self.spent.entry(key.clone()).or_default();
            while log
                .front()
                .is_some_and(|(at, _)| now.duration_since(*at) >= longest)
            {
                log.pop_front();
            }
            for limit in *limits {
                let mut used: u32 = 0;
                let mut oldest_needed = None;
                // Walk newest to oldest to find when enough units leave the window.
                for (at, units) in log.iter().rev() {
                    if now.duration_since(*at) >= limit.window {
                        break;
                    }
                    used += units;
                    if used + cost > limit.units && oldest_needed.is_none() {
                        oldest_needed = Some(*at);
                    }
                }
                if used + cost > limit.units {
                    let at = oldest_needed.unwrap_or(now);
                    let free_at = at + limit.window;
                    wait = wait.max(free_at.saturating_duration_since(now));
                }
            }
        }
        if wait > Duration::ZERO {
            return Err(wait);
        }
        for (key, _) in keys {
            self.spent
                .entry(key.clone())
                .or_default()
                .push_back((now, cost));
        }
        Ok(())
    }
}

/// `Retry-After` in whole seconds, never zero.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_post_per_second_per_thread() {
        let mut throttle = Throttle::new(true);
        let start = Instant::now();
        let key = vec![("chat:a:user".to_string(), POST_PER_THREAD)];
        assert!(throttle.spend(start, 1, &key).is_ok());
        let wait = throttle
            .spend(start + Duration::from_millis(300), 1, &key)
            .unwrap_err();
        assert_eq!(wait, Duration::from_millis(700));
        assert_eq!(retry_after_seconds(wait), 1);
        assert!(
            throttle
                .spend(start + Duration::from_millis(1000), 1, &key)
                .is_ok()
        );
        // Another thread is not affected.
        assert!(
            throttle
                .spend(start, 1, &[("chat:b:user".into(), POST_PER_THREAD)])
                .is_ok()
        );
    }

    #[test]
    fn bot_thread_limits_apply_over_every_window() {
        let mut throttle = Throttle::new(true);
        let start = Instant::now();
        let key = vec![("bot:thread".to_string(), BOT_PER_THREAD)];
        for n in 0..7 {
            assert!(
                throttle
                    .spend(start + Duration::from_millis(n), 1, &key)
                    .is_ok(),
                "{n}"
            );
        }
        assert!(
            throttle
                .spend(start + Duration::from_millis(10), 1, &key)
                .is_err()
        );
        // Second second: only one more fits in the 2 s window (8).
        assert!(
            throttle
                .spend(start + Duration::from_millis(1010), 1, &key)
                .is_ok()
        );
        assert!(
            throttle
                .spend(start + Duration::from_millis(1020), 1, &key)
                .is_err()
        );
    }

    #[test]
    fn refused_requests_spend_nothing_and_disabled_spends_nothing() {
        let mut throttle = Throttle::new(true);
        let now = Instant::now();
        let units = directory_units(30);
        let key = vec![("dir".to_string(), &units[..])];
        assert!(throttle.spend(now, 3_000, &key).is_ok());
        assert!(throttle.spend(now, 600, &key).is_err());
        assert!(throttle.spend(now, 500, &key).is_ok());
        throttle.set_enabled(false);
        assert!(throttle.spend(now, 1_000_000, &key).is_ok());
    }
}
