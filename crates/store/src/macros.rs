/// Runs one SQL text on the transaction's backend.
///
/// `sql!(tx, exec, "…", args…)` returns the number of rows affected;
/// `sql!(tx, one | optional | all as Row, "…", args…)` decodes rows (a
/// tuple, or a struct declared with [`row!`]). The text and the bind list
/// are written once; the macro expands them for each backend, so a query
/// cannot drift between them.
macro_rules! sql {
    ($tx:expr, exec, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => tx.exec($sql, &[$(&$arg as &dyn rusqlite::ToSql),*]),
            $crate::db::Tx::Postgres(tx) => sqlx::query($sql)$(.bind($arg))*.execute(&mut **tx).await
                .map(|r| r.rows_affected()).map_err($crate::db::StoreError::from),
        }
    };
    ($tx:expr, one as $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        sql!(@fetch $tx, one, fetch_one, $ty, $sql $(, $arg)*)
    };
    ($tx:expr, optional as $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        sql!(@fetch $tx, optional, fetch_optional, $ty, $sql $(, $arg)*)
    };
    ($tx:expr, all as $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        sql!(@fetch $tx, all, fetch_all, $ty, $sql $(, $arg)*)
    };
    (@fetch $tx:expr, $sqlite:ident, $pg:ident, $ty:ty, $sql:expr $(, $arg:expr)*) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => tx.$sqlite::<$ty>($sql, &[$(&$arg as &dyn rusqlite::ToSql),*]),
            $crate::db::Tx::Postgres(tx) => sqlx::query_as::<_, $ty>($sql)$(.bind($arg))*.$pg(&mut **tx).await
                .map_err($crate::db::StoreError::from),
        }
    };
}

/// A row struct, decoded by column name on either backend.
macro_rules! row {
    (struct $name:ident { $($field:ident: $ty:ty),* $(,)? }) => {
        #[derive(sqlx::FromRow)]
        struct $name {
            $($field: $ty),*
        }

        impl $crate::sqlite::FromRow for $name {
            const COLUMNS: Option<&'static [&'static str]> = Some(&[$(stringify!($field)),*]);

            fn from_row(row: &rusqlite::Row<'_>, at: &[usize]) -> rusqlite::Result<Self> {
                let mut at = at.iter().copied();
                Ok($name { $($field: row.get($crate::sqlite::next_column(&mut at, stringify!($field))?)?),* })
            }
        }
    };
}
