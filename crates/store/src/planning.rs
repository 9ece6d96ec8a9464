//! Channels, campaigns and labels: what posts are planned against.

use greenlight_domain::{
    Timestamp,
    id::{CampaignId, ChannelId, LabelId, NoteId, PostId, UserId, WorkspaceId},
};
use serde::Serialize;
use uuid::Uuid;

use crate::{db::Result, db::Tx, time::DbTime};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Channel {
    pub id: ChannelId,
    pub workspace_id: WorkspaceId,
    pub network: String,
    pub handle: String,
    pub display_name: String,
    /// The server's own text limit (a Mastodon instance's), when it has one.
    pub text_limit: Option<i64>,
    pub created_at: Timestamp,
}

type ChannelRow = (Uuid, Uuid, String, String, String, Option<i64>, DbTime);

fn channel_from((id, ws, network, handle, display_name, text_limit, created_at): ChannelRow) -> Channel {
    Channel {
        id: ChannelId::from_uuid(id),
        workspace_id: WorkspaceId::from_uuid(ws),
        network,
        handle,
        display_name,
        text_limit,
        created_at: created_at.0,
    }
}

pub async fn insert_channel(tx: &mut Tx, c: &Channel) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO channels (id, workspace_id, network, handle, display_name, text_limit, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        c.id.uuid(),
        c.workspace_id.uuid(),
        &c.network,
        &c.handle,
        &c.display_name,
        c.text_limit,
        DbTime(c.created_at)
    )?;
    Ok(())
}

pub async fn update_channel(tx: &mut Tx, c: &Channel) -> Result<()> {
    sql!(
        tx,
        exec,
        "UPDATE channels SET handle = $2, display_name = $3, text_limit = $4 WHERE id = $1",
        c.id.uuid(),
        &c.handle,
        &c.display_name,
        c.text_limit
    )?;
    Ok(())
}

pub async fn channels(tx: &mut Tx, workspace: WorkspaceId) -> Result<Vec<Channel>> {
    let rows = sql!(
        tx,
        all as ChannelRow,
        "SELECT id, workspace_id, network, handle, display_name, text_limit, created_at FROM channels WHERE workspace_id = $1 ORDER BY network, handle",
        workspace.uuid()
    )?;
    Ok(rows.into_iter().map(channel_from).collect())
}

pub async fn channel(tx: &mut Tx, workspace: WorkspaceId, id: ChannelId) -> Result<Option<Channel>> {
    let row = sql!(
        tx,
        optional as ChannelRow,
        "SELECT id, workspace_id, network, handle, display_name, text_limit, created_at FROM channels WHERE workspace_id = $1 AND id = $2",
        workspace.uuid(),
        id.uuid()
    )?;
    Ok(row.map(channel_from))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Campaign {
    pub id: CampaignId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub colour: String,
    /// Calendar dates, `YYYY-MM-DD`, in the workspace's time zone.
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub created_at: Timestamp,
}

type CampaignRow = (Uuid, Uuid, String, String, Option<String>, Option<String>, DbTime);

fn campaign_from((id, ws, name, colour, starts_on, ends_on, created_at): CampaignRow) -> Campaign {
    Campaign {
        id: CampaignId::from_uuid(id),
        workspace_id: WorkspaceId::from_uuid(ws),
        name,
        colour,
        starts_on,
        ends_on,
        created_at: created_at.0,
    }
}

pub async fn insert_campaign(tx: &mut Tx, c: &Campaign) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO campaigns (id, workspace_id, name, colour, starts_on, ends_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        c.id.uuid(),
        c.workspace_id.uuid(),
        &c.name,
        &c.colour,
        c.starts_on.as_deref(),
        c.ends_on.as_deref(),
        DbTime(c.created_at)
    )?;
    Ok(())
}

pub async fn update_campaign(tx: &mut Tx, c: &Campaign) -> Result<()> {
    sql!(
        tx,
        exec,
        "UPDATE campaigns SET name = $2, colour = $3, starts_on = $4, ends_on = $5 WHERE id = $1",
        c.id.uuid(),
        &c.name,
        &c.colour,
        c.starts_on.as_deref(),
        c.ends_on.as_deref()
    )?;
    Ok(())
}

pub async fn campaigns(tx: &mut Tx, workspace: WorkspaceId) -> Result<Vec<Campaign>> {
    let rows = sql!(
        tx,
        all as CampaignRow,
        "SELECT id, workspace_id, name, colour, starts_on, ends_on, created_at FROM campaigns WHERE workspace_id = $1 ORDER BY name",
        workspace.uuid()
    )?;
    Ok(rows.into_iter().map(campaign_from).collect())
}

pub async fn campaign(tx: &mut Tx, workspace: WorkspaceId, id: CampaignId) -> Result<Option<Campaign>> {
    let row = sql!(
        tx,
        optional as CampaignRow,
        "SELECT id, workspace_id, name, colour, starts_on, ends_on, created_at FROM campaigns WHERE workspace_id = $1 AND id = $2",
        workspace.uuid(),
        id.uuid()
    )?;
    Ok(row.map(campaign_from))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub id: LabelId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// `label` (e.g. "sensitive") or `pillar` (a content pillar, e.g. "Patient stories").
    pub kind: String,
    pub colour: String,
    pub created_at: Timestamp,
}

type LabelRow = (Uuid, Uuid, String, String, String, DbTime);

fn label_from((id, ws, name, kind, colour, created_at): LabelRow) -> Label {
    Label { id: LabelId::from_uuid(id), workspace_id: WorkspaceId::from_uuid(ws), name, kind, colour, created_at: created_at.0 }
}

pub async fn insert_label(tx: &mut Tx, l: &Label) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO labels (id, workspace_id, name, kind, colour, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        l.id.uuid(),
        l.workspace_id.uuid(),
        &l.name,
        &l.kind,
        &l.colour,
        DbTime(l.created_at)
    )?;
    Ok(())
}

pub async fn labels(tx: &mut Tx, workspace: WorkspaceId) -> Result<Vec<Label>> {
    let rows = sql!(
        tx,
        all as LabelRow,
        "SELECT id, workspace_id, name, kind, colour, created_at FROM labels WHERE workspace_id = $1 ORDER BY kind, name",
        workspace.uuid()
    )?;
    Ok(rows.into_iter().map(label_from).collect())
}

/// A note on a calendar day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub id: NoteId,
    pub workspace_id: WorkspaceId,
    /// The civil date in the workspace's time zone.
    pub day: jiff::civil::Date,
    pub body: String,
    pub author_id: UserId,
    pub created_at: Timestamp,
}

type NoteRow = (Uuid, Uuid, String, String, Uuid, DbTime);

fn note_from((id, ws, day, body, author, at): NoteRow) -> Result<Note> {
    let day = day.parse().map_err(|e| crate::StoreError::Corrupt(format!("a note's day `{day}`: {e}")))?;
    Ok(Note {
        id: NoteId::from_uuid(id),
        workspace_id: WorkspaceId::from_uuid(ws),
        day,
        body,
        author_id: UserId::from_uuid(author),
        created_at: at.0,
    })
}

pub async fn insert_note(tx: &mut Tx, n: &Note) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO calendar_notes (id, workspace_id, day, body, author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        n.id.uuid(),
        n.workspace_id.uuid(),
        n.day.to_string(),
        &n.body,
        n.author_id.uuid(),
        DbTime(n.created_at)
    )?;
    Ok(())
}

/// The notes on days from `from` up to (not including) `until`, by day.
pub async fn notes(tx: &mut Tx, workspace: WorkspaceId, from: jiff::civil::Date, until: jiff::civil::Date) -> Result<Vec<Note>> {
    let rows = sql!(
        tx,
        all as NoteRow,
        "SELECT id, workspace_id, day, body, author_id, created_at FROM calendar_notes
         WHERE workspace_id = $1 AND day >= $2 AND day < $3 ORDER BY day, id",
        workspace.uuid(),
        from.to_string(),
        until.to_string()
    )?;
    rows.into_iter().map(note_from).collect()
}

pub async fn note(tx: &mut Tx, workspace: WorkspaceId, id: NoteId) -> Result<Option<Note>> {
    let row = sql!(
        tx,
        optional as NoteRow,
        "SELECT id, workspace_id, day, body, author_id, created_at FROM calendar_notes WHERE workspace_id = $1 AND id = $2",
        workspace.uuid(),
        id.uuid()
    )?;
    row.map(note_from).transpose()
}

pub async fn delete_note(tx: &mut Tx, id: NoteId) -> Result<()> {
    sql!(tx, exec, "DELETE FROM calendar_notes WHERE id = $1", id.uuid())?;
    Ok(())
}

/// A channel's posting slots, as (ISO weekday, minute after midnight).
pub async fn slots(tx: &mut Tx, channel: ChannelId) -> Result<Vec<(i32, i32)>> {
    Ok(sql!(
        tx,
        all as (i32, i32),
        "SELECT weekday, minute FROM posting_slots WHERE channel_id = $1 ORDER BY weekday, minute",
        channel.uuid()
    )?)
}

/// Replaces a channel's posting slots.
pub async fn set_slots(tx: &mut Tx, channel: ChannelId, slots: &[(i32, i32)]) -> Result<()> {
    sql!(tx, exec, "DELETE FROM posting_slots WHERE channel_id = $1", channel.uuid())?;
    for (weekday, minute) in slots {
        sql!(tx, exec, "INSERT INTO posting_slots (channel_id, weekday, minute) VALUES ($1, $2, $3)", channel.uuid(), *weekday, *minute)?;
    }
    Ok(())
}

/// When the channel's other posts are planned in `[from, until)`: the
/// times a queue must not use again.
pub async fn planned_on_channel(
    tx: &mut Tx,
    workspace: WorkspaceId,
    channel: ChannelId,
    except: PostId,
    from: Timestamp,
    until: Timestamp,
) -> Result<Vec<Timestamp>> {
    let rows = sql!(
        tx,
        all as (DbTime,),
        "SELECT p.planned_at FROM posts p JOIN post_channels c ON c.post_id = p.id
         WHERE p.workspace_id = $1 AND c.channel_id = $2 AND p.id <> $3 AND p.planned_at >= $4 AND p.planned_at < $5",
        workspace.uuid(),
        channel.uuid(),
        except.uuid(),
        DbTime(from),
        DbTime(until)
    )?;
    Ok(rows.into_iter().map(|(t,)| t.0).collect())
}

/// Every channel's posting slots in the workspace, as (channel, weekday, minute).
pub async fn slots_in(tx: &mut Tx, workspace: WorkspaceId) -> Result<Vec<(ChannelId, i32, i32)>> {
    let rows = sql!(
        tx,
        all as (Uuid, i32, i32),
        "SELECT s.channel_id, s.weekday, s.minute FROM posting_slots s JOIN channels c ON c.id = s.channel_id
         WHERE c.workspace_id = $1 ORDER BY s.channel_id, s.weekday, s.minute",
        workspace.uuid()
    )?;
    Ok(rows.into_iter().map(|(c, d, m)| (ChannelId::from_uuid(c), d, m)).collect())
}
