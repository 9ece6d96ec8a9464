//! The API's types: what the web layer shows of each record, apart from
//! the store's rows, so that a renamed column never changes the public API
//! (the Rust package registry's server keeps `EncodableCrate` apart from
//! its `Crate` row for this reason). Each converts from its row.

use greenlight_domain::{
    Timestamp,
    canonical::Hash,
    comment::{Anchor, Visibility},
    content::Content,
    id::{
        CampaignId, ChannelId, CommentId, DelegationId, DeliveryId, EventId, GroupId, LabelId, MediaId, NoteId, NotificationId, PostId,
        ReviewId, RevisionId, RouteId, ShareLinkId, TokenId, UserId, WebhookId, WorkflowId, WorkspaceId,
    },
    permission::Role,
    post::PostState,
    schedule::PlannedTime,
    share::{Capability, Scope},
    workflow::{Condition, Definition, Review},
};
use greenlight_store::{accounts, comments, media, notifications, planning, posts, share_links, webhooks, workflows, workspaces};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
    pub created_at: Timestamp,
    /// The language the user reads Greenlight and its emails in (`en`,
    /// `da`); null follows the browser.
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: TokenId,
    pub workspace_id: WorkspaceId,
    pub user_id: UserId,
    pub name: String,
    pub role: Role,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Comment {
    pub id: CommentId,
    pub workspace_id: WorkspaceId,
    pub post_id: PostId,
    /// The thread's first comment, for a reply; `null` for a thread.
    pub parent_id: Option<CommentId>,
    /// The member who wrote it; `null` for a visitor through a share link.
    pub author_id: Option<UserId>,
    /// The name a visitor gave, with the link they came through.
    pub author_name: Option<String>,
    pub share_link_id: Option<ShareLinkId>,
    /// A reply has its thread's anchor.
    pub anchor: Anchor,
    pub body: String,
    /// The members the comment mentions.
    pub mentions: Vec<UserId>,
    pub visibility: Visibility,
    /// When the thread was resolved (threads only).
    pub resolved_at: Option<Timestamp>,
    pub resolved_by: Option<UserId>,
    pub created_at: Timestamp,
    pub edited_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Media {
    pub id: MediaId,
    pub workspace_id: WorkspaceId,
    /// The blob's content address (`sha256:…`).
    pub blob_key: String,
    pub thumbnail_key: Option<String>,
    pub filename: String,
    pub mime: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// A video's length, when it could be read.
    pub duration_ms: Option<i64>,
    pub uploaded_by: UserId,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: NotificationId,
    pub user_id: UserId,
    pub workspace_id: WorkspaceId,
    pub kind: greenlight_domain::notification::Kind,
    pub post_id: Option<PostId>,
    /// One line a person reads: "Dana asked for changes to “Flu shots”".
    pub summary: String,
    /// The details, by kind (stage, verdict, comment …).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
    /// `none` (not wanted), `pending`, `sent`, or `failed` (refused through
    /// every retry).
    pub email_status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Label {
    pub id: LabelId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// `label` (e.g. "sensitive") or `pillar` (a content pillar, e.g. "Patient stories").
    pub kind: String,
    pub colour: String,
    pub created_at: Timestamp,
}

/// A note on a calendar day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Note {
    pub id: NoteId,
    pub workspace_id: WorkspaceId,
    /// The civil date in the workspace's time zone.
    #[schema(value_type = String, example = "2026-12-01")]
    pub day: jiff::civil::Date,
    pub body: String,
    pub author_id: UserId,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

/// A post's face in a list: the first words of its text and its first
/// picture or video.
#[derive(Debug, Clone, PartialEq)]
pub struct Face {
    pub excerpt: String,
    pub first_media: Option<greenlight_domain::content::MediaUse>,
}

impl Face {
    /// How much of the text a card shows.
    pub const EXCERPT_CHARS: usize = 280;

    pub fn of(content: greenlight_domain::content::Content) -> Face {
        Face { excerpt: content.text.chars().take(Face::EXCERPT_CHARS).collect(), first_media: content.media.into_iter().next() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ShareLink {
    pub id: ShareLinkId,
    pub workspace_id: WorkspaceId,
    pub scope: Scope,
    pub capability: Capability,
    pub reviewer_name: Option<String>,
    pub reviewer_email: Option<String>,
    /// Whether the visitor must give a password.
    pub has_password: bool,
    /// For a link Greenlight made for a workflow lane's external reviewer.
    pub lane: Option<LaneOfLink>,
    /// `null` for a link Greenlight made.
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub revoked_by: Option<UserId>,
    pub last_used_at: Option<Timestamp>,
}

/// The review round a lane's link was made for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LaneOfLink {
    pub review_id: ReviewId,
    pub stage_key: String,
    pub round: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Webhook {
    pub id: WebhookId,
    pub workspace_id: WorkspaceId,
    pub kind: greenlight_domain::webhook::Kind,
    pub name: String,
    pub url: String,
    /// The events it receives: `*`, a family like `review.*`, or exact actions.
    pub events: Vec<String>,
    /// A chat hook for one workflow stage only (e.g. the QA channel).
    pub stage_key: Option<String>,
    pub active: bool,
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    /// The audit event delivered.
    pub event_id: Option<EventId>,
    pub action: String,
    /// `pending` (being tried), `delivered`, or `failed` (after every retry).
    pub status: String,
    pub attempts: i64,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// The delivery this one repeats.
    pub redelivery_of: Option<DeliveryId>,
    /// The exact JSON sent.
    pub body: String,
}

/// A workflow at one of its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Workflow {
    pub id: WorkflowId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// Posts no routing rule matches get the default workflow.
    pub is_default: bool,
    pub version: i64,
    pub definition: Definition,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A routing rule as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StoredRoute {
    pub id: RouteId,
    pub priority: i32,
    pub workflow_id: WorkflowId,
    pub when: Condition,
}

/// A review as stored: the engine's run and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReviewRecord {
    pub id: ReviewId,
    pub workspace_id: WorkspaceId,
    pub post_id: PostId,
    pub workflow_id: WorkflowId,
    pub workflow_version: i64,
    /// Bumped by every change.
    pub version: i64,
    pub run: Review,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A member's stand-in for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StoredDelegation {
    pub id: DelegationId,
    pub workspace_id: WorkspaceId,
    pub from_user: UserId,
    pub delegate: UserId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: String,
    pub time_zone: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub joined_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Group {
    pub id: GroupId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub member_ids: Vec<UserId>,
    pub created_at: Timestamp,
}

impl From<accounts::User> for User {
    fn from(r: accounts::User) -> Self {
        User { id: r.id, email: r.email, name: r.name, is_admin: r.is_admin, created_at: r.created_at, language: r.language }
    }
}

impl From<accounts::ApiToken> for ApiToken {
    fn from(r: accounts::ApiToken) -> Self {
        ApiToken {
            id: r.id,
            workspace_id: r.workspace_id,
            user_id: r.user_id,
            name: r.name,
            role: r.role,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

impl From<comments::Comment> for Comment {
    fn from(r: comments::Comment) -> Self {
        Comment {
            id: r.id,
            workspace_id: r.workspace_id,
            post_id: r.post_id,
            parent_id: r.parent_id,
            author_id: r.author_id,
            author_name: r.author_name,
            share_link_id: r.share_link_id,
            anchor: r.anchor,
            body: r.body,
            mentions: r.mentions,
            visibility: r.visibility,
            resolved_at: r.resolved_at,
            resolved_by: r.resolved_by,
            created_at: r.created_at,
            edited_at: r.edited_at,
        }
    }
}

impl From<media::Media> for Media {
    fn from(r: media::Media) -> Self {
        Media {
            id: r.id,
            workspace_id: r.workspace_id,
            blob_key: r.blob_key,
            thumbnail_key: r.thumbnail_key,
            filename: r.filename,
            mime: r.mime,
            size: r.size,
            width: r.width,
            height: r.height,
            duration_ms: r.duration_ms,
            uploaded_by: r.uploaded_by,
            created_at: r.created_at,
        }
    }
}

impl From<notifications::Notification> for Notification {
    fn from(r: notifications::Notification) -> Self {
        Notification {
            id: r.id,
            user_id: r.user_id,
            workspace_id: r.workspace_id,
            kind: r.kind,
            post_id: r.post_id,
            summary: r.summary,
            data: r.data,
            created_at: r.created_at,
            read_at: r.read_at,
            email_status: r.email_status,
        }
    }
}

impl From<planning::Channel> for Channel {
    fn from(r: planning::Channel) -> Self {
        Channel {
            id: r.id,
            workspace_id: r.workspace_id,
            network: r.network,
            handle: r.handle,
            display_name: r.display_name,
            text_limit: r.text_limit,
            created_at: r.created_at,
        }
    }
}

impl From<planning::Campaign> for Campaign {
    fn from(r: planning::Campaign) -> Self {
        Campaign {
            id: r.id,
            workspace_id: r.workspace_id,
            name: r.name,
            colour: r.colour,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            created_at: r.created_at,
        }
    }
}

impl From<planning::Label> for Label {
    fn from(r: planning::Label) -> Self {
        Label { id: r.id, workspace_id: r.workspace_id, name: r.name, kind: r.kind, colour: r.colour, created_at: r.created_at }
    }
}

impl From<planning::Note> for Note {
    fn from(r: planning::Note) -> Self {
        Note { id: r.id, workspace_id: r.workspace_id, day: r.day, body: r.body, author_id: r.author_id, created_at: r.created_at }
    }
}

impl From<posts::Post> for Post {
    fn from(r: posts::Post) -> Self {
        Post {
            id: r.id,
            workspace_id: r.workspace_id,
            title: r.title,
            brief: r.brief,
            owner_id: r.owner_id,
            campaign_id: r.campaign_id,
            state: r.state,
            planned: r.planned,
            version: r.version,
            current_revision_id: r.current_revision_id,
            label_ids: r.label_ids,
            channel_ids: r.channel_ids,
            repurposed: r.repurposed,
            review_stage: r.review_stage,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl From<posts::Revision> for Revision {
    fn from(r: posts::Revision) -> Self {
        Revision {
            id: r.id,
            post_id: r.post_id,
            number: r.number,
            content_hash: r.content_hash,
            content: r.content,
            author_id: r.author_id,
            created_at: r.created_at,
        }
    }
}

impl From<share_links::ShareLink> for ShareLink {
    fn from(r: share_links::ShareLink) -> Self {
        ShareLink {
            id: r.id,
            workspace_id: r.workspace_id,
            scope: r.scope,
            capability: r.capability,
            reviewer_name: r.reviewer_name,
            reviewer_email: r.reviewer_email,
            has_password: r.has_password,
            lane: r.lane.map(Into::into),
            created_by: r.created_by,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
            revoked_by: r.revoked_by,
            last_used_at: r.last_used_at,
        }
    }
}

impl From<share_links::LaneOfLink> for LaneOfLink {
    fn from(r: share_links::LaneOfLink) -> Self {
        LaneOfLink { review_id: r.review_id, stage_key: r.stage_key, round: r.round }
    }
}

impl From<webhooks::Webhook> for Webhook {
    fn from(r: webhooks::Webhook) -> Self {
        Webhook {
            id: r.id,
            workspace_id: r.workspace_id,
            kind: r.kind,
            name: r.name,
            url: r.url,
            events: r.events,
            stage_key: r.stage_key,
            active: r.active,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

impl From<webhooks::Delivery> for Delivery {
    fn from(r: webhooks::Delivery) -> Self {
        Delivery {
            id: r.id,
            webhook_id: r.webhook_id,
            event_id: r.event_id,
            action: r.action,
            status: r.status,
            attempts: r.attempts,
            last_status: r.last_status,
            last_error: r.last_error,
            created_at: r.created_at,
            finished_at: r.finished_at,
            redelivery_of: r.redelivery_of,
            body: r.body,
        }
    }
}

impl From<workflows::Workflow> for Workflow {
    fn from(r: workflows::Workflow) -> Self {
        Workflow {
            id: r.id,
            workspace_id: r.workspace_id,
            name: r.name,
            is_default: r.is_default,
            version: r.version,
            definition: r.definition,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl From<workflows::StoredRoute> for StoredRoute {
    fn from(r: workflows::StoredRoute) -> Self {
        StoredRoute { id: r.id, priority: r.priority, workflow_id: r.workflow_id, when: r.when }
    }
}

impl From<workflows::ReviewRecord> for ReviewRecord {
    fn from(r: workflows::ReviewRecord) -> Self {
        ReviewRecord {
            id: r.id,
            workspace_id: r.workspace_id,
            post_id: r.post_id,
            workflow_id: r.workflow_id,
            workflow_version: r.workflow_version,
            version: r.version,
            run: r.run,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl From<workflows::StoredDelegation> for StoredDelegation {
    fn from(r: workflows::StoredDelegation) -> Self {
        StoredDelegation {
            id: r.id,
            workspace_id: r.workspace_id,
            from_user: r.from_user,
            delegate: r.delegate,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

impl From<workspaces::Workspace> for Workspace {
    fn from(r: workspaces::Workspace) -> Self {
        Workspace { id: r.id, name: r.name, time_zone: r.time_zone, created_at: r.created_at }
    }
}

impl From<workspaces::Member> for Member {
    fn from(r: workspaces::Member) -> Self {
        Member { user_id: r.user_id, email: r.email, name: r.name, role: r.role, joined_at: r.joined_at }
    }
}

impl From<workspaces::Group> for Group {
    fn from(r: workspaces::Group) -> Self {
        Group { id: r.id, workspace_id: r.workspace_id, name: r.name, member_ids: r.member_ids, created_at: r.created_at }
    }
}

/// Rows as the API shows them.
pub(crate) fn all<R, V: From<R>>(rows: Vec<R>) -> Vec<V> {
    rows.into_iter().map(V::from).collect()
}
