//! LinkedIn. A post's commentary holds up to 3,000 characters (LinkedIn
//! Help, "Character limits for posts"; Posts API `commentary`). LinkedIn has
//! no threads; a first comment goes through the Comments API
//! (`POST /rest/socialActions/{post}/comments`), whose text LinkedIn's
//! composer limits to 1,250 characters.

use super::{
    Finding, Measure, chars_within,
    media::{Alt, MediaRules, Unit},
    over_limit,
};
use crate::network::Network;

pub const LIMIT: usize = 3000;
pub const COMMENT_LIMIT: usize = 1250;

/// One image, a multi-image post of 2 to 20 (MultiImage API), or one video,
/// never mixed. Images JPG, PNG or GIF under 36,152,320 pixels (Images
/// API); video MP4, 75 KB to 500 MB, 3 s to 30 minutes, 1:2.4 to 2.4:1
/// (Videos API). Alt text on images, at most 4,086 characters (`altText`).
pub const MEDIA: MediaRules = MediaRules {
    required: false,
    max_items: 20,
    max_videos: 1,
    video_alone: true,
    gif_alone: false,
    image_types: &["image/jpeg", "image/png", "image/gif"],
    video_types: &["video/mp4"],
    max_image_bytes: u64::MAX,
    max_gif_bytes: u64::MAX,
    max_video_bytes: 500_000_000,
    video_ms: (3_000, 1_800_000),
    image_aspect: None,
    video_aspect: Some((1.0 / 2.4, 2.4)),
    max_image_pixels: Some(36_152_320),
    image_alt: Some(Alt { max: 4086, unit: Unit::Chars }),
    video_alt: None,
};

pub fn check(text: &str) -> (usize, usize, Vec<Finding>) {
    let length = text.chars().count();
    let fits = chars_within(text, LIMIT, |_| 1);
    (length, LIMIT, over_limit(Network::Linkedin, Measure::Characters, length, LIMIT, fits, text).into_iter().collect())
}
