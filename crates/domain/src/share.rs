//! Share links: what someone without an account may do through a link, and
//! which posts it reaches. The token itself is the service's business; the
//! rules about scope, capability and validity are here.

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::{
    id::{CampaignId, PostId},
    validation::{Errors, Words},
};

/// What a link lets its visitor do; each includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// See the posts, their media and the comments visible to externals.
    View,
    /// Also comment (always visible to externals).
    Comment,
    /// Also approve or request changes where a review asks the link's reviewer.
    Approve,
}

impl Capability {
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::View => "view",
            Capability::Comment => "comment",
            Capability::Approve => "approve",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Capability::View, Capability::Comment, Capability::Approve].into_iter().find(|c| c.as_str() == input)
    }

    pub fn allows(self, needed: Capability) -> bool {
        self >= needed
    }
}

/// Which posts a link reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Scope {
    /// These posts (one, or a chosen set).
    Posts { post_ids: BTreeSet<PostId> },
    /// Every post of a campaign, including ones added later.
    Campaign { campaign_id: CampaignId },
    /// Every post planned in `[from, to)`.
    Range { from: Timestamp, to: Timestamp },
}

/// The most posts a link may name one by one.
pub const MAX_POSTS: usize = 100;
/// The longest calendar range a link may cover.
pub const MAX_RANGE_DAYS: i64 = 366;
/// The longest a link may stay valid.
pub const MAX_VALID_DAYS: i64 = 365;

/// The facts about a post that decide whether a scope covers it.
#[derive(Debug, Clone, Copy)]
pub struct PostFacts {
    pub id: PostId,
    pub campaign: Option<CampaignId>,
    pub planned: Option<Timestamp>,
}

impl Scope {
    pub fn covers(&self, post: PostFacts) -> bool {
        match self {
            Scope::Posts { post_ids } => post_ids.contains(&post.id),
            Scope::Campaign { campaign_id } => post.campaign == Some(*campaign_id),
            Scope::Range { from, to } => post.planned.is_some_and(|at| *from <= at && at < *to),
        }
    }

    /// The scope's own limits (whether the posts or campaign exist is the
    /// service's to check).
    pub fn check(&self, errors: &mut Errors) {
        match self {
            Scope::Posts { post_ids } if post_ids.is_empty() => {
                errors.add_said("scope.post_ids", "name at least one post", Words::new("err-domain-share-no-posts", []))
            }
            Scope::Posts { post_ids } if post_ids.len() > MAX_POSTS => {
                let words = Words::new("err-domain-share-too-many-posts", [("max", MAX_POSTS.to_string())]);
                errors.add_said("scope.post_ids", format!("at most {MAX_POSTS} posts; share a campaign or a range instead"), words)
            }
            Scope::Range { from, to } if from >= to => {
                errors.add_said("scope.to", "must be after `from`", Words::new("err-domain-share-range-order", []))
            }
            Scope::Range { from, to } if to.duration_since(*from) > SignedDuration::from_hours(24 * MAX_RANGE_DAYS) => {
                let words = Words::new("err-domain-share-range-long", [("max", MAX_RANGE_DAYS.to_string())]);
                errors.add_said("scope.to", format!("a range covers at most {MAX_RANGE_DAYS} days"), words)
            }
            _ => {}
        }
    }
}

/// Checks a link's expiry when it is made: in the future, and not too far.
pub fn check_expiry(errors: &mut Errors, expires_at: Timestamp, now: Timestamp) {
    if expires_at <= now {
        errors.add_said("expires_at", "must be in the future", Words::new("err-domain-share-expiry-past", []));
    } else if expires_at.duration_since(now) > SignedDuration::from_hours(24 * MAX_VALID_DAYS) {
        let words = Words::new("err-domain-share-expiry-long", [("max", MAX_VALID_DAYS.to_string())]);
        errors.add_said("expires_at", format!("a link lasts at most {MAX_VALID_DAYS} days"), words);
    }
}

/// Whether a link can be used now: not revoked and not expired.
pub fn usable(expires_at: Timestamp, revoked_at: Option<Timestamp>, now: Timestamp) -> bool {
    revoked_at.is_none() && now < expires_at
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    fn post(n: u128, campaign: Option<u128>, planned: Option<&str>) -> PostFacts {
        PostFacts {
            id: PostId::from_uuid(Uuid::from_u128(n)),
            campaign: campaign.map(|c| CampaignId::from_uuid(Uuid::from_u128(c))),
            planned: planned.map(ts),
        }
    }

    #[test]
    fn capabilities_include_the_lesser_ones() {
        assert!(Capability::Approve.allows(Capability::Comment));
        assert!(Capability::Comment.allows(Capability::View));
        assert!(!Capability::Comment.allows(Capability::Approve));
        assert!(!Capability::View.allows(Capability::Comment));
        for c in [Capability::View, Capability::Comment, Capability::Approve] {
            assert_eq!(Capability::parse(c.as_str()), Some(c));
        }
        assert_eq!(Capability::parse("admin"), None);
    }

    #[test]
    fn a_post_scope_covers_only_its_posts() {
        let scope = Scope::Posts { post_ids: [PostId::from_uuid(Uuid::from_u128(1))].into() };
        assert!(scope.covers(post(1, None, None)));
        assert!(!scope.covers(post(2, None, None)));
    }

    #[test]
    fn a_campaign_scope_covers_its_campaign() {
        let scope = Scope::Campaign { campaign_id: CampaignId::from_uuid(Uuid::from_u128(7)) };
        assert!(scope.covers(post(1, Some(7), None)));
        assert!(!scope.covers(post(1, Some(8), None)));
        assert!(!scope.covers(post(1, None, None)));
    }

    #[test]
    fn a_range_is_half_open_and_needs_a_planned_time() {
        let scope = Scope::Range { from: ts("2026-03-01T00:00:00Z"), to: ts("2026-04-01T00:00:00Z") };
        assert!(scope.covers(post(1, None, Some("2026-03-01T00:00:00Z"))));
        assert!(scope.covers(post(1, None, Some("2026-03-31T23:59:59Z"))));
        assert!(!scope.covers(post(1, None, Some("2026-04-01T00:00:00Z"))));
        assert!(!scope.covers(post(1, None, None)));
    }

    #[test]
    fn scopes_and_expiry_are_checked() {
        let now = ts("2026-03-01T00:00:00Z");
        let check = |scope: Scope| {
            let mut errors = Errors::new();
            scope.check(&mut errors);
            errors.into_vec().into_iter().map(|e| e.field).collect::<Vec<_>>()
        };
        assert_eq!(check(Scope::Posts { post_ids: BTreeSet::new() }), ["scope.post_ids"]);
        let many = (0..=MAX_POSTS as u128).map(|n| PostId::from_uuid(Uuid::from_u128(n))).collect();
        assert_eq!(check(Scope::Posts { post_ids: many }), ["scope.post_ids"]);
        assert_eq!(check(Scope::Range { from: now, to: now }), ["scope.to"]);
        assert_eq!(check(Scope::Range { from: now, to: ts("2027-03-05T00:00:00Z") }), ["scope.to"]);
        assert!(check(Scope::Range { from: now, to: ts("2026-04-01T00:00:00Z") }).is_empty());

        let expiry = |at: &str| {
            let mut errors = Errors::new();
            check_expiry(&mut errors, ts(at), now);
            errors.is_empty()
        };
        assert!(!expiry("2026-03-01T00:00:00Z"));
        assert!(expiry("2026-03-02T00:00:00Z"));
        assert!(!expiry("2027-03-05T00:00:00Z"));
    }

    #[test]
    fn a_link_is_usable_until_it_expires_or_is_revoked() {
        let expires = ts("2026-03-02T00:00:00Z");
        assert!(usable(expires, None, ts("2026-03-01T23:59:59Z")));
        assert!(!usable(expires, None, expires));
        assert!(!usable(expires, Some(ts("2026-03-01T00:00:00Z")), ts("2026-03-01T12:00:00Z")));
    }
}
