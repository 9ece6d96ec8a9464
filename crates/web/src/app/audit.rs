//! The audit report a compliance officer reads: export a period as a signed
//! bundle, and verify one — today's or one kept for years.

use askama::Template;
use axum::{
    extract::{Multipart, Query, State},
    http::{HeaderMap, StatusCode},
};
use greenlight_domain::id::WorkspaceId;
use greenlight_i18n::Arg;
use greenlight_service::{Error, audit_export};
use serde::Deserialize;

use super::{
    Chrome, Member, OrPage, PageError, PagePath, PageResult, render,
    view::{when, zone},
};
use crate::{AppState, t, t1};

pub struct CheckLine {
    pub what: String,
    pub ok: bool,
    pub detail: String,
}

pub struct RevisionLine {
    pub link: String,
    pub label: String,
    pub text: String,
}

pub struct Report {
    pub intact: bool,
    pub summary: String,
    pub checks: Vec<CheckLine>,
    pub revisions: Vec<RevisionLine>,
}

#[derive(Template)]
#[template(path = "app/audit.html")]
struct AuditPage {
    chrome: Chrome,
    report: Option<Report>,
}

pub async fn page(State(s): State<AppState>, member: Member, PagePath(ws): PagePath<WorkspaceId>, headers: HeaderMap) -> PageResult {
    let chrome = Chrome::of(&s.app, &member, ws, t("audit-title"), "history").await.or_page(&headers)?;
    Ok(render(StatusCode::OK, &AuditPage { chrome, report: None }))
}

#[derive(Deserialize)]
pub struct Period {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The signed bundle, as a file to keep.
pub async fn export(
    State(s): State<AppState>,
    member: Member,
    PagePath(ws): PagePath<WorkspaceId>,
    Query(q): Query<Period>,
    headers: HeaderMap,
) -> PageResult {
    let day = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    let (from, to) = (day(&q.from), day(&q.to));
    let bundle = audit_export::export(&s.app, &member.caller, ws, from.as_deref(), to.as_deref()).await.or_page(&headers)?;
    Ok(crate::api::workspaces::audit_attachment(ws, bundle))
}

/// Verifies an uploaded bundle and shows every check.
pub async fn verify(
    State(s): State<AppState>,
    member: Member,
    PagePath(ws): PagePath<WorkspaceId>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> PageResult {
    let broken = |e: axum::extract::multipart::MultipartError| PageError::new(Error::field("bundle", e.body_text()), &headers);
    let mut bytes = None;
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        if field.name() == Some("bundle") {
            bytes = Some(field.bytes().await.map_err(broken)?);
        }
    }
    let bytes = bytes.filter(|b| !b.is_empty()).ok_or_else(|| PageError::new(Error::field("bundle", t("audit-choose-file")), &headers))?;
    let signed: audit_export::SignedBundle =
        serde_json::from_slice(&bytes).map_err(|_| PageError::new(Error::field("bundle", t("audit-not-an-export")), &headers))?;
    let report = audit_export::verify(&s.app, &member.caller, ws, &signed).await.or_page(&headers)?;
    let chrome = Chrome::of(&s.app, &member, ws, t("audit-title"), "history").await.or_page(&headers)?;
    let tz = zone(chrome.ws.as_ref().map_or("UTC", |w| w.time_zone.as_str()));
    let lang = greenlight_i18n::current();
    let values = [
        ("workspace", Arg::from(&report.workspace_name)),
        ("from", Arg::from(when(report.from, &tz))),
        ("to", Arg::from(when(report.to, &tz))),
        ("exported", Arg::from(when(report.generated_at, &tz))),
        ("events", Arg::from(t1("audit-summary-events", "count", report.events))),
        ("revisions", Arg::from(t1("audit-summary-revisions", "count", report.revisions.len()))),
    ];
    let summary = greenlight_i18n::lookup(lang, "audit-summary", &values);
    let report = Report {
        intact: report.intact,
        summary,
        checks: report.checks.into_iter().map(|c| CheckLine { what: c.what, ok: c.ok, detail: c.detail }).collect(),
        revisions: report
            .revisions
            .into_iter()
            .map(|r| RevisionLine {
                link: format!("/w/{ws}/posts/{}", r.post_id),
                label: t1("audit-revision", "number", r.number),
                text: r.content.text.chars().take(280).collect(),
            })
            .collect(),
    };
    let status = if report.intact { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(render(status, &AuditPage { chrome, report: Some(report) }))
}
