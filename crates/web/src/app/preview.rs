//! A post as each network will show it: the account, the text with what
//! the network makes into links, hashtags and mentions (found its way, so
//! the preview shows which words each network links), the pictures where
//! the network puts them, the link's card, the thread and first comment,
//! and preflight's findings underlined in place and listed below.

use std::collections::BTreeMap;

use greenlight_domain::{
    content::{Content, Effective},
    id::ChannelId,
    network::Network,
    preflight::{Field, Finding, Report, Severity, Span},
};
use greenlight_service::{preflight::PreflightReport, views::Channel};

use super::view::network_mark;

/// One channel's preview and preflight.
pub struct ChannelCheck {
    pub channel_id: String,
    /// The network's name: "Bluesky".
    pub name: String,
    /// For the network's look: `bluesky`, `x` …
    pub network: &'static str,
    pub display_name: String,
    pub handle: String,
    /// The avatar's letter.
    pub initial: String,
    pub length: usize,
    pub limit: String,
    pub over: bool,
    pub segments: Vec<Segment>,
    pub findings: Vec<FindingView>,
    pub errors: usize,
    pub thread: Vec<String>,
    pub first_comment: String,
    /// Thumbnail address and alt text of each picture, in order.
    pub media: Vec<(String, String)>,
    /// Instagram and Pinterest show the picture before the words.
    pub media_first: bool,
    /// The link's card: its site and address (none with pictures, where
    /// networks show the pictures instead, and none on Instagram, which
    /// links nothing).
    pub card: Option<(String, String)>,
    /// The network's own buttons under a post, as words.
    pub actions: String,
}

/// A run of text that looks one way: plain, or a network's link, hashtag
/// or mention, and underlined when a finding covers it.
#[derive(Debug, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    /// `error`, `warning`, or "" where no finding covers it.
    pub mark: &'static str,
    /// `link`, `tag`, `mention`, or "".
    pub entity: &'static str,
}

pub struct FindingView {
    pub severity: &'static str,
    /// The severity in words.
    pub severity_label: String,
    pub field: String,
    pub message: String,
    pub suggestion: String,
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `text` cut where findings on `field` and the network's entities start
/// and end, each piece marked with the most severe finding over it and the
/// entity it is part of.
pub fn segments(text: &str, findings: &[Finding], field: Field, entities: &[(&Span, &'static str)]) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let mut marks: Vec<Option<Severity>> = vec![None; chars.len()];
    for f in findings.iter().filter(|f| f.field == field) {
        let Some(span) = f.span else { continue };
        for m in marks.iter_mut().take(span.end.min(chars.len())).skip(span.start) {
            *m = Some(m.map_or(f.severity, |s| s.min(f.severity)));
        }
    }
    let mut kinds: Vec<&'static str> = vec![""; chars.len()];
    for (span, kind) in entities {
        for k in kinds.iter_mut().take(span.end.min(chars.len())).skip(span.start) {
            *k = kind;
        }
    }
    let mut out: Vec<Segment> = Vec::new();
    for ((c, m), entity) in chars.iter().zip(marks).zip(kinds) {
        let mark = m.map_or("", severity);
        match out.last_mut() {
            Some(s) if s.mark == mark && s.entity == entity => s.text.push(*c),
            _ => out.push(Segment { text: c.to_string(), mark, entity }),
        }
    }
    out
}

fn field_name(f: Field) -> String {
    match f {
        Field::Text => crate::t("preview-field-text"),
        Field::Title => crate::t("preview-field-title"),
        Field::FirstComment => crate::t("preview-field-first-comment"),
        Field::Link => crate::t("preview-field-link"),
        Field::Thread(i) => crate::t1("preview-field-thread", "number", i + 2),
        Field::Media(i) => crate::t1("preview-field-media", "number", i + 1),
    }
}

fn severity_label(s: Severity) -> String {
    match s {
        Severity::Error => crate::t("preview-sev-error"),
        Severity::Warning => crate::t("preview-sev-warning"),
    }
}

/// The site of an address, as link cards show it: "example.org".
fn site(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    host.strip_prefix("www.").unwrap_or(host).to_lowercase()
}

/// Draws preflight's report for each channel of `content`.
pub fn checks(report: &PreflightReport, content: &Content, channels: &BTreeMap<ChannelId, Channel>) -> Vec<ChannelCheck> {
    report.channels.iter().map(|c| checked(c.channel_id, &c.report, content.effective(c.channel_id), channels.get(&c.channel_id))).collect()
}

fn checked(channel_id: ChannelId, report: &Report, shown: Effective<'_>, channel: Option<&Channel>) -> ChannelCheck {
    let network = report.network;
    let entities: Vec<(&Span, &'static str)> = report
        .entities
        .urls
        .iter()
        .map(|s| (s, "link"))
        .chain(report.entities.hashtags.iter().map(|s| (s, "tag")))
        .chain(report.entities.mentions.iter().map(|s| (s, "mention")))
        .collect();
    let handle = channel.map(|c| c.handle.clone()).unwrap_or_default();
    let display_name = channel.map(|c| c.display_name.clone()).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| handle.clone());
    let media: Vec<(String, String)> = shown
        .media
        .iter()
        .map(|m| {
            let thumb =
                channel.map(|c| format!("/api/v1/workspaces/{}/media/{}/thumbnail", c.workspace_id, m.media_id)).unwrap_or_default();
            (thumb, m.alt_text.clone().unwrap_or_default())
        })
        .collect();
    let link = report.links.iter().find(|l| l.field == Field::Link).or_else(|| report.links.iter().find(|l| l.field == Field::Text));
    let card = link
        .filter(|_| media.is_empty() && network != Network::Instagram)
        .map(|l| l.tagged.clone().unwrap_or_else(|| l.url.clone()))
        .map(|url| (site(&url), url));
    let findings: Vec<FindingView> = report
        .findings
        .iter()
        .map(|f| FindingView {
            severity: severity(f.severity),
            severity_label: severity_label(f.severity),
            field: field_name(f.field),
            message: super::findings::text(f),
            suggestion: f.suggestion.clone().unwrap_or_default(),
        })
        .collect();
    ChannelCheck {
        channel_id: channel_id.to_string(),
        name: network_mark(network.as_str()).1.to_owned(),
        network: network.as_str(),
        initial: display_name.trim_start_matches('@').chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default(),
        display_name,
        handle,
        length: report.length,
        limit: if report.limit == usize::MAX { crate::t("preview-no-limit") } else { report.limit.to_string() },
        over: report.length > report.limit,
        segments: segments(shown.text, &report.findings, Field::Text, &entities),
        errors: report.findings.iter().filter(|f| f.severity == Severity::Error).count(),
        findings,
        thread: shown.thread.to_vec(),
        first_comment: shown.first_comment.unwrap_or_default().to_owned(),
        media,
        media_first: matches!(network, Network::Instagram | Network::Pinterest),
        card,
        actions: actions(network),
    }
}

fn actions(network: Network) -> String {
    let key = match network {
        Network::X => "preview-actions-x",
        Network::Bluesky => "preview-actions-bluesky",
        Network::Mastodon => "preview-actions-mastodon",
        Network::Linkedin => "preview-actions-linkedin",
        Network::Instagram => "preview-actions-instagram",
        Network::Threads => "preview-actions-threads",
        Network::Facebook => "preview-actions-facebook",
        Network::Pinterest => "preview-actions-pinterest",
        Network::Webhook => return String::new(),
    };
    crate::t(key)
}

/// What blocks submission, channel by channel: "X: 1 error".
pub fn blocking(checks: &[ChannelCheck]) -> Vec<String> {
    checks
        .iter()
        .filter(|c| c.errors > 0)
        .map(|c| crate::t2("preview-blocking", "channel", format!("{} {}", c.name, c.handle), "count", c.errors))
        .collect()
}

#[cfg(test)]
mod tests {
    use greenlight_domain::preflight::Check;

    use super::*;

    fn seg(text: &str, mark: &'static str, entity: &'static str) -> Segment {
        Segment { text: text.into(), mark, entity }
    }

    #[test]
    fn findings_underline_their_characters_the_worst_winning() {
        let findings = vec![
            Finding::warning(Check::Style, "style.term", "w").at(Span { start: 0, end: 5 }),
            Finding::error(Check::Style, "style.banned", "e").at(Span { start: 3, end: 7 }),
            Finding::error(Check::Media, "x", "elsewhere").in_field(Field::FirstComment).at(Span { start: 0, end: 9 }),
        ];
        let parts = segments("héllo world", &findings, Field::Text, &[]);
        assert_eq!(parts, [seg("hél", "warning", ""), seg("lo w", "error", ""), seg("orld", "", "")]);
    }

    #[test]
    fn entities_are_cut_out_and_keep_their_findings() {
        let tag = Span { start: 4, end: 8 };
        let findings = vec![Finding::warning(Check::Style, "style.term", "w").at(Span { start: 6, end: 10 })];
        let parts = segments("Hi, #flu now", &findings, Field::Text, &[(&tag, "tag")]);
        assert_eq!(
            parts,
            [seg("Hi, ", "", ""), seg("#f", "", "tag"), seg("lu", "warning", "tag"), seg(" n", "warning", ""), seg("ow", "", "")]
        );
    }

    #[test]
    fn a_card_names_the_site() {
        assert_eq!(site("https://www.Example.org/flu?utm=x"), "example.org");
        assert_eq!(site("example.org"), "example.org");
        assert_eq!(site("https://user@host.example:8080/"), "host.example:8080");
    }
}
