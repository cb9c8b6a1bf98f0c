//! E-invoicing in the app (#22): the plateforme agréée (PA) connected in
//! Settings, an issued invoice sent to it from its view, and what the
//! platforms said about it. The rules are `acquit_documents::einvoice`'s (the
//! same functions as `acquit pa connect`, `acquit einvoice send` and
//! `status`); the background sync asks the platform what changed on each
//! turn (`background`).

use acquit_core::einvoicing::Channel;
use acquit_documents::einvoice::{self, PaConnection};
use acquit_secrets::Secret;
use acquit_store::InvoiceId;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::commands::{Books, CommandError};
use crate::messages::localize;
use crate::payments::on_own_connection;

/// The platform connection, as Settings shows it (nothing secret).
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PaStatus {
    pub connected: bool,
    pub url: Option<String>,
    pub client_id: Option<String>,
    /// The secret comes from ACQUIT_PA_SECRET (not the keychain).
    pub from_environment: bool,
}

fn status_of(connection: Option<PaConnection>) -> PaStatus {
    PaStatus {
        connected: connection.is_some(),
        url: connection.as_ref().map(|c| c.url.clone()),
        client_id: connection.map(|c| c.client_id),
        from_environment: einvoice::secret_in_env(),
    }
}

/// The connection recorded in the books.
#[tauri::command]
#[specta::specta]
pub fn pa_status(books: State<'_, Books>) -> Result<PaStatus, CommandError> {
    books.with(|store| PaConnection::load(store).map(status_of))
}

/// The platform's address and the client credentials it gave the user.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PaForm {
    pub url: String,
    pub client_id: String,
    /// The token endpoint when it is not the platform's usual one.
    pub token_url: Option<String>,
    pub secret: String,
}

/// Connects to the platform: the credentials are tried on it before
/// anything is recorded; the secret goes to the OS keychain, never to the
/// books (`einvoice::connect`).
#[tauri::command]
#[specta::specta]
pub async fn connect_pa(books: State<'_, Books>, form: PaForm) -> Result<PaStatus, CommandError> {
    on_own_connection(&books, move |store| {
        let token_url = form.token_url.as_deref().filter(|t| !t.trim().is_empty());
        let (connection, _) = tauri::async_runtime::block_on(einvoice::connect(
            store,
            &form.url,
            &form.client_id,
            token_url,
            Secret::new(form.secret.trim()),
        ))
        .map_err(|e| localize(&e))?;
        Ok(status_of(Some(connection)))
    })
    .await
}

/// Forgets the connection and its secret.
#[tauri::command]
#[specta::specta]
pub fn disconnect_pa(books: State<'_, Books>) -> Result<PaStatus, CommandError> {
    books.with(|store| einvoice::disconnect(store).map(|_| status_of(None)))
}

/// One status a platform relayed, as the panel lists it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StatusRow {
    pub code: u16,
    /// Its name in the UI's language.
    pub name: String,
    pub reason: Option<String>,
    /// Blocking: the invoice must be corrected (credit note, new invoice).
    pub blocking: bool,
}

/// The way of an invoice under the e-invoicing reform
/// ([`acquit_core::einvoicing::Channel`], without the buyer's SIREN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum EInvoiceChannel {
    // Through the platforms, to the buyer's SIREN.
    EInvoice,
    // A French business whose SIREN is missing: it cannot go yet.
    EInvoiceWithoutSiren,
    // E-reported as a sale to a consumer.
    ReportConsumer,
    // E-reported as a sale to a business established abroad.
    ReportInternational,
}

impl From<&Channel> for EInvoiceChannel {
    fn from(channel: &Channel) -> EInvoiceChannel {
        match channel {
            Channel::EInvoice { .. } => EInvoiceChannel::EInvoice,
            Channel::EInvoiceWithoutSiren => EInvoiceChannel::EInvoiceWithoutSiren,
            Channel::ReportConsumer => EInvoiceChannel::ReportConsumer,
            Channel::ReportInternational => EInvoiceChannel::ReportInternational,
        }
    }
}

impl EInvoiceChannel {
    /// As `acquit_documents::einvoice::EInvoiceState::channel` names it.
    fn as_str(self) -> &'static str {
        match self {
            EInvoiceChannel::EInvoice => "e-invoice",
            EInvoiceChannel::EInvoiceWithoutSiren => "e-invoice-without-siren",
            EInvoiceChannel::ReportConsumer => "report-consumer",
            EInvoiceChannel::ReportInternational => "report-international",
        }
    }
}

/// An issued invoice's e-invoicing, as its view shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct EInvoiceView {
    pub channel: EInvoiceChannel,
    /// Where it stands, in words.
    pub summary: String,
    /// What to do now, if anything.
    pub next_step: Option<String>,
    pub statuses: Vec<StatusRow>,
    /// "Send to the platform" is offered: an invoice for a French business,
    /// Acquit's own, not sent yet, a platform connected.
    pub sendable: bool,
}

fn view_of(store: &acquit_store::Store, number: &str) -> Result<EInvoiceView, String> {
    let fr = crate::messages::ui_lang() == acquit_core::Lang::Fr;
    let state = einvoice::state(store, number, fr).map_err(|e| localize(&e))?;
    let invoice = store.invoice(number).map_err(|e| localize(&e))?;
    let connected = PaConnection::load(store)
        .map_err(|e| localize(&e))?
        .is_some();
    // The state's channel, typed: the same rule on the same client.
    let channel = EInvoiceChannel::from(&Channel::of(&invoice.buyer));
    debug_assert_eq!(channel.as_str(), state.channel, "{number}");
    let sendable = connected
        && channel == EInvoiceChannel::EInvoice
        && state.flow.is_none()
        && !invoice.elsewhere
        && !invoice.kind.is_credit_note();
    Ok(EInvoiceView {
        channel,
        summary: state.summary,
        next_step: state.next_step,
        statuses: state
            .statuses
            .into_iter()
            .map(|s| StatusRow {
                code: s.received.code,
                name: s.name,
                reason: s.received.reason.or(s.received.reason_code),
                blocking: s.blocking,
            })
            .collect(),
        sendable,
    })
}

fn number_of(store: &acquit_store::Store, id: i32) -> Result<String, String> {
    store
        .invoice_by_id(InvoiceId(id.into()))
        .map_err(|e| localize(&e))?
        .number
        .ok_or_else(|| {
            crate::messages::say(
                "Un brouillon n’est pas une facture électronique\u{202f}: émettez-le d’abord",
                "A draft is no e-invoice: issue it first",
            )
        })
}

/// The e-invoicing of issued invoice `id`, from the books.
#[tauri::command]
#[specta::specta]
pub fn einvoice_state(books: State<'_, Books>, id: i32) -> Result<EInvoiceView, CommandError> {
    books.with(|store| {
        let number = number_of(store, id)?;
        view_of(store, &number)
    })
}

/// Sends issued invoice `id` to the platform (its as-issued Factur-X,
/// after the directory says where its buyer receives), once: a second
/// send is refused as a duplicate (`einvoice::send`).
#[tauri::command]
#[specta::specta]
pub async fn send_einvoice(books: State<'_, Books>, id: i32) -> Result<EInvoiceView, CommandError> {
    on_own_connection(&books, move |store| {
        let number = number_of(store, id)?;
        let client = einvoice::client(store).map_err(|e| localize(&e))?;
        tauri::async_runtime::block_on(einvoice::send(store, &client, &number))
            .map_err(|e| localize(&e))?;
        view_of(store, &number)
    })
    .await
}

/// Asks the connected platform what changed (acknowledgements, the
/// buyers' statuses, the 212 "Encaissée" due), on the background sync's
/// turn; the invoices whose state changed, for the window to refresh.
pub(crate) fn refresh(
    store: &mut acquit_store::Store,
    runtime: &tokio::runtime::Runtime,
) -> Option<einvoice::Refreshed> {
    let client = match einvoice::client(store) {
        Ok(client) => client,
        // No platform: nothing to ask.
        Err(einvoice::EInvoiceError::NotConnected) => return None,
        Err(error) => {
            tracing::warn!(%error, "the platform cannot be asked");
            return None;
        }
    };
    match runtime.block_on(einvoice::refresh(store, &client)) {
        Ok(refreshed) => Some(refreshed),
        Err(error) => {
            tracing::warn!(%error, "the platform could not be asked");
            None
        }
    }
}

/// The invoices a refresh changed (and the suppliers' received), once each.
pub(crate) fn changed(refreshed: &einvoice::Refreshed) -> Vec<String> {
    let mut changed: Vec<String> = refreshed
        .acknowledged
        .iter()
        .map(|(n, _)| n.clone())
        .chain(refreshed.statuses.iter().map(|(n, _)| n.clone()))
        .chain(refreshed.recovered.iter().cloned())
        .chain(refreshed.received.iter().map(|(_, n)| n.clone()))
        .collect();
    changed.sort();
    changed.dedup();
    changed
}

/// Sent after the platform said something new about some invoices (or
/// handed over a supplier's): the window refreshes what it shows.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct EInvoicesChanged {
    pub invoices: Vec<String>,
}

impl tauri_specta::Event for EInvoicesChanged {
    const NAME: &'static str = "einvoices-changed";
}

// ---------------------------------------------------------------- received

/// A supplier's invoice the platform handed over, as "Reçues" lists it.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedView {
    pub id: i32,
    pub supplier: String,
    pub number: String,
    /// Formatted in the screen's language.
    pub issue_date: String,
    pub due_date: Option<String>,
    pub total: String,
    pub due: String,
    /// The last answer sent (its name), if any.
    pub answer: Option<String>,
}

/// The suppliers' invoices received through the platform, newest last,
/// with the answer given to each (`Store::received`, as `acquit einvoice
/// inbox`); the background sync brings new ones.
#[tauri::command]
#[specta::specta]
pub fn received_invoices(
    books: State<'_, Books>,
    lang: String,
) -> Result<Vec<ReceivedView>, CommandError> {
    let lang = crate::commands::lang(&lang)?;
    let fr = lang == acquit_core::Lang::Fr;
    books.with(|store| {
        store
            .received()?
            .into_iter()
            .map(|r| {
                let answer = store
                    .answers(r.id)?
                    .into_iter()
                    .rev()
                    .find(|a| a.flow_id.is_some())
                    .and_then(|a| acquit_core::einvoicing::Status::of(a.code))
                    .map(|s| if fr { s.fr } else { s.en }.to_owned());
                Ok(ReceivedView {
                    id: i32::try_from(r.id).unwrap_or(i32::MAX),
                    supplier: r.supplier,
                    number: r.number,
                    issue_date: acquit_documents::send::format_date(lang, r.issue_date),
                    due_date: r
                        .due_date
                        .map(|d| acquit_documents::send::format_date(lang, d)),
                    total: r.total.format(lang),
                    due: r.due.format(lang),
                    answer,
                })
            })
            .collect::<Result<Vec<_>, acquit_store::StoreError>>()
    })
}

/// Asks where to save received invoice `id`'s file and writes it byte for
/// byte as the platform handed it over, as `acquit einvoice save` does.
/// Returns the path, or None when the user cancelled.
#[tauri::command]
#[specta::specta]
pub async fn save_received(
    app: tauri::AppHandle,
    books: State<'_, Books>,
    id: i32,
) -> Result<Option<String>, CommandError> {
    let Some((name, bytes)) = books.with(|store| store.received_file(id.into()))? else {
        return Err(CommandError::new(crate::messages::say(
            "Cette facture reçue n’existe pas : rouvrez l’écran « Reçues »",
            "There is no such received invoice: open the Received screen again",
        )));
    };
    let (offered, ext) = acquit_documents::einvoice::received_file_name(id.into(), &name, &bytes);
    let filter = ext.to_ascii_uppercase();
    let Some(path) = crate::view::ask_save_path_as(&app, &offered, &filter, &[ext]) else {
        return Ok(None);
    };
    crate::view::write_atomically(&path, &bytes)
        .map_err(|e| CommandError::new(format!("could not save {}: {e}", path.display())))?;
    tracing::info!(id, path = %path.display(), "received invoice saved");
    Ok(Some(path.display().to_string()))
}

/// A reason a buyer may give (refusal, dispute), in the screen's language.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ReasonView {
    pub code: String,
    pub label: String,
}

/// The rules' reason codes, for the refusal's menu.
#[tauri::command]
#[specta::specta]
pub fn answer_reasons(lang: String) -> Result<Vec<ReasonView>, CommandError> {
    let fr = crate::commands::lang(&lang)? == acquit_core::Lang::Fr;
    Ok(acquit_core::einvoicing::REASONS
        .iter()
        .map(|(code, label_fr, label_en)| ReasonView {
            code: (*code).to_owned(),
            label: if fr { *label_fr } else { *label_en }.to_owned(),
        })
        .collect())
}

/// The buyer's answer to a received invoice: approved (205) or refused
/// (210, with a reason of the rules), sent through the platform once
/// (`einvoice::answer`).
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AnswerForm {
    pub id: i32,
    pub approve: bool,
    pub reason_code: Option<String>,
    pub reason: Option<String>,
}

#[tauri::command]
#[specta::specta]
pub async fn answer_received(
    books: State<'_, Books>,
    form: AnswerForm,
) -> Result<(), CommandError> {
    on_own_connection(&books, move |store| {
        let client = einvoice::client(store).map_err(|e| localize(&e))?;
        let (code, reason) = if form.approve {
            (205, None)
        } else {
            let reason_code = form
                .reason_code
                .filter(|c| !c.trim().is_empty())
                .ok_or_else(|| {
                    crate::messages::say("Choisissez le motif du refus", "Choose why you refuse it")
                })?;
            let text = form.reason.filter(|r| !r.trim().is_empty());
            (210, Some((reason_code, text)))
        };
        tauri::async_runtime::block_on(einvoice::answer(
            store,
            &client,
            i64::from(form.id),
            code,
            reason,
        ))
        .map_err(|e| localize(&e))?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_is_named_as_the_sync_crate_names_it() {
        let siren = acquit_core::ids::Siren::parse("732829320").unwrap();
        for (channel, name) in [
            (Channel::EInvoice { buyer_siren: siren }, "e-invoice"),
            (Channel::EInvoiceWithoutSiren, "e-invoice-without-siren"),
            (Channel::ReportConsumer, "report-consumer"),
            (Channel::ReportInternational, "report-international"),
        ] {
            let typed = EInvoiceChannel::from(&channel);
            assert_eq!(typed.as_str(), name);
            assert_eq!(serde_json::to_value(typed).unwrap(), name);
        }
    }
}
