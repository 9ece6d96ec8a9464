//! Settings: members and roles, groups, channels, campaigns and labels,
//! share links (create, copy, revoke), the member's notification choices,
//! webhooks and their deliveries, API tokens, and the style guide. Each
//! section shows what the member's role lets them see; each form posts to
//! its section and comes back with what happened.

use askama::Template;
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use greenlight_domain::{
    id::{ChannelId, GroupId, ShareLinkId, TokenId, UserId, WorkspaceId},
    notification::{Channels, Frequency, Kind, Preferences},
    permission::Permission,
    preflight::StyleGuide,
    share::{Capability, Scope},
    slots::SlotText,
    webhook::Kind as HookKind,
};
use greenlight_service::{
    App, Error, accounts, channel_auth, notifications, planning, preflight, publishing, share_links, webhooks, workspaces,
};
use serde::Deserialize;

use super::{
    Chrome, Member, OrPage, PageError, PagePath, PageResult, Problems,
    auth::Submitted,
    render,
    view::{network_mark, when, zone},
};
use crate::AppState;

pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    /// The role as the reader's language says it.
    pub role_label: String,
}

/// A channel and the account it posts as.
pub struct ChannelRow {
    pub id: String,
    pub network: String,
    /// `webhook`, `mastodon`, or empty for a network Greenlight cannot
    /// publish to yet: which connect form it gets.
    pub connects: &'static str,
    pub handle: String,
    pub name: String,
    /// `connected`, `reconnect_needed` or `disconnected`.
    pub state: String,
    pub detail: String,
    pub target: String,
    /// Its posting times, as typed: "mon 09:00, wed 12:30".
    pub slots: String,
    /// How it posts: "unlisted · content warning “Long read”".
    pub options: String,
}

pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub members: Vec<(String, String)>,
}

pub struct LinkRow {
    pub id: String,
    pub scope: String,
    pub capability: String,
    pub reviewer: String,
    pub expires: String,
    pub state: String,
    pub revocable: bool,
}

pub struct HookRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub state: String,
    /// The latest deliveries: id, event, status, attempts, the last answer.
    pub deliveries: Vec<(String, String, String, i64, String)>,
}

pub struct PrefRow {
    pub kind: String,
    pub label: String,
    pub in_app: bool,
    pub email: &'static str,
}

#[derive(Template)]
#[template(path = "app/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    ws: String,
    csrf: String,
    manage_members: bool,
    manage_groups: bool,
    manage_channels: bool,
    manage_planning: bool,
    share: bool,
    manage_webhooks: bool,
    manage_tokens: bool,
    manage_guide: bool,
    members: Vec<MemberRow>,
    groups: Vec<GroupRow>,
    channels: Vec<ChannelRow>,
    campaigns: Vec<(String, String, String)>,
    labels: Vec<(String, String)>,
    links: Vec<LinkRow>,
    prefs: Vec<PrefRow>,
    hooks: Vec<HookRow>,
    tokens: Vec<(String, String, String, String)>,
    guide: String,
    guide_version: i64,
    /// The guide as a form of rows and fields.
    guide_form: super::style_guide::GuideView,
    /// Each role's value and its name in the reader's language.
    roles: Vec<(&'static str, String)>,
    /// Each email frequency's value and its name.
    frequencies: Vec<(&'static str, String)>,
    networks: Vec<&'static str>,
    problems: Problems,
    notice: String,
    /// A secret or link shown this once.
    once: String,
    go: String,
}

fn kind_label(k: Kind) -> String {
    match k {
        Kind::ReviewRequested => crate::t("settings-tell-review-requested"),
        Kind::DecisionMade => crate::t("settings-tell-decision-made"),
        Kind::ChangesRequested => crate::t("settings-tell-changes-requested"),
        Kind::ApprovalComplete => crate::t("settings-tell-approval-complete"),
        Kind::Comment => crate::t("settings-tell-comment"),
        Kind::Mention => crate::t("settings-tell-mention"),
        Kind::Reminder => crate::t("settings-tell-reminder"),
        Kind::Escalation => crate::t("settings-tell-escalation"),
        Kind::PublishTimePassed => crate::t("settings-tell-publish-time-passed"),
        Kind::Published => crate::t("settings-tell-published"),
        Kind::PublishFailed => crate::t("settings-tell-publish-failed"),
        Kind::ChannelNeedsReconnect => crate::t("settings-tell-channel-needs-reconnect"),
        Kind::WorkflowReport => crate::t("settings-tell-workflow-report"),
    }
}

/// A role's name in the reader's language (the value stays `owner` …).
fn role_label(role: &str) -> String {
    match role {
        "owner" => crate::t("settings-role-owner"),
        "admin" => crate::t("settings-role-admin"),
        "manager" => crate::t("settings-role-manager"),
        "creator" => crate::t("settings-role-creator"),
        "reviewer" => crate::t("settings-role-reviewer"),
        "viewer" => crate::t("settings-role-viewer"),
        other => other.to_owned(),
    }
}

/// The email frequencies, as the form's values and their names.
fn frequencies() -> Vec<(&'static str, String)> {
    vec![
        ("immediate", crate::t("settings-email-immediate")),
        ("hourly", crate::t("settings-email-hourly")),
        ("daily", crate::t("settings-email-daily")),
        ("off", crate::t("settings-email-off")),
    ]
}

/// A webhook delivery's status as people say it (`pending` …).
fn delivery_status(status: String) -> String {
    match status.as_str() {
        "pending" => crate::t("settings-delivery-pending"),
        "delivered" => crate::t("settings-delivery-delivered"),
        "failed" => crate::t("settings-delivery-failed"),
        _ => status,
    }
}

fn frequency(f: Frequency) -> &'static str {
    match f {
        Frequency::Off => "off",
        Frequency::Immediate => "immediate",
        Frequency::Hourly => "hourly",
        Frequency::Daily => "daily",
    }
}

struct Shown {
    problems: Problems,
    notice: String,
    once: String,
    /// Where to go on (a network's page where the person allows Greenlight).
    go: String,
    guide_text: Option<String>,
    /// The guide's form as typed, when it was refused.
    guide_typed: Option<super::style_guide::Submitted>,
    status: StatusCode,
}

impl Shown {
    fn ok(notice: impl Into<String>) -> Shown {
        Shown {
            problems: Problems::default(),
            notice: notice.into(),
            once: String::new(),
            go: String::new(),
            guide_text: None,
            guide_typed: None,
            status: StatusCode::OK,
        }
    }
}

async fn draw(app: &App, member: Member, ws: WorkspaceId, shown: Shown, headers: &HeaderMap) -> PageResult {
    let chrome = Chrome::of(app, &member, ws, crate::t("settings-title"), "settings").await.or_page(headers)?;
    let tz = zone(chrome.ws.as_ref().map_or("UTC", |w| w.time_zone.as_str()));
    let role = workspaces::role(app, &member.caller, ws).await.or_page(headers)?;
    let c = &member.caller;
    let people = workspaces::members(app, c, ws).await.or_page(headers)?;
    let name_of = |u: &UserId| people.iter().find(|m| m.user_id == *u).map(|m| m.name.clone()).unwrap_or_default();
    let groups = workspaces::groups(app, c, ws).await.or_page(headers)?;
    let channels = planning::channels(app, c, ws).await.or_page(headers)?;
    let mut connections = publishing::connections(app, c, ws).await.or_page(headers)?;
    let mut slots = planning::all_slots(app, c, ws).await.or_page(headers)?;
    let mut channel_rows = Vec::with_capacity(channels.len());
    for ch in &channels {
        let connection = connections.remove(&ch.id).unwrap_or_else(|| publishing::ConnectionView::disconnected(ch.id));
        channel_rows.push(ChannelRow {
            id: ch.id.to_string(),
            network: network_mark(&ch.network).1.to_owned(),
            connects: match ch.network.as_str() {
                "webhook" => "webhook",
                "mastodon" => "mastodon",
                "bluesky" => "bluesky",
                _ => "",
            },
            handle: ch.handle.clone(),
            name: ch.display_name.clone(),
            state: connection.state,
            detail: connection.detail.unwrap_or_default(),
            target: connection.target.unwrap_or_default(),
            slots: slots_typed(&slots.remove(&ch.id).unwrap_or_default()),
            options: options_said(&connection.options),
        });
    }
    let campaigns = planning::campaigns(app, c, ws).await.or_page(headers)?;
    let labels = planning::labels(app, c, ws).await.or_page(headers)?;
    let links = if role.can(Permission::ShareLinks) {
        share_links::links(app, c, ws, None, Some(100)).await.or_page(headers)?.0
    } else {
        Vec::new()
    };
    let prefs = notifications::preferences(app, c, ws).await.or_page(headers)?;
    let mut hooks = Vec::new();
    if role.can(Permission::ManageWebhooks) {
        for h in webhooks::list(app, c, ws).await.or_page(headers)? {
            let (recent, _) = webhooks::deliveries(app, c, ws, h.id, None, Some(5)).await.or_page(headers)?;
            let deliveries = recent
                .into_iter()
                .map(|d| {
                    let answer = d.last_status.map(|s| format!("HTTP {s}")).or(d.last_error).unwrap_or_default();
                    (d.id.to_string(), d.action, delivery_status(d.status), d.attempts, answer)
                })
                .collect();
            let kind = match h.kind {
                HookKind::Generic => crate::t("settings-hook-generic"),
                other => format!("{other:?}").to_lowercase(),
            };
            hooks.push(HookRow {
                id: h.id.to_string(),
                name: h.name,
                kind,
                state: if h.active { crate::t("settings-active") } else { crate::t("settings-hook-paused") },
                deliveries,
            });
        }
    }
    let tokens = if role.can(Permission::ManageTokens) { accounts::tokens(app, c, ws).await.or_page(headers)? } else { Vec::new() };
    let guide = preflight::style_guide(app, c, ws).await.or_page(headers)?;
    let label_names: Vec<_> = labels.iter().map(|l| (l.id, l.name.clone())).collect();
    let campaign_names: Vec<_> = campaigns.iter().map(|ca| (ca.id, ca.name.clone())).collect();
    let guide_form = match &shown.guide_typed {
        Some(typed) => typed.view(&label_names, &campaign_names),
        None => super::style_guide::GuideView::of(&guide.guide, &label_names, &campaign_names),
    };
    let now = app.now();
    let page = SettingsPage {
        ws: ws.to_string(),
        csrf: member.csrf.clone(),
        manage_members: role.can(Permission::ManageMembers),
        manage_groups: role.can(Permission::ManageGroups),
        manage_channels: role.can(Permission::ManageChannels),
        manage_planning: role.can(Permission::ManagePlanning),
        share: role.can(Permission::ShareLinks),
        manage_webhooks: role.can(Permission::ManageWebhooks),
        manage_tokens: role.can(Permission::ManageTokens),
        manage_guide: role.can(Permission::ManageStyleGuide),
        members: people
            .iter()
            .map(|m| MemberRow {
                id: m.user_id.to_string(),
                name: m.name.clone(),
                email: m.email.clone(),
                role: m.role.to_string(),
                role_label: role_label(m.role.as_str()),
            })
            .collect(),
        groups: groups
            .iter()
            .map(|g| GroupRow {
                id: g.id.to_string(),
                name: g.name.clone(),
                members: g.member_ids.iter().map(|u| (u.to_string(), name_of(u))).collect(),
            })
            .collect(),
        channels: channel_rows,
        campaigns: campaigns.iter().map(|ca| (ca.id.to_string(), ca.name.clone(), ca.colour.clone())).collect(),
        labels: labels
            .iter()
            .map(|l| {
                let kind = match l.kind.as_str() {
                    "label" => crate::t("settings-kind-label"),
                    "pillar" => crate::t("settings-kind-pillar"),
                    other => other.to_owned(),
                };
                (l.name.clone(), kind)
            })
            .collect(),
        links: links
            .iter()
            .map(|l| LinkRow {
                id: l.id.to_string(),
                scope: match &l.scope {
                    Scope::Posts { post_ids } => crate::t1("settings-scope-posts", "count", post_ids.len()),
                    Scope::Campaign { campaign_id } => {
                        let name = campaigns.iter().find(|x| x.id == *campaign_id).map(|x| x.name.clone()).unwrap_or_default();
                        crate::t1("settings-scope-campaign", "name", name)
                    }
                    Scope::Range { from, to } => crate::t2("settings-scope-range", "from", when(*from, &tz), "to", when(*to, &tz)),
                },
                capability: match l.capability {
                    Capability::View => crate::t("settings-capability-view"),
                    Capability::Comment => crate::t("settings-capability-comment"),
                    Capability::Approve => crate::t("settings-capability-approve"),
                },
                reviewer: l.reviewer_name.clone().or_else(|| l.reviewer_email.clone()).unwrap_or_default(),
                expires: when(l.expires_at, &tz),
                state: if l.revoked_at.is_some() {
                    crate::t("settings-link-revoked")
                } else if l.expires_at <= now {
                    crate::t("settings-link-expired")
                } else {
                    crate::t("settings-active")
                },
                revocable: l.revoked_at.is_none() && l.expires_at > now,
            })
            .collect(),
        prefs: Kind::ALL
            .iter()
            .map(|k| {
                let ch = prefs.effective.0.get(k).copied().unwrap_or_else(|| Preferences::builtin(*k));
                PrefRow { kind: k.as_str().to_owned(), label: kind_label(*k), in_app: ch.in_app, email: frequency(ch.email) }
            })
            .collect(),
        hooks,
        tokens: tokens
            .iter()
            .filter(|t| t.revoked_at.is_none())
            .map(|t| {
                (
                    t.id.to_string(),
                    t.name.clone(),
                    role_label(t.role.as_str()),
                    t.last_used_at
                        .map(|at| crate::t1("settings-token-last-used", "when", when(at, &tz)))
                        .unwrap_or_else(|| crate::t("settings-token-never-used")),
                )
            })
            .collect(),
        guide: shown.guide_text.unwrap_or_else(|| serde_json::to_string_pretty(&guide.guide).unwrap_or_default()),
        guide_version: guide.version,
        guide_form,
        roles: ["owner", "admin", "manager", "creator", "reviewer", "viewer"].into_iter().map(|r| (r, role_label(r))).collect(),
        frequencies: frequencies(),
        networks: vec!["mastodon", "bluesky", "linkedin", "x", "facebook", "instagram", "threads", "pinterest", "webhook"],
        problems: shown.problems,
        notice: shown.notice,
        once: shown.once,
        go: shown.go,
        chrome,
    };
    Ok(render(shown.status, &page))
}

pub async fn page(State(s): State<AppState>, member: Member, PagePath(ws): PagePath<WorkspaceId>, headers: HeaderMap) -> PageResult {
    draw(&s.app, member, ws, Shown::ok(""), &headers).await
}

/// Saves the style guide from its form; refused, the form comes back as
/// typed with each problem named.
pub async fn save_guide_form(
    State(s): State<AppState>,
    PagePath(ws): PagePath<WorkspaceId>,
    submitted: Submitted<Vec<(String, String)>>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    let typed = super::style_guide::Submitted::read(&form);
    let version = form.iter().find(|(k, _)| k == "version").and_then(|(_, v)| v.parse().ok());
    let saved = match typed.guide() {
        Ok(guide) => preflight::save_style_guide(&s.app, &member.caller, ws, version, guide).await.map(|_| ()),
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match saved {
        Ok(()) => draw(&s.app, member, ws, Shown::ok(crate::t("settings-guide-saved")), &headers).await,
        Err(e @ (Error::Invalid(_) | Error::Conflict(_) | Error::Forbidden(_) | Error::Stale { .. } | Error::VersionRequired)) => {
            let shown = Shown {
                problems: Problems::general(super::said(&e, true)),
                guide_typed: Some(typed),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                ..Shown::ok("")
            };
            draw(&s.app, member, ws, shown, &headers).await
        }
        Err(e) => Err(PageError::new(e, &headers)),
    }
}

/// Every settings form's fields; each section reads its own.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    action: String,
    id: String,
    email: String,
    role: String,
    name: String,
    user: String,
    network: String,
    handle: String,
    display_name: String,
    text_limit: String,
    colour: String,
    kind: String,
    capability: String,
    campaign: String,
    days: String,
    url: String,
    instance: String,
    access_token: String,
    service: String,
    identifier: String,
    app_password: String,
    visibility: String,
    content_warning: String,
    slots: String,
    guide: String,
    version: String,
    delivery: String,
    pref_kind: Vec<String>,
    pref_in_app: Vec<String>,
    pref_email: Vec<String>,
}

/// What a section's action did, to say on the page.
enum Done {
    Said(String),
    Once(String, String),
    /// A notice, where to go on, and the sign-in cookie to keep meanwhile.
    Go(String, String, String),
}

/// Posting times as typed ("mon 09:00, wed 12:30"): a day and a time each.
fn slot_texts(typed: &str) -> Result<Vec<SlotText>, String> {
    typed
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| match t.split_whitespace().collect::<Vec<_>>()[..] {
            [day, time] => Ok(SlotText { weekday: day_typed(day), time: time.to_owned() }),
            _ => Err(crate::t1("settings-slot-format", "typed", t)),
        })
        .collect()
}

/// Danish day names (`man`, `tirsdag` …) as the English ones the slots
/// read; any other word as typed.
const DANISH_DAYS: [(&str, &str); 7] = [
    ("mandag", "monday"),
    ("tirsdag", "tuesday"),
    ("onsdag", "wednesday"),
    ("torsdag", "thursday"),
    ("fredag", "friday"),
    ("lørdag", "saturday"),
    ("søndag", "sunday"),
];

fn day_typed(day: &str) -> String {
    let typed = day.trim_end_matches('.').to_lowercase();
    DANISH_DAYS
        .iter()
        .find(|(da, _)| *da == typed || (typed.chars().count() >= 3 && da.starts_with(&typed)))
        .map_or_else(|| day.to_owned(), |(_, en)| (*en).to_owned())
}

/// A slot's day as the reader's language shortens it: "mon", "man".
fn day_said(weekday: &str) -> String {
    match weekday {
        "monday" => crate::t("settings-day-monday"),
        "tuesday" => crate::t("settings-day-tuesday"),
        "wednesday" => crate::t("settings-day-wednesday"),
        "thursday" => crate::t("settings-day-thursday"),
        "friday" => crate::t("settings-day-friday"),
        "saturday" => crate::t("settings-day-saturday"),
        "sunday" => crate::t("settings-day-sunday"),
        other => other.get(..3).unwrap_or(other).to_owned(),
    }
}

/// A channel's posting options, said: "unlisted · content warning “…”".
fn options_said(options: &serde_json::Value) -> String {
    let visibility = match options["visibility"].as_str() {
        Some("public") => Some(crate::t("settings-said-public")),
        Some("unlisted") => Some(crate::t("settings-said-unlisted")),
        Some("private") => Some(crate::t("settings-said-private")),
        Some(other) => Some(other.to_owned()),
        None => None,
    };
    let warning = options["content_warning"].as_str().map(|w| crate::t1("settings-said-warning", "warning", w));
    visibility.into_iter().chain(warning).collect::<Vec<_>>().join(" · ")
}

/// Posting times as a person reads and types them.
fn slots_typed(slots: &[SlotText]) -> String {
    slots.iter().map(|s| format!("{} {}", day_said(&s.weekday), s.time)).collect::<Vec<_>>().join(", ")
}

/// The host of an address typed by a person, for a notice.
fn reqwest_host(typed: &str) -> String {
    let rest = typed.trim().split("://").nth(1).unwrap_or(typed.trim());
    rest.split(['/', '?', '#']).next().unwrap_or(rest).to_owned()
}

/// The sign-in cookie: only ever sent back to the callback, and with the
/// server's redirect (a top-level navigation from another site: `Lax`).
pub const OAUTH_COOKIE: &str = "greenlight_oauth";

async fn act_on(app: &App, member: &Member, ws: WorkspaceId, section: &str, f: &SettingsForm) -> Result<Done, Error> {
    let c = &member.caller;
    let id_of = |s: &str| s.parse::<UserId>().map_err(|_| Error::field("user", crate::t("settings-choose-member")));
    Ok(match (section, f.action.as_str()) {
        ("members", "add") => {
            let m = workspaces::add_member(app, c, ws, workspaces::NewMember { email: f.email.clone(), role: f.role.clone() }).await?;
            Done::Said(crate::t2("settings-member-added", "name", &m.name, "role", role_label(m.role.as_str())))
        }
        ("members", "role") => {
            workspaces::set_role(app, c, ws, id_of(&f.id)?, &f.role).await?;
            Done::Said(crate::t("settings-role-changed"))
        }
        ("members", "remove") => {
            workspaces::remove_member(app, c, ws, id_of(&f.id)?).await?;
            Done::Said(crate::t("settings-member-removed"))
        }
        ("groups", "create") => {
            workspaces::create_group(app, c, ws, workspaces::NewGroup { name: f.name.clone(), member_ids: Vec::new() }).await?;
            Done::Said(crate::t1("settings-group-created", "name", f.name.trim()))
        }
        ("groups", "join" | "leave") => {
            let group: GroupId = f.id.parse().map_err(|_| Error::field("group", crate::t("settings-choose-group")))?;
            workspaces::set_group_membership(app, c, ws, group, id_of(&f.user)?, f.action == "join").await?;
            Done::Said(crate::t("settings-group-changed"))
        }
        ("channels", "add") => {
            let text_limit = f.text_limit.trim().parse().ok();
            let input = planning::NewChannel {
                network: f.network.clone(),
                handle: f.handle.clone(),
                display_name: f.display_name.clone(),
                text_limit,
            };
            planning::create_channel(app, c, ws, input).await?;
            Done::Said(crate::t("settings-channel-added"))
        }
        ("channels", "connect") => {
            let channel: ChannelId = f.id.parse().map_err(|_| Error::field("channel", crate::t("settings-choose-channel")))?;
            let given = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
            let input = publishing::ConnectInput {
                url: given(&f.url),
                instance: given(&f.instance),
                access_token: given(&f.access_token),
                service: given(&f.service),
                identifier: given(&f.identifier),
                app_password: given(&f.app_password),
                visibility: given(&f.visibility),
                content_warning: given(&f.content_warning),
            };
            let made = publishing::connect(app, c, ws, channel, input).await?;
            match made.secret {
                Some(secret) => Done::Once(crate::t("settings-connected-secret"), secret),
                None => Done::Said(crate::t1("settings-connected-as", "target", made.target.unwrap_or_default())),
            }
        }
        ("channels", "authorize") => {
            let channel: ChannelId = f.id.parse().map_err(|_| Error::field("channel", crate::t("settings-choose-channel")))?;
            let choices = channel_auth::Choices {
                visibility: Some(f.visibility.clone()).filter(|v| !v.is_empty()),
                content_warning: Some(f.content_warning.clone()).filter(|v| !v.trim().is_empty()),
            };
            let started = channel_auth::start(app, c, ws, channel, &f.instance, choices).await?;
            let host = reqwest_host(&f.instance);
            Done::Go(crate::t1("settings-registered-at", "host", host), started.authorize_url, started.cookie)
        }
        ("channels", "slots") => {
            let channel: ChannelId = f.id.parse().map_err(|_| Error::field("channel", crate::t("settings-choose-channel")))?;
            let typed = slot_texts(&f.slots).map_err(|why| Error::field("slots", why))?;
            let set = planning::set_slots(app, c, ws, channel, typed).await?;
            Done::Said(if set.is_empty() {
                crate::t("settings-times-cleared")
            } else {
                crate::t1("settings-times-saved", "count", set.len())
            })
        }
        ("channels", "disconnect") => {
            let channel: ChannelId = f.id.parse().map_err(|_| Error::field("channel", crate::t("settings-choose-channel")))?;
            publishing::disconnect(app, c, ws, channel).await?;
            Done::Said(crate::t("settings-disconnected"))
        }
        ("planning", "campaign") => {
            let input = planning::NewCampaign { name: f.name.clone(), colour: f.colour.clone(), starts_on: None, ends_on: None };
            planning::create_campaign(app, c, ws, input).await?;
            Done::Said(crate::t("settings-campaign-added"))
        }
        ("planning", "label") => {
            let kind = if f.kind == "pillar" { "pillar" } else { "label" };
            planning::create_label(app, c, ws, planning::NewLabel { name: f.name.clone(), kind: kind.into(), colour: "#6b7280".into() })
                .await?;
            Done::Said(crate::t("settings-label-added"))
        }
        ("links", "create") => {
            let campaign_id = f.campaign.parse().map_err(|_| Error::field("campaign", crate::t("settings-choose-campaign")))?;
            let capability = if f.capability == "comment" { Capability::Comment } else { Capability::View };
            let days: i64 = f.days.trim().parse().unwrap_or(14);
            let input = share_links::NewShareLink {
                scope: Scope::Campaign { campaign_id },
                capability,
                expires_at: app.now() + jiff::SignedDuration::from_hours(24 * days.clamp(1, 365)),
                password: None,
                reviewer_name: Some(f.name.clone()).filter(|n| !n.trim().is_empty()),
                reviewer_email: None,
            };
            let made = share_links::create(app, c, ws, input).await?;
            match made.path {
                Some(path) => Done::Once(crate::t("settings-link-once"), app.url(&path)),
                None => Done::Said(crate::t("settings-link-created")),
            }
        }
        ("links", "revoke") => {
            let id: ShareLinkId = f.id.parse().map_err(|_| Error::field("link", crate::t("settings-choose-link")))?;
            share_links::revoke(app, c, ws, id).await?;
            Done::Said(crate::t("settings-link-revoked-notice"))
        }
        ("links", "reissue") => {
            let id: ShareLinkId = f.id.parse().map_err(|_| Error::field("link", crate::t("settings-choose-link")))?;
            let made = share_links::reissue(app, c, ws, id).await?;
            match (made.path, made.sent_to) {
                (Some(path), _) => Done::Once(crate::t("settings-link-new-once"), app.url(&path)),
                (None, Some(to)) => Done::Said(crate::t1("settings-link-emailed", "to", to)),
                (None, None) => Done::Said(crate::t("settings-link-made")),
            }
        }
        ("notifications", "save") => {
            let mut prefs = Preferences::default();
            for (i, kind) in f.pref_kind.iter().enumerate() {
                let Some(kind) = Kind::parse(kind) else { continue };
                let email = match f.pref_email.get(i).map(String::as_str) {
                    Some("off") => Frequency::Off,
                    Some("hourly") => Frequency::Hourly,
                    Some("daily") => Frequency::Daily,
                    _ => Frequency::Immediate,
                };
                prefs.0.insert(kind, Channels { in_app: f.pref_in_app.iter().any(|k| k == kind.as_str()), email });
            }
            notifications::set_my_preferences(app, c, ws, prefs).await?;
            Done::Said(crate::t("settings-prefs-saved"))
        }
        ("webhooks", "add") => {
            let kind = match f.kind.as_str() {
                "slack" => HookKind::Slack,
                "teams" => HookKind::Teams,
                "discord" => HookKind::Discord,
                _ => HookKind::Generic,
            };
            let input = webhooks::NewWebhook { kind, name: f.name.clone(), url: f.url.clone(), events: None, stage_key: None };
            let made = webhooks::create(app, c, ws, input).await?;
            match made.secret {
                Some(secret) => Done::Once(crate::t("settings-hook-secret"), secret),
                None => Done::Said(crate::t("settings-hook-added")),
            }
        }
        ("webhooks", "redeliver") => {
            let hook = f.id.parse().map_err(|_| Error::field("webhook", crate::t("settings-choose-webhook")))?;
            let delivery = f.delivery.parse().map_err(|_| Error::field("delivery", crate::t("settings-choose-delivery")))?;
            webhooks::redeliver(app, c, ws, hook, delivery).await?;
            Done::Said(crate::t("settings-sent-again"))
        }
        ("tokens", "create") => {
            let made = accounts::create_token(app, c, ws, None, accounts::NewToken { name: f.name.clone(), role: f.role.clone() }).await?;
            Done::Once(crate::t("settings-token-once"), made.secret)
        }
        ("tokens", "revoke") => {
            let id: TokenId = f.id.parse().map_err(|_| Error::field("token", crate::t("settings-choose-token")))?;
            accounts::revoke_token(app, c, ws, id).await?;
            Done::Said(crate::t("settings-token-revoked"))
        }
        ("guide", "save") => {
            let guide: StyleGuide = serde_json::from_str(&f.guide)
                .map_err(|e| Error::field("guide", crate::t1("settings-not-a-guide", "error", e.to_string())))?;
            preflight::save_style_guide(app, c, ws, f.version.parse().ok(), guide).await?;
            Done::Said(crate::t("settings-guide-saved"))
        }
        _ => return Err(Error::NotFound("settings action")),
    })
}

pub async fn act(
    State(s): State<AppState>,
    PagePath((ws, section)): PagePath<(WorkspaceId, String)>,
    submitted: Submitted<SettingsForm>,
) -> PageResult {
    let Submitted { member, form, headers } = submitted;
    match act_on(&s.app, &member, ws, &section, &form).await {
        Ok(Done::Said(notice)) => draw(&s.app, member, ws, Shown::ok(notice), &headers).await,
        Ok(Done::Once(notice, once)) => draw(&s.app, member, ws, Shown { once, ..Shown::ok(notice) }, &headers).await,
        Ok(Done::Go(notice, go, cookie)) => {
            let page = draw(&s.app, member, ws, Shown { go, ..Shown::ok(notice) }, &headers).await?;
            let cookie = Cookie::build((OAUTH_COOKIE, cookie))
                .path(channel_auth::CALLBACK_PATH)
                .http_only(true)
                .secure(s.settings.secure_cookies)
                .same_site(SameSite::Lax)
                .max_age(time::Duration::minutes(10));
            Ok((CookieJar::new().add(cookie), page).into_response())
        }
        Err(e @ (Error::Invalid(_) | Error::Conflict(_) | Error::Forbidden(_) | Error::Stale { .. } | Error::VersionRequired)) => {
            let message = super::said(&e, true);
            let guide_text = (section == "guide").then(|| form.guide.clone());
            let shown = Shown {
                problems: Problems::general(message),
                notice: String::new(),
                once: String::new(),
                go: String::new(),
                guide_text,
                guide_typed: None,
                status: StatusCode::UNPROCESSABLE_ENTITY,
            };
            draw(&s.app, member, ws, shown, &headers).await
        }
        Err(e) => Err(PageError::new(e, &headers)),
    }
}

/// What a network's server sends back after the person allowed (or not).
#[derive(Deserialize)]
pub struct Returned {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The end of "Connect with Mastodon": the code becomes the channel's
/// access token, and the person lands on Settings with what happened.
pub async fn oauth_callback(
    State(s): State<AppState>,
    member: Member,
    jar: CookieJar,
    Query(back): Query<Returned>,
    headers: HeaderMap,
) -> PageResult {
    let returned = channel_auth::Returned {
        cookie: jar.get(OAUTH_COOKIE).map(Cookie::value),
        state: back.state.as_deref(),
        code: back.code.as_deref(),
        error: back.error.as_deref(),
    };
    let done = channel_auth::finish(&s.app, &member.caller, returned).await;
    // Used once, whatever happened.
    let jar = jar.remove(Cookie::build(OAUTH_COOKIE).path(channel_auth::CALLBACK_PATH));
    let page = match done {
        Ok((ws, made)) => {
            draw(&s.app, member, ws, Shown::ok(crate::t1("settings-connected-as", "target", made.target.unwrap_or_default())), &headers)
                .await?
        }
        Err(e) => return Err(PageError::new(e, &headers)),
    };
    Ok((jar, page).into_response())
}
