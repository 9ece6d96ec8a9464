//! The two backends' schemas agree, and a database from the previous
//! release upgrades with its data.

use std::collections::BTreeSet;

use crate::harness::*;

/// A schema as both backends can describe it: tables, their columns with
/// nullability, and indexes by name.
#[derive(Debug, Default, PartialEq, Eq)]
struct Shape {
    columns: BTreeSet<(String, String, bool)>,
    indexes: BTreeSet<(String, String)>,
}

async fn sqlite_shape(url: &str) -> Shape {
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut shape = Shape::default();
    for (table,) in tables {
        let columns: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT name, \"notnull\", pk FROM pragma_table_info($1)").bind(&table).fetch_all(&pool).await.unwrap();
        for (column, not_null, pk) in columns {
            // SQLite lets a primary key other than INTEGER hold NULL unless
            // declared NOT NULL; every key here is written by Greenlight.
            shape.columns.insert((table.clone(), column, not_null == 1 || pk > 0));
        }
    }
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%' AND tbl_name <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    shape.indexes = indexes.into_iter().collect();
    pool.close().await;
    shape
}

async fn postgres_shape(url: &str) -> Shape {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    // Indexes a constraint made (primary keys, UNIQUE) have no name of our
    // choosing; SQLite's are its autoindexes, left out there too.
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.tablename::text, i.indexname::text FROM pg_indexes i
         WHERE i.schemaname = current_schema() AND i.tablename <> '_sqlx_migrations'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace)",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    Shape {
        columns: columns.into_iter().map(|(t, c, nullable)| (t, c, nullable == "NO")).collect(),
        indexes: indexes.into_iter().collect(),
    }
}

fn differences<T: Ord + std::fmt::Debug>(what: &str, sqlite: &BTreeSet<T>, postgres: &BTreeSet<T>) -> Vec<String> {
    let only =
        |a: &BTreeSet<T>, b: &BTreeSet<T>, side: &str| a.difference(b).map(|x| format!("{what} only on {side}: {x:?}")).collect::<Vec<_>>();
    let mut found = only(sqlite, postgres, "SQLite");
    found.extend(only(postgres, sqlite, "PostgreSQL"));
    found
}

/// After every migration, both backends have the same tables, columns,
/// nullability and named indexes.
#[tokio::test]
async fn the_sqlite_and_postgresql_schemas_agree() {
    let sqlite = Harness::start(Backend::Sqlite).await;
    let postgres = Harness::start(Backend::Postgres).await;
    let (a, b) = (sqlite_shape(&sqlite.db_url).await, postgres_shape(&postgres.db_url).await);
    assert!(a.columns.len() > 100 && a.indexes.len() > 10, "the schema was read: {a:?}");
    let mut found = differences("column", &a.columns, &b.columns);
    found.extend(differences("index", &a.indexes, &b.indexes));
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The last migration of the previous release (raise it when a release ships).
const PREVIOUS_RELEASE: i64 = 13;

/// Columns later migrations add that today's code reads on every path the
/// fill takes (a sign-in reads the user's language): the data is made by
/// today's code, so they are lent to the old schema for the fill and taken
/// back before the upgrade, which then adds them for real.
const LENT: &[(&str, &str)] = &[("users", "language TEXT")];

/// Migrations whose tables today's code writes on the fill's paths (the
/// demo's history sets reasons and keeps review facts, a sign-in counts
/// its attempt): lent whole to the
/// old schema for the fill, and dropped (these tables, last first) before
/// the upgrade creates them for real.
const LENT_TABLES: &[(&str, &[&str])] = &[
    ("0017_analytics", &["decision_facts", "stage_facts", "review_facts", "analytics_posts", "workflow_settings"]),
    ("0018_rate_limits", &["rate_limits"]),
    ("0019_followed_events", &["audit_followed"]),
];

/// Runs SQL statements (one, or a migration's script).
async fn execute(h: &Harness, sql: String) {
    match h.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&h.db_url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&pool).await.unwrap();
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&h.db_url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

/// Every table's name and row count.
async fn counts(h: &Harness) -> Vec<(String, i64)> {
    let tables: Vec<String> = match h.backend {
        Backend::Sqlite => {
            sqlite_shape(&h.db_url).await.columns.into_iter().map(|(t, _, _)| t).collect::<BTreeSet<_>>().into_iter().collect()
        }
        Backend::Postgres => {
            postgres_shape(&h.db_url).await.columns.into_iter().map(|(t, _, _)| t).collect::<BTreeSet<_>>().into_iter().collect()
        }
    };
    let mut out = Vec::new();
    for table in tables {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let n: (i64,) = match h.backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&h.db_url).await.unwrap();
                let n = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(&pool).await.unwrap();
                pool.close().await;
                n
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&h.db_url).await.unwrap();
                let n = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(&pool).await.unwrap();
                pool.close().await;
                n
            }
        };
        out.push((table, n.0));
    }
    out
}

/// A database made by the previous release's migrations, holding data in
/// every table, upgrades to the current schema with nothing lost: the
/// audit chains and records verify, and the upgraded instance works on.
#[rstest_reuse::apply(crate::backends)]
async fn a_database_of_the_previous_release_upgrades_with_its_data(#[case] backend: Backend) {
    let h = Harness::start_at_migration(backend, PREVIOUS_RELEASE).await;
    for (table, column) in LENT {
        execute(&h, format!("ALTER TABLE {table} ADD COLUMN {column}")).await;
    }
    let dir = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    for (migration, _) in LENT_TABLES {
        let path = format!("{}/../store/migrations/{dir}/{migration}.sql", env!("CARGO_MANIFEST_DIR"));
        execute(&h, std::fs::read_to_string(path).unwrap()).await;
    }
    greenlight_service::demo::seed_with_history(&h.app, 7).await.unwrap();
    fill_every_table(&h).await;
    for (table, column) in LENT {
        let name = column.split_whitespace().next().unwrap();
        execute(&h, format!("ALTER TABLE {table} DROP COLUMN {name}")).await;
    }
    for (_, tables) in LENT_TABLES {
        for table in *tables {
            execute(&h, format!("DROP TABLE {table}")).await;
        }
    }
    let before = counts(&h).await;
    let empty: Vec<&String> = before.iter().filter(|(_, n)| *n == 0).map(|(t, _)| t).collect();
    assert!(empty.is_empty(), "tables without data: {empty:?}");

    migrate_to(&h.db_url, backend, i64::MAX).await;
    let after = counts(&h).await;
    for (table, n) in &before {
        assert_eq!(after.iter().find(|(t, _)| t == table).map(|(_, m)| *m), Some(*n), "{table} kept its rows");
    }
    let reports = greenlight_service::audit::verify_all(&h.app.db).await.unwrap();
    assert!(reports.len() > 3 && reports.iter().all(|r| r.is_intact()), "{reports:?}");
    // The upgraded instance works on: new writes, and what the new
    // migrations added (signed checkpoints).
    let owner = h.login("owner@upgrade.example.org").await;
    let ws = owner.get("/workspaces").await.body[0]["id"].as_str().unwrap().to_owned();
    let r = owner.post(&format!("/workspaces/{ws}/posts"), serde_json::json!({"title": "After the upgrade"})).await;
    assert_eq!(r.status, reqwest::StatusCode::CREATED, "{}", r.body);
    let made = greenlight_service::checkpoints::checkpoint(&h.app).await.unwrap();
    assert_eq!(made.len(), reports.len(), "every chain is signed");
    // The history before the upgrade is measured once the server starts:
    // the review facts are folded from the audit log.
    greenlight_service::analytics::rebuild_missing(&h.app).await.unwrap();
    h.worker().drain().await.unwrap();
    let facts = counts(&h).await.into_iter().find(|(t, _)| t == "review_facts").map(|(_, n)| n);
    assert!(facts.is_some_and(|n| n > 5), "the demo's reviews measured after the upgrade: {facts:?}");
}

/// Adds what the demo leaves empty, through the API as an owner would
/// (every write route once), plus the rows only email and link checks make.
async fn fill_every_table(h: &Harness) {
    let ids = crate::authz::ids(h, "upgrade").await;
    let owner = h.login("owner@upgrade.example.org").await;
    for r in crate::authz::routes().into_iter().filter(|r| [reqwest::Method::POST, reqwest::Method::PUT].contains(&r.method)) {
        let body: serde_json::Value = serde_json::from_str(&crate::authz::fill(&r.body.to_string(), &ids, "owner")).unwrap();
        let path = crate::authz::fill(r.path, &ids, "owner");
        let url = if r.query.is_empty() { path } else { format!("{path}?{}", r.query) };
        let mut req = owner.request(r.method.clone(), &url);
        if !body.is_null() {
            req = req.json(&body);
        }
        Client::send(req).await;
    }
    // A channel with its connection (the Bluesky channel above has none).
    let ch = owner
        .post(
            &format!("/workspaces/{}/channels", ids.ws),
            serde_json::json!({"network": "webhook", "handle": "site", "display_name": "Site"}),
        )
        .await;
    let path = format!("/workspaces/{}/channels/{}/connection", ids.ws, ch.body["id"].as_str().unwrap());
    let connected = owner.put(&path, serde_json::json!({"url": "http://127.0.0.1:9/publish"})).await;
    assert_eq!(connected.status, reqwest::StatusCode::OK, "{}", connected.body);
    h.pass(jiff::SignedDuration::ZERO).await;
    let ws = greenlight_domain::id::WorkspaceId::from_uuid(ids.ws.parse().unwrap());
    let post = greenlight_domain::id::PostId::from_uuid(ids.post.parse().unwrap());
    let mut tx = h.app.db.write().await.unwrap();
    let review = greenlight_store::workflows::latest_review(&mut tx, post).await.unwrap().unwrap();
    let member = greenlight_store::workspaces::members(&mut tx, ws).await.unwrap()[0].user_id;
    let now = h.app.now();
    let link = greenlight_store::notifications::DecisionLink {
        id: uuid::Uuid::now_v7(),
        user_id: member,
        workspace_id: ws,
        post_id: post,
        review_id: review.id,
        stage_key: "review".into(),
        round: 1,
        revision: *review.run.current_revision(),
        created_at: now,
        expires_at: now + jiff::SignedDuration::from_hours(24),
        used_at: None,
    };
    greenlight_store::notifications::insert_decision_link(&mut tx, &link, "token-hash").await.unwrap();
    let check =
        greenlight_store::preflight::LinkCheck { url: "https://example.org/".into(), ok: true, detail: "200".into(), checked_at: now };
    greenlight_store::preflight::record_link_check(&mut tx, ws, &check).await.unwrap();
    tx.commit().await.unwrap();
}
