//! Reading a received e-invoice: the few business terms a buyer needs to
//! list it (who, which number, how much, when due), from a Factur-X PDF
//! (its embedded XML) or a CII XML. The reader trusts nothing: a file that
//! is not a CII, or lacks one of these terms, is refused with what is
//! missing; amounts are parsed exactly in their currency.

use acquit_core::{Currency, Money};
use chrono::NaiveDate;
use roxmltree::{Document, Node};

/// What a buyer sees of a received invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// BT-1.
    pub number: String,
    /// BT-3 (`380` an invoice, `381` a credit note, `386` a deposit).
    pub type_code: String,
    /// BT-2.
    pub issue_date: NaiveDate,
    /// BT-9, when given.
    pub due_date: Option<NaiveDate>,
    /// BT-27.
    pub seller_name: String,
    /// BT-30 with scheme 0002, when given.
    pub seller_siren: Option<String>,
    /// BT-44.
    pub buyer_name: String,
    /// BT-112, VAT included.
    pub total: Money,
    /// BT-115, what remains to pay.
    pub due: Money,
}

/// Why a received file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a received e-invoice that cannot be read: {0}")]
pub struct ReadError(String);

const RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
const RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";

fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| {
        n.is_element() && n.tag_name().namespace() == Some(ns) && n.tag_name().name() == name
    })
}

fn path<'a, 'i>(mut node: Node<'a, 'i>, steps: &[(&str, &str)]) -> Option<Node<'a, 'i>> {
    for (ns, name) in steps {
        node = child(node, ns, name)?;
    }
    Some(node)
}

fn text(node: Option<Node<'_, '_>>) -> Option<String> {
    let text: String = node?
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// A `format="102"` date (`YYYYMMDD`) under `node`.
fn date(node: Option<Node<'_, '_>>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&text(node)?, "%Y%m%d").ok()
}

/// The summary of a Factur-X PDF or a CII XML.
pub fn summary(file: &[u8]) -> Result<Summary, ReadError> {
    if file.starts_with(b"%PDF") {
        let (_, xml) = crate::check::embedded_xml(file).map_err(|e| ReadError(e.to_string()))?;
        return summary_of_xml(&xml);
    }
    summary_of_xml(file)
}

fn summary_of_xml(xml: &[u8]) -> Result<Summary, ReadError> {
    let text_xml = std::str::from_utf8(xml).map_err(|_| ReadError("not UTF-8".into()))?;
    let doc = Document::parse(text_xml).map_err(|e| ReadError(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().namespace() != Some(RSM) || root.tag_name().name() != "CrossIndustryInvoice"
    {
        return Err(ReadError(format!(
            "the root element is {}, not a CII CrossIndustryInvoice (a UBL invoice is not read yet)",
            root.tag_name().name()
        )));
    }
    let missing = |what: &str| ReadError(format!("{what} is missing"));
    let exchanged =
        child(root, RSM, "ExchangedDocument").ok_or_else(|| missing("ExchangedDocument"))?;
    let trade = child(root, RSM, "SupplyChainTradeTransaction")
        .ok_or_else(|| missing("SupplyChainTradeTransaction"))?;
    let agreement = child(trade, RAM, "ApplicableHeaderTradeAgreement")
        .ok_or_else(|| missing("the trade agreement"))?;
    let settlement = child(trade, RAM, "ApplicableHeaderTradeSettlement")
        .ok_or_else(|| missing("the trade settlement"))?;
    let seller =
        child(agreement, RAM, "SellerTradeParty").ok_or_else(|| missing("the seller (BG-4)"))?;
    let buyer =
        child(agreement, RAM, "BuyerTradeParty").ok_or_else(|| missing("the buyer (BG-7)"))?;
    let currency_code = text(child(settlement, RAM, "InvoiceCurrencyCode"))
        .ok_or_else(|| missing("the currency (BT-5)"))?;
    let currency = Currency::from_code(&currency_code)
        .map_err(|e| ReadError(format!("the currency (BT-5): {e}")))?;
    let sums = child(
        settlement,
        RAM,
        "SpecifiedTradeSettlementHeaderMonetarySummation",
    )
    .ok_or_else(|| missing("the totals (BG-22)"))?;
    let amount = |name: &str, term: &str| -> Result<Money, ReadError> {
        let value = text(child(sums, RAM, name)).ok_or_else(|| missing(term))?;
        Money::parse(&value, currency).map_err(|e| ReadError(format!("{term} {value:?}: {e}")))
    };
    let seller_siren = child(seller, RAM, "SpecifiedLegalOrganization")
        .and_then(|o| child(o, RAM, "ID"))
        .filter(|id| id.attribute("schemeID") == Some("0002"))
        .and_then(|id| text(Some(id)));
    Ok(Summary {
        number: text(child(exchanged, RAM, "ID")).ok_or_else(|| missing("the number (BT-1)"))?,
        type_code: text(child(exchanged, RAM, "TypeCode"))
            .ok_or_else(|| missing("the type (BT-3)"))?,
        issue_date: date(child(exchanged, RAM, "IssueDateTime"))
            .ok_or_else(|| missing("the issue date (BT-2)"))?,
        due_date: date(path(
            settlement,
            &[
                (RAM, "SpecifiedTradePaymentTerms"),
                (RAM, "DueDateDateTime"),
            ],
        )),
        seller_name: text(child(seller, RAM, "Name"))
            .ok_or_else(|| missing("the seller's name (BT-27)"))?,
        seller_siren,
        buyer_name: text(child(buyer, RAM, "Name"))
            .ok_or_else(|| missing("the buyer's name (BT-44)"))?,
        total: amount("GrandTotalAmount", "the total (BT-112)")?,
        due: amount("DuePayableAmount", "the amount due (BT-115)")?,
    })
}
