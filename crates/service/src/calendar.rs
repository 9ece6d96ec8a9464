//! A calendar's days read at once: the posts planned in them, by day in
//! the workspace's time zone, with the faces of those shown as cards, and
//! what the cards name (channels, campaigns, labels, members), the days'
//! notes and the posts' publications. One read and one access check for a
//! page that needed nine.

use std::collections::{BTreeMap, BTreeSet};

use greenlight_domain::{
    id::{PostId, WorkspaceId},
    permission::{Permission, Role},
    validation::Errors,
};
use greenlight_store::{planning, posts, publications, workspaces};
use jiff::civil::{Date, DateTime};

use crate::{
    App, Caller, access,
    error::{Error, Result},
    posts::PostQuery,
    publishing::PublicationView,
    views::{self, Face},
};

/// The most posts a calendar's days show: a month has a few hundred at
/// most; this bounds a pathological one.
pub const MAX_POSTS: i64 = 5000;

/// The days `[first, end)` of a calendar, with the posts `filter` lets
/// through (its `from`, `until`, `cursor` and `limit` are not used: the
/// days are the range, read at once), and how many of a day's posts are
/// shown as cards (a month shows a day's first few, a week all).
pub struct Days {
    pub first: Date,
    pub end: Date,
    pub filter: PostQuery,
    pub cards_per_day: usize,
}

pub struct Calendar {
    /// The caller's role in the workspace.
    pub role: Role,
    /// Each day's posts in planned order, with their planned time in the
    /// workspace's zone.
    pub by_day: BTreeMap<Date, Vec<(views::Post, DateTime)>>,
    /// The first words and picture of each post shown as a card.
    pub faces: BTreeMap<PostId, Face>,
    pub channels: Vec<views::Channel>,
    pub campaigns: Vec<views::Campaign>,
    pub labels: Vec<views::Label>,
    pub members: Vec<views::Member>,
    pub notes: Vec<views::Note>,
    /// The publications of the days' posts.
    pub outcomes: Vec<PublicationView>,
}

pub async fn days(app: &App, caller: &Caller, ws: WorkspaceId, days: Days) -> Result<Calendar> {
    let Days { first, end, filter, cards_per_day } = days;
    crate::planning::check_days(first, end)?;
    let mut errors = Errors::new();
    let mut filter = crate::posts::post_filter(&mut errors, &PostQuery { from: None, until: None, ..filter });
    errors.into_result()?;
    let mut tx = app.db.read().await?;
    let role = access::require(&mut tx, caller, ws, Permission::ViewPosts).await?;
    let zone = crate::analytics::zone(&mut tx, ws).await?;
    let at = |d: Date| d.to_zoned(zone.clone()).map(|z| z.timestamp()).map_err(|e| Error::Internal(e.to_string().into()));
    let (from, until) = (at(first)?, at(end)?);
    (filter.from, filter.until) = (Some(from), Some(until));
    let mut planned = posts::posts(&mut tx, ws, &filter, None, MAX_POSTS).await?;
    planned.sort_by_key(|p| p.planned.as_ref().map(|t| t.at));
    let mut by_day: BTreeMap<Date, Vec<(views::Post, DateTime)>> = BTreeMap::new();
    for p in planned {
        if let Some(local) = p.planned.as_ref().map(|t| t.at.to_zoned(zone.clone()).datetime()) {
            by_day.entry(local.date()).or_default().push((p.into(), local));
        }
    }
    let shown: BTreeSet<PostId> = by_day.values().flat_map(|day| day.iter().take(cards_per_day).map(|(p, _)| p.id)).collect();
    let contents = posts::contents_in_range(&mut tx, ws, from, until, MAX_POSTS, |id| shown.contains(&id)).await?;
    Ok(Calendar {
        role,
        faces: contents.into_iter().map(|(id, content)| (id, Face::of(content))).collect(),
        by_day,
        channels: views::all(planning::channels(&mut tx, ws).await?),
        campaigns: views::all(planning::campaigns(&mut tx, ws).await?),
        labels: views::all(planning::labels(&mut tx, ws).await?),
        members: views::all(workspaces::members(&mut tx, ws).await?),
        notes: views::all(planning::notes(&mut tx, ws, first, end).await?),
        outcomes: publications::of_posts_planned(&mut tx, ws, from, until).await?.into_iter().map(Into::into).collect(),
    })
}
