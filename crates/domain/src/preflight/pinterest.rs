//! Pinterest. A pin's title holds up to 100 characters and its description
//! up to 800 (Pinterest API v5, "Create Pin": `title` ≤ 100, `description`
//! ≤ 800). Pins take no threads, and the API creates no comments.

use super::{
    Field, Finding, Measure, chars_within,
    media::{Alt, MediaRules, Unit},
    over_limit,
};
use crate::network::Network;

pub const TITLE_LIMIT: usize = 100;
pub const DESCRIPTION_LIMIT: usize = 800;

/// A pin needs media (`media_source` is required): one image or video, or
/// a carousel of 2 to 5 images. Images BMP, JPEG, PNG, TIFF, GIF or WEBP
/// up to 20 MB; video MP4 or MOV up to 2 GB, 4 s to 15 minutes, between
/// 1:2 and 1.91:1 (Pinterest's video pin specifications). `alt_text` ≤ 500.
pub const MEDIA: MediaRules = MediaRules {
    required: true,
    max_items: 5,
    max_videos: 1,
    video_alone: true,
    gif_alone: false,
    image_types: &["image/jpeg", "image/png", "image/gif", "image/webp"],
    video_types: &["video/mp4", "video/quicktime"],
    max_image_bytes: 20_000_000,
    max_gif_bytes: 20_000_000,
    max_video_bytes: 2_000_000_000,
    video_ms: (4_000, 900_000),
    image_aspect: None,
    video_aspect: Some((0.5, 1.91)),
    max_image_pixels: None,
    image_alt: Some(Alt { max: 500, unit: Unit::Chars }),
    video_alt: None,
};

pub fn check_description(text: &str) -> (usize, usize, Vec<Finding>) {
    let length = text.chars().count();
    let fits = chars_within(text, DESCRIPTION_LIMIT, |_| 1);
    (
        length,
        DESCRIPTION_LIMIT,
        over_limit(Network::Pinterest, Measure::DescriptionCharacters, length, DESCRIPTION_LIMIT, fits, text).into_iter().collect(),
    )
}

pub fn check_title(title: &str) -> Option<Finding> {
    let length = title.chars().count();
    let finding =
        over_limit(Network::Pinterest, Measure::TitleCharacters, length, TITLE_LIMIT, chars_within(title, TITLE_LIMIT, |_| 1), title)?;
    Some(Finding { rule: "pinterest.title_length".into(), ..finding.in_field(Field::Title) })
}
