//! What can go wrong in a use case, in terms a client can act on.

use greenlight_domain::validation::{Errors, FieldError, Said, Words};
use greenlight_store::StoreError;

/// A refusal's reason as people read it: its English text (what the API
/// answers) and, where the use case gives them, its catalogue words, so a
/// page writes it in its reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub english: String,
    pub words: Option<Words>,
}

impl Reason {
    /// The catalogue's message `id` (`err-…`) with its values; the English
    /// text is the catalogue's English.
    pub fn said(id: &str, args: impl IntoIterator<Item = (&'static str, String)>) -> Reason {
        let words = Words::new(id, args);
        Reason { english: english(&words), words: Some(words) }
    }
}

/// The catalogue's English for `words`.
fn english(words: &Words) -> String {
    let args: Vec<(&str, greenlight_i18n::Arg)> =
        words.args.iter().map(|(k, v)| (k.as_str(), greenlight_i18n::Arg::Text(v.clone()))).collect();
    greenlight_i18n::lookup(greenlight_i18n::Lang::En, &words.id, &args)
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english)
    }
}

impl From<String> for Reason {
    fn from(english: String) -> Reason {
        Reason { english, words: None }
    }
}

impl From<&str> for Reason {
    fn from(english: &str) -> Reason {
        Reason { english: english.to_owned(), words: None }
    }
}

/// Adding a field's error from the catalogue to a list of them.
pub(crate) trait AddWords {
    fn add_words(&mut self, field: impl Into<String>, id: &str, args: impl IntoIterator<Item = (&'static str, String)>);
}

impl AddWords for Errors {
    fn add_words(&mut self, field: impl Into<String>, id: &str, args: impl IntoIterator<Item = (&'static str, String)>) {
        self.push(said(&field.into(), id, args));
    }
}

/// A field's error from the catalogue's message `id` with its values.
pub fn said(field: &str, id: &str, args: impl IntoIterator<Item = (&'static str, String)>) -> FieldError {
    let words = Words::new(id, args);
    FieldError::said(field, english(&words), words)
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not logged in, or the credentials are not valid.
    #[error("authentication required")]
    Unauthenticated,
    /// Does not exist, or belongs to a workspace the caller cannot see.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("your role does not allow this: {0}")]
    Forbidden(Reason),
    #[error("the input is not valid")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(Reason),
    /// A write on a versioned record came without the version it was based on.
    #[error("send If-Match with the current ETag")]
    VersionRequired,
    #[error("it changed since you read it (now at version {current})")]
    Stale { current: i64 },
    #[error("the upload is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("unsupported file type: {0}")]
    UnsupportedMedia(String),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError::new(field, message)])
    }

    /// A field's error from the catalogue's message `id` with its values.
    pub fn field_said(field: &str, id: &str, args: impl IntoIterator<Item = (&'static str, String)>) -> Self {
        Error::Invalid(vec![said(field, id, args)])
    }

    /// The error of a parse (a name, an email …) as `field`'s, with its words.
    pub fn parsed(field: &str, e: impl Said) -> Self {
        Error::Invalid(vec![FieldError { field: field.to_owned(), message: e.to_string(), words: e.words() }])
    }

    /// A conflict whose reason is the catalogue's message `id`.
    pub fn conflict(id: &str, args: impl IntoIterator<Item = (&'static str, String)>) -> Self {
        Error::Conflict(Reason::said(id, args))
    }

    /// A refusal whose reason is the catalogue's message `id`.
    pub fn forbidden(id: &str, args: impl IntoIterator<Item = (&'static str, String)>) -> Self {
        Error::Forbidden(Reason::said(id, args))
    }

    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Internal(Box::new(err))
    }
}

/// One rule for writes that collide: a duplicate or a change that raced
/// with another is a conflict (409), never an internal error; a use case
/// that knows what collided says so in its own words. (An `If-Match` that
/// names an old version is [`Error::Stale`], 412, checked by the use case.)
impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Duplicate => Error::conflict("err-exists", []),
            StoreError::Stale => Error::conflict("err-changed-meanwhile", []),
            other => Error::internal(other),
        }
    }
}

impl From<Vec<FieldError>> for Error {
    fn from(errors: Vec<FieldError>) -> Self {
        Error::Invalid(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collision_in_the_store_is_a_conflict_by_default() {
        assert!(matches!(Error::from(StoreError::Duplicate), Error::Conflict(_)));
        assert!(matches!(Error::from(StoreError::Stale), Error::Conflict(_)));
        assert!(matches!(Error::from(StoreError::Corrupt("x".into())), Error::Internal(_)));
    }
}
