//! A workspace's audit record for a period, as a signed bundle a compliance
//! officer keeps: the events, the checkpoints, and the contents of the
//! revisions approved — and its verification, then or years later.

use std::collections::BTreeSet;

use base64::{Engine as _, engine::general_purpose::STANDARD};
use ed25519_dalek::{Signature, Signer as _, Verifier as _};
use greenlight_domain::{
    Timestamp,
    audit::{Actor, Chain, Checkpoint, Event},
    canonical::Hash,
    content::Content,
    id::{EventId, PostId, WorkspaceId},
    permission::Permission,
};
use greenlight_store::{audit, posts, workspaces};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::{
    App, Caller, access,
    checkpoints::{check_signature, verify_checkpoints},
    error::{Error, Result},
};

pub const FORMAT: &str = "greenlight.audit-export.v1";
/// The most events one bundle holds: a longer period is exported in parts.
const MAX_EVENTS: usize = 100_000;
const PAGE: i64 = 1000;
/// Hourly checkpoints for more than a year.
const MAX_CHECKPOINTS: i64 = 10_000;

/// An event as the bundle carries it: every column, `data` as the exact
/// text that was hashed.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BundleEvent {
    pub id: EventId,
    pub seq: i64,
    pub at: Timestamp,
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub actor_extra: Option<String>,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<Uuid>,
    pub data: String,
    pub prev_hash: Hash,
    pub hash: Hash,
}

impl BundleEvent {
    fn of(e: &Event) -> Self {
        let (actor_kind, actor_id, actor_extra) = e.actor.columns();
        BundleEvent {
            id: e.id,
            seq: e.seq,
            at: e.at,
            actor_kind: actor_kind.to_owned(),
            actor_id,
            actor_extra,
            action: e.action.clone(),
            subject_kind: e.subject_kind.clone(),
            subject_id: e.subject_id,
            data: e.data.clone(),
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }

    fn event(&self, chain: Chain) -> Option<Event> {
        Some(Event {
            id: self.id,
            chain,
            seq: self.seq,
            at: self.at,
            actor: Actor::from_columns(&self.actor_kind, self.actor_id, self.actor_extra.as_deref())?,
            action: self.action.clone(),
            subject_kind: self.subject_kind.clone(),
            subject_id: self.subject_id,
            data: self.data.clone(),
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// A revision some decision in the period approved, with its content.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApprovedRevision {
    pub post_id: PostId,
    pub number: i64,
    pub content_hash: Hash,
    pub content: Content,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Bundle {
    /// `greenlight.audit-export.v1`.
    pub format: String,
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    pub chain: String,
    /// The period: events recorded at or after `from` and before `to`.
    pub from: Timestamp,
    pub to: Timestamp,
    pub generated_at: Timestamp,
    pub events: Vec<BundleEvent>,
    /// The chain's signed checkpoints from the period's start on.
    pub checkpoints: Vec<Checkpoint>,
    pub revisions: Vec<ApprovedRevision>,
}

/// The bundle, the SHA-256 of its canonical text, and the instance's
/// Ed25519 signature over that digest. The canonical text is the bundle
/// serialized in the field order above, so the signature survives being
/// read and written again by any JSON tool (key order, spacing).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignedBundle {
    pub bundle: Bundle,
    pub sha256: String,
    pub public_key: String,
    pub signature: String,
}

fn digest(bundle: &Bundle) -> Result<[u8; 32]> {
    let text = serde_json::to_string(bundle).map_err(Error::internal)?;
    Ok(Sha256::digest(text.as_bytes()).into())
}

/// Exports whole days, `from` to `to` inclusive, in the workspace's zone
/// (default: the last 30 days up to today): the events recorded then.
pub async fn export(app: &App, caller: &Caller, ws: WorkspaceId, from: Option<&str>, to: Option<&str>) -> Result<SignedBundle> {
    let asked = crate::Days::parse(from, to)?;
    let mut tx = app.db.read().await?;
    access::require(&mut tx, caller, ws, Permission::ViewWorkspaceHistory).await?;
    let workspace = workspaces::workspace(&mut tx, ws).await?.ok_or(Error::NotFound("workspace"))?;
    let zone = jiff::tz::TimeZone::get(&workspace.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let crate::Days { start: from, end: to, .. } = crate::Days::in_zone(asked, &zone, app.now(), 30)?;

    let chain = Chain::Workspace(ws);
    let mut events = Vec::new();
    loop {
        let after = events.last().map_or(0, |e: &Event| e.seq);
        let page = audit::chain_events_between(&mut tx, chain, from, to, after, PAGE).await?;
        if page.is_empty() {
            break;
        }
        events.extend(page);
        if events.len() > MAX_EVENTS {
            return Err(Error::field_said("from", "err-audit-too-many", [("max", MAX_EVENTS.to_string())]));
        }
    }
    let mut revisions = Vec::new();
    for (post, hash) in approved(&events) {
        if let Some(r) = posts::revision_by_hash(&mut tx, post, hash).await? {
            revisions.push(ApprovedRevision { post_id: r.post_id, number: r.number, content_hash: r.content_hash, content: r.content });
        }
    }
    let checkpoints = audit::checkpoints_since(&mut tx, chain, from, MAX_CHECKPOINTS).await?;
    let bundle = Bundle {
        format: FORMAT.into(),
        workspace_id: ws,
        workspace_name: workspace.name,
        chain: chain.to_string(),
        from,
        to,
        generated_at: app.now(),
        events: events.iter().map(BundleEvent::of).collect(),
        checkpoints,
        revisions,
    };
    let digest = digest(&bundle)?;
    let signature = app.checkpoints.key().sign(&digest);
    Ok(SignedBundle {
        bundle,
        sha256: hex::encode(digest),
        public_key: app.checkpoints.public_key(),
        signature: STANDARD.encode(signature.to_bytes()),
    })
}

/// Each post revision an approving decision in the events names, once.
fn approved(events: &[Event]) -> BTreeSet<(PostId, Hash)> {
    events
        .iter()
        .filter(|e| e.action == "review.decided")
        .filter_map(|e| {
            let data: serde_json::Value = serde_json::from_str(&e.data).ok()?;
            (data["verdict"] == "approve").then_some(())?;
            Some((PostId::from_uuid(e.subject_id?), Hash::parse(data["content_hash"].as_str()?)?))
        })
        .collect()
}

/// One line of a bundle's verification.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BundleCheck {
    pub what: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BundleReport {
    /// Every check holds.
    pub intact: bool,
    pub workspace_name: String,
    pub from: Timestamp,
    pub to: Timestamp,
    pub generated_at: Timestamp,
    pub events: usize,
    pub revisions: Vec<ApprovedRevision>,
    pub checks: Vec<BundleCheck>,
}

fn check(what: &str, problems: Vec<String>, fine: String) -> BundleCheck {
    let ok = problems.is_empty();
    let detail = if ok { fine } else { problems.into_iter().take(20).collect::<Vec<_>>().join("; ") };
    BundleCheck { what: what.into(), ok, detail }
}

/// Verifies a bundle this instance exported for the workspace: its
/// signature, its events and checkpoints, the approved contents, and that
/// the database still holds what it says.
pub async fn verify(app: &App, caller: &Caller, ws: WorkspaceId, signed: &SignedBundle) -> Result<BundleReport> {
    {
        let mut tx = app.db.read().await?;
        access::require(&mut tx, caller, ws, Permission::ViewWorkspaceHistory).await?;
    }
    let bundle = &signed.bundle;
    if bundle.format != FORMAT || bundle.workspace_id != ws {
        return Err(Error::field_said("bundle", "err-audit-not-ours", []));
    }
    let chain = Chain::Workspace(ws);
    let mut checks = Vec::new();

    let digest = digest(bundle)?;
    let signature = STANDARD.decode(&signed.signature).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()).map(|b| Signature::from_bytes(&b));
    let trusted = app.checkpoints.verifying_key();
    let problem = match signature {
        _ if signed.public_key != app.checkpoints.public_key() => Some("signed by another key than this instance's".to_owned()),
        Some(sig) if trusted.verify(&digest, &sig).is_ok() => None,
        _ => Some("the signature does not match (the bundle was changed)".to_owned()),
    };
    checks.push(check("Signature", problem.into_iter().collect(), format!("signed by this instance's audit key {}", signed.public_key)));

    let mut problems = Vec::new();
    for pair in bundle.events.windows(2) {
        if pair[1].seq != pair[0].seq + 1 || pair[1].prev_hash != pair[0].hash {
            problems.push(format!("event #{} does not follow #{} (events are missing or changed)", pair[1].seq, pair[0].seq));
        }
    }
    for e in &bundle.events {
        if e.event(chain).is_none_or(|event| event.compute_hash() != e.hash) {
            problems.push(format!("event #{} ({}) does not match its hash", e.seq, e.id));
        }
    }
    let span = match (bundle.events.first(), bundle.events.last()) {
        (Some(a), Some(b)) => {
            format!("{} events, #{} to #{}, each matching its hash and linked to the one before", bundle.events.len(), a.seq, b.seq)
        }
        _ => "no events in the period".into(),
    };
    checks.push(check("Events", problems, span));

    let mut problems = Vec::new();
    for c in &bundle.checkpoints {
        if let Err(why) = check_signature(c, &trusted) {
            problems.push(format!("checkpoint #{}: {why}", c.seq));
        } else if let Some(e) = bundle.events.iter().find(|e| e.seq == c.seq)
            && e.hash != c.head
        {
            problems.push(format!("checkpoint #{} signed another event than the bundle holds", c.seq));
        }
    }
    let fine = format!("{} signed checkpoints, each matching the events it covers", bundle.checkpoints.len());
    checks.push(check("Checkpoints", problems, fine));

    let named: BTreeSet<(PostId, Hash)> = approved(&bundle.events.iter().filter_map(|e| e.event(chain)).collect::<Vec<_>>());
    let mut problems = Vec::new();
    for r in &bundle.revisions {
        if r.content.hash() != r.content_hash {
            problems.push(format!("post {} revision {}: its content does not match its hash", r.post_id, r.number));
        } else if !named.contains(&(r.post_id, r.content_hash)) {
            problems.push(format!("post {} revision {}: no approval in the bundle names it", r.post_id, r.number));
        }
    }
    let fine = format!("{} approved revisions, each content matching the hash its approval recorded", bundle.revisions.len());
    checks.push(check("Approved contents", problems, fine));

    // The database today: the whole chain and its records verify, still
    // hold the bundle's events, and extend its checkpoints.
    let mut problems = Vec::new();
    let live = crate::audit::verify_chain(&app.db, chain).await?;
    if let crate::audit::Outcome::Broken(b) = &live.outcome {
        problems.push(b.to_string());
    }
    problems.extend(live.mismatches.iter().map(ToString::to_string));
    // The log's events over the bundle's range, a page at a time.
    let mut exported: std::collections::BTreeMap<i64, Hash> = bundle.events.iter().map(|e| (e.seq, e.hash)).collect();
    if let (Some(&first), Some(&last)) = (exported.keys().next(), exported.keys().next_back()) {
        let mut tx = app.db.read().await?;
        let mut after = first - 1;
        while after < last {
            let page = audit::chain_events(&mut tx, chain, after, PAGE).await?;
            let Some(end) = page.last().map(|e| e.seq) else { break };
            for now in page {
                if exported.get(&now.seq) == Some(&now.hash) {
                    exported.remove(&now.seq);
                }
            }
            after = end;
        }
    }
    problems.extend(exported.keys().map(|seq| format!("event #{seq} is no longer in the log as exported")));
    for c in verify_checkpoints(&app.db, &bundle.checkpoints, &trusted).await? {
        if let Some(why) = c.problem {
            problems.push(format!("checkpoint #{}: {why}", c.seq));
        }
    }
    checks.push(check("The database now", problems, "the log still holds every event as exported and verifies from its start".into()));

    Ok(BundleReport {
        intact: checks.iter().all(|c| c.ok),
        workspace_name: bundle.workspace_name.clone(),
        from: bundle.from,
        to: bundle.to,
        generated_at: bundle.generated_at,
        events: bundle.events.len(),
        revisions: bundle.revisions.clone(),
        checks,
    })
}
