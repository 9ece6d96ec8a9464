//! Instagram. A caption holds up to 2,200 characters, 30 hashtags and 20
//! @-mentions (Instagram Graph API, "Content publishing": caption "maximum
//! 2200 characters, 30 hashtags, and 20 @ tags"). Instagram has no threads;
//! a first comment goes to the media's comments edge
//! (`POST /{ig-media-id}/comments`), which documents no length of its own:
//! the caption's is used.

use super::{
    Check, Counts, Entities, Finding, Measure, chars_within,
    media::{Alt, MediaRules, Unit},
    over_limit, too_many,
};
use crate::network::Network;

pub const LIMIT: usize = 2200;
pub const MAX_HASHTAGS: usize = 30;
pub const MAX_MENTIONS: usize = 20;
pub const COMMENT_LIMIT: usize = 2200;

/// Every post has media ("Content publishing": image, video published as a
/// reel, or a carousel of up to 10 images and videos, mixed). Images JPEG
/// only, at most 8 MB, 4:5 to 1.91:1; reels MOV or MP4, 3 s to 15 minutes,
/// up to 1 GB, 0.01:1 to 10:1 (the Graph API's media specifications). Alt
/// text on images only (`alt_text`, since 2025), no documented length.
pub const MEDIA: MediaRules = MediaRules {
    required: true,
    max_items: 10,
    max_videos: 10,
    video_alone: false,
    gif_alone: false,
    image_types: &["image/jpeg"],
    video_types: &["video/mp4", "video/quicktime"],
    max_image_bytes: 8_000_000,
    max_gif_bytes: 8_000_000,
    max_video_bytes: 1_000_000_000,
    video_ms: (3_000, 900_000),
    image_aspect: Some((0.8, 1.91)),
    video_aspect: Some((0.01, 10.0)),
    max_image_pixels: None,
    image_alt: Some(Alt { max: usize::MAX, unit: Unit::Chars }),
    video_alt: None,
};

pub fn check(text: &str, entities: &Entities) -> (usize, usize, Vec<Finding>) {
    let length = text.chars().count();
    let fits = chars_within(text, LIMIT, |_| 1);
    let mut findings: Vec<Finding> = over_limit(Network::Instagram, Measure::Characters, length, LIMIT, fits, text).into_iter().collect();
    findings.extend(too_many(Network::Instagram, Check::Hashtags, "hashtags", Counts::Hashtags, &entities.hashtags, MAX_HASHTAGS));
    findings.extend(too_many(Network::Instagram, Check::Mentions, "mentions", Counts::Mentions, &entities.mentions, MAX_MENTIONS));
    (length, LIMIT, findings)
}
