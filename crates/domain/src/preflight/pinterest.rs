//! Pinterest. A pin's title holds up to 100 characters and its description
//! up to 800 (Pinterest API v5, "Create Pin": `title` ≤ 100, `description`
//! ≤ 800).

use super::{Finding, chars_within, over_limit};
use crate::network::Network;

pub const TITLE_LIMIT: usize = 100;
pub const DESCRIPTION_LIMIT: usize = 800;

pub fn check_description(text: &str) -> (usize, usize, Vec<Finding>) {
    let length = text.chars().count();
    let fits = chars_within(text, DESCRIPTION_LIMIT, |_| 1);
    (
        length,
        DESCRIPTION_LIMIT,
        over_limit(Network::Pinterest, "characters in a description", length, DESCRIPTION_LIMIT, fits, text).into_iter().collect(),
    )
}

pub fn check_title(title: &str) -> Option<Finding> {
    let length = title.chars().count();
    let mut finding =
        over_limit(Network::Pinterest, "characters in a title", length, TITLE_LIMIT, chars_within(title, TITLE_LIMIT, |_| 1), title)?;
    finding.rule = "pinterest.title_length".into();
    Some(finding)
}
