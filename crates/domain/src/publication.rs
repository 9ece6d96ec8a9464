//! Publishing: one publication per (post, channel), its states, and what
//! the post's state becomes from them.

use serde::{Deserialize, Serialize};

use crate::post::PostState;

/// Where one channel's publication of a post stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waits for its time.
    Scheduled,
    /// An attempt is under way: committed before the network call.
    Publishing,
    /// The network holds it (remote id and address recorded).
    Published,
    /// The network refused it, or retries ran out; its message is kept.
    Failed,
    /// An attempt ended without an answer (a crash, a timeout): the network
    /// is asked before anything is sent again.
    Unknown,
    /// Called off: the post went back to review or lost the channel.
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Scheduled => "scheduled",
            Status::Publishing => "publishing",
            Status::Published => "published",
            Status::Failed => "failed",
            Status::Unknown => "unknown",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Status::Scheduled, Status::Publishing, Status::Published, Status::Failed, Status::Unknown, Status::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == input)
    }

    /// Whether it may still go out (the publisher has work to do).
    pub fn pending(self) -> bool {
        matches!(self, Status::Scheduled | Status::Publishing | Status::Unknown)
    }
}

/// The post's state as its publications make it: published when every one
/// is out, failed when none is left to try and one failed, publishing while
/// any is under way or out, and `None` while all still wait (the post keeps
/// its own state).
pub fn post_state(statuses: &[Status]) -> Option<PostState> {
    let live: Vec<Status> = statuses.iter().copied().filter(|s| *s != Status::Cancelled).collect();
    if live.is_empty() || live.iter().all(|s| *s == Status::Scheduled) {
        return None;
    }
    if live.iter().all(|s| *s == Status::Published) {
        return Some(PostState::Published);
    }
    if live.iter().any(|s| s.pending()) {
        return Some(PostState::Publishing);
    }
    Some(PostState::Failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_post_state_follows_its_publications() {
        use Status::*;
        assert_eq!(post_state(&[]), None);
        assert_eq!(post_state(&[Scheduled, Scheduled]), None, "nothing has started");
        assert_eq!(post_state(&[Published, Scheduled]), Some(PostState::Publishing));
        assert_eq!(post_state(&[Published, Unknown]), Some(PostState::Publishing), "being reconciled");
        assert_eq!(post_state(&[Published, Published, Cancelled]), Some(PostState::Published));
        assert_eq!(post_state(&[Published, Failed]), Some(PostState::Failed), "partly published is a failure to look at");
        assert_eq!(post_state(&[Failed]), Some(PostState::Failed));
        for s in [Scheduled, Publishing, Published, Failed, Unknown, Cancelled] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("gone"), None);
    }
}
