//! Validated values that arrive from people: parse, don't validate.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::{Said, Words};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must not contain control characters")]
    Control,
}

fn clean(input: &str, max_chars: usize) -> Result<String, NameError> {
    let value = input.trim();
    if value.is_empty() {
        return Err(NameError::Empty);
    }
    if value.chars().count() > max_chars {
        return Err(NameError::TooLong(max_chars));
    }
    if value.chars().any(char::is_control) {
        return Err(NameError::Control);
    }
    Ok(value.to_owned())
}

/// A short human name: a person, a workspace, a group, a campaign, a label.
/// Trimmed, non-empty, at most 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);

impl Name {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, NameError> {
        clean(input, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Name {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, NameError> {
        Self::parse(&value)
    }
}
impl From<Name> for String {
    fn from(value: Name) -> String {
        value.0
    }
}
impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("must be an email address like name@example.org")]
    Malformed,
    #[error("must be at most 254 characters")]
    TooLong,
}

/// An email address, the login name of a user. Stored lower-cased so that
/// `Dana@Example.org` and `dana@example.org` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let value = input.trim().to_lowercase();
        if value.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(EmailError::Malformed);
        };
        let well_formed = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !value.chars().any(|c| c.is_whitespace() || c.is_control() || c == ',' || c == '<' || c == '>');
        if !well_formed {
            return Err(EmailError::Malformed);
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, EmailError> {
        Self::parse(&value)
    }
}
impl From<Email> for String {
    fn from(value: Email) -> String {
        value.0
    }
}
impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("must be at least {} characters", Password::MIN_CHARS)]
    TooShort,
    #[error("must be at most {} characters", Password::MAX_CHARS)]
    TooLong,
}

/// A new password that meets the policy (length only, as NIST SP 800-63B
/// advises: no composition rules). Deliberately neither `Debug` nor `Serialize`.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 1024;

    pub fn parse(input: &str) -> Result<Self, PasswordError> {
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a colour like #1a7f5a")]
pub struct ColourError;

/// A display colour, `#rrggbb`, lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Colour(String);

impl Colour {
    pub fn parse(input: &str) -> Result<Self, ColourError> {
        let value = input.trim();
        let hex = value.strip_prefix('#').ok_or(ColourError)?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ColourError);
        }
        Ok(Self(value.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Colour {
    type Error = ColourError;
    fn try_from(value: String) -> Result<Self, ColourError> {
        Self::parse(&value)
    }
}
impl From<Colour> for String {
    fn from(value: Colour) -> String {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandleError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most 200 characters")]
    TooLong,
    #[error("must not contain spaces or control characters")]
    Whitespace,
}

/// A channel's account handle on its network (`@stmarys@mastodon.social`,
/// `stmarys.bsky.social`, a page id). Networks spell them differently, so
/// only what no network allows is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Handle(String);

impl Handle {
    pub fn parse(input: &str) -> Result<Self, HandleError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(HandleError::Empty);
        }
        if value.chars().count() > 200 {
            return Err(HandleError::TooLong);
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(HandleError::Whitespace);
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Handle {
    type Error = HandleError;
    fn try_from(value: String) -> Result<Self, HandleError> {
        Self::parse(&value)
    }
}
impl From<Handle> for String {
    fn from(value: Handle) -> String {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a known IANA time zone (e.g. Europe/Copenhagen)")]
pub struct ZoneError(pub String);

/// An IANA time zone name that the time zone database knows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ZoneName(String);

impl ZoneName {
    pub fn parse(input: &str) -> Result<Self, ZoneError> {
        let value = input.trim();
        let zone = jiff::tz::TimeZone::get(value).map_err(|_| ZoneError(value.to_owned()))?;
        // Refuse fixed offsets and POSIX strings: only named zones follow DST.
        zone.iana_name().ok_or_else(|| ZoneError(value.to_owned()))?;
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn time_zone(&self) -> jiff::tz::TimeZone {
        // The name was checked when it was parsed; UTC only if the database changed under us.
        jiff::tz::TimeZone::get(&self.0).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

impl TryFrom<String> for ZoneName {
    type Error = ZoneError;
    fn try_from(value: String) -> Result<Self, ZoneError> {
        Self::parse(&value)
    }
}
impl From<ZoneName> for String {
    fn from(value: ZoneName) -> String {
        value.0
    }
}
impl fmt::Display for ZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Said for NameError {
    fn words(&self) -> Option<Words> {
        Some(match self {
            NameError::Empty => Words::new("err-domain-empty", []),
            NameError::TooLong(max) => Words::new("err-domain-too-long", [("max", max.to_string())]),
            NameError::Control => Words::new("err-domain-control", []),
        })
    }
}
impl Said for EmailError {
    fn words(&self) -> Option<Words> {
        Some(match self {
            EmailError::Malformed => Words::new("err-domain-email", []),
            EmailError::TooLong => Words::new("err-domain-too-long", [("max", "254".to_owned())]),
        })
    }
}
impl Said for PasswordError {
    fn words(&self) -> Option<Words> {
        Some(match self {
            PasswordError::TooShort => Words::new("err-domain-too-short", [("min", Password::MIN_CHARS.to_string())]),
            PasswordError::TooLong => Words::new("err-domain-too-long", [("max", Password::MAX_CHARS.to_string())]),
        })
    }
}
impl Said for HandleError {
    fn words(&self) -> Option<Words> {
        Some(match self {
            HandleError::Empty => Words::new("err-domain-empty", []),
            HandleError::TooLong => Words::new("err-domain-too-long", [("max", "200".to_owned())]),
            HandleError::Whitespace => Words::new("err-domain-spaces", []),
        })
    }
}
impl Said for ZoneError {
    fn words(&self) -> Option<Words> {
        Some(Words::new("err-domain-zone", [("zone", self.0.clone())]))
    }
}
impl Said for ColourError {
    fn words(&self) -> Option<Words> {
        Some(Words::new("err-domain-colour", []))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(Name::parse("  Legal ").map(|n| n.0), Ok("Legal".into()));
        assert_eq!(Name::parse("   "), Err(NameError::Empty));
        assert_eq!(Name::parse(&"x".repeat(101)), Err(NameError::TooLong(100)));
        assert_eq!(Name::parse("a\u{7}b"), Err(NameError::Control));
        assert!(Name::parse(&"é".repeat(100)).is_ok());
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(Email::parse(" Dana@Example.ORG ").map(|e| e.0), Ok("dana@example.org".into()));
        for bad in ["", "dana", "@example.org", "dana@", "da na@example.org", "a@b@c", "dana@.org", "x@y."] {
            assert_eq!(Email::parse(bad), Err(EmailError::Malformed), "{bad}");
        }
    }

    #[test]
    fn passwords_have_a_length_policy() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("long enough now").is_ok());
        assert!(Password::parse(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn colours_and_zones() {
        assert_eq!(Colour::parse("#1A7F5A").map(|c| c.0), Ok("#1a7f5a".into()));
        assert!(Colour::parse("1a7f5a").is_err());
        assert!(Colour::parse("#1a7f5").is_err());
        assert!(ZoneName::parse("Europe/Copenhagen").is_ok());
        assert!(ZoneName::parse("Mars/Olympus_Mons").is_err());
        assert!(ZoneName::parse("").is_err());
    }
}
