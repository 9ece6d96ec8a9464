//! The catalogue is whole: both languages define the same messages, Danish
//! translates each of them, every key the code asks for exists, and no
//! template or Rust view writes words outside the catalogue.

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

use jiff::civil::date;

use super::*;

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Message ids and their English/Danish text, from the `.ftl` files.
fn messages(lang: Lang) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang.code());
    let mut out = Vec::new();
    let mut files: Vec<_> = fs::read_dir(&dir).expect("locale dir").map(|e| e.expect("entry").path()).collect();
    files.sort();
    for file in files {
        let text = fs::read_to_string(&file).expect("ftl file");
        for line in text.lines() {
            let Some((id, value)) = line.split_once(" =") else { continue };
            if !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
                out.push((id.to_owned(), value.trim().to_owned()));
            }
        }
    }
    out
}

#[test]
fn both_languages_define_the_same_messages_once() {
    let en = messages(Lang::En);
    let da = messages(Lang::Da);
    let en_ids: BTreeSet<_> = en.iter().map(|m| m.0.clone()).collect();
    let da_ids: BTreeSet<_> = da.iter().map(|m| m.0.clone()).collect();
    assert_eq!(en_ids.len(), en.len(), "an English message is defined twice");
    assert_eq!(da_ids.len(), da.len(), "a Danish message is defined twice");
    let missing: Vec<_> = en_ids.difference(&da_ids).collect();
    assert!(missing.is_empty(), "not translated to Danish: {missing:?}");
    let extra: Vec<_> = da_ids.difference(&en_ids).collect();
    assert!(extra.is_empty(), "Danish messages English lacks: {extra:?}");
    assert!(en.len() > 100, "the catalogue was not read");
}

/// Names, the same in every language and fine to write into a template.
const NAMES: &[&str] = &[
    "Greenlight",
    "Bluesky",
    "Mastodon",
    "LinkedIn",
    "Instagram",
    "Threads",
    "Facebook",
    "Pinterest",
    "Slack",
    "Teams",
    "Microsoft",
    "Google",
    "Chat",
    "Discord",
    "Markdown",
    "JSON",
    "CSV",
    "UTC",
    "API",
    "RSS",
    "htmx",
];

/// Messages Danish may write as English does: names and words Danish
/// has taken over unchanged.
const SAME_IN_BOTH: &[&str] = &[
    "OK", "Status", "Hashtags", "Link", "Links", "Tags", "URL", "E-mail", "Alt", "ID", "Webhook", "Webhooks", "Token", "Tokens", "Emoji",
    "Workflow", "Median",
];

#[test]
fn danish_translates_every_message() {
    let en: std::collections::BTreeMap<_, _> = messages(Lang::En).into_iter().collect();
    let untranslated: Vec<_> = messages(Lang::Da)
        .into_iter()
        .filter(|(id, da)| {
            let same = en.get(id) == Some(da);
            let has_words = da.chars().any(char::is_alphabetic);
            let allowed = SAME_IN_BOTH.iter().chain(NAMES).any(|w| w.eq_ignore_ascii_case(da));
            same && has_words && !allowed && !da.starts_with('{')
        })
        .map(|(id, _)| id)
        .collect();
    assert!(untranslated.is_empty(), "Danish says these in English: {untranslated:?}");
}

/// Every `t("…")`, `t1("…"` … in the crates' sources and templates.
fn keys_asked_for() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut stack = vec![crates_dir().join("web"), crates_dir().join("service"), crates_dir().join("domain/src")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(ext, "rs" | "html" | "txt") {
                continue;
            }
            let text = fs::read_to_string(&path).expect("source");
            // Error ids are written as literals wherever the error is made
            // (in templates, `err-…` names an element).
            for (i, _) in text.match_indices("\"err-").filter(|_| ext == "rs") {
                let key: String = text[i + 1..].chars().take_while(|c| *c != '"').collect();
                if key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') && key.len() > 4 {
                    out.insert((key, path.display().to_string()));
                }
            }
            for pattern in ["t(\"", "t1(\"", "t2(\"", "t3(\"", "said(\""] {
                for (i, _) in text.match_indices(pattern) {
                    // `t(` must be the whole name, not the end of `split(`.
                    let before = text[..i].chars().next_back().unwrap_or(' ');
                    if before.is_alphanumeric() || before == '_' {
                        continue;
                    }
                    let rest = &text[i + pattern.len()..];
                    let key: String = rest.chars().take_while(|c| *c != '"').collect();
                    if key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') && !key.is_empty() {
                        out.insert((key, path.display().to_string()));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_key_the_code_asks_for_exists_in_both_languages() {
    let asked = keys_asked_for();
    assert!(asked.len() > 100, "the sources were not read");
    let missing: Vec<_> = asked.iter().filter(|(key, _)| !defines(Lang::En, key) || !defines(Lang::Da, key)).collect();
    assert!(missing.is_empty(), "asked for but not defined: {missing:?}");
}

/// What is left of a template once its tags, expressions and statements
/// are taken out: words written straight into it.
fn bare_words(template: &str) -> Vec<String> {
    let mut text = String::new();
    let mut rest = template;
    // Drop askama blocks and comments first, then tags (whose attributes
    // are checked apart), then entities.
    while let Some(start) = rest.find(['{', '<']) {
        text.push_str(&rest[..start]);
        text.push(' ');
        let tail = &rest[start..];
        let close = if tail.starts_with("{{") {
            "}}"
        } else if tail.starts_with("{%") {
            "%}"
        } else if tail.starts_with("{#") {
            "#}"
        } else if tail.starts_with("<script") {
            "</script>"
        } else if tail.starts_with("<style") {
            "</style>"
        } else if tail.starts_with('<') {
            // A tag ends at the first `>` outside its askama expressions.
            rest = after_tag(tail);
            continue;
        } else {
            text.push('{');
            rest = &tail[1..];
            continue;
        };
        match tail.find(close) {
            Some(end) => rest = &tail[end + close.len()..],
            None => rest = "",
        }
    }
    text.push_str(rest);
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()).to_owned())
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() > 1)
        // CSS classes (`narrow-page`) are not words.
        .filter(|w| !(w.contains(['-', '_']) && w.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c == '_')))
        .filter(|w| {
            !NAMES.contains(&w.as_str())
                && !w.starts_with("&")
                && !matches!(w.as_str(), "nbsp" | "times" | "middot" | "rarr" | "larr" | "hellip")
        })
        .collect()
}

/// What follows the tag `tail` starts with.
fn after_tag(tail: &str) -> &str {
    let mut i = 1;
    while i < tail.len() {
        let here = &tail[i..];
        if here.starts_with("{{") || here.starts_with("{%") {
            let close = if here.starts_with("{{") { "}}" } else { "%}" };
            i += here.find(close).map_or(here.len(), |end| end + 2);
        } else if let Some(after) = here.strip_prefix('>') {
            return after;
        } else {
            i += here.chars().next().map_or(1, char::len_utf8);
        }
    }
    ""
}

/// Attribute values people read (labels, placeholders, titles, alt text)
/// written straight into a template.
fn bare_attributes(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["aria-label=\"", "placeholder=\"", "title=\"", "alt=\"", "data-confirm=\""] {
        for (i, _) in template.match_indices(attr) {
            let value: String = template[i + attr.len()..].chars().take_while(|c| *c != '"').collect();
            let without_exprs = bare_words(&value);
            if !without_exprs.is_empty() {
                out.push(format!("{attr}{value}"));
            }
        }
    }
    out
}

#[test]
fn templates_write_no_words_outside_the_catalogue() {
    let mut found = Vec::new();
    for dir in
        [crates_dir().join("web/templates/app"), crates_dir().join("web/templates/visit"), crates_dir().join("service/templates/email")]
    {
        for entry in fs::read_dir(&dir).expect("templates") {
            let path = entry.expect("entry").path();
            let text = fs::read_to_string(&path).expect("template");
            for w in bare_words(&text).into_iter().chain(bare_attributes(&text)) {
                found.push(format!("{}: {w}", path.file_name().and_then(|n| n.to_str()).unwrap_or("?")));
            }
        }
    }
    assert!(found.is_empty(), "{} words written straight into templates: {found:#?}", found.len());
}

#[test]
fn the_bare_word_finder_sees_words_and_skips_code() {
    assert_eq!(bare_words("<p class=\"x\">{{ t(\"a\") }} Save {% if x %}now{% endif %}</p>"), vec!["Save", "now"]);
    assert!(bare_words("<a href=\"/x\">{{ name }}</a> · {# note #}").is_empty());
    assert!(bare_words("<a{% if n > 0 %} class=\"x\"{% endif %}>{{ n }}</a>{% block c %}narrow-page{% endblock %}").is_empty());
    assert_eq!(bare_attributes("<input placeholder=\"Search posts\" aria-label=\"{{ t(\"k\") }}\">"), vec!["placeholder=\"Search posts"]);
}

#[test]
fn the_browser_picks_its_first_language_we_speak() {
    assert_eq!(Lang::from_accept_language("da-DK,da;q=0.9,en;q=0.8"), Lang::Da);
    assert_eq!(Lang::from_accept_language("de-DE,de;q=0.9,da;q=0.5,en;q=0.4"), Lang::Da);
    assert_eq!(Lang::from_accept_language("en;q=0.5, da;q=0.7"), Lang::Da);
    assert_eq!(Lang::from_accept_language("fr, en"), Lang::En);
    assert_eq!(Lang::from_accept_language("da;q=0"), Lang::En);
    assert_eq!(Lang::from_accept_language(""), Lang::En);
    assert_eq!(Lang::from_accept_language("da;q=abc"), Lang::En);
}

#[test]
fn messages_follow_the_scope_and_take_values() {
    assert_eq!(t("lang-name"), "English");
    assert_eq!(sync_scope(Lang::Da, || t("lang-name")), "Dansk");
    assert_eq!(sync_scope(Lang::Da, || t1("count-posts", "count", 1)), "1 opslag");
    assert_eq!(t1("count-posts", "count", 2), "2 posts");
    assert_eq!(t("no-such-message"), "no-such-message");
}

#[test]
fn dates_and_numbers_are_written_the_language_s_way() {
    let at = date(2026, 12, 7).at(14, 30, 5, 0);
    assert_eq!(date_in(Lang::En, at, DateStyle::DateTime), "Mon 7 Dec 2026, 14:30");
    assert_eq!(date_in(Lang::Da, at, DateStyle::DateTime), "man. 7. dec. 2026, 14:30");
    assert_eq!(date_in(Lang::Da, at, DateStyle::WeekdayDayMonth), "mandag 7. december");
    assert_eq!(date_in(Lang::En, at, DateStyle::MonthYear), "December 2026");
    assert_eq!(date_in(Lang::En, at, DateStyle::TimeSeconds), "14:30:05");
    assert_eq!(number(1_234_567), "1,234,567");
    assert_eq!(sync_scope(Lang::Da, || number(-1_234)), "-1.234");
    assert_eq!(sync_scope(Lang::Da, || decimal(1.25, 1)), "1,2");
    assert_eq!(number(999), "999");
}

fn date_in(lang: Lang, at: jiff::civil::DateTime, style: DateStyle) -> String {
    crate::time::format_in(lang, at, style)
}
