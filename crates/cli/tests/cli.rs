//! The real `acquit` binary on a database in a temp dir, scenario by
//! scenario. Exit codes and `--json` shapes are a contract (INTERFACES in
//! the brief): 0 ok, 1 rejected input with nothing changed, 2 usage.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

/// A private database (and a private HOME, so nothing can reach the user's
/// real default database) for one test.
struct Acquit {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Acquit {
    fn new() -> Acquit {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("acquit.db");
        Acquit { dir, db }
    }

    /// `acquit` with `ACQUIT_DB` pointing at this test's database.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_acquit"));
        command
            .args(args)
            .env("ACQUIT_DB", &self.db)
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"));
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs a command that must succeed; returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "acquit {args:?} failed: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Runs a command that must exit with `code`; returns its stderr.
    fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "acquit {args:?}: expected exit {code}; stdout: {}; stderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "acquit {args:?} printed on stdout");
        text(&out.stderr)
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
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
        "--address",
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
                "Y",
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
                "Y",
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
