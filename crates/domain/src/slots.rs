//! Posting slots: the weekly times a channel posts at, in the workspace's
//! zone ("Monday 09:00, Wednesday 12:30"). "Add to queue" plans a post at
//! the next slot no other post on its channels holds.
//!
//! A slot is a local time, so it stays at 09:00 across a clock change; on
//! the day a slot's time does not exist (the spring-forward gap) that slot
//! is skipped, and when it happens twice (the autumn fold) the first one
//! is taken.

use jiff::{
    Timestamp,
    civil::{Date, Time, Weekday},
    tz::{AmbiguousOffset, TimeZone},
};
use serde::{Deserialize, Serialize};

/// One weekly time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slot {
    /// Monday = 1 … Sunday = 7 (ISO).
    pub weekday: i8,
    /// Minutes after midnight.
    pub minute: i16,
}

/// A slot as the API writes it: `{"weekday": "monday", "time": "09:00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotText {
    /// `monday` … `sunday`.
    pub weekday: String,
    /// `HH:MM`, 24-hour.
    pub time: String,
}

const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// At most this many slots per channel (four a day, every day).
pub const MAX_SLOTS: usize = 28;

impl Slot {
    pub fn parse(text: &SlotText) -> Result<Slot, String> {
        let day = text.weekday.trim().to_lowercase();
        let weekday = DAYS
            .iter()
            .position(|d| *d == day || (day.len() >= 3 && d.starts_with(&day)))
            .ok_or_else(|| format!("`{}` is not a day of the week", text.weekday))?;
        let time: Time = text.time.trim().parse().map_err(|_| format!("`{}` is not a time like 09:00", text.time))?;
        if time.second() != 0 || time.subsec_nanosecond() != 0 {
            return Err(format!("`{}`: a slot is on the minute", text.time));
        }
        Ok(Slot { weekday: weekday as i8 + 1, minute: i16::from(time.hour()) * 60 + i16::from(time.minute()) })
    }

    pub fn text(self) -> SlotText {
        let day = DAYS.get(usize::try_from(self.weekday - 1).unwrap_or(0)).copied().unwrap_or("monday");
        SlotText { weekday: day.to_owned(), time: format!("{:02}:{:02}", self.minute / 60, self.minute % 60) }
    }

    fn time(self) -> Time {
        jiff::civil::time((self.minute / 60) as i8, (self.minute % 60) as i8, 0, 0)
    }

    fn on(self, day: Date) -> bool {
        day.weekday() == Weekday::from_monday_one_offset(self.weekday).unwrap_or(Weekday::Monday)
    }
}

/// Parses a list of slots, sorted and without repeats.
pub fn parse_all(texts: &[SlotText]) -> Result<Vec<Slot>, String> {
    if texts.len() > MAX_SLOTS {
        return Err(format!("at most {MAX_SLOTS} posting times per channel"));
    }
    let mut slots = texts.iter().map(Slot::parse).collect::<Result<Vec<_>, _>>()?;
    slots.sort();
    slots.dedup();
    Ok(slots)
}

/// How far ahead "add to queue" looks for a free slot.
pub const LOOK_AHEAD_DAYS: i32 = 56;

/// The first slot instant after `after` that `taken` does not hold, within
/// [`LOOK_AHEAD_DAYS`].
pub fn next_free(slots: &[Slot], tz: &TimeZone, after: Timestamp, taken: impl Fn(Timestamp) -> bool) -> Option<Timestamp> {
    let first = after.to_zoned(tz.clone()).date();
    let mut sorted = slots.to_vec();
    sorted.sort();
    (0..LOOK_AHEAD_DAYS).filter_map(|i| first.checked_add(jiff::Span::new().days(i)).ok()).find_map(|day| {
        sorted.iter().filter(|s| s.on(day)).find_map(|s| {
            let at = match tz.to_ambiguous_timestamp(day.to_datetime(s.time())).offset() {
                AmbiguousOffset::Unambiguous { offset } => offset,
                AmbiguousOffset::Fold { before, .. } => before,
                AmbiguousOffset::Gap { .. } => return None,
            };
            let at = at.to_timestamp(day.to_datetime(s.time())).ok()?;
            (at > after && !taken(at)).then_some(at)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(day: &str, time: &str) -> Slot {
        Slot::parse(&SlotText { weekday: day.into(), time: time.into() }).unwrap()
    }

    #[test]
    fn slots_read_and_write_as_days_and_times() {
        assert_eq!(slot("Monday", "09:00"), Slot { weekday: 1, minute: 540 });
        assert_eq!(slot("sun", "23:59").text(), SlotText { weekday: "sunday".into(), time: "23:59".into() });
        for (day, time) in [("funday", "09:00"), ("monday", "25:00"), ("monday", "nine"), ("mo", "09:00"), ("monday", "09:00:30")] {
            assert!(Slot::parse(&SlotText { weekday: day.into(), time: time.into() }).is_err(), "{day} {time}");
        }
        let many: Vec<SlotText> = (0..29).map(|i| SlotText { weekday: "monday".into(), time: format!("{:02}:00", i % 24) }).collect();
        assert!(parse_all(&many).is_err());
        let twice = [slot("tue", "09:00").text(), slot("mon", "12:00").text(), slot("tuesday", "09:00").text()];
        assert_eq!(parse_all(&twice).unwrap(), vec![slot("mon", "12:00"), slot("tue", "09:00")]);
    }

    #[test]
    fn the_next_free_slot_skips_taken_ones_and_keeps_local_time_across_a_clock_change() {
        let tz = TimeZone::get("Europe/Copenhagen").unwrap();
        let slots = [slot("monday", "09:00"), slot("wednesday", "12:30")];
        // Friday 30 October 2026, noon; clocks went back on Sunday 25 October.
        let after: Timestamp = "2026-10-30T11:00:00Z".parse().unwrap();
        let monday: Timestamp = "2026-11-02T08:00:00Z".parse().unwrap(); // 09:00 CET
        assert_eq!(next_free(&slots, &tz, after, |_| false), Some(monday));
        let wednesday: Timestamp = "2026-11-04T11:30:00Z".parse().unwrap();
        assert_eq!(next_free(&slots, &tz, after, |t| t == monday), Some(wednesday));
        // Summer: 09:00 CEST is 07:00 UTC.
        let summer: Timestamp = "2027-06-01T00:00:00Z".parse().unwrap(); // a Tuesday
        assert_eq!(next_free(&slots, &tz, summer, |_| false), Some("2027-06-02T10:30:00Z".parse().unwrap()));
        assert_eq!(next_free(&[], &tz, after, |_| false), None);
        assert_eq!(next_free(&slots, &tz, after, |_| true), None, "all taken within the look-ahead");
    }

    #[test]
    fn a_slot_in_the_spring_gap_is_skipped_that_day() {
        let tz = TimeZone::get("Europe/Copenhagen").unwrap();
        // Sunday 28 March 2027: 02:00–03:00 does not happen.
        let slots = [slot("sunday", "02:30")];
        let after: Timestamp = "2027-03-27T12:00:00Z".parse().unwrap();
        assert_eq!(next_free(&slots, &tz, after, |_| false), Some("2027-04-04T00:30:00Z".parse().unwrap()));
    }
}
