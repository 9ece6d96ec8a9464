//! Business hours: the weekdays and hours a workspace works, in its zone,
//! without its holidays — so a post that waited over a weekend is not
//! counted against its approver for the weekend.

use std::collections::BTreeSet;

use jiff::{
    Timestamp,
    civil::{Date, Time},
    tz::TimeZone,
};
use serde::{Deserialize, Serialize};

use crate::validation::{Errors, Words};

/// At most this many holidays (ten years of them).
pub const MAX_HOLIDAYS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    /// The days worked, ISO numbered: 1 is Monday, 7 Sunday.
    pub days: BTreeSet<i8>,
    /// When a working day starts and ends, in the workspace's zone.
    #[schema(value_type = String, example = "09:00")]
    pub start: Time,
    #[schema(value_type = String, example = "17:00")]
    pub end: Time,
    /// Days not worked although their weekday is.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub holidays: BTreeSet<Date>,
}

impl Default for BusinessHours {
    /// Monday to Friday, nine to five.
    fn default() -> Self {
        BusinessHours {
            days: (1..=5).collect(),
            start: Time::constant(9, 0, 0, 0),
            end: Time::constant(17, 0, 0, 0),
            holidays: BTreeSet::new(),
        }
    }
}

impl BusinessHours {
    /// Every problem at once, under `field`.
    pub fn check(&self, field: &str, errors: &mut Errors) {
        if self.days.is_empty() || self.days.iter().any(|d| !(1..=7).contains(d)) {
            errors.add_said(
                format!("{field}.days"),
                "name the days worked, 1 (Monday) to 7 (Sunday)",
                Words::new("err-analytics-days", []),
            );
        }
        if self.start >= self.end {
            errors.add_said(format!("{field}.end"), "a working day ends after it starts", Words::new("err-analytics-day-ends", []));
        }
        if self.holidays.len() > MAX_HOLIDAYS {
            errors.add_said(
                format!("{field}.holidays"),
                format!("at most {MAX_HOLIDAYS} holidays"),
                Words::new("err-analytics-holidays", [("max", MAX_HOLIDAYS.to_string())]),
            );
        }
    }

    fn works(&self, day: Date) -> bool {
        self.days.contains(&day.weekday().to_monday_one_offset()) && !self.holidays.contains(&day)
    }

    /// The whole minutes of business time between `from` and `to` in `zone`
    /// (none when `to` is not after `from`). A day's hours are placed in the
    /// zone on that day, so a change to or from summer time counts right.
    pub fn minutes(&self, from: Timestamp, to: Timestamp, zone: &TimeZone) -> i64 {
        if to <= from {
            return 0;
        }
        let (first, last) = (from.to_zoned(zone.clone()).date(), to.to_zoned(zone.clone()).date());
        let mut seconds = 0i64;
        let mut day = first;
        while day <= last {
            if self.works(day) {
                let open = day.to_datetime(self.start).to_zoned(zone.clone()).map(|z| z.timestamp());
                let close = day.to_datetime(self.end).to_zoned(zone.clone()).map(|z| z.timestamp());
                if let (Ok(open), Ok(close)) = (open, close) {
                    let (a, b) = (open.max(from), close.min(to));
                    if b > a {
                        seconds += b.as_second() - a.as_second();
                    }
                }
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        seconds / 60
    }
}

/// Minutes of calendar time between two instants (none if `to` is earlier).
pub fn calendar_minutes(from: Timestamp, to: Timestamp) -> i64 {
    (to.as_second() - from.as_second()).max(0) / 60
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, zone: &TimeZone) -> Timestamp {
        let dt: jiff::civil::DateTime = text.parse().unwrap();
        dt.to_zoned(zone.clone()).unwrap().timestamp()
    }

    #[test]
    fn a_weekend_and_the_nights_are_not_business_time() {
        let zone = TimeZone::get("Europe/Copenhagen").unwrap();
        let hours = BusinessHours::default();
        // Friday 16:00 to Monday 10:00: one hour on Friday, one on Monday.
        assert_eq!(hours.minutes(at("2026-12-04T16:00", &zone), at("2026-12-07T10:00", &zone), &zone), 120);
        // Inside one working day.
        assert_eq!(hours.minutes(at("2026-12-07T09:30", &zone), at("2026-12-07T11:45", &zone), &zone), 135);
        // Evening to the next morning, before opening: nothing.
        assert_eq!(hours.minutes(at("2026-12-07T18:00", &zone), at("2026-12-08T08:59", &zone), &zone), 0);
        assert_eq!(calendar_minutes(at("2026-12-04T16:00", &zone), at("2026-12-07T10:00", &zone)), 66 * 60);
    }

    #[test]
    fn holidays_are_not_worked_and_summer_time_keeps_the_local_hours() {
        let zone = TimeZone::get("Europe/Copenhagen").unwrap();
        let mut hours = BusinessHours::default();
        hours.holidays.insert("2026-12-24".parse().unwrap());
        // Wednesday 23rd 12:00 to Friday 25th 12:00: 5 hours on the 23rd, none on the 24th, 3 on the 25th.
        assert_eq!(hours.minutes(at("2026-12-23T12:00", &zone), at("2026-12-25T12:00", &zone), &zone), 8 * 60);
        // The Friday before summer time to the Monday after: a full day each.
        assert_eq!(hours.minutes(at("2026-03-27T09:00", &zone), at("2026-03-30T17:00", &zone), &zone), 16 * 60);
    }

    #[test]
    fn bad_hours_are_refused_with_every_problem() {
        let hours = BusinessHours {
            days: [0, 8].into(),
            start: Time::constant(17, 0, 0, 0),
            end: Time::constant(9, 0, 0, 0),
            holidays: BTreeSet::new(),
        };
        let mut errors = Errors::new();
        hours.check("business_hours", &mut errors);
        let fields: Vec<String> = errors.into_vec().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["business_hours.days", "business_hours.end"]);
    }
}
