//! Appending to and reading the hash-chained audit log.

use greenlight_domain::{
    Timestamp,
    audit::{Actor, Chain, Checkpoint, Event},
    canonical::Hash,
    id::EventId,
};
use uuid::Uuid;

use crate::{
    db::{Result, StoreError, Tx},
    time::DbTime,
};

/// What a caller records; the store adds the chain position and hashes.
pub struct NewEvent<'a> {
    pub chain: Chain,
    pub at: Timestamp,
    pub actor: &'a Actor,
    pub action: &'a str,
    pub subject_kind: &'a str,
    pub subject_id: Option<Uuid>,
    pub data: serde_json::Value,
}

/// Appends an event in the caller's transaction. The head row is updated
/// first, which locks it: concurrent appends to one chain queue up instead
/// of forking it (on both backends).
pub async fn append(tx: &mut Tx, new: NewEvent<'_>) -> Result<Event> {
    let chain = new.chain.to_string();
    // One statement takes the next position: a new chain's head starts at
    // 1 after the genesis hash; an existing one moves on and answers the
    // previous event's hash.
    let (seq, prev) = sql!(
        tx,
        one as (i64, String),
        "INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, 1, $2)
         ON CONFLICT (chain) DO UPDATE SET seq = audit_heads.seq + 1 RETURNING seq, hash",
        &chain,
        Hash::GENESIS.to_string()
    )?;
    let prev_hash = Hash::parse(&prev).ok_or_else(|| StoreError::Corrupt(format!("audit head hash `{prev}`")))?;
    let data = serde_json::to_string(&new.data).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut event = Event {
        id: EventId::from_uuid(Uuid::now_v7()),
        chain: new.chain,
        seq,
        // Stored to the microsecond, so hash what will be read back.
        at: Timestamp::from_microsecond(new.at.as_microsecond()).unwrap_or(new.at),
        actor: new.actor.clone(),
        action: new.action.to_owned(),
        subject_kind: new.subject_kind.to_owned(),
        subject_id: new.subject_id,
        data,
        prev_hash,
        hash: Hash::GENESIS,
    };
    event.hash = event.compute_hash();
    let (actor_kind, actor_id, actor_extra) = event.actor.columns();
    sql!(
        tx,
        exec,
        "INSERT INTO audit_events (id, chain, seq, at, actor_kind, actor_id, actor_extra, action, subject_kind, subject_id, data, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        event.id.uuid(),
        &chain,
        seq,
        DbTime(event.at),
        actor_kind,
        actor_id,
        actor_extra,
        &event.action,
        &event.subject_kind,
        event.subject_id,
        &event.data,
        event.prev_hash.to_string(),
        event.hash.to_string()
    )?;
    sql!(tx, exec, "UPDATE audit_heads SET hash = $2 WHERE chain = $1", &chain, event.hash.to_string())?;
    Ok(event)
}

row! {
    struct EventRow {
        id: Uuid,
        chain: String,
        seq: i64,
        at: DbTime,
        actor_kind: String,
        actor_id: Option<Uuid>,
        actor_extra: Option<String>,
        action: String,
        subject_kind: String,
        subject_id: Option<Uuid>,
        data: String,
        prev_hash: String,
        hash: String,
    }
}

impl EventRow {
    fn into_event(self) -> Result<Event> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("audit event {} has a bad {what}", self.id));
        Ok(Event {
            id: EventId::from_uuid(self.id),
            chain: Chain::parse(&self.chain).ok_or_else(|| corrupt("chain"))?,
            seq: self.seq,
            at: self.at.0,
            actor: Actor::from_columns(&self.actor_kind, self.actor_id, self.actor_extra.as_deref()).ok_or_else(|| corrupt("actor"))?,
            prev_hash: Hash::parse(&self.prev_hash).ok_or_else(|| corrupt("previous hash"))?,
            hash: Hash::parse(&self.hash).ok_or_else(|| corrupt("hash"))?,
            action: self.action,
            subject_kind: self.subject_kind,
            subject_id: self.subject_id,
            data: self.data,
        })
    }
}

macro_rules! event_select {
    () => {
        "SELECT id, chain, seq, at, actor_kind, actor_id, actor_extra, action, subject_kind, subject_id, data, prev_hash, hash
         FROM audit_events "
    };
}

/// One event by its id.
pub async fn event(tx: &mut Tx, id: EventId) -> Result<Option<Event>> {
    sql!(tx, optional as EventRow, concat!(event_select!(), "WHERE id = $1"), id.uuid())?.map(EventRow::into_event).transpose()
}

/// A page of one chain in order, after sequence number `after`.
pub async fn chain_events(tx: &mut Tx, chain: Chain, after: i64, limit: i64) -> Result<Vec<Event>> {
    sql!(
        tx,
        all as EventRow,
        concat!(event_select!(), "WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT $3"),
        chain.to_string(),
        after,
        limit
    )?
    .into_iter()
    .map(EventRow::into_event)
    .collect()
}

/// A page of one chain newest first, before sequence number `before`.
pub async fn chain_events_newest(tx: &mut Tx, chain: Chain, before: i64, limit: i64) -> Result<Vec<Event>> {
    sql!(
        tx,
        all as EventRow,
        concat!(event_select!(), "WHERE chain = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3"),
        chain.to_string(),
        before,
        limit
    )?
    .into_iter()
    .map(EventRow::into_event)
    .collect()
}

/// A page of one chain's events recorded in `[from, to)`, in order, after
/// sequence number `after`.
pub async fn chain_events_between(tx: &mut Tx, chain: Chain, from: Timestamp, to: Timestamp, after: i64, limit: i64) -> Result<Vec<Event>> {
    sql!(
        tx,
        all as EventRow,
        concat!(event_select!(), "WHERE chain = $1 AND seq > $2 AND at >= $3 AND at < $4 ORDER BY seq LIMIT $5"),
        chain.to_string(),
        after,
        DbTime(from),
        DbTime(to),
        limit
    )?
    .into_iter()
    .map(EventRow::into_event)
    .collect()
}

/// A page of the events about one record in a chain, in order.
pub async fn subject_events(tx: &mut Tx, chain: Chain, subject: Uuid, after: i64, limit: i64) -> Result<Vec<Event>> {
    sql!(
        tx,
        all as EventRow,
        concat!(event_select!(), "WHERE chain = $1 AND subject_id = $2 AND seq > $3 ORDER BY seq LIMIT $4"),
        chain.to_string(),
        subject,
        after,
        limit
    )?
    .into_iter()
    .map(EventRow::into_event)
    .collect()
}

/// The events of one kind about one record in a chain, in order.
pub async fn subject_actions(tx: &mut Tx, chain: Chain, subject: Uuid, action: &str) -> Result<Vec<Event>> {
    sql!(
        tx,
        all as EventRow,
        concat!(event_select!(), "WHERE chain = $1 AND subject_id = $2 AND action = $3 ORDER BY seq"),
        chain.to_string(),
        subject,
        action
    )?
    .into_iter()
    .map(EventRow::into_event)
    .collect()
}

pub async fn head(tx: &mut Tx, chain: Chain) -> Result<Option<(i64, Hash)>> {
    let row = sql!(tx, optional as (i64, String), "SELECT seq, hash FROM audit_heads WHERE chain = $1", chain.to_string())?;
    row.map(|(seq, hash)| Ok((seq, Hash::parse(&hash).ok_or_else(|| StoreError::Corrupt(format!("audit head hash `{hash}`")))?)))
        .transpose()
}

/// Workspace chains with events not yet followed, and how many each has
/// (at most `limit` chains).
pub async fn unfollowed(tx: &mut Tx, limit: i64) -> Result<Vec<(Chain, i64)>> {
    let rows = sql!(
        tx,
        all as (String, i64),
        "SELECT h.chain, h.seq - COALESCE(f.seq, 0) FROM audit_heads h LEFT JOIN audit_followed f ON f.chain = h.chain
         WHERE h.chain <> 'instance' AND h.seq > COALESCE(f.seq, 0) ORDER BY h.chain LIMIT $1",
        limit
    )?;
    rows.into_iter().map(|(c, n)| Ok((Chain::parse(&c).ok_or_else(|| StoreError::Corrupt(format!("audit chain `{c}`")))?, n))).collect()
}

/// The last event of `chain` followed, held for this transaction: another
/// follower of the same chain waits for it to commit (PostgreSQL locks the
/// row; SQLite has one writer).
pub async fn hold_followed(tx: &mut Tx, chain: Chain) -> Result<i64> {
    let (seq,) = sql!(
        tx,
        one as (i64,),
        "INSERT INTO audit_followed (chain, seq) VALUES ($1, 0)
         ON CONFLICT (chain) DO UPDATE SET seq = audit_followed.seq RETURNING seq",
        chain.to_string()
    )?;
    Ok(seq)
}

/// Marks `chain` followed up to `seq`.
pub async fn set_followed(tx: &mut Tx, chain: Chain, seq: i64) -> Result<()> {
    sql!(tx, exec, "UPDATE audit_followed SET seq = $2 WHERE chain = $1", chain.to_string(), seq)?;
    Ok(())
}

/// Every chain that has events or a head.
pub async fn chains(tx: &mut Tx) -> Result<Vec<Chain>> {
    let rows = sql!(tx, all as (String,), "SELECT chain FROM audit_heads UNION SELECT DISTINCT chain FROM audit_events ORDER BY 1")?;
    rows.into_iter().map(|(c,)| Chain::parse(&c).ok_or_else(|| StoreError::Corrupt(format!("audit chain `{c}`")))).collect()
}

/// The event at a chain position.
pub async fn event_at(tx: &mut Tx, chain: Chain, seq: i64) -> Result<Option<Event>> {
    sql!(tx, optional as EventRow, concat!(event_select!(), "WHERE chain = $1 AND seq = $2"), chain.to_string(), seq)?
        .map(EventRow::into_event)
        .transpose()
}

/// Keeps a checkpoint (once per chain position).
pub async fn insert_checkpoint(tx: &mut Tx, c: &Checkpoint) -> Result<()> {
    sql!(
        tx,
        exec,
        "INSERT INTO audit_checkpoints (chain, seq, head, at, public_key, signature) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (chain, seq) DO NOTHING",
        &c.chain,
        c.seq,
        c.head.to_string(),
        DbTime(c.at),
        &c.public_key,
        &c.signature
    )?;
    Ok(())
}

type CheckpointRow = (String, i64, String, DbTime, String, String);

/// A chain's checkpoints made at or after `from`, oldest first (at most
/// `limit`).
pub async fn checkpoints_since(tx: &mut Tx, chain: Chain, from: Timestamp, limit: i64) -> Result<Vec<Checkpoint>> {
    let rows = sql!(
        tx,
        all as CheckpointRow,
        "SELECT chain, seq, head, at, public_key, signature FROM audit_checkpoints WHERE chain = $1 AND at >= $2 ORDER BY seq LIMIT $3",
        chain.to_string(),
        DbTime(from),
        limit
    )?;
    rows.into_iter()
        .map(|(chain, seq, head, at, public_key, signature)| {
            let head = Hash::parse(&head).ok_or_else(|| StoreError::Corrupt(format!("checkpoint head `{head}`")))?;
            Ok(Checkpoint { chain, seq, head, at: at.0, public_key, signature })
        })
        .collect()
}
