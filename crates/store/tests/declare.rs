//! The micro-entrepreneur's declaration on real books: cash basis, the
//! split by activity, euros only, thresholds (acquit_core::declaration's
//! rules, applied by the store).

use acquit_core::declaration::{Level, Period, Regime, Scope, Threshold, Warning};
use acquit_core::tax::{Discount, LineInput};
use acquit_core::{
    Activity, Client, Currency, EurRate, InvoiceDetails, InvoiceKind, Line, Money, Nature,
    Quantity, Seller, VatRate, VatRegime,
};
use acquit_store::{NewDraft, NewPayment, PaymentMethod, Rejection, Store, StoreError};
use acquit_testkit::books::eur;
use chrono::NaiveDate;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn period(s: &str) -> Period {
    Period::parse(s).unwrap()
}

struct Books {
    _dir: tempfile::TempDir,
    store: Store,
}

impl Books {
    fn new(activity: Option<Activity>, regime: VatRegime) -> Books {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("acquit.db")).unwrap();
        let mut seller = Seller::new("Atelier Durand", "12 rue des Lilas, Paris");
        seller.activity = activity;
        seller.vat_regime = regime;
        store.set_seller(&seller).unwrap();
        Books { _dir: dir, store }
    }

    fn set_activity(&mut self, activity: Option<Activity>) {
        let mut seller = self.store.seller().unwrap().unwrap();
        seller.activity = activity;
        self.store.set_seller(&seller).unwrap();
    }

    /// Issues on `day` an invoice with `lines` (nature, quantity, unit
    /// price, VAT rate) in `currency`, at `rate` euros if given.
    fn invoice(
        &mut self,
        day: &str,
        currency: Currency,
        rate: Option<&str>,
        lines: &[(Option<Nature>, &str, &str, &str)],
    ) -> String {
        let client = self
            .store
            .add_client(&Client::new("Boulangerie Martin"))
            .unwrap();
        let id = self
            .store
            .create_draft(&NewDraft {
                client,
                currency,
                kind: InvoiceKind::Standard,
                due_date: None,
                sale_date: None,
                deposits: vec![],
                details: InvoiceDetails {
                    eur_rate: rate.map(|r| EurRate::parse(r).unwrap()),
                    ..Default::default()
                },
            })
            .unwrap();
        for (nature, qty, price, vat) in lines {
            let mut line = Line::new(
                "Travaux",
                LineInput {
                    quantity: Quantity::parse(qty).unwrap(),
                    unit_price: Money::parse(price, currency).unwrap(),
                    vat_rate: VatRate::parse(vat).unwrap(),
                    discount: Discount::None,
                },
            );
            line.nature = *nature;
            self.store.add_line(id, &line).unwrap();
        }
        self.store.issue(id, date(day)).unwrap()
    }

    /// Makes `number` an invoice of older books, issued before euro rates
    /// were kept (schema 6): its details removed behind the store's back.
    fn forget_rate(&self, number: &str) {
        let raw = rusqlite::Connection::open(self.store.path()).unwrap();
        raw.execute_batch("DROP TRIGGER invoices_locked_update")
            .unwrap();
        raw.execute(
            "UPDATE invoices SET details = NULL WHERE number = ?1",
            [number],
        )
        .unwrap();
    }

    fn pay(&mut self, number: &str, amount: &str, day: &str) -> acquit_store::PaymentId {
        let currency = self.store.invoice(number).unwrap().currency;
        self.store
            .record_payment(
                number,
                &NewPayment {
                    amount: Money::parse(amount, currency).unwrap(),
                    method: PaymentMethod::Transfer,
                    received_on: date(day),
                    reference: None,
                    fee: None,
                },
            )
            .unwrap()
    }

    /// The period's columns as (received, excluding VAT) in cents:
    /// goods, commercial services, liberal services, unknown.
    fn columns(&self, p: &str) -> Vec<(i64, i64)> {
        let d = self.store.declaration(period(p)).unwrap();
        d.columns
            .rows()
            .iter()
            .map(|r| (r.received.minor(), r.excluding_vat.minor()))
            .collect()
    }
}

const GOODS: Option<Nature> = Some(Nature::Goods);
const SERVICE: Option<Nature> = Some(Nature::Service);

#[test]
fn a_quarter_is_its_ledger_split_by_activity_and_adds_up_to_it() {
    let mut books = Books::new(Some(Activity::LiberalServices), VatRegime::Standard);
    // 100 € of goods at 20 % (120 € TTC) and 100 € of advice at 0 %.
    let mixed = books.invoice(
        "2026-01-10",
        Currency::EUR,
        None,
        &[(GOODS, "1", "100", "20"), (SERVICE, "1", "100", "0")],
    );
    books.pay(&mixed, "110", "2026-02-01");
    books.pay(&mixed, "110", "2026-04-02");
    let q1 = books.store.declaration(period("2026-Q1")).unwrap();
    let rows: Vec<_> = q1
        .columns
        .rows()
        .iter()
        .map(|r| (r.activity, r.received.minor(), r.excluding_vat.minor()))
        .collect();
    assert_eq!(
        rows,
        [
            (Some(Activity::Goods), 6_000, 5_000),
            (Some(Activity::CommercialServices), 0, 0),
            (Some(Activity::LiberalServices), 5_000, 5_000),
            (None, 0, 0),
        ]
    );
    let ledger = books
        .store
        .ledger(Some(date("2026-01-01")), Some(date("2026-03-31")))
        .unwrap();
    let ledger_sum: i64 = ledger.iter().map(|e| e.amount.minor()).sum();
    assert_eq!(q1.columns.total().unwrap().received.minor(), ledger_sum);
    assert_eq!(q1.receipts.len(), 1);
    assert!(q1.warnings.is_empty(), "{:?}", q1.warnings);
    // The year to date of Q2 holds both payments; Q2 itself the second.
    let q2 = books.store.declaration(period("2026-Q2")).unwrap();
    assert_eq!(q2.columns.total().unwrap().received, eur(11_000));
    assert_eq!(
        q2.year_to_date.columns.total().unwrap().received,
        eur(22_000)
    );
    assert_eq!(q2.year_to_date.from, date("2026-01-01"));
    assert_eq!(q2.year_to_date.to, date("2026-06-30"));
    // A month is a period too.
    assert_eq!(books.columns("2026-02"), books.columns("2026-Q1"));
    assert_eq!(books.columns("2026-03"), [(0, 0); 4]);
}

#[test]
fn a_counter_entry_subtracts_in_its_own_period() {
    let mut books = Books::new(Some(Activity::CommercialServices), VatRegime::Standard);
    let number = books.invoice(
        "2026-03-01",
        Currency::EUR,
        None,
        &[(SERVICE, "1", "500", "20")],
    );
    let paid = books.pay(&number, "600", "2026-03-20");
    books
        .store
        .reverse_payment(paid, date("2026-04-03"), Some("chèque rejeté"))
        .unwrap();
    assert_eq!(books.columns("2026-03")[1], (60_000, 50_000));
    assert_eq!(books.columns("2026-04")[1], (-60_000, -50_000));
    let q2 = books.store.declaration(period("2026-Q2")).unwrap();
    assert_eq!(q2.year_to_date.columns.total().unwrap().received, eur(0));
}

#[test]
fn lines_without_nature_follow_the_seller_as_snapshotted_on_the_invoice() {
    let mut books = Books::new(Some(Activity::Goods), VatRegime::Standard);
    let number = books.invoice(
        "2026-05-01",
        Currency::EUR,
        None,
        &[(None, "2", "50", "20")],
    );
    // The profile changes after the invoice: the invoice keeps its seller.
    books.set_activity(Some(Activity::LiberalServices));
    books.pay(&number, "120", "2026-05-02");
    assert_eq!(
        books.columns("2026-05"),
        [(12_000, 10_000), (0, 0), (0, 0), (0, 0)]
    );
    // A service line goes to the services activity of the invoice's seller.
    let service = books.invoice(
        "2026-05-03",
        Currency::EUR,
        None,
        &[(SERVICE, "1", "80", "0")],
    );
    books.pay(&service, "80", "2026-05-04");
    assert_eq!(books.columns("2026-05")[2], (8_000, 8_000));
}

#[test]
fn without_nature_or_activity_the_money_is_unknown_and_said_so() {
    let mut books = Books::new(None, VatRegime::Standard);
    let number = books.invoice(
        "2026-06-01",
        Currency::EUR,
        None,
        &[(None, "1", "100", "20")],
    );
    books.pay(&number, "120", "2026-06-05");
    let d = books.store.declaration(period("2026-06")).unwrap();
    assert_eq!(d.columns.get(None).received, eur(12_000));
    assert_eq!(d.columns.total().unwrap().received, eur(12_000));
    assert_eq!(
        d.warnings[0],
        Warning::UnknownActivity {
            amount: eur(12_000),
            invoices: vec![number.clone()]
        }
    );
    // Service lines of a seller without activity: commercial services.
    let service = books.invoice(
        "2026-06-06",
        Currency::EUR,
        None,
        &[(SERVICE, "1", "10", "0")],
    );
    books.pay(&service, "10", "2026-06-07");
    assert_eq!(books.columns("2026-06")[1], (1_000, 1_000));
}

#[test]
fn foreign_receipts_are_converted_at_the_invoices_rate_else_listed_apart() {
    let mut books = Books::new(Some(Activity::LiberalServices), VatRegime::Standard);
    let usd = Currency::from_code("USD").unwrap();
    let rated = books.invoice(
        "2026-07-01",
        usd,
        Some("1.085"),
        &[(SERVICE, "1", "217", "0")],
    );
    let unrated = books.invoice("2026-07-01", usd, Some("1.1"), &[(SERVICE, "1", "50", "0")]);
    books.forget_rate(&unrated);
    books.pay(&rated, "108.50", "2026-07-02");
    books.pay(&unrated, "50", "2026-07-03");
    let d = books.store.declaration(period("2026-07")).unwrap();
    assert_eq!(
        d.columns.get(Some(Activity::LiberalServices)).received,
        eur(10_000)
    );
    assert_eq!(
        d.columns.total().unwrap().received,
        eur(10_000),
        "the unconverted dollars count nowhere"
    );
    assert_eq!(d.not_converted, [Money::new(5_000, usd)]);
    assert_eq!(d.receipts[0].eur, Some(eur(10_000)));
    assert_eq!(
        d.receipts[0].eur_rate,
        Some(EurRate::parse("1.085").unwrap())
    );
    assert_eq!((d.receipts[1].eur, d.receipts[1].parts.len()), (None, 0));
    assert!(d.warnings.contains(&Warning::NotConverted {
        amount: Money::new(5_000, usd),
        invoices: vec![unrated.clone()]
    }));
    assert_eq!(d.year_to_date.not_converted, [Money::new(5_000, usd)]);
}

fn mine(regime: Regime, scope: Scope, year: i32, limit: i64, higher: Option<i64>) -> Threshold {
    Threshold {
        regime,
        scope,
        from: year,
        to: Some(year),
        limit: eur(limit * 100),
        higher: higher.map(|h| eur(h * 100)),
        source: "my accountant".into(),
        crossed: None,
        higher_crossed: None,
    }
}

#[test]
fn the_year_to_date_is_compared_with_the_thresholds_excluding_vat() {
    let mut books = Books::new(Some(Activity::CommercialServices), VatRegime::Franchise);
    books
        .store
        .set_threshold(&mine(Regime::Micro, Scope::Services, 2026, 1_000, None))
        .unwrap();
    books
        .store
        .set_threshold(&mine(
            Regime::VatFranchise,
            Scope::Services,
            2026,
            500,
            Some(600),
        ))
        .unwrap();
    let number = books.invoice(
        "2026-01-05",
        Currency::EUR,
        None,
        &[(SERVICE, "10", "100", "0")],
    );
    books.pay(&number, "450", "2026-01-10");
    books.pay(&number, "460", "2026-02-10");
    let level = |books: &Books, p: &str, regime: Regime, scope: Scope| {
        let d = books.store.declaration(period(p)).unwrap();
        let check = d
            .checks
            .iter()
            .find(|c| c.picked.threshold.regime == regime && c.picked.threshold.scope == scope)
            .unwrap();
        (check.total.minor() / 100, check.level, check.picked.yours)
    };
    assert_eq!(
        level(&books, "2026-01", Regime::Micro, Scope::Services),
        (450, Level::Below, true)
    );
    assert_eq!(
        level(&books, "2026-01", Regime::VatFranchise, Scope::Services),
        (450, Level::Near, true)
    );
    // February's year to date: 910 €, 91 % of the micro ceiling, above
    // the VAT franchise's higher threshold.
    assert_eq!(
        level(&books, "2026-02", Regime::Micro, Scope::Services),
        (910, Level::Near, true)
    );
    assert_eq!(
        level(&books, "2026-02", Regime::VatFranchise, Scope::Services),
        (910, Level::HigherCrossed, true)
    );
    // Acquit's own figures for the scope not overridden.
    let (total, level_all, yours) = level(&books, "2026-02", Regime::Micro, Scope::All);
    assert_eq!((total, level_all, yours), (910, Level::Below, false));
}

#[test]
fn a_seller_who_charges_vat_is_not_compared_with_the_franchise() {
    let books = Books::new(Some(Activity::Goods), VatRegime::Standard);
    let d = books.store.declaration(period("2026-Q1")).unwrap();
    assert!(!d.vat_franchise);
    assert!(
        d.checks
            .iter()
            .all(|c| c.picked.threshold.regime == Regime::Micro)
    );
    assert_eq!(d.checks.len(), 2);
}

#[test]
fn a_year_after_the_known_figures_uses_the_latest_and_says_so() {
    let books = Books::new(Some(Activity::Goods), VatRegime::Franchise);
    let d = books.store.declaration(period("2029-Q1")).unwrap();
    assert!(d.checks.iter().all(|c| c.picked.outdated));
    assert!(d.warnings.contains(&Warning::Outdated {
        year: 2029,
        figures_of: 2028
    }));
    let d = books.store.declaration(period("2020-Q1")).unwrap();
    assert!(d.checks.is_empty());
    assert!(d.warnings.contains(&Warning::NoThresholds { year: 2020 }));
}

#[test]
fn your_thresholds_replace_the_same_years_refuse_overlaps_and_reset() {
    let mut books = Books::new(None, VatRegime::Franchise);
    let store = &mut books.store;
    store
        .set_threshold(&mine(Regime::Micro, Scope::All, 2027, 200_000, None))
        .unwrap();
    store
        .set_threshold(&mine(Regime::Micro, Scope::All, 2027, 210_000, None))
        .unwrap();
    let yours = store.your_thresholds().unwrap();
    assert_eq!(yours.len(), 1);
    // What crossing it means is Acquit's text for those years.
    let acquits = &store.thresholds(2027).unwrap()[0];
    assert!(
        yours[0]
            .crossed
            .as_ref()
            .unwrap()
            .en
            .contains("two calendar years in a row")
    );
    assert!(acquits.yours);
    assert_eq!(
        store.thresholds(2027).unwrap()[0].threshold.limit,
        eur(21_000_000)
    );
    let mut range = mine(Regime::Micro, Scope::All, 2026, 1, None);
    range.to = Some(2028);
    let refused = store.set_threshold(&range).unwrap_err();
    assert!(
        matches!(&refused, StoreError::Rejected(Rejection::Invalid(m)) if m.contains("already covers 2027")),
        "{refused}"
    );
    let nonsense = mine(Regime::VatFranchise, Scope::All, 2027, 100, Some(50));
    assert!(store.set_threshold(&nonsense).is_err());
    store
        .set_threshold(&mine(Regime::Micro, Scope::Services, 2028, 90_000, None))
        .unwrap();
    assert_eq!(store.remove_thresholds(Some(2027)).unwrap(), 1);
    assert_eq!(
        store.thresholds(2027).unwrap()[0].threshold.limit,
        eur(20_310_000)
    );
    assert_eq!(store.remove_thresholds(None).unwrap(), 1);
    assert!(store.your_thresholds().unwrap().is_empty());
    assert_eq!(
        store.setting(acquit_store::THRESHOLDS_SETTING).unwrap(),
        None
    );
}
