//! What the platform checks of an invoice it receives before it delivers
//! it (the acknowledgement's `Error` with `InvalidSchema`): the file is the
//! syntax the flow says, and the e-invoice is one the French reform takes.
//! A real platform runs the XSD and the Schematron rules too; the fake
//! checks the structure every one of those needs, so that a flow Acquit
//! sends with no XML attached, the wrong root, or a profile the reform
//! refuses (MINIMUM, BASIC) does not pass as delivered.
//!
//! Written from the Factur-X 1.07 specification (the XML is attached to the
//! PDF/A-3 as `factur-x.xml`, listed in the catalog's `/Names
//! /EmbeddedFiles` name tree, ISO 32000 §7.11.4), UN/CEFACT CII D22B, OASIS
//! UBL 2.1 and the FNFE note's list of accepted profiles; shares no code
//! with Acquit's own Factur-X writer or reader.

use lopdf::{Document, Object};

/// CII's root namespace.
const CII: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
/// CDAR's root namespace.
const CDAR: &str = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100";
const UBL_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const UBL_CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";

/// Why the platform refuses a file: `InvalidSchema` and what is wrong.
pub type Refusal = (&'static str, String);

/// Checks `file` as a flow of `syntax` (`Factur-X`, `CII`, `UBL`, `CDAR`;
/// `FRR` has no published schema here and passes).
pub fn check(syntax: &str, file: &[u8]) -> Result<(), Refusal> {
    match syntax {
        "Factur-X" => check_cii(&attached_xml(file)?),
        "CII" => check_cii(file),
        "UBL" => {
            let doc = xml(file)?;
            let root = doc.root_element();
            let ns = root.tag_name().namespace().unwrap_or("");
            if !matches!(
                (root.tag_name().name(), ns),
                ("Invoice", UBL_INVOICE) | ("CreditNote", UBL_CREDIT_NOTE)
            ) {
                return Err(invalid(format!(
                    "a UBL flow is an Invoice or a CreditNote of UBL 2.1, not {{{ns}}}{}",
                    root.tag_name().name()
                )));
            }
            Ok(())
        }
        "CDAR" => {
            let doc = xml(file)?;
            let root = doc.root_element();
            if root.tag_name().name() != "CrossDomainAcknowledgementAndResponse"
                || root.tag_name().namespace() != Some(CDAR)
            {
                return Err(invalid(
                    "a CDAR flow is a CrossDomainAcknowledgementAndResponse (D22B)".into(),
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn invalid(why: String) -> Refusal {
    ("InvalidSchema", why)
}

fn xml(file: &[u8]) -> Result<roxmltree::Document<'_>, Refusal> {
    let text = std::str::from_utf8(file)
        .map_err(|_| invalid("the XML is not UTF-8".into()))?
        .trim_start_matches('\u{feff}');
    roxmltree::Document::parse(text)
        .map_err(|e| invalid(format!("the XML is not well formed: {e}")))
}

/// The CII invoice: its root, its profile, its number and type.
fn check_cii(file: &[u8]) -> Result<(), Refusal> {
    let doc = xml(file)?;
    let root = doc.root_element();
    if root.tag_name().name() != "CrossIndustryInvoice" || root.tag_name().namespace() != Some(CII)
    {
        return Err(invalid(
            "the invoice is not a CrossIndustryInvoice of UN/CEFACT CII D22B".into(),
        ));
    }
    let text_of = |path: &[&str]| -> Option<String> {
        let mut node = root;
        for name in path {
            node = node
                .children()
                .find(|c| c.is_element() && c.tag_name().name() == *name)?;
        }
        node.text()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    let profile = text_of(&[
        "ExchangedDocumentContext",
        "GuidelineSpecifiedDocumentContextParameter",
        "ID",
    ])
    .ok_or_else(|| invalid("the invoice names no profile (BT-24)".into()))?;
    // MINIMUM and BASIC are not invoices the reform takes; EN 16931 and its
    // extensions are, BASIC WL during the first year.
    let refused = profile.ends_with(":minimum") || profile.ends_with("urn:factur-x.eu:1p0:basic");
    if refused || !(profile.starts_with("urn:cen.eu:en16931:2017") || profile.ends_with(":basicwl"))
    {
        return Err(invalid(format!(
            "profile {profile} is not one the French reform accepts (EN 16931 or EXTENDED)"
        )));
    }
    if text_of(&["ExchangedDocument", "ID"]).is_none() {
        return Err(invalid("the invoice has no number (BT-1)".into()));
    }
    if text_of(&["ExchangedDocument", "TypeCode"]).is_none() {
        return Err(invalid("the invoice has no type code (BT-3)".into()));
    }
    Ok(())
}

/// The `factur-x.xml` attached to a PDF, found through the catalog's
/// embedded files name tree.
fn attached_xml(pdf: &[u8]) -> Result<Vec<u8>, Refusal> {
    let doc = Document::load_mem(pdf)
        .map_err(|e| invalid(format!("the Factur-X is not a readable PDF: {e}")))?;
    let tree = doc
        .catalog()
        .ok()
        .and_then(|catalog| catalog.get(b"Names").ok())
        .and_then(|names| resolve(&doc, names).as_dict().ok())
        .and_then(|names| names.get(b"EmbeddedFiles").ok())
        .map(|tree| resolve(&doc, tree));
    let mut files = Vec::new();
    if let Some(tree) = tree {
        leaves(&doc, tree, 0, &mut files);
    }
    let spec = files
        .into_iter()
        .find(|(name, _)| name == "factur-x.xml")
        .map(|(_, spec)| spec)
        .ok_or_else(|| {
            invalid(
                "the PDF carries no factur-x.xml: a Factur-X is a PDF/A-3 with its CII XML attached"
                    .into(),
            )
        })?;
    let stream = resolve(&doc, spec)
        .as_dict()
        .ok()
        .and_then(|spec| spec.get(b"EF").ok())
        .and_then(|ef| resolve(&doc, ef).as_dict().ok())
        .and_then(|ef| ef.get(b"F").ok())
        .and_then(|f| resolve(&doc, f).as_stream().ok())
        .ok_or_else(|| invalid("factur-x.xml is named but its file is missing".into()))?;
    stream
        .decompressed_content()
        .or_else(|_| Ok::<_, lopdf::Error>(stream.content.clone()))
        .map_err(|e| invalid(format!("factur-x.xml cannot be read: {e}")))
}

fn resolve<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(object),
        other => other,
    }
}

/// The (name, file specification) leaves of a name tree (`/Names` pairs,
/// `/Kids` below), at most a few levels deep.
fn leaves<'a>(
    doc: &'a Document,
    node: &'a Object,
    depth: usize,
    out: &mut Vec<(String, &'a Object)>,
) {
    let Ok(dict) = node.as_dict() else { return };
    if let Ok(Object::Array(pairs)) = dict.get(b"Names").map(|n| resolve(doc, n)) {
        for pair in pairs.chunks(2) {
            if let [name, spec] = pair
                && let Ok(name) = resolve(doc, name).as_str()
            {
                out.push((String::from_utf8_lossy(name).into_owned(), spec));
            }
        }
    }
    if depth < 8
        && let Ok(Object::Array(kids)) = dict.get(b"Kids").map(|k| resolve(doc, k))
    {
        for kid in kids {
            leaves(doc, resolve(doc, kid), depth + 1, out);
        }
    }
}
