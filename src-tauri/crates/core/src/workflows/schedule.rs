//! When a periodic workflow sends its digest: every N hours, or daily or weekly at a time of
//! day in the person's time zone (an IANA name such as `Europe/Paris`), so a digest "at 09:00"
//! stays at 09:00 across daylight-saving changes.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub(crate) fn chrono(self) -> chrono::Weekday {
        match self {
            Weekday::Monday => chrono::Weekday::Mon,
            Weekday::Tuesday => chrono::Weekday::Tue,
            Weekday::Wednesday => chrono::Weekday::Wed,
            Weekday::Thursday => chrono::Weekday::Thu,
            Weekday::Friday => chrono::Weekday::Fri,
            Weekday::Saturday => chrono::Weekday::Sat,
            Weekday::Sunday => chrono::Weekday::Sun,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Every {
    /// Every `hours` hours (1 to 168).
    Hours { hours: u32 },
    /// Every day at `at` (`HH:MM`).
    Day { at: String },
    /// Every week on `day` at `at`.
    Week { day: Weekday, at: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Schedule {
    pub every: Every,
    /// An IANA time zone such as `Europe/Paris`.
    pub time_zone: String,
}

pub(crate) fn time_of_day(at: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(at.trim(), "%H:%M")
        .map_err(|_| format!("“{at}” is not a time of day: write it as HH:MM, such as 09:00."))
}

impl Schedule {
    pub fn check(&self) -> Result<(), String> {
        self.time_zone.parse::<Tz>().map_err(|_| {
            format!(
                "“{}” is not a time zone: use a name such as Europe/Paris or America/New_York.",
                self.time_zone
            )
        })?;
        match &self.every {
            Every::Hours { hours } if !(1..=168).contains(hours) => {
                Err("Every how many hours: from 1 to 168.".into())
            }
            Every::Hours { .. } => Ok(()),
            Every::Day { at } | Every::Week { at, .. } => time_of_day(at).map(|_| ()),
        }
    }

    /// The first time strictly after `after` when the digest is due.
    pub fn next_after(&self, after: DateTime<Utc>) -> DateTime<Utc> {
        let zone: Tz = self.time_zone.parse().unwrap_or(Tz::UTC);
        let (at, weekday) = match &self.every {
            Every::Hours { hours } => return after + Duration::hours(i64::from(*hours)),
            Every::Day { at } => (at, None),
            Every::Week { day, at } => (at, Some(day.chrono())),
        };
        let at = time_of_day(at).unwrap_or(NaiveTime::MIN);
        let local_today = after.with_timezone(&zone).date_naive();
        (0..=8)
            .map(|days| local_today + Duration::days(days))
            .filter(|date| weekday.is_none_or(|w| date.weekday() == w))
            .filter_map(|date| {
                // A time skipped by a daylight-saving jump is taken an hour later.
                let local = date.and_time(at);
                zone.from_local_datetime(&local).earliest().or_else(|| {
                    zone.from_local_datetime(&(local + Duration::hours(1)))
                        .earliest()
                })
            })
            .map(|t| t.with_timezone(&Utc))
            .find(|t| *t > after)
            .unwrap_or(after + Duration::days(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn a_daily_digest_keeps_its_local_time_across_daylight_saving() {
        let schedule = Schedule {
            every: Every::Day { at: "09:00".into() },
            time_zone: "Europe/Paris".into(),
        };
        // Winter: 09:00 in Paris is 08:00 UTC.
        assert_eq!(
            schedule.next_after(utc("2026-01-10T07:00:00Z")),
            utc("2026-01-10T08:00:00Z")
        );
        assert_eq!(
            schedule.next_after(utc("2026-01-10T08:00:00Z")),
            utc("2026-01-11T08:00:00Z")
        );
        // Summer: 07:00 UTC.
        assert_eq!(
            schedule.next_after(utc("2026-07-10T10:00:00Z")),
            utc("2026-07-11T07:00:00Z")
        );
    }

    #[test]
    fn weekly_and_hourly_digests() {
        let weekly = Schedule {
            every: Every::Week {
                day: Weekday::Monday,
                at: "08:30".into(),
            },
            time_zone: "America/New_York".into(),
        };
        // Saturday 28 Nov 2026 → Monday 30 Nov, 08:30 EST = 13:30 UTC.
        assert_eq!(
            weekly.next_after(utc("2026-11-28T12:00:00Z")),
            utc("2026-11-30T13:30:00Z")
        );
        let hourly = Schedule {
            every: Every::Hours { hours: 6 },
            time_zone: "UTC".into(),
        };
        assert_eq!(
            hourly.next_after(utc("2026-11-28T12:00:00Z")),
            utc("2026-11-28T18:00:00Z")
        );
    }

    #[test]
    fn nonsense_is_refused_with_what_to_write() {
        let bad = Schedule {
            every: Every::Day { at: "9am".into() },
            time_zone: "Europe/Paris".into(),
        };
        assert!(bad.check().unwrap_err().contains("HH:MM"));
        let zone = Schedule {
            every: Every::Hours { hours: 2 },
            time_zone: "Mars/Olympus".into(),
        };
        assert!(zone.check().unwrap_err().contains("time zone"));
    }
}
