//! OpenAPI schemas of the domain's string-shaped values. They serialize as
//! strings through hand-written serde impls, which `#[derive(ToSchema)]`
//! cannot see, so each says here what its string looks like.

use utoipa::{
    PartialSchema, ToSchema,
    openapi::{KnownFormat, ObjectBuilder, RefOr, Schema, SchemaFormat, Type},
};

use crate::{
    canonical::Hash,
    id::Id,
    names::{Colour, Email, Handle, Name, ZoneName},
    schedule::PlannedTime,
};

fn string(description: &str, example: &str) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String).description(Some(description)).examples([example])
}

impl<T: ?Sized> PartialSchema for Id<T> {
    fn schema() -> RefOr<Schema> {
        string("A record id: a UUIDv7 in its hyphenated form.", "01936f0e-5a3c-7d2e-9b1f-3c4d5e6f7a8b")
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .into()
    }
}

impl<T: ?Sized> ToSchema for Id<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        "Id".into()
    }
}

/// Implements the schema of a type that travels as a string.
macro_rules! string_schema {
    ($type:ty, $name:literal, $description:literal, $example:literal $(, $extra:ident ($value:expr))*) => {
        impl PartialSchema for $type {
            fn schema() -> RefOr<Schema> {
                string($description, $example)$(.$extra($value))*.into()
            }
        }
        impl ToSchema for $type {
            fn name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }
        }
    };
}

string_schema!(
    Hash,
    "Hash",
    "A SHA-256 digest.",
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    pattern(Some("^sha256:[0-9a-f]{64}$"))
);
string_schema!(
    PlannedTime,
    "PlannedTime",
    "A planned instant with its IANA time zone (RFC 9557). A local time that falls in a daylight-saving gap is refused; one that occurs twice needs its offset.",
    "2026-12-01T09:00:00+01:00[Europe/Copenhagen]"
);
string_schema!(
    Name,
    "Name",
    "A name: trimmed, 1 to 100 characters, no control characters.",
    "Riverside Hospital Marketing",
    min_length(Some(1)),
    max_length(Some(Name::MAX_CHARS))
);
string_schema!(
    Email,
    "Email",
    "An email address, stored lower-case.",
    "dana@example.org",
    format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
);
string_schema!(Colour, "Colour", "A display colour, #rrggbb.", "#1a7f5a", pattern(Some("^#[0-9a-fA-F]{6}$")));
string_schema!(Handle, "Handle", "An account handle on a network.", "@riverside");
string_schema!(ZoneName, "ZoneName", "An IANA time zone name.", "Europe/Copenhagen");
