//! Mastodon. A status is limited to 500 characters by default; instances
//! may set their own (Mastodon `StatusLengthValidator`, `MAX_CHARS = 500`,
//! counted in grapheme clusters). Every `http(s)://` link counts as 23
//! characters whatever its length, and a remote mention `@name@server`
//! counts as its local part `@name` (the same validator replaces links with
//! a 23-character placeholder and drops the server part of mentions). A
//! reply (`in_reply_to_id`, a thread's next post) has the same limit.
//!
//! Hashtags are found by Mastodon's own pattern (`app/models/tag.rb`,
//! `HASHTAG_RE`), see [`hashtags`].

use std::sync::LazyLock;

use regex::Regex;
use unicode_segmentation::UnicodeSegmentation;

use super::{
    Entities, Finding, Measure, Span, chars_within_weights,
    media::{Alt, MediaRules, Unit},
    over_limit,
    text::CharIndex,
};
use crate::network::Network;

pub const DEFAULT_LIMIT: usize = 500;
pub const URL_LENGTH: usize = 23;

/// A server's defaults (`app/models/media_attachment.rb`, `status.rb`): up
/// to 4 attachments (`MEDIA_ATTACHMENTS_LIMIT`); a video alone, GIFs beside
/// images; images JPEG, PNG, GIF, WEBP (and HEIC, AVIF) up to 16 MB
/// (`IMAGE_LIMIT`), video MP4, MOV, WEBM up to 99 MB (`VIDEO_LIMIT`); alt
/// text ("description") up to 1,500 characters (`MAX_DESCRIPTION_LENGTH`).
/// No duration or shape limits.
pub const MEDIA: MediaRules = MediaRules {
    required: false,
    max_items: 4,
    max_videos: 1,
    video_alone: true,
    gif_alone: false,
    image_types: &["image/jpeg", "image/png", "image/gif", "image/webp"],
    video_types: &["video/mp4", "video/quicktime", "video/webm"],
    max_image_bytes: 16 * 1024 * 1024,
    max_gif_bytes: 16 * 1024 * 1024,
    max_video_bytes: 99 * 1024 * 1024,
    video_ms: (0, u64::MAX),
    image_aspect: None,
    video_aspect: None,
    max_image_pixels: Some(33_177_600),
    image_alt: Some(Alt { max: 1500, unit: Unit::Chars }),
    video_alt: Some(Alt { max: 1500, unit: Unit::Chars }),
};

/// `HASHTAG_RE` of Mastodon 4 (`tag.rb`), in the regex crate's syntax:
/// Ruby's `[[:word:]]` is `\w`, `[[:alpha:]]` is `\p{Alphabetic}`.
static HASHTAG: LazyLock<Regex> = LazyLock::new(|| {
    let sep = "_\u{00B7}\u{30FB}\u{200C}";
    let first = format!("[\\w_][\\w{sep}]*[\\p{{Alphabetic}}{sep}][\\w{sep}]*[\\w_]");
    let last = "[\\w_]*\\p{Alphabetic}[\\w_]*";
    Regex::new(&format!("(?i)(?:^|[^/)\\w])(#(?:{first}|{last}))")).expect("valid pattern")
});

/// Hashtags where a Mastodon server finds them.
pub fn hashtags(text: &str) -> Vec<Span> {
    let index = CharIndex::new(text);
    HASHTAG.captures_iter(text).filter_map(|c| c.get(1)).map(|m| index.span(m.range())).collect()
}

/// What each character counts for: one per grapheme (on its first
/// character), a link 23, a mention's server nothing.
fn weights(text: &str, entities: &Entities) -> Vec<usize> {
    let mut weights = Vec::with_capacity(text.len());
    for g in text.graphemes(true) {
        weights.push(1);
        weights.extend(std::iter::repeat_n(0, g.chars().count() - 1));
    }
    let links = entities.urls.iter().filter(|s| {
        let link = s.of(text).to_ascii_lowercase();
        link.starts_with("http://") || link.starts_with("https://")
    });
    for link in links {
        zero(&mut weights, *link);
        if let Some(first) = weights.get_mut(link.start) {
            *first = URL_LENGTH;
        }
    }
    for mention in &entities.mentions {
        // `@name@server`: the server part counts for nothing.
        if let Some(at) = mention.of(text).chars().skip(1).position(|c| c == '@') {
            zero(&mut weights, Span { start: mention.start + 1 + at, end: mention.end });
        }
    }
    weights
}

fn zero(weights: &mut [usize], span: Span) {
    for w in weights.iter_mut().take(span.end).skip(span.start) {
        *w = 0;
    }
}

pub fn check(text: &str, entities: &Entities, limit: usize) -> (usize, usize, Vec<Finding>) {
    let weights = weights(text, entities);
    let length = weights.iter().sum();
    let fits = chars_within_weights(&weights, limit);
    (length, limit, over_limit(Network::Mastodon, Measure::Characters, length, limit, fits, text).into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_follow_mastodons_pattern() {
        let text = "#Heart #2026 #a_b #café https://x.org/#frag (#ok) a#no #日本";
        let found: Vec<&str> = hashtags(text).iter().map(|s| s.of(text)).collect();
        assert_eq!(found, ["#Heart", "#a_b", "#café", "#ok", "#日本"]);
    }

    #[test]
    fn a_family_emoji_counts_once() {
        let family = "👨\u{200d}👩\u{200d}👧\u{200d}👦";
        assert_eq!(check(family, &Entities::default(), 500).0, 1);
    }
}
