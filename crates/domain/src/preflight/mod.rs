//! Preflight: a post's text checked the way each network will judge it —
//! counted the network's way, against its documented limits, with its
//! hashtags, mentions and links found where the network finds them.
//!
//! Every finding points at a range of the text in characters (Unicode
//! scalar values, as comment anchors count), so the composer can underline
//! exactly what it is about. One module per network holds its rules and
//! cites where each limit comes from.

pub mod bluesky;
pub mod entities;
pub mod facebook;
pub mod instagram;
pub mod linkedin;
pub mod mastodon;
pub mod pinterest;
pub mod threads;
mod words;
pub mod x;

use serde::{Deserialize, Serialize};

use crate::network::Network;
pub use entities::{Entities, Span};

/// The largest text preflight looks at; anything longer is refused before
/// counting (every network's limit is far below it).
pub const MAX_TEXT_BYTES: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks submission for review.
    Error,
    /// Shown to the writer and the reviewers.
    Warning,
}

/// One thing preflight found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Finding {
    /// Stable id, e.g. `x.length`, `instagram.hashtags`.
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// The characters it is about, if it is about some.
    pub span: Option<Span>,
}

/// A text as one network sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TextReport {
    pub network: Network,
    /// The length the network's way (graphemes, weighted characters …).
    pub length: usize,
    pub limit: usize,
    pub entities: Entities,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreflightError {
    #[error("the text is {0} bytes; preflight looks at most {MAX_TEXT_BYTES}")]
    TooLarge(usize),
}

/// Counts and checks `text` for `network`. `mastodon_limit` is the
/// instance's own limit (500 unless it says otherwise).
pub fn check_text(network: Network, text: &str, mastodon_limit: Option<usize>) -> Result<TextReport, PreflightError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(PreflightError::TooLarge(text.len()));
    }
    let entities = Entities::find(text);
    let (length, limit, mut findings) = match network {
        Network::X => x::check(text),
        Network::Bluesky => bluesky::check(text),
        Network::Mastodon => mastodon::check(text, &entities, mastodon_limit.unwrap_or(mastodon::DEFAULT_LIMIT)),
        Network::Linkedin => linkedin::check(text),
        Network::Instagram => instagram::check(text, &entities),
        Network::Threads => threads::check(text, &entities),
        Network::Facebook => facebook::check(text),
        Network::Pinterest => pinterest::check_description(text),
        // A generic webhook takes whatever it is given.
        Network::Webhook => (text.chars().count(), usize::MAX, Vec::new()),
    };
    if text.trim().is_empty() {
        findings.push(Finding {
            rule: format!("{}.empty", network.as_str()),
            severity: Severity::Error,
            message: format!("{} needs some text", network.title()),
            span: None,
        });
    }
    Ok(TextReport { network, length, limit, entities, findings })
}

/// The finding for a text over its limit: the span runs from the first
/// character past the limit (`fits` characters fit) to the end.
pub(crate) fn over_limit(network: Network, what: &str, length: usize, limit: usize, fits: usize, text: &str) -> Option<Finding> {
    (length > limit).then(|| Finding {
        rule: format!("{}.length", network.as_str()),
        severity: Severity::Error,
        message: format!("{} allows {limit} {what}; this is {length}", network.title()),
        span: Some(Span { start: fits.min(text.chars().count()), end: text.chars().count() }),
    })
}

/// A finding for too many of something (hashtags, mentions), pointing at
/// the first one over the limit.
pub(crate) fn too_many(network: Network, rule: &str, what: &str, found: &[Span], limit: usize) -> Option<Finding> {
    found.get(limit).map(|first_over| Finding {
        rule: format!("{}.{rule}", network.as_str()),
        severity: Severity::Error,
        message: format!("{} allows at most {limit} {what}; this has {}", network.title(), found.len()),
        span: Some(*first_over),
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
