//! E-invoicing through the user's plateforme agréée (PA): the connection
//! (setting [`PA_CONNECTION_SETTING`], nothing secret; the client secret in
//! `ACQUIT_PA_SECRET`, else the OS keychain), sending an issued invoice,
//! and following what the platforms say about it.
//!
//! Sending ([`send`]): only an invoice to a French business goes through
//! the platforms ([`Channel`], decided in the core); it must have been
//! issued as a Factur-X; the buyer's SIREN must be enabled in the
//! directory. The as-issued Factur-X is reserved in the books (tracking id
//! = the number, SHA-256 of the file), uploaded, and the platform's flow
//! recorded. An invoice already sent is never sent again; a send cut off
//! by a crash is found on the platform by its tracking id and hash and
//! recorded, not repeated.
//!
//! Following ([`refresh`], on every sync and by `acquit einvoice
//! status`): acknowledgements of pending flows, and the lifecycle statuses
//! (CDAR messages) relayed since the last look, recorded once each.

use acquit_core::einvoicing::{Channel, cashed_parts, cashed_status_due};
pub use acquit_pa::PaError;
use acquit_pa::flows::{DocType, NewFlow, SearchFilters};
use acquit_pa::lifecycle::{REASONS, Status, StatusMessage, needs_reason, read_cdar, status_cdar};
use acquit_pa::{AckStatus, Auth, Client, Config, LineStatus};
use acquit_secrets::{Keychain, KeychainError, Secret};
use acquit_store::{
    Answer, EInvoiceFlow, FlowAck, FlowKind, NewReceived, NewStatus, PaymentId, PaymentKind,
    ReceivedStatus, Store, StoreError,
};
use serde::{Deserialize, Serialize};

use crate::documents::{DocumentError, Rendering, render_pdf};

/// The setting recording the PA connection (JSON, [`PaConnection`]);
/// empty once disconnected.
pub const PA_CONNECTION_SETTING: &str = "pa.connection";

/// The setting holding the `updatedAt` of the last incoming lifecycle
/// flow read, so the next look asks only for newer ones.
pub const PA_LIFECYCLE_CURSOR_SETTING: &str = "pa.lifecycle_after";

/// Environment override of the client secret (scripts, CI): used, never
/// written anywhere.
pub const PA_SECRET_ENV: &str = "ACQUIT_PA_SECRET";

/// The largest CDAR message read (a status is a few kB).
const MAX_CDAR_BYTES: usize = 1024 * 1024;

/// What the books record about the PA connection: nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaConnection {
    /// `https://…{base-path}`, without the service names.
    pub url: String,
    pub client_id: String,
    pub token_url: String,
    /// RFC 3339.
    pub connected_at: String,
}

/// What went wrong with e-invoicing, each saying what to do.
#[derive(Debug, thiserror::Error)]
pub enum EInvoiceError {
    #[error(
        "Acquit is not connected to a platform (PA): run `acquit pa connect --url URL --client-id ID` with the client secret on stdin"
    )]
    NotConnected,
    #[error(
        "the client secret for {client_id} is not in the keychain: run `acquit pa connect --url {url} --client-id {client_id}` again, or set {PA_SECRET_ENV}"
    )]
    SecretMissing { url: String, client_id: String },
    #[error(
        "the platform connection recorded in the books is unreadable ({0}): run `acquit pa connect` again"
    )]
    Unreadable(String),
    #[error(
        "{number} is to {client}, a consumer: a sale to a consumer is not sent through the platforms; it is e-reported instead, in daily totals per VAT rate: see `acquit ereport --period YYYY-MM`"
    )]
    Consumer { number: String, client: String },
    #[error(
        "{number} is to {client}, a business outside France (or invoiced without French VAT): it is not sent through the platforms; it is e-reported instead, invoice by invoice: see `acquit ereport --period YYYY-MM`"
    )]
    International { number: String, client: String },
    #[error(
        "{number} was issued without {client}'s SIREN, where e-invoices are addressed: add the SIREN to the client (`acquit client edit … --siren`), then issue a credit note and a new invoice"
    )]
    NoSiren { number: String, client: String },
    #[error(
        "{number} was issued as a plain PDF, not a Factur-X (its e-invoice data was incomplete): complete the profiles (`acquit invoice show {number}` lists what is missing), then issue a credit note and a new invoice"
    )]
    NotFacturX { number: String },
    #[error(
        "the directory does not know SIREN {siren} ({client}): check the client's SIREN, or ask the client which platform receives its invoices"
    )]
    NotInDirectory { siren: String, client: String },
    #[error(
        "{client} (SIREN {siren}) has no platform receiving its invoices yet: send the PDF another way meanwhile, and send the e-invoice once it has one"
    )]
    NoPlatform { siren: String, client: String },
    /// An answer to a received invoice that cannot be given as typed.
    #[error("{0}")]
    Answer(String),
    #[error(transparent)]
    Pa(#[from] PaError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error(transparent)]
    Document(#[from] DocumentError),
}

impl EInvoiceError {
    /// The user's to fix (exit 1), rather than a failure outside.
    pub fn is_user_fixable(&self) -> bool {
        match self {
            EInvoiceError::Pa(e) => matches!(
                e,
                PaError::BadUrl { .. } | PaError::Credentials { .. } | PaError::Forbidden { .. }
            ),
            EInvoiceError::Store(StoreError::Rejected(_)) => true,
            EInvoiceError::Store(_)
            | EInvoiceError::Keychain(_)
            | EInvoiceError::Document(_)
            | EInvoiceError::Unreadable(_) => false,
            _ => true,
        }
    }
}

fn secret_user(client_id: &str) -> String {
    format!("pa-client-secret:{client_id}")
}

impl PaConnection {
    /// The connection recorded in `store`, if any.
    pub fn load(store: &Store) -> Result<Option<PaConnection>, EInvoiceError> {
        match store.setting(PA_CONNECTION_SETTING)? {
            Some(text) if !text.trim().is_empty() => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| EInvoiceError::Unreadable(e.to_string())),
            _ => Ok(None),
        }
    }

    fn config(&self, secret: Secret) -> Config {
        Config::new(
            self.url.clone(),
            Auth::ClientCredentials {
                token_url: self.token_url.clone(),
                client_id: self.client_id.clone(),
                secret,
            },
        )
    }
}

fn secret_from_env() -> Option<Secret> {
    let value = std::env::var(PA_SECRET_ENV).ok()?;
    let value = value.trim();
    (!value.is_empty()).then(|| Secret::new(value))
}

/// A client for a connection about to be recorded (`pa connect`).
pub fn client_for(
    url: &str,
    client_id: &str,
    token_url: Option<&str>,
    secret: Secret,
) -> Result<(PaConnection, Client), EInvoiceError> {
    let url = url.trim().trim_end_matches('/').to_owned();
    let client_id = client_id.trim().to_owned();
    if client_id.is_empty() {
        return Err(EInvoiceError::Pa(PaError::Credentials {
            detail: "the client id is empty".into(),
        }));
    }
    let connection = PaConnection {
        token_url: token_url
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| Config::default_token_url(&url, &client_id)),
        url,
        client_id,
        connected_at: chrono::Utc::now().to_rfc3339(),
    };
    let client = Client::new(connection.config(secret))?;
    Ok((connection, client))
}

/// Whether the client secret comes from `ACQUIT_PA_SECRET` (then the
/// keychain is not used).
pub fn secret_in_env() -> bool {
    secret_from_env().is_some()
}

/// Records `connection` once the platform accepted its credentials: the
/// secret in `keychain` (`None` when it comes from the environment), the
/// rest in the books.
pub fn record_connection(
    store: &mut Store,
    connection: &PaConnection,
    secret: &Secret,
    keychain: Option<&Keychain>,
) -> Result<(), EInvoiceError> {
    if let Some(keychain) = keychain {
        keychain.set(
            &secret_user(&connection.client_id),
            &format!("Acquit: platform client secret ({})", connection.client_id),
            secret,
        )?;
    }
    let previous = PaConnection::load(store)?;
    let text = serde_json::to_string(connection).expect("PaConnection serializes");
    store.set_setting(PA_CONNECTION_SETTING, &text)?;
    if let Some(previous) = previous
        && let Some(keychain) = keychain
        && previous.client_id != connection.client_id
    {
        let _ = keychain.delete(&secret_user(&previous.client_id));
    }
    Ok(())
}

/// Connects to the platform at `url` as `client_id` with `secret`, for
/// `acquit pa connect` and the app's Settings alike: what was typed is
/// checked, the keychain opened (not when the secret comes from
/// `ACQUIT_PA_SECRET`: no point asking the platform if the secret cannot be
/// kept), the credentials tried on the platform, and only then recorded.
/// Returns the connection and where the secret is kept (None: the
/// environment).
pub async fn connect(
    store: &mut Store,
    url: &str,
    client_id: &str,
    token_url: Option<&str>,
    secret: Secret,
) -> Result<(PaConnection, Option<String>), EInvoiceError> {
    let (connection, client) = client_for(url, client_id, token_url, secret.clone())?;
    let keychain = if secret_in_env() {
        None
    } else {
        Some(Keychain::open()?)
    };
    client.check().await?;
    record_connection(store, &connection, &secret, keychain.as_ref())?;
    Ok((connection, keychain.map(|k| k.describe())))
}

/// Forgets the connection and removes its secret from the keychain.
pub fn disconnect(store: &mut Store) -> Result<Option<PaConnection>, EInvoiceError> {
    let Some(connection) = PaConnection::load(store)? else {
        return Ok(None);
    };
    if let Ok(keychain) = Keychain::open() {
        keychain.delete(&secret_user(&connection.client_id))?;
    }
    store.set_setting(PA_CONNECTION_SETTING, "")?;
    Ok(Some(connection))
}

/// The PA client of the recorded connection.
pub fn client(store: &Store) -> Result<Client, EInvoiceError> {
    let connection = PaConnection::load(store)?.ok_or(EInvoiceError::NotConnected)?;
    let secret = match secret_from_env() {
        Some(secret) => secret,
        None => Keychain::open()?
            .get(&secret_user(&connection.client_id))?
            .ok_or_else(|| EInvoiceError::SecretMissing {
                url: connection.url.clone(),
                client_id: connection.client_id.clone(),
            })?,
    };
    Ok(Client::new(connection.config(secret))?)
}

/// What [`send`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Uploaded now (or found on the platform after an interrupted send).
    Now(EInvoiceFlow),
    /// Sent earlier: nothing was sent again.
    Already(EInvoiceFlow),
}

fn ack_of(status: AckStatus) -> FlowAck {
    match status {
        AckStatus::Pending => FlowAck::Pending,
        AckStatus::Ok => FlowAck::Ok,
        AckStatus::Error => FlowAck::Error,
    }
}

/// Sends the issued invoice `number` through the platform.
pub async fn send(store: &mut Store, pa: &Client, number: &str) -> Result<Sent, EInvoiceError> {
    let view = store.invoice(number)?;
    let number = match &view.number {
        Some(n) => n.clone(),
        None => return Err(DocumentError::Draft(number.to_owned()).into()),
    };
    if let Some(flow) = store.einvoice_flow(&number)?
        && flow.flow_id.is_some()
    {
        return Ok(Sent::Already(flow));
    }
    let client = view.buyer.name.clone();
    let siren = match Channel::of(&view.buyer) {
        Channel::EInvoice { buyer_siren } => buyer_siren,
        Channel::EInvoiceWithoutSiren => return Err(EInvoiceError::NoSiren { number, client }),
        Channel::ReportConsumer => return Err(EInvoiceError::Consumer { number, client }),
        Channel::ReportInternational => {
            return Err(EInvoiceError::International { number, client });
        }
    };
    if !view.details.facturx {
        return Err(EInvoiceError::NotFacturX { number });
    }
    let siren = siren.to_string();
    match pa.directory_line(&siren).await? {
        None => return Err(EInvoiceError::NotInDirectory { siren, client }),
        Some(line) if line.status != LineStatus::Enabled => {
            return Err(EInvoiceError::NoPlatform { siren, client });
        }
        Some(_) => {}
    }
    let pdf = render_pdf(store, &number, None, Rendering::AsIssued)?.bytes;
    let file_name = format!("{number}.pdf");
    let flow = NewFlow::facturx_invoice(&number, &file_name, pdf);
    store.reserve_einvoice(
        &number,
        FlowKind::Invoice,
        None,
        &flow.info.tracking_id,
        &flow.info.sha256,
        &file_name,
    )?;
    let _span = tracing::info_span!("einvoice_send", %number).entered();
    let answer = upload(store, pa, &flow, Store::einvoice_submitted).await?;
    tracing::info!(flow_id = %answer.flow_id, "e-invoice sent");
    let recorded = store
        .einvoice_flow(&number)?
        .ok_or_else(|| StoreError::Decode("a sent flow vanished".into()))?;
    Ok(Sent::Now(recorded))
}

/// How the books record the platform's answer to an upload:
/// [`Store::einvoice_submitted`] or [`Store::answer_submitted`].
type Record = fn(&mut Store, &str, &str, &str, FlowAck, Option<&str>) -> Result<(), StoreError>;

/// The one way a flow reserved in the books goes out: uploaded once
/// ([`Client::submit_flow`] looks for an earlier upload first), then the
/// platform's answer recorded with `record`. Refused outright (4xx),
/// nothing reached the platform: the reservation is forgotten, so the
/// books do not say "interrupted".
async fn upload(
    store: &mut Store,
    pa: &Client,
    flow: &NewFlow,
    record: Record,
) -> Result<acquit_pa::Flow, EInvoiceError> {
    let sent = match pa.submit_flow(flow).await {
        Ok(sent) => sent,
        Err(e) => {
            if e.is_refusal() {
                store.cancel_einvoice_reservation(&flow.info.tracking_id)?;
            }
            return Err(e.into());
        }
    };
    record(
        store,
        &flow.info.tracking_id,
        &sent.flow_id,
        &sent.submitted_at,
        ack_of(sent.ack_status()),
        sent.ack_reason().as_deref(),
    )?;
    Ok(sent)
}

/// What one [`refresh`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Flows whose acknowledgement changed, as `(number, ack)`.
    pub acknowledged: Vec<(String, FlowAck)>,
    /// Interrupted sends found on the platform and recorded.
    pub recovered: Vec<String>,
    /// New lifecycle statuses, as `(number, code)`.
    pub statuses: Vec<(String, u16)>,
    /// Statuses 212 sent, as `(number, payment)`.
    pub cashed: Vec<(String, PaymentId)>,
    /// Suppliers' invoices received, as `(supplier, number)`.
    pub received: Vec<(String, String)>,
    /// Messages about documents Acquit did not send, or unreadable ones,
    /// and what the platform refused about one flow (a status 212 it
    /// would not take, a document it would not hand over): `(flow or
    /// tracking id, why)`, nothing recorded. One such flow never keeps the
    /// others from being followed; a 212 refused is offered again at the
    /// next refresh.
    pub skipped: Vec<(String, String)>,
}

/// When the platform was last asked in full ([`refresh`]), RFC 3339 UTC
/// like the payments' `engine::LAST_SYNC`.
pub const LAST_REFRESH: &str = "einvoice.last_refresh";

/// Asks the platform what changed: acknowledgements, interrupted sends,
/// lifecycle statuses.
pub async fn refresh(store: &mut Store, pa: &Client) -> Result<Refreshed, EInvoiceError> {
    let mut out = Refreshed::default();
    for flow in store.unsettled_einvoice_flows()? {
        match &flow.flow_id {
            Some(id) => {
                let now = match pa.flow(id).await {
                    Ok(now) => now,
                    // One flow the platform no longer knows does not stop
                    // the others from being followed.
                    Err(e @ PaError::Refused { .. }) => {
                        out.skipped.push((id.clone(), e.to_string()));
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                };
                let ack = ack_of(now.ack_status());
                let updated = now.updated_at.clone().unwrap_or_default();
                if store.einvoice_acknowledged(id, ack, now.ack_reason().as_deref(), &updated)? {
                    out.acknowledged.push((flow.number.clone(), ack));
                }
            }
            None => {
                // A send cut off after the upload started: the platform may
                // have it. Recorded if so; sent again only by `send`.
                if let Some(sent) = pa.find_sent(&flow.tracking_id, &flow.sha256).await? {
                    store.einvoice_submitted(
                        &flow.tracking_id,
                        &sent.flow_id,
                        &sent.submitted_at,
                        ack_of(sent.ack_status()),
                        sent.ack_reason().as_deref(),
                    )?;
                    out.recovered.push(flow.number.clone());
                }
            }
        }
    }
    send_cashed(store, pa, &mut out).await?;
    fetch_inbox(store, pa, &mut out).await?;
    let after = store
        .setting(PA_LIFECYCLE_CURSOR_SETTING)?
        .filter(|t| !t.trim().is_empty());
    // A second of overlap: flows updated in the same instant as the last
    // one read are not missed (reading one again records nothing).
    let overlap = after.as_deref().and_then(|a| {
        chrono::DateTime::parse_from_rfc3339(a).ok().map(|t| {
            (t - chrono::Duration::seconds(1)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        })
    });
    let mut incoming = pa
        .search_flows(&SearchFilters {
            updated_after: overlap.or_else(|| after.clone()),
            flow_type: vec!["CustomerInvoiceLC".into()],
            flow_direction: vec!["In".into()],
            ..SearchFilters::default()
        })
        .await?;
    incoming.sort_by(|a, b| a.updated_at.cmp(&b.updated_at));
    let mut cursor = after;
    for flow in incoming {
        if flow.ack_status() != AckStatus::Ok {
            continue;
        }
        let read = match pa.flow_document(&flow.flow_id, DocType::Original).await {
            Ok(xml) if xml.len() > MAX_CDAR_BYTES => {
                Err(format!("{} bytes, more than a status holds", xml.len()))
            }
            Ok(xml) => read_cdar(&xml).map_err(|e| e.to_string()),
            // The platform will not hand this status over: said once, the
            // others are still read.
            Err(e) if e.is_refusal() => Err(e.to_string()),
            Err(e) => return Err(e.into()),
        };
        let mut complete = true;
        match read {
            Err(why) => out.skipped.push((flow.flow_id.clone(), why)),
            Ok(messages) => {
                for m in messages {
                    let status = NewStatus {
                        number: m.invoice_number.clone(),
                        source_flow_id: flow.flow_id.clone(),
                        message_id: m.message_id,
                        code: m.code,
                        label: m.label,
                        issuer_role: m.issuer_role,
                        reason_code: m.reason_code,
                        reason: m.reason,
                        amount: m.amount,
                        vat_rate: m.vat_rate,
                        issued_at: m.issued_at,
                    };
                    match store.record_einvoice_status(&status) {
                        Ok(Some(_)) => out.statuses.push((m.invoice_number, m.code)),
                        Ok(None) => {}
                        Err(StoreError::Rejected(why)) => {
                            out.skipped.push((flow.flow_id.clone(), why.to_string()));
                        }
                        Err(e) => {
                            complete = false;
                            tracing::warn!(flow = %flow.flow_id, error = %e, "a lifecycle status not recorded");
                        }
                    }
                }
            }
        }
        if complete && let Some(updated) = flow.updated_at.clone() {
            cursor = Some(updated);
        } else if !complete {
            break;
        }
    }
    if let Some(cursor) = cursor {
        store.set_setting(PA_LIFECYCLE_CURSOR_SETTING, &cursor)?;
    }
    store.set_setting(LAST_REFRESH, &chrono::Utc::now().to_rfc3339())?;
    Ok(out)
}

/// The tracking id of the status 212 of `payment` on `number`.
fn cashed_tracking_id(number: &str, payment: PaymentId) -> String {
    format!("{number}-212-{}", payment.0)
}

/// Sends status 212 "Encaissée" once for each payment received on an
/// invoice sent through the platform, when the law wants it
/// ([`cashed_status_due`]: services without the debits option; of a mixed
/// invoice, the services' share of each payment). Like the
/// invoice itself: reserved (the message is built from the books only, so
/// the same payment always gives the same bytes), uploaded once (a send
/// cut off is found on the platform by tracking id and hash), recorded.
async fn send_cashed(
    store: &mut Store,
    pa: &Client,
    out: &mut Refreshed,
) -> Result<(), EInvoiceError> {
    for number in store.einvoiced_numbers()? {
        let view = store.invoice(&number)?;
        let (Some(seller), Some(issued)) = (view.seller.clone(), view.issue_date) else {
            continue;
        };
        if view.kind.is_credit_note() || !cashed_status_due(&seller, view.category) {
            continue;
        }
        let Some(siren) = seller.siren.as_ref() else {
            continue;
        };
        for payment in store.payments(&number)? {
            if payment.kind != PaymentKind::Payment
                || payment.reversed
                || !payment.amount.is_positive()
            {
                continue;
            }
            let tracking_id = cashed_tracking_id(&number, payment.id);
            if store
                .einvoice_flow_by_tracking(&tracking_id)?
                .is_some_and(|f| f.flow_id.is_some())
            {
                continue;
            }
            let natures: Vec<_> = view.lines.iter().map(|l| l.line.nature).collect();
            let parts: Vec<(String, String)> = cashed_parts(&view.totals, &natures, payment.amount)
                .into_iter()
                .map(|p| (p.amount.to_decimal_string(), p.rate.to_decimal_string()))
                .collect();
            // A payment of a mixed invoice too small to reach its services
            // (a cent of goods): nothing cashed to report.
            if parts.is_empty() {
                continue;
            }
            let xml = status_cdar(&StatusMessage {
                message_id: tracking_id.clone(),
                issued_at: payment.received_on.format("%Y%m%d000000").to_string(),
                issuer_name: seller.legal_name.clone(),
                issuer_siren: siren.to_string(),
                issuer_role: "SE",
                code: 212,
                reason: None,
                invoice_number: number.clone(),
                invoice_date: issued.format("%Y%m%d").to_string(),
                invoice_type: view.kind.untdid_1001().to_owned(),
                parts,
            });
            let file_name = format!("{tracking_id}.xml");
            let flow = NewFlow::cdar(&tracking_id, &file_name, xml.into_bytes());
            store.reserve_einvoice(
                &number,
                FlowKind::Cashed,
                Some(payment.id),
                &tracking_id,
                &flow.info.sha256,
                &file_name,
            )?;
            let answer = match upload(store, pa, &flow, Store::einvoice_submitted).await {
                Ok(answer) => answer,
                // Refused outright (its reservation forgotten by `upload`):
                // said, and the other payments still go.
                Err(EInvoiceError::Pa(e)) if e.is_refusal() => {
                    tracing::warn!(%number, payment = payment.id.0, error = %e, "status 212 refused");
                    out.skipped.push((tracking_id.clone(), e.to_string()));
                    continue;
                }
                Err(e) => return Err(e),
            };
            tracing::info!(%number, payment = payment.id.0, flow_id = %answer.flow_id, "status 212 sent");
            out.cashed.push((number.clone(), payment.id));
        }
    }
    Ok(())
}

/// The largest received invoice kept (the platforms take up to 100 MB;
/// an invoice is rarely over 1 MB).
const MAX_RECEIVED_BYTES: usize = 20 * 1024 * 1024;

/// Records the suppliers' invoices the platform holds for the user and
/// Acquit has not recorded yet, each kept byte for byte with what the
/// inbox shows of it (read from its CII: supplier, number, amounts, due
/// date). One that cannot be read is reported in `skipped`, not recorded.
async fn fetch_inbox(
    store: &mut Store,
    pa: &Client,
    out: &mut Refreshed,
) -> Result<(), EInvoiceError> {
    let incoming = pa
        .search_flows(&SearchFilters {
            flow_type: vec!["SupplierInvoice".into()],
            flow_direction: vec!["In".into()],
            ..SearchFilters::default()
        })
        .await?;
    for flow in incoming {
        if flow.ack_status() != AckStatus::Ok || store.is_received(&flow.flow_id)? {
            continue;
        }
        let file = match pa.flow_document(&flow.flow_id, DocType::Original).await {
            Ok(file) => file,
            // The platform will not hand this one over: said, the others
            // are still fetched (and this one asked again next time).
            Err(e) if e.is_refusal() => {
                out.skipped.push((flow.flow_id.clone(), e.to_string()));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if file.len() > MAX_RECEIVED_BYTES {
            out.skipped.push((
                flow.flow_id.clone(),
                format!("{} bytes, more than Acquit keeps", file.len()),
            ));
            continue;
        }
        let summary = match flow.flow_syntax.as_str() {
            "Factur-X" | "CII" => acquit_facturx::read::summary(&file).map_err(|e| e.to_string()),
            other => Err(format!(
                "a {other} invoice is not read yet: ask the supplier for a Factur-X"
            )),
        };
        let summary = match summary {
            Ok(summary) => summary,
            Err(why) => {
                out.skipped.push((flow.flow_id.clone(), why));
                continue;
            }
        };
        let recorded = store.record_received(&NewReceived {
            flow_id: flow.flow_id.clone(),
            file_name: flow.name.clone(),
            syntax: flow.flow_syntax.clone(),
            file,
            supplier: summary.seller_name.clone(),
            supplier_siren: summary.seller_siren,
            number: summary.number.clone(),
            type_code: summary.type_code,
            issue_date: summary.issue_date,
            due_date: summary.due_date,
            total: summary.total,
            due: summary.due,
        })?;
        if recorded {
            out.received.push((summary.seller_name, summary.number));
        }
    }
    Ok(())
}

/// The statuses a buyer may send about a received invoice.
pub const ANSWERS: &[u16] = &[204, 205, 206, 207, 208, 210, 211];

/// The file name to offer when the user saves received invoice `id`: the
/// platform's own name when it can name a file (core's rule for numbers:
/// no separator, no leading dot) and ends as its content is (`.pdf` for a
/// PDF, `.xml` otherwise), else `received-{id}.pdf|xml`. The platform's
/// name comes from outside: `../x.pdf` never reaches a path. Returns the
/// name and the content's extension (`pdf` or `xml`).
pub fn received_file_name(id: i64, name: &str, bytes: &[u8]) -> (String, &'static str) {
    let ext = if bytes.starts_with(b"%PDF-") {
        "pdf"
    } else {
        "xml"
    };
    let fits = name
        .rsplit_once('.')
        .is_some_and(|(stem, e)| !stem.is_empty() && e.eq_ignore_ascii_case(ext));
    let offered = if fits && acquit_core::numbering::is_file_name_safe(name) {
        name.to_owned()
    } else {
        format!("received-{id}.{ext}")
    };
    (offered, ext)
}

/// What [`answer`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    Now(Answer),
    /// Given earlier: nothing was sent again.
    Already(Answer),
}

/// Answers the received invoice `received_id` with status `code` as its
/// buyer (approve 205, dispute 207, refuse 210, …), with a reason of
/// [`REASONS`] where the rules want one. The message is kept before it is
/// sent; an answer cut off is resumed with the same bytes; an answer
/// already given is not sent again.
pub async fn answer(
    store: &mut Store,
    pa: &Client,
    received_id: i64,
    code: u16,
    reason: Option<(String, Option<String>)>,
) -> Result<Answered, EInvoiceError> {
    if !ANSWERS.contains(&code) {
        return Err(EInvoiceError::Answer(format!(
            "{code} is not a status a buyer sends: use one of {ANSWERS:?}"
        )));
    }
    match &reason {
        None if needs_reason(code) => {
            return Err(EInvoiceError::Answer(format!(
                "status {code} needs a reason: give --reason-code (one of {})",
                REASONS.iter().map(|r| r.0).collect::<Vec<_>>().join(", ")
            )));
        }
        Some((reason_code, _)) if !REASONS.iter().any(|r| r.0 == reason_code) => {
            return Err(EInvoiceError::Answer(format!(
                "{reason_code} is not a reason code of the rules: use one of {}",
                REASONS.iter().map(|r| r.0).collect::<Vec<_>>().join(", ")
            )));
        }
        _ => {}
    }
    let Some(received) = store.received()?.into_iter().find(|r| r.id == received_id) else {
        return Err(EInvoiceError::Answer(format!(
            "there is no received invoice {received_id}: see `acquit einvoice inbox`"
        )));
    };
    if let Some(done) = store
        .answers(received_id)?
        .into_iter()
        .find(|a| a.code == code && a.flow_id.is_some())
    {
        return Ok(Answered::Already(done));
    }
    let company = store.seller()?.ok_or_else(|| {
        EInvoiceError::Answer("set your company first (`acquit company set …`)".into())
    })?;
    let Some(siren) = company.siren.as_ref() else {
        return Err(EInvoiceError::Answer(
            "your company has no SIREN, which names you in a status: `acquit company set --siren …`".into(),
        ));
    };
    let tracking_id = format!("IN-{received_id}-{code}");
    let message = status_cdar(&StatusMessage {
        message_id: tracking_id.clone(),
        issued_at: chrono::Utc::now().format("%Y%m%d%H%M%S").to_string(),
        issuer_name: company.legal_name.clone(),
        issuer_siren: siren.to_string(),
        issuer_role: "BY",
        code,
        reason: reason.clone(),
        invoice_number: received.number.clone(),
        invoice_date: received.issue_date.format("%Y%m%d").to_string(),
        invoice_type: received.type_code.clone(),
        parts: Vec::new(),
    });
    // A reservation already there keeps its own message (a resumed send).
    let reserved = store.reserve_answer(
        received_id,
        code,
        reason.as_ref().map(|(c, t)| (c.as_str(), t.as_deref())),
        &tracking_id,
        message.as_bytes(),
    )?;
    let flow = NewFlow::cdar(
        &reserved.tracking_id,
        &format!("{}.xml", reserved.tracking_id),
        reserved.message.clone(),
    );
    upload(store, pa, &flow, Store::answer_submitted).await?;
    let done = store
        .answers(received_id)?
        .into_iter()
        .find(|a| a.code == code)
        .ok_or_else(|| StoreError::Decode("a sent answer vanished".into()))?;
    Ok(Answered::Now(done))
}

/// Everything known of an invoice's e-invoicing, for `einvoice status`,
/// `invoice show --json` and the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EInvoiceState {
    pub number: String,
    /// `e-invoice`, `e-invoice-without-siren`, `report-consumer`,
    /// `report-international`.
    pub channel: &'static str,
    pub flow: Option<EInvoiceFlow>,
    pub statuses: Vec<StatusView>,
    /// The latest status, in words (`fr` when `fr`), or the
    /// acknowledgement's while no status came.
    pub summary: String,
    /// What the user should do now, if anything.
    pub next_step: Option<String>,
    /// The payments reported as cashed (status 212), each with the
    /// platform's answer.
    pub cashed: Vec<CashedReport>,
}

/// A payment reported to the platform as status 212 "Encaissée".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CashedReport {
    pub payment: PaymentId,
    pub tracking_id: String,
    /// The platform's flow, once it answered the upload.
    pub flow_id: Option<String>,
    /// The platform's checks: `Pending`, `Ok` or `Error`.
    pub ack: Option<FlowAck>,
    /// Why it answered `Error`.
    pub reason: Option<String>,
}

/// A received status with its name and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusView {
    #[serde(flatten)]
    pub received: ReceivedStatus,
    /// The status's name in the user's language (the table's, not the
    /// sender's words, which are `received.label`).
    pub name: String,
    pub blocking: bool,
}

fn channel_name(channel: &Channel) -> &'static str {
    match channel {
        Channel::EInvoice { .. } => "e-invoice",
        Channel::EInvoiceWithoutSiren => "e-invoice-without-siren",
        Channel::ReportConsumer => "report-consumer",
        Channel::ReportInternational => "report-international",
    }
}

/// The e-invoicing state of `number`, from the books only.
pub fn state(store: &Store, number: &str, fr: bool) -> Result<EInvoiceState, EInvoiceError> {
    let view = store.invoice(number)?;
    let number = view.number.clone().unwrap_or_else(|| number.to_owned());
    let channel = Channel::of(&view.buyer);
    let flow = store.einvoice_flow(&number)?;
    let statuses: Vec<StatusView> = store
        .einvoice_statuses(&number)?
        .into_iter()
        .map(|received| {
            let known = Status::of(received.code);
            StatusView {
                name: known.map_or_else(|| received.label.clone(), |s| s.name(fr).to_owned()),
                blocking: known.is_some_and(|s| s.blocking),
                received,
            }
        })
        .collect();
    let say = |fr_text: &str, en_text: &str| {
        if fr {
            fr_text.to_owned()
        } else {
            en_text.to_owned()
        }
    };
    let (summary, next_step) = match (statuses.last(), &flow) {
        (Some(last), _) => {
            let mut summary = format!("{} ({})", last.name, last.received.code);
            if let Some(reason) = last
                .received
                .reason
                .as_ref()
                .or(last.received.reason_code.as_ref())
            {
                summary.push_str(&format!(": {reason}"));
            }
            let next = Status::of(last.received.code)
                .and_then(|s| s.next_step(fr))
                .map(str::to_owned);
            (summary, next)
        }
        (None, Some(flow)) => match (flow.flow_id.as_ref(), flow.ack) {
            (None, _) => (
                say("Envoi interrompu", "Send interrupted"),
                Some(say(
                    &format!(
                        "Relancez `acquit einvoice send {number}` : la plateforme sera interrogée avant tout nouvel envoi."
                    ),
                    &format!(
                        "Run `acquit einvoice send {number}` again: the platform is asked before anything is sent again."
                    ),
                )),
            ),
            (Some(_), Some(FlowAck::Error)) => (
                format!(
                    "{}{}",
                    say("Rejetée par la plateforme", "Rejected by the platform"),
                    flow.ack_reason
                        .as_ref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                ),
                Some(say(
                    "Corrigez ce que dit le motif, puis émettez un avoir et une nouvelle facture.",
                    "Fix what the reason says, then issue a credit note and a new invoice.",
                )),
            ),
            (Some(_), Some(FlowAck::Ok)) => (
                say("Acceptée par la plateforme", "Accepted by the platform"),
                None,
            ),
            (Some(_), _) => (
                say("Déposée, en cours de contrôle", "Submitted, being checked"),
                None,
            ),
        },
        // Sent or reported by the tool that issued it, not by Acquit.
        (None, None) if view.elsewhere => (
            say(
                "Émise avec l'outil précédent : envoi et e-reporting par lui",
                "Issued with the former tool: sent and reported by it",
            ),
            None,
        ),
        (None, None) => (
            match channel {
                Channel::EInvoice { .. } => say("Pas encore envoyée", "Not sent yet"),
                Channel::EInvoiceWithoutSiren => say(
                    "Ne peut pas partir : SIREN du client manquant",
                    "Cannot go: the client's SIREN is missing",
                ),
                _ => say(
                    "E-reporting (pas d'envoi par plateforme)",
                    "E-reported (not sent through the platforms)",
                ),
            },
            None,
        ),
    };
    let cashed: Vec<CashedReport> = store
        .einvoice_flows_of(&number)?
        .into_iter()
        .filter(|f| f.kind == FlowKind::Cashed)
        .filter_map(|f| {
            Some(CashedReport {
                payment: f.payment?,
                tracking_id: f.tracking_id,
                flow_id: f.flow_id,
                ack: f.ack,
                reason: f.ack_reason,
            })
        })
        .collect();
    // A report the platform refused is said first: the payment is not
    // declared as cashed, and the same report would be refused again.
    let next_step = match cashed.iter().find(|c| c.ack == Some(FlowAck::Error)) {
        None => next_step,
        Some(refused) => {
            let payment = refused.payment.0;
            let reason = refused
                .reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            let step = say(
                &format!(
                    "La plateforme a refusé la déclaration d'encaissement (statut 212) du paiement {payment}{reason} : vérifiez ce paiement et voyez avec votre plateforme ; Acquit ne renvoie pas la même déclaration."
                ),
                &format!(
                    "The platform refused the report of payment {payment} as cashed (status 212){reason}: check that payment and ask your platform; Acquit does not send the same report again."
                ),
            );
            Some(match next_step {
                Some(next) => format!("{step} {next}"),
                None => step,
            })
        }
    };
    Ok(EInvoiceState {
        number,
        channel: channel_name(&channel),
        flow,
        statuses,
        summary,
        next_step,
        cashed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_received_file_is_offered_under_a_name_that_cannot_leave_the_folder() {
        let pdf = b"%PDF-1.7 ...";
        let xml = b"<?xml version=\"1.0\"?><rsm:CrossIndustryInvoice/>";
        for (name, bytes, offered) in [
            ("F-2026-0007.pdf", &pdf[..], "F-2026-0007.pdf"),
            ("f.PDF", pdf, "f.PDF"),
            ("facture.xml", xml, "facture.xml"),
            // The content decides the extension.
            ("F-1.xml", pdf, "received-4.pdf"),
            ("F-1.pdf", xml, "received-4.xml"),
            ("F-1", pdf, "received-4.pdf"),
            (".pdf", pdf, "received-4.pdf"),
            // Outside names never become paths.
            ("../x.pdf", pdf, "received-4.pdf"),
            ("..\\x.pdf", pdf, "received-4.pdf"),
            ("/etc/x.pdf", pdf, "received-4.pdf"),
            ("a\u{0}b.pdf", pdf, "received-4.pdf"),
            ("", pdf, "received-4.pdf"),
        ] {
            let (got, ext) = received_file_name(4, name, bytes);
            assert_eq!(got, offered, "{name:?}");
            assert_eq!(ext, if bytes == pdf { "pdf" } else { "xml" }, "{name:?}");
        }
    }
}
