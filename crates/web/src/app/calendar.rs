//! The calendar: month, week and list, in the workspace's time zone; posts
//! as cards coloured by campaign with their channels, state and owner;
//! filters; notes on days; days without posts marked; a card dragged to
//! another day or hour is rescheduled (a schedule-only change keeps its
//! approvals).

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use greenlight_domain::{
    id::{CampaignId, ChannelId, LabelId, NoteId, PostId, UserId, WorkspaceId},
    permission::Permission,
    post::PostState,
};
use greenlight_i18n::{DateStyle, date as written};
use greenlight_service::views::{Note, Post};
use greenlight_service::{App, Error, calendar, planning, posts, publishing::PublicationView};
use jiff::{
    ToSpan,
    civil::{Date, DateTime},
};
use serde::Deserialize;

use super::{
    Chrome, Member, OrPage, PageError, PagePath, PageResult, Problems,
    auth::Submitted,
    is_htmx, render,
    view::{Card, Choice, Lookups, state_name, zone},
};
use crate::AppState;

pub async fn workspace_home(PagePath(ws): PagePath<WorkspaceId>) -> Response {
    Redirect::to(&format!("/w/{ws}/calendar")).into_response()
}

/// What the calendar shows: its view, the day it is about, its filters.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct CalendarQuery {
    #[serde(default)]
    view: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    campaign: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    owner: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum View {
    Month,
    Week,
    List,
}

impl View {
    fn parse(s: Option<&str>) -> View {
        match s {
            Some("week") => View::Week,
            Some("list") => View::List,
            _ => View::Month,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            View::Month => "month",
            View::Week => "week",
            View::List => "list",
        }
    }
}

/// A filter's value: an id that parses, else none (a stale bookmark shows everything).
fn id<T: std::str::FromStr>(v: &Option<String>) -> Option<T> {
    v.as_deref().filter(|s| !s.is_empty()).and_then(|s| s.parse().ok())
}

impl CalendarQuery {
    /// The same query with another view or day, for links.
    fn with(&self, view: Option<View>, date: Option<Date>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        pairs.push(("view", view.map(View::as_str).map(str::to_owned).or_else(|| self.view.clone()).unwrap_or_else(|| "month".into())));
        if let Some(d) = date.map(|d| d.to_string()).or_else(|| self.date.clone()) {
            pairs.push(("date", d));
        }
        for (k, v) in [
            ("channel", &self.channel),
            ("campaign", &self.campaign),
            ("label", &self.label),
            ("state", &self.state),
            ("owner", &self.owner),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                pairs.push((k, v.to_owned()));
            }
        }
        serde_html_form::to_string(&pairs).map(|q| format!("?{q}")).unwrap_or_default()
    }
}

pub struct NoteView {
    pub id: String,
    pub body: String,
    pub can_delete: bool,
}

pub struct DayCell {
    pub date: String,
    pub number: String,
    pub full: String,
    pub in_range: bool,
    pub today: bool,
    pub gap: bool,
    pub cards: Vec<Card>,
    /// Posts of a busy day not shown as cards in the month, and where they are.
    pub more: usize,
    pub more_link: String,
    pub notes: Vec<NoteView>,
}

pub struct HourRow {
    pub label: String,
    pub slots: Vec<Slot>,
}

pub struct Slot {
    pub date: String,
    pub hour: i8,
    pub label: String,
    pub cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "app/calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    grid: Grid,
}

/// The part htmx swaps: everything below the page's heading.
#[derive(Template)]
#[template(path = "app/calendar_grid.html")]
pub struct Grid {
    ws: String,
    view: &'static str,
    heading: String,
    time_zone: String,
    prev: String,
    next: String,
    today: String,
    month_link: String,
    week_link: String,
    list_link: String,
    weekdays: Vec<String>,
    weeks: Vec<Vec<DayCell>>,
    hours: Vec<HourRow>,
    week_days: Vec<String>,
    agenda: Vec<DayCell>,
    channels: Vec<Choice>,
    campaigns: Vec<Choice>,
    labels: Vec<Choice>,
    states: Vec<Choice>,
    owners: Vec<Choice>,
    can_note: bool,
    can_move: bool,
    /// How many filters narrow the calendar (the filters' button says so).
    filters_on: usize,
    note_day: String,
    csrf: String,
    /// A notice swapped out of band into the page's notice area.
    notice_kind: &'static str,
    notice: String,
    oob: bool,
}

/// The month's column heads, Monday first.
const WEEKDAYS: [&str; 7] = ["cal-mon", "cal-tue", "cal-wed", "cal-thu", "cal-fri", "cal-sat", "cal-sun"];
/// A month's day shows its first posts as cards and "n more" (its week
/// shows them all): a day cell has room for a few, and a busy month stays a
/// small page.
const MONTH_CARDS_PER_DAY: usize = 4;
/// The week view's rows; earlier and later posts sit in the first and last.
const FIRST_HOUR: i8 = 7;
const LAST_HOUR: i8 = 21;

fn monday_of(d: Date) -> Date {
    d.checked_sub((d.weekday().to_monday_zero_offset() as i64).days()).unwrap_or(d)
}

fn day(d: Date, days: i64) -> Date {
    d.checked_add(days.days()).unwrap_or(d)
}

/// A day written in the reader's language.
fn day_in_words(d: Date, style: DateStyle) -> String {
    written(d.at(0, 0, 0, 0), style)
}

/// A heading starts with a capital, also where the language writes month
/// names in lower case ("december 2026").
fn heading_case(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

fn choices(items: impl IntoIterator<Item = (String, String)>, current: &Option<String>) -> Vec<Choice> {
    items.into_iter().map(|(value, label)| Choice { selected: current.as_deref() == Some(value.as_str()), value, label }).collect()
}

pub async fn grid(app: &App, member: &Member, ws: WorkspaceId, tz_name: &str, q: &CalendarQuery) -> Result<Grid, Error> {
    let tz = zone(tz_name);
    let view = View::parse(q.view.as_deref());
    let now = app.now();
    let today = now.to_zoned(tz.clone()).date();
    let anchor = match q.date.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(d) => greenlight_domain::schedule::parse_day(d).map_err(|why| Error::field("date", why))?,
        None => today,
    };
    let (start, end, prev, next, heading) = match view {
        View::Month => {
            let first = anchor.first_of_month();
            let last = anchor.last_of_month();
            let start = monday_of(first);
            let end = day(monday_of(last), 7);
            let prev = first.checked_sub(1.month()).unwrap_or(first);
            let next = first.checked_add(1.month()).unwrap_or(first);
            (start, end, prev, next, heading_case(day_in_words(first, DateStyle::MonthYear)))
        }
        View::Week => {
            let start = monday_of(anchor);
            let heading = crate::t1("cal-week-of", "date", day_in_words(start, DateStyle::DayMonthYear));
            (start, day(start, 7), day(start, -7), day(start, 7), heading)
        }
        View::List => {
            let first = anchor.first_of_month();
            let next = first.checked_add(1.month()).unwrap_or(first);
            (first, next, first.checked_sub(1.month()).unwrap_or(first), next, heading_case(day_in_words(first, DateStyle::MonthYear)))
        }
    };
    // A month shows a day's first posts as cards, a week and a list all.
    let cards_per_day = if view == View::Month { MONTH_CARDS_PER_DAY } else { usize::MAX };
    let filter = posts::PostQuery {
        state: q.state.clone().filter(|s| PostState::parse(s).is_some()),
        campaign_id: id::<CampaignId>(&q.campaign),
        owner_id: id::<UserId>(&q.owner),
        label_id: id::<LabelId>(&q.label),
        channel_id: id::<ChannelId>(&q.channel),
        ..Default::default()
    };
    let calendar::Calendar { role, by_day, faces, channels, campaigns, labels, members, notes, outcomes, .. } =
        calendar::days(app, &member.caller, ws, calendar::Days { first: start, end, filter, cards_per_day }).await?;
    let lookups = Lookups {
        channels: channels.into_iter().map(|c| (c.id, c)).collect(),
        campaigns: campaigns.into_iter().map(|c| (c.id, c)).collect(),
        members: members.into_iter().map(|m| (m.user_id, m)).collect(),
    };
    let mut notes_by_day: BTreeMap<Date, Vec<&Note>> = BTreeMap::new();
    for n in &notes {
        notes_by_day.entry(n.day).or_default().push(n);
    }
    let mut outcomes_by_post: BTreeMap<_, Vec<&PublicationView>> = BTreeMap::new();
    for o in &outcomes {
        outcomes_by_post.entry(o.post_id).or_default().push(o);
    }
    let card = |(p, local): &(Post, DateTime)| {
        let mine = outcomes_by_post.get(&p.id).map_or(&[][..], Vec::as_slice);
        let may_edit = greenlight_service::access::may_edit(role, &member.caller, Some(p.owner_id));
        Card::of(p, faces.get(&p.id), mine, &lookups, (&tz, *local), may_edit)
    };
    let note_view = |n: &Note| NoteView {
        id: n.id.to_string(),
        body: n.body.clone(),
        can_delete: member.caller.user == Some(n.author_id) || role.can(Permission::ManagePlanning),
    };
    let base = format!("/w/{ws}/calendar");
    let cell = |d: Date, in_range: bool, limit: usize| {
        let planned = by_day.get(&d).map_or(&[][..], Vec::as_slice);
        let cards: Vec<Card> = planned.iter().take(limit).map(card).collect();
        DayCell {
            more: planned.len() - cards.len(),
            more_link: format!("{base}{}", q.with(Some(View::Week), Some(d))),
            date: d.to_string(),
            number: d.day().to_string(),
            full: day_in_words(d, DateStyle::WeekdayDayMonth),
            in_range,
            today: d == today,
            gap: in_range && planned.is_empty() && d >= today,
            cards,
            notes: notes_by_day.get(&d).into_iter().flatten().map(|n| note_view(n)).collect(),
        }
    };
    let mut weeks = Vec::new();
    let mut hours = Vec::new();
    let mut week_days = Vec::new();
    let mut agenda = Vec::new();
    match view {
        View::Month => {
            let mut d = start;
            while d < end {
                weeks.push((0..7).map(|i| day(d, i)).map(|x| cell(x, x.month() == anchor.month(), MONTH_CARDS_PER_DAY)).collect());
                d = day(d, 7);
            }
        }
        View::Week => {
            week_days = (0..7).map(|i| day_in_words(day(start, i), DateStyle::ShortWeekdayDayMonth)).collect();
            let days: Vec<(Date, String)> =
                (0..7).map(|i| day(start, i)).map(|d| (d, day_in_words(d, DateStyle::WeekdayDayMonth))).collect();
            for hour in FIRST_HOUR..=LAST_HOUR {
                let slots = days
                    .iter()
                    .map(|(d, name)| {
                        let cards = by_day
                            .get(d)
                            .into_iter()
                            .flatten()
                            .filter(|(_, local)| local.hour().clamp(FIRST_HOUR, LAST_HOUR) == hour)
                            .map(card)
                            .collect();
                        Slot { date: d.to_string(), hour, label: format!("{name} {hour:02}:00"), cards }
                    })
                    .collect();
                hours.push(HourRow { label: format!("{hour:02}:00"), slots });
            }
        }
        View::List => {
            let mut d = start;
            while d < end {
                let c = cell(d, true, usize::MAX);
                if !c.cards.is_empty() || !c.notes.is_empty() {
                    agenda.push(c);
                }
                d = day(d, 1);
            }
        }
    }
    let ids = |v: Vec<(String, String)>, current: &Option<String>| choices(v, current);
    let channels = ids(lookups.channels.values().map(|c| (c.id.to_string(), super::view::channel_name(c))).collect(), &q.channel);
    let campaigns = ids(lookups.campaigns.values().map(|c| (c.id.to_string(), c.name.clone())).collect(), &q.campaign);
    let labels = ids(labels.into_iter().map(|l| (l.id.to_string(), l.name)).collect(), &q.label);
    let states = ids(PostState::ALL.iter().map(|s| (s.as_str().to_owned(), state_name(*s).to_owned())).collect(), &q.state);
    let owners = ids(lookups.members.values().map(|m| (m.user_id.to_string(), m.name.clone())).collect(), &q.owner);
    let filters_on = [&channels, &campaigns, &labels, &states, &owners].iter().filter(|list| list.iter().any(|c| c.selected)).count();
    Ok(Grid {
        filters_on,
        ws: ws.to_string(),
        view: view.as_str(),
        heading,
        time_zone: tz_name.to_owned(),
        prev: format!("{base}{}", q.with(None, Some(prev))),
        next: format!("{base}{}", q.with(None, Some(next))),
        today: format!("{base}{}", q.with(None, Some(today))),
        month_link: format!("{base}{}", q.with(Some(View::Month), Some(anchor))),
        week_link: format!("{base}{}", q.with(Some(View::Week), Some(anchor))),
        list_link: format!("{base}{}", q.with(Some(View::List), Some(anchor))),
        weekdays: WEEKDAYS.iter().map(|k| crate::t(k)).collect(),
        weeks,
        hours,
        week_days,
        agenda,
        channels,
        campaigns,
        labels,
        states,
        owners,
        can_note: role.can(Permission::CreatePosts),
        can_move: greenlight_service::access::may_edit(role, &member.caller, None),
        note_day: anchor.to_string(),
        csrf: member.csrf.clone(),
        notice_kind: "ok",
        notice: String::new(),
        oob: false,
    })
}

pub async fn page(
    State(s): State<AppState>,
    member: Member,
    PagePath(ws): PagePath<WorkspaceId>,
    Query(q): Query<CalendarQuery>,
    headers: HeaderMap,
) -> PageResult {
    let chrome = Chrome::of(&s.app, &member, ws, crate::t("cal-title"), "calendar").await.or_page(&headers)?;
    let tz = chrome.ws.as_ref().map(|w| w.time_zone.clone()).unwrap_or_default();
    let grid = grid(&s.app, &member, ws, &tz, &q).await.or_page(&headers)?;
    if is_htmx(&headers) {
        return Ok(render(StatusCode::OK, &grid));
    }
    Ok(render(StatusCode::OK, &CalendarPage { chrome, grid }))
}

/// Each campaign's colour, as a class the cards use (so no page needs an
/// inline style, which the policy forbids).
pub async fn colours(State(s): State<AppState>, member: Member, PagePath(ws): PagePath<WorkspaceId>, headers: HeaderMap) -> PageResult {
    let campaigns = planning::campaigns(&s.app, &member.caller, ws).await.or_page(&headers)?;
    let css: String = campaigns.iter().map(|c| format!(".campaign-{} {{ --campaign: {}; }}\n", c.id, c.colour)).collect();
    let mut response = css.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    Ok(response)
}

#[derive(Deserialize)]
pub struct MoveForm {
    date: String,
    #[serde(default)]
    hour: Option<i8>,
    version: i64,
}

/// The new planned time for a post moved to `date` (and `hour`): its time
/// of day and zone kept; a post without one goes at 09:00 in the workspace's.
fn moved_time(post: &Post, date: Date, hour: Option<i8>, ws_zone: &str) -> String {
    let (time, zone) = match &post.planned {
        Some(p) => (p.local().time(), p.zone.as_str().to_owned()),
        None => (jiff::civil::time(9, 0, 0, 0), ws_zone.to_owned()),
    };
    let time = match hour {
        Some(h) => jiff::civil::time(h.clamp(0, 23), time.minute(), 0, 0),
        None => time,
    };
    format!("{date}T{}[{zone}]", time.strftime("%H:%M"))
}

/// Reschedules a dragged post and answers the calendar again, with what
/// happened in the notice area.
pub async fn reschedule(
    State(s): State<AppState>,
    PagePath((ws, post_id)): PagePath<(WorkspaceId, PostId)>,
    Query(q): Query<CalendarQuery>,
    submitted: Submitted<MoveForm>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let chrome = Chrome::of(&s.app, &member, ws, crate::t("cal-title"), "calendar").await.or_page(&headers)?;
    let tz = chrome.ws.as_ref().map(|w| w.time_zone.clone()).unwrap_or_default();
    let notice = match greenlight_domain::schedule::parse_day(&form.date) {
        Err(why) => ("error", crate::t1("cal-not-a-day", "why", why)),
        Ok(date) => {
            let post = posts::post(&s.app, &member.caller, ws, post_id).await.or_page(&headers)?;
            let planned = moved_time(&post, date, form.hour, &tz);
            let change = posts::PostChange { planned_at: Some(Some(planned)), ..Default::default() };
            match posts::update_post(&s.app, &member.caller, ws, post_id, Some(form.version), change).await {
                Ok(moved) => {
                    let when = moved.planned.as_ref().map(|p| super::view::when(p.at, &zone(p.zone.as_str()))).unwrap_or_default();
                    let said = crate::t2("cal-moved", "title", &moved.title, "when", when);
                    let said = if moved.state.holds_approval() { format!("{said} {}", crate::t("cal-moved-kept")) } else { said };
                    ("ok", said)
                }
                Err(Error::Invalid(errors)) => ("error", Problems::from_errors(&errors, &[]).general.join("; ")),
                Err(e) => ("error", super::describe(&e).2),
            }
        }
    };
    let mut grid = grid(&s.app, &member, ws, &tz, &q).await.or_page(&headers)?;
    (grid.notice_kind, grid.notice) = notice;
    grid.oob = true;
    Ok(render(StatusCode::OK, &grid))
}

#[derive(Deserialize)]
pub struct NoteForm {
    day: String,
    body: String,
    #[serde(default)]
    view: Option<String>,
}

pub async fn add_note(State(s): State<AppState>, PagePath(ws): PagePath<WorkspaceId>, submitted: Submitted<NoteForm>) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let back = format!("/w/{ws}/calendar?view={}&date={}", form.view.as_deref().unwrap_or("month"), form.day.trim());
    match planning::add_note(&s.app, &member.caller, ws, planning::NewNote { day: form.day, body: form.body }).await {
        Ok(_) => Ok(super::see_other(&headers, &back)),
        Err(e) => Err(PageError::new(e, &headers)),
    }
}

#[derive(Deserialize)]
pub struct Back {
    #[serde(default)]
    back: Option<String>,
}

pub async fn delete_note(
    State(s): State<AppState>,
    PagePath((ws, note)): PagePath<(WorkspaceId, NoteId)>,
    submitted: Submitted<Back>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    planning::delete_note(&s.app, &member.caller, ws, note).await.or_page(&headers)?;
    let back = form.back.filter(|b| b.starts_with(&format!("/w/{ws}/calendar"))).unwrap_or_else(|| format!("/w/{ws}/calendar"));
    Ok(super::see_other(&headers, &back))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_post_keeps_its_time_of_day_and_zone() {
        let post = |planned: Option<&str>| Post {
            id: PostId::from_uuid(uuid::Uuid::nil()),
            workspace_id: WorkspaceId::from_uuid(uuid::Uuid::nil()),
            title: "t".into(),
            brief: String::new(),
            owner_id: UserId::from_uuid(uuid::Uuid::nil()),
            campaign_id: None,
            state: PostState::Approved,
            planned: planned.map(|p| greenlight_domain::schedule::PlannedTime::parse(p).expect("a time")),
            version: 1,
            current_revision_id: None,
            label_ids: Vec::new(),
            channel_ids: Vec::new(),
            repurposed: false,
            review_stage: None,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        };
        let d: Date = "2026-12-03".parse().expect("a day");
        assert_eq!(moved_time(&post(Some("2026-12-01T14:30[Europe/Copenhagen]")), d, None, "UTC"), "2026-12-03T14:30[Europe/Copenhagen]");
        assert_eq!(
            moved_time(&post(Some("2026-12-01T14:30[Europe/Copenhagen]")), d, Some(9), "UTC"),
            "2026-12-03T09:30[Europe/Copenhagen]"
        );
        assert_eq!(moved_time(&post(None), d, None, "America/Chicago"), "2026-12-03T09:00[America/Chicago]");
    }
}
