//! Preflight findings in the reader's language. The domain crate writes
//! each finding's `message` in English (the API and stored reports keep
//! it) and, beside it, its `words`: a catalogue message id (`finding-…`,
//! in `crates/i18n/locales/*/preflight.ftl`) and the values it puts in.

use greenlight_domain::preflight::Finding;
use greenlight_i18n::{Arg, Lang};

/// A finding in the reader's language: its catalogue words when it has them and the catalogue knows them, else its English message.
pub fn text(f: &Finding) -> String {
    in_language(greenlight_i18n::current(), f)
}

fn in_language(lang: Lang, f: &Finding) -> String {
    // In English the message is the text: the catalogue's English says the
    // same words (a domain test checks that), so it is written as it was.
    // A message the catalogue does not know (a report stored by a newer
    // version) is written in English too.
    let Some(words) = f.words.as_ref().filter(|w| lang != Lang::En && greenlight_i18n::defines(Lang::En, &w.id)) else {
        return f.message.clone();
    };
    // The values come as text, numbers too ("2200", "2.5", "1.91:1", as the
    // English message writes them): they go in as `Arg::Text`, so a message
    // picks no plural form from them. A measurement with decimals gets the
    // language's decimal mark.
    let args: Vec<(&str, Arg)> =
        words.args.iter().map(|(name, value)| (name.as_str(), Arg::Text(decimal_mark(lang, name, value)))).collect();
    let written = greenlight_i18n::lookup(lang, &words.id, &args);
    // `lookup` answers with the id itself when the finding lacks a value the
    // message puts in (a report stored by an older version): the English
    // message reads better than an id.
    if written == words.id { f.message.clone() } else { written }
}

/// The values that may be decimals: media sizes ("2.5" MB), durations
/// ("0.5" s) and shapes ("1.91:1"). Names and phrases from the post or the
/// style guide are left as they are, even when they look like numbers.
const MEASUREMENTS: [&str; 5] = ["min", "max", "size", "length", "ratio"];

/// `value` with the decimal mark of `lang` when it is a measurement with
/// decimals.
fn decimal_mark(lang: Lang, name: &str, value: &str) -> String {
    let numeric = !value.is_empty() && value.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ':');
    match lang {
        Lang::Da if numeric && MEASUREMENTS.contains(&name) => value.replace('.', ","),
        _ => value.to_owned(),
    }
}
