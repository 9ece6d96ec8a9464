//! Channels, campaigns and labels.

use greenlight_domain::{
    audit::Chain,
    id::{CampaignId, ChannelId, LabelId, NoteId, WorkspaceId},
    names::{Colour, Handle, Name, ZoneName},
    network::Network,
    permission::Permission,
    schedule::PlannedTime,
    slots::{self, Slot, SlotText},
    validation::Errors,
};
use greenlight_store::{
    StoreError,
    planning::{self, Campaign, Channel, Label, Note},
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::{
    App, Caller, access,
    audit::record,
    error::AddWords as _,
    error::{Error, Result},
};

fn duplicate(id: &str) -> impl FnOnce(StoreError) -> Error + '_ {
    move |err| match err {
        StoreError::Duplicate => Error::conflict(id, []),
        other => other.into(),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChannel {
    #[schema(value_type = greenlight_domain::network::Network)]
    pub network: String,
    pub handle: String,
    #[schema(value_type = greenlight_domain::names::Name)]
    pub display_name: String,
    /// The server's own text limit, for a Mastodon instance that sets one
    /// (500 otherwise).
    #[serde(default)]
    pub text_limit: Option<u32>,
}

/// The largest text limit a channel may name (no network allows more).
pub const MAX_TEXT_LIMIT: u32 = 100_000;

pub async fn create_channel(app: &App, caller: &Caller, ws: WorkspaceId, input: NewChannel) -> Result<crate::views::Channel> {
    let mut errors = Errors::new();
    let network = Network::parse(&input.network);
    if network.is_none() {
        let known: Vec<&str> = Network::ALL.iter().map(|n| n.as_str()).collect();
        errors.add_words("network", "err-plan-network-one-of", [("networks", known.join(", "))]);
    }
    let handle = errors.check("handle", Handle::parse(&input.handle));
    let display_name = errors.check("display_name", Name::parse(&input.display_name));
    match (network, input.text_limit) {
        (_, None) => {}
        (Some(Network::Mastodon), Some(limit)) if (1..=MAX_TEXT_LIMIT).contains(&limit) => {}
        (Some(Network::Mastodon), Some(_)) => errors.add_words("text_limit", "err-plan-chars-range", [("max", MAX_TEXT_LIMIT.to_string())]),
        (_, Some(_)) => errors.add_words("text_limit", "err-plan-text-limit-mastodon", []),
    }
    let (Some(network), Some(handle), Some(display_name), true) = (network, handle, display_name, errors.is_empty()) else {
        return Err(Error::Invalid(errors.into_vec()));
    };
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManageChannels).await?;
    let channel = Channel {
        id: ChannelId::from_uuid(Uuid::now_v7()),
        workspace_id: ws,
        network: network.as_str().into(),
        handle: handle.as_str().into(),
        display_name: display_name.as_str().into(),
        text_limit: input.text_limit.map(i64::from),
        created_at: app.now(),
    };
    planning::insert_channel(&mut tx, &channel).await.map_err(duplicate("err-plan-channel-exists"))?;
    let data = json!({
        "network": channel.network, "handle": channel.handle, "display_name": channel.display_name, "text_limit": channel.text_limit,
    });
    record(&mut tx, app, caller, Chain::Workspace(ws), "channel.created", ("channel", Some(channel.id.uuid())), data).await?;
    tx.commit().await?;
    Ok(channel.into())
}

/// A channel's posting slots: the weekly times it posts at, in the
/// workspace's zone.
pub async fn slots(app: &App, caller: &Caller, ws: WorkspaceId, channel: ChannelId) -> Result<Vec<SlotText>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    planning::channel(&mut tx, ws, channel).await?.ok_or(Error::NotFound("channel"))?;
    Ok(planning::slots(&mut tx, channel).await?.into_iter().map(|(d, m)| slot_of(d, m).text()).collect())
}

/// Every channel's posting slots, by channel.
pub async fn all_slots(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<std::collections::HashMap<ChannelId, Vec<SlotText>>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    let mut by_channel: std::collections::HashMap<ChannelId, Vec<SlotText>> = std::collections::HashMap::new();
    for (channel, d, m) in planning::slots_in(&mut tx, ws).await? {
        by_channel.entry(channel).or_default().push(slot_of(d, m).text());
    }
    Ok(by_channel)
}

fn slot_of(weekday: i32, minute: i32) -> Slot {
    Slot { weekday: weekday.clamp(1, 7) as i8, minute: minute.clamp(0, 1439) as i16 }
}

/// Replaces a channel's posting slots (an empty list clears them).
pub async fn set_slots(app: &App, caller: &Caller, ws: WorkspaceId, channel: ChannelId, input: Vec<SlotText>) -> Result<Vec<SlotText>> {
    let parsed = slots::parse_all(&input).map_err(|why| Error::field("slots", why))?;
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManageChannels).await?;
    planning::channel(&mut tx, ws, channel).await?.ok_or(Error::NotFound("channel"))?;
    let rows: Vec<(i32, i32)> = parsed.iter().map(|s| (i32::from(s.weekday), i32::from(s.minute))).collect();
    planning::set_slots(&mut tx, channel, &rows).await?;
    let shown: Vec<SlotText> = parsed.iter().map(|s| s.text()).collect();
    record(
        &mut tx,
        app,
        caller,
        Chain::Workspace(ws),
        "channel.slots_changed",
        ("channel", Some(channel.uuid())),
        json!({ "slots": shown }),
    )
    .await?;
    tx.commit().await?;
    Ok(shown)
}

/// The next posting slot of the post's channels that no other post on
/// them holds, after now (in the caller's read transaction).
pub(crate) async fn next_slot(tx: &mut greenlight_store::Tx, app: &App, post: &greenlight_store::posts::Post) -> Result<PlannedTime> {
    if post.channel_ids.is_empty() {
        return Err(Error::conflict("err-plan-channels-first", []));
    }
    let zone = greenlight_store::workspaces::workspace(tx, post.workspace_id).await?.ok_or(Error::NotFound("workspace"))?.time_zone;
    let zone = ZoneName::parse(&zone).map_err(|_| Error::Internal(format!("workspace zone `{zone}`").into()))?;
    let now = app.now();
    let until = now + jiff::SignedDuration::from_hours(24 * (i64::from(slots::LOOK_AHEAD_DAYS) + 1));
    let mut all = Vec::new();
    let mut taken = std::collections::HashSet::new();
    for channel in &post.channel_ids {
        all.extend(planning::slots(tx, *channel).await?.into_iter().map(|(d, m)| slot_of(d, m)));
        taken.extend(planning::planned_on_channel(tx, post.workspace_id, *channel, post.id, now, until).await?);
    }
    if all.is_empty() {
        return Err(Error::conflict("err-plan-no-slots", []));
    }
    let at = slots::next_free(&all, &zone.time_zone(), now, |t| taken.contains(&t))
        .ok_or_else(|| Error::conflict("err-plan-slots-taken", [("days", slots::LOOK_AHEAD_DAYS.to_string())]))?;
    Ok(PlannedTime { at, zone })
}

pub async fn channels(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<Vec<crate::views::Channel>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    Ok(crate::views::all(planning::channels(&mut tx, ws).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCampaign {
    #[schema(value_type = greenlight_domain::names::Name)]
    pub name: String,
    #[schema(value_type = greenlight_domain::names::Colour)]
    pub colour: String,
    #[serde(default)]
    pub starts_on: Option<String>,
    #[serde(default)]
    pub ends_on: Option<String>,
}

fn parse_date(errors: &mut Errors, field: &str, value: Option<&str>) -> Option<Option<jiff::civil::Date>> {
    match value {
        None => Some(None),
        Some(text) => errors.check(field, greenlight_domain::schedule::parse_day(text)).map(Some),
    }
}

pub async fn create_campaign(app: &App, caller: &Caller, ws: WorkspaceId, input: NewCampaign) -> Result<crate::views::Campaign> {
    let mut errors = Errors::new();
    let name = errors.check("name", Name::parse(&input.name));
    let colour = errors.check("colour", Colour::parse(&input.colour));
    let starts = parse_date(&mut errors, "starts_on", input.starts_on.as_deref());
    let ends = parse_date(&mut errors, "ends_on", input.ends_on.as_deref());
    if let (Some(Some(s)), Some(Some(e))) = (starts, ends)
        && e < s
    {
        errors.add_words("ends_on", "err-plan-ends-before-start", []);
    }
    let (Some(name), Some(colour), Some(starts), Some(ends)) = (name, colour, starts, ends) else {
        return Err(Error::Invalid(errors.into_vec()));
    };
    errors.into_result()?;
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManagePlanning).await?;
    let campaign = Campaign {
        id: CampaignId::from_uuid(Uuid::now_v7()),
        workspace_id: ws,
        name: name.as_str().into(),
        colour: colour.as_str().into(),
        starts_on: starts.map(|d| d.to_string()),
        ends_on: ends.map(|d| d.to_string()),
        created_at: app.now(),
    };
    planning::insert_campaign(&mut tx, &campaign).await.map_err(duplicate("err-plan-campaign-exists"))?;
    let data = json!({ "name": campaign.name, "colour": campaign.colour, "starts_on": campaign.starts_on, "ends_on": campaign.ends_on });
    record(&mut tx, app, caller, Chain::Workspace(ws), "campaign.created", ("campaign", Some(campaign.id.uuid())), data).await?;
    tx.commit().await?;
    Ok(campaign.into())
}

pub async fn campaigns(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<Vec<crate::views::Campaign>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    Ok(crate::views::all(planning::campaigns(&mut tx, ws).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLabel {
    #[schema(value_type = greenlight_domain::names::Name)]
    pub name: String,
    /// `label` (the default) or `pillar`, a content pillar.
    #[serde(default = "default_kind")]
    #[schema(default = "label", pattern = "^(label|pillar)$")]
    pub kind: String,
    #[serde(default = "default_colour")]
    #[schema(value_type = greenlight_domain::names::Colour, default = "#6b7280")]
    pub colour: String,
}

fn default_kind() -> String {
    "label".into()
}

fn default_colour() -> String {
    "#6b7280".into()
}

pub async fn create_label(app: &App, caller: &Caller, ws: WorkspaceId, input: NewLabel) -> Result<crate::views::Label> {
    let mut errors = Errors::new();
    let name = errors.check("name", Name::parse(&input.name));
    let colour = errors.check("colour", Colour::parse(&input.colour));
    if !matches!(input.kind.as_str(), "label" | "pillar") {
        errors.add_words("kind", "err-plan-label-kind", []);
    }
    let (Some(name), Some(colour)) = (name, colour) else { return Err(Error::Invalid(errors.into_vec())) };
    errors.into_result()?;
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::ManagePlanning).await?;
    let label = Label {
        id: LabelId::from_uuid(Uuid::now_v7()),
        workspace_id: ws,
        name: name.as_str().into(),
        kind: input.kind,
        colour: colour.as_str().into(),
        created_at: app.now(),
    };
    planning::insert_label(&mut tx, &label).await.map_err(duplicate("err-plan-label-exists"))?;
    let data = json!({ "name": label.name, "kind": label.kind, "colour": label.colour });
    record(&mut tx, app, caller, Chain::Workspace(ws), "label.created", ("label", Some(label.id.uuid())), data).await?;
    tx.commit().await?;
    Ok(label.into())
}

pub async fn labels(app: &App, caller: &Caller, ws: WorkspaceId) -> Result<Vec<crate::views::Label>> {
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    Ok(crate::views::all(planning::labels(&mut tx, ws).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    /// The day, in the workspace's time zone.
    #[schema(value_type = String, example = "2026-12-01")]
    pub day: String,
    pub body: String,
}

pub const MAX_NOTE_CHARS: usize = 500;
/// The longest range of days one read of notes covers (a calendar shows six weeks).
pub const MAX_NOTE_DAYS: i64 = 400;

/// Adds a note to a calendar day ("Heart month starts", "holiday: no posts").
pub async fn add_note(app: &App, caller: &Caller, ws: WorkspaceId, input: NewNote) -> Result<crate::views::Note> {
    let author = caller.require_user()?;
    let mut errors = Errors::new();
    let day = errors.check("day", greenlight_domain::schedule::parse_day(&input.day));
    let body = input.body.trim();
    if body.is_empty() || body.chars().count() > MAX_NOTE_CHARS {
        errors.add_words("body", "err-plan-chars-range", [("max", MAX_NOTE_CHARS.to_string())]);
    }
    let (Some(day), true) = (day, errors.is_empty()) else { return Err(Error::Invalid(errors.into_vec())) };
    let mut tx = app.db.write().await?;
    access::require(&mut tx, caller, ws, Permission::CreatePosts).await?;
    let note = Note {
        id: NoteId::from_uuid(Uuid::now_v7()),
        workspace_id: ws,
        day,
        body: body.to_owned(),
        author_id: author,
        created_at: app.now(),
    };
    planning::insert_note(&mut tx, &note).await?;
    record(
        &mut tx,
        app,
        caller,
        Chain::Workspace(ws),
        "note.added",
        ("note", Some(note.id.uuid())),
        json!({ "day": day.to_string(), "body": note.body }),
    )
    .await?;
    tx.commit().await?;
    Ok(note.into())
}

/// Days from `from` up to `until` that one read may cover: forwards, at
/// most [`MAX_NOTE_DAYS`].
pub(crate) fn check_days(from: jiff::civil::Date, until: jiff::civil::Date) -> Result<()> {
    if until < from || from.until(until).map_or(true, |span| span.get_days() > MAX_NOTE_DAYS as i32) {
        return Err(Error::field_said("until", "err-plan-note-range", [("max", MAX_NOTE_DAYS.to_string())]));
    }
    Ok(())
}

/// The notes on days from `from` up to (not including) `until`.
pub async fn notes(
    app: &App,
    caller: &Caller,
    ws: WorkspaceId,
    from: jiff::civil::Date,
    until: jiff::civil::Date,
) -> Result<Vec<crate::views::Note>> {
    check_days(from, until)?;
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    Ok(crate::views::all(planning::notes(&mut tx, ws, from, until).await?))
}

/// Removes a note: its author, or whoever manages planning.
pub async fn delete_note(app: &App, caller: &Caller, ws: WorkspaceId, id: NoteId) -> Result<()> {
    let mut tx = app.db.write().await?;
    let role = access::require(&mut tx, caller, ws, Permission::ViewWorkspace).await?;
    let note = planning::note(&mut tx, ws, id).await?.ok_or(Error::NotFound("note"))?;
    let own = caller.user == Some(note.author_id) && role.can(Permission::CreatePosts);
    if !own && !role.can(Permission::ManagePlanning) {
        return Err(Error::forbidden("err-plan-role-cannot-remove-note", [("role", role.to_string())]));
    }
    planning::delete_note(&mut tx, id).await?;
    record(&mut tx, app, caller, Chain::Workspace(ws), "note.deleted", ("note", Some(id.uuid())), json!({ "day": note.day.to_string() }))
        .await?;
    tx.commit().await?;
    Ok(())
}
