//! Threads. A text post holds up to 500 characters, "Emojis are counted as
//! the number of UTF-8 bytes", with at most one topic tag (Threads API,
//! "Posts": text "limited to 500 characters"; "only one tag per post"). A
//! reply (`reply_to_id`, a thread's next post) has the same limits.

use unicode_segmentation::UnicodeSegmentation;

use super::{
    Check, Counts, Entities, Finding, Measure, Severity, chars_within_weights,
    media::{Alt, MediaRules, Unit},
    over_limit,
    text::is_emoji,
};
use crate::network::Network;

pub const LIMIT: usize = 500;
pub const MAX_TAGS: usize = 1;

/// Images, videos, or a carousel of up to 20 of them mixed. Images JPEG or
/// PNG up to 8 MB, at most 10:1; video MOV or MP4 up to 1 GB and five
/// minutes, 0.01:1 to 10:1 (Threads API, "Media specifications"). Alt
/// text on images and videos (`alt_text`), up to 1,000 characters.
pub const MEDIA: MediaRules = MediaRules {
    required: false,
    max_items: 20,
    max_videos: 20,
    video_alone: false,
    gif_alone: false,
    image_types: &["image/jpeg", "image/png"],
    video_types: &["video/mp4", "video/quicktime"],
    max_image_bytes: 8_000_000,
    max_gif_bytes: 8_000_000,
    max_video_bytes: 1_000_000_000,
    video_ms: (0, 300_000),
    image_aspect: Some((0.1, 10.0)),
    video_aspect: Some((0.01, 10.0)),
    max_image_pixels: None,
    image_alt: Some(Alt { max: 1000, unit: Unit::Chars }),
    video_alt: Some(Alt { max: 1000, unit: Unit::Chars }),
};

/// What each character counts for: an emoji's UTF-8 bytes sit on its first
/// character, any other character counts one.
fn weights(text: &str) -> Vec<usize> {
    let mut out = Vec::with_capacity(text.len());
    for g in text.graphemes(true) {
        if is_emoji(g) {
            out.push(g.len());
            out.extend(std::iter::repeat_n(0, g.chars().count() - 1));
        } else {
            out.extend(std::iter::repeat_n(1, g.chars().count()));
        }
    }
    out
}

pub fn length(text: &str) -> usize {
    weights(text).iter().sum()
}

pub fn check(text: &str, entities: &Entities) -> (usize, usize, Vec<Finding>) {
    let weights = weights(text);
    let length = weights.iter().sum();
    let fits = chars_within_weights(&weights, LIMIT);
    let mut findings: Vec<Finding> = over_limit(Network::Threads, Measure::Characters, length, LIMIT, fits, text).into_iter().collect();
    if let Some(mut extra) = super::too_many(Network::Threads, Check::Hashtags, "tags", Counts::TopicTag, &entities.hashtags, MAX_TAGS) {
        // Threads makes the first a tag and leaves the rest as text: a warning.
        extra.severity = Severity::Warning;
        findings.push(extra);
    }
    (length, LIMIT, findings)
}
