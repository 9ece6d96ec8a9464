//! Demo data: a hospital marketing team and an agency with two clients,
//! so a newcomer sees a living system. Seeded through the same use cases
//! as real work, so the demo's history verifies like any other.

use greenlight_domain::{
    content::{Content, Variant},
    id::{ChannelId, UserId, WorkspaceId},
    post::PostEvent,
};
use jiff::{ToSpan, tz::TimeZone};

use crate::{
    App, Caller,
    accounts::{self, NewUser},
    error::Result,
    planning::{self, NewCampaign, NewChannel, NewLabel},
    posts::{self, NewPost},
    workspaces::{self, NewMember, NewWorkspace},
};

pub const ADMIN_EMAIL: &str = "admin@greenlight.test";
pub const PASSWORD: &str = "greenlight-demo";

pub enum Seeded {
    Created,
    AlreadyThere,
}

struct Team {
    ws: WorkspaceId,
    zone: &'static str,
    /// (caller, user id) of the people who write posts.
    writers: Vec<(Caller, UserId)>,
    channels: Vec<ChannelId>,
}

async fn user(app: &App, email: &str, name: &str, is_admin: bool) -> Result<(Caller, UserId)> {
    let input = NewUser { email: email.into(), name: name.into(), password: PASSWORD.into(), is_admin };
    let user = accounts::create_user(app, &Caller::cli(), input).await?;
    Ok((Caller::session(user.id, is_admin), user.id))
}

async fn member(app: &App, ws: WorkspaceId, email: &str, role: &str) -> Result<()> {
    workspaces::add_member(app, &Caller::cli(), ws, NewMember { email: email.into(), role: role.into() }).await?;
    Ok(())
}

async fn workspace(app: &App, name: &str, zone: &'static str, owner: &str) -> Result<WorkspaceId> {
    let input = NewWorkspace { name: name.into(), time_zone: zone.into(), owner_email: Some(owner.into()) };
    Ok(workspaces::create_workspace(app, &Caller::cli(), input).await?.id)
}

async fn channels(app: &App, ws: WorkspaceId, list: &[(&str, &str, &str)]) -> Result<Vec<ChannelId>> {
    let mut ids = Vec::new();
    for (network, handle, name) in list {
        let input = NewChannel { network: (*network).into(), handle: (*handle).into(), display_name: (*name).into() };
        ids.push(planning::create_channel(app, &Caller::cli(), ws, input).await?.id);
    }
    Ok(ids)
}

/// Seeds the demo unless it is there already.
pub async fn seed(app: &App) -> Result<Seeded> {
    if accounts::user_by_email(app, ADMIN_EMAIL).await.is_ok() {
        return Ok(Seeded::AlreadyThere);
    }
    user(app, ADMIN_EMAIL, "Avery Admin", true).await?;

    // The hospital: a small team with a pool of QA volunteers and legal review.
    let people = [
        ("olivia@riverside.test", "Olivia Owens", "owner"),
        ("hank@riverside.test", "Hank Admin", "admin"),
        ("maya@riverside.test", "Maya Manager", "manager"),
        ("carlos@riverside.test", "Carlos Creator", "creator"),
        ("chen@riverside.test", "Chen Creator", "creator"),
        ("rita@riverside.test", "Rita Reviewer", "reviewer"),
        ("lena@riverside.test", "Lena Legal", "reviewer"),
        ("victor@riverside.test", "Victor Viewer", "viewer"),
    ];
    let mut hospital_writers = Vec::new();
    for (email, name, role) in people {
        let u = user(app, email, name, false).await?;
        if role == "creator" {
            hospital_writers.push(u);
        }
    }
    let hospital = workspace(app, "Riverside Hospital Marketing", "America/Chicago", people[0].0).await?;
    for (email, _, role) in &people[1..] {
        member(app, hospital, email, role).await?;
    }
    let users = workspaces::members(app, &Caller::cli(), hospital).await?;
    let ids = |emails: &[&str]| users.iter().filter(|m| emails.contains(&m.email.as_str())).map(|m| m.user_id).collect::<Vec<_>>();
    let cli = Caller::cli();
    workspaces::create_group(
        app,
        &cli,
        hospital,
        workspaces::NewGroup { name: "QA volunteers".into(), member_ids: ids(&["rita@riverside.test", "chen@riverside.test"]) },
    )
    .await?;
    workspaces::create_group(app, &cli, hospital, workspaces::NewGroup { name: "Legal".into(), member_ids: ids(&["lena@riverside.test"]) })
        .await?;
    let hospital_channels = channels(
        app,
        hospital,
        &[
            ("facebook", "riversidehealth", "Riverside Health"),
            ("instagram", "riversidehealth", "Riverside Health"),
            ("linkedin", "riverside-health", "Riverside Health"),
            ("bluesky", "riversidehealth.bsky.social", "Riverside Health"),
        ],
    )
    .await?;
    for (name, colour, starts, ends) in
        [("Flu season", "#1a7f5a", "2026-10-01", "2027-02-28"), ("Heart month", "#c0392b", "2027-02-01", "2027-02-28")]
    {
        let input = NewCampaign { name: name.into(), colour: colour.into(), starts_on: Some(starts.into()), ends_on: Some(ends.into()) };
        planning::create_campaign(app, &cli, hospital, input).await?;
    }
    for (name, kind) in [("sensitive", "label"), ("repurposed", "label"), ("Patient stories", "pillar"), ("Service lines", "pillar")] {
        planning::create_label(app, &cli, hospital, NewLabel { name: name.into(), kind: kind.into(), colour: "#6b7280".into() }).await?;
    }
    let hospital_team = Team { ws: hospital, zone: "America/Chicago", writers: hospital_writers, channels: hospital_channels };

    // The agency: its staff in both client workspaces, each client's point person as reviewer.
    let staff = [
        ("anders@brightside.test", "Anders Owner", "owner"),
        ("amira@brightside.test", "Amira Account-Exec", "manager"),
        ("cole@brightside.test", "Cole Copywriter", "creator"),
        ("sam@brightside.test", "Sam Social", "admin"),
    ];
    let mut agency_writers = Vec::new();
    for (email, name, role) in staff {
        let u = user(app, email, name, false).await?;
        if role == "creator" {
            agency_writers.push(u);
        }
    }
    let mut teams = vec![hospital_team];
    for (client, zone, point, handle) in [
        ("Harbor Coffee", "Europe/London", ("hana@harborcoffee.test", "Hana Harbor"), "harborcoffee"),
        ("Summit Recruiting", "America/New_York", ("sid@summitrecruiting.test", "Sid Summit"), "summitrecruiting"),
    ] {
        let ws = workspace(app, &format!("Brightside · {client}"), zone, staff[0].0).await?;
        for (email, _, role) in &staff[1..] {
            member(app, ws, email, role).await?;
        }
        user(app, point.0, point.1, false).await?;
        member(app, ws, point.0, "reviewer").await?;
        let chans = channels(app, ws, &[("instagram", handle, client), ("linkedin", handle, client), ("x", handle, client)]).await?;
        let input = NewCampaign { name: "Winter launch".into(), colour: "#2563eb".into(), starts_on: None, ends_on: None };
        planning::create_campaign(app, &cli, ws, input).await?;
        planning::create_label(app, &cli, ws, NewLabel { name: "launch".into(), kind: "label".into(), colour: "#2563eb".into() }).await?;
        teams.push(Team { ws, zone, writers: agency_writers.clone(), channels: chans });
    }

    for team in &teams {
        seed_posts(app, team).await?;
    }
    Ok(Seeded::Created)
}

const IDEAS: &[&str] = &[
    "Flu shots are free at every Riverside clinic this week. No appointment needed.",
    "Meet the night shift: the nurses who keep the emergency department running.",
    "Five small habits for a healthier heart, from our cardiology team.",
    "We are hiring! Join a team that puts people first.",
    "New seasonal menu: the maple oat latte is back.",
    "Behind the scenes: how we roast our single-origin beans.",
    "Ask an expert: what to expect at your first physical therapy visit.",
    "Thank you to our volunteers for 10,000 hours of service this year.",
];

/// A month of posts around today, walked through the state machine to
/// every state the foundation knows.
async fn seed_posts(app: &App, team: &Team) -> Result<()> {
    let zone = TimeZone::get(team.zone).unwrap_or(TimeZone::UTC);
    let today = app.now().to_zoned(zone).date();
    let paths: &[&[PostEvent]] = &[
        &[],
        &[PostEvent::Submit],
        &[PostEvent::Submit, PostEvent::RequestChanges],
        &[PostEvent::Submit, PostEvent::Approve],
        &[PostEvent::Submit, PostEvent::Approve, PostEvent::Schedule],
        &[PostEvent::Submit, PostEvent::Approve, PostEvent::Schedule, PostEvent::StartPublishing, PostEvent::Published],
    ];
    for i in 0..12_i64 {
        let (caller, _) = &team.writers[i as usize % team.writers.len()];
        let day = today.checked_add((i * 5 / 2 - 6).days()).unwrap_or(today);
        let hour = [9, 12, 17][i as usize % 3];
        let planned = format!("{day}T{hour:02}:00[{}]", team.zone);
        let text = IDEAS[i as usize % IDEAS.len()];
        let channels: Vec<ChannelId> = team.channels.iter().copied().take(1 + i as usize % team.channels.len()).collect();
        let mut content = Content { text: text.into(), ..Content::default() };
        if let Some(first) = channels.first().filter(|_| i % 4 == 1) {
            content.variants.insert(*first, Variant { text: Some(format!("{text} #health")), ..Variant::default() });
        }
        let input = NewPost {
            title: text.split_terminator(['.', ':', '!']).next().unwrap_or(text).chars().take(60).collect(),
            brief: "Seeded by the demo.".into(),
            campaign_id: None,
            label_ids: Vec::new(),
            channel_ids: channels,
            planned_at: Some(planned),
            content,
        };
        let saved = posts::create_post(app, caller, team.ws, input).await?;
        if i % 3 == 0 {
            let edited = Content { text: format!("{text} Learn more on our website."), ..saved.revision.content.clone() };
            posts::save_revision(app, caller, team.ws, saved.post.id, Some(saved.post.version), edited).await?;
        }
        // Past posts were published; future ones are at every earlier step.
        let path = if day < today { paths[paths.len() - 1] } else { paths[i as usize % (paths.len() - 1)] };
        for event in path {
            posts::apply_event(app, &Caller::system(), team.ws, saved.post.id, *event).await?;
        }
    }
    Ok(())
}
