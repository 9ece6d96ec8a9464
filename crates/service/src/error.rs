//! What can go wrong in a use case, in terms a client can act on.

use greenlight_domain::validation::FieldError;
use greenlight_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not logged in, or the credentials are not valid.
    #[error("authentication required")]
    Unauthenticated,
    /// Does not exist, or belongs to a workspace the caller cannot see.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("your role does not allow this: {0}")]
    Forbidden(String),
    #[error("the input is not valid")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
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
            StoreError::Duplicate => Error::Conflict("it already exists".into()),
            StoreError::Stale => Error::Conflict("it changed meanwhile; reload and try again".into()),
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
