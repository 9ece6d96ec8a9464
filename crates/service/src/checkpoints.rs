//! Signed checkpoints of the audit chains: made now and then and on demand,
//! exported beyond the database's reach (a file, a webhook, standard
//! output), and checked against the chains later.
//!
//! The chain alone proves only that it is consistent: whoever can write the
//! database can recompute every hash. A checkpoint signs a chain's head with
//! a key the database does not hold, so a chain rewritten or cut short
//! behind an exported checkpoint no longer matches it.

use std::path::PathBuf;

use base64::{Engine as _, engine::general_purpose::STANDARD};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use greenlight_domain::{
    Timestamp,
    audit::{Chain, Checkpoint},
};
use greenlight_store::{Db, audit};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt as _;

use crate::{
    App,
    error::{Error, Result},
    jobs::{self, Job},
};

/// Where checkpoints go besides the database, and how often they are made.
#[derive(Debug, Clone)]
pub struct CheckpointSettings {
    /// Made every this long by the job worker.
    pub every: SignedDuration,
    /// Each checkpoint is appended to this file as a JSON line.
    pub file: Option<PathBuf>,
    /// Each batch is POSTed here as a JSON array.
    pub webhook: Option<String>,
}

/// Signs checkpoints with the instance's audit key.
pub struct Signer {
    key: SigningKey,
    pub settings: CheckpointSettings,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("public_key", &self.public_key()).field("settings", &self.settings).finish()
    }
}

impl Signer {
    pub fn new(seed: &[u8; 32], settings: CheckpointSettings) -> Self {
        Signer { key: SigningKey::from_bytes(seed), settings }
    }

    /// The key that verifies this signer's checkpoints, base64.
    pub fn public_key(&self) -> String {
        STANDARD.encode(self.key.verifying_key().as_bytes())
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The key itself, for what else the instance signs (audit exports).
    pub(crate) fn key(&self) -> &SigningKey {
        &self.key
    }

    fn sign(&self, chain: Chain, seq: i64, head: greenlight_domain::canonical::Hash, at: Timestamp) -> Checkpoint {
        let chain = chain.to_string();
        let signature = self.key.sign(&Checkpoint::message(&chain, seq, head, at).0);
        Checkpoint { chain, seq, head, at, public_key: self.public_key(), signature: STANDARD.encode(signature.to_bytes()) }
    }
}

/// A public key from its base64 text.
pub fn parse_public_key(text: &str) -> std::result::Result<VerifyingKey, String> {
    let bytes = STANDARD.decode(text.trim()).map_err(|_| "the public key is not base64".to_owned())?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| "the public key must be 32 bytes".to_owned())?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "not an Ed25519 public key".to_owned())
}

/// Whether `trusted` signed the checkpoint as it reads.
pub fn check_signature(c: &Checkpoint, trusted: &VerifyingKey) -> std::result::Result<(), String> {
    if c.public_key != STANDARD.encode(trusted.as_bytes()) {
        return Err("signed by another key".into());
    }
    let bytes = STANDARD.decode(&c.signature).map_err(|_| "the signature is not base64".to_owned())?;
    let bytes: [u8; 64] = bytes.try_into().map_err(|_| "the signature must be 64 bytes".to_owned())?;
    trusted
        .verify(&Checkpoint::message(&c.chain, c.seq, c.head, c.at).0, &Signature::from_bytes(&bytes))
        .map_err(|_| "the signature does not match (the checkpoint was changed or forged)".to_owned())
}

/// Signs every chain's head now, keeps the checkpoints and exports them.
pub async fn checkpoint(app: &App) -> Result<Vec<Checkpoint>> {
    let now = app.now();
    let mut tx = app.db.write().await?;
    let mut made = Vec::new();
    for chain in audit::chains(&mut tx).await? {
        let Some((seq, head)) = audit::head(&mut tx, chain).await?.filter(|(seq, _)| *seq > 0) else { continue };
        let checkpoint = app.checkpoints.sign(chain, seq, head, now);
        audit::insert_checkpoint(&mut tx, &checkpoint).await?;
        made.push(checkpoint);
    }
    tx.commit().await?;
    export(app, &made).await?;
    Ok(made)
}

/// Appends to the file and posts to the webhook (an error retries the job;
/// checkpoints are idempotent, so a repeat only repeats lines).
async fn export(app: &App, made: &[Checkpoint]) -> Result<()> {
    if made.is_empty() {
        return Ok(());
    }
    let settings = &app.checkpoints.settings;
    if let Some(path) = &settings.file {
        let mut lines = String::new();
        for c in made {
            lines.push_str(&serde_json::to_string(c).map_err(Error::internal)?);
            lines.push('\n');
        }
        let mut file = tokio::fs::OpenOptions::new().create(true).append(true).open(path).await.map_err(Error::internal)?;
        file.write_all(lines.as_bytes()).await.map_err(Error::internal)?;
        file.sync_data().await.map_err(Error::internal)?;
    }
    if let Some(url) = &settings.webhook {
        let body = serde_json::to_vec(made).map_err(Error::internal)?;
        let headers = [("content-type".to_owned(), "application/json".to_owned())];
        match app.webhooks.post(url, &headers, &body).await {
            Ok(status) if (200..300).contains(&status) => {}
            Ok(status) => return Err(Error::Internal(format!("the checkpoint webhook answered {status}").into())),
            Err(e) => return Err(Error::Internal(format!("the checkpoint webhook: {e}").into())),
        }
    }
    Ok(())
}

/// What checking one exported checkpoint against the chain found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckpointCheck {
    pub chain: String,
    pub seq: i64,
    pub at: Timestamp,
    /// Why it does not hold; `None`: the chain still extends it.
    pub problem: Option<String>,
}

/// Checks each checkpoint's signature with the trusted key, then that its
/// chain still has, at its position, the event it signed. (That the chain
/// links from there to its head is [`crate::audit::verify_all`]'s part.)
pub async fn verify_checkpoints(db: &Db, checkpoints: &[Checkpoint], trusted: &VerifyingKey) -> Result<Vec<CheckpointCheck>> {
    let mut tx = db.read().await?;
    let mut checks = Vec::with_capacity(checkpoints.len());
    for c in checkpoints {
        let problem = match (check_signature(c, trusted), Chain::parse(&c.chain)) {
            (Err(why), _) => Some(why),
            (Ok(()), None) => Some("no such chain".into()),
            (Ok(()), Some(chain)) => match audit::event_at(&mut tx, chain, c.seq).await? {
                None => Some(format!("the chain no longer reaches event #{} (cut short or rewritten)", c.seq)),
                Some(e) if e.hash != c.head => Some(format!("event #{} is not the one signed (the chain was rewritten)", c.seq)),
                Some(_) => None,
            },
        };
        checks.push(CheckpointCheck { chain: c.chain.clone(), seq: c.seq, at: c.at, problem });
    }
    Ok(checks)
}

/// Makes checkpoints when due, then schedules the next time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MakeCheckpoints {
    pub due: Timestamp,
}

impl Job for MakeCheckpoints {
    const KIND: &'static str = "audit.checkpoint";
    const QUEUE: &'static str = "audit";

    fn dedup_key(&self) -> String {
        format!("checkpoint:{}", self.due)
    }

    async fn run(&self, app: &App) -> Result<()> {
        checkpoint(app).await?;
        schedule(app).await
    }
}

/// The next multiple of the interval: every instance names the same time,
/// so starting several schedules one job.
fn next_slot(app: &App) -> Timestamp {
    let every = app.checkpoints.settings.every.as_secs().max(60);
    let now = app.now().as_second();
    Timestamp::from_second((now / every + 1) * every).unwrap_or_else(|_| app.now())
}

/// Schedules the next periodic checkpoints (at start, and after each run;
/// idempotent).
pub async fn schedule(app: &App) -> Result<()> {
    let due = next_slot(app);
    let mut tx = app.db.write().await?;
    jobs::enqueue(&mut tx, app, &MakeCheckpoints { due }, due).await?;
    tx.commit().await?;
    Ok(())
}
