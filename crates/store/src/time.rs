//! Timestamps in the database: `timestamptz` on PostgreSQL, fixed-width UTC
//! text on SQLite (so `ORDER BY` and `<` compare correctly as text; jiff-sqlx
//! writes variable-width text on SQLite, which would not).

use jiff::Timestamp;
use sqlx::{
    Decode, Encode, Postgres, Sqlite, Type,
    encode::IsNull,
    error::BoxDynError,
    postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef},
    sqlite::{SqliteArgumentsBuffer, SqliteTypeInfo, SqliteValueRef},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DbTime(pub Timestamp);

impl DbTime {
    fn text(self) -> String {
        // Microseconds: the precision PostgreSQL keeps, so both backends agree.
        self.0.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

impl From<Timestamp> for DbTime {
    fn from(value: Timestamp) -> Self {
        DbTime(value)
    }
}

impl Type<Sqlite> for DbTime {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
}

impl Encode<'_, Sqlite> for DbTime {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        <String as Encode<Sqlite>>::encode(self.text(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for DbTime {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        Ok(DbTime(text.parse()?))
    }
}

impl Type<Postgres> for DbTime {
    fn type_info() -> PgTypeInfo {
        <jiff_sqlx::Timestamp as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for DbTime {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <jiff_sqlx::Timestamp as Encode<Postgres>>::encode(jiff_sqlx::Timestamp::from(self.0), buf)
    }
}

impl<'r> Decode<'r, Postgres> for DbTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(DbTime(<jiff_sqlx::Timestamp as Decode<Postgres>>::decode(value)?.to_jiff()))
    }
}

impl rusqlite::ToSql for DbTime {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.text()))
    }
}

impl rusqlite::types::FromSql for DbTime {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = value.as_str()?;
        text.parse().map(DbTime).map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
    }
}
