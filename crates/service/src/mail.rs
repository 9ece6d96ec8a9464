//! Mail delivery: a message, and what sends it (SMTP, in the `delivery`
//! crate). Every message goes out through the job queue, so a mail server
//! that is down means retries with backoff, then a failed job on record —
//! never a silent loss.

use askama::Template;

use crate::error::{Error, Result};

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Sends mail. An error is retried by the job queue.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &Mail) -> std::result::Result<(), String>;
}

/// Sends `mail` through `mailer`, counted for `/metrics`.
pub(crate) async fn send(app: &crate::App, mailer: &dyn Mailer, mail: &Mail) -> std::result::Result<(), String> {
    let sent = mailer.send(mail).await;
    app.metrics.delivery(crate::metrics::Channel::Email, sent.is_ok());
    sent
}

/// The language a user's email is written in: theirs, else English.
pub(crate) fn language(user: Option<&greenlight_store::accounts::User>) -> greenlight_i18n::Lang {
    user.and_then(|u| u.language.as_deref()).and_then(greenlight_i18n::Lang::parse).unwrap_or_default()
}

/// A message body from its template.
pub fn render(t: &impl Template) -> Result<String> {
    t.render().map_err(Error::internal)
}
