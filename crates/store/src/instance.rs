//! The instance as a whole, as a backup records and checks it: the
//! migration level, each table's rows, and the blobs the media refer to.

use std::collections::BTreeMap;

use crate::{
    db::{Result, StoreError, Tx},
    sqlite::SqliteTx,
};

/// The last migration applied.
pub async fn migration_level(tx: &mut Tx) -> Result<i64> {
    let (level,) = sql!(tx, one as (Option<i64>,), "SELECT MAX(version) FROM _sqlx_migrations WHERE success")?;
    Ok(level.unwrap_or(0))
}

/// Every table of Greenlight's (not the migrations' own) with its rows.
pub async fn table_rows(tx: &mut Tx) -> Result<BTreeMap<String, i64>> {
    let tables: Vec<(String,)> = match tx {
        Tx::Sqlite(tx) => {
            tx.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'", &[])?
        }
        Tx::Postgres(tx) => {
            sqlx::query_as(
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(&mut **tx)
            .await?
        }
    };
    let mut rows = BTreeMap::new();
    for (table,) in tables {
        // The name comes from the catalogue; quoted all the same.
        if !table.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(StoreError::Corrupt(format!("a table named `{table}`")));
        }
        let count = format!("SELECT COUNT(*) FROM \"{table}\"");
        let (n,): (i64,) = match tx {
            Tx::Sqlite(tx) => SqliteTx::one(tx, &count, &[])?,
            Tx::Postgres(tx) => sqlx::query_as(sqlx::AssertSqlSafe(count)).fetch_one(&mut **tx).await?,
        };
        rows.insert(table, n);
    }
    Ok(rows)
}

/// The content addresses of every medium and thumbnail, each once.
pub async fn blob_keys(tx: &mut Tx) -> Result<Vec<String>> {
    let rows = sql!(
        tx,
        all as (String,),
        "SELECT blob_key FROM media UNION SELECT thumbnail_key FROM media WHERE thumbnail_key IS NOT NULL ORDER BY 1"
    )?;
    Ok(rows.into_iter().map(|(key,)| key).collect())
}
