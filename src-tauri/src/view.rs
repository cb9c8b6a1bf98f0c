//! The invoice screen: one document with its amounts formatted in the UI's
//! language, and "Export PDF" through the native save dialog.

use std::io::Write;
use std::path::{Path, PathBuf};

use acquit_core::tax::Totals;
use acquit_core::{Client, Lang, Line, Money, Seller, VatRegime};
use acquit_documents::Rendering;
use acquit_store::InvoiceId;
use acquit_store::invoice_detail::InvoiceDetail;
use serde::Serialize;
use tauri::State;
use tauri_plugin_dialog::DialogExt;

use crate::choices::{
    InvoiceKindChoice, InvoiceStatusChoice, NatureChoice, PaymentKindChoice, UnitChoice,
};
use crate::commands::{Books, CommandError};
use crate::forms::AddressForm;

/// A party (seller or client) as the document prints it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PartyView {
    pub name: String,
    /// Postal address, one entry per line.
    pub address: Vec<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub siren: Option<String>,
    pub vat_number: Option<String>,
    /// Seller only.
    pub iban: Option<String>,
    pub bic: Option<String>,
}

/// One line of a document, formatted.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LineView {
    /// From 1.
    pub position: i32,
    pub description: String,
    /// As printed, with its unit: "3 jours", "2,5 h".
    pub quantity: String,
    /// Goods or a service (none in older books).
    pub nature: Option<NatureChoice>,
    pub unit: Option<UnitChoice>,
    pub unit_price: String,
    pub vat_rate: String,
    /// None without a discount.
    pub discount: Option<String>,
    /// Excluding VAT, after the discount.
    pub net: String,
}

/// One row of the VAT breakdown.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VatRow {
    pub rate: String,
    pub base: String,
    pub vat: String,
}

/// A document's totals, formatted.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TotalsView {
    pub vat: Vec<VatRow>,
    /// Excluding VAT.
    pub net: String,
    pub vat_total: String,
    /// Including VAT.
    pub total: String,
    /// One per line, in order: each line's net.
    pub line_nets: Vec<String>,
}

/// A payment received (or reversed), formatted.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PaymentView {
    pub id: i32,
    /// YYYY-MM-DD.
    pub date: String,
    /// As the PDF's stamp names it ("Virement", "Card (Stripe)").
    pub method: String,
    pub kind: PaymentKindChoice,
    pub amount: String,
    pub fee: Option<String>,
    /// Amount − fee, when known.
    pub net: Option<String>,
    pub reference: Option<String>,
    /// Cancelled by a counter-entry.
    pub reversed: bool,
    /// Came through Stripe: given back by a refund in Stripe, never
    /// reversed here.
    pub stripe: bool,
}

/// A credit note against the invoice shown.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CreditNoteView {
    pub id: i32,
    pub number: String,
    pub date: Option<String>,
    pub total: String,
    pub reason: Option<String>,
}

/// Everything the invoice screen shows.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceDetailView {
    pub id: i32,
    /// None for a draft.
    pub number: Option<String>,
    pub kind: InvoiceKindChoice,
    pub status: InvoiceStatusChoice,
    /// Payment links and "Record a payment" are offered
    /// ([`acquit_store::InvoiceView::takes_payments`]).
    pub takes_payments: bool,
    pub overdue: bool,
    /// Issued with the former tool before Acquit (imported): Acquit does
    /// not draw it (its PDF is that tool's).
    pub elsewhere: bool,
    /// For an invoice issued elsewhere: the former tool's PDF is kept (what
    /// "Export PDF", mail and the client page give).
    pub former_pdf: bool,
    pub client_id: i32,
    pub client: PartyView,
    /// None while no company profile is set (a draft only).
    pub seller: Option<PartyView>,
    /// Under the VAT franchise (art. 293 B du CGI).
    pub vat_franchise: bool,
    pub currency: String,
    /// YYYY-MM-DD.
    pub issue_date: Option<String>,
    pub sale_date: Option<String>,
    pub due_date: Option<String>,
    pub lines: Vec<LineView>,
    pub totals: TotalsView,
    pub amount_due: String,
    /// Owed back to the client, if anything.
    pub refund_due: Option<String>,
    /// For a balance invoice: the deposits it deducts.
    pub deposits: Vec<String>,
    /// For a credit note: the invoice it corrects, and why.
    pub credits: Option<String>,
    pub reason: Option<String>,
    pub payments: Vec<PaymentView>,
    pub credit_notes: Vec<CreditNoteView>,
    /// Goods, services or both, as printed ("Prestations de services");
    /// none while a line has no nature.
    pub category: Option<String>,
    /// The buyer's purchase order number.
    pub order_ref: Option<String>,
    /// The reference the buyer asked to see.
    pub buyer_ref: Option<String>,
    /// How the client may pay, as chosen on the draft or recorded at
    /// issue (empty: not chosen, or issued before it was recorded).
    pub payment_means: Vec<crate::choices::PaymentMeansChoice>,
    /// For an invoice not in euros: units of its currency per euro, as
    /// typed back in the UI's language ("1,085").
    pub eur_rate: Option<String>,
    /// Once issued with a rate: its VAT in euros.
    pub vat_total_eur: Option<String>,
    /// This invoice's own delivery address, as the header form edits it.
    pub delivery: Option<AddressForm>,
    /// The same, as printed.
    pub delivery_lines: Vec<String>,
}

/// One invoice or draft, with its payments and credit notes.
#[tauri::command]
#[specta::specta]
pub fn invoice_detail(
    books: State<'_, Books>,
    id: i32,
    lang: String,
) -> Result<InvoiceDetailView, CommandError> {
    let lang = crate::commands::lang(&lang)?;
    let detail =
        books.with(|store| store.invoice_detail(InvoiceId(id.into()), acquit_store::today()))?;
    Ok(detail_view(detail, lang))
}

/// Asks where to save the PDF of the issued document `number`, renders it
/// with the same renderer as `acquit invoice pdf` (PAID stamp once paid) and
/// writes it atomically. Returns the path, or None when the user cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_pdf(
    app: tauri::AppHandle,
    books: State<'_, Books>,
    number: String,
) -> Result<Option<String>, CommandError> {
    let Some(path) = ask_save_path(&app, &format!("{number}.pdf")) else {
        return Ok(None);
    };
    let rendered = books
        .with(|store| acquit_documents::render_pdf(store, &number, None, Rendering::Current))?;
    write_atomically(&path, &rendered.bytes)
        .map_err(|e| CommandError::new(format!("could not save {}: {e}", path.display())))?;
    tracing::info!(%number, path = %path.display(), "PDF exported");
    Ok(Some(path.display().to_string()))
}

/// The native save dialog. Debug builds answer `ACQUIT_E2E_SAVE_DIR/<name>`
/// without showing it when that variable is set: WebDriver cannot drive a
/// GTK dialog, and the end-to-end tests check the file written.
fn ask_save_path(app: &tauri::AppHandle, name: &str) -> Option<PathBuf> {
    ask_save_path_as(app, name, "PDF", &["pdf"])
}

/// [`ask_save_path`] for a file of another type (`"CSV", &["csv"]`).
pub(crate) fn ask_save_path_as(
    app: &tauri::AppHandle,
    name: &str,
    filter: &str,
    extensions: &[&str],
) -> Option<PathBuf> {
    if cfg!(debug_assertions)
        && let Some(dir) = std::env::var_os("ACQUIT_E2E_SAVE_DIR")
    {
        return Some(PathBuf::from(dir).join(name));
    }
    app.dialog()
        .file()
        .set_file_name(name)
        .add_filter(filter, extensions)
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
}

/// The native open dialog for a file of type `filter`. Debug builds answer
/// `ACQUIT_E2E_OPEN_FILE` without showing it when that variable is set
/// (WebDriver cannot drive a GTK dialog).
pub(crate) fn ask_open_path(
    app: &tauri::AppHandle,
    filter: &str,
    extensions: &[&str],
) -> Option<PathBuf> {
    if cfg!(debug_assertions)
        && let Some(file) = std::env::var_os("ACQUIT_E2E_OPEN_FILE")
    {
        return Some(PathBuf::from(file));
    }
    app.dialog()
        .file()
        .add_filter(filter, extensions)
        .blocking_pick_file()
        .and_then(|p| p.into_path().ok())
}

/// Writes to a temporary file next to `path`, syncs it and renames it over
/// `path`: a reader never sees half a PDF, a crash leaves the old file.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

fn detail_view(detail: InvoiceDetail, lang: Lang) -> InvoiceDetailView {
    let InvoiceDetail {
        view,
        overdue,
        payments,
        credit_notes,
        former_pdf,
    } = detail;
    let takes_payments = view.takes_payments();
    let money = |m: Money| m.format(lang);
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    let lines: Vec<Line> = view.lines.iter().map(|l| l.line.clone()).collect();
    let home = view
        .seller
        .as_ref()
        .map_or(acquit_core::Country::FR, |s| s.home_country());
    let details = &view.details;
    InvoiceDetailView {
        category: view.category.map(|c| c.label(lang).to_owned()),
        order_ref: details.order_ref.clone(),
        buyer_ref: details.buyer_ref.clone(),
        payment_means: details.payment_means.iter().map(|&m| m.into()).collect(),
        eur_rate: details.eur_rate.map(|r| r.format(lang)),
        vat_total_eur: details.vat_total_eur.map(money),
        delivery: details.delivery.as_ref().map(AddressForm::of),
        delivery_lines: details
            .delivery
            .as_ref()
            .map(|a| a.printed(lang, home))
            .unwrap_or_default(),
        id: id32(view.id.0),
        number: view.number,
        kind: view.kind.into(),
        status: view.status.into(),
        takes_payments,
        overdue,
        elsewhere: view.elsewhere,
        former_pdf,
        client_id: id32(view.client_id.0),
        client: client_view(&view.buyer, home),
        vat_franchise: view
            .seller
            .as_ref()
            .is_some_and(|s| s.vat_regime == VatRegime::Franchise),
        seller: view.seller.as_ref().map(seller_view),
        currency: view.currency.code().to_owned(),
        issue_date: date(view.issue_date),
        sale_date: date(view.sale_date),
        due_date: date(view.due_date),
        lines: line_views(&lines, &view.totals, lang),
        totals: totals_view(&view.totals, lang),
        amount_due: money(view.amount_due),
        refund_due: Some(view.refund_due).filter(|r| r.is_positive()).map(money),
        deposits: view.deposits,
        credits: view.credits,
        reason: view.reason,
        payments: payments
            .into_iter()
            .map(|p| PaymentView {
                id: id32(p.payment.id.0),
                date: p.payment.received_on.to_string(),
                method: acquit_documents::documents::method_label(p.payment.method, lang)
                    .to_owned(),
                kind: p.payment.kind.into(),
                amount: money(p.payment.amount),
                fee: p.payment.fee.map(money),
                net: p.net.map(money),
                reference: p.payment.reference,
                reversed: p.payment.reversed,
                stripe: p.payment.method == acquit_store::PaymentMethod::Stripe,
            })
            .collect(),
        credit_notes: credit_notes
            .into_iter()
            .map(|c| CreditNoteView {
                id: id32(c.id.0),
                number: c.number,
                date: date(c.issue_date),
                total: money(c.total),
                reason: c.reason,
            })
            .collect(),
    }
}

/// Formats each line with its computed net (`totals.lines` is in line order).
pub(crate) fn line_views(lines: &[Line], totals: &Totals, lang: Lang) -> Vec<LineView> {
    lines
        .iter()
        .zip(&totals.lines)
        .enumerate()
        .map(|(i, (line, amounts))| LineView {
            position: i32::try_from(i + 1).unwrap_or(i32::MAX),
            description: line.description.clone(),
            quantity: line.quantity_label(lang),
            nature: line.nature.map(Into::into),
            unit: line.unit.map(Into::into),
            unit_price: line.input.unit_price.format(lang),
            vat_rate: line.input.vat_rate.format(lang),
            discount: Some(amounts.discount)
                .filter(|d| !d.is_zero())
                .map(|d| d.format(lang)),
            net: amounts.net.format(lang),
        })
        .collect()
}

pub(crate) fn totals_view(totals: &Totals, lang: Lang) -> TotalsView {
    TotalsView {
        vat: totals
            .vat
            .iter()
            .map(|row| VatRow {
                rate: row.rate.format(lang),
                base: row.base.format(lang),
                vat: row.vat.format(lang),
            })
            .collect(),
        net: totals.net.format(lang),
        vat_total: totals.vat_total.format(lang),
        total: totals.total.format(lang),
        line_nets: totals.lines.iter().map(|l| l.net.format(lang)).collect(),
    }
}

fn client_view(c: &Client, home: acquit_core::Country) -> PartyView {
    PartyView {
        name: c.name.clone(),
        address: c
            .address
            .as_ref()
            .map(|a| a.printed(crate::messages::ui_lang(), home))
            .unwrap_or_default(),
        email: c.email.as_ref().map(ToString::to_string),
        phone: c.phone.as_ref().map(ToString::to_string),
        siren: c.siren.as_ref().map(|s| s.formatted()),
        vat_number: c.vat_number.as_ref().map(ToString::to_string),
        iban: None,
        bic: None,
    }
}

fn seller_view(s: &Seller) -> PartyView {
    PartyView {
        name: s.legal_name.clone(),
        address: s
            .address
            .printed(crate::messages::ui_lang(), s.home_country()),
        email: s.email.as_ref().map(ToString::to_string),
        phone: s.phone.as_ref().map(ToString::to_string),
        siren: s.siren.as_ref().map(|s| s.formatted()),
        vat_number: s.vat_number.as_ref().map(ToString::to_string),
        iban: s.iban.as_ref().map(|i| i.formatted()),
        bic: s.bic.as_ref().map(ToString::to_string),
    }
}

pub(crate) fn id32(id: i64) -> i32 {
    i32::try_from(id).unwrap_or(i32::MAX)
}
