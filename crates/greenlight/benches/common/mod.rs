//! What the benchmarks share: the application on a fresh SQLite database.

use std::{path::Path, sync::Arc, time::Duration};

use greenlight_service::{
    App, Settings,
    blobs::FsBlobStore,
    clock::{Clock, SystemClock},
};
use greenlight_store::Db;

/// The application on a fresh SQLite database in `dir`, with no mail server.
#[allow(dead_code, reason = "each bench is its own crate; not every one uses every helper")]
pub async fn app(dir: &Path) -> App {
    app_on(&format!("sqlite://{}", dir.join("bench.db").display()), dir, Arc::new(SystemClock), false).await
}

/// The application on the database `url` (migrated), with `clock`; `local`
/// lets it call local addresses (a sink on this machine).
#[allow(dead_code, reason = "each bench is its own crate; not every one uses every helper")]
pub async fn app_on(url: &str, dir: &Path, clock: Arc<dyn Clock>, local: bool) -> App {
    let db = Db::connect(url).await.expect("database");
    db.migrate().await.expect("migrations");
    App {
        db,
        clock,
        blobs: Arc::new(FsBlobStore::new(dir.join("media"))),
        settings: Arc::new(Settings {
            scratch_dir: dir.join("scratch"),
            max_upload_bytes: 1 << 20,
            session_days: 1,
            public_url: "http://127.0.0.1".into(),
            allow_private_webhooks: local,
            allow_private_publishing: local,
        }),
        mailer: None,
        webhooks: Arc::new(greenlight_delivery::HttpSender::new(local).expect("client")),
        links: Arc::new(greenlight_delivery::LinkProber::new(local).expect("client")),
        guides: Default::default(),
        vault: Arc::new(greenlight_service::publishing::Vault::new(&[7; 32])),
        connectors: Arc::new(greenlight_networks::connectors(local).expect("client")),
        checkpoints: Arc::new(greenlight_service::checkpoints::Signer::new(
            &[8; 32],
            greenlight_service::checkpoints::CheckpointSettings { every: jiff::SignedDuration::from_hours(1), file: None, webhook: None },
        )),
        metrics: Default::default(),
    }
}

/// The median and 99th percentile of `took`.
#[allow(dead_code, reason = "each bench is its own crate; not every one uses every helper")]
pub fn median_p99(took: &mut [Duration]) -> (Duration, Duration) {
    took.sort();
    match took.len() {
        0 => (Duration::ZERO, Duration::ZERO),
        n => (took[n / 2], took[(n * 99 / 100).min(n - 1)]),
    }
}

/// A fresh PostgreSQL database for one run, on the server `server` names.
#[allow(dead_code, reason = "each bench is its own crate; not every one uses every helper")]
pub async fn fresh_pg(server: &str, name: &str) -> String {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(server).await.expect("PostgreSQL");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&mut admin).await.expect("drop");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.expect("create");
    let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
    format!("{base}/{name}")
}
