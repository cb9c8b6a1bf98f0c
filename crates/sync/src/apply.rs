//! Reads a raw Stripe event (exactly Stripe's event object: `{id, type,
//! created, data: {object}}`) into a [`StripeFact`] and applies it to the
//! store exactly once ([`Store::record_stripe_events`]: one transaction per
//! page of events, each event id recorded with its consequences). After an
//! event is applied, the refunds that were waiting for their payment are
//! applied again.
//!
//! | event | fact |
//! |---|---|
//! | `checkout.session.completed`, `payment_status: paid` | payment succeeded |
//! | `checkout.session.completed`, `payment_status: unpaid` | payment processing (SEPA) |
//! | `checkout.session.async_payment_succeeded` | payment succeeded |
//! | `checkout.session.async_payment_failed` | payment failed |
//! | `checkout.session.expired` | session expired |
//! | `charge.refunded` | refunded (cumulative `amount_refunded`) |
//! | `payment_link.updated` with `active: false` | link deactivated |
//! | anything else | ignored (recorded as such) |
//!
//! # Choices
//!
//! - **Receipt date**: the UTC date of the event's `created`, the moment
//!   Stripe recorded the payment or refund. The same event gives the same
//!   row whenever it is synced, from the relay or from Stripe.
//! - **Card or SEPA**: from the expanded PaymentIntent (its latest charge's
//!   `payment_method_details.type`, or its only payment method type), else
//!   the session's only `payment_method_types`, else by the flow: a session
//!   paid at completion was paid by card; one that completed `unpaid` and
//!   succeeded later was a SEPA Direct Debit. Any other immediate method
//!   (wallets, Link) is a card payment for the ledger.
//! - **Refunds** count unless Stripe says they `failed` or were `canceled`.
//! - Metadata Acquit did not write in a form it reads (a non-numeric
//!   `acquit_invoice_id`) is treated as absent, not as an error: the event
//!   may concern another application on the same account.
//! - A malformed event (a required field missing or of the wrong type) is a
//!   [`SyncError::Malformed`] naming the event and the field; nothing is
//!   recorded, so the same event is read again at the next sync.

use acquit_core::{Currency, Money};
use acquit_store::{
    ApplyOutcome, CheckoutRef, EventSource, NewStripeEvent, Recording, Store, StoreError,
    StripeFact, StripeMethod, StripeRefund,
};
use chrono::NaiveDate;
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("Stripe event {event}: {field} {problem}; the event was not applied")]
    Malformed {
        event: String,
        field: String,
        problem: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An event read, before it is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEvent {
    pub id: String,
    pub event_type: String,
    /// Unix seconds.
    pub created: i64,
    pub fact: StripeFact,
}

/// Applies one Stripe event exactly once, then retries deferred refunds if
/// it was applied.
pub fn apply_event(
    store: &mut Store,
    event: &Value,
    source: EventSource,
) -> Result<ApplyOutcome, SyncError> {
    let parsed = parse_event(event)?;
    let mut outcomes = store.record_stripe_events(&[NewStripeEvent {
        id: parsed.id,
        event_type: parsed.event_type,
        created: parsed.created,
        source,
        payload: Some(event.clone()),
        record: Recording::Apply(parsed.fact),
    }])?;
    Ok(outcomes.remove(0))
}

/// What to record of a raw event (Stripe's copy), for
/// [`Store::record_stripe_events`], and the error if it is malformed. A
/// malformed event must not stall every later sync: it is recorded as
/// ignored with what is wrong when it has an id, else not at all.
pub fn to_record(
    event: &Value,
    source: EventSource,
) -> (Option<NewStripeEvent>, Option<SyncError>) {
    let (record, error) = match parse_event(event) {
        Ok(parsed) => (Recording::Apply(parsed.fact), None),
        Err(error) => {
            let SyncError::Malformed { field, problem, .. } = &error else {
                return (None, Some(error));
            };
            let why = format!("malformed: {field} {problem}");
            (Recording::Apply(StripeFact::Ignored { why }), Some(error))
        }
    };
    let text = |name: &str| event.get(name).and_then(Value::as_str);
    let record = text("id")
        .filter(|id| !id.is_empty())
        .map(|id| NewStripeEvent {
            id: id.to_owned(),
            event_type: text("type").unwrap_or("unknown").to_owned(),
            created: event.get("created").and_then(Value::as_i64).unwrap_or(0),
            source,
            payload: Some(event.clone()),
            record,
        });
    (record, error)
}

/// Reads a Stripe event into the fact it reports.
pub fn parse_event(event: &Value) -> Result<ParsedEvent, SyncError> {
    let id = event
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| SyncError::Malformed {
            event: "(without id)".into(),
            field: "id".into(),
            problem: "is missing or not a string".into(),
        })?
        .to_owned();
    let r = Reader { event: &id };
    let event_type = r.str(event, "type")?.to_owned();
    let created = r.int(event, "created")?;
    let object = event
        .get("data")
        .and_then(|d| d.get("object"))
        .filter(|o| o.is_object())
        .ok_or_else(|| r.bad("data.object", "is missing or not an object"))?;
    let on = chrono::DateTime::from_timestamp(created, 0)
        .ok_or_else(|| r.bad("created", "is not a valid time"))?
        .date_naive();
    let fact = match event_type.as_str() {
        "checkout.session.completed" => {
            match r
                .str(object, "payment_status")
                .map_err(|e| e.within("data.object"))?
            {
                "paid" => r.succeeded(object, on, false)?,
                "unpaid" => StripeFact::PaymentProcessing {
                    checkout: r.checkout(object)?,
                },
                other => StripeFact::Ignored {
                    why: format!("a session completed with payment_status {other}"),
                },
            }
        }
        "checkout.session.async_payment_succeeded" => r.succeeded(object, on, true)?,
        "checkout.session.async_payment_failed" => StripeFact::PaymentFailed {
            checkout: r.checkout(object)?,
            reason: failure_reason(object),
        },
        "checkout.session.expired" => StripeFact::SessionExpired {
            checkout: r.checkout(object)?,
        },
        "charge.refunded" => r.refunded(object, on)?,
        "payment_link.updated" => match object.get("active").and_then(Value::as_bool) {
            Some(false) => StripeFact::LinkDeactivated {
                payment_link: r
                    .str(object, "id")
                    .map_err(|e| e.within("data.object"))?
                    .to_owned(),
            },
            Some(true) => StripeFact::Ignored {
                why: "a payment link updated and still active".into(),
            },
            None => return Err(r.bad("data.object.active", "is missing or not a boolean")),
        },
        other => StripeFact::Ignored {
            why: format!("Acquit does not act on {other}"),
        },
    };
    Ok(ParsedEvent {
        id,
        event_type,
        created,
        fact,
    })
}

struct Reader<'a> {
    event: &'a str,
}

impl SyncError {
    fn within(self, prefix: &str) -> SyncError {
        match self {
            SyncError::Malformed {
                event,
                field,
                problem,
            } => SyncError::Malformed {
                event,
                field: format!("{prefix}.{field}"),
                problem,
            },
            other => other,
        }
    }
}

impl Reader<'_> {
    fn bad(&self, field: &str, problem: &str) -> SyncError {
        SyncError::Malformed {
            event: self.event.to_owned(),
            field: field.to_owned(),
            problem: problem.to_owned(),
        }
    }

    /// A string field that says something: Stripe never sends an empty
    /// id, type or status, and an empty one would match nothing, or worse,
    /// everything else empty (found by the `stripe_event` fuzz target).
    fn str<'v>(&self, v: &'v Value, field: &str) -> Result<&'v str, SyncError> {
        v.get(field)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| self.bad(field, "is missing, empty or not a string"))
    }

    fn int(&self, v: &Value, field: &str) -> Result<i64, SyncError> {
        v.get(field)
            .and_then(Value::as_i64)
            .ok_or_else(|| self.bad(field, "is missing or not an integer"))
    }

    fn money(&self, v: &Value, amount_field: &str) -> Result<Money, SyncError> {
        let minor = self
            .int(v, amount_field)
            .map_err(|e| e.within("data.object"))?;
        let code = self
            .str(v, "currency")
            .map_err(|e| e.within("data.object"))?;
        // Exactly three letters, as Stripe writes them: core's from_code
        // forgives spaces (typed input), an event's code must not (a fuzz
        // find: "eur " was read as euros).
        let currency = Some(code)
            .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()))
            .and_then(|c| Currency::from_code(c).ok())
            .ok_or_else(|| {
                self.bad(
                    "data.object.currency",
                    &format!("\"{code}\" is not a known currency"),
                )
            })?;
        Ok(Money::new(minor, currency))
    }

    /// A Checkout Session's ids and Acquit's metadata.
    fn checkout(&self, session: &Value) -> Result<CheckoutRef, SyncError> {
        let metadata = session.get("metadata");
        let meta = |key: &str| {
            metadata
                .and_then(|m| m.get(key))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        Ok(CheckoutRef {
            checkout_session: self
                .str(session, "id")
                .map_err(|e| e.within("data.object"))?
                .to_owned(),
            payment_link: id_of(session.get("payment_link")).map(str::to_owned),
            invoice_id: meta("acquit_invoice_id").and_then(|s| s.parse().ok()),
            invoice_number: meta("acquit_invoice_number").map(str::to_owned),
            link_id: meta("acquit_link_id").and_then(|s| s.parse().ok()),
        })
    }

    fn succeeded(
        &self,
        session: &Value,
        on: NaiveDate,
        async_flow: bool,
    ) -> Result<StripeFact, SyncError> {
        let checkout = self.checkout(session)?;
        let amount = self.money(session, "amount_total")?;
        if !amount.is_positive() {
            return Err(self.bad("data.object.amount_total", "is not more than zero"));
        }
        let intent = session.get("payment_intent");
        let payment_intent = id_of(intent)
            .ok_or_else(|| {
                self.bad(
                    "data.object.payment_intent",
                    "is missing for a paid session",
                )
            })?
            .to_owned();
        let charge = intent.and_then(|pi| pi.get("latest_charge"));
        let fee = charge
            .and_then(|c| c.get("balance_transaction"))
            .and_then(|t| t.get("fee"))
            .and_then(Value::as_i64)
            .map(|fee| Money::new(fee, amount.currency()));
        Ok(StripeFact::PaymentSucceeded {
            checkout,
            payment_intent,
            charge: id_of(charge).map(str::to_owned),
            amount,
            method: method_of(session, async_flow),
            received_on: on,
            fee,
        })
    }

    fn refunded(&self, charge: &Value, on: NaiveDate) -> Result<StripeFact, SyncError> {
        let id = self
            .str(charge, "id")
            .map_err(|e| e.within("data.object"))?;
        let cumulative = self.money(charge, "amount_refunded")?;
        if !cumulative.is_positive() {
            return Err(self.bad("data.object.amount_refunded", "is not more than zero"));
        }
        let mut refunds = Vec::new();
        if let Some(list) = charge
            .get("refunds")
            .and_then(|r| r.get("data"))
            .and_then(Value::as_array)
        {
            for (i, refund) in list.iter().enumerate() {
                let status = refund.get("status").and_then(Value::as_str);
                if matches!(status, Some("failed" | "canceled")) {
                    continue;
                }
                let field = |f: &str| format!("data.object.refunds.data[{i}].{f}");
                let refund_id = refund
                    .get("id")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| self.bad(&field("id"), "is missing, empty or not a string"))?;
                let amount = refund
                    .get("amount")
                    .and_then(Value::as_i64)
                    .filter(|a| *a > 0)
                    .ok_or_else(|| {
                        self.bad(&field("amount"), "is missing or not a positive integer")
                    })?;
                refunds.push(StripeRefund {
                    id: refund_id.to_owned(),
                    amount: Money::new(amount, cumulative.currency()),
                });
            }
        }
        Ok(StripeFact::Refunded {
            charge: id.to_owned(),
            payment_intent: id_of(charge.get("payment_intent")).map(str::to_owned),
            amount_refunded: cumulative,
            refunds,
            refunded_on: on,
        })
    }
}

/// The id of a field that is either an id or an expanded object.
fn id_of(v: Option<&Value>) -> Option<&str> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s),
        Value::Object(o) => o
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty()),
        _ => None,
    }
}

fn method_of(session: &Value, async_flow: bool) -> StripeMethod {
    let from = |t: &str| {
        if t == "sepa_debit" {
            StripeMethod::SepaDebit
        } else {
            StripeMethod::Card
        }
    };
    let only = |v: Option<&Value>| -> Option<String> {
        match v.and_then(Value::as_array).map(Vec::as_slice) {
            Some([one]) => one.as_str().map(str::to_owned),
            _ => None,
        }
    };
    if let Some(pi) = session.get("payment_intent").filter(|v| v.is_object()) {
        if let Some(t) = pi
            .get("latest_charge")
            .and_then(|c| c.get("payment_method_details"))
            .and_then(|d| d.get("type"))
            .and_then(Value::as_str)
        {
            return from(t);
        }
        if let Some(t) = only(pi.get("payment_method_types")) {
            return from(&t);
        }
    }
    if let Some(t) = only(session.get("payment_method_types")) {
        return from(&t);
    }
    if async_flow {
        StripeMethod::SepaDebit
    } else {
        StripeMethod::Card
    }
}

/// Why an asynchronous payment failed, from the expanded PaymentIntent when
/// it is there.
fn failure_reason(session: &Value) -> String {
    let error = session
        .get("payment_intent")
        .and_then(|pi| pi.get("last_payment_error"));
    let message = error.and_then(|e| e.get("message")).and_then(Value::as_str);
    let code = error
        .and_then(|e| e.get("decline_code").or_else(|| e.get("code")))
        .and_then(Value::as_str);
    match (message, code) {
        (Some(m), Some(c)) => format!("{m} ({c})"),
        (Some(m), None) => m.to_owned(),
        (None, Some(c)) => c.to_owned(),
        (None, None) => "the bank refused the debit".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_malformed_event_names_its_id_and_the_field() {
        let event = json!({"id": "evt_1", "type": "charge.refunded", "created": 1_795_000_000,
                           "data": {"object": {"id": "ch_1", "currency": "eur"}}});
        let err = parse_event(&event).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Stripe event evt_1: data.object.amount_refunded is missing or not an integer; the event was not applied"
        );
        let err = parse_event(&json!({"type": "x"})).unwrap_err();
        assert!(err.to_string().contains("id is missing"), "{err}");
        let err = parse_event(&json!({"id": "evt_2", "type": "x", "created": 1})).unwrap_err();
        assert!(err.to_string().contains("data.object"), "{err}");
    }

    /// Found by the `stripe_event` fuzz target: Stripe's own fixtures with
    /// one id emptied were read as facts. An empty id would match nothing,
    /// or (as a PaymentIntent) count a second payment as already recorded.
    #[test]
    fn an_empty_id_is_refused_where_an_id_is_read() {
        for (name, event, field) in [
            (
                "session",
                include_str!("../tests/fixtures/fuzz-found/empty-session-id.json"),
                "data.object.id",
            ),
            (
                "payment intent",
                include_str!("../tests/fixtures/fuzz-found/empty-payment-intent-id.json"),
                "payment_intent",
            ),
            (
                "charge",
                include_str!("../tests/fixtures/fuzz-found/empty-charge-id.json"),
                "id",
            ),
        ] {
            let event: Value = serde_json::from_str(event).unwrap();
            let err = parse_event(&event).expect_err(name);
            assert!(err.to_string().contains(field), "{name}: {err}");
            // The same event with its id back is read.
            let mut fixed = event.clone();
            match name {
                "session" => fixed["data"]["object"]["id"] = json!("cs_test_deposit"),
                "payment intent" => {
                    fixed["data"]["object"]["payment_intent"] = json!({"id": "pi_1"})
                }
                _ => fixed["data"]["object"]["id"] = json!("ch_3Sdeposit"),
            }
            parse_event(&fixed).unwrap_or_else(|e| panic!("{name} fixed: {e}"));
        }
    }

    /// Found by the `stripe_event` fuzz target (10-minute run): a session
    /// whose currency was `"eur "` was read as a payment in euros.
    #[test]
    fn a_currency_is_three_letters_exactly() {
        let event: Value = serde_json::from_str(include_str!(
            "../tests/fixtures/fuzz-found/currency-with-space.json"
        ))
        .unwrap();
        let err = parse_event(&event).expect_err("\"eur \" refused");
        assert!(err.to_string().contains("data.object.currency"), "{err}");
        for code in ["eur", "EUR"] {
            let mut fixed = event.clone();
            fixed["data"]["object"]["currency"] = json!(code);
            parse_event(&fixed).unwrap_or_else(|e| panic!("{code}: {e}"));
        }
        for code in [" eur", "eu", "euro", "e\u{301}ur", ""] {
            let mut odd = event.clone();
            odd["data"]["object"]["currency"] = json!(code);
            assert!(parse_event(&odd).is_err(), "{code:?}");
        }
    }

    #[test]
    fn the_method_comes_from_the_payment_then_the_session_then_the_flow() {
        let expanded = json!({"payment_intent": {"id": "pi_1", "latest_charge":
            {"id": "ch_1", "payment_method_details": {"type": "sepa_debit"}}},
            "payment_method_types": ["card", "sepa_debit"]});
        assert_eq!(method_of(&expanded, false), StripeMethod::SepaDebit);
        let listed = json!({"payment_intent": "pi_1", "payment_method_types": ["sepa_debit"]});
        assert_eq!(method_of(&listed, false), StripeMethod::SepaDebit);
        let both =
            json!({"payment_intent": "pi_1", "payment_method_types": ["card", "sepa_debit"]});
        assert_eq!(method_of(&both, false), StripeMethod::Card);
        assert_eq!(method_of(&both, true), StripeMethod::SepaDebit);
    }
}
