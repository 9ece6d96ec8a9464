//! Bluesky. The `app.bsky.feed.post` lexicon limits `text` to 300
//! graphemes and 3000 bytes of UTF-8 (atproto lexicons,
//! `lexicons/app/bsky/feed/post.json`: maxGraphemes 300, maxLength 3000).
//! A family emoji is one grapheme. A reply (a thread's next post) is a post
//! with the same limits (`reply: {root, parent}` in the same lexicon).
//!
//! Mentions, links and hashtags are found as Bluesky's own app finds them
//! (`@atproto/api`, `rich-text/util.ts` and `detection.ts`): see
//! [`entities`].

use std::sync::LazyLock;

use regex::Regex;
use unicode_segmentation::UnicodeSegmentation;

use super::{
    Check, Entities, Finding, Measure, Span,
    media::{Alt, MediaRules, Unit},
    over_limit,
    text::CharIndex,
};
use crate::network::Network;

pub const LIMIT: usize = 300;
pub const MAX_BYTES: usize = 3000;
/// The longest hashtag the app makes a tag of, in UTF-16 units without the
/// `#` (`detection.ts`: `tag.length > 64`; the facet lexicon: 64 graphemes).
pub const MAX_TAG: usize = 64;

/// A post embeds one thing (`post.json`: `embed` is a union): up to four
/// images (`embed/images.json`: maxLength 4, `image/*`) or one video
/// (`embed/video.json`: one `video/mp4` blob). Sizes are the lexicons' and
/// the official app's (`social-app` `src/lib/constants.ts`:
/// `IMAGE_SIZE_CONFIG_POSTS.maxSize` 2,000,000; `VIDEO_MAX_SIZE` 300 MB;
/// `VIDEO_MAX_DURATION_MS` ten minutes). Image alt text is capped by the
/// app at 2,000 (`MAX_ALT_TEXT`), a video's by the lexicon at 1,000
/// graphemes.
pub const MEDIA: MediaRules = MediaRules {
    required: false,
    max_items: 4,
    max_videos: 1,
    video_alone: true,
    gif_alone: false,
    image_types: &["image/jpeg", "image/png", "image/gif", "image/webp"],
    video_types: &["video/mp4"],
    max_image_bytes: 2_000_000,
    max_gif_bytes: 2_000_000,
    max_video_bytes: 300_000_000,
    video_ms: (0, 600_000),
    image_aspect: None,
    video_aspect: None,
    max_image_pixels: None,
    image_alt: Some(Alt { max: 2000, unit: Unit::Graphemes }),
    video_alt: Some(Alt { max: 1000, unit: Unit::Graphemes }),
};

pub fn length(text: &str) -> usize {
    text.graphemes(true).count()
}

pub fn check(text: &str) -> (usize, usize, Vec<Finding>) {
    let length = length(text);
    let fits: usize = text.graphemes(true).take(LIMIT).map(|g| g.chars().count()).sum();
    let mut findings: Vec<Finding> = over_limit(Network::Bluesky, Measure::Graphemes, length, LIMIT, fits, text).into_iter().collect();
    if text.len() > MAX_BYTES {
        let message =
            format!("Bluesky allows {MAX_BYTES} bytes of text; this is {} (emoji and many scripts take several bytes each)", text.len());
        let words =
            [("network", Network::Bluesky.title().to_owned()), ("limit", MAX_BYTES.to_string()), ("length", text.len().to_string())];
        findings.push(
            Finding::error(Check::Text, "bluesky.bytes", message)
                .words("finding-length-bytes", words)
                .at(Span { start: 0, end: text.chars().count() }),
        );
    }
    (length, LIMIT, findings)
}

// The app's patterns (`util.ts`), in the regex crate's syntax: JavaScript's
// lookahead `(?!\ufe0f)` after a tag's `#` is checked in code instead.
static MENTION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:^|\s|\()@([a-zA-Z0-9.-]+)").expect("valid pattern"));
static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?:^|\s|\()((?:https?://\S+)|(?:[a-z][a-z0-9]*(?:\.[a-z0-9]+)+)\S*)").expect("valid pattern"));
const TAG_STOP: &str = r"\s\u{00AD}\u{2060}\u{200A}\u{200B}\u{200C}\u{200D}\u{20E2}";
static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?:^|\s)[#＃]([^{TAG_STOP}]*[^\d\p{{P}}{TAG_STOP}]+[^{TAG_STOP}]*)")).expect("valid pattern"));
static TRAILING_PUNCTUATION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\p{P}+$").expect("valid pattern"));

/// A domain the app links or mentions: labels of letters, digits and
/// hyphens, ending in a top-level domain on IANA's list (`detection.ts`
/// checks `isValidDomain` against the `tlds` package; twitter-text's table
/// is the same list), or `.test`.
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(tld) = labels.last() else { return false };
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'))
        && (tld.eq_ignore_ascii_case("test") || twitter_text::tlds::is_valid_tld_case_insensitive(tld))
}

/// Mentions, links and hashtags where Bluesky's app makes facets of them.
pub fn entities(text: &str) -> Entities {
    let index = CharIndex::new(text);
    let mut found = Entities::default();
    for m in MENTION.captures_iter(text).filter_map(|c| c.get(1)) {
        // `(\b)` after the handle: a trailing `.` or `-` is not part of it.
        let handle = m.as_str().trim_end_matches(['.', '-']);
        let end = m.start() + handle.len();
        let glued = text[end..].chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !glued && valid_domain(handle) {
            found.mentions.push(index.span(m.start() - 1..end));
        }
    }
    for m in URL.captures_iter(text).filter_map(|c| c.get(1)) {
        let mut uri = m.as_str();
        if uri.ends_with(['.', ',', ';', ':', '!', '?']) {
            uri = &uri[..uri.len() - 1];
        }
        if uri.ends_with(')') && !uri.contains('(') {
            uri = &uri[..uri.len() - 1];
        }
        let bare = !uri.to_ascii_lowercase().starts_with("http");
        if bare && !valid_domain(uri.split(['/', '?', '#', ':']).next().unwrap_or_default()) {
            continue;
        }
        found.urls.push(index.span(m.start()..m.start() + uri.len()));
    }
    for m in TAG.captures_iter(text).filter_map(|c| c.get(1)) {
        if m.as_str().starts_with('\u{FE0F}') {
            continue;
        }
        let tag = TRAILING_PUNCTUATION.replace(m.as_str().trim_end(), "");
        let units = tag.encode_utf16().count();
        if (1..=MAX_TAG).contains(&units) {
            // The facet covers the `#` (one character, `#` or `＃`) and the tag.
            let hash = text[..m.start()].chars().next_back().map_or(1, char::len_utf8);
            found.hashtags.push(index.span(m.start() - hash..m.start() + tag.len()));
        }
    }
    found
}

/// What a facet marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FacetKind {
    /// A link to this address (`https://` added to a bare domain).
    Link(String),
    /// A mention of this handle (without the `@`); the publisher resolves it.
    Mention(String),
    /// A hashtag, without its `#`.
    Tag(String),
}

/// A rich-text facet as Bluesky stores it: UTF-8 **byte** offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    pub byte_start: usize,
    pub byte_end: usize,
    pub kind: FacetKind,
}

/// The facets of `text`: the mentions, links and hashtags Bluesky's app
/// would mark, at their byte ranges.
pub fn facets(text: &str) -> Vec<Facet> {
    let bytes: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
    let range = |s: &Span| (bytes.get(s.start).copied().unwrap_or(text.len()), bytes.get(s.end).copied().unwrap_or(text.len()));
    let found = entities(text);
    let mut out = Vec::new();
    for s in &found.mentions {
        let (a, b) = range(s);
        out.push(Facet { byte_start: a, byte_end: b, kind: FacetKind::Mention(text[a..b].trim_start_matches('@').to_owned()) });
    }
    for s in &found.urls {
        let (a, b) = range(s);
        let uri = &text[a..b];
        let uri = if uri.to_ascii_lowercase().starts_with("http") { uri.to_owned() } else { format!("https://{uri}") };
        out.push(Facet { byte_start: a, byte_end: b, kind: FacetKind::Link(uri) });
    }
    for s in &found.hashtags {
        let (a, b) = range(s);
        let tag: String = text[a..b].chars().skip(1).collect();
        out.push(Facet { byte_start: a, byte_end: b, kind: FacetKind::Tag(tag) });
    }
    out.sort_by_key(|f| f.byte_start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facets_are_byte_ranges() {
        let text = "Grüße @alice.test — see https://example.org/ø #Fête";
        let f = facets(text);
        assert_eq!(f.len(), 3, "{f:?}");
        assert_eq!(&text[f[0].byte_start..f[0].byte_end], "@alice.test");
        assert_eq!(f[0].kind, FacetKind::Mention("alice.test".into()));
        assert_eq!(f[0].byte_start, "Grüße ".len(), "bytes, not characters");
        assert_eq!(&text[f[1].byte_start..f[1].byte_end], "https://example.org/ø");
        assert_eq!(&text[f[2].byte_start..f[2].byte_end], "#Fête");
        assert_eq!(f[2].kind, FacetKind::Tag("Fête".into()));
        assert_eq!(facets("bare example.com link")[0].kind, FacetKind::Link("https://example.com".into()));
    }

    fn of(text: &str, spans: &[Span]) -> Vec<String> {
        spans.iter().map(|s| s.of(text).to_owned()).collect()
    }

    #[test]
    fn mentions_are_handles_with_a_domain() {
        let text = "Thanks @dana.bsky.social and (@riverside.health). Not @dana, not @a.notatld, not me@x.com";
        let found = entities(text);
        assert_eq!(of(text, &found.mentions), ["@dana.bsky.social", "@riverside.health"]);
    }

    #[test]
    fn links_may_be_bare_domains_without_trailing_punctuation() {
        let text = "See example.com/a, https://x.org/b?c=d. Or (riverside.health) but not file.txt";
        let found = entities(text);
        assert_eq!(of(text, &found.urls), ["example.com/a", "https://x.org/b?c=d", "riverside.health"]);
    }

    #[test]
    fn tags_need_a_letter_and_lose_trailing_punctuation() {
        let text = "#Heart, #2026 #a1 ＃wide #️⃣ #café! x#no";
        let found = entities(text);
        assert_eq!(of(text, &found.hashtags), ["#Heart", "#a1", "＃wide", "#café"]);
        let long = format!("#{}", "a".repeat(65));
        assert!(entities(&long).hashtags.is_empty(), "longer than 64 is no tag");
    }
}
