//! Field-level validation errors, collected so a client can show every
//! problem at once next to the field it belongs to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A message for a catalogue: its id (`finding-…`, `err-…`) and the values
/// its English text puts in, by name — so a page can write it in its
/// reader's language while the API keeps the English. Numbers are their
/// decimal text, as the English writes them; names are passed as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Words {
    /// e.g. `finding-length-characters`.
    pub id: String,
    #[serde(default)]
    pub args: BTreeMap<String, String>,
}

impl Words {
    pub fn new(id: &str, args: impl IntoIterator<Item = (&'static str, String)>) -> Words {
        Words { id: id.to_owned(), args: args.into_iter().map(|(name, value)| (name.to_owned(), value)).collect() }
    }
}

/// An error people read: its English text (`Display`) and, where it has
/// them, its words for the catalogue.
pub trait Said: std::fmt::Display {
    fn words(&self) -> Option<Words> {
        None
    }
}

/// Text made elsewhere has no words: it is shown as written.
impl Said for String {}
impl Said for &str {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Dotted path of the field in the request body, e.g. `variants.<channel>.text`.
    pub field: String,
    pub message: String,
    /// The message's words, for pages in other languages (the API answers
    /// the English `message`).
    #[serde(skip)]
    pub words: Option<Words>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into(), words: None }
    }

    /// An error whose English `message` comes with its catalogue `words`.
    pub fn said(field: impl Into<String>, message: impl Into<String>, words: Words) -> Self {
        Self { field: field.into(), message: message.into(), words: Some(words) }
    }
}

/// A list of field errors; empty means valid.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Adds an error made elsewhere, keeping its words.
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// Adds an error with its catalogue words.
    pub fn add_said(&mut self, field: impl Into<String>, message: impl Into<String>, words: Words) {
        self.0.push(FieldError::said(field, message, words));
    }

    /// Records the error of a parse, keeping the value when it succeeded.
    pub fn check<T, E: Said>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.0.push(FieldError { field: field.to_owned(), message: e.to_string(), words: e.words() });
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() { Ok(()) } else { Err(self.0) }
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

/// A control character no text may hold: C0 controls but tab, line feed
/// and carriage return (a browser sends a textarea's line breaks as CR LF),
/// and DEL.
pub fn is_refused_control(c: char) -> bool {
    c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')
}
