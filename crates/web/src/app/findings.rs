//! Preflight findings in the reader's language. The domain crate writes
//! each finding's `message` in English (the API and stored reports keep
//! it) and, beside it, its `words`: a catalogue message id (`finding-…`,
//! in `crates/i18n/locales/*/preflight.ftl`) and the values it puts in.

use greenlight_domain::preflight::Finding;
use greenlight_i18n::Lang;

/// A finding in the reader's language: its catalogue words when it has them and the catalogue knows them, else its English message.
pub fn text(f: &Finding) -> String {
    in_language(greenlight_i18n::current(), f)
}

fn in_language(lang: Lang, f: &Finding) -> String {
    // In English the message is the text: the catalogue's English says the
    // same words (a domain test checks that), so it is written as it was.
    crate::words::in_language(lang, &f.message, f.words.as_ref())
}
