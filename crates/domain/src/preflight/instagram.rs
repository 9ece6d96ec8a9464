//! Instagram. A caption holds up to 2,200 characters, 30 hashtags and 20
//! @-mentions (Instagram Graph API, "Content publishing": caption "maximum
//! 2200 characters, 30 hashtags, and 20 @ tags").

use super::{Entities, Finding, chars_within, over_limit, too_many};
use crate::network::Network;

pub const LIMIT: usize = 2200;
pub const MAX_HASHTAGS: usize = 30;
pub const MAX_MENTIONS: usize = 20;

pub fn check(text: &str, entities: &Entities) -> (usize, usize, Vec<Finding>) {
    let length = text.chars().count();
    let fits = chars_within(text, LIMIT, |_| 1);
    let mut findings: Vec<Finding> = over_limit(Network::Instagram, "characters", length, LIMIT, fits, text).into_iter().collect();
    findings.extend(too_many(Network::Instagram, "hashtags", "hashtags", &entities.hashtags, MAX_HASHTAGS));
    findings.extend(too_many(Network::Instagram, "mentions", "@-mentions", &entities.mentions, MAX_MENTIONS));
    (length, LIMIT, findings)
}
