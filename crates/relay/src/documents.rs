//! Encrypted invoice and quote pages: `PUT/DELETE …/documents/{token}` from
//! the app, `GET /v/{token}` (the page), `GET /v/{token}/bundle` (the
//! ciphertext) and `POST /v/{token}/reply` (a quote's answer) for the
//! client.
//!
//! Why it is built this way:
//! - **End-to-end encrypted.** The app seals the invoice summary and its
//!   current PDF with AES-256-GCM under a key random per invoice (format in
//!   [`acquit_relay_protocol::bundle`]); the key travels only in the URL
//!   fragment `#k=…`, which browsers never send. The relay stores and serves
//!   opaque bytes, so whoever runs it cannot read invoices or client names.
//! - **The page is one static document** for every token: the same HTML,
//!   the same inline script and style, nothing published is ever
//!   interpolated into it (the script fills the page from the decrypted
//!   summary with `textContent` only). Its CSP allows exactly that script
//!   and style by hash, `connect-src 'self'` for the bundle, `img-src data:`
//!   for the transfer QR code (an SVG made by the app, shown as an image so
//!   it cannot run anything), and nothing else. The PDF is a `blob:` URL
//!   downloaded through an `<a download>`, a navigation that fetch
//!   directives do not govern.
//! - **A quote is answered on the page** (summary `"kind": "quote"`): while
//!   it is open and the visitor's local date is within its validity, a
//!   name, an optional comment and "accept" / "decline" buttons. The
//!   script seals the answer with the page's own key, framed like a bundle
//!   (see [`acquit_relay_protocol::QuoteReply`]), and posts it with
//!   `fetch` (`connect-src 'self'`; there is no `<form>`, and
//!   `form-action 'none'` stays), so the relay stores one more thing it
//!   cannot read. Only the app, which holds the key, can open it.
//! - **Revoking keeps a tombstone**, so the page says "no longer valid"
//!   (410) rather than "unknown" (404), and a revoked token can never be
//!   published again.

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

use crate::links::{Lang, base64};

/// The page's script, also run under Node by the app's tests.
pub const SCRIPT: &str = include_str!("assets/invoice.js");

const STYLE: &str = "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;\
background:#f4f5f7;color:#1f2328}main{max-width:34rem;margin:6vh auto;padding:2rem;background:#fff;\
border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.08)}h1{font-size:1.3rem;margin:0 0 .75rem}\
h2{font-size:1.05rem;margin:1.5rem 0 .5rem}p{margin:.5rem 0}dl{display:grid;\
grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:1rem 0}dt{color:#59636e}dd{margin:0}\
.due{font-weight:600}.ok{color:#1a7f37;font-weight:600}.btn{display:block;text-align:center;\
padding:.75rem 1rem;margin:.75rem 0;border-radius:8px;text-decoration:none;font-weight:600;\
border:1px solid #d0d7de;color:#1f2328}.pay{background:#1f6feb;border-color:#1f6feb;color:#fff}\
.mono{font-family:ui-monospace,monospace;word-break:break-all}#qr{width:12rem;height:12rem;\
display:block;margin:.5rem 0}.muted{color:#59636e;font-size:.9rem}.state{font-weight:600}\
label{display:block;font-weight:600;margin:.75rem 0 .25rem}input,textarea{display:block;width:100%;\
box-sizing:border-box;font:inherit;padding:.5rem .75rem;border:1px solid #d0d7de;border-radius:8px}\
button.btn{width:100%;box-sizing:border-box;font:inherit;cursor:pointer;background:#fff}\
button.pay{background:#1f6feb}button:disabled{opacity:.6;cursor:wait}.err{color:#cf222e;font-weight:600}\
[hidden]{display:none!important}";

/// The `Content-Security-Policy` of the invoice page.
pub static CSP: LazyLock<String> = LazyLock::new(|| {
    let script = base64(&Sha256::digest(SCRIPT.as_bytes()));
    let style = base64(&Sha256::digest(STYLE.as_bytes()));
    format!(
        "default-src 'none'; script-src 'sha256-{script}'; style-src 'sha256-{style}'; \
         connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
});

/// The invoice or quote page, the same for every token: the script does
/// the rest.
pub fn page() -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<meta name=\"robots\" content=\"noindex\"><title>Facture · Invoice</title>\
<style>{STYLE}</style></head><body><main>\
<p id=\"msg\">Chargement de la facture… · Loading the invoice…</p>\
<div id=\"inv\" hidden><h1 id=\"title\"></h1>\
<p id=\"paid\" class=\"ok\" hidden></p>\
<dl><dt id=\"l-from\"></dt><dd id=\"seller\"></dd><dt id=\"l-to\"></dt><dd id=\"client\"></dd>\
<dt id=\"l-issued\"></dt><dd id=\"issued\"></dd><dt id=\"l-due\"></dt><dd id=\"due\"></dd>\
<dt id=\"l-valid\" hidden></dt><dd id=\"valid\" hidden></dd>\
<dt id=\"l-total\"></dt><dd id=\"total\"></dd>\
<dt id=\"l-amount-due\"></dt><dd id=\"amount-due\" class=\"due\"></dd></dl>\
<p id=\"quote-state\" class=\"state\" role=\"status\" hidden></p>\
<a id=\"invoice-link\" class=\"btn pay\" rel=\"noreferrer\" hidden></a>\
<section id=\"reply\" aria-labelledby=\"l-reply\" hidden><h2 id=\"l-reply\"></h2>\
<label id=\"l-name\" for=\"name\"></label>\
<input id=\"name\" type=\"text\" autocomplete=\"name\" maxlength=\"120\" required>\
<label id=\"l-comment\" for=\"comment\"></label>\
<textarea id=\"comment\" rows=\"3\" maxlength=\"1000\"></textarea>\
<p id=\"reply-err\" class=\"err\" role=\"alert\" hidden></p>\
<button id=\"accept\" type=\"button\" class=\"btn pay\"></button>\
<button id=\"decline\" type=\"button\" class=\"btn\"></button></section>\
<p id=\"reply-done\" class=\"ok\" role=\"status\" hidden></p>\
<a id=\"pay\" class=\"btn pay\" rel=\"noreferrer\" hidden></a>\
<a id=\"pdf\" class=\"btn\"></a>\
<section id=\"bank\" hidden><h2 id=\"l-bank\"></h2><dl>\
<dt id=\"l-holder\"></dt><dd id=\"holder\"></dd><dt id=\"l-iban\"></dt><dd id=\"iban\" class=\"mono\"></dd>\
<dt id=\"bic-row-l\"><span id=\"l-bic\"></span></dt><dd id=\"bic-row\"><span id=\"bic\" class=\"mono\"></span></dd>\
<dt id=\"l-ref\"></dt><dd id=\"ref\" class=\"mono\"></dd></dl>\
<div id=\"qr-box\" hidden><img id=\"qr\" alt=\"\"><p id=\"qr-note\" class=\"muted\"></p></div>\
</section></div></main><script>{SCRIPT}</script></body></html>\n"
    )
}

/// The page of a revoked token (410).
pub fn revoked_page(lang: Lang) -> String {
    let (title, body) = match lang {
        Lang::Fr => (
            "Lien expiré",
            "<h1>Ce lien n'est plus valide.</h1><p>Contactez l'émetteur de la facture \
             pour en obtenir une copie.</p>",
        ),
        Lang::En => (
            "Link expired",
            "<h1>This link is no longer valid.</h1><p>Please contact whoever sent you \
             the invoice for a copy.</p>",
        ),
    };
    crate::links::static_page(lang, title, body)
}

/// The page of a token the relay does not know (404).
pub fn not_found_page(lang: Lang) -> String {
    let (title, body) = match lang {
        Lang::Fr => (
            "Lien inconnu",
            "<h1>Lien inconnu</h1><p>Cette facture n'existe pas. Vérifiez l'adresse \
             ou contactez l'émetteur de la facture.</p>",
        ),
        Lang::En => (
            "Unknown link",
            "<h1>Unknown link</h1><p>This invoice does not exist. Check the address \
             or contact whoever sent you the invoice.</p>",
        ),
    };
    crate::links::static_page(lang, title, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_self_contained_and_its_csp_hashes_match() {
        let html = page();
        assert!(html.contains(&format!("<script>{SCRIPT}</script>")));
        assert!(html.contains(&format!("<style>{STYLE}</style>")));
        assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
        assert!(!html.contains("<link") && !html.contains("@import"));
        assert!(CSP.starts_with("default-src 'none'; script-src 'sha256-"));
        assert!(!CSP.contains("unsafe"));
        // Every id the script looks up is in the page.
        for id in SCRIPT
            .split("$(\"")
            .skip(1)
            .chain(SCRIPT.split("text(\"").skip(1))
            .map(|s| &s[..s.find('"').unwrap()])
        {
            assert!(html.contains(&format!("id=\"{id}\"")), "#{id} is missing");
        }
    }

    #[test]
    fn the_quote_form_posts_by_script_only_with_the_protocol_constants() {
        use acquit_relay_protocol::{MAX_REPLY_BYTES, bundle};
        let html = page();
        // No form element to submit: the answer goes through fetch, and
        // the CSP keeps refusing form submissions.
        assert!(!html.contains("<form"));
        assert!(CSP.contains("form-action 'none'") && CSP.contains("connect-src 'self'"));
        assert_eq!(html.matches("<button ").count(), 2);
        assert_eq!(html.matches(" type=\"button\"").count(), 2);
        for (input, label) in [("name", "l-name"), ("comment", "l-comment")] {
            assert!(html.contains(&format!("<label id=\"{label}\" for=\"{input}\">")));
        }
        assert!(html.contains("id=\"reply-err\" class=\"err\" role=\"alert\""));
        assert!(html.contains("id=\"reply-done\" class=\"ok\" role=\"status\""));
        assert!(SCRIPT.contains(&format!("var VERSION = {};", bundle::VERSION)));
        assert!(SCRIPT.contains(&format!("var MAX_REPLY_BYTES = {MAX_REPLY_BYTES};")));
        assert_eq!(bundle::IV_LEN, 12, "the script draws 12 IV bytes");
    }

    #[test]
    fn revoked_and_unknown_pages_say_so() {
        assert!(revoked_page(Lang::Fr).contains("Ce lien n'est plus valide."));
        assert!(revoked_page(Lang::En).contains("This link is no longer valid."));
        assert!(not_found_page(Lang::En).contains("Unknown link"));
    }
}
