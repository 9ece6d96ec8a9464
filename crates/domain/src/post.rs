//! The post state machine: the only way a post's state changes.
//!
//! The approval engine, the scheduler and the publisher all feed it events;
//! it decides whether the change is allowed. It guarantees the heart of
//! Greenlight's promise at the level of states: a post reaches `Approved`,
//! `Scheduled`, `Publishing` or `Published` only through `Approve`, and any
//! content edit afterwards leaves those states.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostState {
    Draft,
    InReview,
    ChangesRequested,
    Rejected,
    Approved,
    Scheduled,
    Publishing,
    Published,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostEvent {
    /// Content was saved as a new revision.
    EditContent,
    Submit,
    Withdraw,
    /// The planned time passed before approval and the workflow ends such
    /// reviews.
    Expire,
    /// What the review applies to changed (labels, channels …) so that a
    /// stage it had skipped now asks for approval.
    Reopen,
    RequestChanges,
    Reject,
    /// The last required approval of the current revision arrived.
    Approve,
    Schedule,
    Unschedule,
    StartPublishing,
    Published,
    PublishFailed,
    Retry,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a post that is {state} cannot {}", event.describe())]
pub struct TransitionError {
    pub state: PostState,
    pub event: PostEvent,
}

impl PostState {
    pub const ALL: [PostState; 9] = [
        PostState::Draft,
        PostState::InReview,
        PostState::ChangesRequested,
        PostState::Rejected,
        PostState::Approved,
        PostState::Scheduled,
        PostState::Publishing,
        PostState::Published,
        PostState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PostState::Draft => "draft",
            PostState::InReview => "in_review",
            PostState::ChangesRequested => "changes_requested",
            PostState::Rejected => "rejected",
            PostState::Approved => "approved",
            PostState::Scheduled => "scheduled",
            PostState::Publishing => "publishing",
            PostState::Published => "published",
            PostState::Failed => "failed",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == input)
    }

    /// The states in which the current revision is fully approved.
    pub fn holds_approval(self) -> bool {
        matches!(self, PostState::Approved | PostState::Scheduled | PostState::Publishing | PostState::Published | PostState::Failed)
    }

    /// Whether the planned time may change. It may until the network call
    /// starts; a schedule-only change keeps approvals.
    pub fn allows_reschedule(self) -> bool {
        !matches!(self, PostState::Publishing | PostState::Published)
    }

    /// Applies an event; an event the state does not allow is an error and
    /// changes nothing.
    pub fn apply(self, event: PostEvent) -> Result<PostState, TransitionError> {
        use PostEvent as E;
        use PostState as S;
        let next = match (self, event) {
            // Editing: content that was approved goes back to review; a
            // rejection concerned the old content, so the new one is a draft.
            (S::Draft, E::EditContent) => S::Draft,
            (S::ChangesRequested, E::EditContent) => S::ChangesRequested,
            (S::Rejected, E::EditContent) => S::Draft,
            (S::InReview | S::Approved | S::Scheduled | S::Failed, E::EditContent) => S::InReview,

            (S::Draft | S::ChangesRequested, E::Submit) => S::InReview,
            (S::InReview | S::ChangesRequested, E::Withdraw) => S::Draft,
            (S::InReview | S::ChangesRequested, E::Expire) => S::Draft,
            (S::Approved | S::Scheduled | S::Failed, E::Reopen) => S::InReview,
            (S::InReview, E::RequestChanges) => S::ChangesRequested,
            (S::InReview, E::Reject) => S::Rejected,
            (S::InReview, E::Approve) => S::Approved,

            (S::Approved, E::Schedule) => S::Scheduled,
            (S::Scheduled, E::Unschedule) => S::Approved,
            (S::Scheduled, E::StartPublishing) => S::Publishing,
            (S::Publishing, E::Published) => S::Published,
            (S::Publishing, E::PublishFailed) => S::Failed,
            (S::Failed, E::Retry) => S::Scheduled,

            (state, event) => return Err(TransitionError { state, event }),
        };
        Ok(next)
    }
}

impl PostEvent {
    fn describe(self) -> &'static str {
        match self {
            PostEvent::EditContent => "have its content edited",
            PostEvent::Submit => "be submitted for review",
            PostEvent::Withdraw => "be withdrawn from review",
            PostEvent::Expire => "expire unapproved",
            PostEvent::Reopen => "go back to review",
            PostEvent::RequestChanges => "have changes requested",
            PostEvent::Reject => "be rejected",
            PostEvent::Approve => "be approved",
            PostEvent::Schedule => "be scheduled",
            PostEvent::Unschedule => "be unscheduled",
            PostEvent::StartPublishing => "start publishing",
            PostEvent::Published => "be marked published",
            PostEvent::PublishFailed => "be marked failed",
            PostEvent::Retry => "be retried",
        }
    }
}

impl fmt::Display for PostState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str().replace('_', " "))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const EVENTS: [PostEvent; 14] = [
        PostEvent::EditContent,
        PostEvent::Submit,
        PostEvent::Withdraw,
        PostEvent::Expire,
        PostEvent::Reopen,
        PostEvent::RequestChanges,
        PostEvent::Reject,
        PostEvent::Approve,
        PostEvent::Schedule,
        PostEvent::Unschedule,
        PostEvent::StartPublishing,
        PostEvent::Published,
        PostEvent::PublishFailed,
        PostEvent::Retry,
    ];

    #[test]
    fn the_happy_path() {
        let mut s = PostState::Draft;
        for e in [
            PostEvent::EditContent,
            PostEvent::Submit,
            PostEvent::Approve,
            PostEvent::Schedule,
            PostEvent::StartPublishing,
            PostEvent::Published,
        ] {
            s = s.apply(e).expect("allowed");
        }
        assert_eq!(s, PostState::Published);
    }

    #[test]
    fn an_edit_after_approval_goes_back_to_review() {
        for s in [PostState::Approved, PostState::Scheduled, PostState::Failed] {
            assert_eq!(s.apply(PostEvent::EditContent), Ok(PostState::InReview));
        }
        let err = PostState::Published.apply(PostEvent::EditContent).expect_err("refused");
        assert_eq!(err.to_string(), "a post that is published cannot have its content edited");
    }

    #[test]
    fn names_round_trip() {
        for s in PostState::ALL {
            assert_eq!(PostState::parse(s.as_str()), Some(s));
        }
    }

    proptest! {
        /// Whatever the sequence of events, a post holds an approval only if
        /// the last content edit was followed by an approval; refused events
        /// change nothing; nothing leaves `Published` but archiving.
        #[test]
        fn approval_is_never_carried_to_unapproved_content(events in prop::collection::vec(0..EVENTS.len(), 0..60)) {
            let mut state = PostState::Draft;
            let mut current_content_approved = false;
            let mut published = false;
            for i in events {
                let event = EVENTS[i];
                match state.apply(event) {
                    Ok(next) => {
                        match event {
                            PostEvent::EditContent => current_content_approved = false,
                            PostEvent::Approve => current_content_approved = true,
                            _ => {}
                        }
                        if next == PostState::Published {
                            prop_assert_eq!(state, PostState::Publishing);
                        }
                        state = next;
                    }
                    Err(e) => prop_assert_eq!(e.state, state),
                }
                if state.holds_approval() {
                    prop_assert!(current_content_approved, "{state} without approval of the current content");
                }
                if published {
                    prop_assert_eq!(state, PostState::Published);
                }
                published |= state == PostState::Published;
            }
        }
    }
}
