//! Conditions on a post (for routing rules and stage skips), and routing:
//! which workflow a post gets — the first matching rule by priority, else
//! the workspace's default.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{
    id::{CampaignId, ChannelId, GroupId, LabelId, WorkflowId},
    permission::Role,
    validation::{Errors, Words},
};

/// What is known about a post when routing it or deciding whether a stage
/// is skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub labels: BTreeSet<LabelId>,
    pub channels: BTreeSet<ChannelId>,
    pub campaign: Option<CampaignId>,
    /// The post owner's role and groups.
    pub author_role: Option<Role>,
    pub author_groups: BTreeSet<GroupId>,
    /// Every text of the content (base, variants, first comments).
    pub text: String,
    /// Content reused from an earlier post.
    pub repurposed: bool,
    /// The post shares a link.
    pub shares_link: bool,
}

/// A condition: every criterion given must hold; a list holds when any of
/// its entries does. An empty condition always holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<LabelId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<ChannelId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campaigns: Vec<CampaignId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub author_roles: Vec<Role>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub author_groups: Vec<GroupId>,
    /// Words or phrases, matched whole and case-insensitively.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repurposed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares_link: Option<bool>,
}

fn any_in<T: Ord>(wanted: &[T], have: &BTreeSet<T>) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| have.contains(w))
}

/// Whether `phrase` occurs in `text` as whole words (both lower-cased).
fn has_phrase(text: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

impl Condition {
    pub fn matches(&self, facts: &Facts) -> bool {
        let text = facts.text.to_lowercase();
        any_in(&self.labels, &facts.labels)
            && any_in(&self.channels, &facts.channels)
            && (self.campaigns.is_empty() || facts.campaign.is_some_and(|c| self.campaigns.contains(&c)))
            && (self.author_roles.is_empty() || facts.author_role.is_some_and(|r| self.author_roles.contains(&r)))
            && any_in(&self.author_groups, &facts.author_groups)
            && (self.keywords.is_empty() || self.keywords.iter().any(|k| has_phrase(&text, &k.trim().to_lowercase())))
            && self.repurposed.is_none_or(|r| r == facts.repurposed)
            && self.shares_link.is_none_or(|s| s == facts.shares_link)
    }

    /// A condition with no criteria, which every post meets.
    pub fn is_always(&self) -> bool {
        *self == Condition::default()
    }

    pub fn validate(&self, at: &str, errors: &mut Errors) {
        for (i, keyword) in self.keywords.iter().enumerate() {
            let len = keyword.trim().chars().count();
            if len == 0 || len > 100 {
                errors.add_said(
                    format!("{at}.keywords[{i}]"),
                    "1 to 100 characters",
                    Words::new("err-domain-length-range", [("max", "100".to_owned())]),
                );
            }
        }
        if self.keywords.len() > 100 {
            errors.add_said(
                format!("{at}.keywords"),
                "at most 100 keywords",
                Words::new("err-domain-routing-keywords-many", [("max", "100".to_owned())]),
            );
        }
    }
}

/// A routing rule: posts meeting `when` get `workflow`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Route {
    /// Lower numbers are tried first.
    pub priority: i32,
    pub workflow_id: WorkflowId,
    pub when: Condition,
}

/// The workflow for a post: the first rule (by priority, then in the order
/// given) whose condition holds, else the default.
pub fn route(rules: &[Route], default: Option<WorkflowId>, facts: &Facts) -> Option<WorkflowId> {
    let mut ordered: Vec<&Route> = rules.iter().collect();
    ordered.sort_by_key(|r| r.priority);
    ordered.into_iter().find(|r| r.when.matches(facts)).map(|r| r.workflow_id).or(default)
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn id<T: ?Sized>(n: u128) -> crate::id::Id<T> {
        crate::id::Id::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn keywords_match_whole_words_case_insensitively() {
        let c = Condition { keywords: vec!["Recall".into(), "clinical trial".into()], ..Condition::default() };
        let facts = |text: &str| Facts { text: text.into(), ..Facts::default() };
        assert!(c.matches(&facts("Product RECALL notice")));
        assert!(c.matches(&facts("Join our clinical trial!")));
        assert!(!c.matches(&facts("We recalled nothing")));
        assert!(!c.matches(&facts("a clinical trialist")));
        assert!(Condition::default().matches(&facts("")));
    }

    #[test]
    fn every_criterion_must_hold_and_lists_match_any() {
        let sensitive = id(1);
        let launch = id(2);
        let c = Condition { labels: vec![sensitive, launch], repurposed: Some(false), ..Condition::default() };
        let mut facts = Facts { labels: [launch].into(), ..Facts::default() };
        assert!(c.matches(&facts));
        facts.repurposed = true;
        assert!(!c.matches(&facts));
        facts.repurposed = false;
        facts.labels = [id(3)].into();
        assert!(!c.matches(&facts));
    }

    #[test]
    fn routing_takes_the_first_match_by_priority_then_the_default() {
        let (routine, high_stakes, legal, default) = (id(10), id(11), id(12), id(13));
        let sensitive = id(1);
        let rules = vec![
            Route { priority: 20, workflow_id: routine, when: Condition::default() },
            Route { priority: 10, workflow_id: high_stakes, when: Condition { labels: vec![sensitive], ..Condition::default() } },
            Route { priority: 10, workflow_id: legal, when: Condition { keywords: vec!["lawsuit".into()], ..Condition::default() } },
        ];
        let plain = Facts::default();
        assert_eq!(route(&rules, Some(default), &plain), Some(routine));
        let flagged = Facts { labels: [sensitive].into(), text: "about the lawsuit".into(), ..Facts::default() };
        assert_eq!(route(&rules, Some(default), &flagged), Some(high_stakes), "ties keep the order given");
        assert_eq!(route(&rules[1..], Some(default), &plain), Some(default));
        assert_eq!(route(&[], None, &plain), None);
    }
}
