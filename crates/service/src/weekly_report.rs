//! The weekly workflow report: on Monday at 08:00 in each workspace's zone,
//! last week's headline figures and what is stuck now, for the members who
//! see analytics and chose it in their notification preferences ("the
//! weekly workflow report", off unless chosen): by email, and in the app.

use askama::Template;
use greenlight_domain::{
    Timestamp,
    id::{NotificationId, UserId, WorkspaceId},
    notification::{DIGEST_HOUR, Frequency, Kind, Preferences},
    permission::Permission,
};
use greenlight_i18n::{day, duration, percent, t, t1, t2};
use greenlight_store::{
    accounts,
    analytics::Filter,
    notifications::{self, EmailState, Notification},
    workspaces,
};
use jiff::{
    ToSpan,
    civil::{Date, Weekday},
    tz::TimeZone,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{
    App,
    analytics::{Report, compute},
    error::{Error, Result},
    jobs::{self, Job},
    mail::{Mail, render},
};

/// Stuck reviews an email lists, the longest-waiting first.
const STUCK_SHOWN: usize = 10;

/// The hourly look at the clock that starts each workspace's report when
/// it is Monday 08:00 there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportTick {
    pub due: Timestamp,
}

impl Job for ReportTick {
    const KIND: &'static str = "analytics.weekly_tick";
    const QUEUE: &'static str = "analytics";

    fn dedup_key(&self) -> String {
        format!("weekly-tick:{}", self.due)
    }

    async fn run(&self, app: &App) -> Result<()> {
        tick(app, self.due).await?;
        schedule(app).await
    }
}

/// Schedules the next hourly look (at start, and after each; the next full
/// hour, so every instance names the same job).
pub async fn schedule(app: &App) -> Result<()> {
    let hour = 3600;
    let due = Timestamp::from_second((app.now().as_second() / hour + 1) * hour).map_err(Error::internal)?;
    let mut tx = app.db.write().await?;
    jobs::enqueue(&mut tx, app, &ReportTick { due }, due).await?;
    tx.commit().await?;
    Ok(())
}

/// Starts the report of every workspace where it is now Monday, 08:00: one
/// job per member who wants it.
async fn tick(app: &App, due: Timestamp) -> Result<()> {
    let mut tx = app.db.write().await?;
    for ws in workspaces::all_workspaces(&mut tx).await? {
        let zone = TimeZone::get(&ws.time_zone).unwrap_or(TimeZone::UTC);
        let local = due.to_zoned(zone);
        if local.weekday() != Weekday::Monday || local.hour() != DIGEST_HOUR {
            continue;
        }
        let from = local.date().checked_sub(7.days()).map_err(Error::internal)?;
        let defaults = notifications::preferences(&mut tx, ws.id, None).await?;
        for member in workspaces::members(&mut tx, ws.id).await? {
            if !member.role.can(Permission::ViewAnalytics) {
                continue;
            }
            let mine = notifications::preferences(&mut tx, ws.id, Some(member.user_id)).await?;
            let wanted = Preferences::effective(Kind::WorkflowReport, &mine, &defaults);
            if wanted.in_app || wanted.email != Frequency::Off {
                let job = SendWeeklyReport { workspace: ws.id, user: member.user_id, from };
                jobs::enqueue(&mut tx, app, &job, app.now()).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// One member's report of the week starting `from` (a Monday).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendWeeklyReport {
    pub workspace: WorkspaceId,
    pub user: UserId,
    pub from: Date,
}

impl Job for SendWeeklyReport {
    const KIND: &'static str = "analytics.weekly_report";
    const QUEUE: &'static str = "analytics";

    fn dedup_key(&self) -> String {
        format!("weekly-report:{}:{}:{}", self.workspace, self.user, self.from)
    }

    async fn run(&self, app: &App) -> Result<()> {
        send(app, self).await
    }
}

/// What the email says.
struct Weekly {
    name: String,
    workspace: String,
    period: String,
    lines: Vec<String>,
    stuck: Vec<(String, String)>,
    more: usize,
    url: String,
}

#[derive(Template)]
#[template(path = "email/weekly.txt")]
struct WeeklyText<'a> {
    m: &'a Weekly,
}

#[derive(Template)]
#[template(path = "email/weekly.html")]
struct WeeklyHtml<'a> {
    m: &'a Weekly,
}

/// The report's headline, in the current language.
fn lines(report: &Report) -> Vec<String> {
    let m = &report.measures;
    let mut out = vec![
        t2("weekly-completed", "count", m.reviews_completed, "before", report.previous.reviews_completed),
        t1("weekly-first-pass", "rate", percent(m.first_pass_rate)),
    ];
    if let Some(median) = m.cycle_time.business.median_minutes {
        out.push(t1("weekly-cycle", "time", duration(median)));
    }
    if let Some(stage) = m.bottleneck_stage.as_ref().and_then(|k| m.stages.iter().find(|s| &s.key == k)) {
        out.push(t2("weekly-bottleneck", "stage", stage.name.clone(), "share", percent(Some(stage.share))));
    }
    out
}

async fn send(app: &App, job: &SendWeeklyReport) -> Result<()> {
    let to = job.from.checked_add(6.days()).map_err(Error::internal)?;
    let mut tx = app.db.read().await?;
    let Some(person) = accounts::user(&mut tx, job.user).await? else { return Ok(()) };
    let Some(role) = workspaces::role_of(&mut tx, job.workspace, job.user).await? else { return Ok(()) };
    if !role.can(Permission::ViewAnalytics) {
        return Ok(());
    }
    let Some(ws) = workspaces::workspace(&mut tx, job.workspace).await? else { return Ok(()) };
    let defaults = notifications::preferences(&mut tx, job.workspace, None).await?;
    let mine = notifications::preferences(&mut tx, job.workspace, Some(job.user)).await?;
    drop(tx);
    // Read beside the writer; only the notification is written.
    let report = compute(&app.db, app.now(), job.workspace, (Some(job.from), Some(to)), &Filter::default()).await?;
    let wanted = Preferences::effective(Kind::WorkflowReport, &mine, &defaults);
    let lang = crate::mail::language(Some(&person));
    let url = app.url(&format!("/w/{}/analytics?from={}&to={to}", job.workspace, job.from));
    let weekly = greenlight_i18n::sync_scope(lang, || Weekly {
        name: person.name.clone(),
        workspace: ws.name.clone(),
        period: t2("weekly-period", "from", day(job.from), "to", day(to)),
        lines: lines(&report),
        stuck: report
            .open
            .iter()
            .take(STUCK_SHOWN)
            .map(|o| {
                let at = o.stage.clone().unwrap_or_else(|| t("weekly-revising"));
                let who = o.waiting_for.join(", ");
                (o.title.clone(), t3(&at, &who, &duration(o.age_minutes)))
            })
            .collect(),
        more: report.open.len().saturating_sub(STUCK_SHOWN),
        url: url.clone(),
    });
    if wanted.in_app {
        let summary =
            greenlight_i18n::sync_scope(lang, || t2("weekly-summary", "period", weekly.period.clone(), "line", weekly.lines.join("; ")));
        let n = Notification {
            id: NotificationId::from_uuid(Uuid::now_v7()),
            user_id: job.user,
            workspace_id: job.workspace,
            kind: Kind::WorkflowReport,
            post_id: None,
            summary,
            data: json!({ "from": job.from, "to": to, "url": url }),
            created_at: app.now(),
            read_at: None,
            email_status: EmailState::None.as_str().into(),
        };
        let mut tx = app.db.write().await?;
        notifications::insert(&mut tx, &n, &SendWeeklyReport::dedup_key(job), true, EmailState::None).await?;
        tx.commit().await?;
    }
    let (Some(mailer), true) = (app.mailer.clone(), wanted.email != Frequency::Off) else { return Ok(()) };
    let mail = greenlight_i18n::sync_scope(lang, || -> Result<Mail> {
        Ok(Mail {
            to: person.email.clone(),
            to_name: Some(person.name.clone()),
            subject: t2("weekly-subject", "workspace", weekly.workspace.clone(), "period", weekly.period.clone()),
            text: render(&WeeklyText { m: &weekly })?,
            html: render(&WeeklyHtml { m: &weekly })?,
        })
    })?;
    crate::mail::send(app, mailer.as_ref(), &mail)
        .await
        .map_err(|e| Error::Internal(format!("sending the weekly report to {}: {e}", person.email).into()))
}

fn t3(stage: &str, who: &str, age: &str) -> String {
    greenlight_i18n::t3("weekly-stuck", "stage", stage, "who", who, "age", age)
}
