//! Bluesky. The `app.bsky.feed.post` lexicon limits `text` to 300
//! graphemes and 3000 bytes of UTF-8 (atproto lexicons,
//! `lexicons/app/bsky/feed/post.json`: maxGraphemes 300, maxLength 3000).
//! A family emoji is one grapheme.

use unicode_segmentation::UnicodeSegmentation;

use super::{Finding, Severity, Span, over_limit};
use crate::network::Network;

pub const LIMIT: usize = 300;
pub const MAX_BYTES: usize = 3000;

pub fn length(text: &str) -> usize {
    text.graphemes(true).count()
}

pub fn check(text: &str) -> (usize, usize, Vec<Finding>) {
    let length = length(text);
    let fits: usize = text.graphemes(true).take(LIMIT).map(|g| g.chars().count()).sum();
    let mut findings: Vec<Finding> = over_limit(Network::Bluesky, "graphemes", length, LIMIT, fits, text).into_iter().collect();
    if text.len() > MAX_BYTES {
        findings.push(Finding {
            rule: "bluesky.bytes".into(),
            severity: Severity::Error,
            message: format!(
                "Bluesky allows {MAX_BYTES} bytes of text; this is {} (emoji and many scripts take several bytes each)",
                text.len()
            ),
            span: Some(Span { start: 0, end: text.chars().count() }),
        });
    }
    (length, LIMIT, findings)
}
