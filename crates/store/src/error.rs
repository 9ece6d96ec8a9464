//! What the store's calls fail with, on either backend.

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
    #[error("database: {0}")]
    Sqlite(rusqlite::Error),
    #[error("database: the query answered no row")]
    NoRow,
    #[error("database: no argument for parameter ${0}")]
    Bind(usize),
    #[error("database: closed")]
    Closed,
    /// The commit a SQLite write shared with others failed (group commit).
    #[error("database: the commit failed: {0}")]
    Batch(String),
    #[error("database: {0}")]
    Io(#[from] std::io::Error),
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

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        // The codes sqlx's `is_unique_violation` reads on SQLite.
        const UNIQUE: std::ffi::c_int = 2067;
        const PRIMARY_KEY: std::ffi::c_int = 1555;
        match &err {
            rusqlite::Error::SqliteFailure(e, _) if matches!(e.extended_code, UNIQUE | PRIMARY_KEY) => StoreError::Duplicate,
            _ => StoreError::Sqlite(err),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
