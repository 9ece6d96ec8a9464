//! Outgoing webhooks: which events a hook wants, how a delivery is signed
//! (and verified), which addresses a hook may not reach, and how chat
//! services want their messages.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;

/// Where a hook delivers, and so the shape of its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Any HTTPS endpoint: the event as JSON, signed.
    Generic,
    /// A Slack incoming webhook (Block Kit).
    Slack,
    /// A Microsoft Teams incoming webhook (an Adaptive Card).
    Teams,
    /// A Discord webhook (an embed).
    Discord,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Generic => "generic",
            Kind::Slack => "slack",
            Kind::Teams => "teams",
            Kind::Discord => "discord",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        [Kind::Generic, Kind::Slack, Kind::Teams, Kind::Discord].into_iter().find(|k| k.as_str() == input)
    }
}

/// The header a signed delivery carries.
pub const SIGNATURE_HEADER: &str = "Greenlight-Signature";

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>`
/// — the receiver recomputes it and checks the time is recent.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", hex::encode(mac(secret, timestamp, body)))
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC accepts any key"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Whether a signature header is valid for `body`, made within
/// `tolerance_secs` of `now` (what a receiver does).
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64, tolerance_secs: i64) -> bool {
    let mut timestamp = None;
    let mut given = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => given = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(given)) = (timestamp, given) else { return false };
    if now.abs_diff(t) > tolerance_secs.unsigned_abs() {
        return false;
    }
    let mut check = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC accepts any key"));
    check.update(t.to_string().as_bytes());
    check.update(b".");
    check.update(body);
    check.verify_slice(&given).is_ok()
}

/// Whether a hook subscribed with `patterns` wants `action`: `*` is every
/// event, `review.*` every review event, else the exact action.
pub fn wants(patterns: &[String], action: &str) -> bool {
    patterns.iter().any(|p| match p.strip_suffix(".*") {
        _ if p == "*" => true,
        Some(prefix) => action.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.')),
        None => p == action,
    })
}

/// The most event patterns a hook may name.
pub const MAX_PATTERNS: usize = 50;

/// Why a pattern is not one (`None`: it is).
pub fn pattern_error(pattern: &str) -> Option<&'static str> {
    let body = pattern.strip_suffix(".*").unwrap_or(pattern);
    let well_formed = pattern == "*"
        || (!body.is_empty()
            && body.len() <= 64
            && body.split('.').all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
    (!well_formed).then_some("an event like `review.decided`, a family like `review.*`, or `*`")
}

/// Addresses an outgoing webhook may not reach unless the server allows
/// it: this machine, private networks, link-local (cloud metadata), and
/// other ranges that are not the public internet.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => private_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => private_v4(v4),
            None => private_v6(v6),
        },
    }
}

fn private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier NAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // protocol assignments
        || a >= 240 // reserved
}

fn private_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return private_v4(v4);
    }
    let s = ip.segments();
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || s[0] == 0x2001 && s[1] == 0x0db8 // documentation
}

/// The IPv4 address an IPv6 address carries, in every form that carries one:
/// such an address reaches its IPv4 address, so it is judged by it.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        // NAT64: the well-known prefix 64:ff9b::/96 and the local-use 64:ff9b:1::/48 (RFC 8215).
        [0x64, 0xff9b, ..] => Some(v4(s[6], s[7])),
        // IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96 and the deprecated IPv4-compatible ::/96.
        [0, 0, 0, 0, 0, 0xffff, ..] | [0, 0, 0, 0, 0xffff, 0, ..] | [0, 0, 0, 0, 0, 0, ..] => Some(v4(s[6], s[7])),
        // 6to4: 2002:AABB:CCDD::/48.
        [0x2002, ..] => Some(v4(s[1], s[2])),
        // Teredo 2001:0::/32: the client's address, inverted, in the last 32 bits.
        [0x2001, 0, ..] => Some(v4(!s[6], !s[7])),
        _ => None,
    }
}

/// What a chat message says about one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// The post's title.
    pub title: String,
    /// One sentence: "Dana approved it at Legal".
    pub summary: String,
    /// Where the post is.
    pub url: String,
    /// The workspace (and stage), in small print.
    pub context: String,
}

/// The body a chat service's incoming webhook expects. Slack and Discord
/// read their markup in what we send, so inserted text is escaped for it.
pub fn chat_body(kind: Kind, m: &ChatMessage) -> Value {
    match kind {
        Kind::Slack => {
            let title = slack_escape(&m.title);
            let summary = slack_escape(&m.summary);
            json!({
                "text": format!("{title}: {summary}"),
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": format!("*<{}|{title}>*\n{summary}", slack_escape(&m.url))}},
                    {"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(&m.context)}]},
                ],
            })
        }
        Kind::Teams => json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {"type": "TextBlock", "text": m.title, "weight": "Bolder", "wrap": true},
                        {"type": "TextBlock", "text": m.summary, "wrap": true},
                        {"type": "TextBlock", "text": m.context, "isSubtle": true, "size": "Small", "wrap": true},
                    ],
                    "actions": [{"type": "Action.OpenUrl", "title": "Open the post", "url": m.url}],
                },
            }],
        }),
        Kind::Discord => json!({
            "embeds": [{
                "title": discord_escape(&m.title),
                "url": m.url,
                "description": discord_escape(&m.summary),
                "color": 0x17663a,
                "footer": {"text": m.context},
            }],
            // Text from posts never pings anyone.
            "allowed_mentions": {"parse": []},
        }),
        Kind::Generic => json!({ "title": m.title, "summary": m.summary, "url": m.url, "context": m.context }),
    }
}

/// Slack's three control characters (its documented escaping).
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Discord's markdown characters, backslash-escaped.
fn discord_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '[' | ']' | '(' | ')' | '#' | '-') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_anything_changed_does_not() {
        let secret = b"whsec_test";
        let body = br#"{"event":"review.decided"}"#;
        let header = signature(secret, 1_700_000_000, body);
        assert!(header.starts_with("t=1700000000,v1="));
        assert!(verify(secret, &header, body, 1_700_000_100, 300));
        assert!(!verify(secret, &header, br#"{"event":"review.decidee"}"#, 1_700_000_100, 300), "another body");
        assert!(!verify(b"other", &header, body, 1_700_000_100, 300), "another secret");
        assert!(!verify(secret, &header, body, 1_700_001_000, 300), "too old");
        assert!(!verify(secret, &header.replace("t=1700000000", "t=1700000001"), body, 1_700_000_100, 300), "another time");
        assert!(!verify(secret, "garbage", body, 1_700_000_100, 300));
        // The README's recipe, computed by Python's hmac module.
        assert_eq!(header, "t=1700000000,v1=e285cc3c606c32cfe46619855291bd1be6ca7956a53d5c9a517ebd453b845bcc");
    }

    #[test]
    fn patterns_pick_events() {
        let p = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(wants(&p(&["*"]), "post.created"));
        assert!(wants(&p(&["review.*"]), "review.decided"));
        assert!(!wants(&p(&["review.*"]), "reviewer.added"));
        assert!(!wants(&p(&["review.*"]), "review"));
        assert!(wants(&p(&["comment.added"]), "comment.added"));
        assert!(!wants(&p(&["comment.added"]), "comment.edited"));
        assert!(!wants(&[], "post.created"));
        for ok in ["*", "review.*", "comment.added", "share_link.visited"] {
            assert_eq!(pattern_error(ok), None, "{ok}");
        }
        for bad in ["", "Review.*", "review.", "*.decided", "review..x", "a b", "review.**"] {
            assert!(pattern_error(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn private_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "255.255.255.255",
            "64:ff9b::7f00:1",
            "64:ff9b:1::7f00:1",
            "::ffff:0:7f00:1",
            "::127.0.0.1",
            "2002:7f00:1::",
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
        ] {
            assert!(is_private(ip.parse().expect("ip")), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "64:ff9b:1::808:808",
            "::ffff:0:808:808",
            "2002:808:808::",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
        ] {
            assert!(!is_private(ip.parse().expect("ip")), "{ip}");
        }
    }

    #[test]
    fn chat_bodies_escape_what_they_insert() {
        let m = ChatMessage {
            title: "Sale <today> & *bold*".into(),
            summary: "@everyone look".into(),
            url: "https://gl.example/w/1/posts/2".into(),
            context: "Acme · QA".into(),
        };
        let slack = chat_body(Kind::Slack, &m).to_string();
        assert!(slack.contains("Sale &lt;today&gt; &amp; *bold*") && !slack.contains("<today>"), "{slack}");
        assert!(slack.contains("<https://gl.example/w/1/posts/2|"), "{slack}");
        let discord = chat_body(Kind::Discord, &m);
        assert_eq!(discord["embeds"][0]["title"], "Sale <today\\> & \\*bold\\*");
        assert_eq!(discord["allowed_mentions"]["parse"], json!([]));
        let teams = chat_body(Kind::Teams, &m);
        assert_eq!(teams["attachments"][0]["content"]["type"], "AdaptiveCard");
        assert_eq!(teams["attachments"][0]["content"]["actions"][0]["url"], m.url);
    }
}
