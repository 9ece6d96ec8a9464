//! Comments on a post: where a comment points (its anchor) and who may read
//! it. A comment is always about one revision — revisions never change, so
//! an anchor stays meaningful however the post is edited afterwards — and
//! optionally about one channel's variant, a range of its text, or a region
//! of one of its images.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{
    content::{Content, MediaUse},
    id::{ChannelId, MediaId},
    validation::{Errors, FieldError, Words},
};

/// Slack for fractions that were computed in floating point (`0.7 + 0.3`).
const EPSILON: f64 = 1e-9;

/// The longest comment a review decision (or an override's reason) carries.
pub const MAX_DECISION_COMMENT_CHARS: usize = 10_000;

/// What a comment is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    /// The revision's number: 1, 2, 3 … per post.
    pub revision: i64,
    /// A channel: the comment is about what that channel receives (its variant,
    /// or the base content where the variant does not override it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<ChannelId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
}

/// A part of the content a comment points at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Target {
    /// Characters `start..end` (Unicode scalar values, counted from 0) of the
    /// text: the channel's text if the anchor names a channel, else the base text.
    Text { start: usize, end: usize },
    /// A rectangle of an image, in fractions (0 to 1) of its width and height
    /// from the top left corner.
    Image { media_id: MediaId, x: f64, y: f64, width: f64, height: f64 },
}

/// Who may read a comment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// The workspace's members only.
    #[default]
    Internal,
    /// Also the post's external reviewers.
    External,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Internal => "internal",
            Visibility::External => "external",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Visibility::Internal, Visibility::External].into_iter().find(|v| v.as_str() == input)
    }
}

impl Anchor {
    /// Checks the anchor against the revision it names: the channel is one
    /// of the post's (`channels`) or has a variant, the text range lies
    /// within the text it refers to, and the image is used there and the
    /// region lies inside it. Field names are prefixed with `anchor.`.
    pub fn validate(&self, content: &Content, channels: &BTreeSet<ChannelId>) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        if let Some(channel) = self.channel_id
            && !channels.contains(&channel)
            && !content.variants.contains_key(&channel)
        {
            errors.add_said("anchor.channel_id", "is not one of the post's channels", Words::new("err-domain-not-post-channel", []));
        }
        match &self.target {
            None => {}
            Some(Target::Text { start, end }) => {
                let length = self.text(content).chars().count();
                if start >= end {
                    errors.add_said(
                        "anchor.target.start",
                        "must be before end: a range holds at least one character",
                        Words::new("err-domain-anchor-range-empty", []),
                    );
                }
                if *end > length {
                    errors.add_said(
                        "anchor.target.end",
                        format!("is past the end of the text, which has {length} characters"),
                        Words::new("err-domain-anchor-past-end", [("length", length.to_string())]),
                    );
                }
            }
            Some(Target::Image { media_id, x, y, width, height }) => {
                if !self.media(content).iter().any(|m| m.media_id == *media_id) {
                    let (place, id) = if self.channel_id.is_some() {
                        ("that channel's content", "err-domain-anchor-media-channel")
                    } else {
                        ("the base content", "err-domain-anchor-media-base")
                    };
                    let english = format!("is not an image of {place} in revision {}", self.revision);
                    errors.add_said("anchor.target.media_id", english, Words::new(id, [("revision", self.revision.to_string())]));
                }
                for (name, value) in [("x", x), ("y", y)] {
                    if !(0.0..=1.0).contains(value) {
                        errors.add_said(
                            format!("anchor.target.{name}"),
                            "must be a fraction from 0 to 1",
                            Words::new("err-domain-fraction", []),
                        );
                    }
                }
                for (name, value) in [("width", width), ("height", height)] {
                    if !(*value > 0.0 && *value <= 1.0) {
                        errors.add_said(
                            format!("anchor.target.{name}"),
                            "must be a fraction above 0 and at most 1",
                            Words::new("err-domain-fraction-positive", []),
                        );
                    }
                }
                if x + width > 1.0 + EPSILON || y + height > 1.0 + EPSILON {
                    errors.add_said("anchor.target", "the region must lie inside the image", Words::new("err-domain-anchor-region", []));
                }
            }
        }
        errors.into_result()
    }

    /// The text the anchor refers to: its channel's, or the base text.
    pub fn text<'a>(&self, content: &'a Content) -> &'a str {
        match self.channel_id {
            Some(channel) => content.effective(channel).text,
            None => &content.text,
        }
    }

    fn media<'a>(&self, content: &'a Content) -> &'a [MediaUse] {
        match self.channel_id {
            Some(channel) => content.effective(channel).media,
            None => &content.media,
        }
    }

    /// The characters a text anchor points at, if it points at text that exists.
    pub fn quote<'a>(&self, content: &'a Content) -> Option<&'a str> {
        let Some(Target::Text { start, end }) = self.target else { return None };
        let text = self.text(content);
        let byte = |chars: usize| text.char_indices().map(|(i, _)| i).chain([text.len()]).nth(chars);
        let (from, to) = (byte(start)?, byte(end)?);
        text.get(from..to).filter(|q| !q.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use uuid::Uuid;

    use super::*;
    use crate::content::Variant;

    fn channel(n: u128) -> ChannelId {
        ChannelId::from_uuid(Uuid::from_u128(n))
    }
    fn media(n: u128) -> MediaId {
        MediaId::from_uuid(Uuid::from_u128(n))
    }

    /// Base text with one image; channel 1 has its own text (with emoji) and
    /// no media; channel 2 inherits everything.
    fn content() -> Content {
        let mut variants = BTreeMap::new();
        variants.insert(channel(1), Variant { text: Some("Open 🎉🏥 Monday!".into()), media: Some(vec![]), ..Variant::default() });
        Content {
            text: "Our new wing opens Monday.".into(),
            media: vec![MediaUse { media_id: media(7), alt_text: None }],
            variants,
            ..Content::default()
        }
    }

    fn channels() -> BTreeSet<ChannelId> {
        [channel(1), channel(2)].into()
    }

    fn text(channel_id: Option<ChannelId>, start: usize, end: usize) -> Anchor {
        Anchor { revision: 1, channel_id, target: Some(Target::Text { start, end }) }
    }

    fn image(channel_id: Option<ChannelId>, media_id: MediaId, region: [f64; 4]) -> Anchor {
        let [x, y, width, height] = region;
        Anchor { revision: 1, channel_id, target: Some(Target::Image { media_id, x, y, width, height }) }
    }

    fn fields(result: Result<(), Vec<FieldError>>) -> Vec<String> {
        result.err().unwrap_or_default().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_whole_revision_or_a_channel_of_the_post() {
        let c = content();
        assert!(Anchor { revision: 1, channel_id: None, target: None }.validate(&c, &channels()).is_ok());
        assert!(Anchor { revision: 1, channel_id: Some(channel(2)), target: None }.validate(&c, &channels()).is_ok());
        // A channel with a variant counts even after the post stopped targeting it.
        assert!(Anchor { revision: 1, channel_id: Some(channel(1)), target: None }.validate(&c, &BTreeSet::new()).is_ok());
        let stranger = Anchor { revision: 1, channel_id: Some(channel(9)), target: None };
        assert_eq!(fields(stranger.validate(&c, &channels())), ["anchor.channel_id"]);
    }

    #[test]
    fn text_ranges_count_characters_not_bytes() {
        let c = content();
        // "Open 🎉🏥 Monday!" is 15 characters (each emoji one) but 21 bytes.
        assert_eq!(c.variants[&channel(1)].text.as_deref().map(|t| (t.chars().count(), t.len())), Some((15, 21)));
        let emoji = text(Some(channel(1)), 5, 7);
        assert!(emoji.validate(&c, &channels()).is_ok());
        assert_eq!(emoji.quote(&c), Some("🎉🏥"));
        let to_the_end = text(Some(channel(1)), 8, 15);
        assert!(to_the_end.validate(&c, &channels()).is_ok());
        assert_eq!(to_the_end.quote(&c), Some("Monday!"));
        // Past the last character (a byte offset would still fit): refused.
        let past = text(Some(channel(1)), 8, 16);
        assert_eq!(fields(past.validate(&c, &channels())), ["anchor.target.end"]);
        assert_eq!(past.quote(&c), None);
        let message = past.validate(&c, &channels()).err().unwrap_or_default().remove(0).message;
        assert!(message.contains("15 characters"), "{message}");
    }

    #[test]
    fn text_ranges_refer_to_the_channels_text_or_the_base() {
        let c = content();
        // The base text is 26 characters; channel 2 inherits it, channel 1 has 15.
        assert!(text(None, 20, 26).validate(&c, &channels()).is_ok());
        assert!(text(Some(channel(2)), 20, 26).validate(&c, &channels()).is_ok());
        assert_eq!(text(Some(channel(2)), 0, 3).quote(&c), Some("Our"));
        assert_eq!(fields(text(Some(channel(1)), 20, 26).validate(&c, &channels())), ["anchor.target.end"]);
        assert_eq!(fields(text(None, 3, 3).validate(&c, &channels())), ["anchor.target.start"]);
        assert_eq!(fields(text(None, 4, 2).validate(&c, &channels())), ["anchor.target.start"]);
        assert_eq!(fields(text(None, 0, 27).validate(&c, &channels())), ["anchor.target.end"]);
    }

    #[test]
    fn image_regions_lie_inside_an_image_that_is_used() {
        let c = content();
        assert!(image(None, media(7), [0.25, 0.5, 0.5, 0.5]).validate(&c, &channels()).is_ok());
        assert!(image(None, media(7), [0.0, 0.0, 1.0, 1.0]).validate(&c, &channels()).is_ok());
        assert!(image(None, media(7), [0.7, 0.1, 0.3, 0.2]).validate(&c, &channels()).is_ok(), "rounding is forgiven");
        // Channel 2 inherits the image; channel 1 shows none.
        assert!(image(Some(channel(2)), media(7), [0.1, 0.1, 0.1, 0.1]).validate(&c, &channels()).is_ok());
        assert_eq!(fields(image(Some(channel(1)), media(7), [0.1, 0.1, 0.1, 0.1]).validate(&c, &channels())), ["anchor.target.media_id"]);
        assert_eq!(fields(image(None, media(8), [0.1, 0.1, 0.1, 0.1]).validate(&c, &channels())), ["anchor.target.media_id"]);
        assert_eq!(fields(image(None, media(7), [0.6, 0.0, 0.5, 0.5]).validate(&c, &channels())), ["anchor.target"]);
        assert_eq!(fields(image(None, media(7), [0.0, 0.9, 0.5, 0.2]).validate(&c, &channels())), ["anchor.target"]);
        assert_eq!(fields(image(None, media(7), [-0.1, 0.0, 0.5, 0.5]).validate(&c, &channels())), ["anchor.target.x"]);
        assert_eq!(fields(image(None, media(7), [0.0, 1.5, 0.5, 0.5]).validate(&c, &channels())), ["anchor.target.y", "anchor.target"]);
        assert_eq!(fields(image(None, media(7), [0.1, 0.1, 0.0, 0.5]).validate(&c, &channels())), ["anchor.target.width"]);
        assert_eq!(fields(image(None, media(7), [0.1, 0.1, 0.5, -0.5]).validate(&c, &channels())), ["anchor.target.height"]);
        assert_eq!(fields(image(None, media(7), [0.1, 0.1, f64::NAN, 0.5]).validate(&c, &channels())), ["anchor.target.width"]);
    }

    #[test]
    fn anchors_read_as_the_api_writes_them() {
        let json = r#"{"revision": 2, "target": {"kind": "image", "media_id": "00000000-0000-0000-0000-000000000007",
                       "x": 0.1, "y": 0.2, "width": 0.3, "height": 0.4}}"#;
        let anchor: Anchor = serde_json::from_str(json).expect("parses");
        assert_eq!(anchor, Anchor { revision: 2, ..image(None, media(7), [0.1, 0.2, 0.3, 0.4]) });
        let text: Anchor = serde_json::from_str(r#"{"revision": 1, "target": {"kind": "text", "start": 0, "end": 3}}"#).expect("parses");
        assert_eq!(text.target, Some(Target::Text { start: 0, end: 3 }));
        for bad in [
            r#"{"revision": 1, "target": {"kind": "text", "start": 0, "end": 3, "colour": "red"}}"#,
            r#"{"revision": 1, "target": {"kind": "circle"}}"#,
            r#"{"revision": 1, "target": {"kind": "text", "start": -1, "end": 3}}"#,
            r#"{"revision": 1, "page": 3}"#,
        ] {
            assert!(serde_json::from_str::<Anchor>(bad).is_err(), "{bad}");
        }
        assert_eq!(Visibility::default(), Visibility::Internal);
        assert_eq!(Visibility::parse(Visibility::External.as_str()), Some(Visibility::External));
        assert_eq!(Visibility::parse("public"), None);
    }
}
