//! Hashtags, mentions and links, found where each network finds them.
//!
//! X's are found by twitter-text's extractor (X's reference grammar), a
//! word at a time (see `words`), with its UTF-16 offsets turned into
//! character offsets. Mastodon's server extracts links and mentions with
//! the same grammar (its `Extractor` extends twitter-text's) but hashtags
//! by its own pattern (`mastodon::hashtags`); Bluesky's app finds all three
//! by its own patterns (`bluesky::entities`). Instagram, Threads, LinkedIn,
//! Facebook and Pinterest publish no grammar: twitter-text's, the de-facto
//! one, stands in.

use serde::{Deserialize, Serialize};

use super::{bluesky, mastodon, words};
use crate::network::Network;
use twitter_text::{
    entity::Type,
    extractor::{Extract, Extractor},
};

/// A half-open range of characters (Unicode scalar values) in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// The spanned characters of `text`.
    pub fn of<'a>(&self, text: &'a str) -> &'a str {
        let byte = |chars: usize| text.char_indices().map(|(i, _)| i).chain([text.len()]).nth(chars).unwrap_or(text.len());
        &text[byte(self.start)..byte(self.end.max(self.start))]
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Entities {
    pub hashtags: Vec<Span>,
    /// `@name`, and `@name@server` (a remote account on Mastodon).
    pub mentions: Vec<Span>,
    /// Links, with or without `https://`.
    pub urls: Vec<Span>,
}

impl Entities {
    /// The entities of `text` as `network` recognises them.
    pub fn find(network: Network, text: &str) -> Self {
        match network {
            Network::Bluesky => bluesky::entities(text),
            Network::Mastodon => Entities { hashtags: mastodon::hashtags(text), ..Self::twitter(text) },
            _ => Self::twitter(text),
        }
    }

    /// Every mention, hashtag and link, in order, as spans.
    pub fn all(&self) -> impl Iterator<Item = &Span> {
        self.hashtags.iter().chain(&self.mentions).chain(&self.urls)
    }

    /// By twitter-text's grammar.
    fn twitter(text: &str) -> Self {
        let mut found = Entities::default();
        for piece in words::pieces(text).into_iter().filter(|p| !p.space && words::may_hold_entity(p.text)) {
            if piece.long {
                if let Some(len) = words::long_link(piece.text) {
                    found.urls.push(Span { start: piece.start, end: piece.start + len });
                }
                continue;
            }
            // UTF-16 offset → character offset within the word.
            let mut at = Vec::with_capacity(piece.text.len() + 1);
            for (i, c) in piece.text.chars().enumerate() {
                at.extend(std::iter::repeat_n(i, c.len_utf16()));
            }
            let chars = piece.text.chars().count();
            at.push(chars);
            let to_char = |utf16: i32| piece.start + usize::try_from(utf16).ok().and_then(|u| at.get(u).copied()).unwrap_or(chars);
            let extractor = Extractor::with_parser_backend(super::x::backend(piece.text));
            for e in extractor.extract_entities_with_indices_federated(piece.text) {
                let span = Span { start: to_char(e.start), end: to_char(e.end) };
                match e.t {
                    Type::HASHTAG => found.hashtags.push(span),
                    Type::MENTION | Type::FEDERATEDMENTION => found.mentions.push(span),
                    Type::URL => found.urls.push(span),
                    Type::CASHTAG => {}
                }
            }
        }
        found
    }
}
