//! The words people read, in their language. Every sentence the web app
//! and the emails show is a Fluent message in `locales/<lang>/*.ftl`;
//! dates and numbers are written the way the language writes them.
//!
//! The language is the reader's: a request runs inside [`scope`] (the web
//! layer picks it from the user's setting or the browser's), an email is
//! rendered inside [`sync_scope`] with its recipient's. Code that renders
//! asks [`t`] and friends, which read the current scope — the same way a
//! tracing span travels with a request — so no page or view function has
//! to thread a language argument through. Outside any scope it is English.

mod time;

use std::{collections::HashMap, future::Future};

use fluent_templates::{fluent_bundle::FluentValue, static_loader};

pub use time::{DateStyle, format as date, short_weekday};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // The words go into HTML: no invisible bidi isolation marks.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language Greenlight speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    En,
    Da,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Da];

    /// The BCP 47 tag, as `<html lang>` and the setting store it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Da => "da",
        }
    }

    /// The language's name in itself, as a language menu shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Da => "Dansk",
        }
    }

    /// `en`, `da`, or a regional tag of either (`da-DK`, `en-GB`).
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "da" => Some(Lang::Da),
            _ => None,
        }
    }

    /// The browser's preferred language we speak, from an `Accept-Language`
    /// header (`da-DK,da;q=0.9,en;q=0.8`); English when it names none.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut choices: Vec<(f32, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let lang = Lang::parse(pieces.next()?)?;
                let q = pieces.find_map(|p| p.trim().strip_prefix("q=")).map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (q > 0.0).then_some((q, i, lang))
            })
            .collect();
        // Highest weight first; among equals, the order the browser wrote.
        choices.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        choices.first().map_or(Lang::En, |c| c.2)
    }

    fn id(self) -> &'static fluent_templates::LanguageIdentifier {
        static EN: std::sync::LazyLock<fluent_templates::LanguageIdentifier> = std::sync::LazyLock::new(|| fluent_templates::langid!("en"));
        static DA: std::sync::LazyLock<fluent_templates::LanguageIdentifier> = std::sync::LazyLock::new(|| fluent_templates::langid!("da"));
        match self {
            Lang::En => &EN,
            Lang::Da => &DA,
        }
    }
}

tokio::task_local! {
    static CURRENT: Lang;
}

/// The language of the page or email being rendered.
pub fn current() -> Lang {
    CURRENT.try_with(|l| *l).unwrap_or_default()
}

/// Runs `work` (a request) with `lang` as its language.
pub async fn scope<F: Future>(lang: Lang, work: F) -> F::Output {
    CURRENT.scope(lang, work).await
}

/// Runs `render` (an email, a test's page) with `lang` as its language.
pub fn sync_scope<R>(lang: Lang, render: impl FnOnce() -> R) -> R {
    CURRENT.sync_scope(lang, render)
}

/// A value put into a message: words, or a number (which also picks the
/// plural form: `{ $count -> [one] … *[other] … }`).
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_owned())
    }
}
impl From<&&str> for Arg {
    fn from(s: &&str) -> Arg {
        Arg::Text((*s).to_owned())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}
impl From<&&String> for Arg {
    fn from(s: &&String) -> Arg {
        Arg::Text((*s).clone())
    }
}
macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg { Arg::Number(i64::try_from(n).unwrap_or(i64::MAX)) }
        }
        impl From<&$t> for Arg {
            fn from(n: &$t) -> Arg { Arg::Number(i64::try_from(*n).unwrap_or(i64::MAX)) }
        }
    )*};
}
number_arg!(i32, i64, u32, u64, usize);

/// The message `key` in the current language.
pub fn t(key: &str) -> String {
    let lang = current();
    // A message without values always reads the same: formatted once per
    // language, then read from memory (pages ask for hundreds of them).
    static PLAIN: std::sync::LazyLock<[std::sync::RwLock<HashMap<String, String>>; 2]> = std::sync::LazyLock::new(Default::default);
    let cache = &PLAIN[lang as usize];
    if let Some(found) = cache.read().ok().and_then(|c| c.get(key).cloned()) {
        return found;
    }
    let written = lookup(lang, key, &[]);
    if let Ok(mut c) = cache.write() {
        c.insert(key.to_owned(), written.clone());
    }
    written
}

/// The message `key` with one value (`{ $name }`).
pub fn t1(key: &str, name: &str, value: impl Into<Arg>) -> String {
    lookup(current(), key, &[(name, value.into())])
}

/// The message `key` with two values.
pub fn t2(key: &str, n1: &str, v1: impl Into<Arg>, n2: &str, v2: impl Into<Arg>) -> String {
    lookup(current(), key, &[(n1, v1.into()), (n2, v2.into())])
}

/// The message `key` with three values.
pub fn t3(key: &str, n1: &str, v1: impl Into<Arg>, n2: &str, v2: impl Into<Arg>, n3: &str, v3: impl Into<Arg>) -> String {
    lookup(current(), key, &[(n1, v1.into()), (n2, v2.into()), (n3, v3.into())])
}

/// The message `key` in `lang` with any values. A key no file defines comes
/// back as itself, so a slip shows as `some-key` on the page (and the
/// catalogue test names it) instead of failing the request.
pub fn lookup(lang: Lang, key: &str, args: &[(&str, Arg)]) -> String {
    let args: HashMap<&str, FluentValue<'_>> = args
        .iter()
        .map(|(name, value)| {
            let value = match value {
                Arg::Text(s) => FluentValue::from(s.as_str()),
                Arg::Number(n) => FluentValue::from(*n),
            };
            (*name, value)
        })
        .collect();
    let args = (!args.is_empty()).then_some(&args);
    // The reader's language, then English. The crate's own fallback lookup
    // negotiates languages anew on every call (a list of the loaded ones, a
    // matching pass) — most of a message's cost, and a list page asks for a
    // few per card; ours are known.
    [lang, Lang::En].iter().find_map(|l| LOCALES.lookup_single_language(l.id(), key, args).ok()).unwrap_or_else(|| key.to_owned())
}

/// Whether `lang`'s own files define `key` (no falling back to English).
pub fn defines(lang: Lang, key: &str) -> bool {
    // Without its values a message may fail to format; only a missing one
    // counts. The crate does not export its error type, so its words tell.
    match LOCALES.lookup_single_language::<&str>(lang.id(), key, None) {
        Ok(_) => true,
        Err(e) => !e.to_string().starts_with("Couldn't retrieve message"),
    }
}

/// A whole number with the language's digit grouping: 12,345 or 12.345.
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = match current() {
        Lang::En => ',',
        Lang::Da => '.',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A number with `places` decimals and the language's decimal mark:
/// 1.5 or 1,5.
pub fn decimal(x: f64, places: usize) -> String {
    let s = format!("{x:.places$}");
    match current() {
        Lang::En => s,
        Lang::Da => s.replace('.', ","),
    }
}

#[cfg(test)]
mod tests;

/// A duration in whole minutes, in words: "45 min", "3 h 20 min", "2 d 4 h".
pub fn duration(minutes: i64) -> String {
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    if days > 0 && hours == 0 {
        t1("analytics-duration-whole-days", "days", days)
    } else if days > 0 {
        t2("analytics-duration-days", "days", days, "hours", hours)
    } else if hours > 0 && mins == 0 {
        t1("analytics-duration-whole-hours", "hours", hours)
    } else if hours > 0 {
        t2("analytics-duration-hours", "hours", hours, "minutes", mins)
    } else {
        t1("analytics-duration-minutes", "minutes", mins)
    }
}

/// A share (0–1) as a whole percentage, "–" when there is none.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_owned(), |r| t1("analytics-percent", "value", decimal(r * 100.0, 0)))
}

/// A day as "7 Dec 2026".
pub fn day(d: jiff::civil::Date) -> String {
    date(d.to_datetime(jiff::civil::Time::midnight()), DateStyle::DayShortMonthYear)
}
