//! Stripe is the truth, the relay a messenger.
//!
//! Whoever runs the relay holds the webhook secret (HMAC needs it in
//! clear), so a signature the relay checked proves nothing to the laptop.
//! Every event the relay hands over that could change the books is
//! therefore confirmed with Stripe, with the user's own key, before it is
//! applied, and **what is applied is Stripe's copy**, never the relay's:
//!
//! 1. The relay's copy is read for its id, type, mode and account only. An
//!    event of the other mode than the connected key (a test payment on an
//!    old test link, after switching to live) or of another account
//!    (Connect) is rejected without asking Stripe.
//! 2. `GET /v1/events/{id}`: Stripe keeps events 30 days. Its copy is the
//!    one applied; where the relay's copy says something else (amount,
//!    metadata, status…) that is reported, since only a tampering relay
//!    does that.
//! 3. An event Stripe does not have (it keeps them 30 days; or it never
//!    sent it): the object itself is asked for (the Checkout Session with
//!    its PaymentIntent and charge, the charge with its refunds, the
//!    Payment Link) and the fact is read from Stripe's object, provided the
//!    object is in the state the event claims (a session paid, a link
//!    inactive…) and agrees on the money. Otherwise the event is
//!    **rejected**. The relay's age claim decides nothing: whatever it
//!    says, the fact comes from Stripe alone, so a made-up event can at
//!    most repeat what Stripe already says (and a payment is booked once
//!    per PaymentIntent).
//! 4. Stripe cannot be asked (network, outage, rate limit, no key, a key
//!    without the permission): the event **waits**, kept as unconfirmed,
//!    and the next sync asks again. Nothing is dropped, nothing is applied.
//!
//! Event types Acquit does not act on are applied as they come: they are
//! recorded as ignored and change nothing.

use acquit_store::StripeFact;
use acquit_stripe::{ACQUIT_EVENT_TYPES, Client, Form, Mode, StripeError, Value as FormValue};
use serde_json::{Value, json};

use crate::apply;

/// What Stripe says about an event the relay delivered.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Apply this: Stripe's own copy of the event (or, for an event older
    /// than Stripe keeps, an event built from Stripe's object).
    Confirmed {
        event: Value,
        /// Where the relay's copy disagreed with Stripe's, in words.
        relay_differed: Option<String>,
    },
    /// Never apply it; why.
    Rejected(String),
    /// Stripe could not be asked; why. Ask again at the next sync.
    Waiting(String),
}

/// Whether an event of this type must be confirmed before it is applied:
/// every type Acquit acts on.
pub fn needs_confirmation(event_type: &str) -> bool {
    ACQUIT_EVENT_TYPES.contains(&event_type)
}

/// Confirms the relay's copy of an event with Stripe.
pub async fn confirm(stripe: Option<&Client>, claimed: &Value) -> Verdict {
    let id = claimed
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let event_type = claimed
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if let Some(account) = claimed.get("account").and_then(Value::as_str) {
        return Verdict::Rejected(format!(
            "an event of another Stripe account ({account}), not the one Acquit is connected to"
        ));
    }
    let Some(stripe) = stripe else {
        return Verdict::Waiting(
            "Stripe is not connected: connect it (`acquit stripe connect`) so Acquit can confirm the payment"
                .into(),
        );
    };
    let mode = stripe.key().mode();
    match claimed.get("livemode").and_then(Value::as_bool) {
        Some(live) if live != (mode == Mode::Live) => {
            return Verdict::Rejected(format!(
                "a {}-mode event, and the books are connected to Stripe in {} mode: it is not real money for these books",
                mode_word(live),
                mode_word(mode == Mode::Live)
            ));
        }
        Some(_) => {}
        None => return Verdict::Rejected("the event does not say test or live mode".into()),
    }
    match stripe.retrieve_event(id).await {
        Ok(event) => {
            if event.livemode != (mode == Mode::Live) {
                return Verdict::Rejected(format!(
                    "Stripe says it is a {}-mode event",
                    mode_word(event.livemode)
                ));
            }
            if let Some(account) = &event.account {
                return Verdict::Rejected(format!(
                    "Stripe says it is an event of the connected account {account}"
                ));
            }
            let event = event.to_json();
            let relay_differed = differences(claimed, &event);
            Verdict::Confirmed {
                event,
                relay_differed,
            }
        }
        Err(StripeError::NotFound { .. }) => from_object(stripe, claimed, id, event_type).await,
        Err(error) => waiting(error),
    }
}

fn mode_word(live: bool) -> &'static str {
    if live { "live" } else { "test" }
}

fn waiting(error: StripeError) -> Verdict {
    Verdict::Waiting(format!(
        "Stripe could not confirm it yet ({error}); the next sync asks again"
    ))
}

/// Where the two readings disagree on what matters, if they do.
fn differences(claimed: &Value, stripe: &Value) -> Option<String> {
    if claimed.get("type") != stripe.get("type") {
        return Some(format!(
            "the relay said {}, Stripe says {}",
            claimed["type"], stripe["type"]
        ));
    }
    let claimed = apply::parse_event(claimed).ok().map(|p| p.fact);
    let stripe = apply::parse_event(stripe).ok().map(|p| p.fact);
    match (claimed, stripe) {
        (Some(a), Some(b)) if essence(&a) == essence(&b) => None,
        (Some(a), Some(b)) => Some(format!(
            "the relay's copy reads as {}, Stripe's as {}",
            summary(&a),
            summary(&b)
        )),
        (None, _) => Some("the relay's copy is malformed".into()),
        (Some(_), None) => None,
    }
}

/// What a fact says that a relay must not be able to change: which fact,
/// the amounts and currency, the Stripe ids and Acquit's metadata. Not what
/// only an expanded object carries (fee, method) nor dates.
fn essence(fact: &StripeFact) -> Value {
    let mut value = serde_json::to_value(fact).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        for detail in [
            "fee",
            "method",
            "received_on",
            "refunded_on",
            "charge",
            "refunds",
            "reason",
        ] {
            map.remove(detail);
        }
    }
    value
}

/// A short description of a fact, for a warning.
fn summary(fact: &StripeFact) -> String {
    match fact {
        StripeFact::PaymentSucceeded {
            checkout,
            amount,
            payment_intent,
            ..
        } => format!(
            "a payment of {amount} ({payment_intent}) for {}",
            checkout.invoice_number.as_deref().unwrap_or("no invoice")
        ),
        StripeFact::Refunded {
            amount_refunded,
            charge,
            ..
        } => format!("{amount_refunded} refunded on {charge}"),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.get("fact").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default(),
    }
}

/// An event Stripe no longer keeps: the fact is read from Stripe's object
/// as it is now, and only if that object is in the state the event claims.
async fn from_object(stripe: &Client, claimed: &Value, id: &str, event_type: &str) -> Verdict {
    let object_id = claimed
        .get("data")
        .and_then(|d| d.get("object"))
        .and_then(|o| o.get("id"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let reject =
        |why: String| Verdict::Rejected(format!("Stripe does not know event {id}, and {why}"));
    let (path, prefix, expand): (&str, &str, &[&str]) = match event_type {
        t if t.starts_with("checkout.session.") => (
            "/v1/checkout/sessions",
            "cs_",
            &[acquit_stripe::SESSION_EXPAND],
        ),
        "charge.refunded" => ("/v1/charges", "ch_", &["refunds"]),
        "payment_link.updated" => ("/v1/payment_links", "plink_", &[]),
        other => return reject(format!("Acquit reads no object of a {other} event")),
    };
    if !object_id.starts_with(prefix) {
        return reject(format!("the event names no Stripe object ({object_id:?})"));
    }
    let mut query = Form::new();
    if !expand.is_empty() {
        query.push("expand", FormValue::list(expand.iter().map(FormValue::str)));
    }
    let object: Value = match stripe
        .get(
            &format!("{path}/{}", acquit_stripe::form::percent_encode(&object_id)),
            &query,
        )
        .await
    {
        Ok(object) => object,
        Err(StripeError::NotFound { .. }) => {
            return reject(format!(
                "does not know {object_id} either: Stripe never sent it"
            ));
        }
        Err(error) => return waiting(error),
    };
    let mode = stripe.key().mode() == Mode::Live;
    if object.get("livemode").and_then(Value::as_bool) != Some(mode) {
        return reject(format!(
            "says {object_id} is a {}-mode object",
            mode_word(!mode)
        ));
    }
    let state = |field: &str| {
        object
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let in_state = match event_type {
        "checkout.session.completed" => state("status") == "complete",
        "checkout.session.async_payment_succeeded" => state("payment_status") == "paid",
        "checkout.session.async_payment_failed" => {
            state("status") == "complete" && state("payment_status") == "unpaid"
        }
        "checkout.session.expired" => state("status") == "expired",
        "charge.refunded" => object
            .get("amount_refunded")
            .and_then(Value::as_i64)
            .is_some_and(|a| a > 0),
        "payment_link.updated" => object.get("active").and_then(Value::as_bool) == Some(false),
        _ => false,
    };
    if !in_state {
        return reject(format!(
            "its {object_id} is not in the state a {event_type} event claims"
        ));
    }
    let created = object_time(&object, event_type);
    let event = json!({
        "id": claimed["id"],
        "object": "event",
        "type": event_type,
        "created": created,
        "livemode": mode,
        "data": { "object": object },
    });
    // The object decides, and must back what the event claims: the same
    // fact, amount, currency, ids and metadata.
    if let Some(how) = differences(claimed, &event) {
        return reject(format!("its {object_id} disagrees with the event: {how}"));
    }
    Verdict::Confirmed {
        event,
        relay_differed: None,
    }
}

/// When Stripe says the thing happened: the charge of a paid session, the
/// latest refund, else the object's creation.
fn object_time(object: &Value, event_type: &str) -> i64 {
    let created = |v: &Value| v.get("created").and_then(Value::as_i64);
    let latest = match event_type {
        "charge.refunded" => object
            .get("refunds")
            .and_then(|r| r.get("data"))
            .and_then(Value::as_array)
            .and_then(|list| list.iter().filter_map(created).max()),
        t if t.starts_with("checkout.session.") => object
            .get("payment_intent")
            .and_then(|pi| pi.get("latest_charge"))
            .and_then(created),
        _ => None,
    };
    latest.or_else(|| created(object)).unwrap_or(0)
}
