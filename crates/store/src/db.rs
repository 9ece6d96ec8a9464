//! Connecting, migrating, and transactions on either backend.

use std::{str::FromStr, time::Duration};

use sqlx::{
    PgPool, Postgres, Sqlite, SqlitePool, Transaction,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unknown database URL scheme `{0}`: use sqlite:… or postgres://…")]
    UnknownScheme(String),
    #[error("bad database URL: {0}")]
    BadUrl(String),
    /// A unique constraint refused the write; the caller knows which.
    #[error("already exists")]
    Duplicate,
    /// An optimistic-concurrency check failed: someone else wrote first.
    #[error("the record changed since it was read")]
    Stale,
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Db(sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(e) if e.is_unique_violation() => StoreError::Duplicate,
            _ => StoreError::Db(err),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A connection pool on one backend.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite allows one writer at a time: a one-connection write pool makes
    /// writers queue in the application instead of failing with SQLITE_BUSY,
    /// while reads run in parallel on their own pool (WAL).
    Sqlite {
        write: SqlitePool,
        read: SqlitePool,
    },
    Postgres(PgPool),
}

/// A transaction on one backend.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Db {
    /// Whether one process owns the database (SQLite), rather than
    /// instances sharing it (PostgreSQL).
    pub fn single_process(&self) -> bool {
        matches!(self, Db::Sqlite { .. })
    }

    /// Opens the database the URL names (`sqlite:path` or `postgres://…`),
    /// creating a SQLite file if it is missing.
    pub async fn connect(url: &str) -> Result<Db> {
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
                let write = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
                let read = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
                Ok(Db::Sqlite { write, read })
            }
            "postgres" | "postgresql" => {
                let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::BadUrl(e.to_string()))?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
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
            Db::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite").run(write).await?,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// A transaction for writing. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read-then-write never fails half way.
    pub async fn write(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A transaction for reading: one consistent snapshot (SQLite's WAL
    /// gives one; PostgreSQL needs REPEATABLE READ, or each statement would
    /// see what committed since the last).
    pub async fn read(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite { read, .. } => Tx::Sqlite(read.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?),
        })
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        let mut tx = self.read().await?;
        sql!(&mut tx, one as (i32,), "SELECT 1")?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { write, read } => {
                write.close().await;
                read.close().await;
            }
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
