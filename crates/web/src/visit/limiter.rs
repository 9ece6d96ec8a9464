//! Failed attempts per client network: too many, and the network is refused for a while.

use super::*;

/// Whether the address's network has failed too often: it is then
/// refused everything (valid tokens too) until its window ends, so
/// guessing tokens gains nothing. Counted in the database, so the limit
/// holds across instances.
pub(super) async fn blocked(state: &AppState, ip: IpAddr) -> Result<bool, Error> {
    state.link_limit.exhausted(&state.app, &key(ip).to_string()).await
}

/// Counts a failure against the address's network.
pub(super) async fn failed(state: &AppState, ip: IpAddr) {
    if let Err(err) = state.link_limit.failed(&state.app, &key(ip).to_string()).await {
        // The visitor's answer does not depend on it; the log says it.
        tracing::error!(error = %err, "counting a failed link visit");
    }
}

/// Counts an attempt before a slow check (a password); `None` once the
/// network is over its limit. A success gives it back.
pub(super) async fn attempt(state: &AppState, ip: IpAddr) -> Result<Option<Attempt>, Error> {
    state.link_limit.attempt(&state.app, &key(ip).to_string()).await
}

/// The unit a limit applies to: an IPv4 address, or an IPv6 /64 (one
/// subscriber's network, whose addresses are theirs to rotate).
pub(super) fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The client's address: the peer's, or, behind a reverse proxy that the
/// settings name a header for, the last address that header carries (the
/// one the proxy itself saw).
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut http::request::Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer =
            parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        let forwarded = state.settings.client_ip_header.as_deref().and_then(|name| {
            let last = parts.headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).last()?;
            last.trim().parse::<IpAddr>().ok()
        });
        Ok(ClientAddr(forwarded.unwrap_or(peer)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_ipv4_addresses_and_ipv6_networks_as_one_key_each() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert_eq!(key(ip("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(key(ip("2001:db8:1:2:aaaa::1")), key(ip("2001:db8:1:2:bbbb::9")), "one /64");
        assert_ne!(key(ip("2001:db8:1:2::1")), key(ip("2001:db8:1:3::1")));
        assert_eq!(key(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
    }
}
