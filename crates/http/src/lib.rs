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

use std::sync::Arc;

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
    reqwest::Client::builder().user_agent(USER_AGENT)
}

/// The process's rustls crypto provider: ring, unless one was installed
/// before. Idempotent and cheap after the first call.
pub fn install_provider() -> Arc<rustls::crypto::CryptoProvider> {
    if let Some(provider) = rustls::crypto::CryptoProvider::get_default() {
        return provider.clone();
    }
    // Another thread may install between the check and this call: its
    // provider wins and is returned.
    let _ = rustls::crypto::ring::default_provider().install_default();
    rustls::crypto::CryptoProvider::get_default()
        .expect("a crypto provider was just installed")
        .clone()
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
