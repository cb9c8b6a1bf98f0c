//! The company filled from its SIREN or SIRET, against the fake of the
//! public directory ("API Recherche d'entreprises", `fake-entreprises`,
//! written from its published OpenAPI, which refuses any request the real
//! API would not take): name, legal form, head office, closed or not; and
//! every failure a clear error, never a half-filled company.

use acquit_core::LegalForm;
use acquit_sync::directory::{DirectoryClient, DirectoryError};

async fn fake() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(fake_entreprises::serve(
        listener,
        fake_entreprises::Config::default(),
    ));
    base
}

async fn control(base: &str, path: &str, body: serde_json::Value) {
    let status = acquit_http::client()
        .build()
        .unwrap()
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{path}: {status}");
}

#[tokio::test]
async fn a_siren_or_a_siret_fills_the_company() {
    let base = fake().await;
    let directory = DirectoryClient::new(&base).unwrap();

    let sole_trader = directory.lookup("732 829 320").await.unwrap().unwrap();
    assert_eq!(sole_trader.legal_name, "CAMILLE ROUX");
    assert_eq!(sole_trader.legal_form, LegalForm::Ei);
    assert_eq!(sole_trader.siret.unwrap().as_str(), "73282932000074");
    let address = sole_trader.address.unwrap();
    assert_eq!(address.lines, vec!["8 rue DE LA ROQUETTE".to_owned()]);
    assert_eq!(
        (address.postcode.as_deref(), address.city.as_deref()),
        (Some("75011"), Some("PARIS 11"))
    );
    assert!(!sole_trader.closed);

    // By the head office's SIRET: the same company.
    let by_siret = directory.lookup("73282932000074").await.unwrap().unwrap();
    assert_eq!(by_siret.siren.as_str(), "732829320");

    let company = directory.lookup("552100554").await.unwrap().unwrap();
    assert_eq!(company.legal_form, LegalForm::Sas);
    assert_eq!(company.address.unwrap().postcode.as_deref(), Some("69003"));
    let closed = directory.lookup("834127656").await.unwrap().unwrap();
    assert!(closed.closed);
    // Abroad: the name, but no address to guess.
    let abroad = directory.lookup("901873422").await.unwrap().unwrap();
    assert_eq!(abroad.address, None);

    // What the client asked, as the fake saw it: the number alone.
    let seen: serde_json::Value = acquit_http::client()
        .build()
        .unwrap()
        .get(format!("{base}/_fake/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &seen.as_array().unwrap()[0];
    assert_eq!(first["status"], 200, "{first}");
    assert!(
        first["query"].as_str().unwrap().starts_with("q=732829320"),
        "{first}"
    );
}

#[tokio::test]
async fn failures_say_what_to_do_and_fill_nothing() {
    let base = fake().await;
    let directory = DirectoryClient::new(&base).unwrap();
    assert_eq!(
        directory.lookup("123456782").await.unwrap(),
        None,
        "unknown"
    );
    assert!(matches!(
        directory.lookup("12345").await,
        Err(DirectoryError::NotANumber(_))
    ));
    // A SIREN whose check digit is wrong never leaves the machine.
    assert!(matches!(
        directory.lookup("732829321").await,
        Err(DirectoryError::NotANumber(_))
    ));
    control(&base, "/_fake/rate-limit", serde_json::json!({})).await;
    assert_eq!(
        directory.lookup("732829320").await,
        Err(DirectoryError::Busy)
    );
    control(
        &base,
        "/_fake/unavailable",
        serde_json::json!({ "seconds": 30 }),
    )
    .await;
    let down = directory.lookup("732829320").await.unwrap_err();
    assert_eq!(down, DirectoryError::Failed { status: 503 });
    assert!(
        down.to_string().contains("type the company's details"),
        "{down}"
    );
    // Offline: nothing listens there.
    let offline = DirectoryClient::new("http://127.0.0.1:9").unwrap();
    assert!(matches!(
        offline.lookup("732829320").await,
        Err(DirectoryError::Unreachable(_))
    ));
    assert!(
        DirectoryClient::new("http://directory.example").is_err(),
        "http only on this machine"
    );
}
