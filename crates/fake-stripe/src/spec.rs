//! Parameter validation driven by Stripe's published request schemas.
//!
//! `spec/params.json` is a verbatim extract (see `spec/trim.py`) of
//! `sdk_params.2026-10-28.endive.json` for the endpoints we serve, compiled
//! into the binary so the fake runs anywhere. Each request is checked the
//! way Stripe checks it: an unknown parameter is `parameter_unknown`, a
//! missing required one `parameter_missing`, a value of the wrong type or
//! outside its enum `parameter_invalid_*`. The schema subset in use is small:
//! `type` object/array/string/integer/boolean, `properties`,
//! `additionalProperties`, `required`, `items`, `enum`, `anyOf`.
//!
//! The SDK marks enums `x-sdkAllowsOtherStrings` so old libraries accept new
//! values; the API itself rejects unknown values, and so do we, except for
//! the `enum: [""]` idiom, which means "any string, or empty to unset".

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::params::Param;

const PARAMS_JSON: &str = include_str!("../spec/params.json");

/// The API version of the extract.
pub fn version() -> &'static str {
    spec()["info"]["version"].as_str().unwrap_or("")
}

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| serde_json::from_str(PARAMS_JSON).expect("spec/params.json is valid JSON"))
}

/// A parameter Stripe would refuse, as its error object says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub code: &'static str,
    pub param: String,
    pub message: String,
}

/// Checks the parameters of `method` on the spec path `path` (e.g.
/// `/v1/payment_links/{payment_link}`). Panics if the endpoint is not in the
/// extract: a route without its schema is a bug of the fake.
pub fn validate(path: &str, method: &str, params: &BTreeMap<String, Param>) -> Result<(), Invalid> {
    let operation = &spec()["paths"][path][method];
    assert!(
        operation.is_object(),
        "{method} {path} is not in spec/params.json"
    );
    if let Some(schema) =
        operation.pointer("/requestBody/content/application~1x-www-form-urlencoded/schema")
    {
        return check_object(schema, params, "");
    }
    // GET: the query parameters are listed one by one.
    let listed = operation["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (name, value) in params {
        let Some(spec) = listed.iter().find(|p| p["name"] == name.as_str()) else {
            return Err(unknown(name));
        };
        check(&spec["schema"], value, name)?;
    }
    for spec in &listed {
        if spec["required"] == true {
            let name = spec["name"].as_str().unwrap_or_default();
            if !params.contains_key(name) {
                return Err(missing(name));
            }
        }
    }
    Ok(())
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}[{name}]")
    }
}

fn unknown(param: &str) -> Invalid {
    Invalid {
        code: "parameter_unknown",
        param: param.to_owned(),
        message: format!("Received unknown parameter: {param}"),
    }
}

fn missing(param: &str) -> Invalid {
    Invalid {
        code: "parameter_missing",
        param: param.to_owned(),
        message: format!("Missing required param: {param}."),
    }
}

fn invalid(code: &'static str, param: &str, message: String) -> Invalid {
    Invalid {
        code,
        param: param.to_owned(),
        message,
    }
}

fn check_object(schema: &Value, map: &BTreeMap<String, Param>, at: &str) -> Result<(), Invalid> {
    let properties = schema["properties"].as_object();
    for (name, value) in map {
        let here = join(at, name);
        match properties.and_then(|p| p.get(name)) {
            Some(property) => check(property, value, &here)?,
            None => match &schema["additionalProperties"] {
                Value::Object(_) => check(&schema["additionalProperties"], value, &here)?,
                Value::Bool(true) => {}
                _ => return Err(unknown(&here)),
            },
        }
    }
    for name in schema["required"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap_or_default();
        if !map.contains_key(name) {
            return Err(missing(&join(at, name)));
        }
    }
    Ok(())
}

fn check(schema: &Value, value: &Param, at: &str) -> Result<(), Invalid> {
    if let Some(branches) = schema["anyOf"].as_array() {
        let mut first_error = None;
        for branch in branches {
            match check(branch, value, at) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        return Err(first_error
            .unwrap_or_else(|| invalid("parameter_invalid", at, format!("Invalid {at}"))));
    }
    match (schema["type"].as_str().unwrap_or("string"), value) {
        ("object", Param::Map(map)) => check_object(schema, map, at),
        ("object", Param::Str(s)) if s.is_empty() => Ok(()), // `metadata=` unsets
        ("object", _) => Err(invalid(
            "parameter_invalid_hash",
            at,
            format!("Invalid hash: {at} must be a hash of parameters"),
        )),
        ("array", Param::List(items)) => {
            for (i, item) in items.iter().enumerate() {
                check(&schema["items"], item, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        ("array", Param::Map(map)) => {
            // `a[0]=x&a[1]=y`: the keys must be the indices 0..n.
            for (i, (index, item)) in sorted_indices(map, at)?.into_iter().enumerate() {
                debug_assert_eq!(i, index);
                check(&schema["items"], item, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        ("array", Param::Str(s)) if s.is_empty() => Ok(()),
        ("array", _) => Err(invalid(
            "parameter_invalid_array",
            at,
            format!("Invalid array: {at} must be an array"),
        )),
        (kind, Param::Str(s)) => check_scalar(schema, kind, s, at),
        (kind, _) => Err(invalid(
            "parameter_invalid",
            at,
            format!("Invalid {at}: expected a {kind}, got a hash or an array"),
        )),
    }
}

fn sorted_indices<'a>(
    map: &'a BTreeMap<String, Param>,
    at: &str,
) -> Result<Vec<(usize, &'a Param)>, Invalid> {
    let mut items = Vec::new();
    for (key, item) in map {
        let index: usize = key.parse().map_err(|_| {
            invalid(
                "parameter_invalid_array",
                at,
                format!("Invalid array: {at}[{key}] is not an index"),
            )
        })?;
        items.push((index, item));
    }
    items.sort_by_key(|(i, _)| *i);
    for (expected, (index, _)) in items.iter().enumerate() {
        if *index != expected {
            return Err(invalid(
                "parameter_invalid_array",
                at,
                format!("Invalid array: {at} has no element {expected}"),
            ));
        }
    }
    Ok(items)
}

fn check_scalar(schema: &Value, kind: &str, s: &str, at: &str) -> Result<(), Invalid> {
    let type_error = match kind {
        "integer" if s.parse::<i64>().is_err() => {
            Some(("parameter_invalid_integer", format!("Invalid integer: {s}")))
        }
        "number" if s.parse::<f64>().is_err() => {
            Some(("parameter_invalid_number", format!("Invalid number: {s}")))
        }
        "boolean" if s != "true" && s != "false" => {
            Some(("parameter_invalid_boolean", format!("Invalid boolean: {s}")))
        }
        _ => None,
    };
    if let Some((code, message)) = type_error {
        return Err(invalid(code, at, message));
    }
    if let Some(options) = schema["enum"].as_array() {
        let any_string = options.len() == 1 && options[0] == "";
        if !any_string && !options.iter().any(|o| o == s) {
            let names: Vec<&str> = options.iter().filter_map(Value::as_str).collect();
            return Err(invalid(
                "parameter_invalid_string",
                at,
                format!("Invalid {at}: must be one of {}", names.join(", ")),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::parse;

    fn check_body(path: &str, method: &str, body: &str) -> Result<(), Invalid> {
        validate(path, method, &parse(body).unwrap())
    }

    const LINK: &str = "line_items[0][price_data][currency]=eur&line_items[0][price_data][unit_amount]=100\
        &line_items[0][price_data][product_data][name]=F&line_items[0][quantity]=1";

    #[test]
    fn a_valid_link() {
        check_body("/v1/payment_links", "post", LINK).unwrap();
        let full = format!(
            "{LINK}&payment_method_types[0]=card&payment_method_types[1]=sepa_debit\
             &restrictions[completed_sessions][limit]=1&metadata[invoice_id]=7\
             &after_completion[type]=hosted_confirmation\
             &after_completion[hosted_confirmation][custom_message]=Merci"
        );
        check_body("/v1/payment_links", "post", &full).unwrap();
        check_body("/v1/payment_links/{payment_link}", "post", "active=false").unwrap();
        check_body(
            "/v1/payment_links/{payment_link}",
            "get",
            "expand[0]=line_items",
        )
        .unwrap();
        check_body("/v1/account", "get", "").unwrap();
    }

    #[test]
    fn refusals_table() {
        let cases = [
            (
                "/v1/payment_links",
                "post",
                "",
                "parameter_missing",
                "line_items",
            ),
            (
                "/v1/payment_links",
                "post",
                &format!("{LINK}&foo=1") as &str,
                "parameter_unknown",
                "foo",
            ),
            (
                "/v1/payment_links",
                "post",
                &format!("{LINK}&line_items[0][price_data][bogus]=1"),
                "parameter_unknown",
                "line_items[0][price_data][bogus]",
            ),
            (
                "/v1/payment_links",
                "post",
                "line_items[0][price_data][currency]=eur",
                "parameter_missing",
                "line_items[0][quantity]",
            ),
            (
                "/v1/payment_links",
                "post",
                &format!("{LINK}&payment_method_types[0]=cheque"),
                "parameter_invalid_string",
                "payment_method_types[0]",
            ),
            (
                "/v1/payment_links",
                "post",
                &format!("{LINK}&restrictions[completed_sessions][limit]=one"),
                "parameter_invalid_integer",
                "restrictions[completed_sessions][limit]",
            ),
            (
                "/v1/payment_links",
                "post",
                &format!("{LINK}&after_completion[hosted_confirmation][custom_message]=x"),
                "parameter_missing",
                "after_completion[type]",
            ),
            (
                "/v1/payment_links/{payment_link}",
                "post",
                "active=maybe",
                "parameter_invalid_boolean",
                "active",
            ),
            (
                "/v1/account",
                "get",
                "limit=3",
                "parameter_unknown",
                "limit",
            ),
        ];
        for (path, method, body, code, param) in cases {
            let error = check_body(path, method, body).unwrap_err();
            assert_eq!((error.code, error.param.as_str()), (code, param), "{body}");
        }
    }

    #[test]
    fn the_extract_is_the_pinned_version() {
        assert_eq!(version(), "2026-10-28.endive");
    }
}
