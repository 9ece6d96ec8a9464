//! Typed, opaque identifiers.
//!
//! Every record is identified by a UUIDv7 (time-ordered, so ids sort by
//! creation). The type parameter keeps a `PostId` from being passed where a
//! `UserId` is expected; on the wire an id is just its string form.

use std::{cmp::Ordering, fmt, hash::Hash, marker::PhantomData, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

pub struct Id<T: ?Sized>(Uuid, PhantomData<fn() -> T>);

impl<T: ?Sized> Id<T> {
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid, PhantomData)
    }

    pub const fn uuid(self) -> Uuid {
        self.0
    }

    /// Converts between id kinds; used where one record is addressed in the
    /// role of another (an audit subject, say).
    pub const fn cast<U: ?Sized>(self) -> Id<U> {
        Id(self.0, PhantomData)
    }
}

/// Marker types, one per kind of record.
pub mod kind {
    pub enum User {}
    pub enum Session {}
    pub enum Token {}
    pub enum Workspace {}
    pub enum Group {}
    pub enum Channel {}
    pub enum Campaign {}
    pub enum Label {}
    pub enum Post {}
    pub enum Revision {}
    pub enum Media {}
    pub enum Event {}
    pub enum Workflow {}
    pub enum WorkflowVersion {}
    pub enum Route {}
    pub enum Review {}
    pub enum Decision {}
    pub enum Comment {}
    pub enum Delegation {}
    pub enum Job {}
    pub enum ShareLink {}
    pub enum Notification {}
    pub enum Webhook {}
    pub enum Delivery {}
    pub enum Note {}
    pub enum Publication {}
}

pub type UserId = Id<kind::User>;
pub type SessionId = Id<kind::Session>;
pub type TokenId = Id<kind::Token>;
pub type WorkspaceId = Id<kind::Workspace>;
pub type GroupId = Id<kind::Group>;
pub type ChannelId = Id<kind::Channel>;
pub type CampaignId = Id<kind::Campaign>;
pub type LabelId = Id<kind::Label>;
pub type PostId = Id<kind::Post>;
pub type RevisionId = Id<kind::Revision>;
pub type MediaId = Id<kind::Media>;
pub type EventId = Id<kind::Event>;
pub type WorkflowId = Id<kind::Workflow>;
pub type WorkflowVersionId = Id<kind::WorkflowVersion>;
pub type RouteId = Id<kind::Route>;
pub type ReviewId = Id<kind::Review>;
pub type DecisionId = Id<kind::Decision>;
pub type CommentId = Id<kind::Comment>;
pub type DelegationId = Id<kind::Delegation>;
pub type JobId = Id<kind::Job>;
pub type ShareLinkId = Id<kind::ShareLink>;
pub type NotificationId = Id<kind::Notification>;
pub type WebhookId = Id<kind::Webhook>;
pub type DeliveryId = Id<kind::Delivery>;
pub type NoteId = Id<kind::Note>;
pub type PublicationId = Id<kind::Publication>;

// Manual impls: derives would demand `T: Clone` etc. of the marker.
impl<T: ?Sized> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for Id<T> {}
impl<T: ?Sized> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<T: ?Sized> Eq for Id<T> {}
impl<T: ?Sized> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T: ?Sized> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}
impl<T: ?Sized> Hash for Id<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}
impl<T: ?Sized> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl<T: ?Sized> fmt::Display for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id")]
pub struct InvalidId;

impl<T: ?Sized> FromStr for Id<T> {
    type Err = InvalidId;
    fn from_str(s: &str) -> Result<Self, InvalidId> {
        // Only the canonical hyphenated form: one spelling per id.
        if s.len() != 36 {
            return Err(InvalidId);
        }
        Uuid::try_parse(s).map(Self::from_uuid).map_err(|_| InvalidId)
    }
}

impl<T: ?Sized> Serialize for Id<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de, T: ?Sized> Deserialize<'de> for Id<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(|_| serde::de::Error::custom(format!("`{s}` is not a valid id")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_other_spellings() {
        let id = PostId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001));
        let text = id.to_string();
        assert_eq!(text.parse::<PostId>(), Ok(id));
        assert_eq!(text.to_uppercase().parse::<PostId>().map(|i| i == id), Ok(true));
        assert_eq!(text.replace('-', "").parse::<PostId>(), Err(InvalidId));
        assert_eq!("not-an-id".parse::<PostId>(), Err(InvalidId));
        let json = serde_json::to_string(&id).expect("serializes");
        assert_eq!(json, format!("\"{text}\""));
        assert!(serde_json::from_str::<PostId>("\"x\"").is_err());
    }
}
