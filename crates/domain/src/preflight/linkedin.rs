//! LinkedIn. A post's commentary holds up to 3,000 characters (LinkedIn
//! Help, "Character limits for posts"; Posts API `commentary`).

use super::{Finding, chars_within, over_limit};
use crate::network::Network;

pub const LIMIT: usize = 3000;

pub fn check(text: &str) -> (usize, usize, Vec<Finding>) {
    let length = text.chars().count();
    let fits = chars_within(text, LIMIT, |_| 1);
    (length, LIMIT, over_limit(Network::Linkedin, "characters", length, LIMIT, fits, text).into_iter().collect())
}
