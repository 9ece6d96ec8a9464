//! The connectors: how Greenlight publishes to each network, one module per
//! network, behind the service's `publishing::Connector`. The service and
//! web layers know no network's wire format; this crate knows nothing else.

pub mod bluesky;
pub mod card;
pub mod mastodon;
pub mod webhook;

use std::sync::Arc;

use greenlight_domain::network::Network;
use greenlight_service::publishing::Connectors;

/// Every connector Greenlight has. `allow_private`: whether they may call
/// private and local addresses (tests only).
pub fn connectors(allow_private: bool) -> Result<Connectors, String> {
    Ok(Connectors::default()
        .with(Network::Webhook, Arc::new(webhook::WebhookChannel::new(allow_private)?))
        .with(Network::Mastodon, Arc::new(mastodon::Mastodon::new(allow_private)?))
        .with(Network::Bluesky, Arc::new(bluesky::Bluesky::new(allow_private)?)))
}

use greenlight_service::publishing::Attempt;

/// A call that got no answer: when it never connected nothing was sent and
/// trying again is safe; otherwise the network may hold it and is asked
/// first. `who` names the other side ("Bluesky", "the receiver").
fn no_answer(who: &str, e: reqwest::Error) -> Attempt {
    let connected = !e.is_connect();
    // Without the URL: it may carry a credential.
    let message = format!("{who} did not answer: {}", e.without_url());
    if !connected { Attempt::Transient { message, retry_after: None } } else { Attempt::Unanswered { message } }
}
