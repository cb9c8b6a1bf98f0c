//! Books built through the store's own API, for the tests of the store, the
//! sync and the app.

use acquit_core::tax::{Discount, LineInput};
use acquit_core::{Client, Currency, InvoiceKind, Lang, Line, Money, Quantity, Seller, VatRate};
use acquit_store::{ClientId, NewDraft, Store};
use chrono::NaiveDate;

/// The books file of [`with_seller`]'s folder.
pub const BOOKS_FILE: &str = "acquit.db";

/// New books in a temporary folder (dropped with the `TempDir`), the
/// seller "Atelier Durand, 12 rue des Lilas, 75011 Paris" set.
pub fn with_seller() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join(BOOKS_FILE)).unwrap();
    store
        .set_seller(&Seller::new(
            "Atelier Durand",
            "12 rue des Lilas, 75011 Paris",
        ))
        .unwrap();
    (dir, store)
}

/// `minor` euro cents.
pub fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::EUR)
}

/// A draft in euros, standard, for `client`: no dates, no deposits.
pub fn eur_draft(client: ClientId) -> NewDraft {
    NewDraft {
        client,
        currency: Currency::EUR,
        kind: InvoiceKind::Standard,
        due_date: None,
        sale_date: None,
        deposits: vec![],
        details: Default::default(),
    }
}

/// Issues on `on` an invoice of `minor` euro cents (one VAT-free line) to a
/// new client `client` writing in `lang`; returns its number.
pub fn issue_invoice(
    store: &mut Store,
    client: &str,
    lang: Lang,
    minor: i64,
    on: NaiveDate,
) -> String {
    let mut c = Client::new(client);
    c.lang = lang;
    let client = store.add_client(&c).unwrap();
    let id = store.create_draft(&eur_draft(client)).unwrap();
    let line = Line {
        description: "Refonte du site".into(),
        input: LineInput {
            quantity: Quantity::ONE,
            unit_price: eur(minor),
            vat_rate: VatRate::parse("0").unwrap(),
            discount: Discount::None,
        },
        nature: None,
        unit: None,
    };
    store.add_line(id, &line).unwrap();
    store.issue(id, on).unwrap()
}
