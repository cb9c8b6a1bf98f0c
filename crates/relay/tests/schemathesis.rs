//! The relay against its own OpenAPI document, by schemathesis (PyPI, in
//! the venv `./x setup` makes): the real binary on SQLite, one inbox with a
//! stored event, an open payment link and a published page, then every
//! operation of `GET /openapi.json` generated, positive and negative,
//! with all of schemathesis's checks: no 5xx, every status, content type,
//! header and body as documented, authentication enforced where the
//! document says so (requests without the bearer must not succeed), bad
//! input refused. The exceptions, each with its reason, are in
//! `tests/schemathesis/schemathesis.toml`.
//!
//! The seed is fixed so CI is repeatable; `ACQUIT_SCHEMATHESIS_SEED` and
//! `ACQUIT_SCHEMATHESIS_EXAMPLES` explore further by hand.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Relay, create_inbox, post_signed, put_json};

const SECRET: &str = "whsec_schemathesis_test";
const LINK: &str = "lnk_schemathesis_open_0001";
const DOC: &str = "doc_schemathesis_page_0001";

#[tokio::test(flavor = "multi_thread")]
async fn the_relay_answers_as_its_openapi_document_says() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let inbox = create_inbox(&db, Some(SECRET));
    // Long-polls of a second, and no rate limit on the pages: schemathesis
    // sends hundreds of requests from one address.
    let relay = Relay::start(&db, &["--max-wait", "1", "--page-rate", "0"]);
    let client = acquit_testkit::http();

    assert_eq!(
        post_signed(&client, &relay, &inbox, SECRET, "evt_st_1").await,
        200
    );
    let link = serde_json::json!({
        "status": "open",
        "pay_url": "https://checkout.stripe.com/c/pay/cs_test_st1",
        "invoice_number": "F-2027-0001",
        "amount_due": 12000,
        "currency": "EUR",
        "seller": "Studio Roux",
    });
    let path = format!("/v1/inboxes/{}/links/{LINK}", inbox.inbox);
    let put = put_json(&client, &relay, &path, &inbox.token, &link).await;
    assert_eq!(put.status(), 204);
    let mut bundle = vec![1u8];
    bundle.extend((0..64u8).map(|i| i.wrapping_mul(37)));
    let put = client
        .put(relay.url(&acquit_relay_protocol::document_path(&inbox.inbox, DOC)))
        .bearer_auth(&inbox.token)
        .body(bundle)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 204);

    // The document is served, and parses as OpenAPI.
    let doc: serde_json::Value = client
        .get(relay.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/v1/inboxes/{inbox}/events"]["get"]["security"].is_array());

    // What the document does not list answers the API's JSON error too.
    let nope = client.get(relay.url("/v2/nothing")).send().await.unwrap();
    assert_eq!(nope.status(), 404);
    let body: acquit_relay_protocol::ErrorBody = nope.json().await.unwrap();
    assert_eq!(body.error, "no_route");
    let bad = client
        .get(relay.url(&format!("/v1/inboxes/{}/events?limit=many", inbox.inbox)))
        .bearer_auth(&inbox.token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: acquit_relay_protocol::ErrorBody = bad.json().await.unwrap();
    assert_eq!(body.error, "bad_query");

    let seed = std::env::var("ACQUIT_SCHEMATHESIS_SEED").unwrap_or_else(|_| "1".into());
    let examples = std::env::var("ACQUIT_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "50".into());
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis/schemathesis.toml");
    let schemathesis = acquit_testkit::python().with_file_name("schemathesis");
    let out = tokio::task::spawn_blocking({
        let (url, token, inbox, dir) = (
            relay.url("/openapi.json"),
            inbox.token.clone(),
            inbox.inbox.clone(),
            dir.path().to_owned(),
        );
        move || {
            Command::new(schemathesis)
                .arg("--config-file")
                .arg(config)
                .args(["run", &url, "--no-color", "--seed", &seed])
                .args(["--max-examples", &examples])
                .args(["--generation-database", "none"])
                // The header, not argv's bearer: schemathesis filters it
                // from its report.
                .args(["-H", &format!("Authorization: Bearer {token}")])
                .env("RELAY_INBOX", inbox)
                .env("RELAY_LINK", LINK)
                .env("RELAY_DOC", DOC)
                .current_dir(dir)
                .output()
                .expect("run schemathesis (./x setup installs it)")
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // It did test every operation, and found nothing.
    let operations = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum::<usize>();
    assert!(
        stdout.contains(&format!("Tested: {operations}")),
        "not every one of the {operations} operations was tested:\n{stdout}"
    );
    assert!(stdout.contains("passed"), "{stdout}");
}
