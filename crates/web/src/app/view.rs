//! What the pages show, in the words and forms people read: post states,
//! times in the workspace's zone, networks by their short names, cards.

use std::collections::BTreeMap;

use askama::Template;
use greenlight_domain::{
    Timestamp,
    id::{CampaignId, ChannelId, UserId},
    network::Network,
    post::PostState,
    publication::Status,
};
use greenlight_i18n::DateStyle;
use greenlight_service::{
    publishing::PublicationView,
    views::{Campaign, Channel, Face, Member as WsMember, Post},
};
use jiff::{civil::DateTime, tz::TimeZone};

use super::Chrome;

#[derive(Template)]
#[template(path = "app/home.html")]
pub struct Home {
    pub chrome: Chrome,
}

/// A post's state as people say it: "In review at QA".
pub fn state_label(post: &Post) -> String {
    match (post.state, &post.review_stage) {
        (PostState::InReview, Some(stage)) => crate::t1("state-in-review-at", "stage", stage),
        (state, _) => state_name(state),
    }
}

pub fn state_name(state: PostState) -> String {
    crate::t(match state {
        PostState::Draft => "state-draft",
        PostState::InReview => "state-in-review",
        PostState::ChangesRequested => "state-changes-requested",
        PostState::Rejected => "state-rejected",
        PostState::Approved => "state-approved",
        PostState::Scheduled => "state-scheduled",
        PostState::Publishing => "state-publishing",
        PostState::Published => "state-published",
        PostState::Failed => "state-failed",
    })
}

/// A network's short mark on a card, with its name for screen readers.
pub fn network_mark(network: &str) -> (&'static str, &'static str) {
    match Network::parse(network) {
        Some(Network::X) => ("X", "X"),
        Some(Network::Bluesky) => ("Bsky", "Bluesky"),
        Some(Network::Mastodon) => ("Masto", "Mastodon"),
        Some(Network::Linkedin) => ("in", "LinkedIn"),
        Some(Network::Instagram) => ("IG", "Instagram"),
        Some(Network::Threads) => ("Th", "Threads"),
        Some(Network::Facebook) => ("FB", "Facebook"),
        Some(Network::Pinterest) => ("Pin", "Pinterest"),
        Some(Network::Webhook) | None => ("Hook", "Webhook"),
    }
}

/// A channel as pages name it: "Bluesky riverside.bsky.social".
pub fn channel_name(c: &Channel) -> String {
    format!("{} {}", network_mark(&c.network).1, c.handle)
}

/// The workspace's zone (UTC if it names one this build does not know).
pub fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// Workspaces' zones, each read once for a page that lists several.
#[derive(Default)]
pub struct Zones(BTreeMap<greenlight_domain::id::WorkspaceId, TimeZone>);

impl Zones {
    /// `ws`'s zone (UTC if it cannot be read).
    pub async fn of(&mut self, app: &greenlight_service::App, member: &super::Member, ws: greenlight_domain::id::WorkspaceId) -> TimeZone {
        if let Some(tz) = self.0.get(&ws) {
            return tz.clone();
        }
        let name =
            greenlight_service::workspaces::workspace(app, &member.caller, ws).await.map(|w| w.time_zone).unwrap_or_else(|_| "UTC".into());
        self.0.entry(ws).or_insert(zone(&name)).clone()
    }
}

/// "Tue 1 Dec 2026, 09:00" in `tz`, in the reader's language.
pub fn when(at: Timestamp, tz: &TimeZone) -> String {
    greenlight_i18n::date(at.to_zoned(tz.clone()).datetime(), DateStyle::DateTime)
}

pub fn clock(at: Timestamp, tz: &TimeZone) -> String {
    greenlight_i18n::date(at.to_zoned(tz.clone()).datetime(), DateStyle::Time)
}

/// Names and marks a page needs to draw cards.
pub struct Lookups {
    pub channels: BTreeMap<ChannelId, Channel>,
    pub campaigns: BTreeMap<CampaignId, Campaign>,
    pub members: BTreeMap<UserId, WsMember>,
}

impl Lookups {
    pub fn owner_name(&self, id: UserId) -> String {
        self.members.get(&id).map(|m| m.name.clone()).unwrap_or_else(|| crate::t("app-former-member"))
    }
}

/// A post as a calendar card.
pub struct Card {
    pub id: String,
    pub href: String,
    pub version: i64,
    pub title: String,
    pub time: String,
    pub state: &'static str,
    pub state_label: String,
    pub owner: String,
    pub campaign_class: String,
    pub campaign: String,
    /// Each channel: its mark, and what became of it once it was due.
    pub channels: Vec<ChannelMark>,
    /// "went out at 11:12", when it went out well after its time.
    pub late: String,
    pub brief: String,
    /// The first words of its text.
    pub excerpt: String,
    /// Its first picture's thumbnail and alt text.
    pub thumb: Option<(String, String)>,
    pub draggable: bool,
    /// Its planned day (`YYYY-MM-DD`) and hour in the workspace's zone, for the move sheet.
    pub date: String,
    pub hour: i8,
}

/// A channel on a card: the network's mark and what became of the post there.
pub struct ChannelMark {
    pub mark: &'static str,
    /// What a hover says: the network and the outcome.
    pub title: String,
    /// `ok` (published), `error` (failed), `publishing`, or empty before
    /// it is due: the badge's class.
    pub outcome: &'static str,
}

/// How much of a post's text its calendar card shows.
const CARD_WORDS: usize = 90;

/// How long after its time a post may go out before the calendar says it
/// went out late.
const LATE: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

impl Card {
    /// `face`: its first words and picture; `outcomes`: its publications;
    /// `local`: its planned time in `tz`, which the caller has already
    /// worked out to place the card.
    pub fn of(
        post: &Post,
        face: Option<&Face>,
        outcomes: &[&PublicationView],
        lookups: &Lookups,
        (tz, local): (&TimeZone, DateTime),
        can_move: bool,
    ) -> Card {
        let ws = post.workspace_id;
        let channels = post
            .channel_ids
            .iter()
            .filter_map(|c| lookups.channels.get(c).map(|ch| (c, ch)))
            .map(|(id, ch)| {
                let (mark, name) = network_mark(&ch.network);
                let found = outcomes.iter().find(|p| p.channel_id == *id);
                let (outcome, title) = match found.map(|p| (p.status, p)) {
                    Some((Status::Published, p)) => {
                        ("ok", crate::t2("card-published", "network", name, "url", p.url.clone().unwrap_or_default()))
                    }
                    Some((Status::Failed, p)) => {
                        ("error", crate::t2("card-failed", "network", name, "error", p.error.clone().unwrap_or_default()))
                    }
                    Some((Status::Publishing, _)) => ("publishing", crate::t1("card-going-out", "network", name)),
                    Some((Status::Unknown, p)) => {
                        ("publishing", crate::t2("card-no-answer", "network", name, "error", p.error.clone().unwrap_or_default()))
                    }
                    _ => ("", name.to_owned()),
                };
                ChannelMark { mark, title, outcome }
            })
            .collect();
        let first_out = outcomes.iter().filter_map(|p| p.published_at).min();
        let late = match (post.planned.as_ref(), first_out) {
            (Some(planned), Some(out)) if out.duration_since(planned.at) > LATE => crate::t1("card-late", "time", clock(out, tz)),
            _ => String::new(),
        };
        Card {
            id: post.id.to_string(),
            href: format!("/w/{ws}/posts/{}", post.id),
            version: post.version,
            title: post.title.clone(),
            time: greenlight_i18n::date(local, DateStyle::Time),
            state: post.state.as_str(),
            state_label: state_label(post),
            owner: lookups.owner_name(post.owner_id),
            campaign_class: post.campaign_id.map(|c| format!("campaign-{c}")).unwrap_or_default(),
            campaign: post.campaign_id.and_then(|c| lookups.campaigns.get(&c)).map(|c| c.name.clone()).unwrap_or_default(),
            channels,
            late,
            brief: post.brief.chars().take(140).collect(),
            excerpt: face.map(|f| f.excerpt.chars().take(CARD_WORDS).collect()).unwrap_or_default(),
            thumb: face
                .and_then(|f| f.first_media.as_ref())
                .map(|m| (format!("/api/v1/workspaces/{ws}/media/{}/thumbnail", m.media_id), m.alt_text.clone().unwrap_or_default())),
            draggable: can_move && post.state.allows_reschedule(),
            date: local.date().to_string(),
            hour: local.hour(),
        }
    }
}

/// One choice of a select or a group of boxes: its value, what it says,
/// whether it is chosen.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}
