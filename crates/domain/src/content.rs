//! A post's content: the base text with its media, link, first comment and
//! thread, and per-channel variants that override any of them. A revision is an
//! immutable snapshot of one `Content`, identified by its canonical hash.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{
    canonical::{Canonical, Hash},
    id::{ChannelId, MediaId},
    validation::{Errors, FieldError, Words},
};

/// Longest text, link-free, any field may hold (Facebook allows 63,206
/// characters, the most of any network we serve); anything longer is refused.
pub const MAX_TEXT_CHARS: usize = 65_536;
/// Longest alt text we store; each network's own, lower limit is checked by preflight.
pub const MAX_ALT_TEXT_CHARS: usize = 5_000;
/// Most media items on one variant (Instagram and LinkedIn carousels: 20).
pub const MAX_MEDIA: usize = 20;
/// Longest link (the de-facto limit of browsers and of most networks).
pub const MAX_LINK_CHARS: usize = 2_048;
/// Most follow-up posts in a thread (X's composer stops at 25).
pub const MAX_THREAD: usize = 25;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Content {
    #[serde(default)]
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<MediaUse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_comment: Option<String>,
    /// Follow-up posts, published as replies to the post, in order (a thread
    /// on networks that have them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thread: Vec<String>,
    /// Overrides per target channel; a field left out inherits the base.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variants: BTreeMap<ChannelId, Variant>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `Some(vec![])` means "no media on this channel", unlike `None` (inherit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<Vec<MediaUse>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_comment: Option<String>,
    /// `Some(vec![])` means "no thread on this channel", unlike `None` (inherit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Vec<String>>,
}

/// One use of a media item; alt text belongs to the use, not the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaUse {
    pub media_id: MediaId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_text: Option<String>,
}

/// What one channel will receive after overrides are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effective<'a> {
    pub text: &'a str,
    pub media: &'a [MediaUse],
    pub link: Option<&'a str>,
    pub first_comment: Option<&'a str>,
    pub thread: &'a [String],
}

fn none_if_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

/// A thread without its empty posts (an empty post is no post).
fn normalize_thread(thread: Vec<String>) -> Vec<String> {
    thread.into_iter().filter(|t| !t.is_empty()).collect()
}

fn normalize_media(media: Vec<MediaUse>) -> Vec<MediaUse> {
    media.into_iter().map(|m| MediaUse { media_id: m.media_id, alt_text: none_if_empty(m.alt_text) }).collect()
}

impl Variant {
    fn is_empty(&self) -> bool {
        self.text.is_none() && self.media.is_none() && self.link.is_none() && self.first_comment.is_none() && self.thread.is_none()
    }
}

impl Content {
    /// One spelling per meaning: an empty optional string is an absent one,
    /// and a variant that overrides nothing is no variant. Text is kept
    /// byte for byte: a changed space is a changed post.
    pub fn normalized(self) -> Content {
        let variants = self
            .variants
            .into_iter()
            .map(|(channel, v)| {
                let v = Variant {
                    text: v.text,
                    media: v.media.map(normalize_media),
                    link: none_if_empty(v.link),
                    first_comment: none_if_empty(v.first_comment),
                    thread: v.thread.map(normalize_thread),
                };
                (channel, v)
            })
            .filter(|(_, v)| !v.is_empty())
            .collect();
        Content {
            text: self.text,
            media: normalize_media(self.media),
            link: none_if_empty(self.link),
            first_comment: none_if_empty(self.first_comment),
            thread: normalize_thread(self.thread),
            variants,
        }
    }

    /// The canonical hash: equal for equal content whatever order the
    /// variants arrived in, different when any field differs.
    pub fn hash(&self) -> Hash {
        let mut c = Canonical::new("greenlight.content.v1");
        c.str("text", &self.text);
        if !self.media.is_empty() {
            hash_media(&mut c, &self.media);
        }
        c.opt_str("link", self.link.as_deref());
        c.opt_str("first_comment", self.first_comment.as_deref());
        // Left out when empty, so content from before threads hashes as it did.
        if !self.thread.is_empty() {
            hash_thread(&mut c, &self.thread);
        }
        if !self.variants.is_empty() {
            c.list("variants", self.variants.len());
            for (channel, v) in &self.variants {
                c.item().str("channel", &channel.to_string());
                c.opt_str("text", v.text.as_deref());
                if let Some(media) = &v.media {
                    hash_media(&mut c, media);
                }
                c.opt_str("link", v.link.as_deref());
                c.opt_str("first_comment", v.first_comment.as_deref());
                if let Some(thread) = &v.thread {
                    hash_thread(&mut c, thread);
                }
            }
        }
        c.finish()
    }

    /// The content one channel receives.
    pub fn effective(&self, channel: ChannelId) -> Effective<'_> {
        let v = self.variants.get(&channel);
        Effective {
            text: v.and_then(|v| v.text.as_deref()).unwrap_or(&self.text),
            media: v.and_then(|v| v.media.as_deref()).unwrap_or(&self.media),
            link: v.and_then(|v| v.link.as_deref()).or(self.link.as_deref()),
            first_comment: v.and_then(|v| v.first_comment.as_deref()).or(self.first_comment.as_deref()),
            thread: v.and_then(|v| v.thread.as_deref()).unwrap_or(&self.thread),
        }
    }

    /// Every media item the content refers to.
    pub fn media_ids(&self) -> BTreeSet<MediaId> {
        let variant_media = self.variants.values().filter_map(|v| v.media.as_deref()).flatten();
        self.media.iter().chain(variant_media).map(|m| m.media_id).collect()
    }

    /// Checks sizes and that variants exist only for target channels.
    pub fn validate(&self, targets: &BTreeSet<ChannelId>) -> Result<(), Vec<FieldError>> {
        let mut errors = Errors::new();
        let base = Fields {
            text: Some(&self.text),
            media: Some(&self.media),
            link: self.link.as_deref(),
            first_comment: self.first_comment.as_deref(),
            thread: Some(&self.thread),
        };
        check_fields(&mut errors, "", &base);
        for (channel, v) in &self.variants {
            let prefix = format!("variants.{channel}.");
            if !targets.contains(channel) {
                errors.add_said(
                    format!("variants.{channel}"),
                    "is not one of the post's channels",
                    Words::new("err-domain-not-post-channel", []),
                );
            }
            let fields = Fields {
                text: v.text.as_ref(),
                media: v.media.as_ref(),
                link: v.link.as_deref(),
                first_comment: v.first_comment.as_deref(),
                thread: v.thread.as_ref(),
            };
            check_fields(&mut errors, &prefix, &fields);
        }
        errors.into_result()
    }
}

fn hash_media(c: &mut Canonical, media: &[MediaUse]) {
    c.list("media", media.len());
    for m in media {
        c.item().str("media_id", &m.media_id.to_string()).opt_str("alt_text", m.alt_text.as_deref());
    }
}

fn hash_thread(c: &mut Canonical, thread: &[String]) {
    c.list("thread", thread.len());
    for post in thread {
        c.item().str("text", post);
    }
}

/// The fields of the base content or of a variant (`None`: inherited).
struct Fields<'a> {
    text: Option<&'a String>,
    media: Option<&'a Vec<MediaUse>>,
    link: Option<&'a str>,
    first_comment: Option<&'a str>,
    thread: Option<&'a Vec<String>>,
}

fn check_fields(errors: &mut Errors, prefix: &str, fields: &Fields<'_>) {
    let thread = fields.thread.into_iter().flatten().enumerate().map(|(i, t)| (format!("thread.{i}"), Some(t.as_str())));
    let texts = [("text".to_owned(), fields.text.map(String::as_str)), ("first_comment".to_owned(), fields.first_comment)];
    for (name, value) in texts.into_iter().chain(thread) {
        if value.is_some_and(|v| v.chars().count() > MAX_TEXT_CHARS) {
            errors.add_said(format!("{prefix}{name}"), format!("must be at most {MAX_TEXT_CHARS} characters"), too_long(MAX_TEXT_CHARS));
        }
    }
    if fields.thread.is_some_and(|t| t.len() > MAX_THREAD) {
        let words = Words::new("err-domain-thread-too-many", [("max", MAX_THREAD.to_string())]);
        errors.add_said(format!("{prefix}thread"), format!("must hold at most {MAX_THREAD} posts"), words);
    }
    if let Some(link) = fields.link
        && let Err(message) = check_link(link)
    {
        // The two ways `check_link` refuses a link, each its own message.
        let words =
            if link.chars().count() > MAX_LINK_CHARS { too_long(MAX_LINK_CHARS) } else { Words::new("err-domain-link-not-absolute", []) };
        errors.add_said(format!("{prefix}link"), message, words);
    }
    if let Some(media) = fields.media {
        if media.len() > MAX_MEDIA {
            let words = Words::new("err-domain-media-too-many", [("max", MAX_MEDIA.to_string())]);
            errors.add_said(format!("{prefix}media"), format!("must hold at most {MAX_MEDIA} items"), words);
        }
        for (i, m) in media.iter().enumerate() {
            if m.alt_text.as_ref().is_some_and(|a| a.chars().count() > MAX_ALT_TEXT_CHARS) {
                let english = format!("must be at most {MAX_ALT_TEXT_CHARS} characters");
                errors.add_said(format!("{prefix}media.{i}.alt_text"), english, too_long(MAX_ALT_TEXT_CHARS));
            }
        }
    }
}

/// A link must be an absolute http(s) URL without spaces; other schemes
/// (`javascript:`, `data:` …) are never accepted.
/// The words of "must be at most {max} characters".
fn too_long(max: usize) -> Words {
    Words::new("err-domain-too-long", [("max", max.to_string())])
}

pub fn check_link(link: &str) -> Result<(), String> {
    if link.chars().count() > MAX_LINK_CHARS {
        return Err(format!("must be at most {MAX_LINK_CHARS} characters"));
    }
    let lower = link.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
    if host.is_none_or(str::is_empty) || link.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must be an absolute http:// or https:// link".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use uuid::Uuid;

    use super::*;

    fn channel(n: u128) -> ChannelId {
        ChannelId::from_uuid(Uuid::from_u128(n))
    }
    fn media(n: u128) -> MediaId {
        MediaId::from_uuid(Uuid::from_u128(n))
    }

    fn sample() -> Content {
        let mut variants = BTreeMap::new();
        variants.insert(channel(1), Variant { text: Some("Short for X".into()), ..Variant::default() });
        variants.insert(
            channel(2),
            Variant {
                media: Some(vec![]),
                link: Some("https://example.org/b".into()),
                first_comment: Some("#tag".into()),
                text: None,
                thread: Some(vec![]),
            },
        );
        Content {
            text: "Our new cardiac wing opens Monday.".into(),
            media: vec![MediaUse { media_id: media(7), alt_text: Some("The new wing".into()) }],
            link: Some("https://example.org/a".into()),
            first_comment: Some("More at the link".into()),
            thread: vec!["2/ Parking is free.".into()],
            variants,
        }
    }

    #[test]
    fn effective_content_applies_overrides() {
        let c = sample();
        let x = c.effective(channel(1));
        assert_eq!(x.text, "Short for X");
        assert_eq!(x.media.len(), 1);
        let other = c.effective(channel(2));
        assert_eq!(other.text, c.text);
        assert!(other.media.is_empty());
        assert_eq!(other.link, Some("https://example.org/b"));
        assert_eq!(c.effective(channel(3)).first_comment, Some("More at the link"));
        assert_eq!(c.effective(channel(3)).thread, c.thread.as_slice(), "a thread is inherited");
        assert!(other.thread.is_empty(), "or left out on one channel");
    }

    #[test]
    fn normalizing_gives_one_spelling() {
        let mut c = sample();
        c.link = Some(String::new());
        c.variants.insert(channel(3), Variant::default());
        let n = c.normalized();
        assert_eq!(n.link, None);
        assert!(!n.variants.contains_key(&channel(3)));
        let mut inherit = sample();
        inherit.variants.get_mut(&channel(2)).expect("present").media = None;
        assert_ne!(sample().hash(), inherit.hash(), "no media differs from inherited media");
    }

    #[test]
    fn validation_names_each_field() {
        let mut c = sample();
        c.link = Some("javascript:alert(1)".into());
        c.text = "x".repeat(MAX_TEXT_CHARS + 1);
        let targets: BTreeSet<_> = [channel(1)].into();
        let errors = c.validate(&targets).expect_err("invalid");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["text", "link", &format!("variants.{}", channel(2))]);
        assert!(sample().validate(&[channel(1), channel(2)].into()).is_ok());
        for bad in ["ftp://x", "https://", "https:// x.org", "example.org"] {
            assert!(check_link(bad).is_err(), "{bad}");
        }
    }

    fn arb_text() -> impl Strategy<Value = String> {
        prop_oneof![Just(String::new()), "\\PC{0,12}"]
    }

    fn arb_media() -> impl Strategy<Value = Vec<MediaUse>> {
        prop::collection::vec(
            (0u128..4, prop::option::of("\\PC{1,6}")).prop_map(|(m, alt)| MediaUse { media_id: media(m), alt_text: alt }),
            0..3,
        )
    }

    fn arb_thread() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec("\\PC{1,6}", 0..3)
    }

    fn arb_variant() -> impl Strategy<Value = Variant> {
        (
            prop::option::of(arb_text()),
            prop::option::of(arb_media()),
            prop::option::of("\\PC{1,6}"),
            prop::option::of("\\PC{1,6}"),
            prop::option::of(arb_thread()),
        )
            .prop_map(|(text, media, link, first_comment, thread)| Variant { text, media, link, first_comment, thread })
    }

    fn arb_content() -> impl Strategy<Value = Content> {
        (
            arb_text(),
            arb_media(),
            prop::option::of("\\PC{1,6}"),
            prop::option::of("\\PC{1,6}"),
            arb_thread(),
            prop::collection::btree_map((0u128..4).prop_map(channel), arb_variant(), 0..4),
        )
            .prop_map(|(text, media, link, first_comment, thread, variants)| {
                Content { text, media, link, first_comment, thread, variants }.normalized()
            })
    }

    /// One change to one field of a content.
    #[derive(Debug, Clone)]
    enum Mutation {
        Text(String),
        AltText(usize, Option<String>),
        SwapMedia,
        Link(Option<String>),
        FirstComment(Option<String>),
        Thread(Vec<String>),
        VariantThread(Option<Vec<String>>),
        VariantText(Option<String>),
        VariantMedia(Option<Vec<MediaUse>>),
        VariantLink(Option<String>),
        DropVariant,
    }

    fn arb_mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            arb_text().prop_map(Mutation::Text),
            (0usize..3, prop::option::of("\\PC{1,6}")).prop_map(|(i, a)| Mutation::AltText(i, a)),
            Just(Mutation::SwapMedia),
            prop::option::of("\\PC{1,6}").prop_map(Mutation::Link),
            prop::option::of("\\PC{1,6}").prop_map(Mutation::FirstComment),
            arb_thread().prop_map(Mutation::Thread),
            prop::option::of(arb_thread()).prop_map(Mutation::VariantThread),
            prop::option::of(arb_text()).prop_map(Mutation::VariantText),
            prop::option::of(arb_media()).prop_map(Mutation::VariantMedia),
            prop::option::of("\\PC{1,6}").prop_map(Mutation::VariantLink),
            Just(Mutation::DropVariant),
        ]
    }

    fn apply(mut c: Content, m: Mutation) -> Content {
        let first_variant = c.variants.keys().next().copied();
        match m {
            Mutation::Text(t) => c.text = t,
            Mutation::AltText(i, a) => {
                if let Some(item) = c.media.get_mut(i) {
                    item.alt_text = a;
                }
            }
            Mutation::SwapMedia => c.media.reverse(),
            Mutation::Link(l) => c.link = l,
            Mutation::FirstComment(f) => c.first_comment = f,
            Mutation::Thread(t) => c.thread = t,
            Mutation::VariantThread(t) => {
                if let Some(v) = first_variant.and_then(|k| c.variants.get_mut(&k)) {
                    v.thread = t;
                }
            }
            Mutation::VariantText(t) => {
                if let Some(v) = first_variant.and_then(|k| c.variants.get_mut(&k)) {
                    v.text = t;
                }
            }
            Mutation::VariantMedia(media) => {
                if let Some(v) = first_variant.and_then(|k| c.variants.get_mut(&k)) {
                    v.media = media;
                }
            }
            Mutation::VariantLink(l) => {
                if let Some(v) = first_variant.and_then(|k| c.variants.get_mut(&k)) {
                    v.link = l;
                }
            }
            Mutation::DropVariant => {
                if let Some(k) = first_variant {
                    c.variants.remove(&k);
                }
            }
        }
        c.normalized()
    }

    proptest! {
        /// Variants are a map: the order they were given in does not matter.
        #[test]
        fn hash_ignores_variant_order(c in arb_content()) {
            let mut reversed = BTreeMap::new();
            for (k, v) in c.variants.clone().into_iter().rev() {
                reversed.insert(k, v);
            }
            let json = serde_json::to_string(&c).expect("serializes");
            let back: Content = serde_json::from_str(&json).expect("parses");
            prop_assert_eq!(c.hash(), Content { variants: reversed, ..c.clone() }.hash());
            prop_assert_eq!(c.hash(), back.hash());
        }

        /// Every field counts: content that differs in any field hashes differently.
        #[test]
        fn hash_changes_with_every_field(c in arb_content(), m in arb_mutation()) {
            let changed = apply(c.clone(), m);
            prop_assert_eq!(changed == c, changed.hash() == c.hash());
        }
    }
}
