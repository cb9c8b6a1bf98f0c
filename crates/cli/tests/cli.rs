//! The real `acquit` binary on a database in a temp dir, scenario by
//! scenario. Exit codes and `--json` shapes are a contract (INTERFACES in
//! the brief): 0 ok, 1 rejected input with nothing changed, 2 usage.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

mod common;
use common::{Acquit, text};

impl Acquit {
    /// Everything a user can see, to check that a refused command changed
    /// nothing.
    fn everything(&self) -> Value {
        json!({
            "company": self.json(&["company", "show", "--json"]),
            "clients": self.json(&["client", "list", "--json"]),
            "invoices": self.json(&["invoice", "list", "--json"]),
        })
    }

    /// A company, a client (id 1), issued invoice F-2026-0001 (id 1, one
    /// line of 2.5 × 450 € at 20 % with 10 % off) and an empty draft (id 2).
    fn with_an_invoice_and_an_empty_draft() -> Acquit {
        let acquit = Acquit::new();
        acquit.ok(&["init"]);
        acquit.ok(&company());
        assert_eq!(
            acquit.ok(&["client", "add", "--name", "Boulangerie Martin"]),
            "1\n"
        );
        assert_eq!(acquit.ok(&["invoice", "new", "--client", "1"]), "1\n");
        acquit.ok(&consulting_line("1"));
        assert_eq!(
            acquit.ok(&["invoice", "issue", "1", "--date", "2026-11-23"]),
            "F-2026-0001\n"
        );
        assert_eq!(acquit.ok(&["invoice", "new", "--client", "1"]), "2\n");
        acquit
    }
}

fn company() -> [&'static str; 10] {
    [
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
    ]
}

/// 2.5 days at 450 € with 10 % off: 1012.50 € net, 202.50 € VAT at 20 %.
fn consulting_line(draft: &str) -> Vec<&str> {
    vec![
        "invoice",
        "add-line",
        draft,
        "--desc",
        "Conseil en organisation",
        "--qty",
        "2.5",
        "--unit-price",
        "450",
        "--vat",
        "20%",
        "--discount",
        "10%",
    ]
}

#[test]
fn init_creates_the_database_once_and_prints_its_path() {
    let acquit = Acquit::new();
    let path = acquit.db.display().to_string();
    assert_eq!(acquit.ok(&["init"]), format!("{path}\n"));
    assert!(acquit.db.is_file());
    assert_eq!(
        acquit.ok(&["init"]),
        format!("{path}\n"),
        "init is idempotent"
    );

    // --db wins over ACQUIT_DB.
    let other = acquit.dir.path().join("other.db");
    let other_path = other.to_str().unwrap();
    assert_eq!(
        acquit.ok(&["--db", other_path, "init"]),
        format!("{other_path}\n")
    );
    assert!(other.is_file());
}

#[test]
fn issuing_numbers_invoices_in_order() {
    let acquit = Acquit::with_an_invoice_and_an_empty_draft();
    acquit.ok(&consulting_line("2"));
    assert_eq!(
        acquit.ok(&["invoice", "issue", "2", "--date", "2026-11-23"]),
        "F-2026-0002\n"
    );
}

#[test]
fn invoice_show_json_has_the_contract_fields_with_exact_amounts() {
    let acquit = Acquit::with_an_invoice_and_an_empty_draft();
    let invoice = acquit.json(&["invoice", "show", "F-2026-0001", "--json"]);
    for (field, expected) in [
        ("id", json!(1)),
        ("number", json!("F-2026-0001")),
        ("kind", json!("standard")),
        ("status", json!("issued")),
        ("client", json!("Boulangerie Martin")),
        ("currency", json!("EUR")),
        ("issue_date", json!("2026-11-23")),
        ("sale_date", json!("2026-11-23")),
        // 30 days, the default payment terms.
        ("due_date", json!("2026-12-23")),
        ("net", json!("1012.50")),
        (
            "vat",
            json!([{ "rate": "20", "base": "1012.50", "vat": "202.50" }]),
        ),
        ("total", json!("1215.00")),
        ("amount_due", json!("1215.00")),
        ("payments", json!([])),
    ] {
        assert_eq!(invoice[field], expected, "{field} in {invoice:#}");
    }
    let line = &invoice["lines"][0];
    assert_eq!(line["description"], "Conseil en organisation");
    assert_eq!(line["quantity"], "2.5");
    assert_eq!(line["unit_price"], "450.00");
    assert_eq!(line["vat_rate"], "20");
    assert_eq!(line["discount"], "112.50");
    assert_eq!(line["net"], "1012.50");

    // The same invoice by its id; a draft by its id has no number yet.
    assert_eq!(acquit.json(&["invoice", "show", "1", "--json"]), invoice);
    let draft = acquit.json(&["invoice", "show", "2", "--json"]);
    assert_eq!(draft["number"], Value::Null);
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["total"], "0.00");
    assert_eq!(draft["lines"], json!([]));
}

#[test]
fn invoice_list_filters_by_status() {
    let acquit = Acquit::with_an_invoice_and_an_empty_draft();
    let issued = acquit.json(&["invoice", "list", "--status", "issued", "--json"]);
    assert_eq!(
        issued,
        json!([{
            "id": 1,
            "number": "F-2026-0001",
            "kind": "standard",
            "status": "issued",
            "client": "Boulangerie Martin",
            "currency": "EUR",
            "issue_date": "2026-11-23",
            "due_date": "2026-12-23",
            "total": "1215.00",
            "amount_due": "1215.00",
            "payments": [],
        }])
    );
    let drafts = acquit.json(&["invoice", "list", "--status", "draft", "--json"]);
    assert_eq!(drafts.as_array().unwrap().len(), 1);
    assert_eq!(drafts[0]["id"], 2);
    assert_eq!(drafts[0]["number"], Value::Null);
    assert_eq!(
        acquit.json(&["invoice", "list", "--status", "paid", "--json"]),
        json!([])
    );

    // People get a table with French amounts.
    let table = acquit.ok(&["invoice", "list"]);
    assert!(table.contains("F-2026-0001"), "{table}");
    assert!(table.contains("1\u{202f}215,00\u{a0}€"), "{table}");
    assert!(table.contains("draft 2"), "{table}");
}

#[test]
fn company_set_derives_the_vat_number_and_the_franchise_charges_none() {
    let acquit = Acquit::new();
    acquit.ok(&company());
    let profile = acquit.json(&["company", "show", "--json"]);
    assert_eq!(profile["vat"], "FR44732829320");
    assert_eq!(profile["address"], "12 rue des Lilas\n75011 Paris");
    assert_eq!(profile["iban"], "FR7630006000011234567890189");
    assert_eq!(profile["vat_franchise"], false);
    assert_eq!(profile["late_penalty"], "10");
    assert_eq!(profile["payment_terms"], 30);

    acquit.ok(&[
        "company",
        "set",
        "--name",
        "Zoé Martin EI",
        "--siren",
        "732829320",
        "--street",
        "2 place Bellecour",
        "--postcode",
        "69002",
        "--city",
        "Lyon",
        "--vat-franchise",
        "--payment-terms",
        "45",
    ]);
    let profile = acquit.json(&["company", "show", "--json"]);
    assert_eq!(profile["vat"], Value::Null);
    assert_eq!(profile["vat_franchise"], true);
    assert_eq!(profile["payment_terms"], 45);

    acquit.ok(&["client", "add", "--name", "Client", "--lang", "en"]);
    acquit.ok(&["invoice", "new", "--client", "1"]);
    acquit.ok(&[
        "invoice",
        "add-line",
        "1",
        "--desc",
        "Logo",
        "--qty",
        "1",
        "--unit-price",
        "300",
    ]);
    let draft = acquit.json(&["invoice", "show", "1", "--json"]);
    assert_eq!(
        draft["lines"][0]["vat_rate"], "0",
        "the franchise's default"
    );
    assert_eq!(draft["total"], "300.00");
}

#[test]
fn client_add_prints_the_id_and_list_shows_the_client() {
    let acquit = Acquit::new();
    assert_eq!(
        acquit.ok(&[
            "client",
            "add",
            "--name",
            "Boulangerie Martin",
            "--email",
            "compta@martin.fr",
            "--phone",
            "06 12 34 56 78",
            "--siren",
            "552 100 554",
        ]),
        "1\n"
    );
    assert_eq!(acquit.ok(&["client", "add", "--name", "Zoé"]), "2\n");
    let clients = acquit.json(&["client", "list", "--json"]);
    assert_eq!(clients[0]["name"], "Boulangerie Martin");
    assert_eq!(clients[0]["phone"], "+33612345678");
    assert_eq!(clients[0]["siren"], "552100554");
    assert_eq!(clients[0]["business"], true);
    assert_eq!(clients[1]["business"], false);
    assert_eq!(clients[1]["lang"], "fr");
    assert_eq!(clients[1]["vat_exemption"], "none");
}

#[test]
fn a_client_can_be_invoiced_without_french_vat_for_a_stated_reason() {
    let acquit = Acquit::new();
    let needs_vat = acquit.fails(
        1,
        &[
            "client",
            "add",
            "--name",
            "Berlin Studio GmbH",
            "--vat-exemption",
            "reverse-charge",
        ],
    );
    assert!(
        needs_vat.contains("add the client's VAT number"),
        "{needs_vat}"
    );
    let unknown = acquit.fails(
        2,
        &[
            "client",
            "add",
            "--name",
            "X",
            "--vat-exemption",
            "tax-free",
        ],
    );
    assert!(
        unknown.contains("use one of none, reverse-charge"),
        "{unknown}"
    );
    assert_eq!(
        acquit.ok(&[
            "client",
            "add",
            "--name",
            "Berlin Studio GmbH",
            "--vat",
            "DE 136 695 976",
            "--vat-exemption",
            "reverse-charge",
        ]),
        "1\n"
    );
    let clients = acquit.json(&["client", "list", "--json"]);
    assert_eq!(
        clients.as_array().map(Vec::len),
        Some(1),
        "the refused ones were not added"
    );
    assert_eq!(clients[0]["vat_exemption"], "reverse-charge");

    // Edited: only what is given changes; clearing the VAT number of a
    // reverse-charge client is refused and changes nothing.
    let refused = acquit.fails(1, &["client", "edit", "1", "--vat", ""]);
    assert!(refused.contains("add the client's VAT number"), "{refused}");
    assert_eq!(
        acquit.ok(&[
            "client",
            "edit",
            "1",
            "--email",
            "ap@berlin-studio.example",
            "--vat-exemption",
            "none",
            "--vat",
            ""
        ]),
        ""
    );
    let clients = acquit.json(&["client", "list", "--json"]);
    assert_eq!(clients[0]["name"], "Berlin Studio GmbH");
    assert_eq!(clients[0]["email"], "ap@berlin-studio.example");
    assert_eq!(clients[0]["vat"], serde_json::Value::Null);
    assert_eq!(clients[0]["vat_exemption"], "none");
    let missing = acquit.fails(1, &["client", "edit", "7", "--name", "X"]);
    assert!(missing.contains('7'), "{missing}");
}

#[test]
fn bad_input_is_refused_with_what_to_do_and_changes_nothing() {
    let acquit = Acquit::with_an_invoice_and_an_empty_draft();
    assert_eq!(acquit.ok(&["invoice", "new", "--client", "1"]), "3\n");
    acquit.ok(&consulting_line("3"));
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "invoice",
                "add-line",
                "2",
                "--desc",
                "x",
                "--qty",
                "1",
                "--unit-price",
                "12,34,5",
            ],
            "\"12,34,5\" is not an amount: it has more than one decimal separator",
        ),
        (
            &["invoice", "new", "--client", "1", "--currency", "EUROS"],
            "\"EUROS\" is not a currency",
        ),
        (
            &[
                "company",
                "set",
                "--name",
                "X",
                "--address",
                "1 rue Y, 75001 Paris",
                "--iban",
                "FR7630006000011234567890188",
            ],
            "fails its checksum",
        ),
        (
            &[
                "company",
                "set",
                "--name",
                "X",
                "--address",
                "1 rue Y, 75001 Paris",
                "--siren",
                "123456789",
            ],
            "The SIREN 123 456 789 fails its checksum",
        ),
        (
            &["client", "add", "--name", "X", "--siren", "123456789"],
            "The SIREN 123 456 789 fails its checksum",
        ),
        (
            &[
                "invoice",
                "add-line",
                "2",
                "--desc",
                "x",
                "--qty",
                "-1",
                "--unit-price",
                "12",
            ],
            "\"-1\" is negative",
        ),
        (
            &["invoice", "issue", "2", "--date", "2026-11-23"],
            "draft 2 has no lines: add one",
        ),
        (
            // The draft that became F-2026-0001.
            &consulting_line("1"),
            "F-2026-0001 is issued and locked: to correct it, issue a credit note",
        ),
        (
            &["invoice", "new", "--client", "1", "--due", "23/12/2026"],
            "--due \"23/12/2026\" is not a date: write it as YYYY-MM-DD",
        ),
        (&["invoice", "new", "--client", "7"], "there is no client 7"),
        (
            &[
                "client",
                "add",
                "--name",
                "X",
                "--street",
                "1 Main St",
                "--country",
                "UK",
            ],
            "--country: \"UK\" is not an ISO 3166-1 country code",
        ),
        (
            &[
                "company",
                "set",
                "--name",
                "X",
                "--address",
                "1 rue Y, 75001 Paris",
            ],
            "a French business's invoices carry its SIREN: give --siren",
        ),
        (
            &[
                "invoice",
                "add-line",
                "2",
                "--desc",
                "x",
                "--qty",
                "1",
                "--unit-price",
                "12",
                "--unit",
                "parsec",
            ],
            "\"parsec\" is not a unit Acquit knows: use one of hour, day, month",
        ),
        (
            // F-2026-0001 is dated 2026-11-23.
            &["invoice", "issue", "3", "--date", "2026-11-22"],
            "numbers follow dates",
        ),
    ];
    let before = acquit.everything();
    for (args, expected) in cases {
        let stderr = acquit.fails(1, args);
        assert!(
            stderr.starts_with("acquit: ") && stderr.contains(expected),
            "acquit {args:?}: expected {expected:?} in {stderr:?}"
        );
        assert!(stderr.lines().count() <= 2, "{stderr}");
        assert_eq!(acquit.everything(), before, "acquit {args:?} changed data");
    }
}

#[test]
fn a_text_file_is_not_a_database_and_is_left_alone() {
    let acquit = Acquit::new();
    let notes = acquit.dir.path().join("notes.txt");
    std::fs::write(&notes, "Rendez-vous mardi 10 h\n").unwrap();
    let path = notes.to_str().unwrap();
    for args in [
        &["--db", path, "init"][..],
        &["--db", path, "client", "list"],
    ] {
        let stderr = acquit.fails(1, args);
        assert!(stderr.contains("is not an Acquit database"), "{stderr}");
    }
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "Rendez-vous mardi 10 h\n"
    );
    assert!(!Path::new(&format!("{path}-wal")).exists());
    assert!(!Path::new(&format!("{path}-journal")).exists());
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let acquit = Acquit::new();
    let stderr = acquit.fails(2, &["frobnicate"]);
    assert!(stderr.contains("frobnicate"), "{stderr}");
    let stderr = acquit.fails(2, &["client", "add", "--email", "a@b.fr"]);
    assert!(stderr.contains("--name"), "{stderr}");
    let stderr = acquit.fails(2, &["invoice", "list", "--status", "unpaid"]);
    assert!(stderr.contains("partially-paid"), "{stderr}");
    acquit.fails(2, &[]);

    let help = acquit.ok(&["--help"]);
    assert!(help.contains("Usage: acquit"), "{help}");
    assert!(
        acquit
            .ok(&["invoice", "add-line", "--help"])
            .contains("--unit-price")
    );
    assert!(acquit.ok(&["--version"]).starts_with("acquit "));
    assert!(
        !acquit.db.exists(),
        "usage errors and help open no database"
    );
}

/// A decimal string of the JSON output (`"-1215.00"`) in cents.
fn cents(value: &Value) -> i64 {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"));
    let (units, decimals) = text.split_once('.').expect("two decimals");
    assert_eq!(decimals.len(), 2, "{text}");
    let magnitude = units.trim_start_matches('-').parse::<i64>().unwrap() * 100
        + decimals.parse::<i64>().unwrap();
    if text.starts_with('-') {
        -magnitude
    } else {
        magnitude
    }
}

/// The statuses in `invoice list --json`.
fn statuses(acquit: &Acquit) -> std::collections::BTreeSet<String> {
    acquit
        .json(&["invoice", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap().to_owned())
        .collect()
}

/// Files in the test's folder whose name contains `part`.
fn files_named(acquit: &Acquit, part: &str) -> Vec<String> {
    std::fs::read_dir(acquit.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains(part))
        .collect()
}

#[test]
fn demo_fills_an_empty_database_whose_journal_verifies() {
    let acquit = Acquit::new();
    let summary = acquit.ok(&["demo"]);
    assert!(summary.contains("5 clients"), "{summary}");
    assert!(
        summary.contains("F-2026-0001") || summary.contains("F-20"),
        "{summary}"
    );
    assert!(summary.contains("2 drafts"), "{summary}");

    let verified = acquit.ok(&["journal", "verify"]);
    assert!(
        verified.starts_with("journal intact: ") && verified.ends_with(" entries\n"),
        "{verified}"
    );
    let statuses = statuses(&acquit);
    for expected in ["paid", "partially-paid", "cancelled", "draft", "issued"] {
        assert!(statuses.contains(expected), "no {expected} in {statuses:?}");
    }
    // A paid invoice lists its payments, which add up to its total.
    let invoices = acquit.json(&["invoice", "list", "--status", "paid", "--json"]);
    for invoice in invoices.as_array().unwrap() {
        let paid: i64 = invoice["payments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| cents(&p["amount"]))
            .sum();
        assert_eq!(paid, cents(&invoice["total"]), "{invoice:#}");
    }

    // Only into an empty database.
    let before = acquit.everything();
    let stderr = acquit.fails(1, &["demo"]);
    assert!(stderr.contains("only fills an empty database"), "{stderr}");
    assert_eq!(acquit.everything(), before);

    // A company alone is not empty: the demo would replace it.
    let other = Acquit::new();
    other.ok(&company());
    let stderr = other.fails(1, &["demo"]);
    assert!(stderr.contains("only fills an empty database"), "{stderr}");
    assert_eq!(
        other.json(&["company", "show", "--json"])["name"],
        "Atelier Durand"
    );
}

#[test]
fn payments_move_an_invoice_to_partially_paid_then_paid() {
    let acquit = Acquit::with_an_invoice_and_an_empty_draft();
    assert_eq!(
        acquit.ok(&[
            "payment",
            "add",
            "F-2026-0001",
            "--amount",
            "500",
            "--method",
            "transfer",
            "--date",
            "2026-11-25",
            "--reference",
            "VIR 2026-118",
        ]),
        "1\n"
    );
    let invoice = acquit.json(&["invoice", "show", "F-2026-0001", "--json"]);
    assert_eq!(invoice["status"], "partially-paid");
    assert_eq!(invoice["amount_due"], "715.00");
    assert_eq!(
        invoice["payments"],
        json!([{
            "id": 1,
            "date": "2026-11-25",
            "kind": "payment",
            "method": "transfer",
            "amount": "500.00",
            "fee": null,
            "net": "500.00",
            "reference": "VIR 2026-118",
        }])
    );

    // Refused, changing nothing: more than what is due, Stripe by hand, a
    // zero or malformed amount, a draft.
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "payment",
                "add",
                "F-2026-0001",
                "--amount",
                "715.01",
                "--method",
                "cash",
            ],
            "715.01 is more than the 715.00 still due on F-2026-0001: record at most what is due",
        ),
        (
            &[
                "payment",
                "add",
                "F-2026-0001",
                "--amount",
                "10",
                "--method",
                "stripe",
            ],
            "Stripe payments are recorded by `acquit sync`",
        ),
        (
            &[
                "payment",
                "add",
                "F-2026-0001",
                "--amount",
                "0",
                "--method",
                "cash",
            ],
            "--amount \"0\" is not more than zero",
        ),
        (
            &[
                "payment",
                "add",
                "F-2026-0001",
                "--amount",
                "1,2,3",
                "--method",
                "cash",
            ],
            "more than one decimal separator",
        ),
        (
            &[
                "payment",
                "add",
                "F-2026-0001",
                "--amount",
                "10.001",
                "--method",
                "cash",
            ],
            "too many decimals",
        ),
        (
            &["payment", "add", "2", "--amount", "10", "--method", "cash"],
            "there is no invoice 2",
        ),
        (
            &[
                "payment",
                "add",
                "F-2026-0001",
                "--amount",
                "10",
                "--method",
                "cash",
                "--date",
                "25/11/2026",
            ],
            "--date \"25/11/2026\" is not a date",
        ),
        (&["payment", "reverse", "7"], "there is no payment 7"),
        (
            &["payment", "reverse", "F-2026-0001"],
            "is not a payment id",
        ),
    ];
    let before = acquit.everything();
    for (args, expected) in cases {
        let stderr = acquit.fails(1, args);
        assert!(
            stderr.starts_with("acquit: ") && stderr.contains(expected),
            "acquit {args:?}: expected {expected:?} in {stderr:?}"
        );
        assert_eq!(acquit.everything(), before, "acquit {args:?} changed data");
    }
    // An unknown method is a usage error, like an unknown status.
    let stderr = acquit.fails(
        2,
        &[
            "payment",
            "add",
            "F-2026-0001",
            "--amount",
            "1",
            "--method",
            "bitcoin",
        ],
    );
    assert!(stderr.contains("card-terminal"), "{stderr}");

    assert_eq!(
        acquit.ok(&[
            "payment",
            "add",
            "F-2026-0001",
            "--amount",
            "715,00 €",
            "--method",
            "cheque",
            "--date",
            "2026-11-26",
        ]),
        "2\n"
    );
    let invoice = acquit.json(&["invoice", "show", "F-2026-0001", "--json"]);
    assert_eq!(invoice["status"], "paid");
    assert_eq!(invoice["amount_due"], "0.00");
    let listed = acquit.json(&["invoice", "list", "--status", "paid", "--json"]);
    assert_eq!(listed[0]["payments"], invoice["payments"], "list = show");
    let stderr = acquit.fails(
        1,
        &[
            "payment",
            "add",
            "F-2026-0001",
            "--amount",
            "0.01",
            "--method",
            "cash",
        ],
    );
    assert!(stderr.contains("more than the 0.00 still due"), "{stderr}");

    // A bounced cheque: a counter-entry, and the invoice is due again.
    assert_eq!(
        acquit.ok(&[
            "payment",
            "reverse",
            "2",
            "--date",
            "2026-11-30",
            "--reason",
            "chèque sans provision",
        ]),
        "3\n"
    );
    let invoice = acquit.json(&["invoice", "show", "F-2026-0001", "--json"]);
    assert_eq!(invoice["status"], "partially-paid");
    assert_eq!(invoice["amount_due"], "715.00");
    let payments = acquit.json(&["payment", "list", "F-2026-0001", "--json"]);
    assert_eq!(payments[1]["reversed"], true);
    assert_eq!(payments[2]["kind"], "reversal");
    assert_eq!(payments[2]["amount"], "-715.00");
    assert_eq!(payments[2]["reverses"], 2);
    assert_eq!(payments[2]["reference"], "chèque sans provision");
    let stderr = acquit.fails(1, &["payment", "reverse", "2"]);
    assert!(
        stderr.contains("payment 2 was already reversed"),
        "{stderr}"
    );

    let table = acquit.ok(&["payment", "list", "F-2026-0001"]);
    assert!(
        table.contains("-715,00\u{a0}€") && table.contains("cancels 2"),
        "{table}"
    );
    assert!(table.contains("Amount due: 715,00\u{a0}€"), "{table}");
    assert_eq!(
        acquit.ok(&["journal", "verify"]),
        "journal intact: 4 entries\n"
    );
}

#[test]
fn a_full_credit_note_cancels_the_invoice() {
    let acquit = Acquit::with_an_invoice_and_an_empty_draft();
    assert_eq!(
        acquit.ok(&[
            "credit-note",
            "F-2026-0001",
            "--reason",
            "Prestation annulée",
            "--date",
            "2026-11-24",
        ]),
        "AV-2026-0001\n"
    );
    let invoice = acquit.json(&["invoice", "show", "F-2026-0001", "--json"]);
    assert_eq!(invoice["status"], "cancelled");
    assert_eq!(invoice["amount_due"], "0.00");
    assert_eq!(invoice["credit_notes"], json!(["AV-2026-0001"]));
    let credit = acquit.json(&["invoice", "show", "AV-2026-0001", "--json"]);
    assert_eq!(credit["kind"], "credit-note");
    assert_eq!(credit["credits"], "F-2026-0001");
    assert_eq!(credit["issue_date"], "2026-11-24");
    assert_eq!(credit["total"], "-1215.00");
    assert_eq!(cents(&invoice["total"]) + cents(&credit["total"]), 0);

    let before = acquit.everything();
    for (args, expected) in [
        (
            &["credit-note", "F-2026-0001", "--date", "2026-11-24"][..],
            "already has credit notes (AV-2026-0001)",
        ),
        (
            &["credit-note", "AV-2026-0001", "--date", "2026-11-24"],
            "AV-2026-0001 is a credit note",
        ),
        (
            &["credit-note", "F-2026-0009"],
            "there is no invoice F-2026-0009",
        ),
        (
            &[
                "payment",
                "add",
                "F-2026-0001",
                "--amount",
                "1",
                "--method",
                "cash",
            ],
            "more than the 0.00 still due",
        ),
    ] {
        let stderr = acquit.fails(1, args);
        assert!(stderr.contains(expected), "acquit {args:?}: {stderr}");
        assert_eq!(acquit.everything(), before, "acquit {args:?} changed data");
    }
    assert_eq!(
        acquit.ok(&["journal", "verify"]),
        "journal intact: 2 entries\n"
    );
}

#[test]
fn partial_credit_notes_are_at_most_what_remains() {
    let acquit = Acquit::with_an_invoice_and_an_empty_draft();
    assert_eq!(
        acquit.ok(&[
            "credit-note",
            "F-2026-0001",
            "--amount",
            "1000",
            "--date",
            "2026-11-24"
        ]),
        "AV-2026-0001\n"
    );
    let invoice = acquit.json(&["invoice", "show", "F-2026-0001", "--json"]);
    assert_eq!(invoice["status"], "issued");
    assert_eq!(invoice["amount_due"], "215.00");
    assert_eq!(
        acquit.json(&["invoice", "show", "AV-2026-0001", "--json"])["total"],
        "-1000.00"
    );

    let before = acquit.everything();
    for (amount, expected) in [
        ("215.01", "at most 215.00 EUR"),
        ("0", "--amount \"0\" is not more than zero"),
        ("-5", "--amount \"-5\" is not more than zero"),
        ("12 $", "is in $, but this amount is in EUR"),
    ] {
        let stderr = acquit.fails(
            1,
            &[
                "credit-note",
                "F-2026-0001",
                "--amount",
                amount,
                "--date",
                "2026-11-24",
            ],
        );
        assert!(stderr.contains(expected), "{amount}: {stderr}");
        assert_eq!(
            acquit.everything(),
            before,
            "--amount {amount} changed data"
        );
    }
    assert_eq!(
        acquit.ok(&[
            "credit-note",
            "F-2026-0001",
            "--amount",
            "215",
            "--date",
            "2026-11-24"
        ]),
        "AV-2026-0002\n"
    );
    assert_eq!(
        acquit.json(&["invoice", "show", "F-2026-0001", "--json"])["status"],
        "cancelled"
    );
}

#[test]
fn the_ledger_and_its_csv_export() {
    let acquit = Acquit::with_an_invoice_and_an_empty_draft();
    // A client whose name needs quoting in CSV.
    assert_eq!(
        acquit.ok(&["client", "add", "--name", "Martin, \"Fils\" & Cie"]),
        "2\n"
    );
    assert_eq!(acquit.ok(&["invoice", "new", "--client", "2"]), "3\n");
    acquit.ok(&consulting_line("3"));
    assert_eq!(
        acquit.ok(&["invoice", "issue", "3", "--date", "2026-11-23"]),
        "F-2026-0002\n"
    );
    let pay = |number: &str, amount: &str, method: &str, date: &str, reference: Option<&str>| {
        let mut args = vec![
            "payment", "add", number, "--amount", amount, "--method", method, "--date", date,
        ];
        if let Some(reference) = reference {
            args.extend(["--reference", reference]);
        }
        acquit.ok(&args)
    };
    pay(
        "F-2026-0001",
        "500",
        "transfer",
        "2026-11-25",
        Some("VIR 2026-118"),
    );
    pay("F-2026-0002", "100,50", "cash", "2026-11-24", None);
    pay(
        "F-2026-0001",
        "715",
        "cheque",
        "2026-11-26",
        Some("Chèque n° 12, Banque \"Populaire\""),
    );
    pay("F-2026-0002", "14.50", "card-terminal", "2026-11-26", None);
    acquit.ok(&[
        "payment",
        "reverse",
        "3",
        "--date",
        "2026-11-28",
        "--reason",
        "impayé",
    ]);

    let csv = acquit.dir.path().join("ledger.csv");
    let csv_arg = csv.to_str().unwrap();
    std::fs::write(&csv, "an older export").unwrap();
    assert_eq!(acquit.ok(&["ledger", "export", "--csv", csv_arg]), "5\n");
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "date,invoice,client,kind,method,amount,currency,fee,net,reference\r\n\
         2026-11-24,F-2026-0002,\"Martin, \"\"Fils\"\" & Cie\",payment,cash,100.50,EUR,,100.50,\r\n\
         2026-11-25,F-2026-0001,Boulangerie Martin,payment,transfer,500.00,EUR,,500.00,VIR 2026-118\r\n\
         2026-11-26,F-2026-0001,Boulangerie Martin,payment,cheque,715.00,EUR,,715.00,\"Chèque n° 12, Banque \"\"Populaire\"\"\"\r\n\
         2026-11-26,F-2026-0002,\"Martin, \"\"Fils\"\" & Cie\",payment,card-terminal,14.50,EUR,,14.50,\r\n\
         2026-11-28,F-2026-0001,Boulangerie Martin,reversal,cheque,-715.00,EUR,,-715.00,impayé\r\n"
    );
    assert!(files_named(&acquit, ".tmp").is_empty(), "no temp file left");

    // A period.
    assert_eq!(
        acquit.ok(&[
            "ledger",
            "export",
            "--csv",
            csv_arg,
            "--from",
            "2026-11-25",
            "--to",
            "2026-11-26",
        ]),
        "3\n"
    );
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 4);
    let ledger = acquit.json(&["ledger", "--from", "2026-11-26", "--json"]);
    assert_eq!(
        ledger,
        json!([
            {
                "date": "2026-11-26",
                "invoice_number": "F-2026-0001",
                "client": "Boulangerie Martin",
                "kind": "payment",
                "method": "cheque",
                "amount": "715.00",
                "currency": "EUR",
                "fee": null,
                "net": "715.00",
                "reference": "Chèque n° 12, Banque \"Populaire\"",
                "payment_id": 3,
            },
            {
                "date": "2026-11-26",
                "invoice_number": "F-2026-0002",
                "client": "Martin, \"Fils\" & Cie",
                "kind": "payment",
                "method": "card-terminal",
                "amount": "14.50",
                "currency": "EUR",
                "fee": null,
                "net": "14.50",
                "reference": null,
                "payment_id": 4,
            },
            {
                "date": "2026-11-28",
                "invoice_number": "F-2026-0001",
                "client": "Boulangerie Martin",
                "kind": "reversal",
                "method": "cheque",
                "amount": "-715.00",
                "currency": "EUR",
                "fee": null,
                "net": "-715.00",
                "reference": "impayé",
                "payment_id": 5,
            },
        ])
    );
    let table = acquit.ok(&["ledger", "--to", "2026-11-25"]);
    assert!(
        table.contains("Total EUR: 600,50\u{a0}€ received"),
        "{table}"
    );

    // Refused before anything is written.
    let exported = std::fs::read_to_string(&csv).unwrap();
    let folder = acquit.dir.path().to_str().unwrap();
    let missing = acquit.dir.path().join("nowhere/ledger.csv");
    for (args, expected) in [
        (
            &[
                "ledger",
                "export",
                "--csv",
                csv_arg,
                "--from",
                "2026-12-01",
                "--to",
                "2026-11-01",
            ][..],
            "--from 2026-12-01 is after --to 2026-11-01",
        ),
        (&["ledger", "export", "--csv", folder], "is a folder"),
        (
            &["ledger", "export", "--csv", missing.to_str().unwrap()],
            "does not exist",
        ),
        (
            &["ledger", "--from", "1 nov"],
            "--from \"1 nov\" is not a date",
        ),
    ] {
        let stderr = acquit.fails(1, args);
        assert!(stderr.contains(expected), "acquit {args:?}: {stderr}");
    }
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), exported);
    acquit.fails(2, &["ledger", "export"]);
}

#[test]
fn backup_then_restore_brings_back_the_earlier_state() {
    let acquit = Acquit::with_an_invoice_and_an_empty_draft();
    acquit.ok(&[
        "payment",
        "add",
        "F-2026-0001",
        "--amount",
        "100",
        "--method",
        "cash",
        "--date",
        "2026-11-23",
    ]);
    let backup = acquit.ok(&["backup"]);
    let backup = PathBuf::from(backup.trim_end());
    assert_eq!(backup.parent().unwrap(), acquit.dir.path().join("backups"));
    assert!(backup.is_file());
    let before = acquit.everything();

    // Later work, to be undone.
    acquit.ok(&consulting_line("2"));
    acquit.ok(&["invoice", "issue", "2", "--date", "2026-11-24"]);
    acquit.ok(&[
        "payment",
        "add",
        "F-2026-0001",
        "--amount",
        "1115",
        "--method",
        "transfer",
        "--date",
        "2026-11-24",
    ]);
    let after = acquit.everything();
    assert_ne!(after, before);

    let said = acquit.ok(&["restore", backup.to_str().unwrap()]);
    assert!(said.starts_with("Restored "), "{said}");
    assert_eq!(acquit.everything(), before);
    assert_eq!(
        acquit.ok(&["journal", "verify"]),
        "journal intact: 2 entries\n"
    );

    // The state before the restore was saved aside, and says so.
    let safety = files_named(&acquit, "before-restore");
    assert_eq!(safety.len(), 1, "{safety:?}");
    assert!(said.contains(&safety[0]), "{said}");
    let safety = acquit.dir.path().join(&safety[0]);
    let saved = acquit.json(&[
        "--db",
        safety.to_str().unwrap(),
        "invoice",
        "list",
        "--json",
    ]);
    assert_eq!(saved, after["invoices"]);

    // Numbering goes on from the restored state (where draft 2 was empty).
    acquit.ok(&consulting_line("2"));
    assert_eq!(
        acquit.ok(&["invoice", "issue", "2", "--date", "2026-11-24"]),
        "F-2026-0002\n"
    );

    // --out: a named backup, never over an existing file.
    let named = acquit.dir.path().join("named.db");
    let named_arg = named.to_str().unwrap();
    assert_eq!(
        acquit.ok(&["backup", "--out", named_arg]),
        format!("{named_arg}\n")
    );
    let stderr = acquit.fails(1, &["backup", "--out", named_arg]);
    assert!(stderr.contains("already exists"), "{stderr}");
    let stderr = Acquit::new().fails(1, &["backup"]);
    assert!(stderr.contains("nothing to back up"), "{stderr}");
}

#[test]
fn restoring_anything_but_a_backup_is_refused_and_changes_nothing() {
    let acquit = Acquit::with_an_invoice_and_an_empty_draft();
    let notes = acquit.dir.path().join("notes.txt");
    std::fs::write(&notes, "Rendez-vous mardi 10 h\n").unwrap();
    let missing = acquit.dir.path().join("missing.db");
    let tampered = acquit.dir.path().join("tampered.db");
    acquit.ok(&["backup", "--out", tampered.to_str().unwrap()]);
    edit_behind_acquits_back(
        &tampered,
        "UPDATE invoices SET total_minor = 1 WHERE number IS NOT NULL",
    );

    let before = acquit.everything();
    for (file, expected) in [
        (&notes, "is not an Acquit backup (it is not a SQLite file)"),
        (&missing, "does not exist"),
        (&tampered, "its journal is broken"),
        (&acquit.db, "is the database itself"),
    ] {
        let stderr = acquit.fails(1, &["restore", file.to_str().unwrap()]);
        assert!(stderr.contains(expected), "{}: {stderr}", file.display());
        assert_eq!(acquit.everything(), before);
    }
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "Rendez-vous mardi 10 h\n"
    );
    assert!(files_named(&acquit, "before-restore").is_empty());
}

/// Runs `sql` on the database at `path` with Acquit's locking triggers
/// dropped, as someone editing the file by hand would.
fn edit_behind_acquits_back(path: &Path, sql: &str) {
    // As a careful tamperer would: the lock triggers dropped for the edit,
    // then put back as they were, so only the journal can tell.
    let conn = rusqlite::Connection::open(path).unwrap();
    let triggers: Vec<(String, String)> = conn
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (trigger, _) in &triggers {
        conn.execute(&format!("DROP TRIGGER {trigger}"), [])
            .unwrap();
    }
    conn.execute(sql, []).unwrap();
    for (_, create) in &triggers {
        conn.execute(create, []).unwrap();
    }
}

#[test]
fn journal_verify_names_an_invoice_edited_behind_acquits_back() {
    let acquit = Acquit::with_an_invoice_and_an_empty_draft();
    assert_eq!(
        acquit.ok(&["journal", "verify"]),
        "journal intact: 1 entry\n"
    );
    assert_eq!(
        acquit.json(&["journal", "verify", "--json"]),
        json!({ "intact": true, "entries": 1, "problem": null })
    );

    edit_behind_acquits_back(
        &acquit.db,
        "UPDATE invoices SET total_minor = 100 WHERE number = 'F-2026-0001'",
    );
    let stderr = acquit.fails(1, &["journal", "verify"]);
    assert_eq!(
        stderr,
        "acquit: the journal is broken at entry 1 (F-2026-0001): the recorded document or \
         payment was changed after it was journaled: restore a backup (`acquit restore FILE`)\n"
    );
    // --json still prints the report, for scripts, and exits 1.
    let out = acquit.run(&["journal", "verify", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["intact"], false);
    assert_eq!(report["problem"]["seq"], 1);
    assert_eq!(report["problem"]["subject"], "F-2026-0001");
    assert!(text(&out.stderr).contains("restore a backup"));
}

#[test]
fn invoice_pdf_writes_the_stamped_and_the_issued_documents() {
    let acquit = Acquit::new();
    acquit.ok(&["demo"]);
    let stamped = acquit.dir.path().join("F-2026-0001.pdf");
    let issued = acquit.dir.path().join("F-2026-0001-issued.pdf");
    let out = acquit.ok(&[
        "invoice",
        "pdf",
        "F-2026-0001",
        "--out",
        stamped.to_str().unwrap(),
    ]);
    assert_eq!(out.trim(), stamped.to_str().unwrap());
    acquit.ok(&[
        "invoice",
        "pdf",
        "F-2026-0001",
        "--out",
        issued.to_str().unwrap(),
        "--as-issued",
    ]);
    let stamped_text = common::pdf_text(&stamped);
    assert!(stamped_text.contains("PAYÉE"), "{stamped_text}");
    assert!(stamped_text.contains("F-2026-0001"));
    assert!(
        !common::pdf_text(&issued).contains("PAYÉE"),
        "the issued document has no stamp"
    );
    let english = acquit.dir.path().join("en.pdf");
    acquit.ok(&[
        "invoice",
        "pdf",
        "F-2026-0001",
        "--out",
        english.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert!(common::pdf_text(&english).contains("INVOICE"));
    // A draft has no PDF, and nothing is written.
    let stderr = acquit.fails(1, &["invoice", "pdf", "F-2099-0001", "--out", "nope.pdf"]);
    assert!(stderr.contains("no invoice F-2099-0001"), "{stderr}");
}

#[test]
fn export_pdf_writes_one_file_per_issued_document() {
    let acquit = Acquit::new();
    acquit.ok(&["demo"]);
    let dir = acquit.dir.path().join("export");
    let out = acquit.ok(&["export", "pdf", "--dir", dir.to_str().unwrap()]);
    assert_eq!(
        out.trim(),
        format!("7 PDF files written to {}", dir.display())
    );
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files.len(), 7);
    assert!(files.contains(&"AV-2026-0001.pdf".to_owned()), "{files:?}");
    let paid_only = acquit.dir.path().join("paid");
    let out = acquit.ok(&[
        "export",
        "pdf",
        "--dir",
        paid_only.to_str().unwrap(),
        "--status",
        "paid",
    ]);
    assert!(out.starts_with("2 PDF files"), "{out}");
}

#[test]
fn company_set_takes_a_png_logo_and_refuses_anything_else() {
    let acquit = Acquit::new();
    let mut set: Vec<&str> = company().to_vec();
    let logo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../icons/32x32.png");
    set.extend(["--logo", logo]);
    acquit.ok(&set);
    let before = acquit.everything();
    let text = acquit.dir.path().join("logo.png");
    std::fs::write(&text, "not a picture").unwrap();
    let mut bad: Vec<&str> = company().to_vec();
    bad.extend([
        "--email",
        "autre@example.org",
        "--logo",
        text.to_str().unwrap(),
    ]);
    let stderr = acquit.fails(1, &bad);
    assert!(stderr.contains("not a PNG"), "{stderr}");
    assert_eq!(
        acquit.everything(),
        before,
        "a refused logo changes nothing"
    );
}

/// A backup whose lock trigger was dropped (issued invoices editable by
/// any program) is refused, and the books stay as they were (issue 19).
#[test]
fn a_backup_without_its_lock_triggers_is_refused() {
    let acquit = Acquit::with_an_invoice_and_an_empty_draft();
    let backup = PathBuf::from(acquit.ok(&["backup"]).trim_end());
    let before = acquit.everything();
    for (name, tamper) in [
        ("no-trigger.db", "DROP TRIGGER invoices_locked_update"),
        ("extra-table.db", "CREATE TABLE notes (x TEXT)"),
        (
            "weak-trigger.db",
            "DROP TRIGGER invoices_locked_delete;
             CREATE TRIGGER invoices_locked_delete BEFORE DELETE ON invoices WHEN 0 BEGIN SELECT 1; END",
        ),
    ] {
        let copy = acquit.dir.path().join(name);
        std::fs::copy(&backup, &copy).unwrap();
        rusqlite::Connection::open(&copy)
            .unwrap()
            .execute_batch(tamper)
            .unwrap();
        let err = acquit.fails(1, &["restore", copy.to_str().unwrap()]);
        assert!(
            err.contains("changed outside Acquit") && err.contains("restore another backup"),
            "{name}: {err}"
        );
        assert_eq!(acquit.everything(), before, "{name}");
    }
    assert!(files_named(&acquit, "before-restore").is_empty());
    // The untouched backup is still accepted.
    acquit.ok(&["restore", backup.to_str().unwrap()]);
}

#[test]
fn an_issued_invoice_keeps_the_logo_it_was_issued_with() {
    let acquit = Acquit::new();
    let icons = concat!(env!("CARGO_MANIFEST_DIR"), "/../../icons/");
    let (first_logo, second_logo) = (format!("{icons}32x32.png"), format!("{icons}64x64.png"));
    common::sasu_company_with(&acquit, "Atelier Durand", "goods", &["--logo", &first_logo]);
    common::lumiere_client(&acquit);
    let line = [
        "--desc",
        "Chaise",
        "--qty",
        "1",
        "--unit-price",
        "100",
        "--vat",
        "20",
    ];
    let first = common::issue(&acquit, &["--client", "1"], &line, "2026-11-02");
    let pdf = |number: &str, name: &str| {
        let out = acquit.dir.path().join(name);
        acquit.ok(&[
            "invoice",
            "pdf",
            number,
            "--as-issued",
            "--out",
            out.to_str().unwrap(),
        ]);
        std::fs::read(out).unwrap()
    };
    let before = pdf(&first, "before.pdf");
    // (assert!, not assert_eq!: a failure would print two PDFs as bytes)
    assert!(
        before == pdf(&first, "again.pdf"),
        "the rendering is reproducible"
    );

    common::sasu_company_with(
        &acquit,
        "Atelier Durand",
        "goods",
        &["--logo", &second_logo],
    );
    assert!(
        pdf(&first, "after.pdf") == before,
        "a new logo leaves the invoice as issued byte for byte"
    );
    // The next invoice is issued with the new logo.
    let second = common::issue(&acquit, &["--client", "1"], &line, "2026-11-03");
    let images = |pdf: &[u8]| {
        let path = acquit.dir.path().join("images.pdf");
        std::fs::write(&path, pdf).unwrap();
        let out = std::process::Command::new("pdfimages")
            .arg("-list")
            .arg(&path)
            .output()
            .expect("pdfimages (poppler-utils)");
        text(&out.stdout)
    };
    let (old, new) = (images(&before), images(&pdf(&second, "second.pdf")));
    assert!(old.contains("   32    32 "), "{old}");
    assert!(new.contains("   64    64 "), "{new}");
}

#[test]
fn the_ways_to_pay_are_chosen_on_the_draft_recorded_and_printed() {
    let acquit = Acquit::new();
    // A company without an IBAN.
    acquit.ok(&[
        "company",
        "set",
        "--name",
        "Atelier Durand",
        "--siren",
        "732829320",
        "--address",
        "12 rue des Lilas\\n75011 Paris",
    ]);
    common::lumiere_client(&acquit);
    let line = [
        "--desc",
        "Chaise",
        "--qty",
        "1",
        "--unit-price",
        "100",
        "--vat",
        "20",
    ];

    let err = acquit.fails(
        1,
        &["invoice", "new", "--client", "1", "--pay-by", "paypal"],
    );
    assert!(
        err.contains("--pay-by: \"paypal\" is not a way to pay Acquit knows: use transfer, card, cheque, cash"),
        "{err}"
    );
    // A transfer needs an IBAN: refused at issue, nothing issued.
    let draft = acquit
        .ok(&["invoice", "new", "--client", "1", "--pay-by", "transfer"])
        .trim()
        .to_owned();
    let mut add = vec!["invoice", "add-line", draft.as_str()];
    add.extend(line);
    acquit.ok(&add);
    let before = acquit.everything();
    let err = acquit.fails(1, &["invoice", "issue", &draft, "--date", "2026-11-02"]);
    assert!(err.contains("your company has no IBAN"), "{err}");
    assert_eq!(acquit.everything(), before, "nothing changed");

    let number = common::issue(
        &acquit,
        &["--client", "1", "--pay-by", "card, cash"],
        &line,
        "2026-11-02",
    );
    let json = acquit.json(&["invoice", "show", &number, "--json"]);
    assert_eq!(json["payment_means"], serde_json::json!(["card", "cash"]));
    let pdf = acquit.dir.path().join("card.pdf");
    acquit.ok(&["invoice", "pdf", &number, "--out", pdf.to_str().unwrap()]);
    let text = common::pdf_text(&pdf);
    assert!(
        text.contains("Moyens de paiement acceptés : carte bancaire, espèces."),
        "{text}"
    );
    assert!(!text.contains("IBAN"), "{text}");
    // Nothing chosen and no IBAN: nothing said.
    let plain = common::issue(&acquit, &["--client", "1"], &line, "2026-11-03");
    let json = acquit.json(&["invoice", "show", &plain, "--json"]);
    assert_eq!(json["payment_means"], serde_json::json!([]));
}

/// A date of issue after today is a typo that would lock the books: numbers
/// follow dates, so every later document would be refused until that day,
/// and issued documents never change. Refused, saying what to do, with
/// nothing changed; the same draft then issues today with the next number.
#[test]
fn a_date_of_issue_after_today_is_refused_and_changes_nothing() {
    let acquit = Acquit::on_day("2026-12-07");
    acquit.ok(&["init"]);
    acquit.ok(&company());
    acquit.ok(&["client", "add", "--name", "Boulangerie Martin"]);
    acquit.ok(&["invoice", "new", "--client", "1"]);
    acquit.ok(&consulting_line("1"));
    assert_eq!(
        acquit.ok(&["invoice", "issue", "1", "--date", "2026-11-23"]),
        "F-2026-0001\n"
    );
    acquit.ok(&["invoice", "new", "--client", "1"]);
    acquit.ok(&consulting_line("2"));
    acquit.ok(&["quote", "new", "--client", "1"]);
    acquit.ok(&[
        "quote",
        "add-line",
        "1",
        "--desc",
        "Audit",
        "--qty",
        "1",
        "--unit-price",
        "300",
        "--vat",
        "20",
    ]);
    let before = acquit.everything();
    let quotes = acquit.json(&["quote", "list", "--json"]);
    for (args, typo) in [
        (vec!["invoice", "issue", "2", "--date"], "9999-12-31"),
        (vec!["invoice", "issue", "2", "--date"], "2062-12-07"),
        (vec!["invoice", "issue", "2", "--date"], "2026-12-08"),
        (vec!["credit-note", "F-2026-0001", "--date"], "2026-12-08"),
        (vec!["quote", "issue", "1", "--date"], "2027-01-07"),
    ] {
        let mut args = args;
        args.push(typo);
        let said = acquit.fails(1, &args);
        assert!(
            said.contains(&format!("--date {typo} is after today (2026-12-07)"))
                && said.contains("give today's date or an earlier one"),
            "{args:?}: {said}"
        );
    }
    assert_eq!(
        acquit.everything(),
        before,
        "a refused date changed the books"
    );
    assert_eq!(acquit.json(&["quote", "list", "--json"]), quotes);
    // Today and earlier days still work, and the numbers have no gap.
    assert_eq!(
        acquit.ok(&["invoice", "issue", "2", "--date", "2026-12-07"]),
        "F-2026-0002\n"
    );
    assert_eq!(acquit.ok(&["quote", "issue", "1"]), "D-2026-0001\n");
}

/// A mistyped `--db` starts new books: said on stderr with the path, so
/// that nobody issues invoices numbered from 0001 again beside their real
/// books without knowing. `init` starts them on purpose, silently; books
/// that exist are opened without a word.
#[test]
fn books_started_by_a_command_other_than_init_are_said_on_stderr() {
    let acquit = Acquit::new();
    let out = acquit.run(&["client", "list"]);
    assert_eq!(out.status.code(), Some(0));
    let said = text(&out.stderr);
    assert!(
        said.contains(&format!("there were no books at {}", acquit.db.display()))
            && said.contains("--db or ACQUIT_DB"),
        "{said}"
    );
    let again = acquit.run(&["client", "list"]);
    assert_eq!(
        text(&again.stderr),
        "",
        "books that exist are opened silently"
    );

    let fresh = Acquit::new();
    let init = fresh.run(&["init"]);
    assert_eq!(init.status.code(), Some(0));
    assert_eq!(text(&init.stderr), "", "init starts books on purpose");
}
