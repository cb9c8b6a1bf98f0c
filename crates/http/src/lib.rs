//! How Acquit's clients speak HTTP(S): the one place that decides the TLS
//! stack and the user agent, so the Stripe, platform, relay, VIES and
//! directory clients cannot drift apart.
//!
//! The TLS stack is rustls with the *ring* crypto provider and the
//! platform's certificate verifier (the OS trust store). Ring because the
//! updater plugin compiles it into the app anyway (its rustls asks for
//! ring); reqwest's own `rustls` feature would add aws-lc-rs, a second
//! crypto library and a C/CMake build. `tests/boundaries.rs` checks that no
//! shipped binary reaches aws-lc, OpenSSL or native-tls.

/// The user agent every client sends: `Acquit/<version>`.
pub const USER_AGENT: &str = concat!("Acquit/", env!("CARGO_PKG_VERSION"));

/// A client builder on the one TLS stack, with Acquit's user agent; callers
/// add their own timeouts.
///
/// reqwest built with `rustls-no-provider` panics when it builds a client
/// and no crypto provider is installed for the process: this installs ring
/// first. When another provider was installed before (the updater plugin
/// installs ring too), that one stays and is used.
pub fn client() -> reqwest::ClientBuilder {
    install_provider();
    #[allow(clippy::disallowed_methods)] // The one place that may.
    reqwest::Client::builder().user_agent(USER_AGENT)
}

/// Makes ring the process's rustls crypto provider unless one was installed
/// before (a concurrent install by another thread wins, which is as good).
/// [`client`] does it; the tests' own clients (`acquit_testkit::http`) too.
pub fn install_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_builds_on_ring_without_a_provider_installed_before() {
        // Without the install, reqwest's build panics ("No rustls crypto
        // provider is configured").
        client().build().expect("a client");
        let provider = rustls::crypto::CryptoProvider::get_default().expect("installed");
        let ring = rustls::crypto::ring::default_provider();
        let names = |p: &rustls::crypto::CryptoProvider| {
            p.cipher_suites
                .iter()
                .map(|s| format!("{:?}", s.suite()))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(provider), names(&ring));
        assert!(USER_AGENT.starts_with("Acquit/"));
    }
}
