//! The HTTP side: one handler sees every request and checks it as VIES
//! would, in this order:
//!
//! 1. the path: `/check-vat-number`, `/check-status` or `/_fake/requests`,
//!    else 404; then the method (`POST`, `GET`, `GET`), else 405;
//! 2. for `/check-vat-number`: `Content-Type: application/json`, a body
//!    that is one JSON object whose fields are all `CheckVatRequest`'s and
//!    all strings (`null` for the optional ones), else 400 `INVALID_INPUT`;
//! 3. `countryCode`: one of VIES's codes (`EL` for Greece, `XI`), else 400
//!    `INVALID_INPUT`; `vatNumber`: 2 to 14 uppercase letters and digits,
//!    *without* the country code in front, else 400 `INVALID_INPUT`;
//! 4. the requester: `requesterMemberStateCode` and `requesterNumber`
//!    come together or not at all, a VIES code and a number in the same
//!    form as `vatNumber` (a French one: 2 key digits matching the 9-digit
//!    SIREN after them), else 400 `INVALID_REQUESTER_INFO`;
//! 5. then the answer: the member state unavailable (500
//!    `MS_UNAVAILABLE`), a known number's error (500), a registered number
//!    (`valid: true`, and a consultation number `WAPI…` when the request
//!    named a requester), any other (`valid: false`).
//!
//! Unknown fields are refused, which VIES may not do: the fake is stricter
//! than VIES so that a misspelt field is caught in Acquit's tests rather
//! than ignored in production.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;

use crate::known::{self, Answer, MEMBER_STATES};

/// How the fake runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Member states whose register is down: every request about one of
    /// their numbers answers `MS_UNAVAILABLE` (default: `ES`).
    pub unavailable: Vec<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            unavailable: vec!["ES".to_owned()],
        }
    }
}

/// The fields of VIES's `CheckVatRequest`.
const REQUEST_FIELDS: [&str; 9] = [
    "countryCode",
    "vatNumber",
    "requesterMemberStateCode",
    "requesterNumber",
    "traderName",
    "traderStreet",
    "traderPostalCode",
    "traderCity",
    "traderCompanyType",
];

/// The trader fields and the name of their `Match` in the response.
const TRADER_FIELDS: [(&str, &str); 5] = [
    ("traderName", "traderNameMatch"),
    ("traderStreet", "traderStreetMatch"),
    ("traderPostalCode", "traderPostalCodeMatch"),
    ("traderCity", "traderCityMatch"),
    ("traderCompanyType", "traderCompanyTypeMatch"),
];

#[derive(Debug)]
struct Fake {
    config: Config,
    requests: Mutex<Vec<Value>>,
    consultations: Mutex<u64>,
}

/// The fake's routes, for embedding in a test's own server.
pub fn router(config: Config) -> Router {
    let fake = Arc::new(Fake {
        config,
        requests: Mutex::new(Vec::new()),
        consultations: Mutex::new(0),
    });
    Router::new().fallback(handle).with_state(fake)
}

/// Serves the fake on `listener` until the future is dropped.
pub async fn serve(listener: TcpListener, config: Config) -> std::io::Result<()> {
    axum::serve(listener, router(config)).await
}

/// VIES's error answer, `CommonResponse`.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({
        "actionSucceed": false,
        "errorWrappers": [{"error": code, "message": message}],
    });
    (status, axum::Json(body)).into_response()
}

fn invalid_input(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "INVALID_INPUT", message)
}

fn invalid_requester(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "INVALID_REQUESTER_INFO", message)
}

/// What VIES says with each error of the member state's side.
fn state_error(code: &str) -> Response {
    let message = match code {
        "MS_UNAVAILABLE" => {
            "The application at the Member State is not replying or not available. Please try again later."
        }
        "TIMEOUT" => {
            "The application did not receive a reply within the allocated time. Please try again later."
        }
        "MS_MAX_CONCURRENT_REQ" => {
            "Your Request for VAT validation has not been processed; the maximum number of concurrent requests for this Member State has been reached. Please re-submit your request later."
        }
        _ => "An error was encountered. Please try again later.",
    };
    error(StatusCode::INTERNAL_SERVER_ERROR, code, message)
}

async fn handle(
    State(fake): State<Arc<Fake>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let expected = match uri.path() {
        "/check-vat-number" => Method::POST,
        "/check-status" | "/_fake/requests" => Method::GET,
        path => {
            return error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                &format!("no {path} here"),
            );
        }
    };
    if method != expected {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            &format!("{} takes {expected}, not {method}", uri.path()),
        );
    }
    match uri.path() {
        "/check-status" => status(&fake),
        "/_fake/requests" => {
            let requests = fake.requests.lock().unwrap_or_else(|e| e.into_inner());
            axum::Json(Value::Array(requests.clone())).into_response()
        }
        _ => check_vat_number(&fake, &headers, &body),
    }
}

fn status(fake: &Fake) -> Response {
    let countries: Vec<Value> = MEMBER_STATES
        .iter()
        .map(|code| {
            let down = fake.config.unavailable.iter().any(|u| u == code);
            json!({
                "countryCode": code,
                "availability": if down { "Unavailable" } else { "Available" },
            })
        })
        .collect();
    axum::Json(json!({"vow": {"available": true}, "countries": countries})).into_response()
}

/// A VAT number as VIES takes it beside its country code.
fn well_formed(number: &str) -> bool {
    (2..=14).contains(&number.len())
        && number
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

/// A French number after `FR`: a 2-digit key that is (12 + 3 × (SIREN
/// mod 97)) mod 97, then the 9-digit SIREN. Keys with letters are taken.
fn french_number_holds(number: &str) -> bool {
    if number.len() != 11 || !number[2..].bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (key, siren) = number.split_at(2);
    match key.parse::<u64>() {
        Ok(key) => siren
            .parse::<u64>()
            .is_ok_and(|siren| (12 + 3 * (siren % 97)) % 97 == key),
        Err(_) => true,
    }
}

fn check_vat_number(fake: &Fake, headers: &HeaderMap, body: &[u8]) -> Response {
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if !json_body {
        return invalid_input("the request body must be JSON (Content-Type: application/json)");
    }
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(body) else {
        return invalid_input("the request body must be one JSON object (a CheckVatRequest)");
    };
    fake.requests
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Value::Object(request.clone()));
    let mut fields = Map::new();
    for (name, value) in &request {
        if !REQUEST_FIELDS.contains(&name.as_str()) {
            return invalid_input(&format!("{name} is not a field of CheckVatRequest"));
        }
        match value {
            Value::String(_) => {
                fields.insert(name.clone(), value.clone());
            }
            Value::Null if !matches!(name.as_str(), "countryCode" | "vatNumber") => {}
            _ => return invalid_input(&format!("{name} must be a string")),
        }
    }
    let text = |name: &str| fields.get(name).and_then(Value::as_str);
    let Some(country) = text("countryCode").filter(|c| MEMBER_STATES.contains(c)) else {
        return invalid_input("countryCode must be a member state's code (EL for Greece, XI)");
    };
    let Some(number) = text("vatNumber").filter(|n| well_formed(n)) else {
        return invalid_input("vatNumber must be 2 to 14 uppercase letters and digits");
    };
    if number.starts_with(country) {
        return invalid_input("vatNumber is the number without its country code");
    }
    let requester = match (text("requesterMemberStateCode"), text("requesterNumber")) {
        (None, None) => false,
        (Some(state), Some(number)) => {
            if !MEMBER_STATES.contains(&state) {
                return invalid_requester("requesterMemberStateCode is not a member state's code");
            }
            if !well_formed(number) || number.starts_with(state) {
                return invalid_requester(
                    "requesterNumber must be your VAT number without its country code",
                );
            }
            if state == "FR" && !french_number_holds(number) {
                return invalid_requester("requesterNumber is not a valid French VAT number");
            }
            true
        }
        _ => {
            return invalid_requester(
                "requesterMemberStateCode and requesterNumber go together: give both or neither",
            );
        }
    };
    if fake.config.unavailable.iter().any(|u| u == country) {
        return state_error("MS_UNAVAILABLE");
    }
    let (valid, name, address) = match known::lookup(country, number) {
        Some(Answer::Error(code)) => return state_error(code),
        Some(Answer::Registered { name, address }) => (true, name, address),
        None => (false, None, None),
    };
    let consultation = if valid && requester {
        let mut count = fake.consultations.lock().unwrap_or_else(|e| e.into_inner());
        *count += 1;
        consultation_number(*count)
    } else {
        String::new()
    };
    let mut response = json!({
        "countryCode": country,
        "vatNumber": number,
        "requestDate": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        "valid": valid,
        "requestIdentifier": consultation,
        "name": name.unwrap_or("---"),
        "address": address.unwrap_or("---"),
    });
    for (field, matched) in TRADER_FIELDS {
        if let Some(value) = text(field) {
            response[field] = json!(value);
            response[matched] = json!("NOT_PROCESSED");
        }
    }
    axum::Json(response).into_response()
}

/// `WAPI` and 12 uppercase letters and digits, as VIES's look.
fn consultation_number(count: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut tail = [b'A'; 12];
    let mut n = count;
    for slot in tail.iter_mut().rev() {
        if n == 0 {
            break;
        }
        *slot = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    format!("WAPI{}", String::from_utf8_lossy(&tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consultation_numbers_look_like_vies_ones() {
        assert_eq!(consultation_number(1), "WAPIAAAAAAAAAAA1");
        assert_eq!(consultation_number(36), "WAPIAAAAAAAAAA10");
        assert_ne!(consultation_number(2), consultation_number(3));
    }

    #[test]
    fn french_requesters() {
        assert!(french_number_holds("44732829320"));
        assert!(!french_number_holds("45732829320"));
        assert!(!french_number_holds("4473282932"));
    }
}
