//! E-invoices: what French law asks a business to send from 1 September
//! 2027, in the Factur-X EN 16931 profile.
//!
//! [`cii_xml`] writes the UN/CEFACT Cross Industry Invoice (D22B) of an
//! [`acquit_pdf::Document`], the very value the PDF is drawn from, so the
//! two cannot disagree: same parties, lines, totals, mentions. Amounts are
//! written from [`acquit_core::Money`] as exact decimals; nothing is
//! computed again here except sums of what the document already holds.
//!
//! Checked by what nobody here wrote: the Factur-X XSD (xmllint) and the
//! official rules compiled to XSLT (EN 16931 and the French BR-FR rules,
//! run by Saxon-HE), in `tests/`; the artefacts are in `validation/`.

pub mod check;
mod cii;
pub mod read;
mod xml;

pub use cii::{BillingFramework, cii_xml};

/// The Factur-X conformance level Acquit writes.
pub const CONFORMANCE: &str = "EN 16931";

/// `doc` as a Factur-X file: its PDF, made a PDF/A-3b carrying its CII XML
/// ([`cii_xml`]) as `factur-x.xml`. `copy_of`: what the file says it is
/// when it is not the original (a copy showing the payment's state).
pub fn facturx_pdf(
    doc: &acquit_pdf::Document,
    copy_of: Option<&str>,
) -> Result<acquit_pdf::Rendered, acquit_pdf::RenderError> {
    let xml = cii_xml(doc);
    acquit_pdf::render_facturx(
        doc,
        &acquit_pdf::EInvoice {
            xml: &xml,
            conformance: CONFORMANCE,
            copy_of,
        },
    )
}
