//! Moving a whole instance from one database to another (SQLite to
//! PostgreSQL when a team grows, and back): every row as it is — ids,
//! timestamps, revisions, reviews, audit events — read from one snapshot
//! of the source and written in one transaction on the target, so a copy
//! is whole or nothing. Then every table's checksum is read back from the
//! target and compared with the source's, and every audit chain is
//! verified on the target.
//!
//! Media blobs are not in the database: they stay where `media.dir` (or
//! the bucket) keeps them, shared by both.

use greenlight_store::{Db, copy, instance};

use crate::{Error, Result, audit};

/// One table as copied.
#[derive(Debug, Clone)]
pub struct TableCopied {
    pub name: String,
    pub rows: u64,
    /// The source's checksum of the table.
    pub checksum: String,
    /// Whether the target's checksum, read back after the copy, is the same.
    pub matches: bool,
}

#[derive(Debug, Clone)]
pub struct Copied {
    pub tables: Vec<TableCopied>,
    /// Audit chains verified on the target.
    pub chains: usize,
    /// Tables whose checksums differ, chains that do not verify; empty:
    /// the target holds what the source held.
    pub problems: Vec<String>,
}

/// Copies everything in `from` into `to`, which is migrated first and must
/// hold nothing yet.
pub async fn copy(from: &Db, to: &Db) -> Result<Copied> {
    to.migrate().await?;
    let mut source = from.read().await?;
    let mut target = to.write().await?;
    let (level, target_level) = (instance::migration_level(&mut source).await?, instance::migration_level(&mut target).await?);
    if level != target_level {
        return Err(Error::field(
            "from",
            if level < target_level {
                format!(
                    "the source is at migration {level} and this Greenlight at {target_level}: run `greenlight migrate` on the source first"
                )
            } else {
                format!("the source is at migration {level}, newer than this Greenlight ({target_level}): copy with the source's version")
            },
        ));
    }
    let filled: Vec<String> = instance::table_rows(&mut target).await?.into_iter().filter(|(_, rows)| *rows > 0).map(|(t, _)| t).collect();
    if !filled.is_empty() {
        return Err(Error::field(
            "to",
            format!("the target database is not empty ({} hold rows): copy into a new database", filled.join(", ")),
        ));
    }
    let tables = copy::agree(copy::tables(&mut source).await?, copy::tables(&mut target).await?)
        .map_err(|problems| Error::field("to", format!("the two schemas differ: {}", problems.join("; "))))?;

    let mut sums = Vec::with_capacity(tables.len());
    for table in &tables {
        let mut sum = copy::Checksum::default();
        copy::each_page(&mut source, table, async |rows| {
            for row in rows {
                sum.add(table, row);
            }
            copy::insert(&mut target, table, rows).await
        })
        .await?;
        sums.push(sum);
    }
    target.commit().await?;
    drop(source);

    // Read back from what the target committed.
    let mut check = to.read().await?;
    let mut copied = Vec::with_capacity(tables.len());
    let mut problems = Vec::new();
    for (table, sum) in tables.iter().zip(sums) {
        let rows = sum.rows();
        let (checksum, there) = (sum.finish(), copy::checksum(&mut check, table).await?);
        let there_rows = there.rows();
        let matches = there.finish() == checksum;
        if !matches {
            problems.push(format!("{}: the target's {there_rows} rows differ from the source's {rows}", table.name));
        }
        copied.push(TableCopied { name: table.name.clone(), rows, checksum, matches });
    }
    drop(check);
    let reports = audit::verify_all(to).await?;
    problems
        .extend(reports.iter().filter(|r| !r.is_intact()).map(|r| format!("the audit chain {} does not verify on the target", r.chain)));
    Ok(Copied { tables: copied, chains: reports.len(), problems })
}
