//! Renders invoices and credit notes to PDF, offline.
//!
//! Owns the page layout engine ([`layout`]: measuring, wrapping,
//! paginating), the embedded subset fonts, the payment and EPC QR codes
//! ([`epc`], drawn as vector rectangles so they decode byte-exact) and the
//! PAID stamp. Depends on `acquit-core` only: the store and the CLI fill a
//! [`Document`] and call [`render`] (PDF) or [`render_svg`] (the app's
//! preview, one SVG per page).
//!
//! The layout is computed once, apart from any output format, as a display
//! list ([`display`]: text runs, rectangles, QR codes, logo, stamp, in
//! points from the top-left corner); the PDF backend (`render`) and the SVG
//! backend (`svg`) only translate it, so the preview shows exactly what the
//! PDF prints.
//!
//! The output is deterministic (same [`Document`], same bytes): document
//! dates come from the invoice, never from the clock, and the identifiers
//! printpdf would draw at random (resource names, font subset tags, the
//! trailer `/ID`) are fixed or derived from the content. This lets tests
//! and the "original PDF kept byte for byte" rule compare files.

pub mod display;
mod embed;
pub mod epc;
pub mod layout;
mod pdfa;
mod qr;
mod render;
mod svg;
mod text;

use acquit_core::{
    Category, Client, InvoiceDetails, InvoiceKind, Lang, Line, Money, Seller, Totals,
};
use chrono::NaiveDate;

pub use display::{DisplayList, Mark, display_list};
pub use epc::{EpcError, epc_payload};
pub use layout::font_file;
pub use pdfa::{EInvoice, FACTURX_FILE};
pub use render::{render, render_facturx};
pub use svg::render_svg;

/// Everything printed on one invoice or credit note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub kind: InvoiceKind,
    pub number: String,
    pub issue_date: NaiveDate,
    /// Date of the sale or the end of the service; the issue date when `None`.
    pub sale_date: Option<NaiveDate>,
    pub due_date: NaiveDate,
    pub seller: Seller,
    pub buyer: Client,
    pub lines: Vec<Line>,
    /// The document's totals (for a balance invoice: after its deposits).
    pub totals: Totals,
    /// For a balance invoice: the deposit invoices it deducts.
    pub deposits: Vec<DepositRef>,
    /// For a credit note: the number of the invoice it corrects.
    pub credits: Option<String>,
    /// For a credit note: why it was issued.
    pub reason: Option<String>,
    /// References, delivery address, VAT in euros, the corrected invoice's
    /// date: printed where present (older books have none).
    pub details: InvoiceDetails,
    /// Goods, services or both; not printed when unknown.
    pub category: Option<Category>,
    /// The payment page (Stripe link or the relay's `/p/…` link).
    pub payment_url: Option<String>,
    /// What remains to pay; no payment QR code when zero or less.
    pub amount_due: Money,
    /// Set once something was paid: draws the PAID stamp.
    pub paid: Option<PaidStamp>,
    /// The seller's logo, PNG.
    pub logo_png: Option<Vec<u8>>,
    pub lang: Lang,
    pub paper: Paper,
    /// Set for a quote (devis): printed as one, with its validity and the
    /// "Bon pour accord" block, and no payment section.
    pub quote: Option<QuoteTerms>,
}

/// What a quote prints beyond an invoice's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteTerms {
    pub valid_until: NaiveDate,
}

/// A deposit invoice deducted by a balance invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositRef {
    pub number: String,
    /// Its issue date (BT-26 beside the number, BT-25, in the e-invoice).
    pub issue_date: NaiveDate,
    /// Its total including VAT.
    pub total: Money,
}

/// What the PAID stamp says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidStamp {
    /// The date of the (last) payment.
    pub date: NaiveDate,
    /// How, as the user reads it: "Virement", "Carte (Stripe)".
    pub method: String,
    /// Paid so far.
    pub paid: Money,
    /// Still to pay: zero for a fully paid invoice.
    pub remaining: Money,
}

/// Paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    /// Width and height in points.
    pub fn size_pt(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.276, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// A rendered PDF and what the reader should know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub pages: usize,
    pub warnings: Vec<Warning>,
}

/// Something rendered, but not perfectly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Warning {
    #[error("the font has no glyph for {ch:?} (U+{code:04X}) in \"{text}\": it shows as a box")]
    MissingGlyph { ch: char, code: u32, text: String },
    #[error("no SEPA transfer QR code: {0}")]
    NoTransferQr(EpcError),
    #[error("the logo could not be read as a PNG ({0}): rendered without it")]
    BadLogo(String),
}

/// Why a document could not be rendered at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("the payment link is too long for a QR code ({0} bytes)")]
    PaymentUrlTooLong(usize),
    #[error(
        "the document has {lines} lines but {amounts} computed line amounts: recompute its totals"
    )]
    TotalsMismatch { lines: usize, amounts: usize },
    /// The font could not be subset for a character beyond the common set: a
    /// defect of the embedded font or of the subsetter, not of the invoice.
    #[error("could not embed the font for this document's characters ({0}): please report it")]
    Font(String),
}
