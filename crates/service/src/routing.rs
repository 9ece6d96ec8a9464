//! Routing: which workflow a post gets, from what the engine needs to know
//! about the post and the workspace's people. Reviews start with it; the
//! simulator shows it ahead.

use greenlight_domain::{
    Timestamp,
    content::Content,
    id::WorkspaceId,
    workflow::{Facts, People, route},
};
use greenlight_store::{
    Tx,
    posts::{self, Post},
    workflows::{self, Workflow},
    workspaces,
};

use crate::error::{Error, Result};

/// All of a post's text (base and every variant), for keyword conditions.
fn all_text(content: &Content) -> String {
    let mut text = vec![content.text.as_str()];
    text.extend(content.first_comment.as_deref());
    text.extend(content.thread.iter().map(String::as_str));
    for v in content.variants.values() {
        text.extend(v.text.as_deref());
        text.extend(v.first_comment.as_deref());
        text.extend(v.thread.iter().flatten().map(String::as_str));
    }
    text.join("\n")
}

/// The workspace's people as the engine needs them: members, groups, and
/// the delegations that have not ended.
pub async fn people(tx: &mut Tx, ws: WorkspaceId, now: Timestamp) -> Result<People> {
    let members = workspaces::members(tx, ws).await?;
    let groups = workspaces::groups(tx, ws).await?;
    let delegations = workflows::delegations(tx, ws, now).await?;
    let people = People {
        members: members.iter().map(|m| (m.user_id, m.role)).collect(),
        groups: groups.iter().map(|g| (g.id, g.member_ids.iter().copied().collect())).collect(),
        delegations: delegations.iter().map(|d| d.to_domain()).collect(),
    };
    Ok(people)
}

/// What the engine needs about a post and the workspace's people.
pub async fn facts_and_people(tx: &mut Tx, ws: WorkspaceId, post: &Post, now: Timestamp) -> Result<(Facts, People)> {
    let revision = posts::latest_revision(tx, post.id).await?.ok_or_else(|| Error::Internal("post without a revision".into()))?;
    let people = people(tx, ws, now).await?;
    let (author_role, author_groups) = people.author(post.owner_id);
    let facts = Facts {
        labels: post.label_ids.iter().copied().collect(),
        channels: post.channel_ids.iter().copied().collect(),
        campaign: post.campaign_id,
        author_role,
        author_groups,
        text: all_text(&revision.content),
        repurposed: post.repurposed,
        shares_link: revision.content.link.is_some() || revision.content.variants.values().any(|v| v.link.is_some()),
    };
    Ok((facts, people))
}

/// The workflow a post gets: the first matching rule, else the default.
pub async fn routed(tx: &mut Tx, ws: WorkspaceId, facts: &Facts) -> Result<Workflow> {
    let rules: Vec<_> = workflows::routes(tx, ws)
        .await?
        .into_iter()
        .map(|r| greenlight_domain::workflow::Route { priority: r.priority, workflow_id: r.workflow_id, when: r.when })
        .collect();
    let all = workflows::workflows(tx, ws).await?;
    let default = all.iter().find(|w| w.is_default).map(|w| w.id);
    let id = route(&rules, default, facts).ok_or_else(|| Error::conflict("err-post-no-workflow", []))?;
    all.into_iter().find(|w| w.id == id).ok_or(Error::NotFound("workflow"))
}
