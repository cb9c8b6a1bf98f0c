//! Stable payment links: validating what the app publishes and rendering
//! what a payer sees at `GET /p/{token}`.
//!
//! Why it is built this way:
//! - The URL in a sent PDF's QR code must never die, so the relay answers
//!   for it: a redirect while the invoice is payable, a page once it is paid
//!   or void. The app publishes each state change with `PUT …/links/{token}`.
//! - The pages are self-contained (no script, no external resource) and
//!   served with a strict CSP whose only allowance is the hash of the one
//!   inline style, so nothing injected could run or load anything; every
//!   published string is HTML-escaped on top of that.
//! - Only French and English, French preferred on ties and as the default:
//!   Acquit's users invoice French-speaking customers first.
//! - Validation happens on `PUT`, so a bad `pay_url` (not https, or one that
//!   would not fit a `Location` header) is refused to the app with a clear
//!   400 rather than served to a payer.
//! - `pay_url` must be on Stripe's hosts (or one the operator allows): a
//!   stolen pull token must not turn the printed QR code into a redirect
//!   to a look-alike payment page.

use std::sync::LazyLock;

use acquit_relay_protocol::{LinkState, LinkStatus};
use axum::http::Uri;

use crate::store::{CHECKOUT_EVENT_PREFIX, CheckoutRef};
use sha2::{Digest, Sha256};

/// Shortest and longest accepted link token.
pub const TOKEN_LEN: std::ops::RangeInclusive<usize> = 16..=64;
/// Longest accepted text field (invoice number, seller, currency, date).
const MAX_TEXT: usize = 200;
/// Longest accepted `pay_url`.
const MAX_URL: usize = 2048;

/// Whether `token` may name a link: 16–64 URL-safe characters.
pub fn valid_token(token: &str) -> bool {
    TOKEN_LEN.contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Why a published link state was refused: the `error` code and message of
/// the 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    /// Stable machine-readable reason.
    pub reason: &'static str,
    /// What to fix.
    pub message: String,
}

fn invalid(reason: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        reason,
        message: message.into(),
    }
}

/// Hosts a `pay_url` may always point to (https only): Stripe Checkout and
/// Payment Links.
pub const STRIPE_PAY_HOSTS: [&str; 2] = ["checkout.stripe.com", "buy.stripe.com"];

/// Checks a published state before it is stored; `allowed_hosts` are the
/// operator's additions to [`STRIPE_PAY_HOSTS`].
pub fn validate(state: &LinkState, allowed_hosts: &[String]) -> Result<(), Invalid> {
    match (&state.pay_url, state.status) {
        (Some(url), _) => check_pay_url(url, allowed_hosts)?,
        (None, LinkStatus::Open) => {
            return Err(invalid(
                "missing_pay_url",
                "an open link needs a pay_url to redirect to",
            ));
        }
        (None, _) => {}
    }
    for (name, value) in [
        ("invoice_number", &state.invoice_number),
        ("seller", &state.seller),
        ("currency", &state.currency),
        ("paid_at", &state.paid_at),
    ] {
        if let Some(v) = value
            && (v.chars().count() > MAX_TEXT || v.chars().any(char::is_control))
        {
            return Err(invalid(
                "bad_field",
                format!("{name} must be at most {MAX_TEXT} characters, without control characters"),
            ));
        }
    }
    if let Some(c) = &state.currency
        && !(c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return Err(invalid(
            "bad_currency",
            "currency must be an ISO 4217 code such as EUR",
        ));
    }
    if let Some(p) = &state.paid_at
        && parse_date(p).is_none()
    {
        return Err(invalid(
            "bad_paid_at",
            "paid_at must be an RFC 3339 timestamp or a YYYY-MM-DD date",
        ));
    }
    Ok(())
}

/// `https://` to Stripe's hosts or an allowed one; `http://` only to an
/// allowed loopback host (127.0.0.1, localhost, ::1: tests, demos).
fn check_pay_url(url: &str, allowed_hosts: &[String]) -> Result<(), Invalid> {
    let bad = || {
        invalid(
            acquit_relay_protocol::error_code::BAD_PAY_URL,
            format!(
                "pay_url must be an https:// URL on {} (or a host the relay's operator allows \
                 with --allow-pay-host; http:// only for an allowed 127.0.0.1, localhost or ::1)",
                STRIPE_PAY_HOSTS.join(" or ")
            ),
        )
    };
    if url.len() > MAX_URL || url.bytes().any(|b| !b.is_ascii_graphic()) || url.contains('@') {
        return Err(bad());
    }
    let uri: Uri = url.parse().map_err(|_| bad())?;
    let host = uri
        .host()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let allowed = || {
        allowed_hosts.iter().any(|h| {
            h.trim_start_matches('[')
                .trim_end_matches(']')
                .eq_ignore_ascii_case(&host)
        })
    };
    let ok = match uri.scheme_str() {
        Some("https") => {
            !host.is_empty() && (STRIPE_PAY_HOSTS.contains(&host.as_str()) || allowed())
        }
        Some("http") => matches!(host.as_str(), "127.0.0.1" | "localhost" | "::1") && allowed(),
        _ => false,
    };
    if ok { Ok(()) } else { Err(bad()) }
}

/// The calendar date of `s`: RFC 3339 (its own offset's date, i.e. the
/// seller's) or a plain `YYYY-MM-DD`.
fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.date_naive())
        .ok()
        .or_else(|| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// Language of the payer's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// French.
    Fr,
    /// English.
    En,
}

/// Picks French or English from an `Accept-Language` header: the supported
/// language with the highest weight, French on ties and when neither is
/// listed.
pub fn negotiate(accept_language: Option<&str>) -> Lang {
    let (mut fr, mut en) = (-1.0f32, -1.0f32);
    for item in accept_language.unwrap_or("").split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or("");
        match primary {
            "fr" => fr = fr.max(q),
            "en" => en = en.max(q),
            _ => {}
        }
    }
    if en > fr && en > 0.0 {
        Lang::En
    } else {
        Lang::Fr
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;\
background:#f4f5f7;color:#1f2328}main{max-width:32rem;margin:12vh auto;padding:2rem;\
background:#fff;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.08)}h1{font-size:1.3rem;\
margin:0 0 .75rem}p{margin:.5rem 0}.ok{color:#1a7f37}.muted{color:#59636e;font-size:.9rem}";

/// The `Content-Security-Policy` of every page: nothing but the one inline
/// style, identified by its hash.
pub static CSP: LazyLock<String> = LazyLock::new(|| {
    let hash = base64(&Sha256::digest(STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
});

/// Standard base64 with padding (CSP hash sources use it).
pub(crate) fn base64(bytes: &[u8]) -> String {
    encode64(
        bytes,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        true,
    )
}

/// Base64url without padding (the API's encoding of binary fields).
pub(crate) fn base64url(bytes: &[u8]) -> String {
    encode64(
        bytes,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        false,
    )
}

fn encode64(bytes: &[u8], abc: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(abc[(n >> (18 - 6 * i) & 63) as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

fn page(lang: Lang, title: &str, body: &str) -> String {
    page_with(lang, title, body, "")
}

/// A static page (no script) in this module's style, for the other pages
/// the relay serves.
pub(crate) fn static_page(lang: Lang, title: &str, body: &str) -> String {
    page(lang, title, body)
}

fn page_with(lang: Lang, title: &str, body: &str, head: &str) -> String {
    let lang = match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">{head}\
         <title>{title}</title><style>{STYLE}</style></head>\
         <body><main>{body}</main></body></html>\n"
    )
}

fn format_date(lang: Lang, date: chrono::NaiveDate) -> String {
    match lang {
        Lang::Fr => date.format("%d/%m/%Y").to_string(),
        Lang::En => date.format("%-d %b %Y").to_string(),
    }
}

/// `1 234,56 EUR` / `EUR 1,234.56`, from minor units (0 decimals for the
/// usual zero-decimal currencies).
fn format_amount(lang: Lang, minor: i64, currency: &str) -> String {
    let zero_decimal = matches!(
        currency.to_ascii_uppercase().as_str(),
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "XOF" | "XAF" | "XPF" | "PYG" | "UGX" | "RWF"
    );
    let (units, cents) = if zero_decimal {
        (minor.unsigned_abs(), None)
    } else {
        (minor.unsigned_abs() / 100, Some(minor.unsigned_abs() % 100))
    };
    let (group, decimal) = match lang {
        Lang::Fr => ('\u{202f}', ','),
        Lang::En => (',', '.'),
    };
    let digits = units.to_string();
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(d);
    }
    if let Some(c) = cents {
        grouped.push(decimal);
        grouped.push_str(&format!("{c:02}"));
    }
    let sign = if minor < 0 { "-" } else { "" };
    let code = escape(&currency.to_ascii_uppercase());
    match lang {
        Lang::Fr => format!("{sign}{grouped}\u{a0}{code}"),
        Lang::En => format!("{sign}{code}\u{a0}{grouped}"),
    }
}

/// The page shown for a paid link.
pub fn paid_page(lang: Lang, state: &LinkState) -> String {
    let number = state.invoice_number.as_deref().map(escape);
    let date = state
        .paid_at
        .as_deref()
        .and_then(parse_date)
        .map(|d| format_date(lang, d));
    let seller = state.seller.as_deref().map(escape);
    let (title, headline, thanks) = match lang {
        Lang::Fr => {
            let mut h = match &number {
                Some(n) => format!("Facture {n} payée"),
                None => "Facture payée".to_owned(),
            };
            if let Some(d) = &date {
                h.push_str(&format!(" le {d}"));
            }
            let t = match &seller {
                Some(s) => format!("Merci\u{a0}! Ce paiement a bien été reçu par {s}."),
                None => "Merci\u{a0}! Ce paiement a bien été reçu.".to_owned(),
            };
            ("Facture payée", h, t)
        }
        Lang::En => {
            let mut h = match &number {
                Some(n) => format!("Invoice {n} paid"),
                None => "Invoice paid".to_owned(),
            };
            if let Some(d) = &date {
                h.push_str(&format!(" on {d}"));
            }
            let t = match &seller {
                Some(s) => format!("Thank you! {s} has received this payment."),
                None => "Thank you! This payment has been received.".to_owned(),
            };
            ("Invoice paid", h, t)
        }
    };
    let nothing = match lang {
        Lang::Fr => "Il n'y a plus rien à régler.",
        Lang::En => "There is nothing left to pay.",
    };
    page(
        lang,
        title,
        &format!("<h1 class=\"ok\">{headline}</h1><p>{thanks}</p><p class=\"muted\">{nothing}</p>"),
    )
}

/// The page shown for a void link.
pub fn void_page(lang: Lang, state: &LinkState) -> String {
    let seller = state.seller.as_deref().map(escape);
    let number = state.invoice_number.as_deref().map(escape);
    let amount = match (state.amount_due, state.currency.as_deref()) {
        (Some(a), Some(c)) if a > 0 => Some(format_amount(lang, a, c)),
        _ => None,
    };
    let (title, headline, contact) = match lang {
        Lang::Fr => {
            let who = seller.unwrap_or_else(|| "le vendeur".to_owned());
            let mut c = format!("Contactez {who} pour régler la facture");
            if let Some(n) = &number {
                c.push_str(&format!(" {n}"));
            }
            if let Some(a) = &amount {
                c.push_str(&format!(" ({a})"));
            }
            c.push('.');
            ("Lien expiré", "Ce lien n'est plus valide.".to_owned(), c)
        }
        Lang::En => {
            let who = seller.unwrap_or_else(|| "the seller".to_owned());
            let mut c = format!("Please contact {who} to settle invoice");
            if let Some(n) = &number {
                c.push_str(&format!(" {n}"));
            }
            if let Some(a) = &amount {
                c.push_str(&format!(" ({a})"));
            }
            c.push('.');
            (
                "Link expired",
                "This link is no longer valid.".to_owned(),
                c,
            )
        }
    };
    page(lang, title, &format!("<h1>{headline}</h1><p>{contact}</p>"))
}

/// The page shown for a token the relay does not know.
pub fn not_found_page(lang: Lang) -> String {
    match lang {
        Lang::Fr => page(
            lang,
            "Lien inconnu",
            "<h1>Lien inconnu</h1><p>Ce lien de paiement n'existe pas. \
             Vérifiez l'adresse ou contactez l'émetteur de la facture.</p>",
        ),
        Lang::En => page(
            lang,
            "Unknown link",
            "<h1>Unknown link</h1><p>This payment link does not exist. \
             Check the address or contact whoever sent you the invoice.</p>",
        ),
    }
}

/// What the relay has seen of a link's payment in its stored events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Nothing yet (the webhook may be on its way).
    Nothing,
    /// Completed, the money on its way (SEPA Direct Debit: days).
    Processing,
    /// The last attempt failed (SEPA debit refused).
    Failed,
    /// Paid.
    Paid,
}

/// What a `checkout.session.*` event says about its payment: the one
/// place the relay reads inside an event, at append, for the narrow purpose
/// of the return page (`data.object.id`, `.payment_link`,
/// `.payment_status`). The relay otherwise treats events as opaque.
pub fn checkout_ref(event_type: &str, payload: &[u8]) -> Option<CheckoutRef> {
    #[derive(serde::Deserialize)]
    struct Head {
        data: JsonObject<Data>,
    }
    #[derive(serde::Deserialize)]
    struct Data {
        object: JsonObject<Object>,
    }
    // Values, not strings: an odd shape yields None rather than an error.
    #[derive(serde::Deserialize)]
    struct Object {
        #[serde(default)]
        id: serde_json::Value,
        #[serde(default)]
        payment_link: serde_json::Value,
        #[serde(default)]
        payment_status: serde_json::Value,
    }
    if !event_type.starts_with(CHECKOUT_EVENT_PREFIX) {
        return None;
    }
    let object = serde_json::from_slice::<JsonObject<Head>>(payload)
        .ok()?
        .0
        .data
        .0
        .object
        .0;
    let text = |v: serde_json::Value| v.as_str().map(str::to_owned);
    Some(CheckoutRef {
        session: text(object.id),
        payment_link: text(object.payment_link),
        payment_status: text(object.payment_status),
    })
}

/// `T` read from a JSON object only: serde's derive also reads a struct
/// from an array of its fields in order (`[{"id": …}]` for `{"object":
/// {"id": …}}`), which no Stripe event is, and which would have put values
/// from an odd payload into the indexed columns.
pub(crate) struct JsonObject<T>(pub(crate) T);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for JsonObject<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Only<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Only<T> {
            type Value = JsonObject<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(JsonObject)
            }
        }
        deserializer.deserialize_map(Only(std::marker::PhantomData))
    }
}

/// Reads the checkout events of one Stripe link (newest first, already
/// matched by session or payment link id, see
/// [`crate::store::Store::checkout_states_of_link`]): what the relay has
/// seen of its payment.
pub fn payment_seen<'a>(events: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Seen {
    let mut seen = Seen::Nothing;
    for (event_type, payment_status) in events {
        let this = match (event_type, payment_status) {
            ("checkout.session.async_payment_succeeded", _) => Seen::Paid,
            ("checkout.session.completed", Some("paid" | "no_payment_required")) => Seen::Paid,
            ("checkout.session.completed", _) => Seen::Processing,
            ("checkout.session.async_payment_failed", _) => Seen::Failed,
            _ => continue,
        };
        // Paid is final; otherwise the newest (first) word stands.
        if this == Seen::Paid {
            return Seen::Paid;
        }
        if seen == Seen::Nothing {
            seen = this;
        }
    }
    seen
}

/// The return page (`GET /p/{token}/done`, the link's after-payment
/// redirect): what the relay knows of the payment right now. While it has
/// seen nothing yet it refreshes itself every few seconds (a meta refresh:
/// no script).
pub fn done_page(lang: Lang, state: &LinkState, seen: Seen) -> String {
    if state.status == LinkStatus::Paid {
        return paid_page(lang, state);
    }
    let number = state.invoice_number.as_deref().map(escape);
    let seller = state.seller.as_deref().map(escape);
    let of = |fr: bool| match (&number, fr) {
        (Some(n), true) => format!(" de la facture {n}"),
        (Some(n), false) => format!(" for invoice {n}"),
        (None, _) => String::new(),
    };
    let (title, body, refresh) = match (seen, lang) {
        (Seen::Paid, Lang::Fr) => (
            "Paiement reçu",
            format!(
                "<h1 class=\"ok\">Paiement reçu</h1><p>Merci\u{a0}! Votre paiement{} a bien été reçu{}.</p>",
                of(true),
                seller
                    .as_ref()
                    .map(|s| format!(" par {s}"))
                    .unwrap_or_default()
            ),
            false,
        ),
        (Seen::Paid, Lang::En) => (
            "Payment received",
            format!(
                "<h1 class=\"ok\">Payment received</h1><p>Thank you! Your payment{} has been received{}.</p>",
                of(false),
                seller
                    .as_ref()
                    .map(|s| format!(" by {s}"))
                    .unwrap_or_default()
            ),
            false,
        ),
        (Seen::Processing, Lang::Fr) => (
            "Paiement en cours",
            format!(
                "<h1>Paiement en cours</h1><p>Votre paiement{} est enregistré et en cours de traitement \
                 (un prélèvement SEPA prend quelques jours ouvrés).</p>",
                of(true)
            ),
            false,
        ),
        (Seen::Processing, Lang::En) => (
            "Payment processing",
            format!(
                "<h1>Payment processing</h1><p>Your payment{} is recorded and being processed \
                 (a SEPA Direct Debit takes a few business days).</p>",
                of(false)
            ),
            false,
        ),
        (Seen::Failed, Lang::Fr) => (
            "Paiement refusé",
            format!(
                "<h1>Le paiement n'a pas abouti</h1><p>Votre paiement{} a été refusé. Vous pouvez réessayer avec le même lien.</p>",
                of(true)
            ),
            false,
        ),
        (Seen::Failed, Lang::En) => (
            "Payment failed",
            format!(
                "<h1>The payment did not go through</h1><p>Your payment{} was declined. You can try again with the same link.</p>",
                of(false)
            ),
            false,
        ),
        (Seen::Nothing, Lang::Fr) => (
            "Confirmation du paiement",
            format!(
                "<h1>Confirmation du paiement…</h1><p>Nous attendons la confirmation de votre paiement{}. Cette page se met à jour toute seule.</p>",
                of(true)
            ),
            true,
        ),
        (Seen::Nothing, Lang::En) => (
            "Confirming the payment",
            format!(
                "<h1>Confirming the payment…</h1><p>We are waiting for the confirmation of your payment{}. This page updates by itself.</p>",
                of(false)
            ),
            true,
        ),
    };
    let head = if refresh {
        "<meta http-equiv=\"refresh\" content=\"3\">"
    } else {
        ""
    };
    page_with(lang, title, &body, head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: LinkStatus) -> LinkState {
        LinkState {
            status,
            pay_url: Some("https://checkout.stripe.com/c/pay/cs_test_1".into()),
            invoice_number: Some("F-2026-0042".into()),
            amount_due: Some(123_456),
            currency: Some("EUR".into()),
            paid_at: Some("2026-11-23T10:15:00+01:00".into()),
            seller: Some("Atelier Dupont".into()),
            stripe_id: Some("plink_test_1".into()),
        }
    }

    #[test]
    fn tokens_are_16_to_64_url_safe_characters() {
        assert!(valid_token("abcdefABCDEF0123"));
        assert!(valid_token(&"a-_9".repeat(16)));
        assert!(!valid_token("short"));
        assert!(!valid_token(&"a".repeat(65)));
        assert!(!valid_token("abcdefABCDEF012/"));
        assert!(!valid_token("abcdefABCDEF012é"));
        assert!(!valid_token("abcdefABCDEF012."));
    }

    #[test]
    fn pay_urls_must_be_on_stripe_or_allowed_hosts() {
        let allowed = [
            "127.0.0.1".to_owned(),
            "localhost".into(),
            "[::1]".into(),
            "pay.example.com".into(),
        ];
        for ok in [
            "https://checkout.stripe.com/c/pay/cs_test_1#frag",
            "https://buy.stripe.com/test_123",
            "https://BUY.stripe.com/test_123",
            "http://127.0.0.1:12111/pay/plink_1",
            "http://localhost/pay",
            "http://[::1]:8080/pay",
            "https://pay.example.com/x",
        ] {
            assert_eq!(check_pay_url(ok, &allowed), Ok(()), "{ok}");
        }
        for stripe_only in [
            "https://checkout.stripe.com/c/pay/cs_test_1",
            "https://buy.stripe.com/test_123",
        ] {
            assert_eq!(check_pay_url(stripe_only, &[]), Ok(()), "{stripe_only}");
        }
        for not_allowed in [
            "https://evil.example/",
            "https://checkout.stripe.com.evil.example/",
            "https://pay.example.com/x",
            "http://127.0.0.1:12111/pay/plink_1",
            "http://checkout.stripe.com/c/pay/cs_test_1",
        ] {
            assert!(check_pay_url(not_allowed, &[]).is_err(), "{not_allowed}");
        }
        for bad in [
            "http://example.com/pay",
            "http://pay.example.com/x",
            "javascript:alert(1)",
            "/relative",
            "https://",
            "https://a b",
            "https://x\r\nSet-Cookie: a=b",
            "http://127.0.0.1.evil.com/",
            "http://localhost@evil.com/",
            "ftp://example.com",
            "https://user@checkout.stripe.com/",
        ] {
            assert!(check_pay_url(bad, &allowed).is_err(), "{bad}");
        }
        let mut open = state(LinkStatus::Open);
        open.pay_url = None;
        assert_eq!(validate(&open, &[]).unwrap_err().reason, "missing_pay_url");
        let mut paid = state(LinkStatus::Paid);
        paid.pay_url = None;
        assert_eq!(validate(&paid, &[]), Ok(()));
        paid.currency = Some("EURO".into());
        assert_eq!(validate(&paid, &[]).unwrap_err().reason, "bad_currency");
        paid.currency = None;
        paid.paid_at = Some("yesterday".into());
        assert_eq!(validate(&paid, &[]).unwrap_err().reason, "bad_paid_at");
    }

    #[test]
    fn french_wins_ties_and_is_the_default() {
        assert_eq!(negotiate(None), Lang::Fr);
        assert_eq!(negotiate(Some("de-DE")), Lang::Fr);
        assert_eq!(negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(negotiate(Some("fr-FR,fr;q=0.9,en;q=0.8")), Lang::Fr);
        assert_eq!(negotiate(Some("en;q=0.8,fr;q=0.9")), Lang::Fr);
        assert_eq!(negotiate(Some("de,en;q=0.5")), Lang::En);
        assert_eq!(negotiate(Some("en,fr")), Lang::Fr);
        assert_eq!(negotiate(Some("en;q=0")), Lang::Fr);
    }

    #[test]
    fn paid_and_void_pages_say_it_in_both_languages() {
        let paid = state(LinkStatus::Paid);
        let fr = paid_page(Lang::Fr, &paid);
        assert!(
            fr.contains("Facture F-2026-0042 payée le 23/11/2026"),
            "{fr}"
        );
        assert!(fr.contains("Atelier Dupont"));
        let en = paid_page(Lang::En, &paid);
        assert!(
            en.contains("Invoice F-2026-0042 paid on 23 Nov 2026"),
            "{en}"
        );
        let void = state(LinkStatus::Void);
        let fr = void_page(Lang::Fr, &void);
        assert!(fr.contains("Ce lien n'est plus valide."));
        assert!(
            fr.contains("Contactez Atelier Dupont pour régler la facture F-2026-0042 (1\u{202f}234,56\u{a0}EUR)."),
            "{fr}"
        );
        let en = void_page(Lang::En, &void);
        assert!(
            en.contains(
                "Please contact Atelier Dupont to settle invoice F-2026-0042 (EUR\u{a0}1,234.56)."
            ),
            "{en}"
        );
    }

    #[test]
    fn everything_published_is_escaped() {
        let mut s = state(LinkStatus::Void);
        s.seller = Some("<script>alert('x')</script> & \"co\"".into());
        s.invoice_number = Some("<b>1</b>".into());
        let html = void_page(Lang::En, &s);
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;")
        );
        assert!(paid_page(Lang::Fr, &s).contains("&lt;b&gt;1&lt;/b&gt;"));
    }

    #[test]
    fn the_return_page_tells_what_the_relay_has_seen() {
        let session = |kind: &str, id: &str, link: &str, status: &str| {
            let payload = format!(
                r#"{{"id":"evt","type":"{kind}","data":{{"object":{{"id":"{id}","payment_link":"{link}","payment_status":"{status}"}}}}}}"#
            );
            (
                kind.to_owned(),
                checkout_ref(kind, payload.as_bytes()).unwrap(),
            )
        };
        // What the store's query does: keep the events of that Stripe id.
        let seen = |events: &[(String, CheckoutRef)], id: &str| {
            payment_seen(
                events
                    .iter()
                    .filter(|(_, c)| {
                        c.session.as_deref() == Some(id) || c.payment_link.as_deref() == Some(id)
                    })
                    .map(|(k, c)| (k.as_str(), c.payment_status.as_deref())),
            )
        };
        let paid = [session(
            "checkout.session.completed",
            "cs_1",
            "plink_1",
            "paid",
        )];
        assert_eq!(seen(&paid, "plink_1"), Seen::Paid);
        assert_eq!(seen(&paid, "cs_1"), Seen::Paid);
        assert_eq!(seen(&paid, "plink_other"), Seen::Nothing);
        let sepa = [session(
            "checkout.session.completed",
            "cs_2",
            "plink_2",
            "unpaid",
        )];
        assert_eq!(seen(&sepa, "plink_2"), Seen::Processing);
        let later = [
            session(
                "checkout.session.async_payment_succeeded",
                "cs_2",
                "plink_2",
                "paid",
            ),
            sepa[0].clone(),
        ];
        assert_eq!(seen(&later, "plink_2"), Seen::Paid);
        let failed = [
            session(
                "checkout.session.async_payment_failed",
                "cs_2",
                "plink_2",
                "unpaid",
            ),
            sepa[0].clone(),
        ];
        assert_eq!(seen(&failed, "plink_2"), Seen::Failed);
        assert_eq!(
            checkout_ref("checkout.session.completed", b"not json"),
            None
        );
        // Arrays where Stripe sends objects, at any of the three levels:
        // serde's derive would read them as the fields in order.
        for odd in [
            br#"[{"object":{"id":"cs_1"}}]"#.as_slice(),
            br#"{"data":[{"id":"cs_1"}]}"#,
            br#"{"data":{"object":["cs_1","plink_1","paid"]}}"#,
        ] {
            assert_eq!(
                checkout_ref("checkout.session.completed", odd),
                None,
                "{}",
                String::from_utf8_lossy(odd)
            );
        }
        assert_eq!(
            checkout_ref("payment_intent.succeeded", paid_payload()),
            None
        );
        assert_eq!(
            checkout_ref(
                "checkout.session.completed",
                br#"{"data":{"object":{"id":"cs_1","payment_link":null,"payment_status":7}}}"#
            ),
            Some(CheckoutRef {
                session: Some("cs_1".into()),
                payment_link: None,
                payment_status: None
            })
        );

        let open = state(LinkStatus::Open);
        let fr = done_page(Lang::Fr, &open, Seen::Paid);
        assert!(
            fr.contains("Paiement reçu") && fr.contains("F-2026-0042"),
            "{fr}"
        );
        assert!(!fr.contains("refresh"));
        let waiting = done_page(Lang::En, &open, Seen::Nothing);
        assert!(waiting.contains("http-equiv=\"refresh\""), "{waiting}");
        let synced = done_page(Lang::En, &state(LinkStatus::Paid), Seen::Nothing);
        assert!(synced.contains("Invoice F-2026-0042 paid on 23 Nov 2026"));
        let mut evil = open.clone();
        evil.invoice_number = Some("<i>x</i>".into());
        assert!(!done_page(Lang::Fr, &evil, Seen::Processing).contains("<i>"));
    }

    fn paid_payload() -> &'static [u8] {
        br#"{"data":{"object":{"id":"cs_1","payment_status":"paid"}}}"#
    }

    #[test]
    fn the_csp_hash_matches_the_style() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(&[0xfb, 0xff, 0xbf]), "-_-_");
        assert_eq!(base64(&[0xfb, 0xff, 0xbf]), "+/+/");
        assert!(CSP.starts_with("default-src 'none'; style-src 'sha256-"));
        let html = not_found_page(Lang::Fr);
        assert!(html.contains(&format!("<style>{STYLE}</style>")));
        assert!(!html.contains("http"), "no external resource");
    }
}
