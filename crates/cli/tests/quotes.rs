//! Quotes through the real `acquit` binary: issued in their own series,
//! printed as a devis (validity, "Bon pour accord", no payment section),
//! accepted by hand, then a 30 % deposit and the balance invoice adding up
//! to the quote exactly; a declined and an expired quote refused.

mod common;

use common::Acquit;
use serde_json::Value;

/// A SASU, client 1, and a quote of two lines at two VAT rates issued on
/// 2026-11-02 (valid 30 days): its number.
fn issued_quote(acquit: &Acquit, valid_until: Option<&str>) -> String {
    let mut new = vec!["quote", "new", "--client", "1"];
    if let Some(until) = valid_until {
        new.extend(["--valid-until", until]);
    }
    let id = acquit.ok(&new).trim().to_owned();
    acquit.ok(&[
        "quote",
        "add-line",
        &id,
        "--desc",
        "Site vitrine (5 pages)",
        "--qty",
        "1",
        "--unit-price",
        "2400",
        "--unit",
        "lump-sum",
    ]);
    acquit.ok(&[
        "quote",
        "add-line",
        &id,
        "--desc",
        "Formation",
        "--qty",
        "3",
        "--unit",
        "hour",
        "--unit-price",
        "111,11",
        "--vat",
        "5.5",
    ]);
    acquit
        .ok(&["quote", "issue", &id, "--date", "2026-11-02"])
        .trim()
        .to_owned()
}

fn books() -> Acquit {
    let acquit = Acquit::new();
    common::sasu_company(&acquit, "Studio Nova", "liberal-services");
    common::lumiere_client(&acquit);
    acquit
}

fn cents(v: &Value) -> i64 {
    let text = v.as_str().unwrap_or_else(|| panic!("not an amount: {v}"));
    let (units, decimals) = text.split_once('.').unwrap();
    units.parse::<i64>().unwrap() * 100 + decimals.parse::<i64>().unwrap()
}

#[test]
fn an_accepted_quote_becomes_a_deposit_then_a_balance_adding_up_to_it() {
    let acquit = books();
    let number = issued_quote(&acquit, None);
    assert_eq!(number, "D-2026-0001");
    let quote = acquit.json(&["quote", "show", &number, "--json"]);
    assert_eq!(quote["valid_until"], "2026-12-02");
    assert_eq!(quote["total"], "3231.66");
    // Locked once issued.
    let refused = acquit.fails(
        1,
        &[
            "quote",
            "add-line",
            &number,
            "--desc",
            "x",
            "--qty",
            "1",
            "--unit-price",
            "1",
        ],
    );
    assert!(refused.contains("issued and locked"), "{refused}");

    // The devis as the client reads it.
    let pdf = acquit.dir.path().join("devis.pdf");
    acquit.ok(&["quote", "pdf", &number, "--out", pdf.to_str().unwrap()]);
    let text = common::pdf_text(&pdf);
    for mention in [
        "DEVIS",
        "D-2026-0001",
        "Valable jusqu’au : 02/12/2026",
        "Bon pour accord",
        "Devis reçu avant l’exécution des travaux.",
        "3 231,66",
    ] {
        assert!(text.contains(mention), "{mention:?} missing in:\n{text}");
    }
    // Nothing is due on a quote: no payment section, no due date.
    for absent in [
        "IBAN",
        "Date d’échéance",
        "Reste à payer",
        "Paiement à effectuer",
    ] {
        assert!(
            !text.contains(absent),
            "{absent:?} printed on a quote:\n{text}"
        );
    }

    // Not invoiced before the client said yes; then accepted by hand.
    let early = acquit.fails(1, &["quote", "invoice", &number]);
    assert!(early.contains("only an accepted quote"), "{early}");
    acquit.ok(&[
        "quote",
        "accept",
        &number,
        "--by",
        "Léa Martin",
        "--date",
        "2026-11-20",
    ]);
    let quote = acquit.json(&["quote", "show", &number, "--json"]);
    assert_eq!(quote["status"], "accepted");
    assert_eq!(quote["decision"]["by"], "Léa Martin");
    assert_eq!(quote["decision"]["on"], "2026-11-20");
    let again = acquit.fails(1, &["quote", "decline", &number, "--by", "Léa Martin"]);
    assert!(again.contains("already accepted"), "{again}");

    // 30 % deposit: one line per rate, rounded per rate.
    let made = acquit.json(&["quote", "invoice", &number, "--deposit", "30%", "--json"]);
    assert_eq!(made["kind"], "deposit");
    assert_eq!(made["total"], "969.50");
    let draft = made["draft"].as_i64().unwrap().to_string();
    let deposit = acquit
        .ok(&["invoice", "issue", &draft, "--date", "2026-11-21"])
        .trim()
        .to_owned();
    let made = acquit.json(&["quote", "invoice", &number, "--json"]);
    assert_eq!(made["kind"], "balance");
    let draft = made["draft"].as_i64().unwrap().to_string();
    let balance = acquit
        .ok(&["invoice", "issue", &draft, "--date", "2026-12-01"])
        .trim()
        .to_owned();
    let deposit_json = acquit.json(&["invoice", "show", &deposit, "--json"]);
    let balance_json = acquit.json(&["invoice", "show", &balance, "--json"]);
    assert_eq!(
        cents(&deposit_json["total"]) + cents(&balance_json["total"]),
        323_166,
        "deposit {} + balance {} = the quote",
        deposit_json["total"],
        balance_json["total"]
    );
    assert_eq!(cents(&balance_json["total"]), 226_216);
    // The balance invoice names the quote.
    let invoice_pdf = acquit.dir.path().join("solde.pdf");
    acquit.ok(&[
        "invoice",
        "pdf",
        &balance,
        "--out",
        invoice_pdf.to_str().unwrap(),
    ]);
    let text = common::pdf_text(&invoice_pdf);
    assert!(text.contains("Devis n° : D-2026-0001"), "{text}");

    let listed = acquit.json(&["quote", "list", "--json"]);
    assert_eq!(listed[0]["invoiced"], serde_json::json!([deposit, balance]));
    let more = acquit.fails(1, &["quote", "invoice", &number]);
    assert!(more.contains("invoiced in full"), "{more}");
}

#[test]
fn declined_and_expired_quotes_are_not_invoiced() {
    let acquit = books();
    let declined = issued_quote(&acquit, None);
    acquit.ok(&[
        "quote",
        "decline",
        &declined,
        "--by",
        "Léa Martin",
        "--date",
        "2026-11-05",
        "--comment",
        "Trop cher",
    ]);
    let shown = acquit.json(&["quote", "show", &declined, "--json"]);
    assert_eq!(shown["status"], "declined");
    assert_eq!(shown["decision"]["comment"], "Trop cher");
    let refused = acquit.fails(1, &["quote", "invoice", &declined]);
    assert!(refused.contains("is declined"), "{refused}");

    // Valid until 2026-11-10: today it is expired, and so refused.
    let expired = issued_quote(&acquit, Some("2026-11-10"));
    assert_eq!(expired, "D-2026-0002");
    let listed = acquit.json(&["quote", "list", "--status", "expired", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["number"], expired.as_str());
    let late = acquit.fails(1, &["quote", "accept", &expired, "--by", "Léa Martin"]);
    assert!(late.contains("valid until 2026-11-10"), "{late}");
    // Accepted on a day within its validity, it is accepted.
    acquit.ok(&[
        "quote",
        "accept",
        &expired,
        "--by",
        "Léa Martin",
        "--date",
        "2026-11-10",
    ]);
    assert_eq!(
        acquit.json(&["quote", "show", &expired, "--json"])["status"],
        "accepted"
    );

    let bad = acquit.fails(1, &["quote", "invoice", &expired, "--deposit", "100%"]);
    assert!(bad.contains("less than 100"), "{bad}");
    let status = acquit.fails(1, &["quote", "list", "--status", "signed"]);
    assert!(status.contains("not a quote status"), "{status}");
}
