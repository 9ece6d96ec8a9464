//! Greenlight's messages leaving the building: email over SMTP, webhook
//! deliveries, and the requests that check whether links answer. The
//! service layer decides what to say and when; this crate only delivers.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use async_trait::async_trait;
use greenlight_service::mail::{Mail, Mailer};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
    transport::smtp::authentication::Credentials,
};
use serde::{Deserialize, Serialize};

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Plain text: only for a server on the same machine or in tests.
    None,
    /// Upgrade with STARTTLS (port 587); refuses to send if it cannot.
    Starttls,
    /// TLS from the start (port 465).
    Tls,
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Greenlight <greenlight@example.org>`.
    pub from: String,
}

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(settings: &SmtpSettings) -> Result<Self, String> {
        let builder = match settings.tls {
            TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host),
            TlsMode::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host).map_err(|e| e.to_string())?,
            TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host).map_err(|e| e.to_string())?,
        };
        let mut builder = builder.port(settings.port).timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let from = settings.from.parse::<Mailbox>().map_err(|e| format!("the from address `{}`: {e}", settings.from))?;
        Ok(SmtpMailer { transport: builder.build(), from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &Mail) -> Result<(), String> {
        let address = mail.to.parse().map_err(|e| format!("the address `{}`: {e}", mail.to))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(mail.to_name.clone(), address))
            .subject(&mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
            .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Sends webhook deliveries over HTTPS.
pub struct HttpSender {
    client: reqwest::Client,
}

impl HttpSender {
    /// `allow_private`: whether deliveries may reach private and local
    /// addresses (local testing only).
    pub fn new(allow_private: bool) -> Result<Self, String> {
        Ok(HttpSender { client: http_client(allow_private, Duration::from_secs(15))? })
    }
}

/// An HTTPS client for calls to addresses people configure (webhooks,
/// channels): rustls with the ring provider (the one lettre uses too) and
/// the system's certificate store, no redirects (one could lead where the
/// call may not go), and only public addresses unless `allow_private`.
pub fn http_client(allow_private: bool, timeout: Duration) -> Result<reqwest::Client, String> {
    // Once per process; a second install (tests) is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder =
        reqwest::Client::builder().timeout(timeout).connect_timeout(Duration::from_secs(5)).redirect(reqwest::redirect::Policy::none());
    if !allow_private {
        builder = guarded(builder);
    }
    builder.build().map_err(|e| e.to_string())
}

/// A client that reaches public addresses only: names resolve through
/// [`PublicOnly`], and no proxy from the environment (`HTTPS_PROXY`…) is
/// used, since a proxy resolves names itself and would bypass the check.
fn guarded(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    builder.dns_resolver(Arc::new(PublicOnly)).no_proxy()
}

/// Resolves names to public addresses only. The connection uses what this
/// returns, so a name that answers differently between a check and the
/// request (DNS rebinding) still cannot reach inside.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| !greenlight_domain::webhook::is_private(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[async_trait]
impl greenlight_service::webhooks::WebhookSender for HttpSender {
    async fn post(&self, url: &str, headers: &[(String, String)], body: &[u8]) -> Result<u16, String> {
        let mut request = self.client.post(url).body(body.to_vec());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        // Without the URL: a chat webhook's URL is its credential.
        let response = request.send().await.map_err(|e| e.without_url().to_string())?;
        Ok(response.status().as_u16())
    }
}

/// Asks links whether they answer, for preflight's reachability check:
/// a HEAD (a GET where HEAD is refused), following up to five redirects,
/// none of which may lead to a private or local address unless allowed.
pub struct LinkProber {
    client: reqwest::Client,
    allow_private: bool,
}

impl LinkProber {
    pub fn new(allow_private: bool) -> Result<Self, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        // Names resolve through `PublicOnly`; an address written in the
        // link itself is checked here, at every hop.
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 5 {
                attempt.error("more than five redirects")
            } else if !allow_private && private_literal(attempt.url()) {
                attempt.error("a redirect to a private address")
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .user_agent("Greenlight link check")
            .redirect(policy);
        if !allow_private {
            builder = guarded(builder);
        }
        Ok(LinkProber { client: builder.build().map_err(|e| e.to_string())?, allow_private })
    }
}

/// Whether a URL's host is an address (not a name) on a private network or this machine.
fn private_literal(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => greenlight_domain::webhook::is_private(ip.into()),
        Some(url::Host::Ipv6(ip)) => greenlight_domain::webhook::is_private(ip.into()),
        _ => false,
    }
}

#[async_trait]
impl greenlight_service::preflight::LinkProbe for LinkProber {
    async fn probe(&self, url: &str) -> Result<u16, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("not a link: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err("only http and https links are checked".into());
        }
        if !self.allow_private && private_literal(&parsed) {
            return Err("a private address is not checked".into());
        }
        let status = self.client.head(parsed.clone()).send().await.map_err(describe)?.status().as_u16();
        // Some servers refuse HEAD; ask as a browser would.
        if matches!(status, 403 | 405 | 501) {
            return Ok(self.client.get(parsed).send().await.map_err(describe)?.status().as_u16());
        }
        Ok(status)
    }
}

/// Why a link did not answer, in a reader's words.
fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "it did not answer within 10 seconds".into()
    } else if e.is_redirect() {
        "it redirects too often or to a private address".into()
    } else if e.is_connect() {
        "no connection could be made".into()
    } else {
        e.without_url().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A proxy named in the environment would resolve names itself, past
    /// the guard: the guarded client never talks to it. The check runs in a
    /// child process of this test binary, whose environment names the proxy.
    #[tokio::test]
    async fn a_guarded_client_ignores_proxies_from_the_environment() {
        const CHILD: &str = "GREENLIGHT_PROXY_TEST_PORT";
        if let Ok(port) = std::env::var(CHILD) {
            let proxy = std::net::TcpListener::bind(format!("127.0.0.1:{port}")).ok();
            let client = http_client(false, Duration::from_secs(5)).expect("client");
            let sent = client.get("http://internal.example.invalid/latest/meta-data").send().await;
            assert!(sent.is_err(), "a name with no public address is not reached");
            let proxy = proxy.expect("the port is free");
            proxy.set_nonblocking(true).expect("nonblocking");
            assert!(proxy.accept().is_err(), "the proxy was asked to connect");
            return;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let proxy = format!("http://127.0.0.1:{port}");
        let mut child = std::process::Command::new(std::env::current_exe().expect("this test binary"));
        child.args(["--exact", "tests::a_guarded_client_ignores_proxies_from_the_environment", "--nocapture"]);
        for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"] {
            child.env(name, &proxy);
        }
        let out = child.env(CHILD, port.to_string()).env_remove("NO_PROXY").env_remove("no_proxy").output().expect("the child runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && text.contains("1 passed"), "{text}");
    }
}
