/// Runs one SQL text on the transaction's backend.
///
/// `sql!(tx, exec, "…", args…)` returns the number of rows affected;
/// `sql!(tx, one | optional | all as Row, "…", args…)` decodes rows with
/// `sqlx::FromRow`. The text and the bind list are written once; the macro
/// expands them for each backend, so a query cannot drift between them.
macro_rules! sql {
    ($tx:expr, exec, $sql:expr $(, $arg:expr)* $(,)?) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => sqlx::query($sql)$(.bind($arg))*.execute(&mut **tx).await.map(|r| r.rows_affected()),
            $crate::db::Tx::Postgres(tx) => sqlx::query($sql)$(.bind($arg))*.execute(&mut **tx).await.map(|r| r.rows_affected()),
        }
    };
    ($tx:expr, one as $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        sql!(@fetch $tx, fetch_one, $ty, $sql $(, $arg)*)
    };
    ($tx:expr, optional as $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        sql!(@fetch $tx, fetch_optional, $ty, $sql $(, $arg)*)
    };
    ($tx:expr, all as $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {
        sql!(@fetch $tx, fetch_all, $ty, $sql $(, $arg)*)
    };
    (@fetch $tx:expr, $method:ident, $ty:ty, $sql:expr $(, $arg:expr)*) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx) => sqlx::query_as::<_, $ty>($sql)$(.bind($arg))*.$method(&mut **tx).await,
            $crate::db::Tx::Postgres(tx) => sqlx::query_as::<_, $ty>($sql)$(.bind($arg))*.$method(&mut **tx).await,
        }
    };
}
