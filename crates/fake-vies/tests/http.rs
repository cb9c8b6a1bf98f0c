//! The fake over real HTTP on 127.0.0.1, as a VIES client sees it: each
//! malformed request is refused with VIES's error shape, and the table's
//! numbers get VIES's answers.

use std::time::Duration;

use serde_json::{Value, json};

struct Fake {
    base: String,
    http: reqwest::Client,
}

impl Fake {
    async fn start() -> Fake {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(fake_vies::serve(listener, fake_vies::Config::default()));
        let http = acquit_testkit::http_builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        Fake { base, http }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<(&str, String)>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some((content_type, body)) = body {
            request = request.header("content-type", content_type).body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    async fn check(&self, request: Value) -> (u16, Value) {
        self.send(
            reqwest::Method::POST,
            "/check-vat-number",
            Some(("application/json", request.to_string())),
        )
        .await
    }
}

/// The code of VIES's error answer `{"actionSucceed": false, "errorWrappers": [{"error": …}]}`.
fn code(answer: &Value) -> &str {
    assert_eq!(answer["actionSucceed"], false, "{answer}");
    answer["errorWrappers"][0]["error"].as_str().unwrap()
}

#[tokio::test]
async fn a_malformed_request_gets_a_400_in_vies_s_error_shape() {
    let fake = Fake::start().await;
    let cases: Vec<(&str, Value)> = vec![
        ("no number", json!({"countryCode": "DE"})),
        ("no country", json!({"vatNumber": "136695976"})),
        (
            "Greece is EL",
            json!({"countryCode": "GR", "vatNumber": "094259216"}),
        ),
        (
            "not a state",
            json!({"countryCode": "US", "vatNumber": "136695976"}),
        ),
        (
            "lowercase code",
            json!({"countryCode": "de", "vatNumber": "136695976"}),
        ),
        (
            "prefix repeated",
            json!({"countryCode": "DE", "vatNumber": "DE136695976"}),
        ),
        (
            "spaces",
            json!({"countryCode": "DE", "vatNumber": "136 695 976"}),
        ),
        (
            "a number as a number",
            json!({"countryCode": "DE", "vatNumber": 136695976}),
        ),
        (
            "unknown field",
            json!({"countryCode": "DE", "vatNumber": "136695976", "requester": "FR"}),
        ),
        (
            "null number",
            json!({"countryCode": "DE", "vatNumber": null}),
        ),
    ];
    for (why, request) in cases {
        let (status, answer) = fake.check(request).await;
        assert_eq!(
            (status, code(&answer)),
            (400, "INVALID_INPUT"),
            "{why}: {answer}"
        );
        assert!(answer["errorWrappers"][0]["message"].is_string(), "{why}");
    }
    for (why, content_type, body) in [
        ("not JSON", "application/json", "countryCode=DE".to_owned()),
        ("an array", "application/json", "[]".to_owned()),
        (
            "a form",
            "application/x-www-form-urlencoded",
            json!({"countryCode": "DE", "vatNumber": "136695976"}).to_string(),
        ),
    ] {
        let (status, answer) = fake
            .send(
                reqwest::Method::POST,
                "/check-vat-number",
                Some((content_type, body)),
            )
            .await;
        assert_eq!((status, code(&answer)), (400, "INVALID_INPUT"), "{why}");
    }
}

#[tokio::test]
async fn the_requester_fields_go_together_and_hold() {
    let fake = Fake::start().await;
    let number = |extra: Value| {
        let mut request = json!({"countryCode": "DE", "vatNumber": "136695976"});
        for (k, v) in extra.as_object().unwrap() {
            request[k] = v.clone();
        }
        request
    };
    for (why, extra) in [
        ("state alone", json!({"requesterMemberStateCode": "FR"})),
        ("number alone", json!({"requesterNumber": "44732829320"})),
        (
            "prefix repeated",
            json!({"requesterMemberStateCode": "FR", "requesterNumber": "FR44732829320"}),
        ),
        (
            "wrong key",
            json!({"requesterMemberStateCode": "FR", "requesterNumber": "45732829320"}),
        ),
        (
            "not a state",
            json!({"requesterMemberStateCode": "GB", "requesterNumber": "980780684"}),
        ),
    ] {
        let (status, answer) = fake.check(number(extra)).await;
        assert_eq!(
            (status, code(&answer)),
            (400, "INVALID_REQUESTER_INFO"),
            "{why}: {answer}"
        );
    }
    // Both null is no requester.
    let (status, answer) = fake
        .check(number(
            json!({"requesterMemberStateCode": null, "requesterNumber": null}),
        ))
        .await;
    assert_eq!((status, &answer["valid"]), (200, &json!(true)));
}

#[tokio::test]
async fn known_numbers_get_vies_s_answers() {
    let fake = Fake::start().await;
    let requester = json!({"requesterMemberStateCode": "FR", "requesterNumber": "44732829320"});
    let with_requester = |country: &str, number: &str| {
        let mut request = requester.clone();
        request["countryCode"] = json!(country);
        request["vatNumber"] = json!(number);
        request
    };

    // Registered, with a consultation number because a requester is named;
    // Germany discloses neither name nor address.
    let (status, answer) = fake.check(with_requester("DE", "136695976")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (
            &answer["valid"],
            &answer["countryCode"],
            &answer["vatNumber"]
        ),
        (&json!(true), &json!("DE"), &json!("136695976"))
    );
    let consultation = answer["requestIdentifier"].as_str().unwrap();
    assert!(
        consultation.starts_with("WAPI") && consultation.len() == 16,
        "{consultation}"
    );
    assert_eq!(
        (&answer["name"], &answer["address"]),
        (&json!("---"), &json!("---"))
    );
    assert!(answer["requestDate"].as_str().unwrap().ends_with('Z'));
    let (_, again) = fake.check(with_requester("DE", "136695976")).await;
    assert_ne!(again["requestIdentifier"], answer["requestIdentifier"]);

    // Without a requester: no consultation number.
    let (_, plain) = fake
        .check(json!({"countryCode": "BE", "vatNumber": "0403019261"}))
        .await;
    assert_eq!(
        (&plain["valid"], &plain["requestIdentifier"]),
        (&json!(true), &json!(""))
    );
    assert_eq!(plain["name"], "ATELIER DU PARC SRL");

    // Well formed, not registered.
    let (status, invalid) = fake.check(with_requester("AT", "U13585627")).await;
    assert_eq!(
        (status, &invalid["valid"], &invalid["requestIdentifier"]),
        (200, &json!(false), &json!(""))
    );

    // Trader fields come back with their match.
    let mut traded = with_requester("IT", "00743110157");
    traded["traderName"] = json!("Studio Rossi");
    let (_, answer) = fake.check(traded).await;
    assert_eq!(
        (&answer["traderName"], &answer["traderNameMatch"]),
        (&json!("Studio Rossi"), &json!("NOT_PROCESSED"))
    );

    // The member states' own trouble: 500 with VIES's error shape.
    for (country, number, expected) in [
        ("ES", "B64717838", "MS_UNAVAILABLE"),
        ("NL", "004495445B01", "MS_MAX_CONCURRENT_REQ"),
        ("PL", "8567346215", "TIMEOUT"),
    ] {
        let (status, answer) = fake.check(with_requester(country, number)).await;
        assert_eq!((status, code(&answer)), (500, expected), "{country}");
    }

    // What was asked, for the tests of a client.
    let (_, requests) = fake
        .send(reqwest::Method::GET, "/_fake/requests", None)
        .await;
    assert_eq!(requests[0]["requesterNumber"], "44732829320");
}

#[tokio::test]
async fn other_paths_and_methods_are_refused_and_the_status_says_who_is_down() {
    let fake = Fake::start().await;
    let (status, answer) = fake
        .send(reqwest::Method::GET, "/check-vat-number", None)
        .await;
    assert_eq!((status, code(&answer)), (405, "METHOD_NOT_ALLOWED"));
    let (status, _) = fake
        .send(
            reqwest::Method::POST,
            "/check-vat",
            Some(("application/json", "{}".into())),
        )
        .await;
    assert_eq!(status, 404);
    let (status, answer) = fake.send(reqwest::Method::GET, "/check-status", None).await;
    assert_eq!((status, &answer["vow"]["available"]), (200, &json!(true)));
    let countries = answer["countries"].as_array().unwrap();
    assert_eq!(countries.len(), 28);
    let spain = countries.iter().find(|c| c["countryCode"] == "ES").unwrap();
    assert_eq!(spain["availability"], "Unavailable");
}
