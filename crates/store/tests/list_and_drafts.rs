//! The app's scrolling list (counts and deep pages, with and without a
//! status filter) and editing a draft's header.

use acquit_core::tax::{Discount, LineInput};
use acquit_core::{
    Client, Currency, InvoiceKind, InvoiceStatus, Line, Money, Quantity, Seller, VatRate,
};
use acquit_store::{
    ClientId, InvoiceId, ListQuery, NewDraft, NewPayment, PaymentMethod, Rejection, Store,
    StoreError,
};
use acquit_testkit::books::eur_draft;
use chrono::NaiveDate;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn line(price: &str) -> Line {
    Line {
        description: "Développement".into(),
        input: LineInput {
            quantity: Quantity::parse("1").unwrap(),
            unit_price: Money::parse(price, Currency::EUR).unwrap(),
            vat_rate: VatRate::parse("20").unwrap(),
            discount: Discount::None,
        },
        nature: None,
        unit: None,
    }
}

fn header(client: ClientId) -> NewDraft {
    eur_draft(client)
}

fn rejection(result: Result<impl std::fmt::Debug, StoreError>) -> Rejection {
    match result {
        Err(StoreError::Rejected(r)) => r,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn books() -> (tempfile::TempDir, Store, ClientId, ClientId) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("acquit.db")).unwrap();
    store
        .set_seller(&Seller::new(
            "Atelier Durand",
            "12 rue des Lilas\n75011 Paris",
        ))
        .unwrap();
    let martin = store
        .add_client(&Client::new("Boulangerie Martin"))
        .unwrap();
    let lefevre = store.add_client(&Client::new("Garage Lefèvre")).unwrap();
    (dir, store, martin, lefevre)
}

/// 30 invoices (every third paid, Lefèvre's every fifth) and 2 drafts.
fn thirty_invoices() -> (tempfile::TempDir, Store) {
    let (dir, mut store, martin, lefevre) = books();
    for i in 0..30 {
        let id = store
            .create_draft(&header(if i % 5 == 0 { lefevre } else { martin }))
            .unwrap();
        store.add_line(id, &line("100")).unwrap();
        let number = store.issue(id, date("2026-11-02")).unwrap();
        if i % 3 == 0 {
            let due = store.invoice(&number).unwrap().amount_due;
            store
                .record_payment(
                    &number,
                    &NewPayment {
                        amount: due,
                        method: PaymentMethod::Transfer,
                        received_on: date("2026-11-10"),
                        reference: None,
                        fee: None,
                    },
                )
                .unwrap();
        }
    }
    for _ in 0..2 {
        store.create_draft(&header(martin)).unwrap();
    }
    (dir, store)
}

fn query(
    status: Option<InvoiceStatus>,
    search: Option<&str>,
    offset: usize,
    limit: usize,
) -> ListQuery {
    ListQuery {
        status,
        search: search.map(str::to_owned),
        offset,
        limit,
        today: date("2026-11-23"),
    }
}

fn numbers(store: &Store, q: &ListQuery) -> Vec<String> {
    store
        .list_page(q)
        .unwrap()
        .into_iter()
        .map(|s| s.number.unwrap_or_else(|| format!("draft {}", s.id.0)))
        .collect()
}

#[test]
fn the_count_is_the_length_of_the_whole_list_for_each_search_and_filter() {
    let (_dir, store) = thirty_invoices();
    let count = |status, search| store.count_page(&query(status, search, 7, 3)).unwrap();
    assert_eq!(
        count(None, None),
        32,
        "30 invoices and 2 drafts, offset and limit aside"
    );
    assert_eq!(count(Some(InvoiceStatus::Draft), None), 2);
    assert_eq!(count(Some(InvoiceStatus::Paid), None), 10);
    assert_eq!(count(Some(InvoiceStatus::Issued), None), 20);
    assert_eq!(count(None, Some("lefèvre")), 6);
    assert_eq!(
        count(Some(InvoiceStatus::Paid), Some("Lefèvre")),
        2,
        "i = 0 and 15"
    );
    assert_eq!(
        count(None, Some("f-2026-002")),
        10,
        "a number prefix in any case"
    );
    assert_eq!(count(None, Some("Zorro")), 0);
    // The count agrees with reading every page.
    for status in [None, Some(InvoiceStatus::Paid), Some(InvoiceStatus::Draft)] {
        let all = store
            .list_page(&query(status, None, 0, usize::MAX))
            .unwrap();
        assert_eq!(all.len(), count(status, None), "{status:?}");
    }
}

#[test]
fn deep_pages_are_the_same_rows_with_or_without_a_filter() {
    let (_dir, store) = thirty_invoices();
    // Newest first: the drafts (ids 31, 32) lead, F-2026-0001 ends the list.
    let all = numbers(&store, &query(None, None, 0, usize::MAX));
    assert_eq!(all.len(), 32);
    assert_eq!(numbers(&store, &query(None, None, 29, 10)), all[29..]);
    assert_eq!(numbers(&store, &query(None, None, 31, 10)), ["F-2026-0001"]);
    assert!(numbers(&store, &query(None, None, 32, 10)).is_empty());
    // Paid: i = 0, 3, …, 27 → F-2026-0001, 0004, …, 0028, newest first.
    let paid = numbers(&store, &query(Some(InvoiceStatus::Paid), None, 8, 5));
    assert_eq!(paid, ["F-2026-0004", "F-2026-0001"]);
    let drafts = numbers(&store, &query(Some(InvoiceStatus::Draft), None, 1, 5));
    assert_eq!(drafts.len(), 1);
    assert!(drafts[0].starts_with("draft "), "{drafts:?}");
    assert_eq!(
        numbers(&store, &query(None, Some("Lefèvre"), 4, 5)),
        ["F-2026-0006", "F-2026-0001"]
    );
}

#[test]
fn a_drafts_header_is_edited_and_issued_as_edited() {
    let (_dir, mut store, martin, lefevre) = books();
    let id = store.create_draft(&header(martin)).unwrap();
    store.add_line(id, &line("450")).unwrap();
    store
        .update_draft(
            id,
            &NewDraft {
                due_date: Some(date("2027-01-15")),
                sale_date: Some(date("2026-11-01")),
                kind: InvoiceKind::Deposit,
                ..header(lefevre)
            },
        )
        .unwrap();
    let draft = store.invoice_by_id(id).unwrap();
    assert_eq!(draft.client_id, lefevre);
    assert_eq!(draft.kind, InvoiceKind::Deposit);
    assert_eq!(draft.due_date, Some(date("2027-01-15")));
    assert_eq!(draft.lines.len(), 1, "the lines stay");

    let number = store.issue(id, date("2026-11-23")).unwrap();
    let issued = store.invoice(&number).unwrap();
    assert_eq!(issued.buyer.name, "Garage Lefèvre");
    assert_eq!(issued.due_date, Some(date("2027-01-15")));
    assert_eq!(issued.sale_date, Some(date("2026-11-01")));
    assert_eq!(issued.kind, InvoiceKind::Deposit);

    // A balance draft takes that deposit (same client and currency only).
    let balance = store.create_draft(&header(lefevre)).unwrap();
    let as_balance = NewDraft {
        kind: InvoiceKind::Balance,
        deposits: vec![number.clone()],
        ..header(lefevre)
    };
    store.update_draft(balance, &as_balance).unwrap();
    assert_eq!(
        store.invoice_by_id(balance).unwrap().deposits,
        std::slice::from_ref(&number)
    );
    assert_eq!(
        rejection(store.update_draft(
            balance,
            &NewDraft {
                client: martin,
                ..as_balance.clone()
            }
        )),
        Rejection::NotADeposit(number.clone())
    );
    assert_eq!(
        store.invoice_by_id(balance).unwrap().client_id,
        lefevre,
        "a refused edit changes nothing"
    );

    // Issued: locked.
    assert_eq!(
        rejection(store.update_draft(id, &header(martin))),
        Rejection::Locked(number)
    );
}

#[test]
fn a_drafts_currency_changes_only_without_lines_and_its_client_must_exist() {
    let (_dir, mut store, martin, _) = books();
    let id = store.create_draft(&header(martin)).unwrap();
    let in_usd = NewDraft {
        currency: Currency::from_code("USD").unwrap(),
        ..header(martin)
    };
    store.update_draft(id, &in_usd).unwrap();
    assert_eq!(store.invoice_by_id(id).unwrap().currency.code(), "USD");
    store.update_draft(id, &header(martin)).unwrap();
    store.add_line(id, &line("450")).unwrap();
    let refused = rejection(store.update_draft(id, &in_usd));
    assert!(refused.to_string().contains("remove them"), "{refused}");
    assert_eq!(
        rejection(store.update_draft(id, &header(ClientId(999)))),
        Rejection::NoSuchClient(999)
    );
    assert_eq!(
        rejection(store.update_draft(InvoiceId(999), &header(martin))),
        Rejection::NoSuchDraft(999)
    );
}
