//! The OpenAPI document's frame: title, security schemes, tags and the path
//! parameters the handlers share. The operations themselves come from the
//! `#[utoipa::path]` attribute on each handler, collected as the routes are
//! registered, so the document cannot list a route the server does not have.

#![expect(dead_code, reason = "the parameter structs only describe paths in the OpenAPI document")]

use greenlight_domain::id::{ChannelId, CommentId, GroupId, MediaId, PostId, TokenId, UserId, WorkspaceId};
use utoipa::{
    IntoParams, Modify, OpenApi, PartialSchema, ToSchema,
    openapi::{
        self, ObjectBuilder, RefOr, Schema, Type,
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use greenlight_domain::validation::FieldError;

use crate::{extract::SESSION_COOKIE, problem::Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Greenlight API",
        description = "Plan, review, approve and publish social media posts. Every write is recorded in a verifiable audit log.\n\n\
            Authenticate with `Authorization: Bearer glt_…` (an API token), or with the session cookie from `POST /api/v1/session` \
            — cookie writes also need the `X-CSRF-Token` header that login returns.\n\n\
            Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `type`. Lists page with cursors: \
            pass `next_cursor` back as `cursor` (or `after`)."
    ),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("session" = [])),
    components(responses(Problem), schemas(FieldError)),
    tags(
        (name = "session", description = "Logging in and out"),
        (name = "users", description = "Instance administration"),
        (name = "workspaces", description = "Workspaces, members and groups"),
        (name = "tokens", description = "API tokens"),
        (name = "planning", description = "Channels, campaigns and labels"),
        (name = "posts", description = "Posts, revisions and diffs"),
        (name = "preflight", description = "Checks of content the way each network and the workspace's style guide judge it"),
        (name = "media", description = "The media library"),
        (name = "audit", description = "History and verification of the audit log"),
        (name = "workflows", description = "Workflows, their versions, templates and routing rules"),
        (name = "reviews", description = "Submitting posts, decisions pinned to revisions, my reviews"),
        (name = "comments", description = "Threaded comments on posts, anchored to revisions, text ranges and image regions"),
        (name = "notifications", description = "In-app notifications and how each member wants to hear of each kind of event"),
        (name = "webhooks", description = "Outgoing webhooks (signed JSON) and Slack, Teams and Discord channels, with their deliveries"),
        (name = "analytics", description = "Workflow analytics: cycle time, time per stage and approver, first-pass rate, reasons, deadlines, work waiting; business hours and preset reasons"),
        (name = "share-links", description = "Links for reviewers without an account: view, comment or approve, scoped, expiring, revocable"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("An API token, `glt_…`")).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "The session cookie from login; writes also need the X-CSRF-Token header",
            ))),
        );
    }
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WorkspacePath {
    /// The workspace's id.
    ws: WorkspaceId,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ChannelPath {
    /// The channel's id.
    channel: ChannelId,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PostPath {
    /// The post's id.
    post: PostId,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RevisionPath {
    /// The revision's number: 1, 2, 3 … per post.
    number: i64,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserPath {
    /// The user's id.
    user: UserId,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GroupPath {
    /// The group's id.
    group: GroupId,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TokenPath {
    /// The token's id.
    token: TokenId,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MediaPath {
    /// The media item's id.
    media: MediaId,
}

/// Raw bytes: an uploaded file, or a media item's content.
pub struct Bytes;

impl PartialSchema for Bytes {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).content_media_type("application/octet-stream").into()
    }
}

impl ToSchema for Bytes {}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WorkflowPath {
    /// The workflow's id.
    workflow: greenlight_domain::id::WorkflowId,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CommentPath {
    /// The comment's id.
    comment: CommentId,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DelegationPath {
    /// The delegation's id.
    delegation: greenlight_domain::id::DelegationId,
}

/// A workflow file (TOML): see the README's "Workflows in version control".
pub struct TomlText;

impl PartialSchema for TomlText {
    fn schema() -> openapi::RefOr<openapi::schema::Schema> {
        openapi::ObjectBuilder::new().schema_type(openapi::schema::Type::String).description(Some("A workflow as TOML")).into()
    }
}

impl ToSchema for TomlText {}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ShareLinkPath {
    /// The share link's id.
    link: greenlight_domain::id::ShareLinkId,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WebhookPath {
    /// The webhook's id.
    webhook: greenlight_domain::id::WebhookId,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DeliveryPath {
    /// The delivery's id.
    delivery: greenlight_domain::id::DeliveryId,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct NotePath {
    /// The note's id.
    note: greenlight_domain::id::NoteId,
}
