//! Switching to Acquit, through the real binary: clients imported from the
//! fixtures a switcher brings (an Invoice Ninja export, a French Excel
//! sheet in Windows-1252) with exact results, a file with a bad row
//! imports nothing until fixed or skipped, importing the same file twice
//! adds nobody twice; and a company looked up by its SIREN.

mod common;

use common::Acquit;
use serde_json::Value;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn clients(acquit: &Acquit) -> Vec<Value> {
    acquit
        .json(&["client", "list", "--json"])
        .as_array()
        .unwrap()
        .clone()
}

fn client(acquit: &Acquit, name: &str) -> Value {
    clients(acquit)
        .into_iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no client {name}"))
}

#[test]
fn an_invoice_ninja_export_and_an_excel_sheet_import_exactly_once() {
    let acquit = Acquit::new();
    let report = acquit.json(&[
        "import",
        "clients",
        &fixture("invoice-ninja-clients.csv"),
        "--json",
    ]);
    assert_eq!(report["written"], true, "{report:#}");
    assert_eq!(report["imported"], 3);
    // Invoice Ninja's columns Acquit has no use for are said, not guessed.
    let ignored = report["ignored_columns"].as_array().unwrap();
    for column in ["Client Number", "State", "Website", "ID Number"] {
        assert!(ignored.contains(&Value::from(column)), "{ignored:?}");
    }
    let list = clients(&acquit);
    assert_eq!(list.len(), 3, "{list:#?}");
    let martin = client(&acquit, "Boulangerie Martin SARL");
    assert_eq!(martin["email"], "compta@boulangerie-martin.example");
    assert_eq!(martin["vat"], "FR96552100554");
    assert_eq!(martin["postcode"], "75011");
    assert_eq!(martin["business"], true);
    assert_eq!(martin["phone"], "+33143551234");
    let thames = client(&acquit, "Thames Digital Ltd");
    assert_eq!(thames["country"], "GB");
    assert_eq!(
        thames["lang"], "en",
        "a client abroad is written to in English"
    );

    // The same file again: everyone is already a client.
    let again = acquit.json(&[
        "import",
        "clients",
        &fixture("invoice-ninja-clients.csv"),
        "--json",
    ]);
    assert_eq!(again["imported"], 0, "{again:#}");
    assert!(
        again["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "duplicate"),
        "{again:#}"
    );
    assert_eq!(clients(&acquit).len(), 3);

    // A French Excel sheet: semicolons, Windows-1252 (é, ’), a SIRET.
    let out = acquit.ok(&[
        "import",
        "clients",
        &fixture("tableur-excel-windows-1252.csv"),
    ]);
    assert!(out.contains("2 client(s) imported."), "{out}");
    let cafe = client(&acquit, "Café des Arts");
    assert_eq!(cafe["siren"], "732829320");
    assert_eq!(cafe["city"], "Lyon");
    let librairie = client(&acquit, "Librairie L’Atelier");
    assert_eq!(librairie["street"], serde_json::json!(["5 rue des Écoles"]));
}

#[test]
fn a_file_with_a_bad_row_imports_nothing_until_fixed_or_skipped() {
    let acquit = Acquit::new();
    let file = fixture("one-bad-row.csv");
    let refused = acquit.run(&["import", "clients", &file]);
    assert_eq!(refused.status.code(), Some(1));
    let stdout = common::text(&refused.stdout);
    let stderr = common::text(&refused.stderr);
    assert!(stdout.contains("error: email \"pas-un-email\""), "{stdout}");
    assert!(stdout.contains("SIREN \"123456789\""), "{stdout}");
    assert!(
        stderr.contains("1 row(s) have errors: nothing was imported"),
        "{stderr}"
    );
    assert!(clients(&acquit).is_empty(), "nothing written");
    // A dry run says what would come in, and writes nothing.
    let dry = acquit.ok(&["import", "clients", &file, "--dry-run"]);
    assert!(dry.contains("1 client(s) would be imported"), "{dry}");
    assert!(clients(&acquit).is_empty());
    // Skipped by choice: the good row only.
    let skipped = acquit.ok(&["import", "clients", &file, "--skip-bad"]);
    assert!(skipped.contains("1 client(s) imported."), "{skipped}");
    let list = clients(&acquit);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "Agence Lumière");
}

/// `company lookup` asks the fake directory (the real binary, through
/// `ACQUIT_DIRECTORY_URL`) and prints what a form would be filled with.
#[test]
fn a_siren_is_looked_up_in_the_company_directory() {
    let base = acquit_testkit::servers::serve_in_background(|listener| {
        fake_entreprises::serve(listener, fake_entreprises::Config::default())
    });
    let acquit = Acquit::new();
    let mut command = acquit.command(&["company", "lookup", "732 829 320", "--json"]);
    command.env("ACQUIT_DIRECTORY_URL", &base);
    let out = command.output().unwrap();
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found["name"], "CAMILLE ROUX");
    assert_eq!(found["legal_form"], "ei");
    assert_eq!(found["vat"], "FR44732829320");
    assert_eq!(found["postcode"], "75011");
    let mut bad = acquit.command(&["company", "lookup", "12345"]);
    bad.env("ACQUIT_DIRECTORY_URL", &base);
    let out = bad.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::text(&out.stderr).contains("neither a SIREN"),
        "{}",
        common::text(&out.stderr)
    );
}

/// A switcher's books: a company charging VAT, Agence Lumière a client.
fn switcher() -> Acquit {
    let acquit = Acquit::new();
    common::sasu_company(&acquit, "Nova Conseil", "commercial-services");
    common::lumiere_client(&acquit);
    acquit
}

fn invoice(acquit: &Acquit, number: &str) -> Value {
    acquit.json(&["invoice", "show", number, "--json"])
}

#[test]
fn invoices_issued_elsewhere_count_and_the_numbering_goes_on_after_them() {
    let acquit = switcher();
    let file = fixture("invoices-tableur.csv");
    // The preview writes nothing and says where the numbering goes on.
    let preview = acquit.ok(&["import", "invoices", &file, "--dry-run"]);
    assert!(
        preview.contains("after F-2026-0147, Acquit issues F-2026-0148"),
        "{preview}"
    );
    assert!(
        preview.contains("Columns left out (not recognised): Commentaire."),
        "{preview}"
    );
    assert!(
        preview.contains("Columns read: Numéro → number, Date → date, Client → client, SIREN → siren, Échéance → due-date, Taux TVA → vat-rate, Montant HT → net, TVA → vat, Total TTC → total, Payée → paid, Date de paiement → paid-on, Montant payé → paid-amount, Nature → nature."),
        "{preview}"
    );
    assert!(
        preview.contains("new, for Café des Arts (a new client)"),
        "{preview}"
    );
    assert!(
        preview.contains("new, for Agence Lumière\n")
            || preview.contains("new, for Agence Lumière "),
        "{preview}"
    );
    assert!(
        acquit
            .json(&["invoice", "list", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );

    let report = acquit.json(&["import", "invoices", &file, "--json"]);
    assert_eq!(report["written"], true, "{report:#}");
    assert_eq!(report["imported"], 4);

    // Two rates, paid: the file's figures, exactly.
    let first = invoice(&acquit, "F-2026-0144");
    assert_eq!(first["status"], "paid", "{first:#}");
    assert_eq!(first["total"], "1313.94");
    assert_eq!(first["vat_total"], "205.94", "{first:#}");
    assert_eq!(first["client"], "Agence Lumière");
    // Its former tool sends and reports it, not Acquit.
    assert_eq!(
        first["einvoice"]["summary"],
        "Issued with the former tool: sent and reported by it"
    );
    let unpaid = invoice(&acquit, "F-2026-0145");
    assert_eq!(unpaid["status"], "issued", "{unpaid:#}");
    assert_eq!(unpaid["due_date"], "2026-10-30");
    assert_eq!(unpaid["amount_due"], "600.00");
    let part = invoice(&acquit, "F-2026-0146");
    assert_eq!(part["amount_due"], "1400.00", "{part:#}");
    assert_eq!(invoice(&acquit, "F-2026-0147")["client"], "Café des Arts");
    // The clients the file named and the books lacked were made.
    assert_eq!(clients(&acquit).len(), 3);

    // Counted: the receipts ledger has what was received before Acquit.
    let ledger = acquit.json(&["ledger", "--json"]);
    let received: Vec<(String, String)> = ledger
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["invoice_number"].as_str().unwrap().to_owned(),
                e["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        received,
        [
            ("F-2026-0144".to_owned(), "1313.94".to_owned()),
            ("F-2026-0146".to_owned(), "1000.00".to_owned())
        ]
    );
    // … the declaration: October's receipt, split by the rows' natures
    // (services at 20 %, goods at 5,5 %), without VAT.
    let october = acquit.json(&["declare", "--period", "2026-10", "--json"]);
    let rows: Vec<(String, String, String)> = october["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["received"] != "0.00")
        .map(|r| {
            (
                r["activity"].as_str().unwrap().to_owned(),
                r["received"].as_str().unwrap().to_owned(),
                r["excluding_vat"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("goods".to_owned(), "113.94".to_owned(), "108.00".to_owned()),
            (
                "commercial-services".to_owned(),
                "1200.00".to_owned(),
                "1000.00".to_owned()
            )
        ],
        "{october:#}"
    );
    // … and the reminders: the unpaid one is late.
    let due = acquit.json(&["reminders", "--date", "2026-12-07", "--json"]);
    assert!(
        due.as_array()
            .unwrap()
            .iter()
            .any(|r| r["invoice_number"] == "F-2026-0145"),
        "{due:#}"
    );

    // Acquit draws no PDF of an invoice it did not issue.
    let refused = acquit.fails(
        1,
        &["invoice", "pdf", "F-2026-0145", "--out", "/tmp/never.pdf"],
    );
    assert!(refused.contains("issued in another tool"), "{refused}");

    // The numbering goes on.
    let next = common::issue(
        &acquit,
        &["--client", "1"],
        &[
            "--desc",
            "Conseil",
            "--qty",
            "1",
            "--unit-price",
            "100",
            "--vat",
            "20",
        ],
        "2026-12-07",
    );
    assert_eq!(next, "F-2026-0148");

    // The same file again: nothing twice.
    let again = acquit.json(&["import", "invoices", &file, "--json"]);
    assert_eq!(again["written"], false, "{again:#}");
    assert!(
        again["invoices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["outcome"] == "already"),
        "{again:#}"
    );
    assert_eq!(
        acquit
            .json(&["invoice", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        5
    );
    acquit.ok(&["journal", "verify"]);
}

#[test]
fn one_wrong_invoice_imports_nothing_until_fixed_or_skipped() {
    let acquit = switcher();
    let file = fixture("invoices-one-bad.csv");
    let out = acquit.run(&["import", "invoices", &file]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = common::text(&out.stdout);
    assert!(stdout.contains("should be 20.00"), "{stdout}");
    assert!(
        common::text(&out.stderr).contains("nothing was imported"),
        "{}",
        common::text(&out.stderr)
    );
    assert!(
        acquit
            .json(&["invoice", "list", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let report = acquit.json(&["import", "invoices", &file, "--skip-bad", "--json"]);
    assert_eq!(report["imported"], 1, "{report:#}");
    assert_eq!(invoice(&acquit, "F-2026-0010")["total"], "120.00");
}

#[test]
fn another_tool_s_numbers_start_a_new_series_with_the_reason_kept() {
    let acquit = switcher();
    let file = fixture("invoices-other-tool.csv");
    let refused = acquit.fails(1, &["import", "invoices", &file]);
    assert!(refused.contains("--new-series"), "{refused}");
    assert!(
        acquit
            .json(&["invoice", "list", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );

    let pdfs = acquit.dir.path().join("former");
    std::fs::create_dir(&pdfs).unwrap();
    let former = b"%PDF-1.4\n% the former tool's own PDF\n%%EOF\n";
    std::fs::write(pdfs.join("INV-0042.pdf"), former).unwrap();
    let reason =
        "Changement de logiciel le 1er décembre 2026 : l'ancienne série INV s'arrête à INV-0042";
    let report = acquit.json(&[
        "import",
        "invoices",
        &file,
        "--new-series",
        reason,
        "--pdfs",
        pdfs.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(report["imported"], 2, "{report:#}");
    assert_eq!(report["pdfs"], serde_json::json!(["INV-0042"]));
    assert_eq!(invoice(&acquit, "INV-0041")["status"], "paid");
    // The former PDF is what Acquit gives for it, byte for byte.
    let out = acquit.dir.path().join("INV-0042.pdf");
    acquit.ok(&["invoice", "pdf", "INV-0042", "--out", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), former);

    // Exports: the kept PDF as is, none for the other (said, not redrawn).
    let pdf_dir = acquit.dir.path().join("pdfs-out");
    let said = acquit.ok(&["export", "pdf", "--dir", pdf_dir.to_str().unwrap()]);
    assert!(
        said.contains("No PDF for INV-0041: issued in another tool"),
        "{said}"
    );
    assert_eq!(std::fs::read(pdf_dir.join("INV-0042.pdf")).unwrap(), former);
    assert!(!pdf_dir.join("INV-0041.pdf").exists());
    let all = acquit.dir.path().join("all");
    acquit.ok(&["export", "all", "--dir", all.to_str().unwrap()]);
    assert_eq!(std::fs::read(all.join("pdf/INV-0042.pdf")).unwrap(), former);
    let invoices_csv = std::fs::read_to_string(all.join("invoices.csv")).unwrap();
    assert!(invoices_csv.contains("INV-0041"), "{invoices_csv}");

    let breaks = acquit_store::Store::open(&acquit.db)
        .unwrap()
        .numbering_breaks()
        .unwrap();
    assert_eq!(breaks.len(), 1);
    assert_eq!(breaks[0].1, "F-{YYYY}-{NNNN}");
    assert_eq!(breaks[0].2, "INV-0042");
    assert_eq!(breaks[0].3, reason);
    let next = common::issue(
        &acquit,
        &["--client", "1"],
        &[
            "--desc",
            "Conseil",
            "--qty",
            "1",
            "--unit-price",
            "100",
            "--vat",
            "20",
        ],
        "2026-12-07",
    );
    assert_eq!(next, "F-2026-0001");
}

#[test]
fn a_series_acquit_already_numbers_is_not_imported_into() {
    let acquit = switcher();
    common::issue(
        &acquit,
        &["--client", "1"],
        &[
            "--desc",
            "Conseil",
            "--qty",
            "1",
            "--unit-price",
            "100",
            "--vat",
            "20",
        ],
        "2026-09-01",
    );
    let out = acquit.run(&["import", "invoices", &fixture("invoices-tableur.csv")]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = common::text(&out.stdout);
    assert!(
        stdout.contains("Acquit has already issued F-2026-0001 in this series"),
        "{stdout}"
    );
}

#[test]
fn contacts_from_an_address_book_are_clients_too() {
    let acquit = Acquit::new();
    let file = fixture("contacts.vcf");
    let out = acquit.run(&["import", "clients", &file, "--json"]);
    assert_eq!(out.status.code(), Some(1), "the bad email stops it");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["written"], false);
    assert_eq!(report["rows"][2]["line"], 20, "{report:#}");
    assert!(
        report["rows"][2]["errors"][0]
            .as_str()
            .unwrap()
            .starts_with("email"),
        "{report:#}"
    );
    let report = acquit.json(&["import", "clients", &file, "--skip-bad", "--json"]);
    assert_eq!(report["imported"], 2, "{report:#}");
    let durand = client(&acquit, "Atelier Durand");
    assert_eq!(durand["email"], "sophie@atelier-durand.example");
    assert_eq!(durand["phone"], "+33612345678");
    assert_eq!(durand["postcode"], "69002");
    let thames = client(&acquit, "Thames Digital Ltd");
    assert_eq!(thames["country"], "GB", "{thames:#}");
    // Again: nobody twice.
    let again = acquit.json(&["import", "clients", &file, "--skip-bad", "--json"]);
    assert_eq!(again["imported"], 0, "{again:#}");
    assert_eq!(clients(&acquit).len(), 2);
}
