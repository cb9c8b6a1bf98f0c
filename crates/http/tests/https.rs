//! The one TLS stack against a real HTTPS server (Python's, with a
//! throwaway CA): a certificate no trust store knows is refused, and the
//! same server trusted through the OS's trust store (`SSL_CERT_FILE`, which
//! the platform verifier reads on Linux) answers, over ring.

use std::process::Command;

use acquit_testkit::HttpsServer;

/// Set in the child process only: the URL to fetch.
const URL_VAR: &str = "ACQUIT_HTTP_TEST_URL";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_certificate_no_trust_store_knows_is_refused_and_one_it_knows_is_accepted() {
    let server = HttpsServer::start();

    // This process's trust store does not hold the throwaway CA.
    let client = acquit_http::client().build().unwrap();
    let error = runtime()
        .block_on(client.get(server.url()).send())
        .expect_err("an unknown certificate must be refused");
    let chain = format!("{:?}", error_chain(&error));
    assert!(
        chain.contains("UnknownIssuer") || chain.contains("certificate"),
        "not a certificate refusal: {chain}"
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());

    // The environment is read when a client is built, and tests share a
    // process: the trusted case runs in a child process of this binary.
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "fetch_in_child", "--nocapture"])
        .env("SSL_CERT_FILE", server.ca())
        .env(URL_VAR, server.url())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the trusted fetch failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0]["user_agent"], acquit_http::USER_AGENT);
    assert_eq!(requests[0]["tls"], "TLSv1.3");
}

#[test]
#[ignore = "run by the test above, in a process whose SSL_CERT_FILE trusts its server"]
fn fetch_in_child() {
    let url = std::env::var(URL_VAR).expect("run by the test above");
    let client = acquit_http::client().build().unwrap();
    let body = runtime().block_on(async {
        let response = client.get(&url).send().await.expect("trusted: answers");
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    });
    assert_eq!(body, "hello over TLS");
    // What the handshake ran on.
    let provider = rustls::crypto::CryptoProvider::get_default().unwrap();
    assert!(provider.cipher_suites.iter().all(|s| {
        rustls::crypto::ring::default_provider()
            .cipher_suites
            .iter()
            .any(|r| r.suite() == s.suite())
    }));
}

/// The error and its sources, outermost first.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut chain = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        chain.push(format!("{e:?}"));
        source = e.source();
    }
    chain
}
