//! From an issued invoice in the store to its PDF.
//!
//! One function builds the renderer's input, so the CLI's `invoice pdf`,
//! the bulk export and the app's preview print the same thing. Two
//! renderings exist: the document as issued (kept byte for byte: nothing in
//! it changes after issue), and its current state, which adds the PAID
//! stamp once money came in and, while money is due, the QR code of an open
//! payment link.

use acquit_core::{Lang, Money};
use acquit_pdf::{DepositRef, Document, PaidStamp, Rendered};
use acquit_store::{PaymentKind, PaymentMethod, Store, StoreError, StripeMethod};

/// Which rendering of an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// As issued: no stamp, the whole total due.
    AsIssued,
    /// As of now: the PAID (or partly paid) stamp when money came in.
    Current,
}

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("{0} is a draft: issue it first (`acquit invoice issue`), a draft has no PDF")]
    Draft(String),
    #[error("quote {0} is a draft: issue it first (`acquit quote issue`), a draft has no PDF")]
    DraftQuote(String),
    #[error(
        "{0} was issued in another tool before Acquit: Acquit keeps its figures, not its layout, so it draws no PDF of it (its PDF is the one that tool made: give it at import with --pdfs)"
    )]
    IssuedElsewhere(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the PDF could not be made: {0}")]
    Render(#[from] acquit_pdf::RenderError),
}

/// The renderer's input for the issued document `number`.
pub fn document(
    store: &Store,
    number: &str,
    lang: Option<Lang>,
    rendering: Rendering,
) -> Result<Document, DocumentError> {
    let view = store.invoice(number)?;
    if view.elsewhere {
        return Err(DocumentError::IssuedElsewhere(
            view.number.unwrap_or_else(|| number.to_owned()),
        ));
    }
    let (Some(number), Some(issue_date), Some(due_date), Some(seller)) = (
        view.number.clone(),
        view.issue_date,
        view.due_date,
        view.seller.clone(),
    ) else {
        return Err(DocumentError::Draft(number.to_owned()));
    };
    let lang = lang.unwrap_or(view.buyer.lang);
    let deposits = view
        .deposits
        .iter()
        .map(|n| {
            let deposit = store.invoice(n)?;
            let issue_date = deposit
                .issue_date
                .ok_or_else(|| DocumentError::Draft(n.clone()))?;
            Ok(DepositRef {
                number: n.clone(),
                issue_date,
                total: deposit.totals.total,
            })
        })
        .collect::<Result<Vec<_>, DocumentError>>()?;
    let (amount_due, paid, payment_url) = match rendering {
        Rendering::AsIssued => (view.totals.total, None, None),
        Rendering::Current => (
            view.amount_due,
            stamp(store, &number, view.amount_due, lang)?,
            if view.amount_due.is_positive() {
                payment_url(store, &number)?
            } else {
                None
            },
        ),
    };
    Ok(Document {
        kind: view.kind,
        logo_png: store.issued_logo(&number)?,
        number,
        issue_date,
        sale_date: view.sale_date,
        due_date,
        seller,
        buyer: view.buyer,
        lines: view.lines.into_iter().map(|l| l.line).collect(),
        totals: with_line_amounts(view.totals),
        deposits,
        credits: view.credits,
        reason: view.reason,
        details: view.details,
        category: view.category,
        payment_url,
        amount_due,
        paid,
        lang,
        paper: Default::default(),
        quote: None,
    })
}

/// The renderer's input for the issued quote `number`: the invoice layout
/// with the quote's title, validity and "Bon pour accord" block, and no
/// payment section (nothing is due on a quote).
pub fn quote_document(
    store: &Store,
    number: &str,
    lang: Option<Lang>,
) -> Result<Document, DocumentError> {
    let view = store.quote(number, acquit_store::today())?;
    let (Some(number), Some(issue_date), Some(valid_until), Some(seller)) = (
        view.number.clone(),
        view.issue_date,
        view.valid_until,
        view.seller.clone(),
    ) else {
        return Err(DocumentError::DraftQuote(number.to_owned()));
    };
    Ok(Document {
        kind: acquit_core::InvoiceKind::Standard,
        logo_png: store.issued_quote_logo(&number)?,
        number,
        issue_date,
        sale_date: None,
        due_date: valid_until,
        seller,
        lang: lang.unwrap_or(view.buyer.lang),
        buyer: view.buyer,
        lines: view.lines.into_iter().map(|l| l.line).collect(),
        totals: view.totals,
        deposits: Vec::new(),
        credits: None,
        reason: None,
        details: view.details,
        category: view.category,
        payment_url: None,
        amount_due: Money::zero(view.currency),
        paid: None,
        paper: Default::default(),
        quote: Some(acquit_pdf::QuoteTerms { valid_until }),
    })
}

/// Renders the issued quote `number` to PDF bytes.
pub fn render_quote_pdf(
    store: &Store,
    number: &str,
    lang: Option<Lang>,
) -> Result<Rendered, DocumentError> {
    Ok(acquit_pdf::render(&quote_document(store, number, lang)?)?)
}

/// The quote drawn as one SVG per page (the app's preview).
pub fn render_quote_svg(
    store: &Store,
    number: &str,
    lang: Option<Lang>,
) -> Result<Vec<String>, DocumentError> {
    Ok(acquit_pdf::render_svg(&quote_document(
        store, number, lang,
    )?)?)
}

/// A partial credit note's totals are spread over the invoice's VAT rates
/// and carry no per-line amounts (`Totals::partial_credit`); its lines are
/// one per rate, in the same order, each worth that rate's base. The PDF
/// prints an amount on every line, so give each line its rate's base.
fn with_line_amounts(mut totals: acquit_core::tax::Totals) -> acquit_core::tax::Totals {
    if totals.lines.is_empty() {
        totals.lines = totals
            .vat
            .iter()
            .map(|row| acquit_core::tax::LineAmounts {
                amount: row.base,
                discount: Money::zero(row.base.currency()),
                net: row.base,
                vat_rate: row.rate,
            })
            .collect();
    }
    totals
}

/// Renders the issued document `number` to PDF bytes.
pub fn render_pdf(
    store: &Store,
    number: &str,
    lang: Option<Lang>,
    rendering: Rendering,
) -> Result<Rendered, DocumentError> {
    // An invoice issued elsewhere is its former tool's PDF, as given.
    if let Some(bytes) = store.imported_pdf(number.trim())? {
        return Ok(Rendered {
            bytes,
            // Not counted: the PDF is not Acquit's drawing.
            pages: 0,
            warnings: Vec::new(),
        });
    }
    let doc = document(store, number, lang, rendering)?;
    // The original: kept the first time it is drawn, then always that file.
    let original = rendering == Rendering::AsIssued && doc.lang == doc.buyer.lang;
    if original && let Some((bytes, pages)) = store.issued_pdf(&doc.number)? {
        return Ok(Rendered {
            bytes,
            pages,
            warnings: Vec::new(),
        });
    }
    let mut rendered = render_document(&doc, rendering)?;
    if original {
        (rendered.bytes, rendered.pages) =
            store.keep_issued_pdf(&doc.number, &rendered.bytes, rendered.pages.max(1))?;
    }
    Ok(rendered)
}

/// Draws invoice `number`'s original now ([`render_pdf`] as issued, in
/// its own language), so it is kept as this version of Acquit draws it:
/// called right after issuing.
pub fn keep_original(store: &Store, number: &str) -> Result<(), DocumentError> {
    render_pdf(store, number, None, Rendering::AsIssued).map(drop)
}

/// The PDF to attach or export for `number` ([`render_pdf`], current),
/// or None for an invoice issued elsewhere whose former PDF was not kept:
/// a reminder then goes without it, an export lists it without a file.
pub fn attachable_pdf(store: &Store, number: &str) -> Result<Option<Rendered>, DocumentError> {
    match render_pdf(store, number, None, Rendering::Current) {
        Ok(rendered) => Ok(Some(rendered)),
        Err(DocumentError::IssuedElsewhere(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Renders a document [`document`] made: the one place that decides
/// whether a PDF is a Factur-X.
pub fn render_document(doc: &Document, rendering: Rendering) -> Result<Rendered, DocumentError> {
    // A document issued as a Factur-X is one in every rendering, so any
    // copy sent or shared carries its XML; the original is the as-issued
    // one, and the current rendering (PAID stamp, payment link) says in its
    // metadata that it is a copy.
    if !doc.details.facturx {
        return Ok(acquit_pdf::render(doc)?);
    }
    let copy = match rendering {
        Rendering::AsIssued => None,
        Rendering::Current => Some(copy_note(doc)),
    };
    Ok(acquit_facturx::facturx_pdf(doc, copy.as_deref())?)
}

/// What the current rendering of a Factur-X says it is.
fn copy_note(doc: &acquit_pdf::Document) -> String {
    let issued = doc.issue_date;
    match doc.lang {
        Lang::Fr => format!(
            "Copie montrant l'état du paiement ; l'original est le Factur-X {} émis le {}",
            doc.number,
            issued.format("%d/%m/%Y")
        ),
        Lang::En => format!(
            "Copy showing the payment's state; the original is the Factur-X {} issued on {}",
            doc.number, issued
        ),
    }
}

/// The same document as [`render_pdf`], drawn as one SVG per page (the
/// app's preview): same layout, so the preview cannot drift from the PDF.
pub fn render_svg(
    store: &Store,
    number: &str,
    lang: Option<Lang>,
    rendering: Rendering,
) -> Result<Vec<String>, DocumentError> {
    Ok(acquit_pdf::render_svg(&document(
        store, number, lang, rendering,
    )?)?)
}

/// The URL the PDF's payment QR code opens: an open link of the invoice
/// (a lasting Payment Link rather than an expiring Checkout page, then the
/// newest), through the relay's stable `/p/…` page when a relay is set, so
/// the printed code keeps working after the link is paid or replaced.
fn payment_url(store: &Store, number: &str) -> Result<Option<String>, StoreError> {
    let base = acquit_sync::relay::PublicBase::of(store)?;
    acquit_sync::links::client_link(store, number, base.as_ref())
}

/// The stamp for what was paid so far, if anything: dated and named after
/// the last payment received.
fn stamp(
    store: &Store,
    number: &str,
    remaining: Money,
    lang: Lang,
) -> Result<Option<PaidStamp>, StoreError> {
    let payments = store.payments(number)?;
    let paid = payments.iter().fold(0i64, |sum, p| sum + p.amount.minor());
    let last = payments
        .iter()
        .filter(|p| p.kind == PaymentKind::Payment && !p.reversed)
        .max_by_key(|p| (p.received_on, p.id));
    Ok(match last {
        Some(last) if paid > 0 => Some(PaidStamp {
            date: last.received_on,
            method: match (last.stripe_method, lang) {
                (Some(StripeMethod::SepaDebit), Lang::Fr) => "Prélèvement SEPA (Stripe)",
                (Some(StripeMethod::SepaDebit), Lang::En) => "SEPA Direct Debit (Stripe)",
                _ => method_label(last.method, lang),
            }
            .to_owned(),
            paid: Money::new(paid, remaining.currency()),
            remaining,
        }),
        _ => None,
    })
}

/// How a payment method reads on the stamp.
pub fn method_label(method: PaymentMethod, lang: Lang) -> &'static str {
    match (method, lang) {
        (PaymentMethod::Stripe, Lang::Fr) => "Carte (Stripe)",
        (PaymentMethod::Stripe, Lang::En) => "Card (Stripe)",
        (PaymentMethod::Transfer, Lang::Fr) => "Virement",
        (PaymentMethod::Transfer, Lang::En) => "Bank transfer",
        (PaymentMethod::Cheque, Lang::Fr) => "Chèque",
        (PaymentMethod::Cheque, Lang::En) => "Cheque",
        (PaymentMethod::Cash, Lang::Fr) => "Espèces",
        (PaymentMethod::Cash, Lang::En) => "Cash",
        (PaymentMethod::CardTerminal, Lang::Fr) => "Carte (terminal)",
        (PaymentMethod::CardTerminal, Lang::En) => "Card (terminal)",
        (PaymentMethod::Other, Lang::Fr) => "Autre",
        (PaymentMethod::Other, Lang::En) => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn demo() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("a.db")).unwrap();
        store
            .fill_demo(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
            .unwrap();
        (dir, store)
    }

    #[test]
    fn a_partial_credit_note_renders_with_an_amount_on_each_line() {
        let (_dir, mut store) = demo();
        let eur = |minor| Money::new(minor, acquit_core::Currency::EUR);
        let number = store
            .credit_note(
                "F-2026-0005",
                Some(eur(100_000)),
                Some("Geste commercial"),
                NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            )
            .unwrap();
        let doc = document(&store, &number, None, Rendering::Current).unwrap();
        assert_eq!(doc.lines.len(), doc.totals.lines.len());
        let nets: i64 = doc.totals.lines.iter().map(|l| l.net.minor()).sum();
        assert_eq!(
            nets,
            doc.totals.net.minor(),
            "the lines add up to the net total"
        );
        render_pdf(&store, &number, None, Rendering::Current).unwrap();
    }

    #[test]
    fn a_paid_invoice_gets_a_stamp_only_in_its_current_rendering() {
        let (_dir, store) = demo();
        let current = document(&store, "F-2026-0001", None, Rendering::Current).unwrap();
        let stamp = current.paid.expect("F-2026-0001 is paid in the demo");
        assert_eq!(stamp.method, "Virement");
        assert!(stamp.remaining.is_zero());
        assert_eq!(stamp.paid, current.totals.total);
        let issued = document(&store, "F-2026-0001", None, Rendering::AsIssued).unwrap();
        assert_eq!(
            (issued.paid, issued.amount_due),
            (None, issued.totals.total)
        );
    }

    #[test]
    fn a_partly_paid_invoice_says_what_remains() {
        let (_dir, store) = demo();
        let doc = document(&store, "F-2026-0003", None, Rendering::Current).unwrap();
        let stamp = doc.paid.unwrap();
        assert_eq!(stamp.method, "Chèque");
        assert_eq!(stamp.remaining, doc.amount_due);
        assert!(stamp.remaining.is_positive());
    }

    #[test]
    fn a_balance_invoice_lists_its_deposits_with_their_totals() {
        let (_dir, store) = demo();
        let balance = store
            .list_invoices(None)
            .unwrap()
            .into_iter()
            .find(|s| s.kind == acquit_core::InvoiceKind::Balance)
            .unwrap();
        let doc = document(
            &store,
            balance.number.as_deref().unwrap(),
            Some(Lang::En),
            Rendering::Current,
        )
        .unwrap();
        assert_eq!(doc.deposits.len(), 1);
        assert_eq!(
            doc.deposits[0].total,
            store.invoice(&doc.deposits[0].number).unwrap().totals.total
        );
        assert_eq!(doc.lang, Lang::En);
    }

    #[test]
    fn the_rendering_as_issued_never_changes_after_payment() {
        let (_dir, mut store) = demo();
        let before = render_pdf(&store, "F-2026-0006", None, Rendering::AsIssued)
            .unwrap()
            .bytes;
        let due = store.invoice("F-2026-0006").unwrap().amount_due;
        store
            .record_payment(
                "F-2026-0006",
                &acquit_store::NewPayment {
                    amount: due,
                    method: PaymentMethod::Transfer,
                    received_on: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                    reference: None,
                    fee: None,
                },
            )
            .unwrap();
        let after = render_pdf(&store, "F-2026-0006", None, Rendering::AsIssued)
            .unwrap()
            .bytes;
        assert_eq!(before, after, "the issued PDF is kept byte for byte");
        let stamped = render_pdf(&store, "F-2026-0006", None, Rendering::Current)
            .unwrap()
            .bytes;
        assert_ne!(stamped, after);
    }

    #[test]
    fn a_draft_has_no_pdf() {
        let (_dir, store) = demo();
        assert!(matches!(
            document(&store, "F-2099-0001", None, Rendering::Current),
            Err(DocumentError::Store(_))
        ));
    }
}
