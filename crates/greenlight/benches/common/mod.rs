//! What the benchmarks share: the application on a fresh SQLite database.

use std::{path::Path, sync::Arc, time::Duration};

use greenlight_service::{App, Settings, blobs::FsBlobStore, clock::SystemClock};
use greenlight_store::Db;

/// The application on a fresh SQLite database in `dir`, with no mail server.
pub async fn app(dir: &Path) -> App {
    let db = Db::connect(&format!("sqlite://{}", dir.join("bench.db").display())).await.expect("database");
    db.migrate().await.expect("migrations");
    App {
        db,
        clock: Arc::new(SystemClock),
        blobs: Arc::new(FsBlobStore::new(dir.join("media"))),
        settings: Arc::new(Settings {
            scratch_dir: dir.join("scratch"),
            max_upload_bytes: 1 << 20,
            session_days: 1,
            public_url: "http://127.0.0.1".into(),
            allow_private_webhooks: false,
            allow_private_publishing: false,
        }),
        mailer: None,
        webhooks: Arc::new(greenlight_delivery::HttpSender::new(false).expect("client")),
        links: Arc::new(greenlight_delivery::LinkProber::new(false).expect("client")),
        guides: Default::default(),
        vault: Arc::new(greenlight_service::publishing::Vault::new(&[7; 32])),
        connectors: Arc::new(greenlight_networks::connectors(false).expect("client")),
    }
}

/// The median and 99th percentile of `took`.
pub fn median_p99(took: &mut [Duration]) -> (Duration, Duration) {
    took.sort();
    match took.len() {
        0 => (Duration::ZERO, Duration::ZERO),
        n => (took[n / 2], took[(n * 99 / 100).min(n - 1)]),
    }
}
