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
    let base = common::servers::serve_in_background(|listener| {
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
