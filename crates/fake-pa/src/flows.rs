//! The flow service: flows received, their acknowledgement, the lifecycle
//! statuses that come back, and the test controls.
//!
//! `createFlow` (`POST /v1/flows`) checks, in this order, and refuses with
//! the files' `Error`:
//!
//! 1. `Content-Type: multipart/form-data` with exactly the two parts the
//!    request body names, `flowInfo` and `file`, each once (400
//!    `MISSING_REQUIRED_FIELD` for a missing one, `INVALID_REQUEST_FORMAT`
//!    for another part or a repeated one);
//! 2. each part's content type as the body's `encoding` gives it:
//!    `flowInfo` `application/json`, `file` `application/pdf` or
//!    `application/xml` (400 `INVALID_REQUEST_FORMAT`; a part without one
//!    is `text/plain` by RFC 7578, so it is refused too);
//! 3. `flowInfo`: one JSON object with only `FlowInfo`'s fields (stricter
//!    than the schema, which allows others, so that a misspelt field shows
//!    up in Acquit's tests), valid against `FlowInfo` (required `name` and
//!    `flowSyntax`, the enums, `trackingId` ≤ 64 characters, `name` ≤ 255,
//!    `sha256` 64 lowercase hex digits): 400 `MISSING_REQUIRED_FIELD` or
//!    `INVALID_FIELD_VALUE` with the schema's words in `details`;
//! 4. the file: at most [`crate::Config::max_file_bytes`] ("Max size = 100
//!    MB"), else 413 `FILE_SIZE_EXCEEDED`; when `sha256` is given, the
//!    file's own fingerprint must be it ("it should be checked once
//!    received"), else 422 `UNPROCESSABLE_ENTITY` (`details`
//!    `ChecksumMismatch`, both fingerprints).
//!
//! Then the flow is kept and answered 202 with its `FullFlowInfo` (a
//! UUID `flowId`, `submittedAt`, the `sha256`, computed when not given);
//! its acknowledgement is `Pending`. It ends `Ok` or `Error` when a test
//! calls `POST /_fake/process` (or after `Config::auto_ack`); the
//! fake's own checks then come first, with the `ReasonCodeEnum` codes:
//! an empty file is `EmptyFlow`, a `Factur-X` that is not a PDF or an XML
//! syntax that is not XML is `FlowTypeError`, and a flow whose
//! `trackingId` or file an earlier flow (not in `Error`) already had is
//! `AlreadyExistingFlow`.
//!
//! What the fake fills in for a flow: `flowType` from the syntax
//! (`Factur-X`, `CII`, `UBL`: `CustomerInvoice`; `CDAR`:
//! `CustomerInvoiceLC`; `FRR`: by processing rule, `B2BInt`
//! `UnitaryCustomerTransactionReport`, `B2C`
//! `AggregatedCustomerTransactionReport`, else `MultiFlowReport`);
//! `processingRule` as given (`processingRuleSource` `Input`), else
//! `Undefined` while pending and then `B2B` (`NotApplicable` for `FRR`),
//! `Computed`; `flowProfile` as given, else `Undefined` while pending and
//! then `CIUS` for invoices, `Basic` for the others.
//!
//! Lifecycle statuses (`POST /_fake/lifecycle`) arrive as new flows, as a
//! PA relays them: `flowSyntax` `CDAR`, `flowType` `CustomerInvoiceLC`,
//! `flowDirection` `In`, acknowledged `Ok`, whose file is the CDAR message
//! (a `CrossDomainAcknowledgementAndResponse` naming the invoice, the
//! status code as `ProcessConditionCode`, its label, the reason, and for
//! 212 the amount and VAT rate).
//!
//! `searchFlows` orders flows by their last change: the cursor is the
//! position of the last flow returned in that order, so a flow that
//! changes after a page was read comes again on a later page.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::server::{
    Fake, Logged, bad_request, error, json_object, not_allowed, not_found, violation,
};
use crate::spec::{check, checks};

/// The fields of `FlowInfo` (`CoreFlowInfo` and `FlowInfoExtension`).
const FLOW_INFO_FIELDS: [&str; 6] = [
    "trackingId",
    "name",
    "processingRule",
    "flowSyntax",
    "flowProfile",
    "sha256",
];

/// The lifecycle statuses the control sends, with their French names
/// (DGFiP's external specifications, the codes the FNFE CDAR rules
/// accept), and whether the FNFE rule BR-FR-CDV-15 wants a reason with
/// them.
pub const STATUSES: &[(&str, &str, bool)] = &[
    ("200", "Déposée", false),
    ("201", "Émise par la plateforme", false),
    ("202", "Reçue par la plateforme", false),
    ("203", "Mise à disposition", false),
    ("204", "Prise en charge", false),
    ("205", "Approuvée", false),
    ("206", "Approuvée partiellement", true),
    ("207", "En litige", true),
    ("208", "Suspendue", true),
    ("209", "Complétée", false),
    ("210", "Refusée", true),
    ("211", "Paiement transmis", false),
    ("212", "Encaissée", false),
    ("213", "Rejetée", true),
    ("214", "Visée", false),
    ("220", "Annulée", false),
    ("501", "Irrecevable", true),
];

/// One flow the PA holds.
#[derive(Debug, Clone)]
pub struct Flow {
    pub id: String,
    /// Its place in the order of changes (the search cursor).
    seq: u64,
    pub tracking_id: Option<String>,
    pub name: String,
    pub processing_rule: String,
    rule_given: bool,
    pub syntax: String,
    pub profile: String,
    profile_given: bool,
    pub flow_type: String,
    pub direction: &'static str,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ack_status: &'static str,
    ack_details: Vec<Value>,
    pub sha256: String,
    pub file: Bytes,
}

/// The flows, in the order they came.
#[derive(Debug, Default)]
pub struct Flows {
    list: Vec<Flow>,
    seq: u64,
}

impl Flows {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}

fn now_ms() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Flow {
    /// The files' `Flow` object (the metadata).
    pub fn to_json(&self) -> Value {
        let mut flow = json!({
            "flowId": self.id,
            "submittedAt": timestamp(self.submitted_at),
            "name": self.name,
            "processingRule": self.processing_rule,
            "flowSyntax": self.syntax,
            "flowProfile": self.profile,
            "updatedAt": timestamp(self.updated_at),
            "flowType": self.flow_type,
            "processingRuleSource": if self.rule_given { "Input" } else { "Computed" },
            "flowDirection": self.direction,
            "acknowledgement": {"status": self.ack_status},
        });
        if let Some(tracking) = &self.tracking_id {
            flow["trackingId"] = json!(tracking);
        }
        if !self.ack_details.is_empty() {
            flow["acknowledgement"]["details"] = json!(self.ack_details);
        }
        flow
    }

    /// The files' `FullFlowInfo`, `createFlow`'s answer.
    fn full_info(&self) -> Value {
        let mut info = json!({
            "flowId": self.id,
            "submittedAt": timestamp(self.submitted_at),
            "name": self.name,
            "processingRule": self.processing_rule,
            "flowSyntax": self.syntax,
            "flowProfile": self.profile,
            "sha256": self.sha256,
        });
        if let Some(tracking) = &self.tracking_id {
            info["trackingId"] = json!(tracking);
        }
        info
    }
}

fn flow_type(syntax: &str, rule: &str) -> &'static str {
    match (syntax, rule) {
        ("CDAR", _) => "CustomerInvoiceLC",
        ("FRR", "B2BInt") => "UnitaryCustomerTransactionReport",
        ("FRR", "B2C") => "AggregatedCustomerTransactionReport",
        ("FRR", _) => "MultiFlowReport",
        _ => "CustomerInvoice",
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Processes the flows `Config::auto_ack` says are due.
fn settle(fake: &Fake) {
    let Some(delay) = fake.config.auto_ack else {
        return;
    };
    let Ok(delay) = chrono::Duration::from_std(delay) else {
        return;
    };
    let mut flows = Fake::lock(&fake.flows);
    let now = Utc::now();
    let due: Vec<usize> = (0..flows.list.len())
        .filter(|&i| {
            flows.list[i].ack_status == "Pending" && flows.list[i].submitted_at + delay <= now
        })
        .collect();
    for i in due {
        process(&mut flows, i, None);
    }
}

/// Ends flow `index`'s processing: the fake's checks, then `requested`
/// (`None`: Ok; `Some((code, message))`: Error with that reason).
fn process(flows: &mut Flows, index: usize, requested: Option<(String, String)>) {
    let flow = &flows.list[index];
    let text_start = flow
        .file
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    let is_xml = text_start.is_some_and(|i| flow.file[i] == b'<');
    let duplicate = flows.list[..index].iter().any(|earlier| {
        earlier.direction == "Out"
            && earlier.ack_status != "Error"
            && (earlier.sha256 == flow.sha256
                || (flow.tracking_id.is_some() && earlier.tracking_id == flow.tracking_id))
    });
    let failure = if flow.file.is_empty() {
        Some(("EmptyFlow", "the file is empty".to_owned()))
    } else if flow.syntax == "Factur-X" && !flow.file.starts_with(b"%PDF-") {
        Some((
            "FlowTypeError",
            "a Factur-X flow must be a PDF file".to_owned(),
        ))
    } else if flow.syntax != "Factur-X" && !is_xml {
        Some((
            "FlowTypeError",
            format!("a {} flow must be an XML file", flow.syntax),
        ))
    } else if let Err((code, message)) = crate::invoice::check(&flow.syntax, &flow.file) {
        Some((code, message))
    } else if duplicate {
        Some((
            "AlreadyExistingFlow",
            "an earlier flow had the same trackingId or the same file".to_owned(),
        ))
    } else {
        None
    };
    let seq = flows.next_seq();
    let flow = &mut flows.list[index];
    let (status, details) = match (failure, requested) {
        (Some((code, message)), _) => ("Error", Some((code.to_owned(), message))),
        (None, Some(reason)) => ("Error", Some(reason)),
        (None, None) => ("Ok", None),
    };
    flow.ack_status = status;
    flow.ack_details = details
        .map(|(code, message)| {
            vec![json!({"level": "Error", "item": flow.name, "reasonCode": code, "reasonMessage": message})]
        })
        .unwrap_or_default();
    if status == "Ok" {
        if !flow.rule_given {
            flow.processing_rule = if flow.syntax == "FRR" {
                "NotApplicable"
            } else {
                "B2B"
            }
            .to_owned();
            flow.flow_type = flow_type(&flow.syntax, &flow.processing_rule).to_owned();
        }
        if !flow.profile_given {
            flow.profile = match flow.syntax.as_str() {
                "Factur-X" | "CII" | "UBL" => "CIUS",
                _ => "Basic",
            }
            .to_owned();
        }
    }
    flow.updated_at = now_ms();
    flow.seq = seq;
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn route(
    fake: &Fake,
    method: &Method,
    operation: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Bytes,
    request: Request,
    logged: &mut Logged,
) -> Response {
    settle(fake);
    let path = format!("/flow-service{operation}");
    match operation {
        "/v1/flows" => {
            if method != Method::POST {
                return not_allowed(&path, &Method::POST, method);
            }
            create_flow(fake, headers, request, logged).await
        }
        "/v1/flows/search" => {
            if method != Method::POST {
                return not_allowed(&path, &Method::POST, method);
            }
            search_flows(fake, headers, &body, logged)
        }
        "/v1/webhooks" => error(
            StatusCode::NOT_IMPLEMENTED,
            "NOT_IMPLEMENTED",
            "fake-pa does not serve webhooks yet: search flows with updatedAfter or a cursor",
        ),
        _ => {
            if let Some(id) = operation.strip_prefix("/v1/webhooks/")
                && !id.contains('/')
            {
                return error(
                    StatusCode::NOT_IMPLEMENTED,
                    "NOT_IMPLEMENTED",
                    "fake-pa does not serve webhooks yet",
                );
            }
            match operation.strip_prefix("/v1/flows/") {
                Some(id) if !id.contains('/') && !id.is_empty() => {
                    if method != Method::GET {
                        return not_allowed(&path, &Method::GET, method);
                    }
                    get_flow(fake, id, query)
                }
                _ => not_found(&path),
            }
        }
    }
}

/// One part of a multipart body.
struct Part {
    name: String,
    content_type: Option<String>,
    file_name: Option<String>,
    bytes: Bytes,
}

async fn create_flow(
    fake: &Fake,
    headers: &HeaderMap,
    request: Request,
    logged: &mut Logged,
) -> Response {
    if !crate::server::content_type_is(headers, "multipart/form-data") {
        return bad_request(
            "INVALID_REQUEST_FORMAT",
            "createFlow takes multipart/form-data with the parts flowInfo and file",
        );
    }
    let mut multipart = match Multipart::from_request(request, &()).await {
        Ok(m) => m,
        Err(e) => {
            return bad_request(
                "INVALID_REQUEST_FORMAT",
                &format!("not a multipart body: {e}"),
            );
        }
    };
    let mut parts = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let content_type = field.content_type().map(str::to_owned);
                let file_name = field.file_name().map(str::to_owned);
                match field.bytes().await {
                    Ok(bytes) => parts.push(Part {
                        name,
                        content_type,
                        file_name,
                        bytes,
                    }),
                    Err(e) => {
                        return bad_request(
                            "INVALID_REQUEST_FORMAT",
                            &format!("the part {name} cannot be read: {e}"),
                        );
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                return bad_request(
                    "INVALID_REQUEST_FORMAT",
                    &format!("the multipart body cannot be read: {e}"),
                );
            }
        }
    }
    *logged = Logged::Json(Value::Array(
        parts
            .iter()
            .map(|p| {
                let mut part = json!({
                    "name": p.name,
                    "contentType": p.content_type,
                    "fileName": p.file_name,
                    "size": p.bytes.len(),
                    "sha256": hex_sha256(&p.bytes),
                });
                if p.name == "flowInfo" {
                    part["json"] = serde_json::from_slice(&p.bytes).unwrap_or(Value::Null);
                }
                part
            })
            .collect(),
    ));
    for part in &parts {
        if part.name != "flowInfo" && part.name != "file" {
            return bad_request(
                "INVALID_REQUEST_FORMAT",
                &format!(
                    "{:?} is not a part of createFlow's body (flowInfo, file)",
                    part.name
                ),
            );
        }
        if parts.iter().filter(|p| p.name == part.name).count() > 1 {
            return bad_request(
                "INVALID_REQUEST_FORMAT",
                &format!("the part {} comes more than once", part.name),
            );
        }
    }
    let Some(info_part) = parts.iter().find(|p| p.name == "flowInfo") else {
        return bad_request("MISSING_REQUIRED_FIELD", "the part flowInfo is missing");
    };
    let Some(file) = parts.iter().find(|p| p.name == "file") else {
        return bad_request("MISSING_REQUIRED_FIELD", "the part file is missing");
    };
    let mime = |p: &Part| {
        p.content_type
            .as_deref()
            .and_then(|t| t.split(';').next())
            .map(|t| t.trim().to_ascii_lowercase())
    };
    if mime(info_part).as_deref() != Some("application/json") {
        return bad_request(
            "INVALID_REQUEST_FORMAT",
            "the part flowInfo must be sent as application/json (the body's encoding)",
        );
    }
    if !matches!(
        mime(file).as_deref(),
        Some("application/pdf" | "application/xml")
    ) {
        return bad_request(
            "INVALID_REQUEST_FORMAT",
            "the part file must be sent as application/pdf or application/xml (the body's encoding)",
        );
    }
    let Ok(Value::Object(info)) = serde_json::from_slice::<Value>(&info_part.bytes) else {
        return bad_request(
            "INVALID_REQUEST_FORMAT",
            "the part flowInfo must be one JSON object (a FlowInfo)",
        );
    };
    if let Some(unknown) = info
        .keys()
        .find(|k| !FLOW_INFO_FIELDS.contains(&k.as_str()))
    {
        return bad_request(
            "INVALID_REQUEST_FORMAT",
            &format!("{unknown} is not a field of FlowInfo"),
        );
    }
    let info = Value::Object(info);
    if let Err(v) = check(&checks().flow_info, &info) {
        return violation("flowInfo", v);
    }
    if file.bytes.len() > fake.config.max_file_bytes {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "FILE_SIZE_EXCEEDED",
            &format!(
                "the file has {} bytes, more than the {} a flow may have",
                file.bytes.len(),
                fake.config.max_file_bytes
            ),
        );
    }
    let sha256 = hex_sha256(&file.bytes);
    if let Some(given) = info["sha256"].as_str()
        && given != sha256
    {
        let body = json!({
            "errorCode": "UNPROCESSABLE_ENTITY",
            "errorMessage": "flowInfo.sha256 is not the file's fingerprint",
            "details": format!("ChecksumMismatch: flowInfo.sha256 is {given}, the file's SHA-256 is {sha256}"),
        });
        return (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response();
    }
    let text = |name: &str| info[name].as_str().map(str::to_owned);
    let rule = text("processingRule");
    let profile = text("flowProfile");
    let syntax = text("flowSyntax").unwrap_or_default();
    let processing_rule = rule.clone().unwrap_or_else(|| "Undefined".to_owned());
    let now = now_ms();
    let answer = {
        let mut flows = Fake::lock(&fake.flows);
        let seq = flows.next_seq();
        let flow = Flow {
            id: uuid::Uuid::new_v4().to_string(),
            seq,
            tracking_id: text("trackingId"),
            name: text("name").unwrap_or_default(),
            flow_type: flow_type(&syntax, &processing_rule).to_owned(),
            processing_rule,
            rule_given: rule.is_some(),
            syntax,
            profile: profile.clone().unwrap_or_else(|| "Undefined".to_owned()),
            profile_given: profile.is_some(),
            direction: "Out",
            submitted_at: now,
            updated_at: now,
            ack_status: "Pending",
            ack_details: Vec::new(),
            sha256,
            file: file.bytes.clone(),
        };
        let answer = flow.full_info();
        flows.list.push(flow);
        answer
    };
    // `/_fake/stall`: the flow is kept, its answer comes late (a client
    // killed or cut off meanwhile never sees it).
    let stall = *Fake::lock(&fake.stall);
    if !stall.is_zero() {
        tokio::time::sleep(stall).await;
    }
    (StatusCode::ACCEPTED, axum::Json(answer)).into_response()
}

fn cursor_of(seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("fake-pa:{seq}"))
}

fn seq_of(cursor: &str) -> Option<u64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("fake-pa:")?
        .parse()
        .ok()
}

fn date_filter(filters: &Value, name: &str) -> Result<Option<DateTime<Utc>>, Box<Response>> {
    match filters[name].as_str() {
        None => Ok(None),
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| {
                Box::new(bad_request(
                    "INVALID_FIELD_VALUE",
                    &format!("where.{name} must be an RFC 3339 date-time (2027-09-01T10:00:00Z)"),
                ))
            }),
    }
}

/// `searchFlows`: the schema `SearchFlowParams`, then by hand: at least
/// one criterion, `limit` from 1 to 100 (the schema gives no minimum; 0
/// would page forever), a cursor this fake gave, dates in RFC 3339.
fn search_flows(fake: &Fake, headers: &HeaderMap, body: &Bytes, logged: &mut Logged) -> Response {
    let params = match json_object(headers, body, logged) {
        Ok(params) => params,
        Err(response) => return *response,
    };
    if let Err(v) = check(&checks().search_flows, &params) {
        return violation("the search", v);
    }
    let filters = &params["where"];
    if filters.as_object().is_none_or(Map::is_empty) {
        return bad_request(
            "MISSING_REQUIRED_FIELD",
            "where needs at least one criterion",
        );
    }
    let limit = params["limit"].as_i64().unwrap_or(25);
    if !(1..=100).contains(&limit) {
        return bad_request("INVALID_FIELD_VALUE", "limit must be from 1 to 100");
    }
    let after_seq = match params["cursor"].as_str() {
        None => 0,
        Some(cursor) => match seq_of(cursor) {
            Some(seq) => seq,
            None => {
                return bad_request(
                    "INVALID_FIELD_VALUE",
                    "cursor is not one this PA gave (use nextCursor as it came)",
                );
            }
        },
    };
    let (after, before) = match (
        date_filter(filters, "updatedAfter"),
        date_filter(filters, "updatedBefore"),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(r), _) | (_, Err(r)) => return *r,
    };
    let one_of = |name: &str, value: &str| match filters[name].as_array() {
        None => true,
        Some(list) => list.iter().any(|v| v.as_str() == Some(value)),
    };
    let flows = Fake::lock(&fake.flows);
    let mut matching: Vec<&Flow> = flows
        .list
        .iter()
        .filter(|f| f.seq > after_seq)
        .filter(|f| after.is_none_or(|a| f.updated_at > a))
        .filter(|f| before.is_none_or(|b| f.updated_at < b))
        .filter(|f| one_of("processingRule", &f.processing_rule))
        .filter(|f| one_of("flowType", &f.flow_type))
        .filter(|f| one_of("flowDirection", f.direction))
        .filter(|f| {
            filters["trackingId"]
                .as_str()
                .is_none_or(|t| f.tracking_id.as_deref() == Some(t))
        })
        .filter(|f| {
            filters["ackStatus"]
                .as_str()
                .is_none_or(|s| f.ack_status == s)
        })
        .collect();
    matching.sort_by_key(|f| f.seq);
    let page: Vec<&Flow> = matching.iter().take(limit as usize).copied().collect();
    let mut answer = json!({
        "limit": limit,
        "filters": filters,
        "results": page.iter().map(|f| f.to_json()).collect::<Vec<_>>(),
    });
    if matching.len() > page.len()
        && let Some(last) = page.last()
    {
        answer["nextCursor"] = json!(cursor_of(last.seq));
    }
    axum::Json(answer).into_response()
}

/// `getFlow`: the id and `docType` checked by their schemas, no other
/// query parameter.
fn get_flow(fake: &Fake, id: &str, query: Option<&str>) -> Response {
    let id = form_urlencoded::parse(format!("x={id}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if let Err(v) = check(&checks().flow_id, &json!(id)) {
        return violation("flowId", v);
    }
    let mut doc_type = "Metadata".to_owned();
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if name != "docType" {
            return bad_request(
                "INVALID_REQUEST_FORMAT",
                &format!("{name} is not a parameter of getFlow (docType)"),
            );
        }
        if let Err(v) = check(&checks().doc_type, &json!(value)) {
            return violation("docType", v);
        }
        doc_type = value.into_owned();
    }
    let flows = Fake::lock(&fake.flows);
    let Some(flow) = flows.list.iter().find(|f| f.id == id) else {
        return error(
            StatusCode::NOT_FOUND,
            "MISSING_RESOURCE",
            &format!("no flow {id}"),
        );
    };
    if doc_type != "Metadata" && Fake::lock(&fake.withheld).contains(&flow.id) {
        return error(
            StatusCode::NOT_FOUND,
            "MISSING_RESOURCE",
            &format!("the documents of flow {id} are no longer available"),
        );
    }
    let file = match doc_type.as_str() {
        "Metadata" => return axum::Json(flow.to_json()).into_response(),
        "Original" => &flow.file,
        "ReadableView" if flow.syntax == "Factur-X" => &flow.file,
        other => {
            return error(
                StatusCode::NOT_FOUND,
                "MISSING_RESOURCE",
                &format!(
                    "flow {id} has no {other} document (fake-pa converts nothing; a Factur-X is its own readable view)"
                ),
            );
        }
    };
    let mut response = (StatusCode::OK, file.clone()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    let file_name: String = flow
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != ';' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment;filename={file_name}")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The test controls, under `/_fake/` (no token).
pub(crate) fn control(
    fake: &Fake,
    method: &Method,
    control: &str,
    headers: &HeaderMap,
    body: &Bytes,
    logged: &mut Logged,
) -> Response {
    let path = format!("/_fake/{control}");
    if control == "requests" {
        if method != Method::GET {
            return not_allowed(&path, &Method::GET, method);
        }
        return axum::Json(crate::server::requests(fake)).into_response();
    }
    if !matches!(
        control,
        "directory" | "incoming" | "lifecycle" | "process" | "stall" | "withhold" | "tokens/expire"
    ) {
        return not_found(&path);
    }
    if method != Method::POST {
        return not_allowed(&path, &Method::POST, method);
    }
    if control == "tokens/expire" {
        let count = crate::server::expire_tokens(fake);
        return axum::Json(json!({"expired": count})).into_response();
    }
    let request = match json_object(headers, body, logged) {
        Ok(request) => request,
        Err(response) => return *response,
    };
    settle(fake);
    match control {
        "stall" => stall_control(fake, &request),
        "withhold" => withhold_control(fake, &request),
        "incoming" => incoming(fake, &request),
        "directory" => crate::directory::set(fake, &request),
        "lifecycle" => lifecycle(fake, &request),
        _ => process_control(fake, &request),
    }
}

/// `POST /_fake/stall {"createFlowMs": N}`: from now on `createFlow`
/// keeps the flow and answers N ms later (0: at once again).
fn stall_control(fake: &Fake, request: &Value) -> Response {
    let Some(ms) = request["createFlowMs"].as_u64().filter(|ms| *ms <= 600_000) else {
        return bad_request(
            "INVALID_FIELD_VALUE",
            "createFlowMs is missing or not a number of milliseconds up to 600000",
        );
    };
    *Fake::lock(&fake.stall) = std::time::Duration::from_millis(ms);
    axum::Json(json!({"createFlowMs": ms})).into_response()
}

/// `POST /_fake/withhold {"flowId"}`: from now on the platform no longer
/// hands over that flow's documents (`getFlow` with a `docType` answers
/// 404), as a platform that purged or lost them would; its metadata stays.
fn withhold_control(fake: &Fake, request: &Value) -> Response {
    let Some(id) = text_field(request, "flowId") else {
        return bad_request("INVALID_FIELD_VALUE", "flowId is missing");
    };
    if !Fake::lock(&fake.flows).list.iter().any(|f| f.id == id) {
        return error(
            StatusCode::NOT_FOUND,
            "MISSING_RESOURCE",
            &format!("no flow {id}"),
        );
    }
    Fake::lock(&fake.withheld).insert(id.to_owned());
    axum::Json(json!({"withheld": id})).into_response()
}

fn text_field<'a>(request: &'a Value, name: &str) -> Option<&'a str> {
    request[name].as_str().filter(|s| !s.is_empty())
}

/// `POST /_fake/process {"flowId" | "trackingId", "status": "Ok" | "Error",
/// "reasonCode"?, "reasonMessage"?}`: the PA's checks of a pending flow end.
fn process_control(fake: &Fake, request: &Value) -> Response {
    let mut flows = Fake::lock(&fake.flows);
    let index = match (
        text_field(request, "flowId"),
        text_field(request, "trackingId"),
    ) {
        (Some(id), _) => flows.list.iter().position(|f| f.id == id),
        (None, Some(tracking)) => flows
            .list
            .iter()
            .rposition(|f| f.tracking_id.as_deref() == Some(tracking) && f.ack_status == "Pending"),
        (None, None) => {
            return bad_request("MISSING_REQUIRED_FIELD", "give flowId or trackingId");
        }
    };
    let Some(index) = index else {
        return error(
            StatusCode::NOT_FOUND,
            "MISSING_RESOURCE",
            "no such pending flow",
        );
    };
    if flows.list[index].ack_status != "Pending" {
        return error(
            StatusCode::CONFLICT,
            "CONFLICT",
            &format!("the flow is already {}", flows.list[index].ack_status),
        );
    }
    let requested = match text_field(request, "status") {
        Some("Ok") => None,
        Some("Error") => {
            let Some(code) = text_field(request, "reasonCode") else {
                return bad_request(
                    "MISSING_REQUIRED_FIELD",
                    "an Error needs a reasonCode (ReasonCodeEnum, e.g. InvalidSchema)",
                );
            };
            let message = text_field(request, "reasonMessage").unwrap_or(code);
            Some((code.to_owned(), message.to_owned()))
        }
        _ => return bad_request("INVALID_FIELD_VALUE", "status is Ok or Error"),
    };
    process(&mut flows, index, requested);
    axum::Json(flows.list[index].to_json()).into_response()
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A decimal string as the CDAR carries amounts and rates: digits, one
/// `.` and at most 2 decimals for an amount, `-` not allowed.
fn plain_decimal(text: &str) -> bool {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.len() <= 2
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && !(text.contains('.') && fraction.is_empty())
}

/// `POST /_fake/lifecycle {"trackingId", "status", "reason"?,
/// "reasonMessage"?, "invoiceId"?, "issuerSiren"?, "amount"?, "vatRate"?}`:
/// `invoiceId` (the invoice's number in the CDAR) defaults to the
/// `trackingId`, `issuerSiren` (who issues the status: the buyer, or the
/// seller for 212) to 702042755, the directory's example company.
fn lifecycle(fake: &Fake, request: &Value) -> Response {
    let Some(tracking) = text_field(request, "trackingId") else {
        return bad_request("MISSING_REQUIRED_FIELD", "trackingId is missing");
    };
    let status = match &request["status"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => {
            return bad_request(
                "MISSING_REQUIRED_FIELD",
                "status is missing (a CDAR code, \"205\")",
            );
        }
    };
    let Some(&(code, label, needs_reason)) = STATUSES.iter().find(|(c, _, _)| *c == status) else {
        let known: Vec<&str> = STATUSES.iter().map(|(c, _, _)| *c).collect();
        return bad_request(
            "INVALID_FIELD_VALUE",
            &format!("status {status} is not one of {}", known.join(", ")),
        );
    };
    let reason = text_field(request, "reason");
    if needs_reason && reason.is_none() {
        return bad_request(
            "MISSING_REQUIRED_FIELD",
            &format!("status {code} ({label}) needs a reason (BR-FR-CDV-15)"),
        );
    }
    let amount = text_field(request, "amount");
    let vat_rate = text_field(request, "vatRate");
    if code == "212" && (amount.is_none() || vat_rate.is_none()) {
        return bad_request(
            "MISSING_REQUIRED_FIELD",
            "status 212 (Encaissée) needs the amount received and its VAT rate (BR-FR-CDV-14)",
        );
    }
    if amount.is_some_and(|a| !plain_decimal(a)) || vat_rate.is_some_and(|r| !plain_decimal(r)) {
        return bad_request(
            "INVALID_FIELD_VALUE",
            "amount and vatRate are decimal strings (\"1200.00\", \"20\")",
        );
    }
    let issuer_siren = match &request["issuerSiren"] {
        Value::Null => "702042755",
        Value::String(s) if s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit()) => s.as_str(),
        _ => return bad_request("INVALID_FIELD_VALUE", "issuerSiren must be 9 digits"),
    };
    let mut flows = Fake::lock(&fake.flows);
    let Some(invoice) = flows.list.iter().rev().find(|f| {
        f.direction == "Out"
            && f.tracking_id.as_deref() == Some(tracking)
            && matches!(f.syntax.as_str(), "Factur-X" | "CII" | "UBL")
    }) else {
        return error(
            StatusCode::NOT_FOUND,
            "MISSING_RESOURCE",
            &format!("no invoice flow was sent with trackingId {tracking}"),
        );
    };
    if invoice.ack_status != "Ok" {
        return error(
            StatusCode::CONFLICT,
            "CONFLICT",
            &format!(
                "the invoice flow is {}: a buyer's status comes only after the PA accepted it (POST /_fake/process)",
                invoice.ack_status
            ),
        );
    }
    let invoice_id = text_field(request, "invoiceId")
        .unwrap_or(tracking)
        .to_owned();
    let rule = invoice.processing_rule.clone();
    let invoice_flow = invoice.id.clone();
    let issued = invoice.submitted_at;
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let cdar = cdar(&Cdar {
        id: &id,
        now,
        invoice_id: &invoice_id,
        invoice_issued: issued,
        code,
        label,
        reason,
        reason_message: text_field(request, "reasonMessage"),
        amount,
        vat_rate,
        issuer_siren,
    });
    let seq = flows.next_seq();
    let flow = Flow {
        id,
        seq,
        tracking_id: None,
        name: format!("CDAR_{code}_{invoice_flow}.xml"),
        processing_rule: rule,
        rule_given: false,
        syntax: "CDAR".to_owned(),
        profile: "Basic".to_owned(),
        profile_given: false,
        flow_type: "CustomerInvoiceLC".to_owned(),
        direction: "In",
        submitted_at: now,
        updated_at: now,
        ack_status: "Ok",
        ack_details: Vec::new(),
        sha256: hex_sha256(cdar.as_bytes()),
        file: Bytes::from(cdar),
    };
    let answer = flow.to_json();
    flows.list.push(flow);
    (StatusCode::CREATED, axum::Json(answer)).into_response()
}

/// `POST /_fake/incoming {"name", "file" (base64), "syntax"?}`: a
/// supplier's invoice addressed to the user arrives (`flowType`
/// `SupplierInvoice`, `flowDirection` `In`, acknowledged `Ok`). `syntax`
/// is `Factur-X` (default), `CII` or `UBL`.
fn incoming(fake: &Fake, request: &Value) -> Response {
    let Some(name) = text_field(request, "name").filter(|n| n.chars().count() <= 255) else {
        return bad_request(
            "MISSING_REQUIRED_FIELD",
            "name is missing (the file's name, at most 255 characters)",
        );
    };
    let syntax = text_field(request, "syntax").unwrap_or("Factur-X");
    if !matches!(syntax, "Factur-X" | "CII" | "UBL") {
        return bad_request("INVALID_FIELD_VALUE", "syntax is Factur-X, CII or UBL");
    }
    let Some(file) = text_field(request, "file")
        .and_then(|f| base64::engine::general_purpose::STANDARD.decode(f).ok())
        .filter(|f| !f.is_empty())
    else {
        return bad_request("INVALID_FIELD_VALUE", "file is missing or not base64");
    };
    let now = now_ms();
    let mut flows = Fake::lock(&fake.flows);
    let seq = flows.next_seq();
    let flow = Flow {
        id: uuid::Uuid::new_v4().to_string(),
        seq,
        tracking_id: None,
        name: name.to_owned(),
        processing_rule: "B2B".to_owned(),
        rule_given: false,
        syntax: syntax.to_owned(),
        profile: "CIUS".to_owned(),
        profile_given: false,
        flow_type: "SupplierInvoice".to_owned(),
        direction: "In",
        submitted_at: now,
        updated_at: now,
        ack_status: "Ok",
        ack_details: Vec::new(),
        sha256: hex_sha256(&file),
        file: Bytes::from(file),
    };
    let answer = flow.to_json();
    flows.list.push(flow);
    (StatusCode::CREATED, axum::Json(answer)).into_response()
}

struct Cdar<'a> {
    id: &'a str,
    now: DateTime<Utc>,
    invoice_id: &'a str,
    invoice_issued: DateTime<Utc>,
    code: &'a str,
    label: &'a str,
    reason: Option<&'a str>,
    reason_message: Option<&'a str>,
    amount: Option<&'a str>,
    vat_rate: Option<&'a str>,
    issuer_siren: &'a str,
}

/// The CDAR message of one status (UN/CEFACT
/// `CrossDomainAcknowledgementAndResponse` D22B, the elements the FNFE
/// rules read): sent by a PA to the seller's PA (both role `WK`), issued
/// by the buyer (`BY`; the seller, `SE`, for 212) named by its SIREN.
/// Valid against the FNFE 1.4.0 CDAR XSD and rules (`spec/fnfe-1.4.0-cdar/`,
/// run by the test `the_cdar_messages_pass_the_fnfe_xsd_and_rules`).
fn cdar(c: &Cdar) -> String {
    let e = xml_escape;
    let mut status = String::new();
    if let Some(reason) = c.reason {
        status.push_str(&format!(
            "\n        <ram:SpecifiedDocumentStatus>\n          <ram:ReasonCode>{}</ram:ReasonCode>{}\n          <ram:SequenceNumeric>1</ram:SequenceNumeric>\n        </ram:SpecifiedDocumentStatus>",
            e(reason),
            c.reason_message
                .map(|m| format!("\n          <ram:Reason>{}</ram:Reason>", e(m)))
                .unwrap_or_default()
        ));
    }
    if let (Some(amount), Some(rate)) = (c.amount, c.vat_rate) {
        status.push_str(&format!(
            "\n        <ram:SpecifiedDocumentStatus>\n          <ram:SequenceNumeric>{}</ram:SequenceNumeric>\n          <ram:SpecifiedDocumentCharacteristic>\n            <ram:TypeCode>MEN</ram:TypeCode>\n            <ram:ValueAmount>{}</ram:ValueAmount>\n            <ram:ValuePercent>{}</ram:ValuePercent>\n          </ram:SpecifiedDocumentCharacteristic>\n        </ram:SpecifiedDocumentStatus>",
            if c.reason.is_some() { 2 } else { 1 },
            e(amount),
            e(rate)
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:BusinessProcessSpecifiedDocumentContextParameter>
      <ram:ID>REGULATED</ram:ID>
    </ram:BusinessProcessSpecifiedDocumentContextParameter>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn.cpro.gouv.fr:1p0:CDV:invoice</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{id}</ram:ID>
    <ram:TypeCode>23</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="204">{now}</udt:DateTimeString>
    </ram:IssueDateTime>
    <ram:SenderTradeParty>
      <ram:Name>fake-pa</ram:Name>
      <ram:RoleCode>WK</ram:RoleCode>
    </ram:SenderTradeParty>
    <ram:IssuerTradeParty>
      <ram:GlobalID schemeID="0002">{issuer_siren}</ram:GlobalID>
      <ram:RoleCode>{issuer}</ram:RoleCode>
    </ram:IssuerTradeParty>
    <ram:RecipientTradeParty>
      <ram:Name>fake-pa</ram:Name>
      <ram:RoleCode>WK</ram:RoleCode>
    </ram:RecipientTradeParty>
  </rsm:ExchangedDocument>
  <rsm:AcknowledgementDocument>
    <ram:MultipleReferencesIndicator>
      <udt:Indicator>false</udt:Indicator>
    </ram:MultipleReferencesIndicator>
    <ram:TypeCode>23</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="204">{now}</udt:DateTimeString>
    </ram:IssueDateTime>
    <ram:ReferenceReferencedDocument>
      <ram:IssuerAssignedID>{invoice}</ram:IssuerAssignedID>
      <ram:TypeCode>380</ram:TypeCode>
      <ram:FormattedIssueDateTime>
        <qdt:DateTimeString format="102">{issued}</qdt:DateTimeString>
      </ram:FormattedIssueDateTime>
      <ram:ProcessConditionCode>{code}</ram:ProcessConditionCode>
      <ram:ProcessCondition>{label}</ram:ProcessCondition>{status}
    </ram:ReferenceReferencedDocument>
  </rsm:AcknowledgementDocument>
</rsm:CrossDomainAcknowledgementAndResponse>
"#,
        id = e(c.id),
        now = c.now.format("%Y%m%d%H%M%S"),
        invoice = e(c.invoice_id),
        issued = c.invoice_issued.format("%Y%m%d"),
        code = c.code,
        label = e(c.label),
        issuer = if c.code == "212" { "SE" } else { "BY" },
        issuer_siren = e(c.issuer_siren),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        assert_eq!(seq_of(&cursor_of(42)), Some(42));
        assert_eq!(
            seq_of("eyJjcmVhdGVkX2F0IjoiMjAyNS0wNi0wOVQxMDowMDowMFoiLCJpZCI6MTIzNH0="),
            None
        );
    }

    #[test]
    fn amounts_are_plain_decimals() {
        assert!(plain_decimal("1200.00"));
        assert!(plain_decimal("20"));
        assert!(!plain_decimal("-3"));
        assert!(!plain_decimal("1,5"));
        assert!(!plain_decimal("1."));
        assert!(!plain_decimal("1.234"));
    }
}
