//! Posts and their immutable revisions.

use std::collections::BTreeMap;

use greenlight_domain::{
    Timestamp,
    canonical::Hash,
    content::Content,
    id::{CampaignId, ChannelId, LabelId, PostId, RevisionId, UserId, WorkspaceId},
    names::ZoneName,
    post::PostState,
    schedule::PlannedTime,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    db::{Result, StoreError, Tx},
    time::DbTime,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Post {
    pub id: PostId,
    pub workspace_id: WorkspaceId,
    pub title: String,
    pub brief: String,
    pub owner_id: UserId,
    pub campaign_id: Option<CampaignId>,
    pub state: PostState,
    pub planned: Option<PlannedTime>,
    /// Bumped by every change; the API's ETag.
    pub version: i64,
    pub current_revision_id: Option<RevisionId>,
    pub label_ids: Vec<LabelId>,
    pub channel_ids: Vec<ChannelId>,
    /// Reused content (a workflow may let it skip stages).
    pub repurposed: bool,
    /// The name of the stage its open review waits at, if any: with `state`
    /// it reads "in review at stage Legal".
    pub review_stage: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

row! {
    struct PostRow {
        id: Uuid,
        workspace_id: Uuid,
        title: String,
        brief: String,
        owner_id: Uuid,
        campaign_id: Option<Uuid>,
        state: String,
        planned_at: Option<DbTime>,
        planned_zone: Option<String>,
        version: i64,
        current_revision_id: Option<Uuid>,
        repurposed: bool,
        review_stage: Option<String>,
        created_at: DbTime,
        updated_at: DbTime,
    }
}

impl PostRow {
    fn into_post(self) -> Result<Post> {
        let state = PostState::parse(&self.state).ok_or_else(|| StoreError::Corrupt(format!("post state `{}`", self.state)))?;
        let planned = match (self.planned_at, self.planned_zone) {
            (Some(at), Some(zone)) => {
                let zone = ZoneName::parse(&zone).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Some(PlannedTime::new(at.0, zone))
            }
            _ => None,
        };
        Ok(Post {
            id: PostId::from_uuid(self.id),
            workspace_id: WorkspaceId::from_uuid(self.workspace_id),
            title: self.title,
            brief: self.brief,
            owner_id: UserId::from_uuid(self.owner_id),
            campaign_id: self.campaign_id.map(CampaignId::from_uuid),
            state,
            planned,
            version: self.version,
            current_revision_id: self.current_revision_id.map(RevisionId::from_uuid),
            label_ids: Vec::new(),
            channel_ids: Vec::new(),
            repurposed: self.repurposed,
            review_stage: self.review_stage,
            created_at: self.created_at.0,
            updated_at: self.updated_at.0,
        })
    }
}

macro_rules! post_select {
    () => {
        "SELECT id, workspace_id, title, brief, owner_id, campaign_id, state, planned_at, planned_zone, version,
                current_revision_id, repurposed, review_stage, created_at, updated_at FROM posts "
    };
}

pub async fn insert_post(tx: &mut Tx, post: &Post) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO posts (id, workspace_id, title, brief, owner_id, campaign_id, state, planned_at, planned_zone, version,
                            current_revision_id, repurposed, review_stage, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        post.id.uuid(),
        post.workspace_id.uuid(),
        &post.title,
        &post.brief,
        post.owner_id.uuid(),
        post.campaign_id.map(|c| c.uuid()),
        post.state.as_str(),
        post.planned.as_ref().map(|p| DbTime(p.at)),
        post.planned.as_ref().map(|p| p.zone.as_str()),
        post.version,
        post.current_revision_id.map(|r| r.uuid()),
        post.repurposed,
        post.review_stage.as_deref(),
        DbTime(post.created_at),
        DbTime(post.updated_at)
    )?;
    set_links(tx, post).await
}

/// Writes where the post stands — its state, review stage, current
/// revision — if it is still at `expected_version` (else
/// `StoreError::Stale`): what a review, a new revision, scheduling and
/// publishing change. Naming no other column matters on SQLite, which
/// rewrites the index entries of every column an UPDATE sets, changed or
/// not (the calendar's index was a page written to the WAL with every
/// decision).
pub async fn update_progress(tx: &mut Tx, post: &Post, expected_version: i64) -> Result<()> {
    let n = sql!(
        tx,
        exec,
        "UPDATE posts SET state = $3, review_stage = $4, current_revision_id = $5, version = $6, updated_at = $7
         WHERE id = $1 AND version = $2",
        post.id.uuid(),
        expected_version,
        post.state.as_str(),
        post.review_stage.as_deref(),
        post.current_revision_id.map(|r| r.uuid()),
        post.version,
        DbTime(post.updated_at)
    )?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Writes every column of `post` if its stored version is still
/// `expected_version`; `StoreError::Stale` if someone else wrote first.
/// Its labels and channels change only through [`replace_links`].
pub async fn update_post(tx: &mut Tx, post: &Post, expected_version: i64) -> Result<()> {
    let n = sql!(
        tx,
        exec,
        "UPDATE posts SET title = $3, brief = $4, owner_id = $5, campaign_id = $6, state = $7, planned_at = $8, planned_zone = $9,
                version = $10, current_revision_id = $11, repurposed = $12, review_stage = $13, updated_at = $14
         WHERE id = $1 AND version = $2",
        post.id.uuid(),
        expected_version,
        &post.title,
        &post.brief,
        post.owner_id.uuid(),
        post.campaign_id.map(|c| c.uuid()),
        post.state.as_str(),
        post.planned.as_ref().map(|p| DbTime(p.at)),
        post.planned.as_ref().map(|p| p.zone.as_str()),
        post.version,
        post.current_revision_id.map(|r| r.uuid()),
        post.repurposed,
        post.review_stage.as_deref(),
        DbTime(post.updated_at)
    )?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Makes the post's labels and channels those it now names.
pub async fn replace_links(tx: &mut Tx, post: &Post) -> Result<()> {
    sql!(tx, exec, "DELETE FROM post_labels WHERE post_id = $1", post.id.uuid())?;
    sql!(tx, exec, "DELETE FROM post_channels WHERE post_id = $1", post.id.uuid())?;
    set_links(tx, post).await
}

async fn set_links(tx: &mut Tx, post: &Post) -> Result<()> {
    for label in &post.label_ids {
        sql!(tx, exec, "INSERT INTO post_labels (post_id, label_id) VALUES ($1, $2)", post.id.uuid(), label.uuid())?;
    }
    for channel in &post.channel_ids {
        sql!(tx, exec, "INSERT INTO post_channels (post_id, channel_id) VALUES ($1, $2)", post.id.uuid(), channel.uuid())?;
    }
    Ok(())
}

pub async fn post(tx: &mut Tx, workspace: WorkspaceId, id: PostId) -> Result<Option<Post>> {
    let row = sql!(tx, optional as PostRow, concat!(post_select!(), "WHERE workspace_id = $1 AND id = $2"), workspace.uuid(), id.uuid())?;
    let Some(row) = row else { return Ok(None) };
    let mut posts = vec![row.into_post()?];
    load_links(tx, &mut posts).await?;
    Ok(posts.pop())
}

/// What a list of reviews shows of a post: its title, owner, planned time
/// and channels, and the revision under review (by its hash) with its number.
#[derive(Debug, Clone)]
pub struct ReviewCard {
    pub title: String,
    pub owner_id: UserId,
    pub planned: Option<PlannedTime>,
    pub channel_ids: Vec<ChannelId>,
    /// The revision under review, if the post still has it.
    pub revision: Option<(i64, Content)>,
}

row! {
    struct ReviewCardRow {
        title: String,
        owner_id: Uuid,
        planned_at: Option<DbTime>,
        planned_zone: Option<String>,
        number: Option<i64>,
        content: Option<String>,
    }
}

row! {
    struct ReviewCardsRow {
        post_id: Uuid,
        title: String,
        owner_id: Uuid,
        planned_at: Option<DbTime>,
        planned_zone: Option<String>,
        content_hash: Option<String>,
        number: Option<i64>,
        content: Option<String>,
    }
}

/// The posts of the workspace's running reviews that `wanted` names, each
/// as a list of reviews shows it, with the revision `wanted` gives it: two
/// reads for the whole list (the posts with their current revisions, then
/// their channels) rather than two per review. A review of another
/// revision than its post's current one is read on its own.
pub async fn review_cards(tx: &mut Tx, workspace: WorkspaceId, wanted: &BTreeMap<PostId, Hash>) -> Result<BTreeMap<PostId, ReviewCard>> {
    let rows = sql!(
        tx,
        all as ReviewCardsRow,
        "SELECT p.id AS post_id, p.title, p.owner_id, p.planned_at, p.planned_zone, r.content_hash, r.number, r.content
         FROM reviews v JOIN posts p ON p.id = v.post_id
         LEFT JOIN revisions r ON r.id = p.current_revision_id
         WHERE v.workspace_id = $1 AND v.status = 'active'",
        workspace.uuid()
    )?;
    let channels = sql!(
        tx,
        all as (Uuid, Uuid),
        "SELECT c.post_id, c.channel_id FROM reviews v JOIN post_channels c ON c.post_id = v.post_id
         WHERE v.workspace_id = $1 AND v.status = 'active' ORDER BY c.post_id, c.channel_id",
        workspace.uuid()
    )?;
    let mut channels_of: BTreeMap<PostId, Vec<ChannelId>> = BTreeMap::new();
    for (post, channel) in channels {
        channels_of.entry(PostId::from_uuid(post)).or_default().push(ChannelId::from_uuid(channel));
    }
    let mut cards = BTreeMap::new();
    for row in rows {
        let id = PostId::from_uuid(row.post_id);
        let Some(revision) = wanted.get(&id) else { continue };
        let revision = match (row.content_hash, row.number, row.content) {
            (Some(hash), Some(number), Some(content)) if hash == revision.to_string() => {
                Some((number, serde_json::from_str(&content).map_err(|e| StoreError::Corrupt(format!("revision content: {e}")))?))
            }
            _ => match review_card(tx, workspace, id, *revision).await? {
                Some(card) => card.revision,
                None => None,
            },
        };
        let card = ReviewCard {
            title: row.title,
            owner_id: UserId::from_uuid(row.owner_id),
            planned: planned_time(row.planned_at, row.planned_zone)?,
            channel_ids: channels_of.remove(&id).unwrap_or_default(),
            revision,
        };
        cards.insert(id, card);
    }
    Ok(cards)
}

fn planned_time(at: Option<DbTime>, zone: Option<String>) -> Result<Option<PlannedTime>> {
    match (at, zone) {
        (Some(at), Some(zone)) => Ok(Some(PlannedTime::new(at.0, ZoneName::parse(&zone).map_err(|e| StoreError::Corrupt(e.to_string()))?))),
        _ => Ok(None),
    }
}

/// A post as a list of reviews shows it, with the revision under review.
async fn review_card(tx: &mut Tx, workspace: WorkspaceId, id: PostId, revision: Hash) -> Result<Option<ReviewCard>> {
    let row = sql!(
        tx,
        optional as ReviewCardRow,
        "SELECT p.title, p.owner_id, p.planned_at, p.planned_zone, r.number, r.content FROM posts p
         LEFT JOIN revisions r ON r.post_id = p.id AND r.content_hash = $3
         WHERE p.workspace_id = $1 AND p.id = $2",
        workspace.uuid(),
        id.uuid(),
        revision.to_string()
    )?;
    let Some(row) = row else { return Ok(None) };
    let channels = sql!(tx, all as (Uuid,), "SELECT channel_id FROM post_channels WHERE post_id = $1 ORDER BY channel_id", id.uuid())?;
    let planned = planned_time(row.planned_at, row.planned_zone)?;
    let revision = match (row.number, row.content) {
        (Some(number), Some(content)) => {
            Some((number, serde_json::from_str(&content).map_err(|e| StoreError::Corrupt(format!("revision content: {e}")))?))
        }
        _ => None,
    };
    Ok(Some(ReviewCard {
        title: row.title,
        owner_id: UserId::from_uuid(row.owner_id),
        planned,
        channel_ids: channels.into_iter().map(|(c,)| ChannelId::from_uuid(c)).collect(),
        revision,
    }))
}

/// The current revision's content of each post planned in `[from, until)`
/// (at most `limit`) that `wanted` keeps: what calendar cards show of their
/// words and pictures. Only those kept are decoded (a month reads five
/// times more posts than it shows as cards).
pub async fn contents_in_range(
    tx: &mut Tx,
    workspace: WorkspaceId,
    from: Timestamp,
    until: Timestamp,
    limit: i64,
    wanted: impl Fn(PostId) -> bool,
) -> Result<Vec<(PostId, Content)>> {
    let rows = sql!(
        tx,
        all as (Uuid, String),
        "SELECT p.id, r.content FROM posts p JOIN revisions r ON r.id = p.current_revision_id
         WHERE p.workspace_id = $1 AND p.planned_at >= $2 AND p.planned_at < $3 LIMIT $4",
        workspace.uuid(),
        DbTime(from),
        DbTime(until),
        limit
    )?;
    rows.into_iter()
        .map(|(id, content)| (PostId::from_uuid(id), content))
        .filter(|(id, _)| wanted(*id))
        .map(|(id, content)| {
            let content = serde_json::from_str(&content).map_err(|e| StoreError::Corrupt(format!("revision content: {e}")))?;
            Ok((id, content))
        })
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct PostFilter {
    pub state: Option<PostState>,
    pub campaign: Option<CampaignId>,
    pub owner: Option<UserId>,
    /// Planned at or after.
    pub from: Option<Timestamp>,
    /// Planned before.
    pub until: Option<Timestamp>,
    pub label: Option<LabelId>,
    pub channel: Option<ChannelId>,
}

/// The list's filters other than the planned range.
macro_rules! post_filters {
    () => {
        "($2 IS NULL OR id > $2) AND ($3 IS NULL OR state = $3) AND ($4 IS NULL OR campaign_id = $4) AND ($5 IS NULL OR owner_id = $5)
           AND ($9 IS NULL OR EXISTS (SELECT 1 FROM post_labels l WHERE l.post_id = posts.id AND l.label_id = $9))
           AND ($10 IS NULL OR EXISTS (SELECT 1 FROM post_channels c WHERE c.post_id = posts.id AND c.channel_id = $10))
         ORDER BY id LIMIT $8"
    };
}

/// A page of posts in creation order, after the cursor post.
pub async fn posts(tx: &mut Tx, workspace: WorkspaceId, filter: &PostFilter, after: Option<PostId>, limit: i64) -> Result<Vec<Post>> {
    let query = match (filter.from, filter.until) {
        // A calendar's range, which the (workspace, planned) index answers:
        // inside `$6 IS NULL OR …` SQLite would read the workspace's every post.
        (Some(_), Some(_)) => {
            concat!(post_select!(), "WHERE workspace_id = $1 AND planned_at >= $6 AND planned_at < $7 AND ", post_filters!())
        }
        _ => concat!(
            post_select!(),
            "WHERE workspace_id = $1 AND ($6 IS NULL OR planned_at >= $6) AND ($7 IS NULL OR planned_at < $7) AND ",
            post_filters!()
        ),
    };
    let rows = sql!(
        tx,
        all as PostRow,
        query,
        workspace.uuid(),
        after.map(|a| a.uuid()),
        filter.state.map(|s| s.as_str()),
        filter.campaign.map(|c| c.uuid()),
        filter.owner.map(|o| o.uuid()),
        filter.from.map(DbTime),
        filter.until.map(DbTime),
        limit,
        filter.label.map(|l| l.uuid()),
        filter.channel.map(|c| c.uuid())
    )?;
    let mut posts = rows.into_iter().map(PostRow::into_post).collect::<Result<Vec<_>>>()?;
    match (filter.from, filter.until) {
        (Some(from), Some(until)) => load_links_planned(tx, workspace, from, until, &mut posts).await?,
        _ => load_links(tx, &mut posts).await?,
    }
    Ok(posts)
}

/// The ids of the workspace's posts, newest first and at most `limit`,
/// whose title, brief, current revision (its stored JSON), campaign's name
/// or a label's name holds `pattern`: a `LIKE` pattern in lower case with
/// `\` escaping. SQLite lowers ASCII letters only; the JSON holds field
/// names too, so the caller checks each post's words again.
pub async fn search(tx: &mut Tx, workspace: WorkspaceId, pattern: &str, limit: i64) -> Result<Vec<PostId>> {
    let rows = sql!(
        tx,
        all as (Uuid,),
        "SELECT p.id FROM posts p
         LEFT JOIN revisions r ON r.id = p.current_revision_id
         LEFT JOIN campaigns c ON c.id = p.campaign_id
         WHERE p.workspace_id = $1 AND (
             LOWER(p.title) LIKE $2 ESCAPE '\\' OR LOWER(p.brief) LIKE $2 ESCAPE '\\' OR LOWER(r.content) LIKE $2 ESCAPE '\\'
             OR LOWER(c.name) LIKE $2 ESCAPE '\\'
             OR EXISTS (SELECT 1 FROM post_labels pl JOIN labels l ON l.id = pl.label_id
                        WHERE pl.post_id = p.id AND LOWER(l.name) LIKE $2 ESCAPE '\\'))
         ORDER BY p.id DESC LIMIT $3",
        workspace.uuid(),
        pattern,
        limit
    )?;
    Ok(rows.into_iter().map(|(id,)| PostId::from_uuid(id)).collect())
}

/// Fills in the posts' labels and channels. The posts come in id order, so
/// one range of the link tables' primary keys holds theirs; rows of other
/// posts in that range are left out below. (Joining `posts` to keep to the
/// workspace made SQLite walk the workspace's every post instead.)
async fn load_links(tx: &mut Tx, posts: &mut [Post]) -> Result<()> {
    let (Some(first), Some(last)) = (posts.first().map(|p| p.id.uuid()), posts.last().map(|p| p.id.uuid())) else { return Ok(()) };
    let labels = sql!(
        tx,
        all as (Uuid, Uuid),
        "SELECT post_id, label_id FROM post_labels WHERE post_id BETWEEN $1 AND $2 ORDER BY post_id, label_id",
        first,
        last
    )?;
    let channels = sql!(
        tx,
        all as (Uuid, Uuid),
        "SELECT post_id, channel_id FROM post_channels WHERE post_id BETWEEN $1 AND $2 ORDER BY post_id, channel_id",
        first,
        last
    )?;
    attach_links(posts, labels, channels);
    Ok(())
}

/// [`load_links`] for posts planned in `[from, until)`: their ids can lie
/// anywhere (a post is planned long after it is written), so the links are
/// found through the planned index, not a range of ids.
async fn load_links_planned(tx: &mut Tx, workspace: WorkspaceId, from: Timestamp, until: Timestamp, posts: &mut [Post]) -> Result<()> {
    if posts.is_empty() {
        return Ok(());
    }
    let labels = planned_links(
        tx,
        "SELECT l.post_id, l.label_id FROM posts p JOIN post_labels l ON l.post_id = p.id
         WHERE p.workspace_id = $1 AND p.planned_at >= $2 AND p.planned_at < $3",
        (workspace, from, until),
    )
    .await?;
    let channels = planned_links(
        tx,
        "SELECT c.post_id, c.channel_id FROM posts p JOIN post_channels c ON c.post_id = p.id
         WHERE p.workspace_id = $1 AND p.planned_at >= $2 AND p.planned_at < $3",
        (workspace, from, until),
    )
    .await?;
    attach_links(posts, labels, channels);
    Ok(())
}

/// One link table's rows for the posts planned in `[from, until)`, in no
/// particular order ([`attach_links`] orders each post's: sorting the whole
/// range in SQL took a temporary B-tree).
async fn planned_links(
    tx: &mut Tx,
    query: &'static str,
    (workspace, from, until): (WorkspaceId, Timestamp, Timestamp),
) -> Result<Vec<(Uuid, Uuid)>> {
    sql!(tx, all as (Uuid, Uuid), query, workspace.uuid(), DbTime(from), DbTime(until))
}

/// Gives each post its rows of `labels` and `channels`, each post's in id
/// order; rows of posts not among `posts` are left out.
fn attach_links(posts: &mut [Post], labels: Vec<(Uuid, Uuid)>, channels: Vec<(Uuid, Uuid)>) {
    // Grouped by post once (each post searching every row was most of
    // reading a month).
    let mut by_post: std::collections::HashMap<Uuid, (Vec<LabelId>, Vec<ChannelId>)> = std::collections::HashMap::new();
    for (post, label) in labels {
        by_post.entry(post).or_default().0.push(LabelId::from_uuid(label));
    }
    for (post, channel) in channels {
        by_post.entry(post).or_default().1.push(ChannelId::from_uuid(channel));
    }
    for post in posts.iter_mut() {
        let (mut labels, mut channels) = by_post.remove(&post.id.uuid()).unwrap_or_default();
        labels.sort_unstable();
        channels.sort_unstable();
        (post.label_ids, post.channel_ids) = (labels, channels);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    pub id: RevisionId,
    pub post_id: PostId,
    /// 1, 2, 3 … per post.
    pub number: i64,
    pub content_hash: Hash,
    pub content: Content,
    pub author_id: UserId,
    pub created_at: Timestamp,
}

type RevisionRow = (Uuid, Uuid, i64, String, String, Uuid, DbTime);

fn revision_from((id, post, number, hash, content, author, created_at): RevisionRow) -> Result<Revision> {
    let content_hash = Hash::parse(&hash).ok_or_else(|| StoreError::Corrupt(format!("revision hash `{hash}`")))?;
    let content = serde_json::from_str(&content).map_err(|e| StoreError::Corrupt(format!("revision content: {e}")))?;
    Ok(Revision {
        id: RevisionId::from_uuid(id),
        post_id: PostId::from_uuid(post),
        number,
        content_hash,
        content,
        author_id: UserId::from_uuid(author),
        created_at: created_at.0,
    })
}

pub async fn insert_revision(tx: &mut Tx, r: &Revision) -> Result<()> {
    let content = serde_json::to_string(&r.content).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sql!(
        tx,
        exec,
        "INSERT INTO revisions (id, post_id, number, content_hash, content, author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        r.id.uuid(),
        r.post_id.uuid(),
        r.number,
        r.content_hash.to_string(),
        content,
        r.author_id.uuid(),
        DbTime(r.created_at)
    )?;
    Ok(())
}

/// A post's revisions, oldest first. The caller has checked the post's workspace.
pub async fn revisions(tx: &mut Tx, post: PostId) -> Result<Vec<Revision>> {
    let rows = sql!(
        tx,
        all as RevisionRow,
        "SELECT id, post_id, number, content_hash, content, author_id, created_at FROM revisions WHERE post_id = $1 ORDER BY number",
        post.uuid()
    )?;
    rows.into_iter().map(revision_from).collect()
}

pub async fn revision(tx: &mut Tx, post: PostId, number: i64) -> Result<Option<Revision>> {
    let row = sql!(
        tx,
        optional as RevisionRow,
        "SELECT id, post_id, number, content_hash, content, author_id, created_at FROM revisions WHERE post_id = $1 AND number = $2",
        post.uuid(),
        number
    )?;
    row.map(revision_from).transpose()
}

/// A page of every revision in a workspace, by id after `after` (start
/// with the nil id), for verifying them against the audit log.
pub async fn workspace_revisions(tx: &mut Tx, workspace: WorkspaceId, after: Uuid, limit: i64) -> Result<Vec<Revision>> {
    let rows = sql!(
        tx,
        all as RevisionRow,
        "SELECT r.id, r.post_id, r.number, r.content_hash, r.content, r.author_id, r.created_at
         FROM revisions r JOIN posts p ON p.id = r.post_id WHERE p.workspace_id = $1 AND r.id > $2 ORDER BY r.id LIMIT $3",
        workspace.uuid(),
        after,
        limit
    )?;
    rows.into_iter().map(revision_from).collect()
}

/// The post's revision with this content hash.
pub async fn revision_by_hash(tx: &mut Tx, post: PostId, hash: Hash) -> Result<Option<Revision>> {
    let row = sql!(
        tx,
        optional as RevisionRow,
        "SELECT id, post_id, number, content_hash, content, author_id, created_at FROM revisions WHERE post_id = $1 AND content_hash = $2
         ORDER BY number LIMIT 1",
        post.uuid(),
        hash.to_string()
    )?;
    row.map(revision_from).transpose()
}

pub async fn latest_revision(tx: &mut Tx, post: PostId) -> Result<Option<Revision>> {
    let row = sql!(
        tx,
        optional as RevisionRow,
        "SELECT id, post_id, number, content_hash, content, author_id, created_at FROM revisions WHERE post_id = $1
         ORDER BY number DESC LIMIT 1",
        post.uuid()
    )?;
    row.map(revision_from).transpose()
}
