//! Upgrading books made by older versions, and failing safely.
//!
//! `fixtures/schema-1.db` is a database as the first schema version
//! (`migrations/0001` only) wrote it, committed as a binary file so the test
//! keeps reading what an old Acquit really left on disk, whatever today's
//! code does. It holds a seller, two clients, an issued invoice with two
//! lines, a credit note and a draft. To write it again (only if the fixture
//! itself must change; its content is checked below):
//!
//! ```sh
//! ACQUIT_WRITE_FIXTURE=1 cargo test -p acquit-store --test migrations -- --ignored write_schema_1_fixture
//! ```

use std::path::{Path, PathBuf};

use acquit_core::tax::{Discount, LineInput};
use acquit_core::{Client, Currency, InvoiceKind, InvoiceStatus, Line, Quantity, Seller, VatRate};
use acquit_store::{NewDraft, Store, StoreError};
use acquit_testkit::books::eur;
use chrono::NaiveDate;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-1.db")
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A copy of the fixture in a temporary folder.
fn copy_of_fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acquit.db");
    std::fs::copy(fixture(), &db).unwrap();
    (dir, db)
}

fn user_version(path: &Path) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn a_schema_1_database_opens_migrated_with_its_data_intact_and_a_backup() {
    let (dir, db) = copy_of_fixture();
    let original = std::fs::read(&db).unwrap();
    assert_eq!(user_version(&db), 1, "the fixture is a schema-1 file");

    let store = Store::open(&db).unwrap();
    assert_eq!(user_version(&db), acquit_store::schema_version() as i64);

    // The backup is next to the file, checked, and the file as it was.
    let backup = dir.path().join("acquit.before-schema-2.db");
    assert_eq!(std::fs::read(&backup).unwrap(), original);
    acquit_store::check_backup(&backup).unwrap();

    // The data, as schema 1 held it.
    let seller = store.seller().unwrap().expect("the seller");
    assert_eq!(seller.legal_name, "Atelier Durand");
    let clients = store.clients().unwrap();
    let names: Vec<&str> = clients.iter().map(|(_, c)| c.name.as_str()).collect();
    assert_eq!(names, ["Boulangerie Martin", "Café des Arts"]);

    let invoice = store.invoice("F-2026-0001").unwrap();
    assert_eq!(invoice.kind, InvoiceKind::Standard);
    assert_eq!(invoice.issue_date, Some(date("2026-03-02")));
    assert_eq!(invoice.lines.len(), 2);
    assert_eq!(invoice.lines[0].line.description, "Refonte du site");
    assert_eq!(invoice.totals.net, eur(100_000 + 3 * 12_500));
    assert_eq!(invoice.totals.total, eur(165_000));
    assert_eq!(invoice.credit_notes, ["AV-2026-0001"]);
    // 1 650,00 € less a 150,00 € credit note, nothing paid.
    assert_eq!(invoice.amount_due, eur(150_000));
    assert_eq!(invoice.status, InvoiceStatus::Issued);

    let credit = store.invoice("AV-2026-0001").unwrap();
    assert_eq!(credit.totals.total, eur(-15_000));

    let drafts: Vec<_> = store
        .list_invoices(Some(InvoiceStatus::Draft))
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(drafts.len(), 1);

    // Schema 2 and 3 tables work on the migrated file.
    assert!(store.payments("F-2026-0001").unwrap().is_empty());
    // KNOWN GAP: migration 0002 created the journal but did not enter the
    // documents issued before it, so the journal flags them. Entering them
    // at migration (as "recorded at upgrade") is still to do; this
    // assertion must change with it.
    let report = store.verify_journal().unwrap();
    let problem = report.problem.expect("the known gap");
    assert_eq!(problem.subject, "F-2026-0001");
    assert!(
        problem.what.starts_with("issued but not in the journal"),
        "{problem:?}"
    );
}

#[test]
fn a_failed_migration_puts_the_file_back_exactly_and_says_so() {
    // A schema-1 file someone added a `payments` table to by hand:
    // migration 0002, which creates it, fails.
    let (dir, db) = copy_of_fixture();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE payments (note TEXT)")
            .unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    assert_eq!(user_version(&db), 1);

    let error = Store::open(&db).expect_err("the migration fails");
    let StoreError::MigrationFailed {
        path,
        backup,
        from,
        to,
        ..
    } = &error
    else {
        panic!("expected MigrationFailed, got {error:?}");
    };
    assert_eq!(path, &db);
    assert_eq!(backup, &dir.path().join("acquit.before-schema-2.db"));
    assert_eq!((*from, *to), (1, acquit_store::schema_version()));

    // Byte for byte what it was, no WAL left over, still schema 1.
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert!(!dir.path().join("acquit.db-wal").exists());
    assert!(!dir.path().join("acquit.db.restoring").exists());
    assert_eq!(user_version(&db), 1);

    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "Acquit could not upgrade {} from schema 1 to {}",
            db.display(),
            acquit_store::schema_version()
        )),
        "{message}"
    );
    assert!(
        message.contains("The file was put back exactly as it was before")
            && message.contains("nothing was lost"),
        "{message}"
    );
    println!("{message}");

    // Once the stray table is gone, the same file upgrades.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("DROP TABLE payments").unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.invoice("F-2026-0001").unwrap().totals.total,
        eur(165_000)
    );
}

/// Writes `fixtures/schema-1.db`: books made with today's store, copied into
/// a file created by migration 0001 alone (see the module docs).
#[test]
#[ignore = "writes the committed fixture; run by hand"]
fn write_schema_1_fixture() {
    if std::env::var_os("ACQUIT_WRITE_FIXTURE").is_none() {
        eprintln!(
            "set ACQUIT_WRITE_FIXTURE=1 to overwrite {}",
            fixture().display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("today.db");
    {
        let mut store = Store::open(&source).unwrap();
        store
            .set_seller(&Seller::new(
                "Atelier Durand",
                "12 rue des Lilas, 75011 Paris",
            ))
            .unwrap();
        let martin = store
            .add_client(&Client::new("Boulangerie Martin"))
            .unwrap();
        let cafe = store.add_client(&Client::new("Café des Arts")).unwrap();
        let line = |description: &str, qty: &str, price: i64| Line {
            description: description.into(),
            input: LineInput {
                quantity: Quantity::parse(qty).unwrap(),
                unit_price: eur(price),
                vat_rate: VatRate::parse("20").unwrap(),
                discount: Discount::None,
            },
            nature: None,
            unit: None,
        };
        let draft = |client| NewDraft {
            client,
            currency: Currency::EUR,
            kind: InvoiceKind::Standard,
            due_date: Some(date("2026-04-01")),
            sale_date: None,
            deposits: vec![],
            details: Default::default(),
        };
        let id = store.create_draft(&draft(martin)).unwrap();
        store
            .add_line(id, &line("Refonte du site", "1", 100_000))
            .unwrap();
        store
            .add_line(id, &line("Maintenance (mois)", "3", 12_500))
            .unwrap();
        let n = store.issue(id, date("2026-03-02")).unwrap();
        assert_eq!(n, "F-2026-0001");
        store
            .credit_note(
                &n,
                Some(eur(15_000)),
                Some("Geste commercial"),
                date("2026-03-10"),
            )
            .unwrap();
        let later = store.create_draft(&draft(cafe)).unwrap();
        store
            .add_line(later, &line("Photos du menu", "2.5", 8_000))
            .unwrap();
    }

    let out = dir.path().join("schema-1.db");
    let mut conn = rusqlite::Connection::open(&out).unwrap();
    rusqlite_migration::Migrations::new(vec![rusqlite_migration::M::up(include_str!(
        "../migrations/0001_initial.sql"
    ))])
    .to_latest(&mut conn)
    .unwrap();
    conn.pragma_update(None, "application_id", acquit_store::APPLICATION_ID)
        .unwrap();
    // Lines go in before their (issued, hence locked) invoices.
    conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
    conn.execute("ATTACH ?1 AS new", [source.to_str().unwrap()])
        .unwrap();
    conn.execute_batch(
        "INSERT INTO settings SELECT * FROM new.settings;
         INSERT INTO seller SELECT * FROM new.seller;
         INSERT INTO clients SELECT * FROM new.clients;
         INSERT INTO number_series SELECT * FROM new.number_series;
         INSERT INTO invoice_lines SELECT * FROM new.invoice_lines;
         INSERT INTO invoices SELECT * FROM new.invoices;
         INSERT INTO balance_deposits SELECT * FROM new.balance_deposits;
         DETACH new;
         VACUUM;",
    )
    .unwrap();
    drop(conn);
    std::fs::create_dir_all(fixture().parent().unwrap()).unwrap();
    std::fs::copy(&out, fixture()).unwrap();
    eprintln!("wrote {}", fixture().display());
}

#[test]
fn older_books_whose_locks_were_dropped_are_refused_once_upgraded() {
    // A schema-1 file with its invoices' delete lock dropped by another
    // program: the upgrade goes through (a copy of the file as it was is
    // kept), the schema it ends with is not Acquit's, so it is refused.
    let (dir, db) = copy_of_fixture();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("DROP TRIGGER invoices_locked_delete")
        .unwrap();
    let error = Store::open(&db).expect_err("refused");
    assert!(
        matches!(&error, StoreError::SchemaChanged { problem, .. }
            if problem == "its trigger invoices_locked_delete is missing"),
        "{error:?}"
    );
    assert!(dir.path().join("acquit.before-schema-2.db").exists());
    // And again on the next try: it does not become acceptable.
    assert!(matches!(
        Store::open(&db),
        Err(StoreError::SchemaChanged { .. })
    ));
}
