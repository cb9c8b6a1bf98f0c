//! The client against the fake PA served in-process on 127.0.0.1 (written
//! from the same OpenAPI files, sharing no code): tokens, a submission,
//! searches, the directory, lifecycle statuses read from the CDAR the
//! fake sends; and every request the client made, as the fake logged it,
//! accepted (the fake checks each against the files' schemas).

use std::time::Duration;

use acquit_pa::flows::{DocType, NewFlow, SearchFilters};
use acquit_pa::{AckStatus, Auth, Client, Config, LineStatus, PaError};
use acquit_secrets::Secret;
use serde_json::{Value, json};

/// A Factur-X EN 16931 (fake-pa's fixture): the platform checks what it
/// carries.
const PDF: &[u8] = include_bytes!("../../fake-pa/tests/fixtures/facturx-en16931.pdf");

struct Fake {
    base: String,
    http: reqwest::Client,
}

impl Fake {
    async fn start() -> Fake {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(fake_pa::serve(listener, fake_pa::Config::default()));
        Fake {
            base,
            http: acquit_http::client().build().unwrap(),
        }
    }

    fn client(&self, secret: &str) -> Client {
        let mut config = Config::new(
            self.base.clone(),
            Auth::ClientCredentials {
                token_url: Config::default_token_url(&self.base, "acquit"),
                client_id: "acquit".into(),
                secret: Secret::new(secret),
            },
        );
        config.initial_backoff = Duration::from_millis(10);
        Client::new(config).unwrap()
    }

    async fn control(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Every request the fake received, as it logged them.
    async fn requests(&self) -> Vec<Value> {
        let response = self
            .http
            .get(format!("{}/_fake/requests", self.base))
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        body.as_array()
            .cloned()
            .or_else(|| body["requests"].as_array().cloned())
            .expect("a list of requests")
    }
}

#[tokio::test]
async fn an_invoice_is_submitted_once_acknowledged_and_its_statuses_read() {
    let fake = Fake::start().await;
    let client = fake.client("fake-pa-secret");
    client.check().await.unwrap();

    let flow = NewFlow::facturx_invoice("F-2027-0001", "F-2027-0001.pdf", PDF.to_vec());
    let sent = client.submit_flow(&flow).await.unwrap();
    assert_eq!(sent.tracking_id.as_deref(), Some("F-2027-0001"));
    assert_eq!(sent.ack_status(), AckStatus::Pending);

    // Sending the same file again finds the first flow: no second one.
    let again = client.submit_flow(&flow).await.unwrap();
    assert_eq!(again.flow_id, sent.flow_id);
    let creates = fake
        .requests()
        .await
        .into_iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/flow-service/v1/flows")
        .count();
    assert_eq!(creates, 1);

    let (status, _) = fake
        .control(
            "/_fake/process",
            json!({"flowId": sent.flow_id, "status": "Ok"}),
        )
        .await;
    assert_eq!(status, 200);
    let read = client.flow(&sent.flow_id).await.unwrap();
    assert_eq!(read.ack_status(), AckStatus::Ok);
    assert_eq!(
        client
            .flow_document(&sent.flow_id, DocType::Original)
            .await
            .unwrap(),
        PDF
    );

    for (code, extra) in [
        ("205", json!({})),
        (
            "210",
            json!({"reason": "TX_TVA_ERR", "reasonMessage": "Taux de TVA erroné"}),
        ),
    ] {
        let mut request = json!({"trackingId": "F-2027-0001", "status": code});
        for (k, v) in extra.as_object().unwrap() {
            request[k] = v.clone();
        }
        let (status, answer) = fake.control("/_fake/lifecycle", request).await;
        assert_eq!(status, 201, "{answer}");
    }
    let incoming = client
        .search_flows(&SearchFilters {
            flow_type: vec!["CustomerInvoiceLC".into()],
            flow_direction: vec!["In".into()],
            ..SearchFilters::default()
        })
        .await
        .unwrap();
    assert_eq!(incoming.len(), 2);
    let mut read = Vec::new();
    for flow in &incoming {
        let xml = client
            .flow_document(&flow.flow_id, DocType::Original)
            .await
            .unwrap();
        read.extend(acquit_pa::lifecycle::read_cdar(&xml).unwrap());
    }
    assert_eq!(read[0].invoice_number, "F-2027-0001");
    assert_eq!(read[0].code, 205);
    assert_eq!(read[0].issuer_role.as_deref(), Some("BY"));
    assert_eq!(read[1].code, 210);
    assert_eq!(read[1].reason_code.as_deref(), Some("TX_TVA_ERR"));
    assert_eq!(read[1].reason.as_deref(), Some("Taux de TVA erroné"));

    // The fake checks every request against the files: none was refused.
    for request in fake.requests().await {
        let status = request["status"].as_u64().unwrap_or(0);
        assert!(
            (200..300).contains(&status)
                || request["path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("/_fake")),
            "refused: {request}"
        );
    }
}

#[tokio::test]
async fn the_directory_says_who_can_receive() {
    let fake = Fake::start().await;
    let client = fake.client("fake-pa-secret");
    let line = client.directory_line("702042755").await.unwrap().unwrap();
    assert_eq!(line.status, LineStatus::Enabled);
    assert_eq!(line.platform_type.as_deref(), Some("WK"));
    assert_eq!(line.business_name.as_deref(), Some("Boulangerie Pascale"));
    let line = client.directory_line("732829320").await.unwrap().unwrap();
    assert_eq!(line.status, LineStatus::Disabled);
    assert_eq!(client.directory_line("443061841").await.unwrap(), None);
}

#[tokio::test]
async fn an_expired_token_is_renewed_and_a_wrong_secret_says_what_to_do() {
    let fake = Fake::start().await;
    let client = fake.client("fake-pa-secret");
    client.directory_line("702042755").await.unwrap();
    fake.control("/_fake/tokens/expire", json!({})).await;
    client.directory_line("702042755").await.unwrap();
    let tokens = fake
        .requests()
        .await
        .into_iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/auth-service/"))
        })
        .count();
    assert_eq!(tokens, 2, "one token, then one more after it expired");

    let wrong = fake.client("not-the-secret");
    let error = wrong.directory_line("702042755").await.unwrap_err();
    assert!(matches!(error, PaError::Credentials { .. }), "{error:?}");
    assert!(error.to_string().contains("acquit pa connect"), "{error}");
}

#[tokio::test]
async fn a_platform_that_is_not_there_is_unreachable_not_a_refusal() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut config = Config::new(base, Auth::Bearer(Secret::new("t")));
    config.initial_backoff = Duration::from_millis(5);
    config.max_retries = 1;
    let client = Client::new(config).unwrap();
    let error = client.directory_line("702042755").await.unwrap_err();
    assert!(matches!(error, PaError::Unreachable { .. }), "{error:?}");
}
