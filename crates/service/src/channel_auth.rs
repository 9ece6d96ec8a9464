//! Connecting a channel by signing in at its network (OAuth 2 authorization
//! code with PKCE, as Mastodon has it): "Connect" registers Greenlight with
//! the server, sends the person to the server's page where they allow
//! Greenlight to post, and the server sends them back with a code that
//! becomes the channel's access token.
//!
//! What the round trip needs to remember (the server, the client, the PKCE
//! verifier, the `state`) travels sealed with the publishing key in a
//! cookie of the person's own browser, for ten minutes: nothing is stored
//! for a sign-in that is never finished, and any instance can finish it.

use base64::Engine;
use greenlight_domain::{
    Timestamp,
    id::{ChannelId, UserId, WorkspaceId},
    permission::Permission,
};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::{
    App, Caller, access,
    error::{Error, Result},
    publishing::{self, ConnectInput, ConnectionView, OAuthClient, network_of},
};

/// How long a person has to allow Greenlight at their server.
const LASTS: SignedDuration = SignedDuration::from_mins(10);

/// Where the server sends the person back.
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// How a channel is to post, chosen before signing in.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Choices {
    pub visibility: Option<String>,
    pub content_warning: Option<String>,
}

/// A sign-in under way, sealed into the person's cookie.
#[derive(Serialize, Deserialize)]
struct Pending {
    workspace: WorkspaceId,
    channel: ChannelId,
    user: UserId,
    server: String,
    client: OAuthClient,
    verifier: String,
    state: String,
    choices: Choices,
    expires_at: Timestamp,
}

/// Where to send the person, and what to keep in their cookie meanwhile.
pub struct Started {
    pub authorize_url: String,
    pub cookie: String,
}

fn random_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// PKCE's S256 challenge for a verifier.
pub fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// Starts connecting a channel by signing in at `server`.
pub async fn start(app: &App, caller: &Caller, ws: WorkspaceId, channel: ChannelId, server: &str, choices: Choices) -> Result<Started> {
    let network = {
        let mut tx = app.db.read().await?;
        access::require(&mut tx, caller, ws, Permission::ManageChannels).await?;
        network_of(&mut tx, ws, channel).await?
    };
    let user = caller.user.ok_or_else(|| Error::forbidden("err-chan-signed-in", []))?;
    let mut errors = greenlight_domain::validation::Errors::new();
    let server = crate::webhooks::check_url(&mut errors, app.settings.allow_private_publishing, server.trim());
    errors.into_result()?;
    let server = server.ok_or_else(|| Error::field_said("instance", "err-chan-not-url", []))?.as_str().trim_end_matches('/').to_owned();
    let connector =
        app.connectors.get(network).ok_or_else(|| Error::conflict("err-chan-no-connector", [("network", network.title().to_string())]))?;
    let redirect_uri = app.url(CALLBACK_PATH);
    let client = connector.register_client(&server, &redirect_uri).await.map_err(|why| Error::field("instance", why))?;
    let (verifier, state) = (random_token(), random_token());
    let authorize_url = connector
        .authorize_url(&server, &client, &redirect_uri, &state, &challenge(&verifier))
        .ok_or_else(|| Error::conflict("err-chan-credentials", [("network", network.title().to_string())]))?;
    let pending = Pending { workspace: ws, channel, user, server, client, verifier, state, choices, expires_at: app.now() + LASTS };
    let sealed = app.vault.seal(&serde_json::to_vec(&pending).map_err(Error::internal)?)?;
    Ok(Started { authorize_url, cookie: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed) })
}

/// What the server sent back: a code, or its refusal.
pub struct Returned<'a> {
    pub cookie: Option<&'a str>,
    pub state: Option<&'a str>,
    pub code: Option<&'a str>,
    pub error: Option<&'a str>,
}

/// Finishes a sign-in: the code becomes the channel's access token, which
/// is checked and sealed like one given by hand. The workspace it was for
/// and the connection.
pub async fn finish(app: &App, caller: &Caller, back: Returned<'_>) -> Result<(WorkspaceId, ConnectionView)> {
    let lost = || Error::conflict("err-chan-sign-in-lost", []);
    let sealed = back.cookie.and_then(|c| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).ok()).ok_or_else(lost)?;
    let pending: Pending = app.vault.open(&sealed).ok().and_then(|plain| serde_json::from_slice(&plain).ok()).ok_or_else(lost)?;
    if pending.expires_at < app.now() || caller.user != Some(pending.user) || back.state != Some(pending.state.as_str()) {
        return Err(lost());
    }
    if let Some(error) = back.error {
        return Err(Error::conflict("err-chan-denied", [("error", error.to_string())]));
    }
    let code = back.code.filter(|c| !c.is_empty()).ok_or_else(|| Error::conflict("err-chan-no-code", []))?;
    let network = {
        let mut tx = app.db.read().await?;
        access::require(&mut tx, caller, pending.workspace, Permission::ManageChannels).await?;
        network_of(&mut tx, pending.workspace, pending.channel).await?
    };
    let connector =
        app.connectors.get(network).ok_or_else(|| Error::conflict("err-chan-no-connector", [("network", network.title().to_string())]))?;
    let token = connector
        .exchange_code(&pending.server, &pending.client, &app.url(CALLBACK_PATH), code, &pending.verifier)
        .await
        .map_err(|why| Error::conflict("err-chan-no-token", [("why", why.to_string())]))?;
    let input = ConnectInput {
        instance: Some(pending.server),
        access_token: Some(token),
        visibility: pending.choices.visibility,
        content_warning: pending.choices.content_warning,
        ..ConnectInput::default()
    };
    let view = publishing::connect(app, caller, pending.workspace, pending.channel, input).await?;
    Ok((pending.workspace, view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_rfc_7636s_s256() {
        // Computed apart: base64.urlsafe_b64encode(hashlib.sha256(v).digest()).rstrip(b"=") in Python.
        assert_eq!(challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_4W1gXcFxqQMw"), "ZGNkphTNTtMk9PBoZ1d_OhC1LubiV2Ejx3SCn_xs4NU");
    }
}
