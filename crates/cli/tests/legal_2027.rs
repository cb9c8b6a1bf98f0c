//! Issue #20's acceptance, as a user does it with the CLI: the mentions
//! French law asks of an invoice from 1 September 2027 are in the PDF
//! (read back with poppler's pdftotext), in `invoice show --json`, and
//! what is missing is refused on that date, with what to do, changing
//! nothing.

mod common;
use common::{Acquit, text};
use serde_json::Value;

/// The PDF of `number`, as text, flattened to single spaces.
fn pdf_text(acquit: &Acquit, number: &str) -> String {
    let path = acquit.dir.path().join(format!("{number}.pdf"));
    acquit.ok(&["invoice", "pdf", number, "--out", path.to_str().unwrap()]);
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (apt install poppler-utils)");
    assert!(out.status.success());
    text(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_mentions(number: &str, text: &str, expected: &[&str]) {
    let missing: Vec<&&str> = expected.iter().filter(|m| !text.contains(**m)).collect();
    assert!(
        missing.is_empty(),
        "{number}: missing {missing:?} in:\n{text}"
    );
}

/// A micro-entrepreneur (EI) under the VAT franchise, in the liberal
/// professions, exempt from registration.
fn micro_entrepreneur() -> Acquit {
    let acquit = Acquit::on_day("2027-09-30");
    common::micro_entrepreneur_company(&acquit);
    // A French business, its SIREN not given yet.
    acquit.ok(&[
        "client",
        "add",
        "--name",
        "Agence Lumière",
        "--street",
        "3 quai Rambaud",
        "--postcode",
        "69002",
        "--city",
        "Lyon",
    ]);
    acquit.ok(&["client", "edit", "1", "--vat", "FR44732829320"]);
    acquit
}

fn draft_with_a_day(acquit: &Acquit, extra: &[&str]) -> String {
    let mut args = vec!["invoice", "new", "--client", "1"];
    args.extend_from_slice(extra);
    let id = acquit.ok(&args).trim().to_owned();
    acquit.ok(&[
        "invoice",
        "add-line",
        &id,
        "--desc",
        "Atelier de design",
        "--qty",
        "3",
        "--unit-price",
        "450",
        "--unit",
        "day",
    ]);
    id
}

#[test]
fn a_french_business_client_without_siren_is_refused_from_september_2027_and_warned_before() {
    let acquit = micro_entrepreneur();
    let id = draft_with_a_day(&acquit, &[]);
    let before = acquit.ok(&["invoice", "list", "--json"]);
    let stderr = acquit.fails(1, &["invoice", "issue", &id, "--date", "2027-09-01"]);
    assert!(
        stderr.contains("cannot be issued on 2027-09-01")
            && stderr.contains("Agence Lumière")
            && stderr.contains("acquit client edit --siren"),
        "{stderr}"
    );
    assert_eq!(
        acquit.ok(&["invoice", "list", "--json"]),
        before,
        "nothing changed"
    );

    // The day before, it is issued, with a warning saying what comes.
    let out = acquit.run(&["invoice", "issue", &id, "--date", "2027-08-31"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "F-2027-0001\n");
    let warning = text(&out.stderr);
    assert!(
        warning.contains("warning: from 2027-09-01") && warning.contains("SIREN"),
        "{warning}"
    );
}

#[test]
fn an_ei_under_the_franchise_selling_services_prints_every_mention_and_its_credit_note_the_date() {
    let acquit = micro_entrepreneur();
    acquit.ok(&["client", "edit", "1", "--siren", "443061841"]);
    let id = draft_with_a_day(&acquit, &["--order-ref", "BC-2027-118"]);
    let number = acquit.ok(&["invoice", "issue", &id, "--date", "2027-09-02"]);
    let number = number.trim();
    assert_mentions(
        number,
        &pdf_text(&acquit, number),
        &[
            "Camille Roux EI",
            "Entrepreneur individuel (EI)",
            // Wrapped on two lines beside the dates.
            "Dispensé d'immatriculation au registre du commerce et des",
            "sociétés (RCS) et au répertoire des métiers (RM)",
            "Camille Roux EI · SIREN 732 829 320",
            "SIREN 732 829 320",
            "SIREN 443 061 841",
            "3 quai Rambaud",
            "69002 Lyon",
            "Opération : Prestations de services",
            "Commande n° : BC-2027-118",
            "3 jours",
            "TVA non applicable, art. 293 B du CGI",
            "Indemnité forfaitaire pour frais de recouvrement en cas de retard : 40,00 €",
        ],
    );
    let json = acquit.json(&["invoice", "show", number, "--json"]);
    assert_eq!(json["category"], "services");
    assert_eq!(json["order_ref"], "BC-2027-118");
    assert_eq!(json["lines"][0]["nature"], "service", "from the activity");
    assert_eq!(json["lines"][0]["unit"], "day");
    assert_eq!(json["lines"][0]["unit_code"], "DAY");
    assert_eq!(json["lines"][0]["vat_category"], "E");
    assert_eq!(json["seller_mentions"][0], "Entrepreneur individuel (EI)");

    let credit = acquit.ok(&[
        "credit-note",
        number,
        "--amount",
        "100",
        "--date",
        "2027-09-10",
    ]);
    let credit = credit.trim();
    assert_mentions(
        credit,
        &pdf_text(&acquit, credit),
        &[
            "AVOIR",
            "Avoir relatif à la facture n° F-2027-0001 du 02/09/2027",
        ],
    );
    let json = acquit.json(&["invoice", "show", credit, "--json"]);
    assert_eq!(json["credits_date"], "2027-09-02");
    // Its line carries a positive price: the document's type carries the
    // sign (BR-FR-DEC-03).
    assert_eq!(json["lines"][0]["unit_price"], "100.00");
    assert_eq!(json["total"], "-100.00");
}

/// A SASU with its capital and RCS, on debits, selling goods.
fn sasu() -> Acquit {
    let acquit = Acquit::on_day("2027-09-30");
    acquit.ok(&[
        "company",
        "set",
        "--name",
        "Nova Matériaux",
        "--legal-form",
        "sasu",
        "--share-capital",
        "1000",
        "--registration",
        "RCS Lyon",
        "--siren",
        "552100554",
        "--street",
        "12 rue de la Part-Dieu",
        "--postcode",
        "69003",
        "--city",
        "Lyon",
        "--activity",
        "goods",
        "--vat-on-debits",
        "--legal-footer",
        "Assurance décennale : Mutuelle des Bâtisseurs, contrat 12345, France métropolitaine",
    ]);
    acquit.ok(&[
        "client",
        "add",
        "--name",
        "Boulangerie Martin SARL",
        "--siren",
        "443061841",
        "--address",
        "4 place des Terreaux, 69001 Lyon",
    ]);
    acquit
}

#[test]
fn a_sasu_selling_goods_prints_capital_registration_delivery_order_and_the_debits_option() {
    let acquit = sasu();
    let id = acquit.ok(&[
        "invoice",
        "new",
        "--client",
        "1",
        "--order-ref",
        "PO-7781",
        "--buyer-ref",
        "SERVICE-ACHATS",
        "--delivery-street",
        "Entrepôt 4",
        "--delivery-street",
        "20 rue de Gerland",
        "--delivery-postcode",
        "69007",
        "--delivery-city",
        "Lyon",
    ]);
    let id = id.trim();
    acquit.ok(&[
        "invoice",
        "add-line",
        id,
        "--desc",
        "Farine T65",
        "--qty",
        "250",
        "--unit-price",
        "1.20",
        "--vat",
        "5.5",
        "--unit",
        "kg",
    ]);
    let number = acquit.ok(&["invoice", "issue", id, "--date", "2027-09-03"]);
    let number = number.trim();
    assert_mentions(
        number,
        &pdf_text(&acquit, number),
        &[
            "Nova Matériaux",
            "SASU au capital de 1 000,00 €",
            "RCS Lyon 552 100 554",
            "Commande n° : PO-7781",
            "Référence client : SERVICE-ACHATS",
            "Opération : Livraison de biens",
            "LIVRAISON",
            "Entrepôt 4",
            "20 rue de Gerland",
            "69007 Lyon",
            "250 kg",
            "Option pour le paiement de la taxe d'après les débits",
            "Assurance décennale : Mutuelle des Bâtisseurs",
        ],
    );
    let json = acquit.json(&["invoice", "show", number, "--json"]);
    assert_eq!(json["category"], "goods");
    assert_eq!(json["lines"][0]["vat_category"], "S");
    assert_eq!(
        json["delivery_address"],
        "Entrepôt 4\n20 rue de Gerland\n69007 Lyon"
    );
    let company = acquit.json(&["company", "show", "--json"]);
    assert_eq!(company["legal_form"], "sasu");
    assert_eq!(company["share_capital"], "1000.00");
    assert_eq!(company["registration"], "RCS Lyon");
    assert_eq!(company["country"], "FR");
    assert_eq!(company["vat_on_debits"], true);
}

/// A line of 1,000 in the draft's currency, a service.
fn export_consulting(acquit: &Acquit, draft: &str) {
    acquit.ok(&[
        "invoice",
        "add-line",
        draft,
        "--desc",
        "Conseil export",
        "--qty",
        "1",
        "--unit-price",
        "1000",
        "--nature",
        "service",
    ]);
}

#[test]
fn an_invoice_in_dollars_states_its_vat_in_euros_at_the_rate_given() {
    let acquit = sasu();
    let id = acquit.ok(&["invoice", "new", "--client", "1", "--currency", "USD"]);
    let id = id.trim();
    export_consulting(&acquit, id);
    // Without the rate: refused, with what to type.
    let stderr = acquit.fails(1, &["invoice", "issue", id, "--date", "2027-09-03"]);
    assert!(stderr.contains("--eur-rate"), "{stderr}");

    let id = acquit.ok(&[
        "invoice",
        "new",
        "--client",
        "1",
        "--currency",
        "USD",
        "--eur-rate",
        "1.0850",
    ]);
    let id = id.trim();
    export_consulting(&acquit, id);
    let number = acquit.ok(&["invoice", "issue", id, "--date", "2027-09-03"]);
    let number = number.trim();
    // 200.00 USD of VAT ÷ 1.085 = 184.33 €
    let text = pdf_text(&acquit, number);
    assert_mentions(
        number,
        &text,
        &[
            "TVA en euros (1 € = 1,085 USD) 184,33 €",
            "Opération : Prestations de services",
        ],
    );
    let json = acquit.json(&["invoice", "show", number, "--json"]);
    assert_eq!(json["eur_rate"], "1.085");
    assert_eq!(json["vat_total_eur"], "184.33");
    assert_eq!(json["vat_total"], "200.00");
    // A euro invoice takes no rate.
    let stderr = acquit.fails(1, &["invoice", "new", "--client", "1", "--eur-rate", "1"]);
    assert!(stderr.contains("leave --eur-rate out"), "{stderr}");
    assert_eq!(json["currency"], Value::from("USD"));
}
