//! The legal data of French invoices due on 1 September 2027, typed in the
//! app: structured addresses, a delivery address, the seller's legal
//! mentions, a line's nature and unit, the buyer's order reference, the
//! euro rate of an invoice in another currency, and what the law will ask
//! later shown before issuing.

use acquit_core::{Activity, Address, Client, Country, LegalForm, Nature, Registration, Unit};
use fantoccini::key::Key;

use crate::harness::App;
use crate::harness::demo;

/// The value of the form control matching `css`, once it is `expected`
/// (forms load asynchronously).
async fn wait_value(app: &App, css: &str, expected: &str) {
    let started = std::time::Instant::now();
    loop {
        let value = app
            .client
            .execute(
                "const i = document.querySelector(arguments[0]); return i ? i.value : null",
                vec![serde_json::json!(css)],
            )
            .await
            .expect("reading a form control");
        if value.as_str() == Some(expected) {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "`{css}` holds {value}, not {expected:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Scrolls the first element matching `css` to the top of the window.
async fn scroll_to(app: &App, css: &str) {
    let element = app.find(css).await;
    app.client
        .execute(
            "arguments[0].scrollIntoView({ block: 'start' })",
            vec![serde_json::to_value(&element).expect("element reference")],
        )
        .await
        .expect("scrolling");
}

/// A client created with a structured billing address (a bad French
/// postcode said next to its field) and a different delivery address; a
/// draft for it with the buyer's order number and a service line counted in
/// days, issued: the store holds all of it, and the client's form shows it
/// again, in English too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_with_a_delivery_address_gets_a_service_invoice_in_days_with_its_order_number() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "fr").await;
    app.click("[data-testid=new-invoice]").await;
    app.click("[data-testid=create-client]").await;
    app.fill("[data-testid=client-name]", "Atelier Sud").await;
    let street = format!("12 rue des Arts{}Bâtiment B", Key::Enter);
    app.fill("[data-testid=client-addressStreet]", &street)
        .await;
    app.fill("[data-testid=client-addressPostcode]", "1300")
        .await;
    app.fill("[data-testid=client-addressCity]", "Marseille")
        .await;
    app.click("[data-testid=client-deliveryDiffers]").await;
    app.fill("[data-testid=client-deliveryStreet]", "Quai 4, hangar 2")
        .await;
    app.fill("[data-testid=client-deliveryPostcode]", "13002")
        .await;
    app.fill("[data-testid=client-deliveryCity]", "Marseille")
        .await;
    app.click("[data-testid=save-client]").await;
    let error = app.text("[data-testid=client-error-addressPostcode]").await;
    assert!(
        error.contains("1300") && error.contains("cinq chiffres"),
        "{error}"
    );
    app.fill("[data-testid=client-addressPostcode]", "13001")
        .await;
    app.screenshot("client-form-address-fr").await;
    app.click("[data-testid=save-client]").await;
    app.wait_gone("[data-testid=client-form]").await;
    app.click("[data-testid=create-draft]").await;

    app.click("[data-testid=edit-header]").await;
    app.fill("[data-testid=header-orderRef]", "BC-2027-118")
        .await;
    // Paid by card or cheque, not by transfer.
    app.click("[data-testid=header-payBy-card]").await;
    app.click("[data-testid=header-payBy-cheque]").await;
    // This job is done on a site of its own.
    app.click("[data-testid=header-deliveryElsewhere]").await;
    app.fill(
        "[data-testid=header-deliveryStreet]",
        "Chantier du Vieux-Port",
    )
    .await;
    app.fill("[data-testid=header-deliveryPostcode]", "13002")
        .await;
    app.fill("[data-testid=header-deliveryCity]", "Marseille")
        .await;
    app.screenshot("draft-header-fr").await;
    app.click("[data-testid=header-save]").await;
    app.wait_gone("[data-testid=header-form]").await;
    let reference = app.text("[data-testid=draft-order-ref]").await;
    assert!(reference.contains("BC-2027-118"), "{reference}");
    let site = app.text("[data-testid=draft-delivery]").await;
    assert!(site.contains("Chantier du Vieux-Port"), "{site}");

    app.fill("[data-testid=line-description]", "Audit de sécurité")
        .await;
    app.fill("[data-testid=line-quantity]", "3").await;
    app.choose("[data-testid=line-unit]", "day").await;
    app.fill("[data-testid=line-unitPrice]", "500").await;
    app.choose("[data-testid=line-nature]", "service").await;
    app.click("[data-testid=add-line]").await;
    // A no-break space between number and unit, as on the PDF.
    app.wait_texts("[data-testid=draft-line-quantity]", |q| {
        q.iter()
            .map(|t| t.replace('\u{a0}', " "))
            .collect::<Vec<_>>()
            == ["3 jours"]
    })
    .await;
    assert_eq!(
        app.texts("[data-testid=draft-line-nature]").await,
        ["Service"]
    );
    app.screenshot("draft-line-unit-fr").await;
    app.click("[data-testid=issue]").await;
    app.click("[data-testid=issue-confirm]").await;
    let number = app.text("[data-testid=issued-number]").await;
    app.click("[data-testid=open-issued]").await;
    let references = app.text("[data-testid=doc-references]").await;
    assert!(
        references.contains("Prestations de services") && references.contains("BC-2027-118"),
        "{references}"
    );

    let store = acquit_store::Store::open(app.db()).expect("reading the database");
    let client = store
        .clients()
        .unwrap()
        .into_iter()
        .find(|(_, c)| c.name == "Atelier Sud")
        .expect("saved")
        .1;
    let billing = client.address.clone().expect("a billing address");
    assert_eq!(billing.lines, ["12 rue des Arts", "Bâtiment B"]);
    assert_eq!(
        (billing.postcode.as_deref(), billing.city.as_deref()),
        (Some("13001"), Some("Marseille"))
    );
    assert_eq!(billing.country, Some(Country::FR));
    let delivery = client.delivery_address.clone().expect("a delivery address");
    assert_eq!(delivery.lines, ["Quai 4, hangar 2"]);
    assert_eq!(delivery.postcode.as_deref(), Some("13002"));
    let invoice = store.invoice(&number).unwrap();
    assert_eq!(invoice.details.order_ref.as_deref(), Some("BC-2027-118"));
    assert_eq!(
        invoice.details.payment_means,
        [
            acquit_core::PaymentMeans::Card,
            acquit_core::PaymentMeans::Cheque
        ]
    );
    let site = invoice
        .details
        .delivery
        .clone()
        .expect("the job's own site");
    assert_eq!(site.lines, ["Chantier du Vieux-Port"]);
    assert_eq!(site.city.as_deref(), Some("Marseille"));
    let line = &invoice.lines[0].line;
    assert_eq!(
        (line.nature, line.unit),
        (Some(Nature::Service), Some(Unit::Day))
    );
    assert_eq!(invoice.category, Some(acquit_core::Category::Services));
    assert_eq!(invoice.buyer.delivery_address, Some(delivery));
    drop(store);

    // The client's form shows it all again, in English.
    app.choose("[data-testid=language]", "en").await;
    app.click("[data-testid=nav-clients]").await;
    app.fill("[data-testid=clients-search]", "Atelier").await;
    app.wait_texts("[data-testid=client-row] .name", |rows| {
        rows == ["Atelier Sud"]
    })
    .await;
    app.click("[data-testid=client-row] [data-testid=edit-client]")
        .await;
    wait_value(&app, "[data-testid=client-deliveryPostcode]", "13002").await;
    wait_value(&app, "[data-testid=client-addressPostcode]", "13001").await;
    wait_value(&app, "[data-testid=client-addressCountry]", "FR").await;
    app.screenshot("client-form-address-en").await;
    app.close().await;
}

/// The company profile is edited from the Settings after the first run:
/// legal form with its share capital, registration (the RCS asks for its
/// city), activity, the debits option and a footer; what the form does not
/// show (the phone) is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_company_is_edited_from_the_settings_with_its_legal_mentions() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "en").await;
    app.click("[data-testid=nav-settings]").await;
    app.click("[data-testid=edit-company]").await;
    wait_value(&app, "[data-testid=company-addressPostcode]", "75011").await;
    assert!(!app.exists("[data-testid=company-shareCapital]").await);
    app.choose("[data-testid=company-legalForm]", "sarl").await;
    app.fill("[data-testid=company-shareCapital]", "10 000")
        .await;
    app.choose("[data-testid=company-register]", "rcs").await;
    app.choose("[data-testid=company-activity]", "liberal-services")
        .await;
    app.click("[data-testid=company-vatOnDebits]").await;
    app.fill(
        "[data-testid=company-legalFooter]",
        "Assurance RC Pro : Hiscox, France entière",
    )
    .await;
    app.click("[data-testid=save-company]").await;
    let place = app.text("[data-testid=error-registrationPlace]").await;
    assert!(place.contains("RCS Paris"), "{place}");
    app.fill("[data-testid=company-registrationPlace]", "Paris")
        .await;
    app.screenshot("company-settings-en").await;
    scroll_to(&app, "[data-testid=company-settings]").await;
    app.screenshot("company-settings-top-en").await;
    app.click("[data-testid=save-company]").await;
    app.text("[data-testid=company-saved]").await;
    app.choose("[data-testid=language]", "fr").await;
    app.screenshot("company-settings-top-fr").await;
    scroll_to(&app, "[data-testid=company-legalFooter]").await;
    app.screenshot("company-settings-fr").await;

    let store = acquit_store::Store::open(app.db()).expect("reading the database");
    let seller = store.seller().unwrap().expect("saved");
    assert_eq!(seller.legal_form, Some(LegalForm::Sarl));
    assert_eq!(
        seller.share_capital.map(|m| m.to_decimal_string()),
        Some("10000.00".to_owned())
    );
    assert_eq!(seller.registration, Some(Registration::Rcs("Paris".into())));
    assert_eq!(seller.activity, Some(Activity::LiberalServices));
    assert!(seller.vat_on_debits);
    assert_eq!(
        seller.legal_footer.as_deref(),
        Some("Assurance RC Pro : Hiscox, France entière")
    );
    assert!(
        seller.phone.is_some(),
        "the phone, not on the form, is kept"
    );
    assert_eq!(seller.address.postcode.as_deref(), Some("75011"));
    app.close().await;
}

/// Books whose client's billing address is a town only and whose seller
/// gives no activity: a draft in US dollars warns about what the law will
/// ask in September 2027 (issuing still works for those), and is refused
/// without its euro rate, said in the app's words; with the rate it is
/// issued with its VAT in euros.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dollar_draft_warns_of_what_is_due_later_and_needs_its_euro_rate_now() {
    let app = App::launch_with(|db| {
        let mut store = acquit_store::Store::open(db).expect("creating the database");
        let mut seller = acquit_core::Seller::new(
            "Camille Roux EI",
            Address::from("8 rue de la Roquette\n75011 Paris"),
        );
        seller.siren = Some(acquit_core::ids::Siren::parse("732829320").unwrap());
        store.set_seller(&seller).unwrap();
        let client = Client {
            business: true,
            siren: Some(acquit_core::ids::Siren::parse("552100554").unwrap()),
            address: Some(Address::from("Paris")),
            ..Client::new("Boulangerie Martin SARL")
        };
        store.add_client(&client).unwrap();
    })
    .await;
    app.choose("[data-testid=language]", "fr").await;
    app.click("[data-testid=new-invoice]").await;
    app.click("[data-testid=client-option]").await;
    app.click("[data-testid=create-draft]").await;
    app.click("[data-testid=edit-header]").await;
    assert!(
        !app.exists("[data-testid=header-eurRate]").await,
        "in euros"
    );
    app.fill("[data-testid=header-currency]", "USD").await;
    let hint = app.text("[data-testid=header-eurRate] ~ .hint").await;
    assert!(hint.contains("combien de USD vaut 1"), "{hint}");
    app.click("[data-testid=header-save]").await;
    app.wait_gone("[data-testid=header-form]").await;
    app.fill("[data-testid=line-description]", "Conseil").await;
    app.fill("[data-testid=line-unitPrice]", "1000").await;
    app.click("[data-testid=add-line]").await;
    let gaps = app
        .wait_texts("[data-testid=coming-gap]", |g| g.len() == 2)
        .await;
    assert!(
        gaps.iter()
            .any(|g| g.contains("la ligne 1 n’indique ni bien ni service")),
        "{gaps:?}"
    );
    assert!(
        gaps.iter()
            .any(|g| g.contains("l’adresse de facturation de Boulangerie Martin SARL")),
        "{gaps:?}"
    );
    let notice = app.text("[data-testid=coming-gaps]").await;
    assert!(notice.contains("01/09/2027"), "{notice}");
    app.screenshot("coming-gaps-fr").await;

    app.click("[data-testid=issue]").await;
    assert!(
        app.text("[data-testid=issue-dialog-gaps]")
            .await
            .contains("01/09/2027")
    );
    app.click("[data-testid=issue-confirm]").await;
    let refused = app.text("[data-testid=issue-error]").await;
    assert!(
        refused.starts_with("Cette facture ne peut pas être émise le")
            && refused.contains("taux de change")
            && refused.contains("USD")
            && !refused.contains("--"),
        "{refused}"
    );
    assert!(!app.exists("[data-testid=issued-number]").await);

    app.click("[data-testid=edit-header]").await;
    app.fill("[data-testid=header-eurRate]", "un virgule un")
        .await;
    app.click("[data-testid=header-save]").await;
    let error = app.text("[data-testid=header-error-eurRate]").await;
    assert!(error.contains("taux de change"), "{error}");
    app.fill("[data-testid=header-eurRate]", "1,085").await;
    app.click("[data-testid=header-save]").await;
    app.wait_gone("[data-testid=header-form]").await;
    let rate = app.text("[data-testid=draft-eur-rate]").await;
    assert!(rate.contains("1,085 USD"), "{rate}");
    // The same notice in English, the rate given.
    app.choose("[data-testid=language]", "en").await;
    app.wait_texts("[data-testid=coming-gap]", |g| {
        g.iter()
            .any(|g| g.starts_with("line 1 says neither goods nor service"))
    })
    .await;
    app.screenshot("coming-gaps-en").await;
    app.click("[data-testid=edit-header]").await;
    let hint = app.text("[data-testid=header-eurRate] ~ .hint").await;
    assert!(hint.contains("how many USD one euro buys"), "{hint}");
    app.screenshot("draft-header-usd-en").await;
    app.click("[data-testid=header-cancel]").await;
    app.click("[data-testid=issue]").await;
    app.click("[data-testid=issue-confirm]").await;
    let number = app.text("[data-testid=issued-number]").await;

    let store = acquit_store::Store::open(app.db()).expect("reading the database");
    let invoice = store.invoice(&number).unwrap();
    assert_eq!(
        invoice.details.eur_rate.map(|r| r.per_euro_micro()),
        Some(1_085_000)
    );
    // 200 USD of VAT at 1.085 USD per euro.
    assert_eq!(
        invoice.details.vat_total_eur,
        Some(acquit_core::Money::new(18_433, acquit_core::Currency::EUR))
    );
    app.close().await;
}
