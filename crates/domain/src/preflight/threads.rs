//! Threads. A text post holds up to 500 characters, with at most one topic
//! tag (Threads API, "Create posts": text "limited to 500 characters";
//! "only one tag per post").

use super::{Entities, Finding, Severity, chars_within, over_limit};
use crate::network::Network;

pub const LIMIT: usize = 500;
pub const MAX_TAGS: usize = 1;

pub fn check(text: &str, entities: &Entities) -> (usize, usize, Vec<Finding>) {
    let length = text.chars().count();
    let fits = chars_within(text, LIMIT, |_| 1);
    let mut findings: Vec<Finding> = over_limit(Network::Threads, "characters", length, LIMIT, fits, text).into_iter().collect();
    if let Some(mut extra) = super::too_many(Network::Threads, "tags", "topic tag", &entities.hashtags, MAX_TAGS) {
        // Threads makes the first a tag and leaves the rest as text: a warning.
        extra.severity = Severity::Warning;
        findings.push(extra);
    }
    (length, LIMIT, findings)
}
