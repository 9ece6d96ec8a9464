//! Media against a network's limits: how many items and of which kinds,
//! types, sizes, video durations, shapes, and alt text on every image
//! within the network's length. Each network's module holds its
//! [`MediaRules`], with their sources.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use super::{Check, Finding, Severity};
use crate::{content::MediaUse, id::MediaId, network::Network};

/// What the library knows of a media item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaFacts {
    pub mime: String,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// A video's length, when it could be read from the file.
    pub duration_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Image,
    /// An animated image: some networks treat it apart.
    Gif,
    Video,
}

impl MediaFacts {
    pub fn kind(&self) -> Kind {
        match self.mime.as_str() {
            "image/gif" => Kind::Gif,
            m if m.starts_with("video/") => Kind::Video,
            _ => Kind::Image,
        }
    }

    /// Width over height, when known.
    fn aspect(&self) -> Option<f64> {
        match (self.width, self.height) {
            (Some(w), Some(h)) if w > 0 && h > 0 => Some(f64::from(w) / f64::from(h)),
            _ => None,
        }
    }
}

/// How alt text is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Chars,
    Graphemes,
}

/// A network's alt-text limit for one kind of media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alt {
    /// `usize::MAX` where the network documents no limit.
    pub max: usize,
    pub unit: Unit,
}

/// One network's media limits for a post.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MediaRules {
    /// The network publishes nothing without an image or a video.
    pub required: bool,
    /// Most items in one post (a carousel's limit where it has one).
    pub max_items: usize,
    pub max_videos: usize,
    /// A video must be the post's only item.
    pub video_alone: bool,
    /// A GIF must be the post's only item.
    pub gif_alone: bool,
    /// Accepted images (a GIF is an image unless listed apart by size).
    pub image_types: &'static [&'static str],
    pub video_types: &'static [&'static str],
    pub max_image_bytes: u64,
    pub max_gif_bytes: u64,
    pub max_video_bytes: u64,
    /// Shortest and longest video, in milliseconds.
    pub video_ms: (u64, u64),
    /// Narrowest and widest image, as width over height.
    pub image_aspect: Option<(f64, f64)>,
    pub video_aspect: Option<(f64, f64)>,
    pub max_image_pixels: Option<u64>,
    /// Alt text the network takes on images, and on videos (`None`: none).
    pub image_alt: Option<Alt>,
    pub video_alt: Option<Alt>,
}

/// A generic webhook takes any media we accept.
pub const ANY: MediaRules = MediaRules {
    required: false,
    max_items: crate::content::MAX_MEDIA,
    max_videos: crate::content::MAX_MEDIA,
    video_alone: false,
    gif_alone: false,
    image_types: &["image/jpeg", "image/png", "image/gif", "image/webp"],
    video_types: &["video/mp4", "video/quicktime", "video/webm"],
    max_image_bytes: u64::MAX,
    max_gif_bytes: u64::MAX,
    max_video_bytes: u64::MAX,
    video_ms: (0, u64::MAX),
    image_aspect: None,
    video_aspect: None,
    max_image_pixels: None,
    image_alt: Some(Alt { max: usize::MAX, unit: Unit::Chars }),
    video_alt: Some(Alt { max: usize::MAX, unit: Unit::Chars }),
};

pub fn rules(network: Network) -> &'static MediaRules {
    match network {
        Network::X => &super::x::MEDIA,
        Network::Bluesky => &super::bluesky::MEDIA,
        Network::Mastodon => &super::mastodon::MEDIA,
        Network::Linkedin => &super::linkedin::MEDIA,
        Network::Instagram => &super::instagram::MEDIA,
        Network::Threads => &super::threads::MEDIA,
        Network::Facebook => &super::facebook::MEDIA,
        Network::Pinterest => &super::pinterest::MEDIA,
        Network::Webhook => &ANY,
    }
}

/// A size in decimal megabytes, without the unit.
fn megabytes(bytes: u64) -> String {
    // Networks state limits in decimal megabytes.
    let mb = bytes as f64 / 1_000_000.0;
    if mb >= 10.0 { format!("{mb:.0}") } else { format!("{mb:.1}") }
}

fn ratio(r: f64) -> String {
    if r >= 1.0 { format!("{r:.2}:1") } else { format!("1:{:.2}", 1.0 / r) }
}

/// Checks a channel's media against its network's rules; a missing alt text
/// on an image has the workspace's severity.
pub fn check(network: Network, media: &[MediaUse], known: &BTreeMap<MediaId, MediaFacts>, alt_severity: Severity) -> Vec<Finding> {
    let rules = rules(network);
    let name = network.title();
    let rule = |what: &str| format!("{}.media.{what}", network.as_str());
    let mut findings = Vec::new();
    if rules.required && media.is_empty() {
        findings.push(
            Finding::error(Check::Media, rule("required"), format!("{name} publishes only posts with an image or a video"))
                .words("finding-media-required", [("network", name.to_owned())]),
        );
    }
    let items: Vec<(usize, &MediaUse, &MediaFacts)> =
        media.iter().enumerate().filter_map(|(i, m)| known.get(&m.media_id).map(|facts| (i, m, facts))).collect();
    for (i, m) in media.iter().enumerate().filter(|(_, m)| !known.contains_key(&m.media_id)) {
        findings.push(
            Finding::error(Check::Media, "media.missing", "this item is no longer in the media library")
                .words("finding-media-missing", [])
                .on_media(i, m.media_id),
        );
    }
    if media.len() > rules.max_items {
        let (i, m) = (rules.max_items, &media[rules.max_items]);
        findings.push(
            Finding::error(
                Check::Media,
                rule("count"),
                format!("{name} takes at most {} items in a post; this has {}", rules.max_items, media.len()),
            )
            .words(
                "finding-media-count",
                [("network", name.to_owned()), ("max", rules.max_items.to_string()), ("count", media.len().to_string())],
            )
            .on_media(i, m.media_id),
        );
    }
    let videos: Vec<_> = items.iter().filter(|(_, _, f)| f.kind() == Kind::Video).collect();
    if videos.len() > rules.max_videos
        && let Some((i, m, _)) = videos.get(rules.max_videos)
    {
        let message = format!("{name} takes at most {} video(s) in a post; this has {}", rules.max_videos, videos.len());
        let words = [("network", name.to_owned()), ("max", rules.max_videos.to_string()), ("count", videos.len().to_string())];
        findings.push(Finding::error(Check::Media, rule("count"), message).words("finding-media-videos", words).on_media(*i, m.media_id));
    }
    if media.len() > 1 {
        for (i, m, facts) in &items {
            let alone = match facts.kind() {
                Kind::Video => rules.video_alone.then_some(("a video", "finding-media-video-alone")),
                Kind::Gif => rules.gif_alone.then_some(("a GIF", "finding-media-gif-alone")),
                Kind::Image => None,
            };
            if let Some((what, id)) = alone {
                let message = format!("on {name}, {what} must be the post's only media");
                findings.push(
                    Finding::error(Check::Media, rule("mix"), message).words(id, [("network", name.to_owned())]).on_media(*i, m.media_id),
                );
            }
        }
    }
    for (i, m, facts) in &items {
        findings.extend(check_item(network, rules, *i, m, facts, alt_severity));
    }
    findings
}

fn check_item(network: Network, rules: &MediaRules, i: usize, m: &MediaUse, facts: &MediaFacts, alt_severity: Severity) -> Vec<Finding> {
    let name = network.title();
    let rule = |what: &str| format!("{}.media.{what}", network.as_str());
    let mut out = Vec::new();
    let mut add = |check: Check, severity: Severity, rule: String, message: String, words: (&str, Vec<(&'static str, String)>)| {
        out.push(Finding::new(check, severity, rule, message).words(words.0, words.1).on_media(i, m.media_id));
    };
    let kind = facts.kind();
    let types = if kind == Kind::Video { rules.video_types } else { rules.image_types };
    if !types.contains(&facts.mime.as_str()) {
        let message = format!("{name} does not take {}; it takes {}", facts.mime, types.join(", "));
        let words = vec![("network", name.to_owned()), ("type", facts.mime.clone()), ("types", types.join(", "))];
        add(Check::Media, Severity::Error, rule("type"), message, ("finding-media-type", words));
    }
    let max_bytes = match kind {
        Kind::Image => rules.max_image_bytes,
        Kind::Gif => rules.max_gif_bytes,
        Kind::Video => rules.max_video_bytes,
    };
    if facts.size > max_bytes {
        let (max, size) = (megabytes(max_bytes), megabytes(facts.size));
        let message = format!("{name} takes files up to {max} MB; this is {size} MB");
        let words = vec![("network", name.to_owned()), ("max", max), ("size", size)];
        add(Check::Media, Severity::Error, rule("size"), message, ("finding-media-size", words));
    }
    if kind == Kind::Video
        && let Some(ms) = facts.duration_ms
    {
        let (min, max) = rules.video_ms;
        if ms < min || ms > max {
            let (min, max, length) =
                (format!("{:.1}", min as f64 / 1000.0), format!("{:.0}", max as f64 / 1000.0), format!("{:.1}", ms as f64 / 1000.0));
            let message = format!("{name} takes videos of {min} s to {max} s; this is {length} s");
            let words = vec![("network", name.to_owned()), ("min", min), ("max", max), ("length", length)];
            add(Check::Media, Severity::Error, rule("duration"), message, ("finding-media-duration", words));
        }
    }
    let aspect = if kind == Kind::Video { rules.video_aspect } else { rules.image_aspect };
    if let (Some((min, max)), Some(r)) = (aspect, facts.aspect())
        && (r < min - 1e-3 || r > max + 1e-3)
    {
        let (min, max, r) = (ratio(min), ratio(max), ratio(r));
        let message = format!("{name} takes shapes from {min} to {max} (width:height); this is {r}");
        let words = vec![("network", name.to_owned()), ("min", min), ("max", max), ("ratio", r)];
        add(Check::Media, Severity::Error, rule("aspect_ratio"), message, ("finding-media-aspect-ratio", words));
    }
    if kind != Kind::Video
        && let (Some(max), Some(w), Some(h)) = (rules.max_image_pixels, facts.width, facts.height)
        && u64::from(w) * u64::from(h) > max
    {
        let message = format!("{name} takes images of at most {max} pixels; this is {w} × {h}");
        let words = vec![("network", name.to_owned()), ("max", max.to_string()), ("width", w.to_string()), ("height", h.to_string())];
        add(Check::Media, Severity::Error, rule("pixels"), message, ("finding-media-pixels", words));
    }
    let alt = m.alt_text.as_deref().filter(|a| !a.trim().is_empty());
    let limit = if kind == Kind::Video { rules.video_alt } else { rules.image_alt };
    match (alt, limit) {
        (None, Some(_)) if kind != Kind::Video => {
            add(
                Check::AltText,
                alt_severity,
                "media.alt_text".into(),
                "describe this image in alt text for people who cannot see it".into(),
                ("finding-media-alt-text", Vec::new()),
            );
        }
        (Some(alt), Some(Alt { max, unit })) => {
            let length = match unit {
                Unit::Chars => alt.chars().count(),
                Unit::Graphemes => alt.graphemes(true).count(),
            };
            if length > max {
                let (what, id) = if unit == Unit::Graphemes {
                    ("graphemes", "finding-media-alt-text-length-graphemes")
                } else {
                    ("characters", "finding-media-alt-text-length-characters")
                };
                let words = vec![("network", name.to_owned()), ("max", max.to_string()), ("length", length.to_string())];
                add(
                    Check::AltText,
                    Severity::Error,
                    rule("alt_text_length"),
                    format!("{name} takes alt text of {max} {what}; this is {length}"),
                    (id, words),
                );
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn id(n: u128) -> MediaId {
        MediaId::from_uuid(Uuid::from_u128(n))
    }

    fn image(size: u64, w: u32, h: u32) -> MediaFacts {
        MediaFacts { mime: "image/jpeg".into(), size, width: Some(w), height: Some(h), duration_ms: None }
    }

    fn video(secs: u64) -> MediaFacts {
        MediaFacts { mime: "video/mp4".into(), size: 5_000_000, width: Some(1080), height: Some(1920), duration_ms: Some(secs * 1000) }
    }

    fn uses(n: u128, alt: Option<&str>) -> Vec<MediaUse> {
        (1..=n).map(|i| MediaUse { media_id: id(i), alt_text: alt.map(str::to_owned) }).collect()
    }

    fn rules_of(findings: &[Finding]) -> Vec<String> {
        findings.iter().map(|f| format!("{}@{}", f.rule, f.field)).collect()
    }

    #[test]
    fn x_takes_four_images_or_one_video() {
        let known: BTreeMap<_, _> = (1..=5).map(|i| (id(i), image(1_000_000, 1200, 675))).collect();
        assert!(check(Network::X, &uses(4, Some("A nurse")), &known, Severity::Error).is_empty());
        assert_eq!(rules_of(&check(Network::X, &uses(5, Some("A nurse")), &known, Severity::Error)), ["x.media.count@media.4"]);
        let mut mixed = known.clone();
        mixed.insert(id(2), video(30));
        let found = check(Network::X, &uses(2, Some("A nurse")), &mixed, Severity::Error);
        assert_eq!(rules_of(&found), ["x.media.mix@media.1"]);
    }

    #[test]
    fn every_image_needs_alt_text_within_the_networks_length() {
        let known: BTreeMap<_, _> = [(id(1), image(1_000, 100, 100))].into();
        let missing = check(Network::Mastodon, &uses(1, None), &known, Severity::Error);
        assert_eq!((missing[0].rule.as_str(), missing[0].check, missing[0].severity), ("media.alt_text", Check::AltText, Severity::Error));
        assert_eq!(missing[0].media_id, Some(id(1)));
        let relaxed = check(Network::Mastodon, &uses(1, Some(" ")), &known, Severity::Warning);
        assert_eq!(relaxed[0].severity, Severity::Warning, "the workspace may make it a warning; blank is missing");
        let long = "a".repeat(1501);
        assert_eq!(
            rules_of(&check(Network::Mastodon, &uses(1, Some(&long)), &known, Severity::Error)),
            ["mastodon.media.alt_text_length@media.0"]
        );
        // Bluesky counts alt text in graphemes: 2,000 family emoji fit.
        let family = "👨\u{200d}👩\u{200d}👧".repeat(2000);
        assert!(check(Network::Bluesky, &uses(1, Some(&family)), &known, Severity::Error).is_empty());
    }

    #[test]
    fn sizes_durations_and_shapes_are_the_networks() {
        let known: BTreeMap<_, _> = [(id(1), image(2_500_000, 1000, 1000))].into();
        assert_eq!(rules_of(&check(Network::Bluesky, &uses(1, Some("x")), &known, Severity::Error)), ["bluesky.media.size@media.0"]);
        let wide: BTreeMap<_, _> = [(id(1), image(1_000, 2000, 1000))].into();
        assert_eq!(
            rules_of(&check(Network::Instagram, &uses(1, Some("x")), &wide, Severity::Error)),
            ["instagram.media.aspect_ratio@media.0"]
        );
        let long: BTreeMap<_, _> = [(id(1), video(400))].into();
        assert_eq!(rules_of(&check(Network::Threads, &uses(1, None), &long, Severity::Error)), ["threads.media.duration@media.0"]);
        assert!(
            check(Network::Threads, &uses(1, None), &[(id(1), video(200))].into(), Severity::Error).is_empty(),
            "no alt text needed on video"
        );
        let png: BTreeMap<_, _> = [(id(1), MediaFacts { mime: "image/png".into(), ..image(1_000, 1080, 1080) })].into();
        assert_eq!(rules_of(&check(Network::Instagram, &uses(1, Some("x")), &png, Severity::Error)), ["instagram.media.type@media.0"]);
    }

    #[test]
    fn instagram_and_pinterest_need_media_and_unknown_items_are_named() {
        let none = BTreeMap::new();
        assert_eq!(rules_of(&check(Network::Instagram, &[], &none, Severity::Error)), ["instagram.media.required@text"]);
        assert_eq!(rules_of(&check(Network::Pinterest, &[], &none, Severity::Error)), ["pinterest.media.required@text"]);
        assert!(check(Network::X, &[], &none, Severity::Error).is_empty());
        assert_eq!(rules_of(&check(Network::X, &uses(1, Some("x")), &none, Severity::Error)), ["media.missing@media.0"]);
    }
}
