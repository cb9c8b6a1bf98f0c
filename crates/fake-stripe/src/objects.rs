//! Stripe-shaped JSON objects, built on Stripe's own example objects.
//!
//! `spec/fixtures.json` is a verbatim extract of Stripe's fixtures (see
//! `spec/trim.py`): starting from them keeps every field a client might read
//! present with the right type. The fields that depend on the request are
//! then set as Stripe sets them, and the fixture's filler values (example
//! URLs, random counts, enabled invoice creation) are reset to what a fresh
//! object has.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use crate::params::Param;

const FIXTURES_JSON: &str = include_str!("../spec/fixtures.json");

fn fixture(name: &str) -> Value {
    static FIXTURES: OnceLock<Value> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        serde_json::from_str(FIXTURES_JSON).expect("spec/fixtures.json is valid JSON")
    })[name]
        .clone()
}

/// The account of every test key.
pub fn account() -> Value {
    let mut account = fixture("account");
    account["id"] = json!("acct_1FakeStripeAcquit00");
    account["email"] = json!("freelance@example.test");
    account["country"] = json!("FR");
    account["default_currency"] = json!("eur");
    account["charges_enabled"] = json!(true);
    account["payouts_enabled"] = json!(true);
    account["details_submitted"] = json!(true);
    account["business_profile"]["name"] = json!("Fake Stripe test account");
    account["settings"]["dashboard"]["display_name"] = json!("Fake Stripe");
    account["capabilities"] =
        json!({"card_payments": "active", "sepa_debit_payments": "active", "transfers": "active"});
    account
}

/// A scalar parameter, if sent.
fn text<'a>(params: &'a BTreeMap<String, Param>, path: &[&str]) -> Option<&'a str> {
    let (first, rest) = path.split_first()?;
    let mut current = params.get(*first)?;
    for segment in rest {
        current = match current {
            Param::Map(map) => map.get(*segment)?,
            Param::List(items) => items.get(segment.parse::<usize>().ok()?)?,
            Param::Str(_) => return None,
        };
    }
    match current {
        Param::Str(s) => Some(s),
        _ => None,
    }
}

/// An array parameter's strings, whichever way it was sent.
fn strings(param: Option<&Param>) -> Option<Vec<String>> {
    match param? {
        Param::List(items) => Some(
            items
                .iter()
                .filter_map(|p| {
                    if let Param::Str(s) = p {
                        Some(s.clone())
                    } else {
                        None
                    }
                })
                .collect(),
        ),
        // Validation ensured the keys are 0..n; BTreeMap order is textual.
        Param::Map(map) => {
            let mut items: Vec<(usize, String)> = map
                .iter()
                .filter_map(|(k, v)| match v {
                    Param::Str(s) => Some((k.parse().ok()?, s.clone())),
                    _ => None,
                })
                .collect();
            items.sort();
            Some(items.into_iter().map(|(_, s)| s).collect())
        }
        Param::Str(_) => None,
    }
}

fn metadata(param: Option<&Param>) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(Param::Map(map)) = param {
        for (k, v) in map {
            if let Param::Str(s) = v
                && !s.is_empty()
            {
                out.insert(k.clone(), json!(s));
            }
        }
    }
    out
}

/// A new payment link for validated `params`.
pub fn payment_link(id: &str, url: &str, params: &BTreeMap<String, Param>) -> Value {
    let mut link = fixture("payment_link");
    link["id"] = json!(id);
    link["url"] = json!(url);
    link["active"] = json!(true);
    link["livemode"] = json!(false);
    link["currency"] = json!(
        text(params, &["line_items", "0", "price_data", "currency"])
            .unwrap_or("eur")
            .to_ascii_lowercase()
    );
    link["metadata"] = Value::Object(metadata(params.get("metadata")));
    link["payment_method_types"] = match strings(params.get("payment_method_types")) {
        Some(types) => json!(types),
        None => Value::Null,
    };
    link["restrictions"] = match text(params, &["restrictions", "completed_sessions", "limit"]) {
        Some(limit) => {
            json!({"completed_sessions": {"count": 0, "limit": limit.parse::<i64>().unwrap_or(0)}})
        }
        None => Value::Null,
    };
    link["after_completion"] = match text(params, &["after_completion", "type"]) {
        Some("redirect") => json!({
            "type": "redirect",
            "redirect": {"url": text(params, &["after_completion", "redirect", "url"])},
        }),
        _ => json!({
            "type": "hosted_confirmation",
            "hosted_confirmation": {
                "custom_message": text(params, &["after_completion", "hosted_confirmation", "custom_message"]),
            },
        }),
    };
    // Reset the fixture's filler to a fresh link's values.
    link["custom_text"] = json!({"after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null});
    link["invoice_creation"] = json!({"enabled": false, "invoice_data": null});
    link["payment_intent_data"] = Value::Null;
    link["subscription_data"] = Value::Null;
    link["shipping_address_collection"] = Value::Null;
    link["transfer_data"] = Value::Null;
    link["payment_method_collection"] = json!("always");
    link
}

/// Applies `POST /v1/payment_links/{id}`: `active`, and `metadata` merged
/// key by key (an empty value removes a key), as Stripe does. Other
/// parameters are accepted (they passed validation) but not modelled yet.
pub fn update_payment_link(link: &mut Value, params: &BTreeMap<String, Param>) {
    if let Some(active) = text(params, &["active"]) {
        link["active"] = json!(active == "true");
    }
    match params.get("metadata") {
        Some(Param::Map(map)) => {
            let current = link["metadata"].as_object_mut();
            if let Some(current) = current {
                for (k, v) in map {
                    if let Param::Str(s) = v {
                        if s.is_empty() {
                            current.remove(k);
                        } else {
                            current.insert(k.clone(), json!(s));
                        }
                    }
                }
            }
        }
        Some(Param::Str(s)) if s.is_empty() => link["metadata"] = json!({}),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::parse;

    #[test]
    fn a_link_reflects_its_parameters() {
        let params = parse(
            "line_items[0][price_data][currency]=EUR&line_items[0][quantity]=1\
             &payment_method_types[1]=sepa_debit&payment_method_types[0]=card\
             &restrictions[completed_sessions][limit]=1&metadata[invoice_id]=7\
             &after_completion[type]=hosted_confirmation\
             &after_completion[hosted_confirmation][custom_message]=Merci",
        )
        .unwrap();
        let mut link = payment_link("plink_x", "http://h/pay/plink_x", &params);
        assert_eq!(link["object"], "payment_link");
        assert_eq!(link["currency"], "eur");
        assert_eq!(link["payment_method_types"], json!(["card", "sepa_debit"]));
        assert_eq!(
            link["restrictions"]["completed_sessions"],
            json!({"count": 0, "limit": 1})
        );
        assert_eq!(
            link["after_completion"]["hosted_confirmation"]["custom_message"],
            "Merci"
        );
        assert_eq!(link["metadata"], json!({"invoice_id": "7"}));
        update_payment_link(
            &mut link,
            &parse("active=false&metadata[invoice_id]=&metadata[b]=2").unwrap(),
        );
        assert_eq!(link["active"], false);
        assert_eq!(link["metadata"], json!({"b": "2"}));
    }

    #[test]
    fn the_account() {
        let account = account();
        assert_eq!(account["object"], "account");
        assert_eq!(
            account["business_profile"]["name"],
            "Fake Stripe test account"
        );
    }
}
