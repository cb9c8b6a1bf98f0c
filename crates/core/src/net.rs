//! Which hosts count as "this machine": the one rule behind "https, except
//! to a loopback address" for the relay URL, the Stripe API base and the
//! tests' and demo's local servers.

use std::net::{IpAddr, Ipv4Addr};

/// True for `localhost`, any 127.0.0.0/8 address and `::1` (bracketed as in
/// a URL or not). A name that merely resolves to loopback does not count:
/// what a name resolves to can change.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback()
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4: Ipv4Addr| v4.is_loopback())
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.8.9.10",
            "::1",
            "[::1]",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "relay.example.org",
            "10.0.0.1",
            "192.168.1.2",
            "localhost.example.org",
            "127.0.0.1.nip.io",
            "",
            "::2",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
