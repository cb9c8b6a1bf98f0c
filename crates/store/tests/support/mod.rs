//! Books built through the store's own API, shared by the store's tests and
//! the app's end-to-end tests (`#[path]`-included there).

use acquit_core::tax::{Discount, LineInput};
use acquit_core::{Client, Currency, InvoiceKind, Lang, Line, Money, Quantity, VatRate};
use acquit_store::{NewDraft, Store};
use chrono::NaiveDate;

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
    let id = store
        .create_draft(&NewDraft {
            client,
            currency: Currency::EUR,
            kind: InvoiceKind::Standard,
            due_date: None,
            sale_date: None,
            deposits: vec![],
            details: Default::default(),
        })
        .unwrap();
    let line = Line {
        description: "Refonte du site".into(),
        input: LineInput {
            quantity: Quantity::ONE,
            unit_price: Money::new(minor, Currency::EUR),
            vat_rate: VatRate::parse("0").unwrap(),
            discount: Discount::None,
        },
        nature: None,
        unit: None,
    };
    store.add_line(id, &line).unwrap();
    store.issue(id, on).unwrap()
}
