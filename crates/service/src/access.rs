//! Who is calling, and what they may do: the one place every use case asks
//! (the caller's role in a workspace, whether they may see or edit a post).

use greenlight_domain::{
    audit::Actor,
    id::{PostId, ShareLinkId, TokenId, UserId, WorkspaceId},
    permission::{Permission, Role},
};
use greenlight_store::{
    Tx,
    posts::{self, Post},
    workspaces,
};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `None` only for the server's own command line.
    pub user: Option<UserId>,
    /// Instance administrators create users and workspaces and act as owner
    /// in every workspace (not through API tokens, which keep their scope).
    pub is_admin: bool,
    pub via: Via,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    Session,
    Token {
        id: TokenId,
        workspace: WorkspaceId,
        role: Role,
    },
    /// `greenlight admin …` on the server.
    Cli,
    /// Greenlight itself (demo seeding, jobs).
    System,
    /// Someone without an account, through a share link, by the name they
    /// gave. Has no role anywhere: share-link use cases check the link.
    Link {
        id: ShareLinkId,
        name: String,
    },
}

impl Caller {
    pub fn cli() -> Self {
        Caller { user: None, is_admin: true, via: Via::Cli }
    }

    pub fn system() -> Self {
        Caller { user: None, is_admin: true, via: Via::System }
    }

    /// A logged-in user.
    pub fn session(user: UserId, is_admin: bool) -> Self {
        Caller { user: Some(user), is_admin, via: Via::Session }
    }

    /// A share link's visitor.
    pub fn visitor(link: ShareLinkId, name: String) -> Self {
        Caller { user: None, is_admin: false, via: Via::Link { id: link, name } }
    }

    pub fn actor(&self) -> Actor {
        match (&self.via, self.user) {
            (Via::Token { id, .. }, Some(user)) => Actor::Token { token_id: *id, user_id: user },
            (Via::Session, Some(user)) => Actor::User { user_id: user },
            (Via::Cli, _) => Actor::Cli,
            (Via::Link { id, name }, _) => Actor::External { link_id: id.uuid(), name: name.clone() },
            _ => Actor::System,
        }
    }

    /// The user, for use cases that need a person (authoring a revision).
    pub fn require_user(&self) -> Result<UserId> {
        self.user.ok_or_else(|| Error::forbidden("err-access-needs-user", []))
    }

    /// Instance administration (users, workspaces) is for admins by session or CLI.
    pub fn require_instance_admin(&self) -> Result<()> {
        match self.via {
            Via::Cli | Via::System => Ok(()),
            Via::Session if self.is_admin => Ok(()),
            _ => Err(Error::forbidden("err-access-admin-only", [])),
        }
    }
}

/// The caller's role in the workspace. A workspace the caller cannot see
/// is "not found", never "forbidden": its existence is not disclosed.
pub async fn role_in(tx: &mut Tx, caller: &Caller, workspace: WorkspaceId) -> Result<Role> {
    let member_role = match caller.user {
        Some(user) => workspaces::role_of(tx, workspace, user).await?,
        None => None,
    };
    let role = match caller.via {
        Via::Token { workspace: scope, role, .. } => {
            if scope != workspace {
                return Err(Error::NotFound("workspace"));
            }
            // A token never has more rights than its user has now.
            let user_role = if caller.is_admin { Some(Role::Owner) } else { member_role };
            user_role.map(|r| r.min(role))
        }
        _ if caller.is_admin => workspaces::workspace(tx, workspace).await?.map(|_| Role::Owner),
        _ => member_role,
    };
    role.ok_or(Error::NotFound("workspace"))
}

/// Checks a permission; returns the caller's role for finer checks.
pub async fn require(tx: &mut Tx, caller: &Caller, workspace: WorkspaceId, permission: Permission) -> Result<Role> {
    let role = role_in(tx, caller, workspace).await?;
    if !role.can(permission) {
        return Err(Error::forbidden(denied(permission), [("role", role.to_string())]));
    }
    Ok(role)
}

/// [`require`] for a write whose rules read other rows before it writes
/// (the last owner, group members, workflow approvers, routes): such writes
/// in one workspace run one after the other on either database.
pub async fn require_exclusive(tx: &mut Tx, caller: &Caller, workspace: WorkspaceId, permission: Permission) -> Result<Role> {
    workspaces::lock(tx, workspace).await?;
    require(tx, caller, workspace, permission).await
}

/// The post if the caller may see it; "not found" for other workspaces.
pub async fn visible_post(tx: &mut Tx, caller: &Caller, ws: WorkspaceId, id: PostId) -> Result<(Role, Post)> {
    let role = require(tx, caller, ws, Permission::ViewPosts).await?;
    let post = posts::post(tx, ws, id).await?.ok_or(Error::NotFound("post"))?;
    Ok((role, post))
}

/// Whether the caller may edit a post of `owner` (`None`: a post not yet
/// made, which would be theirs): owners edit their own posts, some roles
/// anybody's.
pub fn may_edit(role: Role, caller: &Caller, owner: Option<UserId>) -> bool {
    let own = owner.is_none_or(|owner| caller.user == Some(owner));
    role.can(Permission::EditAnyPost) || (own && role.can(Permission::EditOwnPosts))
}

/// [`may_edit`], as an error that says why not.
pub fn require_edit(role: Role, caller: &Caller, post: &Post) -> Result<()> {
    if may_edit(role, caller, Some(post.owner_id)) {
        return Ok(());
    }
    let own = caller.user == Some(post.owner_id);
    let id = if own { "err-access-edit-own-post" } else { "err-access-edit-others-post" };
    Err(Error::forbidden(id, [("role", role.to_string())]))
}

/// The catalogue's message for a role that lacks `permission`: "a { $role }
/// cannot" and the permission's description (see the matrix).
fn denied(permission: Permission) -> &'static str {
    match permission {
        Permission::ViewWorkspace => "err-access-cannot-view-workspace",
        Permission::ViewPosts => "err-access-cannot-view-posts",
        Permission::CommentOnPosts => "err-access-cannot-comment-on-posts",
        Permission::DecideReviews => "err-access-cannot-decide-reviews",
        Permission::CreatePosts => "err-access-cannot-create-posts",
        Permission::EditOwnPosts => "err-access-cannot-edit-own-posts",
        Permission::EditAnyPost => "err-access-cannot-edit-any-post",
        Permission::UploadMedia => "err-access-cannot-upload-media",
        Permission::ManageWorkflows => "err-access-cannot-manage-workflows",
        Permission::ShareLinks => "err-access-cannot-share-links",
        Permission::ShareForApproval => "err-access-cannot-share-for-approval",
        Permission::ManagePlanning => "err-access-cannot-manage-planning",
        Permission::ManageStyleGuide => "err-access-cannot-manage-style-guide",
        Permission::ManageGroups => "err-access-cannot-manage-groups",
        Permission::ViewWorkspaceHistory => "err-access-cannot-view-workspace-history",
        Permission::ViewAnalytics => "err-access-cannot-view-analytics",
        Permission::ManageChannels => "err-access-cannot-manage-channels",
        Permission::ManageWebhooks => "err-access-cannot-manage-webhooks",
        Permission::ManageMembers => "err-access-cannot-manage-members",
        Permission::ManageTokens => "err-access-cannot-manage-tokens",
        Permission::OverrideReviews => "err-access-cannot-override-reviews",
        Permission::ManageWorkspace => "err-access-cannot-manage-workspace",
    }
}
