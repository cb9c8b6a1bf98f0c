//! The directory service (annuaire): which companies and establishments
//! exist and where each wants its invoices (a directory line, `Enabled`
//! when a PA receives for it, `Disabled` when none does).
//!
//! The fake's directory is a small table: [`Directory::default`] holds
//! the files' own example company (SIREN 702042755, SIRET
//! 70204275500240, registered) and 732829320 (known, no PA:
//! `Disabled`); `POST /_fake/directory` adds or replaces companies. Each
//! company has a directory line at SIREN level (addressing identifier =
//! the SIREN) and one per SIRET (`SIREN_SIRET`).
//!
//! Checks: path parameters by their schemas (a SIREN is 9 digits, a SIRET
//! 14, an addressing identifier at most 125 characters), `fields` and
//! `include` (comma-separated, `explode: false`) by theirs, no other query
//! parameter; search bodies against `searchSiren`, `searchSiret`,
//! `searchDirectoryLine`, `routingCodeSearch`, and by hand their
//! `format: int32` on `limit` and `ignore`. Search filters served:
//! `siren`, `siret` (strict) and `addressingIdentifier` (strict or
//! contains); other filters of the schemas are accepted and match nothing
//! more (the table is small). No routing codes: their search is empty and
//! their look-up 404.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonschema::Validator;
use serde_json::{Value, json};

use crate::server::{
    Fake, Logged, bad_request, error, json_object, not_allowed, not_found, violation,
};
use crate::spec::{check, checks};

/// A company of the directory.
#[derive(Debug, Clone)]
pub struct Company {
    pub name: String,
    /// A PA receives its invoices (its lines are `Enabled`).
    pub registered: bool,
    /// Its establishments; the first is the head office (`P`).
    pub sirets: Vec<String>,
}

/// The companies, by SIREN.
#[derive(Debug)]
pub struct Directory {
    companies: BTreeMap<String, Company>,
}

impl Default for Directory {
    fn default() -> Directory {
        let mut companies = BTreeMap::new();
        companies.insert(
            "702042755".to_owned(),
            Company {
                name: "Boulangerie Pascale".to_owned(),
                registered: true,
                sirets: vec!["70204275500240".to_owned()],
            },
        );
        companies.insert(
            "732829320".to_owned(),
            Company {
                name: "Atelier sans plateforme".to_owned(),
                registered: false,
                sirets: Vec::new(),
            },
        );
        Directory { companies }
    }
}

fn digits(text: &str, n: usize) -> bool {
    text.len() == n && text.bytes().all(|b| b.is_ascii_digit())
}

/// `POST /_fake/directory {"siren", "registered", "name"?, "siret"?}`.
pub(crate) fn set(fake: &Fake, request: &Value) -> Response {
    let Some(siren) = request["siren"].as_str().filter(|s| digits(s, 9)) else {
        return bad_request("INVALID_FIELD_VALUE", "siren must be 9 digits");
    };
    let Some(registered) = request["registered"].as_bool() else {
        return bad_request("MISSING_REQUIRED_FIELD", "registered must be true or false");
    };
    let siret = match &request["siret"] {
        Value::Null => None,
        Value::String(s) if digits(s, 14) && s.starts_with(siren) => Some(s.clone()),
        _ => {
            return bad_request(
                "INVALID_FIELD_VALUE",
                "siret must be 14 digits starting with the siren",
            );
        }
    };
    let name = request["name"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("Entreprise {siren}"));
    let company = Company {
        name,
        registered,
        sirets: siret.into_iter().collect(),
    };
    let mut directory = Fake::lock(&fake.directory);
    directory.companies.insert(siren.to_owned(), company);
    let lines = lines(siren, &directory.companies[siren]);
    (StatusCode::CREATED, axum::Json(json!({"lines": lines}))).into_response()
}

fn legal_unit(siren: &str, company: &Company) -> Value {
    json!({
        "siren": siren,
        "businessName": company.name,
        "entityType": "PrivateVatRegistered",
        "administrativeStatus": "A",
        "instructions": {"isSalesProspectingForbidden": false},
    })
}

fn facility(siret: &str, siren: &str, company: &Company) -> Value {
    let head = company.sirets.first().map(String::as_str) == Some(siret);
    json!({
        "siret": siret,
        "siren": siren,
        "name": company.name,
        "facilityType": if head { "P" } else { "S" },
        "administrativeStatus": "A",
        "siretInstructions": {"isSalesProspectingForbidden": false},
    })
}

/// The company's directory lines: SIREN level, then one per SIRET.
fn lines(siren: &str, company: &Company) -> Vec<Value> {
    let line = |addressing: String, siret: Option<&str>| {
        let mut line = json!({
            "addressingIdentifier": addressing,
            "siren": siren,
            "directoryLineStatus": if company.registered { "Enabled" } else { "Disabled" },
        });
        if company.registered {
            line["platformType"] = json!("WK");
        }
        if let Some(siret) = siret {
            line["siret"] = json!(siret);
        }
        line
    };
    let mut all = vec![line(siren.to_owned(), None)];
    for siret in &company.sirets {
        all.push(line(format!("{siren}_{siret}"), Some(siret)));
    }
    all
}

/// The query of a look-up: only the parameters `allowed` names, each a
/// comma-separated list checked by its schema.
fn list_params(
    query: Option<&str>,
    allowed: &[(&str, &Validator)],
) -> Result<BTreeMap<String, Vec<String>>, Box<Response>> {
    let mut params = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let Some((_, validator)) = allowed.iter().find(|(n, _)| *n == name) else {
            let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
            return Err(Box::new(bad_request(
                "INVALID_REQUEST_FORMAT",
                &format!("{name} is not a parameter here ({})", names.join(", ")),
            )));
        };
        let list: Vec<String> = if value.is_empty() {
            Vec::new()
        } else {
            value.split(',').map(str::to_owned).collect()
        };
        if let Err(v) = check(validator, &json!(list)) {
            return Err(Box::new(violation(&name, v)));
        }
        params.insert(name.into_owned(), list);
    }
    Ok(params)
}

/// Keeps only `fields` of `payload` when the request named some (an empty
/// list names none).
fn only_fields(mut payload: Value, fields: Option<&Vec<String>>) -> Value {
    let fields = fields.filter(|f| !f.is_empty());
    if let (Some(fields), Some(object)) = (fields, payload.as_object_mut()) {
        object.retain(|k, _| fields.iter().any(|f| f == k));
    }
    payload
}

fn missing(what: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "MISSING_RESOURCE",
        &format!("{what} is not in the directory"),
    )
}

pub(crate) fn route(
    fake: &Fake,
    method: &Method,
    operation: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
    logged: &mut Logged,
) -> Response {
    let path = format!("/directory-service{operation}");
    let searches: [(&str, &Validator); 4] = [
        ("/v1/siren/search", &checks().search_siren),
        ("/v1/siret/search", &checks().search_siret),
        ("/v1/directory-line/search", &checks().search_directory_line),
        ("/v1/routing-code/search", &checks().search_routing_code),
    ];
    if let Some((_, validator)) = searches.iter().find(|(p, _)| *p == operation) {
        if method != Method::POST {
            return not_allowed(&path, &Method::POST, method);
        }
        // Only the routing code search's body is `required`; the others may
        // come empty, which searches without criteria.
        let optional = operation != "/v1/routing-code/search";
        let request = if optional && body.is_empty() && !headers.contains_key(header::CONTENT_TYPE)
        {
            json!({})
        } else {
            match json_object(headers, body, logged) {
                Ok(request) => request,
                Err(response) => return *response,
            }
        };
        if let Err(v) = check(validator, &request) {
            return violation("the search", v);
        }
        // `format: int32`, which a JSON Schema validator does not assert.
        for name in ["limit", "ignore"] {
            if request[name]
                .as_i64()
                .is_some_and(|n| i32::try_from(n).is_err())
                || request[name].is_u64() && request[name].as_i64().is_none()
            {
                return bad_request(
                    "INVALID_FIELD_VALUE",
                    &format!("{name} is an int32 (format: int32)"),
                );
            }
        }
        return search(fake, operation, &request);
    }
    let lookup = [
        "/v1/siren/code-insee:",
        "/v1/siret/code-insee:",
        "/v1/directory-line/code:",
        "/v1/routing-code/siret:",
    ]
    .iter()
    .find_map(|prefix| operation.strip_prefix(prefix).map(|key| (*prefix, key)));
    let Some((prefix, key)) = lookup.filter(|(_, key)| !key.is_empty()) else {
        return not_found(&path);
    };
    if method != Method::GET {
        return not_allowed(&path, &Method::GET, method);
    }
    let key = form_urlencoded::parse(format!("x={key}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let c = checks();
    let directory = Fake::lock(&fake.directory);
    match prefix {
        "/v1/siren/code-insee:" => {
            if let Err(v) = check(&c.siren, &json!(key)) {
                return violation("siren", v);
            }
            let params = match list_params(query, &[("fields", &c.siren_fields)]) {
                Ok(p) => p,
                Err(r) => return *r,
            };
            match directory.companies.get(&key) {
                Some(company) => {
                    axum::Json(only_fields(legal_unit(&key, company), params.get("fields")))
                        .into_response()
                }
                None => missing(&format!("SIREN {key}")),
            }
        }
        "/v1/siret/code-insee:" => {
            if let Err(v) = check(&c.siret, &json!(key)) {
                return violation("siret", v);
            }
            let params = match list_params(
                query,
                &[("fields", &c.siret_fields), ("include", &c.siret_include)],
            ) {
                Ok(p) => p,
                Err(r) => return *r,
            };
            let siren = &key[..9];
            match directory
                .companies
                .get(siren)
                .filter(|co| co.sirets.contains(&key))
            {
                Some(company) => {
                    let mut payload =
                        only_fields(facility(&key, siren, company), params.get("fields"));
                    if params
                        .get("include")
                        .is_some_and(|i| i.iter().any(|x| x == "siren"))
                    {
                        payload["legalUnit"] = legal_unit(siren, company);
                    }
                    axum::Json(payload).into_response()
                }
                None => missing(&format!("SIRET {key}")),
            }
        }
        "/v1/directory-line/code:" => {
            if let Err(v) = check(&c.addressing_identifier, &json!(key)) {
                return violation("addressing-identifier", v);
            }
            let params = match list_params(
                query,
                &[("fields", &c.line_fields), ("include", &c.line_include)],
            ) {
                Ok(p) => p,
                Err(r) => return *r,
            };
            let found = directory.companies.iter().find_map(|(siren, company)| {
                lines(siren, company)
                    .into_iter()
                    .find(|l| l["addressingIdentifier"] == key)
                    .map(|l| (siren, company, l))
            });
            match found {
                Some((siren, company, line)) => {
                    let mut payload = line.clone();
                    payload = only_fields(
                        payload,
                        params
                            .get("fields")
                            .map(|f| {
                                let mut f = f.clone();
                                f.extend([
                                    "directoryLineStatus".to_owned(),
                                    "platformType".to_owned(),
                                ]);
                                f
                            })
                            .as_ref(),
                    );
                    add_included(&mut payload, params.get("include"), siren, company, &line);
                    axum::Json(payload).into_response()
                }
                None => missing(&format!("the directory line {key}")),
            }
        }
        _ => missing("this routing code"),
    }
}

fn add_included(
    payload: &mut Value,
    include: Option<&Vec<String>>,
    siren: &str,
    company: &Company,
    line: &Value,
) {
    let Some(include) = include else {
        return;
    };
    if include.iter().any(|i| i == "siren") {
        payload["legalUnit"] = legal_unit(siren, company);
    }
    if include.iter().any(|i| i == "siret")
        && let Some(siret) = line["siret"].as_str()
    {
        payload["facility"] = facility(siret, siren, company);
    }
}

/// Whether `filter` (`{"op", "value"}`) lets `value` through.
fn passes(filter: &Value, value: Option<&str>) -> bool {
    let Some(wanted) = filter["value"].as_str() else {
        return true;
    };
    let Some(value) = value else {
        return false;
    };
    match filter["op"].as_str() {
        Some("contains") => value.contains(wanted),
        Some("startWith") => value.starts_with(wanted),
        _ => value == wanted,
    }
}

fn search(fake: &Fake, operation: &str, request: &Value) -> Response {
    let directory = Fake::lock(&fake.directory);
    let filters = &request["filters"];
    let include: Option<Vec<String>> = request["include"].as_array().map(|l| {
        l.iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    });
    let fields: Option<Vec<String>> = request["fields"].as_array().map(|l| {
        l.iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    });
    let mut results: Vec<Value> = Vec::new();
    for (siren, company) in &directory.companies {
        if !passes(&filters["siren"], Some(siren)) {
            continue;
        }
        match operation {
            "/v1/siren/search" => results.push(legal_unit(siren, company)),
            "/v1/siret/search" => {
                for siret in &company.sirets {
                    if passes(&filters["siret"], Some(siret)) {
                        let mut f = facility(siret, siren, company);
                        if include
                            .as_ref()
                            .is_some_and(|i| i.iter().any(|x| x == "siren"))
                        {
                            f["legalUnit"] = legal_unit(siren, company);
                        }
                        results.push(f);
                    }
                }
            }
            "/v1/directory-line/search" => {
                for line in lines(siren, company) {
                    if passes(&filters["siret"], line["siret"].as_str())
                        && passes(
                            &filters["addressingIdentifier"],
                            line["addressingIdentifier"].as_str(),
                        )
                    {
                        let mut payload = line.clone();
                        add_included(&mut payload, include.as_ref(), siren, company, &line);
                        results.push(payload);
                    }
                }
            }
            _ => {}
        }
    }
    let total = results.len();
    let ignore = request["ignore"].as_u64().unwrap_or(0) as usize;
    let limit = request["limit"].as_u64().map_or(usize::MAX, |l| l as usize);
    let results: Vec<Value> = results
        .into_iter()
        .skip(ignore)
        .take(limit)
        .map(|r| match &fields {
            Some(f) if operation != "/v1/directory-line/search" => only_fields(r, Some(f)),
            _ => r,
        })
        .collect();
    axum::Json(json!({
        "search": request,
        "totalNumberOfResults": total,
        "results": results,
    }))
    .into_response()
}
