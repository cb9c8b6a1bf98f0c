//! The books screens: the receipts ledger and its CSV export, the credit
//! notes with the Stripe refunds that wait for one, and the reconciliation
//! with Stripe. The same store and sync functions as `acquit ledger`,
//! `acquit export all`, `acquit credit-note` and `acquit reconcile`.

use acquit_core::{Lang, Money};
use acquit_store::{LedgerEntry, LedgerTotal, ProposalStatus};
use acquit_sync::config;
use acquit_sync::reconcile::{self, FindingKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::choices::{PaymentKindChoice, PaymentMethodChoice};
use crate::commands::{Books, CommandError};
use crate::messages::localized;
use crate::payments::on_own_connection;
use crate::view::id32;

/// Which days the ledger shows; both inclusive, either open.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    /// YYYY-MM-DD.
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Period {
    fn parse(&self) -> Result<(Option<NaiveDate>, Option<NaiveDate>), CommandError> {
        let day = |d: &Option<String>| {
            d.as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| {
                    NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                        CommandError::new(format!("\"{d}\" is not a date (YYYY-MM-DD)"))
                    })
                })
                .transpose()
        };
        let (from, to) = (day(&self.from)?, day(&self.to)?);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(CommandError::new(format!(
                "the period starts on {f}, after its end {t}: swap the dates"
            )));
        }
        Ok((from, to))
    }
}

/// One line of the receipts ledger, formatted.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LedgerRow {
    pub payment_id: i32,
    /// YYYY-MM-DD.
    pub date: String,
    pub invoice: String,
    pub client: String,
    pub kind: PaymentKindChoice,
    pub method: PaymentMethodChoice,
    /// As the ledger prints it: `STRIPE card`, `STRIPE SEPA`, `transfer`.
    pub method_label: String,
    /// Negative for refunds and counter-entries.
    pub amount: String,
    /// Unknown while Stripe has not reported it.
    pub fee: Option<String>,
    pub net: Option<String>,
    pub reference: Option<String>,
}

/// The totals of the period in one currency, formatted.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LedgerTotalView {
    pub currency: String,
    pub amount: String,
    pub fee: String,
    pub net: String,
    /// Entries left out of `net` (fee not known yet).
    pub unknown_net: u32,
}

/// The ledger screen: the period's lines and their totals per currency.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LedgerView {
    pub rows: Vec<LedgerRow>,
    pub totals: Vec<LedgerTotalView>,
}

fn ledger_row(e: &LedgerEntry, lang: Lang) -> LedgerRow {
    LedgerRow {
        payment_id: id32(e.payment_id.0),
        date: e.date.to_string(),
        invoice: e.invoice_number.clone(),
        client: e.client.clone(),
        kind: e.kind.into(),
        method: e.method.into(),
        method_label: e.method_label(),
        amount: e.amount.format(lang),
        fee: e.fee.map(|f| f.format(lang)),
        net: e.net.map(|n| n.format(lang)),
        reference: e.reference.clone(),
    }
}

fn total_view(t: &LedgerTotal, lang: Lang) -> LedgerTotalView {
    LedgerTotalView {
        currency: t.amount.currency().code().to_owned(),
        amount: t.amount.format(lang),
        fee: t.fee.format(lang),
        net: t.net.format(lang),
        unknown_net: u32::try_from(t.unknown_net).unwrap_or(u32::MAX),
    }
}

/// The receipts ledger of `period`, in date order, with its totals.
#[tauri::command]
#[specta::specta]
pub fn ledger(
    books: State<'_, Books>,
    period: Period,
    lang: String,
) -> Result<LedgerView, CommandError> {
    let lang = crate::commands::lang(&lang)?;
    let (from, to) = period.parse()?;
    let entries = books.with(|store| store.ledger(from, to))?;
    let totals =
        acquit_store::ledger_totals(&entries).map_err(|e| CommandError::new(e.to_string()))?;
    Ok(LedgerView {
        rows: entries.iter().map(|e| ledger_row(e, lang)).collect(),
        totals: totals.iter().map(|t| total_view(t, lang)).collect(),
    })
}

/// Asks where to save the ledger of `period` as CSV and writes it, with
/// the columns of `ledger.csv` in `acquit export all`. Returns the path, or
/// None when the user cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_ledger_csv(
    app: tauri::AppHandle,
    books: State<'_, Books>,
    period: Period,
) -> Result<Option<String>, CommandError> {
    let (from, to) = period.parse()?;
    let name = match (from, to) {
        (None, None) => "ledger.csv".to_owned(),
        (f, t) => format!(
            "ledger-{}-{}.csv",
            f.map_or("start".into(), |d| d.to_string()),
            t.map_or("today".into(), |d| d.to_string())
        ),
    };
    let Some(path) = crate::view::ask_save_path_as(&app, &name, "CSV", &["csv"]) else {
        return Ok(None);
    };
    let csv = books.with(|store| store.ledger(from, to))?;
    crate::view::write_atomically(&path, acquit_documents::export::ledger_csv(&csv).as_bytes())
        .map_err(|e| CommandError::new(format!("could not save {}: {e}", path.display())))?;
    tracing::info!(path = %path.display(), rows = csv.len(), "ledger exported");
    Ok(Some(path.display().to_string()))
}

/// The id of the issued invoice `number`, to open it from a ledger line.
#[tauri::command]
#[specta::specta]
pub fn invoice_id(books: State<'_, Books>, number: String) -> Result<i32, CommandError> {
    books.with(|store| store.invoice(&number).map(|v| id32(v.id.0)))
}

// ---------------------------------------------------------------- credit notes

/// One issued credit note, formatted.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CreditNoteRow {
    pub id: i32,
    pub number: String,
    /// YYYY-MM-DD.
    pub date: Option<String>,
    pub client: String,
    /// The invoice it corrects.
    pub credits_id: i32,
    pub credits: String,
    /// Negative, VAT included.
    pub total: String,
    pub reason: Option<String>,
}

/// A refund made in Stripe whose credit note is not issued yet.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RefundProposalView {
    pub id: i32,
    pub invoice: String,
    /// The credit note to issue (what Stripe refunded).
    pub amount: String,
    /// `re_…`
    pub stripe_ref: String,
    /// RFC 3339: when sync recorded the refund.
    pub created_at: String,
}

/// The credit notes screen.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CreditNotesView {
    /// Newest first.
    pub notes: Vec<CreditNoteRow>,
    /// Open ones only, newest first.
    pub proposals: Vec<RefundProposalView>,
}

/// Every credit note, and the refunds that wait for theirs.
#[tauri::command]
#[specta::specta]
pub fn credit_notes(
    books: State<'_, Books>,
    lang: String,
) -> Result<CreditNotesView, CommandError> {
    let lang = crate::commands::lang(&lang)?;
    let (notes, proposals) = books.with(|store| {
        Ok::<_, acquit_store::StoreError>((store.credit_notes()?, store.refund_proposals()?))
    })?;
    let money = |m: Money| m.format(lang);
    Ok(CreditNotesView {
        notes: notes
            .into_iter()
            .map(|n| CreditNoteRow {
                id: id32(n.id.0),
                number: n.number,
                date: n.issue_date.map(|d| d.to_string()),
                client: n.client,
                credits_id: id32(n.credits_id.0),
                credits: n.credits,
                total: money(n.total),
                reason: n.reason,
            })
            .collect(),
        proposals: proposals
            .into_iter()
            .filter(|p| p.status == ProposalStatus::Open)
            .map(|p| RefundProposalView {
                id: id32(p.id),
                invoice: p.invoice_number,
                amount: money(p.amount),
                stripe_ref: p.stripe_ref,
                created_at: p.created_at,
            })
            .collect(),
    })
}

/// Issues, dated today, the credit note a Stripe refund asks for (as
/// `acquit credit-note NUMBER --amount A` would); returns its number.
#[tauri::command]
#[specta::specta]
pub fn issue_refund_credit_note(
    books: State<'_, Books>,
    proposal_id: i32,
) -> Result<String, CommandError> {
    books.with(|store| store.issue_refund_credit_note(proposal_id.into(), acquit_store::today()))
}

// ---------------------------------------------------------------- reconciliation

/// What a difference between Stripe and the books is: the findings of
/// [`FindingKind`] the reconciliation screen lists (the events sync kept
/// are listed apart, see [`kept_events`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentFindingKind {
    // Paid on Stripe, not applied here.
    MissingInAcquit,
    // Recorded here, not among Stripe's payments.
    UnknownToStripe,
}

impl PaymentFindingKind {
    /// The payment findings; None for an event sync kept.
    fn of(kind: FindingKind) -> Option<PaymentFindingKind> {
        match kind {
            FindingKind::MissingInAcquit => Some(PaymentFindingKind::MissingInAcquit),
            FindingKind::UnknownToStripe => Some(PaymentFindingKind::UnknownToStripe),
            FindingKind::UnmatchedEvent
            | FindingKind::RejectedEvent
            | FindingKind::UnconfirmedEvent => None,
        }
    }
}

/// One difference between Stripe and the books.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FindingView {
    pub kind: PaymentFindingKind,
    /// The PaymentIntent, `pi_…`.
    pub stripe_ref: String,
    pub invoice: Option<String>,
    pub amount: Option<String>,
}

/// What the reconciliation found over the last 30 days.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileView {
    /// Paid sessions Stripe reported.
    pub paid_sessions: u32,
    /// Empty when Stripe and the books agree.
    pub findings: Vec<FindingView>,
}

/// Compares Stripe's payments of the last 30 days with the books (as
/// `acquit reconcile`). Calls Stripe: runs on its own connection.
#[tauri::command]
#[specta::specta]
pub async fn reconcile(
    books: State<'_, Books>,
    lang: String,
) -> Result<ReconcileView, CommandError> {
    let lang = crate::commands::lang(&lang)?;
    on_own_connection(&books, move |store| {
        let stripe = config::stripe_client(store)
            .map_err(localized)?
            .ok_or_else(|| localized(config::ConfigError::NotConnected))?;
        let outcome = tauri::async_runtime::block_on(reconcile::reconcile(
            store,
            &stripe,
            chrono::Utc::now().timestamp(),
        ))
        .map_err(localized)?;
        Ok(ReconcileView {
            paid_sessions: u32::try_from(outcome.paid_sessions).unwrap_or(u32::MAX),
            // The events sync kept are listed apart (`kept_events`): they
            // need no call to Stripe.
            findings: outcome
                .findings
                .into_iter()
                .filter_map(|f| {
                    Some(FindingView {
                        kind: PaymentFindingKind::of(f.kind)?,
                        stripe_ref: f.stripe_ref,
                        invoice: f.invoice_number,
                        amount: f.amount.map(|a| a.format(lang)),
                    })
                })
                .collect(),
        })
    })
    .await
}

/// A Stripe event sync kept rather than applied: about no link or invoice
/// here (unmatched), not confirmed by Stripe or refused by the books
/// (rejected), or waiting for Stripe to confirm it (unconfirmed).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct KeptEventView {
    /// `evt_…`
    pub event_id: String,
    pub event_type: String,
    /// RFC 3339 (Stripe's `created`, as the relay said for an unconfirmed
    /// or rejected event).
    pub created: String,
    pub outcome: KeptOutcome,
    /// What sync said about it: for a rejected event, why.
    pub detail: String,
}

/// Why an event was kept rather than applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum KeptOutcome {
    Unmatched,
    Rejected,
    Unconfirmed,
}

/// The Stripe events sync kept: waiting for Stripe first, then rejected,
/// then unmatched, newest first within each.
#[tauri::command]
#[specta::specta]
pub fn kept_events(books: State<'_, Books>) -> Result<Vec<KeptEventView>, CommandError> {
    let lists = books.with(|store| {
        Ok::<_, acquit_store::StoreError>([
            (KeptOutcome::Unconfirmed, store.unconfirmed_events()?),
            (KeptOutcome::Rejected, store.rejected_events()?),
            (KeptOutcome::Unmatched, store.unmatched_events()?),
        ])
    })?;
    Ok(lists
        .into_iter()
        .flat_map(|(outcome, events)| {
            events.into_iter().map(move |e| KeptEventView {
                created: chrono::DateTime::from_timestamp(e.created, 0)
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default(),
                event_id: e.event_id,
                event_type: e.event_type,
                outcome,
                detail: e.detail,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_is_named_as_acquit_reconcile_names_it() {
        for kind in [FindingKind::MissingInAcquit, FindingKind::UnknownToStripe] {
            let shown = PaymentFindingKind::of(kind).unwrap();
            assert_eq!(serde_json::to_value(shown).unwrap(), kind.as_str());
        }
        for kept in [
            FindingKind::UnmatchedEvent,
            FindingKind::RejectedEvent,
            FindingKind::UnconfirmedEvent,
        ] {
            assert_eq!(PaymentFindingKind::of(kept), None);
        }
    }
}
