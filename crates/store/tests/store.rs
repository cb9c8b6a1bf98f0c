//! The store on real SQLite files in a temp dir.

use acquit_core::tax::{Discount, LineInput};
use acquit_core::{
    Client, Currency, InvoiceKind, InvoiceStatus, Line, Money, Quantity, Seller, VatRate, VatRegime,
};
use acquit_store::{ClientId, InvoiceId, NewDraft, Rejection, Store, StoreError};
use acquit_testkit::books::eur;
use acquit_testkit::books::eur_draft;
use chrono::NaiveDate;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn line(desc: &str, qty: &str, price: &str, vat: &str) -> Line {
    Line {
        description: desc.into(),
        input: LineInput {
            quantity: Quantity::parse(qty).unwrap(),
            unit_price: Money::parse(price, Currency::EUR).unwrap(),
            vat_rate: VatRate::parse(vat).unwrap(),
            discount: Discount::None,
        },
        nature: None,
        unit: None,
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    store: Store,
    client: ClientId,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("acquit.db");
    let mut store = Store::open(&path).unwrap();
    store
        .set_seller(&Seller::new(
            "Atelier Durand",
            "12 rue des Lilas\n75011 Paris",
        ))
        .unwrap();
    let client = store
        .add_client(&Client::new("Boulangerie Martin"))
        .unwrap();
    Fixture {
        _dir: dir,
        path,
        store,
        client,
    }
}

fn draft(f: &mut Fixture, lines: &[Line]) -> InvoiceId {
    let id = f.store.create_draft(&eur_draft(f.client)).unwrap();
    for l in lines {
        f.store.add_line(id, l).unwrap();
    }
    id
}

fn rejection(result: Result<impl std::fmt::Debug, StoreError>) -> Rejection {
    match result {
        Err(StoreError::Rejected(r)) => r,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// The whole file's bytes, to show a refused operation changed nothing.
fn snapshot(f: &Fixture) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(&f.path).unwrap();
    let mut out = Vec::new();
    for table in [
        "invoices",
        "invoice_lines",
        "number_series",
        "clients",
        "seller",
        "balance_deposits",
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
            .unwrap();
        let n = stmt.column_count();
        let rows: Vec<String> = stmt
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        out.push((table.to_owned(), rows.join("\n")));
    }
    out
}

#[test]
fn issuing_numbers_invoices_gaplessly_per_year() {
    let mut f = fixture();
    let mut numbers = Vec::new();
    for day in [
        "2026-01-05",
        "2026-03-01",
        "2026-12-31",
        "2027-01-01",
        "2027-01-01",
    ] {
        let id = draft(&mut f, &[line("Développement", "1", "100", "20")]);
        numbers.push(f.store.issue(id, date(day)).unwrap());
    }
    assert_eq!(
        numbers,
        [
            "F-2026-0001",
            "F-2026-0002",
            "F-2026-0003",
            "F-2027-0001",
            "F-2027-0002"
        ]
    );
}

#[test]
fn an_issued_invoice_keeps_its_totals_dates_and_snapshots() {
    let mut f = fixture();
    let id = draft(
        &mut f,
        &[
            line("Design", "2.5", "450", "20"),
            line("Livre", "1", "19.90", "5.5"),
        ],
    );
    let number = f.store.issue(id, date("2026-11-23")).unwrap();
    let inv = f.store.invoice(&number).unwrap();
    assert_eq!(inv.status, InvoiceStatus::Issued);
    assert_eq!(inv.totals.net, eur(114_490));
    assert_eq!(inv.totals.vat_total, eur(22_500 + 109));
    assert_eq!(inv.totals.total, eur(114_490 + 22_609));
    assert_eq!(inv.amount_due, inv.totals.total);
    assert_eq!(inv.due_date, Some(date("2026-12-23")), "30 days by default");
    assert_eq!(inv.sale_date, Some(date("2026-11-23")));

    // Changing the seller or client later does not change the issued invoice.
    f.store
        .set_seller(&Seller::new("Autre nom", "ailleurs"))
        .unwrap();
    let again = f.store.invoice(&number).unwrap();
    assert_eq!(again.seller.unwrap().legal_name, "Atelier Durand");
}

#[test]
fn an_issued_invoice_cannot_be_changed_through_the_api() {
    let mut f = fixture();
    let id = draft(&mut f, &[line("Conseil", "1", "800", "20")]);
    let number = f.store.issue(id, date("2026-11-23")).unwrap();
    let before = snapshot(&f);
    assert_eq!(
        rejection(f.store.add_line(id, &line("Extra", "1", "1", "20"))),
        Rejection::Locked(number.clone())
    );
    assert_eq!(
        rejection(f.store.delete_draft(id)),
        Rejection::Locked(number.clone())
    );
    assert_eq!(
        rejection(f.store.issue(id, date("2026-11-24"))),
        Rejection::Locked(number)
    );
    assert_eq!(snapshot(&f), before);
}

#[test]
fn triggers_lock_issued_invoices_even_for_raw_sql() {
    let mut f = fixture();
    let id = draft(&mut f, &[line("Conseil", "1", "800", "20")]);
    f.store.issue(id, date("2026-11-23")).unwrap();
    let before = snapshot(&f);
    let conn = rusqlite::Connection::open(&f.path).unwrap();
    for sql in [
        "UPDATE invoices SET total_minor = 1 WHERE number IS NOT NULL",
        "UPDATE invoices SET number = 'F-2026-9999'",
        "DELETE FROM invoices",
        "UPDATE invoice_lines SET unit_price_minor = 1",
        "DELETE FROM invoice_lines",
        "INSERT INTO invoice_lines (invoice_id, position, description, quantity_milli, unit_price_minor, vat_bp) VALUES (1, 9, 'x', 1000, 1, 0)",
        "UPDATE number_series SET last_value = 7",
        "DELETE FROM number_series",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("acquit:"), "{sql}: {err}");
    }
    assert_eq!(snapshot(&f), before);
}

#[test]
fn refused_input_changes_nothing() {
    let mut f = fixture();
    let empty = draft(&mut f, &[]);
    let before = snapshot(&f);
    assert_eq!(
        rejection(f.store.issue(empty, date("2026-11-23"))),
        Rejection::EmptyDraft(empty.0)
    );
    assert_eq!(
        rejection(f.store.issue(InvoiceId(999), date("2026-11-23"))),
        Rejection::NoSuchDraft(999)
    );
    assert!(matches!(
        rejection(f.store.add_line(empty, &line("  ", "1", "1", "20"))),
        Rejection::Invalid(_)
    ));
    let mut too_much = line("Remise", "1", "10", "20");
    too_much.input.discount = Discount::Amount(1001);
    assert!(matches!(
        rejection(f.store.add_line(empty, &too_much)),
        Rejection::Tax(_)
    ));
    let mut dollars = line("Hosting", "1", "10", "20");
    dollars.input.unit_price = Money::new(1000, Currency::USD);
    assert!(matches!(
        rejection(f.store.add_line(empty, &dollars)),
        Rejection::Tax(_)
    ));
    assert_eq!(
        rejection(f.store.create_draft(&eur_draft(ClientId(42)))),
        Rejection::NoSuchClient(42)
    );
    assert_eq!(snapshot(&f), before);

    // No number was used up by the refusals.
    f.store
        .add_line(empty, &line("Conseil", "1", "1", "20"))
        .unwrap();
    assert_eq!(
        f.store.issue(empty, date("2026-11-23")).unwrap(),
        "F-2026-0001"
    );
}

#[test]
fn numbers_follow_dates() {
    let mut f = fixture();
    let a = draft(&mut f, &[line("A", "1", "1", "20")]);
    f.store.issue(a, date("2026-11-23")).unwrap();
    let b = draft(&mut f, &[line("B", "1", "1", "20")]);
    let before = snapshot(&f);
    let err = rejection(f.store.issue(b, date("2026-11-22")));
    assert_eq!(
        err.to_string(),
        "F-2026-0001 is dated 2026-11-23; a new document cannot be dated 2026-11-22, earlier: numbers follow dates"
    );
    assert_eq!(snapshot(&f), before);
    assert_eq!(f.store.issue(b, date("2026-11-23")).unwrap(), "F-2026-0002");
}

#[test]
fn the_franchise_refuses_vat_lines() {
    let mut f = fixture();
    let mut seller = Seller::new("Jeanne Micro", "1 place du Marché, Lyon");
    seller.vat_regime = VatRegime::Franchise;
    f.store.set_seller(&seller).unwrap();
    let id = draft(&mut f, &[line("Cours", "2", "40", "0")]);
    assert!(matches!(
        rejection(f.store.add_line(id, &line("Cours", "1", "40", "20"))),
        Rejection::Tax(_)
    ));
    let number = f.store.issue(id, date("2026-11-23")).unwrap();
    assert_eq!(f.store.invoice(&number).unwrap().totals.total, eur(8000));
}

#[test]
fn drafts_written_before_the_franchise_stay_readable_and_deletable() {
    let mut f = fixture();
    let id = draft(&mut f, &[line("Conseil", "1", "100", "20")]);
    let mut seller = Seller::new("Atelier Durand", "12 rue des Lilas\n75011 Paris");
    seller.vat_regime = VatRegime::Franchise;
    f.store.set_seller(&seller).unwrap();

    // The list, the draft and its deletion do not depend on the regime…
    let listed = f.store.list_invoices(None).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].total,
        eur(12000),
        "the draft shows what its lines say"
    );
    assert_eq!(
        f.store.invoice_by_id(id).unwrap().totals.vat_total,
        eur(2000)
    );
    // …issuing does, and says which line to change.
    assert!(matches!(
        rejection(f.store.issue(id, date("2026-11-23"))),
        Rejection::Tax(acquit_core::tax::TaxError::VatUnderFranchise { line: 1, .. })
    ));
    f.store.delete_draft(id).unwrap();
    assert!(f.store.list_invoices(None).unwrap().is_empty());
}

#[test]
fn only_an_invoice_with_everything_an_e_invoice_needs_is_issued_as_a_factur_x() {
    let mut f = fixture();
    // The fixture's seller has no SIREN: issued, as a plain PDF.
    let plain = draft(&mut f, &[line("Conseil", "1", "100", "20")]);
    let plain = f.store.issue(plain, date("2026-11-23")).unwrap();
    assert!(!f.store.invoice(&plain).unwrap().details.facturx);

    let mut seller = Seller::new("Atelier Durand", "12 rue des Lilas\n75011 Paris");
    seller.siren = Some(acquit_core::ids::Siren::parse("732829320").unwrap());
    seller.activity = Some(acquit_core::Activity::CommercialServices);
    f.store.set_seller(&seller).unwrap();
    let complete = draft(&mut f, &[line("Conseil", "1", "100", "20")]);
    let complete = f.store.issue(complete, date("2026-11-24")).unwrap();
    assert!(f.store.invoice(&complete).unwrap().details.facturx);
    // A credit note is an e-invoice when its invoice is one.
    for (number, expected) in [(&plain, false), (&complete, true)] {
        let credit = f
            .store
            .credit_note(number, None, None, date("2026-11-25"))
            .unwrap();
        assert_eq!(
            f.store.invoice(&credit).unwrap().details.facturx,
            expected,
            "{number}"
        );
    }
}

#[test]
fn a_balance_invoice_deducts_its_deposits() {
    let mut f = fixture();
    let deposit = f
        .store
        .create_draft(&NewDraft {
            client: f.client,
            currency: Currency::EUR,
            kind: InvoiceKind::Deposit,
            due_date: None,
            sale_date: None,
            deposits: vec![],
            details: Default::default(),
        })
        .unwrap();
    f.store
        .add_line(
            deposit,
            &line("Acompte 30 % sur devis D-12", "1", "1500", "20"),
        )
        .unwrap();
    let deposit_number = f.store.issue(deposit, date("2026-10-01")).unwrap();

    let client = f.client;
    let new_balance = |deposits: Vec<String>| NewDraft {
        client,
        currency: Currency::EUR,
        kind: InvoiceKind::Balance,
        due_date: None,
        sale_date: None,
        deposits,
        details: Default::default(),
    };
    let standard = draft(&mut f, &[line("x", "1", "1", "20")]);
    let standard_number = f.store.issue(standard, date("2026-10-02")).unwrap();
    assert_eq!(
        rejection(
            f.store
                .create_draft(&new_balance(vec![standard_number.clone()]))
        ),
        Rejection::NotADeposit(standard_number)
    );

    let balance = f
        .store
        .create_draft(&new_balance(vec![deposit_number.clone()]))
        .unwrap();
    f.store
        .add_line(balance, &line("Site vitrine", "1", "5000", "20"))
        .unwrap();
    let number = f.store.issue(balance, date("2026-11-23")).unwrap();
    let inv = f.store.invoice(&number).unwrap();
    assert_eq!(inv.deposits, vec![deposit_number.clone()]);
    assert_eq!(inv.totals.total, eur(600_000 - 180_000));
    let paid = f.store.invoice(&deposit_number).unwrap().totals.total;
    assert_eq!(paid.checked_add(inv.totals.total).unwrap(), eur(600_000));
}

#[test]
fn two_writers_on_one_file_never_share_or_skip_a_number() {
    let f = fixture();
    let path = f.path.clone();
    let client = f.client;
    drop(f.store);
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                (0..40)
                    .map(|_| {
                        let id = store.create_draft(&eur_draft(client)).unwrap();
                        store.add_line(id, &line("x", "1", "1", "20")).unwrap();
                        store.issue(id, date("2026-11-23")).unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut numbers: Vec<String> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=80).map(|n| format!("F-2026-{n:04}")).collect();
    assert_eq!(numbers, expected);
}

#[test]
fn listing_shows_drafts_and_issued_with_their_status() {
    let mut f = fixture();
    let a = draft(&mut f, &[line("A", "1", "100", "20")]);
    f.store.issue(a, date("2026-11-20")).unwrap();
    draft(&mut f, &[line("B", "3", "10", "0")]);
    let all = f.store.list_invoices(None).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].status, InvoiceStatus::Draft);
    assert_eq!(all[0].total, eur(3000));
    assert_eq!(all[1].number.as_deref(), Some("F-2026-0001"));
    assert_eq!(all[1].client, "Boulangerie Martin");
    let issued = f.store.list_invoices(Some(InvoiceStatus::Issued)).unwrap();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].amount_due, eur(12_000));
}

mod opening {
    use super::*;

    #[test]
    fn a_new_file_gets_the_latest_schema_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        drop(Store::open(&path).unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        let app: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .unwrap();
        let wal: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(
            (version as usize, app, wal.as_str()),
            (
                acquit_store::schema_version(),
                acquit_store::APPLICATION_ID,
                "wal"
            )
        );
        drop(conn);
        Store::open(&path).unwrap();
    }

    #[test]
    fn threads_opening_a_new_file_at_once_create_it_once() {
        // The app opens its file on one thread while its sync thread opens
        // it on another: the second waits for the first's migrations
        // instead of running them again ("table already exists": without
        // the lock, most runs of these 20 rounds of 8 threads failed).
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("new.db");
            let opened: Vec<Result<(), String>> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..8)
                    .map(|_| {
                        scope.spawn(|| Store::open(&path).map(drop).map_err(|e| e.to_string()))
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            assert_eq!(opened, vec![Ok(()); 8]);
            assert!(Store::open(&path).unwrap().clients().unwrap().is_empty());
        }
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::fs::write(&path, "factures 2026\n").unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
        assert!(err.to_string().contains("acquit restore"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "factures 2026\n");
    }

    #[test]
    fn another_apps_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute("CREATE TABLE notes (x)", [])
            .unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err}");
    }

    #[test]
    fn a_database_from_a_newer_acquit_is_refused() {
        let f = fixture();
        drop(f.store);
        let conn = rusqlite::Connection::open(&f.path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = Store::open(&f.path).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
        assert!(err.to_string().contains("update Acquit"), "{err}");
    }

    #[test]
    fn a_corrupted_file_is_refused() {
        let f = fixture();
        drop(f.store);
        // Overwrite a page in the middle of the file with garbage.
        let conn = rusqlite::Connection::open(&f.path).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        drop(conn);
        let mut bytes = std::fs::read(&f.path).unwrap();
        let page = 4096;
        assert!(bytes.len() > 3 * page);
        for b in &mut bytes[2 * page..3 * page] {
            *b = 0xA5;
        }
        std::fs::write(&f.path, &bytes).unwrap();
        let err = Store::open(&f.path).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Corrupt { .. } | StoreError::NotADatabase { .. }
            ),
            "{err}"
        );
    }

    /// The journal's first page overwritten: the file still opens (its
    /// header and schema are whole), its integrity check fails.
    fn damage_the_journal(f: Fixture) -> (tempfile::TempDir, std::path::PathBuf, Vec<u8>) {
        let Fixture {
            _dir, path, store, ..
        } = f;
        drop(store);
        // Everything in the main file, which stays in WAL mode as the app's.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        let root: i64 = conn
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = 'journal'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let root = usize::try_from(root).unwrap();
        drop(conn);
        let mut bytes = std::fs::read(&path).unwrap();
        let page = 4096;
        for b in &mut bytes[(root - 1) * page + 8..root * page] {
            *b = 0xA5;
        }
        std::fs::write(&path, &bytes).unwrap();
        (_dir, path, bytes)
    }

    /// At the app's start the check runs beside the first rows: the damaged
    /// books still read, but the first write waits for the check and is
    /// refused with why, and so is every later one; nothing is written.
    #[test]
    fn opened_checking_later_a_damaged_file_reads_but_refuses_every_write() {
        let mut f = fixture();
        let id = draft(&mut f, &[line("A", "1", "100", "20")]);
        f.store.issue(id, date("2026-11-23")).unwrap();
        let (_dir, path, bytes) = damage_the_journal(f);
        assert!(matches!(
            Store::open(&path).unwrap_err(),
            StoreError::Corrupt { .. }
        ));

        let mut store = Store::open_checking_later(&path).unwrap();
        assert_eq!(store.list_invoices(None).unwrap().len(), 1);
        for _ in 0..2 {
            let err = store.set_setting("ui.lang", "fr").unwrap_err();
            assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
            assert!(err.to_string().contains("acquit restore"), "{err}");
        }
        assert!(matches!(
            store.integrity().unwrap_err(),
            StoreError::Corrupt { .. }
        ));
        drop(store);
        assert!(
            std::fs::read(&path).unwrap() == bytes,
            "the damaged file was written to"
        );
        // Another open of the same file in this process says the same.
        assert!(matches!(
            Store::open(&path).unwrap_err(),
            StoreError::Corrupt { .. }
        ));
    }

    #[test]
    fn opened_checking_later_whole_books_write_once_checked() {
        let mut f = fixture();
        let id = draft(&mut f, &[line("A", "1", "100", "20")]);
        f.store.issue(id, date("2026-11-23")).unwrap();
        drop(f.store);
        // Another stamp, so that this process checks the file again.
        let file = std::fs::File::options().write(true).open(&f.path).unwrap();
        file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
            .unwrap();
        drop(file);
        let mut store = Store::open_checking_later(&f.path).unwrap();
        store.set_setting("ui.lang", "fr").unwrap();
        assert!(store.integrity().unwrap());
        assert_eq!(store.setting("ui.lang").unwrap().as_deref(), Some("fr"));
    }

    #[test]
    fn an_online_backup_is_a_complete_verified_copy() {
        let mut f = fixture();
        let id = draft(&mut f, &[line("A", "1", "100", "20")]);
        let number = f.store.issue(id, date("2026-11-23")).unwrap();
        let copy = f.path.with_file_name("copy.db");
        f.store.backup(&copy).unwrap();
        let restored = Store::open(&copy).unwrap();
        assert_eq!(restored.invoice(&number).unwrap().totals.total, eur(12_000));
    }
}

#[test]
fn pages_and_search_find_invoices_by_number_or_client() {
    let mut f = fixture();
    let other = f.store.add_client(&Client::new("Garage Lefèvre")).unwrap();
    for i in 0..12 {
        let id = f
            .store
            .create_draft(&NewDraft {
                client: if i % 3 == 0 { other } else { f.client },
                currency: Currency::EUR,
                kind: InvoiceKind::Standard,
                due_date: None,
                sale_date: None,
                deposits: vec![],
                details: Default::default(),
            })
            .unwrap();
        f.store.add_line(id, &line("x", "1", "10", "20")).unwrap();
        f.store.issue(id, date("2026-11-23")).unwrap();
    }
    let page = |search: Option<&str>, offset, limit| -> Vec<String> {
        f.store
            .list_page(&acquit_store::ListQuery {
                status: None,
                search: search.map(str::to_owned),
                offset,
                limit,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|s| s.number.unwrap())
            .collect()
    };
    assert_eq!(
        page(None, 0, 3),
        ["F-2026-0012", "F-2026-0011", "F-2026-0010"]
    );
    assert_eq!(page(None, 10, 5), ["F-2026-0002", "F-2026-0001"]);
    assert_eq!(
        page(Some("lefèvre"), 0, 50),
        ["F-2026-0010", "F-2026-0007", "F-2026-0004", "F-2026-0001"]
    );
    assert_eq!(
        page(Some("F-2026-001"), 0, 50),
        ["F-2026-0012", "F-2026-0011", "F-2026-0010"]
    );
    assert!(page(Some("Zorro"), 0, 50).is_empty());
}

#[test]
fn a_draft_line_can_be_removed_and_the_others_move_up() {
    let mut f = fixture();
    let id = draft(
        &mut f,
        &[
            line("A", "1", "1", "20"),
            line("B", "1", "2", "20"),
            line("C", "1", "3", "20"),
        ],
    );
    f.store.remove_line(id, 1).unwrap();
    let v = f.store.invoice_by_id(id).unwrap();
    let lines: Vec<(i64, &str)> = v
        .lines
        .iter()
        .map(|l| (l.position, l.line.description.as_str()))
        .collect();
    assert_eq!(lines, [(1, "B"), (2, "C")]);
    assert!(matches!(
        rejection(f.store.remove_line(id, 3)),
        Rejection::Invalid(_)
    ));
    let number = f.store.issue(id, date("2026-11-23")).unwrap();
    assert_eq!(
        rejection(f.store.remove_line(id, 1)),
        Rejection::Locked(number)
    );
}

#[test]
fn the_logo_must_be_a_reasonable_png() {
    let mut f = fixture();
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../icons/32x32.png"
    ))
    .unwrap();
    f.store.set_logo(&png).unwrap();
    assert_eq!(f.store.logo().unwrap(), Some(png.clone()));
    assert!(matches!(
        rejection(f.store.set_logo(b"GIF89a...")),
        Rejection::Invalid(_)
    ));
    let mut huge = png.clone();
    huge.resize(2 * 1024 * 1024, 0);
    let err = rejection(f.store.set_logo(&huge)).to_string();
    assert!(err.contains("make it smaller"), "{err}");
    assert_eq!(
        f.store.logo().unwrap(),
        Some(png),
        "a refused logo changes nothing"
    );
}

#[test]
fn the_list_marks_unpaid_invoices_past_their_due_date() {
    let mut f = fixture();
    let id = draft(&mut f, &[line("A", "1", "100", "20")]);
    f.store.issue(id, date("2026-10-01")).unwrap(); // due 2026-10-31
    let overdue_on = |day: &str| {
        f.store
            .list_page(&acquit_store::ListQuery {
                today: date(day),
                ..Default::default()
            })
            .unwrap()[0]
            .overdue
    };
    assert!(!overdue_on("2026-10-31"));
    assert!(overdue_on("2026-11-01"));
}

#[test]
fn a_client_invoiced_without_french_vat_gets_only_zero_rate_lines_and_keeps_its_reason() {
    let mut f = fixture();
    let mut london = Client::new("Thames Digital Ltd");
    london.vat_exemption = acquit_core::VatExemption::ReverseCharge;
    // An EU reverse charge names the client's VAT number on the invoice.
    assert_eq!(
        rejection(f.store.add_client(&london)),
        Rejection::ExemptionNeedsVatNumber {
            client: "Thames Digital Ltd".into(),
            exemption: "reverse-charge".into()
        }
    );
    london.vat_exemption = acquit_core::VatExemption::ServicesOutsideEu;
    f.client = f.store.add_client(&london).unwrap();

    let taxed = draft(
        &mut f,
        &[
            line("Audit", "1", "500", "0"),
            line("Site", "1", "100", "20"),
        ],
    );
    assert_eq!(
        rejection(f.store.issue(taxed, date("2026-11-23"))),
        Rejection::VatOnExemptInvoice {
            client: "Thames Digital Ltd".into(),
            exemption: "services-outside-eu".into(),
            line: 2,
            rate: VatRate::parse("20").unwrap(),
        }
    );
    assert!(
        f.store
            .list_invoices(Some(InvoiceStatus::Issued))
            .unwrap()
            .is_empty()
    );

    let zero = draft(&mut f, &[line("Audit", "1", "500", "0")]);
    let number = f.store.issue(zero, date("2026-11-23")).unwrap();
    let issued = f.store.invoice(&number).unwrap();
    assert_eq!(issued.totals.total, eur(50_000));
    // The reason is in the invoice's snapshot of its client.
    assert_eq!(
        issued.buyer.vat_exemption,
        acquit_core::VatExemption::ServicesOutsideEu
    );
}

#[test]
fn editing_a_client_changes_its_next_invoices_and_never_its_issued_ones() {
    let mut f = fixture();
    let before = draft(&mut f, &[line("Audit", "1", "500", "0")]);
    let issued = f.store.issue(before, date("2026-11-20")).unwrap();
    let later = draft(&mut f, &[line("Suivi", "1", "100", "0")]);

    let mut moved = f.store.client(f.client).unwrap();
    moved.name = "Boulangerie Martin GmbH".into();
    moved.address = Some("Unter den Linden 1\nBerlin".into());
    moved.vat_exemption = acquit_core::VatExemption::ReverseCharge;
    // Refused without its VAT number: nothing changes.
    assert!(matches!(
        rejection(f.store.update_client(f.client, &moved)),
        Rejection::ExemptionNeedsVatNumber { .. }
    ));
    assert_eq!(f.store.client(f.client).unwrap().name, "Boulangerie Martin");
    moved.vat_number = Some(acquit_core::ids::VatNumber::parse("DE136695976").unwrap());
    f.store.update_client(f.client, &moved).unwrap();
    assert_eq!(f.store.client(f.client).unwrap(), moved);
    assert_eq!(
        rejection(f.store.update_client(ClientId(999), &moved)),
        Rejection::NoSuchClient(999)
    );

    let next = f.store.issue(later, date("2026-11-23")).unwrap();
    let next = f.store.invoice(&next).unwrap();
    assert_eq!(next.buyer.name, "Boulangerie Martin GmbH");
    assert_eq!(
        next.buyer.vat_exemption,
        acquit_core::VatExemption::ReverseCharge
    );
    let old = f.store.invoice(&issued).unwrap();
    assert_eq!(old.buyer.name, "Boulangerie Martin");
    assert_eq!(old.buyer.vat_exemption, acquit_core::VatExemption::None);
    // The list and search show the client's current name.
    assert_eq!(f.store.search_clients("GmbH", 10).unwrap()[0].0, f.client);
}
