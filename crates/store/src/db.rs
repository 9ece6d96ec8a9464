//! Connecting, migrating, and transactions on either backend.

use std::{str::FromStr, time::Duration};

use sqlx::{
    PgPool, Postgres, Transaction,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
};

use crate::sqlite::{SqliteDb, SqliteTx};

pub use crate::error::{Result, StoreError};

/// A connection pool on one backend.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite allows one writer at a time: one writer connection makes
    /// writers queue in the application instead of failing with SQLITE_BUSY,
    /// while reads run in parallel on their own connections (WAL).
    Sqlite(SqliteDb),
    Postgres(PgPool),
}

/// Readers beside SQLite's one writer, by default (each keeps its own
/// page cache, so more cost memory).
pub const SQLITE_READERS: u32 = 8;
/// Connections to PostgreSQL an instance holds at most, by default.
pub const POSTGRES_CONNECTIONS: u32 = 16;

/// How a pool's connections are used at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connections {
    /// Working for a request or a job (on SQLite, the writer counts when
    /// held).
    pub busy: usize,
    pub idle: usize,
    pub max: usize,
}

/// A transaction on one backend.
pub enum Tx {
    Sqlite(SqliteTx),
    Postgres(Transaction<'static, Postgres>),
}

impl Db {
    /// Whether one process owns the database (SQLite), rather than
    /// instances sharing it (PostgreSQL).
    pub fn single_process(&self) -> bool {
        matches!(self, Db::Sqlite(_))
    }

    /// Opens the database the URL names (`sqlite:path` or `postgres://…`),
    /// creating a SQLite file if it is missing, with the default number of
    /// connections.
    pub async fn connect(url: &str) -> Result<Db> {
        Db::connect_with(url, None).await
    }

    /// Opens the database with at most `max_connections` (on SQLite, the
    /// readers beside the one writer; `None`: the backend's default).
    pub async fn connect_with(url: &str, max_connections: Option<u32>) -> Result<Db> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or(url);
        match scheme {
            "sqlite" => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|e| StoreError::BadUrl(e.to_string()))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                if url.contains(":memory:") || url.contains("mode=memory") {
                    return Err(StoreError::BadUrl("an in-memory SQLite database cannot be shared by connections: name a file".into()));
                }
                Ok(Db::Sqlite(SqliteDb::open(options, max_connections.unwrap_or(SQLITE_READERS).max(1) as usize)?))
            }
            "postgres" | "postgresql" => {
                let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::BadUrl(e.to_string()))?;
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections.unwrap_or(POSTGRES_CONNECTIONS).max(1))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options.application_name("greenlight"))
                    .await?;
                Ok(Db::Postgres(pool))
            }
            other => Err(StoreError::UnknownScheme(other.chars().take(32).collect())),
        }
    }

    /// Applies the migrations embedded in the binary that are not yet applied.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(db) => db.migrate().await?,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// A transaction for writing. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read-then-write never fails half way.
    pub async fn write(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(db) => Tx::Sqlite(db.write().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A transaction for reading: one consistent snapshot (SQLite's WAL
    /// gives one; PostgreSQL needs REPEATABLE READ, or each statement would
    /// see what committed since the last).
    pub async fn read(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(db) => Tx::Sqlite(db.read().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?),
        })
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        let mut tx = self.read().await?;
        sql!(&mut tx, one as (i32,), "SELECT 1")?;
        Ok(())
    }

    /// A consistent copy of a SQLite database in the new file `path` (one
    /// snapshot, taken beside the writer and the readers); `false` on
    /// PostgreSQL, which `pg_dump` copies.
    pub async fn copy_to(&self, path: &std::path::Path) -> Result<bool> {
        match self {
            Db::Sqlite(db) => {
                let (db, path) = (db.clone(), path.to_owned());
                tokio::task::spawn_blocking(move || db.copy_to(&path)).await.map_err(|_| StoreError::Closed)??;
                Ok(true)
            }
            Db::Postgres(_) => Ok(false),
        }
    }

    /// The connections open now, for `/metrics`.
    pub fn connections(&self) -> Connections {
        match self {
            Db::Sqlite(db) => {
                let (busy, idle, max) = db.connections();
                Connections { busy, idle, max }
            }
            Db::Postgres(pool) => {
                let (open, idle) = (pool.size() as usize, pool.num_idle());
                Connections { busy: open.saturating_sub(idle), idle, max: pool.options().get_max_connections() as usize }
            }
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(db) => db.close(),
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}
