//! Facebook Pages. A post's message holds up to 63,206 characters (Meta
//! Help Center, "character limit for posts").

use super::{Finding, chars_within, over_limit};
use crate::network::Network;

pub const LIMIT: usize = 63_206;

pub fn check(text: &str) -> (usize, usize, Vec<Finding>) {
    let length = text.chars().count();
    let fits = chars_within(text, LIMIT, |_| 1);
    (length, LIMIT, over_limit(Network::Facebook, "characters", length, LIMIT, fits, text).into_iter().collect())
}
