//! The relay's wire types (`acquit-relay-protocol`) and what the relay
//! checks in them: `links::validate` on a published link state (`PUT
//! …/links/{token}`), `links::valid_token`, the payer's pages
//! (`paid_page`, `void_page`, `done_page`), `links::checkout_ref` (the one
//! place the relay reads inside a stored event) and `links::negotiate`.
//! The same bytes are read as every type.
//!
//! Invariants:
//! - never a panic;
//! - every type that reads the bytes serializes to JSON that reads back
//!   equal, and serializes the same again;
//! - a link state `validate` accepts keeps its documented limits: an open
//!   link has a `pay_url`; a `pay_url` is at most 2048 printable ASCII
//!   bytes without `@`, `https://` to `checkout.stripe.com` or
//!   `buy.stripe.com` (the host read here independently, as a browser
//!   would: up to `/`, `\`, `?`, `#` or a port), or `http://` only to an
//!   allowed loopback host; the invoice number, seller, currency and paid
//!   date are at most 200 characters without control characters; a
//!   currency is three ASCII letters; a paid date is RFC 3339 or
//!   YYYY-MM-DD;
//! - a page for an accepted state has no script, and a published text
//!   adds no `<` to it (as many as with every text replaced by "x");
//! - `valid_token` is exactly "16–64 of `A-Za-z0-9-_`";
//! - `checkout_ref` answers only for `checkout.session.*`, only when the
//!   event, its `data` and `data.object` are JSON objects, and what it
//!   reads is what the JSON holds at `data.object`.
#![no_main]

use acquit_relay::links::{self, Lang, Seen};
use acquit_relay_protocol::{
    AdminTokenIssued, ErrorBody, EventsPage, EventsQuery, InboxCreated, LinkState, LinkStatus,
    QuoteReply, Reply, ReplyList, WebhookAck, WebhookSecretBody,
};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn round_trip<T>(data: &[u8]) -> Option<T>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let v: T = serde_json::from_slice(data).ok()?;
    let bytes = serde_json::to_vec(&v).unwrap();
    let back: T = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{v:?} wrote {:?}, which does not read: {e}",
            String::from_utf8_lossy(&bytes)
        )
    });
    assert_eq!(back, v, "{:?}", String::from_utf8_lossy(&bytes));
    assert_eq!(serde_json::to_vec(&back).unwrap(), bytes);
    Some(v)
}

/// The host a browser goes to for `url` (a special scheme: `\` ends the
/// authority like `/`), lowercased, without brackets; None without `//`.
fn browser_host(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.split_once(':')?;
    let rest = rest.strip_prefix("//")?;
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?.to_owned()
    } else {
        authority.split(':').next()?.to_owned()
    };
    Some((scheme.to_ascii_lowercase(), host.to_ascii_lowercase()))
}

fn check_valid_state(state: &LinkState, allowed: &[String]) {
    if state.status == LinkStatus::Open {
        assert!(state.pay_url.is_some(), "{state:?}");
    }
    if let Some(url) = &state.pay_url {
        assert!(url.len() <= 2048, "{state:?}");
        assert!(
            url.bytes().all(|b| b.is_ascii_graphic()) && !url.contains('@'),
            "{url:?}"
        );
        let (scheme, host) = browser_host(url).unwrap_or_else(|| panic!("{url:?} accepted"));
        match scheme.as_str() {
            "https" => assert!(
                links::STRIPE_PAY_HOSTS.contains(&host.as_str())
                    || allowed.iter().any(|h| h.eq_ignore_ascii_case(&host)),
                "{url:?} accepted: goes to {host:?}"
            ),
            "http" => assert!(
                matches!(host.as_str(), "127.0.0.1" | "localhost" | "::1")
                    && allowed
                        .iter()
                        .any(|h| h.trim_matches(['[', ']']).eq_ignore_ascii_case(&host)),
                "{url:?} accepted: goes to {host:?}"
            ),
            _ => panic!("{url:?} accepted"),
        }
    }
    for text in [
        &state.invoice_number,
        &state.seller,
        &state.currency,
        &state.paid_at,
    ]
    .into_iter()
    .flatten()
    {
        assert!(
            text.chars().count() <= 200 && !text.chars().any(char::is_control),
            "{text:?}"
        );
    }
    if let Some(c) = &state.currency {
        assert!(
            c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()),
            "{c:?}"
        );
    }
    if let Some(p) = &state.paid_at {
        assert!(
            chrono::DateTime::parse_from_rfc3339(p).is_ok()
                || chrono::NaiveDate::parse_from_str(p, "%Y-%m-%d").is_ok(),
            "{p:?}"
        );
    }
    // The pages: no script, and no `<` from a published text: each page has
    // exactly the `<` of the same page with every text replaced by "x" (a
    // raw-substring check was wrong: a number `><` is also in `</title><`).
    let mut plain = state.clone();
    plain.invoice_number = plain.invoice_number.map(|_| "x".into());
    plain.seller = plain.seller.map(|_| "x".into());
    let pages = |state: &LinkState, lang| {
        let mut pages = vec![links::paid_page(lang, state), links::void_page(lang, state)];
        for seen in [Seen::Nothing, Seen::Processing, Seen::Failed, Seen::Paid] {
            pages.push(links::done_page(lang, state, seen));
        }
        pages
    };
    for lang in [Lang::Fr, Lang::En] {
        for (page, reference) in pages(state, lang).iter().zip(pages(&plain, lang)) {
            assert!(!page.to_ascii_lowercase().contains("<script"), "{page}");
            assert_eq!(
                page.matches('<').count(),
                reference.matches('<').count(),
                "a published text reached the markup: {page}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<InboxCreated>(data);
    round_trip::<AdminTokenIssued>(data);
    round_trip::<WebhookSecretBody>(data);
    round_trip::<EventsPage>(data);
    round_trip::<EventsQuery>(data);
    round_trip::<ErrorBody>(data);
    round_trip::<WebhookAck>(data);
    round_trip::<Reply>(data);
    round_trip::<ReplyList>(data);
    round_trip::<QuoteReply>(data);
    if let Some(state) = round_trip::<LinkState>(data) {
        let loopback = [
            "127.0.0.1".to_owned(),
            "[::1]".to_owned(),
            "localhost".to_owned(),
        ];
        for allowed in [&[][..], &["pay.example.com".to_owned()][..], &loopback[..]] {
            if links::validate(&state, allowed).is_ok() {
                check_valid_state(&state, allowed);
            }
        }
    }

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let by_rule = (16..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    assert_eq!(links::valid_token(text), by_rule, "{text:?}");
    let _ = links::negotiate(Some(text));
    if !text.to_ascii_lowercase().contains("en") {
        assert_eq!(links::negotiate(Some(text)), Lang::Fr, "{text:?}");
    }
    // `checkout_ref` on the bytes as a stored event's payload.
    assert!(links::checkout_ref("charge.refunded", data).is_none());
    if let Some(found) = links::checkout_ref("checkout.session.completed", data) {
        // serde_json reads a typed value past a field it ignores that a
        // Value cannot hold (a number like 1E2000, a 10-minute run's find):
        // nothing to compare then; the relay keeps the payload as sent.
        let Ok(value) = serde_json::from_slice::<Value>(data) else {
            return;
        };
        // Objects at every level, never arrays read as fields in order.
        assert!(value.is_object() && value["data"].is_object(), "{value}");
        let object = &value["data"]["object"];
        assert!(object.is_object(), "{value}");
        assert_eq!(found.session.as_deref(), object["id"].as_str(), "{found:?}");
        assert_eq!(
            found.payment_link.as_deref(),
            object["payment_link"].as_str()
        );
        assert_eq!(
            found.payment_status.as_deref(),
            object["payment_status"].as_str()
        );
    }
});
