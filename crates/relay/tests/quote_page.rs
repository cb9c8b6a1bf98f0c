//! The page's own script on a quote, run under Node (its WebCrypto is the
//! browsers' API) with a minimal DOM built from the page's elements, a
//! fixed clock and time zone, and a fake `fetch`. The bundle is sealed in
//! Node with WebCrypto (so this crate needs no AES code), and every reply
//! the page posts is opened there with the page's key: what the app will
//! read. The invoice side is `crates/sync/tests/share_page.rs`.

use std::path::Path;
use std::process::Command;

use acquit_relay_protocol::QuoteReply;
use serde_json::{Value, json};

const TOKEN: &str = "doc_quote_token_0123456789";
const KEY_HEX: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

/// Seals `SUMMARY` (+ a small PDF) into a bundle, loads the page's inline
/// script against it, runs `ACTIONS` (set input values, click buttons),
/// and prints a snapshot of every element after loading and after each
/// action, plus each POSTed reply opened with the key.
const HARNESS: &str = r##"
const fs = require("fs");
const html = fs.readFileSync(process.env.PAGE, "utf8");
const script = html.match(/<script>([\s\S]*)<\/script>/)[1];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The visitor's clock: `new Date()` is NOW, read in the TZ the test set.
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...a) { if (a.length === 0) super(process.env.NOW); else super(...a); }
  static now() { return new RealDate(process.env.NOW).getTime(); }
};

const els = {};
for (const m of html.matchAll(/<([a-z0-9]+)([^>]*)\bid="([^"]+)"([^>]*)>/g)) {
  const attrs = m[2] + m[4];
  els[m[3]] = {
    id: m[3], tag: m[1], hidden: /\shidden(\s|$)/.test(attrs), textContent: "", href: "",
    download: "", src: "", alt: "", value: "", disabled: false, focused: false, listeners: {},
    addEventListener(type, f) { (this.listeners[type] = this.listeners[type] || []).push(f); },
    focus() { this.focused = true; },
  };
}
globalThis.document = {
  getElementById(id) { if (!els[id]) throw new Error("no #" + id); return els[id]; },
  documentElement: { lang: "fr" },
  title: "",
};
const key = Buffer.from(process.env.KEY, "hex");
globalThis.location = {
  hash: "#k=" + key.toString("base64url"),
  pathname: "/v/" + process.env.TOKEN,
};
URL.createObjectURL = () => "blob:page/1";

async function aesKey() {
  return crypto.subtle.importKey("raw", key, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

// bundle = 0x01 || iv || AES-256-GCM(u32 BE json length || json || pdf)
async function sealBundle() {
  const json = Buffer.from(process.env.SUMMARY, "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  const plain = Buffer.concat([len, json, Buffer.from("%PDF-1.7 quote")]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await aesKey(), plain);
  return Buffer.concat([Buffer.from([1]), Buffer.from(iv), Buffer.from(ct)]);
}

(async () => {
  const bundle = await sealBundle();
  const statuses = (process.env.REPLY_STATUSES || "204").split(",").map(Number);
  const fetched = [];
  const posts = [];
  let pending = 0;
  globalThis.fetch = async (url, init) => {
    fetched.push(url);
    if (url.endsWith("/bundle")) {
      const b = bundle;
      return { ok: true, status: 200, arrayBuffer: async () => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) };
    }
    pending++;
    try {
      await sleep(20);
      posts.push({ url, method: init.method, headers: init.headers, body: Buffer.from(init.body) });
      const status = statuses[Math.min(posts.length - 1, statuses.length - 1)];
      const error = status === 429 ? "too_many_replies" : "storage_unavailable";
      return { ok: status < 300, status, json: async () => ({ error, message: "" }) };
    } finally {
      pending--;
    }
  };
  const snapshot = (step) => {
    const out = {};
    for (const [k, v] of Object.entries(els)) {
      out[k] = { hidden: v.hidden, text: v.textContent, href: v.href, download: v.download, value: v.value, disabled: v.disabled, focused: v.focused };
    }
    return { step, posts: posts.length, title: document.title, lang: document.documentElement.lang, els: out };
  };
  (0, eval)(script);
  for (let i = 0; i < 100 && els.inv.hidden && !/incomplet|invalid|pas pu|could not/.test(els.msg.textContent); i++) await sleep(50);
  await sleep(50);
  const snaps = [snapshot("loaded")];
  for (const action of JSON.parse(process.env.ACTIONS || "[]")) {
    if (action.set) for (const [id, v] of Object.entries(action.set)) els[id].value = v;
    if (action.click) {
      const el = els[action.click];
      for (const el2 of Object.values(els)) el2.focused = false;
      if (!el.disabled) for (const f of el.listeners.click || []) f({ type: "click", target: el, preventDefault() {} });
      await sleep(30);
      for (let i = 0; i < 100 && (pending > 0 || els.accept.disabled); i++) await sleep(20);
    }
    snaps.push(snapshot(action));
  }
  const k = await aesKey();
  const opened = [];
  for (const p of posts) {
    let plain = null;
    try {
      plain = Buffer.from(await crypto.subtle.decrypt({ name: "AES-GCM", iv: p.body.subarray(1, 13) }, k, p.body.subarray(13))).toString("utf8");
    } catch (e) {}
    opened.push({ url: p.url, method: p.method, headers: p.headers, version: p.body[0], length: p.body.length, sealed: p.body.toString("hex"), plain });
  }
  console.log(JSON.stringify({ fetched, snaps, posts: opened }));
})().catch((e) => { console.error(e); process.exit(1); });
"##;

fn node() -> String {
    std::env::var("NODE").unwrap_or_else(|_| "node".into())
}

/// The visitor's clock and time zone.
struct Clock {
    tz: &'static str,
    now: &'static str,
}

/// 2027-01-19 12:30 UTC is already the 20th in Auckland (UTC+13).
const AUCKLAND_20TH: Clock = Clock {
    tz: "Pacific/Auckland",
    now: "2027-01-19T12:30:00Z",
};
const UTC_20TH: Clock = Clock {
    tz: "UTC",
    now: "2027-01-20T10:00:00Z",
};

fn run_page(dir: &Path, summary: &Value, actions: &Value, statuses: &str, clock: &Clock) -> Value {
    let page = dir.join("page.html");
    std::fs::write(&page, acquit_relay::documents::page()).unwrap();
    let harness = dir.join("harness.js");
    std::fs::write(&harness, HARNESS).unwrap();
    let out = Command::new(node())
        .arg(&harness)
        .env("PAGE", &page)
        .env("SUMMARY", summary.to_string())
        .env("ACTIONS", actions.to_string())
        .env("REPLY_STATUSES", statuses)
        .env("KEY", KEY_HEX)
        .env("TOKEN", TOKEN)
        .env("TZ", clock.tz)
        .env("NOW", clock.now)
        .output()
        .expect("node (>= 20) is needed for the page's script test: apt-get install nodejs");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A quote's summary as the app seals it; `extra` overrides fields.
fn quote(extra: Value) -> Value {
    let mut s = json!({
        "v": 1,
        "lang": "fr",
        "kind": "quote",
        "number": "D-2027-0001",
        "seller": "Atelier Dupont",
        "client": "Boulangerie Martin",
        "issue_date": "05/01/2027",
        "due_date": "",
        "total": "1 200,00 €",
        "currency": "EUR",
        "total_minor": 120000,
        "pdf_name": "D-2027-0001.pdf",
        "valid_until": "20/01/2027",
        "valid_until_iso": "2027-01-20",
        "status": "open",
        "decision": null,
        // Unknown to this script: ignored.
        "deposit": {"percent": 30, "amount": "360,00 €"},
    });
    for (k, v) in extra.as_object().unwrap() {
        s[k] = v.clone();
    }
    s
}

fn shown(snap: &Value, id: &str) -> bool {
    snap["els"][id]["hidden"] == false
}

fn text<'a>(snap: &'a Value, id: &str) -> &'a str {
    snap["els"][id]["text"].as_str().unwrap()
}

fn assert_no_form(snap: &Value) {
    for id in ["reply", "reply-err", "reply-done"] {
        assert!(!shown(snap, id), "#{id} is shown: {snap:#}");
    }
}

#[test]
fn an_open_quote_shows_its_fields_and_sends_an_accepted_answer() {
    let dir = tempfile::tempdir().unwrap();
    // Even with invoice fields filled in, a quote shows nothing to pay.
    let summary = quote(json!({
        "amount_due": "1 200,00 €",
        "amount_due_minor": 120000,
        "pay_url": "https://buy.stripe.com/x",
        "bank": {"holder": "Atelier", "iban": "FR76", "bic": null},
    }));
    let actions = json!([
        {"set": {"name": "   "}},
        {"click": "accept"},
        {"set": {"name": "  Léa Martin ", "comment": "  "}},
        {"click": "accept"},
    ]);
    // The visitor's date is the 20th, the last day of validity.
    let page = run_page(dir.path(), &summary, &actions, "204", &AUCKLAND_20TH);
    let snaps = page["snaps"].as_array().unwrap();
    let loaded = &snaps[0];
    assert_eq!(page["fetched"][0], format!("/v/{TOKEN}/bundle"));
    assert_eq!(loaded["title"], "Devis D-2027-0001");
    assert_eq!(loaded["lang"], "fr");
    assert!(!shown(loaded, "msg") && shown(loaded, "inv"), "{loaded:#}");
    assert_eq!(text(loaded, "title"), "Devis D-2027-0001");
    for (id, want) in [
        ("l-from", "De"),
        ("seller", "Atelier Dupont"),
        ("l-to", "Pour"),
        ("client", "Boulangerie Martin"),
        ("issued", "05/01/2027"),
        ("l-valid", "Valable jusqu'au"),
        ("valid", "20/01/2027"),
        ("l-total", "Total"),
        ("total", "1 200,00 €"),
        ("pdf", "Télécharger le devis (PDF)"),
        ("l-name", "Votre nom"),
        ("accept", "J'accepte le devis"),
        ("decline", "Je refuse"),
    ] {
        assert_eq!(text(loaded, id), want, "#{id}");
        assert!(shown(loaded, id), "#{id} is hidden");
    }
    assert!(!text(loaded, "l-comment").is_empty());
    for id in [
        "l-due",
        "due",
        "l-amount-due",
        "amount-due",
        "pay",
        "bank",
        "paid",
        "quote-state",
        "reply-err",
        "reply-done",
    ] {
        assert!(!shown(loaded, id), "#{id} is shown");
    }
    assert!(shown(loaded, "reply"), "the form is offered");
    assert_eq!(loaded["els"]["pdf"]["href"], "blob:page/1");
    assert_eq!(loaded["els"]["pdf"]["download"], "D-2027-0001.pdf");

    // No name: a message, the name field focused, nothing posted.
    let no_name = &snaps[2];
    assert_eq!(no_name["posts"], 0);
    assert!(shown(no_name, "reply-err") && shown(no_name, "reply"));
    assert_eq!(
        text(no_name, "reply-err"),
        "Indiquez votre nom pour répondre."
    );
    assert_eq!(no_name["els"]["name"]["focused"], true);

    // With a name: posted once, then thanked.
    let sent = &snaps[4];
    assert_eq!(sent["posts"], 1);
    assert!(
        !shown(sent, "reply") && !shown(sent, "reply-err"),
        "{sent:#}"
    );
    assert!(shown(sent, "reply-done"));
    assert_eq!(
        text(sent, "reply-done"),
        "Merci\u{a0}: votre réponse a été transmise à Atelier Dupont."
    );

    let posts = page["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 1);
    let post = &posts[0];
    assert_eq!(post["url"], format!("/v/{TOKEN}/reply"));
    assert_eq!(post["method"], "POST");
    assert_eq!(post["headers"]["Content-Type"], "application/octet-stream");
    assert_eq!(post["version"], 1);
    let plain = post["plain"]
        .as_str()
        .expect("the reply opens with the key");
    assert_eq!(
        plain,
        r#"{"v":1,"quote":"D-2027-0001","accepted":true,"name":"Léa Martin","comment":null,"on":"2027-01-20"}"#,
        "the visitor's local date, not UTC's"
    );
    assert_eq!(post["length"], 1 + 12 + plain.len() + 16);
    let reply: QuoteReply = serde_json::from_str(plain).unwrap();
    assert!(reply.accepted && reply.comment.is_none());
}

#[test]
fn a_declined_answer_in_english_survives_failed_sends() {
    let dir = tempfile::tempdir().unwrap();
    let summary = quote(json!({
        "lang": "en",
        "number": "D-2027-0002",
        "valid_until": "02/04/2027",
        "valid_until_iso": "2027-02-04",
    }));
    let actions = json!([
        {"set": {"name": "Tom \"T\" Roy", "comment": "  Too expensive,\nsorry.  "}},
        {"click": "decline"},
        {"click": "decline"},
        {"click": "decline"},
    ]);
    let page = run_page(dir.path(), &summary, &actions, "503,429,204", &UTC_20TH);
    let snaps = page["snaps"].as_array().unwrap();
    let loaded = &snaps[0];
    assert_eq!(loaded["title"], "Quote D-2027-0002");
    assert_eq!(loaded["lang"], "en");
    assert_eq!(text(loaded, "l-valid"), "Valid until");
    assert_eq!(text(loaded, "l-name"), "Your name");
    assert_eq!(text(loaded, "accept"), "I accept the quote");
    assert_eq!(text(loaded, "decline"), "I decline");
    assert_eq!(text(loaded, "pdf"), "Download the quote (PDF)");

    // A failure: a message, and the form stays usable.
    for (snap, message) in [
        (
            &snaps[2],
            "Your answer could not be sent. Please try again in a moment.",
        ),
        (
            &snaps[3],
            "This quote has already received too many answers: please contact the sender.",
        ),
    ] {
        assert!(shown(snap, "reply") && shown(snap, "reply-err"), "{snap:#}");
        assert_eq!(text(snap, "reply-err"), message);
        assert!(!shown(snap, "reply-done"));
        assert_eq!(snap["els"]["decline"]["disabled"], false);
        assert_eq!(snap["els"]["accept"]["disabled"], false);
    }
    let sent = &snaps[4];
    assert!(!shown(sent, "reply") && !shown(sent, "reply-err"));
    assert_eq!(
        text(sent, "reply-done"),
        "Thank you: your answer was sent to Atelier Dupont."
    );

    let posts = page["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 3);
    let want = r#"{"v":1,"quote":"D-2027-0002","accepted":false,"name":"Tom \"T\" Roy","comment":"Too expensive,\nsorry.","on":"2027-01-20"}"#;
    for post in posts {
        assert_eq!(post["plain"], want);
    }
    assert_ne!(
        posts[0]["sealed"], posts[1]["sealed"],
        "a fresh IV each time"
    );
    let reply: QuoteReply = serde_json::from_str(want).unwrap();
    assert_eq!(reply.comment.as_deref(), Some("Too expensive,\nsorry."));
}

#[test]
fn a_decided_quote_shows_the_decision_and_no_form() {
    let dir = tempfile::tempdir().unwrap();
    let click = json!([{"set": {"name": "X"}}, {"click": "accept"}]);
    let accepted = quote(json!({
        "status": "accepted",
        "decision": {"accepted": true, "by": "Léa Martin", "on": "20/01/2027"},
    }));
    let page = run_page(dir.path(), &accepted, &click, "204", &UTC_20TH);
    let snap = &page["snaps"][2];
    assert_eq!(
        text(snap, "quote-state"),
        "Accepté le 20/01/2027 par Léa Martin"
    );
    assert!(shown(snap, "quote-state") && shown(snap, "pdf"));
    assert_no_form(snap);
    assert_eq!(page["posts"].as_array().unwrap().len(), 0);

    let declined = quote(json!({
        "lang": "en",
        "status": "declined",
        "decision": {"accepted": false, "by": "Léa Martin", "on": "01/20/2027"},
    }));
    let page = run_page(dir.path(), &declined, &json!([]), "204", &UTC_20TH);
    let snap = &page["snaps"][0];
    assert_eq!(
        text(snap, "quote-state"),
        "Declined on 01/20/2027 by Léa Martin"
    );
    assert_no_form(snap);
}

/// Once invoiced, the quote's page leads to the invoice's own page; a link
/// that is not http(s) to a host is never followed.
#[test]
fn an_invoiced_quote_links_to_its_invoice_page() {
    let dir = tempfile::tempdir().unwrap();
    let url = "https://relay.example/v/doc_0123456789abcdef#k=abc";
    let invoiced = quote(json!({
        "status": "accepted",
        "decision": {"accepted": true, "by": "Léa Martin", "on": "20/01/2027"},
        "invoice": {"number": "F-2027-0007", "label": "Facture d’acompte F-2027-0007 : la voir et la payer", "url": url},
    }));
    let page = run_page(dir.path(), &invoiced, &json!([]), "204", &UTC_20TH);
    let snap = &page["snaps"][0];
    assert!(shown(snap, "invoice-link"), "{snap:#}");
    assert_eq!(snap["els"]["invoice-link"]["href"], url);
    assert_eq!(
        text(snap, "invoice-link"),
        "Facture d’acompte F-2027-0007 : la voir et la payer"
    );
    let hostile = quote(json!({
        "status": "accepted",
        "invoice": {"number": "F-1", "label": "x", "url": "javascript:alert(1)"},
    }));
    let page = run_page(dir.path(), &hostile, &json!([]), "204", &UTC_20TH);
    assert!(!shown(&page["snaps"][0], "invoice-link"));
}

#[test]
fn an_expired_quote_says_so_and_offers_no_form() {
    let dir = tempfile::tempdir().unwrap();
    // Still the 19th in UTC, but the visitor's date is the 20th: expired.
    let lapsed = quote(json!({"valid_until": "19/01/2027", "valid_until_iso": "2027-01-19"}));
    let click = json!([{"set": {"name": "X"}}, {"click": "accept"}]);
    let page = run_page(dir.path(), &lapsed, &click, "204", &AUCKLAND_20TH);
    let snap = &page["snaps"][2];
    assert_eq!(
        text(snap, "quote-state"),
        "Ce devis a expiré le 19/01/2027."
    );
    assert!(shown(snap, "quote-state"));
    assert_eq!(text(snap, "valid"), "19/01/2027");
    assert_no_form(snap);
    assert_eq!(page["posts"].as_array().unwrap().len(), 0);

    let expired = quote(json!({
        "lang": "en",
        "status": "expired",
        "valid_until": "01/19/2027",
        "valid_until_iso": "2099-01-19",
    }));
    let page = run_page(dir.path(), &expired, &json!([]), "204", &UTC_20TH);
    let snap = &page["snaps"][0];
    assert_eq!(
        text(snap, "quote-state"),
        "This quote expired on 01/19/2027."
    );
    assert_no_form(snap);
}

#[test]
fn an_invoice_shows_none_of_the_quote() {
    let dir = tempfile::tempdir().unwrap();
    let invoice = json!({
        "v": 1, "lang": "fr", "kind": "invoice", "number": "F-2027-0001",
        "seller": "Atelier Dupont", "client": "Boulangerie Martin",
        "issue_date": "05/01/2027", "due_date": "04/02/2027", "total": "1 200,00 €",
        "amount_due": "1 200,00 €", "currency": "EUR", "total_minor": 120000,
        "amount_due_minor": 120000, "status": "open", "pdf_name": "F-2027-0001.pdf",
    });
    let page = run_page(dir.path(), &invoice, &json!([]), "204", &UTC_20TH);
    let snap = &page["snaps"][0];
    assert_eq!(snap["title"], "Facture F-2027-0001");
    for id in ["l-due", "due", "l-amount-due", "amount-due", "pdf"] {
        assert!(shown(snap, id), "#{id} is hidden");
    }
    for id in ["l-valid", "valid", "quote-state"] {
        assert!(!shown(snap, id), "#{id} is shown");
    }
    assert_no_form(snap);
    assert_eq!(text(snap, "pdf"), "Télécharger la facture (PDF)");
}
