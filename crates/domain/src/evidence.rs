//! What the audit chain attests about the records beside it, and checks of
//! those records against it.
//!
//! The chain proves its own events; a revision's text and a review's
//! decisions live in their own rows, which someone with the database file
//! could change. Every revision's hash and every decision is also written
//! into an event when it is made, so after the chain itself verifies, each
//! row is recomputed and compared with what the chain says of it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    audit::Event,
    canonical::Hash,
    content::Content,
    id::EventId,
    workflow::{Decision, Override},
};

/// A record that disagrees with the chain: what, where, and which event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Mismatch {
    pub post_id: Uuid,
    /// The revision's number, for a revision.
    pub revision: Option<i64>,
    /// The review, for a review's decisions.
    pub review_id: Option<Uuid>,
    /// The event the record was compared with (none: no event names it).
    pub event_id: Option<EventId>,
    pub problem: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "post {}", self.post_id)?;
        if let Some(number) = self.revision {
            write!(f, " revision {number}")?;
        }
        if let Some(review) = self.review_id {
            write!(f, " review {review}")?;
        }
        write!(f, ": {}", self.problem)?;
        match self.event_id {
            Some(event) => write!(f, " (event {event})"),
            None => Ok(()),
        }
    }
}

/// What a revision's or a decision's event recorded.
struct Attested {
    event: EventId,
    data: Value,
}

/// The chain's statements about revisions and reviews, gathered while it
/// is walked (only the events that name them are kept).
#[derive(Default)]
pub struct Evidence {
    /// (post, revision number) → the event that saved it.
    revisions: BTreeMap<(Uuid, i64), Attested>,
    /// review → its `review.decided` events, in order.
    decisions: BTreeMap<Uuid, Vec<Attested>>,
    /// review → its `review.overridden` events, in order.
    overrides: BTreeMap<Uuid, Vec<Attested>>,
}

impl Evidence {
    /// Notes what `event` says about a revision or a review, if anything.
    pub fn observe(&mut self, event: &Event) {
        let (Some(subject), true) = (event.subject_id, event.subject_kind == "post") else { return };
        let Ok(data) = serde_json::from_str::<Value>(&event.data) else { return };
        let attested = |data: Value| Attested { event: event.id, data };
        match event.action.as_str() {
            "post.created" | "post.revision_saved" => {
                if let Some(number) = data["revision"].as_i64() {
                    self.revisions.insert((subject, number), attested(data));
                }
            }
            "review.decided" | "review.overridden" => {
                let Some(review) = data["review"].as_str().and_then(|r| Uuid::parse_str(r).ok()) else { return };
                let list = if event.action == "review.decided" { &mut self.decisions } else { &mut self.overrides };
                list.entry(review).or_default().push(attested(data));
            }
            _ => {}
        }
    }

    /// Recomputes a stored revision's hash from its content and compares it
    /// with the row and with the event that saved it.
    pub fn check_revision(&self, post: Uuid, number: i64, stored_hash: Hash, content: &Content) -> Option<Mismatch> {
        let saved = self.revisions.get(&(post, number));
        let mismatch = |problem: &str| Mismatch {
            post_id: post,
            revision: Some(number),
            review_id: None,
            event_id: saved.map(|s| s.event),
            problem: problem.to_owned(),
        };
        if content.hash() != stored_hash {
            return Some(mismatch("its content does not hash to its stored hash (the revision's content was changed)"));
        }
        let Some(saved) = saved else {
            return Some(mismatch("no event records this revision (it was added outside Greenlight)"));
        };
        if saved.data["content_hash"] != json!(stored_hash) {
            return Some(mismatch("its hash differs from the one its event recorded (the revision was replaced)"));
        }
        None
    }

    /// Compares a review's recorded decisions and overrides with its events,
    /// one by one and in order.
    pub fn check_review(&self, post: Uuid, review: Uuid, decisions: &[Decision], overrides: &[Override]) -> Vec<Mismatch> {
        let mut found = Vec::new();
        let empty = Vec::new();
        let mismatch = |event: Option<EventId>, problem: String| Mismatch {
            post_id: post,
            revision: None,
            review_id: Some(review),
            event_id: event,
            problem,
        };
        let events = self.decisions.get(&review).unwrap_or(&empty);
        for (i, (decision, event)) in decisions.iter().zip(events).enumerate() {
            let d = &event.data;
            let agrees = d["stage"] == json!(decision.stage)
                && d["lane"] == json!(decision.lane)
                && d["verdict"] == json!(decision.verdict)
                && d["content_hash"] == json!(decision.revision)
                && d["for"] == json!(decision.for_whom)
                && d["comment"] == json!(decision.comment)
                && d["checklist"] == json!(decision.checklist)
                && d["carried"].as_bool().unwrap_or(false) == decision.carried;
            if !agrees {
                found.push(mismatch(Some(event.event), format!("decision {} differs from its event (the review was changed)", i + 1)));
            }
        }
        if decisions.len() != events.len() {
            let problem = format!("the review records {} decisions, its events {}", decisions.len(), events.len());
            found.push(mismatch(events.get(decisions.len()).map(|e| e.event), problem));
        }
        let events = self.overrides.get(&review).unwrap_or(&empty);
        for (i, (made, event)) in overrides.iter().zip(events).enumerate() {
            if event.data["stage"] != json!(made.stage) || event.data["reason"] != json!(made.reason.trim()) {
                found.push(mismatch(Some(event.event), format!("override {} differs from its event (the review was changed)", i + 1)));
            }
        }
        if overrides.len() != events.len() {
            let problem = format!("the review records {} overrides, its events {}", overrides.len(), events.len());
            found.push(mismatch(events.get(overrides.len()).map(|e| e.event), problem));
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::{
        audit::{Actor, Chain},
        id::WorkspaceId,
        workflow::{Principal, Verdict},
    };

    fn event(action: &str, post: Uuid, data: Value) -> Event {
        Event {
            id: EventId::from_uuid(Uuid::now_v7()),
            chain: Chain::Workspace(WorkspaceId::from_uuid(Uuid::nil())),
            seq: 1,
            at: jiff::Timestamp::UNIX_EPOCH,
            actor: Actor::System,
            action: action.into(),
            subject_kind: "post".into(),
            subject_id: Some(post),
            data: data.to_string(),
            prev_hash: Hash::GENESIS,
            hash: Hash::GENESIS,
        }
    }

    fn content(text: &str) -> Content {
        serde_json::from_value(json!({ "text": text })).unwrap()
    }

    #[test]
    fn a_revision_agrees_only_with_its_own_content_and_event() {
        let post = Uuid::now_v7();
        let approved = content("Flu shots on Friday");
        let mut evidence = Evidence::default();
        evidence.observe(&event("post.created", post, json!({ "revision": 1, "content_hash": approved.hash() })));
        assert_eq!(evidence.check_revision(post, 1, approved.hash(), &approved), None);
        // Text changed, hash kept.
        let edited = content("Flu shots on Saturday");
        let found = evidence.check_revision(post, 1, approved.hash(), &edited).unwrap();
        assert!(found.problem.contains("content was changed") && found.event_id.is_some(), "{found:?}");
        // Text and hash changed together: the event still holds the old hash.
        let found = evidence.check_revision(post, 1, edited.hash(), &edited).unwrap();
        assert!(found.problem.contains("replaced"), "{found:?}");
        // A revision no event saved.
        let found = evidence.check_revision(post, 2, edited.hash(), &edited).unwrap();
        assert_eq!((found.revision, found.event_id), (Some(2), None));
    }

    fn decision(verdict: Verdict, comment: Option<&str>) -> Decision {
        let who = Principal::User(crate::id::UserId::from_uuid(Uuid::nil()));
        Decision {
            stage: "legal".into(),
            lane: "legal".into(),
            round: 1,
            by: who.clone(),
            for_whom: who,
            verdict,
            revision: Hash::GENESIS,
            comment: comment.map(str::to_owned),
            checklist: BTreeSet::new(),
            at: jiff::Timestamp::UNIX_EPOCH,
            carried: false,
            reason: None,
        }
    }

    #[test]
    fn a_review_agrees_only_with_the_decisions_its_events_record() {
        let (post, review) = (Uuid::now_v7(), Uuid::now_v7());
        let made = decision(Verdict::RequestChanges, Some("Cite the study"));
        let mut evidence = Evidence::default();
        evidence.observe(&event(
            "review.decided",
            post,
            json!({
                "review": review, "stage": made.stage, "lane": made.lane, "verdict": made.verdict, "content_hash": made.revision,
                "for": made.for_whom, "comment": made.comment, "checklist": made.checklist,
            }),
        ));
        assert!(evidence.check_review(post, review, std::slice::from_ref(&made), &[]).is_empty());
        // The verdict turned into an approval in the row.
        let found = evidence.check_review(post, review, &[decision(Verdict::Approve, Some("Cite the study"))], &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].problem.contains("decision 1 differs"), "{found:?}");
        // A decision added to the row.
        let found = evidence.check_review(post, review, &[made.clone(), made], &[]);
        assert!(found.iter().any(|m| m.problem.contains("2 decisions, its events 1")), "{found:?}");
    }
}
