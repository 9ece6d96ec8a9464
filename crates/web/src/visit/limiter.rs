//! Failed attempts per client address: too many, and the address is refused for a while.

use super::*;

/// Failed attempts per address. governor's limiters count every request;
/// here only failures count, and an address over the limit is refused
/// everything (valid tokens too) until its window ends, so guessing tokens
/// gains nothing.
pub struct FailureLimiter {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// How many addresses the limiter remembers before it forgets quiet ones.
const LIMITER_KEYS: usize = 10_000;

impl FailureLimiter {
    pub fn new(max_per_minute: u32) -> Self {
        FailureLimiter { max: max_per_minute.max(1), window: Duration::from_secs(60), seen: Mutex::new(HashMap::new()) }
    }

    pub(super) fn blocked(&self, ip: IpAddr) -> bool {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(&key(ip)).is_some_and(|(start, n)| start.elapsed() < self.window && *n >= self.max)
    }

    pub(super) fn failed(&self, ip: IpAddr) {
        self.with_entry(ip, |n| *n += 1);
    }

    /// Counts an attempt *before* a slow check (a password's Argon2), so
    /// that guesses sent at once cannot all start before the first failure
    /// is counted; `None` once the address is over its limit. A success
    /// gives its attempt back.
    pub(super) fn attempt(&self, ip: IpAddr) -> Option<Attempt<'_>> {
        let max = self.max;
        let counted = self.with_entry(ip, |n| {
            let under = *n < max;
            if under {
                *n += 1;
            }
            under
        });
        counted.then_some(Attempt { limiter: self, ip })
    }

    /// The address's count in its current window, started afresh when the
    /// window has passed.
    fn with_entry<T>(&self, ip: IpAddr, change: impl FnOnce(&mut u32) -> T) -> T {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > LIMITER_KEYS {
            seen.retain(|_, (start, _)| start.elapsed() < self.window);
            // Still full: a flood from many addresses. Forgetting is safer
            // for memory than tracking without bound.
            if seen.len() > LIMITER_KEYS {
                seen.clear();
            }
        }
        let entry = seen.entry(key(ip)).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        change(&mut entry.1)
    }
}

/// An attempt counted against its address until it succeeds.
pub(super) struct Attempt<'a> {
    limiter: &'a FailureLimiter,
    ip: IpAddr,
}

impl Attempt<'_> {
    pub(super) fn succeeded(self) {
        self.limiter.with_entry(self.ip, |n| *n = n.saturating_sub(1));
    }
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
    fn limits_count_ipv4_addresses_and_ipv6_networks() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert_eq!(key(ip("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(key(ip("2001:db8:1:2:aaaa::1")), key(ip("2001:db8:1:2:bbbb::9")), "one /64");
        assert_ne!(key(ip("2001:db8:1:2::1")), key(ip("2001:db8:1:3::1")));
        assert_eq!(key(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
        let limiter = FailureLimiter::new(2);
        assert!(!limiter.blocked(ip("2001:db8::1")));
        limiter.failed(ip("2001:db8::1"));
        limiter.failed(ip("2001:db8::2"));
        assert!(limiter.blocked(ip("2001:db8::3")), "the same network");
        assert!(!limiter.blocked(ip("203.0.113.7")));
    }
}
