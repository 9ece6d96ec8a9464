//! Facebook Pages. A post's message holds up to 63,206 characters (Meta
//! Help Center, "character limit for posts"). Pages have no threads; a
//! first comment goes to the post's comments edge
//! (`POST /{post-id}/comments`), whose message Facebook limits to 8,000
//! characters.

use super::{
    Finding, Measure, chars_within,
    media::{Alt, MediaRules, Unit},
    over_limit,
};
use crate::network::Network;

pub const LIMIT: usize = 63_206;
pub const COMMENT_LIMIT: usize = 8000;

/// Photos JPEG, PNG, GIF ("Photo uploads": "We recommend uploading photos
/// under 4MB"; 10 MB is where uploads fail), several as unpublished photos
/// attached to one post (`attached_media`, which takes no video), or one
/// video (up to 10 GB and 240 minutes, Meta's video specifications). Alt
/// text: `alt_text_custom`, no documented length.
pub const MEDIA: MediaRules = MediaRules {
    required: false,
    max_items: 10,
    max_videos: 1,
    video_alone: true,
    gif_alone: false,
    image_types: &["image/jpeg", "image/png", "image/gif"],
    video_types: &["video/mp4", "video/quicktime"],
    max_image_bytes: 10_000_000,
    max_gif_bytes: 10_000_000,
    max_video_bytes: 10_000_000_000,
    video_ms: (1_000, 14_400_000),
    image_aspect: None,
    video_aspect: None,
    max_image_pixels: None,
    image_alt: Some(Alt { max: usize::MAX, unit: Unit::Chars }),
    video_alt: None,
};

pub fn check(text: &str) -> (usize, usize, Vec<Finding>) {
    let length = text.chars().count();
    let fits = chars_within(text, LIMIT, |_| 1);
    (length, LIMIT, over_limit(Network::Facebook, Measure::Characters, length, LIMIT, fits, text).into_iter().collect())
}
