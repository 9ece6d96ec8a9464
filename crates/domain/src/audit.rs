//! The audit log's rules: who acted, and the hash chain that makes a
//! changed, deleted or inserted event detectable.
//!
//! Each workspace has its own chain (so a workspace's history verifies on
//! its own); events about the instance itself (users, workspaces created)
//! go to the instance chain. Event `n` stores the hash of event `n - 1`, and
//! its own hash covers every field plus that link. The store keeps the
//! chain's head (last sequence number and hash) in a separate row, so
//! deleting the newest events is detected too.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    canonical::{Canonical, Hash},
    id::{EventId, TokenId, UserId, WorkspaceId},
};

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    User {
        user_id: UserId,
    },
    /// An API token acts for the user who created it.
    Token {
        token_id: TokenId,
        user_id: UserId,
    },
    /// An administrator at the command line of the server.
    Cli,
    /// Greenlight itself (jobs, the scheduler, demo seeding).
    System,
    /// Someone without an account, through a share link (later issues).
    External {
        link_id: Uuid,
        name: String,
    },
}

impl Actor {
    /// The three columns an actor is stored in: kind, id, and a second id or name.
    pub fn columns(&self) -> (&'static str, Option<Uuid>, Option<String>) {
        match self {
            Actor::User { user_id } => ("user", Some(user_id.uuid()), None),
            Actor::Token { token_id, user_id } => ("token", Some(user_id.uuid()), Some(token_id.to_string())),
            Actor::Cli => ("cli", None, None),
            Actor::System => ("system", None, None),
            Actor::External { link_id, name } => ("external", Some(*link_id), Some(name.clone())),
        }
    }

    /// Rebuilds an actor from its columns; `None` if they do not describe one.
    pub fn from_columns(kind: &str, id: Option<Uuid>, extra: Option<&str>) -> Option<Actor> {
        Some(match (kind, id, extra) {
            ("user", Some(id), None) => Actor::User { user_id: UserId::from_uuid(id) },
            ("token", Some(id), Some(token)) => Actor::Token { token_id: token.parse().ok()?, user_id: UserId::from_uuid(id) },
            ("cli", None, None) => Actor::Cli,
            ("system", None, None) => Actor::System,
            ("external", Some(id), Some(name)) => Actor::External { link_id: id, name: name.to_owned() },
            _ => return None,
        })
    }

    /// The user behind the action, if any.
    pub fn user(&self) -> Option<UserId> {
        match self {
            Actor::User { user_id } | Actor::Token { user_id, .. } => Some(*user_id),
            _ => None,
        }
    }
}

/// Which chain an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Chain {
    Instance,
    Workspace(WorkspaceId),
}

impl fmt::Display for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Chain::Instance => f.write_str("instance"),
            Chain::Workspace(id) => write!(f, "workspace:{id}"),
        }
    }
}

impl Chain {
    pub fn parse(input: &str) -> Option<Chain> {
        if input == "instance" {
            return Some(Chain::Instance);
        }
        input.strip_prefix("workspace:")?.parse().ok().map(Chain::Workspace)
    }
}

/// One recorded event, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub id: EventId,
    /// `instance` or `workspace:<id>`.
    #[serde(serialize_with = "serialize_display")]
    #[schema(value_type = String)]
    pub chain: Chain,
    pub seq: i64,
    pub at: Timestamp,
    pub actor: Actor,
    /// Dotted verb, e.g. `post.created`, `member.role_changed`.
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<Uuid>,
    /// JSON text, hashed byte for byte as stored.
    #[serde(serialize_with = "serialize_raw_json")]
    #[schema(value_type = Object)]
    pub data: String,
    pub prev_hash: Hash,
    pub hash: Hash,
}

fn serialize_display<S: serde::Serializer, T: fmt::Display>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

fn serialize_raw_json<S: serde::Serializer>(value: &str, s: S) -> Result<S::Ok, S::Error> {
    let parsed: serde_json::Value = serde_json::from_str(value).map_err(serde::ser::Error::custom)?;
    parsed.serialize(s)
}

impl Event {
    /// The hash over every field except `hash` itself.
    pub fn compute_hash(&self) -> Hash {
        let (kind, id, extra) = self.actor.columns();
        let mut c = Canonical::new("greenlight.audit.v1");
        c.str("id", &self.id.to_string())
            .str("chain", &self.chain.to_string())
            .int("seq", self.seq)
            .int("at", self.at.as_microsecond())
            .str("actor_kind", kind)
            .opt_str("actor_id", id.map(|u| u.to_string()).as_deref())
            .opt_str("actor_extra", extra.as_deref())
            .str("action", &self.action)
            .str("subject_kind", &self.subject_kind)
            .opt_str("subject_id", self.subject_id.map(|u| u.to_string()).as_deref())
            .bytes("data", self.data.as_bytes())
            .bytes("prev_hash", &self.prev_hash.0);
        c.finish()
    }
}

/// Where a chain stops verifying, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Break {
    pub chain: String,
    /// The sequence number where the chain first breaks.
    pub seq: i64,
    pub event_id: Option<EventId>,
    pub reason: String,
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "chain {} breaks at event #{}", self.chain, self.seq)?;
        if let Some(id) = self.event_id {
            write!(f, " ({id})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Checks a chain one event at a time, in sequence order, so the whole log
/// never has to be in memory.
pub struct Verifier {
    chain: Chain,
    last_seq: i64,
    last_hash: Hash,
}

impl Verifier {
    pub fn new(chain: Chain) -> Self {
        Self { chain, last_seq: 0, last_hash: Hash::GENESIS }
    }

    pub fn push(&mut self, event: &Event) -> Result<(), Break> {
        let fail = |seq: i64, reason: String| Break { chain: self.chain.to_string(), seq, event_id: Some(event.id), reason };
        let expected = self.last_seq + 1;
        if event.chain != self.chain {
            return Err(fail(event.seq, format!("event belongs to chain {}", event.chain)));
        }
        if event.seq != expected {
            let reason = if event.seq > expected {
                format!("events #{expected} to #{} are missing (deleted?)", event.seq - 1)
            } else {
                "sequence number out of order (inserted?)".to_owned()
            };
            return Err(fail(expected, reason));
        }
        if event.prev_hash != self.last_hash {
            return Err(fail(event.seq, "does not link to the event before it (that event was changed or replaced)".into()));
        }
        if event.compute_hash() != event.hash {
            return Err(fail(event.seq, "its content does not match its hash (the event was changed)".into()));
        }
        self.last_seq = event.seq;
        self.last_hash = event.hash;
        Ok(())
    }

    /// Compares the end of the chain with the stored head: newest events
    /// deleted, or a head that was rewritten, show here.
    pub fn finish(self, head: Option<(i64, Hash)>) -> Result<Verified, Break> {
        let (seq, hash) = head.unwrap_or((0, Hash::GENESIS));
        if (seq, hash) != (self.last_seq, self.last_hash) {
            let reason = if seq > self.last_seq {
                format!("the head records {seq} events but the log ends at #{} (newest events deleted?)", self.last_seq)
            } else {
                "the log does not end where its head says it does".to_owned()
            };
            return Err(Break { chain: self.chain.to_string(), seq: self.last_seq + 1, event_id: None, reason });
        }
        Ok(Verified { events: self.last_seq, head: self.last_hash })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Verified {
    pub events: i64,
    pub head: Hash,
}

/// A signed statement that a chain had `seq` events ending in `head` at
/// `at`. Exported beyond the database's reach, it lets a later
/// verification prove the chain still extends what it was: whoever can
/// write the database can recompute a chain, but not sign its head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Checkpoint {
    pub chain: String,
    pub seq: i64,
    pub head: Hash,
    pub at: Timestamp,
    /// The signer's Ed25519 public key, base64.
    pub public_key: String,
    /// The Ed25519 signature over [`Checkpoint::message`], base64.
    pub signature: String,
}

impl Checkpoint {
    /// The bytes signed: a domain-separated hash of chain, position, head
    /// and time.
    pub fn message(chain: &str, seq: i64, head: Hash, at: Timestamp) -> Hash {
        let mut c = Canonical::new("greenlight.checkpoint.v1");
        c.str("chain", chain).int("seq", seq).bytes("head", &head.0).int("at", at.as_microsecond());
        c.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain_of(n: i64) -> Vec<Event> {
        let chain = Chain::Workspace(WorkspaceId::from_uuid(Uuid::from_u128(1)));
        let mut prev = Hash::GENESIS;
        (1..=n)
            .map(|seq| {
                let mut e = Event {
                    id: EventId::from_uuid(Uuid::from_u128(100 + seq as u128)),
                    chain,
                    seq,
                    at: Timestamp::from_second(1_800_000_000 + seq).unwrap_or(Timestamp::UNIX_EPOCH),
                    actor: Actor::User { user_id: UserId::from_uuid(Uuid::from_u128(5)) },
                    action: "post.created".into(),
                    subject_kind: "post".into(),
                    subject_id: Some(Uuid::from_u128(9)),
                    data: format!(r#"{{"n":{seq}}}"#),
                    prev_hash: prev,
                    hash: Hash::GENESIS,
                };
                e.hash = e.compute_hash();
                prev = e.hash;
                e
            })
            .collect()
    }

    fn verify(events: &[Event], head: Option<(i64, Hash)>) -> Result<Verified, Break> {
        let mut v = Verifier::new(events.first().map(|e| e.chain).unwrap_or(Chain::Instance));
        for e in events {
            v.push(e)?;
        }
        v.finish(head)
    }

    fn head(events: &[Event]) -> Option<(i64, Hash)> {
        events.last().map(|e| (e.seq, e.hash))
    }

    #[test]
    fn an_intact_chain_verifies() {
        let events = chain_of(5);
        assert_eq!(verify(&events, head(&events)).map(|v| v.events), Ok(5));
        assert_eq!(verify(&[], None).map(|v| v.events), Ok(0));
    }

    #[test]
    fn a_changed_event_is_found() {
        let mut events = chain_of(5);
        let h = head(&events);
        events[2].data = r#"{"n":99}"#.into();
        assert_eq!(verify(&events, h).map_err(|b| b.seq), Err(3));
        // Recomputing its hash moves the break to the next link, not away.
        events[2].hash = events[2].compute_hash();
        assert_eq!(verify(&events, h).map_err(|b| b.seq), Err(4));
    }

    #[test]
    fn deleted_and_inserted_events_are_found() {
        let events = chain_of(5);
        let h = head(&events);
        let mut gap = events.clone();
        gap.remove(1);
        assert_eq!(verify(&gap, h).map_err(|b| b.seq), Err(2));
        let truncated = &events[..4];
        let err = verify(truncated, h).unwrap_err();
        assert_eq!(err.seq, 5);
        assert!(err.reason.contains("deleted"), "{}", err.reason);
        let mut inserted = events.clone();
        let mut extra = events[1].clone();
        extra.id = EventId::from_uuid(Uuid::from_u128(999));
        inserted.insert(2, extra);
        assert!(verify(&inserted, h).is_err());
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let base = chain_of(1).remove(0);
        let mut variants = vec![base.clone(); 8];
        variants[0].action = "post.deleted".into();
        variants[1].actor = Actor::System;
        variants[2].at = Timestamp::UNIX_EPOCH;
        variants[3].subject_id = None;
        variants[4].subject_kind = "user".into();
        variants[5].data = "{}".into();
        variants[6].prev_hash = Hash([1; 32]);
        variants[7].seq = 2;
        for v in variants {
            assert_ne!(v.compute_hash(), base.hash, "{v:?}");
        }
    }

    #[test]
    fn actors_and_chains_round_trip_through_columns() {
        let actors = [
            Actor::User { user_id: UserId::from_uuid(Uuid::from_u128(1)) },
            Actor::Token { token_id: TokenId::from_uuid(Uuid::from_u128(2)), user_id: UserId::from_uuid(Uuid::from_u128(1)) },
            Actor::Cli,
            Actor::System,
            Actor::External { link_id: Uuid::from_u128(3), name: "Client".into() },
        ];
        for a in actors {
            let (kind, id, extra) = a.columns();
            assert_eq!(Actor::from_columns(kind, id, extra.as_deref()), Some(a));
        }
        let ws = Chain::Workspace(WorkspaceId::from_uuid(Uuid::from_u128(4)));
        assert_eq!(Chain::parse(&ws.to_string()), Some(ws));
        assert_eq!(Chain::parse("instance"), Some(Chain::Instance));
        assert_eq!(Chain::parse("other"), None);
    }
}
