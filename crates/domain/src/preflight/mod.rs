//! Preflight: what one channel will receive, checked the way its network
//! will judge it and against the workspace's own style guide — text counted
//! the network's way against its documented limits, hashtags, mentions and
//! links found where the network finds them, media against the network's
//! media limits, alt text, links' safety and UTM tags, the thread and first
//! comment, and the style guide's rules.
//!
//! Every finding names the field it is about and, in a text, the range of
//! characters (Unicode scalar values, as comment anchors count), so the
//! composer can underline exactly what it is about; a media finding names
//! the media item. One module per network holds its rules and cites where
//! each limit comes from.

pub mod bluesky;
pub mod entities;
pub mod facebook;
pub mod instagram;
pub mod linkedin;
pub mod links;
pub mod mastodon;
pub mod media;
pub mod pinterest;
pub mod style;
pub mod text;
pub mod threads;
mod words;
pub mod x;

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
    str::FromStr,
};

use serde::{Deserialize, Serialize};

use crate::{
    content::Effective,
    id::{CampaignId, LabelId, MediaId},
    network::Network,
};
pub use entities::{Entities, Span};
pub use links::Link;
pub use media::MediaFacts;
pub use style::{CompiledGuide, StyleGuide};

/// The largest text preflight looks at; anything longer is refused before
/// counting (every network's limit is far below it).
pub const MAX_TEXT_BYTES: usize = 100_000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks submission for review.
    #[default]
    Error,
    /// Shown to the writer and the reviewers.
    Warning,
}

/// What a finding is about: a workflow's checklist item may be ticked
/// automatically while no finding of its kind remains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// Length and emptiness of the text, the way the network counts.
    Text,
    /// Media count, types, sizes, durations and shapes.
    Media,
    /// Alt text on every image, within the network's length.
    AltText,
    /// Links: well-formed, safe, reachable.
    Links,
    /// Hashtag limits, banned and required hashtags.
    Hashtags,
    /// Mention limits and the accounts to tag.
    Mentions,
    /// The style guide's words, terms, emoji, punctuation, capitals and patterns.
    Style,
    /// Disclosures a label requires, such as `#ad`.
    Disclosures,
    /// The thread and first comment the network can take.
    FollowUps,
}

impl Check {
    pub const ALL: [Check; 9] = [
        Check::Text,
        Check::Media,
        Check::AltText,
        Check::Links,
        Check::Hashtags,
        Check::Mentions,
        Check::Style,
        Check::Disclosures,
        Check::FollowUps,
    ];

    /// Its name in files and forms (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Text => "text",
            Check::Media => "media",
            Check::AltText => "alt_text",
            Check::Links => "links",
            Check::Hashtags => "hashtags",
            Check::Mentions => "mentions",
            Check::Style => "style",
            Check::Disclosures => "disclosures",
            Check::FollowUps => "follow_ups",
        }
    }

    pub fn parse(name: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// What it checks, for people.
    pub fn title(self) -> &'static str {
        match self {
            Check::Text => "Text length and content",
            Check::Media => "Media limits",
            Check::AltText => "Alt text on every image",
            Check::Links => "Links safe and reachable",
            Check::Hashtags => "Hashtags",
            Check::Mentions => "Mentions and accounts to tag",
            Check::Style => "The style guide",
            Check::Disclosures => "Required disclosures",
            Check::FollowUps => "Thread and first comment",
        }
    }
}

/// Which part of a channel's content a finding is about. Written as
/// `text`, `title`, `first_comment`, `link`, `thread.<i>` or `media.<i>`
/// (indices from 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    #[default]
    Text,
    Title,
    FirstComment,
    Link,
    Thread(usize),
    Media(usize),
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Text => f.write_str("text"),
            Field::Title => f.write_str("title"),
            Field::FirstComment => f.write_str("first_comment"),
            Field::Link => f.write_str("link"),
            Field::Thread(i) => write!(f, "thread.{i}"),
            Field::Media(i) => write!(f, "media.{i}"),
        }
    }
}

impl FromStr for Field {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let indexed = |rest: &str| rest.parse::<usize>().map_err(|_| format!("`{s}` is not a content field"));
        match s {
            "text" => Ok(Field::Text),
            "title" => Ok(Field::Title),
            "first_comment" => Ok(Field::FirstComment),
            "link" => Ok(Field::Link),
            _ => match s.split_once('.') {
                Some(("thread", i)) => indexed(i).map(Field::Thread),
                Some(("media", i)) => indexed(i).map(Field::Media),
                _ => Err(format!("`{s}` is not a content field")),
            },
        }
    }
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
    }
}

/// One thing preflight found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Finding {
    /// Stable id, e.g. `x.length`, `instagram.hashtags`, `media.alt_text`,
    /// `style.banned`.
    pub rule: String,
    #[serde(default = "Finding::default_check")]
    pub check: Check,
    pub severity: Severity,
    pub message: String,
    /// The part of the content it is about.
    #[serde(default)]
    #[schema(value_type = String, example = "text")]
    pub field: Field,
    /// The characters of that field it is about, if it is about some.
    pub span: Option<Span>,
    /// The media item it is about, for a finding on media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_id: Option<MediaId>,
    /// What to write instead (a banned word's replacement, the approved term).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The message as a catalogue message id and its values, so a page can
    /// write it in its reader's language; `message` stays the English text
    /// (the API and stored reports keep it). Reports stored before findings
    /// had words have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<Words>,
}

pub use crate::validation::Words;

impl Finding {
    pub fn new(check: Check, severity: Severity, rule: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            rule: rule.into(),
            check,
            severity,
            message: message.into(),
            field: Field::Text,
            span: None,
            media_id: None,
            suggestion: None,
            words: None,
        }
    }

    pub fn error(check: Check, rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(check, Severity::Error, rule, message)
    }

    pub fn warning(check: Check, rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(check, Severity::Warning, rule, message)
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn in_field(mut self, field: Field) -> Self {
        self.field = field;
        self
    }

    pub fn on_media(mut self, index: usize, id: MediaId) -> Self {
        self.field = Field::Media(index);
        self.media_id = Some(id);
        self
    }

    pub fn suggest(mut self, suggestion: Option<String>) -> Self {
        self.suggestion = suggestion;
        self
    }

    /// Its message as catalogue message `id` with these values (each a
    /// value the English message puts in, numbers as their decimal text).
    pub fn words(mut self, id: &str, args: impl IntoIterator<Item = (&'static str, String)>) -> Self {
        let args = args.into_iter().map(|(name, value)| (name.to_owned(), value)).collect();
        self.words = Some(Words { id: id.to_owned(), args });
        self
    }

    /// Reports stored before findings had a check were all about the text.
    fn default_check() -> Check {
        Check::Text
    }
}

/// A follow-up's length: the first comment or one post of the thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Counted {
    #[schema(value_type = String, example = "thread.0")]
    pub field: Field,
    pub length: usize,
    pub limit: usize,
}

/// One channel's content as its network sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    pub network: Network,
    /// The text's length the network's way (graphemes, weighted characters …).
    pub length: usize,
    pub limit: usize,
    /// The first comment's and each thread post's length.
    #[serde(default)]
    pub follow_ups: Vec<Counted>,
    /// The text's hashtags, mentions and links.
    pub entities: Entities,
    /// Every link, with the UTM parameters the workspace adds.
    #[serde(default)]
    pub links: Vec<Link>,
    pub findings: Vec<Finding>,
}

impl Report {
    /// The checks with a finding: a checklist item on one of them is open.
    pub fn open_checks(&self) -> BTreeSet<Check> {
        self.findings.iter().map(|f| f.check).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreflightError {
    #[error("the {0} is {1} bytes; preflight looks at most {MAX_TEXT_BYTES}")]
    TooLarge(Field, usize),
}

impl PreflightError {
    /// The error as the finding a report shows in place of the checks.
    pub fn finding(&self) -> Finding {
        match self {
            PreflightError::TooLarge(field, bytes) => Finding::error(Check::Text, "preflight.size", self.to_string()).words(
                "finding-too-large",
                [("field", field.to_string()), ("bytes", bytes.to_string()), ("max", MAX_TEXT_BYTES.to_string())],
            ),
        }
    }
}

/// The channel a variant is for.
#[derive(Debug, Clone, Copy)]
pub struct Channel<'a> {
    pub network: Network,
    pub handle: &'a str,
    /// The instance's own text limit (a Mastodon server's), when it has one.
    pub text_limit: Option<usize>,
}

/// What preflight knows of the post beyond its content.
#[derive(Debug, Clone, Copy)]
pub struct PostFacts<'a> {
    pub title: &'a str,
    pub labels: &'a BTreeSet<LabelId>,
    /// The campaign and its name (for UTM tags).
    pub campaign: Option<(CampaignId, &'a str)>,
}

/// What the workspace knows that the content refers to.
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    /// The library's facts about each media item.
    pub media: &'a BTreeMap<MediaId, MediaFacts>,
    /// Links a reachability check found broken, and why.
    pub unreachable: &'a BTreeMap<String, String>,
}

/// Everything one check looks at.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub channel: Channel<'a>,
    pub post: PostFacts<'a>,
    pub content: Effective<'a>,
    pub known: Known<'a>,
}

/// How a network takes follow-ups: a thread of replies, a first comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUp {
    /// Published as a reply to the post, counted as a post.
    Reply,
    /// Published as a comment on the post, counted in characters up to this.
    Comment(usize),
    /// The network takes none.
    Unsupported,
}

/// A network's rules for follow-ups: the first comment, and whether a
/// thread can follow (only where the first comment is a reply).
pub fn follow_up(network: Network) -> FollowUp {
    match network {
        Network::X | Network::Bluesky | Network::Mastodon | Network::Threads | Network::Webhook => FollowUp::Reply,
        Network::Linkedin => FollowUp::Comment(linkedin::COMMENT_LIMIT),
        Network::Instagram => FollowUp::Comment(instagram::COMMENT_LIMIT),
        Network::Facebook => FollowUp::Comment(facebook::COMMENT_LIMIT),
        Network::Pinterest => FollowUp::Unsupported,
    }
}

/// A text's length, limit and findings, the network's way.
pub struct Counting {
    pub length: usize,
    pub limit: usize,
    pub findings: Vec<Finding>,
}

/// Counts one post's text for `network` (the post itself, or a reply in
/// its thread) and checks the network's own limits on it.
pub fn count(network: Network, text: &str, entities: &Entities, text_limit: Option<usize>) -> Counting {
    let (length, limit, findings) = match network {
        Network::X => x::check(text),
        Network::Bluesky => bluesky::check(text),
        Network::Mastodon => mastodon::check(text, entities, text_limit.unwrap_or(mastodon::DEFAULT_LIMIT)),
        Network::Linkedin => linkedin::check(text),
        Network::Instagram => instagram::check(text, entities),
        Network::Threads => threads::check(text, entities),
        Network::Facebook => facebook::check(text),
        Network::Pinterest => pinterest::check_description(text),
        // A generic webhook takes whatever it is given.
        Network::Webhook => (text.chars().count(), usize::MAX, Vec::new()),
    };
    Counting { length, limit, findings }
}

/// Checks what one channel will receive.
pub fn check(subject: &Subject<'_>, guide: &CompiledGuide) -> Result<Report, PreflightError> {
    let network = subject.channel.network;
    let content = &subject.content;
    let texts = Texts::of(subject)?;

    let entities = Entities::find(network, content.text);
    let main = count(network, content.text, &entities, subject.channel.text_limit);
    let mut findings = main.findings;
    // Every network publishes a picture or video without words; none publishes nothing.
    if content.text.trim().is_empty() && content.media.is_empty() {
        let message = format!("{} needs some text, or an image or video", network.title());
        findings.push(
            Finding::error(Check::Text, format!("{}.empty", network.as_str()), message)
                .words("finding-empty", [("network", network.title().to_owned())]),
        );
    }
    if network == Network::Pinterest {
        findings.extend(pinterest::check_title(subject.post.title));
    }
    let (follow_ups, follow_up_findings) = check_follow_ups(network, content, subject.channel.text_limit);
    findings.extend(follow_up_findings);
    findings.extend(media::check(network, content.media, subject.known.media, guide.alt_text_severity()));

    // Every published text's entities, for the links and the guide.
    let found: Vec<(Field, &str, Entities)> = texts
        .published
        .iter()
        .map(|(field, text)| (*field, *text, if *field == Field::Text { entities.clone() } else { Entities::find(network, text) }))
        .collect();
    let (links, link_findings) = links::check(subject, &found, guide);
    findings.extend(link_findings);
    findings.extend(guide.check(subject, &texts, &found));
    findings.sort_by_key(|f| (f.severity, f.field, f.span));
    Ok(Report { network, length: main.length, limit: main.limit, follow_ups, entities, links, findings })
}

/// The texts of a channel's content that the network publishes, each with
/// its field; refused when one is too large to check.
pub struct Texts<'a> {
    pub published: Vec<(Field, &'a str)>,
}

impl<'a> Texts<'a> {
    fn of(subject: &Subject<'a>) -> Result<Self, PreflightError> {
        let content = &subject.content;
        let mut published = vec![(Field::Text, content.text)];
        if subject.channel.network == Network::Pinterest {
            published.push((Field::Title, subject.post.title));
        }
        let follow = follow_up(subject.channel.network);
        if follow != FollowUp::Unsupported {
            published.extend(content.first_comment.map(|c| (Field::FirstComment, c)));
        }
        if follow == FollowUp::Reply {
            published.extend(content.thread.iter().enumerate().map(|(i, t)| (Field::Thread(i), t.as_str())));
        }
        for (field, text) in &published {
            if text.len() > MAX_TEXT_BYTES {
                return Err(PreflightError::TooLarge(*field, text.len()));
            }
        }
        Ok(Texts { published })
    }
}

/// The first comment and the thread, as the network takes them.
fn check_follow_ups(network: Network, content: &Effective<'_>, text_limit: Option<usize>) -> (Vec<Counted>, Vec<Finding>) {
    let mut counted = Vec::new();
    let mut findings = Vec::new();
    let name = network.title();
    let follow = follow_up(network);
    let as_reply = |field: Field, text: &str, counted: &mut Vec<Counted>, findings: &mut Vec<Finding>| {
        let c = count(network, text, &Entities::find(network, text), text_limit);
        counted.push(Counted { field, length: c.length, limit: c.limit });
        findings.extend(c.findings.into_iter().map(|f| f.in_field(field)));
        if text.trim().is_empty() {
            findings.push(
                Finding::error(Check::FollowUps, "follow_up.empty", "an empty post cannot be published")
                    .words("finding-follow-up-empty", [])
                    .in_field(field),
            );
        }
    };
    if let Some(comment) = content.first_comment {
        match follow {
            FollowUp::Reply => as_reply(Field::FirstComment, comment, &mut counted, &mut findings),
            FollowUp::Comment(limit) => {
                let length = comment.chars().count();
                counted.push(Counted { field: Field::FirstComment, length, limit });
                let fits = chars_within(comment, limit, |_| 1);
                if let Some(f) = over_limit(network, Measure::CommentCharacters, length, limit, fits, comment) {
                    findings.push(Finding { rule: format!("{}.comment_length", network.as_str()), ..f.in_field(Field::FirstComment) });
                }
            }
            FollowUp::Unsupported => findings.push(
                Finding::warning(
                    Check::FollowUps,
                    format!("{}.first_comment", network.as_str()),
                    format!("{name} takes no comments from apps: the first comment is not published there"),
                )
                .words("finding-first-comment-unsupported", [("network", name.to_owned())])
                .in_field(Field::FirstComment),
            ),
        }
    }
    if !content.thread.is_empty() {
        if follow == FollowUp::Reply {
            for (i, post) in content.thread.iter().enumerate() {
                as_reply(Field::Thread(i), post, &mut counted, &mut findings);
            }
        } else {
            let posts = content.thread.len();
            findings.push(
                Finding::warning(
                    Check::FollowUps,
                    format!("{}.thread", network.as_str()),
                    format!("{name} has no threads: the {posts} follow-up post(s) are not published there"),
                )
                .words("finding-thread-unsupported", [("network", name.to_owned()), ("posts", posts.to_string())])
                .in_field(Field::Thread(0)),
            );
        }
    }
    (counted, findings)
}

/// What a network's text limit counts, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measure {
    Characters,
    WeightedCharacters,
    Graphemes,
    DescriptionCharacters,
    TitleCharacters,
    CommentCharacters,
}

impl Measure {
    /// As the English message writes it.
    fn english(self) -> &'static str {
        match self {
            Measure::Characters => "characters",
            Measure::WeightedCharacters => "weighted characters",
            Measure::Graphemes => "graphemes",
            Measure::DescriptionCharacters => "characters in a description",
            Measure::TitleCharacters => "characters in a title",
            Measure::CommentCharacters => "characters in a comment",
        }
    }

    /// The catalogue message of a text over its limit.
    fn message_id(self) -> &'static str {
        match self {
            Measure::Characters => "finding-length-characters",
            Measure::WeightedCharacters => "finding-length-weighted-characters",
            Measure::Graphemes => "finding-length-graphemes",
            Measure::DescriptionCharacters => "finding-length-description",
            Measure::TitleCharacters => "finding-length-title",
            Measure::CommentCharacters => "finding-length-comment",
        }
    }
}

/// The finding for a text over its limit: the span runs from the first
/// character past the limit (`fits` characters fit) to the end.
pub(crate) fn over_limit(network: Network, what: Measure, length: usize, limit: usize, fits: usize, text: &str) -> Option<Finding> {
    let chars = text.chars().count();
    (length > limit).then(|| {
        Finding::error(
            Check::Text,
            format!("{}.length", network.as_str()),
            format!("{} allows {limit} {}; this is {length}", network.title(), what.english()),
        )
        .words(what.message_id(), [("network", network.title().to_owned()), ("limit", limit.to_string()), ("length", length.to_string())])
        .at(Span { start: fits.min(chars), end: chars })
    })
}

/// What a network limits the number of in a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counts {
    Hashtags,
    Mentions,
    TopicTag,
}

impl Counts {
    /// As the English message writes it.
    fn english(self) -> &'static str {
        match self {
            Counts::Hashtags => "hashtags",
            Counts::Mentions => "@-mentions",
            Counts::TopicTag => "topic tag",
        }
    }

    fn message_id(self) -> &'static str {
        match self {
            Counts::Hashtags => "finding-too-many-hashtags",
            Counts::Mentions => "finding-too-many-mentions",
            Counts::TopicTag => "finding-too-many-topic-tags",
        }
    }
}

/// A finding for too many of something (hashtags, mentions), pointing at
/// the first one over the limit.
pub(crate) fn too_many(network: Network, check: Check, rule: &str, what: Counts, found: &[Span], limit: usize) -> Option<Finding> {
    found.get(limit).map(|first_over| {
        Finding::error(
            check,
            format!("{}.{rule}", network.as_str()),
            format!("{} allows at most {limit} {}; this has {}", network.title(), what.english(), found.len()),
        )
        .words(
            what.message_id(),
            [("network", network.title().to_owned()), ("limit", limit.to_string()), ("count", found.len().to_string())],
        )
        .at(*first_over)
    })
}

/// How many characters of `text` fit when each counts `weight(char)`.
pub(crate) fn chars_within(text: &str, limit: usize, weight: impl Fn(char) -> usize) -> usize {
    let weights: Vec<usize> = text.chars().map(weight).collect();
    chars_within_weights(&weights, limit)
}

/// How many leading characters fit, given what each counts for.
pub(crate) fn chars_within_weights(weights: &[usize], limit: usize) -> usize {
    let mut used = 0;
    for (i, w) in weights.iter().enumerate() {
        used += w;
        if used > limit {
            return i;
        }
    }
    weights.len()
}

#[cfg(test)]
mod tests;
