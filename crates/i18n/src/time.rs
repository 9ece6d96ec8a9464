//! Dates and times the way each language writes them. English keeps the
//! forms the pages always used ("Mon 7 Dec 2026, 14:30"); Danish writes
//! "man. 7. dec. 2026, 14:30" and lower-case names, as Danish style does.
//! Names are written here rather than pulled from CLDR through ICU: two
//! languages, twelve months and seven days do not justify a 2 MB data crate.

use jiff::civil::{Date, DateTime, Weekday};

use crate::{Lang, current};

/// Which parts of a date or time to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// Mon 7 Dec 2026, 14:30
    DateTime,
    /// 14:30
    Time,
    /// 14:30:05
    TimeSeconds,
    /// December 2026
    MonthYear,
    /// 7 December 2026
    DayMonthYear,
    /// Monday 7 December
    WeekdayDayMonth,
    /// Mon 7 Dec
    ShortWeekdayDayMonth,
    /// 7 Dec 2026
    DayShortMonthYear,
    /// 7 Dec 2026, 14:30
    DayShortMonthYearTime,
}

const EN_MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DA_MONTHS: [&str; 12] =
    ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"];
const EN_SHORT_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DA_SHORT_MONTHS: [&str; 12] = ["jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."];
const EN_DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const DA_DAYS: [&str; 7] = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"];
const EN_SHORT_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const DA_SHORT_DAYS: [&str; 7] = ["man.", "tirs.", "ons.", "tors.", "fre.", "lør.", "søn."];

fn month(lang: Lang, d: Date, short: bool) -> &'static str {
    let i = usize::try_from(d.month() - 1).unwrap_or(0) % 12;
    match (lang, short) {
        (Lang::En, false) => EN_MONTHS[i],
        (Lang::En, true) => EN_SHORT_MONTHS[i],
        (Lang::Da, false) => DA_MONTHS[i],
        (Lang::Da, true) => DA_SHORT_MONTHS[i],
    }
}

fn weekday(lang: Lang, day: Weekday, short: bool) -> &'static str {
    let i = usize::try_from(day.to_monday_zero_offset()).unwrap_or(0) % 7;
    match (lang, short) {
        (Lang::En, false) => EN_DAYS[i],
        (Lang::En, true) => EN_SHORT_DAYS[i],
        (Lang::Da, false) => DA_DAYS[i],
        (Lang::Da, true) => DA_SHORT_DAYS[i],
    }
}

/// `at` (a civil date and time, already in the zone it should be read in)
/// written in the current language.
pub fn format(at: DateTime, style: DateStyle) -> String {
    format_in(current(), at, style)
}

pub(crate) fn format_in(lang: Lang, at: DateTime, style: DateStyle) -> String {
    let d = at.date();
    let day = d.day();
    let year = d.year();
    let time = format!("{:02}:{:02}", at.hour(), at.minute());
    // Danish writes the day as an ordinal: "7." — English a bare "7".
    let dot = match lang {
        Lang::En => "",
        Lang::Da => ".",
    };
    let wd = |short| weekday(lang, d.weekday(), short);
    let mo = |short| month(lang, d, short);
    match style {
        DateStyle::DateTime => format!("{} {day}{dot} {} {year}, {time}", wd(true), mo(true)),
        DateStyle::Time => time,
        DateStyle::TimeSeconds => format!("{time}:{:02}", at.second()),
        DateStyle::MonthYear => format!("{} {year}", mo(false)),
        DateStyle::DayMonthYear => format!("{day}{dot} {} {year}", mo(false)),
        DateStyle::WeekdayDayMonth => format!("{} {day}{dot} {}", wd(false), mo(false)),
        DateStyle::ShortWeekdayDayMonth => format!("{} {day}{dot} {}", wd(true), mo(true)),
        DateStyle::DayShortMonthYear => format!("{day}{dot} {} {year}", mo(true)),
        DateStyle::DayShortMonthYearTime => format!("{day}{dot} {} {year}, {time}", mo(true)),
    }
}

/// A weekday's short name in the current language, ISO numbered (1 is
/// Monday, 7 Sunday).
pub fn short_weekday(iso: i8) -> &'static str {
    let day = Weekday::from_monday_one_offset(iso).unwrap_or(Weekday::Monday);
    weekday(current(), day, true)
}
