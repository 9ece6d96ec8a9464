//! Notifications: the kinds of thing a member is told about, how they want
//! to hear of each (in the app, by email now or in a digest), and when a
//! digest goes out.

use std::collections::BTreeMap;

use jiff::{Timestamp, ToSpan, civil::Time, tz::TimeZone};
use serde::{Deserialize, Serialize};

/// What happened, as far as a member is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A review waits for you.
    ReviewRequested,
    /// Someone decided on your post.
    DecisionMade,
    /// Someone asked for changes to your post.
    ChangesRequested,
    /// Your post is approved by every stage.
    ApprovalComplete,
    /// A comment on your post or in a thread you are in.
    Comment,
    /// Someone mentioned you.
    Mention,
    /// A review waiting for you is due soon or overdue.
    Reminder,
    /// A review was escalated to you.
    Escalation,
    /// Your post's planned time came before its approval.
    PublishTimePassed,
    /// Your post went out on a channel.
    Published,
    /// Your post could not go out on a channel.
    PublishFailed,
    /// A channel's network refused its credentials: reconnect it.
    ChannelNeedsReconnect,
    /// Monday's workflow report: last week's figures and what is stuck
    /// (for those who see analytics; off unless chosen).
    WorkflowReport,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::ReviewRequested,
        Kind::DecisionMade,
        Kind::ChangesRequested,
        Kind::ApprovalComplete,
        Kind::Comment,
        Kind::Mention,
        Kind::Reminder,
        Kind::Escalation,
        Kind::PublishTimePassed,
        Kind::Published,
        Kind::PublishFailed,
        Kind::ChannelNeedsReconnect,
        Kind::WorkflowReport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ReviewRequested => "review_requested",
            Kind::DecisionMade => "decision_made",
            Kind::ChangesRequested => "changes_requested",
            Kind::ApprovalComplete => "approval_complete",
            Kind::Comment => "comment",
            Kind::Mention => "mention",
            Kind::Reminder => "reminder",
            Kind::Escalation => "escalation",
            Kind::PublishTimePassed => "publish_time_passed",
            Kind::Published => "published",
            Kind::PublishFailed => "publish_failed",
            Kind::ChannelNeedsReconnect => "channel_needs_reconnect",
            Kind::WorkflowReport => "workflow_report",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == input)
    }

    /// Whether it asks the member to act (these are emailed at once by default).
    pub fn asks_to_act(self) -> bool {
        matches!(
            self,
            Kind::ReviewRequested
                | Kind::ChangesRequested
                | Kind::Mention
                | Kind::Escalation
                | Kind::PublishFailed
                | Kind::ChannelNeedsReconnect
        )
    }
}

/// How often email comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Off,
    Immediate,
    /// One email an hour with everything since the last.
    Hourly,
    /// One email a day, at 08:00 in the workspace's time zone.
    Daily,
}

/// How a member hears of one kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Channels {
    pub in_app: bool,
    pub email: Frequency,
}

/// Settings per kind; kinds not named keep the level below (the workspace's
/// defaults, then Greenlight's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Preferences(pub BTreeMap<Kind, Channels>);

impl Preferences {
    /// Greenlight's defaults: everything in the app; email at once for what
    /// asks you to act, a daily digest for the rest; the weekly workflow
    /// report only to whoever asks for it.
    pub fn builtin(kind: Kind) -> Channels {
        if kind == Kind::WorkflowReport {
            return Channels { in_app: false, email: Frequency::Off };
        }
        let email = if kind.asks_to_act() { Frequency::Immediate } else { Frequency::Daily };
        Channels { in_app: true, email }
    }

    /// What applies to `kind`: the member's choice, else the workspace's,
    /// else Greenlight's.
    pub fn effective(kind: Kind, member: &Preferences, workspace: &Preferences) -> Channels {
        member.0.get(&kind).or_else(|| workspace.0.get(&kind)).copied().unwrap_or_else(|| Self::builtin(kind))
    }
}

/// The hour of day daily digests go out, in the workspace's time zone.
pub const DIGEST_HOUR: i8 = 8;

/// When a digest collecting something that happened at `now` goes out:
/// the next full hour, or the next 08:00 in `zone`. `None` for email that
/// is not a digest.
pub fn digest_due(frequency: Frequency, now: Timestamp, zone: &TimeZone) -> Option<Timestamp> {
    match frequency {
        Frequency::Off | Frequency::Immediate => None,
        Frequency::Hourly => {
            let hour = 3600;
            let next = (now.as_second().div_euclid(hour) + 1) * hour;
            Timestamp::from_second(next).ok()
        }
        Frequency::Daily => {
            let local = now.to_zoned(zone.clone());
            let today = local.date().to_datetime(Time::constant(DIGEST_HOUR, 0, 0, 0));
            let at = today.to_zoned(zone.clone()).ok()?;
            let at = if at.timestamp() > now { at } else { at.checked_add(1.day()).ok()? };
            Some(at.timestamp())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::Value::String(k.as_str().into())));
        }
    }

    #[test]
    fn a_members_choice_beats_the_workspaces_which_beats_the_builtin() {
        let quiet = Channels { in_app: true, email: Frequency::Off };
        let hourly = Channels { in_app: false, email: Frequency::Hourly };
        let workspace = Preferences([(Kind::Comment, quiet)].into());
        let member = Preferences([(Kind::Comment, hourly)].into());
        assert_eq!(Preferences::effective(Kind::Comment, &member, &workspace), hourly);
        assert_eq!(Preferences::effective(Kind::Comment, &Preferences::default(), &workspace), quiet);
        let builtin = Preferences::effective(Kind::ReviewRequested, &member, &workspace);
        assert_eq!(builtin, Channels { in_app: true, email: Frequency::Immediate });
        assert_eq!(Preferences::builtin(Kind::Comment).email, Frequency::Daily);
    }

    #[test]
    fn digests_go_out_at_the_next_hour_or_at_eight_local() {
        let utc = TimeZone::UTC;
        assert_eq!(digest_due(Frequency::Immediate, ts("2026-03-29T06:10:00Z"), &utc), None);
        assert_eq!(digest_due(Frequency::Hourly, ts("2026-03-29T06:10:00Z"), &utc), Some(ts("2026-03-29T07:00:00Z")));
        assert_eq!(digest_due(Frequency::Hourly, ts("2026-03-29T07:00:00Z"), &utc), Some(ts("2026-03-29T08:00:00Z")));
        let cph = TimeZone::get("Europe/Copenhagen").expect("zone");
        // Before 08:00 local: today; after: tomorrow, across the DST change (UTC+1 → UTC+2 on 29 March 2026).
        assert_eq!(digest_due(Frequency::Daily, ts("2026-03-28T05:00:00Z"), &cph), Some(ts("2026-03-28T07:00:00Z")));
        assert_eq!(digest_due(Frequency::Daily, ts("2026-03-28T07:00:00Z"), &cph), Some(ts("2026-03-29T06:00:00Z")));
    }
}
