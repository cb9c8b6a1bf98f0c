//! The loop the product exists for, with the real binaries: `acquit` issues
//! an invoice and creates a link on `fake-stripe`; a customer pays through
//! the fake's test controls; the fake delivers the signed webhook to
//! `acquit-relay`; `acquit sync` pulls it and the invoice is paid, with a
//! STRIPE ledger line (fee, net), a stamped PDF and a relay page that says
//! so.

mod common;

use std::path::Path;
use std::time::Duration;

use acquit_testkit::keyring::{Keyring, Provider};
use acquit_testkit::servers::{FakeStripe, Relay, eventually, get};
use common::{Acquit, output_with_stdin, text};
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
        let out = self.run(args, &[], input);
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
    assert!(
        common::pdf_text(&after).contains("PAYÉE"),
        "{}",
        common::pdf_text(&after)
    );
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

/// A schedule with `--link`: each invoice it issues gets one payment link,
/// reserved with the invoice and made on Stripe by the same run; a second
/// run makes no other; the client pays through it.
#[test]
fn a_recurring_schedule_gives_each_invoice_one_payment_link() {
    let l = Loop::start();
    let draft = l.ok(&["invoice", "new", "--client", "1"]).trim().to_owned();
    l.ok(&[
        "invoice",
        "add-line",
        &draft,
        "--desc",
        "Maintenance",
        "--qty",
        "1",
        "--unit-price",
        "250",
        "--vat",
        "0%",
    ]);
    let schedule = |extra: &[&str]| {
        let mut args = vec![
            "recurring",
            "add",
            "--from",
            &draft,
            "--every",
            "1m",
            "--start",
            "2026-01-31",
            "--count",
            "2",
            "--link",
        ];
        args.extend_from_slice(extra);
        l.command(&args).output().unwrap()
    };
    // A draft to review gets its link once the user issues it.
    let refused = schedule(&["--issue", "draft"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("--issue auto with --link"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(schedule(&[]).status.code(), Some(0));
    assert_eq!(l.json(&["recurring", "list", "--json"])[0]["link"], true);

    let out = l.ok(&["recurring", "run", "--until", "2026-02-28"]);
    let mut shares = Vec::new();
    for number in ["F-2026-0001", "F-2026-0002"] {
        let links = l.json(&["link", "list", number, "--json"]);
        let links = links.as_array().unwrap();
        assert_eq!(links.len(), 1, "{number}: {links:#?}");
        assert_eq!(links[0]["status"], "open", "{number}: {links:#?}");
        assert_eq!(links[0]["amount"], "250.00");
        let share = links[0]["url"].as_str().unwrap().to_owned();
        assert!(
            share.starts_with(&format!("{}/p/", l.relay.base)),
            "{share}"
        );
        assert!(
            out.contains(&format!("{number}: payment link {share}")),
            "{out}"
        );
        // Published to the relay by the run: the page leads to Stripe.
        let (status, _, location) = get(&share);
        assert_eq!(status, 302, "{share}");
        assert_eq!(location.as_deref(), links[0]["stripe_url"].as_str());
        shares.push((number, links[0]["stripe_url"].as_str().unwrap().to_owned()));
    }
    // Again, and a sync: no other link on Stripe.
    l.ok(&["recurring", "run", "--until", "2026-02-28"]);
    l.ok(&["sync", "--wait", "0"]);
    let log = std::fs::read_to_string(&l.fake.log).unwrap();
    let created = log
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|r| r["method"] == "POST" && r["path"] == "/v1/payment_links")
        .count();
    assert_eq!(created, 2, "{log}");

    let (number, stripe_url) = &shares[1];
    let (code, paid) = l.pay(stripe_url, "card", json!({}));
    assert_eq!(code, 200, "{paid}");
    l.sync_until(number, "paid");
    assert_eq!(l.invoice(shares[0].0)["status"], "issued");
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
    // The good debit is paid; the failed one's link says why and its
    // invoice is still due; the sync that learnt it says so (the app
    // notifies it).
    let mut reported = Vec::new();
    let failed = eventually(Duration::from_secs(15), || {
        let report = l.json(&["sync", "--wait", "2", "--json"]);
        reported.extend(
            report["payments_failed"]
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
        let links = l.json(&["link", "list", &bad, "--json"]);
        // Stripe closed the link when the debit started (one payment per
        // link); the failure says why nothing came.
        l.invoice(&good)["status"] == "paid"
            && links.as_array().unwrap().iter().any(|k| {
                k["id"] == bad_id.as_str()
                    && k["failure"] == "the bank refused the debit"
                    && k["status"] != "open"
                    && k["status"] != "paid"
            })
    });
    assert!(failed, "{:#}", l.json(&["link", "list", &bad, "--json"]));
    assert_eq!(
        reported,
        [json!({"invoice": bad, "reason": "the bank refused the debit"})]
    );
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
    let key = acquit_documents::share::key_from_url(&url).expect("a key in the fragment");
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
    let (summary, pdf) =
        acquit_documents::share::open(&key, &served).expect("the URL's key opens it");
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
    let (summary, stamped) = acquit_documents::share::open(&key, &served).unwrap();
    assert_eq!(summary.status, "paid");
    assert_eq!(summary.amount_due_minor, 0);
    assert_eq!(summary.pay_url, None);
    assert_eq!(stamped, current_pdf(&l, &number, "shared-after.pdf"));
    assert_ne!(stamped, pdf);
    let stamped_path = dir.join("shared-after.pdf");
    assert!(common::pdf_text(&stamped_path).contains("PAYÉE"));

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
fn served_summary(l: &Loop, url: &str) -> (acquit_documents::share::Summary, Vec<u8>) {
    let key = acquit_documents::share::key_from_url(url).expect("a key in the fragment");
    let bundle = format!("{}/bundle", url.split('#').next().unwrap());
    let (status, served) = fetch_bytes(&bundle, l.acquit.dir.path());
    assert_eq!(status, 200);
    acquit_documents::share::open(&key, &served).expect("the URL's key opens it")
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
        common::pdf_text(&stamped).contains("PAYÉE"),
        "{}",
        common::pdf_text(&stamped)
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

// ------------------------------------------------------------------------
// The relay is not trusted (issue 18): whoever runs it holds the webhook
// secret and can sign anything; whoever holds only the pull token can read
// events and publish link states. Neither can make an invoice paid.

/// The relay's webhook secret as its operator sees it: in clear in the
/// relay's own database (HMAC needs it).
fn operator_secret(relay: &Relay) -> String {
    let db = rusqlite::Connection::open(&relay.db).unwrap();
    db.query_row(
        "SELECT secret FROM inboxes WHERE id = ?1",
        [&relay.inbox],
        |r| r.get(0),
    )
    .unwrap()
}

/// The events the relay stored, as its operator reads them.
fn relay_events(relay: &Relay) -> Vec<Value> {
    let db = rusqlite::Connection::open(&relay.db).unwrap();
    let mut stmt = db
        .prepare("SELECT payload FROM events WHERE inbox_id = ?1 ORDER BY cursor")
        .unwrap();
    stmt.query_map([&relay.inbox], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|p| serde_json::from_str(&p.unwrap()).unwrap())
        .collect()
}

/// Signs `event` with `secret` and posts it to the relay, as Stripe would.
fn post_signed(relay: &Relay, secret: &str, event: &Value) -> u16 {
    let body = event.to_string();
    let t = chrono::Utc::now().timestamp();
    let signature = acquit_relay::signature::sign(secret, t, body.as_bytes());
    let out = std::process::Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST"])
        .args(["-H", &format!("Stripe-Signature: {signature}")])
        .args(["--data-binary", &body])
        .arg(format!("{}/v1/inboxes/{}/stripe", relay.base, relay.inbox))
        .output()
        .unwrap();
    text(&out.stdout).trim().parse().unwrap()
}

impl Loop {
    /// The first `checkout.session.completed` the relay received.
    fn real_completed_event(&self) -> Value {
        let mut found = None;
        assert!(
            eventually(Duration::from_secs(10), || {
                found = relay_events(&self.relay)
                    .into_iter()
                    .find(|e| e["type"] == "checkout.session.completed");
                found.is_some()
            }),
            "the relay never received the payment's webhook"
        );
        found.unwrap()
    }

    /// `real`, made into a payment of `number` under a new event id: what
    /// an operator holding the secret can sign.
    fn forge_payment_of(&self, real: &Value, number: &str, event_id: &str) -> Value {
        let invoice = self.invoice(number);
        let links = self.json(&["link", "list", number, "--json"]);
        let link = &links.as_array().unwrap()[0];
        let mut forged = real.clone();
        forged["id"] = json!(event_id);
        let session = &mut forged["data"]["object"];
        session["id"] = json!(format!("cs_test_{}", event_id.trim_start_matches("evt_")));
        session["payment_intent"] = json!(format!("pi_{}", event_id.trim_start_matches("evt_")));
        session["payment_link"] = link["stripe_id"].clone();
        // "1200.00" -> 120000 cents.
        let cents: i64 = invoice["total"]
            .as_str()
            .unwrap()
            .replace('.', "")
            .parse()
            .unwrap();
        session["amount_total"] = json!(cents);
        session["metadata"]["acquit_invoice_number"] = json!(number);
        session["metadata"]["acquit_link_id"] = link["id"].clone();
        forged
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)], stdin: &str) -> std::process::Output {
        let mut command = self.command(args);
        for (k, v) in env {
            command.env(k, v);
        }
        output_with_stdin(command, stdin)
    }
}

#[test]
fn a_relay_operator_who_signs_a_payment_cannot_make_an_invoice_paid() {
    let l = Loop::start();
    let paid = l.issue("450");
    let target = l.issue("1200");
    let (_, _, paid_url) = l.link(&paid, &[]);
    l.link(&target, &[]);
    let (code, body) = l.pay(&paid_url, "card", json!({}));
    assert_eq!(code, 200, "{body}");
    let real = l.real_completed_event();
    let ledger_before = l.json(&["ledger", "--json"]);

    // The operator signs a payment of the target, cloned from the real one.
    let secret = operator_secret(&l.relay);
    let forged = l.forge_payment_of(&real, &target, "evt_1ForgedByTheRelayOperator");
    assert_eq!(
        post_signed(&l.relay, &secret, &forged),
        200,
        "the relay took it"
    );

    // The real payment, made at the same time, is applied; the forged one
    // is not.
    l.sync_until(&paid, "paid");
    let invoice = l.invoice(&target);
    assert_eq!(invoice["status"], "issued", "{invoice:#}");
    assert_eq!(invoice["amount_due"], "1200.00");
    assert_eq!(invoice["payments"], json!([]), "{invoice:#}");
    let ledger = l.json(&["ledger", "--json"]);
    assert!(
        ledger
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["invoice_number"] != target.as_str()),
        "{ledger:#}"
    );
    assert_eq!(
        ledger.as_array().unwrap().len(),
        ledger_before.as_array().unwrap().len() + 1
    );
    l.ok(&["journal", "verify"]);
    // The link of the target was not withdrawn on Stripe.
    let links = l.json(&["link", "list", &target, "--json"]);
    assert_eq!(links[0]["status"], "open", "{links:#}");

    // The reconciliation lists it as rejected, with the reason.
    let findings = l.json(&["reconcile", "--json"]);
    let rejected = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["stripe_ref"] == "evt_1ForgedByTheRelayOperator")
        .unwrap_or_else(|| panic!("not listed: {findings:#}"));
    assert_eq!(rejected["kind"], "rejected-event");
    assert!(
        rejected["action"]
            .as_str()
            .unwrap()
            .contains("Stripe does not know event"),
        "{rejected:#}"
    );
    // And `acquit sync` said so.
    let again = l.json(&["sync", "--json"]);
    assert_eq!(again["applied"], 0, "{again:#}");
}

#[test]
fn a_pull_token_cannot_replace_the_webhook_secret() {
    let l = Loop::start();
    // Straight to the relay: 403, whatever the token holder wants.
    let out = std::process::Command::new("curl")
        .args(["-sS", "-o", "-", "-w", "\n%{http_code}", "-X", "PUT"])
        .args(["-H", &format!("Authorization: Bearer {}", l.relay.token)])
        .args(["-H", "Content-Type: application/json"])
        .args([
            "--data-binary",
            r#"{"secret":"whsec_chosen_by_the_token_holder"}"#,
        ])
        .arg(format!(
            "{}/v1/inboxes/{}/webhook-secret",
            l.relay.base, l.relay.inbox
        ))
        .output()
        .unwrap();
    let answer = text(&out.stdout);
    let (body, status) = answer.rsplit_once('\n').unwrap();
    assert_eq!(status.trim(), "403", "{answer}");
    assert!(body.contains("admin_required"), "{body}");
    let secret = operator_secret(&l.relay);
    assert!(secret.starts_with("whsec_") && secret != "whsec_chosen_by_the_token_holder");

    // `acquit relay set` again with the token alone: refused, and nothing
    // changed on Stripe (the endpoint that feeds the relay stays).
    let endpoints = |l: &Loop| {
        let log = std::fs::read_to_string(&l.fake.log).unwrap();
        log.lines()
            .filter(|line| line.contains("\"POST\"") && line.contains("/v1/webhook_endpoints"))
            .count()
            - log
                .lines()
                .filter(|line| {
                    line.contains("\"DELETE\"") && line.contains("/v1/webhook_endpoints/")
                })
                .count()
    };
    let live_endpoints = endpoints(&l);
    let set = [
        "relay",
        "set",
        "--url",
        &l.relay.base,
        "--inbox",
        &l.relay.inbox,
    ];
    let out = l.run(&set, &[], &l.relay.token);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("admin credential"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(operator_secret(&l.relay), secret);
    assert_eq!(endpoints(&l), live_endpoints);

    // With the admin credential on the second line it is replaced, and
    // payments still arrive.
    let admin = l.relay.admin.clone().expect("the inbox's admin credential");
    let out = l.run(&set, &[], &format!("{}\n{admin}\n", l.relay.token));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_ne!(operator_secret(&l.relay), secret);
    assert_eq!(endpoints(&l), live_endpoints);
    let number = l.issue("80");
    let (_, _, url) = l.link(&number, &[]);
    assert_eq!(l.pay(&url, "card", json!({})).0, 200);
    l.sync_until(&number, "paid");
}

#[test]
fn a_test_mode_event_is_rejected_by_live_books() {
    let l = Loop::start();
    let number = l.issue("300");
    let (_, _, url) = l.link(&number, &[]);
    assert_eq!(l.pay(&url, "card", json!({})).0, 200);
    l.real_completed_event();
    // The user switched to live: an old test link's payment is no money.
    let live = [(
        "ACQUIT_STRIPE_KEY",
        "sk_live_51LoopTestKeyForTheFakeOnly4242",
    )];
    let out = l.run(&["sync", "--source", "relay", "--json"], &live, "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["applied"], 0, "{report:#}");
    assert!(report["rejected"].as_u64().unwrap() >= 1, "{report:#}");
    assert!(
        text(&out.stderr).contains("test-mode event"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(l.invoice(&number)["status"], "issued");
    assert_eq!(l.invoice(&number)["payments"], json!([]));
}

#[test]
fn a_payment_waits_while_stripe_is_unreachable_then_is_confirmed() {
    let l = Loop::start();
    let number = l.issue("640");
    let (_, _, url) = l.link(&number, &[]);
    assert_eq!(l.pay(&url, "card", json!({})).0, 200);
    l.real_completed_event();
    // Stripe cannot be reached (nothing listens there).
    let down = [("ACQUIT_STRIPE_API_BASE", "http://127.0.0.1:9")];
    let out = l.run(&["sync", "--json"], &down, "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["applied"], 0, "{report:#}");
    assert!(report["unconfirmed"].as_u64().unwrap() >= 1, "{report:#}");
    assert_eq!(l.invoice(&number)["status"], "issued");
    assert!(
        text(&out.stderr).contains("wait for Stripe's confirmation"),
        "{}",
        text(&out.stderr)
    );
    // Back online: the next sync confirms it with Stripe and books it.
    let report = l.json(&["sync", "--json"]);
    assert_eq!(report["unconfirmed"], 0, "{report:#}");
    assert_eq!(l.invoice(&number)["status"], "paid");
}

#[test]
fn secrets_travel_only_over_https_or_on_this_machine() {
    let l = Loop::start();
    // A relay URL in clear to another machine: refused, nothing changed.
    let out = l.run(
        &[
            "relay",
            "set",
            "--url",
            "http://relay.example.org",
            "--inbox",
            &l.relay.inbox,
        ],
        &[],
        &l.relay.token,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("is not https"),
        "{}",
        text(&out.stderr)
    );
    let status = l.json(&["relay", "status", "--json"]);
    assert_eq!(status["url"], l.relay.base.as_str(), "{status:#}");

    // A live key is never sent to another API base than Stripe's.
    let live = [
        (
            "ACQUIT_STRIPE_KEY",
            "sk_live_51LoopTestKeyForTheFakeOnly4242",
        ),
        ("ACQUIT_STRIPE_API_BASE", "https://stripe-proxy.example.org"),
    ];
    let out = l.run(&["sync", "--source", "stripe"], &live, "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("unset ACQUIT_STRIPE_API_BASE"),
        "{}",
        text(&out.stderr)
    );
}
