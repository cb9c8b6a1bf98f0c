//! `GET /pay/{id}`: the hosted payment page of a payment link or Checkout
//! Session, small enough for the demo. Its buttons POST to the same URL
//! (`method=card` pays with the test card 4242, `method=sepa_debit` with a
//! succeeding test IBAN) and answer with a confirmation page. Every text
//! shown is HTML-escaped.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::ledger::{self, CARD_OK, IBAN_OK, Payment};
use crate::server::Shared;

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:32rem;\
         margin:3rem auto;padding:0 1rem}}button{{font-size:1rem;padding:.6rem 1rem;margin:.3rem 0;\
         width:100%}}.amount{{font-size:2rem;font-weight:600}}.note{{color:#666;font-size:.85rem}}</style>\
         </head><body>{body}<p class=\"note\">fake-stripe test mode: no real money moves.</p></body></html>\n",
        title = escape(title),
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

/// `12345`, `eur` → `123.45 EUR`.
fn format_amount(amount: i64, currency: &str) -> String {
    format!(
        "{}.{:02} {}",
        amount / 100,
        amount % 100,
        currency.to_ascii_uppercase()
    )
}

pub(crate) fn page(shared: &Arc<Shared>, method: &Method, id: &str, body: &Bytes) -> Response {
    let id = ledger::target_id(id);
    match method.as_str() {
        "GET" => show(shared, &id),
        "POST" => {
            let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
            let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
            let method = field("method").unwrap_or_else(|| "card".to_owned());
            let payment = Payment {
                target: id.clone(),
                card: Some(field("card").unwrap_or_else(|| CARD_OK.to_owned())),
                iban: Some(field("iban").unwrap_or_else(|| IBAN_OK.to_owned())),
                email: field("email").filter(|e| !e.is_empty()),
                name: field("name").filter(|n| !n.is_empty()),
                method,
                amount: None,
            };
            match shared.pay(&payment) {
                Ok(answer) => {
                    let (redirect, message) = after_completion(shared, &answer);
                    if let Some(location) = redirect {
                        return (
                            StatusCode::SEE_OTHER,
                            [(header::LOCATION, location)],
                            String::new(),
                        )
                            .into_response();
                    }
                    let amount = format_amount(
                        answer["amount"].as_i64().unwrap_or(0),
                        answer["currency"].as_str().unwrap_or("eur"),
                    );
                    let what = if answer["payment_status"] == "paid" {
                        format!("Payment of {amount} received. Thank you!")
                    } else {
                        format!(
                            "Your SEPA Direct Debit of {amount} is being processed. You will be notified once it clears."
                        )
                    };
                    let custom = message
                        .map(|m| format!("<p>{}</p>", escape(&m)))
                        .unwrap_or_default();
                    html(
                        StatusCode::OK,
                        "Payment complete",
                        &format!(
                            "<h1>Thank you</h1><p>{}</p>{custom}<p class=\"note\">Reference: {}</p>",
                            escape(&what),
                            escape(answer["checkout_session"].as_str().unwrap_or(""))
                        ),
                    )
                }
                Err(e) => html(
                    e.status,
                    "Payment failed",
                    &format!(
                        "<h1>Payment failed</h1><p>{}</p><p><a href=\"/pay/{}\">Back</a></p>",
                        escape(&e.message),
                        escape(&id)
                    ),
                ),
            }
        }
        _ => html(
            StatusCode::METHOD_NOT_ALLOWED,
            "Not allowed",
            "<h1>Method not allowed</h1>",
        ),
    }
}

/// Where the customer goes after paying, as Stripe does: the session's
/// `success_url`, or the link's `after_completion` redirect (with
/// `{CHECKOUT_SESSION_ID}` replaced), else the confirmation page with the
/// link's custom message.
fn after_completion(shared: &Arc<Shared>, answer: &Value) -> (Option<String>, Option<String>) {
    let inner = shared.inner.lock().expect("state lock");
    let ledger = &inner.ledger;
    let cs = answer["checkout_session"].as_str().unwrap_or("");
    let Some(session) = ledger.find(cs) else {
        return (None, None);
    };
    let fill = |url: &str| url.replace("{CHECKOUT_SESSION_ID}", cs);
    if let Some(url) = session["success_url"].as_str() {
        return (Some(fill(url)), None);
    }
    let Some(link) = session["payment_link"]
        .as_str()
        .and_then(|l| ledger.find(l))
    else {
        return (None, None);
    };
    let after = &link["after_completion"];
    match after["type"].as_str() {
        Some("redirect") => (after["redirect"]["url"].as_str().map(fill), None),
        _ => (
            None,
            after["hosted_confirmation"]["custom_message"]
                .as_str()
                .map(str::to_owned),
        ),
    }
}

fn show(shared: &Arc<Shared>, id: &str) -> Response {
    let inner = shared.inner.lock().expect("state lock");
    let ledger = &inner.ledger;
    let Some(object) = ledger
        .find(id)
        .filter(|o| o["object"] == "payment_link" || o["object"] == "checkout.session")
    else {
        return html(
            StatusCode::NOT_FOUND,
            "Not found",
            "<h1>This payment page does not exist</h1>",
        );
    };
    let open = if object["object"] == "payment_link" {
        object["active"] == true
    } else {
        object["status"] == "open"
            && object["expires_at"]
                .as_i64()
                .is_some_and(|e| e > ledger.now())
    };
    if !open {
        let message = if object["status"] == "complete" {
            "This payment has already been completed."
        } else {
            "This link is no longer active."
        };
        return html(
            StatusCode::GONE,
            "Link no longer active",
            &format!("<h1>{}</h1>", escape(message)),
        );
    }
    let Some(terms) = ledger.terms(id) else {
        return html(
            StatusCode::NOT_FOUND,
            "Not found",
            "<h1>This payment page does not exist</h1>",
        );
    };
    let action = format!("/pay/{}", escape(id));
    let mut buttons = String::new();
    if terms.payment_method_types.iter().any(|t| t == "card") {
        buttons.push_str(&format!(
            "<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"method\" value=\"card\">\
             <input type=\"hidden\" name=\"card\" value=\"{CARD_OK}\">\
             <button type=\"submit\">Pay with test card 4242</button></form>"
        ));
    }
    if terms.payment_method_types.iter().any(|t| t == "sepa_debit") {
        buttons.push_str(&format!(
            "<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"method\" value=\"sepa_debit\">\
             <input type=\"hidden\" name=\"iban\" value=\"{IBAN_OK}\">\
             <button type=\"submit\">Pay by SEPA Direct Debit (test IBAN)</button></form>"
        ));
    }
    let body = format!(
        "<h1>{description}</h1><p class=\"amount\">{amount}</p>{buttons}",
        description = escape(if terms.description.is_empty() {
            "Payment"
        } else {
            &terms.description
        }),
        amount = escape(&format_amount(terms.amount, &terms.currency)),
    );
    html(StatusCode::OK, "Pay", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(format_amount(12345, "eur"), "123.45 EUR");
    }
}
