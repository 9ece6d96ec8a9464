//! Messages that come with their catalogue words (preflight findings,
//! field errors, refusals): the domain and service write their English
//! (the API answers it) and, beside it, a message id and its values, so a
//! page writes them in its reader's language.

use greenlight_domain::validation::Words;
use greenlight_i18n::{Arg, Lang};

/// `english` in the reader's language: its `words` written by the
/// catalogue when it has them and knows them, else the English.
pub fn text(english: &str, words: Option<&Words>) -> String {
    in_language(greenlight_i18n::current(), english, words)
}

pub fn in_language(lang: Lang, english: &str, words: Option<&Words>) -> String {
    // A message the catalogue does not know (a report stored by a newer
    // version) is written in English too.
    let Some(words) = words.filter(|w| lang != Lang::En && greenlight_i18n::defines(Lang::En, &w.id)) else {
        return english.to_owned();
    };
    // The values come as text, numbers too ("2200", "2.5", "1.91:1", as the
    // English writes them): they go in as `Arg::Text`, so a message picks no
    // plural form from them. A measurement with decimals gets the language's
    // decimal mark.
    let args: Vec<(&str, Arg)> =
        words.args.iter().map(|(name, value)| (name.as_str(), Arg::Text(decimal_mark(lang, name, value)))).collect();
    let written = greenlight_i18n::lookup(lang, &words.id, &args);
    // `lookup` answers with the id itself when the words lack a value the
    // message puts in (stored by an older version): the English reads better.
    if written == words.id { english.to_owned() } else { written }
}

/// The values that may be decimals: media sizes ("2.5" MB), durations
/// ("0.5" s) and shapes ("1.91:1"). Names and phrases are left as they are,
/// even when they look like numbers.
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
