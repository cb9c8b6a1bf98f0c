//! The loop the product exists for, with the real binaries: `acquit` issues
//! an invoice and creates a link on `fake-stripe`; a customer pays through
//! the fake's test controls; the fake delivers the signed webhook to
//! `acquit-relay`; `acquit sync` pulls it and the invoice is paid, with a
//! STRIPE ledger line (fee, net), a stamped PDF and a relay page that says
//! so.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::keyring::{Keyring, Provider};
use common::servers::{FakeStripe, Relay, eventually, get};
use common::{Acquit, text};
use serde_json::{Value, json};

const KEY: &str = "sk_test_51LoopTestKeyForTheFakeOnly4242";

/// Books with a company and one client, Stripe (through the fake) and a
/// relay set up, in a private keychain session.
struct Loop {
    acquit: Acquit,
    fake: FakeStripe,
    relay: Relay,
    keyring: Keyring,
}

impl Loop {
    fn start() -> Loop {
        Self::start_with(&["--sepa-delay", "300ms"])
    }

    fn start_with(fake_args: &[&str]) -> Loop {
        let acquit = Acquit::new();
        let keyring = Keyring::start(Provider::Unlocked);
        let fake = FakeStripe::start(acquit.dir.path(), fake_args);
        let relay = Relay::start(acquit.dir.path());
        let this = Loop {
            acquit,
            fake,
            relay,
            keyring,
        };
        this.ok(&[
            "company",
            "set",
            "--name",
            "Atelier Durand",
            "--siren",
            "732829320",
            "--address",
            "12 rue des Lilas\\n75011 Paris",
            "--iban",
            "FR7630006000011234567890189",
        ]);
        this.ok(&[
            "client",
            "add",
            "--name",
            "Boulangerie Martin",
            "--email",
            "compta@martin.example",
        ]);
        let out = this.with_stdin(
            &[
                "relay",
                "set",
                "--url",
                &this.relay.base,
                "--inbox",
                &this.relay.inbox,
            ],
            &this.relay.token,
        );
        assert!(out.contains("the relay has its signing secret"), "{out}");
        this
    }

    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = self.acquit.command(args);
        self.keyring.env(&mut command);
        command
            .env("ACQUIT_STRIPE_KEY", KEY)
            .env("ACQUIT_STRIPE_API_BASE", &self.fake.base);
        command
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.command(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "acquit {args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn with_stdin(&self, args: &[&str], input: &str) -> String {
        use std::io::Write as _;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "acquit {args:?}: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Issues an invoice of one line at `unit_price` € with 0 % VAT (so the
    /// total is the price) and returns its number.
    fn issue(&self, unit_price: &str) -> String {
        let draft = self.ok(&["invoice", "new", "--client", "1"]);
        let draft = draft.trim();
        self.ok(&[
            "invoice",
            "add-line",
            draft,
            "--desc",
            "Conseil",
            "--qty",
            "1",
            "--unit-price",
            unit_price,
            "--vat",
            "0%",
        ]);
        self.ok(&["invoice", "issue", draft]).trim().to_owned()
    }

    /// Creates a link and returns (Acquit's id, the URL to share, Stripe's URL).
    fn link(&self, number: &str, extra: &[&str]) -> (String, String, String) {
        let mut args = vec!["link", "create", number, "--json"];
        args.extend_from_slice(extra);
        let link = self.json(&args);
        (
            link["id"].as_str().unwrap().to_owned(),
            link["url"].as_str().unwrap().to_owned(),
            link["stripe_url"].as_str().unwrap().to_owned(),
        )
    }

    fn pay(&self, stripe_url: &str, method: &str, extra: Value) -> (u16, Value) {
        let mut body = json!({"url": stripe_url, "method": method});
        if method == "card" && extra.get("card").is_none() {
            body["card"] = json!("4242424242424242");
        }
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.fake.control("/_fake/pay", body)
    }

    fn invoice(&self, number: &str) -> Value {
        self.json(&["invoice", "show", number, "--json"])
    }

    /// Syncs until `number` has `status` (webhooks are delivered
    /// asynchronously by the fake).
    fn sync_until(&self, number: &str, status: &str) -> Value {
        let mut last = Value::Null;
        let reached = eventually(Duration::from_secs(15), || {
            self.ok(&["sync", "--wait", "2"]);
            last = self.invoice(number);
            last["status"] == status
        });
        assert!(reached, "{number} never became {status}: {last:#}");
        last
    }
}

fn pdf_text(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-raw"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext is missing: sudo apt-get install poppler-utils (./x test does)");
    text(&out.stdout)
}

fn qr_codes(pdf: &Path) -> String {
    let png = pdf.with_extension("png");
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile"])
        .arg(pdf)
        .arg(png.with_extension(""))
        .status()
        .expect("pdftoppm is missing: sudo apt-get install poppler-utils");
    assert!(status.success());
    let out = std::process::Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(&png)
        .output()
        .expect("zbarimg is missing: sudo apt-get install zbar-tools");
    // zbarimg exits 4 when it finds no code; anything else is a failure.
    assert!(
        matches!(out.status.code(), Some(0 | 4)),
        "zbarimg failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn a_card_payment_goes_from_link_to_stamped_pdf() {
    let l = Loop::start();
    let number = l.issue("1200");
    let (_, share, stripe_url) = l.link(&number, &[]);
    assert!(
        share.starts_with(&format!("{}/p/", l.relay.base)),
        "{share}"
    );

    // The shared link leads to Stripe's page while open.
    let (status, _, location) = get(&share);
    assert_eq!(status, 302);
    assert_eq!(location.as_deref(), Some(stripe_url.as_str()));

    // Before payment the PDF invites to pay: a QR code to the link.
    let before = l.acquit.dir.path().join("before.pdf");
    l.ok(&["invoice", "pdf", &number, "--out", before.to_str().unwrap()]);
    let codes = qr_codes(&before);
    assert!(codes.contains(&share), "the QR code opens {share}: {codes}");

    let (code, paid) = l.pay(&stripe_url, "card", json!({}));
    assert_eq!(code, 200, "{paid}");

    let invoice = l.sync_until(&number, "paid");
    assert_eq!(invoice["amount_due"], "0.00");

    // The receipts ledger: STRIPE card, 1.5 % + 0.25 € fee, net.
    let ledger = l.json(&["ledger", "--json"]);
    let entry = ledger
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["invoice_number"] == number.as_str())
        .unwrap_or_else(|| panic!("no ledger entry for {number}: {ledger:#}"));
    assert_eq!(entry["amount"], "1200.00");
    assert_eq!(entry["fee"], "18.25", "{entry:#}");
    assert_eq!(entry["net"], "1181.75");
    assert!(
        entry["method"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("stripe"),
        "{entry:#}"
    );
    assert!(
        entry["reference"].as_str().unwrap_or("").starts_with("pi_"),
        "{entry:#}"
    );

    // The PDF carries the stamp and no longer a QR code to pay.
    let after = l.acquit.dir.path().join("after.pdf");
    l.ok(&["invoice", "pdf", &number, "--out", after.to_str().unwrap()]);
    assert!(pdf_text(&after).contains("PAYÉE"), "{}", pdf_text(&after));
    assert_eq!(
        qr_codes(&after).trim(),
        "",
        "a paid invoice shows no payment QR"
    );

    // The relay's page says paid.
    let (status, page, _) = get(&share);
    assert_eq!(status, 200);
    assert!(page.contains(&number) && page.contains("payée"), "{page}");

    // A second sync changes nothing; the journal is intact.
    let again = l.json(&["sync", "--json"]);
    assert_eq!(again["applied"], 0, "{again:#}");
    l.ok(&["journal", "verify"]);
}

#[test]
fn deposit_then_balance_by_two_links() {
    let l = Loop::start();
    let number = l.issue("1000");
    let (_, _, deposit) = l.link(&number, &["--amount", "300"]);
    let (code, _) = l.pay(&deposit, "card", json!({}));
    assert_eq!(code, 200);
    let invoice = l.sync_until(&number, "partially-paid");
    assert_eq!(invoice["amount_due"], "700.00");

    // The balance link asks for what remains; more is refused.
    let too_much = l
        .command(&["link", "create", &number, "--amount", "800"])
        .output()
        .unwrap();
    assert_eq!(
        too_much.status.code(),
        Some(1),
        "{}",
        text(&too_much.stderr)
    );
    let (_, _, balance) = l.link(&number, &["--kind", "checkout", "--expires-in", "2h"]);
    // The checkout page carries the client's email: Stripe's own receipt
    // reaches them.
    let log = std::fs::read_to_string(&l.fake.log).unwrap();
    let created = log
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .find(|r| r["method"] == "POST" && r["path"] == "/v1/checkout/sessions")
        .unwrap_or_else(|| panic!("no checkout session created: {log}"));
    assert!(
        created["body"]
            .as_str()
            .unwrap()
            .contains("customer_email=compta%40martin.example"),
        "{created}"
    );
    let (code, _) = l.pay(&balance, "card", json!({}));
    assert_eq!(code, 200);
    let invoice = l.sync_until(&number, "paid");
    assert_eq!(invoice["amount_due"], "0.00");
    assert_eq!(
        invoice["payments"].as_array().unwrap().len(),
        2,
        "{invoice:#}"
    );
}

#[test]
fn sepa_succeeds_later_and_a_failed_debit_records_nothing() {
    let l = Loop::start();
    let good = l.issue("500");
    let bad = l.issue("400");
    let (_, _, good_url) = l.link(&good, &[]);
    let (bad_id, _, bad_url) = l.link(&bad, &[]);
    assert_eq!(l.pay(&good_url, "sepa_debit", json!({})).0, 200);
    assert_eq!(
        l.pay(
            &bad_url,
            "sepa_debit",
            json!({"iban": "AT861904300235473202"})
        )
        .0,
        200
    );
    l.sync_until(&good, "paid");

    // The failed debit: the link says why, the invoice is still due.
    let failed = eventually(Duration::from_secs(10), || {
        l.ok(&["sync"]);
        let links = l.json(&["link", "list", &bad, "--json"]);
        // Stripe closed the link when the debit started (one payment per
        // link); the failure says why nothing came.
        links.as_array().unwrap().iter().any(|k| {
            k["id"] == bad_id.as_str()
                && k["failure"] == "the bank refused the debit"
                && k["status"] != "open"
                && k["status"] != "paid"
        })
    });
    assert!(failed, "{:#}", l.json(&["link", "list", &bad, "--json"]));
    let invoice = l.invoice(&bad);
    assert_eq!(invoice["status"], "issued");
    assert_eq!(invoice["amount_due"], "400.00");
    assert!(invoice["payments"].as_array().unwrap().is_empty());
}

#[test]
fn a_declined_card_records_nothing() {
    let l = Loop::start();
    let number = l.issue("250");
    let (_, _, url) = l.link(&number, &[]);
    let (code, body) = l.pay(&url, "card", json!({"card": "4000000000000002"}));
    assert_eq!(code, 402, "{body}");
    l.ok(&["sync"]);
    let invoice = l.invoice(&number);
    assert_eq!(invoice["status"], "issued");
    assert_eq!(invoice["amount_due"], "250.00");
}

#[test]
fn a_refund_is_recorded_and_a_credit_note_proposed() {
    let l = Loop::start();
    let number = l.issue("600");
    let (_, _, url) = l.link(&number, &[]);
    let (_, paid) = l.pay(&url, "card", json!({}));
    l.sync_until(&number, "paid");
    let intent = paid["payment_intent"].as_str().unwrap().to_owned();
    let (code, body) = l.fake.control(
        "/_fake/refund",
        json!({"payment_intent": intent, "amount": 20000}),
    );
    assert_eq!(code, 200, "{body}");
    let invoice = l.sync_until(&number, "partially-paid");
    assert_eq!(invoice["amount_due"], "200.00", "{invoice:#}");
    let shown = l.ok(&["invoice", "show", &number]);
    assert!(
        shown.contains(&format!("acquit credit-note {number} --amount 200.00")),
        "{shown}"
    );
    // Issuing it settles the proposal and what is due.
    l.ok(&[
        "credit-note",
        &number,
        "--amount",
        "200",
        "--reason",
        "Remboursement",
    ]);
    assert_eq!(l.invoice(&number)["amount_due"], "0.00");
    let shown = l.ok(&["invoice", "show", &number]);
    assert!(!shown.contains("Stripe refunded"), "{shown}");
}

#[test]
fn with_the_relay_down_stripe_catches_up_and_offline_payments_all_apply() {
    let mut l = Loop::start();
    let numbers: Vec<String> = (0..3).map(|i| l.issue(&format!("10{i}"))).collect();
    let urls: Vec<String> = numbers.iter().map(|n| l.link(n, &[]).2).collect();
    // The laptop is offline and the relay is down while three clients pay.
    l.relay.stop();
    for url in &urls {
        assert_eq!(l.pay(url, "card", json!({})).0, 200);
    }
    // One sync: the relay is unreachable, so Stripe's event list is used.
    let report = l.json(&["sync", "--json"]);
    assert_eq!(
        report["invoices"].as_array().unwrap().len(),
        3,
        "{report:#}"
    );
    assert_eq!(report["sources"], json!(["relay", "stripe"]), "{report:#}");
    for number in &numbers {
        assert_eq!(l.invoice(number)["status"], "paid");
    }
    // When the relay is back, the retried webhooks are already applied.
    l.relay.resume();
    std::thread::sleep(Duration::from_secs(1));
    let report = l.json(&["sync", "--json"]);
    assert_eq!(report["applied"], 0, "{report:#}");
    let reconcile = l.json(&["reconcile", "--json"]);
    assert_eq!(reconcile, json!([]), "{reconcile:#}");
}

/// `curl` into a file: the body's bytes as they are (a bundle is binary).
fn fetch_bytes(url: &str, dir: &Path) -> (u16, Vec<u8>) {
    let file = dir.join("fetched.bin");
    let out = std::process::Command::new("curl")
        .args(["-sS", "-o"])
        .arg(&file)
        .args(["-w", "%{http_code}", url])
        .output()
        .expect("curl is missing: sudo apt-get install curl");
    let status = text(&out.stdout).trim().parse().unwrap();
    (status, std::fs::read(&file).unwrap_or_default())
}

/// The PDF `acquit invoice pdf` writes now.
fn current_pdf(l: &Loop, number: &str, name: &str) -> Vec<u8> {
    let path = l.acquit.dir.path().join(name);
    l.ok(&["invoice", "pdf", number, "--out", path.to_str().unwrap()]);
    std::fs::read(path).unwrap()
}

/// The shared invoice page, end to end: `acquit share` publishes
/// ciphertext only; the URL's key opens it to the exact PDF; the client
/// pays on Stripe's page and is sent back to the relay, which says
/// "received" before the laptop syncs; the sync republishes the page
/// (paid, stamped PDF) under the same URL; revoking ends it.
#[test]
fn a_shared_invoice_page_is_encrypted_follows_the_payment_and_can_be_revoked() {
    let l = Loop::start();
    let number = l.issue("1200");
    let dir = l.acquit.dir.path();
    let (_, pay_link, stripe_url) = l.link(&number, &[]);

    let url = l.ok(&["share", &number]).trim().to_owned();
    let prefix = format!("{}/v/", l.relay.base);
    assert!(url.starts_with(&prefix) && url.contains("#k="), "{url}");
    let token = url[prefix.len()..].split('#').next().unwrap().to_owned();
    let key = acquit_sync::share::key_from_url(&url).expect("a key in the fragment");
    // Sharing again gives the same URL.
    assert_eq!(l.ok(&["share", &number]).trim(), url);

    // What the relay stores is ciphertext: no client name, no number, no PDF.
    let stored: Vec<u8> = rusqlite::Connection::open(&l.relay.db)
        .unwrap()
        .query_row(
            "SELECT bundle FROM documents WHERE token = ?1",
            [&token],
            |r| r.get(0),
        )
        .unwrap();
    let as_text = String::from_utf8_lossy(&stored);
    for secret in [
        "Boulangerie Martin",
        number.as_str(),
        "%PDF",
        "Atelier Durand",
    ] {
        assert!(
            !as_text.contains(secret),
            "the relay's copy contains {secret:?}"
        );
    }
    // The page's script fetches the same bytes, and the key opens them to
    // the PDF `acquit invoice pdf` makes, byte for byte.
    let (status, served) = fetch_bytes(&format!("{prefix}{token}/bundle"), dir);
    assert_eq!(status, 200);
    assert_eq!(served, stored);
    let (summary, pdf) = acquit_sync::share::open(&key, &served).expect("the URL's key opens it");
    assert_eq!(pdf, current_pdf(&l, &number, "shared-before.pdf"));
    assert_eq!(summary.number, number);
    assert_eq!(summary.client, "Boulangerie Martin");
    assert_eq!(summary.status, "due");
    assert_eq!(summary.pay_url.as_deref(), Some(pay_link.as_str()));
    assert!(summary.epc_svg.as_deref().unwrap_or("").starts_with("<svg"));
    assert!(summary.bank.is_some());
    let (status, page, _) = get(&format!("{prefix}{token}"));
    assert_eq!(status, 200);
    assert!(page.contains("<script>") && !page.contains(&number));

    // The client pays on Stripe's page and is sent back to the relay.
    let out = std::process::Command::new("curl")
        .args([
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code} %{redirect_url}",
        ])
        .args(["-X", "POST", "--data", "method=card", &stripe_url])
        .output()
        .unwrap();
    let answer = text(&out.stdout);
    let done = format!("{pay_link}/done");
    assert_eq!(answer.trim(), format!("303 {done}"), "{answer}");
    // The laptop has not synced: the relay already says "received".
    let mut last = String::new();
    let received = eventually(Duration::from_secs(10), || {
        last = get(&done).1;
        last.contains("Paiement reçu")
    });
    assert!(received, "{last}");
    assert!(last.contains(&number), "{last}");
    assert_eq!(l.invoice(&number)["status"], "issued", "not synced yet");

    // After a sync the same URL opens to the paid state and the stamped PDF.
    l.sync_until(&number, "paid");
    let (_, served) = fetch_bytes(&format!("{prefix}{token}/bundle"), dir);
    let (summary, stamped) = acquit_sync::share::open(&key, &served).unwrap();
    assert_eq!(summary.status, "paid");
    assert_eq!(summary.amount_due_minor, 0);
    assert_eq!(summary.pay_url, None);
    assert_eq!(stamped, current_pdf(&l, &number, "shared-after.pdf"));
    assert_ne!(stamped, pdf);
    let stamped_path = dir.join("shared-after.pdf");
    assert!(pdf_text(&stamped_path).contains("PAYÉE"));

    // Revoked: the page says the link is no longer valid, for good.
    let out = l.ok(&["share", &number, "--revoke"]);
    assert!(out.contains("revoked"), "{out}");
    let (status, page, _) = get(&format!("{prefix}{token}"));
    assert_eq!(status, 410);
    assert!(page.contains("Ce lien n'est plus valide."), "{page}");
    assert_eq!(fetch_bytes(&format!("{prefix}{token}/bundle"), dir).0, 410);
    // Sharing again makes a new URL.
    let again = l.ok(&["share", &number]).trim().to_owned();
    assert_ne!(again, url);
}

#[test]
fn sharing_needs_a_relay() {
    let acquit = Acquit::new();
    acquit.ok(&["demo"]);
    let err = acquit.fails(1, &["share", "F-2026-0001"]);
    assert!(err.contains("no relay is set"), "{err}");
    let err = acquit.fails(1, &["share", "F-2099-0042"]);
    assert!(err.contains("F-2099-0042"), "{err}");
}

/// The shared page of an invoice as the relay serves it now, opened with
/// the URL's key.
fn served_summary(l: &Loop, url: &str) -> (acquit_sync::share::Summary, Vec<u8>) {
    let key = acquit_sync::share::key_from_url(url).expect("a key in the fragment");
    let bundle = format!("{}/bundle", url.split('#').next().unwrap());
    let (status, served) = fetch_bytes(&bundle, l.acquit.dir.path());
    assert_eq!(status, 200);
    acquit_sync::share::open(&key, &served).expect("the URL's key opens it")
}

/// Money received by hand republishes the shared page at once, as a
/// synced Stripe payment does: a part payment withdraws the link that
/// asked for the whole amount; the rest makes the page paid with the
/// stamped PDF; a reversal brings the amount due back; with the relay
/// down the payment is still recorded and the next sync republishes.
#[test]
fn a_payment_recorded_by_hand_republishes_the_shared_page() {
    let mut l = Loop::start();
    let number = l.issue("1200");
    let (link_id, pay_link, _) = l.link(&number, &[]);
    let url = l.ok(&["share", &number]).trim().to_owned();
    let (summary, _) = served_summary(&l, &url);
    assert_eq!(summary.pay_url.as_deref(), Some(pay_link.as_str()));

    l.ok(&[
        "payment", "add", &number, "--amount", "500", "--method", "transfer",
    ]);
    let (summary, _) = served_summary(&l, &url);
    assert_eq!(summary.status, "partly_paid");
    assert_eq!(summary.amount_due_minor, 70_000);
    assert_eq!(
        summary.pay_url, None,
        "the link for 1 200 € would overcharge: withdrawn"
    );
    let links = l.json(&["link", "list", &number, "--json"]);
    let link = links
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == link_id.as_str())
        .unwrap();
    assert_eq!(link["status"], "deactivated", "{links:#}");
    assert_ne!(
        get(&pay_link).0,
        302,
        "the relay's page no longer sends to Stripe"
    );

    l.ok(&[
        "payment", "add", &number, "--amount", "700", "--method", "cheque",
    ]);
    let (summary, pdf) = served_summary(&l, &url);
    assert_eq!(summary.status, "paid");
    assert_eq!(summary.amount_due_minor, 0);
    assert_eq!((summary.pay_url, summary.bank), (None, None));
    assert_eq!(pdf, current_pdf(&l, &number, "by-hand-paid.pdf"));
    let stamped = l.acquit.dir.path().join("by-hand-paid.pdf");
    assert!(
        pdf_text(&stamped).contains("PAYÉE"),
        "{}",
        pdf_text(&stamped)
    );

    // The cheque bounces: reversed, the page says 700 € due again.
    let payments = l.json(&["payment", "list", &number, "--json"]);
    let cheque = payments
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["method"] == "cheque")
        .unwrap()["id"]
        .to_string();
    l.ok(&["payment", "reverse", &cheque]);
    let (summary, _) = served_summary(&l, &url);
    assert_eq!(summary.status, "partly_paid");
    assert_eq!(summary.amount_due_minor, 70_000);

    // The relay is down: the payment is recorded all the same, the user is
    // told, and the next sync republishes.
    l.relay.stop();
    let out = l
        .command(&[
            "payment", "add", &number, "--amount", "700", "--method", "transfer",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let warning = text(&out.stderr);
    assert!(
        warning.contains("not updated yet") && warning.contains("acquit sync"),
        "{warning}"
    );
    assert_eq!(l.invoice(&number)["status"], "paid");
    l.relay.resume();
    let report = l.json(&["sync", "--json"]);
    assert_eq!(report["warnings"], json!([]), "{report:#}");
    let (summary, _) = served_summary(&l, &url);
    assert_eq!(summary.status, "paid");
    assert_eq!(summary.amount_due_minor, 0);
}
