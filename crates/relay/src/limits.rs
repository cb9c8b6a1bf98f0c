//! Per-address rate limit of the public pages (`/p/…`, `/v/…`).
//!
//! Why it is built this way:
//! - **A token bucket per client address**: a payer reloading a page or the
//!   return page refreshing itself every 3 s stays far below the rate; a
//!   script fetching bundles in a loop does not.
//! - **IPv6 keyed by its /64**: one host commonly holds a whole /64, so a
//!   per-address key would be no limit at all.
//! - **Bounded memory**: at most [`MAX_BUCKETS`] addresses are tracked.
//!   When full, buckets that have refilled (idle long enough to be full
//!   again, so forgetting them changes nothing) are dropped first, then the
//!   least recently seen half.
//! - **`X-Forwarded-For` only when told** (`--trust-forwarded-for`): behind
//!   a reverse proxy every peer is the proxy, and only the last hop (the
//!   address the proxy itself saw) can be trusted; anything before it is
//!   whatever the client wrote.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::http::Request;

/// Most addresses tracked at once.
pub const MAX_BUCKETS: usize = 65_536;

/// A sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests per minute per address, sustained (0: no limit).
    pub per_minute: u32,
    /// Requests an address may make at once before the rate applies.
    pub burst: u32,
}

impl Default for Rate {
    fn default() -> Self {
        Self {
            per_minute: 120,
            burst: 60,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Token buckets keyed by client address (see the module docs).
#[derive(Debug)]
pub struct RateLimiter {
    rate: Rate,
    max_buckets: usize,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// A limiter at `rate`, tracking at most [`MAX_BUCKETS`] addresses.
    pub fn new(rate: Rate) -> Self {
        Self::with_capacity(rate, MAX_BUCKETS)
    }

    /// A limiter tracking at most `max_buckets` addresses.
    pub fn with_capacity(rate: Rate, max_buckets: usize) -> Self {
        Self {
            rate,
            max_buckets: max_buckets.max(2),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn per_sec(&self) -> f64 {
        f64::from(self.rate.per_minute) / 60.0
    }

    fn burst(&self) -> f64 {
        f64::from(self.rate.burst.max(1))
    }

    /// Takes a token for `ip` at `now`, or says how long until one is
    /// available.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.rate.per_minute == 0 {
            return Ok(());
        }
        let key = key(ip);
        let (per_sec, burst) = (self.per_sec(), self.burst());
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !buckets.contains_key(&key) && buckets.len() >= self.max_buckets {
            self.evict(&mut buckets, now);
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            last: now,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_sec).min(burst);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_sec))
        }
    }

    /// Addresses currently tracked.
    pub fn tracked(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn evict(&self, buckets: &mut HashMap<IpAddr, Bucket>, now: Instant) {
        let refill = Duration::from_secs_f64(self.burst() / self.per_sec());
        buckets.retain(|_, b| now.saturating_duration_since(b.last) < refill);
        if buckets.len() >= self.max_buckets {
            let mut seen: Vec<Instant> = buckets.values().map(|b| b.last).collect();
            let mid = seen.len() / 2;
            let (_, cut, _) = seen.select_nth_unstable(mid);
            let cut = *cut;
            buckets.retain(|_, b| b.last > cut);
        }
    }
}

/// The bucket key: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64.
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The client's address: the peer's (from the listener's connect info), or
/// with `trust_forwarded_for` the last hop of `X-Forwarded-For` when it is
/// an address. None when served without connect info.
pub fn client_ip<B>(req: &Request<B>, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for {
        let last_hop = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        if last_hop.is_some() {
            return last_hop;
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let limiter = RateLimiter::new(Rate {
            per_minute: 60,
            burst: 3,
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(ip("192.0.2.1"), t0), Ok(()));
        }
        let wait = limiter.check(ip("192.0.2.1"), t0).unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
        // Another address has its own bucket.
        assert_eq!(limiter.check(ip("192.0.2.2"), t0), Ok(()));
        // One token per second comes back.
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(limiter.check(ip("192.0.2.1"), t1), Ok(()));
        assert!(limiter.check(ip("192.0.2.1"), t1).is_err());
    }

    #[test]
    fn ipv6_is_keyed_by_its_64_and_mapped_ipv4_as_ipv4() {
        let limiter = RateLimiter::new(Rate {
            per_minute: 60,
            burst: 1,
        });
        let t = Instant::now();
        assert_eq!(limiter.check(ip("2001:db8:1:2::1"), t), Ok(()));
        assert!(limiter.check(ip("2001:db8:1:2::ffff"), t).is_err());
        assert_eq!(limiter.check(ip("2001:db8:1:3::1"), t), Ok(()));
        assert_eq!(limiter.check(ip("192.0.2.9"), t), Ok(()));
        assert!(limiter.check(ip("::ffff:192.0.2.9"), t).is_err());
    }

    #[test]
    fn memory_stays_bounded_under_many_addresses() {
        let limiter = RateLimiter::with_capacity(
            Rate {
                per_minute: 60,
                burst: 2,
            },
            100,
        );
        let t = Instant::now();
        let busy = ip("198.51.100.1");
        limiter.check(busy, t).unwrap();
        limiter.check(busy, t).unwrap();
        for i in 0..10_000u32 {
            let addr = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            let _ = limiter.check(addr, t + Duration::from_millis(u64::from(i)));
            assert!(limiter.tracked() <= 100);
        }
        // Refilled buckets were forgotten, which changes nothing for them.
        let later = t + Duration::from_secs(30);
        assert_eq!(limiter.check(busy, later), Ok(()));
    }

    #[test]
    fn forwarded_for_is_read_only_when_trusted_and_only_its_last_hop() {
        let mut req = Request::new(());
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 4000))));
        req.headers_mut().insert(
            "x-forwarded-for",
            "203.0.113.7, 198.51.100.4".parse().unwrap(),
        );
        assert_eq!(client_ip(&req, false), Some(ip("127.0.0.1")));
        assert_eq!(client_ip(&req, true), Some(ip("198.51.100.4")));
        req.headers_mut()
            .insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(client_ip(&req, true), Some(ip("127.0.0.1")));
        assert_eq!(client_ip(&Request::new(()), false), None);
    }
}
