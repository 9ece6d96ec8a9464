//! Any table's rows as plain values, so a whole instance can be copied
//! from one backend to the other (`greenlight copy`) and every table
//! compared on both sides by a checksum.
//!
//! The two schemas name the same tables and columns; they differ in how a
//! value is stored (a UUID is a 16-byte BLOB on SQLite, a timestamp
//! fixed-width text, a boolean an integer). [`Kind`] says what a column
//! holds: PostgreSQL's catalogue knows, SQLite's declared types do not, so
//! [`agree`] takes the more exact kind of the two sides.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use rusqlite::types::{ToSqlOutput, Value as Stored};
use sha2::{Digest, Sha256};
use sqlx::{Postgres, Row, postgres::PgArguments, query::Query};
use uuid::Uuid;

use crate::{
    db::{Result, StoreError, Tx},
    time::DbTime,
};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    Bytes,
    Uuid,
    Time,
    Bool,
}

impl Kind {
    /// The kind one backend stores `self` as, where it has no type of its
    /// own for it (SQLite).
    fn stored_as(self) -> Kind {
        match self {
            Kind::Uuid => Kind::Bytes,
            Kind::Time => Kind::Text,
            Kind::Bool => Kind::Int,
            other => other,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// A table as both catalogues describe it.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// The primary key's columns, in order; empty: the table has none.
    pub key: Vec<String>,
    /// The tables its foreign keys refer to, itself left out.
    pub parents: BTreeSet<String>,
}

/// One value of a row, whichever backend it came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    Uuid(Uuid),
    Time(Timestamp),
    Bool(bool),
}

/// A table's rows in one checksum, whatever order they are read in: the
/// SHA-256 of every row's digest, sorted.
#[derive(Debug, Default)]
pub struct Checksum {
    rows: Vec<[u8; 32]>,
}

impl Checksum {
    pub fn add(&mut self, table: &Table, row: &[Value]) {
        let mut hasher = Sha256::new();
        let mut named: Vec<(&str, &Value)> = table.columns.iter().map(|c| c.name.as_str()).zip(row).collect();
        // By name: the backends may hold a table's columns in another order.
        named.sort_unstable_by_key(|(name, _)| *name);
        for (name, value) in named {
            hasher.update((name.len() as u64).to_le_bytes());
            hasher.update(name.as_bytes());
            let (tag, bytes): (u8, Vec<u8>) = match value {
                Value::Null => (0, Vec::new()),
                Value::Int(n) => (1, n.to_le_bytes().to_vec()),
                Value::Text(text) => (2, text.as_bytes().to_vec()),
                Value::Bytes(bytes) => (3, bytes.clone()),
                Value::Uuid(id) => (4, id.as_bytes().to_vec()),
                Value::Time(at) => (5, at.as_microsecond().to_le_bytes().to_vec()),
                Value::Bool(b) => (6, vec![u8::from(*b)]),
            };
            hasher.update([tag]);
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
        self.rows.push(hasher.finalize().into());
    }

    pub fn rows(&self) -> u64 {
        self.rows.len() as u64
    }

    /// The checksum in hex.
    pub fn finish(mut self) -> String {
        self.rows.sort_unstable();
        let mut hasher = Sha256::new();
        for row in &self.rows {
            hasher.update(row);
        }
        hex::encode(hasher.finalize())
    }
}

/// Every table of Greenlight's (not the migrations' own) as this
/// database's catalogue describes it, by name.
pub async fn tables(tx: &mut Tx) -> Result<Vec<Table>> {
    match tx {
        Tx::Sqlite(tx) => {
            let names: Vec<(String,)> = tx.all(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
                &[],
            )?;
            let mut tables = Vec::new();
            for (name,) in names {
                let columns: Vec<(String, String, i64)> =
                    tx.all("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid", &[&name])?;
                let mut key: Vec<(i64, String)> = columns.iter().filter(|c| c.2 > 0).map(|c| (c.2, c.0.clone())).collect();
                key.sort();
                let parents: Vec<(String,)> = tx.all("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)", &[&name])?;
                let columns = columns
                    .into_iter()
                    .map(|(column, declared, _)| {
                        let declared = declared.to_ascii_uppercase();
                        let kind = if declared.contains("INT") {
                            Kind::Int
                        } else if declared.contains("BLOB") {
                            Kind::Bytes
                        } else if declared.contains("TEXT") {
                            Kind::Text
                        } else {
                            return Err(StoreError::Corrupt(format!(
                                "{name}.{column} is declared `{declared}`, which copying does not know"
                            )));
                        };
                        Ok(Column { name: column, kind })
                    })
                    .collect::<Result<_>>()?;
                let parents = parents.into_iter().map(|(p,)| p).filter(|p| *p != name).collect();
                tables.push(Table { name, columns, key: key.into_iter().map(|(_, k)| k).collect(), parents });
            }
            Ok(tables)
        }
        Tx::Postgres(tx) => {
            let columns: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text, c.data_type::text
                 FROM information_schema.columns c JOIN information_schema.tables t
                   ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> '_sqlx_migrations'
                 ORDER BY c.table_name, c.ordinal_position",
            )
            .fetch_all(&mut **tx)
            .await?;
            let keys: Vec<(String, String)> = sqlx::query_as(
                "SELECT k.table_name::text, k.column_name::text
                 FROM information_schema.table_constraints c JOIN information_schema.key_column_usage k
                   ON k.constraint_schema = c.constraint_schema AND k.constraint_name = c.constraint_name AND k.table_name = c.table_name
                 WHERE c.table_schema = current_schema() AND c.constraint_type = 'PRIMARY KEY'
                 ORDER BY k.table_name, k.ordinal_position",
            )
            .fetch_all(&mut **tx)
            .await?;
            let parents: Vec<(String, String)> = sqlx::query_as(
                "SELECT DISTINCT child.relname::text, parent.relname::text
                 FROM pg_constraint c
                 JOIN pg_class child ON child.oid = c.conrelid
                 JOIN pg_class parent ON parent.oid = c.confrelid
                 JOIN pg_namespace n ON n.oid = c.connamespace
                 WHERE c.contype = 'f' AND n.nspname = current_schema()",
            )
            .fetch_all(&mut **tx)
            .await?;
            let mut tables: BTreeMap<String, Table> = BTreeMap::new();
            for (table, column, data_type) in columns {
                let kind = match data_type.as_str() {
                    "bigint" | "integer" | "smallint" => Kind::Int,
                    "text" | "character varying" => Kind::Text,
                    "bytea" => Kind::Bytes,
                    "uuid" => Kind::Uuid,
                    "timestamp with time zone" => Kind::Time,
                    "boolean" => Kind::Bool,
                    other => {
                        return Err(StoreError::Corrupt(format!("{table}.{column} is of type `{other}`, which copying does not know")));
                    }
                };
                let entry = tables.entry(table.clone()).or_insert_with(|| Table {
                    name: table,
                    columns: Vec::new(),
                    key: Vec::new(),
                    parents: BTreeSet::new(),
                });
                entry.columns.push(Column { name: column, kind });
            }
            for (table, column) in keys {
                if let Some(t) = tables.get_mut(&table) {
                    t.key.push(column);
                }
            }
            for (child, parent) in parents {
                if let Some(t) = tables.get_mut(&child)
                    && child != parent
                {
                    t.parents.insert(parent);
                }
            }
            Ok(tables.into_values().collect())
        }
    }
}

/// The tables as both databases describe them, with the more exact kind
/// of each column and parents before children (so foreign keys hold as
/// rows arrive); every difference between the two schemas if they differ.
pub fn agree(one: Vec<Table>, other: Vec<Table>) -> std::result::Result<Vec<Table>, Vec<String>> {
    let mut problems = Vec::new();
    let mut other: BTreeMap<String, Table> = other.into_iter().map(|t| (t.name.clone(), t)).collect();
    let mut agreed = Vec::new();
    for mut table in one {
        let Some(twin) = other.remove(&table.name) else {
            problems.push(format!("the table {} is only in the source", table.name));
            continue;
        };
        let mut twins: BTreeMap<&str, Kind> = twin.columns.iter().map(|c| (c.name.as_str(), c.kind)).collect();
        for column in &mut table.columns {
            match twins.remove(column.name.as_str()) {
                None => problems.push(format!("the column {}.{} is only in the source", table.name, column.name)),
                Some(kind) if kind == column.kind => {}
                Some(kind) if kind.stored_as() == column.kind => column.kind = kind,
                Some(kind) if column.kind.stored_as() == kind => {}
                Some(kind) => problems
                    .push(format!("{}.{} holds {:?} in the source and {kind:?} in the target", table.name, column.name, column.kind)),
            }
        }
        problems.extend(twins.keys().map(|column| format!("the column {}.{column} is only in the target", table.name)));
        if table.key != twin.key {
            problems.push(format!("the table {} has another primary key in each", table.name));
        }
        table.parents.extend(twin.parents);
        agreed.push(table);
    }
    problems.extend(other.keys().map(|name| format!("the table {name} is only in the target")));
    if !problems.is_empty() {
        return Err(problems);
    }
    // Parents first; among the ready, by name.
    let mut ordered = Vec::with_capacity(agreed.len());
    let mut placed = BTreeSet::new();
    while !agreed.is_empty() {
        let before = agreed.len();
        let (ready, waiting): (Vec<Table>, Vec<Table>) = agreed.into_iter().partition(|t| t.parents.iter().all(|p| placed.contains(p)));
        placed.extend(ready.iter().map(|t| t.name.clone()));
        ordered.extend(ready);
        agreed = waiting;
        if agreed.len() == before {
            return Err(vec![format!(
                "the tables {} refer to each other in a circle",
                agreed.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
            )]);
        }
    }
    Ok(ordered)
}

impl Table {
    /// The primary key's values of `row`.
    pub fn key_of(&self, row: &[Value]) -> Vec<Value> {
        self.key.iter().filter_map(|k| self.columns.iter().position(|c| &c.name == k)).filter_map(|i| row.get(i).cloned()).collect()
    }

    fn key_kinds(&self) -> Vec<Kind> {
        self.key.iter().filter_map(|k| self.columns.iter().find(|c| &c.name == k)).map(|c| c.kind).collect()
    }

    /// Names from the catalogues, quoted all the same.
    fn quoted(name: &str) -> Result<String> {
        if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            Ok(format!("\"{name}\""))
        } else {
            Err(StoreError::Corrupt(format!("a table or column named `{name}`")))
        }
    }
}

/// Up to `limit` rows after the key `after` (all rows of a table without
/// a primary key), in the key's order, each in the order of
/// `table.columns`.
pub async fn page(tx: &mut Tx, table: &Table, after: Option<&[Value]>, limit: usize) -> Result<Vec<Vec<Value>>> {
    let postgres = matches!(tx, Tx::Postgres(_));
    let select = table
        .columns
        .iter()
        .map(|c| {
            let name = Table::quoted(&c.name)?;
            // Read every integer as the widest, whichever width it is stored in.
            Ok(if postgres && c.kind == Kind::Int { format!("{name}::int8") } else { name })
        })
        .collect::<Result<Vec<_>>>()?
        .join(", ");
    let mut sql = format!("SELECT {select} FROM {}", Table::quoted(&table.name)?);
    if !table.key.is_empty() {
        let key = table.key.iter().map(|k| Table::quoted(k)).collect::<Result<Vec<_>>>()?.join(", ");
        if after.is_some() {
            let params = (1..=table.key.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
            sql.push_str(&format!(" WHERE ({key}) > ({params})"));
        }
        sql.push_str(&format!(" ORDER BY {key} LIMIT {limit}"));
    }
    let after = after.unwrap_or_default();
    match tx {
        Tx::Sqlite(tx) => {
            let args: Vec<SqliteValue<'_>> = after.iter().map(SqliteValue).collect();
            let args: Vec<&dyn rusqlite::ToSql> = args.iter().map(|a| a as &dyn rusqlite::ToSql).collect();
            let rows: Vec<Vec<Stored>> = tx.all(&sql, &args)?;
            rows.into_iter()
                .map(|row| row.into_iter().zip(&table.columns).map(|(value, column)| from_sqlite(table, column, value)).collect())
                .collect()
        }
        Tx::Postgres(tx) => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (kind, value) in table.key_kinds().into_iter().zip(after) {
                query = bind(query, kind, value)?;
            }
            let rows = query.fetch_all(&mut **tx).await?;
            rows.iter()
                .map(|row| {
                    table
                        .columns
                        .iter()
                        .enumerate()
                        .map(|(i, column)| {
                            Ok(match column.kind {
                                Kind::Int => row.try_get::<Option<i64>, _>(i)?.map(Value::Int),
                                Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Value::Text),
                                Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map(Value::Bytes),
                                Kind::Uuid => row.try_get::<Option<Uuid>, _>(i)?.map(Value::Uuid),
                                Kind::Time => row.try_get::<Option<DbTime>, _>(i)?.map(|t| Value::Time(t.0)),
                                Kind::Bool => row.try_get::<Option<bool>, _>(i)?.map(Value::Bool),
                            }
                            .unwrap_or(Value::Null))
                        })
                        .collect()
                })
                .collect()
        }
    }
}

/// A value as SQLite stored it, read as the column's kind.
fn from_sqlite(table: &Table, column: &Column, value: Stored) -> Result<Value> {
    Ok(match (column.kind, value) {
        (_, Stored::Null) => Value::Null,
        (Kind::Int, Stored::Integer(n)) => Value::Int(n),
        (Kind::Bool, Stored::Integer(n)) => Value::Bool(n != 0),
        (Kind::Text, Stored::Text(text)) => Value::Text(text),
        (Kind::Bytes, Stored::Blob(bytes)) => Value::Bytes(bytes),
        (Kind::Uuid, Stored::Blob(bytes)) if bytes.len() == 16 => {
            Value::Uuid(Uuid::from_slice(&bytes).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        }
        (Kind::Time, Stored::Text(text)) => Value::Time(
            crate::time::parse(&text)
                .map_err(|e| StoreError::Corrupt(format!("{}.{} holds `{text}`, not a time: {e}", table.name, column.name)))?,
        ),
        (kind, value) => {
            return Err(StoreError::Corrupt(format!(
                "{}.{} holds {:?} where {kind:?} belongs",
                table.name,
                column.name,
                value.data_type()
            )));
        }
    })
}

/// A value as SQLite stores it.
struct SqliteValue<'a>(&'a Value);

impl rusqlite::ToSql for SqliteValue<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Owned(Stored::Null),
            Value::Int(n) => ToSqlOutput::Owned(Stored::Integer(*n)),
            Value::Bool(b) => ToSqlOutput::Owned(Stored::Integer(i64::from(*b))),
            Value::Text(text) => ToSqlOutput::from(text.as_str()),
            Value::Bytes(bytes) => ToSqlOutput::from(bytes.as_slice()),
            Value::Uuid(id) => ToSqlOutput::from(&id.as_bytes()[..]),
            Value::Time(at) => ToSqlOutput::Owned(Stored::Text(DbTime(*at).text())),
        })
    }
}

/// Binds `value` as the column's kind (a NULL needs its type on PostgreSQL).
fn bind<'q>(query: Query<'q, Postgres, PgArguments>, kind: Kind, value: &Value) -> Result<Query<'q, Postgres, PgArguments>> {
    Ok(match (kind, value) {
        (Kind::Int, Value::Int(n)) => query.bind(*n),
        (Kind::Int, Value::Null) => query.bind(None::<i64>),
        (Kind::Text, Value::Text(text)) => query.bind(text.clone()),
        (Kind::Text, Value::Null) => query.bind(None::<String>),
        (Kind::Bytes, Value::Bytes(bytes)) => query.bind(bytes.clone()),
        (Kind::Bytes, Value::Null) => query.bind(None::<Vec<u8>>),
        (Kind::Uuid, Value::Uuid(id)) => query.bind(*id),
        (Kind::Uuid, Value::Null) => query.bind(None::<Uuid>),
        (Kind::Time, Value::Time(at)) => query.bind(DbTime(*at)),
        (Kind::Time, Value::Null) => query.bind(None::<DbTime>),
        (Kind::Bool, Value::Bool(b)) => query.bind(*b),
        (Kind::Bool, Value::Null) => query.bind(None::<bool>),
        (kind, value) => return Err(StoreError::Corrupt(format!("a {value:?} for a column of {kind:?}"))),
    })
}

/// Inserts `rows` (each in the order of `table.columns`) as they are.
pub async fn insert(tx: &mut Tx, table: &Table, rows: &[Vec<Value>]) -> Result<()> {
    let name = Table::quoted(&table.name)?;
    let columns = table.columns.iter().map(|c| Table::quoted(&c.name)).collect::<Result<Vec<_>>>()?.join(", ");
    let width = table.columns.len();
    match tx {
        Tx::Sqlite(tx) => {
            let params = (1..=width).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
            let sql = format!("INSERT INTO {name} ({columns}) VALUES ({params})");
            for row in rows {
                let args: Vec<SqliteValue<'_>> = row.iter().map(SqliteValue).collect();
                let args: Vec<&dyn rusqlite::ToSql> = args.iter().map(|a| a as &dyn rusqlite::ToSql).collect();
                tx.exec(&sql, &args)?;
            }
        }
        Tx::Postgres(tx) => {
            // PostgreSQL takes at most 65,535 parameters in a statement.
            let per_statement = (65_535 / width.max(1)).clamp(1, 1_000);
            for chunk in rows.chunks(per_statement) {
                let values = (0..chunk.len())
                    .map(|r| format!("({})", (1..=width).map(|c| format!("${}", r * width + c)).collect::<Vec<_>>().join(", ")))
                    .collect::<Vec<_>>()
                    .join(", ");
                let mut query = sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO {name} ({columns}) VALUES {values}")));
                for row in chunk {
                    for (column, value) in table.columns.iter().zip(row) {
                        query = bind(query, column.kind, value)?;
                    }
                }
                query.execute(&mut **tx).await?;
            }
        }
    }
    Ok(())
}

/// Rows read or written per round trip.
pub const PAGE: usize = 2_000;

/// Every row of `table`, page by page, in its key's order.
pub async fn each_page(tx: &mut Tx, table: &Table, mut f: impl AsyncFnMut(&[Vec<Value>]) -> Result<()>) -> Result<()> {
    let mut after: Option<Vec<Value>> = None;
    loop {
        let rows = page(tx, table, after.as_deref(), PAGE).await?;
        if !rows.is_empty() {
            f(&rows).await?;
        }
        match rows.last() {
            Some(last) if !table.key.is_empty() && rows.len() == PAGE => after = Some(table.key_of(last)),
            _ => return Ok(()),
        }
    }
}

/// The checksum of every row of `table`.
pub async fn checksum(tx: &mut Tx, table: &Table) -> Result<Checksum> {
    let mut sum = Checksum::default();
    each_page(tx, table, async |rows| {
        for row in rows {
            sum.add(table, row);
        }
        Ok(())
    })
    .await?;
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, columns: &[(&str, Kind)], parents: &[&str]) -> Table {
        Table {
            name: name.into(),
            columns: columns.iter().map(|(n, k)| Column { name: (*n).into(), kind: *k }).collect(),
            key: vec!["id".into()],
            parents: parents.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    #[test]
    fn the_schemas_agree_on_the_more_exact_kind_and_parents_come_first() {
        let sqlite = vec![
            table("comments", &[("id", Kind::Bytes), ("at", Kind::Text)], &["posts"]),
            table("posts", &[("id", Kind::Bytes), ("pinned", Kind::Int)], &["workspaces"]),
            table("workspaces", &[("id", Kind::Bytes)], &[]),
        ];
        let postgres = vec![
            table("workspaces", &[("id", Kind::Uuid)], &[]),
            table("comments", &[("at", Kind::Time), ("id", Kind::Uuid)], &["posts"]),
            table("posts", &[("id", Kind::Uuid), ("pinned", Kind::Bool)], &["workspaces"]),
        ];
        let agreed = agree(sqlite.clone(), postgres.clone()).expect("they agree");
        assert_eq!(agreed.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["workspaces", "posts", "comments"]);
        assert_eq!(agreed[2].columns.iter().map(|c| c.kind).collect::<Vec<_>>(), [Kind::Uuid, Kind::Time]);
        assert_eq!(agreed[1].columns[1].kind, Kind::Bool);
        // Either way round.
        assert_eq!(agree(postgres.clone(), sqlite.clone()).expect("they agree")[1].columns[1].kind, Kind::Bool);

        let mut other = postgres;
        other[0].columns.push(Column { name: "extra".into(), kind: Kind::Text });
        other[2].columns[1].kind = Kind::Text;
        other.pop();
        let problems = agree(sqlite, other).expect_err("they differ");
        assert!(problems.iter().any(|p| p.contains("posts is only in the source")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("workspaces.extra is only in the target")), "{problems:?}");
    }

    #[test]
    fn a_checksum_is_the_rows_whatever_order_they_come_in() {
        let t = table("t", &[("id", Kind::Int), ("name", Kind::Text), ("at", Kind::Time)], &[]);
        let at = Timestamp::from_microsecond(1_700_000_000_123_456).expect("time");
        let rows = [vec![Value::Int(1), Value::Text("a".into()), Value::Time(at)], vec![Value::Int(2), Value::Null, Value::Time(at)]];
        let sum = |rows: &[Vec<Value>]| {
            let mut sum = Checksum::default();
            rows.iter().for_each(|r| sum.add(&t, r));
            sum.finish()
        };
        let forwards = sum(&rows);
        assert_eq!(forwards, sum(&[rows[1].clone(), rows[0].clone()]));
        // A NULL is not an empty text; a microsecond counts.
        assert_ne!(forwards, sum(&[rows[0].clone(), vec![Value::Int(2), Value::Text(String::new()), Value::Time(at)]]));
        let later = at.checked_add(jiff::SignedDuration::from_micros(1)).expect("time");
        assert_ne!(forwards, sum(&[rows[0].clone(), vec![Value::Int(2), Value::Null, Value::Time(later)]]));
    }
}
