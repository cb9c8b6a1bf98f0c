//! The fake over real HTTP on 127.0.0.1, as a PA client sees it: flows
//! sent, acknowledged, searched and read; every malformed request refused
//! with the files' `Error` shape; lifecycle statuses coming back as CDAR
//! flows; the directory's look-ups.

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const TOKEN: &str = "fake-pa-token";
/// A Factur-X EN 16931 made by `acquit invoice pdf --as-issued` (the demo's
/// F-2026-0005): the platform checks what it carries.
const PDF: &[u8] = include_bytes!("fixtures/facturx-en16931.pdf");

struct Fake {
    base: String,
    http: reqwest::Client,
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn body_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(&bytes).into_owned()))
    };
    (status, value)
}

/// The `errorCode` of the files' `Error` object, checked against its schema.
fn code(answer: &Value) -> &str {
    let error = fake_pa::spec::validator(fake_pa::spec::Service::Flow, "/components/schemas/Error");
    assert!(fake_pa::spec::check(&error, answer).is_ok(), "{answer}");
    answer["errorCode"].as_str().unwrap()
}

/// Checks `value` against a schema of the flow service's file.
fn follows(schema: &str, value: &Value) {
    let validator = fake_pa::spec::validator(
        fake_pa::spec::Service::Flow,
        &format!("/components/schemas/{schema}"),
    );
    if let Err(v) = fake_pa::spec::check(&validator, value) {
        panic!("{schema}: {}\n{value:#}", v.message);
    }
}

impl Fake {
    async fn start() -> Fake {
        Fake::with(fake_pa::Config::default()).await
    }

    async fn with(config: fake_pa::Config) -> Fake {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(fake_pa::serve(listener, config));
        let http = acquit_testkit::http_builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        Fake { base, http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(self.url(path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        body_of(response).await
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(path))
            .bearer_auth(TOKEN)
            .json(body)
            .send()
            .await
            .unwrap();
        body_of(response).await
    }

    async fn control(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        body_of(response).await
    }

    async fn send_form(&self, form: Form) -> (u16, Value) {
        let response = self
            .http
            .post(self.url("/flow-service/v1/flows"))
            .bearer_auth(TOKEN)
            .multipart(form)
            .send()
            .await
            .unwrap();
        body_of(response).await
    }

    async fn send(&self, info: Value, file: &[u8], mime: &str) -> (u16, Value) {
        let form = Form::new()
            .part(
                "flowInfo",
                Part::text(info.to_string())
                    .mime_str("application/json")
                    .unwrap(),
            )
            .part(
                "file",
                Part::bytes(file.to_vec())
                    .file_name("F-2027-0001.pdf")
                    .mime_str(mime)
                    .unwrap(),
            );
        self.send_form(form).await
    }

    /// A Factur-X invoice sent with `tracking`, then acknowledged Ok.
    async fn accepted_invoice(&self, tracking: &str) -> String {
        let mut file = PDF.to_vec();
        file.extend_from_slice(tracking.as_bytes());
        let info = json!({"name": format!("{tracking}.pdf"), "trackingId": tracking,
            "processingRule": "B2B", "flowSyntax": "Factur-X", "flowProfile": "CIUS",
            "sha256": sha256(&file)});
        let (status, flow) = self.send(info, &file, "application/pdf").await;
        assert_eq!(status, 202, "{flow}");
        let id = flow["flowId"].as_str().unwrap().to_owned();
        let (status, flow) = self
            .control("/_fake/process", json!({"flowId": id, "status": "Ok"}))
            .await;
        assert_eq!(status, 200, "{flow}");
        id
    }
}

fn invoice_info(tracking: &str, file: &[u8]) -> Value {
    json!({
        "name": "F-2027-0001.pdf",
        "trackingId": tracking,
        "processingRule": "B2B",
        "flowSyntax": "Factur-X",
        "flowProfile": "CIUS",
        "sha256": sha256(file),
    })
}

#[tokio::test]
async fn a_valid_flow_is_accepted_pending_then_ok_and_readable() {
    let fake = Fake::start().await;
    let (status, info) = fake
        .send(invoice_info("F-2027-0001", PDF), PDF, "application/pdf")
        .await;
    assert_eq!(status, 202, "{info}");
    follows("FullFlowInfo", &info);
    assert_eq!(info["trackingId"], "F-2027-0001");
    assert_eq!(info["sha256"], sha256(PDF));
    let id = info["flowId"].as_str().unwrap().to_owned();

    let (status, flow) = fake.get(&format!("/flow-service/v1/flows/{id}")).await;
    assert_eq!(status, 200, "{flow}");
    follows("Flow", &flow);
    assert_eq!(flow["acknowledgement"]["status"], "Pending");
    assert_eq!(flow["flowDirection"], "Out");
    assert_eq!(flow["flowType"], "CustomerInvoice");
    assert_eq!(flow["processingRuleSource"], "Input");
    assert_eq!(flow["updatedAt"], flow["submittedAt"]);

    let (status, _) = fake
        .control("/_fake/process", json!({"flowId": id, "status": "Ok"}))
        .await;
    assert_eq!(status, 200);
    let (_, flow) = fake
        .get(&format!("/flow-service/v1/flows/{id}?docType=Metadata"))
        .await;
    follows("Flow", &flow);
    assert_eq!(flow["acknowledgement"]["status"], "Ok");

    let response = fake
        .http
        .get(fake.url(&format!("/flow-service/v1/flows/{id}?docType=Original")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment;filename=F-2027-0001.pdf"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);

    let (status, answer) = fake
        .get(&format!("/flow-service/v1/flows/{id}?docType=Converted"))
        .await;
    assert_eq!((status, code(&answer)), (404, "MISSING_RESOURCE"));
    let (status, answer) = fake
        .get(&format!("/flow-service/v1/flows/{id}?docType=Pdf"))
        .await;
    assert_eq!((status, code(&answer)), (400, "INVALID_FIELD_VALUE"));
    let response = fake
        .http
        .delete(fake.url(&format!("/flow-service/v1/flows/{id}")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "GET");
    let (status, answer) = body_of(response).await;
    assert_eq!((status, code(&answer)), (405, "METHOD_NOT_ALLOWED"));
    let (status, answer) = fake.get("/flow-service/v1/flows/no-such-flow").await;
    assert_eq!((status, code(&answer)), (404, "MISSING_RESOURCE"));
}

#[tokio::test]
async fn requests_without_a_good_token_get_401_in_the_error_shape() {
    let fake = Fake::start().await;
    let search = json!({"where": {"ackStatus": "Ok"}});
    let url = fake.url("/flow-service/v1/flows/search");
    let response = fake.http.post(&url).json(&search).send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let (status, answer) = body_of(response).await;
    assert_eq!((status, code(&answer)), (401, "MISSING_TOKEN"));
    for authorization in ["Bearer nope", "Basic YWNxdWl0OnNlY3JldA==", "Bearer"] {
        let response = fake
            .http
            .post(&url)
            .header("authorization", authorization)
            .json(&search)
            .send()
            .await
            .unwrap();
        let (status, answer) = body_of(response).await;
        assert_eq!(
            (status, code(&answer)),
            (401, "INVALID_TOKEN"),
            "{authorization}"
        );
    }
    let (status, answer) = {
        let response = fake
            .http
            .get(fake.url("/directory-service/v1/siren/code-insee:702042755"))
            .send()
            .await
            .unwrap();
        body_of(response).await
    };
    assert_eq!((status, code(&answer)), (401, "MISSING_TOKEN"));
}

#[tokio::test]
async fn oauth2_client_credentials_give_a_token_that_expires() {
    let fake = Fake::start().await;
    let token_url = fake.url("/auth-service/acme/token");
    let response = fake
        .http
        .post(&token_url)
        .basic_auth("acquit", Some("fake-pa-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (status, answer) = body_of(response).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["expires_in"], 3600);
    let token = answer["access_token"].as_str().unwrap().to_owned();
    assert_eq!(token.split('.').count(), 3, "JWT-shaped: {token}");

    // Any operation but the health checks, which need no token (their
    // answers list no 401).
    let health = fake.url("/directory-service/v1/siren/code-insee:702042755");
    let status = |r: reqwest::Response| r.status().as_u16();
    let open = fake
        .http
        .get(fake.url("/flow-service/v1/healthcheck"))
        .send()
        .await
        .unwrap();
    assert_eq!(status(open), 200);
    let ok = fake
        .http
        .get(&health)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(status(ok), 200);

    let (status_code, _) = fake.control("/_fake/tokens/expire", json!({})).await;
    assert_eq!(status_code, 200);
    let response = fake
        .http
        .get(&health)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (s, answer) = body_of(response).await;
    assert_eq!((s, code(&answer)), (401, "EXPIRED_TOKEN"));

    // In the body instead of Basic; a wrong secret; another grant.
    let response = fake
        .http
        .post(&token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "acquit"),
            ("client_secret", "fake-pa-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(status(response), 200);
    let response = fake
        .http
        .post(&token_url)
        .basic_auth("acquit", Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (s, answer) = body_of(response).await;
    assert_eq!((s, answer["error"].as_str()), (401, Some("invalid_client")));
    let response = fake
        .http
        .post(&token_url)
        .basic_auth("acquit", Some("fake-pa-secret"))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    let (s, answer) = body_of(response).await;
    assert_eq!(
        (s, answer["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn each_malformed_flow_is_refused_with_the_error_shape() {
    let fake = Fake::with(fake_pa::Config {
        max_file_bytes: 100_000,
        ..fake_pa::Config::default()
    })
    .await;
    let good = invoice_info("F-2027-0002", PDF);
    let with = |field: &str, value: Value| {
        let mut info = good.clone();
        info[field] = value;
        info
    };
    let without = |field: &str| {
        let mut info = good.clone();
        info.as_object_mut().unwrap().remove(field);
        info
    };
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "bad processingRule",
            with("processingRule", json!("B2X")),
            400,
            "INVALID_FIELD_VALUE",
        ),
        (
            "bad flowSyntax",
            with("flowSyntax", json!("PDF")),
            400,
            "INVALID_FIELD_VALUE",
        ),
        (
            "bad flowProfile",
            with("flowProfile", json!("EN16931")),
            400,
            "INVALID_FIELD_VALUE",
        ),
        ("no name", without("name"), 400, "MISSING_REQUIRED_FIELD"),
        (
            "no flowSyntax",
            without("flowSyntax"),
            400,
            "MISSING_REQUIRED_FIELD",
        ),
        (
            "name too long",
            with("name", json!("n".repeat(256))),
            400,
            "INVALID_FIELD_VALUE",
        ),
        (
            "trackingId too long",
            with("trackingId", json!("t".repeat(65))),
            400,
            "INVALID_FIELD_VALUE",
        ),
        (
            "sha256 in capitals",
            with("sha256", json!(sha256(PDF).to_uppercase())),
            400,
            "INVALID_FIELD_VALUE",
        ),
        (
            "sha256 of another file",
            with("sha256", json!(sha256(b"other"))),
            422,
            "UNPROCESSABLE_ENTITY",
        ),
        (
            "a misspelt field",
            with("trackingID", json!("x")),
            400,
            "INVALID_REQUEST_FORMAT",
        ),
        (
            "name not a string",
            with("name", json!(12)),
            400,
            "INVALID_FIELD_VALUE",
        ),
    ];
    for (what, info, status, expected) in cases {
        let (got, answer) = fake.send(info, PDF, "application/pdf").await;
        assert_eq!((got, code(&answer)), (status, expected), "{what}: {answer}");
    }
    let (_, answer) = fake
        .send(
            with("sha256", json!(sha256(b"other"))),
            PDF,
            "application/pdf",
        )
        .await;
    assert!(
        answer["details"]
            .as_str()
            .unwrap()
            .starts_with("ChecksumMismatch"),
        "{answer}"
    );

    let info_part = || {
        Part::text(good.to_string())
            .mime_str("application/json")
            .unwrap()
    };
    let file_part = || {
        Part::bytes(PDF.to_vec())
            .file_name("f.pdf")
            .mime_str("application/pdf")
            .unwrap()
    };
    let forms: Vec<(&str, Form, u16, &str)> = vec![
        (
            "no file part",
            Form::new().part("flowInfo", info_part()),
            400,
            "MISSING_REQUIRED_FIELD",
        ),
        (
            "no flowInfo part",
            Form::new().part("file", file_part()),
            400,
            "MISSING_REQUIRED_FIELD",
        ),
        (
            "flowInfo as text/plain",
            Form::new()
                .text("flowInfo", good.to_string())
                .part("file", file_part()),
            400,
            "INVALID_REQUEST_FORMAT",
        ),
        (
            "file as octet-stream",
            Form::new().part("flowInfo", info_part()).part(
                "file",
                Part::bytes(PDF.to_vec())
                    .mime_str("application/octet-stream")
                    .unwrap(),
            ),
            400,
            "INVALID_REQUEST_FORMAT",
        ),
        (
            "an extra part",
            Form::new()
                .part("flowInfo", info_part())
                .part("file", file_part())
                .text("note", "x"),
            400,
            "INVALID_REQUEST_FORMAT",
        ),
        (
            "two files",
            Form::new()
                .part("flowInfo", info_part())
                .part("file", file_part())
                .part("file", file_part()),
            400,
            "INVALID_REQUEST_FORMAT",
        ),
        (
            "flowInfo not JSON",
            Form::new()
                .part(
                    "flowInfo",
                    Part::text("name=x").mime_str("application/json").unwrap(),
                )
                .part("file", file_part()),
            400,
            "INVALID_REQUEST_FORMAT",
        ),
    ];
    for (what, form, status, expected) in forms {
        let (got, answer) = fake.send_form(form).await;
        assert_eq!((got, code(&answer)), (status, expected), "{what}: {answer}");
    }

    let big = vec![b'%'; 100_001];
    let (status, answer) = fake
        .send(invoice_info("F-big", &big), &big, "application/pdf")
        .await;
    assert_eq!(
        (status, code(&answer)),
        (413, "FILE_SIZE_EXCEEDED"),
        "{answer}"
    );

    let response = fake
        .http
        .post(fake.url("/flow-service/v1/flows"))
        .bearer_auth(TOKEN)
        .json(&good)
        .send()
        .await
        .unwrap();
    let (status, answer) = body_of(response).await;
    assert_eq!((status, code(&answer)), (400, "INVALID_REQUEST_FORMAT"));

    let response = fake
        .http
        .post(fake.url("/flow-service/v1/flows/search"))
        .bearer_auth(TOKEN)
        .header("request-id", "not-a-uuid")
        .json(&json!({"where": {"ackStatus": "Ok"}}))
        .send()
        .await
        .unwrap();
    let (status, answer) = body_of(response).await;
    assert_eq!((status, code(&answer)), (400, "INVALID_FIELD_VALUE"));
}

/// A CII invoice with the structure the platform checks, of `profile`.
fn cii(profile: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <rsm:CrossIndustryInvoice \
         xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\" \
         xmlns:ram=\"urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100\">\
         <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>\
         <ram:ID>{profile}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>\
         </rsm:ExchangedDocumentContext><rsm:ExchangedDocument><ram:ID>F-2027-0042</ram:ID>\
         <ram:TypeCode>380</ram:TypeCode></rsm:ExchangedDocument></rsm:CrossIndustryInvoice>"
    )
}

/// What the platform itself refuses in an invoice it receives: the reason
/// `InvalidSchema`, whatever a test asks for.
#[tokio::test]
async fn an_invoice_the_reform_does_not_take_is_refused_as_invalid() {
    let fake = Fake::start().await;
    // The Factur-X without its XML (the attachment's name changed).
    let mut no_xml = PDF.to_vec();
    let at = no_xml
        .windows(12)
        .position(|w| w == b"factur-x.xml")
        .expect("the attachment's name");
    no_xml[at..at + 12].copy_from_slice(b"anything.xml");
    let minimum = cii("urn:factur-x.eu:1p0:minimum");
    let basic = cii("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic");
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        ("F-2027-0601", "Factur-X", no_xml, "carries no factur-x.xml"),
        (
            "F-2027-0602",
            "CII",
            minimum.into_bytes(),
            "is not one the French reform accepts",
        ),
        (
            "F-2027-0603",
            "CII",
            basic.into_bytes(),
            "is not one the French reform accepts",
        ),
        (
            "F-2027-0604",
            "UBL",
            cii("urn:cen.eu:en16931:2017").into_bytes(),
            "UBL flow is an Invoice",
        ),
        (
            "F-2027-0605",
            "CDAR",
            cii("urn:cen.eu:en16931:2017").into_bytes(),
            "CrossDomainAcknowledgementAndResponse",
        ),
    ];
    for (tracking, syntax, file, expected) in cases {
        let mut info = invoice_info(tracking, &file);
        info["flowSyntax"] = json!(syntax);
        if syntax == "CDAR" {
            info["processingRule"] = json!("B2B");
            info.as_object_mut().unwrap().remove("flowProfile");
        }
        let mime = if syntax == "Factur-X" {
            "application/pdf"
        } else {
            "application/xml"
        };
        let (status, sent) = fake.send(info, &file, mime).await;
        assert_eq!(status, 202, "{tracking}: {sent}");
        let (_, flow) = fake
            .control(
                "/_fake/process",
                json!({"flowId": sent["flowId"], "status": "Ok"}),
            )
            .await;
        let detail = &flow["acknowledgement"]["details"][0];
        assert_eq!(
            flow["acknowledgement"]["status"], "Error",
            "{tracking}: {flow}"
        );
        assert_eq!(detail["reasonCode"], "InvalidSchema", "{tracking}: {flow}");
        assert!(
            detail["reasonMessage"].as_str().unwrap().contains(expected),
            "{tracking}: {flow}"
        );
    }
    // EN 16931 as CII passes.
    let good = cii("urn:cen.eu:en16931:2017").into_bytes();
    let mut info = invoice_info("F-2027-0606", &good);
    info["flowSyntax"] = json!("CII");
    let (_, sent) = fake.send(info, &good, "application/xml").await;
    let (_, flow) = fake
        .control(
            "/_fake/process",
            json!({"flowId": sent["flowId"], "status": "Ok"}),
        )
        .await;
    assert_eq!(flow["acknowledgement"]["status"], "Ok", "{flow}");
}

#[tokio::test]
async fn the_pa_s_own_checks_end_in_error_with_a_reason_code() {
    let fake = Fake::start().await;
    let first = fake.accepted_invoice("F-2027-0003").await;
    // The same invoice again: a duplicate, even if the test asks for Ok.
    let mut file = PDF.to_vec();
    file.extend_from_slice(b"F-2027-0003");
    let (status, again) = fake
        .send(invoice_info("F-2027-0003", &file), &file, "application/pdf")
        .await;
    assert_eq!(status, 202);
    assert_ne!(again["flowId"].as_str().unwrap(), first);
    let (_, flow) = fake
        .control(
            "/_fake/process",
            json!({"flowId": again["flowId"], "status": "Ok"}),
        )
        .await;
    assert_eq!(flow["acknowledgement"]["status"], "Error", "{flow}");
    assert_eq!(
        flow["acknowledgement"]["details"][0]["reasonCode"],
        "AlreadyExistingFlow"
    );
    // A defect of the flow service's file: `ReasonCode` is `oneOf`
    // [`ReasonCodeEnum`, any string], so each value of the enum matches both
    // and no `Flow` in `Error` with a standard reason code is valid by the
    // letter of the schema. Pinned, so a corrected version of the file shows.
    let validator =
        fake_pa::spec::validator(fake_pa::spec::Service::Flow, "/components/schemas/Flow");
    let broken = fake_pa::spec::check(&validator, &flow).unwrap_err();
    assert!(
        broken
            .message
            .contains("more than one of the schemas listed in the 'oneOf'"),
        "{}",
        broken.message
    );
    let mut custom = flow.clone();
    custom["acknowledgement"]["details"][0]["reasonCode"] = json!("PA_SPECIFIC_CODE");
    follows("Flow", &custom);

    let xml = b"<?xml version=\"1.0\"?><rsm:CrossIndustryInvoice/>";
    let (_, not_pdf) = fake
        .send(invoice_info("F-2027-0004", xml), xml, "application/xml")
        .await;
    let (_, flow) = fake
        .control(
            "/_fake/process",
            json!({"flowId": not_pdf["flowId"], "status": "Ok"}),
        )
        .await;
    assert_eq!(
        flow["acknowledgement"]["details"][0]["reasonCode"],
        "FlowTypeError"
    );

    let cii_xml = cii("urn:cen.eu:en16931:2017").into_bytes();
    let mut info = invoice_info("F-2027-0005", &cii_xml);
    info["flowSyntax"] = json!("CII");
    info.as_object_mut().unwrap().remove("processingRule");
    info.as_object_mut().unwrap().remove("flowProfile");
    let (_, cii) = fake.send(info, &cii_xml, "application/xml").await;
    assert_eq!(cii["processingRule"], "Undefined");
    assert_eq!(cii["flowProfile"], "Undefined");
    let (_, flow) = fake
        .control(
            "/_fake/process",
            json!({"trackingId": "F-2027-0005", "status": "Error",
                   "reasonCode": "InvalidSchema", "reasonMessage": "BR-CO-14: VAT total"}),
        )
        .await;
    let detail = &flow["acknowledgement"]["details"][0];
    assert_eq!(flow["acknowledgement"]["status"], "Error");
    assert_eq!(
        (
            detail["level"].as_str(),
            detail["reasonCode"].as_str(),
            detail["reasonMessage"].as_str()
        ),
        (
            Some("Error"),
            Some("InvalidSchema"),
            Some("BR-CO-14: VAT total")
        )
    );
    let (status, answer) = fake
        .control(
            "/_fake/process",
            json!({"flowId": cii["flowId"], "status": "Ok"}),
        )
        .await;
    assert_eq!((status, code(&answer)), (409, "CONFLICT"));
}

#[tokio::test]
async fn search_filters_pages_and_refuses_what_the_spec_refuses() {
    let fake = Fake::start().await;
    for n in 1..=3 {
        fake.accepted_invoice(&format!("F-2027-01{n:02}")).await;
    }
    let (_, pending) = fake
        .send(invoice_info("F-2027-0199", PDF), PDF, "application/pdf")
        .await;

    let (status, answer) = fake
        .post(
            "/flow-service/v1/flows/search",
            &json!({"where": {"ackStatus": "Pending"}}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    follows("SearchFlowContent", &answer);
    assert_eq!(answer["limit"], 25);
    assert_eq!(answer["results"].as_array().unwrap().len(), 1);
    assert_eq!(answer["results"][0]["flowId"], pending["flowId"]);
    assert!(answer.get("nextCursor").is_none());

    let (_, answer) = fake
        .post(
            "/flow-service/v1/flows/search",
            &json!({"where": {"trackingId": "F-2027-0102"}}),
        )
        .await;
    assert_eq!(answer["results"].as_array().unwrap().len(), 1);

    // Pages of 2 over the four Out invoices.
    let mut seen = Vec::new();
    let mut request =
        json!({"limit": 2, "where": {"flowDirection": ["Out"], "flowType": ["CustomerInvoice"]}});
    loop {
        let (status, page) = fake.post("/flow-service/v1/flows/search", &request).await;
        assert_eq!(status, 200, "{page}");
        for flow in page["results"].as_array().unwrap() {
            seen.push(flow["trackingId"].as_str().unwrap().to_owned());
        }
        match page["nextCursor"].as_str() {
            Some(cursor) => request["cursor"] = json!(cursor),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["F-2027-0101", "F-2027-0102", "F-2027-0103", "F-2027-0199"]
    );

    let (_, answer) = fake
        .post(
            "/flow-service/v1/flows/search",
            &json!({"where": {"updatedAfter": "2999-01-01T00:00:00Z"}}),
        )
        .await;
    assert_eq!(answer["results"], json!([]));

    let refused: Vec<(Value, &str)> = vec![
        (json!({}), "MISSING_REQUIRED_FIELD"),
        (json!({"where": {}}), "MISSING_REQUIRED_FIELD"),
        (
            json!({"where": {"processingRule": ["B2X"]}}),
            "INVALID_FIELD_VALUE",
        ),
        (
            json!({"where": {"processingRule": "B2B"}}),
            "INVALID_FIELD_VALUE",
        ),
        (
            json!({"where": {"ackStatus": "Done"}}),
            "INVALID_FIELD_VALUE",
        ),
        (
            json!({"limit": 101, "where": {"ackStatus": "Ok"}}),
            "INVALID_FIELD_VALUE",
        ),
        (
            json!({"limit": 0, "where": {"ackStatus": "Ok"}}),
            "INVALID_FIELD_VALUE",
        ),
        (
            json!({"cursor": "abc", "where": {"ackStatus": "Ok"}}),
            "INVALID_FIELD_VALUE",
        ),
        (
            json!({"where": {"updatedAfter": "yesterday"}}),
            "INVALID_FIELD_VALUE",
        ),
    ];
    for (request, expected) in refused {
        let (status, answer) = fake.post("/flow-service/v1/flows/search", &request).await;
        assert_eq!(
            (status, code(&answer)),
            (400, expected),
            "{request}: {answer}"
        );
    }
}

#[tokio::test]
async fn lifecycle_statuses_come_back_as_incoming_cdar_flows() {
    let fake = Fake::start().await;
    fake.accepted_invoice("F-2027-0200").await;
    let (status, flow) = fake
        .control(
            "/_fake/lifecycle",
            json!({"trackingId": "F-2027-0200", "status": "205"}),
        )
        .await;
    assert_eq!(status, 201, "{flow}");
    let (status, flow) = fake
        .control(
            "/_fake/lifecycle",
            json!({"trackingId": "F-2027-0200", "status": 212, "amount": "1200.00", "vatRate": "20"}),
        )
        .await;
    assert_eq!(status, 201, "{flow}");
    follows("Flow", &flow);

    let (_, found) = fake
        .post(
            "/flow-service/v1/flows/search",
            &json!({"where": {"flowType": ["CustomerInvoiceLC"], "flowDirection": ["In"]}}),
        )
        .await;
    let results = found["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{found}");
    for lc in results {
        assert_eq!(lc["flowSyntax"], "CDAR");
        assert_eq!(lc["acknowledgement"]["status"], "Ok");
        assert_eq!(lc["processingRule"], "B2B");
    }
    let id = results[1]["flowId"].as_str().unwrap();
    let response = fake
        .http
        .get(fake.url(&format!("/flow-service/v1/flows/{id}?docType=Original")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let cdar = response.text().await.unwrap();
    for needle in [
        "<rsm:CrossDomainAcknowledgementAndResponse",
        "<ram:IssuerAssignedID>F-2027-0200</ram:IssuerAssignedID>",
        "<ram:ProcessConditionCode>212</ram:ProcessConditionCode>",
        "<ram:ProcessCondition>Encaissée</ram:ProcessCondition>",
        "<ram:ValueAmount>1200.00</ram:ValueAmount>",
        "<ram:ValuePercent>20</ram:ValuePercent>",
    ] {
        assert!(cdar.contains(needle), "{needle} in\n{cdar}");
    }

    let refused: Vec<(Value, u16, &str)> = vec![
        (
            json!({"trackingId": "F-2027-0200", "status": "210"}),
            400,
            "MISSING_REQUIRED_FIELD",
        ),
        (
            json!({"trackingId": "F-2027-0200", "status": "212"}),
            400,
            "MISSING_REQUIRED_FIELD",
        ),
        (
            json!({"trackingId": "F-2027-0200", "status": "299"}),
            400,
            "INVALID_FIELD_VALUE",
        ),
        (
            json!({"trackingId": "F-9999", "status": "205"}),
            404,
            "MISSING_RESOURCE",
        ),
    ];
    for (request, status, expected) in refused {
        let (got, answer) = fake.control("/_fake/lifecycle", request.clone()).await;
        assert_eq!(
            (got, code(&answer)),
            (status, expected),
            "{request}: {answer}"
        );
    }
    let (status, _) = fake
        .control(
            "/_fake/lifecycle",
            json!({"trackingId": "F-2027-0200", "status": "210", "reason": "TX_TVA_ERR",
                   "reasonMessage": "Taux de TVA erroné"}),
        )
        .await;
    assert_eq!(status, 201);

    // A status about an invoice the PA has not accepted yet is refused.
    fake.send(invoice_info("F-2027-0201", PDF), PDF, "application/pdf")
        .await;
    let (status, answer) = fake
        .control(
            "/_fake/lifecycle",
            json!({"trackingId": "F-2027-0201", "status": "205"}),
        )
        .await;
    assert_eq!((status, code(&answer)), (409, "CONFLICT"));
}

#[tokio::test]
async fn directory_look_ups_by_siren_siret_and_line() {
    let fake = Fake::start().await;
    let (status, unit) = fake
        .get("/directory-service/v1/siren/code-insee:702042755")
        .await;
    assert_eq!(status, 200, "{unit}");
    assert_eq!(unit["businessName"], "Boulangerie Pascale");
    assert_eq!(unit["administrativeStatus"], "A");
    let (_, unit) = fake
        .get("/directory-service/v1/siren/code-insee:702042755?fields=siren,businessName")
        .await;
    assert_eq!(
        unit,
        json!({"siren": "702042755", "businessName": "Boulangerie Pascale"})
    );

    let (status, facility) = fake
        .get("/directory-service/v1/siret/code-insee:70204275500240?include=siren")
        .await;
    assert_eq!(status, 200, "{facility}");
    assert_eq!(facility["facilityType"], "P");
    assert_eq!(facility["legalUnit"]["siren"], "702042755");

    let (status, lines) = fake
        .post(
            "/directory-service/v1/directory-line/search",
            &json!({"filters": {"siren": {"op": "strict", "value": "702042755"}}}),
        )
        .await;
    assert_eq!(status, 200, "{lines}");
    assert_eq!(lines["totalNumberOfResults"], 2);
    assert_eq!(lines["results"][0]["addressingIdentifier"], "702042755");
    assert_eq!(lines["results"][0]["directoryLineStatus"], "Enabled");
    assert_eq!(lines["results"][0]["platformType"], "WK");
    assert_eq!(lines["results"][1]["siret"], "70204275500240");

    let (status, _) = fake
        .control(
            "/_fake/directory",
            json!({"siren": "443061841", "registered": false, "name": "Durand SARL", "siret": "44306184100047"}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, line) = fake
        .get("/directory-service/v1/directory-line/code:443061841?include=siren")
        .await;
    assert_eq!(status, 200, "{line}");
    assert_eq!(line["directoryLineStatus"], "Disabled");
    assert!(line.get("platformType").is_none());
    assert_eq!(line["legalUnit"]["businessName"], "Durand SARL");
    fake.control(
        "/_fake/directory",
        json!({"siren": "443061841", "registered": true}),
    )
    .await;
    let (_, line) = fake
        .get("/directory-service/v1/directory-line/code:443061841")
        .await;
    assert_eq!(line["directoryLineStatus"], "Enabled");

    // A defect of the directory service's file: `directoryLineStatus` and
    // `uniqueDirectoryLineStatus` have `maxLength: 7`, and "Disabled" and
    // "Upcoming", two of their own enum values, have 8 characters. The fake
    // answers the enum's value; pinned, so a corrected file shows.
    let status_schema = fake_pa::spec::validator(
        fake_pa::spec::Service::Directory,
        "/components/schemas/uniqueDirectoryLineStatus",
    );
    let broken = fake_pa::spec::check(&status_schema, &json!("Disabled")).unwrap_err();
    assert!(
        broken.message.contains("longer than 7 characters"),
        "{}",
        broken.message
    );

    // An empty `fields` asks for nothing in particular; a search body is optional.
    let (status, unit) = fake
        .get("/directory-service/v1/siren/code-insee:702042755?fields=")
        .await;
    assert_eq!((status, unit["siren"].as_str()), (200, Some("702042755")));
    let response = fake
        .http
        .post(fake.url("/directory-service/v1/siren/search"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let (status, all) = body_of(response).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["totalNumberOfResults"], 3);

    let (_, found) = fake
        .post(
            "/directory-service/v1/siren/search",
            &json!({"filters": {"siren": {"op": "strict", "value": "443061841"}}}),
        )
        .await;
    assert_eq!(found["results"][0]["siren"], "443061841");

    let refused: Vec<(&str, u16, &str)> = vec![
        (
            "/directory-service/v1/siren/code-insee:12345",
            400,
            "INVALID_FIELD_VALUE",
        ),
        (
            "/directory-service/v1/siren/code-insee:552100554",
            404,
            "MISSING_RESOURCE",
        ),
        (
            "/directory-service/v1/siret/code-insee:7020427550024",
            400,
            "INVALID_FIELD_VALUE",
        ),
        (
            "/directory-service/v1/siret/code-insee:70204275500999",
            404,
            "MISSING_RESOURCE",
        ),
        (
            "/directory-service/v1/siren/code-insee:702042755?fields=iban",
            400,
            "INVALID_FIELD_VALUE",
        ),
        (
            "/directory-service/v1/siren/code-insee:702042755?lang=fr",
            400,
            "INVALID_REQUEST_FORMAT",
        ),
        (
            "/directory-service/v1/directory-line/code:000000000",
            404,
            "MISSING_RESOURCE",
        ),
    ];
    for (path, status, expected) in refused {
        let (got, answer) = fake.get(path).await;
        assert_eq!((got, code(&answer)), (status, expected), "{path}: {answer}");
    }
    for search in [
        json!({"filters": {"siren": {"op": "contains", "value": "702"}}}),
        json!({"ignore": 2147483648_i64}),
        json!({"limit": "10"}),
    ] {
        let (status, answer) = fake
            .post("/directory-service/v1/directory-line/search", &search)
            .await;
        assert_eq!(
            (status, code(&answer)),
            (400, "INVALID_FIELD_VALUE"),
            "{search}"
        );
    }
}

#[tokio::test]
async fn every_request_is_logged_with_its_token_masked() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("pa.jsonl");
    let fake = Fake::with(fake_pa::Config {
        log: Some(log.clone()),
        ..fake_pa::Config::default()
    })
    .await;
    fake.accepted_invoice("F-2027-0300").await;
    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let sent = &lines[0];
    assert_eq!(sent["method"], "POST");
    assert_eq!(sent["path"], "/flow-service/v1/flows");
    assert_eq!(sent["status"], 202);
    assert_eq!(sent["headers"]["authorization"], "Bearer fake…(masked)");
    assert_eq!(sent["body"][0]["name"], "flowInfo");
    assert_eq!(sent["body"][0]["json"]["trackingId"], "F-2027-0300");
    assert_eq!(sent["body"][1]["contentType"], "application/pdf");
    let (_, requests) = {
        let response = fake
            .http
            .get(fake.url("/_fake/requests"))
            .send()
            .await
            .unwrap();
        body_of(response).await
    };
    // The control's own request is logged once it is answered.
    assert_eq!(requests.as_array().unwrap().len(), 2);
}

const SAXON: &str = "/usr/share/java/Saxon-HE.jar";

/// Runs `program`, failing with what to install when it is missing.
fn run(program: &str, args: &[&str], dir: &std::path::Path) -> std::process::Output {
    match std::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
    {
        Ok(output) => output,
        Err(e) => panic!(
            "could not run {program} ({e}): install libxml2-utils, default-jre-headless and \
             libsaxonhe-java (./x setup)"
        ),
    }
}

#[tokio::test]
async fn the_cdar_messages_pass_the_fnfe_xsd_and_rules() {
    let artefacts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/fnfe-1.4.0-cdar");
    let xsd = artefacts.join("1xsd/CrossDomainAcknowledgementAndResponse_100pD22B.xsd");
    let xslt_dir = artefacts.join("2xslt");
    assert!(
        std::path::Path::new(SAXON).exists(),
        "{SAXON} is missing: install libsaxonhe-java (./x setup)"
    );
    let fake = Fake::start().await;
    fake.accepted_invoice("F-2027-0400").await;
    let statuses = [
        json!({"trackingId": "F-2027-0400", "status": "200"}),
        json!({"trackingId": "F-2027-0400", "status": "205", "issuerSiren": "443061841"}),
        json!({"trackingId": "F-2027-0400", "status": "207", "reason": "TX_TVA_ERR",
               "reasonMessage": "Taux <10 %> & montant"}),
        json!({"trackingId": "F-2027-0400", "status": "212", "amount": "1200.00", "vatRate": "20"}),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (n, status) in statuses.iter().enumerate() {
        let (code, flow) = fake.control("/_fake/lifecycle", status.clone()).await;
        assert_eq!(code, 201, "{flow}");
        let response = fake
            .http
            .get(fake.url(&format!(
                "/flow-service/v1/flows/{}?docType=Original",
                flow["flowId"].as_str().unwrap()
            )))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        let xml = dir.path().join(format!("cdar-{n}.xml"));
        std::fs::write(&xml, response.bytes().await.unwrap()).unwrap();
        let xml = xml.to_str().unwrap();

        let output = run(
            "xmllint",
            &["--noout", "--nonet", "--schema", xsd.to_str().unwrap(), xml],
            dir.path(),
        );
        assert!(
            output.status.success(),
            "{status}: the CDAR XSD refuses it:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );

        let svrl = dir.path().join(format!("cdar-{n}.svrl"));
        let output = run(
            "java",
            &[
                "-cp",
                SAXON,
                "net.sf.saxon.Transform",
                &format!("-s:{xml}"),
                "-xsl:BR-FR-CDV-Schematron-CDAR.xslt",
                &format!("-o:{}", svrl.display()),
            ],
            &xslt_dir,
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let svrl = std::fs::read_to_string(&svrl).unwrap();
        let failed: Vec<&str> = svrl
            .split("<svrl:failed-assert")
            .skip(1)
            .filter(|assert| {
                let head = &assert[..assert.find('>').unwrap_or(assert.len())];
                !head.contains("flag=\"warning\"")
            })
            .collect();
        assert!(
            failed.is_empty(),
            "{status}: the FNFE CDAR rules fail:\n{}",
            failed.join("\n")
        );
        assert!(
            svrl.contains("svrl:fired-rule"),
            "the rules did not run: {svrl}"
        );
    }
}

#[tokio::test]
async fn with_auto_ack_a_pending_flow_becomes_ok_by_itself() {
    let fake = Fake::with(fake_pa::Config {
        auto_ack: Some(Duration::from_millis(500)),
        ..fake_pa::Config::default()
    })
    .await;
    let (_, info) = fake
        .send(invoice_info("F-2027-0500", PDF), PDF, "application/pdf")
        .await;
    let path = format!(
        "/flow-service/v1/flows/{}",
        info["flowId"].as_str().unwrap()
    );
    let (_, flow) = fake.get(&path).await;
    assert_eq!(flow["acknowledgement"]["status"], "Pending");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (_, flow) = fake.get(&path).await;
    assert_eq!(flow["acknowledgement"]["status"], "Ok", "{flow}");
    assert_ne!(flow["updatedAt"], flow["submittedAt"]);
}
