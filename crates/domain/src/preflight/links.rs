//! Links: each one well-formed and safe, tagged with the workspace's UTM
//! parameters for the channel, and flagged when a reachability check found
//! it broken.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Check, Entities, Field, Finding, Span, Subject, style::CompiledGuide, words};
use crate::content::MAX_LINK_CHARS;

/// A link in a channel's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Link {
    #[schema(value_type = String, example = "text")]
    pub field: Field,
    /// Where it is in that field's text (none for the post's link).
    pub span: Option<Span>,
    /// As written.
    pub url: String,
    /// As it will be published, with the workspace's UTM parameters
    /// (absent when none apply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tagged: Option<String>,
}

/// Schemes that run code or read files when followed: never in a post.
const UNSAFE: [&str; 4] = ["javascript:", "vbscript:", "data:", "file:"];

/// The placeholders a UTM template may use.
pub const PLACEHOLDERS: [&str; 3] = ["{network}", "{channel}", "{campaign}"];

/// The link as a URL: a bare `example.org/x` is read as `https://`.
pub fn absolute(link: &str) -> String {
    let lower = link.get(..8).unwrap_or(link).to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") { link.to_owned() } else { format!("https://{link}") }
}

/// `url` with the template's parameters for this channel added; parameters
/// the link already has are left as written. `None` when nothing is added.
pub fn tag(url: &str, template: &BTreeMap<String, String>, values: &[(&str, &str)]) -> Option<String> {
    if template.is_empty() {
        return None;
    }
    let mut parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let present: Vec<String> = parsed.query_pairs().map(|(k, _)| k.into_owned()).collect();
    let mut added = Vec::new();
    for (key, value) in template.iter().filter(|(k, _)| !present.contains(k)) {
        let value = values.iter().fold(value.clone(), |v, (placeholder, with)| v.replace(placeholder, with));
        if !value.trim().is_empty() {
            added.push((key.clone(), value));
        }
    }
    if added.is_empty() {
        return None;
    }
    parsed.query_pairs_mut().extend_pairs(added);
    Some(parsed.into())
}

/// Every link of the published texts and the post's link, with findings.
pub fn check(subject: &Subject<'_>, texts: &[(Field, &str, Entities)], guide: &CompiledGuide) -> (Vec<Link>, Vec<Finding>) {
    let handle = subject.channel.handle.trim_start_matches('@');
    let campaign = subject.post.campaign.map(|(_, name)| name).unwrap_or_default();
    let values = [("{network}", subject.channel.network.as_str()), ("{channel}", handle), ("{campaign}", campaign)];
    let mut links = Vec::new();
    let mut findings = Vec::new();
    let add = |field: Field, span: Option<Span>, written: &str, links: &mut Vec<Link>, findings: &mut Vec<Finding>| {
        let url = absolute(written);
        let located = |f: Finding| {
            let f = f.in_field(field);
            match span {
                Some(s) => f.at(s),
                None => f,
            }
        };
        match url::Url::parse(&url) {
            Ok(parsed) if parsed.host_str().is_some_and(|h| !h.is_empty()) => {}
            _ => {
                let f = Finding::error(Check::Links, "links.malformed", format!("`{written}` is not a well-formed link"))
                    .words("finding-links-malformed", [("link", written.to_owned())]);
                findings.push(located(f));
                return;
            }
        }
        if let Some(why) = subject.known.unreachable.get(&url) {
            let f = Finding::warning(Check::Links, "links.unreachable", format!("`{written}` did not answer: {why}"))
                .words("finding-links-unreachable", [("link", written.to_owned()), ("reason", why.clone())]);
            findings.push(located(f));
        }
        links.push(Link { field, span, url: written.to_owned(), tagged: tag(&url, &guide.guide.utm, &values) });
    };
    if let Some(link) = subject.content.link {
        if let Err(message) = crate::content::check_link(link) {
            let f = Finding::error(Check::Links, "links.malformed", format!("the post's link {message}")).in_field(Field::Link);
            // The two ways `check_link` refuses a link, each its own message.
            let f = if link.chars().count() > MAX_LINK_CHARS {
                f.words("finding-links-post-too-long", [("max", MAX_LINK_CHARS.to_string())])
            } else {
                f.words("finding-links-post-not-absolute", [])
            };
            findings.push(f);
        } else {
            add(Field::Link, None, link, &mut links, &mut findings);
        }
    }
    for (field, text, entities) in texts {
        for span in &entities.urls {
            add(*field, Some(*span), span.of(text), &mut links, &mut findings);
        }
        findings.extend(unsafe_links(text).into_iter().map(|f| f.in_field(*field)));
    }
    (links, findings)
}

/// Words that are links with a scheme that runs code or reads files
/// (networks do not link them, but a reader may paste them).
fn unsafe_links(text: &str) -> Vec<Finding> {
    let mut found = Vec::new();
    for piece in words::pieces(text).into_iter().filter(|p| !p.space) {
        let lead = piece.text.chars().take_while(|c| matches!(c, '(' | '<' | '"' | '\'' | '[')).count();
        let word: String = piece.text.chars().skip(lead).collect();
        let lower = word.to_ascii_lowercase();
        let Some(scheme) = UNSAFE.iter().find(|s| lower.starts_with(**s)) else { continue };
        let rest = &lower[scheme.len()..];
        // `data:` and `file:` are ordinary words before a colon; only their URL forms are links.
        let is_link = match *scheme {
            "data:" => rest.split_once('/').is_some_and(|(kind, _)| !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_alphabetic())),
            "file:" => rest.starts_with("//"),
            _ => !rest.is_empty(),
        };
        if is_link {
            let start = piece.start + lead;
            let message = format!("`{scheme}` links run code or open files on the reader's device; they are never published");
            let f = Finding::error(Check::Links, "links.unsafe", message).words("finding-links-unsafe", [("scheme", (*scheme).to_owned())]);
            found.push(f.at(Span { start, end: start + word.chars().count() }));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> BTreeMap<String, String> {
        [("utm_source", "{network}"), ("utm_medium", "social"), ("utm_campaign", "{campaign}")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn utm_parameters_follow_the_template_and_keep_the_authors() {
        let values = [("{network}", "x"), ("{channel}", "riverside"), ("{campaign}", "Heart Month")];
        assert_eq!(
            tag("https://example.org/a?b=1", &template(), &values).as_deref(),
            Some("https://example.org/a?b=1&utm_campaign=Heart+Month&utm_medium=social&utm_source=x")
        );
        assert_eq!(
            tag("https://example.org/?utm_source=mail", &template(), &values).as_deref(),
            Some("https://example.org/?utm_source=mail&utm_campaign=Heart+Month&utm_medium=social"),
            "the link's own utm_source stays"
        );
        let no_campaign = [("{network}", "x"), ("{channel}", "r"), ("{campaign}", "")];
        assert!(!tag("https://example.org/", &template(), &no_campaign).unwrap_or_default().contains("utm_campaign"));
        assert_eq!(tag("https://example.org/", &BTreeMap::new(), &values), None);
    }

    #[test]
    fn unsafe_schemes_are_found_but_ordinary_words_are_not() {
        let text = "Click (javascript:alert(1)) or data:text/html,x — our data: 5 files, file:///etc/passwd";
        let found: Vec<&str> = unsafe_links(text).iter().filter_map(|f| f.span).map(|s| s.of(text)).collect();
        assert_eq!(found, ["javascript:alert(1))", "data:text/html,x", "file:///etc/passwd"]);
    }
}
