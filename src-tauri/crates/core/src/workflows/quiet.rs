//! Quiet hours: on chosen days, from one time of day to another in a time zone, a workflow holds
//! its messages about findings below a chosen severity instead of sending them. When the quiet
//! hours end, each recipient gets one digest of what was held and is still open; findings at or
//! above the severity go out at once. Nothing is dropped: held findings stay in the database
//! (`quiet_held`) until the digest is queued.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::engine::unique;
use super::schedule::{Weekday, time_of_day};
use super::{WorkflowRun, Workflows};
use crate::Result;
use crate::issues::{IssueState, Severity};
use crate::store::QuietHeldRow;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QuietHours {
    /// The days quiet hours begin on.
    pub days: Vec<Weekday>,
    /// When they begin, `HH:MM` local time.
    pub start: String,
    /// When they end, `HH:MM`: the next day when not later than `start` (equal: 24 hours).
    pub end: String,
    /// An IANA time zone such as `Europe/Paris`.
    pub time_zone: String,
    /// Findings below this severity are held; at or above it they go out at once.
    pub hold_below: Severity,
}

impl QuietHours {
    pub fn check(&self) -> Result<(), String> {
        if self.days.is_empty() {
            return Err("Choose the days quiet hours begin on.".into());
        }
        self.zone()?;
        time_of_day(&self.start)?;
        time_of_day(&self.end)?;
        if self.hold_below == Severity::Info {
            return Err(
                "Nothing is below Info: hold findings below Low or higher, or turn quiet hours off."
                    .into(),
            );
        }
        Ok(())
    }

    fn zone(&self) -> Result<Tz, String> {
        self.time_zone.parse::<Tz>().map_err(|_| {
            format!(
                "“{}” is not a time zone: use a name such as Europe/Paris or America/New_York.",
                self.time_zone
            )
        })
    }

    /// Whether a finding of this severity waits.
    pub fn holds(&self, severity: Severity) -> bool {
        severity < self.hold_below
    }

    /// When the quiet hours that `now` falls in end (quiet hours that follow on without a gap,
    /// such as a whole Saturday then a whole Sunday, count as one); `None` outside them.
    pub fn until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let zone = self.zone().ok()?;
        let mut end = self.period_holding(&zone, now)?;
        // At most a week of periods can follow on from one another.
        for _ in 0..7 {
            match self.period_holding(&zone, end) {
                Some(next) if next > end => end = next,
                _ => break,
            }
        }
        Some(end)
    }

    /// The end of the period (begun on the day before or the same local day) holding `at`.
    fn period_holding(&self, zone: &Tz, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let start = time_of_day(&self.start).ok()?;
        let end = time_of_day(&self.end).ok()?;
        let today = at.with_timezone(zone).date_naive();
        [today - Duration::days(1), today]
            .into_iter()
            .filter(|day| self.days.iter().any(|d| d.chrono() == day.weekday()))
            .filter_map(|day| {
                let begins = local(zone, day, start)?;
                let end_day = if end > start {
                    day
                } else {
                    day + Duration::days(1)
                };
                let ends = local(zone, end_day, end)?;
                (begins <= at && at < ends).then_some(ends)
            })
            .max()
    }

    /// "08:00 Europe/Paris"; "Wed 08:00 Europe/Paris" on another day of the coming week;
    /// "Thu 10 Dec 00:00 UTC" further away.
    pub fn describe(&self, until: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let zone = self.zone().unwrap_or(Tz::UTC);
        let local_until = until.with_timezone(&zone);
        let days_away =
            (local_until.date_naive() - now.with_timezone(&zone).date_naive()).num_days();
        let format = match days_away {
            0 => "%H:%M",
            1..=6 => "%a %H:%M",
            _ => "%a %-d %b %H:%M",
        };
        format!("{} {}", local_until.format(format), self.time_zone)
    }
}

/// What a workflow holds for its quiet hours, as Activity shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct QuietHold {
    pub workflow_id: String,
    pub workflow_name: String,
    #[ts(type = "number")]
    pub findings: u64,
    /// "held until 08:00 Europe/Paris", or why it waits longer.
    pub until: String,
}

impl Workflows<'_> {
    /// What each workflow holds now.
    pub fn quiet_holds(&self) -> Result<Vec<QuietHold>> {
        let now = self.core.clock.now();
        let mut holds: Vec<QuietHold> = Vec::new();
        for row in self.core.store.quiet_waiting()? {
            if let Some(last) = holds.last_mut()
                && last.workflow_id == row.workflow_id
            {
                last.findings += 1;
                continue;
            }
            let workflow = self.get(&row.workflow_id)?;
            let definition = &workflow.definition;
            // Said from the quiet hours as they are now: they may have been edited since.
            let quiet_until = definition
                .quiet_hours
                .as_ref()
                .and_then(|quiet| quiet.until(now).map(|until| (quiet, until)));
            let until = match quiet_until {
                _ if !definition.enabled => {
                    "held until the workflow is turned on again".to_string()
                }
                Some((quiet, until)) => format!("held until {}", quiet.describe(until, now)),
                None => "held: the quiet hours are over, so they go out with the next check \
                         (within seconds while the app is open)"
                    .to_string(),
            };
            holds.push(QuietHold {
                workflow_id: row.workflow_id,
                workflow_name: definition.name.clone(),
                findings: 1,
                until,
            });
        }
        Ok(holds)
    }

    /// Workflows whose quiet hours are over (or were turned off) send what they held: one
    /// digest per recipient of the findings still open, then messages flow as usual. A turned
    /// off workflow keeps holding until it is turned on.
    pub(super) fn end_quiet_hours(&self) -> Result<Vec<WorkflowRun>> {
        let now = self.core.clock.now();
        let mut by_workflow: Vec<(String, Vec<QuietHeldRow>)> = Vec::new();
        for row in self.core.store.quiet_waiting()? {
            match by_workflow.last_mut() {
                Some((id, rows)) if *id == row.workflow_id => rows.push(row),
                _ => by_workflow.push((row.workflow_id.clone(), vec![row])),
            }
        }
        let mut runs = Vec::new();
        for (workflow_id, rows) in by_workflow {
            let workflow = self.get(&workflow_id)?;
            let definition = &workflow.definition;
            let quiet_now = definition.quiet_hours.as_ref().and_then(|q| q.until(now));
            if !definition.enabled || quiet_now.is_some() {
                continue;
            }
            let mut issues = Vec::new();
            let mut gone = 0;
            let recipients = unique(&definition.recipients);
            for row in &rows {
                let Some(issue) = self.core.store.issue(&row.issue_id)? else {
                    gone += 1;
                    continue;
                };
                // A later revision that already went out on its own is not repeated here.
                let mut sent_on_its_own = false;
                for recipient in &recipients {
                    sent_on_its_own |= self.already_sent(Some(&workflow.id), &issue, recipient)?;
                }
                // Still open, and still below the bar (one that rose went out on its own).
                let still_held = issue.state == IssueState::Open
                    && definition
                        .quiet_hours
                        .as_ref()
                        .is_none_or(|q| q.holds(issue.severity));
                if still_held && !sent_on_its_own {
                    issues.push(issue);
                } else {
                    gone += 1;
                }
            }
            issues.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
            let mut queued = 0;
            if !issues.is_empty() {
                let ended = rows.iter().map(|row| row.until).max().unwrap_or(now);
                let comment = if definition.comment.trim().is_empty() {
                    "Held during quiet hours.".to_string()
                } else {
                    format!("Held during quiet hours. {}", definition.comment)
                };
                // One digest per quiet period: a second run finds it sent.
                let key = format!("quiet:{}", ended.to_rfc3339());
                queued = self.queue_digest(&workflow, &key, &comment, &issues)?;
            }
            let ids: Vec<String> = rows.iter().map(|row| row.issue_id.clone()).collect();
            self.core.store.release_quiet(&workflow.id, &ids, now)?;
            let mut summary = if issues.is_empty() {
                "Quiet hours ended; nothing held is still open, so no digest was sent.".to_string()
            } else {
                format!(
                    "Quiet hours ended: a digest of {} held issue{} to {} recipient{}.",
                    issues.len(),
                    if issues.len() == 1 { "" } else { "s" },
                    recipients.len(),
                    if recipients.len() == 1 { "" } else { "s" },
                )
            };
            if gone > 0 {
                summary.push_str(&format!(
                    " {gone} fixed, suppressed or sent on its own meanwhile, left out."
                ));
            }
            let skipped = if issues.is_empty() {
                0
            } else {
                recipients.len() - queued
            };
            runs.push(self.record(
                &workflow,
                "quiet_hours",
                issues.len(),
                queued,
                skipped,
                summary,
            )?);
        }
        Ok(runs)
    }
}

/// A local time on a day; a time skipped by a daylight-saving jump is taken an hour later.
fn local(zone: &Tz, day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    let wanted = day.and_time(time);
    zone.from_local_datetime(&wanted)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(wanted + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn weeknights() -> QuietHours {
        QuietHours {
            days: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
            ],
            start: "22:00".into(),
            end: "08:00".into(),
            time_zone: "Europe/Paris".into(),
            hold_below: Severity::High,
        }
    }

    #[test]
    fn a_night_begins_on_its_day_and_ends_the_next_morning() {
        let quiet = weeknights();
        // Tuesday 2026-12-01, Paris is UTC+1 in winter.
        assert_eq!(quiet.until(utc("2026-12-01T20:59:00Z")), None);
        assert_eq!(
            quiet.until(utc("2026-12-01T21:00:00Z")),
            Some(utc("2026-12-02T07:00:00Z"))
        );
        assert_eq!(
            quiet.until(utc("2026-12-02T03:00:00Z")),
            Some(utc("2026-12-02T07:00:00Z"))
        );
        assert_eq!(quiet.until(utc("2026-12-02T07:00:00Z")), None);
        // Friday night runs into Saturday morning; Saturday night is not quiet.
        assert_eq!(
            quiet.until(utc("2026-12-05T06:00:00Z")),
            Some(utc("2026-12-05T07:00:00Z"))
        );
        assert_eq!(quiet.until(utc("2026-12-05T22:00:00Z")), None);
        assert_eq!(
            quiet.describe(utc("2026-12-02T07:00:00Z"), utc("2026-12-01T21:00:00Z")),
            "Wed 08:00 Europe/Paris"
        );
        assert_eq!(
            quiet.describe(utc("2026-12-02T07:00:00Z"), utc("2026-12-02T03:00:00Z")),
            "08:00 Europe/Paris"
        );
    }

    #[test]
    fn whole_days_that_follow_on_are_one_quiet_time() {
        let weekend = QuietHours {
            days: vec![Weekday::Saturday, Weekday::Sunday],
            start: "00:00".into(),
            end: "00:00".into(),
            time_zone: "UTC".into(),
            hold_below: Severity::Critical,
        };
        // Saturday noon: quiet until Monday 00:00, not Sunday 00:00.
        assert_eq!(
            weekend.until(utc("2026-12-05T12:00:00Z")),
            Some(utc("2026-12-07T00:00:00Z"))
        );
        assert_eq!(weekend.until(utc("2026-12-07T00:00:00Z")), None);

        // Every day, all day: said with its date, as it is more than a week away.
        let always = QuietHours {
            days: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
                Weekday::Saturday,
                Weekday::Sunday,
            ],
            ..weekend
        };
        let now = utc("2026-12-02T07:02:00Z");
        let until = always.until(now).unwrap();
        assert_eq!(until, utc("2026-12-10T00:00:00Z"));
        assert_eq!(always.describe(until, now), "Thu 10 Dec 00:00 UTC");
    }

    #[test]
    fn the_hours_stay_local_across_daylight_saving() {
        let quiet = weeknights();
        // Summer: Paris is UTC+2, so 22:00 is 20:00 UTC. Thursday 2026-07-02.
        assert_eq!(
            quiet.until(utc("2026-07-02T20:30:00Z")),
            Some(utc("2026-07-03T06:00:00Z"))
        );
        // The night of the spring change (Sunday 2026-03-29, 02:00 → 03:00) is not a weeknight
        // start; Monday's is, and ends at 08:00 summer time.
        assert_eq!(
            quiet.until(utc("2026-03-30T21:00:00Z")),
            Some(utc("2026-03-31T06:00:00Z"))
        );
    }

    #[test]
    fn what_cannot_work_is_said() {
        let mut quiet = weeknights();
        quiet.days.clear();
        assert!(quiet.check().unwrap_err().contains("Choose the days"));
        let mut quiet = weeknights();
        quiet.time_zone = "Mars/Olympus".into();
        assert!(quiet.check().unwrap_err().contains("is not a time zone"));
        let mut quiet = weeknights();
        quiet.end = "8h".into();
        assert!(quiet.check().unwrap_err().contains("is not a time of day"));
        let mut quiet = weeknights();
        quiet.hold_below = Severity::Info;
        assert!(quiet.check().unwrap_err().contains("Nothing is below Info"));
        assert!(weeknights().check().is_ok());
        assert!(weeknights().holds(Severity::Medium));
        assert!(!weeknights().holds(Severity::High));
    }
}
