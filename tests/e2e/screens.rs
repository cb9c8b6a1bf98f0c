//! The app's screens in the real window: the invoice view and its PDF
//! export, the draft editor, and the first-run company form.

use fantoccini::key::Key;

use crate::harness::demo;
use crate::harness::{App, plain};
use crate::send::open_row;

/// The cells' texts of every table row matching `css`, spaces made plain.
async fn cells(app: &App, css: &str) -> Vec<Vec<String>> {
    let rows = app
        .client
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0]))
                .map((r) => Array.from(r.cells).map((c) => c.innerText.trim()))",
            vec![serde_json::json!(css)],
        )
        .await
        .expect("reading table cells");
    serde_json::from_value::<Vec<Vec<String>>>(rows)
        .expect("rows of cells")
        .into_iter()
        .map(|row| row.iter().map(|c| plain(c)).collect())
        .collect()
}

/// Clicking a row opens the invoice laid out like its PDF: header, lines,
/// VAT breakdown, totals, payments with fee and net, the PAID stamp; "Export
/// PDF" writes the renderer's PDF where the save dialog said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_invoice_opens_with_its_stamp_and_exports_its_pdf() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "fr").await;

    let number = open_row(&app, "Boulangerie Martin SARL", "Payée").await;
    assert_eq!(app.text("[data-testid=doc-number]").await, number);
    assert_eq!(app.text("[data-testid=doc-status]").await, "Payée");
    assert!(
        app.text("[data-testid=doc-client]")
            .await
            .contains("Boulangerie Martin")
    );
    // The preview is the PDF's own pages: its text runs, one per line, in
    // the order the renderer draws them (label, then amount).
    let preview = plain(&app.wait_preview(|t| t.contains("PAYÉE")).await);
    assert_eq!(
        app.texts("[data-testid=preview-page]").await.len(),
        1,
        "one page"
    );
    assert!(preview.contains("Boulangerie Martin"), "{preview}");
    assert!(preview.contains(&format!("N° {number}")), "{preview}");
    // 6 × 450 + 96 = 2 796,00 € HT at 20 %: both lines, one VAT row.
    assert!(
        preview.contains("Refonte du site vitrine") && preview.contains("Hébergement annuel"),
        "{preview}"
    );
    assert!(
        preview.contains("TVA 20 % sur 2 796,00 €\n559,20 €"),
        "{preview}"
    );
    assert!(preview.contains("Total HT\n2 796,00 €"), "{preview}");
    // The preview's faces are the renderer's own, served by the app from
    // the PDF crate (acquitfont:): both weights load (a face that fails
    // leaves its status "error", and the browser draws another font).
    let faces = app
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            Promise.allSettled([
              document.fonts.load('400 12px "Noto Sans"'),
              document.fonts.load('700 12px "Noto Sans"'),
            ]).then(() => done([...document.fonts]
              .filter((f) => f.family.replace(/"/g, "") === "Noto Sans")
              .map((f) => `${f.weight} ${f.status}`)));"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(faces, serde_json::json!(["400 loaded", "700 loaded"]));
    assert!(preview.contains("Total TTC\n3 355,20 €"), "{preview}");
    assert!(preview.contains("Reste à payer\n0,00 €"), "{preview}");
    // Paid: the renderer's stamp, on the page, with the payment's method.
    let stamp = preview.lines().skip_while(|l| *l != "PAYÉE").nth(1);
    assert!(
        stamp.is_some_and(|l| l.starts_with("le ") && l.ends_with("· Virement")),
        "{preview}"
    );
    assert_eq!(
        plain(&app.text("[data-testid=total-gross]").await),
        "3 355,20 €"
    );
    assert_eq!(plain(&app.text("[data-testid=amount-due]").await), "0,00 €");
    let payments = cells(&app, "[data-testid=payment-row]").await;
    assert_eq!(payments.len(), 1, "{payments:?}");
    assert!(payments[0][1].starts_with("Virement"), "{payments:?}");
    assert_eq!(
        payments[0][2..],
        ["3 355,20 €", "—", "3 355,20 €"],
        "amount, no fee, net"
    );
    app.screenshot("invoice-view-paid-fr").await;
    // The stamp (the page's only group) in view, as a person checks it.
    app.client
        .execute(
            "document.querySelector('[data-testid=preview-page] g').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await
        .expect("scrolling to the stamp");
    app.screenshot("invoice-view-paid-stamp-fr").await;

    // Export: the same renderer as `acquit invoice pdf`, written atomically.
    app.click("[data-testid=export-pdf]").await;
    let saved = app.text("[data-testid=exported]").await;
    let path = app.saved_dir().join(format!("{number}.pdf"));
    assert!(saved.contains(path.to_str().unwrap()), "{saved}");
    let pdf = std::fs::read(&path).expect("the exported PDF");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let left: Vec<_> = std::fs::read_dir(app.saved_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "no temporary file left behind: {left:?}");
    {
        let store = acquit_store::Store::open(app.db()).expect("reading the database");
        let expected = acquit_documents::render_pdf(
            &store,
            &number,
            None,
            acquit_documents::Rendering::Current,
        )
        .expect("rendering like the CLI");
        assert_eq!(
            pdf.len(),
            expected.bytes.len(),
            "the CLI's renderer, stamped"
        );
    }

    // Back to the list.
    app.click("[data-testid=back]").await;
    app.wait_texts("[data-testid=invoice-row]", |rows| rows.len() == 9)
        .await;
    app.close().await;
}

/// Up/Down move between rows, Enter opens the focused one, Escape comes
/// back; a cancelled invoice lists its credit note (in English).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_is_driven_by_keyboard_and_a_credited_invoice_lists_its_credit_note() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "en").await;
    let numbers = app
        .wait_texts("[data-testid=open-invoice]", |rows| rows.len() == 9)
        .await;
    app.client
        .execute(
            "document.querySelector('[data-testid=open-invoice]').focus()",
            vec![],
        )
        .await
        .expect("focusing the first row");
    let down = Key::Down.to_string();
    for _ in 0..2 {
        app.client
            .active_element()
            .await
            .unwrap()
            .send_keys(&down)
            .await
            .unwrap();
    }
    assert_eq!(app.focused_text().await, numbers[2], "two rows down");
    app.client
        .active_element()
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    assert_eq!(app.text("[data-testid=doc-number]").await, numbers[2]);
    app.client
        .active_element()
        .await
        .unwrap()
        .send_keys(&Key::Escape.to_string())
        .await
        .unwrap();
    app.wait_texts("[data-testid=invoice-row]", |rows| rows.len() == 9)
        .await;

    let number = open_row(&app, "Café des Arts", "Cancelled").await;
    assert_eq!(app.text("[data-testid=doc-number]").await, number);
    let notes = app.texts("[data-testid=credit-note]").await;
    assert_eq!(notes.len(), 1);
    assert!(notes[0].starts_with("AV-"), "{notes:?}");
    // Cancelled by a credit note, never paid: no stamp in its pages.
    let preview = app.wait_preview(|t| t.contains(&number)).await;
    assert!(
        !preview.contains("PAID") && !preview.contains("PAYÉE"),
        "{preview}"
    );
    assert_eq!(app.text("[data-testid=amount-due]").await, "€0.00");
    app.screenshot("invoice-view-credited-en").await;
    // The credit note itself opens from there.
    app.click("[data-testid=credit-note]").await;
    app.wait_texts("[data-testid=doc-number]", |n| {
        n.first().is_some_and(|n| n.starts_with("AV-"))
    })
    .await;
    app.close().await;
}

/// New invoice: a client created inline (the core's errors next to each
/// field), lines with live totals from Rust, bad amounts refused with a
/// message, and Issue behind a confirmation that says what it does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_invoice_is_drafted_with_live_totals_and_issued_after_confirmation() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "fr").await;
    app.click("[data-testid=new-invoice]").await;
    app.wait_texts("[data-testid=client-option]", |c| c.len() == 5)
        .await;
    assert!(
        app.find("[data-testid=create-draft]")
            .await
            .attr("disabled")
            .await
            .unwrap()
            .is_some(),
        "no client chosen yet"
    );

    app.click("[data-testid=create-client]").await;
    app.fill("[data-testid=client-name]", "Studio Nord").await;
    app.fill("[data-testid=client-email]", "pas-un-email").await;
    app.fill("[data-testid=client-siren]", "123456789").await;
    app.click("[data-testid=save-client]").await;
    let email_error = app.text("[data-testid=client-error-email]").await;
    let siren_error = app.text("[data-testid=client-error-siren]").await;
    assert!(!email_error.is_empty() && !siren_error.is_empty());
    app.screenshot("client-form-errors-fr").await;
    app.fill("[data-testid=client-email]", "contact@studio-nord.example")
        .await;
    app.fill("[data-testid=client-siren]", "").await;
    app.click("[data-testid=save-client]").await;
    app.wait_gone("[data-testid=client-form]").await;
    let chosen = app
        .text("[data-testid=client-option][aria-pressed=true]")
        .await;
    assert!(chosen.starts_with("Studio Nord"), "{chosen}");
    app.click("[data-testid=create-draft]").await;
    assert!(
        app.text("[data-testid=draft-summary]")
            .await
            .starts_with("Studio Nord")
    );

    // A bad price is refused next to its field, live.
    app.fill("[data-testid=line-description]", "Développement")
        .await;
    app.fill("[data-testid=line-quantity]", "2,5").await;
    app.fill("[data-testid=line-unitPrice]", "12,345").await;
    let error = app.text("[data-testid=line-error-unitPrice]").await;
    assert!(error.contains("12,345"), "{error}");
    app.click("[data-testid=add-line]").await;
    assert!(
        !app.exists("[data-testid=draft-line]").await,
        "nothing added"
    );
    // Fixed: the live total includes the line being typed.
    app.fill("[data-testid=line-unitPrice]", "450").await;
    app.wait_texts("[data-testid=live-total]", |t| {
        t.first().is_some_and(|t| plain(t) == "1 350,00 €")
    })
    .await;
    app.click("[data-testid=add-line]").await;
    app.wait_texts("[data-testid=draft-line]", |l| l.len() == 1)
        .await;
    app.fill("[data-testid=line-description]", "Livre « Le web »")
        .await;
    app.fill("[data-testid=line-quantity]", "2").await;
    app.fill("[data-testid=line-unitPrice]", "19,90").await;
    app.fill("[data-testid=line-vatRate]", "5,5").await;
    app.click("[data-testid=add-line]").await;
    app.wait_texts("[data-testid=draft-line]", |l| l.len() == 2)
        .await;
    // 1 125,00 € at 20 % and 39,80 € at 5,5 %: VAT rounded once per rate.
    app.wait_texts("[data-testid=live-vat-row]", |rows| rows.len() == 2)
        .await;
    let vat = cells(&app, "[data-testid=live-vat-row]").await;
    assert_eq!(
        vat,
        [
            ["5,5 %", "39,80 €", "2,19 €"],
            ["20 %", "1 125,00 €", "225,00 €"]
        ]
    );
    assert_eq!(
        plain(&app.text("[data-testid=live-total]").await),
        "1 391,99 €"
    );
    app.screenshot("draft-editor-fr").await;

    app.click("[data-testid=issue]").await;
    let dialog = app.text("[data-testid=issue-dialog]").await;
    assert!(
        dialog.contains("numéro") && dialog.contains("verrouillée"),
        "{dialog}"
    );
    app.screenshot("issue-confirmation-fr").await;
    app.click("[data-testid=issue-confirm]").await;
    let number = app.text("[data-testid=issued-number]").await;
    assert!(number.starts_with("F-"), "{number}");
    app.screenshot("issued-fr").await;
    app.click("[data-testid=open-issued]").await;
    assert_eq!(app.text("[data-testid=doc-number]").await, number);
    assert_eq!(
        plain(&app.text("[data-testid=total-gross]").await),
        "1 391,99 €"
    );
    app.close().await;
}

/// A new database asks for the company first; the IBAN is checked as it is
/// typed; the profile is saved through the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_asks_for_the_company_before_anything_else() {
    let app = App::launch().await;
    app.choose("[data-testid=language]", "fr").await;
    assert_eq!(
        app.text("[data-testid=company-form] h2").await,
        "Votre entreprise"
    );
    assert!(!app.exists("[data-testid=invoice-search]").await);

    app.fill(
        "[data-testid=company-iban]",
        "FR76 3000 6000 0112 3456 7890 188",
    )
    .await;
    assert!(!app.text("[data-testid=iban-error]").await.is_empty());
    app.fill("[data-testid=company-iban]", "fr7630006000011234567890189")
        .await;
    let ok = app.text("[data-testid=iban-ok]").await;
    assert!(ok.contains("FR76 3000 6000 0112 3456 7890 189"), "{ok}");

    app.click("[data-testid=save-company]").await;
    assert!(!app.text("[data-testid=error-legalName]").await.is_empty());
    app.fill("[data-testid=company-legalName]", "Camille Roux EI")
        .await;
    app.fill(
        "[data-testid=company-addressStreet]",
        "8 rue de la Roquette",
    )
    .await;
    app.fill("[data-testid=company-addressPostcode]", "7501")
        .await;
    app.fill("[data-testid=company-addressCity]", "Paris").await;
    app.fill("[data-testid=company-siren]", "732829321").await;
    app.click("[data-testid=save-company]").await;
    assert!(!app.text("[data-testid=error-siren]").await.is_empty());
    // A French postcode has five digits: said next to the field.
    let postcode = app.text("[data-testid=error-addressPostcode]").await;
    assert!(postcode.contains("7501"), "{postcode}");
    app.fill("[data-testid=company-addressPostcode]", "75011")
        .await;
    app.fill("[data-testid=company-siren]", "732 829 320").await;
    app.screenshot("first-run-fr").await;
    app.click("[data-testid=save-company]").await;
    assert_eq!(
        app.text("[data-testid=no-invoices]").await,
        "Aucune facture ne correspond."
    );

    let store = acquit_store::Store::open(app.db()).expect("reading the database");
    let seller = store.seller().unwrap().expect("saved");
    assert_eq!(seller.legal_name, "Camille Roux EI");
    assert_eq!(seller.address.lines, ["8 rue de la Roquette"]);
    assert_eq!(
        (
            seller.address.postcode.as_deref(),
            seller.address.city.as_deref()
        ),
        (Some("75011"), Some("Paris"))
    );
    assert_eq!(seller.address.country, Some(acquit_core::Country::FR));
    assert_eq!(seller.siren.unwrap().as_str(), "732829320");
    assert!(seller.vat_number.is_some(), "derived from the SIREN");
    assert_eq!(seller.iban.unwrap().as_str(), "FR7630006000011234567890189");
    app.close().await;
}

/// The Clients screen searches and creates clients (the core's error next
/// to the field); the language chosen is remembered in the settings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clients_screen_searches_and_creates_clients_and_the_language_is_remembered() {
    let app = App::launch_with(demo).await;
    assert_eq!(
        app.find("[data-testid=language]")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(""),
        "follows the system until chosen"
    );
    app.choose("[data-testid=language]", "en").await;
    app.click("[data-testid=nav-clients]").await;
    app.wait_texts("[data-testid=client-row]", |rows| rows.len() == 5)
        .await;
    app.fill("[data-testid=clients-search]", "lumi").await;
    let found = app
        .wait_texts("[data-testid=client-row] .name", |rows| rows.len() == 1)
        .await;
    assert_eq!(found, ["Agence Lumière"]);
    app.fill("[data-testid=clients-search]", "").await;
    app.wait_texts("[data-testid=client-row]", |rows| rows.len() == 5)
        .await;

    app.click("[data-testid=new-client]").await;
    app.fill("[data-testid=client-name]", "Nordic Design AB")
        .await;
    app.fill("[data-testid=client-phone]", "12").await;
    app.click("[data-testid=save-client]").await;
    assert!(
        !app.text("[data-testid=client-error-phone]")
            .await
            .is_empty()
    );
    app.fill("[data-testid=client-phone]", "+46 8 123 456 78")
        .await;
    app.choose("[data-testid=client-lang]", "en").await;
    // Services to a Swedish business: reverse charge, which needs its VAT
    // number on the invoices.
    app.choose("[data-testid=client-vatExemption]", "reverse-charge")
        .await;
    app.click("[data-testid=save-client]").await;
    let error = app
        .wait_texts("[data-testid=client-error-vatNumber]", |t| {
            t.first().is_some_and(|t| !t.is_empty())
        })
        .await;
    assert!(
        error[0].contains("add the client's VAT number"),
        "{error:?}"
    );
    app.screenshot("client-form-vat-exemption-en").await;
    app.fill("[data-testid=client-vatNumber]", "SE556677889901")
        .await;
    app.click("[data-testid=save-client]").await;
    // Saved; the form stays open on VIES's answer (none here: the
    // harness points the app at no VIES) until closed.
    app.find("[data-testid=client-saved]").await;
    // VIES's answer (here: it could not be asked) moves the form; closed
    // once it came, as a user would after reading it.
    app.wait_texts(
        "[data-testid=client-vies]:not([data-state=checking])",
        |found| found.len() == 1,
    )
    .await;
    app.click("[data-testid=close-client]").await;
    let names = app
        .wait_texts("[data-testid=client-row] .name", |rows| rows.len() == 6)
        .await;
    assert!(names.iter().any(|n| n == "Nordic Design AB"), "{names:?}");
    app.screenshot("clients-en").await;

    // Edited: the form opens filled in; a new email is saved, the rest kept.
    let row = names
        .iter()
        .position(|n| n == "Nordic Design AB")
        .expect("listed")
        + 1;
    app.click(&format!(
        "[data-testid=client-row]:nth-child({row}) [data-testid=edit-client]"
    ))
    .await;
    let started = std::time::Instant::now();
    loop {
        let value = app
            .client
            .execute(
                "const i = document.querySelector('[data-testid=client-vatNumber]'); return i ? i.value : ''",
                vec![],
            )
            .await
            .expect("reading the form");
        if value == "SE556677889901" {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the edit form did not load the client: {value}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app.fill("[data-testid=client-email]", "ap@nordic.example")
        .await;
    app.screenshot("client-edit-en").await;
    app.click("[data-testid=save-client]").await;
    app.find("[data-testid=client-saved]").await;
    app.click("[data-testid=close-client]").await;
    app.wait_texts("[data-testid=client-row]", |rows| {
        rows.iter().any(|r| r.contains("ap@nordic.example"))
    })
    .await;

    let store = acquit_store::Store::open(app.db()).expect("reading the database");
    assert_eq!(
        store.setting("app.language").unwrap().as_deref(),
        Some("en")
    );
    let nordic = store
        .clients()
        .unwrap()
        .into_iter()
        .find(|(_, c)| c.name == "Nordic Design AB")
        .expect("saved")
        .1;
    assert_eq!(
        (
            nordic.vat_exemption,
            nordic.vat_number.map(String::from),
            nordic.email.map(String::from),
            nordic.lang
        ),
        (
            acquit_core::VatExemption::ReverseCharge,
            Some("SE556677889901".to_owned()),
            Some("ap@nordic.example".to_owned()),
            acquit_core::Lang::En
        )
    );
    app.close().await;
}

/// A draft from the list opens in the editor: a line removed (totals follow),
/// then the draft deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_opens_in_the_editor_loses_a_line_and_is_deleted() {
    let app = App::launch_with(demo).await;
    app.choose("[data-testid=language]", "fr").await;
    open_row(&app, "Café des Arts", "Brouillon").await;
    let lines = app
        .wait_texts("[data-testid=draft-line]", |l| l.len() == 2)
        .await;
    assert!(lines[1].contains("Livre"), "{lines:?}");
    app.wait_texts("[data-testid=live-vat-row]", |rows| rows.len() == 2)
        .await;
    assert_eq!(
        plain(&app.text("[data-testid=live-total]").await),
        "545,99 €"
    );
    app.click("[data-testid=draft-line]:nth-child(2) [data-testid=remove-line]")
        .await;
    app.wait_texts("[data-testid=draft-line]", |l| l.len() == 1)
        .await;
    app.wait_texts("[data-testid=live-total]", |t| {
        t.first().is_some_and(|t| plain(t) == "504,00 €")
    })
    .await;
    app.click("[data-testid=delete-draft]").await;
    app.wait_texts("[data-testid=invoice-row]", |rows| rows.len() == 8)
        .await;
    app.close().await;
}
