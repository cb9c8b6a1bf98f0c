//! The rendered PDFs checked with the real tools a reader's machine would
//! use: qpdf, poppler (pdffonts, pdftotext, pdftoppm) and zbar. A missing
//! tool fails the test and names the apt package to install; these tests
//! never skip.

mod common;

use acquit_core::{Lang, VatExemption, VatRegime};
use acquit_pdf::{Warning, epc_payload, render};
use common::*;

fn demo_documents() -> Vec<(&'static str, acquit_pdf::Document)> {
    vec![
        ("invoice-fr.pdf", invoice(Lang::Fr)),
        ("invoice-en.pdf", invoice(Lang::En)),
        ("paid-fr.pdf", paid(invoice(Lang::Fr))),
        ("paid-en.pdf", paid(invoice(Lang::En))),
        ("credit-fr.pdf", credit_note(Lang::Fr)),
        ("credit-en.pdf", credit_note(Lang::En)),
        ("balance-fr.pdf", balance(Lang::Fr)),
        ("balance-en.pdf", balance(Lang::En)),
        (
            "franchise-fr.pdf",
            document(Lang::Fr, VatRegime::Franchise, lines(VatRegime::Franchise)),
        ),
        (
            "franchise-en.pdf",
            document(Lang::En, VatRegime::Franchise, lines(VatRegime::Franchise)),
        ),
        ("long-fr.pdf", long_invoice(60)),
    ]
}

#[test]
fn qpdf_check_passes_on_every_demo_document() {
    for (name, doc) in demo_documents() {
        let r = render(&doc).unwrap();
        assert_eq!(r.warnings, vec![], "{name}");
        let path = write(name, &r.bytes);
        let o = run("qpdf", &["--check", path.to_str().unwrap()]);
        assert!(
            o.status.success(),
            "qpdf --check {name}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn pdffonts_shows_every_font_embedded_and_subset() {
    let path = write(
        "fonts.pdf",
        &render(&paid(invoice(Lang::Fr))).unwrap().bytes,
    );
    let o = run("pdffonts", &[path.to_str().unwrap()]);
    assert!(o.status.success());
    let out = String::from_utf8(o.stdout).unwrap();
    let rows: Vec<&str> = out.lines().skip(2).collect();
    // Regular and bold as their common subsets, and a small regular one
    // for the Greek and Cyrillic names (set in regular only) beyond it.
    let names: std::collections::BTreeSet<&str> = rows
        .iter()
        .filter_map(|r| r.split_whitespace().next())
        .collect();
    let count = |weight: &str| names.iter().filter(|n| n.ends_with(weight)).count();
    assert_eq!(
        (rows.len(), count("-Regular"), count("-Bold")),
        (3, 2, 1),
        "regular (common, extra) and bold, a subset tag each:\n{out}"
    );
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type... encoding emb sub uni object gen
        let n = cols.len();
        assert_eq!(
            &cols[n - 5..n - 2],
            &["yes", "yes", "yes"],
            "emb sub uni: {row}"
        );
        assert!(
            cols[0].contains('+') && cols[0].contains("NotoSans"),
            "{row}"
        );
    }
}

fn check_mentions(lang: Lang, text: &str, expected: &[&str]) {
    let text = flat(text);
    let missing: Vec<&&str> = expected.iter().filter(|m| !text.contains(**m)).collect();
    assert!(
        missing.is_empty(),
        "{lang:?}: missing {missing:?} in:\n{text}"
    );
}

#[test]
fn french_invoice_has_every_mandatory_mention() {
    let path = write(
        "mentions-fr.pdf",
        &render(&invoice(Lang::Fr)).unwrap().bytes,
    );
    check_mentions(
        Lang::Fr,
        &pdftotext(&path, None),
        &[
            "FACTURE",
            "N° F-2026-0042",
            "Date d’émission : 02/11/2026",
            "Date de la vente / prestation : 31/10/2026",
            "Date d’échéance : 02/12/2026",
            "Studio Lumière SARL",
            "14 rue des Écoles",
            "SIREN 732 829 320",
            "SIRET 732 829 320 00074",
            "N° TVA intracommunautaire : FR44732829320",
            "Éléonore Dûbois-Lefèvre",
            "SIREN 552 100 554",
            "Total HT 3 391,00 €",
            "TVA 20 % sur 3 150,00 € 630,00 €",
            "TVA 5,5 % sur 241,00 € 13,26 €",
            "Total TTC 4 034,26 €",
            "pénalités de retard sont exigibles au taux annuel de 10 %",
            "Indemnité forfaitaire pour frais de recouvrement en cas de retard : 40,00 €",
            "Pas d’escompte pour paiement anticipé",
            "Remise : -300,00 €",
            "IBAN : FR76 3000 6000 0112 3456 7890 189",
            "BIC : AGRIFRPP",
            "relay.example.fr/p/8f3kQ2xLw9",
            "Page 1 / 1",
        ],
    );
}

#[test]
fn english_invoice_has_every_mandatory_mention() {
    let path = write(
        "mentions-en.pdf",
        &render(&invoice(Lang::En)).unwrap().bytes,
    );
    check_mentions(
        Lang::En,
        &pdftotext(&path, None),
        &[
            "INVOICE",
            "No. F-2026-0042",
            "Issue date: 2 November 2026",
            "Date of sale / service: 31 October 2026",
            "Due date: 2 December 2026",
            "Studio Lumière SARL",
            "SIREN 732 829 320",
            "VAT number: FR44732829320",
            "Éléonore Dûbois-Lefèvre",
            "Total excl. VAT €3,391.00",
            "VAT 20% on €3,150.00 €630.00",
            "VAT 5.5% on €241.00 €13.26",
            "Total incl. VAT €4,034.26",
            "Late payment penalties apply at an annual rate of 10%",
            "Fixed compensation for recovery costs in case of late payment: €40.00",
            "No discount for early payment",
            "IBAN: FR76 3000 6000 0112 3456 7890 189",
            "Page 1 / 1",
        ],
    );
}

#[test]
fn franchise_invoice_says_vat_not_applicable_and_shows_no_vat_rows() {
    let doc = document(Lang::Fr, VatRegime::Franchise, lines(VatRegime::Franchise));
    let path = write("franchise.pdf", &render(&doc).unwrap().bytes);
    let text = flat(&pdftotext(&path, None));
    assert!(
        text.contains("TVA non applicable, art. 293 B du CGI"),
        "{text}"
    );
    assert!(!text.contains("TVA 20 %"), "{text}");
    assert!(!text.contains("N° TVA intracommunautaire"), "{text}");
    let doc = document(Lang::En, VatRegime::Franchise, lines(VatRegime::Franchise));
    let path = write("franchise-en.pdf", &render(&doc).unwrap().bytes);
    assert!(flat(&pdftotext(&path, None)).contains("VAT not applicable, art. 293 B du CGI"));
}

#[test]
fn an_invoice_without_french_vat_says_why_with_the_legal_basis() {
    // Lines at 0 % (the store refuses any other rate for such a client).
    let zero = lines(VatRegime::Franchise);
    let cases = [
        (
            Lang::Fr,
            VatExemption::ReverseCharge,
            "Autoliquidation : TVA due par le preneur (art. 283-2 du CGI",
        ),
        (
            Lang::En,
            VatExemption::ServicesOutsideEu,
            "VAT not applicable, article 259-1 of the French Tax Code (CGI)",
        ),
        (
            Lang::Fr,
            VatExemption::IntraEuGoods,
            "Exonération de TVA, art. 262 ter I du CGI",
        ),
        (
            Lang::En,
            VatExemption::ExportGoods,
            "VAT exempt export, article 262 I of the French Tax Code",
        ),
    ];
    for (lang, exemption, mention) in cases {
        let mut doc = document(lang, VatRegime::Standard, zero.clone());
        doc.buyer.vat_number = Some(acquit_core::ids::VatNumber::parse("DK13585628").unwrap());
        doc.buyer.vat_exemption = exemption;
        let name = format!("exempt-{}.pdf", exemption.as_str());
        let text = flat(&pdftotext(
            &write(&name, &render(&doc).unwrap().bytes),
            None,
        ));
        assert!(text.contains(mention), "{exemption:?}: {text}");
        // The client's VAT number is on it, next to its name.
        assert!(text.contains("DK13585628"), "{exemption:?}: {text}");
    }
    let text = flat(&pdftotext(
        &write(
            "exempt-none.pdf",
            &render(&invoice(Lang::Fr)).unwrap().bytes,
        ),
        None,
    ));
    assert!(
        !text.contains("Autoliquidation") && !text.contains("259-1"),
        "{text}"
    );
}

#[test]
fn every_legal_form_prints_its_mentions_in_both_languages() {
    use acquit_core::{Currency, LegalForm, Money, Registration};
    // (form, French mentions, English mentions): a company states its
    // capital; a sole trader's name is followed by "EI".
    let cases: [(LegalForm, &[&str], &[&str]); 10] = [
        (
            LegalForm::Ei,
            &["Studio Lumière SARL EI", "Entrepreneur individuel (EI)"],
            &[
                "Studio Lumière SARL EI",
                "Sole trader (EI, entrepreneur individuel)",
            ],
        ),
        (
            LegalForm::Eurl,
            &["EURL au capital de 5 000,00 €"],
            &["EURL with a share capital of €5,000.00"],
        ),
        (
            LegalForm::Sarl,
            &["SARL au capital de 5 000,00 €"],
            &["SARL with a share capital of €5,000.00"],
        ),
        (
            LegalForm::Sasu,
            &["SASU au capital de 5 000,00 €"],
            &["SASU with a share capital of €5,000.00"],
        ),
        (
            LegalForm::Sas,
            &["SAS au capital de 5 000,00 €"],
            &["SAS with a share capital of €5,000.00"],
        ),
        (
            LegalForm::Sa,
            &["SA au capital de 5 000,00 €"],
            &["SA with a share capital of €5,000.00"],
        ),
        (
            LegalForm::Snc,
            &["SNC au capital de 5 000,00 €"],
            &["SNC with a share capital of €5,000.00"],
        ),
        (
            LegalForm::Sci,
            &["SCI au capital de 5 000,00 €"],
            &["SCI with a share capital of €5,000.00"],
        ),
        (
            LegalForm::Association,
            &["Association loi 1901"],
            &["Non-profit association (loi 1901)"],
        ),
        (
            LegalForm::Other,
            &["RCS Paris 732 829 320"],
            &["RCS Paris 732 829 320"],
        ),
    ];
    for (form, fr, en) in cases {
        for (lang, expected) in [(Lang::Fr, fr), (Lang::En, en)] {
            let mut doc = invoice(lang);
            doc.seller.legal_form = Some(form);
            doc.seller.share_capital = Some(Money::new(500_000, Currency::EUR));
            doc.seller.registration = Some(Registration::Rcs("Paris".into()));
            let r = render(&doc).unwrap();
            let path = write(
                &format!("form-{}-{}.pdf", form.as_str(), lang.code()),
                &r.bytes,
            );
            let text = pdftotext(&path, None);
            check_mentions(lang, &text, expected);
            check_mentions(lang, &text, &["RCS Paris 732 829 320"]);
            if !form.has_share_capital() {
                assert!(
                    !flat(&text).contains("5 000,00") && !flat(&text).contains("5,000.00"),
                    "{form:?}: no capital"
                );
            }
        }
    }
}

#[test]
fn the_debits_option_the_footer_and_the_references_print_in_english_too() {
    use acquit_core::{Address, Category, InvoiceDetails, Unit};
    let mut doc = invoice(Lang::En);
    doc.seller.vat_on_debits = true;
    doc.seller.legal_footer = Some("Professional insurance: Hiscox, policy 42, EU-wide".into());
    doc.details = InvoiceDetails {
        order_ref: Some("PO-7781".into()),
        buyer_ref: Some("PURCHASING".into()),
        delivery: Some(Address::from("Warehouse 4\n20 rue de Gerland\n69007 Lyon")),
        ..InvoiceDetails::default()
    };
    doc.category = Some(Category::Mixed);
    doc.lines[0].unit = Some(Unit::Hour);
    let path = write("references-en.pdf", &render(&doc).unwrap().bytes);
    check_mentions(
        Lang::En,
        &pdftotext(&path, None),
        &[
            "Order No.: PO-7781",
            "Your reference: PURCHASING",
            "Operation: Supply of goods and services",
            "DELIVER TO",
            "Warehouse 4",
            "69007 Lyon",
            // "5 h": pdftotext joins a one-letter unit to its number
            // (the space is drawn, as the page shows).
            "5h €600.00",
            "VAT paid on debits",
            "Professional insurance: Hiscox, policy 42, EU-wide",
        ],
    );
}

#[test]
fn consumer_invoice_has_no_recovery_indemnity() {
    let mut doc = invoice(Lang::Fr);
    doc.buyer.business = false;
    doc.buyer.siren = None;
    let path = write("consumer.pdf", &render(&doc).unwrap().bytes);
    let text = flat(&pdftotext(&path, None));
    assert!(!text.contains("40,00 €"), "{text}");
    assert!(text.contains("pénalités de retard"));
}

#[test]
fn early_payment_terms_are_printed_as_set() {
    let mut doc = invoice(Lang::Fr);
    doc.seller.early_payment_terms = Some("2 % si paiement sous 8 jours".into());
    let path = write("escompte.pdf", &render(&doc).unwrap().bytes);
    let text = flat(&pdftotext(&path, None));
    assert!(
        text.contains("Escompte pour paiement anticipé : 2 % si paiement sous 8 jours"),
        "{text}"
    );
}

#[test]
fn accented_greek_and_cyrillic_names_survive_intact() {
    let mut doc = invoice(Lang::Fr);
    // Decomposed on input: the PDF must carry the composed form.
    doc.buyer.name = "E\u{301}le\u{301}onore Dûbois-Lefèvre".into();
    let r = render(&doc).unwrap();
    assert_eq!(r.warnings, vec![]);
    let text = pdftotext(&write("names.pdf", &r.bytes), None);
    for name in [
        "Éléonore Dûbois-Lefèvre",
        "Ærøskøbing",
        "Γιώργος Παπαδόπουλος",
        "Дмитрий Иванов",
        "Studio Lumière SARL",
    ] {
        assert!(text.contains(name), "{name} in:\n{text}");
    }
}

#[test]
fn characters_the_font_lacks_are_reported_as_warnings() {
    let mut doc = invoice(Lang::Fr);
    doc.buyer.name = "李小龍 SARL".into();
    let r = render(&doc).unwrap();
    let missing: Vec<char> = r
        .warnings
        .iter()
        .filter_map(|w| match w {
            Warning::MissingGlyph { ch, .. } => Some(*ch),
            _ => None,
        })
        .collect();
    assert_eq!(missing, vec!['李', '小', '龍']);
    assert!(
        r.warnings[0].to_string().contains("U+674E"),
        "{}",
        r.warnings[0]
    );
}

#[test]
fn credit_note_has_its_title_and_references_the_invoice() {
    for (lang, expected) in [
        (
            Lang::Fr,
            [
                "AVOIR",
                "N° AV-2026-0003",
                "Avoir relatif à la facture n° F-2026-0042",
                "Motif : Annulation de la commande",
                "Total TTC -4 034,26 €",
            ],
        ),
        (
            Lang::En,
            [
                "CREDIT NOTE",
                "No. AV-2026-0003",
                "Credit note for invoice No. F-2026-0042",
                "Reason: Order cancelled",
                "Total incl. VAT -€4,034.26",
            ],
        ),
    ] {
        let r = render(&credit_note(lang)).unwrap();
        let path = write(&format!("credit-{}.pdf", lang.code()), &r.bytes);
        check_mentions(lang, &pdftotext(&path, None), &expected);
        // Nothing to pay on a credit note: no QR code at all.
        assert_eq!(decode_qr(&path), "", "{lang:?}");
    }
}

#[test]
fn balance_invoice_deducts_its_deposits() {
    let doc = balance(Lang::Fr);
    let path = write("balance.pdf", &render(&doc).unwrap().bytes);
    check_mentions(
        Lang::Fr,
        &pdftotext(&path, None),
        &[
            "FACTURE DE SOLDE",
            "Total de la commande TTC 4 034,26 €",
            "Acompte déduit n° F-2026-0031 (TTC) -1 200,00 €",
            "Total TTC 2 834,26 €",
        ],
    );
    let path = write("balance-en.pdf", &render(&balance(Lang::En)).unwrap().bytes);
    check_mentions(
        Lang::En,
        &pdftotext(&path, None),
        &[
            "BALANCE INVOICE",
            "Less deposit No. F-2026-0031 (incl. VAT) -€1,200.00",
            "Total incl. VAT €2,834.26",
        ],
    );
}

/// Every QR code on page 1 at 150 dpi, as zbar reads them (concatenated).
fn decode_qr(pdf: &std::path::Path) -> String {
    let prefix = pdf.with_extension("");
    let o = run(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    assert!(
        o.status.success(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let png = prefix.with_extension("png");
    let o = run(
        "zbarimg",
        &["-q", "--raw", "-Sbinary", png.to_str().unwrap()],
    );
    // zbarimg exits 4 when it finds no symbol.
    assert!(
        matches!(o.status.code(), Some(0) | Some(4)),
        "zbarimg: {o:?}"
    );
    String::from_utf8(o.stdout).expect("zbar output is UTF-8")
}

#[test]
fn both_qr_codes_decode_to_exactly_the_expected_payloads() {
    let doc = invoice(Lang::Fr);
    let path = write("qr.pdf", &render(&doc).unwrap().bytes);
    let epc = epc_payload(
        &doc.seller.legal_name,
        doc.seller.iban.as_ref().unwrap(),
        doc.seller.bic.as_ref(),
        doc.amount_due,
        NUMBER,
    )
    .unwrap();
    assert_eq!(
        epc,
        "BCD\n002\n1\nSCT\nAGRIFRPP\nStudio Lumière SARL\nFR7630006000011234567890189\nEUR4034.26\n\n\nF-2026-0042"
    );
    let decoded = decode_qr(&path);
    // zbar prints the symbols' data back to back, in no promised order.
    let both = [format!("{epc}{PAYMENT_URL}"), format!("{PAYMENT_URL}{epc}")];
    let trimmed = decoded.trim_end_matches('\n');
    assert!(both.iter().any(|b| b == trimmed), "decoded {decoded:?}");
}

/// The codes sit wherever the lines and addresses push them, and must
/// decode at any of those positions. (An invoice of the payment-loop test
/// once rendered codes no reader could decode: modules filled one by one
/// left hairline seams at that offset; they are one path now.)
#[test]
fn qr_codes_decode_wherever_the_layout_puts_them() {
    let mut failures = Vec::new();
    for lines in 0..3 {
        for url in [
            "http://127.0.0.1:36319/p/F13VYHBcuFxgFbo-9g77F2hY4P8s9Y2m",
            PAYMENT_URL,
        ] {
            for email in [false, true] {
                let mut doc = invoice(Lang::Fr);
                doc.payment_url = Some(url.to_owned());
                doc.buyer.address =
                    (lines > 0).then(|| vec!["12 rue Oberkampf"; lines].join("\n").as_str().into());
                doc.buyer.email = email.then(|| "compta@example.fr".parse().unwrap());
                let name = format!("qr-offset-{lines}-{}-{email}.pdf", url.len());
                let path = write(&name, &render(&doc).unwrap().bytes);
                let decoded = decode_qr(&path);
                if !(decoded.contains(url) && decoded.contains("BCD\n002")) {
                    failures.push(format!("{name}: {decoded:?}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "codes that did not decode: {failures:#?}"
    );
}

#[test]
fn transfer_qr_is_for_the_amount_still_due() {
    let mut doc = invoice(Lang::Fr);
    doc.amount_due = eur(100_000);
    doc.payment_url = None;
    let path = write("qr-partial.pdf", &render(&doc).unwrap().bytes);
    let decoded = decode_qr(&path);
    assert_eq!(
        decoded.trim_end_matches('\n'),
        "BCD\n002\n1\nSCT\nAGRIFRPP\nStudio Lumière SARL\nFR7630006000011234567890189\nEUR1000.00\n\n\nF-2026-0042"
    );
}

#[test]
fn no_qr_code_when_nothing_remains_to_pay() {
    let path = write(
        "qr-paid.pdf",
        &render(&paid(invoice(Lang::Fr))).unwrap().bytes,
    );
    assert_eq!(decode_qr(&path), "");
    // The bank details stay printed.
    assert!(flat(&pdftotext(&path, None)).contains("IBAN : FR76 3000 6000 0112 3456 7890 189"));
}

#[test]
fn paid_stamp_says_when_and_how() {
    let path = write(
        "stamp-fr.pdf",
        &render(&paid(invoice(Lang::Fr))).unwrap().bytes,
    );
    let text = flat(&pdftotext_raw(&path));
    assert!(text.contains("PAYÉE"), "{text}");
    assert!(text.contains("le 23/11/2026 · Virement"), "{text}");
    let path = write(
        "stamp-en.pdf",
        &render(&paid(invoice(Lang::En))).unwrap().bytes,
    );
    let text = flat(&pdftotext_raw(&path));
    assert!(text.contains("PAID"), "{text}");
    assert!(
        text.contains("on 23 November 2026 · Bank transfer"),
        "{text}"
    );
    // No stamp before payment.
    let path = write("nostamp.pdf", &render(&invoice(Lang::Fr)).unwrap().bytes);
    assert!(!flat(&pdftotext_raw(&path)).contains("PAYÉE"));
}

#[test]
fn partial_payment_stamp_shows_paid_and_remaining() {
    let mut doc = invoice(Lang::Fr);
    doc.paid = Some(acquit_pdf::PaidStamp {
        date: date(2026, 11, 23),
        method: "Carte (Stripe)".into(),
        paid: eur(100_000),
        remaining: eur(303_426),
    });
    doc.amount_due = eur(303_426);
    let path = write("stamp-partial.pdf", &render(&doc).unwrap().bytes);
    let text = flat(&pdftotext_raw(&path));
    assert!(text.contains("PAIEMENT PARTIEL"), "{text}");
    assert!(
        text.contains("Payé : 1 000,00 € · Reste : 3 034,26 €"),
        "{text}"
    );
    assert!(text.contains("Reste à payer 3 034,26 €"), "{text}");
}

#[test]
fn sixty_lines_span_pages_with_the_header_repeated_and_totals_once() {
    let r = render(&long_invoice(60)).unwrap();
    assert!(r.pages >= 2, "{} pages", r.pages);
    let path = write("long.pdf", &r.bytes);
    let mut seen_lines = Vec::new();
    for page in 1..=r.pages {
        let text = flat(&pdftotext(&path, Some(page)));
        assert!(
            text.contains("Désignation Qté P.U. HT TVA Montant HT"),
            "header on page {page}:\n{text}"
        );
        assert!(
            text.contains(&format!("Page {page} / {}", r.pages)),
            "{text}"
        );
        assert_eq!(
            text.matches("Total TTC").count(),
            usize::from(page == r.pages),
            "totals on page {page}"
        );
        for i in 1..=60 {
            if text.contains(&format!("Ligne {i:02} :")) {
                seen_lines.push(i);
            }
        }
        if page > 1 {
            assert!(text.contains("FACTURE n° F-2026-0042 (suite)"), "{text}");
        }
    }
    // Every line once, in order: no row split or lost across a break.
    assert_eq!(seen_lines, (1..=60).collect::<Vec<_>>());
}

#[test]
fn a_one_page_invoice_is_under_100_kb() {
    let r = render(&paid(invoice(Lang::Fr))).unwrap();
    assert_eq!(r.pages, 1);
    assert!(r.bytes.len() < 100_000, "{} bytes", r.bytes.len());
    let r = render(&invoice(Lang::Fr)).unwrap();
    assert!(r.bytes.len() < 100_000, "{} bytes", r.bytes.len());
}

#[test]
fn the_logo_is_drawn_and_a_broken_one_is_reported() {
    let mut doc = invoice(Lang::Fr);
    doc.logo_png = Some(logo_png(120, 40));
    let r = render(&doc).unwrap();
    assert_eq!(r.warnings, vec![]);
    let path = write("logo.pdf", &r.bytes);
    let o = run("pdfimages", &["-list", path.to_str().unwrap()]);
    let list = String::from_utf8(o.stdout).unwrap();
    assert_eq!(list.lines().skip(2).count(), 1, "one image:\n{list}");
    assert!(list.contains(" 120 ") && list.contains(" 40 "), "{list}");
    assert!(
        run("qpdf", &["--check", path.to_str().unwrap()])
            .status
            .success()
    );

    doc.logo_png = Some(b"not a png".to_vec());
    let r = render(&doc).unwrap();
    assert!(
        matches!(r.warnings.as_slice(), [Warning::BadLogo(_)]),
        "{:?}",
        r.warnings
    );
}

#[test]
fn letter_paper_is_a_setting() {
    let mut doc = invoice(Lang::En);
    doc.paper = acquit_pdf::Paper::Letter;
    let path = write("letter.pdf", &render(&doc).unwrap().bytes);
    let o = run("pdfinfo", &[path.to_str().unwrap()]);
    let info = String::from_utf8(o.stdout).unwrap();
    assert!(
        info.contains("612 x 792") && info.contains("(letter)"),
        "{info}"
    );
    let path = write("a4.pdf", &render(&invoice(Lang::En)).unwrap().bytes);
    let info = String::from_utf8(run("pdfinfo", &[path.to_str().unwrap()]).stdout).unwrap();
    assert!(info.contains("(A4)"), "{info}");
}

#[test]
fn credit_note_shows_no_payment_section() {
    let path = write(
        "credit-nopay.pdf",
        &render(&credit_note(Lang::Fr)).unwrap().bytes,
    );
    let text = flat(&pdftotext(&path, None));
    assert!(!text.contains("IBAN"), "{text}");
    assert!(
        text.contains("Remise : -300,00 €"),
        "one minus sign: {text}"
    );
}
