//! Ninety days of review history, so workflow analytics have something to
//! show on first start: most posts pass quickly, some wait days at the
//! client, some go back for changes (with the team's reasons) a round or
//! two, a few are rejected, and the latest ones still wait. Every step is
//! a real use case at its own time on a clock that the seeding moves, so
//! the history is in the audit log like any other, hash chain and all.

use std::collections::BTreeSet;

use greenlight_domain::{
    Timestamp,
    analytics::WorkflowSettings,
    content::{Content, MediaUse},
    id::PostId,
    post::PostState,
    workflow::{Principal, ReviewStatus, Verdict},
};
use jiff::{SignedDuration, ToSpan, tz::TimeZone};
use rand::{RngExt as _, SeedableRng as _, rngs::StdRng};

use super::{Team, approve};
use crate::{
    App, Caller,
    clock::{Clock as _, ManualClock},
    error::Result,
    posts::{self, NewPost},
    publishing::{self, PostedByHand},
    reviews::{self, DecisionRequest},
};

/// How many days of history the demo has.
pub const DAYS: i64 = 90;
/// The reasons each demo workspace gives its decisions.
const REASONS: [&str; 4] = ["Tone", "Legal claim", "Wrong image", "Typo"];

/// One thing that happens to a history post.
#[derive(Clone, Copy)]
enum Step {
    Create,
    Submit,
    /// Every lane of the stage the review waits at approves.
    ApproveStage,
    /// The first person asked wants changes, for this reason.
    AskChanges(usize),
    /// The owner fixes it and resubmits.
    Revise,
    Reject(usize),
    /// Approved ahead of its time: scheduled, then posted (by hand, as the
    /// demo's channels have no accounts) at its planned time.
    Schedule,
    PostedByHand,
}

struct Event {
    at: Timestamp,
    team: usize,
    post: usize,
    step: Step,
}

/// What a post's life looks like, decided up front.
struct Life {
    team: usize,
    planned: Timestamp,
    steps: Vec<(Timestamp, Step)>,
}

/// A working-hours time `hours` after `from`, skipping nights and weekends
/// roughly as a team does.
fn later(from: Timestamp, hours: i64, zone: &TimeZone) -> Timestamp {
    let mut at = from.to_zoned(zone.clone());
    let mut left = hours * 60;
    while left > 0 {
        let step = left.min(60);
        at = at.checked_add(step.minutes()).unwrap_or(at);
        let weekend = at.weekday().to_monday_one_offset() > 5;
        if weekend || at.hour() >= 17 || at.hour() < 9 {
            continue; // the clock runs, the work waits
        }
        left -= step;
    }
    at.timestamp()
}

fn plan(team: usize, zone: &TimeZone, start: Timestamp, index: u64, rng: &mut StdRng) -> Life {
    let day = start.checked_add(SignedDuration::from_hours(24 * index as i64)).unwrap_or(start);
    let created = later(day, rng.random_range(1..4), zone);
    let mut at = later(created, rng.random_range(1..6), zone);
    let planned = at.checked_add(SignedDuration::from_hours(rng.random_range(48..240))).unwrap_or(at);
    let mut steps = vec![(created, Step::Create), (at, Step::Submit)];
    let stuck_at_client = rng.random_bool(0.15);
    let rounds = if rng.random_bool(0.25) { rng.random_range(1..3) } else { 0 };
    for round in 0..=rounds {
        // Two or three stages; the last is the client's or legal's.
        for stage in 0..3 {
            let wait = if stage == 2 && stuck_at_client { rng.random_range(24..80) } else { rng.random_range(1..10) };
            at = later(at, wait, zone);
            if round < rounds && stage == 1 {
                steps.push((at, Step::AskChanges(rng.random_range(0..REASONS.len()))));
                at = later(at, rng.random_range(2..12), zone);
                steps.push((at, Step::Revise));
                break;
            }
            if round == rounds && stage == 1 && rng.random_bool(0.05) {
                steps.push((at, Step::Reject(rng.random_range(0..REASONS.len()))));
                return Life { team, planned, steps };
            }
            steps.push((at, Step::ApproveStage));
        }
    }
    if at.checked_add(SignedDuration::from_mins(10)).is_ok_and(|done| done < planned) {
        steps.push((at.checked_add(SignedDuration::from_mins(5)).unwrap_or(at), Step::Schedule));
        // A minute before its time: the publisher (which the demo's channels,
        // having no accounts, would fail) finds it done.
        steps.push((planned.checked_sub(SignedDuration::from_mins(1)).unwrap_or(planned), Step::PostedByHand));
    }
    Life { team, planned, steps }
}

/// Seeds the history of every team, from `days` before `until` up to it,
/// moving `clock` (the one `app` reads) from event to event.
pub(super) async fn seed(app: &App, clock: &ManualClock, teams: &[Team], days: i64, until: Timestamp) -> Result<()> {
    let start = until.checked_sub(SignedDuration::from_hours(24 * days)).unwrap_or(until);
    let mut rng = StdRng::seed_from_u64(2026);
    let mut lives = Vec::new();
    for (t, team) in teams.iter().enumerate() {
        let settings = WorkflowSettings { reasons: REASONS.iter().map(|r| (*r).to_owned()).collect(), ..WorkflowSettings::default() };
        crate::analytics::set_settings(app, &Caller::cli(), team.ws, settings).await?;
        let zone = TimeZone::get(team.zone).unwrap_or(TimeZone::UTC);
        // A post a day, every day.
        for i in 0..u64::try_from(days).unwrap_or(0) {
            lives.push(plan(t, &zone, start, i, &mut rng));
        }
    }
    let mut events: Vec<Event> = lives
        .iter()
        .enumerate()
        .flat_map(|(post, life)| life.steps.iter().map(move |(at, step)| Event { at: *at, team: life.team, post, step: *step }))
        .filter(|e| e.at < until)
        .collect();
    events.sort_by_key(|e| (e.at, e.post));
    let mut ids: Vec<Option<PostId>> = vec![None; lives.len()];
    let worker = crate::worker::Worker::new(app.clone(), crate::jobs::Registry::standard(), crate::worker::WorkerSettings::default());
    for e in events {
        let now = clock.now();
        if e.at > now {
            clock.advance(e.at.duration_since(now));
            // Reminders, escalations and planned times act when they fall due.
            worker.drain().await?;
        }
        let team = &teams[e.team];
        let life = &lives[e.post];
        let (owner, _) = &team.writers[e.post % team.writers.len()];
        let id = match (e.step, ids[e.post]) {
            (Step::Create, _) => {
                let text = super::IDEAS[e.post % super::IDEAS.len()];
                let zone = TimeZone::get(team.zone).unwrap_or(TimeZone::UTC);
                let planned = format!("{}[{}]", life.planned.to_zoned(zone).strftime("%Y-%m-%dT%H:%M"), team.zone);
                let input = NewPost {
                    title: text.split_terminator(['.', ':', '!']).next().unwrap_or(text).chars().take(60).collect(),
                    brief: "From the demo's history.".into(),
                    campaign_id: None,
                    label_ids: Vec::new(),
                    channel_ids: team.channels.iter().copied().take(1 + e.post % team.channels.len()).collect(),
                    planned_at: Some(planned),
                    content: Content {
                        text: text.into(),
                        media: vec![MediaUse { media_id: team.picture, alt_text: Some(super::PICTURE_ALT.into()) }],
                        ..Content::default()
                    },
                    repurposed: false,
                };
                ids[e.post] = Some(posts::create_post(app, owner, team.ws, input).await?.post.id);
                continue;
            }
            (_, Some(id)) => id,
            (_, None) => continue,
        };
        match e.step {
            Step::Create => {}
            Step::Submit => {
                reviews::submit(app, owner, team.ws, id, reviews::SubmitInput::default()).await?;
            }
            Step::ApproveStage => approve(app, team.ws, id, Some(1)).await?,
            Step::AskChanges(reason) | Step::Reject(reason) => {
                let view = reviews::review(app, &Caller::cli(), team.ws, id).await?;
                let Some(Principal::User(by)) = view.waiting_for.iter().next().cloned() else { continue };
                let verdict = if matches!(e.step, Step::Reject(_)) { Verdict::Reject } else { Verdict::RequestChanges };
                let input = DecisionRequest {
                    verdict,
                    revision: view.current_revision,
                    comment: Some(format!("{} — please look again.", REASONS[reason])),
                    checklist: BTreeSet::new(),
                    lane: None,
                    reason: Some(REASONS[reason].to_owned()),
                };
                reviews::decide(app, &Caller::session(by, false), team.ws, id, input).await?;
            }
            Step::Revise => {
                let post = posts::post(app, owner, team.ws, id).await?;
                if post.state != PostState::ChangesRequested {
                    continue;
                }
                let current = posts::revisions(app, owner, team.ws, id).await?.into_iter().last();
                let Some(current) = current else { continue };
                let fixed = Content { text: format!("{} (revised)", current.content.text), ..current.content };
                posts::save_revision(app, owner, team.ws, id, Some(post.version), fixed).await?;
                reviews::submit(app, owner, team.ws, id, reviews::SubmitInput::default()).await?;
            }
            Step::Schedule => {
                let view = reviews::review(app, &Caller::cli(), team.ws, id).await?;
                if view.record.run.status != ReviewStatus::Approved {
                    continue;
                }
                let post = posts::post(app, owner, team.ws, id).await?;
                posts::schedule(app, owner, team.ws, id, Some(post.version), true).await?;
            }
            Step::PostedByHand => {
                let post = posts::post(app, owner, team.ws, id).await?;
                if post.state != PostState::Scheduled {
                    continue;
                }
                for channel in post.channel_ids {
                    let by_hand = PostedByHand { url: None, at: None };
                    publishing::posted_by_hand(app, owner, team.ws, id, channel, by_hand).await?;
                }
            }
        }
    }
    worker.drain().await?;
    // What happened before the demo began has been read.
    for team in teams {
        for m in crate::workspaces::members(app, &Caller::cli(), team.ws).await? {
            let caller = Caller::session(m.user_id, false);
            crate::notifications::mark_read(app, &caller, crate::notifications::MarkRead { ids: None }).await?;
        }
    }
    Ok(())
}
