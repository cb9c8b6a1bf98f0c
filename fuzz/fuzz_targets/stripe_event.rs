//! `acquit_sync::apply::parse_event`: a raw Stripe event (from the relay,
//! or listed from Stripe) read into the one fact the books record, before
//! any database is touched; and `acquit_stripe::Event` with
//! `Event::object_as`, the typed reading of a listed event.
//!
//! Invariants:
//! - never a panic, whatever the JSON;
//! - the same value gives the same answer twice;
//! - an event read as `acquit_stripe::Event` (listed or retrieved) gives
//!   through `Event::to_json` the same fact as the raw JSON (from the
//!   relay): "the same event gives the same row whenever it is synced";
//! - when Ok: the event id is non-empty, the id, type and `created` are
//!   the JSON's; the fact is the one of apply.rs's table for the type
//!   (checkout.session.* → a checkout fact or ignored, charge.refunded →
//!   a refund, payment_link.updated → deactivated or ignored, anything else
//!   ignored); a payment's amount and a refund's cumulative amount are
//!   positive integers in the currency the JSON names (any case); a fee is
//!   in the payment's currency; every listed refund is positive, in the
//!   charge's currency; dates are the UTC date of `created`.
//!
//! Asserted only with `ACQUIT_FUZZ_STRICT_IDS=1`: that the ids *inside*
//! `data.object` (session, payment intent, charge, refund, link) are
//! non-empty. `parse_event` accepts an empty one today (`"id": ""`, or an
//! expanded `{"id": ""}` payment intent), see the README; the variable
//! reproduces it (`artifacts/stripe_event/crash-empty-*`).
#![no_main]

use acquit_store::StripeFact;
use acquit_stripe::{Charge, CheckoutSession, Event, PaymentLink};
use acquit_sync::apply::{ParsedEvent, SyncError, parse_event};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn same(a: &Result<ParsedEvent, SyncError>, b: &Result<ParsedEvent, SyncError>) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => a == b,
        (Err(a), Err(b)) => a.to_string() == b.to_string(),
        _ => false,
    }
}

/// Every id the fact carries is non-empty.
fn strict_ids(fact: &StripeFact) {
    let mut ids: Vec<&str> = Vec::new();
    match fact {
        StripeFact::PaymentSucceeded {
            checkout,
            payment_intent,
            charge,
            ..
        } => {
            ids.push(&checkout.checkout_session);
            ids.extend(checkout.payment_link.as_deref());
            ids.push(payment_intent);
            ids.extend(charge.as_deref());
        }
        StripeFact::PaymentProcessing { checkout }
        | StripeFact::PaymentFailed { checkout, .. }
        | StripeFact::SessionExpired { checkout } => {
            ids.push(&checkout.checkout_session);
            ids.extend(checkout.payment_link.as_deref());
        }
        StripeFact::Refunded {
            charge,
            payment_intent,
            refunds,
            ..
        } => {
            ids.push(charge);
            ids.extend(payment_intent.as_deref());
            ids.extend(refunds.iter().map(|r| r.id.as_str()));
        }
        StripeFact::LinkDeactivated { payment_link } => ids.push(payment_link),
        StripeFact::Ignored { .. } => {}
    }
    assert!(
        ids.iter().all(|id| !id.is_empty()),
        "an empty id in {fact:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    // The typed reading of a listed event, and of its object.
    let typed = serde_json::from_slice::<Event>(data).ok();
    if let Some(event) = &typed {
        let _ = event.kind();
        let _ = event.object_as::<CheckoutSession>();
        let _ = event.object_as::<Charge>();
        let _ = event.object_as::<PaymentLink>();
    }
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let parsed = parse_event(&value);
    assert!(same(&parsed, &parse_event(&value)), "{parsed:?}");
    if let Some(event) = &typed {
        let listed = parse_event(&event.to_json());
        assert!(same(&parsed, &listed), "raw {parsed:?}\nlisted {listed:?}");
    }
    let Ok(p) = parsed else { return };
    if std::env::var_os("ACQUIT_FUZZ_STRICT_IDS").is_some() {
        strict_ids(&p.fact);
    }

    assert!(!p.id.is_empty());
    assert_eq!(value["id"].as_str(), Some(p.id.as_str()));
    assert_eq!(value["type"].as_str(), Some(p.event_type.as_str()));
    assert_eq!(value["created"].as_i64(), Some(p.created));
    let on = chrono::DateTime::from_timestamp(p.created, 0)
        .unwrap()
        .date_naive();
    let object = &value["data"]["object"];
    assert!(object.is_object());
    // The currency the JSON names, as the fact carries it.
    let currency_ok = |m: &acquit_core::Money| {
        object["currency"]
            .as_str()
            .is_some_and(|c| c.eq_ignore_ascii_case(m.currency().code()))
    };
    match (&p.fact, p.event_type.as_str()) {
        (
            StripeFact::PaymentSucceeded {
                amount,
                fee,
                received_on,
                ..
            },
            "checkout.session.completed" | "checkout.session.async_payment_succeeded",
        ) => {
            assert!(amount.is_positive(), "{p:?}");
            assert_eq!(object["amount_total"].as_i64(), Some(amount.minor()));
            assert!(currency_ok(amount), "{p:?}");
            if let Some(fee) = fee {
                assert_eq!(fee.currency(), amount.currency());
            }
            assert_eq!(*received_on, on);
            if p.event_type == "checkout.session.completed" {
                assert_eq!(object["payment_status"], "paid");
            }
        }
        (StripeFact::PaymentProcessing { .. }, "checkout.session.completed") => {
            assert_eq!(object["payment_status"], "unpaid");
        }
        (StripeFact::PaymentFailed { .. }, "checkout.session.async_payment_failed") => {}
        (StripeFact::SessionExpired { .. }, "checkout.session.expired") => {}
        (
            StripeFact::Refunded {
                amount_refunded,
                refunds,
                refunded_on,
                ..
            },
            "charge.refunded",
        ) => {
            assert!(amount_refunded.is_positive(), "{p:?}");
            assert_eq!(
                object["amount_refunded"].as_i64(),
                Some(amount_refunded.minor())
            );
            assert!(currency_ok(amount_refunded), "{p:?}");
            for r in refunds {
                assert!(r.amount.is_positive(), "{p:?}");
                assert_eq!(r.amount.currency(), amount_refunded.currency());
            }
            assert_eq!(*refunded_on, on);
        }
        (StripeFact::LinkDeactivated { .. }, "payment_link.updated") => {
            assert_eq!(object["active"], false);
        }
        (StripeFact::Ignored { why }, t) => {
            assert!(!why.is_empty());
            match t {
                "checkout.session.completed" => {
                    assert!(!matches!(
                        object["payment_status"].as_str(),
                        Some("paid" | "unpaid")
                    ))
                }
                "payment_link.updated" => assert_eq!(object["active"], true),
                t => assert!(
                    !acquit_stripe::ACQUIT_EVENT_TYPES.contains(&t),
                    "{t} ignored: {p:?}"
                ),
            }
        }
        (fact, t) => panic!("{t} read as {fact:?}"),
    }
});
