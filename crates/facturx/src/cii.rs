//! The CII D22B XML of a document, profile EN 16931 (Factur-X 1.0.7+),
//! with what the French rules (FNFE BR-FR, v1.4) add to it.
//!
//! Signs: a credit note's amounts are negative in Acquit's books (it is
//! owed to the client) but positive in its XML, where its type (381)
//! carries the sign (BR-FR-DEC-03). A balance invoice lists the order's
//! lines, then one line per VAT rate deducting the deposits (quantity −1,
//! positive price), so its VAT breakdown is the balance's, as on the PDF.

use acquit_core::tax::VatCategory;
use acquit_core::{
    Address, Category, Country, Currency, InvoiceKind, Lang, Line, Money, PaymentMeans, VatRate,
    VatRegime,
};
use acquit_pdf::Document;
use chrono::NaiveDate;

use crate::xml::Xml;

const NS: [(&str, &str); 4] = [
    (
        "xmlns:rsm",
        "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    ),
    (
        "xmlns:qdt",
        "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    ),
    (
        "xmlns:ram",
        "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    ),
    (
        "xmlns:udt",
        "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    ),
];

/// The French billing framework (cadre de facturation, BT-23): goods (B),
/// services (S) or both (M); 1 an invoice, 4 the final invoice after
/// deposits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingFramework {
    B1,
    S1,
    M1,
    B4,
    S4,
    M4,
}

impl BillingFramework {
    pub fn of(doc: &Document) -> BillingFramework {
        let category = doc.category.unwrap_or(Category::Services);
        let balance = doc.kind == InvoiceKind::Balance;
        match (category, balance) {
            (Category::Goods, false) => BillingFramework::B1,
            (Category::Services, false) => BillingFramework::S1,
            (Category::Mixed, false) => BillingFramework::M1,
            (Category::Goods, true) => BillingFramework::B4,
            (Category::Services, true) => BillingFramework::S4,
            (Category::Mixed, true) => BillingFramework::M4,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            BillingFramework::B1 => "B1",
            BillingFramework::S1 => "S1",
            BillingFramework::M1 => "M1",
            BillingFramework::B4 => "B4",
            BillingFramework::S4 => "S4",
            BillingFramework::M4 => "M4",
        }
    }
}

/// The document type code (BT-3, UNTDID 1001).
fn type_code(kind: InvoiceKind) -> &'static str {
    kind.untdid_1001()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// A VAT rate as the rules want it: a percentage without the sign, "20",
/// "5.5", "0".
fn rate(r: VatRate) -> String {
    r.to_decimal_string()
}

/// What the document's amounts are multiplied by to be written: −1 for a
/// credit note (see the module's docs).
struct Signed {
    sign: i64,
}

impl Signed {
    fn amount(&self, m: Money) -> String {
        Money::new(m.minor() * self.sign, m.currency()).to_decimal_string()
    }
}

/// The CII XML of `doc`. Deterministic: same document, same bytes.
pub fn cii_xml(doc: &Document) -> String {
    let credit = doc.kind.is_credit_note();
    let s = Signed {
        sign: if credit { -1 } else { 1 },
    };
    let currency = doc.totals.currency;
    let regime = doc.seller.vat_regime;
    let exemption = doc.buyer.vat_exemption;
    let category = |r: VatRate| VatCategory::of(regime, exemption, r);

    let mut x = Xml::new();
    x.open_with("rsm:CrossIndustryInvoice", &NS);

    x.open("rsm:ExchangedDocumentContext");
    x.open("ram:BusinessProcessSpecifiedDocumentContextParameter");
    x.leaf("ram:ID", BillingFramework::of(doc).code());
    x.close();
    x.open("ram:GuidelineSpecifiedDocumentContextParameter");
    x.leaf("ram:ID", "urn:cen.eu:en16931:2017");
    x.close();
    x.close();

    x.open("rsm:ExchangedDocument");
    x.leaf("ram:ID", &doc.number);
    x.leaf("ram:TypeCode", type_code(doc.kind));
    x.open("ram:IssueDateTime");
    x.leaf_with(
        "udt:DateTimeString",
        &[("format", "102")],
        &date(doc.issue_date),
    );
    x.close();
    for (subject, content) in notes(doc) {
        x.open("ram:IncludedNote");
        x.leaf("ram:Content", &content);
        if let Some(code) = subject {
            x.leaf("ram:SubjectCode", code);
        }
        x.close();
    }
    x.close();

    x.open("rsm:SupplyChainTradeTransaction");
    let mut line_id = 0;
    for (line, amounts) in doc.lines.iter().zip(&doc.totals.lines) {
        line_id += 1;
        trade_line(
            &mut x,
            line_id,
            &line.description,
            LineFigures {
                quantity: quantity(line),
                unit_code: line.unit.map_or("C62", |u| u.rec20()),
                price: s
                    .amount(line.input.unit_price)
                    .trim_start_matches('-')
                    .to_owned(),
                discount: Money::new(amounts.discount.minor().abs(), currency),
                net: Money::new(amounts.net.minor() * s.sign, currency),
                category: category(amounts.vat_rate),
                rate: amounts.vat_rate,
            },
        );
    }
    let deductions = deposit_deductions(doc);
    for &(rate_of, deducted) in &deductions {
        line_id += 1;
        let numbers: Vec<&str> = doc.deposits.iter().map(|d| d.number.as_str()).collect();
        trade_line(
            &mut x,
            line_id,
            &format!("Acompte(s) déduit(s) : {}", numbers.join(", ")),
            LineFigures {
                quantity: "-1".into(),
                unit_code: "C62",
                price: deducted.to_decimal_string(),
                discount: Money::zero(currency),
                net: Money::new(-deducted.minor(), currency),
                category: category(rate_of),
                rate: rate_of,
            },
        );
    }

    // Agreement: the parties and the buyer's references.
    x.open("ram:ApplicableHeaderTradeAgreement");
    if let Some(reference) = &doc.details.buyer_ref {
        x.leaf("ram:BuyerReference", reference);
    }
    seller_party(&mut x, doc);
    buyer_party(&mut x, doc);
    if let Some(order) = &doc.details.order_ref {
        x.open("ram:BuyerOrderReferencedDocument");
        x.leaf("ram:IssuerAssignedID", order);
        x.close();
    }
    x.close();

    // Delivery: where, when.
    x.open("ram:ApplicableHeaderTradeDelivery");
    let delivery = doc
        .details
        .delivery_for(&doc.buyer)
        // Goods delivered in another EU country say where (BR-IC-12): the
        // billing address when no other is given.
        .or_else(|| {
            let intra_eu = doc
                .totals
                .vat
                .iter()
                .any(|row| category(row.rate) == VatCategory::K);
            doc.buyer.address.as_ref().filter(|_| intra_eu)
        });
    if let Some(address) = delivery {
        x.open("ram:ShipToTradeParty");
        x.leaf("ram:Name", &doc.buyer.name);
        postal_address(&mut x, address);
        x.close();
    }
    x.open("ram:ActualDeliverySupplyChainEvent");
    x.open("ram:OccurrenceDateTime");
    x.leaf_with(
        "udt:DateTimeString",
        &[("format", "102")],
        &date(doc.sale_date.unwrap_or(doc.issue_date)),
    );
    x.close();
    x.close();
    x.close();

    // Settlement: how to pay, the VAT breakdown, terms, totals.
    x.open("ram:ApplicableHeaderTradeSettlement");
    x.leaf("ram:PaymentReference", &doc.number);
    if currency != Currency::EUR {
        x.leaf("ram:TaxCurrencyCode", "EUR");
    }
    x.leaf("ram:InvoiceCurrencyCode", currency.code());
    // How to pay (BG-16): as recorded at issue; invoices issued before
    // that was recorded offer a transfer when the seller has an IBAN.
    let means = if credit {
        Vec::new()
    } else if doc.details.payment_means.is_empty() {
        PaymentMeans::offered(&doc.seller)
    } else {
        doc.details.payment_means.clone()
    };
    for way in means {
        x.open("ram:SpecifiedTradeSettlementPaymentMeans");
        x.leaf("ram:TypeCode", way.code());
        if way == PaymentMeans::Transfer
            && let Some(iban) = &doc.seller.iban
        {
            x.open("ram:PayeePartyCreditorFinancialAccount");
            x.leaf("ram:IBANID", iban.as_str());
            x.close();
            if let Some(bic) = &doc.seller.bic {
                x.open("ram:PayeeSpecifiedCreditorFinancialInstitution");
                x.leaf("ram:BICID", bic.as_str());
                x.close();
            }
        }
        x.close();
    }
    for row in &doc.totals.vat {
        let cat = category(row.rate);
        x.open("ram:ApplicableTradeTax");
        x.leaf("ram:CalculatedAmount", &s.amount(row.vat));
        x.leaf("ram:TypeCode", "VAT");
        if let Some(reason) = exemption_text(doc, cat) {
            x.leaf("ram:ExemptionReason", reason);
        }
        x.leaf("ram:BasisAmount", &s.amount(row.base));
        x.leaf("ram:CategoryCode", cat.code());
        if let Some(code) = cat.exemption_code() {
            x.leaf("ram:ExemptionReasonCode", code);
        }
        if cat == VatCategory::S {
            x.leaf("ram:DueDateTypeCode", tax_point_code(doc));
        }
        x.leaf("ram:RateApplicablePercent", &rate(row.rate));
        x.close();
    }
    x.open("ram:SpecifiedTradePaymentTerms");
    x.open("ram:DueDateDateTime");
    x.leaf_with(
        "udt:DateTimeString",
        &[("format", "102")],
        &date(doc.due_date),
    );
    x.close();
    x.close();
    x.open("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
    let line_total = doc.totals.lines.iter().map(|l| l.net.minor()).sum::<i64>()
        - deductions.iter().map(|(_, m)| m.minor()).sum::<i64>();
    x.leaf(
        "ram:LineTotalAmount",
        &s.amount(Money::new(line_total, currency)),
    );
    x.leaf("ram:TaxBasisTotalAmount", &s.amount(doc.totals.net));
    x.leaf_with(
        "ram:TaxTotalAmount",
        &[("currencyID", currency.code())],
        &s.amount(doc.totals.vat_total),
    );
    if currency != Currency::EUR
        && let Some(eur) = doc.details.vat_total_eur
    {
        x.leaf_with(
            "ram:TaxTotalAmount",
            &[("currencyID", "EUR")],
            &s.amount(eur),
        );
    }
    x.leaf("ram:GrandTotalAmount", &s.amount(doc.totals.total));
    x.leaf("ram:DuePayableAmount", &s.amount(doc.totals.total));
    x.close();
    // Preceding invoices (BG-3): the one a credit note corrects, the
    // deposits a balance invoice deducts.
    let preceding = doc
        .credits
        .iter()
        .map(|number| (number.as_str(), doc.details.credited_issue_date))
        .chain(
            doc.deposits
                .iter()
                .map(|d| (d.number.as_str(), Some(d.issue_date))),
        );
    for (number, issued) in preceding {
        x.open("ram:InvoiceReferencedDocument");
        x.leaf("ram:IssuerAssignedID", number);
        if let Some(d) = issued {
            x.open("ram:FormattedIssueDateTime");
            x.leaf_with("qdt:DateTimeString", &[("format", "102")], &date(d));
            x.close();
        }
        x.close();
    }
    x.close();

    x.close();
    x.finish()
}

/// What one trade line writes.
struct LineFigures {
    quantity: String,
    unit_code: &'static str,
    /// The net unit price, positive.
    price: String,
    /// The line's discount, positive (none when zero).
    discount: Money,
    /// The line's net amount, signed as written.
    net: Money,
    category: VatCategory,
    rate: VatRate,
}

fn trade_line(x: &mut Xml, id: usize, name: &str, f: LineFigures) {
    x.open("ram:IncludedSupplyChainTradeLineItem");
    x.open("ram:AssociatedDocumentLineDocument");
    x.leaf("ram:LineID", &id.to_string());
    x.close();
    x.open("ram:SpecifiedTradeProduct");
    x.leaf("ram:Name", name.trim());
    x.close();
    x.open("ram:SpecifiedLineTradeAgreement");
    x.open("ram:NetPriceProductTradePrice");
    x.leaf("ram:ChargeAmount", &f.price);
    x.close();
    x.close();
    x.open("ram:SpecifiedLineTradeDelivery");
    x.leaf_with(
        "ram:BilledQuantity",
        &[("unitCode", f.unit_code)],
        &f.quantity,
    );
    x.close();
    x.open("ram:SpecifiedLineTradeSettlement");
    x.open("ram:ApplicableTradeTax");
    x.leaf("ram:TypeCode", "VAT");
    x.leaf("ram:CategoryCode", f.category.code());
    x.leaf("ram:RateApplicablePercent", &rate(f.rate));
    x.close();
    if f.discount.is_positive() {
        x.open("ram:SpecifiedTradeAllowanceCharge");
        x.open("ram:ChargeIndicator");
        x.leaf("udt:Indicator", "false");
        x.close();
        x.leaf("ram:ActualAmount", &f.discount.to_decimal_string());
        x.leaf("ram:Reason", "Remise");
        x.close();
    }
    x.open("ram:SpecifiedTradeSettlementLineMonetarySummation");
    x.leaf("ram:LineTotalAmount", &f.net.to_decimal_string());
    x.close();
    x.close();
    x.close();
}

/// The quantity with at most three decimals, as the rules write it.
fn quantity(line: &Line) -> String {
    acquit_core::decimal::format_scaled(
        i128::from(line.input.quantity.thousandths()),
        3,
        '.',
        None,
        true,
    )
}

/// For a balance invoice: per VAT rate, the deposits' base it deducts
/// (the order's base at that rate minus the balance's), positive.
fn deposit_deductions(doc: &Document) -> Vec<(VatRate, Money)> {
    if doc.kind != InvoiceKind::Balance {
        return Vec::new();
    }
    let currency = doc.totals.currency;
    doc.totals
        .vat
        .iter()
        .filter_map(|row| {
            let order: i64 = doc
                .totals
                .lines
                .iter()
                .filter(|l| l.vat_rate == row.rate)
                .map(|l| l.net.minor())
                .sum();
            let deducted = order - row.base.minor();
            (deducted != 0).then(|| (row.rate, Money::new(deducted, currency)))
        })
        .collect()
}

/// BT-8, when VAT becomes due: on invoicing for a seller who opted for
/// the debits (5), on delivery for goods (29), on payment for services
/// (72).
fn tax_point_code(doc: &Document) -> &'static str {
    if doc.seller.vat_on_debits {
        "5"
    } else if doc.category == Some(Category::Goods) {
        "29"
    } else {
        "72"
    }
}

fn exemption_text(doc: &Document, category: VatCategory) -> Option<&'static str> {
    match category {
        VatCategory::S | VatCategory::Z => None,
        VatCategory::E => Some("TVA non applicable, art. 293 B du CGI"),
        _ => doc.buyer.vat_exemption.mention(Lang::Fr),
    }
}

/// The notes (BG-1): the French rules ask for the recovery indemnity
/// (PMT), the late penalties (PMD), the early-payment discount or its
/// absence (AAB), and the kind of operation (BAR).
fn notes(doc: &Document) -> Vec<(Option<&'static str>, String)> {
    let penalty = acquit_core::VatRate::from_basis_points(doc.seller.late_penalty_bp)
        .map(|r| r.format(Lang::Fr))
        .unwrap_or_else(|_| format!("{} points de base", doc.seller.late_penalty_bp));
    let bar = if doc.buyer.is_french_business() {
        "B2B"
    } else if doc.buyer.business {
        "B2BINT"
    } else {
        "B2C"
    };
    let mut notes = vec![
        (Some("BAR"), bar.to_owned()),
        (
            Some("PMT"),
            if doc.buyer.business {
                "Indemnité forfaitaire pour frais de recouvrement en cas de retard : 40 € (art. L441-10 et D441-5 du Code de commerce)".to_owned()
            } else {
                "Indemnité forfaitaire pour frais de recouvrement : sans objet, le client n'est pas un professionnel".to_owned()
            },
        ),
        (
            Some("PMD"),
            format!(
                "En cas de retard de paiement, des pénalités de retard sont exigibles au taux annuel de {penalty}"
            ),
        ),
        (
            Some("AAB"),
            match doc.seller.early_payment_terms.as_deref().map(str::trim) {
                Some(terms) if !terms.is_empty() => terms.to_owned(),
                _ => "Pas d'escompte pour paiement anticipé".to_owned(),
            },
        ),
    ];
    if let Some(reason) = &doc.reason {
        notes.push((None, format!("Motif : {reason}")));
    }
    if let Some(footer) = doc
        .seller
        .legal_footer
        .as_deref()
        .filter(|f| !f.trim().is_empty())
    {
        notes.push((None, footer.trim().to_owned()));
    }
    notes
}

fn postal_address(x: &mut Xml, address: &Address) {
    x.open("ram:PostalTradeAddress");
    x.leaf_opt("ram:PostcodeCode", address.postcode.as_deref());
    let lines = &address.lines;
    x.leaf_opt("ram:LineOne", lines.first().map(String::as_str));
    x.leaf_opt("ram:LineTwo", lines.get(1).map(String::as_str));
    if lines.len() > 2 {
        x.leaf("ram:LineThree", &lines[2..].join(", "));
    }
    x.leaf_opt("ram:CityName", address.city.as_deref());
    let country = address.country.unwrap_or(Country::FR);
    x.leaf("ram:CountryID", country.code());
    x.close();
}

fn seller_party(x: &mut Xml, doc: &Document) {
    let seller = &doc.seller;
    x.open("ram:SellerTradeParty");
    x.leaf("ram:Name", &seller.printed_name());
    let mentions = seller.legal_mentions(Lang::Fr);
    if !mentions.is_empty() {
        x.leaf("ram:Description", &mentions.join(" ; "));
    }
    if let Some(siren) = &seller.siren {
        x.open("ram:SpecifiedLegalOrganization");
        x.leaf_with("ram:ID", &[("schemeID", "0002")], siren.as_str());
        x.close();
    }
    postal_address(x, &seller.address);
    if let Some(siren) = &seller.siren {
        x.open("ram:URIUniversalCommunication");
        x.leaf_with("ram:URIID", &[("schemeID", "0225")], siren.as_str());
        x.close();
    } else if let Some(email) = &seller.email {
        x.open("ram:URIUniversalCommunication");
        x.leaf_with("ram:URIID", &[("schemeID", "EM")], email.as_str());
        x.close();
    }
    if let Some(vat) = &seller.vat_number {
        x.open("ram:SpecifiedTaxRegistration");
        x.leaf_with("ram:ID", &[("schemeID", "VA")], vat.as_str());
        x.close();
    } else if let (VatRegime::Franchise, Some(siren)) = (seller.vat_regime, &seller.siren) {
        // Under the franchise there is often no VAT number: the tax
        // registration (BT-32, needed with category E) is the SIREN.
        x.open("ram:SpecifiedTaxRegistration");
        x.leaf_with("ram:ID", &[("schemeID", "FC")], siren.as_str());
        x.close();
    }
    x.close();
}

fn buyer_party(x: &mut Xml, doc: &Document) {
    let buyer = &doc.buyer;
    x.open("ram:BuyerTradeParty");
    x.leaf("ram:Name", &buyer.name);
    if let Some(siren) = &buyer.siren {
        x.open("ram:SpecifiedLegalOrganization");
        x.leaf_with("ram:ID", &[("schemeID", "0002")], siren.as_str());
        x.close();
    }
    if let Some(address) = &buyer.address {
        postal_address(x, address);
    }
    match (&buyer.siren, &buyer.email) {
        (Some(siren), _) if buyer.is_french_business() => {
            x.open("ram:URIUniversalCommunication");
            x.leaf_with("ram:URIID", &[("schemeID", "0225")], siren.as_str());
            x.close();
        }
        (_, Some(email)) => {
            x.open("ram:URIUniversalCommunication");
            x.leaf_with("ram:URIID", &[("schemeID", "EM")], email.as_str());
            x.close();
        }
        _ => {}
    }
    if let Some(vat) = &buyer.vat_number {
        x.open("ram:SpecifiedTaxRegistration");
        x.leaf_with("ram:ID", &[("schemeID", "VA")], vat.as_str());
        x.close();
    }
    x.close();
}
