//! Quotes (migration 0010): their own gapless series, locked once issued,
//! a decision recorded once and within the validity, states derived from
//! facts, and the deposit and balance invoices made from an accepted quote
//! adding up to it exactly.

use acquit_core::quote::{DecidedVia, Decision, DepositShare, QuoteStatus};
use acquit_core::tax::{Discount, LineInput};
use acquit_core::{
    Client, Currency, InvoiceDetails, InvoiceKind, Line, Money, Nature, Quantity, VatRate,
};
use acquit_store::{NewQuote, QuoteId, Rejection, Store, StoreError};
use chrono::NaiveDate;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn line(description: &str, minor: i64, vat_bp: u32) -> Line {
    Line {
        description: description.into(),
        input: LineInput {
            quantity: Quantity::ONE,
            unit_price: Money::new(minor, Currency::EUR),
            vat_rate: VatRate::from_basis_points(vat_bp).unwrap(),
            discount: Discount::None,
        },
        nature: Some(Nature::Service),
        unit: None,
    }
}

fn books() -> (tempfile::TempDir, Store, acquit_store::ClientId) {
    let (dir, mut store) = acquit_testkit::books::with_seller();
    let client = store
        .add_client(&Client::new("Boulangerie Lumière"))
        .unwrap();
    (dir, store, client)
}

fn quote(store: &mut Store, client: acquit_store::ClientId, lines: &[Line]) -> QuoteId {
    let id = store
        .create_quote(&NewQuote {
            client,
            currency: Currency::EUR,
            valid_until: None,
            details: InvoiceDetails::default(),
        })
        .unwrap();
    for l in lines {
        store.quote_add_line(id, l).unwrap();
    }
    id
}

fn accept(store: &mut Store, number: &str, on: &str) {
    store
        .decide_quote(
            number,
            &Decision {
                accepted: true,
                on: day(on),
                by: "Léa Martin".into(),
                comment: None,
                via: DecidedVia::Hand,
            },
        )
        .unwrap();
}

#[test]
fn quotes_have_their_own_series_and_lock_once_issued() {
    let (_dir, mut store, client) = books();
    let first = quote(&mut store, client, &[line("Site vitrine", 240_000, 2000)]);
    // A draft is edited freely.
    store
        .quote_add_line(first, &line("Hébergement", 12_000, 2000))
        .unwrap();
    store.quote_remove_line(first, 2).unwrap();
    assert_eq!(
        store
            .quote_by_id(first, day("2027-01-05"))
            .unwrap()
            .lines
            .len(),
        1
    );
    assert_eq!(
        store.issue_quote(first, day("2027-01-05")).unwrap(),
        "D-2027-0001"
    );
    // Quotes do not take invoice numbers, nor invoices quote numbers.
    let invoice = acquit_store_support_issue(&mut store, client, day("2027-01-06"));
    assert_eq!(invoice, "F-2027-0001");
    let second = quote(&mut store, client, &[line("Logo", 50_000, 2000)]);
    assert_eq!(
        store.issue_quote(second, day("2027-01-07")).unwrap(),
        "D-2027-0002"
    );

    let issued = store.quote("D-2027-0001", day("2027-01-10")).unwrap();
    assert_eq!(issued.status, QuoteStatus::Issued);
    // Valid 30 days by default, the issue day counted as day 0.
    assert_eq!(issued.valid_until, Some(day("2027-02-04")));
    assert_eq!(issued.totals.total, Money::new(288_000, Currency::EUR));

    // Locked: by the store, and by the file's triggers whatever writes it.
    let refused = store
        .quote_add_line(first, &line("Extra", 1, 2000))
        .unwrap_err();
    assert!(
        refused.to_string().contains("issued and locked"),
        "{refused}"
    );
    assert!(store.delete_quote_draft(first).is_err());
    let raw = rusqlite::Connection::open(_dir.path().join("acquit.db")).unwrap();
    let by_hand = raw.execute("UPDATE quotes SET total_minor = 1 WHERE id = ?1", [first.0]);
    assert!(
        by_hand
            .unwrap_err()
            .to_string()
            .contains("cannot be changed")
    );
    let by_hand = raw.execute("DELETE FROM quotes WHERE id = ?1", [first.0]);
    assert!(
        by_hand
            .unwrap_err()
            .to_string()
            .contains("cannot be deleted")
    );

    // Numbers follow dates, as for invoices.
    let third = quote(&mut store, client, &[line("Maintenance", 10_000, 2000)]);
    match store.issue_quote(third, day("2027-01-06")) {
        Err(StoreError::Rejected(Rejection::Chronology { number, .. })) => {
            assert_eq!(number, "D-2027-0002")
        }
        other => panic!("expected Chronology, got {other:?}"),
    }
    // The failed attempt used no number.
    assert_eq!(
        store.issue_quote(third, day("2027-01-07")).unwrap(),
        "D-2027-0003"
    );

    // A pattern of their own: the invoices' one is refused.
    let same = acquit_core::numbering::NumberPattern::parse("F-{YYYY}-{NNNN}").unwrap();
    assert!(store.set_quote_pattern(&same).is_err());
}

/// Issues a one-line invoice for `client` on `on`.
fn acquit_store_support_issue(
    store: &mut Store,
    client: acquit_store::ClientId,
    on: NaiveDate,
) -> String {
    let id = store
        .create_draft(&acquit_store::NewDraft {
            client,
            currency: Currency::EUR,
            kind: InvoiceKind::Standard,
            due_date: None,
            sale_date: None,
            deposits: vec![],
            details: InvoiceDetails::default(),
        })
        .unwrap();
    store.add_line(id, &line("Conseil", 10_000, 2000)).unwrap();
    store.issue(id, on).unwrap()
}

#[test]
fn the_state_follows_the_facts_and_a_decision_is_final() {
    let (dir, mut store, client) = books();
    let id = quote(&mut store, client, &[line("Site vitrine", 240_000, 2000)]);
    let number = store.issue_quote(id, day("2027-01-05")).unwrap();
    let status = |store: &Store, today: &str| store.quote(&number, day(today)).unwrap().status;
    assert_eq!(status(&store, "2027-01-05"), QuoteStatus::Issued);
    store.quote_sent(&number, day("2027-01-06")).unwrap();
    store.quote_sent(&number, day("2027-01-09")).unwrap();
    let view = store.quote(&number, day("2027-01-10")).unwrap();
    assert_eq!(
        (view.status, view.sent_on),
        (QuoteStatus::Sent, Some(day("2027-01-06")))
    );
    assert_eq!(status(&store, "2027-02-05"), QuoteStatus::Expired);

    // Too late, then too early: nothing recorded.
    let late = Decision {
        accepted: true,
        on: day("2027-02-05"),
        by: "Léa Martin".into(),
        comment: None,
        via: DecidedVia::Hand,
    };
    let refused = store.decide_quote(&number, &late).unwrap_err();
    assert!(
        refused.to_string().contains("valid until 2027-02-04"),
        "{refused}"
    );
    assert_eq!(status(&store, "2027-01-20"), QuoteStatus::Sent);

    store
        .decide_quote(
            &number,
            &Decision {
                accepted: false,
                on: day("2027-01-20"),
                by: " Léa Martin ".into(),
                comment: Some("Trop cher".into()),
                via: DecidedVia::Page,
            },
        )
        .unwrap();
    let view = store.quote(&number, day("2027-06-01")).unwrap();
    assert_eq!(view.status, QuoteStatus::Declined);
    let decision = view.decision.unwrap();
    assert_eq!(
        (
            decision.by.as_str(),
            decision.comment.as_deref(),
            decision.via
        ),
        ("Léa Martin", Some("Trop cher"), DecidedVia::Page)
    );
    // Final: neither the store nor a raw second row changes it.
    let again = store.decide_quote(
        &number,
        &Decision {
            on: day("2027-01-21"),
            ..late
        },
    );
    assert!(again.unwrap_err().to_string().contains("already declined"));
    let raw = rusqlite::Connection::open(dir.path().join("acquit.db")).unwrap();
    let second = raw.execute(
        "INSERT INTO quote_events (quote_id, kind, on_date, by_name, via, at) VALUES (?1, 'accepted', '2027-01-21', 'X', 'hand', 'now')",
        [id.0],
    );
    assert!(second.is_err());
    assert!(raw.execute("DELETE FROM quote_events", []).is_err());
    // A declined quote is not invoiced.
    let refused = store
        .invoice_quote(&number, None, day("2027-01-22"))
        .unwrap_err();
    assert!(
        refused.to_string().contains("only an accepted quote"),
        "{refused}"
    );
}

/// The issue's acceptance: a 30 % deposit then the balance, exact. Two
/// rates so the rounding per rate shows: 30 % of 2 400,00 is 720,00; of
/// 333,33 is 99,999 → 100,00.
#[test]
fn a_deposit_then_the_balance_add_up_to_the_accepted_quote() {
    let (_dir, mut store, client) = books();
    let id = quote(
        &mut store,
        client,
        &[
            line("Site vitrine", 240_000, 2000),
            line("Formation", 33_333, 550),
        ],
    );
    let number = store.issue_quote(id, day("2027-01-05")).unwrap();
    let refused = store
        .invoice_quote(&number, None, day("2027-01-06"))
        .unwrap_err();
    assert!(
        refused.to_string().contains("only an accepted quote"),
        "{refused}"
    );
    accept(&mut store, &number, "2027-01-10");
    let quote_total = store
        .quote(&number, day("2027-01-10"))
        .unwrap()
        .totals
        .total;

    let share = DepositShare::parse("30%").unwrap();
    let deposit = store
        .invoice_quote(&number, Some(share), day("2027-01-10"))
        .unwrap();
    // One draft at a time.
    let twice = store
        .invoice_quote(&number, None, day("2027-01-10"))
        .unwrap_err();
    assert!(twice.to_string().contains("already made"), "{twice}");
    let draft = store.invoice_by_id(deposit).unwrap();
    assert_eq!(draft.kind, InvoiceKind::Deposit);
    assert_eq!(draft.details.quote_ref.as_deref(), Some(number.as_str()));
    let prices: Vec<(u32, i64)> = draft
        .lines
        .iter()
        .map(|l| {
            (
                l.line.input.vat_rate.basis_points(),
                l.line.input.unit_price.minor(),
            )
        })
        .collect();
    assert_eq!(prices, vec![(550, 10_000), (2000, 72_000)]);
    assert_eq!(
        draft.lines[0].line.description,
        format!("Acompte de 30\u{a0}% sur le devis {number} (TVA 5,5\u{a0}%)")
    );
    let deposit_number = store.issue(deposit, day("2027-01-11")).unwrap();
    let deposit_total = store.invoice(&deposit_number).unwrap().totals.total;

    let balance = store
        .invoice_quote(&number, None, day("2027-01-20"))
        .unwrap();
    let draft = store.invoice_by_id(balance).unwrap();
    assert_eq!(draft.kind, InvoiceKind::Balance);
    assert_eq!(draft.deposits, vec![deposit_number.clone()]);
    let balance_number = store.issue(balance, day("2027-02-15")).unwrap();
    let balance_total = store.invoice(&balance_number).unwrap().totals.total;
    assert_eq!(
        deposit_total.minor() + balance_total.minor(),
        quote_total.minor(),
        "{deposit_total} + {balance_total} = {quote_total}"
    );
    // 2 400 + 480 VAT + 333,33 + 18,33 VAT = 3 231,66; 30 %: 720 + 144 +
    // 100 + 5,50 = 969,50.
    assert_eq!(quote_total.minor(), 323_166);
    assert_eq!(deposit_total.minor(), 96_950);

    let view = store.quote(&number, day("2027-03-01")).unwrap();
    let made: Vec<_> = view
        .invoices
        .iter()
        .map(|i| (i.kind, i.number.clone()))
        .collect();
    assert_eq!(
        made,
        vec![
            (InvoiceKind::Deposit, Some(deposit_number)),
            (InvoiceKind::Balance, Some(balance_number.clone()))
        ]
    );
    let done = store
        .invoice_quote(&number, None, day("2027-03-01"))
        .unwrap_err();
    assert!(done.to_string().contains(&balance_number), "{done}");
}

#[test]
fn a_deleted_draft_frees_the_quote_and_a_full_invoice_copies_its_lines() {
    let (_dir, mut store, client) = books();
    let id = quote(&mut store, client, &[line("Site vitrine", 240_000, 2000)]);
    let number = store.issue_quote(id, day("2027-01-05")).unwrap();
    accept(&mut store, &number, "2027-01-05");
    let draft = store
        .invoice_quote(&number, None, day("2027-01-05"))
        .unwrap();
    store.delete_draft(draft).unwrap();
    assert!(
        store
            .quote(&number, day("2027-01-06"))
            .unwrap()
            .invoices
            .is_empty()
    );
    let draft = store
        .invoice_quote(&number, None, day("2027-01-06"))
        .unwrap();
    let view = store.invoice_by_id(draft).unwrap();
    assert_eq!(view.kind, InvoiceKind::Standard);
    assert_eq!(view.lines[0].line.description, "Site vitrine");
    assert_eq!(view.totals.total.minor(), 288_000);
    // A quote with no lines is not issued.
    let empty = quote(&mut store, client, &[]);
    let refused = store.issue_quote(empty, day("2027-01-06")).unwrap_err();
    assert!(refused.to_string().contains("no lines"), "{refused}");
    assert!(matches!(
        store.quote("D-2099-0001", day("2027-01-06")),
        Err(StoreError::Rejected(Rejection::NoSuchQuote(_)))
    ));
}

/// The app writes a quote in the invoice editor: issuing the draft as a
/// quote makes and issues the quote and deletes the draft, all or nothing.
#[test]
fn an_invoice_draft_is_issued_as_a_quote_all_or_nothing() {
    let (_dir, mut store, client) = books();
    let draft = store
        .create_draft(&acquit_store::NewDraft {
            client,
            currency: Currency::EUR,
            kind: InvoiceKind::Standard,
            due_date: None,
            sale_date: None,
            deposits: vec![],
            details: InvoiceDetails {
                buyer_ref: Some("BC-12".into()),
                ..InvoiceDetails::default()
            },
        })
        .unwrap();
    store
        .add_line(draft, &line("Site vitrine", 240_000, 2000))
        .unwrap();
    // Valid until before the issue date: refused, the draft untouched.
    let refused = store
        .issue_draft_as_quote(draft, day("2027-01-05"), Some(day("2027-01-04")))
        .unwrap_err();
    assert!(refused.to_string().contains("--valid-until"), "{refused}");
    assert_eq!(store.invoice_by_id(draft).unwrap().lines.len(), 1);
    assert!(store.quotes(day("2027-01-05")).unwrap().is_empty());

    let (id, number) = store
        .issue_draft_as_quote(draft, day("2027-01-05"), Some(day("2027-03-01")))
        .unwrap();
    assert_eq!(number, "D-2027-0001");
    assert!(store.invoice_by_id(draft).is_err(), "the draft is gone");
    let quote = store.quote_by_id(id, day("2027-01-05")).unwrap();
    assert_eq!(quote.valid_until, Some(day("2027-03-01")));
    assert_eq!(quote.details.buyer_ref.as_deref(), Some("BC-12"));
    assert_eq!(quote.totals.total.minor(), 288_000);
}

/// The sync asks the relay for the answers of shared quotes still
/// undecided; one expired for more than a day can take none and is left
/// out, as is one decided.
#[test]
fn shared_quotes_await_an_answer_until_decided_or_expired() {
    let (_dir, mut store, client) = books();
    let id = store
        .create_quote(&NewQuote {
            client,
            currency: Currency::EUR,
            valid_until: Some(day("2027-01-10")),
            details: InvoiceDetails::default(),
        })
        .unwrap();
    store
        .quote_add_line(id, &line("Site vitrine", 240_000, 2000))
        .unwrap();
    let number = store.issue_quote(id, day("2027-01-05")).unwrap();
    let share = store.share_quote(&number).unwrap();
    assert!(
        store
            .quote_shares_awaiting_reply(day("2027-01-06"))
            .unwrap()
            .is_empty(),
        "not published yet"
    );
    store.quote_share_published(&share.doc_token).unwrap();
    let awaiting =
        |store: &Store, today: &str| store.quote_shares_awaiting_reply(day(today)).unwrap().len();
    assert_eq!(awaiting(&store, "2027-01-06"), 1);
    assert_eq!(
        awaiting(&store, "2027-01-11"),
        1,
        "a day's slack for the client's time zone"
    );
    assert_eq!(awaiting(&store, "2027-01-12"), 0);
    accept(&mut store, &number, "2027-01-08");
    assert_eq!(awaiting(&store, "2027-01-08"), 0);
    // The same share comes back while live.
    assert_eq!(
        store.share_quote(&number).unwrap().doc_token,
        share.doc_token
    );
}
