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
    pub(crate) fn text(self) -> String {
        // Microseconds: the precision PostgreSQL keeps, so both backends agree.
        self.0.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

/// Reads the fixed-width text [`DbTime::text`] writes, by position: a
/// period's analytics read tens of thousands of timestamps, and jiff's
/// general RFC 3339 parser took a tenth of it. Anything else (`None`) goes
/// to jiff.
fn parse_fixed(t: &[u8]) -> Option<Timestamp> {
    let [_, _, _, _, b'-', _, _, b'-', _, _, b'T', _, _, b':', _, _, b':', _, _, b'.', _, _, _, _, _, _, b'Z'] = t else {
        return None;
    };
    let n = |from: usize, to: usize| t[from..to].iter().try_fold(0i64, |n, &b| b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0')));
    let (year, month, day) = (n(0, 4)?, n(5, 7)?, n(8, 10)?);
    let (hour, minute, second, micros) = (n(11, 13)?, n(14, 16)?, n(17, 19)?, n(20, 26)?);
    // Checks the day exists in its month.
    jiff::civil::Date::new(i16::try_from(year).ok()?, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let of_era = y - era * 400;
    let of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let days = era * 146_097 + of_era * 365 + of_era / 4 - of_era / 100 + of_year - 719_468;
    Timestamp::new(days * 86_400 + hour * 3_600 + minute * 60 + second, i32::try_from(micros * 1_000).ok()?).ok()
}

pub(crate) fn parse(text: &str) -> Result<Timestamp, jiff::Error> {
    match parse_fixed(text.as_bytes()) {
        Some(at) => Ok(at),
        None => text.parse(),
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
        Ok(DbTime(parse(text)?))
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
        parse(text).map(DbTime).map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_width_text_reads_back_as_jiff_reads_it() {
        for text in [
            "1970-01-01T00:00:00.000000Z",
            "1969-12-31T23:59:59.999999Z",
            "2000-02-29T12:34:56.000001Z",
            "2024-03-01T00:00:00.500000Z",
            "1600-03-01T01:02:03.000000Z",
            "9999-12-30T12:00:00.999999Z",
            "0001-01-01T00:00:00.000000Z",
        ] {
            let jiff: Timestamp = text.parse().expect("jiff reads it");
            assert_eq!(parse_fixed(text.as_bytes()), Some(jiff), "{text}");
            assert_eq!(DbTime(jiff).text(), text);
        }
        let now = Timestamp::now();
        let text = DbTime(now).text();
        assert_eq!(parse(&text).expect("read"), text.parse::<Timestamp>().expect("jiff"));
    }

    #[test]
    fn other_texts_are_left_to_jiff() {
        for text in ["2023-02-29T00:00:00.000000Z", "2024-01-01T24:00:00.000000Z", "2024-01-01T00:00:00.00000aZ", "2024-01-01 00:00:00"] {
            assert_eq!(parse_fixed(text.as_bytes()), None, "{text}");
        }
        assert_eq!(parse("2024-01-01T00:00:00Z").expect("jiff reads it"), "2024-01-01T00:00:00Z".parse::<Timestamp>().expect("jiff"));
        assert!(parse("2023-02-29T00:00:00.000000Z").is_err());
    }
}
