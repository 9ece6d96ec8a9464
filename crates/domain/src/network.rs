//! The social networks Greenlight plans and publishes for.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Network {
    Mastodon,
    Bluesky,
    Linkedin,
    X,
    Facebook,
    Instagram,
    Threads,
    Pinterest,
    /// A generic webhook: Greenlight posts the approved content to a URL.
    Webhook,
}

impl Network {
    pub const ALL: [Network; 9] = [
        Network::Mastodon,
        Network::Bluesky,
        Network::Linkedin,
        Network::X,
        Network::Facebook,
        Network::Instagram,
        Network::Threads,
        Network::Pinterest,
        Network::Webhook,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Network::Mastodon => "mastodon",
            Network::Bluesky => "bluesky",
            Network::Linkedin => "linkedin",
            Network::X => "x",
            Network::Facebook => "facebook",
            Network::Instagram => "instagram",
            Network::Threads => "threads",
            Network::Pinterest => "pinterest",
            Network::Webhook => "webhook",
        }
    }

    /// The network's name as people write it.
    pub fn title(self) -> &'static str {
        match self {
            Network::Mastodon => "Mastodon",
            Network::Bluesky => "Bluesky",
            Network::Linkedin => "LinkedIn",
            Network::X => "X",
            Network::Facebook => "Facebook",
            Network::Instagram => "Instagram",
            Network::Threads => "Threads",
            Network::Pinterest => "Pinterest",
            Network::Webhook => "Webhook",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.as_str() == input)
    }
}
