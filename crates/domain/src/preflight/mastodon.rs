//! Mastodon. A status is limited to 500 characters by default; instances
//! may set their own (Mastodon `StatusLengthValidator`, `MAX_CHARS = 500`).
//! Every `http(s)://` link counts as 23 characters whatever its length, and
//! a remote mention `@name@server` counts as its local part `@name`
//! (the same validator replaces links with a 23-character placeholder and
//! drops the server part of mentions).

use super::{Entities, Finding, Span, chars_within_weights, over_limit};
use crate::network::Network;

pub const DEFAULT_LIMIT: usize = 500;
pub const URL_LENGTH: usize = 23;

/// What each character counts for.
fn weights(text: &str, entities: &Entities) -> Vec<usize> {
    let chars: Vec<char> = text.chars().collect();
    let mut weights = vec![1; chars.len()];
    let links = entities.urls.iter().filter(|s| {
        let link = s.of(text).to_ascii_lowercase();
        link.starts_with("http://") || link.starts_with("https://")
    });
    for link in links {
        zero(&mut weights, *link);
        if let Some(first) = weights.get_mut(link.start) {
            *first = URL_LENGTH;
        }
    }
    for mention in &entities.mentions {
        // `@name@server`: the server part counts for nothing.
        let server = chars[mention.start.min(chars.len())..mention.end.min(chars.len())].iter().skip(1).position(|c| *c == '@');
        if let Some(at) = server {
            zero(&mut weights, Span { start: mention.start + 1 + at, end: mention.end });
        }
    }
    weights
}

fn zero(weights: &mut [usize], span: Span) {
    for w in weights.iter_mut().take(span.end).skip(span.start) {
        *w = 0;
    }
}

pub fn check(text: &str, entities: &Entities, limit: usize) -> (usize, usize, Vec<Finding>) {
    let weights = weights(text, entities);
    let length = weights.iter().sum();
    let fits = chars_within_weights(&weights, limit);
    (length, limit, over_limit(Network::Mastodon, "characters", length, limit, fits, text).into_iter().collect())
}
