//! Roles and what each may do: the permission matrix, as data.
//!
//! The README's table is rendered from [`MATRIX`] (a test keeps them equal),
//! so the documentation cannot drift from what the server enforces.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A member's role in a workspace, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Manager,
    Creator,
    Reviewer,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 6] = [Role::Owner, Role::Admin, Role::Manager, Role::Creator, Role::Reviewer, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Creator => "creator",
            Role::Reviewer => "reviewer",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == input)
    }

    fn column(self) -> usize {
        Self::ALL.iter().position(|r| *r == self).unwrap_or(Self::ALL.len() - 1)
    }

    /// Whether this role includes everything `other` may do (roles nest).
    pub fn includes(self, other: Role) -> bool {
        self.column() <= other.column()
    }

    /// The less powerful of two roles (a token never exceeds its creator).
    pub fn min(self, other: Role) -> Role {
        if self.includes(other) { other } else { self }
    }

    pub fn can(self, permission: Permission) -> bool {
        MATRIX.iter().find(|row| row.permission == permission).is_some_and(|row| row.allowed[self.column()])
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    ViewWorkspace,
    ManageWorkspace,
    ManageMembers,
    ManageGroups,
    ManageChannels,
    ManagePlanning,
    ManageTokens,
    ViewWorkspaceHistory,
    ViewAnalytics,
    ViewPosts,
    CommentOnPosts,
    DecideReviews,
    CreatePosts,
    EditOwnPosts,
    EditAnyPost,
    UploadMedia,
    ManageWorkflows,
    OverrideReviews,
    ShareLinks,
    ShareForApproval,
    ManageWebhooks,
    ManageStyleGuide,
}

pub struct Row {
    pub permission: Permission,
    pub description: &'static str,
    /// One flag per role, in the order of [`Role::ALL`].
    pub allowed: [bool; 6],
}

const Y: bool = true;
const N: bool = false;

/// Who may do what. Columns: owner, admin, manager, creator, reviewer, viewer.
pub const MATRIX: &[Row] = &[
    Row {
        permission: Permission::ViewWorkspace,
        description: "See the workspace, its members, groups, channels, campaigns and labels",
        allowed: [Y, Y, Y, Y, Y, Y],
    },
    Row {
        permission: Permission::ViewPosts,
        description: "See posts, their revisions, diffs, media and history",
        allowed: [Y, Y, Y, Y, Y, Y],
    },
    Row {
        permission: Permission::CommentOnPosts,
        description: "Comment on posts, reply, and resolve or reopen discussions",
        allowed: [Y, Y, Y, Y, Y, N],
    },
    Row {
        permission: Permission::DecideReviews,
        description: "Approve, request changes or reject where a review asks them (or someone they stand in for); name and end their own stand-ins",
        allowed: [Y, Y, Y, Y, Y, N],
    },
    Row {
        permission: Permission::CreatePosts,
        description: "Create posts and save revisions of their own posts; add and remove their own calendar notes",
        allowed: [Y, Y, Y, Y, N, N],
    },
    Row { permission: Permission::EditOwnPosts, description: "Edit and reschedule their own posts", allowed: [Y, Y, Y, Y, N, N] },
    Row { permission: Permission::EditAnyPost, description: "Edit and reschedule anybody's posts", allowed: [Y, Y, Y, N, N, N] },
    Row { permission: Permission::UploadMedia, description: "Upload images and videos", allowed: [Y, Y, Y, Y, N, N] },
    Row {
        permission: Permission::ManageWorkflows,
        description: "Create and edit workflows and routing rules; set the business hours and the reasons decisions give",
        allowed: [Y, Y, Y, N, N, N],
    },
    Row {
        permission: Permission::ShareLinks,
        description: "Share posts through links to view or comment, list links and revoke them",
        allowed: [Y, Y, Y, Y, N, N],
    },
    Row {
        permission: Permission::ShareForApproval,
        description: "Share links through which an outside reviewer a workflow names may approve",
        allowed: [Y, Y, Y, N, N, N],
    },
    Row { permission: Permission::ManagePlanning, description: "Create and change campaigns and labels", allowed: [Y, Y, Y, N, N, N] },
    Row {
        permission: Permission::ManageStyleGuide,
        description: "Change the style guide that preflight checks posts against",
        allowed: [Y, Y, Y, N, N, N],
    },
    Row { permission: Permission::ManageGroups, description: "Create groups and choose their members", allowed: [Y, Y, Y, N, N, N] },
    Row {
        permission: Permission::ViewWorkspaceHistory,
        description: "Read the workspace's audit log and verify its chain",
        allowed: [Y, Y, Y, N, N, N],
    },
    Row {
        permission: Permission::ViewAnalytics,
        description: "See workflow analytics: where approval time goes, who and what holds it up",
        allowed: [Y, Y, Y, N, N, N],
    },
    Row { permission: Permission::ManageChannels, description: "Add and change channels", allowed: [Y, Y, N, N, N, N] },
    Row {
        permission: Permission::ManageWebhooks,
        description: "Connect Slack, Teams and Discord, register outgoing webhooks, see and redeliver their deliveries",
        allowed: [Y, Y, N, N, N, N],
    },
    Row {
        permission: Permission::ManageMembers,
        description: "Add members, change roles, remove members (only an owner grants or removes owner)",
        allowed: [Y, Y, N, N, N, N],
    },
    Row {
        permission: Permission::ManageTokens,
        description: "Create, list and revoke API tokens (a token's role never exceeds its creator's)",
        allowed: [Y, Y, N, N, N, N],
    },
    Row {
        permission: Permission::OverrideReviews,
        description: "Approve a review stage outright, with a recorded reason",
        allowed: [Y, Y, N, N, N, N],
    },
    Row {
        permission: Permission::ManageWorkspace,
        description: "Rename the workspace and change its time zone",
        allowed: [Y, Y, N, N, N, N],
    },
];

/// The matrix as a Markdown table, as the README shows it.
pub fn matrix_markdown() -> String {
    let mut out = String::from("| Permission |");
    for role in Role::ALL {
        out.push_str(&format!(" {role} |"));
    }
    out.push_str("\n|---|");
    out.push_str(&":-:|".repeat(Role::ALL.len()));
    out.push('\n');
    for row in MATRIX {
        out.push_str(&format!("| {} |", row.description));
        for allowed in row.allowed {
            out.push_str(if allowed { " ✓ |" } else { "   |" });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_has_exactly_one_row() {
        let all = [
            Permission::ViewWorkspace,
            Permission::ManageWorkspace,
            Permission::ManageMembers,
            Permission::ManageGroups,
            Permission::ManageChannels,
            Permission::ManagePlanning,
            Permission::ManageTokens,
            Permission::ViewWorkspaceHistory,
            Permission::ViewPosts,
            Permission::CommentOnPosts,
            Permission::DecideReviews,
            Permission::CreatePosts,
            Permission::EditOwnPosts,
            Permission::EditAnyPost,
            Permission::UploadMedia,
            Permission::ManageWorkflows,
            Permission::OverrideReviews,
            Permission::ShareLinks,
            Permission::ShareForApproval,
            Permission::ManageWebhooks,
            Permission::ManageStyleGuide,
            Permission::ViewAnalytics,
        ];
        for p in all {
            assert_eq!(MATRIX.iter().filter(|r| r.permission == p).count(), 1, "{p:?}");
        }
        assert_eq!(MATRIX.len(), all.len());
    }

    #[test]
    fn roles_nest_more_powerful_includes_less() {
        for row in MATRIX {
            for (i, higher) in Role::ALL.iter().enumerate() {
                for lower in &Role::ALL[i..] {
                    if lower.can(row.permission) {
                        assert!(higher.can(row.permission), "{higher} lacks {:?} that {lower} has", row.permission);
                    }
                }
            }
        }
    }

    #[test]
    fn role_order() {
        assert!(Role::Owner.includes(Role::Viewer));
        assert!(!Role::Viewer.includes(Role::Creator));
        assert_eq!(Role::Admin.min(Role::Creator), Role::Creator);
        assert_eq!(Role::Reviewer.min(Role::Manager), Role::Reviewer);
        assert!(Role::Creator.can(Permission::CreatePosts));
        assert!(!Role::Reviewer.can(Permission::CreatePosts));
        assert!(!Role::Manager.can(Permission::ManageMembers));
        assert!(Role::Reviewer.can(Permission::CommentOnPosts));
        assert!(!Role::Viewer.can(Permission::CommentOnPosts));
    }
}
