//! Quotes in the app: a draft written in the invoice editor issued as a
//! quote, the quotes listed with their state, one quote shown (its pages,
//! the decision, the invoices made from it), accepted or declined by hand,
//! and invoiced. The rules are `acquit_core::quote` and the store's.

use acquit_core::InvoiceKind;
use acquit_core::quote::{DecidedVia, Decision, DepositShare, QuoteStatus};
use acquit_documents::send::format_date;
use acquit_store::{InvoiceId, QuoteId, QuoteSummary};
use serde::Serialize;
use tauri::State;

use crate::commands::{Books, CommandError};
use crate::messages::{localize, say, ui_lang};
use crate::payments::on_own_connection;
use crate::view::id32;

/// Where a quote stands (derived by the core from facts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum QuoteState {
    Draft,
    Issued,
    Sent,
    Accepted,
    Declined,
    Expired,
}

impl From<QuoteStatus> for QuoteState {
    fn from(status: QuoteStatus) -> QuoteState {
        match status {
            QuoteStatus::Draft => QuoteState::Draft,
            QuoteStatus::Issued => QuoteState::Issued,
            QuoteStatus::Sent => QuoteState::Sent,
            QuoteStatus::Accepted => QuoteState::Accepted,
            QuoteStatus::Declined => QuoteState::Declined,
            QuoteStatus::Expired => QuoteState::Expired,
        }
    }
}

/// A row of the quotes screen, formatted in the UI's language.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct QuoteRow {
    pub id: i32,
    pub number: Option<String>,
    pub client: String,
    pub issue_date: Option<String>,
    pub valid_until: Option<String>,
    pub total: String,
    pub state: QuoteState,
    /// The numbers of the invoices issued from it.
    pub invoiced: Vec<String>,
}

/// An invoice made from the quote.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct QuoteInvoiceView {
    pub id: i32,
    /// "F-2027-0003 · acompte", "brouillon 12 · solde".
    pub label: String,
    pub draft: bool,
}

/// One quote as its screen shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct QuoteDetail {
    pub row: QuoteRow,
    /// "Accepté le 20/01/2027 par Léa Martin", with the comment if any.
    pub decision: Option<String>,
    pub invoices: Vec<QuoteInvoiceView>,
    /// Issued or sent, within its validity: accept or decline offered.
    pub can_decide: bool,
    /// Accepted, no draft pending, not invoiced in full: a deposit or the
    /// (rest of the) invoice can be made.
    pub can_invoice: bool,
    /// A deposit was issued: the next invoice is the balance.
    pub has_deposits: bool,
}

fn row(q: &QuoteSummary) -> QuoteRow {
    let lang = ui_lang();
    QuoteRow {
        id: id32(q.id.0),
        number: q.number.clone(),
        client: q.client.clone(),
        issue_date: q.issue_date.map(|d| format_date(lang, d)),
        valid_until: q.valid_until.map(|d| format_date(lang, d)),
        total: q.total.format(lang),
        state: q.status.into(),
        invoiced: q.invoiced.clone(),
    }
}

fn kind_label(kind: InvoiceKind) -> String {
    match kind {
        InvoiceKind::Deposit => say("acompte", "deposit"),
        InvoiceKind::Balance => say("solde", "balance"),
        _ => say("facture", "invoice"),
    }
}

/// Every quote, newest first.
#[tauri::command]
#[specta::specta]
pub fn quote_list(books: State<'_, Books>) -> Result<Vec<QuoteRow>, CommandError> {
    let quotes = books.with(|store| store.quotes(acquit_store::today()))?;
    Ok(quotes.iter().map(row).collect())
}

/// Quote `id`, with its decision and invoices.
#[tauri::command]
#[specta::specta]
pub fn quote_detail(books: State<'_, Books>, id: i32) -> Result<QuoteDetail, CommandError> {
    let q = books.with(|store| store.quote_by_id(QuoteId(id.into()), acquit_store::today()))?;
    let lang = ui_lang();
    let decision = q.decision.as_ref().map(|d| {
        let on = format_date(lang, d.on);
        let mut text = match (d.accepted, lang) {
            (true, acquit_core::Lang::Fr) => format!("Accepté le {on} par {}", d.by),
            (false, acquit_core::Lang::Fr) => format!("Refusé le {on} par {}", d.by),
            (true, acquit_core::Lang::En) => format!("Accepted on {on} by {}", d.by),
            (false, acquit_core::Lang::En) => format!("Declined on {on} by {}", d.by),
        };
        if let Some(comment) = &d.comment {
            text.push_str(&match lang {
                acquit_core::Lang::Fr => format!("\u{a0}: «\u{a0}{comment}\u{a0}»"),
                acquit_core::Lang::En => format!(": \"{comment}\""),
            });
        }
        text
    });
    let invoices = q
        .invoices
        .iter()
        .map(|i| QuoteInvoiceView {
            id: id32(i.id.0),
            label: match &i.number {
                Some(n) => format!("{n} · {}", kind_label(i.kind)),
                None => format!(
                    "{} {} · {}",
                    say("brouillon", "draft"),
                    i.id.0,
                    kind_label(i.kind)
                ),
            },
            draft: i.number.is_none(),
        })
        .collect();
    let pending = q.invoices.iter().any(|i| i.number.is_none());
    let full = q.invoices.iter().any(|i| i.kind != InvoiceKind::Deposit);
    Ok(QuoteDetail {
        can_decide: q.status.awaits_decision(),
        can_invoice: q.status == QuoteStatus::Accepted && !pending && !full,
        has_deposits: q.invoices.iter().any(|i| i.kind == InvoiceKind::Deposit),
        decision,
        invoices,
        row: row(&QuoteSummary::from(&q)),
    })
}

/// The quote's pages drawn by the PDF renderer (what the client gets).
#[tauri::command]
#[specta::specta]
pub fn quote_preview(books: State<'_, Books>, id: i32) -> Result<Vec<String>, CommandError> {
    let number = books
        .with(|store| store.quote_by_id(QuoteId(id.into()), acquit_store::today()))?
        .number
        .ok_or_else(|| {
            CommandError::new(say(
                "Un brouillon de devis n’a pas de pages",
                "A draft quote has no pages",
            ))
        })?;
    books.with(|store| acquit_documents::render_quote_svg(store, &number, None))
}

/// Issues the invoice draft `draft` as a quote today (valid until
/// `valid_until`, YYYY-MM-DD, or the default 30 days): returns the quote's id.
#[tauri::command]
#[specta::specta]
pub fn issue_draft_as_quote(
    books: State<'_, Books>,
    draft: i32,
    valid_until: Option<String>,
) -> Result<i32, CommandError> {
    let valid_until = match valid_until.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(text.parse::<chrono::NaiveDate>().map_err(|_| {
            CommandError::field(
                "validUntil",
                say("Indiquez une date de validité", "Give a validity date"),
            )
        })?),
    };
    let (id, _) = books.with(|store| {
        store.issue_draft_as_quote(InvoiceId(draft.into()), acquit_store::today(), valid_until)
    })?;
    Ok(id32(id.0))
}

/// Publishes quote `id`'s page on the relay, where the client accepts or
/// declines it from their phone (the background sync reads the answer):
/// the link to send them.
#[tauri::command]
#[specta::specta]
pub async fn share_quote(
    books: State<'_, Books>,
    id: i32,
) -> Result<crate::relay::ShareView, CommandError> {
    on_own_connection(&books, move |store| {
        let today = acquit_store::today();
        let number = store
            .quote_by_id(QuoteId(id.into()), today)
            .map_err(|e| localize(&e))?
            .number
            .ok_or_else(|| say("Émettez d’abord le devis", "Issue the quote first"))?;
        let relay = acquit_sync::config::relay_client(store)
            .map_err(|e| localize(&e))?
            .ok_or_else(|| {
                say(
                    "La page du devis est servie par votre relais\u{a0}: réglez-en un dans Réglages (relais de paiement) d’abord",
                    "A quote's page is served by your relay: set one in Settings (Payment relay) first",
                )
            })?;
        let shared = tauri::async_runtime::block_on(acquit_documents::quote_page::share_quote(
            store, &relay, &number, today,
        ))
        .map_err(|e| localize(&e))?;
        Ok(crate::relay::ShareView {
            url: Some(shared.url),
        })
    })
    .await
}

/// Records the client's decision on quote `id`, today, by `by`.
#[tauri::command]
#[specta::specta]
pub fn decide_quote(
    books: State<'_, Books>,
    id: i32,
    accepted: bool,
    by: String,
    comment: Option<String>,
) -> Result<(), CommandError> {
    if by.trim().is_empty() {
        return Err(CommandError::field(
            "by",
            say(
                "Indiquez qui a décidé\u{a0}: le nom du client",
                "Say who decided: the client's name",
            ),
        ));
    }
    books.with(|store| {
        let today = acquit_store::today();
        let number = store
            .quote_by_id(QuoteId(id.into()), today)?
            .number
            .unwrap_or_default();
        store.decide_quote(
            &number,
            &Decision {
                accepted,
                on: today,
                by,
                comment,
                via: DecidedVia::Hand,
            },
        )
    })
}

/// Makes the next invoice of accepted quote `id` as a draft (a deposit of
/// `deposit`, "30" or "30 %", else the whole or the balance): its id, for
/// the editor.
#[tauri::command]
#[specta::specta]
pub fn invoice_quote(
    books: State<'_, Books>,
    id: i32,
    deposit: Option<String>,
) -> Result<i32, CommandError> {
    let deposit = match deposit.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(DepositShare::parse(text).map_err(|_| {
            CommandError::field(
                "deposit",
                say(
                    "L’acompte est un pourcentage de plus de 0 et de moins de 100\u{a0}: 30\u{a0}%",
                    "A deposit is a percentage above 0 and below 100: 30%",
                ),
            )
        })?),
    };
    let draft = books.with(|store| {
        let today = acquit_store::today();
        let number = store
            .quote_by_id(QuoteId(id.into()), today)?
            .number
            .unwrap_or_default();
        store.invoice_quote(&number, deposit, today)
    })?;
    Ok(id32(draft.0))
}
