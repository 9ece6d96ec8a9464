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
    pub label: &'static str,
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
    roles: Vec<&'static str>,
    networks: Vec<&'static str>,
    problems: Problems,
    notice: String,
    /// A secret or link shown this once.
    once: String,
    go: String,
}

fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::ReviewRequested => "A review waits for me",
        Kind::DecisionMade => "Someone decided on my post",
        Kind::ChangesRequested => "Changes are asked of my post",
        Kind::ApprovalComplete => "My post is approved",
        Kind::Comment => "Comments on my posts and threads",
        Kind::Mention => "Someone mentions me",
        Kind::Reminder => "A review of mine is due",
        Kind::Escalation => "A review is escalated to me",
        Kind::PublishTimePassed => "My post's time passed before approval",
        Kind::Published => "My post went out",
        Kind::PublishFailed => "My post could not go out",
        Kind::ChannelNeedsReconnect => "A channel needs reconnecting",
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
    let chrome = Chrome::of(app, &member, ws, "Settings", "settings").await.or_page(headers)?;
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
                    (d.id.to_string(), d.action, d.status, d.attempts, answer)
                })
                .collect();
            let kind = format!("{:?}", h.kind).to_lowercase();
            hooks.push(HookRow {
                id: h.id.to_string(),
                name: h.name,
                kind,
                state: if h.active { "active".into() } else { "paused".into() },
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
            .map(|m| MemberRow { id: m.user_id.to_string(), name: m.name.clone(), email: m.email.clone(), role: m.role.to_string() })
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
        labels: labels.iter().map(|l| (l.name.clone(), l.kind.clone())).collect(),
        links: links
            .iter()
            .map(|l| LinkRow {
                id: l.id.to_string(),
                scope: match &l.scope {
                    Scope::Posts { post_ids } => format!("{} post(s)", post_ids.len()),
                    Scope::Campaign { campaign_id } => {
                        format!("campaign {}", campaigns.iter().find(|x| x.id == *campaign_id).map(|x| x.name.clone()).unwrap_or_default())
                    }
                    Scope::Range { from, to } => format!("{} to {}", when(*from, &tz), when(*to, &tz)),
                },
                capability: format!("{:?}", l.capability).to_lowercase(),
                reviewer: l.reviewer_name.clone().or_else(|| l.reviewer_email.clone()).unwrap_or_default(),
                expires: when(l.expires_at, &tz),
                state: if l.revoked_at.is_some() {
                    "revoked".into()
                } else if l.expires_at <= now {
                    "expired".into()
                } else {
                    "active".into()
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
                    t.role.to_string(),
                    t.last_used_at.map(|at| when(at, &tz)).unwrap_or_else(|| "never".into()),
                )
            })
            .collect(),
        guide: shown.guide_text.unwrap_or_else(|| serde_json::to_string_pretty(&guide.guide).unwrap_or_default()),
        guide_version: guide.version,
        guide_form,
        roles: vec!["owner", "admin", "manager", "creator", "reviewer", "viewer"],
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
        Ok(()) => draw(&s.app, member, ws, Shown::ok("The style guide is saved; preflight uses it from now on."), &headers).await,
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
            [day, time] => Ok(SlotText { weekday: day.to_owned(), time: time.to_owned() }),
            _ => Err(format!("`{t}`: write a day and a time, like “mon 09:00”")),
        })
        .collect()
}

/// A channel's posting options, said: "unlisted · content warning “…”".
fn options_said(options: &serde_json::Value) -> String {
    let visibility = match options["visibility"].as_str() {
        Some("unlisted") => Some("quiet public".to_owned()),
        Some("private") => Some("followers only".to_owned()),
        Some(other) => Some(other.to_owned()),
        None => None,
    };
    let warning = options["content_warning"].as_str().map(|w| format!("content warning “{w}”"));
    visibility.into_iter().chain(warning).collect::<Vec<_>>().join(" · ")
}

/// Posting times as a person reads and types them.
fn slots_typed(slots: &[SlotText]) -> String {
    slots.iter().map(|s| format!("{} {}", s.weekday.get(..3).unwrap_or(&s.weekday), s.time)).collect::<Vec<_>>().join(", ")
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
    let id_of = |s: &str| s.parse::<UserId>().map_err(|_| Error::field("user", "choose a member"));
    Ok(match (section, f.action.as_str()) {
        ("members", "add") => {
            let m = workspaces::add_member(app, c, ws, workspaces::NewMember { email: f.email.clone(), role: f.role.clone() }).await?;
            Done::Said(format!("{} is now a {} here.", m.name, m.role))
        }
        ("members", "role") => {
            workspaces::set_role(app, c, ws, id_of(&f.id)?, &f.role).await?;
            Done::Said("Role changed.".into())
        }
        ("members", "remove") => {
            workspaces::remove_member(app, c, ws, id_of(&f.id)?).await?;
            Done::Said("Member removed.".into())
        }
        ("groups", "create") => {
            workspaces::create_group(app, c, ws, workspaces::NewGroup { name: f.name.clone(), member_ids: Vec::new() }).await?;
            Done::Said(format!("Group {} created.", f.name.trim()))
        }
        ("groups", "join" | "leave") => {
            let group: GroupId = f.id.parse().map_err(|_| Error::field("group", "choose a group"))?;
            workspaces::set_group_membership(app, c, ws, group, id_of(&f.user)?, f.action == "join").await?;
            Done::Said("Group changed.".into())
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
            Done::Said("Channel added.".into())
        }
        ("channels", "connect") => {
            let channel: ChannelId = f.id.parse().map_err(|_| Error::field("channel", "choose a channel"))?;
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
                Some(secret) => Done::Once("Connected. The signing secret its receiver checks (shown this once):".into(), secret),
                None => Done::Said(format!("Connected as {}.", made.target.unwrap_or_default())),
            }
        }
        ("channels", "authorize") => {
            let channel: ChannelId = f.id.parse().map_err(|_| Error::field("channel", "choose a channel"))?;
            let choices = channel_auth::Choices {
                visibility: Some(f.visibility.clone()).filter(|v| !v.is_empty()),
                content_warning: Some(f.content_warning.clone()).filter(|v| !v.trim().is_empty()),
            };
            let started = channel_auth::start(app, c, ws, channel, &f.instance, choices).await?;
            let host = reqwest_host(&f.instance);
            Done::Go(
                format!("Greenlight is registered at {host}. Sign in there and allow it to post:"),
                started.authorize_url,
                started.cookie,
            )
        }
        ("channels", "slots") => {
            let channel: ChannelId = f.id.parse().map_err(|_| Error::field("channel", "choose a channel"))?;
            let typed = slot_texts(&f.slots).map_err(|why| Error::field("slots", why))?;
            let set = planning::set_slots(app, c, ws, channel, typed).await?;
            Done::Said(if set.is_empty() { "Posting times cleared.".into() } else { format!("{} posting time(s) saved.", set.len()) })
        }
        ("channels", "disconnect") => {
            let channel: ChannelId = f.id.parse().map_err(|_| Error::field("channel", "choose a channel"))?;
            publishing::disconnect(app, c, ws, channel).await?;
            Done::Said("Disconnected: its credentials are deleted.".into())
        }
        ("planning", "campaign") => {
            let input = planning::NewCampaign { name: f.name.clone(), colour: f.colour.clone(), starts_on: None, ends_on: None };
            planning::create_campaign(app, c, ws, input).await?;
            Done::Said("Campaign added.".into())
        }
        ("planning", "label") => {
            let kind = if f.kind == "pillar" { "pillar" } else { "label" };
            planning::create_label(app, c, ws, planning::NewLabel { name: f.name.clone(), kind: kind.into(), colour: "#6b7280".into() })
                .await?;
            Done::Said("Label added.".into())
        }
        ("links", "create") => {
            let campaign_id = f.campaign.parse().map_err(|_| Error::field("campaign", "choose a campaign"))?;
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
                Some(path) => Done::Once("The link (shown this once):".into(), app.url(&path)),
                None => Done::Said("Link created.".into()),
            }
        }
        ("links", "revoke") => {
            let id: ShareLinkId = f.id.parse().map_err(|_| Error::field("link", "choose a link"))?;
            share_links::revoke(app, c, ws, id).await?;
            Done::Said("Link revoked: it stops working at once.".into())
        }
        ("links", "reissue") => {
            let id: ShareLinkId = f.id.parse().map_err(|_| Error::field("link", "choose a link"))?;
            let made = share_links::reissue(app, c, ws, id).await?;
            match (made.path, made.sent_to) {
                (Some(path), _) => Done::Once("The new link (the old one stopped working):".into(), app.url(&path)),
                (None, Some(to)) => Done::Said(format!("A new link was emailed to {to}.")),
                (None, None) => Done::Said("A new link was made.".into()),
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
            Done::Said("Your notification choices are saved.".into())
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
                Some(secret) => Done::Once("The signing secret (shown this once):".into(), secret),
                None => Done::Said("Webhook added.".into()),
            }
        }
        ("webhooks", "redeliver") => {
            let hook = f.id.parse().map_err(|_| Error::field("webhook", "choose a webhook"))?;
            let delivery = f.delivery.parse().map_err(|_| Error::field("delivery", "choose a delivery"))?;
            webhooks::redeliver(app, c, ws, hook, delivery).await?;
            Done::Said("Sent again; it shows below once it is through.".into())
        }
        ("tokens", "create") => {
            let made = accounts::create_token(app, c, ws, None, accounts::NewToken { name: f.name.clone(), role: f.role.clone() }).await?;
            Done::Once("The token (shown this once; keep it like a password):".into(), made.secret)
        }
        ("tokens", "revoke") => {
            let id: TokenId = f.id.parse().map_err(|_| Error::field("token", "choose a token"))?;
            accounts::revoke_token(app, c, ws, id).await?;
            Done::Said("Token revoked.".into())
        }
        ("guide", "save") => {
            let guide: StyleGuide = serde_json::from_str(&f.guide).map_err(|e| Error::field("guide", format!("not a style guide: {e}")))?;
            preflight::save_style_guide(app, c, ws, f.version.parse().ok(), guide).await?;
            Done::Said("The style guide is saved; preflight uses it from now on.".into())
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
            draw(&s.app, member, ws, Shown::ok(format!("Connected as {}.", made.target.unwrap_or_default())), &headers).await?
        }
        Err(e) => return Err(PageError::new(e, &headers)),
    };
    Ok((jar, page).into_response())
}
