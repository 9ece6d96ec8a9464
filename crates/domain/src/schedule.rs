//! Planned publish times: an instant plus the IANA zone it was planned in.
//!
//! A planner thinks "Tuesday 09:00 in Copenhagen", so the zone is kept beside
//! the UTC instant: the calendar shows the local time, and a reschedule by
//! "one day later" stays at 09:00 across a DST change.
//!
//! Input is an RFC 9557 string such as `2026-12-01T09:00[Europe/Copenhagen]`.
//! The documented rule for local times that DST makes odd:
//! - a time in a gap (clocks jump forward, the time never happens) is refused;
//! - a time in a fold (clocks go back, the time happens twice) is refused
//!   unless an offset says which one (`2026-10-25T02:30+01:00[Europe/Copenhagen]`);
//! - an offset that the zone never has at that time is refused;
//! - `Z` (`2026-12-01T08:00Z[Europe/Copenhagen]`) names the instant in UTC.

use std::fmt;

use jiff::{
    Timestamp,
    civil::DateTime,
    fmt::temporal::{Pieces, PiecesOffset, TimeZoneAnnotationKind},
    tz::{AmbiguousOffset, Offset},
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::names::ZoneName;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTime {
    /// The instant, to the microsecond (what both databases store exactly).
    pub at: Timestamp,
    pub zone: ZoneName,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("`{0}` is not a date and time like 2026-12-01T09:00[Europe/Copenhagen]")]
    Malformed(String),
    #[error("add the time zone in brackets, like 2026-12-01T09:00[Europe/Copenhagen]")]
    NoZone,
    #[error("{0}")]
    Zone(#[from] crate::names::ZoneError),
    #[error("{local} does not exist in {zone}: the clocks jump from {before} to {after} (pick a time outside the gap)")]
    Gap { local: DateTime, zone: String, before: String, after: String },
    #[error("{local} happens twice in {zone}: add the offset, {before} (the first) or {after} (the second)")]
    Fold { local: DateTime, zone: String, before: String, after: String },
    #[error("{zone} is never at offset {offset} at {local}")]
    OffsetConflict { local: DateTime, zone: String, offset: String },
    #[error("the time is out of range")]
    Range,
}

impl PlannedTime {
    pub fn parse(input: &str) -> Result<Self, ScheduleError> {
        let malformed = || ScheduleError::Malformed(input.chars().take(64).collect());
        let pieces = Pieces::parse(input.trim()).map_err(|_| malformed())?;
        let name = match pieces.time_zone_annotation().map(|a| a.kind()) {
            Some(TimeZoneAnnotationKind::Named(name)) => name.as_str().to_owned(),
            _ => return Err(ScheduleError::NoZone),
        };
        let zone = ZoneName::parse(&name)?;
        let time = pieces.time().ok_or_else(malformed)?;
        let local = pieces.date().to_datetime(time);
        // Four-digit years only: both databases store these, and no post is
        // planned before the year 1000 or after 9999.
        if !(1000..=9999).contains(&local.year()) {
            return Err(ScheduleError::Range);
        }
        let tz = zone.time_zone();
        let at = match pieces.offset() {
            Some(PiecesOffset::Zulu) => local.to_zoned(jiff::tz::TimeZone::UTC).map_err(|_| ScheduleError::Range)?.timestamp(),
            Some(_) => {
                let given = pieces.to_numeric_offset().ok_or_else(malformed)?;
                let possible = match tz.to_ambiguous_timestamp(local).offset() {
                    AmbiguousOffset::Unambiguous { offset } => vec![offset],
                    AmbiguousOffset::Fold { before, after } => vec![before, after],
                    AmbiguousOffset::Gap { .. } => vec![],
                };
                if !possible.contains(&given) {
                    return Err(ScheduleError::OffsetConflict { local, zone: name, offset: offset_text(given) });
                }
                given.to_timestamp(local).map_err(|_| ScheduleError::Range)?
            }
            None => match tz.to_ambiguous_timestamp(local).offset() {
                AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(local).map_err(|_| ScheduleError::Range)?,
                AmbiguousOffset::Gap { before, after } => {
                    return Err(ScheduleError::Gap { local, zone: name, before: offset_text(before), after: offset_text(after) });
                }
                AmbiguousOffset::Fold { before, after } => {
                    return Err(ScheduleError::Fold { local, zone: name, before: offset_text(before), after: offset_text(after) });
                }
            },
        };
        Ok(Self::new(at, zone))
    }

    /// Truncates to microseconds so the value survives a database round trip unchanged.
    pub fn new(at: Timestamp, zone: ZoneName) -> Self {
        let micros = at.as_microsecond();
        let at = Timestamp::from_microsecond(micros).unwrap_or(at);
        Self { at, zone }
    }

    /// The wall-clock time in the planned zone.
    pub fn local(&self) -> DateTime {
        self.at.to_zoned(self.zone.time_zone()).datetime()
    }
}

/// `+02:00`, the form a user types back into an RFC 9557 string.
fn offset_text(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

impl fmt::Display for PlannedTime {
    /// RFC 9557 with the offset, so the text alone is never ambiguous.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.at.to_zoned(self.zone.time_zone()))
    }
}

impl Serialize for PlannedTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PlannedTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PlannedTime::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The first and last day a calendar shows, a note is put on or a day is
/// asked about: wide enough for any plan, narrow enough that a week or a
/// month around it is still a date in every zone.
pub const FIRST_DAY: jiff::civil::Date = jiff::civil::date(1970, 1, 1);
pub const LAST_DAY: jiff::civil::Date = jiff::civil::date(9998, 12, 31);

/// Reads a calendar day (`2026-12-01`) within [`FIRST_DAY`] and [`LAST_DAY`].
pub fn parse_day(text: &str) -> Result<jiff::civil::Date, String> {
    let day = text.trim().parse::<jiff::civil::Date>().map_err(|_| "a day like 2026-12-01".to_owned())?;
    if !(FIRST_DAY..=LAST_DAY).contains(&day) {
        return Err(format!("a day from {FIRST_DAY} to {LAST_DAY}"));
    }
    Ok(day)
}

impl crate::validation::Said for ScheduleError {
    fn words(&self) -> Option<crate::validation::Words> {
        use crate::validation::Words;
        Some(match self {
            ScheduleError::Malformed(input) => Words::new("err-domain-schedule-malformed", [("input", input.clone())]),
            ScheduleError::NoZone => Words::new("err-domain-schedule-no-zone", []),
            ScheduleError::Zone(e) => return e.words(),
            ScheduleError::Gap { local, zone, before, after } => Words::new(
                "err-domain-schedule-gap",
                [("local", local.to_string()), ("zone", zone.clone()), ("before", before.clone()), ("after", after.clone())],
            ),
            ScheduleError::Fold { local, zone, before, after } => Words::new(
                "err-domain-schedule-fold",
                [("local", local.to_string()), ("zone", zone.clone()), ("before", before.clone()), ("after", after.clone())],
            ),
            ScheduleError::OffsetConflict { local, zone, offset } => {
                Words::new("err-domain-schedule-offset", [("local", local.to_string()), ("zone", zone.clone()), ("offset", offset.clone())])
            }
            ScheduleError::Range => Words::new("err-domain-schedule-range", []),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<String, ScheduleError> {
        PlannedTime::parse(s).map(|p| format!("{} {}", p.at, p))
    }

    #[test]
    fn ordinary_local_times_resolve_to_the_zone_offset() {
        assert_eq!(
            parse("2026-12-01T09:00[Europe/Copenhagen]"),
            Ok("2026-12-01T08:00:00Z 2026-12-01T09:00:00+01:00[Europe/Copenhagen]".into())
        );
        assert_eq!(
            parse("2026-07-01T09:00:00+02:00[Europe/Copenhagen]"),
            Ok("2026-07-01T07:00:00Z 2026-07-01T09:00:00+02:00[Europe/Copenhagen]".into())
        );
        assert_eq!(
            parse("2026-12-01T08:00Z[America/New_York]"),
            Ok("2026-12-01T08:00:00Z 2026-12-01T03:00:00-05:00[America/New_York]".into())
        );
    }

    #[test]
    fn years_outside_four_digits_are_refused() {
        for input in ["-000001-06-01T09:00[UTC]", "+000000-06-01T09:00[UTC]", "0999-06-01T09:00[UTC]"] {
            assert_eq!(PlannedTime::parse(input).map(|p| p.at), Err(ScheduleError::Range), "{input}");
        }
        assert!(PlannedTime::parse("9999-06-01T09:00[UTC]").is_ok());
    }

    #[test]
    fn a_time_in_a_dst_gap_is_refused() {
        let err = PlannedTime::parse("2026-03-29T02:30[Europe/Copenhagen]").unwrap_err();
        assert!(matches!(err, ScheduleError::Gap { .. }), "{err:?}");
        assert!(err.to_string().contains("does not exist"), "{err}");
        // Even with an offset: the zone never shows that wall time.
        assert!(matches!(PlannedTime::parse("2026-03-29T02:30+01:00[Europe/Copenhagen]"), Err(ScheduleError::OffsetConflict { .. })));
    }

    #[test]
    fn a_time_in_a_fold_needs_its_offset() {
        let err = PlannedTime::parse("2026-10-25T02:30[Europe/Copenhagen]").unwrap_err();
        assert!(matches!(err, ScheduleError::Fold { .. }), "{err:?}");
        assert!(err.to_string().contains("+02:00 (the first) or +01:00 (the second)"), "{err}");
        let first = PlannedTime::parse("2026-10-25T02:30+02:00[Europe/Copenhagen]").map(|p| p.at);
        let second = PlannedTime::parse("2026-10-25T02:30+01:00[Europe/Copenhagen]").map(|p| p.at);
        assert_eq!(first.map(|t| t.to_string()), Ok("2026-10-25T00:30:00Z".into()));
        assert_eq!(second.map(|t| t.to_string()), Ok("2026-10-25T01:30:00Z".into()));
    }

    #[test]
    fn zones_must_be_named_and_known_and_offsets_must_agree() {
        assert_eq!(PlannedTime::parse("2026-12-01T09:00"), Err(ScheduleError::NoZone));
        assert_eq!(PlannedTime::parse("2026-12-01T09:00+01:00"), Err(ScheduleError::NoZone));
        assert_eq!(PlannedTime::parse("2026-12-01T09:00[+01:00]"), Err(ScheduleError::NoZone));
        assert!(matches!(PlannedTime::parse("2026-12-01T09:00[Mars/Base]"), Err(ScheduleError::Zone(_))));
        assert!(matches!(PlannedTime::parse("2026-12-01T09:00+05:00[Europe/Copenhagen]"), Err(ScheduleError::OffsetConflict { .. })));
        assert!(matches!(PlannedTime::parse("tomorrow"), Err(ScheduleError::Malformed(_))));
        assert!(matches!(PlannedTime::parse("2026-12-01[Europe/Copenhagen]"), Err(ScheduleError::Malformed(_))));
    }

    #[test]
    fn display_round_trips_and_keeps_microseconds_only() {
        let p = PlannedTime::parse("2026-12-01T09:00:00.123456789[Europe/Copenhagen]").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.at.subsec_nanosecond(), 123_456_000);
        assert_eq!(PlannedTime::parse(&p.to_string()), Ok(p.clone()));
        assert_eq!(p.local().to_string(), "2026-12-01T09:00:00.123456");
    }
}
