//! Demo data: a hospital marketing team and an agency with two clients,
//! so a newcomer sees a living system. Seeded through the same use cases
//! as real work, so the demo's history verifies like any other.

use std::{collections::BTreeSet, io::Cursor};

use greenlight_domain::{
    content::{Content, MediaUse, Variant},
    id::{ChannelId, GroupId, LabelId, MediaId, PostId, UserId, WorkspaceId},
    preflight::StyleGuide,
    workflow::{Condition, Principal, ReviewStatus, Verdict},
};
use jiff::{ToSpan, tz::TimeZone};
use sha2::{Digest, Sha256};

use crate::{
    App, Caller,
    accounts::{self, NewUser},
    error::{Error, Result},
    media::{self, Upload},
    planning::{self, NewCampaign, NewChannel, NewLabel},
    posts::{self, NewPost},
    preflight,
    publishing::{self, PostedByHand},
    reviews::{self, DecisionRequest},
    workflows::{self, NewWorkflow, RouteInput},
    workspaces::{self, NewGroup, NewMember, NewWorkspace},
};

mod history;

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
    /// Posts with this label take the high-stakes route.
    sensitive: Option<LabelId>,
    /// The picture every post shows (Instagram publishes nothing without one).
    picture: MediaId,
}

/// A picture for a team's posts, drawn here so the demo needs no files: a
/// square gradient in the team's colour, as a JPEG (which every network takes).
async fn draw_picture(app: &App, ws: WorkspaceId, by: &Caller, colour: [u8; 3]) -> Result<MediaId> {
    let img = image::RgbImage::from_fn(1080, 1080, |x, y| {
        let shade = |c: u8| (u32::from(c) * (1080 + x + y) / 3240) as u8;
        image::Rgb([shade(colour[0]), shade(colour[1]), shade(colour[2])])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Jpeg).map_err(Error::internal)?;
    tokio::fs::create_dir_all(&app.settings.scratch_dir).await.map_err(Error::internal)?;
    let path = app.settings.scratch_dir.join(format!("demo-{ws}.jpg"));
    tokio::fs::write(&path, &bytes).await.map_err(Error::internal)?;
    let upload =
        Upload { path: path.clone(), filename: "demo-picture.jpg".into(), size: bytes.len() as u64, sha256: Sha256::digest(&bytes).into() };
    let stored = media::store_upload(app, by, ws, upload).await;
    let _ = tokio::fs::remove_file(&path).await;
    Ok(stored?.id)
}

/// The hospital's style guide: what its brand book says, for preflight.
fn hospital_guide() -> Result<StyleGuide> {
    let guide = serde_json::json!({
        "banned": [
            {"phrase": "cure", "replacement": "treat", "reason": "we never promise outcomes"},
            {"phrase": "miracle", "reason": "medical claims need evidence"}
        ],
        "terms": [{"preferred": "health care", "avoid": ["healthcare"]}],
        "max_exclamations": {"max": 2},
        "all_caps": {},
        "utm": {"utm_source": "{network}", "utm_medium": "social", "utm_campaign": "{campaign}"}
    });
    serde_json::from_value(guide).map_err(Error::internal)
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

async fn group(app: &App, ws: WorkspaceId, name: &str, members: Vec<UserId>) -> Result<GroupId> {
    Ok(workspaces::create_group(app, &Caller::cli(), ws, NewGroup { name: name.into(), member_ids: members }).await?.id)
}

/// A workflow from a built-in template (its groups exist by now).
async fn workflow(app: &App, ws: WorkspaceId, name: &str, template: &str, is_default: bool) -> Result<greenlight_domain::id::WorkflowId> {
    let input = NewWorkflow { name: name.into(), definition: None, template: Some(template.into()), is_default };
    Ok(workflows::create_workflow(app, &Caller::cli(), ws, input).await?.id)
}

async fn channels(app: &App, ws: WorkspaceId, list: &[(&str, &str, &str)]) -> Result<Vec<ChannelId>> {
    let mut ids = Vec::new();
    for (network, handle, name) in list {
        let input = NewChannel { network: (*network).into(), handle: (*handle).into(), display_name: (*name).into(), text_limit: None };
        ids.push(planning::create_channel(app, &Caller::cli(), ws, input).await?.id);
    }
    Ok(ids)
}

/// Seeds the demo unless it is there already.
pub async fn seed(app: &App) -> Result<Seeded> {
    seed_with_history(app, history::DAYS).await
}

/// The demo with `days` of review history (tests take a shorter one).
pub async fn seed_with_history(app: &App, days: i64) -> Result<Seeded> {
    if accounts::user_by_email(app, ADMIN_EMAIL).await.is_ok() {
        return Ok(Seeded::AlreadyThere);
    }
    // The teams are set up, and their history made, on a clock that starts
    // before the history and moves with it; today's posts on the real one.
    let today = app.now();
    let clock = std::sync::Arc::new(crate::clock::ManualClock::new(
        today.checked_sub(jiff::SignedDuration::from_hours(24 * (days + 1))).unwrap_or(today),
    ));
    let past = App { clock: clock.clone(), ..app.clone() };
    let (real, app) = (app, &past);
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
    let mut hospital_owner = None;
    for (email, name, role) in people {
        let u = user(app, email, name, false).await?;
        match role {
            "creator" => hospital_writers.push(u),
            "owner" => hospital_owner = Some(u.0),
            _ => {}
        }
    }
    let hospital = workspace(app, "Riverside Hospital Marketing", "America/Chicago", people[0].0).await?;
    for (email, _, role) in &people[1..] {
        member(app, hospital, email, role).await?;
    }
    let users = workspaces::members(app, &Caller::cli(), hospital).await?;
    let ids = |emails: &[&str]| users.iter().filter(|m| emails.contains(&m.email.as_str())).map(|m| m.user_id).collect::<Vec<_>>();
    let cli = Caller::cli();
    group(app, hospital, "QA volunteers", ids(&["rita@riverside.test", "chen@riverside.test"])).await?;
    group(app, hospital, "Legal", ids(&["lena@riverside.test"])).await?;
    workflow(app, hospital, "Hospital flow", "hospital", true).await?;
    let high_stakes = workflow(app, hospital, "High stakes", "high-stakes", false).await?;
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
    let mut sensitive = None;
    for (name, kind) in [("sensitive", "label"), ("repurposed", "label"), ("Patient stories", "pillar"), ("Service lines", "pillar")] {
        let label =
            planning::create_label(app, &cli, hospital, NewLabel { name: name.into(), kind: kind.into(), colour: "#6b7280".into() })
                .await?;
        if name == "sensitive" {
            sensitive = Some(label.id);
        }
    }
    let route = RouteInput {
        priority: 10,
        workflow_id: high_stakes,
        when: Condition { labels: sensitive.into_iter().collect(), ..Condition::default() },
    };
    workflows::set_routes(app, &cli, hospital, vec![route]).await?;
    let owner = hospital_owner.ok_or_else(|| Error::Internal("demo owner".into()))?;
    preflight::save_style_guide(app, &owner, hospital, Some(0), hospital_guide()?).await?;
    let picture = draw_picture(app, hospital, &hospital_writers[0].0, [46, 160, 120]).await?;
    let hospital_team =
        Team { ws: hospital, zone: "America/Chicago", writers: hospital_writers, channels: hospital_channels, sensitive, picture };

    // The agency: its staff in both client workspaces, each client's point person as reviewer.
    let staff = [
        ("anders@brightside.test", "Anders Owner", "owner"),
        ("amira@brightside.test", "Amira Account-Exec", "manager"),
        ("cole@brightside.test", "Cole Copywriter", "creator"),
        ("piper@brightside.test", "Piper Copywriter", "creator"),
        ("sam@brightside.test", "Sam Social", "admin"),
    ];
    let mut agency_writers = Vec::new();
    let mut staff_ids = Vec::new();
    for (email, name, role) in staff {
        let u = user(app, email, name, false).await?;
        staff_ids.push(u.1);
        if role == "creator" {
            agency_writers.push(u);
        }
    }
    let mut teams = vec![hospital_team];
    // Copywriters check each other's copy; Amira is the account executive,
    // Anders the department head a client may bring in, Sam the recruiting lead.
    let [anders, amira, cole, piper, sam] = staff_ids[..] else { return Err(crate::Error::Internal("demo staff".into())) };
    for (client, zone, point, handle, template) in [
        ("Harbor Coffee", "Europe/London", ("hana@harborcoffee.test", "Hana Harbor"), "harborcoffee", "agency-marketing"),
        ("Summit Recruiting", "America/New_York", ("sid@summitrecruiting.test", "Sid Summit"), "summitrecruiting", "agency-recruitment"),
    ] {
        let ws = workspace(app, &format!("Brightside · {client}"), zone, staff[0].0).await?;
        for (email, _, role) in &staff[1..] {
            member(app, ws, email, role).await?;
        }
        let (_, point_id) = user(app, point.0, point.1, false).await?;
        member(app, ws, point.0, "reviewer").await?;
        group(app, ws, "Copywriters", vec![cole, piper]).await?;
        group(app, ws, "Account executives", vec![amira]).await?;
        group(app, ws, "Client point people", vec![point_id]).await?;
        group(app, ws, "Department heads", vec![anders]).await?;
        group(app, ws, "Recruiting leads", vec![sam]).await?;
        workflow(app, ws, "Client sign-off", template, true).await?;
        let chans = channels(app, ws, &[("instagram", handle, client), ("linkedin", handle, client), ("x", handle, client)]).await?;
        let input = NewCampaign { name: "Winter launch".into(), colour: "#2563eb".into(), starts_on: None, ends_on: None };
        planning::create_campaign(app, &cli, ws, input).await?;
        planning::create_label(app, &cli, ws, NewLabel { name: "launch".into(), kind: "label".into(), colour: "#2563eb".into() }).await?;
        let picture = draw_picture(app, ws, &agency_writers[0].0, [37, 99, 235]).await?;
        teams.push(Team { ws, zone, writers: agency_writers.clone(), channels: chans, sensitive: None, picture });
    }

    history::seed(app, &clock, &teams, days, today).await?;
    for team in &teams {
        seed_posts(real, team).await?;
    }
    Ok(Seeded::Created)
}

/// The demo picture's alt text.
const PICTURE_ALT: &str = "A square gradient in the team's colours, the demo's picture";

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

/// How far a demo post has come.
#[derive(Clone, Copy)]
enum Walk {
    Draft,
    /// Submitted, with this many stages approved.
    InReview(usize),
    ChangesRequested,
    Approved,
    Scheduled,
    Published,
}

/// A month of posts around today, each taken as far as its walk says
/// through the real review: every approval is a decision of someone asked.
async fn seed_posts(app: &App, team: &Team) -> Result<()> {
    let zone = TimeZone::get(team.zone).unwrap_or(TimeZone::UTC);
    let today = app.now().to_zoned(zone).date();
    let walks = [Walk::Draft, Walk::InReview(0), Walk::InReview(1), Walk::ChangesRequested, Walk::Approved, Walk::Scheduled];
    for i in 0..12_i64 {
        let (caller, _) = &team.writers[i as usize % team.writers.len()];
        let day = today.checked_add((i * 5 / 2 - 6).days()).unwrap_or(today);
        let hour = [9, 12, 17][i as usize % 3];
        let planned = format!("{day}T{hour:02}:00[{}]", team.zone);
        let text = IDEAS[i as usize % IDEAS.len()];
        let channels: Vec<ChannelId> = team.channels.iter().copied().take(1 + i as usize % team.channels.len()).collect();
        let media = vec![MediaUse { media_id: team.picture, alt_text: Some(PICTURE_ALT.into()) }];
        let mut content = Content { text: text.into(), media, ..Content::default() };
        if let Some(first) = channels.first().filter(|_| i % 4 == 1) {
            content.variants.insert(*first, Variant { text: Some(format!("{text} #health")), ..Variant::default() });
        }
        let input = NewPost {
            title: text.split_terminator(['.', ':', '!']).next().unwrap_or(text).chars().take(60).collect(),
            brief: "Seeded by the demo.".into(),
            campaign_id: None,
            label_ids: team.sensitive.filter(|_| i == 10).into_iter().collect(),
            channel_ids: channels,
            planned_at: Some(planned),
            content,
            repurposed: false,
        };
        let saved = posts::create_post(app, caller, team.ws, input).await?;
        if i % 3 == 0 {
            let edited = Content { text: format!("{text} Learn more on our website."), ..saved.revision.content.clone() };
            posts::save_revision(app, caller, team.ws, saved.post.id, Some(saved.post.version), edited).await?;
        }
        // Past posts were published; future ones are at every earlier step.
        let walk = if day < today { Walk::Published } else { walks[i as usize % walks.len()] };
        take(app, caller, team.ws, saved.post.id, walk).await?;
    }
    Ok(())
}

async fn take(app: &App, owner: &Caller, ws: WorkspaceId, post: PostId, walk: Walk) -> Result<()> {
    if matches!(walk, Walk::Draft) {
        return Ok(());
    }
    reviews::submit(app, owner, ws, post, reviews::SubmitInput::default()).await?;
    match walk {
        Walk::Draft => {}
        Walk::InReview(stages) => approve(app, ws, post, Some(stages)).await?,
        Walk::ChangesRequested => {
            let view = reviews::review(app, &Caller::cli(), ws, post).await?;
            if let Some(Principal::User(by)) = view.waiting_for.iter().next() {
                let input = DecisionRequest {
                    verdict: Verdict::RequestChanges,
                    revision: view.current_revision,
                    comment: Some("Can we make the first line shorter?".into()),
                    checklist: BTreeSet::new(),
                    lane: None,
                    reason: None,
                };
                reviews::decide(app, &Caller::session(*by, false), ws, post, input).await?;
            }
        }
        Walk::Approved => approve(app, ws, post, None).await?,
        Walk::Scheduled | Walk::Published => {
            approve(app, ws, post, None).await?;
            let approved = posts::post(app, owner, ws, post).await?;
            let scheduled = posts::schedule(app, owner, ws, post, Some(approved.version), true).await?;
            // The demo's channels have no accounts behind them: what went
            // out in the past was posted by hand, at its planned time.
            if let (Walk::Published, Some(planned)) = (walk, scheduled.planned) {
                for channel in scheduled.channel_ids {
                    let by_hand = PostedByHand { url: None, at: Some(planned.at) };
                    publishing::posted_by_hand(app, owner, ws, post, channel, by_hand).await?;
                }
            }
        }
    }
    Ok(())
}

/// Approves stage after stage (at most `limit`), each lane by the first
/// member it asks, with the stage's checklist ticked.
async fn approve(app: &App, ws: WorkspaceId, post: PostId, limit: Option<usize>) -> Result<()> {
    let cli = Caller::cli();
    for _ in 0..limit.unwrap_or(usize::MAX) {
        let view = reviews::review(app, &cli, ws, post).await?;
        let run = &view.record.run;
        let Some(i) = run.active_stage().filter(|_| run.status == ReviewStatus::Active) else { return Ok(()) };
        let workflow = workflows::workflow(app, &cli, ws, view.record.workflow_id, Some(view.record.workflow_version)).await?;
        let checklist = workflow.definition.stages[i].manual_items();
        for lane in &run.stages[i].lanes {
            let members = lane.asked.iter().filter_map(|p| if let Principal::User(u) = p { Some(*u) } else { None });
            for by in members.take(lane.needed as usize) {
                let input = DecisionRequest {
                    verdict: Verdict::Approve,
                    revision: view.current_revision,
                    comment: None,
                    checklist: checklist.clone(),
                    lane: Some(lane.key.clone()),
                    reason: None,
                };
                reviews::decide(app, &Caller::session(by, false), ws, post, input).await?;
            }
        }
    }
    Ok(())
}
