use jiff::{Timestamp, tz::TimeZone};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    facts::{Decider, Outcome, ReviewFacts, StageEnd, fold},
    hours::BusinessHours,
    measures::measure,
};
use crate::{
    audit::{Actor, Chain, Event},
    canonical::Hash,
    id::{EventId, PostId, ReviewId, UserId, WorkspaceId},
};

/// A post's events, as the log holds them (hashes do not matter here).
struct Log {
    post: PostId,
    events: Vec<Event>,
}

impl Log {
    fn new() -> Log {
        Log { post: PostId::from_uuid(Uuid::now_v7()), events: Vec::new() }
    }

    fn add(&mut self, at: &str, by: UserId, action: &str, data: Value) {
        let at: Timestamp = format!("{at}Z").parse().unwrap();
        self.events.push(Event {
            id: EventId::from_uuid(Uuid::now_v7()),
            chain: Chain::Workspace(WorkspaceId::from_uuid(Uuid::nil())),
            seq: self.events.len() as i64 + 1,
            at,
            actor: Actor::User { user_id: by },
            action: action.into(),
            subject_kind: "post".into(),
            subject_id: Some(self.post.uuid()),
            data: data.to_string(),
            prev_hash: Hash::GENESIS,
            hash: Hash::GENESIS,
        });
    }
}

fn waiting(stage: &str, at: &str) -> Value {
    json!({ "waiting_at": stage, "stage_started": format!("{at}Z") })
}

fn facts(log: &Log) -> ReviewFacts {
    let mut all = fold(log.post, &log.events);
    assert_eq!(all.len(), 1);
    let mut facts = all.remove(0);
    facts.measure(&BusinessHours::default(), &TimeZone::UTC);
    facts
}

/// Copy then legal; legal asks for changes on Friday, the second round
/// passes on the Monday after.
fn two_rounds(writer: UserId, copy: UserId, legal: UserId) -> ReviewFacts {
    let review = ReviewId::from_uuid(Uuid::now_v7());
    let mut log = Log::new();
    log.add("2026-11-02T08:00", writer, "post.created", json!({}));
    log.add("2026-11-02T09:00", writer, "review.started", json!({ "review": review, "progress": waiting("copy", "2026-11-02T09:00") }));
    let approve =
        |stage: &str, then: Value| json!({ "review": review, "stage": stage, "lane": "l", "verdict": "approve", "progress": then });
    log.add("2026-11-02T11:00", copy, "review.decided", approve("copy", waiting("legal", "2026-11-02T11:00")));
    log.add(
        "2026-11-06T16:00",
        legal,
        "review.decided",
        json!({ "review": review, "stage": "legal", "lane": "l", "verdict": "request_changes", "reason": "Legal claim",
                "progress": { "outcome": "changes_requested" } }),
    );
    log.add("2026-11-09T10:00", writer, "review.resubmitted", json!({ "review": review, "progress": waiting("copy", "2026-11-09T10:00") }));
    log.add("2026-11-09T10:30", copy, "review.decided", approve("copy", waiting("legal", "2026-11-09T10:30")));
    log.add("2026-11-09T12:30", legal, "review.decided", approve("legal", json!({ "outcome": "approved" })));
    facts(&log)
}

/// Submitted on a Saturday, approved Monday morning.
fn weekend(writer: UserId, copy: UserId) -> ReviewFacts {
    let review = ReviewId::from_uuid(Uuid::now_v7());
    let mut log = Log::new();
    log.add("2026-11-07T09:00", writer, "post.created", json!({}));
    log.add("2026-11-07T10:00", writer, "review.started", json!({ "review": review, "progress": waiting("copy", "2026-11-07T10:00") }));
    log.add(
        "2026-11-09T09:30",
        copy,
        "review.decided",
        json!({ "review": review, "stage": "copy", "lane": "l", "verdict": "approve", "progress": { "outcome": "approved" } }),
    );
    facts(&log)
}

fn users() -> (UserId, UserId, UserId) {
    (UserId::from_uuid(Uuid::now_v7()), UserId::from_uuid(Uuid::now_v7()), UserId::from_uuid(Uuid::now_v7()))
}

#[test]
fn a_review_s_events_fold_into_its_rounds_and_decisions() {
    let (writer, copy, legal) = users();
    let f = two_rounds(writer, copy, legal);
    assert_eq!(f.outcome, Some(Outcome::Approved));
    assert_eq!((f.rounds, f.changes_requested), (2, 1));
    type Round<'a> = (&'a str, u32, Option<StageEnd>, Option<i64>, Option<i64>);
    let rounds: Vec<Round> = f.stages.iter().map(|s| (s.stage.as_str(), s.round, s.end, s.minutes, s.business_minutes)).collect();
    assert_eq!(
        rounds,
        [
            ("copy", 1, Some(StageEnd::Passed), Some(120), Some(120)),
            // Monday 11:00 to Friday 16:00: 4 days 5 hours; in business hours 6 + 3 × 8 + 7.
            ("legal", 1, Some(StageEnd::ChangesRequested), Some(6060), Some(37 * 60)),
            ("copy", 2, Some(StageEnd::Passed), Some(30), Some(30)),
            ("legal", 2, Some(StageEnd::Passed), Some(120), Some(120)),
        ]
    );
    // Monday 09:00 to the next Monday 12:30; the brief an hour earlier.
    assert_eq!((f.cycle_minutes, f.cycle_business_minutes), (Some(7 * 1440 + 210), Some(40 * 60 + 210)));
    assert_eq!((f.brief_minutes, f.brief_business_minutes), (Some(7 * 1440 + 270), Some(40 * 60 + 210)));
    let decisions: Vec<(&Decider, i64, Option<&str>)> = f.decisions.iter().map(|d| (&d.decider, d.minutes, d.reason.as_deref())).collect();
    assert_eq!(
        decisions,
        [
            (&Decider::User(copy), 120, None),
            (&Decider::User(legal), 6060, Some("Legal claim")),
            (&Decider::User(copy), 30, None),
            (&Decider::User(legal), 120, None)
        ]
    );
}

#[test]
fn measures_find_the_bottleneck_and_the_first_pass_rate() {
    let (writer, copy, legal) = users();
    let reviews = [two_rounds(writer, copy, legal), weekend(writer, copy)];
    let name = |d: &Decider| if *d == Decider::User(copy) { "Copy".to_owned() } else { "Legal".to_owned() };
    let m = measure(&reviews, |key| key.to_uppercase(), name, |_| true, |_| true);
    assert_eq!((m.reviews_completed, m.approved, m.rejected), (2, 2, 0));
    assert_eq!(m.first_pass_rate, Some(0.5));
    assert_eq!(m.revision_rounds_mean, Some(1.5));
    // Cycle times 10,290 and 2,850 minutes; in business hours 2,610 and 30.
    assert_eq!((m.cycle_time.median_minutes, m.cycle_time.p90_minutes), (Some(2850), Some(10290)));
    assert_eq!((m.cycle_time.business.median_minutes, m.cycle_time.business.p90_minutes), (Some(30), Some(2610)));
    let stages: Vec<(&str, &str, usize, Option<i64>, i64)> =
        m.stages.iter().map(|s| (s.key.as_str(), s.name.as_str(), s.reviews, s.median_minutes, s.total_business_minutes)).collect();
    assert_eq!(stages, [("copy", "COPY", 3, Some(120), 180), ("legal", "LEGAL", 2, Some(120), 37 * 60 + 120)]);
    assert_eq!(m.bottleneck_stage.as_deref(), Some("legal"));
    assert_eq!(m.bottleneck_approver.as_deref(), Some("Legal"));
    assert_eq!(m.approvers.iter().map(|a| (a.name.as_str(), a.decisions)).collect::<Vec<_>>(), [("Legal", 2), ("Copy", 3)]);
    assert_eq!(m.reasons.len(), 1);
    assert_eq!((m.reasons[0].reason.as_deref(), m.reasons[0].count), (Some("Legal claim"), 1));
    // The control chart in order of approval, the rolling median over both.
    let control: Vec<(i64, i64)> = m.control.iter().map(|c| (c.minutes, c.rolling_median_minutes)).collect();
    assert_eq!(control, [(2850, 2850), (10290, 2850)]);
}

#[test]
fn reasons_and_hours_are_checked_together() {
    let settings = super::WorkflowSettings {
        business_hours: BusinessHours { days: [].into(), ..BusinessHours::default() },
        reasons: vec!["Tone".into(), " tone ".into(), String::new()],
    };
    let fields: Vec<String> = settings.checked().unwrap_err().into_vec().into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["business_hours.days", "reasons.1", "reasons.2"]);
    let fine = super::WorkflowSettings { reasons: vec![" Tone ".into()], ..Default::default() }.checked().unwrap();
    assert_eq!(fine.reason("TONE").as_deref(), Some("Tone"));
    assert_eq!(fine.reason("Typo"), None);
}
