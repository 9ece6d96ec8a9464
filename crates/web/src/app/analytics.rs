//! Workflow analytics as a manager reads them in a minute: the headline
//! figures against the period before, the control chart, where the time
//! goes by stage, the approvers, what is stuck and with whom, the reasons
//! changes were asked, deadlines and the plan kept. Charts are SVG drawn
//! here (the CSP allows no script-drawn charts and no inline styles); each
//! has its figures in a table beside it, and the page links its CSV.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
};
use greenlight_domain::{Timestamp, id::WorkspaceId};
use greenlight_service::analytics::{self, Report, ReportQuery};
use greenlight_service::{planning, workflows, workspaces};

use super::{Chrome, Member, OrPage, PagePath, PageResult, render, view::zone};
use crate::{AppState, t, t1, t2};

use greenlight_i18n::{day, duration, percent};

fn maybe(minutes: Option<i64>) -> String {
    minutes.map_or_else(|| "–".to_owned(), duration)
}

/// One headline figure and how it moved since the period before.
pub struct Figure {
    pub label: String,
    pub value: String,
    pub detail: String,
    /// e.g. "▲ 12 % from 40 %"; empty when there is nothing to compare.
    pub change: String,
}

fn change(now: Option<f64>, before: Option<f64>, show: impl Fn(f64) -> String) -> String {
    match (now, before) {
        // Equal as written (83.3 % and 82.9 % both read "83 %") is no change.
        (Some(n), Some(b)) if show(n) != show(b) => {
            let arrow = if n > b { "▲" } else { "▼" };
            t2("analytics-change", "arrow", arrow, "before", show(b))
        }
        (Some(_), Some(_)) => t("analytics-unchanged"),
        _ => String::new(),
    }
}

/// A point of the control chart, placed.
pub struct Dot {
    pub x: String,
    pub y: String,
    pub label: String,
}

/// The control chart: each approved review a dot (when it was approved,
/// how long it took), and the rolling median as a line.
pub struct Control {
    pub dots: Vec<Dot>,
    pub median: String,
    pub top: String,
    pub first_day: String,
    pub last_day: String,
    pub rows: Vec<[String; 4]>,
}

const W: f64 = 640.0;
const H: f64 = 220.0;
const PAD_X: f64 = 56.0;
const PAD_Y: f64 = 16.0;

fn control(report: &Report, tz: &jiff::tz::TimeZone) -> Option<Control> {
    let points = &report.measures.control;
    let (start, end) = (day_start(report.from, tz)?, day_start(report.to.tomorrow().ok()?, tz)?);
    let span = (end.as_second() - start.as_second()).max(1) as f64;
    let top = points.iter().map(|p| p.minutes).max()?.max(1);
    let x = |at: Timestamp| PAD_X + (at.as_second() - start.as_second()) as f64 / span * (W - PAD_X - 8.0);
    let y = |m: i64| H - PAD_Y - m as f64 / top as f64 * (H - 2.0 * PAD_Y);
    let dots = points
        .iter()
        .map(|p| Dot {
            x: format!("{:.1}", x(p.approved_at)),
            y: format!("{:.1}", y(p.minutes)),
            label: format!("{}: {}", super::view::when(p.approved_at, tz), duration(p.minutes)),
        })
        .collect();
    let median = points.iter().map(|p| format!("{:.1},{:.1}", x(p.approved_at), y(p.rolling_median_minutes))).collect::<Vec<_>>().join(" ");
    let rows = points
        .iter()
        .map(|p| {
            [super::view::when(p.approved_at, tz), duration(p.minutes), duration(p.business_minutes), duration(p.rolling_median_minutes)]
        })
        .collect();
    Some(Control { dots, median, top: duration(top), first_day: day(report.from), last_day: day(report.to), rows })
}

fn day_start(day: jiff::civil::Date, tz: &jiff::tz::TimeZone) -> Option<Timestamp> {
    day.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
}

/// A part of the bar of where time goes.
pub struct Segment {
    pub x: String,
    pub width: String,
    pub class: String,
    pub name: String,
    pub share: String,
}

pub struct StageRow {
    pub name: String,
    pub rounds: usize,
    pub median: String,
    pub p90: String,
    pub business_median: String,
    pub business_p90: String,
    pub share: String,
    pub overdue: usize,
}

pub struct ApproverRow {
    pub name: String,
    pub decisions: usize,
    pub approvals: usize,
    pub changes: usize,
    pub rejections: usize,
    pub median: String,
    pub business_median: String,
    /// Asked → first opened (median).
    pub opened: String,
    pub share: String,
}

pub struct OpenRow {
    pub link: String,
    pub title: String,
    pub sentence: String,
    pub age: String,
    pub overdue: bool,
}

pub struct ReasonRow {
    pub reason: String,
    pub count: usize,
    pub width: String,
}

/// A week of the plan, every channel (or the one filtered) together.
pub struct CadenceRow {
    pub week: String,
    pub planned: usize,
    pub on_time: usize,
    pub late: usize,
    pub published: usize,
}

/// A choice of a filter's select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Filter {
    pub name: &'static str,
    pub label: String,
    pub choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "app/analytics.html")]
struct AnalyticsPage {
    chrome: Chrome,
    from: String,
    to: String,
    period: String,
    filters: Vec<Filter>,
    /// Whether a filter narrows the report (the form then shows open).
    filtered: bool,
    csv: String,
    figures: Vec<Figure>,
    bottleneck: String,
    control: Option<Control>,
    segments: Vec<Segment>,
    stages: Vec<StageRow>,
    approvers: Vec<ApproverRow>,
    open: Vec<OpenRow>,
    reasons: Vec<ReasonRow>,
    sla: Vec<(String, String)>,
    cadence: Vec<CadenceRow>,
    hours: String,
}

/// The query again, for the CSV link and the filters' values.
fn query_string(q: &ReportQuery) -> String {
    let pairs = [
        ("from", &q.from),
        ("to", &q.to),
        ("workflow", &q.workflow),
        ("stage", &q.stage),
        ("campaign", &q.campaign),
        ("label", &q.label),
        ("channel", &q.channel),
        ("author", &q.author),
        ("approver", &q.approver),
    ];
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            out.append_pair(name, v);
        }
    }
    out.finish()
}

/// Empty fields of the filter form mean "any".
fn cleaned(mut q: ReportQuery) -> ReportQuery {
    for field in [
        &mut q.from,
        &mut q.to,
        &mut q.workflow,
        &mut q.stage,
        &mut q.campaign,
        &mut q.label,
        &mut q.channel,
        &mut q.author,
        &mut q.approver,
    ] {
        if field.as_deref().is_some_and(|v| v.trim().is_empty()) {
            *field = None;
        }
    }
    q
}

pub async fn page(
    State(s): State<AppState>,
    member: Member,
    PagePath(ws): PagePath<WorkspaceId>,
    Query(q): Query<ReportQuery>,
    headers: HeaderMap,
) -> PageResult {
    let q = cleaned(q);
    let chrome = Chrome::of(&s.app, &member, ws, t("analytics-title"), "analytics").await.or_page(&headers)?;
    let report = analytics::report(&s.app, &member.caller, ws, &q).await.or_page(&headers)?;
    let tz = zone(&report.time_zone);
    let filters = filters(&s, &member, ws, &q).await.or_page(&headers)?;
    let m = &report.measures;
    let p = &report.previous;
    let figures = vec![
        Figure {
            label: t("analytics-completed"),
            value: greenlight_i18n::number(m.reviews_completed as i64),
            detail: t2("analytics-approved-rejected", "approved", m.approved as i64, "rejected", m.rejected as i64),
            change: change(Some(m.reviews_completed as f64), Some(p.reviews_completed as f64), |b| greenlight_i18n::number(b as i64)),
        },
        Figure {
            label: t("analytics-first-pass"),
            value: percent(m.first_pass_rate),
            detail: t1("analytics-rounds", "rounds", m.revision_rounds_mean.map_or_else(|| "–".into(), |r| greenlight_i18n::decimal(r, 1))),
            change: change(m.first_pass_rate, p.first_pass_rate, |b| percent(Some(b))),
        },
        Figure {
            label: t("analytics-cycle"),
            value: maybe(m.cycle_time.business.median_minutes),
            detail: t2(
                "analytics-cycle-detail",
                "calendar",
                maybe(m.cycle_time.median_minutes),
                "p90",
                maybe(m.cycle_time.business.p90_minutes),
            ),
            change: change(
                m.cycle_time.business.median_minutes.map(|v| v as f64),
                p.cycle_business_median_minutes.map(|v| v as f64),
                |b| duration(b as i64),
            ),
        },
        Figure {
            label: t("analytics-brief"),
            value: maybe(m.brief_to_approved.business.median_minutes),
            detail: t1("analytics-calendar", "calendar", maybe(m.brief_to_approved.median_minutes)),
            change: String::new(),
        },
    ];
    let bottleneck = match (&m.bottleneck_stage, &m.bottleneck_approver) {
        (Some(stage), Some(who)) => {
            let stage = m.stages.iter().find(|s| &s.key == stage);
            t2("analytics-bottleneck", "stage", stage.map(|s| s.name.clone()).unwrap_or_default(), "approver", who.clone())
        }
        _ => String::new(),
    };
    let mut x = 0.0;
    let segments = m
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let width = s.share * W;
            let segment = Segment {
                x: format!("{x:.1}"),
                width: format!("{width:.1}"),
                class: format!("seg{}", i % 6),
                name: s.name.clone(),
                share: percent(Some(s.share)),
            };
            x += width;
            segment
        })
        .collect();
    let stages = m
        .stages
        .iter()
        .map(|s| StageRow {
            name: s.name.clone(),
            rounds: s.reviews,
            median: maybe(s.median_minutes),
            p90: maybe(s.p90_minutes),
            business_median: maybe(s.business.median_minutes),
            business_p90: maybe(s.business.p90_minutes),
            share: percent(Some(s.share)),
            overdue: s.overdue,
        })
        .collect();
    let approvers = m
        .approvers
        .iter()
        .map(|a| ApproverRow {
            name: a.name.clone(),
            decisions: a.decisions,
            approvals: a.approvals,
            changes: a.changes_requested,
            rejections: a.rejections,
            median: maybe(a.median_minutes),
            business_median: maybe(a.business.median_minutes),
            opened: maybe(a.opened_median_minutes),
            share: percent(Some(a.share)),
        })
        .collect();
    let open = report
        .open
        .iter()
        .map(|o| {
            let who = o.waiting_for.join(", ");
            let sentence = match &o.stage {
                Some(stage) if who.is_empty() => t1("analytics-open-at", "stage", stage.clone()),
                Some(stage) => t2("analytics-open-waiting", "stage", stage.clone(), "who", who),
                None => t1("analytics-open-revising", "who", who),
            };
            OpenRow {
                link: format!("/w/{ws}/posts/{}", o.post_id),
                title: o.title.clone(),
                sentence,
                age: t2("analytics-open-age", "age", duration(o.age_minutes), "business", duration(o.business_age_minutes)),
                overdue: o.overdue,
            }
        })
        .collect();
    let most = m.reasons.iter().map(|r| r.count).max().unwrap_or(1).max(1);
    let reasons = m
        .reasons
        .iter()
        .map(|r| ReasonRow {
            reason: r.reason.clone().unwrap_or_else(|| t("analytics-no-reason")),
            count: r.count,
            width: format!("{:.0}", r.count as f64 / most as f64 * 200.0),
        })
        .collect();
    let sla = vec![
        (t("analytics-sla-overdue"), m.sla.stages_overdue.to_string()),
        (t("analytics-sla-reminders"), m.sla.reminders.to_string()),
        (t("analytics-sla-escalations"), m.sla.escalations.to_string()),
        (t("analytics-sla-planned-passed"), t2("analytics-sla-policy", "held", m.sla.held as i64, "expired", m.sla.expired as i64)),
    ];
    let mut cadence: Vec<CadenceRow> = Vec::new();
    for (week, c) in report.cadence.iter().map(|c| (day(c.week), c)) {
        if cadence.last().is_none_or(|row| row.week != week) {
            cadence.push(CadenceRow { week, planned: 0, on_time: 0, late: 0, published: 0 });
        }
        if let Some(row) = cadence.last_mut() {
            row.planned += c.planned;
            row.on_time += c.approved_on_time;
            row.late += c.approved_late;
            row.published += c.published;
        }
    }
    let hours = &report.business_hours;
    let days: Vec<String> = hours.days.iter().map(|d| greenlight_i18n::short_weekday(*d).to_owned()).collect();
    let hours = t3_hours(&days.join(", "), &hours.start.strftime("%H:%M").to_string(), &hours.end.strftime("%H:%M").to_string());
    let page = AnalyticsPage {
        period: t2("analytics-period", "from", day(report.from), "to", day(report.to)),
        from: report.from.to_string(),
        to: report.to.to_string(),
        csv: format!("/w/{ws}/analytics.csv?{}", query_string(&q)),
        control: control(&report, &tz),
        filtered: filters.iter().any(|f| f.choices.first().is_some_and(|any| !any.selected)),
        chrome,
        filters,
        figures,
        bottleneck,
        segments,
        stages,
        approvers,
        open,
        reasons,
        sla,
        cadence,
        hours,
    };
    Ok(render(StatusCode::OK, &page))
}

fn t3_hours(days: &str, start: &str, end: &str) -> String {
    crate::t3("analytics-hours", "days", days, "start", start, "end", end)
}

/// The filter form's selects, with the current choice selected.
async fn filters(s: &AppState, member: &Member, ws: WorkspaceId, q: &ReportQuery) -> Result<Vec<Filter>, greenlight_service::Error> {
    let app = &s.app;
    let flows = workflows::workflows(app, &member.caller, ws).await?;
    let mut stages: Vec<(String, String)> = Vec::new();
    for w in &flows {
        for st in &w.definition.stages {
            if !stages.iter().any(|(k, _)| k == &st.key) {
                stages.push((st.key.clone(), st.name.clone()));
            }
        }
    }
    let members = workspaces::members(app, &member.caller, ws).await?;
    let people: Vec<(String, String)> = members.iter().map(|m| (m.user_id.to_string(), m.name.clone())).collect();
    let filter = |name: &'static str, label: &str, current: &Option<String>, options: Vec<(String, String)>| {
        let mut choices = vec![Choice { value: String::new(), label: t("analytics-any"), selected: current.is_none() }];
        choices.extend(options.into_iter().map(|(value, label)| Choice {
            selected: current.as_deref() == Some(value.as_str()),
            value,
            label,
        }));
        Filter { name, label: t(label), choices }
    };
    Ok(vec![
        filter("workflow", "analytics-filter-workflow", &q.workflow, flows.iter().map(|w| (w.id.to_string(), w.name.clone())).collect()),
        filter("stage", "analytics-filter-stage", &q.stage, stages),
        filter(
            "campaign",
            "analytics-filter-campaign",
            &q.campaign,
            planning::campaigns(app, &member.caller, ws).await?.into_iter().map(|c| (c.id.to_string(), c.name)).collect(),
        ),
        filter(
            "label",
            "analytics-filter-label",
            &q.label,
            planning::labels(app, &member.caller, ws).await?.into_iter().map(|l| (l.id.to_string(), l.name)).collect(),
        ),
        filter(
            "channel",
            "analytics-filter-channel",
            &q.channel,
            planning::channels(app, &member.caller, ws).await?.into_iter().map(|c| (c.id.to_string(), c.display_name)).collect(),
        ),
        filter("author", "analytics-filter-author", &q.author, people.clone()),
        filter("approver", "analytics-filter-approver", &q.approver, people),
    ])
}

/// The report as CSV, with the page's filters.
pub async fn csv(
    State(s): State<AppState>,
    member: Member,
    PagePath(ws): PagePath<WorkspaceId>,
    Query(q): Query<ReportQuery>,
    headers: HeaderMap,
) -> PageResult {
    let report = analytics::report(&s.app, &member.caller, ws, &cleaned(q)).await.or_page(&headers)?;
    crate::api::analytics::csv_attachment(ws, &report).or_page(&headers)
}
