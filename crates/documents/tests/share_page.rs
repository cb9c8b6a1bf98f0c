//! The invoice page's own script, run under Node (its WebCrypto is the
//! browsers' API, `globalThis.crypto.subtle`) with a minimal DOM, against
//! bundles sealed by the app's Rust: what the client's browser would show.
//! This checks the page's decryption and rendering code itself, byte for
//! byte; the same page in a real browser engine (WebKitGTK) is
//! `tests/e2e/client_page.rs`.

use std::path::Path;
use std::process::Command;

use acquit_documents::Rendering;
use acquit_documents::share::{self, key_to_fragment, seal};
use acquit_store::Store;
use serde_json::Value;

/// Loads the page's inline script with a DOM shim built from the page's
/// own elements, serves `bundle` to its fetch, and reports what it showed.
const HARNESS: &str = r#"
const fs = require("fs");
const html = fs.readFileSync(process.env.PAGE, "utf8");
const script = html.match(/<script>([\s\S]*)<\/script>/)[1];
const els = {};
for (const m of html.matchAll(/<([a-z0-9]+)([^>]*)\bid="([^"]+)"([^>]*)>/g)) {
  const attrs = m[2] + m[4];
  els[m[3]] = { id: m[3], hidden: /\shidden(\s|$)/.test(attrs), textContent: "", href: "", download: "", src: "", alt: "" };
}
globalThis.document = {
  getElementById(id) { if (!els[id]) throw new Error("no #" + id); return els[id]; },
  documentElement: { lang: "fr" },
  title: "",
};
globalThis.location = { hash: process.env.HASH, pathname: "/v/" + process.env.TOKEN };
let fetched = null;
globalThis.fetch = async (url, init) => {
  fetched = url;
  const b = fs.readFileSync(process.env.BUNDLE);
  return { ok: true, status: 200, arrayBuffer: async () => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) };
};
const blobs = [];
URL.createObjectURL = (blob) => { blobs.push(blob); return "blob:page/1"; };
(0, eval)(script);
setTimeout(async () => {
  if (blobs.length) fs.writeFileSync(process.env.PDF_OUT, Buffer.from(await blobs[0].arrayBuffer()));
  const out = {};
  for (const [k, v] of Object.entries(els)) out[k] = { hidden: v.hidden, text: v.textContent, href: v.href, download: v.download, src: v.src };
  console.log(JSON.stringify({ fetched, title: document.title, lang: document.documentElement.lang, els: out, blob_type: blobs[0] && blobs[0].type }));
}, 1000);
"#;

fn node() -> String {
    std::env::var("NODE").unwrap_or_else(|_| "node".into())
}

/// Runs the page on `bundle` with the URL fragment `hash`.
fn run_page(dir: &Path, bundle: &[u8], hash: &str) -> (Value, Option<Vec<u8>>) {
    let page = dir.join("page.html");
    std::fs::write(&page, acquit_relay::documents::page()).unwrap();
    let harness = dir.join("harness.js");
    std::fs::write(&harness, HARNESS).unwrap();
    let bundle_path = dir.join("bundle.bin");
    std::fs::write(&bundle_path, bundle).unwrap();
    let pdf_out = dir.join("out.pdf");
    let _ = std::fs::remove_file(&pdf_out);
    let out = Command::new(node())
        .arg(&harness)
        .env("PAGE", &page)
        .env("BUNDLE", &bundle_path)
        .env("PDF_OUT", &pdf_out)
        .env("HASH", hash)
        .env("TOKEN", "doc_test_token_0123456789")
        .output()
        .expect(
            "node (>= 20) is needed for the invoice page's script test: apt-get install nodejs",
        );
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    (report, std::fs::read(&pdf_out).ok())
}

fn demo() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("a.db")).unwrap();
    store
        .fill_demo(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
        .unwrap();
    (dir, store)
}

#[test]
fn the_page_script_decrypts_a_rust_bundle_and_shows_the_invoice() {
    let (dir, store) = demo();
    // Issued, nothing paid yet, in the demo.
    let due = "F-2026-0006".to_owned();
    assert!(store.invoice(&due).unwrap().amount_due.is_positive());
    let relay = acquit_sync::relay::PublicBase::new("https://relay.example/").unwrap();
    let mut summary = share::summary(&store, &due, Some(&relay)).unwrap();
    // As if a link were open (the demo has none).
    summary.pay_url = Some("https://relay.example/p/lnk_0123456789abcdef".into());
    let pdf = acquit_documents::render_pdf(&store, &due, None, Rendering::Current)
        .unwrap()
        .bytes;
    let key = [0x5au8; 32];
    let bundle = seal(&key, &summary, &pdf).unwrap();
    let hash = format!("#k={}", key_to_fragment(&key));

    let (page, shown_pdf) = run_page(dir.path(), &bundle, &hash);
    let els = &page["els"];
    assert_eq!(page["fetched"], "/v/doc_test_token_0123456789/bundle");
    assert_eq!(els["msg"]["hidden"], true, "{page:#}");
    assert_eq!(els["inv"]["hidden"], false);
    assert!(page["title"].as_str().unwrap().ends_with(&due), "{page:#}");
    assert_eq!(els["amount-due"]["text"], summary.amount_due.as_str());
    assert_eq!(els["total"]["text"], summary.total.as_str());
    assert_eq!(els["seller"]["text"], summary.seller.as_str());
    assert_eq!(els["client"]["text"], summary.client.as_str());
    assert_eq!(els["pay"]["hidden"], false);
    assert_eq!(
        els["pay"]["href"],
        "https://relay.example/p/lnk_0123456789abcdef"
    );
    assert_eq!(els["pdf"]["href"], "blob:page/1");
    assert_eq!(els["pdf"]["download"], format!("{due}.pdf").as_str());
    assert_eq!(page["blob_type"], "application/pdf");
    assert_eq!(
        shown_pdf.as_deref(),
        Some(pdf.as_slice()),
        "the download is the PDF, byte for byte"
    );
    let lang = summary.lang.clone();
    assert_eq!(page["lang"], lang.as_str());
    let (pay_label, bank_label) = if lang == "en" {
        ("Pay online", "Pay by bank transfer")
    } else {
        ("Payer en ligne", "Payer par virement")
    };
    assert_eq!(els["pay"]["text"], pay_label);
    let bank = summary.bank.as_ref().expect("the demo seller has an IBAN");
    assert_eq!(els["bank"]["hidden"], false);
    assert_eq!(els["l-bank"]["text"], bank_label);
    assert_eq!(els["iban"]["text"], bank.iban.as_str());
    {
        assert!(summary.epc_svg.is_some(), "in euros: an EPC QR code");
        assert!(
            els["qr"]["src"]
                .as_str()
                .unwrap()
                .starts_with("data:image/svg+xml;base64,")
        );
        assert_eq!(els["qr-box"]["hidden"], false);
    }

    // A wrong key: nothing shown but "incomplete link".
    let wrong = format!("#k={}", key_to_fragment(&[1u8; 32]));
    let (page, pdf) = run_page(dir.path(), &bundle, &wrong);
    assert_eq!(page["els"]["inv"]["hidden"], true);
    assert!(
        page["els"]["msg"]["text"]
            .as_str()
            .unwrap()
            .contains("incomplet"),
        "{page:#}"
    );
    assert!(pdf.is_none());
    // No key at all.
    let (page, _) = run_page(dir.path(), &bundle, "");
    assert_eq!(page["fetched"], Value::Null);
    assert_eq!(page["els"]["inv"]["hidden"], true);
}

#[test]
fn a_paid_invoice_shows_paid_without_the_pay_button_in_english() {
    let (dir, store) = demo();
    let mut summary = share::summary(&store, "F-2026-0001", None).unwrap();
    summary.lang = "en".into();
    summary.pay_url = Some("https://relay.example/p/should-not-show".into());
    let pdf = acquit_documents::render_pdf(&store, "F-2026-0001", None, Rendering::Current)
        .unwrap()
        .bytes;
    let key = [9u8; 32];
    let bundle = seal(&key, &summary, &pdf).unwrap();
    let (page, shown) = run_page(
        dir.path(),
        &bundle,
        &format!("#k={}", key_to_fragment(&key)),
    );
    let els = &page["els"];
    assert_eq!(page["lang"], "en");
    assert!(
        els["paid"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Invoice paid"),
        "{page:#}"
    );
    assert_eq!(els["paid"]["hidden"], false);
    assert_eq!(els["pay"]["hidden"], true, "nothing due: no pay button");
    assert_eq!(els["bank"]["hidden"], true);
    assert_eq!(els["pdf"]["text"], "Download the invoice (PDF)");
    assert_eq!(shown.as_deref(), Some(pdf.as_slice()));
}
