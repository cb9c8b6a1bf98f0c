//! The Declaration screen in the real window: the quarter's receipts split
//! by activity (the same `Store::declaration` as `acquit declare`), the
//! year so far against the thresholds, and the user's own figure for one.

use acquit_core::tax::{Discount, LineInput};
use acquit_core::{
    Activity, Client, Currency, Line, Money, Nature, Quantity, Seller, VatRate, VatRegime,
};
use acquit_store::{NewPayment, PaymentMethod, Store};

use crate::harness::{App, plain};
use acquit_testkit::books::eur_draft;

/// A liberal profession under the VAT franchise, with an invoice of 100 €
/// of goods and 100 € of advice paid today.
fn books(db: &std::path::Path) {
    let mut store = Store::open(db).expect("creating the database");
    let mut seller = Seller::new("Atelier Durand", "12 rue des Lilas\n75011 Paris");
    seller.activity = Some(Activity::LiberalServices);
    seller.vat_regime = VatRegime::Franchise;
    store.set_seller(&seller).unwrap();
    let client = store
        .add_client(&Client::new("Boulangerie Martin"))
        .unwrap();
    let draft = store.create_draft(&eur_draft(client)).unwrap();
    for (nature, description) in [(Nature::Goods, "Livre"), (Nature::Service, "Conseil")] {
        let mut line = Line::new(
            description,
            LineInput {
                quantity: Quantity::ONE,
                unit_price: Money::new(10_000, Currency::EUR),
                vat_rate: VatRate::ZERO,
                discount: Discount::None,
            },
        );
        line.nature = Some(nature);
        store.add_line(draft, &line).unwrap();
    }
    let today = acquit_store::today();
    let number = store.issue(draft, today).unwrap();
    store
        .record_payment(
            &number,
            &NewPayment {
                amount: Money::new(20_000, Currency::EUR),
                method: PaymentMethod::Transfer,
                received_on: today,
                reference: None,
                fee: None,
            },
        )
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_declaration_splits_the_quarter_by_activity_and_warns_near_a_threshold() {
    let app = App::launch_with(books).await;
    app.find("[data-testid=language]").await;
    app.choose("[data-testid=language]", "fr").await;

    app.click("[data-testid=nav-declaration]").await;
    let rows = app
        .wait_texts("[data-testid=declaration-row]", |rows| {
            rows.len() == 3 && rows[0].contains("100,00")
        })
        .await;
    let rows: Vec<String> = rows.iter().map(|r| plain(r)).collect();
    assert!(rows[0].starts_with("Ventes de marchandises"), "{rows:?}");
    assert!(rows[0].contains("100,00 €"), "{rows:?}");
    assert!(rows[1].contains("0,00 €"), "{rows:?}");
    assert!(
        rows[2].starts_with("Prestations de services libérales (BNC)"),
        "{rows:?}"
    );
    assert!(rows[2].contains("100,00 €"), "{rows:?}");
    assert!(plain(&app.text("[data-testid=declaration-total]").await).contains("200,00 €"));
    // Under the franchise: the micro ceilings and the franchise thresholds.
    let levels = app
        .wait_texts("[data-testid=threshold-level]", |l| l.len() == 4)
        .await;
    assert!(
        levels.iter().all(|l| l.starts_with("Sous le seuil")),
        "{levels:?}"
    );
    app.screenshot("declaration-0-quarter").await;

    // Your own figure for the services ceiling: its 100 € are 95 % of 105 €.
    let services = "[data-testid=threshold-row][data-regime=micro][data-scope=services]";
    app.click(&format!("{services} [data-testid=threshold-edit]"))
        .await;
    app.fill("[data-testid=threshold-limit]", "105").await;
    app.fill("[data-testid=threshold-source]", "mon comptable")
        .await;
    app.click("[data-testid=threshold-save]").await;
    let level = app
        .wait_texts(&format!("{services} [data-testid=threshold-level]"), |l| {
            l.first().is_some_and(|l| l.starts_with("Proche du seuil"))
        })
        .await;
    assert!(plain(&level[0]).contains("95 %"), "{level:?}");
    let statement = plain(&app.text("[data-testid=threshold-statement]").await);
    assert!(statement.contains("atteignent 95 %"), "{statement}");
    assert!(
        statement.contains("deux années civiles consécutives"),
        "{statement}"
    );
    assert!(plain(&app.text(services).await).contains("votre chiffre · mon comptable"));
    app.screenshot("declaration-1-near-your-threshold").await;

    // Back to Acquit's figures.
    app.click("[data-testid=thresholds-reset]").await;
    app.wait_texts(&format!("{services} [data-testid=threshold-level]"), |l| {
        l.first().is_some_and(|l| l.starts_with("Sous le seuil"))
    })
    .await;
    app.wait_gone("[data-testid=thresholds-reset]").await;
    app.close().await;
}
