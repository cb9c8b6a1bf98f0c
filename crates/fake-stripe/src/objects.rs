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
    merge_metadata(&mut link["metadata"], params.get("metadata"));
}

/// A scalar parameter, if sent (for the other modules).
pub fn param_text<'a>(params: &'a BTreeMap<String, Param>, path: &[&str]) -> Option<&'a str> {
    text(params, path)
}

/// An array parameter's strings (for the other modules).
pub fn param_strings(param: Option<&Param>) -> Option<Vec<String>> {
    strings(param)
}

/// A metadata hash parameter (empty values dropped).
pub fn param_metadata(param: Option<&Param>) -> Map<String, Value> {
    metadata(param)
}

/// Applies a metadata update (an empty value removes a key; `metadata=`
/// empties the hash), as Stripe does on every update endpoint.
pub fn merge_metadata(target: &mut Value, param: Option<&Param>) {
    match param {
        Some(Param::Map(map)) => {
            if let Some(current) = target.as_object_mut() {
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
        Some(Param::Str(s)) if s.is_empty() => *target = json!({}),
        _ => {}
    }
}

fn empty_address() -> Value {
    json!({"city": null, "country": null, "line1": null, "line2": null, "postal_code": null, "state": null})
}

/// What a Checkout Session charges, whichever way it was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub amount: i64,
    pub currency: String,
    pub description: String,
    pub payment_method_types: Vec<String>,
}

/// A new, open Checkout Session (`mode=payment`).
pub struct NewSession<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub created: i64,
    pub expires_at: i64,
    pub terms: &'a Terms,
    pub metadata: Map<String, Value>,
    pub payment_link: Option<&'a str>,
    pub success_url: Option<&'a str>,
    pub cancel_url: Option<&'a str>,
    pub client_reference_id: Option<&'a str>,
    pub customer_email: Option<&'a str>,
    pub locale: Option<&'a str>,
}

pub fn checkout_session(new: &NewSession<'_>) -> Value {
    let mut s = fixture("checkout.session");
    s["id"] = json!(new.id);
    s["url"] = json!(new.url);
    s["created"] = json!(new.created);
    s["expires_at"] = json!(new.expires_at);
    s["livemode"] = json!(false);
    s["mode"] = json!("payment");
    s["status"] = json!("open");
    s["payment_status"] = json!("unpaid");
    s["amount_subtotal"] = json!(new.terms.amount);
    s["amount_total"] = json!(new.terms.amount);
    s["currency"] = json!(new.terms.currency);
    s["metadata"] = Value::Object(new.metadata.clone());
    s["payment_link"] = json!(new.payment_link);
    s["payment_intent"] = Value::Null;
    s["payment_method_types"] = json!(new.terms.payment_method_types);
    s["success_url"] = json!(new.success_url);
    s["cancel_url"] = json!(new.cancel_url);
    s["client_reference_id"] = json!(new.client_reference_id);
    s["customer_email"] = json!(new.customer_email);
    s["locale"] = json!(new.locale);
    s["customer_details"] = Value::Null;
    s["customer_creation"] = json!("if_required");
    s["after_expiration"] = Value::Null;
    s["allow_promotion_codes"] = Value::Null;
    s["automatic_tax"] =
        json!({"enabled": false, "liability": null, "status": null, "provider": null});
    s["consent"] = Value::Null;
    s["consent_collection"] = Value::Null;
    s["custom_text"] = json!({"after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null});
    s["invoice_creation"] = json!({"enabled": false, "invoice_data": {"account_tax_ids": null, "custom_fields": null, "description": null, "footer": null, "issuer": null, "metadata": {}, "rendering_options": null}});
    s["payment_method_collection"] = json!("if_required");
    s["payment_method_configuration_details"] = Value::Null;
    s["payment_method_options"] = json!({});
    s["shipping_address_collection"] = Value::Null;
    s["shipping_cost"] = Value::Null;
    s["shipping_options"] = json!([]);
    s["total_details"] = json!({"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0});
    s["adaptive_pricing"] = json!({"enabled": false});
    s["collected_information"] = Value::Null;
    s["currency_conversion"] = Value::Null;
    s["saved_payment_method_options"] = Value::Null;
    s
}

/// The `customer_details` a customer leaves on the payment page.
pub fn customer_details(email: &str, name: Option<&str>) -> Value {
    json!({
        "address": empty_address(),
        "business_name": null,
        "email": email,
        "individual_name": null,
        "name": name,
        "phone": null,
        "tax_exempt": "none",
        "tax_ids": [],
    })
}

/// A PaymentIntent as Checkout creates it when the customer pays.
pub fn payment_intent(id: &str, created: i64, terms: &Terms, method: &str, pm: &str) -> Value {
    let mut pi = fixture("payment_intent");
    pi["id"] = json!(id);
    pi["created"] = json!(created);
    pi["amount"] = json!(terms.amount);
    pi["amount_received"] = json!(0);
    pi["amount_details"] = json!({"tip": {}});
    pi["currency"] = json!(terms.currency);
    pi["description"] = Value::Null;
    pi["client_secret"] = json!(format!("{id}_secret_{}", &id[3..]));
    pi["automatic_payment_methods"] = Value::Null;
    pi["canceled_at"] = Value::Null;
    pi["last_payment_error"] = Value::Null;
    pi["latest_charge"] = Value::Null;
    pi["livemode"] = json!(false);
    pi["metadata"] = json!({});
    pi["next_action"] = Value::Null;
    pi["payment_method"] = json!(pm);
    pi["payment_method_configuration_details"] = Value::Null;
    pi["payment_method_options"] = json!({});
    pi["payment_method_types"] = json!([method]);
    pi["processing"] = Value::Null;
    pi["shipping"] = Value::Null;
    pi["transfer_data"] = Value::Null;
    pi["status"] = json!("requires_payment_method");
    pi
}

/// A Charge for a PaymentIntent, paid by `method`.
pub struct NewCharge<'a> {
    pub id: &'a str,
    pub created: i64,
    pub terms: &'a Terms,
    pub method: &'a str,
    pub payment_intent: &'a str,
    pub payment_method: &'a str,
    pub email: &'a str,
    pub name: Option<&'a str>,
    pub last4: &'a str,
}

pub fn charge(new: &NewCharge<'_>) -> Value {
    let mut ch = fixture("charge");
    ch["id"] = json!(new.id);
    ch["created"] = json!(new.created);
    ch["amount"] = json!(new.terms.amount);
    ch["amount_captured"] = json!(0);
    ch["amount_refunded"] = json!(0);
    ch["balance_transaction"] = Value::Null;
    ch["currency"] = json!(new.terms.currency);
    ch["description"] = Value::Null;
    ch["payment_intent"] = json!(new.payment_intent);
    ch["payment_method"] = json!(new.payment_method);
    ch["billing_details"] = json!({"address": empty_address(), "email": new.email, "name": new.name, "phone": null, "tax_id": null});
    ch["calculated_statement_descriptor"] = json!("FAKE STRIPE");
    ch["captured"] = json!(false);
    ch["paid"] = json!(false);
    ch["refunded"] = json!(false);
    ch["status"] = json!("pending");
    ch["metadata"] = json!({});
    ch["outcome"] = Value::Null;
    ch["receipt_url"] = Value::Null;
    ch["shipping"] = Value::Null;
    ch["source"] = Value::Null;
    ch["transfer_data"] = Value::Null;
    // Since 2022-11-15 `refunds` is only present when expanded.
    if let Some(map) = ch.as_object_mut() {
        map.remove("refunds");
    }
    ch["payment_method_details"] = if new.method == "sepa_debit" {
        json!({"type": "sepa_debit", "sepa_debit": {
            "bank_code": "37040044", "branch_code": null, "country": "DE",
            "fingerprint": "fakeSepaFingerprint", "last4": new.last4,
            "mandate": format!("mandate_{}", &new.id[3..]),
        }})
    } else {
        let mut card = ch["payment_method_details"].clone();
        card["card"]["last4"] = json!(new.last4);
        card["card"]["country"] = json!("FR");
        card["card"]["wallet"] = Value::Null;
        card["card"]["amount_authorized"] = json!(new.terms.amount);
        card["card"]["overcapture"] =
            json!({"maximum_amount_capturable": new.terms.amount, "status": "unavailable"});
        card["card"]["three_d_secure"] = Value::Null;
        card
    };
    ch
}

/// The outcome Stripe records on a charge that succeeded.
pub fn authorized_outcome() -> Value {
    json!({
        "advice_code": null, "network_advice_code": null, "network_decline_code": null,
        "network_status": "approved_by_network", "reason": null, "risk_level": "normal",
        "seller_message": "Payment complete.", "type": "authorized",
    })
}

/// A balance transaction (`type` charge or refund).
pub struct NewTxn<'a> {
    pub id: &'a str,
    pub created: i64,
    pub amount: i64,
    pub fee: i64,
    pub currency: &'a str,
    pub kind: &'a str,
    pub source: &'a str,
    pub description: Option<&'a str>,
}

pub fn balance_transaction(new: &NewTxn<'_>) -> Value {
    let mut txn = fixture("balance_transaction");
    txn["id"] = json!(new.id);
    txn["created"] = json!(new.created);
    txn["available_on"] = json!(new.created + 7 * 86_400);
    txn["amount"] = json!(new.amount);
    txn["fee"] = json!(new.fee);
    txn["net"] = json!(new.amount - new.fee);
    txn["currency"] = json!(new.currency);
    txn["description"] = json!(new.description);
    txn["type"] = json!(new.kind);
    txn["reporting_category"] = json!(if new.kind == "refund" {
        "refund"
    } else {
        "charge"
    });
    txn["source"] = json!(new.source);
    txn["status"] = json!("pending");
    txn["fee_details"] = if new.fee == 0 {
        json!([])
    } else {
        json!([{
            "amount": new.fee, "application": null, "currency": new.currency,
            "description": "Stripe processing fees", "type": "stripe_fee",
        }])
    };
    txn
}

/// A refund of `amount` on `charge`.
#[allow(clippy::too_many_arguments)]
pub fn refund(
    id: &str,
    created: i64,
    amount: i64,
    charge: &Value,
    txn: &str,
    method: &str,
    reason: Option<&str>,
    metadata: Map<String, Value>,
) -> Value {
    let mut re = fixture("refund");
    re["id"] = json!(id);
    re["created"] = json!(created);
    re["amount"] = json!(amount);
    re["balance_transaction"] = json!(txn);
    re["charge"] = charge["id"].clone();
    re["currency"] = charge["currency"].clone();
    re["payment_intent"] = charge["payment_intent"].clone();
    re["reason"] = json!(reason);
    re["metadata"] = Value::Object(metadata);
    re["status"] = json!("succeeded");
    re["destination_details"] = if method == "card" {
        json!({"type": "card", "card": {"reference": null, "reference_status": "pending", "reference_type": "acquirer_reference_number", "type": "refund"}})
    } else {
        json!({"type": method, method: {}})
    };
    re
}

/// An event about `object` (a full snapshot), as Stripe shapes it.
pub fn event(
    id: &str,
    created: i64,
    kind: &str,
    object: &Value,
    previous: Option<Value>,
    pending_webhooks: usize,
) -> Value {
    let mut data = json!({ "object": object });
    if let Some(previous) = previous {
        data["previous_attributes"] = previous;
    }
    let mut event = fixture("event");
    event["id"] = json!(id);
    event["api_version"] = json!("2026-10-28.endive");
    event["created"] = json!(created);
    event["data"] = data;
    event["livemode"] = json!(false);
    event["pending_webhooks"] = json!(pending_webhooks);
    event["request"] = json!({"id": null, "idempotency_key": null});
    event["type"] = json!(kind);
    event
}

/// A new webhook endpoint (without its secret).
pub fn webhook_endpoint(id: &str, created: i64, params: &BTreeMap<String, Param>) -> Value {
    let mut we = fixture("webhook_endpoint");
    we["id"] = json!(id);
    we["created"] = json!(created);
    we["url"] = json!(text(params, &["url"]));
    we["enabled_events"] = json!(strings(params.get("enabled_events")).unwrap_or_default());
    we["description"] = json!(text(params, &["description"]));
    we["api_version"] = json!(text(params, &["api_version"]));
    we["metadata"] = Value::Object(metadata(params.get("metadata")));
    we["status"] = json!("enabled");
    we["livemode"] = json!(false);
    we
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
