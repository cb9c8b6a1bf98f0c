//! PDF/A-3b with an embedded e-invoice: what turns the rendered invoice
//! into a Factur-X file (Factur-X 1.0.7, ISO 19005-3).
//!
//! Added to the document before it is saved, so nothing is parsed again:
//! PDF 1.7; an sRGB `OutputIntent` (the page colours are device RGB); the
//! XML as an embedded file (`factur-x.xml`, `/AFRelationship
//! /Alternative`, referenced from the catalog's `/AF` and `/Names`); an
//! uncompressed XMP packet saying PDF/A-3 conformance B and the Factur-X
//! extension schema (document type, file name, version, conformance
//! level); and an `/Info` rebuilt to say exactly what the XMP says (PDF/A
//! requires the two to agree). Dates come from the invoice, never from the
//! clock: same invoice, same bytes.

use chrono::NaiveDate;
use lopdf::{Dictionary, Object, Stream, StringFormat};

/// The e-invoice a PDF carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EInvoice<'a> {
    /// The CII XML, as `acquit_facturx::cii_xml` wrote it.
    pub xml: &'a str,
    /// The Factur-X conformance level: `EN 16931`.
    pub conformance: &'a str,
    /// What this file is, when it is not the original: a copy that shows
    /// the payment's state (`/Subject` and `dc:description`).
    pub copy_of: Option<&'a str>,
}

/// The file name Factur-X requires for the XML.
pub const FACTURX_FILE: &str = "factur-x.xml";

const SRGB: &[u8] = include_bytes!("../assets/sRGB.icc");

/// What the `/Info` and the XMP both say.
pub(crate) struct Meta<'a> {
    pub title: &'a str,
    pub subject: Option<&'a str>,
    pub author: &'a str,
    pub created: NaiveDate,
    pub modified: NaiveDate,
}

/// A PDF text string: PDFDocEncoding's ASCII subset as is, anything else
/// as UTF-16BE with its byte order mark.
fn text(s: &str) -> Object {
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in s.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

fn pdf_date(d: NaiveDate) -> Object {
    Object::String(
        format!("D:{}000000+00'00'", d.format("%Y%m%d")).into_bytes(),
        StringFormat::Literal,
    )
}

fn xmp_date(d: NaiveDate) -> String {
    format!("{}T00:00:00+00:00", d.format("%Y-%m-%d"))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn xmp(meta: &Meta<'_>, conformance: Option<&str>) -> String {
    let facturx = conformance.map_or_else(String::new, |level| {
        format!(
            r#"
  <rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
   <fx:DocumentType>INVOICE</fx:DocumentType>
   <fx:DocumentFileName>{FACTURX_FILE}</fx:DocumentFileName>
   <fx:Version>1.0</fx:Version>
   <fx:ConformanceLevel>{level}</fx:ConformanceLevel>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>fx</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>DocumentFileName</pdfaProperty:name>
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>
         <pdfaProperty:category>external</pdfaProperty:category>
         <pdfaProperty:description>The name of the embedded XML document</pdfaProperty:description>
        </rdf:li>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>DocumentType</pdfaProperty:name>
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>
         <pdfaProperty:category>external</pdfaProperty:category>
         <pdfaProperty:description>The type of the hybrid document in capital letters, e.g. INVOICE or ORDER</pdfaProperty:description>
        </rdf:li>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>Version</pdfaProperty:name>
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>
         <pdfaProperty:category>external</pdfaProperty:category>
         <pdfaProperty:description>The actual version of the standard applying to the embedded XML document</pdfaProperty:description>
        </rdf:li>
        <rdf:li rdf:parseType="Resource">
         <pdfaProperty:name>ConformanceLevel</pdfaProperty:name>
         <pdfaProperty:valueType>Text</pdfaProperty:valueType>
         <pdfaProperty:category>external</pdfaProperty:category>
         <pdfaProperty:description>The conformance level of the embedded XML document</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>"#
        )
    });
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>{description}
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreatorTool>Acquit</xmp:CreatorTool>
   <xmp:CreateDate>{created}</xmp:CreateDate>
   <xmp:ModifyDate>{modified}</xmp:ModifyDate>
   <xmp:MetadataDate>{modified}</xmp:MetadataDate>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>Acquit</pdf:Producer>
  </rdf:Description>{facturx}
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        bom = '\u{feff}',
        title = xml_escape(meta.title),
        author = xml_escape(meta.author),
        description = meta.subject.map_or_else(String::new, |s| format!(
            "\n   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>",
            xml_escape(s)
        )),
        created = xmp_date(meta.created),
        modified = xmp_date(meta.modified),
    )
}

/// Makes `lo` a PDF/A-3b carrying `einvoice` (see the module's docs).
pub(crate) fn apply(lo: &mut lopdf::Document, meta: &Meta<'_>, einvoice: &EInvoice<'_>) {
    lo.version = "1.7".to_owned();

    let mut icc = Stream::new(
        Dictionary::from_iter([("N", Object::Integer(3))]),
        SRGB.to_vec(),
    );
    icc.allows_compression = true;
    let icc = lo.add_object(icc);
    let intent = lo.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFA1".to_vec())),
        ("OutputConditionIdentifier", text("sRGB IEC61966-2.1")),
        ("Info", text("sRGB IEC61966-2.1")),
        ("DestOutputProfile", Object::Reference(icc)),
    ]));

    let xml = einvoice.xml.as_bytes();
    let mut file = Stream::new(
        Dictionary::from_iter([
            ("Type", Object::Name(b"EmbeddedFile".to_vec())),
            ("Subtype", Object::Name(b"text/xml".to_vec())),
            (
                "Params",
                Object::Dictionary(Dictionary::from_iter([
                    ("Size", Object::Integer(xml.len() as i64)),
                    ("ModDate", pdf_date(meta.created)),
                ])),
            ),
        ]),
        xml.to_vec(),
    );
    file.allows_compression = true;
    let file = lo.add_object(file);
    let spec = lo.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Filespec".to_vec())),
        ("F", text(FACTURX_FILE)),
        ("UF", text(FACTURX_FILE)),
        (
            "EF",
            Object::Dictionary(Dictionary::from_iter([
                ("F", Object::Reference(file)),
                ("UF", Object::Reference(file)),
            ])),
        ),
        ("Desc", text("Factur-X invoice")),
        ("AFRelationship", Object::Name(b"Alternative".to_vec())),
    ]));

    let mut packet = Stream::new(
        Dictionary::from_iter([
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        xmp(meta, Some(einvoice.conformance)).into_bytes(),
    );
    // PDF/A wants the XMP readable by tools that do not inflate.
    packet.allows_compression = false;
    let packet = lo.add_object(packet);

    if let Ok(catalog) = lo.catalog_mut() {
        catalog.set(
            "OutputIntents",
            Object::Array(vec![Object::Reference(intent)]),
        );
        catalog.set("AF", Object::Array(vec![Object::Reference(spec)]));
        catalog.set(
            "Names",
            Object::Dictionary(Dictionary::from_iter([(
                "EmbeddedFiles",
                Object::Dictionary(Dictionary::from_iter([(
                    "Names",
                    Object::Array(vec![text(FACTURX_FILE), Object::Reference(spec)]),
                )])),
            )])),
        );
        catalog.set("Metadata", Object::Reference(packet));
    }

    let mut info = Dictionary::from_iter([
        ("Title", text(meta.title)),
        ("Author", text(meta.author)),
        ("Creator", text("Acquit")),
        ("Producer", text("Acquit")),
        ("CreationDate", pdf_date(meta.created)),
        ("ModDate", pdf_date(meta.modified)),
    ]);
    if let Some(subject) = meta.subject {
        info.set("Subject", text(subject));
    }
    let info = lo.add_object(info);
    lo.trailer.set("Info", Object::Reference(info));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xmp_says_pdfa_3b_and_factur_x_and_escapes_names() {
        let day = NaiveDate::from_ymd_opt(2027, 9, 2).unwrap();
        let meta = Meta {
            title: "Facture F-2027-0001",
            subject: Some("Copie"),
            author: "Durand & Fils <SARL>",
            created: day,
            modified: day,
        };
        let packet = xmp(&meta, Some("EN 16931"));
        for expected in [
            "<pdfaid:part>3</pdfaid:part>",
            "<pdfaid:conformance>B</pdfaid:conformance>",
            "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>",
            "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>",
            "Durand &amp; Fils &lt;SARL&gt;",
            "<xmp:CreateDate>2027-09-02T00:00:00+00:00</xmp:CreateDate>",
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">Copie</rdf:li>",
        ] {
            assert!(packet.contains(expected), "{expected} in {packet}");
        }
        assert_eq!(
            text("Matériaux"),
            Object::String(
                vec![
                    0xFE, 0xFF, 0, b'M', 0, b'a', 0, b't', 0, 0xE9, 0, b'r', 0, b'i', 0, b'a', 0,
                    b'u', 0, b'x'
                ],
                StringFormat::Hexadecimal
            )
        );
    }
}
