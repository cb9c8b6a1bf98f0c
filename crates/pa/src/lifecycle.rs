//! Lifecycle statuses of an invoice (DGFiP's external specifications,
//! the codes the FNFE 1.4.0 CDAR rules accept) and the reader of the
//! CDAR messages (UN/CEFACT `CrossDomainAcknowledgementAndResponse` D22B)
//! that carry them.

use roxmltree::{Document, Node};

/// The statuses and reasons are the law's vocabulary, kept in the core
/// (the books and the app name them too).
pub use acquit_core::einvoicing::{REASONS, STATUSES, Status, needs_reason};

/// What one CDAR message says about one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleMessage {
    /// The message's own id (`ExchangedDocument/ID`).
    pub message_id: String,
    /// `IssueDateTime`, as written (`YYYYMMDDhhmmss`).
    pub issued_at: String,
    /// The invoice's number (`ReferenceReferencedDocument/IssuerAssignedID`).
    pub invoice_number: String,
    pub code: u16,
    /// `ProcessCondition`, as the sender wrote it.
    pub label: String,
    /// Who issued it: `BY` (the buyer), `SE` (the seller), `WK` (a platform)…
    pub issuer_role: Option<String>,
    /// The first `SpecifiedDocumentStatus/ReasonCode` and its `Reason`.
    pub reason_code: Option<String>,
    pub reason: Option<String>,
    /// For 212: the amount received and its VAT rate, as written.
    pub amount: Option<String>,
    pub vat_rate: Option<String>,
}

/// Why a CDAR message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a lifecycle message (CDAR) that cannot be read: {0}")]
pub struct CdarError(String);

const RSM: &str = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100";
const RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";

fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| {
        n.is_element() && n.tag_name().namespace() == Some(ns) && n.tag_name().name() == name
    })
}

fn text_of(node: Option<Node<'_, '_>>) -> Option<String> {
    let text: String = node?
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The statuses of a CDAR message: one per referenced invoice (most carry
/// one). DTDs are refused by the parser; size is the caller's limit.
pub fn read_cdar(xml: &[u8]) -> Result<Vec<LifecycleMessage>, CdarError> {
    let text = std::str::from_utf8(xml).map_err(|_| CdarError("not UTF-8".into()))?;
    let doc = Document::parse(text).map_err(|e| CdarError(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().namespace() != Some(RSM)
        || root.tag_name().name() != "CrossDomainAcknowledgementAndResponse"
    {
        return Err(CdarError(format!(
            "the root element is {}, not CrossDomainAcknowledgementAndResponse",
            root.tag_name().name()
        )));
    }
    let exchanged = child(root, RSM, "ExchangedDocument")
        .ok_or_else(|| CdarError("no ExchangedDocument".into()))?;
    let message_id =
        text_of(child(exchanged, RAM, "ID")).ok_or_else(|| CdarError("no message ID".into()))?;
    let issued_at = text_of(child(exchanged, RAM, "IssueDateTime")).unwrap_or_default();
    let issuer_role =
        child(exchanged, RAM, "IssuerTradeParty").and_then(|p| text_of(child(p, RAM, "RoleCode")));
    let mut out = Vec::new();
    for ack in root
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "AcknowledgementDocument")
    {
        for reference in ack.children().filter(|n| {
            n.is_element()
                && n.tag_name().namespace() == Some(RAM)
                && n.tag_name().name() == "ReferenceReferencedDocument"
        }) {
            let invoice_number = text_of(child(reference, RAM, "IssuerAssignedID"))
                .ok_or_else(|| CdarError("a status without the invoice's number".into()))?;
            let code_text = text_of(child(reference, RAM, "ProcessConditionCode"))
                .ok_or_else(|| CdarError(format!("no status code for {invoice_number}")))?;
            let code: u16 = code_text
                .parse()
                .map_err(|_| CdarError(format!("status code {code_text:?} is not a number")))?;
            if !acquit_core::einvoicing::STATUS_CODES.contains(&code) {
                return Err(CdarError(format!(
                    "status code {code} for {invoice_number} is not a lifecycle status (1 to 999)"
                )));
            }
            let label = text_of(child(reference, RAM, "ProcessCondition")).unwrap_or_default();
            let mut message = LifecycleMessage {
                message_id: message_id.clone(),
                issued_at: issued_at.clone(),
                invoice_number,
                code,
                label,
                issuer_role: issuer_role.clone(),
                reason_code: None,
                reason: None,
                amount: None,
                vat_rate: None,
            };
            for status in reference
                .children()
                .filter(|n| n.is_element() && n.tag_name().name() == "SpecifiedDocumentStatus")
            {
                if message.reason_code.is_none() {
                    message.reason_code = text_of(child(status, RAM, "ReasonCode"));
                    message.reason = text_of(child(status, RAM, "Reason"));
                }
                if let Some(characteristic) = child(status, RAM, "SpecifiedDocumentCharacteristic")
                    && message.amount.is_none()
                {
                    message.amount = text_of(child(characteristic, RAM, "ValueAmount"));
                    message.vat_rate = text_of(child(characteristic, RAM, "ValuePercent"));
                }
            }
            out.push(message);
        }
    }
    if out.is_empty() {
        return Err(CdarError("it refers to no invoice".into()));
    }
    Ok(out)
}

/// A status Acquit sends about one invoice: the seller's 212
/// "Encaissée", or the buyer's answer to a supplier's invoice (204, 205,
/// 206, 207, 208, 210, 211).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    /// The message's own id (unique per message).
    pub message_id: String,
    /// When it is written, `YYYYMMDDhhmmss` (UTC).
    pub issued_at: String,
    /// Who issues it: the user's company, named by its SIREN.
    pub issuer_name: String,
    pub issuer_siren: String,
    /// `SE` (the seller: 212) or `BY` (the buyer: an answer).
    pub issuer_role: &'static str,
    /// The status ([`STATUSES`]).
    pub code: u16,
    /// A reason code of [`REASONS`] and its text (206, 207, 208, 210).
    pub reason: Option<(String, Option<String>)>,
    pub invoice_number: String,
    /// The invoice's issue date, `YYYYMMDD`.
    pub invoice_date: String,
    /// `380` an invoice, `386` a deposit invoice…
    pub invoice_type: String,
    /// The amounts received (VAT included) and their VAT rates, as plain
    /// decimals (`"1200.00"`, `"20"`).
    pub parts: Vec<(String, String)>,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The CDAR message of a status (UN/CEFACT
/// `CrossDomainAcknowledgementAndResponse` D22B, as the FNFE 1.4.0 CDAR
/// rules read it): issued by the user's company (`SE` or `BY`, named by
/// its SIREN, scheme 0002), sent by its platform (`WK`: the sender's
/// identifier, when given, must be a platform's, scheme 0238, says
/// BR-FR-CDV-CL-09) to the other party's platform (`WK`), about one
/// invoice; a reason when given; one characteristic `MEN` (amount
/// received, VAT rate) per part, for 212.
pub fn status_cdar(c: &StatusMessage) -> String {
    let label = Status::of(c.code).map_or("", |s| s.fr);
    let mut characteristics = String::new();
    let mut sequence = 0;
    if let Some((code, text)) = &c.reason {
        sequence += 1;
        characteristics.push_str(&format!(
            "
        <ram:SpecifiedDocumentStatus>
          <ram:ReasonCode>{}</ram:ReasonCode>{}
          <ram:SequenceNumeric>{sequence}</ram:SequenceNumeric>
        </ram:SpecifiedDocumentStatus>",
            escape(code),
            text.as_deref()
                .map(|t| format!("\n          <ram:Reason>{}</ram:Reason>", escape(t)))
                .unwrap_or_default()
        ));
    }
    for (amount, rate) in &c.parts {
        sequence += 1;
        characteristics.push_str(&format!(
            "
        <ram:SpecifiedDocumentStatus>
          <ram:SequenceNumeric>{sequence}</ram:SequenceNumeric>
          <ram:SpecifiedDocumentCharacteristic>
            <ram:TypeCode>MEN</ram:TypeCode>
            <ram:ValueAmount>{}</ram:ValueAmount>
            <ram:ValuePercent>{}</ram:ValuePercent>
          </ram:SpecifiedDocumentCharacteristic>
        </ram:SpecifiedDocumentStatus>",
            escape(amount),
            escape(rate)
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="{RSM}" xmlns:ram="{RAM}" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:BusinessProcessSpecifiedDocumentContextParameter>
      <ram:ID>REGULATED</ram:ID>
    </ram:BusinessProcessSpecifiedDocumentContextParameter>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn.cpro.gouv.fr:1p0:CDV:invoice</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{id}</ram:ID>
    <ram:TypeCode>23</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="204">{issued}</udt:DateTimeString>
    </ram:IssueDateTime>
    <ram:SenderTradeParty>
      <ram:Name>Plateforme agréée</ram:Name>
      <ram:RoleCode>WK</ram:RoleCode>
    </ram:SenderTradeParty>
    <ram:IssuerTradeParty>
      <ram:GlobalID schemeID="0002">{siren}</ram:GlobalID>
      <ram:Name>{issuer}</ram:Name>
      <ram:RoleCode>{role}</ram:RoleCode>
    </ram:IssuerTradeParty>
    <ram:RecipientTradeParty>
      <ram:Name>Plateforme agréée</ram:Name>
      <ram:RoleCode>WK</ram:RoleCode>
    </ram:RecipientTradeParty>
  </rsm:ExchangedDocument>
  <rsm:AcknowledgementDocument>
    <ram:MultipleReferencesIndicator>
      <udt:Indicator>false</udt:Indicator>
    </ram:MultipleReferencesIndicator>
    <ram:TypeCode>23</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="204">{issued}</udt:DateTimeString>
    </ram:IssueDateTime>
    <ram:ReferenceReferencedDocument>
      <ram:IssuerAssignedID>{invoice}</ram:IssuerAssignedID>
      <ram:TypeCode>{invoice_type}</ram:TypeCode>
      <ram:FormattedIssueDateTime>
        <qdt:DateTimeString format="102">{invoice_date}</qdt:DateTimeString>
      </ram:FormattedIssueDateTime>
      <ram:ProcessConditionCode>{code}</ram:ProcessConditionCode>
      <ram:ProcessCondition>{label}</ram:ProcessCondition>{characteristics}
    </ram:ReferenceReferencedDocument>
  </rsm:AcknowledgementDocument>
</rsm:CrossDomainAcknowledgementAndResponse>
"#,
        id = escape(&c.message_id),
        issued = escape(&c.issued_at),
        siren = escape(&c.issuer_siren),
        issuer = escape(&c.issuer_name),
        role = c.issuer_role,
        code = c.code,
        invoice = escape(&c.invoice_number),
        invoice_type = escape(&c.invoice_type),
        invoice_date = escape(&c.invoice_date),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cashed_status_reads_back_as_written() {
        let xml = status_cdar(&StatusMessage {
            message_id: "F-2027-0001-212-7".into(),
            issued_at: "20270920101500".into(),
            issuer_name: "Atelier <Lune> & Cie".into(),
            issuer_siren: "552100554".into(),
            issuer_role: "SE",
            code: 212,
            reason: None,
            invoice_number: "F-2027-0001".into(),
            invoice_date: "20270906".into(),
            invoice_type: "380".into(),
            parts: vec![
                ("305.40".into(), "5.5".into()),
                ("694.60".into(), "20".into()),
            ],
        });
        let read = read_cdar(xml.as_bytes()).unwrap();
        assert_eq!(read.len(), 1);
        let m = &read[0];
        assert_eq!(m.code, 212);
        assert_eq!(m.label, "Encaissée");
        assert_eq!(m.invoice_number, "F-2027-0001");
        assert_eq!(m.issuer_role.as_deref(), Some("SE"));
        assert_eq!(
            (m.amount.as_deref(), m.vat_rate.as_deref()),
            (Some("305.40"), Some("5.5"))
        );
        assert!(xml.contains("Atelier &lt;Lune&gt; &amp; Cie"));
    }

    #[test]
    fn a_foreign_or_broken_document_is_refused() {
        for bad in [
            &b"<x/>"[..],
            b"not xml",
            b"\xff\xfe",
            b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
        ] {
            assert!(
                read_cdar(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
